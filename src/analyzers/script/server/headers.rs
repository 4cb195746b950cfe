//! `cookie-missing-httponly` / `-secure` / `-samesite` on raw `Set-Cookie` headers written by a
//! server file: `res.setHeader('Set-Cookie', 'token=…; Path=/')`, `res.set(..)`,
//! `reply.header(..)`, `c.header(..)` (Hono), `headers.append('Set-Cookie', ..)` /
//! `headers.set(..)`, and the object forms `new Response(body, { headers: { 'Set-Cookie': … } })`,
//! `res.writeHead(200, { 'Set-Cookie': … })`, `new Headers({ 'Set-Cookie': … })`.
//!
//! The value is read as header text (`name=value; Path=/; HttpOnly`) by the parser the Rust side
//! uses for its raw headers (`rust::cookies::raw_set_cookie`): a string, a template literal (`${..}` parts
//! are holes; an interpolated attribute counts as configured), a constant, or an array of them.
//! A header value built by a call (`serialize(..)`) is judged at that call (`cookies`).
//! No framework adds attributes to a raw header, so every absent flag counts.
use super::ServerWalker;
use crate::analyzers::rust::cookies::model::{CookieName, Flag, SameSiteValue};
use crate::analyzers::rust::cookies::raw_set_cookie::{HOLE, parse_header_text};
use crate::auth_names::classify;
use crate::rule::Rule;
use crate::rule::wording::{self, CookieFlag};
use oxc_ast::ast::{BinaryOperator, CallExpression, Expression, ObjectProperty};
use oxc_span::GetSpan;

/// `x.setHeader('Set-Cookie', v)` and the other one-header calls.
pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() else {
        return;
    };
    let method = m.property.name.as_str();
    if !matches!(
        method,
        "setHeader" | "set" | "header" | "append" | "appendHeader"
    ) {
        return;
    }
    let (Some(name), Some(value)) = (
        super::super::model::arg(&call.arguments, 0),
        super::super::model::arg(&call.arguments, 1),
    ) else {
        return;
    };
    if is_set_cookie(w, name) {
        check_value(w, value);
    }
}

/// `{ 'Set-Cookie': v }` anywhere in a server file: response init, `writeHead`, `new Headers`.
pub fn check_property(w: &mut ServerWalker, p: &ObjectProperty) {
    let named = p
        .key
        .static_name()
        .is_some_and(|k| k.eq_ignore_ascii_case("set-cookie"));
    if named {
        check_value(w, &p.value);
    }
}

fn is_set_cookie(w: &ServerWalker, e: &Expression) -> bool {
    w.env()
        .constant(e)
        .is_some_and(|t| t.eq_ignore_ascii_case("set-cookie"))
}

/// One header value, or each of an array of them.
fn check_value(w: &mut ServerWalker, v: &Expression) {
    match v.get_inner_expression() {
        Expression::ArrayExpression(a) => {
            for e in a.elements.iter().filter_map(|e| e.as_expression()) {
                check_one(w, e);
            }
        }
        other => check_one(w, other),
    }
}

fn check_one(w: &mut ServerWalker, e: &Expression) {
    let Some(text) = header_text(w, e, 0) else {
        return;
    };
    let Some(cookie) = parse_header_text(&text) else {
        return;
    };
    let name = match &cookie.name {
        CookieName::Known(n) | CookieName::Named(n) => n.clone(),
        CookieName::Unknown => return,
    };
    if cookie.removal || !classify(&name).is_auth_cookie() {
        return;
    }
    let at = w.head(e.span());
    let subject = format!("auth cookie `{name}`");
    let a = cookie.attrs;
    let checks = [
        (
            Rule::CookieMissingHttponly,
            (a.http_only.0 == Flag::Absent).then_some(CookieFlag::Absent),
            "HttpOnly",
        ),
        (
            Rule::CookieMissingSecure,
            (a.secure.0 == Flag::Absent && !cookie.name.has_secure_prefix())
                .then_some(CookieFlag::Absent),
            "Secure",
        ),
        (
            Rule::CookieMissingSamesite,
            match a.same_site.0 {
                SameSiteValue::Absent => Some(CookieFlag::Absent),
                SameSiteValue::None => Some(CookieFlag::SameSiteNone),
                _ => None,
            },
            "SameSite=Lax",
        ),
    ];
    for (rule, flag, attr) in checks {
        let Some(flag) = flag else { continue };
        let help = if flag == CookieFlag::SameSiteNone {
            "use `SameSite=Lax` unless the cookie must go with cross-site requests; if it must, keep `Secure` and protect every state-changing request against CSRF".to_string()
        } else {
            format!(
                "add `; {attr}` to the `Set-Cookie` value (or set it with your framework's cookie API, which writes the attributes for you)"
            )
        };
        w.sink
            .report(wording::cookie_flag(rule, &subject, flag, at, help));
    }
}

/// The header text of an expression, with [`HOLE`] for every part computed at runtime.
fn header_text(w: &ServerWalker, e: &Expression, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    if let Some(t) = w.env().constant(e) {
        return Some(t);
    }
    match e.get_inner_expression() {
        Expression::TemplateLiteral(t) => {
            let mut out = String::new();
            for (i, q) in t.quasis.iter().enumerate() {
                out.push_str(q.value.cooked.as_ref().unwrap_or(&q.value.raw).as_str());
                if let Some(x) = t.expressions.get(i) {
                    out.push_str(&hole_or_text(w, x, depth));
                }
            }
            Some(out)
        }
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            let left = header_text(w, &b.left, depth + 1)?;
            Some(left + &hole_or_text(w, &b.right, depth))
        }
        _ => None,
    }
}

fn hole_or_text(w: &ServerWalker, e: &Expression, depth: usize) -> String {
    header_text(w, e, depth + 1).unwrap_or_else(|| HOLE.to_string())
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

    const FILE: &str = "server/index.ts";
    const PRELUDE: &str = r#"import express from "express";"#;

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"app.post("/login", (req, res) => { res.setHeader("Set-Cookie", `token=${t}; Path=/; Secure; SameSite=Lax`); });"#,
                r#"export function POST() { const h = new Headers(); h.append("set-cookie", "session=" + id + "; Path=/; Secure; SameSite=Strict"); return new Response(null, { headers: h }); }"#,
                r#"export function POST() { return new Response("ok", { headers: { "Set-Cookie": `access_token=${t}; Secure; SameSite=Lax` } }); }"#,
                r#"app.post("/login", (req, res) => { res.writeHead(200, { "Set-Cookie": [`sid=${id}; Secure; SameSite=Lax`, "theme=dark"] }); });"#,
            ],
            pass: &[
                r#"app.post("/login", (req, res) => { res.setHeader("Set-Cookie", `token=${t}; Path=/; HttpOnly; Secure; SameSite=Lax`); });"#,
                r#"export function POST() { const h = new Headers(); h.append("set-cookie", "session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Strict"); return new Response(null, { headers: h }); }"#,
                r#"export function POST() { return new Response("ok", { headers: { "Set-Cookie": `access_token=${t}; HttpOnly; Secure; SameSite=Lax` } }); }"#,
                // Not a login; a cookie being cleared; attributes interpolated from elsewhere.
                r#"app.get("/", (req, res) => { res.setHeader("Set-Cookie", "theme=dark; Path=/"); });"#,
                r#"app.post("/logout", (req, res) => { res.setHeader("Set-Cookie", "token=; Max-Age=0; Path=/"); });"#,
                r#"app.post("/login", (req, res) => { res.setHeader("Set-Cookie", `token=${t}; ${COOKIE_ATTRS}`); });"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"app.post("/login", (req, res) => { res.set("Set-Cookie", `session=${id}; HttpOnly; SameSite=Lax`); });"#,
            ],
            pass: &[
                r#"app.post("/login", (req, res) => { res.set("Set-Cookie", `session=${id}; HttpOnly; Secure; SameSite=Lax`); });"#,
                r#"app.post("/login", (req, res) => { res.set("Set-Cookie", `__Host-session=${id}; Path=/; HttpOnly; SameSite=Lax`); });"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSamesite,
            file: "app/api/login/route.ts",
            prelude: r#"import { NextResponse } from "next/server";"#,
            fail: &[
                r#"export async function POST() { const r = NextResponse.json({}); r.headers.append("Set-Cookie", `refresh_token=${t}; HttpOnly; Secure; SameSite=None`); return r; }"#,
                r#"export async function POST() { const r = NextResponse.json({}); r.headers.set("Set-Cookie", `refresh_token=${t}; HttpOnly; Secure`); return r; }"#,
            ],
            pass: &[
                r#"export async function POST() { const r = NextResponse.json({}); r.headers.append("Set-Cookie", `refresh_token=${t}; HttpOnly; Secure; SameSite=Strict; Path=/api/auth/refresh`); return r; }"#,
            ],
        },
    ];
}
