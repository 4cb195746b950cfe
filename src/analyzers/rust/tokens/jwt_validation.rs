//! `jwt-signature-not-verified`: JWTs whose claims are read without checking the signature
//! (jsonwebtoken `insecure_disable_signature_validation()`, `dangerous_insecure_decode*`,
//! `dangerous_unsafe_decode`, `dangerous::insecure_decode`; josekit `decode_unsecured`; biscuit
//! `unverified_payload()`; openidconnect `insecure_disable_signature_check()`; the `jwt` crate's
//! `parse_unverified` never followed by a verify) and verifiers that take the algorithm from the
//! token's own header (`Validation::new(decode_header(t)?.alg)`).
//!
//! A decode in a function that has just received the token from its identity provider (an OAuth
//! code exchange, an `id_token` of a token response) is a note: reading claims of a token that
//! came straight from the token endpoint over TLS is not an authentication decision. So is a
//! decode in a client crate (its Cargo.toml has a CLI, desktop or WASM front-end stack and no
//! server framework, see `crate::manifest`): a client reads its own token to show `sub` or to know
//! when to refresh. And so is a decode followed in the same function by hand checks of `exp` and
//! of `iss` or `aud`: the pattern of a token verified upstream (an identity provider, a gateway).
use super::claim_checks::checked_after;
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::syntax::{FileIndex, FnItem, Lets, path_segments, peel};
use crate::analyzers::rust::index::token_names::words;
use crate::analyzers::{Context, Sink};
use crate::finding::{Report, Severity, Span};
use crate::manifest::version_tuple;
use crate::rule::Rule;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

pub const RULE: Rule = Rule::JwtSignatureNotVerified;

enum Why<'a> {
    /// A call that skips the signature check, by its name, and why it may be benign.
    Unverified(&'a str, Benign<'a>),
    /// `Validation::new(header.alg)`, with whether the locked jsonwebtoken checks key families.
    AlgFromHeader { family_checked: bool },
}

/// Local evidence that an unverified read makes no authentication decision.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Benign<'a> {
    No,
    /// The function has just received the token from its identity provider.
    FromProvider,
    /// The crate is a client (CLI, desktop app, WASM front end) with no server framework; the
    /// crate and the dependencies that say so, as shown.
    ClientCrate(&'a str),
    /// `exp` and `iss` or `aud` are compared by hand after the decode; the claims, as shown.
    HandChecked(&'a str),
    /// Front-end (WASM) code reading the claims of the app's own token for display.
    ClientSide,
    /// Only timing claims (`exp`, `nbf`, `iat`, `iss`) are read, e.g. to schedule a refresh.
    TimingOnly,
    /// openidconnect's ID token verifier without signature checks.
    IdTokenVerifier,
}

fn report(span: Span, why: Why) -> Report {
    match why {
        Why::Unverified(call, Benign::No) => crate::rule::wording::signature_not_verified(
            span,
            call,
            "verify with `jsonwebtoken::decode(token, &key, &Validation::new(Algorithm::HS256))` (the algorithm you issue with) and the key from your configuration",
        ),
        Why::Unverified(call, Benign::ClientCrate(krate)) => Report::new(
            RULE,
            span,
            format!(
                "`{call}` reads a token without verifying its signature in a client crate ({krate}; no server framework): decoding to read claims is fine as long as nothing trusts them"
            ),
            "use the claims only to show the user or to schedule a refresh; the server that receives this token must verify it",
        )
        .severity(Severity::Note),
        Why::Unverified(call, Benign::HandChecked(claims)) => Report::new(
            RULE,
            span,
            format!(
                "`{call}` reads a token without verifying its signature, then checks {claims} by hand, as for a token already verified upstream (an identity provider or gateway); fine only while no token reaches this code without that upstream check"
            ),
            "where the token can come from a client directly, verify it here with the issuer's keys (`jsonwebtoken::decode` with the JWKS key and a fixed algorithm); `Validation` then checks `exp`, `iss` and `aud` for you",
        )
        .severity(Severity::Note),
        Why::Unverified(call, benign) => {
            let why = match benign {
                Benign::FromProvider => {
                    "this function just received it from the identity provider, so this is only safe while the token never comes from a client"
                }
                Benign::IdTokenVerifier => {
                    "OIDC allows this only for ID tokens received directly from the token endpoint over TLS (OIDC Core 3.1.3.7), never for ID tokens passed in by a client"
                }
                Benign::ClientSide => {
                    "this is front-end code reading its own token for display, which is fine as long as the server verifies every token it accepts"
                }
                _ => {
                    "only registered claims (`exp`, `iss`, ...) are read, to pick the verification key or schedule a refresh; never use them to decide who the caller is"
                }
            };
            Report::new(
                RULE,
                span,
                format!("`{call}` reads a token without verifying its signature; {why}"),
                "keep unverified claims out of authorization decisions; where the token can come from a client, verify it with the issuer's keys (openidconnect `IdTokenVerifier`, or `jsonwebtoken::decode` with the JWKS key and a fixed algorithm)",
            )
            .severity(Severity::Note)
        }
        Why::AlgFromHeader { family_checked } => {
            let r = Report::new(
                RULE,
                span,
                if family_checked {
                    "the accepted algorithm is taken from the token's own header (jsonwebtoken rejects an algorithm of another key family, so the attacker's choice is limited, but the verifier should decide)".to_string()
                } else {
                    "the accepted algorithm is taken from the token's own header: the attacker chooses how the token is verified".to_string()
                },
                "fix the algorithm you issue with: `Validation::new(Algorithm::RS256)`",
            );
            if family_checked {
                r.severity(Severity::Note)
            } else {
                r
            }
        }
    }
}

/// Claims that say when and by whom, not who.
const TIMING_CLAIMS: &[&str] = &["exp", "nbf", "iat", "iss", "aud", "jti", "expires_in"];

pub fn check(rf: &RustFile, ctx: &Context, sink: &mut Sink) {
    let text = &rf.src.text;
    let jsonwebtoken = text.contains("jsonwebtoken");
    let versions = ctx
        .project
        .locked_versions(&rf.src.abs_path, "jsonwebtoken");
    // Key families are checked since 7.0: an HMAC key never verifies an RS256 token.
    let family_checked = versions.iter().all(|v| version_tuple(v).0 >= 7);
    let client_side = ["web_sys", "gloo", "yew", "leptos", "dioxus", "wasm_bindgen"]
        .iter()
        .any(|s| text.contains(s));
    let client_crate = ctx
        .project
        .crate_manifest(&rf.src.abs_path)
        .filter(|m| m.is_client())
        .map(|m| m.describe_client());
    let index = rf.index();
    for (f, lets) in index.fns_with_lets() {
        let mut v = Visitor {
            rf,
            lets,
            f,
            jsonwebtoken,
            josekit: text.contains("josekit"),
            jwt_crate: text.contains("jwt::"),
            family_checked,
            client_side,
            client_crate: client_crate.as_deref(),
            index,
            sink: &mut *sink,
        };
        v.visit_block(f.block);
    }
}

struct Visitor<'a, 'b> {
    rf: &'b RustFile<'a>,
    lets: &'b Lets<'a>,
    f: FnItem<'a>,
    jsonwebtoken: bool,
    josekit: bool,
    jwt_crate: bool,
    family_checked: bool,
    client_side: bool,
    /// The crate is a client: its name and client dependencies, as shown.
    client_crate: Option<&'b str>,
    index: &'b FileIndex<'a>,
    sink: &'b mut Sink,
}

/// The identifiers and string contents of a block, as lowercase words.
fn block_words(b: &syn::Block) -> Vec<String> {
    struct W(Vec<String>);
    impl<'ast> Visit<'ast> for W {
        fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
            self.0.push(i.to_string());
        }
        fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
            self.0.push(s.value());
        }
    }
    let mut w = W(Vec::new());
    w.visit_block(b);
    w.0
}

impl Visitor<'_, '_> {
    /// Whether this function just obtained the token from its identity provider.
    fn received_from_provider(&self) -> bool {
        let idents = block_words(self.f.block);
        idents.iter().any(|i| {
            matches!(
                i.as_str(),
                "exchange_code"
                    | "exchange_refresh_token"
                    | "exchange_client_credentials"
                    | "exchange_password"
                    | "TokenResponse"
                    | "StandardTokenResponse"
                    | "token_response"
                    | "id_token"
            ) || {
                let w = words(i);
                w.windows(2).any(|p| p[0] == "id" && p[1] == "token")
            }
        })
    }

    fn unverified(&mut self, node: proc_macro2::Span, call: &str, claims_ty: Option<&syn::Type>) {
        let span = RustFile::span_in(self.rf.src, node);
        let checked = checked_after(self.f.block, node.start());
        let hand_checked = [
            (checked.exp, "`exp`"),
            (checked.iss, "`iss`"),
            (checked.aud, "`aud`"),
        ]
        .iter()
        .filter(|(c, _)| *c)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(" and ");
        let benign = if call == "insecure_disable_signature_check" {
            Benign::IdTokenVerifier
        } else if claims_ty.is_some_and(|t| self.timing_only(t))
            || words(&self.f.name.to_string())
                .iter()
                .any(|w| w == "exp" || w.starts_with("expir") || w == "ttl")
        {
            Benign::TimingOnly
        } else if self.received_from_provider() {
            Benign::FromProvider
        } else if let Some(krate) = self.client_crate {
            Benign::ClientCrate(krate)
        } else if self.client_side {
            Benign::ClientSide
        } else if checked.expiry_and_origin() {
            Benign::HandChecked(&hand_checked)
        } else {
            Benign::No
        };
        // Reading only when a token expires (to schedule a refresh or end a local session) says
        // nothing about who the caller is: nothing to report, not even a note that says so.
        if benign == Benign::TimingOnly {
            return;
        }
        self.sink
            .report(report(span, Why::Unverified(call, benign)));
    }

    /// Whether a claims type of this file has only timing and issuer claims.
    fn timing_only(&self, t: &syn::Type) -> bool {
        let syn::Type::Path(p) = t else {
            return false;
        };
        let Some(mut name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
            return false;
        };
        if name == "Self" {
            let Some(n) = self.f.self_name() else {
                return false;
            };
            name = n;
        }
        let Some(def) = self.index.structs.get(&name) else {
            return false;
        };
        let syn::Fields::Named(fields) = &def.fields else {
            return false;
        };
        fields.named.iter().all(|f| {
            f.ident
                .as_ref()
                .is_some_and(|i| TIMING_CLAIMS.contains(&i.to_string().as_str()))
        })
    }

    /// Whether `e` is the `alg` of a header read from the token (`decode_header(t)?.alg`, or a
    /// variable bound to it).
    fn alg_from_header(&self, e: &Expr, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        match peel(e) {
            Expr::Field(f) if matches!(&f.member, syn::Member::Named(i) if i == "alg") => {
                self.is_decoded_header(&f.base, depth + 1)
            }
            Expr::Path(p) if p.path.segments.len() == 1 => self
                .lets
                .get(&p.path.segments[0].ident.to_string(), p.span().start())
                .is_some_and(|b| self.alg_from_header(b, depth + 1)),
            Expr::MethodCall(m)
                if matches!(m.method.to_string().as_str(), "clone" | "to_owned") =>
            {
                self.alg_from_header(&m.receiver, depth + 1)
            }
            _ => false,
        }
    }

    fn is_decoded_header(&self, e: &Expr, depth: usize) -> bool {
        if depth > 6 {
            return false;
        }
        match peel(e) {
            Expr::Call(c) => path_segments(&c.func)
                .last()
                .is_some_and(|s| s == "decode_header"),
            Expr::Try(t) => self.is_decoded_header(&t.expr, depth + 1),
            Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "unwrap"
                        | "expect"
                        | "map_err"
                        | "ok"
                        | "context"
                        | "with_context"
                        | "or"
                        | "ok_or"
                        | "ok_or_else"
                        | "unwrap_or_default"
                ) =>
            {
                self.is_decoded_header(&m.receiver, depth + 1)
            }
            Expr::Path(p) if p.path.segments.len() == 1 => self
                .lets
                .get(&p.path.segments[0].ident.to_string(), p.span().start())
                .is_some_and(|b| self.is_decoded_header(b, depth + 1)),
            _ => false,
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = path_segments(&c.func);
        // Only when a call matches: a span prints the tokens, quadratic in `f()()()…`.
        let span = || c.func.span();
        let claims_ty = turbofish(&c.func).or_else(|| returned_claims(self.f.sig));
        match segs.last().map(String::as_str) {
            Some(
                name @ ("dangerous_insecure_decode"
                | "dangerous_insecure_decode_with_validation"
                | "dangerous_unsafe_decode"),
            ) => self.unverified(span(), name, claims_ty),
            Some("insecure_decode")
                if self.jsonwebtoken
                    && (segs.iter().any(|s| s == "dangerous")
                        || self.rf.src.text.contains("dangerous::")) =>
            {
                self.unverified(span(), "insecure_decode", claims_ty)
            }
            Some("decode_unsecured") if self.josekit => {
                self.unverified(span(), "decode_unsecured", None)
            }
            Some("parse_unverified")
                if self.jwt_crate
                    && !block_words(self.f.block)
                        .iter()
                        .any(|w| w.starts_with("verify")) =>
            {
                self.unverified(span(), "parse_unverified", None)
            }
            Some("new")
                if self.jsonwebtoken
                    && segs.len() >= 2
                    && segs[segs.len() - 2] == "Validation"
                    && c.args.len() == 1
                    && self.alg_from_header(&c.args[0], 0)
                    && !block_words(self.f.block)
                        .iter()
                        .any(|w| w == "insecure_disable_signature_validation") =>
            {
                let r = report(
                    self.rf.span(&c.args[0]),
                    Why::AlgFromHeader {
                        family_checked: self.family_checked,
                    },
                );
                self.sink.report(r);
            }
            _ => {}
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        let span = m.method.span();
        match name.as_str() {
            "insecure_disable_signature_validation" | "insecure_disable_signature_check" => {
                self.unverified(span, &name, None)
            }
            "unverified_payload" if m.args.is_empty() => self.unverified(span, &name, None),
            _ => {}
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Expr::Field(f) = peel(&a.left)
            && matches!(&f.member, syn::Member::Named(i) if i == "validate_signature")
            && matches!(peel(&a.right), Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) if !b.value)
        {
            self.unverified(a.span(), "validate_signature = false", None);
        }
        syn::visit::visit_expr_assign(self, a);
    }
}

/// The first type argument of a path call (`insecure_decode::<Claims>`).
fn turbofish(func: &Expr) -> Option<&syn::Type> {
    let Expr::Path(p) = peel(func) else {
        return None;
    };
    match &p.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// `T` in a function returning `TokenData<T>` (possibly inside `Result`).
fn returned_claims(sig: &syn::Signature) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, t) = &sig.output else {
        return None;
    };
    find_token_data(t, 0)
}

fn find_token_data(t: &syn::Type, depth: usize) -> Option<&syn::Type> {
    if depth > 4 {
        return None;
    }
    let syn::Type::Path(p) = t else {
        return None;
    };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    let first = a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })?;
    if last.ident == "TokenData" {
        Some(first)
    } else {
        find_token_data(first, depth + 1)
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
        rule: Rule::JwtSignatureNotVerified,
        file: "src/auth.rs",
        prelude: r#"use jsonwebtoken::{decode, DecodingKey, Validation};
#[derive(serde::Deserialize)]
struct Claims { sub: String, exp: usize }"#,
        fail: &[
            r#"fn u(t: &str) -> Option<String> { Some(jsonwebtoken::dangerous_insecure_decode::<Claims>(t).ok()?.claims.sub) }"#,
            r#"fn u(t: &str) -> Option<String> { let mut v = Validation::default(); v.insecure_disable_signature_validation(); Some(decode::<Claims>(t, &DecodingKey::from_secret(&[]), &v).ok()?.claims.sub) }"#,
        ],
        pass: &[
            r#"fn u(t: &str, k: &DecodingKey) -> Option<String> { Some(decode::<Claims>(t, k, &Validation::default()).ok()?.claims.sub) }"#,
        ],
    }];
}
