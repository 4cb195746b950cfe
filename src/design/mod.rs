//! The project pass: combines the facts every analyzer recorded into the findings that only show
//! across files (revocation, rotation, deny lists, privileges from claims) and into the design
//! verdict (which architecture the project has, and which it should have).
mod render;
mod rules;
mod verdict;

pub use render::{render_human, render_markdown};
pub use verdict::{Architecture, Design};

use crate::config::Settings;
use crate::facts::{FactKind, PlacedFact};
use crate::finding::{Finding, Report};
use crate::project::ProjectContext;
use std::collections::BTreeMap;

/// The rules the project pass reports.
pub const RULES: &[&str] = &[
    "refresh-token-not-revocable",
    "refresh-token-rotation-disabled",
    "jwt-denylist-per-request",
    "privilege-claims-in-token",
];

/// Facts indexed by function, for following a handler into the functions it calls.
pub struct Index<'a> {
    pub facts: &'a [PlacedFact],
    by_fn: BTreeMap<&'a str, Vec<&'a PlacedFact>>,
}

impl<'a> Index<'a> {
    pub fn new(facts: &'a [PlacedFact]) -> Self {
        let mut by_fn: BTreeMap<&str, Vec<&PlacedFact>> = BTreeMap::new();
        for f in facts {
            if let Some(name) = &f.function {
                by_fn.entry(name.as_str()).or_default().push(f);
            }
        }
        Index { facts, by_fn }
    }

    pub fn all(&self, pred: impl Fn(&FactKind) -> bool) -> Vec<&'a PlacedFact> {
        self.facts.iter().filter(|f| pred(&f.kind)).collect()
    }

    /// The facts of `function` (in `path`) and of the functions it calls, one level deep, found by
    /// name anywhere in the project.
    pub fn reach(&self, path: &str, function: &str) -> Vec<&'a PlacedFact> {
        let own: Vec<&PlacedFact> = self
            .by_fn
            .get(function)
            .into_iter()
            .flatten()
            .filter(|f| f.path == path)
            .copied()
            .collect();
        let mut out = own.clone();
        for f in &own {
            if let FactKind::Calls { callee } = &f.kind
                && callee != function
            {
                out.extend(
                    self.by_fn
                        .get(callee.as_str())
                        .into_iter()
                        .flatten()
                        .copied(),
                );
            }
        }
        out
    }
}

/// What the project pass returns: reports per file, and the verdict.
pub struct ProjectOutcome {
    /// `(path, line, report)`.
    pub reports: Vec<(String, usize, Report)>,
    pub design: Design,
}

pub fn run(
    facts: &[PlacedFact],
    findings: &[Finding],
    settings: &Settings,
    context: &ProjectContext,
) -> ProjectOutcome {
    let index = Index::new(facts);
    let reports = rules::check(&index, settings);
    let design = verdict::decide(&index, findings, &reports, settings, context);
    ProjectOutcome { reports, design }
}
