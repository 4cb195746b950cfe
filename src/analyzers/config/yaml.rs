//! YAML into the spanned tree, from `saphyr-parser` events (each with its span). Multi-document
//! streams give several documents; anchors and aliases are expanded under a node budget, so an
//! alias bomb stops at once with a parse error; merge keys (`<<: *base`) are applied; custom
//! tags (`!Ref`, `!Sub`, `!GetAtt`) are templates. Nesting is bounded; the builder is iterative.
use super::tree::{Document, Entry, MAX_DEPTH, Node, ParseError, Value};
use crate::finding::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

/// How many nodes alias expansion may add to one file.
pub const MAX_ALIAS_NODES: usize = 50_000;

pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    let masked = mask_templates(text);
    let src = masked.as_deref().unwrap_or(text);
    Builder::new(src).run()
}

/// Helm and other Go-template YAML: `{{ ... }}` directives become same-length template
/// placeholders (or blanks when they fill a line), so the rest parses and every span holds.
fn mask_templates(text: &str) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        let only_directives = {
            let mut t = line.trim();
            while let Some(s) = t.strip_prefix("{{") {
                match s.find("}}") {
                    Some(e) => t = s[e + 2..].trim_start(),
                    None => break,
                }
            }
            t.is_empty() && line.trim_start().starts_with("{{")
        };
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open..].find("}}") else {
                break;
            };
            let end = open + close + 2;
            out.push_str(&rest[..open]);
            let len = rest[open..end].len();
            if only_directives {
                out.push_str(&" ".repeat(len));
            } else {
                out.push('$');
                out.push_str(&"_".repeat(len - 1));
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
    }
    Some(out)
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tagged: bool,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tagged: bool,
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    text: &'a str,
    /// Byte offset of each character index, when the text is not ASCII.
    char_offsets: Option<Vec<usize>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    /// Nodes finished so far, bounded by `MAX_NODES`.
    nodes: usize,
    docs: Vec<Document>,
}

/// A closed collection's node; one with a custom tag (`!Ref`, `!vault`) is computed elsewhere.
fn collection(span: Span, tagged: bool, node: impl FnOnce() -> Node) -> Node {
    if tagged {
        Node::new(span, Value::Template("!".into()))
    } else {
        node()
    }
}

/// A mapping's entries with those of its merge keys (`<<: *base`, `<<: [*a, *b]`) that it does
/// not set itself.
fn merged(mut entries: Vec<Entry>, merges: Vec<Node>) -> Vec<Entry> {
    for m in merges {
        let sources: Vec<&Node> = match &m.value {
            Value::Array(a) => a.iter().collect(),
            _ => vec![&m],
        };
        for src in sources {
            for e in src.entries() {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e.clone());
                }
            }
        }
    }
    entries
}

fn count_nodes(n: &Node) -> usize {
    match &n.value {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(e) => 1 + e.iter().map(|e| count_nodes(&e.node)).sum::<usize>(),
        _ => 1,
    }
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        let char_offsets = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        Builder {
            text,
            char_offsets,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            nodes: 0,
            docs: Vec::new(),
        }
    }

    fn offset(&self, char_index: usize) -> usize {
        match &self.char_offsets {
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }

    fn run(mut self) -> Result<Vec<Document>, ParseError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(ev) = parser.next_event() {
            let (ev, span) = ev.map_err(|e| ParseError {
                at: self.offset(e.marker().index()),
                message: e.info().to_string(),
            })?;
            let (start, end) = (
                self.offset(span.start.index()),
                self.offset(span.end.index()),
            );
            self.event(ev, start, end)?;
        }
        Ok(self.docs)
    }

    /// One parser event at `start..end`: a scalar, a collection opened or closed, an alias.
    fn event(&mut self, ev: Event, start: usize, end: usize) -> Result<(), ParseError> {
        let custom =
            |tag: Option<std::borrow::Cow<'_, Tag>>| tag.is_some_and(|t| !t.is_yaml_core_schema());
        match ev {
            Event::Scalar(v, style, anchor, tag) => {
                let span = Span::new(start, scalar_end(self.text, start, end, style));
                let node = match &tag {
                    Some(t) if !t.is_yaml_core_schema() => {
                        Node::new(span, Value::Template(format!("{}{}", t.handle, t.suffix)))
                    }
                    Some(t) if t.suffix == "str" => Node::string(span, v.into_owned()),
                    _ if style == ScalarStyle::Plain => plain_scalar(span, &v),
                    _ => Node::string(span, v.into_owned()),
                };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => self.open(
                start,
                Frame::Seq {
                    start,
                    anchor,
                    tagged: custom(tag),
                    items: Vec::new(),
                },
            ),
            Event::MappingStart(anchor, tag) => self.open(
                start,
                Frame::Map {
                    start,
                    anchor,
                    tagged: custom(tag),
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                },
            ),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(frame) => self.close(frame, end),
                None => Ok(()),
            },
            Event::Alias(id) => self.alias(id, start),
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => Ok(()),
        }
    }

    /// A sequence or mapping ends at `end`: its node (with merge keys `<<` applied to a
    /// mapping's entries; a custom-tagged collection is a template) goes to its parent.
    fn close(&mut self, frame: Frame, end: usize) -> Result<(), ParseError> {
        let (node, anchor) = match frame {
            Frame::Seq {
                start,
                anchor,
                tagged,
                items,
            } => {
                let span = Span::new(start, end.max(start));
                (
                    collection(span, tagged, || Node::new(span, Value::Array(items))),
                    anchor,
                )
            }
            Frame::Map {
                start,
                anchor,
                tagged,
                entries,
                merges,
                ..
            } => {
                let span = Span::new(start, end.max(start));
                let entries = merged(entries, merges);
                (
                    collection(span, tagged, || Node::object(span, entries)),
                    anchor,
                )
            }
        };
        self.finish(node, anchor)
    }

    /// An alias is a copy of its anchor's node, within the alias budget.
    fn alias(&mut self, id: usize, at: usize) -> Result<(), ParseError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(ParseError {
                at,
                message: "alias to an unknown anchor".into(),
            });
        };
        self.alias_nodes += size;
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(ParseError {
                at,
                message: format!(
                    "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); not expanded"
                ),
            });
        }
        let node = node.clone();
        self.finish(node, 0)
    }

    /// A sequence or mapping opens at `at`, unless it nests too deep.
    fn open(&mut self, at: usize, frame: Frame) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError {
                at,
                message: format!("nested deeper than {MAX_DEPTH} levels"),
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Places a finished node in its parent (or as a document root) and records its anchor.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > super::tree::MAX_NODES {
            return Err(ParseError {
                at: node.span.start,
                message: super::tree::TOO_MANY_NODES.into(),
            });
        }
        if anchor > 0 {
            let size = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.docs.push(Document { root: node }),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let k = node.scalar_text().unwrap_or_else(|| match &node.value {
                        Value::Template(t) => t.clone(),
                        Value::Null => String::new(),
                        _ => String::new(),
                    });
                    *key = Some((k, node.span));
                }
                Some((k, _)) if k == "<<" => merges.push(node),
                Some((k, key_span)) => entries.push(Entry {
                    key: k,
                    key_span,
                    node,
                }),
            },
        }
        Ok(())
    }
}

/// Where a scalar really ends: the parser's span can run past a quoted scalar or include
/// trailing blanks.
fn scalar_end(text: &str, start: usize, end: usize, style: ScalarStyle) -> usize {
    let b = text.as_bytes();
    match style {
        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
            let q = b.get(start).copied().unwrap_or(b'"');
            let mut i = start + 1;
            while i < b.len() {
                if q == b'"' && b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            end
        }
        ScalarStyle::Plain => {
            let mut e = end.min(text.len());
            while e > start && matches!(b[e - 1], b' ' | b'\t' | b'\r' | b'\n') {
                e -= 1;
            }
            e
        }
        _ => end,
    }
}

/// YAML 1.2 core schema for plain scalars, plus the YAML 1.1 booleans docker-compose users write.
fn plain_scalar(span: Span, s: &str) -> Node {
    let value = match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            let looks_numeric = s
                .trim_start_matches(['-', '+'])
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.')
                && !s.contains(':');
            match s.replace('_', "").parse::<f64>() {
                Ok(n) if looks_numeric && n.is_finite() => Value::Number(n),
                _ => return Node::string(span, s.to_string()),
            }
        }
    };
    Node::new(span, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let text =
            "ttl:\n  access_token: 1h\n  refresh_token: 720h\nstrategies:\n  access_token: jwt\n";
        let doc = &parse(text).unwrap()[0];
        let e = doc.root.get("ttl").unwrap().entry("access_token").unwrap();
        assert_eq!(&text[e.key_span.start..e.key_span.end], "access_token");
        assert_eq!(&text[e.node.span.start..e.node.span.end], "1h");
    }

    #[test]
    fn non_ascii_text_maps_characters_to_bytes() {
        let text = "# ключ\nsecret: été\n";
        let doc = &parse(text).unwrap()[0];
        let n = doc.root.get("secret").unwrap();
        assert_eq!(&text[n.span.start..n.span.end], "été");
    }

    #[test]
    fn multi_document_streams_and_custom_tags() {
        let text = "a: 1\n---\nb: !Ref Secret\nc: !GetAtt [X, Y]\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].root.get("b").unwrap().is_template());
        assert!(docs[1].root.get("c").unwrap().is_template());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b\n  jwt_secret: abc\nsvc:\n  <<: *b\n  other: 1\nref: *b\n";
        let doc = &parse(text).unwrap()[0];
        assert_eq!(
            doc.root
                .get("svc")
                .unwrap()
                .get("jwt_secret")
                .unwrap()
                .as_str(),
            Some("abc")
        );
        assert!(doc.root.get("ref").unwrap().get("jwt_secret").is_some());
    }

    #[test]
    fn alias_bomb_finishes_fast_with_a_clear_error() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names: Vec<char> = ('b'..='j').collect();
        let mut prev = 'a';
        for n in names {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{n}: &{n} [{refs}]\n"));
            prev = n;
        }
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{}", e.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        for text in [
            "[".repeat(100_000),
            "{a: ".repeat(100_000),
            "- ".repeat(100_000),
        ] {
            let started = std::time::Instant::now();
            let e = parse(&text).unwrap_err();
            let m = &e.message;
            assert!(
                m.contains("nested deeper") || m.contains("recursion limit"),
                "{m}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        let nested: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(
            parse(&nested)
                .unwrap_err()
                .message
                .contains("nested deeper")
        );
    }

    #[test]
    fn helm_templates_are_masked() {
        let text = "{{- if .Values.auth }}\njwt:\n  secret: {{ .Values.jwt.secret }}\n{{- end }}\n";
        let doc = &parse(text).unwrap()[0];
        assert!(
            doc.root
                .get("jwt")
                .unwrap()
                .get("secret")
                .unwrap()
                .is_template()
        );
    }

    #[test]
    fn quoted_scalar_spans_end_at_the_quote() {
        let text = "a: \"PT1H\" # comment\nb: 'it''s' # c\n";
        let doc = &parse(text).unwrap()[0];
        let a = doc.root.get("a").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], "\"PT1H\"");
        let b = doc.root.get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "'it''s'");
    }

    #[test]
    fn scalars_are_typed() {
        let doc = &parse("a: false\nb: '3600'\nc: 3600\nd: 1h30m\ne: ~\n").unwrap()[0];
        assert_eq!(doc.root.get("a").unwrap().value, Value::Bool(false));
        assert_eq!(doc.root.get("b").unwrap().value, Value::Str("3600".into()));
        assert_eq!(doc.root.get("c").unwrap().value, Value::Number(3600.0));
        assert_eq!(doc.root.get("e").unwrap().value, Value::Null);
    }
}
