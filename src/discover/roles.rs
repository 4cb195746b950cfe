//! Each candidate's role: a `[roles.paths]` glob first, then its path inside its project root
//! (`crate::roles`); `check --show-roles` lists them.
use super::{Discovery, discover};
use crate::config::Settings;
use crate::finding::SkipReason;
use crate::roles::{self, Policy};
use std::path::{Path, PathBuf};

/// Gives each candidate its role (a `[roles.paths]` glob first, then the path inside its project
/// root); files whose role is skipped move to `skipped` with the role as the reason.
pub(super) fn assign_roles(d: &mut Discovery, settings: &Settings) -> Result<(), String> {
    let globs = role_globs(settings)?;
    let mut roots = roles::Roots::with_markers(std::mem::take(&mut d.root_markers));
    let mut kept = Vec::with_capacity(d.candidates.len());
    for mut c in std::mem::take(&mut d.candidates) {
        c.role = role_of(&c.abs, &c.scan_root, settings, &globs, &mut roots).role;
        if settings.policy(c.role) == Policy::Skip {
            d.skipped.push((c.path, SkipReason::Role(c.role)));
        } else {
            kept.push(c);
        }
    }
    d.candidates = kept;
    Ok(())
}

/// A file's role and why: a `[roles.paths]` glob (relative to the config's folder), else its path
/// inside its project root.
pub fn role_of(
    abs: &Path,
    scan_root: &Path,
    settings: &Settings,
    globs: &globset::GlobSet,
    roots: &mut roles::Roots,
) -> roles::Decision {
    if let Ok(rel) = abs.strip_prefix(&settings.exclude_root) {
        // Each glob was added twice (itself and `glob/**`): index / 2 is the configured entry.
        if let Some(i) = globs.matches(rel).into_iter().min() {
            let (g, role) = &settings.role_paths[i / 2];
            return roles::Decision {
                role: *role,
                reason: format!("matches `{g}` in [roles.paths]"),
            };
        }
    }
    roles::classify(roots, abs, scan_root)
}

/// Every file a check would consider, with its role, the reason and the policy that applies
/// (`check --show-roles`). A header marker (generated, documentation only) is read as the check
/// reads it.
pub fn show_roles(
    paths: &[PathBuf],
    settings: &Settings,
    cwd: &Path,
    threads: usize,
) -> Result<Vec<(String, roles::Decision, Policy)>, String> {
    let mut all = settings.clone();
    for r in roles::ALL {
        all.role_policy.insert(r, Policy::Report);
    }
    let d = discover(paths, &all, cwd, threads)?;
    let globs = role_globs(settings)?;
    let mut roots = roles::Roots::default();
    let mut rows = Vec::new();
    for c in d.candidates {
        let by_path = role_of(&c.abs, &c.scan_root, settings, &globs, &mut roots);
        let decision = settings
            .header_role(by_path.role, &read_head(&c.abs))
            .unwrap_or(by_path);
        let policy = settings.policy(decision.role);
        rows.push((c.path, decision, policy));
    }
    Ok(rows)
}

/// The first few KiB of a file, lossily decoded (for header markers).
fn read_head(path: &Path) -> String {
    String::from_utf8_lossy(&crate::reader::head(path, 4096)).into_owned()
}

fn role_globs(settings: &Settings) -> Result<globset::GlobSet, String> {
    let mut globs = globset::GlobSetBuilder::new();
    for (g, _) in &settings.role_paths {
        let g = g.trim_end_matches('/');
        // `dir` also covers everything below it; each entry adds two globs (index / 2).
        for pattern in [g.to_string(), format!("{g}/**")] {
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid role glob `{g}`: {e}"))?;
            globs.add(glob);
        }
    }
    globs.build().map_err(|e| e.to_string())
}
