//! `--format json`: the documented, versioned schema (see README, "JSON output").
//!
//! Keys are written in sorted order (as a `serde_json` map sorts them). Findings and diagnostics
//! are turned into a map one at a time while writing, not the whole report at once: a report of
//! 272,000 findings built as one tree took 2 GiB.
use super::Reporter;
use crate::engine::Outcome;
use crate::finding::Severity;
use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::{Value, json};
use std::io::{self, Write};

pub struct Json;

pub const JSON_VERSION: u32 = 1;

/// The top level, fields in sorted key order.
#[derive(Serialize)]
struct Doc<'a, F: Serialize, D: Serialize> {
    design: Value,
    diagnostics: OneByOne<'a, D>,
    findings: OneByOne<'a, F>,
    skipped: Vec<Value>,
    summary: Value,
    tool: Value,
    version: u32,
}

/// A list written item by item, each with its keys sorted.
struct OneByOne<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for OneByOne<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            let sorted = serde_json::to_value(item).map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&sorted)?;
        }
        seq.end()
    }
}

impl Reporter for Json {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let s = &o.summary;
        let count = |sev| s.findings.get(&sev).copied().unwrap_or(0);
        let doc = Doc {
            design: json!(o.design),
            diagnostics: OneByOne(&o.diagnostics),
            findings: OneByOne(&o.findings),
            skipped: o
                .skipped
                .iter()
                .map(|(path, reason)| json!({"path": path, "reason": reason.as_str()}))
                .collect(),
            summary: json!({
                "findings": { "error": count(Severity::Error), "warning": count(Severity::Warning), "note": count(Severity::Note) },
                "files": s.files,
                "skipped_by_reason": s.skipped_by_reason,
                "suppressed": s.suppressed,
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
