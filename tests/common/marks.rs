//! Expected findings written into fixtures, and the comparison with what a run reports.
//!
//! A fixture marks each finding on the line where it starts: `expect: rule@COLUMN` (several as
//! `expect: rule-a@5, rule-b@12`; a rule reported twice on a line is marked twice). Formats
//! without comments (JSON) use a sidecar `<file>.expect` with `LINE:COLUMN RULE` lines. Columns
//! are what a user reads in `path:line:column` (characters, from 1).
use super::{root, walk};
use authlint::engine::Outcome;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// One expected or reported finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub rule: String,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{} {}",
            self.path, self.line, self.column, self.rule
        )
    }
}

/// A `rule@COLUMN` item of a marker or a sidecar line's `LINE:COLUMN RULE`, or what is wrong.
fn mark(path: &str, line: usize, column: &str, rule: &str) -> Result<Mark, String> {
    let column = column
        .parse()
        .map_err(|_| format!("`{rule}` needs its column (`{rule}@COLUMN`), got `{column}`"))?;
    Ok(Mark {
        path: path.to_string(),
        line,
        column,
        rule: rule.to_string(),
    })
}

/// Every expectation written in the fixtures below `dir`, sorted, and what is wrong with the
/// fixtures themselves: a file that cannot be read as text, a sidecar with no file beside it, a
/// marker or sidecar line without its column.
pub fn expectations(dir: &Path) -> (Vec<Mark>, Vec<String>) {
    let item = r"[a-z][a-z0-9-]*(?:@[0-9]*)?";
    let re = regex::Regex::new(&format!(r"expect: ?({item}(?:, ?{item})*)")).unwrap();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for entry in walk(dir) {
        let rel = relative(&entry);
        let text = match std::fs::read_to_string(&entry) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{rel}: cannot be read as a fixture: {e}"));
                continue;
            }
        };
        let mut push = |at: usize, m: Result<Mark, String>| match m {
            Ok(m) => out.push(m),
            Err(e) => problems.push(format!("{rel}:{at}: {e}")),
        };
        if let Some(target) = rel.strip_suffix(".expect") {
            if !root().join(target).is_file() {
                problems.push(format!("{rel}: a sidecar with no `{target}` beside it"));
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let parsed = line.split_once(' ').and_then(|(at, rule)| {
                    let (n, col) = at.split_once(':')?;
                    Some(mark(target, n.parse().ok()?, col, rule.trim()))
                });
                push(
                    i + 1,
                    parsed.unwrap_or_else(|| Err(format!("not `LINE:COLUMN RULE`: {line}"))),
                );
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let Some(c) = re.captures(line) else { continue };
            for item in c[1].split(',') {
                let (rule, column) = item.trim().split_once('@').unwrap_or((item.trim(), ""));
                push(i + 1, mark(&rel, i + 1, column, rule));
            }
        }
    }
    out.sort();
    (out, problems)
}

/// A path below the repository root, `/`-separated.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The findings of a run, sorted, one entry per finding.
pub fn found(outcome: &Outcome) -> Vec<Mark> {
    let mut v: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| Mark {
            path: f.path.clone(),
            line: f.start.line,
            column: f.start.column,
            rule: f.rule.to_string(),
        })
        .collect();
    v.sort();
    v
}

/// Compares as multisets: `(missed, extra)`, where a finding reported twice but expected once is
/// one extra, and a finding in another column is one missed and one extra.
pub fn multiset_diff(expected: &[Mark], got: &[Mark]) -> (Vec<Mark>, Vec<Mark>) {
    let mut count: BTreeMap<&Mark, isize> = BTreeMap::new();
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

/// What differs between the expected and reported findings of `name`, one per line, or `None`.
pub fn mismatch(name: &str, expected: &[Mark], got: &[Mark]) -> Option<String> {
    let (missed, extra) = multiset_diff(expected, got);
    if missed.is_empty() && extra.is_empty() {
        return None;
    }
    let list = |v: &[Mark]| v.iter().map(|m| format!("\n    {m}")).collect::<String>();
    Some(format!(
        "{name}:\n  missed (expected, not reported):{}\n  false alarms (reported, not expected):{}",
        list(&missed),
        list(&extra)
    ))
}
