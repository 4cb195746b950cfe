//! The verdict per application. Each fact and finding belongs to the deployable unit whose folder
//! holds it (the deepest one); files outside every application (shared crates) belong to all.
//! Applications share a login only when they verify the same tokens: one of them checks tokens it
//! does not issue, or the tokens are issued and checked by code they share. Independent
//! applications (a repository of examples or templates) get one verdict each, grouped when
//! identical, never "N services must trust one login".
use super::Index;
use super::architecture::{Architecture, Evidence};
use super::signals::{Input, Signals};
use super::verdict::{AppVerdict, Design, classify, decide as decide_one};
use crate::config::Settings;
use crate::facts::{FactKind, PlacedFact};
use crate::finding::{Finding, Report};
use crate::project::{Application, ProjectContext};
use crate::roles::Role;
use std::collections::{BTreeMap, BTreeSet};

type Reports = [(String, usize, Report)];

pub fn decide(
    all_facts: &[PlacedFact],
    findings: &[Finding],
    reports: &Reports,
    settings: &Settings,
    ctx: &ProjectContext,
) -> Design {
    let deployed = Deployed::keep(all_facts, findings, reports);
    let scope = Scope {
        facts: &deployed.facts,
        findings: &deployed.findings,
        reports: &deployed.reports,
        settings,
        ctx,
        apps: ctx
            .applications
            .iter()
            .filter(|a| !a.dir.is_empty())
            .collect(),
    };
    let n = scope.apps.len();
    if n < 2 {
        return scope.whole(Vec::new(), scope.names(&(0..n).collect::<Vec<_>>()));
    }
    let parts = scope.facts_by_app();
    let indexes: Vec<Index> = parts.iter().map(|p| Index::new(p)).collect();
    let inputs: Vec<Input> = indexes
        .iter()
        .enumerate()
        .map(|(i, index)| scope.input(i, index))
        .collect();
    let signals: Vec<Signals> = inputs.iter().map(Signals::gather).collect();
    let with_auth: Vec<usize> = (0..n)
        .filter(|&i| classify(&signals[i]) != Architecture::NoAuthFound)
        .collect();
    if with_auth.len() < 2 {
        return scope.whole(Vec::new(), scope.names(&with_auth));
    }
    if scope.share_login(&signals, &with_auth) {
        let names = scope.names(&with_auth);
        return scope.whole(names.clone(), names);
    }
    let designs = inputs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| with_auth.contains(i))
        .map(|(i, input)| (scope.apps[i].name.clone(), decide_one(input)))
        .collect();
    combine(designs)
}

/// What is deployed makes the design: examples and templates inside a project do not.
struct Deployed {
    facts: Vec<PlacedFact>,
    findings: Vec<Finding>,
    reports: Vec<(String, usize, Report)>,
}

impl Deployed {
    fn keep(facts: &[PlacedFact], findings: &[Finding], reports: &Reports) -> Self {
        let not_deployed: BTreeSet<&str> = facts
            .iter()
            .filter(|f| !is_deployed(f.role))
            .map(|f| f.path.as_str())
            .collect();
        Deployed {
            facts: facts
                .iter()
                .filter(|f| is_deployed(f.role))
                .cloned()
                .collect(),
            findings: findings
                .iter()
                .filter(|f| is_deployed(f.role))
                .cloned()
                .collect(),
            reports: reports
                .iter()
                .filter(|r| !not_deployed.contains(r.0.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// The deployed facts, findings and reports, and the applications they are shared among.
struct Scope<'a> {
    facts: &'a [PlacedFact],
    findings: &'a [Finding],
    reports: &'a Reports,
    settings: &'a Settings,
    ctx: &'a ProjectContext,
    /// The applications with a folder.
    apps: Vec<&'a Application>,
}

impl<'a> Scope<'a> {
    /// The application a place belongs to: the one whose deployment configures that line (a
    /// compose service's block, a Kubernetes Deployment), else the deepest one whose folder
    /// holds the file; `None` for shared code and configuration.
    fn owner(&self, path: &str, line: usize) -> Option<usize> {
        (0..self.apps.len())
            .find(|&i| self.apps[i].configures(path, line))
            .or_else(|| {
                (0..self.apps.len())
                    .filter(|&i| self.apps[i].holds(path))
                    .max_by_key(|&i| self.apps[i].dir.len())
            })
    }

    /// Whether a place counts for application `i`: it is its own, or shared by all.
    fn mine(&self, i: usize, path: &str, line: usize) -> bool {
        self.owner(path, line).is_none_or(|o| o == i)
    }

    fn names(&self, ids: &[usize]) -> Vec<String> {
        ids.iter().map(|&i| self.apps[i].name.clone()).collect()
    }

    /// Each application's facts: its own and those shared by all. Each fact's owner is found
    /// once (a project with many facts and several applications spent 6 % of a run here).
    fn facts_by_app(&self) -> Vec<Vec<PlacedFact>> {
        let mut parts = vec![Vec::new(); self.apps.len()];
        for f in self.facts {
            match self.owner(&f.path, f.start.line) {
                Some(o) => parts[o].push(f.clone()),
                None => parts.iter_mut().for_each(|p| p.push(f.clone())),
            }
        }
        parts
    }

    /// What the verdict reads for application `i`. A provider or proxy counts for the
    /// application whose folder or deployment names it, for those whose compose services
    /// depend on its container, or for all when shared configuration names it.
    fn input(&self, i: usize, index: &'a Index<'a>) -> Input<'a> {
        let app = self.apps[i];
        Input {
            index,
            findings: self
                .findings
                .iter()
                .filter(|f| self.mine(i, &f.path, f.start.line))
                .collect(),
            reports: self
                .reports
                .iter()
                .filter(|r| self.mine(i, &r.0, r.1))
                .collect(),
            settings: self.settings,
            ctx: self.ctx,
            shared_with: Vec::new(),
            parties: self
                .ctx
                .parties
                .iter()
                .filter(|p| {
                    if !p.users.is_empty() {
                        return p.users.contains(&app.dir);
                    }
                    let (path, line) = p.place();
                    self.mine(i, path, line)
                })
                .collect(),
        }
    }

    /// The verdict over every deployed fact, naming `names` when there is a login to judge.
    fn whole(&self, shared_with: Vec<String>, names: Vec<String>) -> Design {
        let index = Index::new(self.facts);
        let mut d = decide_one(Input {
            index: &index,
            findings: self.findings.iter().collect(),
            reports: self.reports.iter().collect(),
            settings: self.settings,
            ctx: self.ctx,
            shared_with,
            parties: self.ctx.parties.iter().collect(),
        });
        if d.found != Architecture::NoAuthFound && !names.is_empty() {
            d.applications = vec![group_of(&d, names)];
        }
        d
    }

    /// Applications share a login when they verify the same tokens: code outside every
    /// application issues or checks them, one of them checks tokens it does not issue, or two
    /// are given the same signing secret or key by their deployment.
    fn share_login(&self, signals: &[Signals], with_auth: &[usize]) -> bool {
        let shared_code = self.facts.iter().any(|f| {
            self.owner(&f.path, f.start.line).is_none()
                && matches!(
                    f.kind,
                    FactKind::JwtIssued { .. } | FactKind::JwtVerified { .. }
                )
        });
        let trusts_another = with_auth.iter().any(|&i| {
            let s = &signals[i];
            !s.verified.is_empty() && !s.issues_jwt() && !s.server_sessions()
        });
        let mut keys = BTreeSet::new();
        let same_key = with_auth.iter().any(|&i| {
            let mine: BTreeSet<&String> = self.apps[i].token_keys.iter().collect();
            let shared = mine.iter().any(|k| keys.contains(*k));
            keys.extend(mine);
            shared
        });
        shared_code || trusts_another || same_key
    }
}

/// Examples and templates inside a project are not deployed: they do not make its design.
fn is_deployed(role: Role) -> bool {
    !matches!(role, Role::Example | Role::Template)
}

fn group_of(d: &Design, applications: Vec<String>) -> AppVerdict {
    AppVerdict {
        applications,
        found: d.found,
        recommended: d.recommended,
        ok: d.ok,
        at: d
            .evidence
            .iter()
            .find(|e| !e.at.is_empty())
            .map_or(String::new(), |e| e.at.clone()),
    }
}

/// Independent applications' verdicts, grouped when identical (same design found, same
/// recommendation, same judgement). One group: that verdict, naming every application. Several:
/// one line per group.
fn combine(designs: Vec<(String, Design)>) -> Design {
    let total = designs.len();
    let mut groups: BTreeMap<(String, String, bool), (Vec<String>, Design)> = BTreeMap::new();
    for (name, d) in designs {
        let key = (
            format!("{:?}", d.found),
            format!("{:?}", d.recommended),
            d.ok,
        );
        groups
            .entry(key)
            .or_insert_with(|| (Vec::new(), d))
            .0
            .push(name);
    }
    let mut groups: Vec<(Vec<String>, Design)> = groups.into_values().collect();
    if groups.len() == 1 {
        // Same verdict everywhere: the first application's, as an example of all.
        let (names, mut d) = groups.remove(0);
        d.applications = vec![group_of(&d, names)];
        d.found_summary = format!(
            "{} ({total} independent applications, the same design in each)",
            d.found.describe()
        );
        return d;
    }
    let groups: Vec<AppVerdict> = groups
        .into_iter()
        .map(|(names, d)| group_of(&d, names))
        .collect();
    let evidence = groups
        .iter()
        .map(|g| Evidence {
            claim: format!(
                "{}: {}{}",
                g.applications.join(", "),
                g.found.describe(),
                if g.ok {
                    " (already the recommended design)".to_string()
                } else {
                    format!(" → recommended: {}", g.recommended.describe())
                }
            ),
            at: g.at.clone(),
        })
        .collect();
    Design {
        found: Architecture::PerApplication,
        found_summary: format!(
            "{total} independent applications with {} different designs",
            groups.len()
        ),
        evidence,
        recommended: Architecture::PerApplication,
        why: Vec::new(),
        move_to: Vec::new(),
        resolves: BTreeMap::new(),
        ok: groups.iter().all(|g| g.ok),
        confidence: "medium",
        applications: groups,
    }
}
