//! The command line's exit codes for failures only a unit test can cause.
use super::{EXIT_ERROR, run};
use crate::engine::test_hook::PANIC_MARKER;
use std::path::Path;

/// `authlint check DIR --format json -o FILE ARGS…`: the exit code and the JSON report.
fn check_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let mut argv = vec!["authlint", "check", "--no-config", "--format", "json"];
    argv.extend(["-o", report.to_str().unwrap(), dir.to_str().unwrap()]);
    argv.extend(args);
    let code = run(argv.into_iter().map(Into::into));
    let text = std::fs::read_to_string(&report).expect("the report was written");
    (code, serde_json::from_str(&text).expect("valid JSON"))
}

#[test]
fn an_analyzer_that_panics_fails_its_file_and_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cookie = "fn login(jar: CookieJar, v: String) {\n    \
                  jar.add(Cookie::build((\"session\", v)).secure(true));\n}\n";
    std::fs::write(dir.path().join("kept.rs"), cookie).unwrap();
    let crash = format!("// {PANIC_MARKER}\n{cookie}");
    std::fs::write(dir.path().join("crash.rs"), crash).unwrap();
    for args in [&[][..], &["--exit-zero"], &["--fail-on", "error"]] {
        let (code, v) = check_json(dir.path(), args);
        assert_eq!(code, EXIT_ERROR, "{args:?}: an internal error exits 2");
        let files = &v["summary"]["files"];
        assert_eq!(
            (&files["discovered"], &files["scanned"], &files["failed"]),
            (&2.into(), &1.into(), &1.into()),
            "{v}"
        );
        // Paths are shown relative to the process's working directory: here, absolute.
        let shown = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let d = &v["diagnostics"][0];
        assert_eq!(
            (&d["kind"], &d["path"]),
            (&"internal-error".into(), &shown("crash.rs").into())
        );
        assert!(
            d["message"].as_str().unwrap().contains("forced by a test"),
            "{d}"
        );
        // The other file's findings are all there.
        let findings = v["findings"].as_array().unwrap();
        assert!(
            !findings.is_empty()
                && findings
                    .iter()
                    .all(|f| f["path"] == shown("kept.rs").as_str()),
            "{v}"
        );
    }
}
