//! Where role claims decide access: a role claim compared (`claims.role == "admin"`), tested
//! (`if claims.is_admin`, `match claims.role`, `matches!(claims.role, ..)`), searched
//! (`claims.roles.contains(..)`), or handed to actix-web-grants for its guards
//! (`req.attach(claims.permissions)`).
use super::Collector;
use crate::analyzers::rust::index::names::{ROLE_FIELDS, last_segment, role_claim, text};
use crate::facts::FactKind;

impl Collector<'_, '_> {
    /// `claims.role == "admin"`, `Role::Admin != claims.role`.
    pub(super) fn role_compared(&mut self, b: &syn::ExprBinary) {
        if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
            for side in [&*b.left, &*b.right] {
                if let Some(claim) = role_claim(side) {
                    self.fact(FactKind::RoleClaimCheck { claim }, b);
                    break;
                }
            }
        }
    }

    /// The condition of an `if` (`if claims.is_admin`, `at` the whole condition) or the
    /// scrutinee of a `match`.
    pub(super) fn role_tested(&mut self, tested: &syn::Expr, at: &syn::Expr) {
        if let Some(claim) = role_claim(tested) {
            self.fact(FactKind::RoleClaimCheck { claim }, at);
        }
    }

    /// `claims.roles.contains(&Role::Admin)`, `claims.permissions.iter().any(..)`; `receiver` is
    /// the receiver's text, lowercase.
    pub(super) fn role_listed(&mut self, m: &syn::ExprMethodCall, receiver: &str) {
        if ROLE_FIELDS
            .iter()
            .any(|f| receiver.ends_with(&format!(". {f}")) || receiver.ends_with(&format!(".{f}")))
            && receiver.contains("claims")
        {
            self.fact(
                FactKind::RoleClaimCheck {
                    claim: receiver.rsplit('.').next().unwrap_or("").trim().to_string(),
                },
                m,
            );
        }
    }

    /// `matches!(claims.role, Role::Admin | Role::Owner)`.
    pub(super) fn role_matched(&mut self, mac: &syn::Macro) {
        if let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) && let Some(first) = args.first()
            && let Some(claim) = role_claim(first)
        {
            self.fact(FactKind::RoleClaimCheck { claim }, mac);
        }
    }

    /// actix-web-grants: `req.attach(claims.permissions)`, `req.attach(vec![claims.permission()])`
    /// hands the token's role claims to the `#[protect(..)]`/`#[has_permissions(..)]` guards,
    /// which decide access from them. Roles loaded per request (`req.attach(perms)`) are not
    /// claims.
    pub(super) fn granted_claims(&mut self, m: &syn::ExprMethodCall) {
        if m.method == "attach"
            && m.args.len() == 1
            && let Some(claim) = claim_read(&m.args[0], 0)
        {
            self.fact(FactKind::RoleClaimCheck { claim }, m);
        }
    }
}

/// The claim an expression reads from a token's claims: `claims.roles`, `claims.permission()`,
/// `data.claims.role.clone()`, inside `vec![..]` or an array.
fn claim_read(e: &syn::Expr, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let from_claims = |base: &syn::Expr| {
        text(base)
            .to_ascii_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == "claims")
    };
    match e {
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(name) if from_claims(&f.base) => Some(name.to_string()),
            _ => None,
        },
        syn::Expr::MethodCall(m) => claim_read(&m.receiver, depth + 1)
            .or_else(|| from_claims(&m.receiver).then(|| m.method.to_string())),
        syn::Expr::Reference(r) => claim_read(&r.expr, depth + 1),
        syn::Expr::Paren(p) => claim_read(&p.expr, depth + 1),
        syn::Expr::Array(a) => a.elems.iter().find_map(|x| claim_read(x, depth + 1)),
        syn::Expr::Macro(m) if last_segment(&m.mac.path) == "vec" => m
            .mac
            .parse_body_with(
                syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            )
            .ok()?
            .iter()
            .find_map(|x| claim_read(x, depth + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::frameworks::tests::facts;
    use crate::facts::FactKind;

    #[test]
    fn claims_attached_for_grants_guards_decide_access_roles_from_the_database_do_not() {
        let checks = |src: &str| {
            facts(src)
                .into_iter()
                .filter_map(|k| match k {
                    FactKind::RoleClaimCheck { claim } => Some(claim),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        let attached = [
            (
                r#"async fn validator(req: ServiceRequest, c: BearerAuth) -> Result<ServiceRequest, Error> { let claims = decode_jwt(c.token())?; req.attach(vec![claims.permission()]); Ok(req) }"#,
                "permission",
            ),
            (
                r#"async fn validator(req: ServiceRequest, c: BearerAuth) -> Result<ServiceRequest, Error> { let claims = decode_jwt(c.token())?; req.attach(claims.roles); Ok(req) }"#,
                "roles",
            ),
            (
                r#"fn grant(req: &ServiceRequest, data: TokenData<Claims>) { req.attach(data.claims.permissions.clone()); }"#,
                "permissions",
            ),
        ];
        for (src, claim) in attached {
            assert_eq!(checks(src), vec![claim.to_string()], "{src}");
        }
        let loaded = [
            r#"async fn validator(req: ServiceRequest, c: BearerAuth) -> Result<ServiceRequest, Error> { let claims = decode_jwt(c.token())?; let perms = load_permissions(&pool, claims.sub).await?; req.attach(perms); Ok(req) }"#,
            r#"fn attach_file(mail: &mut Mail, claims: &Claims) { mail.attach(report_for(claims)); }"#,
        ];
        for src in loaded {
            assert!(checks(src).is_empty(), "{src}");
        }
    }
}
