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
    fn indent(text: &str) -> String {
        text.trim_end()
            .lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("  {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
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

/// `(path, line, rule)` expectations written in fixtures as comments: `expect: rule-a, rule-b`
/// on the line where the finding starts, or in a sidecar `<file>.expect` with `LINE RULE` lines
/// (for formats without comments, such as JSON).
pub fn expectations(dir: &Path) -> Vec<(String, usize, String)> {
    let re = regex::Regex::new(r"expect: ?([a-z][a-z0-9-]*(?:, ?[a-z][a-z0-9-]*)*)").unwrap();
    let mut out = Vec::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        if let Some(target) = rel.strip_suffix(".expect") {
            for line in text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            {
                let (n, rule) = line
                    .trim()
                    .split_once(' ')
                    .expect("`LINE RULE` in .expect file");
                out.push((
                    target.to_string(),
                    n.parse().unwrap(),
                    rule.trim().to_string(),
                ));
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
    out
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
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

pub fn found(outcome: &Outcome) -> Vec<(String, usize, String)> {
    let mut v: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.start.line, f.rule.to_string()))
        .collect();
    v.sort();
    v
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
