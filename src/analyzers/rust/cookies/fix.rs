//! The mechanical fixes of the three cookie rules: a missing attribute is added to the builder
//! chain right after `Cookie::build(..)` / `CookieBuilder::new(..)`, where the type is known to
//! be a builder whatever follows. Only an absent attribute is fixed safely; an explicit
//! `.secure(false)` was somebody's choice, so turning it on is an unsafe fix.
use super::model::{self as model, Problem};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::file::SAME_SITE_HOMES;
use crate::finding::Span;
use crate::fix::{Applicability, ReportFix};
use crate::rule::Rule;

/// The fix for `rule`'s `problem` on the cookie created at `origin`, if one is mechanical.
pub fn fix(rf: &RustFile, rule: Rule, problem: Problem, origin: Span) -> Option<ReportFix> {
    let text = rf.src.text.get(origin.start..origin.end)?;
    match problem {
        Problem::Absent => {
            let call = builder_call(text)?;
            let code = match rule {
                model::HTTPONLY => ".http_only(true)".to_string(),
                model::SECURE => ".secure(true)".to_string(),
                _ => format!(".same_site({}::Lax)", same_site_path(rf, call)?),
            };
            Some(ReportFix::insert(format!("add `{code}`"), origin.end, code))
        }
        Problem::Off(Some(at)) if rule != model::SAMESITE => {
            let set = rf.src.text.get(at.start..at.end)?;
            let pos = set.rfind("false")?;
            let start = at.start + pos;
            Some(ReportFix::replace(
                "turn the attribute on",
                Applicability::Unsafe,
                Span::new(start, start + "false".len()),
                "true",
            ))
        }
        _ => None,
    }
}

/// The path before `::build` / `::new` when `text` is exactly one builder constructor call.
fn builder_call(text: &str) -> Option<&str> {
    let open = text.find('(')?;
    let path: &str = text[..open].trim_end();
    let builder = path.ends_with("Cookie::build") || path.ends_with("CookieBuilder::new");
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    (builder && path.chars().all(ident) && text.ends_with(')')).then_some(path)
}

/// How to name `SameSite` in this file: bare when a `use` brings it (or a glob of a cookie
/// module) into scope, else through the module the builder's `Cookie` comes from.
fn same_site_path(rf: &RustFile, call: &str) -> Option<String> {
    let scope = rf.same_site();
    if scope.in_scope {
        return Some("SameSite".into());
    }
    // `cookie::Cookie::build(..)` names its module itself.
    let segments: Vec<&str> = call.split("::").collect();
    let own = (segments.len() > 2).then(|| segments[..segments.len() - 2].join("::"));
    scope
        .homes
        .iter()
        .chain(own.as_ref())
        .find(|h| SAME_SITE_HOMES.contains(&h.trim_start_matches("::")))
        .map(|h| format!("{h}::SameSite"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn path_for(code: &str, call: &str) -> Option<String> {
        let src = SourceFile::from_text("t.rs", code);
        let ast = syn::parse_file(code).unwrap();
        let rf = RustFile::new(&src, &ast);
        same_site_path(&rf, call)
    }

    #[test]
    fn same_site_is_named_as_the_file_can_see_it() {
        assert_eq!(
            path_for("use cookie::{Cookie, SameSite};", "Cookie::build").as_deref(),
            Some("SameSite")
        );
        assert_eq!(
            path_for("use actix_web::cookie::*;", "Cookie::build").as_deref(),
            Some("SameSite")
        );
        assert_eq!(
            path_for(
                "use axum_extra::extract::cookie::{Cookie, CookieJar};",
                "Cookie::build"
            )
            .as_deref(),
            Some("axum_extra::extract::cookie::SameSite")
        );
        assert_eq!(
            path_for("", "cookie::Cookie::build").as_deref(),
            Some("cookie::SameSite")
        );
        // A `Cookie` of the project's own: no guess.
        assert_eq!(path_for("use crate::web::Cookie;", "Cookie::build"), None);
    }

    #[test]
    fn only_a_single_constructor_call_is_a_builder() {
        assert_eq!(
            builder_call("Cookie::build((\"sid\", v))"),
            Some("Cookie::build")
        );
        assert_eq!(builder_call("Cookie::new(\"sid\", v)"), None);
        assert_eq!(builder_call("make(Cookie::build(x))"), None);
    }
}
