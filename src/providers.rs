//! Who else can hold the login: managed identity providers (their SDKs, crates and container
//! images) and authenticating proxies (their images, annotations and forwarded headers). One
//! table, read by the script analyzer (imports), the Rust facts collector (forwarded headers)
//! and the project context (package.json, compose files, Kubernetes manifests, Cargo.toml).

/// What kind of party holds the login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A managed identity provider issues and revokes the tokens.
    IdentityProvider,
    /// A proxy in front of the app logs users in and forwards who they are.
    Proxy,
}

use Holder::{IdentityProvider as Idp, Proxy};

/// npm packages (a prefix ends with `/`): the SDK of a managed identity provider.
const NPM: &[(&str, &str, Holder)] = &[
    ("@supabase/", "Supabase", Idp),
    ("@auth0/", "Auth0", Idp),
    ("auth0-js", "Auth0", Idp),
    ("aws-amplify", "Cognito", Idp),
    ("@aws-amplify/", "Cognito", Idp),
    ("amazon-cognito-identity-js", "Cognito", Idp),
    ("keycloak-js", "Keycloak", Idp),
    ("@react-keycloak/", "Keycloak", Idp),
    ("@ory/", "Ory", Idp),
    ("@zitadel/", "Zitadel", Idp),
    ("@clerk/", "Clerk", Idp),
    ("@okta/", "Okta", Idp),
    ("firebase/auth", "Firebase Auth", Idp),
    ("@firebase/auth", "Firebase Auth", Idp),
];

/// Rust crates of managed identity providers' APIs.
const CRATES: &[(&str, &str, Holder)] = &[
    ("aws-sdk-cognitoidentityprovider", "Cognito", Idp),
    ("ory-client", "Ory", Idp),
    ("ory-kratos-client", "Ory", Idp),
    ("ory-hydra-client", "Ory", Idp),
    ("keycloak", "Keycloak", Idp),
    ("gotrue", "Supabase (GoTrue)", Idp),
    ("supabase-auth", "Supabase", Idp),
];

/// Container images (matched inside the image name).
const IMAGES: &[(&str, &str, Holder)] = &[
    ("gotrue", "Supabase (GoTrue)", Idp),
    ("keycloak", "Keycloak", Idp),
    ("oryd/kratos", "Ory Kratos", Idp),
    ("oryd/hydra", "Ory Hydra", Idp),
    ("zitadel", "Zitadel", Idp),
    ("dexidp/dex", "Dex", Idp),
    ("authentik", "authentik", Idp),
    ("casdoor", "Casdoor", Idp),
    ("logto", "Logto", Idp),
    ("oauth2-proxy", "oauth2-proxy", Proxy),
    ("authelia", "Authelia", Proxy),
    ("pomerium", "Pomerium", Proxy),
    ("traefik-forward-auth", "forward auth", Proxy),
    ("vouch-proxy", "Vouch Proxy", Proxy),
];

/// Settings in compose labels or Kubernetes annotations that put an auth proxy in front.
const ANNOTATIONS: &[(&str, &str, Holder)] = &[
    (
        "nginx.ingress.kubernetes.io/auth-url",
        "ingress auth (auth-url)",
        Proxy,
    ),
    ("forwardauth.address", "Traefik forward auth", Proxy),
    ("forward_auth", "Caddy forward_auth", Proxy),
];

/// Headers an authenticating proxy sets; an app reading them trusts the proxy's login.
pub const PROXY_HEADERS: &[&str] = &[
    "x-forwarded-user",
    "x-forwarded-email",
    "x-forwarded-access-token",
    "x-auth-request-user",
    "x-auth-request-email",
    "x-auth-request-access-token",
    "remote-user",
    "x-webauth-user",
];

/// The provider behind an npm import or dependency (`@supabase/ssr` → Supabase Auth).
pub fn npm_package(name: &str) -> Option<(&'static str, Holder)> {
    NPM.iter()
        .find(|(p, ..)| {
            if p.ends_with('/') {
                name.starts_with(p)
            } else {
                name == *p || name.starts_with(&format!("{p}/"))
            }
        })
        .map(|&(_, n, h)| (n, h))
}

/// The provider behind a Rust dependency.
pub fn crate_dependency(name: &str) -> Option<(&'static str, Holder)> {
    CRATES
        .iter()
        .find(|(c, ..)| *c == name)
        .map(|&(_, n, h)| (n, h))
}

/// The provider or proxy a line of a compose file or Kubernetes manifest names: an `image:`
/// or a label / annotation that configures forward auth.
pub fn deployment_line(line: &str) -> Option<(&'static str, Holder)> {
    let t = line.trim().trim_start_matches("- ").to_ascii_lowercase();
    if let Some(image) = t.strip_prefix("image:") {
        let image = image.trim().trim_matches(['"', '\'']);
        let name = image.split(':').next().unwrap_or(image);
        return IMAGES
            .iter()
            .find(|(i, ..)| name.contains(i))
            .map(|&(_, n, h)| (n, h));
    }
    ANNOTATIONS
        .iter()
        .find(|(a, ..)| t.contains(a))
        .map(|&(_, n, h)| (n, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_images_and_annotations() {
        assert_eq!(npm_package("@supabase/ssr"), Some(("Supabase", Idp)));
        assert_eq!(npm_package("keycloak-js"), Some(("Keycloak", Idp)));
        assert_eq!(npm_package("keycloak-jsx"), None);
        assert_eq!(npm_package("react"), None);
        assert_eq!(
            crate_dependency("aws-sdk-cognitoidentityprovider").map(|p| p.0),
            Some("Cognito")
        );
        assert_eq!(
            deployment_line("    image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0"),
            Some(("oauth2-proxy", Proxy))
        );
        assert_eq!(
            deployment_line("    image: \"quay.io/keycloak/keycloak:26.0.7\""),
            Some(("Keycloak", Idp))
        );
        assert_eq!(deployment_line("    image: postgres:16"), None);
        assert_eq!(
            deployment_line("    nginx.ingress.kubernetes.io/auth-url: https://auth/oauth2/auth"),
            Some(("ingress auth (auth-url)", Proxy))
        );
        // A project named like a provider is not that provider's image.
        assert_eq!(deployment_line("    container_name: keycloak"), None);
    }
}
