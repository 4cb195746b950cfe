//! `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite` for cookies made
//! with the `cookie` crate and its re-exports (actix-web, axum-extra, tower-cookies, rocket, poem,
//! salvo): `Cookie::new`, `Cookie::build((n, v))` / `Cookie::build(n, v)`, `CookieBuilder::new`,
//! `Cookie::parse("...")`, and bare `(name, value)` tuples given to a jar.
//!
//! Each function body is evaluated in order; a cookie is followed through `let` bindings,
//! `set_*` calls and helper functions of the same file (a helper returning a builder the caller
//! completes is judged with the caller's attributes). It is reported where it is created, with a
//! label where it is added or returned, after the adder's defaults (Rocket) are filled in.
use super::fix;
use super::flow::{FileInfo, Record, Style};
use super::helpers;
use super::model::{self as model, Adder, Problem};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::{Context, Sink};
use crate::facts::FactKind;
use crate::rule::Rule;
use std::collections::HashSet;

pub fn check(rf: &RustFile, ctx: &Context, sink: &mut Sink) {
    let info = FileInfo::new(rf, ctx);
    if info.client_side {
        return;
    }
    let mut reported = HashSet::new();
    for f in info.fns() {
        let analysis = info.analyze(f, 0);
        let called = info.is_called(&f.name);
        for rec in &analysis.recs {
            // Other files may call it with an auth cookie name: the project index joins them.
            let help = |rule| help(rec, rule, Problem::Absent, Adder::Plain);
            if let Some(missing) = helpers::missing(f, rec, help) {
                let name_param = rec.name_param.unwrap_or_default();
                let kind = FactKind::CookieHelper {
                    name_param,
                    missing,
                };
                sink.fact(kind, rec.origin, Some(&f.name));
            }
            if rec.removal || (rec.returned && called) {
                continue;
            }
            report_record(rf, rec, &mut reported, sink);
        }
    }
    helpers::calls(rf, &info, sink);
}

fn report_record(
    rf: &RustFile,
    rec: &Record,
    reported: &mut HashSet<(Rule, usize)>,
    sink: &mut Sink,
) {
    let purpose = rec.purpose();
    let adders = if rec.adders.is_empty() {
        vec![Adder::Plain]
    } else {
        rec.adders.clone()
    };
    let mut done: Vec<Rule> = Vec::new();
    for adder in adders {
        let attrs = rec.attrs.with_defaults(adder);
        for (rule, problem) in model::problems(&attrs, &rec.name, purpose) {
            if done.contains(&rule) {
                continue;
            }
            done.push(rule);
            let span = match problem {
                Problem::Off(Some(s)) | Problem::SameSiteNone(Some(s)) => s,
                _ => rec.origin,
            };
            if !reported.insert((rule, span.start)) {
                continue;
            }
            let subject = model::describe(&rec.name, purpose);
            let mut r = model::report(
                rule,
                &subject,
                problem,
                span,
                help(rec, rule, problem, adder),
            );
            if let Some(mut fix) = fix::fix(rf, rule, problem, rec.origin) {
                // A helper whose caller names the cookie may also make cookies script must read.
                if rec.name_param.is_some() {
                    fix.applicability = crate::fix::Applicability::Unsafe;
                }
                r = r.fix(fix);
            }
            if span != rec.origin {
                r = r.label(rec.origin, "cookie created here");
            }
            for (s, msg) in &rec.labels {
                if s.start != span.start {
                    r = r.label(*s, msg.clone());
                }
            }
            sink.report(r);
        }
    }
}

/// What to write, in the style the cookie was made with.
fn help(rec: &Record, rule: Rule, problem: Problem, adder: Adder) -> String {
    let (builder, setter, raw) = match rule {
        model::HTTPONLY => (".http_only(true)", "set_http_only(true)", "; HttpOnly"),
        model::SECURE => (".secure(true)", "set_secure(true)", "; Secure"),
        _ => (
            ".same_site(SameSite::Lax)",
            "set_same_site(SameSite::Lax)",
            "; SameSite=Lax",
        ),
    };
    match problem {
        Problem::Off(_) if rule == model::SECURE => {
            let none = if rec.attrs.same_site.0 == model::SameSiteValue::None {
                " (browsers reject a SameSite=None cookie without Secure, so this one is not even stored)"
            } else {
                ""
            };
            return format!("replace `.secure(false)` with `.secure(true)`{none}, or set it from config for local http development (browsers accept Secure cookies on http://localhost)");
        }
        Problem::Off(_) => return "replace `.http_only(false)` with `.http_only(true)`; if the front end needs to know who is logged in, give it an endpoint or a separate cookie without the credential".into(),
        Problem::SameSiteNone(_) => {
            return "use `SameSite::Lax` (or `Strict`) unless the cookie must go with cross-site requests; if it must, keep CSRF protection on every state-changing request".into();
        }
        Problem::Absent => {}
    }
    let mut text = match &rec.style {
        Style::Builder { finish: Some(f) } => format!("add `{builder}` before `.{f}()`"),
        Style::Builder { finish: None } => format!("add `{builder}` to the builder"),
        Style::New { binding: Some(b) } => {
            format!("call `{b}.{setter}` before the cookie is added")
        }
        Style::New { binding: None } => format!(
            "build it with `Cookie::build(({}, value)){builder}`, or call `.{setter}` on it before it is added",
            rec.name_text()
        ),
        Style::Tuple => format!(
            "pass a built cookie instead of a tuple: `Cookie::build(({}, value)){builder}`",
            rec.name_text()
        ),
        Style::Parsed => format!("add `{raw}` to the parsed cookie string"),
    };
    if rule == model::SECURE && matches!(adder, Adder::RocketAdd | Adder::RocketPrivate) {
        text.push_str(
            " (Rocket adds Secure by itself only when it terminates TLS, not behind a proxy)",
        );
    }
    if rule == model::SAMESITE {
        text.push_str("; use `Strict` for a cookie only same-site requests need");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// `(rule, line)` of every finding on `code`.
    fn run(code: &str) -> Vec<(Rule, usize)> {
        let src = SourceFile::from_text("t.rs", code);
        let ast = syn::parse_file(code).unwrap();
        let rf = RustFile::new(&src, &ast);
        let mut sink = Sink::default();
        crate::analyzers::with_default_context(|ctx| check(&rf, ctx, &mut sink));
        let mut v: Vec<_> = sink
            .reports
            .iter()
            .map(|r| (r.rule, src.position(r.span.start).line))
            .collect();
        v.sort();
        v
    }

    const FULL: &str = ".http_only(true).secure(true).same_site(SameSite::Lax)";

    #[test]
    fn helper_completed_by_the_caller_is_judged_with_the_callers_attributes() {
        let code = "use axum_extra::extract::cookie::*;\n\
            fn base(v: String) -> CookieBuilder<'static> { Cookie::build((\"sid\", v)).secure(true).same_site(SameSite::Lax) }\n\
            fn a(jar: CookieJar, v: String) -> CookieJar { jar.add(base(v).http_only(true)) }\n";
        assert_eq!(run(code), []);
        let code = code.replace(".http_only(true)", "");
        assert_eq!(run(&code), [(model::HTTPONLY, 2)]);
    }

    #[test]
    fn helper_name_parameter_takes_the_callers_argument() {
        let code = "use cookie::*;\n\
            fn make(name: &'static str, v: String) -> Cookie<'static> { Cookie::build((name, v)).http_only(true).secure(true).build() }\n\
            fn a(jar: &mut CookieJar, v: String) { jar.add(make(\"theme\", v.clone())); jar.add(make(\"session\", v)); }\n";
        assert_eq!(run(code), [(model::SAMESITE, 2)]);
        // `name.to_owned()` is still the caller's name: `token` is an auth cookie, `theme` not.
        let owned = code.replace("(name, v)", "(name.to_owned(), v)");
        assert_eq!(run(&owned), [(model::SAMESITE, 2)]);
        let theme = owned.replace("\"session\"", "\"lang\"");
        assert_eq!(run(&theme), []);
    }

    #[test]
    fn attributes_set_in_a_branch_or_under_cfg_are_configured() {
        let code = format!(
            "use cookie::*;\n\
            fn a(jar: &mut CookieJar, v: String, https: bool) {{\n\
              let mut c = Cookie::new(\"sid\", v);\n\
              c.set_http_only(true); c.set_same_site(SameSite::Lax);\n\
              if https {{ c.set_secure(true); }}\n\
              jar.add(c);\n\
            }}\n\
            fn b(jar: &mut CookieJar, v: String) {{\n\
              let c = Cookie::build((\"jwt\", v)){FULL};\n\
              #[cfg(debug_assertions)]\n\
              let c = c.secure(false);\n\
              jar.add(c);\n\
            }}\n"
        );
        assert_eq!(run(&code), []);
        // Turning Secure off in a development branch leaves it absent otherwise.
        let code = code.replace("c.set_secure(true)", "c.set_secure(false)");
        assert_eq!(run(&code), [(model::SECURE, 3)]);
    }

    #[test]
    fn rocket_defaults_depend_on_the_method() {
        let code = "use rocket::http::{Cookie, CookieJar};\n\
            fn a(cookies: &CookieJar<'_>, v: String) { cookies.add_private(Cookie::build((\"session\", v)).secure(true)); }\n\
            fn b(cookies: &CookieJar<'_>, v: String) { cookies.add(Cookie::build((\"session\", v)).secure(true)); }\n";
        // `add_private` fills in HttpOnly and SameSite; `add` only SameSite.
        assert_eq!(run(code), [(model::HTTPONLY, 3)]);
    }

    #[test]
    fn removal_cookies_are_not_reported() {
        let code = "use cookie::*;\n\
            fn a(jar: &mut CookieJar) { let mut c = Cookie::new(\"sid\", \"x\"); c.make_removal(); jar.add(c); }\n\
            fn b(jar: &mut CookieJar, v: String) { jar.add(Cookie::build((\"sid\", v)).max_age(Duration::ZERO)); }\n\
            fn c(jar: &mut CookieJar, v: String) { jar.remove(Cookie::build((\"sid\", v))); }\n\
            fn logout(jar: &mut CookieJar, v: String) { jar.add(Cookie::new(\"sid\", v)); }\n\
            fn e(jar: &mut CookieJar, v: String) { jar.add(Cookie::build((\"sid\", v)).expires(OffsetDateTime::UNIX_EPOCH)); }\n";
        assert_eq!(run(code), []);
    }

    #[test]
    fn cookies_sent_with_a_request_are_not_set() {
        let code = "use actix_web::{cookie::Cookie, test::TestRequest};\n\
            fn a(token: String) { let req = TestRequest::default().cookie(Cookie::new(\"session\", token)).to_request(); }\n\
            fn b(client: &awc::Client, token: String) { client.get(\"/\").cookie(Cookie::new(\"session\", token)); }\n";
        assert_eq!(run(code), []);
    }

    #[test]
    fn a_cookie_handed_over_mutably_may_get_its_attributes_there() {
        let code = "use cookie::*;\n\
            fn a(jar: &mut CookieJar, v: String) { let mut c = Cookie::new(\"sid\", v); harden(&mut c); jar.add(c); }\n";
        assert_eq!(run(code), []);
    }

    #[test]
    fn http_client_cookies_are_not_response_cookies() {
        let code = "use reqwest_cookie_store::CookieStore;\nuse cookie_store::Cookie;\n\
            fn a(v: String) { let c = Cookie::new(\"session\", v); store(c); }\n";
        assert_eq!(run(code), []);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut body = String::from("jar.add(Cookie::new(\"sid\", v))");
        for _ in 0..120 {
            body = format!("{{ {body} }}");
        }
        let code = format!("use cookie::*;\nfn a(jar: &mut CookieJar, v: String) {{ {body} }}\n");
        let found = std::thread::Builder::new()
            .stack_size(32 << 20)
            .spawn(move || run(&code))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(found.len(), 3);
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
            rule: Rule::CookieMissingHttponly,
            file: "src/auth.rs",
            prelude: r#"use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};"#,
            fail: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).secure(true).same_site(SameSite::Lax)) }"#,
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("jwt", v)).http_only(false).secure(true).same_site(SameSite::Lax)) }"#,
            ],
            pass: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).http_only(true).secure(true).same_site(SameSite::Lax)) }"#,
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("theme", v)).secure(true).same_site(SameSite::Lax)) }"#,
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("csrf_token", v)).secure(true).same_site(SameSite::Strict)) }"#,
                r#"// fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).secure(true).same_site(SameSite::Lax)) }"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSecure,
            file: "src/auth.rs",
            prelude: r#"use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};"#,
            fail: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).http_only(true).same_site(SameSite::Lax)) }"#,
            ],
            pass: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).http_only(true).secure(true).same_site(SameSite::Lax)) }"#,
            ],
        },
        Cases {
            rule: Rule::CookieMissingSamesite,
            file: "src/auth.rs",
            prelude: r#"use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};"#,
            fail: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).http_only(true).secure(true).same_site(SameSite::None)) }"#,
            ],
            pass: &[
                r#"fn f(j: CookieJar, v: String) -> CookieJar { j.add(Cookie::build(("session", v)).http_only(true).secure(true).same_site(SameSite::Strict)) }"#,
            ],
        },
    ];
}
