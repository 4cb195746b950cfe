//! Baselines: `--write-baseline FILE` records the current findings by fingerprint (rule, path and
//! the normalised flagged code, not line numbers); `--baseline FILE` hides them.
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    pub message: String,
}

pub fn write(path: &Path, findings: &[Finding]) -> Result<(), String> {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            rule: f.rule.to_string(),
            path: f.path.clone(),
            fingerprint: f.fingerprint.clone(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort();
    let text = serde_json::to_string_pretty(&Baseline {
        version: 1,
        findings: entries,
    })
    .map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))
}

/// A baseline of a few hundred thousand findings; anything larger is not a baseline.
const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// Reads the baseline at `path` (relative to `cwd`, not to the process's directory).
pub fn read(path: &Path, cwd: &Path) -> Result<Baseline, String> {
    let abs = crate::reader::absolute(cwd, path);
    let text = crate::reader::read_text(&abs, MAX_BASELINE_BYTES, crate::reader::Origin::User)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("baseline {} is not valid: {e}", path.display()))?;
    if b.version != 1 {
        return Err(format!(
            "baseline {} has version {}; this authlint reads version 1",
            path.display(),
            b.version
        ));
    }
    Ok(b)
}

/// Removes the findings the baseline records. Returns `(hidden, fixed)`: how many findings were
/// hidden and how many baseline entries matched nothing (fixed since the baseline was written).
pub fn apply(baseline: &Baseline, findings: &mut Vec<Finding>) -> (usize, usize) {
    let mut remaining: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &baseline.findings {
        *remaining.entry(e.fingerprint.as_str()).or_default() += 1;
    }
    let before = findings.len();
    findings.retain(|f| match remaining.get_mut(f.fingerprint.as_str()) {
        Some(n) if *n > 0 => {
            *n -= 1;
            false
        }
        _ => true,
    });
    (before - findings.len(), remaining.values().sum())
}

/// FNV-1a, 64-bit: stable across platforms and releases (fingerprints are stored in baselines).
pub fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
