//! Token-ness vocabulary: what a storage key, cookie name or variable name says about the value
//! it holds. Names are split into lowercase words (camelCase, snake_case, kebab-case, dotted) and
//! judged word by word: any word of the "not a token" list (flags, timestamps, CSRF, push or
//! pagination tokens, UI state) wins over the token words.

/// Which credential a name points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// `session`, `auth`, `credentials`: probably holds a credential, kind unknown.
    Generic,
    /// `token`, `bearer`, `auth_token`.
    Token,
    Jwt,
    Id,
    SessionId,
    Access,
    Refresh,
}

impl TokenKind {
    /// How the credential is named in messages.
    pub fn noun(self) -> &'static str {
        match self {
            TokenKind::Generic => "auth data",
            TokenKind::Token => "token",
            TokenKind::Jwt => "JWT",
            TokenKind::Id => "ID token",
            TokenKind::SessionId => "session id",
            TokenKind::Access => "access token",
            TokenKind::Refresh => "refresh token",
        }
    }

    /// Whether the name alone is too vague to call the value a credential with confidence.
    pub fn is_generic(self) -> bool {
        self == TokenKind::Generic
    }
}

/// What a name says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameClass {
    Token(TokenKind),
    /// `access` or `refresh` alone (Django REST simplejwt's `{ access, refresh }`): a token only
    /// when the key and the value agree.
    Weak(TokenKind),
    /// Flags, timestamps, counters, CSRF and push tokens, UI state.
    NotToken,
    Neutral,
}

/// Words that make a name something other than a credential even when it also says "token".
const NOT_TOKEN: &[&str] = &[
    // time
    "expires",
    "expire",
    "expired",
    "expiry",
    "expiration",
    "exp",
    "ttl",
    "timeout",
    "time",
    "timestamp",
    "date",
    "created",
    "issued",
    "updated",
    "refreshed",
    "now",
    "age",
    "lifetime",
    "duration",
    "interval", // flags and UI state
    "warning",
    "warned",
    "closed",
    "dismissed",
    "dismiss",
    "shown",
    "show",
    "seen",
    "hidden",
    "hide",
    "banner",
    "notice",
    "notification",
    "notifications",
    "modal",
    "popup",
    "dialog",
    "tooltip",
    "tour",
    "onboarding",
    "attempted",
    "attempt",
    "attempts",
    "tried",
    "retry",
    "retries",
    "count",
    "counter",
    "enabled",
    "disabled",
    "enable",
    "disable",
    "flag",
    "is",
    "has",
    "should",
    "did",
    "was",
    "needs",
    "status",
    "valid",
    "invalid",
    "checked",
    "accepted",
    "consent",
    "loading",
    "loaded",
    "error",
    "errors",
    "sidebar",
    "menu",
    "layout",
    "tab",
    "tabs",
    "filter",
    "sort",
    "search",
    "history",
    "recent",
    "favorites",
    "cart",
    "draft",
    "drafts",
    "preview",
    "theme",
    "dark",
    "color",
    "colour",
    "font",
    "lang",
    "language",
    "locale",
    "i18n",
    "design",
    "cities",
    "city",
    "weather",
    "email",
    "mail",
    "phone",
    "username",
    "avatar",
    "version",
    "ver",
    "lock",
    "locked", // not a credential
    "type",
    "scope",
    "scopes",
    "redirect",
    "return",
    "returnto",
    "url",
    "uri",
    "path",
    "callback",
    "origin",
    "domain",
    "csrf",
    "xsrf",
    "captcha",
    "recaptcha",
    "hcaptcha",
    "turnstile",
    "fcm",
    "push",
    "apns",
    "device",
    "messaging",
    "invite",
    "invitation",
    "reset",
    "verification",
    "verify",
    "confirm",
    "confirmation",
    "activation",
    "unsubscribe",
    "share",
    "public",
    "mapbox",
    "state",
    "nonce",
    "verifier",
    "challenge",
    "code",
    "pkce",
    "decode",
    "decoded",
    "parse",
    "parsed",
    "claims",
    "payload", // counting tokens
    "next",
    "page",
    "cursor",
    "continuation",
    "offset",
    "limit",
    "max",
    "min",
    "usage",
    "used",
    "total",
    "input",
    "output",
    "prompt",
    "completion",
    "cost",
    "price",
    "budget",
    "length",
    "size",
    "estimate",
    "estimated",
    "tokenizer",
    "tokenize",
    "tokenized",
    "index",
    "idx",
    "num",
    "number", // analytics and chat sessions
    "analytics",
    "tracking",
    "visitor",
    "amplitude",
    "mixpanel",
    "posthog",
    "segment",
    "ga",
    "gtm",
    "utm",
    "hotjar",
    "intercom",
    "chat",
    "conversation",
    "thread",
    "game",
    "quiz",
];

/// Words that make a vague name (`authProvider`, `sessionMode`) something other than a
/// credential, but not a name that says token (`provider_token` is an OAuth provider's token).
const NOT_GENERIC: &[&str] = &[
    "provider", "method", "strategy", "mode", "user", "users", "info",
];

/// Splits a name into lowercase words: `refreshToken`, `REFRESH_TOKEN`, `auth.refresh-token`
/// and `refreshtoken` all give `["refresh", "token"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            flush(&mut cur, &mut out);
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                flush(&mut cur, &mut out);
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    flush(&mut cur, &mut out);
    out
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if cur.is_empty() {
        return;
    }
    let w = std::mem::take(cur);
    // Glued compounds of lowercase keys: `accesstoken`, `jwttoken`, `sessionid`, `phpsessid`.
    for suffix in ["tokens", "token"] {
        if let Some(prefix) = w.strip_suffix(suffix)
            && !prefix.is_empty()
            && prefix.len() <= 12
        {
            out.push(prefix.to_string());
            out.push(suffix.to_string());
            return;
        }
    }
    match w.as_str() {
        "sessionid" | "sessid" | "jsessionid" | "phpsessid" | "sessionkey" => {
            out.push("session".into());
            out.push("id".into());
        }
        "accesskey" => {
            out.push("access".into());
            out.push("key".into());
        }
        _ => out.push(w),
    }
}

/// Judges a name (a storage key, cookie name, variable or property name).
pub fn classify(name: &str) -> NameClass {
    let ws = words(name);
    classify_words(&ws)
}

pub fn classify_words(ws: &[String]) -> NameClass {
    if ws.is_empty() {
        return NameClass::Neutral;
    }
    let has = |w: &str| ws.iter().any(|x| x == w);
    if ws.iter().any(|w| NOT_TOKEN.contains(&w.as_str())) {
        return NameClass::NotToken;
    }
    let tokenish = has("token") || has("tokens") || has("bearer");
    if has("jwt") || has("jwts") {
        return NameClass::Token(if has("refresh") {
            TokenKind::Refresh
        } else {
            TokenKind::Jwt
        });
    }
    if tokenish {
        let kind = if has("refresh") {
            TokenKind::Refresh
        } else if has("access") {
            TokenKind::Access
        } else if has("id") && !has("session") {
            TokenKind::Id
        } else if has("session") {
            TokenKind::SessionId
        } else {
            TokenKind::Token
        };
        return NameClass::Token(kind);
    }
    if ws.iter().any(|w| NOT_GENERIC.contains(&w.as_str())) {
        return NameClass::Neutral;
    }
    if has("session") {
        if has("id") || has("key") || has("secret") {
            return NameClass::Token(TokenKind::SessionId);
        }
        return NameClass::Token(TokenKind::Generic);
    }
    if has("sid") && ws.iter().all(|w| w == "sid" || w == "connect") {
        return NameClass::Token(TokenKind::SessionId);
    }
    if has("auth")
        || has("authorization")
        || has("authentication")
        || has("credentials")
        || has("credential")
        || has("creds")
    {
        return NameClass::Token(TokenKind::Generic);
    }
    // `access` / `refresh` with nothing but qualifiers (`data.access`, `ACCESS`, `refresh_key`).
    let rest_neutral = ws.iter().all(|w| {
        matches!(
            w.as_str(),
            "access" | "refresh" | "key" | "value" | "item" | "storage" | "my" | "app"
        )
    });
    if rest_neutral && has("refresh") && !has("access") {
        return NameClass::Weak(TokenKind::Refresh);
    }
    if rest_neutral && has("access") && !has("refresh") && !has("key") {
        return NameClass::Weak(TokenKind::Access);
    }
    NameClass::Neutral
}

/// A string that looks like a JWT (`eyJ` header, three base64url parts).
pub fn looks_like_jwt(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("eyJ")
        && s.split('.').count() == 3
        && s.len() > 20
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
}

/// Names of CSRF cookies and headers, which script is meant to read.
pub fn is_csrf(name: &str) -> bool {
    let ws = words(name);
    ws.iter()
        .any(|w| w == "csrf" || w == "xsrf" || w == "csrftoken")
}

#[cfg(test)]
mod tests {
    use super::*;
    use NameClass::{Neutral, NotToken, Token, Weak};
    use TokenKind::{Access, Generic, Id, Jwt, Refresh, SessionId};

    #[test]
    fn splits_every_naming_style() {
        assert_eq!(words("refreshToken"), ["refresh", "token"]);
        assert_eq!(words("REFRESH_TOKEN"), ["refresh", "token"]);
        assert_eq!(words("auth.refresh-token"), ["auth", "refresh", "token"]);
        assert_eq!(words("accesstoken"), ["access", "token"]);
        assert_eq!(words("JWTToken"), ["jwt", "token"]);
        assert_eq!(words("XSRF-TOKEN"), ["xsrf", "token"]);
        assert_eq!(words("PHPSESSID"), ["session", "id"]);
    }

    #[test]
    fn token_names() {
        assert_eq!(classify("token"), Token(TokenKind::Token));
        assert_eq!(classify("access_token"), Token(Access));
        assert_eq!(classify("refreshToken"), Token(Refresh));
        assert_eq!(classify("id_token"), Token(Id));
        assert_eq!(classify("shop.jwt"), Token(Jwt));
        assert_eq!(classify("TOKEN_KEY"), Token(TokenKind::Token));
        assert_eq!(classify("sessionId"), Token(SessionId));
        assert_eq!(classify("session"), Token(Generic));
        assert_eq!(classify("auth"), Token(Generic));
        assert_eq!(classify("refresh"), Weak(Refresh));
        assert_eq!(classify("access"), Weak(Access));
        assert_eq!(classify("provider_token"), Token(TokenKind::Token));
    }

    #[test]
    fn flags_timestamps_and_ui_state_are_not_tokens() {
        for n in [
            "admin_token_warning_closed",
            "tokenExpiresAt",
            "token_dismissed",
            "AUTO_SSO_ATTEMPTED",
            "lastLoginEmail",
            "theme",
            "XSRF-TOKEN",
            "csrftoken",
            "fcmToken",
            "maxTokens",
            "isAuthenticated",
            "token_type",
            "nextPageToken",
            "authRedirect",
            "authProvider",
            "session_mode",
        ] {
            assert!(
                matches!(classify(n), NotToken | Neutral),
                "{n} should not be a token: {:?}",
                classify(n)
            );
        }
        assert_eq!(classify("lastLoginEmail"), NotToken);
        assert_eq!(classify("user"), Neutral);
        assert_eq!(classify("accessKey"), Neutral);
    }

    #[test]
    fn jwt_shape() {
        assert!(looks_like_jwt(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!looks_like_jwt("eyJ not a jwt"));
        assert!(!looks_like_jwt("token"));
    }
}
