//! Reporters: one per format behind one small trait; the only place that knows a format.
mod concise;
mod github;
mod human;
mod json;
mod sarif;

use crate::engine::Outcome;
use std::io::{self, Write};

pub use human::{diagnostic_line, plural, summary};

/// A path as the terminal shows it: unchanged, unless it holds control characters (an ESC could
/// recolour the terminal or move its cursor, a newline fake a line of the report); then quoted,
/// with Rust's escapes (`"a\u{1b}[31m\n.rs"`). Machine formats keep the real name.
pub fn terminal_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.chars().any(char::is_control) {
        format!("{path:?}").into()
    } else {
        path.into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    /// One line per finding: `path:line:column: severity[rule] message`
    Concise,
    Json,
    Sarif,
    Github,
}

/// How the human report is drawn. Machine formats ignore it.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    pub quiet: bool,
    /// Terminal hyperlinks for rule docs (only when writing coloured output to a terminal).
    pub hyperlinks: bool,
}

/// A JSON array written item by item: each item is made only when it is written, so a large
/// report never exists as one tree.
pub(crate) struct Items<F>(pub F);

impl<F, I> serde::Serialize for Items<F>
where
    F: Fn() -> I,
    I: Iterator<Item = serde_json::Value>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for item in (self.0)() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

pub trait Reporter {
    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()>;
}

pub fn reporter(format: Format, style: Style) -> Box<dyn Reporter> {
    match format {
        Format::Human => Box::new(human::Human { style }),
        Format::Concise => Box::new(concise::Concise { quiet: style.quiet }),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Github => Box::new(github::Github),
    }
}

#[cfg(test)]
mod tests {
    use super::terminal_path;

    #[test]
    fn control_characters_in_paths_are_escaped_for_the_terminal() {
        assert_eq!(terminal_path(r"src\a b.rs"), r"src\a b.rs");
        assert_eq!(
            terminal_path("a\u{1b}[31mX\nY.rs"),
            r#""a\u{1b}[31mX\nY.rs""#
        );
        assert_eq!(terminal_path("t\tab\r.rs"), r#""t\tab\r.rs""#);
    }
}
