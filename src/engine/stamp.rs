//! A file's reports made findings: the configured level and the `[per-file-ignores]`, its
//! suppressions (and those that matched nothing), the severity capped by the file's role,
//! positions and fingerprints.
use super::{Engine, FileResult, Pass};
use crate::baseline;
use crate::config::Level;
use crate::design;
use crate::finding::{Finding, Report, ResolvedLabel, Severity};
use crate::rule::Rule;
use crate::source::SourceFile;
use crate::suppress;
use std::collections::BTreeMap;

impl Engine<'_> {
    /// Stamps severity and positions, applies the file's suppressions, adds fingerprints. Each
    /// pass reports the suppressions of its own rules that matched nothing (see [`Pass`]).
    pub(super) fn finish(
        &self,
        file: &SourceFile,
        reports: Vec<Report>,
        supps: &mut [suppress::Suppression],
        r: &mut FileResult,
        pass: Pass,
    ) {
        let mut reports = reports;
        reports.retain(|rep| self.opts.level(rep.rule).is_some());
        // `[per-file-ignores]` counts as suppressed, as a comment in the file would.
        let settings = &self.opts.settings;
        r.suppressed += (settings.per_file_ignores).drop_from(
            &file.abs_path,
            &settings.exclude_root,
            &mut reports,
        );
        reports.sort_by_key(|rep| (rep.span, rep.rule));
        reports.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);
        let mut kept = Vec::new();
        for rep in reports {
            if suppress::apply(supps, rep.rule, file.position(rep.span.start).line) {
                r.suppressed += 1;
            } else {
                kept.push(rep);
            }
        }
        if self.opts.level(Rule::UnusedSuppression).is_some() {
            // Whether a rule ran, and whether it is one of the project pass's.
            let judged = |id: &str, project: bool| {
                Rule::from_id(id).is_some_and(|rule| {
                    self.enabled.contains(&rule) && design::RULES.contains(&rule) == project
                })
            };
            let problems = match pass {
                Pass::File => suppress::problems(supps, |id| judged(id, false)),
                Pass::Project => suppress::unused(supps, |id| judged(id, true)),
            };
            for (span, message, help) in problems {
                kept.push(Report::new(Rule::UnusedSuppression, span, message, help));
            }
        }
        let mut seen = BTreeMap::new();
        // Exactly as many as there are: a doubled capacity costs 9 MB per 34,000 findings.
        r.findings.reserve_exact(kept.len());
        for rep in kept {
            let finding = self.stamp(file, rep, &mut seen);
            r.findings.push(finding);
        }
    }

    /// A report made a finding: its configured severity capped by the file's role, its
    /// positions, and a fingerprint keyed on the rule, the path inside the project and the
    /// flagged code (`seen` numbers repeats of the same code).
    fn stamp(
        &self,
        file: &SourceFile,
        rep: Report,
        seen: &mut BTreeMap<(String, String), usize>,
    ) -> Finding {
        let configured = self.opts.settings.rules.get(&rep.rule);
        let severity = match configured {
            Some(Level::On(s)) => *s,
            _ => rep
                .severity
                .or_else(|| self.opts.level(rep.rule))
                .unwrap_or(Severity::Warning),
        };
        // The file's role caps the level: example code at most a warning, dev config a note.
        let severity = self.opts.settings.policy(file.role).cap(severity);
        let code = normalised_code(file, &rep);
        let n = seen
            .entry((rep.rule.to_string(), code.clone()))
            .or_default();
        // Keyed on the path inside the project (the config's directory, or the working
        // directory), so a baseline matches whichever directory authlint is run from.
        let project_path = file
            .abs_path
            .strip_prefix(&self.opts.settings.exclude_root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| file.path.clone());
        let fingerprint = baseline::fnv1a(&[rep.rule.id(), &project_path, &code, &n.to_string()]);
        *n += 1;
        Finding {
            rule: rep.rule,
            severity,
            path: file.path.clone(),
            start: file.position(rep.span.start),
            end: file.position(rep.span.end),
            labels: rep
                .labels
                .iter()
                .map(|l| match &l.elsewhere {
                    Some(e) => ResolvedLabel {
                        message: l.message.clone(),
                        path: Some(e.path.clone()),
                        start: e.start,
                        end: e.end,
                    },
                    None => ResolvedLabel {
                        message: l.message.clone(),
                        path: None,
                        start: file.position(l.span.start),
                        end: file.position(l.span.end),
                    },
                })
                .collect(),
            fix: rep.fix.map(|f| f.resolve(file)),
            message: exact(rep.message),
            help: exact(rep.help),
            fingerprint,
            url: rep.rule.doc().url(),
            role: file.role,
        }
    }
}

/// `s` in an allocation of its length: a finding outlives its file's syntax tree, and `format!`
/// leaves up to twice the length reserved (about 100 bytes a finding at 270,000 findings).
fn exact(mut s: String) -> String {
    s.shrink_to_fit();
    s
}

/// The flagged code with whitespace collapsed (or its line, for empty spans): what a fingerprint
/// keys on instead of line numbers.
fn normalised_code(file: &SourceFile, rep: &Report) -> String {
    let snippet = file.snippet(rep.span);
    let text = if snippet.trim().is_empty() {
        file.line_text(file.position(rep.span.start).line)
    } else {
        snippet
    };
    // The first 240 characters, read lazily: a span over a 2 MB line costs 240 steps, not 2 MB
    // for each of its findings.
    let mut s = String::new();
    let mut chars = 0;
    'words: for w in text.split_whitespace() {
        if !s.is_empty() {
            if chars == 240 {
                break;
            }
            s.push(' ');
            chars += 1;
        }
        for c in w.chars() {
            if chars == 240 {
                break 'words;
            }
            s.push(c);
            chars += 1;
        }
    }
    s
}
