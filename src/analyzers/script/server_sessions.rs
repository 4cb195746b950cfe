//! Session middleware of Node servers:
//! - `client-side-session-store`: `cookie-session` and iron-session keep the whole session in a
//!   signed or sealed cookie, so the server has nothing to delete at logout;
//! - the three cookie-flag rules on express-session's `cookie` options, against its defaults
//!   (HttpOnly on; Secure off; no SameSite). express-session keeps sessions on the server, so it
//!   is never a client-side store.
use super::model::{arg, property};
use super::server::ServerWalker;
use super::server_cookies::{Defaults, judge};
use crate::rule::wording;
use oxc_ast::ast::{CallExpression, Expression};

/// express-session's cookie defaults.
const EXPRESS_SESSION: Defaults = Defaults {
    http_only: true,
    secure: false,
    same_site: false,
};

const COOKIE_SESSION_HELP: &str = "use express-session with a server-side store (connect-redis's `RedisStore`, connect-pg-simple) so logout, bans and password changes delete the session on the server (`req.session.destroy()`)";
const IRON_SESSION_HELP: &str = "keep only a random session id in the iron-session cookie and the session itself in your database or Redis, so logout, bans and password changes delete it on the server";

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Expression::Identifier(id) = call.callee.get_inner_expression() else {
        return;
    };
    let Some(i) = w.model.import_of(id.name.as_str()) else {
        return;
    };
    let at = w.head(call.span);
    match (i.module.as_str(), i.name.as_str()) {
        ("cookie-session", _) => w.sink.report(wording::client_side_session_store(
            at,
            "cookie-session",
            COOKIE_SESSION_HELP,
        )),
        (
            "iron-session" | "iron-session/next" | "iron-session/express",
            "getIronSession" | "withIronSessionApiRoute" | "withIronSessionSsr" | "ironSession",
        ) => w.sink.report(wording::client_side_session_store(
            at,
            "iron-session",
            IRON_SESSION_HELP,
        )),
        ("express-session", "default") => {
            let Some(Expression::ObjectExpression(o)) =
                arg(&call.arguments, 0).map(|a| a.get_inner_expression())
            else {
                return;
            };
            judge(
                w,
                "the express-session cookie",
                property(o, "cookie"),
                EXPRESS_SESSION,
                at,
                "session({ cookie })",
            );
        }
        _ => {}
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

    const FILE: &str = "server/app.js";
    const PRELUDE: &str = r#"const express = require("express"); const session = require("express-session"); const cookieSession = require("cookie-session"); const { RedisStore } = require("connect-redis");"#;

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::ClientSideSessionStore,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"app.use(cookieSession({ name: "session", keys: [process.env.KEY], maxAge: 86400000 }));"#,
            ],
            pass: &[
                r#"app.use(session({ store: new RedisStore({ client }), secret: process.env.KEY, cookie: { secure: true, sameSite: "lax" } }));"#,
            ],
        },
        Cases {
            rule: Rule::ClientSideSessionStore,
            file: "app/api/login/route.ts",
            prelude: r#"import { getIronSession } from "iron-session"; import { cookies } from "next/headers";"#,
            fail: &[
                r#"export async function POST() { const s = await getIronSession(await cookies(), { password: process.env.P!, cookieName: "app" }); }"#,
            ],
            pass: &[
                r#"export async function POST() { const s = await db.session.create({ data: { userId } }); }"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"app.use(session({ secret: process.env.KEY, resave: false, saveUninitialized: false }));"#,
                r#"app.use(session({ secret: process.env.KEY, cookie: { secure: false, sameSite: "lax" } }));"#,
            ],
            pass: &[
                r#"app.use(session({ secret: process.env.KEY, cookie: { secure: true, sameSite: "lax" } }));"#,
                r#"app.use(session({ secret: process.env.KEY, cookie: { secure: app.get("env") === "production", sameSite: "lax" } }));"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"app.use(session({ secret: process.env.KEY, cookie: { httpOnly: false, secure: true, sameSite: "lax" } }));"#,
            ],
            pass: &[
                // express-session's default is HttpOnly.
                r#"app.use(session({ secret: process.env.KEY, cookie: { secure: true, sameSite: "lax" } }));"#,
            ],
        },
    ];
}
