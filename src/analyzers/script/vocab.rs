//! Token-ness of names as the web storage and script cookie rules read them: the view of
//! `crate::auth_names` (the one classifier of names) that a storage key, cookie name or variable
//! name gets here. CSRF tokens, OAuth flow state, preferences, flags, timestamps, push or
//! pagination tokens and UI state are not tokens; ids and unknown names are neutral (the value may
//! still say token); `access` / `refresh` alone are weak.
use crate::auth_names::{self, NameClass as Class};

pub use crate::auth_names::TokenKind;

/// What a name says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameClass {
    Token(TokenKind),
    /// `access` or `refresh` alone (Django REST simplejwt's `{ access, refresh }`): a token only
    /// when the key and the value agree.
    Weak(TokenKind),
    /// Flags, timestamps, counters, CSRF and push tokens, OAuth flow state, UI state.
    NotToken,
    Neutral,
}

/// Judges a name (a storage key, cookie name, variable or property name).
pub fn classify(name: &str) -> NameClass {
    match auth_names::classify(name) {
        Class::Credential(k) => NameClass::Token(k),
        // `rememberMe`, `apiKey`, `identity` alone are mostly a checkbox, a public client key or
        // a profile in script: neutral, the value may still say token.
        Class::Weak(k @ (TokenKind::Access | TokenKind::Refresh)) => NameClass::Weak(k),
        Class::Weak(_) | Class::Identifier(_) | Class::Unknown => NameClass::Neutral,
        Class::Csrf | Class::FlowState | Class::Preference | Class::State => NameClass::NotToken,
    }
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
    auth_names::classify(name) == Class::Csrf
}

#[cfg(test)]
mod tests {
    use super::*;
    use NameClass::{Neutral, NotToken, Token, Weak};
    use TokenKind::{Access, Generic, Id, Jwt, Refresh, SessionId};

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
        for n in [
            "oauth_state",
            "code_verifier",
            "oauth_csrf_state",
            "pkce",
            "nonce",
        ] {
            assert_eq!(classify(n), NotToken, "{n}");
        }
        for n in ["oauth_team_id", "user_id", "rememberMe", "apiKey"] {
            assert_eq!(classify(n), Neutral, "{n}");
        }
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
