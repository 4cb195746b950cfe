//! Terraform values that come from the module's own inputs: `var.x` is the variable's value (from
//! `terraform.tfvars` or `*.auto.tfvars`, else its `default`), `local.x` the local's, and
//! `var.x.y` / `local.x[0]` a part of them. The values are put in place of the references, so a
//! resource or a module argument written as `var.access_ttl` is judged by the number it holds.
//!
//! A value written in the same file keeps its own position: the finding points where the number
//! is written, which is where the fix goes. A value from another file of the same directory (the
//! usual `variables.tf`) is placed at the reference. References left unknown (no default, a
//! function call, a for-expression) stay "configured elsewhere". Substitution is bounded in rounds,
//! in depth and in the number of values copied, so no file can make it explode.
use super::tree::{Entry, MAX_DEPTH, Node, ParseError, Value};
use crate::finding::Span;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Values by reference: `var.name`, `local.name`.
pub type Scope = BTreeMap<String, Node>;

/// How many times references are replaced (a local built from a local built from a variable).
const ROUNDS: usize = 4;
/// How many tree nodes substitution may copy in one file before it gives up.
const MAX_COPIED: usize = 100_000;

/// The variables and locals that the `.tf` and auto-loaded `.tfvars` files of each directory
/// looked at define, read once and shared by the worker threads.
pub type DirScopes = crate::per_dir::PerDir<Scope>;

/// Whether Terraform loads this `.tfvars` file by itself (`terraform.tfvars`, `*.auto.tfvars`).
fn auto_tfvars(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "terraform.tfvars" || n.ends_with(".auto.tfvars")
}

/// How many files of one directory are read for its scope.
const MAX_DIR_FILES: usize = 256;

fn read_dir_scope(dir: &Path) -> Scope {
    let mut names: Vec<(bool, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_ascii_lowercase();
            let tfvars = auto_tfvars(&name);
            (name.ends_with(".tf") || tfvars).then(|| (tfvars, e.path()))
        })
        .take(MAX_DIR_FILES)
        .collect();
    // Definitions first, then the `.tfvars` values that override them, each in name order.
    names.sort();
    let mut scope = Scope::new();
    for (tfvars, path) in names {
        let Some(text) = crate::reader::project_file(&path) else {
            continue;
        };
        if let Ok(docs) = super::hcl::parse(&text) {
            for d in &docs {
                define(&d.root, tfvars, &mut scope);
            }
        }
    }
    scope
}

/// Adds what one file defines: variable defaults and locals, or (in a `.tfvars` file) values.
fn define(root: &Node, tfvars: bool, scope: &mut Scope) {
    for e in root.entries() {
        if tfvars {
            // Also under its own name: a `.tfvars` value beats a default in the using file.
            scope.insert(format!("var.{}", e.key), e.node.clone());
            scope.insert(format!("tfvars.{}", e.key), e.node.clone());
            continue;
        }
        match e.key.as_str() {
            "variable" => {
                for v in e.node.entries() {
                    let name = format!("var.{}", v.key);
                    if let Some(d) = v.node.get("default") {
                        scope.entry(name).or_insert_with(|| d.clone());
                    }
                }
            }
            "locals" => {
                for l in e.node.entries() {
                    scope.insert(format!("local.{}", l.key), l.node.clone());
                }
            }
            _ => {}
        }
    }
}

/// Puts values in place of the references in one parsed Terraform file at `path`.
pub fn resolve(root: &mut Node, path: &Path, dirs: &DirScopes) -> Result<(), ParseError> {
    let outside = match path.parent() {
        Some(dir) => dirs.get(dir, read_dir_scope),
        None => Arc::new(Scope::new()),
    };
    let mut budget = MAX_COPIED;
    for _ in 0..ROUNDS {
        let mut own = Scope::new();
        define(root, false, &mut own);
        let scopes = Scopes {
            own: &own,
            outside: &outside,
        };
        if !substitute(root, &scopes, 0, &mut budget)? {
            break;
        }
    }
    Ok(())
}

struct Scopes<'a> {
    own: &'a Scope,
    outside: &'a Scope,
}

/// Replaces the references under `node`; whether any was replaced.
fn substitute(
    node: &mut Node,
    scopes: &Scopes,
    depth: usize,
    budget: &mut usize,
) -> Result<bool, ParseError> {
    if let Value::Template(text) = &node.value {
        let Some((value, here)) = lookup(text, scopes) else {
            return Ok(false);
        };
        let size = count(value);
        if depth + size.1 > MAX_DEPTH {
            return Ok(false);
        }
        if size.0 > *budget {
            return Err(ParseError {
                at: node.span.start,
                message: format!(
                    "references to variables and locals expand past {MAX_COPIED} values"
                ),
            });
        }
        *budget -= size.0;
        let mut copy = value.clone();
        if !here {
            respan(&mut copy, node.span);
        }
        *node = copy;
        return Ok(true);
    }
    let mut changed = false;
    match &mut node.value {
        Value::Array(items) => {
            for i in items {
                changed |= substitute(i, scopes, depth + 1, budget)?;
            }
        }
        Value::Object(entries) => {
            for Entry { node, .. } in entries {
                changed |= substitute(node, scopes, depth + 1, budget)?;
            }
        }
        _ => {}
    }
    Ok(changed)
}

/// The value a reference (`var.a`, `local.b.c`, `var.d[0]`) names, and whether it was written in
/// this file.
fn lookup<'a>(text: &str, scopes: &Scopes<'a>) -> Option<(&'a Node, bool)> {
    let mut parts = reference(text)?.into_iter();
    let (kind, name) = (parts.next()?, parts.next()?);
    let key = format!("{kind}.{name}");
    let tfvars = (kind == "var")
        .then(|| scopes.outside.get(&format!("tfvars.{name}")))
        .flatten();
    let (mut node, here) = match (tfvars, scopes.own.get(&key)) {
        (Some(n), _) => (n, false),
        (None, Some(n)) => (n, true),
        (None, None) => (scopes.outside.get(&key)?, false),
    };
    for p in parts {
        node = match p.parse::<usize>() {
            Ok(i) => node.items().get(i)?,
            Err(_) => node.get(&p)?,
        };
    }
    // An unknown value is no better than the reference itself.
    (!node.is_template()).then_some((node, here))
}

/// The segments of a plain reference: `var.a.b[0]` is `["var", "a", "b", "0"]`. Anything else
/// (an operator, a call, a splat) is `None`.
fn reference(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    if !(text.starts_with("var.") || text.starts_with("local.")) {
        return None;
    }
    let mut out = Vec::new();
    for seg in text.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, Some(rest.strip_suffix(']')?)),
            None => (seg, None),
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !ident(name) {
            return None;
        }
        out.push(name.to_string());
        if let Some(i) = index {
            let i = i.trim_matches('"');
            if !ident(i) {
                return None;
            }
            out.push(i.to_string());
        }
    }
    Some(out)
}

/// The number of nodes in a tree and its depth.
fn count(node: &Node) -> (usize, usize) {
    let children: Vec<&Node> = match &node.value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(entries) => entries.iter().map(|e| &e.node).collect(),
        _ => Vec::new(),
    };
    children.into_iter().fold((1, 1), |(n, d), c| {
        let (cn, cd) = count(c);
        (n + cn, d.max(cd + 1))
    })
}

/// Gives a copied value from another file the position of its reference, key spans included.
fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|i| respan(i, span)),
        Value::Object(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = span;
            respan(&mut e.node, span);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(text: &str) -> Result<Node, ParseError> {
        let mut root = super::super::hcl::parse(text).unwrap().remove(0).root;
        resolve(
            &mut root,
            Path::new("/nonexistent/dir/main.tf"),
            &DirScopes::default(),
        )?;
        Ok(root)
    }

    #[test]
    fn variables_and_locals_are_put_in_place() {
        let text = r#"
variable "access_ttl" {
  default = 600
}
locals {
  units  = { access_token = "minutes" }
  client = { ttl = var.access_ttl, units = local.units }
  list   = [var.access_ttl]
}
module "pool" {
  a = var.access_ttl
  b = local.client.ttl
  c = local.client.units.access_token
  d = local.list[0]
  e = var.undefined
  f = var.access_ttl * 2
}
"#;
        let root = resolved(text).unwrap();
        let m = root.get("module").unwrap().get("pool").unwrap();
        let a = m.get("a").unwrap();
        assert_eq!(a.as_f64(), Some(600.0));
        // Written in this file: the value keeps the place where it is written.
        assert_eq!(&text[a.span.start..a.span.end], "600");
        assert_eq!(m.get("b").unwrap().as_f64(), Some(600.0));
        assert_eq!(m.get("c").unwrap().as_str(), Some("minutes"));
        assert_eq!(m.get("d").unwrap().as_f64(), Some(600.0));
        assert!(m.get("e").unwrap().is_template());
        assert!(m.get("f").unwrap().is_template());
    }

    #[test]
    fn values_from_other_files_of_the_directory_sit_at_the_reference() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("variables.tf"),
            "variable \"ttl\" {\n  default = 60\n}\nvariable \"days\" {\n  default = 30\n}\n",
        )
        .unwrap();
        std::fs::write(p.join("terraform.tfvars"), "days = 365\n").unwrap();
        std::fs::write(p.join("other.tfvars"), "days = 1\n").unwrap();
        let text = "variable \"days\" {\n  default = 7\n}\nmodule \"m\" {\n  a = var.ttl\n  b = var.days\n}\n";
        let mut root = super::super::hcl::parse(text).unwrap().remove(0).root;
        resolve(&mut root, &p.join("main.tf"), &DirScopes::default()).unwrap();
        let m = root.get("module").unwrap().get("m").unwrap();
        let a = m.get("a").unwrap();
        assert_eq!(a.as_f64(), Some(60.0));
        assert_eq!(&text[a.span.start..a.span.end], "var.ttl");
        // `terraform.tfvars` overrides the default; a `.tfvars` file Terraform does not load
        // by itself does not.
        assert_eq!(m.get("b").unwrap().as_f64(), Some(365.0));
    }

    #[test]
    fn a_reference_bomb_is_a_clear_error() {
        let mut text = String::from("locals {\n  l0 = [1,1,1,1,1,1,1,1,1,1]\n");
        for i in 1..8 {
            let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
            text.push_str(&format!("  l{i} = [{refs}]\n"));
        }
        text.push_str("}\n");
        let e = resolved(&text).unwrap_err();
        assert!(e.message.contains("expand past"), "{}", e.message);
    }

    #[test]
    fn a_cycle_ends_within_the_depth_bound() {
        // Terraform rejects cycles; here each round nests the list once more, up to the rounds.
        let text = format!(
            "locals {{\n  a = {}local.a{}\n}}\n",
            "[".repeat(60),
            "]".repeat(60)
        );
        let root = resolved(&text).unwrap();
        let a = root.get("locals").unwrap().get("a").unwrap();
        assert!(count(a).1 <= MAX_DEPTH, "{}", count(a).1);
    }
}
