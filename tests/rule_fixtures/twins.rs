//! Safe twins: a risky case is only half a test. A rule's risky fixture in a format (the parser
//! and key layout it exercises) needs a safe fixture in that format, and a risky single-file
//! fixture (`risky-zustand.ts`) needs its own twin of the same name (`safe-zustand.ts`): the
//! same library or product, written safely, so the rule is shown to tell the two apart. A rule
//! with a risky project (a subdirectory) has a safe project too.
use super::{common::marks::relative, common::*, is_case, rule_dirs};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The format a fixture is written in, as far as safe twins go: the parser and the key layout it
/// exercises. Compose files and Kubernetes Deployments are YAML read their own way. Project
/// manifests (`Cargo.toml`, `Cargo.lock`) and sidecars are not fixtures of a format.
fn format(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if matches!(name.as_str(), "cargo.toml" | "cargo.lock") || name.ends_with(".expect") {
        return None;
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Some("env");
    }
    if authlint::source::template_suffix(&name).is_some() {
        return Some("template");
    }
    if name == "dockerfile" || name == "containerfile" || name.ends_with(".dockerfile") {
        return Some("dockerfile");
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "yml" | "yaml" if name.contains("compose") => "compose",
        "yml" | "yaml" => yaml_kind(path),
        "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts" => "script",
        "html" | "htm" => "html",
        "vue" => "vue",
        "svelte" => "svelte",
        "json" => "json",
        "tf" => "terraform",
        "cfg" => "cfg",
        "toml" => "toml",
        "rs" => "rust",
        _ => return None,
    })
}

/// Kubernetes Deployments and Secrets or ConfigMaps are read their own way; other YAML is YAML.
fn yaml_kind(path: &Path) -> &'static str {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: cannot be read as a fixture: {e}", path.display()));
    let kind = |k: &[&str]| text.lines().any(|l| k.contains(&l.trim_end()));
    if kind(&["kind: Deployment"]) {
        "kubernetes-deployment"
    } else if kind(&["kind: Secret", "kind: ConfigMap"]) {
        "kubernetes-secret"
    } else {
        "yaml"
    }
}

/// Every risky format of every rule without a safe fixture in that format, as messages.
pub fn formats_without_a_twin() -> Vec<String> {
    let mut missing = Vec::new();
    for rule in rule_dirs() {
        let mut risky = BTreeMap::new();
        let mut safe = BTreeSet::new();
        for p in walk(&root().join("fixtures/rules").join(&rule)) {
            let rel = relative(&p);
            let Some(f) = format(&p) else { continue };
            if is_case(&rel, &rule, "risky") {
                risky.entry(f).or_insert(rel);
            } else if is_case(&rel, &rule, "safe") {
                safe.insert(f);
            }
        }
        for (f, example) in risky {
            if !safe.contains(f) {
                missing.push(format!("{rule}: {f} (risky: {example}) has no safe twin"));
            }
        }
    }
    missing
}

/// Every risky single-file fixture without a safe file of the same name (`risky` read `safe`).
pub fn files_without_a_twin() -> Vec<String> {
    let mut missing = Vec::new();
    for rule in rule_dirs() {
        let dir = root().join("fixtures/rules").join(&rule);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let Some(case) = name.strip_prefix("risky") else {
                continue;
            };
            if p.is_dir() || name.ends_with(".expect") {
                continue;
            }
            if !dir.join(format!("safe{case}")).is_file() {
                missing.push(format!("{}: no safe{case} beside it", relative(&p)));
            }
        }
    }
    missing.sort();
    missing
}

/// Every rule with a risky project (a subdirectory: manifests, lockfiles and several files judged
/// together) but no safe project beside it.
pub fn projects_without_a_twin() -> Vec<String> {
    let mut missing = Vec::new();
    for rule in rule_dirs() {
        let dir = root().join("fixtures/rules").join(&rule);
        let projects: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let risky = projects.iter().find(|p| p.starts_with("risky"));
        if let Some(risky) = risky
            && !projects.iter().any(|p| p.starts_with("safe"))
        {
            missing.push(format!(
                "{rule}: {risky}/ is a risky project without a safe one"
            ));
        }
    }
    missing
}

#[test]
fn every_risky_format_has_a_safe_twin() {
    let missing = formats_without_a_twin();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_risky_file_has_a_safe_twin_of_its_name() {
    let missing = files_without_a_twin();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_rule_with_a_risky_project_has_a_safe_project() {
    let missing = projects_without_a_twin();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
