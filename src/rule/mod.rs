//! Rule ids as a type. `build.rs` generates [`Rule`] from `rules/*.toml`, so every id an analyzer
//! reports exists in the catalog, and a misspelt id does not compile.
use serde::{Serialize, Serializer};

#[cfg(test)]
pub mod cases;
pub mod wording;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/rule_enum.rs"));

impl Rule {
    /// The rule for an id as users write it in config, suppressions and on the command line.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn every_catalog_entry_is_a_variant_and_back() {
        let ids: Vec<&str> = crate::catalog::all()
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        let variants: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids, variants);
        for r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(*r));
            assert_eq!(r.doc().id, r.id());
        }
        assert_eq!(Rule::from_id("cookie-missing-secur"), None);
    }

    #[test]
    fn variant_order_is_id_order() {
        // Findings sort by rule; the derived order must agree with the ids' order.
        let mut sorted = Rule::ALL.to_vec();
        sorted.sort_by_key(|r| r.id());
        assert_eq!(sorted, Rule::ALL);
    }
}
