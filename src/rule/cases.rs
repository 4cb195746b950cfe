//! Inline cases, as oxlint keeps them: each rule's module carries a few one-line (or few-line)
//! sources that must trigger it and their safe twins that must not, right beside the rule's code.
//! The project fixtures under `fixtures/` test whole projects; these say what one rule means.
//!
//! Each case runs through the whole pipeline (discovery, roles, the analyzers, suppressions and
//! the project pass) as a one-file project, so what a case shows is what a user would see.
use super::Rule;
use crate::config::Settings;
use crate::engine::{self, Options};

/// A rule's cases: `file` is the name each source is checked under (it picks the analyzer);
/// `prelude` (imports, a shared struct) goes before each source.
pub struct Cases {
    pub rule: Rule,
    pub file: &'static str,
    pub prelude: &'static str,
    pub fail: &'static [&'static str],
    pub pass: &'static [&'static str],
}

/// How many findings of `rule` checking `source` as `file` gives.
pub fn count(rule: Rule, file: &str, source: &str) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    // The folder is its own project: nothing above it is read.
    std::fs::write(dir.path().join("authlint.toml"), "").unwrap();
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, source).unwrap();
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        settings: Settings {
            exclude_root: dir.path().to_path_buf(),
            ..Settings::default()
        },
        select: None,
        ignore: Vec::new(),
        threads: 1,
        cwd: dir.path().to_path_buf(),
        stdin: None,
    };
    let outcome = engine::run(&opts).expect("run succeeds");
    assert!(
        outcome.diagnostics.is_empty(),
        "{file}: {:?}\n{source}",
        outcome.diagnostics
    );
    let project = crate::design::run(
        &outcome.facts,
        &outcome.findings,
        &opts.settings,
        &outcome.context,
        false,
    );
    outcome.findings.iter().filter(|f| f.rule == rule).count()
        + project
            .reports
            .iter()
            .filter(|(_, _, r)| r.rule == rule)
            .count()
}

/// Every `fail` source reports `rule`, no `pass` source does; all mismatches are listed at once.
pub fn check(c: &Cases) {
    let mut wrong = Vec::new();
    let text = |src: &str| format!("{}\n{src}\n", c.prelude);
    for src in c.fail {
        if count(c.rule, c.file, &text(src)) == 0 {
            wrong.push(format!("missed: {src}"));
        }
    }
    for src in c.pass {
        let n = count(c.rule, c.file, &text(src));
        if n > 0 {
            wrong.push(format!("{n} false alarm(s): {src}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} on `{}`:\n{}",
        c.rule,
        c.file,
        wrong.join("\n")
    );
}

/// Every rule that reports findings has inline cases, each with a safe twin.
#[test]
fn every_rule_has_inline_cases_with_a_safe_twin() {
    use crate::catalog::Category;
    let all: Vec<&Cases> = [
        crate::analyzers::rust::cases(),
        crate::analyzers::script::cases(),
        crate::analyzers::config::cases(),
        crate::design::cases(),
    ]
    .concat();
    let mut missing = Vec::new();
    for rule in Rule::ALL {
        if rule.doc().category == Category::Meta {
            continue;
        }
        let mine: Vec<&&Cases> = all.iter().filter(|c| c.rule == *rule).collect();
        if mine.iter().all(|c| c.fail.is_empty()) || mine.iter().all(|c| c.pass.is_empty()) {
            missing.push(rule.id());
        }
    }
    assert!(
        missing.is_empty(),
        "rules without inline cases: {missing:?}"
    );
}
