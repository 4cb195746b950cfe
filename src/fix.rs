//! Fixes: text edits a rule attaches to a finding, how sure it is of them (ruff's applicability),
//! and applying them to a file's text. `--fix` writes them, `--diff` prints them.
use crate::source::{Position, SourceFile, Span};
use serde::Serialize;

/// Whether a fix may be applied without a person reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes only what the finding is about (adds the missing attribute): `--fix` applies it.
    Safe,
    /// Changes behaviour someone chose (turns an explicit `false` into `true`): applied only with
    /// `--unsafe-fixes`.
    Unsafe,
}

/// What a rule proposes: a title and byte-range replacements in the finding's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<(Span, String)>,
}

impl ReportFix {
    /// Insert `text` at byte `at`.
    pub fn insert(title: impl Into<String>, at: usize, text: impl Into<String>) -> Self {
        ReportFix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits: vec![(Span::new(at, at), text.into())],
        }
    }

    /// Replace `span` with `text`.
    pub fn replace(
        title: impl Into<String>,
        applicability: Applicability,
        span: Span,
        text: impl Into<String>,
    ) -> Self {
        ReportFix {
            title: title.into(),
            applicability,
            edits: vec![(span, text.into())],
        }
    }
}

impl ReportFix {
    /// The fix with its byte ranges turned into positions in `file`.
    pub fn resolve(self, file: &SourceFile) -> Fix {
        Fix {
            title: self.title,
            applicability: self.applicability,
            edits: self
                .edits
                .into_iter()
                .map(|(s, content)| Edit {
                    start: file.position(s.start),
                    end: file.position(s.end),
                    content,
                })
                .collect(),
        }
    }
}

/// One replacement as reporters show it: `[start, end)` replaced by `content`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start: Position,
    pub end: Position,
    pub content: String,
}

/// A fix on a finding, with positions resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// The fixes `--fix`/`--diff` apply to one file's findings (given in the findings' order): safe
/// ones, and unsafe ones too when asked. Returns the edits as byte ranges, sorted, duplicates (two findings asking for the same
/// insertion) dropped, and the number of findings they fix. A fix whose edits overlap one already
/// taken is left for the next run, as ruff does.
pub fn plan<'a>(
    fixes: impl IntoIterator<Item = &'a Fix>,
    unsafe_too: bool,
) -> (Vec<(Span, String)>, usize) {
    let mut taken: Vec<(Span, String)> = Vec::new();
    let mut fixed = 0;
    for fix in fixes {
        if fix.applicability == Applicability::Unsafe && !unsafe_too {
            continue;
        }
        let edits: Vec<(Span, String)> = fix
            .edits
            .iter()
            .map(|e| (Span::new(e.start.offset, e.end.offset), e.content.clone()))
            .filter(|e| !taken.contains(e))
            .collect();
        let clash = edits.iter().any(|(s, _)| {
            taken
                .iter()
                .any(|(t, _)| s.start < t.end && t.start < s.end)
        });
        if clash {
            continue;
        }
        taken.extend(edits);
        fixed += 1;
    }
    // Insertions at one offset keep the order the findings came in (by rule id).
    taken.sort_by_key(|(s, _)| (s.start, s.end));
    (taken, fixed)
}

/// `text` with `edits` (sorted, not overlapping, on char boundaries) applied.
pub fn apply(text: &str, edits: &[(Span, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (span, content) in edits {
        out.push_str(&text[at..span.start]);
        out.push_str(content);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A unified diff of one file, with three lines of context, as `diff -u` and ruff print it.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_the_diff_shows_them() {
        let text = "let c = Cookie::build((\"sid\", v));\n";
        let at = text.find(");").unwrap() + 1;
        let edits = vec![
            (Span::new(at, at), ".http_only(true)".to_string()),
            (Span::new(at, at), ".secure(true)".to_string()),
        ];
        let new = apply(text, &edits);
        assert_eq!(
            new,
            "let c = Cookie::build((\"sid\", v)).http_only(true).secure(true);\n"
        );
        let diff = unified_diff("src/a.rs", text, &new);
        assert!(diff.starts_with("--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1 +1 @@\n"));
        assert!(diff.contains("\n-let c = Cookie::build((\"sid\", v));\n+let c"));
        assert_eq!(unified_diff("a", text, text), "");
    }
}
