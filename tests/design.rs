//! The design verdict on whole fixture projects, one per architecture: what is found, what is
//! recommended, and every finding in every file (each marked `expect: <rule>@<column>` on its
//! line, as in the rule fixtures), so the recommended designs are shown to draw no findings at all.
mod common;

use authlint::design::{Architecture, render_markdown};
use common::marks::{expectations, found};
use common::*;

const PROJECT_RULES: &[&str] = &[
    "refresh-token-not-revocable",
    "refresh-token-rotation-disabled",
    "jwt-denylist-per-request",
    "privilege-claims-in-token",
];

fn verdict(name: &str) -> (authlint::design::Design, Vec<String>) {
    let dir = format!("fixtures/design/{name}");
    let outcome = check(&[&dir]);
    assert!(
        outcome.diagnostics.is_empty(),
        "{name}: {:#?}",
        outcome.diagnostics
    );
    let (expected, problems) = expectations(&root().join(&dir));
    assert!(problems.is_empty(), "{problems:#?}");
    if let Some(m) = marks::mismatch(name, &expected, &found(&outcome)) {
        panic!("{m}");
    }
    let rules = outcome
        .findings
        .iter()
        .filter(|f| PROJECT_RULES.contains(&f.rule.id()))
        .map(|f| f.rule.to_string())
        .collect();
    let design = outcome.design.expect("a verdict");
    insta::assert_snapshot!(format!("design__{name}"), render_markdown(&design));
    (design, rules)
}

#[test]
fn session_monolith_is_already_the_recommended_design() {
    let (d, rules) = verdict("session-monolith");
    assert_eq!(d.found, Architecture::ServerSessions);
    assert_eq!(d.recommended, Architecture::ServerSessions);
    assert!(d.ok);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        d.evidence.iter().any(|e| e.claim.contains("RedisStore")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn stateless_jwt_spa_should_move_to_sessions() {
    let (d, _) = verdict("stateless-jwt-spa");
    assert_eq!(d.found, Architecture::StatelessJwt);
    assert_eq!(d.recommended, Architecture::ServerSessions);
    assert!(!d.ok);
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim.contains("lifetime of 1d")),
        "{:?}",
        d.evidence
    );
    assert!(d.move_to.iter().any(|m| m.contains("tower-sessions")));
    assert!(
        d.evidence.iter().any(|e| e.claim.contains("localStorage")),
        "the front end keeps the token: {:?}",
        d.evidence
    );
    assert_eq!(d.resolves.get("token-in-web-storage"), Some(&1));
}

#[test]
fn hybrid_across_two_services_is_kept() {
    let (d, rules) = verdict("hybrid-services");
    assert_eq!(d.found, Architecture::Hybrid);
    assert_eq!(
        d.recommended,
        Architecture::Hybrid,
        "two services: {:?}",
        d.why
    );
    assert!(d.ok);
    assert!(rules.is_empty(), "{rules:?}");
}

#[test]
fn jwt_with_deny_list_is_a_session_reinvented() {
    let (d, rules) = verdict("jwt-denylist");
    assert_eq!(d.found, Architecture::JwtWithPerRequestStoreCheck);
    assert_eq!(d.recommended, Architecture::ServerSessions);
    assert_eq!(rules, ["jwt-denylist-per-request"]);
    assert_eq!(d.resolves.get("jwt-denylist-per-request"), Some(&1));
    assert!(
        d.move_to.iter().any(|m| m.contains("RedisStore")),
        "redis is locked: {:?}",
        d.move_to
    );
}

#[test]
fn refresh_jwt_bound_to_a_device_row_is_revocable() {
    let (d, rules) = verdict("refresh-jwt-device-row");
    assert_eq!(d.found, Architecture::Hybrid);
    assert_eq!(
        d.recommended,
        Architecture::Hybrid,
        "a mobile client: {:?}",
        d.why
    );
    assert!(d.why.iter().any(|w| w.contains("android/")));
    assert!(rules.is_empty(), "{rules:?}");
}

#[test]
fn a_framework_without_auth_gets_no_recommendation() {
    let (d, rules) = verdict("no-auth-framework");
    assert_eq!(d.found, Architecture::NoAuthFound);
    assert_eq!(d.recommended, Architecture::NoAuthFound, "{:?}", d.why);
    assert!(d.ok);
    assert!(d.why.is_empty() && d.move_to.is_empty() && d.resolves.is_empty());
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(
        authlint::design::render_human(&d, true),
        "design: no authentication found\n"
    );
}

#[test]
fn no_auth_at_all() {
    let outcome = check(&["fixtures/rules/unused-suppression"]);
    assert_eq!(outcome.design.unwrap().found, Architecture::NoAuthFound);
}

#[test]
fn readme_shows_the_demo_verdict() {
    let outcome = check(&["fixtures/demo"]);
    let verdict = authlint::design::render_human(outcome.design.as_ref().unwrap(), true);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```text\n{verdict}```")),
        "README's demo verdict is stale; paste the output of `cargo run -- design fixtures/demo`:\n{verdict}"
    );
}
