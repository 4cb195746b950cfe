//! The conventions users of ruff, clippy, ESLint and Semgrep look for (issue 16): the concise
//! format and its alias, several reports in one run, statistics, the settings for one file,
//! standard input, selection by category, `[per-file-ignores]` and file-level suppressions.
//! Each test runs the real binary on a small project in a temp dir.
mod common;

use common::Project;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{code, stderr, stdout};

/// An auth cookie without any flag (three findings on line 2) and a hard-coded secret.
const COOKIE_RS: &str = "use cookie::Cookie;\n\
    fn login(jar: &mut cookie::CookieJar, t: String) { jar.add(Cookie::build((\"session\", t))); }\n";
const SECRET_ENV: &str = "JWT_SECRET=s3cr3tkeyvalue-very-long-1234567890abcdef\n";

fn project() -> Project {
    Project::new(&[
        ("authlint.toml", ""),
        ("src/login.rs", COOKIE_RS),
        (".env", SECRET_ENV),
    ])
}

fn rules_of(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn concise_prints_one_line_per_finding_and_output_format_is_an_alias() {
    let p = project();
    let out = p.run(&["check", "--format", "concise"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(".env:1:") && lines[0].contains(": error[hardcoded-signing-secret] "),
        "{text}"
    );
    assert!(
        lines.contains(&"src/login.rs:2:60: error[cookie-missing-httponly] [*] auth cookie `session` is set without HttpOnly, so any script on the page can read it"),
        "{text}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("src/login.rs:2:60: "))
            .count(),
        3
    );
    assert!(text.contains("fixable: 3 with `--fix`"), "{text}");
    let alias = p.run(&["check", "--output-format", "concise"]);
    assert_eq!(stdout(&alias).lines().next(), text.lines().next());
    let quiet = p.run(&["check", "--format", "concise", "-q"]);
    assert_eq!(stdout(&quiet).lines().count(), 4, "{}", stdout(&quiet));
}

#[test]
fn sarif_and_json_reports_beside_the_human_one() {
    let p = project();
    let out = p.run(&[
        "check",
        "--sarif-output",
        "out.sarif",
        "--json-output",
        "out.json",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("authlint: 4 findings"),
        "{}",
        stdout(&out)
    );
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(p.path().join("out.sarif")).unwrap()).unwrap();
    common::assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);
    let json: Value =
        serde_json::from_slice(&std::fs::read(p.path().join("out.json")).unwrap()).unwrap();
    let (_, direct) = p.json(&[]);
    assert_eq!(rules_of(&json), rules_of(&direct));
}

#[test]
fn statistics_count_findings_per_rule() {
    let p = project();
    let out = p.run(&["check", "--statistics"]);
    assert_eq!(code(&out), 1, "the exit code still says what was found");
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()[..2]
                == ["1", "cookie-missing-httponly"]
                && l.ends_with("[*] fixable")),
        "{text}"
    );
    assert!(text.ends_with("4  total\n"), "{text}");
    let json = p.run(&["check", "--statistics", "--format", "json"]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let secret = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "hardcoded-signing-secret")
        .unwrap();
    assert_eq!(
        (secret["count"].as_u64(), secret["fixable"].as_u64()),
        (Some(1), Some(0))
    );
    let sarif = p.run(&["check", "--statistics", "--format", "sarif"]);
    assert_eq!(code(&sarif), 2, "statistics have no SARIF form");
}

#[test]
fn show_settings_names_the_config_role_and_each_rules_level() {
    let p = Project::new(&[
        (
            "authlint.toml",
            "access_token_max_ttl = \"5m\"\n[rules]\ncookie-missing-samesite = \"off\"\n[per-file-ignores]\n\"examples/**\" = [\"secrets\"]\n",
        ),
        ("examples/demo.rs", COOKIE_RS),
    ]);
    let out = p.run(&["check", "--show-settings", "examples/demo.rs"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "file: examples/demo.rs",
        "config: authlint.toml (found upward from the paths checked)",
        "access_token_max_ttl: 5m",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
    }
    assert!(text.contains("role: example ("), "{text}");
    assert!(text.contains("policy: warning"), "{text}");
    let level = |rule: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{rule} ")))
            .map(|l| l.split_once(rule).unwrap().1.trim().to_string())
    };
    assert_eq!(level("cookie-missing-samesite").as_deref(), Some("off"));
    assert_eq!(level("cookie-missing-httponly").as_deref(), Some("error"));
    assert_eq!(
        level("hardcoded-signing-secret").as_deref(),
        Some("off in this file ([per-file-ignores] \"examples/**\")")
    );
    let missing = p.run(&["check", "--show-settings", "nope.rs"]);
    assert_eq!(code(&missing), 2);
}

fn run_stdin(p: &Project, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authlint"))
        .args(args)
        .current_dir(p.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that refuses its arguments exits without reading: the pipe may be closed already.
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_is_checked_as_the_named_file() {
    let p = Project::new(&[("authlint.toml", ""), ("src/login.rs", "fn main() {}\n")]);
    let args = [
        "check",
        "--format",
        "concise",
        "-q",
        "--stdin-filename",
        "src/login.rs",
        "-",
    ];
    // The editor's unsaved buffer is checked, not the file on disk.
    let out = run_stdin(&p, &args, COOKIE_RS);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("src/login.rs:2:60: "),
        "{}",
        stdout(&out)
    );
    let clean = run_stdin(&p, &args, "fn main() {}\n");
    assert_eq!((code(&clean), stdout(&clean).as_str()), (0, ""));
    // The diff of a buffer, for editors; --fix cannot write standard input back.
    let diff = run_stdin(
        &p,
        &["check", "--diff", "--stdin-filename", "src/login.rs", "-"],
        COOKIE_RS,
    );
    assert_eq!(code(&diff), 1);
    assert!(stdout(&diff).contains("+fn login(jar: &mut cookie::CookieJar, t: String) { jar.add(Cookie::build((\"session\", t)).http_only(true)"), "{}", stdout(&diff));
    let fix = run_stdin(
        &p,
        &["check", "--fix", "--stdin-filename", "src/login.rs", "-"],
        COOKIE_RS,
    );
    assert_eq!(code(&fix), 2);
    let dash = run_stdin(&p, &["check", "-"], COOKIE_RS);
    assert_eq!(code(&dash), 2);
    assert!(
        stderr(&dash).contains("--stdin-filename"),
        "{}",
        stderr(&dash)
    );
}

#[test]
fn select_and_ignore_take_categories() {
    let p = project();
    let (_, cookies) = p.json(&["--select", "cookies"]);
    let mut got = rules_of(&cookies);
    got.sort();
    assert_eq!(
        got,
        [
            "cookie-missing-httponly",
            "cookie-missing-samesite",
            "cookie-missing-secure"
        ]
    );
    let (_, no_cookies) = p.json(&["--ignore", "cookies"]);
    assert_eq!(rules_of(&no_cookies), ["hardcoded-signing-secret"]);
    let bad = p.run(&["check", "--select", "cookie"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("unknown rule or category `cookie`"),
        "{}",
        stderr(&bad)
    );
    let far = p.run(&["check", "--select", "xyzzy-nothing-like-it"]);
    assert!(
        stderr(&far).contains("categories: cookies,"),
        "{}",
        stderr(&far)
    );
}

#[test]
fn per_file_ignores_turn_rules_off_for_matching_files() {
    let p = project();
    p.write(
        "authlint.toml",
        "[per-file-ignores]\n\"src\" = [\"cookie-missing-secure\", \"cookie-missing-samesite\"]\n\".env\" = [\"secrets\"]\n",
    );
    let (exit, v) = p.json(&[]);
    assert_eq!(exit, 1);
    assert_eq!(rules_of(&v), ["cookie-missing-httponly"]);
    assert_eq!(v["summary"]["suppressed"], 3);
    p.write(
        "authlint.toml",
        "[per-file-ignores]\n\"src\" = [\"cookie-missing-secur\"]\n",
    );
    let out = p.run(&["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `cookie-missing-secure`?"),
        "{}",
        stderr(&out)
    );
    p.write(
        "authlint.toml",
        "[per-file-ignores]\n\"src\" = \"cookies\"\n",
    );
    let out = p.run(&["check"]);
    assert!(
        stderr(&out).contains("invalid type for `per-file-ignores.src`: a string"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_level_suppression_covers_the_whole_file() {
    let p = project();
    p.write(
        "src/login.rs",
        &format!(
            "// authlint-ignore-file cookie-missing-secure: served only on localhost\n{COOKIE_RS}"
        ),
    );
    let (_, v) = p.json(&[]);
    let rules = rules_of(&v);
    assert!(
        !rules.contains(&"cookie-missing-secure".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"cookie-missing-httponly".to_string()),
        "{rules:?}"
    );
    assert_eq!(v["summary"]["suppressed"], 1);
    // Without a reason it is reported, like a line suppression.
    p.write(
        "src/login.rs",
        &format!("// authlint-ignore-file cookie-missing-secure\n{COOKIE_RS}"),
    );
    let (_, v) = p.json(&[]);
    assert!(rules_of(&v).contains(&"unused-suppression".to_string()));
}

#[test]
fn completions_and_the_manual_cover_every_check_option() {
    let p = Project::new(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = p.run(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        for option in [
            "sarif-output",
            "stdin-filename",
            "unsafe-fixes",
            "show-settings",
        ] {
            assert!(text.contains(option), "{shell} completion lacks --{option}");
        }
    }
    assert_eq!(code(&p.run(&["completions", "tcsh"])), 2);
    let man = p.run(&["man"]);
    assert_eq!(code(&man), 0);
    let page = stdout(&man);
    assert!(
        page.contains("\n.TH authlint 1 "),
        "{}",
        &page[..200.min(page.len())]
    );
    for section in [
        ".SH NAME\nauthlint\\-check \\- Check files",
        "\\-\\-stdin\\-filename",
        "\\-\\-diff",
    ] {
        assert!(page.contains(section), "the manual lacks `{section}`");
    }
}

/// The release workflow, the GitHub Action and `cargo binstall` name the same archives for the
/// same targets: a rename in one of them would break installs only after a release.
#[test]
fn release_archives_action_and_binstall_agree() {
    let read = |p: &str| std::fs::read_to_string(common::root().join(p)).unwrap();
    let (release, action, manifest) = (
        read(".github/workflows/release.yml"),
        read("action.yml"),
        read("Cargo.toml"),
    );
    // One name: authlint-v<version>-<target>, with the binary in a folder of that name.
    assert!(
        release.contains("archive: $bin-$tag-$target") && release.contains("leading-dir: true")
    );
    assert!(
        release.contains("tags: [\"v[0-9]"),
        "tags are v<version>, as $tag is used"
    );
    assert!(action.contains("base=\"authlint-v${VERSION}-${target}\""));
    assert!(action.contains("--pattern \"$base.sha256\"") && release.contains("checksum: sha256"));
    assert!(action.contains("echo \"$dir/$base\" >> \"$GITHUB_PATH\""));
    assert!(manifest.contains(
        "pkg-url = \"{ repo }/releases/download/v{ version }/{ name }-v{ version }-{ target }{ archive-suffix }\""
    ));
    assert!(
        manifest.contains("bin-dir = \"{ name }-v{ version }-{ target }/{ bin }{ binary-ext }\"")
    );
    let targets = |text: &str, prefix: &str| -> Vec<String> {
        let mut t: Vec<String> = text
            .lines()
            .filter_map(|l| l.split_once(prefix))
            .map(|(_, rest)| {
                rest.trim_start()
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        t.sort();
        t
    };
    let built = targets(&release, "target: ");
    let built: Vec<String> = built.into_iter().filter(|t| t.contains('-')).collect();
    assert_eq!(built.len(), 5, "{built:?}");
    assert_eq!(
        targets(&action, ") target="),
        built,
        "the action installs what is built"
    );
    // Zip on Windows in all three.
    assert!(
        release.contains("zip: windows")
            && action.contains("[ \"$RUNNER_OS\" = Windows ] && ext=zip")
    );
    assert!(manifest.contains(
        "[package.metadata.binstall.overrides.x86_64-pc-windows-msvc]\npkg-fmt = \"zip\""
    ));
    // The action's check writes the SARIF it uploads and fails on authlint's exit code.
    assert!(action.contains("authlint check $PATHS --format github --sarif-output \"$SARIF\""));
    assert!(action.contains("sarif_file: ${{ inputs.sarif-file }}"));
    assert!(action.contains("exit ${{ steps.check.outputs.exit-code }}"));
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(common::root().join(licence).is_file(), "{licence} missing");
        assert!(
            release.contains(licence),
            "{licence} not shipped in the archives"
        );
    }
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
}
