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

/// How much of each end of a long snippet [`ends`] keeps.
const SNIPPET_END: usize = 2048;

/// A snippet for word tests, bounded: a long one (a chain of thousands of links) keeps its first
/// and last 2 KiB. Taking every receiver of a chain whole made the cookie and storage rules
/// quadratic in the chain's length.
pub fn ends(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= 2 * SNIPPET_END {
        return s.into();
    }
    let head = s.floor_char_boundary(SNIPPET_END);
    let tail = s.ceil_char_boundary(s.len() - SNIPPET_END);
    format!("{} … {}", &s[..head], &s[tail..]).into()
}

/// How many links of a chain (`a.b().c?.d().await`) [`receiver_text`] prints.
const RECEIVER_LINKS: usize = 64;

/// A method call's receiver as text, for the word tests the collectors run on it. A chain
/// longer than [`RECEIVER_LINKS`] links is cut to the names of its last links: printing every
/// receiver of a chain whole made the facts collector quadratic in the chain's length (2,000
/// links of `c.a()` took 1.2 s, and 87 s under the fuzzer).
pub fn receiver_text(m: &syn::ExprMethodCall) -> String {
    let mut e = &*m.receiver;
    for _ in 0..RECEIVER_LINKS {
        match link(e) {
            Some(inner) => e = inner,
            None => return text(&*m.receiver),
        }
    }
    if link(e).is_none() {
        return text(&*m.receiver);
    }
    let mut names = Vec::with_capacity(RECEIVER_LINKS);
    let mut e = &*m.receiver;
    while names.len() < RECEIVER_LINKS
        && let Some(inner) = link(e)
    {
        names.push(link_name(e));
        e = inner;
    }
    names.reverse();
    format!("… {}", names.join(" "))
}

/// What one link of a chain applies to.
pub(super) fn link(e: &syn::Expr) -> Option<&syn::Expr> {
    match e {
        syn::Expr::MethodCall(m) => Some(&m.receiver),
        syn::Expr::Field(f) => Some(&f.base),
        syn::Expr::Try(t) => Some(&t.expr),
        syn::Expr::Await(a) => Some(&a.base),
        syn::Expr::Call(c) => Some(&c.func),
        syn::Expr::Index(i) => Some(&i.expr),
        syn::Expr::Paren(p) => Some(&p.expr),
        _ => None,
    }
}

/// One link of a chain as text, without what it applies to (`. get ()`, `. await`, `?`).
fn link_name(e: &syn::Expr) -> String {
    match e {
        syn::Expr::MethodCall(m) => format!(". {} ()", m.method),
        syn::Expr::Field(f) => format!(". {}", f.member.to_token_stream()),
        syn::Expr::Try(_) => "?".into(),
        syn::Expr::Await(_) => ". await".into(),
        syn::Expr::Call(_) => "()".into(),
        syn::Expr::Index(_) => "[]".into(),
        _ => String::new(),
    }
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
