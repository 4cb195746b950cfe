//! The backend-for-frontend shape, for the verdict: a server file that sends the user's token to
//! an API as `Authorization: Bearer …`, reading it from the server-side session or from a cookie
//! (`Bearer ${session.accessToken}`, `` `Bearer ${cookies.get("access_token")}` ``,
//! `"Bearer " + req.session.tokens.access`). The browser never holds that token: it has a session
//! cookie, and the server calls the API (often a Rust API) for it. A server calling another
//! service with its own key (`Bearer ${process.env.STRIPE_KEY}`) is not this shape.
use super::ServerWalker;
use crate::facts::FactKind;
use oxc_ast::ast::{Expression, ObjectProperty};
use oxc_span::GetSpan;

/// `{ Authorization: `Bearer ${session.accessToken}` }` in a server file.
pub fn check_property(w: &mut ServerWalker, p: &ObjectProperty) {
    let named = p
        .key
        .static_name()
        .is_some_and(|k| k.eq_ignore_ascii_case("authorization"));
    if !named || !forwards_user_token(w, &p.value) {
        return;
    }
    let at = w.head(p.span);
    let function = w.functions.last().cloned();
    w.sink
        .fact(FactKind::BackendForFrontend, at, function.as_deref());
}

fn forwards_user_token(w: &ServerWalker, v: &Expression) -> bool {
    let v = v.get_inner_expression();
    let bearer = match v {
        Expression::TemplateLiteral(t) => t.quasis.first().is_some_and(|q| {
            q.value
                .raw
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("bearer")
        }),
        Expression::BinaryExpression(b) => w
            .env()
            .constant(&b.left)
            .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("bearer")),
        _ => false,
    };
    if !bearer {
        return false;
    }
    let s = v.span();
    let text = w
        .src
        .get(s.start as usize..s.end as usize)
        .unwrap_or("")
        .to_ascii_lowercase();
    (text.contains("session") || text.contains("cookie")) && !text.contains("process.env")
}
