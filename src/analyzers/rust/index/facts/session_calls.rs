//! The facts collector's session and random-token constructors: session middleware with its
//! store, cookie sessions, hand-made session ids and opaque tokens.
use super::Collector;
use crate::analyzers::rust::index::names::{TOKEN_STORAGE_TYPES, is_randomness, text};
use crate::facts::{FactKind, TokenKind};

impl Collector<'_, '_> {
    /// Records the fact a session or random-token call makes; `false` when the call is none.
    pub(super) fn session_call(&mut self, name: &str, full: &str, c: &syn::ExprCall) -> bool {
        match name {
            "new" | "builder"
                if full.ends_with("SessionManagerLayer::new")
                    || full.ends_with("SessionMiddleware::new")
                    || full.ends_with("SessionMiddleware::builder") =>
            {
                let mut store = c.args.first().map(text).unwrap_or_default();
                if let Some(bound) = self
                    .fns
                    .last()
                    .and_then(|f| f.let_text.get(store.trim_start_matches('&').trim()))
                {
                    store = bound.clone();
                }
                if store.contains("CookieSessionStore") {
                    self.fact(FactKind::CookieSession, c);
                } else {
                    let kind = TOKEN_STORAGE_TYPES
                        .iter()
                        .find(|t| store.contains(*t))
                        .map_or("a session store", |t| t);
                    self.fact(
                        FactKind::ServerSession {
                            store: kind.to_string(),
                        },
                        c,
                    );
                }
            }
            // axum_session's `SessionStore::<SessionPgPool>::new(pool, config)` and
            // `SessionLayer::new(store)`; axum-sessions' `SessionLayer::new(store, secret)`
            "new" if full.ends_with("SessionLayer::new") || full.contains("SessionStore::<") => {
                let store = self.store_text(c, full);
                if store.contains("CookieStore") {
                    self.fact(FactKind::CookieSession, c);
                } else {
                    let store = session_pool(&store)
                        .unwrap_or("a session store")
                        .to_string();
                    self.fact(FactKind::ServerSession { store }, c);
                }
            }
            "new"
                if full.ends_with("CookieSession::new")
                    || full.ends_with("CookieIdentityPolicy::new") =>
            {
                self.fact(FactKind::CookieSession, c)
            }
            "new" if full.ends_with("ServerSession::new") => self.fact(
                FactKind::ServerSession {
                    store: "a session store".into(),
                },
                c,
            ),
            _ if is_randomness(name, full) && self.names_session_id() => {
                self.fact(FactKind::SessionIdIssued, c)
            }
            _ if is_randomness(name, full) => {
                let token = self.kind_here(&self.let_name.clone().into_iter().collect::<Vec<_>>());
                if token != TokenKind::Unknown && token != TokenKind::SinglePurpose {
                    self.fact(FactKind::OpaqueTokenIssued { token }, c);
                }
            }
            _ => return false,
        }
        true
    }

    /// What a session constructor is given, seen through a `let` of this function, with its
    /// turbofish (`SessionStore::<SessionPgPool>::new`).
    fn store_text(&self, c: &syn::ExprCall, full: &str) -> String {
        let arg = c.args.first().map(text).unwrap_or_default();
        let bound = self
            .fns
            .last()
            .and_then(|f| f.let_text.get(arg.trim_start_matches('&').trim()));
        format!("{full} {}", bound.unwrap_or(&arg))
    }

    /// axum_session_auth's `AuthSession<User, i64, SessionSqlitePool, SqlitePool>`: the login is
    /// kept in a server-side session in that pool (recorded once per file).
    pub(super) fn auth_session_type(&mut self, t: &syn::TypePath) {
        let Some(last) = t.path.segments.last() else {
            return;
        };
        if self.auth_session_seen || last.ident != "AuthSession" {
            return;
        }
        if let Some(store) = session_pool(&text(&last.arguments)) {
            self.auth_session_seen = true;
            let store = store.to_string();
            self.fact(FactKind::ServerSession { store }, t);
        }
    }

    /// Whether the random value being made is a session id: the variable or the function says
    /// session (a CSRF token kept in a session is not one).
    fn names_session_id(&self) -> bool {
        let here = self.fns.last().map(|f| f.name.as_str());
        [self.let_name.as_deref(), here]
            .into_iter()
            .flatten()
            .any(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("session") && !n.contains("csrf")
            })
    }
}

/// axum_session's database pools (`axum_session_sqlx`, `axum_session_redispool`,
/// `axum_session_mongo`, ...), and the session stores of the other crates, named in `text`.
fn session_pool(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .find(|w| {
            (w.starts_with("Session") && w.ends_with("Pool") && w.len() > "SessionPool".len())
                || TOKEN_STORAGE_TYPES.contains(w)
        })
}
