//! What is known about the project before any file is analysed: the dependency versions pinned in
//! each Cargo.lock (defaults that changed between versions are read from there).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct ProjectInfo {
    /// Directory of each Cargo.lock, deepest first, with crate name -> versions.
    lockfiles: Vec<(PathBuf, BTreeMap<String, Vec<String>>)>,
}

impl ProjectInfo {
    /// Reads the Cargo.lock files at or above each root and those the walk found.
    pub fn load(lockfiles: &[PathBuf]) -> Self {
        let mut info = ProjectInfo::default();
        for path in lockfiles {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Some(dir) = path.parent() else { continue };
            info.add_lockfile(dir.to_path_buf(), &text);
        }
        info.lockfiles
            .sort_by_key(|(dir, _)| std::cmp::Reverse(dir.components().count()));
        info
    }

    fn add_lockfile(&mut self, dir: PathBuf, text: &str) {
        let Ok(value) = text.parse::<toml::Table>() else {
            return;
        };
        let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pkg in value
            .get("package")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(version)) = (
                pkg.get("name").and_then(|v| v.as_str()),
                pkg.get("version").and_then(|v| v.as_str()),
            ) {
                versions
                    .entry(name.to_string())
                    .or_default()
                    .push(version.to_string());
            }
        }
        if !self.lockfiles.iter().any(|(d, _)| *d == dir) {
            self.lockfiles.push((dir, versions));
        }
    }

    /// The versions of `krate` locked for the Cargo project that holds `file`.
    pub fn locked_versions(&self, file: &Path, krate: &str) -> &[String] {
        self.lockfiles
            .iter()
            .find(|(dir, _)| file.starts_with(dir))
            .and_then(|(_, v)| v.get(krate))
            .map_or(&[], Vec::as_slice)
    }

    /// Finds Cargo.lock files in `root` and its ancestors (a workspace lock sits above members).
    pub fn ancestor_lockfiles(root: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dir = Some(root);
        while let Some(d) = dir {
            let p = d.join("Cargo.lock");
            if p.is_file() {
                out.push(p);
            }
            dir = d.parent();
        }
        out
    }
}

/// Parses a `major.minor.patch` version for comparisons ("is tower-sessions >= 0.8?").
pub fn version_tuple(v: &str) -> (u64, u64, u64) {
    let mut parts = v
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}
