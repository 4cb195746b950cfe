//! Evaluates the expressions that compute a token's expiry: `Utc::now() + Duration::hours(24)`,
//! `get_current_timestamp() + 60 * 60`, `SystemTime::now().duration_since(UNIX_EPOCH)? +
//! Duration::from_secs(TTL)`, through `let` bindings of the function and consts and statics of
//! the same file. Anything it cannot follow (a config field, a parameter, a call into another
//! file) makes the whole expression unknown: a guess would be a false alarm.
use super::syntax::{FileIndex, Lets, path_segments, peel};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit};

/// A value the evaluator understands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// A plain number (seconds, when it ends up added to a timestamp).
    Num(f64),
    /// A duration, in seconds.
    Dur(f64),
    /// The current time plus an offset in seconds; `ms` when it is counted in milliseconds.
    Now { off: f64, ms: bool },
}

impl Val {
    /// The lifetime a value gives a token when it is the token's expiry: `now + off`, or a bare
    /// duration. A plain number is an absolute timestamp (or unknown): no lifetime.
    pub fn lifetime(self) -> Option<u64> {
        let secs = match self {
            Val::Now { off, .. } => off,
            Val::Dur(d) => d,
            Val::Num(_) => return None,
        };
        (secs.is_finite() && secs > 0.0).then(|| secs.round() as u64)
    }

    /// An expiry at the end of time (`DateTime::<Utc>::MAX_UTC`, `i64::MAX`).
    pub fn never(self) -> bool {
        matches!(self, Val::Now { off, .. } if off == f64::INFINITY)
    }

    /// The value as a duration in seconds, when it is one (or a plain number of seconds).
    pub fn as_seconds(self) -> Option<f64> {
        match self {
            Val::Dur(d) | Val::Num(d) => Some(d),
            Val::Now { .. } => None,
        }
    }
}

/// Where names are looked up.
pub struct Env<'a, 'b> {
    pub index: &'b FileIndex<'a>,
    pub lets: Option<&'b Lets<'a>>,
    /// Parameters of the function that hold the current time by their name (`now`, `iat`).
    pub now_params: Vec<String>,
    /// Parameters whose value is known from a call site.
    pub bound: Vec<(String, Val)>,
    /// Where the first const or static the value goes through is written (`const TTL: i64 =
    /// 7 * 24 * 3600;`): the line a fix goes to.
    pub origin: std::cell::Cell<Option<proc_macro2::Span>>,
    /// Branches that never expire are left out (`if stay { MAX_UTC } else { now + 1w }` is then
    /// one week): the finite branch is judged on its own.
    pub finite_only: bool,
    /// Steps taken: the walk stops at `MAX_STEPS` (fields and functions can branch at every
    /// level, and their branches multiply).
    pub steps: std::cell::Cell<u32>,
    /// Config fields being evaluated: a field is not followed into itself.
    pub open_fields: std::cell::RefCell<Vec<String>>,
    /// Consts this file does not define (`config::JWT_TTL`, an imported `JWT_TTL`), as written:
    /// the project index may know them.
    pub external: std::cell::RefCell<Vec<String>>,
    /// A value standing in for one external const while probing how the result depends on it.
    pub probe: Option<(String, Val)>,
    /// The type of the function's `impl` and its typed parameters (name, struct): which
    /// struct a field is read from (`field_types`).
    pub self_ty: Option<String>,
    pub params: Vec<(String, String)>,
}

impl<'a, 'b> Env<'a, 'b> {
    pub fn new(index: &'b FileIndex<'a>, lets: &'b Lets<'a>, sig: Option<&syn::Signature>) -> Self {
        let now_params = sig
            .map(|s| {
                s.inputs
                    .iter()
                    .filter_map(|a| match a {
                        syn::FnArg::Typed(t) => super::syntax::pat_name(&t.pat),
                        _ => None,
                    })
                    .filter(|n| {
                        let w = super::token_names::words(n);
                        w.iter().any(|x| x == "now") || n == "iat" || n == "issued_at"
                    })
                    .collect()
            })
            .unwrap_or_default();
        Env {
            index,
            lets: Some(lets),
            now_params,
            bound: Vec::new(),
            origin: std::cell::Cell::new(None),
            finite_only: false,
            steps: std::cell::Cell::new(0),
            open_fields: std::cell::RefCell::new(Vec::new()),
            external: std::cell::RefCell::new(Vec::new()),
            probe: None,
            self_ty: sig.and_then(|s| index.self_type(s)),
            params: sig
                .map(super::field_types::typed_params)
                .unwrap_or_default(),
        }
    }

    fn scope(&self) -> super::field_types::Scope<'_, 'a> {
        super::field_types::Scope {
            index: self.index,
            lets: self.lets,
            self_ty: self.self_ty.as_deref(),
            params: &self.params,
        }
    }
}

const MAX_DEPTH: usize = 24;
const MAX_STEPS: u32 = 4096;

pub fn eval(e: &Expr, env: &Env) -> Option<Val> {
    eval_at(e, env, 0)
}

/// A const path this file does not define: recorded, and its probe value when one is set. Only
/// names written like consts (`JWT_TTL`, `config::TTL`) are recorded; a field or a variable of
/// another function is not a value the index holds.
fn external(segs: &[String], env: &Env) -> Option<Val> {
    let last = segs.last()?;
    if !super::syntax::const_like(last) {
        return None;
    }
    external_path(segs.join("::"), env)
}

/// A value the index holds under `path`: its probe value while probing, else recorded.
fn external_path(path: String, env: &Env) -> Option<Val> {
    if let Some((p, v)) = &env.probe {
        return (*p == path).then_some(*v);
    }
    let mut ext = env.external.borrow_mut();
    if ext.len() < 8 && !ext.contains(&path) {
        ext.push(path);
    }
    None
}

fn eval_at(e: &Expr, env: &Env, depth: usize) -> Option<Val> {
    if depth > MAX_DEPTH || env.steps.get() > MAX_STEPS {
        return None;
    }
    env.steps.set(env.steps.get() + 1);
    let ev = |x: &Expr| eval_at(x, env, depth + 1);
    match peel(e) {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse::<f64>().ok().map(Val::Num),
            Lit::Float(f) => f.base10_parse::<f64>().ok().map(Val::Num),
            _ => None,
        },
        Expr::Cast(c) => ev(&c.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => ev(&u.expr),
        Expr::Closure(c) => ev(&c.body),
        Expr::If(i) => {
            let (_, other) = i.else_branch.as_ref()?;
            let first = block_tail(&i.then_branch);
            branches(first.into_iter().chain([&**other]), env, depth)
        }
        Expr::Match(m) => branches(m.arms.iter().map(|a| &*a.body), env, depth),
        Expr::Try(t) => ev(&t.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match ev(&u.expr)? {
            Val::Num(n) => Some(Val::Num(-n)),
            Val::Dur(d) => Some(Val::Dur(-d)),
            Val::Now { .. } => None,
        },
        Expr::Binary(b) => {
            let (l, r) = (ev(&b.left)?, ev(&b.right)?);
            combine(l, &b.op, r)
        }
        Expr::Block(b) => block_tail(&b.block).and_then(ev),
        Expr::Path(p) => {
            let segs = path_segments(e);
            let last = segs.last()?;
            if segs.len() == 1
                && let Some(lets) = env.lets
                && let Some(bound) = lets.get(last, p.span().start())
            {
                // `let exp = now + Duration::minutes(60)`: the value is written at the binding.
                let v = ev(bound);
                // `let now = Utc::now()` writes no duration.
                let moment = matches!(v, Some(Val::Now { off, .. }) if off == 0.0);
                if v.is_some() && !moment && env.origin.get().is_none() {
                    env.origin.set(Some(bound.span()));
                }
                return v;
            }
            if segs.len() == 1
                && let Some((_, v)) = env.bound.iter().find(|(n, _)| n == last)
            {
                return Some(*v);
            }
            if segs.len() == 1 && env.now_params.iter().any(|n| n == last) {
                return Some(Val::Now {
                    off: 0.0,
                    ms: false,
                });
            }
            // The largest date or integer as an expiry: never.
            if matches!(last.as_str(), "MAX_UTC" | "MAX_DATETIME" | "MAX")
                && segs.len() >= 2
                && matches!(
                    segs[segs.len() - 2].as_str(),
                    "DateTime"
                        | "NaiveDateTime"
                        | "OffsetDateTime"
                        | "PrimitiveDateTime"
                        | "Timestamp"
                        | "i64"
                        | "u64"
                        | "usize"
                        | "i32"
                        | "u32"
                        | "isize"
                )
            {
                return Some(Val::Now {
                    off: f64::INFINITY,
                    ms: false,
                });
            }
            if last == "UNIX_EPOCH" || last == "EPOCH" {
                return Some(Val::Num(0.0));
            }
            let c = match env.index.consts.get(last.as_str()) {
                Some(c) => *c,
                None => match env.index.lazy_statics.get(last.as_str()) {
                    Some(c) => c,
                    None => return external(&segs, env),
                },
            };
            let v = ev(c)?;
            if env.origin.get().is_none() {
                env.origin.set(Some(c.span()));
            }
            Some(v)
        }
        Expr::Field(f) => eval_field(f, env, depth),
        Expr::Call(c) => eval_call(&path_segments(&c.func), &c.args, env, depth),
        Expr::MethodCall(m) => eval_method(m, env, depth),
        Expr::Macro(m) if super::syntax::macro_name(&m.mac) == "json" => {
            ev(&m.mac.parse_body::<Expr>().ok()?)
        }
        _ => None,
    }
}

/// `self.cfg.validity`: a config field, evaluated from what the file writes into it outside tests
/// (a struct literal, `impl Default`, a `#[serde(default = "..")]` function), the longest of
/// the values known, of the struct the field is read from when the code says which
/// (`field_types`). Expiry fields themselves are left alone (`exp: claims.exp` copies a token).
fn eval_field(f: &syn::ExprField, env: &Env, depth: usize) -> Option<Val> {
    let syn::Member::Named(name) = &f.member else {
        return None;
    };
    let ty = super::field_types::receiver_type(&f.base, &env.scope());
    field_default(&name.to_string(), ty.as_deref(), env, depth)
}

/// The default of the field `name` of the struct `ty` (any struct, when there is one), as
/// written in this file, or the index's name for it when it is written in another.
pub fn field_default(name: &str, ty: Option<&str>, env: &Env, depth: usize) -> Option<Val> {
    if matches!(
        name,
        "exp" | "expires_at" | "expiration" | "expiry" | "expire_at" | "expires" | "exp_at" | "iat"
    ) {
        return None;
    }
    if env.open_fields.borrow().iter().any(|n| n == name) || env.open_fields.borrow().len() >= 2 {
        return None;
    }
    env.open_fields.borrow_mut().push(name.to_string());
    let v = eval_field_inits(name, ty, env, depth);
    env.open_fields.borrow_mut().pop();
    v
}

fn eval_field_inits(name: &str, ty: Option<&str>, env: &Env, depth: usize) -> Option<Val> {
    use super::field_types::{several_structs, writes_of};
    if ty.is_none() && several_structs(env.index, name) {
        // The field of which struct is read is unknown, and several here have one.
        return None;
    }
    let (inits, serde) = writes_of(env.index, name, ty);
    // Each value with where it is written: the one chosen becomes the finding's origin.
    let before = env.origin.take();
    let mut vals: Vec<(Val, proc_macro2::Span)> = Vec::new();
    for init in &inits {
        if let Some(v) = eval_at(init, env, depth + 1) {
            vals.push((v, env.origin.take().unwrap_or_else(|| init.span())));
        }
        env.origin.set(None);
    }
    for (_, func) in &serde {
        if let Some(v) = eval_fn_tail(func, env, depth) {
            let at = env
                .origin
                .take()
                .or_else(|| fn_tail(env, func).map(|t| t.span()));
            vals.extend(at.map(|at| (v, at)));
        }
    }
    if vals.is_empty() && inits.is_empty() {
        // Written in another file (`config.rs`): the project index holds it as `Type.name`
        // (`.name` when the struct is unknown).
        env.origin.set(before);
        return external_path(format!("{}.{name}", ty.unwrap_or("")), env);
    }
    let chosen = longest(vals.iter().map(|(v, _)| Some(*v)), env.finite_only)?;
    let at = vals.iter().find(|(v, _)| *v == chosen).map(|(_, at)| *at);
    env.origin.set(before.or(at));
    Some(chosen)
}

fn fn_tail<'a>(env: &Env<'a, '_>, name: &str) -> Option<&'a Expr> {
    let f = env.index.fns.get(name)?;
    match f.block.stmts.last() {
        Some(syn::Stmt::Expr(tail, None)) if f.sig.inputs.is_empty() => Some(tail),
        _ => None,
    }
}

/// The value of a function without parameters that ends in an expression (`fn ttl() -> i64
/// { 3600 }`).
fn eval_fn_tail(name: &str, env: &Env, depth: usize) -> Option<Val> {
    let f = env.index.fns.get(name)?;
    if !f.sig.inputs.is_empty() {
        return None;
    }
    let Some(syn::Stmt::Expr(tail, None)) = f.block.stmts.last() else {
        return None;
    };
    let lets = env.index.lets(f.block);
    let inner = Env::new(env.index, &lets, None);
    inner.steps.set(env.steps.get());
    let v = eval_at(tail, &inner, depth + 1);
    env.steps.set(inner.steps.get());
    if env.origin.get().is_none() {
        env.origin.set(inner.origin.get().or(Some(tail.span())));
    }
    v
}

/// The tail expression of a block without other statements (`{ x }`).
fn block_tail(b: &syn::Block) -> Option<&Expr> {
    match b.stmts.as_slice() {
        [syn::Stmt::Expr(x, None)] => Some(x),
        _ => None,
    }
}

/// The longest of the branches (`longest`), its origin where the chosen branch writes it: each
/// branch of `if stay { MAX_UTC } else { now + weeks(1) }` is reported at its own value.
fn branches<'e>(exprs: impl Iterator<Item = &'e Expr>, env: &Env, depth: usize) -> Option<Val> {
    let before = env.origin.take();
    let mut vals: Vec<(Val, proc_macro2::Span)> = Vec::new();
    for x in exprs {
        if let Some(v) = eval_at(x, env, depth + 1) {
            // `else { now + weeks(1) }`: the value, not the block.
            let written = match x {
                Expr::Block(b) => block_tail(&b.block).unwrap_or(x),
                _ => x,
            };
            vals.push((v, env.origin.take().unwrap_or_else(|| written.span())));
        }
        env.origin.set(None);
    }
    let chosen = longest(vals.iter().map(|(v, _)| Some(*v)), env.finite_only);
    let at = chosen.and_then(|c| vals.iter().find(|(v, _)| *v == c).map(|(_, at)| *at));
    env.origin.set(before.or(at));
    chosen
}

/// The longest of the branches that could be evaluated (`if remember { 30d } else { 1h }` issues
/// 30-day tokens on one path). Branches of different shapes are unknown.
fn longest(vals: impl IntoIterator<Item = Option<Val>>, finite_only: bool) -> Option<Val> {
    let known: Vec<Val> = vals
        .into_iter()
        .flatten()
        .filter(|v| !(finite_only && v.never()))
        .collect();
    let first = *known.first()?;
    let key = |v: &Val| match v {
        Val::Num(n) | Val::Dur(n) | Val::Now { off: n, .. } => *n,
    };
    if known
        .iter()
        .any(|v| std::mem::discriminant(v) != std::mem::discriminant(&first))
    {
        return None;
    }
    known.into_iter().max_by(|a, b| key(a).total_cmp(&key(b)))
}

fn combine(l: Val, op: &BinOp, r: Val) -> Option<Val> {
    use Val::*;
    let arith = |a: f64, b: f64| match op {
        BinOp::Add(_) | BinOp::AddAssign(_) => Some(a + b),
        BinOp::Sub(_) | BinOp::SubAssign(_) => Some(a - b),
        BinOp::Mul(_) | BinOp::MulAssign(_) => Some(a * b),
        BinOp::Div(_) | BinOp::DivAssign(_) if b != 0.0 => Some(a / b),
        _ => None,
    };
    let additive = matches!(
        op,
        BinOp::Add(_) | BinOp::AddAssign(_) | BinOp::Sub(_) | BinOp::SubAssign(_)
    );
    match (l, r) {
        (Num(a), Num(b)) => arith(a, b).map(Num),
        (Dur(a), Dur(b)) if additive => arith(a, b).map(Dur),
        (Dur(a), Num(b)) if !additive => arith(a, b).map(Dur),
        (Num(a), Dur(b)) if matches!(op, BinOp::Mul(_)) => Some(Dur(a * b)),
        (Now { off, ms }, Dur(d)) if additive => arith(off, d).map(|off| Now { off, ms }),
        (Now { off, ms }, Num(n)) if additive => {
            let n = if ms { n / 1000.0 } else { n };
            arith(off, n).map(|off| Now { off, ms })
        }
        (Num(n), Now { off, ms }) | (Dur(n), Now { off, ms }) if matches!(op, BinOp::Add(_)) => {
            let n = if ms && matches!(l, Num(_)) {
                n / 1000.0
            } else {
                n
            };
            Some(Now { off: off + n, ms })
        }
        (Now { off: a, .. }, Now { off: b, .. }) if matches!(op, BinOp::Sub(_)) => Some(Dur(a - b)),
        _ => None,
    }
}

/// Seconds per unit of a duration constructor (`hours`, `from_mins`, `try_days`).
fn unit_secs(name: &str) -> Option<f64> {
    let n = name
        .strip_prefix("try_")
        .or_else(|| name.strip_prefix("from_"))
        .unwrap_or(name);
    Some(match n {
        "weeks" => 604_800.0,
        "days" => 86_400.0,
        "hours" => 3600.0,
        "minutes" | "mins" => 60.0,
        "seconds" | "secs" => 1.0,
        "milliseconds" | "millis" => 0.001,
        "seconds_f64" | "secs_f64" | "secs_f32" | "seconds_f32" => 1.0,
        _ => return None,
    })
}

fn is_now_fn(segs: &[String]) -> bool {
    let Some(last) = segs.last() else {
        return false;
    };
    let words = super::token_names::words(last);
    let has = |s: &str| words.iter().any(|w| w == s);
    has("now") || (has("current") && (has("time") || has("timestamp"))) || last == "timestamp_now"
}

fn eval_call(
    segs: &[String],
    args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
    env: &Env,
    depth: usize,
) -> Option<Val> {
    let ev = |x: &Expr| eval_at(x, env, depth + 1);
    let last = segs.last()?.as_str();
    let ty = segs.len().checked_sub(2).map(|i| segs[i].as_str());
    let arg0 = args.first();
    if args.is_empty() && is_now_fn(segs) {
        return Some(Val::Now {
            off: 0.0,
            ms: last.contains("millis"),
        });
    }
    if matches!(
        ty,
        Some("Duration" | "TimeDelta" | "SignedDuration" | "Span")
    ) && let Some(unit) = unit_secs(last)
    {
        return Some(Val::Dur(ev(arg0?)?.as_seconds()? * unit));
    }
    if matches!(ty, Some("Duration")) && last == "new" && args.len() == 2 {
        return Some(Val::Dur(ev(arg0?)?.as_seconds()?));
    }
    if matches!(ty, Some("Days")) && last == "new" {
        return Some(Val::Dur(ev(arg0?)?.as_seconds()? * 86_400.0));
    }
    // Wrappers that keep the value: `Some(x)`, `Ok(x)`, `i64::from(x)`, `NumericDate::new(x)`,
    // `Timestamp::from(x)`; conversion to a timestamp type keeps "now plus offset".
    if args.len() == 1
        && (matches!(
            last,
            "Some" | "Ok" | "from" | "try_from" | "from_unix_timestamp"
        ) || (last == "new"
            && matches!(
                ty,
                Some("NumericDate" | "Timestamp" | "Lazy" | "LazyLock" | "LazyCell")
            )))
    {
        return ev(arg0?);
    }
    if args.is_empty() && env.index.fns.contains_key(last) {
        return eval_fn_tail(last, env, depth);
    }
    // A settings map read by key (`get_value("JWT_EXPIRATION")`): the index holds the value
    // inserted under that key (`m.insert("JWT_EXPIRATION", "10000000000")`), as `"KEY"`.
    if args.len() == 1
        && SETTING_GETTERS.contains(&last)
        && let Some((key, _)) = arg0.and_then(super::syntax::str_lit)
        && super::syntax::const_like(&key)
    {
        return external_path(format!("{key:?}"), env);
    }
    None
}

/// Functions that read a project's settings map by key.
const SETTING_GETTERS: &[&str] = &[
    "get_value",
    "get_setting",
    "setting",
    "get_config",
    "config_value",
    "get_config_value",
];

fn eval_method(m: &syn::ExprMethodCall, env: &Env, depth: usize) -> Option<Val> {
    let ev = |x: &Expr| eval_at(x, env, depth + 1);
    let name = m.method.to_string();
    let recv = || ev(&m.receiver);
    let arg0 = || m.args.first().and_then(ev);
    // `self.clock.utc()`, `clock.now()`: the current time from an injected clock.
    if m.args.is_empty() && matches!(name.as_str(), "now" | "utc" | "now_utc") {
        return Some(Val::Now {
            off: 0.0,
            ms: false,
        });
    }
    // `env.i64("JWT_VALIDITY").unwrap_or(DEFAULT)`: the default is what ships.
    if matches!(name.as_str(), "unwrap_or" | "unwrap_or_else")
        && let Some(r) = recv().or_else(arg0)
    {
        return Some(r);
    }
    match name.as_str() {
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_else" | "unwrap_or_default" | "ok"
        | "into" | "try_into" | "to_owned" | "clone" | "naive_utc" | "and_utc" | "to_utc"
        | "with_timezone" | "timestamp" | "unix_timestamp" | "as_second" | "as_secs" | "get"
        | "duration_since" | "elapsed" | "timestamp_secs" | "abs" | "into_inner"
        | "sub_duration" | "map_err" | "context" | "with_context" | "ok_or" | "ok_or_else"
        | "wrap_err" => match recv()? {
            Val::Now { off, .. } if !matches!(name.as_str(), "duration_since" | "elapsed") => {
                Some(Val::Now { off, ms: false })
            }
            Val::Dur(d) if name == "as_secs" || name == "as_second" => Some(Val::Num(d)),
            v => Some(v),
        },
        "timestamp_millis" | "as_millis" | "unix_timestamp_millis" | "as_millisecond" => {
            match recv()? {
                Val::Now { off, .. } => Some(Val::Now { off, ms: true }),
                Val::Dur(d) => Some(Val::Num(d * 1000.0)),
                Val::Num(_) => None,
            }
        }
        "num_seconds" | "whole_seconds" | "as_secs_f64" | "as_seconds_f64" => {
            Some(Val::Num(recv()?.as_seconds()?))
        }
        "num_minutes" | "whole_minutes" => Some(Val::Num(recv()?.as_seconds()? / 60.0)),
        "num_hours" | "whole_hours" => Some(Val::Num(recv()?.as_seconds()? / 3600.0)),
        "num_days" | "whole_days" => Some(Val::Num(recv()?.as_seconds()? / 86_400.0)),
        "num_milliseconds" | "whole_milliseconds" => Some(Val::Num(recv()?.as_seconds()? * 1000.0)),
        "checked_add" | "checked_add_signed" | "saturating_add" | "wrapping_add" | "add"
        | "add_signed" | "checked_add_days" => {
            combine(recv()?, &BinOp::Add(Default::default()), arg0()?)
        }
        "checked_sub" | "checked_sub_signed" | "saturating_sub" | "wrapping_sub" | "sub"
        | "checked_sub_days" => combine(recv()?, &BinOp::Sub(Default::default()), arg0()?),
        "checked_mul" | "saturating_mul" | "wrapping_mul" | "mul" => {
            combine(recv()?, &BinOp::Mul(Default::default()), arg0()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
