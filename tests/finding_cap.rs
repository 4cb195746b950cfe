//! The per-file, per-rule finding cap: past it, a rule's findings in that file are counted, not
//! kept, and the file gets one `too-many-findings` diagnostic per rule (human, JSON, SARIF), while
//! the summary says how many were left out. The cap is lowered through `Settings`, not a config
//! key, so the generated file stays small.
mod common;

use authlint::config::Settings;
use authlint::engine::{self, Options, Outcome};
use authlint::report::Format;
use authlint::rule::Rule;
use serde_json::Value;
use std::path::Path;

const HTTPONLY: &str = "cookie-missing-httponly";
const SAMESITE: &str = "cookie-missing-samesite";

/// `n` handlers that each set a session cookie without HttpOnly and SameSite (two findings each).
fn handlers(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "fn login{i}(jar: CookieJar, v: String) -> CookieJar {{\n    jar.add(Cookie::build((\"session\", v)).secure(true))\n}}\n"
            )
        })
        .collect()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.rs"), handlers(7)).unwrap();
    std::fs::write(dir.path().join("few.rs"), handlers(4)).unwrap();
    dir
}

fn run(dir: &Path, cap: usize, ignore: Vec<Rule>) -> Outcome {
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        settings: Settings {
            exclude_root: dir.to_path_buf(),
            max_per_file_rule: cap,
            ..Settings::default()
        },
        select: None,
        ignore,
        threads: 2,
        cwd: dir.to_path_buf(),
        stdin: None,
    };
    engine::run(&opts).expect("run succeeds")
}

/// `(path, rule, line)` of each finding, in report order.
fn findings(o: &Outcome) -> Vec<(String, String, usize)> {
    let v: Value = serde_json::from_str(&common::render(o, Format::Json)).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

fn message(n: usize, rule: &str, cap: usize) -> String {
    format!(
        "{n} more `{rule}` findings in this file were not reported (at most {cap} per rule and file)"
    )
}

#[test]
fn past_the_cap_a_rules_findings_are_counted_and_said_not_kept() {
    let dir = project();
    let full = run(dir.path(), 1_000, Vec::new());
    assert!(full.diagnostics.is_empty(), "{:?}", full.diagnostics);
    assert_eq!(full.summary.not_reported, 0);
    let all = findings(&full);
    let of = |path: &str, rule: &str| all.iter().filter(|f| f.0 == path && f.1 == rule).count();
    assert_eq!((of("many.rs", HTTPONLY), of("many.rs", SAMESITE)), (7, 7));

    let capped = run(dir.path(), 5, Vec::new());
    let kept = findings(&capped);
    // The file under the cap is untouched; the other keeps its first five of each rule.
    let expected: Vec<_> = all
        .iter()
        .filter(|f| {
            f.0 == "few.rs"
                || all
                    .iter()
                    .filter(|g| g.0 == f.0 && g.1 == f.1 && g.2 < f.2)
                    .count()
                    < 5
        })
        .cloned()
        .collect();
    assert_eq!(kept, expected);
    assert_eq!(kept.len(), 8 + 10);
    // One diagnostic per rule; the file still counts as scanned, not failed.
    let diagnostics: Vec<_> = capped
        .diagnostics
        .iter()
        .map(|d| (d.kind.as_str(), d.path.as_str(), d.message.clone()))
        .collect();
    assert_eq!(
        diagnostics,
        vec![
            ("too-many-findings", "many.rs", message(2, HTTPONLY, 5)),
            ("too-many-findings", "many.rs", message(2, SAMESITE, 5)),
        ]
    );
    assert_eq!(capped.summary.not_reported, 4);
    assert_eq!(capped.summary.files.scanned, 2);
    assert_eq!(capped.summary.files.failed, 0);

    let json: Value = serde_json::from_str(&common::render(&capped, Format::Json)).unwrap();
    assert_eq!(json["summary"]["not_reported"], 4);
    assert_eq!(json["diagnostics"][0]["kind"], "too-many-findings");
    assert_eq!(json["diagnostics"][0]["message"], message(2, HTTPONLY, 5));
    let schema = common::schema("authlint-report.schema.json");
    let errors: Vec<String> = schema.iter_errors(&json).map(|e| e.to_string()).collect();
    assert_eq!(errors, Vec::<String>::new());

    let sarif: Value = serde_json::from_str(&common::render(&capped, Format::Sarif)).unwrap();
    common::assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes: Vec<_> = invocation["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["descriptor"]["id"] == "too-many-findings")
        .map(|n| {
            (
                n["level"].as_str().unwrap(),
                n["message"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                "warning",
                format!("many.rs: {}", message(2, HTTPONLY, 5)).as_str()
            ),
            (
                "warning",
                format!("many.rs: {}", message(2, SAMESITE, 5)).as_str()
            ),
        ]
    );
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 18);

    let human = common::render(&capped, Format::Human);
    assert!(
        human.contains(&format!(
            "warning[too-many-findings]: many.rs: {}",
            message(2, HTTPONLY, 5)
        )),
        "{human}"
    );
    assert!(
        human.contains("; 4 not reported (too many of one rule in one file)"),
        "{human}"
    );
}

#[test]
fn a_rule_turned_off_past_the_cap_says_nothing() {
    let dir = project();
    let httponly = Rule::from_id(HTTPONLY).unwrap();
    let capped = run(dir.path(), 5, vec![httponly]);
    let kinds: Vec<_> = capped
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(kinds, vec![message(2, SAMESITE, 5)]);
    assert_eq!(capped.summary.not_reported, 2);
    assert!(findings(&capped).iter().all(|f| f.1 != HTTPONLY));
}

#[test]
fn the_default_cap_is_a_thousand_per_rule_and_file_and_does_not_fail_a_strict_run() {
    let many = handlers(2_234);
    let p = common::Project::new(&[("many.rs", many.as_str())]);
    let (code, v) = p.json(&["--strict", "--no-config"]);
    // Findings, but the file was read whole: exit 1, not the 2 of a failed run.
    assert_eq!(code, 1);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2_000);
    let messages: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        vec![
            "1,234 more `cookie-missing-httponly` findings in this file were not reported (at most 1,000 per rule and file)",
            "1,234 more `cookie-missing-samesite` findings in this file were not reported (at most 1,000 per rule and file)",
        ]
    );
    assert_eq!(v["summary"]["not_reported"], 2_468);
    assert_eq!(v["summary"]["files"]["scanned"], 1);
}
