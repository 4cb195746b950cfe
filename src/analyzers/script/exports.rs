//! What a script module exports, read from its syntax: ES exports (`export const`, `export {
//! a as b }`, `export default`), re-exports (`export { setToken } from "./auth"`, `export * from
//! "./auth"`) and CommonJS exports (`module.exports = { TOKEN_KEY }`, `exports.KEY = "token"`).
//! `modules` follows the re-exports and links the names into importing blocks.
use super::model::{Holder, Model, Origin, Place, TokenType, Wrapper};
use oxc_ast::ast::{
    AssignmentTarget, Declaration, ExportDefaultDeclarationKind, Expression, ModuleExportName,
    ObjectPropertyKind, Program, Statement,
};
use std::collections::HashMap;

/// What one module exports that judging a write can use, by exported name (`TOKEN_KEY`,
/// `KEYS.token` for a field of an exported object, `save` for a wrapper).
#[derive(Default, Debug)]
pub struct Exports {
    pub consts: Vec<(String, String)>,
    /// Where each exported constant is written (`Place::Module`).
    pub const_at: Vec<(String, Place)>,
    pub wrappers: Vec<(String, Wrapper)>,
    /// Types with a credential field (`interface User { token: string }`).
    pub types: Vec<(String, TokenType)>,
    /// Credential fields of exported objects, under the exported names.
    pub holders: Vec<Holder>,
    /// Functions that return a login response (`login::is_login_call`).
    pub login_fns: Vec<String>,
    /// `export { a as b } from "m"`: `("m", "a", "b")`; `export * from "m"`: `("m", "*", "*")`;
    /// `export * as ns from "m"`: `("m", "*", "ns")`.
    pub reexports: Vec<(String, String, String)>,
}

/// The module's exported constants, wrappers, token types and credential holders, under their
/// exported names, sorted, and what it re-exports; `place` turns a span of the module into a
/// place other files can point at.
pub fn exports_of(
    program: &Program,
    model: &Model,
    max: usize,
    place: impl Fn(crate::finding::Span) -> Place,
) -> Exports {
    let Names {
        by_local,
        literals,
        reexports,
    } = names(program);
    let exported = |key: &str| -> Vec<String> {
        let (root, rest) = key.split_once('.').map_or((key, ""), |(r, s)| (r, s));
        by_local
            .get(root)
            .into_iter()
            .flatten()
            .map(|e| match rest {
                "" => e.clone(),
                r => format!("{e}.{r}"),
            })
            .collect()
    };
    let mut out = Exports {
        consts: literals,
        reexports,
        ..Exports::default()
    };
    for (k, v) in &model.consts {
        out.consts
            .extend(exported(k).into_iter().map(|e| (e, v.clone())));
    }
    let moved = |o: &Option<Origin>| {
        o.as_ref().map(|o| match o.place {
            Place::Here(s) => Origin {
                place: place(s),
                message: o.message.clone(),
            },
            _ => o.clone(),
        })
    };
    for (k, w) in &model.wrappers {
        let mut w = w.clone();
        w.origin = moved(&w.origin);
        w.key.origin = moved(&w.key.origin);
        w.value.origin = moved(&w.value.origin);
        out.wrappers
            .extend(exported(k).into_iter().map(|e| (e, w.clone())));
    }
    for (k, at) in &model.const_at {
        out.const_at
            .extend(exported(k).into_iter().map(|e| (e, place(*at))));
    }
    for (k, t) in &model.token_types {
        let Some(origin) = moved(&Some(t.origin.clone())) else {
            continue;
        };
        let t = TokenType {
            kind: t.kind,
            origin,
        };
        out.types
            .extend(exported(k).into_iter().map(|e| (e, t.clone())));
    }
    for h in &model.holders {
        let Some(origin) = moved(&Some(h.origin.clone())) else {
            continue;
        };
        out.holders
            .extend(exported(&h.path).into_iter().map(|path| Holder {
                path,
                kind: h.kind,
                origin: origin.clone(),
            }));
    }
    let mut login_fns: Vec<String> = model.login_fns.iter().flat_map(|f| exported(f)).collect();
    login_fns.sort();
    login_fns.truncate(max);
    out.login_fns = login_fns;
    out.consts.sort();
    out.const_at.sort_by(|a, b| a.0.cmp(&b.0));
    out.const_at.truncate(max);
    out.types.sort_by(|a, b| a.0.cmp(&b.0));
    out.types.truncate(max);
    out.holders.sort_by(|a, b| a.path.cmp(&b.path));
    out.holders.truncate(max);
    out.consts.truncate(max);
    out.wrappers.sort_by(|a, b| a.0.cmp(&b.0));
    out.wrappers.truncate(max);
    out.reexports.truncate(max);
    out
}

#[derive(Default)]
struct Names {
    /// Local name → the names it is exported under.
    by_local: HashMap<String, Vec<String>>,
    /// Strings exported without a local name (`exports.TOKEN_KEY = "token"`).
    literals: Vec<(String, String)>,
    reexports: Vec<(String, String, String)>,
}

impl Names {
    fn add(&mut self, local: &str, exported: &str) {
        self.by_local
            .entry(local.to_string())
            .or_default()
            .push(exported.to_string());
    }

    /// A CommonJS export: `exports.NAME = value` (`name` is `Some`) or `module.exports = value`;
    /// the object `require` returns is the default export, and its fields are also named
    /// exports, as bundlers and TypeScript read them.
    fn common_js(&mut self, name: Option<&str>, value: &Expression) {
        match (name, value.get_inner_expression()) {
            (Some(n), Expression::Identifier(i)) => {
                self.add(i.name.as_str(), n);
                self.add(i.name.as_str(), &format!("default.{n}"));
            }
            (Some(n), Expression::StringLiteral(v)) => {
                for e in [n.to_string(), format!("default.{n}")] {
                    self.literals.push((e, v.value.as_str().to_string()));
                }
            }
            (None, Expression::Identifier(i)) => self.add(i.name.as_str(), "default"),
            (None, Expression::ObjectExpression(o)) => {
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p
                        && let Some(k) = p.key.static_name()
                    {
                        self.common_js(Some(&k), &p.value);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `module.exports` or `exports`.
fn is_module_exports(e: &Expression) -> bool {
    match e {
        Expression::StaticMemberExpression(m) => {
            m.object.is_specific_id("module") && m.property.name == "exports"
        }
        _ => e.is_specific_id("exports"),
    }
}

/// What the module's top-level statements export (`export const X`, `export function f`,
/// `export { a as b }`, `export default function f`, re-exports, CommonJS assignments).
fn names(program: &Program) -> Names {
    let mut names = Names::default();
    for st in &program.body {
        match st {
            Statement::ExportDeclaration(d) => match &d.declaration {
                Declaration::VariableDeclaration(v) => {
                    for b in v
                        .declarations
                        .iter()
                        .filter_map(|d| d.id.get_binding_identifier())
                    {
                        names.add(b.name.as_str(), b.name.as_str());
                    }
                }
                Declaration::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        names.add(id.name.as_str(), id.name.as_str());
                    }
                }
                Declaration::TSEnumDeclaration(e) => {
                    names.add(e.id.name.as_str(), e.id.name.as_str())
                }
                Declaration::TSInterfaceDeclaration(i) => {
                    names.add(i.id.name.as_str(), i.id.name.as_str())
                }
                Declaration::TSTypeAliasDeclaration(t) => {
                    names.add(t.id.name.as_str(), t.id.name.as_str())
                }
                _ => {}
            },
            Statement::ExportNamedDeclaration(d) => {
                for s in &d.specifiers {
                    if let ModuleExportName::IdentifierReference(l) = &s.local {
                        names.add(l.name.as_str(), &s.exported.name());
                    }
                }
            }
            Statement::ExportFromDeclaration(d) => {
                for s in &d.specifiers {
                    names.reexports.push((
                        d.source.value.as_str().to_string(),
                        s.local.name().to_string(),
                        s.exported.name().to_string(),
                    ));
                }
            }
            Statement::ExportAllDeclaration(d) => {
                let exported = d
                    .exported
                    .as_ref()
                    .map_or("*".into(), |e| e.name().to_string());
                names
                    .reexports
                    .push((d.source.value.as_str().to_string(), "*".into(), exported));
            }
            Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        names.add(id.name.as_str(), "default");
                    }
                }
                ExportDefaultDeclarationKind::Identifier(i) => {
                    names.add(i.name.as_str(), "default")
                }
                _ => {}
            },
            Statement::ExpressionStatement(e) => {
                if let Expression::AssignmentExpression(a) = &e.expression {
                    match &a.left {
                        AssignmentTarget::StaticMemberExpression(m)
                            if is_module_exports(&m.object) =>
                        {
                            names.common_js(Some(m.property.name.as_str()), &a.right)
                        }
                        AssignmentTarget::StaticMemberExpression(m)
                            if m.object.is_specific_id("module")
                                && m.property.name == "exports" =>
                        {
                            names.common_js(None, &a.right)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    names
}
