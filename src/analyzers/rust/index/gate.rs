//! What a Rust file can trigger, read from its text before it is parsed.
//!
//! Parsing with `syn` is most of the cost of a run, and most Rust files that mention a token are
//! proc-macro or parser code (`TokenStream`, `to_tokens`) with nothing to say about auth. One
//! Aho-Corasick pass finds which of the words below a file holds; each rule states the words it
//! cannot fire without, and a file is parsed only when some rule (or the facts collector) can.
//!
//! Matching runs over the ASCII-lowercased text (a case-sensitive automaton over lowercase text
//! is several times faster than a case-insensitive one) and is leftmost-longest, so a longer *absorbing* pattern
//! (`tokenstream`) swallows the shorter word inside it (`token`) where both start at the same
//! place or earlier. Whole-word patterns (`exp`) only count between non-identifier characters.
//! A gate may only ever be wider than the rule: every word a rule needs to see in a name, a
//! path or a string must be listed here, or the rule goes blind.
use crate::comments::is_ident;
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// Its presence counts.
    Word,
    /// Counts only as a whole identifier (`exp`, not `expr`).
    WholeWord,
    /// Swallows the words inside it and counts for nothing.
    Absorb,
}

use Role::{Absorb, WholeWord, Word};

const PATTERNS: &[(&str, Role)] = &[
    // Cookies, sessions and their middleware.
    ("cookie", Word),
    ("session", Word),
    // JWT libraries and their calls.
    ("jwt", Word),
    ("jsonwebtoken", Word),
    ("josekit", Word),
    ("paseto", Word),
    ("claim", Word),
    ("reclaim", Absorb),
    ("unclaimed", Absorb),
    ("disclaim", Absorb),
    ("non_expiring", Word),
    ("insecure", Word),
    // `dangerous` alone is a lint category or a fix kind; jsonwebtoken's other `dangerous_*`
    // calls say `insecure`.
    ("dangerous_unsafe_decode", Word),
    ("unsecured", Word),
    ("unverified", Word),
    ("decode_header", Word),
    ("validate_signature", Word),
    // Token names (see `token_names`), without the proc-macro and parser vocabulary.
    ("token", Word),
    ("tokenstream", Absorb),
    ("token_stream", Absorb),
    ("totokens", Absorb),
    ("to_tokens", Absorb),
    ("tokentree", Absorb),
    ("token_tree", Absorb),
    ("token![", Absorb),
    ("token::", Absorb),
    ("tokenize", Absorb),
    ("tokenkind", Absorb),
    ("token_kind", Absorb),
    ("cancellationtoken", Absorb),
    ("cancellation_token", Absorb),
    ("auth", Word),
    ("author", Absorb),
    ("login", Word),
    ("log_in", Word),
    ("logon", Word),
    ("signin", Word),
    ("signing", Absorb),
    ("sign_in", Word),
    ("credential", Word),
    ("refresh", Word),
    ("access", Word),
    // Accessors and accessibility are not access tokens (`token_names` reads whole words).
    ("accessor", Absorb),
    ("accessib", Absorb),
    ("inaccessib", Absorb),
    ("bearer", Word),
    ("idtoken", Word),
    // Expiries (see `lifetimes`).
    ("exp", WholeWord),
    ("expir", Word),
    ("expire", Word),
    ("exp_at", Word),
    ("set_duration", Word),
    // Lifetimes written as consts for other modules (`API_TOKEN_TTL`, `JWT_LIFETIME`,
    // `SESSION_VALIDITY`): the project index reads them.
    ("_ttl", Word),
    ("ttl_", Word),
    ("ttl", WholeWord),
    ("lifetime", Word),
    ("validity", Word),
    // Signing keys (see `secrets`).
    ("secret", Word),
    ("hmac", Word),
    ("encodingkey", Word),
    ("decodingkey", Word),
    ("new_from_slice", Word),
    ("new_varkey", Word),
    ("hs256key", Word),
    ("hs384key", Word),
    ("hs512key", Word),
    ("blake2bkey", Word),
    ("symmetrickey", Word),
    ("signing_key", Word),
    ("signingkey", Word),
    ("sign_key", Word),
    ("signkey", Word),
    ("key_sign", Word),
    ("encryption_key", Word),
    ("encryptionkey", Word),
    ("private_key", Word),
    ("privatekey", Word),
    // WASM front ends (see `storage::wasm`).
    ("storage", Word),
    ("persistent", Word),
    ("web_sys", Word),
    ("gloo", Word),
    ("leptos", Word),
    ("dioxus", Word),
    ("yew", Word),
    ("sycamore", Word),
    ("wasm_cookies", Word),
    ("local_storage", Word),
    ("session_storage", Word),
    // The project pass (see `facts`): handlers, deny lists, OAuth, CORS.
    ("revoke", Word),
    ("logout", Word),
    ("log_out", Word),
    ("sign_out", Word),
    ("signout", Word),
    ("grant_type", Word),
    ("blacklist", Word),
    ("blocklist", Word),
    ("denylist", Word),
    ("deny_list", Word),
    ("allowlist", Word),
    ("whitelist", Word),
    ("invalidated", Word),
    ("jti", WholeWord),
    ("allow_credentials", Word),
    ("api_key", Word),
    ("apikey", Word),
    // headers an authenticating proxy forwards (`crate::providers::PROXY_HEADERS`)
    ("x-forwarded-user", Word),
    ("x-forwarded-email", Word),
    ("x-forwarded-access-token", Word),
    ("x-auth-request-", Word),
    ("remote-user", Word),
    ("x-webauth-user", Word),
];

fn automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(PATTERNS.iter().map(|(p, _)| p))
            .expect("gate automaton")
    })
}

/// The words a Rust file must hold to be worth a closer look (the engine's first, cheapest
/// pass, and `authlint vocabulary`).
pub fn vocabulary() -> &'static [&'static str] {
    AUTH
}

/// Which gate words a file holds.
#[derive(Clone, Copy, Default)]
pub struct Present(u128);

const _: () = assert!(PATTERNS.len() <= 128);

impl Present {
    /// The gate words in a file's code, given its ASCII-lowercased text (words in comments,
    /// licence headers and docs, do not count), and the offsets of the words found, in order
    /// (where the file speaks of auth: `quiet_bodies` keeps the bodies that hold one).
    pub fn scan_at(text: &str) -> (Present, Vec<usize>) {
        let mut at = Vec::new();
        debug_assert!(!text.bytes().any(|b| b.is_ascii_uppercase()));
        let bytes = text.as_bytes();
        let mut bits = 0u128;
        let comments = crate::comments::comment_ranges(crate::source::FileKind::Rust, text);
        let mut next_comment = 0;
        for m in automaton().find_iter(text) {
            while comments
                .get(next_comment)
                .is_some_and(|c| c.end <= m.start())
            {
                next_comment += 1;
            }
            if comments
                .get(next_comment)
                .is_some_and(|c| c.start <= m.start())
            {
                continue;
            }
            let i = m.pattern().as_usize();
            match PATTERNS[i].1 {
                Absorb => continue,
                WholeWord => {
                    let before = m.start().checked_sub(1).map(|j| bytes[j]);
                    let after = bytes.get(m.end()).copied();
                    if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
                        continue;
                    }
                }
                Word => {}
            }
            at.push(m.start());
            bits |= 1 << i;
        }
        (Present(bits), at)
    }

    /// Whether any of `words` is present. Every word must be a pattern of the gate.
    pub fn any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| {
            let i = PATTERNS
                .iter()
                .position(|(p, r)| p == w && *r != Absorb)
                .unwrap_or_else(|| panic!("`{w}` is not a gate word"));
            self.0 & (1 << i) != 0
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

/// The last scan of this thread's `wants` (the text's address and length, what it found), so
/// that `check` of the same file reads it instead of scanning again.
struct LastScan {
    text: (usize, usize),
    present: Present,
    words: Vec<usize>,
}

thread_local! {
    static LAST_SCAN: std::cell::RefCell<Option<LastScan>> = const { std::cell::RefCell::new(None) };
}

fn key(lower: &str) -> (usize, usize) {
    (lower.as_ptr() as usize, lower.len())
}

/// Scans a file's lowercased text for `wants` and keeps the result for this thread's next
/// [`scanned`] of the same text.
pub fn scan_for_wants(lower: &str) -> Present {
    let (present, words) = Present::scan_at(lower);
    LAST_SCAN.with(|s| {
        *s.borrow_mut() = Some(LastScan {
            text: key(lower),
            present,
            words,
        })
    });
    present
}

/// Forgets the kept scan (`wants` turned the file away before scanning it).
pub fn forget_scan() {
    LAST_SCAN.with(|s| s.borrow_mut().take());
}

/// The gate words of `lower` and their offsets: the scan `wants` kept when it is of this very
/// text (the same buffer, not yet reused: the engine calls `wants` then `check` for a file on
/// one thread), else a new one.
pub fn scanned(lower: &str) -> (Present, Vec<usize>) {
    let kept = LAST_SCAN.with(|s| s.borrow_mut().take());
    match kept {
        Some(k) if k.text == key(lower) => (k.present, k.words),
        _ => Present::scan_at(lower),
    }
}

/// Words without which no Rust rule has anything to look at: a file holding none of them is not
/// parsed, whatever else it says.
const AUTH: &[&str] = &[
    "cookie",
    "session",
    "token",
    "jsonwebtoken",
    "idtoken",
    "jwt",
    "secret",
    "storage",
    "local_storage",
    "session_storage",
    "wasm_cookies",
    "claim",
    "encodingkey",
    "decodingkey",
    "hmac",
    "api_key",
    "apikey",
    "x-forwarded-user",
    "x-forwarded-email",
    "x-auth-request-",
    "remote-user",
    "x-webauth-user",
];

/// Whether the file is worth parsing: it speaks of auth, and some rule or the facts collector
/// has something to look at.
pub fn wanted(p: &Present) -> bool {
    p.any(AUTH)
        && (cookies(p)
            || sessions(p)
            || lifetimes(p)
            || token_expiry(p)
            || jwt_validation(p)
            || secrets(p)
            || wasm_storage(p)
            || facts(p))
}

/// Names that say "token" to `token_names::decide`, or put a lifetime on a session or cookie.
fn tokenish(p: &Present) -> bool {
    p.any(TOKEN_OR_ACCESS) || p.any(TOKEN_NAMES)
}

/// `token` and `access`: what `tokenish` reads besides `TOKEN_NAMES`.
const TOKEN_OR_ACCESS: &[&str] = &["token", "access"];

/// The names of `tokenish` that say "token" on their own, without `token` or `access`.
const TOKEN_NAMES: &[&str] = &[
    "jsonwebtoken",
    "jwt",
    "claim",
    "auth",
    "login",
    "log_in",
    "logon",
    "signin",
    "sign_in",
    "credential",
    "paseto",
    "refresh",
    "bearer",
    "idtoken",
    "session",
    "cookie",
];

const EXPIRY: &[&str] = &[
    "exp",
    "expir",
    "expire",
    "exp_at",
    "set_duration",
    "claim",
    "_ttl",
    "ttl_",
    "ttl",
    "lifetime",
    "validity",
];

const COOKIE: &[&str] = &["cookie"];

const SESSION: &[&str] = &["session", "cookie"];

/// JWT libraries and calls that make a token without an expiry.
const JWT_EXPIRY: &[&str] = &["jsonwebtoken", "jwt", "non_expiring"];

/// Calls and options that skip a JWT's signature check.
const JWT_VALIDATION: &[&str] = &[
    "insecure",
    "dangerous_unsafe_decode",
    "unsecured",
    "unverified",
    "decode_header",
    "validate_signature",
];

pub fn cookies(p: &Present) -> bool {
    p.any(COOKIE)
}

pub fn sessions(p: &Present) -> bool {
    p.any(SESSION)
}

pub fn lifetimes(p: &Present) -> bool {
    p.any(EXPIRY) && tokenish(p)
}

pub fn token_expiry(p: &Present) -> bool {
    p.any(JWT_EXPIRY) || lifetimes(p)
}

pub fn jwt_validation(p: &Present) -> bool {
    p.any(JWT_VALIDATION)
}

pub fn secrets(p: &Present) -> bool {
    p.any(SECRETS)
}

/// Signing keys, their constructors, and the cookie, session and JWT code that holds one.
const SECRETS: &[&str] = &[
    "secret",
    "hmac",
    "new_from_slice",
    "new_varkey",
    "hs256key",
    "hs384key",
    "hs512key",
    "blake2bkey",
    "symmetrickey",
    "cookie",
    "session",
    "jwt",
    "signing_key",
    "signingkey",
    "sign_key",
    "signkey",
    "key_sign",
    "encryption_key",
    "encryptionkey",
    "private_key",
    "privatekey",
];

/// A browser file (see `names::WEB_MARKERS`) that writes storage or cookies. The markers
/// that name storage or cookies themselves count for both halves: leftmost-longest matching
/// reads `wasm_cookies` as one word, not as `cookie`.
pub fn wasm_storage(p: &Present) -> bool {
    p.any(super::names::WEB_MARKERS) && p.any(STORAGE)
}

/// What a browser file writes to: storage or cookies.
const STORAGE: &[&str] = &[
    "storage",
    "persistent",
    "cookie",
    "wasm_cookies",
    "local_storage",
    "session_storage",
];

/// The facts collector: who issues and checks tokens, sessions, handlers, stores, deny lists.
/// A bare `token` (a lexer's, a syn field's `paren_token`, a job server's) needs a second word
/// that puts it in an auth context.
pub fn facts(p: &Present) -> bool {
    p.any(TOKEN_NAMES) || p.any(TOKEN) && p.any(TOKEN_CONTEXT) || p.any(DESIGN)
}

const TOKEN: &[&str] = &["token"];

/// The second word that puts a bare `token` in an auth context.
const TOKEN_CONTEXT: &[&str] = &["access", "exp", "expir", "expire", "secret"];

/// Handlers, deny lists, OAuth and CORS: what the project pass reads besides tokens.
const DESIGN: &[&str] = &[
    // a session store looked up by another file's JWT check
    "session",
    "jsonwebtoken",
    "revoke",
    "logout",
    "log_out",
    "sign_out",
    "signout",
    "grant_type",
    "blacklist",
    "blocklist",
    "denylist",
    "deny_list",
    "allowlist",
    "whitelist",
    "invalidated",
    "jti",
    "allow_credentials",
    "api_key",
    "apikey",
    "x-forwarded-user",
    "x-forwarded-email",
    "x-forwarded-access-token",
    "x-auth-request-",
    "remote-user",
    "x-webauth-user",
];

/// Every word list a gate reads, by name: each word must be a gate word (checked by a test,
/// which reads them all rather than evaluating gates that stop at their first answer).
#[cfg(test)]
const WORD_LISTS: &[(&str, &[&str])] = &[
    ("AUTH", AUTH),
    ("TOKEN_OR_ACCESS", TOKEN_OR_ACCESS),
    ("TOKEN_NAMES", TOKEN_NAMES),
    ("EXPIRY", EXPIRY),
    ("COOKIE", COOKIE),
    ("SESSION", SESSION),
    ("JWT_EXPIRY", JWT_EXPIRY),
    ("JWT_VALIDATION", JWT_VALIDATION),
    ("SECRETS", SECRETS),
    ("WEB_MARKERS", super::names::WEB_MARKERS),
    ("STORAGE", STORAGE),
    ("TOKEN", TOKEN),
    ("TOKEN_CONTEXT", TOKEN_CONTEXT),
    ("DESIGN", DESIGN),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reads_the_scan_wants_made_of_the_same_text_only() {
        let a = String::from("fn f() { let token = 1; }");
        let b = String::from("fn g() { let cookie = 1; let jwt = 2; }");
        let kept = scan_for_wants(&a);
        assert!(kept.any(&["token"]));
        // Another text (another buffer) is scanned anew, never given the kept scan.
        let (other, at) = scanned(&b);
        assert!(other.any(&["cookie"]) && !other.any(&["token"]));
        assert_eq!(at, [13, 29]);
        // The kept scan is given once, to the same text.
        scan_for_wants(&a);
        let (same, at) = scanned(&a);
        assert!(same.any(&["token"]));
        assert_eq!(at, [13]);
        forget_scan();
        assert_eq!(scanned(&a).1, [13]);
    }

    fn scan(text: &str) -> Present {
        Present::scan_at(&text.to_ascii_lowercase()).0
    }

    #[test]
    fn proc_macro_vocabulary_is_not_a_token() {
        let p = scan(
            "use proc_macro2::TokenStream; impl ToTokens for X { fn to_tokens(&self, t: &mut TokenStream) { syn::token::Comma; } }",
        );
        assert!(!p.any(&["token"]));
        assert!(!facts(&p));
        // A bare `token` needs a second word that puts it in an auth context.
        let p = scan("let token = lexer.next_token();");
        assert!(p.any(&["token"]));
        assert!(!wanted(&p));
        assert!(wanted(&scan(
            "async fn login() { let token = Uuid::new_v4(); }"
        )));
        // `access_token_stream` still names an access token.
        assert!(scan("access_token_stream").any(&["access"]));
    }

    #[test]
    fn parser_and_linter_vocabulary_does_not_open_the_gate() {
        // A JavaScript parser's tokens beside its accessors, accessibility modifiers and
        // "dangerous" fix kind: nothing for any rule.
        let parser = "fn parse_accessor(&mut self) { let t = self.cur_token(); \
                      self.error(inaccessible_property(t)); let a = Accessibility::Public; \
                      declare_lint!(Eqeqeq, eslint, pedantic, dangerous_fix); }";
        assert!(!wanted(&scan(parser)));
        // The same file holding an access token or jsonwebtoken's unsafe decode is read.
        assert!(wanted(&scan(&format!("{parser} let access = t;"))));
        assert!(jwt_validation(&scan(
            "let c = jsonwebtoken::dangerous_unsafe_decode::<C>(&token);"
        )));
        assert!(jwt_validation(&scan(
            "let c = jsonwebtoken::dangerous::insecure_decode::<C>(&token);"
        )));
        assert!(!jwt_validation(&scan("let fix = FixKind::dangerous();")));
    }

    #[test]
    fn comments_do_not_count() {
        let p = scan(
            "// IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM\n/* a session */ fn f() {}\n",
        );
        assert!(p.is_empty());
        assert!(scan("let url = \"http://x\"; // claim\nlet claims = 1;").any(&["claim"]));
    }

    #[test]
    fn whole_words_only() {
        assert!(!scan("fn expr(e: Expr) {} // expect").any(&["exp"]));
        assert!(scan("Claims { sub, exp }").any(&["exp"]));
        assert!(scan("json!({\"exp\": 1})").any(&["exp"]));
        assert!(!scan("self.jtis").any(&["jti"]));
    }

    #[test]
    fn browser_storage_named_alone_opens_the_wasm_gate() {
        assert!(wanted(&scan(
            "let s = window().local_storage().unwrap().unwrap(); s.set_item(\"jwt\", &t);"
        )));
        assert!(wasm_storage(&scan(
            "wasm_cookies::set(\"sid\", &v, &opts);"
        )));
        assert!(!wasm_storage(&scan("use yew::prelude::*;")));
    }

    #[test]
    fn lifetimes_need_an_expiry_and_a_token_name() {
        assert!(lifetimes(&scan("let token = Claims { exp: now + 3600 };")));
        assert!(!lifetimes(&scan("let tokens = expand(input);")));
        assert!(!lifetimes(&scan("struct Cache { expires_at: u64 }")));
    }

    #[test]
    fn every_rule_word_is_a_gate_word() {
        let not_words: Vec<String> = WORD_LISTS
            .iter()
            .flat_map(|(list, words)| words.iter().map(move |w| (list, w)))
            .filter(|(_, w)| PATTERNS.iter().all(|(p, role)| p != *w || *role == Absorb))
            .map(|(list, w)| format!("{list}: `{w}`"))
            .collect();
        assert!(not_words.is_empty(), "not gate words: {not_words:?}");
        // The gates read only the named lists above: a list written inline would escape the check.
        let code = include_str!("gate.rs");
        let code = &code[..code.find("#[cfg(test)]").unwrap()];
        assert!(
            !code.contains("any(&["),
            "a gate reads a word list without a name"
        );
        let named = |name: &str| WORD_LISTS.iter().any(|(n, _)| *n == name);
        let consts = regex::Regex::new(r"const ([A-Z_]+): &\[&str\]").unwrap();
        for c in consts.captures_iter(code) {
            assert!(named(&c[1]), "`{}` is missing from WORD_LISTS", &c[1]);
        }
        for c in regex::Regex::new(r"\.any\(([A-Za-z_:]+)\)")
            .unwrap()
            .captures_iter(code)
        {
            let name = c[1].rsplit("::").next().unwrap();
            assert!(
                named(name),
                "a gate reads `{name}`, missing from WORD_LISTS"
            );
        }
        // Each gate, run on every single word, never panics.
        for i in 0..PATTERNS.len() {
            let p = Present(1 << i);
            for gate in [
                cookies,
                sessions,
                lifetimes,
                token_expiry,
                jwt_validation,
                secrets,
                wasm_storage,
                facts,
                wanted,
            ] {
                gate(&p);
            }
        }
    }
}
