//! Which rules a run reports: those implemented by an analyzer or the project pass, selected
//! and not turned off.
use super::Options;
use crate::catalog::{self, RuleDoc};
use crate::config::Level;
use crate::finding::Severity;
use crate::rule::Rule;

/// The analyzers (by language family) that implement this rule, and `project` when the project
/// pass does; empty while it is planned.
pub fn implemented_by(doc: &RuleDoc) -> Vec<&'static str> {
    let rule = doc.rule();
    let mut by: Vec<&'static str> = crate::analyzers::all()
        .iter()
        .filter(|a| a.rules().contains(&rule))
        .map(|a| a.name())
        .collect();
    if crate::design::RULES.contains(&rule) {
        by.push("project");
    }
    by
}

/// Whether anything reports the rule (`Meta` rules are about authlint or the whole project).
pub fn is_implemented(doc: &RuleDoc) -> bool {
    doc.category == catalog::Category::Meta || !implemented_by(doc).is_empty()
}

impl Options {
    pub fn level(&self, rule: Rule) -> Option<Severity> {
        if self.select.as_ref().is_some_and(|s| !s.contains(&rule)) || self.ignore.contains(&rule) {
            return None;
        }
        match self.settings.rules.get(&rule) {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(*s),
            None => Some(rule.doc().severity),
        }
    }

    /// The rules that report findings in this run (the design verdict is not one of them).
    pub fn enabled_rules(&self) -> Vec<Rule> {
        catalog::all()
            .iter()
            .filter(|r| is_implemented(r))
            .map(|r| r.rule())
            .filter(|&rule| rule != Rule::AuthDesign && self.level(rule).is_some())
            .collect()
    }
}
