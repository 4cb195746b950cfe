//! Whether a session cookie is an auth cookie depends on what the session holds. A session
//! middleware whose sessions only ever keep a counter, flash messages or preferences carries no
//! login: its cookie's attributes are not an authentication risk, and its findings are dropped.
//! One key that names a credential or a user, or one that cannot be classified, keeps them: the
//! judgement is made per crate (the nearest `Cargo.toml`), from every file of the crate.
use crate::auth_names::{self, NameClass};
use crate::facts::{FactKind, PlacedFact};
use crate::finding::Finding;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cookie findings about a session middleware whose crate keeps no login in its sessions.
/// `cwd` turns the reported paths back into files on disk.
pub fn drop_loginless(findings: &mut Vec<Finding>, facts: &[PlacedFact], cwd: &Path) {
    let reported: BTreeSet<(&str, usize)> = facts
        .iter()
        .filter(|f| matches!(f.kind, FactKind::SessionCookieReported))
        .map(|f| (f.path.as_str(), f.span.start))
        .collect();
    if reported.is_empty() {
        return;
    }
    let mut crate_of: BTreeMap<String, Option<PathBuf>> = BTreeMap::new();
    let mut crate_dir = |path: &str| -> Option<PathBuf> {
        crate_of
            .entry(path.to_string())
            .or_insert_with(|| nearest_manifest_dir(&cwd.join(path)))
            .clone()
    };
    // Per crate: whether any session key speaks of a login (or cannot be judged), and whether any
    // key was seen at all.
    let mut keys: BTreeMap<Option<PathBuf>, (bool, bool)> = BTreeMap::new();
    for f in facts {
        if let FactKind::SessionData { key } = &f.kind {
            let entry = keys.entry(crate_dir(&f.path)).or_default();
            entry.0 = true;
            entry.1 |= holds_login(key);
        }
    }
    findings.retain(|f| {
        if !reported.contains(&(f.path.as_str(), f.start.offset)) {
            return true;
        }
        match keys.get(&crate_dir(&f.path)) {
            Some(&(seen, login)) => !seen || login,
            None => true,
        }
    });
}

/// Words of session keys that hold no login: counters, flash messages, an anonymous cart.
/// (The name classifier's `State` is broader: a `username` cookie is no credential, but a
/// session holding `username` is the login itself, so it is not used here.)
const LOGINLESS_WORDS: &[&str] = &[
    "counter", "count", "visits", "visit", "views", "hits", "flash", "flashes", "message",
    "messages", "notice", "alert", "alerts", "cart", "basket", "last", "page", "step", "wizard",
];

/// A session key that may hold the login: a credential, a user, or a name we cannot judge.
pub fn holds_login(key: &str) -> bool {
    let class = auth_names::classify(key);
    if matches!(
        class,
        NameClass::Preference | NameClass::Csrf | NameClass::FlowState
    ) {
        return false;
    }
    let words = crate::words::words(key);
    words.is_empty() || !words.iter().all(|w| LOGINLESS_WORDS.contains(&w.as_str()))
}

fn nearest_manifest_dir(file: &Path) -> Option<PathBuf> {
    crate::manifest::candidates(file).find(|d| d.join("Cargo.toml").is_file())
}

#[cfg(test)]
mod tests {
    use super::holds_login;

    #[test]
    fn session_keys_that_hold_a_login() {
        for k in [
            "user_id",
            "user",
            "username",
            "email",
            "is_admin",
            "role",
            "auth",
            "token",
            "session_token",
            "identity",
            "cart_owner",
        ] {
            assert!(holds_login(k), "{k}");
        }
        for k in [
            "counter",
            "visits",
            "flash",
            "_flash",
            "messages",
            "theme",
            "locale",
            "oauth_state",
            "csrf_token",
        ] {
            assert!(!holds_login(k), "{k}");
        }
    }
}
