//! One spanned tree for every config format: rules see key paths and typed values with their byte
//! spans and never care whether the file was TOML, YAML, JSON, `.env` or Terraform.
use crate::finding::Span;

/// How deep any parser lets a document nest before it gives up with a parse error. Walkers over
/// the tree may recurse: the depth is bounded here.
pub const MAX_DEPTH: usize = 128;

/// How many values a parser builds before it gives up with a parse error: a tree costs about
/// 100 bytes a value, and a file of millions of values is data, not configuration (a 62 MB JSON
/// file of 8 million values took 2 GiB).
pub const MAX_NODES: usize = 1_000_000;

/// The parse error past [`MAX_NODES`].
pub const TOO_MANY_NODES: &str =
    "more than 1,000,000 values: a data file, not configuration (not read, to bound memory)";

/// The parse error past a cap of `max` values ([`TOO_MANY_NODES`] for [`MAX_NODES`]).
pub fn too_many_nodes(max: usize) -> String {
    if max == MAX_NODES {
        return TOO_MANY_NODES.to_string();
    }
    format!("more than {max} values: a data file, not configuration (not read, to bound memory)")
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    /// A value computed elsewhere: `${VAR}`, `{{ .Values.x }}`, `!Ref`, `{"Fn::GetAtt": ..}`,
    /// `var.x`, `env(VAR)`. Never a literal. Holds the source text.
    Template(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub node: Node,
}

/// A parse failure at a byte offset.
#[derive(Debug, PartialEq)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

/// One parsed document (a YAML stream may hold several).
#[derive(Debug)]
pub struct Document {
    pub root: Node,
}

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Node { span, value }
    }

    /// A string value, classified: templated text becomes [`Value::Template`].
    pub fn string(span: Span, s: String) -> Self {
        let value = if is_template_text(&s) {
            Value::Template(s)
        } else {
            Value::Str(s)
        };
        Node { span, value }
    }

    /// An object; a CloudFormation intrinsic (`{"Ref": ..}`, `{"Fn::Sub": ..}`) becomes a template.
    pub fn object(span: Span, entries: Vec<Entry>) -> Self {
        if let [only] = entries.as_slice()
            && (only.key == "Ref" || only.key.starts_with("Fn::"))
        {
            return Node::new(span, Value::Template(only.key.clone()));
        }
        Node::new(span, Value::Object(entries))
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Object(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(a) => a,
            _ => &[],
        }
    }

    /// The first entry named `key` (exactly).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    /// Follows a path of keys; `None` when any step is missing.
    pub fn at<'a>(&'a self, path: &[String]) -> Option<&'a Node> {
        let mut cur = self;
        for k in path {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// The entry at the end of a path (for its key span).
    pub fn entry_at<'a>(&'a self, path: &[String]) -> Option<&'a Entry> {
        let (last, parents) = path.split_last()?;
        self.at(parents)?.entry(last)
    }

    pub fn is_template(&self) -> bool {
        matches!(self.value, Value::Template(_))
    }

    /// A literal string (not a template).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean, also as config files spell it in strings (`"false"`, `off`, `0` in `.env`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A number, also when written as a numeric string.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The scalar as text (`"3600"`, `"true"`, `"7d"`); `None` for arrays, objects, templates.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Whether a string is computed elsewhere rather than a literal: shell and compose
/// interpolation (`${VAR}`, `$VAR`), Go/Helm/Jinja templates (`{{ .Values.x }}`), ERB
/// (`<%= %>`), Supabase `env(VAR)`, Terraform references (`var.x`, `local.x`).
pub fn is_template_text(s: &str) -> bool {
    let t = s.trim();
    if crate::placeholder::interpolation(t) {
        return true;
    }
    if t.starts_with("env(") && t.ends_with(')') {
        return true;
    }
    ["var.", "local.", "module.", "data."]
        .iter()
        .any(|p| t.starts_with(p) && !t.contains(' '))
}

/// `${NAME:-fallback}` / `${NAME-fallback}` as the whole value: the variable and its literal
/// fallback (what the value is when the variable is unset).
pub fn env_fallback(s: &str) -> Option<(&str, &str)> {
    let inner = s.trim().strip_prefix("${")?.strip_suffix('}')?;
    let at = inner.find([':', '-'])?;
    let name = &inner[..at];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let rest = &inner[at..];
    let fallback = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-'))?;
    if fallback.is_empty() || fallback.contains('$') || fallback.contains('}') {
        return None;
    }
    Some((name, fallback))
}

/// One leaf setting as generic rules see it: where it sits (`["services", "api",
/// "environment", "JWT_SECRET"]`), its key and the value. Docker-compose `- KEY=value` lists and
/// Kubernetes `env: [{name, value}]` lists appear as ordinary keys.
#[derive(Clone, Debug)]
pub struct Setting {
    pub path: Vec<String>,
    pub key_span: Span,
    pub node: Node,
}

impl Setting {
    pub fn key(&self) -> &str {
        self.path.last().map_or("", String::as_str)
    }
}

/// Every leaf under `root`, with env-list forms turned into keys. `skip` prunes subtrees.
pub fn settings(root: &Node, skip: &dyn Fn(&Node) -> bool) -> Vec<Setting> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect(root, &mut path, root.span, skip, &mut out);
    out
}

fn collect(
    node: &Node,
    path: &mut Vec<String>,
    key_span: Span,
    skip: &dyn Fn(&Node) -> bool,
    out: &mut Vec<Setting>,
) {
    if skip(node) {
        return;
    }
    match &node.value {
        Value::Object(entries) => {
            for e in entries {
                path.push(e.key.clone());
                collect(&e.node, path, e.key_span, skip, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Some((k, ks, v)) = env_item(item) {
                    path.push(k);
                    out.push(Setting {
                        path: path.clone(),
                        key_span: ks,
                        node: v,
                    });
                    path.pop();
                } else {
                    collect(item, path, key_span, skip, out);
                }
            }
        }
        _ => out.push(Setting {
            path: path.clone(),
            key_span,
            node: node.clone(),
        }),
    }
}

/// `- KEY=value` (docker-compose) or `{name: KEY, value: v}` (Kubernetes, ECS).
fn env_item(item: &Node) -> Option<(String, Span, Node)> {
    match &item.value {
        Value::Str(s) | Value::Template(s) => {
            let (k, v) = s.split_once('=')?;
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            // The item's span may include quotes; find the text inside it.
            let quoted = item.span.end - item.span.start > s.len();
            let base = item.span.start + usize::from(quoted);
            let key_span = Span::new(base, base + k.len());
            let vs = Span::new(base + k.len() + 1, base + s.len());
            Some((k.to_string(), key_span, Node::string(vs, v.to_string())))
        }
        Value::Object(_) => {
            let name = item.entry("name")?;
            let value = item.get("value")?;
            let k = name.node.as_str()?;
            Some((k.to_string(), name.node.span, value.clone()))
        }
        _ => None,
    }
}

/// Splits a key into lowercase words: `accessTokenLifespan`, `ACCESS_TOKEN_TTL`,
/// `access-token.ttl` all give `access token ...`.
pub use crate::words::words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_every_spelling() {
        assert_eq!(
            words("accessTokenLifespan"),
            ["access", "token", "lifespan"]
        );
        assert_eq!(
            words("ACCESS_TOKEN_EXPIRE_MINUTES"),
            ["access", "token", "expire", "minutes"]
        );
        assert_eq!(words("JWTExpiresIn"), ["jwt", "expires", "in"]);
        assert_eq!(
            words("access.token.lifespan"),
            ["access", "token", "lifespan"]
        );
    }

    #[test]
    fn templates_are_not_literals() {
        for t in [
            "${JWT_SECRET}",
            "{{ .Values.secret }}",
            "$SECRET",
            "env(SUPABASE_KEY)",
            "var.secret",
            "<%= ENV['X'] %>",
        ] {
            assert!(is_template_text(t), "{t}");
        }
        for t in ["change-me", "$2b$10$abc", "3600", "var"] {
            assert!(!is_template_text(t), "{t}");
        }
    }

    #[test]
    fn env_fallbacks() {
        assert_eq!(
            env_fallback("${JWT_SECRET:-dev}"),
            Some(("JWT_SECRET", "dev"))
        );
        assert_eq!(
            env_fallback("${JWT_SECRET-dev}"),
            Some(("JWT_SECRET", "dev"))
        );
        assert_eq!(env_fallback("${JWT_SECRET:?required}"), None);
        assert_eq!(env_fallback("${JWT_SECRET}"), None);
    }

    #[test]
    fn compose_and_kubernetes_env_lists_become_keys() {
        let s = |span: (usize, usize), v: &str| Node::string(Span::new(span.0, span.1), v.into());
        let list = Node::new(
            Span::new(0, 20),
            Value::Array(vec![s((2, 16), "JWT_SECRET=abc")]),
        );
        let got = settings(&list, &|_| false);
        assert_eq!(got[0].path, ["JWT_SECRET"]);
        assert_eq!(got[0].node.as_str(), Some("abc"));
        assert_eq!(got[0].node.span, Span::new(13, 16));
    }
}
