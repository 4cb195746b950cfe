//! The project pass: combines the facts every analyzer recorded into the findings that only show
//! across files (revocation, rotation, deny lists, privileges from claims) and into the design
//! verdict (which architecture the project has, and which it should have).
mod render;
mod rules;
pub mod session_data;
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
    /// name: in the same file when it has one of that name, anywhere in the project otherwise.
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
                // A callee in the same file wins; otherwise every function of that name (the
                // call may cross files or crates).
                let all = self
                    .by_fn
                    .get(callee.as_str())
                    .map_or(&[][..], Vec::as_slice);
                let local: Vec<&PlacedFact> =
                    all.iter().filter(|c| c.path == path).copied().collect();
                out.extend(if local.is_empty() {
                    all.to_vec()
                } else {
                    local
                });
            }
        }
        out
    }
}

/// Gives each issued JWT the lifetime (and, where it is more specific, the kind) that the
/// lifetime rule evaluated in the same function.
/// A function by file and name.
type FnKey<'a> = (&'a str, Option<&'a str>);

fn join_lifetimes(facts: &[PlacedFact]) -> Vec<PlacedFact> {
    let mut lifetimes: BTreeMap<FnKey, Vec<(u64, TokenKind)>> = BTreeMap::new();
    for l in facts {
        if let FactKind::TokenLifetime {
            token,
            lifetime_secs,
        } = l.kind
        {
            lifetimes
                .entry((l.path.as_str(), l.function.as_deref()))
                .or_default()
                .push((lifetime_secs, token));
        }
    }
    let mut out = facts.to_vec();
    for f in out.iter_mut() {
        let FactKind::JwtIssued {
            token,
            lifetime_secs,
        } = &mut f.kind
        else {
            continue;
        };
        let evaluated = lifetimes
            .get(&(f.path.as_str(), f.function.as_deref()))
            .map_or(&[][..], Vec::as_slice);
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
