//! The second look at a config file that does not deserialise: serde stops at its first error,
//! this walks the whole table and finds every unknown key and every value of the wrong type, so
//! that one run shows them all.
use super::{ConfigError, KNOWN_KEYS};
use crate::catalog;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// What a key's value must be.
#[derive(Clone, Copy)]
enum Shape {
    String,
    Bool,
    /// `max_file_size`: a number or a string; its own validation says which are good.
    Any,
    Strings,
    /// A table of string values (`[rules]`, `[roles.paths]`, `[roles.policy]`).
    StringTable,
    /// A table of string arrays (`[per-file-ignores]`).
    StringsTable,
    Roles,
}

fn shape_of(key: &str) -> Option<Shape> {
    Some(match key {
        "access_token_max_ttl" | "refresh_token_max_ttl" | "baseline" => Shape::String,
        "include_tests" => Shape::Bool,
        "max_file_size" => Shape::Any,
        "exclude" => Shape::Strings,
        "rules" => Shape::StringTable,
        "per-file-ignores" => Shape::StringsTable,
        "roles" => Shape::Roles,
        _ => return None,
    })
}

const ROLES_KEYS: [&str; 2] = ["paths", "policy"];

/// Every structural problem in the authlint table `table` of the file at `path`.
pub(super) fn errors(path: &Path, text: &str, table: &DeTable<'_>) -> Vec<ConfigError> {
    let mut out = Vec::new();
    let mut push = |span: std::ops::Range<usize>, message: String, help: Option<String>| {
        out.push(ConfigError::new(path, text, Some(span), message, help));
    };
    for (key, value) in table {
        let Some(shape) = shape_of(key.get_ref()) else {
            let (message, help) = unknown(key.get_ref(), &KNOWN_KEYS);
            push(key.span(), message, help);
            continue;
        };
        check(key.get_ref(), value, shape, &mut push);
    }
    out
}

fn unknown(key: &str, known: &[&str]) -> (String, Option<String>) {
    let list = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = known
        .iter()
        .map(|k| (catalog::edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 4)
        .min()
        .map(|(_, k)| format!("did you mean `{k}`?"));
    (
        format!("unknown field `{key}`, expected one of {list}"),
        help,
    )
}

fn describe(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

type Push<'a> = dyn FnMut(std::ops::Range<usize>, String, Option<String>) + 'a;

fn check(key: &str, value: &Spanned<DeValue<'_>>, shape: Shape, push: &mut Push<'_>) {
    let wrong = |push: &mut Push<'_>, v: &Spanned<DeValue<'_>>, expected: &str| {
        push(
            v.span(),
            format!(
                "invalid type for `{key}`: {}, expected {expected}",
                describe(v.get_ref())
            ),
            None,
        );
    };
    match (shape, value.get_ref()) {
        (Shape::Any, _)
        | (Shape::String, DeValue::String(_))
        | (Shape::Bool, DeValue::Boolean(_)) => {}
        (Shape::String, _) => wrong(push, value, "a string"),
        (Shape::Bool, _) => wrong(push, value, "true or false"),
        (Shape::Strings, DeValue::Array(items)) => {
            for item in items.iter() {
                if !matches!(item.get_ref(), DeValue::String(_)) {
                    wrong(push, item, "a string");
                }
            }
        }
        (Shape::Strings, _) => wrong(push, value, "an array of strings"),
        (Shape::StringTable, DeValue::Table(t)) => {
            for (k, v) in t {
                if !matches!(v.get_ref(), DeValue::String(_)) {
                    push(
                        v.span(),
                        format!(
                            "invalid type for `{key}.{}`: {}, expected a string",
                            k.get_ref(),
                            describe(v.get_ref())
                        ),
                        None,
                    );
                }
            }
        }
        (Shape::StringsTable, DeValue::Table(t)) => {
            for (k, v) in t {
                check(&format!("{key}.{}", k.get_ref()), v, Shape::Strings, push);
            }
        }
        (Shape::StringTable | Shape::StringsTable, _) => wrong(push, value, "a table"),
        (Shape::Roles, DeValue::Table(t)) => {
            for (k, v) in t {
                if ROLES_KEYS.contains(&k.get_ref().as_ref()) {
                    check(
                        &format!("roles.{}", k.get_ref()),
                        v,
                        Shape::StringTable,
                        push,
                    );
                } else {
                    let (message, help) = unknown(k.get_ref(), &ROLES_KEYS);
                    push(k.span(), message, help);
                }
            }
        }
        (Shape::Roles, _) => wrong(push, value, "a table"),
    }
}
