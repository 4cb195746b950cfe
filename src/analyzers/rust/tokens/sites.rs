//! Where a token gets its expiry in one function body (`Sites`, each a `Site`), the names its
//! expiry expression uses, and the arguments that carry a time from now into a signing helper
//! (`LifetimeArgs`).
use crate::analyzers::Sink;
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::duration_eval::{Env, Val, eval};
use crate::analyzers::rust::index::syntax::{
    FnItem, Lets, json_entries, macro_name, path_segments, peel,
};
use crate::finding::Span;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Arguments that carry a time from now (`sign_jwt(id, &secret, Utc::now() + hours(1))`): facts
/// for the project pass, which gives them to a callee in another file that puts the argument
/// into a token's `exp`.
pub(super) struct LifetimeArgs<'r, 's, 'a, 'b> {
    pub(super) rf: &'r RustFile<'a>,
    pub(super) sink: &'s mut Sink,
    pub(super) env: Env<'a, 'b>,
    pub(super) function: String,
}

impl LifetimeArgs<'_, '_, '_, '_> {
    fn args<'e>(&mut self, callee: String, args: impl Iterator<Item = &'e Expr>) {
        for (param, a) in args.enumerate() {
            self.env.origin.set(None);
            self.env.steps.set(0);
            let Some(Val::Now { off, ms: false }) = eval(a, &self.env) else {
                continue;
            };
            if !(off.is_finite() && off > 0.0) {
                continue;
            }
            let at = self.rf.span(a);
            let origin = origin_of(self.rf, &self.env, a.span());
            self.sink.fact(
                crate::facts::FactKind::LifetimeArg {
                    callee: callee.clone(),
                    param,
                    lifetime_secs: off.round() as u64,
                    used: origin.is_some().then_some(at),
                },
                origin.unwrap_or(at),
                Some(&self.function),
            );
        }
    }
}

impl<'ast> Visit<'ast> for LifetimeArgs<'_, '_, '_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        // `jwt::sign_jwt` is `sign_jwt` (a module path); `Claims::new` keeps its type.
        let segs = path_segments(&c.func);
        let bare = segs.last().map(String::as_str).unwrap_or_default();
        let callee = match segs.len().checked_sub(2).map(|i| segs[i].as_str()) {
            Some(t) if t.starts_with(|c: char| c.is_ascii_uppercase()) => format!("{t}::{bare}"),
            _ => bare.to_string(),
        };
        if bare.starts_with(|c: char| c.is_ascii_lowercase()) {
            self.args(callee, c.args.iter());
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.args(m.method.to_string(), m.args.iter());
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// Finds the sites in one function body.
pub(super) struct Sites<'a, 'b> {
    pub(super) f: FnItem<'a>,
    pub(super) lets: &'b Lets<'a>,
    /// Names of the variables or fields being assigned, innermost last.
    pub(super) binding: Vec<String>,
    pub(super) sites: Vec<Site>,
}

impl Sites<'_, '_> {
    fn names(&self, value: &Expr, typ: Vec<String>, owner: Option<String>) -> Vec<String> {
        let mut names = typ;
        ExprNames::collect(value, self.lets, &mut names);
        names.extend(self.binding.iter().rev().cloned());
        names.extend(owner);
        names
    }

    fn push(
        &mut self,
        span: proc_macro2::Span,
        value: &Expr,
        typ: Vec<String>,
        owner: Option<String>,
        strict: bool,
    ) {
        let names = self.names(value, typ, owner);
        self.sites.push(Site {
            span,
            value: value.clone(),
            names,
            strict,
        });
    }
}

fn type_name(e: &Expr) -> Option<String> {
    match peel(e) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        Expr::Path(_) => path_segments(e).last().cloned(),
        Expr::MethodCall(m) => type_name(&m.receiver),
        Expr::Call(c) => c.args.first().and_then(type_name),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Sites<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let name = crate::analyzers::rust::index::syntax::pat_name(&l.pat);
        self.binding.extend(name.clone());
        syn::visit::visit_local(self, l);
        if name.is_some() {
            self.binding.pop();
        }
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        let mut owner = s.path.segments.last().map(|x| x.ident.to_string());
        if owner.as_deref() == Some("Self") {
            owner = self.f.self_name();
        }
        let typ: Vec<String> = s
            .fields
            .iter()
            .filter(|fv| matches!(&fv.member, syn::Member::Named(i) if TYPE_FIELDS.contains(&i.to_string().as_str())))
            .filter_map(|fv| type_name(&fv.expr))
            .collect();
        for fv in &s.fields {
            let syn::Member::Named(field) = &fv.member else {
                continue;
            };
            let field = field.to_string();
            let strict = EXP_FIELDS.contains(&field.as_str());
            if strict || LOOSE_EXP_FIELDS.contains(&field.as_str()) {
                self.push(
                    fv.member.span(),
                    &fv.expr,
                    typ.clone(),
                    owner.clone(),
                    strict,
                );
            }
        }
        for fv in &s.fields {
            if let syn::Member::Named(field) = &fv.member {
                self.binding.push(field.to_string());
                self.visit_expr(&fv.expr);
                self.binding.pop();
            }
        }
        if let Some(rest) = &s.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if macro_name(mac) != "json" {
            return;
        }
        let entries = json_entries(mac);
        let typ: Vec<String> = entries
            .iter()
            .filter(|(k, _, _)| TYPE_FIELDS.contains(&k.as_str()))
            .filter_map(|(_, _, v)| type_name(v))
            .collect();
        for (key, span, value) in &entries {
            if key == "exp" {
                self.push(*span, value, typ.clone(), None, true);
            }
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        let n = segs.len();
        let pair = (n >= 2).then(|| (segs[n - 2].as_str(), segs[n - 1].as_str()));
        let arg = match pair {
            Some(("Claims", "create" | "new_expires_in")) => c.args.first(),
            Some(("Claims", "with_custom_claims")) => c.args.iter().nth(1),
            _ => None,
        };
        if let Some(a) = arg {
            self.push(a.span(), a, Vec::new(), Some("Claims".into()), true);
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let arg = match (m.method.to_string().as_str(), m.args.len()) {
            ("set_expires_in" | "set_expiration", 1) => m.args.first(),
            ("set_duration_and_issuance" | "set_duration", 2) => m.args.iter().nth(1),
            ("insert", 2) if matches!(peel(&m.args[0]), Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == "exp") => {
                m.args.iter().nth(1)
            }
            _ => None,
        };
        if let Some(a) = arg {
            let recv = crate::analyzers::rust::index::syntax::ident_of(&m.receiver);
            self.push(a.span(), a, Vec::new(), recv, true);
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        let name = match peel(&a.left) {
            Expr::Path(_) => path_segments(&a.left).last().cloned(),
            Expr::Field(f) => match &f.member {
                syn::Member::Named(i) => Some(i.to_string()),
                _ => None,
            },
            _ => None,
        };
        // `claims.exp = now + TTL`: the receiver names the token.
        if let Expr::Field(f) = peel(&a.left)
            && let Some(field) = &name
        {
            let strict = EXP_FIELDS.contains(&field.as_str());
            if strict || LOOSE_EXP_FIELDS.contains(&field.as_str()) {
                let owner = crate::analyzers::rust::index::syntax::ident_of(&f.base);
                self.push(f.member.span(), &a.right, Vec::new(), owner, strict);
            }
        }
        self.binding.extend(name.clone());
        syn::visit::visit_expr_assign(self, a);
        if name.is_some() {
            self.binding.pop();
        }
    }
}

/// Claim fields that always hold a token's expiry.
const EXP_FIELDS: &[&str] = &["exp"];
/// Fields that hold an expiry in claims structs and in stored token rows.
const LOOSE_EXP_FIELDS: &[&str] = &[
    "expires_at",
    "expiration",
    "expiry",
    "expire_at",
    "expires",
    "exp_at",
];
/// Claim fields naming the token's kind.
const TYPE_FIELDS: &[&str] = &[
    "typ",
    "token_type",
    "type_",
    "r#type",
    "kind",
    "token_use",
    "type",
];

/// One place where a token gets its expiry.
pub(crate) struct Site {
    pub span: proc_macro2::Span,
    pub value: Expr,
    /// Names that say which token this is, most specific first (the claims' `typ`, names in the
    /// expiry expression, the variable, the struct).
    pub names: Vec<String>,
    /// A registered `exp` claim (or a library's expiry) rather than an `expires_at`-like field.
    pub strict: bool,
}

/// Where the lifetime is written, when that is a const or static on another line than the use.
pub(super) fn origin_of(rf: &RustFile, env: &Env, used: proc_macro2::Span) -> Option<Span> {
    let o = env.origin.get()?;
    (o.start().line != used.start().line).then(|| RustFile::span_in(rf.src, o))
}

/// The identifiers an expression uses, following `let` bindings one level.
pub(super) struct ExprNames<'a, 'b> {
    lets: &'b Lets<'a>,
    out: &'b mut Vec<String>,
    depth: usize,
}

impl<'a, 'b> ExprNames<'a, 'b> {
    pub fn collect(e: &Expr, lets: &'b Lets<'a>, out: &'b mut Vec<String>) {
        ExprNames {
            lets,
            out,
            depth: 0,
        }
        .visit_expr(e);
    }
}

impl<'ast> Visit<'ast> for ExprNames<'_, '_> {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        for s in &p.segments {
            self.out.push(s.ident.to_string());
        }
        if p.segments.len() == 1
            && self.depth < 2
            && let Some(bound) = self
                .lets
                .get(&p.segments[0].ident.to_string(), p.span().start())
        {
            self.depth += 1;
            self.visit_expr(bound);
            self.depth -= 1;
        }
    }
    fn visit_member(&mut self, m: &'ast syn::Member) {
        if let syn::Member::Named(i) = m {
            self.out.push(i.to_string());
        }
    }
    // Conditions choose between values; they do not name the token (`if device.is_mobile()`).
    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.visit_block(&i.then_branch);
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        for arm in &m.arms {
            self.visit_expr(&arm.body);
        }
    }
}
