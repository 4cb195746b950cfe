//! `--format json`: the documented, versioned schema (see README, "JSON output").
//!
//! Keys are written in sorted order (as a `serde_json` map sorts them). Findings and diagnostics
//! are turned into a map one at a time while writing, not the whole report at once: a report of
//! 272,000 findings built as one tree took 2 GiB.
use super::{Items, Reporter};
use crate::engine::Outcome;
use crate::finding::{Severity, SkipReason};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

pub struct Json;

pub const JSON_VERSION: u32 = 1;

/// The top level, fields in sorted key order.
#[derive(Serialize)]
struct Doc<D: Serialize, F: Serialize> {
    design: Value,
    diagnostics: D,
    findings: F,
    skipped: Vec<Value>,
    skipped_dirs: Vec<Value>,
    summary: Value,
    tool: Value,
    version: u32,
}

/// A value as a map with its keys sorted (as `json!` makes it).
fn sorted(item: &impl Serialize) -> Value {
    serde_json::to_value(item).expect("findings and diagnostics serialise")
}

impl Reporter for Json {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let s = &o.summary;
        let count = |sev| s.findings.get(&sev).copied().unwrap_or(0);
        let doc = Doc {
            design: json!(o.design),
            diagnostics: Items(|| o.diagnostics.iter().map(sorted)),
            findings: Items(|| o.findings.iter().map(sorted)),
            skipped: with_reasons(&o.skipped),
            skipped_dirs: with_reasons(&o.skipped_dirs),
            summary: json!({
                "findings": { "error": count(Severity::Error), "warning": count(Severity::Warning), "note": count(Severity::Note) },
                "files": s.files,
                "skipped_by_reason": s.skipped_by_reason,
                "skipped_dirs_by_reason": s.skipped_dirs_by_reason,
                "suppressed": s.suppressed,
                "not_reported": s.not_reported,
                "baseline": { "hidden": s.baseline_hidden, "fixed": s.baseline_fixed },
                "rules": o.rules,
            }),
            tool: json!({ "name": "authlint", "version": env!("CARGO_PKG_VERSION") }),
            version: JSON_VERSION,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

/// `[{path, reason}]`, in the order given (sorted by the engine).
fn with_reasons(skipped: &[(String, SkipReason)]) -> Vec<Value> {
    skipped
        .iter()
        .map(|(path, reason)| json!({"path": path, "reason": reason.as_str()}))
        .collect()
}
