//! Every rule's fixtures: `fixtures/rules/<rule-id>/risky*` files hold the cases that must be
//! reported (each marked `expect: <rule-id>` on the line of the finding, once per finding),
//! `safe*` files their safe twins. A finding on an unmarked line, a marked line without its
//! finding, a finding reported more often than marked, an unreadable fixture or an orphaned
//! `.expect` sidecar fails the test; the rendered report (with columns) is snapshotted. Every
//! rule is checked before the test fails, and the failure lists every problem.
mod common;

use authlint::catalog;
use authlint::report::Format;
use common::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn rule_dirs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The separate runs of a rule directory: its top-level files together, and each subdirectory as
/// a project of its own (project-level rules need risky and safe projects kept apart).
fn cases(dir: &str) -> Vec<(String, Vec<String>)> {
    let mut files = Vec::new();
    let mut subdirs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let rel = p
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if p.is_dir() {
            subdirs.push((rel.clone(), vec![rel]));
        } else if !rel.ends_with(".expect") {
            files.push(rel);
        }
    }
    let mut out = Vec::new();
    if !files.is_empty() {
        out.push((dir.to_string(), files));
    }
    out.extend(subdirs);
    out
}

/// Whether an expectation's path belongs to a case's paths (a file, or a directory's files).
fn in_case(path: &str, paths: &[String]) -> bool {
    paths
        .iter()
        .any(|p| path == p || path.starts_with(&format!("{p}/")))
}

#[test]
fn fixtures_report_exactly_the_marked_lines() {
    let mut failures = Vec::new();
    for rule in rule_dirs() {
        let dir = format!("fixtures/rules/{rule}");
        let (all_expected, problems) = expectations(&root().join(&dir));
        failures.extend(problems);
        let mut rendered = String::new();
        for (name, paths) in cases(&dir) {
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            let mut outcome = check(&refs);
            // The verdict is snapshotted once per design fixture (tests/design.rs), not under
            // every rule: rewording it churns no rule snapshot.
            outcome.design = None;
            let expected: Vec<_> = all_expected
                .iter()
                .filter(|(path, _, _)| in_case(path, &paths))
                .cloned()
                .collect();
            let (missed, extra) = multiset_diff(&expected, &found(&outcome));
            if !missed.is_empty() || !extra.is_empty() {
                failures.push(format!("{name}:\n  missed (expected, not reported): {missed:#?}\n  false alarms (reported, not expected): {extra:#?}"));
            }
            if !outcome.diagnostics.is_empty() {
                failures.push(format!(
                    "{name}: fixtures must parse: {:#?}",
                    outcome.diagnostics
                ));
            }
            rendered.push_str(&format!(
                "──── {name}\n{}\n",
                render(&outcome, Format::Human)
            ));
        }
        // insta panics on a mismatch (after printing the diff): caught, so that the other rules
        // are still checked.
        let snapshot = catch_unwind(AssertUnwindSafe(|| {
            insta::assert_snapshot!(format!("rule__{rule}"), rendered)
        }));
        if snapshot.is_err() {
            failures.push(format!(
                "{dir}: the rendered report differs from its snapshot (diff above; `cargo insta review`)"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The path components of a fixture below its rule directory.
fn under<'a>(path: &'a str, rule: &str) -> impl Iterator<Item = &'a str> {
    let prefix = format!("fixtures/rules/{rule}/");
    path.strip_prefix(&prefix)
        .unwrap_or("")
        .split('/')
        .collect::<Vec<_>>()
        .into_iter()
}

#[test]
fn every_implemented_rule_has_a_risky_and_a_safe_fixture() {
    let dirs = rule_dirs();
    // The design verdict is tested on whole projects in tests/design.rs.
    for rule in catalog::all()
        .iter()
        .filter(|r| r.is_implemented() && r.id != "auth-design")
    {
        let dir = root().join("fixtures/rules").join(&rule.id);
        assert!(
            dirs.contains(&rule.id),
            "rule `{}` is implemented but has no fixtures/rules/{0}/",
            rule.id
        );
        let files = walk(&dir);
        let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        let (expected, problems) = expectations(&dir);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(
            expected.iter().any(|(path, _, r)| r == &rule.id
                && under(path, &rule.id).any(|c| c.starts_with("risky"))),
            "rule `{}` has no risky fixture with an `expect: {0}` line",
            rule.id
        );
        let safe: Vec<_> = files
            .iter()
            .filter(|p| {
                let rel = p
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                under(&rel, &rule.id).any(|c| c.starts_with("safe"))
                    && !name(p).ends_with(".expect")
            })
            .collect();
        assert!(!safe.is_empty(), "rule `{}` has no safe* fixture", rule.id);
        for p in safe {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            assert!(
                !expected
                    .iter()
                    .any(|(path, _, r)| *path == rel && r == &rule.id),
                "{rel} is a safe twin but expects `{}`",
                rule.id
            );
        }
    }
    for d in dirs {
        assert!(
            catalog::get(&d).is_some(),
            "fixtures/rules/{d} names no rule in the catalog"
        );
    }
}

/// The format a fixture is written in, as far as safe twins go: the parser and the key layout it
/// exercises. Compose files and Kubernetes Deployments are YAML read their own way. Project
/// manifests (`Cargo.toml`, `Cargo.lock`) and sidecars are not fixtures of a format.
fn format(path: &std::path::Path) -> Option<&'static str> {
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
        "yml" | "yaml" => {
            let text = std::fs::read_to_string(path).unwrap();
            if text.lines().any(|l| l.trim_end() == "kind: Deployment") {
                "kubernetes-deployment"
            } else if text
                .lines()
                .any(|l| matches!(l.trim_end(), "kind: Secret" | "kind: ConfigMap"))
            {
                "kubernetes-secret"
            } else {
                "yaml"
            }
        }
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

#[test]
fn every_risky_format_has_a_safe_twin() {
    let mut missing = Vec::new();
    for rule in rule_dirs() {
        let mut risky = std::collections::BTreeMap::new();
        let mut safe = std::collections::BTreeSet::new();
        for p in walk(&root().join("fixtures/rules").join(&rule)) {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let Some(f) = format(&p) else { continue };
            if under(&rel, &rule).any(|c| c.starts_with("risky")) {
                risky.entry(f).or_insert(rel);
            } else if under(&rel, &rule).any(|c| c.starts_with("safe")) {
                safe.insert(f);
            }
        }
        for (f, example) in risky {
            if !safe.contains(f) {
                missing.push(format!("{rule}: {f} (risky: {example}) has no safe twin"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
