//! Follows cookies of the `cookie` crate through one file: where each is created, which attributes
//! are set on it (builder methods, `set_*` on a binding, helpers that return a builder), and who
//! adds it (a jar, a response builder, Rocket's `add` / `add_private`) or removes it.
use super::model::{self as model, Adder, Attrs, CookieName, Purpose};
use crate::analyzers::Context;
use crate::analyzers::rust::index::RustFile;
use crate::finding::Span;
use crate::manifest::version_tuple;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use syn::visit::Visit;

/// Crates whose `Cookie` is a client's (an HTTP client or a browser driver), not a response's.
const CLIENT_CRATES: &[&str] = &[
    "reqwest",
    "cookie_store",
    "reqwest_cookie_store",
    "thirtyfour",
    "fantoccini",
    "headless_chrome",
    "chromiumoxide",
    "ureq",
    "isahc",
    "surf",
    "awc",
    "user_agent",
];

/// How the cookie was made, which decides how the fix is worded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Style {
    /// `Cookie::build(..)` / `CookieBuilder::new(..)`, finished by `.finish()` / `.build()` or not.
    Builder { finish: Option<&'static str> },
    /// `Cookie::new(..)`, bound to a name or not.
    New { binding: Option<String> },
    /// A `(name, value)` tuple handed to a jar.
    Tuple,
    /// `Cookie::parse("...")`.
    Parsed,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub origin: Span,
    pub name: CookieName,
    pub value_auth: bool,
    /// The helper parameters that give the name and the value, filled in by each caller.
    pub(super) name_param: Option<usize>,
    pub(super) value_param: Option<usize>,
    pub attrs: Attrs,
    pub removal: bool,
    pub style: Style,
    pub labels: Vec<(Span, String)>,
    pub adders: Vec<Adder>,
    pub returned: bool,
    /// Conditional nesting where the cookie was made: attributes set deeper are conditional.
    pub(super) depth: usize,
}

impl Record {
    pub fn purpose(&self) -> Purpose {
        model::purpose(&self.name, self.value_auth)
    }

    pub fn name_text(&self) -> String {
        match &self.name {
            CookieName::Known(n) => format!("{n:?}"),
            CookieName::Named(n) => n.clone(),
            CookieName::Unknown => "name".into(),
        }
    }
}

pub struct FnDef<'a> {
    pub name: String,
    pub(super) params: Vec<String>,
    pub(super) body: &'a syn::Block,
    /// Logout and removal helpers only ever delete cookies.
    pub(super) removal_context: bool,
    /// A free function (not a method): other files can call it by its path.
    pub(super) free: bool,
}

pub struct FileInfo<'a> {
    pub(super) src: &'a crate::source::SourceFile,
    pub(super) consts: HashMap<String, String>,
    pub(super) fns: Vec<FnDef<'a>>,
    called: HashSet<String>,
    /// Rocket 0.5+: `CookieJar::add` fills in `SameSite=Strict`.
    pub(super) rocket_add_defaults: bool,
    pub client_side: bool,
    /// The cookie each helper returns, once evaluated (see `eval`).
    pub(super) memo: RefCell<HashMap<String, Option<Record>>>,
}

fn is_removal_name(name: &str) -> bool {
    model::words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "remove"
                | "removal"
                | "clear"
                | "delete"
                | "unset"
                | "expire"
                | "expired"
                | "logout"
                | "signout"
        )
    }) || name.contains("log_out")
        || name.contains("sign_out")
}

fn params_of(sig: &syn::Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .map(|a| match a {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(i) => i.ident.to_string(),
                _ => String::new(),
            },
            syn::FnArg::Receiver(_) => "self".into(),
        })
        .filter(|p| p != "self")
        .collect()
}

impl<'a> FileInfo<'a> {
    pub fn new(rf: &'a RustFile<'_>, ctx: &Context) -> Self {
        struct Collect<'a> {
            pub(super) fns: Vec<FnDef<'a>>,
            called: HashSet<String>,
            uses: Vec<String>,
        }
        impl<'a> Visit<'a> for Collect<'a> {
            fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
                self.fns.push(FnDef {
                    name: f.sig.ident.to_string(),
                    params: params_of(&f.sig),
                    body: &f.block,
                    removal_context: is_removal_name(&f.sig.ident.to_string()),
                    free: true,
                });
                syn::visit::visit_item_fn(self, f);
            }
            fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
                self.fns.push(FnDef {
                    name: f.sig.ident.to_string(),
                    params: params_of(&f.sig),
                    body: &f.block,
                    removal_context: is_removal_name(&f.sig.ident.to_string()),
                    free: false,
                });
                syn::visit::visit_impl_item_fn(self, f);
            }
            fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
                if let Some(last) = model::path_tail(&c.func, 1).pop() {
                    self.called.insert(last);
                }
                syn::visit::visit_expr_call(self, c);
            }
            fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
                self.called.insert(m.method.to_string());
                syn::visit::visit_expr_method_call(self, m);
            }
            fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
                // A function passed by name (`.map(session_cookie)`).
                if let Some(last) = p.path.segments.last() {
                    self.called.insert(last.ident.to_string());
                }
            }
            fn visit_use_tree(&mut self, t: &'a syn::UseTree) {
                if let syn::UseTree::Path(p) = t {
                    self.uses.push(p.ident.to_string());
                }
                syn::visit::visit_use_tree(self, t);
            }
        }
        let mut c = Collect {
            fns: Vec::new(),
            called: HashSet::new(),
            uses: Vec::new(),
        };
        c.visit_file(rf.ast);
        let text = &rf.src.text;
        let rocket = text.contains("rocket::") || c.uses.iter().any(|u| u == "rocket");
        let old_rocket = {
            let v = ctx.project.locked_versions(&rf.src.abs_path, "rocket");
            !v.is_empty() && v.iter().all(|v| version_tuple(v) < (0, 5, 0))
        };
        let server = c.uses.iter().any(|u| {
            matches!(
                u.as_str(),
                "cookie"
                    | "actix_web"
                    | "axum_extra"
                    | "tower_cookies"
                    | "rocket"
                    | "poem"
                    | "salvo"
                    | "tower_sessions"
                    | "axum"
                    | "actix_http"
                    | "tide"
                    | "ntex"
            )
        });
        let client = c.uses.iter().any(|u| CLIENT_CRATES.contains(&u.as_str()));
        FileInfo {
            src: rf.src,
            consts: model::string_consts(rf.ast),
            fns: c.fns,
            called: c.called,
            rocket_add_defaults: rocket && !old_rocket,
            client_side: client && !server,
            memo: RefCell::new(HashMap::new()),
        }
    }

    pub fn fns(&self) -> &[FnDef<'a>] {
        &self.fns
    }

    pub fn is_called(&self, name: &str) -> bool {
        self.called.contains(name)
    }
}
