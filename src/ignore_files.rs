//! `.gitignore`, `.ignore` and `.git/info/exclude`, read through the bounded reader.
//!
//! The `ignore` crate would open these files itself with a blocking read: a `.gitignore` that is
//! a FIFO hangs the walk, one linked to `/dev/zero` fills memory. So the walk runs with the
//! crate's own ignore files switched off, and this module gives the same answers from files it
//! vetted: regular, at most [`MAX_IGNORE_FILE`] bytes, and (below the scanned root) never through
//! a symlink that leaves the root. Rules are the crate's: in each folder, from the deepest up, the
//! first pattern that matches decides; `.ignore` wins over `.gitignore`, which wins over
//! `.git/info/exclude`; `.gitignore` and `exclude` stop applying above the folder holding `.git`.
//! Folders above the scanned root count too (checking `repo/src` honours `repo/.gitignore`).
//! Not read: the exclude file of a git worktree (where `.git` is a file).
use crate::reader::{self, Origin, ReadError};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A folder's entry, keyed by the folder's path as bytes: `Path`'s own hash walks its components
/// and, with SipHash, was 3 % of a run on the application corpus. The walk spells each folder
/// one way, so equal bytes and equal paths are the same test here.
type ByPath<V> = HashMap<OsString, V, rustc_hash::FxBuildHasher>;

/// A larger ignore file is not read (and says so): real ones are a few KiB.
pub const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The vetted patterns of one folder.
struct Folder {
    ignore: Gitignore,
    gitignore: Gitignore,
    exclude: Gitignore,
    /// The folder holds `.git`: the top of a repository for `.gitignore` and `exclude`.
    has_git: bool,
}

/// The folders whose patterns apply to one folder's entries, nearest first; folders without
/// patterns are left out.
struct Chain {
    links: Vec<Link>,
}

struct Link {
    folder: Arc<Folder>,
    /// No folder between this one and the entry holds `.git`: its `.gitignore` and `exclude`
    /// still apply.
    in_repository: bool,
}

/// Ignore rules for the folders of one scanned root, read once per folder as the walk asks.
pub struct IgnoreFiles {
    /// The scanned root as walked (absolute, without `.` or `..`) and its canonical path: a
    /// symlinked ignore file below it must stay inside.
    root: PathBuf,
    canon_root: PathBuf,
    folders: Mutex<ByPath<Arc<Folder>>>,
    /// Per folder, the folders whose patterns apply to its entries (see [`Chain`]): one lookup
    /// per file instead of one per ancestor.
    chains: Mutex<ByPath<Arc<Chain>>>,
    /// Ignore files that were not read, or held an invalid pattern: `(path, reason)`.
    problems: Mutex<Vec<(PathBuf, String)>>,
}

impl IgnoreFiles {
    pub fn new(root: PathBuf, canon_root: PathBuf) -> Self {
        IgnoreFiles {
            root,
            canon_root,
            folders: Mutex::default(),
            chains: Mutex::default(),
            problems: Mutex::default(),
        }
    }

    /// Whether `abs` (an absolute path without `.` or `..`) is ignored.
    pub fn is_ignored(&self, abs: &Path, is_dir: bool) -> bool {
        let Some(parent) = abs.parent() else {
            return false;
        };
        let (mut by_ignore, mut by_git, mut by_exclude) = (Match::None, Match::None, Match::None);
        for link in &self.chain(parent).links {
            let f = &link.folder;
            if by_ignore.is_none() {
                by_ignore = f.ignore.matched(abs, is_dir).map(|_| ());
            }
            if link.in_repository && by_git.is_none() {
                by_git = f.gitignore.matched(abs, is_dir).map(|_| ());
            }
            if link.in_repository && by_exclude.is_none() {
                by_exclude = f.exclude.matched(abs, is_dir).map(|_| ());
            }
        }
        by_ignore.or(by_git).or(by_exclude).is_ignore()
    }

    /// The folders from `dir` up whose patterns apply below `dir`, nearest first.
    fn chain(&self, dir: &Path) -> Arc<Chain> {
        if let Some(c) = self.chains.lock().unwrap().get(dir.as_os_str()) {
            return c.clone();
        }
        let folder = self.folder(dir);
        let mut links = Vec::new();
        if !(folder.ignore.is_empty() && folder.gitignore.is_empty() && folder.exclude.is_empty()) {
            links.push(Link {
                folder: folder.clone(),
                in_repository: true,
            });
        }
        if let Some(parent) = dir.parent() {
            // Above the folder holding `.git`, `.gitignore` and `exclude` no longer apply.
            links.extend(self.chain(parent).links.iter().map(|l| Link {
                folder: l.folder.clone(),
                in_repository: l.in_repository && !folder.has_git,
            }));
        }
        let chain = Arc::new(Chain { links });
        self.chains
            .lock()
            .unwrap()
            .insert(dir.as_os_str().to_owned(), chain.clone());
        chain
    }

    /// Ignore files that could not be used, to report as the walk's failures.
    pub fn take_problems(&self) -> Vec<(PathBuf, String)> {
        std::mem::take(&mut *self.problems.lock().unwrap())
    }

    fn folder(&self, dir: &Path) -> Arc<Folder> {
        // Held while a folder is read, so each ignore file is read (and reported) once.
        let mut folders = self.folders.lock().unwrap();
        if let Some(f) = folders.get(dir.as_os_str()) {
            return f.clone();
        }
        let git = dir.join(".git");
        let git_meta = std::fs::symlink_metadata(&git).ok();
        let has_git = git_meta.is_some();
        // One look when there is no `.git` (most folders); a symlink is followed.
        let git_dir = git_meta.is_some_and(|m| m.is_dir() || m.is_symlink() && git.is_dir());
        let exclude = if git_dir {
            self.matcher(dir, &git.join("info").join("exclude"))
        } else {
            Gitignore::empty()
        };
        let f = Arc::new(Folder {
            ignore: self.matcher(dir, &dir.join(".ignore")),
            gitignore: self.matcher(dir, &dir.join(".gitignore")),
            exclude,
            has_git,
        });
        folders.insert(dir.as_os_str().to_owned(), f.clone());
        f
    }

    /// The patterns of the ignore file at `path`, for paths below `dir`; empty when it does not
    /// exist or cannot be used (recorded in `problems`).
    fn matcher(&self, dir: &Path, path: &Path) -> Gitignore {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return Gitignore::empty();
        };
        let text = match self.vetted_text(path, meta.file_type().is_symlink()) {
            Ok(t) => t,
            Err(reason) => {
                self.problem(path, format!("ignore file not read: {reason}"));
                return Gitignore::empty();
            }
        };
        let mut b = GitignoreBuilder::new(dir);
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            if let Err(e) = b.add_line(Some(path.to_path_buf()), line) {
                self.problem(path, format!("line {}: {e}", i + 1));
            }
        }
        b.build().unwrap_or_else(|e| {
            self.problem(path, e.to_string());
            Gitignore::empty()
        })
    }

    fn vetted_text(&self, path: &Path, is_link: bool) -> Result<String, String> {
        if is_link && path.starts_with(&self.root) {
            let target = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
            if !target.starts_with(&self.canon_root) {
                return Err("a symlink out of the scanned folder".into());
            }
        }
        match reader::read_text(path, MAX_IGNORE_FILE, Origin::User) {
            Ok(t) => Ok(t),
            // git reads the bytes; a pattern is almost always ASCII.
            Err(ReadError::NotUtf8 { .. }) => {
                let mut buf = Vec::new();
                reader::read_into(path, MAX_IGNORE_FILE, Origin::User, &mut buf)
                    .map_err(|e| e.to_string())?;
                Ok(String::from_utf8_lossy(&buf).into_owned())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn problem(&self, path: &Path, reason: String) {
        self.problems
            .lock()
            .unwrap()
            .push((path.to_path_buf(), reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(root: &Path) -> IgnoreFiles {
        IgnoreFiles::new(root.to_path_buf(), std::fs::canonicalize(root).unwrap())
    }

    #[test]
    fn nested_files_negations_and_precedence_follow_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join(".gitignore"), "*.log\ngen/\n").unwrap();
        std::fs::write(root.join("a/.gitignore"), "!keep.log\n").unwrap();
        std::fs::write(root.join("a/b/.ignore"), "keep.log\n").unwrap();
        let ig = files(&root);
        assert!(ig.is_ignored(&root.join("x.log"), false));
        assert!(ig.is_ignored(&root.join("a/gen"), true));
        assert!(
            !ig.is_ignored(&root.join("a/gen"), false),
            "gen/ is for folders"
        );
        assert!(
            !ig.is_ignored(&root.join("a/keep.log"), false),
            "re-included below"
        );
        assert!(
            ig.is_ignored(&root.join("a/b/keep.log"), false),
            ".ignore wins"
        );
        assert!(!ig.is_ignored(&root.join("a/b/x.rs"), false));
        assert!(ig.take_problems().is_empty());
    }

    #[test]
    fn gitignore_stops_at_the_repository_top() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("repo/.git/info")).unwrap();
        std::fs::write(root.join(".gitignore"), "*.rs\n").unwrap();
        std::fs::write(root.join(".ignore"), "*.ts\n").unwrap();
        std::fs::write(root.join("repo/.git/info/exclude"), "*.env\n").unwrap();
        let ig = files(&root.join("repo"));
        assert!(!ig.is_ignored(&root.join("repo/a.rs"), false));
        assert!(
            ig.is_ignored(&root.join("repo/a.ts"), false),
            ".ignore has no such stop"
        );
        assert!(
            ig.is_ignored(&root.join("repo/.env"), false),
            "info/exclude"
        );
    }

    #[cfg(unix)]
    #[test]
    #[allow(unsafe_code)] // mkfifo, to make a FIFO for the test
    fn hostile_ignore_files_are_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join(".gitignore")).unwrap();
        let fifo = std::ffi::CString::new(root.join("a/.ignore").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("ig"), "*\n").unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("ig"), root.join("b/.gitignore")).unwrap();
        std::fs::write(root.join("big"), "x".repeat(MAX_IGNORE_FILE as usize + 1)).unwrap();
        std::fs::create_dir_all(root.join("c")).unwrap();
        std::os::unix::fs::symlink(root.join("big"), root.join("c/.gitignore")).unwrap();
        let ig = files(&root);
        for f in ["a/x.rs", "b/x.rs", "c/x.rs"] {
            assert!(!ig.is_ignored(&root.join(f), false), "{f}");
        }
        let mut problems: Vec<String> = ig
            .take_problems()
            .into_iter()
            .map(|(p, r)| format!("{}: {r}", p.strip_prefix(&root).unwrap().display()))
            .collect();
        problems.sort();
        assert_eq!(
            problems,
            [
                ".gitignore: ignore file not read: a symlink out of the scanned folder",
                "a/.ignore: ignore file not read: not a regular file",
                "b/.gitignore: ignore file not read: a symlink out of the scanned folder",
                format!("c/.gitignore: ignore file not read: larger than {MAX_IGNORE_FILE} bytes")
                    .as_str(),
            ]
        );
    }
}
