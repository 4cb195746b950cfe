//! The products table (`authlint products`, and the README's copy of it): for each product file
//! under `rules/products/`, which files are read, where in them, and which settings feed which
//! rule. Generated from the data, so the README cannot drift from what authlint reads.
use super::messages::{
    ACCESS_TTL, HTTPONLY, NO_EXPIRY, REFRESH_TTL, REVOCABLE, ROTATION, SAMESITE, SECRET, SECURE,
};
use super::products::{self, Entity, Product, Role};
use crate::rule::Rule;

/// The rule a setting of this role feeds; `None` for settings read only to be left alone.
pub fn rule_of(role: Role) -> Option<Rule> {
    Some(match role {
        Role::AccessTtl => ACCESS_TTL,
        Role::RefreshTtl => REFRESH_TTL,
        Role::NoExpiry => NO_EXPIRY,
        Role::RotationOff | Role::ReuseWindow => ROTATION,
        Role::RevocationOff | Role::AccessFormat => REVOCABLE,
        Role::CookieHttponly => HTTPONLY,
        Role::CookieSecure => SECURE,
        Role::CookieSamesite => SAMESITE,
        Role::Secret => SECRET,
        Role::NotToken => return None,
    })
}

fn format_names(p: &Product) -> String {
    if p.formats.is_empty() {
        return "any config".into();
    }
    let names: Vec<&str> = p
        .formats
        .iter()
        .map(|f| match f.as_str() {
            "toml" => "TOML",
            "yaml" => "YAML",
            "json" => "JSON",
            "env" => ".env",
            "hcl" => "Terraform",
            other => other,
        })
        .collect();
    names.join(", ")
}

/// How a product's files are recognised: by path, or by the keys they hold.
fn recognised_by(p: &Product) -> String {
    let mut parts = Vec::new();
    if !p.paths.is_empty() {
        let paths: Vec<String> = p.paths.iter().map(|x| format!("`{x}`")).collect();
        parts.push(paths.join(", "));
    }
    if !p.signatures.is_empty() {
        let sigs: Vec<String> = p
            .signatures
            .iter()
            .map(|s| format!("`{}`", s.join("` + `")))
            .collect();
        parts.push(format!("files with {}", sigs.join(" or ")));
    }
    if parts.is_empty() {
        parts.push("every file of these formats".into());
    }
    parts.join("; ")
}

/// Where an entity's settings are: `resource.keycloak_realm.*`, `module.*` → `clients[]`.
fn location(e: &Entity) -> String {
    let path: Vec<&str> = [e.at.as_str(), e.settings.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let mut at = if path.is_empty() {
        "the document".to_string()
    } else {
        format!("`{}`", path.join("."))
    };
    let source = e
        .conditions
        .iter()
        .find(|c| !c.mentions.is_empty())
        .map(|c| format!(" from `{}`", c.mentions[0]));
    at.push_str(&source.unwrap_or_default());
    if !e.each.is_empty() {
        at.push_str(&format!(", each `{}`", e.each));
    }
    if !e.paths.is_empty() {
        at.push_str(&format!(" (in `{}`)", e.paths.join("`, `")));
    }
    at
}

/// The settings of an entity grouped by the rule they feed, in rule order of first appearance.
fn settings(e: &Entity) -> String {
    let mut groups: Vec<(Rule, Vec<String>)> = Vec::new();
    for k in &e.keys {
        let Some(rule) = rule_of(k.role) else {
            continue;
        };
        let shown = format!("`{}`", k.path);
        match groups.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, keys)) if !keys.contains(&shown) => keys.push(shown),
            Some(_) => {}
            None => groups.push((rule, vec![shown])),
        }
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(rule, keys)| {
            let id = rule.id();
            format!("{} → [`{id}`](rules/{id}.toml)", keys.join(", "))
        })
        .collect();
    parts.join("<br>")
}

/// The README's products table.
pub fn markdown() -> String {
    let mut s =
        String::from("| Product | Files | Where | Settings read → rule |\n|---|---|---|---|\n");
    let mut all: Vec<&Product> = products::all().iter().collect();
    all.sort_by_key(|a| a.name.to_lowercase());
    for p in all {
        for (i, e) in p.entities.iter().enumerate() {
            let (name, files) = if i == 0 {
                (
                    p.name.clone(),
                    format!("{}: {}", format_names(p), recognised_by(p)),
                )
            } else {
                (String::new(), String::new())
            };
            s.push_str(&format!(
                "| {name} | {files} | {} | {} |\n",
                location(e),
                settings(e)
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_and_every_rule_fed_by_data_is_in_the_table() {
        let table = markdown();
        for p in products::all() {
            assert!(table.contains(&format!("| {} |", p.name)), "{}", p.name);
            for e in &p.entities {
                for k in e.keys.iter().filter(|k| rule_of(k.role).is_some()) {
                    let shown = &k.path;
                    assert!(table.contains(&format!("`{shown}`")), "{}: {shown}", p.name);
                }
            }
        }
        assert!(table.contains("`module.*` from `lgallard/cognito-user-pool`, each `clients[]`"));
    }
}
