//! Objects that carry a credential in a field set in another statement or module: the bearer
//! token assigned to `fetcherOptions.authorization` (or `opts.headers.Authorization`) in a
//! `setAuth` function, the object then written whole
//! (`sessionStorage.setItem(KEY, JSON.stringify(fetcherOptions))`). The assignments are read in
//! the `Bindings` pass; a module exports the holders of its exported objects (`exports`).
use super::model::{Holder, Model, Operand, Origin, VClass, path_of};
use super::vocab::{self, NameClass, TokenKind};
use super::walk::Walker;
use oxc_ast::ast::AssignmentExpression;

/// Holders kept per block.
const MAX_HOLDERS: usize = 64;

impl Walker<'_> {
    /// `fetcherOptions.authorization = \`Bearer ${token}\``: the field path holds a credential,
    /// unless the object is a parameter (another object at each call) or the value a removal.
    pub(super) fn bind_holder(&mut self, a: &AssignmentExpression) {
        let Some(m) = a.left.as_member_expression() else {
            return;
        };
        let (Some(obj), Some(prop)) = (path_of(m.object()), m.static_property_name()) else {
            return;
        };
        let kind = if prop.eq_ignore_ascii_case("authorization") {
            TokenKind::Token
        } else {
            match vocab::classify(prop) {
                NameClass::Token(k) if !k.is_generic() => k,
                _ => return,
            }
        };
        let root = obj.split('.').next().unwrap_or(&obj);
        let env = self.env();
        if root == "this" && !obj.contains('.') || env.scopes.is_param(root) {
            return;
        }
        let v = env.value(Operand::Expr(&a.right));
        if matches!(
            v.class,
            VClass::Empty | VClass::Constant | VClass::Name(NameClass::NotToken)
        ) || self.model.holders.len() >= MAX_HOLDERS
        {
            return;
        }
        let path = format!("{obj}.{prop}");
        let origin = Origin::here(
            self.head(a.span),
            format!("`{path}` is set to the {} here", kind.noun()),
        );
        self.model.holders.push(Holder { path, kind, origin });
    }
}

/// The holder of a credential field below `path` (`fetcherOptions` holds
/// `fetcherOptions.authorization`).
pub fn held<'m>(model: &'m Model, path: &str) -> Option<&'m Holder> {
    model.holders.iter().find(|h| {
        h.path
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.'))
    })
}
