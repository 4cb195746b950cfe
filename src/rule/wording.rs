//! The words of the rules that several analyzers report, each worded once here with parameters,
//! so a browser script, a WASM front end, a Rust server and a config file that make the same
//! mistake read the same. The caller supplies the user's own terms (what is written, the key,
//! the cookie's name) and the concrete fix in their code.
use super::Rule;
use crate::auth_names::TokenKind;
use crate::finding::{Report, Severity, Span};

/// `token-in-web-storage`: `what` ("refresh token `data.refresh`") is written to `store`
/// ("localStorage") under `key`, through the wrapper `via`. A vague name is a warning.
pub fn token_in_web_storage(
    span: Span,
    what: &str,
    store: &str,
    key: Option<&str>,
    via: Option<&str>,
    kind: TokenKind,
) -> Report {
    let under = key.map(|k| format!(" under `{k}`")).unwrap_or_default();
    let through = via.map(|f| format!(" by `{f}`")).unwrap_or_default();
    let message = format!(
        "{what} is written to {store}{under}{through}: any script on this origin can read it"
    );
    graded(
        Report::new(Rule::TokenInWebStorage, span, message, storage_help(kind)),
        kind,
    )
}

/// `token-in-web-storage` for a whole login response: it may or may not carry the token, so a
/// warning.
pub fn login_response_in_web_storage(
    span: Span,
    shown: &str,
    store: &str,
    key: Option<&str>,
) -> Report {
    let under = key.map(|k| format!(" under `{k}`")).unwrap_or_default();
    let message = format!(
        "the login response `{shown}` is written to {store}{under}: if it carries the token, any script on this origin can read it"
    );
    let help = "write only the fields the page needs (`JSON.stringify({ id: user.id, name: user.name })`), never the token: keep the access token in memory and let the server hold the session or refresh token in an `HttpOnly; Secure; SameSite` cookie it sets itself";
    Report::new(Rule::TokenInWebStorage, span, message, help).severity(Severity::Warning)
}

fn storage_help(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Refresh => {
            "keep the refresh token out of script's reach: have the server set it as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to the refresh path (`Path=/api/auth/refresh`), drop it from the response body, and keep only a short-lived access token in memory"
        }
        TokenKind::Access | TokenKind::Jwt | TokenKind::Token | TokenKind::Id => {
            "keep tokens out of script's reach: hold the access token in memory only (a variable, signal or struct field, renewed from the refresh endpoint after a reload, never storage) and let the server keep the session or refresh token in an `HttpOnly; Secure; SameSite` cookie it sets itself"
        }
        TokenKind::ApiKey => {
            "keep API keys out of the browser: call the API through your server, which holds the key, or give the page a short-lived token scoped to what it needs"
        }
        TokenKind::SessionId | TokenKind::Generic | TokenKind::RememberMe => {
            "keep credentials out of script's reach: let the server set the session in an `HttpOnly; Secure; SameSite=Lax` cookie and persist only non-secret data (user name, preferences) in web storage"
        }
    }
}

/// `token-cookie-set-by-script`: `what` is written to the cookie `name` by script, through
/// `via` (`document.cookie`, `Cookies.set`, `wasm_cookies::set`).
pub fn token_cookie_set_by_script(
    span: Span,
    what: &str,
    name: Option<&str>,
    via: &str,
    kind: TokenKind,
) -> Report {
    let cookie = name
        .map(|n| format!("cookie `{n}`"))
        .unwrap_or_else(|| "a cookie".into());
    let message = format!(
        "{what} is written to {cookie} by script (`{via}`), so the cookie can never be HttpOnly: any script on this origin can read it"
    );
    let help = match name {
        Some(n) => format!(
            "have the server set `{n}` in its login response with `Set-Cookie: {n}=…; HttpOnly; Secure; SameSite=Lax; Path=/`, keep the token out of the response body, and remove this write"
        ),
        None => "have the server set the cookie in its login response with `Set-Cookie: …; HttpOnly; Secure; SameSite=Lax; Path=/`, keep the token out of the response body, and remove this write".into(),
    };
    graded(
        Report::new(Rule::TokenCookieSetByScript, span, message, help),
        kind,
    )
}

/// A vague name ("auth data") is worth a look, not an error.
fn graded(r: Report, kind: TokenKind) -> Report {
    if kind.is_generic() {
        r.severity(Severity::Warning)
    } else {
        r
    }
}

/// What is wrong with a cookie attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieFlag<'a> {
    /// Not set, and the crate's default is unsafe.
    Absent,
    /// Turned off with a literal (`.secure(false)`).
    Off,
    /// `SameSite=None`.
    SameSiteNone,
    /// A setting in a config file: `key` is `value`.
    Setting { key: &'a str, value: &'a str },
}

/// `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite`. `subject` names
/// the cookie in the user's terms ("auth cookie `session`", "Keycloak realm `shop`:").
pub fn cookie_flag(
    rule: Rule,
    subject: &str,
    flag: CookieFlag,
    span: Span,
    help: String,
) -> Report {
    let (name, consequence) = match rule {
        Rule::CookieMissingHttponly => ("HttpOnly", "any script on the page can read it"),
        Rule::CookieMissingSecure => ("Secure", "it is also sent over plain http"),
        _ if flag == CookieFlag::SameSiteNone => {
            ("SameSite", "it goes with every cross-site request")
        }
        _ => (
            "SameSite",
            "whether cross-site requests carry it depends on the browser",
        ),
    };
    let message = match flag {
        CookieFlag::Absent => format!("{subject} is set without {name}, so {consequence}"),
        CookieFlag::Off => format!("{subject} has {name} turned off, so {consequence}"),
        CookieFlag::SameSiteNone => {
            format!("{subject} is set with SameSite=None, so {consequence}")
        }
        CookieFlag::Setting { key, value } => {
            let consequence = match rule {
                Rule::CookieMissingSamesite => {
                    "cross-site requests carry the cookie, which opens the door to CSRF"
                }
                _ => consequence,
            };
            format!("{subject}`{key}` is `{value}`, so {consequence}")
        }
    };
    Report::new(rule, span, message, help)
}

/// `access-token-ttl-too-long` and `refresh-token-ttl-too-long`: the `noun` ("access token")
/// issued by `fname`, named by `decided_by` there, lives `ttl` seconds against a `limit`; `code`
/// is the fix in the API in use (`Duration::minutes(15)`, `expiresIn: '15m'`).
pub fn token_ttl_too_long(
    rule: Rule,
    span: Span,
    noun: &str,
    fname: &str,
    decided_by: Option<&str>,
    (ttl, limit): (u64, u64),
    code: &str,
) -> Report {
    use crate::config::duration::format_duration;
    let who = match decided_by {
        Some(n) if n != fname => format!("{noun} `{n}` in `{fname}`"),
        _ => format!("{noun} `{fname}`"),
    };
    let message = format!(
        "{who} lives {}; limit is {}",
        format_duration(ttl),
        format_duration(limit)
    );
    let help = if rule == Rule::RefreshTokenTtlTooLong {
        format!(
            "give refresh tokens at most {} (`{code}`), rotate them on every use and keep them in a server-side store so they can be revoked",
            format_duration(limit)
        )
    } else {
        format!(
            "issue a short access token (`{code}`, at most {}) and renew it with a revocable refresh token; if this lifetime is deliberate, raise `access_token_max_ttl` in authlint.toml",
            format_duration(limit)
        )
    };
    Report::new(rule, span, message, help)
}

/// `client-side-session-store`: `what` (`CookieSessionStore`, `cookie-session`) keeps the whole
/// session in the cookie; `help` names the server-side store to use in the code's framework.
pub fn client_side_session_store(span: Span, what: &str, help: &str) -> Report {
    let message = format!(
        "session state is kept in the cookie itself by `{what}`, so the server cannot revoke a session: logout only asks the browser to drop its copy"
    );
    Report::new(Rule::ClientSideSessionStore, span, message, help)
}

/// `hardcoded-signing-secret`: `ctor` (`EncodingKey::from_secret`, `jwt.sign`) is given a key
/// written in the source; `read` reads it at runtime in the code's language.
pub fn key_in_source(span: Span, ctor: &str, read: &str) -> Report {
    Report::new(
        Rule::HardcodedSigningSecret,
        span,
        format!(
            "`{ctor}` is given a key written in the source: anyone with the code can sign tokens or cookies"
        ),
        secret_help(read),
    )
}

/// The help of a secret written in the source: `read` is the code that reads it at runtime and
/// fails when it is missing.
pub fn secret_help(read: &str) -> String {
    format!(
        "read the key from the environment or a secret manager with no default, and fail start-up when it is missing: `{read}`; generate it with `openssl rand -base64 32` and rotate it, since the committed value stays in git history"
    )
}

/// `hardcoded-signing-secret`: the environment variable `var` falls back to a literal; `fix` is
/// the read without a default in the code's language.
pub fn secret_env_fallback(span: Span, var: &str, fix: &str) -> Report {
    Report::new(
        Rule::HardcodedSigningSecret,
        span,
        format!("`{var}` falls back to a hard-coded secret when the variable is not set"),
        format!("remove the default and fail start-up when `{var}` is missing: `{fix}`"),
    )
}

/// `hardcoded-signing-secret`: the field `field` defaults to an empty string and is used as the
/// key of `ctor` at `used_at` (`path:line`), with nothing rejecting it empty.
pub fn empty_default_key(span: Span, field: &str, ctor: &str, used_at: &str) -> Report {
    Report::new(
        Rule::HardcodedSigningSecret,
        span,
        format!(
            "`{field}` defaults to an empty string and is used as the key of `{ctor}` ({used_at}) with nothing rejecting it empty: tokens signed with an empty key can be forged by anyone"
        ),
        format!(
            "give `{field}` no default (read it from the environment or a secret manager), and fail start-up when it is empty: `if cfg.{field}.is_empty() {{ return Err(..) }}`"
        ),
    )
}

/// `hardcoded-signing-secret`: the environment variable `var` is committed with a value and the
/// code reads it as the key of `ctor` at `used_at` (`path:line`).
pub fn committed_env_key(span: Span, var: &str, ctor: &str, used_at: &str) -> Report {
    Report::new(
        Rule::HardcodedSigningSecret,
        span,
        format!(
            "`{var}` is committed with a value, and the code reads it as the key of `{ctor}` ({used_at}): anyone with the repository can sign tokens or cookies"
        ),
        format!(
            "remove the value of `{var}` from the committed file and inject it at deploy time from a secret manager; generate a new key with `openssl rand -base64 32`, since the committed value stays in git history"
        ),
    )
}

/// `jwt-signature-not-verified`: `call` reads a token's claims without checking its signature;
/// `help` is the verifying call in the library in use.
pub fn signature_not_verified(span: Span, call: &str, help: &str) -> Report {
    Report::new(
        Rule::JwtSignatureNotVerified,
        span,
        format!(
            "`{call}` accepts a token without verifying its signature: anyone can forge its claims"
        ),
        help,
    )
}

/// `token-without-expiry`: `what` (`jwt.sign`, `SignJWT`) issues tokens with no `exp`; `code` is
/// the fix in the API in use.
pub fn token_never_expires(span: Span, what: &str, code: &str) -> Report {
    Report::new(
        Rule::TokenWithoutExpiry,
        span,
        format!("`{what}` issues a token with no `exp`: the token never expires"),
        format!("give every token an expiry (`{code}`) so a stolen one stops working on its own"),
    )
}

/// A plain `exp` at or after this Unix time (2024-01-01), and below 1e11 (a count of seconds,
/// not of milliseconds), is a fixed date, not a duration.
const FIXED_DATE_FROM: f64 = 1_704_067_200.0;

/// The year of a plain `exp` that is a fixed date (`exp: 2000000000` is in 2033), if it is one.
pub fn fixed_date_year(secs: f64) -> Option<u64> {
    (FIXED_DATE_FROM..1e11)
        .contains(&secs)
        .then(|| 1970 + (secs / 31_556_952.0) as u64)
}

/// `token-without-expiry`: `fname` gives every token the same `exp`, a date in `year`; the
/// label for the value is `fixed_date_label(year)`.
pub fn fixed_expiry_date(span: Span, fname: &str, year: u64) -> Report {
    Report::new(
        Rule::TokenWithoutExpiry,
        span,
        format!(
            "`{fname}` gives every token the same fixed `exp`, a date in {year}: tokens issued today stay valid for years"
        ),
        "compute `exp` from the time of issue (`now + 15 minutes`), and renew the token with a revocable refresh token",
    )
}

/// The label on a fixed `exp` date.
pub fn fixed_date_label(year: u64) -> String {
    format!("a fixed date in {year}")
}

/// `token-without-expiry`: `call` is told to accept expired tokens.
pub fn expiry_ignored(span: Span, call: &str, option: &str) -> Report {
    Report::new(
        Rule::TokenWithoutExpiry,
        span,
        format!("`{call}` is given `{option}`: expired tokens are accepted forever"),
        format!(
            "remove `{option}`; to find the owner of an expired access token during refresh, verify the refresh token first and never authorize a request with the result"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A browser script and a WASM front end storing the same token read the same.
    #[test]
    fn one_message_for_scripts_and_wasm() {
        let span = Span::new(0, 1);
        let r = token_in_web_storage(
            span,
            "refresh token",
            "localStorage",
            Some("rt"),
            None,
            TokenKind::Refresh,
        );
        assert_eq!(
            r.message,
            "refresh token is written to localStorage under `rt`: any script on this origin can read it"
        );
        assert!(r.help.contains("Path=/api/auth/refresh"));
        assert_eq!(r.severity, None);
        let vague = token_in_web_storage(
            span,
            "auth data",
            "sessionStorage",
            None,
            Some("save"),
            TokenKind::Generic,
        );
        assert_eq!(vague.severity, Some(Severity::Warning));
        assert!(vague.message.contains("sessionStorage by `save`"));
    }

    #[test]
    fn cookie_flags_share_their_consequence_across_code_and_config() {
        let span = Span::new(0, 1);
        let code = cookie_flag(
            Rule::CookieMissingHttponly,
            "auth cookie `sid`",
            CookieFlag::Absent,
            span,
            String::new(),
        );
        let config = cookie_flag(
            Rule::CookieMissingHttponly,
            "Authelia: ",
            CookieFlag::Setting {
                key: "session.httponly",
                value: "false",
            },
            span,
            String::new(),
        );
        assert_eq!(
            code.message,
            "auth cookie `sid` is set without HttpOnly, so any script on the page can read it"
        );
        assert_eq!(
            config.message,
            "Authelia: `session.httponly` is `false`, so any script on the page can read it"
        );
        let none = cookie_flag(
            Rule::CookieMissingSamesite,
            "cookie `a`",
            CookieFlag::SameSiteNone,
            span,
            String::new(),
        );
        assert!(none.message.ends_with("goes with every cross-site request"));
    }
}
