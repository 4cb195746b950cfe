//! One answer, for every analyzer, to "is this secret value a placeholder?".
//!
//! A placeholder is a value written to be replaced, or one that cannot be the key anybody signs
//! with: `changeme`, `your_secret_key`, `<your-secret>`, `${JWT_SECRET}`, `xxxxxxxx`, `jwt.secret`.
//! Reporting those as committed secrets is noise (issue 11), so config analyzers do not report
//! them. A value someone could plausibly deploy is never a placeholder, however weak.
//!
//! # Where the line is
//! - **Reported** (not placeholders): random-looking keys (64 hex characters, base64, long
//!   alphanumeric strings), PEM blocks (`-----BEGIN PRIVATE KEY-----`), and *weak but real*
//!   human-chosen secrets: `supersecret`, `secret123`, `password`, `my_secret`,
//!   `mysupersecretjwtkey2023`. These are exactly the values that get deployed unchanged, so
//!   they stay findings. `my` is not a placeholder marker: `mysecret` is the classic tutorial
//!   secret that ends up in production.
//! - **Placeholders**, by [`Placeholder`] class:
//!   - [`Placeholder::Reference`]: points at where the secret comes from (`${JWT_SECRET}`,
//!     `$JWT_SECRET`, `%JWT_SECRET%`, `{{ secret }}`, `#{secret}`, `<%= ENV['X'] %>`);
//!   - [`Placeholder::Slot`]: a slot to fill in, the whole value in brackets (`<your-secret>`,
//!     `[secret]`);
//!   - [`Placeholder::Marker`]: a word asking for replacement: change, replace, your, here,
//!     insert, example, sample, dummy, placeholder, todo, fixme, tbd, fake, redacted
//!     (`changeme`, `CHANGE_ME_IN_PRODUCTION`, `replace-with-a-random-string`, `yoursecret`,
//!     `put-your-key-here`);
//!   - [`Placeholder::KeyName`]: only words that name the key itself (`secret`, `jwt.secret`,
//!     `JWT_SECRET`, `session-secret-key`): the key's name repeated as its value;
//!   - [`Placeholder::Filler`]: one character repeated, or a mask (`xxxxxxxx`, `XXXX-XXXX`,
//!     `********`, `...`, `00000000`, `sk_live_xxxxxxxx`);
//!   - [`Placeholder::Sequence`]: counting or keyboard runs (`1234567890`, `abcdef`, `qwerty`,
//!     `abcd1234`);
//!   - [`Placeholder::Short`]: under 8 characters (`dev`, `abc123`): a stand-in, not a key;
//!   - [`Placeholder::LowEntropy`]: at most 3 distinct characters, or a short unit repeated
//!     (`abababab`, `12121212`).
//!
//! Callers decide what a placeholder means where they are. Config values that are placeholders
//! are never reported. Rust code runs with the value it holds, so a placeholder passed to a key
//! constructor or used as an environment fallback (`unwrap_or("changeme")`) is still reported;
//! only references and masks are skipped for secret-named consts and fields (see
//! [`Placeholder::is_not_a_value`]).
use crate::words::words;

/// Why a value is a placeholder; see the module docs for the line drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// A reference to the real secret: `${JWT_SECRET}`, `$JWT_SECRET`, `%JWT_SECRET%`.
    Reference,
    /// A bracketed slot to fill in: `<your-secret>`, `[secret]`.
    Slot,
    /// A word asking for replacement: `changeme`, `your_secret_key`, `example`.
    Marker,
    /// The key's own name as its value: `secret`, `jwt.secret`, `JWT_SECRET`.
    KeyName,
    /// One character repeated or a mask: `xxxxxxxx`, `********`, `...`.
    Filler,
    /// A counting or keyboard run: `1234567890`, `abcdef`.
    Sequence,
    /// Fewer than 8 characters.
    Short,
    /// Few distinct characters or a short repeated unit: `abababab`.
    LowEntropy,
}

impl Placeholder {
    /// Whether the value is not a value at all (a reference to one, or a mask), as opposed to a
    /// stand-in that a program would still run with if nobody replaced it.
    pub fn is_not_a_value(self) -> bool {
        matches!(self, Placeholder::Reference | Placeholder::Filler)
    }
}

/// Characters under which a value is a stand-in rather than a key.
const MIN_LEN: usize = 8;

/// Words that ask the reader to replace the value, matched as whole words.
const MARKER_WORDS: &[&str] = &[
    "change",
    "replace",
    "your",
    "here",
    "insert",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "todo",
    "fixme",
    "tbd",
    "fake",
    "redacted",
];

/// Markers matched inside run-together text (`changeme`, `yoursecret`, `insertkeyhere`). Short
/// or ambiguous words (`todo` in `mastodon`, `here` in `there`) are only matched as words.
const MARKER_PARTS: &[&str] = &[
    "changeme",
    "changethis",
    "changeit",
    "replaceme",
    "replacewith",
    "replacethis",
    "yoursecret",
    "yourkey",
    "yourjwt",
    "yourtoken",
    "yourown",
    "yourpassword",
    "yoursigning",
    "yoursession",
    "yourapp",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "fixme",
    "insert",
];

/// Words that only name a key (`jwt`, `secret`, `key`): a value made of them alone repeats the
/// key's name.
const KEY_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "key",
    "keys",
    "jwt",
    "jws",
    "jwe",
    "token",
    "tokens",
    "signing",
    "sign",
    "signature",
    "hmac",
    "session",
    "cookie",
    "app",
    "auth",
    "api",
    "private",
    "encryption",
    "encrypt",
    "base",
    "master",
    "access",
    "refresh",
    "value",
];

/// Runs a value may be cut from to count as a sequence.
const RUNS: &[&str] = &[
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
];

/// Defaults that auth servers publish in their quickstarts and that are deployed unchanged. They
/// read like placeholders ("change this"), but anyone can sign with a key the whole internet
/// knows, so they are secrets to report, not placeholders.
const PUBLISHED_DEFAULTS: &[&str] = &[
    // Ory Hydra's quickstart `secrets.system`.
    "youreallyneedtochangethis",
    // Ory Kratos's quickstart `secrets.cookie` / `secrets.cipher`.
    "please-change-me-i-am-very-insecure",
    "32-long-secret-not-secure-at-all",
    // Authelia's configuration template.
    "a_very_important_secret",
    "insecure_session_secret",
];

/// Whether `value` is a product's published default (see [`PUBLISHED_DEFAULTS`]).
pub fn is_published_default(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    PUBLISHED_DEFAULTS.contains(&lower.as_str())
}

/// Whether `value` is a placeholder rather than a secret someone could deploy.
pub fn is_placeholder(value: &str) -> bool {
    placeholder(value).is_some()
}

/// Why `value` is a placeholder, or `None` when it may be a real secret.
pub fn placeholder(value: &str) -> Option<Placeholder> {
    let t = value.trim();
    if t.contains("-----BEGIN") || is_published_default(t) {
        return None;
    }
    if reference(t) {
        return Some(Placeholder::Reference);
    }
    if slot(t) {
        return Some(Placeholder::Slot);
    }
    if filler(t) {
        return Some(Placeholder::Filler);
    }
    let w = words(t);
    let squashed: String = w.concat();
    if w.iter().any(|x| MARKER_WORDS.contains(&x.as_str()))
        || MARKER_PARTS.iter().any(|m| squashed.contains(m))
    {
        return Some(Placeholder::Marker);
    }
    if !w.is_empty() && w.iter().all(|x| key_words_only(x)) {
        return Some(Placeholder::KeyName);
    }
    if sequence(&squashed) {
        return Some(Placeholder::Sequence);
    }
    if t.chars().count() < MIN_LEN {
        return Some(Placeholder::Short);
    }
    if low_entropy(t) {
        return Some(Placeholder::LowEntropy);
    }
    None
}

/// Shell, Go/Helm/Jinja, Ruby and ERB interpolation (`${X}`, `$X`, `$(cmd)`, `{{ x }}`, `#{x}`,
/// `<%= x %>`): the text is filled in elsewhere. Shared with the config tree's template values.
pub fn interpolation(t: &str) -> bool {
    let t = t.trim();
    if ["${", "{{", "#{", "<%"].iter().any(|p| t.contains(p)) {
        return true;
    }
    t.strip_prefix('$').is_some_and(|rest| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '(')
    })
}

/// `${X}`, `$X`, `$(cmd)`, `%X%`, `{{ x }}`, `{% x %}`, `#{x}`, `<%= x %>`: the value is looked up
/// elsewhere.
fn reference(t: &str) -> bool {
    interpolation(t)
        || t.contains("{%")
        || t.len() > 2
            && t.starts_with('%')
            && t.ends_with('%')
            && t[1..t.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `<your-secret>`, `[secret]`: the whole value is a bracketed slot.
fn slot(t: &str) -> bool {
    let inner = t
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
        .or_else(|| {
            // `{random-string}`, `{your key}`; `{{ x }}` is a reference, `{"k": 1}` is data.
            t.strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .filter(|i| {
                    i.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ' | '.'))
                })
        });
    inner.is_some_and(|i| !i.is_empty() && !i.contains(['<', '>', '[', ']']))
}

/// One character repeated (separators aside), or a masked part (`****`, `xxxxxx`, `...`).
fn filler(t: &str) -> bool {
    let core: Vec<char> = t
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | ':'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if core.first().is_some_and(|f| core.iter().all(|c| c == f)) {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    lower.contains("****") || lower.contains("xxxxxx") || t.contains("...") || t.contains('…')
}

/// Whether a word splits entirely into key words (`jwtsecret` → `jwt` `secret`).
fn key_words_only(word: &str) -> bool {
    let n = word.len();
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for i in 0..n {
        if !ok[i] {
            continue;
        }
        for k in KEY_WORDS {
            if word[i..].starts_with(k) {
                ok[i + k.len()] = true;
            }
        }
    }
    ok[n]
}

/// A run of counting or keyboard characters, or runs of them joined (`abcd1234`), at least
/// 6 long.
fn sequence(s: &str) -> bool {
    if s.len() < 6 {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let longest = RUNS
            .iter()
            .filter_map(|run| (3..=rest.len()).rev().find(|&n| run.contains(&rest[..n])))
            .max();
        match longest {
            Some(n) => rest = &rest[n..],
            None => return false,
        }
    }
    true
}

/// At most 3 distinct characters, or a unit of up to 4 characters repeated (`abababab`).
fn low_entropy(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 3 {
        return true;
    }
    (1..=4).any(|p| chars.len() >= 2 * p && (p..chars.len()).all(|i| chars[i] == chars[i - p]))
}

#[cfg(test)]
mod tests {
    use super::Placeholder::*;
    use super::*;

    /// (value, expected class): `None` means a real-looking secret that must be reported.
    const CASES: &[(&str, Option<Placeholder>)] = &[
        // Marker words and phrases.
        ("changeme", Some(Marker)),
        ("change-me", Some(Marker)),
        ("change_this", Some(Marker)),
        ("CHANGE_ME_IN_PRODUCTION", Some(Marker)),
        ("please-change-me", Some(Marker)),
        ("REPLACE_ME", Some(Marker)),
        ("replace-with-a-long-random-string", Some(Marker)),
        ("your_secret_key", Some(Marker)),
        ("your-jwt-secret", Some(Marker)),
        ("yoursecret", Some(Marker)),
        ("YourSuperSecretKey", Some(Marker)),
        ("put-your-secret-here", Some(Marker)),
        ("insert_jwt_secret", Some(Marker)),
        ("insertkeyhere", Some(Marker)),
        ("todo", Some(Marker)),
        ("TODO: set a real secret", Some(Marker)),
        ("fixme", Some(Marker)),
        ("example", Some(Marker)),
        ("example-jwt-secret-value", Some(Marker)),
        ("sample", Some(Marker)),
        ("sample_secret_123", Some(Marker)),
        ("dummy", Some(Marker)),
        ("dummy-signing-key", Some(Marker)),
        ("placeholder", Some(Marker)),
        ("not-a-real-secret-fake", Some(Marker)),
        // The key's name as its value.
        ("secret", Some(KeyName)),
        ("jwt.secret", Some(KeyName)),
        ("JWT_SECRET", Some(KeyName)),
        ("jwtsecret", Some(KeyName)),
        ("session-secret-key", Some(KeyName)),
        ("SECRET_KEY_BASE", Some(KeyName)),
        ("cookieSecret", Some(KeyName)),
        // References and slots.
        ("<your-secret>", Some(Slot)),
        ("<secret>", Some(Slot)),
        ("[secret]", Some(Slot)),
        ("{{ secret }}", Some(Reference)),
        ("{{ .Values.jwt.secret }}", Some(Reference)),
        ("${JWT_SECRET}", Some(Reference)),
        ("$JWT_SECRET", Some(Reference)),
        ("%JWT_SECRET%", Some(Reference)),
        ("#{jwt.secret}", Some(Reference)),
        ("$(cat /run/secrets/jwt)", Some(Reference)),
        // Filler and masks.
        ("xxxxxxxx", Some(Filler)),
        ("XXXX-XXXX", Some(Filler)),
        ("********", Some(Filler)),
        ("...", Some(Filler)),
        ("00000000", Some(Filler)),
        ("aaaaaaaa", Some(Filler)),
        ("sk_live_xxxxxxxxxxxx", Some(Filler)),
        ("abc…xyz", Some(Filler)),
        // Sequences.
        ("1234567890", Some(Sequence)),
        ("123456789", Some(Sequence)),
        ("abcdef", Some(Sequence)),
        ("abcdefgh", Some(Sequence)),
        ("qwertyuiop", Some(Sequence)),
        ("abcd1234", Some(Sequence)),
        // Short and low-entropy.
        ("abc123", Some(Sequence)),
        ("", Some(Short)),
        ("dev", Some(Short)),
        ("hunter2", Some(Short)),
        ("s3cr3t", Some(Short)),
        ("abababab", Some(LowEntropy)),
        ("12121212", Some(LowEntropy)),
        ("aabbaabbab", Some(LowEntropy)),
        // Real-looking: reported.
        (
            "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a",
            None,
        ),
        ("pK8f3+Zq1vR9sT2uW4xY6zA8bC0dE2fG4hI6jK8lM0n=", None),
        ("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==", None),
        ("k8s7Hf0pQz9LmN2vX4bW", None),
        ("-----BEGIN PRIVATE KEY-----", None),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x", None),
        // Weak but real: deployed unchanged, so reported.
        ("mysupersecretjwtkey2023", None),
        ("mysupersecretjwtkey", None),
        ("my-super-secret-key", None),
        ("supersecret", None),
        // Published quickstart defaults read like placeholders but are known to everyone.
        ("youReallyNeedToChangeThis", None),
        ("{random-string}", Some(Placeholder::Slot)),
        ("{your jwt secret}", Some(Placeholder::Slot)),
        ("PLEASE-CHANGE-ME-I-AM-VERY-INSECURE", None),
        ("secret123", None),
        ("password", None),
        ("my_secret", None),
        ("mysecretkey", None),
        ("hunter2hunter2", None),
        ("s3cr3t-session-key", None),
        ("dev-secret-do-not-use", None),
        ("mastodon-signing-key-2023", None),
        ("thereisnospoon42", None),
        ("correct horse battery staple", None),
    ];

    #[test]
    fn placeholder_table() {
        assert!(CASES.len() >= 60, "{}", CASES.len());
        let wrong: Vec<String> = CASES
            .iter()
            .filter(|(v, want)| placeholder(v) != *want)
            .map(|(v, want)| format!("{v:?}: want {want:?}, got {:?}", placeholder(v)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        for (v, want) in CASES {
            assert_eq!(is_placeholder(v), want.is_some(), "{v:?}");
        }
    }

    #[test]
    fn references_and_masks_are_not_values() {
        assert!(Reference.is_not_a_value());
        assert!(Filler.is_not_a_value());
        assert!(!Marker.is_not_a_value());
        assert!(!Short.is_not_a_value());
    }
}
