//! Auth.js (NextAuth v4, Auth.js v5 and its `@auth/*` framework packages) configuration:
//! `NextAuth({..})`, `SvelteKitAuth({..})`, `ExpressAuth({..})`, `Auth(req, {..})`, and an object
//! typed `NextAuthOptions` / `AuthOptions` / `NextAuthConfig` (`const authOptions:
//! NextAuthOptions = {..}`, `{..} satisfies NextAuthConfig`).
//!
//! - The session strategy, for the verdict: `"database"` (the default when an `adapter` is given,
//!   in v4 and v5 alike) keeps sessions on the server (`ServerSession`); `"jwt"` (the default
//!   without an adapter) is a stateless JWT in a cookie (`JwtIssued` + `JwtVerified`) living
//!   `jwt.maxAge`, else `session.maxAge`, else Auth.js's default of 30 days.
//! - `access-token-ttl-too-long`: a JWT-strategy session whose `maxAge` is written out and over
//!   the access-token limit. Only a written `maxAge` is reported: the 30-day default is the
//!   verdict's evidence, not a finding on a line nobody wrote.
//! - `hardcoded-signing-secret`: a literal `secret`.
use super::super::model::property;
use super::ServerWalker;
use crate::facts::{FactKind, TokenKind};
use crate::rule::{Rule, wording};
use oxc_ast::ast::{
    CallExpression, Expression, ObjectExpression, TSType, TSTypeName, VariableDeclarator,
};
use oxc_span::GetSpan;

/// Auth.js's default session lifetime: 30 days.
const DEFAULT_MAX_AGE: u64 = 30 * 86_400;
const CONFIG_TYPES: &[&str] = &[
    "NextAuthOptions",
    "AuthOptions",
    "NextAuthConfig",
    "AuthConfig",
    "SvelteKitAuthConfig",
];
const READ_SECRET: &str = "secret: process.env.AUTH_SECRET (and fail start-up when it is missing)";

pub fn check_call(w: &mut ServerWalker, call: &CallExpression) {
    let Expression::Identifier(id) = call.callee.get_inner_expression() else {
        return;
    };
    let Some(i) = w.model.import_of(id.name.as_str()) else {
        return;
    };
    let ours = matches!(
        (i.module.as_str(), i.name.as_str()),
        ("next-auth", "default") | ("next-auth/next", "default")
    ) || (i.module.starts_with("@auth/")
        && matches!(
            i.name.as_str(),
            "SvelteKitAuth" | "ExpressAuth" | "Auth" | "QwikAuth" | "SolidAuth"
        ));
    if !ours {
        return;
    }
    let config =
        call.arguments
            .iter()
            .rev()
            .find_map(|a| match a.as_expression()?.get_inner_expression() {
                Expression::ObjectExpression(o) => Some(&**o),
                _ => None,
            });
    if let Some(o) = config {
        read_config(w, o);
    }
}

/// `const authOptions: NextAuthOptions = {..}` and `{..} satisfies NextAuthConfig`.
pub fn check_declarator(w: &mut ServerWalker, d: &VariableDeclarator) {
    let Some(init) = &d.init else {
        return;
    };
    let typed = d
        .type_annotation
        .as_ref()
        .is_some_and(|t| is_config_type(&t.type_annotation));
    let (typed, value) = match init.get_inner_expression() {
        Expression::TSSatisfiesExpression(s) => {
            (typed || is_config_type(&s.type_annotation), &s.expression)
        }
        _ => (typed, init),
    };
    if let (true, Expression::ObjectExpression(o)) = (typed, value.get_inner_expression()) {
        read_config(w, o);
    }
}

fn is_config_type(t: &TSType) -> bool {
    match t {
        TSType::TSTypeReference(r) => match &r.type_name {
            TSTypeName::IdentifierReference(id) => CONFIG_TYPES.contains(&id.name.as_str()),
            TSTypeName::QualifiedName(q) => CONFIG_TYPES.contains(&q.right.name.as_str()),
            TSTypeName::ThisExpression(_) => false,
        },
        _ => false,
    }
}

fn read_config(w: &mut ServerWalker, o: &ObjectExpression) {
    if let Some(s) = property(o, "secret") {
        super::jwt_keys::check_key(w, "NextAuth({ secret })", s, READ_SECRET);
    }
    let at = w.head(o.span);
    let function = Some(
        w.functions
            .last()
            .cloned()
            .unwrap_or_else(|| "NextAuth".into()),
    );
    let session = object(property(o, "session"));
    let strategy = session
        .and_then(|s| property(s, "strategy"))
        .and_then(|v| w.env().constant(v));
    let adapter = property(o, "adapter");
    let database = match strategy.as_deref() {
        Some("database") => true,
        Some(_) => false,
        None => adapter.is_some(),
    };
    if database {
        let store = adapter
            .and_then(|a| match a.get_inner_expression() {
                Expression::CallExpression(c) => super::super::model::path_of(&c.callee),
                other => super::super::model::path_of(other),
            })
            .map_or_else(
                || "Auth.js database sessions".to_string(),
                |a| format!("Auth.js database sessions ({a})"),
            );
        w.sink
            .fact(FactKind::ServerSession { store }, at, function.as_deref());
        return;
    }
    let max_age = object(property(o, "jwt"))
        .and_then(|j| property(j, "maxAge"))
        .or_else(|| session.and_then(|s| property(s, "maxAge")));
    let written = max_age.and_then(|m| Some((super::jwt_ttl::seconds(m, 0)?, m.span())));
    let lifetime = written.map_or(DEFAULT_MAX_AGE, |(s, _)| s.max(0.0).round() as u64);
    let token = TokenKind::Access;
    let f = function.as_deref();
    w.sink.fact(
        FactKind::JwtIssued {
            token,
            lifetime_secs: Some(lifetime),
        },
        at,
        f,
    );
    w.sink.fact(FactKind::JwtVerified { token }, at, f);
    let limit = w.ctx.settings.access_token_max_ttl;
    if let Some((_, span)) = written
        && lifetime > limit
    {
        let code = format!("maxAge: {}", limit);
        let mut r = wording::token_ttl_too_long(
            Rule::AccessTokenTtlTooLong,
            w.head(span),
            "the Auth.js session JWT",
            "maxAge",
            None,
            (lifetime, limit),
            &code,
        );
        r.help = format!(
            "use the database strategy (an `adapter`, `session: {{ strategy: \"database\" }}`) so sessions can be revoked, or shorten the stateless session (`{code}`); if this lifetime is deliberate, raise `access_token_max_ttl` in authlint.toml"
        );
        w.sink.report(r);
    }
}

fn object<'e, 'a>(e: Option<&'e Expression<'a>>) -> Option<&'e ObjectExpression<'a>> {
    match e?.get_inner_expression() {
        Expression::ObjectExpression(o) => Some(o),
        _ => None,
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

    const FILE: &str = "app/api/auth/[...nextauth]/route.ts";
    const PRELUDE: &str = r#"import NextAuth, { type NextAuthOptions } from "next-auth"; import { PrismaAdapter } from "@auth/prisma-adapter";"#;

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::AccessTokenTtlTooLong,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"export const authOptions: NextAuthOptions = { providers: [], session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 } };"#,
                r#"const handler = NextAuth({ providers: [], jwt: { maxAge: 60 * 60 * 24 } }); export { handler as GET, handler as POST };"#,
            ],
            pass: &[
                r#"export const authOptions: NextAuthOptions = { providers: [], session: { strategy: "jwt", maxAge: 15 * 60 } };"#,
                // Database sessions can be revoked: their lifetime is no token lifetime.
                r#"export const authOptions: NextAuthOptions = { adapter: PrismaAdapter(prisma), providers: [], session: { maxAge: 30 * 24 * 60 * 60 } };"#,
            ],
        },
        Cases {
            rule: Rule::HardcodedSigningSecret,
            file: FILE,
            prelude: PRELUDE,
            fail: &[
                r#"const handler = NextAuth({ providers: [], secret: "my-nextauth-secret-2024" }); export { handler as GET, handler as POST };"#,
            ],
            pass: &[
                r#"const handler = NextAuth({ providers: [], secret: process.env.NEXTAUTH_SECRET }); export { handler as GET, handler as POST };"#,
            ],
        },
    ];
}
