//! Shared helpers for the integration tests: run the engine in-process on a fixture directory and
//! render what a user would see.
#![allow(dead_code)]
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
    let opts = Options {
        paths: paths
            .iter()
            .map(PathBuf::from)
            .map(|p| root().join(p))
            .collect(),
        settings,
        select: None,
        ignore: Vec::new(),
        threads: 2,
        cwd: root(),
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

/// One expected or reported finding: `(path, line, rule)`. The column is pinned by each rule's
/// snapshot, which renders `path:line:column`.
pub type Expected = (String, usize, String);

/// `(path, line, rule)` expectations written in fixtures as comments: `expect: rule-a, rule-b`
/// on the line where the finding starts (a rule named twice is expected twice), or in a sidecar
/// `<file>.expect` with `LINE RULE` lines (for formats without comments, such as JSON).
///
/// Also returns what is wrong with the fixtures themselves: a file that cannot be read as text,
/// a sidecar with no file beside it, a sidecar line that is not `LINE RULE`.
pub fn expectations(dir: &Path) -> (Vec<Expected>, Vec<String>) {
    let re = regex::Regex::new(r"expect: ?([a-z][a-z0-9-]*(?:, ?[a-z][a-z0-9-]*)*)").unwrap();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = match std::fs::read_to_string(&entry) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{rel}: cannot be read as a fixture: {e}"));
                continue;
            }
        };
        if let Some(target) = rel.strip_suffix(".expect") {
            if !root().join(target).is_file() {
                problems.push(format!("{rel}: a sidecar with no `{target}` beside it"));
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                match line.trim().split_once(' ').map(|(n, r)| (n.parse(), r)) {
                    Some((Ok(n), rule)) => {
                        out.push((target.to_string(), n, rule.trim().to_string()))
                    }
                    _ => problems.push(format!("{rel}:{}: not `LINE RULE`: {line}", i + 1)),
                }
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if let Some(c) = re.captures(line) {
                for rule in c[1].split(',') {
                    out.push((rel.clone(), i + 1, rule.trim().to_string()));
                }
            }
        }
    }
    out.sort();
    (out, problems)
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

/// The findings of a run as `(path, line, rule)`, sorted, one entry per finding.
pub fn found(outcome: &Outcome) -> Vec<Expected> {
    let mut v: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.start.line, f.rule.to_string()))
        .collect();
    v.sort();
    v
}

/// Compares as multisets: `(missed, extra)`, where a finding reported twice but expected once is
/// one extra.
pub fn multiset_diff(expected: &[Expected], got: &[Expected]) -> (Vec<Expected>, Vec<Expected>) {
    use std::collections::BTreeMap;
    let mut count: BTreeMap<&Expected, isize> = BTreeMap::new();
    for e in expected {
        *count.entry(e).or_default() += 1;
    }
    for g in got {
        *count.entry(g).or_default() -= 1;
    }
    let mut missed = Vec::new();
    let mut extra = Vec::new();
    for (item, n) in count {
        let into = if n > 0 { &mut missed } else { &mut extra };
        into.extend(std::iter::repeat_n(item.clone(), n.unsigned_abs()));
    }
    (missed, extra)
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
