//! `--fix`, `--unsafe-fixes` and `--diff`: the fixes the findings carry, applied to the files
//! they were found in (or only shown as a unified diff).
use crate::engine::Outcome;
use crate::finding::Finding;
use crate::fix;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One file's fixed text.
pub struct FixedFile {
    pub path: String,
    pub abs_path: PathBuf,
    pub old: String,
    pub new: String,
    /// Findings these edits fix.
    pub fixed: usize,
}

/// The fixed text of every file whose findings carry applicable fixes (standard input is the
/// file it stands for). A file whose bytes on
/// disk are not the text authlint read (decoded from UTF-16, or changed since) is left alone
/// with a warning.
pub fn plan(
    outcome: &Outcome,
    unsafe_too: bool,
    stdin: Option<&(PathBuf, Vec<u8>)>,
) -> Vec<FixedFile> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        by_file.entry(f.path.as_str()).or_default().push(f);
    }
    let mut out = Vec::new();
    for (path, findings) in by_file {
        let (edits, fixed) = fix::plan(findings.iter().filter_map(|f| f.fix.as_ref()), unsafe_too);
        if edits.is_empty() {
            continue;
        }
        let Some(src) = outcome.sources.get(path) else {
            continue;
        };
        let on_disk = match stdin {
            Some((path, text)) if *path == src.abs_path => Ok(text.clone()),
            _ => std::fs::read(&src.abs_path),
        };
        match on_disk {
            Ok(bytes) if bytes == src.text.as_bytes() => {}
            _ => {
                eprintln!(
                    "warning: {path}: not fixed: the file on disk is not the text authlint read (UTF-16, or changed since)"
                );
                continue;
            }
        }
        out.push(FixedFile {
            path: path.to_string(),
            abs_path: src.abs_path.clone(),
            new: fix::apply(&src.text, &edits),
            old: src.text.clone(),
            fixed,
        });
    }
    out
}

/// The unified diff of every planned file, in path order.
pub fn diff(files: &[FixedFile]) -> String {
    files
        .iter()
        .map(|f| fix::unified_diff(&f.path, &f.old, &f.new))
        .collect()
}

/// Writes the fixed files; returns how many findings they fix.
pub fn write(files: &[FixedFile]) -> Result<usize, String> {
    for f in files {
        std::fs::write(&f.abs_path, &f.new)
            .map_err(|e| format!("cannot write the fix to {}: {e}", f.path))?;
    }
    Ok(files.iter().map(|f| f.fixed).sum())
}
