//! Rust source analysis: each file is parsed once with `syn`; every rule walks the shared tree.
use super::{Analyzer, Context, Sink};
use crate::finding::Span;
use crate::rule::Rule;
use crate::source::{FileKind, SourceFile};
use syn::visit_mut::VisitMut;

// Below: how values are found. Above: what is judged, one folder per concern. Modules import
// downwards only (a rule asks the index; the index never asks a rule).
pub(crate) mod index;
use index::RustFile;

pub(crate) mod cookies;
pub(crate) mod secrets;
mod storage;
mod tokens;

use cookies::{cookie_crate, raw_set_cookie, sessions};
use index::{facts, gate, items_only, quiet_bodies, test_code, values};
use secrets::hardcoded;
use storage::wasm;
use tokens::{expiry, jwt_validation, lifetimes};

pub use storage::keys::{FLAG_CODE, Stored, cookie_report, is_auth_cookie_name, storage_report};

/// A rule over one parsed Rust file.
pub type RustRule = fn(&RustFile, &Context, &mut Sink);

/// The words a file must hold for a rule to have anything to look at (see `gate`).
pub type Gate = fn(&gate::Present) -> bool;

/// The Rust rules: the ids each one reports, its gate, and its check.
const RULES: &[(&[Rule], Gate, RustRule)] = &[
    (
        &[
            Rule::CookieMissingHttponly,
            Rule::CookieMissingSecure,
            Rule::CookieMissingSamesite,
        ],
        gate::cookies,
        cookie_crate::check,
    ),
    (
        &[
            Rule::CookieMissingHttponly,
            Rule::CookieMissingSecure,
            Rule::CookieMissingSamesite,
        ],
        gate::cookies,
        raw_set_cookie::check,
    ),
    (
        &[
            Rule::CookieMissingHttponly,
            Rule::CookieMissingSecure,
            Rule::CookieMissingSamesite,
            Rule::ClientSideSessionStore,
        ],
        gate::sessions,
        sessions::check,
    ),
    (
        &[lifetimes::ACCESS, lifetimes::REFRESH, expiry::RULE],
        gate::lifetimes,
        lifetimes::check,
    ),
    (&[expiry::RULE], gate::token_expiry, expiry::check),
    (
        &[jwt_validation::RULE],
        gate::jwt_validation,
        jwt_validation::check,
    ),
    (&[hardcoded::RULE], gate::secrets, hardcoded::check),
    (
        &[wasm::STORAGE, wasm::COOKIE],
        gate::wasm_storage,
        wasm::check,
    ),
];

pub struct RustAnalyzer;

impl Analyzer for RustAnalyzer {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn handles(&self, kind: FileKind) -> bool {
        kind == FileKind::Rust
    }

    fn rules(&self) -> &'static [Rule] {
        static IDS: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
        IDS.get_or_init(|| {
            let mut ids: Vec<Rule> = RULES
                .iter()
                .flat_map(|(ids, _, _)| ids.iter().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
    }

    fn vocabulary(&self) -> &'static [&'static str] {
        gate::vocabulary()
    }

    fn wants(&self, lower: &str, vocabulary: &aho_corasick::AhoCorasick) -> bool {
        if !vocabulary.is_match(lower) {
            gate::forget_scan();
            return false;
        }
        gate::wanted(&gate::scan_for_wants(lower))
    }

    fn wants_for_index(&self, lower: &str) -> bool {
        items_only::may_hold_items(lower)
    }

    fn check(&self, file: &SourceFile, ctx: &Context, sink: &mut Sink) {
        if sink.index_only {
            index_only(file, sink);
            proc_macro2::extra::invalidate_current_thread_spans();
            return;
        }
        let not_code = crate::comments::rust_not_code(&file.text);
        if let Some((at, message)) = unsafe_to_parse(&file.text, &not_code) {
            sink.parse_error(Some(Span::new(at, at + 1)), message);
            return;
        }
        let lowered;
        let lower = match ctx.lower {
            Some(l) => l,
            None => {
                lowered = file.text.to_ascii_lowercase();
                &lowered
            }
        };
        // The scan `wants` made of this text, when the engine asked it first.
        let (present, words) = gate::scanned(lower);
        let strip_tests = !ctx.settings.include_tests;
        // Bodies no rule can read are blanked first; a misread file is parsed whole.
        let parsed = quiet_bodies::blank(&file.text, &words, &not_code, strip_tests)
            .and_then(|quiet| syn::parse_file(&quiet).ok())
            .map_or_else(|| syn::parse_file(&file.text), Ok);
        match parsed {
            Ok(mut ast) => {
                if !ctx.settings.include_tests {
                    test_code::StripTestItems.visit_file_mut(&mut ast);
                }
                let rf = RustFile::new(file, &ast);
                for (_, gate, rule) in RULES {
                    crate::budget::check();
                    if gate(&present) {
                        rule(&rf, ctx, sink);
                    }
                }
                crate::budget::check();
                if gate::facts(&present) {
                    facts::collect(&rf, ctx, sink);
                }
                // The project index: this file's items, re-exports, and its `use` names when
                // it reads a value of another module.
                let reads_foreign = sink.facts.iter().any(|f| {
                    matches!(
                        f.kind,
                        crate::facts::FactKind::LifetimeFromConst { .. }
                            | crate::facts::FactKind::KeyFromConst { .. }
                            | crate::facts::FactKind::StorageCall { .. }
                            | crate::facts::FactKind::CookieHelperCall { .. }
                    )
                });
                values::collect(&rf, sink, reads_foreign);
            }
            Err(e) => {
                let span = RustFile::span_in(file, e.span());
                let message = match lex_error(&file.text, span.start, &e) {
                    Some(what) => format!("cannot parse Rust: {what}"),
                    None => format!("cannot parse Rust: {e}"),
                };
                sink.parse_error(Some(span), message);
            }
        }
        // proc-macro2 keeps every parsed text in a per-thread map; free it once spans are resolved.
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

/// Where and why the text is unsafe to give `syn` (its parser recurses): brackets nested, or an
/// expression chained, deeper than any real program.
fn unsafe_to_parse(text: &str, not_code: &[std::ops::Range<usize>]) -> Option<(usize, String)> {
    if let Some(at) = too_deep(text, not_code) {
        return Some((
            at,
            format!("cannot parse Rust: brackets nest deeper than {MAX_NESTING} levels"),
        ));
    }
    let at = super::chain::too_long(text, not_code, PREFIX_WORDS)?;
    Some((
        at,
        format!(
            "cannot parse Rust: one expression or type chains more than {} operators, \
             calls or prefixes, too deeply nested for authlint to parse safely",
            super::chain::MAX_CHAIN
        ),
    ))
}

/// A file no rule reads gives the project index its items worth indexing (`items_only`): only
/// they are parsed, under the same guards; no rule runs and nothing is reported about the file.
fn index_only(file: &SourceFile, sink: &mut Sink) {
    let ranges = items_only::item_ranges(&file.text);
    // The items alone are guarded: the blanks between them neither nest nor chain.
    if ranges.is_empty()
        || ranges.iter().any(|r| {
            let item = &file.text[r.clone()];
            unsafe_to_parse(item, &crate::comments::rust_not_code(item)).is_some()
        })
    {
        return;
    }
    let Ok(ast) = syn::parse_file(&items_only::masked(&file.text, &ranges)) else {
        return;
    };
    values::collect(&RustFile::new(file, &ast), sink, false);
}

/// What proc-macro2's "cannot parse string into token stream" means at `at`, in words a reader
/// can act on (issue 14, item 11).
fn lex_error(text: &str, at: usize, e: &syn::Error) -> Option<String> {
    if e.to_string() != "cannot parse string into token stream" {
        return None;
    }
    let rest = text.get(at..).unwrap_or("");
    let c = rest.chars().next();
    let hashes = rest
        .strip_prefix("br")
        .or_else(|| rest.strip_prefix('r'))
        .map(|r| r.len() - r.trim_start_matches('#').len());
    Some(match c {
        Some(c) if c.is_control() || c == '\u{feff}' => format!(
            "the character U+{:04X} cannot appear outside a string or comment",
            u32::from(c)
        ),
        Some(c @ ('(' | '[' | '{')) => format!("`{c}` is never closed"),
        _ if hashes.is_some_and(|n| n > 255) => {
            "a raw string with more than 255 `#` (Rust allows at most 255)".to_string()
        }
        _ => "a token cannot be read here (an unterminated string, char, comment or raw \
              string, or a character Rust does not allow)"
            .to_string(),
    })
}

/// Keywords that nest what follows them (`break break x`, `move || move || x`, `&mut &mut T`).
const PREFIX_WORDS: &[&str] = &[
    "break", "return", "yield", "move", "box", "mut", "dyn", "impl", "ref", "async", "const",
];

/// Deeper nesting than any real program has; parsing it would exhaust the stack.
pub const MAX_NESTING: usize = 256;

/// The offset where bracket nesting first exceeds [`MAX_NESTING`]. Brackets in comments,
/// strings (raw, byte) and char literals are text, not nesting.
fn too_deep(text: &str, not_code: &[std::ops::Range<usize>]) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut code = 0;
    let gaps = not_code.iter().map(|r| (r.start, r.end));
    for (end, next) in gaps.chain(std::iter::once((b.len(), b.len()))) {
        for (i, &c) in b[code..end].iter().enumerate() {
            match c {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(code + i);
                    }
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        code = next;
    }
    None
}

/// Every inline case of this part's rules (`crate::rule::cases`).
#[cfg(test)]
pub(crate) fn cases() -> Vec<&'static crate::rule::cases::Cases> {
    [
        cookie_crate::cases::CASES,
        sessions::cases::CASES,
        lifetimes::cases::CASES,
        expiry::cases::CASES,
        jwt_validation::cases::CASES,
        hardcoded::cases::CASES,
        wasm::cases::CASES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The layout the folders promise (CONTRIBUTING.md): the index imports no rule, and a concern's
/// rules import the index and their own folder, never another concern's.
#[cfg(test)]
mod layout {
    const CONCERNS: &[&str] = &["cookies", "tokens", "storage", "secrets"];

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn modules_import_downwards_only() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyzers/rust");
        let mut wrong = Vec::new();
        for folder in CONCERNS.iter().chain(&["index"]) {
            let mut paths = Vec::new();
            files(&root.join(folder), &mut paths);
            assert!(!paths.is_empty(), "no files under {folder}/");
            for p in paths {
                let text = std::fs::read_to_string(&p).unwrap();
                for other in CONCERNS.iter().filter(|c| *c != folder) {
                    if text.contains(&format!("rust::{other}::")) {
                        wrong.push(format!("{} imports {other}/", p.display()));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
