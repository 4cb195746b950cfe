//! The per-file time budget (`file_timeout`): a file whose analysis runs past it is reported as
//! a `timeout` and counted as failed, and the rest of the run goes on.
use authlint::config::Settings;
use authlint::engine::{self, Options};
use std::time::Duration;

fn run(dir: &std::path::Path, file_timeout: Duration) -> engine::Outcome {
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        settings: Settings {
            exclude_root: dir.to_path_buf(),
            file_timeout,
            ..Settings::default()
        },
        select: None,
        ignore: Vec::new(),
        threads: 2,
        cwd: dir.to_path_buf(),
        stdin: None,
    };
    engine::run(&opts).expect("run succeeds")
}

#[test]
fn a_file_past_its_time_budget_is_a_timeout_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("canary.rs"),
        "fn login(jar: CookieJar, v: String) -> CookieJar {\n    jar.add(Cookie::build((\"session\", v)).secure(true))\n}\n",
    )
    .unwrap();
    std::fs::write(
        p.join("auth.json"),
        r#"{"jwt": {"secret": "k8s7Hf0pQz9LmN2vX4bW"}}"#,
    )
    .unwrap();
    // Nothing to analyse: only searched for the vocabulary, never timed out.
    std::fs::write(p.join("plain.rs"), "fn main() {}\n").unwrap();

    let normal = run(p, Duration::from_secs(60));
    assert!(normal.diagnostics.is_empty(), "{:?}", normal.diagnostics);
    assert_eq!(normal.summary.files.failed, 0);
    let mut rules: Vec<_> = normal
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule))
        .collect();
    rules.dedup_by_key(|r| r.0);
    assert_eq!(rules.len(), 2, "both files have findings: {rules:?}");

    let spent = run(p, Duration::ZERO);
    assert!(spent.findings.is_empty(), "{:?}", spent.findings);
    let timeouts: Vec<_> = spent
        .diagnostics
        .iter()
        .map(|d| (d.kind.as_str(), d.path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        timeouts,
        [
            (
                "timeout",
                "auth.json",
                "analysis stopped after 0s (file_timeout) in the config analyzer: this file's findings may be incomplete"
            ),
            (
                "timeout",
                "canary.rs",
                "analysis stopped after 0s (file_timeout) in the rust analyzer: this file's findings may be incomplete"
            ),
        ]
    );
    let files = &spent.summary.files;
    assert_eq!((files.failed, files.scanned, files.discovered), (2, 1, 3));
}

#[test]
fn file_timeout_is_read_from_the_config_and_must_be_positive() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("authlint.toml");
    std::fs::write(&cfg, "file_timeout = \"1m30s\"\n").unwrap();
    let s = authlint::config::load(&cfg, dir.path()).unwrap();
    assert_eq!(s.file_timeout, Duration::from_secs(90));
    std::fs::write(&cfg, "file_timeout = \"0s\"\n").unwrap();
    let e = authlint::config::load(&cfg, dir.path()).unwrap_err();
    let messages: Vec<&str> = e.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["invalid `file_timeout`: must be at least 1s"]);
    assert_eq!(Settings::default().file_timeout, Duration::from_secs(10));
}
