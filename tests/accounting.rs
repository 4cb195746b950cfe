//! Every file and every suppression is accounted for, whatever the working directory: skipped
//! folders and files are counted with their reason, project-level suppressions that matched
//! nothing are reported, and a run's results do not depend on the process's directory.
mod common;

use common::Project;
use serde_json::Value;

/// `field(entry)` for each entry of the JSON report's `list` (`findings`, `skipped_dirs`), in
/// report order.
fn each(v: &Value, list: &str, field: impl Fn(&Value) -> String) -> Vec<String> {
    v[list].as_array().unwrap().iter().map(field).collect()
}

/// `a` and `b` of a JSON entry, as `a:b`.
fn pair(a: &'static str, b: &'static str) -> impl Fn(&Value) -> String {
    move |e| format!("{}:{}", e[a].as_str().unwrap(), e[b].as_str().unwrap())
}

/// The rule of each finding.
fn rules(v: &Value) -> Vec<String> {
    each(v, "findings", |f| f["rule"].as_str().unwrap().to_string())
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn unused_suppressions_of_project_level_rules_are_reported() {
    let risky = fixture("rules/refresh-token-not-revocable/risky-signature-only/src/auth.rs");
    // The finding's line (the fixture marks it) keeps its suppression, on the line before it;
    // one more, at the top of the file, matches nothing.
    let marker = "// expect: refresh-token-not-revocable";
    let suppressed: String = risky
        .lines()
        .map(|line| match line.find(marker) {
            Some(at) => format!(
                "    // authlint-ignore refresh-token-not-revocable: revoked by the gateway\n{}\n",
                line[..at].trim_end()
            ),
            None => format!("{line}\n"),
        })
        .collect();
    assert_eq!(
        suppressed.matches("authlint-ignore").count(),
        1,
        "the fixture changed"
    );
    let stale = "// authlint-ignore privilege-claims-in-token: roles are read from the database\n";
    let p = Project::new(&[
        (
            "Cargo.toml",
            "[package]\nname = \"shop\"\nversion = \"0.1.0\"\n",
        ),
        ("src/auth.rs", &format!("{stale}{suppressed}")),
        ("src/other.rs", &format!("{stale}pub fn f() {{}}\n")),
    ]);
    let (_, v) = p.json(&["--no-config"]);
    let rules = rules(&v);
    assert!(
        !rules.iter().any(|r| r == "refresh-token-not-revocable"),
        "{v}"
    );
    assert_eq!(v["summary"]["suppressed"], 1, "{v}");
    let unused = each(&v, "findings", |f| {
        let at = format!("{}:{}", f["path"].as_str().unwrap(), f["start"]["line"]);
        format!(
            "{at} {} {}",
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        )
    });
    let message =
        "unused-suppression suppression of `privilege-claims-in-token` matched no finding";
    assert_eq!(
        unused,
        [
            format!("src/auth.rs:1 {message}"),
            format!("src/other.rs:1 {message}")
        ],
        "{v}"
    );
}

const COOKIE_RS: &str = "pub fn login(jar: CookieJar, v: String) -> CookieJar {\n    \
                         jar.add(Cookie::build((\"session\", v)).secure(true))\n}\n";

/// A run through the library with `cwd` set to the project while the process stays in the
/// repository (which has its own `src/` and config): every relative path (the checked folder,
/// the config, the baseline) is the project's.
#[test]
fn relative_paths_are_relative_to_the_options_cwd_not_the_process() {
    use authlint::engine::{self, Options};
    let p = Project::new(&[
        ("src/login.rs", COOKIE_RS),
        (
            "authlint.toml",
            "[rules]\ncookie-missing-samesite = \"off\"\n",
        ),
    ]);
    assert_ne!(std::env::current_dir().unwrap(), p.path());
    let cwd = p.path().to_path_buf();
    let options = |settings| Options {
        paths: vec!["src".into()],
        settings,
        select: None,
        ignore: Vec::new(),
        threads: 2,
        cwd: cwd.clone(),
        stdin: None,
    };
    let load = || authlint::config::load(std::path::Path::new("authlint.toml"), &cwd).unwrap();
    let out = engine::run(&options(load())).unwrap();
    let found: Vec<(&str, &str)> = out
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule.id()))
        .collect();
    assert_eq!(found, [("src/login.rs", "cookie-missing-httponly")]);
    assert_eq!(out.summary.files.discovered, 1);

    // A relative baseline (as `--baseline base.json` gives it) hides that finding.
    let written = p.run(&["check", "--write-baseline", "base.json", "src"]);
    assert!(written.status.success(), "{written:?}");
    let mut settings = load();
    settings.baseline = Some("base.json".into());
    let out = engine::run(&options(settings)).unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert_eq!(out.summary.baseline_hidden, 1);
}

/// A role check in a browser front end (its Cargo.toml ships yew) only shapes the UI; the same
/// check in the server is a finding. The front end's manifest is found from `Options.cwd`.
#[test]
fn the_front_end_crate_is_found_from_the_options_cwd() {
    use authlint::engine::{self, Options};
    let risky = fixture("rules/privilege-claims-in-token/risky-long-token/src/auth.rs");
    let guard = &risky[risky.find("#[derive").unwrap()..];
    let guard = guard.replace("use axum", "use http").replace(
        "pub fn create_token",
        "#[allow(dead_code)]\nfn create_token_elsewhere",
    );
    let p = Project::new(&[
        (
            "Cargo.toml",
            "[package]\nname = \"shop\"\n[dependencies]\naxum = \"0.8\"\n",
        ),
        ("src/auth.rs", &risky),
        (
            "web/Cargo.toml",
            "[package]\nname = \"web\"\n[target.'cfg(target_arch = \"wasm32\")'.dependencies]\n\
             yew = { version = \"0.21\" }\n",
        ),
        ("web/src/guard.rs", &guard),
    ]);
    let out = engine::run(&Options {
        paths: vec![".".into()],
        settings: authlint::config::Settings {
            exclude_root: p.path().to_path_buf(),
            ..Default::default()
        },
        select: Some(vec![authlint::rule::Rule::PrivilegeClaimsInToken]),
        ignore: Vec::new(),
        threads: 2,
        cwd: p.path().to_path_buf(),
        stdin: None,
    })
    .unwrap();
    let found: Vec<&str> = out.findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(found, ["src/auth.rs"], "{:?}", out.findings);
}

/// The config in Cargo.toml is found in every TOML spelling of its table, and a commented-out
/// table is no config.
#[test]
fn cargo_metadata_config_is_found_by_parsing_the_manifest() {
    let cases = [
        (
            "[workspace]\n\n[workspace.metadata.authlint.rules]\ncookie-missing-samesite = \"off\"\n",
            false,
        ),
        (
            "[package]\nname = \"x\"\n[package.metadata]\nauthlint = { rules = { cookie-missing-samesite = \"off\" } }\n",
            false,
        ),
        (
            "[package]\nname = \"x\"\nmetadata.authlint.rules.cookie-missing-samesite = \"off\"\n",
            false,
        ),
        (
            "[package]\nname = \"x\"\n# [package.metadata.authlint]\n",
            true,
        ),
    ];
    for (manifest, samesite_reported) in cases {
        let p = Project::new(&[("Cargo.toml", manifest), ("src/login.rs", COOKIE_RS)]);
        let (_, v) = p.json(&[]);
        let rules = rules(&v);
        let has = |rule: &str| rules.iter().any(|r| r == rule);
        assert!(has("cookie-missing-httponly"), "{manifest}: {v}");
        assert_eq!(
            has("cookie-missing-samesite"),
            samesite_reported,
            "{manifest}: {v}"
        );
    }
}

/// Folders the walk does not enter are listed and counted with their reason, at any depth;
/// version-control metadata is not. A bundle by its name is a skipped file. A bundle by its name is a skipped file.
#[test]
fn every_folder_not_walked_is_counted_with_its_reason() {
    let p = Project::new(&[
        ("authlint.toml", "exclude = [\"legacy\"]\n"),
        ("src/login.rs", COOKIE_RS),
        ("src/build/mod.rs", COOKIE_RS),
        ("web/dist/app.js", "localStorage.setItem('token', t);\n"),
        ("web/app.min.cjs", "localStorage.setItem('token', t);\n"),
        (
            "node_modules/x/index.js",
            "localStorage.setItem('token', t);\n",
        ),
        ("target/debug/gen.rs", COOKIE_RS),
        ("legacy/old.rs", COOKIE_RS),
        (".git/config", "[core]\n"),
    ]);
    let (_, v) = p.json(&[]);
    let dirs = each(&v, "skipped_dirs", pair("path", "reason"));
    assert_eq!(
        dirs,
        [
            "legacy:excluded",
            "node_modules:build-or-dependencies",
            "src/build:build-or-dependencies",
            "target:build-or-dependencies",
            "web/dist:build-or-dependencies",
        ],
        "{v}"
    );
    assert_eq!(
        v["summary"]["skipped_dirs_by_reason"],
        serde_json::json!({"build-or-dependencies": 4, "excluded": 1})
    );
    assert_eq!(
        v["skipped"],
        serde_json::json!([{"path": "web/app.min.cjs", "reason": "minified"}])
    );
    let files = &v["summary"]["files"];
    assert_eq!(
        files["discovered"], 3,
        "authlint.toml, src/login.rs, the bundle: {v}"
    );
    let human = String::from_utf8(p.run(&["check", "--color", "never"]).stdout).unwrap();
    assert!(
        human.contains("; 5 folders not walked (4 build-or-dependencies, 1 excluded)"),
        "{human}"
    );
}

/// Test code is one thing for discovery and for every rule: a helper named as test code
/// (`mock_`, `fake_`, `test_`) in a production file is left out by the token rules and the
/// cookie rules alike, as a file with that name would be, and `include_tests = true` brings
/// them all back.
#[test]
fn test_helpers_are_test_code_for_every_rule() {
    let code = "use jsonwebtoken::{encode, EncodingKey, Header};\n\
                pub fn mock_token(key: &EncodingKey) -> String {\n    \
                encode(&Header::default(), &serde_json::json!({ \"sub\": \"u\" }), key).unwrap()\n}\n\
                pub fn fake_login(jar: CookieJar, v: String) -> CookieJar {\n    \
                jar.add(Cookie::build((\"session\", v)).secure(true))\n}\n";
    let rules = |p: &Project| -> Vec<String> {
        let mut found = each(&p.json(&[]).1, "findings", pair("path", "rule"));
        found.dedup();
        found
    };
    let p = Project::new(&[("src/session.rs", code), ("src/mock_keys.rs", code)]);
    assert_eq!(rules(&p), Vec::<String>::new());
    let (_, v) = p.json(&[]);
    assert_eq!(v["summary"]["skipped_by_reason"]["test-code"], 1, "{v}");
    p.write("authlint.toml", "include_tests = true\n");
    let all = [
        "cookie-missing-httponly",
        "cookie-missing-samesite",
        "token-without-expiry",
    ];
    let expected: Vec<String> = ["src/mock_keys.rs", "src/session.rs"]
        .iter()
        .flat_map(|path| all.iter().map(move |rule| format!("{path}:{rule}")))
        .collect();
    let mut found = rules(&p);
    found.sort();
    assert_eq!(found, expected);
}
