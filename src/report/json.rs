//! `--format json`: the documented, versioned schema (see README, "JSON output").
use super::Reporter;
use crate::engine::Outcome;
use crate::finding::{Severity, SkipReason};
use serde_json::json;
use std::io::{self, Write};

pub struct Json;

pub const JSON_VERSION: u32 = 1;

impl Reporter for Json {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let s = &o.summary;
        let count = |sev| s.findings.get(&sev).copied().unwrap_or(0);
        let doc = json!({
            "version": JSON_VERSION,
            "tool": { "name": "authlint", "version": env!("CARGO_PKG_VERSION") },
            "findings": o.findings,
            "diagnostics": o.diagnostics,
            "design": o.design,
            "skipped": with_reasons(&o.skipped),
            "skipped_dirs": with_reasons(&o.skipped_dirs),
            "summary": {
                "findings": { "error": count(Severity::Error), "warning": count(Severity::Warning), "note": count(Severity::Note) },
                "files": s.files,
                "skipped_by_reason": s.skipped_by_reason,
                "skipped_dirs_by_reason": s.skipped_dirs_by_reason,
                "suppressed": s.suppressed,
                "baseline": { "hidden": s.baseline_hidden, "fixed": s.baseline_fixed },
                "rules": o.rules,
            },
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

/// `[{path, reason}]`, in the order given (sorted by the engine).
fn with_reasons(skipped: &[(String, SkipReason)]) -> Vec<serde_json::Value> {
    skipped
        .iter()
        .map(|(path, reason)| json!({"path": path, "reason": reason.as_str()}))
        .collect()
}
