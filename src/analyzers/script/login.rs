//! Login responses: a value that comes, in the same function, from an awaited call whose callee
//! or URL says login (`await api.post("/auth/login", creds)`, `await authService.login(…)`,
//! `await fetch("/api/login")` then `await res.json()`). Written whole to web storage, such an
//! object may carry the token even when no name says so.
use super::eval::Env;
use super::model::{arg, last, path_of};
use oxc_ast::ast::{CallExpression, Expression};

/// Words of a function name or URL segment that say the call logs in or fetches a token.
fn says_login(s: &str) -> bool {
    let flat: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    ["login", "signin", "authenticate", "oauth"]
        .iter()
        .any(|w| flat.contains(w))
}

/// A URL path that names a login or token endpoint: `/auth/login`, `/oauth/token`, `/api/token/`.
fn login_url(url: &str) -> bool {
    if !url.contains('/') {
        return false;
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase();
        says_login(&seg) || matches!(seg.as_str(), "token" | "tokens" | "jwt" | "access-token")
    })
}

/// Whether an (awaited) call returns a login response.
pub fn is_login_call(env: &Env, c: &CallExpression) -> bool {
    let callee = path_of(&c.callee).unwrap_or_default();
    let name = last(&callee);
    // `await res.json()` on a login response.
    if name == "json"
        && let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression()
        && let Expression::Identifier(id) = m.object.get_inner_expression()
    {
        return env.scopes.var(id.name.as_str()).is_some_and(|v| v.login);
    }
    if says_login(name) && !name.to_ascii_lowercase().contains("logout") {
        return true;
    }
    arg(&c.arguments, 0).is_some_and(|a| match a.get_inner_expression() {
        Expression::TemplateLiteral(t) => {
            let text: String = t.quasis.iter().map(|q| q.value.raw.as_str()).collect();
            login_url(&text)
        }
        other => env.constant(other).is_some_and(|u| login_url(&u)),
    })
}

/// A field that holds a whole object of the response (`data`, `user`, `profile`), not a plain
/// value (`name`, `email`, `theme`).
pub fn is_envelope(field: &str) -> bool {
    let f: String = field
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        f.as_str(),
        "data"
            | "user"
            | "body"
            | "result"
            | "results"
            | "payload"
            | "response"
            | "profile"
            | "account"
            | "userinfo"
            | "userdata"
            | "currentuser"
            | "auth"
            | "session"
            | "me"
            | "details"
            | "info"
            | "content"
    )
}

/// `res.data.user`: a path from a login response through envelope fields only.
pub fn member_of_login(env: &Env, path: &str) -> bool {
    let mut segs = path.split('.');
    let Some(root) = segs.next() else {
        return false;
    };
    env.scopes.var(root).is_some_and(|v| v.login) && segs.all(is_envelope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_urls() {
        assert!(login_url("/auth/login"));
        assert!(login_url("/api/v1/sign-in?x=1"));
        assert!(login_url("https://example.com/oauth/token"));
        assert!(login_url("/api/token/"));
        assert!(!login_url("/weather"));
        assert!(!login_url("/api/tokenizer"));
        assert!(!login_url("login"));
    }

    #[test]
    fn envelopes() {
        assert!(is_envelope("data"));
        assert!(is_envelope("user_info"));
        assert!(is_envelope("currentUser"));
        assert!(!is_envelope("name"));
        assert!(!is_envelope("email"));
        assert!(!is_envelope("theme"));
    }
}
