//! JavaScript/TypeScript analysis, browser and server code: each `.js`/`.ts` file, and each inline
//! `<script>` block of an HTML, Vue or Svelte file, is parsed once with oxc; three walks over the
//! tree (`walk`) find tokens written to web storage (`token-in-web-storage`) and auth cookies
//! written by script (`token-cookie-set-by-script`), with imports of the project's own modules
//! linked in (`modules`). A file that runs on the server gets one more walk (`server/`): the flags
//! of the auth cookies it sets (`server::cookies`, raw headers in `server::headers`), its session
//! middleware (`server::sessions`), the lifetimes of the JWTs it signs (`server::jwt_ttl`), their
//! keys (`server::jwt_keys`) and its unverified decodes (`server::jwt_decode`), and what its JWT
//! calls say for the verdict (`server::jwt_facts`).
mod aliases;
mod cookies;
mod eval;
mod exports;
mod holders;
mod markup;
mod model;
mod modules;
mod server;
mod storage;
mod types;
mod vocab;
mod walk;

use super::{Analyzer, Context, Sink};
use crate::finding::Span;
use crate::rule::Rule;
use crate::source::{FileKind, SourceFile};
use markup::Block;
pub use modules::ModuleTable;
use oxc_allocator::Allocator;
use oxc_ast_visit::Visit;
use oxc_parser::Parser;
use walk::{Pass, Walker};

/// Bracket nesting beyond which a block is not parsed: the parser recurses once per level, and a
/// generated file with thousands of levels must cost one diagnostic, not the process.
const MAX_NESTING: usize = 1000;

/// Keywords that nest what follows them (`new new X`, `await await x`, `typeof typeof x`).
const PREFIX_WORDS: &[&str] = &[
    "new", "await", "typeof", "void", "delete", "yield", "async", "return", "throw", "keyof",
];

pub struct ScriptAnalyzer;

impl Analyzer for ScriptAnalyzer {
    fn name(&self) -> &'static str {
        "script"
    }

    fn handles(&self, kind: FileKind) -> bool {
        matches!(kind, FileKind::Script | FileKind::Markup)
    }

    fn rules(&self) -> &'static [Rule] {
        &[
            cookies::RULE_ID,
            storage::RULE_ID,
            Rule::CookieMissingHttponly,
            Rule::CookieMissingSecure,
            Rule::CookieMissingSamesite,
            Rule::AccessTokenTtlTooLong,
            Rule::RefreshTokenTtlTooLong,
            Rule::ClientSideSessionStore,
            Rule::HardcodedSigningSecret,
            Rule::JwtSignatureNotVerified,
            Rule::TokenWithoutExpiry,
        ]
    }

    fn vocabulary(&self) -> &'static [&'static str] {
        // Every recognised write names one of these: `localStorage`, `sessionStorage`,
        // `useStorage`, `document.cookie`, `Cookies`, `setCookie`, `useCookie`, `localforage`,
        // zustand / Pinia `persist`, store2 / store.js imports.
        &[
            "storage",
            "cookie",
            "localforage",
            "persist",
            "store2",
            "'store'",
            "\"store\"",
            // Server code: `jwt.sign(.., { expiresIn })`, jose's `setExpirationTime`.
            "expiresin",
            "setexpirationtime",
            // `jwt.sign`/`verify`/`decode` keys and decodes, jose's `SignJWT`, `jwtVerify`,
            // `decodeJwt`; `process.env.X || "…"` fallbacks of signing secrets.
            "jsonwebtoken",
            "signjwt",
            "jwtverify",
            "decodejwt",
            "process.env",
            "express-session",
            "iron-session",
            "fastify/session",
            "fastify-session",
            "secure-session",
            // Auth.js / NextAuth configuration, for the design verdict
            "next-auth",
            "@auth/",
            // managed identity providers' SDKs (`crate::providers`), for the design verdict
            "@supabase/",
            "@auth0/",
            "auth0-js",
            "amplify",
            "cognito",
            "keycloak",
            "@ory/",
            "@zitadel/",
            "@clerk/",
            "@okta/",
            "firebase/auth",
        ]
    }

    fn check(&self, file: &SourceFile, ctx: &Context, sink: &mut Sink) {
        let blocks = match file.kind {
            // The engine skips a page with a minified inline script before it gets here, as it
            // skips a minified .js file.
            FileKind::Markup => markup::script_blocks(&file.text),
            _ => vec![Block {
                text: &file.text,
                start: 0,
                source_type: markup::source_type_for_path(&file.path),
            }],
        };
        for b in blocks {
            check_block(file, &b, ctx, sink);
        }
        sink.client_storage_facts();
    }
}

/// An import of a managed identity provider's SDK (`import { createServerClient } from
/// "@supabase/ssr"`) is a fact for the design verdict: that provider holds the login.
fn provider_imports(program: &oxc_ast::ast::Program, base: usize, sink: &mut Sink) {
    use crate::providers::{Holder, npm_package};
    for st in &program.body {
        let oxc_ast::ast::Statement::ImportDeclaration(d) = st else {
            continue;
        };
        if let Some((name, holder)) = npm_package(d.source.value.as_str()) {
            let kind = match holder {
                Holder::IdentityProvider => crate::facts::FactKind::ManagedIdp {
                    provider: name.to_string(),
                },
                Holder::Proxy => crate::facts::FactKind::AuthProxy {
                    proxy: name.to_string(),
                },
            };
            sink.fact(kind, storage::span(d.span, base), None);
        }
    }
}

/// The code of each `<script>` block of an HTML, Vue or Svelte file.
pub fn inline_scripts(text: &str) -> impl Iterator<Item = &str> {
    markup::script_blocks(text).into_iter().map(|b| b.text)
}

fn language(b: &Block) -> &'static str {
    if b.source_type.is_typescript() {
        "TypeScript"
    } else {
        "JavaScript"
    }
}

/// The deepest bracket nesting of a text and where it is first reached (a cheap over-estimate:
/// brackets in strings and comments count too).
fn max_nesting(text: &str) -> (usize, usize) {
    let (mut depth, mut max, mut at) = (0usize, 0usize, 0usize);
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    at = i;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (max, at)
}

/// Whether a text nests or chains too deeply to parse safely (see [`check_block`]).
fn too_deep(text: &str) -> bool {
    max_nesting(text).0 > MAX_NESTING
        || super::chain::too_long(text, &crate::comments::script_not_code(text), PREFIX_WORDS)
            .is_some()
}

fn check_block(file: &SourceFile, b: &Block, ctx: &Context, sink: &mut Sink) {
    let (depth, at) = max_nesting(b.text);
    if depth > MAX_NESTING {
        sink.parse_error(
            Some(Span::new(b.start + at, b.start + at + 1)),
            format!(
                "cannot parse {}: brackets nested {depth} levels deep (more than {MAX_NESTING})",
                language(b)
            ),
        );
        return;
    }
    let not_code = crate::comments::script_not_code(b.text);
    if let Some(at) = super::chain::too_long(b.text, &not_code, PREFIX_WORDS) {
        sink.parse_error(
            Some(Span::new(b.start + at, b.start + at + 1)),
            format!(
                "cannot parse {}: one expression chains more than {} operators, calls or \
                 prefixes, too deeply nested for authlint to parse safely",
                language(b),
                super::chain::MAX_CHAIN
            ),
        );
        return;
    }
    let alloc = Allocator::default();
    let ret = Parser::new(&alloc, b.text, b.source_type).parse();
    if ret.panicked || !ret.diagnostics.is_empty() {
        // A half-parsed program is not analysed: its findings could be anywhere.
        let first = ret.diagnostics.first();
        let span = first
            .and_then(|d| d.labels.first())
            .map(|l| {
                let s = b.start + l.offset() as usize;
                Span::new(s, s + l.len() as usize)
            })
            .unwrap_or(Span::new(b.start, b.start));
        let reason = first.map_or_else(
            || "unrecoverable syntax error".to_string(),
            |d| d.message.to_string(),
        );
        sink.parse_error(
            Some(span),
            format!("cannot parse {}: {reason}", language(b)),
        );
        return;
    }
    let program = &ret.program;
    provider_imports(program, b.start, sink);
    let model = walk::bind(program, b.text, b.start, &file.path, |m| {
        modules::link(m, &file.abs_path, &file.path, &ctx.project.script_modules)
    });
    let mut w = Walker::new(Pass::Check, model, b.text, b.start, &file.path);
    w.visit_program(program);
    for f in w.found {
        let mut report = f.report;
        if report.rule == storage::RULE_ID
            && let Some(id) = &f.key_id
            && let Some((_, at)) = w.bearer_reads.iter().find(|(k, _)| k == id)
        {
            report = report.label(*at, "read back here and sent as a Bearer token");
        }
        sink.report(report);
    }
    if let Some(server) = server::server_file(file, &w.model, ctx) {
        let mut sw = server::ServerWalker::new(&w.model, &server, ctx, b.text, b.start, sink);
        sw.visit_program(program);
    }
}

#[cfg(test)]
mod tests;

/// Every inline case of this part's rules (`crate::rule::cases`).
#[cfg(test)]
pub(crate) fn cases() -> Vec<&'static crate::rule::cases::Cases> {
    [storage::cases::CASES, cookies::cases::CASES]
        .into_iter()
        .chain(server::cases())
        .flatten()
        .collect()
}
