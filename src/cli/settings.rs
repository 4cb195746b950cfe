//! `check --show-settings FILE`: which config applies to a file, the limits it sets, the file's
//! role and policy, and each rule's level there (after `--select`/`--ignore`, `[rules]` and
//! `[per-file-ignores]`). ruff's `--show-settings`, for one file.
use crate::catalog;
use crate::config::duration::format_duration;
use crate::engine::Options;
use std::fmt::Write;
use std::path::Path;

pub fn show(opts: &Options, file: &Path, config_flag: Option<&Path>) -> Result<String, String> {
    let s = &opts.settings;
    let abs = crate::reader::absolute(&opts.cwd, file);
    if !abs.exists() {
        return Err(format!("--show-settings {}: no such file", file.display()));
    }
    let display = |p: &Path| crate::discover::display_path(p, &opts.cwd);
    let mut t = String::new();
    let config = match (&s.source, config_flag) {
        (Some(p), Some(_)) => format!("{} (--config)", display(p)),
        (Some(p), None) => format!("{} (found upward from the paths checked)", display(p)),
        (None, _) => "none: the defaults (--no-config, or no authlint.toml found)".into(),
    };
    let _ = writeln!(t, "file: {}", display(&abs));
    let _ = writeln!(t, "config: {config}");
    let _ = writeln!(t, "globs relative to: {}", display(&s.exclude_root));
    let rows = crate::discover::show_roles(&[file.to_path_buf()], s, &opts.cwd, 1)?;
    match rows.first() {
        Some((_, decision, policy)) => {
            let _ = writeln!(
                t,
                "role: {} ({}); policy: {}",
                decision.role.as_str(),
                decision.reason,
                policy.describe()
            );
        }
        None => {
            let _ = writeln!(
                t,
                "role: none: not checked (excluded by config, or not a file type authlint reads)"
            );
        }
    }
    let _ = writeln!(
        t,
        "access_token_max_ttl: {}",
        format_duration(s.access_token_max_ttl)
    );
    let _ = writeln!(
        t,
        "refresh_token_max_ttl: {}",
        format_duration(s.refresh_token_max_ttl)
    );
    let _ = writeln!(t, "max_file_size: {} bytes", s.max_file_size);
    let _ = writeln!(t, "include_tests: {}", s.include_tests);
    let _ = writeln!(t, "exclude: {:?}", s.exclude);
    let baseline = s.baseline.as_deref().map_or("none".into(), display);
    let _ = writeln!(t, "baseline: {baseline}");
    let ignored = abs
        .strip_prefix(&s.exclude_root)
        .map(|rel| s.per_file_ignores.for_path(rel))
        .unwrap_or_default();
    let _ = writeln!(t, "rules:");
    let width = catalog::all().iter().map(|r| r.id.len()).max().unwrap_or(0);
    for rule in catalog::all() {
        let id = rule.id.as_str();
        let level = match opts.level(rule.rule()) {
            None => "off".to_string(),
            Some(_) if let Some((glob, _)) = ignored.iter().find(|(_, r)| *r == rule.rule()) => {
                format!("off in this file ([per-file-ignores] \"{glob}\")")
            }
            Some(sev) => sev.to_string(),
        };
        let _ = writeln!(t, "  {id:<width$}  {level}");
    }
    Ok(t)
}
