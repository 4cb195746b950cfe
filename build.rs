//! Embeds every `rules/*.toml` catalog entry and every `rules/products/*.toml` product mapping
//! into the binary, so adding a rule's docs or a product is adding a file.
use std::{env, fs, path::Path};

/// Writes `pub static NAME: &[(&str, &str)]` with the `(file name, contents)` of each `*.toml`
/// directly in `dir` (not in subdirectories).
fn embed(dir: &Path, name: &str, doc: &str, out_file: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    let mut out = format!("/// {doc}\npub static {name}: &[(&str, &str)] = &[\n");
    for path in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let file = path.file_name().unwrap().to_string_lossy();
        let abs = fs::canonicalize(path).unwrap();
        out.push_str(&format!(
            "    ({file:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join(out_file), out).unwrap();
}

/// Writes the `Rule` enum: one variant per `rules/<id>.toml`, in id order, so a rule id is a type
/// and a typo does not compile.
fn rule_enum(dir: &Path, out_file: &str) {
    let mut ids: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    let pascal = |id: &str| -> String {
        id.split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut out = String::from(
        "/// Every rule in the catalog, one variant per `rules/<id>.toml`, ordered by id.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]\n\
         pub enum Rule {\n",
    );
    for id in &ids {
        out.push_str(&format!("    /// `{id}`\n    {},\n", pascal(id)));
    }
    out.push_str(
        "}\n\nimpl Rule {\n    /// Every rule, ordered by id.\n    pub const ALL: &[Rule] = &[\n",
    );
    for id in &ids {
        out.push_str(&format!("        Rule::{},\n", pascal(id)));
    }
    out.push_str("    ];\n\n    /// The rule's id as users write it (`cookie-missing-secure`).\n    pub const fn id(self) -> &'static str {\n        match self {\n");
    for id in &ids {
        out.push_str(&format!("            Rule::{} => {id:?},\n", pascal(id)));
    }
    out.push_str("        }\n    }\n}\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join(out_file), out).unwrap();
}

fn main() {
    rule_enum(Path::new("rules"), "rule_enum.rs");
    embed(
        Path::new("rules"),
        "EMBEDDED",
        "`(file name, contents)` of every catalog file under `rules/`.",
        "catalog_files.rs",
    );
    embed(
        Path::new("rules/products"),
        "PRODUCTS",
        "`(file name, contents)` of every product mapping under `rules/products/`.",
        "product_files.rs",
    );
}
