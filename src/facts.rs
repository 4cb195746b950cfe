//! Facts: what each analyzer learns about the project's auth design as it goes (no second parse).
//! The project pass combines them across files into project-level findings and the design verdict.
use crate::finding::{Position, Span};
use serde::Serialize;

/// Which token a fact is about, decided from names along the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    Access,
    Refresh,
    /// Email confirmation, password reset, invitation and other single-purpose tokens.
    SinglePurpose,
    Unknown,
}

impl TokenKind {
    /// Reads the kind from identifiers (function, variable, const, struct names), most specific
    /// first.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> TokenKind {
        let mut kind = TokenKind::Unknown;
        for name in names {
            let n = name.to_ascii_lowercase();
            let single = [
                "confirm",
                "verif",
                "reset",
                "invit",
                "magic",
                "email",
                "password",
                "download",
                "share",
                "presign",
                "unsubscribe",
                "activation",
                "otp",
            ];
            if single.iter().any(|w| n.contains(w)) {
                return TokenKind::SinglePurpose;
            }
            if n.contains("refresh") {
                return TokenKind::Refresh;
            }
            if kind == TokenKind::Unknown
                && [
                    "access", "bearer", "id_token", "idtoken", "auth", "login", "signin",
                    "sign_in", "jwt", "token", "claims", "api_key", "apikey",
                ]
                .iter()
                .any(|w| n.contains(w))
            {
                kind = TokenKind::Access;
            }
        }
        kind
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
            TokenKind::SinglePurpose => "single-purpose",
            TokenKind::Unknown => "unknown",
        }
    }
}

/// What a fact says.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FactKind {
    /// A JWT is signed here (`jsonwebtoken::encode` and friends), with its lifetime when known.
    JwtIssued {
        token: TokenKind,
        lifetime_secs: Option<u64>,
    },
    /// The lifetime rule evaluated a token's expiry here (whatever the limit): the project pass
    /// gives it to the JWT issued by the same function.
    TokenLifetime {
        token: TokenKind,
        lifetime_secs: u64,
    },
    /// This function puts its parameter number `param` (receiver not counted) into a token's
    /// expiry (`exp: exp.timestamp()`): its callers decide the lifetime.
    ExpiryFromParam { param: usize, token: TokenKind },
    /// A call passes the time `lifetime_secs` from now (`Utc::now() + Duration::minutes(60)`)
    /// as argument number `param` of `callee` (written as the call names it).
    LifetimeArg {
        callee: String,
        param: usize,
        lifetime_secs: u64,
        /// The argument, when the value is written elsewhere (`let exp = ..` lines above it).
        #[serde(skip)]
        used: Option<crate::finding::Span>,
    },
    /// A `use` declaration of a Rust file (in its inline module `module`, `""` at the top):
    /// `local` names `target` as written (`crate::config::SECRET_KEY`; `*` for a glob). Recorded
    /// for re-exports and for files whose values the project index follows.
    RustUse {
        module: String,
        local: String,
        target: String,
    },
    /// A const or static of a Rust file (in its inline module `module`) whose value is known;
    /// also an entry of a settings map, named by its key in quotes (`"JWT_EXPIRATION"`).
    ValueItem {
        module: String,
        name: String,
        value: ItemValue,
    },
    /// A token's expiry computed from a const of another module (`now + config::JWT_TTL`):
    /// the lifetime is `slope * value / 1000 + intercept` seconds (the slope in thousandths, so a
    /// value in milliseconds is exact), for a const holding a plain number
    /// (`num`) or a duration (`dur`), as probed by the file's evaluator. `fixed`: the expiry
    /// of a JWT is the const itself, a plain number (`exp: FAR_FUTURE`), so a const holding a
    /// Unix time makes every token expire at that one date.
    LifetimeFromConst {
        target: String,
        token: TokenKind,
        num: Option<(i64, i64)>,
        dur: Option<(i64, i64)>,
        fixed: bool,
    },
    /// A key constructor (`ctor`) is given a const of another module (`crate::config::KEY`).
    KeyFromConst { target: String, ctor: String },
    /// A key constructor (`ctor`) is given the value of the environment variable `var`
    /// (`EncodingKey::from_secret(env::var("JWT_SECRET")?.as_bytes())`): a value committed for
    /// that variable is a signing key, whatever its name says.
    KeyFromEnv { var: String, ctor: String },
    /// A `Default` impl gives the secret field `field` an empty value (the span is the value).
    EmptyDefault { field: String },
    /// A key constructor (`ctor`) is given the field `field` (`cfg.secret.as_bytes()`).
    KeyFromField { field: String, ctor: String },
    /// The secret field (or local) `field` is checked for emptiness (`cfg.secret.is_empty()`).
    FieldChecked { field: String },
    /// A variable given a literal value in a committed `.env` file or a compose `environment:`
    /// entry (the span is the value); the code that reads it says what it is.
    EnvValue { var: String },
    /// This function (a free function of a WASM front end) writes its parameter `value_param`
    /// to web storage under its parameter `key_param`: a wrapper other files call.
    StorageWrapper {
        key_param: usize,
        value_param: usize,
        store: String,
    },
    /// This function (of a WASM front end) sets a cookie from script under the name given as
    /// its parameter `name_param`: its callers name the cookie.
    CookieWrapper { name_param: usize },
    /// This function returns a cookie of the `cookie` crate named by its parameter `name_param`
    /// (`Cookie::build(name.to_owned(), v)`) without the attributes `missing`, each with the fix
    /// to write (the span is where the cookie is made): its callers name the cookie.
    CookieHelper {
        name_param: usize,
        missing: Vec<(crate::rule::Rule, String)>,
    },
    /// A call of a function this file does not define, given an auth cookie name: `names` holds
    /// each argument's name (`""` where it gives none), for a cookie helper of another file.
    CookieHelperCall { callee: String, names: Vec<String> },
    /// A call of a function (of this file or another), with what each argument says as a
    /// storage key and as a stored value (see `analyzers::rust::StoredCode`), for wrappers of
    /// other files.
    StorageCall {
        callee: String,
        args: Vec<(String, u8, u8)>,
    },
    /// A JWT is verified here (signature and claims).
    JwtVerified { token: TokenKind },
    /// A random, opaque token is generated here (a session id or an opaque refresh token).
    OpaqueTokenIssued { token: TokenKind },
    /// A store is asked here (SQL query, Redis read, in-memory set lookup).
    StoreLookup { store: String },
    /// Something is deleted or marked revoked in a store here.
    StoreRevoke { store: String },
    /// A store of tokens is consulted here: a deny or allow list, a session or token table
    /// (`login_token`, `ExpiredToken`), a Redis key made from the claims, an in-memory set.
    /// `store` names it for messages ("the `login_token` table", "redis").
    DenylistLookup { store: String },
    /// An authorization decision is taken from a role/permission/group claim of a token.
    RoleClaimCheck { claim: String },
    /// Server-side sessions are set up here, with the store.
    ServerSession { store: String },
    /// The session state lives in a cookie (cannot be revoked).
    CookieSession,
    /// A function named like a refresh handler.
    RefreshHandler,
    /// A function named like a logout/revoke handler.
    LogoutHandler,
    /// This function runs on every request (an extractor or a middleware).
    PerRequest,
    /// The front end keeps a token where script can read it (built where the script and WASM
    /// storage analyzers report `token-in-web-storage` or `token-cookie-set-by-script`).
    ClientTokenStorage { token: TokenKind },
    /// A managed identity provider issues the tokens (Supabase, Auth0, Cognito, Keycloak, Ory,
    /// Zitadel, Dex, ...): its config file, its SDK or its image in a compose file.
    ManagedIdp { provider: String },
    /// Login is delegated to a proxy in front of the app (oauth2-proxy, Authelia forward-auth,
    /// an ingress auth annotation), or the app reads what such a proxy forwards.
    AuthProxy { proxy: String },
    /// A random session id is generated here (`let session_id = random_string(32)`): with a
    /// store write and a cookie that is a server-side session made by hand.
    SessionIdIssued,
    /// A function calls another by name (to follow calls across files): `validate`, or
    /// `Claims::validate` when the call names the type.
    Calls { callee: String },
    /// This function is a method of `owner` (the type of its `impl` block), so that a call
    /// `Owner::name(..)` finds it among functions of the same name.
    FnOwner { owner: String },
    /// A server sends the user's token, read from its session or a cookie, to an API as a Bearer
    /// token: a backend for frontend (the browser holds only a session cookie).
    BackendForFrontend,
    /// CORS with credentials (a cross-origin front end).
    CorsCredentials,
    /// An OAuth token endpoint (a `grant_type` field): native or third-party clients hold tokens.
    TokenEndpoint,
    /// A token validation (introspection) endpoint: a request body carrying a token to check
    /// (`struct Validate { token }`, RFC 7662's `token_type_hint`). Other services send their
    /// users' tokens here, so they trust this login.
    TokenIntrospection,
    /// A config file sets a token's lifetime under `key` (`auth.jwt.expiration: 604800`), whatever
    /// the limit: the project pass gives it to the JWTs issued from that key.
    ConfigTokenLifetime {
        key: String,
        token: TokenKind,
        lifetime_secs: u64,
    },
    /// The JWT issued in this function lives as long as the config key `key` says (loco's
    /// `JWT::new(secret).generate_token(expiration, ..)` reads `auth.jwt.expiration`).
    LifetimeFromConfig { key: String },
    /// A value is kept in the server-side session under this key (`session.insert("counter", n)`).
    SessionData { key: String },
    /// A session middleware's cookie attributes were reported here (the finding's own span): the
    /// project pass drops those reports when the crate's sessions hold no login state.
    SessionCookieReported,
}

/// A const's value as the project index keeps it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemValue {
    /// A string or byte-string literal.
    Text(String),
    /// A plain number (seconds, when it ends up in an expiry).
    Num(i64),
    /// A duration, in seconds.
    Dur(i64),
}

/// A fact as the analyzer records it: where, and in which function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub kind: FactKind,
    pub span: Span,
    /// The enclosing function's name, when there is one.
    pub function: Option<String>,
}

/// A fact with its file and position, as the project pass sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PlacedFact {
    pub path: String,
    pub start: Position,
    /// Where the fact's code ends: a finding made elsewhere names this span as related.
    #[serde(skip)]
    pub end: Position,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(flatten)]
    pub kind: FactKind,
    /// The role of its file: the verdict judges what is deployed, so an example or template
    /// inside a project (a library's `examples/`) does not make the project's design.
    #[serde(skip)]
    pub role: crate::roles::Role,
}

impl PlacedFact {
    /// A fact of `file`, placed in it.
    pub fn new(f: Fact, file: &crate::source::SourceFile) -> Self {
        PlacedFact {
            path: file.path.clone(),
            start: file.position(f.span.start),
            end: file.position(f.span.end),
            span: f.span,
            function: f.function,
            kind: f.kind,
            role: file.role,
        }
    }

    pub fn at(&self) -> String {
        format!("{}:{}", self.path, self.start.line)
    }

    /// Names this fact's code as a related place of a report about `primary` (a value written
    /// in one place and used here): a label in the same file, a related location in another.
    pub fn relate(
        &self,
        primary: &PlacedFact,
        report: &mut crate::finding::Report,
        message: String,
    ) {
        if self.path == primary.path {
            report.labels.push(crate::finding::Label {
                span: self.span,
                message,
                elsewhere: None,
            });
        } else {
            let at = crate::finding::Elsewhere {
                path: self.path.clone(),
                start: self.start,
                end: self.end,
            };
            report.add_elsewhere(at, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_kinds_from_names() {
        assert_eq!(
            TokenKind::from_names(["create_refresh_token"]),
            TokenKind::Refresh
        );
        assert_eq!(
            TokenKind::from_names(["create_email_confirmation_token"]),
            TokenKind::SinglePurpose
        );
        assert_eq!(
            TokenKind::from_names(["login", "claims"]),
            TokenKind::Access
        );
        assert_eq!(TokenKind::from_names(["handler"]), TokenKind::Unknown);
    }
}
