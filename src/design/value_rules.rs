//! The findings only the project index can make, each reported where the value is written and
//! naming its use: a token lifetime written as a const in another module, a value stored through
//! a wrapper in another file, a signing key written as a const in another module, and the keys
//! of `env_keys` and `empty_keys`.
use super::values::{Values, const_lifetime, item_value};
use crate::analyzers::rust::cookies::model::{self as cookie_model, CookieName, Problem, Purpose};
use crate::analyzers::rust::{
    FLAG_CODE, Stored, cookie_report, is_auth_cookie_name, storage_report,
};
use crate::config::Settings;
use crate::facts::{FactKind, ItemValue, PlacedFact, TokenKind};
use crate::finding::Report;
use crate::rule::{Rule, wording};
use std::collections::BTreeMap;

/// The findings only the index can make: a token lifetime written as a const in another module
/// (`now + config::JWT_TTL`), and a signing key written as a const in another module
/// (`EncodingKey::from_secret(crate::config::SECRET_KEY.as_bytes())`). Each is reported where
/// the value is written, and names the use.
pub fn check(facts: &[PlacedFact], settings: &Settings, out: &mut Vec<(String, usize, Report)>) {
    let values = Values::new(facts);
    let mut found: BTreeMap<(String, usize, Rule), Report> = BTreeMap::new();
    for use_site in facts {
        if let FactKind::CookieHelperCall { callee, names } = &use_site.kind {
            if let Some(helper) = values.resolve(&use_site.path, "", callee) {
                for r in cookie_from_helper(use_site, helper, names) {
                    merge(&mut found, helper, r);
                }
            }
            continue;
        }
        let report = match &use_site.kind {
            FactKind::LifetimeFromConst {
                target,
                token,
                num,
                dur,
                fixed,
            } => values.resolve(&use_site.path, "", target).and_then(|item| {
                fixed_date(use_site, item, *fixed)
                    .or_else(|| lifetime(use_site, item, *token, *num, *dur, settings))
            }),
            FactKind::StorageCall { callee, args } => values
                .resolve(&use_site.path, "", callee)
                .and_then(|w| stored_through(use_site, w, args)),
            FactKind::KeyFromConst { target, ctor } => values
                .resolve(&use_site.path, "", target)
                .and_then(|item| key(use_site, item, ctor)),
            _ => None,
        };
        if let Some((at, r)) = report {
            merge(&mut found, at, r);
        }
    }
    let config_keys = super::env_keys::reports(facts);
    for (at, r) in config_keys
        .into_iter()
        .chain(super::empty_keys::reports(facts))
    {
        merge(&mut found, at, r);
    }
    out.extend(
        found
            .into_iter()
            .map(|((path, line, _), r)| (path, line, r)),
    );
}

/// Adds a finding at `at`; the same value used again makes one finding, each use a related
/// place.
fn merge(found: &mut BTreeMap<(String, usize, Rule), Report>, at: &PlacedFact, r: Report) {
    let key = (at.path.clone(), at.start.line, r.rule);
    match found.get_mut(&key) {
        Some(first) => first.labels.extend(r.labels),
        None => {
            found.insert(key, r);
        }
    }
}

const SECRET: Rule = Rule::HardcodedSigningSecret;

fn lifetime<'a>(
    use_site: &PlacedFact,
    item: &'a PlacedFact,
    token: TokenKind,
    num: Option<(i64, i64)>,
    dur: Option<(i64, i64)>,
    settings: &Settings,
) -> Option<(&'a PlacedFact, Report)> {
    let ttl = const_lifetime(item, num, dur)?;
    let (rule, limit) = super::rules::ttl_limit(token, settings)?;
    if ttl <= limit {
        return None;
    }
    let issuer = use_site.function.as_deref().unwrap_or("?");
    let mut r = super::rules::passed_lifetime(
        rule,
        item,
        token,
        issuer,
        &use_site.path,
        use_site.start.line,
        ttl,
        limit,
    );
    let noun = super::rules::token_noun(token);
    use_site.relate(
        item,
        &mut r,
        format!("used here: the {noun} signed by `{issuer}` expires from it"),
    );
    Some((item, r))
}

/// `exp: FAR_FUTURE` where another module holds `const FAR_FUTURE: i64 = 2_000_000_000;`: every
/// token expires at that one date, reported at the const as the file reports a literal date.
fn fixed_date<'a>(
    use_site: &PlacedFact,
    item: &'a PlacedFact,
    fixed: bool,
) -> Option<(&'a PlacedFact, Report)> {
    let (_, ItemValue::Num(n)) = item_value(item)? else {
        return None;
    };
    let year = wording::fixed_date_year(*n as f64).filter(|_| fixed)?;
    let issuer = use_site.function.as_deref().unwrap_or("?");
    let mut r = wording::fixed_expiry_date(item.span, issuer, year);
    use_site.relate(
        item,
        &mut r,
        format!("used here as `exp`: {}", wording::fixed_date_label(year)),
    );
    Some((item, r))
}

/// A call of a WASM storage wrapper of another file (`local_storage::set_item(JWT_KEY,
/// &data.user.token)`, the wrapper calling web_sys `set_item(key, value)`): judged as the write
/// it makes, at the call, where the token is handed over.
fn stored_through<'a>(
    call: &'a PlacedFact,
    wrapper: &'a PlacedFact,
    args: &[(String, u8, u8)],
) -> Option<(&'a PlacedFact, Report)> {
    let (key_param, value_param, store) = match &wrapper.kind {
        FactKind::StorageWrapper {
            key_param,
            value_param,
            store,
        } => (key_param, value_param, store),
        // A cookie set by script under the name the caller gives: reported at the write, where
        // the fix goes (the server sets it), naming the cookie.
        FactKind::CookieWrapper { name_param } => {
            let (name, _, _) = args.get(*name_param)?;
            return is_auth_cookie_name(name).then(|| {
                let mut r = cookie_report(wrapper.span, name, "wasm_cookies::set");
                let callee = wrapper.function.as_deref().unwrap_or("?");
                call.relate(
                    wrapper,
                    &mut r,
                    format!("`{callee}` is called here with the cookie `{name}`"),
                );
                (wrapper, r)
            });
        }
        _ => return None,
    };
    let (key, key_class, _) = args.get(*key_param)?;
    let (_, _, value) = args.get(*value_param)?;
    if *value == FLAG_CODE {
        return None;
    }
    let stored = Stored::from_code(*key_class).or_else(|| Stored::from_code(*value))?;
    let mut r = storage_report(call.span, stored, store, key);
    let callee = wrapper.function.as_deref().unwrap_or("?");
    wrapper.relate(
        call,
        &mut r,
        format!("`{callee}` writes its argument to {store} here"),
    );
    Some((call, r))
}

/// A cookie helper of another file called with an auth cookie name (`new_cookie("token", t)`):
/// the attributes its cookie lacks, reported where it is made, naming the caller's cookie.
fn cookie_from_helper(call: &PlacedFact, helper: &PlacedFact, names: &[String]) -> Vec<Report> {
    let FactKind::CookieHelper {
        name_param,
        missing,
    } = &helper.kind
    else {
        return Vec::new();
    };
    let Some(name) = names.get(*name_param).filter(|n| !n.is_empty()) else {
        return Vec::new();
    };
    let purpose = cookie_model::purpose_of(name);
    let reports = missing.iter().filter_map(|(rule, help)| {
        // A CSRF cookie script must read is not judged for HttpOnly.
        let judged = purpose == Purpose::Auth
            || (purpose == Purpose::Csrf && *rule != Rule::CookieMissingHttponly);
        judged.then(|| {
            let cookie = CookieName::Known(name.clone());
            let subject = cookie_model::describe(&cookie, purpose);
            let mut r =
                cookie_model::report(*rule, &subject, Problem::Absent, helper.span, help.clone());
            let callee = helper.function.as_deref().unwrap_or("?");
            call.relate(
                helper,
                &mut r,
                format!("`{callee}` is called here with the cookie `{name}`"),
            );
            r
        })
    });
    reports.collect()
}

fn key<'a>(
    use_site: &PlacedFact,
    item: &'a PlacedFact,
    ctor: &str,
) -> Option<(&'a PlacedFact, Report)> {
    let (name, ItemValue::Text(text)) = item_value(item)? else {
        return None;
    };
    if text.trim().is_empty() {
        return None;
    }
    let mut r = Report::new(
        SECRET,
        item.span,
        format!(
            "`{name}` is written in the source and used as the key of `{ctor}` ({}:{}): anyone with the code can sign tokens or cookies",
            use_site.path, use_site.start.line
        ),
        "read the key from the environment or a secret manager with no default, and fail start-up when it is missing; generate it with `openssl rand -base64 32` and rotate it, since the committed value stays in git history",
    );
    use_site.relate(item, &mut r, format!("used here as the key of `{ctor}`"));
    Some((item, r))
}
