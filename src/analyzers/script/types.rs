//! TypeScript types that carry a credential: an interface or object type with a token field
//! (`interface User { id: number; token: string }`). An object of such a type written whole
//! (`const user: User = …; localStorage.setItem("user", JSON.stringify(user))`) writes the token
//! whatever the object's name. Types are read in the `Bindings` pass, exported by their module
//! (`exports`, linked by `modules`), and give their class to the variables, parameters and casts
//! annotated with them.
use super::model::{Model, Origin, TokenType, VClass, Value};
use super::vocab::{self, NameClass, TokenKind};
use crate::finding::Span;
use oxc_ast::ast::*;

/// How many members of one type are looked at (a generated type can have thousands).
const MAX_MEMBERS: usize = 256;

/// `interface User { token: string }`, `interface Admin extends User {}`: recorded in `model`
/// when the type (or one it extends) has a credential field; `at` places a span of the block.
pub fn bind_interface(
    model: &mut Model,
    it: &TSInterfaceDeclaration,
    at: impl Fn(oxc_span::Span) -> Span,
) {
    let name = it.id.name.as_str();
    let inherited = it
        .extends
        .iter()
        .find_map(|h| model.token_types.get(&type_name(&h.type_name)?).cloned());
    let own =
        token_field(&it.body.body).map(|(f, kind, span)| token_type(name, &f, kind, at(span)));
    if let Some(t) = own.or(inherited) {
        model.token_types.insert(name.to_string(), t);
    }
}

/// `type User = { token: string }`, `type Admin = User & { role: string }`.
pub fn bind_type_alias(
    model: &mut Model,
    it: &TSTypeAliasDeclaration,
    at: impl Fn(oxc_span::Span) -> Span,
) {
    let name = it.id.name.as_str();
    let found = match &it.type_annotation {
        TSType::TSTypeLiteral(l) => {
            token_field(&l.members).map(|(f, kind, span)| token_type(name, &f, kind, at(span)))
        }
        other => annotated(model, other, name).and_then(|v| {
            let VClass::Name(NameClass::Token(kind)) = v.class else {
                return None;
            };
            Some(TokenType {
                kind,
                origin: v.origin?,
            })
        }),
    };
    if let Some(t) = found {
        model.token_types.insert(name.to_string(), t);
    }
}

fn token_type(ty: &str, field: &str, kind: TokenKind, at: Span) -> TokenType {
    TokenType {
        kind,
        origin: Origin::here(
            at,
            format!(
                "the type `{ty}` has the {} field `{field}` here",
                kind.noun()
            ),
        ),
    }
}

/// The first member of a type that holds a credential (by its name, not typed as a flag, a
/// number or a date): its name, kind and span.
fn token_field(members: &[TSSignature]) -> Option<(String, TokenKind, oxc_span::Span)> {
    members.iter().take(MAX_MEMBERS).find_map(|m| {
        let TSSignature::TSPropertySignature(p) = m else {
            return None;
        };
        let name = p.key.static_name()?;
        let NameClass::Token(kind) = vocab::classify(&name) else {
            return None;
        };
        let flag = p
            .type_annotation
            .as_ref()
            .is_some_and(|t| is_flag(&t.type_annotation));
        (!kind.is_generic() && !flag).then(|| (name.to_string(), kind, p.span))
    })
}

/// `boolean`, `number`, `Date`: a flag or a time, not a credential.
fn is_flag(t: &TSType) -> bool {
    match t {
        TSType::TSBooleanKeyword(_) | TSType::TSNumberKeyword(_) | TSType::TSBigIntKeyword(_) => {
            true
        }
        TSType::TSTypeReference(r) => type_name(&r.type_name).is_some_and(|n| n == "Date"),
        _ => false,
    }
}

/// `User`, `Types.User`.
fn type_name(n: &TSTypeName) -> Option<String> {
    match n {
        TSTypeName::IdentifierReference(i) => Some(i.name.as_str().to_string()),
        TSTypeName::QualifiedName(q) => Some(format!("{}.{}", type_name(&q.left)?, q.right.name)),
        TSTypeName::ThisExpression(_) => None,
    }
}

/// What a value annotated with `t` holds, shown as `shown`: a credential when the type (or one
/// member of a union, `User | null`) is a type with a token field.
pub fn annotated(model: &Model, t: &TSType, shown: &str) -> Option<Value> {
    match t {
        TSType::TSTypeReference(r) => {
            let tt = model.token_types.get(&type_name(&r.type_name)?)?;
            Some(Value {
                origin: Some(tt.origin.clone()),
                ..Value::of(VClass::Name(NameClass::Token(tt.kind)), shown)
            })
        }
        TSType::TSUnionType(u) => u.types.iter().find_map(|t| annotated(model, t, shown)),
        TSType::TSIntersectionType(u) => u.types.iter().find_map(|t| annotated(model, t, shown)),
        TSType::TSParenthesizedType(p) => annotated(model, &p.type_annotation, shown),
        _ => None,
    }
}

/// What a cast says (`data as User`, `<User>data`, `data satisfies User`).
pub fn cast(model: &Model, e: &Expression, shown: &str) -> Option<Value> {
    match e {
        Expression::TSAsExpression(a) => annotated(model, &a.type_annotation, shown),
        Expression::TSSatisfiesExpression(a) => annotated(model, &a.type_annotation, shown),
        Expression::TSTypeAssertion(a) => annotated(model, &a.type_annotation, shown),
        Expression::ParenthesizedExpression(p) => cast(model, &p.expression, shown),
        _ => None,
    }
}
