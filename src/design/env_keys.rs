//! Signing keys committed as values of the environment: the code reads a variable into a key
//! constructor (`EncodingKey::from_secret(env::var("JWT_SECRET")?.as_bytes())`) and a committed
//! `.env` file or compose `environment:` gives that variable a value. The value is a signing key
//! because the code uses it as one, whatever its name says (`APP_KEY=…`), and it is reported
//! where it is written, naming the use.
use crate::facts::{FactKind, PlacedFact};
use crate::finding::Report;
use crate::roles::Role;
use crate::rule::wording;
use std::collections::BTreeMap;

/// Each committed value of a variable a key constructor reads, with its report.
pub fn reports(facts: &[PlacedFact]) -> Vec<(&PlacedFact, Report)> {
    let mut values: BTreeMap<&str, Vec<&PlacedFact>> = BTreeMap::new();
    for f in facts {
        // An example, template or development-only file (`.env.example`, `.env.local`) is not
        // what is deployed: a name that says "secret" is judged there on its own, at its level.
        if let FactKind::EnvValue { var } = &f.kind
            && f.role == Role::Production
        {
            values.entry(var.as_str()).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for use_site in facts {
        let FactKind::KeyFromEnv { var, ctor } = &use_site.kind else {
            continue;
        };
        let values = values.get(var.as_str()).into_iter().flatten();
        for &value in values.filter(|v| sets_env_of(v, use_site)) {
            out.push((value, report(use_site, value, var, ctor)));
        }
    }
    out
}

/// Whether the file setting a variable sits in a folder holding the code that reads it (the
/// project's `.env` or compose file, not another application's).
fn sets_env_of(value: &PlacedFact, use_site: &PlacedFact) -> bool {
    let dir = value.path.rsplit_once('/').map_or("", |(d, _)| d);
    dir.is_empty()
        || use_site
            .path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn report(use_site: &PlacedFact, value: &PlacedFact, var: &str, ctor: &str) -> Report {
    let mut r = wording::committed_env_key(value.span, var, ctor, &use_site.at());
    use_site.relate(
        value,
        &mut r,
        format!("`{var}` is read here as the key of `{ctor}`"),
    );
    r
}
