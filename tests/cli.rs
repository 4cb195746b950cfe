//! The command line as users run it: exit codes, formats, config, suppressions, baseline,
//! discovery. Each test builds a small project in a temp dir and runs the real binary.
mod common;

use common::Project;

use serde_json::Value;
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The path of every finding in a JSON report, in report order.
fn finding_paths(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// A warning-level finding the engine always reports: a suppression that names no rule.
const WARNING_RS: &str = "fn main() {\n    // authlint-ignore\n    let _x = 1;\n}\n";
const CLEAN_RS: &str = "fn main() {\n    println!(\"hello\");\n}\n";

#[test]
fn exit_codes() {
    let clean = Project::new(&[("src/main.rs", CLEAN_RS)]);
    assert_eq!(code(&clean.run(&["check"])), 0);
    let warn = Project::new(&[("src/main.rs", WARNING_RS)]);
    assert_eq!(
        code(&warn.run(&["check"])),
        1,
        "a warning fails at the default --fail-on warning"
    );
    assert_eq!(code(&warn.run(&["check", "--fail-on", "error"])), 0);
    assert_eq!(code(&warn.run(&["check", "--fail-on", "note"])), 1);
    assert_eq!(code(&warn.run(&["check", "--exit-zero"])), 0);
    for format in ["json", "sarif", "github", "human"] {
        assert_eq!(
            code(&warn.run(&["check", "--format", format])),
            1,
            "same exit code in {format}"
        );
    }
    // Usage, config and path errors are 2 and outrank findings.
    assert_eq!(code(&warn.run(&["check", "--format", "xml"])), 2);
    assert_eq!(code(&warn.run(&["check", "does-not-exist"])), 2);
    warn.write("authlint.toml", "access_token_max_ttl = \"soon\"\n");
    assert_eq!(code(&warn.run(&["check"])), 2);
    assert_eq!(code(&warn.run(&["check", "--no-config"])), 1);
}

#[test]
fn unknown_rule_on_the_command_line_suggests_the_closest() {
    let p = Project::new(&[("src/main.rs", CLEAN_RS)]);
    let out = p.run(&["check", "--select", "cookie-missing-httponl"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `cookie-missing-httponly`?"),
        "{}",
        stderr(&out)
    );
    let out = p.run(&["check", "--ignore", "unused-suppression,nonsense-rule-xyz"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown rule or category `nonsense-rule-xyz`"));
}

#[test]
fn select_and_ignore_change_what_is_reported() {
    let p = Project::new(&[("src/main.rs", WARNING_RS)]);
    assert_eq!(
        code(&p.run(&["check", "--ignore", "unused-suppression"])),
        0
    );
    assert_eq!(
        code(&p.run(&["check", "--select", "unused-suppression"])),
        1
    );
    assert_eq!(
        code(&p.run(&["check", "--select", "cookie-missing-secure"])),
        0
    );
}

#[test]
fn json_report_is_versioned_and_accounts_for_every_file() {
    let p = Project::new(&[
        ("src/main.rs", WARNING_RS),
        ("src/broken.rs", "fn session( {\n"),
        ("src/big.rs", &"// padding\n".repeat(300)),
        ("web/app.ts", "export const x = 1;\n"),
        ("README.md", "# not checked\n"),
        ("authlint.toml", "max_file_size = 1000\n"),
    ]);
    let (code, v) = p.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "authlint");
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "unused-suppression");
    assert_eq!(f["path"], "src/main.rs");
    assert_eq!(f["start"]["line"], 2);
    assert_eq!(f["start"]["column"], 5);
    assert!(f["fingerprint"].as_str().unwrap().len() == 16);
    assert_eq!(v["diagnostics"][0]["kind"], "parse-error");
    assert_eq!(v["diagnostics"][0]["path"], "src/broken.rs");
    assert_eq!(
        v["skipped"][0],
        serde_json::json!({"path": "src/big.rs", "reason": "too-large"})
    );
    let files = &v["summary"]["files"];
    assert_eq!(
        files["discovered"], 5,
        "main.rs, broken.rs, big.rs, app.ts, authlint.toml: {files}"
    );
    assert_eq!(
        files["discovered"].as_u64(),
        Some(
            files["scanned"].as_u64().unwrap()
                + files["skipped"].as_u64().unwrap()
                + files["failed"].as_u64().unwrap()
        )
    );
    assert_eq!(files["failed"], 1);
    // A parse error alone does not fail the run; with --strict it does.
    p.write("src/main.rs", CLEAN_RS);
    assert_eq!(p.json(&[]).0, 0);
    assert_eq!(p.json(&["--strict"]).0, 2);
}

#[test]
fn sarif_is_valid_and_has_what_github_needs() {
    let p = Project::new(&[
        ("src/main.rs", WARNING_RS),
        ("src/broken.rs", "fn session( {\n"),
    ]);
    let out = p.run(&["check", "--format", "sarif"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_valid_sarif(&v);
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "authlint");
    assert!(driver["semanticVersion"].is_string() && driver["informationUri"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    for r in rules {
        for key in [
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
            "defaultConfiguration",
        ] {
            assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
        }
        assert!(r["help"]["markdown"].is_string());
        assert!(!r["properties"]["tags"].as_array().unwrap().is_empty());
    }
    let security: Vec<&Value> = rules
        .iter()
        .filter(|r| {
            r["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&"security".into())
        })
        .collect();
    for r in security {
        assert!(
            r["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .is_ok()
        );
    }
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "unused-suppression");
    assert_eq!(
        rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "unused-suppression"
    );
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/main.rs");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert!(res["partialFingerprints"]["authlint/v1"].is_string());
    assert!(run["automationDetails"]["id"].is_string());
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let note = &inv["toolExecutionNotifications"][0];
    assert_eq!(note["descriptor"]["id"], "parse-error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/broken.rs"
    );

    let clean = Project::new(&[("src/main.rs", CLEAN_RS)]);
    let v: Value =
        serde_json::from_slice(&clean.run(&["check", "--format", "sarif"]).stdout).unwrap();
    common::assert_valid_sarif(&v);
    assert_eq!(
        v["runs"][0]["results"],
        serde_json::json!([]),
        "results: [] when clean"
    );
}

/// Copies a directory of the repository into the project, under `to`.
fn copy_tree(p: &Project, from: &str, to: &str) {
    let base = common::root().join(from);
    for file in common::walk(&base) {
        let rel = file
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        p.write(&format!("{to}/{rel}"), &text);
    }
}

#[test]
fn machine_output_is_the_same_bytes_at_any_thread_count() {
    // A real tree: every rule's fixtures, the demo and a design project (Rust, scripts, markup
    // and config, through every analyzer, the facts and the verdict), a file that fails to
    // parse, and many files reporting the same finding, so that workers interleave.
    let p = Project::new(&[("src/broken.rs", "fn access_token( {")]);
    copy_tree(&p, "fixtures/rules", "rules");
    copy_tree(&p, "fixtures/demo", "demo");
    copy_tree(&p, "fixtures/design/stateless-jwt-spa", "spa");
    for i in 0..40 {
        p.write(&format!("src/m{i}.rs"), WARNING_RS);
    }
    let (_, v) = p.json(&["-j", "2"]);
    let rules: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.len() >= 12,
        "a real run reports many rules: {rules:?}"
    );
    assert_ne!(v["design"]["found"], "no-auth-found", "{}", v["design"]);
    assert!(
        !v["design"]["evidence"].as_array().unwrap().is_empty(),
        "the verdict reads facts: {}",
        v["design"]
    );
    assert_eq!(v["diagnostics"][0]["path"], "src/broken.rs");
    let out = |format: &str, j: &str| stdout(&p.run(&["check", "--format", format, "-j", j]));
    for format in ["json", "sarif", "github"] {
        let one = out(format, "1");
        let two = out(format, "2");
        let again = out(format, "2");
        assert!(
            one == two,
            "{format}: -j1 and -j2 differ: {}",
            first_difference(&one, &two)
        );
        assert!(
            two == again,
            "{format}: two runs differ: {}",
            first_difference(&two, &again)
        );
    }
}

/// The first line where two outputs differ, with its number.
fn first_difference(a: &str, b: &str) -> String {
    let mut lines = a.lines().zip(b.lines()).enumerate();
    match lines.find(|(_, (x, y))| x != y) {
        Some((i, (x, y))) => format!("line {}:\n  {x}\n  {y}", i + 1),
        None => format!("{} lines against {}", a.lines().count(), b.lines().count()),
    }
}

#[test]
fn github_annotations() {
    let p = Project::new(&[("src/main.rs", WARNING_RS)]);
    let out = stdout(&p.run(&["check", "--format", "github"]));
    assert!(
        out.starts_with("::warning file=src/main.rs,line=2,endLine=2,col=5,endColumn=23,title=authlint unused-suppression::suppression names no rule%0A%0Ahelp: "),
        "{out}"
    );
}

#[test]
fn output_file_and_colour() {
    let p = Project::new(&[("src/main.rs", WARNING_RS)]);
    let out = p.run(&["check", "--format", "sarif", "-o", "report.sarif"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("report.sarif")).unwrap())
            .unwrap();
    common::assert_valid_sarif(&v);

    let ansi = |o: &Output| o.stdout.windows(2).any(|w| w == b"\x1b[");
    assert!(ansi(&p.run(&["check", "--color", "always"])));
    assert!(!ansi(&p.run(&["check", "--color", "never"])));
    assert!(!ansi(&p.run(&["check"])), "not a terminal: no colour");
    assert!(ansi(&p.run_env(&["check"], &[("CLICOLOR_FORCE", "1")])));
    assert!(
        !ansi(&p.run_env(&["check"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])),
        "NO_COLOR wins"
    );
    assert!(
        !ansi(&p.run(&["check", "--color", "always", "--format", "json"])),
        "machine formats never carry colour"
    );
    let human = stdout(&p.run(&["check"]));
    assert!(human.contains("unused-suppression"));
    assert!(human.contains("src/main.rs:2:5"));
    assert!(human.contains("help: write `authlint-ignore <rule-id>: <why this is safe>`"));
    assert!(human.contains("authlint: 1 finding: 0 errors, 1 warning, 0 notes"));
    let quiet = stdout(&p.run(&["check", "--quiet"]));
    assert!(quiet.contains("suppression names no rule") && !quiet.contains("authlint: 1 finding"));
}

#[test]
fn config_is_found_upward_and_errors_point_into_it() {
    let p = Project::new(&[
        ("backend/src/main.rs", WARNING_RS),
        ("authlint.toml", "[rules]\nunused-suppression = \"note\"\n"),
    ]);
    let (code, v) = p.json(&["backend"]);
    assert_eq!(code, 0, "note is below --fail-on warning");
    assert_eq!(v["findings"][0]["severity"], "note");

    p.write("authlint.toml", "[rules]\nunused-supression = \"off\"\n");
    let out = p.run(&["check", "backend"]);
    assert_eq!(self::code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("unknown rule `unused-supression`"), "{err}");
    assert!(err.contains("did you mean `unused-suppression`?"), "{err}");
    assert!(
        err.contains("authlint.toml:2:1"),
        "points at the line: {err}"
    );

    p.write("authlint.toml", "acces_token_max_ttl = \"5m\"\n");
    let err = stderr(&p.run(&["check"]));
    assert!(
        err.contains("unknown field `acces_token_max_ttl`")
            && err.contains("did you mean `access_token_max_ttl`?"),
        "{err}"
    );

    std::fs::remove_file(p.path().join("authlint.toml")).unwrap();
    p.write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.authlint]\nrules = { unused-suppression = \"off\" }\n");
    assert_eq!(
        self::code(&p.run(&["check"])),
        0,
        "Cargo.toml metadata is read"
    );
    p.write("custom.toml", "[rules]\nunused-suppression = \"error\"\n");
    let (_, v) = p.json(&["--config", "custom.toml"]);
    assert_eq!(v["findings"][0]["severity"], "error");
}

#[test]
fn discovery_honours_gitignore_default_excludes_and_explicit_files() {
    let p = Project::new(&[
        ("src/main.rs", WARNING_RS),
        ("generated/out.rs", WARNING_RS),
        ("node_modules/pkg/index.rs", WARNING_RS),
        ("target/debug/build.rs", WARNING_RS),
        (".gitignore", "generated/\n"),
        (".env", "# authlint-ignore\nX=1\n"),
        ("tests/login.rs", WARNING_RS),
    ]);
    let (_, v) = p.json(&[]);
    let paths: Vec<&str> = finding_paths(&v);
    assert_eq!(
        paths,
        [".env", "src/main.rs"],
        "gitignored, node_modules, target and tests/ are not checked; .env is"
    );
    assert_eq!(v["summary"]["skipped_by_reason"]["test-code"], 1);
    let (_, v) = p.json(&["tests/login.rs"]);
    assert_eq!(
        v["skipped"][0]["reason"], "test-code",
        "pre-commit's explicit files are judged like walked ones"
    );
    let (_, v) = p.json(&["generated/out.rs", "target/debug/build.rs"]);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        2,
        "files named explicitly are checked"
    );
    // A role is not a default exclude: vendored code stays skipped, named or not.
    let (_, v) = p.json(&["node_modules/pkg/index.rs"]);
    assert_eq!(v["skipped"][0]["reason"], "vendored");
    p.write(
        "authlint.toml",
        "exclude = [\"generated/\"]\ninclude_tests = true\n",
    );
    let (_, v) = p.json(&["generated/out.rs"]);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        0,
        "config excludes apply to explicit files"
    );
    assert_eq!(v["skipped"][0]["reason"], "excluded");
    let (_, v) = p.json(&[]);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        3,
        "include_tests = true reads tests/"
    );
}

#[test]
fn baseline_hides_recorded_findings_and_counts_fixed_ones() {
    let two = "fn a() {\n    // authlint-ignore\n}\nfn b() {\n    // authlint-ignore\n}\n";
    let p = Project::new(&[("src/main.rs", two), ("src/other.rs", WARNING_RS)]);
    let out = p.run(&["check", "--write-baseline", "baseline.json"]);
    assert_eq!(
        code(&out),
        0,
        "writing a baseline accepts the current findings"
    );
    assert!(stderr(&out).contains("wrote 3 findings to baseline"));
    assert_eq!(code(&p.run(&["check", "--baseline", "baseline.json"])), 0);
    // Lines move: still hidden. One finding fixed: counted. A new one: reported.
    p.write("src/main.rs", &format!("// a new first line\n\n{two}"));
    p.write("src/other.rs", CLEAN_RS);
    p.write("src/new.rs", WARNING_RS);
    let (code, v) = p.json(&["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = finding_paths(&v);
    assert_eq!(paths, ["src/new.rs"]);
    assert_eq!(
        v["summary"]["baseline"],
        serde_json::json!({"hidden": 2, "fixed": 1})
    );
    assert_eq!(
        self::code(&p.run(&["check", "--baseline", "missing.json"])),
        2
    );
}

#[test]
fn init_writes_a_config_that_loads() {
    let p = Project::new(&[("src/main.rs", CLEAN_RS)]);
    let out = p.run(&["init"]);
    assert_eq!(code(&out), 0);
    let text = std::fs::read_to_string(p.path().join("authlint.toml")).unwrap();
    assert!(
        text.contains("access_token_max_ttl = \"15m\"")
            && text.contains("# cookie-missing-httponly = \"error\"")
    );
    assert_eq!(code(&p.run(&["check"])), 0, "the written config is valid");
    assert_eq!(
        code(&p.run(&["init"])),
        2,
        "never overwrites without --force"
    );
    assert_eq!(code(&p.run(&["init", "--force"])), 0);
}

#[test]
fn rules_and_explain() {
    let p = Project::new(&[]);
    let out = stdout(&p.run(&["rules"]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("cookie-missing-httponly"))
    );
    let v: Value = serde_json::from_slice(&p.run(&["rules", "--format", "json"]).stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 17);
    let out = p.run(&["explain", "token-in-web-storage"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let rule = authlint::catalog::get("token-in-web-storage").unwrap();
    let misses = common::explain_misses(rule, &text);
    assert!(misses.is_empty(), "explain lacks {misses:#?}\nin:\n{text}");
    assert!(text.contains("CWE-922"), "{text}");
    // Another rule's words are not printed under this one's headings.
    let other = authlint::catalog::get("cookie-missing-httponly").unwrap();
    assert!(!text.contains(&other.summary), "{text}");
    let out = p.run(&["explain", "token-in-localstorage"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `token-in-web-storage`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_and_invalid_files_are_reported_not_lost() {
    let p = Project::new(&[("src/main.rs", CLEAN_RS)]);
    std::fs::write(
        p.path().join("src/latin1.rs"),
        b"fn main() { let s = \"caf\xe9\"; }\n",
    )
    .unwrap();
    let (code, v) = p.json(&[]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnostics"][0]["kind"], "parse-error");
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
    let human = stderr(&p.run(&["check", "--format", "json", "-o", "out.json"]));
    assert!(
        human.contains("warning[parse-error]: src/latin1.rs"),
        "{human}"
    );
}

#[test]
fn design_verdict_in_every_format() {
    let demo = common::root().join("fixtures/demo");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_authlint"))
            .args(args)
            .current_dir(&demo)
            .output()
            .unwrap()
    };
    let md = run(&["design", "--format", "markdown"]);
    assert_eq!(code(&md), 0);
    let md = stdout(&md);
    assert!(
        md.starts_with("## authlint design verdict\n\n**Found:** stateless JWT"),
        "{md}"
    );
    assert!(
        md.contains("```mermaid\nflowchart LR")
            && md.contains("**Recommended:** server-side sessions"),
        "{md}"
    );

    let human = stdout(&run(&["check", "--color", "never"]));
    assert!(
        human.contains("design: stateless JWT")
            && human.contains("recommended: server-side sessions"),
        "{human}"
    );

    let v: Value = serde_json::from_slice(&run(&["check", "--format", "json"]).stdout).unwrap();
    assert_eq!(v["design"]["found"], "stateless-jwt");
    assert_eq!(v["design"]["recommended"], "server-sessions");

    let v: Value = serde_json::from_slice(&run(&["check", "--format", "sarif"]).stdout).unwrap();
    common::assert_valid_sarif(&v);
    let run0 = &v["runs"][0];
    assert_eq!(run0["properties"]["design"]["found"], "stateless-jwt");
    let note = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "auth-design")
        .expect("a design result");
    assert_eq!(note["level"], "note");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules[note["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "auth-design"
    );
}

/// The table of applications, with each group's verdict and the verdict's confidence, is in the
/// human output, the JSON and the SARIF run properties alike.
#[test]
fn the_applications_table_in_every_format() {
    let dir = common::root().join("fixtures/design/templates-mixed");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_authlint"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let human = stdout(&run(&["design"]));
    assert!(
        human.contains("| session-app | server-side sessions | (already in place) | yes |")
            && human.contains("| jwt-api | stateless JWT | server-side sessions | no |"),
        "{human}"
    );
    let groups = |v: &Value| -> Vec<(String, String, bool)> {
        v["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["applications"][0].as_str().unwrap().to_string(),
                    g["found"].as_str().unwrap().to_string(),
                    g["ok"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let expected = [
        (
            "session-app".to_string(),
            "server-sessions".to_string(),
            true,
        ),
        ("jwt-api".to_string(), "stateless-jwt".to_string(), false),
    ];
    let v: Value = serde_json::from_slice(&run(&["check", "--format", "json"]).stdout).unwrap();
    assert_eq!(v["design"]["found"], "per-application");
    assert_eq!(groups(&v["design"]), expected);
    assert!(v["design"]["confidence"].is_string(), "{}", v["design"]);
    let v: Value = serde_json::from_slice(&run(&["check", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(groups(&v["runs"][0]["properties"]["design"]), expected);
}

#[test]
fn paths_are_judged_inside_the_project_whatever_the_working_directory() {
    let p = Project::new(&[
        ("shop/src/main.rs", WARNING_RS),
        ("shop/web/gen/api.rs", WARNING_RS),
        ("shop/authlint.toml", "exclude = [\"web/gen/\"]\n"),
        ("examples/app/src/main.rs", WARNING_RS),
    ]);
    // An anchored exclude works from the project's own directory and from its parent.
    let inside = p.run_in("shop", &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&inside.stdout).unwrap();
    let paths: Vec<&str> = finding_paths(&v);
    assert_eq!(
        paths,
        ["src/main.rs"],
        "web/gen/ is excluded when run as `check .`"
    );
    let (_, v) = p.json(&["shop"]);
    let paths: Vec<&str> = finding_paths(&v);
    assert_eq!(paths, ["shop/src/main.rs"]);
    // examples/app has a project root of its own (no repository above it here): production
    // code, whether it is asked for or walked over.
    let (_, v) = p.json(&["examples/app"]);
    assert_eq!(v["findings"][0]["role"], "production", "{v}");
    let (_, v) = p.json(&["."]);
    // One config per run (issue 16): the walk from the parent does not read shop/authlint.toml.
    assert_eq!(
        finding_paths(&v),
        [
            "examples/app/src/main.rs",
            "shop/src/main.rs",
            "shop/web/gen/api.rs"
        ]
    );
    // A baseline written inside the project hides the same findings when run from its parent.
    let write = p.run_in("shop", &["check", ".", "--write-baseline", "baseline.json"]);
    assert_eq!(code(&write), 0);
    let (code, v) = p.json(&["shop", "--baseline", "shop/baseline.json"]);
    assert_eq!(
        (code, &v["summary"]["baseline"]),
        (0, &serde_json::json!({"hidden": 1, "fixed": 0}))
    );
}

#[test]
fn nothing_named_is_silently_dropped() {
    let p = Project::new(&[
        ("src/main.rs", WARNING_RS),
        ("web/app.min.js", "var t=1;"),
        ("notes.txt", "hi"),
    ]);
    let (_, v) = p.json(&["src", "src/main.rs", "notes.txt", "web"]);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "src/main.rs reached twice is checked once"
    );
    let skipped: Vec<String> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["path"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        skipped,
        ["notes.txt unsupported", "web/app.min.js minified"]
    );
}

// Issue 12: a file that says nothing about auth is not parsed, yet gives the project index its
// consts; only its items are read, so it counts as scanned, not as parsed, and a suppression on
// the const still applies.
#[test]
fn a_plain_config_file_gives_the_index_its_consts_without_counting_as_parsed() {
    let auth = "use crate::config::TTL_SECS;\n\
                pub fn issue_access_token(k: &jsonwebtoken::EncodingKey) -> String {\n\
                let claims = Claims { sub: 1, exp: chrono::Utc::now().timestamp() + TTL_SECS };\n\
                jsonwebtoken::encode(&Header::default(), &claims, k).unwrap() }\n";
    let config = "pub const NAME: &str = \"shop\";\npub const TTL_SECS: i64 = 7 * 24 * 3600;\n";
    let p = Project::new(&[("src/auth.rs", auth), ("src/config.rs", config)]);
    let (_, v) = p.json(&[]);
    let files = &v["summary"]["files"];
    assert_eq!(
        (&files["scanned"], &files["parsed"]),
        (&2.into(), &1.into()),
        "{files}"
    );
    assert_eq!(finding_paths(&v), ["src/config.rs"], "{v}");
    assert_eq!(v["findings"][0]["start"]["line"], 2, "{v}");
    // The same const, suppressed where it is written.
    let suppressed = config.replace(
        "3600;",
        "3600; // authlint-ignore access-token-ttl-too-long: an internal service's tokens",
    );
    let p = Project::new(&[("src/auth.rs", auth), ("src/config.rs", &suppressed)]);
    let (_, v) = p.json(&[]);
    assert!(finding_paths(&v).is_empty(), "{v}");
}

#[test]
fn proc_macro_and_prose_are_scanned_without_being_parsed() {
    let p = Project::new(&[
        (
            "derive/src/lib.rs",
            "// IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM (session, cookie)\n\
             use proc_macro2::TokenStream;\nuse quote::ToTokens;\n\
             pub fn expand(input: TokenStream) -> TokenStream { let tokens = input; tokens }\n",
        ),
        (
            "api/src/auth.rs",
            "pub fn login() -> Cookie<'static> { Cookie::build((\"session\", \"x\")).build() }\n",
        ),
    ]);
    let (_, v) = p.json(&[]);
    let files = &v["summary"]["files"];
    assert_eq!(files["scanned"], 2, "{files}");
    assert_eq!(files["parsed"], 1, "only the auth file is parsed: {files}");
    assert!(
        finding_paths(&v).iter().all(|f| *f == "api/src/auth.rs"),
        "{v}"
    );
    assert!(!finding_paths(&v).is_empty(), "the cookie is still checked");
}
