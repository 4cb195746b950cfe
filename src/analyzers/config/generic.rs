//! Plain application config (TOML, YAML, JSON, `.env`, docker-compose `environment:`,
//! Kubernetes `env:`): settings recognised by their key names. A key is read together with its
//! parent (`jwt: { expiresIn: 7d }` is `jwt expires in`); words such as `cache`, `email`,
//! `reset` or `rotation` anywhere on the path mark settings that are not auth tokens.
use super::duration::{Lifetime, Style, Unit, lifetime, write};
use super::messages::{self, ACCESS_TTL, HTTPONLY, REFRESH_TTL, SAMESITE, SECURE};
use super::secret;
use super::tree::{Setting, Value, words};
use crate::analyzers::{Context, Sink};
use crate::facts::{FactKind, TokenKind};
use crate::finding::Report;
use crate::rule::Rule;
use std::collections::HashSet;
use std::sync::OnceLock;

const DURATION_WORDS: &[&str] = &[
    "ttl",
    "lifetime",
    "lifespan",
    "expiry",
    "expiration",
    "expire",
    "expires",
    "expiresin",
    "expirein",
    "expirationtime",
    "expiretime",
    "expiresafter",
    "maxage",
    "validity",
    "duration",
    "exp",
];
const ACCESS_PREFIXES: &[&str] = &[
    "accesstoken",
    "access",
    "jwt",
    "jwtaccess",
    "jwtaccesstoken",
    "authtoken",
    "bearertoken",
    "idtoken",
];
/// `token_lifetime` and friends, without `token_ttl` (Vault and API tokens use it).
const TOKEN_ONLY: &[&str] = &[
    "tokenlifetime",
    "tokenlifespan",
    "tokenexpiry",
    "tokenexpiration",
    "tokenexpiresin",
    "tokenvalidity",
];
const REFRESH_PREFIXES: &[&str] = &["refreshtoken", "refresh", "jwtrefresh", "jwtrefreshtoken"];
const SECRET_KEYS: &[&str] = &[
    "jwtsecret",
    "jwtsecretkey",
    "jwtsigningkey",
    "jwtsigningsecret",
    "jwtaccesssecret",
    "jwtrefreshsecret",
    "jwtaccesstokensecret",
    "jwtrefreshtokensecret",
    "jwthmacsecret",
    "accesstokensecret",
    "refreshtokensecret",
    "cookiesecret",
    "sessionsecret",
    "secretkeybase",
    "nextauthsecret",
    "authsecret",
    "jwtsecrets",
    "cookiesigningsecret",
    "sessionsigningkey",
];
/// Key names that sign tokens or cookies only in an auth setting: `SECRET_KEY` (Django, Flask,
/// FastAPI), `APP_SECRET`, `hmac_secret` (a session or flash-cookie key), `SIGNING_KEY`. Read as
/// a token secret unless another word says whose secret it is (`AWS_SECRET_KEY`,
/// `SMTP_SIGNING_KEY`, `WEBHOOK_SECRET`): those belong to other tools.
const GENERIC_SECRET_KEYS: &[&str] = &[
    "secretkey",
    "appsecret",
    "applicationsecret",
    "hmacsecret",
    "hmackey",
    "signingkey",
    "signingsecret",
    "tokensecret",
    "tokensigningkey",
    "jwtkey",
    "sessionkey",
    "cookiekey",
    "cookiesigningkey",
];

/// Words that make a `*_PRIVATE_KEY` a token-signing key (`JWT_PRIVATE_KEY`,
/// `ACCESS_TOKEN_PRIVATE_KEY`); a bare `PRIVATE_KEY` or `SSH_PRIVATE_KEY` is another tool's.
const SIGNING_KEY_WORDS: &[&str] = &[
    "jwt", "token", "access", "refresh", "auth", "signing", "session", "oidc", "jws",
];

/// Whether a key names a token-signing, session or cookie secret. A trailing `base64`/`b64`
/// (`JWT_PRIVATE_KEY_BASE64`) says how the value is written, not what it is.
fn secret_key(kw: &[String]) -> bool {
    let kw = match kw.last().map(String::as_str) {
        Some("base64" | "b64" | "pem") if kw.len() > 1 => &kw[..kw.len() - 1],
        _ => kw,
    };
    suffix_in_list(kw, SECRET_KEYS)
        || suffix_in_list(kw, GENERIC_SECRET_KEYS) && !crate::auth_names::foreign_secret(kw)
        || signing_private_key(kw)
}

/// Whether an environment variable or setting gives an application what it signs or checks
/// tokens with: a token or session secret, a signing key, a JWKS or a public key's location.
/// Two services given the same one verify the same tokens.
pub(crate) fn is_token_key_name(key: &str) -> bool {
    let kw = words(key);
    let has = |w: &str| kw.iter().any(|k| k == w);
    secret_key(&kw)
        || has("jwks")
        || (has("public")
            && has("key")
            && kw.iter().any(|w| SIGNING_KEY_WORDS.contains(&w.as_str())))
}

/// `JWT_PRIVATE_KEY`, `ACCESS_TOKEN_PRIVATE_KEY`, `jwt.signing.private_key`: a private key that
/// signs tokens, named by an auth word before `private key`.
fn signing_private_key(kw: &[String]) -> bool {
    let [rest @ .., p, k] = kw else {
        return false;
    };
    p == "private"
        && k == "key"
        && rest.iter().any(|w| SIGNING_KEY_WORDS.contains(&w.as_str()))
        && !crate::auth_names::foreign_secret(kw)
}

const SECURE_KEYS: &[&str] = &[
    "cookiesecure",
    "cookiessecure",
    "sessionsecure",
    "sessioncookiesecure",
    "securecookie",
    "securecookies",
    "cookiesecureflag",
    "usesecurecookies",
];

/// Words anywhere on a path that mark a lifetime as something other than an access or refresh
/// token: caches, rate limits, email and reset links, key rotation, flows, server-side sessions.
const NOT_TOKEN_PATH: &[&str] = &[
    "cache",
    "caching",
    "cached",
    "ratelimit",
    "rate",
    "throttle",
    "email",
    "mail",
    "verification",
    "verify",
    "reset",
    "password",
    "invite",
    "invitation",
    "magic",
    "otp",
    "totp",
    "mfa",
    "sms",
    "confirmation",
    "csrf",
    "xsrf",
    "rotation",
    "rotate",
    "signing",
    "jwks",
    "keys",
    "lockout",
    "captcha",
    "flow",
    "flows",
    "recovery",
    "vault",
    "session",
    "sessions",
    "cookie",
    "cookies",
    "device",
    "activation",
    "registration",
    "remember",
    "presign",
    "presigned",
    "upload",
    "download",
];
/// The same, but only in the key itself and its parent (`api_token_ttl`, `jwt.leeway`).
const NOT_TOKEN_KEY: &[&str] = &[
    "api",
    "personal",
    "pat",
    "key",
    "code",
    "nonce",
    "state",
    "url",
    "link",
    "share",
    "preview",
    "grace",
    "leeway",
    "skew",
    "clock",
    "tolerance",
    "idle",
    "interval",
    "timeout",
    "poll",
    "retry",
    "backoff",
    "lease",
    "lock",
    "cleanup",
    "confirm",
];

fn set(v: &[&'static str]) -> HashSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn access_names() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = set(TOKEN_ONLY);
        for p in ACCESS_PREFIXES {
            for d in DURATION_WORDS {
                s.insert(format!("{p}{d}"));
            }
        }
        s
    })
}

fn refresh_names() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = HashSet::new();
        for p in REFRESH_PREFIXES {
            for d in DURATION_WORDS {
                s.insert(format!("{p}{d}"));
            }
        }
        s
    })
}

/// Whether some word-aligned suffix of `words` joins to a name in `names`.
fn suffix_in(words: &[String], names: &HashSet<String>) -> bool {
    (0..words.len()).any(|i| names.contains(&words[i..].concat()))
}

fn suffix_in_list(words: &[String], names: &[&str]) -> bool {
    (0..words.len()).any(|i| names.contains(&words[i..].concat().as_str()))
}

/// The words a setting is read by: its parent's and its own (`jwt.expiresIn` → `jwt expires in`).
fn key_words(s: &Setting) -> Vec<String> {
    let n = s.path.len();
    let mut w = Vec::new();
    if n >= 2 && !s.path[n - 2].chars().all(|c| c.is_ascii_digit()) {
        w.extend(words(&s.path[n - 2]));
    }
    w.extend(words(s.key()));
    w
}

fn path_words(s: &Setting) -> Vec<String> {
    s.path.iter().flat_map(|p| words(p)).collect()
}

/// Runs the generic rules on a file's settings; `env_file` says the file is a `.env` file,
/// whose every entry is a variable of the environment.
pub fn check(settings: &[Setting], env_file: bool, ctx: &Context, sink: &mut Sink) {
    for s in settings {
        if let Some(var) = env_value(s, env_file) {
            sink.fact(FactKind::EnvValue { var }, s.node.span, None);
        }
        let lifetime = token_lifetime(s);
        if let Some((rule, life, _)) = &lifetime
            && life.secs >= 1.0
        {
            // Whatever the limit: the design verdict gives it to the JWTs issued from this key.
            let token = if *rule == REFRESH_TTL {
                TokenKind::Refresh
            } else {
                TokenKind::Access
            };
            let kind = FactKind::ConfigTokenLifetime {
                key: s.path.join("."),
                token,
                lifetime_secs: life.secs as u64,
            };
            sink.fact(kind, s.node.span, None);
        }
        let report = literal_secret(s)
            .or_else(|| cookie_flag_off(s))
            .or_else(|| lifetime.and_then(|l| lifetime_too_long(s, l, ctx)));
        if let Some(report) = report {
            sink.report(report);
        }
    }
}

/// The variable a setting gives a literal value, when it is one of the environment: an entry
/// of a `.env` file or of a compose service's `environment:`. The project pass judges it by the
/// code that reads it (a key constructor makes it a signing key, whatever its name).
fn env_value(s: &Setting, env_file: bool) -> Option<String> {
    let n = s.path.len();
    let in_environment = n >= 2 && s.path[n - 2] == "environment";
    if !(env_file && n == 1 || in_environment) {
        return None;
    }
    // A fallback (`${JWT_SECRET:-dev}`) is reported as one where it is written.
    match secret::literal(&s.node)? {
        (_, None) => Some(s.key().to_string()),
        (_, Some(_)) => None,
    }
}

/// A secret written in the file. The file's role decides how loud this is (an example to copy:
/// a warning at most; a developer's environment: a note).
fn literal_secret(s: &Setting) -> Option<Report> {
    if !secret_key(&key_words(s)) {
        return None;
    }
    let (value, fallback) = secret::literal(&s.node)?;
    let key = s.path.join(".");
    Some(messages::secret(
        s.node.span,
        "",
        &key,
        &value,
        fallback.as_deref(),
    ))
}

/// A cookie's HttpOnly or Secure set to false, or its SameSite to none (never on CSRF cookies,
/// which scripts must read).
fn cookie_flag_off(s: &Setting) -> Option<Report> {
    let path = path_words(s);
    if path.iter().any(|w| w == "csrf" || w == "xsrf") {
        return None;
    }
    let kw = key_words(s);
    let key = s.path.join(".");
    let is_false = s.node.as_bool() == Some(false);
    let (rule, value, fixed) = if is_false && suffix_in_list(&kw, &["httponly"]) {
        (HTTPONLY, "false".to_string(), "true")
    } else if is_false && suffix_in_list(&kw, SECURE_KEYS) {
        (SECURE, "false".to_string(), "true")
    } else if suffix_in_list(&kw, &["samesite"])
        && let Some(v) = s
            .node
            .as_str()
            .map(str::trim)
            .filter(|v| v.eq_ignore_ascii_case("none"))
    {
        (SAMESITE, v.to_string(), "lax")
    } else {
        return None;
    };
    let fix = format!("`{key}` to `{fixed}`");
    Some(messages::cookie(rule, s.node.span, "", &key, &value, &fix))
}

/// An access or refresh token lifetime: the rule it falls under, its value and the unit the
/// key names. The unit word (`_minutes`) is read off the key first.
fn token_lifetime(s: &Setting) -> Option<(Rule, Lifetime, Option<Unit>)> {
    let mut kw = key_words(s);
    let all = path_words(s);
    let has = |w: &str| all.iter().any(|x| x == w);
    let unit = Unit::from_key_words(&kw);
    if unit.is_some() {
        kw.pop();
    }
    let not_token = NOT_TOKEN_PATH.iter().any(|w| has(w))
        || NOT_TOKEN_KEY.iter().any(|w| kw.iter().any(|x| x == w));
    if not_token {
        return None;
    }
    let rule = if has("refresh") {
        suffix_in(&kw, refresh_names()).then_some(REFRESH_TTL)
    } else {
        suffix_in(&kw, access_names()).then_some(ACCESS_TTL)
    }?;
    // A bare number without a unit in the key: seconds, unless it is a large whole number of
    // minutes in milliseconds (`3600000`), as Java and Node configs write them.
    let guess = match s.node.as_f64() {
        Some(n) if n >= 1_000_000.0 && n % 60_000.0 == 0.0 => Unit::Millis,
        _ => Unit::Seconds,
    };
    let life = lifetime(&s.node, unit.unwrap_or(guess), unit.is_some())?;
    Some((rule, life, unit))
}

/// An access or refresh token lifetime over its limit.
fn lifetime_too_long(
    s: &Setting,
    (rule, life, unit): (Rule, Lifetime, Option<Unit>),
    ctx: &Context,
) -> Option<Report> {
    let limit = if rule == ACCESS_TTL {
        ctx.settings.access_token_max_ttl
    } else {
        ctx.settings.refresh_token_max_ttl
    };
    if life.secs <= limit as f64 || life.secs <= 0.0 {
        return None;
    }
    let style = match (&s.node.value, unit) {
        (Value::Str(t), None) if t.trim().starts_with(['P', 'p']) => Style::Iso,
        (Value::Str(t), None) if t.trim().parse::<f64>().is_err() => Style::Go,
        (_, u) => Style::Number(u.or(life.assumed).unwrap_or(Unit::Seconds)),
    };
    // `365d` and `2 hours` are vercel/ms strings: answered in kind (`30d`, `15m`), not in Go's
    // hours.
    let ms_style =
        matches!(&s.node.value, Value::Str(t) if style == Style::Go && t.contains(['d', ' ']));
    let exact = if ms_style {
        Some(super::duration::human(limit as f64))
    } else {
        write(limit, style)
    };
    let key = s.path.join(".");
    let written = exact.clone().unwrap_or_else(|| limit.to_string());
    let fix = format!("`{key}` to `{written}`");
    let report = messages::lifetime(rule, s.node.span, "", &key, &life, limit, &fix, false);
    Some(match exact {
        Some(v) => report.fix(messages::value_fix(&key, s.node.span, v)),
        None => report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn names_that_mean_token_lifetimes() {
        for k in [
            "JWT_EXPIRES_IN",
            "jwt_expiry",
            "accessTokenTtl",
            "token_lifetime",
            "ACCESS_TOKEN_EXPIRE",
        ] {
            assert!(suffix_in(&w(k), access_names()), "{k}");
        }
        for k in ["token_ttl", "cache_ttl", "expires", "refresh_token_ttl"] {
            assert!(!suffix_in(&w(k), access_names()), "{k}");
        }
        assert!(suffix_in(&w("REFRESH_TOKEN_EXPIRES_IN"), refresh_names()));
        assert!(suffix_in_list(
            &w("OAUTH2_PROXY_COOKIE_SECRET"),
            SECRET_KEYS
        ));
        assert!(!suffix_in_list(&w("JWT_SECRET_FILE"), SECRET_KEYS));
        assert!(!suffix_in_list(&w("GOOGLE_OAUTH_SECRET"), SECRET_KEYS));
    }

    #[test]
    fn secret_key_names() {
        let w = |s: &str| words(s);
        for k in [
            "JWT_SECRET",
            "SECRET_KEY",
            "DJANGO_SECRET_KEY",
            "APP_SECRET",
            "hmac_secret",
            "application.hmac_secret",
            "TOKEN_SECRET",
            "SIGNING_KEY",
            "JWT_KEY",
            "SESSION_KEY",
            "cookie_signing_key",
            "ACCESS_TOKEN_PRIVATE_KEY",
            "JWT_PRIVATE_KEY",
            "JWT_PRIVATE_KEY_BASE64",
            "REFRESH_TOKEN_PRIVATE_KEY",
            "jwt.private_key",
        ] {
            assert!(secret_key(&w(k)), "{k}");
        }
        for k in [
            "AWS_SECRET_KEY",
            "MINIO_SECRET_KEY",
            "STRIPE_SECRET_KEY",
            "WEBHOOK_SECRET",
            "GITHUB_APP_SECRET",
            "SMTP_SIGNING_KEY",
            "DATABASE_SECRET",
            "SPOTIFY_CLIENT_SECRET",
            "API_KEY",
            "JWT_SECRET_FILE",
            "LICENSE_SIGNING_KEY",
            "PRIVATE_KEY",
            "SSH_PRIVATE_KEY",
            "VAPID_PRIVATE_KEY",
            "DEPLOY_PRIVATE_KEY",
            "GITHUB_APP_PRIVATE_KEY",
        ] {
            assert!(!secret_key(&w(k)), "{k}");
        }
    }
}
