//! The one way authlint reads a file it did not write (`.gitignore` files too, see
//! `ignore_files`): open without blocking, check the opened descriptor (not the path, which can
//! change in between) is a regular file within the size limit, then read at most that much. A
//! FIFO, a device or a symlink to `/dev/zero` cannot hang the run or fill memory.
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Where the path came from, which decides whether a symlink is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A path the user named (`--config`, `--baseline`): followed wherever it points.
    User,
    /// A file of the checked tree (package.json, a compose file, Cargo.toml, Cargo.lock): a
    /// symlink is never followed (discovery resolves a link that stays inside the root, and
    /// passes the file it points to).
    Project,
}

#[derive(Debug)]
pub enum ReadError {
    /// A directory, FIFO, socket, device, or (for [`Origin::Project`]) a symlink.
    NotRegular,
    TooLarge {
        limit: u64,
    },
    NotUtf8 {
        offset: usize,
    },
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
            ReadError::NotUtf8 { offset } => {
                write!(f, "not valid UTF-8 (first invalid byte at offset {offset})")
            }
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

fn open(path: &Path, origin: Origin) -> Result<File, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless non-blocking.
        let mut flags = libc::O_NONBLOCK;
        if origin == Origin::Project {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    match options.open(path) {
        Ok(f) => Ok(f),
        // O_NOFOLLOW on a symlink.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Err(ReadError::NotRegular),
        Err(e) => Err(ReadError::Io(e)),
    }
}

/// Reads the file at `path` into `buf` (cleared first): a regular file of at most `limit` bytes.
pub fn read_into(
    path: &Path,
    limit: u64,
    origin: Origin,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    buf.clear();
    let file = open(path, origin)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    // One byte past the limit is enough to know the file grew too large since.
    file.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(())
}

/// The first `n` bytes of a regular file (empty if it is not one or cannot be read). Symlinks are
/// followed: the paths given are files discovery accepted.
pub fn head(path: &Path, n: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Ok(file) = open(path, Origin::User)
        && file.metadata().is_ok_and(|m| m.is_file())
    {
        let _ = file.take(n).read_to_end(&mut buf);
    }
    buf
}

/// Reads a UTF-8 text file: see [`read_into`].
pub fn read_text(path: &Path, limit: u64, origin: Origin) -> Result<String, ReadError> {
    let mut buf = Vec::new();
    read_into(path, limit, origin, &mut buf)?;
    String::from_utf8(buf).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// The size limit for project-shape files (manifests, lockfiles, compose files) and config.
pub const MAX_PROJECT_FILE: u64 = 8 << 20;

/// A project-shape file of the checked tree, or `None` if it cannot be read within the limits.
pub fn project_file(path: &Path) -> Option<String> {
    read_text(path, MAX_PROJECT_FILE, Origin::Project).ok()
}

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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)] // mkfifo, to make a FIFO for the test
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("a.json"), "{}").unwrap();
        assert_eq!(project_file(&p.join("a.json")).as_deref(), Some("{}"));
        assert!(matches!(
            read_text(&p.join("a.json"), 1, Origin::Project),
            Err(ReadError::TooLarge { limit: 1 })
        ));
        std::os::unix::fs::symlink("/dev/zero", p.join("zero")).unwrap();
        assert!(matches!(
            read_text(&p.join("zero"), 10, Origin::Project),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(
            read_text(&p.join("zero"), 10, Origin::User),
            Err(ReadError::NotRegular)
        ));
        std::os::unix::fs::symlink("a.json", p.join("link")).unwrap();
        assert!(project_file(&p.join("link")).is_none());
        assert_eq!(read_text(&p.join("link"), 10, Origin::User).unwrap(), "{}");
        assert!(project_file(p).is_none(), "a directory");
        let fifo = std::ffi::CString::new(p.join("fifo").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        assert!(matches!(
            read_text(&p.join("fifo"), 10, Origin::User),
            Err(ReadError::NotRegular)
        ));
    }
}
