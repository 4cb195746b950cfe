//! The run: discover, read each file once, prefilter, analyse in parallel (one panic costs one
//! file, not the run), stamp findings, apply suppressions and baseline, sort.
use crate::analyzers::{self, Analyzer, ProjectInfo};
use crate::baseline;
use crate::config::Settings;
use crate::design::{self, Design};
use crate::discover::{self, Candidate};
use crate::facts::PlacedFact;
use crate::finding::{Diagnostic, DiagnosticKind, Finding, Report, Severity, SkipReason};
use crate::project::ProjectContext;
use crate::rule::Rule;
use crate::source::SourceFile;
use crate::suppress;
use aho_corasick::AhoCorasick;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod file;
pub use file::after_large_file;
mod panics;
mod rules;
mod stamp;
pub use rules::{implemented_by, is_implemented};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub settings: Settings,
    /// Only these rules (`--select`); `None` means all.
    pub select: Option<Vec<Rule>>,
    /// Never these rules (`--ignore`).
    pub ignore: Vec<Rule>,
    pub threads: usize,
    /// Base for display paths (the working directory).
    pub cwd: PathBuf,
    /// `--stdin-filename`: the text read from standard input, checked as the file at this
    /// absolute path instead of what is on disk.
    pub stdin: Option<Arc<(PathBuf, Vec<u8>)>>,
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
    /// Folders the walk did not enter, by reason (their files are not in `files`).
    pub skipped_dirs_by_reason: BTreeMap<String, usize>,
    pub suppressed: usize,
    /// Findings counted but not kept: past the per-file cap of their rule (`too-many-findings`).
    pub not_reported: usize,
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
    /// Folders the walk did not enter, with the reason.
    pub skipped_dirs: Vec<(String, SkipReason)>,
    pub summary: Summary,
    /// The text of each file that has findings (for snippets).
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    /// Rules that were enabled in this run, sorted.
    pub rules: Vec<Rule>,
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
    enabled: Vec<Rule>,
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
    /// Findings past their rule's per-file cap: counted, not kept. A `u32` (saturating) keeps
    /// this struct, which `read_text` returns as its error, under 128 bytes.
    left_out: u32,
    facts: Vec<PlacedFact>,
    source: Option<Arc<SourceFile>>,
    /// Suppressions of project-level rules: only the project pass can say whether they matched.
    pending: Vec<suppress::Suppression>,
}

/// Which suppressions a pass judges unused: the per-file pass those of the rules it runs, the
/// project pass those of the project-level rules, whose findings only it sees.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    File,
    Project,
}

/// Runs a check. Errors are problems with the run itself (a path that does not exist, a bad
/// exclude glob), not with a file.
pub fn run(opts: &Options) -> Result<Outcome, String> {
    run_with(opts, true)
}

/// [`run`], with the design verdict made only when `verdict` is true (the project pass's
/// findings are made either way).
pub fn run_with(opts: &Options, verdict: bool) -> Result<Outcome, String> {
    let started = Instant::now();
    let discovery = discover::discover(&opts.paths, &opts.settings, &opts.cwd, opts.threads)?;
    check_discovered(opts, discovery, started, verdict)
}

/// Checks what discovery found. Files can change between the two (a build deleting its
/// output, a checkout in progress); each such file ends as a diagnostic, never as a lost file.
fn check_discovered(
    opts: &Options,
    mut discovery: discover::Discovery,
    started: Instant,
    verdict: bool,
) -> Result<Outcome, String> {
    panics::install_panic_hook();
    let engine = Engine::new(opts, &discovery.lockfiles);
    let results = engine.check_all(&discovery.candidates);
    let mut out = Outcome::for_run(opts, engine.enabled.clone());
    let markers = std::mem::take(&mut discovery.markers);
    let pending = out.account(discovery, results);
    engine.project_pass(&mut out, &markers, pending, verdict);
    out.settle(opts)?;
    out.summary.duration = started.elapsed();
    Ok(out)
}

/// Per file, the project-level reports and the suppressions still to match against them.
type Pending = BTreeMap<String, (Vec<Report>, Vec<suppress::Suppression>)>;

impl<'a> Engine<'a> {
    fn new(opts: &'a Options, lockfiles: &[PathBuf]) -> Self {
        Engine {
            opts,
            enabled: opts.enabled_rules(),
            project: ProjectInfo::load(lockfiles),
            prefilters: prefilters(),
        }
    }
}

/// Each analyzer with its vocabulary automaton. Every analyzer runs, even when none of its rules
/// is selected: its facts feed the verdict.
fn prefilters() -> Vec<(&'static dyn Analyzer, AhoCorasick)> {
    analyzers::all()
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
        .collect()
}

impl Engine<'_> {
    /// Checks every candidate on the worker threads; the results are in candidate order.
    fn check_all(&self, candidates: &[Candidate]) -> Vec<FileResult> {
        let results: Vec<Mutex<Option<FileResult>>> =
            candidates.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let threads = self.opts.threads.max(1).min(candidates.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                std::thread::Builder::new()
                    // Reserved, not used: only the pages a deep parse touches cost memory.
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, || {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(c) = candidates.get(i) else {
                                break;
                            };
                            *results[i].lock().unwrap() = Some(self.check_file(c));
                        }
                    })
                    .expect("spawn worker thread");
            }
        });
        results
            .into_iter()
            .map(|r| {
                r.into_inner()
                    .unwrap()
                    .expect("every candidate was checked")
            })
            .collect()
    }

    /// The project pass: cross-file findings, their suppressions (and those that matched
    /// nothing), and the verdict.
    fn project_pass(
        &self,
        out: &mut Outcome,
        markers: &[(String, PathBuf)],
        pending: Pending,
        verdict: bool,
    ) {
        out.facts.sort();
        out.context = ProjectContext::build(&self.project, markers, &self.opts.cwd);
        let settings = &self.opts.settings;
        let project = design::run(&out.facts, &out.findings, settings, &out.context, verdict);
        let mut by_file = pending;
        for (path, _, report) in project.reports {
            by_file.entry(path).or_default().0.push(report);
        }
        for (path, (reports, mut supps)) in by_file {
            let Some(src) = out.sources.get(&path).cloned() else {
                continue;
            };
            let mut r = FileResult::default();
            self.finish(&src, reports, &mut supps, &mut r, Pass::Project);
            out.summary.suppressed += r.suppressed;
            // A project finding that follows a value across files says more than the file's
            // own finding of the same rule on the same line (it names the use): it replaces it.
            out.findings.retain(|f| {
                !r.findings
                    .iter()
                    .any(|p| p.rule == f.rule && p.path == f.path && p.start.line == f.start.line)
            });
            out.findings.extend(r.findings);
            out.diagnostics.extend(r.diagnostics);
        }
        design::session_data::drop_loginless(&mut out.findings, &out.facts, &self.opts.cwd);
        out.design = project.design;
    }
}

impl Outcome {
    /// An empty outcome for a run with these options and rules.
    fn for_run(opts: &Options, rules: Vec<Rule>) -> Self {
        let root = &opts.settings.exclude_root;
        Outcome {
            rules,
            cwd: opts.cwd.clone(),
            uri_root: if opts.cwd.starts_with(root) {
                root
            } else {
                &opts.cwd
            }
            .clone(),
            ..Outcome::default()
        }
    }

    /// Accounts for every file discovery found: each ends scanned, skipped or failed, and its
    /// findings, diagnostics and facts join the outcome. Returns the suppressions of
    /// project-level rules, by file, for the project pass.
    fn account(&mut self, discovery: discover::Discovery, results: Vec<FileResult>) -> Pending {
        let files = &mut self.summary.files;
        let mut pending = Pending::new();
        self.skipped = discovery.skipped;
        for (path, message) in discovery.failed {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::ReadError,
                path,
                start: None,
                message,
            });
            files.failed += 1;
        }
        // One allocation of the exact size, not a doubling vector that copies 270,000 findings
        // into twice their size at its last growth.
        self.findings
            .reserve_exact(results.iter().map(|r| r.findings.len()).sum());
        self.facts
            .reserve_exact(results.iter().map(|r| r.facts.len()).sum());
        for (c, r) in discovery.candidates.iter().zip(results) {
            if let Some(reason) = r.skipped {
                self.skipped.push((c.path.clone(), reason));
            } else if r.diagnostics.iter().any(Diagnostic::fails_file) {
                files.failed += 1;
            } else {
                files.scanned += 1;
                // A file whose parse failed is counted as failed, not as parsed.
                files.parsed += usize::from(r.parsed);
            }
            self.summary.suppressed += r.suppressed;
            self.summary.not_reported += r.left_out as usize;
            if !r.pending.is_empty() {
                pending.insert(c.path.clone(), (Vec::new(), r.pending));
            }
            self.facts.extend(r.facts);
            self.findings.extend(r.findings);
            self.diagnostics.extend(r.diagnostics);
            if let Some(src) = r.source {
                self.sources.insert(c.path.clone(), src);
            }
        }
        self.skipped.sort();
        files.skipped = self.skipped.len();
        files.discovered = discovery.discovered;
        self.summary.skipped_by_reason = count_by_reason(&self.skipped);
        self.skipped_dirs = discovery.skipped_dirs;
        self.summary.skipped_dirs_by_reason = count_by_reason(&self.skipped_dirs);
        pending
    }

    /// The last step: sorted output, the baseline applied, findings counted by severity, and
    /// only the sources that snippets need.
    fn settle(&mut self, opts: &Options) -> Result<(), String> {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diagnostics.sort();
        if let Some(path) = &opts.settings.baseline {
            let b = baseline::read(path, &opts.cwd)?;
            let (hidden, fixed) = baseline::apply(&b, &mut self.findings);
            self.summary.baseline_hidden = hidden;
            self.summary.baseline_fixed = fixed;
        }
        for f in &self.findings {
            *self.summary.findings.entry(f.severity).or_default() += 1;
        }
        let with_findings: std::collections::BTreeSet<&str> =
            self.findings.iter().map(|f| f.path.as_str()).collect();
        self.sources
            .retain(|path, _| with_findings.contains(path.as_str()));
        Ok(())
    }
}

/// How many of `skipped` each reason accounts for.
fn count_by_reason(skipped: &[(String, SkipReason)]) -> BTreeMap<String, usize> {
    let mut by_reason = BTreeMap::new();
    for (_, reason) in skipped {
        *by_reason.entry(reason.as_str().to_string()).or_default() += 1;
    }
    by_reason
}

/// Unit tests only: a file holding [`test_hook::PANIC_MARKER`] makes every analyzer panic on it,
/// so the tests can see what a crash inside an analyzer costs (compiled out of every other build).
#[cfg(test)]
pub(crate) mod test_hook {
    pub const PANIC_MARKER: &str = "authlint-test-hook-panic-here";

    pub fn panic_if_asked(text: &str) {
        if text.contains(PANIC_MARKER) {
            panic!("forced by a test");
        }
    }
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
            stdin: None,
        };
        let discovery =
            discover::discover(&opts.paths, &opts.settings, &opts.cwd, opts.threads).unwrap();
        assert_eq!(discovery.candidates.len(), 2);
        std::fs::remove_file(p.join("gone.rs")).unwrap();
        let out = check_discovered(&opts, discovery, Instant::now(), true).unwrap();
        let files = &out.summary.files;
        assert_eq!((files.discovered, files.scanned, files.failed), (2, 1, 1));
        let d = &out.diagnostics[0];
        assert_eq!(
            (d.kind, d.path.as_str()),
            (DiagnosticKind::ReadError, "gone.rs")
        );
        assert!(d.message.starts_with("cannot read file: "), "{}", d.message);
    }
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
