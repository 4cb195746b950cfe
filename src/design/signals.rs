//! The first step of the verdict: what one application's facts, findings and project context say,
//! gathered once, and the evidence lines they give (each with where it was seen).
use super::Index;
use super::architecture::Evidence;
use crate::config::Settings;
use crate::config::duration::format_duration;
use crate::facts::{FactKind, PlacedFact, TokenKind};
use crate::finding::{Finding, Report};
use crate::project::{Party, ProjectContext};
use crate::rule::Rule;

/// What the verdict reads for one application.
pub struct Input<'a> {
    pub index: &'a Index<'a>,
    pub findings: Vec<&'a Finding>,
    pub reports: Vec<&'a (String, usize, Report)>,
    pub settings: &'a Settings,
    pub ctx: &'a ProjectContext,
    /// The applications that verify the same tokens as this one (two or more: they share a
    /// login); empty otherwise.
    pub shared_with: Vec<String>,
    /// The identity providers and proxies the project context names for this application
    /// (`ProjectContext::parties`, those mentioned in its folder or shared by all).
    pub parties: Vec<&'a Party>,
}

impl Input<'_> {
    /// Findings and project reports of `rule` in this application.
    pub fn count(&self, rule: Rule) -> usize {
        self.findings.iter().filter(|f| f.rule == rule).count()
            + self
                .reports
                .iter()
                .filter(|(_, _, r)| r.rule == rule)
                .count()
    }
}

/// A party named by the project (identity provider or proxy), with where.
pub struct Named {
    pub name: String,
    pub at: String,
}

pub struct Signals<'a> {
    pub sessions: Vec<&'a PlacedFact>,
    pub cookie_sessions: Vec<&'a PlacedFact>,
    pub access: Vec<&'a PlacedFact>,
    pub refresh_jwt: Vec<&'a PlacedFact>,
    pub opaque_refresh: Vec<&'a PlacedFact>,
    pub opaque_access: Vec<&'a PlacedFact>,
    pub session_ids: Vec<&'a PlacedFact>,
    pub verified: Vec<&'a PlacedFact>,
    pub client_storage: Vec<&'a PlacedFact>,
    /// A server forwards the user's token from its session or a cookie (backend for frontend).
    pub bff: Vec<&'a PlacedFact>,
    pub idps: Vec<Named>,
    pub proxies: Vec<Named>,
    pub denylist: bool,
    pub long_access: Option<&'a PlacedFact>,
    pub stored_refresh: bool,
}

/// The tokens the application's own code issues, by kind.
struct Issued<'a> {
    access: Vec<&'a PlacedFact>,
    refresh_jwt: Vec<&'a PlacedFact>,
    opaque_refresh: Vec<&'a PlacedFact>,
    opaque_access: Vec<&'a PlacedFact>,
}

impl<'a> Signals<'a> {
    pub fn gather(input: &Input<'a>) -> Self {
        let index = input.index;
        let of = |pred: fn(&FactKind) -> bool| index.all(pred);
        let issued = issued(index);
        let not_revocable = input.count(Rule::RefreshTokenNotRevocable) > 0;
        let long_access = issued.access.iter().copied().find(|a| match a.kind {
            FactKind::JwtIssued {
                lifetime_secs: Some(l),
                ..
            } => l > input.settings.access_token_max_ttl,
            _ => false,
        });
        let stored_refresh =
            !issued.opaque_refresh.is_empty() || (!issued.refresh_jwt.is_empty() && !not_revocable);
        let (idps, proxies) = parties(input);
        Signals {
            sessions: sessions(input),
            cookie_sessions: of(|k| matches!(k, FactKind::CookieSession)),
            access: issued.access,
            refresh_jwt: issued.refresh_jwt,
            opaque_refresh: issued.opaque_refresh,
            opaque_access: issued.opaque_access,
            session_ids: session_ids(index),
            verified: of(|k| matches!(k, FactKind::JwtVerified { .. })),
            client_storage: of(|k| matches!(k, FactKind::ClientTokenStorage { .. })),
            bff: of(|k| matches!(k, FactKind::BackendForFrontend)),
            idps,
            proxies,
            denylist: input.count(Rule::JwtDenylistPerRequest) > 0,
            long_access,
            stored_refresh,
        }
    }

    /// The login is made only by TypeScript or JavaScript servers (no Rust web framework, and every
    /// token or session fact comes from a script): the steps name Node libraries.
    pub fn script_only(&self) -> bool {
        let facts = self
            .access
            .iter()
            .chain(&self.refresh_jwt)
            .chain(&self.sessions)
            .chain(&self.cookie_sessions);
        let mut any = false;
        for f in facts {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            if !matches!(
                crate::source::FileKind::classify(name),
                Some(crate::source::FileKind::Script | crate::source::FileKind::Markup)
            ) {
                return false;
            }
            any = true;
        }
        any
    }

    /// JWTs are signed by this application's own code.
    pub fn issues_jwt(&self) -> bool {
        !self.access.is_empty() || !self.refresh_jwt.is_empty()
    }

    pub fn jwt(&self) -> bool {
        self.issues_jwt() || !self.verified.is_empty()
    }

    /// Server-side sessions: a session crate with a store, or a random session id made here.
    pub fn server_sessions(&self) -> bool {
        !self.sessions.is_empty() || !self.session_ids.is_empty()
    }

    /// The evidence lines, in a fixed order.
    pub fn evidence(&self, input: &Input) -> Vec<Evidence> {
        let mut out = Vec::new();
        let mut note = |claim: String, at: String| out.push(Evidence { claim, at });
        let fname = |f: &PlacedFact| f.function.clone().unwrap_or_else(|| "?".into());
        for p in &self.idps {
            note(format!("{} holds the login", p.name), p.at.clone());
        }
        for p in &self.proxies {
            note(format!("login is delegated to {}", p.name), p.at.clone());
        }
        for s in &self.sessions {
            if let FactKind::ServerSession { store } = &s.kind {
                note(format!("server-side sessions in {store}"), s.at());
            }
        }
        for b in &self.bff {
            note(
                format!(
                    "`{}` calls the API with the user's token from the server-side session or cookie: a backend for frontend",
                    fname(b)
                ),
                b.at(),
            );
        }
        for s in &self.session_ids {
            note(format!("`{}` makes a random session id", fname(s)), s.at());
        }
        for s in &self.cookie_sessions {
            note("the whole session is kept in a cookie".into(), s.at());
        }
        for a in &self.access {
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
                note(format!("`{}` issues {what} with {life}", fname(a)), a.at());
            }
        }
        for r in &self.refresh_jwt {
            if let FactKind::JwtIssued { lifetime_secs, .. } = &r.kind {
                let life = lifetime_secs
                    .map_or(String::new(), |l| format!(" living {}", format_duration(l)));
                note(
                    format!("`{}` issues a refresh token that is a JWT{life}", fname(r)),
                    r.at(),
                );
            }
        }
        for r in &self.opaque_refresh {
            note(
                format!("`{}` issues an opaque refresh token", fname(r)),
                r.at(),
            );
        }
        if self.refresh_jwt.is_empty() && self.opaque_refresh.is_empty() {
            for r in &self.opaque_access {
                note(
                    format!(
                        "`{}` issues an opaque token (an API key or session token)",
                        fname(r)
                    ),
                    r.at(),
                );
            }
        }
        for f in input
            .findings
            .iter()
            .filter(|f| f.rule == Rule::TokenInWebStorage || f.rule == Rule::TokenCookieSetByScript)
        {
            note(f.message.clone(), format!("{}:{}", f.path, f.start.line));
        }
        for (path, line, r) in input
            .reports
            .iter()
            .filter(|(_, _, r)| r.rule != Rule::PrivilegeClaimsInToken)
        {
            note(r.message.clone(), format!("{path}:{line}"));
        }
        if let (true, Some(a)) = (self.stored_refresh, self.long_access) {
            note(
                format!(
                    "the access token outlives the {} limit, so the stored refresh token cannot shorten what a stolen access token is worth",
                    format_duration(input.settings.access_token_max_ttl)
                ),
                a.at(),
            );
        }
        if self.jwt()
            && self.idps.is_empty()
            && self.proxies.is_empty()
            && !self.server_sessions()
            && !self.stored_refresh
            && !self.denylist
        {
            note("no server-side store is consulted for tokens: nothing can revoke one before it expires".into(), String::new());
        }
        out
    }
}

/// Server-side sessions. The project's own type named `SessionMiddleware` is not a session
/// crate's: a session without a known store counts only when a session crate is locked or
/// declared (or nothing at all is known about the crates, as in a lone file).
fn sessions<'a>(input: &Input<'a>) -> Vec<&'a PlacedFact> {
    let ctx = input.ctx;
    let crates_known = !ctx.session_crates.is_empty() || ctx.frameworks.is_empty();
    input
        .index
        .all(|k| matches!(k, FactKind::ServerSession { .. }))
        .into_iter()
        .filter(|f| {
            crates_known
                || !matches!(&f.kind, FactKind::ServerSession { store } if store == "a session store")
        })
        .collect()
}

fn issued<'a>(index: &Index<'a>) -> Issued<'a> {
    let jwt = |kind: TokenKind| {
        index.all(move |k| match k {
            FactKind::JwtIssued { token, .. } => {
                *token == kind || (kind == TokenKind::Access && *token == TokenKind::Unknown)
            }
            _ => false,
        })
    };
    let opaque = |kind: TokenKind| {
        index.all(move |k| matches!(k, FactKind::OpaqueTokenIssued { token } if *token == kind))
    };
    Issued {
        access: jwt(TokenKind::Access),
        refresh_jwt: jwt(TokenKind::Refresh),
        opaque_refresh: opaque(TokenKind::Refresh),
        opaque_access: opaque(TokenKind::Access),
    }
}

/// The identity providers and proxies this application names (its facts, and the project
/// context's parties given to it), one line each: its first mention.
fn parties(input: &Input) -> (Vec<Named>, Vec<Named>) {
    let (mut idps, mut proxies) = (Vec::new(), Vec::new());
    let facts = input
        .index
        .all(|k| matches!(k, FactKind::ManagedIdp { .. } | FactKind::AuthProxy { .. }));
    for f in facts {
        match &f.kind {
            FactKind::ManagedIdp { provider } => idps.push(Named {
                name: provider.clone(),
                at: f.at(),
            }),
            FactKind::AuthProxy { proxy } => proxies.push(Named {
                name: proxy.clone(),
                at: f.at(),
            }),
            _ => {}
        }
    }
    for p in &input.parties {
        let named = Named {
            name: p.name.clone(),
            at: p.at.clone(),
        };
        if p.proxy {
            proxies.push(named);
        } else {
            idps.push(named);
        }
    }
    for list in [&mut idps, &mut proxies] {
        let mut seen = std::collections::BTreeSet::new();
        list.retain(|p| seen.insert(p.name.clone()));
    }
    (idps, proxies)
}

/// A random id named session is a session made by hand only where a session table or key is
/// read or written (an LDAP or websocket session id is not a login).
fn session_ids<'a>(index: &Index<'a>) -> Vec<&'a PlacedFact> {
    let session_store = !index
        .all(|k| match k {
            FactKind::StoreLookup { store }
            | FactKind::DenylistLookup { store }
            | FactKind::StoreRevoke { store } => store.to_ascii_lowercase().contains("session"),
            _ => false,
        })
        .is_empty();
    if session_store {
        index.all(|k| matches!(k, FactKind::SessionIdIssued))
    } else {
        Vec::new()
    }
}
