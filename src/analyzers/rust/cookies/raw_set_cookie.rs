//! Cookies written by hand as `Set-Cookie` header values: string literals and `format!` strings
//! shaped like `name=value; Path=/; HttpOnly`, sent through `header::SET_COOKIE`,
//! `"set-cookie"`, `insert_header`, `append_header`, `HeaderValue::from_str`,
//! `warp::reply::with_header`. Attributes match case-insensitively; an interpolated attribute
//! fragment (`"sid={}; {}"`) counts as configured. Also parses the text of `Cookie::parse("...")`.
use super::model::{self as model, Attrs, CookieName, Flag, Problem, SameSiteValue};
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::{Context, Sink};
use crate::finding::Span;
use std::collections::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// A cookie read from a header string.
#[derive(Debug)]
pub struct RawCookie {
    pub name: CookieName,
    /// The name or the interpolated value mentions a credential.
    pub value_sounds_auth: bool,
    pub attrs: Attrs,
    /// Empty value, `Max-Age=0` or an expiry in 1970: the cookie is being deleted.
    pub removal: bool,
}

/// Marks where a `format!` argument (or a script's `${..}`) is interpolated.
pub const HOLE: char = '\u{1}';

/// A `format!` placeholder's argument: by position or by name (`{name}` / `name = ..`).
#[derive(Debug, PartialEq)]
enum Arg {
    Pos(usize),
    Named(String),
}

/// Replaces each placeholder of a format string by [`HOLE`] and lists the argument of each.
fn holes(fmt: &str) -> (String, Vec<Arg>) {
    let mut out = String::new();
    let mut args = Vec::new();
    let mut next = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                let sel = inner.split(':').next().unwrap_or("").trim();
                args.push(if sel.is_empty() {
                    next += 1;
                    Arg::Pos(next - 1)
                } else if let Ok(n) = sel.parse() {
                    Arg::Pos(n)
                } else {
                    Arg::Named(sel.to_string())
                });
                out.push(HOLE);
            }
            c => out.push(c),
        }
    }
    (out, args)
}

/// Parses `name=value; Attr; Attr=v` (with [`HOLE`]s). `arg_of(i)` gives the expression of the
/// i-th hole. `None` when the text is not shaped like a cookie.
fn parse_text(
    text: &str,
    arg_of: &dyn Fn(usize) -> Option<syn::Expr>,
    consts: &HashMap<String, String>,
) -> Option<RawCookie> {
    let mut hole = 0usize;
    let mut segments = text.split(';');
    let first = segments.next()?;
    let (name, value) = first.split_once('=')?;
    let name = name.trim();
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || "\"(),/:<>?@[]{}".contains(c))
    {
        return None;
    }
    let name_holes = name.matches(HOLE).count();
    let cookie_name = if name_holes == 0 {
        CookieName::Known(name.to_string())
    } else if name == HOLE.to_string() {
        arg_of(0).map_or(CookieName::Unknown, |e| model::name_of(&e, consts))
    } else {
        // `{prefix}_session`: judge by the literal part.
        CookieName::Named(name.replace(HOLE, ""))
    };
    hole += name_holes;
    let value = value.trim().trim_matches('"');
    let mut value_sounds_auth = false;
    for _ in 0..value.matches(HOLE).count() {
        if arg_of(hole).is_some_and(|e| model::value_sounds_auth(&e)) {
            value_sounds_auth = true;
        }
        hole += 1;
    }
    let mut removal = value.is_empty() || model::is_flag_value(value);
    let mut attrs = Attrs::default();
    let mut interpolated = false;
    for seg in segments {
        let seg = seg.trim();
        let (key, val) = seg.split_once('=').unwrap_or((seg, ""));
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim().to_ascii_lowercase().replace(HOLE, "");
        // `SameSite=Lax{secure_flag}`: whatever is interpolated may add attributes.
        interpolated |= seg.contains(HOLE);
        match key.as_str() {
            "httponly" => attrs.http_only.0 = Flag::On,
            "secure" => attrs.secure.0 = Flag::On,
            "partitioned" => attrs.partitioned = Flag::On,
            "samesite" => {
                attrs.same_site.0 = match val.as_str() {
                    "lax" => SameSiteValue::Lax,
                    "strict" => SameSiteValue::Strict,
                    "none" => SameSiteValue::None,
                    _ => SameSiteValue::Configured,
                }
            }
            "max-age" => removal |= val == "0" || val.starts_with('-'),
            "expires" => removal |= val.contains("1970"),
            _ => {}
        }
    }
    if interpolated {
        for f in [&mut attrs.http_only.0, &mut attrs.secure.0] {
            if *f == Flag::Absent {
                *f = Flag::Configured;
            }
        }
        if attrs.same_site.0 == SameSiteValue::Absent {
            attrs.same_site.0 = SameSiteValue::Configured;
        }
    }
    Some(RawCookie {
        name: cookie_name,
        value_sounds_auth,
        attrs,
        removal,
    })
}

/// A cookie from header text written in another language (a script's template literal, with
/// [`HOLE`] where it interpolates): only its literal parts are judged.
pub fn parse_header_text(text: &str) -> Option<RawCookie> {
    parse_text(text, &|_| None, &HashMap::new())
}

/// A cookie from a string literal or a `format!` invocation; `None` for anything else.
pub fn parse_expr(expr: &syn::Expr, consts: &HashMap<String, String>) -> Option<RawCookie> {
    match model::strip(expr) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => parse_text(&s.value().replace(HOLE, ""), &|_| None, consts),
        syn::Expr::Macro(m) => {
            let last = m.mac.path.segments.last()?;
            if last.ident != "format" {
                return None;
            }
            let args = m
                .mac
                .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
                .ok()?;
            let mut it = args.iter();
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(fmt),
                ..
            }) = it.next()?
            else {
                return None;
            };
            let rest: Vec<&syn::Expr> = it.collect();
            let (text, holes) = holes(&fmt.value().replace(HOLE, ""));
            let arg_of = |i: usize| -> Option<syn::Expr> {
                match holes.get(i)? {
                    Arg::Pos(n) => rest
                        .iter()
                        .filter(|e| !matches!(e, syn::Expr::Assign(_)))
                        .nth(*n)
                        .map(|e| (*e).clone()),
                    Arg::Named(name) => Some(
                        rest.iter()
                            .find_map(|e| match e {
                                syn::Expr::Assign(a) if model::is_path(&a.left, name) => {
                                    Some((*a.right).clone())
                                }
                                _ => None,
                            })
                            .unwrap_or_else(|| {
                                syn::parse_str(name).unwrap_or_else(|_| {
                                    syn::Expr::Verbatim(proc_macro2::TokenStream::new())
                                })
                            }),
                    ),
                }
            };
            parse_text(&text, &arg_of, consts)
        }
        _ => None,
    }
}

/// `SET_COOKIE`, `"set-cookie"` in any case, `HeaderName::from_static("set-cookie")`.
fn is_set_cookie_name(expr: &syn::Expr) -> bool {
    match model::strip(expr) {
        syn::Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "SET_COOKIE"),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.value().eq_ignore_ascii_case("set-cookie"),
        syn::Expr::Call(c) => c.args.len() == 1 && is_set_cookie_name(&c.args[0]),
        syn::Expr::MethodCall(m) => m.method == "parse" && is_set_cookie_name(&m.receiver),
        _ => false,
    }
}

/// Follows a header value back to the string it was made from: through `HeaderValue::from_str`,
/// `.parse()`, `.unwrap()`, `?`, `&`, and `let` bindings of the same function.
fn resolve<'a>(
    mut expr: &'a syn::Expr,
    lets: &HashMap<String, &'a syn::Expr>,
) -> Option<&'a syn::Expr> {
    for _ in 0..12 {
        expr = model::strip(expr);
        match expr {
            syn::Expr::Try(t) => expr = &t.expr,
            syn::Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "parse" | "unwrap" | "expect" | "try_into" | "as_bytes" | "unwrap_or_default"
                ) =>
            {
                expr = &m.receiver
            }
            syn::Expr::Call(c) if c.args.len() == 1 => {
                let tail = model::path_tail(&c.func, 1);
                if !matches!(
                    tail.first().map(String::as_str),
                    Some(
                        "from_str"
                            | "from_static"
                            | "try_from"
                            | "from"
                            | "from_bytes"
                            | "from_maybe_shared"
                            | "new"
                    )
                ) {
                    return None;
                }
                expr = &c.args[0];
            }
            syn::Expr::Path(p) => {
                let id = p.path.get_ident()?.to_string();
                expr = lets.get(&id)?;
            }
            syn::Expr::Lit(_) | syn::Expr::Macro(_) => return Some(expr),
            _ => return None,
        }
    }
    None
}

/// `let name = init;` bindings of one function body (the last one of a name wins).
fn lets_of(block: &syn::Block) -> HashMap<String, &syn::Expr> {
    struct V<'a>(HashMap<String, &'a syn::Expr>);
    impl<'a> Visit<'a> for V<'a> {
        fn visit_local(&mut self, l: &'a syn::Local) {
            if let (syn::Pat::Ident(id), Some(init)) = (&l.pat, &l.init) {
                self.0.insert(id.ident.to_string(), &init.expr);
            } else if let (syn::Pat::Type(t), Some(init)) = (&l.pat, &l.init)
                && let syn::Pat::Ident(id) = &*t.pat
            {
                self.0.insert(id.ident.to_string(), &init.expr);
            }
            syn::visit::visit_local(self, l);
        }
    }
    let mut v = V(HashMap::new());
    v.visit_block(block);
    v.0
}

struct Finder<'a, 'r> {
    rf: &'a RustFile<'r>,
    consts: HashMap<String, String>,
    lets: HashMap<String, &'a syn::Expr>,
    seen: HashSet<usize>,
    sink: &'a mut Sink,
}

impl<'a> Finder<'a, '_> {
    fn header_value(&mut self, value: &'a syn::Expr, sent: Span) {
        let Some(src) = resolve(value, &self.lets) else {
            return;
        };
        let span = self.rf.span(src);
        if !self.seen.insert(span.start) {
            return;
        }
        let Some(raw) = parse_expr(src, &self.consts) else {
            return;
        };
        if raw.removal {
            return;
        }
        let purpose = model::purpose(&raw.name, raw.value_sounds_auth);
        let subject = model::describe(&raw.name, purpose);
        for (rule, problem) in model::problems(&raw.attrs, &raw.name, purpose) {
            let help = match (rule, problem) {
                (model::HTTPONLY, _) => "add `; HttpOnly` to the Set-Cookie value".to_string(),
                (model::SECURE, _) => "add `; Secure` to the Set-Cookie value".to_string(),
                (_, Problem::SameSiteNone(_)) => "use `SameSite=Lax` unless the cookie must go with cross-site requests; then keep CSRF protection on every state-changing request".to_string(),
                _ => "add `; SameSite=Lax` (or `Strict`) to the Set-Cookie value".to_string(),
            };
            let mut r = model::report(rule, &subject, problem, span, help);
            if sent.start != span.start {
                r = r.label(sent, "sent as a Set-Cookie header here");
            }
            self.sink.report(r);
        }
    }

    fn pairs(&mut self, items: impl Iterator<Item = &'a syn::Expr>) {
        let v: Vec<&syn::Expr> = items.collect();
        for w in v.windows(2) {
            if is_set_cookie_name(w[0]) {
                let sent = self.rf.span(w[0]);
                self.header_value(w[1], sent);
            }
        }
    }
}

impl<'a> Visit<'a> for Finder<'a, '_> {
    fn visit_block(&mut self, b: &'a syn::Block) {
        // Each function body (and block) adds its bindings; inner ones shadow outer ones.
        let saved = self.lets.clone();
        self.lets.extend(lets_of(b));
        syn::visit::visit_block(self, b);
        self.lets = saved;
    }

    fn visit_expr_tuple(&mut self, t: &'a syn::ExprTuple) {
        self.pairs(t.elems.iter());
        syn::visit::visit_expr_tuple(self, t);
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        self.pairs(c.args.iter());
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        self.pairs(m.args.iter());
        syn::visit::visit_expr_method_call(self, m);
    }
}

pub fn check(rf: &RustFile, _ctx: &Context, sink: &mut Sink) {
    let mut f = Finder {
        rf,
        consts: model::string_consts(rf.ast),
        lets: HashMap::new(),
        seen: HashSet::new(),
        sink,
    };
    f.visit_file(rf.ast);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> RawCookie {
        parse_expr(&syn::parse_str(s).unwrap(), &HashMap::new()).unwrap()
    }

    #[test]
    fn attributes_match_case_insensitively() {
        let c = parse(r#""sid=abc; path=/; httponly; SECURE; samesite=lax""#);
        assert_eq!(c.name, CookieName::Known("sid".into()));
        assert_eq!(c.attrs.http_only.0, Flag::On);
        assert_eq!(c.attrs.secure.0, Flag::On);
        assert_eq!(c.attrs.same_site.0, SameSiteValue::Lax);
    }

    #[test]
    fn format_placeholders_resolve_the_name_and_count_as_configured() {
        let c = parse(r#"format!("{}={}; Path=/; {}", SESSION_COOKIE, id, flags)"#);
        assert_eq!(c.name, CookieName::Named("SESSION_COOKIE".into()));
        assert_eq!(c.attrs.http_only.0, Flag::Configured);
        let c = parse(r#"format!("session={token}; Path=/; HttpOnly")"#);
        assert!(c.value_sounds_auth);
        assert_eq!(c.attrs.secure.0, Flag::Absent);
        let c = parse(r#"format!("{name}={token}; HttpOnly; SameSite=Lax{secure_flag}")"#);
        assert_eq!(c.attrs.secure.0, Flag::Configured);
        assert_eq!(c.attrs.same_site.0, SameSiteValue::Lax);
        let c = parse(r#"format!("session={}; Max-Age=0", v)"#);
        assert!(c.removal);
    }

    #[test]
    fn not_a_cookie() {
        assert!(parse_expr(&syn::parse_str(r#""text/html""#).unwrap(), &HashMap::new()).is_none());
        assert!(parse_expr(&syn::parse_str(r#""a b=c""#).unwrap(), &HashMap::new()).is_none());
    }
}
