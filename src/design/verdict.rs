//! Classifies the project's auth architecture from the facts and recommends one from the decision
//! matrix: session cookies by default; the hybrid (short access JWT + opaque, stored, rotated
//! refresh token) where several services or mobile clients need tokens; stateless JWT alone only
//! where a store lookup per request is too costly.
use super::architecture::{Architecture, Evidence};
use super::signals::{Input, Signals};
use crate::config::Settings;
use crate::config::duration::format_duration;
use crate::project::ProjectContext;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// How sure the verdict is: `high` (tokens or sessions seen issued and checked), `medium`
    /// (one side seen, or only configuration and dependencies), `low` (a single clue).
    pub confidence: &'static str,
    /// The applications (deployable units) the verdict covers, grouped when their verdicts are
    /// identical; one group when the project is one application or its services share a login.
    pub applications: Vec<AppVerdict>,
}

/// One group of applications with the same verdict.
#[derive(Clone, Debug, Serialize)]
pub struct AppVerdict {
    pub applications: Vec<String>,
    pub found: Architecture,
    pub recommended: Architecture,
    pub ok: bool,
    /// The first piece of evidence, `path:line`.
    pub at: String,
}

/// The verdict for the whole project: one per application when its applications are independent
/// (see `super::applications`), else one over all of it.
pub fn decide(input: Input) -> Design {
    let signals = Signals::gather(&input);
    let evidence = signals.evidence(&input);
    let found = classify(&signals);
    let confidence = confidence(&signals, &evidence);
    let (recommended, why, move_to, resolves, ok) = if found == Architecture::NoAuthFound {
        // A framework, a library, an infrastructure module: nothing to judge, nothing to move to.
        let none = Architecture::NoAuthFound;
        (none, Vec::new(), Vec::new(), BTreeMap::new(), true)
    } else {
        let (recommended, why) = super::recommend::recommend(found, &signals, &input);
        let move_to = move_to(
            recommended,
            input.ctx,
            input.settings,
            signals.script_only(),
        );
        let resolves = super::recommend::resolves(recommended, &input);
        let ok = found == recommended
            && resolves.is_empty()
            && !(found == Architecture::Hybrid && signals.long_access.is_some());
        (recommended, why, move_to, resolves, ok)
    };
    Design {
        found,
        found_summary: found.describe().to_string(),
        evidence,
        recommended,
        why,
        move_to,
        resolves,
        ok,
        confidence,
        applications: Vec::new(),
    }
}

/// The architecture the signals show, most specific first: the app's own tokens and sessions,
/// then who else holds the login, then opaque tokens and tokens only the browser holds.
pub fn classify(s: &Signals) -> Architecture {
    // A managed provider holds the login even where the app keeps its tokens in a server-side
    // session (a backend for frontend) or signs short tokens of its own; only a login system of
    // the app's own (its own refresh tokens or deny list) makes it the app's design.
    let own_refresh = !s.refresh_jwt.is_empty() || !s.opaque_refresh.is_empty() || s.denylist;
    if !s.idps.is_empty() && !own_refresh {
        return Architecture::ManagedIdp;
    }
    let own_login = s.issues_jwt() || s.server_sessions() || !s.cookie_sessions.is_empty();
    if !own_login && !s.proxies.is_empty() {
        return Architecture::DelegatedToProxy;
    }
    match (s.jwt(), s.server_sessions(), !s.cookie_sessions.is_empty()) {
        (false, false, false) if !s.opaque_access.is_empty() => Architecture::OpaqueTokens,
        (false, false, false) if !s.client_storage.is_empty() => Architecture::BrowserHeldTokens,
        (false, false, false) => Architecture::NoAuthFound,
        (false, true, _) => Architecture::ServerSessions,
        (false, false, true) => Architecture::ClientSideSessions,
        (true, true, _) | (true, false, true) => Architecture::Mixed,
        (true, false, false) if s.denylist => Architecture::JwtWithPerRequestStoreCheck,
        (true, false, false) if s.stored_refresh => Architecture::Hybrid,
        (true, false, false) => Architecture::StatelessJwt,
    }
}

/// `high` when the login is seen both issued and checked (or held by a party whose config is in
/// the project), `medium` with a few clues, `low` with one.
fn confidence(s: &Signals, evidence: &[Evidence]) -> &'static str {
    let placed = evidence.iter().filter(|e| !e.at.is_empty()).count();
    let both_sides = (s.issues_jwt() && (!s.verified.is_empty() || s.denylist))
        || (s.server_sessions() && placed >= 2);
    if both_sides || placed >= 4 {
        "high"
    } else if placed >= 2 {
        "medium"
    } else {
        "low"
    }
}

/// Server-side sessions in a Node server.
fn node_session_steps() -> Vec<String> {
    vec![
        "express-session or @fastify/session with a server-side store (connect-redis's `RedisStore`, connect-pg-simple); in Next.js or SvelteKit, Auth.js with a database adapter (`adapter: PrismaAdapter(prisma)`, `session: { strategy: \"database\" }`)".into(),
        "the session cookie holds only an opaque id, `{ httpOnly: true, secure: true, sameSite: 'lax' }`; user and roles are read from the store on each request, so a role change or ban applies at once".into(),
        "logout and bans delete the session (`req.session.destroy()`, Auth.js `signOut`); regenerate the id at login (`req.session.regenerate()`)".into(),
        "a single-page app in front of an API: keep the API's tokens in that server-side session (a backend for frontend) and call the API from the server".into(),
        "cookies bring CSRF: keep SameSite=Lax (or Strict) and add CSRF protection (a token or an Origin check) for state-changing requests".into(),
    ]
}

fn move_to(
    recommended: Architecture,
    ctx: &ProjectContext,
    settings: &Settings,
    script_only: bool,
) -> Vec<String> {
    if let Some(steps) = super::recommend::keep_steps(recommended) {
        return steps;
    }
    if script_only && recommended == Architecture::ServerSessions && ctx.frameworks.is_empty() {
        return node_session_steps();
    }
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
