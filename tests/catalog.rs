//! The catalog explains every rule completely, and the README's rule table is generated from it.
mod common;

use authlint::catalog;

#[test]
fn every_rule_is_documented_completely() {
    let ids: Vec<&str> = catalog::all().iter().map(|r| r.id.as_str()).collect();
    for id in [
        "token-in-web-storage",
        "token-cookie-set-by-script",
        "cookie-missing-httponly",
        "cookie-missing-secure",
        "cookie-missing-samesite",
        "client-side-session-store",
        "access-token-ttl-too-long",
        "refresh-token-ttl-too-long",
        "token-without-expiry",
        "refresh-token-not-revocable",
        "refresh-token-rotation-disabled",
        "jwt-denylist-per-request",
        "privilege-claims-in-token",
        "jwt-signature-not-verified",
        "hardcoded-signing-secret",
        "unused-suppression",
        "auth-design",
    ] {
        assert!(ids.contains(&id), "catalog lacks `{id}`");
    }
    let cwe_tag = regex::Regex::new(r"^external/cwe/cwe-\d+$").unwrap();
    for r in catalog::all() {
        let ctx = &r.id;
        assert!(
            r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{ctx}: id must be kebab-case"
        );
        assert!(!r.title.is_empty() && r.title.len() < 60, "{ctx}: title");
        let first = r.summary.chars().next().unwrap();
        assert!(
            first.is_lowercase() && !r.summary.ends_with('.'),
            "{ctx}: summary starts lowercase, no period"
        );
        for (name, text) in [
            ("why", &r.why),
            ("recommendation", &r.recommendation),
            ("bad", &r.example.bad),
            ("good", &r.example.good),
        ] {
            assert!(
                text.trim().len() > 20,
                "{ctx}: `{name}` is missing or too short"
            );
        }
        assert_ne!(
            r.example.bad.trim(),
            r.example.good.trim(),
            "{ctx}: bad and good examples are identical"
        );
        assert!(
            ["very-high", "high", "medium", "low"].contains(&r.sarif.precision.as_str()),
            "{ctx}: precision"
        );
        if r.category != catalog::Category::Meta {
            assert!(!r.references.is_empty(), "{ctx}: references");
            assert!(
                r.sarif.tags.contains(&"security".to_string()),
                "{ctx}: `security` tag"
            );
            let sev: f64 = r
                .sarif
                .security_severity
                .as_deref()
                .expect("security_severity")
                .parse()
                .expect("numeric string");
            assert!(
                (0.0..=10.0).contains(&sev),
                "{ctx}: security_severity in 0..10"
            );
        }
        for t in r.sarif.tags.iter().filter(|t| t.contains("cwe")) {
            assert!(cwe_tag.is_match(t), "{ctx}: CWE tag `{t}`");
        }
        for reference in &r.references {
            assert!(
                reference.url.starts_with("https://"),
                "{ctx}: reference URL {}",
                reference.url
            );
        }
        let text = authlint::cli::explain_text(r);
        let misses = common::explain_misses(r, &text);
        assert!(
            misses.is_empty(),
            "{ctx}: explain lacks {misses:#?}\nin:\n{text}"
        );
    }
}

/// The README's text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn readme_section(name: &str) -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let open = format!("<!-- {name}:start -->\n");
    let close = format!("<!-- {name}:end -->");
    let start = readme
        .find(&open)
        .unwrap_or_else(|| panic!("README has {open}"))
        + open.len();
    let end = readme
        .find(&close)
        .unwrap_or_else(|| panic!("README has {close}"));
    readme[start..end].to_string()
}

#[test]
fn readme_rule_table_matches_the_catalog() {
    assert_eq!(
        readme_section("rules"),
        authlint::cli::rules_markdown(),
        "README rule table is stale: replace it with `cargo run -- rules --format markdown`"
    );
}

#[test]
fn readme_products_table_matches_the_product_files() {
    let table = authlint::analyzers::config::product_table::markdown();
    assert_eq!(
        readme_section("products"),
        table,
        "README products table is stale: replace it with the output of `cargo run -- products`"
    );
    for name in [
        "Cognito",
        "Keycloak (Terraform)",
        "Auth0 (Terraform)",
        "Supabase",
    ] {
        assert!(table.contains(&format!("| {name} |")), "{name}");
    }
}

/// Rules documented in the catalog whose analyzers have not landed yet. `authlint rules` shows
/// them as "planned" and `--select` warns that they report nothing. Implementing one means
/// removing it here; a catalog entry that is neither implemented nor listed here fails.
const PLANNED: &[&str] = &[];

#[test]
fn every_catalog_entry_is_implemented_or_explicitly_planned() {
    let unimplemented: Vec<&str> = catalog::all()
        .iter()
        .filter(|r| !authlint::engine::is_implemented(r))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(unimplemented, PLANNED, "update PLANNED when a rule lands");
}

/// Every file under `fixtures/`, run through each analyzer that reads its kind (no prefilter),
/// and every fixture project through the project pass: what they *emit* is declared by the part
/// that emits it (that it is in the catalog, the `Rule` type guarantees), and every declared rule is emitted somewhere (so the check
/// covers it).
#[test]
fn every_rule_id_emitted_is_in_the_catalog_and_declared_by_its_emitter() {
    use authlint::analyzers::ProjectInfo;
    use authlint::analyzers::{self, Context, Sink};
    use authlint::config::Settings;
    use authlint::source::{FileKind, SourceFile};
    use std::collections::BTreeSet;

    let root = common::root();
    let settings = Settings::default();
    let mut problems = Vec::new();
    let mut emitted: BTreeSet<(&str, authlint::rule::Rule)> = BTreeSet::new();
    for path in common::walk(&root.join("fixtures")) {
        let name = path.file_name().unwrap().to_string_lossy();
        let Some(kind) = FileKind::classify(&name) else {
            continue;
        };
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let project = ProjectInfo::load(&authlint::manifest::ancestor_lockfiles(
            path.parent().unwrap(),
        ));
        let ctx = Context {
            settings: &settings,
            project: &project,
            lower: None,
        };
        let file = SourceFile::new(path.clone(), rel.clone(), kind, text);
        for analyzer in analyzers::all().iter().filter(|a| a.handles(kind)) {
            let mut sink = Sink::default();
            analyzer.check(&file, &ctx, &mut sink);
            for rep in sink.reports {
                if !analyzer.rules().contains(&rep.rule) {
                    problems.push(format!(
                        "{rel}: the {} analyzer emits `{}` without declaring it",
                        analyzer.name(),
                        rep.rule
                    ));
                }
                emitted.insert((analyzer.name(), rep.rule));
            }
        }
    }
    // The project pass, on every project the fixture and design tests run.
    let mut projects = vec![root.join("fixtures/demo")];
    for group in ["fixtures/design", "fixtures/rules"] {
        for dir in std::fs::read_dir(root.join(group)).unwrap().flatten() {
            let dir = dir.path();
            if dir.is_dir() {
                projects.extend(
                    std::fs::read_dir(&dir)
                        .unwrap()
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_dir()),
                );
                projects.push(dir);
            }
        }
    }
    for dir in projects {
        let rel = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let outcome = common::check(&[&rel]);
        let project = authlint::design::run(
            &outcome.facts,
            &outcome.findings,
            &Settings::default(),
            &outcome.context,
            false,
        );
        for (path, _, rep) in project.reports {
            if !authlint::design::RULES.contains(&rep.rule) {
                problems.push(format!(
                    "{path}: the project pass emits `{}` without declaring it in design::RULES",
                    rep.rule
                ));
            }
            emitted.insert(("project", rep.rule));
        }
    }
    let declared = analyzers::all()
        .iter()
        .flat_map(|a| a.rules().iter().map(|r| (a.name(), *r)))
        .chain(authlint::design::RULES.iter().map(|r| ("project", *r)));
    for (by, rule) in declared {
        if !emitted.contains(&(by, rule)) {
            problems.push(format!(
                "the {by} analyzer declares `{rule}`, but no fixture makes it emit it"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Rule ids are a type (`authlint::rule::Rule`, generated from `rules/*.toml`): a quoted id in
/// the code outside its tests would dodge the compiler, so a typo there would make findings
/// vanish with every test green. Tests may quote ids, as users write them.
#[test]
fn no_rule_id_is_a_string_literal_in_the_code() {
    let root = common::root();
    let mut found = Vec::new();
    for path in common::walk(&root.join("src")) {
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for rule in authlint::rule::Rule::ALL {
            let quoted = format!("\"{}\"", rule.id());
            for (n, line) in code.lines().enumerate() {
                if line.contains(&quoted) {
                    let rel = path.strip_prefix(&root).unwrap().display();
                    found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "use `Rule::…` instead of a quoted rule id:\n{}",
        found.join("\n")
    );
}

/// CONTRIBUTING.md tells a newcomer where each rule's code is: every rule is listed, and every
/// file it names exists.
#[test]
fn contributing_lists_every_rule_and_real_files() {
    let root = common::root();
    let text = std::fs::read_to_string(root.join("CONTRIBUTING.md")).unwrap();
    for rule in authlint::rule::Rule::ALL {
        let row = format!("| `{}` | ", rule.id());
        let line = text
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("CONTRIBUTING.md does not say where `{rule}` lives"));
        for file in line[row.len()..].split('`').skip(1).step_by(2) {
            assert!(
                root.join(file).is_file(),
                "CONTRIBUTING.md: `{file}` (for `{rule}`) does not exist"
            );
        }
    }
}
