//! The `Check` pass's judgement of writes: a storage or cookie write found by any recogniser is
//! remembered as a wrapper (in the `Wrappers` pass, when its key or value is a parameter) or
//! judged with its key and value, and a call of a wrapper is judged with the caller's arguments.
use super::super::model::{Key, Operand, Origin, Place, Store, Value, Wrapper, arg, judge};
use super::super::{cookies, storage};
use super::{Pass, Walker};
use crate::finding::{Report, Span};
use oxc_ast::ast::*;

impl Walker<'_> {
    /// A storage write found by any recogniser: remembered as a wrapper, or judged.
    pub fn storage_write(
        &mut self,
        store: Store,
        key: Option<Operand>,
        value: Operand,
        at: oxc_span::Span,
        via: Option<&str>,
        label: Option<(Span, &str)>,
    ) {
        let env = self.env();
        let key = key.map_or_else(Key::unknown, |k| env.key(k));
        let value = env.value(value);
        let label = label.map(|(s, m)| Origin::here(s, m));
        self.judge_write(store, key, value, at, via, label);
    }

    /// A write through a hook setter or ref, with a label at the hook call.
    pub fn judge_bound(
        &mut self,
        store: Store,
        key: Key,
        value: Value,
        at: oxc_span::Span,
        via: &str,
        label: (Span, &str),
    ) {
        let label = Origin::here(label.0, label.1);
        self.judge_write(store, key, value, at, Some(via), Some(label));
    }

    pub(super) fn judge_write(
        &mut self,
        store: Store,
        key: Key,
        value: Value,
        at: oxc_span::Span,
        via: Option<&str>,
        label: Option<Origin>,
    ) {
        match self.pass {
            Pass::Bindings => {}
            Pass::Wrappers => {
                let func = key
                    .param
                    .as_ref()
                    .or(value.param.as_ref())
                    .map(|p| p.func.clone());
                if let Some(func) = func {
                    let names = self
                        .aliases
                        .get(&func)
                        .cloned()
                        .unwrap_or_else(|| vec![func]);
                    let at = self.head(at);
                    for n in names {
                        let origin = Origin::here(
                            at,
                            format!("`{n}` writes its argument to {} here", store.name()),
                        );
                        self.model.wrappers.entry(n).or_insert_with(|| Wrapper {
                            store,
                            key: key.clone(),
                            value: value.clone(),
                            origin: Some(origin),
                        });
                    }
                }
            }
            Pass::Check => {
                let Some(v) = judge(&key, &value) else {
                    if value.login
                        && store != Store::Cookie
                        && key.class != super::super::vocab::NameClass::NotToken
                    {
                        let span = self.head(at);
                        let mut r =
                            storage::login_report(span, &value.shown, store, key.shown.as_deref());
                        attach(&mut r, [&label, &key.origin, &value.origin]);
                        self.push(r, key.id.clone());
                    }
                    return;
                };
                let what = storage::subject(v, &key, Some(&value.shown));
                let span = self.head(at);
                let mut r = if store == Store::Cookie {
                    cookies::report(
                        span,
                        v,
                        &what,
                        key.shown.as_deref(),
                        via.unwrap_or("document.cookie"),
                    )
                } else {
                    storage::report(span, v, &what, store, key.shown.as_deref(), via)
                };
                attach(&mut r, [&label, &key.origin, &value.origin]);
                self.push(r, key.id.clone());
            }
        }
    }

    pub(super) fn cookie_write(&mut self, w: cookies::CookieWrite) {
        if w.deletes {
            return;
        }
        let env = self.env();
        let key = w.name.map_or_else(Key::unknown, |k| env.key(k));
        if key
            .shown
            .as_deref()
            .is_some_and(super::super::vocab::is_csrf)
        {
            return;
        }
        let value = env.value(w.value);
        self.judge_write(Store::Cookie, key, value, w.span, Some(&w.via), None);
    }

    /// A call to a wrapper function of this block, judged with the caller's arguments.
    pub(super) fn wrapper_call(&mut self, call: &CallExpression, path: &str) {
        let Some(w) = self.model.wrappers.get(path).cloned() else {
            return;
        };
        let env = self.env();
        let key = match &w.key.param {
            Some(p) => match arg(&call.arguments, p.index) {
                Some(a) => env.key(Operand::Expr(a)),
                None => return,
            },
            None => w.key.clone(),
        };
        let value = match &w.value.param {
            Some(p) => match arg(&call.arguments, p.index) {
                Some(a) => env.value(Operand::Expr(a)),
                None => return,
            },
            None => w.value.clone(),
        };
        if judge(&w.key, &w.value).is_some() || judge(&key, &value).is_none() {
            return;
        }
        let via = format!("{path}()");
        // A wrapper of another module is shown where it writes.
        let origin = w.origin.filter(|o| matches!(o.place, Place::There(_)));
        self.judge_write(w.store, key, value, call.span, Some(&via), origin);
    }
}

/// Adds where a write's key, value or wrapper come from to its report: a label in this file, a
/// related location in another.
fn attach<const N: usize>(r: &mut Report, origins: [&Option<Origin>; N]) {
    for o in origins.into_iter().flatten() {
        match &o.place {
            Place::Here(s) => r.labels.push(crate::finding::Label {
                span: *s,
                message: o.message.clone(),
                elsewhere: None,
            }),
            Place::There(at) => r.add_elsewhere(at.clone(), &o.message),
            // Placed by `modules::link` before any block is judged.
            Place::Module { .. } => {}
        }
    }
}
