//! What a file is for: production code, an example people copy, a test, test data, docs, dev-only
//! config, a template, generated or vendored code. One classifier decides, from the path relative
//! to the file's project root and from markers in its first lines; one policy per role says what
//! becomes of its findings (reported, capped at a level, or the file skipped and counted).
//!
//! The project root is found from the file upward, never from the path as typed: the nearest
//! folder holding `.git`, `authlint.toml` or `.authlint.toml` (a repository or a configured
//! project), else the nearest holding `Cargo.toml` or `package.json`. Folders above that root are
//! never read, so `check e2e/shop` and `check .` inside `e2e/shop` give the same roles, while an
//! app under a repository's own `examples/` or `tests/` keeps that role whichever way it is
//! reached.
use crate::severity::Severity;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Production,
    Example,
    Template,
    DevConfig,
    Test,
    TestData,
    Docs,
    Generated,
    Vendored,
}

pub const ALL: [Role; 9] = [
    Role::Production,
    Role::Example,
    Role::Template,
    Role::DevConfig,
    Role::Test,
    Role::TestData,
    Role::Docs,
    Role::Generated,
    Role::Vendored,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Production => "production",
            Role::Example => "example",
            Role::Template => "template",
            Role::DevConfig => "dev-config",
            Role::Test => "test",
            Role::TestData => "test-data",
            Role::Docs => "docs",
            Role::Generated => "generated",
            Role::Vendored => "vendored",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How a finding's place is described to a human ("in example code").
    pub fn describe(self) -> &'static str {
        match self {
            Role::Production => "production code",
            Role::Example => "example code",
            Role::Template => "a template",
            Role::DevConfig => "development-only config",
            Role::Test => "test code",
            Role::TestData => "test data",
            Role::Docs => "documentation",
            Role::Generated => "generated code",
            Role::Vendored => "vendored code",
        }
    }

    /// The default policy (before `[roles]` in authlint.toml and `include_tests`).
    pub fn default_policy(self) -> Policy {
        match self {
            Role::Production => Policy::Report,
            Role::Example | Role::Template => Policy::AtMost(Severity::Warning),
            Role::DevConfig => Policy::AtMost(Severity::Note),
            Role::Test | Role::TestData | Role::Docs | Role::Generated | Role::Vendored => {
                Policy::Skip
            }
        }
    }
}

/// What becomes of a role's files and findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Findings keep their level.
    Report,
    /// Findings are reported at most at this level.
    AtMost(Severity),
    /// The file is not analysed; it is counted as skipped with its role as the reason.
    Skip,
}

impl Policy {
    pub fn parse(s: &str) -> Option<Policy> {
        match s {
            "report" => Some(Policy::Report),
            "warning" => Some(Policy::AtMost(Severity::Warning)),
            "note" => Some(Policy::AtMost(Severity::Note)),
            "skip" => Some(Policy::Skip),
            _ => None,
        }
    }

    /// As `--show-roles` prints it and `[roles.policy]` spells it.
    pub fn describe(self) -> &'static str {
        match self {
            Policy::Report => "report",
            Policy::AtMost(Severity::Warning) => "warning",
            Policy::AtMost(Severity::Note) => "note",
            Policy::AtMost(Severity::Error) => "report",
            Policy::Skip => "skip",
        }
    }

    /// Whether this policy reports less than `other` (skip < note < warning < report).
    pub fn is_milder_than(self, other: Policy) -> bool {
        self.rank() < other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Policy::Skip => 0,
            Policy::AtMost(Severity::Note) => 1,
            Policy::AtMost(Severity::Warning) => 2,
            Policy::AtMost(Severity::Error) | Policy::Report => 3,
        }
    }

    pub fn cap(self, severity: Severity) -> Severity {
        match self {
            Policy::AtMost(max) => severity.min(max),
            _ => severity,
        }
    }
}

/// A role and why the file has it (shown by `--show-roles`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub role: Role,
    pub reason: String,
}

impl Decision {
    fn new(role: Role, reason: impl Into<String>) -> Self {
        Decision {
            role,
            reason: reason.into(),
        }
    }
}

const VENDORED_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "bower_components",
    "node_modules",
    ".yarn",
];
const TEST_DATA_DIRS: &[&str] = &[
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "fixture",
    "__fixtures__",
    "test-fixtures",
    "test_fixtures",
    "__snapshots__",
    ".snapshots",
    "snapshots",
    "mocks",
    "mock",
    "__mocks__",
    "stub",
    "stubs",
    "test_resources",
    "test-resources",
    "testfiles",
];
const TEST_DIRS: &[&str] = &[
    "tests",
    "test",
    "__tests__",
    "spec",
    "specs",
    "e2e",
    "cypress",
    "playwright",
    "benches",
    "integration-tests",
    "integration_tests",
    "testing",
    "testutils",
    "testutil",
    "test-utils",
    "test_utils",
    "test_helpers",
    "suites",
];
const DOCS_DIRS: &[&str] = &["docs", "doc", "documentation"];
const EXAMPLE_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "quickstart",
    "quickstarts",
];
const DEV_CONFIG_DIRS: &[&str] = &["local-environment", ".devcontainer", "dev-environment"];
const TEMPLATE_EXTS: &[&str] = &[".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".hbs", ".t"];

/// The role a file has by its path relative to its project root (`/`-separated).
pub fn by_path(rel: &str) -> Decision {
    let lower = rel.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.pop().unwrap_or("");
    let dirs = parts;
    let dir_in = |set: &[&str]| dirs.iter().find(|d| set.contains(d)).copied();
    if let Some(d) = dir_in(VENDORED_DIRS) {
        return Decision::new(Role::Vendored, format!("under `{d}/`"));
    }
    if name.contains(".generated.") || name.ends_with(".pb.rs") || name.contains("_generated.") {
        return Decision::new(Role::Generated, "file name says it is generated");
    }
    if let Some(d) = dir_in(TEST_DATA_DIRS) {
        return Decision::new(Role::TestData, format!("under `{d}/`"));
    }
    if test_env_name(name) || name.ends_with(".snap") {
        return Decision::new(Role::TestData, format!("`{name}` holds test settings"));
    }
    if let Some(why) = test_file_name(name) {
        return Decision::new(Role::Test, why);
    }
    if let Some(d) = dir_in(TEST_DIRS) {
        return Decision::new(Role::Test, format!("under `{d}/`"));
    }
    if let Some(d) = dirs.last().filter(|d| has_test_word(d)) {
        return Decision::new(Role::Test, format!("in `{d}/`, a folder of test helpers"));
    }
    if let Some(d) = dir_in(DOCS_DIRS) {
        return Decision::new(Role::Docs, format!("under `{d}/`"));
    }
    if let Some(why) = dev_config_name(name) {
        return Decision::new(Role::DevConfig, why);
    }
    if let Some(d) = dir_in(DEV_CONFIG_DIRS) {
        return Decision::new(Role::DevConfig, format!("under `{d}/`"));
    }
    if let Some(ext) = TEMPLATE_EXTS.iter().find(|e| name.ends_with(*e)) {
        return Decision::new(Role::Template, format!("a `{ext}` template"));
    }
    if name.ends_with(".template") {
        return Decision::new(Role::Template, "a `.template` file to be filled in");
    }
    if let Some(d) = dir_in(EXAMPLE_DIRS) {
        return Decision::new(Role::Example, format!("under `{d}/`"));
    }
    if dirs
        .windows(2)
        .any(|w| w[0] != "templates" && w[1] == "templates")
        && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".tpl"))
        && dirs
            .iter()
            .any(|d| *d == "charts" || *d == "chart" || *d == "helm")
    {
        return Decision::new(Role::Template, "a Helm chart template");
    }
    Decision::new(
        Role::Production,
        "no test, example, docs or dev marker in its path",
    )
}

/// Words that make a file (or its own folder) test code: `session_test.rs`, `test_keys.rs`,
/// `mock_server/`, `fake_tokens.rs`, `testutils/`.
const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testutils",
    "testutil",
    "mock",
    "mocks",
    "fake",
    "fakes",
    "dummy",
];

/// Test files by name: `*.test.ts`, `*.spec.js`, `*_test.rs`, `test_keys.rs`, `tests.rs`.
fn test_file_name(name: &str) -> Option<String> {
    let stem = name.split('.').next().unwrap_or(name);
    let hit = name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".e2e.")
        || has_test_word(stem);
    hit.then(|| format!("`{name}` is a test file by its name"))
}

/// A file or folder name with a test word in it (`test_helpers`, `mock_server`, `fake_tokens`).
pub fn has_test_word(name: &str) -> bool {
    crate::words::words(name)
        .iter()
        .any(|w| TEST_WORDS.contains(&w.as_str()))
}

/// Environments for tests and CI: `.env.test`, `.env.ci`, `.env.e2e-ci`, `test.env`.
fn test_env_name(name: &str) -> bool {
    let env_parts: Vec<&str> = if let Some(rest) = name.strip_prefix(".env.") {
        rest.split('.').collect()
    } else if let Some(stem) = name.strip_suffix(".env") {
        stem.split('.').collect()
    } else {
        return false;
    };
    env_parts.iter().any(|p| {
        crate::words::words(p)
            .iter()
            .any(|w| matches!(w.as_str(), "test" | "testing" | "ci" | "e2e"))
    })
}

/// Config that only a developer's machine uses, or that is meant to be copied and filled in.
fn dev_config_name(name: &str) -> Option<String> {
    let env_dev = matches!(
        name,
        ".env.example"
            | ".env.sample"
            | ".env.template"
            | ".env.dist"
            | ".env.defaults"
            | ".env.development"
            | ".env.dev"
            | ".env.local"
            | ".env.development.local"
            | ".env.docker.example"
    ) || name.starts_with(".env.")
        && (name.ends_with(".example") || name.ends_with(".sample"));
    if env_dev {
        return Some(format!(
            "`{name}` is a developer's or an example environment"
        ));
    }
    let compose_override = (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.contains(".override.")
            || name.contains(".dev.")
            || name.contains(".local.")
            || name.contains("-dev.")
            || name.contains(".development."));
    if compose_override {
        return Some(format!("`{name}` is a development compose file"));
    }
    let segs: Vec<&str> = name.split('.').collect();
    let inner = segs.get(1..segs.len().saturating_sub(1)).unwrap_or(&[]);
    if inner.iter().any(|s| {
        matches!(
            *s,
            "dev" | "development" | "local" | "example" | "sample" | "dist"
        )
    }) {
        return Some(format!("`{name}` is development or example config"));
    }
    let stem = segs.first().copied().unwrap_or("");
    let config_ext = segs.last().is_some_and(|e| {
        matches!(
            *e,
            "env" | "toml" | "yaml" | "yml" | "json" | "cfg" | "ini" | "conf"
        )
    });
    if segs.len() >= 2 && config_ext && matches!(stem, "dev" | "development" | "local") {
        return Some(format!("`{name}` is a development environment"));
    }
    if ["-example", "_example", "-sample", "_sample"]
        .iter()
        .any(|s| stem.ends_with(s))
        || matches!(stem, "example" | "sample")
    {
        return Some(format!("`{name}` is an example to copy"));
    }
    None
}

/// Markers in a file's first lines that change its role: generated code, a config written for
/// documentation only.
pub fn by_content(text: &str) -> Option<Decision> {
    let head_end = text.char_indices().nth(2048).map_or(text.len(), |(i, _)| i);
    let head = &text[..head_end];
    let head_lines: Vec<&str> = head.lines().take(12).collect();
    let lower: String = head_lines.join("\n").to_ascii_lowercase();
    if lower.contains("@generated")
        || lower.contains("code generated")
        || lower.contains("do not edit")
        || lower.contains("automatically generated")
        || lower.contains("auto-generated")
        || lower.contains("autogenerated")
    {
        return Some(Decision::new(
            Role::Generated,
            "its header says it is generated",
        ));
    }
    if lower.contains("for documentation purposes only")
        || lower.contains("for documentation purposes")
        || lower.contains("documentation only")
        || lower.contains("not for production")
        || lower.contains("do not use in production")
        || lower.contains("do not use this in production")
    {
        return Some(Decision::new(
            Role::Docs,
            "its header says it is for documentation or not for production",
        ));
    }
    None
}

/// Markers of a project root: a repository or configured project (strong), a package (weak).
pub const STRONG_ROOT: &[&str] = &[".git", "authlint.toml", ".authlint.toml"];
const WEAK_ROOT: &[&str] = &["Cargo.toml", "package.json"];

/// The root markers the walk saw in each folder it listed, one bit per name of [`STRONG_ROOT`]
/// then [`WEAK_ROOT`] (`0` for a folder with none); [`MARKER_UNSURE`] where one is a symlink
/// (whether it leads anywhere is left to a look). Folders not listed are looked at on disk.
pub type Markers = HashMap<std::ffi::OsString, u8, rustc_hash::FxBuildHasher>;

/// A marker that is a symlink: the folder is looked at on disk.
pub const MARKER_UNSURE: u8 = 0x80;

/// The bit of a root marker's file name, if it is one.
pub fn marker_bit(name: &std::ffi::OsStr) -> Option<u8> {
    // Where file systems ignore case by default (macOS, Windows), `cargo.toml` answers a look
    // for `Cargo.toml` on disk: the walk's names are compared the same way.
    let same = |m: &str| {
        if cfg!(any(target_os = "macos", windows)) {
            name.eq_ignore_ascii_case(m)
        } else {
            name == m
        }
    };
    STRONG_ROOT
        .iter()
        .chain(WEAK_ROOT)
        .position(|m| same(m))
        .map(|i| 1 << i)
}

/// Finds project roots, remembering each folder's answer (one look per folder, not per file).
#[derive(Default)]
pub struct Roots {
    /// Keyed by the folder's bytes, hashed with FxHash (see `ignore_files::ByPath`).
    cache:
        HashMap<std::ffi::OsString, (Option<PathBuf>, Option<PathBuf>), rustc_hash::FxBuildHasher>,
    /// What the walk saw: a listed folder's markers are known without a system call each.
    seen: Markers,
}

impl Roots {
    /// Roots judged from the markers the walk saw where it listed a folder.
    pub fn with_markers(seen: Markers) -> Self {
        Roots {
            cache: HashMap::default(),
            seen,
        }
    }

    /// Whether `dir` holds one of `names` (a group of markers, `STRONG_ROOT` or `WEAK_ROOT`).
    fn has(&self, dir: &Path, names: &[&str]) -> bool {
        match self.seen.get(dir.as_os_str()) {
            Some(bits) if bits & MARKER_UNSURE == 0 => names
                .iter()
                .any(|n| marker_bit(std::ffi::OsStr::new(n)).is_some_and(|b| bits & b != 0)),
            _ => names.iter().any(|n| dir.join(n).exists()),
        }
    }

    /// The project root of a file at `abs` (absolute, without `.` components), if any.
    pub fn root_of(&mut self, abs: &Path) -> Option<PathBuf> {
        let dir = abs.parent()?;
        let (strong, weak) = self.dir(dir);
        strong.or(weak)
    }

    fn dir(&mut self, dir: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
        if let Some(v) = self.cache.get(dir.as_os_str()) {
            return v.clone();
        }
        // Walk up until a cached folder or the top, then fill the cache downward.
        let mut chain = vec![dir.to_path_buf()];
        let mut above = (None, None);
        let mut cur = dir.parent();
        while let Some(d) = cur {
            if let Some(v) = self.cache.get(d.as_os_str()) {
                above = v.clone();
                break;
            }
            chain.push(d.to_path_buf());
            cur = d.parent();
        }
        for d in chain.into_iter().rev() {
            let strong = if self.has(&d, STRONG_ROOT) {
                Some(d.clone())
            } else {
                above.0.clone()
            };
            let weak = if self.has(&d, WEAK_ROOT) {
                Some(d.clone())
            } else {
                above.1.clone()
            };
            above = (strong, weak);
            self.cache.insert(d.into_os_string(), above.clone());
        }
        above
    }
}

/// The role of a file at `abs`, judged inside its project root (or `fallback`, the scanned
/// folder, when no root marker exists above it).
pub fn classify(roots: &mut Roots, abs: &Path, fallback: &Path) -> Decision {
    let root = roots.root_of(abs);
    let base = root.as_deref().unwrap_or(fallback);
    let rel = abs
        .strip_prefix(base)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| {
            abs.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    by_path(&rel)
}

#[cfg(test)]
mod tests;
