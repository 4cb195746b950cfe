//! Finding the files to check: the `ignore` crate's parallel, gitignore-aware walk, default
//! excludes, config excludes, test-code and size limits. Every candidate is accounted for.
use crate::config::Settings;
use crate::finding::SkipReason;
use crate::ignore_files::IgnoreFiles;
use crate::reader::absolute;
use crate::roles::Role;

mod roles;

use crate::source::FileKind;
use ignore::overrides::{Override, OverrideBuilder};
use ignore::{WalkBuilder, WalkState};
use roles::assign_roles;
pub use roles::{role_of, show_roles};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Version-control metadata: never walked into, and not counted (it is no part of the project).
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".jj"];

/// Build output and installed dependencies: never walked into, at any depth (files in them named
/// explicitly are still checked). Each such folder is counted in `skipped_dirs`.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
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
    /// Folders the walk did not enter (default excludes, config excludes), with the reason. Their
    /// files are not looked at, so they are counted as folders, not in `discovered`.
    pub skipped_dirs: Vec<(String, SkipReason)>,
    /// Files that could not even be looked at (walk errors), with the reason.
    pub failed: Vec<(String, String)>,
    pub lockfiles: Vec<PathBuf>,
    /// Files that say something about the project's shape (binaries, compose files, mobile
    /// clients), whether or not authlint reads them: `(path relative to its scanned root, path on
    /// disk)`.
    pub markers: Vec<(String, PathBuf)>,
    /// The project-root markers (`.git`, `Cargo.toml`, ..) in each folder the walk listed, so
    /// that roles are judged without looking for each marker in each folder again.
    pub root_markers: crate::roles::Markers,
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
    "Dockerfile",
];

/// `docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`, ...
pub fn is_compose_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let stem = n
        .strip_suffix(".yml")
        .or_else(|| n.strip_suffix(".yaml"))
        .unwrap_or("");
    ["docker-compose", "compose"]
        .iter()
        .any(|c| stem == *c || stem.starts_with(&format!("{c}.")))
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
    crate::manifest::forget_project_tops();
    let out = Mutex::new(Discovery::default());
    for root in paths {
        let abs_root = absolute(cwd, root);
        let meta = std::fs::metadata(&abs_root).map_err(|e| format!("{}: {e}", root.display()))?;
        if !meta.is_dir() {
            let found = named_file(root, &abs_root, &meta, settings, cwd, &excludes);
            out.lock().unwrap().add(found);
            continue;
        }
        let canon_root = std::fs::canonicalize(&abs_root).unwrap_or(abs_root.clone());
        out.lock()
            .unwrap()
            .lockfiles
            .extend(crate::manifest::ancestor_lockfiles(&canon_root));
        // The crate's own ignore-file reading is off: it would block on a FIFO `.gitignore`.
        let ignores = IgnoreFiles::new(abs_root.clone(), canon_root.clone());
        let walk = Walk {
            root,
            abs_root: &abs_root,
            canon_root: &canon_root,
            cwd,
            settings,
            excludes: &excludes,
            ignores: &ignores,
            out: &out,
        };
        walk.run(threads);
        let mut d = out.lock().unwrap();
        for (path, reason) in ignores.take_problems() {
            d.fail(display_path(&path, cwd), reason);
        }
    }
    let mut d = out.into_inner().unwrap();
    assign_roles(&mut d, settings)?;
    d.settle();
    Ok(d)
}

/// A file named explicitly (as pre-commit passes them) is judged inside the project, like the
/// same file reached by a walk.
fn named_file(
    root: &Path,
    abs_root: &Path,
    meta: &std::fs::Metadata,
    settings: &Settings,
    cwd: &Path,
    excludes: &Override,
) -> Option<Found> {
    let parent = if abs_root.starts_with(&settings.exclude_root) {
        settings.exclude_root.clone()
    } else {
        abs_root.parent().unwrap_or(cwd).to_path_buf()
    };
    let identity = std::fs::canonicalize(abs_root).unwrap_or_else(|_| abs_root.to_path_buf());
    consider_file(
        (root, abs_root, identity),
        &parent,
        cwd,
        settings,
        excludes,
        true,
        meta.is_file(),
        &|| meta.len(),
    )
}

/// One folder's walk: what every entry is judged against, and where its fate is recorded.
struct Walk<'a> {
    /// The folder as given (paths are shown below it: `./src/a.rs`, `../web/a.ts`).
    root: &'a Path,
    /// The folder made absolute from `cwd`: the walk starts here, never from the process's
    /// working directory.
    abs_root: &'a Path,
    canon_root: &'a Path,
    cwd: &'a Path,
    settings: &'a Settings,
    excludes: &'a Override,
    /// `.gitignore`, `.ignore` and `.git/info/exclude`, read through the bounded reader.
    ignores: &'a IgnoreFiles,
    out: &'a Mutex<Discovery>,
}

impl Walk<'_> {
    fn run(&self, threads: usize) {
        WalkBuilder::new(self.abs_root)
            .hidden(false)
            .follow_links(false)
            .git_global(false)
            .git_ignore(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .threads(threads)
            .build_parallel()
            .run(|| Box::new(move |entry| self.entry(entry)));
    }

    /// The path below the walked folder.
    fn below(&self, p: &Path) -> PathBuf {
        p.strip_prefix(self.abs_root).unwrap_or(p).to_path_buf()
    }

    fn entry(&self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                if let Some(p) = err_path(&err) {
                    // A folder not fully listed: its markers are looked for on disk.
                    self.note_root_marker(&p, crate::roles::MARKER_UNSURE);
                }
                let path = err_path(&err)
                    .map(|p| display_path(&self.root.join(self.below(&p)), self.cwd))
                    .unwrap_or_else(|| ".".into());
                self.out.lock().unwrap().fail(path, err.to_string());
                return WalkState::Continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            return WalkState::Continue;
        };
        self.root_marker(&entry, ft);
        if entry.depth() > 0 && self.ignores.is_ignored(entry.path(), ft.is_dir()) {
            return if ft.is_dir() {
                WalkState::Skip
            } else {
                WalkState::Continue
            };
        }
        let rel = self.below(entry.path());
        let path = self.root.join(&rel);
        if ft.is_dir() {
            let state = self.folder(&entry, &path);
            if matches!(state, WalkState::Continue) {
                self.note_root_marker(entry.path(), 0);
            }
            return state;
        }
        self.project_file(&entry, ft, &rel, &path);
        if ft.is_symlink() {
            self.symlink(&entry, &path);
        } else {
            // Walked without following links: the file's canonical path is the canonical
            // root joined with the path below it (no syscall per file).
            let identity = self.canon_root.join(&rel);
            // No size look here: the reader checks the size of the open file (`read_into`) and
            // skips a file over `max_file_size` as too large all the same, one `stat` fewer
            // per file.
            let len = || 0;
            let found = self.consider((&path, entry.path(), identity), ft.is_file(), &len);
            self.out.lock().unwrap().add(found);
        }
        WalkState::Continue
    }

    /// Notes what roles are judged from (`roles::Roots`): a project-root marker in a folder,
    /// ignored or not, as roots are judged from what is on disk (`bits`, one symlink makes the
    /// folder unsure), or a folder about to be listed, with no marker yet (`0`). A folder not
    /// listed (ignored, excluded, unreadable) is looked at on disk if ever asked.
    fn note_root_marker(&self, dir: &Path, bits: u8) {
        let mut d = self.out.lock().unwrap();
        *d.root_markers
            .entry(dir.as_os_str().to_owned())
            .or_insert(0) |= bits;
    }

    fn root_marker(&self, entry: &ignore::DirEntry, ft: std::fs::FileType) {
        let Some(bit) = crate::roles::marker_bit(entry.file_name()) else {
            return;
        };
        let bit = if ft.is_symlink() {
            crate::roles::MARKER_UNSURE
        } else {
            bit
        };
        if let Some(dir) = entry.path().parent() {
            self.note_root_marker(dir, bit);
        }
    }

    /// Whether to enter a folder below the root; one not entered is recorded with its reason.
    fn folder(&self, entry: &ignore::DirEntry, path: &Path) -> WalkState {
        if entry.depth() == 0 {
            return WalkState::Continue;
        }
        let name = entry.file_name().to_string_lossy();
        match skipped_dir(&name, entry.path(), self.excludes) {
            DirFate::Walk => WalkState::Continue,
            DirFate::Skip(None) => WalkState::Skip,
            DirFate::Skip(Some(reason)) => {
                let shown = display_path(path, self.cwd);
                self.out.lock().unwrap().skipped_dirs.push((shown, reason));
                WalkState::Skip
            }
        }
    }

    /// Records a file that tells the project's shape (a Cargo.lock, a marker for the verdict).
    /// It is read where it really is, and only inside the root: a symlink out of it (to
    /// /dev/zero, to another checkout) is not followed.
    fn project_file(
        &self,
        entry: &ignore::DirEntry,
        ft: std::fs::FileType,
        rel: &Path,
        path: &Path,
    ) {
        let is_lock = entry.file_name() == "Cargo.lock";
        let name = entry.file_name().to_string_lossy();
        let is_marker = MARKER_NAMES.contains(&name.as_ref())
            || is_compose_file(&name)
            || is_manifest_dir_yaml(path);
        if !(is_lock || is_marker) {
            return;
        }
        let real = if ft.is_symlink() {
            std::fs::canonicalize(entry.path())
                .ok()
                .filter(|t| t.starts_with(self.canon_root))
        } else {
            Some(entry.path().to_path_buf())
        };
        let Some(real) = real else {
            return;
        };
        let mut d = self.out.lock().unwrap();
        if is_marker {
            d.markers.push((display_path(rel, self.cwd), real.clone()));
        }
        if is_lock {
            d.lockfiles.push(real);
        }
    }

    /// A symlink is followed to a file inside the root; one pointing out of it (or nowhere) is
    /// a skipped file when authlint would read its kind.
    fn symlink(&self, entry: &ignore::DirEntry, path: &Path) {
        let found = match std::fs::canonicalize(entry.path()) {
            Ok(t) if t.starts_with(self.canon_root) && t.is_file() => {
                let len = || t.metadata().map(|m| m.len()).unwrap_or(0);
                self.consider((path, entry.path(), t.clone()), true, &len)
            }
            Ok(t) if t.is_dir() => None,
            // A link inside the root to a FIFO, socket or device.
            Ok(t) if t.starts_with(self.canon_root) => {
                FileKind::classify(&entry.file_name().to_string_lossy()).map(|_| {
                    Found::Skipped(display_path(path, self.cwd), SkipReason::NotRegularFile)
                })
            }
            _ => FileKind::classify(&entry.file_name().to_string_lossy()).map(|_| {
                Found::Skipped(display_path(path, self.cwd), SkipReason::SymlinkOutsideRoot)
            }),
        };
        self.out.lock().unwrap().add(found);
    }

    fn consider(
        &self,
        (path, abs, identity): (&Path, &Path, PathBuf),
        regular: bool,
        len: &dyn Fn() -> u64,
    ) -> Option<Found> {
        consider_file(
            (path, abs, identity),
            self.abs_root,
            self.cwd,
            self.settings,
            self.excludes,
            false,
            regular,
            len,
        )
    }
}

/// Whether the walk enters a folder below a root, and if not, the reason it is counted under.
enum DirFate {
    Walk,
    /// Not entered; `None`: not counted (version-control metadata).
    Skip(Option<SkipReason>),
}

fn skipped_dir(name: &str, abs: &Path, excludes: &Override) -> DirFate {
    if VCS_DIRS.contains(&name) {
        DirFate::Skip(None)
    } else if DEFAULT_EXCLUDED_DIRS.contains(&name) {
        DirFate::Skip(Some(SkipReason::DefaultExcludedDir))
    } else if excluded(excludes, abs, true) {
        DirFate::Skip(Some(SkipReason::Excluded))
    } else {
        DirFate::Walk
    }
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
        return if crate::source::is_minified_name(&name.to_ascii_lowercase()) {
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

    /// Sorts everything found; the same file reached twice (`check src ../repo/src`, a symlink
    /// beside its target) is checked, and counted, once.
    fn settle(&mut self) {
        self.candidates.sort();
        let mut seen = std::collections::HashSet::new();
        let found = self.candidates.len() + self.skipped.len();
        // Keyed by the identity's bytes: `Path`'s own hash walks its components, and was 1 % of
        // a run on the application corpus. Identities are all built alike (root joined with a
        // relative path), so equal bytes and equal paths are the same test here.
        self.candidates
            .retain(|c| seen.insert(c.identity.as_os_str().to_owned()));
        self.skipped.sort();
        self.skipped.dedup();
        self.discovered -= found - (self.candidates.len() + self.skipped.len());
        self.skipped_dirs.sort();
        self.skipped_dirs.dedup();
        self.failed.sort();
        self.lockfiles.sort();
        self.lockfiles.dedup();
        self.markers.sort();
        self.markers.dedup();
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
