//! What the analyzer knows about one block of code before judging writes in it (imports,
//! constants, storage aliases, wrapper functions), the scopes it tracks while walking, and the
//! judgement of a key and a value together. Expressions are evaluated into keys and values by
//! `eval`.
use super::vocab::{self, NameClass, TokenKind};
use oxc_ast::ast::{Argument, Expression, ObjectExpression};
use std::collections::{HashMap, HashSet};

/// Where a write goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Local,
    Session,
    /// An alias that is `localStorage` or `sessionStorage` depending on a condition.
    Either,
    Localforage,
    Cookie,
}

impl Store {
    pub fn name(self) -> &'static str {
        match self {
            Store::Local => "localStorage",
            Store::Session => "sessionStorage",
            Store::Either => "web storage",
            Store::Localforage => "localforage",
            Store::Cookie => "a script-set cookie",
        }
    }
}

/// `import X from "m"` / `import { a as X } from "m"` / `const X = require("m")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    /// `default`, `*` or the imported name.
    pub name: String,
}

/// A function in this block that writes storage or a cookie with a key or value taken from its
/// parameters: calls to it are judged with the caller's arguments.
#[derive(Clone, Debug)]
pub struct Wrapper {
    pub store: Store,
    pub key: Key,
    pub value: Value,
    /// Where the wrapper writes: set for a wrapper of another module (a related location).
    pub origin: Option<Origin>,
}

/// A place a key or value comes from, shown with the finding about a write: a label in this
/// block, or a related location in another module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub place: Place,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// In the block being checked (a span of the whole file).
    Here(crate::finding::Span),
    /// In a module read for its exports (its normalised path), not yet placed relative to the
    /// importing file.
    Module {
        module: std::sync::Arc<std::path::Path>,
        start: crate::finding::Position,
        end: crate::finding::Position,
    },
    /// In another file, as the finding's own path is shown.
    There(crate::finding::Elsewhere),
}

impl Origin {
    pub fn here(span: crate::finding::Span, message: impl Into<String>) -> Origin {
        Origin {
            place: Place::Here(span),
            message: message.into(),
        }
    }
}

/// A TypeScript type (`interface User { token: string }`) whose objects carry a credential field:
/// such an object written whole writes the credential.
#[derive(Clone, Debug)]
pub struct TokenType {
    pub kind: TokenKind,
    pub origin: Origin,
}

/// A field path that holds a credential (`fetcherOptions.authorization`,
/// `opts.headers.Authorization` assigned the bearer token): the objects above it carry it.
#[derive(Clone, Debug)]
pub struct Holder {
    pub path: String,
    pub kind: TokenKind,
    pub origin: Origin,
}

/// A name bound to a storage key by a hook: `setToken` in
/// `const [token, setToken] = useLocalStorage("token")`, or `token` in
/// `const token = useStorage("token", "")` (written with `token.value = …`).
#[derive(Clone, Debug)]
pub struct Setter {
    pub store: Store,
    pub key: Key,
    pub via: String,
    pub decl: oxc_span::Span,
}

/// Facts gathered in the first passes over a block.
#[derive(Default, Debug)]
pub struct Model {
    pub imports: HashMap<String, Import>,
    /// String constants: `TOKEN_KEY`, `KEYS.token`, `StorageKey.Token`.
    pub consts: HashMap<String, String>,
    /// Names bound to a storage object: `s` in `const s = window.localStorage`, `this.storage`.
    pub stores: HashMap<String, Store>,
    /// `new Cookies()` instances, `useCookies()` results, `$cookies`.
    pub cookie_objects: HashSet<String>,
    /// Setters returned by react-cookie's `useCookies`.
    pub cookie_setters: HashSet<String>,
    /// Every locally declared name (to tell a global `Cookies` from a local one).
    pub declared: HashSet<String>,
    pub wrappers: HashMap<String, Wrapper>,
    /// Hook setters called with the new value.
    pub setters: HashMap<String, Setter>,
    /// Storage and cookie refs written through `.value`.
    pub ref_setters: HashMap<String, Setter>,
    pub use_client: bool,
    pub use_server: bool,
    /// Fields of object literals bound in this block (`const state = { token: "" }`), and of a
    /// module's state under `NAME.state`.
    pub object_fields: HashMap<String, Vec<(String, oxc_span::Span)>>,
    /// The state of the Vuex store built in this block.
    pub vuex: Option<VuexState>,
    /// Where each constant is written (in this block), so its module can export the place.
    pub const_at: HashMap<String, crate::finding::Span>,
    /// Where the constants imported from other modules are written.
    pub const_origins: HashMap<String, Origin>,
    /// TypeScript types with a credential field, by (local) name.
    pub token_types: HashMap<String, TokenType>,
    /// Field paths that hold a credential.
    pub holders: Vec<Holder>,
    /// Names bound to a login call: `login` of RTK Query's `const [login] = useLoginMutation()`,
    /// `mutateAsync` of `useMutation({ mutationFn: login })`, a function returning a login call.
    pub login_fns: HashSet<String>,
    /// Parameters (function, index) that some call of this block passes a login function:
    /// `mutate` of `const wrap = (mutate) => …` called as `wrap(loginMutation)`.
    pub login_args: HashSet<(String, usize)>,
}

impl Model {
    pub fn import_of(&self, local: &str) -> Option<&Import> {
        self.imports.get(local)
    }

    /// The import the first segment of a dotted path names (`jwt` of `jwt.sign`).
    pub fn root_import(&self, path: &str) -> Option<&Import> {
        self.import_of(path.split('.').next().unwrap_or(path))
    }

    pub fn imports_module(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.imports.values().any(|i| pred(&i.module))
    }

    /// The holder of a credential field below `path` (`fetcherOptions` holds
    /// `fetcherOptions.authorization`; see `holders`).
    pub fn held(&self, path: &str) -> Option<&Holder> {
        self.holders.iter().find(|h| {
            h.path
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// The storage object an expression path names: `localStorage`, `window.sessionStorage`,
    /// `globalThis["localStorage"]`, or an alias.
    pub fn store_of(&self, path: &str) -> Option<Store> {
        let bare = ["window.", "globalThis.", "self.", "global.", "this.window."]
            .iter()
            .find_map(|p| path.strip_prefix(p))
            .unwrap_or(path);
        match bare {
            "localStorage" => Some(Store::Local),
            "sessionStorage" => Some(Store::Session),
            _ => self.stores.get(path).copied(),
        }
    }
}

/// The state of the Vuex store(s) of a block: root fields and each module's fields, each with
/// where it is declared (read and judged by `walk::vuex`).
#[derive(Default, Debug, Clone)]
pub struct VuexState {
    pub root: Vec<(String, oxc_span::Span)>,
    pub modules: Vec<(String, Vec<(String, oxc_span::Span)>)>,
}

/// A parameter of an enclosing named function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamRef {
    pub func: String,
    pub index: usize,
}

/// A storage key or cookie name, as far as it can be resolved.
#[derive(Clone, Debug)]
pub struct Key {
    /// What identifies the key across reads and writes: its literal text, or `@NAME` for an
    /// unresolved constant.
    pub id: Option<String>,
    /// How it is shown in messages (the literal, or the expression).
    pub shown: Option<String>,
    pub class: NameClass,
    pub param: Option<ParamRef>,
    /// Where an imported constant key is written.
    pub origin: Option<Origin>,
}

impl Key {
    pub fn literal(s: &str) -> Key {
        Key {
            id: Some(s.to_string()),
            shown: Some(s.to_string()),
            class: vocab::classify(s),
            param: None,
            origin: None,
        }
    }

    pub fn unknown() -> Key {
        Key {
            id: None,
            shown: None,
            class: NameClass::Neutral,
            param: None,
            origin: None,
        }
    }
}

/// What a written value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VClass {
    /// `''`, `null`, `undefined`: a removal, not a write.
    Empty,
    /// A literal, number, boolean or timestamp: a flag, not a secret.
    Constant,
    Jwt,
    Name(NameClass),
}

#[derive(Clone, Debug)]
pub struct Value {
    pub class: VClass,
    pub shown: String,
    pub param: Option<ParamRef>,
    /// Comes from a login response (see `eval::login`): may carry the token whatever its name.
    pub login: bool,
    /// Where what makes it a credential is written (the token field of its type, the
    /// assignment of its `Authorization` field).
    pub origin: Option<Origin>,
}

impl Value {
    pub fn of(class: VClass, shown: impl Into<String>) -> Value {
        Value {
            class,
            shown: shown.into(),
            param: None,
            login: false,
            origin: None,
        }
    }
}

/// What a finding is about: which credential, and whether the evidence is only a vague name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub kind: TokenKind,
    /// Named by the value itself (`data.refresh_token`), not only by the key.
    pub by_value: bool,
}

/// Whether writing `value` under `key` stores a credential.
pub fn judge(key: &Key, value: &Value) -> Option<Verdict> {
    let vclass = match value.class {
        VClass::Empty | VClass::Constant | VClass::Name(NameClass::NotToken) => return None,
        VClass::Jwt => NameClass::Token(TokenKind::Jwt),
        VClass::Name(c) => c,
    };
    if key.class == NameClass::NotToken {
        return None;
    }
    let (kc, vc) = (key.class, vclass);
    let strong = |c: NameClass| match c {
        NameClass::Token(k) => Some(k),
        _ => None,
    };
    let weak = |c: NameClass| match c {
        NameClass::Weak(k) => Some(k),
        _ => None,
    };
    // `localStorage.setItem("access", data.access)`: key and value agree.
    if let (Some(a), Some(b)) = (weak(kc), weak(vc))
        && a == b
    {
        return Some(Verdict {
            kind: a,
            by_value: true,
        });
    }
    let key_kind = strong(kc);
    // A weak value under any token key counts (`auth` ← `data.refresh`).
    let value_kind = strong(vc).or(weak(vc).filter(|_| key_kind.is_some()));
    match (key_kind, value_kind) {
        (Some(k), Some(v)) => Some(Verdict {
            kind: k.max(v),
            by_value: !v.is_generic(),
        }),
        (Some(k), None) => Some(Verdict {
            kind: k,
            by_value: false,
        }),
        // A vague value name (`session`) under a neutral key is not enough.
        (None, Some(v)) if !v.is_generic() => Some(Verdict {
            kind: v,
            by_value: true,
        }),
        _ => None,
    }
}

/// One scope of the walk: a function (or the module), its parameters and what its variables hold.
#[derive(Default, Debug)]
pub struct Frame {
    pub func: Option<String>,
    pub params: Vec<String>,
    pub vars: HashMap<String, Value>,
    /// Variables holding a storage read: name → (key id, span of the read).
    pub reads: HashMap<String, (String, oxc_span::Span)>,
    /// Parameters whose type says what they hold (`user: User` of a type with a token field).
    pub typed: HashMap<String, Value>,
}

/// The scope stack. Frames are entered and left only through [`Scopes::enter`] / [`Scopes::leave`].
#[derive(Debug)]
pub struct Scopes {
    frames: Vec<Frame>,
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes {
            frames: vec![Frame::default()],
        }
    }
}

impl Scopes {
    pub fn enter(&mut self, func: Option<String>, params: Vec<String>) {
        self.frames.push(Frame {
            func,
            params,
            ..Frame::default()
        });
    }

    pub fn leave(&mut self) {
        if self.frames.len() > 1 {
            self.frames.pop();
        }
    }

    pub fn top(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the module frame is never left")
    }

    /// The innermost binding of `name`: a parameter of a named function, or a variable's value.
    pub fn param(&self, name: &str) -> Option<ParamRef> {
        for f in self.frames.iter().rev() {
            if f.vars.contains_key(name) {
                return None;
            }
            if let Some(index) = f.params.iter().position(|p| p == name) {
                return f.func.clone().map(|func| ParamRef { func, index });
            }
        }
        None
    }

    /// The name of the innermost function, when it has one.
    pub fn func(&self) -> Option<&str> {
        self.frames.last().and_then(|f| f.func.as_deref())
    }

    /// Whether `name` is a parameter of an enclosing function (named or not).
    pub fn is_param(&self, name: &str) -> bool {
        for f in self.frames.iter().rev() {
            if f.vars.contains_key(name) {
                return false;
            }
            if f.params.iter().any(|p| p == name) {
                return true;
            }
        }
        false
    }

    /// What the type of the innermost parameter `name` says it holds.
    pub fn typed(&self, name: &str) -> Option<&Value> {
        for f in self.frames.iter().rev() {
            if f.vars.contains_key(name) {
                return None;
            }
            if f.params.iter().any(|p| p == name) {
                return f.typed.get(name);
            }
        }
        None
    }

    pub fn var(&self, name: &str) -> Option<&Value> {
        self.frames.iter().rev().find_map(|f| f.vars.get(name))
    }

    pub fn read(&self, name: &str) -> Option<&(String, oxc_span::Span)> {
        self.frames.iter().rev().find_map(|f| f.reads.get(name))
    }
}

/// The dotted path of a name expression: `a`, `window.localStorage`, `this.storage`,
/// `obj["key"]`; `None` for anything else.
pub fn path_of(e: &Expression) -> Option<String> {
    match e.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str().to_string()),
        Expression::ThisExpression(_) => Some("this".into()),
        Expression::StaticMemberExpression(m) => Some(format!(
            "{}.{}",
            path_of(&m.object)?,
            m.property.name.as_str()
        )),
        Expression::ComputedMemberExpression(m) => match m.expression.get_inner_expression() {
            Expression::StringLiteral(s) => {
                Some(format!("{}.{}", path_of(&m.object)?, s.value.as_str()))
            }
            _ => None,
        },
        Expression::ChainExpression(c) => c.expression.as_member_expression().and_then(|m| {
            Some(format!(
                "{}.{}",
                path_of(m.object())?,
                m.static_property_name()?
            ))
        }),
        _ => None,
    }
}

/// The last segment of a path.
pub fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Something a key or value comes from: an expression, or text cut out of a cookie string.
#[derive(Clone, Copy)]
pub enum Operand<'e, 'a> {
    Expr(&'e Expression<'a>),
    Text(&'e str),
}

pub fn arg<'e, 'a>(args: &'e [Argument<'a>], i: usize) -> Option<&'e Expression<'a>> {
    args.get(i).and_then(|a| a.as_expression())
}

/// The value of the property `name` of an object literal (`{ expiresIn: "7d" }`).
pub fn property<'e, 'a>(o: &'e ObjectExpression<'a>, name: &str) -> Option<&'e Expression<'a>> {
    o.properties
        .iter()
        .filter_map(|p| p.as_property())
        .find(|p| p.key.static_name().is_some_and(|k| k == name))
        .map(|p| &p.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::literal(s)
    }
    fn val(c: NameClass) -> Value {
        Value::of(VClass::Name(c), "v")
    }

    #[test]
    fn judges_key_and_value_together() {
        use NameClass::{Neutral, Token, Weak};
        use TokenKind::{Access, Generic, Refresh};
        let v = judge(&key("refresh_token"), &val(Token(Refresh))).unwrap();
        assert_eq!(v.kind, Refresh);
        assert!(judge(&key("theme"), &val(Neutral)).is_none());
        assert!(judge(&key("token"), &Value::of(VClass::Empty, "")).is_none());
        assert!(judge(&key("token"), &Value::of(VClass::Constant, "")).is_none());
        assert!(judge(&key("tokenExpiresAt"), &val(Token(TokenKind::Token))).is_none());
        assert_eq!(judge(&key("session"), &val(Neutral)).unwrap().kind, Generic);
        assert!(judge(&key("user"), &val(Token(Generic))).is_none());
        assert_eq!(
            judge(&key("access"), &val(Weak(Access))).unwrap().kind,
            Access
        );
        assert!(judge(&key("access"), &val(Neutral)).is_none());
        assert_eq!(
            judge(&key("user"), &val(Token(Access))).unwrap().kind,
            Access
        );
    }
}
