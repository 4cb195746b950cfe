//! Reads each marker file the walk found (main.rs, package.json, compose files, Kubernetes
//! manifests, mobile project files) into the project context: which applications are deployed,
//! which clients hold tokens outside a browser, who else holds the login.
use super::context::{
    Application, FRAMEWORKS, Party, ProjectContext, SERVER_CRATES, SESSION_CRATES, STORE_CRATES,
    crate_dependencies, declares, kubernetes_deployments,
};
use crate::analyzers::config::compose::normalise;
use crate::providers::{self, Holder};
use std::collections::BTreeSet;
use std::path::Path;

pub(super) struct Builder<'a> {
    cwd: &'a Path,
    locked: BTreeSet<String>,
    declared: BTreeSet<String>,
    /// Applications by folder (report path), and Kubernetes Deployments (no folder).
    apps: Vec<(Application, Origin)>,
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
    pub(super) fn new(cwd: &'a Path) -> Self {
        Builder {
            cwd,
            locked: BTreeSet::new(),
            declared: BTreeSet::new(),
            apps: Vec::new(),
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
            "docker-compose.yml" | "docker-compose.yaml" | "compose.yml" | "compose.yaml" => {
                if let Some(text) = crate::reader::project_file(abs) {
                    self.compose(abs, &text);
                }
            }
            _ if name.ends_with(".yaml") || name.ends_with(".yml") => {
                if let Some(text) = crate::reader::project_file(abs) {
                    for d in kubernetes_deployments(&text) {
                        let app = Application {
                            name: d,
                            dir: String::new(),
                        };
                        self.apps.push((app, Origin::Kubernetes));
                    }
                    self.deployment_lines(&self.dir(abs), &text);
                }
            }
            _ => {}
        }
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
        let Some(deps) = crate_dependencies(crate_dir) else {
            self.code_app(shown, crate_dir);
            return;
        };
        for krate in STORE_CRATES.iter().chain(SESSION_CRATES).chain(FRAMEWORKS) {
            if declares(&deps, krate).is_some() {
                self.declared.insert(krate.to_string());
            }
        }
        let manifest = match self.dir(crate_dir).as_str() {
            "." => "Cargo.toml".to_string(),
            d => format!("{d}/Cargo.toml"),
        };
        for (line, l) in deps.lines().enumerate() {
            let dep = l.trim().split(['=', ' ', '.']).next().unwrap_or("");
            if let Some((name, holder)) = providers::crate_dependency(dep) {
                self.party(name, holder, format!("{manifest}:{}", line + 1));
            }
        }
        if SERVER_CRATES.iter().any(|c| declares(&deps, c).is_some()) {
            self.code_app(shown, crate_dir);
        } else if declares(&deps, "tauri").is_some() {
            self.clients
                .insert(format!("a desktop app (Tauri, {shown})"));
        } else if declares(&deps, "clap").is_some() && calls_http(&deps, crate_dir) {
            self.clients
                .insert(format!("a command-line client ({shown})"));
        }
    }

    fn code_app(&mut self, name: String, dir: &Path) {
        let dir = self.dir(dir);
        self.apps.push((Application { name, dir }, Origin::Code));
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
        for s in compose_services(text) {
            if let (Some(context), true) = (&s.context, s.serves) {
                let folder = normalise(&base.join(context));
                let app = Application {
                    name: format!("compose service `{}`", s.name),
                    dir: self.dir(&folder),
                };
                self.apps.push((app, Origin::Compose));
            }
        }
        self.deployment_lines(&self.dir(abs), text);
    }

    /// `shown`: the file as report paths write it.
    fn deployment_lines(&mut self, shown: &str, text: &str) {
        for (i, line) in text.lines().enumerate() {
            if let Some((name, holder)) = providers::deployment_line(line) {
                self.party(name, holder, format!("{shown}:{}", i + 1));
            }
        }
    }

    fn party(&mut self, name: &str, holder: Holder, at: String) {
        self.parties.insert(Party {
            name: name.to_string(),
            proxy: holder == Holder::Proxy,
            at,
        });
    }

    pub(super) fn finish(mut self) -> ProjectContext {
        // One folder, one application: the crate or JS app names it, not the compose service
        // that builds it.
        self.apps
            .sort_by(|a, b| (&a.0.dir, a.1).cmp(&(&b.0.dir, b.1)));
        let mut seen = BTreeSet::new();
        let apps: Vec<Application> = self
            .apps
            .into_iter()
            .filter(|(a, _)| a.dir.is_empty() || seen.insert(a.dir.clone()))
            .map(|(a, _)| a)
            .collect();
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
            frameworks: pick(FRAMEWORKS),
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

/// One service of a compose file, as far as the verdict needs it.
#[derive(Debug, PartialEq, Eq)]
struct ComposeService {
    name: String,
    /// The build context (`build: ./api`, `build: { context: . }`); `None` for pulled images.
    context: Option<String>,
    /// It publishes or exposes a port, or a proxy routes to it (Traefik labels).
    serves: bool,
}

/// The services of a compose file with their build context and whether they serve HTTP, read
/// line by line (the keys the verdict needs are plain two- and four-space YAML in practice).
fn compose_services(text: &str) -> Vec<ComposeService> {
    let mut out: Vec<ComposeService> = Vec::new();
    let mut in_services = false;
    let mut service_indent = None;
    let mut in_build = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        let body = trimmed.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - body.len();
        if indent == 0 {
            in_services = trimmed == "services:";
            service_indent = None;
            continue;
        }
        if !in_services {
            continue;
        }
        if service_indent.is_none_or(|i| indent <= i) && body.ends_with(':') {
            service_indent = Some(indent);
            in_build = false;
            out.push(ComposeService {
                name: body
                    .trim_end_matches(':')
                    .trim_matches(['"', '\''])
                    .to_string(),
                context: None,
                serves: false,
            });
            continue;
        }
        let Some(s) = out.last_mut() else {
            continue;
        };
        let value = |key: &str| {
            body.strip_prefix(key)
                .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        };
        if let Some(v) = value("build:") {
            in_build = v.is_empty();
            if !in_build {
                s.context = Some(v);
            }
        } else if in_build && let Some(v) = value("context:") {
            s.context = Some(v);
        } else if body.starts_with("ports:")
            || body.starts_with("expose:")
            || body.contains("traefik.http.routers")
        {
            s.serves = true;
        }
        if in_build
            && s.context.is_none()
            && !body.starts_with("build:")
            && !body.starts_with("context:")
        {
            // `build:` with only a dockerfile or args: the compose file's folder.
            s.context = Some(".".into());
        }
    }
    out
}

/// HTTP client crates: a command-line binary with one calls an API.
const HTTP_CLIENTS: &[&str] = &["reqwest", "ureq"];

/// Whether a crate's dependencies hold an HTTP client, directly or through a crate of the same
/// repository it names by path (a CLI whose API client is its own `-client` crate).
fn calls_http(deps: &str, crate_dir: &Path) -> bool {
    let direct = |deps: &str| HTTP_CLIENTS.iter().any(|c| declares(deps, c).is_some());
    direct(deps)
        || deps
            .lines()
            .filter_map(path_dependency)
            .take(32)
            .filter_map(|p| crate_dependencies(&crate_dir.join(p)))
            .any(|d| direct(&d))
}

/// The folder of a path dependency (`atuin-client = { path = "../atuin-client" }`).
fn path_dependency(line: &str) -> Option<&str> {
    let rest = line.split("path").nth(1)?.trim_start().strip_prefix('=')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    rest.split('"').next().filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_services_built_here_that_serve() {
        let yaml = "version: '3'\nservices:\n  api:\n    build: ./api\n    ports:\n      - \"8080:8080\"\n  worker:\n    build:\n      context: .\n    expose: [\"9000\"]\n  sdk-gen:\n    build: ./clients\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\nvolumes:\n  data:\n";
        let s = compose_services(yaml);
        let summary: Vec<(&str, Option<&str>, bool)> = s
            .iter()
            .map(|s| (s.name.as_str(), s.context.as_deref(), s.serves))
            .collect();
        assert_eq!(
            summary,
            [
                ("api", Some("./api"), true),
                ("worker", Some("."), true),
                ("sdk-gen", Some("./clients"), false),
                ("db", None, true),
            ]
        );
    }

    #[test]
    fn one_folder_is_one_application() {
        let cwd = Path::new("/p");
        let mut b = Builder::new(cwd);
        b.apps.push((
            Application {
                name: "compose service `app`".into(),
                dir: ".".into(),
            },
            Origin::Compose,
        ));
        b.code_app("the root crate".into(), Path::new("/p"));
        let ctx = b.finish();
        assert_eq!(ctx.service_names, ["the root crate"]);
    }

    #[test]
    fn manifests_declare_stores_when_nothing_is_locked() {
        let deps = "[package]\nname = \"x\"\n[dependencies]\nsqlx = { version = \"0.8\" }\nredis.workspace = true\nserde = \"1\"\n";
        assert!(declares(deps, "sqlx").is_some());
        assert!(declares(deps, "redis").is_some());
        assert!(declares(deps, "serde_json").is_none());
    }
}
