//! `access-token-ttl-too-long` and `refresh-token-ttl-too-long`: where a token gets its expiry
//! (`Claims { exp: .. }`, `json!({"exp": ..})`, `map.insert("exp", ..)`, jwt-simple
//! `Claims::create(d)`, pasetors `Claims::new_expires_in(&d)`, paseto `.set_expiration(&t)`,
//! jwt-compact `.set_duration_and_issuance(&o, d)`), the lifetime it computes, and which kind of
//! token it is, from the names around it.
use crate::analyzers::rust::RustFile;
use crate::analyzers::rust::index::duration_eval::{Env, Val, eval};
use crate::analyzers::rust::index::syntax::{FileIndex, FnItem, Lets};
use crate::analyzers::rust::index::token_names::{TokenKind, decide};
use crate::analyzers::{Context, Sink};
use crate::config::duration::format_duration;
use crate::finding::{Report, Span};
use crate::rule::Rule;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

mod sites;
use sites::{LifetimeArgs, Sites};

pub const ACCESS: Rule = Rule::AccessTokenTtlTooLong;
pub const REFRESH: Rule = Rule::RefreshTokenTtlTooLong;

/// A plain `exp` at or after this Unix time (2024-01-01) is a fixed date, not a duration.
const FIXED_DATE_FROM: f64 = 1_704_067_200.0;

/// Claim fields that always hold a token's expiry.
const EXP_FIELDS: &[&str] = &["exp"];
/// Fields that hold an expiry in claims structs and in stored token rows.
const LOOSE_EXP_FIELDS: &[&str] = &[
    "expires_at",
    "expiration",
    "expiry",
    "expire_at",
    "expires",
    "exp_at",
];
/// Claim fields naming the token's kind.
const TYPE_FIELDS: &[&str] = &[
    "typ",
    "token_type",
    "type_",
    "r#type",
    "kind",
    "token_use",
    "type",
];

/// One place where a token gets its expiry.
pub(crate) struct Site {
    pub span: proc_macro2::Span,
    pub value: Expr,
    /// Names that say which token this is, most specific first (the claims' `typ`, names in the
    /// expiry expression, the variable, the struct).
    pub names: Vec<String>,
    /// A registered `exp` claim (or a library's expiry) rather than an `expires_at`-like field.
    pub strict: bool,
}

pub fn check(rf: &RustFile, ctx: &Context, sink: &mut Sink) {
    let index = FileIndex::build(&rf.ast);
    let fns = &index.all_fns;
    let mut pending = Vec::new();
    for f in fns {
        let lets = Lets::collect(f.block);
        let mut v = Sites {
            f: *f,
            lets: &lets,
            binding: Vec::new(),
            sites: Vec::new(),
        };
        v.visit_block(f.block);
        for site in v.sites {
            let env = Env::new(&index, &lets, Some(f.sig));
            match eval(&site.value, &env) {
                Some(val) => {
                    let case = |val: Val, env: &Env| {
                        let mut names = site.names.clone();
                        names.push(f.name.to_string());
                        let mut api = Vec::new();
                        ExprNames::collect(&site.value, &lets, &mut api);
                        Case {
                            span: RustFile::span_in(rf.src, site.span),
                            label: (rf.span(&site.value), None),
                            val,
                            names,
                            strict: site.strict,
                            fname: fn_display(f),
                            api,
                            fn_names: 1,
                            origin: origin_of(rf, env, site.span),
                        }
                    };
                    judge(rf, ctx, sink, case(val, &env));
                    // `if stay { MAX_UTC } else { now + weeks(1) }`: the endless branch is
                    // reported above; the finite one is judged on its own.
                    if val.never() {
                        let mut finite = Env::new(&index, &lets, Some(f.sig));
                        finite.finite_only = true;
                        if let Some(v) = eval(&site.value, &finite).filter(|v| !v.never()) {
                            judge(rf, ctx, sink, case(v, &finite));
                        }
                    }
                }
                None => {
                    crate::analyzers::rust::index::values::lifetime_from_const(
                        rf, sink, &index, f, &lets, &site,
                    );
                    pending.push((*f, site));
                }
            }
        }
    }
    for f in fns {
        let lets = Lets::collect(f.block);
        let mut args = LifetimeArgs {
            rf,
            sink,
            env: Env::new(&index, &lets, Some(f.sig)),
            function: f.name.to_string(),
        };
        args.visit_block(f.block);
    }
    if !pending.is_empty() {
        super::lifetime_calls::follow_calls(rf, ctx, sink, &index, fns, pending);
    }
}

/// Where the lifetime is written, when that is a const or static on another line than the use.
pub(super) fn origin_of(rf: &RustFile, env: &Env, used: proc_macro2::Span) -> Option<Span> {
    let o = env.origin.get()?;
    (o.start().line != used.start().line).then(|| RustFile::span_in(rf.src, o))
}

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
        && (FIXED_DATE_FROM..1e11).contains(&n)
    {
        let year = 1970 + (n / 31_556_952.0) as u64;
        let r = Report::new(
            super::expiry::RULE,
            case.origin.unwrap_or(case.span),
            format!("`{}` gives every token the same fixed `exp`, a date in {year}: tokens issued today stay valid for years", case.fname),
            "compute `exp` from the time of issue (`now + 15 minutes`), and renew the token with a revocable refresh token",
        )
        .label(case.label.0, format!("a fixed date in {year}"));
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
fn jwt_file(rf: &RustFile) -> bool {
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
    crate::rule::wording::token_ttl_too_long(
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

/// The identifiers an expression uses, following `let` bindings one level.
pub(super) struct ExprNames<'a, 'b> {
    lets: &'b Lets<'a>,
    out: &'b mut Vec<String>,
    depth: usize,
}

impl<'a, 'b> ExprNames<'a, 'b> {
    pub fn collect(e: &Expr, lets: &'b Lets<'a>, out: &'b mut Vec<String>) {
        ExprNames {
            lets,
            out,
            depth: 0,
        }
        .visit_expr(e);
    }
}

impl<'ast> Visit<'ast> for ExprNames<'_, '_> {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        for s in &p.segments {
            self.out.push(s.ident.to_string());
        }
        if p.segments.len() == 1
            && self.depth < 2
            && let Some(bound) = self
                .lets
                .get(&p.segments[0].ident.to_string(), p.span().start())
        {
            self.depth += 1;
            self.visit_expr(bound);
            self.depth -= 1;
        }
    }
    fn visit_member(&mut self, m: &'ast syn::Member) {
        if let syn::Member::Named(i) = m {
            self.out.push(i.to_string());
        }
    }
    // Conditions choose between values; they do not name the token (`if device.is_mobile()`).
    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.visit_block(&i.then_branch);
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        for arm in &m.arms {
            self.visit_expr(&arm.body);
        }
    }
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

/// Inline cases (`crate::rule::cases`): what this rule reports, and its safe twins.
#[cfg(test)]
pub(crate) mod cases {
    use crate::rule::Rule;
    use crate::rule::cases::{Cases, check};

    #[test]
    fn cases() {
        CASES.iter().for_each(check);
    }

    pub const CASES: &[Cases] = &[
        Cases {
            rule: Rule::AccessTokenTtlTooLong,
            file: "src/auth.rs",
            prelude: r#"use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use chrono::{Duration, Utc};
#[derive(serde::Serialize, serde::Deserialize)]
struct Claims { sub: String, exp: i64 }"#,
            fail: &[
                r#"fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::hours(24)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::days(7)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
            pass: &[
                r#"fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::minutes(15)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn email_confirmation_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::hours(48)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
        },
        Cases {
            rule: Rule::RefreshTokenTtlTooLong,
            file: "src/auth.rs",
            prelude: r#"use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use chrono::{Duration, Utc};
#[derive(serde::Serialize, serde::Deserialize)]
struct Claims { sub: String, exp: i64 }"#,
            fail: &[
                r#"fn refresh_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::days(365)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
            pass: &[
                r#"fn refresh_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::days(14)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
        },
    ];
}
