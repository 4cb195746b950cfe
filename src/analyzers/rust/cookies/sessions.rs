//! Session middleware: the cookie it sets and where it keeps the session.
//!
//! - tower-sessions `SessionManagerLayer::new(store)`: HttpOnly and `SameSite=Strict` by default;
//!   `Secure` by default only from 0.8.0 (read from Cargo.lock). `.with_http_only(false)`,
//!   `.with_secure(false)` and `.with_same_site(SameSite::None)` are reported.
//! - actix-session `SessionMiddleware::new` / `::builder(..).cookie_*(..).build()`: HttpOnly,
//!   Secure and `SameSite=Lax` by default.
//! - poem `CookieConfig` and actix-identity (< 0.5) `CookieIdentityPolicy`: HttpOnly and Secure by
//!   default, no SameSite at all.
//! - axum-sessions `SessionLayer`, salvo `HandlerBuilder`, tower-sessions-cookie-store
//!   `CookieSessionConfig`: only literal `false` / `SameSite::None` are reported.
//!
//! `client-side-session-store`: actix-session `CookieSessionStore` (and the old `CookieSession`),
//! poem `CookieSession`, actix-identity (< 0.5) `CookieIdentityPolicy`, async-session
//! `CookieStore` (salvo, axum-sessions, tide),
//! tower-sessions-cookie-store `CookieSessionManagerLayer`.
use super::model::{self as model, Flag, Problem, SameSiteValue};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::{Context, Sink};
use crate::facts::FactKind;
use crate::finding::{Report, Span};
use crate::fix::ReportFix;
use crate::manifest::version_tuple;
use crate::rule::Rule;
use std::collections::HashSet;
use syn::visit::Visit;

/// The session middleware whose cookie a builder chain configures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    TowerSessions,
    ActixSession,
    PoemCookieConfig,
    /// actix-identity (< 0.5) / ntex-identity `CookieIdentityPolicy`: HttpOnly and Secure, no SameSite.
    IdentityPolicy,
    /// Builders whose defaults are not modelled: only literal `false` / `None` are reported.
    Other(&'static str),
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::TowerSessions => "SessionManagerLayer",
            Kind::ActixSession => "SessionMiddleware",
            Kind::PoemCookieConfig => "CookieConfig",
            Kind::IdentityPolicy => "CookieIdentityPolicy",
            Kind::Other(n) => n,
        }
    }

    /// What the middleware sets when the chain says nothing.
    fn defaults(self) -> &'static str {
        match self {
            Kind::TowerSessions => {
                "tower-sessions sets HttpOnly, Secure (since 0.8) and SameSite=Strict by default"
            }
            Kind::ActixSession => "actix-session sets HttpOnly, Secure and SameSite=Lax by default",
            Kind::PoemCookieConfig => "poem's `CookieConfig` sets HttpOnly and Secure by default",
            Kind::IdentityPolicy => "`CookieIdentityPolicy` sets HttpOnly and Secure by default",
            Kind::Other(_) => "the session middleware sets HttpOnly and Secure by default",
        }
    }
}

/// Which middleware a constructor call starts, from its last two path segments.
fn kind_of(tail: &[&str], poem: bool) -> Option<Kind> {
    Some(match tail {
        ["SessionManagerLayer", "new"] => Kind::TowerSessions,
        ["SessionMiddleware", "new" | "builder"] => Kind::ActixSession,
        ["CookieConfig", "default" | "new" | "private" | "signed"] if poem => {
            Kind::PoemCookieConfig
        }
        ["CookieIdentityPolicy", "new"] => Kind::IdentityPolicy,
        ["SessionLayer", "new"] => Kind::Other("SessionLayer"),
        ["HandlerBuilder", "new"] | ["SessionHandler", "builder"] => Kind::Other("SessionHandler"),
        ["CookieSessionConfig", "default" | "new"] => Kind::Other("CookieSessionConfig"),
        ["CookieSession", "signed" | "private"] => Kind::Other("CookieSession"),
        _ => return None,
    })
}

/// The attribute a session builder method sets.
fn attribute_of(method: &str) -> Option<Rule> {
    Some(match method {
        "with_http_only" | "cookie_http_only" | "http_only" => model::HTTPONLY,
        "with_secure" | "cookie_secure" | "secure" => model::SECURE,
        "with_same_site"
        | "cookie_same_site"
        | "same_site"
        | "with_same_site_policy"
        | "same_site_policy" => model::SAMESITE,
        _ => return None,
    })
}

struct Finder<'a, 'r> {
    rf: &'a RustFile<'r>,
    sink: &'a mut Sink,
    handled: HashSet<usize>,
    /// Client-side stores already reported.
    stores: HashSet<usize>,
    /// Method names called on a binding or field: a setter applied outside the chain we see.
    methods: HashSet<String>,
    poem: bool,
    async_session: bool,
    old_tower_sessions: Option<String>,
}

impl Finder<'_, '_> {
    fn chain(&mut self, root: &syn::ExprCall, kind: Kind, calls: &[&syn::ExprMethodCall]) {
        let root_span = self.rf.span(root);
        let name = calls.iter().find_map(|m| {
            let named = matches!(
                m.method.to_string().as_str(),
                "name" | "with_name" | "cookie_name" | "with_cookie_name"
            );
            match m.args.first().map(model::strip) {
                Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                })) if named => Some(s.value()),
                _ => None,
            }
        });
        let subject = match name {
            Some(n) => format!("session cookie `{n}` of `{}`", kind.label()),
            None => format!("session cookie of `{}`", kind.label()),
        };
        let mut seen = HashSet::new();
        for m in calls {
            let method = m.method.to_string();
            let (Some(rule), Some(arg)) = (attribute_of(&method), m.args.first()) else {
                continue;
            };
            seen.insert(rule);
            let span = Span::new(self.rf.span(&m.method).start, self.rf.span(*m).end);
            let arg_text = self.rf.src.snippet(self.rf.span(arg)).to_string();
            let problem = if rule == model::SAMESITE {
                match model::same_site_of(arg) {
                    SameSiteValue::None => Problem::SameSiteNone(Some(span)),
                    SameSiteValue::Absent => Problem::Absent,
                    _ => continue,
                }
            } else if model::flag_of(arg) == Flag::Off {
                Problem::Off(Some(span))
            } else {
                continue;
            };
            let help = match problem {
                Problem::SameSiteNone(_) => format!(
                    "remove `.{method}({arg_text})` or use `SameSite::Lax`; if the session must go with cross-site requests, keep CSRF protection on every state-changing request"
                ),
                Problem::Absent => format!("use `.{method}(SameSite::Lax)` (or `Strict`)"),
                Problem::Off(_)
                    if rule == model::SECURE
                        && kind == Kind::TowerSessions
                        && self.old_tower_sessions.is_some() =>
                {
                    format!(
                        "replace `.{method}({arg_text})` with `.{method}(true)` (tower-sessions before 0.8 does not set Secure by default), or set it from config for local http development"
                    )
                }
                Problem::Off(_) if rule == model::SECURE => format!(
                    "remove `.{method}({arg_text})` ({}), or set it from config for local http development (browsers accept Secure cookies on http://localhost)",
                    kind.defaults()
                ),
                Problem::Off(_) => format!("remove `.{method}({arg_text})` ({})", kind.defaults()),
            };
            let mut r = model::report(rule, &subject, problem, span, help);
            if let Some(fix) = super::fix::fix(self.rf, rule, problem, span) {
                r = r.fix(fix);
            }
            self.middleware_report(r.label(root_span, "session middleware configured here"));
        }
        if kind == Kind::TowerSessions
            && !seen.contains(&model::SECURE)
            && !self.methods.contains("with_secure")
            && let Some(v) = &self.old_tower_sessions
        {
            let help = format!(
                "tower-sessions {v} (from Cargo.lock) does not set Secure by default: add `.with_secure(true)`, or upgrade to tower-sessions 0.8 or later where it is the default"
            );
            let fix = ReportFix::insert(
                "add `.with_secure(true)`",
                root_span.end,
                ".with_secure(true)",
            );
            self.middleware_report(
                model::report(model::SECURE, &subject, Problem::Absent, root_span, help).fix(fix),
            );
        }
        if matches!(kind, Kind::PoemCookieConfig | Kind::IdentityPolicy)
            && !seen.contains(&model::SAMESITE)
            && !self.methods.contains("same_site")
        {
            let help = format!(
                "add `.same_site(SameSite::Lax)` (or `Strict`) to the `{}`: it sets no SameSite by default",
                kind.label()
            );
            self.middleware_report(model::report(
                model::SAMESITE,
                &subject,
                Problem::Absent,
                root_span,
                help,
            ));
        }
    }

    /// A session middleware's cookie attribute report, marked for the project pass: whether the
    /// cookie matters depends on what the crate keeps in its sessions (`session_data`).
    fn middleware_report(&mut self, r: Report) {
        self.sink
            .fact(FactKind::SessionCookieReported, r.span, None);
        self.sink.report(r);
    }

    fn client_side(&mut self, node: Span, what: &str, help: &str) {
        if !self.stores.insert(node.start) {
            return;
        }
        self.sink
            .report(crate::rule::wording::client_side_session_store(
                node, what, help,
            ));
    }

    fn store_call(&mut self, c: &syn::ExprCall) {
        let tail = model::path_tail(&c.func, 2);
        let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
        // Only for a call that matches: a span prints the call's tokens, quadratic in `f()()()…`.
        let rf = self.rf;
        let span = || rf.span(c);
        match tail.as_slice() {
            ["CookieSessionStore", _] => self.client_side(
                span(),
                "CookieSessionStore",
                "use a server-side store such as actix-session's `RedisSessionStore` (feature `redis-session`) and call `session.purge()` at logout",
            ),
            ["CookieSession", "new"] if self.poem => self.client_side(
                span(),
                "CookieSession",
                "use `ServerSession::new(CookieConfig::default(), RedisStorage::new(..))` so logout and bans delete the session on the server",
            ),
            ["CookieSession", "signed" | "private"] => self.client_side(
                span(),
                "CookieSession",
                "use actix-session's `SessionMiddleware` with a server-side store such as `RedisSessionStore`",
            ),
            ["CookieStore", "new" | "default"] if self.async_session => self.client_side(
                span(),
                "CookieStore",
                "use a server-side session store (Redis or a database) so logout and bans delete the session on the server",
            ),
            ["CookieIdentityPolicy", "new"] => self.client_side(
                span(),
                "CookieIdentityPolicy",
                "move to actix-identity 0.5 or later, which keeps the identity in actix-session, with a server-side store such as `RedisSessionStore`; `Identity::logout` then deletes it on the server",
            ),
            ["CookieSessionManagerLayer", _] => self.client_side(
                span(),
                "CookieSessionManagerLayer",
                "use tower-sessions' `SessionManagerLayer` with a server-side store (`tower-sessions-redis-store`, `tower-sessions-sqlx-store`) and call `session.flush()` at logout",
            ),
            _ => {}
        }
    }
}

/// A method-call chain's calls, innermost first, and the expression at its root.
fn unchain(m: &syn::ExprMethodCall) -> (&syn::Expr, Vec<&syn::ExprMethodCall>) {
    let mut calls = vec![m];
    let mut cur = &*m.receiver;
    for _ in 0..64 {
        match cur {
            syn::Expr::MethodCall(inner) => {
                calls.push(inner);
                cur = &inner.receiver;
            }
            syn::Expr::Paren(p) => cur = &p.expr,
            _ => break,
        }
    }
    calls.reverse();
    (cur, calls)
}

impl<'a> Visit<'a> for Finder<'a, '_> {
    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let (root, calls) = unchain(m);
        if let syn::Expr::Call(c) = root {
            let tail = model::path_tail(&c.func, 2);
            let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
            if let Some(kind) = kind_of(&tail, self.poem)
                && self.handled.insert(self.rf.span(c).start)
            {
                self.chain(c, kind, &calls);
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        let tail = model::path_tail(&c.func, 2);
        let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
        if let Some(kind) = kind_of(&tail, self.poem)
            && self.handled.insert(self.rf.span(c).start)
        {
            self.chain(c, kind, &[]);
        }
        self.store_call(c);
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
        if p.path
            .segments
            .last()
            .is_some_and(|s| s.ident == "CookieSessionStore")
            && p.path.segments.len() <= 3
        {
            let span = self.rf.span(p);
            self.client_side(
                span,
                "CookieSessionStore",
                "use a server-side store such as actix-session's `RedisSessionStore` (feature `redis-session`) and call `session.purge()` at logout",
            );
        }
    }
}

pub fn check(rf: &RustFile, ctx: &Context, sink: &mut Sink) {
    struct Methods(HashSet<String>, Vec<String>);
    impl<'a> Visit<'a> for Methods {
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            // A setter applied to a binding (`let layer = layer.with_secure(..)`), outside any
            // chain that starts at a constructor.
            if matches!(&*m.receiver, syn::Expr::Path(_) | syn::Expr::Field(_)) {
                self.0.insert(m.method.to_string());
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_use_tree(&mut self, t: &'a syn::UseTree) {
            if let syn::UseTree::Path(p) = t {
                self.1.push(p.ident.to_string());
            }
            syn::visit::visit_use_tree(self, t);
        }
    }
    let mut m = Methods(HashSet::new(), Vec::new());
    m.visit_file(rf.ast);
    let text = &rf.src.text;
    let uses = |c: &str| m.1.iter().any(|u| u == c) || text.contains(&format!("{c}::"));
    let versions = ctx
        .project
        .locked_versions(&rf.src.abs_path, "tower-sessions");
    let old_tower_sessions = versions
        .iter()
        .all(|v| version_tuple(v) < (0, 8, 0))
        .then(|| versions.first().cloned())
        .flatten();
    let mut f = Finder {
        rf,
        sink,
        handled: HashSet::new(),
        stores: HashSet::new(),
        methods: m.0,
        poem: uses("poem"),
        async_session: [
            "async_session",
            "salvo",
            "salvo_session",
            "axum_sessions",
            "tide",
            "trillium_sessions",
        ]
        .iter()
        .any(|c| uses(c)),
        old_tower_sessions,
    };
    f.visit_file(rf.ast);
    record_session_keys(rf, f.sink);
}

/// `session.insert("counter", n)`, `session.get::<u32>("visits")`, `session.set("flash", m)`:
/// the keys a handler keeps in the server-side session, for the project pass.
fn record_session_keys(rf: &RustFile, sink: &mut Sink) {
    struct Keys<'r, 'a, 's> {
        rf: &'r RustFile<'a>,
        sink: &'s mut Sink,
    }
    impl<'a> Visit<'a> for Keys<'_, '_, '_> {
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            let method = m.method.to_string();
            let is_session = || {
                crate::words::words(&crate::analyzers::rust::index::names::receiver_text(m))
                    .iter()
                    .any(|w| w == "session")
            };
            if matches!(
                method.as_str(),
                "insert" | "set" | "get" | "remove" | "insert_value" | "get_value" | "renew"
            ) && let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(key),
                ..
            })) = m.args.first()
                && is_session()
            {
                self.sink.fact(
                    FactKind::SessionData { key: key.value() },
                    self.rf.span(m),
                    None,
                );
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    Keys { rf, sink }.visit_file(rf.ast);
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

    pub const CASES: &[Cases] = &[Cases {
        rule: Rule::ClientSideSessionStore,
        file: "src/main.rs",
        prelude: r#"use actix_session::{storage::{CookieSessionStore, RedisSessionStore}, SessionMiddleware};
use actix_web::cookie::Key;"#,
        fail: &[
            r#"fn m(k: Key) -> SessionMiddleware<CookieSessionStore> { SessionMiddleware::new(CookieSessionStore::default(), k) }"#,
        ],
        pass: &[
            r#"fn m(k: Key, s: RedisSessionStore) -> SessionMiddleware<RedisSessionStore> { SessionMiddleware::new(s, k) }"#,
        ],
    }];
}
