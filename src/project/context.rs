//! What the design verdict needs to know about the project as a whole, read from the walk's
//! marker files: the applications (deployable units), the clients, who else holds the login, and
//! the stores and frameworks locked.
use super::ProjectInfo;
use std::path::{Path, PathBuf};

/// A deployable unit: a binary crate that depends on a web framework, a compose service built
/// here that serves HTTP, a Next.js or SvelteKit app, a Kubernetes Deployment.
#[derive(Debug, Default, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Application {
    /// How reports name it (`api`, `the root crate`, `compose service `web``).
    pub name: String,
    /// Its folder as report paths write it (`.` for the working directory); empty when it is not
    /// known (a Kubernetes Deployment).
    pub dir: String,
}

impl Application {
    /// Whether a file (a report path) belongs to this application.
    pub fn holds(&self, path: &str) -> bool {
        !self.dir.is_empty()
            && (self.dir == "." || path.starts_with(&format!("{}/", self.dir)) || path == self.dir)
    }
}

/// Someone besides the app's own code who holds the login: a managed identity provider or an
/// authenticating proxy, with where the project names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Party {
    pub name: String,
    pub proxy: bool,
    /// `path:line`.
    pub at: String,
}

/// What the design verdict needs to know about the project as a whole.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ProjectContext {
    /// The deployable units, deduplicated (a compose service built from a crate's folder is that
    /// crate).
    pub applications: Vec<Application>,
    /// Services by name (applications and Kubernetes Deployments): the verdict says they trust
    /// one login only when they verify the same tokens.
    pub services: usize,
    pub service_names: Vec<String>,
    /// Mobile clients found (`android/`, `ios/`, Flutter, React Native).
    pub mobile: Vec<String>,
    /// Other clients that hold tokens outside a browser: desktop apps (Tauri, Electron), IDE
    /// extensions, command-line clients.
    pub clients: Vec<String>,
    /// Identity providers and proxies named by package.json, Cargo.toml, compose or Kubernetes
    /// files.
    pub parties: Vec<Party>,
    /// Store crates locked in Cargo.lock, or declared in a Cargo.toml when no Cargo.lock is
    /// committed.
    pub stores: Vec<String>,
    /// Server frameworks (`crate::manifest`'s list) locked in Cargo.lock or declared.
    pub frameworks: Vec<String>,
    /// Session crates (actix-session, tower-sessions, ...) locked or declared.
    pub session_crates: Vec<String>,
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
pub(super) const STORE_CRATES: &[&str] = &[
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
/// Crates that keep server-side sessions.
pub(super) const SESSION_CRATES: &[&str] = &[
    "actix-session",
    "tower-sessions",
    "axum-sessions",
    "async-session",
    "axum_session",
    "salvo-session",
    "rocket_session_store",
];
impl ProjectContext {
    /// Builds the context from the walk's marker paths (relative to the walked root, each with
    /// its real path) and the Cargo.lock files; `cwd` makes application folders read as report
    /// paths do.
    pub fn build(info: &ProjectInfo, markers: &[(String, PathBuf)], cwd: &Path) -> Self {
        let mut b = super::markers::Builder::new(info, cwd);
        for versions in info.lockfiles.values() {
            b.locked(versions.keys().map(String::as_str));
        }
        for (rel, abs) in markers {
            if rel.split('/').any(|c| NOT_SERVICE_DIRS.contains(&c)) {
                continue;
            }
            b.marker(rel, abs);
        }
        b.finish()
    }
}

/// The Deployments and StatefulSets in a Kubernetes manifest, by `metadata.name`. Databases and
/// caches (postgres, redis, ...) are infrastructure, not services that trust a login.
pub(super) fn kubernetes_deployments(text: &str) -> Vec<String> {
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
    fn kubernetes_deployments_are_services_databases_are_not() {
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders-api\nspec: {}\n---\nkind: StatefulSet\nmetadata:\n  name: redis\n---\nkind: Service\nmetadata:\n  name: orders\n";
        assert_eq!(
            kubernetes_deployments(yaml),
            ["Kubernetes deployment `orders-api`"]
        );
    }
}
