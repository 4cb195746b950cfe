//! Every rule's fixtures: `fixtures/rules/<rule-id>/risky*` files hold the cases that must be
//! reported (each marked `expect: <rule-id>@<column>` on the line of the finding, once per
//! finding; see `common::marks`), `safe*` files their safe twins. A finding on an unmarked line
//! or column, a marked finding not reported, a finding reported more often than marked, an
//! unreadable fixture or an orphaned `.expect` sidecar fails the test; the rendered report is
//! snapshotted (without the design verdict, which tests/design.rs snapshots per design fixture).
//! Every rule is checked before the test fails, and the failure lists every problem.
mod common;
#[path = "rule_fixtures/independence.rs"]
mod independence;
#[path = "rule_fixtures/twins.rs"]
mod twins;

use authlint::catalog;
use authlint::report::Format;
use common::marks::{expectations, found, mismatch, relative};
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
        let rel = relative(&p);
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
fn fixtures_report_exactly_the_marked_findings() {
    let mut failures = Vec::new();
    for rule in rule_dirs() {
        let dir = format!("fixtures/rules/{rule}");
        let (all_expected, problems) = expectations(&root().join(&dir));
        failures.extend(problems);
        let mut rendered = String::new();
        for (name, paths) in cases(&dir) {
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            let mut outcome = check(&refs);
            let expected: Vec<_> = all_expected
                .iter()
                .filter(|m| in_case(&m.path, &paths))
                .cloned()
                .collect();
            failures.extend(mismatch(&name, &expected, &found(&outcome)));
            if !outcome.skipped.is_empty() {
                failures.push(format!(
                    "{name}: a skipped fixture tests nothing: {:?}",
                    outcome.skipped
                ));
            }
            if !outcome.diagnostics.is_empty() {
                failures.push(format!(
                    "{name}: fixtures must parse: {:#?}",
                    outcome.diagnostics
                ));
            }
            // The verdict is snapshotted once per design fixture (tests/design.rs), not under
            // every rule: rewording it churns no rule snapshot.
            outcome.design = None;
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

/// Whether a fixture path lies in a risky (`prefix` "risky") or safe case of its rule directory.
fn is_case(path: &str, rule: &str, prefix: &str) -> bool {
    let dir = format!("fixtures/rules/{rule}/");
    path.strip_prefix(&dir)
        .is_some_and(|rest| rest.split('/').any(|c| c.starts_with(prefix)))
}

#[test]
fn every_implemented_rule_has_a_risky_and_a_safe_fixture() {
    let dirs = rule_dirs();
    let mut problems = Vec::new();
    // The design verdict is tested on whole projects in tests/design.rs.
    for rule in catalog::all()
        .iter()
        .filter(|r| authlint::engine::is_implemented(r) && r.id != "auth-design")
    {
        let id = &rule.id;
        if !dirs.contains(id) {
            problems.push(format!(
                "`{id}` is implemented but has no fixtures/rules/{id}/"
            ));
            continue;
        }
        let (expected, bad) = expectations(&root().join("fixtures/rules").join(id));
        problems.extend(bad);
        if !expected
            .iter()
            .any(|m| &m.rule == id && is_case(&m.path, id, "risky"))
        {
            problems.push(format!("`{id}` has no risky fixture marked `expect: {id}`"));
        }
        let safe: Vec<String> = walk(&root().join("fixtures/rules").join(id))
            .iter()
            .map(|p| relative(p))
            .filter(|p| is_case(p, id, "safe") && !p.ends_with(".expect"))
            .collect();
        if safe.is_empty() {
            problems.push(format!("`{id}` has no safe* fixture"));
        }
        for m in expected
            .iter()
            .filter(|m| &m.rule == id && safe.contains(&m.path))
        {
            problems.push(format!("{m}: a safe twin of `{id}` expects it"));
        }
    }
    for d in dirs {
        if catalog::get(&d).is_none() {
            problems.push(format!("fixtures/rules/{d} names no rule in the catalog"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
