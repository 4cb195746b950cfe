//! Vuex persistence plugins: vuex-persistedstate's `createPersistedState()` and vuex-persist's
//! `new VuexPersistence()`, judged against the state of the Vuex store built in the same block
//! (its `state`, and the `modules` whose state is written in the same block).
use super::super::model::{Store, VuexState, arg, last, path_of};
use super::persist::{
    obj_prop, report_fields, returned_object, state_fields, storage_option, strings,
};
use super::{Pass, Walker};
use oxc_ast::ast::*;
use oxc_span::GetSpan;

type Fields = Vec<(String, oxc_span::Span)>;

impl VuexState {
    fn module(&self, name: &str) -> Option<&Fields> {
        self.modules.iter().find(|(m, _)| m == name).map(|(_, f)| f)
    }

    /// Everything the store holds, for a plugin that persists the whole state.
    fn all(&self) -> Fields {
        let mut out = self.root.clone();
        for (_, f) in &self.modules {
            out.extend(f.iter().cloned());
        }
        out
    }

    /// The fields a list of persisted paths names: a module's whole state, or one field.
    fn picked(&self, paths: &[String], at: oxc_span::Span) -> Fields {
        let mut out = Fields::new();
        for p in paths {
            match self.module(p) {
                Some(f) => out.extend(f.iter().cloned()),
                None => out.push((field_of_path(p).to_string(), at)),
            }
        }
        out
    }
}

/// The field a persisted path names: its last segment, or the one before a `value` / `current`
/// wrapper (`token.value` in a Nuxt module `token`).
fn field_of_path(p: &str) -> &str {
    p.rsplit('.')
        .find(|s| !matches!(*s, "value" | "current"))
        .unwrap_or(last(p))
}

/// An object literal, or a function returning one (`state: () => ({ … })`).
fn literal<'e, 'a>(e: &'e Expression<'a>) -> Option<&'e ObjectExpression<'a>> {
    match e.get_inner_expression() {
        Expression::ObjectExpression(o) => Some(o),
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_) => {
            returned_object(e)
        }
        _ => None,
    }
}

/// The fields of a `state` value: a literal, a state function, or a name bound in this block.
fn fields_of(w: &Walker, e: &Expression) -> Fields {
    if let Some(o) = literal(e) {
        return state_fields(o);
    }
    path_of(e)
        .and_then(|p| w.model.object_fields.get(&p).cloned())
        .unwrap_or_default()
}

/// `const state = { … }` and `const auth = { namespaced: true, state: { … } }`, remembered so a
/// store built later in the block can name them.
pub fn bind_declarator(w: &mut Walker, name: &str, init: &Expression) {
    let Some(o) = literal(init) else {
        return;
    };
    let module_state = obj_prop(o, "state").map(|p| fields_of(w, &p.value));
    w.model
        .object_fields
        .insert(name.to_string(), state_fields(o));
    if let Some(f) = module_state {
        w.model.object_fields.insert(format!("{name}.state"), f);
    }
}

/// `new Vuex.Store({ … })`, `new Store({ … })`, `createStore({ … })` from vuex.
fn store_options<'e, 'a>(
    w: &Walker,
    callee: &Expression,
    args: &'e [Argument<'a>],
    is_new: bool,
) -> Option<&'e ObjectExpression<'a>> {
    let path = path_of(callee)?;
    let from_vuex = path == "Vuex.Store"
        || path == "Vuex.createStore"
        || w.model
            .root_import(&path)
            .is_some_and(|i| i.module == "vuex");
    let ctor = if is_new { "Store" } else { "createStore" };
    if !from_vuex || last(&path) != ctor {
        return None;
    }
    match arg(args, 0)?.get_inner_expression() {
        Expression::ObjectExpression(o) => Some(o),
        _ => None,
    }
}

fn bind_store(w: &mut Walker, o: &ObjectExpression) {
    let mut state = w.model.vuex.take().unwrap_or_default();
    if let Some(p) = obj_prop(o, "state") {
        let f = fields_of(w, &p.value);
        state.root.extend(f);
    }
    if let Some(Expression::ObjectExpression(mods)) =
        obj_prop(o, "modules").map(|p| p.value.get_inner_expression())
    {
        for p in mods.properties.iter().filter_map(|p| p.as_property()) {
            let Some(name) = p.key.static_name() else {
                continue;
            };
            let fields = match p.value.get_inner_expression() {
                Expression::ObjectExpression(m) => obj_prop(m, "state")
                    .map(|s| fields_of(w, &s.value))
                    .unwrap_or_default(),
                other => path_of(other)
                    .and_then(|m| w.model.object_fields.get(&format!("{m}.state")).cloned())
                    .unwrap_or_default(),
            };
            state.modules.push((name.to_string(), fields));
        }
    }
    w.model.vuex = Some(state);
}

fn options<'e, 'a>(args: &'e [Argument<'a>]) -> Option<&'e ObjectExpression<'a>> {
    match arg(args, 0)?.get_inner_expression() {
        Expression::ObjectExpression(o) => Some(o),
        _ => None,
    }
}

/// The keys a `reducer: (state) => ({ auth: state.auth })` keeps, modules expanded.
fn reduced(state: &VuexState, p: &ObjectProperty) -> Option<Fields> {
    let r = returned_object(&p.value)?;
    let keys: Vec<(String, oxc_span::Span)> = r
        .properties
        .iter()
        .filter_map(|p| p.as_property())
        .filter_map(|p| Some((p.key.static_name()?.to_string(), p.span)))
        .collect();
    let mut out = Fields::new();
    for (k, s) in keys {
        match state.module(&k) {
            Some(f) => out.extend(f.iter().cloned()),
            None => out.push((k, s)),
        }
    }
    Some(out)
}

/// The storage option of a plugin: web storage, or `None` for anything else (cookies, secure-ls,
/// localforage), which is not this rule's business.
fn storage(o: Option<&ObjectExpression>) -> Option<Store> {
    match o.and_then(|o| obj_prop(o, "storage")) {
        Some(p) => storage_option(&p.value),
        None => Some(Store::Local),
    }
}

/// vuex-persistedstate: `createPersistedState({ paths, reducer, storage })`.
fn persisted_state(w: &mut Walker, call: &CallExpression) {
    persisted(
        w,
        &call.arguments,
        call.callee.span(),
        "paths",
        "createPersistedState()",
    );
}

/// vuex-persist: `new VuexPersistence({ storage, modules: ['auth'], reducer })`.
fn vuex_persistence(w: &mut Walker, n: &NewExpression) {
    persisted(
        w,
        &n.arguments,
        n.callee.span(),
        "modules",
        "VuexPersistence",
    );
}

/// Both plugins: the fields of the store's state that the options keep (`pick_key` lists paths or
/// modules, `reducer` returns an object; neither means the whole state), written to `storage`.
fn persisted(w: &mut Walker, args: &[Argument], at: oxc_span::Span, pick_key: &str, plugin: &str) {
    let opts = options(args);
    let Some(store) = storage(opts) else {
        return;
    };
    let state = w.model.vuex.clone().unwrap_or_default();
    let fields = match (
        opts.and_then(|o| obj_prop(o, pick_key)),
        opts.and_then(|o| obj_prop(o, "reducer")),
    ) {
        (Some(p), _) => state.picked(&strings(Some(p)), p.span),
        (None, Some(r)) => match reduced(&state, r) {
            Some(f) => f,
            None => return,
        },
        (None, None) => state.all(),
    };
    report_fields(w, at, store, &fields, "vuex", None, plugin);
}

fn imported_from(w: &Walker, callee: &Expression, module: &str) -> bool {
    path_of(callee).is_some_and(|p| w.model.root_import(&p).is_some_and(|i| i.module == module))
}

/// Calls: `createStore({ … })` (bindings) and `createPersistedState(…)` (check).
pub fn check_call(w: &mut Walker, call: &CallExpression) {
    match w.pass {
        Pass::Bindings => {
            if let Some(o) = store_options(w, &call.callee, &call.arguments, false) {
                bind_store(w, o);
            }
        }
        Pass::Check if imported_from(w, &call.callee, "vuex-persistedstate") => {
            persisted_state(w, call);
        }
        _ => {}
    }
}

/// `new Vuex.Store({ … })` (bindings) and `new VuexPersistence(…)` (check).
pub fn check_new(w: &mut Walker, n: &NewExpression) {
    match w.pass {
        Pass::Bindings => {
            if let Some(o) = store_options(w, &n.callee, &n.arguments, true) {
                bind_store(w, o);
            }
        }
        Pass::Check if imported_from(w, &n.callee, "vuex-persist") => vuex_persistence(w, n),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_fields() {
        assert_eq!(super::field_of_path("token.value"), "token");
        assert_eq!(super::field_of_path("auth.token"), "token");
        assert_eq!(super::field_of_path("theme"), "theme");
    }
}
