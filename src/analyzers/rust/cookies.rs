//! `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite` for cookies made
//! with the `cookie` crate and its re-exports (actix-web, axum-extra, tower-cookies, rocket, poem,
//! salvo): `Cookie::new`, `Cookie::build((n, v))` / `Cookie::build(n, v)`, `CookieBuilder::new`,
//! `Cookie::parse("...")`, and bare `(name, value)` tuples given to a jar.
//!
//! Each function body is evaluated in order; a cookie is followed through `let` bindings,
//! `set_*` calls and helper functions of the same file (a helper returning a builder the caller
//! completes is judged with the caller's attributes). It is reported where it is created, with a
//! label where it is added or returned, after the adder's defaults (Rocket) are filled in.
use super::RustFile;
use super::cookie_flow::{FileInfo, Record, Style};
use super::cookie_model::{self as model, Adder, Problem};
use crate::analyzers::{Context, Sink};
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
            if rec.removal || (rec.returned && called) {
                continue;
            }
            report_record(rf, rec, &mut reported, sink);
        }
    }
}

fn report_record(
    rf: &RustFile,
    rec: &Record,
    reported: &mut HashSet<(&'static str, usize)>,
    sink: &mut Sink,
) {
    let purpose = rec.purpose();
    let adders = if rec.adders.is_empty() {
        vec![Adder::Plain]
    } else {
        rec.adders.clone()
    };
    let mut done: Vec<&str> = Vec::new();
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
            if span != rec.origin {
                r = r.label(rec.origin, "cookie created here");
            }
            for (s, msg) in &rec.labels {
                if s.start != span.start {
                    r = r.label(*s, msg.clone());
                }
            }
            let _ = rf;
            sink.report(r);
        }
    }
}

/// What to write, in the style the cookie was made with.
fn help(rec: &Record, rule: &str, problem: Problem, adder: Adder) -> String {
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
            return "replace `.secure(false)` with `.secure(true)`, or set it from config for local http development (browsers accept Secure cookies on http://localhost)".into();
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
