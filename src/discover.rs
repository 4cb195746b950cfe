//! Finding the files to check: the `ignore` crate's parallel, gitignore-aware walk, default
//! excludes, config excludes, test-code and size limits. Every candidate is accounted for.
use crate::config::Settings;
use crate::finding::SkipReason;
use crate::ignore_files::IgnoreFiles;
use crate::roles::{self, Policy, Role};
use crate::source::FileKind;
use ignore::overrides::{Override, OverrideBuilder};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories never walked into (but files in them named explicitly are still checked).
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".jj",
    "target",
    "node_modules",
    "dist",
    "build",
    "vendor",
    "bower_components",
    ".next",
    ".nuxt",
    ".svelte-kit",
    "coverage",
];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: String,
    pub abs: PathBuf,
    pub kind: FileKind,
    pub explicit: bool,
    /// The file's canonical path: the same file reached twice (two overlapping roots, a symlink
    /// beside its target) is checked once.
    pub identity: PathBuf,
    /// What the file is for, judged inside its project root (see `roles`).
    pub role: Role,
    /// The folder it was found under: where roles are judged when no project root exists.
    pub scan_root: PathBuf,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Files found, counted as each is found (a candidate, a skip or a failure), the same file
    /// reached twice once. The run's accounting is checked against it:
    /// `discovered = scanned + skipped + failed`.
    pub discovered: usize,
    pub candidates: Vec<Candidate>,
    pub skipped: Vec<(String, SkipReason)>,
    /// Files that could not even be looked at (walk errors), with the reason.
    pub failed: Vec<(String, String)>,
    pub lockfiles: Vec<PathBuf>,
    /// Files that say something about the project's shape (binaries, compose files, mobile
    /// clients), whether or not authlint reads them: `(path relative to its scanned root, path on
    /// disk)`.
    pub markers: Vec<(String, PathBuf)>,
}

/// YAML files in the folders Kubernetes manifests live in (`k8s/`, `deploy/`, `manifests/`,
/// `kubernetes/`, `charts/*/templates/`): read for Deployments by the design verdict.
fn is_manifest_dir_yaml(path: &Path) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    yaml && path.components().any(|c| {
        matches!(
            c.as_os_str().to_str(),
            Some(
                "k8s" | "kube" | "kubernetes" | "deploy" | "deployment" | "manifests" | "templates"
            )
        )
    })
}

/// File names recorded as markers for the design verdict.
const MARKER_NAMES: &[&str] = &[
    "main.rs",
    "AndroidManifest.xml",
    "build.gradle",
    "build.gradle.kts",
    "Info.plist",
    "Podfile",
    "pubspec.yaml",
    "package.json",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
];

/// `cwd.join(path)` without `.` and `..` components, so globs and prefixes match (`./web/a.ts`
/// is `web/a.ts`; from `web`, `../.env` is the project's `.env`). `..` is resolved by name, as
/// the shell's `cd ..` does, not through symlinks.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// A file's canonical path, also for a file that does not exist yet (a baseline about to be
/// written): its folder's canonical path joined with its name.
pub fn identity(abs: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(abs) {
        return p;
    }
    match (abs.parent().map(std::fs::canonicalize), abs.file_name()) {
        (Some(Ok(dir)), Some(name)) => dir.join(name),
        _ => abs.to_path_buf(),
    }
}

/// Turns a path into the `/`-separated form findings use: relative to `cwd` when inside it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let s = readable(rel);
    let s = s.trim_start_matches("./");
    if s.is_empty() {
        ".".into()
    } else {
        s.to_string()
    }
}

/// A path as text: `/`-separated on Windows; on Unix a `\\` is a character of the name and stays.
/// Bytes that are not UTF-8 are written `\\xFF`, so two names that differ only there stay two
/// paths (lossy decoding gave both the same spelling, and the report showed the wrong file).
fn readable(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().replace('\\', "/")
    }
}

pub fn build_excludes(settings: &Settings) -> Result<Override, String> {
    let mut b = OverrideBuilder::new(&settings.exclude_root);
    for glob in &settings.exclude {
        b.add(&format!("!{glob}"))
            .map_err(|e| format!("invalid exclude glob `{glob}`: {e}"))?;
    }
    b.build().map_err(|e| e.to_string())
}

fn excluded(ov: &Override, abs: &Path, is_dir: bool) -> bool {
    if ov.is_empty() {
        return false;
    }
    if ov.matched(abs, is_dir).is_ignore() {
        return true;
    }
    // A file inside an excluded directory (needed for files named explicitly).
    abs.ancestors()
        .skip(1)
        .any(|a| a.starts_with(ov.path()) && a != ov.path() && ov.matched(a, true).is_ignore())
}

/// Walks `paths`. `cwd` is the base for display paths; `threads` for the walk.
pub fn discover(
    paths: &[PathBuf],
    settings: &Settings,
    cwd: &Path,
    threads: usize,
) -> Result<Discovery, String> {
    let excludes = build_excludes(settings)?;
    let out = Mutex::new(Discovery::default());
    for root in paths {
        let abs_root = absolute(cwd, root);
        let meta = std::fs::metadata(&abs_root).map_err(|e| format!("{}: {e}", root.display()))?;
        if !meta.is_dir() {
            let mut d = out.lock().unwrap();
            // A file named explicitly (as pre-commit passes them) is judged inside the project,
            // like the same file reached by a walk.
            let parent = if abs_root.starts_with(&settings.exclude_root) {
                settings.exclude_root.clone()
            } else {
                abs_root.parent().unwrap_or(cwd).to_path_buf()
            };
            let identity = std::fs::canonicalize(&abs_root).unwrap_or_else(|_| abs_root.clone());
            d.add(consider_file(
                (root, &abs_root, identity),
                &parent,
                cwd,
                settings,
                &excludes,
                true,
                meta.is_file(),
                &|| meta.len(),
            ));
            continue;
        }
        let canon_root = std::fs::canonicalize(&abs_root).unwrap_or(abs_root.clone());
        out.lock()
            .unwrap()
            .lockfiles
            .extend(crate::project::ProjectInfo::ancestor_lockfiles(&canon_root));
        // The crate's own ignore-file reading is off: it would block on a FIFO `.gitignore`.
        let ignores = std::sync::Arc::new(IgnoreFiles::new(abs_root.clone(), canon_root.clone()));
        let (vetted, walk_cwd) = (ignores.clone(), cwd.to_path_buf());
        let walker = WalkBuilder::new(root)
            .hidden(false)
            .follow_links(false)
            .git_global(false)
            .git_ignore(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .threads(threads)
            .filter_entry(move |e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                let default_excluded = is_dir
                    && e.depth() > 0
                    && DEFAULT_EXCLUDED_DIRS.contains(&e.file_name().to_string_lossy().as_ref());
                !default_excluded && !vetted.is_ignored(&absolute(&walk_cwd, e.path()), is_dir)
            })
            .build_parallel();
        walker.run(|| {
            let out = &out;
            let excludes = &excludes;
            let canon_root = &canon_root;
            let scan_root = abs_root.as_path();
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err_path(&err)
                            .map(|p| display_path(&p, cwd))
                            .unwrap_or_else(|| ".".into());
                        out.lock().unwrap().fail(path, err.to_string());
                        return WalkState::Continue;
                    }
                };
                let path = entry.path();
                let abs = absolute(cwd, path);
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if ft.is_dir() {
                    if entry.depth() > 0 && excluded(excludes, &abs, true) {
                        return WalkState::Skip;
                    }
                    return WalkState::Continue;
                }
                let is_lock = entry.file_name() == "Cargo.lock";
                let is_marker = MARKER_NAMES
                    .contains(&entry.file_name().to_string_lossy().as_ref())
                    || is_manifest_dir_yaml(path);
                // A project file is read where it really is, and only inside the root: a
                // symlink out of it (to /dev/zero, to another checkout) is not followed.
                let real = if !(is_lock || is_marker) {
                    None
                } else if ft.is_symlink() {
                    std::fs::canonicalize(&abs)
                        .ok()
                        .filter(|t| t.starts_with(canon_root))
                } else {
                    Some(abs.clone())
                };
                if let Some(real) = real {
                    let mut d = out.lock().unwrap();
                    if is_marker {
                        let rel = path.strip_prefix(root).unwrap_or(path);
                        d.markers.push((display_path(rel, cwd), real.clone()));
                    }
                    if is_lock {
                        d.lockfiles.push(real);
                    }
                }
                if ft.is_symlink() {
                    let target = std::fs::canonicalize(&abs);
                    match target {
                        Ok(t) if t.starts_with(canon_root) && t.is_file() => {
                            let len = || t.metadata().map(|m| m.len()).unwrap_or(0);
                            let found = consider_file(
                                (path, &abs, t.clone()),
                                scan_root,
                                cwd,
                                settings,
                                excludes,
                                false,
                                true,
                                &len,
                            );
                            out.lock().unwrap().add(found);
                        }
                        Ok(t) if t.is_dir() => {}
                        // A link inside the root to a FIFO, socket or device.
                        Ok(t) if t.starts_with(canon_root) => {
                            if FileKind::classify(&entry.file_name().to_string_lossy()).is_some() {
                                out.lock().unwrap().add(Some(Found::Skipped(
                                    display_path(path, cwd),
                                    SkipReason::NotRegularFile,
                                )));
                            }
                        }
                        _ => {
                            if FileKind::classify(&entry.file_name().to_string_lossy()).is_some() {
                                out.lock().unwrap().add(Some(Found::Skipped(
                                    display_path(path, cwd),
                                    SkipReason::SymlinkOutsideRoot,
                                )));
                            }
                        }
                    }
                    return WalkState::Continue;
                }
                // Walked without following links: the file's canonical path is the canonical
                // root joined with the path below it (no syscall per file).
                let identity = canon_root.join(path.strip_prefix(root).unwrap_or(path));
                let len = || entry.metadata().map(|m| m.len()).unwrap_or(0);
                let found = consider_file(
                    (path, &abs, identity),
                    scan_root,
                    cwd,
                    settings,
                    excludes,
                    false,
                    ft.is_file(),
                    &len,
                );
                out.lock().unwrap().add(found);
                WalkState::Continue
            })
        });
        let mut d = out.lock().unwrap();
        for (path, reason) in ignores.take_problems() {
            d.fail(display_path(&path, cwd), reason);
        }
    }
    let mut d = out.into_inner().unwrap();
    assign_roles(&mut d, settings)?;
    d.candidates.sort();
    // The same file reached twice (`check src ../repo/src`, a symlink beside its target) is
    // checked once.
    let mut seen = std::collections::HashSet::new();
    let found = d.candidates.len() + d.skipped.len();
    d.candidates.retain(|c| seen.insert(c.identity.clone()));
    d.skipped.sort();
    d.skipped.dedup();
    // A file counted twice as it was found is one file.
    d.discovered -= found - (d.candidates.len() + d.skipped.len());
    d.failed.sort();
    d.lockfiles.sort();
    d.lockfiles.dedup();
    d.markers.sort();
    d.markers.dedup();
    Ok(d)
}

/// Gives each candidate its role (a `[roles.paths]` glob first, then the path inside its project
/// root); files whose role is skipped move to `skipped` with the role as the reason.
fn assign_roles(d: &mut Discovery, settings: &Settings) -> Result<(), String> {
    let globs = role_globs(settings)?;
    let mut roots = roles::Roots::default();
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

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn consider_file(
    (path, abs, identity): (&Path, &Path, PathBuf),
    scan_root: &Path,
    cwd: &Path,
    settings: &Settings,
    excludes: &Override,
    explicit: bool,
    regular: bool,
    len: &dyn Fn() -> u64,
) -> Option<Found> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shown = display_path(path, cwd);
    let Some(kind) = FileKind::classify(&name) else {
        let lower = name.to_ascii_lowercase();
        return if [".min.js", ".min.mjs", ".min.cjs"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            Some(Found::Skipped(shown, SkipReason::Minified))
        } else if explicit {
            Some(Found::Skipped(shown, SkipReason::Unsupported))
        } else {
            None
        };
    };
    if excluded(excludes, abs, false) || settings.own_files.contains(&identity) {
        return explicit.then_some(Found::Skipped(shown, SkipReason::Excluded));
    }
    // Roles are given after the walk (`assign_roles`), from each file's project root.
    let reason = if !regular {
        Some(SkipReason::NotRegularFile)
    } else if len() > settings.max_file_size {
        Some(SkipReason::TooLarge)
    } else {
        None
    };
    Some(match reason {
        Some(r) => Found::Skipped(shown, r),
        None => Found::Candidate(Candidate {
            path: shown,
            abs: abs.to_path_buf(),
            kind,
            explicit,
            identity,
            role: Role::Production,
            scan_root: scan_root.to_path_buf(),
        }),
    })
}

/// What became of one file.
enum Found {
    Candidate(Candidate),
    Skipped(String, SkipReason),
}

impl Discovery {
    /// Records one file found by the walk (or named explicitly), and counts it.
    fn add(&mut self, found: Option<Found>) {
        match found {
            Some(Found::Candidate(c)) => self.candidates.push(c),
            Some(Found::Skipped(path, reason)) => self.skipped.push((path, reason)),
            None => return,
        }
        self.discovered += 1;
    }

    /// Records one file the walk could not look at, and counts it.
    fn fail(&mut self, path: String, reason: String) {
        self.failed.push((path, reason));
        self.discovered += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_and_slashed() {
        let cwd = Path::new("/work/p");
        assert_eq!(display_path(Path::new("/work/p/src/a.rs"), cwd), "src/a.rs");
        assert_eq!(display_path(Path::new("./src/a.rs"), cwd), "src/a.rs");
        assert_eq!(
            absolute(Path::new("/work/p/web"), Path::new("../.env")),
            Path::new("/work/p/.env")
        );
        assert_eq!(absolute(cwd, Path::new("/../a/./b")), Path::new("/a/b"));
        assert_eq!(
            display_path(Path::new("/elsewhere/a.rs"), cwd),
            "/elsewhere/a.rs"
        );
    }

    #[cfg(unix)]
    #[test]
    fn unix_names_keep_backslashes_and_tell_invalid_bytes_apart() {
        use std::os::unix::ffi::OsStrExt;
        let cwd = Path::new("/w");
        assert_eq!(display_path(Path::new("/w/a\\b.rs"), cwd), "a\\b.rs");
        let name = |b: &[u8]| display_path(Path::new(std::ffi::OsStr::from_bytes(b)), cwd);
        assert_eq!(name(b"/w/a\xff.rs"), "a\\xFF.rs");
        assert_eq!(name(b"/w/a\xfe.rs"), "a\\xFE.rs");
    }
}
