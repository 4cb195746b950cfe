//! Evaluates how long a token lives from the expression given to its `exp` claim:
//! `Utc::now() + Duration::hours(24)`, `get_current_timestamp() + 60 * 60`, `SystemTime` arithmetic,
//! `TimeDelta::try_days(7).unwrap()`, consts of the same file and `let` bindings of the function.
use std::collections::HashMap;

/// Integer and duration values of `const`/`static` items in a file, by name.
#[derive(Default)]
pub struct ConstTable {
    values: HashMap<String, Value>,
}

/// A value in seconds; `now` says whether it is an instant relative to the current time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Value {
    pub now: bool,
    pub secs: i128,
}

impl ConstTable {
    pub fn from_file(file: &syn::File) -> Self {
        let mut t = ConstTable::default();
        t.add_items(&file.items, 0);
        t
    }

    fn add_items(&mut self, items: &[syn::Item], depth: usize) {
        for item in items {
            match item {
                syn::Item::Const(c) => self.add(&c.ident, &c.expr),
                syn::Item::Static(s) => self.add(&s.ident, &s.expr),
                syn::Item::Mod(m) if depth < 8 => {
                    if let Some((_, items)) = &m.content {
                        self.add_items(items, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn add(&mut self, name: &syn::Ident, expr: &syn::Expr) {
        if let Some(v) = eval(expr, self, &HashMap::new(), 0) {
            self.values.insert(name.to_string(), v);
        }
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.values.get(name).copied()
    }
}

/// Seconds from now until the instant `expr` denotes; `None` when it is an absolute timestamp or
/// cannot be evaluated.
pub fn eval_expiry(expr: &syn::Expr, consts: &ConstTable) -> Option<u64> {
    eval_expiry_with(expr, consts, &HashMap::new())
}

pub fn eval_expiry_with(
    expr: &syn::Expr,
    consts: &ConstTable,
    locals: &HashMap<String, Value>,
) -> Option<u64> {
    let v = eval(expr, consts, locals, 0)?;
    (v.now && v.secs > 0).then(|| u64::try_from(v.secs).unwrap_or(u64::MAX))
}

/// Evaluates an expression to a value (used for `let` bindings).
pub fn eval_value(
    expr: &syn::Expr,
    consts: &ConstTable,
    locals: &HashMap<String, Value>,
) -> Option<Value> {
    eval(expr, consts, locals, 0)
}

/// A duration expression (`Duration::minutes(15)`, `60 * 15`, a const) in seconds.
pub fn eval_duration(
    expr: &syn::Expr,
    consts: &ConstTable,
    locals: &HashMap<String, Value>,
) -> Option<u64> {
    let v = eval(expr, consts, locals, 0)?;
    (!v.now && v.secs > 0).then(|| u64::try_from(v.secs).unwrap_or(u64::MAX))
}

fn unit_of(name: &str) -> Option<i128> {
    let base = name.trim_start_matches("try_").trim_start_matches("from_");
    Some(match base {
        "secs" | "seconds" | "new" => 1,
        "mins" | "minutes" => 60,
        "hours" => 3600,
        "days" => 86_400,
        "weeks" => 604_800,
        "millis" | "milliseconds" => return Some(-1000),
        _ => return None,
    })
}

const NOW_FNS: &[&str] = &[
    "now",
    "now_utc",
    "get_current_timestamp",
    "current_timestamp",
    "unix_now",
    "timestamp_now",
];
const PASS_THROUGH: &[&str] = &[
    "timestamp",
    "unix_timestamp",
    "unwrap",
    "expect",
    "as_secs",
    "duration_since",
    "num_seconds",
    "into",
    "try_into",
    "unwrap_or_default",
    "to_owned",
    "clone",
    "whole_seconds",
    "as_secs_f64",
    "elapsed",
];

fn eval(
    e: &syn::Expr,
    consts: &ConstTable,
    locals: &HashMap<String, Value>,
    depth: usize,
) -> Option<Value> {
    if depth > 32 {
        return None;
    }
    let rec = |e: &syn::Expr| eval(e, consts, locals, depth + 1);
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => Some(Value {
            now: false,
            secs: i.base10_parse().ok()?,
        }),
        syn::Expr::Paren(p) => rec(&p.expr),
        syn::Expr::Group(g) => rec(&g.expr),
        syn::Expr::Reference(r) => rec(&r.expr),
        syn::Expr::Cast(c) => rec(&c.expr),
        syn::Expr::Try(t) => rec(&t.expr),
        syn::Expr::Path(p) => {
            let name = p.path.segments.last()?.ident.to_string();
            if name == "UNIX_EPOCH" {
                return Some(Value {
                    now: false,
                    secs: 0,
                });
            }
            locals.get(&name).copied().or_else(|| consts.get(&name))
        }
        syn::Expr::Binary(b) => {
            let (l, r) = (rec(&b.left)?, rec(&b.right)?);
            let secs = match b.op {
                syn::BinOp::Add(_) => l.secs.checked_add(r.secs)?,
                syn::BinOp::Sub(_) => l.secs.checked_sub(r.secs)?,
                syn::BinOp::Mul(_) if !l.now && !r.now => l.secs.checked_mul(r.secs)?,
                syn::BinOp::Div(_) if !l.now && !r.now && r.secs != 0 => l.secs / r.secs,
                _ => return None,
            };
            let now = match b.op {
                syn::BinOp::Sub(_) if l.now && r.now => false,
                _ => l.now || r.now,
            };
            Some(Value { now, secs })
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = &*c.func else {
                return None;
            };
            let name = p.path.segments.last()?.ident.to_string();
            if NOW_FNS.contains(&name.as_str()) {
                return Some(Value { now: true, secs: 0 });
            }
            let unit = unit_of(&name)?;
            let n = rec(c.args.first()?)?;
            if n.now {
                return None;
            }
            let secs = if unit < 0 {
                n.secs / -unit
            } else {
                n.secs.checked_mul(unit)?
            };
            Some(Value { now: false, secs })
        }
        syn::Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if NOW_FNS.contains(&method.as_str()) && m.args.is_empty() {
                return Some(Value { now: true, secs: 0 });
            }
            if PASS_THROUGH.contains(&method.as_str()) {
                return rec(&m.receiver);
            }
            if matches!(
                method.as_str(),
                "checked_add" | "checked_add_signed" | "add" | "saturating_add" | "wrapping_add"
            ) {
                let (l, r) = (rec(&m.receiver)?, rec(m.args.first()?)?);
                return Some(Value {
                    now: l.now || r.now,
                    secs: l.secs.checked_add(r.secs)?,
                });
            }
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expiry(src: &str) -> Option<u64> {
        let file: syn::File =
            syn::parse_str("const TTL: i64 = 60 * 15; const DAY: u64 = 86_400;").unwrap();
        eval_expiry(&syn::parse_str(src).unwrap(), &ConstTable::from_file(&file))
    }

    #[test]
    fn lifetimes_as_written_in_real_code() {
        assert_eq!(
            expiry("(Utc::now() + Duration::hours(24)).timestamp()"),
            Some(86_400)
        );
        assert_eq!(
            expiry(
                "Utc::now().checked_add_signed(chrono::Duration::minutes(15)).expect(\"x\").timestamp() as usize"
            ),
            Some(900)
        );
        assert_eq!(
            expiry("get_current_timestamp() + 60 * 60 * 24 * 7"),
            Some(604_800)
        );
        assert_eq!(
            expiry("jsonwebtoken::get_current_timestamp() + TTL as u64"),
            Some(900)
        );
        assert_eq!(
            expiry(
                "(SystemTime::now() + Duration::from_secs(DAY)).duration_since(UNIX_EPOCH).unwrap().as_secs()"
            ),
            Some(86_400)
        );
        assert_eq!(
            expiry("(OffsetDateTime::now_utc() + time::Duration::days(30)).unix_timestamp()"),
            Some(2_592_000)
        );
        assert_eq!(
            expiry("(Utc::now() + TimeDelta::try_days(7).unwrap()).timestamp()"),
            Some(604_800)
        );
    }

    #[test]
    fn absolute_and_unknown_values_are_not_lifetimes() {
        assert_eq!(expiry("2000000000"), None);
        assert_eq!(expiry("exp_from_request"), None);
        assert_eq!(expiry("now() - Duration::hours(1)"), None);
    }
}
