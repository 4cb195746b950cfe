//! Why a function switches off jsonwebtoken's expiry check (`validate_exp = false`), when its
//! code says so. Three designs are sound and need no finding:
//!
//! - the token is not a login: its claims type, the function, the token variable or the
//!   validation variable name a single-purpose token (a licence, an invitation, an email
//!   confirmation, a password reset, a download link, a webhook) and none names an access,
//!   refresh, ID or session token;
//! - `exp` stays required (jsonwebtoken's default, or `set_required_spec_claims(&["exp", ..])`;
//!   not cleared, replaced without `exp` or removed in the function) and the function compares
//!   `exp` itself (a grace period, a distinct "expired" error);
//! - a refresh handler (`refresh_token`, `refresh_access_token`, `handle_refresh`) reads the
//!   expired access token only to find whose it is. Decoding the refresh token itself that way
//!   is always reported: an expired refresh token would keep the login alive.
//!
//! A function whose name only says it reads expired tokens (`decode_expired`, `claims_without_exp`)
//! is deliberate but unexplained: a note.
use super::claim_checks::checked_after;
use crate::analyzers::rust::index::syntax::{FnItem, path_segments, peel};
use crate::analyzers::rust::index::token_names::{TokenKind, classify, single_purpose, words};
use proc_macro2::LineColumn;
use syn::Expr;
use syn::visit::Visit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A sound design: no finding.
    Sound,
    /// The name says expired tokens are read on purpose, without saying why: a note.
    ExpiredByName,
    /// Nothing explains it: the finding.
    Unexplained,
}

/// Judges `validate_exp = false` in `f`, set on the variable `receiver` when there is one.
pub fn judge(f: &FnItem, receiver: Option<&str>) -> Purpose {
    let fname = f.name.to_string();
    let decoded = Decoded::collect(f);
    let mut names: Vec<&str> = vec![fname.as_str()];
    names.extend(receiver);
    names.extend(decoded.decoded.iter().map(String::as_str));
    names.extend(decoded.context.iter().map(String::as_str));
    let login = |n: &&str| {
        matches!(classify(n), Some(TokenKind::Access | TokenKind::Refresh))
            || words(n).iter().any(|w| w == "session" || w == "sessions")
    };
    if !names.iter().any(login) && names.iter().any(|n| single_purpose(n)) {
        return Purpose::Sound;
    }
    if !decoded.drops_exp && checked_after(f.block, LineColumn { line: 0, column: 0 }).exp {
        return Purpose::Sound;
    }
    let w = words(&fname);
    let has = |s: &str| w.iter().any(|x| x == s);
    let refresh_handler = has("refresh")
        && [
            "token", "tokens", "handler", "handle", "endpoint", "route", "access", "jwt",
        ]
        .iter()
        .any(|x| has(x));
    let decodes_refresh_token = decoded
        .decoded
        .iter()
        .any(|n| classify(n) == Some(TokenKind::Refresh));
    if decodes_refresh_token {
        // An expired refresh token accepted: the login outlives its end, whatever the name says.
        return Purpose::Unexplained;
    }
    if refresh_handler {
        return Purpose::Sound;
    }
    if has("refresh") || has("expired") || has("without") {
        return Purpose::ExpiredByName;
    }
    Purpose::Unexplained
}

/// What a function decodes, by name, and whether it stops requiring `exp`.
#[derive(Default)]
struct Decoded {
    /// The claims types and token variables of its decodes.
    decoded: Vec<String>,
    /// Its parameters and the types of its signature.
    context: Vec<String>,
    /// `required_spec_claims` cleared, replaced without `"exp"`, or `"exp"` removed from it.
    drops_exp: bool,
}

impl Decoded {
    fn collect(f: &FnItem) -> Self {
        let mut d = Decoded::default();
        for arg in &f.sig.inputs {
            if let syn::FnArg::Typed(t) = arg {
                d.context
                    .extend(crate::analyzers::rust::index::syntax::pat_name(&t.pat));
                d.context.extend(type_names(&t.ty));
            }
        }
        if let syn::ReturnType::Type(_, t) = &f.sig.output {
            d.context.extend(type_names(t));
        }
        d.visit_block(f.block);
        d
    }
}

/// Every type name in `t` (`Result<TokenData<LicenseClaims>, Error>` gives all four).
fn type_names(t: &syn::Type) -> Vec<String> {
    struct T(Vec<String>);
    impl<'ast> Visit<'ast> for T {
        fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
            self.0.push(s.ident.to_string());
            syn::visit::visit_path_segment(self, s);
        }
    }
    let mut v = T(Vec::new());
    v.visit_type(t);
    v.0
}

/// The name of the token a decode reads: `token`, `&req.invite_token`, `token.as_str()`.
fn token_name(e: &Expr, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    match peel(e) {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        Expr::MethodCall(m) => token_name(&m.receiver, depth + 1),
        _ => None,
    }
}

fn has_exp_literal(e: &Expr) -> bool {
    struct L(bool);
    impl<'ast> Visit<'ast> for L {
        fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
            self.0 |= s.value() == "exp";
        }
    }
    let mut l = L(false);
    l.visit_expr(e);
    l.0
}

fn is_required_claims(e: &Expr) -> bool {
    matches!(peel(e), Expr::Field(f) if matches!(&f.member, syn::Member::Named(i) if i == "required_spec_claims"))
}

impl<'ast> Visit<'ast> for Decoded {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        if segs.last().is_some_and(|s| s == "decode") {
            if let Expr::Path(p) = peel(&c.func)
                && let Some(last) = p.path.segments.last()
                && let syn::PathArguments::AngleBracketed(a) = &last.arguments
            {
                for g in &a.args {
                    if let syn::GenericArgument::Type(t) = g {
                        self.decoded.extend(type_names(t));
                    }
                }
            }
            if let Some(n) = c.args.first().and_then(|a| token_name(a, 0)) {
                self.decoded.push(n);
            }
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let syn::Pat::Type(t) = &l.pat {
            self.decoded.extend(type_names(&t.ty));
        }
        syn::visit::visit_local(self, l);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        let on_required = is_required_claims(&m.receiver);
        self.drops_exp |= match name.as_str() {
            "set_required_spec_claims" => !m.args.iter().any(has_exp_literal),
            "clear" => on_required,
            "remove" => on_required && m.args.iter().any(has_exp_literal),
            _ => false,
        };
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if is_required_claims(&a.left) && !has_exp_literal(&a.right) {
            self.drops_exp = true;
        }
        syn::visit::visit_expr_assign(self, a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(src: &str) -> Purpose {
        let f: syn::ItemFn = syn::parse_str(src).unwrap();
        let item = FnItem {
            name: &f.sig.ident,
            self_ty: None,
            sig: &f.sig,
            block: &f.block,
        };
        judge(&item, Some("validation"))
    }

    #[test]
    fn sound_designs_and_the_rest() {
        let table: &[(&str, Purpose)] = &[
            // Single-purpose tokens, by claims type, function or token variable.
            (
                "fn check(key: &str) -> Option<LicenseClaims> { decode::<LicenseClaims>(key, &k, &v).ok() }",
                Purpose::Sound,
            ),
            (
                "fn accept_invite(invite_token: &str) { decode::<Claims>(invite_token, &k, &v); }",
                Purpose::Sound,
            ),
            (
                "fn confirm(t: &str) { let d: TokenData<EmailVerificationClaims> = decode(t, &k, &v).unwrap(); }",
                Purpose::Sound,
            ),
            // A single-purpose name beside an access token: still a login.
            (
                "fn verify_email(access_token: &str) { decode::<Claims>(access_token, &k, &v); }",
                Purpose::Unexplained,
            ),
            // exp required and compared by hand.
            (
                "fn verify(t: &str) { v.set_required_spec_claims(&[\"exp\", \"sub\"]); let c = decode::<Claims>(t, &k, &v)?.claims; if c.exp + GRACE < now { return Err(Expired); } }",
                Purpose::Sound,
            ),
            // Required by default and compared.
            (
                "fn verify(t: &str) { let c = decode::<Claims>(t, &k, &v)?.claims; if c.exp < now {} }",
                Purpose::Sound,
            ),
            // exp required but never compared; compared but no longer required.
            (
                "fn verify(t: &str) { v.set_required_spec_claims(&[\"exp\"]); let c = decode::<Claims>(t, &k, &v)?.claims; Some(c.exp) }",
                Purpose::Unexplained,
            ),
            (
                "fn verify(t: &str) { v.required_spec_claims.clear(); let c = decode::<Claims>(t, &k, &v)?.claims; if c.exp < now {} }",
                Purpose::Unexplained,
            ),
            (
                "fn verify(t: &str) { v.set_required_spec_claims(&[\"sub\"]); let c = decode::<Claims>(t, &k, &v)?.claims; if c.exp < now {} }",
                Purpose::Unexplained,
            ),
            // Refresh handlers reading the expired access token.
            (
                "fn refresh_token(access_token: &str) { decode::<Claims>(access_token, &k, &v); }",
                Purpose::Sound,
            ),
            (
                "fn handle_refresh(expired: &str) { decode::<Claims>(expired, &k, &v); }",
                Purpose::Sound,
            ),
            (
                "fn refresh_token(access_token: &str, refresh_token: &str) { decode::<Claims>(access_token, &k, &v); }",
                Purpose::Sound,
            ),
            // ...but not when the refresh token itself is accepted expired.
            (
                "fn refresh_access_token(refresh_token: &str) { decode::<RefreshClaims>(refresh_token, &k, &v); }",
                Purpose::Unexplained,
            ),
            // Names that only say expired tokens are read.
            (
                "fn decode_expired(t: &str) { decode::<Claims>(t, &k, &v); }",
                Purpose::ExpiredByName,
            ),
            (
                "fn verify(t: &str) { decode::<Claims>(t, &k, &v); }",
                Purpose::Unexplained,
            ),
        ];
        for (src, want) in table {
            assert_eq!(judged(src), *want, "{src}");
        }
    }
}
