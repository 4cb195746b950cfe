//! `hardcoded-signing-secret`: keys that sign or encrypt tokens and cookies, written in the
//! source or used as a fallback when the environment does not provide one.
//!
//! - literals (strings, byte strings, arrays, `hex`/`base64` decodes of literals) reaching a key
//!   constructor: jsonwebtoken `EncodingKey`/`DecodingKey::from_secret`, `Hmac::new_from_slice`,
//!   `cookie::Key::from`/`derive_from`, jwt-simple `HS256Key::from_bytes`, pasetors
//!   `SymmetricKey::from`, ring `hmac::Key::new`, actix-session `CookieSession::signed`, the
//!   key after the store of `SessionLayer::new`/`SessionHandler::builder`/`SessionMiddleware::new`
//!   (axum-sessions, async-session, tide, actix-session), through
//!   `let` bindings and consts/statics of the same file;
//! - `env::var("JWT_SECRET").unwrap_or("dev-secret".into())` and `unwrap_or_else(|_| ..)`;
//! - secret-named consts, struct fields and clap `default_value`s with a literal value.
//!
//! Not secrets: the names of environment variables (`const JWT_SECRET: &str = "JWT_SECRET"`),
//! keys read at runtime, `Key::generate()`, empty strings, test code, and secret-named consts,
//! fields and defaults whose value is a reference or a mask (`"${JWT_SECRET}"`, `"********"`).
//!
//! Placeholders in code are still reported (unlike in config files, see [`crate::placeholder`]):
//! the program runs with the value it holds, so `unwrap_or("changeme")`,
//! `EncodingKey::from_secret(b"secret")` or a `"please-change-me"` default signs real tokens.
use super::names::{env_name_like, names_itself, not_a_value, prose, secret_name};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::syntax::{FileIndex, Lets, path_segments, peel, str_lit};
use crate::analyzers::rust::index::token_names::words;
use crate::analyzers::{Context, Sink};
use crate::finding::{Report, Span};
use crate::rule::Rule;
use std::collections::HashSet;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

pub const RULE: Rule = Rule::HardcodedSigningSecret;

enum Why<'a> {
    /// A literal reaching a key constructor, named.
    KeyLiteral(&'a str),
    /// A default for a secret environment variable.
    EnvFallback(&'a str),
    /// A literal in a secret-named const, field or CLI default.
    Named(&'a str),
}

fn report(span: Span, why: Why) -> Report {
    let read = "std::env::var(\"JWT_SECRET\").context(\"JWT_SECRET is not set\")?";
    match why {
        Why::KeyLiteral(ctor) => crate::rule::wording::key_in_source(span, ctor, read),
        Why::EnvFallback(var) => crate::rule::wording::secret_env_fallback(
            span,
            var,
            &format!("std::env::var(\"{var}\").expect(\"{var} must be set\")"),
        ),
        Why::Named(name) => Report::new(
            RULE,
            span,
            format!("`{name}` holds a secret written in the source"),
            crate::rule::wording::secret_help(read),
        ),
    }
}

pub fn check(rf: &RustFile, _ctx: &Context, sink: &mut Sink) {
    let index = rf.index();
    let text = &rf.src.text;
    let cookie_key = [
        "cookie",
        "session",
        "actix_web",
        "axum_extra",
        "rocket",
        "tower_sessions",
    ]
    .iter()
    .any(|s| text.contains(s));
    let mut seen = HashSet::new();
    let empty = Lets::default();
    // Function bodies: key constructors and env fallbacks.
    for (f, lets) in index.fns_with_lets() {
        let mut v = Visitor {
            rf,
            index,
            lets,
            filled: filled_vars(f.block),
            cookie_key,
            seen: &mut seen,
            sink: &mut *sink,
        };
        v.visit_block(f.block);
    }
    // Items outside functions: consts, statics (`Lazy::new(|| Key::from(..))`), struct fields.
    let mut items = Items {
        v: Visitor {
            rf,
            index,
            lets: &empty,
            filled: HashSet::new(),
            cookie_key,
            seen: &mut seen,
            sink: &mut *sink,
        },
        env_names: env_names(rf.ast),
    };
    items.visit_file(rf.ast);
    super::key_fields::collect(rf, sink);
}

/// `"x".to_string()`, `"x".into()`, `String::from("x")`: the literal inside.
fn strip_conversions(e: &Expr) -> &Expr {
    match peel(e) {
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "to_string" | "into" | "to_owned"
            ) && m.args.is_empty() =>
        {
            strip_conversions(&m.receiver)
        }
        Expr::Call(c)
            if c.args.len() == 1 && path_segments(&c.func).last().is_some_and(|s| s == "from") =>
        {
            strip_conversions(&c.args[0])
        }
        other => other,
    }
}

struct Visitor<'a, 'b> {
    rf: &'b RustFile<'a>,
    index: &'b FileIndex<'a>,
    lets: &'b Lets<'a>,
    /// Variables filled after their declaration (`rng.fill_bytes(&mut key)`): not literals.
    filled: HashSet<String>,
    cookie_key: bool,
    seen: &'b mut HashSet<Span>,
    sink: &'b mut Sink,
}

impl Visitor<'_, '_> {
    fn emit(&mut self, span: Span, why: Why, label: Option<(Span, String)>) {
        if self.seen.insert(span) {
            let mut r = report(span, why);
            if let Some((s, m)) = label {
                r = r.label(s, m);
            }
            self.sink.report(r);
        }
    }

    /// The literal a key argument comes from, if it is written in the source.
    fn literal_source(&self, e: &Expr, depth: usize) -> Option<Span> {
        if depth > 8 {
            return None;
        }
        if let Some((v, lit)) = str_lit(e) {
            return (!v.is_empty()).then(|| self.rf.span(lit));
        }
        match peel(e) {
            Expr::Array(a) if !a.elems.is_empty() => Some(self.rf.span(a)),
            Expr::Repeat(r) => Some(self.rf.span(r)),
            // `vec![7u8; 32]`, `vec![1, 2, 3]`: literal bytes inside the macro's tokens.
            Expr::Macro(m)
                if crate::analyzers::rust::index::syntax::macro_name(&m.mac) == "vec"
                    && !m.mac.tokens.is_empty()
                    && m.mac.tokens.clone().into_iter().all(|t| {
                        matches!(
                            t,
                            proc_macro2::TokenTree::Literal(_) | proc_macro2::TokenTree::Punct(_)
                        )
                    }) =>
            {
                Some(self.rf.span(m))
            }
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                if self.filled.contains(&name) {
                    return None;
                }
                if let Some(b) = self.lets.get(&name, p.span().start()) {
                    return self.literal_source(b, depth + 1);
                }
                let c = self.index.consts.get(&name)?;
                self.literal_source(c, depth + 1)
            }
            Expr::MethodCall(m) => match m.method.to_string().as_str() {
                "as_bytes" | "as_ref" | "clone" | "into" | "to_vec" | "as_slice" | "to_string"
                | "to_owned" | "unwrap" | "expect" | "into_bytes" | "as_str" => {
                    self.literal_source(&m.receiver, depth + 1)
                }
                "decode" if m.args.len() == 1 => self.literal_source(&m.args[0], depth + 1),
                _ => None,
            },
            Expr::Call(c) if c.args.len() == 1 => {
                let segs = path_segments(&c.func);
                let last = segs.last().map(String::as_str);
                if matches!(last, Some("decode" | "from" | "from_slice" | "new")) {
                    self.literal_source(&c.args[0], depth + 1)
                } else {
                    None
                }
            }
            Expr::Try(t) => self.literal_source(&t.expr, depth + 1),
            _ => None,
        }
    }

    /// A const this file does not define, as written (`crate::config::SECRET_KEY`, an imported
    /// `SECRET_KEY`), behind borrows and byte conversions.
    fn foreign_const(&self, e: &Expr) -> Option<String> {
        let Expr::Path(p) = super::key_fields::behind_conversions(e) else {
            return None;
        };
        let segs = crate::analyzers::rust::index::syntax::idents(&p.path);
        let last = segs.last()?;
        let local = segs.len() == 1
            && (self.index.consts.contains_key(last)
                || self.lets.get(last, p.span().start()).is_some());
        (crate::analyzers::rust::index::syntax::const_like(last) && !local).then(|| segs.join("::"))
    }

    /// The key argument of a known key constructor call.
    fn key_arg<'e>(&self, c: &'e syn::ExprCall) -> Option<(&'e Expr, String)> {
        let segs = path_segments(&c.func);
        let n = segs.len();
        let last = segs.last()?.as_str();
        let ty = n.checked_sub(2).map(|i| segs[i].as_str()).unwrap_or("");
        let which = match (ty, last, c.args.len()) {
            ("EncodingKey" | "DecodingKey", "from_secret" | "from_base64_secret", 1) => 0,
            (_, "new_from_slice" | "new_varkey", 1) => 0,
            ("HS256Key" | "HS384Key" | "HS512Key" | "Blake2bKey", "from_bytes", 1) => 0,
            ("SymmetricKey", "from" | "from_bytes", 1) => 0,
            ("Key", "from" | "derive_from" | "try_from" | "from_master", 1) if self.cookie_key => 0,
            ("Key", "new", 2) if segs.iter().any(|s| s == "hmac") => 1,
            ("CookieSession" | "CookieIdentityPolicy", "signed" | "private" | "new", 1) => 0,
            // async-session / axum-sessions / tide / actix-session: the store, then the key.
            ("SessionHandler" | "SessionLayer" | "SessionMiddleware", "new" | "builder", 2) => 1,
            _ => return None,
        };
        Some((&c.args[which], format!("{ty}::{last}")))
    }

    /// `env::var("JWT_SECRET").unwrap_or(..)`: the variable, when the receiver reads one.
    fn env_var_name(&self, e: &Expr, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match peel(e) {
            Expr::Call(c) => {
                let segs = path_segments(&c.func);
                let is_env = matches!(segs.last().map(String::as_str), Some("var" | "var_os"))
                    && segs.len() >= 2
                    && matches!(segs[segs.len() - 2].as_str(), "env" | "dotenv" | "dotenvy");
                if !is_env {
                    return None;
                }
                let arg = c.args.first()?;
                if let Some((v, _)) = str_lit(arg) {
                    return Some(v);
                }
                let name = path_segments(arg).last()?.clone();
                Some(
                    self.index
                        .consts
                        .get(&name)
                        .and_then(|c| str_lit(c))
                        .map_or(name, |(v, _)| v),
                )
            }
            Expr::MethodCall(m) => self.env_var_name(&m.receiver, depth + 1),
            Expr::Try(t) => self.env_var_name(&t.expr, depth + 1),
            // `let secret = env::var("JWT_SECRET")?;` read later as `secret.as_bytes()`.
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                let init = self.lets.get(&name, p.path.span().start())?;
                self.env_var_name(init, depth + 1)
            }
            Expr::Macro(m)
                if crate::analyzers::rust::index::syntax::macro_name(&m.mac) == "option_env" =>
            {
                m.mac.parse_body::<syn::LitStr>().ok().map(|s| s.value())
            }
            _ => None,
        }
    }

    /// `get_env_var("JWT_SECRET", "hello456")`: a function whose name speaks of the environment,
    /// given a secret-named variable and a literal default.
    fn env_helper_default(&self, c: &syn::ExprCall) -> Option<(String, Span)> {
        if c.args.len() != 2 {
            return None;
        }
        let segs = path_segments(&c.func);
        let fn_words = words(segs.last()?);
        if !fn_words.iter().any(|w| w == "env" || w == "var") {
            return None;
        }
        let (var, _) = str_lit(&c.args[0])?;
        if !env_name_like(&var) || !secret_name(&var) {
            return None;
        }
        let lit = self.fallback_literal(strip_conversions(&c.args[1]))?;
        Some((var, lit))
    }

    fn fallback_literal(&self, e: &Expr) -> Option<Span> {
        match peel(e) {
            Expr::Closure(c) => self.fallback_literal(&c.body),
            // `{ let d = "your-secret-key".to_string(); d }`: the block's own binding.
            Expr::Block(b) => match b.block.stmts.last()? {
                syn::Stmt::Expr(x, None) => {
                    let local = crate::analyzers::rust::index::syntax::ident_of(x).and_then(|n| {
                        b.block.stmts.iter().find_map(|s| match s {
                            syn::Stmt::Local(l) => match (&l.pat, &l.init) {
                                (syn::Pat::Ident(i), Some(init)) if i.ident == n => {
                                    Some(&*init.expr)
                                }
                                _ => None,
                            },
                            _ => None,
                        })
                    });
                    self.fallback_literal(local.unwrap_or(x))
                }
                _ => None,
            },
            // `"0123".repeat(16)`: a literal key, however long.
            Expr::MethodCall(m) if m.method == "repeat" => self.fallback_literal(&m.receiver),
            _ => {
                let (v, lit) = str_lit(e)?;
                (!v.is_empty()).then(|| self.rf.span(lit))
            }
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Some((arg, ctor)) = self.key_arg(c) {
            if let Some(lit) = self.literal_source(arg, 0) {
                let call = self.rf.span(c);
                let label = (lit != call && !(lit.start >= call.start && lit.end <= call.end))
                    .then(|| (call, format!("used as the key of `{ctor}` here")));
                self.emit(lit, Why::KeyLiteral(&ctor), label);
            } else if let Some(var) = self.env_var_name(strip_conversions(arg), 0) {
                // A variable of the environment: a value committed for it is this key.
                let span = self.rf.span(c);
                self.sink
                    .fact(crate::facts::FactKind::KeyFromEnv { var, ctor }, span, None);
            } else if let Some(field) = super::key_fields::key_field(arg) {
                // A settings field: its `Default` may leave it empty (the project pass joins).
                let span = self.rf.span(c);
                let kind = crate::facts::FactKind::KeyFromField { field, ctor };
                self.sink.fact(kind, span, None);
            } else if let Some(target) = self.foreign_const(arg) {
                // A const of another module: the project index follows it.
                let span = self.rf.span(c);
                self.sink.fact(
                    crate::facts::FactKind::KeyFromConst { target, ctor },
                    span,
                    None,
                );
            }
        }
        // An environment helper with a default: `get_env_var("JWT_SECRET", "hello456")`,
        // `env_or("SESSION_SECRET", "dev")`.
        if let Some((var, lit)) = self.env_helper_default(c) {
            self.emit(lit, Why::EnvFallback(&var), None);
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        if matches!(
            name.as_str(),
            "unwrap_or" | "unwrap_or_else" | "or" | "or_else"
        ) && m.args.len() == 1
            && let Some(var) = self.env_var_name(&m.receiver, 0)
            && secret_name(&var)
            && let Some(lit) = self.fallback_literal(&m.args[0])
        {
            self.emit(lit, Why::EnvFallback(&var), None);
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    /// `match env::var("JWT_SECRET") { Ok(s) => s, Err(_) => "dev-secret".into() }`.
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        if let Some(var) = self.env_var_name(&m.expr, 0)
            && secret_name(&var)
        {
            for arm in &m.arms {
                if let syn::Pat::TupleStruct(t) = &arm.pat
                    && t.path.segments.last().is_some_and(|s| s.ident == "Err")
                    && let Some(lit) = self.fallback_literal(&arm.body)
                {
                    self.emit(lit, Why::EnvFallback(&var), None);
                }
            }
        }
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        for fv in &s.fields {
            if let syn::Member::Named(i) = &fv.member
                && secret_name(&i.to_string())
                && let Some((v, lit)) = str_lit(&fv.expr)
                && !v.is_empty()
                && !env_name_like(&v)
                && !names_itself(&i.to_string(), &v)
                && !prose(&v)
                && !not_a_value(&v)
            {
                let span = self.rf.span(lit);
                self.emit(span, Why::Named(&i.to_string()), None);
            }
        }
        syn::visit::visit_expr_struct(self, s);
    }
}

/// Variables borrowed mutably or filled in place in a block (`getrandom(&mut key)`,
/// `key.copy_from_slice(..)`).
fn filled_vars(b: &syn::Block) -> HashSet<String> {
    struct F(HashSet<String>);
    impl<'ast> Visit<'ast> for F {
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            if r.mutability.is_some()
                && let Some(n) = crate::analyzers::rust::index::syntax::ident_of(&r.expr)
            {
                self.0.insert(n);
            }
            syn::visit::visit_expr_reference(self, r);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if matches!(
                m.method.to_string().as_str(),
                "fill"
                    | "try_fill"
                    | "fill_bytes"
                    | "try_fill_bytes"
                    | "copy_from_slice"
                    | "clone_from_slice"
            ) && let Some(n) = crate::analyzers::rust::index::syntax::ident_of(&m.receiver)
            {
                self.0.insert(n);
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut f = F(HashSet::new());
    f.visit_block(b);
    f.0
}

/// Names passed to `env::var(..)` anywhere in the file (consts holding them are not secrets).
fn env_names(file: &syn::File) -> HashSet<String> {
    struct E(HashSet<String>);
    impl<'ast> Visit<'ast> for E {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if path_segments(&c.func)
                .last()
                .is_some_and(|s| s == "var" || s == "var_os")
                && let Some(a) = c.args.first()
                && let Some(n) = path_segments(a).last()
            {
                self.0.insert(n.clone());
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut e = E(HashSet::new());
    e.visit_file(file);
    e.0
}

/// Module-level items: secret-named consts and statics, clap defaults on secret-named fields,
/// and key constructors inside static initialisers.
struct Items<'a, 'b> {
    v: Visitor<'a, 'b>,
    env_names: HashSet<String>,
}

impl Items<'_, '_> {
    fn named_const(&mut self, ident: &syn::Ident, expr: &Expr) {
        let name = ident.to_string();
        if !secret_name(&name) || self.env_names.contains(&name) {
            return;
        }
        if let Some((v, lit)) = str_lit(expr)
            && !v.is_empty()
            && !env_name_like(&v)
            && !names_itself(&name, &v)
            && !prose(&v)
            && !not_a_value(&v)
        {
            let span = self.v.rf.span(lit);
            self.v.emit(span, Why::Named(&name), None);
        }
    }
}

impl<'ast> Visit<'ast> for Items<'_, '_> {
    fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
    fn visit_impl_item_fn(&mut self, _: &'ast syn::ImplItemFn) {}
    fn visit_trait_item_fn(&mut self, _: &'ast syn::TraitItemFn) {}

    fn visit_item_const(&mut self, i: &'ast syn::ItemConst) {
        self.named_const(&i.ident, &i.expr);
        self.v.visit_expr(&i.expr);
    }
    fn visit_item_static(&mut self, i: &'ast syn::ItemStatic) {
        self.named_const(&i.ident, &i.expr);
        self.v.visit_expr(&i.expr);
    }
    fn visit_impl_item_const(&mut self, i: &'ast syn::ImplItemConst) {
        self.named_const(&i.ident, &i.expr);
        self.v.visit_expr(&i.expr);
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        let Some(ident) = &f.ident else {
            return;
        };
        let name = ident.to_string();
        if !secret_name(&name) {
            return;
        }
        for attr in &f.attrs {
            let syn::Meta::List(list) = &attr.meta else {
                continue;
            };
            let mut prev: Vec<proc_macro2::TokenTree> = Vec::new();
            for tt in list.tokens.clone() {
                if let proc_macro2::TokenTree::Literal(l) = &tt
                    && matches!(prev.as_slice(), [.., proc_macro2::TokenTree::Ident(k), proc_macro2::TokenTree::Punct(p)] if k == "default_value" && p.as_char() == '=')
                    && let Ok(syn::Lit::Str(s)) = syn::parse2::<syn::Lit>(tt.clone().into())
                    && !s.value().is_empty()
                    && !not_a_value(&s.value())
                {
                    let span =
                        crate::analyzers::rust::index::RustFile::span_in(self.v.rf.src, l.span());
                    self.v.emit(span, Why::Named(&name), None);
                }
                prev.push(tt);
            }
        }
    }
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
        rule: Rule::HardcodedSigningSecret,
        file: "src/auth.rs",
        prelude: r#"use jsonwebtoken::EncodingKey;"#,
        fail: &[
            r#"fn k() -> EncodingKey { EncodingKey::from_secret(b"my-super-secret-key") }"#,
            r#"fn s() -> String { std::env::var("JWT_SECRET").unwrap_or_else(|_| "dev-secret".to_string()) }"#,
            r#"fn s() -> String { std::env::var("JWT_SECRET").unwrap_or_else(|_| "0123".repeat(16)) }"#,
            r#"fn s() -> String { match std::env::var("JWT_SECRET") { Ok(s) => s, Err(_) => { let d = "your-secret-key".to_string(); d } } }"#,
            r#"fn h() -> SessionHandler<CookieStore> { SessionHandler::builder(CookieStore::new(), b"secretabsecretabsecretabsecretab") }"#,
        ],
        pass: &[
            r#"fn h() -> SessionHandler<CookieStore> { SessionHandler::builder(CookieStore::new(), std::env::var("SESSION_SECRET").expect("SESSION_SECRET").as_bytes()) }"#,
            r#"fn k() -> EncodingKey { EncodingKey::from_secret(std::env::var("JWT_SECRET").expect("JWT_SECRET").as_bytes()) }"#,
            r#"fn s() -> String { std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://localhost/dev".to_string()) }"#,
            r#"fn s() -> String { match std::env::var("JWT_SECRET") { Ok(s) => s, Err(_) => panic!("JWT_SECRET must be set") } }"#,
            r#"fn s() -> String { match std::env::var("THEME") { Ok(s) => s, Err(_) => "dark".repeat(1) } }"#,
        ],
    }];
}
