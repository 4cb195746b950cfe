//! Dockerfiles and Containerfiles: the settings an image bakes in, `ENV KEY=value` (also several
//! pairs on one line and the legacy `ENV KEY value`) and `ARG KEY=default`. Every other
//! instruction is skipped; lines continue with a trailing `\`. The tree's root is one object whose
//! keys are the variable names, read like a `.env` file. A value holding `$VAR` or `${VAR}` is a
//! template, never a literal.
use super::tree::{Document, Entry, Node, ParseError};
use crate::finding::Span;

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    let mut entries = Vec::new();
    let mut i = usize::from(text.starts_with('\u{feff}')) * 3;
    while i < text.len() {
        let end = instruction_end(text, i);
        let line = &text[i..end];
        let trimmed = line.trim_start();
        let at = i + (line.len() - trimmed.len());
        let word_len = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.len());
        let word = trimmed[..word_len].to_ascii_uppercase();
        if word == "ENV" || word == "ARG" {
            pairs(text, at + word_len, end, word == "ENV", &mut entries)?;
        }
        i = end + 1;
    }
    let root = Node::object(Span::new(0, text.len()), entries);
    Ok(vec![Document { root }])
}

/// Where the instruction starting at `start` ends: the first newline not escaped by a trailing
/// `\` (comment lines inside a continued instruction are part of it, as Docker reads them).
fn instruction_end(text: &str, start: usize) -> usize {
    let mut i = start;
    loop {
        let Some(n) = text[i..].find('\n') else {
            return text.len();
        };
        let line = text[i..i + n].trim_end_matches('\r').trim_end();
        if line.trim_start().starts_with('#') && i == start {
            return i + n;
        }
        if !line.ends_with('\\') {
            return i + n;
        }
        i += n + 1;
    }
}

/// Reads `KEY=value KEY2="value 2"` (or, for `ENV` without `=`, `KEY value words`) between
/// `from` and `to`.
fn pairs(
    text: &str,
    from: usize,
    to: usize,
    env: bool,
    entries: &mut Vec<Entry>,
) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let skip_blank = |mut k: usize| {
        while k < to {
            match b[k] {
                b' ' | b'\t' | b'\r' | b'\n' => k += 1,
                b'\\' if matches!(b.get(k + 1), Some(b'\n' | b'\r')) => k += 1,
                _ => break,
            }
        }
        k
    };
    let mut k = skip_blank(from);
    while k < to {
        let key_len = text[k..to]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(to - k);
        if key_len == 0 {
            // Not a name (a stray `#` or flag): nothing more this reader understands.
            return Ok(());
        }
        let key = text[k..k + key_len].to_string();
        let key_span = Span::new(k, k + key_len);
        let after = k + key_len;
        if b.get(after) == Some(&b'=') && after < to {
            let (node, next) = value(text, after + 1, to)?;
            entries.push(Entry {
                key,
                key_span,
                node,
            });
            k = skip_blank(next);
        } else if env && after < to {
            // Legacy `ENV KEY value with spaces`: the rest of the instruction is the value.
            let v = skip_blank(after);
            let raw = text[v..to].trim_end();
            entries.push(Entry {
                key,
                key_span,
                node: Node::string(Span::new(v, v + raw.len()), unquote(raw)),
            });
            return Ok(());
        } else {
            // `ARG NAME` without a default: nothing is baked in.
            k = skip_blank(after);
        }
    }
    Ok(())
}

/// One value after `=`: quoted (its span is inside the quotes) or up to the next blank.
fn value(text: &str, v: usize, to: usize) -> Result<(Node, usize), ParseError> {
    let b = text.as_bytes();
    match b.get(v) {
        Some(b'"' | b'\'') if v < to => {
            let (node, close) = super::env::quoted(text, v, to, &[("\\\"", "\"")])?;
            Ok((node, close + 1))
        }
        _ => {
            let len = text[v..to]
                .find(|c: char| c.is_whitespace())
                .unwrap_or(to - v);
            let raw = &text[v..v + len];
            let raw = raw.strip_suffix('\\').unwrap_or(raw);
            Ok((
                Node::string(Span::new(v, v + raw.len()), raw.to_string()),
                v + len,
            ))
        }
    }
}

fn unquote(raw: &str) -> String {
    let t = raw.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of<'a>(doc: &'a Document, key: &str) -> &'a Node {
        doc.root
            .get(key)
            .unwrap_or_else(|| panic!("no {key}: {:?}", doc.root))
    }

    #[test]
    fn reads_env_and_arg_in_every_form() {
        let text = "FROM rust:1.80 AS build\n# ENV COMMENTED=1\nARG JWT_SECRET=dev-signing-key\nARG VERSION\nenv JWT_EXPIRES_IN=7d APP_SECRET=\"a b\" \\\n    TOKEN_SECRET='x'\nENV SESSION_SECRET legacy value here\nENV FROM_ARG=${JWT_SECRET}\nRUN echo ENV X=1\n";
        let doc = &parse(text).unwrap()[0];
        let keys: Vec<_> = doc.root.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "JWT_SECRET",
                "JWT_EXPIRES_IN",
                "APP_SECRET",
                "TOKEN_SECRET",
                "SESSION_SECRET",
                "FROM_ARG"
            ]
        );
        let n = value_of(doc, "JWT_SECRET");
        assert_eq!(&text[n.span.start..n.span.end], "dev-signing-key");
        assert_eq!(value_of(doc, "APP_SECRET").as_str(), Some("a b"));
        assert_eq!(value_of(doc, "TOKEN_SECRET").as_str(), Some("x"));
        let n = value_of(doc, "SESSION_SECRET");
        assert_eq!(n.as_str(), Some("legacy value here"));
        assert_eq!(&text[n.span.start..n.span.end], "legacy value here");
        assert!(value_of(doc, "FROM_ARG").is_template());
    }

    #[test]
    fn an_unterminated_quote_is_an_error() {
        let e = parse("ENV A=\"open\n").unwrap_err();
        assert_eq!(e.at, 6);
    }
}
