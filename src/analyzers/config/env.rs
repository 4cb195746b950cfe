//! `.env` files (`.env`, `.env.local`, `.env.production`, `app.env`): `KEY=value` lines with
//! optional `export`, single, double or backtick quotes (double quotes may span lines), and `#`
//! comments. Every value is a string; the tree's root is one object.
use super::tree::{Document, Entry, Node, ParseError};
use crate::finding::Span;

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    let mut entries = Vec::new();
    let b = text.as_bytes();
    let mut i = usize::from(text.starts_with('\u{feff}')) * 3;
    while i < b.len() {
        let line_end = text[i..].find('\n').map_or(b.len(), |n| i + n);
        let line = &text[i..line_end];
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i = line_end + 1;
            continue;
        }
        let body = trimmed
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let key_start = i + lead + (trimmed.len() - body.len());
        let key_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(body.len());
        let after_key = body[key_len..].trim_start();
        if key_len == 0 || !after_key.starts_with('=') {
            return Err(ParseError {
                at: key_start,
                message: "expected `KEY=value`".into(),
            });
        }
        let key = body[..key_len].to_string();
        let key_span = Span::new(key_start, key_start + key_len);
        let eq = key_start + (body.len() - after_key.len());
        let mut v = eq + 1;
        while v < b.len() && matches!(b[v], b' ' | b'\t') {
            v += 1;
        }
        let (node, next) = match b.get(v) {
            Some(b'"' | b'\'' | b'`') => {
                let (node, close) = quoted(text, v, b.len(), &[("\\n", "\n"), ("\\\"", "\"")])?;
                let end = text[close..].find('\n').map_or(b.len(), |n| close + n);
                (node, end + 1)
            }
            _ => {
                let rest = &text[v..line_end];
                let cut = rest
                    .find(" #")
                    .or_else(|| rest.find("\t#"))
                    .unwrap_or(rest.len());
                let value = rest[..cut].trim_end().trim_end_matches('\r');
                (
                    Node::string(Span::new(v, v + value.len()), value.to_string()),
                    line_end + 1,
                )
            }
        };
        entries.push(Entry {
            key,
            key_span,
            node,
        });
        i = next;
    }
    let root = Node::object(Span::new(0, text.len()), entries);
    Ok(vec![Document { root }])
}

/// A quoted value whose opening quote (`"`, `'` or a backtick) is at `open` and whose closing
/// quote comes before `limit`: its node (the span is inside the quotes; in double quotes each
/// `escapes` pair is replaced) and the offset of the closing quote. `.env` and Dockerfile values
/// share it; they differ only in their escapes and in how far a value may run.
pub(super) fn quoted(
    text: &str,
    open: usize,
    limit: usize,
    escapes: &[(&str, &str)],
) -> Result<(Node, usize), ParseError> {
    let q = text[open..].chars().next().unwrap_or('"');
    let Some(close) = text[open + 1..limit].find(q).map(|n| open + 1 + n) else {
        return Err(ParseError {
            at: open,
            message: "unterminated quoted value".into(),
        });
    };
    let raw = &text[open + 1..close];
    let value = if q == '"' {
        escapes
            .iter()
            .fold(raw.to_string(), |v, (from, to)| v.replace(from, to))
    } else {
        raw.to_string()
    };
    Ok((Node::string(Span::new(open + 1, close), value), close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling() {
        let text = "# c\nexport JWT_SECRET=abc # note\nA='x y'\nB=\"multi\nline\"\nC=\nD = ${X}\n";
        let doc = &parse(text).unwrap()[0];
        let e = doc.root.entry("JWT_SECRET").unwrap();
        assert_eq!(&text[e.key_span.start..e.key_span.end], "JWT_SECRET");
        assert_eq!(e.node.as_str(), Some("abc"));
        assert_eq!(doc.root.get("A").unwrap().as_str(), Some("x y"));
        assert_eq!(doc.root.get("B").unwrap().as_str(), Some("multi\nline"));
        assert_eq!(doc.root.get("C").unwrap().as_str(), Some(""));
        assert!(doc.root.get("D").unwrap().is_template());
    }

    #[test]
    fn a_line_without_equals_is_an_error() {
        let e = parse("A=1\nnot a setting\n").unwrap_err();
        assert_eq!(e.at, 4);
    }
}
