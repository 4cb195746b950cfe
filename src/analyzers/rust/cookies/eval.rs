//! Evaluates one function body in order: which expressions are cookies, the attributes set on
//! them (builder methods, `set_*` on bindings, in branches or under `#[cfg]`), who adds, removes
//! or returns them, and the cookies helpers of the file hand back.
use super::flow::{FileInfo, FnDef, Record, Style};
use super::model::{self as model, Adder, Attrs, Flag, SameSiteValue};
use super::raw_set_cookie;
use crate::finding::Span;
use std::collections::HashMap;
use syn::visit::Visit;

/// How deep expressions are walked.
const MAX_EXPR_DEPTH: usize = 200;

/// How deep helper calls are followed.
const MAX_HELPER_DEPTH: usize = 4;

pub struct FnAnalysis<'i, 'a> {
    pub(super) info: &'i FileInfo<'a>,
    pub recs: Vec<Record>,
    pub(super) scopes: Vec<HashMap<String, usize>>,
    pub(super) cond: usize,
    pub(super) closures: usize,
    pub(super) depth: usize,
    pub(super) expr_depth: usize,
    pub(super) params: Vec<String>,
}

/// Evaluating a function of the file, and the helpers it calls (the cookie they return).
impl<'a> FileInfo<'a> {
    pub fn analyze(&self, f: &FnDef<'a>, depth: usize) -> FnAnalysis<'_, 'a> {
        let mut a = FnAnalysis {
            info: self,
            recs: Vec::new(),
            scopes: vec![HashMap::new()],
            cond: 0,
            closures: 0,
            depth,
            expr_depth: 0,
            params: f.params.clone(),
        };
        if let Some(id) = a.block(f.body) {
            a.recs[id].returned = true;
        }
        if f.removal_context {
            for r in &mut a.recs {
                r.removal = true;
            }
        }
        a
    }

    /// The cookie a helper of this file returns, if it returns one.
    pub(super) fn returned_by(&self, name: &str, depth: usize) -> Option<Record> {
        if depth >= MAX_HELPER_DEPTH {
            return None;
        }
        if let Some(r) = self.memo.borrow().get(name) {
            return r.clone();
        }
        self.memo.borrow_mut().insert(name.to_string(), None);
        let f = self.fns.iter().find(|f| f.name == name)?;
        let a = self.analyze(f, depth + 1);
        let rec = a.recs.into_iter().find(|r| r.returned);
        self.memo.borrow_mut().insert(name.to_string(), rec.clone());
        rec
    }

    /// The attribute methods a helper of this file calls: a cookie handed to it may get them.
    pub(super) fn sets_attributes(&self, name: &str) -> bool {
        struct V(bool);
        impl<'ast> Visit<'ast> for V {
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                let n = m.method.to_string();
                self.0 |=
                    n.contains("secure") || n.contains("http_only") || n.contains("same_site");
                syn::visit::visit_expr_method_call(self, m);
            }
        }
        self.fns.iter().filter(|f| f.name == name).any(|f| {
            let mut v = V(false);
            v.visit_block(f.body);
            v.0
        })
    }
}

/// The direct sub-expressions of an expression (blocks included), for kinds not followed closely.
fn children(e: &syn::Expr) -> Vec<&syn::Expr> {
    struct V<'a>(Vec<&'a syn::Expr>);
    impl<'a> Visit<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a syn::Expr) {
            self.0.push(e);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut v = V(Vec::new());
    syn::visit::visit_expr(&mut v, e);
    v.0
}

fn has_cfg(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg"))
}

impl FnAnalysis<'_, '_> {
    fn span(&self, node: &(impl syn::spanned::Spanned + 'static)) -> Span {
        crate::analyzers::rust::index::RustFile::span_of(self.info.src, node)
    }

    fn text(&self, node: &(impl syn::spanned::Spanned + 'static)) -> String {
        crate::analyzers::rust::index::names::ends(self.info.src.snippet(self.span(node)))
            .replace(char::is_whitespace, "")
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    pub(super) fn block(&mut self, b: &syn::Block) -> Option<usize> {
        self.scopes.push(HashMap::new());
        let mut last = None;
        for (i, stmt) in b.stmts.iter().enumerate() {
            last = None;
            match stmt {
                syn::Stmt::Local(l) => {
                    let cfg = has_cfg(&l.attrs);
                    self.cond += usize::from(cfg);
                    let v = l.init.as_ref().and_then(|i| {
                        let v = self.expr(&i.expr);
                        if let Some((_, d)) = &i.diverge {
                            self.expr(d);
                        }
                        v
                    });
                    self.cond -= usize::from(cfg);
                    let ident = match &l.pat {
                        syn::Pat::Ident(p) => Some(&p.ident),
                        syn::Pat::Type(t) => match &*t.pat {
                            syn::Pat::Ident(p) => Some(&p.ident),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let (Some(id), Some(ident)) = (v, ident) {
                        if let Style::New { binding } = &mut self.recs[id].style {
                            binding.get_or_insert_with(|| ident.to_string());
                        }
                        if let Some(s) = self.scopes.last_mut() {
                            s.insert(ident.to_string(), id);
                        }
                    }
                }
                syn::Stmt::Expr(e, semi) => {
                    let v = self.expr(e);
                    if semi.is_none() && i + 1 == b.stmts.len() {
                        last = v;
                    }
                }
                syn::Stmt::Item(_) | syn::Stmt::Macro(_) => {}
            }
        }
        self.scopes.pop();
        last
    }

    fn create(
        &mut self,
        origin: Span,
        name: &syn::Expr,
        value: Option<&syn::Expr>,
        style: Style,
    ) -> usize {
        // `Cookie::build(name.to_owned(), v)`: still the caller's name.
        let name_param = match model::strip(name) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|i| self.params.iter().position(|x| i == x)),
            _ => None,
        };
        let value_param = value.and_then(|v| match model::strip(v) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|i| self.params.iter().position(|x| i == x)),
            _ => None,
        });
        let empty = value.is_some_and(|v| {
            matches!(model::strip(v), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value().is_empty())
        });
        // `("first_login", "true")`: a flag, not a credential.
        let flag_value = value.is_some_and(|v| match model::strip(v) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => model::is_flag_value(&s.value()),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(_) | syn::Lit::Int(_),
                ..
            }) => true,
            _ => false,
        });
        self.recs.push(Record {
            origin,
            name: model::name_of(name, &self.info.consts),
            value_auth: value.is_some_and(model::value_sounds_auth),
            name_param,
            value_param,
            attrs: Attrs::default(),
            removal: empty || flag_value || value.is_none(),
            style,
            labels: Vec::new(),
            adders: Vec::new(),
            returned: false,
            depth: self.cond,
        });
        self.recs.len() - 1
    }

    /// A `(name, value)` tuple or a pair of arguments.
    fn create_pair(&mut self, origin: Span, args: &[&syn::Expr], style: Style) -> Option<usize> {
        match args {
            [syn::Expr::Tuple(t)] if t.elems.len() == 2 => {
                Some(self.create(origin, &t.elems[0], Some(&t.elems[1]), style))
            }
            [name, value] => Some(self.create(origin, name, Some(value), style)),
            [name] => Some(self.create(origin, name, None, style)),
            _ => None,
        }
    }

    fn call(&mut self, c: &syn::ExprCall) -> Option<usize> {
        let tail = model::path_tail(&c.func, 2);
        let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
        let args: Vec<&syn::Expr> = c.args.iter().collect();
        let origin = self.span(c);
        let created = match tail.as_slice() {
            ["Cookie", "build"] | ["CookieBuilder", "new"] => {
                self.create_pair(origin, &args, Style::Builder { finish: None })
            }
            ["Cookie", "new" | "new_with_str"] | ["Cookie", "from"] => {
                self.create_pair(origin, &args, Style::New { binding: None })
            }
            ["Cookie", "parse" | "parse_encoded"] if args.len() == 1 => {
                let raw = raw_set_cookie::parse_expr(args[0], &self.info.consts)?;
                self.recs.push(Record {
                    origin,
                    name: raw.name,
                    value_auth: raw.value_sounds_auth,
                    name_param: None,
                    value_param: None,
                    attrs: raw.attrs,
                    removal: raw.removal,
                    style: Style::Parsed,
                    labels: Vec::new(),
                    adders: Vec::new(),
                    returned: false,
                    depth: self.cond,
                });
                Some(self.recs.len() - 1)
            }
            ["Cookie", "named"] => None,
            [.., "Some" | "Ok" | "Box" | "new" | "from"] if args.len() == 1 && tail.len() <= 2 => {
                return self.expr(args[0]);
            }
            _ => None,
        };
        if created.is_some() {
            return created;
        }
        let name = tail.last().copied().unwrap_or_default().to_string();
        let local = tail.len() == 1 || tail.first() == Some(&"Self");
        if local && let Some(rec) = self.info.returned_by(&name, self.depth) {
            return Some(self.derive(rec, &args, origin, &name));
        }
        self.hand_over(&args, local.then_some(name.as_str()));
        None
    }

    /// A fresh copy of the cookie a helper returns, with the caller's arguments as name/value.
    fn derive(&mut self, mut rec: Record, args: &[&syn::Expr], at: Span, helper: &str) -> usize {
        if let Some(a) = rec.name_param.and_then(|i| args.get(i)) {
            rec.name = model::name_of(a, &self.info.consts);
        }
        if let Some(a) = rec.value_param.and_then(|i| args.get(i)) {
            rec.value_auth = model::value_sounds_auth(a);
        }
        rec.name_param = None;
        rec.value_param = None;
        rec.returned = false;
        rec.adders.clear();
        rec.depth = self.cond;
        rec.labels
            .push((at, format!("returned by `{helper}` here")));
        self.recs.push(rec);
        self.recs.len() - 1
    }

    /// Arguments given to a function authlint does not follow: a cookie handed over `&mut`, or to a
    /// helper of this file that sets attributes, may get them there.
    fn hand_over(&mut self, args: &[&syn::Expr], local_fn: Option<&str>) {
        for a in args {
            let by_mut = matches!(a, syn::Expr::Reference(r) if r.mutability.is_some());
            if let Some(id) = self.expr(a)
                && (by_mut || local_fn.is_some_and(|f| self.info.sets_attributes(f)))
            {
                let attrs = &mut self.recs[id].attrs;
                for f in [&mut attrs.http_only.0, &mut attrs.secure.0] {
                    if *f == Flag::Absent {
                        *f = Flag::Configured;
                    }
                }
                if attrs.same_site.0 == SameSiteValue::Absent {
                    attrs.same_site.0 = SameSiteValue::Configured;
                }
            }
        }
    }

    fn method(&mut self, m: &syn::ExprMethodCall) -> Option<usize> {
        let name = m.method.to_string();
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let recv_is_self = matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if recv_is_self && let Some(rec) = self.info.returned_by(&name, self.depth) {
            let at = self.span(m);
            return Some(self.derive(rec, &args, at, &name));
        }
        if let Some(id) = self.expr(&m.receiver) {
            for a in &args {
                self.expr(a);
            }
            let at = Span::new(self.span(&m.method).start, self.span(m).end);
            self.apply(id, &name, &args, at);
            return Some(id);
        }
        let receiver = self.text(&m.receiver).to_ascii_lowercase();
        let jar_like = receiver.contains("jar") || receiver.contains("cookies");
        // `TestRequest::default().cookie(..)`, `client.get(url).cookie(..)`: a cookie sent, not set.
        let on_request = receiver.contains("testrequest")
            || receiver.contains("client")
            || receiver.starts_with("req")
            || (receiver.contains("request") && !receiver.contains("response"));
        let at = self.span(&m.method);
        match name.as_str() {
            "cookie" | "add_cookie" if on_request => {
                for a in &args {
                    if let Some(id) = self.expr(a) {
                        self.recs[id].removal = true;
                    }
                }
            }
            "add" | "add_private" | "cookie" | "add_cookie" | "set_cookie" => {
                let id = match args.as_slice() {
                    [syn::Expr::Tuple(t)]
                        if t.elems.len() == 2 && (jar_like || name == "add_private") =>
                    {
                        let origin = self.span(t);
                        self.create_pair(origin, &args, Style::Tuple)
                    }
                    [a] => self.expr(a),
                    _ => {
                        self.hand_over(&args, None);
                        None
                    }
                };
                if let Some(id) = id {
                    let adder = match name.as_str() {
                        "add_private" => Adder::RocketPrivate,
                        "add" if self.info.rocket_add_defaults && jar_like => Adder::RocketAdd,
                        _ => Adder::Plain,
                    };
                    self.recs[id].adders.push(adder);
                    self.recs[id]
                        .labels
                        .push((at, "added to the response here".into()));
                }
            }
            // `add_original` fills a jar with what the request carried: a read, not a write.
            "remove"
            | "remove_private"
            | "force_remove"
            | "remove_cookie"
            | "del_cookie"
            | "add_removal_cookie"
            | "add_original"
            | "add_original_private" => {
                for a in &args {
                    if let Some(id) = self.expr(a) {
                        self.recs[id].removal = true;
                    }
                }
            }
            _ => self.hand_over(&args, None),
        }
        None
    }

    /// An attribute method called on a cookie (builder method or `set_*` on a binding).
    fn apply(&mut self, id: usize, method: &str, args: &[&syn::Expr], at: Span) {
        let conditional = self.cond > self.recs[id].depth;
        let arg_text = args.first().map(|a| self.text(*a)).unwrap_or_default();
        let rec = &mut self.recs[id];
        let set_flag = |slot: &mut (Flag, Option<Span>), v: Flag| {
            if !conditional {
                *slot = (v, Some(at));
            } else if slot.0 != Flag::On && matches!(v, Flag::On | Flag::Configured) {
                *slot = (Flag::Configured, Some(at));
            }
        };
        match (method.strip_prefix("set_").unwrap_or(method), args) {
            ("http_only", [a]) => set_flag(&mut rec.attrs.http_only, model::flag_of(a)),
            ("secure", [a]) => set_flag(&mut rec.attrs.secure, model::flag_of(a)),
            ("partitioned", [a]) => rec.attrs.partitioned = model::flag_of(a),
            ("same_site", [a]) => {
                let v = model::same_site_of(a);
                if !conditional {
                    rec.attrs.same_site = (v, Some(at));
                } else if v != SameSiteValue::None && v != SameSiteValue::Absent {
                    rec.attrs.same_site = (SameSiteValue::Configured, Some(at));
                }
            }
            ("make_removal", _) => rec.removal = true,
            ("max_age", [_]) => {
                rec.removal |= arg_text.contains("ZERO")
                    || arg_text.ends_with("(0)")
                    || arg_text.ends_with("(0,0)")
                    || arg_text.contains("(-")
            }
            ("expires", [_]) => {
                rec.removal |= arg_text.contains("UNIX_EPOCH")
                    || (arg_text.contains("now") && arg_text.contains('-'))
            }
            ("finish", []) => {
                rec.style = Style::Builder {
                    finish: Some("finish"),
                }
            }
            ("build", []) => {
                rec.style = Style::Builder {
                    finish: Some("build"),
                }
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &syn::Expr) -> Option<usize> {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            return None;
        }
        self.expr_depth += 1;
        let v = self.expr_inner(e);
        self.expr_depth -= 1;
        v
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> Option<usize> {
        match e {
            syn::Expr::Call(c) => self.call(c),
            syn::Expr::MethodCall(m) => self.method(m),
            syn::Expr::Path(p) => p.path.get_ident().and_then(|i| self.lookup(&i.to_string())),
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Reference(r) => self.expr(&r.expr),
            syn::Expr::Try(t) => self.expr(&t.expr),
            syn::Expr::Await(a) => self.expr(&a.base),
            syn::Expr::Block(b) => self.block(&b.block),
            syn::Expr::Unsafe(b) => self.block(&b.block),
            syn::Expr::Async(b) => {
                self.closures += 1;
                self.block(&b.block);
                self.closures -= 1;
                None
            }
            syn::Expr::Closure(c) => {
                self.closures += 1;
                self.expr(&c.body);
                self.closures -= 1;
                None
            }
            syn::Expr::Return(r) => {
                let v = r.expr.as_ref().and_then(|x| self.expr(x));
                if let Some(id) = v
                    && self.closures == 0
                {
                    self.recs[id].returned = true;
                }
                None
            }
            syn::Expr::Assign(a) => {
                let v = self.expr(&a.right);
                if let (Some(id), syn::Expr::Path(p)) = (v, &*a.left)
                    && let Some(i) = p.path.get_ident()
                {
                    let name = i.to_string();
                    let at = self
                        .scopes
                        .iter()
                        .rposition(|s| s.contains_key(&name))
                        .unwrap_or(self.scopes.len().saturating_sub(1));
                    if let Some(s) = self.scopes.get_mut(at) {
                        s.insert(name, id);
                    }
                }
                None
            }
            syn::Expr::If(i) => {
                self.expr(&i.cond);
                self.cond += 1;
                let a = self.block(&i.then_branch);
                let b = i.else_branch.as_ref().and_then(|(_, e)| self.expr(e));
                self.cond -= 1;
                a.or(b)
            }
            syn::Expr::Match(m) => {
                self.expr(&m.expr);
                self.cond += 1;
                let mut out = None;
                for arm in &m.arms {
                    let v = self.expr(&arm.body);
                    out = out.or(v);
                }
                self.cond -= 1;
                out
            }
            syn::Expr::ForLoop(f) => {
                self.expr(&f.expr);
                self.cond += 1;
                self.block(&f.body);
                self.cond -= 1;
                None
            }
            syn::Expr::While(w) => {
                self.expr(&w.cond);
                self.cond += 1;
                self.block(&w.body);
                self.cond -= 1;
                None
            }
            syn::Expr::Loop(l) => {
                self.cond += 1;
                self.block(&l.body);
                self.cond -= 1;
                None
            }
            syn::Expr::Macro(_) | syn::Expr::Lit(_) => None,
            _ => {
                for c in children(e) {
                    self.expr(c);
                }
                None
            }
        }
    }
}
