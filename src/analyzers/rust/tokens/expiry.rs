//! `token-without-expiry`: tokens issued without `exp`, and verifiers that accept tokens that
//! never expire.
//!
//! - jsonwebtoken `encode(&header, &claims, &key)` where `claims` is a struct of the same file with
//!   no expiry field (or a `json!` object without `"exp"`);
//! - jsonwebtoken `Validation` with `validate_exp = false`, `exp` removed from
//!   `required_spec_claims`, or a `leeway` above a day (`Validation::default()` checks `exp`);
//!   `validate_exp = false` is not reported where the code says why it is sound (a single-purpose
//!   token, `exp` required and compared by hand, a refresh handler reading the expired access
//!   token: see `exp_purpose`);
//! - the `jwt` crate's `verify_with_key`, which never checks `exp`, with no expiry check in the
//!   same function;
//! - pasetors `Claims::non_expiring()` and `ClaimsValidationRules::allow_non_expiring()`.
use super::exp_purpose::{Purpose, judge};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::duration_eval::{Env, eval};
use crate::analyzers::rust::index::syntax::{
    FileIndex, FnItem, Lets, json_entries, macro_name, path_segments, peel,
};
use crate::analyzers::rust::index::token_names::words;
use crate::analyzers::{Context, Sink};
use crate::finding::{Report, Severity, Span};
use crate::rule::Rule;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

pub const RULE: Rule = Rule::TokenWithoutExpiry;

/// A leeway above this many seconds makes `exp` meaningless.
const MAX_LEEWAY: f64 = 86_400.0;

/// The kinds of finding, each with its wording.
enum Why<'a> {
    StructWithoutExp(&'a str),
    JsonWithoutExp,
    ValidateExpOff,
    /// `validate_exp = false` in a function that says it reads expired tokens on purpose.
    ExpiredOnPurpose(&'a str),
    ExpNotRequired,
    Leeway(u64),
    JwtCrateVerify,
    NonExpiring,
    AllowNonExpiring,
}

fn report(span: Span, why: Why) -> Report {
    let (message, help) = match why {
        Why::StructWithoutExp(name) => (
            format!("token claims `{name}` have no `exp`: the token never expires"),
            format!(
                "add `exp: usize` to `{name}` and set it to now plus a short lifetime (`exp: (Utc::now() + Duration::minutes(15)).timestamp() as usize`)"
            ),
        ),
        Why::JsonWithoutExp => (
            "token claims have no `exp`: the token never expires".to_string(),
            "add `\"exp\": now + 15 * 60` to the claims".to_string(),
        ),
        Why::ValidateExpOff => (
            "`validate_exp = false` accepts expired tokens".to_string(),
            "remove this line: `Validation::new(..)` checks `exp` by default".to_string(),
        ),
        Why::ExpiredOnPurpose(f) => (
            format!("`validate_exp = false` in `{f}` accepts expired tokens on purpose; that is sound only to find the owner of an expired access token during refresh, which this code does not show"),
            "call it only after the refresh token itself has been verified and checked against the store, and never use the result to authorize a request".to_string(),
        ),
        Why::ExpNotRequired => (
            "`exp` is not a required claim: tokens without an expiry are accepted forever".to_string(),
            "keep `exp` in `required_spec_claims` (`validation.set_required_spec_claims(&[\"exp\"])`)".to_string(),
        ),
        Why::Leeway(secs) => (
            format!(
                "leeway of {} lets tokens be used that long after they expire",
                crate::config::duration::format_duration(secs)
            ),
            "keep the leeway to clock skew: `validation.leeway = 60`".to_string(),
        ),
        Why::JwtCrateVerify => (
            "`verify_with_key` checks the signature only, and this function never checks `exp`".to_string(),
            "after verifying, reject the token when its `exp` is missing or in the past, or use `jsonwebtoken::decode`, which checks `exp` by default".to_string(),
        ),
        Why::NonExpiring => (
            "`Claims::non_expiring()` issues a token that never expires".to_string(),
            "use `Claims::new()` (1 hour) or `Claims::new_expires_in(&Duration::from_secs(15 * 60))`".to_string(),
        ),
        Why::AllowNonExpiring => (
            "`allow_non_expiring()` accepts tokens without an expiry".to_string(),
            "remove `allow_non_expiring()`: `ClaimsValidationRules::new()` requires `exp`".to_string(),
        ),
    };
    Report::new(RULE, span, message, help)
}

pub fn check(rf: &RustFile, _ctx: &Context, sink: &mut Sink) {
    let index = rf.index();
    let jsonwebtoken = rf.src.text.contains("jsonwebtoken");
    let jwt_crate = rf.src.text.contains("jwt::");
    for (f, lets) in index.fns_with_lets() {
        let mut v = Visitor {
            rf,
            index,
            lets,
            f,
            jsonwebtoken,
            jwt_crate,
            signature_disabled: disables_signature(f.block),
            sink: &mut *sink,
        };
        v.visit_block(f.block);
    }
}

struct Visitor<'a, 'b> {
    rf: &'b RustFile<'a>,
    index: &'b FileIndex<'a>,
    lets: &'b Lets<'a>,
    f: FnItem<'a>,
    jsonwebtoken: bool,
    jwt_crate: bool,
    /// The function also switches off signature validation.
    signature_disabled: bool,
    sink: &'b mut Sink,
}

fn is_exp_word(w: &str) -> bool {
    w == "exp" || w.starts_with("expir") || w == "expires" || w == "ttl"
}

fn bool_false(e: &Expr) -> bool {
    matches!(peel(e), Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) if !b.value)
}

impl<'a> Visitor<'a, '_> {
    /// The struct a claims expression is an instance of.
    fn claims_type(&self, e: &Expr, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match peel(e) {
            Expr::Struct(s) => {
                let n = s.path.segments.last()?.ident.to_string();
                if n == "Self" {
                    self.f.self_name()
                } else {
                    Some(n)
                }
            }
            Expr::Call(c) => {
                let segs = path_segments(&c.func);
                (segs.len() >= 2).then(|| segs[segs.len() - 2].clone())
            }
            Expr::Path(p) if p.path.is_ident("self") => self.f.self_name(),
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                if let Some(bound) = self.lets.get(&name, p.span().start()) {
                    return self.claims_type(bound, depth + 1);
                }
                self.f.sig.inputs.iter().find_map(|arg| match arg {
                    syn::FnArg::Typed(t)
                        if crate::analyzers::rust::index::syntax::pat_name(&t.pat).as_deref()
                            == Some(&name) =>
                    {
                        type_last(&t.ty)
                    }
                    _ => None,
                })
            }
            _ => None,
        }
    }

    fn check_encode(&mut self, c: &syn::ExprCall) {
        let claims = &c.args[1];
        if let Expr::Macro(m) = peel(claims) {
            if macro_name(&m.mac) == "json" {
                let entries = json_entries(&m.mac);
                if !entries.is_empty() && !entries.iter().any(|(k, _, _)| k == "exp") {
                    self.sink
                        .report(report(self.rf.span(claims), Why::JsonWithoutExp));
                }
            }
            return;
        }
        let Some(name) = self.claims_type(claims, 0) else {
            return;
        };
        let Some(def) = self.index.structs.get(&name) else {
            return;
        };
        if self.index.custom_serialize.contains(&name) {
            return;
        }
        let syn::Fields::Named(fields) = &def.fields else {
            return;
        };
        let text = |a: &syn::Attribute| self.rf.src.snippet(self.rf.span(a)).to_string();
        let has_exp = fields.named.iter().any(|fd| {
            let fname = fd.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
            words(&fname).iter().any(|w| is_exp_word(w))
                || fd.attrs.iter().any(|a| {
                    let t = text(a);
                    t.contains("flatten") || t.contains("\"exp\"")
                })
        });
        if has_exp {
            return;
        }
        let r = report(self.rf.span(claims), Why::StructWithoutExp(&name)).label(
            self.rf.span(&def.ident),
            format!("`{name}` is defined here without an expiry field"),
        );
        self.sink.report(r);
    }

    /// Whether the function mentions an expiry anywhere (`claims.exp`, `"exp"`, `is_expired`).
    fn fn_mentions_expiry(&self) -> bool {
        struct Mentions(bool);
        impl<'ast> Visit<'ast> for Mentions {
            fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
                self.0 |= words(&i.to_string()).iter().any(|w| is_exp_word(w));
            }
            fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
                self.0 |= words(&s.value()).iter().any(|w| is_exp_word(w));
            }
        }
        let mut m = Mentions(false);
        m.visit_block(self.f.block);
        m.0
    }
}

fn type_last(t: &syn::Type) -> Option<String> {
    match t {
        syn::Type::Reference(r) => type_last(&r.elem),
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        match segs.last().map(String::as_str) {
            Some("encode") if self.jsonwebtoken && c.args.len() == 3 => self.check_encode(c),
            Some("non_expiring") if segs.len() >= 2 && segs[segs.len() - 2] == "Claims" => {
                self.sink.report(report(self.rf.span(c), Why::NonExpiring));
            }
            _ => {}
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let span = self.rf.span(&m.method);
        match m.method.to_string().as_str() {
            "allow_non_expiring" => self.sink.report(report(span, Why::AllowNonExpiring)),
            "verify_with_key" if self.jwt_crate && !self.fn_mentions_expiry() => {
                self.sink.report(report(span, Why::JwtCrateVerify));
            }
            "clear"
                if self.jsonwebtoken
                    && !self.signature_disabled
                    && member_name(&m.receiver).as_deref() == Some("required_spec_claims") =>
            {
                self.sink
                    .report(report(self.rf.span(m), Why::ExpNotRequired));
            }
            "set_required_spec_claims" if self.jsonwebtoken && !self.signature_disabled => {
                if let Some(Expr::Array(a)) = m.args.first().map(|a| peel(strip_cast(a))) {
                    let has_exp = a.elems.iter().any(|e| matches!(peel(e), Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == "exp"));
                    if !has_exp {
                        self.sink
                            .report(report(self.rf.span(m), Why::ExpNotRequired));
                    }
                }
            }
            _ => {}
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if self.jsonwebtoken {
            let receiver = match peel(&a.left) {
                Expr::Field(f) => crate::analyzers::rust::index::syntax::ident_of(&f.base),
                _ => None,
            };
            self.field_setting(
                member_name(&a.left).as_deref(),
                &a.right,
                self.rf.span(a),
                receiver.as_deref(),
            );
        }
        syn::visit::visit_expr_assign(self, a);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        if self.jsonwebtoken
            && s.path
                .segments
                .last()
                .is_some_and(|x| x.ident == "Validation")
        {
            for fv in &s.fields {
                if let syn::Member::Named(i) = &fv.member {
                    self.field_setting(Some(&i.to_string()), &fv.expr, self.rf.span(fv), None);
                }
            }
        }
        syn::visit::visit_expr_struct(self, s);
    }
}

impl Visitor<'_, '_> {
    fn field_setting(
        &mut self,
        field: Option<&str>,
        value: &Expr,
        span: Span,
        receiver: Option<&str>,
    ) {
        if self.signature_disabled {
            // Expiry checks of a decode that does not verify the signature are moot; that decode
            // is `jwt-signature-not-verified`.
            return;
        }
        match field {
            Some("validate_exp") if bool_false(value) => match judge(&self.f, receiver) {
                Purpose::Sound => {}
                Purpose::ExpiredByName => {
                    let name = self.f.name.to_string();
                    self.sink.report(
                        report(span, Why::ExpiredOnPurpose(&name)).severity(Severity::Note),
                    );
                }
                Purpose::Unexplained => self.sink.report(report(span, Why::ValidateExpOff)),
            },
            Some("required_spec_claims")
                if path_segments(value)
                    .last()
                    .is_some_and(|s| s == "new" || s == "default") =>
            {
                self.sink.report(report(span, Why::ExpNotRequired));
            }
            Some("leeway") => {
                let env = Env::new(self.index, self.lets, None);
                if let Some(secs) = eval(value, &env).and_then(|v| v.as_seconds())
                    && secs > MAX_LEEWAY
                {
                    self.sink.report(report(span, Why::Leeway(secs as u64)));
                }
            }
            _ => {}
        }
    }
}

fn strip_cast(e: &Expr) -> &Expr {
    match e {
        Expr::Cast(c) => &c.expr,
        _ => e,
    }
}

fn member_name(e: &Expr) -> Option<String> {
    match peel(e) {
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn disables_signature(b: &syn::Block) -> bool {
    struct D(bool);
    impl<'ast> Visit<'ast> for D {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.0 |= m.method == "insecure_disable_signature_validation";
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut d = D(false);
    d.visit_block(b);
    d.0
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
        rule: Rule::TokenWithoutExpiry,
        file: "src/auth.rs",
        prelude: r#"use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
#[derive(serde::Deserialize)]
struct Claims { sub: String, exp: usize }"#,
        fail: &[
            r#"fn v(t: &str, k: &DecodingKey) -> Option<Claims> { let mut val = Validation::new(Algorithm::HS256); val.validate_exp = false; decode::<Claims>(t, k, &val).ok().map(|d| d.claims) }"#,
        ],
        pass: &[
            r#"fn v(t: &str, k: &DecodingKey) -> Option<Claims> { let mut val = Validation::new(Algorithm::HS256); val.leeway = 30; decode::<Claims>(t, k, &val).ok().map(|d| d.claims) }"#,
        ],
    }];
}
