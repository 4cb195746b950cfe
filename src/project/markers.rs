//! Reads each marker file the walk found (main.rs, package.json, compose files, Kubernetes
//! manifests, mobile project files) into the project context: which applications are deployed,
//! which clients hold tokens outside a browser, who else holds the login.
use super::context::{Application, Party, ProjectContext, SESSION_CRATES, STORE_CRATES};
use crate::analyzers::ProjectInfo;
use crate::analyzers::config::compose::{self, normalise};
use crate::analyzers::config::kubernetes::{self, Workload};
use crate::manifest::SERVER_CRATES;
use crate::providers::{self, Holder};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub(super) struct Builder<'a> {
    info: &'a ProjectInfo,
    cwd: &'a Path,
    locked: BTreeSet<String>,
    declared: BTreeSet<String>,
    /// Applications by folder (report path).
    apps: Vec<(Application, Origin)>,
    /// What is built here, by image or crate name, with the folder that builds it: a compose
    /// service's image, a Dockerfile's folder, a server crate.
    built: Vec<(String, String)>,
    /// The Deployments and StatefulSets of the manifests (each with its file as report paths
    /// write it), matched with what is built here once every marker is read.
    workloads: Vec<(String, Workload)>,
    mobile: BTreeSet<String>,
    clients: BTreeSet<String>,
    parties: BTreeSet<Party>,
}

/// Where an application was found: a crate or a JS app names it better than the compose service
/// that builds the same folder.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    Code,
    Compose,
    Kubernetes,
}

impl<'a> Builder<'a> {
    pub(super) fn new(info: &'a ProjectInfo, cwd: &'a Path) -> Self {
        Builder {
            info,
            cwd,
            locked: BTreeSet::new(),
            declared: BTreeSet::new(),
            apps: Vec::new(),
            built: Vec::new(),
            workloads: Vec::new(),
            mobile: BTreeSet::new(),
            clients: BTreeSet::new(),
            parties: BTreeSet::new(),
        }
    }

    pub(super) fn locked<'n>(&mut self, names: impl Iterator<Item = &'n str>) {
        self.locked.extend(names.map(str::to_string));
    }

    fn dir(&self, abs: &Path) -> String {
        crate::discover::display_path(abs, self.cwd)
    }

    pub(super) fn marker(&mut self, rel: &str, abs: &Path) {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        match name {
            "main.rs" if dir == "src" || dir.ends_with("/src") => {
                let pkg = dir.trim_end_matches("src").trim_end_matches('/');
                if let Some(crate_dir) = abs.parent().and_then(Path::parent) {
                    self.binary(pkg, crate_dir);
                }
            }
            "AndroidManifest.xml" | "build.gradle" | "build.gradle.kts"
                if rel.starts_with("android/") || rel.contains("/android/") =>
            {
                self.mobile.insert("android/".to_string());
            }
            "Info.plist" | "Podfile" if rel.starts_with("ios/") || rel.contains("/ios/") => {
                self.mobile.insert("ios/".to_string());
            }
            "pubspec.yaml" => {
                self.mobile.insert(format!("Flutter ({rel})"));
            }
            "package.json" => self.package_json(rel, dir, abs),
            "Dockerfile" => {
                if let Some(folder) = abs.parent() {
                    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned());
                    let dir = self.dir(folder);
                    self.built.extend(name.map(|n| (n, dir)));
                }
            }
            _ if crate::discover::is_compose_file(name) => {
                if let Some(text) = crate::reader::project_file(abs) {
                    self.compose(abs, &text);
                }
            }
            _ if name.ends_with(".yaml") || name.ends_with(".yml") => {
                if let Some(text) = crate::reader::project_file(abs) {
                    let shown = self.dir(abs);
                    for w in kubernetes::workloads(&text) {
                        self.workloads.push((shown.clone(), w));
                    }
                    self.deployment_lines(&shown, &text, &[], &BTreeMap::new());
                }
            }
            _ => {}
        }
    }

    /// Whether a crate reaches an HTTP client through a crate of the same repository it names
    /// by path (a CLI whose API client is its own `-client` crate).
    fn calls_http_by_path(&self, m: &crate::manifest::CrateManifest, crate_dir: &Path) -> bool {
        m.path_deps.iter().take(32).any(|p| {
            let path = crate_dir.join(p).join("Cargo.toml");
            path.is_file()
                && self
                    .info
                    .crate_manifest(&path)
                    .is_some_and(|d| d.calls_http())
        })
    }

    /// A binary crate: a service when it depends on a web framework (or its manifest cannot be
    /// read, as in small fixtures), a desktop app with Tauri, a command-line client with clap and
    /// an HTTP client.
    fn binary(&mut self, pkg: &str, crate_dir: &Path) {
        let shown = if pkg.is_empty() {
            "the root crate".to_string()
        } else {
            pkg.to_string()
        };
        let path = crate_dir.join("Cargo.toml");
        let manifest = if path.is_file() {
            self.info.crate_manifest(&path)
        } else {
            None
        };
        let Some(m) = manifest else {
            self.code_app(shown, crate_dir);
            return;
        };
        for krate in STORE_CRATES
            .iter()
            .chain(SESSION_CRATES)
            .chain(SERVER_CRATES)
        {
            if m.ships(krate) {
                self.declared.insert(krate.to_string());
            }
        }
        let shown_manifest = self.dir(&path);
        for (dep, line) in &m.deps {
            if let Some((name, holder)) = providers::crate_dependency(dep) {
                self.party(name, holder, format!("{shown_manifest}:{line}"));
            }
        }
        if !m.servers.is_empty() {
            if let Some(name) = &m.name {
                self.built.push((name.clone(), self.dir(crate_dir)));
            }
            self.code_app(shown, crate_dir);
        } else if m.ships("tauri") {
            self.clients
                .insert(format!("a desktop app (Tauri, {shown})"));
        } else if m.is_cli() || (m.parses_arguments() && self.calls_http_by_path(&m, crate_dir)) {
            self.clients
                .insert(format!("a command-line client ({shown})"));
        }
    }

    fn code_app(&mut self, name: String, dir: &Path) {
        let dir = self.dir(dir);
        let app = Application {
            name,
            dir,
            ..Application::default()
        };
        self.apps.push((app, Origin::Code));
    }

    fn package_json(&mut self, rel: &str, dir: &str, abs: &Path) {
        let Some(text) = crate::reader::project_file(abs) else {
            return;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        let deps: Vec<&str> = ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .filter_map(|k| v.get(k).and_then(|d| d.as_object()))
            .flat_map(|o| o.keys().map(String::as_str))
            .collect();
        let has = |d: &str| deps.contains(&d);
        let shown = if dir.is_empty() { "the root app" } else { dir };
        if has("react-native") {
            self.mobile.insert(format!("React Native ({rel})"));
        }
        if has("electron") {
            self.clients
                .insert(format!("a desktop app (Electron, {shown})"));
        }
        if v.pointer("/engines/vscode").is_some() || has("@types/vscode") {
            self.clients.insert(format!("an IDE extension ({shown})"));
        }
        if (has("next") || has("@sveltejs/kit"))
            && let Some(folder) = abs.parent()
        {
            self.code_app(shown.to_string(), folder);
        }
        for dep in deps {
            if let Some((name, holder)) = providers::npm_package(dep) {
                let line = line_of(&text, &format!("\"{dep}\""));
                self.party(name, holder, format!("{}:{line}", self.dir(abs)));
            }
        }
    }

    /// Compose services built here that serve HTTP (they publish or expose a port): a service
    /// that only builds a client SDK or runs a job is not one. Images of identity providers and
    /// proxies, and forward-auth labels, say who holds the login.
    fn compose(&mut self, abs: &Path, text: &str) {
        let base = abs.parent().unwrap_or(Path::new("."));
        let shown = self.dir(abs);
        let services = compose::services(text);
        let mut app_dirs = BTreeMap::new();
        for s in &services {
            let Some(context) = &s.context else {
                continue;
            };
            let dir = self.dir(&normalise(&base.join(context)));
            if let Some(image) = &s.image {
                self.built.push((image_name(image), dir.clone()));
            }
            if s.serves {
                let app = Application {
                    name: format!("compose service `{}`", s.name),
                    dir: dir.clone(),
                    config: vec![(shown.clone(), s.lines.0, s.lines.1)],
                    token_keys: token_keys(&s.env),
                };
                self.apps.push((app, Origin::Compose));
                app_dirs.insert(s.name.as_str(), dir);
            }
        }
        self.deployment_lines(&shown, text, &services, &app_dirs);
    }

    /// The providers and proxies a compose file or manifest names, line by line (`shown`: the
    /// file as report paths write it). One in the block of a compose service that is not built
    /// here is given to the applications whose services depend on it or name its host.
    fn deployment_lines(
        &mut self,
        shown: &str,
        text: &str,
        services: &[compose::Service],
        app_dirs: &BTreeMap<&str, String>,
    ) {
        for (i, line) in text.lines().enumerate() {
            let Some((name, holder)) = providers::deployment_line(line) else {
                continue;
            };
            let n = i + 1;
            let host = services
                .iter()
                .find(|s| s.context.is_none() && (s.lines.0..=s.lines.1).contains(&n));
            let users = host.map_or_else(Vec::new, |h| {
                services
                    .iter()
                    .filter(|s| {
                        s.depends_on.contains(&h.name)
                            || s.env.iter().any(|(_, v)| names_host(v, &h.name))
                    })
                    .filter_map(|s| app_dirs.get(s.name.as_str()).cloned())
                    .collect()
            });
            self.parties.insert(Party {
                name: name.to_string(),
                proxy: holder == Holder::Proxy,
                at: format!("{shown}:{n}"),
                users,
            });
        }
    }

    fn party(&mut self, name: &str, holder: Holder, at: String) {
        self.parties.insert(Party {
            name: name.to_string(),
            proxy: holder == Holder::Proxy,
            at,
            users: Vec::new(),
        });
    }

    /// Each Deployment of an image built here is an application: in the folder that builds the
    /// image, configured by its manifest. A Deployment of someone else's image (a database, a
    /// provider) is not one.
    fn deployments(&mut self) {
        for (shown, w) in std::mem::take(&mut self.workloads) {
            let built = w.images.iter().find_map(|i| {
                let name = image_name(i);
                self.built
                    .iter()
                    .find(|(b, _)| same_name(b, &name))
                    .map(|(_, dir)| dir.clone())
            });
            let Some(dir) = built else {
                continue;
            };
            let app = Application {
                name: format!("Kubernetes deployment `{}`", w.name),
                dir,
                config: vec![(shown, w.lines.0, w.lines.1)],
                token_keys: token_keys(&w.env),
            };
            self.apps.push((app, Origin::Kubernetes));
        }
    }

    /// A compose service or Deployment built from a folder that holds applications of code (a
    /// workspace root built with `context: ../..`) builds one of them, not an application of its
    /// own: what it configures is that application's when there is only one, else shared.
    fn builds_of_code(&mut self) {
        let inside = |outer: &str, inner: &str| {
            outer != inner && (outer == "." || inner.starts_with(&format!("{outer}/")))
        };
        let code: Vec<String> = self
            .apps
            .iter()
            .filter(|(_, o)| *o == Origin::Code)
            .map(|(a, _)| a.dir.clone())
            .collect();
        let mut moved = Vec::new();
        self.apps.retain(|(a, o)| {
            let below: Vec<&String> = code.iter().filter(|c| inside(&a.dir, c)).collect();
            if *o == Origin::Code || below.is_empty() {
                return true;
            }
            if let [only] = below[..] {
                moved.push((only.clone(), a.config.clone(), a.token_keys.clone()));
            }
            false
        });
        for (dir, config, keys) in moved {
            if let Some((a, _)) = self.apps.iter_mut().find(|(a, _)| a.dir == dir) {
                a.config.extend(config);
                a.token_keys.extend(keys);
            }
        }
    }

    pub(super) fn finish(mut self) -> ProjectContext {
        self.deployments();
        self.builds_of_code();
        // One folder, one application: the crate or JS app names it, not the compose service
        // or Deployment that builds it; what they configure is its.
        self.apps
            .sort_by(|a, b| (&a.0.dir, a.1).cmp(&(&b.0.dir, b.1)));
        let mut apps: Vec<Application> = Vec::new();
        for (a, _) in std::mem::take(&mut self.apps) {
            match apps.last_mut() {
                Some(kept) if kept.dir == a.dir => {
                    kept.config.extend(a.config);
                    kept.token_keys.extend(a.token_keys);
                    kept.token_keys.sort();
                    kept.token_keys.dedup();
                }
                _ => apps.push(a),
            }
        }
        // What a manifest declares will be locked, with or without a committed Cargo.lock.
        let pick = |list: &[&str]| -> Vec<String> {
            list.iter()
                .filter(|c| self.declared.contains(**c) || self.locked.contains(**c))
                .map(|c| c.to_string())
                .collect()
        };
        let mut names: Vec<String> = apps.iter().map(|a| a.name.clone()).collect();
        names.sort();
        names.dedup();
        ProjectContext {
            services: names.len(),
            service_names: names,
            applications: apps,
            mobile: self.mobile.into_iter().collect(),
            clients: self.clients.into_iter().collect(),
            parties: self.parties.into_iter().collect(),
            stores: pick(STORE_CRATES),
            frameworks: pick(SERVER_CRATES),
            session_crates: pick(SESSION_CRATES),
            cwd: self.cwd.to_path_buf(),
        }
    }
}

/// The 1-based line of the first occurrence of `needle` (1 when absent).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// An image's name without registry, owner, tag or digest (`ghcr.io/acme/orders:1.4` →
/// `orders`).
fn image_name(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split(':').next().unwrap_or(last).to_string()
}

/// Image, folder and crate names compare without case, `_` read as `-`.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    !a.is_empty() && norm(a) == norm(b)
}

/// The values given under token-key names (`JWT_SECRET`, `JWKS_URL`), as written.
fn token_keys(env: &[(String, String)]) -> Vec<String> {
    let mut keys: Vec<String> = env
        .iter()
        .filter(|(k, v)| !v.trim().is_empty() && crate::analyzers::config::is_token_key_name(k))
        .map(|(_, v)| v.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Whether a value names `host` as a URL's host (`http://keycloak:8080/realms/x`).
fn names_host(value: &str, host: &str) -> bool {
    value.match_indices(&format!("//{host}")).any(|(at, m)| {
        value[at + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ':' | '/'))
    })
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

impl ProjectContext {
    /// Builds the context from the walk's marker paths (relative to the walked root, each with
    /// its real path) and the Cargo.lock files; `cwd` makes application folders read as report
    /// paths do.
    pub fn build(info: &ProjectInfo, markers: &[(String, PathBuf)], cwd: &Path) -> Self {
        let mut b = Builder::new(info, cwd);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_of_the_workspace_root_is_the_crate_it_builds() {
        let cwd = Path::new("/p");
        let info = ProjectInfo::default();
        let mut b = Builder::new(&info, cwd);
        b.apps.push((
            Application {
                name: "compose service `server`".into(),
                dir: ".".into(),
                config: vec![("docker/compose.yml".into(), 3, 8)],
                token_keys: Vec::new(),
            },
            Origin::Compose,
        ));
        b.code_app("crates/server".into(), Path::new("/p/crates/server"));
        let ctx = b.finish();
        assert_eq!(ctx.service_names, ["crates/server"]);
        assert!(ctx.applications[0].configures("docker/compose.yml", 4));
    }

    #[test]
    fn one_folder_is_one_application() {
        let cwd = Path::new("/p");
        let info = ProjectInfo::default();
        let mut b = Builder::new(&info, cwd);
        b.apps.push((
            Application {
                name: "compose service `app`".into(),
                dir: ".".into(),
                config: vec![("docker-compose.yml".into(), 2, 9)],
                token_keys: vec!["${JWT_SECRET}".into()],
            },
            Origin::Compose,
        ));
        b.code_app("the root crate".into(), Path::new("/p"));
        let ctx = b.finish();
        assert_eq!(ctx.service_names, ["the root crate"]);
        // What the compose service configures is the crate's.
        assert!(ctx.applications[0].configures("docker-compose.yml", 5));
        assert_eq!(ctx.applications[0].token_keys, ["${JWT_SECRET}"]);
    }
}
