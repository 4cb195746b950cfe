//! Checks an `authlint.toml` as read and turns it into [`Settings`], one step per part of the
//! file. Every problem is collected with its position and reported at once.
use super::{
    ConfigError, ConfigErrors, Level, MAX_GLOBS, RawConfig, RawRoles, Settings, duration, per_file,
};
use crate::catalog;
use crate::finding::Severity;
use crate::roles::{Policy, Role};
use crate::rule::Rule;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Where each step reports a problem: the span in the file, the message, an optional hint.
type Err<'a> = dyn FnMut(Range<usize>, String, Option<String>) + 'a;

pub(super) fn validate(
    raw: RawConfig,
    path: &Path,
    text: &str,
    base: PathBuf,
) -> Result<Settings, ConfigErrors> {
    let mut errors = Vec::new();
    let mut settings = Settings {
        exclude_root: base.clone(),
        source: Some(path.to_path_buf()),
        ..Settings::default()
    };
    let mut err = |span: Range<usize>, message: String, help: Option<String>| {
        errors.push(ConfigError::new(path, text, Some(span), message, help));
    };
    limits(&raw, &mut settings, &mut err);
    if let Some(b) = raw.include_tests {
        settings.include_tests = b;
    }
    exclude(&raw, &mut settings, &mut err);
    if let Some(b) = &raw.baseline {
        settings.baseline = Some(base.join(b.get_ref()));
    }
    if let Some(rules) = &raw.rules {
        rule_levels(rules, &mut settings, &mut err);
    }
    if let Some(table) = &raw.per_file_ignores {
        settings.per_file_ignores = per_file::validate(table, &mut err);
    }
    if let Some(roles) = &raw.roles {
        role_table(roles, &mut settings, &mut err);
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// The lifetime limits, the file size limit and the per-file time budget.
fn limits(raw: &RawConfig, settings: &mut Settings, err: &mut Err) {
    for (value, target, key) in [
        (
            &raw.access_token_max_ttl,
            &mut settings.access_token_max_ttl,
            "access_token_max_ttl",
        ),
        (
            &raw.refresh_token_max_ttl,
            &mut settings.refresh_token_max_ttl,
            "refresh_token_max_ttl",
        ),
    ] {
        if let Some(v) = value {
            match duration::parse_duration(v.get_ref()) {
                Ok(0) => err(v.span(), format!("`{key}` must be longer than zero"), None),
                Ok(secs) => *target = secs,
                Err(e) => err(
                    v.span(),
                    format!("invalid `{key}`: {e}"),
                    Some("write it like \"15m\", \"1h30m\" or \"7d\"".into()),
                ),
            }
        }
    }
    if let Some(v) = &raw.max_file_size {
        let parsed = match v.get_ref() {
            toml::Value::Integer(n) if *n > 0 => Ok(*n as u64),
            toml::Value::String(s) => duration::parse_size(s),
            _ => Err("must be a positive number of bytes or a size like \"2MiB\"".to_string()),
        };
        match parsed {
            Ok(n) => settings.max_file_size = n,
            Err(e) => err(v.span(), format!("invalid `max_file_size`: {e}"), None),
        }
    }
    if let Some(v) = &raw.file_timeout {
        match duration::parse_duration(v.get_ref()) {
            Ok(n) if n > 0 => settings.file_timeout = std::time::Duration::from_secs(n),
            Ok(_) => err(
                v.span(),
                "invalid `file_timeout`: must be at least 1s".into(),
                None,
            ),
            Err(e) => err(v.span(), format!("invalid `file_timeout`: {e}"), None),
        }
    }
}

/// `exclude` globs: each must compile, and there may not be too many.
fn exclude(raw: &RawConfig, settings: &mut Settings, err: &mut Err) {
    if let Some(globs) = &raw.exclude
        && let Some(g) = globs.get(MAX_GLOBS)
    {
        err(
            g.span(),
            format!("`exclude` has {} globs, more than {MAX_GLOBS}", globs.len()),
            Some("exclude whole folders (`vendor/**`) rather than files one by one".into()),
        );
    } else if let Some(globs) = &raw.exclude {
        for g in globs {
            match globset::Glob::new(g.get_ref().trim_end_matches('/')) {
                Ok(_) => settings.exclude.push(g.get_ref().clone()),
                Err(e) => err(
                    g.span(),
                    format!("invalid exclude glob: {}", e.kind()),
                    None,
                ),
            }
        }
    }
}

/// `[rules]`: a known rule id and a level for each.
fn rule_levels(
    rules: &BTreeMap<Spanned<String>, Spanned<String>>,
    settings: &mut Settings,
    err: &mut Err,
) {
    for (id, level) in rules {
        let Some(static_id) = Rule::from_id(id.get_ref()) else {
            let hint = catalog::did_you_mean(id.get_ref()).map(|s| format!("did you mean `{s}`?"));
            err(
                id.span(),
                format!("unknown rule `{}`", id.get_ref()),
                hint.or(Some("`authlint rules` lists every rule id".into())),
            );
            continue;
        };
        let parsed = match level.get_ref().as_str() {
            "off" => Some(Level::Off),
            s => Severity::parse(s).map(Level::On),
        };
        match parsed {
            Some(l) => {
                settings.rules.insert(static_id, l);
            }
            None => err(
                level.span(),
                format!(
                    "invalid level `{}` for rule `{}`",
                    level.get_ref(),
                    id.get_ref()
                ),
                Some("use \"error\", \"warning\", \"note\" or \"off\"".into()),
            ),
        }
    }
}

/// `[roles]`: known roles for the path globs and a known policy for each role.
fn role_table(roles: &RawRoles, settings: &mut Settings, err: &mut Err) {
    let role_names = || {
        crate::roles::ALL
            .iter()
            .map(|r| format!("\"{}\"", r.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let role_of =
        |v: &Spanned<String>,
         err: &mut dyn FnMut(std::ops::Range<usize>, String, Option<String>)| {
            let role = Role::parse(v.get_ref());
            if role.is_none() {
                let hint = crate::roles::ALL
                    .iter()
                    .map(|r| (catalog::edit_distance(v.get_ref(), r.as_str()), r.as_str()))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, r)| format!("did you mean `{r}`?"))
                    .unwrap_or_else(|| format!("roles are {}", role_names()));
                err(
                    v.span(),
                    format!("unknown role `{}`", v.get_ref()),
                    Some(hint),
                );
            }
            role
        };
    let too_many = roles.paths.as_ref().filter(|p| p.len() > MAX_GLOBS);
    if let Some((glob, _)) = too_many.and_then(|p| p.iter().nth(MAX_GLOBS)) {
        err(
            glob.span(),
            format!(
                "`[roles.paths]` has {} globs, more than {MAX_GLOBS}",
                too_many.map_or(0, BTreeMap::len)
            ),
            None,
        );
    }
    for (glob, role) in roles.paths.iter().flatten().take(MAX_GLOBS) {
        let role = role_of(role, err);
        match globset::Glob::new(glob.get_ref().trim_end_matches('/')) {
            Ok(_) => {
                if let Some(r) = role {
                    settings.role_paths.push((glob.get_ref().clone(), r));
                }
            }
            Err(e) => err(
                glob.span(),
                format!("invalid role glob: {}", e.kind()),
                None,
            ),
        }
    }
    for (role, policy) in roles.policy.iter().flatten() {
        let r = role_of(role, err);
        match Policy::parse(policy.get_ref()) {
            Some(p) => {
                if let Some(r) = r {
                    settings.role_policy.insert(r, p);
                }
            }
            None => err(
                policy.span(),
                format!("invalid policy `{}`", policy.get_ref()),
                Some("use \"report\", \"warning\", \"note\" or \"skip\"".into()),
            ),
        }
    }
}
