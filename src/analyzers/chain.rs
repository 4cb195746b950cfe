//! A cheap guard, before parsing, against code that is one long chain rather than deep brackets:
//! `&&&…u8`, `!!!…x`, `break break …`, `|| || …`, `1 + 1 + …`, `a.b().c()…`, `()=> ()=> …`,
//! `a = a = …`, `new new …`. Parsers build (and visitors and destructors walk) one tree level
//! per link, so a long enough chain in a small file overflows any stack; no real program has
//! thousands of links in one expression.
use std::ops::Range;

/// Links of one expression (operator characters, calls and indexing, prefix keywords) beyond
/// which a file is not parsed.
pub const MAX_CHAIN: usize = 5_000;

/// The offset where one expression's chain first exceeds [`MAX_CHAIN`] links. Only code is read
/// (`not_code`: comments and literals, in order); `;`, `,` and a closing `}` end an expression;
/// each bracket level counts its own chain. `prefix_words` are keywords that nest
/// (`break`, `return`, `new`, …).
pub fn too_long(text: &str, not_code: &[Range<usize>], prefix_words: &[&str]) -> Option<usize> {
    let b = text.as_bytes();
    let mut links: Vec<usize> = vec![0];
    let mut code = 0;
    let gaps = not_code.iter().map(|r| (r.start, r.end));
    for (end, next) in gaps.chain(std::iter::once((b.len(), b.len()))) {
        let mut i = code;
        while i < end.min(b.len()) {
            let c = b[i];
            let at = i;
            i += 1;
            let add = match c {
                b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|' | b'!' | b'~' | b'<'
                | b'>' | b'=' | b'?' | b'.' => 1,
                b'(' | b'[' | b'{' => {
                    let calls = usize::from(c != b'{');
                    *links.last_mut().expect("one level") += calls;
                    links.push(0);
                    0
                }
                b')' | b']' | b'}' => {
                    if links.len() > 1 {
                        links.pop();
                    }
                    if c == b'}' {
                        *links.last_mut().expect("one level") = 0;
                    }
                    0
                }
                b';' | b',' => {
                    *links.last_mut().expect("one level") = 0;
                    0
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    while i < end && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                    let word = &text[at..i];
                    usize::from(prefix_words.contains(&word))
                }
                _ => 0,
            };
            let n = links.last_mut().expect("one level");
            *n += add;
            if *n > MAX_CHAIN {
                return Some(at);
            }
        }
        code = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust(text: &str) -> Option<usize> {
        too_long(text, &crate::comments::rust_not_code(text), &["break"])
    }

    #[test]
    fn long_chains_are_caught_and_long_lists_are_not() {
        assert!(rust(&format!("type T = {}u8;", "&".repeat(MAX_CHAIN + 1))).is_some());
        assert!(rust(&format!("fn f() {{ {}; }}", "break ".repeat(MAX_CHAIN + 1))).is_some());
        assert!(rust(&format!("fn f() {{ 1{}; }}", " + 1".repeat(MAX_CHAIN + 1))).is_some());
        assert!(rust(&format!("fn f() {{ c{}; }}", ".a()".repeat(MAX_CHAIN))).is_some());
        // Lists, statements and blocks end a chain; comments and strings are not code.
        assert!(
            rust(&format!(
                "const A: [u8; 9] = [{}];",
                "1 + 1, ".repeat(10_000)
            ))
            .is_none()
        );
        assert!(rust(&format!("fn f() {{ {} }}", "a.b(); ".repeat(10_000))).is_none());
        assert!(rust(&format!("fn f() {{ {} }}", "if a {{}} ".repeat(10_000))).is_none());
        assert!(
            rust(&format!(
                "// {}\nconst S: &str = \"{0}\";",
                "-".repeat(20_000)
            ))
            .is_none()
        );
    }
}
