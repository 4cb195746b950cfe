//! Which compose services load a `.env` file through `env_file:`. A finding in that file names
//! the service as a related place, so the reader sees which container runs with the value.
use super::tree::{Node, Value};
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
pub type ComposeDirs = crate::project::PerDir<Vec<EnvUse>>;

/// How many directories above a `.env` file its compose file may sit (`env_file: backend/.env`).
const LEVELS_UP: usize = 2;

fn is_compose_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let stem = n
        .strip_suffix(".yml")
        .or_else(|| n.strip_suffix(".yaml"))
        .unwrap_or("");
    ["docker-compose", "compose"]
        .iter()
        .any(|c| stem == *c || stem.starts_with(&format!("{c}.")))
}

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
fn shown_path(env: &Path, up: usize, compose: &str) -> String {
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
