//! What a crate is for, read from its Cargo.toml (and what a Node package is for, from its
//! package.json, [`NodePackage`]): a server (it depends on a web or RPC server
//! framework) or a client (a CLI with an HTTP client, a desktop app, a WASM front end), or
//! neither that can be told. Rules use it to judge code by where it runs: an unverified JWT decode
//! in a CLI reads the user's own token, the same call in an axum service decides who the caller is.
//!
//! Only `[dependencies]` and `[target.*.dependencies]` count (dev and build dependencies never run
//! in the shipped crate); a renamed dependency counts by its `package`. A crate is a server as soon
//! as any server crate is listed, optional or not: a leptos or dioxus app whose `ssr`/`server`
//! feature pulls in axum or actix serves requests in that build.
use std::path::{Path, PathBuf};

/// The largest manifest read; real ones are a few KiB.
const MAX_MANIFEST_BYTES: u64 = 512 * 1024;

/// Crates that make the crate serve requests.
pub(crate) const SERVER_CRATES: &[&str] = &[
    "axum",
    "axum-server",
    "actix-web",
    "rocket",
    "poem",
    "warp",
    "salvo",
    "tide",
    "tower-http",
    "loco-rs",
    "ntex",
    "gotham",
    "pavex",
    "lambda_http",
    "leptos_axum",
    "leptos_actix",
    "dioxus-fullstack",
    "dioxus-server",
    "trillium",
    "viz",
];

/// HTTP clients: with a command-line parser, the crate is a CLI talking to a server.
const HTTP_CLIENTS: &[&str] = &[
    "reqwest",
    "ureq",
    "surf",
    "isahc",
    "attohttpc",
    "minreq",
    "oauth2",
];
const CLI_PARSERS: &[&str] = &[
    "clap",
    "structopt",
    "argh",
    "pico-args",
    "lexopt",
    "bpaf",
    "gumdrop",
];
/// Desktop GUI and WASM front-end crates: the crate runs on the user's machine or in the browser.
const FRONT_ENDS: &[&str] = &[
    "yew",
    "leptos",
    "dioxus",
    "dioxus-web",
    "dioxus-desktop",
    "sycamore",
    "seed",
    "web-sys",
    "gloo",
    "gloo-net",
    "gloo-storage",
    "wasm-bindgen",
    "tauri",
    "eframe",
    "egui",
    "iced",
    "gtk",
    "gtk4",
    "relm4",
    "slint",
    "druid",
    "fltk",
    "freya",
];

/// What a Cargo.toml says about where its crate runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateManifest {
    /// `[package] name`, when given.
    pub name: Option<String>,
    /// The server frameworks it depends on (empty: it serves no requests).
    pub servers: Vec<String>,
    /// When it is a client and no server: the dependencies that say so (`reqwest`, `clap`).
    pub client: Vec<String>,
    /// Every dependency that ships with it, by its real name, with the 1-based line of the
    /// manifest that declares it (0 when it cannot be told).
    pub deps: Vec<(String, usize)>,
    /// The folders of its path dependencies (`atuin-client = { path = "../atuin-client" }`),
    /// relative to the crate.
    pub path_deps: Vec<String>,
}

impl CrateManifest {
    /// Whether the crate is client code: it depends on a client stack and on no server framework.
    pub fn is_client(&self) -> bool {
        self.servers.is_empty() && !self.client.is_empty()
    }

    /// A command-line client: a client with an argument parser (and an HTTP client).
    pub fn is_cli(&self) -> bool {
        self.is_client()
            && self
                .client
                .iter()
                .any(|c| CLI_PARSERS.contains(&c.as_str()))
    }

    pub fn ships(&self, krate: &str) -> bool {
        self.deps.iter().any(|(d, _)| d == krate)
    }

    /// It has an argument parser (clap, argh, …), whatever else it depends on.
    pub fn parses_arguments(&self) -> bool {
        CLI_PARSERS.iter().any(|c| self.ships(c))
    }

    /// It depends on an HTTP client crate itself.
    pub fn calls_http(&self) -> bool {
        HTTP_CLIENTS.iter().any(|c| self.ships(c))
    }

    /// Reads a manifest's text; `None` when it is not valid TOML or holds no `[package]` (a
    /// virtual workspace manifest says nothing about the file's crate).
    pub fn parse(text: &str) -> Option<Self> {
        let table: toml::Table = toml::from_str(text).ok()?;
        let package = table.get("package")?.as_table()?;
        let name = package
            .get("name")
            .and_then(toml::Value::as_str)
            .map(str::to_string);
        let deps = shipped_deps(&table);
        let has = |n: &str| deps.iter().any(|(d, ..)| d == n);
        let mut servers: Vec<String> = deps
            .iter()
            .filter(|(d, v, _)| is_server_dep(d, *v))
            .map(|(d, ..)| d.clone())
            .collect();
        // A leptos or dioxus app with a server build: `ssr = ["leptos/ssr", "dep:leptos_axum"]`,
        // `server = ["dioxus/server"]`.
        if (has("leptos") || has("dioxus"))
            && let Some(features) = table.get("features").and_then(toml::Value::as_table)
            && features.keys().any(|k| k == "ssr" || k == "server")
        {
            servers.push(
                if has("leptos") {
                    "leptos (ssr)"
                } else {
                    "dioxus (server)"
                }
                .into(),
            );
        }
        servers.sort();
        servers.dedup();
        let http = HTTP_CLIENTS.iter().find(|c| has(c));
        let cli = CLI_PARSERS.iter().find(|c| has(c));
        let mut client: Vec<String> = FRONT_ENDS
            .iter()
            .filter(|c| has(c))
            .map(|c| c.to_string())
            .collect();
        if let (Some(h), Some(c)) = (http, cli) {
            client.push(h.to_string());
            client.push(c.to_string());
        }
        let path_deps = deps
            .iter()
            .filter_map(|(_, v, _)| (*v)?.get("path")?.as_str())
            .map(str::to_string)
            .collect();
        let deps = deps
            .iter()
            .map(|(d, _, key)| (d.clone(), line_of_key(text, key)))
            .collect();
        Some(CrateManifest {
            name,
            servers,
            client,
            deps,
            path_deps,
        })
    }

    /// The crate and what makes it a client, as shown in messages: "`acme-cli`: reqwest, clap".
    pub fn describe_client(&self) -> String {
        let what = self.client.join(", ");
        match &self.name {
            Some(n) => format!("`{n}`: {what}"),
            None => what,
        }
    }
}

/// Node server frameworks: a package that depends on one (and on no front end) is server code.
const NODE_SERVERS: &[&str] = &[
    "express",
    "fastify",
    "hono",
    "koa",
    "@hapi/hapi",
    "@nestjs/core",
    "h3",
];
/// Full-stack frameworks whose files run on the server or in the browser by their path.
const NODE_FULL_STACK: &[&str] = &["@sveltejs/kit", "next"];
/// Browser front ends: a package with one of these ships code to the browser.
const NODE_FRONT_ENDS: &[&str] = &[
    "react",
    "react-dom",
    "vue",
    "svelte",
    "@angular/core",
    "solid-js",
    "preact",
];

/// What a package.json says about where its package's code runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodePackage {
    /// Server frameworks among its `dependencies` (`express`, `fastify`, `hono`, `koa`).
    pub servers: Vec<String>,
    /// `@sveltejs/kit` or `next`, from `dependencies` or `devDependencies` (SvelteKit apps list
    /// the kit as a dev dependency: it is bundled into the build).
    pub full_stack: Vec<String>,
    /// Browser front ends among its dependencies of either kind.
    pub front_ends: Vec<String>,
    /// Every dependency of either kind (`cookie-session`, `jsonwebtoken`).
    pub all: Vec<String>,
}

impl NodePackage {
    /// Reads a package.json's text; `None` when it is not a JSON object.
    pub fn parse(text: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let names = |key: &str| -> Vec<String> {
            v.get(key)
                .and_then(serde_json::Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        let runtime = names("dependencies");
        let mut all = runtime.clone();
        all.extend(names("devDependencies"));
        all.sort();
        all.dedup();
        let pick = |from: &[String], list: &[&str]| -> Vec<String> {
            from.iter()
                .filter(|d| list.contains(&d.as_str()))
                .cloned()
                .collect()
        };
        Some(NodePackage {
            servers: pick(&runtime, NODE_SERVERS),
            full_stack: pick(&all, NODE_FULL_STACK),
            front_ends: pick(&all, NODE_FRONT_ENDS),
            all,
        })
    }

    /// A Node service: it depends on a server framework, and on no front end or full-stack
    /// framework that would put some of its files in the browser.
    pub fn is_node_server(&self) -> bool {
        !self.servers.is_empty() && self.front_ends.is_empty() && self.full_stack.is_empty()
    }

    pub fn has(&self, dep: &str) -> bool {
        self.all.iter().any(|d| d == dep)
    }
}

/// The dependencies that ship with the crate (`[dependencies]`, `[target.*.dependencies]`; never
/// dev or build dependencies), each by its real name (a renamed one by its `package`), with its
/// value and its key as written.
fn shipped_deps(table: &toml::Table) -> Vec<(String, Option<&toml::Value>, &str)> {
    let mut tables = vec![table.get("dependencies")];
    if let Some(targets) = table.get("target").and_then(toml::Value::as_table) {
        tables.extend(targets.values().map(|t| t.get("dependencies")));
    }
    tables
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
        .flatten()
        .map(|(k, v)| {
            let real = v.get("package").and_then(toml::Value::as_str).unwrap_or(k);
            (real.to_string(), Some(v), k.as_str())
        })
        .collect()
}

/// Whether a manifest's text ships one of `crates` (see [`shipped_deps`]); `false` when it is not
/// valid TOML.
pub fn ships_any(text: &str, crates: &[&str]) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|table| {
        shipped_deps(&table)
            .iter()
            .any(|(d, ..)| crates.contains(&d.as_str()))
    })
}

/// The 1-based line that declares dependency `key` (`key = ..`, `key.workspace = true`,
/// `[dependencies.key]`), 0 when none does: where a message about the dependency points.
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches('"');
            let l = l
                .strip_prefix('[')
                .and_then(|t| t.split_once("dependencies."))
                .map_or(l, |(_, rest)| rest);
            l.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with([' ', '=', '.', '"', ']']))
        })
        .map_or(0, |i| i + 1)
}

/// Whether a dependency serves requests. hyper and tonic are clients too: hyper counts with its
/// `server` (or 0.14 `full`) feature, tonic unless its defaults (which bring the server
/// transport) are off and no server feature is asked for.
fn is_server_dep(name: &str, value: Option<&toml::Value>) -> bool {
    let features = || -> Vec<&str> {
        value
            .and_then(|v| v.get("features"))
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default()
    };
    match name {
        "hyper" => features().iter().any(|f| matches!(*f, "server" | "full")),
        "tonic" => {
            let defaults_off = value
                .and_then(|v| v.get("default-features"))
                .and_then(toml::Value::as_bool)
                == Some(false);
            !defaults_off
                || features()
                    .iter()
                    .any(|f| matches!(*f, "server" | "transport" | "router"))
        }
        _ => SERVER_CRATES.contains(&name) || name.starts_with("shuttle-"),
    }
}

/// Reads a manifest through the bounded reader: a regular file (not a symlink), at most
/// [`MAX_MANIFEST_BYTES`].
pub fn read(path: &Path) -> Option<String> {
    crate::reader::read_text(path, MAX_MANIFEST_BYTES, crate::reader::Origin::Project).ok()
}

/// Folders where the walk up for a manifest stops: a repository or configured project root.
/// Each folder is looked at once per run (every script file's imports and every Rust file's
/// manifest walk up through the same few folders: three looks each, per file, before).
fn is_project_top(dir: &Path) -> bool {
    if let Some(&known) = project_tops().get(dir.as_os_str()) {
        return known;
    }
    let top = crate::roles::STRONG_ROOT
        .iter()
        .any(|m| dir.join(m).exists());
    project_tops().insert(dir.as_os_str().to_owned(), top);
    top
}

type Tops = std::collections::HashMap<std::ffi::OsString, bool, rustc_hash::FxBuildHasher>;

fn project_tops() -> std::sync::MutexGuard<'static, Tops> {
    static TOPS: std::sync::OnceLock<std::sync::Mutex<Tops>> = std::sync::OnceLock::new();
    TOPS.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Forgets which folders are project roots: a new run looks at the disk again.
pub fn forget_project_tops() {
    project_tops().clear();
}

/// The manifest directories to try for a file, nearest first: its ancestors, never past a
/// repository or configured project root (callers stop at the first `Cargo.toml`).
pub fn candidates(file: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    file.parent().into_iter().flat_map(within_project)
}

/// `dir` and its ancestors, nearest first, up to and including the first repository or
/// configured project root: where a project's manifests and lockfiles can be, and nothing of
/// the checkout or folder it happens to sit in.
pub fn within_project(dir: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let mut stop = false;
    dir.ancestors().map_while(move |d| {
        if stop {
            return None;
        }
        stop = is_project_top(d);
        Some(d.to_path_buf())
    })
}

/// Finds Cargo.lock files in `root` and its ancestors (a workspace lock sits above members),
/// not past a repository or configured project root: a project checked inside another
/// checkout (a fixture, a vendored crate) is judged by its own lockfile, not the outer one.
pub fn ancestor_lockfiles(root: &Path) -> Vec<PathBuf> {
    within_project(root)
        .map(|d| d.join("Cargo.lock"))
        .filter(|p| p.is_file())
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(deps: &str) -> (Vec<String>, bool) {
        let m = CrateManifest::parse(&format!("[package]\nname = \"x\"\n{deps}")).unwrap();
        (m.servers.clone(), m.is_client())
    }

    #[test]
    fn server_and_client_crates() {
        let table: &[(&str, &[&str], bool)] = &[
            // A CLI: an HTTP client and an argument parser.
            (
                "[dependencies]\nclap = \"4\"\nreqwest = { version = \"0.12\" }\n",
                &[],
                true,
            ),
            // The same CLI with an axum server is a server.
            (
                "[dependencies]\nclap = \"4\"\nreqwest = \"0.12\"\naxum.workspace = true\n",
                &["axum"],
                false,
            ),
            // An HTTP client alone may be a library servers use: not known to be a client.
            ("[dependencies]\nreqwest = \"0.12\"\n", &[], false),
            // Front ends and desktop apps.
            (
                "[dependencies]\nyew = \"0.21\"\ngloo = \"0.11\"\n",
                &[],
                true,
            ),
            ("[dependencies]\ntauri = \"2\"\n", &[], true),
            (
                "[target.'cfg(target_arch = \"wasm32\")'.dependencies]\nweb-sys = \"0.3\"\n",
                &[],
                true,
            ),
            // Leptos with a server build.
            (
                "[dependencies]\nleptos = \"0.7\"\naxum = { version = \"0.7\", optional = true }\n[features]\nssr = [\"dep:axum\", \"leptos/ssr\"]\n",
                &["axum", "leptos (ssr)"],
                false,
            ),
            (
                "[dependencies]\ndioxus = { version = \"0.6\", features = [\"fullstack\"] }\n[features]\nweb = [\"dioxus/web\"]\nserver = [\"dioxus/server\"]\n",
                &["dioxus (server)"],
                false,
            ),
            // A renamed dependency counts by its package.
            (
                "[dependencies]\nweb = { package = \"actix-web\", version = \"4\" }\n",
                &["actix-web"],
                false,
            ),
            // hyper and tonic: clients unless their server side is enabled.
            (
                "[dependencies]\nhyper = { version = \"1\", features = [\"client\", \"http1\"] }\n",
                &[],
                false,
            ),
            (
                "[dependencies]\nhyper = { version = \"1\", features = [\"server\"] }\n",
                &["hyper"],
                false,
            ),
            (
                "[dependencies]\ntonic = { version = \"0.12\", default-features = false, features = [\"codegen\", \"prost\", \"channel\"] }\nclap = \"4\"\nreqwest = \"0.12\"\n",
                &[],
                true,
            ),
            ("[dependencies]\ntonic = \"0.12\"\n", &["tonic"], false),
            (
                "[dependencies]\nshuttle-runtime = \"0.47\"\n",
                &["shuttle-runtime"],
                false,
            ),
            // Dev dependencies never ship.
            (
                "[dependencies]\nclap = \"4\"\nreqwest = \"0.12\"\n[dev-dependencies]\naxum = \"0.7\"\n",
                &[],
                true,
            ),
        ];
        for (deps, servers, client) in table {
            assert_eq!(
                kind(deps),
                (servers.iter().map(|s| s.to_string()).collect(), *client),
                "{deps}"
            );
        }
    }

    #[test]
    fn node_packages() {
        let p = |t: &str| NodePackage::parse(t).unwrap();
        let api = p(r#"{"dependencies": {"express": "^4", "jsonwebtoken": "^9"}}"#);
        assert!(api.is_node_server());
        assert!(api.has("jsonwebtoken"));
        // A dev dependency does not serve requests; a front end or SvelteKit app is judged per file.
        assert!(!p(r#"{"devDependencies": {"express": "^4"}}"#).is_node_server());
        assert!(!p(r#"{"dependencies": {"express": "^4", "react": "^18"}}"#).is_node_server());
        let kit =
            p(r#"{"devDependencies": {"@sveltejs/kit": "^2"}, "dependencies": {"hono": "^4"}}"#);
        assert!(!kit.is_node_server());
        assert_eq!(kit.full_stack, ["@sveltejs/kit"]);
        assert_eq!(NodePackage::parse("[1, 2"), None);
    }

    #[test]
    fn shipped_dependencies_with_their_lines() {
        let m = CrateManifest::parse("[package]\nname = \"x\"\n[dependencies]\nsqlx = { version = \"0.8\" }\nredis.workspace = true\n\n[dependencies.keycloak]\nversion = \"26\"\n[dev-dependencies]\nmongodb = \"3\"\n").unwrap();
        assert_eq!(
            m.deps,
            [
                ("keycloak".to_string(), 7),
                ("redis".to_string(), 5),
                ("sqlx".to_string(), 4)
            ]
        );
        assert!(m.ships("sqlx") && !m.ships("mongodb") && !m.ships("sql"));
    }

    #[test]
    fn unreadable_or_virtual_manifests_say_nothing() {
        assert_eq!(
            CrateManifest::parse("[workspace]\nmembers = [\"a\"]\n"),
            None
        );
        assert_eq!(CrateManifest::parse("[package\nname = "), None);
    }
}
