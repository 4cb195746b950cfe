//! What is known about the project before any file is analysed: the dependency versions pinned in
//! each Cargo.lock (defaults that changed between versions are read from there), and, read on
//! first use, what each crate's Cargo.toml says it is (`crate::manifest`); and what the analyzers read once
//! per directory or module and share across files (Terraform scopes, compose `env_file:`
//! entries, the exports of script modules).
use crate::manifest::{CrateManifest, NodePackage};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct ProjectInfo {
    /// Directory of each Cargo.lock, with crate name -> versions.
    pub(crate) lockfiles: BTreeMap<PathBuf, BTreeMap<String, Vec<String>>>,
    /// Each directory looked at, with the manifest of the crate it belongs to (`None`: no
    /// readable manifest). Filled lazily, shared by the worker threads.
    manifests: Cache<CrateManifest>,
    /// The same for package.json files.
    packages: Cache<NodePackage>,
    /// Each Terraform directory looked at, with its variables and locals.
    pub(crate) terraform: super::config::terraform::DirScopes,
    /// Each directory looked at for compose files, with the `.env` files their services load.
    pub(crate) compose: super::config::compose::ComposeDirs,
    /// Each script module imported by a relative path, with the constants and storage wrappers
    /// it exports.
    pub(crate) script_modules: super::script::ModuleTable,
}

/// Each directory looked at, with the manifest of the package it belongs to.
type Cache<T> = Mutex<HashMap<PathBuf, Option<Arc<T>>>>;

/// The nearest manifest `name` above `file` (not past a repository root), parsed with `parse`,
/// read once per directory. `None` when there is none, or it cannot be read or parsed: callers
/// then judge the file as if nothing were known about its package.
fn nearest<T>(
    cache: &Cache<T>,
    file: &Path,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Arc<T>> {
    let cached = |dir: &Path| {
        let c = cache.lock().unwrap_or_else(|e| e.into_inner());
        c.get(dir).cloned()
    };
    let mut seen = Vec::new();
    let mut found = None;
    for dir in crate::manifest::candidates(file) {
        if let Some(known) = cached(&dir) {
            found = known;
            break;
        }
        let path = dir.join(name);
        seen.push(dir);
        if path.exists() {
            found = crate::manifest::read(&path)
                .and_then(|t| parse(&t))
                .map(Arc::new);
            break;
        }
    }
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    for dir in seen {
        c.insert(dir, found.clone());
    }
    found
}

impl ProjectInfo {
    /// Reads the Cargo.lock files at or above each root and those the walk found.
    pub fn load(lockfiles: &[PathBuf]) -> Self {
        let mut info = ProjectInfo::default();
        for path in lockfiles {
            let (Some(text), Some(dir)) = (crate::reader::project_file(path), path.parent()) else {
                continue;
            };
            info.lockfiles
                .entry(dir.to_path_buf())
                .or_insert_with(|| lock_versions(&text));
        }
        info
    }

    /// The versions of `krate` locked for the Cargo project that holds `file` (the nearest
    /// Cargo.lock above it, not past a repository or configured project root).
    pub fn locked_versions(&self, file: &Path, krate: &str) -> &[String] {
        crate::manifest::candidates(file)
            .find_map(|dir| self.lockfiles.get(&dir))
            .and_then(|v| v.get(krate))
            .map_or(&[], Vec::as_slice)
    }

    /// The manifest of the crate holding `file`: the nearest Cargo.toml above it (not past a
    /// repository root), read once per directory. `None` when there is none, or it cannot be read
    /// or parsed: callers then judge the file as if nothing were known about its crate.
    pub fn crate_manifest(&self, file: &Path) -> Option<Arc<CrateManifest>> {
        nearest(&self.manifests, file, "Cargo.toml", CrateManifest::parse)
    }

    /// The package.json of the Node package holding `file`, found and cached as
    /// [`ProjectInfo::crate_manifest`] finds a crate's.
    pub fn node_package(&self, file: &Path) -> Option<Arc<NodePackage>> {
        nearest(&self.packages, file, "package.json", NodePackage::parse)
    }

    /// Records the manifest of the crate in `dir`, as unit tests of the rules do.
    #[cfg(test)]
    pub fn set_manifest(&self, dir: &Path, manifest: CrateManifest) {
        let mut cache = self.manifests.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(dir.to_path_buf(), Some(Arc::new(manifest)));
    }
}

/// Crate name -> versions from a Cargo.lock. Its format is fixed (`[[package]]` tables whose
/// `name` and `version` lines come first), so a line scan replaces a full TOML parse: a vendored
/// tree can hold hundreds of lockfiles.
fn lock_versions(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut name: Option<&str> = None;
    fn value<'t>(line: &'t str, key: &str) -> Option<&'t str> {
        line.strip_prefix(key)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
            .map(|r| r.trim().trim_matches('"'))
    }
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(n) = value(line, "name") {
            name = Some(n);
        } else if let (Some(v), Some(n)) = (value(line, "version"), name) {
            versions
                .entry(n.to_string())
                .or_default()
                .push(v.to_string());
            name = None;
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_versions_and_the_nearest_lockfile() {
        let lock = "version = 4\n\n[[package]]\nname = \"tower-sessions\"\nversion = \"0.7.0\"\nsource = \"x\"\n\n[[package]]\nname = \"tower-sessions\"\nversion = \"0.14.0\"\n";
        let mut info = ProjectInfo::default();
        info.lockfiles
            .insert(PathBuf::from("/p"), lock_versions(lock));
        info.lockfiles
            .insert(PathBuf::from("/p/vendor/x"), BTreeMap::new());
        assert_eq!(
            info.locked_versions(Path::new("/p/src/main.rs"), "tower-sessions"),
            ["0.7.0", "0.14.0"]
        );
        assert!(
            info.locked_versions(Path::new("/p/vendor/x/src/lib.rs"), "tower-sessions")
                .is_empty()
        );
        assert!(
            info.locked_versions(Path::new("/q/src/main.rs"), "tower-sessions")
                .is_empty()
        );
    }
}
