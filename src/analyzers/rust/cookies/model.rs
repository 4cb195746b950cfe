//! What the cookie rules share: what a cookie's name says about it (from `crate::auth_names`),
//! the state of its three attributes, the defaults of whoever
//! adds it, and the wording of the three findings (one constructor per rule).
use crate::auth_names::{self, NameClass};
use crate::finding::{Report, Span};
use crate::rule::Rule;
use crate::rule::wording::{self, CookieFlag};
use std::collections::HashMap;

pub const HTTPONLY: Rule = Rule::CookieMissingHttponly;
pub const SECURE: Rule = Rule::CookieMissingSecure;
pub const SAMESITE: Rule = Rule::CookieMissingSamesite;

/// What a cookie is for, as far as its name tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Carries a session id or a token.
    Auth,
    /// A double-submit CSRF token: script must read it.
    Csrf,
    /// A preference (theme, locale, consent): never reported.
    Ui,
    /// Nothing known: not reported.
    Other,
}

pub use crate::words::words;

/// The purpose a name (a cookie name, or the identifier holding it) announces, as
/// `crate::auth_names` reads it: OAuth flow state (`oauth_csrf_state`, `code_verifier`), ids that
/// prove nothing (`oauth_team_id`), flash and counters are not auth cookies; the user's id in a
/// cookie the server reads back is.
pub fn purpose_of(name: &str) -> Purpose {
    let class = auth_names::classify(name);
    match class {
        NameClass::Csrf => Purpose::Csrf,
        NameClass::Preference => Purpose::Ui,
        c if c.is_auth_cookie() => Purpose::Auth,
        _ => Purpose::Other,
    }
}

/// How the code names a cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CookieName {
    /// A literal, or a constant of this file resolved to its literal.
    Known(String),
    /// An expression authlint cannot evaluate; the text is the identifier holding the name.
    Named(String),
    Unknown,
}

impl CookieName {
    pub fn purpose(&self) -> Purpose {
        match self {
            CookieName::Known(n) | CookieName::Named(n) => purpose_of(n),
            CookieName::Unknown => Purpose::Other,
        }
    }

    /// `__Host-` and `__Secure-` names are only accepted by browsers with `Secure`.
    pub fn has_secure_prefix(&self) -> bool {
        matches!(self, CookieName::Known(n) if n.starts_with("__Host-") || n.starts_with("__Secure-"))
    }
}

/// One boolean attribute as the code sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Flag {
    #[default]
    Absent,
    /// A literal `true`.
    On,
    /// A literal `false`.
    Off,
    /// Computed at runtime or chosen by `#[cfg]`: not ours to judge.
    Configured,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SameSiteValue {
    #[default]
    Absent,
    Lax,
    Strict,
    None,
    Configured,
}

/// The attributes of one cookie, each with the span that set it last (if any).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    pub http_only: (Flag, Option<Span>),
    pub secure: (Flag, Option<Span>),
    pub same_site: (SameSiteValue, Option<Span>),
    pub partitioned: Flag,
}

/// Who adds the cookie, which decides the defaults filled in for absent attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adder {
    /// The `cookie` crate and its re-exports set nothing.
    Plain,
    /// Rocket 0.5 `CookieJar::add`: `SameSite=Strict` (and `Secure` only when Rocket terminates TLS).
    RocketAdd,
    /// Rocket `add_private`: `HttpOnly` and `SameSite=Strict` (and `Secure` only with Rocket's TLS).
    RocketPrivate,
}

impl Attrs {
    /// The attributes after `adder` has filled in its defaults.
    pub fn with_defaults(mut self, adder: Adder) -> Attrs {
        if matches!(adder, Adder::RocketAdd | Adder::RocketPrivate)
            && self.same_site.0 == SameSiteValue::Absent
        {
            self.same_site.0 = SameSiteValue::Strict;
        }
        if adder == Adder::RocketPrivate && self.http_only.0 == Flag::Absent {
            self.http_only.0 = Flag::On;
        }
        self
    }
}

/// What is wrong with one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Absent,
    /// Turned off with a literal (`.secure(false)`); the span is that call.
    Off(Option<Span>),
    /// `SameSite=None`: the cookie goes with cross-site requests.
    SameSiteNone(Option<Span>),
}

/// The problems of a cookie with these attributes and this purpose, per rule.
pub fn problems(attrs: &Attrs, name: &CookieName, purpose: Purpose) -> Vec<(Rule, Problem)> {
    let mut out = Vec::new();
    if !matches!(purpose, Purpose::Auth | Purpose::Csrf) {
        return out;
    }
    if purpose == Purpose::Auth {
        match attrs.http_only.0 {
            Flag::Absent => out.push((HTTPONLY, Problem::Absent)),
            Flag::Off => out.push((HTTPONLY, Problem::Off(attrs.http_only.1))),
            _ => {}
        }
    }
    let implied_secure = attrs.same_site.0 == SameSiteValue::None
        || attrs.partitioned == Flag::On
        || name.has_secure_prefix();
    match attrs.secure.0 {
        Flag::Off => out.push((SECURE, Problem::Off(attrs.secure.1))),
        Flag::Absent if !implied_secure => out.push((SECURE, Problem::Absent)),
        _ => {}
    }
    match attrs.same_site.0 {
        SameSiteValue::Absent => out.push((SAMESITE, Problem::Absent)),
        SameSiteValue::None if purpose == Purpose::Auth => {
            out.push((SAMESITE, Problem::SameSiteNone(attrs.same_site.1)))
        }
        _ => {}
    }
    out
}

/// How the finding names the cookie: "auth cookie `sid`", "CSRF cookie `xsrf`".
pub fn describe(name: &CookieName, purpose: Purpose) -> String {
    let kind = if purpose == Purpose::Csrf {
        "CSRF cookie"
    } else {
        "auth cookie"
    };
    match name {
        CookieName::Known(n) => format!("{kind} `{n}`"),
        CookieName::Named(n) => format!("{kind} named by `{n}`"),
        CookieName::Unknown => kind.to_string(),
    }
}

/// The rule's one wording (`crate::rule::wording`). `subject` names the cookie in the user's
/// terms.
pub fn report(rule: Rule, subject: &str, problem: Problem, span: Span, help: String) -> Report {
    let flag = match problem {
        Problem::Absent => CookieFlag::Absent,
        Problem::Off(_) => CookieFlag::Off,
        Problem::SameSiteNone(_) => CookieFlag::SameSiteNone,
    };
    wording::cookie_flag(rule, subject, flag, span, help)
}

/// The literal `true` / `false` of an attribute argument; anything else is configured.
pub fn flag_of(expr: &syn::Expr) -> Flag {
    match strip(expr) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => {
            if b.value {
                Flag::On
            } else {
                Flag::Off
            }
        }
        _ => Flag::Configured,
    }
}

/// `SameSite::Lax`, `Some(SameSite::Strict)`, `None` (poem's "no attribute"), or configured.
pub fn same_site_of(expr: &syn::Expr) -> SameSiteValue {
    match strip(expr) {
        syn::Expr::Path(p) => {
            let segs: Vec<String> = crate::analyzers::rust::index::syntax::idents(&p.path);
            match segs.last().map(String::as_str) {
                Some("Lax") => SameSiteValue::Lax,
                Some("Strict") => SameSiteValue::Strict,
                Some("None") if segs.len() >= 2 => SameSiteValue::None,
                // poem's `same_site(None)`: `Option<SameSite>` with no attribute at all.
                Some("None") => SameSiteValue::Absent,
                _ => SameSiteValue::Configured,
            }
        }
        syn::Expr::Call(c) if is_path(&c.func, "Some") && c.args.len() == 1 => {
            same_site_of(&c.args[0])
        }
        _ => SameSiteValue::Configured,
    }
}

/// Removes parentheses, references and `.into()` around an expression.
pub fn strip(mut expr: &syn::Expr) -> &syn::Expr {
    for _ in 0..16 {
        match expr {
            syn::Expr::Paren(p) => expr = &p.expr,
            syn::Expr::Group(g) => expr = &g.expr,
            syn::Expr::Reference(r) => expr = &r.expr,
            syn::Expr::MethodCall(m)
                if m.args.is_empty()
                    && matches!(
                        m.method.to_string().as_str(),
                        "into" | "to_owned" | "to_string" | "clone" | "as_str" | "as_ref"
                    ) =>
            {
                expr = &m.receiver
            }
            _ => break,
        }
    }
    expr
}

pub fn is_path(expr: &syn::Expr, ident: &str) -> bool {
    matches!(expr, syn::Expr::Path(p) if p.path.is_ident(ident))
}

/// The last segments of a path expression (`["Cookie", "build"]`).
pub fn path_tail(expr: &syn::Expr, n: usize) -> Vec<String> {
    match expr {
        syn::Expr::Path(p) => {
            let segs: Vec<String> = crate::analyzers::rust::index::syntax::idents(&p.path);
            segs[segs.len().saturating_sub(n)..].to_vec()
        }
        _ => Vec::new(),
    }
}

/// `const NAME: &str = "..."` and `static` string items of the file, by name.
pub fn string_consts(file: &syn::File) -> HashMap<String, String> {
    struct V(HashMap<String, String>);
    impl<'ast> syn::visit::Visit<'ast> for V {
        fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = strip(&c.expr)
            {
                self.0.insert(c.ident.to_string(), s.value());
            }
        }
        fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = strip(&c.expr)
            {
                self.0.insert(c.ident.to_string(), s.value());
            }
        }
        fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = strip(&c.expr)
            {
                self.0.insert(c.ident.to_string(), s.value());
            }
        }
    }
    let mut v = V(HashMap::new());
    syn::visit::visit_file(&mut v, file);
    v.0
}

/// The name of a cookie from the expression that gives it: a literal, a constant of this file, or
/// the identifier (or field) holding it.
pub fn name_of(expr: &syn::Expr, consts: &HashMap<String, String>) -> CookieName {
    match strip(expr) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => CookieName::Known(s.value()),
        syn::Expr::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return CookieName::Unknown;
            };
            let id = last.ident.to_string();
            match consts.get(&id) {
                Some(v) => CookieName::Known(v.clone()),
                None => CookieName::Named(id),
            }
        }
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => CookieName::Named(id.to_string()),
            syn::Member::Unnamed(_) => CookieName::Unknown,
        },
        syn::Expr::MethodCall(m) if m.args.is_empty() => {
            // `config.session_cookie_name()`
            CookieName::Named(m.method.to_string())
        }
        _ => CookieName::Unknown,
    }
}

/// A literal value that is a flag or a number (`"true"`, `"1"`, `"yes"`): no credential in it.
pub fn is_flag_value(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    matches!(v.as_str(), "true" | "false" | "yes" | "no" | "on" | "off")
        || (!v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
}

/// Whether what is stored in a cookie is named like a credential (`token`, `session_id`,
/// `user.session_token`, `encode_jwt(..)`, `session.id()`). Only the names that say what the value
/// is count, not every identifier in its arguments.
pub fn value_sounds_auth(expr: &syn::Expr) -> bool {
    let mut names = Vec::new();
    value_names(expr, &mut names, 0);
    names.iter().any(|n| purpose_of(n) == Purpose::Auth)
}

fn value_names(expr: &syn::Expr, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    match strip(expr) {
        syn::Expr::Path(p) => {
            if let Some(s) = p.path.segments.last() {
                out.push(s.ident.to_string());
            }
        }
        syn::Expr::Field(f) => {
            if let syn::Member::Named(id) = &f.member {
                out.push(id.to_string());
            }
            value_names(&f.base, out, depth + 1);
        }
        syn::Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if !matches!(
                method.as_str(),
                "unwrap"
                    | "expect"
                    | "encode"
                    | "to_str"
                    | "as_bytes"
                    | "into_owned"
                    | "unwrap_or_default"
            ) {
                out.push(method);
            }
            value_names(&m.receiver, out, depth + 1);
        }
        syn::Expr::Call(c) => {
            if let syn::Expr::Path(p) = &*c.func
                && let Some(s) = p.path.segments.last()
            {
                out.push(s.ident.to_string());
            }
        }
        syn::Expr::Try(t) => value_names(&t.expr, out, depth + 1),
        syn::Expr::Await(a) => value_names(&a.base, out, depth + 1),
        _ => {}
    }
}

/// The purpose of a cookie from its name, falling back to what is stored in it.
pub fn purpose(name: &CookieName, value_sounds_auth: bool) -> Purpose {
    match name.purpose() {
        Purpose::Other if value_sounds_auth => Purpose::Auth,
        p => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        for n in [
            "user_id",
            "rocket_user_id",
            "uid",
            "session",
            "sid",
            "PHPSESSID",
            "__Host-session",
            "jwt",
            "refresh_token",
            "accessToken",
            "id_token",
            "remember_me",
            "auth",
        ] {
            assert_eq!(purpose_of(n), Purpose::Auth, "{n}");
        }
        for n in ["XSRF-TOKEN", "csrftoken", "csrf_token"] {
            assert_eq!(purpose_of(n), Purpose::Csrf, "{n}");
        }
        for n in [
            "theme",
            "locale",
            "lang",
            "cookie_consent",
            "tz",
            "user_prefs",
        ] {
            assert_eq!(purpose_of(n), Purpose::Ui, "{n}");
        }
        for n in [
            "cart",
            "flash",
            "inside",
            "accessibility",
            "name",
            "COOKIE_NAME",
            "guid",
            "oauth_csrf_state",
            "oauth_state",
            "code_verifier",
            "oauth_team_id",
            "counter",
        ] {
            assert_eq!(purpose_of(n), Purpose::Other, "{n}");
        }
        assert_eq!(purpose_of("SESSION_COOKIE"), Purpose::Auth);
    }

    #[test]
    fn the_value_counts_by_what_names_it() {
        let auth = |s: &str| value_sounds_auth(&syn::parse_str(s).unwrap());
        assert!(auth("token.to_string()"));
        assert!(auth("user.session_token.clone()"));
        assert!(auth("encode_jwt(&claims)"));
        assert!(auth("session.id()"));
        assert!(!auth("encode(&session.data)"));
        assert!(!auth("serde_json::to_string(&cart).unwrap()"));
        assert!(!auth("format!(\"{}\", token)"));
    }

    #[test]
    fn words_split_camel_and_separators() {
        assert_eq!(words("accessToken"), ["access", "token"]);
        assert_eq!(words("XSRF-TOKEN"), ["xsrf", "token"]);
        assert_eq!(words("__Host-sid"), ["host", "sid"]);
    }

    #[test]
    fn defaults_of_rocket() {
        let a = Attrs::default().with_defaults(Adder::RocketPrivate);
        assert_eq!(a.http_only.0, Flag::On);
        assert_eq!(a.same_site.0, SameSiteValue::Strict);
        assert_eq!(a.secure.0, Flag::Absent);
        let a = Attrs::default().with_defaults(Adder::RocketAdd);
        assert_eq!(a.http_only.0, Flag::Absent);
    }

    #[test]
    fn same_site_none_implies_secure_unless_literal_false() {
        let name = CookieName::Known("sid".into());
        let mut a = Attrs::default();
        a.same_site.0 = SameSiteValue::None;
        let rules: Vec<_> = problems(&a, &name, Purpose::Auth)
            .iter()
            .map(|p| p.0)
            .collect();
        assert!(!rules.contains(&SECURE));
        a.secure.0 = Flag::Off;
        let rules: Vec<_> = problems(&a, &name, Purpose::Auth)
            .iter()
            .map(|p| p.0)
            .collect();
        assert!(rules.contains(&SECURE));
    }
}
