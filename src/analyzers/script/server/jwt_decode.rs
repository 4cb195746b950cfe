//! `jwt-signature-not-verified` on server code: `jsonwebtoken`'s `jwt.decode(token)` or jose's
//! `decodeJwt(token)` reads a token's claims without checking its signature. The simple, honest
//! version: a decode in a function of a server file where no `jwt.verify` / `jwtVerify` is
//! called in the same function is a warning (the claims may decide access). A decode next to a
//! verify, such as `jwt.decode(token, { complete: true })` to read the header's `kid` and pick
//! the key before `jwt.verify`, is not reported. Nor is a decode that reads only when the token
//! expires or was issued (`jwt.decode(t).exp`, `const { exp } = decodeJwt(t)`), as a server
//! scheduling a refresh does: the time claims decide nothing about who the user is. A decode
//! kept in a variable and read for `exp` later is still reported (the variable is not followed).
use super::super::model::path_of;
use super::ServerWalker;
use crate::finding::Severity;
use crate::rule::wording;
use oxc_ast::ast::{
    BindingPattern, CallExpression, Expression, StaticMemberExpression, VariableDeclarator,
};

/// The decodes and verifies of one function.
#[derive(Default)]
pub struct Frame {
    decodes: Vec<(oxc_span::Span, &'static str)>,
    verified: bool,
}

const JWT_HELP: &str = "verify with `jwt.verify(token, key, { algorithms: ['HS256'] })` (the algorithm you issue with) and the key from your configuration; `jwt.decode` only reads the claims";
const JOSE_HELP: &str = "verify with `await jwtVerify(token, key, { algorithms: ['HS256'] })` (the algorithm you issue with); `decodeJwt` only reads the claims";

/// Claims that say only when a token is valid.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "nbf"];

/// `jwt.decode(t).exp`: the decode reads a time claim only.
pub fn check_member(w: &mut ServerWalker, m: &StaticMemberExpression) {
    if TIME_CLAIMS.contains(&m.property.name.as_str())
        && let Expression::CallExpression(c) = m.object.get_inner_expression()
    {
        w.time_only_decodes.push(c.span);
    }
}

/// `const { exp } = jwt.decode(t)`: the decode reads time claims only.
pub fn check_declarator(w: &mut ServerWalker, d: &VariableDeclarator) {
    let (BindingPattern::ObjectPattern(o), Some(Expression::CallExpression(c))) =
        (&d.id, d.init.as_ref().map(|i| i.get_inner_expression()))
    else {
        return;
    };
    let time_only = o.rest.is_none()
        && !o.properties.is_empty()
        && o.properties.iter().all(|p| {
            p.key
                .static_name()
                .is_some_and(|k| TIME_CLAIMS.contains(&k.as_ref()))
        });
    if time_only {
        w.time_only_decodes.push(c.span);
    }
}

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    if w.time_only_decodes.contains(&call.span) {
        return;
    }
    let found = match super::jwt_ttl::jsonwebtoken_fn(w.model, call) {
        Some("decode") => Some("jwt.decode"),
        Some("verify") => Some("verify"),
        _ => jose_fn(w, call),
    };
    let Some(frame) = w.decode_frames.last_mut() else {
        return;
    };
    match found {
        Some("verify") => frame.verified = true,
        Some(call_name) => frame.decodes.push((call.span, call_name)),
        None => {}
    }
}

/// jose's `decodeJwt` (a decode) and `jwtVerify` (a verify).
pub fn jose_fn(w: &ServerWalker, call: &CallExpression) -> Option<&'static str> {
    let path = path_of(&call.callee)?;
    let i = w.model.root_import(&path)?;
    if i.module != "jose" {
        return None;
    }
    match super::super::model::last(&path) {
        "decodeJwt" => Some("decodeJwt"),
        "jwtVerify" => Some("verify"),
        _ => None,
    }
}

/// Reports the decodes of a function left with no verify.
pub fn leave(w: &mut ServerWalker, frame: Frame) {
    if frame.verified {
        return;
    }
    for (span, call) in frame.decodes {
        let help = if call == "decodeJwt" {
            JOSE_HELP
        } else {
            JWT_HELP
        };
        let r = wording::signature_not_verified(w.head(span), call, help);
        w.sink.report(r.severity(Severity::Warning));
    }
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
            rule: Rule::JwtSignatureNotVerified,
            file: "server/auth.js",
            prelude: r#"const jwt = require("jsonwebtoken");"#,
            fail: &[
                r#"function requireUser(req, res, next) { const claims = jwt.decode(req.headers.authorization.slice(7)); if (!claims) return res.sendStatus(401); req.user = claims.sub; next(); }"#,
                r#"const user = (t) => jwt.decode(t, { complete: true }).payload.sub;"#,
            ],
            pass: &[
                r#"function requireUser(req, res, next) { req.user = jwt.verify(req.headers.authorization.slice(7), process.env.JWT_SECRET, { algorithms: ["HS256"] }).sub; next(); }"#,
                // The header's `kid` picks the key, then the token is verified.
                r#"function requireUser(t) { const { header } = jwt.decode(t, { complete: true }); return jwt.verify(t, keys[header.kid], { algorithms: ["RS256"] }); }"#,
                // Reading only when the token expires, to refresh it in time.
                r#"function scheduleRefresh(t) { const { exp } = jwt.decode(t); setTimeout(refresh, exp * 1000 - Date.now() - 60000); }"#,
                r#"function expiresSoon(t) { return jwt.decode(t).exp * 1000 < Date.now() + 60000; }"#,
                // Decoded after the signature was checked in the same function.
                r#"function user(t) { jwt.verify(t, process.env.JWT_SECRET, { algorithms: ["HS256"] }); return jwt.decode(t).sub; }"#,
            ],
        },
        Cases {
            rule: Rule::JwtSignatureNotVerified,
            file: "src/routes/+page.server.ts",
            prelude: r#"import { decodeJwt, jwtVerify } from "jose";"#,
            fail: &[
                r#"export const load = ({ cookies }) => { const claims = decodeJwt(cookies.get("session")); return { user: claims.sub }; };"#,
            ],
            pass: &[
                r#"export const load = async ({ cookies }) => { const { payload } = await jwtVerify(cookies.get("session"), key); return { user: payload.sub }; };"#,
                r#"export const load = ({ cookies }) => { const { exp, iat } = decodeJwt(cookies.get("session")); return { refreshAt: exp - 60 }; };"#,
            ],
        },
    ];
}
