//! `access-token-ttl-too-long` and `refresh-token-ttl-too-long` on server code: the lifetime a
//! `jsonwebtoken` `jwt.sign(payload, key, { expiresIn })` or a `jose`
//! `new SignJWT(payload).setExpirationTime('2h')` gives a token, and which token it is, from the
//! names around it (the claims' `type`, the variable or property it is stored in, the signing key,
//! the enclosing functions), as the Rust side decides (`rust::index::token_names::decide`): a 48-hour
//! email-confirmation token is not an access token.
//!
//! `expiresIn` strings follow vercel/ms ("15m", "7d", "2 days"; a string without a unit is
//! milliseconds, and not read); numbers are seconds. jose's numbers are absolute times: not read.
use super::super::model::{Model, arg, last, path_of, property};
use super::ServerWalker;
use crate::analyzers::rust::index::token_names::{TokenKind, decide};
use crate::config::duration::parse_text;
use crate::rule::{Rule, wording};
use oxc_ast::ast::{BinaryOperator, CallExpression, Expression, NewExpression, ObjectPropertyKind};
use oxc_span::GetSpan;

/// Claim fields that name the token's kind.
const TYPE_FIELDS: &[&str] = &[
    "type",
    "typ",
    "token_type",
    "tokenType",
    "kind",
    "token_use",
];

/// One token being signed.
struct Signing<'e, 'a> {
    lifetime: u64,
    /// Where the lifetime is written.
    at: oxc_span::Span,
    payload: Option<&'e Expression<'a>>,
    key: Option<&'e Expression<'a>>,
    via: &'static str,
}

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Some(s) = jsonwebtoken_sign(w, call).or_else(|| jose_expiry(w, call)) else {
        return;
    };
    let names = names(w, &s);
    let Some((kind, at)) = decide(names.iter().map(String::as_str)) else {
        return;
    };
    let (rule, limit) = match kind {
        TokenKind::Other | TokenKind::WeakOther => return,
        TokenKind::Refresh => (
            Rule::RefreshTokenTtlTooLong,
            w.ctx.settings.refresh_token_max_ttl,
        ),
        TokenKind::Access | TokenKind::Generic => (
            Rule::AccessTokenTtlTooLong,
            w.ctx.settings.access_token_max_ttl,
        ),
    };
    if s.lifetime <= limit {
        return;
    }
    let fname = w.functions.last().cloned().unwrap_or_else(|| s.via.into());
    let decided_by = (kind != TokenKind::Generic).then(|| names[at].clone());
    let code = match s.via {
        "jwt.sign" => format!("expiresIn: '{}'", ms_text(limit)),
        _ => format!("setExpirationTime('{}')", ms_text(limit)),
    };
    let r = wording::token_ttl_too_long(
        rule,
        w.head(s.at),
        kind.noun(),
        &fname,
        decided_by.as_deref(),
        (s.lifetime, limit),
        &code,
    );
    w.sink.report(r);
}

/// The names that say which token this is, most specific first.
fn names(w: &ServerWalker, s: &Signing) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Expression::ObjectExpression(o)) = s.payload.map(|p| p.get_inner_expression()) {
        for p in &o.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && p.key
                    .static_name()
                    .is_some_and(|k| TYPE_FIELDS.contains(&k.as_ref()))
                && let Some(v) = w.env().constant(&p.value)
            {
                out.push(v);
            }
        }
    }
    out.extend(w.targets.iter().rev().cloned());
    if let Some(k) = s.key.and_then(path_of) {
        out.push(last(&k).to_string());
    }
    out.extend(w.functions.iter().rev().cloned());
    // Signed with a JWT library: a token, whatever else is said.
    out.push("jwt".into());
    out
}

/// `jwt.sign(payload, key, { expiresIn: '7d' })` with `jwt` from `jsonwebtoken`.
fn jsonwebtoken_sign<'e, 'a>(
    w: &ServerWalker,
    call: &'e CallExpression<'a>,
) -> Option<Signing<'e, 'a>> {
    if jsonwebtoken_fn(w.model, call)? != "sign" {
        return None;
    }
    let Expression::ObjectExpression(o) = arg(&call.arguments, 2)?.get_inner_expression() else {
        return None;
    };
    let value = property(o, "expiresIn")?;
    let lifetime = expires_in(w, value)?;
    Some(Signing {
        lifetime: lifetime.round() as u64,
        at: value.span(),
        payload: arg(&call.arguments, 0),
        key: arg(&call.arguments, 1),
        via: "jwt.sign",
    })
}

/// The seconds a `jsonwebtoken` `expiresIn` value stands for: a vercel/ms string or seconds.
pub(super) fn expires_in(w: &ServerWalker, value: &Expression) -> Option<f64> {
    match w.env().constant(value) {
        Some(text) => parse_text(&text).ok(),
        None => seconds(value, 0),
    }
}

/// The seconds of a jose `setExpirationTime('2h')` argument (numbers are absolute: not read).
pub(super) fn jose_lifetime(w: &ServerWalker, value: &Expression) -> Option<f64> {
    let text = w.env().constant(value)?;
    parse_text(text.trim_end_matches(" from now")).ok()
}

/// `new SignJWT(payload)…setExpirationTime('2h')` in a file that imports `jose`.
fn jose_expiry<'e, 'a>(w: &ServerWalker, call: &'e CallExpression<'a>) -> Option<Signing<'e, 'a>> {
    let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() else {
        return None;
    };
    if m.property.name != "setExpirationTime" || !w.model.imports_module(|m| m == "jose") {
        return None;
    }
    let value = arg(&call.arguments, 0)?;
    let lifetime = jose_lifetime(w, value)?;
    Some(Signing {
        lifetime: lifetime.round() as u64,
        at: value.span(),
        payload: sign_jwt_payload(&m.object, 0),
        key: None,
        via: "setExpirationTime",
    })
}

/// The payload of the `new SignJWT(payload)` a call chain starts from.
fn sign_jwt_payload<'e, 'a>(e: &'e Expression<'a>, depth: usize) -> Option<&'e Expression<'a>> {
    arg(&chain_start(e, depth)?.arguments, 0)
}

/// The `new X(..)` a method chain (`new SignJWT(p).setIssuedAt().setExpirationTime(..)`) starts
/// from.
pub fn chain_start<'e, 'a>(e: &'e Expression<'a>, depth: usize) -> Option<&'e NewExpression<'a>> {
    if depth > 32 {
        return None;
    }
    match e.get_inner_expression() {
        Expression::NewExpression(n) => Some(n),
        Expression::CallExpression(c) => match c.callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => chain_start(&m.object, depth + 1),
            _ => None,
        },
        _ => None,
    }
}

/// Which `jsonwebtoken` function a call is (`sign`, `verify`, `decode`): `jwt.sign(..)` with
/// `jwt` the module, or `sign(..)` imported by name.
pub fn jsonwebtoken_fn(model: &Model, call: &CallExpression) -> Option<&'static str> {
    let path = path_of(&call.callee)?;
    let i = model.root_import(&path)?;
    let mut parts = path.split('.').skip(1);
    if i.module != "jsonwebtoken" {
        return None;
    }
    let name = match (parts.next(), parts.next()) {
        (None, _) => i.name.as_str(),
        (Some(f), None) if matches!(i.name.as_str(), "default" | "*") => f,
        _ => return None,
    };
    ["sign", "verify", "decode"]
        .into_iter()
        .find(|f| *f == name)
}

/// A number of seconds: a literal or a product of literals (`60 * 60 * 24 * 7`).
pub(super) fn seconds(e: &Expression, depth: usize) -> Option<f64> {
    if depth > 16 {
        return None;
    }
    match e.get_inner_expression() {
        Expression::NumericLiteral(n) => Some(n.value),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Multiplication => {
            Some(seconds(&b.left, depth + 1)? * seconds(&b.right, depth + 1)?)
        }
        _ => None,
    }
}

/// A lifetime as vercel/ms writes it, in the largest unit that divides it: "15m", "14d".
fn ms_text(secs: u64) -> String {
    [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        .into_iter()
        .find(|(size, _)| secs.is_multiple_of(*size))
        .map_or_else(
            || format!("{secs}s"),
            |(size, u)| format!("{}{u}", secs / size),
        )
}

/// Inline cases (`crate::rule::cases`): what these rules report, and their safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    #[test]
    fn lifetimes_in_vercel_ms_units() {
        assert_eq!(super::ms_text(900), "15m");
        assert_eq!(super::ms_text(30 * 86_400), "30d");
        assert_eq!(super::ms_text(5400), "90m");
        assert_eq!(super::ms_text(61), "61s");
    }

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::AccessTokenTtlTooLong,
            file: "server/auth.js",
            prelude: r#"const jwt = require("jsonwebtoken");"#,
            fail: &[
                r#"function generateAccessToken(u) { return jwt.sign({ sub: u.id }, KEY, { expiresIn: "7d" }); }"#,
                r#"const login = (req, res) => { const token = jwt.sign({ sub: 1 }, KEY, { expiresIn: "2 days" }); };"#,
                r#"function sign(u) { return jwt.sign({ sub: u.id, type: "access" }, KEY, { expiresIn: 60 * 60 * 24 }); }"#,
            ],
            pass: &[
                r#"function generateAccessToken(u) { return jwt.sign({ sub: u.id }, KEY, { expiresIn: "15m" }); }"#,
                r#"function emailConfirmationToken(u) { return jwt.sign({ sub: u.id }, KEY, { expiresIn: "48h" }); }"#,
                r#"function resetPassword(u) { const token = jwt.sign({ sub: u.id }, KEY, { expiresIn: "2d" }); }"#,
                // vercel/ms reads a string without a unit as milliseconds.
                r#"function generateAccessToken(u) { return jwt.sign({ sub: u.id }, KEY, { expiresIn: "86400" }); }"#,
            ],
        },
        Cases {
            rule: Rule::RefreshTokenTtlTooLong,
            file: "src/lib/server/tokens.ts",
            prelude: r#"import { SignJWT } from "jose"; import jwt from "jsonwebtoken";"#,
            fail: &[
                r#"export const issueRefresh = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("365d").sign(key);"#,
                r#"export function tokens(id: string) { return { refreshToken: jwt.sign({ sub: id }, KEY, { expiresIn: "90d" }) }; }"#,
            ],
            pass: &[
                r#"export const issueRefresh = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("14d").sign(key);"#,
                r#"export function tokens(id: string) { return { refreshToken: jwt.sign({ sub: id }, KEY, { expiresIn: "14d" }) }; }"#,
            ],
        },
    ];
}
