//! Which compose services load a `.env` file through `env_file:`. A finding in that file names
//! the service as a related place, so the reader sees which container runs with the value.
use super::tree::{Node, Value};
use crate::discover::is_compose_file;
use crate::finding::{Elsewhere, Position, Report};
use crate::source::SourceFile;
use std::path::{Component, Path, PathBuf};

/// One `env_file:` entry of one service.
#[derive(Debug)]
pub struct EnvUse {
    /// The file it loads, lexically normalised.
    env: PathBuf,
    /// The compose file's name in its directory.
    compose: String,
    service: String,
    start: Position,
    end: Position,
}

/// The `env_file:` entries of the compose files of each directory looked at, read once.
pub type ComposeDirs = crate::per_dir::PerDir<Vec<EnvUse>>;

/// How many directories above a `.env` file its compose file may sit (`env_file: backend/.env`).
const LEVELS_UP: usize = 2;

fn read_dir(dir: &Path) -> Vec<EnvUse> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_compose_file(n))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let Some(text) = crate::reader::project_file(&dir.join(&name)) else {
            continue;
        };
        let Ok(docs) = super::yaml::parse(&text) else {
            continue;
        };
        let file = SourceFile::from_text(&name, &text);
        for doc in &docs {
            for svc in doc.root.get("services").map_or(&[][..], Node::entries) {
                for item in env_files(svc.node.get("env_file")) {
                    let Some(rel) = item.as_str().or_else(|| item.get("path")?.as_str()) else {
                        continue;
                    };
                    out.push(EnvUse {
                        env: normalise(&dir.join(rel)),
                        compose: name.clone(),
                        service: svc.key.clone(),
                        start: file.position(item.span.start),
                        end: file.position(item.span.end),
                    });
                }
            }
        }
    }
    out
}

/// One service of a compose file, as the design verdict needs it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// The build context (`build: ./api`, `build: { context: . }`, the compose file's folder
    /// for a `build:` without one); `None` for pulled images.
    pub context: Option<String>,
    pub image: Option<String>,
    /// It publishes or exposes a port, or a proxy routes to it (Traefik labels).
    pub serves: bool,
    /// The services it starts after (`depends_on:` as a list or a map).
    pub depends_on: Vec<String>,
    /// Its `environment:` entries, key and value as written (`${JWT_SECRET}` stays a template).
    pub env: Vec<(String, String)>,
    /// The 1-based lines its block spans.
    pub lines: (usize, usize),
}

/// The services of a compose file's text; none when it is not YAML.
pub fn services(text: &str) -> Vec<Service> {
    let Ok(docs) = super::yaml::parse(text) else {
        return Vec::new();
    };
    let file = SourceFile::from_text("", text);
    let line = |offset: usize| file.position(offset).line;
    let mut out = Vec::new();
    for doc in &docs {
        for e in doc.root.get("services").map_or(&[][..], Node::entries) {
            let n = &e.node;
            let context = n.get("build").map(|b| {
                b.as_str()
                    .or_else(|| b.get("context").and_then(Node::as_str))
                    .unwrap_or(".")
                    .to_string()
            });
            let routed = n
                .get("labels")
                .is_some_and(|l| names(l).iter().any(|k| k.contains("traefik.http.routers")));
            out.push(Service {
                name: e.key.clone(),
                context,
                image: n.get("image").and_then(Node::as_str).map(str::to_string),
                serves: n.get("ports").is_some() || n.get("expose").is_some() || routed,
                depends_on: n.get("depends_on").map(names).unwrap_or_default(),
                env: n.get("environment").map(environment).unwrap_or_default(),
                lines: (
                    line(e.key_span.start),
                    line(last_char(text, e.key_span.start, n.span.end)),
                ),
            });
        }
    }
    out
}

/// The offset of the last character of `text[start..end]` that is not blank or a YAML document
/// separator (a node's span runs on to where the next one starts).
pub(crate) fn last_char(text: &str, start: usize, end: usize) -> usize {
    let mut t = text
        .get(start..end.min(text.len()))
        .unwrap_or("")
        .trim_end();
    t = t.strip_suffix("---").unwrap_or(t).trim_end();
    start + t.len().saturating_sub(1)
}

/// A list's strings, or a map's keys (`depends_on`, `labels`); a list's `KEY=value` items whole.
fn names(n: &Node) -> Vec<String> {
    match &n.value {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Value::Object(entries) => entries.iter().map(|e| e.key.clone()).collect(),
        _ => Vec::new(),
    }
}

/// `environment:` as a map or a `KEY=value` list, each value as written.
fn environment(n: &Node) -> Vec<(String, String)> {
    super::tree::settings(n, &|_| false)
        .into_iter()
        .filter(|s| s.path.len() == 1)
        .filter_map(|s| Some((s.key().to_string(), as_written(&s.node)?)))
        .collect()
}

/// A scalar's text, a template's too (`${JWT_SECRET}`).
pub(crate) fn as_written(n: &Node) -> Option<String> {
    match &n.value {
        Value::Template(t) => Some(t.clone()),
        _ => n.scalar_text(),
    }
}

/// `env_file: .env`, `env_file: [a, b]` or `env_file: [{path: a, required: false}]`.
fn env_files(node: Option<&Node>) -> Vec<&Node> {
    match node {
        Some(n) if matches!(n.value, Value::Array(_)) => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// `a/./b/../c` is `a/c`, by name, without touching the file system (also a compose file's
/// `build: ../api`).
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Adds, to each report about the `.env` file `file`, the compose services that load it.
pub fn relate(file: &SourceFile, dirs: &ComposeDirs, reports: &mut [Report]) {
    if reports.is_empty() {
        return;
    }
    let me = normalise(&file.abs_path);
    let shown = Path::new(&file.path);
    for up in 0..=LEVELS_UP {
        let Some(dir) = me.ancestors().nth(up + 1) else {
            break;
        };
        for u in dirs.get(dir, read_dir).iter().filter(|u| u.env == me) {
            let at = Elsewhere {
                path: shown_path(shown, up, &u.compose),
                start: u.start,
                end: u.end,
            };
            let message = format!("compose service `{}` loads this file", u.service);
            for r in reports.iter_mut() {
                r.add_elsewhere(at.clone(), &message);
            }
        }
    }
}

/// The compose file's path as the `.env` file's own path is shown: `up` directories above it.
pub(crate) fn shown_path(env: &Path, up: usize, compose: &str) -> String {
    let mut dir = env.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut prefix = String::new();
    for _ in 0..up {
        if dir.as_os_str().is_empty() || !dir.pop() {
            prefix.push_str("../");
        }
    }
    let joined = dir.join(compose).to_string_lossy().replace('\\', "/");
    format!("{prefix}{joined}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_names_and_paths() {
        for n in [
            "docker-compose.yml",
            "compose.yaml",
            "docker-compose.prod.yml",
        ] {
            assert!(is_compose_file(n), "{n}");
        }
        for n in ["composer.yml", "docker-compose.json", "app.yml"] {
            assert!(!is_compose_file(n), "{n}");
        }
        assert_eq!(
            normalise(Path::new("/a/./b/../c/.env")),
            Path::new("/a/c/.env")
        );
        assert_eq!(
            shown_path(Path::new("app/api/.env"), 1, "compose.yml"),
            "app/compose.yml"
        );
        assert_eq!(
            shown_path(Path::new(".env"), 1, "compose.yml"),
            "../compose.yml"
        );
    }

    #[test]
    fn services_built_here_that_serve() {
        let yaml = "version: '3'\nservices:\n  api:\n    build: ./api\n    ports:\n      - \"8080:8080\"\n    depends_on: [keycloak]\n    environment:\n      JWT_SECRET: ${JWT_SECRET}\n  worker:\n    build:\n      dockerfile: Dockerfile.worker\n    expose: [\"9000\"]\n    environment:\n      - MODE=jobs\n  sdk-gen:\n    build: ./clients\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n  web:\n    image: ghcr.io/acme/web\n    build: { context: ./web }\n    labels:\n      traefik.http.routers.web.rule: Host(`x`)\nvolumes:\n  data:\n";
        let s = services(yaml);
        type Row<'a> = (&'a str, Option<&'a str>, bool, (usize, usize));
        let summary: Vec<Row> = s
            .iter()
            .map(|s| (s.name.as_str(), s.context.as_deref(), s.serves, s.lines))
            .collect();
        assert_eq!(
            summary,
            [
                ("api", Some("./api"), true, (3, 9)),
                ("worker", Some("."), true, (10, 15)),
                ("sdk-gen", Some("./clients"), false, (16, 17)),
                ("db", None, true, (18, 20)),
                ("web", Some("./web"), true, (21, 25)),
            ]
        );
        assert_eq!(s[0].depends_on, ["keycloak"]);
        assert_eq!(s[0].env, [("JWT_SECRET".into(), "${JWT_SECRET}".into())]);
        assert_eq!(s[1].env, [("MODE".into(), "jobs".into())]);
        assert_eq!(s[4].image.as_deref(), Some("ghcr.io/acme/web"));
        assert!(services("services: [").is_empty());
    }

    #[test]
    fn every_service_loading_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("api")).unwrap();
        std::fs::write(
            p.join("docker-compose.yml"),
            "services:\n  api:\n    env_file: ./api/.env\n  worker:\n    env_file:\n      - path: api/.env\n        required: false\n  web:\n    env_file: [web.env]\n",
        )
        .unwrap();
        let env = p.join("api/.env");
        let mut file = SourceFile::from_text("api/.env", "JWT_SECRET=x\n");
        file.abs_path = env;
        let mut reports = vec![Report::new(
            crate::rule::Rule::HardcodedSigningSecret,
            crate::finding::Span::new(0, 1),
            "m",
            "h",
        )];
        relate(&file, &ComposeDirs::default(), &mut reports);
        let labels: Vec<_> = reports[0]
            .labels
            .iter()
            .map(|l| {
                let e = l.elsewhere.as_ref().unwrap();
                (e.path.as_str(), e.start.line, l.message.as_str())
            })
            .collect();
        assert_eq!(
            labels,
            [
                (
                    "docker-compose.yml",
                    3,
                    "compose service `api` loads this file"
                ),
                (
                    "docker-compose.yml",
                    6,
                    "compose service `worker` loads this file"
                ),
            ]
        );
    }
}
