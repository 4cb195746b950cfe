//! `token-cookie-set-by-script`: cookies written from script (`document.cookie`, js-cookie,
//! universal-cookie / react-cookie, cookies-next, nookies, vue-cookies, ngx-cookie-service,
//! jquery-cookie), which can never be HttpOnly, and the rule's message and help.
use super::model::{Model, Operand, Verdict, arg, last, path_of, property};
use crate::finding::{Report, Span};
use crate::rule::{Rule, wording};
use oxc_ast::ast::{
    AssignmentExpression, BinaryOperator, CallExpression, Expression, ObjectExpression,
    ObjectPropertyKind,
};

pub const RULE_ID: Rule = Rule::TokenCookieSetByScript;

/// One cookie written by script.
pub struct CookieWrite<'e, 'a> {
    pub name: Option<Operand<'e, 'a>>,
    pub value: Operand<'e, 'a>,
    /// The write expires the cookie (`max-age=0`, `expires=Thu, 01 Jan 1970 …`).
    pub deletes: bool,
    pub span: oxc_span::Span,
    pub via: String,
}

/// Client-side cookie libraries whose default or namespace export has `.set(name, value, opts)`.
const JS_COOKIE_LIKE: &[&str] = &[
    "js-cookie",
    "vue-cookies",
    "tiny-cookie",
    "es-cookie",
    "browser-cookies",
];

/// Whether this file runs only on the server (so a cookie it sets is a `Set-Cookie` header).
pub fn is_server_file(path: &str, model: &Model) -> bool {
    let p = path.replace('\\', "/").to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    let server_name = name.contains(".server.")
        || name.starts_with("+server.")
        || name.starts_with("middleware.")
        || name.starts_with("route.")
        || name.starts_with("server.");
    let server_dir = p.contains("/pages/api/")
        || p.starts_with("pages/api/")
        || p.contains("/app/api/")
        || p.starts_with("app/api/")
        || p.contains("/server/")
        || p.starts_with("server/");
    let server_import = model.imports_module(|m| {
        matches!(
            m,
            "next/server" | "next/headers" | "express" | "koa" | "fastify" | "h3" | "hono"
        ) || m.starts_with("hono/")
    });
    model.use_server || server_name || server_dir || server_import
}

/// `document.cookie = "token=" + t + "; path=/"`.
pub fn assignment_write<'e, 'a>(a: &'e AssignmentExpression<'a>) -> Option<CookieWrite<'e, 'a>> {
    let m = a.left.as_member_expression()?;
    if m.static_property_name()? != "cookie" {
        return None;
    }
    let obj = path_of(m.object())?;
    if !matches!(
        obj.as_str(),
        "document" | "window.document" | "globalThis.document" | "this.document"
    ) {
        return None;
    }
    if let Some(w) = serialized(&a.right) {
        return Some(CookieWrite { span: a.span, ..w });
    }
    let mut parts = Vec::new();
    flatten(&a.right, &mut parts, 0);
    let parsed = parse_cookie(&parts)?;
    Some(CookieWrite {
        span: a.span,
        via: "document.cookie".into(),
        ..parsed
    })
}

/// `document.cookie = cookie.serialize(name, value, opts)` or
/// `cookie.stringifySetCookie({ name, value, maxAge })` (the `cookie` package).
fn serialized<'e, 'a>(e: &'e Expression<'a>) -> Option<CookieWrite<'e, 'a>> {
    let Expression::CallExpression(c) = e.get_inner_expression() else {
        return None;
    };
    let path = path_of(&c.callee)?;
    let (name, value, opts) = match last(&path) {
        "serialize" => (
            arg(&c.arguments, 0)?,
            arg(&c.arguments, 1)?,
            arg(&c.arguments, 2),
        ),
        "stringifySetCookie" => {
            let Expression::ObjectExpression(o) = arg(&c.arguments, 0)?.get_inner_expression()
            else {
                return None;
            };
            (
                property(o, "name")?,
                property(o, "value")?,
                arg(&c.arguments, 0),
            )
        }
        _ => return None,
    };
    let deletes = match opts.map(|o| o.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => options_delete_or_server(o).0,
        _ => false,
    };
    Some(CookieWrite {
        name: Some(Operand::Expr(name)),
        value: Operand::Expr(value),
        deletes,
        span: c.span,
        via: "document.cookie".into(),
    })
}

#[derive(Clone, Copy)]
enum Part<'e, 'a> {
    Text(&'e str),
    Expr(&'e Expression<'a>),
}

fn flatten<'e, 'a>(e: &'e Expression<'a>, out: &mut Vec<Part<'e, 'a>>, depth: usize) {
    match e.get_inner_expression() {
        Expression::StringLiteral(s) => out.push(Part::Text(s.value.as_str())),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition && depth < 64 => {
            flatten(&b.left, out, depth + 1);
            flatten(&b.right, out, depth + 1);
        }
        Expression::TemplateLiteral(t) => {
            for (i, q) in t.quasis.iter().enumerate() {
                out.push(Part::Text(q.value.raw.as_str()));
                if let Some(x) = t.expressions.get(i) {
                    out.push(Part::Expr(x));
                }
            }
        }
        other => out.push(Part::Expr(other)),
    }
}

/// Splits `name=value; attributes` written as literal text and expressions.
fn parse_cookie<'e, 'a>(parts: &[Part<'e, 'a>]) -> Option<CookieWrite<'e, 'a>> {
    #[derive(PartialEq)]
    enum At {
        Name,
        Value,
        Attrs,
    }
    let mut at = At::Name;
    let (mut name, mut value) = (None, None);
    let mut value_text = String::new();
    let mut attrs = String::new();
    for p in parts {
        match (*p, &at) {
            (Part::Expr(e), At::Name) => name = Some(Operand::Expr(e)),
            (Part::Expr(e), At::Value) => {
                value.get_or_insert(Operand::Expr(e));
            }
            (Part::Expr(_), At::Attrs) => attrs.push('*'),
            (Part::Text(t), _) => {
                let mut rest = t;
                if at == At::Name {
                    match rest.split_once('=') {
                        Some((n, r)) => {
                            if !n.trim().is_empty() {
                                name = Some(Operand::Text(n.trim()));
                            }
                            rest = r;
                            at = At::Value;
                        }
                        None => continue,
                    }
                }
                if at == At::Value {
                    match rest.split_once(';') {
                        Some((v, r)) => {
                            value_text.push_str(v);
                            if value.is_none() && !v.trim().is_empty() {
                                value = Some(Operand::Text(v.trim()));
                            }
                            rest = r;
                            at = At::Attrs;
                        }
                        None => {
                            value_text.push_str(rest);
                            if value.is_none() && !rest.trim().is_empty() {
                                value = Some(Operand::Text(rest.trim()));
                            }
                            continue;
                        }
                    }
                }
                attrs.push_str(rest);
            }
        }
    }
    if at == At::Name {
        return None;
    }
    let attrs = attrs.to_ascii_lowercase().replace(' ', "");
    let deletes = attrs.contains("1970")
        || attrs.contains("max-age=0")
        || attrs.contains("max-age=-")
        || value.is_none();
    Some(CookieWrite {
        name,
        value: value.unwrap_or(Operand::Text("")),
        deletes,
        span: oxc_span::Span::default(),
        via: String::new(),
    })
}

/// Whether an options object expires the cookie or is meant for the server (`httpOnly: true`).
fn options_delete_or_server(o: &ObjectExpression) -> (bool, bool) {
    let (mut deletes, mut server) = (false, false);
    for p in &o.properties {
        let ObjectPropertyKind::ObjectProperty(p) = p else {
            continue;
        };
        let Some(k) = p.key.static_name() else {
            continue;
        };
        let v = p.value.get_inner_expression();
        let zero_or_less = match v {
            Expression::NumericLiteral(n) => n.value <= 0.0,
            Expression::UnaryExpression(_) => true,
            Expression::NewExpression(n) => {
                n.arguments.len() == 1
                    && matches!(n.arguments[0].as_expression(), Some(Expression::NumericLiteral(z)) if z.value == 0.0)
            }
            Expression::StringLiteral(s) => s.value.contains("1970"),
            _ => false,
        };
        match k.as_ref() {
            "expires" | "maxAge" | "max-age" | "expiry" if zero_or_less => deletes = true,
            "httpOnly" | "httponly" => {
                server = matches!(v, Expression::BooleanLiteral(b) if b.value)
            }
            "req" | "res" => server = true,
            _ => {}
        }
    }
    (deletes, server)
}

/// The cookie a library call writes.
pub fn call_write<'e, 'a>(
    call: &'e CallExpression<'a>,
    model: &Model,
    file_path: &str,
) -> Option<CookieWrite<'e, 'a>> {
    let path = path_of(&call.callee)?;
    let args = &call.arguments;
    let imp = model.root_import(&path);
    let module = imp.map(|i| i.module.as_str()).unwrap_or("");
    let method = last(&path);
    // (index of the name argument, api name)
    let (name_at, via): (usize, &'static str) = if method == "set" && path.contains('.') {
        let obj = &path[..path.len() - 4];
        let obj_last = last(obj).to_ascii_lowercase();
        if JS_COOKIE_LIKE.contains(&module) || (module == "quasar" && obj == "Cookies") {
            (0, "Cookies.set")
        } else if module == "nookies" {
            (1, "nookies.set")
        } else if model.cookie_objects.contains(obj) {
            (0, "cookies.set")
        } else if obj == "Cookies" && imp.is_none() && !model.declared.contains("Cookies") {
            (0, "Cookies.set")
        } else if obj_last == "$cookies" || obj == "VueCookies" {
            (0, "$cookies.set")
        } else if obj.starts_with("this.")
            && obj_last.contains("cookie")
            && model.imports_module(|m| m.starts_with("ngx-cookie") || m == "@ngx-utils/cookies")
        {
            (0, "CookieService.set")
        } else {
            return None;
        }
    } else if path == "$.cookie" || path == "jQuery.cookie" {
        (0, "$.cookie")
    } else if model.cookie_setters.contains(&path) {
        (0, "useCookies")
    } else if let Some(i) = imp.filter(|i| i.name == "setCookie" || i.name == "set") {
        match i.module.as_str() {
            "cookies-next" | "cookies-next/client" => {
                let client_module = i.module.ends_with("/client");
                let in_app_dir = file_path.starts_with("app/") || file_path.contains("/app/");
                if !client_module
                    && (is_server_file(file_path, model) || (in_app_dir && !model.use_client))
                {
                    return None;
                }
                (0, "setCookie")
            }
            "nookies" => (1, "setCookie"),
            "typescript-cookie" | "tiny-cookie" | "es-cookie" => (0, "setCookie"),
            _ => return None,
        }
    } else {
        return None;
    };
    if via == "nookies.set" || (via == "setCookie" && module == "nookies") {
        // Only a call without a request context runs in the browser.
        let ctx = arg(args, 0)?;
        let client = matches!(ctx.get_inner_expression(), Expression::NullLiteral(_))
            || matches!(ctx.get_inner_expression(), Expression::Identifier(id) if id.name == "undefined");
        if !client {
            return None;
        }
    }
    if via != "setCookie" && via != "nookies.set" && is_server_file(file_path, model) {
        return None;
    }
    let name = arg(args, name_at)?;
    let value = arg(args, name_at + 1)?;
    let (deletes, server) = match arg(args, name_at + 2).map(|e| e.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => options_delete_or_server(o),
        Some(Expression::NumericLiteral(n)) => (n.value <= 0.0, false),
        Some(Expression::UnaryExpression(_)) => (true, false),
        _ => (false, false),
    };
    if server {
        return None;
    }
    Some(CookieWrite {
        name: Some(Operand::Expr(name)),
        value: Operand::Expr(value),
        deletes,
        span: call.span,
        via: path,
    })
}

/// The rule's one wording (`crate::rule::wording`).
pub fn report(span: Span, v: Verdict, what: &str, name: Option<&str>, via: &str) -> Report {
    wording::token_cookie_set_by_script(span, what, name, via, v.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_paths() {
        let m = Model::default();
        assert!(is_server_file("web/pages/api/login.ts", &m));
        assert!(is_server_file("src/routes/login/+page.server.ts", &m));
        assert!(is_server_file("src/hooks.server.ts", &m));
        assert!(!is_server_file("src/api/auth.js", &m));
        assert!(!is_server_file("src/components/Login.tsx", &m));
    }
}

/// Inline cases (`crate::rule::cases`): what this rule reports, and its safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    pub const CASES: &[Cases] = &[Cases {
        rule: Rule::TokenCookieSetByScript,
        file: "src/api.ts",
        prelude: r#""#,
        fail: &[r#"document.cookie = `token=${res.data.token}; path=/`;"#],
        pass: &[
            r#"document.cookie = `theme=${theme}; path=/`;"#,
            r#"document.cookie = `XSRF-TOKEN=${csrf}; path=/`;"#,
        ],
    }];
}
