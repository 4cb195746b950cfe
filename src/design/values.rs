//! The project index of Rust values: each file's module path (from where it sits under its
//! crate's `src/`, plus inline `mod` blocks), the consts and statics whose value is known, and
//! the `use` names of each module. A path as written in one file (`crate::config::SECRET_KEY`,
//! `super::TTL`, an imported `JWT_TTL`, a re-export `pub use settings::*`) is resolved to the
//! item it names. Resolution is bounded: at most [`MAX_HOPS`] `use` hops per lookup, every map
//! is sorted (no quadratic scans), and the facts it reads are capped per file by the analyzer.
use crate::facts::{FactKind, ItemValue, PlacedFact, TokenKind};
use std::cell::Cell;
use std::collections::BTreeMap;

/// How many `use` declarations (re-exports, globs) one lookup may pass through.
pub const MAX_HOPS: usize = 4;

/// A module: the crate root (the folder holding `src`, as a path prefix) and its path inside the
/// crate (`["config"]`, `[]` for `lib.rs`/`main.rs`).
type Module = (String, Vec<String>);

pub struct Values<'a> {
    /// Items by module and name.
    items: BTreeMap<(Module, &'a str), &'a PlacedFact>,
    /// Items by name, for re-exports the index did not read (a `mod.rs` holding only
    /// `pub use lifetimes::*` is not parsed: it names nothing about auth).
    by_name: BTreeMap<&'a str, Vec<(Module, &'a PlacedFact)>>,
    /// Config fields' defaults by field name: the struct and its module (`AuthConfig.ttl`).
    fields: BTreeMap<&'a str, Vec<(String, &'a str, &'a PlacedFact)>>,
    /// `use` names by module: `(local, target as written)`.
    uses: BTreeMap<Module, Vec<(&'a str, &'a str)>>,
    /// Crate roots by crate name (the folder name, `-` read as `_`), for workspace paths.
    crates: BTreeMap<String, String>,
    /// Lookups left for the current resolution: globs and re-exports branch, so one path may
    /// try many; the walk stops when this runs out.
    budget: Cell<u32>,
}

/// Lookups one resolution may make.
const BUDGET: u32 = 256;

/// The module a file is, from its path: `api/src/config/mod.rs` is `config` of the crate at
/// `api/src`; `src/bin/tool.rs` is the root of a crate of its own.
pub fn file_module(path: &str) -> Option<Module> {
    let parts: Vec<&str> = path.split('/').collect();
    let src = parts.iter().rposition(|p| *p == "src")?;
    let mut rest: Vec<String> = parts[src + 1..].iter().map(|s| s.to_string()).collect();
    let last = rest.pop()?;
    let stem = last.strip_suffix(".rs")?;
    let mut root = parts[..=src].join("/");
    if rest.first().is_some_and(|d| d == "bin") {
        root = format!("{root}/bin/{}", rest.get(1).map_or(stem, String::as_str));
        return Some((root, Vec::new()));
    }
    if !(rest.is_empty() && matches!(stem, "lib" | "main")) && stem != "mod" {
        rest.push(stem.to_string());
    }
    Some((root, rest))
}

fn with_inline(mut m: Module, inline: &str) -> Module {
    m.1.extend(
        inline
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    m
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl<'a> Values<'a> {
    pub fn new(facts: &'a [PlacedFact]) -> Self {
        let mut v = Values {
            items: BTreeMap::new(),
            by_name: BTreeMap::new(),
            fields: BTreeMap::new(),
            uses: BTreeMap::new(),
            crates: BTreeMap::new(),
            budget: Cell::new(0),
        };
        for f in facts {
            let (module, inline) = match &f.kind {
                FactKind::ValueItem { module, .. } | FactKind::RustUse { module, .. } => {
                    (file_module(&f.path), module.as_str())
                }
                FactKind::StorageWrapper { .. }
                | FactKind::CookieWrapper { .. }
                | FactKind::CookieHelper { .. } => (file_module(&f.path), ""),
                _ => continue,
            };
            let Some(m) = module.map(|m| with_inline(m, inline)) else {
                continue;
            };
            if let Some(name) =
                m.0.strip_suffix("/src")
                    .map(|r| r.rsplit('/').next().unwrap_or(r))
            {
                v.crates
                    .entry(name.replace('-', "_"))
                    .or_insert_with(|| m.0.clone());
            }
            match &f.kind {
                FactKind::StorageWrapper { .. }
                | FactKind::CookieWrapper { .. }
                | FactKind::CookieHelper { .. } => {
                    if let Some(name) = f.function.as_deref() {
                        v.items.entry((m, name)).or_insert(f);
                    }
                }
                FactKind::ValueItem { name, .. } if let Some((ty, field)) = field_name(name) => {
                    v.fields.entry(field).or_default().push((m.0, ty, f));
                }
                FactKind::ValueItem { name, .. } => {
                    v.by_name
                        .entry(name.as_str())
                        .or_default()
                        .push((m.clone(), f));
                    v.items.entry((m, name.as_str())).or_insert(f);
                }
                FactKind::RustUse { local, target, .. } => {
                    v.uses
                        .entry(m)
                        .or_default()
                        .push((local.as_str(), target.as_str()));
                }
                _ => {}
            }
        }
        v
    }

    /// The item a path names, written in the file `path` (in its inline module `inline`).
    pub fn resolve(&self, path: &str, inline: &str, written: &str) -> Option<&'a PlacedFact> {
        let from = with_inline(file_module(path)?, inline);
        if let Some((ty, field)) = field_name(written) {
            return self.field(&from.0, ty, field);
        }
        self.budget.set(BUDGET);
        self.lookup(&from, &segments(written), 0)
    }

    fn lookup(&self, from: &Module, segs: &[String], hops: usize) -> Option<&'a PlacedFact> {
        if hops > MAX_HOPS || segs.is_empty() || self.budget.get() == 0 {
            return None;
        }
        self.budget.set(self.budget.get() - 1);
        let (root, module) = from;
        let first = segs[0].as_str();
        let rel = |m: Vec<String>, rest: &[String]| {
            let mut m = m;
            m.extend(rest.iter().cloned());
            (root.clone(), m)
        };
        let candidates: Vec<Module> = match first {
            "crate" => vec![rel(Vec::new(), &segs[1..])],
            "self" => vec![rel(module.clone(), &segs[1..])],
            "super" => {
                let ups = segs.iter().take_while(|s| *s == "super").count();
                let keep = module.len().checked_sub(ups)?;
                vec![rel(module[..keep].to_vec(), &segs[ups..])]
            }
            _ => {
                // A name brought in by `use` in this module.
                if let Some((_, target)) = self
                    .uses
                    .get(from)
                    .into_iter()
                    .flatten()
                    .find(|(local, _)| *local == first)
                {
                    let mut t = segments(target);
                    t.extend(segs[1..].iter().cloned());
                    return self
                        .lookup(&(root.clone(), module.clone()), &t, hops + 1)
                        .or_else(|| self.lookup(&(root.clone(), Vec::new()), &t, hops + 1));
                }
                let mut c = vec![rel(module.clone(), segs), rel(Vec::new(), segs)];
                if let Some(other) = self.crates.get(first) {
                    c.push((other.clone(), segs[1..].to_vec()));
                }
                c
            }
        };
        for mut full in candidates {
            let Some(name) = full.1.pop() else {
                continue;
            };
            if let Some(f) = self.items.get(&(full.clone(), name.as_str())) {
                return Some(f);
            }
            // A re-export or a glob of the module the path names.
            if let Some(f) = self
                .through_uses(&full, &name, hops)
                .or_else(|| self.below(&full, &name))
            {
                return Some(f);
            }
        }
        // A glob import of the module the path is written in (`use crate::config::*`).
        if segs.len() == 1 {
            return self.through_uses(from, first, hops);
        }
        None
    }

    /// The default of a config field read in the crate at `root`: of the struct `ty` when the
    /// reading file knows it, else of the one struct that has the field (several structs with
    /// a `ttl` each: which one is read is unknown). The reading crate's own first.
    fn field(&self, root: &str, ty: &str, field: &str) -> Option<&'a PlacedFact> {
        let all = self.fields.get(field)?;
        let of_ty = |t: &&str| ty.is_empty() || *t == ty;
        let here: Vec<_> = all
            .iter()
            .filter(|(r, t, _)| *r == root && of_ty(t))
            .collect();
        let found = if here.is_empty() {
            all.iter().filter(|(_, t, _)| of_ty(t)).collect()
        } else {
            here
        };
        match found.as_slice() {
            [(_, _, f)] => Some(*f),
            _ => None,
        }
    }

    /// The one item named `name` in a module below `module` (its re-export was not read).
    fn below(&self, module: &Module, name: &str) -> Option<&'a PlacedFact> {
        let mut found = self
            .by_name
            .get(name)?
            .iter()
            .filter(|(m, _)| m.0 == module.0 && m.1.starts_with(&module.1));
        let (_, f) = found.next()?;
        found.next().is_none().then_some(*f)
    }

    fn through_uses(&self, module: &Module, name: &str, hops: usize) -> Option<&'a PlacedFact> {
        let uses = self.uses.get(module)?;
        for (local, target) in uses {
            let mut t = segments(target);
            if *local == "*" {
                t.push(name.to_string());
            } else if *local != name {
                continue;
            }
            if let Some(f) = self.lookup(module, &t, hops + 1) {
                return Some(f);
            }
        }
        None
    }
}

/// A config field's name as the index writes it (`AuthConfig.ttl`, `.ttl` when the reader does
/// not know the struct): the struct and the field. A settings key (`"JWT.TTL"`) is not one.
fn field_name(name: &str) -> Option<(&str, &str)> {
    if name.starts_with('"') {
        return None;
    }
    name.split_once('.')
}

/// The value of an item fact.
pub fn item_value(f: &PlacedFact) -> Option<(&str, &ItemValue)> {
    match &f.kind {
        FactKind::ValueItem { name, value, .. } => Some((name.as_str(), value)),
        _ => None,
    }
}

/// The lifetime, in seconds, that a const gives an expiry the file could not evaluate: the
/// expiry is `slope * value / 1000 + intercept` (slope in thousandths) for a number (`num`) or a duration (`dur`).
pub(super) fn const_lifetime(
    item: &PlacedFact,
    num: Option<(i64, i64)>,
    dur: Option<(i64, i64)>,
) -> Option<u64> {
    let (_, value) = item_value(item)?;
    let (x, (slope, intercept)) = match value {
        ItemValue::Num(n) => (*n, num?),
        ItemValue::Dur(d) => (*d, dur?),
        ItemValue::Text(_) => return None,
    };
    u64::try_from((slope.checked_mul(x)? / 1000).checked_add(intercept)?).ok()
}

/// The lifetimes only the index can evaluate, as `TokenLifetime` facts of the function that
/// issues the token, so the verdict uses the same evaluation as the lifetime rules: an expiry
/// from a const of another module (`now + config::JWT_TTL`), and a helper in another file that
/// puts its parameter into `exp` while its caller computes the lifetime.
pub fn lifetimes(facts: &[PlacedFact], index: &super::Index) -> Vec<PlacedFact> {
    let values = Values::new(facts);
    let mut out = Vec::new();
    let mut add = |at: &PlacedFact, token: TokenKind, lifetime_secs: u64| {
        let mut f = at.clone();
        f.kind = FactKind::TokenLifetime {
            token,
            lifetime_secs,
        };
        out.push(f);
    };
    for f in facts {
        match &f.kind {
            FactKind::LifetimeFromConst {
                target,
                token,
                num,
                dur,
                ..
            } => {
                if let Some(ttl) = values
                    .resolve(&f.path, "", target)
                    .and_then(|item| const_lifetime(item, *num, *dur))
                {
                    add(f, *token, ttl);
                }
            }
            FactKind::LifetimeArg {
                callee,
                param,
                lifetime_secs,
                ..
            } => {
                let Some(caller) = f.function.as_deref() else {
                    continue;
                };
                for (path, name) in index.resolve(&f.path, caller, callee) {
                    for e in index.own(path, name) {
                        if let FactKind::ExpiryFromParam { param: p, token } = e.kind
                            && p == *param
                        {
                            add(e, token, *lifetime_secs);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: crate::finding::Position = crate::finding::Position {
        line: 1,
        column: 1,
        column_utf16: 1,
        offset: 0,
    };

    fn fact(path: &str, kind: FactKind) -> PlacedFact {
        PlacedFact {
            path: path.to_string(),
            start: ONE,
            end: ONE,
            span: crate::finding::Span::new(0, 1),
            function: None,
            kind,
            role: crate::roles::Role::Production,
        }
    }

    fn item(path: &str, name: &str) -> PlacedFact {
        fact(
            path,
            FactKind::ValueItem {
                module: String::new(),
                name: name.to_string(),
                value: ItemValue::Num(1),
            },
        )
    }

    fn use_(path: &str, local: &str, target: &str) -> PlacedFact {
        fact(
            path,
            FactKind::RustUse {
                module: String::new(),
                local: local.to_string(),
                target: target.to_string(),
            },
        )
    }

    #[test]
    fn paths_resolve_through_crate_super_uses_and_reexports() {
        let facts = vec![
            item("src/config.rs", "TTL"),
            item("src/auth/mod.rs", "KEY"),
            use_("src/auth/jwt.rs", "Ttl", "crate::config::TTL"),
            use_("src/lib.rs", "*", "crate::config"),
            item("other/src/limits.rs", "TTL"),
        ];
        let v = Values::new(&facts);
        let found =
            |from: &str, written: &str| v.resolve(from, "", written).map(|f| f.path.clone());
        assert_eq!(
            found("src/auth/jwt.rs", "crate::config::TTL").as_deref(),
            Some("src/config.rs")
        );
        assert_eq!(
            found("src/auth/jwt.rs", "Ttl").as_deref(),
            Some("src/config.rs")
        );
        assert_eq!(
            found("src/auth/jwt.rs", "super::KEY").as_deref(),
            Some("src/auth/mod.rs")
        );
        assert_eq!(
            found("src/main.rs", "config::TTL").as_deref(),
            Some("src/config.rs")
        );
        // A glob re-export at the crate root.
        assert_eq!(
            found("src/auth/jwt.rs", "crate::TTL").as_deref(),
            Some("src/config.rs")
        );
        // Another crate of the workspace, by its folder name.
        assert_eq!(
            found("src/main.rs", "other::limits::TTL").as_deref(),
            Some("other/src/limits.rs")
        );
        // Names nobody defines, and `super` above the crate root.
        assert_eq!(found("src/auth/jwt.rs", "crate::config::NOPE"), None);
        assert_eq!(found("src/main.rs", "super::super::TTL"), None);
    }

    #[test]
    fn cycles_of_glob_reexports_end() {
        // Modules that glob-import each other (hostile or just odd): a lookup of a name nobody
        // defines must end, within the hop limit and the budget.
        let mut facts = Vec::new();
        for i in 0..200 {
            let path = format!("src/m{i}.rs");
            for j in 0..200 {
                facts.push(use_(&path, "*", &format!("crate::m{j}")));
            }
        }
        let v = Values::new(&facts);
        let started = std::time::Instant::now();
        assert_eq!(v.resolve("src/m0.rs", "", "MISSING"), None);
        assert_eq!(v.resolve("src/m0.rs", "", "crate::m1::MISSING"), None);
        // A generous hang guard, not a speed test: unbounded, this walk is 200^4 lookups.
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn modules_from_paths() {
        let m = |p: &str| file_module(p).map(|(r, m)| (r, m.join("::")));
        assert_eq!(m("src/main.rs"), Some(("src".into(), "".into())));
        assert_eq!(
            m("api/src/config/mod.rs"),
            Some(("api/src".into(), "config".into()))
        );
        assert_eq!(m("api/src/a/b.rs"), Some(("api/src".into(), "a::b".into())));
        assert_eq!(
            m("src/bin/tool.rs"),
            Some(("src/bin/tool".into(), "".into()))
        );
        assert_eq!(m("web/app.ts"), None);
    }
}
