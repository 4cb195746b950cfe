//! The second step of the verdict: which design the application should have, why, and which
//! findings the move resolves. The decision matrix: a login held by an identity provider or a
//! proxy stays there (judged by its settings); clients that hold tokens outside a browser
//! (services sharing a login, mobile, desktop, IDE and command-line clients, an OAuth token
//! endpoint) need the hybrid; opaque stored tokens without a browser holding them are already
//! revocable; everything else moves to server-side sessions.
use super::architecture::Architecture;
use super::signals::{Input, Signals};
use crate::facts::FactKind;
use crate::rule::Rule;
use std::collections::BTreeMap;

/// Rules whose findings disappear with the move to each recommended design.
const RESOLVED_BY_SESSIONS: &[Rule] = &[
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
    Rule::AccessTokenTtlTooLong,
    Rule::RefreshTokenTtlTooLong,
    Rule::TokenWithoutExpiry,
    Rule::RefreshTokenNotRevocable,
    Rule::RefreshTokenRotationDisabled,
    Rule::JwtDenylistPerRequest,
    Rule::PrivilegeClaimsInToken,
    Rule::ClientSideSessionStore,
];
const RESOLVED_BY_HYBRID: &[Rule] = &[
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
    Rule::AccessTokenTtlTooLong,
    Rule::TokenWithoutExpiry,
    Rule::RefreshTokenNotRevocable,
    Rule::RefreshTokenRotationDisabled,
    Rule::JwtDenylistPerRequest,
    Rule::PrivilegeClaimsInToken,
    Rule::ClientSideSessionStore,
];
/// With a managed identity provider, its settings and the client's handling of its tokens.
const RESOLVED_BY_PROVIDER: &[Rule] = &[
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
    Rule::AccessTokenTtlTooLong,
    Rule::RefreshTokenTtlTooLong,
    Rule::RefreshTokenRotationDisabled,
    Rule::RefreshTokenNotRevocable,
    Rule::JwtSignatureNotVerified,
];
/// Behind a proxy, the app must verify what the proxy forwards.
const RESOLVED_BY_PROXY: &[Rule] = &[
    Rule::JwtSignatureNotVerified,
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
];
/// Opaque stored tokens: kept out of web storage, given an expiry.
const RESOLVED_BY_OPAQUE: &[Rule] = &[
    Rule::TokenInWebStorage,
    Rule::TokenCookieSetByScript,
    Rule::TokenWithoutExpiry,
];

/// The recommended design and the reasons, in a fixed order.
pub fn recommend(found: Architecture, s: &Signals, input: &Input) -> (Architecture, Vec<String>) {
    let mut why = Vec::new();
    let names = |v: &[super::signals::Named]| {
        let mut n: Vec<&str> = v.iter().map(|p| p.name.as_str()).collect();
        n.sort_unstable();
        n.dedup();
        n.join(", ")
    };
    match found {
        Architecture::ManagedIdp => {
            why.push(format!(
                "a managed identity provider ({}) issues, expires and revokes the tokens: keep it and judge its settings",
                names(&s.idps)
            ));
            return (Architecture::ManagedIdp, why);
        }
        Architecture::DelegatedToProxy => {
            why.push(format!(
                "a proxy ({}) logs users in: keep it, and make the app verify what the proxy forwards",
                names(&s.proxies)
            ));
            return (Architecture::DelegatedToProxy, why);
        }
        _ => {}
    }
    let ctx = input.ctx;
    let (others_trust, clients) = token_holders(input, &mut why);
    // Opaque tokens in a store already serve clients outside a browser: each is revocable at once
    // and looked up on every request. Only other services trusting this login call for JWTs.
    let opaque_kept = found == Architecture::OpaqueTokens && s.client_storage.is_empty();
    let recommended = if others_trust || (clients && !opaque_kept) {
        Architecture::Hybrid
    } else if opaque_kept {
        why.push("opaque tokens in a store are revocable at once by deleting the row, and no browser holds them".into());
        Architecture::OpaqueTokens
    } else {
        why.push("one service on one domain with no mobile, desktop or command-line client: a session cookie is the simplest design that can be revoked at once".into());
        Architecture::ServerSessions
    };
    if let (Some(b), true) = (s.bff.first(), s.client_storage.is_empty()) {
        why.push(format!(
            "a backend for frontend ({}) keeps the tokens on the server and gives the browser an HttpOnly session cookie: the recommended shape for a single-page app in front of an API; keep it, and keep tokens out of the browser",
            b.at()
        ));
    }
    if let Some(c) = input
        .index
        .all(|k| matches!(k, FactKind::CorsCredentials))
        .first()
    {
        why.push(format!(
            "the API accepts credentialed cross-origin requests ({}): serve the front end from the same site (a subdomain) so the cookie can stay SameSite=Lax",
            c.at()
        ));
    }
    if ctx.stores.is_empty() {
        // Store crates are read from Cargo files; a Node server's are not read yet.
        if !s.script_only() {
            why.push("no store crate is locked or declared yet (redis, sqlx, diesel, sea-orm): add one for the session or refresh-token table".into());
        }
    } else {
        why.push(format!("a store is available: {}", ctx.stores.join(", ")));
    }
    (recommended, why)
}

/// Who holds this login's tokens besides a browser, with the reasons: other services (an OAuth
/// token endpoint, a token validation endpoint, services verifying the same tokens), then mobile,
/// desktop, IDE and command-line clients. Returns (other services, clients).
fn token_holders(input: &Input, why: &mut Vec<String>) -> (bool, bool) {
    let first = |pred: fn(&FactKind) -> bool| input.index.all(pred).into_iter().next();
    let token_endpoint = first(|k| matches!(k, FactKind::TokenEndpoint));
    if let Some(t) = token_endpoint {
        why.push(format!(
            "an OAuth token endpoint serves native or third-party clients ({})",
            t.at()
        ));
    }
    let introspection = first(|k| matches!(k, FactKind::TokenIntrospection));
    if let Some(t) = introspection {
        why.push(format!(
            "other services send their users' tokens to a validation endpoint here, so they trust this login ({})",
            t.at()
        ));
    }
    if input.shared_with.len() >= 2 {
        why.push(format!(
            "{} services verify the same tokens ({})",
            input.shared_with.len(),
            input.shared_with.join(", ")
        ));
    }
    let ctx = input.ctx;
    for m in &ctx.mobile {
        why.push(format!("a mobile client needs tokens ({m})"));
    }
    for c in &ctx.clients {
        why.push(format!("{c} calls the API with bearer tokens"));
    }
    let others =
        token_endpoint.is_some() || introspection.is_some() || input.shared_with.len() >= 2;
    (others, !ctx.mobile.is_empty() || !ctx.clients.is_empty())
}

/// The findings, by rule, that the move to `recommended` resolves.
pub fn resolves(recommended: Architecture, input: &Input) -> BTreeMap<String, usize> {
    let rules = match recommended {
        Architecture::Hybrid => RESOLVED_BY_HYBRID,
        Architecture::ManagedIdp => RESOLVED_BY_PROVIDER,
        Architecture::DelegatedToProxy => RESOLVED_BY_PROXY,
        Architecture::OpaqueTokens => RESOLVED_BY_OPAQUE,
        _ => RESOLVED_BY_SESSIONS,
    };
    rules
        .iter()
        .map(|r| (r.to_string(), input.count(*r)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The steps for the designs that keep someone else's login or opaque tokens.
pub fn keep_steps(recommended: Architecture) -> Option<Vec<String>> {
    match recommended {
        Architecture::ManagedIdp => Some(vec![
            "keep the provider's tokens out of web storage: use its server-side helper (`@supabase/ssr`, `@auth0/nextjs-auth0`) so the session lives in HttpOnly, Secure, SameSite cookies".into(),
            "in the provider's settings: access tokens of 5 to 15 minutes, refresh-token rotation with reuse detection, sessions that end".into(),
            "verify the provider's JWTs on the server against its JWKS (signature, `iss`, `aud`, `exp`); never decode one without verifying".into(),
        ]),
        Architecture::DelegatedToProxy => Some(vec![
            "verify the forwarded JWT (signature against the identity provider's JWKS, `iss`, `aud`, `exp`) instead of decoding it".into(),
            "or trust the proxy's identity headers only on a network the proxy alone can reach, and strip them from outside requests".into(),
            "keep the proxy's cookie HttpOnly, Secure and SameSite=Lax, with a short session".into(),
        ]),
        Architecture::OpaqueTokens => Some(vec![
            "store only a SHA-256 hash of each token, with its owner, scope and expiry; look it up on every request".into(),
            "give every token an expiry and a way to revoke it (logout, key rotation, a revoke button)".into(),
            "never keep a token in web storage: a browser gets a session cookie instead".into(),
        ]),
        _ => None,
    }
}
