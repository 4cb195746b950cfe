//! `access-token-ttl-too-long` and `refresh-token-ttl-too-long`: where a token gets its expiry
//! (`Claims { exp: .. }`, `json!({"exp": ..})`, `map.insert("exp", ..)`, jwt-simple
//! `Claims::create(d)`, pasetors `Claims::new_expires_in(&d)`, paseto `.set_expiration(&t)`,
//! jwt-compact `.set_duration_and_issuance(&o, d)`), the lifetime it computes, and which kind of
//! token it is, from the names around it.
use super::sites::{ExprNames, LifetimeArgs, Site, Sites, origin_of};
use super::ttl::{Case, fn_display, judge};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::duration_eval::{Env, Val, eval};
use crate::analyzers::rust::index::syntax::{FileIndex, FnItem, Lets};
use crate::analyzers::rust::index::token_names::{TokenKind, decide};
use crate::analyzers::{Context, Sink};
use crate::facts::FactKind;
use syn::visit::Visit;

pub use super::ttl::{ACCESS, REFRESH};

pub fn check(rf: &RustFile, ctx: &Context, sink: &mut Sink) {
    let index = rf.index();
    let mut pending = Vec::new();
    for (f, lets) in index.fns_with_lets() {
        let mut v = Sites {
            f,
            lets,
            binding: Vec::new(),
            sites: Vec::new(),
        };
        v.visit_block(f.block);
        for site in v.sites {
            let env = Env::new(index, lets, Some(f.sig));
            match eval(&site.value, &env) {
                Some(val) => {
                    let case = |val: Val, env: &Env| {
                        let mut names = site.names.clone();
                        names.push(f.name.to_string());
                        let mut api = Vec::new();
                        ExprNames::collect(&site.value, lets, &mut api);
                        Case {
                            span: RustFile::span_in(rf.src, site.span),
                            label: (rf.span(&site.value), None),
                            val,
                            names,
                            strict: site.strict,
                            fname: fn_display(&f),
                            api,
                            fn_names: 1,
                            origin: origin_of(rf, env, site.span),
                        }
                    };
                    judge(rf, ctx, sink, case(val, &env));
                    // `if stay { MAX_UTC } else { now + weeks(1) }`: the endless branch is
                    // reported above; the finite one is judged on its own.
                    if val.never() {
                        let mut finite = Env::new(index, lets, Some(f.sig));
                        finite.finite_only = true;
                        if let Some(v) = eval(&site.value, &finite).filter(|v| !v.never()) {
                            judge(rf, ctx, sink, case(v, &finite));
                        }
                    }
                }
                None => {
                    lifetime_from_const(rf, sink, index, &f, lets, &site);
                    pending.push((f, site));
                }
            }
        }
    }
    for (f, lets) in index.fns_with_lets() {
        let mut args = LifetimeArgs {
            rf,
            sink,
            env: Env::new(index, lets, Some(f.sig)),
            function: f.name.to_string(),
        };
        args.visit_block(f.block);
    }
    if !pending.is_empty() {
        super::lifetime_calls::follow_calls(rf, ctx, sink, index, &index.all_fns, pending);
    }
}

/// The offset a value gives an expiry, in seconds: `now + off`, or a bare duration.
fn offset(v: Val) -> Option<f64> {
    match v {
        Val::Now { off, ms: false } if off.is_finite() => Some(off),
        Val::Dur(d) => Some(d),
        _ => None,
    }
}

/// An expiry the file cannot evaluate because it reads a const of another module
/// (`now + config::JWT_TTL`): probes how the lifetime depends on that const (it is linear in
/// every shape the evaluator knows: `Duration::hours(X)`, `X * 60`, `now + X`) and records the
/// line for the project index. Returns whether a fact was recorded.
fn lifetime_from_const<'a>(
    rf: &RustFile,
    sink: &mut Sink,
    index: &FileIndex<'a>,
    f: &FnItem,
    lets: &Lets<'a>,
    site: &Site,
) -> bool {
    let env = Env::new(index, lets, Some(f.sig));
    if eval(&site.value, &env).is_some() {
        return false;
    }
    let external = env.external.take();
    let [target] = external.as_slice() else {
        return false;
    };
    let probe = |x: Val| {
        let mut env = Env::new(index, lets, Some(f.sig));
        env.probe = Some((target.clone(), x));
        eval(&site.value, &env)
    };
    // `exp: FAR_FUTURE`: the expiry is the const itself (a date when it holds one), judged as
    // the file judges a literal date (`super::ttl::judge`).
    const DATE: f64 = 2e9;
    let fixed =
        site.strict && super::ttl::jwt_file(rf) && probe(Val::Num(DATE)) == Some(Val::Num(DATE));
    let mut names = site.names.clone();
    names.push(f.name.to_string());
    let token = match decide(names.iter().map(String::as_str)) {
        Some((TokenKind::Refresh, _)) => Some(crate::facts::TokenKind::Refresh),
        Some((TokenKind::Access | TokenKind::Generic, _)) => Some(crate::facts::TokenKind::Access),
        _ => None,
    };
    if token.is_none() && !fixed {
        return false;
    }
    let line = |make: fn(f64) -> Val| -> Option<(i64, i64)> {
        let at = |x: f64| probe(make(x)).and_then(offset);
        let (a, b, c) = (at(0.0)?, at(1.0)?, at(2.0)?);
        let slope = b - a;
        // In thousandths: a value in milliseconds gives each unit 0.001 s.
        let milli = (slope * 1000.0).round();
        ((c - b - slope).abs() < 1e-6 && milli >= 1.0).then(|| (milli as i64, a.round() as i64))
    };
    // A lifetime is judged for an access or refresh token only; a fixed date for any JWT.
    let (num, dur) = match token {
        Some(_) => (line(Val::Num), line(Val::Dur)),
        None => (None, None),
    };
    let token = token.unwrap_or(crate::facts::TokenKind::Unknown);
    if num.is_none() && dur.is_none() && !fixed {
        return false;
    }
    sink.fact(
        FactKind::LifetimeFromConst {
            target: target.clone(),
            token,
            num,
            dur,
            fixed,
        },
        RustFile::span_in(rf.src, site.span),
        Some(&f.name.to_string()),
    );
    true
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
                // Through a `let` of a helper's tail, and of the caller that passes the expiry.
                r#"fn access_ttl() -> Duration { let hours = 24; Duration::hours(hours) }
fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + access_ttl()).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn sign_access(sub: String, exp: i64, k: &EncodingKey) -> String { let c = Claims { sub, exp }; encode(&Header::default(), &c, k).unwrap() }
fn access_token(sub: String, k: &EncodingKey) -> String { let exp = (Utc::now() + Duration::hours(24)).timestamp(); sign_access(sub, exp, k) }"#,
                // Two configs with a `ttl` each: the one the parameter's type names.
                r#"struct AuthConfig { ttl: Duration } struct CacheConfig { ttl: Duration }
impl Default for AuthConfig { fn default() -> Self { Self { ttl: Duration::hours(24) } } }
impl Default for CacheConfig { fn default() -> Self { Self { ttl: Duration::minutes(5) } } }
fn access_token(sub: String, cfg: &AuthConfig, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + cfg.ttl).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
            ],
            pass: &[
                r#"struct AuthConfig { ttl: Duration } struct CacheConfig { ttl: Duration }
impl Default for AuthConfig { fn default() -> Self { Self { ttl: Duration::minutes(5) } } }
impl Default for CacheConfig { fn default() -> Self { Self { ttl: Duration::hours(24) } } }
fn access_token(sub: String, cfg: &AuthConfig, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + cfg.ttl).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + Duration::minutes(15)).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn access_ttl() -> Duration { let minutes = 15; Duration::minutes(minutes) }
fn access_token(sub: String, k: &EncodingKey) -> String { let c = Claims { sub, exp: (Utc::now() + access_ttl()).timestamp() }; encode(&Header::default(), &c, k).unwrap() }"#,
                r#"fn sign_access(sub: String, exp: i64, k: &EncodingKey) -> String { let c = Claims { sub, exp }; encode(&Header::default(), &c, k).unwrap() }
fn access_token(sub: String, k: &EncodingKey) -> String { let exp = (Utc::now() + Duration::minutes(15)).timestamp(); sign_access(sub, exp, k) }"#,
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
