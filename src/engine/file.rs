//! One file's check, step by step: read it (bounded, decoded), skip build output, prefilter by
//! vocabulary, judge its role, run the analyzers that want it (a panic costs this file alone),
//! then stamp what they reported.
use super::panics::{Failure, timeout_message, with_panic_capture};
use super::{Engine, FileResult, Pass};
use crate::analyzers::{self, Analyzer, Context, Sink};
use crate::design;
use crate::discover::Candidate;
use crate::facts::PlacedFact;
use crate::finding::{Diagnostic, DiagnosticKind, SkipReason};
use crate::rule::Rule;
use crate::source::{FileKind, SourceFile};
use crate::suppress;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Files larger than this are analysed one at a time (issue 14, item 7).
const LARGE_FILE: usize = 256 << 10;
static LARGE_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());
static AFTER_LARGE_FILE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what runs after each large file, on its thread and still alone, once the file's syntax
/// trees are dropped. The binary gives the allocator's collect (src/main.rs): mimalloc keeps a
/// thread's freed pages for reuse, so without it eight large files at `-j 8` held the pages of
/// eight trees although only one was ever alive. The library has no `unsafe`, hence the hook.
pub fn after_large_file(release: fn()) {
    let _ = AFTER_LARGE_FILE.set(release);
}

impl FileResult {
    fn skipped(reason: SkipReason) -> Self {
        FileResult {
            skipped: Some(reason),
            ..FileResult::default()
        }
    }

    fn failed(c: &Candidate, kind: DiagnosticKind, message: String) -> Self {
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
}

impl Engine<'_> {
    /// Checks one file; a panic anywhere in it (not only inside an analyzer) costs that file alone.
    pub(super) fn check_file(&self, c: &Candidate) -> FileResult {
        let budget = self.opts.settings.file_timeout;
        let outcome = crate::budget::within(budget, || {
            with_panic_capture(|| catch_unwind(AssertUnwindSafe(|| self.check_file_inner(c))))
        });
        match outcome {
            Ok(r) => r,
            Err(Failure::Timeout) => {
                FileResult::failed(c, DiagnosticKind::Timeout, timeout_message(budget, None))
            }
            Err(Failure::Panic(msg)) => FileResult::failed(
                c,
                DiagnosticKind::InternalError,
                format!("authlint failed on this file ({msg}); please report it"),
            ),
        }
    }

    fn check_file_inner(&self, c: &Candidate) -> FileResult {
        // Each worker reads into the same two buffers, file after file: most files are only
        // searched for the vocabulary, and fresh allocations of their size would cost more
        // (page faults and zeroing) than the search itself.
        thread_local! {
            static BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const {
                std::cell::RefCell::new((Vec::new(), Vec::new()))
            };
        }
        BUFFERS.with_borrow_mut(|(bytes, lower)| self.check_bytes(c, bytes, lower))
    }

    fn check_bytes(&self, c: &Candidate, bytes: &mut Vec<u8>, lower: &mut Vec<u8>) -> FileResult {
        let stdin = self
            .opts
            .stdin
            .as_deref()
            .filter(|(path, _)| *path == c.abs);
        let text = match read_text(c, self.opts.settings.max_file_size, stdin, bytes) {
            Ok(text) => text,
            Err(ended) => return ended,
        };
        if is_build_output(c.kind, text) {
            return FileResult::skipped(SkipReason::Minified);
        }
        let lower = lowercase(text, lower);
        let wanted = self.wanted(c.kind, lower);
        if wanted.is_empty()
            && memchr::memmem::find(lower.as_bytes(), suppress::MARKER.as_bytes()).is_none()
        {
            // Nothing can be reported here, not even an unused suppression.
            return FileResult::default();
        }
        // A header can say more than the path: generated code, a config for the docs only. It
        // only ever makes a file's role milder, never turns test data into production.
        let role = self
            .opts
            .settings
            .header_role(c.role, text)
            .map_or(c.role, |d| d.role);
        if self.opts.settings.policy(role) == crate::roles::Policy::Skip {
            // A file read only for the project index was never going to be reported on.
            if wanted.iter().all(|(_, index_only)| *index_only) {
                return FileResult::default();
            }
            return FileResult::skipped(SkipReason::Role(role));
        }
        let mut file = SourceFile::new(c.abs.clone(), c.path.clone(), c.kind, text.to_string());
        file.role = role;
        let mut r = FileResult::default();
        let sink = self.analyze(&file, lower, &wanted, &mut r);
        self.settle(file, sink, r)
    }

    /// The analyzers that handle this kind of file and find their vocabulary in it, or want it
    /// for the project index alone (`true`).
    fn wanted(&self, kind: FileKind, lower: &str) -> Vec<(&'static dyn Analyzer, bool)> {
        self.prefilters
            .iter()
            .filter(|(analyzer, _)| analyzer.handles(kind))
            .filter_map(|(analyzer, vocab)| {
                if analyzer.wants(lower, vocab) {
                    Some((*analyzer, false))
                } else {
                    analyzer.wants_for_index(lower).then_some((*analyzer, true))
                }
            })
            .collect()
    }

    /// Runs each wanted analyzer on the file. One that panics becomes an `internal-error`
    /// diagnostic (the file then counts as failed); the others' reports are kept.
    fn analyze(
        &self,
        file: &SourceFile,
        lower: &str,
        wanted: &[(&'static dyn Analyzer, bool)],
        r: &mut FileResult,
    ) -> Sink {
        let ctx = Context {
            settings: &self.opts.settings,
            project: &self.project,
            lower: Some(lower),
        };
        let cap = self.opts.settings.max_per_file_rule;
        let mut sink = Sink::with_cap(cap);
        // A syntax tree costs about 180 times its file (a 1.9 MB Rust file, 350 MB): large files
        // are analysed one at a time, so eight of them at `-j 8` do not need 2 GB at once.
        let _alone = (file.text.len() > LARGE_FILE)
            .then(|| LARGE_FILES.lock().unwrap_or_else(|e| e.into_inner()));
        for &(analyzer, index_only) in wanted {
            let mut local = Sink::with_cap(cap);
            local.index_only = index_only;
            let outcome = with_panic_capture(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    #[cfg(test)]
                    super::test_hook::panic_if_asked(&file.text);
                    analyzer.check(file, &ctx, &mut local)
                }))
            });
            match outcome {
                Ok(()) => {
                    r.parsed |= !local.index_only;
                    sink.absorb(local);
                }
                Err(Failure::Timeout) => {
                    let budget = self.opts.settings.file_timeout;
                    r.diagnostics.push(Diagnostic {
                        kind: DiagnosticKind::Timeout,
                        path: file.path.clone(),
                        start: None,
                        message: timeout_message(budget, Some(analyzer.name())),
                    });
                    break;
                }
                Err(Failure::Panic(msg)) => r.diagnostics.push(Diagnostic {
                    kind: DiagnosticKind::InternalError,
                    path: file.path.clone(),
                    start: None,
                    message: format!(
                        "the {} analyzer failed on this file ({msg}); please report it",
                        analyzer.name()
                    ),
                }),
            }
        }
        if _alone.is_some()
            && let Some(release) = AFTER_LARGE_FILE.get()
        {
            release();
        }
        sink
    }

    /// Turns what the analyzers found into diagnostics, findings (suppressions applied) and
    /// placed facts; keeps the file's text when a snippet or the project pass may need it.
    fn settle(&self, file: SourceFile, sink: Sink, mut r: FileResult) -> FileResult {
        let left_out = sink.left_out().clone();
        for e in sink.errors {
            r.diagnostics.push(Diagnostic {
                kind: e.kind,
                path: file.path.clone(),
                start: e.span.map(|s| file.position(s.start)),
                message: e.message,
            });
        }
        let mut supps = suppress::parse(&file);
        self.finish(&file, sink.reports, &mut supps, &mut r, Pass::File);
        self.left_out(&file.path, left_out, &mut r);
        supps.retain(|s| {
            s.rules
                .iter()
                .filter_map(|(id, _)| Rule::from_id(id))
                .any(|rule| design::RULES.contains(&rule))
        });
        r.pending = supps;
        r.facts = sink
            .facts
            .into_iter()
            .map(|f| PlacedFact::new(f, &file))
            .collect();
        if !r.findings.is_empty() || !r.facts.is_empty() || !r.pending.is_empty() {
            r.source = Some(Arc::new(file));
        }
        r
    }
}

impl Engine<'_> {
    /// One `too-many-findings` diagnostic per rule that passed its cap in this file, counted in
    /// `r.left_out`. A rule none of whose kept reports became a finding (turned off, ignored for
    /// this file, suppressed) would not have reported the rest either: no diagnostic.
    fn left_out(&self, path: &str, left_out: BTreeMap<Rule, usize>, r: &mut FileResult) {
        let cap = self.opts.settings.max_per_file_rule;
        for (rule, n) in left_out {
            if !r.findings.iter().any(|f| f.rule == rule) {
                continue;
            }
            r.left_out = r
                .left_out
                .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            r.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::TooManyFindings,
                path: path.to_string(),
                start: None,
                message: format!(
                    "{} more `{}` findings in this file were not reported (at most {} per rule and file)",
                    grouped(n),
                    rule.id(),
                    grouped(cap)
                ),
            });
        }
    }
}

/// `33000` as `33,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Reads a candidate into `bytes` as text. Discovery accepted the path (a symlink inside the root
/// is followed); the file can have changed since: it is read only if it is still a regular file
/// within the limit. UTF-16 with a byte-order mark (Windows editors save TypeScript and JSON that
/// way) is decoded; positions in such a file are those of the decoded text. `Err` is the file's
/// end: skipped, or failed with a diagnostic. `stdin` is the text `--stdin-filename` gave for
/// this file, read instead of the file on disk.
fn read_text<'b>(
    c: &Candidate,
    max: u64,
    stdin: Option<&(std::path::PathBuf, Vec<u8>)>,
    bytes: &'b mut Vec<u8>,
) -> Result<&'b str, FileResult> {
    use crate::reader::{Origin, ReadError};
    let read = match stdin {
        Some((_, text)) => {
            bytes.clear();
            bytes.extend_from_slice(text);
            Ok(())
        }
        None => crate::reader::read_into(&c.abs, max, Origin::User, bytes),
    };
    match read {
        Ok(()) => {}
        Err(ReadError::TooLarge { .. }) => return Err(FileResult::skipped(SkipReason::TooLarge)),
        Err(ReadError::NotRegular) => {
            return Err(FileResult::skipped(SkipReason::NotRegularFile));
        }
        Err(e) => {
            return Err(FileResult::failed(
                c,
                DiagnosticKind::ReadError,
                format!("cannot read file: {e}"),
            ));
        }
    }
    match crate::source::decode_utf16_bom(bytes) {
        None => {}
        Some(Ok(decoded)) => *bytes = decoded.into_bytes(),
        Some(Err(at)) => {
            let message = format!("not valid UTF-16 (first invalid unit at offset {at})");
            return Err(FileResult::failed(c, DiagnosticKind::ParseError, message));
        }
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let message = format!("not valid UTF-8 (first invalid byte at offset {at})");
        FileResult::failed(c, DiagnosticKind::ParseError, message)
    })
}

/// The text lowercased (ASCII only) into `buffer`.
fn lowercase<'b>(text: &str, buffer: &'b mut Vec<u8>) -> &'b str {
    buffer.clear();
    buffer.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
    std::str::from_utf8(buffer).expect("ASCII lowercasing keeps UTF-8 valid")
}

/// A minified script, or a page whose inline script is a bundle: build output, skipped.
fn is_build_output(kind: FileKind, text: &str) -> bool {
    match kind {
        FileKind::Script => looks_minified(text),
        FileKind::Markup => analyzers::script::inline_scripts(text).any(looks_minified),
        _ => false,
    }
}

/// A script file that is really a bundle or build output: very long lines, a long file of long
/// lines, a webpack runtime, a generated-file marker, or a source map reference (the code it was
/// built from is what gets checked).
fn looks_minified(text: &str) -> bool {
    // One `memchr` pass for the number of lines and the longest one (a final line without a
    // newline counts, as `str::lines` counts it).
    let (mut lines, mut longest, mut start) = (0, 0, 0);
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
        if end > start || end < text.len() {
            let cr = end < text.len() && end > start && text.as_bytes()[end - 1] == b'\r';
            lines += 1;
            longest = longest.max(end - start - usize::from(cr));
        }
        start = end + 1;
    }
    let lines = lines.max(1);
    let head = &text[..floor_boundary(text, 2048)];
    let tail = &text[floor_boundary(text, text.len().saturating_sub(512))..];
    longest > 10_000
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
        // Lines are measured without their line ending, as `str::lines` measures them.
        let line = "a".repeat(10_000);
        assert!(!looks_minified(&format!("{line}\r\nfn f() {{}}\n")));
        assert!(looks_minified(&format!("x\n{line}a\r\n")));
        // Many short lines (a file past 20 kB averages under 300 bytes a line) are source.
        assert!(!looks_minified(&"let a = 1;\n".repeat(3000)));
        assert!(looks_minified(&format!("{}\n", "b".repeat(400)).repeat(60)));
    }
}

#[cfg(test)]
mod release_tests {
    use super::LARGE_FILE;

    static RELEASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    fn count_release() {
        RELEASES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The binary's allocator collect runs after a large file (src/main.rs). Only this test sets
    /// the hook in this test binary, so nothing else counts.
    #[test]
    fn the_release_hook_runs_after_a_large_file_and_its_findings_are_kept() {
        super::after_large_file(count_release);
        let dir = tempfile::tempdir().unwrap();
        let line = "fn f(jar: CookieJar, v: String) { jar.add(Cookie::build((\"session\", v)).secure(true)); }\n";
        let big = line.repeat(LARGE_FILE / line.len() + 1);
        std::fs::write(dir.path().join("big.rs"), &big).unwrap();
        let opts = crate::engine::Options {
            paths: vec![dir.path().to_path_buf()],
            settings: crate::config::Settings {
                exclude_root: dir.path().to_path_buf(),
                ..crate::config::Settings::default()
            },
            select: None,
            ignore: Vec::new(),
            threads: 2,
            cwd: dir.path().to_path_buf(),
            stdin: None,
        };
        let out = crate::engine::run(&opts).unwrap();
        assert!(RELEASES.load(std::sync::atomic::Ordering::SeqCst) >= 1);
        assert!(
            !out.findings.is_empty(),
            "the large file's findings are reported"
        );
    }
}
