//! What kind of token a name speaks of: `refresh_claims`, `ACCESS_TOKEN_TTL`,
//! `send_password_reset_email`, `LoginResponse`. Names are split into lowercase words
//! (`snake_case`, `CamelCase`, `SCREAMING_CASE`) and matched word by word.

/// The kind of token a name points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Access, ID or bearer token: `access_token_max_ttl` applies.
    Access,
    /// Refresh token: `refresh_token_max_ttl` applies.
    Refresh,
    /// A single-purpose token (email confirmation, password reset, invitation, download link...),
    /// a cache entry, a session or a cookie: none of the token lifetime limits applies.
    Other,
    /// A session or cookie: not a token unless another name says token.
    WeakOther,
    /// An unqualified token (`token`, `jwt`, `claims`, a login handler): an access token unless
    /// something more specific is said.
    Generic,
}

impl TokenKind {
    pub fn noun(self) -> &'static str {
        match self {
            TokenKind::Refresh => "refresh token",
            _ => "access token",
        }
    }
}

pub use crate::words::words;

const OTHER: &[&str] = &[
    "confirm",
    "confirmation",
    "confirmed",
    "verify",
    "verification",
    "verified",
    "verifier",
    "reset",
    "password",
    "passwd",
    "invite",
    "invitation",
    "invited",
    "magic",
    "download",
    "upload",
    "share",
    "shared",
    "sharing",
    "presign",
    "presigned",
    "url",
    "link",
    "cache",
    "cached",
    "csrf",
    "xsrf",
    "nonce",
    "otp",
    "totp",
    "mfa",
    "2fa",
    "activation",
    "activate",
    "unsubscribe",
    "recovery",
    "remember",
    "email",
    "mail",
    "registration",
    "signup",
    "onboarding",
    "challenge",
    "ticket",
    "webhook",
    "file",
    "preview",
    "api",
    "apikey",
    "pat",
    "personal",
    "lease",
    "lock",
    "ws",
    "websocket",
    "socket",
    "stream",
    "code",
    "grant",
    "temporary",
    "temp",
    "guest",
    "license",
    "captcha",
    "rate",
    "limit",
    "ban",
];

const GENERIC: &[&str] = &[
    "token",
    "tokens",
    "jwt",
    "jwts",
    "claims",
    "claim",
    "auth",
    "authentication",
    "authenticate",
    "login",
    "signin",
    "logon",
    "credentials",
    "paseto",
];

/// Words that mean "not a token" unless a token word is also said: a JWT whose lifetime const is
/// `DEFAULT_SESSION_LENGTH` is still a token.
const WEAK_OTHER: &[&str] = &["cookie", "cookies", "session", "sessions"];

/// Classifies one name; `None` when the name says nothing about tokens.
pub fn classify(name: &str) -> Option<TokenKind> {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    if has("refresh") {
        return Some(TokenKind::Refresh);
    }
    if has("access") || has("bearer") || has("idtoken") || id_token(&w) {
        return Some(TokenKind::Access);
    }
    if w.iter().any(|x| OTHER.contains(&x.as_str())) {
        return Some(TokenKind::Other);
    }
    let generic = w.iter().any(|x| GENERIC.contains(&x.as_str()));
    if !generic && w.iter().any(|x| WEAK_OTHER.contains(&x.as_str())) {
        return Some(TokenKind::WeakOther);
    }
    if generic
        || w.windows(2).any(|p| p[0] == "sign" && p[1] == "in")
        || w.windows(2).any(|p| p[0] == "log" && p[1] == "in")
    {
        return Some(TokenKind::Generic);
    }
    None
}

/// Words that name a single-purpose token: it proves one thing (an invitation, a licence, an
/// email address, the right to one download) and logs nobody in. Narrower than `OTHER`, whose
/// `verify`, `code`, `api` or `url` also name verifiers and endpoints of ordinary access tokens.
const SINGLE_PURPOSE: &[&str] = &[
    "license",
    "licence",
    "licensing",
    "invite",
    "invitation",
    "invited",
    "confirm",
    "confirmation",
    "reset",
    "forgot",
    "unsubscribe",
    "download",
    "webhook",
    "magic",
    "activation",
    "activate",
    "presign",
    "presigned",
    "share",
    "sharing",
];

/// Whether a name speaks of a single-purpose token (`LicenseClaims`, `invite_token`,
/// `verify_email_token`, `password_reset_jwt`), and of no access, refresh, ID or session token.
pub fn single_purpose(name: &str) -> bool {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    if matches!(classify(name), Some(TokenKind::Access | TokenKind::Refresh))
        || has("session")
        || has("sessions")
    {
        return false;
    }
    let email_check = (has("email") || has("mail") || has("account"))
        && (has("verify") || has("verification") || has("verified") || has("validation"));
    email_check || w.iter().any(|x| SINGLE_PURPOSE.contains(&x.as_str()))
}

/// A type whose methods sign JWTs to authenticate this application to another provider
/// (`GcpServiceAccountCredentials`, a `ClientAssertion`), not users to this application.
pub fn outbound_credential(type_name: &str) -> bool {
    let w = words(type_name);
    w.windows(2).any(|p| {
        matches!(
            (p[0].as_str(), p[1].as_str()),
            ("service", "account") | ("client", "assertion")
        )
    })
}

fn id_token(w: &[String]) -> bool {
    w.windows(2).any(|p| p[0] == "id" && p[1] == "token")
}

/// The first decisive kind among names given most specific first; a generic name only counts when
/// nothing decisive was found. Returns the kind and the index of the name that decided it.
pub fn decide<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<(TokenKind, usize)> {
    let mut generic = None;
    let mut weak = None;
    for (i, n) in names.into_iter().enumerate() {
        match classify(n) {
            Some(TokenKind::Generic) => {
                generic.get_or_insert((TokenKind::Generic, i));
            }
            Some(TokenKind::WeakOther) => {
                weak.get_or_insert((TokenKind::Other, i));
            }
            Some(k) => return Some((k, i)),
            None => {}
        }
    }
    generic.or(weak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_of_this_app_at_another_provider() {
        for yes in [
            "GCPServiceAccountCredentials",
            "ServiceAccount",
            "ClientAssertion",
        ] {
            assert!(outbound_credential(yes), "{yes}");
        }
        for no in [
            "AuthService",
            "AccountService",
            "Claims",
            "ClientCredentials",
        ] {
            assert!(!outbound_credential(no), "{no}");
        }
    }

    #[test]
    fn splits_identifiers() {
        assert_eq!(words("RefreshTokenClaims"), ["refresh", "token", "claims"]);
        assert_eq!(words("ACCESS_TOKEN_TTL"), ["access", "token", "ttl"]);
        assert_eq!(words("JWTClaims"), ["jwt", "claims"]);
        assert_eq!(words("id_token"), ["id", "token"]);
    }

    #[test]
    fn classifies_names() {
        assert_eq!(classify("refresh_claims"), Some(TokenKind::Refresh));
        assert_eq!(classify("AccessClaims"), Some(TokenKind::Access));
        assert_eq!(classify("create_token"), Some(TokenKind::Generic));
        assert_eq!(
            classify("send_password_reset_email"),
            Some(TokenKind::Other)
        );
        assert_eq!(classify("EmailVerificationToken"), Some(TokenKind::Other));
        assert_eq!(classify("now"), None);
        assert_eq!(classify("sign_in"), Some(TokenKind::Generic));
    }

    #[test]
    fn single_purpose_tokens() {
        let table: &[(&str, bool)] = &[
            ("LicenseClaims", true),
            ("decode_licence_key", true),
            ("invite_token", true),
            ("InvitationClaims", true),
            ("verify_email_token", true),
            ("EmailVerificationClaims", true),
            ("email_confirmation_jwt", true),
            ("password_reset_token", true),
            ("forgot_password_claims", true),
            ("download_link_claims", true),
            ("WebhookToken", true),
            ("unsubscribe_token", true),
            ("magic_link", true),
            // Logins, and names that say nothing single-purpose.
            ("verify_token", false),
            ("verify", false),
            ("Claims", false),
            ("access_token", false),
            ("refresh_claims", false),
            ("id_token", false),
            ("session_token", false),
            ("reset_session", false),
            ("api_token", false),
            ("auth_code", false),
        ];
        for (name, want) in table {
            assert_eq!(single_purpose(name), *want, "{name}");
        }
    }

    #[test]
    fn decisive_name_wins_over_generic() {
        assert_eq!(
            decide(["claims", "refresh_token", "login"]),
            Some((TokenKind::Refresh, 1))
        );
        assert_eq!(decide(["claims", "x"]), Some((TokenKind::Generic, 0)));
        assert_eq!(decide(["x", "y"]), None);
        assert_eq!(
            decide(["DEFAULT_SESSION_LENGTH", "AuthUserClaims"]),
            Some((TokenKind::Generic, 1))
        );
        assert_eq!(decide(["new_session"]), Some((TokenKind::Other, 0)));
    }
}
