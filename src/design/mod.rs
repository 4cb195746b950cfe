//! The project pass: combines the facts every analyzer recorded into the findings that only show
//! across files (revocation, rotation, deny lists, privileges from claims) and into the design
//! verdict (which architecture the project has, and which it should have).
mod render;
mod rules;
mod verdict;

pub use render::{render_human, render_markdown};
pub use verdict::{Architecture, Design};

use crate::config::Settings;
use crate::facts::{FactKind, PlacedFact, TokenKind};
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

/// Gives each issued JWT the lifetime (and, where it is more specific, the kind) that the
/// lifetime rule evaluated in the same function.
fn join_lifetimes(facts: &[PlacedFact]) -> Vec<PlacedFact> {
    let mut out = facts.to_vec();
    for f in out.iter_mut() {
        let FactKind::JwtIssued {
            token,
            lifetime_secs,
        } = &mut f.kind
        else {
            continue;
        };
        let evaluated: Vec<(u64, TokenKind)> = facts
            .iter()
            .filter_map(|l| match l.kind {
                FactKind::TokenLifetime {
                    token,
                    lifetime_secs,
                } if l.path == f.path && l.function == f.function => Some((lifetime_secs, token)),
                _ => None,
            })
            .collect();
        // Several tokens issued in one function (access and refresh in `login`): the kind read
        // from the claims' names picks the matching lifetime.
        let same_kind = evaluated.iter().filter(|(_, k)| *k == *token).max();
        let chosen = match *token {
            TokenKind::Access | TokenKind::Refresh => same_kind.or_else(|| evaluated.iter().max()),
            _ => evaluated.iter().max(),
        };
        if let Some(&(secs, kind)) = chosen {
            *lifetime_secs = Some(secs);
            if *token == TokenKind::Unknown || (*token == TokenKind::Access && same_kind.is_none())
            {
                *token = kind;
            }
        }
    }
    out
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
    let facts = join_lifetimes(facts);
    let index = Index::new(&facts);
    let reports = rules::check(&index, settings);
    let design = verdict::decide(&index, findings, &reports, settings, context);
    ProjectOutcome { reports, design }
}
