//! Objects that carry a credential in a field set in another statement or module: the bearer
//! token assigned to `fetcherOptions.authorization` (or `opts.headers.Authorization`) in a
//! `setAuth` function, the object then written whole
//! (`sessionStorage.setItem(KEY, JSON.stringify(fetcherOptions))`). The assignments are read in
//! the `Bindings` pass; a module exports the holders of its exported objects (`exports`).
use super::eval::Env;
use super::model::{Holder, Operand, Origin, VClass, path_of};
use super::vocab::{self, NameClass, TokenKind};
use crate::finding::Span;
use oxc_ast::ast::AssignmentExpression;

/// Holders kept per block.
const MAX_HOLDERS: usize = 64;

/// `fetcherOptions.authorization = \`Bearer ${token}\``: the field path holds a credential,
/// unless the object is a parameter (another object at each call) or the value a removal;
/// `at` is where the assignment is.
pub fn holder(env: &Env, a: &AssignmentExpression, at: Span) -> Option<Holder> {
    let m = a.left.as_member_expression()?;
    let (obj, prop) = (path_of(m.object())?, m.static_property_name()?);
    let kind = if prop.eq_ignore_ascii_case("authorization") {
        TokenKind::Token
    } else {
        match vocab::classify(prop) {
            NameClass::Token(k) if !k.is_generic() => k,
            _ => return None,
        }
    };
    let root = obj.split('.').next().unwrap_or(&obj);
    if root == "this" && !obj.contains('.') || env.scopes.is_param(root) {
        return None;
    }
    let v = env.value(Operand::Expr(&a.right));
    if matches!(
        v.class,
        VClass::Empty | VClass::Constant | VClass::Name(NameClass::NotToken)
    ) || env.model.holders.len() >= MAX_HOLDERS
    {
        return None;
    }
    let path = format!("{obj}.{prop}");
    let origin = Origin::here(at, format!("`{path}` is set to the {} here", kind.noun()));
    Some(Holder { path, kind, origin })
}
