//! The classifier against names seen in frameworks, libraries and apps: cookie names, web storage
//! keys, constants and variables, on both sides of the line.
use super::*;
use IdKind::{Other, User};
use NameClass::{Credential, Csrf, FlowState, Identifier, Preference, State, Unknown, Weak};
use TokenKind::{Access, ApiKey, Generic, Id, Jwt, Refresh, RememberMe, SessionId, Token};

const TABLE: &[(&str, NameClass)] = &[
    // Session cookies of frameworks and auth libraries.
    ("sid", Credential(SessionId)),
    ("session", Credential(Generic)),
    ("__Host-session", Credential(Generic)),
    ("__Secure-session", Credential(Generic)),
    ("__session", Credential(Generic)),
    ("PHPSESSID", Credential(SessionId)),
    ("JSESSIONID", Credential(SessionId)),
    ("connect.sid", Credential(SessionId)),
    ("ASP.NET_SessionId", Credential(SessionId)),
    (".AspNetCore.Session", Credential(Generic)),
    (".AspNetCore.Identity.Application", Weak(Generic)),
    ("sessionid", Credential(SessionId)),
    ("_session_id", Credential(SessionId)),
    ("session_id", Credential(SessionId)),
    ("sess_id", Credential(SessionId)),
    ("sessionId", Credential(SessionId)),
    ("SESSION_ID_COOKIE", Credential(SessionId)),
    ("session_key", Credential(SessionId)),
    ("_gitlab_session", Credential(Generic)),
    ("_myapp_session", Credential(Generic)),
    ("laravel_session", Credential(Generic)),
    ("ci_session", Credential(Generic)),
    ("rack.session", Credential(Generic)),
    ("koa.sess", Credential(Generic)),
    ("express:sess", Credential(Generic)),
    ("appSession", Credential(Generic)),
    ("user_session", Credential(Generic)),
    ("auth_session", Credential(Generic)),
    ("auth-session", Credential(Generic)),
    ("authelia_session", Credential(Generic)),
    ("ory_kratos_session", Credential(Generic)),
    ("KEYCLOAK_SESSION", Credential(Generic)),
    ("KEYCLOAK_IDENTITY", Weak(Generic)),
    ("AUTH_SESSION_ID", Credential(SessionId)),
    ("MOMOINO_SESSION", Credential(Generic)),
    ("MOMOINO_LOGIN_SESSION", Credential(Generic)),
    ("fhir_session", Credential(Generic)),
    ("zitadel-session-id", Credential(SessionId)),
    ("zitadel-session-token", Credential(SessionId)),
    ("mc_session_token", Credential(SessionId)),
    ("_oauth2_proxy", Credential(Generic)),
    ("SESSION_COOKIE", Credential(Generic)),
    ("SESSION_COOKIE_NAME", Credential(Generic)),
    ("session_cookie_name", Credential(Generic)),
    ("sessionToken", Credential(SessionId)),
    ("next-auth.session-token", Credential(SessionId)),
    ("__Secure-next-auth.session-token", Credential(SessionId)),
    ("authjs.session-token", Credential(SessionId)),
    ("better-auth.session_token", Credential(SessionId)),
    ("better-auth.session_data", Credential(Generic)),
    // Tokens in cookies, storage and variables.
    ("auth_token", Credential(Token)),
    ("authToken", Credential(Token)),
    ("AUTH_TOKEN", Credential(Token)),
    ("auth-token", Credential(Token)),
    ("token", Credential(Token)),
    ("TOKEN_KEY", Credential(Token)),
    ("tokens", Credential(Token)),
    ("bearer", Credential(Token)),
    ("bearerToken", Credential(Token)),
    ("access_token", Credential(Access)),
    ("accessToken", Credential(Access)),
    ("accesstoken", Credential(Access)),
    ("ACCESS_TOKEN_COOKIE", Credential(Access)),
    ("zitadel-access-token", Credential(Access)),
    ("sb-access-token", Credential(Access)),
    ("sb-refresh-token", Credential(Refresh)),
    ("sb-abcdefgh-auth-token", Credential(Token)),
    ("refresh_token", Credential(Refresh)),
    ("refreshToken", Credential(Refresh)),
    ("REFRESH_TOKEN", Credential(Refresh)),
    ("auth.refresh-token", Credential(Refresh)),
    ("id_token", Credential(Id)),
    ("idToken", Credential(Id)),
    ("idtoken", Credential(Id)),
    ("jwt", Credential(Jwt)),
    ("JWT", Credential(Jwt)),
    ("jwt_token", Credential(Jwt)),
    ("JWTToken", Credential(Jwt)),
    ("shop.jwt", Credential(Jwt)),
    ("refresh_jwt", Credential(Refresh)),
    ("__clerk_db_jwt", Credential(Jwt)),
    ("oauth_token", Credential(Token)),
    ("oauthToken", Credential(Token)),
    ("provider_token", Credential(Token)),
    ("github_token", Credential(Token)),
    ("token_id", Credential(Token)),
    ("remember_token", Credential(RememberMe)),
    ("remember_user_token", Credential(RememberMe)),
    ("api_token", Credential(ApiKey)),
    ("apiToken", Credential(ApiKey)),
    ("okta-token-storage", Credential(Token)),
    (
        "CognitoIdentityServiceProvider.abc.jdoe.accessToken",
        Credential(Access),
    ),
    ("auth", Credential(Generic)),
    ("Authorization", Credential(Generic)),
    ("CF_Authorization", Credential(Generic)),
    ("credentials", Credential(Generic)),
    ("creds", Credential(Generic)),
    // Weak names: a credential in a cookie, not enough for a storage key.
    ("refresh", Weak(Refresh)),
    ("access", Weak(Access)),
    ("ACCESS", Weak(Access)),
    ("refresh_key", Weak(Refresh)),
    ("remember_me", Weak(RememberMe)),
    ("rememberMe", Weak(RememberMe)),
    (
        "remember_web_59ba36addc2b2f9401580f014c7f58ea",
        Weak(RememberMe),
    ),
    ("api_key", Weak(ApiKey)),
    ("apiKey", Weak(ApiKey)),
    ("x-api-key", Weak(ApiKey)),
    ("MOMOINO_IDENTITY", Weak(Generic)),
    ("sso", Weak(Generic)),
    ("login", Weak(Generic)),
    (
        "wordpress_logged_in_5c016e8f0f95f039102cbe8366c5c7f3",
        Weak(Generic),
    ),
    // CSRF tokens: script reads them.
    ("XSRF-TOKEN", Csrf),
    ("X-XSRF-TOKEN", Csrf),
    ("csrftoken", Csrf),
    ("csrf_token", Csrf),
    ("csrfToken", Csrf),
    ("_csrf", Csrf),
    ("_xsrf", Csrf),
    ("__Host-csrf", Csrf),
    ("csrf-token", Csrf),
    ("x-csrf-token", Csrf),
    ("next-auth.csrf-token", Csrf),
    ("__Host-next-auth.csrf-token", Csrf),
    ("_oauth2_proxy_csrf", Csrf),
    ("MOMOINO_CSRF", Csrf),
    ("CSRF_COOKIE_NAME", Csrf),
    // OAuth / OIDC flow state.
    ("oauth_state", FlowState),
    ("oauth_csrf_state", FlowState),
    ("oauthState", FlowState),
    ("state", FlowState),
    ("code_verifier", FlowState),
    ("codeVerifier", FlowState),
    ("pkce", FlowState),
    ("pkce_verifier", FlowState),
    ("pkce_state", FlowState),
    ("code_challenge", FlowState),
    ("nonce", FlowState),
    ("oidc_nonce", FlowState),
    ("redirect_to", FlowState),
    ("return_url", FlowState),
    ("returnTo", FlowState),
    ("authRedirect", FlowState),
    ("callbackUrl", FlowState),
    ("next-auth.callback-url", FlowState),
    ("__Secure-next-auth.state", FlowState),
    ("__Secure-next-auth.pkce.code_verifier", FlowState),
    ("__Secure-next-auth.return-url", FlowState),
    ("fhir_auth_state", FlowState),
    ("mc_oauth_state", FlowState),
    ("mc_oauth_code_verifier", FlowState),
    ("mc_oauth_redirect_uri", FlowState),
    ("session_state", FlowState),
    ("auth_code", FlowState),
    // Preferences.
    ("theme", Preference),
    ("locale", Preference),
    ("lang", Preference),
    ("tz", Preference),
    ("timezone", Preference),
    ("NEXT_LOCALE", Preference),
    ("django_language", Preference),
    ("cookie_consent", Preference),
    ("CookieConsent", Preference),
    ("cookieconsent_status", Preference),
    ("color_scheme", Preference),
    ("darkMode", Preference),
    ("user_prefs", Preference),
    ("wp-settings-1", Preference),
    ("currency", Preference),
    // Identifiers that prove nothing alone.
    ("oauth_team_id", Identifier(Other)),
    ("oauth_integration_id", Identifier(Other)),
    ("team_id", Identifier(Other)),
    ("integration_id", Identifier(Other)),
    ("provider_id", Identifier(Other)),
    ("client_id", Identifier(Other)),
    ("clientId", Identifier(Other)),
    ("tenant_id", Identifier(Other)),
    ("org_id", Identifier(Other)),
    ("workspaceId", Identifier(Other)),
    ("request_id", Identifier(Other)),
    ("auth_request_id", Identifier(Other)),
    ("id", Identifier(Other)),
    ("user_id", Identifier(User)),
    ("userId", Identifier(User)),
    ("userid", Identifier(User)),
    ("uid", Identifier(User)),
    ("rocket_user_id", Identifier(User)),
    ("account_id", Identifier(User)),
    ("USER_ID_COOKIE", Identifier(User)),
    // Flags, times, counters, flash, UI state and tokens that are not credentials.
    ("flash", State),
    ("_flash", State),
    ("counter", State),
    ("visits", State),
    ("cart", State),
    ("tokenExpiresAt", State),
    ("token_expires_at", State),
    ("session_expires", State),
    ("admin_token_warning_closed", State),
    ("token_dismissed", State),
    ("AUTO_SSO_ATTEMPTED", State),
    ("lastLoginEmail", State),
    ("login_attempts", State),
    ("isAuthenticated", State),
    ("auth0.is.authenticated", State),
    ("token_type", State),
    ("fcmToken", State),
    ("maxTokens", State),
    ("nextPageToken", State),
    ("device_token", State),
    ("password_reset_token", State),
    ("mc_password_reset_session_token", State),
    ("email_verification_token", State),
    ("invite_token", State),
    ("chat_session", State),
    ("_ga", State),
    ("visitor_id", State),
    ("ajs_anonymous_id", Identifier(Other)),
    // Nothing said.
    ("user", Unknown),
    ("authProvider", Unknown),
    ("session_mode", Unknown),
    ("accessKey", Unknown),
    ("accessibility", Unknown),
    ("guid", Unknown),
    ("name", Unknown),
    ("COOKIE_NAME", Unknown),
    ("inside", Unknown),
    ("AWSALB", Unknown),
    ("LastAuthUser", Unknown),
    ("oauth", Unknown),
    ("mc_oauth_optional_account_info", Unknown),
    ("data", Unknown),
    ("", Unknown),
];

#[test]
fn names_of_real_projects_are_classified() {
    let wrong: Vec<String> = TABLE
        .iter()
        .filter(|(n, want)| classify(n) != *want)
        .map(|(n, want)| format!("{n:?}: want {want:?}, got {:?}", classify(n)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_is_large_and_has_no_duplicates() {
    assert!(TABLE.len() >= 150, "{}", TABLE.len());
    let mut names: Vec<&str> = TABLE.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len());
}

#[test]
fn the_word_lists_parse() {
    assert!(lists().flow.iter().any(|w| w == "verifier"));
}

#[test]
fn splits_glued_and_prefixed_names() {
    assert_eq!(split("PHPSESSID"), ["session", "id"]);
    assert_eq!(split("accesstoken"), ["access", "token"]);
    assert_eq!(split("__Host-sid"), ["sid"]);
    assert_eq!(
        split("__Secure-next-auth.session-token"),
        ["nextauth", "session", "token"]
    );
    assert_eq!(split("XSRF-TOKEN"), ["xsrf", "token"]);
}

#[test]
fn cookies_count_the_user_id_storage_does_not() {
    assert!(classify("user_id").is_auth_cookie());
    assert!(!classify("user_id").is_credential());
    assert!(classify("remember_me").is_auth_cookie());
    for n in [
        "oauth_csrf_state",
        "code_verifier",
        "oauth_team_id",
        "XSRF-TOKEN",
        "theme",
    ] {
        assert!(!classify(n).is_auth_cookie(), "{n}");
    }
}
