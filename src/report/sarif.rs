//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning ingests it. Paths are relative URIs
//! against `%SRCROOT%`; columns are UTF-16 code units (`columnKind`); no timestamps or absolute
//! paths, so the same input gives the same bytes.
use super::Reporter;
use crate::catalog::RuleDoc;
use crate::engine::Outcome;
use crate::finding::{Diagnostic, Finding, Position, Severity, SkipReason};
use crate::rule::Rule;
use serde_json::{Value, json};
use std::io::{self, Write};

pub struct Sarif;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "authlint/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Percent-encodes a `/`-separated path into a URI reference.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A display path (relative to the working directory) as a path inside the project root, so the
/// URIs are the same from whichever directory authlint ran; a file outside it keeps its path.
fn project_path(o: &Outcome, path: &str) -> String {
    if o.uri_root.as_os_str().is_empty() || o.uri_root == o.cwd {
        return path.to_string();
    }
    let abs = crate::reader::absolute(&o.cwd, std::path::Path::new(path));
    match abs.strip_prefix(&o.uri_root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => abs.to_string_lossy().replace('\\', "/"),
    }
}

fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri(path)) })
    } else {
        json!({ "uri": uri(path), "uriBaseId": "%SRCROOT%" })
    }
}

/// The artifact location of a display path, as a path inside the project root.
fn project_artifact(o: &Outcome, path: &str) -> Value {
    artifact(&project_path(o, path))
}

fn region(start: Position, end: Position) -> Value {
    let end_column = if end.line == start.line {
        end.column_utf16.max(start.column_utf16)
    } else {
        end.column_utf16
    };
    json!({
        "startLine": start.line,
        "startColumn": start.column_utf16,
        "endLine": end.line.max(start.line),
        "endColumn": end_column,
        "byteOffset": start.offset,
        "byteLength": end.offset.saturating_sub(start.offset),
    })
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect()
}

fn rule_descriptor(doc: &RuleDoc) -> Value {
    let mut props = json!({ "tags": doc.sarif.tags, "precision": doc.sarif.precision, "category": doc.category });
    if let Some(s) = &doc.sarif.security_severity {
        props["security-severity"] = json!(s);
    }
    let refs: String = doc
        .references
        .iter()
        .map(|r| format!("- [{}]({})\n", r.title, r.url))
        .collect();
    let markdown = format!(
        "{}\n\n## Why\n{}\n\n## Recommended design\n{}\n\n## Example\nRisky:\n```{lang}\n{}\n```\nSafe:\n```{lang}\n{}\n```\n\n## References\n{refs}",
        doc.summary,
        doc.why.trim(),
        doc.recommendation.trim(),
        doc.example.bad.trim_end(),
        doc.example.good.trim_end(),
        lang = doc.example.lang,
    );
    json!({
        "id": doc.id,
        "name": pascal(&doc.id),
        "shortDescription": { "text": doc.title },
        "fullDescription": { "text": doc.summary },
        "help": { "text": format!("{}\n\nRecommended design: {}", doc.why.trim(), doc.recommendation.trim()), "markdown": markdown },
        "helpUri": doc.url(),
        "defaultConfiguration": { "level": level(doc.severity) },
        "properties": props,
    })
}

/// One finding as a SARIF result.
fn finding_result(o: &Outcome, f: &Finding, rule_index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": format!("{}\nhelp: {}", f.message, f.help) },
        "locations": [{ "physicalLocation": { "artifactLocation": project_artifact(o, &f.path), "region": region(f.start, f.end) } }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": { "role": f.role },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &f.fix {
        r["fixes"] = json!([{
            "description": { "text": fix.title },
            "artifactChanges": [{
                "artifactLocation": project_artifact(o, &f.path),
                "replacements": fix.edits.iter().map(|e| json!({
                    "deletedRegion": region(e.start, e.end),
                    "insertedContent": { "text": e.content },
                })).collect::<Vec<_>>(),
            }],
        }]);
        r["properties"]["fixApplicability"] = json!(fix.applicability);
    }
    if !f.labels.is_empty() {
        r["relatedLocations"] = f
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i + 1,
                        "message": { "text": l.message },
                        "physicalLocation": { "artifactLocation": project_artifact(o, l.path.as_ref().unwrap_or(&f.path)), "region": region(l.start, l.end) },
                    })
                })
                .collect();
    }
    r
}

#[derive(serde::Serialize)]
struct Log<R: serde::Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<R>; 1],
    version: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R: serde::Serialize> {
    automation_details: Value,
    column_kind: &'static str,
    invocations: Value,
    properties: Value,
    results: R,
    tool: Value,
}

impl Reporter for Sarif {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let docs: Vec<&RuleDoc> = o.rules.iter().map(|r| r.doc()).collect();
        let index = |rule: Rule| docs.iter().position(|d| d.id == rule.id());
        let mut notifications: Vec<Value> = o
            .diagnostics
            .iter()
            .map(|d| {
                let mut loc =
                    json!({ "physicalLocation": { "artifactLocation": project_artifact(o, &d.path) } });
                if let Some(p) = d.start {
                    loc["physicalLocation"]["region"] =
                        json!({ "startLine": p.line, "startColumn": p.column_utf16 });
                }
                json!({
                    "level": if d.is_internal() { "error" } else { "warning" },
                    "message": { "text": format!("{}: {}", d.path, d.message) },
                    "descriptor": { "id": d.kind },
                    "locations": [loc],
                })
            })
            .collect();
        notifications.extend(o.skipped.iter().filter(|(_, r)| !matches!(r, SkipReason::Role(_) | SkipReason::Excluded)).map(
            |(path, reason)| {
                json!({
                    "level": "note",
                    "message": { "text": format!("{path}: skipped, {}", reason.describe()) },
                    "descriptor": { "id": format!("skipped-{}", reason.as_str()) },
                    "locations": [{ "physicalLocation": { "artifactLocation": project_artifact(o, path) } }],
                })
            },
        ));
        let mut design_result = None;
        let mut rules: Vec<Value> = docs.iter().map(|d| rule_descriptor(d)).collect();
        if let Some(d) = o
            .design
            .as_ref()
            .filter(|d| d.found != crate::design::Architecture::NoAuthFound)
            && let Some((path, line)) = d.evidence.iter().find_map(|e| e.at.rsplit_once(':'))
        {
            rules.push(rule_descriptor(Rule::AuthDesign.doc()));
            let line: usize = line.parse().unwrap_or(1);
            let verdict = if d.ok {
                format!(
                    "auth design: {}; this is the recommended design",
                    d.found_summary
                )
            } else {
                format!(
                    "auth design: {}; recommended: {}",
                    d.found_summary,
                    d.recommended.describe()
                )
            };
            let steps: Vec<&str> = d.move_to.iter().map(String::as_str).collect();
            design_result = Some(json!({
                "ruleId": Rule::AuthDesign,
                "ruleIndex": rules.len() - 1,
                "level": "note",
                "message": { "text": format!("{verdict}\n{}", steps.join("\n")) },
                "locations": [{ "physicalLocation": { "artifactLocation": project_artifact(o, path), "region": { "startLine": line } } }],
                "partialFingerprints": { FINGERPRINT_KEY: crate::baseline::fnv1a(&[Rule::AuthDesign.id(), &d.found_summary, d.recommended.describe()]) },
            }));
        }
        let successful = !o.run_failed && !o.diagnostics.iter().any(Diagnostic::is_internal);
        // Results are made one at a time as they are written (a report of 272,000 findings built
        // as one tree took gigabytes); keys in sorted order, as a `serde_json` map writes them.
        let results = super::Items(|| {
            o.findings
                .iter()
                .map(|f| finding_result(o, f, index(f.rule)))
                .chain(design_result.clone())
        });
        let doc = Log {
            schema: SCHEMA_URI,
            runs: [Run {
                automation_details: json!({ "id": "authlint/" }),
                column_kind: "utf16CodeUnits",
                invocations: json!([{ "executionSuccessful": successful, "toolExecutionNotifications": notifications }]),
                properties: json!({ "design": o.design }),
                results,
                tool: json!({ "driver": {
                    "name": "authlint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                    "rules": rules,
                }}),
            }],
            version: "2.1.0",
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(artifact("web/my app/a.ts")["uri"], "web/my%20app/a.ts");
        assert_eq!(artifact("web/a.ts")["uriBaseId"], "%SRCROOT%");
        assert_eq!(artifact("/abs/a.ts")["uri"], "file:///abs/a.ts");
        assert_eq!(pascal("cookie-missing-httponly"), "CookieMissingHttponly");
    }
}
