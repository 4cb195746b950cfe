//! The project table of script modules: what a relative import (`import { TOKEN_KEY } from
//! "./constants"`, `import { save } from "../lib/storage"`) brings into a block — the imported
//! module's exported string constants and storage wrappers — so a write in one file is judged
//! with the key or wrapper written in another. Each module is read and walked once per run
//! (cached in `ProjectInfo`, shared by the worker threads), and everything is bounded: one hop
//! (an imported module's own imports and re-exports are not followed, so cycles cannot loop), a
//! size limit per module, a count of imports per block and of exports per module, and modules
//! only inside the project that holds the importing file.
use super::model::{Model, Wrapper};
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Declaration, ExportDefaultDeclarationKind, ModuleExportName, Program, Statement,
};
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

/// What one module exports that judging a write can use, by exported name (`TOKEN_KEY`,
/// `KEYS.token` for a field of an exported object, `save` for a wrapper).
#[derive(Default, Debug)]
pub struct Exports {
    consts: Vec<(String, String)>,
    wrappers: Vec<(String, Wrapper)>,
}

/// Each module file looked at, with its exports (`None`: unreadable or unparsable).
#[derive(Default, Debug)]
pub struct ModuleTable(Mutex<HashMap<PathBuf, Option<Arc<Exports>>>>);

impl ModuleTable {
    fn get(&self, path: &Path) -> Option<Arc<Exports>> {
        if let Some(known) = self.lock().get(path) {
            return known.clone();
        }
        let found = read_exports(path).map(Arc::new);
        let mut table = self.lock();
        if table.len() < MAX_MODULES {
            table.insert(path.to_path_buf(), found.clone());
        }
        found
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<Exports>>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Adds to `model` the constants and wrappers its relative imports name. A name the block
/// defines itself is never replaced.
pub fn link(model: &mut Model, file: &Path, table: &ModuleTable) {
    let Some(dir) = file.parent() else {
        return;
    };
    let Some(top) = crate::manifest::within_project(dir).last() else {
        return;
    };
    let imports: BTreeMap<String, (String, String)> = model
        .imports
        .iter()
        .filter(|(_, i)| i.module.starts_with("./") || i.module.starts_with("../"))
        .map(|(l, i)| (l.clone(), (i.module.clone(), i.name.clone())))
        .collect();
    for (local, (module, name)) in imports.into_iter().take(MAX_IMPORTS) {
        let Some(exports) = resolve(dir, &top, &module).and_then(|p| table.get(&p)) else {
            continue;
        };
        for (exported, value) in &exports.consts {
            if let Some(n) = local_name(&local, &name, exported) {
                model.consts.entry(n).or_insert_with(|| value.clone());
            }
        }
        for (exported, w) in &exports.wrappers {
            if let Some(n) = local_name(&local, &name, exported) {
                model.wrappers.entry(n).or_insert_with(|| w.clone());
            }
        }
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
    let base = crate::analyzers::config::compose::normalise(&dir.join(spec));
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
    Some(exports_of(&ret.program, &model))
}

/// The module's exported constants and wrappers, under their exported names, sorted.
fn exports_of(program: &Program, model: &Model) -> Exports {
    let names = exported_names(program);
    let exported = |key: &str| -> Vec<String> {
        let (root, rest) = key.split_once('.').map_or((key, ""), |(r, s)| (r, s));
        names
            .get(root)
            .into_iter()
            .flatten()
            .map(|e| match rest {
                "" => e.clone(),
                r => format!("{e}.{r}"),
            })
            .collect()
    };
    let mut out = Exports::default();
    for (k, v) in &model.consts {
        out.consts
            .extend(exported(k).into_iter().map(|e| (e, v.clone())));
    }
    for (k, w) in &model.wrappers {
        out.wrappers
            .extend(exported(k).into_iter().map(|e| (e, w.clone())));
    }
    out.consts.sort();
    out.consts.truncate(MAX_EXPORTS);
    out.wrappers.sort_by(|a, b| a.0.cmp(&b.0));
    out.wrappers.truncate(MAX_EXPORTS);
    out
}

/// Local name → the names it is exported under (`export const X`, `export function f`,
/// `export { a as b }`, `export default function f`). Re-exports from other modules are not
/// followed (one hop).
fn exported_names(program: &Program) -> HashMap<String, Vec<String>> {
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    let mut add = |local: &str, exported: &str| {
        names
            .entry(local.to_string())
            .or_default()
            .push(exported.to_string());
    };
    for st in &program.body {
        match st {
            Statement::ExportDeclaration(d) => match &d.declaration {
                Declaration::VariableDeclaration(v) => {
                    for b in v
                        .declarations
                        .iter()
                        .filter_map(|d| d.id.get_binding_identifier())
                    {
                        add(b.name.as_str(), b.name.as_str());
                    }
                }
                Declaration::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        add(id.name.as_str(), id.name.as_str());
                    }
                }
                Declaration::TSEnumDeclaration(e) => add(e.id.name.as_str(), e.id.name.as_str()),
                _ => {}
            },
            Statement::ExportNamedDeclaration(d) => {
                for s in &d.specifiers {
                    if let ModuleExportName::IdentifierReference(l) = &s.local {
                        add(l.name.as_str(), &s.exported.name());
                    }
                }
            }
            Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        add(id.name.as_str(), "default");
                    }
                }
                ExportDefaultDeclarationKind::Identifier(i) => add(i.name.as_str(), "default"),
                _ => {}
            },
            _ => {}
        }
    }
    names
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
        link(&mut model, &dir.join("src/app.ts"), &ModuleTable::default());
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
