//! `--fix`, `--unsafe-fixes` and `--diff` (issue 16, conventions): the diff is snapshotted, a
//! fixed project checks clean, a fix never touches what it does not fix, and every fix is also in
//! SARIF `fixes`. Each test runs the real binary on a copy of a fixture in a temp dir.
mod common;

use common::Project;
use serde_json::Value;

use common::{code, stderr, stdout};

/// Every `.rs` file of the project with its text.
fn rust_files(p: &Project) -> Vec<(String, String)> {
    let mut files: Vec<_> = common::walk(p.path())
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .map(|f| {
            let rel = f
                .strip_prefix(p.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read_to_string(&f).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let p = Project::copy_of("fix/cookie-builders");
    let before = rust_files(&p);
    let out = p.run(&["check", "--diff"]);
    assert_eq!(code(&out), 1, "a diff exits 1: {}", stderr(&out));
    assert_eq!(rust_files(&p), before, "--diff wrote to the files");
    assert!(stderr(&out).contains("9 findings fixable in 3 files (nothing written)"));
    insta::assert_snapshot!("cookie-builders.diff", stdout(&out));
}

#[test]
fn fix_applies_the_safe_fixes_and_the_project_checks_clean() {
    let p = Project::copy_of("fix/cookie-builders");
    let out = p.run(&["check", "--fix", "--format", "concise"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("fixed 9 findings in 3 files; checked again: 0 findings left"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("authlint: no findings"),
        "{}",
        stdout(&out)
    );
    for (path, text) in rust_files(&p) {
        syn::parse_file(&text).unwrap_or_else(|e| panic!("{path} no longer parses: {e}\n{text}"));
    }
    // Checked again from scratch, and a second --fix finds nothing left to do.
    let again = p.run(&["check", "--diff"]);
    assert_eq!((code(&again), stdout(&again).as_str()), (0, ""));
}

#[test]
fn session_layers_get_with_secure_and_an_explicit_false_needs_unsafe_fixes() {
    let p = Project::copy_of("fix/session-layers");
    let diff = p.run(&["check", "--diff", "--unsafe-fixes"]);
    assert_eq!(code(&diff), 1);
    insta::assert_snapshot!("session-layers.diff", stdout(&diff));
    let safe = p.run(&["check", "--fix", "--format", "concise", "-q"]);
    assert!(
        stderr(&safe).contains("fixed 1 finding in 1 file; checked again: 1 finding left"),
        "{}",
        stderr(&safe)
    );
    assert!(
        stdout(&safe).contains("has Secure turned off"),
        "{}",
        stdout(&safe)
    );
    let all = p.run(&["check", "--fix", "--unsafe-fixes", "-q"]);
    assert_eq!(code(&all), 0, "{}{}", stdout(&all), stderr(&all));
    for (path, text) in rust_files(&p) {
        syn::parse_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(text.matches(".with_secure(true)").count(), 2, "{text}");
    }
}

#[test]
fn lifetimes_are_set_to_the_limit_in_the_products_unit_only_as_unsafe_fixes() {
    let p = Project::copy_of("fix/lifetimes");
    let before = std::fs::read_to_string(p.path().join(".env")).unwrap();
    let human = p.run(&["check"]);
    assert!(
        stdout(&human).contains("fixable: 5 with `--fix --unsafe-fixes` (`--diff` shows them)"),
        "{}",
        stdout(&human)
    );
    let safe = p.run(&["check", "--fix", "-q"]);
    assert_eq!(code(&safe), 1, "safe fixes only: nothing to apply");
    assert_eq!(
        std::fs::read_to_string(p.path().join(".env")).unwrap(),
        before
    );
    let diff = p.run(&["check", "--diff", "--unsafe-fixes"]);
    insta::assert_snapshot!("lifetimes.diff", stdout(&diff));
    let all = p.run(&["check", "--fix", "--unsafe-fixes", "--format", "json"]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    let after: Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(after["findings"], serde_json::json!([]));
    assert_eq!(
        after["diagnostics"],
        serde_json::json!([]),
        "the fixed files still parse"
    );
}

/// Every rule with fixes, on its own rule fixtures: `--fix` removes the findings that had a safe
/// fix, `--unsafe-fixes` also the others, no finding appears, and every fixed file still parses.
#[test]
fn fix_on_the_rule_fixtures_removes_the_fixed_findings_and_adds_none() {
    for (rule, has_safe) in [
        ("cookie-missing-httponly", true),
        ("cookie-missing-secure", true),
        ("cookie-missing-samesite", true),
        ("access-token-ttl-too-long", false),
        ("refresh-token-ttl-too-long", false),
        ("refresh-token-rotation-disabled", false),
        ("refresh-token-not-revocable", false),
        ("token-without-expiry", false),
    ] {
        for unsafe_too in [false, true] {
            let p = Project::copy_of(&format!("rules/{rule}"));
            let (_, before) = p.json(&[]);
            let findings = |v: &Value| v["findings"].as_array().unwrap().clone();
            let applies = |f: &Value| {
                f["fix"]["applicability"] == "safe"
                    || (unsafe_too && f["fix"]["applicability"] == "unsafe")
            };
            let fixable = findings(&before).iter().filter(|f| applies(f)).count();
            assert!(
                unsafe_too || !has_safe || fixable > 0,
                "{rule}: no safe fix"
            );
            assert!(
                has_safe || unsafe_too || fixable == 0,
                "{rule}: a safe fix in config"
            );
            assert!(!unsafe_too || fixable > 0, "{rule}: no fix at all");
            let mut args = vec!["check", "--fix", "--format", "json"];
            if unsafe_too {
                args.push("--unsafe-fixes");
            }
            let out = p.run(&args);
            let after: Value = serde_json::from_slice(&out.stdout).unwrap();
            let left = findings(&after);
            // What is left was there before and had no fix to apply (a fix may also resolve a
            // finding it was not attached to: a revocation switch turned on is also a store).
            let key = |f: &Value| (f["rule"].clone(), f["path"].clone(), f["message"].clone());
            let kept: Vec<_> = findings(&before)
                .iter()
                .filter(|f| !applies(f))
                .map(key)
                .collect();
            assert!(
                left.iter().all(|f| kept.contains(&key(f))),
                "{rule} (unsafe: {unsafe_too}): a fix left or made a finding: {left:#?}"
            );
            assert!(
                left.len() + fixable <= findings(&before).len(),
                "{rule}: {}",
                stderr(&out)
            );
            assert_eq!(
                after["diagnostics"], before["diagnostics"],
                "{rule}: a fix broke a file"
            );
            for (path, text) in rust_files(&p) {
                syn::parse_file(&text).unwrap_or_else(|e| panic!("{rule}/{path}: {e}"));
            }
        }
    }
}

#[test]
fn an_explicit_false_is_only_turned_on_with_unsafe_fixes() {
    let code_rs = "use cookie::{Cookie, SameSite};\n\
        fn a(jar: &mut cookie::CookieJar, sid: String) {\n\
            jar.add(Cookie::build((\"session\", sid)).http_only(false).secure(true).same_site(SameSite::Lax));\n\
        }\n";
    let p = Project::new(&[("src/a.rs", code_rs), ("authlint.toml", "")]);
    let safe = p.run(&["check", "--diff"]);
    assert_eq!((code(&safe), stdout(&safe).as_str()), (0, ""));
    let out = p.run(&["check", "--fix", "--unsafe-fixes", "-q"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let fixed = std::fs::read_to_string(p.path().join("src/a.rs")).unwrap();
    assert_eq!(
        fixed,
        code_rs.replace("http_only(false)", "http_only(true)")
    );
}

#[test]
fn fixes_are_in_json_and_sarif() {
    let p = Project::copy_of("fix/cookie-builders");
    let (_, json) = p.json(&[]);
    let f = &json["findings"][0];
    assert_eq!(f["path"], "src/actix_login.rs");
    assert_eq!(f["fix"]["title"], "add `.http_only(true)`");
    assert_eq!(f["fix"]["applicability"], "safe");
    let edit = &f["fix"]["edits"][0];
    assert_eq!(edit["content"], ".http_only(true)");
    assert_eq!(edit["start"], edit["end"], "an insertion");
    let out = p.run(&["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_valid_sarif(&sarif);
    let result = &sarif["runs"][0]["results"][0];
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "src/actix_login.rs");
    let rep = &change["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], ".http_only(true)");
    assert_eq!(rep["deletedRegion"]["startLine"], 6);
    assert_eq!(rep["deletedRegion"]["byteLength"], 0);
}

#[test]
fn a_file_changed_on_disk_is_not_fixed_blindly() {
    // A UTF-16 file is decoded before it is checked: its bytes are not the text the fix edits.
    let text = "use cookie::Cookie;\nfn a(jar: &mut cookie::CookieJar, t: String) { jar.add(Cookie::build((\"session\", t)).secure(true)); }\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let p = Project::new(&[("authlint.toml", "")]);
    std::fs::create_dir_all(p.path().join("src")).unwrap();
    std::fs::write(p.path().join("src/a.rs"), &bytes).unwrap();
    let out = p.run(&["check", "--fix", "-q"]);
    assert!(
        stderr(&out).contains("src/a.rs: not fixed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(p.path().join("src/a.rs")).unwrap(), bytes);
    assert_eq!(code(&out), 1, "the findings remain");
}
