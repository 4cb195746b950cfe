//! What the walk learns about login responses and typed parameters: the parameters of a function
//! typed with a credential-carrying type (`user: User`), the callbacks a login call hands its
//! response to (`.then`, `onSuccess`), functions that return a login call, parameters handed a
//! login function, and the envelope fields bound from a login response.
use super::super::eval::login;
use super::super::model::{Operand, VClass, Value, path_of};
use super::super::types;
use super::super::vocab::NameClass;
use super::{Pass, Walker};
use oxc_ast::ast::*;

impl Walker<'_> {
    /// What the parameters just entered hold by their type (`user: User`), or as the response
    /// a login call hands its callback.
    pub(super) fn bind_params(&mut self, params: &FormalParameters) {
        for p in &params.items {
            if let (Some(b), Some(t)) = (p.pattern.get_binding_identifier(), &p.type_annotation)
                && let Some(v) = types::annotated(&self.model, &t.type_annotation, &b.name)
            {
                self.scopes.top().typed.insert(b.name.to_string(), v);
            }
        }
        if !self.login_params.remove(&params.span.start) {
            return;
        }
        match params.items.first().map(|p| &p.pattern) {
            Some(BindingPattern::BindingIdentifier(b)) => {
                let v = Value {
                    login: true,
                    ..Value::of(VClass::Name(NameClass::Neutral), b.name.as_str())
                };
                self.scopes.top().vars.insert(b.name.to_string(), v);
            }
            Some(BindingPattern::ObjectPattern(o)) => self.login_fields(o),
            _ => {}
        }
    }

    /// A function that returns a login call (`return axios.post("/auth/login", creds)`) is a
    /// login function: its callers get a login response whatever its name.
    pub(super) fn note_login_return(&mut self, e: &Expression) {
        if self.pass != Pass::Wrappers {
            return;
        }
        let e = match e.get_inner_expression() {
            Expression::AwaitExpression(a) => a.argument.get_inner_expression(),
            other => other,
        };
        let Expression::CallExpression(c) = e else {
            return;
        };
        let Some(func) = self.scopes.func().map(str::to_string) else {
            return;
        };
        if login::is_login_call(&self.env(), c) {
            let names = self.aliases.get(&func).cloned().unwrap_or(vec![func]);
            self.model.login_fns.extend(names);
        }
    }

    /// `wrap(loginMutation)`: the parameter of `wrap` at that position receives a login function.
    pub(super) fn note_login_args(&mut self, c: &CallExpression, callee: &str) {
        for (i, a) in c.arguments.iter().enumerate().take(8) {
            if let Some(p) = a.as_expression().and_then(path_of)
                && self.model.login_fns.contains(&p)
            {
                self.model.login_args.insert((callee.to_string(), i));
            }
        }
    }

    /// Marks the callbacks a login call hands its response to (`login::response_callbacks`).
    pub(super) fn note_login_callbacks(&mut self, c: &CallExpression) {
        let env = self.env();
        let starts: Vec<u32> = login::response_callbacks(&env, c)
            .into_iter()
            .filter_map(|f| match f.get_inner_expression() {
                Expression::ArrowFunctionExpression(a) => Some(a.params.span.start),
                Expression::FunctionExpression(f) => Some(f.params.span.start),
                _ => None,
            })
            .collect();
        self.login_params.extend(starts);
    }

    /// `const { data } = await api.post("/login", creds)`: the envelope fields bound from a login
    /// response are login responses too.
    pub(super) fn login_pattern(&mut self, d: &VariableDeclarator) {
        let (BindingPattern::ObjectPattern(o), Some(init)) = (&d.id, &d.init) else {
            return;
        };
        if self.env().value(Operand::Expr(init)).login {
            self.login_fields(o);
        }
    }

    /// The envelope fields of a login response, bound by a pattern: login responses too.
    fn login_fields(&mut self, o: &ObjectPattern) {
        for p in &o.properties {
            if let (Some(k), Some(b)) = (p.key.static_name(), p.value.get_binding_identifier())
                && login::is_envelope(&k)
            {
                let name = b.name.as_str().to_string();
                let v = Value {
                    login: true,
                    ..Value::of(VClass::Name(NameClass::Neutral), name.clone())
                };
                self.scopes.top().vars.insert(name, v);
            }
        }
    }
}
