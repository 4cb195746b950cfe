//! What the WASM storage rules recognise as a token: storage keys and value names, cookie names,
//! structs that carry a token field, yewdux stores persisted to web storage.
use crate::analyzers::Sink;
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::syntax::FileIndex;
use crate::analyzers::rust::index::syntax::peel;
use crate::auth_names::{self, NameClass, TokenKind};
use crate::finding::{Report, Span};
use crate::rule::wording;
use syn::Expr;

/// What kind of secret a write stores.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Refresh,
    Token,
    /// A value whose type carries a token field (`User { token, .. }`).
    Carrier,
}

/// `token-in-web-storage`, in the rule's one wording (`crate::rule::wording`).
pub fn storage_report(span: Span, stored: Stored, store: &str, key: &str) -> Report {
    let (what, kind) = match stored {
        Stored::Refresh => ("refresh token", TokenKind::Refresh),
        Stored::Token => ("auth token", TokenKind::Token),
        Stored::Carrier => ("value carrying an auth token", TokenKind::Token),
    };
    let key = Some(key).filter(|k| !k.is_empty());
    wording::token_in_web_storage(span, what, store, key, None, kind)
}

/// `token-cookie-set-by-script`, in the rule's one wording; `via` is the call that writes it.
pub fn cookie_report(span: Span, name: &str, via: &str) -> Report {
    let kind = match auth_names::classify(name) {
        NameClass::Credential(k) | NameClass::Weak(k) => k,
        _ => TokenKind::Token,
    };
    let what = match kind {
        TokenKind::Token => "auth token",
        k => k.noun(),
    };
    wording::token_cookie_set_by_script(span, what, Some(name), via, kind)
}

impl Stored {
    /// The code a `StorageCall` fact keeps (0: nothing, 4: a flag, never a token).
    pub fn code(s: Option<Stored>) -> u8 {
        match s {
            None => 0,
            Some(Stored::Token) => 1,
            Some(Stored::Refresh) => 2,
            Some(Stored::Carrier) => 3,
        }
    }

    pub fn from_code(c: u8) -> Option<Stored> {
        match c {
            1 => Some(Stored::Token),
            2 => Some(Stored::Refresh),
            3 => Some(Stored::Carrier),
            _ => None,
        }
    }
}

/// A flag or number as a stored value, in a `StorageCall` fact's code.
pub const FLAG_CODE: u8 = 4;

/// What a storage key (or the name of a value or field) says is stored, as `crate::auth_names`
/// reads it: `access` alone, `rememberMe`, ids, flags and times are not tokens.
pub(super) fn classify_key(key: &str) -> Option<Stored> {
    match auth_names::classify(key) {
        NameClass::Credential(TokenKind::Refresh) | NameClass::Weak(TokenKind::Refresh) => {
            Some(Stored::Refresh)
        }
        NameClass::Credential(_) => Some(Stored::Token),
        _ => None,
    }
}

/// Whether a cookie set by script is named like a credential (`token`, `session`, `refresh`);
/// CSRF tokens, OAuth flow state, preferences and ids are not.
pub fn is_auth_cookie_name(name: &str) -> bool {
    auth_names::classify(name).is_credential()
}

/// yewdux `#[store(storage = "local")]` on a struct with a token field.
pub(super) fn yewdux_stores(rf: &RustFile, index: &FileIndex, sink: &mut Sink) {
    for def in index.structs.values() {
        for attr in &def.attrs {
            if !attr.path().is_ident("store") {
                continue;
            }
            let snippet = rf.src.snippet(rf.span(attr));
            let store = if snippet.contains("\"local\"") {
                "localStorage"
            } else if snippet.contains("\"session\"") {
                "sessionStorage"
            } else {
                continue;
            };
            if let Some(stored) = carried_token(index, &def.ident.to_string(), 0) {
                let stored = if stored == Stored::Refresh {
                    Stored::Refresh
                } else {
                    Stored::Carrier
                };
                sink.report(storage_report(rf.span(attr), stored, store, "").label(
                    rf.span(&def.ident),
                    format!("`{}` has a token field", def.ident),
                ));
            }
        }
    }
}

/// Whether a struct of this file (or one it nests) has a token field.
pub(super) fn carried_token(index: &FileIndex, ty: &str, depth: usize) -> Option<Stored> {
    if depth > 3 {
        return None;
    }
    let def = index.structs.get(ty)?;
    let syn::Fields::Named(fields) = &def.fields else {
        return None;
    };
    fields.named.iter().find_map(|f| {
        let name = f.ident.as_ref()?.to_string();
        classify_key(&name)
            .or_else(|| type_name(&f.ty).and_then(|t| carried_token(index, &t, depth + 1)))
    })
}

pub(super) fn type_name(t: &syn::Type) -> Option<String> {
    match t {
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Path(p) => {
            let last = p.path.segments.last()?;
            if let syn::PathArguments::AngleBracketed(a) = &last.arguments
                && matches!(
                    last.ident.to_string().as_str(),
                    "Option" | "Rc" | "Arc" | "Box" | "Vec"
                )
                && let Some(syn::GenericArgument::Type(inner)) = a.args.first()
            {
                return type_name(inner);
            }
            Some(last.ident.to_string())
        }
        _ => None,
    }
}

pub(super) fn is_flag_value(e: &Expr) -> bool {
    match peel(e) {
        Expr::Lit(l) => matches!(
            l.lit,
            syn::Lit::Bool(_) | syn::Lit::Int(_) | syn::Lit::Float(_)
        ),
        Expr::Path(p) => p.path.is_ident("true") || p.path.is_ident("false"),
        Expr::MethodCall(m) if m.method == "to_string" => is_flag_value(&m.receiver),
        _ => false,
    }
}

/// The name of a cookie in `"name=value; ..."` text, unless the text deletes it.
pub(super) fn cookie_name(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("max-age=0") || lower.contains("1970") {
        return None;
    }
    let (name, _) = text.split_once('=')?;
    Some(name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_keys_and_flags() {
        assert!(classify_key("access_token").is_some());
        assert!(classify_key("jwt").is_some());
        assert!(classify_key("yew.token").is_some());
        assert!(classify_key("refresh_token") == Some(Stored::Refresh));
        assert!(classify_key("admin_token_warning_closed").is_none());
        assert!(classify_key("token_expires_at").is_none());
        assert!(classify_key("theme").is_none());
        assert!(classify_key("user").is_none());
        assert!(classify_key("session_id") == Some(Stored::Token));
        for k in [
            "oauth_state",
            "code_verifier",
            "oauth_team_id",
            "access",
            "rememberMe",
        ] {
            assert!(classify_key(k).is_none(), "{k}");
        }
        assert!(is_auth_cookie_name("session"));
        assert!(!is_auth_cookie_name("oauth_csrf_state"));
        assert!(!is_auth_cookie_name("user_id"));
    }

    #[test]
    fn cookie_names() {
        assert_eq!(cookie_name("token=abc; path=/"), Some("token"));
        assert_eq!(cookie_name("token=; max-age=0"), None);
    }
}
