//! `--format human`: miette's graphical reports (code, severity, snippet, labels, help, link),
//! then the summary.
use super::{Reporter, Style};
use crate::engine::Outcome;
use crate::finding::{Diagnostic as FileDiagnostic, Finding, Severity, SkipReason};
use crate::snippet::{Excerpt, View};
use crate::source::SourceFile;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;
use std::io::{self, Write};

pub struct Human {
    pub style: Style,
}

/// One finding as a miette diagnostic.
struct Rendered<'a> {
    finding: &'a Finding,
    source: View<'a>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message_with_role())
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.help))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.url))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let span = |start, end| self.source.span(start, end);
        let primary = LabeledSpan::new_primary_with_span(None, span(f.start.offset, f.end.offset));
        let related = f.labels.iter().filter(|l| l.path.is_none()).map(move |l| {
            LabeledSpan::new_with_span(Some(l.message.clone()), span(l.start.offset, l.end.offset))
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// `warning[parse-error]: path:line:col: message`, for file problems.
pub fn diagnostic_line(d: &FileDiagnostic) -> String {
    let at = d
        .start
        .map(|p| format!(":{}:{}", p.line, p.column))
        .unwrap_or_default();
    let path = super::terminal_path(&d.path);
    format!("warning[{}]: {path}{at}: {}", d.kind, d.message)
}

/// "1 finding" / "3 findings".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Human {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.style.width)
            .with_links(self.style.hyperlinks)
    }
}

impl Reporter for Human {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let handler = self.handler();
        for f in &o.findings {
            let text: &str = o
                .sources
                .get(&f.path)
                .map_or("", |s: &std::sync::Arc<SourceFile>| s.text.as_str());
            let points: Vec<usize> = std::iter::once(f)
                .map(|f| (f.start.offset, f.end.offset))
                .chain(
                    f.labels
                        .iter()
                        .filter(|l| l.path.is_none())
                        .map(|l| (l.start.offset, l.end.offset)),
                )
                .flat_map(|(a, b)| [a, b])
                .collect();
            let excerpt = Excerpt::around(text, &points);
            let name = super::terminal_path(&f.path);
            let source = View {
                name: &name,
                file: text,
                excerpt: excerpt.as_ref(),
                language: language(&f.path),
            };
            let mut buf = String::new();
            handler
                .render_report(&mut buf, &Rendered { finding: f, source })
                .map_err(io::Error::other)?;
            writeln!(out, "{}", buf.trim_end())?;
            // Labels in other files cannot sit in this file's snippet: they follow it, unwrapped.
            for l in &f.labels {
                if let Some(path) = &l.path {
                    let (line, col) = (l.start.line, l.start.column);
                    writeln!(out, "  related: {path}:{line}:{col}: {}", l.message)?;
                }
            }
            writeln!(out)?;
        }
        if self.style.quiet {
            return Ok(());
        }
        for d in &o.diagnostics {
            writeln!(out, "{}", diagnostic_line(d))?;
        }
        for (path, reason) in o
            .skipped
            .iter()
            .filter(|(_, r)| !matches!(r, SkipReason::Role(_) | SkipReason::Excluded))
        {
            let path = super::terminal_path(path);
            writeln!(out, "note[skipped]: {path}: {}", reason.describe())?;
        }
        if let Some(d) = &o.design {
            writeln!(out, "{}", crate::design::render_summary(d, &o.design_args))?;
        }
        write!(out, "{}", summary(o))
    }
}

/// What `--fix` (and `--unsafe-fixes`) would fix, if anything.
fn fixable_line(o: &Outcome) -> Option<String> {
    let count = |a| {
        o.findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    let what = match (
        count(crate::fix::Applicability::Safe),
        count(crate::fix::Applicability::Unsafe),
    ) {
        (0, 0) => return None,
        (s, 0) => format!("{s} with `--fix`"),
        (0, u) => format!("{u} with `--fix --unsafe-fixes`"),
        (s, u) => format!("{s} with `--fix`, {u} more with `--fix --unsafe-fixes`"),
    };
    Some(format!("fixable: {what} (`--diff` shows them)\n"))
}

/// The closing lines every text report ends with: findings by severity, what `--fix` can do,
/// files by fate.
pub fn summary(o: &Outcome) -> String {
    let s = &o.summary;
    let n = |sev| s.findings.get(&sev).copied().unwrap_or(0);
    let total = o.findings.len();
    let head = if total == 0 {
        "no findings".to_string()
    } else {
        format!(
            "{}: {}, {}, {}",
            plural(total, "finding", "findings"),
            plural(n(Severity::Error), "error", "errors"),
            plural(n(Severity::Warning), "warning", "warnings"),
            plural(n(Severity::Note), "note", "notes")
        )
    };
    let mut files = format!(
        "files: {} scanned, {} skipped{}, {} failed",
        s.files.scanned,
        s.files.skipped,
        by_reason(&s.skipped_by_reason),
        s.files.failed
    );
    let dirs: usize = s.skipped_dirs_by_reason.values().sum();
    if dirs > 0 {
        files.push_str(&format!(
            "; {} not walked{}",
            plural(dirs, "folder", "folders"),
            by_reason(&s.skipped_dirs_by_reason)
        ));
    }
    if s.suppressed > 0 {
        files.push_str(&format!("; {} suppressed", s.suppressed));
    }
    if s.not_reported > 0 {
        files.push_str(&format!(
            "; {} not reported (too many of one rule in one file)",
            s.not_reported
        ));
    }
    if s.baseline_hidden > 0 || s.baseline_fixed > 0 {
        files.push_str(&format!(
            "; baseline: {} hidden, {} fixed since",
            s.baseline_hidden, s.baseline_fixed
        ));
    }
    let mut text = format!("authlint: {head}\n");
    if let Some(line) = fixable_line(o) {
        text.push_str(&line);
    }
    text.push_str(&format!("{files}; {:.2}s\n", s.duration.as_secs_f64()));
    text
}

fn language(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "rs" => "Rust",
        "ts" | "tsx" | "mts" | "cts" => "TypeScript",
        "js" | "jsx" | "mjs" | "cjs" => "JavaScript",
        "toml" => "TOML",
        "yaml" | "yml" => "YAML",
        "json" => "JSON",
        _ => "",
    }
}

/// ` (2 test-code, 1 vendored)`, or nothing.
fn by_reason(counts: &std::collections::BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
    format!(" ({})", parts.join(", "))
}
