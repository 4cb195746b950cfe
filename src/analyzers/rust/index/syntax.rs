//! Syntax helpers shared by the token rules: what a file defines (consts, statics, functions,
//! structs), the `let` bindings of a function, literals behind conversions, and the code inside
//! macros that `syn` leaves as tokens.
use proc_macro2::{LineColumn, TokenStream, TokenTree};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use syn::visit::Visit;
use syn::{Expr, Lit};

/// What one file defines, by name.
#[derive(Default)]
pub struct FileIndex<'a> {
    pub consts: HashMap<String, &'a Expr>,
    /// `lazy_static! { static ref NAME: T = expr; }`: the macro's statics, parsed from its body.
    pub lazy_statics: HashMap<String, Expr>,
    /// What struct literals outside tests write into each field (`validity: env.i64(..)
    /// .unwrap_or(DEFAULT)`, `ttl: Duration::hours(24)` in `impl Default`), by field name.
    pub field_inits: HashMap<String, Vec<FieldInit<'a>>>,
    /// `#[serde(default = "default_ttl")]`: the struct and the function that give a field its
    /// default, by field name (sorted by struct).
    pub serde_defaults: HashMap<String, Vec<(String, String)>>,
    pub fns: HashMap<String, FnItem<'a>>,
    /// Every function of the file, nested ones included, in source order.
    pub all_fns: Vec<FnItem<'a>>,
    pub structs: HashMap<String, &'a syn::ItemStruct>,
    /// Types with a hand-written `impl Serialize`: their fields are not what is serialised.
    pub custom_serialize: Vec<String>,
    /// The `let` bindings of each of `all_fns`, collected on first use (see [`FileIndex::lets`]).
    lets: Vec<OnceCell<Lets<'a>>>,
    /// Where each function of `all_fns` is, by the address of its body.
    fn_at: HashMap<*const syn::Block, usize>,
    /// Where each function of `all_fns` is, by the address of its signature.
    sig_at: HashMap<*const syn::Signature, usize>,
}

/// A value a struct literal writes into a field, and the struct (`Self` read as the type of
/// its `impl`), when it is named.
pub struct FieldInit<'a> {
    pub ty: Option<String>,
    pub expr: &'a Expr,
}

/// One function or method, with where it lives.
#[derive(Clone, Copy)]
pub struct FnItem<'a> {
    pub name: &'a syn::Ident,
    pub self_ty: Option<&'a syn::Type>,
    pub sig: &'a syn::Signature,
    pub block: &'a syn::Block,
}

impl<'a> FnItem<'a> {
    pub fn self_name(&self) -> Option<String> {
        match self.self_ty? {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
    }
}

impl<'a> FileIndex<'a> {
    pub fn build(file: &'a syn::File) -> Self {
        let mut v = IndexVisitor {
            idx: FileIndex::default(),
            self_ty: Vec::new(),
            fns: Vec::new(),
        };
        v.visit_file(file);
        let mut idx = v.idx;
        let mut inits = FieldInits::default();
        for f in &v.fns {
            inits.self_ty = f.self_name();
            inits.visit_block(f.block);
        }
        idx.field_inits = inits.inits;
        for (ty, st) in &idx.structs {
            for field in &st.fields {
                if let Some(name) = &field.ident
                    && let Some(f) = serde_default_fn(&field.attrs)
                {
                    let e = idx.serde_defaults.entry(name.to_string()).or_default();
                    e.push((ty.clone(), f));
                    e.sort_unstable();
                }
            }
        }
        for f in &v.fns {
            idx.fns.entry(f.name.to_string()).or_insert(*f);
        }
        idx.lets = v.fns.iter().map(|_| OnceCell::new()).collect();
        for (i, f) in v.fns.iter().enumerate() {
            idx.fn_at.insert(f.block as *const _, i);
            idx.sig_at.insert(f.sig as *const _, i);
        }
        idx.all_fns = v.fns;
        idx
    }

    /// The type of the `impl` the function with this signature belongs to (`JwtService` for
    /// `impl JwtService { fn sign(&self) }`), when it is a function of this file.
    pub fn self_type(&self, sig: &syn::Signature) -> Option<String> {
        self.all_fns[*self.sig_at.get(&(sig as *const _))?].self_name()
    }

    /// The `let` bindings of `block`: read once per function of this file and kept for every
    /// rule that asks again; any other block (a closure, a macro body parsed on the way) is read
    /// now.
    pub fn lets(&self, block: &'a syn::Block) -> Cow<'_, Lets<'a>> {
        match self.fn_at.get(&(block as *const _)) {
            Some(&i) => Cow::Borrowed(self.lets[i].get_or_init(|| Lets::collect(block))),
            None => Cow::Owned(Lets::collect(block)),
        }
    }

    /// Every function of the file with its `let` bindings, in source order.
    pub fn fns_with_lets(&self) -> impl Iterator<Item = (FnItem<'a>, &Lets<'a>)> {
        self.all_fns
            .iter()
            .zip(&self.lets)
            .map(|(f, l)| (*f, l.get_or_init(|| Lets::collect(f.block))))
    }
}

struct IndexVisitor<'a> {
    idx: FileIndex<'a>,
    self_ty: Vec<&'a syn::Type>,
    /// Every function: test code is no longer in the tree unless `include_tests` asks for it
    /// (see `test_code`).
    fns: Vec<FnItem<'a>>,
}

impl<'a> Visit<'a> for IndexVisitor<'a> {
    fn visit_item_const(&mut self, i: &'a syn::ItemConst) {
        self.idx.consts.insert(i.ident.to_string(), &i.expr);
        syn::visit::visit_item_const(self, i);
    }
    fn visit_item_static(&mut self, i: &'a syn::ItemStatic) {
        self.idx.consts.insert(i.ident.to_string(), &i.expr);
        syn::visit::visit_item_static(self, i);
    }
    fn visit_impl_item_const(&mut self, i: &'a syn::ImplItemConst) {
        self.idx.consts.insert(i.ident.to_string(), &i.expr);
        syn::visit::visit_impl_item_const(self, i);
    }
    fn visit_item_macro(&mut self, i: &'a syn::ItemMacro) {
        if macro_name(&i.mac) == "lazy_static" {
            for (name, expr) in lazy_static_items(&i.mac) {
                self.idx.lazy_statics.insert(name, expr);
            }
        }
        syn::visit::visit_item_macro(self, i);
    }
    fn visit_item_struct(&mut self, i: &'a syn::ItemStruct) {
        self.idx.structs.insert(i.ident.to_string(), i);
        syn::visit::visit_item_struct(self, i);
    }
    fn visit_item_fn(&mut self, i: &'a syn::ItemFn) {
        let f = FnItem {
            name: &i.sig.ident,
            self_ty: None,
            sig: &i.sig,
            block: &i.block,
        };
        self.fns.push(f);
        syn::visit::visit_item_fn(self, i);
    }
    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        if let Some((_, path, _)) = &i.trait_
            && path.segments.last().is_some_and(|s| s.ident == "Serialize")
            && let syn::Type::Path(p) = &*i.self_ty
            && let Some(s) = p.path.segments.last()
        {
            self.idx.custom_serialize.push(s.ident.to_string());
        }
        self.self_ty.push(&i.self_ty);
        syn::visit::visit_item_impl(self, i);
        self.self_ty.pop();
    }
    fn visit_impl_item_fn(&mut self, i: &'a syn::ImplItemFn) {
        let f = FnItem {
            name: &i.sig.ident,
            self_ty: self.self_ty.last().copied(),
            sig: &i.sig,
            block: &i.block,
        };
        self.fns.push(f);
        syn::visit::visit_impl_item_fn(self, i);
    }
    fn visit_trait_item_fn(&mut self, i: &'a syn::TraitItemFn) {
        if let Some(block) = &i.default {
            let f = FnItem {
                name: &i.sig.ident,
                self_ty: None,
                sig: &i.sig,
                block,
            };
            self.fns.push(f);
        }
        syn::visit::visit_trait_item_fn(self, i);
    }
}

/// The `let` bindings of one function body (closures included, nested fns not), by name.
#[derive(Default, Clone)]
pub struct Lets<'a> {
    map: HashMap<String, Vec<(LineColumn, &'a Expr)>>,
}

impl<'a> Lets<'a> {
    pub fn collect(block: &'a syn::Block) -> Self {
        let mut l = Lets::default();
        l.visit_block(block);
        l
    }

    /// The last binding of `name` that starts before `at`.
    pub fn get(&self, name: &str, at: LineColumn) -> Option<&'a Expr> {
        self.map
            .get(name)?
            .iter()
            .rev()
            .find(|(pos, _)| *pos < at)
            .map(|(_, e)| *e)
    }
}

impl<'a> Visit<'a> for Lets<'a> {
    fn visit_local(&mut self, l: &'a syn::Local) {
        if let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) {
            let pos = syn::spanned::Spanned::span(&l.pat).start();
            self.map.entry(name).or_default().push((pos, &init.expr));
        }
        syn::visit::visit_local(self, l);
    }
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

/// The name a pattern binds when it binds exactly one (`x`, `mut x`, `x: T`).
pub fn pat_name(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_name(&t.pat),
        _ => None,
    }
}

/// Strips parentheses, invisible groups and `&`.
pub fn peel(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Reference(r) => &r.expr,
            _ => return e,
        }
    }
}

/// The identifiers of a path, in order (`a::b::C` → `a`, `b`, `C`).
pub fn idents(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// The segments of a path expression or of a call's function (`make()()` names `make`, through
/// at most a few calls: following `f()()()…` to its root for every call was quadratic).
pub fn path_segments(e: &Expr) -> Vec<String> {
    let mut e = peel(e);
    for _ in 0..4 {
        match e {
            Expr::Path(p) => return idents(&p.path),
            Expr::Call(c) => e = peel(&c.func),
            _ => break,
        }
    }
    Vec::new()
}

/// Whether a name is written like a const or static (`JWT_TTL`, `SECRET_KEY2`).
pub fn const_like(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The single identifier an expression names (`x`, `&x`, `x.clone()`).
pub fn ident_of(e: &Expr) -> Option<String> {
    match peel(e) {
        Expr::Path(p) if p.path.segments.len() == 1 && p.qself.is_none() => {
            Some(p.path.segments[0].ident.to_string())
        }
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "clone" | "as_str" | "as_ref" | "as_bytes" | "to_string" | "to_owned"
            ) =>
        {
            ident_of(&m.receiver)
        }
        _ => None,
    }
}

/// A string or byte-string literal, also behind `.as_bytes()`, `.to_string()`, `.into()`,
/// `String::from(..)`: its text and the literal itself.
pub fn str_lit(e: &Expr) -> Option<(String, &syn::Lit)> {
    match peel(e) {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some((s.value(), &l.lit)),
            Lit::ByteStr(b) => Some((String::from_utf8_lossy(&b.value()).into_owned(), &l.lit)),
            _ => None,
        },
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "as_bytes"
                        | "as_ref"
                        | "to_string"
                        | "to_owned"
                        | "into"
                        | "as_str"
                        | "into_bytes"
                        | "to_vec"
                        | "as_slice"
                ) =>
        {
            str_lit(&m.receiver)
        }
        Expr::Call(c)
            if c.args.len() == 1
                && path_segments(&c.func)
                    .last()
                    .is_some_and(|s| s == "from" || s == "new") =>
        {
            str_lit(&c.args[0])
        }
        _ => None,
    }
}

/// The brace-delimited parts of a macro's tokens that parse as blocks (closure bodies in
/// `view!`/`html!`, `async move { .. }` in `spawn_local!`): the code `syn` leaves unparsed.
pub fn macro_blocks(tokens: &TokenStream) -> Vec<syn::Block> {
    let mut out = Vec::new();
    collect_blocks(tokens.clone(), &mut out, 0);
    out
}

fn collect_blocks(tokens: TokenStream, out: &mut Vec<syn::Block>, depth: usize) {
    if depth > 16 {
        return;
    }
    for tt in tokens {
        if let TokenTree::Group(g) = tt {
            if g.delimiter() == proc_macro2::Delimiter::Brace
                && let Ok(b) = syn::parse2::<syn::Block>(TokenTree::Group(g.clone()).into())
            {
                out.push(b);
                continue;
            }
            collect_blocks(g.stream(), out, depth + 1);
        }
    }
}

/// The arguments of a function-like macro whose arguments are Rust expressions separated by
/// commas (`format!`, `vec!`, `println!`).
pub fn macro_args(mac: &syn::Macro) -> Vec<Expr> {
    use syn::punctuated::Punctuated;
    mac.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

/// The entries of a `json!({ "key": value, .. })` object: key text, key token span, value.
pub fn json_entries(mac: &syn::Macro) -> Vec<(String, proc_macro2::Span, Expr)> {
    let mut out = Vec::new();
    let mut tokens = mac.tokens.clone().into_iter();
    let Some(TokenTree::Group(obj)) = tokens.next() else {
        return out;
    };
    if obj.delimiter() != proc_macro2::Delimiter::Brace {
        return out;
    }
    let mut entry: Vec<TokenTree> = Vec::new();
    let flush = |entry: &mut Vec<TokenTree>, out: &mut Vec<_>| {
        let items = std::mem::take(entry);
        let (Some(TokenTree::Literal(key)), Some(TokenTree::Punct(colon))) =
            (items.first(), items.get(1))
        else {
            return;
        };
        if colon.as_char() != ':' {
            return;
        }
        let Ok(Lit::Str(k)) = syn::parse2::<Lit>(TokenTree::Literal(key.clone()).into()) else {
            return;
        };
        let value: TokenStream = items[2..].iter().cloned().collect();
        if let Ok(e) = syn::parse2::<Expr>(value) {
            out.push((k.value(), key.span(), e));
        }
    };
    for tt in obj.stream() {
        if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
            flush(&mut entry, &mut out);
        } else {
            entry.push(tt);
        }
    }
    flush(&mut entry, &mut out);
    out
}

/// The last segment of a macro's path (`json`, `format`).
pub fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_entries_are_parsed_from_tokens() {
        let e: syn::ExprMacro =
            syn::parse_str(r#"json!({"sub": id, "exp": now + 3600, "n": [1, 2], "o": {"a": 1}})"#)
                .unwrap();
        let keys: Vec<_> = json_entries(&e.mac)
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        // nested objects are not Rust expressions: skipped
        assert_eq!(keys, ["sub", "exp", "n"]);
    }

    #[test]
    fn literals_behind_conversions() {
        let e: Expr = syn::parse_str(r#"String::from("abc").as_bytes()"#).unwrap();
        assert_eq!(str_lit(&e).map(|x| x.0), Some("abc".into()));
        let e: Expr = syn::parse_str(r#"&b"xyz""#).unwrap();
        assert_eq!(str_lit(&e).map(|x| x.0), Some("xyz".into()));
    }

    #[test]
    fn blocks_inside_view_macros() {
        let e: syn::ExprMacro = syn::parse_str(
            r#"view! { <button on:click=move |_| { LocalStorage::set("jwt", t).ok(); }>"x"</button> }"#,
        )
        .unwrap();
        assert_eq!(macro_blocks(&e.mac.tokens).len(), 1);
    }
}

/// The statics of a `lazy_static!` body (`[pub] static ref NAME: T = expr;`, attributes
/// allowed), by name; nothing when the body does not parse.
pub fn lazy_static_items(mac: &syn::Macro) -> Vec<(String, Expr)> {
    use syn::parse::{ParseStream, Parser};
    let parser = |input: ParseStream| {
        let mut out = Vec::new();
        while !input.is_empty() {
            syn::Attribute::parse_outer(input)?;
            input.parse::<syn::Visibility>()?;
            input.parse::<syn::Token![static]>()?;
            input.parse::<syn::Token![ref]>()?;
            let name: syn::Ident = input.parse()?;
            input.parse::<syn::Token![:]>()?;
            input.parse::<syn::Type>()?;
            input.parse::<syn::Token![=]>()?;
            let expr: Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            out.push((name.to_string(), expr));
        }
        Ok(out)
    };
    parser.parse2(mac.tokens.clone()).unwrap_or_default()
}

/// Struct literal fields, by name, in the bodies walked (nested items left out).
#[derive(Default)]
struct FieldInits<'a> {
    inits: HashMap<String, Vec<FieldInit<'a>>>,
    /// The type of the `impl` being read: what `Self { .. }` names.
    self_ty: Option<String>,
}

impl<'a> Visit<'a> for FieldInits<'a> {
    fn visit_item(&mut self, _: &'a syn::Item) {}
    fn visit_expr_struct(&mut self, s: &'a syn::ExprStruct) {
        let ty = s.path.segments.last().map(|l| l.ident.to_string());
        let ty = match ty.as_deref() {
            Some("Self") => self.self_ty.clone(),
            _ => ty,
        };
        for fv in &s.fields {
            if let syn::Member::Named(i) = &fv.member {
                let init = FieldInit {
                    ty: ty.clone(),
                    expr: &fv.expr,
                };
                self.inits.entry(i.to_string()).or_default().push(init);
            }
        }
        syn::visit::visit_expr_struct(self, s);
    }
}

/// `#[serde(default = "name")]` on a field: the function's name.
fn serde_default_fn(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("default")
                && let Ok(v) = m.value()
            {
                let lit: syn::LitStr = v.parse()?;
                found = Some(lit.value());
            } else if m.input.peek(syn::Token![=]) {
                let _: Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}
