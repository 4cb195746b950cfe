//! What is known about the project before any file is analysed: the dependency versions pinned in
//! each Cargo.lock (defaults that changed between versions are read from there), and, read on
//! first use, what each crate's Cargo.toml says it is (`crate::manifest`).
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

    /// Finds Cargo.lock files in `root` and its ancestors (a workspace lock sits above members),
    /// not past a repository or configured project root: a project checked inside another
    /// checkout (a fixture, a vendored crate) is judged by its own lockfile, not the outer one.
    pub fn ancestor_lockfiles(root: &Path) -> Vec<PathBuf> {
        crate::manifest::within_project(root)
            .map(|d| d.join("Cargo.lock"))
            .filter(|p| p.is_file())
            .collect()
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

/// What the design verdict needs to know about the project as a whole.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ProjectContext {
    /// Services that must trust one login: Rust binaries plus docker-compose services built from
    /// this repository.
    pub services: usize,
    pub service_names: Vec<String>,
    /// Mobile clients found (`android/`, `ios/`, Flutter, React Native).
    pub mobile: Vec<String>,
    /// Store crates locked in Cargo.lock.
    pub stores: Vec<String>,
    /// Web frameworks locked in Cargo.lock.
    pub frameworks: Vec<String>,
    /// The folder the facts' paths are relative to (`Options.cwd`): a file a fact names is
    /// found from here, never from the process's working directory.
    #[serde(skip)]
    pub cwd: PathBuf,
}

/// Directories whose binaries and compose files are tooling or tests, not services.
const NOT_SERVICE_DIRS: &[&str] = &[
    "examples",
    "tests",
    "benches",
    "fixtures",
    "testdata",
    "test",
    "e2e",
    "playwright",
    "cypress",
    "xtask",
    "tools",
];
/// Crates that make a binary a network service.
const SERVER_CRATES: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "poem",
    "salvo",
    "warp",
    "tonic",
    "hyper",
    "tide",
    "ntex",
    "loco-rs",
    "pavex",
];

/// A binary is a service when its crate depends on a web or RPC framework (read from the
/// Cargo.toml beside its `src/`; a crate without one is counted, as in small fixtures).
fn is_web_server(main_rs: &std::path::Path) -> bool {
    let Some(manifest) = main_rs
        .parent()
        .and_then(|src| src.parent())
        .map(|c| c.join("Cargo.toml"))
    else {
        return true;
    };
    match crate::reader::project_file(&manifest) {
        Some(text) => {
            let deps = text.split("[dev-dependencies]").next().unwrap_or("");
            SERVER_CRATES.iter().any(|c| {
                deps.lines().any(|l| {
                    l.trim_start().starts_with(&format!("{c} "))
                        || l.trim_start().starts_with(&format!("{c}="))
                        || l.trim_start().starts_with(&format!("{c}.workspace"))
                })
            })
        }
        None => true,
    }
}

const STORE_CRATES: &[&str] = &[
    "redis",
    "fred",
    "deadpool-redis",
    "bb8-redis",
    "sqlx",
    "diesel",
    "sea-orm",
    "tokio-postgres",
    "mongodb",
];
const FRAMEWORKS: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "poem",
    "salvo",
    "warp",
    "leptos",
    "dioxus",
];

impl ProjectContext {
    /// Builds the context from the walk's marker paths (relative, `/`-separated) and Cargo.lock.
    pub fn build(info: &ProjectInfo, markers: &[(String, PathBuf)], cwd: &Path) -> Self {
        let mut ctx = ProjectContext {
            cwd: cwd.to_path_buf(),
            ..ProjectContext::default()
        };
        let mut stores = std::collections::BTreeSet::new();
        let mut frameworks = std::collections::BTreeSet::new();
        for versions in info.lockfiles.values() {
            for s in STORE_CRATES.iter().filter(|s| versions.contains_key(**s)) {
                stores.insert(s.to_string());
            }
            for f in FRAMEWORKS.iter().filter(|f| versions.contains_key(**f)) {
                frameworks.insert(f.to_string());
            }
        }
        ctx.stores = stores.into_iter().collect();
        ctx.frameworks = frameworks.into_iter().collect();
        let mut services = std::collections::BTreeSet::new();
        let mut mobile = std::collections::BTreeSet::new();
        for (rel, abs) in markers {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            if rel.split('/').any(|c| NOT_SERVICE_DIRS.contains(&c)) {
                continue;
            }
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            match name {
                "main.rs" if (dir == "src" || dir.ends_with("/src")) && is_web_server(abs) => {
                    let pkg = dir.trim_end_matches("src").trim_end_matches('/');
                    services.insert(if pkg.is_empty() {
                        "the root crate".to_string()
                    } else {
                        pkg.to_string()
                    });
                }
                "AndroidManifest.xml" | "build.gradle" | "build.gradle.kts"
                    if rel.starts_with("android/") || rel.contains("/android/") =>
                {
                    mobile.insert("android/".to_string());
                }
                "Info.plist" | "Podfile" if rel.starts_with("ios/") || rel.contains("/ios/") => {
                    mobile.insert("ios/".to_string());
                }
                "pubspec.yaml" => {
                    mobile.insert(format!("Flutter ({rel})"));
                }
                "package.json"
                    if crate::reader::project_file(abs)
                        .is_some_and(|t| t.contains("\"react-native\"")) =>
                {
                    mobile.insert(format!("React Native ({rel})"));
                }
                "docker-compose.yml" | "docker-compose.yaml" | "compose.yml" | "compose.yaml" => {
                    if let Some(text) = crate::reader::project_file(abs) {
                        services.extend(compose_built_services(&text));
                    }
                }
                _ if name.ends_with(".yaml") || name.ends_with(".yml") => {
                    if let Some(text) = crate::reader::project_file(abs) {
                        services.extend(kubernetes_deployments(&text));
                    }
                }
                _ => {}
            }
        }
        ctx.services = services.len();
        ctx.service_names = services.into_iter().collect();
        ctx.mobile = mobile.into_iter().collect();
        ctx
    }
}

/// The docker-compose services built from this repository (they have a `build:` key): those are
/// the project's own services; images pulled from elsewhere (postgres, redis) are not.
fn compose_built_services(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_services = false;
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        if indent == 0 {
            in_services = trimmed == "services:";
            current = None;
            continue;
        }
        if !in_services {
            continue;
        }
        if indent == 2 && trimmed.ends_with(':') {
            current = Some(trimmed.trim().trim_end_matches(':').to_string());
        } else if indent > 2
            && trimmed.trim_start().starts_with("build")
            && let Some(name) = current.take()
        {
            out.push(format!("compose service `{name}`"));
        }
    }
    out
}

/// The Deployments and StatefulSets in a Kubernetes manifest, by `metadata.name`. Databases and
/// caches (postgres, redis, ...) are infrastructure, not services that trust a login.
fn kubernetes_deployments(text: &str) -> Vec<String> {
    const INFRA: &[&str] = &[
        "postgres",
        "redis",
        "mysql",
        "mariadb",
        "mongo",
        "memcached",
        "nginx",
        "rabbitmq",
        "kafka",
        "zookeeper",
        "minio",
        "elasticsearch",
    ];
    let mut out = Vec::new();
    for doc in text.split("\n---") {
        let kind = doc
            .lines()
            .find_map(|l| l.strip_prefix("kind:"))
            .map(str::trim);
        if !matches!(kind, Some("Deployment" | "StatefulSet")) {
            continue;
        }
        let mut in_metadata = false;
        let name = doc.lines().find_map(|l| {
            if l.starts_with("metadata:") {
                in_metadata = true;
                return None;
            }
            if in_metadata && !l.starts_with(' ') {
                in_metadata = false;
            }
            l.strip_prefix("  name:")
                .filter(|_| in_metadata)
                .map(|n| n.trim().trim_matches(['"', '\'']).to_string())
        });
        if let Some(name) =
            name.filter(|n| !n.contains("{{") && !INFRA.iter().any(|i| n.contains(i)))
        {
            out.push(format!("Kubernetes deployment `{name}`"));
        }
    }
    out
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

    #[test]
    fn kubernetes_deployments_are_services_databases_are_not() {
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders-api\nspec: {}\n---\nkind: StatefulSet\nmetadata:\n  name: redis\n---\nkind: Service\nmetadata:\n  name: orders\n";
        assert_eq!(
            kubernetes_deployments(yaml),
            ["Kubernetes deployment `orders-api`"]
        );
    }

    #[test]
    fn compose_services_built_here() {
        let yaml = "version: '3'\nservices:\n  api:\n    build: ./api\n  worker:\n    build:\n      context: .\n  db:\n    image: postgres:16\nvolumes:\n  data:\n";
        assert_eq!(
            compose_built_services(yaml),
            ["compose service `api`", "compose service `worker`"]
        );
    }
}
