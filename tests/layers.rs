//! The module layers of `src/` (issue 12, "the layout that comes with it"): foundations below,
//! then what a run is configured with and what it reads, then the analyzers, then the project
//! pass, then the engine, then the front ends. A module imports only from its own layer or the
//! layers below, and no two modules import each other, directly or round a loop.
//!
//! Imports are read with `syn` from every `crate::`, `super::` and `self::` path in the code
//! (`use` trees, expressions, types, and the tokens of macro calls), leaving out `#[cfg(test)]`
//! items and test-only modules: tests may reach anywhere.
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Lowest first. A module belongs to the longest entry that is it or one of its ancestors.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "words",
            "reader",
            "budget",
            "snippet",
            "placeholder",
            "auth_names",
            "providers",
            "manifest",
            "per_dir",
            "ignore_files",
            "severity",
            "roles",
            "source",
            "comments",
            "rule",
            "fix",
            "finding",
            "rule::wording",
            "catalog",
            "config::duration",
        ],
    ),
    (
        "settings and inputs",
        &["config", "facts", "suppress", "baseline", "discover"],
    ),
    ("analyzers", &["analyzers"]),
    ("project pass", &["project", "design"]),
    ("engine", &["engine"]),
    ("front ends", &["report", "cli", "fuzzing"]),
];

type Module = Vec<String>;

struct Import {
    from: Module,
    to: Module,
    at: String,
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().trim() == "test")
    })
}

/// The module of each library source file (`main.rs` is the binary, not the library).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, into);
            } else if p.extension().is_some_and(|x| x == "rs") {
                into.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap().with_extension("");
        let mut m: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if m == ["main"] {
            continue;
        }
        if matches!(m.last().map(String::as_str), Some("mod" | "lib")) {
            m.pop();
        }
        out.insert(m, f);
    }
    out
}

struct Collector<'a> {
    module: &'a [String],
    file: String,
    paths: Vec<(Vec<String>, usize)>,
    test_children: Vec<String>,
}

impl Collector<'_> {
    fn keep(&mut self, segs: Vec<String>, line: usize) {
        if matches!(
            segs.first().map(String::as_str),
            Some("crate" | "super" | "self")
        ) {
            self.paths.push((segs, line));
        }
    }

    fn use_tree(&mut self, prefix: &[String], tree: &syn::UseTree) {
        let with = |s: String| {
            let mut p = prefix.to_vec();
            p.push(s);
            p
        };
        match tree {
            syn::UseTree::Path(p) => self.use_tree(&with(p.ident.to_string()), &p.tree),
            syn::UseTree::Name(n) => {
                let line = n.ident.span().start().line;
                self.keep(with(n.ident.to_string()), line)
            }
            syn::UseTree::Rename(r) => {
                let line = r.ident.span().start().line;
                self.keep(with(r.ident.to_string()), line)
            }
            syn::UseTree::Glob(g) => {
                let line = g.star_token.spans[0].start().line;
                self.keep(prefix.to_vec(), line)
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }

    /// `crate :: a :: b` sequences in a macro's tokens (`matches!`, `format!`, `vec!`, …).
    fn tokens(&mut self, tokens: TokenStream) {
        let flat: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < flat.len() {
            if let TokenTree::Group(g) = &flat[i] {
                self.tokens(g.stream());
            }
            if let TokenTree::Ident(id) = &flat[i] {
                let mut segs = vec![id.to_string()];
                let mut j = i + 1;
                while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(next)) =
                    (flat.get(j), flat.get(j + 1), flat.get(j + 2))
                {
                    let TokenTree::Ident(next) = next else { break };
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    segs.push(next.to_string());
                    j += 3;
                }
                if segs.len() > 1 {
                    self.keep(segs, id.span().start().line);
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_cfg_test(attrs) {
            if let syn::Item::Mod(m) = item {
                self.test_children.push(m.ident.to_string());
            }
            return;
        }
        if let syn::Item::Use(u) = item {
            return self.use_tree(&[], &u.tree);
        }
        syn::visit::visit_item(self, item)
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            _ => return syn::visit::visit_impl_item(self, item),
        };
        if !is_cfg_test(attrs) {
            syn::visit::visit_impl_item(self, item)
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segs = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        self.keep(segs, line);
        syn::visit::visit_path(self, path)
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac)
    }
}

/// The module a path names: the longest prefix of it that is a module.
fn resolve(from: &[String], segs: &[String], known: &BTreeSet<Module>) -> Option<Module> {
    let mut base: Module = Vec::new();
    let mut rest = segs;
    match segs.first().map(String::as_str) {
        Some("crate") => rest = &segs[1..],
        Some("self") => {
            base = from.to_vec();
            rest = &segs[1..];
        }
        Some("super") => {
            base = from.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    while !base.is_empty() {
        if known.contains(&base) {
            return Some(base);
        }
        base.pop();
    }
    None
}

/// Every import in `src/`, read once for the three tests.
fn imports() -> &'static [Import] {
    static ALL: std::sync::OnceLock<Vec<Import>> = std::sync::OnceLock::new();
    ALL.get_or_init(read_imports)
}

fn read_imports() -> Vec<Import> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    let mut test_only: Vec<Module> = Vec::new();
    let mut found = Vec::new();
    for (m, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut c = Collector {
            module: m,
            file: path.strip_prefix(&src).unwrap().display().to_string(),
            paths: Vec::new(),
            test_children: Vec::new(),
        };
        c.visit_file(&ast);
        for child in &c.test_children {
            let mut t = c.module.to_vec();
            t.push(child.clone());
            test_only.push(t);
        }
        for (segs, line) in &c.paths {
            let Some(to) = resolve(m, segs, &known) else {
                continue;
            };
            // A module and its own ancestors or descendants are one unit of the tree.
            if to.starts_with(m) || m.starts_with(&to) {
                continue;
            }
            found.push(Import {
                from: m.clone(),
                to,
                at: format!("src/{}:{line} `{}`", c.file, segs.join("::")),
            });
        }
    }
    found.retain(|i| !test_only.iter().any(|t| i.from.starts_with(t)));
    found
}

/// The `LAYERS` entry a module belongs to, with its layer's index.
fn unit(m: &[String]) -> Option<(usize, String)> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, (_, units))| units.iter().map(move |u| (i, *u)))
        .filter(|(_, u)| {
            let u: Vec<&str> = u.split("::").collect();
            m.len() >= u.len() && m.iter().zip(&u).all(|(a, b)| a == b)
        })
        .max_by_key(|(_, u)| u.len())
        .map(|(i, u)| (i, u.to_string()))
}

/// Each loop of modules that import one another (strongly connected components of two or more).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, (n, n));
            self.stack.push(v);
            let edges = self.edges;
            for w in edges.get(v).into_iter().flatten() {
                let low = match self.index.get(w.as_str()) {
                    None => {
                        self.visit(w);
                        self.index[w.as_str()].1
                    }
                    Some(&(i, _)) if self.stack.contains(&w.as_str()) => i,
                    Some(_) => continue,
                };
                let e = self.index.get_mut(v).unwrap();
                e.1 = e.1.min(low);
            }
            let (i, low) = self.index[v];
            if i == low {
                let at = self.stack.iter().rposition(|x| *x == v).unwrap();
                let comp: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if comp.len() > 1 {
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out.iter_mut().for_each(|c| c.sort());
    t.out
}

/// Names each loop with the imports that make it.
fn describe(loops: &[Vec<String>], imports: &[(String, String, &str)]) -> Vec<String> {
    loops
        .iter()
        .map(|c| {
            let inside: Vec<&str> = imports
                .iter()
                .filter(|(a, b, _)| c.contains(a) && c.contains(b))
                .map(|(_, _, at)| *at)
                .collect();
            format!("{}\n      {}", c.join(" <-> "), inside.join("\n      "))
        })
        .collect()
}

#[test]
fn every_module_has_a_layer_and_imports_only_its_own_layer_or_lower() {
    let imports = imports();
    assert!(imports.len() > 100, "the reader found too few imports");
    let mut unplaced = BTreeSet::new();
    let mut upward = Vec::new();
    for i in imports {
        let (from, to) = (unit(&i.from), unit(&i.to));
        for (m, u) in [(&i.from, &from), (&i.to, &to)] {
            if u.is_none() {
                unplaced.insert(name(m));
            }
        }
        if let (Some((lf, uf)), Some((lt, ut))) = (from, to)
            && lt > lf
        {
            upward.push(format!(
                "{uf} ({}) imports {ut} ({}): {}",
                LAYERS[lf].0, LAYERS[lt].0, i.at
            ));
        }
    }
    assert!(unplaced.is_empty(), "modules with no layer: {unplaced:?}");
    assert!(
        upward.is_empty(),
        "imports from a higher layer:\n  {}",
        upward.join("\n  ")
    );
}

/// The loops among `from -> to` imports (each with where it is written), described.
fn loops_among<'a>(imports: impl Iterator<Item = (String, String, &'a str)>) -> Vec<String> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut named = Vec::new();
    for (a, b, at) in imports.filter(|(a, b, _)| a != b) {
        edges.entry(a.clone()).or_default().insert(b.clone());
        named.push((a, b, at));
    }
    describe(&cycles(&edges), &named)
}

#[test]
fn no_import_cycles_between_the_units_of_the_layers() {
    let loops = loops_among(imports().iter().filter_map(|i| {
        let ((_, a), (_, b)) = (unit(&i.from)?, unit(&i.to)?);
        Some((a, b, i.at.as_str()))
    }));
    assert!(loops.is_empty(), "import cycles:\n  {}", loops.join("\n  "));
}

#[test]
fn no_import_cycles_between_modules() {
    let loops = loops_among(
        imports()
            .iter()
            .map(|i| (name(&i.from), name(&i.to), i.at.as_str())),
    );
    assert!(loops.is_empty(), "import cycles:\n  {}", loops.join("\n  "));
}
