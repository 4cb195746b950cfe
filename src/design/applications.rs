//! The verdict per application. Each fact and finding belongs to the deployable unit whose folder
//! holds it (the deepest one); files outside every application (shared crates) belong to all.
//! Applications share a login only when they verify the same tokens: one of them checks tokens it
//! does not issue, or the tokens are issued and checked by code they share. Independent
//! applications (a repository of examples or templates) get one verdict each, grouped when
//! identical, never "N services must trust one login".
use super::Index;
use super::signals::{Input, Signals};
use super::verdict::{AppVerdict, Architecture, Design, Evidence, classify, decide as decide_one};
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
    // What is deployed makes the design: examples and templates inside a project do not.
    let deployed: Vec<PlacedFact> = all_facts
        .iter()
        .filter(|f| is_deployed(f.role))
        .cloned()
        .collect();
    let facts = deployed.as_slice();
    let not_deployed: BTreeSet<&str> = all_facts
        .iter()
        .filter(|f| !is_deployed(f.role))
        .map(|f| f.path.as_str())
        .collect();
    let findings: Vec<Finding> = findings
        .iter()
        .filter(|f| is_deployed(f.role))
        .cloned()
        .collect();
    let findings = findings.as_slice();
    let reports: Vec<(String, usize, Report)> = reports
        .iter()
        .filter(|r| !not_deployed.contains(r.0.as_str()))
        .cloned()
        .collect();
    let reports = reports.as_slice();
    let apps: Vec<&Application> = ctx
        .applications
        .iter()
        .filter(|a| !a.dir.is_empty())
        .collect();
    let owner = |path: &str| {
        apps.iter()
            .filter(|a| a.holds(path))
            .max_by_key(|a| a.dir.len())
            .map(|a| a.name.as_str())
    };
    let whole = |shared_with: Vec<String>, names: Vec<String>| {
        let index = Index::new(facts);
        let mut d = decide_one(Input {
            index: &index,
            findings: findings.iter().collect(),
            reports: reports.iter().collect(),
            settings,
            ctx,
            shared_with,
        });
        if d.found != Architecture::NoAuthFound && !names.is_empty() {
            d.applications = vec![group_of(&d, names)];
        }
        d
    };
    if apps.len() < 2 {
        return whole(Vec::new(), apps.iter().map(|a| a.name.clone()).collect());
    }
    let mine = |app: &str, path: &str| owner(path).is_none_or(|o| o == app);
    let parts: Vec<Vec<PlacedFact>> = apps
        .iter()
        .map(|a| {
            facts
                .iter()
                .filter(|f| mine(&a.name, &f.path))
                .cloned()
                .collect()
        })
        .collect();
    let indexes: Vec<Index> = parts.iter().map(|p| Index::new(p)).collect();
    let inputs: Vec<Input> = apps
        .iter()
        .zip(&indexes)
        .map(|(a, index)| Input {
            index,
            findings: findings.iter().filter(|f| mine(&a.name, &f.path)).collect(),
            reports: reports.iter().filter(|r| mine(&a.name, &r.0)).collect(),
            settings,
            ctx,
            shared_with: Vec::new(),
        })
        .collect();
    let signals: Vec<Signals> = inputs.iter().map(Signals::gather).collect();
    let with_auth: Vec<usize> = (0..apps.len())
        .filter(|&i| classify(&signals[i]) != Architecture::NoAuthFound)
        .collect();
    let names = |ids: &[usize]| {
        ids.iter()
            .map(|&i| apps[i].name.clone())
            .collect::<Vec<_>>()
    };
    if with_auth.len() < 2 {
        return whole(Vec::new(), names(&with_auth));
    }
    let shared_code = facts.iter().any(|f| {
        owner(&f.path).is_none()
            && matches!(
                f.kind,
                FactKind::JwtIssued { .. } | FactKind::JwtVerified { .. }
            )
    });
    let trusts_another = with_auth.iter().any(|&i| {
        let s = &signals[i];
        !s.verified.is_empty() && !s.issues_jwt() && !s.server_sessions()
    });
    if shared_code || trusts_another {
        let n = names(&with_auth);
        return whole(n.clone(), n);
    }
    let mut designs: Vec<(String, Design)> = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        if with_auth.contains(&i) {
            designs.push((apps[i].name.clone(), decide_one(input)));
        }
    }
    combine(designs)
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
