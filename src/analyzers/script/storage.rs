//! `token-in-web-storage`: writes to `localStorage` / `sessionStorage` (and localforage, store2 /
//! store.js) in every form, the reads that labels point at, and the rule's message and help.
use super::model::{Key, Model, Operand, Store, Verdict, arg, path_of};
use super::vocab::TokenKind;
use crate::finding::{Report, Span};
use crate::rule::{Rule, wording};
use oxc_ast::ast::{
    AssignmentExpression, AssignmentTarget, CallExpression, Expression, ObjectPropertyKind,
    PropertyKey,
};

pub const RULE_ID: Rule = Rule::TokenInWebStorage;

/// One write found in the code.
pub struct Write<'e, 'a> {
    pub store: Store,
    pub key: Option<Operand<'e, 'a>>,
    pub value: Operand<'e, 'a>,
    pub span: oxc_span::Span,
}

/// Methods and properties of the `Storage` interface: `localStorage.length = …` is not a key.
const STORAGE_MEMBERS: &[&str] = &["length", "setItem", "getItem", "removeItem", "clear", "key"];

/// store2 and store.js: `store.set(k, v)`, `store(k, v)`, `store.session.set(k, v)`.
fn store_lib(model: &Model, path: &str) -> Option<Store> {
    let imp = model.root_import(path)?;
    if !matches!(
        imp.module.as_str(),
        "store2" | "store" | "store/dist/store.modern"
    ) {
        return None;
    }
    let rest: Vec<&str> = path.split('.').skip(1).collect();
    match rest.as_slice() {
        ["set"] | [] | ["local"] | ["local", "set"] => Some(Store::Local),
        ["session"] | ["session", "set"] => Some(Store::Session),
        _ => None,
    }
}

/// The storage writes a call makes.
pub fn call_writes<'e, 'a>(call: &'e CallExpression<'a>, model: &Model) -> Vec<Write<'e, 'a>> {
    let Some(path) = path_of(&call.callee) else {
        return Vec::new();
    };
    let args = &call.arguments;
    let single = |store| {
        let (Some(k), Some(v)) = (arg(args, 0), arg(args, 1)) else {
            return Vec::new();
        };
        vec![Write {
            store,
            key: Some(Operand::Expr(k)),
            value: Operand::Expr(v),
            span: call.span,
        }]
    };
    if let Some(obj) = path.strip_suffix(".setItem") {
        if let Some(store) = model.store_of(obj) {
            return single(store);
        }
        if obj == "localforage" || model.stores.get(obj) == Some(&Store::Localforage) {
            return single(Store::Localforage);
        }
        return Vec::new();
    }
    if let Some(store) = store_lib(model, &path) {
        return single(store);
    }
    if path == "Object.assign"
        && let Some(target) = arg(args, 0)
        && let Some(store) = path_of(target).and_then(|p| model.store_of(&p))
    {
        let mut out = Vec::new();
        for a in args.iter().skip(1) {
            let Some(Expression::ObjectExpression(o)) =
                a.as_expression().map(|e| e.get_inner_expression())
            else {
                continue;
            };
            for p in &o.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = p {
                    let key = match &p.key {
                        PropertyKey::StaticIdentifier(id) => Operand::Text(id.name.as_str()),
                        PropertyKey::StringLiteral(s) => Operand::Text(s.value.as_str()),
                        k => match k.as_expression() {
                            Some(e) => Operand::Expr(e),
                            None => continue,
                        },
                    };
                    out.push(Write {
                        store,
                        key: Some(key),
                        value: Operand::Expr(&p.value),
                        span: p.span,
                    });
                }
            }
        }
        return out;
    }
    Vec::new()
}

/// `localStorage.token = v`, `window.localStorage["token"] = v`, `storage[key] = v`.
pub fn assignment_write<'e, 'a>(
    a: &'e AssignmentExpression<'a>,
    model: &Model,
) -> Option<Write<'e, 'a>> {
    let member = a.left.as_member_expression()?;
    let store = path_of(member.object()).and_then(|p| model.store_of(&p))?;
    let key = match &a.left {
        AssignmentTarget::StaticMemberExpression(m) => {
            let name = m.property.name.as_str();
            if STORAGE_MEMBERS.contains(&name) {
                return None;
            }
            Operand::Text(name)
        }
        AssignmentTarget::ComputedMemberExpression(m) => Operand::Expr(&m.expression),
        _ => return None,
    };
    Some(Write {
        store,
        key: Some(key),
        value: Operand::Expr(&a.right),
        span: a.span,
    })
}

/// The key a call reads: `localStorage.getItem(k)`, `localforage.getItem(k)`, `store.get(k)`.
pub fn call_read<'e, 'a>(call: &'e CallExpression<'a>, model: &Model) -> Option<Operand<'e, 'a>> {
    let path = path_of(&call.callee)?;
    let known = if let Some(obj) = path.strip_suffix(".getItem") {
        model.store_of(obj).is_some()
            || obj == "localforage"
            || model.stores.get(obj) == Some(&Store::Localforage)
    } else if let Some(obj) = path.strip_suffix(".get") {
        store_lib(model, &format!("{obj}.set")).is_some()
    } else {
        false
    };
    if !known {
        return None;
    }
    arg(&call.arguments, 0).map(Operand::Expr)
}

/// `localStorage.token` / `localStorage["token"]` read as a value.
pub fn member_read<'e, 'a>(e: &'e Expression<'a>, model: &Model) -> Option<Operand<'e, 'a>> {
    match e {
        Expression::StaticMemberExpression(m)
            if !STORAGE_MEMBERS.contains(&m.property.name.as_str()) =>
        {
            path_of(&m.object).and_then(|p| model.store_of(&p))?;
            Some(Operand::Text(m.property.name.as_str()))
        }
        Expression::ComputedMemberExpression(m) => {
            path_of(&m.object).and_then(|p| model.store_of(&p))?;
            Some(Operand::Expr(&m.expression))
        }
        _ => None,
    }
}

/// What is written, for the message: "refresh token `data.refresh_token`".
pub fn subject(v: Verdict, key: &Key, value_shown: Option<&str>) -> String {
    let noun = match v.kind {
        TokenKind::Generic
            if key
                .shown
                .as_deref()
                .is_some_and(|k| k.to_ascii_lowercase().contains("session")) =>
        {
            "session data"
        }
        k => k.noun(),
    };
    match value_shown {
        Some(s) if !s.is_empty() && Some(s) != key.shown.as_deref() => format!("{noun} `{s}`"),
        _ => noun.to_string(),
    }
}

/// The rule's one wording (`crate::rule::wording`): what is written, where, under which key,
/// through what.
pub fn report(
    span: Span,
    v: Verdict,
    what: &str,
    store: Store,
    key: Option<&str>,
    via: Option<&str>,
) -> Report {
    wording::token_in_web_storage(span, what, store.name(), key, via, v.kind)
}

/// A login response written whole: it may or may not carry the token, so a warning.
pub fn login_report(span: Span, shown: &str, store: Store, key: Option<&str>) -> Report {
    wording::login_response_in_web_storage(span, shown, store.name(), key)
}

/// The span to underline: the first line of a multi-line node.
pub fn head(src: &str, span: oxc_span::Span, base: usize) -> Span {
    let (s, e) = (span.start as usize, span.end as usize);
    let text = src.get(s..e).unwrap_or("");
    let end = text
        .find('\n')
        .map_or(e, |n| s + text[..n].trim_end().len());
    Span::new(base + s, base + end.max(s))
}

pub fn span(span: oxc_span::Span, base: usize) -> Span {
    Span::new(base + span.start as usize, base + span.end as usize)
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

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::TokenInWebStorage,
            file: "src/api.ts",
            prelude: r#""#,
            fail: &[
                r#"localStorage.setItem("access_token", res.data.access_token);"#,
                r#"sessionStorage.setItem("refreshToken", data.refreshToken);"#,
            ],
            pass: &[
                r#"localStorage.setItem("theme", "dark");"#,
                r#"// localStorage.setItem("access_token", res.data.access_token);"#,
                r#"const s = "localStorage.setItem('token', t)";"#,
                r#"localStorage.setItem("oauth_state", state);"#,
            ],
        },
        Cases {
            rule: Rule::TokenInWebStorage,
            file: "src/session.ts",
            prelude: "interface User { id: number; refreshToken: string }\ninterface Prefs { theme: string; tokenExpiresAt: number }",
            fail: &[
                r#"users.forEach((u: User) => localStorage.setItem("u", JSON.stringify(u)));"#,
                r#"api.signIn(creds).then(({ data }) => localStorage.setItem("me", JSON.stringify(data)));"#,
                r#"fetch("/auth/login").then((r) => r.json()).then((b) => sessionStorage.setItem("me", JSON.stringify(b)));"#,
                r#"const o = { headers: {} }; o.headers.Authorization = `Bearer ${t}`; localStorage.setItem("o", JSON.stringify(o));"#,
            ],
            pass: &[
                r#"prefs.forEach((p: Prefs) => localStorage.setItem("p", JSON.stringify(p)));"#,
                r#"api.signOut().then(({ data }) => localStorage.setItem("me", JSON.stringify(data)));"#,
                r#"localStorage.setItem("session", JSON.stringify({ loggedIn: true, at: Date.now() }));"#,
                r#"const o = { headers: {} }; o.headers.Authorization = ""; localStorage.setItem("o", JSON.stringify(o));"#,
            ],
        },
    ];
}
