//! Auth configuration files: TOML (and oauth2-proxy `.cfg`), YAML, JSON, `.env`, Terraform and
//! Dockerfile `ENV`/`ARG`, each parsed once into one spanned tree (templates of these formats with
//! their tags masked, Kubernetes `Secret` data base64-decoded). Product knowledge (`rules/products/*.toml`) says where
//! Supabase, Keycloak, Cognito, Auth0, Ory, Dex, Authelia and oauth2-proxy keep their token
//! lifetimes, rotation, cookie flags and secrets; plain app config is read by key names.
mod check;
pub mod compose;
mod dockerfile;
pub mod duration;
mod env;
mod generic;
mod hcl;
mod json;
pub mod kubernetes;
mod messages;
pub mod product_table;
pub mod products;
mod secret;
mod template;
pub mod terraform;
mod toml;
pub mod tree;
mod yaml;

use super::{Analyzer, Context, Sink};
use crate::finding::Span;
use crate::rule::Rule;
use crate::source::{ConfigFormat, FileKind, SourceFile};
pub(crate) use generic::is_token_key_name;
use tree::{Document, Node, ParseError};

pub struct ConfigAnalyzer;

/// Files that are never auth config, whatever they contain: manifests, lockfiles, tool
/// settings, CI pipelines (their values serve test runs).
fn not_auth_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    const NAMES: &[&str] = &[
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "composer.json",
        "composer.lock",
        "cargo.toml",
        "pyproject.toml",
        "poetry.lock",
        "jsconfig.json",
        "deno.json",
        "deno.jsonc",
        "lerna.json",
        "nx.json",
        "turbo.json",
        "angular.json",
        "renovate.json",
        ".babelrc",
        "babel.config.json",
        "project.json",
        "app.json",
        "manifest.json",
        "firebase.json",
        ".gitlab-ci.yml",
        ".travis.yml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        "codecov.yml",
        "dependabot.yml",
        "mkdocs.yml",
        "pubspec.yaml",
        "pubspec.lock",
        "rust-toolchain.toml",
        "rustfmt.toml",
        "clippy.toml",
        "deny.toml",
        "netlify.toml",
        "typos.toml",
        ".pre-commit-config.yaml",
        "authlint.toml",
        ".authlint.toml",
    ];
    NAMES.contains(&name.as_str())
        || (name.starts_with("tsconfig") && name.ends_with(".json"))
        || name.starts_with(".eslintrc")
        || name.starts_with(".prettierrc")
        || name.ends_with(".lock.json")
        || name.ends_with("-lock.json")
        || path.contains(".github/workflows/")
        || path.contains(".circleci/")
        || path.contains("/locales/")
        || path.contains("/i18n/")
}

/// API descriptions and schemas describe data; they are not settings.
fn not_settings(root: &Node) -> bool {
    ["openapi", "swagger", "$schema", "asyncapi"]
        .iter()
        .any(|k| root.get(k).is_some() && (root.get("properties").is_some() || *k != "$schema"))
}

fn format_name(f: ConfigFormat) -> &'static str {
    match f {
        ConfigFormat::Toml => "TOML",
        ConfigFormat::Yaml => "YAML",
        ConfigFormat::Json => "JSON",
        ConfigFormat::Env => ".env",
        ConfigFormat::Hcl => "Terraform",
        ConfigFormat::Dockerfile => "Dockerfile",
    }
}

pub fn parse(format: ConfigFormat, text: &str) -> Result<Vec<Document>, ParseError> {
    match format {
        ConfigFormat::Toml => toml::parse(text),
        ConfigFormat::Yaml => yaml::parse(text),
        ConfigFormat::Json => json::parse(text),
        ConfigFormat::Env => env::parse(text),
        ConfigFormat::Hcl => hcl::parse(text),
        ConfigFormat::Dockerfile => dockerfile::parse(text),
    }
}

/// The first line of a span: where a finding about a whole block points.
fn head(file: &SourceFile, span: Span) -> Span {
    let line = file.position(span.start).line;
    let end = file.line_start(line).unwrap_or(span.start) + file.line_text(line).len();
    Span::new(span.start, end.min(span.end.max(span.start)))
}

impl Analyzer for ConfigAnalyzer {
    fn name(&self) -> &'static str {
        "config"
    }

    fn handles(&self, kind: FileKind) -> bool {
        matches!(kind, FileKind::Config(_))
    }

    fn rules(&self) -> &'static [Rule] {
        messages::ALL
    }

    fn vocabulary(&self) -> &'static [&'static str] {
        &[
            "token",
            "jwt",
            "secret",
            "cookie",
            "session",
            "samesite",
            "same_site",
            "httponly",
            "http_only",
            // `SIGNING_KEY`, `HMAC_KEY`: secret names without any of the words above.
            "signing",
            "hmac",
        ]
    }

    fn check(&self, file: &SourceFile, ctx: &Context, sink: &mut Sink) {
        let FileKind::Config(format) = file.kind else {
            return;
        };
        if not_auth_config(&file.path) {
            return;
        }
        // Templates are read with their tags blanked: same offsets, the inner format's syntax.
        let lower = file.path.to_ascii_lowercase();
        let is_template = crate::source::template_suffix(&lower).is_some()
            || file.role == crate::roles::Role::Template;
        let masked = is_template.then(|| template::mask(&file.text));
        let text: &str = match &masked {
            Some((m, _)) => m,
            None => &file.text,
        };
        let mut docs = match parse(format, text) {
            Ok(d) => d,
            // `.cfg` is TOML for oauth2-proxy but INI or HAProxy syntax for most other tools:
            // a `.cfg` file that is not TOML is not a format this analyzer reads.
            Err(_) if file.path.to_ascii_lowercase().ends_with(".cfg") => return,
            Err(e) => {
                let at = e.at.min(file.text.len());
                sink.parse_error(
                    Some(Span::new(at, at)),
                    format!("cannot parse {}: {}", format_name(format), e.message),
                );
                return;
            }
        };
        let before = sink.reports.len();
        let tags = masked.as_ref().map(|(_, tags)| tags.as_slice());
        check_documents(file, format, &mut docs, tags, ctx, sink);
        messages::settle_value_fixes(&mut sink.reports[before..], &file.text);
        if format == ConfigFormat::Env {
            compose::relate(file, &ctx.project.compose, &mut sink.reports[before..]);
        }
    }
}

/// Evaluates the parsed documents of one file (Terraform references, template expressions,
/// Secret data) and runs the product and generic rules on them.
fn check_documents(
    file: &SourceFile,
    format: ConfigFormat,
    docs: &mut [Document],
    tags: Option<&[std::ops::Range<usize>]>,
    ctx: &Context,
    sink: &mut Sink,
) {
    for doc in docs.iter_mut() {
        if format == ConfigFormat::Hcl {
            let dirs = &ctx.project.terraform;
            if let Err(e) = terraform::resolve(&mut doc.root, &file.abs_path, dirs) {
                sink.parse_error(
                    Some(Span::new(e.at, e.at)),
                    format!("cannot evaluate Terraform: {}", e.message),
                );
                return;
            }
        }
        if let Some(tags) = tags {
            template::mark_expressions(&mut doc.root, tags, &file.text);
        }
        kubernetes::decode_secret_data(&mut doc.root);
    }
    for doc in docs.iter() {
        crate::budget::check();
        if not_settings(&doc.root) {
            continue;
        }
        let mut covered: Vec<Span> = Vec::new();
        let mut exclusive = false;
        for product in products::all() {
            if !product.applies(&file.path, format, &doc.root) {
                continue;
            }
            let mut any = false;
            for entity in &product.entities {
                crate::budget::tick();
                for found in entity.find(&file.path, &doc.root) {
                    crate::budget::tick();
                    any = true;
                    covered.push(found.node.span);
                    let h = head(file, found.key_span.unwrap_or(found.node.span));
                    check::check_entity(entity, &found, h, ctx, sink);
                }
            }
            if any {
                sink.fact(product_fact(product), head(file, doc.root.span), None);
            }
            exclusive |= product.exclusive && any;
        }
        if exclusive {
            continue;
        }
        let settings = tree::settings(&doc.root, &|n: &Node| {
            !covered.is_empty() && covered.contains(&n.span)
        });
        generic::check(&settings, format == ConfigFormat::Env, ctx, sink);
    }
}

/// A product's config file in the project says who holds the login, for the design verdict.
fn product_fact(product: &products::Product) -> crate::facts::FactKind {
    if product.proxy {
        crate::facts::FactKind::AuthProxy {
            proxy: product.name.clone(),
        }
    } else {
        crate::facts::FactKind::ManagedIdp {
            provider: product.name.clone(),
        }
    }
}

/// Every inline case of this part's rules (`crate::rule::cases`).
#[cfg(test)]
pub(crate) fn cases() -> Vec<&'static crate::rule::cases::Cases> {
    [messages::cases::CASES].into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> Sink {
        let file = SourceFile::from_text(path, text);
        let mut sink = Sink::default();
        crate::analyzers::with_default_context(|ctx| ConfigAnalyzer.check(&file, ctx, &mut sink));
        sink
    }

    #[test]
    fn malformed_files_are_parse_errors_with_a_position() {
        let s = run("config.yaml", "jwt:\n  secret: [unclosed\n");
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert!(s.errors[0].message.starts_with("cannot parse YAML"));
        assert!(s.errors[0].span.is_some());
    }

    #[test]
    fn manifests_are_not_auth_config() {
        let s = run(
            "package.json",
            r#"{"jwt_secret": "abcdefghijkl", "dependencies": {"jsonwebtoken": "9"}}"#,
        );
        assert!(s.reports.is_empty() && s.errors.is_empty());
    }

    #[test]
    fn a_yaml_alias_bomb_is_a_clear_parse_error() {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (i, n) in ('b'..='k').enumerate() {
            let prev = (b'a' + i as u8) as char;
            text.push_str(&format!(
                "{n}: &{n} [{}]\n",
                vec![format!("*{prev}"); 10].join(",")
            ));
        }
        text.push_str("jwt_secret: x\n");
        let started = std::time::Instant::now();
        let s = run("bomb.yaml", &text);
        assert!(started.elapsed().as_secs() < 2);
        assert!(s.errors[0].message.contains("alias bomb"), "{:?}", s.errors);
    }

    #[test]
    fn generic_keys_in_env_and_compose() {
        let s = run(
            ".env",
            "JWT_SECRET=supersecretvalue\nJWT_EXPIRES_IN=7d\nCACHE_TTL=86400\n",
        );
        let rules: Vec<_> = s.reports.iter().map(|r| r.rule).collect();
        assert_eq!(
            rules,
            [Rule::HardcodedSigningSecret, Rule::AccessTokenTtlTooLong]
        );
        assert!(!s.reports[0].message.contains("supersecretvalue"));
        let s = run(
            "docker-compose.yml",
            "services:\n  api:\n    environment:\n      - JWT_SECRET=${JWT_SECRET}\n      - ACCESS_TOKEN_EXPIRE_MINUTES=1440\n",
        );
        assert_eq!(s.reports.len(), 1, "{:?}", s.reports);
        assert!(
            s.reports[0].message.contains("1d"),
            "{}",
            s.reports[0].message
        );
    }

    #[test]
    fn large_bare_numbers_in_whole_minutes_are_read_as_milliseconds() {
        let s = run(".env", "JWT_EXPIRATION_TIME=3600000\n");
        assert!(
            s.reports[0]
                .message
                .contains("1h (a bare number, read as milliseconds)"),
            "{}",
            s.reports[0].message
        );
    }

    #[test]
    fn helm_chart_templates_are_read_with_their_tags_masked() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\ndata:\n  JWT_EXPIRES_IN: {{ .Values.jwt.expiry | quote }}\n  REFRESH_TOKEN_TTL: \"{{ .Values.jwt.refresh }}\"\n  ACCESS_TOKEN_TTL: \"86400\"\n";
        let mut file = SourceFile::from_text("charts/api/templates/configmap.yaml", text);
        file.role = crate::roles::Role::Template;
        let mut s = Sink::default();
        crate::analyzers::with_default_context(|ctx| ConfigAnalyzer.check(&file, ctx, &mut s));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let lines: Vec<_> = s
            .reports
            .iter()
            .map(|r| (r.rule, file.position(r.span.start).line))
            .collect();
        assert_eq!(lines, [(Rule::AccessTokenTtlTooLong, 10)]);
    }

    #[test]
    fn cfg_files_that_are_not_toml_are_not_ours() {
        let s = run("haproxy.cfg", "global\n  maxconn 4096 # session token\n");
        assert!(s.errors.is_empty() && s.reports.is_empty());
    }
}
