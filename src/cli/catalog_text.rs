//! `authlint rules` and `authlint explain`: the rule catalog as a table, as the README's
//! markdown table, and one rule's full text.
use super::{EXIT_CLEAN, ListFormat, print_stdout};
use crate::catalog;
use crate::engine;

pub(super) fn rules(format: ListFormat) -> Result<i32, String> {
    let rules = catalog::all();
    let mut text;
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "title": r.title, "severity": r.severity, "category": r.category,
                        "summary": r.summary, "analyzers": engine::implemented_by(r), "implemented": engine::is_implemented(r), "url": r.url(),
                    })
                })
                .collect();
            text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())? + "\n";
        }
        ListFormat::Markdown => text = rules_markdown(),
        ListFormat::Human => {
            let reads = |r: &catalog::RuleDoc| {
                let by = if r.category == catalog::Category::Meta {
                    "all".to_string()
                } else {
                    engine::implemented_by(r).join(",")
                };
                if by.is_empty() {
                    "planned".to_string()
                } else {
                    by
                }
            };
            // Each column as wide as its longest entry, so none runs into the next.
            let w = |f: &dyn Fn(&catalog::RuleDoc) -> String, head: &str| {
                rules
                    .iter()
                    .map(|r| f(r).len())
                    .chain([head.len()])
                    .max()
                    .unwrap_or(0)
            };
            let (wi, ws, wc, wr) = (
                w(&|r| r.id.to_string(), "RULE"),
                w(&|r| r.severity.as_str().to_string(), "SEVERITY"),
                w(&|r| r.category.to_string(), "CATEGORY"),
                w(&reads, "READS"),
            );
            text = format!(
                "{:<wi$} {:<ws$} {:<wc$} {:<wr$} SUMMARY\n",
                "RULE", "SEVERITY", "CATEGORY", "READS"
            );
            for r in rules {
                text.push_str(&format!(
                    "{:<wi$} {:<ws$} {:<wc$} {:<wr$} {}\n",
                    r.id,
                    r.severity.as_str(),
                    r.category,
                    reads(r),
                    r.summary
                ));
            }
        }
    }
    print_stdout(&text).map(|()| EXIT_CLEAN)
}

/// The rule table in the README (a test keeps the README in sync with this).
pub fn rules_markdown() -> String {
    let mut s = String::from("| Rule | Severity | Reads | What it finds |\n|---|---|---|---|\n");
    for r in catalog::all() {
        let by = if r.category == catalog::Category::Meta {
            "all".to_string()
        } else {
            engine::implemented_by(r).join(", ")
        };
        let by = if by.is_empty() {
            "planned".to_string()
        } else {
            by
        };
        s.push_str(&format!(
            "| [`{}`](rules/{0}.toml) | {} | {} | {} |\n",
            r.id, r.severity, by, r.summary
        ));
    }
    s
}

/// The text `authlint explain` prints (also used to check every rule has complete docs).
pub fn explain_text(rule: &catalog::RuleDoc) -> String {
    let mut s = format!("{} ({})\n\n", rule.title, rule.id);
    s.push_str(&format!(
        "Default severity: {}. Category: {}. ",
        rule.severity, rule.category
    ));
    let by = engine::implemented_by(rule);
    s.push_str(&if rule.category == catalog::Category::Meta {
        "Reported by the engine.\n\n".to_string()
    } else if by.is_empty() {
        "Status: planned, not implemented yet.\n\n".to_string()
    } else {
        format!("Reads: {}.\n\n", by.join(", "))
    });
    s.push_str(&format!("What it detects\n  {}\n\n", rule.summary));
    s.push_str(&format!("Why it is dangerous\n{}\n\n", indent(&rule.why)));
    s.push_str(&format!(
        "Recommended design\n{}\n\n",
        indent(&rule.recommendation)
    ));
    s.push_str(&format!(
        "Risky ({}):\n{}\n\nSafe:\n{}\n\n",
        rule.example.lang,
        indent(&rule.example.bad),
        indent(&rule.example.good)
    ));
    if let Some(l) = &rule.limitations {
        s.push_str(&format!("What authlint does not see\n{}\n\n", indent(l)));
    }
    s.push_str("References\n");
    for r in &rule.references {
        s.push_str(&format!("  - {}: {}\n", r.title, r.url));
    }
    s.push_str(&format!("\nSuppress one finding with a comment on its line or the line before:\n  // authlint-ignore {}: <why this is safe>\n", rule.id));
    s
}

/// A section of `explain`'s text, indented by two spaces (blank lines stay empty).
pub fn indent(text: &str) -> String {
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

pub(super) fn explain(id: &str) -> Result<i32, String> {
    let rule = catalog::get(id).ok_or_else(|| catalog::unknown_rule_hint(id))?;
    print_stdout(&explain_text(rule)).map(|()| EXIT_CLEAN)
}
