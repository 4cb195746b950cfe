//! What counts as a literal secret in a config value.
use super::tree::{Node, Value, env_fallback};
use crate::placeholder::{Placeholder, is_placeholder, placeholder};

/// The literal secret a value holds, and the variable it is the fallback of (`${VAR:-literal}`).
/// Empty values, templates, file paths and secret-manager references are not literals, and
/// neither are placeholders (`changeme`, `your_secret_key`, `xxxxxxxx`, see
/// [`crate::placeholder`]): a config value written to be replaced is never reported.
///
/// A fallback is different: `${JWT_SECRET:-changeme}` is the key the service runs with whenever
/// the variable is missing, so it stays a literal however placeholder-like it is, unless it is
/// not a value at all (a reference or a mask).
pub fn literal(node: &Node) -> Option<(String, Option<String>)> {
    match &node.value {
        Value::Str(s) => {
            let t = s.trim();
            // A base64-encoded PEM (`LS0tLS1CRUdJTi…`) is the private key it encodes.
            if super::kubernetes::is_base64_private_key(t) {
                return Some((t.to_string(), None));
            }
            (!t.is_empty() && !is_reference(t) && !is_placeholder(t)).then(|| (t.to_string(), None))
        }
        Value::Template(t) => {
            let (var, fallback) = env_fallback(t)?;
            let not_a_value = placeholder(fallback).is_some_and(Placeholder::is_not_a_value);
            (!is_reference(fallback) && !not_a_value)
                .then(|| (fallback.to_string(), Some(var.to_string())))
        }
        Value::Number(_) => node
            .scalar_text()
            .filter(|t| !is_placeholder(t))
            .map(|t| (t, None)),
        _ => None,
    }
}

/// A path to a key file or a pointer into a secret store, not the secret itself.
fn is_reference(v: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "/",
        "./",
        "../",
        "~/",
        "file:",
        "env:",
        "vault:",
        "arn:",
        "ssm:",
        "secret:",
        "sm://",
        "op://",
        "ref+",
        "awssm:",
        "gcp:",
        "azure:",
        "k8s:",
        "secretref:",
    ];
    let lower = v.to_ascii_lowercase();
    PREFIXES.iter().any(|p| lower.starts_with(p))
        || [".pem", ".key", ".txt", ".json", ".jwk"]
            .iter()
            .any(|s| lower.ends_with(s))
        || matches!(lower.as_str(), "true" | "false" | "null" | "none" | "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Span;

    #[test]
    fn literals_and_not() {
        let s = |v: &str| literal(&Node::string(Span::default(), v.into())).map(|x| x.0);
        assert_eq!(
            s("k8s7Hf0pQz9LmN2vX4bW").as_deref(),
            Some("k8s7Hf0pQz9LmN2vX4bW")
        );
        assert_eq!(s("supersecret").as_deref(), Some("supersecret"));
        assert_eq!(s("change-me"), None);
        assert_eq!(s("jwt.secret"), None);
        assert_eq!(s("<your-secret>"), None);
        assert_eq!(s(""), None);
        assert_eq!(s("${JWT_SECRET}"), None);
        assert_eq!(s("/run/secrets/jwt"), None);
        assert_eq!(s("${JWT_SECRET:-devsecret}").as_deref(), Some("devsecret"));
        // A placeholder fallback is still what runs when the variable is unset.
        assert_eq!(s("${JWT_SECRET:-changeme}").as_deref(), Some("changeme"));
        assert_eq!(s("${JWT_SECRET:-********}"), None);
    }
}
