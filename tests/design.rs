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

#[test]
fn a_random_session_id_in_a_table_is_server_side_sessions() {
    let (d, rules) = verdict("db-sessions");
    assert_eq!(d.found, Architecture::ServerSessions, "{:?}", d.evidence);
    assert_eq!(d.recommended, Architecture::ServerSessions);
    assert!(d.ok);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim.contains("random session id") && e.at.ends_with("main.rs:9")),
        "{:?}",
        d.evidence
    );
    assert!(
        d.why.iter().any(|w| w.contains("sqlx")),
        "Cargo.toml declares sqlx without a Cargo.lock: {:?}",
        d.why
    );
}

#[test]
fn supabase_is_a_managed_identity_provider_judged_by_its_config() {
    let (d, rules) = verdict("supabase-app");
    assert_eq!(d.found, Architecture::ManagedIdp, "{:?}", d.evidence);
    assert_eq!(d.recommended, Architecture::ManagedIdp);
    assert!(!d.ok, "a one-day jwt_expiry counts");
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(d.resolves.get("access-token-ttl-too-long"), Some(&1));
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim == "Supabase holds the login"
                && e.at.ends_with("supabase/config.toml:1")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn api_keys_in_a_table_are_opaque_tokens_and_the_browser_should_not_hold_them() {
    let (d, rules) = verdict("api-keys-wasm");
    assert_eq!(d.found, Architecture::OpaqueTokens, "{:?}", d.evidence);
    assert_eq!(d.recommended, Architecture::ServerSessions, "{:?}", d.why);
    assert!(!d.ok);
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(d.resolves.get("token-in-web-storage"), Some(&1));
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim.contains("`create_api_key` issues an opaque token")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn an_app_behind_an_oidc_proxy_must_verify_what_it_receives() {
    let (d, rules) = verdict("oidc-proxy");
    assert_eq!(d.found, Architecture::DelegatedToProxy, "{:?}", d.evidence);
    assert_eq!(d.recommended, Architecture::DelegatedToProxy);
    assert!(!d.ok, "the forwarded JWT is decoded without verifying");
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(d.resolves.get("jwt-signature-not-verified"), Some(&1));
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim == "login is delegated to oauth2-proxy"),
        "{:?}",
        d.evidence
    );
}

#[test]
fn independent_example_apps_get_one_grouped_verdict_not_a_shared_login() {
    let (d, rules) = verdict("examples-repo");
    assert_eq!(d.found, Architecture::StatelessJwt);
    assert_eq!(d.recommended, Architecture::ServerSessions, "{:?}", d.why);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        !d.why.iter().any(|w| w.contains("services")),
        "no shared login: {:?}",
        d.why
    );
    assert_eq!(d.applications.len(), 1, "{:?}", d.applications);
    assert_eq!(d.applications[0].applications, ["blog", "shop", "todo"]);
    assert!(d.found_summary.contains("3 independent applications"));
}

#[test]
fn sdk_containers_a_marketing_site_and_one_app_built_twice_are_one_service() {
    let (d, rules) = verdict("compose-one-app");
    assert_eq!(d.found, Architecture::ServerSessions);
    assert!(d.ok, "{:?}", d.why);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(!d.why.iter().any(|w| w.contains("services")), "{:?}", d.why);
    let apps: Vec<&str> = d
        .applications
        .iter()
        .flat_map(|g| g.applications.iter().map(String::as_str))
        .collect();
    assert_eq!(apps, ["the root crate"]);
}

#[test]
fn an_ide_extension_with_bearer_tokens_makes_the_hybrid_right() {
    let (d, rules) = verdict("ide-client");
    assert_eq!(d.found, Architecture::StatelessJwt);
    assert_eq!(d.recommended, Architecture::Hybrid, "{:?}", d.why);
    assert!(!d.ok);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        d.why
            .iter()
            .any(|w| w.contains("an IDE extension (vscode)")),
        "{:?}",
        d.why
    );
}

#[test]
fn the_projects_own_session_middleware_is_not_a_session_store() {
    let (d, rules) = verdict("own-session-middleware");
    assert_eq!(d.found, Architecture::StatelessJwt, "{:?}", d.evidence);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        !d.evidence
            .iter()
            .any(|e| e.claim.contains("server-side sessions")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn independent_templates_with_different_designs_get_a_verdict_each() {
    let (d, rules) = verdict("templates-mixed");
    assert_eq!(d.found, Architecture::PerApplication);
    assert!(!d.ok, "one template should move: {:?}", d.applications);
    assert!(rules.is_empty(), "{rules:?}");
    let table: Vec<(String, Architecture, Architecture, bool)> = d
        .applications
        .iter()
        .map(|g| (g.applications.join(","), g.found, g.recommended, g.ok))
        .collect();
    assert_eq!(
        table,
        [
            (
                "session-app".to_string(),
                Architecture::ServerSessions,
                Architecture::ServerSessions,
                true
            ),
            (
                "jwt-api".to_string(),
                Architecture::StatelessJwt,
                Architecture::ServerSessions,
                false
            ),
        ]
    );
    let human = authlint::design::render_human(&d, true);
    assert!(
        human.starts_with(
            "design: 2 independent applications with 2 different designs\n  | applications |"
        ),
        "{human}"
    );
}

#[test]
fn a_lifetime_set_by_a_called_constructor_is_the_tokens_lifetime() {
    let (d, rules) = verdict("lifetime-in-constructor");
    assert_eq!(d.found, Architecture::StatelessJwt);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim == "`create_token` issues an access JWT with a lifetime of 3d"),
        "the lifetime rule computed 3 days: {:?}",
        d.evidence
    );
}

#[test]
fn typescript_bff_with_database_sessions_is_recognised() {
    let (d, _) = verdict("ts-bff");
    assert_eq!(d.found, Architecture::ServerSessions, "{:?}", d.evidence);
    assert!(d.ok, "{:?}", d.why);
    assert!(
        d.evidence
            .iter()
            .any(|e| e.claim.contains("PrismaAdapter") && e.at.ends_with("route.ts:10")),
        "{:?}",
        d.evidence
    );
    assert!(
        d.why
            .iter()
            .any(|w| w.contains("backend for frontend") && w.contains("orders/route.ts:10")),
        "{:?}",
        d.why
    );
}

#[test]
fn authjs_jwt_strategy_is_a_stateless_jwt() {
    let (d, _) = verdict("authjs-jwt");
    assert_eq!(d.found, Architecture::StatelessJwt, "{:?}", d.evidence);
    assert_eq!(d.recommended, Architecture::ServerSessions);
    assert!(!d.ok);
    assert!(
        d.evidence.iter().any(|e| e
            .claim
            .contains("`NextAuth` issues an access JWT with a lifetime of 30d")),
        "{:?}",
        d.evidence
    );
    // A Node app is told Node libraries, not Rust crates.
    assert!(
        d.move_to
            .iter()
            .any(|m| m.contains("Auth.js with a database adapter"))
            && !d.move_to.iter().any(|m| m.contains("tower-sessions")),
        "{:?}",
        d.move_to
    );
}
