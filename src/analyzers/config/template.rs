//! Config templates (Tera, Jinja, Go templates and Helm charts, Handlebars): the tags
//! `{{ … }}`, `{% … %}` and `{# … #}` are blanked to spaces (newlines inside them kept), so every
//! byte offset and line of the masked text is the original's and the file parses as the format
//! of its inner extension. Three `{{ … }}` positions are masked with other ASCII of the same
//! length so the line still parses: a whole value becomes `""` and spaces (JSON and TOML have no
//! empty values), a key or a part of a longer text becomes `_`. A value that was a template
//! expression is then marked as computed elsewhere ([`Value::Template`]), never read as a literal.
use super::tree::{Node, Value};
use std::ops::Range;

/// The text with its template tags blanked, and the byte ranges of those tags.
pub fn mask(text: &str) -> (String, Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut tags = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        let close: &[u8] = match (b[i], b[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let end = memchr::memmem::find(&b[i + 2..], close).map_or(b.len(), |n| i + 2 + n + 2);
        // A tag where a key goes (`{{ name }}: value`) becomes a key of `_`, and one that is a
        // whole value (`"ttl": {{ .Values.ttl }}`, `ttl = {{ ttl }}`) an empty string `""`, so
        // that JSON and TOML, which have no empty values, still parse.
        // Inside other text (`url: {{ a }}-{{ b }}`) it becomes `_`, so the text stays one scalar.
        let value = value_position(text, i, end);
        let fill = if !value && (key_position(text, i, end) || inline(text, i, end)) {
            b'_'
        } else {
            b' '
        };
        for byte in &mut out[i..end] {
            if !matches!(*byte, b'\n' | b'\r') {
                *byte = fill;
            }
        }
        if value {
            out[i] = b'"';
            out[i + 1] = b'"';
        }
        tags.push(i..end);
        i = end;
    }
    // Only ASCII bytes were written, and whole tags (which start and end on ASCII) were replaced.
    let masked = String::from_utf8(out).unwrap_or_else(|_| text.to_string());
    (masked, tags)
}

/// Whether the tag at `start..end` sits in a key: on one line, with no `:` before it on that line
/// and a `:` after it.
fn key_position(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
    let tag = &text[start..end];
    tag.starts_with("{{")
        && !tag.contains('\n')
        && !text[line_start..start].contains([':', '='])
        && text[end..line_end].contains([':', '='])
}

/// Whether the `{{ … }}` tag at `start..end` is written inside a line's text (after a `:` or
/// `=`), rather than on a line of its own.
fn inline(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let tag = &text[start..end];
    tag.starts_with("{{") && !tag.contains('\n') && text[line_start..start].contains([':', '='])
}

/// Whether the `{{ … }}` tag at `start..end` is a whole value: after `:`, `=`, `[`, `,` or a
/// YAML list dash, and before the end of the line, a comment, `,`, `]` or `}`.
fn value_position(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
    let tag = &text[start..end];
    if !tag.starts_with("{{") || tag.contains('\n') {
        return false;
    }
    let before = text[line_start..start].trim_end();
    let after = text[end..line_end].trim_start();
    let opens = match before.chars().last() {
        Some(':' | '=' | '[' | ',') => true,
        Some('-') => before.trim_start() == "-",
        _ => false,
    };
    opens && (after.is_empty() || after.starts_with([',', ']', '}', '#', '\r']))
}

/// Marks every scalar whose span touches a tag as a template, holding its original text.
pub fn mark_expressions(node: &mut Node, tags: &[Range<usize>], original: &str) {
    let (start, end) = (node.span.start, node.span.end.max(node.span.start + 1));
    let touches = tags.iter().any(|t| t.start < end && start < t.end);
    match &mut node.value {
        Value::Object(entries) => {
            for e in entries {
                mark_expressions(&mut e.node, tags, original);
            }
        }
        Value::Array(items) => {
            for n in items {
                mark_expressions(n, tags, original);
            }
        }
        Value::Str(_) | Value::Number(_) | Value::Bool(_) if touches => {
            let text = original
                .get(node.span.start..node.span.end)
                .unwrap_or("")
                .to_string();
            node.value = Value::Template(text);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzers::config::parse;
    use crate::source::ConfigFormat;

    #[test]
    fn tags_become_spaces_and_lines_stay() {
        let text = "{% if prod %}\na: {{ x }}é\n{# note\nmore #}\nb: 1\n{% endif %}\n";
        let (m, tags) = mask(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(m.lines().count(), text.lines().count());
        assert_eq!(tags.len(), 4);
        assert!(!m.contains('{'));
        assert_eq!(m.find("b: 1"), text.find("b: 1"));
        let (m, _) = mask("  {{ name }}: \"{{ url }}\"\n");
        assert_eq!(m, "  __________: \"_________\"\n");
    }

    #[test]
    fn json_and_toml_templates_parse_with_expression_values() {
        let json = "{\n  \"jwt\": {\"expiresIn\": {{ .Values.ttl }}, \"secret\": \"{{ s }}\"},\n  \"list\": [{{ a }}, 1]\n}\n";
        let (m, tags) = mask(json);
        let mut docs = parse(ConfigFormat::Json, &m).unwrap();
        mark_expressions(&mut docs[0].root, &tags, json);
        let jwt = docs[0].root.get("jwt").unwrap();
        assert!(jwt.get("expiresIn").unwrap().is_template());
        assert!(jwt.get("secret").unwrap().is_template());
        let toml = "[jwt]\nttl = {{ ttl }}\nsecret = \"{{ secret }}\"\n{{ extra_key }} = 1\n";
        let (m, tags) = mask(toml);
        let mut docs = parse(ConfigFormat::Toml, &m).unwrap();
        mark_expressions(&mut docs[0].root, &tags, toml);
        let jwt = docs[0].root.get("jwt").unwrap();
        assert!(jwt.get("ttl").unwrap().is_template());
        assert!(jwt.get("secret").unwrap().is_template());
        let (m, _) = mask("items:\n  - {{ x }}\nurl: {{ a }}-{{ b }}\n");
        assert!(
            m.contains("- \"\"") && m.contains("url: _______-_______"),
            "{m}"
        );
        assert!(parse(ConfigFormat::Yaml, &m).is_ok(), "{m}");
    }

    #[test]
    fn values_that_are_expressions_are_templates() {
        let text = "auth:\n  jwt:\n    secret: \"{{ .Values.jwt.secret }}\"\n    expiration: {{ .Values.jwt.expiry }}\n    other: 604800\n";
        let (m, tags) = mask(text);
        let mut docs = parse(ConfigFormat::Yaml, &m).unwrap();
        mark_expressions(&mut docs[0].root, &tags, text);
        let jwt = docs[0].root.get("auth").unwrap().get("jwt").unwrap();
        assert!(jwt.get("secret").unwrap().is_template());
        assert!(!matches!(
            jwt.get("expiration").map(|n| &n.value),
            Some(Value::Str(_) | Value::Number(_))
        ));
        assert_eq!(jwt.get("other").unwrap().as_f64(), Some(604800.0));
    }
}
