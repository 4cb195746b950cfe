//! The JSON Schemas in `schemas/`: the JSON report's schema accepts what `--format json` writes
//! (and nothing with a field missing or added), and the `authlint.toml` schema that editors use
//! (Taplo, Even Better TOML) knows exactly the keys, rule ids, categories and values the parser
//! accepts.
mod common;

use common::Project;
use serde_json::{Value, json};

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn report(p: &Project, args: &[&str]) -> Value {
    p.json(args).1
}

#[test]
fn the_report_schema_accepts_real_reports_and_pins_every_field() {
    let v = common::schema("authlint-report.schema.json");
    // Findings with fixes, labels and roles, a design verdict, a parse error, skipped files,
    // suppressions.
    let p = Project::new(&[("authlint.toml", "")]);
    let base = common::root().join("fixtures");
    for (dir, to) in [("demo", "demo"), ("fix/cookie-builders", "fix")] {
        for file in common::walk(&base.join(dir)) {
            let rel = file.strip_prefix(base.join(dir)).unwrap().to_string_lossy();
            p.write(
                &format!("{to}/{rel}"),
                &std::fs::read_to_string(&file).unwrap(),
            );
        }
    }
    p.write("broken.rs", "fn login_token( {\n");
    p.write("tests/login.rs", "fn login_token() {}\n");
    p.write(
        "node_modules/lib/index.js",
        "localStorage.setItem('token', t);\n",
    );
    p.write(
        "src/s.rs",
        "// authlint-ignore-file cookie-missing-secure: local only\nuse cookie::Cookie;\nfn a(j: &mut cookie::CookieJar, t: String) { j.add(Cookie::build((\"session\", t))); }\n",
    );
    let doc = report(&p, &[]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.get("fix").is_some())
    );
    assert!(!doc["diagnostics"].as_array().unwrap().is_empty());
    assert!(!doc["skipped"].as_array().unwrap().is_empty());
    assert!(!doc["skipped_dirs"].as_array().unwrap().is_empty());
    assert!(doc["design"].is_object());
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    let files_only = report(&p, &["fix/src/axum_login.rs"]);
    assert!(files_only["design"].is_null());
    assert_eq!(errors(&v, &files_only), Vec::<String>::new());
    // A field the schema does not know, or one it requires gone: both are caught.
    let mut added = doc.clone();
    added["findings"][0]["column"] = json!(3);
    assert!(!errors(&v, &added).is_empty());
    let mut removed = doc.clone();
    removed["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    assert!(!errors(&v, &removed).is_empty());
    let mut bad_fix = doc;
    let i = bad_fix["findings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f.get("fix").is_some())
        .unwrap();
    bad_fix["findings"][i]["fix"]["applicability"] = json!("maybe");
    assert!(!errors(&v, &bad_fix).is_empty());
}

/// The keys the parser accepts, as its "unknown field" error lists them.
fn parser_keys() -> Vec<String> {
    let p = Project::new(&[("authlint.toml", "no_such_key = 1\n")]);
    let err = String::from_utf8_lossy(&p.run(&["check", "--format", "json"]).stderr).into_owned();
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    let list = flat
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("{err}"));
    let mut keys: Vec<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| k.replace(['│', ' '], ""))
        .collect();
    keys.sort();
    keys
}

#[test]
fn the_config_schema_knows_what_the_parser_knows() {
    let v = common::schema("authlint.toml.schema.json");
    let text =
        std::fs::read_to_string(common::root().join("schemas/authlint.toml.schema.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let props = doc["properties"].as_object().unwrap();
    let mut keys: Vec<String> = props.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, parser_keys());
    let mut ids: Vec<&str> = authlint::catalog::all()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    ids.sort_unstable();
    let enum_of = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(enum_of(&props["rules"]["propertyNames"]["enum"]), ids);
    let mut names: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let mut categories: Vec<String> = authlint::catalog::all()
        .iter()
        .map(|r| r.category.as_str().to_string())
        .collect();
    categories.sort();
    categories.dedup();
    names.extend(categories);
    assert_eq!(
        enum_of(&props["per-file-ignores"]["additionalProperties"]["items"]["enum"]),
        names
    );
    let roles: Vec<String> = authlint::roles::ALL
        .iter()
        .map(|r| r.as_str().to_string())
        .collect();
    assert_eq!(
        enum_of(&props["roles"]["properties"]["paths"]["additionalProperties"]["enum"]),
        roles
    );

    // What `authlint init` writes, and a config using every table, pass both.
    let init = Project::new(&[]);
    assert_eq!(init.run(&["init"]).status.code(), Some(0));
    let written = std::fs::read_to_string(init.path().join("authlint.toml")).unwrap();
    let full = format!("{written}\ncookie-missing-secure = \"off\"\n")
        .replace("# example = \"warning\"", "example = \"note\"")
        .replace(
            "# \"src/dev_server.rs\" = [\"cookies\"]   # a category, or rule ids",
            "\"src/dev.rs\" = [\"cookies\", \"hardcoded-signing-secret\"]",
        );
    let parsed: Value = toml::from_str(&full).unwrap();
    assert_eq!(errors(&v, &parsed), Vec::<String>::new());
    init.write("authlint.toml", &full);
    let out = init.run(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What the parser rejects, the schema rejects.
    for bad in [
        "[rules]\ncookie-missing-secure = \"loud\"\n",
        "[rules]\ncookie-missing-secur = \"off\"\n",
        "[per-file-ignores]\n\"src\" = [\"cookie\"]\n",
        "[roles.policy]\nexample = \"hide\"\n",
        "include_tests = \"yes\"\n",
    ] {
        let parsed: Value = toml::from_str(bad).unwrap();
        assert!(
            !errors(&v, &parsed).is_empty(),
            "the schema accepts {bad:?}"
        );
        init.write("authlint.toml", bad);
        assert_eq!(
            init.run(&["check"]).status.code(),
            Some(2),
            "the parser accepts {bad:?}"
        );
    }
}
