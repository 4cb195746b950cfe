//! The rules fed by product knowledge: each key of each entity found in a document is read the
//! way its product file says and reported through the rule its role names.
use super::duration::{Lifetime, Style, Unit, lifetime, parse_text, write};
use super::messages::{self, ACCESS_TTL, HTTPONLY, REFRESH_TTL, SAMESITE, SECURE};
use super::products::{Entity, Found, Key, Role, split_path, value_matches};
use super::secret;
use super::tree::{Node, Value};
use crate::analyzers::{Context, Sink};
use crate::finding::{Report, Span};

/// What one key of an entity reads as.
struct Read<'a> {
    key: &'a Key,
    /// The path as messages show it.
    shown: String,
    node: Option<&'a Node>,
}

/// How one entity (a client, a realm, a session block) reads, key by key.
struct Entry<'a> {
    found: &'a Found<'a>,
    /// `label: `, the start of every message.
    subject: String,
    /// Where the entity starts: findings about a default it does not set point here.
    head: Span,
    ctx: &'a Context<'a>,
}

pub fn check_entity(entity: &Entity, found: &Found, head: Span, ctx: &Context, sink: &mut Sink) {
    let e = Entry {
        found,
        subject: format!("{}: ", found.label),
        head,
        ctx,
    };
    let reads = reads(entity, found.settings);
    for r in &reads {
        let fix = r
            .key
            .fix
            .as_deref()
            .map(|v| format!("`{}` to `{v}`", r.shown))
            .unwrap_or_default();
        let report = match r.key.role {
            Role::AccessTtl | Role::RefreshTtl => e.lifetime_too_long(r),
            Role::NoExpiry
            | Role::RotationOff
            | Role::RevocationOff
            | Role::CookieHttponly
            | Role::CookieSecure
            | Role::CookieSamesite => e.risky_value(r, &fix),
            Role::ReuseWindow => e.reuse_window(r, &fix),
            Role::AccessFormat => e.jwt_with_long_refresh(r, &reads, &fix),
            Role::Secret => {
                e.secrets(r, sink);
                None
            }
            Role::NotToken => None,
        };
        if let Some(report) = report {
            sink.report(report);
        }
    }
}

/// The keys whose conditions hold, each with the value `settings` gives it.
fn reads<'a>(entity: &'a Entity, settings: &'a Node) -> Vec<Read<'a>> {
    entity
        .keys
        .iter()
        .filter(|k| k.conditions.iter().all(|c| c.holds(settings)))
        .map(|k| {
            let segs = split_path(&k.path);
            Read {
                key: k,
                shown: segs.join("."),
                node: settings.entry_at(&segs).map(|e| &e.node),
            }
        })
        .collect()
}

impl Entry<'_> {
    /// An access or refresh token lifetime over its limit: the value set, or the product's
    /// default when the key is absent and the product file says the default is worth reporting.
    fn lifetime_too_long(&self, r: &Read) -> Option<Report> {
        let k = r.key;
        let settings = &self.ctx.settings;
        let (rule, limit) = if k.role == Role::AccessTtl {
            (ACCESS_TTL, settings.access_token_max_ttl)
        } else {
            (REFRESH_TTL, settings.refresh_token_max_ttl)
        };
        let (unit, known) = unit_of(k, self.found.settings);
        let (life, span, default) = match r.node {
            Some(n) => (lifetime(n, unit, known)?, n.span, false),
            None if k.report_default => {
                let secs = k.default.as_deref().and_then(parse_text)?;
                let life = Lifetime {
                    secs,
                    assumed: None,
                };
                (life, self.head, true)
            }
            None => return None,
        };
        if life.secs <= limit as f64 {
            return None;
        }
        let fix = lifetime_fix(k, &r.shown, unit, limit);
        let report = messages::lifetime(
            rule,
            span,
            &self.subject,
            &r.shown,
            &life,
            limit,
            &fix,
            default,
        );
        Some(match write(limit, key_style(k, unit)) {
            Some(v) if !default => report.fix(messages::value_fix(&r.shown, span, v)),
            _ => report,
        })
    }

    /// A flag set to one of the values the product file calls risky (expiry off, rotation or
    /// revocation off, a cookie attribute off).
    fn risky_value(&self, r: &Read, fix: &str) -> Option<Report> {
        let n = r.node?;
        if !r.key.values.iter().any(|v| value_matches(n, v)) {
            return None;
        }
        let value = n.scalar_text().unwrap_or_default();
        let (subject, key, span) = (&self.subject, &r.shown, n.span);
        let report = match r.key.role {
            Role::NoExpiry => messages::no_expiry(span, subject, key, &value, fix),
            Role::RotationOff => messages::rotation_off(span, subject, key, &value, fix),
            Role::RevocationOff => messages::revocation_off(span, subject, key, &value, fix),
            Role::CookieHttponly => messages::cookie(HTTPONLY, span, subject, key, &value, fix),
            Role::CookieSecure => messages::cookie(SECURE, span, subject, key, &value, fix),
            _ => messages::cookie(SAMESITE, span, subject, key, &value, fix),
        };
        // The value the product file documents as the safe one.
        Some(match &r.key.fix {
            Some(v) => report.fix(messages::value_fix(key, span, v.clone())),
            None => report,
        })
    }

    /// A refresh-token reuse window over the product file's limit (a duration, or a count).
    fn reuse_window(&self, r: &Read, fix: &str) -> Option<Report> {
        let (n, limit) = (r.node?, r.key.limit?);
        let shown = if r.key.unit.is_some() {
            let (unit, known) = unit_of(r.key, self.found.settings);
            match lifetime(n, unit, known) {
                Some(l) if l.secs > limit => super::duration::human(l.secs),
                _ => return None,
            }
        } else {
            match n.as_f64() {
                Some(c) if c > limit => format!("{}", c as i64),
                _ => return None,
            }
        };
        Some(messages::reuse_window(
            n.span,
            &self.subject,
            &r.shown,
            &shown,
            fix,
        ))
    }

    /// JWT access tokens while the entity's refresh tokens live over the limit.
    fn jwt_with_long_refresh(&self, r: &Read, reads: &[Read], fix: &str) -> Option<Report> {
        let n = r.node?;
        if !r.key.values.iter().any(|v| value_matches(n, v)) {
            return None;
        }
        let limit = self.ctx.settings.refresh_token_max_ttl as f64;
        let (o, secs) = reads
            .iter()
            .filter(|o| o.key.role == Role::RefreshTtl)
            .find_map(|o| {
                let (unit, known) = unit_of(o.key, self.found.settings);
                let secs = match o.node {
                    Some(n) => lifetime(n, unit, known)?.secs,
                    None => o.key.default.as_deref().and_then(parse_text)?,
                };
                (secs > limit).then_some((o, secs))
            })?;
        let value = n.scalar_text().unwrap_or_default();
        let mut rep = messages::jwt_with_long_refresh(
            n.span,
            &self.subject,
            &r.shown,
            &value,
            &o.shown,
            secs,
            fix,
        );
        if let Some(s) = o.node.map(|n| n.span) {
            rep = rep.label(s, "refresh tokens live this long");
        }
        Some(rep)
    }

    /// Each literal secret the key holds (one value, or each item of a list).
    fn secrets(&self, r: &Read, sink: &mut Sink) {
        let Some(n) = r.node else { return };
        let values: Vec<&Node> = match &n.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![n],
        };
        for v in values {
            if let Some((lit, fallback)) = secret::literal(v) {
                sink.report(messages::secret(
                    v.span,
                    &self.subject,
                    &r.shown,
                    &lit,
                    fallback.as_deref(),
                ));
            }
        }
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
