//! `--format concise`: one line per finding, as ruff, ESLint's compact formatter and compilers
//! print them (`path:line:column: severity[rule] message`), for editors' problem matchers and
//! `grep`. Columns count characters, as in the human report.
use super::Reporter;
use super::human::{diagnostic_line, summary};
use crate::engine::Outcome;
use std::io::{self, Write};

pub struct Concise {
    pub quiet: bool,
}

impl Reporter for Concise {
    fn write(&self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        for f in &o.findings {
            let fixable = if f.fix.is_some() { " [*]" } else { "" };
            writeln!(
                out,
                "{}:{}:{}: {}[{}]{fixable} {}",
                f.path,
                f.start.line,
                f.start.column,
                f.severity,
                f.rule,
                f.message_with_role()
            )?;
        }
        if self.quiet {
            return Ok(());
        }
        for d in &o.diagnostics {
            writeln!(out, "{}", diagnostic_line(d))?;
        }
        write!(out, "{}", summary(o))
    }
}
