//! The wording of every config finding, one constructor per rule (or tight family). `subject` is
//! how the finding names where the key lives: `Keycloak realm `shop`: ` for a product, empty for
//! a plain app config file.
use super::duration::{Lifetime, human};
use crate::finding::{Report, Span};
use crate::fix::{Applicability, ReportFix};
use crate::rule::Rule;
use crate::rule::wording::{self, CookieFlag};

pub const ACCESS_TTL: Rule = Rule::AccessTokenTtlTooLong;
pub const REFRESH_TTL: Rule = Rule::RefreshTokenTtlTooLong;
pub const NO_EXPIRY: Rule = Rule::TokenWithoutExpiry;
pub const ROTATION: Rule = Rule::RefreshTokenRotationDisabled;
pub const REVOCABLE: Rule = Rule::RefreshTokenNotRevocable;
pub const HTTPONLY: Rule = Rule::CookieMissingHttponly;
pub const SECURE: Rule = Rule::CookieMissingSecure;
pub const SAMESITE: Rule = Rule::CookieMissingSamesite;
pub const SECRET: Rule = Rule::HardcodedSigningSecret;

pub const ALL: &[Rule] = &[
    ACCESS_TTL,
    REFRESH_TTL,
    NO_EXPIRY,
    ROTATION,
    REVOCABLE,
    HTTPONLY,
    SECURE,
    SAMESITE,
    SECRET,
];

fn assumed(l: &Lifetime) -> String {
    l.assumed
        .map(|u| format!(" (a bare number, read as {})", u.name()))
        .unwrap_or_default()
}

/// `access-token-ttl-too-long` / `refresh-token-ttl-too-long`. `fix` is what to write
/// (`` `accessTokenLifespan` to `900` ``); `default` when the key is absent and the product's
/// default applies.
#[allow(clippy::too_many_arguments)]
pub fn lifetime(
    rule: Rule,
    span: Span,
    subject: &str,
    key: &str,
    life: &Lifetime,
    limit: u64,
    fix: &str,
    default: bool,
) -> Report {
    let limit = human(limit as f64);
    let value = human(life.secs);
    let message = if default {
        format!("{subject}`{key}` is not set, so the default of {value} applies; limit is {limit}")
    } else {
        format!(
            "{subject}`{key}` is {value}{}; limit is {limit}",
            assumed(life)
        )
    };
    let help = if rule == ACCESS_TTL {
        format!(
            "set {fix} or less, and renew access tokens with a rotated, revocable refresh token"
        )
    } else {
        format!("set {fix} or less; active users keep their login through refresh-token rotation")
    };
    Report::new(rule, span, message, help)
}

/// The fix of a product setting: the value the product documents (a lifetime at the limit, in
/// its unit; rotation or a cookie flag turned on). Unsafe: it changes what clients see (tokens
/// expire sooner, a refresh returns a new token). The span is the value node's;
/// [`settle_value_fixes`] fits it to the text.
pub fn value_fix(key: &str, span: Span, value: String) -> ReportFix {
    ReportFix::replace(
        format!("set `{key}` to `{value}`"),
        Applicability::Unsafe,
        span,
        value,
    )
}

/// Fits the value fixes of the reports from `first` on to the file's text: inside the quotes of a
/// quoted value; dropped where the text is not a plain word, number or duration (a block scalar,
/// a base64-encoded Kubernetes Secret value), since the edit would not mean what it says.
pub fn settle_value_fixes(reports: &mut [Report], text: &str) {
    for r in reports {
        let Some(fix) = &mut r.fix else { continue };
        let mut keep = true;
        for (span, _) in &mut fix.edits {
            let Some(raw) = text.get(span.start..span.end) else {
                keep = false;
                continue;
            };
            let quoted = raw.len() >= 2
                && (raw.starts_with('"') && raw.ends_with('"')
                    || raw.starts_with('\'') && raw.ends_with('\''));
            let inner = if quoted { &raw[1..raw.len() - 1] } else { raw };
            if quoted {
                *span = Span::new(span.start + 1, span.end - 1);
            }
            let word = inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
            let plain = inner.trim() == inner
                && !inner.is_empty()
                && (word || super::duration::parse_text(inner).is_some());
            keep &= plain;
        }
        if !keep {
            r.fix = None;
        }
    }
}

/// `token-without-expiry`.
pub fn no_expiry(span: Span, subject: &str, key: &str, value: &str, fix: &str) -> Report {
    Report::new(
        NO_EXPIRY,
        span,
        format!("{subject}`{key}` is `{value}`: these tokens never expire"),
        format!("set {fix}, so a stolen token stops working on its own"),
    )
}

/// `refresh-token-rotation-disabled`, for a switch that turns rotation off.
pub fn rotation_off(span: Span, subject: &str, key: &str, value: &str, fix: &str) -> Report {
    Report::new(
        ROTATION,
        span,
        format!(
            "{subject}`{key}` is `{value}`: refresh tokens are not rotated, so a stolen one keeps working and its reuse goes unnoticed"
        ),
        format!("set {fix}, so each refresh issues a new token and a replayed old one is refused"),
    )
}

/// `refresh-token-rotation-disabled`, for a reuse window or count that weakens rotation.
pub fn reuse_window(span: Span, subject: &str, key: &str, shown: &str, fix: &str) -> Report {
    Report::new(
        ROTATION,
        span,
        format!(
            "{subject}`{key}` is {shown}: a rotated refresh token is still accepted, so a replayed stolen one is not detected"
        ),
        format!("set {fix}, allowing reuse only for the few seconds concurrent requests need"),
    )
}

/// `refresh-token-not-revocable`, for a switch that turns revocation off.
pub fn revocation_off(span: Span, subject: &str, key: &str, value: &str, fix: &str) -> Report {
    Report::new(
        REVOCABLE,
        span,
        format!(
            "{subject}`{key}` is `{value}`: refresh tokens cannot be revoked, so logout or a stolen token cannot be cut off"
        ),
        format!("set {fix}, and revoke the refresh token on logout"),
    )
}

/// `refresh-token-not-revocable`, for self-contained access tokens with a long refresh lifetime.
pub fn jwt_with_long_refresh(
    span: Span,
    subject: &str,
    key: &str,
    value: &str,
    refresh: &str,
    refresh_secs: f64,
    fix: &str,
) -> Report {
    Report::new(
        REVOCABLE,
        span,
        format!(
            "{subject}`{key}` is `{value}` and `{refresh}` is {}: revoking a grant does not withdraw the self-contained access tokens it already issued",
            human(refresh_secs)
        ),
        format!(
            "set {fix}, so every access token is checked by introspection, or shorten `{refresh}`"
        ),
    )
}

/// `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite` for a cookie
/// flag set to an unsafe value, in the rules' one wording (`crate::rule::wording`).
pub fn cookie(rule: Rule, span: Span, subject: &str, key: &str, value: &str, fix: &str) -> Report {
    let help = match rule {
        HTTPONLY => format!("set {fix}"),
        SECURE => format!("set {fix} and serve the site over HTTPS only"),
        _ => format!("set {fix} and keep CSRF protection on state-changing requests"),
    };
    let flag = CookieFlag::Setting { key, value };
    wording::cookie_flag(rule, subject, flag, span, help)
}

/// Shows at most the first 3 characters of a secret (fewer for short ones).
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let show = if n >= 8 { 3 } else { n / 3 };
    format!("{}…", secret.chars().take(show).collect::<String>())
}

/// `hardcoded-signing-secret`. `fallback` names the variable when the literal is only the
/// fallback of `${VAR:-literal}`.
pub fn secret(span: Span, subject: &str, key: &str, value: &str, fallback: Option<&str>) -> Report {
    let shown = redact(value);
    let message = match fallback {
        Some(var) => format!(
            "{subject}`{key}` falls back to the literal secret `{shown}` when `{var}` is unset"
        ),
        None => format!("{subject}`{key}` is a literal secret `{shown}` committed with the code"),
    };
    let help = match fallback {
        Some(var) => format!(
            "write `${{{var}:?{var} must be set}}` so a missing secret stops the deployment, and inject it from a secret manager; rotate it, since the old value stays in git history"
        ),
        None => format!(
            "remove the value of `{key}` from the file and inject it at deploy time from a secret manager or the environment; rotate it, since the old value stays in git history"
        ),
    };
    Report::new(SECRET, span, message, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact("super-secret-value"), "sup…");
        assert_eq!(redact("abc"), "a…");
        assert_eq!(redact(""), "…");
        let r = secret(Span::default(), "", "jwt_secret", "change-me-please", None);
        assert!(!r.message.contains("change-me-please"));
    }
}

/// Inline cases (`crate::rule::cases`): what this rule reports, and its safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::HardcodedSigningSecret,
            file: ".env",
            prelude: r#""#,
            fail: &[r#"JWT_SECRET="k8s7Hf0pQz9LmN2vX4bW""#],
            pass: &[
                r#"JWT_SECRET=${JWT_SECRET}"#,
                r#"JWT_SECRET=changeme"#,
                r#"DATABASE_PASSWORD="k8s7Hf0pQz9LmN2vX4bW""#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingHttponly,
            file: ".env",
            prelude: r#""#,
            fail: &[r#"SESSION_COOKIE_HTTPONLY=false"#],
            pass: &[
                r#"SESSION_COOKIE_HTTPONLY=true"#,
                r#"CSRF_COOKIE_HTTPONLY=false"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: ".env",
            prelude: r#""#,
            fail: &[r#"SESSION_COOKIE_SECURE=False"#],
            pass: &[r#"SESSION_COOKIE_SECURE=True"#],
        },
        Cases {
            rule: Rule::CookieMissingSamesite,
            file: ".env",
            prelude: r#""#,
            fail: &[r#"SESSION_COOKIE_SAMESITE=None"#],
            pass: &[r#"SESSION_COOKIE_SAMESITE=Lax"#],
        },
        Cases {
            rule: Rule::AccessTokenTtlTooLong,
            file: "config/app.yaml",
            prelude: r#""#,
            fail: &[r#"auth:
  jwt:
    expiresIn: 24h"#],
            pass: &[
                r#"auth:
  jwt:
    expiresIn: 15m"#,
                r#"auth:
  email_confirmation_token_ttl: 48h"#,
            ],
        },
        Cases {
            rule: Rule::RefreshTokenTtlTooLong,
            file: ".env",
            prelude: r#""#,
            fail: &[r#"JWT_REFRESH_EXPIRES_IN=365d"#],
            pass: &[r#"JWT_REFRESH_EXPIRES_IN=14d"#],
        },
        Cases {
            rule: Rule::TokenWithoutExpiry,
            file: "hydra.yml",
            prelude: r#""#,
            fail: &[r#"urls:
  self:
    issuer: https://auth.example.com
ttl:
  access_token: 5m
  refresh_token: -1"#],
            pass: &[r#"urls:
  self:
    issuer: https://auth.example.com
ttl:
  access_token: 5m
  refresh_token: 720h"#],
        },
        Cases {
            rule: Rule::RefreshTokenNotRevocable,
            file: "hydra.yml",
            prelude: r#""#,
            fail: &[r#"urls:
  self:
    issuer: https://auth.example.com
strategies:
  access_token: jwt
ttl:
  access_token: 10m
  refresh_token: 2160h"#],
            pass: &[r#"urls:
  self:
    issuer: https://auth.example.com
strategies:
  access_token: opaque
ttl:
  access_token: 10m
  refresh_token: 2160h"#],
        },
        Cases {
            rule: Rule::RefreshTokenRotationDisabled,
            file: "dex/config.yaml",
            prelude: r#""#,
            fail: &[r#"issuer: https://dex.example.com
staticClients: []
expiry:
  refreshTokens:
    disableRotation: true"#],
            pass: &[r#"issuer: https://dex.example.com
staticClients: []
expiry:
  refreshTokens:
    disableRotation: false"#],
        },
    ];
}
