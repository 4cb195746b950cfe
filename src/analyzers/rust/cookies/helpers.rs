//! Cookie helpers across files, for the project index: a free function that returns a cookie
//! named by its parameter (`fn new_cookie(name: &str, v: String) -> Cookie`) and the calls of
//! functions this file does not define that give an auth cookie name (`new_cookie("token", t)`).
//! The project pass joins them (`design::value_rules`) and reports the helper's cookie under the
//! caller's name.
use super::flow::{FileInfo, FnDef, Record};
use super::model::{self as model, Adder, CookieName, Problem, Purpose};
use crate::analyzers::Sink;
use crate::analyzers::rust::index::RustFile;
use crate::facts::FactKind;
use crate::rule::Rule;
use syn::visit::Visit;

/// At most this many helper calls are recorded per file.
const MAX_CALLS: usize = 64;

/// The attributes a helper's cookie lacks whatever name the caller gives it (as for an auth
/// cookie), each with its fix: `None` when the helper is not one.
pub(super) fn missing(
    f: &FnDef,
    rec: &Record,
    help: impl Fn(Rule) -> String,
) -> Option<Vec<(Rule, String)>> {
    // A cookie the file already reports (its value says it is auth) is not reported again.
    if !f.free
        || !rec.returned
        || rec.removal
        || rec.name_param.is_none()
        || matches!(rec.purpose(), Purpose::Auth | Purpose::Csrf)
    {
        return None;
    }
    let attrs = rec.attrs.with_defaults(Adder::Plain);
    let missing: Vec<(Rule, String)> = model::problems(&attrs, &CookieName::Unknown, Purpose::Auth)
        .into_iter()
        .filter(|(_, p)| *p == Problem::Absent)
        .map(|(rule, _)| (rule, help(rule)))
        .collect();
    (!missing.is_empty()).then_some(missing)
}

/// Records the calls of functions this file does not define that give an auth or CSRF cookie
/// name as an argument (a literal or a string const of the file).
pub(super) fn calls(rf: &RustFile, info: &FileInfo, sink: &mut Sink) {
    // Rocket's `add` fills in SameSite: what a helper lacks is not known from its body alone.
    if info.rocket_add_defaults {
        return;
    }
    struct Calls<'i, 'a> {
        info: &'i FileInfo<'a>,
        /// The names of the file's own functions, looked up once per call (a file of thousands
        /// of functions and calls was quadratic when each call walked the list).
        own: std::collections::HashSet<&'i str>,
        found: Vec<(crate::finding::Span, String, Vec<String>)>,
    }
    impl<'ast> Visit<'ast> for Calls<'_, '_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if self.found.len() < MAX_CALLS
                && let Some(callee) = helper_path(&c.func)
                && !callee
                    .rsplit("::")
                    .next()
                    .is_some_and(|last| self.own.contains(last))
            {
                let names: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| match model::name_of(a, &self.info.consts) {
                        CookieName::Known(n) => n,
                        _ => String::new(),
                    })
                    .collect();
                let named = names
                    .iter()
                    .any(|n| matches!(model::purpose_of(n), Purpose::Auth | Purpose::Csrf));
                if named {
                    let span = RustFile::span_of(self.info.src, c);
                    self.found.push((span, callee, names));
                }
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut v = Calls {
        info,
        own: info.fns().iter().map(|f| f.name.as_str()).collect(),
        found: Vec::new(),
    };
    v.visit_file(rf.ast);
    for (span, callee, names) in v.found {
        sink.fact(FactKind::CookieHelperCall { callee, names }, span, None);
    }
}

/// The path of a call that may be a free function of another module (`new_cookie`,
/// `cookies::new_cookie`), not a type's associated function (`Cookie::new`).
fn helper_path(func: &syn::Expr) -> Option<String> {
    let syn::Expr::Path(p) = func else {
        return None;
    };
    let segs: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let starts_upper = |s: &String| s.chars().next().is_some_and(char::is_uppercase);
    if segs.iter().any(starts_upper) {
        return None;
    }
    Some(segs.join("::"))
}
