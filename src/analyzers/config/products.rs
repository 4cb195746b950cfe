//! Product knowledge, as data: each `rules/products/<product>.toml` says how to recognise the
//! product's config file, where its settings live (the realm, each client, each CloudFormation
//! resource) and what each key means (which rule, which unit, which default). Adding a product is
//! adding a file. This module loads those files and finds the entities in a parsed document.
use super::tree::{Node, Value};
use crate::finding::Span;
use crate::source::ConfigFormat;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/product_files.rs"));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// The product's name as messages show it ("Keycloak").
    pub name: String,
    /// Formats its files come in (`toml`, `yaml`, `json`, `env`, `hcl`); empty means any.
    #[serde(default)]
    pub formats: Vec<String>,
    /// Globs matched against the end of the file's path (`supabase/config.toml`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Content signatures: a document is this product's when it has every key path of one set.
    #[serde(default)]
    pub signatures: Vec<Vec<String>>,
    /// The whole document is this product's config: the generic key rules stay off in it.
    #[serde(default)]
    pub exclusive: bool,
    /// The product is a proxy that logs users in for the apps behind it (oauth2-proxy,
    /// Authelia), not an identity provider the apps call: the design verdict says so.
    #[serde(default)]
    pub proxy: bool,
    #[serde(default, rename = "entity")]
    pub entities: Vec<Entity>,
    #[serde(skip)]
    path_set: Option<GlobSet>,
}

/// A place settings live: the document root, each item of an array, each value of an object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Path from the document root: `""` (the root), `clients[]` (each item), `Resources.*`
    /// (each value; its key is `{$key}` in the label).
    #[serde(default)]
    pub at: String,
    /// How messages name it: `Keycloak realm `{realm}``; `{path}` is read from the entity,
    /// `{/path}` from the document root, `{$key}` is the object key matched by `*`.
    pub label: String,
    /// Sub-path under the entity where the keys are (`Properties` for CloudFormation).
    #[serde(default)]
    pub settings: String,
    /// Conditions the entity must meet (`Type` equals `AWS::Cognito::UserPoolClient`).
    #[serde(default, rename = "where")]
    pub conditions: Vec<Condition>,
    /// Below each match of `at` (and of `where`): the places the settings really are, as a path
    /// of the same form (`clients[]`: each client passed to a Terraform module).
    #[serde(default)]
    pub each: String,
    /// Only in files whose path matches one of these globs.
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default, rename = "key")]
    pub keys: Vec<Key>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Key path relative to the entity (for `where`) or to its settings (for a key's `if`).
    pub path: String,
    #[serde(default)]
    pub equals: Option<toml::Value>,
    #[serde(default)]
    pub not_equals: Option<toml::Value>,
    /// `true`: the key must be there; `false`: it must be absent.
    #[serde(default)]
    pub present: Option<bool>,
    /// The array at `path`, if there, must contain this string.
    #[serde(default)]
    pub contains: Option<String>,
    /// The string at `path` must hold one of these texts, in any case (a module `source`).
    #[serde(default)]
    pub mentions: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Lifetime of an access, ID or bearer token (`access-token-ttl-too-long`).
    AccessTtl,
    /// Lifetime of a refresh token or of the login it keeps alive (`refresh-token-ttl-too-long`).
    RefreshTtl,
    /// One of `values` means tokens never expire (`token-without-expiry`).
    NoExpiry,
    /// One of `values` means refresh tokens are not rotated (`refresh-token-rotation-disabled`).
    RotationOff,
    /// A window or count in which a rotated refresh token is still accepted; above `limit` it
    /// weakens rotation (`refresh-token-rotation-disabled`).
    ReuseWindow,
    /// One of `values` means refresh tokens cannot be revoked (`refresh-token-not-revocable`).
    RevocationOff,
    /// One of `values` means access tokens are self-contained JWTs; with refresh tokens living
    /// past the limit that is `refresh-token-not-revocable`.
    AccessFormat,
    CookieHttponly,
    CookieSecure,
    CookieSamesite,
    /// A signing or encryption secret: a literal value is `hardcoded-signing-secret`.
    Secret,
    /// Looks like a token setting but is not one (SSO sessions, flows, key rotation): documented
    /// here so readers and the generic rules leave it alone.
    NotToken,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub path: String,
    pub role: Role,
    /// Unit of a bare number: `ms`, `seconds`, `minutes`, `hours`, `days`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Path (relative to the settings) of a key naming the unit (`TokenValidityUnits.AccessToken`).
    #[serde(default)]
    pub unit_from: Option<String>,
    /// How the product writes the value: `number` (in `unit`), `go` (`15m`), `iso` (`PT15M`).
    #[serde(default)]
    pub style: Option<String>,
    /// The product's default when the key is absent (`60m`).
    #[serde(default)]
    pub default: Option<String>,
    /// Report the default when the key is absent and the default is past the limit.
    #[serde(default)]
    pub report_default: bool,
    /// Values that trigger the rule (for roles that compare values).
    #[serde(default)]
    pub values: Vec<toml::Value>,
    /// For `reuse-window`: the largest harmless value (seconds when `unit` is set, else a count).
    #[serde(default)]
    pub limit: Option<f64>,
    /// Conditions on sibling keys for this key to count.
    #[serde(default, rename = "if")]
    pub conditions: Vec<Condition>,
    /// The value the help tells users to write (`true`, `rotating`, `lax`).
    #[serde(default)]
    pub fix: Option<String>,
    /// What the key is, for readers of the data file.
    #[serde(default)]
    pub note: Option<String>,
}

/// Splits `a.b."c.d".e[]` into segments; a trailing `[]` is its own segment.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    let mut segs = Vec::new();
    for s in out {
        match s.strip_suffix("[]") {
            Some(name) => {
                if !name.is_empty() {
                    segs.push(name.to_string());
                }
                segs.push("[]".to_string());
            }
            None => segs.push(s),
        }
    }
    segs
}

fn globs(patterns: &[String]) -> Option<GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        for g in [p.clone(), format!("**/{p}")] {
            b.add(Glob::new(&g).unwrap_or_else(|e| panic!("product path glob `{p}`: {e}")));
        }
    }
    b.build().ok()
}

/// Every product file, loaded once. Panics only on a malformed embedded file, which the tests
/// rule out.
pub fn all() -> &'static [Product] {
    static ALL: OnceLock<Vec<Product>> = OnceLock::new();
    ALL.get_or_init(|| {
        embedded::PRODUCTS
            .iter()
            .map(|(name, text)| {
                let mut p: Product =
                    toml::from_str(text).unwrap_or_else(|e| panic!("rules/products/{name}: {e}"));
                p.path_set = globs(&p.paths);
                p
            })
            .collect()
    })
}

fn format_name(f: ConfigFormat) -> &'static str {
    match f {
        ConfigFormat::Toml => "toml",
        ConfigFormat::Yaml => "yaml",
        ConfigFormat::Json => "json",
        ConfigFormat::Env => "env",
        ConfigFormat::Hcl => "hcl",
        ConfigFormat::Dockerfile => "dockerfile",
    }
}

impl Product {
    /// Whether a document in a file at `path` is this product's config.
    pub fn applies(&self, path: &str, format: ConfigFormat, root: &Node) -> bool {
        if !self.formats.is_empty() && !self.formats.iter().any(|f| f == format_name(format)) {
            return false;
        }
        if self.paths.is_empty() && self.signatures.is_empty() {
            return true;
        }
        self.path_set.as_ref().is_some_and(|g| g.is_match(path))
            || self
                .signatures
                .iter()
                .any(|sig| sig.iter().all(|p| root.at(&split_path(p)).is_some()))
    }
}

/// One entity found in a document: its node, the node its keys are under, and its label.
pub struct Found<'a> {
    pub node: &'a Node,
    /// The key that names it, when it was matched by `*` (`WebClient:`).
    pub key_span: Option<Span>,
    pub settings: &'a Node,
    pub label: String,
}

impl Entity {
    pub fn find<'a>(&self, path: &str, root: &'a Node) -> Vec<Found<'a>> {
        if let Some(g) = globs(&self.paths)
            && !g.is_match(path)
        {
            return Vec::new();
        }
        let matches = walk(vec![(root, None)], &self.at)
            .into_iter()
            .filter(|(n, _)| matches!(n.value, Value::Object(_)))
            .filter(|(n, _)| self.conditions.iter().all(|c| c.holds(n)))
            .collect();
        walk(matches, &self.each)
            .into_iter()
            .filter(|(n, _)| matches!(n.value, Value::Object(_)))
            .filter_map(|(n, key)| {
                let settings = n.at(&split_path(&self.settings))?;
                Some(Found {
                    node: n,
                    key_span: key.map(|k| k.1),
                    settings,
                    label: render_label(&self.label, n, root, key.map(|k| k.0)),
                })
            })
            .collect()
    }
}

/// A node and the object key that named it when a `*` matched it.
type Match<'a> = (&'a Node, Option<(&'a str, Span)>);

/// Follows an entity path (`Resources.*`, `clients[]`) from each match.
fn walk<'a>(mut matches: Vec<Match<'a>>, path: &str) -> Vec<Match<'a>> {
    for seg in split_path(path) {
        let mut next = Vec::new();
        for (n, key) in matches {
            match seg.as_str() {
                "[]" => next.extend(n.items().iter().map(|i| (i, key))),
                "*" => next.extend(
                    n.entries()
                        .iter()
                        .map(|e| (&e.node, Some((e.key.as_str(), e.key_span)))),
                ),
                s => next.extend(
                    n.entries()
                        .iter()
                        .filter(|e| e.key == s)
                        .map(|e| (&e.node, key)),
                ),
            }
        }
        matches = next;
    }
    matches
}

fn render_label(template: &str, node: &Node, root: &Node, key: Option<&str>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = if name == "$key" {
            key.map(str::to_string)
        } else if let Some(abs) = name.strip_prefix('/') {
            root.at(&split_path(abs)).and_then(Node::scalar_text)
        } else {
            node.at(&split_path(name)).and_then(Node::scalar_text)
        };
        out.push_str(&value.unwrap_or_else(|| "?".into()));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether a node's value equals a value written in a data file (strings case-insensitively).
pub fn value_matches(node: &Node, want: &toml::Value) -> bool {
    match want {
        toml::Value::Boolean(b) => node.as_bool() == Some(*b),
        toml::Value::String(s) => node
            .scalar_text()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(s)),
        toml::Value::Integer(i) => node.as_f64() == Some(*i as f64),
        toml::Value::Float(f) => node.as_f64() == Some(*f),
        _ => false,
    }
}

impl Condition {
    pub fn holds(&self, base: &Node) -> bool {
        let n = base.at(&split_path(&self.path));
        if let Some(p) = self.present
            && p != n.is_some()
        {
            return false;
        }
        if let Some(want) = &self.equals
            && !n.is_some_and(|n| value_matches(n, want))
        {
            return false;
        }
        if let Some(want) = &self.not_equals
            && n.is_some_and(|n| value_matches(n, want))
        {
            return false;
        }
        if !self.mentions.is_empty() {
            let text = n.and_then(Node::as_str).unwrap_or("").to_ascii_lowercase();
            if !self
                .mentions
                .iter()
                .any(|m| text.contains(&m.to_ascii_lowercase()))
            {
                return false;
            }
        }
        if let Some(item) = &self.contains
            && n.is_some_and(|n| !n.items().iter().any(|i| i.as_str() == Some(item)))
        {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_file_loads() {
        let all = all();
        assert!(all.len() >= 9, "{}", all.len());
        for p in all {
            for e in &p.entities {
                for k in &e.keys {
                    if let Some(u) = &k.unit {
                        assert!(
                            super::super::duration::Unit::parse(u).is_some(),
                            "{}: unit `{u}`",
                            p.name
                        );
                    }
                    if let Some(d) = &k.default {
                        assert!(
                            super::super::duration::parse_text(d).is_some(),
                            "{}: {d}",
                            p.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn paths_split_on_dots_outside_quotes() {
        assert_eq!(
            split_path(r#"clients[].attributes."access.token.lifespan""#),
            ["clients", "[]", "attributes", "access.token.lifespan"]
        );
        assert_eq!(split_path("Resources.*"), ["Resources", "*"]);
        assert!(split_path("").is_empty());
    }
}
