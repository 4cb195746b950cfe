//! Empty signing keys by default: a `Default` impl gives a secret field an empty value
//! (`Self { secret: "".into(), .. }`), a key constructor of the same crate reads that field
//! (`EncodingKey::from_secret(cfg.secret.as_bytes())`), and nothing checks it for emptiness. An
//! empty HMAC key signs tokens anyone can forge; the finding is at the default, naming the use.
use super::values::file_module;
use crate::facts::{FactKind, PlacedFact};
use crate::finding::Report;
use crate::rule::Rule;
use std::collections::{BTreeMap, BTreeSet};

/// The crate a file belongs to (the folder holding its `src`).
fn crate_of(f: &PlacedFact) -> Option<String> {
    file_module(&f.path).map(|(root, _)| root)
}

/// Each empty default of a field a key constructor of its crate reads, unchecked, with its
/// report.
pub fn reports(facts: &[PlacedFact]) -> Vec<(&PlacedFact, Report)> {
    let mut defaults: BTreeMap<(String, &str), Vec<&PlacedFact>> = BTreeMap::new();
    let mut checked: BTreeSet<(String, &str)> = BTreeSet::new();
    for f in facts {
        match (&f.kind, crate_of(f)) {
            (FactKind::EmptyDefault { field }, Some(c)) => {
                defaults.entry((c, field.as_str())).or_default().push(f);
            }
            (FactKind::FieldChecked { field }, Some(c)) => {
                checked.insert((c, field.as_str()));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for use_site in facts {
        let (FactKind::KeyFromField { field, ctor }, Some(c)) =
            (&use_site.kind, crate_of(use_site))
        else {
            continue;
        };
        let key = (c, field.as_str());
        if checked.contains(&key) {
            continue;
        }
        for &at in defaults.get(&key).into_iter().flatten() {
            out.push((at, report(use_site, at, field, ctor)));
        }
    }
    out
}

fn report(use_site: &PlacedFact, at: &PlacedFact, field: &str, ctor: &str) -> Report {
    let mut r = Report::new(
        Rule::HardcodedSigningSecret,
        at.span,
        format!(
            "`{field}` defaults to an empty string and is used as the key of `{ctor}` ({}:{}) with nothing rejecting it empty: tokens signed with an empty key can be forged by anyone",
            use_site.path, use_site.start.line
        ),
        format!(
            "give `{field}` no default (read it from the environment or a secret manager), and fail start-up when it is empty: `if cfg.{field}.is_empty() {{ return Err(..) }}`"
        ),
    );
    use_site.relate(
        at,
        &mut r,
        format!("`{field}` is used here as the key of `{ctor}`"),
    );
    r
}
