//! The evaluation of key and value expressions, against a block's model and the scopes open at
//! the write, into what they say about token-ness (`localStorage.setItem(KEYS.token,
//! res.data.access_token)`: the key `token`, the value an access token), and whether a value is a
//! login response (`login`).
pub mod login;

use super::model::{Key, Model, Operand, Scopes, VClass, Value, arg, last, path_of};
use super::vocab::{self, NameClass, TokenKind};
use oxc_ast::ast::{
    BinaryOperator, CallExpression, Expression, LogicalOperator, ObjectExpression,
    ObjectPropertyKind, TemplateLiteral,
};
use oxc_span::GetSpan;

/// Evaluates keys and values against the model and the current scopes.
pub struct Env<'s> {
    pub model: &'s Model,
    pub scopes: &'s Scopes,
    /// The block's text, for showing expressions.
    pub src: &'s str,
}

const SHOWN_MAX: usize = 60;

impl Env<'_> {
    pub fn snippet(&self, e: &Expression) -> String {
        let s = e.span();
        let text = self.src.get(s.start as usize..s.end as usize).unwrap_or("");
        // Whitespace runs become one space; only the first characters are ever shown, so a
        // large expression (a whole function) costs no more than a short one.
        let mut chars = text
            .split_whitespace()
            .enumerate()
            .flat_map(|(i, w)| (i > 0).then_some(' ').into_iter().chain(w.chars()));
        let mut out: String = chars.by_ref().take(SHOWN_MAX).collect();
        if chars.next().is_some() {
            out.pop();
            out.push('…');
        }
        out
    }

    /// A constant's text, resolving names, members and concatenations.
    pub fn constant(&self, e: &Expression) -> Option<String> {
        match e.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(q.value.cooked.as_ref().unwrap_or(&q.value.raw).as_str());
                    if let Some(x) = t.expressions.get(i) {
                        out.push_str(&self.constant(x)?);
                    }
                }
                Some(out)
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                Some(self.constant(&b.left)? + &self.constant(&b.right)?)
            }
            other => self.model.consts.get(&path_of(other)?).cloned(),
        }
    }

    pub fn key(&self, op: Operand) -> Key {
        let e = match op {
            Operand::Text(t) => return Key::literal(t.trim()),
            Operand::Expr(e) => e.get_inner_expression(),
        };
        if let Some(lit) = self.constant(e) {
            let origin = path_of(e).and_then(|p| self.model.const_origins.get(&p).cloned());
            return Key {
                origin,
                ..Key::literal(&lit)
            };
        }
        let shown = Some(self.snippet(e));
        match e {
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                Key {
                    id: Some(format!("@{name}")),
                    shown,
                    class: vocab::classify(name),
                    param: self.scopes.param(name),
                    origin: None,
                }
            }
            Expression::TemplateLiteral(t) => Key {
                id: None,
                shown,
                class: vocab::classify(&self.partial_text(t)),
                param: None,
                origin: None,
            },
            _ => match path_of(e) {
                Some(p) => Key {
                    class: vocab::classify(last(&p)),
                    id: Some(format!("@{p}")),
                    shown,
                    param: None,
                    origin: None,
                },
                None => Key {
                    shown,
                    ..Key::unknown()
                },
            },
        }
    }

    /// The literal parts of a template, with resolvable expressions filled in.
    fn partial_text(&self, t: &TemplateLiteral) -> String {
        let mut out = String::new();
        for (i, q) in t.quasis.iter().enumerate() {
            out.push_str(q.value.raw.as_str());
            if let Some(x) = t.expressions.get(i) {
                out.push_str(&self.constant(x).unwrap_or_else(|| " ".into()));
            }
        }
        out
    }

    pub fn value(&self, op: Operand) -> Value {
        match op {
            Operand::Text(t) => literal_value(t.trim()),
            Operand::Expr(e) => {
                let mut v = self.value_of(e, 0);
                if v.shown.is_empty() {
                    v.shown = self.snippet(e);
                }
                v
            }
        }
    }

    fn value_of(&self, e: &Expression, depth: usize) -> Value {
        if depth > 8 {
            return Value::of(VClass::Name(NameClass::Neutral), "");
        }
        let shown = self.snippet(e);
        if let Some(v) = super::types::cast(self.model, e, &shown) {
            return v;
        }
        let named = |c: NameClass| Value::of(VClass::Name(c), self.snippet(e));
        match e.get_inner_expression() {
            Expression::StringLiteral(s) => Value {
                shown,
                ..literal_value(s.value.as_str())
            },
            Expression::NullLiteral(_) => Value::of(VClass::Empty, shown),
            Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::BigIntLiteral(_)
            | Expression::RegExpLiteral(_)
            | Expression::UnaryExpression(_)
            | Expression::UpdateExpression(_)
            | Expression::ArrayExpression(_)
            | Expression::NewExpression(_) => Value::of(VClass::Constant, shown),
            Expression::AwaitExpression(a) => match a.argument.get_inner_expression() {
                Expression::CallExpression(c) if login::is_login_call(self, c) => Value {
                    login: true,
                    ..named(NameClass::Neutral)
                },
                other => self.value_of(other, depth + 1),
            },
            Expression::TemplateLiteral(t) => {
                if t.expressions.is_empty() {
                    let text: String = t.quasis.iter().map(|q| q.value.raw.as_str()).collect();
                    return literal_value(&text);
                }
                self.strongest(t.expressions.iter(), depth)
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                self.strongest([&b.left, &b.right].into_iter(), depth)
            }
            Expression::BinaryExpression(_) => Value::of(VClass::Constant, shown),
            Expression::LogicalExpression(l) => {
                let (a, b) = (
                    self.value_of(&l.left, depth + 1),
                    self.value_of(&l.right, depth + 1),
                );
                if l.operator == LogicalOperator::And {
                    return b;
                }
                pick(a, b)
            }
            Expression::ConditionalExpression(c) => pick(
                self.value_of(&c.consequent, depth + 1),
                self.value_of(&c.alternate, depth + 1),
            ),
            Expression::Identifier(id) => self.identifier_value(id.name.as_str(), shown),
            Expression::ObjectExpression(o) => self.object_value(o, shown, depth),
            Expression::CallExpression(c) => self.call_value(c, shown, depth),
            other => match path_of(other) {
                Some(p) => {
                    let class = member_class(&p);
                    if class == NameClass::Neutral
                        && let Some(v) = self.held(&p, &shown)
                    {
                        return v;
                    }
                    Value {
                        login: class == NameClass::Neutral && login::member_of_login(self, &p),
                        ..named(class)
                    }
                }
                None => named(NameClass::Neutral),
            },
        }
    }

    /// A variable's value: `undefined`, a parameter, what it was initialised with (a login
    /// response is shown by its own name, not its initialiser), else what its name says.
    fn identifier_value(&self, name: &str, shown: String) -> Value {
        if name == "undefined" {
            return Value::of(VClass::Empty, shown);
        }
        let class = vocab::classify(name);
        // A type says more than a vague name (`session: Session`).
        let typed = self.scopes.typed(name).filter(|_| {
            matches!(
                class,
                NameClass::Neutral | NameClass::Token(TokenKind::Generic)
            )
        });
        if let Some(p) = self.scopes.param(name) {
            return Value {
                param: Some(p),
                ..typed
                    .cloned()
                    .unwrap_or_else(|| Value::of(VClass::Name(class), shown))
            };
        }
        if let Some(v) = typed {
            return Value { shown, ..v.clone() };
        }
        if class == NameClass::Neutral
            && !self.scopes.is_param(name)
            && self.scopes.var(name).is_none_or(|v| !v.login)
            && let Some(v) = self.held(name, &shown)
        {
            return v;
        }
        match (class, self.scopes.var(name)) {
            (NameClass::Neutral, Some(v)) if v.login => Value { shown, ..v.clone() },
            (NameClass::Neutral, Some(v)) => v.clone(),
            _ => Value::of(VClass::Name(class), shown),
        }
    }

    /// An object that holds a credential in a field set elsewhere (`holders`).
    fn held(&self, path: &str, shown: &str) -> Option<Value> {
        let h = self.model.held(path)?;
        Some(Value {
            origin: Some(h.origin.clone()),
            ..Value::of(VClass::Name(NameClass::Token(h.kind)), shown)
        })
    }

    /// An object literal is as strong as its strongest property: a token-named key lends its
    /// class to the value; a key that is no token, or a constant value, counts for nothing.
    fn object_value(&self, o: &ObjectExpression, shown: String, depth: usize) -> Value {
        let mut best = Value::of(VClass::Name(NameClass::Neutral), shown.clone());
        // `{ isAuthenticated: true }`: flags and literals only, no credential.
        let mut constant = !o.properties.is_empty();
        for p in &o.properties {
            let v = match p {
                ObjectPropertyKind::SpreadProperty(s) => self.value_of(&s.argument, depth + 1),
                ObjectPropertyKind::ObjectProperty(p) => {
                    let k = p.key.static_name().map(|n| vocab::classify(&n));
                    let v = self.value_of(&p.value, depth + 1);
                    match (k, v.class) {
                        (_, VClass::Empty | VClass::Constant) => continue,
                        (Some(NameClass::NotToken), _) => continue,
                        (_, VClass::Jwt | VClass::Name(NameClass::Token(_))) => v,
                        (Some(c @ NameClass::Token(_)), _) => Value {
                            class: VClass::Name(c),
                            ..v
                        },
                        _ => v,
                    }
                }
            };
            constant &= matches!(v.class, VClass::Empty | VClass::Constant);
            // `{ isAuthenticated: true, user: res.data.user }` wraps the login response.
            let login = best.login || v.login;
            best = pick(best, v);
            best.login = login;
        }
        if constant {
            return Value::of(VClass::Constant, shown);
        }
        best
    }

    /// A call's value: encoders pass their argument through, clocks and number conversions are
    /// constants, `x.toString()` is `x`, anything else is what its name says.
    fn call_value(&self, c: &CallExpression, shown: String, depth: usize) -> Value {
        let callee = path_of(&c.callee).unwrap_or_default();
        let first = arg(&c.arguments, 0);
        match callee.as_str() {
            "JSON.stringify" | "String" | "btoa" | "encodeURIComponent" | "escape"
            | "encodeURI" => first.map_or(Value::of(VClass::Empty, shown), |a| {
                self.value_of(a, depth + 1)
            }),
            "Date.now" | "Number" | "Boolean" | "Math.random" | "parseInt" => {
                Value::of(VClass::Constant, shown)
            }
            _ => {
                let name = last(&callee);
                if matches!(name, "toString" | "trim" | "valueOf")
                    && let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression()
                {
                    return self.value_of(&m.object, depth + 1);
                }
                if matches!(name, "toISOString" | "toUTCString" | "getTime" | "toFixed") {
                    return Value::of(VClass::Constant, shown);
                }
                Value::of(VClass::Name(vocab::classify(name)), shown)
            }
        }
    }

    fn strongest<'e, 'a: 'e>(
        &self,
        parts: impl Iterator<Item = &'e Expression<'a>>,
        depth: usize,
    ) -> Value {
        let mut best = Value::of(VClass::Constant, "");
        for p in parts {
            best = pick(best, self.value_of(p, depth + 1));
        }
        best
    }
}

/// What a member path says: `data.access_token`, `tokens.refresh`, `token.value` (a Vue ref).
pub fn member_class(path: &str) -> NameClass {
    let segs: Vec<&str> = path.split('.').collect();
    let Some((&lastseg, rest)) = segs.split_last() else {
        return NameClass::Neutral;
    };
    let c = vocab::classify(lastseg);
    if matches!(lastseg, "value" | "current") && !rest.is_empty() {
        return member_class(&rest.join("."));
    }
    if lastseg == "length" {
        return NameClass::NotToken;
    }
    if let NameClass::Weak(k) = c
        && rest
            .iter()
            .any(|s| matches!(vocab::classify(s), NameClass::Token(_)))
    {
        return NameClass::Token(k);
    }
    c
}

fn literal_value(s: &str) -> Value {
    if s.is_empty() {
        Value::of(VClass::Empty, "")
    } else if vocab::looks_like_jwt(s) {
        Value::of(VClass::Jwt, "")
    } else {
        Value::of(VClass::Constant, "")
    }
}

/// Of two possible values, the one that says most about a credential.
fn pick(a: Value, b: Value) -> Value {
    fn rank(v: &Value) -> u8 {
        match v.class {
            VClass::Empty => 0,
            VClass::Constant => 1,
            VClass::Name(NameClass::NotToken) => 2,
            VClass::Name(NameClass::Neutral) => 3,
            VClass::Name(NameClass::Weak(_)) => 4,
            VClass::Name(NameClass::Token(k)) if k.is_generic() => 5,
            VClass::Jwt | VClass::Name(NameClass::Token(_)) => 6,
        }
    }
    let keep_param = a.param.clone().or(b.param.clone());
    let mut best = if rank(&b) > rank(&a) { b } else { a };
    if best.param.is_none() {
        best.param = keep_param;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzers::script::vocab::TokenKind;

    #[test]
    fn member_paths() {
        assert_eq!(
            member_class("data.access_token"),
            NameClass::Token(TokenKind::Access)
        );
        assert_eq!(
            member_class("tokens.refresh"),
            NameClass::Token(TokenKind::Refresh)
        );
        assert_eq!(
            member_class("token.value"),
            NameClass::Token(TokenKind::Token)
        );
        assert_eq!(member_class("res.data"), NameClass::Neutral);
    }
}
