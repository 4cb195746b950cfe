//! What framework-specific calls say about the login: loco's JWT (issued by
//! `JWT::new(secret).generate_token(..)` for as long as `auth.jwt.expiration` says, checked by the
//! `auth::JWT` extractor), headers an authenticating proxy forwards (read from a request, not
//! merely named), and token validation endpoints other services call.
use super::Collector;
use crate::analyzers::rust::index::names::{last_segment, receiver_text, text};
use crate::facts::FactKind;
use std::collections::HashMap;
use syn::visit::Visit;

/// The config key loco reads its JWT lifetime from.
const LOCO_JWT_LIFETIME: &str = "auth.jwt.expiration";

/// loco's JWT extractors: the handler runs only with a token whose signature and expiry loco
/// checked.
const LOCO_EXTRACTORS: &[&str] = &["JWT", "JWTWithUser", "JWTWithUserOpt"];

impl Collector<'_, '_> {
    /// A handler parameter of loco's `auth::JWT` type (in a file that uses loco): a JWT is
    /// verified on every request to it.
    pub(super) fn loco_extractor(&mut self, sig: &syn::Signature) {
        if !self.loco {
            return;
        }
        for arg in &sig.inputs {
            if let syn::FnArg::Typed(t) = arg
                && let syn::Type::Path(p) = &*t.ty
                && LOCO_EXTRACTORS.contains(&last_segment(&p.path).as_str())
            {
                let token = crate::facts::TokenKind::Access;
                self.fact(FactKind::JwtVerified { token }, &t.ty);
                self.fact(FactKind::PerRequest, &sig.ident);
                return;
            }
        }
    }

    /// `jwt::JWT::new(secret).generate_token(expiration, pid, claims)`: loco signs a JWT whose
    /// lifetime is its `auth.jwt.expiration` setting. Returns whether the call was one.
    pub(super) fn loco_generate_token(&mut self, m: &syn::ExprMethodCall) -> bool {
        if m.method != "generate_token" || !receiver_text(m).replace(' ', "").contains("JWT::new") {
            return false;
        }
        let span = self.file.span(m);
        let Some(scope) = self.fns.last_mut() else {
            return false;
        };
        scope.issued.push((span, vec!["jwt".into()]));
        let key = LOCO_JWT_LIFETIME.to_string();
        self.fact(FactKind::LifetimeFromConfig { key }, m);
        true
    }

    /// `headers.get("x-forwarded-user")`, `req.headers().get(USER_HEADER)`, poem's
    /// `req.header("remote-user")`: the app takes who the user is from what a proxy forwards.
    /// Setting such a header (`.header(name, value)`) or naming it in a struct is not reading it.
    pub(super) fn proxy_header_method(&mut self, m: &syn::ExprMethodCall) {
        let method = m.method.to_string();
        let reads = match method.as_str() {
            "get" | "get_one" | "get_all" | "contains_key" => {
                receiver_text(m).to_ascii_lowercase().contains("header")
            }
            "header" => m.args.len() == 1,
            _ => false,
        };
        if reads && let Some(header) = m.args.first().and_then(|a| self.proxy_header(a)) {
            self.proxy_fact(header, m);
        }
    }

    /// warp's `warp::header::<String>("x-forwarded-user")` (and `header::optional`).
    pub(super) fn proxy_header_call(&mut self, full: &str, c: &syn::ExprCall) {
        if c.args.len() == 1
            && full.contains("header")
            && let Some(header) = c.args.first().and_then(|a| self.proxy_header(a))
        {
            self.proxy_fact(header, c);
        }
    }

    fn proxy_fact(&mut self, header: String, node: &(impl syn::spanned::Spanned + 'static)) {
        let proxy = format!("a proxy's `{header}` header");
        self.fact(FactKind::AuthProxy { proxy }, node);
    }

    /// The proxy header an argument names: a literal, or a const of this file holding one.
    fn proxy_header(&self, arg: &syn::Expr) -> Option<String> {
        let arg = match arg {
            syn::Expr::Reference(r) => &*r.expr,
            other => other,
        };
        match arg {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => is_proxy_header(&s.value()).then(|| s.value()),
            syn::Expr::Path(p) => self.header_consts.get(&last_segment(&p.path)).cloned(),
            _ => None,
        }
    }

    /// `struct Validate { token: String }` deserialized from a request: an endpoint that checks
    /// tokens for others. RFC 7662's `token_type_hint` says so on its own; otherwise the struct's
    /// name must ask to validate or introspect, and not name a token (`ValidationToken`) or a
    /// single-purpose one (`ValidateEmail`).
    pub(super) fn introspection_request(&mut self, s: &syn::ItemStruct) {
        let deserialized = s.attrs.iter().any(|a| text(a).contains("Deserialize"));
        let fields: Vec<String> = s
            .fields
            .iter()
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        let has = |f: &str| fields.iter().any(|x| x == f);
        let name = s.ident.to_string();
        let w = crate::words::words(&name);
        let has_word = |x: &str| w.iter().any(|y| y == x);
        // a request to validate (`Validate`, `IntrospectRequest`, `TokenValidationRequest`), not
        // a token that proves something (`ValidationToken`, a captcha's proof of work)
        let asks = has_word("validate")
            || has_word("introspect")
            || has_word("introspection")
            || (has_word("validation") && w.last().is_some_and(|l| l == "request"));
        let named = asks
            && w.last().is_none_or(|l| l != "token")
            && crate::facts::TokenKind::from_names([name.as_str()])
                != crate::facts::TokenKind::SinglePurpose;
        let carries_token = has("token") || has("access_token");
        if deserialized && (has("token_type_hint") || (named && carries_token)) {
            self.fact(FactKind::TokenIntrospection, &s.ident);
        }
    }
}

/// `cfg_if!` bodies nested deeper than this are not read.
const CFG_IF_DEPTH: usize = 4;

impl Collector<'_, '_> {
    /// The items of each branch of `cfg_if! { if #[cfg(feature = "ssr")] { .. } else { .. } }`, as
    /// Leptos and other full-stack apps gate their server code: they are the server's code.
    pub(super) fn cfg_if_items(&mut self, mac: &syn::Macro) {
        if self.cfg_if_depth >= CFG_IF_DEPTH {
            return;
        }
        self.cfg_if_depth += 1;
        for tree in mac.tokens.clone() {
            if let proc_macro2::TokenTree::Group(g) = tree
                && g.delimiter() == proc_macro2::Delimiter::Brace
                && let Ok(file) = syn::parse2::<syn::File>(g.stream())
            {
                for item in &file.items {
                    self.visit_item(item);
                }
            }
        }
        self.cfg_if_depth -= 1;
    }
}

fn is_proxy_header(value: &str) -> bool {
    crate::providers::PROXY_HEADERS.contains(&value.to_ascii_lowercase().as_str())
}

/// The file's consts and statics that hold a proxy header's name (`const USER: &str =
/// "x-forwarded-user"`, `HeaderName::from_static("remote-user")`), by name.
pub(super) fn header_consts(file: &syn::File) -> HashMap<String, String> {
    struct Consts(HashMap<String, String>);
    impl Consts {
        fn note(&mut self, name: &syn::Ident, expr: &syn::Expr) {
            let lit = match expr {
                syn::Expr::Call(c) if c.args.len() == 1 => c.args.first(),
                other => Some(other),
            };
            if let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) = lit
                && is_proxy_header(&s.value())
            {
                self.0.insert(name.to_string(), s.value());
            }
        }
    }
    impl<'a> Visit<'a> for Consts {
        fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
            self.note(&c.ident, &c.expr);
        }
        fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
            self.note(&s.ident, &s.expr);
        }
        fn visit_impl_item_const(&mut self, c: &'a syn::ImplItemConst) {
            self.note(&c.ident, &c.expr);
        }
    }
    let mut c = Consts(HashMap::new());
    c.visit_file(file);
    c.0
}

#[cfg(test)]
pub(super) mod tests {
    use crate::analyzers::{Analyzer, Sink, rust::RustAnalyzer, with_default_context};
    use crate::facts::FactKind;
    use crate::source::SourceFile;

    /// The facts the whole Rust analyzer records for `src` as `src/auth.rs`.
    pub(in crate::analyzers::rust::index::facts) fn facts(src: &str) -> Vec<FactKind> {
        let file = SourceFile::from_text("src/auth.rs", src);
        let mut sink = Sink::default();
        with_default_context(|ctx| RustAnalyzer.check(&file, ctx, &mut sink));
        sink.facts.into_iter().map(|f| f.kind).collect()
    }

    fn proxies(src: &str) -> usize {
        facts(src)
            .iter()
            .filter(|k| matches!(k, FactKind::AuthProxy { .. }))
            .count()
    }

    #[test]
    fn reading_a_proxy_header_delegates_the_login_naming_it_does_not() {
        let read = [
            r#"fn user(headers: &HeaderMap) -> Option<&HeaderValue> { headers.get("X-Forwarded-User") }"#,
            r#"fn user(req: &HttpRequest) -> bool { req.headers().contains_key("remote-user") }"#,
            r#"const USER: &str = "x-auth-request-email"; fn user(req: &Request) { req.headers().get(USER); }"#,
            r#"fn user(req: &poem::Request) { req.header("x-forwarded-email"); }"#,
            r#"fn route() { warp::header::<String>("x-forwarded-user"); }"#,
        ];
        for src in read {
            assert_eq!(proxies(src), 1, "{src}");
        }
        let named = [
            // an identity provider's config naming the headers it emits for downstream apps
            r#"fn auth_headers() -> AuthHeaders { AuthHeaders { user: "x-forwarded-user".into(), session: true } }"#,
            // a client setting the header on an outgoing request
            r#"fn call(c: &Client) { c.get(url).header("x-forwarded-user", "alice"); }"#,
            r#"fn lookup(map: &HashMap<&str, u8>) { map.get("remote-user"); }"#,
        ];
        for src in named {
            assert_eq!(proxies(src), 0, "{src}");
        }
    }

    #[test]
    fn loco_jwt_is_issued_from_its_config_and_checked_by_its_extractor() {
        let issued = facts(
            "use loco_rs::auth::jwt;\nfn generate_jwt(&self, secret: &str, expiration: u64) -> Result<String> { jwt::JWT::new(secret).generate_token(expiration, self.pid.to_string(), Map::new()) }",
        );
        assert!(
            issued
                .iter()
                .any(|k| matches!(k, FactKind::JwtIssued { .. }))
        );
        assert!(issued.contains(&FactKind::LifetimeFromConfig {
            key: "auth.jwt.expiration".into()
        }));
        let checked = facts(
            "use loco_rs::prelude::*;\nasync fn list(auth: auth::JWT, State(ctx): State<AppContext>) -> Result<Response> { format::json(()) }",
        );
        assert!(
            checked
                .iter()
                .any(|k| matches!(k, FactKind::JwtVerified { .. }))
        );
        // a CSRF helper's `generate_token`, and a type named `JWT` outside loco
        let neither = facts(
            "fn login(csrf: &Csrf) -> String { csrf.generate_token() }\nasync fn list(auth: JWT) -> String { String::new() }",
        );
        assert!(
            !neither
                .iter()
                .any(|k| matches!(k, FactKind::JwtIssued { .. } | FactKind::JwtVerified { .. }))
        );
    }

    #[test]
    fn a_token_validation_request_body_is_an_introspection_endpoint() {
        // the handler's file names the check it calls (`crate::authenticate::validate_token`)
        let count = |src: &str| {
            facts(&format!("use crate::authenticate::validate_token;\n{src}"))
                .iter()
                .filter(|k| **k == FactKind::TokenIntrospection)
                .count()
        };
        assert_eq!(
            count("#[derive(Deserialize)] struct Validate { token: String }"),
            1
        );
        assert_eq!(
            count(
                "#[derive(Deserialize)] struct IntrospectionRequest { token: String, token_type_hint: Option<String> }"
            ),
            1
        );
        // an email confirmation link, and a token only sent back in a response
        assert_eq!(
            count("#[derive(Deserialize)] struct ValidateEmail { token: String }"),
            0
        );
        assert_eq!(
            count("#[derive(Serialize)] struct ValidateResponse { token: String }"),
            0
        );
        // a captcha's proof-of-work token that clients send back
        assert_eq!(
            count("#[derive(Deserialize)] struct ValidationToken { token: String }"),
            0
        );
    }

    #[test]
    fn server_code_gated_by_cfg_if_is_read() {
        let src = r#"cfg_if! { if #[cfg(feature = "ssr")] {
            pub type AuthSession = axum_session_auth::AuthSession<User, i64, SessionSqlitePool, SqlitePool>;
        } }"#;
        assert!(facts(src).contains(&FactKind::ServerSession {
            store: "SessionSqlitePool".into()
        }));
    }
}
