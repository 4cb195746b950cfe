//! `[per-file-ignores]`: rules (or categories) never reported in the files a glob matches, as
//! ruff's `per-file-ignores`. Globs are relative to the config's folder; a folder covers
//! everything below it.
//!
//! ```toml
//! [per-file-ignores]
//! "src/dev_server.rs" = ["cookies"]
//! "deploy/local/**" = ["secrets"]
//! ```
use crate::catalog;
use crate::rule::Rule;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

pub type Raw = BTreeMap<Spanned<String>, Vec<Spanned<String>>>;

/// The validated table, with its globs compiled once.
#[derive(Clone, Debug, Default)]
pub struct PerFileIgnores {
    /// `(glob, rules)` as written, in the config's order.
    pub entries: Vec<(String, Vec<Rule>)>,
    /// Two globs per entry (itself and `glob/**`): index / 2 is the entry.
    globs: GlobSet,
}

impl PerFileIgnores {
    /// The rules ignored in the file at `rel` (relative to the config's folder), with the globs
    /// that ignore them.
    pub fn for_path(&self, rel: &Path) -> Vec<(&str, Rule)> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut entries: Vec<usize> = self.globs.matches(rel).iter().map(|i| i / 2).collect();
        entries.dedup();
        for i in entries {
            let (glob, rules) = &self.entries[i];
            out.extend(rules.iter().map(|r| (glob.as_str(), *r)));
        }
        out
    }
}

impl PerFileIgnores {
    /// Drops the reports of the rules ignored in the file at `abs` (globs relative to `root`);
    /// returns how many were dropped.
    pub fn drop_from(
        &self,
        abs: &Path,
        root: &Path,
        reports: &mut Vec<crate::finding::Report>,
    ) -> usize {
        let Ok(rel) = abs.strip_prefix(root) else {
            return 0;
        };
        let ignored = self.for_path(rel);
        let before = reports.len();
        reports.retain(|rep| !ignored.iter().any(|(_, r)| *r == rep.rule));
        before - reports.len()
    }
}

fn compile(glob: &str) -> Result<[Glob; 2], globset::Error> {
    let g = glob.trim_end_matches('/');
    let build = |p: &str| GlobBuilder::new(p).literal_separator(true).build();
    Ok([build(g)?, build(&format!("{g}/**"))?])
}

/// Checks every glob and rule name; each problem goes to `err` with its span in the file.
pub fn validate(
    raw: &Raw,
    err: &mut dyn FnMut(std::ops::Range<usize>, String, Option<String>),
) -> PerFileIgnores {
    let mut entries = Vec::new();
    let mut set = GlobSetBuilder::new();
    for (glob, names) in raw.iter().take(super::MAX_GLOBS) {
        let globs = match compile(glob.get_ref()) {
            Ok(g) => g,
            Err(e) => {
                err(
                    glob.span(),
                    format!("invalid per-file-ignores glob: {}", e.kind()),
                    None,
                );
                continue;
            }
        };
        let mut rules = Vec::new();
        for name in names {
            match catalog::expand(name.get_ref()) {
                Ok(ids) => rules.extend(ids),
                Err(_) => err(
                    name.span(),
                    format!("unknown rule or category `{}`", name.get_ref()),
                    Some(catalog::unknown_name_hint(name.get_ref())),
                ),
            }
        }
        for g in globs {
            set.add(g);
        }
        entries.push((glob.get_ref().clone(), rules));
    }
    let globs = set.build().unwrap_or_else(|_| GlobSet::empty());
    PerFileIgnores { entries, globs }
}
