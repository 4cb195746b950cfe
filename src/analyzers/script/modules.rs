//! The project table of script modules: what an import of the project's own code (`import {
//! TOKEN_KEY } from "./constants"`, `import { save } from "@/lib/storage"` through a tsconfig
//! alias, `const { save } = require("../lib/storage")`) brings into a block — the imported
//! module's exported string constants and storage wrappers, also those it re-exports (`export *
//! from "./auth"`) or exports the CommonJS way (`module.exports = { TOKEN_KEY }`) — so a write in
//! one file is judged with the key or wrapper written in another. Each module is read and walked
//! once per run (cached in `ProjectInfo`, shared by the worker threads), and everything is
//! bounded: re-exports are followed at most [`MAX_REEXPORT_HOPS`] deep (so cycles end), a size
//! limit per module, a count of imports per block and of exports per module, and modules only
//! inside the project that holds the importing file.
use super::aliases::{Aliases, config_for};
use super::exports::{Exports, exports_of};
use super::model::{Holder, Model, Origin, Place, TokenType};
use oxc_allocator::Allocator;
use oxc_parser::Parser;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Modules larger than this are not read for their exports (a bundle is no constants file).
const MAX_MODULE_BYTES: u64 = 512 << 10;
/// Relative imports of one block that are followed.
const MAX_IMPORTS: usize = 64;
/// Constants and wrappers kept per module.
const MAX_EXPORTS: usize = 256;
/// Modules the table keeps; past this, a module is still read when imported, just not kept.
const MAX_MODULES: usize = 4096;
/// An import specifier longer than this is not a path anyone wrote.
const MAX_SPECIFIER: usize = 512;
const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx"];
/// How many modules deep re-exports (`export * from "./auth"`) are followed.
pub const MAX_REEXPORT_HOPS: usize = 3;

/// Each module file looked at, with its exports (`None`: unreadable or unparsable), and the
/// import aliases of each folder that imports.
#[derive(Default, Debug)]
pub struct ModuleTable {
    modules: Mutex<HashMap<PathBuf, Option<Arc<Exports>>>>,
    aliases: Mutex<HashMap<PathBuf, Option<Arc<Aliases>>>>,
}

/// A map of the table, locked (a panic in another worker does not poison it for the rest).
fn locked<K, V>(m: &Mutex<HashMap<K, V>>) -> std::sync::MutexGuard<'_, HashMap<K, V>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A cached value, computed outside the lock; past [`MAX_MODULES`] entries it is not kept.
fn cached<T>(
    m: &Mutex<HashMap<PathBuf, Option<Arc<T>>>>,
    key: &Path,
    make: impl FnOnce() -> Option<T>,
) -> Option<Arc<T>> {
    if let Some(known) = locked(m).get(key) {
        return known.clone();
    }
    let found = make().map(Arc::new);
    let mut table = locked(m);
    if table.len() < MAX_MODULES {
        table.insert(key.to_path_buf(), found.clone());
    }
    found
}

impl ModuleTable {
    fn get(&self, path: &Path) -> Option<Arc<Exports>> {
        cached(&self.modules, path, || read_exports(path))
    }

    /// The aliases that hold for files in `dir` (from the nearest tsconfig or jsconfig).
    fn aliases(&self, dir: &Path, top: &Path) -> Option<Arc<Aliases>> {
        cached(&self.aliases, dir, || {
            config_for(dir, top).and_then(|c| Aliases::read(&c))
        })
    }

    /// The file an import specifier written in `dir` names: relative, or through an alias.
    fn resolve(&self, dir: &Path, top: &Path, spec: &str) -> Option<PathBuf> {
        if spec.starts_with("./") || spec.starts_with("../") {
            return resolve(dir, top, spec);
        }
        if spec.len() > MAX_SPECIFIER {
            return None;
        }
        let aliases = self.aliases(dir, top)?;
        aliases
            .candidates(spec)
            .into_iter()
            .find_map(|base| resolve_base(crate::analyzers::config::compose::normalise(&base), top))
    }

    /// A module's exports with those it re-exports, under the names it exports them as.
    fn flattened(&self, path: &Path, top: &Path, hops: usize) -> Exports {
        let mut out = Exports::default();
        let Some(own) = self.get(path) else {
            return out;
        };
        out.consts.extend(own.consts.iter().cloned());
        out.const_at.extend(own.const_at.iter().cloned());
        out.wrappers.extend(own.wrappers.iter().cloned());
        out.types.extend(own.types.iter().cloned());
        out.holders.extend(own.holders.iter().cloned());
        out.login_fns.extend(own.login_fns.iter().cloned());
        let Some(dir) = path.parent() else {
            return out;
        };
        for (spec, imported, exported) in own.reexports.iter().take(MAX_IMPORTS) {
            if hops == 0 {
                break;
            }
            let Some(p) = self.resolve(dir, top, spec) else {
                continue;
            };
            let inner = self.flattened(&p, top, hops - 1);
            let rename = |name: &str| reexported(name, imported, exported);
            out.consts.extend(renamed(inner.consts, rename));
            out.wrappers.extend(renamed(inner.wrappers, rename));
            out.const_at.extend(renamed(inner.const_at, rename));
            out.types.extend(renamed(inner.types, rename));
            out.login_fns
                .extend(inner.login_fns.iter().filter_map(|n| rename(n)));
            out.holders
                .extend(inner.holders.into_iter().filter_map(|mut h| {
                    h.path = rename(&h.path)?;
                    Some(h)
                }));
        }
        out.consts.truncate(MAX_EXPORTS);
        out.const_at.truncate(MAX_EXPORTS);
        out.wrappers.truncate(MAX_EXPORTS);
        out.types.truncate(MAX_EXPORTS);
        out.holders.truncate(MAX_EXPORTS);
        out.login_fns.truncate(MAX_EXPORTS);
        out
    }
}

/// Named exports under the names a re-export gives them (those it does not pass on dropped).
fn renamed<T>(
    items: Vec<(String, T)>,
    rename: impl Fn(&str) -> Option<String>,
) -> impl Iterator<Item = (String, T)> {
    items
        .into_iter()
        .filter_map(move |(n, v)| Some((rename(&n)?, v)))
}

/// The name an export of module `m` has once re-exported by `export { imported as exported }
/// from "m"` (`*`/`*`: every name but the default; `*`/`ns`: under `ns.`).
fn reexported(name: &str, imported: &str, exported: &str) -> Option<String> {
    match (imported, exported) {
        ("*", "*") => {
            (name != "default" && !name.starts_with("default.")).then(|| name.to_string())
        }
        ("*", ns) => Some(format!("{ns}.{name}")),
        _ if name == imported => Some(exported.to_string()),
        _ => Some(format!(
            "{exported}.{}",
            name.strip_prefix(imported)?.strip_prefix('.')?
        )),
    }
}

/// Adds to `model` the constants, wrappers, token types and credential holders its imports of
/// the project's modules name, with where each is written placed as `shown` (the importing
/// file's path as findings show it) names files. A name the block defines itself is never
/// replaced.
pub fn link(model: &mut Model, file: &Path, shown: &str, table: &ModuleTable) {
    let Some(dir) = file.parent() else {
        return;
    };
    let Some(top) = crate::manifest::within_project(dir).last() else {
        return;
    };
    let imports: BTreeMap<String, (String, String)> = model
        .imports
        .iter()
        .map(|(l, i)| (l.clone(), (i.module.clone(), i.name.clone())))
        .collect();
    for (local, (module, name)) in imports.into_iter().take(MAX_IMPORTS) {
        let Some(path) = table.resolve(dir, &top, &module) else {
            continue;
        };
        let exports = table.flattened(&path, &top, MAX_REEXPORT_HOPS);
        let there = |o: &Option<Origin>| o.as_ref().map(|o| placed(o, file, shown));
        for (exported, value) in &exports.consts {
            if let Some(n) = local_name(&local, &name, exported)
                && !model.consts.contains_key(&n)
            {
                model.consts.insert(n.clone(), value.clone());
                if let Some((_, at)) = exports.const_at.iter().find(|(e, _)| e == exported) {
                    let o = Origin {
                        place: at.clone(),
                        message: format!("the key `{n}` is written here"),
                    };
                    model.const_origins.insert(n, placed(&o, file, shown));
                }
            }
        }
        for (exported, w) in &exports.wrappers {
            if let Some(n) = local_name(&local, &name, exported) {
                let mut w = w.clone();
                w.origin = there(&w.origin);
                w.key.origin = there(&w.key.origin);
                w.value.origin = there(&w.value.origin);
                model.wrappers.entry(n).or_insert(w);
            }
        }
        for (exported, t) in &exports.types {
            if let Some(n) = local_name(&local, &name, exported) {
                let t = TokenType {
                    kind: t.kind,
                    origin: placed(&t.origin, file, shown),
                };
                model.token_types.entry(n).or_insert(t);
            }
        }
        for f in &exports.login_fns {
            if let Some(n) = local_name(&local, &name, f) {
                model.login_fns.insert(n);
            }
        }
        for h in &exports.holders {
            if let Some(n) = local_name(&local, &name, &h.path)
                && model.holders.len() < MAX_EXPORTS
            {
                model.holders.push(Holder {
                    path: n,
                    kind: h.kind,
                    origin: placed(&h.origin, file, shown),
                });
            }
        }
    }
}

/// An origin in another module made a related location of findings in `file` (shown as
/// `shown`): the module's path as the finding's own path is shown.
fn placed(o: &Origin, file: &Path, shown: &str) -> Origin {
    let Place::Module { module, start, end } = &o.place else {
        return o.clone();
    };
    let (start, end) = (*start, *end);
    let me = crate::analyzers::config::compose::normalise(file);
    let at = (0..)
        .map_while(|up| Some((up, me.ancestors().nth(up + 1)?)))
        .find_map(|(up, dir)| Some((up, module.strip_prefix(dir).ok()?)));
    let Some((up, rest)) = at else {
        return o.clone();
    };
    let rest = rest.to_string_lossy().replace('\\', "/");
    let path = crate::analyzers::config::compose::shown_path(Path::new(shown), up, &rest);
    Origin {
        place: Place::There(crate::finding::Elsewhere { path, start, end }),
        message: o.message.clone(),
    }
}

/// The name an export has in the importing block: `TOKEN_KEY` imported as `K` is `K`,
/// `KEYS.token` of `import { KEYS as K }` is `K.token`, and of `import * as C` is `C.KEYS.token`.
fn local_name(local: &str, imported: &str, exported: &str) -> Option<String> {
    if imported == "*" {
        return Some(format!("{local}.{exported}"));
    }
    if exported == imported {
        return Some(local.to_string());
    }
    let rest = exported.strip_prefix(imported)?.strip_prefix('.')?;
    Some(format!("{local}.{rest}"))
}

/// The file a relative specifier names: as written, with one of the script extensions, or the
/// `index` file of a folder; only inside `top` (the project holding the importing file).
fn resolve(dir: &Path, top: &Path, spec: &str) -> Option<PathBuf> {
    if spec.len() > MAX_SPECIFIER {
        return None;
    }
    // By name, not through the file system: no symlink is followed out of the project.
    resolve_base(
        crate::analyzers::config::compose::normalise(&dir.join(spec)),
        top,
    )
}

/// A module path without extension (or with one) made a file: as written, with one of the
/// script extensions, or the `index` file of a folder; only inside `top`.
fn resolve_base(base: PathBuf, top: &Path) -> Option<PathBuf> {
    if !base.starts_with(top) {
        return None;
    }
    let has_ext = base
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e));
    let with_ext = EXTENSIONS.iter().map(|e| {
        let mut s = base.clone().into_os_string();
        s.push(format!(".{e}"));
        PathBuf::from(s)
    });
    let index = EXTENSIONS.iter().map(|e| base.join(format!("index.{e}")));
    has_ext
        .then(|| base.clone())
        .into_iter()
        .chain(with_ext)
        .chain(index)
        .find(|p| p.is_file())
}

/// Reads, parses and walks a module for its exports: the same limits as a checked block.
fn read_exports(path: &Path) -> Option<Exports> {
    let text =
        crate::reader::read_text(path, MAX_MODULE_BYTES, crate::reader::Origin::Project).ok()?;
    if super::too_deep(&text) {
        return None;
    }
    let display = path.to_string_lossy();
    let alloc = Allocator::default();
    let ret = Parser::new(&alloc, &text, super::markup::source_type_for_path(&display)).parse();
    if ret.panicked || !ret.diagnostics.is_empty() {
        return None;
    }
    let model = super::walk::bind(&ret.program, &text, 0, &display, |_| {});
    let file = crate::source::SourceFile::from_text(&display, &text);
    let module: Arc<Path> = Arc::from(path);
    Some(exports_of(&ret.program, &model, MAX_EXPORTS, |s| {
        Place::Module {
            module: module.clone(),
            start: file.position(s.start),
            end: file.position(s.end),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project folder (a repository root: nothing above it is looked at) with these files.
    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    /// The model of `src/app.ts` after linking: its imports as the Bindings pass records them.
    fn linked(dir: &Path, imports: &[(&str, &str, &str)]) -> Model {
        let mut model = Model::default();
        for (local, module, name) in imports {
            model.imports.insert(
                local.to_string(),
                super::super::model::Import {
                    module: module.to_string(),
                    name: name.to_string(),
                },
            );
        }
        link(
            &mut model,
            &dir.join("src/app.ts"),
            "src/app.ts",
            &ModuleTable::default(),
        );
        model
    }

    #[test]
    fn specifiers_resolve_to_files_with_extensions_and_index_files_inside_the_project() {
        let d = project(&[
            ("src/keys.ts", ""),
            ("src/old.js", ""),
            ("src/lib/index.tsx", ""),
            ("src/readme.md", ""),
        ]);
        let (src, top) = (d.path().join("src"), d.path());
        let r = |s: &str| resolve(&src, top, s).map(|p| p.strip_prefix(top).unwrap().to_owned());
        assert_eq!(r("./keys"), Some(PathBuf::from("src/keys.ts")));
        assert_eq!(r("./old.js"), Some(PathBuf::from("src/old.js")));
        assert_eq!(r("./lib"), Some(PathBuf::from("src/lib/index.tsx")));
        assert_eq!(
            r("../src/./lib/../keys"),
            Some(PathBuf::from("src/keys.ts"))
        );
        assert_eq!(r("./readme.md"), None);
        assert_eq!(r("./missing"), None);
        assert_eq!(
            resolve(&src, &src, "../src/keys"),
            Some(src.join("keys.ts"))
        );
        assert_eq!(resolve(&src.join("lib"), &src.join("lib"), "../keys"), None);
    }

    #[test]
    fn exported_constants_and_wrappers_take_the_importing_names() {
        let d = project(&[(
            "src/auth.ts",
            r#"export const TOKEN_KEY = "access_token";
               const KEYS = { refresh: "refresh_token" };
               const hidden = "session_token";
               function save(k, v) { localStorage.setItem(k, v); }
               export { KEYS as StorageKeys, save as persist };"#,
        )]);
        let m = linked(
            d.path(),
            &[
                ("K", "./auth", "TOKEN_KEY"),
                ("S", "./auth", "StorageKeys"),
                ("A", "./auth", "*"),
                ("store", "./auth", "persist"),
                ("H", "./auth", "hidden"),
            ],
        );
        assert_eq!(m.consts.get("K").map(String::as_str), Some("access_token"));
        assert_eq!(
            m.consts.get("S.refresh").map(String::as_str),
            Some("refresh_token")
        );
        assert_eq!(
            m.consts.get("A.TOKEN_KEY").map(String::as_str),
            Some("access_token")
        );
        assert!(m.wrappers.contains_key("store"));
        assert!(m.wrappers.contains_key("A.persist"));
        // Not exported, so not importable.
        assert!(!m.consts.contains_key("H"));
    }

    #[test]
    fn one_hop_only_so_cycles_and_re_exports_end() {
        let d = project(&[
            (
                "src/a.ts",
                "import { B } from './b';\nexport const A = B;\nexport { B };",
            ),
            (
                "src/b.ts",
                "import { A } from './a';\nexport const B = 'access_token';",
            ),
        ]);
        let m = linked(d.path(), &[("B", "./b", "B"), ("A", "./a", "A")]);
        assert_eq!(m.consts.get("B").map(String::as_str), Some("access_token"));
        // `a.ts` only passes on what it imports: a second hop, not taken.
        assert!(!m.consts.contains_key("A"));
    }

    #[test]
    fn re_exports_are_followed_a_few_modules_deep_and_cycles_end() {
        let d = project(&[
            (
                "src/a.ts",
                "export * from './b';\nexport const A = 'access_token';",
            ),
            (
                "src/b.ts",
                "export * from './a';\nexport { C as B } from './c';",
            ),
            (
                "src/c.ts",
                "export * from './d';\nexport const C = 'refresh_token';",
            ),
            ("src/d.ts", "export * from './e';"),
            ("src/e.ts", "export * from './f';"),
            ("src/f.ts", "export const FAR = 'id_token';"),
        ]);
        let m = linked(
            d.path(),
            &[
                ("A", "./a", "A"),
                ("B", "./a", "B"),
                ("F", "./a", "FAR"),
                ("G", "./d", "FAR"),
            ],
        );
        assert_eq!(m.consts.get("A").map(String::as_str), Some("access_token"));
        // a → b → c: two hops, renamed on the way.
        assert_eq!(m.consts.get("B").map(String::as_str), Some("refresh_token"));
        // a → b → c → d → e → f is past the limit; d → e → f is not.
        assert!(!m.consts.contains_key("F"));
        assert_eq!(m.consts.get("G").map(String::as_str), Some("id_token"));
    }

    #[test]
    fn hostile_modules_export_nothing() {
        let deep = format!(
            "export const K = 'token';\nconst x = {}0{};",
            "(".repeat(1200),
            ")".repeat(1200)
        );
        let big = format!("export const K = 'token';\n//{}", "x".repeat(600 << 10));
        let d = project(&[
            ("src/deep.ts", &deep),
            ("src/big.ts", &big),
            ("src/broken.ts", "export const K = 'token' +;"),
        ]);
        let long = format!("./{}", "a/".repeat(400));
        let m = linked(
            d.path(),
            &[
                ("D", "./deep", "K"),
                ("G", "./big", "K"),
                ("X", "./broken", "K"),
                ("L", &long, "K"),
            ],
        );
        assert!(m.consts.is_empty(), "{:?}", m.consts);
    }
}
