//! Classifies the project's auth architecture from the facts and recommends one from the decision
//! matrix: session cookies by default; the hybrid (short access JWT + opaque, stored, rotated
//! refresh token) where several services or mobile clients need tokens; stateless JWT alone only
//! where a store lookup per request is too costly.
use super::Index;
use crate::config::Settings;
use crate::config::duration::format_duration;
use crate::facts::{FactKind, TokenKind};
use crate::finding::{Finding, Report};
use crate::project::ProjectContext;
use crate::rule::Rule;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    ServerSessions,
    ClientSideSessions,
    StatelessJwt,
    Hybrid,
    JwtWithPerRequestStoreCheck,
    Mixed,
    NoAuthFound,
}

impl Architecture {
    pub fn describe(self) -> &'static str {
        match self {
            Architecture::ServerSessions => "server-side sessions",
            Architecture::ClientSideSessions => "client-side cookie sessions",
            Architecture::StatelessJwt => "stateless JWT",
            Architecture::Hybrid => "hybrid: access JWT + stored refresh token",
            Architecture::JwtWithPerRequestStoreCheck => "JWT + per-request store check",
            Architecture::Mixed => "mixed: sessions and JWTs side by side",
            Architecture::NoAuthFound => "no authentication found",
        }
    }
}

/// One claim of the verdict with where it was seen.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub claim: String,
    /// `path:line`, or empty for claims about absence.
    pub at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Design {
    pub found: Architecture,
    pub found_summary: String,
    pub evidence: Vec<Evidence>,
    pub recommended: Architecture,
    pub why: Vec<String>,
    pub move_to: Vec<String>,
    /// Findings the move resolves, by rule.
    pub resolves: BTreeMap<String, usize>,
    /// True when the project already has the recommended design and no design finding, or has no
    /// authentication to judge (then `recommended` is `NoAuthFound` too: no recommendation).
    pub ok: bool,
}

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

pub fn decide(
    index: &Index,
    findings: &[Finding],
    project_reports: &[(String, usize, Report)],
    settings: &Settings,
    ctx: &ProjectContext,
) -> Design {
    let mut evidence = Vec::new();
    let mut note = |claim: String, at: String| evidence.push(Evidence { claim, at });
    let sessions = index.all(|k| matches!(k, FactKind::ServerSession { .. }));
    let cookie_sessions = index.all(|k| matches!(k, FactKind::CookieSession));
    let access = index.all(|k| {
        matches!(
            k,
            FactKind::JwtIssued {
                token: TokenKind::Access | TokenKind::Unknown,
                ..
            }
        )
    });
    let refresh_jwt = index.all(|k| {
        matches!(
            k,
            FactKind::JwtIssued {
                token: TokenKind::Refresh,
                ..
            }
        )
    });
    let opaque_refresh = index.all(|k| {
        matches!(
            k,
            FactKind::OpaqueTokenIssued {
                token: TokenKind::Refresh
            }
        )
    });
    let verified = index.all(|k| matches!(k, FactKind::JwtVerified { .. }));
    let rule_count = |rule: Rule| {
        findings.iter().filter(|f| f.rule == rule).count()
            + project_reports
                .iter()
                .filter(|(_, _, r)| r.rule == rule)
                .count()
    };
    let denylist = rule_count(Rule::JwtDenylistPerRequest) > 0;
    let not_revocable = rule_count(Rule::RefreshTokenNotRevocable) > 0;

    for s in &sessions {
        if let FactKind::ServerSession { store } = &s.kind {
            note(format!("server-side sessions in {store}"), s.at());
        }
    }
    for s in &cookie_sessions {
        note("the whole session is kept in a cookie".into(), s.at());
    }
    for a in &access {
        if let FactKind::JwtIssued {
            token,
            lifetime_secs,
        } = &a.kind
        {
            let life = lifetime_secs.map_or("an unknown lifetime".to_string(), |l| {
                format!("a lifetime of {}", format_duration(l))
            });
            let what = if *token == TokenKind::Access {
                "an access JWT"
            } else {
                "a JWT"
            };
            note(
                format!(
                    "`{}` issues {what} with {life}",
                    a.function.as_deref().unwrap_or("?")
                ),
                a.at(),
            );
        }
    }
    for r in &refresh_jwt {
        if let FactKind::JwtIssued { lifetime_secs, .. } = &r.kind {
            let life =
                lifetime_secs.map_or(String::new(), |l| format!(" living {}", format_duration(l)));
            note(
                format!(
                    "`{}` issues a refresh token that is a JWT{life}",
                    r.function.as_deref().unwrap_or("?")
                ),
                r.at(),
            );
        }
    }
    for r in &opaque_refresh {
        note(
            format!(
                "`{}` issues an opaque refresh token",
                r.function.as_deref().unwrap_or("?")
            ),
            r.at(),
        );
    }
    for f in findings
        .iter()
        .filter(|f| f.rule == Rule::TokenInWebStorage || f.rule == Rule::TokenCookieSetByScript)
    {
        note(f.message.clone(), format!("{}:{}", f.path, f.start.line));
    }
    for (path, line, r) in project_reports
        .iter()
        .filter(|(_, _, r)| r.rule != Rule::PrivilegeClaimsInToken)
    {
        note(r.message.clone(), format!("{path}:{line}"));
    }

    let jwt = !access.is_empty() || !refresh_jwt.is_empty() || !verified.is_empty();
    let long_access = access.iter().find(|a| match a.kind {
        FactKind::JwtIssued {
            lifetime_secs: Some(l),
            ..
        } => l > settings.access_token_max_ttl,
        _ => false,
    });
    let stored_refresh = !opaque_refresh.is_empty() || (!refresh_jwt.is_empty() && !not_revocable);
    let found = match (jwt, !sessions.is_empty(), !cookie_sessions.is_empty()) {
        (false, false, false) => Architecture::NoAuthFound,
        (false, true, _) => Architecture::ServerSessions,
        (false, false, true) => Architecture::ClientSideSessions,
        (true, true, _) | (true, false, true) => Architecture::Mixed,
        (true, false, false) if denylist => Architecture::JwtWithPerRequestStoreCheck,
        (true, false, false) if stored_refresh => Architecture::Hybrid,
        (true, false, false) => Architecture::StatelessJwt,
    };
    if let (true, Some(a)) = (stored_refresh, long_access) {
        note(
            format!(
                "the access token outlives the {} limit, so the stored refresh token cannot shorten what a stolen access token is worth",
                format_duration(settings.access_token_max_ttl)
            ),
            a.at(),
        );
    }
    if jwt && sessions.is_empty() && !stored_refresh && !denylist {
        note("no server-side store is consulted for tokens: nothing can revoke one before it expires".into(), String::new());
    }

    if found == Architecture::NoAuthFound {
        // A framework, a library, an infrastructure module: nothing to judge, nothing to move to.
        return Design {
            found,
            found_summary: found.describe().to_string(),
            evidence,
            recommended: Architecture::NoAuthFound,
            why: Vec::new(),
            move_to: Vec::new(),
            resolves: BTreeMap::new(),
            ok: true,
        };
    }

    let mut why = Vec::new();
    let token_endpoint = index
        .all(|k| matches!(k, FactKind::TokenEndpoint))
        .into_iter()
        .next();
    let needs_tokens = ctx.services >= 2 || !ctx.mobile.is_empty() || token_endpoint.is_some();
    if let Some(t) = token_endpoint {
        why.push(format!(
            "an OAuth token endpoint serves native or third-party clients ({})",
            t.at()
        ));
    }
    if ctx.services >= 2 {
        why.push(format!(
            "{} services must trust one login ({})",
            ctx.services,
            ctx.service_names.join(", ")
        ));
    }
    for m in &ctx.mobile {
        why.push(format!("a mobile client needs tokens ({m})"));
    }
    let recommended = if needs_tokens {
        Architecture::Hybrid
    } else {
        Architecture::ServerSessions
    };
    if !needs_tokens {
        why.push("one service on one domain with no mobile client: a session cookie is the simplest design that can be revoked at once".into());
    }
    if let Some(c) = index
        .all(|k| matches!(k, FactKind::CorsCredentials))
        .first()
    {
        why.push(format!(
            "the API accepts credentialed cross-origin requests ({}): serve the front end from the same site (a subdomain) so the cookie can stay SameSite=Lax",
            c.at()
        ));
    }
    if ctx.stores.is_empty() {
        why.push("no store crate is locked yet (redis, sqlx, diesel, sea-orm): add one for the session or refresh-token table".into());
    } else {
        why.push(format!("a store is available: {}", ctx.stores.join(", ")));
    }
    let move_to = move_to(recommended, ctx, settings);
    let resolved = if recommended == Architecture::Hybrid {
        RESOLVED_BY_HYBRID
    } else {
        RESOLVED_BY_SESSIONS
    };
    let mut resolves = BTreeMap::new();
    for rule in resolved {
        let n = rule_count(*rule);
        if n > 0 {
            resolves.insert(rule.to_string(), n);
        }
    }
    let ok = found == recommended
        && resolves.is_empty()
        && !(found == Architecture::Hybrid && long_access.is_some());
    let found_summary = found.describe().to_string();
    Design {
        found,
        found_summary,
        evidence,
        recommended,
        why,
        move_to,
        resolves,
        ok,
    }
}

fn move_to(recommended: Architecture, ctx: &ProjectContext, settings: &Settings) -> Vec<String> {
    let redis = ctx
        .stores
        .iter()
        .any(|s| s.contains("redis") || s == "fred");
    let sql = ctx
        .stores
        .iter()
        .any(|s| ["sqlx", "diesel", "sea-orm", "tokio-postgres"].contains(&s.as_str()));
    match recommended {
        Architecture::Hybrid => vec![
            "access JWT of about 5 minutes (`exp = now + 5m`, jsonwebtoken with `Validation::default()`), kept in memory by browser clients".into(),
            format!(
                "opaque refresh token (32 random bytes) stored as a SHA-256 hash in a `refresh_tokens` table{} with user, device and expiry (at most {})",
                if sql { " (your SQL store)" } else { "" },
                format_duration(settings.refresh_token_max_ttl)
            ),
            "rotate the refresh token on every use with reuse detection (a reused token revokes its whole family); delete it on logout, password change and ban".into(),
            "browsers get the refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to the refresh path (`Path=/auth/refresh`); mobile clients keep it in the Keychain/Keystore".into(),
        ],
        _ => {
            let mut v = Vec::new();
            if ctx.frameworks.iter().any(|f| f == "actix-web") {
                v.push(format!(
                    "actix-session with {}: `SessionMiddleware::builder(store, key).cookie_secure(true).cookie_http_only(true).cookie_same_site(SameSite::Lax)`",
                    if redis { "RedisSessionStore" } else { "a server-side store (RedisSessionStore)" }
                ));
            } else {
                let store = if redis {
                    "tower-sessions-redis-store (RedisStore)"
                } else if sql {
                    "tower-sessions-sqlx-store (PostgresStore or SqliteStore)"
                } else {
                    "tower-sessions-redis-store (RedisStore) or tower-sessions-sqlx-store (PostgresStore)"
                };
                v.push(format!("tower-sessions with {store}"));
                v.push("`SessionManagerLayer::new(store).with_secure(true).with_http_only(true).with_same_site(SameSite::Lax).with_expiry(Expiry::OnInactivity(Duration::hours(8)))`".into());
            }
            v.push("the session cookie holds only an opaque id; user and roles are read from the store on each request, so a role change or ban applies at once".into());
            v.push("logout and bans delete the session (`session.flush()` / `session.purge()`); rotate the id at login (`session.cycle_id()`)".into());
            v.push("cookies bring CSRF: keep SameSite=Lax (or Strict) and add CSRF protection (a token or an Origin check) for state-changing requests".into());
            v
        }
    }
}
