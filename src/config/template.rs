//! The commented `authlint.toml` that `authlint init` writes: every key with its default.
use crate::catalog;

pub fn init_template() -> String {
    let mut out = String::from(
        r#"# authlint configuration. Every key is optional; the values shown are the defaults.
# Run `authlint rules` for the rule list and `authlint explain <rule>` for what each one means.

# Access tokens (access, ID and bearer JWTs) that live longer than this are findings.
# Durations as humans write them: "15m", "1h30m", "7d".
access_token_max_ttl = "15m"

# Refresh tokens that live longer than this are findings.
refresh_token_max_ttl = "30d"

# Files bigger than this are reported as skipped instead of being read.
max_file_size = "2MiB"

# One file's analysis that takes longer than this is stopped: the file is reported as failed
# (a `timeout` diagnostic) and the run goes on.
file_timeout = "10s"

# Test code and test data (`#[cfg(test)]` items, tests/, benches/, fixtures/, testdata/, mocks/,
# *.test.ts, *.spec.js, .env.test) are skipped unless this is true.
include_tests = false

# Paths to leave out, in .gitignore syntax, relative to this file. They also apply to files named
# explicitly on the command line (as pre-commit passes them).
exclude = []

# A baseline written by `authlint check --write-baseline FILE`: findings recorded there are hidden.
# baseline = "authlint-baseline.json"

# Each file has a role, judged from its path inside its project root (the nearest folder with
# .git or authlint.toml, else Cargo.toml or package.json) and from its header; see
# `authlint check --show-roles`. Roles: production, example, template, dev-config, test, test-data,
# docs, generated, vendored.
[roles.paths]
# "internal/suites" = "test-data"   # globs relative to this file; the first match wins

# What each role's findings become: "report", "warning" (at most), "note" (at most) or "skip".
[roles.policy]
# production = "report"
# example = "warning"
# template = "warning"
# dev-config = "note"
# test = "skip"
# test-data = "skip"
# docs = "skip"
# generated = "skip"
# vendored = "skip"

# Rules or categories (`authlint rules` shows them: cookies, secrets, …) never reported in the
# files a glob matches; globs relative to this file, a folder covers everything below it.
[per-file-ignores]
# "src/dev_server.rs" = ["cookies"]   # a category, or rule ids

# Per-rule level: "error", "warning", "note" or "off". The defaults are shown commented out.
[rules]
"#,
    );
    for rule in catalog::all()
        .iter()
        .filter(|r| r.category != catalog::Category::Meta)
    {
        out.push_str(&format!(
            "# {} = \"{}\"    # {}\n",
            rule.id, rule.severity, rule.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_template_shows_every_role_with_its_default_policy() {
        let t = super::init_template();
        for role in crate::roles::ALL {
            let line = format!(
                "# {} = \"{}\"\n",
                role.as_str(),
                role.default_policy().describe()
            );
            assert!(t.contains(&line), "missing {line:?}");
        }
    }
}
