//! The project index's share of a Rust file no rule reads (issue 12). A `config.rs` holding
//! `pub const TTL_SECS: i64 = 7 * 24 * 60 * 60;` says no auth word, so the gate never parses it,
//! yet `auth.rs` sets a token's `exp` from `TTL_SECS`. Such a file gives the index its consts,
//! statics (`Lazy::new`, `LazyLock::new` included) and `lazy_static!` blocks worth indexing, at
//! the top level or in inline `mod name { .. }` blocks (at most [`MAX_MOD_DEPTH`] deep), by the
//! full index's own tests (`values::worth_indexing` on the name: `TTL_SECS`, `ACCESSTOKENTTL`;
//! `values::timestamp_like` on an integer literal: `FAR_FUTURE = 2_000_000_000`), and nothing
//! else: every other byte is blanked to a space (newlines kept, so each offset is the
//! original's) and only that text is parsed, mostly whitespace, a small part of a full parse.
use super::values::{MAX_MOD_DEPTH, timestamp_like, worth_indexing};
use crate::comments::is_ident;
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
        memchr::memmem::find_iter(b, kw.as_bytes()).filter(move |&at| {
            item_name(b, at, kw.len()).is_some_and(|(start, end)| {
                std::str::from_utf8(&b[start..end]).is_ok_and(worth_indexing)
                    || timestamp_value(b, end)
            })
        })
    })
}

/// Whether the item whose name ends at `end` is given an integer literal that looks like a Unix
/// time (`: i64 = 2_000_000_000;`), read from the text alone.
fn timestamp_value(b: &[u8], end: usize) -> bool {
    // The `=` of the item, before any `;`, within a short type.
    let rest = &b[end..b.len().min(end + 128)];
    let Some(eq) = rest.iter().position(|&c| c == b'=' || c == b';') else {
        return false;
    };
    if rest[eq] != b'=' {
        return false;
    }
    let value = rest[eq + 1..].trim_ascii_start();
    let digits = value
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'_')
        .count();
    // An integer suffix (`i64`), then the item's end.
    let suffix = value[digits..].iter().take_while(|c| is_ident(**c)).count();
    let mut literal = value[..digits].iter().filter(|c| c.is_ascii_digit());
    let n = literal.try_fold(0u64, |n, c| {
        n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    });
    value.first().is_some_and(u8::is_ascii_digit)
        && value[digits + suffix..].trim_ascii_start().first() == Some(&b';')
        && n.is_some_and(timestamp_like)
}

/// Where the name after the keyword at `at` (`len` bytes long) starts and ends, when it is one.
fn item_name(b: &[u8], at: usize, len: usize) -> Option<(usize, usize)> {
    let before = at.checked_sub(1).map(|i| b[i]);
    if before.is_some_and(|c| is_ident(c) || c == b'\'') {
        return None;
    }
    // Not an item: `*const T`, `<const N: usize>`, `, const M: u8`.
    let prev = b[..at].iter().rev().find(|c| !c.is_ascii_whitespace());
    if prev.is_some_and(|c| b"*<,".contains(c)) {
        return None;
    }
    let (start, end) = word_at(b, at + len)?;
    if matches!(&b[start..end], b"mut" | b"ref") {
        return word_at(b, end);
    }
    Some((start, end))
}

/// The word after the blanks at `i` (at least one blank).
pub(super) fn word_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let start = i + b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    let end = start + b[start..].iter().take_while(|c| is_ident(**c)).count();
    (start > i && end > start).then_some((start, end))
}

/// The offset of the `{` of an inline module (`mod name {`) whose keyword is at `at`; a test
/// module (`mod tests`, `#[cfg(test)]`) is not one, as the full parse leaves test code out.
fn mod_block(b: &[u8], at: usize) -> Option<usize> {
    if at.checked_sub(1).is_some_and(|i| is_ident(b[i])) {
        return None;
    }
    let (start, end) = word_at(b, at + 3)?;
    let brace = end
        + b[end..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
    if b.get(brace) != Some(&b'{') || matches!(&b[start..end], b"tests" | b"test") {
        return None;
    }
    // The attributes before the keyword (and its visibility): `#[cfg(test)] pub(crate) mod`.
    let head = &b[at.saturating_sub(96)..at];
    let attrs = head
        .rsplit(|&c| c == b';' || c == b'}')
        .next()
        .unwrap_or(head);
    let is_test = attrs.windows(9).any(|w| w == b"cfg(test)");
    (!is_test).then_some(brace)
}

/// What may start at an offset: a `const` or `static` item, a `lazy_static!` invocation, or an
/// inline module (with the offset of its `{`).
#[derive(Clone, Copy)]
enum Start {
    Item,
    Macro,
    Mod(usize),
}

/// An inline module being read: its `mod name {` header, the bracket depth of its body, and how
/// many ranges were kept before it (its header goes there when it keeps an item).
struct OpenMod {
    header: Range<usize>,
    body: usize,
    kept: usize,
}

/// The byte ranges of the file's items worth indexing, at the top level or in inline modules: a
/// `const` or `static` up to its `;`, a `lazy_static!` invocation up to its closing bracket (and
/// `;`) when it declares one, and the header and closing bracket of each inline module that
/// holds one. Keywords in comments and literals, and items nested in a body, a test module or
/// modules deeper than [`MAX_MOD_DEPTH`], are left out.
pub fn item_ranges(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut worthy: Vec<usize> = keywords(text).collect();
    if worthy.is_empty() {
        return Vec::new();
    }
    worthy.sort_unstable();
    let mut starts: Vec<(usize, Start)> = worthy.iter().map(|&at| (at, Start::Item)).collect();
    starts.extend(memchr::memmem::find_iter(b, b"lazy_static!").map(|at| (at, Start::Macro)));
    let mods = memchr::memmem::find_iter(b, b"mod");
    starts.extend(mods.filter_map(|at| Some((at, Start::Mod(mod_block(b, at)?)))));
    starts.sort_unstable_by_key(|(at, _)| *at);
    let not_code = crate::comments::rust_not_code(text);
    let mut out = Vec::new();
    let mut next = starts.iter().peekable();
    // The item being read: where it starts, whether it is a macro, whether its bracket opened.
    let mut open: Option<(usize, bool, bool)> = None;
    // The inline modules around the offset, and one whose `{` is coming (its keyword, its `{`).
    let mut mods: Vec<OpenMod> = Vec::new();
    let mut pending: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let mut code = 0;
    let gaps = not_code.iter().map(|r| (r.start, r.end));
    'scan: for (end, resume) in gaps.chain(std::iter::once((b.len(), b.len()))) {
        for i in code..end {
            while next.peek().is_some_and(|(at, _)| *at < i) {
                next.next();
            }
            // The depth at which items are read: the innermost module's body.
            let level = mods.last().map_or(0, |m| m.body);
            if open.is_none() && depth == level && next.peek().is_some_and(|(at, _)| *at == i) {
                let &(at, start) = next.next().expect("peeked");
                match start {
                    Start::Item => open = Some((at, false, false)),
                    Start::Macro => open = Some((at, true, false)),
                    Start::Mod(brace) if mods.len() < MAX_MOD_DEPTH => pending = Some((at, brace)),
                    Start::Mod(_) => {}
                }
            }
            let kept_in_mods = mods.first().is_some_and(|m| m.kept < out.len());
            if open.is_none() && pending.is_none() && next.peek().is_none() && !kept_in_mods {
                break 'scan;
            }
            match b[i] {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if let Some((at, brace)) = pending
                        && brace == i
                    {
                        let kept = out.len();
                        mods.push(OpenMod {
                            header: at..i + 1,
                            body: depth,
                            kept,
                        });
                        pending = None;
                    }
                    if let Some((_, true, opened)) = &mut open {
                        *opened = true;
                    }
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == level
                        && let Some((at, true, true)) = open
                    {
                        let stop = macro_end(b, i + 1);
                        // `worthy` is sorted: the first keyword at or past `at`.
                        let k = worthy.partition_point(|&w| w < at);
                        if worthy.get(k).is_some_and(|&w| w < stop) {
                            out.push(at..stop);
                        }
                        open = None;
                    } else if let Some(m) = mods.pop_if(|m| depth < m.body) {
                        open = None;
                        if out.len() > m.kept {
                            out.insert(m.kept, m.header);
                            out.push(i..i + 1);
                        }
                    }
                }
                b';' if depth == level => {
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
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    // Byte by byte: a newline stays, a character's first byte becomes a space and the rest of
    // its bytes go (UTF-8 continuation bytes are 0b10xx_xxxx).
    let blank = |gap: &[u8], out: &mut Vec<u8>| {
        let mut gap = gap;
        if out.is_empty()
            && let Some(rest) = gap.strip_prefix("\u{feff}".as_bytes())
        {
            out.extend_from_slice("\u{feff}".as_bytes());
            gap = rest;
        }
        out.extend(
            gap.iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .map(|&b| if b == b'\n' { b'\n' } else { b' ' }),
        );
    };
    let b = text.as_bytes();
    let mut at = 0;
    for r in ranges {
        blank(&b[at..r.start], &mut out);
        out.extend_from_slice(&b[r.clone()]);
        at = r.end;
    }
    blank(&b[at..], &mut out);
    String::from_utf8(out).expect("kept ranges are whole characters; blanks are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str) -> Vec<&str> {
        item_ranges(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn keeps_worthy_items_of_the_top_level_and_inline_modules_only() {
        let text = "use std::time::Duration;\n\
                    pub const TTL_SECS: i64 = 7 * 24 * 60 * 60;\n\
                    const NAME: &str = \"app\";\n\
                    pub static S_TTL: Lazy<Duration> = Lazy::new(|| Duration::hours(12));\n\
                    static mut LOGIN_TTL: [u8; 2] = [1; 2];\n\
                    pub const fn page_age() -> u64 { const INNER_TTL: u64 = 1; INNER_TTL }\n\
                    // const COMMENT_TTL: u64 = 1;\n\
                    fn f() -> &'static str { \"static KEY_TTL: u64 = 1;\" }\n\
                    pub(crate) mod inner { pub const NESTED_TTL: u64 = 1; fn g() {} }\n\
                    mod plain { const NAME: u8 = 1; }\n\
                    #[cfg(test)]\nmod checks { const TEST_TTL: u64 = 1; }\n\
                    mod tests { const TEST_KEY: &str = \"k\"; }\n\
                    impl A { const IMPL_TTL: u64 = 1; }\n";
        assert_eq!(
            kept(text),
            [
                "const TTL_SECS: i64 = 7 * 24 * 60 * 60;",
                "static S_TTL: Lazy<Duration> = Lazy::new(|| Duration::hours(12));",
                "static mut LOGIN_TTL: [u8; 2] = [1; 2];",
                "mod inner {",
                "const NESTED_TTL: u64 = 1;",
                "}",
            ]
        );
    }

    #[test]
    fn nested_modules_are_read_a_few_levels_deep() {
        let text = "mod a { mod b { pub const B_TTL: i64 = 60; } const A_KEY: &str = \"k\"; }\n\
                    mod c { mod d { mod e { mod f { mod g { const DEEP_TTL: u8 = 1; } } } } }\n";
        assert_eq!(
            kept(text),
            [
                "mod a {",
                "mod b {",
                "const B_TTL: i64 = 60;",
                "}",
                "const A_KEY: &str = \"k\";",
                "}",
            ]
        );
        let ast = syn::parse_file(&masked(text, &item_ranges(text))).unwrap();
        assert_eq!(ast.items.len(), 1);
    }

    #[test]
    fn hostile_module_nesting_is_bounded() {
        // A hundred thousand nested modules, each holding a worthy const: only the first levels are
        // kept, so the masked parse nests no deeper than them.
        let n = 100_000;
        let text = format!(
            "{}{}",
            "mod m { const M_TTL: u8 = 1; ".repeat(n),
            "}".repeat(n)
        );
        let ranges = item_ranges(&text);
        let opened = ranges
            .iter()
            .filter(|r| text[(*r).clone()].starts_with("mod"))
            .count();
        assert_eq!(opened, MAX_MOD_DEPTH);
        assert!(syn::parse_file(&masked(&text, &ranges)).is_ok());
        // Unclosed modules end the scan without a panic.
        let open = "mod m { const M_TTL: u8 = 1; ".repeat(100);
        let _ = item_ranges(&open);
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

    /// The full index's tests, name and value: a name that holds an item word anywhere, and an
    /// integer that looks like a Unix time under any name.
    #[test]
    fn worthy_as_the_full_index_deems() {
        for text in [
            "pub const ACCESSTOKENTTL: i64 = 86_400;",
            "static accessTokenTtl: i64 = 86_400;",
            "const PAGE_SIZE: usize = 1;",
            "pub const FAR_FUTURE: i64 = 2_000_000_000;",
            "const DEADLINE_MS: u64 = 1893456000000u64 ;",
        ] {
            assert!(may_hold_items(text), "{text}");
            assert_eq!(kept(text), [text.trim_start_matches("pub ")], "{text}");
        }
        for text in [
            "const LIMIT: i64 = 999_999_999;",
            "const LIMIT: i64 = 2_000_000_000 * 2;",
            "const LIMIT: f64 = 2_000_000_000.5;",
            "const LIMIT: i64 = -2_000_000_000;",
            "const LIMIT: i64 = 99999999999999999999999;",
            "const LIMIT: &str = \"2000000000\";",
        ] {
            assert!(!may_hold_items(text), "{text}");
        }
    }

    #[test]
    fn no_worthy_name_no_scan() {
        assert!(!may_hold_items(
            "fn f(x: &'static str) -> &'static str { x }"
        ));
        assert!(!may_hold_items("const fn new() -> Self { Self }"));
        assert!(item_ranges("const NAME: &str = \"x\";").is_empty());
        assert!(!may_hold_items(
            "const LIMIT: usize = 1; static GREETING: &str = \"\"; const BIG: u64 = 20_000;"
        ));
        assert!(may_hold_items("const MAX_AGE: u64 = 1;"));
        // Not items: a const generic, a raw pointer type.
        assert!(!may_hold_items(
            "struct A<const KEY_LEN: usize>; type P = *const SessionKey;"
        ));
    }
}
