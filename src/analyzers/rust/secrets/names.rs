//! Which names speak of a signing or encryption secret (`JWT_SECRET`, `cookie_key`), and which
//! string values are not secrets at all (the name of an environment variable, a route, prose, a
//! mask or a reference such as `${JWT_SECRET}`): the vocabulary of `hardcoded-signing-secret`,
//! shared with the script side.
use crate::analyzers::rust::index::token_names::words;
use crate::placeholder::{Placeholder, placeholder};

/// Whether a name (const, field, env variable) speaks of a signing or encryption secret.
pub fn secret_name(name: &str) -> bool {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    if crate::auth_names::foreign_secret(&w) {
        return false;
    }
    if [
        "name",
        "header",
        "path",
        "file",
        "env",
        "var",
        "url",
        "len",
        "length",
        "client",
        "api",
        "prefix",
        "id",
        "err",
        "error",
        "msg",
        "message",
        "text",
        "label",
        "desc",
        "description",
        "help",
        "hint",
        "prompt",
        "title",
        "doc",
        "docs",
        "example",
        "placeholder",
    ]
    .iter()
    .any(|s| has(s))
    {
        return false;
    }
    has("secret")
        || has("key")
            && [
                "signing",
                "hmac",
                "jwt",
                "encryption",
                "private",
                "cookie",
                "sign",
            ]
            .iter()
            .any(|s| has(s))
}

/// A value that names an environment variable rather than holding a secret (`"JWT_SECRET"`).
pub(super) fn env_name_like(v: &str) -> bool {
    v.len() > 1
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// No secret at all: a reference to one or a mask (`"${JWT_SECRET}"`, `"********"`), as the
/// shared placeholder detector classes them.
pub(crate) fn not_a_value(v: &str) -> bool {
    placeholder(v).is_some_and(Placeholder::is_not_a_value)
}

/// Prose (an error message, a sentence), a URL or a route (`/api/v1/survey/secret`) rather
/// than a key.
pub(super) fn prose(v: &str) -> bool {
    v.split_whitespace().count() >= 5 || v.contains("://") || route(v)
}

/// A URL path: `/segment/segment`, lowercase words, digits, `-`, `_`, `{param}`.
fn route(v: &str) -> bool {
    v.strip_prefix('/').is_some_and(|rest| {
        rest.contains('/')
            && rest.split('/').all(|seg| {
                seg.chars().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || matches!(c, '-' | '_' | '{' | '}' | '.')
                })
            })
    })
}

/// A value that repeats its own name: an attribute, column or lookup tag
/// (`ATTR_COOKIE_PRIVATE_KEY = "cookie_private_key"`, `HMAC_KEY_TAG = "kanidm-hmac-key-v2"`).
pub(super) fn names_itself(name: &str, v: &str) -> bool {
    let n = words(name);
    let w = words(v);
    !w.is_empty() && w.iter().filter(|x| n.contains(x)).count() * 2 >= w.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(secret_name("JWT_SECRET"));
        assert!(secret_name("jwt_signing_key"));
        assert!(secret_name("SECRET_KEY"));
        assert!(secret_name("cookieKey"));
        assert!(!secret_name("SESSION_KEY"));
        assert!(!secret_name("JWT_SECRET_FILE"));
        assert!(!secret_name("CLIENT_SECRET"));
        assert!(!secret_name("api_key"));
        assert!(!secret_name("JWT_SECRET_ERR"));
        assert!(!secret_name("APPFLOWY_S3_SECRET_KEY"));
        assert!(!secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(!secret_name("SMTP_SECRET"));
        assert!(prose("/api/v1/survey/secret"));
        assert!(prose("/api/v1/survey/takeout/{survey_id}/get"));
        assert!(!prose("/9j4kLmQzV+x/Ab8Tq2w=="));
        assert!(prose(
            "Authentication failed. JWT signing secrets can not be used as tokens"
        ));
    }

    #[test]
    fn env_names_are_not_values() {
        assert!(env_name_like("JWT_SECRET"));
        assert!(!env_name_like("changeme"));
        assert!(!env_name_like("X"));
        assert!(names_itself(
            "ATTR_COOKIE_PRIVATE_KEY",
            "cookie_private_key"
        ));
        assert!(names_itself("KANIDM_HMAC_KEY", "kanidm-hmac-key-v2"));
        assert!(!names_itself("JWT_SECRET", "my-super-secret-key"));
        assert!(not_a_value("${JWT_SECRET}"));
        assert!(not_a_value("********"));
        assert!(!not_a_value("changeme"));
    }
}
