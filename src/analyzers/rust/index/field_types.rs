//! The struct a field is read from, when the code says it: `self.cfg.ttl` reads `ttl` of
//! `AuthConfig` when `self` is a `JwtService { cfg: AuthConfig, .. }`; `cfg.ttl` does when a
//! parameter is `cfg: &AuthConfig` or a binding is `let cfg = AuthConfig::default()`. A config
//! field's default is then taken from that struct, never from another struct with a field of
//! the same name (`CacheConfig { ttl: .. }`).
use super::syntax::{FileIndex, Lets, pat_name};
use syn::spanned::Spanned;
use syn::{Expr, Type};

/// How many links of a field chain (`a.b.c.d`) or wrappers (`Arc<Mutex<T>>`) are followed.
const MAX_LINKS: usize = 8;

/// Where the types of names are looked up: the file's structs, the function's bindings, the
/// type of its `impl`, and its typed parameters (name, type).
pub struct Scope<'s, 'a> {
    pub index: &'s FileIndex<'a>,
    pub lets: Option<&'s Lets<'a>>,
    pub self_ty: Option<&'s str>,
    pub params: &'s [(String, String)],
}

/// The struct a type names, through references and the wrappers config is shared in
/// (`&AuthConfig`, `Arc<AuthConfig>`, `web::Data<Settings>`, `Option<Box<T>>`).
pub fn type_name(t: &Type) -> Option<String> {
    type_name_at(t, 0)
}

fn type_name_at(t: &Type, depth: usize) -> Option<String> {
    if depth > MAX_LINKS {
        return None;
    }
    match t {
        Type::Reference(r) => type_name_at(&r.elem, depth + 1),
        Type::Paren(p) => type_name_at(&p.elem, depth + 1),
        Type::Group(g) => type_name_at(&g.elem, depth + 1),
        Type::Path(p) => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let wrapper = matches!(
                name.as_str(),
                "Arc"
                    | "Rc"
                    | "Box"
                    | "Option"
                    | "Mutex"
                    | "RwLock"
                    | "Data"
                    | "State"
                    | "Extension"
            );
            if !wrapper {
                return Some(name);
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(inner) => type_name_at(inner, depth + 1),
                _ => None,
            })
        }
        _ => None,
    }
}

/// The typed parameters of a function, with the struct each is (`cfg: &AuthConfig`).
pub fn typed_params(sig: &syn::Signature) -> Vec<(String, String)> {
    let params = sig.inputs.iter().filter_map(|a| match a {
        syn::FnArg::Typed(t) => Some((pat_name(&t.pat)?, type_name(&t.ty)?)),
        _ => None,
    });
    params.collect()
}

/// What this file writes into the field `name` of the struct `ty` (of any struct when `ty` is
/// unknown): the values of struct literals, and the `#[serde(default = "..")]` functions
/// (struct, function).
pub fn writes_of<'i, 'a>(
    index: &'i FileIndex<'a>,
    name: &str,
    ty: Option<&str>,
) -> (Vec<&'a Expr>, Vec<&'i (String, String)>) {
    let of_ty = |t: Option<&str>| ty.is_none_or(|ty| t == Some(ty));
    let inits = index.field_inits.get(name).into_iter().flatten();
    let inits = inits.filter(|i| of_ty(i.ty.as_deref())).map(|i| i.expr);
    let serde = index.serde_defaults.get(name).into_iter().flatten();
    let serde = serde.filter(|(t, _)| of_ty(Some(t)));
    (inits.collect(), serde.collect())
}

/// Whether this file writes the field `name` of more than one struct.
pub fn several_structs(index: &FileIndex, name: &str) -> bool {
    let inits = index.field_inits.get(name).into_iter().flatten();
    let serde = index.serde_defaults.get(name).into_iter().flatten();
    let mut all = inits
        .map(|i| i.ty.as_deref())
        .chain(serde.map(|(t, _)| Some(t.as_str())));
    let Some(first) = all.next() else {
        return false;
    };
    all.any(|t| t != first)
}

/// The struct the value of `e` is, when the code says it (see the module's doc).
pub fn receiver_type(e: &Expr, scope: &Scope) -> Option<String> {
    receiver_at(e, scope, 0)
}

fn receiver_at(e: &Expr, scope: &Scope, depth: usize) -> Option<String> {
    if depth > MAX_LINKS {
        return None;
    }
    match e {
        Expr::Paren(p) => receiver_at(&p.expr, scope, depth + 1),
        Expr::Reference(r) => receiver_at(&r.expr, scope, depth + 1),
        Expr::Path(p) if p.qself.is_none() => {
            let name = p.path.get_ident()?.to_string();
            if name == "self" {
                return scope.self_ty.map(str::to_string);
            }
            if let Some((_, ty)) = scope.params.iter().find(|(n, _)| *n == name) {
                return Some(ty.clone());
            }
            let init = scope.lets?.get(&name, e.span().start())?;
            constructed(init, scope, depth + 1)
        }
        Expr::Field(f) => {
            let syn::Member::Named(member) = &f.member else {
                return None;
            };
            let owner = receiver_at(&f.base, scope, depth + 1)?;
            let st = scope.index.structs.get(&owner)?;
            let field = st
                .fields
                .iter()
                .find(|x| x.ident.as_ref() == Some(member))?;
            type_name(&field.ty)
        }
        // `self.cfg.clone()`, `state.config.as_ref()`: the same value.
        Expr::MethodCall(m) if passes_through(&m.method.to_string()) => {
            receiver_at(&m.receiver, scope, depth + 1)
        }
        _ => None,
    }
}

fn passes_through(method: &str) -> bool {
    matches!(
        method,
        "clone" | "as_ref" | "borrow" | "unwrap" | "expect" | "read" | "lock" | "get_ref"
    )
}

/// The struct a binding's value is made as: `AuthConfig { .. }`, `AuthConfig::default()`,
/// `AuthConfig::from_env()?`.
fn constructed(init: &Expr, scope: &Scope, depth: usize) -> Option<String> {
    match init {
        Expr::Struct(s) => s.path.segments.last().map(|l| l.ident.to_string()),
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else {
                return None;
            };
            let segs = &p.path.segments;
            let ty = segs.iter().rev().nth(1)?.ident.to_string();
            if ty == "Self" {
                return scope.self_ty.map(str::to_string);
            }
            ty.starts_with(|c: char| c.is_ascii_uppercase())
                .then_some(ty)
        }
        Expr::Try(t) => constructed(&t.expr, scope, depth + 1),
        Expr::MethodCall(m) if passes_through(&m.method.to_string()) => {
            constructed(&m.receiver, scope, depth + 1)
        }
        _ => receiver_at(init, scope, depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_at(file: &str, read: &str) -> Option<String> {
        let ast = syn::parse_file(file).unwrap();
        let index = FileIndex::build(&ast);
        let f = index.all_fns.iter().find(|f| f.name == "sign").unwrap();
        let lets = Lets::collect(f.block);
        let params = typed_params(f.sig);
        let self_ty = f.self_name();
        let scope = Scope {
            index: &index,
            lets: Some(&lets),
            self_ty: self_ty.as_deref(),
            params: &params,
        };
        // The read is the tail of `sign`.
        let Some(syn::Stmt::Expr(tail, None)) = f.block.stmts.last() else {
            panic!("no tail")
        };
        assert_eq!(quote::quote!(#tail).to_string().replace(' ', ""), read);
        let Expr::Field(field) = tail else {
            panic!("not a field")
        };
        receiver_type(&field.base, &scope)
    }

    #[test]
    fn the_struct_of_a_field_read() {
        let structs = "struct AuthConfig { ttl: i64 } struct CacheConfig { ttl: i64 }\n\
                       struct Service { cfg: std::sync::Arc<AuthConfig>, cache: CacheConfig }\n";
        let t = |body: &str, read: &str| type_at(&format!("{structs}{body}"), read);
        let auth = Some("AuthConfig".to_string());
        let cache = Some("CacheConfig".to_string());
        assert_eq!(
            t(
                "impl Service { fn sign(&self) -> i64 { self.cfg.ttl } }",
                "self.cfg.ttl"
            ),
            auth
        );
        assert_eq!(
            t(
                "impl Service { fn sign(&self) -> i64 { self.cache.ttl } }",
                "self.cache.ttl"
            ),
            cache
        );
        assert_eq!(
            t("fn sign(c: &CacheConfig) -> i64 { c.ttl }", "c.ttl"),
            cache
        );
        assert_eq!(
            t(
                "fn sign() -> i64 { let c = AuthConfig::default(); c.ttl }",
                "c.ttl"
            ),
            auth
        );
        assert_eq!(
            t(
                "fn sign(s: web::Data<Service>) -> i64 { s.cfg.clone().ttl }",
                "s.cfg.clone().ttl"
            ),
            auth
        );
        // Unknown: a struct of another file, an untyped closure parameter.
        assert_eq!(
            t("fn sign(s: &Other) -> i64 { s.cfg.ttl }", "s.cfg.ttl"),
            None
        );
        assert_eq!(t("fn sign() -> i64 { x.ttl }", "x.ttl"), None);
    }
}
