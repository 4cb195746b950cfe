//! Expiries computed from a parameter (`Claims::new(sub, exp)` with `Self { exp, .. }`): the
//! lifetime is decided by the caller, so each call in the same file is evaluated with the
//! argument bound to the parameter, and reported at the argument.
use super::sites::{ExprNames, Site, origin_of};
use super::ttl::{Case, fn_display, judge};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::duration_eval::{Env, eval};
use crate::analyzers::rust::index::syntax::{FileIndex, FnItem, Lets, pat_name, path_segments};
use crate::analyzers::{Context, Sink};
use syn::Expr;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;

type Args = Punctuated<Expr, syn::Token![,]>;

pub(super) fn follow_calls<'a>(
    rf: &RustFile,
    ctx: &Context,
    sink: &mut Sink,
    index: &FileIndex<'a>,
    fns: &[FnItem<'a>],
    pending: Vec<(FnItem<'a>, Site)>,
) {
    for (callee, site) in pending {
        let params: Vec<String> = callee
            .sig
            .inputs
            .iter()
            .filter_map(|a| match a {
                syn::FnArg::Typed(t) => Some(pat_name(&t.pat).unwrap_or_default()),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let callee_lets = index.lets(callee.block);
        let mut used = Vec::new();
        ExprNames::collect(&site.value, &callee_lets, &mut used);
        let used_params: Vec<(usize, &String)> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty() && used.contains(p))
            .collect();
        if used_params.is_empty() {
            continue;
        }
        param_fact(rf, sink, index, &callee, &callee_lets, &site, &used_params);
        for caller in fns {
            if caller.name == callee.name && caller.self_name() == callee.self_name() {
                continue;
            }
            let mut calls = Calls {
                callee: &callee,
                caller_self: caller.self_name(),
                found: Vec::new(),
            };
            calls.visit_block(caller.block);
            if calls.found.is_empty() {
                continue;
            }
            let caller_lets = index.lets(caller.block);
            for args in calls.found {
                let caller_env = Env::new(index, &caller_lets, Some(caller.sig));
                let bound: Vec<_> = used_params
                    .iter()
                    .filter_map(|(i, p)| {
                        Some(((*p).clone(), eval(args.iter().nth(*i)?, &caller_env)?))
                    })
                    .collect();
                if bound.len() != used_params.len() {
                    continue;
                }
                let mut env = Env::new(index, &callee_lets, Some(callee.sig));
                env.bound = bound;
                let Some(val) = eval(&site.value, &env) else {
                    continue;
                };
                let Some(arg) = args.iter().nth(used_params[0].0) else {
                    continue;
                };
                let mut names = Vec::new();
                ExprNames::collect(arg, &caller_lets, &mut names);
                let api = names.clone();
                names.extend(site.names.iter().cloned());
                names.push(callee.name.to_string());
                names.push(caller.name.to_string());
                judge(
                    rf,
                    ctx,
                    sink,
                    Case {
                        span: rf.span(arg),
                        label: (
                            RustFile::span_in(rf.src, site.span),
                            Some(format!(
                                "`{}` computes the expiry from this argument",
                                fn_display(&callee)
                            )),
                        ),
                        val,
                        names,
                        strict: site.strict,
                        fname: fn_display(caller),
                        api,
                        fn_names: 2,
                        origin: origin_of(rf, &caller_env, arg.span())
                            .or_else(|| origin_of(rf, &env, site.span)),
                    },
                );
            }
        }
    }
}

/// Calls of one function inside another: `name(..)`, `Type::name(..)`, `Self::name(..)`,
/// `x.name(..)` for methods.
struct Calls<'a, 'b> {
    callee: &'b FnItem<'a>,
    caller_self: Option<String>,
    found: Vec<Args>,
}

impl<'ast> Visit<'ast> for Calls<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        let n = segs.len();
        if n > 0 && *self.callee.name == segs[n - 1] {
            let owner = (n >= 2).then(|| segs[n - 2].as_str());
            let callee_self = self.callee.self_name();
            let matches = match (&callee_self, owner) {
                (None, _) => true,
                (Some(t), Some("Self")) => self.caller_self.as_ref() == Some(t),
                (Some(t), Some(o)) => t == o,
                (Some(_), None) => false,
            };
            if matches && self.callee.sig.receiver().is_none() {
                self.found.push(c.args.clone());
            }
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if self.callee.sig.receiver().is_some() && m.method == *self.callee.name {
            self.found.push(m.args.clone());
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// A callee whose expiry is exactly its one parameter (`fn sign_jwt(id, secret, exp:
/// DateTime<Utc>)` with `exp: exp.timestamp()`): a fact for the project pass, which follows calls
/// from other files and judges the lifetime their arguments carry.
fn param_fact<'a>(
    rf: &RustFile,
    sink: &mut Sink,
    index: &FileIndex<'a>,
    callee: &FnItem,
    lets: &Lets<'a>,
    site: &Site,
    used_params: &[(usize, &String)],
) {
    let [(i, p)] = used_params else {
        return;
    };
    // The expiry carries the parameter's time through unchanged.
    let probe = 1000.0;
    let mut env = Env::new(index, lets, Some(callee.sig));
    env.bound = vec![(
        (*p).clone(),
        crate::analyzers::rust::index::duration_eval::Val::Now {
            off: probe,
            ms: false,
        },
    )];
    if eval(&site.value, &env).and_then(|v| v.lifetime()) != Some(probe as u64) {
        return;
    }
    let mut names = site.names.clone();
    names.push(callee.name.to_string());
    let Some((kind, _)) =
        crate::analyzers::rust::index::token_names::decide(names.iter().map(String::as_str))
    else {
        return;
    };
    use crate::analyzers::rust::index::token_names::TokenKind as K;
    let token = match kind {
        K::Refresh => crate::facts::TokenKind::Refresh,
        K::Access => crate::facts::TokenKind::Access,
        K::Generic if site.strict => crate::facts::TokenKind::Access,
        _ => return,
    };
    sink.fact(
        crate::facts::FactKind::ExpiryFromParam { param: *i, token },
        RustFile::span_in(rf.src, site.span),
        Some(&callee.name.to_string()),
    );
}
