//! `--statistics`: how many findings each rule has, most first (ruff's `--statistics`).
use crate::engine::Outcome;
use crate::report::Format;
use crate::rule::Rule;
use std::collections::BTreeMap;

struct Row {
    rule: Rule,
    count: usize,
    fixable: usize,
}

fn rows(outcome: &Outcome) -> Vec<Row> {
    let mut by_rule: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    for f in &outcome.findings {
        let e = by_rule.entry(f.rule).or_default();
        e.0 += 1;
        e.1 += usize::from(f.fix.is_some());
    }
    let mut rows: Vec<Row> = by_rule
        .into_iter()
        .map(|(rule, (count, fixable))| Row {
            rule,
            count,
            fixable,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(&b.rule)));
    rows
}

/// The statistics as text (human, concise) or JSON.
pub fn render(outcome: &Outcome, format: Format) -> Result<String, String> {
    let rows = rows(outcome);
    match format {
        Format::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| serde_json::json!({ "rule": r.rule, "count": r.count, "fixable": r.fixable }))
                .collect();
            Ok(serde_json::to_string_pretty(&list).map_err(|e| e.to_string())? + "\n")
        }
        Format::Human | Format::Concise => {
            let width = rows
                .iter()
                .map(|r| r.count.to_string().len())
                .max()
                .unwrap_or(1);
            let rule_width = rows.iter().map(|r| r.rule.id().len()).max().unwrap_or(0);
            let mut text = String::new();
            for r in &rows {
                let fixable = match r.fixable {
                    0 => String::new(),
                    n if n == r.count => " [*] fixable".to_string(),
                    n => format!(" [*] {n} fixable"),
                };
                let title = r.rule.doc().title.as_str();
                text.push_str(&format!(
                    "{:>width$}  {:<rule_width$}  {title}{fixable}\n",
                    r.count, r.rule
                ));
            }
            text.push_str(&format!("{:>width$}  total\n", outcome.findings.len()));
            Ok(text)
        }
        Format::Sarif | Format::Github => Err(
            "--statistics prints text or JSON: use it with --format human, concise or json".into(),
        ),
    }
}
