//! The run: discover, read each file once, prefilter, analyse in parallel (one panic costs one
//! file, not the run), stamp findings, apply suppressions and baseline, sort.
use crate::analyzers::{self, Analyzer, Context, Sink};
use crate::baseline;
use crate::catalog;
use crate::config::{Level, Settings};
use crate::design::{self, Design};
use crate::discover::{self, Candidate};
use crate::facts::PlacedFact;
use crate::finding::{Diagnostic, Finding, Report, ResolvedLabel, Severity, SkipReason};
use crate::project::{ProjectContext, ProjectInfo};
use crate::source::{FileKind, SourceFile};
use crate::suppress;
use aho_corasick::AhoCorasick;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub settings: Settings,
    /// Only these rules (`--select`); `None` means all.
    pub select: Option<Vec<&'static str>>,
    /// Never these rules (`--ignore`).
    pub ignore: Vec<&'static str>,
    pub threads: usize,
    /// Base for display paths (the working directory).
    pub cwd: PathBuf,
}

/// Each worker's stack. The analyzers' guards (bracket depth, chain length) keep recursion far
/// below it, in debug builds too.
pub const WORKER_STACK: usize = 256 << 20;

/// At most this many worker threads, whatever `-j` asks (each reserves a large stack).
pub const MAX_THREADS: usize = 256;

/// The worker threads for `-j`: `None` or `0` means one per CPU; more than four per CPU (at most
/// [`MAX_THREADS`]) buys nothing but memory. The run also never starts more than it has files.
pub fn worker_threads(requested: Option<usize>) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        None | Some(0) => cpus,
        Some(n) => n.min((4 * cpus).min(MAX_THREADS)),
    }
}

/// Files by fate. `discovered` is counted by discovery as each file is found; every one of them
/// ends scanned, skipped or failed, so `discovered = scanned + skipped + failed` (tests compare).
#[derive(Debug, Default, Clone, Serialize)]
pub struct FileCounts {
    pub discovered: usize,
    pub scanned: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Scanned files that the prefilter let through to a parser and that parsed (a subset of
    /// `scanned`; a failed parse counts in `failed`).
    pub parsed: usize,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub findings: BTreeMap<Severity, usize>,
    pub files: FileCounts,
    pub skipped_by_reason: BTreeMap<String, usize>,
    pub suppressed: usize,
    pub baseline_hidden: usize,
    pub baseline_fixed: usize,
    #[serde(skip)]
    pub duration: Duration,
}

/// Everything a reporter needs.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<(String, SkipReason)>,
    pub summary: Summary,
    /// The text of each file that has findings (for snippets).
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    /// Rules that were enabled in this run, sorted.
    pub rules: Vec<&'static str>,
    /// What the analyzers learnt about the auth design, sorted by place.
    pub facts: Vec<PlacedFact>,
    /// The project-level verdict.
    pub design: Option<Design>,
    pub context: ProjectContext,
    /// The working directory (display paths are relative to it) and the folder SARIF URIs are
    /// relative to: the project root when the working directory is inside it, else the working
    /// directory, so `cd web && authlint check ..` names files as a run from the root does.
    pub cwd: PathBuf,
    pub uri_root: PathBuf,
    /// Set by the command line: the run failed (`--strict` with file diagnostics), whatever it found.
    pub run_failed: bool,
    /// Set by the command line: the paths and config options, as `authlint design` takes them.
    pub design_args: String,
}

impl Outcome {
    pub fn count(&self, at_least: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= at_least)
            .count()
    }
}

struct Engine<'a> {
    opts: &'a Options,
    enabled: Vec<&'static str>,
    project: ProjectInfo,
    prefilters: Vec<(&'static dyn Analyzer, AhoCorasick)>,
}

#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    skipped: Option<SkipReason>,
    parsed: bool,
    suppressed: usize,
    facts: Vec<PlacedFact>,
    source: Option<Arc<SourceFile>>,
}

impl Options {
    pub fn level(&self, rule: &str) -> Option<Severity> {
        if self.select.as_ref().is_some_and(|s| !s.contains(&rule)) || self.ignore.contains(&rule) {
            return None;
        }
        match self.settings.rules.get(rule) {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(*s),
            None => catalog::get(rule).map(|r| r.severity),
        }
    }

    /// The rules that report findings in this run (the design verdict is not one of them).
    pub fn enabled_rules(&self) -> Vec<&'static str> {
        catalog::all()
            .iter()
            .filter(|r| r.is_implemented() && r.id != "auth-design")
            .map(|r| r.id.as_str())
            .filter(|id| self.level(id).is_some())
            .collect()
    }
}

/// Runs a check. Errors are problems with the run itself (a path that does not exist, a bad
/// exclude glob), not with a file.
pub fn run(opts: &Options) -> Result<Outcome, String> {
    let started = Instant::now();
    let discovery = discover::discover(&opts.paths, &opts.settings, &opts.cwd, opts.threads)?;
    check_discovered(opts, discovery, started)
}

/// Checks what discovery found. Files can change between the two (a build deleting its
/// output, a checkout in progress); each such file ends as a diagnostic, never as a lost file.
fn check_discovered(
    opts: &Options,
    discovery: discover::Discovery,
    started: Instant,
) -> Result<Outcome, String> {
    install_panic_hook();
    let enabled = opts.enabled_rules();
    // Every analyzer runs, even when none of its rules is selected: its facts feed the verdict.
    let prefilters = analyzers::all()
        .iter()
        .map(|a| {
            debug_assert!(
                a.vocabulary()
                    .iter()
                    .all(|w| !w.contains(char::is_uppercase))
            );
            // Matched against the lowercased text: a case-sensitive, leftmost automaton uses
            // the SIMD searcher, several times faster than a case-insensitive or standard one.
            let ac = AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(a.vocabulary())
                .expect("vocabulary automaton");
            (a.as_ref(), ac)
        })
        .collect();
    let engine = Engine {
        opts,
        enabled: enabled.clone(),
        project: ProjectInfo::load(&discovery.lockfiles),
        prefilters,
    };

    let results: Vec<Mutex<Option<FileResult>>> = discovery
        .candidates
        .iter()
        .map(|_| Mutex::new(None))
        .collect();
    let next = AtomicUsize::new(0);
    let threads = opts.threads.max(1).min(discovery.candidates.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            std::thread::Builder::new()
                // Reserved, not used: only the pages a deep parse touches cost memory.
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(c) = discovery.candidates.get(i) else {
                            break;
                        };
                        *results[i].lock().unwrap() = Some(engine.check_file(c));
                    }
                })
                .expect("spawn worker thread");
        }
    });

    let root = &opts.settings.exclude_root;
    let mut out = Outcome {
        rules: enabled,
        cwd: opts.cwd.clone(),
        uri_root: if opts.cwd.starts_with(root) {
            root
        } else {
            &opts.cwd
        }
        .clone(),
        ..Outcome::default()
    };
    let mut summary = Summary::default();
    out.skipped = discovery.skipped;
    for (path, reason) in discovery.failed {
        out.diagnostics.push(Diagnostic {
            kind: "read-error",
            path,
            start: None,
            message: reason,
        });
        summary.files.failed += 1;
    }
    for (c, r) in discovery.candidates.iter().zip(results) {
        let r = r
            .into_inner()
            .unwrap()
            .expect("every candidate was checked");
        if let Some(reason) = r.skipped {
            out.skipped.push((c.path.clone(), reason));
        } else if r
            .diagnostics
            .iter()
            .any(|d| matches!(d.kind, "read-error" | "parse-error" | "timeout"))
        {
            summary.files.failed += 1;
        } else {
            summary.files.scanned += 1;
            // A file whose parse failed is counted as failed, not as parsed.
            summary.files.parsed += usize::from(r.parsed);
        }
        summary.suppressed += r.suppressed;
        out.facts.extend(r.facts);
        out.findings.extend(r.findings);
        out.diagnostics.extend(r.diagnostics);
        if let Some(src) = r.source {
            out.sources.insert(c.path.clone(), src);
        }
    }
    out.skipped.sort();
    summary.files.skipped = out.skipped.len();
    for (_, reason) in &out.skipped {
        *summary
            .skipped_by_reason
            .entry(reason.as_str().to_string())
            .or_default() += 1;
    }
    summary.files.discovered = discovery.discovered;

    // The project pass: cross-file findings and the verdict.
    out.facts.sort();
    out.context = ProjectContext::build(&engine.project, &discovery.markers);
    let project = design::run(&out.facts, &out.findings, &opts.settings, &out.context);
    let mut by_file: BTreeMap<String, Vec<Report>> = BTreeMap::new();
    for (path, _, report) in project.reports {
        by_file.entry(path).or_default().push(report);
    }
    for (path, reports) in by_file {
        let Some(src) = out.sources.get(&path).cloned() else {
            continue;
        };
        let mut r = FileResult::default();
        engine.finish(&src, reports, &mut r, false);
        summary.suppressed += r.suppressed;
        out.findings.extend(r.findings);
        out.diagnostics.extend(r.diagnostics);
    }
    crate::design::session_data::drop_loginless(&mut out.findings, &out.facts, &opts.cwd);
    out.design = Some(project.design);
    out.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.diagnostics.sort();
    if let Some(path) = &opts.settings.baseline {
        let b = baseline::read(path)?;
        let (hidden, fixed) = baseline::apply(&b, &mut out.findings);
        summary.baseline_hidden = hidden;
        summary.baseline_fixed = fixed;
    }
    for f in &out.findings {
        *summary.findings.entry(f.severity).or_default() += 1;
    }
    let with_findings: std::collections::BTreeSet<&str> =
        out.findings.iter().map(|f| f.path.as_str()).collect();
    out.sources
        .retain(|path, _| with_findings.contains(path.as_str()));
    summary.duration = started.elapsed();
    out.summary = summary;
    Ok(out)
}

/// A script file that is really a bundle or build output: very long lines, a long file of long
/// lines, a webpack runtime, a generated-file marker, or a source map reference (the code it was
/// built from is what gets checked).
fn looks_minified(text: &str) -> bool {
    let lines = text.lines().count().max(1);
    let head = &text[..floor_boundary(text, 2048)];
    let tail = &text[floor_boundary(text, text.len().saturating_sub(512))..];
    text.lines().any(|l| l.len() > 10_000)
        || (text.len() > 20_000 && text.len() / lines > 300)
        || head.contains("webpackBootstrap")
        || head.contains("@generated")
        || tail.contains("//# sourceMappingURL=")
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod changing_tree_tests {
    use super::*;

    #[test]
    fn a_file_that_vanishes_during_the_scan_is_reported_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("gone.rs"), "fn login_token() {}\n").unwrap();
        std::fs::write(p.join("kept.rs"), "fn main() {}\n").unwrap();
        let opts = Options {
            paths: vec![p.to_path_buf()],
            settings: Settings {
                exclude_root: p.to_path_buf(),
                ..Settings::default()
            },
            select: None,
            ignore: Vec::new(),
            threads: 2,
            cwd: p.to_path_buf(),
        };
        let discovery =
            discover::discover(&opts.paths, &opts.settings, &opts.cwd, opts.threads).unwrap();
        assert_eq!(discovery.candidates.len(), 2);
        std::fs::remove_file(p.join("gone.rs")).unwrap();
        let out = check_discovered(&opts, discovery, Instant::now()).unwrap();
        let files = &out.summary.files;
        assert_eq!((files.discovered, files.scanned, files.failed), (2, 1, 1));
        let d = &out.diagnostics[0];
        assert_eq!((d.kind, d.path.as_str()), ("read-error", "gone.rs"));
        assert!(d.message.starts_with("cannot read file: "), "{}", d.message);
    }
}

#[cfg(test)]
mod minified_tests {
    use super::looks_minified;

    #[test]
    fn bundles_and_build_output_are_skipped() {
        assert!(looks_minified(&"a=1;".repeat(3000)));
        assert!(looks_minified(
            "/******/ (() => { // webpackBootstrap\nvar x = 1;\n"
        ));
        assert!(looks_minified(
            "// @generated by protoc\nexport const a = 1;\n"
        ));
        assert!(looks_minified(
            "var a = 1;\n//# sourceMappingURL=app.js.map\n"
        ));
        assert!(!looks_minified("localStorage.setItem('token', t);\n// é\n"));
    }
}

impl Engine<'_> {
    /// Checks one file; a panic anywhere in it (not only inside an analyzer) costs that file alone.
    fn check_file(&self, c: &Candidate) -> FileResult {
        let budget = self.opts.settings.file_timeout;
        let outcome = crate::budget::within(budget, || {
            with_panic_capture(|| catch_unwind(AssertUnwindSafe(|| self.check_file_inner(c))))
        });
        let (kind, message) = match outcome {
            Ok(r) => return r,
            Err(Failure::Timeout) => ("timeout", timeout_message(budget, None)),
            Err(Failure::Panic(msg)) => (
                "internal-error",
                format!("authlint failed on this file ({msg}); please report it"),
            ),
        };
        FileResult {
            diagnostics: vec![Diagnostic {
                kind,
                path: c.path.clone(),
                start: None,
                message,
            }],
            ..FileResult::default()
        }
    }

    fn check_file_inner(&self, c: &Candidate) -> FileResult {
        let r = FileResult::default();
        // Each worker reads into the same two buffers, file after file: most files are only
        // searched for the vocabulary, and fresh allocations of their size would cost more
        // (page faults and zeroing) than the search itself.
        thread_local! {
            static BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const {
                std::cell::RefCell::new((Vec::new(), Vec::new()))
            };
        }
        BUFFERS.with_borrow_mut(|(bytes, lower)| self.check_bytes(c, bytes, lower, r))
    }

    fn check_bytes(
        &self,
        c: &Candidate,
        bytes: &mut Vec<u8>,
        lower: &mut Vec<u8>,
        mut r: FileResult,
    ) -> FileResult {
        let fail = |r: &mut FileResult, kind, message: String| {
            r.diagnostics.push(Diagnostic {
                kind,
                path: c.path.clone(),
                start: None,
                message,
            });
        };
        let max = self.opts.settings.max_file_size;
        // Discovery accepted the path (a symlink inside the root is followed); the file can
        // have changed since: it is read only if it is still a regular file within the limit.
        match crate::reader::read_into(&c.abs, max, crate::reader::Origin::User, bytes) {
            Ok(()) => {}
            Err(crate::reader::ReadError::TooLarge { .. }) => {
                r.skipped = Some(SkipReason::TooLarge);
                return r;
            }
            Err(crate::reader::ReadError::NotRegular) => {
                r.skipped = Some(SkipReason::NotRegularFile);
                return r;
            }
            Err(e) => {
                fail(&mut r, "read-error", format!("cannot read file: {e}"));
                return r;
            }
        }
        // UTF-16 with a byte-order mark (Windows editors save TypeScript and JSON that way) is
        // decoded; positions in such a file are those of the decoded text.
        match crate::source::decode_utf16_bom(bytes) {
            None => {}
            Some(Ok(decoded)) => *bytes = decoded.into_bytes(),
            Some(Err(at)) => {
                fail(
                    &mut r,
                    "parse-error",
                    format!("not valid UTF-16 (first invalid unit at offset {at})"),
                );
                return r;
            }
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.valid_up_to();
                fail(
                    &mut r,
                    "parse-error",
                    format!("not valid UTF-8 (first invalid byte at offset {at})"),
                );
                return r;
            }
        };
        // A page whose inline script is a bundle is build output, like a minified .js file.
        let minified = match c.kind {
            FileKind::Script => looks_minified(text),
            FileKind::Markup => analyzers::script::inline_scripts(text).any(looks_minified),
            _ => false,
        };
        if minified {
            r.skipped = Some(SkipReason::Minified);
            return r;
        }
        lower.clear();
        lower.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
        let lower = std::str::from_utf8(lower).expect("ASCII lowercasing keeps UTF-8 valid");
        let wanted: Vec<_> = self
            .prefilters
            .iter()
            .filter(|(analyzer, vocab)| analyzer.handles(c.kind) && analyzer.wants(lower, vocab))
            .map(|(analyzer, _)| *analyzer)
            .collect();
        if wanted.is_empty() && !lower.contains(suppress::MARKER) {
            // Nothing can be reported here, not even an unused suppression.
            return r;
        }
        // A header can say more than the path: generated code, a config for the docs only. It
        // only ever makes a file's role milder, never turns test data into production.
        let role = self
            .opts
            .settings
            .header_role(c.role, text)
            .map_or(c.role, |d| d.role);
        if self.opts.settings.policy(role) == crate::roles::Policy::Skip {
            r.skipped = Some(SkipReason::Role(role));
            return r;
        }
        let mut file = SourceFile::new(c.abs.clone(), c.path.clone(), c.kind, text.to_string());
        file.role = role;
        let ctx = Context {
            settings: &self.opts.settings,
            project: &self.project,
        };
        let mut sink = Sink::default();
        // A syntax tree costs about 180 times its file (a 1.9 MB Rust file, 350 MB): large files
        // are analysed one at a time, so eight of them at `-j 8` do not need 2 GB at once.
        let _alone = (text.len() > LARGE_FILE)
            .then(|| LARGE_FILES.lock().unwrap_or_else(|e| e.into_inner()));
        for analyzer in wanted {
            r.parsed = true;
            let mut local = Sink::default();
            let outcome = with_panic_capture(|| {
                catch_unwind(AssertUnwindSafe(|| analyzer.check(&file, &ctx, &mut local)))
            });
            match outcome {
                Ok(()) => {
                    sink.reports.append(&mut local.reports);
                    sink.errors.append(&mut local.errors);
                    sink.facts.append(&mut local.facts);
                }
                Err(Failure::Timeout) => {
                    let budget = self.opts.settings.file_timeout;
                    fail(
                        &mut r,
                        "timeout",
                        timeout_message(budget, Some(analyzer.name())),
                    );
                    break;
                }
                Err(Failure::Panic(msg)) => fail(
                    &mut r,
                    "internal-error",
                    format!(
                        "the {} analyzer failed on this file ({msg}); please report it",
                        analyzer.name()
                    ),
                ),
            }
        }
        for e in sink.errors {
            r.diagnostics.push(Diagnostic {
                kind: e.kind,
                path: c.path.clone(),
                start: e.span.map(|s| file.position(s.start)),
                message: e.message,
            });
        }
        self.finish(&file, sink.reports, &mut r, true);
        r.facts = sink
            .facts
            .into_iter()
            .map(|f| PlacedFact {
                path: c.path.clone(),
                start: file.position(f.span.start),
                span: f.span,
                function: f.function,
                kind: f.kind,
            })
            .collect();
        if !r.findings.is_empty() || !r.facts.is_empty() {
            r.source = Some(Arc::new(file));
        }
        r
    }

    /// Stamps severity and positions, applies suppressions, adds fingerprints.
    /// `judge_unused`: whether suppressions that matched nothing are reported (in the per-file
    /// pass, except for the project pass's rules, which it cannot see).
    fn finish(
        &self,
        file: &SourceFile,
        reports: Vec<Report>,
        r: &mut FileResult,
        judge_unused: bool,
    ) {
        let mut supps = suppress::parse(file);
        // A rule id the catalog lacks (a typo) would have no level and vanish below: it is a bug
        // in authlint, loud in tests and a diagnostic in a release build, never a silent drop.
        let (mut reports, unknown): (Vec<Report>, Vec<Report>) = reports
            .into_iter()
            .partition(|rep| catalog::get(rep.rule).is_some());
        for rep in unknown {
            let message = format!(
                "a finding of `{}`, a rule the catalog lacks, was dropped; please report it",
                rep.rule
            );
            if cfg!(debug_assertions) {
                panic!("{message}");
            }
            r.diagnostics.push(Diagnostic {
                kind: "internal-error",
                path: file.path.clone(),
                start: Some(file.position(rep.span.start)),
                message,
            });
        }
        reports.retain(|rep| self.opts.level(rep.rule).is_some());
        reports.sort_by_key(|rep| (rep.span, rep.rule));
        reports.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);
        let mut kept = Vec::new();
        for rep in reports {
            if suppress::apply(&mut supps, rep.rule, file.position(rep.span.start).line) {
                r.suppressed += 1;
            } else {
                kept.push(rep);
            }
        }
        if judge_unused && self.opts.level(suppress::RULE_ID).is_some() {
            for (span, message, help) in suppress::problems(&supps, |rule| {
                self.enabled.contains(&rule) && !design::RULES.contains(&rule)
            }) {
                kept.push(Report::new(suppress::RULE_ID, span, message, help));
            }
        }
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for rep in kept {
            let configured = self.opts.settings.rules.get(rep.rule);
            let severity = match configured {
                Some(Level::On(s)) => *s,
                _ => rep
                    .severity
                    .or_else(|| self.opts.level(rep.rule))
                    .unwrap_or(Severity::Warning),
            };
            // The file's role caps the level: example code at most a warning, dev config a note.
            let severity = self.opts.settings.policy(file.role).cap(severity);
            let start = file.position(rep.span.start);
            let end = file.position(rep.span.end);
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
            let fingerprint = baseline::fnv1a(&[rep.rule, &project_path, &code, &n.to_string()]);
            *n += 1;
            r.findings.push(Finding {
                rule: rep.rule,
                severity,
                path: file.path.clone(),
                start,
                end,
                labels: rep
                    .labels
                    .iter()
                    .map(|l| ResolvedLabel {
                        message: l.message.clone(),
                        start: file.position(l.span.start),
                        end: file.position(l.span.end),
                    })
                    .collect(),
                message: rep.message,
                help: rep.help,
                fingerprint,
                url: catalog::get(rep.rule).map(|d| d.url()).unwrap_or_default(),
                role: file.role,
            });
        }
    }
}

/// Files larger than this are analysed one at a time (issue 14, item 7).
const LARGE_FILE: usize = 256 << 10;
static LARGE_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

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

thread_local! {
    static CAPTURING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics inside an analyzer are recorded instead of printed; all others go to the default hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = CAPTURING.with(|c| {
                let mut c = c.borrow_mut();
                if c.is_some() {
                    let msg = info
                        .payload()
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| info.payload().downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".into());
                    let at = info
                        .location()
                        .map(|l| format!(" at {}:{}", l.file(), l.line()))
                        .unwrap_or_default();
                    *c = Some(format!("{msg}{at}"));
                    true
                } else {
                    false
                }
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Why a file's (or one analyzer's) work ended early.
enum Failure {
    /// A panic, with its message and place.
    Panic(String),
    /// The file's time budget ran out (see `budget`).
    Timeout,
}

fn with_panic_capture<T>(f: impl FnOnce() -> std::thread::Result<T>) -> Result<T, Failure> {
    // Nested captures (a file around its analyzers) restore the outer state afterwards.
    let outer = CAPTURING.with(|c| c.borrow_mut().replace(String::new()));
    let out = f();
    let msg = CAPTURING
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    out.map_err(|payload| match msg {
        _ if crate::budget::expired(payload.as_ref()) => Failure::Timeout,
        m if m.is_empty() => Failure::Panic("panic".into()),
        m => Failure::Panic(m),
    })
}

fn timeout_message(budget: std::time::Duration, analyzer: Option<&str>) -> String {
    let during = analyzer.map_or(String::new(), |a| format!(" in the {a} analyzer"));
    format!(
        "analysis stopped after {} (file_timeout){during}: this file's findings may be incomplete",
        crate::config::duration::format_duration(budget.as_secs())
    )
}

#[cfg(test)]
mod thread_tests {
    use super::{MAX_THREADS, worker_threads};

    #[test]
    fn zero_is_automatic_and_absurd_counts_are_clamped() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(worker_threads(None), cpus);
        assert_eq!(worker_threads(Some(0)), cpus);
        assert_eq!(worker_threads(Some(1)), 1);
        assert_eq!(worker_threads(Some(100_000)), (4 * cpus).min(MAX_THREADS));
    }
}
