//! The project index's share of a Rust file no rule reads (issue 12). A `config.rs` holding
//! `pub const TTL_SECS: i64 = 7 * 24 * 60 * 60;` says no auth word, so the gate never parses it,
//! yet `auth.rs` sets a token's `exp` from `TTL_SECS`. Such a file gives the index its top-level
//! consts, statics (`Lazy::new`, `LazyLock::new` included) and `lazy_static!` blocks whose names
//! say duration or key (a word of the name begins with one of `values::ITEM_WORDS`: `TTL_SECS`,
//! `KEY_MATERIAL`, not `PAGE_SIZE` or `MESSAGE`), and nothing else: every other byte is blanked
//! to a space (newlines kept, so each offset is the original's) and only that text is parsed,
//! mostly whitespace, a small part of a full parse.
use super::values::ITEM_WORDS;
use std::ops::Range;

/// Whether the text (any case) may hold an item worth indexing: a `const NAME` or `static NAME`
/// whose name is, found without counting a bracket.
pub fn may_hold_items(text: &str) -> bool {
    keywords(text).next().is_some()
}

/// The offsets of `const` and `static` keywords (whole words: not a lifetime's `'static`, not
/// `lazy_static`) that name an item worth indexing (`static mut NAME`, `static ref NAME` too).
fn keywords(text: &str) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    ["const", "static"].into_iter().flat_map(move |kw| {
        memchr::memmem::find_iter(b, kw.as_bytes())
            .filter(move |&at| item_name(b, at, kw.len()).is_some_and(worthy))
    })
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a word of the name begins with an item word (`TTL_SECS`, `S_TTL`, `APP_KEY`): the
/// words of a name, not any part of it (`PAGE_SIZE` holds `age`), so that a file no rule reads
/// is parsed for few names.
fn worthy(name: &[u8]) -> bool {
    name.split(|&c| c == b'_').any(|part| {
        ITEM_WORDS
            .iter()
            .any(|w| part.len() >= w.len() && part[..w.len()].eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// The name after the keyword at `at` (`len` bytes long), when it is one.
fn item_name(b: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    let before = at.checked_sub(1).map(|i| b[i]);
    if before.is_some_and(|c| ident_byte(c) || c == b'\'') {
        return None;
    }
    // Not an item: `*const T`, `<const N: usize>`, `, const M: u8`.
    let prev = b[..at].iter().rev().find(|c| !c.is_ascii_whitespace());
    if prev.is_some_and(|c| b"*<,".contains(c)) {
        return None;
    }
    let word_at = |i: usize| {
        let start = i + b
            .get(i..)?
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        let end = start + b[start..].iter().take_while(|c| ident_byte(**c)).count();
        (start > i && end > start).then_some((start, end))
    };
    let (mut start, mut end) = word_at(at + len)?;
    if matches!(&b[start..end], b"mut" | b"ref") {
        (start, end) = word_at(end)?;
    }
    Some(&b[start..end])
}

/// The byte ranges of the file's top-level items worth indexing: a `const` or `static` up to its
/// `;`, a `lazy_static!` invocation up to its closing bracket (and `;`) when it declares one.
/// Keywords in comments and literals, and items nested in a body or a module, are left out.
pub fn item_ranges(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut worthy: Vec<usize> = keywords(text).collect();
    if worthy.is_empty() {
        return Vec::new();
    }
    worthy.sort_unstable();
    let mut starts: Vec<(usize, bool)> = worthy.iter().map(|&at| (at, false)).collect();
    starts.extend(memchr::memmem::find_iter(b, b"lazy_static!").map(|at| (at, true)));
    starts.sort_unstable();
    let not_code = crate::comments::rust_not_code(text);
    let mut out = Vec::new();
    let mut next = starts.iter().peekable();
    // The item being read: where it starts, whether it is a macro, whether its bracket opened.
    let mut open: Option<(usize, bool, bool)> = None;
    let mut depth = 0usize;
    let mut code = 0;
    let gaps = not_code.iter().map(|r| (r.start, r.end));
    'scan: for (end, resume) in gaps.chain(std::iter::once((b.len(), b.len()))) {
        for i in code..end {
            while next.peek().is_some_and(|(at, _)| *at < i) {
                next.next();
            }
            if open.is_none() && depth == 0 && next.peek().is_some_and(|(at, _)| *at == i) {
                let &(at, is_macro) = next.next().expect("peeked");
                open = Some((at, is_macro, false));
            }
            if open.is_none() && next.peek().is_none() {
                break 'scan;
            }
            match b[i] {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if let Some((_, true, opened)) = &mut open {
                        *opened = true;
                    }
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0
                        && let Some((at, true, true)) = open
                    {
                        let stop = macro_end(b, i + 1);
                        // `worthy` is sorted: the first keyword at or past `at`.
                        let k = worthy.partition_point(|&w| w < at);
                        if worthy.get(k).is_some_and(|&w| w < stop) {
                            out.push(at..stop);
                        }
                        open = None;
                    }
                }
                b';' if depth == 0 => {
                    if let Some((at, false, _)) = open {
                        out.push(at..i + 1);
                    }
                    open = None;
                }
                _ => {}
            }
        }
        code = resume;
    }
    out
}

/// Past a macro's closing bracket: its `;` too, when one follows (`lazy_static!( .. );`).
fn macro_end(b: &[u8], after: usize) -> usize {
    let blank = b[after..]
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    if b.get(after + blank) == Some(&b';') {
        after + blank + 1
    } else {
        after
    }
}

/// The text with every character outside `ranges` blanked to one space, newlines (and a leading
/// byte-order mark, which `syn` drops) kept: each line and column is the original's, so spans
/// resolve against the original file.
pub fn masked(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let blank = |gap: &str, out: &mut String| {
        for c in gap.chars() {
            out.push(if c == '\n' || (c == '\u{feff}' && out.is_empty()) {
                c
            } else {
                ' '
            });
        }
    };
    let mut at = 0;
    for r in ranges {
        blank(&text[at..r.start], &mut out);
        out.push_str(&text[r.clone()]);
        at = r.end;
    }
    blank(&text[at..], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str) -> Vec<&str> {
        item_ranges(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn keeps_worthy_top_level_items_only() {
        let text = "use std::time::Duration;\n\
                    pub const TTL_SECS: i64 = 7 * 24 * 60 * 60;\n\
                    const NAME: &str = \"app\";\n\
                    pub static S_TTL: Lazy<Duration> = Lazy::new(|| Duration::hours(12));\n\
                    static mut LOGIN_TTL: [u8; 2] = [1; 2];\n\
                    pub const fn page_age() -> u64 { const INNER_TTL: u64 = 1; INNER_TTL }\n\
                    // const COMMENT_TTL: u64 = 1;\n\
                    fn f() -> &'static str { \"static KEY_TTL: u64 = 1;\" }\n\
                    mod inner { pub const NESTED_TTL: u64 = 1; }\n";
        assert_eq!(
            kept(text),
            [
                "const TTL_SECS: i64 = 7 * 24 * 60 * 60;",
                "static S_TTL: Lazy<Duration> = Lazy::new(|| Duration::hours(12));",
                "static mut LOGIN_TTL: [u8; 2] = [1; 2];",
            ]
        );
    }

    #[test]
    fn lazy_static_blocks_are_kept_whole_when_they_declare_a_worthy_name() {
        let text = "lazy_static::lazy_static! {\n    pub static ref EXP: i64 = 30 * 60;\n}\n\
                    lazy_static!(static ref NAMES: Vec<u8> = vec![];);\n\
                    lazy_static! { static ref SIGNING_KEY: String = \"k\".into(); }";
        assert_eq!(
            kept(text),
            [
                "lazy_static! {\n    pub static ref EXP: i64 = 30 * 60;\n}",
                "lazy_static! { static ref SIGNING_KEY: String = \"k\".into(); }",
            ]
        );
        assert!(!may_hold_items(
            "lazy_static!(static ref NAMES: Vec<u8> = vec![];);"
        ));
    }

    #[test]
    fn masking_keeps_every_offset() {
        let text = "/* é */ fn f() {}\r\nconst TTL: u64 = 5; // ünï\nfn g() {}\n";
        let ranges = item_ranges(text);
        let m = masked(text, &ranges);
        assert_eq!(m.chars().count(), text.chars().count());
        assert_eq!(m.lines().count(), text.lines().count());
        let line = |t: &str| t.lines().nth(1).unwrap().chars().position(|c| c == 'c');
        assert_eq!(line(&m), line(text));
        assert_eq!(m.trim(), "const TTL: u64 = 5;");
        let ast = syn::parse_file(&m).unwrap();
        let start = syn::spanned::Spanned::span(&ast.items[0]).start();
        assert_eq!((start.line, start.column), (2, 0));
        // A byte-order mark stays, as `syn` drops it from the original too.
        assert!(masked("\u{feff}fn f() {}", &[]).starts_with('\u{feff}'));
    }

    #[test]
    fn no_worthy_name_no_scan() {
        assert!(!may_hold_items(
            "fn f(x: &'static str) -> &'static str { x }"
        ));
        assert!(!may_hold_items("const fn new() -> Self { Self }"));
        assert!(item_ranges("const NAME: &str = \"x\";").is_empty());
        assert!(!may_hold_items(
            "const PAGE_SIZE: usize = 1; static MESSAGE: &str = \"\";"
        ));
        assert!(may_hold_items("const MAX_AGE: u64 = 1;"));
        // Not items: a const generic, a raw pointer type.
        assert!(!may_hold_items(
            "struct A<const KEY_LEN: usize>; type P = *const SessionKey;"
        ));
    }
}
