//! Session middleware of Node servers:
//! - `client-side-session-store`: `cookie-session`, iron-session and `@fastify/secure-session`
//!   keep the whole session in a signed or sealed cookie, so the server has nothing to delete at
//!   logout;
//! - the three cookie-flag rules on the session cookie's options, against each middleware's
//!   defaults: express-session (HttpOnly on; Secure off; no SameSite), `@fastify/session` and the
//!   older `fastify-session` (HttpOnly and Secure on; no SameSite), better-auth (HttpOnly,
//!   Secure and `SameSite=Lax`, under `advanced.defaultCookieAttributes`);
//! - `hardcoded-signing-secret`: the `secret` (or `keys`, `key`, `password`) the cookie is signed
//!   or sealed with, written in the source. The README example `'keyboard cat'` is a real key
//!   once committed to an app: as on the Rust side and for `jwt.sign`, placeholders in code are
//!   reported (example and test paths are capped or skipped by their role);
//! - facts for the design verdict: express-session, `@fastify/session` and better-auth keep
//!   sessions on the server (`ServerSession`, with the store), the cookie stores are
//!   `CookieSession`. A server-side session's lifetime (better-auth's `session.expiresIn`,
//!   lucia's `sessionExpiresIn`) is not a token's: the session is deleted at logout, so it is
//!   not judged by the token-lifetime rules. (lucia itself, deprecated since 2025, is not read.)
use super::super::model::{arg, path_of, property};
use super::ServerWalker;
use super::cookies::{Defaults, judge};
use crate::facts::FactKind;
use crate::rule::wording;
use oxc_ast::ast::{CallExpression, Expression, ObjectExpression};

/// express-session's cookie defaults.
const EXPRESS_SESSION: Defaults = Defaults {
    http_only: true,
    secure: false,
    same_site: false,
};
/// better-auth: `HttpOnly`, `SameSite=Lax`, and `Secure` whenever the base URL is HTTPS.
const BETTER_AUTH: Defaults = Defaults {
    http_only: true,
    secure: true,
    same_site: true,
};
/// `@fastify/session` (and `fastify-session` before it): `HttpOnly; Secure` unless told otherwise.
const FASTIFY_SESSION: Defaults = Defaults {
    http_only: true,
    secure: true,
    same_site: false,
};

const COOKIE_SESSION_HELP: &str = "use express-session with a server-side store (connect-redis's `RedisStore`, connect-pg-simple) so logout, bans and password changes delete the session on the server (`req.session.destroy()`)";
const IRON_SESSION_HELP: &str = "keep only a random session id in the iron-session cookie and the session itself in your database or Redis, so logout, bans and password changes delete it on the server";
const SECURE_SESSION_HELP: &str = "use `@fastify/session` with a server-side store (Redis, a database) so logout, bans and password changes delete the session on the server (`request.session.destroy()`)";
const READ_SECRET: &str = "const secret = process.env.SESSION_SECRET; if (!secret) throw new Error(\"SESSION_SECRET is not set\")";

/// A session middleware and where its options are.
enum Middleware<'e, 'a> {
    /// Sessions on the server: which library, its cookie defaults, its options and where in
    /// them the cookie's attributes are (see [`Lib`]).
    Server(Lib, Defaults, Option<&'e ObjectExpression<'a>>),
    /// The session in the cookie: which library, the help.
    Client(&'static str, &'static str, Option<&'e ObjectExpression<'a>>),
}

/// A server-side session library and where its options name the store and the cookie.
#[derive(Clone, Copy)]
struct Lib {
    name: &'static str,
    store: &'static str,
    cookie: &'static [&'static str],
}

const EXPRESS: Lib = Lib {
    name: "express-session",
    store: "store",
    cookie: &["cookie"],
};
const FASTIFY: Lib = Lib {
    name: "@fastify/session",
    store: "store",
    cookie: &["cookie"],
};
/// better-auth keeps sessions in its `database` (their lifetime, `session.expiresIn`, is a
/// revocable server-side session's, not a token's) and its cookie attributes under
/// `advanced.defaultCookieAttributes`.
const BETTER: Lib = Lib {
    name: "better-auth",
    store: "database",
    cookie: &["advanced", "defaultCookieAttributes"],
};

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Some(m) = recognise(w, call) else {
        return;
    };
    let at = w.head(call.span);
    let function = w.functions.last().cloned();
    match m {
        Middleware::Client(lib, help, opts) => {
            w.sink
                .report(wording::client_side_session_store(at, lib, help));
            w.sink
                .fact(FactKind::CookieSession, at, function.as_deref());
            secrets(w, lib, opts);
        }
        Middleware::Server(lib, defaults, opts) => {
            let store = opts.and_then(|o| property(o, lib.store)).map_or_else(
                || format!("{}'s in-memory store", lib.name),
                |s| store_name(lib.name, s),
            );
            w.sink
                .fact(FactKind::ServerSession { store }, at, function.as_deref());
            if let Some(o) = opts {
                let via = format!("{}({{ {} }})", lib.name, lib.cookie.join(": { "));
                let cookie = format!("the {} cookie", lib.name);
                // The attributes at the library's path; a value on the way that is not an object
                // literal is passed on as it is (the judge leaves what it cannot read alone).
                let mut attrs = None;
                let mut obj = Some(o);
                for key in lib.cookie {
                    let Some(at_key) = obj.and_then(|x| property(x, key)) else {
                        attrs = None;
                        break;
                    };
                    attrs = Some(at_key);
                    obj = match at_key.get_inner_expression() {
                        Expression::ObjectExpression(inner) => Some(&**inner),
                        _ => None,
                    };
                    if obj.is_none() {
                        break;
                    }
                }
                judge(w, &cookie, attrs, defaults, at, &via);
            }
            secrets(w, lib.name, opts);
        }
    }
}

/// Which middleware a call sets up: `session({..})`, `cookieSession({..})`,
/// `getIronSession(.., {..})`, `app.register(fastifySession, {..})`.
fn recognise<'e, 'a>(w: &ServerWalker, call: &'e CallExpression<'a>) -> Option<Middleware<'e, 'a>> {
    let args = &call.arguments;
    let object = |i: usize| match arg(args, i).map(|a| a.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => Some(&**o),
        _ => None,
    };
    let (module, name, opts_at) = match call.callee.get_inner_expression() {
        Expression::Identifier(id) => {
            let i = w.model.import_of(id.name.as_str())?;
            (i.module.as_str(), i.name.as_str(), 0)
        }
        // `fastify.register(plugin, opts)`
        Expression::StaticMemberExpression(m) if m.property.name == "register" => {
            let plugin = path_of(arg(args, 0)?)?;
            let i = w.model.import_of(&plugin)?;
            (i.module.as_str(), "register", 1)
        }
        _ => return None,
    };
    Some(match (module, name) {
        ("cookie-session", _) => {
            Middleware::Client("cookie-session", COOKIE_SESSION_HELP, object(opts_at))
        }
        (
            "iron-session" | "iron-session/next" | "iron-session/express",
            "getIronSession" | "withIronSessionApiRoute" | "withIronSessionSsr" | "ironSession",
        ) => {
            // `getIronSession(req, res, opts)` (v6, v7) or `getIronSession(cookies, opts)` (v8).
            let opts = (0..args.len()).rev().find_map(object);
            Middleware::Client("iron-session", IRON_SESSION_HELP, opts)
        }
        ("@fastify/secure-session" | "fastify-secure-session", "register") => {
            Middleware::Client("@fastify/secure-session", SECURE_SESSION_HELP, object(1))
        }
        ("express-session", "default") => Middleware::Server(EXPRESS, EXPRESS_SESSION, object(0)),
        ("@fastify/session" | "fastify-session", "register") => {
            Middleware::Server(FASTIFY, FASTIFY_SESSION, object(1))
        }
        ("better-auth", "betterAuth") => Middleware::Server(BETTER, BETTER_AUTH, object(0)),
        _ => return None,
    })
}

/// The store a server-side session middleware is given: `new RedisStore(..)` → "express-session
/// with RedisStore".
fn store_name(lib: &str, store: &Expression) -> String {
    let shown = match store.get_inner_expression() {
        Expression::NewExpression(n) => path_of(&n.callee),
        Expression::CallExpression(c) => path_of(&c.callee),
        other => path_of(other),
    };
    match shown {
        Some(s) => format!("{lib} with {s}"),
        None => format!("{lib}'s store"),
    }
}

/// The keys a session cookie is signed or sealed with.
fn secrets(w: &mut ServerWalker, lib: &str, opts: Option<&ObjectExpression>) {
    let Some(o) = opts else {
        return;
    };
    for field in ["secret", "keys", "key", "password"] {
        if let Some(v) = property(o, field) {
            let ctor = format!("{lib}({{ {field} }})");
            super::jwt_keys::check_key(w, &ctor, v, READ_SECRET);
        }
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
    const FASTIFY: &str = "server/app.ts";
    const FASTIFY_PRELUDE: &str = r#"import Fastify from "fastify"; import fastifySession from "@fastify/session"; import secureSession from "@fastify/secure-session"; import { RedisStore } from "connect-redis"; const app = Fastify();"#;
    const PRELUDE: &str = r#"const express = require("express"); const session = require("express-session"); const cookieSession = require("cookie-session"); const { RedisStore } = require("connect-redis");"#;

    const BETTER_AUTH_FILE: &str = "src/lib/server/auth.ts";
    const BETTER_AUTH_PRELUDE: &str =
        r#"import { betterAuth } from "better-auth"; import { Pool } from "pg";"#;

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: BETTER_AUTH_FILE,
            prelude: BETTER_AUTH_PRELUDE,
            fail: &[
                r#"export const auth = betterAuth({ database: new Pool(), advanced: { defaultCookieAttributes: { httpOnly: false } } });"#,
            ],
            pass: &[
                // better-auth's cookies are HttpOnly by default; a week-long session in the
                // database is a revocable server-side session, not a token.
                r#"export const auth = betterAuth({ database: new Pool(), session: { expiresIn: 60 * 60 * 24 * 7 } });"#,
                r#"export const auth = betterAuth({ database: new Pool(), advanced: { defaultCookieAttributes: { sameSite: "strict" } } });"#,
            ],
        },
        Cases {
            rule: Rule::HardcodedSigningSecret,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                // express-session's README example, committed to an app, signs its cookies.
                r#"app.use(session({ secret: "keyboard cat", resave: false, saveUninitialized: false, cookie: { secure: true, sameSite: "lax" } }));"#,
                r#"app.use(cookieSession({ name: "session", keys: ["k3y-one-2024", process.env.OLD_KEY] }));"#,
                r#"app.use(session({ secret: process.env.SESSION_KEY || "dev-session-key", cookie: { secure: true, sameSite: "lax" } }));"#,
            ],
            pass: &[
                r#"app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { secure: true, sameSite: "lax" } }));"#,
                r#"app.use(cookieSession({ name: "session", keys: [process.env.KEY, process.env.OLD_KEY] }));"#,
            ],
        },
        Cases {
            rule: Rule::HardcodedSigningSecret,
            file: FASTIFY,
            prelude: FASTIFY_PRELUDE,
            fail: &[
                r#"app.register(fastifySession, { secret: "a secret with minimum length of 32 characters" });"#,
            ],
            pass: &[r#"app.register(fastifySession, { secret: process.env.SESSION_SECRET });"#],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: FASTIFY,
            prelude: FASTIFY_PRELUDE,
            fail: &[
                r#"app.register(fastifySession, { secret: process.env.S, cookie: { secure: false, sameSite: "lax" } });"#,
            ],
            pass: &[
                // `@fastify/session`'s cookie is Secure by default (express-session's is not).
                r#"app.register(fastifySession, { secret: process.env.S, cookie: { sameSite: "lax" } });"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSamesite,
            file: FASTIFY,
            prelude: FASTIFY_PRELUDE,
            fail: &[r#"app.register(fastifySession, { secret: process.env.S });"#],
            pass: &[
                r#"app.register(fastifySession, { secret: process.env.S, cookie: { sameSite: "strict" } });"#,
            ],
        },
        Cases {
            rule: Rule::ClientSideSessionStore,
            file: FASTIFY,
            prelude: FASTIFY_PRELUDE,
            fail: &[
                r#"app.register(secureSession, { key: readFileSync("secret-key"), cookie: { path: "/" } });"#,
            ],
            pass: &[
                r#"app.register(fastifySession, { secret: process.env.S, store: new RedisStore({ client }), cookie: { sameSite: "lax" } });"#,
            ],
        },
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
