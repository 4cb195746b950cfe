//! The vocabulary the facts collector reads code with: names of deny lists, role claims, session
//! stores, randomness, the crates of a browser front end, and small helpers over `syn` nodes.
use quote::ToTokens;

/// Words that mark a deny/allow list of tokens.
pub const DENYLIST_WORDS: &[&str] = &[
    "blacklist",
    "blocklist",
    "denylist",
    "deny_list",
    "revoked",
    "allowlist",
    "whitelist",
    "invalidated",
    "jti",
];
pub const ROLE_FIELDS: &[&str] = &[
    "role",
    "roles",
    "is_admin",
    "admin",
    "is_superuser",
    "permissions",
    "perms",
    "groups",
    "scopes",
    "is_staff",
];
/// Words that say a Rust file runs in a browser (its crates, or the storage it names).
pub const WEB_MARKERS: &[&str] = &[
    "web_sys",
    "gloo",
    "leptos",
    "dioxus",
    "yew",
    "sycamore",
    "wasm_cookies",
    "local_storage",
    "session_storage",
];
pub const TOKEN_STORAGE_TYPES: &[&str] = &[
    "MemoryStore",
    "RedisStore",
    "PostgresStore",
    "SqliteStore",
    "MySqlStore",
    "MongoDBStore",
    "RedisSessionStore",
    "RedisActorSessionStore",
    "FileStore",
    "DynamoDBStore",
    "MokaStore",
];

pub fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

pub fn text(node: &impl ToTokens) -> String {
    node.to_token_stream().to_string()
}

pub fn is_handler_prefix(name: &str) -> bool {
    [
        "create", "issue", "generate", "new", "make", "sign", "encode", "build", "mint", "hash",
        "store", "save",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

pub fn first_str_lit(
    args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
) -> Option<String> {
    match args.first()? {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// Random bytes for an opaque token: `Uuid::new_v4()`, `rand::thread_rng()`, `OsRng.fill_bytes`,
/// a project helper named like `gen_random_string`.
pub fn is_randomness(name: &str, full: &str) -> bool {
    matches!(
        name,
        "new_v4" | "thread_rng" | "rng" | "fill_bytes" | "random" | "fill"
    ) && (full.contains("Uuid")
        || full.contains("rand")
        || full.contains("OsRng")
        || name == "thread_rng"
        || name == "rng")
        || name.contains("random_")
        || name.ends_with("_random")
        || name == "gen_token"
}

/// `claims.role`, `token.claims.is_admin`, `data.claims.roles` (possibly through `&`, `*`,
/// `.as_str()`): the claim's name.
pub fn role_claim(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Field(f) => {
            let syn::Member::Named(name) = &f.member else {
                return None;
            };
            let name = name.to_string();
            let base = text(&f.base).to_ascii_lowercase();
            (ROLE_FIELDS.contains(&name.as_str())
                && base
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|w| w == "claims"))
            .then_some(name)
        }
        syn::Expr::Reference(r) => role_claim(&r.expr),
        syn::Expr::Unary(u) => role_claim(&u.expr),
        syn::Expr::Paren(p) => role_claim(&p.expr),
        syn::Expr::MethodCall(m) if m.args.is_empty() => role_claim(&m.receiver),
        _ => None,
    }
}
