//! File roles as users meet them: the same project gives the same findings however it is reached,
//! examples are reported (capped), test data and docs are skipped and counted, and every format
//! says which role a finding comes from.
mod common;

use common::Project;
use serde_json::Value;

const SECRET: &str =
    "JWT_SECRET=9f4c2a7be1d3085f6a9c4e2b7d1f3a5c8e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f\n";
const COOKIE_RS: &str = r#"use cookie::Cookie;
pub fn login(jar: CookieJar, sid: String) -> CookieJar {
    jar.add(Cookie::build(("session", sid)).secure(true))
}
"#;

/// (rule, path below `prefix`, line, severity, role) of each finding.
fn levels(v: &Value, prefix: &str) -> Vec<(String, String, u64, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (
                f["rule"].as_str().unwrap().to_string(),
                path.strip_prefix(prefix).unwrap_or(path).to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn a_project_inside_a_folder_named_e2e_is_judged_the_same_from_inside_and_from_its_parent() {
    let p = Project::new(&[
        ("e2e/shop/Cargo.toml", "[package]\nname = \"shop\"\n"),
        ("e2e/shop/.env", SECRET),
        ("e2e/shop/src/session.rs", COOKIE_RS),
    ]);
    let inside = json_of(&p.run_in("e2e/shop", &["check", ".", "--format", "json"]));
    let (_, parent) = p.json(&["e2e/shop"]);
    let (_, file) = p.json(&["e2e/shop/src/session.rs", "e2e/shop/.env"]);
    let want = levels(&inside, "");
    assert!(
        want.iter()
            .any(|f| f.0 == "hardcoded-signing-secret" && f.3 == "error" && f.4 == "production"),
        "{want:?}"
    );
    assert!(want.iter().any(|f| f.1 == "src/session.rs"), "{want:?}");
    assert_eq!(levels(&parent, "e2e/shop/"), want, "from the parent folder");
    assert_eq!(
        levels(&file, "e2e/shop/"),
        want,
        "the files named one by one"
    );
}

#[test]
fn a_walk_from_above_finds_each_project_root_it_passes() {
    // Scanned from the top: the walk lists `e2e/shop` and sees its manifest, so `shop` is a
    // project of its own (production code); `loose` has no manifest and is end-to-end test code.
    // A symlinked manifest counts where it leads, as a look on disk would say (a broken one not).
    let p = Project::new(&[
        ("e2e/shop/Cargo.toml", "[package]\nname = \"shop\"\n"),
        ("e2e/shop/src/session.rs", COOKIE_RS),
        ("e2e/loose/src/session.rs", COOKIE_RS),
        ("e2e/linked/src/session.rs", COOKIE_RS),
        ("e2e/broken/src/session.rs", COOKIE_RS),
        ("manifests/linked.toml", "[package]\nname = \"linked\"\n"),
    ]);
    #[cfg(unix)]
    for (target, link) in [
        ("manifests/linked.toml", "linked"),
        ("nowhere.toml", "broken"),
    ] {
        let link = p.path().join("e2e").join(link).join("Cargo.toml");
        std::os::unix::fs::symlink(p.path().join(target), link).unwrap();
    }
    let (_, v) = p.json(&["."]);
    let found: Vec<(String, String)> = levels(&v, "").into_iter().map(|f| (f.1, f.4)).collect();
    let has = |path: &str| found.iter().any(|f| f.0 == path && f.1 == "production");
    assert!(has("e2e/shop/src/session.rs"), "{found:?}");
    #[cfg(unix)]
    assert!(has("e2e/linked/src/session.rs"), "{found:?}");
    for not_a_root in ["e2e/loose/", "e2e/broken/"] {
        assert!(
            !found.iter().any(|f| f.0.starts_with(not_a_root)),
            "{not_a_root}: {found:?}"
        );
    }
}

#[test]
fn roles_cap_or_skip_by_what_a_file_is_for() {
    let p = Project::new(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("Cargo.toml", "[package]\nname = \"app\"\n"),
        (".env", SECRET),
        ("examples/todo/Cargo.toml", "[package]\nname = \"todo\"\n"),
        ("examples/todo/.env", SECRET),
        (".env.example", SECRET),
        ("testdata/.env", SECRET),
        ("tests/fixtures/app.env", SECRET),
        ("docs/.env", SECRET),
        (
            "deploy/reference.yml",
            "# This file is for documentation purposes only.\njwt:\n  secret: 9f4c2a7be1d3085f6a9c4e2b7d1f3a5c8e0b\n",
        ),
    ]);
    let (_, v) = p.json(&[]);
    let got: Vec<_> = levels(&v, "")
        .into_iter()
        .map(|(rule, path, _, sev, role)| (rule, path, sev, role))
        .collect();
    let f = |path: &str, sev: &str, role: &str| {
        (
            "hardcoded-signing-secret".to_string(),
            path.to_string(),
            sev.to_string(),
            role.to_string(),
        )
    };
    assert_eq!(
        got,
        [
            f(".env", "error", "production"),
            f(".env.example", "note", "dev-config"),
            f("examples/todo/.env", "warning", "example"),
        ]
    );
    let by_reason = &v["summary"]["skipped_by_reason"];
    assert_eq!(by_reason["test-data"], 2, "{by_reason}");
    assert_eq!(
        by_reason["docs"], 2,
        "docs/ and a documentation-only header: {by_reason}"
    );

    // The human report says where a finding lives; SARIF carries the role as a property.
    let human = String::from_utf8_lossy(&p.run(&["check", "--color", "never"]).stdout).into_owned();
    assert!(human.contains("(in example code)"), "{human}");
    let sarif: Value =
        serde_json::from_slice(&p.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let roles: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["properties"]["role"].as_str())
        .collect();
    assert_eq!(roles, ["production", "dev-config", "example"]);
}

#[test]
fn roles_and_their_policies_are_configurable() {
    let p = Project::new(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "authlint.toml",
            "[roles.paths]\n\"internal/suites\" = \"test-data\"\n\n[roles.policy]\nexample = \"skip\"\ntest-data = \"note\"\n",
        ),
        ("internal/suites/ldap/.env", SECRET),
        ("examples/todo/.env", SECRET),
        (".env", SECRET),
    ]);
    let (_, v) = p.json(&[]);
    let got: Vec<_> = levels(&v, "")
        .into_iter()
        .map(|(_, path, _, sev, role)| (path, sev, role))
        .collect();
    assert_eq!(
        got,
        [
            (".env".into(), "error".into(), "production".into()),
            (
                "internal/suites/ldap/.env".into(),
                "note".into(),
                "test-data".into()
            ),
        ]
    );
    assert_eq!(v["summary"]["skipped_by_reason"]["example"], 1);

    let roles = String::from_utf8_lossy(&p.run(&["check", "--show-roles"]).stdout).into_owned();
    assert!(
        roles.contains(
            "internal/suites/ldap/.env\ttest-data\tnote\tmatches `internal/suites` in [roles.paths]"
        ),
        "{roles}"
    );
    assert!(
        roles.contains("examples/todo/.env\texample\tskip\tunder `examples/`"),
        "{roles}"
    );

    p.write("authlint.toml", "[roles.policy]\nexampel = \"skip\"\n");
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown role `exampel`") && err.contains("did you mean `example`?"),
        "{err}"
    );
}

#[test]
fn include_tests_reports_test_code_again() {
    let p = Project::new(&[
        ("Cargo.toml", "[package]\nname = \"app\"\n"),
        ("tests/login.env", SECRET),
    ]);
    let (_, v) = p.json(&[]);
    assert_eq!(v["summary"]["skipped_by_reason"]["test-code"], 1);
    p.write("authlint.toml", "include_tests = true\n");
    let (_, v) = p.json(&[]);
    assert_eq!(levels(&v, "")[0].4, "test");
}
