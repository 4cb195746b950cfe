//! What a Rust file gives the project index (`crate::design::values`), recorded during the one
//! parse: its `use` declarations, the consts and statics whose value is known, and the uses of
//! consts it does not define (an expiry computed from `config::JWT_TTL`, a key constructor given
//! `crate::config::SECRET_KEY`). The index resolves those paths across modules and files.
use super::duration_eval::{Env, Val, eval, field_default};
use super::syntax::{FileIndex, Lets, lazy_static_items, macro_name, str_lit};
use crate::analyzers::Sink;
use crate::analyzers::rust::index::RustFile;
use crate::facts::{FactKind, ItemValue};
use syn::Expr;

/// At most this many `use` names and items are recorded per file (hostile input: a file of a
/// million `use` lines gives the index a bounded share).
const MAX_PER_FILE: usize = 512;

/// How many inline modules deep items are indexed (`mod config { pub const .. }`), in a full
/// parse and in the index-only pass alike.
pub(super) const MAX_MOD_DEPTH: usize = 4;

/// Words of a const's name that make it worth indexing: durations and keys.
pub(super) const ITEM_WORDS: &[&str] = &[
    "ttl", "exp", "expir", "valid", "lifetime", "duration", "age", "timeout", "sec", "minute",
    "hour", "day", "week", "token", "jwt", "session", "key", "secret", "salt", "hmac", "sign",
    "pass",
];

/// Records the file's uses and known items. `wants_uses`: the file uses values of other
/// modules, so all its `use` names are needed; otherwise only re-exports (`pub use`) are kept.
pub fn collect(rf: &RustFile, sink: &mut Sink, wants_uses: bool) {
    let index = FileIndex::default();
    let lets = Lets::default();
    let env = Env::new(&index, &lets, None);
    let mut out = Out {
        rf,
        sink,
        env: &env,
        count: 0,
        wants_uses,
    };
    out.items(&mut rf.ast.items.iter(), "", 0);
    let text = &rf.src.text;
    if ["Default", "default", "DEFAULT", "Duration"]
        .iter()
        .any(|w| text.contains(w))
    {
        out.field_defaults();
    }
    if rf.src.text.contains(".insert(\"") {
        syn::visit::Visit::visit_file(&mut Settings(&mut out), rf.ast);
    }
}

/// Entries of a settings map written in the code (`m.insert("JWT_EXPIRATION", "10000000000")`),
/// recorded as items named by their key in quotes (`"JWT_EXPIRATION"`), which is how the
/// evaluator names a read of that key (`get_value("JWT_EXPIRATION")`).
struct Settings<'o, 'r, 's, 'a, 'b>(&'o mut Out<'r, 's, 'a, 'b>);

impl<'ast> syn::visit::Visit<'ast> for Settings<'_, '_, '_, '_, '_> {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.method == "insert"
            && let [key, value] = [m.args.first(), m.args.get(1)]
            && let (Some(key), Some(value)) = (key, value)
            && let Some((key, _)) = str_lit(key)
            && super::syntax::const_like(&key)
            && worth_indexing(&key)
            && let Some(n) = setting_number(value)
        {
            self.0.push(
                FactKind::ValueItem {
                    module: String::new(),
                    name: format!("{key:?}"),
                    value: ItemValue::Num(n),
                },
                value,
            );
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// A setting's value when it is a number: `10000000000`, `"10000000000"`, `"3600".to_string()`.
fn setting_number(e: &Expr) -> Option<i64> {
    if let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(i),
        ..
    }) = e
    {
        return i.base10_parse().ok();
    }
    let (text, _) = str_lit(e)?;
    let text = text.trim();
    (!text.is_empty() && text.len() < 16 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Whether a const's name makes it worth indexing: it holds one of [`ITEM_WORDS`], in any case
/// and anywhere (`ACCESSTOKENTTL`, `accessTokenTtl`, `JWT_EXP`). The one name test of both the
/// full index and the index-only pass (`items_only`).
pub(super) fn worth_indexing(name: &str) -> bool {
    ITEM_WORDS.iter().any(|w| {
        name.as_bytes()
            .windows(w.len())
            .any(|part| part.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// Whether an integer a const holds looks like a Unix time, in seconds (from 2001 on) or in
/// milliseconds: a fixed expiry date whatever the const is named (`FAR_FUTURE`). The one value
/// test of both the full index and the index-only pass.
pub(super) fn timestamp_like(n: u64) -> bool {
    (1_000_000_000..1_000_000_000_000_000).contains(&n)
}

/// An integer literal that looks like a Unix time (`2_000_000_000`, `2000000000i64`).
fn timestamp_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<u64>().is_ok_and(timestamp_like),
        _ => false,
    }
}

struct Out<'r, 's, 'a, 'b> {
    rf: &'r RustFile<'a>,
    sink: &'s mut Sink,
    env: &'r Env<'a, 'b>,
    count: usize,
    wants_uses: bool,
}

impl Out<'_, '_, '_, '_> {
    fn push(&mut self, kind: FactKind, node: &(impl syn::spanned::Spanned + 'static)) {
        if self.count < MAX_PER_FILE {
            self.count += 1;
            let span = self.rf.span(node);
            self.sink.fact(kind, span, None);
        }
    }

    fn items(&mut self, items: &mut dyn Iterator<Item = &syn::Item>, module: &str, depth: usize) {
        for item in items {
            match item {
                syn::Item::Use(u)
                    if self.wants_uses || matches!(u.vis, syn::Visibility::Public(_)) =>
                {
                    let mut names = Vec::new();
                    use_names(&u.tree, String::new(), &mut names);
                    for (local, target) in names {
                        self.push(
                            FactKind::RustUse {
                                module: module.to_string(),
                                local,
                                target,
                            },
                            u,
                        );
                    }
                }
                // `use` inside a function body (`fn login() { use crate::api::set_cookie; .. }`):
                // counted as the module's, which is what a lookup from that body needs.
                syn::Item::Fn(f) if self.wants_uses => {
                    let mut inner = f.block.stmts.iter().filter_map(|s| match s {
                        syn::Stmt::Item(i @ syn::Item::Use(_)) => Some(i),
                        _ => None,
                    });
                    self.items(&mut inner, module, depth + 1);
                }
                syn::Item::Const(c) => self.item(module, &c.ident.to_string(), &c.expr),
                syn::Item::Static(s) => self.item(module, &s.ident.to_string(), &s.expr),
                syn::Item::Macro(m) if macro_name(&m.mac) == "lazy_static" => {
                    for (name, e) in lazy_static_items(&m.mac) {
                        self.item(module, &name, &e);
                    }
                }
                // Inline modules, a few levels deep (`mod config { pub const .. }`).
                syn::Item::Mod(m) if depth < MAX_MOD_DEPTH => {
                    if let Some((_, inner)) = &m.content {
                        let name = if module.is_empty() {
                            m.ident.to_string()
                        } else {
                            format!("{module}::{}", m.ident)
                        };
                        self.items(&mut inner.iter(), &name, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// Config fields this file gives a value (a struct literal, `impl Default`, a
    /// `#[serde(default = "..")]` function), recorded as `Struct.field` with the longest value
    /// where it is written, for a lifetime read from the field in another file (`now +
    /// self.cfg.validity`): the struct keeps two configs' `ttl` apart.
    fn field_defaults(&mut self) {
        let index = self.rf.index();
        let inits = index.field_inits.iter().flat_map(|(name, inits)| {
            inits
                .iter()
                .filter_map(move |i| Some((i.ty.as_deref()?, name.as_str())))
        });
        let serde = index.serde_defaults.iter();
        let serde =
            serde.flat_map(|(name, v)| v.iter().map(move |(t, _)| (t.as_str(), name.as_str())));
        let mut fields: Vec<(&str, &str)> = inits
            .chain(serde)
            .filter(|(_, name)| worth_indexing(name))
            .collect();
        fields.sort_unstable();
        fields.dedup();
        let lets = Lets::default();
        for (ty, name) in fields {
            let env = Env::new(index, &lets, None);
            let value = match field_default(name, Some(ty), &env, 0) {
                Some(Val::Num(n)) if n.is_finite() && n.abs() < 1e15 => ItemValue::Num(n as i64),
                Some(Val::Dur(d)) if d.is_finite() && d.abs() < 1e15 => ItemValue::Dur(d as i64),
                _ => continue,
            };
            let Some(at) = env.origin.get() else {
                continue;
            };
            if self.count < MAX_PER_FILE {
                self.count += 1;
                let span = RustFile::span_in(self.rf.src, at);
                let kind = FactKind::ValueItem {
                    module: String::new(),
                    name: format!("{ty}.{name}"),
                    value,
                };
                self.sink.fact(kind, span, None);
            }
        }
    }

    fn item(&mut self, module: &str, name: &str, e: &Expr) {
        if !worth_indexing(name) && !timestamp_literal(e) {
            return;
        }
        let value = if let Some((text, _)) = str_lit(e) {
            if text.is_empty() || text.len() > 512 {
                return;
            }
            ItemValue::Text(text)
        } else {
            self.env.steps.set(0);
            match eval(e, self.env) {
                Some(Val::Num(n)) if n.is_finite() && n.abs() < 1e15 => ItemValue::Num(n as i64),
                Some(Val::Dur(d)) if d.is_finite() && d.abs() < 1e15 => ItemValue::Dur(d as i64),
                _ => return,
            }
        };
        self.push(
            FactKind::ValueItem {
                module: module.to_string(),
                name: name.to_string(),
                value,
            },
            e,
        );
    }
}

/// The names a `use` tree binds, with the path each stands for (`use a::{b, c as d, e::*}` gives
/// `b → a::b`, `d → a::c`, `* → a::e`).
fn use_names(tree: &syn::UseTree, prefix: String, out: &mut Vec<(String, String)>) {
    if out.len() >= MAX_PER_FILE {
        return;
    }
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else {
            format!("{p}::{s}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, join(&prefix, &p.ident.to_string()), out),
        syn::UseTree::Name(n) if n.ident == "self" => {
            if let Some(last) = prefix.rsplit("::").next() {
                out.push((last.to_string(), prefix.clone()));
            }
        }
        syn::UseTree::Name(n) => {
            out.push((n.ident.to_string(), join(&prefix, &n.ident.to_string())))
        }
        syn::UseTree::Rename(r) => {
            out.push((r.rename.to_string(), join(&prefix, &r.ident.to_string())));
        }
        syn::UseTree::Glob(_) => out.push(("*".to_string(), prefix)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_names(t, prefix.clone(), out);
            }
        }
    }
}
