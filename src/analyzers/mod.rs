//! One analyzer per language family. Each parses a file once and runs its small rules on the
//! shared parse. Analyzers know nothing about output formats.
pub mod chain;
pub mod config;
mod project_info;
pub mod rust;
pub mod script;
pub use project_info::ProjectInfo;

use crate::config::Settings;
use crate::facts::{Fact, FactKind};
use crate::finding::{Report, Span};
use crate::rule::Rule;
use crate::source::{FileKind, SourceFile};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What an analyzer sees besides the file: the settings and what is known about the project.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub project: &'a ProjectInfo,
    /// The file's text ASCII-lowercased, as the engine's prefilter read it (`None` where the
    /// caller has none: an analyzer then lowercases the text itself).
    pub lower: Option<&'a str>,
}

/// Runs `f` with default settings and an empty project, as unit tests of the rules do.
#[cfg(test)]
pub fn with_default_context<R>(f: impl FnOnce(&Context) -> R) -> R {
    let settings = Settings::default();
    let project = ProjectInfo::default();
    f(&Context {
        settings: &settings,
        project: &project,
        lower: None,
    })
}

/// A problem with the file itself (it could not be parsed), as opposed to a finding in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub kind: crate::finding::DiagnosticKind,
    pub span: Option<Span>,
    pub message: String,
}

/// Where analyzers put what they find.
#[derive(Debug)]
pub struct Sink {
    /// Add through [`Sink::report`] (or [`Sink::extend`]), which applies the cap.
    pub reports: Vec<Report>,
    pub errors: Vec<FileError>,
    /// What the file says about the project's auth design, for the project pass.
    pub facts: Vec<Fact>,
    /// Set by the engine when the analyzer wanted the file only for the project index
    /// (`Analyzer::wants_for_index`): it reads a few items, not the file, which counts as
    /// scanned, not as parsed.
    pub index_only: bool,
    /// Reports kept so far, by rule, and how many past [`Sink::cap`] were dropped.
    kept: BTreeMap<Rule, usize>,
    left_out: BTreeMap<Rule, usize>,
    cap: usize,
}

impl Default for Sink {
    fn default() -> Self {
        Sink::with_cap(crate::config::MAX_PER_FILE_RULE)
    }
}

impl Sink {
    /// A sink that keeps at most `cap` reports of each rule.
    pub fn with_cap(cap: usize) -> Self {
        Sink {
            reports: Vec::new(),
            errors: Vec::new(),
            facts: Vec::new(),
            index_only: false,
            kept: BTreeMap::new(),
            left_out: BTreeMap::new(),
            cap,
        }
    }

    /// Keeps the report, or only counts it when its rule already has `cap` reports here.
    pub fn report(&mut self, report: Report) {
        let kept = self.kept.entry(report.rule).or_default();
        if *kept < self.cap {
            *kept += 1;
            self.reports.push(report);
        } else {
            *self.left_out.entry(report.rule).or_default() += 1;
        }
    }

    /// [`Sink::report`] for each of `reports`.
    pub fn extend(&mut self, reports: impl IntoIterator<Item = Report>) {
        for report in reports {
            self.report(report);
        }
    }

    /// Moves everything `other` holds into this sink; its reports count towards this sink's cap.
    pub fn absorb(&mut self, other: Sink) {
        self.extend(other.reports);
        for (rule, n) in other.left_out {
            *self.left_out.entry(rule).or_default() += n;
        }
        self.errors.extend(other.errors);
        self.facts.extend(other.facts);
    }

    /// The rules that reported more than the cap, with how many reports were dropped.
    pub fn left_out(&self) -> &BTreeMap<Rule, usize> {
        &self.left_out
    }

    pub fn fact(&mut self, kind: FactKind, span: Span, function: Option<&str>) {
        self.facts.push(Fact {
            kind,
            span,
            function: function.map(str::to_string),
        });
    }

    /// A token kept where script can read it, reported by a storage rule, is also a fact for the
    /// design verdict (the front end holds bearer tokens). Called by the script and WASM
    /// analyzers once their reports are in.
    pub fn client_storage_facts(&mut self) {
        use crate::rule::Rule;
        const RULES: &[Rule] = &[Rule::TokenInWebStorage, Rule::TokenCookieSetByScript];
        let facts: Vec<Fact> = self
            .reports
            .iter()
            .filter(|r| RULES.contains(&r.rule))
            .map(|r| {
                let token = if r.message.to_ascii_lowercase().contains("refresh") {
                    crate::facts::TokenKind::Refresh
                } else {
                    crate::facts::TokenKind::Access
                };
                Fact {
                    kind: FactKind::ClientTokenStorage { token },
                    span: r.span,
                    function: None,
                }
            })
            .collect();
        self.facts.extend(facts);
    }

    pub fn parse_error(&mut self, span: Option<Span>, message: impl Into<String>) {
        self.errors.push(FileError {
            kind: crate::finding::DiagnosticKind::ParseError,
            span,
            message: message.into(),
        });
    }
}

pub trait Analyzer: Send + Sync {
    /// The language family, as shown in `authlint rules` ("rust", "script", "config").
    fn name(&self) -> &'static str;
    fn handles(&self, kind: FileKind) -> bool;
    /// The catalog ids this analyzer can report.
    fn rules(&self) -> &'static [Rule];
    /// Words (lowercase ASCII, matched case-insensitively) without which no rule of this analyzer can fire:
    /// a file containing none of them is not parsed.
    fn vocabulary(&self) -> &'static [&'static str];
    /// Whether a file can give this analyzer anything, decided before it is parsed from its
    /// ASCII-lowercased text. By default: whether it holds a word of the vocabulary
    /// (`vocabulary` is that word list's automaton).
    fn wants(&self, lower: &str, vocabulary: &aho_corasick::AhoCorasick) -> bool {
        vocabulary.is_match(lower)
    }
    /// Whether a file `wants` turned away still holds what the project index needs (a Rust
    /// file's consts read by another file). `check` then sees `sink.index_only` set.
    fn wants_for_index(&self, _lower: &str) -> bool {
        false
    }
    fn check(&self, file: &SourceFile, ctx: &Context, sink: &mut Sink);
}

/// Every analyzer, in a fixed order.
pub fn all() -> &'static [Box<dyn Analyzer>] {
    static ALL: OnceLock<Vec<Box<dyn Analyzer>>> = OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            Box::new(rust::RustAnalyzer),
            Box::new(script::ScriptAnalyzer),
            Box::new(config::ConfigAnalyzer),
        ]
    })
}

#[cfg(test)]
mod sink_tests {
    use super::*;

    fn reports(rule: Rule, n: usize) -> Vec<Report> {
        (0..n)
            .map(|i| Report::new(rule, Span::new(i, i + 1), "m", "h"))
            .collect()
    }

    #[test]
    fn the_cap_holds_per_rule_across_the_analyzers_of_one_file() {
        let (a, b) = (Rule::CookieMissingHttponly, Rule::CookieMissingSamesite);
        let mut file = Sink::with_cap(3);
        for _ in 0..2 {
            let mut local = Sink::with_cap(3);
            local.extend(reports(a, 2));
            local.extend(reports(b, 4));
            file.absorb(local);
        }
        let kept = |rule| file.reports.iter().filter(|r| r.rule == rule).count();
        assert_eq!((kept(a), kept(b)), (3, 3));
        assert_eq!(
            file.left_out()
                .iter()
                .map(|(r, n)| (*r, *n))
                .collect::<Vec<_>>(),
            vec![(a, 1), (b, 5)]
        );
    }
}
