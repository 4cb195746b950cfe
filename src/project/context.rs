//! What the design verdict needs to know about the project as a whole, read from the walk's
//! marker files: the applications (deployable units), the clients, who else holds the login, and
//! the stores and frameworks locked.
use std::path::PathBuf;

/// A deployable unit: a binary crate that depends on a web framework, a compose service built
/// here that serves HTTP, a Next.js or SvelteKit app, a Kubernetes Deployment of an image built
/// here.
#[derive(Debug, Default, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Application {
    /// How reports name it (`api`, `the root crate`, `compose service `web``).
    pub name: String,
    /// Its folder as report paths write it (`.` for the working directory); empty when it is not
    /// known.
    pub dir: String,
    /// The parts of deployment files that configure it: a compose service's block, a
    /// Kubernetes Deployment (`path`, first and last line). What they say (an `env:` lifetime,
    /// a provider's URL) is its own, though the file sits outside its folder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<(String, usize, usize)>,
    /// What its deployment gives it to sign or check tokens with, by where the value comes
    /// from (`${JWT_SECRET}`, `secret `auth-jwt` key `signing``): two applications given the
    /// same one verify the same tokens.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub token_keys: Vec<String>,
}

impl Application {
    /// Whether a file (a report path) belongs to this application.
    pub fn holds(&self, path: &str) -> bool {
        !self.dir.is_empty()
            && (self.dir == "." || path.starts_with(&format!("{}/", self.dir)) || path == self.dir)
    }

    /// Whether a line of a deployment file configures this application.
    pub fn configures(&self, path: &str, line: usize) -> bool {
        self.config
            .iter()
            .any(|(p, first, last)| p == path && (*first..=*last).contains(&line))
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
    /// The folders of the applications whose compose services depend on its container or
    /// name its host; empty when no service does (it is then the project's, where it is named).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

impl Party {
    /// The file and line that name it.
    pub fn place(&self) -> (&str, usize) {
        match self.at.rsplit_once(':') {
            Some((path, line)) => (path, line.parse().unwrap_or(0)),
            None => (&self.at, 0),
        }
    }
}

/// What the design verdict needs to know about the project as a whole.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ProjectContext {
    /// The deployable units, deduplicated (a compose service built from a crate's folder is that
    /// crate).
    pub applications: Vec<Application>,
    /// The applications by name: the verdict says they trust one login only when they verify
    /// the same tokens.
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
