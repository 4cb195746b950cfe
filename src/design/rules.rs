//! The four cross-file rules. Each message's wording lives in one constructor below.
use super::{CALL_DEPTH, FnId, Index};
use crate::config::Settings;
use crate::config::duration::format_duration;
use crate::facts::{FactKind, PlacedFact, TokenKind};
use crate::finding::Report;
use crate::project::ProjectContext;
use crate::rule::Rule;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(
    index: &Index,
    settings: &Settings,
    context: &ProjectContext,
) -> Vec<(String, usize, Report)> {
    let mut out = Vec::new();
    not_revocable(index, &mut out);
    rotation_disabled(index, &mut out);
    denylist_per_request(index, &mut out);
    privilege_claims(index, settings, &context.cwd, &mut out);
    lifetime_args(index, settings, &mut out);
    out
}

/// A lifetime computed by the caller and passed to a signing helper in another file that puts
/// it into the token's `exp` (`sign_jwt(id, &secret, Utc::now() + Duration::minutes(60))`): the
/// finding is on the caller's value, where the lifetime is written. Calls within one file are
/// judged by the file's own lifetime rule.
fn lifetime_args(index: &Index, settings: &Settings, out: &mut Vec<(String, usize, Report)>) {
    let mut seen = BTreeSet::new();
    for a in index.all(|k| matches!(k, FactKind::LifetimeArg { .. })) {
        let FactKind::LifetimeArg {
            callee,
            param,
            lifetime_secs,
            used,
        } = &a.kind
        else {
            continue;
        };
        let Some(caller) = a.function.as_deref() else {
            continue;
        };
        let targets = index.resolve(&a.path, caller, callee);
        // A callee of the caller's own file is judged by that file's lifetime rule.
        if targets.iter().any(|(path, _)| *path == a.path) {
            continue;
        }
        for (path, name) in targets {
            for e in index.own(path, name) {
                let FactKind::ExpiryFromParam { param: p, token } = e.kind else {
                    continue;
                };
                if p != *param {
                    continue;
                }
                let Some((rule, limit)) = ttl_limit(token, settings) else {
                    continue;
                };
                if *lifetime_secs <= limit || !seen.insert((a.path.clone(), a.start.line, rule)) {
                    continue;
                }
                let mut r = passed_lifetime(
                    rule,
                    a,
                    token,
                    name,
                    path,
                    e.start.line,
                    *lifetime_secs,
                    limit,
                );
                if let Some(used) = used {
                    r = r.label(*used, format!("passed to `{name}` here"));
                }
                e.relate(
                    a,
                    &mut r,
                    format!("`{name}` puts it into the token's `exp` here"),
                );
                out.push((a.path.clone(), a.start.line, r));
            }
        }
    }
}

/// The lifetime rule of a token of this kind and its configured limit (access and refresh
/// tokens only).
pub(super) fn ttl_limit(token: TokenKind, settings: &Settings) -> Option<(Rule, u64)> {
    match token {
        TokenKind::Access => Some((Rule::AccessTokenTtlTooLong, settings.access_token_max_ttl)),
        TokenKind::Refresh => Some((Rule::RefreshTokenTtlTooLong, settings.refresh_token_max_ttl)),
        _ => None,
    }
}

/// How a message names a token of this kind.
pub(super) fn token_noun(token: TokenKind) -> &'static str {
    if token == TokenKind::Refresh {
        "refresh token"
    } else {
        "access token"
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn passed_lifetime(
    rule: Rule,
    at: &PlacedFact,
    token: TokenKind,
    callee: &str,
    callee_path: &str,
    callee_line: usize,
    ttl: u64,
    limit: u64,
) -> Report {
    let noun = token_noun(token);
    let help = if token == TokenKind::Refresh {
        format!(
            "give refresh tokens at most {}, rotate them on every use and keep them in a server-side store so they can be revoked",
            format_duration(limit)
        )
    } else {
        format!(
            "issue a short access token (at most {}) and renew it with a revocable refresh token; if this lifetime is deliberate, raise `access_token_max_ttl` in authlint.toml",
            format_duration(limit)
        )
    };
    Report::new(
        rule,
        at.span,
        format!(
            "{noun} signed by `{callee}` ({callee_path}:{callee_line}) lives {}; limit is {}",
            format_duration(ttl),
            format_duration(limit)
        ),
        help,
    )
}

fn is_lookup(k: &FactKind) -> bool {
    matches!(
        k,
        FactKind::StoreLookup { .. } | FactKind::DenylistLookup { .. }
    )
}

fn fn_name(f: &PlacedFact) -> &str {
    f.function.as_deref().unwrap_or("?")
}

/// Whether a function is a refresh or logout handler (by the facts recorded on it).
fn refresh_or_logout(index: &Index, (path, name): FnId) -> bool {
    name.to_ascii_lowercase().contains("refresh")
        || index
            .own(path, name)
            .iter()
            .any(|f| matches!(f.kind, FactKind::RefreshHandler | FactKind::LogoutHandler))
}

/// The refresh paths: handlers named like one, and per-request functions (middleware,
/// extractors) that issue a new token themselves, as a middleware that refreshes an expired
/// access token does.
fn refresh_paths<'a>(index: &Index<'a>) -> Vec<&'a PlacedFact> {
    let mut out = index.all(|k| matches!(k, FactKind::RefreshHandler));
    for p in index.all(|k| matches!(k, FactKind::PerRequest)) {
        let issues = index
            .own(&p.path, fn_name(p))
            .iter()
            .any(|f| matches!(f.kind, FactKind::JwtIssued { .. }));
        if issues
            && !out
                .iter()
                .any(|h| h.path == p.path && fn_name(h) == fn_name(p))
        {
            out.push(p);
        }
    }
    out
}

/// Refresh JWTs verified by signature alone: the refresh path (the handler and what it calls)
/// looks neither the token, its `jti` nor its family up in a store. A logout that deletes
/// something does not make them revocable unless the refresh path consults it. Only Rust code is
/// judged: the script analyzer does not see token stores (Prisma, Redis) yet, so a refresh JWT
/// a TypeScript server issues is evidence for the verdict, never this finding.
fn not_revocable(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    let mut issued = index.all(|k| {
        matches!(
            k,
            FactKind::JwtIssued {
                token: TokenKind::Refresh,
                ..
            }
        )
    });
    issued.retain(|f| {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        !matches!(
            crate::source::FileKind::classify(name),
            Some(crate::source::FileKind::Script | crate::source::FileKind::Markup)
        )
    });
    if issued.is_empty() {
        return;
    }
    let handlers = refresh_paths(index);
    let logouts = index.all(|k| matches!(k, FactKind::LogoutHandler));
    let checked = handlers.iter().any(|h| {
        index
            .closure((&h.path, fn_name(h)), CALL_DEPTH - 1)
            .keys()
            .any(|&(p, n)| {
                index
                    .own(p, n)
                    .iter()
                    .any(|f| matches!(f.kind, FactKind::DenylistLookup { .. }))
            })
    });
    if checked {
        return;
    }
    for site in issued {
        let mut r = Report::new(
            Rule::RefreshTokenNotRevocable,
            site.span,
            format!(
                "refresh token issued in `{}` is a JWT accepted on its signature alone: logout, a password change or a ban cannot revoke it",
                fn_name(site)
            ),
            "keep refresh tokens server-side: issue an opaque random token, store its SHA-256 hash in a `refresh_tokens` table (user, device, expiry), look it up on refresh and delete it on logout; or bind the refresh JWT's `jti` to such a row",
        );
        for h in handlers.iter().filter(|h| h.path == site.path) {
            r = r.label(
                h.span,
                format!("`{}` accepts it without asking a store", fn_name(h)),
            );
        }
        for l in logouts.iter().filter(|l| l.path == site.path) {
            let deleted =
                index
                    .reach(&l.path, fn_name(l))
                    .into_iter()
                    .find_map(|f| match &f.kind {
                        FactKind::StoreRevoke { store } => Some(store.clone()),
                        _ => None,
                    });
            let label = match deleted {
                Some(store) => format!(
                    "`{}` deletes from {store}, which the refresh path never consults",
                    fn_name(l)
                ),
                None => format!(
                    "`{}` deletes nothing the refresh token depends on",
                    fn_name(l)
                ),
            };
            r = r.label(l.span, label);
        }
        out.push((site.path.clone(), site.start.line, r));
    }
}

/// A refresh path that issues a new access token but neither a new refresh token nor a store
/// write that invalidates the one presented (`save_expired_token(&db, &token)` is rotation).
fn rotation_disabled(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    for h in refresh_paths(index) {
        let reach = index.reach(&h.path, fn_name(h));
        let consumes = reach
            .iter()
            .any(|f| matches!(f.kind, FactKind::JwtVerified { .. }) || is_lookup(&f.kind));
        let issues_access = reach.iter().any(|f| {
            matches!(
                f.kind,
                FactKind::JwtIssued {
                    token: TokenKind::Access | TokenKind::Unknown,
                    ..
                }
            ) && f
                .function
                .as_deref()
                .is_some_and(|n| !n.to_ascii_lowercase().contains("refresh") || n == fn_name(h))
        });
        let issues_refresh = reach.iter().any(|f| {
            matches!(
                f.kind,
                FactKind::JwtIssued { token: TokenKind::Refresh, .. } | FactKind::OpaqueTokenIssued { token: TokenKind::Refresh }
            ) || matches!(&f.kind, FactKind::Calls { callee } if { let bare = callee.rsplit("::").next().unwrap_or(callee); bare.to_ascii_lowercase().contains("refresh_token") && ["create", "issue", "generate", "new", "make", "sign", "rotate"].iter().any(|p| bare.starts_with(p)) })
        });
        let invalidates_old = reach.iter().any(|f| {
            matches!(f.kind, FactKind::StoreRevoke { .. })
                || matches!(&f.kind, FactKind::Calls { callee } if invalidates(callee))
        });
        if consumes && issues_access && !issues_refresh && !invalidates_old {
            out.push((
                h.path.clone(),
                h.start.line,
                Report::new(
                    Rule::RefreshTokenRotationDisabled,
                    h.span,
                    format!("refresh handler `{}` issues a new access token but keeps the old refresh token valid", fn_name(h)),
                    "rotate on every use: issue a new refresh token with each refresh, invalidate the one just presented, and treat a reused (already rotated) token as theft: revoke the whole token family",
                ),
            ));
        }
    }
}

/// A call that marks a token used up: `save_expired_token`, `revoke_token`, `blacklist_jti`.
fn invalidates(callee: &str) -> bool {
    let bare = callee
        .rsplit("::")
        .next()
        .unwrap_or(callee)
        .to_ascii_lowercase();
    ["expire", "revoke", "blacklist", "denylist", "invalidate"]
        .iter()
        .any(|w| bare.contains(w))
        && (bare.contains("token") || bare.contains("jti") || bare.contains("session"))
}

/// A JWT verified, then looked up in a store of tokens on every request: in a per-request function
/// (middleware, extractor, bearer handler) or in what it calls, `CALL_DEPTH` deep. The finding is
/// on the lookup, or on the call that leads to it from the function that verifies.
fn denylist_per_request(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    let mut per_request: BTreeMap<FnId, &PlacedFact> = BTreeMap::new();
    for p in index.all(|k| matches!(k, FactKind::PerRequest)) {
        let Some(name) = p.function.as_deref() else {
            continue;
        };
        if refresh_or_logout(index, (&p.path, name)) {
            continue;
        }
        for id in index.closure((&p.path, name), CALL_DEPTH).into_keys() {
            per_request.entry(id).or_insert(p);
        }
    }
    let verifies = |f: &PlacedFact| matches!(f.kind, FactKind::JwtVerified { token } if token != TokenKind::Refresh);
    let lookups = |id: FnId| -> Vec<&PlacedFact> {
        index
            .own(id.0, id.1)
            .into_iter()
            .filter(|f| matches!(f.kind, FactKind::DenylistLookup { .. }))
            .collect()
    };
    // A function that verifies and looks up on its own reports itself; its callers do not.
    let reports_itself =
        |id: FnId| !lookups(id).is_empty() && index.reach(id.0, id.1).into_iter().any(verifies);
    let mut seen = BTreeSet::new();
    for (&id, root) in &per_request {
        if refresh_or_logout(index, id) || !index.reach(id.0, id.1).into_iter().any(verifies) {
            continue;
        }
        let mut found: Vec<(&PlacedFact, String, Option<&str>)> = lookups(id)
            .into_iter()
            .filter_map(|d| match &d.kind {
                FactKind::DenylistLookup { store } => Some((d, store.clone(), None)),
                _ => None,
            })
            .collect();
        if index.own(id.0, id.1).into_iter().any(verifies) {
            for c in index.own(id.0, id.1) {
                let FactKind::Calls { callee } = &c.kind else {
                    continue;
                };
                for target in index.resolve(id.0, id.1, callee) {
                    if reports_itself(target) {
                        continue;
                    }
                    if let Some(FactKind::DenylistLookup { store }) =
                        lookups(target).first().map(|d| &d.kind)
                    {
                        found.push((c, store.clone(), Some(callee.as_str())));
                    }
                }
            }
        }
        for (site, store, via) in found {
            if !seen.insert((site.path.clone(), site.start.line)) {
                continue;
            }
            out.push((
                site.path.clone(),
                site.start.line,
                denylist_report(site, &store, via, root),
            ));
        }
    }
}

fn denylist_report(site: &PlacedFact, store: &str, via: Option<&str>, root: &PlacedFact) -> Report {
    let via = via.map_or(String::new(), |c| format!(" (through `{c}`)"));
    let mut r = Report::new(
        Rule::JwtDenylistPerRequest,
        site.span,
        format!(
            "every request verifies a JWT and then looks it up in {store}{via}: a server-side session with extra parts"
        ),
        "an opaque session id in an HttpOnly cookie does the same single lookup per request and removes the signing keys, key rotation, exp/refresh handling and the deny list itself (tower-sessions with RedisStore or PostgresStore)",
    );
    if root.path == site.path && root.span != site.span {
        r = r.label(
            root.span,
            format!("`{}` runs on every request", fn_name(root)),
        );
    } else if root.path != site.path {
        r = r.label(
            site.span,
            format!(
                "reached on every request from `{}` ({})",
                fn_name(root),
                root.at()
            ),
        );
    }
    r
}

/// Role claims deciding access while the access token outlives the limit, without a reload.
fn privilege_claims(
    index: &Index,
    settings: &Settings,
    cwd: &std::path::Path,
    out: &mut Vec<(String, usize, Report)>,
) {
    let longest = index
        .all(|k| {
            matches!(
                k,
                FactKind::JwtIssued {
                    token: TokenKind::Access | TokenKind::Unknown,
                    lifetime_secs: Some(_)
                }
            )
        })
        .into_iter()
        .filter_map(|f| match f.kind {
            FactKind::JwtIssued {
                lifetime_secs: Some(l),
                ..
            } => Some((l, f)),
            _ => None,
        })
        .max_by_key(|(l, _)| *l);
    let Some((lifetime, site)) = longest else {
        return;
    };
    if lifetime <= settings.access_token_max_ttl {
        return;
    }
    for check in index.all(|k| matches!(k, FactKind::RoleClaimCheck { .. })) {
        let FactKind::RoleClaimCheck { claim } = &check.kind else {
            continue;
        };
        if in_front_end_crate(&cwd.join(&check.path)) {
            // A WASM front end reads claims to shape its UI; the server decides access.
            continue;
        }
        let reloads = check.function.as_deref().is_some_and(|f| {
            index
                .reach(&check.path, f)
                .iter()
                .any(|x| matches!(x.kind, FactKind::StoreLookup { .. }))
        });
        if reloads {
            continue;
        }
        let life = format_duration(lifetime);
        let mut r = Report::new(
            Rule::PrivilegeClaimsInToken,
            check.span,
            format!(
                "the `{claim}` claim decides access, but the token carrying it lives {life}: a demoted admin keeps the role until it expires"
            ),
            format!(
                "reload the user's roles from the database in this check (one indexed query), or keep access tokens to {} or less so a role change takes effect that fast",
                format_duration(settings.access_token_max_ttl)
            ),
        );
        site.relate(check, &mut r, format!("issued here, living {life}"));
        out.push((check.path.clone(), check.start.line, r));
    }
}

/// Whether `file` belongs to a browser front end: the nearest Cargo.toml above it (not past the
/// project's root) ships yew, leptos, dioxus, sycamore, web-sys or gloo. Claims read there only
/// shape the UI.
fn in_front_end_crate(file: &std::path::Path) -> bool {
    crate::manifest::candidates(file)
        .find_map(|dir| crate::manifest::read(&dir.join("Cargo.toml")))
        .is_some_and(|text| {
            crate::manifest::ships_any(
                &text,
                &["yew", "leptos", "dioxus", "sycamore", "web-sys", "gloo"],
            )
        })
}

/// Inline cases (`crate::rule::cases`): what this rule reports, and its safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::PrivilegeClaimsInToken,
            file: "src/auth.rs",
            prelude: r#"use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};
use chrono::{Duration, Utc};
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Claims { pub sub: String, pub role: String, pub exp: i64, pub jti: String }"#,
            fail: &[
                r#"pub fn create_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, role: "user".into(), jti: String::new(), exp: (Utc::now() + Duration::hours(12)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }
pub fn require_admin(claims: &Claims) -> Result<(), u16> { if claims.role != "admin" { return Err(403); } Ok(()) }"#,
            ],
            pass: &[
                r#"pub fn create_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, role: "user".into(), jti: String::new(), exp: (Utc::now() + Duration::minutes(5)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }
pub fn require_admin(claims: &Claims) -> Result<(), u16> { if claims.role != "admin" { return Err(403); } Ok(()) }"#,
            ],
        },
        Cases {
            rule: Rule::RefreshTokenNotRevocable,
            file: "src/auth.rs",
            prelude: r#"use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};
use chrono::{Duration, Utc};
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Claims { pub sub: String, pub role: String, pub exp: i64, pub jti: String }"#,
            fail: &[
                r#"pub fn create_access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, role: "user".into(), jti: String::new(), exp: (Utc::now() + Duration::minutes(10)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }
pub fn create_refresh_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, role: "user".into(), jti: String::new(), exp: (Utc::now() + Duration::days(14)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }
pub fn refresh(t: &str, k: &EncodingKey) -> (String, String) { let d = decode::<Claims>(t, &DecodingKey::from_secret(b""), &Validation::default()).unwrap(); (create_access_token(d.claims.sub.clone(), k), create_refresh_token(d.claims.sub, k)) }"#,
            ],
            pass: &[
                r#"pub fn create_access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, role: "user".into(), jti: String::new(), exp: (Utc::now() + Duration::minutes(10)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
        },
        Cases {
            rule: Rule::JwtDenylistPerRequest,
            file: "src/auth.rs",
            prelude: r#"use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};
use chrono::{Duration, Utc};
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Claims { pub sub: String, pub role: String, pub exp: i64, pub jti: String }
use redis::AsyncCommands;
use axum::{extract::Request, middleware::Next, response::Response};"#,
            fail: &[
                r#"pub async fn auth_middleware(req: Request, next: Next) -> Response { let t = req.headers()["authorization"].to_str().unwrap(); let d = decode::<Claims>(t, &DecodingKey::from_secret(b""), &Validation::default()).unwrap(); let mut c = redis::Client::open("redis://r/").unwrap().get_multiplexed_async_connection().await.unwrap(); let revoked: bool = c.sismember("revoked_jtis", &d.claims.jti).await.unwrap(); assert!(!revoked); next.run(req).await }"#,
            ],
            pass: &[
                r#"pub async fn auth_middleware(req: Request, next: Next) -> Response { let t = req.headers()["authorization"].to_str().unwrap(); decode::<Claims>(t, &DecodingKey::from_secret(b""), &Validation::default()).unwrap(); next.run(req).await }"#,
            ],
        },
    ];
}
