//! The import aliases of a script project: `compilerOptions.paths` (and `baseUrl`) of the nearest
//! `tsconfig.json` or `jsconfig.json`, so `import { setToken } from "@/lib/auth"` is read as
//! `src/lib/auth.ts`. Only the nearest config between the importing file and its project top is
//! read (no `extends`), with the bounded reader; comments and trailing commas are allowed, as
//! TypeScript allows them.
use std::path::{Path, PathBuf};

const CONFIG_NAMES: &[&str] = &["tsconfig.json", "jsconfig.json"];
const MAX_CONFIG_BYTES: u64 = 256 << 10;
/// Patterns and targets kept from one config.
const MAX_PATTERNS: usize = 64;
const MAX_TARGETS: usize = 8;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Aliases {
    /// Where targets are read from: `baseUrl`, or the config's own folder.
    base: PathBuf,
    /// Whether `baseUrl` is set: then a bare specifier (`lib/auth`) is also a path under it.
    base_url: bool,
    /// `"@/*"` → `["src/*"]`, in the config's order.
    paths: Vec<(String, Vec<String>)>,
}

/// The nearest config file between `dir` and `top`, nearest first.
pub fn config_for(dir: &Path, top: &Path) -> Option<PathBuf> {
    crate::manifest::within_project(dir)
        .take_while(|d| d.starts_with(top))
        .flat_map(|d| CONFIG_NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

impl Aliases {
    /// The aliases a config file declares (`None`: unreadable, or it declares none).
    pub fn read(config: &Path) -> Option<Aliases> {
        let text =
            crate::reader::read_text(config, MAX_CONFIG_BYTES, crate::reader::Origin::Project)
                .ok()?;
        let json: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
        let options = json.get("compilerOptions")?;
        let dir = config.parent()?;
        let base_url = options.get("baseUrl").and_then(|b| b.as_str());
        let base = crate::analyzers::config::compose::normalise(&dir.join(base_url.unwrap_or(".")));
        let paths = options
            .get("paths")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
            .take(MAX_PATTERNS)
            .map(|(pattern, targets)| {
                let targets = targets
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .take(MAX_TARGETS)
                    .collect();
                (pattern.clone(), targets)
            })
            .collect::<Vec<_>>();
        (!paths.is_empty() || base_url.is_some()).then_some(Aliases {
            base,
            base_url: base_url.is_some(),
            paths,
        })
    }

    /// The paths (without extension) a non-relative specifier may name, in the order
    /// TypeScript tries them: the longest matching pattern first, then `baseUrl`.
    pub fn candidates(&self, spec: &str) -> Vec<PathBuf> {
        let mut matched: Vec<(usize, &Vec<String>, &str)> = self
            .paths
            .iter()
            .filter_map(|(pattern, targets)| match pattern.split_once('*') {
                None => (pattern == spec).then_some((pattern.len(), targets, "")),
                Some((pre, post)) => spec
                    .strip_prefix(pre)
                    .and_then(|s| s.strip_suffix(post))
                    .map(|star| (pre.len(), targets, star)),
            })
            .collect();
        matched.sort_by_key(|(len, _, _)| std::cmp::Reverse(*len));
        let mut out: Vec<PathBuf> = matched
            .into_iter()
            .flat_map(|(_, targets, star)| {
                targets
                    .iter()
                    .map(move |t| self.base.join(t.replacen('*', star, 1)))
            })
            .collect();
        if self.base_url {
            out.push(self.base.join(spec));
        }
        out
    }
}

/// JSON with comments and trailing commas (what tsconfig files are) made plain JSON.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    drop_trailing_commas(&out)
}

/// `[1, 2,]` → `[1, 2]`, outside strings.
fn drop_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == ',' && text[i + 1..].trim_start().starts_with(['}', ']']) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_with_comments_gives_longest_pattern_first_then_base_url() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tsconfig.json");
        std::fs::write(
            &config,
            r#"{
              // the app's aliases
              "compilerOptions": {
                "baseUrl": ".", /* block */
                "paths": { "@/*": ["src/*",], "@/lib/*": ["lib/*"], "~auth": ["src/auth.ts"], },
              },
            }"#,
        )
        .unwrap();
        let a = Aliases::read(&config).expect("aliases");
        let rel = |spec: &str| -> Vec<String> {
            a.candidates(spec)
                .iter()
                .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(
            rel("@/lib/auth"),
            ["lib/auth", "src/lib/auth", "@/lib/auth"]
        );
        assert_eq!(rel("~auth"), ["src/auth.ts", "~auth"]);
        assert_eq!(rel("react"), ["react"]);
        std::fs::write(&config, r#"{"compilerOptions": {"strict": true}}"#).unwrap();
        assert_eq!(Aliases::read(&config), None);
        std::fs::write(&config, "{ not json").unwrap();
        assert_eq!(Aliases::read(&config), None);
    }

    #[test]
    fn strings_keep_what_looks_like_comments_and_commas() {
        assert_eq!(
            strip_jsonc(r#"{"a": "x // y, }", "b": "/* z */",}"#),
            r#"{"a": "x // y, }", "b": "/* z */"}"#
        );
        assert_eq!(strip_jsonc("[\"\\\"\", 1, ] // end"), "[\"\\\"\", 1 ] ");
    }
}
