//! The rule catalog: one `rules/<id>.toml` per rule, embedded at build time. Feeds `authlint
//! rules`, `authlint explain`, the README table and the SARIF rule descriptions.
use crate::finding::Severity;
use crate::rule::Rule;
use serde::Deserialize;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// Where a rule's full documentation lives (`helpUri` in SARIF, `url` in JSON).
pub const DOCS_BASE: &str = "https://github.com/authlint/authlint/blob/main/rules/";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// The rule's docs page, made once: every finding of the rule shares it.
    #[serde(skip)]
    link: std::sync::OnceLock<String>,
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    pub summary: String,
    pub why: String,
    pub recommendation: String,
    #[serde(default)]
    pub limitations: Option<String>,
    pub example: Example,
    #[serde(default)]
    pub references: Vec<Reference>,
    pub sarif: SarifProps,
}

/// What part of the auth design a rule is about; `Meta` rules are about authlint itself
/// (suppressions) or the project as a whole (the design verdict).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Cookies,
    Lifetime,
    Meta,
    Revocation,
    Secrets,
    Sessions,
    Storage,
    Verification,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Cookies => "cookies",
            Category::Lifetime => "lifetime",
            Category::Meta => "meta",
            Category::Revocation => "revocation",
            Category::Secrets => "secrets",
            Category::Sessions => "sessions",
            Category::Storage => "storage",
            Category::Verification => "verification",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub lang: String,
    pub bad: String,
    pub good: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SarifProps {
    #[serde(default)]
    pub security_severity: Option<String>,
    pub precision: String,
    pub tags: Vec<String>,
}

impl RuleDoc {
    /// The typed id of this entry.
    pub fn rule(&self) -> Rule {
        Rule::from_id(&self.id).expect("build.rs generates one variant per catalog file")
    }

    pub fn url(&self) -> &str {
        self.link
            .get_or_init(|| format!("{DOCS_BASE}{}.toml", self.id))
    }
}

/// Every catalog entry, sorted by id. Panics only if the embedded catalog is malformed, which the
/// test suite rules out.
pub fn all() -> &'static [RuleDoc] {
    static CATALOG: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut rules: Vec<RuleDoc> = embedded::EMBEDDED
            .iter()
            .map(|(name, text)| {
                let doc: RuleDoc =
                    toml::from_str(text).unwrap_or_else(|e| panic!("rules/{name}: {e}"));
                assert_eq!(
                    format!("{}.toml", doc.id),
                    *name,
                    "rules/{name}: id does not match the file name"
                );
                doc
            })
            .collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules
    })
}

pub fn get(id: &str) -> Option<&'static RuleDoc> {
    all().iter().find(|r| r.id == id)
}

impl Rule {
    /// The rule's catalog entry (`rules/<id>.toml`).
    pub fn doc(self) -> &'static RuleDoc {
        get(self.id()).expect("build.rs generates one variant per catalog file")
    }
}

/// Suggests the closest rule id for a misspelt one ("did you mean `cookie-missing-secure`?").
pub fn did_you_mean(id: &str) -> Option<&'static str> {
    all()
        .iter()
        .map(|r| (edit_distance(id, &r.id), r.id.as_str()))
        .filter(|(d, cand)| *d <= 3.max(cand.len() / 4))
        .min()
        .map(|(_, id)| id)
}

/// Levenshtein distance over bytes (ids are ASCII).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Text for "unknown rule" errors: the suggestion if there is one.
pub fn unknown_rule_hint(id: &str) -> String {
    match did_you_mean(id) {
        Some(s) => format!("unknown rule `{id}`; did you mean `{s}`?"),
        None => format!("unknown rule `{id}`; `authlint rules` lists them"),
    }
}

/// The rules a `--select`/`--ignore` entry or a `[per-file-ignores]` entry names: a rule id, or
/// a category as `authlint rules` shows it (`cookies` is the three cookie rules).
pub fn expand(name: &str) -> Result<Vec<Rule>, String> {
    if let Some(rule) = Rule::from_id(name) {
        return Ok(vec![rule]);
    }
    let in_category: Vec<Rule> = all()
        .iter()
        .filter(|r| r.category.as_str() == name)
        .map(RuleDoc::rule)
        .collect();
    if in_category.is_empty() {
        Err(format!(
            "unknown rule or category `{name}`; {}",
            unknown_name_hint(name)
        ))
    } else {
        Ok(in_category)
    }
}

/// What to say about a name that is neither a rule id nor a category.
pub fn unknown_name_hint(name: &str) -> String {
    match did_you_mean(name) {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let mut categories: Vec<&str> = all().iter().map(|r| r.category.as_str()).collect();
            categories.sort_unstable();
            categories.dedup();
            format!(
                "`authlint rules` lists the rule ids; categories: {}",
                categories.join(", ")
            )
        }
    }
}
