//! The `Bindings` pass of the walker: what a block's declarations bind before any write is
//! judged (constants and object fields holding strings, storage objects and their aliases,
//! imports by `require`, persisted stores).
use super::super::model::{Store, arg, path_of};
use super::Walker;
use super::{persist, vuex};
use oxc_ast::ast::*;

impl Walker<'_> {
    pub(super) fn bindings_declarator(&mut self, d: &VariableDeclarator) {
        if let Some(init) = &d.init {
            persist::bind_declarator(self, &d.id, init);
            if let Some(b) = d.id.get_binding_identifier() {
                vuex::bind_declarator(self, b.name.as_str(), init);
            }
        }
        let Some(id) = d.id.get_binding_identifier() else {
            if let (BindingPattern::ObjectPattern(o), Some(init)) = (&d.id, &d.init) {
                // `const { localStorage } = window`
                if path_of(init).is_some_and(|p| p == "window" || p == "globalThis") {
                    for p in &o.properties {
                        if let (Some(k), Some(b)) =
                            (p.key.static_name(), p.value.get_binding_identifier())
                            && let Some(s) = self.model.store_of(&k)
                        {
                            self.model.stores.insert(b.name.as_str().to_string(), s);
                        }
                    }
                }
                // `const { setToken } = require("./auth")`: each name an import of the module.
                if let Some(module) = required(init) {
                    for p in &o.properties {
                        if let (Some(k), Some(b)) =
                            (p.key.static_name(), p.value.get_binding_identifier())
                        {
                            self.model.imports.insert(
                                b.name.as_str().to_string(),
                                super::super::model::Import {
                                    module: module.to_string(),
                                    name: k.to_string(),
                                },
                            );
                        }
                    }
                }
            }
            return;
        };
        let name = id.name.as_str().to_string();
        self.model.declared.insert(name.clone());
        let Some(init) = &d.init else {
            return;
        };
        let init = init.get_inner_expression();
        if self.in_const {
            if let Some(s) = self.env().constant(init) {
                self.model.consts.insert(name.clone(), s);
                let at = self.head(d.span);
                self.model.const_at.insert(name.clone(), at);
            } else if let Expression::ObjectExpression(o) = init {
                self.object_consts(&name, o, 0);
            }
        }
        if let Some(s) = self.store_expr(init) {
            self.model.stores.insert(name.clone(), s);
        }
        if let Some(module) = required(init) {
            self.model.imports.insert(
                name,
                super::super::model::Import {
                    module: module.to_string(),
                    name: "default".into(),
                },
            );
        }
    }

    fn object_consts(&mut self, prefix: &str, o: &ObjectExpression, depth: usize) {
        for p in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else {
                continue;
            };
            let Some(k) = p.key.static_name() else {
                continue;
            };
            let path = format!("{prefix}.{k}");
            if let Some(s) = self.env().constant(&p.value) {
                let at = self.head(p.span);
                self.model.const_at.insert(path.clone(), at);
                self.model.consts.insert(path, s);
            } else if let Expression::ObjectExpression(inner) = p.value.get_inner_expression()
                && depth < 2
            {
                self.object_consts(&path, inner, depth + 1);
            }
        }
    }

    /// The names a login hook binds: `const [login] = useLoginMutation()`,
    /// `const { mutateAsync } = useMutation({ mutationFn: login })`, `const m = useMutation(…)`.
    pub(super) fn bind_login_hook(&mut self, id: &BindingPattern, init: &Expression) {
        let Expression::CallExpression(c) = init.get_inner_expression() else {
            return;
        };
        if !super::super::eval::login::is_login_hook(&self.env(), c) {
            return;
        }
        let names: Vec<String> = match id {
            BindingPattern::BindingIdentifier(b) => vec![b.name.to_string()],
            BindingPattern::ArrayPattern(a) => a
                .elements
                .first()
                .and_then(|e| e.as_ref()?.get_binding_identifier())
                .map(|b| b.name.to_string())
                .into_iter()
                .collect(),
            BindingPattern::ObjectPattern(o) => o
                .properties
                .iter()
                .filter(|p| {
                    p.key
                        .static_name()
                        .is_some_and(|k| matches!(k.as_ref(), "mutate" | "mutateAsync" | "trigger"))
                })
                .filter_map(|p| p.value.get_binding_identifier())
                .map(|b| b.name.to_string())
                .collect(),
            _ => Vec::new(),
        };
        self.model.login_fns.extend(names);
    }

    /// The storage an expression evaluates to: `window.localStorage`, `remember ? localStorage :
    /// sessionStorage`, `localforage.createInstance(…)`.
    pub(super) fn store_expr(&self, e: &Expression) -> Option<Store> {
        match e.get_inner_expression() {
            Expression::ConditionalExpression(c) => {
                let (a, b) = (
                    self.store_expr(&c.consequent)?,
                    self.store_expr(&c.alternate)?,
                );
                Some(if a == b { a } else { Store::Either })
            }
            Expression::LogicalExpression(l) => self.store_expr(&l.left),
            Expression::CallExpression(c) => {
                let p = path_of(&c.callee)?;
                (p == "localforage.createInstance").then_some(Store::Localforage)
            }
            other => self.model.store_of(&path_of(other)?),
        }
    }
}

/// The module a `require("m")` call names.
fn required<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.get_inner_expression() {
        Expression::CallExpression(c) if c.callee.is_specific_id("require") => {
            match arg(&c.arguments, 0) {
                Some(Expression::StringLiteral(m)) => Some(m.value.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}
