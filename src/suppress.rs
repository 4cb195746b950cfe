//! `authlint-ignore RULE[, RULE]: reason` comments. A suppression covers findings that start on
//! its own line or the line after it; `authlint-ignore-file RULE: reason` covers the whole file. Missing reasons, unknown ids and suppressions that matched
//! nothing are reported as `unused-suppression`.
use crate::catalog;
use crate::finding::Span;
use crate::rule::Rule;
use crate::source::SourceFile;

#[derive(Debug, Clone)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: usize,
    pub span: Span,
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
    pub used: Vec<bool>,
    /// `authlint-ignore-file`: covers the whole file, wherever the comment is.
    pub file: bool,
}

/// The word every suppression comment holds, in any case (`AUTHLINT-IGNORE` works too).
pub const MARKER: &str = "authlint-ignore";

/// `authlint-ignore-file RULE: reason` suppresses RULE in the whole file.
const FILE_SUFFIX: &str = "-file";

/// Where the marker starts in `text`, in any ASCII case.
/// Jumps between the first letter's two cases with `memchr` rather than comparing every window.
fn find_marker(text: &str) -> Option<usize> {
    let (bytes, marker) = (text.as_bytes(), MARKER.as_bytes());
    memchr::memchr2_iter(marker[0], marker[0].to_ascii_uppercase(), bytes).find(|&i| {
        bytes
            .get(i..i + marker.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(marker))
    })
}

/// Finds the suppression comments in a file.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    if find_marker(&file.text).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for range in crate::comments::comment_ranges(file.kind, &file.text) {
        let first = file.line_index(range.start);
        let last = file.line_index(range.end.saturating_sub(1).max(range.start));
        for idx in first..=last {
            let line_start = file.line_start(idx + 1).unwrap_or(0);
            let line_end = line_start + file.line_text(idx + 1).len();
            let (from, to) = (range.start.max(line_start), range.end.min(line_end));
            if from < to
                && find_marker(&file.text[from..to]).is_some()
                && let Some(s) = parse_line(&file.text[line_start..line_end], line_start, idx + 1)
            {
                out.push(s);
            }
        }
    }
    out
}

fn parse_line(line: &str, line_start: usize, line_no: usize) -> Option<Suppression> {
    let at = find_marker(line)?;
    let before = line[..at].trim_end();
    if !["//", "#", "<!--", "/*", "*", "{/*"]
        .iter()
        .any(|m| before.ends_with(m))
    {
        return None;
    }
    let marker_start = line[..at].rfind(['/', '#', '<', '*', '{']).map_or(at, |i| {
        line[..=i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !matches!(c, '/' | '#' | '<' | '!' | '-' | '*' | '{'))
            .map_or(0, |(j, c)| j + c.len_utf8())
    });
    let mut body_start = at + MARKER.len();
    let file = line
        .get(body_start..body_start + FILE_SUFFIX.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(FILE_SUFFIX));
    if file {
        body_start += FILE_SUFFIX.len();
    }
    let mut body = &line[body_start..];
    // The comment ends at a closing marker or at a second comment on the same line.
    for end in ["-->", "*/", " //", "\t//"] {
        if let Some(i) = body.find(end) {
            body = &body[..i];
        }
    }
    let (list, reason) = match body.split_once(':') {
        Some((l, r)) => (l, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (body, None),
    };
    let mut rules = Vec::new();
    let mut pos = body_start;
    for part in list.split(',') {
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            let at = line_start + pos + part.find(trimmed).unwrap_or(0);
            rules.push((trimmed.to_string(), Span::new(at, at + trimmed.len())));
        }
        pos += part.len() + 1;
    }
    let end = line_start + body_start + body.trim_end().len();
    Some(Suppression {
        line: line_no,
        span: Span::new(line_start + marker_start, end),
        used: vec![false; rules.len()],
        rules,
        reason,
        file,
    })
}

/// Marks and returns whether a finding of `rule` starting on `line` is suppressed.
pub fn apply(suppressions: &mut [Suppression], rule: Rule, line: usize) -> bool {
    for s in suppressions.iter_mut() {
        if (s.file || s.line == line || s.line + 1 == line)
            && let Some(i) = s.rules.iter().position(|(r, _)| rule == r.as_str())
        {
            s.used[i] = true;
            return true;
        }
    }
    false
}

/// The problems with a file's suppressions, once every finding has been matched:
/// `(span, message, help)`. `enabled` says whether a rule ran (suppressions of rules that did not
/// run cannot be judged unused).
pub fn problems(
    suppressions: &[Suppression],
    enabled: impl Fn(&str) -> bool,
) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    for s in suppressions {
        if s.rules.is_empty() {
            out.push((
                s.span,
                "suppression names no rule".to_string(),
                "write `authlint-ignore <rule-id>: <why this is safe>`".to_string(),
            ));
            continue;
        }
        for (rule, span) in &s.rules {
            if catalog::get(rule).is_none() {
                out.push((
                    *span,
                    catalog::unknown_rule_hint(rule),
                    "use an id from `authlint rules`".to_string(),
                ));
            }
        }
        if s.reason.is_none() {
            out.push((
                s.span,
                "suppression gives no reason".to_string(),
                format!(
                    "say why it is safe: `{MARKER}{} {}: <reason>`",
                    if s.file { FILE_SUFFIX } else { "" },
                    s.rules
                        .iter()
                        .map(|r| r.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    out.extend(unused(suppressions, enabled));
    out
}

/// The suppressions of rules `judged` says to judge (known rules that ran) that matched no
/// finding. The project pass judges its own rules with this, after the per-file pass.
pub fn unused(
    suppressions: &[Suppression],
    judged: impl Fn(&str) -> bool,
) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    for s in suppressions {
        for ((rule, span), used) in s.rules.iter().zip(&s.used) {
            if !used && catalog::get(rule).is_some() && judged(rule) {
                out.push((
                    *span,
                    format!("suppression of `{rule}` matched no finding"),
                    if s.file {
                        "remove the comment: nothing in this file is reported by this rule any more"
                    } else {
                        "remove the comment: nothing on this line or the next is reported by this rule any more"
                    }
                    .to_string(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_found_in_any_case_and_only_whole() {
        assert_eq!(find_marker("// Authlint-IGNORE x"), Some(3));
        assert_eq!(find_marker("aaaa authlint-ignor"), None);
        assert_eq!(find_marker("authlint authlint-ignore"), Some(9));
        assert_eq!(find_marker("é AUTHLINT-IGNORE"), Some(3));
    }

    #[test]
    fn parses_comment_forms() {
        let rs = SourceFile::from_text(
            "a.rs",
            "x(); // authlint-ignore cookie-missing-secure: behind TLS proxy\nlet s = \"// authlint-ignore x: in a string\";\n",
        );
        let s = parse(&rs);
        assert_eq!(s.len(), 1, "the string literal is not a comment");
        assert_eq!(s[0].rules[0].0, "cookie-missing-secure");
        assert_eq!(s[0].reason.as_deref(), Some("behind TLS proxy"));
        assert_eq!(rs.snippet(s[0].rules[0].1), "cookie-missing-secure");
        let toml = SourceFile::from_text(
            "a.toml",
            "# authlint-ignore a, b\nkey = \"# authlint-ignore c: no\"\n",
        );
        let s = parse(&toml);
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0].rules.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(s[0].reason, None);
        let html = SourceFile::from_text(
            "a.html",
            "<!-- authlint-ignore token-in-web-storage: demo -->\n",
        );
        assert_eq!(parse(&html)[0].reason.as_deref(), Some("demo"));
    }

    #[test]
    fn covers_own_and_next_line() {
        let f = SourceFile::from_text(
            "a.rs",
            "// authlint-ignore cookie-missing-secure: ok\nx\ny\n",
        );
        let mut s = parse(&f);
        assert!(apply(&mut s, Rule::CookieMissingSecure, 2));
        assert!(!apply(&mut s, Rule::CookieMissingSecure, 3));
        assert!(!apply(&mut s, Rule::CookieMissingHttponly, 2));
        assert!(problems(&s, |_| true).is_empty());
    }

    #[test]
    fn a_file_suppression_covers_every_line_of_its_rule() {
        let f = SourceFile::from_text(
            "a.rs",
            "x
// AUTHLINT-IGNORE-FILE cookie-missing-secure: local dev server only
y
z
",
        );
        let mut s = parse(&f);
        assert!(s[0].file);
        assert_eq!(s[0].rules[0].0, "cookie-missing-secure");
        assert!(apply(&mut s, Rule::CookieMissingSecure, 1));
        assert!(apply(&mut s, Rule::CookieMissingSecure, 4));
        assert!(!apply(&mut s, Rule::CookieMissingHttponly, 4));
        assert!(problems(&s, |_| true).is_empty());
        let unused = parse(&SourceFile::from_text(
            "a.rs",
            "// authlint-ignore-file cookie-missing-secure
",
        ));
        let p = problems(&unused, |_| true);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter().any(|x| x.2.contains("nothing in this file")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|x| x
                .2
                .contains("authlint-ignore-file cookie-missing-secure: <reason>")),
            "{p:?}"
        );
    }
}
