//! The project pass: combines the facts every analyzer recorded into the findings that only show
//! across files (revocation, rotation, deny lists, privileges from claims) and into the design
//! verdict (which architecture the project has, and which it should have).
mod applications;
mod architecture;
mod empty_keys;
mod env_keys;
mod recommend;
mod render;
mod rules;
pub mod session_data;
mod signals;
mod value_rules;
pub mod values;
mod verdict;

use crate::rule::Rule;
pub use architecture::Architecture;
pub use render::{render_human, render_markdown, render_summary};
pub use verdict::{AppVerdict, Design};

use crate::config::Settings;
use crate::facts::{FactKind, PlacedFact, TokenKind};
use crate::finding::{Finding, Report};
use crate::project::ProjectContext;
use std::collections::BTreeMap;

/// The rules the project pass reports.
pub const RULES: &[Rule] = &[
    Rule::RefreshTokenNotRevocable,
    Rule::RefreshTokenRotationDisabled,
    Rule::JwtDenylistPerRequest,
    Rule::PrivilegeClaimsInToken,
    Rule::AccessTokenTtlTooLong,
    Rule::RefreshTokenTtlTooLong,
    Rule::TokenWithoutExpiry,
    Rule::HardcodedSigningSecret,
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
    Rule::CookieMissingHttponly,
    Rule::CookieMissingSecure,
    Rule::CookieMissingSamesite,
];

/// A function by file and name.
pub type FnId<'a> = (&'a str, &'a str);

/// Facts indexed by function, for following a handler into the functions it calls.
pub struct Index<'a> {
    pub facts: &'a [PlacedFact],
    by_fn: BTreeMap<&'a str, Vec<&'a PlacedFact>>,
    /// The `impl` types each function is a method of, by file and name.
    owners: BTreeMap<FnId<'a>, Vec<&'a str>>,
}

/// How deep a path through calls is followed from a per-request function or a refresh handler
/// (the middleware → `user_from_jwt` → `Claims::validate` → `LoginToken::validate`).
pub const CALL_DEPTH: usize = 3;

/// A callee name shared by more functions than this is too ambiguous to follow at depth.
const AMBIGUOUS: usize = 4;

impl<'a> Index<'a> {
    pub fn new(facts: &'a [PlacedFact]) -> Self {
        let mut by_fn: BTreeMap<&str, Vec<&PlacedFact>> = BTreeMap::new();
        let mut owners: BTreeMap<FnId, Vec<&str>> = BTreeMap::new();
        for f in facts {
            if let Some(name) = &f.function {
                by_fn.entry(name.as_str()).or_default().push(f);
                if let FactKind::FnOwner { owner } = &f.kind {
                    owners
                        .entry((f.path.as_str(), name.as_str()))
                        .or_default()
                        .push(owner.as_str());
                }
            }
        }
        Index {
            facts,
            by_fn,
            owners,
        }
    }

    pub fn all(&self, pred: impl Fn(&FactKind) -> bool) -> Vec<&'a PlacedFact> {
        self.facts.iter().filter(|f| pred(&f.kind)).collect()
    }

    /// The facts of one function (in one file).
    pub fn own(&self, path: &str, function: &str) -> Vec<&'a PlacedFact> {
        self.by_fn
            .get(function)
            .into_iter()
            .flatten()
            .filter(|f| f.path == path)
            .copied()
            .collect()
    }

    /// The functions a call from `caller` (in `path`) may reach, found by name: `Owner::name`
    /// among the methods of `Owner`; a plain name in the same file when it has one, anywhere in
    /// the project otherwise (the call may cross files or crates).
    pub fn resolve(&self, path: &str, caller: &str, callee: &str) -> Vec<FnId<'a>> {
        let (owner, name) = match callee.rsplit_once("::") {
            Some((o, n)) => (Some(o), n),
            None => (None, callee),
        };
        if owner.is_none() && name == caller {
            return Vec::new();
        }
        let Some((key, facts)) = self.by_fn.get_key_value(name) else {
            return Vec::new();
        };
        let mut files: Vec<&'a str> = facts.iter().map(|f| f.path.as_str()).collect();
        files.dedup();
        files.sort_unstable();
        files.dedup();
        let ids = files.into_iter().map(|p| (p, *key));
        match owner {
            Some(o) => ids
                .filter(|id| self.owners.get(id).is_some_and(|os| os.contains(&o)))
                .collect(),
            None => {
                let all: Vec<FnId> = ids.collect();
                let local: Vec<FnId> = all.iter().filter(|(p, _)| *p == path).copied().collect();
                if local.is_empty() { all } else { local }
            }
        }
    }

    /// The facts of `function` (in `path`) and of the functions it calls, one level deep.
    pub fn reach(&self, path: &str, function: &str) -> Vec<&'a PlacedFact> {
        let own = self.own(path, function);
        let mut out = own.clone();
        for f in &own {
            if let FactKind::Calls { callee } = &f.kind {
                for (p, n) in self.resolve(path, function, callee) {
                    out.extend(self.own(p, n));
                }
            }
        }
        out
    }

    /// The functions reachable from `start` through at most `depth` calls (`start` included),
    /// with how many calls away each is; ambiguous names are not followed past the first
    /// level.
    pub fn closure(&self, start: FnId<'a>, depth: usize) -> BTreeMap<FnId<'a>, usize> {
        let mut seen = BTreeMap::from([(start, 0)]);
        let mut frontier = vec![start];
        for level in 1..=depth {
            let mut next = Vec::new();
            for (path, function) in frontier {
                for f in self.own(path, function) {
                    let FactKind::Calls { callee } = &f.kind else {
                        continue;
                    };
                    let targets = self.resolve(path, function, callee);
                    if level > 1 && targets.len() > AMBIGUOUS {
                        continue;
                    }
                    for t in targets {
                        if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(t) {
                            e.insert(level);
                            next.push(t);
                        }
                    }
                }
            }
            frontier = next;
        }
        seen
    }
}

/// A function by file and name.
type FnKey<'a> = (&'a str, Option<&'a str>);

/// [`FnKey`] owning its strings, for a map kept while the facts change.
type OwnedFnKey = (String, Option<String>);

/// The facts, plus the lifetimes only the project index can evaluate (`values::lifetimes`).
fn with_index_lifetimes(facts: &[PlacedFact]) -> Vec<PlacedFact> {
    let derived = values::lifetimes(facts, &Index::new(facts));
    let mut all = facts.to_vec();
    all.extend(derived);
    all
}

/// Gives each issued JWT the lifetime (and, where it is more specific, the kind) that the
/// lifetime rule evaluated in the same function.
fn join_lifetimes(mut facts: Vec<PlacedFact>) -> Vec<PlacedFact> {
    let mut lifetimes: BTreeMap<OwnedFnKey, Vec<(u64, TokenKind)>> = BTreeMap::new();
    for l in &facts {
        if let FactKind::TokenLifetime {
            token,
            lifetime_secs,
        } = l.kind
        {
            lifetimes
                .entry((l.path.clone(), l.function.clone()))
                .or_default()
                .push((lifetime_secs, token));
        }
    }
    for f in facts.iter_mut() {
        let FactKind::JwtIssued {
            token,
            lifetime_secs,
        } = &mut f.kind
        else {
            continue;
        };
        let evaluated = lifetimes
            .get(&(f.path.clone(), f.function.clone()))
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
    facts
}

/// A JWT whose lifetime is set by a function it calls (`let claims = Claims::new(user, 3 days)`
/// then `encode(.., &claims, ..)`): the lifetime the lifetime rule evaluated there, so the verdict
/// does not say "unknown lifetime" where a finding gives one.
fn join_called_lifetimes(mut facts: Vec<PlacedFact>) -> Vec<PlacedFact> {
    let found = {
        let index = Index::new(&facts);
        unknown_lifetimes(&facts, |f| {
            let called = index.reach(&f.path, f.function.as_deref()?);
            let lifetimes = called.into_iter().filter_map(|l| match l.kind {
                FactKind::TokenLifetime {
                    token,
                    lifetime_secs,
                } => Some((lifetime_secs, token)),
                _ => None,
            });
            Some(lifetimes.collect())
        })
    };
    for (i, secs, _) in found {
        if let FactKind::JwtIssued { lifetime_secs, .. } = &mut facts[i].kind {
            *lifetime_secs = Some(secs);
        }
    }
    facts
}

/// For each JWT issued without a known lifetime, the one chosen among those `known` gives it:
/// the longest of the same kind, else the longest; with its index and that lifetime's kind.
fn unknown_lifetimes<'f>(
    facts: &'f [PlacedFact],
    known: impl Fn(&'f PlacedFact) -> Option<Vec<(u64, TokenKind)>>,
) -> Vec<(usize, u64, TokenKind)> {
    let pick = |(i, f): (usize, &'f PlacedFact)| {
        let FactKind::JwtIssued {
            token,
            lifetime_secs: None,
        } = f.kind
        else {
            return None;
        };
        let known = known(f)?;
        let same = known.iter().filter(|(_, k)| *k == token).max();
        same.or_else(|| known.iter().max())
            .map(|&(secs, kind)| (i, secs, kind))
    };
    facts.iter().enumerate().filter_map(pick).collect()
}

/// A JWT signed by a method of the claims type (`impl Claims { fn new(..) -> Self { Self { exp:
/// now + hours(72), .. } } fn encode(&self, k) -> String { encode(.., &self, k) } }`): the
/// lifetime belongs to the type through its constructor, so the method takes the lifetime
/// evaluated in the type's other methods (the longest of the same kind, else the longest).
fn join_owner_lifetimes(mut facts: Vec<PlacedFact>) -> Vec<PlacedFact> {
    let mut owners: BTreeMap<FnKey, Vec<&str>> = BTreeMap::new();
    for f in &facts {
        if let FactKind::FnOwner { owner } = &f.kind {
            owners
                .entry((f.path.as_str(), f.function.as_deref()))
                .or_default()
                .push(owner);
        }
    }
    // A method name two types of one file share says nothing about which one it belongs to.
    let owner_of = |f: &PlacedFact| match owners
        .get(&(f.path.as_str(), f.function.as_deref()))
        .map(Vec::as_slice)
    {
        Some([one]) => Some(one.to_string()),
        _ => None,
    };
    let mut by_owner: BTreeMap<String, Vec<(u64, TokenKind)>> = BTreeMap::new();
    for f in &facts {
        if let FactKind::TokenLifetime {
            token,
            lifetime_secs,
        } = f.kind
            && let Some(owner) = owner_of(f)
        {
            by_owner
                .entry(owner)
                .or_default()
                .push((lifetime_secs, token));
        }
    }
    let found = unknown_lifetimes(&facts, |f| by_owner.get(&owner_of(f)?).cloned());
    for (i, secs, kind) in found {
        if let FactKind::JwtIssued {
            lifetime_secs,
            token,
        } = &mut facts[i].kind
        {
            *lifetime_secs = Some(secs);
            if *token == TokenKind::Unknown {
                *token = kind;
            }
        }
    }
    facts
}

/// A JWT whose lifetime a config key sets (loco's `auth.jwt.expiration`): that key's value, from
/// a production config before a development or test one, the longest when several.
fn join_config_lifetimes(mut facts: Vec<PlacedFact>) -> Vec<PlacedFact> {
    let mut config: BTreeMap<String, (bool, u64)> = BTreeMap::new();
    for f in &facts {
        if let FactKind::ConfigTokenLifetime {
            key, lifetime_secs, ..
        } = &f.kind
        {
            let found = (f.role == crate::roles::Role::Production, *lifetime_secs);
            let best = config.entry(key.clone()).or_insert(found);
            *best = (*best).max(found);
        }
    }
    let from_config: BTreeMap<FnKey, u64> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::LifetimeFromConfig { key } => config
                .get(key)
                .map(|&(_, secs)| ((f.path.as_str(), f.function.as_deref()), secs)),
            _ => None,
        })
        .collect();
    let found: Vec<(usize, u64)> = facts
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f.kind {
            FactKind::JwtIssued {
                lifetime_secs: None,
                ..
            } => from_config
                .get(&(f.path.as_str(), f.function.as_deref()))
                .map(|&secs| (i, secs)),
            _ => None,
        })
        .collect();
    for (i, secs) in found {
        if let FactKind::JwtIssued { lifetime_secs, .. } = &mut facts[i].kind {
            *lifetime_secs = Some(secs);
        }
    }
    facts
}

/// What the project pass returns: reports per file, and the verdict.
pub struct ProjectOutcome {
    /// `(path, line, report)`.
    pub reports: Vec<(String, usize, Report)>,
    /// `None` when no verdict was asked for.
    pub design: Option<Design>,
}

pub fn run(
    facts: &[PlacedFact],
    findings: &[Finding],
    settings: &Settings,
    context: &ProjectContext,
    verdict: bool,
) -> ProjectOutcome {
    let joined = join_called_lifetimes(join_lifetimes(with_index_lifetimes(facts)));
    let facts = join_config_lifetimes(join_owner_lifetimes(joined));
    let index = Index::new(&facts);
    let mut reports = rules::check(&index, settings, context);
    value_rules::check(&facts, settings, &mut reports);
    let design =
        verdict.then(|| applications::decide(&facts, findings, &reports, settings, context));
    ProjectOutcome { reports, design }
}

/// Every inline case of this part's rules (`crate::rule::cases`).
#[cfg(test)]
pub(crate) fn cases() -> Vec<&'static crate::rule::cases::Cases> {
    [rules::cases::CASES].into_iter().flatten().collect()
}
