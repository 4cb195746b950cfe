//! Function bodies no rule can read, blanked before the parse (issue 17).
//!
//! `syn` is most of a run's cost, and in a file that passes the gate most bodies still say
//! nothing about auth: a session module's `Display` impls, a handler file's pagination helpers.
//! A body is blanked (every character but newlines turned to a space, so each line and column
//! stays the original's) when its function holds no gate word (`gate::Present`, strings
//! included, comments not; in its attributes, name, signature or body: `fn session_token()`
//! makes a session id whatever its body says), when it calls no function whose body is kept and is called by none, three calls deep
//! (a signing helper's caller passes the expiry; the helper that computes it is called from the
//! signing code), and, unless tests are checked, when it is test code the analyzer would strip
//! anyway (`#[cfg(test)]`/`#[test]` items, modules named as test helpers). Signatures stay: the
//! facts collector reads handlers' extractors, and the call graph reads parameters.
//!
//! Only item-level functions are looked at: top-level ones and those in `impl`, `trait` and
//! inline `mod` blocks (nested as deep as [`MAX_DEPTH`]). A body inside a macro invocation is kept
//! whole. The scan is a bracket count over code (comments and literals skipped); if it misreads a
//! file, the masked text fails to parse and the caller parses the original, so a misreading
//! costs time, never a finding.
use crate::comments::is_ident;
use std::collections::HashSet;
use std::ops::Range;

/// How many `impl`/`trait`/`mod` blocks deep functions are looked for.
const MAX_DEPTH: usize = 8;

/// Calls followed from a kept body to blank ones, and from blank bodies to kept functions.
const CALL_ROUNDS: usize = 3;

/// Names too common to make a caller: every constructor call says `new(`.
const COMMON: &[&str] = &[
    "new",
    "default",
    "from",
    "into",
    "fmt",
    "build",
    "clone",
    "eq",
    "hash",
    "drop",
    "deref",
    "as_ref",
    "try_from",
    "get",
    "set",
    "with",
    "call",
    "poll",
    "next",
    "len",
    "is_empty",
    "to_string",
    "parse",
    "run",
    "main",
    "init",
    "handle",
    "process",
    "execute",
    "apply",
];

/// One item-level function: its name, where it starts (its first attribute, else its name) and
/// the inside of its body (between the braces).
struct Body {
    name: Range<usize>,
    start: usize,
    inside: Range<usize>,
    test: bool,
}

/// The text with quiet bodies blanked, or `None` when every body is kept. `words` are the
/// sorted offsets of the gate words in the text (`gate::Present::scan_at`), `not_code` the
/// comments and literals (`comments::rust_not_code`).
pub fn blank(
    text: &str,
    words: &[usize],
    not_code: &[Range<usize>],
    strip_tests: bool,
) -> Option<String> {
    let Outline { bodies, others } = outline(text.as_bytes(), not_code, strip_tests);
    if bodies.is_empty() {
        return None;
    }
    let has_word = |r: &Range<usize>| {
        let k = words.partition_point(|&w| w < r.start);
        words.get(k).is_some_and(|&w| w < r.end)
    };
    let names: Vec<Names> = bodies
        .iter()
        .map(|b| names_in(text, &b.inside, not_code))
        .collect();
    // Consts and statics whose item speaks of auth (`const USER: &str = "x-auth-request-email"`):
    // a body that reads one is kept.
    let wordy: HashSet<&str> = others
        .iter()
        .filter(|r| has_word(r))
        .flat_map(|r| names_in(text, r, not_code).consts)
        .collect();
    // Functions named in a string: serde's `#[serde(default = "default_ttl")]`.
    let named = named_in_strings(text, not_code);
    let mut keep: Vec<bool> = bodies
        .iter()
        .zip(&names)
        .map(|(b, n)| {
            !(strip_tests && b.test)
                && (has_word(&(b.start..b.inside.end))
                    || n.builds_struct
                    || named.contains(&text[b.name.clone()])
                    || n.consts.iter().any(|c| wordy.contains(c)))
        })
        .collect();
    follow_calls(text, &bodies, &names, &mut keep, strip_tests);
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    for (b, kept) in bodies.iter().zip(&keep) {
        if *kept || b.inside.is_empty() {
            continue;
        }
        ranges.push(at..b.inside.start);
        at = b.inside.end;
    }
    if ranges.is_empty() {
        return None;
    }
    ranges.push(at..text.len());
    ranges.retain(|r| !r.is_empty());
    Some(super::items_only::masked(text, &ranges))
}

/// Keeps the bodies that call a kept function, and those a kept body calls, `CALL_ROUNDS` deep.
fn follow_calls(
    text: &str,
    bodies: &[Body],
    names: &[Names],
    keep: &mut [bool],
    strip_tests: bool,
) {
    let name = |b: &Body| &text[b.name.clone()];
    for _ in 0..CALL_ROUNDS {
        let kept_names: HashSet<&str> = bodies
            .iter()
            .zip(keep.iter())
            .filter(|(b, k)| **k && !COMMON.contains(&name(b)))
            .map(|(b, _)| name(b))
            .collect();
        let called: HashSet<&str> = names
            .iter()
            .zip(keep.iter())
            .filter(|(_, k)| **k)
            .flat_map(|(n, _)| n.calls.iter().chain(&n.methods).copied())
            .filter(|c| !COMMON.contains(c))
            .collect();
        let mut changed = false;
        for (i, b) in bodies.iter().enumerate() {
            if keep[i] || (strip_tests && b.test) {
                continue;
            }
            let callee = called.contains(name(b));
            let caller = names[i].calls.iter().any(|c| kept_names.contains(c));
            if callee || caller {
                keep[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// What a piece of code names: the functions it calls (an identifier followed by `(` or `::<`: a
/// path's last segment, a method's name) and the consts it reads (`UPPER_CASE` identifiers).
#[derive(Default)]
struct Names<'t> {
    calls: HashSet<&'t str>,
    methods: HashSet<&'t str>,
    consts: HashSet<&'t str>,
    /// Whether it builds a struct (`Self { .. }`, `Settings { .. }`): the project index reads
    /// the field values of constructors and `Default` impls (`span: Duration::days(400)`,
    /// read elsewhere as `exp: now + self.cfg.span`), whatever the field is called.
    builds_struct: bool,
}

fn names_in<'t>(text: &'t str, r: &Range<usize>, not_code: &[Range<usize>]) -> Names<'t> {
    let b = text.as_bytes();
    let mut out = Names::default();
    for (start, end) in code_spans(r.clone(), not_code) {
        let mut i = start;
        while i < end {
            if !is_ident_start(b[i]) || (i > 0 && is_ident(b[i - 1])) {
                i += 1;
                continue;
            }
            let stop = i + b[i..end].iter().take_while(|c| is_ident(**c)).count();
            let mut j = stop;
            while j < end && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let word = &b[i..stop];
            if b.get(j) == Some(&b'(') || b[j..end].starts_with(b"::<") {
                let method =
                    i > 0 && b[..i].iter().rev().find(|c| !c.is_ascii_whitespace()) == Some(&b'.');
                if method {
                    out.methods.insert(&text[i..stop]);
                } else {
                    out.calls.insert(&text[i..stop]);
                }
            } else if word.len() > 1
                && word
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
            {
                out.consts.insert(&text[i..stop]);
            } else if b.get(j) == Some(&b'{') && word[0].is_ascii_uppercase() {
                out.builds_struct = true;
            }
            i = stop;
        }
    }
    out
}

/// The functions a string names after `default =` (serde's `#[serde(default = "path::f")]`):
/// the last segment of each.
fn named_in_strings<'t>(text: &'t str, not_code: &[Range<usize>]) -> HashSet<&'t str> {
    let b = text.as_bytes();
    not_code
        .iter()
        .filter(|r| b.get(r.start) == Some(&b'"') && r.len() >= 2)
        .filter(|r| {
            text[..r.start]
                .trim_end()
                .strip_suffix('=')
                .is_some_and(|d| d.trim_end().ends_with("default"))
        })
        .filter_map(|r| text.get(r.start + 1..r.end - 1)?.rsplit("::").next())
        .collect()
}

/// The parts of `r` that are code: `r` minus the comments and literals.
fn code_spans(r: Range<usize>, not_code: &[Range<usize>]) -> impl Iterator<Item = (usize, usize)> {
    let k = not_code.partition_point(|n| n.end <= r.start);
    let mut at = r.start;
    let mut gaps = not_code[k..].iter().take_while(move |n| n.start < r.end);
    let end = r.end;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match gaps.next() {
            Some(g) => {
                let span = (at, g.start.max(at).min(end));
                at = g.end.max(at);
                Some(span)
            }
            None => {
                done = true;
                Some((at.min(end), end))
            }
        }
    })
    .filter(|(s, e)| s < e)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// What the item being read at one level is, from its keywords so far.
#[derive(Clone, Copy, PartialEq)]
enum Pending {
    None,
    /// `fn name`: the name's range.
    Fn(usize, usize),
    /// `impl`, `trait`, `mod`: a block whose items are looked at.
    Block,
    /// A test module (`#[cfg(test)] mod tests {`, `mod test_utils {`).
    TestBlock,
}

/// The file's item-level function bodies, in order, and its other items (consts, statics,
/// structs, macro invocations: each from its first token to its `;` or closing bracket).
#[derive(Default)]
struct Outline {
    bodies: Vec<Body>,
    others: Vec<Range<usize>>,
}

fn outline(b: &[u8], not_code: &[Range<usize>], strip_tests: bool) -> Outline {
    let mut out = Outline::default();
    let mut item_start: Option<usize> = None;
    let mut scan = Scanner { b, not_code, nc: 0 };
    let mut depth = 0usize;
    let mut pending = Pending::None;
    let mut test_attr = false;
    let mut attr_start: Option<usize> = None;
    let mut i = 0;
    while let Some(at) = scan.next_code(i) {
        i = at;
        let c = b[i];
        if !matches!(c, b'}' | b';') && !c.is_ascii_whitespace() {
            item_start.get_or_insert(i);
        }
        if is_ident_start(c) && (i == 0 || !is_ident(b[i - 1])) {
            let stop = i + b[i..].iter().take_while(|c| is_ident(**c)).count();
            let word = &b[i..stop];
            match word {
                b"fn" if pending == Pending::None => {
                    if let Some(name) = next_ident(b, stop) {
                        pending = Pending::Fn(name.start, name.end);
                    }
                }
                b"impl" | b"trait" if pending == Pending::None => pending = Pending::Block,
                b"mod" if pending == Pending::None => {
                    let test_name = next_ident(b, stop).is_some_and(|n| {
                        crate::roles::has_test_word(&String::from_utf8_lossy(&b[n]))
                    });
                    pending = if strip_tests && (test_attr || test_name) {
                        Pending::TestBlock
                    } else {
                        Pending::Block
                    };
                }
                _ => {}
            }
            i = stop;
            continue;
        }
        match c {
            b'#' if b.get(i + 1) == Some(&b'[') || b[i + 1..].starts_with(b"![") => {
                let inner = b[i + 1] == b'!';
                let open = i + 1 + usize::from(inner);
                let close = scan.matching(open);
                // An inner attribute (`#![cfg(test)]`) is about the enclosing module, not the
                // next item.
                if !inner {
                    test_attr |= is_test_attr(&b[open + 1..close.min(b.len())]);
                    attr_start.get_or_insert(i);
                }
                i = close + 1;
            }
            b'(' | b'[' => i = scan.matching(i) + 1,
            b'{' => {
                if matches!(pending, Pending::Block) && depth < MAX_DEPTH && !test_attr {
                    depth += 1;
                    i += 1;
                    pending = Pending::None;
                    attr_start = None;
                    item_start = None;
                    continue;
                }
                let close = scan.matching(i);
                match pending {
                    Pending::Fn(s, e) => {
                        out.bodies.push(Body {
                            name: s..e,
                            start: attr_start.unwrap_or(s),
                            inside: i + 1..close.min(b.len()),
                            test: test_attr,
                        });
                        i = close + 1;
                    }
                    Pending::TestBlock => {
                        // A body-less stand-in: the whole module is test code.
                        out.bodies.push(Body {
                            name: i..i,
                            start: i,
                            inside: i + 1..close.min(b.len()),
                            test: true,
                        });
                        i = close + 1;
                    }
                    _ => {
                        out.others.extend(item_start.map(|s| s..close.min(b.len())));
                        i = close + 1;
                    }
                }
                pending = Pending::None;
                test_attr = false;
                attr_start = None;
                item_start = None;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                pending = Pending::None;
                test_attr = false;
                attr_start = None;
                item_start = None;
                i += 1;
            }
            b';' => {
                out.others.extend(item_start.map(|s| s..i));
                pending = Pending::None;
                test_attr = false;
                attr_start = None;
                item_start = None;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `#[test]`, `#[cfg(test)]` (any spacing): the attributes that surely mark test code. Wider
/// forms (`cfg(any(test, ..))`) are left to the analyzer's own stripping.
fn is_test_attr(inside: &[u8]) -> bool {
    let squeezed: Vec<u8> = inside
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    squeezed == b"test" || squeezed == b"cfg(test)"
}

/// The identifier after a keyword ending at `at`, past the blanks (`items_only::word_at`).
fn next_ident(b: &[u8], at: usize) -> Option<Range<usize>> {
    let (start, end) = super::items_only::word_at(b, at)?;
    is_ident_start(b[start]).then_some(start..end)
}

/// Walks code bytes, jumping over comments and literals.
struct Scanner<'a> {
    b: &'a [u8],
    not_code: &'a [Range<usize>],
    nc: usize,
}

impl Scanner<'_> {
    /// The first code byte at or past `i`.
    fn next_code(&mut self, mut i: usize) -> Option<usize> {
        while let Some(r) = self.not_code.get(self.nc) {
            if r.end <= i {
                self.nc += 1;
            } else if r.start <= i {
                i = r.end;
                self.nc += 1;
            } else {
                break;
            }
        }
        (i < self.b.len()).then_some(i)
    }

    /// The bracket closing the one at `open` (the end of the text when none does). The walk goes
    /// on past it: the comments and literals before it are passed for good.
    fn matching(&mut self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut i = open;
        while let Some(at) = self.next_code(i) {
            match self.b[at] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return at;
                    }
                }
                _ => {}
            }
            i = at + 1;
        }
        self.b.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, strip_tests: bool) -> String {
        let lower = text.to_ascii_lowercase();
        let (_, words) = super::super::gate::Present::scan_at(&lower);
        let not_code = crate::comments::rust_not_code(text);
        blank(text, &words, &not_code, strip_tests).unwrap_or_else(|| text.to_string())
    }

    #[test]
    fn blanks_bodies_without_gate_words_and_keeps_the_rest() {
        let text = "use x::Y;\n\
                    fn page(n: u32) -> u32 { n * 20 }\n\
                    fn issue(id: &str) -> String { encode_jwt(id) }\n\
                    impl Display for S { fn fmt(&self) -> R { write!(f, \"{}\", 1) } }\n\
                    impl Tok { fn make(&self) -> T { let s = \"session\"; s } }\n";
        let out = run(text, true);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("fn page(n: u32) -> u32 {        }"), "{out}");
        assert!(out.contains("encode_jwt(id)"));
        assert!(out.contains("fn fmt(&self) -> R {"));
        assert!(!out.contains("write!"));
        assert!(out.contains("let s = \"session\"; s"), "strings count");
        syn::parse_file(&out).unwrap();
    }

    #[test]
    fn a_name_or_a_const_that_speaks_of_auth_keeps_the_body() {
        let text = "const USER: &str = \"x-auth-request-email\";\n\
                    const PAGE: usize = 20;\n\
                    pub fn session_token() -> String { rand(32) }\n\
                    #[post(\"/logout\")]\nasync fn bye(s: S) -> R { s.clear() }\n\
                    fn user(req: &Request) { req.headers().get(USER); }\n\
                    fn page(req: &Request) { req.query().get(PAGE); }\n";
        let out = run(text, true);
        for kept in ["rand(32)", "s.clear()", "get(USER)"] {
            assert!(out.contains(kept), "{kept} kept: {out}");
        }
        assert!(!out.contains("get(PAGE)"), "{out}");
    }

    #[test]
    fn constructors_serde_defaults_and_inner_attributes() {
        let text = "#[derive(Deserialize)]\nstruct S {\n    #[serde(default = \"defaults::span\")]\n    span: i64,\n}\n\
                    impl Default for C { fn default() -> Self { Self { span: days(400) } } }\n\
                    fn span() -> i64 { 60 * 60 }\n\
                    fn other() -> i64 { 7 * 7 }\n";
        let out = run(text, true);
        for kept in ["days(400)", "60 * 60"] {
            assert!(out.contains(kept), "{kept} kept: {out}");
        }
        assert!(!out.contains("7 * 7"), "{out}");
        // `#![cfg(test)]` is about the module: the next function is not test code.
        let inner = run("#![cfg(test)]\nfn sign() { let token = 1; }", true);
        assert!(inner.contains("let token = 1"), "{inner}");
    }

    #[test]
    fn follows_calls_both_ways() {
        let text = "fn one_week() -> Duration { Duration::weeks(1) }\n\
                    fn sign_jwt(id: &str, exp: i64) -> String { format!(\"{id}{exp}\") }\n\
                    fn issue(id: &str) -> String { let e = one_week(); sign_jwt(id, e) }\n\
                    fn outer() { issue(\"a\") }\n\
                    fn unrelated() { let x = 1; }\n";
        let out = run(text, true);
        for kept in ["Duration::weeks(1)", "sign_jwt(id, e)", "issue(\"a\")"] {
            assert!(out.contains(kept), "{kept} kept: {out}");
        }
        assert!(!out.contains("let x = 1"), "{out}");
    }

    #[test]
    fn comments_do_not_keep_and_test_code_goes_when_stripped() {
        let text = "fn a() { /* token */ let y = 2; }\n\
                    #[cfg(test)]\nmod tests { fn t() { let token = 1; } }\n\
                    #[test]\nfn check_token() { assert!(true) }\n";
        let stripped = run(text, true);
        assert!(!stripped.contains("let y"));
        assert!(!stripped.contains("let token"));
        assert!(!stripped.contains("assert!"));
        syn::parse_file(&stripped).unwrap();
        let kept = run(text, false);
        assert!(kept.contains("let token = 1"));
        assert!(kept.contains("assert!(true)"));
    }

    #[test]
    fn nested_blocks_braces_in_literals_and_macros() {
        let text = "mod inner { impl A { fn f() -> char { '{' } fn g() { let s = \"}\"; } } }\n\
                    macro_rules! m { () => { fn h() { 1 } } }\n\
                    trait T { fn d(&self); fn e(&self) { self.d() } }\n";
        let out = run(text, true);
        assert!(!out.contains("'{'"), "{out}");
        assert!(!out.contains("\"}\""), "{out}");
        assert!(out.contains("fn h() { 1 }"), "macro bodies stay");
        assert!(out.contains("fn d(&self);"));
        syn::parse_file(&out).unwrap();
        assert_eq!(run("fn f() { 1 }", true), "fn f() {   }");
        // A bracket in a literal before a function of the same block is text, not syntax.
        assert_eq!(
            run("impl A { const S: &str = \"{\"; fn f() { 1 } }", true),
            "impl A { const S: &str = \"{\"; fn f() {   } }"
        );
        // Unbalanced input neither panics nor loops.
        for bad in [
            "fn f() {",
            "impl A { fn f( {",
            "}}}} fn",
            "#[",
            "mod m { fn",
        ] {
            run(bad, true);
        }
    }
}
