//! Every rule's fixtures: `fixtures/rules/<rule-id>/risky*` files hold the cases that must be
//! reported (each marked `expect: <rule-id>` on the line of the finding), `safe*` files their safe
//! twins. A finding on an unmarked line, or a marked line without its finding, fails the test; the
//! rendered report is snapshotted.
mod common;

use authlint::catalog;
use authlint::report::Format;
use common::*;

fn rule_dirs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn fixtures_report_exactly_the_marked_lines() {
    let mut failures = Vec::new();
    for rule in rule_dirs() {
        let dir = format!("fixtures/rules/{rule}");
        let outcome = check(&[&dir]);
        let expected = expectations(&root().join(&dir));
        let got = found(&outcome);
        let missed: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
        if !missed.is_empty() || !extra.is_empty() {
            failures.push(format!("{rule}:\n  missed (expected, not reported): {missed:#?}\n  false alarms (reported, not expected): {extra:#?}"));
        }
        assert!(
            outcome.diagnostics.is_empty(),
            "{rule}: fixtures must parse: {:#?}",
            outcome.diagnostics
        );
        insta::assert_snapshot!(format!("rule__{rule}"), render(&outcome, Format::Human));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_implemented_rule_has_a_risky_and_a_safe_fixture() {
    let dirs = rule_dirs();
    for rule in catalog::all().iter().filter(|r| r.is_implemented()) {
        let dir = root().join("fixtures/rules").join(&rule.id);
        assert!(
            dirs.contains(&rule.id),
            "rule `{}` is implemented but has no fixtures/rules/{0}/",
            rule.id
        );
        let files = walk(&dir);
        let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        let expected = expectations(&dir);
        assert!(
            expected.iter().any(|(path, _, r)| r == &rule.id
                && path.rsplit('/').next().unwrap().starts_with("risky")),
            "rule `{}` has no risky fixture with an `expect: {0}` line",
            rule.id
        );
        let safe: Vec<_> = files
            .iter()
            .filter(|p| name(p).starts_with("safe") && !name(p).ends_with(".expect"))
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
