//! The four cross-file rules. Each message's wording lives in one constructor below.
use super::Index;
use crate::config::Settings;
use crate::config::duration::format_duration;
use crate::facts::{FactKind, PlacedFact, TokenKind};
use crate::finding::Report;

pub fn check(index: &Index, settings: &Settings) -> Vec<(String, usize, Report)> {
    let mut out = Vec::new();
    not_revocable(index, &mut out);
    rotation_disabled(index, &mut out);
    denylist_per_request(index, &mut out);
    privilege_claims(index, settings, &mut out);
    out
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

/// Refresh JWTs verified by signature alone, with no store lookup on the refresh path and nothing
/// deleted at logout.
fn not_revocable(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    let issued = index.all(|k| {
        matches!(
            k,
            FactKind::JwtIssued {
                token: TokenKind::Refresh,
                ..
            }
        )
    });
    if issued.is_empty() {
        return;
    }
    let handlers = index.all(|k| matches!(k, FactKind::RefreshHandler));
    let logouts = index.all(|k| matches!(k, FactKind::LogoutHandler));
    let checked = handlers.iter().any(|h| {
        index
            .reach(&h.path, fn_name(h))
            .iter()
            .any(|f| is_lookup(&f.kind))
    });
    let revoked = logouts.iter().any(|l| {
        index
            .reach(&l.path, fn_name(l))
            .iter()
            .any(|f| matches!(f.kind, FactKind::StoreRevoke { .. }))
    });
    if checked || revoked {
        return;
    }
    for site in issued {
        let mut r = Report::new(
            "refresh-token-not-revocable",
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
            r = r.label(
                l.span,
                format!(
                    "`{}` deletes nothing the refresh token depends on",
                    fn_name(l)
                ),
            );
        }
        out.push((site.path.clone(), site.start.line, r));
    }
}

/// A refresh handler that issues a new access token but no new refresh token.
fn rotation_disabled(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    for h in index.all(|k| matches!(k, FactKind::RefreshHandler)) {
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
            ) || matches!(&f.kind, FactKind::Calls { callee } if callee.to_ascii_lowercase().contains("refresh_token") && ["create", "issue", "generate", "new", "make", "sign", "rotate"].iter().any(|p| callee.starts_with(p)))
        });
        if consumes && issues_access && !issues_refresh {
            out.push((
                h.path.clone(),
                h.start.line,
                Report::new(
                    "refresh-token-rotation-disabled",
                    h.span,
                    format!("refresh handler `{}` issues a new access token but keeps the old refresh token valid", fn_name(h)),
                    "rotate on every use: issue a new refresh token with each refresh, invalidate the one just presented, and treat a reused (already rotated) token as theft: revoke the whole token family",
                ),
            ));
        }
    }
}

/// A JWT verified, then looked up in a deny/allow list on every request.
fn denylist_per_request(index: &Index, out: &mut Vec<(String, usize, Report)>) {
    for p in index.all(|k| matches!(k, FactKind::PerRequest)) {
        let reach = index.reach(&p.path, fn_name(p));
        if !reach
            .iter()
            .any(|f| matches!(f.kind, FactKind::JwtVerified { .. }))
        {
            continue;
        }
        for d in reach
            .iter()
            .filter(|f| matches!(f.kind, FactKind::DenylistLookup { .. }))
        {
            let FactKind::DenylistLookup { store } = &d.kind else {
                continue;
            };
            let mut r = Report::new(
                "jwt-denylist-per-request",
                d.span,
                format!(
                    "every request verifies a JWT and then asks the {store} deny list whether it was revoked: a server-side session with extra parts"
                ),
                "an opaque session id in an HttpOnly cookie does the same single lookup per request and removes the signing keys, key rotation, exp/refresh handling and the deny list itself (tower-sessions with RedisStore or PostgresStore)",
            );
            if d.path == p.path && d.span != p.span {
                r = r.label(p.span, format!("`{}` runs on every request", fn_name(p)));
            }
            out.push((d.path.clone(), d.start.line, r));
        }
    }
}

/// Role claims deciding access while the access token outlives the limit, without a reload.
fn privilege_claims(index: &Index, settings: &Settings, out: &mut Vec<(String, usize, Report)>) {
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
        if in_front_end_crate(&check.path) {
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
            "privilege-claims-in-token",
            check.span,
            format!(
                "the `{claim}` claim decides access, but the token carrying it lives {life}: a demoted admin keeps the role until it expires"
            ),
            format!(
                "reload the user's roles from the database in this check (one indexed query), or keep access tokens to {} or less so a role change takes effect that fast",
                format_duration(settings.access_token_max_ttl)
            ),
        );
        if site.path == check.path {
            r = r.label(site.span, format!("issued here, living {life}"));
        }
        out.push((check.path.clone(), check.start.line, r));
    }
}

/// Whether the nearest Cargo.toml above `path` is a browser front end (yew, leptos, dioxus,
/// sycamore, web-sys): claims read there only shape the UI.
fn in_front_end_crate(path: &str) -> bool {
    let mut dir = std::path::Path::new(path).parent();
    while let Some(d) = dir {
        if let Some(text) = crate::reader::project_file(&d.join("Cargo.toml")) {
            return ["yew", "leptos", "dioxus", "sycamore", "web-sys", "gloo"]
                .iter()
                .any(|c| {
                    text.lines()
                        .any(|l| l.trim_start().starts_with(c) && l.contains('='))
                });
        }
        dir = d.parent();
    }
    false
}
