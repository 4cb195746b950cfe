//! Reporters: one per format behind one small trait; the only place that knows a format.
mod concise;
mod github;
mod human;
mod json;
mod sarif;

use crate::engine::Outcome;
use std::io::{self, Write};

pub use human::{diagnostic_line, summary};

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
