//! A value read once for each directory looked at, shared by the worker threads.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A value read once for each directory looked at (the Terraform scope of a folder, the
/// `env_file:` entries of its compose files), shared by the worker threads.
#[derive(Debug)]
pub struct PerDir<T>(Mutex<HashMap<PathBuf, Arc<T>>>);

impl<T> Default for PerDir<T> {
    fn default() -> Self {
        PerDir(Mutex::default())
    }
}

impl<T> PerDir<T> {
    /// The value of `dir`, made by `read` the first time it is asked for.
    pub(crate) fn get(&self, dir: &Path, read: impl FnOnce(&Path) -> T) -> Arc<T> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = lock().get(dir) {
            return found.clone();
        }
        let value = Arc::new(read(dir));
        lock().insert(dir.to_path_buf(), value.clone());
        value
    }
}
