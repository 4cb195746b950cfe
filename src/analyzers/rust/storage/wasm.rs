//! Rust front ends compiled to WASM (Yew, Leptos, Dioxus, Sycamore):
//! - `token-in-web-storage`: a token written with web_sys `Storage::set_item`, gloo-storage
//!   `LocalStorage::set`/`SessionStorage::set`, leptos-use `use_local_storage`/`use_storage`,
//!   dioxus-sdk `use_persistent`/`use_synced_storage`/`use_storage`, yewdux
//!   `#[store(storage = "local")]`, or the file's own wrapper function around one of them;
//! - `token-cookie-set-by-script`: an auth cookie written with `HtmlDocument::set_cookie` or
//!   wasm-cookies `set`, which can never be `HttpOnly`.
//!
//! A token is written when the key or the value says so (`access_token`, `jwt`, a `User` with a
//! `token` field). A key that only mentions a token next to a flag or a time
//! (`token_banner_closed`, `token_expires_at`) is not one.
use super::keys::{
    FLAG_CODE, Stored, carried_token, classify_key, cookie_name, cookie_report,
    is_auth_cookie_name, is_flag_value, storage_report, type_name, yewdux_stores,
};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::names::{WEB_MARKERS, ends};
use crate::analyzers::rust::index::syntax::{
    FileIndex, FnItem, Lets, ident_of, macro_args, macro_blocks, macro_name, pat_name,
    path_segments, peel, str_lit,
};
use crate::analyzers::{Context, Sink};
use crate::finding::{Report, Span};
use crate::rule::Rule;
use std::collections::HashMap;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

pub const STORAGE: Rule = Rule::TokenInWebStorage;
pub const COOKIE: Rule = Rule::TokenCookieSetByScript;

pub fn check(rf: &RustFile, _ctx: &Context, sink: &mut Sink) {
    let text = &rf.src.text;
    let web = WEB_MARKERS.iter().any(|s| text.contains(s));
    if !web {
        return;
    }
    let index = rf.index();
    // Wrappers: functions that pass two of their parameters on as key and value.
    let mut wrappers: HashMap<String, (usize, usize, &'static str)> = HashMap::new();
    for (f, lets) in index.fns_with_lets() {
        let mut v = Visitor::new(rf, index, lets, f);
        v.visit_block(f.block);
        for (store, key, value, at) in v.param_writes {
            let params = param_names(f.sig);
            if let (Some(k), Some(val)) = (
                params.iter().position(|p| *p == key),
                params.iter().position(|p| *p == value),
            ) {
                wrappers.insert(f.name.to_string(), (k, val, store));
                // Other files may call it: the project index joins their calls.
                if f.self_ty.is_none() {
                    sink.fact(
                        crate::facts::FactKind::StorageWrapper {
                            key_param: k,
                            value_param: val,
                            store: store.to_string(),
                        },
                        // At the write: where a finding about a call names what the wrapper does.
                        at,
                        Some(&f.name.to_string()),
                    );
                }
            }
        }
        sink.extend(v.reports);
        if f.self_ty.is_none() {
            for (span, name_param) in v.cookie_wrappers {
                sink.fact(
                    crate::facts::FactKind::CookieWrapper { name_param },
                    span,
                    Some(&f.name.to_string()),
                );
            }
        }
        for (span, callee, args) in v.foreign {
            sink.fact(
                crate::facts::FactKind::StorageCall { callee, args },
                span,
                Some(&f.name.to_string()),
            );
        }
    }
    if !wrappers.is_empty() {
        for (f, lets) in index.fns_with_lets() {
            let mut v = Visitor::new(rf, index, lets, f);
            v.wrappers = Some(&wrappers);
            v.only_wrappers = true;
            v.visit_block(f.block);
            sink.extend(v.reports);
        }
    }
    yewdux_stores(rf, index, sink);
    sink.client_storage_facts();
}

fn param_names(sig: &syn::Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => pat_name(&t.pat),
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// What a call's argument says as a storage key (its text and class) and as a stored value,
/// in the codes of [`Stored::code`].
type ArgSeen = (String, u8, u8);

struct Visitor<'a, 'b> {
    rf: &'b RustFile<'a>,
    index: &'b FileIndex<'a>,
    lets: &'b Lets<'a>,
    f: FnItem<'a>,
    reports: Vec<Report>,
    /// Writes whose key and value are parameters: `(store, key param, value param, where)`.
    param_writes: Vec<(&'static str, String, String, Span)>,
    wrappers: Option<&'b HashMap<String, (usize, usize, &'static str)>>,
    only_wrappers: bool,
    /// Calls into other files with a token-like argument: `(span, callee, args)`.
    foreign: Vec<(Span, String, Vec<ArgSeen>)>,
    /// Cookies written by script under the name of a parameter: `(span, parameter)`.
    cookie_wrappers: Vec<(Span, usize)>,
}

impl<'a, 'b> Visitor<'a, 'b> {
    fn new(
        rf: &'b RustFile<'a>,
        index: &'b FileIndex<'a>,
        lets: &'b Lets<'a>,
        f: FnItem<'a>,
    ) -> Self {
        Visitor {
            rf,
            index,
            lets,
            f,
            reports: Vec::new(),
            param_writes: Vec::new(),
            wrappers: None,
            only_wrappers: false,
            foreign: Vec::new(),
            cookie_wrappers: Vec::new(),
        }
    }

    /// The text of a key: a literal, or a const/let holding one.
    fn key_text(&self, e: &Expr, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        if let Some((v, _)) = str_lit(e) {
            return Some(v);
        }
        if let Expr::Macro(m) = peel(e)
            && macro_name(&m.mac) == "format"
            && let Some(first) = macro_args(&m.mac).first()
        {
            return str_lit(first).map(|(v, _)| v);
        }
        let name = ident_of(e).or_else(|| path_segments(e).last().cloned())?;
        let bound = self
            .lets
            .get(&name, e.span().start())
            .or_else(|| self.index.consts.get(&name).copied());
        match bound {
            Some(b) => self.key_text(b, depth + 1),
            // An unresolved name still says something: `TOKEN_KEY`.
            None => Some(name),
        }
    }

    /// The source of a receiver, and of the `let` it names (`storage` bound to
    /// `window().local_storage()`).
    fn receiver_text(&self, e: &Expr) -> String {
        let mut text = ends(self.rf.src.snippet(self.rf.span(e))).into_owned();
        if let Some(n) = ident_of(e)
            && let Some(b) = self.lets.get(&n, e.span().start())
        {
            text.push_str(&ends(self.rf.src.snippet(self.rf.span(b))));
        }
        text
    }

    /// The position of the parameter an expression names (receiver not counted).
    fn param_index(&self, e: &Expr) -> Option<usize> {
        let n = ident_of(e)?;
        param_names(self.f.sig).iter().position(|p| *p == n)
    }

    fn is_param(&self, e: &Expr) -> Option<String> {
        let n = ident_of(e)?;
        param_names(self.f.sig).contains(&n).then_some(n)
    }

    /// Judges one write of `value` under `key` to `store`.
    fn write(&mut self, span: Span, store: &'static str, key: &Expr, value: Option<&Expr>) {
        if let (Some(k), Some(v)) = (self.is_param(key), value.and_then(|v| self.is_param(v))) {
            self.param_writes.push((store, k, v, span));
            return;
        }
        if self.only_wrappers {
            return;
        }
        let key_text = self.key_text(key, 0).unwrap_or_default();
        if let Some(v) = value
            && is_flag_value(v)
        {
            return;
        }
        let stored = classify_key(&key_text).or_else(|| value.and_then(|v| self.value_kind(v, 0)));
        if let Some(stored) = stored {
            self.reports
                .push(storage_report(span, stored, store, &key_text));
        }
    }

    /// What the value says it is: a token by its name, or a value of a type carrying one.
    fn value_kind(&self, e: &Expr, depth: usize) -> Option<Stored> {
        if depth > 4 {
            return None;
        }
        match peel(e) {
            Expr::Field(f) => {
                let syn::Member::Named(i) = &f.member else {
                    return None;
                };
                if let Some(k) = classify_key(&i.to_string()) {
                    return Some(k);
                }
                // `self.state` where the field's type carries a token.
                let is_self = matches!(peel(&f.base), Expr::Path(p) if p.path.is_ident("self"));
                let owner = self.f.self_name().filter(|_| is_self)?;
                let syn::Fields::Named(fields) = &self.index.structs.get(&owner)?.fields else {
                    return None;
                };
                let field = fields.named.iter().find(|x| x.ident.as_ref() == Some(i))?;
                carried_token(self.index, &type_name(&field.ty)?, 0).map(|_| Stored::Carrier)
            }
            Expr::MethodCall(m) => self.value_kind(&m.receiver, depth + 1),
            Expr::Call(c) => c.args.first().and_then(|a| self.value_kind(a, depth + 1)),
            Expr::Macro(m) => macro_args(&m.mac)
                .iter()
                .skip(1)
                .find_map(|a| self.value_kind(a, depth + 1)),
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                if let Some(k) = classify_key(&name) {
                    return Some(k);
                }
                let ty = self.type_of(&name, p.span().start())?;
                carried_token(self.index, &ty, 0).map(|_| Stored::Carrier)
            }
            _ => None,
        }
    }

    /// The struct type of a variable: from a struct literal it is bound to, or a parameter type.
    fn type_of(&self, name: &str, at: proc_macro2::LineColumn) -> Option<String> {
        if let Some(Expr::Struct(s)) = self.lets.get(name, at).map(peel) {
            return s.path.segments.last().map(|x| x.ident.to_string());
        }
        self.f.sig.inputs.iter().find_map(|a| match a {
            syn::FnArg::Typed(t) if pat_name(&t.pat).as_deref() == Some(name) => type_name(&t.ty),
            _ => None,
        })
    }

    /// A call into another file with a token-like key or value among its arguments: recorded
    /// for the project index, which knows whether the callee is a storage wrapper.
    fn foreign_call(&mut self, c: &syn::ExprCall, segs: &[String]) {
        let args: Vec<ArgSeen> = c
            .args
            .iter()
            .map(|a| {
                let key = self.key_text(a, 0).unwrap_or_default();
                let value = if is_flag_value(a) {
                    FLAG_CODE
                } else {
                    Stored::code(self.value_kind(a, 0))
                };
                (key.clone(), Stored::code(classify_key(&key)), value)
            })
            .collect();
        if args
            .iter()
            .any(|(_, k, v)| *k != 0 || (*v != 0 && *v != FLAG_CODE))
        {
            self.foreign.push((self.rf.span(c), segs.join("::"), args));
        }
    }

    fn cookie(&mut self, span: Span, name: String, via: &str) {
        if self.only_wrappers {
            return;
        }
        if is_auth_cookie_name(&name) {
            self.reports.push(cookie_report(span, &name, via));
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for b in macro_blocks(&mac.tokens) {
            self.visit_block(&b);
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        let rf = self.rf;
        let span = || rf.span(m);
        match (name.as_str(), m.args.len()) {
            ("set_item", 2) => {
                let chain = self.receiver_text(&m.receiver);
                let store = if chain.contains("session_storage") || chain.contains("SessionStorage")
                {
                    "sessionStorage"
                } else {
                    "localStorage"
                };
                self.write(span(), store, &m.args[0], Some(&m.args[1]));
            }
            // web_sys `Storage::set` (the named setter), e.g. on `LocalStorage::raw()`.
            ("set", 2) => {
                let chain = self.receiver_text(&m.receiver);
                let store = if chain.contains("session_storage")
                    || chain.contains("SessionStorage::raw")
                {
                    Some("sessionStorage")
                } else if chain.contains("local_storage") || chain.contains("LocalStorage::raw") {
                    Some("localStorage")
                } else {
                    None
                };
                if let Some(store) = store {
                    self.write(span(), store, &m.args[0], Some(&m.args[1]));
                }
            }
            ("set_cookie", 1) => {
                let arg = &m.args[0];
                let text = match peel(arg) {
                    Expr::Macro(mac) if macro_name(&mac.mac) == "format" => {
                        let args = macro_args(&mac.mac);
                        let fmt = args.first().and_then(|a| str_lit(a)).map(|(v, _)| v);
                        match fmt {
                            Some(f) if f.starts_with("{}") => args
                                .get(1)
                                .and_then(|a| self.key_text(a, 0))
                                .map(|n| format!("{n}{}", &f[2..])),
                            other => other,
                        }
                    }
                    _ => self.key_text(arg, 0),
                };
                if let Some(name) = text.as_deref().and_then(cookie_name) {
                    self.cookie(span(), name.to_string(), "HtmlDocument::set_cookie");
                }
            }
            _ => {}
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        let last = segs.last().map(String::as_str).unwrap_or("");
        let ty = segs
            .len()
            .checked_sub(2)
            .map(|i| segs[i].as_str())
            .unwrap_or("");
        // Only when a call matches: a span prints the call's tokens, quadratic in `f()()()…`.
        let rf = self.rf;
        let span = || rf.span(c);
        let arg = |i: usize| c.args.iter().nth(i);
        let local = |s: &str| {
            if s.contains("ession") {
                "sessionStorage"
            } else {
                "localStorage"
            }
        };
        match (ty, last) {
            ("LocalStorage" | "SessionStorage", "set") if c.args.len() == 2 => {
                self.write(span(), local(ty), &c.args[0], arg(1));
            }
            (
                _,
                "use_local_storage"
                | "use_session_storage"
                | "use_local_storage_with_options"
                | "use_session_storage_with_options",
            ) => {
                if let Some(k) = arg(0) {
                    self.write(span(), local(last), k, None);
                }
            }
            (_, "use_storage" | "use_storage_with_options") if c.args.len() >= 2 => {
                let kind = self.rf.src.snippet(self.rf.span(&c.args[0]));
                let store = if kind.contains("Session") {
                    "sessionStorage"
                } else {
                    "localStorage"
                };
                if kind.contains("Storage") {
                    self.write(span(), store, &c.args[1], None);
                } else {
                    // dioxus-sdk `use_storage::<LocalStorage, T>(key, init)`.
                    self.write(span(), store, &c.args[0], None);
                }
            }
            (_, "use_persistent" | "use_synced_storage") if !c.args.is_empty() => {
                self.write(span(), "localStorage", &c.args[0], None);
            }
            (_, "set" | "set_raw")
                if c.args.len() >= 2
                    && (segs.iter().any(|s| s == "wasm_cookies")
                        || (ty == "cookies" && self.rf.src.text.contains("wasm_cookies"))) =>
            {
                if let Some(p) = self.param_index(&c.args[0]) {
                    // A wrapper (`set_cookie_wrapper(name, value)`): its callers name the cookie.
                    self.cookie_wrappers.push((span(), p));
                } else if let Some(name) = self.key_text(&c.args[0], 0) {
                    self.cookie(span(), name, "wasm_cookies::set");
                }
            }
            (_, name)
                if c.args.len() >= 2 && self.wrappers.is_some_and(|w| w.contains_key(name)) =>
            {
                let (k, v, store) = self.wrappers.and_then(|w| w.get(name)).copied().unwrap_or((
                    0,
                    1,
                    "localStorage",
                ));
                if let (Some(key), Some(value)) = (arg(k), arg(v)) {
                    let was = self.only_wrappers;
                    self.only_wrappers = false;
                    self.write(span(), store, key, Some(value));
                    self.only_wrappers = was;
                }
            }
            (_, _) if !self.only_wrappers && (2..=3).contains(&c.args.len()) => {
                self.foreign_call(c, &segs);
            }
            _ => {}
        }
        syn::visit::visit_expr_call(self, c);
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

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::TokenInWebStorage,
            file: "src/app.rs",
            prelude: r#"use gloo_storage::{LocalStorage, Storage};"#,
            fail: &[
                r#"fn save(token: String) { LocalStorage::set("access_token", token).unwrap(); }"#,
            ],
            pass: &[r#"fn save(theme: String) { LocalStorage::set("theme", theme).unwrap(); }"#],
        },
        Cases {
            rule: Rule::TokenCookieSetByScript,
            file: "src/app.rs",
            prelude: r#"use wasm_cookies::CookieOptions;"#,
            fail: &[
                r#"fn save(t: &str) { wasm_cookies::set("session_token", t, &CookieOptions::default()); }"#,
            ],
            pass: &[
                r#"fn save(t: &str) { wasm_cookies::set("locale", t, &CookieOptions::default()); }"#,
            ],
        },
    ];
}
