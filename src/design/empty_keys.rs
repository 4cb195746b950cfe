//! Empty signing keys by default: a `Default` impl gives a secret field an empty value
//! (`Self { secret: "".into(), .. }`), a key constructor of the same crate reads that field
//! (`EncodingKey::from_secret(cfg.secret.as_bytes())`), and nothing checks it for emptiness. An
//! empty HMAC key signs tokens anyone can forge; the finding is at the default, naming the use.
use super::values::file_module;
use crate::facts::{FactKind, PlacedFact};
use crate::finding::Report;
use crate::rule::wording;
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
    let mut r = wording::empty_default_key(at.span, field, ctor, &use_site.at());
    use_site.relate(
        at,
        &mut r,
        format!("`{field}` is used here as the key of `{ctor}`"),
    );
    r
}
