//! `hardcoded-signing-secret` on server code: the key a token is signed or verified with, written
//! in the source.
//!
//! - a literal (or a string constant of the file) given to `jsonwebtoken`'s
//!   `jwt.sign(payload, key, ..)` / `jwt.verify(token, key, ..)`, to jose's
//!   `new SignJWT(..)….sign(key)` / `jwtVerify(token, key)`, also through
//!   `new TextEncoder().encode("…")` and `Buffer.from("…")`;
//! - `process.env.JWT_SECRET || "dev-secret"` (or `??`): anywhere in a server file when the
//!   variable's name speaks of a secret (as the Rust side decides, `rust::secrets::names::secret_name`),
//!   and as the key argument above whatever the variable's name.
//!
//! As on the Rust side, placeholders in code are still reported (`"changeme"` signs real tokens
//! when nobody replaces it); empty strings, references and masks (`"${JWT_SECRET}"`, `"****"`)
//! are not values, and a PEM public key or certificate given to `verify` is no secret.
use super::super::model::{arg, path_of};
use super::ServerWalker;
use crate::analyzers::rust::secrets::names::{not_a_value, secret_name};
use crate::rule::wording;
use oxc_ast::ast::{CallExpression, Expression, LogicalExpression, LogicalOperator};
use oxc_span::GetSpan;

/// How to read the key at runtime instead, shown in the help.
const READ_KEY: &str =
    "const key = process.env.JWT_SECRET; if (!key) throw new Error(\"JWT_SECRET is not set\")";

/// Where a key comes from, when it is written in the source.
enum Source {
    Literal(oxc_span::Span),
    /// `process.env.NAME || "…"`: the variable and the literal.
    Fallback(String, oxc_span::Span),
}

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    if let Some((ctor, key)) = keyed_call(w, call) {
        check_key(w, &ctor, key, READ_KEY);
    }
}

/// Reports the key `key` given to `ctor` when it is written in the source; each element of an
/// array of keys (express-session's and cookie-session's rotation lists) counts.
/// `read` is how to read it at runtime instead, shown in the help.
pub(super) fn check_key(w: &mut ServerWalker, ctor: &str, key: &Expression, read: &str) {
    if let Expression::ArrayExpression(a) = key.get_inner_expression() {
        for e in a.elements.iter().filter_map(|e| e.as_expression()) {
            check_key(w, ctor, e, read);
        }
        return;
    }
    match source(w, key, 0) {
        Some(Source::Literal(at)) => {
            let r = wording::key_in_source(w.head(at), ctor, read);
            w.sink.report(r);
        }
        // A secret-named variable is reported where its fallback is written (`check_logical`).
        Some(Source::Fallback(var, at)) if !secret_name(&var) => report_fallback(w, &var, at),
        _ => {}
    }
}

/// `process.env.JWT_SECRET || "dev-secret"` with a secret-named variable.
pub fn check_logical(w: &mut ServerWalker, e: &LogicalExpression) {
    if let Some((var, at)) = fallback(w, e)
        && secret_name(&var)
    {
        report_fallback(w, &var, at);
    }
}

fn report_fallback(w: &mut ServerWalker, var: &str, at: oxc_span::Span) {
    let fix =
        format!("const key = process.env.{var}; if (!key) throw new Error(\"{var} is not set\")");
    let r = wording::secret_env_fallback(w.head(at), var, &fix);
    w.sink.report(r);
}

/// The call's name as shown and its key argument, for the calls that take a signing key.
fn keyed_call<'e, 'a>(
    w: &ServerWalker,
    call: &'e CallExpression<'a>,
) -> Option<(String, &'e Expression<'a>)> {
    if let Some(f) = super::jwt_ttl::jsonwebtoken_fn(w.model, call)
        && matches!(f, "sign" | "verify")
    {
        return Some((format!("jwt.{f}"), arg(&call.arguments, 1)?));
    }
    // An import from jose, so no need to ask whether the file uses it.
    if super::jwt_decode::jose_fn(w, call) == Some("verify") {
        return Some(("jwtVerify".into(), arg(&call.arguments, 1)?));
    }
    if super::jwt_facts::sign_jwt_chain(w, call).is_some() {
        return Some(("SignJWT.sign".into(), arg(&call.arguments, 0)?));
    }
    None
}

/// The literal a key expression comes from.
fn source(w: &ServerWalker, e: &Expression, depth: usize) -> Option<Source> {
    if depth > 8 {
        return None;
    }
    let e = e.get_inner_expression();
    if let Some(v) = w.env().constant(e) {
        return secret_value(&v).then(|| Source::Literal(e.span()));
    }
    match e {
        Expression::LogicalExpression(l) => fallback(w, l).map(|(v, at)| Source::Fallback(v, at)),
        // `new TextEncoder().encode("…")`, `Buffer.from("…")`, `"…".toString()`.
        Expression::CallExpression(c) => {
            let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
                return None;
            };
            match m.property.name.as_str() {
                "encode" | "from" => source(w, arg(&c.arguments, 0)?, depth + 1),
                "toString" | "trim" => source(w, &m.object, depth + 1),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `process.env.NAME || "…"` / `?? "…"`: the variable and the literal default.
fn fallback(w: &ServerWalker, e: &LogicalExpression) -> Option<(String, oxc_span::Span)> {
    if !matches!(e.operator, LogicalOperator::Or | LogicalOperator::Coalesce) {
        return None;
    }
    let var = path_of(&e.left)?.strip_prefix("process.env.")?.to_string();
    let right = e.right.get_inner_expression();
    let v = w.env().constant(right)?;
    secret_value(&v).then(|| (var, right.span()))
}

/// A value a program would sign with: not empty, not a reference or a mask, not a public key or
/// certificate (`jwt.verify(t, "-----BEGIN PUBLIC KEY-----…")` publishes nothing secret).
fn secret_value(v: &str) -> bool {
    !v.trim().is_empty()
        && !not_a_value(v)
        && !["-----BEGIN PUBLIC KEY", "-----BEGIN CERTIFICATE"]
            .iter()
            .any(|p| v.contains(p))
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
            rule: Rule::HardcodedSigningSecret,
            file: "server/auth.js",
            prelude: r#"const jwt = require("jsonwebtoken");"#,
            fail: &[
                r#"function login(u) { return jwt.sign({ sub: u.id }, "s3cr3t-k3y-for-dev", { expiresIn: "15m" }); }"#,
                r#"const SECRET = "my-super-secret-key"; function auth(t) { return jwt.verify(t, SECRET); }"#,
                // Placeholders sign real tokens when nobody replaces them, as on the Rust side.
                r#"function login(u) { return jwt.sign({ sub: u.id }, "changeme"); }"#,
                r#"const key = process.env.JWT_SECRET || "dev-secret"; function login(u) { return jwt.sign({ sub: u.id }, key); }"#,
                r#"function login(u) { return jwt.sign({ sub: u.id }, process.env.KEY ?? "fallback-key-123"); }"#,
            ],
            pass: &[
                r#"function login(u) { return jwt.sign({ sub: u.id }, process.env.JWT_SECRET, { expiresIn: "15m" }); }"#,
                r#"const key = process.env.JWT_SECRET; function auth(t) { return jwt.verify(t, key); }"#,
                r#"const port = process.env.PORT || "3000"; function login(u) { return jwt.sign({ sub: u.id }, process.env.JWT_SECRET); }"#,
                r#"function login(u) { return jwt.sign({ sub: u.id }, ""); }"#,
                r#"const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"; function auth(t) { return jwt.verify(t, PUBLIC_KEY, { algorithms: ["ES256"] }); }"#,
            ],
        },
        Cases {
            rule: Rule::HardcodedSigningSecret,
            file: "src/lib/server/tokens.ts",
            prelude: r#"import { SignJWT, jwtVerify } from "jose";"#,
            fail: &[
                r#"const key = new TextEncoder().encode("a-long-signing-secret"); export const issue = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("a-long-signing-secret"));"#,
                r#"export const check = (t: string) => jwtVerify(t, new TextEncoder().encode("a-long-signing-secret"));"#,
                r#"const secret = new TextEncoder().encode(process.env.AUTH_SECRET ?? "dev-only-secret"); export const check = (t: string) => jwtVerify(t, secret);"#,
            ],
            pass: &[
                r#"const key = new TextEncoder().encode(process.env.AUTH_SECRET); export const issue = (id: string) => new SignJWT({ sub: id }).setProtectedHeader({ alg: "HS256" }).sign(key);"#,
                r#"export const check = (t: string) => jwtVerify(t, new TextEncoder().encode(process.env.AUTH_SECRET));"#,
            ],
        },
    ];
}
