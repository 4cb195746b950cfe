//! Libraries that persist state for the app: storage hooks (react-use, usehooks-ts, mantine,
//! @vueuse/core), react-cookie's `useCookies` and Nuxt's `useCookie`, and the persistence plugins
//! of zustand and Pinia. Their writes are judged like direct ones.
use super::super::model::{Operand, Setter, Store, Value, Verdict, arg, last, path_of};
use super::super::storage;
use super::super::vocab::{self, NameClass, TokenKind};
use super::{Pass, Walker};
use oxc_ast::ast::*;
use oxc_span::GetSpan;

/// What a storage hook call binds: (store, key argument, hook name, returns a ref).
fn storage_hook<'e, 'a>(
    w: &Walker,
    call: &'e CallExpression<'a>,
) -> Option<(Store, Operand<'e, 'a>, String, bool)> {
    let name = path_of(&call.callee)?;
    let module = w
        .model
        .import_of(&name)
        .map(|i| i.module.as_str())
        .unwrap_or("");
    let vueuse = module.starts_with("@vueuse/");
    let (store, is_ref) = match name.as_str() {
        "useLocalStorage" | "useLocalStorageState" => (Store::Local, vueuse),
        "useSessionStorage" | "useSessionStorageState" => (Store::Session, vueuse),
        "useStorage" if vueuse => {
            let session = arg(&call.arguments, 2)
                .and_then(path_of)
                .is_some_and(|p| p.ends_with("sessionStorage"));
            let other = arg(&call.arguments, 2).is_some()
                && !session
                && !arg(&call.arguments, 2)
                    .and_then(path_of)
                    .is_some_and(|p| p.ends_with("localStorage"));
            if other {
                return None;
            }
            (
                if session {
                    Store::Session
                } else {
                    Store::Local
                },
                true,
            )
        }
        "useCookie" => {
            // Nuxt: a ref whose `.value` writes `document.cookie` in the browser.
            if let Some(Expression::ObjectExpression(o)) =
                arg(&call.arguments, 1).map(|e| e.get_inner_expression())
                && o.properties.iter().any(|p| {
                    p.as_property().is_some_and(|p| {
                        p.key
                            .static_name()
                            .is_some_and(|k| k == "httpOnly" || k == "readonly")
                    })
                })
            {
                return None;
            }
            (Store::Cookie, true)
        }
        _ => return None,
    };
    let first = arg(&call.arguments, 0)?;
    // mantine: `useLocalStorage({ key: "token", defaultValue: "" })`
    let key = match first.get_inner_expression() {
        Expression::ObjectExpression(o) => o.properties.iter().find_map(|p| {
            let p = p.as_property()?;
            (p.key.static_name()? == "key").then_some(Operand::Expr(&p.value))
        })?,
        _ => Operand::Expr(first),
    };
    Some((store, key, name, is_ref))
}

/// Bindings made by `const … = init`.
pub fn bind_declarator(w: &mut Walker, id: &BindingPattern, init: &Expression) {
    let init = init.get_inner_expression();
    let Expression::CallExpression(call) = init else {
        if let Expression::NewExpression(n) = init {
            bind_new(w, id, n);
        }
        return;
    };
    let callee = path_of(&call.callee).unwrap_or_default();
    if callee == "useCookies" {
        match id {
            // react-cookie: `const [cookies, setCookie] = useCookies(["token"])`
            BindingPattern::ArrayPattern(a) => {
                if let Some(Some(b)) = a.elements.get(1)
                    && let Some(b) = b.get_binding_identifier()
                {
                    w.model.cookie_setters.insert(b.name.as_str().to_string());
                }
            }
            // vue3-cookies: `const { cookies } = useCookies()`
            BindingPattern::ObjectPattern(o) => {
                for p in &o.properties {
                    if let Some(b) = p.value.get_binding_identifier() {
                        w.model.cookie_objects.insert(b.name.as_str().to_string());
                    }
                }
            }
            // @vueuse/integrations: `const cookies = useCookies()`
            BindingPattern::BindingIdentifier(b) => {
                w.model.cookie_objects.insert(b.name.as_str().to_string());
            }
            _ => {}
        }
        return;
    }
    let Some((store, key_op, via, is_ref)) = storage_hook(w, call) else {
        return;
    };
    let key = w.env().key(key_op);
    let setter = |decl| Setter {
        store,
        key: key.clone(),
        via: via.clone(),
        decl,
    };
    match id {
        BindingPattern::ArrayPattern(a) if !is_ref => {
            if let Some(Some(b)) = a.elements.get(1)
                && let Some(b) = b.get_binding_identifier()
            {
                let s = setter(call.span);
                w.model.setters.insert(b.name.as_str().to_string(), s);
            }
        }
        BindingPattern::BindingIdentifier(b) if is_ref => {
            let s = setter(call.span);
            w.model.ref_setters.insert(b.name.as_str().to_string(), s);
        }
        _ => {}
    }
}

fn bind_new(w: &mut Walker, id: &BindingPattern, n: &NewExpression) {
    if let Some(b) = id.get_binding_identifier() {
        let name = b.name.as_str().to_string();
        bind_instance_new(w, &name, n);
    }
}

fn bind_instance_new(w: &mut Walker, name: &str, n: &NewExpression) {
    let Some(callee) = path_of(&n.callee) else {
        return;
    };
    let module = w
        .model
        .import_of(&callee)
        .map(|i| i.module.as_str())
        .unwrap_or("");
    if matches!(module, "universal-cookie" | "react-cookie") {
        w.model.cookie_objects.insert(name.to_string());
    }
}

/// `this.cookies = new Cookies()` and class fields.
pub fn bind_instance(w: &mut Walker, path: &str, value: &Expression) {
    if let Expression::NewExpression(n) = value.get_inner_expression() {
        bind_instance_new(w, path, n);
    }
}

/// Calls of hook setters, and the zustand and Pinia persistence plugins.
pub fn check_call(w: &mut Walker, call: &CallExpression) {
    let Some(path) = path_of(&call.callee) else {
        return;
    };
    if let Some(s) = w.model.setters.get(&path).cloned()
        && let Some(v) = arg(&call.arguments, 0)
    {
        let value = w.env().value(Operand::Expr(v));
        let label = (w.span(s.decl), label_for(s.store));
        write_bound(w, &s, value, call.span, label);
        return;
    }
    if w.pass != Pass::Check {
        return;
    }
    let module = w
        .model
        .import_of(&path)
        .map(|i| i.module.clone())
        .unwrap_or_default();
    if last(&path) == "persist"
        && (module.starts_with("zustand") || w.model.imports_module(|m| m.starts_with("zustand")))
    {
        zustand(w, call);
    }
    if path == "defineStore" && module == "pinia" {
        pinia(w, call);
    }
}

/// `token.value = …` on a storage or cookie ref.
pub fn check_assignment(w: &mut Walker, a: &AssignmentExpression) {
    let Some(m) = a.left.as_member_expression() else {
        return;
    };
    if m.static_property_name() != Some("value") {
        return;
    }
    let Some(obj) = path_of(m.object()) else {
        return;
    };
    if let Some(s) = w.model.ref_setters.get(&obj).cloned() {
        let value = w.env().value(Operand::Expr(&a.right));
        let label = (w.span(s.decl), label_for(s.store));
        write_bound(w, &s, value, a.span, label);
    }
}

fn label_for(store: Store) -> &'static str {
    if store == Store::Cookie {
        "the cookie name is bound here"
    } else {
        "the storage key is bound here"
    }
}

fn write_bound(
    w: &mut Walker,
    s: &Setter,
    mut value: Value,
    at: oxc_span::Span,
    label: (crate::finding::Span, &str),
) {
    if value.shown.is_empty() {
        value.shown = String::new();
    }
    let via = format!("{}()", s.via);
    w.judge_bound(s.store, s.key.clone(), value, at, &via, label);
}

/// The fields of a state object literal that hold data (not actions).
pub(super) fn state_fields<'e, 'a>(o: &'e ObjectExpression<'a>) -> Vec<(String, oxc_span::Span)> {
    o.properties
        .iter()
        .filter_map(|p| p.as_property())
        .filter(|p| {
            !p.method
                && !matches!(
                    p.value.get_inner_expression(),
                    Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
                )
        })
        .filter_map(|p| Some((p.key.static_name()?.to_string(), p.span)))
        .collect()
}

/// A function expression's body: statements, or the expression of a concise arrow.
enum Body<'e, 'a> {
    Block(&'e [Statement<'a>]),
    Expr(&'e Expression<'a>),
}

fn body_of<'e, 'a>(e: &'e Expression<'a>) -> Option<Body<'e, 'a>> {
    match e.get_inner_expression() {
        Expression::ArrowFunctionExpression(f) => Some(match f.get_expression() {
            Some(x) => Body::Expr(x),
            None => Body::Block(&f.get_function_body()?.statements),
        }),
        Expression::FunctionExpression(f) => Some(Body::Block(&f.body.as_ref()?.statements)),
        _ => None,
    }
}

/// The object a state creator returns: `(set) => ({ … })`, `() => { return { … } }`.
pub(super) fn returned_object<'e, 'a>(e: &'e Expression<'a>) -> Option<&'e ObjectExpression<'a>> {
    match e.get_inner_expression() {
        // Middleware in between: `immer((set) => …)`, `devtools(…)`.
        Expression::CallExpression(c) => return returned_object(arg(&c.arguments, 0)?),
        Expression::ObjectExpression(o) => return Some(&**o),
        _ => {}
    }
    match body_of(e)? {
        Body::Expr(x) => match x.get_inner_expression() {
            Expression::ObjectExpression(o) => Some(&**o),
            _ => None,
        },
        Body::Block(stmts) => stmts.iter().rev().find_map(|s| match s {
            Statement::ReturnStatement(r) => match r.argument.as_ref()?.get_inner_expression() {
                Expression::ObjectExpression(o) => Some(&**o),
                _ => None,
            },
            _ => None,
        }),
    }
}

/// The most telling token field among `fields`.
fn token_field(
    fields: &[(String, oxc_span::Span)],
) -> Option<(TokenKind, &(String, oxc_span::Span))> {
    fields
        .iter()
        .filter_map(|f| match vocab::classify(&f.0) {
            NameClass::Token(k) => Some((k, f)),
            _ => None,
        })
        .max_by_key(|(k, _)| *k)
}

pub(super) fn obj_prop<'e, 'a>(
    o: &'e ObjectExpression<'a>,
    name: &str,
) -> Option<&'e ObjectProperty<'a>> {
    o.properties
        .iter()
        .filter_map(|p| p.as_property())
        .find(|p| p.key.static_name().is_some_and(|k| k == name))
}

/// `localStorage` / `sessionStorage` named by an option, `None` for any other storage.
pub(super) fn storage_option(e: &Expression) -> Option<Store> {
    let e = e.get_inner_expression();
    if let Some(p) = path_of(e) {
        let l = last(&p);
        return match l {
            "localStorage" => Some(Store::Local),
            "sessionStorage" => Some(Store::Session),
            _ => None,
        };
    }
    match e {
        // zustand: `createJSONStorage(() => sessionStorage)`; old `getStorage: () => sessionStorage`
        Expression::CallExpression(c) => storage_option(arg(&c.arguments, 0)?),
        Expression::ArrowFunctionExpression(_) => match body_of(e)? {
            Body::Expr(x) => storage_option(x),
            Body::Block(_) => None,
        },
        _ => None,
    }
}

/// Reports the most telling token field of a persisted store (`library` is zustand or pinia).
pub(super) fn report_fields(
    w: &mut Walker,
    at: oxc_span::Span,
    store: Store,
    fields: &[(String, oxc_span::Span)],
    library: &str,
    store_name: Option<String>,
    via: &str,
) {
    let Some((kind, (field, field_span))) = token_field(fields) else {
        return;
    };
    let v = Verdict {
        kind,
        by_value: false,
    };
    let noun = if kind.is_generic() {
        "auth data"
    } else {
        kind.noun()
    };
    let of = store_name.map_or_else(
        || format!("a {library} store"),
        |n| format!("{library} store `{n}`"),
    );
    let what = format!("{noun} field `{field}` of {of}");
    let field_span = w.span(*field_span);
    let r = storage::report(w.head(at), v, &what, store, None, Some(via))
        .label(field_span, "this field is part of the persisted state");
    w.push(r, None);
}

/// zustand: `persist((set) => ({ token: null, … }), { name: "auth", storage, partialize })`.
fn zustand(w: &mut Walker, call: &CallExpression) {
    let Some(creator) = arg(&call.arguments, 0) else {
        return;
    };
    let opts = match arg(&call.arguments, 1).map(|e| e.get_inner_expression()) {
        Some(Expression::ObjectExpression(o)) => Some(o),
        _ => None,
    };
    let mut store = Store::Local;
    let mut name = None;
    let mut fields = returned_object(creator)
        .map(state_fields)
        .unwrap_or_default();
    if let Some(o) = opts {
        if let Some(p) = obj_prop(o, "storage").or_else(|| obj_prop(o, "getStorage")) {
            match storage_option(&p.value) {
                Some(s) => store = s,
                None => return,
            }
        }
        name = obj_prop(o, "name").and_then(|p| w.env().constant(&p.value));
        if let Some(p) = obj_prop(o, "partialize") {
            match returned_object(&p.value) {
                Some(r) => {
                    fields = r
                        .properties
                        .iter()
                        .filter_map(|p| p.as_property())
                        .filter_map(|p| Some((p.key.static_name()?.to_string(), p.span)))
                        .collect()
                }
                None => return,
            }
        }
    }
    report_fields(
        w,
        call.callee.span(),
        store,
        &fields,
        "zustand",
        name,
        "persist",
    );
}

/// Pinia with pinia-plugin-persistedstate (`persist: true | {…} | […]`) or pinia-plugin-persist
/// (`persist: { enabled: true, strategies: […] }`).
fn pinia(w: &mut Walker, call: &CallExpression) {
    let args: Vec<&Expression> = call
        .arguments
        .iter()
        .filter_map(|a| a.as_expression())
        .collect();
    let id = args.first().and_then(|a| w.env().constant(a));
    let options = args
        .iter()
        .rev()
        .find_map(|a| match a.get_inner_expression() {
            Expression::ObjectExpression(o) if obj_prop(o, "persist").is_some() => Some(o),
            _ => None,
        });
    let Some(options) = options else {
        return;
    };
    let persist = obj_prop(options, "persist").expect("checked above");
    // State fields: the options store's `state`, or the refs a setup store returns.
    let mut fields = obj_prop(options, "state")
        .and_then(|p| returned_object(&p.value))
        .map(state_fields)
        .unwrap_or_default();
    if fields.is_empty()
        && let Some(setup) = args.iter().find(|a| {
            matches!(
                a.get_inner_expression(),
                Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
            )
        })
    {
        fields = setup_refs(setup);
    }
    let entries: Vec<&ObjectExpression> = match persist.value.get_inner_expression() {
        Expression::BooleanLiteral(b) if b.value => vec![],
        Expression::ObjectExpression(o) => {
            if let Some(Expression::ArrayExpression(s)) =
                obj_prop(o, "strategies").map(|p| p.value.get_inner_expression())
            {
                if obj_prop(o, "enabled").is_some_and(|p| matches!(p.value.get_inner_expression(), Expression::BooleanLiteral(b) if !b.value)) {
                    return;
                }
                s.elements
                    .iter()
                    .filter_map(|e| match e.as_expression()?.get_inner_expression() {
                        Expression::ObjectExpression(o) => Some(&**o),
                        _ => None,
                    })
                    .collect()
            } else {
                vec![&**o]
            }
        }
        Expression::ArrayExpression(a) => a
            .elements
            .iter()
            .filter_map(|e| match e.as_expression()?.get_inner_expression() {
                Expression::ObjectExpression(o) => Some(&**o),
                _ => None,
            })
            .collect(),
        _ => return,
    };
    let at = persist.key.span();
    if entries.is_empty() {
        report_fields(w, at, Store::Local, &fields, "pinia", id, "persist");
        return;
    }
    for e in entries {
        let store = match obj_prop(e, "storage") {
            Some(p) => match storage_option(&p.value) {
                Some(s) => s,
                None => continue,
            },
            None => Store::Local,
        };
        let picked = obj_prop(e, "pick").or_else(|| obj_prop(e, "paths"));
        let omitted = strings(obj_prop(e, "omit"));
        let mut fs: Vec<(String, oxc_span::Span)> = match picked {
            Some(p) => strings(Some(p))
                .into_iter()
                .map(|s| (last(&s).to_string(), p.span))
                .collect(),
            None => fields.clone(),
        };
        fs.retain(|(f, _)| !omitted.iter().any(|o| last(o) == f));
        report_fields(w, at, store, &fs, "pinia", id.clone(), "persist");
    }
}

pub(super) fn strings(p: Option<&ObjectProperty>) -> Vec<String> {
    let Some(Expression::ArrayExpression(a)) = p.map(|p| p.value.get_inner_expression()) else {
        return Vec::new();
    };
    a.elements
        .iter()
        .filter_map(|e| match e.as_expression()?.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
            _ => None,
        })
        .collect()
}

/// The names a Pinia setup store returns that are declared with `ref()` / `reactive()` /
/// storage hooks in its body.
fn setup_refs(setup: &Expression) -> Vec<(String, oxc_span::Span)> {
    let Some(Body::Block(stmts)) = body_of(setup) else {
        return Vec::new();
    };
    let mut refs = Vec::new();
    for s in stmts {
        let Statement::VariableDeclaration(d) = s else {
            continue;
        };
        for d in &d.declarations {
            let (Some(b), Some(Expression::CallExpression(c))) = (
                d.id.get_binding_identifier(),
                d.init.as_ref().map(|i| i.get_inner_expression()),
            ) else {
                continue;
            };
            if path_of(&c.callee)
                .is_some_and(|p| matches!(p.as_str(), "ref" | "shallowRef" | "reactive"))
            {
                refs.push((b.name.as_str().to_string(), d.span));
            }
        }
    }
    let Some(ret) = returned_object(setup) else {
        return Vec::new();
    };
    let returned: Vec<String> = ret
        .properties
        .iter()
        .filter_map(|p| p.as_property())
        .filter_map(|p| p.key.static_name().map(|k| k.to_string()))
        .collect();
    refs.retain(|(n, _)| returned.contains(n));
    refs
}
