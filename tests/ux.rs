//! What a new user and a CI engineer run into (issue 16): the pre-commit hook's file selection,
//! baselines from a subdirectory, turning the verdict off, nested configs, columns, config
//! errors, `--strict` in SARIF, the verdict's footer, and the smaller rough edges. Each test runs
//! the real binary on a small project in a temp dir.
mod common;

use authlint::source::FileKind;
use common::Project;
use serde_json::Value;
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

/// An auth cookie set without any flag: three findings on line 1.
const COOKIE_RS: &str =
    "fn login() -> Cookie<'static> { Cookie::build((\"session\", \"x\")).build() }\n";
const SECRET_ENV: &str = "JWT_SECRET=s3cr3tkeyvalue-very-long-1234567890abcdef\n";
/// A warning-level finding the engine always reports: a suppression that names no rule.
const WARNING_RS: &str = "fn main() {\n    // authlint-ignore\n    let _x = 1;\n}\n";

/// Copies a directory of the repository into the project, under `to`.
fn copy_tree(p: &Project, from: &str, to: &str) {
    let base = common::root().join(from);
    for file in common::walk(&base) {
        let rel = file.strip_prefix(&base).unwrap().to_string_lossy();
        let text = std::fs::read_to_string(&file).unwrap();
        p.write(&format!("{to}/{rel}"), &text);
    }
}

/// A single-quoted value of the hook definition (`files: '...'`).
fn hook_value(yaml: &str, key: &str) -> String {
    let prefix = format!("{key}: ");
    let line = yaml
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in .pre-commit-hooks.yaml"));
    let v = &line[prefix.len()..];
    v.trim_matches(|c| c == '\'' || c == '"').replace("''", "'")
}

// Issue 16, bug 1.
#[test]
fn pre_commit_hook_selects_exactly_the_files_authlint_reads() {
    let yaml = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(
        !yaml.lines().any(|l| l.trim_start().starts_with("types")),
        "identify's types miss .env, .mts, .cts and .cfg"
    );
    assert!(
        yaml.contains("minimum_pre_commit_version: \"2.21.0\""),
        "{yaml}"
    );
    // pre-commit matches with Python's re.search on the path from the repository root; these
    // patterns use no syntax on which Python and the regex crate differ.
    let files = regex::Regex::new(&hook_value(&yaml, "files")).unwrap();
    let exclude = regex::Regex::new(&hook_value(&yaml, "exclude")).unwrap();
    let selected = |path: &str| files.is_match(path) && !exclude.is_match(path);

    // The names of the issue, then every stem against every ending, in folders or not.
    let named = [
        ".env",
        ".env.production",
        "web/app.mts",
        "web/app.cts",
        "deploy/oauth2-proxy.cfg",
        "Dockerfile",
        "deploy/api.Dockerfile",
        "Containerfile",
        "config/development.yaml.t",
        "deploy/app.yml.j2",
        "values.toml.tmpl",
    ];
    for name in named {
        assert!(selected(name), "the hook skips {name}");
    }
    let stems = [
        "",
        "a",
        "app",
        ".env",
        ".ENV",
        ".env.",
        ".e",
        ".en",
        ".envx",
        "x.env",
        ".",
        "..",
        "a.min",
        ".env.local",
        "app.d",
        ".env.d",
        "prod",
        "oauth2-proxy",
        "README",
        "Makefile",
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "Dockerfile.prod",
        "api.Dockerfile",
        "dockerfilex",
        "xdockerfile",
    ];
    let endings = [
        "",
        ".rs",
        ".RS",
        "rs",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".mts",
        ".cts",
        ".min.js",
        ".MIN.JS",
        ".min.mjs",
        ".min.cjs",
        ".d.ts",
        ".d.mts",
        ".html",
        ".htm",
        ".vue",
        ".svelte",
        ".toml",
        ".cfg",
        ".yaml",
        ".yml",
        ".json",
        ".tf",
        ".env",
        ".production",
        ".md",
        ".txt",
        ".lock",
        ".py",
        ".j2",
        ".Dockerfile",
        ".containerfile",
        ".yaml.t",
        ".yml.j2",
        ".json.tmpl",
        ".toml.tpl",
        ".env.hbs",
        ".yaml.template",
        ".html.j2",
        ".t",
        ".tmpl",
    ];
    let mut wrong = Vec::new();
    for dir in ["", "web/", ".env/", "a.rs/"] {
        for stem in stems {
            for ending in endings {
                let name = format!("{stem}{ending}");
                if name.is_empty() {
                    continue;
                }
                let path = format!("{dir}{name}");
                let reads = FileKind::classify(&name).is_some();
                if selected(&path) != reads {
                    wrong.push(format!("{path}: authlint reads it: {reads}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the hook and FileKind::classify disagree:\n{}",
        wrong.join("\n")
    );
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(
        readme.contains("without `--locked`"),
        "the README says how pre-commit builds authlint"
    );
}

// Issue 16, bug 2.
#[test]
fn a_baseline_matches_from_a_subdirectory_with_dotdot_paths() {
    let p = Project::new(&[
        ("authlint.toml", "max_file_size = \"1MiB\"\n"),
        (".env", SECRET_ENV),
        ("web/login.rs", COOKIE_RS),
    ]);
    let write = p.run(&["check", ".", "--write-baseline", "authlint-baseline.json"]);
    assert_eq!(code(&write), 0, "{}", stderr(&write));
    let out = p.run_in(
        "web",
        &[
            "check",
            "..",
            "--baseline",
            "../authlint-baseline.json",
            "--format",
            "json",
        ],
    );
    let v = json_of(&out);
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(
        v["summary"]["baseline"],
        serde_json::json!({"hidden": 4, "fixed": 0})
    );
    assert_eq!(code(&out), 0);

    // SARIF names the files inside the project, from the root or from `web` with `..`.
    let places = |o: &Output| -> Vec<(String, String)> {
        let v = json_of(o);
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["partialFingerprints"]["authlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let from_root = places(&p.run(&["check", "--format", "sarif"]));
    let from_web = places(&p.run_in("web", &["check", "..", "--format", "sarif"]));
    assert_eq!(from_root, from_web);
    assert_eq!(from_root[0].0, ".env");
}

fn has_design_result(sarif: &Value) -> bool {
    let run = &sarif["runs"][0];
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ruleId"] == "auth-design")
        || run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "auth-design")
}

// Issue 16, bug 3.
#[test]
fn auth_design_can_be_turned_off() {
    let p = Project::new(&[]);
    copy_tree(&p, "fixtures/demo", ".");
    let sarif = |args: &[&str]| {
        let mut all = vec!["check", "--format", "sarif"];
        all.extend_from_slice(args);
        json_of(&p.run(&all))
    };
    assert!(has_design_result(&sarif(&[])), "on by default");
    assert!(!has_design_result(&sarif(&["--ignore", "auth-design"])));
    assert!(!has_design_result(&sarif(&[
        "--select",
        "cookie-missing-secure"
    ])));
    let (_, v) = p.json(&["--select", "cookie-missing-secure"]);
    assert_eq!(v["design"], Value::Null);

    p.write("authlint.toml", "[rules]\nauth-design = \"off\"\n");
    assert!(!has_design_result(&sarif(&[])));
    let (_, v) = p.json(&[]);
    assert_eq!(v["design"], Value::Null);
    let human = stdout(&p.run(&["check", "--color", "never"]));
    assert!(!human.contains("design:"), "{human}");
    assert!(
        human.contains("token-in-web-storage"),
        "other rules still run"
    );
}

// Issue 16, bug 4.
#[test]
fn nested_configs_give_the_same_result_in_any_order() {
    let p = Project::new(&[
        ("authlint.toml", "[rules]\nunused-suppression = \"note\"\n"),
        (
            "svc/authlint.toml",
            "[rules]\nunused-suppression = \"off\"\n",
        ),
        ("svc/main.rs", WARNING_RS),
        ("web/main.rs", WARNING_RS),
    ]);
    let a = p.run(&["check", "svc", "web", "--format", "json"]);
    let b = p.run(&["check", "web", "svc", "--format", "json"]);
    assert_eq!(stdout(&a), stdout(&b), "argument order changes the result");
    let v = json_of(&a);
    let severities: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        severities,
        [("svc/main.rs", "note"), ("web/main.rs", "note")],
        "one config, the root's, applies to the run"
    );
    // A sub-project checked alone uses its own config.
    let (_, v) = p.json(&["svc"]);
    assert_eq!(v["findings"], serde_json::json!([]));
}

// Issue 16, bug 5.
#[test]
fn columns_follow_one_convention_per_format() {
    let line = "fn login() -> Cookie<'static> { let _c = \"é🍪\"; Cookie::build((\"session\", \"x\")).build() }\n";
    let p = Project::new(&[("src/login.rs", line)]);
    let at = line.find("Cookie::build").unwrap();
    let chars = line[..at].chars().count() + 1;
    let utf16 = line[..at].encode_utf16().count() + 1;
    assert!(chars < utf16 && utf16 < at + 1, "the line mixes widths");

    let human = stdout(&p.run(&["check", "--color", "never"]));
    assert!(
        human.contains(&format!("src/login.rs:1:{chars}]")),
        "human columns count characters: {human}"
    );
    let (_, v) = p.json(&[]);
    assert_eq!(v["findings"][0]["start"]["column"], chars);
    assert_eq!(v["findings"][0]["start"]["column_utf16"], utf16);
    let sarif = json_of(&p.run(&["check", "--format", "sarif"]));
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        utf16
    );
    let github = stdout(&p.run(&["check", "--format", "github"]));
    assert!(github.contains(&format!(",col={chars},")), "{github}");
}

// Issue 16, bug 6.
#[test]
fn every_structural_config_error_is_shown_at_once() {
    let p = Project::new(&[
        ("src/main.rs", WARNING_RS),
        (
            "authlint.toml",
            "acess_token_max_ttl = \"5m\"\ninclude_tests = \"yes\"\nexclude = [\"a\", 3]\n\
             [rules]\ncookie-missing-secure = 1\n[roles]\npath = {}\n",
        ),
    ]);
    let out = p.run(&["check"]);
    assert_eq!(code(&out), 2);
    // miette wraps long messages at 100 columns: read the words, not the lines.
    let err = stderr(&out)
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "unknown field `acess_token_max_ttl`",
        "did you mean `access_token_max_ttl`?",
        "invalid type for `include_tests`: a string, expected true or false",
        "invalid type for `exclude`: an integer, expected a string",
        "invalid type for `rules.cookie-missing-secure`: an integer, expected a string",
        "unknown field `path`, expected one of `paths`, `policy`",
        "authlint.toml:7:1",
        "error: 5 problems in",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    // In Cargo.toml's metadata table too.
    std::fs::remove_file(p.path().join("authlint.toml")).unwrap();
    p.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\n\n[package.metadata.authlint]\nexclude = 1\nbaseline = 2\n",
    );
    let err = stderr(&p.run(&["check"]));
    assert!(err.contains("error: 2 problems in"), "{err}");
}

// Issue 16, bug 7.
#[test]
fn strict_failure_is_an_unsuccessful_sarif_run() {
    let p = Project::new(&[("src/broken.rs", "fn session( {\n")]);
    let lenient = p.run(&["check", "--format", "sarif"]);
    assert_eq!(code(&lenient), 0);
    let v = json_of(&lenient);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    let strict = p.run(&["check", "--format", "sarif", "--strict"]);
    assert_eq!(code(&strict), 2);
    let v = json_of(&strict);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

// Issue 16, bug 8.
#[test]
fn the_verdict_footer_names_the_paths_and_files_get_no_verdict() {
    let p = Project::new(&[]);
    copy_tree(&p, "fixtures/demo", "my app");
    let human = stdout(&p.run(&["check", "my app", "--color", "never"]));
    assert!(human.contains("design: stateless JWT"), "{human}");
    assert!(
        human.contains("full verdict and diagrams: authlint design 'my app' --format markdown"),
        "{human}"
    );
    let md = p.run(&["design", "my app", "--format", "markdown"]);
    assert!(stdout(&md).contains("**Found:** stateless JWT"));

    // Files one by one, as pre-commit passes them: findings, no verdict on the project.
    let files = ["check", "my app/src/auth.rs", "my app/web/src/session.ts"];
    let human = stdout(&p.run(&[&files[..], &["--color", "never"]].concat()));
    assert!(human.contains("token-in-web-storage"), "{human}");
    assert!(!human.contains("design:"), "{human}");
    let v = json_of(&p.run(&[&files[..], &["--format", "json"]].concat()));
    assert_eq!(v["design"], Value::Null);
}

// Issue 16, bug 10: `authlint rules` keeps its columns apart.
#[test]
fn rules_table_columns_do_not_overflow() {
    let p = Project::new(&[]);
    let out = stdout(&p.run(&["rules"]));
    let header = out.lines().next().unwrap();
    let (reads, summary) = (
        header.find("READS").unwrap(),
        header.find("SUMMARY").unwrap(),
    );
    for line in out.lines().skip(1) {
        let cell = &line[reads..summary];
        assert!(
            cell.ends_with(' ') && !cell.trim_end().contains(' '),
            "READS runs into SUMMARY: {line}"
        );
    }
}

// Issue 16, bug 10: `design --help` prints its default once.
#[test]
fn design_help_prints_the_default_once() {
    let p = Project::new(&[]);
    let help = stdout(&p.run(&["design", "--help"]));
    let paths = help.lines().find(|l| l.contains("[PATHS]...  ")).unwrap();
    assert_eq!(paths.matches("default").count(), 1, "{paths}");
}

// Issue 16, bug 10: the baseline file is not itself checked.
#[test]
fn the_baseline_file_is_not_checked() {
    let p = Project::new(&[("src/main.rs", WARNING_RS)]);
    let (_, before) = p.json(&[]);
    let discovered = before["summary"]["files"]["discovered"].clone();
    let out = p.run(&["check", "--write-baseline", "authlint-baseline.json"]);
    assert_eq!(code(&out), 0);
    let (_, v) = p.json(&["--baseline", "authlint-baseline.json"]);
    assert_eq!(v["summary"]["files"]["discovered"], discovered, "{v}");
    p.write("authlint.toml", "baseline = \"authlint-baseline.json\"\n");
    let (_, v) = p.json(&[]);
    // authlint.toml itself is a new file; the baseline is still not one.
    assert_eq!(
        v["summary"]["files"]["discovered"].as_u64(),
        discovered.as_u64().map(|n| n + 1),
        "{v}"
    );
}

// Issue 16, bug 10: `parsed` counts the files that parsed.
#[test]
fn parsed_counts_files_that_parsed() {
    let p = Project::new(&[
        ("src/broken.rs", "fn session( {\n"),
        ("src/login.rs", COOKIE_RS),
        ("src/plain.rs", "fn main() {}\n"),
    ]);
    let (_, v) = p.json(&[]);
    assert_eq!(
        v["summary"]["files"],
        serde_json::json!({"discovered": 3, "scanned": 2, "skipped": 0, "failed": 1, "parsed": 1})
    );
}

// Issue 16, bug 10: colour honours TERM=dumb and CLICOLOR=0 on a terminal.
#[test]
fn dumb_terminals_and_clicolor_0_get_no_colour() {
    let p = Project::new(&[("src/main.rs", WARNING_RS)]);
    // `script` gives the binary a terminal; without it there is nothing to test.
    let on_tty = |env: &[(&str, &str)]| -> Option<String> {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("'{}' check", env!("CARGO_BIN_EXE_authlint")),
            "/dev/null",
        ])
        .current_dir(p.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().ok().map(|o| stdout(&o))
    };
    let Some(plain) = on_tty(&[]) else {
        eprintln!("skipped: `script` is not available");
        return;
    };
    if !plain.contains("\x1b[") {
        eprintln!("skipped: `script` gave no terminal");
        return;
    }
    for env in [("TERM", "dumb"), ("CLICOLOR", "0")] {
        let out = on_tty(&[env]).unwrap();
        assert!(out.contains("unused-suppression"), "{out}");
        assert!(!out.contains("\x1b["), "{env:?} still gets colour: {out:?}");
    }
}

// Issue 16, bug 10: suppressions are recognised in any case.
#[test]
fn an_uppercase_suppression_works() {
    let p = Project::new(&[
        (
            "src/login.rs",
            "// AUTHLINT-IGNORE cookie-missing-secure: served only over TLS on localhost\n\
             fn login() -> Cookie<'static> { Cookie::build((\"session\", \"x\")).build() }\n",
        ),
        ("src/other.rs", "fn main() {\n    // Authlint-Ignore\n}\n"),
    ]);
    let (_, v) = p.json(&[]);
    let rules: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("src/login.rs", "cookie-missing-httponly"),
            ("src/login.rs", "cookie-missing-samesite"),
            ("src/other.rs", "unused-suppression"),
        ]
    );
    assert_eq!(v["summary"]["suppressed"], 1);
}

fn finding_count(v: &Value) -> usize {
    v["findings"].as_array().map_or(0, Vec::len)
}

#[test]
fn a_secret_in_an_env_file_names_the_compose_service_that_loads_it() {
    let p = Project::new(&[
        (
            "compose.yaml",
            "services:\n  api:\n    image: api\n    env_file:\n      - ./backend/.env\n  db:\n    image: postgres\n",
        ),
        ("backend/.env", "JWT_SECRET=Hk29dLq8vN3kP1xR6tW9yB2mQ7\n"),
        (
            "backend/other.env",
            "JWT_SECRET=Zq81mVb3Lp0Rt6Yw2Nc9Xs4Kd7\n",
        ),
    ]);
    let v = json_of(&p.run(&["check", "--format", "json"]));
    let labels: Vec<(&str, &str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["labels"].as_array().unwrap().iter().map(move |l| (f, l)))
        .map(|(f, l)| {
            let (path, line) = (l["path"].as_str().unwrap_or("-"), &l["start"]["line"]);
            (f["path"].as_str().unwrap(), path, line.as_u64().unwrap())
        })
        .collect();
    // Both secrets are found; only the file a service loads gets the label (its entry: line 5).
    assert_eq!(finding_count(&v), 2);
    assert_eq!(labels, [("backend/.env", "compose.yaml", 5)]);
    let sarif: Value =
        serde_json::from_slice(&p.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "compose.yaml");
    let human = stdout(&p.run(&["check"]));
    assert!(
        human.contains("related: compose.yaml:5:9: compose service `api` loads this file"),
        "{human}"
    );
}

#[test]
fn a_value_written_in_another_module_is_reported_there_with_its_use_as_related() {
    let p = Project::new(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[dependencies]\njsonwebtoken = \"9\"\nchrono = \"0.4\"\n",
        ),
        (
            "src/config.rs",
            "pub const JWT_TTL_MINUTES: i64 = 72 * 60;\npub const JWT_KEY: &str = \"k3y-4-signing-tokens-2024\";\n",
        ),
        (
            "src/main.rs",
            "mod config;\nuse chrono::{Duration, Utc};\nuse jsonwebtoken::{encode, DecodingKey, EncodingKey, Header};\n\n#[derive(serde::Serialize)]\nstruct Claims { sub: String, exp: i64 }\n\npub fn login(id: &str) -> String {\n    let claims = Claims { sub: id.into(), exp: (Utc::now() + Duration::minutes(config::JWT_TTL_MINUTES)).timestamp() };\n    encode(&Header::default(), &claims, &EncodingKey::from_secret(config::JWT_KEY.as_bytes())).unwrap()\n}\n\npub fn decoding() -> DecodingKey {\n    DecodingKey::from_secret(crate::config::JWT_KEY.as_bytes())\n}\n\nfn main() {}\n",
        ),
    ]);
    let v = json_of(&p.run(&["check", "--format", "json"]));
    let mut got: Vec<(String, u64, String, u64, String)> = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        for l in f["labels"].as_array().unwrap() {
            got.push((
                format!(
                    "{}:{}",
                    f["rule"].as_str().unwrap(),
                    f["path"].as_str().unwrap()
                ),
                f["start"]["line"].as_u64().unwrap(),
                l["path"].as_str().unwrap_or("-").to_string(),
                l["start"]["line"].as_u64().unwrap(),
                l["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    // Each finding is on the const; every use is a related place in main.rs, with a label.
    assert_eq!(
        got,
        [
            (
                "access-token-ttl-too-long:src/config.rs".to_string(),
                1,
                "src/main.rs".to_string(),
                9,
                "used here: the access token signed by `login` expires from it".to_string()
            ),
            (
                "hardcoded-signing-secret:src/config.rs".to_string(),
                2,
                "src/main.rs".to_string(),
                10,
                "used here as the key of `EncodingKey::from_secret`".to_string()
            ),
            (
                "hardcoded-signing-secret:src/config.rs".to_string(),
                2,
                "src/main.rs".to_string(),
                14,
                "used here as the key of `DecodingKey::from_secret`".to_string()
            ),
        ]
    );
    let sarif: Value =
        serde_json::from_slice(&p.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let related: Vec<(&str, u64)> = results
        .iter()
        .filter_map(|r| r["relatedLocations"].as_array())
        .flatten()
        .map(|l| {
            let at = &l["physicalLocation"];
            (
                at["artifactLocation"]["uri"].as_str().unwrap(),
                at["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [("src/main.rs", 9), ("src/main.rs", 10), ("src/main.rs", 14)]
    );
    let human = stdout(&p.run(&["check"]));
    assert!(
        human.contains(
            "related: src/main.rs:14:5: used here as the key of `DecodingKey::from_secret`"
        ),
        "{human}"
    );
}

#[test]
fn a_script_write_whose_key_or_value_comes_from_another_module_points_there() {
    let p = Project::new(&[
        ("package.json", "{ \"name\": \"web\", \"private\": true }\n"),
        ("src/keys.ts", "export const USER_KEY = \"user\";\n"),
        (
            "src/types.ts",
            "export interface User {\n  id: number;\n  accessToken: string;\n}\n",
        ),
        (
            "src/auth.ts",
            "import { USER_KEY } from \"./keys\";\nimport type { User } from \"./types\";\n\nexport function keep(user: User) {\n  localStorage.setItem(USER_KEY, JSON.stringify(user));\n}\n",
        ),
    ]);
    let v = json_of(&p.run(&["check", "--format", "json"]));
    let labels: Vec<(String, u64, String, u64, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["labels"].as_array().unwrap().iter().map(move |l| (f, l)))
        .map(|(f, l)| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                l["path"].as_str().unwrap_or("-").to_string(),
                l["start"]["line"].as_u64().unwrap(),
                l["start"]["column"].as_u64().unwrap(),
                l["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // One finding, at the write; the key's const and the type's token field are related places.
    assert_eq!(finding_count(&v), 1);
    assert_eq!(
        labels,
        [
            (
                "src/auth.ts".to_string(),
                5,
                "src/keys.ts".to_string(),
                1,
                14,
                "the key `USER_KEY` is written here".to_string()
            ),
            (
                "src/auth.ts".to_string(),
                5,
                "src/types.ts".to_string(),
                3,
                3,
                "the type `User` has the access token field `accessToken` here".to_string()
            ),
        ]
    );
    let sarif: Value =
        serde_json::from_slice(&p.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let related: Vec<(&str, u64)> = sarif["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let at = &l["physicalLocation"];
            (
                at["artifactLocation"]["uri"].as_str().unwrap(),
                at["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(related, [("src/keys.ts", 1), ("src/types.ts", 3)]);
    let human = stdout(&p.run(&["check"]));
    assert!(
        human.contains(
            "related: src/types.ts:3:3: the type `User` has the access token field `accessToken` here"
        ),
        "{human}"
    );
}
