//! Server-side TypeScript and JavaScript: which files run on the server (a file is judged by where
//! it runs), which framework serves them, and one walk over such a file that hands each call to
//! the server rules (`cookies`, `headers`, `sessions`, `jwt_ttl`, `jwt_keys`, `jwt_decode`,
//! `jwt_facts`, `authjs`, `bff`).
//!
//! Server files: Next.js `app/**/route.ts`, `middleware.ts`, `pages/api/**`, `'use server'`;
//! SvelteKit `+page.server.ts`, `+layout.server.ts`, `+server.ts`, `hooks.server.ts`,
//! `*.server.ts`, `src/lib/server/**` (by path, `cookies::is_server_file`); and every file of a
//! Node package that depends on express, fastify, hono or koa and on no front end.
use super::eval::Env;
use super::model::{Model, Scopes, path_of};
use super::walk::{deeper, is_function};

mod authjs;
mod bff;
mod cookies;
mod headers;
mod jwt_decode;
mod jwt_facts;
mod jwt_keys;
mod jwt_ttl;
mod sessions;

use crate::analyzers::{Context, Sink};
use crate::manifest::NodePackage;
use crate::source::SourceFile;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_syntax::scope::ScopeFlags;
use std::sync::Arc;

/// Which framework's defaults apply to a cookie a server file sets through `cookies.set`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    SvelteKit,
    Next,
    Koa,
    /// Express, Fastify, Hono or plain Node: the call names its library.
    Other,
}

/// Where a file runs, and under which framework.
pub struct ServerFile {
    pub framework: Framework,
    pub package: Option<Arc<NodePackage>>,
}

impl ServerFile {
    /// Whether the file's imports or its package name `module`.
    pub fn uses(&self, model: &Model, module: &str) -> bool {
        model.imports_module(|m| {
            m.strip_prefix(module)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }) || self.package.as_ref().is_some_and(|p| p.has(module))
    }
}

/// The file as server code, or `None` when it runs in the browser (or cannot be told).
pub fn server_file(file: &SourceFile, model: &Model, ctx: &Context) -> Option<ServerFile> {
    let package = ctx.project.node_package(&file.abs_path);
    let by_path = super::cookies::is_server_file(&file.path, model);
    if !by_path && !package.as_ref().is_some_and(|p| p.is_node_server()) {
        return None;
    }
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    let dep = |d: &str| package.as_ref().is_some_and(|p| p.has(d));
    let imports = |pre: &str| model.imports_module(|m| m.starts_with(pre));
    let framework = if name.starts_with('+')
        || name.starts_with("hooks.server.")
        || imports("@sveltejs/kit")
        || imports("$app/")
        || imports("./$types")
        || (dep("@sveltejs/kit") && !imports("next/"))
    {
        Framework::SvelteKit
    } else if imports("next/") || dep("next") {
        Framework::Next
    } else if imports("koa") || dep("koa") {
        Framework::Koa
    } else {
        Framework::Other
    };
    Some(ServerFile { framework, package })
}

/// The walk over one server block: function and variable names around each call, for the rules
/// that name a token by where it is made.
pub struct ServerWalker<'s> {
    pub model: &'s Model,
    pub server: &'s ServerFile,
    pub ctx: &'s Context<'s>,
    scopes: Scopes,
    pub src: &'s str,
    pub base: usize,
    /// Names of the enclosing functions, innermost last.
    pub functions: Vec<String>,
    /// The variable or property being given a value, innermost last.
    pub targets: Vec<String>,
    /// Variables holding Next.js's cookie store (`const store = await cookies()`).
    pub next_stores: Vec<String>,
    /// Per enclosing function (the module first), its JWT decodes and whether it verifies.
    pub decode_frames: Vec<jwt_decode::Frame>,
    /// Decodes whose result is read only for `exp`, `iat` or `nbf`.
    pub time_only_decodes: Vec<oxc_span::Span>,
    pending: Option<String>,
    depth: usize,
    pub sink: &'s mut Sink,
}

impl<'s> ServerWalker<'s> {
    pub fn new(
        model: &'s Model,
        server: &'s ServerFile,
        ctx: &'s Context<'s>,
        src: &'s str,
        base: usize,
        sink: &'s mut Sink,
    ) -> Self {
        ServerWalker {
            model,
            server,
            ctx,
            scopes: Scopes::default(),
            src,
            base,
            functions: Vec::new(),
            targets: Vec::new(),
            next_stores: Vec::new(),
            decode_frames: Vec::new(),
            time_only_decodes: Vec::new(),
            pending: None,
            depth: 0,
            sink,
        }
    }

    pub fn env(&self) -> Env<'_> {
        Env {
            model: self.model,
            scopes: &self.scopes,
            src: self.src,
        }
    }

    pub fn head(&self, s: oxc_span::Span) -> crate::finding::Span {
        super::storage::head(self.src, s, self.base)
    }

    fn named_function(&mut self, own: Option<String>, f: impl FnOnce(&mut Self)) {
        let pending = self.pending.take();
        let name = own.or(pending);
        let pushed = name.is_some();
        if let Some(n) = name {
            self.functions.push(n);
        }
        let targets = std::mem::take(&mut self.targets);
        self.in_frame(f);
        self.targets = targets;
        if pushed {
            self.functions.pop();
        }
    }

    /// Runs `f` in a function's own decode frame, then judges that frame's decodes.
    fn in_frame(&mut self, f: impl FnOnce(&mut Self)) {
        self.decode_frames.push(jwt_decode::Frame::default());
        f(self);
        if let Some(frame) = self.decode_frames.pop() {
            jwt_decode::leave(self, frame);
        }
    }

    fn with_target(&mut self, name: Option<String>, f: impl FnOnce(&mut Self)) {
        let pushed = name.is_some();
        if let Some(n) = name {
            self.targets.push(n);
        }
        f(self);
        if pushed {
            self.targets.pop();
        }
    }
}

/// `cookies()` or `await cookies()` with `cookies` from `next/headers`.
pub fn is_next_cookies_call(e: &Expression, model: &Model) -> bool {
    let e = match e.get_inner_expression() {
        Expression::AwaitExpression(a) => a.argument.get_inner_expression(),
        other => other,
    };
    let Expression::CallExpression(c) = e else {
        return false;
    };
    path_of(&c.callee).is_some_and(|p| {
        model
            .import_of(&p)
            .is_some_and(|i| i.module == "next/headers" && i.name == "cookies")
    })
}

impl<'a> Visit<'a> for ServerWalker<'_> {
    fn visit_program(&mut self, it: &Program<'a>) {
        self.in_frame(|w| walk::walk_program(w, it));
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        jwt_decode::check_member(self, it);
        walk::walk_static_member_expression(self, it);
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        jwt_keys::check_logical(self, it);
        walk::walk_logical_expression(self, it);
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        deeper(self, |w| &mut w.depth, |w| walk::walk_expression(w, it));
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        deeper(self, |w| &mut w.depth, |w| walk::walk_statement(w, it));
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        authjs::check_declarator(self, it);
        jwt_decode::check_declarator(self, it);
        let name = it
            .id
            .get_binding_identifier()
            .map(|b| b.name.as_str().to_string());
        if let (Some(n), Some(init)) = (&name, &it.init) {
            if is_function(init) {
                self.pending = Some(n.clone());
            }
            if is_next_cookies_call(init, self.model) {
                self.next_stores.push(n.clone());
            }
        }
        self.with_target(name, |w| walk::walk_variable_declarator(w, it));
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        headers::check_property(self, it);
        bff::check_property(self, it);
        let key = it.key.static_name().map(|k| k.to_string());
        if let Some(k) = &key
            && is_function(&it.value)
        {
            self.pending = Some(k.clone());
        }
        self.with_target(key, |w| walk::walk_object_property(w, it));
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.pending = it.key.static_name().map(|k| k.to_string());
        walk::walk_method_definition(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let own = it.id.as_ref().map(|i| i.name.as_str().to_string());
        self.named_function(own, |w| walk::walk_function(w, it, flags));
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.named_function(None, |w| walk::walk_arrow_function_expression(w, it));
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        cookies::check_call(self, it);
        headers::check_call(self, it);
        sessions::check_call(self, it);
        jwt_ttl::check_call(self, it);
        jwt_keys::check_call(self, it);
        jwt_decode::check_call(self, it);
        jwt_facts::check_call(self, it);
        authjs::check_call(self, it);
        walk::walk_call_expression(self, it);
    }
}

/// The inline cases of the server rules (`crate::rule::cases`).
#[cfg(test)]
pub(super) fn cases() -> [&'static [crate::rule::cases::Cases]; 8] {
    [
        cookies::cases::CASES,
        headers::cases::CASES,
        jwt_ttl::cases::CASES,
        jwt_keys::cases::CASES,
        jwt_decode::cases::CASES,
        jwt_facts::cases::CASES,
        authjs::cases::CASES,
        sessions::cases::CASES,
    ]
}
