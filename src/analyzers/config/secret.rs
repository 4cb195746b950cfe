//! What counts as a literal secret in a config value.
use super::tree::{Node, Value, env_fallback};

/// The literal secret a value holds, and the variable it is the fallback of (`${VAR:-literal}`).
/// Empty values, templates, file paths and secret-manager references are not literals.
pub fn literal(node: &Node) -> Option<(String, Option<String>)> {
    match &node.value {
        Value::Str(s) => {
            let t = s.trim();
            (!t.is_empty() && !is_reference(t)).then(|| (t.to_string(), None))
        }
        Value::Template(t) => {
            let (var, fallback) = env_fallback(t)?;
            (!is_reference(fallback)).then(|| (fallback.to_string(), Some(var.to_string())))
        }
        Value::Number(_) => node.scalar_text().map(|t| (t, None)),
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
        assert_eq!(s("change-me").as_deref(), Some("change-me"));
        assert_eq!(s(""), None);
        assert_eq!(s("${JWT_SECRET}"), None);
        assert_eq!(s("/run/secrets/jwt"), None);
        assert_eq!(s("${JWT_SECRET:-devsecret}").as_deref(), Some("devsecret"));
    }
}
