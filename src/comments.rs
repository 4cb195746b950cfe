//! Where the comments are, by a small lexer per comment syntax that knows strings, so that text in
//! a string literal is never taken for a comment (`"// authlint-ignore ..."` is not a suppression).
use crate::source::{ConfigFormat, FileKind};
use std::ops::Range;

/// Byte ranges of the comments in `text`, in order.
pub fn comment_ranges(kind: FileKind, text: &str) -> Vec<Range<usize>> {
    match kind {
        FileKind::Rust => rust(text),
        FileKind::Script => c_like(text),
        FileKind::Markup => markup(text),
        FileKind::Config(ConfigFormat::Json) => c_like(text),
        FileKind::Config(ConfigFormat::Hcl) => {
            let mut r = c_like(text);
            r.extend(hash(text));
            r.sort_by_key(|r| r.start);
            r
        }
        FileKind::Config(_) => hash(text),
    }
}

fn c_like(text: &str) -> Vec<Range<usize>> {
    c_like_lex(text, false)
}

/// Byte ranges of everything in JavaScript/TypeScript that is not code: comments, strings and
/// template literals (whole, `${}` included), in order. Regular expression literals count as
/// code.
pub fn script_not_code(text: &str) -> Vec<Range<usize>> {
    c_like_lex(text, true)
}

/// JavaScript, TypeScript, JSON and HCL: `//` and `/* */` (not nested), outside strings and
/// template literals; the literals too when `literals` is set.
fn c_like_lex(text: &str, literals: bool) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                let end = block_or_line_comment(b, i, false);
                out.push(i..end);
                i = end;
            }
            q @ (b'"' | b'\'' | b'`') => {
                let mut j = i + 1;
                while j < b.len() && b[j] != q {
                    if b[j] == b'\\' {
                        j += 1;
                    } else if b[j] == b'\n' && q != b'`' {
                        break;
                    }
                    j += 1;
                }
                if literals {
                    out.push(i..(j + 1).min(b.len()));
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn rust(text: &str) -> Vec<Range<usize>> {
    rust_lex(text, false)
}

/// Byte ranges of everything in Rust source that is not code: comments, string literals (also
/// raw `r#"…"#`, byte `b"…"` and C `c"…"` strings) and char literals (`'"'`, `b'{'`), in order.
/// A bracket or quote inside any of them is text, not syntax.
pub fn rust_not_code(text: &str) -> Vec<Range<usize>> {
    rust_lex(text, true)
}

/// Rust: jumps from one `/`, `"` or `'` to the next (most of a file is neither), and recognises a
/// raw string (`r"..."`, `r#"..."#`, `br"..."`, `cr"..."`) at its opening quote. Returns the
/// comments, and the literals too when `literals` is set.
fn rust_lex(text: &str, literals: bool) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(n) = memchr::memchr3(b'/', b'"', b'\'', &b[i..]) {
        i += n;
        let start = i;
        match b[i] {
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                let end = block_or_line_comment(b, i, true);
                out.push(i..end);
                i = end;
            }
            b'/' => i += 1,
            b'"' => {
                let hashes = b[..i].iter().rev().take_while(|&&c| c == b'#').count();
                let r = i.checked_sub(hashes + 1);
                let raw = r.is_some_and(|r| {
                    b[r] == b'r'
                        && (r == 0
                            || !is_ident(b[r - 1])
                            || (matches!(b[r - 1], b'b' | b'c') && (r == 1 || !is_ident(b[r - 2]))))
                });
                if raw {
                    let close: Vec<u8> = std::iter::once(b'"')
                        .chain(std::iter::repeat_n(b'#', hashes))
                        .collect();
                    i = memchr::memmem::find(&b[i + 1..], &close)
                        .map_or(b.len(), |n| i + 1 + n + close.len());
                } else {
                    let mut j = i + 1;
                    while let Some(n) = memchr::memchr2(b'"', b'\\', b.get(j..).unwrap_or_default())
                    {
                        j += n;
                        if b[j] == b'\\' {
                            j += 2;
                        } else {
                            break;
                        }
                    }
                    i = (j + 1).min(b.len());
                }
                if literals {
                    out.push(start..i);
                }
            }
            _ => {
                // A char literal ('x', '\n', '"') or a lifetime ('a): skip only the former.
                match rust_char_end(b, i) {
                    Some(end) => {
                        if literals {
                            out.push(start..end);
                        }
                        i = end;
                    }
                    None => i += 1,
                }
            }
        }
    }
    out
}

/// The end of the `//` or `/* */` comment starting at `i` (block comments nest in Rust).
fn block_or_line_comment(b: &[u8], i: usize, nested: bool) -> usize {
    if b[i + 1] == b'/' {
        return memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
    }
    let mut depth = 1;
    let mut j = i + 2;
    while j < b.len() && depth > 0 {
        if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
            depth -= 1;
            j += 2;
        } else if nested && b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
            depth += 1;
            j += 2;
        } else {
            j += 1;
        }
    }
    j.min(b.len())
}

/// A byte of a Rust or script identifier (ASCII).
pub(crate) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn rust_char_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i + 1) == Some(&b'\\') {
        // The escaped character itself may be a quote (`'\''`).
        let close = b.get(i + 3..)?.iter().take(10).position(|&c| c == b'\'')?;
        return Some(i + 4 + close);
    }
    // One UTF-8 character then a quote.
    let rest = std::str::from_utf8(&b[i + 1..(i + 6).min(b.len())])
        .ok()
        .or_else(|| {
            (1..5)
                .rev()
                .find_map(|n| std::str::from_utf8(&b[i + 1..(i + 1 + n).min(b.len())]).ok())
        })?;
    let c = rest.chars().next()?;
    let after = i + 1 + c.len_utf8();
    (b.get(after) == Some(&b'\'')).then_some(after + 1)
}

fn hash(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut quote: Option<char> = None;
        let mut prev_ws = true;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev_ws => {
                    out.push(offset + i..offset + line.trim_end_matches(['\n', '\r']).len());
                    break;
                }
                _ => {}
            }
            prev_ws = c.is_whitespace();
        }
        offset += line.len();
    }
    out
}

fn markup(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(s) = text[from..].find("<!--") {
        let start = from + s;
        let end = text[start..]
            .find("-->")
            .map_or(text.len(), |e| start + e + 3);
        out.push(start..end);
        from = end;
    }
    // Script blocks use `//` and `/* */`; a cheap pass over the whole file finds those too, and
    // string awareness keeps quoted text out.
    for r in c_like(text) {
        if !out.iter().any(|o| o.start <= r.start && r.start < o.end) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(kind: FileKind, text: &str) -> Vec<&str> {
        comment_ranges(kind, text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn rust_strings_are_not_comments() {
        let t = "let a = \"// no\"; // yes\nlet b = r#\"/* no */\"#; /* yes /* nested */ */ let c = '\"'; // end";
        assert_eq!(
            comments(FileKind::Rust, t),
            ["// yes", "/* yes /* nested */ */", "// end"]
        );
        assert_eq!(
            comments(FileKind::Rust, "fn f<'a>(x: &'a str) {} // c"),
            ["// c"]
        );
    }

    #[test]
    fn rust_raw_and_byte_strings_are_not_comments() {
        let t = "let a = br\"// no\"; let b = r##\"\"# /* no\"##; let c = b\"/* no \\\" */\"; // yes\nlet d = 1; /* y */";
        assert_eq!(comments(FileKind::Rust, t), ["// yes", "/* y */"]);
        // `r` ending an identifier does not open a raw string.
        assert_eq!(comments(FileKind::Rust, "let ptr\"x\" // c"), ["// c"]);
        assert_eq!(comments(FileKind::Rust, "// a\n\"unterminated"), ["// a"]);
        // A string cut off after a backslash, and a raw string never closed.
        assert_eq!(comments(FileKind::Rust, "// a\n\"x\\"), ["// a"]);
        assert!(comments(FileKind::Rust, "r#\"open // x").is_empty());
    }

    #[test]
    fn rust_literals_and_comments_are_not_code() {
        let t = "a('\"', '(', b'{', '\\'', \"((\", r#\"\"((\"#, br\"[\", c\"{\", cr#\"{\"#) /* (( */ x<'a>";
        let not_code: Vec<&str> = rust_not_code(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            not_code,
            [
                "'\"'",
                "'('",
                "'{'",
                "'\\''",
                "\"((\"",
                "\"\"((\"#",
                "\"[\"",
                "\"{\"",
                "\"{\"#",
                "/* (( */"
            ]
        );
    }

    #[test]
    fn script_template_literals() {
        assert_eq!(
            comments(FileKind::Script, "const u = `http://x`; // c\n"),
            ["// c"]
        );
    }

    #[test]
    fn hash_comments_outside_quotes() {
        let t = "url = \"http://x#frag\" # real\nKEY=a#b\n# whole\n";
        assert_eq!(
            comments(FileKind::Config(ConfigFormat::Toml), t),
            ["# real", "# whole"]
        );
    }
}
