//! Records what a Rust file says about the auth design (who issues and verifies JWTs, who asks a
//! store, which handlers refresh and log out, where role claims decide access, which sessions) as
//! facts for the project pass. Reports nothing itself.
use super::calls::{COMMON_CALLS, pat_idents};
use super::names::{DENYLIST_WORDS, first_str_lit, is_handler_prefix, last_segment, text};
use super::stores::{self, Scope};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::{Context, Sink};
use crate::facts::{FactKind, TokenKind};
use std::cell::LazyCell;
use std::collections::{HashMap, HashSet};
use syn::visit::Visit;

mod frameworks;
mod role_claims;
mod session_calls;

pub fn collect(file: &RustFile, _ctx: &Context, sink: &mut Sink) {
    let mut v = Collector {
        file,
        sink,
        fns: Vec::new(),
        impl_trait: None,
        impl_self: None,
        let_name: None,
        loco: file.src.text.contains("loco_rs"),
        header_consts: frameworks::header_consts(file.ast),
        auth_session_seen: false,
        cfg_if_depth: 0,
    };
    v.visit_file(file.ast);
}

struct FnScope {
    name: String,
    /// JWTs encoded here: (span, names for the kind), resolved when the function ends.
    issued: Vec<(crate::finding::Span, Vec<String>)>,
    /// The callees already recorded (one `Calls` fact per callee, at its first call).
    called: HashSet<String>,
    /// The source text of every `let` initialiser, to see through `let store = RedisStore::new(..)`.
    let_text: HashMap<String, String>,
    /// Variables holding a verified token's claims or values read from them (`claims`,
    /// `token_details`, `access_token_uuid`): a store key made of them is a token key.
    claim_vars: HashSet<String>,
}

struct Collector<'a, 'f> {
    file: &'a RustFile<'f>,
    sink: &'a mut Sink,
    fns: Vec<FnScope>,
    impl_trait: Option<String>,
    /// The type of the enclosing `impl` block (`Claims` in `impl Claims { fn validate .. }`).
    impl_self: Option<String>,
    /// The variable the expression being visited is bound to (`session_id` in
    /// `let session_id = Uuid::new_v4()`).
    let_name: Option<String>,
    /// The file uses loco (`loco_rs::prelude::*`): its `auth::JWT` is loco's extractor.
    loco: bool,
    /// The file's consts holding a header an authenticating proxy forwards, by name.
    header_consts: HashMap<String, String>,
    /// An axum_session_auth `AuthSession` type was already recorded in this file.
    auth_session_seen: bool,
    /// How many `cfg_if!` bodies are being visited, one inside another.
    cfg_if_depth: usize,
}

impl<'f> Collector<'_, 'f> {
    fn fact(&mut self, kind: FactKind, node: &(impl syn::spanned::Spanned + 'static)) {
        let span = self.file.span(node);
        let function = self.fns.last().map(|f| f.name.clone());
        self.sink.fact(kind, span, function.as_deref());
    }

    fn enter_fn(&mut self, sig: &syn::Signature) {
        let name = sig.ident.to_string();
        let lower = name.to_ascii_lowercase();
        let param_types: Vec<String> = sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                syn::FnArg::Typed(t) => Some(text(&t.ty)),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let takes_next = param_types
            .iter()
            .any(|t| t.split_whitespace().any(|w| w == "Next"));
        // actix-web-httpauth's `BearerAuth`, axum's `TypedHeader<Authorization<Bearer>>`
        let takes_bearer = param_types
            .iter()
            .any(|t| t.contains("BearerAuth") || t.contains("Authorization < Bearer >"));
        let extractor = self
            .impl_trait
            .as_deref()
            .is_some_and(|t| t.starts_with("FromRequest"));
        // An actix-web `Transform` middleware's service (or a tower `Service`): `call` runs per
        // request.
        let service_call = name == "call" && self.impl_trait.as_deref() == Some("Service");
        let per_request = takes_next
            || takes_bearer
            || extractor
            || service_call
            || lower.contains("middleware")
            || lower.contains("auth_guard")
            || lower.contains("require_auth");
        let refresh = lower.contains("refresh") && !is_handler_prefix(&lower);
        let logout = ["logout", "log_out", "sign_out", "signout", "revoke"]
            .iter()
            .any(|w| lower.contains(w));
        let claim_vars = sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                syn::FnArg::Typed(t) if text(&t.ty).contains("Claims") => Some(&*t.pat),
                _ => None,
            })
            .flat_map(pat_idents)
            .collect();
        self.fns.push(FnScope {
            name,
            issued: Vec::new(),
            called: HashSet::new(),
            let_text: HashMap::new(),
            claim_vars,
        });
        if let Some(owner) = self.impl_self.clone() {
            self.fact(FactKind::FnOwner { owner }, &sig.ident);
        }
        self.loco_extractor(sig);
        if per_request {
            self.fact(FactKind::PerRequest, &sig.ident);
        }
        if refresh {
            self.fact(FactKind::RefreshHandler, &sig.ident);
        }
        if logout {
            self.fact(FactKind::LogoutHandler, &sig.ident);
        }
    }

    fn leave_fn(&mut self) {
        let Some(scope) = self.fns.pop() else { return };
        // The lifetime comes from the lifetime rule's evaluation (a `TokenLifetime` fact of the same
        // function), joined in the project pass.
        let lifetime = None;
        // A JWT a service account signs to call another provider (Google's JWT bearer grant) is
        // not a login of this application.
        if self
            .impl_self
            .as_deref()
            .is_some_and(super::token_names::outbound_credential)
        {
            return;
        }
        for (span, mut names) in scope.issued {
            names.insert(0, scope.name.clone());
            let token = TokenKind::from_names(names.iter().map(String::as_str));
            self.sink.fact(
                FactKind::JwtIssued {
                    token,
                    lifetime_secs: lifetime,
                },
                span,
                Some(&scope.name),
            );
        }
    }

    fn kind_here(&self, extra: &[String]) -> TokenKind {
        let mut names: Vec<&str> = self.fns.iter().rev().map(|f| f.name.as_str()).collect();
        names.extend(extra.iter().map(String::as_str));
        TokenKind::from_names(names)
    }

    fn sql(&mut self, sql: &str, node: &(impl syn::spanned::Spanned + 'static)) {
        if let Some(kind) = stores::sql_fact(sql) {
            self.fact(kind, node);
        }
    }

    /// Records that the current function calls `callee` (once per callee, at its first call).
    fn call(&mut self, callee: String, node: &(impl syn::spanned::Spanned + 'static)) {
        let bare = callee.rsplit("::").next().unwrap_or(&callee);
        if !bare.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            || (!callee.contains("::") && COMMON_CALLS.contains(&bare))
        {
            return;
        }
        let Some(scope) = self.fns.last_mut() else {
            return;
        };
        if scope.called.insert(callee.clone()) {
            self.fact(FactKind::Calls { callee }, node);
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_, '_> {
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let saved = self.impl_trait.take();
        let saved_self = self.impl_self.take();
        self.impl_trait = i.trait_.as_ref().map(|(_, p, _)| last_segment(p));
        self.impl_self = match &*i.self_ty {
            syn::Type::Path(p) => Some(last_segment(&p.path)),
            _ => None,
        };
        syn::visit::visit_item_impl(self, i);
        self.impl_trait = saved;
        self.impl_self = saved_self;
    }

    fn visit_item_fn(&mut self, i: &'ast syn::ItemFn) {
        self.enter_fn(&i.sig);
        syn::visit::visit_item_fn(self, i);
        self.leave_fn();
    }

    fn visit_impl_item_fn(&mut self, i: &'ast syn::ImplItemFn) {
        self.enter_fn(&i.sig);
        syn::visit::visit_impl_item_fn(self, i);
        self.leave_fn();
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        if f.ident.as_ref().is_some_and(|i| i == "grant_type") {
            self.fact(FactKind::TokenEndpoint, f);
        }
        syn::visit::visit_field(self, f);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        self.introspection_request(s);
        syn::visit::visit_item_struct(self, s);
    }

    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        self.auth_session_type(t);
        syn::visit::visit_type_path(self, t);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init
            && let Some(scope) = self.fns.last_mut()
        {
            // Printed once: the `let` table and the claims test both read the text.
            let init_text = text(&init.expr);
            let words = stores::idents_of(&init_text);
            let from_claims = words.iter().any(|w| {
                let lower = w.to_ascii_lowercase();
                scope.claim_vars.contains(w)
                    || lower == "claims"
                    || lower.contains("decode")
                    || lower.contains("verify")
                    || lower.contains("validate")
            });
            if from_claims {
                scope.claim_vars.extend(pat_idents(&l.pat));
            }
            if let syn::Pat::Ident(id) = &l.pat {
                scope.let_text.insert(id.ident.to_string(), init_text);
            }
        }
        let outer = self.let_name.take();
        if let syn::Pat::Ident(id) = &l.pat {
            self.let_name = Some(id.ident.to_string());
        }
        syn::visit::visit_local(self, l);
        self.let_name = outer;
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            let name = last_segment(&p.path);
            let full = text(&p.path).replace(' ', "");
            match name.as_str() {
                "encode" if c.args.len() == 3 => {
                    let names: Vec<String> = c.args.iter().map(text).collect();
                    let span = self.file.span(c);
                    if let Some(scope) = self.fns.last_mut() {
                        scope.issued.push((span, names));
                    } else {
                        self.sink.fact(
                            FactKind::JwtIssued {
                                token: TokenKind::from_names(names.iter().map(String::as_str)),
                                lifetime_secs: None,
                            },
                            span,
                            None,
                        );
                    }
                }
                // `VerifyWithKey::verify_with_key(token, &key)`, josekit's `decode_with_verifier`
                "verify_with_key" | "decode_with_verifier" | "decode_with_verifier_selector" => {
                    let names: Vec<String> = c.args.iter().map(text).collect();
                    let token = self.kind_here(&names);
                    self.fact(FactKind::JwtVerified { token }, c);
                }
                "from_request" | "from_request_parts"
                    if full.contains("BearerAuth") || full.contains("Bearer") =>
                {
                    self.fact(FactKind::PerRequest, c);
                }
                "delete" | "update"
                    if !full.contains("diesel")
                        && c.args.first().is_some_and(|a| {
                            stores::query_tables(a)
                                .iter()
                                .any(|t| name == "delete" || stores::is_token_store(t))
                        }) =>
                {
                    let table = c.args.first().map(stores::query_tables).unwrap_or_default();
                    self.fact(
                        FactKind::StoreRevoke {
                            store: table
                                .first()
                                .map_or("diesel".into(), |t| format!("the `{t}` table")),
                        },
                        c,
                    );
                }
                "decode" if c.args.len() == 3 || full.contains("decode::<") => {
                    let names: Vec<String> = c.args.iter().map(text).collect();
                    let token = self.kind_here(&names);
                    self.fact(FactKind::JwtVerified { token }, c);
                }
                "query" | "query_as" | "query_scalar"
                    if full.contains("sqlx") || c.args.len() == 1 =>
                {
                    if let Some(sql) = first_str_lit(&c.args) {
                        self.sql(&sql, c);
                    }
                }
                "cmd" if full.contains("redis") => {
                    if let Some(cmd) = first_str_lit(&c.args) {
                        let cmd = cmd.to_ascii_uppercase();
                        if ["DEL", "SREM", "HDEL", "UNLINK"].contains(&cmd.as_str()) {
                            self.fact(
                                FactKind::StoreRevoke {
                                    store: "redis".into(),
                                },
                                c,
                            );
                        } else if ["GET", "EXISTS", "SISMEMBER", "HGET", "HEXISTS"]
                            .contains(&cmd.as_str())
                        {
                            self.fact(
                                FactKind::StoreLookup {
                                    store: "redis".into(),
                                },
                                c,
                            );
                        }
                    }
                }
                _ if self.session_call(&name, &full, c) => {}
                _ if full.contains("header") => self.proxy_header_call(&full, c),
                "delete" if full.contains("diesel") => self.fact(
                    FactKind::StoreRevoke {
                        store: "diesel".into(),
                    },
                    c,
                ),
                _ => {}
            }
            // `Claims::validate(..)` is recorded as such, to find it among other `validate`s.
            let segs: Vec<String> = super::syntax::idents(&p.path);
            let callee = match segs.as_slice() {
                [.., owner, _]
                    if owner != "Self"
                        && owner
                            .chars()
                            .next()
                            .is_some_and(|ch| ch.is_ascii_uppercase()) =>
                {
                    format!("{owner}::{name}")
                }
                _ => name,
            };
            self.call(callee, c);
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        // Printed only for the methods that read them: printing every call's receiver and
        // arguments was the collector's largest cost.
        let receiver = LazyCell::new(|| super::names::receiver_text(m).to_ascii_lowercase());
        let args = LazyCell::new(|| {
            let printed: Vec<String> = m.args.iter().map(text).collect();
            printed.join(" ").to_ascii_lowercase()
        });
        let about_denylist = || {
            DENYLIST_WORDS
                .iter()
                .any(|w| receiver.contains(w) || args.contains(w))
        };
        self.named_store_call(&method, m);
        self.proxy_header_method(m);
        self.granted_claims(m);
        if self.loco_generate_token(m) {
            self.visit_method_args(m);
            return;
        }
        let token_lookup = self.fns.last().and_then(|f| {
            stores::method_lookup(
                m,
                &Scope {
                    claim_vars: &f.claim_vars,
                    let_text: &f.let_text,
                },
            )
        });
        if let Some(kind) = token_lookup {
            // the line of the lookup itself in a chain (`.get::<_, String>(key)`, `.one(db)`)
            self.fact(kind, &m.method);
            self.call(method, &m.method);
            self.visit_method_args(m);
            return;
        }
        match method.as_str() {
            // the `jwt` crate's `SignWithKey`, jwt-simple's `key.authenticate(claims)`
            "sign_with_key" | "authenticate"
                if method == "sign_with_key" || args.contains("claims") =>
            {
                let span = self.file.span(m);
                let names = vec![(*receiver).clone()];
                if let Some(scope) = self.fns.last_mut() {
                    scope.issued.push((span, names));
                }
            }
            "verify_with_key" | "verify_token" | "into_decoded" | "decode_with_verifier" => {
                let token = self.kind_here(std::slice::from_ref(&*receiver));
                self.fact(FactKind::JwtVerified { token }, m);
            }
            "contains" | "contains_key" | "sismember" | "exists" | "get" | "hget" | "hexists"
                if about_denylist() =>
            {
                let store = if ["sismember", "exists", "hget", "hexists"].contains(&method.as_str())
                    || receiver.contains("redis")
                {
                    "a Redis deny list"
                } else {
                    "an in-memory deny list"
                };
                self.fact(
                    FactKind::DenylistLookup {
                        store: store.into(),
                    },
                    m,
                );
            }
            "insert" | "sadd" | "set_ex" | "set" if about_denylist() => {
                self.fact(
                    FactKind::StoreRevoke {
                        store: "deny list".into(),
                    },
                    m,
                );
            }
            "del" | "srem" | "hdel" | "unlink" => self.fact(
                FactKind::StoreRevoke {
                    store: "redis".into(),
                },
                m,
            ),
            "delete_by_id" | "delete_many" => self.fact(
                FactKind::StoreRevoke {
                    store: "sea-orm".into(),
                },
                m,
            ),
            "exists" | "sismember" | "hget" | "hexists" => self.fact(
                FactKind::StoreLookup {
                    store: "redis".into(),
                },
                m,
            ),
            "first" | "get_result" | "get_results" | "load" | "first_async"
                if receiver.contains("filter") || receiver.contains("find") =>
            {
                self.fact(
                    FactKind::StoreLookup {
                        store: "diesel".into(),
                    },
                    m,
                );
            }
            "one" | "all" if receiver.contains("find") => self.fact(
                FactKind::StoreLookup {
                    store: "sea-orm".into(),
                },
                m,
            ),
            "allow_credentials" | "supports_credentials"
                if m.args.is_empty() || args.contains("true") =>
            {
                self.fact(FactKind::CorsCredentials, m);
            }
            "contains" | "iter" | "any" => self.role_listed(m, &receiver),
            _ => {}
        }
        self.call(method, &m.method);
        self.visit_method_args(m);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        self.role_compared(b);
        syn::visit::visit_expr_binary(self, b);
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        let cond = match &*i.cond {
            syn::Expr::Unary(u) => &*u.expr,
            other => other,
        };
        self.role_tested(cond, &i.cond);
        syn::visit::visit_expr_if(self, i);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.role_tested(&m.expr, &m.expr);
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = last_segment(&mac.path);
        if name == "cfg_if" {
            self.cfg_if_items(mac);
        }
        if matches!(
            name.as_str(),
            "query" | "query_as" | "query_scalar" | "query_file"
        ) && let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) && let Some(sql) = args.iter().find_map(|a| match a {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }) {
            self.sql(&sql, mac);
        }
        if name == "matches" {
            self.role_matched(mac);
        }
        syn::visit::visit_macro(self, mac);
    }
}

impl Collector<'_, '_> {
    /// Visits a method call's parts; a closure given to `wrap_fn` (actix-web) or `from_fn`
    /// (axum) is a middleware of its own that runs on every request.
    fn visit_method_args(&mut self, m: &syn::ExprMethodCall) {
        let middleware = matches!(m.method.to_string().as_str(), "wrap_fn" | "from_fn");
        self.visit_expr(&m.receiver);
        for a in &m.args {
            match a {
                syn::Expr::Closure(c) if middleware => {
                    let outer = self.fns.last().map_or("main", |f| f.name.as_str());
                    let name = format!("{outer}::{}", m.method);
                    self.fns.push(FnScope {
                        name,
                        issued: Vec::new(),
                        called: HashSet::new(),
                        let_text: HashMap::new(),
                        claim_vars: HashSet::new(),
                    });
                    self.fact(FactKind::PerRequest, &m.method);
                    self.visit_expr(&c.body);
                    self.leave_fn();
                }
                _ => self.visit_expr(a),
            }
        }
    }

    /// A call whose name says it reads or deletes a stored token, session, device or user.
    fn named_store_call(&mut self, name: &str, node: &(impl syn::spanned::Spanned + 'static)) {
        if let Some(kind) = stores::named_store_call(name) {
            self.fact(kind, node);
        }
    }
}
