//! What a server file's JWT calls say about the design, and the two rules read from the same
//! calls:
//! - facts for the verdict: `jwt.sign` / `new SignJWT(..).sign(key)` issue a JWT (`JwtIssued`,
//!   with its lifetime when written), `jwt.verify` / `jwtVerify` verify one (`JwtVerified`), as
//!   the Rust side's `jsonwebtoken::encode` / `decode` do;
//! - `token-without-expiry`: `jwt.sign` whose payload object has no `exp` and whose options no
//!   `expiresIn`, a `SignJWT` chain with no `setExpirationTime` and no `exp`; `jwt.verify(..,
//!   { ignoreExpiration: true })` and jose's `currentDate` far from now are not read, only the
//!   flag. A payload built elsewhere (a variable) may carry `exp`: not reported. A single-purpose
//!   token (an unsubscribe link) is not reported, nor is `ignoreExpiration` inside a refresh
//!   handler, where reading an expired access token's owner is the point;
//! - `jwt-signature-not-verified`: `algorithms: ['none']` given to a verify.
use super::super::model::{arg, property};
use super::ServerWalker;
use super::jwt_ttl::{chain_start, expires_in, jose_lifetime, jsonwebtoken_fn};
use crate::facts::{FactKind, TokenKind};
use crate::rule::wording;
use oxc_ast::ast::{CallExpression, Expression, ObjectExpression, ObjectPropertyKind};
use oxc_span::GetSpan;

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    match jsonwebtoken_fn(w.model, call) {
        Some("sign") => jwt_sign(w, call),
        Some("verify") => verify(w, call, "jwt.verify"),
        _ => {
            if super::jwt_decode::jose_fn(w, call) == Some("verify") {
                verify(w, call, "jwtVerify");
            } else if let Some(chain) = sign_jwt_chain(w, call) {
                jose_sign(w, call, chain);
            }
        }
    }
}

/// The token's kind from the names around the call (variables, then functions).
fn token(w: &ServerWalker) -> TokenKind {
    let names = w.targets.iter().rev().chain(w.functions.iter().rev());
    match TokenKind::from_names(names.map(String::as_str)) {
        TokenKind::Unknown => TokenKind::Access,
        k => k,
    }
}

fn fact(w: &mut ServerWalker, kind: FactKind, at: oxc_span::Span) {
    let at = w.head(at);
    // An anonymous route handler is named by the variable the token goes to.
    let function = w.functions.last().or(w.targets.last()).cloned();
    w.sink.fact(kind, at, function.as_deref());
}

/// `jwt.sign(payload, key, { expiresIn })`.
fn jwt_sign(w: &mut ServerWalker, call: &CallExpression) {
    let opts = match arg(&call.arguments, 2).map(|o| o.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => Some(&**o),
        // Options built elsewhere may set `expiresIn`.
        Some(_) => return issued(w, call, None),
        None => None,
    };
    let lifetime = opts
        .and_then(|o| property(o, "expiresIn"))
        .and_then(|v| expires_in(w, v));
    issued(w, call, lifetime);
    let opts_silent = opts.is_none_or(|o| !has(o, "expiresIn"));
    if opts_silent && payload_without_exp(arg(&call.arguments, 0)) {
        never_expires(w, call, "jwt.sign", "{ expiresIn: '15m' }");
    }
}

/// `new SignJWT(payload)….sign(key)`: its `setExpirationTime`, if the chain has one.
fn jose_sign(w: &mut ServerWalker, call: &CallExpression, chain: Chain) {
    let lifetime = chain.expiry.and_then(|e| jose_lifetime(w, e));
    issued(w, call, lifetime);
    if chain.expiry.is_none() && payload_without_exp(chain.payload) {
        never_expires(w, call, "SignJWT", ".setExpirationTime('15m')");
    }
}

fn issued(w: &mut ServerWalker, call: &CallExpression, lifetime: Option<f64>) {
    let token = token(w);
    let lifetime_secs = lifetime.map(|l| l.max(0.0).round() as u64);
    fact(
        w,
        FactKind::JwtIssued {
            token,
            lifetime_secs,
        },
        call.span,
    );
}

fn never_expires(w: &mut ServerWalker, call: &CallExpression, what: &str, code: &str) {
    if token(w) == TokenKind::SinglePurpose {
        return;
    }
    let r = wording::token_never_expires(w.head(call.span), what, code);
    w.sink.report(r);
}

/// A verify: the fact, `ignoreExpiration: true` and `algorithms: ['none']`.
fn verify(w: &mut ServerWalker, call: &CallExpression, what: &str) {
    let token = token(w);
    fact(w, FactKind::JwtVerified { token }, call.span);
    let Some(Expression::ObjectExpression(o)) =
        arg(&call.arguments, 2).map(|o| o.get_inner_expression())
    else {
        return;
    };
    if let Some(v) = property(o, "ignoreExpiration")
        && matches!(v.get_inner_expression(), Expression::BooleanLiteral(b) if b.value)
        && token != TokenKind::Refresh
    {
        let r = wording::expiry_ignored(w.head(v.span()), what, "ignoreExpiration: true");
        w.sink.report(r);
    }
    if let Some(Expression::ArrayExpression(a)) =
        property(o, "algorithms").map(|a| a.get_inner_expression())
    {
        let none = a
            .elements
            .iter()
            .filter_map(|e| e.as_expression())
            .find(|e| {
                w.env()
                    .constant(e)
                    .is_some_and(|t| t.eq_ignore_ascii_case("none"))
            });
        if let Some(e) = none {
            let help = "list only the algorithm you sign with (`algorithms: ['HS256']` or `['RS256']`); `none` means no signature at all";
            let r = wording::signature_not_verified(w.head(e.span()), what, help);
            w.sink.report(r);
        }
    }
}

/// The parts of a `new SignJWT(payload)…` chain that `.sign(key)` ends.
pub(super) struct Chain<'e, 'a> {
    payload: Option<&'e Expression<'a>>,
    expiry: Option<&'e Expression<'a>>,
}

/// `new SignJWT(payload)….sign(key)` (jose, imported or a dependency of the package).
pub(super) fn sign_jwt_chain<'e, 'a>(
    w: &ServerWalker,
    call: &'e CallExpression<'a>,
) -> Option<Chain<'e, 'a>> {
    let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() else {
        return None;
    };
    if m.property.name != "sign" || !w.server.uses(w.model, "jose") {
        return None;
    }
    let start = chain_start(&m.object, 0)?;
    if !matches!(start.callee.get_inner_expression(), Expression::Identifier(id) if id.name == "SignJWT")
    {
        return None;
    }
    let mut expiry = None;
    let mut e = &m.object;
    for _ in 0..32 {
        let Expression::CallExpression(c) = e.get_inner_expression() else {
            break;
        };
        let Expression::StaticMemberExpression(cm) = c.callee.get_inner_expression() else {
            break;
        };
        if cm.property.name == "setExpirationTime" {
            expiry = arg(&c.arguments, 0);
        }
        e = &cm.object;
    }
    Some(Chain {
        payload: arg(&start.arguments, 0),
        expiry,
    })
}

/// A payload written out as an object with no `exp` and nothing spread into it.
fn payload_without_exp(payload: Option<&Expression>) -> bool {
    match payload.map(|p| p.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => !has(o, "exp"),
        _ => false,
    }
}

/// Whether an object literal names `key` (or spreads something that may).
fn has(o: &ObjectExpression, key: &str) -> bool {
    o.properties.iter().any(|p| match p {
        ObjectPropertyKind::SpreadProperty(_) => true,
        ObjectPropertyKind::ObjectProperty(p) => p.key.static_name().is_some_and(|k| k == key),
    })
}

/// Inline cases (`crate::rule::cases`).
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
            rule: Rule::TokenWithoutExpiry,
            file: "server/auth.js",
            prelude: r#"const jwt = require("jsonwebtoken");"#,
            fail: &[
                r#"function login(u) { return jwt.sign({ sub: u.id, role: u.role }, process.env.JWT_SECRET); }"#,
                r#"function requireUser(req) { return jwt.verify(req.token, process.env.JWT_SECRET, { ignoreExpiration: true }); }"#,
            ],
            pass: &[
                r#"function login(u) { return jwt.sign({ sub: u.id, role: u.role }, process.env.JWT_SECRET, { expiresIn: "15m" }); }"#,
                r#"function login(u) { return jwt.sign({ sub: u.id, exp: Math.floor(Date.now() / 1000) + 900 }, process.env.JWT_SECRET); }"#,
                // The payload is built elsewhere; a single-purpose link; the refresh handler
                // reads an expired access token's owner on purpose.
                r#"function login(claims) { return jwt.sign(claims, process.env.JWT_SECRET); }"#,
                r#"function unsubscribeLink(u) { return jwt.sign({ sub: u.id }, process.env.JWT_SECRET); }"#,
                r#"function refreshToken(req) { return jwt.verify(req.expired, process.env.JWT_SECRET, { ignoreExpiration: true }); }"#,
            ],
        },
        Cases {
            rule: Rule::TokenWithoutExpiry,
            file: "src/lib/server/tokens.ts",
            prelude: r#"import { SignJWT } from "jose";"#,
            fail: &[
                r#"export const issue = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().sign(key);"#,
            ],
            pass: &[
                r#"export const issue = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("15m").sign(key);"#,
            ],
        },
        Cases {
            rule: Rule::JwtSignatureNotVerified,
            file: "server/auth.js",
            prelude: r#"const jwt = require("jsonwebtoken");"#,
            fail: &[
                r#"function requireUser(req) { return jwt.verify(req.token, key, { algorithms: ["none", "HS256"] }); }"#,
            ],
            pass: &[
                r#"function requireUser(req) { return jwt.verify(req.token, key, { algorithms: ["HS256"] }); }"#,
            ],
        },
    ];
}
