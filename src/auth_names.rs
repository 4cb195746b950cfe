//! One answer, for every analyzer, to "does this name hold a credential?": a cookie name, a
//! storage key, a constant, variable or field. The name is split into words (`crate::words`), and
//! the words decide, in this order: CSRF, OAuth flow state, preference, state (flags, times,
//! counters, single-purpose tokens), identifier, credential. The word lists are data
//! (`rules/vocabulary/names.toml`); which credential words give which kind is decided here.
//!
//! Decisions worth knowing:
//! - `oauth` alone is not `auth`: `oauth_team_id` is an identifier, `oauth_state` flow state; a
//!   name that says token (`oauth_token`) is still a credential.
//! - `csrf`/`xsrf` anywhere make a CSRF token even beside `token` (`XSRF-TOKEN`), but with a flow
//!   word (`oauth_csrf_state`) the name is flow state: not a login at all.
//! - A final `id` makes an identifier (`team_id`, `client_id`, `tenant_id`), unless the word before
//!   it names a session or token (`session_id`, `sess_id`, `token_id`: the handle the server looks
//!   the login up by, so a credential). The id of the user (`user_id`, `uid`) is its own class:
//!   not a credential in web storage, but the login itself in a cookie the server sets and reads
//!   back (Rocket's private `user_id` cookie), see [`NameClass::is_auth_cookie`].
//! - `remember_me`, `identity`, `sso`, `login` and `api_key` alone are weak: enough for a cookie
//!   the server reads, not for a storage key (a `rememberMe` checkbox, a public Firebase `apiKey`).
use serde::Deserialize;
use std::sync::OnceLock;

/// Which credential a name points at, least specific first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// `session`, `auth`, `credentials`: probably holds a credential, kind unknown.
    Generic,
    /// `token`, `bearer`, `auth_token`, `oauth_token`.
    Token,
    /// `remember_me`, `remember_token`.
    RememberMe,
    /// `api_key`, `api_token`.
    ApiKey,
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
            TokenKind::RememberMe => "remember-me token",
            TokenKind::ApiKey => "API key",
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

/// Whose id a name holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// `user_id`, `uid`, `account_id`.
    User,
    /// `team_id`, `oauth_integration_id`, `client_id`, `tenant_id`, `request_id`.
    Other,
}

/// What a name says about the value it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameClass {
    /// Holds a credential: whoever has the value is logged in.
    Credential(TokenKind),
    /// A credential by a name too short to be sure (`access`, `refresh`, `remember_me`,
    /// `identity`, `api_key`): enough for a cookie, for a storage key only when the value agrees.
    Weak(TokenKind),
    /// A double-submit CSRF token (`XSRF-TOKEN`, `csrftoken`): script is meant to read it.
    Csrf,
    /// OAuth / OIDC flow state kept for one redirect (`oauth_state`, `code_verifier`, `nonce`,
    /// `return_url`, `oauth_csrf_state`).
    FlowState,
    /// A preference (`theme`, `locale`, `tz`, cookie consent).
    Preference,
    /// An identifier that proves nothing by itself (`oauth_team_id`, `user_id`).
    Identifier(IdKind),
    /// Flags, times, counters, flash messages, UI state, single-purpose and third-party tokens.
    State,
    Unknown,
}

impl NameClass {
    /// Names a credential, strongly or weakly.
    pub fn is_credential(self) -> bool {
        matches!(self, NameClass::Credential(_) | NameClass::Weak(_))
    }

    /// As the name of a cookie the server sets and reads back: a credential, or the id of the
    /// user (a signed or private `user_id` cookie is the login itself).
    pub fn is_auth_cookie(self) -> bool {
        self.is_credential() || self == NameClass::Identifier(IdKind::User)
    }
}

#[derive(Deserialize)]
struct Lists {
    csrf: Vec<String>,
    flow: Vec<String>,
    preference: Vec<String>,
    state: Vec<String>,
    user_id_owners: Vec<String>,
    credential_id_owners: Vec<String>,
    vague_exempt: Vec<String>,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| {
        toml::from_str(include_str!("../rules/vocabulary/names.toml"))
            .expect("rules/vocabulary/names.toml is valid (checked by a unit test)")
    })
}

/// Splits a name into lowercase words, cutting glued lowercase compounds (`accesstoken`,
/// `phpsessid`, `jsessionid`, `rememberme`) and dropping the `__Host-` / `__Secure-` prefixes.
/// Words that say a secret belongs to another system than the app's login: cloud storage,
/// databases, mail, payment, webhooks, third-party API clients. Signing-secret rules leave those
/// to other tools (`AWS_SECRET_KEY`, `APPFLOWY_S3_SECRET_KEY`, `STRIPE_SECRET_KEY`).
pub const FOREIGN_SECRET_WORDS: &[&str] = &[
    "aws", "s3", "minio", "gcs", "azure", "database", "db", "postgres", "mysql", "redis", "smtp",
    "mail", "email", "client", "api", "stripe", "webhook", "webhooks", "github", "google", "slack",
    "storage", "backup", "license", "licence",
];

/// Whether the words of a secret's name say it belongs to another system (see
/// [`FOREIGN_SECRET_WORDS`]).
pub fn foreign_secret(words: &[String]) -> bool {
    words
        .iter()
        .any(|w| FOREIGN_SECRET_WORDS.contains(&w.as_str()))
}

pub fn split(name: &str) -> Vec<String> {
    let bare = ["__Host-", "__Secure-", "__host-", "__secure-"]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    let mut out: Vec<String> = Vec::new();
    for w in crate::words::words(bare) {
        cut(w, &mut out);
    }
    // `next-auth.session-token`: the library's name, not `next` (a pagination word) and `auth`.
    if let Some(i) = out
        .windows(2)
        .position(|p| p[0] == "next" && p[1] == "auth")
    {
        out.splice(i..i + 2, ["nextauth".to_string()]);
    }
    out
}

fn cut(w: String, out: &mut Vec<String>) {
    for suffix in ["tokens", "token"] {
        if let Some(prefix) = w.strip_suffix(suffix)
            && !prefix.is_empty()
            && prefix.len() <= 12
        {
            cut(prefix.to_string(), out);
            out.push(suffix.to_string());
            return;
        }
    }
    let parts: &[&str] = match w.as_str() {
        "sessionid" | "sessid" | "jsessionid" | "phpsessid" | "sessionkey" => &["session", "id"],
        "accesskey" => &["access", "key"],
        "apikey" => &["api", "key"],
        "userid" => &["user", "id"],
        "rememberme" => &["remember", "me"],
        "loggedin" => &["logged", "in"],
        _ => {
            out.push(w);
            return;
        }
    };
    out.extend(parts.iter().map(|p| p.to_string()));
}

/// Judges a name (a cookie name, storage key, constant, variable or field).
pub fn classify(name: &str) -> NameClass {
    classify_words(&split(name))
}

/// Judges a name already split by [`split`].
pub fn classify_words(ws: &[String]) -> NameClass {
    if ws.is_empty() {
        return NameClass::Unknown;
    }
    let l = lists();
    let any_in = |list: &[String]| ws.iter().any(|w| list.contains(w));
    let has = |w: &str| ws.iter().any(|x| x == w);
    let flow = any_in(&l.flow);
    if any_in(&l.csrf) {
        return if flow {
            NameClass::FlowState
        } else {
            NameClass::Csrf
        };
    }
    if flow {
        return NameClass::FlowState;
    }
    if any_in(&l.preference) {
        return NameClass::Preference;
    }
    if any_in(&l.state) {
        return NameClass::State;
    }
    if let Some(id) = identifier(ws, l) {
        return id;
    }
    credential(ws, &has, l)
}

/// `team_id`, `user_id`, `uid`; `None` when the name does not end in an id, or it is the id of a
/// session or token.
fn identifier(ws: &[String], l: &Lists) -> Option<NameClass> {
    // `USER_ID_COOKIE`, `team_id_key`: what the constant names is the id before the qualifier.
    let end = ws
        .iter()
        .rposition(|w| !matches!(w.as_str(), "cookie" | "cookies" | "name" | "key" | "item"))?;
    let (last, rest) = ws[..=end].split_last()?;
    match last.as_str() {
        "uid" => return Some(NameClass::Identifier(IdKind::User)),
        "id" | "ids" => {}
        _ => return None,
    }
    match rest.last() {
        Some(owner) if l.credential_id_owners.contains(owner) => None,
        Some(owner) if l.user_id_owners.contains(owner) => {
            Some(NameClass::Identifier(IdKind::User))
        }
        _ => Some(NameClass::Identifier(IdKind::Other)),
    }
}

fn credential(ws: &[String], has: &dyn Fn(&str) -> bool, l: &Lists) -> NameClass {
    use NameClass::{Credential, Weak};
    if has("jwt") || has("jwts") {
        return Credential(if has("refresh") {
            TokenKind::Refresh
        } else {
            TokenKind::Jwt
        });
    }
    if has("token") || has("tokens") || has("bearer") {
        let id_token = ws.windows(2).any(|p| p[0] == "id" && p[1] == "token");
        return Credential(if has("refresh") {
            TokenKind::Refresh
        } else if has("access") {
            TokenKind::Access
        } else if id_token {
            TokenKind::Id
        } else if has("session") || has("sess") {
            TokenKind::SessionId
        } else if has("remember") {
            TokenKind::RememberMe
        } else if has("api") {
            TokenKind::ApiKey
        } else {
            TokenKind::Token
        });
    }
    // The head noun is last: `auth_user` and `sessionMode` are about a user and a mode,
    // `user_session` (GitHub's cookie) is a session.
    let vague = ws.iter().position(|w| {
        matches!(
            w.as_str(),
            "session"
                | "sess"
                | "auth"
                | "authorization"
                | "authentication"
                | "credentials"
                | "credential"
                | "creds"
        )
    });
    if vague.is_some_and(|p| ws[p..].iter().any(|w| l.vague_exempt.contains(w))) {
        return NameClass::Unknown;
    }
    if has("session") || has("sess") {
        return Credential(if has("id") || has("key") || has("secret") {
            TokenKind::SessionId
        } else {
            TokenKind::Generic
        });
    }
    if has("sid") {
        return Credential(TokenKind::SessionId);
    }
    if has("auth")
        || has("authorization")
        || has("authentication")
        || has("credentials")
        || has("credential")
        || has("creds")
    {
        return Credential(TokenKind::Generic);
    }
    // `_oauth2_proxy`: oauth2-proxy's session cookie.
    if (has("oauth2") || has("oauth")) && has("proxy") {
        return Credential(TokenKind::Generic);
    }
    if has("remember") {
        return Weak(TokenKind::RememberMe);
    }
    if has("api") && has("key") {
        return Weak(TokenKind::ApiKey);
    }
    if has("identity")
        || has("sso")
        || has("login")
        || ws.windows(2).any(|p| p[0] == "logged" && p[1] == "in")
    {
        return Weak(TokenKind::Generic);
    }
    // `access` / `refresh` with nothing but qualifiers (`data.access`, `ACCESS`, `refresh_key`).
    let only_qualifiers = ws.iter().all(|w| {
        matches!(
            w.as_str(),
            "access" | "refresh" | "key" | "value" | "item" | "storage" | "my" | "app"
        )
    });
    if only_qualifiers && has("refresh") && !has("access") {
        return Weak(TokenKind::Refresh);
    }
    if only_qualifiers && has("access") && !has("refresh") && !has("key") {
        return Weak(TokenKind::Access);
    }
    NameClass::Unknown
}

#[cfg(test)]
mod tests;
