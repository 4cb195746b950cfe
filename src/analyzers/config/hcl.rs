//! A minimal Terraform (HCL) reader for what the rules need: attributes, blocks with labels
//! (`resource "aws_cognito_user_pool_client" "web" { ... }`), nested blocks, and literal values
//! (strings, heredocs, numbers, bools, lists, objects). Any other expression (`var.x`,
//! `local.ttl * 60`, function calls, `[for …]` and `{for …}` expressions) is kept as a template;
//! [`super::terraform`] then puts variable defaults and locals in place of `var.x` and `local.x`. A block becomes nested objects keyed
//! by its type and labels; repeated blocks are repeated keys.
use super::tree::{Document, Entry, MAX_DEPTH, MAX_NODES, Node, ParseError, Value};
use crate::finding::Span;

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    parse_within(text, MAX_NODES)
}

/// [`parse`], refusing a file of more than `max` values (attributes, blocks, labels and the
/// items of lists and objects).
fn parse_within(text: &str, max: usize) -> Result<Vec<Document>, ParseError> {
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        i: 0,
        nodes: 0,
        max,
    };
    let entries = p.body(0, false)?;
    Ok(vec![Document {
        root: Node::new(Span::new(0, text.len()), Value::Object(entries)),
    }])
}

struct P<'a> {
    t: &'a str,
    b: &'a [u8],
    i: usize,
    /// Values started so far, bounded by `max` ([`MAX_NODES`]).
    nodes: usize,
    max: usize,
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-')
}

impl P<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            at: self.i.min(self.b.len()),
            message: message.into(),
        })
    }

    /// Skips spaces and comments; newlines too when `newlines`.
    fn skip(&mut self, newlines: bool) -> Result<(), ParseError> {
        loop {
            match self.b.get(self.i) {
                Some(b' ' | b'\t' | b'\r') => self.i += 1,
                Some(b'\n') if newlines => self.i += 1,
                Some(b'#') => self.line_comment(),
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => self.line_comment(),
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    match self.t[self.i + 2..].find("*/") {
                        Some(n) => self.i += n + 4,
                        None => return self.err("unterminated comment"),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Counts one more value; past the cap, the parse stops where that value starts.
    fn count(&mut self) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > self.max {
            return Err(ParseError {
                at: self.i.min(self.b.len()),
                message: super::tree::too_many_nodes(self.max),
            });
        }
        Ok(())
    }

    fn line_comment(&mut self) {
        self.i = self.t[self.i..]
            .find('\n')
            .map_or(self.b.len(), |n| self.i + n);
    }

    fn ident(&mut self) -> Option<(String, Span)> {
        let s = self.i;
        while self.i < self.b.len() && ident_char(self.b[self.i]) {
            self.i += 1;
        }
        (self.i > s).then(|| (self.t[s..self.i].to_string(), Span::new(s, self.i)))
    }

    fn body(&mut self, depth: usize, nested: bool) -> Result<Vec<Entry>, ParseError> {
        if depth > MAX_DEPTH {
            return self.err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        let mut entries = Vec::new();
        loop {
            self.skip(true)?;
            match self.b.get(self.i) {
                None if nested => return self.err("unterminated block: expected `}`"),
                None => return Ok(entries),
                Some(b'}') if nested => {
                    self.i += 1;
                    return Ok(entries);
                }
                _ => {}
            }
            self.count()?;
            let Some((name, name_span)) = self.ident() else {
                return self.err("expected an attribute or a block");
            };
            self.skip(false)?;
            if self.b.get(self.i) == Some(&b'=') && self.b.get(self.i + 1) != Some(&b'=') {
                self.i += 1;
                self.skip(false)?;
                let node = self.expr(depth + 1, true)?;
                entries.push(Entry {
                    key: name,
                    key_span: name_span,
                    node,
                });
                continue;
            }
            let mut labels = Vec::new();
            loop {
                // Each label is one more level of the tree (`a "b" "c" {}` is `a.b.c`).
                if depth + labels.len() > MAX_DEPTH {
                    return self.err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                self.skip(false)?;
                if self.b.get(self.i) != Some(&b'{') {
                    self.count()?;
                }
                match self.b.get(self.i) {
                    Some(b'{') => break,
                    Some(b'"') => {
                        let s = self.i;
                        let v = self.string()?;
                        labels.push((v, Span::new(s, self.i)));
                    }
                    _ => match self.ident() {
                        Some(l) => labels.push(l),
                        None => return self.err("expected `=`, a block label or `{`"),
                    },
                }
            }
            let open = self.i;
            self.i += 1;
            let inner = self.body(depth + 1, true)?;
            let span = Span::new(open, self.i);
            let mut node = Node::new(span, Value::Object(inner));
            for (label, lspan) in labels.into_iter().rev() {
                node = Node::new(
                    span,
                    Value::Object(vec![Entry {
                        key: label,
                        key_span: lspan,
                        node,
                    }]),
                );
            }
            entries.push(Entry {
                key: name,
                key_span: name_span,
                node,
            });
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut interp = 0usize;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\\' => {
                    let n = self.t[self.i + 1..].chars().next().unwrap_or(' ');
                    out.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    self.i += 1 + n.len_utf8();
                }
                b'$' if self.b.get(self.i + 1) == Some(&b'{') => {
                    interp += 1;
                    out.push_str("${");
                    self.i += 2;
                }
                b'}' if interp > 0 => {
                    interp -= 1;
                    out.push('}');
                    self.i += 1;
                }
                b'"' if interp == 0 => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\n' if interp == 0 => break,
                _ => {
                    let ch = self.t[self.i..].chars().next().unwrap_or(' ');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
        self.i = open;
        self.err("unterminated string")
    }

    /// A value; `attr` when it ends at the end of the line (an attribute), so that anything
    /// after a literal (`"a" + var.b`) turns the whole into a template.
    fn expr(&mut self, depth: usize, attr: bool) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return self.err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.count()?;
        let start = self.i;
        if self.is_for_expression() {
            // `[for c in local.clients : c.name]`, `{ for i, c in x : c.name => c }`: computed
            // elsewhere; read as one bracketed expression (iteratively, with a depth bound).
            return self.raw(start);
        }
        let lit = match self.b.get(self.i) {
            Some(b'"') => {
                let s = self.string()?;
                Some(Node::string(Span::new(start, self.i), s))
            }
            Some(b'<') if self.t[self.i..].starts_with("<<") => Some(self.heredoc()?),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip(true)?;
                    match self.b.get(self.i) {
                        Some(b']') => break,
                        None => return self.err("unterminated list: expected `]`"),
                        _ => {}
                    }
                    items.push(self.expr(depth + 1, false)?);
                    self.skip(true)?;
                    if self.b.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
                self.i += 1;
                Some(Node::new(Span::new(start, self.i), Value::Array(items)))
            }
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip(true)?;
                    let ks = self.i;
                    let key = match self.b.get(self.i) {
                        Some(b'}') => break,
                        None => return self.err("unterminated object: expected `}`"),
                        Some(b'"') => self.string()?,
                        _ => match self.ident() {
                            Some((k, _)) => k,
                            None => return self.err("expected an object key"),
                        },
                    };
                    let key_span = Span::new(ks, self.i);
                    self.skip(false)?;
                    if !matches!(self.b.get(self.i), Some(b'=' | b':')) {
                        return self.err("expected `=` after the object key");
                    }
                    self.i += 1;
                    self.skip(false)?;
                    let node = self.expr(depth + 1, false)?;
                    entries.push(Entry {
                        key,
                        key_span,
                        node,
                    });
                    self.skip(true)?;
                    if self.b.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
                self.i += 1;
                Some(Node::new(Span::new(start, self.i), Value::Object(entries)))
            }
            _ => {
                let s = self.i;
                while self.i < self.b.len()
                    && (ident_char(self.b[self.i]) || matches!(self.b[self.i], b'.' | b'+'))
                {
                    self.i += 1;
                }
                let word = &self.t[s..self.i];
                let span = Span::new(s, self.i);
                match word {
                    "true" => Some(Node::new(span, Value::Bool(true))),
                    "false" => Some(Node::new(span, Value::Bool(false))),
                    "null" => Some(Node::new(span, Value::Null)),
                    _ => word
                        .parse::<f64>()
                        .ok()
                        .map(|n| Node::new(span, Value::Number(n))),
                }
            }
        };
        self.skip(false)?;
        let at_end = match self.b.get(self.i) {
            None | Some(b'\n' | b'}' | b']' | b',') => true,
            Some(b':' | b'=') => !attr,
            _ => false,
        };
        if let Some(n) = lit
            && at_end
        {
            return Ok(n);
        }
        self.i = start;
        self.raw(start)
    }

    /// Whether a `[` or `{` here opens a for-expression.
    fn is_for_expression(&self) -> bool {
        if !matches!(self.b.get(self.i), Some(b'[' | b'{')) {
            return false;
        }
        let rest = self.t[self.i + 1..].trim_start();
        rest.strip_prefix("for")
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_whitespace)
    }

    /// Any other expression, up to the end of the line outside brackets and strings.
    fn raw(&mut self, start: usize) -> Result<Node, ParseError> {
        let mut depth = 0usize;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' | b'\n' if depth == 0 => break,
                b'"' => {
                    self.string()?;
                    continue;
                }
                // A comment ends the line's expression; inside brackets it is skipped.
                b'#' | b'/' if c == b'#' || self.b.get(self.i + 1) == Some(&b'/') => {
                    if depth == 0 {
                        break;
                    }
                    self.line_comment();
                    continue;
                }
                _ => {}
            }
            if depth > MAX_DEPTH {
                return self.err(format!("nested deeper than {MAX_DEPTH} levels"));
            }
            self.i += 1;
        }
        let text = self.t[start..self.i].trim_end();
        if text.is_empty() {
            return self.err("expected a value");
        }
        Ok(Node::new(
            Span::new(start, start + text.len()),
            Value::Template(text.to_string()),
        ))
    }

    fn heredoc(&mut self) -> Result<Node, ParseError> {
        let start = self.i;
        let line_end = self.t[self.i..]
            .find('\n')
            .map_or(self.b.len(), |n| self.i + n);
        let marker = self.t[self.i + 2..line_end].trim_start_matches('-').trim();
        if marker.is_empty() {
            return self.err("expected a heredoc marker");
        }
        let body_start = (line_end + 1).min(self.b.len());
        let mut pos = body_start;
        while pos < self.b.len() {
            let end = self.t[pos..].find('\n').map_or(self.b.len(), |n| pos + n);
            if self.t[pos..end].trim() == marker {
                let body = self.t[body_start..pos].to_string();
                self.i = end;
                return Ok(Node::string(Span::new(start, end), body));
            }
            pos = end + 1;
        }
        self.err(format!("unterminated heredoc `{marker}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_nested_objects() {
        let text = r#"
resource "aws_cognito_user_pool_client" "web" {
  name                   = "web"
  access_token_validity  = 24 # hours
  refresh_token_validity = var.refresh_days
  enable_token_revocation = false
  explicit_auth_flows    = ["ALLOW_REFRESH_TOKEN_AUTH"]
  token_validity_units {
    access_token = "hours"
  }
}
"#;
        let doc = &parse(text).unwrap()[0];
        let c = doc
            .root
            .at(&[
                "resource".into(),
                "aws_cognito_user_pool_client".into(),
                "web".into(),
            ])
            .unwrap();
        let v = c.entry("access_token_validity").unwrap();
        assert_eq!(&text[v.node.span.start..v.node.span.end], "24");
        assert!(c.get("refresh_token_validity").unwrap().is_template());
        assert_eq!(
            c.get("enable_token_revocation").unwrap().as_bool(),
            Some(false)
        );
        assert_eq!(
            c.get("token_validity_units")
                .unwrap()
                .get("access_token")
                .unwrap()
                .as_str(),
            Some("hours")
        );
    }

    #[test]
    fn expressions_are_templates() {
        let text =
            "a = 1 * 60\nb = \"x-${var.y}\"\nc = merge(\n  local.a,\n  {}\n)\nd = <<EOT\nhi\nEOT\n";
        let doc = &parse(text).unwrap()[0];
        assert!(doc.root.get("a").unwrap().is_template());
        let commented = &parse("a = var.ttl # hours\nb = local.x // note\n").unwrap()[0];
        for (k, want) in [("a", "var.ttl"), ("b", "local.x")] {
            let n = commented.root.get(k).unwrap();
            assert_eq!(n.value, Value::Template(want.into()), "{k}");
        }
        assert!(doc.root.get("b").unwrap().is_template());
        assert!(doc.root.get("c").unwrap().is_template());
        assert_eq!(doc.root.get("d").unwrap().as_str(), Some("hi\n"));
    }

    #[test]
    fn for_expressions_parse_as_computed_values() {
        let text = r#"
locals {
  by_name = { for i, c in local.clients : c.name => c if c.enabled }
  names   = [
    for c in local.clients :
    "${c.name}-app"
  ]
  grouped = { for c in var.clients : c.pool => c... }
}
resource "aws_cognito_user_pool_client" "each" {
  for_each              = { for i, c in local.clients : c.name => c }
  name                  = each.value.name
  access_token_validity = 24
}
"#;
        let doc = &parse(text).unwrap()[0];
        let locals = doc.root.get("locals").unwrap();
        for k in ["by_name", "names", "grouped"] {
            assert!(locals.get(k).unwrap().is_template(), "{k}");
        }
        let n = locals.get("names").unwrap();
        assert!(text[n.span.start..n.span.end].ends_with(']'));
        let c = doc
            .root
            .at(&[
                "resource".into(),
                "aws_cognito_user_pool_client".into(),
                "each".into(),
            ])
            .unwrap();
        assert!(c.get("for_each").unwrap().is_template());
        assert_eq!(c.get("access_token_validity").unwrap().as_f64(), Some(24.0));
        // A word that starts with `for` is a key, not a for-expression.
        let doc = &parse("a = { format = \"x\" }\n").unwrap()[0];
        assert_eq!(
            doc.root.get("a").unwrap().get("format").unwrap().as_str(),
            Some("x")
        );
        // Deeply nested for-expressions stay bounded.
        let deep = format!("a = {}\n", "[for x in ".repeat(50_000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn errors_and_depth() {
        assert!(parse("resource \"x\" \"y\" {\n a = 1\n").is_err());
        assert!(parse(&format!("a = {}", "[".repeat(100_000))).is_err());
        assert!(parse(&"b {\n".repeat(100_000)).is_err());
    }

    #[test]
    fn a_file_of_more_values_than_the_cap_is_refused_where_the_extra_one_starts() {
        // Two attributes, their values (a list and its three items), a block and its label.
        let text = "a = 1\nb = [2, 3, 4]\nc \"d\" {}\n";
        assert!(parse_within(text, 9).is_ok());
        let e = parse_within(text, 8).unwrap_err();
        assert_eq!(
            (e.at, e.message.as_str()),
            (
                22,
                "more than 8 values: a data file, not configuration (not read, to bound memory)"
            )
        );
    }
}
