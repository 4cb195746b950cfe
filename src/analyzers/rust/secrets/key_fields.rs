//! Settings fields that become keys: a `Default` impl that gives a secret field an empty value
//! (`Self { secret: "".into(), .. }`), a key constructor given a field
//! (`EncodingKey::from_secret(cfg.secret.as_bytes())`), and the checks that reject an empty
//! field before use (`if cfg.secret.is_empty() { .. }`, `assert!(!secret.is_empty())`). Each is a
//! fact; the project pass joins them by field name, across files.
use crate::analyzers::Sink;
use crate::analyzers::rust::index::RustFile;
use crate::analyzers::rust::index::syntax::{macro_name, path_segments, peel, str_lit};
use crate::facts::FactKind;
use syn::Expr;
use syn::visit::Visit;

/// Records this file's empty secret defaults and its emptiness checks.
pub fn collect(rf: &RustFile, sink: &mut Sink) {
    let mut v = Fields {
        rf,
        sink,
        in_default: false,
    };
    v.visit_file(rf.ast);
}

/// A key argument behind borrows and byte conversions (`&cfg.secret.as_bytes().to_vec()`).
pub fn behind_conversions(e: &Expr) -> &Expr {
    let mut e = peel(e);
    for _ in 0..4 {
        match e {
            Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "as_bytes" | "as_ref" | "as_str" | "to_vec" | "clone" | "into" | "as_slice"
                ) =>
            {
                e = peel(&m.receiver);
            }
            _ => break,
        }
    }
    e
}

/// The field a key argument reads (`cfg.secret`, `self.config.jwt_secret`), behind borrows and
/// byte conversions.
pub fn key_field(e: &Expr) -> Option<String> {
    match behind_conversions(e) {
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        _ => None,
    }
}

/// An empty value as a field is written: `""`, `"".into()`, `String::new()`,
/// `Default::default()`.
fn is_empty_value(e: &Expr) -> bool {
    if let Some((v, _)) = str_lit(e) {
        return v.is_empty();
    }
    match peel(e) {
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "into" | "to_string" | "to_owned"
                ) =>
        {
            is_empty_value(&m.receiver)
        }
        Expr::Call(c) => {
            let segs = path_segments(&c.func);
            let last = segs.last().map(String::as_str);
            match c.args.len() {
                0 => matches!(last, Some("new" | "default")),
                1 => last == Some("from") && is_empty_value(&c.args[0]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// A name a secret field may have: it says secret or key.
fn secret_like(field: &str) -> bool {
    super::names::secret_name(field) || field.to_ascii_lowercase().contains("key")
}

struct Fields<'r, 'a, 's> {
    rf: &'r RustFile<'a>,
    sink: &'s mut Sink,
    in_default: bool,
}

impl Fields<'_, '_, '_> {
    /// `x.field.is_empty()` or `local.is_empty()`: the field (or local) checked.
    fn checked(&mut self, m: &syn::ExprMethodCall) {
        if m.method != "is_empty" && m.method != "len" {
            return;
        }
        let name = match peel(&m.receiver) {
            Expr::Field(f) => match &f.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(_) => return,
            },
            Expr::Path(p) if p.path.segments.len() == 1 => p.path.segments[0].ident.to_string(),
            _ => return,
        };
        if secret_like(&name) {
            let span = self.rf.span(m);
            self.sink
                .fact(FactKind::FieldChecked { field: name }, span, None);
        }
    }
}

impl<'ast> Visit<'ast> for Fields<'_, '_, '_> {
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let was = self.in_default;
        self.in_default = i
            .trait_
            .as_ref()
            .and_then(|(_, p, _)| p.segments.last())
            .is_some_and(|s| s.ident == "Default");
        syn::visit::visit_item_impl(self, i);
        self.in_default = was;
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        if self.in_default {
            for fv in &s.fields {
                if let syn::Member::Named(i) = &fv.member
                    && secret_like(&i.to_string())
                    && is_empty_value(&fv.expr)
                {
                    let span = self.rf.span(&fv.expr);
                    let field = i.to_string();
                    self.sink.fact(FactKind::EmptyDefault { field }, span, None);
                }
            }
        }
        syn::visit::visit_expr_struct(self, s);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.checked(m);
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `assert!(!secret.is_empty())`, `ensure!(..)`: the condition is in the macro's tokens.
        if matches!(
            macro_name(mac).as_str(),
            "assert" | "debug_assert" | "ensure" | "assert_ne"
        ) && let Ok(args) = mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        {
            for a in &args {
                self.visit_expr(a);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}
