//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
use super::Reporter;
use crate::engine::Outcome;
use crate::finding::Severity;
use std::io::{self, Write};

pub struct Github;

/// Escaping for the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for Github {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        for f in &o.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}",
                escape_property(&f.path),
                f.start.line,
                f.end.line,
                f.start.column,
                f.end.column,
                escape_property(&format!("authlint {}", f.rule)),
                escape_data(&format!(
                    "{}\n\nhelp: {}\n{}",
                    f.message_with_role(),
                    f.help,
                    f.url
                )),
            )?;
        }
        for d in &o.diagnostics {
            let loc = d
                .start
                .map(|p| format!(",line={},col={}", p.line, p.column))
                .unwrap_or_default();
            writeln!(
                out,
                "::warning file={}{loc},title={}::{}",
                escape_property(&d.path),
                escape_property(&format!("authlint {}", d.kind)),
                escape_data(&d.message)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_documents() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
