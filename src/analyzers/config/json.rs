//! A small JSON parser that keeps the byte span of every key and value. Tolerates what config
//! files written by hand contain (`//` and `/* */` comments, trailing commas); nesting is bounded.
use super::tree::{Document, Entry, MAX_DEPTH, MAX_NODES, Node, ParseError, Value};
use crate::finding::Span;

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    let mut p = Parser {
        b: text.as_bytes(),
        text,
        i: 0,
        nodes: 0,
    };
    if text.starts_with('\u{feff}') {
        p.i = 3;
    }
    p.ws()?;
    let root = p.value(0)?;
    p.ws()?;
    if p.i < p.b.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(vec![Document { root }])
}

struct Parser<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    /// Values parsed so far, bounded by [`MAX_NODES`].
    nodes: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> ParseError {
        ParseError {
            at: self.i.min(self.b.len()),
            message: message.to_string(),
        }
    }

    fn ws(&mut self) -> Result<(), ParseError> {
        loop {
            match self.b.get(self.i) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    let end = self.text[self.i + 2..]
                        .find("*/")
                        .ok_or_else(|| self.err("unterminated comment"))?;
                    self.i += end + 4;
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.err(super::tree::TOO_MANY_NODES));
        }
        let start = self.i;
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::string(Span::new(start, self.i), s))
            }
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                let n: f64 = self.text[start..self.i].parse().map_err(|_| ParseError {
                    at: start,
                    message: format!("invalid number `{}`", &self.text[start..self.i]),
                })?;
                Ok(Node::new(Span::new(start, self.i), Value::Number(n)))
            }
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Node, ParseError> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            let start = self.i;
            self.i += w.len();
            Ok(Node::new(Span::new(start, self.i), v))
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.i..];
            let Some(stop) = rest.find(['"', '\\', '\n']) else {
                self.i = open;
                return Err(self.err("unterminated string"));
            };
            out.push_str(&rest[..stop]);
            self.i += stop;
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\n' => {
                    self.i = open;
                    return Err(self.err("unterminated string"));
                }
                _ => {
                    let esc = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match esc {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'u') => {
                            let hex = self.b.get(self.i..self.i + 4).unwrap_or(&[]);
                            if hex.len() < 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                                // At the backslash, not where a swallowed quote shows up later.
                                self.i -= 2;
                                return Err(
                                    self.err("invalid `\\u` escape: expected four hex digits")
                                );
                            }
                            let hex = std::str::from_utf8(hex).expect("ASCII hex digits");
                            let c = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .unwrap_or('\u{fffd}');
                            out.push(c);
                            self.i += 4;
                        }
                        Some(c) if c.is_ascii() => out.push(c as char),
                        _ => {
                            self.i -= 2;
                            return Err(self.err("invalid escape in string"));
                        }
                    }
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut entries = Vec::new();
        loop {
            self.ws()?;
            match self.b.get(self.i) {
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Node::object(Span::new(start, self.i), entries));
                }
                Some(b'"') => {}
                None => return Err(self.err("unterminated object: expected `}`")),
                Some(_) => return Err(self.err("expected a string key or `}`")),
            }
            let ks = self.i;
            let key = self.string()?;
            let key_span = Span::new(ks, self.i);
            self.ws()?;
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err("expected `:` after the key"));
            }
            self.i += 1;
            self.ws()?;
            let node = self.value(depth + 1)?;
            entries.push(Entry {
                key,
                key_span,
                node,
            });
            self.ws()?;
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {}
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.ws()?;
            if self.b.get(self.i) == Some(&b']') {
                self.i += 1;
                return Ok(Node::new(Span::new(start, self.i), Value::Array(items)));
            }
            if self.i >= self.b.len() {
                return Err(self.err("unterminated array: expected `]`"));
            }
            items.push(self.value(depth + 1)?);
            self.ws()?;
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {}
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = r#"{"realm": "shop", "accessTokenLifespan": 3600, "x": [true, null]}"#;
        let doc = &parse(text).unwrap()[0];
        let e = doc.root.entry("accessTokenLifespan").unwrap();
        assert_eq!(
            &text[e.key_span.start..e.key_span.end],
            "\"accessTokenLifespan\""
        );
        assert_eq!(&text[e.node.span.start..e.node.span.end], "3600");
        assert_eq!(e.node.as_f64(), Some(3600.0));
        assert_eq!(doc.root.get("realm").unwrap().as_str(), Some("shop"));
    }

    #[test]
    fn cloudformation_intrinsics_are_templates() {
        let doc =
            &parse(r#"{"a": {"Ref": "Secret"}, "b": {"Fn::GetAtt": ["X", "Y"]}}"#).unwrap()[0];
        assert!(doc.root.get("a").unwrap().is_template());
        assert!(doc.root.get("b").unwrap().is_template());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{}", e.message);
        let text = "{\"a\":".repeat(100_000);
        assert!(parse(&text).unwrap_err().message.contains("nested deeper"));
    }

    #[test]
    fn errors_carry_a_position() {
        let e = parse("{\"a\": 1,\n \"b\" 2}").unwrap_err();
        assert_eq!(e.at, 14);
        assert!(parse("{\"a\": \"x}").is_err());
        assert!(parse("// c\n{\"a\": 1,}").is_ok());
    }

    /// `"\u12"` swallowed the closing quote and failed eight columns later ("expected `,`").
    #[test]
    fn a_short_unicode_escape_is_reported_at_the_backslash() {
        let text = r#"{"jwt": {"secret": "\u12"}}"#;
        let e = parse(text).unwrap_err();
        assert_eq!(
            (e.at, e.message.as_str()),
            (20, r"invalid `\u` escape: expected four hex digits")
        );
        let doc = &parse(r#"{"a": "\u00e9\u0041"}"#).unwrap()[0];
        assert_eq!(doc.root.get("a").unwrap().as_str(), Some("éA"));
    }

    #[test]
    fn a_data_file_of_millions_of_values_is_refused_before_it_fills_memory() {
        let just = format!("[{}0]", "0,".repeat(MAX_NODES - 2));
        assert!(parse(&just).is_ok());
        let over = format!("[{}0]", "0,".repeat(MAX_NODES - 1));
        let e = parse(&over).unwrap_err();
        assert_eq!(e.message, super::super::tree::TOO_MANY_NODES);
    }
}
