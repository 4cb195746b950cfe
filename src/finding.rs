//! What a rule reports and what the engine makes of it.
use crate::roles::Role;
use crate::rule::Rule;
pub use crate::severity::Severity;
pub use crate::source::{Position, Span};
use serde::Serialize;
use std::fmt;

/// A secondary location with its own message ("refresh token read here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// Set when the label is in another file (the compose service that loads a `.env` file):
    /// `span` is then unused.
    pub elsewhere: Option<Elsewhere>,
}

/// A place in a file other than the finding's, located by the analyzer that read that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elsewhere {
    /// As the finding's own path is shown: relative to the working directory, `/`-separated.
    pub path: String,
    pub start: Position,
    pub end: Position,
}

/// What a rule reports: which rule, where, what is wrong and how to fix it.
/// The engine stamps the configured severity, position, doc link and fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub rule: Rule,
    pub span: Span,
    pub message: String,
    pub help: String,
    pub labels: Vec<Label>,
    /// A severity for this instance when the rule grades its cases (e.g. an auth cookie versus an
    /// ambiguous one); `None` means the catalog default. Configured levels always win.
    pub severity: Option<Severity>,
    /// A mechanical fix, when the rule can write one (`--fix`, `--diff`, SARIF `fixes`).
    pub fix: Option<crate::fix::ReportFix>,
}

impl Report {
    pub fn new(
        rule: Rule,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Report {
            rule,
            span,
            message: message.into(),
            help: help.into(),
            labels: Vec::new(),
            severity: None,
            fix: None,
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            elsewhere: None,
        });
        self
    }

    /// Adds a related place in another file.
    pub fn add_elsewhere(&mut self, at: Elsewhere, message: impl Into<String>) {
        self.labels.push(Label {
            span: Span::new(0, 0),
            message: message.into(),
            elsewhere: Some(at),
        });
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn fix(mut self, fix: crate::fix::ReportFix) -> Self {
        self.fix = Some(fix);
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedLabel {
    pub message: String,
    /// The label's file when it is not the finding's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub start: Position,
    pub end: Position,
}

/// A finding as every reporter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// Path relative to the working directory (or as given), always `/`-separated.
    pub path: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub help: String,
    pub labels: Vec<ResolvedLabel>,
    /// Stable across line moves: rule, path, the normalised text of the flagged code, occurrence.
    pub fingerprint: String,
    /// The rule's docs page (one string per rule, shared by its findings).
    pub url: &'static str,
    /// What the file is for (production, example, dev config, …): its policy capped the level.
    pub role: Role,
    /// The rule's fix, if it has one (absent from JSON when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::fix::Fix>,
}

impl Finding {
    /// The message as a person reads it: with the file's role when it is not production code
    /// ("… (in example code)").
    pub fn message_with_role(&self) -> String {
        match self.role {
            Role::Production => self.message.clone(),
            role => format!("{} (in {})", self.message, role.describe()),
        }
    }

    pub fn sort_key(&self) -> (&str, usize, usize, Rule, &str) {
        (
            &self.path,
            self.start.offset,
            self.end.offset,
            self.rule,
            &self.message,
        )
    }
}

/// Why a discovered file was not analysed. Every discovered file is scanned, skipped or failed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    TooLarge,
    Minified,
    /// The file's role (test code, test data, docs, generated, vendored, or any role configured
    /// `"skip"`) is not analysed.
    Role(crate::roles::Role),
    SymlinkOutsideRoot,
    NotRegularFile,
    Excluded,
    /// A file named on the command line whose type authlint does not read.
    Unsupported,
    /// A folder of build output or installed dependencies (`target`, `node_modules`, `dist`, …).
    DefaultExcludedDir,
}

impl SkipReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too-large",
            SkipReason::Minified => "minified",
            SkipReason::Role(role) => match role {
                Role::Test => "test-code",
                Role::TestData => "test-data",
                Role::Docs => "docs",
                Role::Generated => "generated",
                Role::Vendored => "vendored",
                Role::Example => "example",
                Role::Template => "template",
                Role::DevConfig => "dev-config",
                Role::Production => "production",
            },
            SkipReason::SymlinkOutsideRoot => "symlink-outside-root",
            SkipReason::NotRegularFile => "not-a-regular-file",
            SkipReason::Excluded => "excluded",
            SkipReason::Unsupported => "unsupported",
            SkipReason::DefaultExcludedDir => "build-or-dependencies",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            SkipReason::TooLarge => "larger than max_file_size",
            SkipReason::Minified => "minified or generated",
            SkipReason::Role(role) => match role {
                Role::Test => "test code (include_tests = false)",
                Role::TestData => "test data, fixtures, mocks or snapshots",
                Role::Docs => "documentation",
                Role::Generated => "generated code",
                Role::Vendored => "vendored code",
                Role::Example => "example code (roles.policy: skip)",
                Role::Template => "template (roles.policy: skip)",
                Role::DevConfig => "development config (roles.policy: skip)",
                Role::Production => "production code (roles.policy: skip)",
            },
            SkipReason::SymlinkOutsideRoot => "symlink pointing outside the scanned root",
            SkipReason::NotRegularFile => "not a regular file (FIFO, socket or device)",
            SkipReason::Excluded => "excluded by config",
            SkipReason::Unsupported => "not a file type authlint reads",
            SkipReason::DefaultExcludedDir => {
                "build output or installed dependencies (a default exclude)"
            }
        }
    }
}

/// What kind of problem a diagnostic reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// The file could not be read (permissions, vanished, not valid text).
    ReadError,
    /// The file could not be parsed; findings in it may be missing.
    ParseError,
    /// The file's analysis ran past `file_timeout` and was stopped; findings may be missing.
    Timeout,
    /// authlint itself failed on the file (a bug to report); the run is not successful.
    InternalError,
    /// One rule reported more than its per-file cap in the file: the rest were counted, not kept.
    /// The file still counts as scanned.
    TooManyFindings,
}

impl DiagnosticKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::ReadError => "read-error",
            DiagnosticKind::ParseError => "parse-error",
            DiagnosticKind::Timeout => "timeout",
            DiagnosticKind::InternalError => "internal-error",
            DiagnosticKind::TooManyFindings => "too-many-findings",
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A problem with the run itself on one file: the file could not be read or parsed, or an analyzer
/// failed on it. Reported, never silent; the run goes on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Position>,
    pub message: String,
}

impl Diagnostic {
    /// A file with such a diagnostic counts as failed, not scanned: it could not be read or
    /// parsed, or an analyzer failed on it, so some of its findings may be missing.
    pub fn fails_file(&self) -> bool {
        matches!(
            self.kind,
            DiagnosticKind::ReadError
                | DiagnosticKind::ParseError
                | DiagnosticKind::Timeout
                | DiagnosticKind::InternalError
        )
    }

    /// authlint itself failed (a bug): the run exits 2 whatever it found, `--strict` or not.
    pub fn is_internal(&self) -> bool {
        self.kind == DiagnosticKind::InternalError
    }
}
