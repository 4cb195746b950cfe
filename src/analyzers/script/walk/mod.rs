//! The walk over one parsed block, in three passes that share the scope handling:
//! `Bindings` (imports, constants, storage aliases, hook setters), `Wrappers` (functions that
//! write storage or cookies from their parameters) and `Check` (judge every write, report).
//! The walker's other parts are its children: what the `Bindings` pass records (`bindings`), the
//! judgement of writes (`judge`), persisted stores (`persist`, `vuex`) and login responses
//! (`login`). Below it: the model and the evaluation of keys and values (`model`, `eval`).
use super::eval::Env;
use super::model::{Model, Operand, Scopes, VClass, Value, arg, last, path_of};
use super::{cookies, storage};

mod bindings;
mod judge;
mod login;
mod persist;
mod vuex;

use crate::finding::{Report, Span};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;
use oxc_syntax::scope::ScopeFlags;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pass {
    Bindings,
    Wrappers,
    Check,
}

/// Nesting deeper than this is not walked (the rest of the file still is).
const MAX_DEPTH: usize = 300;

/// A report and the storage key it is about (to attach reads of the same key as labels).
pub struct Found {
    pub report: Report,
    pub key_id: Option<String>,
}

/// The model of a block after the `Bindings` and `Wrappers` passes; `link` adds what the
/// block's imports bring in between the two (`modules::link`), so wrappers can use it.
pub fn bind(
    program: &Program,
    src: &str,
    base: usize,
    path: &str,
    link: impl FnOnce(&mut Model),
) -> Model {
    let mut w = Walker::new(Pass::Bindings, Model::default(), src, base, path);
    w.visit_program(program);
    let mut model = w.model;
    link(&mut model);
    let mut w = Walker::new(Pass::Wrappers, model, src, base, path);
    w.visit_program(program);
    w.model
}

pub struct Walker<'s> {
    pub pass: Pass,
    pub model: Model,
    scopes: Scopes,
    src: &'s str,
    base: usize,
    path: &'s str,
    /// Names for the next function visited (`const save = (k, v) => …`, methods).
    pending: Option<Vec<String>>,
    /// Names of the enclosing object literals (`const api = { save(k, v) {…} }`).
    objects: Vec<Option<String>>,
    /// Every name of the function a frame belongs to (`obj.m` and `this.m`).
    pub(super) aliases: std::collections::HashMap<String, Vec<String>>,
    pub(super) in_const: bool,
    depth: usize,
    bearer: usize,
    pub found: Vec<Found>,
    pub bearer_reads: Vec<(String, Span)>,
    /// Functions (by the start of their parameters) whose first parameter is a login response:
    /// `.then` and `onSuccess` callbacks of login calls (`login::response_callbacks`).
    login_params: std::collections::HashSet<u32>,
}

impl<'s> Walker<'s> {
    pub fn new(pass: Pass, model: Model, src: &'s str, base: usize, path: &'s str) -> Self {
        Walker {
            pass,
            model,
            scopes: Scopes::default(),
            src,
            base,
            path,
            pending: None,
            objects: Vec::new(),
            aliases: Default::default(),
            in_const: false,
            depth: 0,
            bearer: 0,
            found: Vec::new(),
            bearer_reads: Vec::new(),
            login_params: Default::default(),
        }
    }

    pub fn env(&self) -> Env<'_> {
        Env {
            model: &self.model,
            scopes: &self.scopes,
            src: self.src,
        }
    }

    pub fn span(&self, s: oxc_span::Span) -> Span {
        storage::span(s, self.base)
    }

    pub fn head(&self, s: oxc_span::Span) -> Span {
        storage::head(self.src, s, self.base)
    }

    pub fn push(&mut self, report: Report, key_id: Option<String>) {
        self.found.push(Found { report, key_id });
    }

    /// Enters a function scope, runs `f`, leaves it: the one place frames change.
    fn scoped(&mut self, own: Option<&str>, params: &FormalParameters, f: impl FnOnce(&mut Self)) {
        let mut names = self.pending.take().unwrap_or_default();
        if let Some(n) = own {
            names.push(n.to_string());
        }
        let primary = names.first().cloned();
        if let Some(p) = &primary {
            self.aliases.insert(p.clone(), names);
        }
        let names = params
            .items
            .iter()
            .map(|p| {
                p.pattern
                    .get_binding_identifier()
                    .map_or(String::new(), |b| b.name.as_str().to_string())
            })
            .collect();
        self.scopes.enter(primary, names);
        self.bind_params(params);
        self.objects.push(None);
        f(self);
        self.objects.pop();
        self.scopes.leave();
    }

    fn bearer_ctx(&mut self, f: impl FnOnce(&mut Self)) {
        self.bearer += 1;
        f(self);
        self.bearer -= 1;
    }

    fn check_declarator(&mut self, d: &VariableDeclarator) {
        let Some(id) = d.id.get_binding_identifier() else {
            self.login_pattern(d);
            return;
        };
        let name = id.name.as_str().to_string();
        let typed = d
            .type_annotation
            .as_ref()
            .and_then(|t| super::types::annotated(&self.model, &t.type_annotation, &name));
        let Some(init) = &d.init else {
            let v = typed.unwrap_or_else(|| Value::of(VClass::Empty, ""));
            self.scopes.top().vars.insert(name, v);
            return;
        };
        let mut e = init.get_inner_expression();
        loop {
            e = match e {
                Expression::AwaitExpression(a) => a.argument.get_inner_expression(),
                Expression::LogicalExpression(l) => l.left.get_inner_expression(),
                Expression::CallExpression(c)
                    if path_of(&c.callee).as_deref() == Some("JSON.parse") =>
                {
                    match arg(&c.arguments, 0) {
                        Some(a) => a.get_inner_expression(),
                        None => break,
                    }
                }
                _ => break,
            };
        }
        let read = match e {
            Expression::CallExpression(c) => storage::call_read(c, &self.model),
            other => storage::member_read(other, &self.model),
        };
        if let Some(k) = read
            && let Some(kid) = self.env().key(k).id
        {
            self.scopes
                .top()
                .reads
                .insert(name.clone(), (kid, e.span()));
        }
        let v = typed
            .or_else(|| super::types::cast(&self.model, init, &name))
            .unwrap_or_else(|| self.env().value(Operand::Expr(init)));
        self.scopes.top().vars.insert(name, v);
    }

    fn note_read(&mut self, key: Operand, at: oxc_span::Span) {
        if self.bearer == 0 || self.pass != Pass::Check {
            return;
        }
        if let Some(id) = self.env().key(key).id {
            let s = self.span(at);
            self.bearer_reads.push((id, s));
        }
    }
}

/// Runs `f` one level deeper, unless `depth` is already at [`MAX_DEPTH`]: the one guard of every
/// walk over a script (a generated file nests thousands of levels).
pub(super) fn deeper<W>(w: &mut W, depth: fn(&mut W) -> &mut usize, f: impl FnOnce(&mut W)) {
    if *depth(w) >= MAX_DEPTH {
        return;
    }
    *depth(w) += 1;
    f(w);
    *depth(w) -= 1;
}

pub(super) fn is_function(e: &Expression) -> bool {
    matches!(
        e.get_inner_expression(),
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
    )
}

/// `useCallback((a) => …, deps)`: the function keeps the name it is bound to.
fn is_callback_hook(e: &Expression) -> bool {
    matches!(e.get_inner_expression(), Expression::CallExpression(c)
        if path_of(&c.callee).is_some_and(|p| last(&p) == "useCallback")
            && arg(&c.arguments, 0).is_some_and(is_function))
}

fn is_authorization(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
}

impl<'a> Visit<'a> for Walker<'_> {
    fn visit_program(&mut self, it: &Program<'a>) {
        if self.pass == Pass::Bindings {
            for d in &it.directives {
                match d.directive.as_str() {
                    "use client" => self.model.use_client = true,
                    "use server" => self.model.use_server = true,
                    _ => {}
                }
            }
        }
        walk::walk_program(self, it);
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        crate::budget::tick();
        deeper(
            self,
            |w| &mut w.depth,
            |w| {
                if w.bearer > 0
                    && w.pass == Pass::Check
                    && let Some(k) = storage::member_read(it, &w.model)
                {
                    w.note_read(k, it.span());
                }
                walk::walk_expression(w, it);
            },
        );
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        deeper(self, |w| &mut w.depth, |w| walk::walk_statement(w, it));
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        if self.pass == Pass::Bindings
            && let Some(specs) = &it.specifiers
        {
            for s in specs {
                let (local, name) = match s {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => {
                        (s.local.name.as_str(), s.imported.name().to_string())
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                        (s.local.name.as_str(), "default".to_string())
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        (s.local.name.as_str(), "*".to_string())
                    }
                };
                self.model.imports.insert(
                    local.to_string(),
                    super::model::Import {
                        module: it.source.value.as_str().to_string(),
                        name,
                    },
                );
            }
        }
        walk::walk_import_declaration(self, it);
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        let prev = self.in_const;
        self.in_const = it.kind.is_const();
        walk::walk_variable_declaration(self, it);
        self.in_const = prev;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let name = it
            .id
            .get_binding_identifier()
            .map(|b| b.name.as_str().to_string());
        match self.pass {
            Pass::Bindings => self.bindings_declarator(it),
            // After `modules::link`: the login functions of other modules are known.
            Pass::Wrappers => {
                if let Some(init) = &it.init {
                    self.bind_login_hook(&it.id, init);
                }
            }
            Pass::Check => {}
        }
        let init = it.init.as_ref();
        if let (Some(n), Some(init)) = (&name, init)
            && (is_function(init) || is_callback_hook(init))
        {
            self.pending = Some(vec![n.clone()]);
        }
        let is_object = init
            .is_some_and(|i| matches!(i.get_inner_expression(), Expression::ObjectExpression(_)));
        if is_object {
            self.objects.push(name.clone());
        }
        walk::walk_variable_declarator(self, it);
        if is_object {
            self.objects.pop();
        }
        if self.pass != Pass::Bindings {
            self.check_declarator(it);
        }
    }

    fn visit_ts_enum_declaration(&mut self, it: &TSEnumDeclaration<'a>) {
        if self.pass == Pass::Bindings {
            let e = it.id.name.as_str();
            for m in &it.body.members {
                let member = match &m.id {
                    TSEnumMemberName::Identifier(i) => i.name.as_str(),
                    TSEnumMemberName::String(s) | TSEnumMemberName::ComputedString(s) => {
                        s.value.as_str()
                    }
                    TSEnumMemberName::ComputedTemplateString(_) => continue,
                };
                if let Some(v) = m.initializer.as_ref().and_then(|i| self.env().constant(i)) {
                    let at = self.head(m.span);
                    self.model.const_at.insert(format!("{e}.{member}"), at);
                    self.model.consts.insert(format!("{e}.{member}"), v);
                }
            }
        }
        walk::walk_ts_enum_declaration(self, it);
    }

    fn visit_ts_interface_declaration(&mut self, it: &TSInterfaceDeclaration<'a>) {
        if self.pass == Pass::Bindings {
            let (src, base) = (self.src, self.base);
            let at = |s| storage::head(src, s, base);
            super::types::bind_interface(&mut self.model, it, at);
        }
    }

    fn visit_ts_type_alias_declaration(&mut self, it: &TSTypeAliasDeclaration<'a>) {
        if self.pass == Pass::Bindings {
            let (src, base) = (self.src, self.base);
            let at = |s| storage::head(src, s, base);
            super::types::bind_type_alias(&mut self.model, it, at);
        }
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let own = it.id.as_ref().map(|i| i.name.as_str().to_string());
        if self.pass == Pass::Bindings
            && let Some(n) = &own
        {
            self.model.declared.insert(n.clone());
        }
        self.scoped(own.as_deref(), &it.params, |w| {
            walk::walk_function(w, it, flags)
        });
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.scoped(None, &it.params, |w| {
            if let Some(e) = it.get_expression() {
                w.note_login_return(e);
            }
            walk::walk_arrow_function_expression(w, it)
        });
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let Some(e) = &it.argument {
            self.note_login_return(e);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let key = it.key.static_name().map(|k| k.to_string());
        if let Some(k) = &key
            && is_function(&it.value)
        {
            let mut names = vec![format!("this.{k}")];
            if let Some(Some(o)) = self.objects.last() {
                names.insert(0, format!("{o}.{k}"));
            }
            self.pending = Some(names);
        }
        let nested = matches!(
            it.value.get_inner_expression(),
            Expression::ObjectExpression(_)
        );
        if nested {
            let parent = self.objects.last().cloned().flatten();
            self.objects.push(match (parent, &key) {
                (Some(p), Some(k)) => Some(format!("{p}.{k}")),
                _ => None,
            });
        }
        if self.pass == Pass::Check && key.as_deref().is_some_and(is_authorization) {
            self.bearer_ctx(|w| walk::walk_object_property(w, it));
        } else {
            walk::walk_object_property(self, it);
        }
        if nested {
            self.objects.pop();
        }
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        if let Some(k) = it.key.static_name() {
            self.pending = Some(vec![format!("this.{k}")]);
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if self.pass == Pass::Bindings
            && let (Some(k), Some(v)) = (it.key.static_name(), &it.value)
        {
            let this_path = format!("this.{k}");
            if let Some(s) = self.store_expr(v) {
                self.model.stores.insert(this_path.clone(), s);
            }
            persist::bind_instance(self, &this_path, v);
        }
        if let (Some(k), Some(v)) = (it.key.static_name(), &it.value)
            && is_function(v)
        {
            self.pending = Some(vec![format!("this.{k}")]);
        }
        walk::walk_property_definition(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        vuex::check_new(self, it);
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        vuex::check_call(self, it);
        let path = path_of(&it.callee);
        if self.pass != Pass::Bindings {
            for w in storage::call_writes(it, &self.model) {
                self.storage_write(w.store, w.key, w.value, w.span, None, None);
            }
            if let Some(w) = cookies::call_write(it, &self.model, self.path) {
                self.cookie_write(w);
            }
            persist::check_call(self, it);
            self.note_login_callbacks(it);
            if self.pass == Pass::Wrappers
                && let Some(p) = &path
            {
                self.note_login_args(it, p);
            }
            if self.pass == Pass::Check
                && let Some(p) = &path
            {
                self.wrapper_call(it, p);
            }
        }
        if self.pass == Pass::Check
            && let Some(k) = storage::call_read(it, &self.model)
        {
            self.note_read(k, it.span);
        }
        let header_call = path.as_deref().is_some_and(|p| {
            matches!(last(p), "setRequestHeader" | "set" | "append")
                && matches!(arg(&it.arguments, 0), Some(Expression::StringLiteral(s)) if is_authorization(&s.value))
        });
        if header_call && self.pass == Pass::Check {
            self.bearer_ctx(|w| walk::walk_call_expression(w, it));
        } else {
            walk::walk_call_expression(self, it);
        }
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        match self.pass {
            Pass::Bindings => {
                if let Some(m) = it.left.as_member_expression()
                    && let (Some(obj), Some(prop)) = (path_of(m.object()), m.static_property_name())
                    && obj == "this"
                {
                    let p = format!("this.{prop}");
                    if let Some(s) = self.store_expr(&it.right) {
                        self.model.stores.insert(p.clone(), s);
                    }
                    persist::bind_instance(self, &p, &it.right);
                }
                let at = self.head(it.span);
                if let Some(h) = super::holders::holder(&self.env(), it, at) {
                    self.model.holders.push(h);
                }
            }
            Pass::Wrappers | Pass::Check => {
                if let Some(w) = storage::assignment_write(it, &self.model) {
                    self.storage_write(w.store, w.key, w.value, w.span, None, None);
                }
                if let Some(w) = cookies::assignment_write(it) {
                    self.cookie_write(w);
                }
                persist::check_assignment(self, it);
            }
        }
        let auth_target = it
            .left
            .as_member_expression()
            .is_some_and(|m| m.static_property_name().is_some_and(is_authorization));
        if auth_target && self.pass == Pass::Check {
            self.bearer_ctx(|w| walk::walk_assignment_expression(w, it));
        } else {
            walk::walk_assignment_expression(self, it);
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        let bearer = it.quasis.iter().any(|q| {
            q.value
                .raw
                .as_str()
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("bearer")
        });
        if bearer && self.pass == Pass::Check {
            self.bearer_ctx(|w| walk::walk_template_literal(w, it));
        } else {
            walk::walk_template_literal(self, it);
        }
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        let bearer = it.operator == BinaryOperator::Addition
            && [&it.left, &it.right].iter().any(|e| {
                matches!(e.get_inner_expression(), Expression::StringLiteral(s) if s.value.trim_start().to_ascii_lowercase().starts_with("bearer"))
            });
        if bearer && self.pass == Pass::Check {
            self.bearer_ctx(|w| walk::walk_binary_expression(w, it));
        } else {
            walk::walk_binary_expression(self, it);
        }
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if self.bearer > 0
            && self.pass == Pass::Check
            && let Some((k, s)) = self.scopes.read(it.name.as_str()).cloned()
        {
            let s = self.span(s);
            self.bearer_reads.push((k, s));
        }
    }
}
