//! TOML (also oauth2-proxy `.cfg`) into the spanned tree, through `toml`'s `DeTable` which keeps
//! the span of every key and value. The `toml` parser bounds nesting itself; the values are
//! counted first, so a data file of millions is refused before its tree is built.
use super::tree::{Document, Entry, MAX_NODES, Node, ParseError, Value};
use crate::finding::Span;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    parse_within(text, MAX_NODES)
}

/// [`parse`], refusing a file of more than `max` values.
fn parse_within(text: &str, max: usize) -> Result<Vec<Document>, ParseError> {
    if let Some(at) = past_value(text, max) {
        return Err(ParseError {
            at,
            message: super::tree::too_many_nodes(max),
        });
    }
    let table = DeTable::parse(text).map_err(|e| ParseError {
        at: e.span().map_or(0, |s| s.start),
        message: e.message().trim().to_string(),
    })?;
    let span = table.span();
    let root = Node::object(
        Span::new(span.start, span.end),
        table_entries(table.get_ref()),
    );
    Ok(vec![Document { root }])
}

/// Where the value numbered `max + 1` starts, if the text has that many. Counted on `toml`'s
/// tokens, without building anything: each `=` introduces a value, each `,` separates one more
/// in an array or inline table, and each `[` / `{` opens one (a table header counts too).
fn past_value(text: &str, max: usize) -> Option<usize> {
    use toml_parser::lexer::TokenKind;
    toml_parser::Source::new(text)
        .lex()
        .filter(|t| {
            matches!(
                t.kind(),
                TokenKind::Equals
                    | TokenKind::Comma
                    | TokenKind::LeftSquareBracket
                    | TokenKind::LeftCurlyBracket
            )
        })
        .nth(max)
        .map(|t| t.span().start())
}

fn table_entries(t: &DeTable<'_>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = t
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_span: Span::new(k.span().start, k.span().end),
            node: convert(v),
        })
        .collect();
    entries.sort_by_key(|e| e.key_span.start);
    entries
}

fn convert(v: &Spanned<DeValue<'_>>) -> Node {
    let span = Span::new(v.span().start, v.span().end);
    match v.get_ref() {
        DeValue::String(s) => Node::string(span, s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).unwrap_or(0);
            Node::new(span, Value::Number(n as f64))
        }
        DeValue::Float(f) => Node::new(
            span,
            Value::Number(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        ),
        DeValue::Boolean(b) => Node::new(span, Value::Bool(*b)),
        DeValue::Datetime(d) => Node::new(span, Value::Str(d.to_string())),
        DeValue::Array(a) => Node::new(span, Value::Array(a.iter().map(convert).collect())),
        DeValue::Table(t) => Node::object(span, table_entries(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_through_table_headers() {
        let text = "[auth]\njwt_expiry = 3600\nenable_refresh_token_rotation = false\n";
        let doc = &parse(text).unwrap()[0];
        let auth = doc.root.get("auth").unwrap();
        let e = auth.entry("jwt_expiry").unwrap();
        assert_eq!(&text[e.key_span.start..e.key_span.end], "jwt_expiry");
        assert_eq!(&text[e.node.span.start..e.node.span.end], "3600");
        assert_eq!(
            auth.get("enable_refresh_token_rotation").unwrap().as_bool(),
            Some(false)
        );
    }

    #[test]
    fn errors_have_a_position() {
        let e = parse("a = 1\nb = = 2\n").unwrap_err();
        assert!(e.at >= 6, "{e:?}");
        let deep = format!("a = {}", "[".repeat(100_000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn a_file_of_more_values_than_the_cap_is_refused_where_the_extra_one_starts() {
        let five = "a = [1, 2, 3]\nb = 4\n"; // `=`, `[`, two `,`, `=`: five values
        assert!(parse_within(five, 5).is_ok());
        let e = parse_within(five, 4).unwrap_err();
        assert_eq!(
            (e.at, e.message.as_str()),
            (
                16,
                "more than 4 values: a data file, not configuration (not read, to bound memory)"
            )
        );
        // Separators inside strings and comments are not values.
        assert!(parse_within("a = \"x, [y], {z} = w\" # , , ,\n", 1).is_ok());
    }
}
