//! Login responses: a value that comes, in the same function, from an awaited call whose callee
//! or URL says login (`await api.post("/auth/login", creds)`, `await authService.login(…)`,
//! `await fetch("/api/login")` then `await res.json()`). Written whole to web storage, such an
//! object may carry the token even when no name says so.
use super::super::model::{arg, last, path_of};
use super::Env;
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
    // `login(creds).unwrap()` (RTK Query), `api.login(creds).then((r) => r.data)`.
    if let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression()
        && matches!(m.property.name.as_str(), "unwrap" | "then")
        && let Expression::CallExpression(inner) = m.object.get_inner_expression()
    {
        return is_login_call(env, inner);
    }
    let callee = path_of(&c.callee).unwrap_or_default();
    let name = last(&callee);
    // `mutateAsync(creds)` of `useMutation({ mutationFn: login })`, `loginMutation.mutate(…)`.
    let login_fns = &env.model.login_fns;
    let login_param = env
        .scopes
        .param(&callee)
        .is_some_and(|p| env.model.login_args.contains(&(p.func, p.index)));
    if login_param
        || login_fns.contains(&callee)
        || matches!(name, "mutate" | "mutateAsync" | "trigger")
            && callee
                .rsplit_once('.')
                .is_some_and(|(o, _)| login_fns.contains(o))
    {
        return true;
    }
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

/// A hook whose mutation logs in: `useLoginMutation()` (RTK Query), `useSignIn()`,
/// `useMutation({ mutationFn: login })`, `useMutation((c) => api.post("/auth/login", c))`,
/// `useSWRMutation("/api/auth/login", fetcher)`.
pub fn is_login_hook(env: &Env, c: &CallExpression) -> bool {
    let callee = path_of(&c.callee).unwrap_or_default();
    let name = last(&callee);
    if !name.starts_with("use") {
        return false;
    }
    if says_login(name) && !name.to_ascii_lowercase().contains("logout") {
        return true;
    }
    matches!(name, "useMutation" | "useSWRMutation")
        && c.arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .any(|a| mentions_login(env, a, 0))
}

/// An argument of a mutation hook that names a login: the mutation function, its key, a URL.
fn mentions_login(env: &Env, e: &Expression, depth: usize) -> bool {
    if depth > 2 {
        return false;
    }
    match e.get_inner_expression() {
        Expression::StringLiteral(s) => says_login(&s.value),
        Expression::ArrayExpression(a) => a
            .elements
            .iter()
            .filter_map(|x| x.as_expression())
            .any(|x| mentions_login(env, x, depth + 1)),
        Expression::ObjectExpression(o) => ["mutationFn", "mutationKey"]
            .iter()
            .filter_map(|k| super::super::model::property(o, k))
            .any(|x| mentions_login(env, x, depth + 1)),
        Expression::ArrowFunctionExpression(f) => f.get_expression().is_some_and(|b| {
            matches!(b.get_inner_expression(), Expression::CallExpression(c) if is_login_call(env, c))
        }),
        other => path_of(other).is_some_and(|p| {
            let n = last(&p);
            env.model.login_fns.contains(&p)
                || says_login(n) && !n.to_ascii_lowercase().contains("logout")
        }),
    }
}

/// The callbacks a login call hands its response to: `api.login(c).then((res) => …)`, the
/// `onSuccess` of a login mutation (`useMutation({ mutationFn: login, onSuccess })`,
/// `mutation.mutate(creds, { onSuccess })`). Their first parameter is a login response.
pub fn response_callbacks<'e, 'a>(env: &Env, c: &'e CallExpression<'a>) -> Vec<&'e Expression<'a>> {
    if let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression()
        && m.property.name == "then"
        && let Expression::CallExpression(inner) = m.object.get_inner_expression()
    {
        return match arg(&c.arguments, 0) {
            Some(f) if is_login_call(env, inner) => vec![f],
            _ => Vec::new(),
        };
    }
    if !is_login_call(env, c) && !is_login_hook(env, c) {
        return Vec::new();
    }
    c.arguments
        .iter()
        .filter_map(|a| match a.as_expression()?.get_inner_expression() {
            Expression::ObjectExpression(o) => super::super::model::property(o, "onSuccess"),
            _ => None,
        })
        .collect()
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
