//! Every file and every suppression is accounted for, whatever the working directory: skipped
//! folders and files are counted with their reason, project-level suppressions that matched
//! nothing are reported, and a run's results do not depend on the process's directory.
mod common;

use common::Project;
use serde_json::Value;

/// The `(path, line, message)` of each `unused-suppression` finding.
fn unused_suppressions(v: &Value) -> Vec<(String, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unused-suppression")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("path"), f["start"]["line"].as_u64().unwrap(), s("message"))
        })
        .collect()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn unused_suppressions_of_project_level_rules_are_reported() {
    let risky = fixture("rules/refresh-token-not-revocable/risky-signature-only/src/auth.rs");
    // The finding's line keeps its suppression; one more, two lines above, matches nothing.
    let at = "    encode(&Header::default(), &claims, key).unwrap() // expect: refresh-token-not-revocable";
    assert!(risky.contains(at), "the fixture changed");
    let suppressed = risky.replace(
        at,
        "    // authlint-ignore refresh-token-not-revocable: revoked by the gateway\n\
         \x20   encode(&Header::default(), &claims, key).unwrap()",
    );
    let stale = "// authlint-ignore privilege-claims-in-token: roles are read from the database\n";
    let p = Project::new(&[
        ("Cargo.toml", "[package]\nname = \"shop\"\nversion = \"0.1.0\"\n"),
        ("src/auth.rs", &format!("{stale}{suppressed}")),
        ("src/other.rs", &format!("{stale}pub fn f() {{}}\n")),
    ]);
    let (_, v) = p.json(&["--no-config"]);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"refresh-token-not-revocable"), "{v}");
    assert_eq!(v["summary"]["suppressed"], 1, "{v}");
    let unused = "suppression of `privilege-claims-in-token` matched no finding".to_string();
    assert_eq!(
        unused_suppressions(&v),
        [
            ("src/auth.rs".to_string(), 1, unused.clone()),
            ("src/other.rs".to_string(), 1, unused),
        ],
        "{v}"
    );
}
