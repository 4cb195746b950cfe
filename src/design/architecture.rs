//! The designs the verdict names, and the evidence it cites for one.
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    ServerSessions,
    ClientSideSessions,
    StatelessJwt,
    Hybrid,
    JwtWithPerRequestStoreCheck,
    /// Opaque tokens kept in a store and sent as bearer tokens (API keys, session tokens):
    /// revocable by deleting the row.
    OpaqueTokens,
    /// A managed identity provider issues, expires and revokes the tokens.
    ManagedIdp,
    /// A proxy in front of the app logs users in and forwards who they are.
    DelegatedToProxy,
    /// The browser front end holds bearer tokens whose issuer is not in this repository.
    BrowserHeldTokens,
    Mixed,
    /// Independent applications with different designs: one verdict each.
    PerApplication,
    NoAuthFound,
}

impl Architecture {
    pub fn describe(self) -> &'static str {
        match self {
            Architecture::ServerSessions => "server-side sessions",
            Architecture::ClientSideSessions => "client-side cookie sessions",
            Architecture::StatelessJwt => "stateless JWT",
            Architecture::Hybrid => "hybrid: access JWT + stored refresh token",
            Architecture::JwtWithPerRequestStoreCheck => "JWT + per-request store check",
            Architecture::OpaqueTokens => "opaque tokens in a store (API keys or session tokens)",
            Architecture::ManagedIdp => "managed identity provider",
            Architecture::DelegatedToProxy => "delegated to an authenticating proxy",
            Architecture::BrowserHeldTokens => "bearer tokens held by the browser front end",
            Architecture::Mixed => "mixed: sessions and JWTs side by side",
            Architecture::PerApplication => "independent applications, one verdict each",
            Architecture::NoAuthFound => "no authentication found",
        }
    }
}

/// One claim of the verdict with where it was seen.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub claim: String,
    /// `path:line`, or empty for claims about absence.
    pub at: String,
}
