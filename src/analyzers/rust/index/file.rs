//! A parsed Rust file, shared by every rule: its source, its tree, byte spans of `syn` nodes, what
//! it defines (its [`FileIndex`], built once for every rule that asks), and what its `use` items
//! say about `SameSite` (read once for all its cookie fixes).
use super::syntax::FileIndex;
use crate::finding::Span;
use crate::source::SourceFile;

/// A parsed Rust file with the helpers rules share.
pub struct RustFile<'a> {
    pub src: &'a SourceFile,
    /// The tree, owned by the analyzer's `check` so that the index can borrow from it.
    pub ast: &'a syn::File,
    /// What the file defines, and each function's `let` bindings: built on first use.
    index: std::cell::OnceCell<FileIndex<'a>>,
    /// What the file's `use` items say about `SameSite`, read once for all its cookie fixes
    /// (see `cookies::fix`).
    same_site: std::cell::OnceCell<SameSiteScope>,
}

impl<'a> RustFile<'a> {
    pub fn new(src: &'a SourceFile, ast: &'a syn::File) -> Self {
        RustFile {
            src,
            ast,
            index: std::cell::OnceCell::new(),
            same_site: std::cell::OnceCell::new(),
        }
    }

    /// What the file defines, built once for all its rules.
    pub fn index(&self) -> &FileIndex<'a> {
        self.index.get_or_init(|| FileIndex::build(self.ast))
    }

    /// What the file's `use` items bring into scope for `SameSite`, read on first use.
    pub fn same_site(&self) -> &SameSiteScope {
        self.same_site.get_or_init(|| SameSiteScope::of(self.ast))
    }
    /// The byte span of anything `syn` can point at.
    pub fn span<T: syn::spanned::Spanned + 'static>(&self, node: &T) -> Span {
        Self::span_of(self.src, node)
    }

    /// A node's place in `src`; chains are spanned from their two ends ([`chain_span`]).
    pub fn span_of<T: syn::spanned::Spanned + 'static>(src: &SourceFile, node: &T) -> Span {
        let span = chain_span(node as &dyn std::any::Any).unwrap_or_else(|| node.span());
        Self::span_in(src, span)
    }

    pub fn span_in(src: &SourceFile, span: proc_macro2::Span) -> Span {
        // `syn::parse_file` drops a leading BOM; positions on line 1 shift by that one character.
        let bom = usize::from(src.text.starts_with('\u{feff}'));
        let (s, e) = (span.start(), span.end());
        let fix = |line: usize, col: usize| if line == 1 { col + bom } else { col };
        Span::new(
            src.offset_of(s.line, fix(s.line, s.column)),
            src.offset_of(e.line, fix(e.line, e.column)),
        )
    }
}

/// Modules known to export `SameSite` beside the `Cookie` they export.
pub const SAME_SITE_HOMES: &[&str] = &[
    "cookie",
    "actix_web::cookie",
    "actix_http::cookie",
    "axum_extra::extract::cookie",
    "rocket::http",
    "tower_cookies::cookie",
];

/// What a file's `use` items say about `SameSite`: whether one brings it into scope (directly or
/// by a glob of a cookie module), and the modules `Cookie` is taken from.
#[derive(Debug, Default)]
pub struct SameSiteScope {
    pub in_scope: bool,
    pub homes: Vec<String>,
}

impl SameSiteScope {
    /// Read from the file's top-level `use` items, up to the first that brings `SameSite` in.
    pub fn of(ast: &syn::File) -> Self {
        let mut homes = Vec::new();
        for item in &ast.items {
            if let syn::Item::Use(u) = item
                && walk(&u.tree, &mut Vec::new(), &mut homes)
            {
                return SameSiteScope {
                    in_scope: true,
                    homes,
                };
            }
        }
        SameSiteScope {
            in_scope: false,
            homes,
        }
    }
}

/// True when the tree brings `SameSite` into scope; collects the modules `Cookie` is taken from.
fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, homes: &mut Vec<String>) -> bool {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            let found = walk(&p.tree, prefix, homes);
            prefix.pop();
            found
        }
        syn::UseTree::Name(n) => {
            if n.ident == "Cookie" || n.ident == "CookieBuilder" {
                homes.push(prefix.join("::"));
            }
            n.ident == "SameSite"
        }
        syn::UseTree::Rename(r) => r.rename == "SameSite",
        syn::UseTree::Glob(_) => SAME_SITE_HOMES.contains(&prefix.join("::").as_str()),
        syn::UseTree::Group(g) => {
            let mut found = false;
            for t in &g.items {
                found |= walk(t, prefix, homes);
            }
            found
        }
    }
}

/// The span of a chain (`a.b().c?.d`) from its two ends, without printing it. `syn` finds a
/// node's span by printing the node to tokens, so asking the span of every link of a chain cost
/// the square of its length: ten chains of 1,500 `.path("/")` took 0.85 s, and timed out under
/// the fuzzer. `None` for anything else (and for a chain with attributes), which `syn` spans.
fn chain_span(node: &dyn std::any::Any) -> Option<proc_macro2::Span> {
    use syn::Expr;
    let e = node
        .downcast_ref::<Expr>()
        .or_else(|| node.downcast_ref::<Box<Expr>>().map(|b| &**b));
    let end = match e {
        Some(e) => chain_end(e)?,
        None => node
            .downcast_ref::<syn::ExprMethodCall>()
            .filter(|m| m.attrs.is_empty())
            .map(|m| m.paren_token.span.close())?,
    };
    let mut root = match e {
        Some(e) => e,
        None => &*node.downcast_ref::<syn::ExprMethodCall>()?.receiver,
    };
    while let Some(inner) = chain_inner(root) {
        root = inner;
    }
    syn::spanned::Spanned::span(root).join(end)
}

/// The last token of a chain link, when the link has no attributes.
fn chain_end(e: &syn::Expr) -> Option<proc_macro2::Span> {
    use syn::Expr;
    Some(match e {
        Expr::MethodCall(m) if m.attrs.is_empty() => m.paren_token.span.close(),
        Expr::Call(c) if c.attrs.is_empty() => c.paren_token.span.close(),
        Expr::Index(i) if i.attrs.is_empty() => i.bracket_token.span.close(),
        Expr::Try(t) if t.attrs.is_empty() => t.question_token.span,
        Expr::Await(a) if a.attrs.is_empty() => a.await_token.span,
        Expr::Field(f) if f.attrs.is_empty() => match &f.member {
            syn::Member::Named(n) => n.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        _ => return None,
    })
}

/// What a chain link applies to, when the link has no attributes (their tokens come first).
fn chain_inner(e: &syn::Expr) -> Option<&syn::Expr> {
    chain_end(e)?;
    super::names::link(e)
}
