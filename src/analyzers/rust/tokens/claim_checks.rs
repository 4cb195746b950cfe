//! Which registered claims a function checks by hand: `if claims.exp < now`,
//! `claims.iss != ISSUER`, `ensure!(data.claims.aud == audience)`, `match claims.iss.as_deref()`.
//! A claim counts when it is compared (a comparison operator, a comparing method such as
//! `contains` or `eq`, a `match` on it, an `assert!`/`ensure!` condition), not when it is only
//! read or returned.
use crate::analyzers::rust::index::syntax::{macro_args, macro_name, peel};
use proc_macro2::LineColumn;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The registered claims compared in a function body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub exp: bool,
    pub iss: bool,
    pub aud: bool,
}

impl Checked {
    /// Expiry and origin are both checked: what a verifier would have done after the signature.
    pub fn expiry_and_origin(self) -> bool {
        self.exp && (self.iss || self.aud)
    }
}

/// The claims compared in `block` at or after `after` (nested items excluded).
pub fn checked_after(block: &syn::Block, after: LineColumn) -> Checked {
    let mut v = V {
        after,
        checked: Checked::default(),
    };
    v.visit_block(block);
    v.checked
}

struct V {
    after: LineColumn,
    checked: Checked,
}

/// Methods whose receiver and arguments are compared.
const COMPARING: &[&str] = &[
    "contains",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "cmp",
    "partial_cmp",
    "starts_with",
    "is_before",
    "is_after",
];

impl V {
    fn mark(&mut self, e: &Expr) {
        if e.span().start() < self.after {
            return;
        }
        let mut names = Names(Vec::new());
        names.visit_expr(e);
        for n in names.0 {
            match n.as_str() {
                "exp" | "expires_at" | "expiration" | "expiry" => self.checked.exp = true,
                "iss" | "issuer" => self.checked.iss = true,
                "aud" | "audience" => self.checked.aud = true,
                _ => {}
            }
        }
    }
}

/// Claim-like names in an expression: fields, lone variables, string keys (`claims["exp"]`).
struct Names(Vec<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_member(&mut self, m: &'ast syn::Member) {
        if let syn::Member::Named(i) = m {
            self.0.push(i.to_string());
        }
    }
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(i) = p.path.get_ident() {
            self.0.push(i.to_string());
        }
    }
    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.0.push(s.value());
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

impl<'ast> Visit<'ast> for V {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        use syn::BinOp::*;
        if matches!(b.op, Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_)) {
            self.mark(&b.left);
            self.mark(&b.right);
        }
        syn::visit::visit_expr_binary(self, b);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if COMPARING.contains(&m.method.to_string().as_str()) {
            self.mark(&m.receiver);
            for a in &m.args {
                self.mark(a);
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.mark(peel(&m.expr));
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = macro_name(mac);
        if matches!(
            name.as_str(),
            "assert" | "assert_eq" | "assert_ne" | "ensure" | "ensure_eq" | "debug_assert"
        ) {
            let args = macro_args(mac);
            if name.ends_with("_eq") || name.ends_with("_ne") {
                for a in args.iter().take(2) {
                    self.mark(a);
                }
            }
            for a in &args {
                self.visit_expr(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(body: &str) -> Checked {
        let f: syn::ItemFn = syn::parse_str(&format!("fn f() {{ {body} }}")).unwrap();
        checked_after(&f.block, LineColumn { line: 0, column: 0 })
    }

    #[test]
    fn comparisons_count_reads_do_not() {
        let table: &[(&str, Checked)] = &[
            (
                "if c.claims.exp < now { return None; } if c.claims.iss != ISSUER { return None; }",
                Checked {
                    exp: true,
                    iss: true,
                    aud: false,
                },
            ),
            (
                "ensure!(claims.exp > now, \"expired\"); ensure!(claims.aud.contains(&aud), \"aud\");",
                Checked {
                    exp: true,
                    iss: false,
                    aud: true,
                },
            ),
            (
                "match claims.iss.as_deref() { Some(ISSUER) => {}, _ => return None } let exp = claims.exp; if now >= exp { return None; }",
                Checked {
                    exp: true,
                    iss: true,
                    aud: false,
                },
            ),
            (
                "assert_eq!(claims[\"aud\"], \"api\"); if claims.exp.lt(&now) {}",
                Checked {
                    exp: true,
                    iss: false,
                    aud: true,
                },
            ),
            // Read or returned only: not a check.
            (
                "let sub = claims.sub; Some((claims.exp, claims.iss))",
                Checked::default(),
            ),
            ("if claims.sub == user { }", Checked::default()),
        ];
        for (body, want) in table {
            assert_eq!(checked(body), *want, "{body}");
        }
    }
}
