//! `authlint.toml` (or `[workspace.metadata.authlint]` / `[package.metadata.authlint]` in
//! Cargo.toml): parsed with spans, then validated; every error points into the file.
pub mod duration;
pub mod per_file;
mod structure;
mod template;
mod validate;

use crate::rule::Rule;
pub use template::init_template;

use crate::catalog;
use crate::finding::Severity;
use crate::roles::{Policy, Role};
use miette::{Diagnostic, LabeledSpan, SourceCode};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const DEFAULT_ACCESS_TTL: u64 = 15 * 60;
pub const DEFAULT_REFRESH_TTL: u64 = 30 * 86_400;
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 << 20;
pub const CONFIG_FILE_NAMES: [&str; 2] = ["authlint.toml", ".authlint.toml"];

/// The largest `authlint.toml` read: a config is a page of settings, not data (issue 14, item 7).
pub const MAX_CONFIG_FILE: u64 = 1 << 20;

/// The most globs in `exclude` and in `[roles.paths]`: each costs memory in every walker thread
/// (500,000 excludes took over 3 GiB).
pub const MAX_GLOBS: usize = 10_000;

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// At most this many findings of one rule are kept per file. GitHub code scanning ingests at most
/// 25,000 results per SARIF run and shows at most 5,000 per rule, and a file with 34,000 copies of
/// one mistake says nothing more after the first thousand; past the cap, reports are counted and
/// dropped as they arrive, so their memory is never spent (272,000 findings in eight files peaked
/// at 800 MiB, mostly allocator fragmentation). The file gets a `too-many-findings` diagnostic.
pub const MAX_PER_FILE_RULE: usize = 1_000;

/// The resolved settings a run uses.
#[derive(Clone, Debug)]
pub struct Settings {
    pub access_token_max_ttl: u64,
    pub refresh_token_max_ttl: u64,
    pub max_file_size: u64,
    /// How long one file's analysis may take before it is stopped (see `budget`).
    pub file_timeout: std::time::Duration,
    pub include_tests: bool,
    /// Exclude globs (gitignore syntax) and the directory they are relative to.
    pub exclude: Vec<String>,
    pub exclude_root: PathBuf,
    pub rules: BTreeMap<Rule, Level>,
    pub baseline: Option<PathBuf>,
    /// The file these settings came from, if any.
    pub source: Option<PathBuf>,
    /// `[roles.policy]`: what becomes of each role's files, where it differs from the default.
    pub role_policy: BTreeMap<Role, Policy>,
    /// `[roles.paths]`: globs (relative to `exclude_root`) that give files a role, first match wins.
    pub role_paths: Vec<(String, Role)>,
    /// Files the run itself reads or writes (the baseline), by canonical path: never checked.
    pub own_files: Vec<PathBuf>,
    /// `[per-file-ignores]`: rules never reported in the files a glob matches.
    pub per_file_ignores: per_file::PerFileIgnores,
    /// At most this many findings of one rule in one file are kept (see
    /// [`MAX_PER_FILE_RULE`]). Not a config key: tests lower it.
    pub max_per_file_rule: usize,
}

impl Settings {
    /// The policy for a role: `[roles.policy]`, else `include_tests` for tests and test data,
    /// else the role's default.
    pub fn policy(&self, role: Role) -> Policy {
        if let Some(p) = self.role_policy.get(&role) {
            return *p;
        }
        if self.include_tests && matches!(role, Role::Test | Role::TestData) {
            return Policy::Report;
        }
        role.default_policy()
    }

    /// A file's header can say more than its path (generated code, a config for the docs only):
    /// the header's role when its policy is milder, never one that would report more.
    pub fn header_role(&self, path_role: Role, text: &str) -> Option<crate::roles::Decision> {
        crate::roles::by_content(text)
            .filter(|d| self.policy(d.role).is_milder_than(self.policy(path_role)))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_max_ttl: DEFAULT_ACCESS_TTL,
            refresh_token_max_ttl: DEFAULT_REFRESH_TTL,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            file_timeout: crate::budget::DEFAULT_FILE_TIMEOUT,
            include_tests: false,
            exclude: Vec::new(),
            exclude_root: PathBuf::from("."),
            rules: BTreeMap::new(),
            baseline: None,
            source: None,
            role_policy: BTreeMap::new(),
            role_paths: Vec::new(),
            own_files: Vec::new(),
            per_file_ignores: per_file::PerFileIgnores::default(),
            max_per_file_rule: MAX_PER_FILE_RULE,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    access_token_max_ttl: Option<Spanned<String>>,
    refresh_token_max_ttl: Option<Spanned<String>>,
    max_file_size: Option<Spanned<toml::Value>>,
    file_timeout: Option<Spanned<String>>,
    include_tests: Option<bool>,
    exclude: Option<Vec<Spanned<String>>>,
    baseline: Option<Spanned<String>>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    roles: Option<RawRoles>,
    #[serde(rename = "per-file-ignores")]
    per_file_ignores: Option<per_file::Raw>,
}

/// `[roles]`: `paths` assigns roles by glob, `policy` says what each role's findings become.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoles {
    paths: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    policy: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

const KNOWN_KEYS: [&str; 10] = [
    "access_token_max_ttl",
    "refresh_token_max_ttl",
    "max_file_size",
    "file_timeout",
    "include_tests",
    "exclude",
    "baseline",
    "rules",
    "roles",
    "per-file-ignores",
];

#[derive(Debug, Deserialize)]
struct CargoManifest {
    workspace: Option<CargoSection>,
    package: Option<CargoSection>,
}

#[derive(Debug, Deserialize)]
struct CargoSection {
    metadata: Option<CargoMetadata>,
}

#[derive(Debug, Deserialize)]
struct CargoMetadata {
    authlint: Option<RawConfig>,
}

/// One problem in a config file, rendered by miette with the offending span.
#[derive(Debug)]
pub struct ConfigError {
    pub path: String,
    /// The file and the span in it, as miette reads them.
    src: Option<(crate::snippet::Owned, (usize, usize))>,
    /// The span in the file, as byte offsets `(start, end)`: orders and deduplicates errors.
    span: Option<(usize, usize)>,
    pub message: String,
    help: Option<String>,
}

impl ConfigError {
    fn new(
        path: &Path,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: String,
        help: Option<String>,
    ) -> Self {
        let name = path.display().to_string();
        ConfigError {
            span: span.as_ref().map(|r| (r.start, r.end)),
            src: span.map(|r| crate::snippet::Owned::new(name.clone(), text, r.start, r.end)),
            path: name,
            message,
            help,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config-error"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|(src, _)| src as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, (start, len)) = self.src.as_ref()?;
        let (start, len) = (*start, *len);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".into()),
            start,
            len,
        ))))
    }
}

/// Every error found in one config file (all of them, not just the first).
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

/// Where a run's config is searched from: the deepest folder holding every path checked (a
/// file counts as its folder). One config applies to the whole run, whatever the order of the
/// paths; configs below this folder are not read.
pub fn search_start(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    common_folder(paths, cwd, |file| {
        file.parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
    })
}

/// The project a run without a config belongs to (baseline fingerprints are relative to it):
/// the deepest folder holding every path checked, where a file inside the working directory (as
/// pre-commit passes them) counts as the working directory and any other file as its folder.
pub fn root_without_config(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    common_folder(paths, cwd, |file| {
        if file.starts_with(cwd) {
            cwd.to_path_buf()
        } else {
            file.parent()
                .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
        }
    })
}

fn common_folder(
    paths: &[PathBuf],
    cwd: &Path,
    folder_of_file: impl Fn(&Path) -> PathBuf,
) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for p in paths {
        let abs = crate::reader::absolute(cwd, p);
        let dir = if abs.is_dir() {
            abs
        } else {
            folder_of_file(&abs)
        };
        common = Some(match common {
            None => dir,
            Some(c) => c
                .components()
                .zip(dir.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    common.unwrap_or_else(|| cwd.to_path_buf())
}

/// Finds the config for a scan rooted at `start`: the first `authlint.toml`/`.authlint.toml`, or
/// Cargo.toml with an authlint metadata table, from `start` upward.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in CONFIG_FILE_NAMES {
            let p = d.join(name);
            // A directory or FIFO with the config's name is an error when loaded, not skipped.
            if p.symlink_metadata().is_ok() {
                return Some(p);
            }
        }
        let cargo = d.join("Cargo.toml");
        if crate::reader::project_file(&cargo).is_some_and(|text| has_authlint_table(&text)) {
            return Some(cargo);
        }
        dir = d.parent();
    }
    None
}

/// Whether a Cargo.toml holds `[workspace.metadata.authlint]` or `[package.metadata.authlint]`,
/// in any TOML spelling (a subtable such as `[workspace.metadata.authlint.rules]` alone, an inline
/// table, dotted keys). A manifest that is not valid TOML counts when it names authlint at all,
/// so that loading it reports the error instead of ignoring the config.
fn has_authlint_table(text: &str) -> bool {
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return text.contains("authlint");
    };
    ["workspace", "package"].iter().any(|section| {
        doc.get(*section)
            .and_then(|s| s.get("metadata"))
            .and_then(|m| m.get("authlint"))
            .is_some()
    })
}

/// Loads and validates a config file (a relative `path` is relative to `cwd`, not to the
/// process's directory). Cargo.toml is read for its metadata table.
pub fn load(path: &Path, cwd: &Path) -> Result<Settings, ConfigErrors> {
    // Without `..` (`--config ../authlint.toml`), so paths below it strip its folder.
    let abs = crate::reader::absolute(cwd, path);
    let is_cargo = path.file_name().is_some_and(|n| n == "Cargo.toml");
    let limit = if is_cargo {
        crate::reader::MAX_PROJECT_FILE
    } else {
        MAX_CONFIG_FILE
    };
    let text = crate::reader::read_text(&abs, limit, crate::reader::Origin::User).map_err(|e| {
        let (message, help) = match e {
            crate::reader::ReadError::TooLarge { limit } => (
                format!("config file is larger than {} KiB", limit >> 10),
                Some("a config holds settings: exclude folders with a few globs".into()),
            ),
            crate::reader::ReadError::NotRegular => (
                "config is not a regular file".to_string(),
                Some("remove it, or point --config at a file".into()),
            ),
            e => (format!("cannot read config: {e}"), None),
        };
        ConfigErrors(vec![ConfigError::new(path, "", None, message, help)])
    })?;
    let raw = if is_cargo {
        let manifest: CargoManifest =
            toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let from_ws = manifest
            .workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.authlint);
        let from_pkg = manifest
            .package
            .and_then(|p| p.metadata)
            .and_then(|m| m.authlint);
        from_ws.or(from_pkg).unwrap_or_else(empty_raw)
    } else {
        toml::from_str::<RawConfig>(&text).map_err(|e| toml_error(path, &text, &e))?
    };
    let base = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    validate::validate(raw, path, &text, base)
}

fn empty_raw() -> RawConfig {
    RawConfig {
        access_token_max_ttl: None,
        refresh_token_max_ttl: None,
        max_file_size: None,
        file_timeout: None,
        include_tests: None,
        exclude: None,
        baseline: None,
        rules: None,
        roles: None,
        per_file_ignores: None,
    }
}

/// The first error serde found, and every other structural problem in the authlint table (in
/// `[workspace.metadata.authlint]` or `[package.metadata.authlint]` for Cargo.toml).
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigErrors {
    let first = serde_error(path, text, e);
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return first;
    };
    let is_cargo = path.file_name().is_some_and(|n| n == "Cargo.toml");
    let table = if is_cargo {
        ["workspace", "package"].iter().find_map(|section| {
            let mut t = doc.get_ref();
            for key in [*section, "metadata", "authlint"] {
                match t.get(key).map(Spanned::get_ref) {
                    Some(toml::de::DeValue::Table(inner)) => t = inner,
                    _ => return None,
                }
            }
            Some(t)
        })
    } else {
        Some(doc.get_ref())
    };
    let mut all = table.map_or_else(Vec::new, |t| structure::errors(path, text, t));
    // serde's error is among them unless it is of a kind the second look does not check.
    if !all.iter().any(|e| e.span == first.0[0].span) {
        all.extend(first.0);
    }
    all.sort_by_key(|e| e.span.map_or(0, |s| s.0));
    ConfigErrors(all)
}

fn serde_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigErrors {
    let message = e.message().trim().to_string();
    let help = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .and_then(|field| {
            KNOWN_KEYS
                .iter()
                .map(|k| (catalog::edit_distance(field, k), *k))
                .filter(|(d, _)| *d <= 4)
                .min()
        })
        .map(|(_, k)| format!("did you mean `{k}`?"));
    ConfigErrors(vec![ConfigError::new(path, text, e.span(), message, help)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<Settings, ConfigErrors> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("authlint.toml");
        std::fs::write(&p, text).unwrap();
        load(&p, Path::new("/"))
    }

    #[test]
    fn reads_thresholds_and_levels() {
        let s =
            load_str("access_token_max_ttl = \"5m\"\n[rules]\ncookie-missing-secure = \"off\"\n")
                .unwrap();
        assert_eq!(s.access_token_max_ttl, 300);
        assert_eq!(s.rules.get(&Rule::CookieMissingSecure), Some(&Level::Off));
    }

    #[test]
    fn unknown_rule_suggests_the_closest() {
        let e = load_str("[rules]\ncookie-missing-secur = \"off\"\n").unwrap_err();
        assert_eq!(e.0[0].message, "unknown rule `cookie-missing-secur`");
        assert_eq!(
            e.0[0].help.as_deref(),
            Some("did you mean `cookie-missing-secure`?")
        );
    }

    #[test]
    fn unknown_key_and_bad_duration_point_into_the_file() {
        let e = load_str("acess_token_max_ttl = \"5m\"\n").unwrap_err();
        assert!(
            e.0[0]
                .message
                .contains("unknown field `acess_token_max_ttl`"),
            "{}",
            e.0[0].message
        );
        assert_eq!(
            e.0[0].help.as_deref(),
            Some("did you mean `access_token_max_ttl`?")
        );
        assert_eq!(e.0[0].src.as_ref().map(|(_, s)| s.0), Some(0));
        let e = load_str("refresh_token_max_ttl = \"30 parsecs\"\n").unwrap_err();
        assert!(e.0[0].message.contains("unknown unit `parsecs`"));
        // A bare number is not silently read as seconds: an error on the value, with a hint.
        let text = "access_token_max_ttl = \"15\"\n";
        let e = load_str(text).unwrap_err();
        assert!(
            e.0[0].message.contains("`15` has no unit"),
            "{}",
            e.0[0].message
        );
        assert_eq!(
            e.0[0].src.as_ref().map(|(_, s)| s.0),
            text.find("\"15\""),
            "the error points at the value"
        );
        for ok in ["15 minutes", "1 hour", "PT15M", "2 days"] {
            assert!(
                load_str(&format!("access_token_max_ttl = \"{ok}\"\n")).is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn cargo_metadata_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Cargo.toml");
        std::fs::write(&p, "[package]\nname = \"x\"\n[package.metadata.authlint]\naccess_token_max_ttl = \"10m\"\n").unwrap();
        assert_eq!(
            discover(dir.path()).as_deref(),
            Some(std::fs::canonicalize(&p).unwrap().as_path())
        );
        assert_eq!(load(&p, Path::new("/")).unwrap().access_token_max_ttl, 600);
    }
}
