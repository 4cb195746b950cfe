//! The rules fed by product knowledge: each key of each entity found in a document is read the
//! way its product file says and reported through the rule its role names.
use super::duration::{Lifetime, Style, Unit, lifetime, parse_text, write};
use super::messages::{self, ACCESS_TTL, HTTPONLY, REFRESH_TTL, SAMESITE, SECURE};
use super::products::{Entity, Found, Key, Role, split_path, value_matches};
use super::secret;
use super::tree::{Node, Value};
use crate::analyzers::{Context, Sink};
use crate::finding::Span;

/// What one key of an entity reads as.
struct Read<'a> {
    key: &'a Key,
    /// The path as messages show it.
    shown: String,
    entry_span: Option<Span>,
    node: Option<&'a Node>,
}

pub fn check_entity(entity: &Entity, found: &Found, head: Span, ctx: &Context, sink: &mut Sink) {
    let subject = format!("{}: ", found.label);
    let reads: Vec<Read> = entity
        .keys
        .iter()
        .filter(|k| k.conditions.iter().all(|c| c.holds(found.settings)))
        .map(|k| {
            let segs = split_path(&k.path);
            let entry = found.settings.entry_at(&segs);
            Read {
                key: k,
                shown: segs.join("."),
                entry_span: entry.map(|e| e.key_span),
                node: entry.map(|e| &e.node),
            }
        })
        .collect();
    for r in &reads {
        let k = r.key;
        let key = &r.shown;
        let fix_value = |v: &str| format!("`{key}` to `{v}`");
        let fix = k.fix.as_deref().map(fix_value).unwrap_or_default();
        match k.role {
            Role::AccessTtl | Role::RefreshTtl => {
                let (rule, limit) = if k.role == Role::AccessTtl {
                    (ACCESS_TTL, ctx.settings.access_token_max_ttl)
                } else {
                    (REFRESH_TTL, ctx.settings.refresh_token_max_ttl)
                };
                let (unit, known) = unit_of(k, found.settings);
                let (life, span, default) = match r.node {
                    Some(n) => match lifetime(n, unit, known) {
                        Some(l) => (l, n.span, false),
                        None => continue,
                    },
                    None if k.report_default => {
                        let Some(secs) = k.default.as_deref().and_then(parse_text) else {
                            continue;
                        };
                        (
                            Lifetime {
                                secs,
                                assumed: None,
                            },
                            head,
                            true,
                        )
                    }
                    None => continue,
                };
                if life.secs <= limit as f64 {
                    continue;
                }
                let fix = lifetime_fix(k, key, unit, limit);
                let mut report =
                    messages::lifetime(rule, span, &subject, key, &life, limit, &fix, default);
                if !default && let Some(v) = write(limit, key_style(k, unit)) {
                    report = report.fix(messages::value_fix(key, span, v));
                }
                sink.report(report);
            }
            Role::NoExpiry
            | Role::RotationOff
            | Role::RevocationOff
            | Role::CookieHttponly
            | Role::CookieSecure
            | Role::CookieSamesite => {
                let Some(n) = r.node else { continue };
                if !k.values.iter().any(|v| value_matches(n, v)) {
                    continue;
                }
                let value = n.scalar_text().unwrap_or_default();
                let rep = match k.role {
                    Role::NoExpiry => messages::no_expiry(n.span, &subject, key, &value, &fix),
                    Role::RotationOff => {
                        messages::rotation_off(n.span, &subject, key, &value, &fix)
                    }
                    Role::RevocationOff => {
                        messages::revocation_off(n.span, &subject, key, &value, &fix)
                    }
                    Role::CookieHttponly => {
                        messages::cookie(HTTPONLY, n.span, &subject, key, &value, &fix)
                    }
                    Role::CookieSecure => {
                        messages::cookie(SECURE, n.span, &subject, key, &value, &fix)
                    }
                    _ => messages::cookie(SAMESITE, n.span, &subject, key, &value, &fix),
                };
                sink.report(match &k.fix {
                    Some(v) => rep.fix(messages::value_fix(key, n.span, v.clone())),
                    None => rep,
                });
            }
            Role::ReuseWindow => {
                let (Some(n), Some(limit)) = (r.node, k.limit) else {
                    continue;
                };
                let shown = if k.unit.is_some() {
                    let (unit, known) = unit_of(k, found.settings);
                    match lifetime(n, unit, known) {
                        Some(l) if l.secs > limit => super::duration::human(l.secs),
                        _ => continue,
                    }
                } else {
                    match n.as_f64() {
                        Some(c) if c > limit => format!("{}", c as i64),
                        _ => continue,
                    }
                };
                sink.report(messages::reuse_window(n.span, &subject, key, &shown, &fix));
            }
            Role::AccessFormat => {
                let Some(n) = r.node else { continue };
                if !k.values.iter().any(|v| value_matches(n, v)) {
                    continue;
                }
                let limit = ctx.settings.refresh_token_max_ttl as f64;
                let long = reads
                    .iter()
                    .filter(|o| o.key.role == Role::RefreshTtl)
                    .find_map(|o| {
                        let (unit, known) = unit_of(o.key, found.settings);
                        let secs = match o.node {
                            Some(n) => lifetime(n, unit, known)?.secs,
                            None => o.key.default.as_deref().and_then(parse_text)?,
                        };
                        (secs > limit).then_some((o, secs))
                    });
                if let Some((o, secs)) = long {
                    let value = n.scalar_text().unwrap_or_default();
                    let mut rep = messages::jwt_with_long_refresh(
                        n.span, &subject, key, &value, &o.shown, secs, &fix,
                    );
                    if let Some(s) = o.node.map(|n| n.span) {
                        rep = rep.label(s, "refresh tokens live this long");
                    }
                    sink.report(rep);
                }
            }
            Role::Secret => {
                let Some(n) = r.node else { continue };
                let values: Vec<&Node> = match &n.value {
                    Value::Array(items) => items.iter().collect(),
                    _ => vec![n],
                };
                for v in values {
                    if let Some((lit, fallback)) = secret::literal(v) {
                        sink.report(messages::secret(
                            v.span,
                            &subject,
                            key,
                            &lit,
                            fallback.as_deref(),
                        ));
                    }
                }
            }
            Role::NotToken => {}
        }
        let _ = r.entry_span;
    }
}

/// The unit of a bare number: named by a sibling key (`TokenValidityUnits.AccessToken`), by the
/// product file, or assumed to be seconds.
fn unit_of(k: &Key, settings: &Node) -> (Unit, bool) {
    if let Some(from) = &k.unit_from
        && let Some(u) = settings
            .at(&split_path(from))
            .and_then(Node::as_str)
            .and_then(Unit::parse)
    {
        return (u, true);
    }
    match k.unit.as_deref().and_then(Unit::parse) {
        Some(u) => (u, true),
        None => (Unit::Seconds, false),
    }
}

/// What to write: the limit in the key's own style, or a unit change when it cannot be said in
/// the current unit (Cognito in hours for a 15-minute limit).
/// How the product writes this key's duration.
fn key_style(k: &Key, unit: Unit) -> Style {
    match k.style.as_deref() {
        Some("go") => Style::Go,
        Some("iso") => Style::Iso,
        _ => Style::Number(unit),
    }
}

fn lifetime_fix(k: &Key, key: &str, unit: Unit, limit: u64) -> String {
    let style = key_style(k, unit);
    if let Some(v) = write(limit, style) {
        return match style {
            Style::Number(u) if u != Unit::Seconds || limit >= 60 => {
                format!(
                    "`{key}` to `{v}` ({})",
                    super::duration::human(limit as f64)
                )
            }
            _ => format!("`{key}` to `{v}`"),
        };
    }
    match &k.unit_from {
        Some(from) => {
            let shown = split_path(from).join(".");
            let minutes = write(limit, Style::Number(Unit::Minutes))
                .unwrap_or_else(|| (limit / 60).max(1).to_string());
            format!("`{shown}` to `minutes` and `{key}` to `{minutes}`")
        }
        None => format!("`{key}` to {}", super::duration::human(limit as f64)),
    }
}
