//! `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite` on server code:
//! auth cookies a TypeScript or JavaScript server sets, judged against each API's defaults.
//!
//! | API | defaults |
//! |---|---|
//! | SvelteKit `cookies.set(name, value, opts)` | httpOnly, secure, sameSite lax: only `false` / `'none'` written out are findings |
//! | Next.js `cookies().set`, `(await cookies()).set`, `response.cookies.set` | none of the three |
//! | Express `res.cookie(name, value, opts)` | none |
//! | Fastify `reply.setCookie(name, value, opts)` | none |
//! | Hono / h3 `setCookie(c, name, value, opts)` | none |
//! | the `cookie` package's `serialize(name, value, opts)` | none |
//! | Koa `ctx.cookies.set` | httpOnly; secure follows the request: only `false` written out |
//!
//! Options that are not an object literal, or that spread another object, are configured
//! elsewhere: only what is written out counts. A cookie being deleted (`maxAge: 0`) is no risk.
use super::super::model::{arg, last, path_of, property};
use super::{Framework, ServerWalker, is_next_cookies_call};
use crate::auth_names::classify;
use crate::rule::Rule;
use crate::rule::wording::{self, CookieFlag};
use oxc_ast::ast::{CallExpression, Expression, ObjectExpression, ObjectPropertyKind};

/// How an API treats an attribute the options leave out.
#[derive(Clone, Copy)]
pub(super) struct Defaults {
    pub http_only: bool,
    pub secure: bool,
    pub same_site: bool,
}

const NONE: Defaults = Defaults {
    http_only: false,
    secure: false,
    same_site: false,
};
const SVELTEKIT: Defaults = Defaults {
    http_only: true,
    secure: true,
    same_site: true,
};
/// Koa's `cookies`: HttpOnly by default, Secure when the request came over https; SameSite unset,
/// but the browser's Lax default is what Koa documents.
const KOA: Defaults = SVELTEKIT;

/// One cookie a server call sets.
struct Set<'e, 'a> {
    name: &'e Expression<'a>,
    opts: Option<&'e Expression<'a>>,
    defaults: Defaults,
    via: String,
}

/// What the options say about one attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Attr {
    Absent,
    On,
    Off(oxc_span::Span),
    /// `sameSite: 'none'`.
    None(oxc_span::Span),
    Configured,
}

struct Options {
    http_only: Attr,
    secure: Attr,
    same_site: Attr,
    deletes: bool,
}

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Some(set) = recognise(w, call) else {
        return;
    };
    let Some(subject) = auth_cookie(w, set.name) else {
        return;
    };
    let name_text = w.env().constant(set.name).unwrap_or_default();
    let secure_prefix = name_text.starts_with("__Secure-") || name_text.starts_with("__Host-");
    let defaults = Defaults {
        secure: set.defaults.secure || secure_prefix,
        ..set.defaults
    };
    let at = w.head(call.span);
    judge(w, &subject, set.opts, defaults, at, &set.via);
}

/// Reports each flag that the options `opts` (none: every flag absent) leave off, against the
/// API's `defaults`, for the cookie `subject` set at `at` through `via`.
pub(super) fn judge(
    w: &mut ServerWalker,
    subject: &str,
    opts: Option<&Expression>,
    d: Defaults,
    at: crate::finding::Span,
    via: &str,
) {
    let opts = match opts.map(|o| o.get_inner_expression()) {
        None => Some(Options::absent()),
        Some(Expression::ObjectExpression(o)) => Some(Options::read(o)),
        Some(_) => None,
    };
    let Some(opts) = opts.filter(|o| !o.deletes) else {
        return;
    };
    let checks = [
        (Rule::CookieMissingHttponly, opts.http_only, d.http_only),
        (Rule::CookieMissingSecure, opts.secure, d.secure),
        (Rule::CookieMissingSamesite, opts.same_site, d.same_site),
    ];
    for (rule, attr, on_by_default) in checks {
        let (flag, span) = match attr {
            Attr::Absent if !on_by_default => (CookieFlag::Absent, at),
            Attr::Off(s) => (CookieFlag::Off, w.head(s)),
            Attr::None(s) => (CookieFlag::SameSiteNone, w.head(s)),
            _ => continue,
        };
        let help = help(rule, flag, via);
        w.sink
            .report(wording::cookie_flag(rule, subject, flag, span, help));
    }
}

/// "auth cookie `session`" when the name says the cookie holds a login.
fn auth_cookie(w: &ServerWalker, name: &Expression) -> Option<String> {
    if let Some(text) = w.env().constant(name) {
        return classify(&text)
            .is_auth_cookie()
            .then(|| format!("auth cookie `{text}`"));
    }
    let shown = path_of(name)?;
    classify(last(&shown))
        .is_auth_cookie()
        .then(|| format!("auth cookie named by `{shown}`"))
}

fn help(rule: Rule, flag: CookieFlag, via: &str) -> String {
    match (rule, flag) {
        (Rule::CookieMissingHttponly, CookieFlag::Absent) => format!(
            "add `httpOnly: true` to the options of `{via}`: the server reads this cookie, scripts never need to"
        ),
        (Rule::CookieMissingHttponly, _) => {
            "change it to `httpOnly: true`: the server reads this cookie, scripts never need to (give the page what it must show through an endpoint instead)".into()
        }
        (Rule::CookieMissingSecure, CookieFlag::Absent) => format!(
            "add `secure: true` to the options of `{via}` (browsers accept Secure cookies from http://localhost, so development keeps working)"
        ),
        (Rule::CookieMissingSecure, _) => {
            "change it to `secure: true` (browsers accept Secure cookies from http://localhost, so development keeps working)".into()
        }
        (_, CookieFlag::SameSiteNone) => {
            "use `sameSite: 'lax'` unless the cookie must go with cross-site requests; if it must, keep `secure: true` and protect every state-changing request against CSRF".into()
        }
        _ => format!(
            "add `sameSite: 'lax'` (or `'strict'`) to the options of `{via}`, and keep CSRF protection on state-changing requests"
        ),
    }
}

/// The cookie a call sets, with its API's defaults.
fn recognise<'e, 'a>(w: &ServerWalker, call: &'e CallExpression<'a>) -> Option<Set<'e, 'a>> {
    let args = &call.arguments;
    let plain = |at: usize, defaults: Defaults, via: String| {
        let name = arg(args, at)?;
        arg(args, at + 1)?;
        Some(Set {
            name,
            opts: arg(args, at + 2),
            defaults,
            via,
        })
    };
    match call.callee.get_inner_expression() {
        Expression::StaticMemberExpression(m) => {
            let method = m.property.name.as_str();
            let object = m.object.get_inner_expression();
            let shown = path_of(object);
            match method {
                "set" => cookie_store_set(w, call, object, shown),
                "cookie" if express_like(w, shown.as_deref()) => plain(
                    0,
                    NONE,
                    format!("{}.cookie", shown.as_deref().unwrap_or("res")),
                ),
                "setCookie"
                    if w.server.uses(w.model, "@fastify/cookie")
                        || w.server.uses(w.model, "fastify") =>
                {
                    plain(
                        0,
                        NONE,
                        format!("{}.setCookie", shown.as_deref().unwrap_or("reply")),
                    )
                }
                "serialize"
                    if shown
                        .as_deref()
                        .is_some_and(|s| from_module(w, s, "cookie")) =>
                {
                    plain(0, NONE, "cookie.serialize".into())
                }
                _ => None,
            }
        }
        Expression::Identifier(id) => {
            let i = w.model.import_of(id.name.as_str())?;
            match (i.module.as_str(), i.name.as_str()) {
                ("hono/cookie" | "h3", "setCookie") => plain(1, NONE, "setCookie".into()),
                ("cookie", "serialize") => plain(0, NONE, "serialize".into()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `cookies.set(..)` on SvelteKit's, Next.js's or Koa's cookie store.
fn cookie_store_set<'e, 'a>(
    w: &ServerWalker,
    call: &'e CallExpression<'a>,
    object: &Expression,
    shown: Option<String>,
) -> Option<Set<'e, 'a>> {
    let args = &call.arguments;
    let next_store = is_next_cookies_call(object, w.model)
        || shown.as_ref().is_some_and(|s| w.next_stores.contains(s));
    let named_cookies = match object {
        Expression::StaticMemberExpression(m) => m.property.name == "cookies",
        Expression::Identifier(id) => id.name == "cookies",
        _ => false,
    };
    let defaults = if next_store {
        NONE
    } else if !named_cookies {
        return None;
    } else {
        match w.server.framework {
            Framework::SvelteKit => SVELTEKIT,
            Framework::Next => NONE,
            Framework::Koa => KOA,
            Framework::Other => return None,
        }
    };
    let via = match (&shown, next_store) {
        (Some(s), false) => format!("{s}.set"),
        _ => "cookies().set".into(),
    };
    // Next.js also takes one object: `cookies().set({ name, value, httpOnly })`.
    if let Some(Expression::ObjectExpression(o)) = arg(args, 0).map(|a| a.get_inner_expression())
        && defaults.http_only == NONE.http_only
    {
        let name = property(o, "name")?;
        return Some(Set {
            name,
            opts: arg(args, 0),
            defaults,
            via,
        });
    }
    Some(Set {
        name: arg(args, 0)?,
        opts: arg(args, 2),
        defaults,
        via,
    })
}

/// `res.cookie(..)` in Express (or any server file calling it on `res` / `response`).
fn express_like(w: &ServerWalker, object: Option<&str>) -> bool {
    w.server.uses(w.model, "express")
        || object.is_some_and(|o| matches!(last(o), "res" | "response"))
}

fn from_module(w: &ServerWalker, local: &str, module: &str) -> bool {
    w.model.import_of(local).is_some_and(|i| i.module == module)
}

impl Options {
    fn absent() -> Self {
        Options {
            http_only: Attr::Absent,
            secure: Attr::Absent,
            same_site: Attr::Absent,
            deletes: false,
        }
    }

    fn read(o: &ObjectExpression) -> Self {
        let mut out = Options::absent();
        for p in &o.properties {
            let p = match p {
                ObjectPropertyKind::ObjectProperty(p) => p,
                ObjectPropertyKind::SpreadProperty(_) => {
                    // Whatever the spread object says, it is configured elsewhere.
                    for a in [&mut out.http_only, &mut out.secure, &mut out.same_site] {
                        if *a == Attr::Absent {
                            *a = Attr::Configured;
                        }
                    }
                    continue;
                }
            };
            let Some(k) = p.key.static_name() else {
                continue;
            };
            let v = p.value.get_inner_expression();
            match k.to_ascii_lowercase().as_str() {
                "httponly" => out.http_only = flag(v, p.span),
                "secure" => out.secure = flag(v, p.span),
                "samesite" => out.same_site = same_site(v, p.span),
                "maxage" | "max-age" | "expires" => out.deletes |= expired(v),
                _ => {}
            }
        }
        out
    }
}

fn flag(v: &Expression, at: oxc_span::Span) -> Attr {
    match v {
        Expression::BooleanLiteral(b) if b.value => Attr::On,
        Expression::BooleanLiteral(_) => Attr::Off(at),
        _ => Attr::Configured,
    }
}

/// Express and the `cookie` package take `true` for Strict and `false` for no attribute.
fn same_site(v: &Expression, at: oxc_span::Span) -> Attr {
    match v {
        Expression::StringLiteral(s) if s.value.eq_ignore_ascii_case("none") => Attr::None(at),
        Expression::StringLiteral(_) => Attr::On,
        Expression::BooleanLiteral(b) if b.value => Attr::On,
        Expression::BooleanLiteral(_) => Attr::Off(at),
        _ => Attr::Configured,
    }
}

/// `maxAge: 0`, `expires: new Date(0)`: the cookie is being deleted.
fn expired(v: &Expression) -> bool {
    match v {
        Expression::NumericLiteral(n) => n.value <= 0.0,
        Expression::UnaryExpression(_) => true,
        Expression::NewExpression(n) => {
            n.arguments.len() == 1
                && matches!(n.arguments[0].as_expression(), Some(Expression::NumericLiteral(z)) if z.value == 0.0)
        }
        _ => false,
    }
}

/// Inline cases (`crate::rule::cases`): what these rules report on server code, and safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    const KIT: &str = "src/routes/login/+page.server.ts";
    const KIT_PRELUDE: &str = r#"import type { Actions } from "./$types";"#;
    const NEXT: &str = "app/api/login/route.ts";
    const NEXT_PRELUDE: &str =
        r#"import { cookies } from "next/headers"; import { NextResponse } from "next/server";"#;

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: KIT,
            prelude: KIT_PRELUDE,
            fail: &[
                r#"export const actions: Actions = { default: async ({ cookies }) => { cookies.set("u_access_token", t, { httpOnly: false, path: "/" }); } };"#,
            ],
            pass: &[
                // SvelteKit's default is HttpOnly.
                r#"export const actions: Actions = { default: async ({ cookies }) => { cookies.set("u_access_token", t, { path: "/" }); } };"#,
                r#"export const actions: Actions = { default: async ({ cookies }) => { cookies.set("theme", t, { httpOnly: false, path: "/" }); } };"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: "server/index.ts",
            prelude: r#"import express from "express"; import Fastify from "fastify"; import { setCookie } from "hono/cookie"; import { serialize } from "cookie";"#,
            fail: &[
                r#"app.post("/login", (req, res) => { res.cookie("token", t, { secure: true, sameSite: "lax" }); });"#,
                r#"app.post("/login", async (req, reply) => { reply.setCookie("session", t, { secure: true, sameSite: "lax" }); });"#,
                r#"app.post("/login", (c) => { setCookie(c, "access_token", t, { secure: true, sameSite: "Lax" }); });"#,
                r#"res.setHeader("Set-Cookie", serialize("sid", t, { secure: true, sameSite: "lax" }));"#,
            ],
            pass: &[
                r#"app.post("/login", (req, res) => { res.cookie("token", t, { httpOnly: true, secure: true, sameSite: "lax" }); });"#,
                r#"app.post("/login", async (req, reply) => { reply.setCookie("session", t, { httpOnly: true, secure: true, sameSite: "lax" }); });"#,
                r#"app.post("/login", (c) => { setCookie(c, "access_token", t, { httpOnly: true, secure: true, sameSite: "Lax" }); });"#,
                r#"res.setHeader("Set-Cookie", serialize("sid", t, { httpOnly: true, secure: true, sameSite: "lax" }));"#,
                // A CSRF cookie is meant for scripts; a cleared cookie carries nothing.
                r#"app.get("/", (req, res) => { res.cookie("XSRF-TOKEN", csrf, { secure: true, sameSite: "strict" }); });"#,
                r#"app.post("/logout", (req, res) => { res.cookie("token", "", { maxAge: 0 }); });"#,
                // Options built elsewhere are not guessed at.
                r#"app.post("/login", (req, res) => { res.cookie("token", t, cookieOptions); });"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: NEXT,
            prelude: NEXT_PRELUDE,
            fail: &[
                r#"export async function POST() { (await cookies()).set("session", s, { httpOnly: true, sameSite: "lax" }); }"#,
                r#"export async function POST() { const r = NextResponse.json({}); r.cookies.set("refresh_token", s, { httpOnly: true, sameSite: "lax" }); return r; }"#,
            ],
            pass: &[
                r#"export async function POST() { (await cookies()).set("session", s, { httpOnly: true, secure: true, sameSite: "lax" }); }"#,
                r#"export async function POST() { (await cookies()).set("__Host-session", s, { httpOnly: true, sameSite: "lax" }); }"#,
                r#"export async function POST() { (await cookies()).set("session", s, { httpOnly: true, secure: process.env.NODE_ENV === "production", sameSite: "lax" }); }"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSamesite,
            file: KIT,
            prelude: KIT_PRELUDE,
            fail: &[
                r#"export const actions: Actions = { default: async ({ cookies }) => { cookies.set("session", s, { path: "/", sameSite: "none" }); } };"#,
            ],
            pass: &[
                r#"export const actions: Actions = { default: async ({ cookies }) => { cookies.set("session", s, { path: "/" }); } };"#,
            ],
        },
    ];
}
