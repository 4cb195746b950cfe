//! How long a token may live: one expiry, evaluated, judged against the configured limit for its
//! kind (access or refresh), a date so large it never expires (`token-without-expiry`), and the
//! fix written in the duration API the code already uses.
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::duration_eval::Val;
use crate::analyzers::rust::index::syntax::FnItem;
use crate::analyzers::rust::index::token_names::{TokenKind, decide};
use crate::analyzers::{Context, Sink};
use crate::config::duration::format_duration;
use crate::finding::{Report, Span};
use crate::rule::{Rule, wording};

pub const ACCESS: Rule = Rule::AccessTokenTtlTooLong;
pub const REFRESH: Rule = Rule::RefreshTokenTtlTooLong;

pub(super) fn fn_display(f: &FnItem) -> String {
    match f.self_name() {
        Some(t) => format!("{t}::{}", f.name),
        None => f.name.to_string(),
    }
}

/// One expiry with its evaluated value, ready to be judged.
pub(super) struct Case {
    /// Where the finding points.
    pub span: Span,
    /// The expiry expression, and a message for it when it is not the default.
    pub label: (Span, Option<String>),
    pub val: Val,
    /// Names that say which token this is, most specific first, function names last.
    pub names: Vec<String>,
    pub strict: bool,
    /// The function that issues the token, as shown.
    pub fname: String,
    /// Identifiers of the expiry expression (which duration API is in use).
    pub api: Vec<String>,
    /// How many of the trailing `names` are function names (the issuer, and its caller).
    pub fn_names: usize,
    /// Where the lifetime is written (a const or static), when not at the use: the finding
    /// points there, and the use becomes a label.
    pub origin: Option<Span>,
}

pub(super) fn judge(rf: &RustFile, ctx: &Context, sink: &mut Sink, case: Case) {
    if case.val.never() && case.strict && jwt_file(rf) {
        let r = Report::new(
            super::expiry::RULE,
            case.origin.unwrap_or(case.span),
            format!("`{}` can issue a token whose `exp` is the largest possible date: it never expires", case.fname),
            "give every token a finite lifetime; for \"stay logged in\", issue a revocable refresh token instead of a token that never expires",
        )
        .label(case.label.0, "can be the largest possible date");
        sink.report(r);
        return;
    }
    // `exp: 2000000000`: one fixed date for every token, years ahead.
    if let Val::Num(n) = case.val
        && case.strict
        && jwt_file(rf)
        && let Some(year) = wording::fixed_date_year(n)
    {
        let r = wording::fixed_expiry_date(case.origin.unwrap_or(case.span), &case.fname, year)
            .label(case.label.0, wording::fixed_date_label(year));
        sink.report(r);
        return;
    }
    let Some(ttl) = case.val.lifetime() else {
        return;
    };
    // A service account's assertion to another provider (Google's one-hour JWT bearer grant):
    // that provider sets its lifetime, and it logs nobody in here.
    if let Some((owner, _)) = case.fname.rsplit_once("::")
        && crate::analyzers::rust::index::token_names::outbound_credential(owner)
    {
        return;
    }
    let millis = matches!(case.val, Val::Now { ms: true, .. });
    let names = &case.names;
    let Some((kind, at)) = decide(names.iter().map(String::as_str)) else {
        return;
    };
    let strict_enough = case.strict
        || matches!(kind, TokenKind::Access | TokenKind::Refresh)
        || names.iter().any(|n| {
            let w = crate::analyzers::rust::index::token_names::words(n);
            w.iter().any(|x| x == "claims" || x == "jwt")
        });
    if !strict_enough {
        return;
    }
    // The project pass reads every evaluated lifetime, not only those over the limit.
    let fact_kind = match kind {
        TokenKind::Access | TokenKind::Generic => crate::facts::TokenKind::Access,
        TokenKind::Refresh => crate::facts::TokenKind::Refresh,
        TokenKind::Other | TokenKind::WeakOther => crate::facts::TokenKind::SinglePurpose,
    };
    let issuer = case.fname.rsplit("::").next().unwrap_or(&case.fname);
    sink.fact(
        crate::facts::FactKind::TokenLifetime {
            token: fact_kind,
            lifetime_secs: ttl,
        },
        case.span,
        Some(issuer),
    );
    if millis && case.strict && jwt_file(rf) {
        let r = Report::new(
            super::expiry::RULE,
            case.span,
            "`exp` is set in milliseconds, but JWT `exp` counts seconds: this token will not expire for thousands of years",
            "use seconds: `.timestamp()` instead of `.timestamp_millis()` (or divide by 1000)",
        )
        .label(case.label.0, "milliseconds since 1970");
        sink.report(r);
        return;
    }
    let (rule, limit) = match kind {
        TokenKind::Other | TokenKind::WeakOther => return,
        TokenKind::Refresh => (REFRESH, ctx.settings.refresh_token_max_ttl),
        TokenKind::Access | TokenKind::Generic => (ACCESS, ctx.settings.access_token_max_ttl),
    };
    if ttl <= limit {
        return;
    }
    let decided_by =
        (kind != TokenKind::Generic && at + case.fn_names < names.len()).then(|| names[at].clone());
    let label = case
        .label
        .1
        .unwrap_or_else(|| format!("expires {} after it is issued", format_duration(ttl)));
    let report = too_long(
        rule,
        case.origin.unwrap_or(case.span),
        kind,
        &case.fname,
        decided_by.as_deref(),
        ttl,
        limit,
        &case.api,
    )
    .label(case.label.0, label);
    sink.report(report);
}

/// Whether the file issues JWTs (where `exp` is defined in seconds by RFC 7519).
pub(super) fn jwt_file(rf: &RustFile) -> bool {
    let t = &rf.src.text;
    t.contains("jsonwebtoken") || t.contains("jwt")
}

/// Both lifetime rules' one wording (`crate::rule::wording::token_ttl_too_long`), with the fix
/// in the API the code already uses.
#[allow(clippy::too_many_arguments)]
fn too_long(
    rule: Rule,
    span: Span,
    kind: TokenKind,
    fname: &str,
    decided_by: Option<&str>,
    ttl: u64,
    limit: u64,
    api: &[String],
) -> Report {
    let code = suggestion(api, limit);
    wording::token_ttl_too_long(
        rule,
        span,
        kind.noun(),
        fname,
        decided_by,
        (ttl, limit),
        &code,
    )
}

/// What to write, in the API the code already uses, in the largest unit that divides the limit.
fn suggestion(api: &[String], limit: u64) -> String {
    let has = |s: &str| api.iter().any(|a| a == s);
    let units: [(u64, &str, &str, &str); 4] = [
        (86_400, "days", "from_days", " * 24 * 60 * 60"),
        (3600, "hours", "from_hours", " * 60 * 60"),
        (60, "minutes", "from_mins", " * 60"),
        (1, "seconds", "from_secs", ""),
    ];
    let (size, chrono, from, product) = units
        .into_iter()
        .find(|(size, ..)| limit.is_multiple_of(*size))
        .unwrap_or(units[3]);
    let n = limit / size;
    if has("from_mins") || has("from_hours") || has("from_days") {
        return format!("Duration::{from}({n})");
    }
    if has("from_secs") {
        return format!("Duration::from_secs({n}{product})");
    }
    if has("Duration") || has("TimeDelta") {
        let ty = if has("TimeDelta") {
            "TimeDelta"
        } else {
            "Duration"
        };
        return format!("{ty}::{chrono}({n})");
    }
    format!("{n}{product}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_follows_the_api_in_use() {
        let s =
            |api: &[&str]| suggestion(&api.iter().map(|x| x.to_string()).collect::<Vec<_>>(), 900);
        assert_eq!(s(&["Duration", "hours"]), "Duration::minutes(15)");
        assert_eq!(s(&["TimeDelta", "try_hours"]), "TimeDelta::minutes(15)");
        assert_eq!(s(&["Duration", "from_hours"]), "Duration::from_mins(15)");
        assert_eq!(
            s(&["Duration", "from_secs"]),
            "Duration::from_secs(15 * 60)"
        );
        assert_eq!(s(&["get_current_timestamp"]), "15 * 60");
        assert_eq!(
            suggestion(&["Duration".to_string()], 30 * 86_400),
            "Duration::days(30)"
        );
    }
}
