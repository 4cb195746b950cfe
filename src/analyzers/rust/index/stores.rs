//! What a store lookup asks: the table, collection, key or set it reads, and whether that store
//! holds tokens (a deny list, an allow list, a session or token table) rather than users or data.
//! Used by the facts collector for Diesel and sea-orm query chains, SQL strings, MongoDB
//! collections, Redis keys and in-memory sets.
use super::names::{DENYLIST_WORDS, text};
use crate::facts::FactKind;
use std::collections::{HashMap, HashSet};

/// Words that make a table, collection, key prefix or set a store of tokens, besides the deny-
/// and allow-list words (`DENYLIST_WORDS`): looking a token up there is a session lookup,
/// whatever the JWT around it says.
const TOKEN_STORE_WORDS: &[&str] = &["token", "session", "expired", "device", "famil"];

/// Whether a store's name says it holds tokens (`login_token`, `ExpiredToken`, `exp_tokens`,
/// `jwt_blacklist`, `sessions`, `revoked`).
pub fn is_token_store(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    TOKEN_STORE_WORDS
        .iter()
        .chain(DENYLIST_WORDS)
        .any(|w| n.contains(w))
        && !["csrf", "cancel", "tokenizer", "tokenstream"]
            .iter()
            .any(|w| n.contains(w))
}

/// Whether an in-memory receiver's name reads as a collection of tokens (`jwt_blacklist`,
/// `revoked`, `valid_tokens`, `sessions`), not a single token (`token.claims`).
pub fn is_token_set(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_token_store(&n)
        && (n.ends_with('s')
            || [
                "list", "set", "map", "store", "cache", "table", "revoked", "expired",
            ]
            .iter()
            .any(|w| n.contains(w)))
}

/// The table a SQL statement reads or writes (`FROM ExpiredToken`, `INTO revoked_tokens`,
/// `UPDATE sessions`), as written, without quotes or schema.
pub fn sql_table(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let at = words.iter().position(|w| {
        ["from", "into", "update"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
    })?;
    let name = words.get(at + 1)?;
    let name = name
        .trim_matches(|c: char| c == '"' || c == '`' || c == '[' || c == ']' || c == '(')
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| c == '"' || c == '`');
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether a SQL statement's condition compares a token column (`WHERE token = $1`,
/// `AND jti = ?`).
pub fn sql_keys_on_token(lower_sql: &str) -> bool {
    let Some((_, cond)) = lower_sql.split_once(" where ") else {
        return false;
    };
    cond.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .any(|w| w == "jti" || w == "token" || w.ends_with("_token") || w == "token_hash")
}

/// The tables a Diesel or sea-orm query chain starts from: `login_token.find(t)`,
/// `revoked.filter(..)`, `schema::sessions::table.filter(..)`, `refresh_token::Entity::find()`,
/// seen through `select(exists(..))` and further chained calls.
pub fn query_tables(e: &syn::Expr) -> Vec<String> {
    let mut out = Vec::new();
    collect_tables(e, &mut out, 0);
    out
}

fn collect_tables(e: &syn::Expr, out: &mut Vec<String>, depth: usize) {
    if depth > 24 {
        return;
    }
    match e {
        syn::Expr::MethodCall(m) => {
            if matches!(
                m.method.to_string().as_str(),
                "find" | "filter" | "select" | "inner_join" | "left_join" | "order" | "count"
            ) && let syn::Expr::Path(p) = &*m.receiver
                && let Some(t) = table_of_path(&p.path)
            {
                out.push(t);
            }
            collect_tables(&m.receiver, out, depth + 1);
            for a in &m.args {
                collect_tables(a, out, depth + 1);
            }
        }
        syn::Expr::Call(c) => {
            if let syn::Expr::Path(p) = &*c.func {
                // a write (`delete(login_token.find(t))`) reads nothing
                if p.path.segments.last().is_some_and(|s| {
                    matches!(
                        s.ident.to_string().as_str(),
                        "delete" | "update" | "insert_into" | "replace_into"
                    )
                }) {
                    return;
                }
                let segs: Vec<String> = super::syntax::idents(&p.path);
                // sea-orm: `refresh_token::Entity::find()`, `Session::find_by_id(id)`
                if segs.len() >= 2
                    && segs
                        .last()
                        .is_some_and(|l| l == "find" || l == "find_by_id")
                    && let Some(t) = segs[..segs.len() - 1]
                        .iter()
                        .rev()
                        .find(|s| *s != "Entity" && *s != "Model")
                {
                    out.push(t.clone());
                }
            }
            for a in &c.args {
                collect_tables(a, out, depth + 1);
            }
        }
        syn::Expr::Reference(r) => collect_tables(&r.expr, out, depth + 1),
        syn::Expr::Paren(p) => collect_tables(&p.expr, out, depth + 1),
        syn::Expr::Await(a) => collect_tables(&a.base, out, depth + 1),
        syn::Expr::Try(t) => collect_tables(&t.expr, out, depth + 1),
        _ => {}
    }
}

/// `login_token` → `login_token`; `sessions::table` / `sessions::dsl::sessions` → `sessions`.
fn table_of_path(p: &syn::Path) -> Option<String> {
    let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
    let last = segs.last()?;
    let name = if last == "table" || last == "dsl" {
        segs.get(segs.len().checked_sub(2)?)?
    } else {
        last
    };
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        .then(|| name.clone())
}

/// The name of what an in-memory or collection receiver holds, through the wrappers around it:
/// `state.jwt_blacklist.read().unwrap()` → `jwt_blacklist`,
/// `db.collection::<T>("exp_tokens")` → `exp_tokens`.
pub fn receiver_name(e: &syn::Expr) -> Option<String> {
    let mut e = e;
    for _ in 0..16 {
        match e {
            syn::Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if name == "collection" || name == "table" {
                    if let Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    })) = m.args.first()
                    {
                        return Some(s.value());
                    }
                    return None;
                }
                if matches!(
                    name.as_str(),
                    "read"
                        | "write"
                        | "lock"
                        | "unwrap"
                        | "expect"
                        | "borrow"
                        | "borrow_mut"
                        | "as_ref"
                        | "as_mut"
                        | "clone"
                        | "deref"
                        | "get_ref"
                        | "blocking_read"
                        | "blocking_lock"
                ) {
                    e = &m.receiver;
                } else {
                    return None;
                }
            }
            syn::Expr::Await(a) => e = &a.base,
            syn::Expr::Try(t) => e = &t.expr,
            syn::Expr::Paren(p) => e = &p.expr,
            syn::Expr::Reference(r) => e = &r.expr,
            syn::Expr::Field(f) => {
                return match &f.member {
                    syn::Member::Named(n) => Some(n.to_string()),
                    syn::Member::Unnamed(_) => None,
                };
            }
            syn::Expr::Path(p) => return p.path.segments.last().map(|s| s.ident.to_string()),
            _ => return None,
        }
    }
    None
}

/// Whether a receiver is a Redis connection: its text or the `let` that bound it says redis, or it
/// came from a connection getter.
pub fn is_redis(receiver_text: &str, bound_to: Option<&str>) -> bool {
    let says = |t: &str| {
        let t = t.to_ascii_lowercase();
        t.contains("redis")
            || t.contains("get_async_connection")
            || t.contains("get_multiplexed")
            || t.contains("get_connection")
            || t.contains("connection_manager")
    };
    says(receiver_text) || bound_to.is_some_and(says)
}

/// The identifiers in an expression's text.
pub fn idents(node: &impl quote::ToTokens) -> Vec<String> {
    idents_of(&text(node))
}

/// The identifiers in a piece of printed code.
pub fn idents_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// What a SQL statement does to a store: deletes or revokes (`DELETE`, `UPDATE .. revoked`,
/// `INSERT INTO revoked_tokens`), looks a token up (`FROM ExpiredToken`, `WHERE token = $1`), or
/// reads something else (`SELECT * FROM users WHERE id = $1`).
pub fn sql_fact(sql: &str) -> Option<FactKind> {
    let lower = sql.to_ascii_lowercase();
    let verb = lower.split_whitespace().next().unwrap_or("");
    let table = sql_table(sql);
    let token_table = table.as_deref().is_some_and(is_token_store);
    let deny_words = DENYLIST_WORDS.iter().any(|w| lower.contains(w));
    let store = table.map_or_else(|| "a SQL table".to_string(), |t| format!("the `{t}` table"));
    if verb == "delete" || (verb == "update" && lower.contains("revoked")) {
        Some(FactKind::StoreRevoke { store })
    } else if verb == "insert" {
        (token_table
            && [
                "revoked",
                "expired",
                "blacklist",
                "blocklist",
                "denylist",
                "deny_list",
                "invalidated",
            ]
            .iter()
            .any(|w| lower.contains(w)))
        .then_some(FactKind::StoreRevoke { store })
    } else if verb == "select" || verb == "with" {
        if token_table || deny_words || sql_keys_on_token(&lower) {
            Some(FactKind::DenylistLookup { store })
        } else {
            Some(FactKind::StoreLookup { store })
        }
    } else if lower.contains(" returning ") {
        Some(FactKind::StoreLookup { store })
    } else {
        None
    }
}

/// What the function knows while it reads a method call: the variables that hold a verified
/// token's claims (or values read from them), and the text each `let` was bound to.
pub struct Scope<'a> {
    pub claim_vars: &'a HashSet<String>,
    pub let_text: &'a HashMap<String, String>,
}

/// A method call that looks a token up in a store: a Diesel or sea-orm query on a token table, a
/// SQL string passed to a client, a MongoDB query on a token collection or by a token field, a
/// Redis read whose key comes from the claims or names a token, an in-memory set of tokens.
pub fn method_lookup(m: &syn::ExprMethodCall, scope: &Scope) -> Option<FactKind> {
    let method = m.method.to_string();
    let first_lit = match m.args.first() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) => Some(s.value()),
        _ => None,
    };
    match method.as_str() {
        "query" | "query_one" | "query_opt" | "query_row" | "query_map" | "prepare"
        | "prepare_cached" | "execute" | "query_raw"
            if first_lit.is_some() =>
        {
            let sql = first_lit?;
            let verb = sql.split_whitespace().next()?.to_ascii_lowercase();
            ["select", "with", "delete", "update", "insert"]
                .contains(&verb.as_str())
                .then(|| sql_fact(&sql))?
        }
        "first" | "get_result" | "get_results" | "load" | "first_async" | "one" | "all"
        | "get_result_async" | "load_async" => {
            let table = query_tables(&m.receiver)
                .into_iter()
                .find(|t| is_token_store(t))?;
            Some(FactKind::DenylistLookup {
                store: format!("the `{table}` table"),
            })
        }
        "find_one" | "find" | "count_documents" | "find_one_and_update" => {
            let name = receiver_name(&m.receiver)?;
            let args = text(&m.args).to_ascii_lowercase();
            let by_token = args.contains("doc !")
                && ["\"token\"", "\"jti\"", "token\"", "\"session"]
                    .iter()
                    .any(|k| args.contains(k));
            (is_token_set(&name) || by_token).then(|| FactKind::DenylistLookup {
                store: format!("the `{name}` collection"),
            })
        }
        "get" | "exists" | "sismember" | "hget" | "hexists" | "ttl" | "get_del" | "hgetall"
            if redis_receiver(m, scope) =>
        {
            let keys = idents(&m.args);
            let from_claims = keys
                .iter()
                .any(|k| scope.claim_vars.contains(k) || k == "claims");
            let named = keys.iter().any(|k| is_token_store(k))
                || m.args.iter().any(|a| {
                    matches!(a, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if is_token_store(&s.value()))
                });
            (from_claims || named).then(|| FactKind::DenylistLookup {
                store: "Redis, under a key from the token".into(),
            })
        }
        "contains" | "contains_key" | "get" => {
            let name = receiver_name(&m.receiver)?;
            is_token_set(&name).then(|| FactKind::DenylistLookup {
                store: format!("the in-memory `{name}`"),
            })
        }
        _ => None,
    }
}

fn redis_receiver(m: &syn::ExprMethodCall, scope: &Scope) -> bool {
    let typed_get = m.turbofish.as_ref().is_some_and(|t| {
        t.args.len() == 2
            && matches!(
                t.args.first(),
                Some(syn::GenericArgument::Type(syn::Type::Infer(_)))
            )
    });
    let root = idents(&m.receiver).into_iter().next();
    typed_get
        || is_redis(
            &text(&m.receiver),
            root.as_deref()
                .and_then(|r| scope.let_text.get(r))
                .map(String::as_str),
        )
}

/// A call whose name says it reads or deletes a stored token, session, device or user
/// (`find_by_refresh_token`, `delete_refresh_token`, `get_user_by_id`): the store may hide in a
/// macro or another crate, but the name is evidence enough.
pub fn named_store_call(name: &str) -> Option<FactKind> {
    let n = name.to_ascii_lowercase();
    let about = [
        "token", "session", "device", "jti", "refresh", "user", "account",
    ]
    .iter()
    .any(|w| n.contains(w));
    let lookup = [
        "find_by",
        "find_one",
        "get_by",
        "fetch_",
        "load_",
        "lookup_",
        "select_",
        "check_token",
        "find_user",
        "get_user",
        "get_session",
        "get_device",
        "validate_refresh",
    ]
    .iter()
    .any(|p| n.starts_with(p));
    let revoke = [
        "delete_",
        "revoke_",
        "remove_",
        "invalidate_",
        "purge_",
        "destroy_",
        "expire_",
    ]
    .iter()
    .any(|p| n.starts_with(p));
    if about && revoke && !n.contains("cookie") {
        return Some(FactKind::StoreRevoke {
            store: "a store".into(),
        });
    } else if about
        && lookup
        && ["token", "session", "device", "jti", "refresh"]
            .iter()
            .any(|w| n.contains(w))
    {
        // `find_by_refresh_token`, `get_session`: a store of tokens
        return Some(FactKind::DenylistLookup {
            store: format!("the store behind `{name}`"),
        });
    } else if about && lookup || n == "find_by_id" {
        return Some(FactKind::StoreLookup {
            store: "a store".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> syn::Expr {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn token_stores_by_name() {
        for yes in [
            "login_token",
            "ExpiredToken",
            "exp_tokens",
            "jwt_blacklist",
            "sessions",
            "revoked",
        ] {
            assert!(is_token_store(yes), "{yes}");
        }
        for no in ["users", "posts", "csrf_tokens", "accounts"] {
            assert!(!is_token_store(no), "{no}");
        }
        assert!(is_token_set("jwt_blacklist"));
        assert!(is_token_set("valid_tokens"));
        assert!(!is_token_set("token"));
    }

    #[test]
    fn sql_tables_and_keys() {
        let q = "select count(*) from expiredtoken where token = ?";
        assert_eq!(sql_table(q).as_deref(), Some("expiredtoken"));
        assert!(sql_keys_on_token(q));
        let q = "select * from users where id = $1";
        assert_eq!(sql_table(q).as_deref(), Some("users"));
        assert!(!sql_keys_on_token(q));
        assert_eq!(
            sql_table("insert into public.\"revoked_tokens\" (jti) values ($1)").as_deref(),
            Some("revoked_tokens")
        );
    }

    #[test]
    fn query_chains() {
        assert_eq!(
            query_tables(&expr(
                "select(exists(login_token.find(token_).filter(user_id.eq(u))))"
            )),
            ["login_token"]
        );
        assert_eq!(
            query_tables(&expr("sessions::table.filter(id.eq(x)).first(conn)")),
            ["sessions"]
        );
        assert_eq!(
            query_tables(&expr(
                "refresh_token::Entity::find().filter(Column::Token.eq(t)).one(db)"
            )),
            ["refresh_token"]
        );
        assert!(query_tables(&expr("items.iter().filter(|x| x.ok)")).is_empty());
    }

    #[test]
    fn receivers() {
        assert_eq!(
            receiver_name(&expr("state.jwt_blacklist.read().unwrap()")).as_deref(),
            Some("jwt_blacklist")
        );
        assert_eq!(
            receiver_name(&expr("db.collection::<T>(\"exp_tokens\")")).as_deref(),
            Some("exp_tokens")
        );
        assert_eq!(
            receiver_name(&expr("token.claims().groups")).as_deref(),
            Some("groups")
        );
        assert_eq!(receiver_name(&expr("token.claims()")), None);
    }
}
