//! Shared helpers for the integration tests: run the engine in-process on a fixture directory and
//! render what a user would see.
#![allow(dead_code)]
pub mod marks;

use authlint::config::Settings;
use authlint::engine::{self, Options, Outcome};
use authlint::report::{self, Format, Style};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a check with default settings (no config file), paths relative to the repository root.
pub fn check(paths: &[&str]) -> Outcome {
    check_with(
        paths,
        Settings {
            exclude_root: root(),
            ..Settings::default()
        },
    )
}

pub fn check_with(paths: &[&str], settings: Settings) -> Outcome {
    check_in(&root(), paths, settings)
}

/// Runs a check from `base` (the working directory), paths relative to it.
pub fn check_in(base: &Path, paths: &[&str], settings: Settings) -> Outcome {
    let opts = Options {
        paths: paths.iter().map(|p| base.join(p)).collect(),
        settings,
        select: None,
        ignore: Vec::new(),
        threads: 2,
        cwd: base.to_path_buf(),
        stdin: None,
    };
    engine::run(&opts).expect("run succeeds")
}

/// The report as a user reads it, without colour and with the timing redacted.
pub fn render(outcome: &Outcome, format: Format) -> String {
    let style = Style {
        color: false,
        width: 100,
        quiet: false,
        hyperlinks: false,
    };
    let mut buf = Vec::new();
    report::reporter(format, style)
        .write(outcome, &mut buf)
        .unwrap();
    let text = String::from_utf8(buf).unwrap();
    let re = regex::Regex::new(r"; \d+\.\d+s\n").unwrap();
    re.replace_all(&text, "; [time]\n").into_owned()
}

/// What `authlint explain` must print for `rule`: each heading followed by that rule's own text
/// (its title and id, summary, why, recommended design, examples, limitations, references and
/// its suppression comment). Returns the pieces missing from `text`.
pub fn explain_misses(rule: &authlint::catalog::RuleDoc, text: &str) -> Vec<String> {
    use authlint::cli::indent;
    let mut want = vec![
        format!("{} ({})\n", rule.title, rule.id),
        format!("What it detects\n  {}\n", rule.summary),
        format!("Why it is dangerous\n{}\n", indent(&rule.why)),
        format!("Recommended design\n{}\n", indent(&rule.recommendation)),
        format!(
            "Risky ({}):\n{}\n",
            rule.example.lang,
            indent(&rule.example.bad)
        ),
        format!("Safe:\n{}\n", indent(&rule.example.good)),
        format!("// authlint-ignore {}: ", rule.id),
    ];
    if let Some(l) = &rule.limitations {
        want.push(format!("What authlint does not see\n{}\n", indent(l)));
    }
    let refs: String = rule
        .references
        .iter()
        .map(|r| format!("  - {}: {}\n", r.title, r.url))
        .collect();
    want.push(format!("References\n{refs}"));
    want.into_iter().filter(|w| !text.contains(w)).collect()
}

/// Every file below `dir`, sorted. A directory that cannot be listed fails the test.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
        for e in entries {
            let p = e
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()))
                .path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out.sort();
    out
}

/// A small project in a temp dir, checked by the real binary.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = Project { dir };
        for (path, text) in files {
            p.write(path, text);
        }
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    /// Runs authlint in the project directory with NO_COLOR and CLICOLOR_FORCE cleared.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_authlint"));
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Runs authlint with a subdirectory of the project as the working directory.
    pub fn run_in(&self, dir: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_authlint"))
            .args(args)
            .current_dir(self.path().join(dir))
            .output()
            .unwrap()
    }

    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap(), v)
    }
}

/// The JSON Schema `schemas/<name>`.
pub fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas").join(name)).unwrap();
    jsonschema::draft7::new(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// The official SARIF 2.1.0 schema, as the tests validate every SARIF they produce.
pub fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    // The official schema's `run.language` pattern has a bare `]`: a literal in ECMAScript regexes,
    // a syntax error in Rust's. Escaping it keeps the same meaning.
    let text = text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

pub fn assert_valid_sarif(v: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF invalid against the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// A command's standard output, lossily decoded.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A command's standard error, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A command's exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

impl Project {
    /// A temp project holding a copy of `fixtures/<from>`.
    pub fn copy_of(from: &str) -> Project {
        let p = Project::new(&[]);
        let base = root().join("fixtures").join(from);
        for file in walk(&base) {
            let rel = file.strip_prefix(&base).unwrap().to_string_lossy();
            p.write(&rel, &std::fs::read_to_string(&file).unwrap());
        }
        p
    }
}
