//! The facts collector's session and random-token constructors: session middleware with its
//! store, cookie sessions, hand-made session ids and opaque tokens.
use super::Collector;
use crate::analyzers::rust::names::{TOKEN_STORAGE_TYPES, is_randomness, text};
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
