//! Fixtures are projects of their own: what they report cannot depend on the checkout around
//! them. authlint's own Cargo.lock sits above `fixtures/`; adding a dev-dependency (axum, redis,
//! an old tower-sessions) to it must not change a single fixture result. Each fixture tree is
//! bounded by a root marker (`fixtures/rules/authlint.toml`, `fixtures/design/authlint.toml`),
//! and projects whose versions matter carry their own Cargo.lock.
use super::{
    common::marks::{Mark, found, relative},
    common::*,
    rule_dirs,
};
use authlint::config::Settings;
use std::path::Path;

/// A lockfile above the fixtures naming every crate whose version or presence authlint reads:
/// old versions where defaults changed (tower-sessions before 0.8 has no Secure default, Rocket
/// 0.4 no SameSite, jsonwebtoken before 7 no key-family check), stores and frameworks.
const OUTER_LOCK: &str = r#"version = 4

[[package]]
name = "actix-web"
version = "4.9.0"

[[package]]
name = "axum"
version = "0.7.9"

[[package]]
name = "diesel"
version = "2.2.4"

[[package]]
name = "jsonwebtoken"
version = "6.0.1"

[[package]]
name = "leptos"
version = "0.6.15"

[[package]]
name = "redis"
version = "0.27.5"

[[package]]
name = "rocket"
version = "0.4.11"

[[package]]
name = "sqlx"
version = "0.8.2"

[[package]]
name = "tower-sessions"
version = "0.7.0"
"#;

const OUTER_MANIFEST: &str = "[package]\nname = \"outer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\nredis = \"0.27\"\nrocket = \"0.4\"\ntower-sessions = \"0.7\"\njsonwebtoken = \"6\"\nwasm-bindgen = \"0.2\"\n";

/// What a user sees of a fixture run: every finding with its column, and the verdict.
fn results(base: &Path, dir: &str) -> (Vec<Mark>, Option<String>) {
    let settings = Settings {
        exclude_root: base.to_path_buf(),
        ..Settings::default()
    };
    let outcome = check_in(base, &[dir], settings);
    let verdict = outcome
        .design
        .as_ref()
        .map(|d| authlint::design::render_human(d, true));
    (found(&outcome), verdict)
}

#[test]
fn fixtures_do_not_depend_on_the_lockfile_above_them() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("Cargo.lock"), OUTER_LOCK).unwrap();
    std::fs::write(outer.path().join("Cargo.toml"), OUTER_MANIFEST).unwrap();
    for file in walk(&root().join("fixtures")) {
        let to = outer.path().join(relative(&file));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&file, &to).unwrap();
    }
    let mut dirs: Vec<String> = rule_dirs()
        .iter()
        .map(|r| format!("fixtures/rules/{r}"))
        .collect();
    for e in std::fs::read_dir(root().join("fixtures/design")).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            dirs.push(relative(&p));
        }
    }
    dirs.sort();
    let mut differ = Vec::new();
    for dir in &dirs {
        let here = results(&root(), dir);
        let there = results(outer.path(), dir);
        if here != there {
            differ.push(format!(
                "{dir}:\n  in the repository: {here:#?}\n  under a lockfile: {there:#?}"
            ));
        }
    }
    // All fixtures in one run: the outer lockfile is now loaded (nothing above `fixtures/` is a
    // project root), and each file must still be judged by its own project's lockfile.
    let (here, _) = results(&root(), "fixtures");
    let (there, _) = results(outer.path(), "fixtures");
    if here != there {
        let (missed, extra) = super::common::marks::multiset_diff(&here, &there);
        differ.push(format!(
            "fixtures (one run):\n  only in the repository: {missed:#?}\n  only under a lockfile: {extra:#?}"
        ));
    }
    assert!(
        differ.is_empty(),
        "fixture results change with the Cargo.lock above fixtures/:\n{}",
        differ.join("\n")
    );
}
