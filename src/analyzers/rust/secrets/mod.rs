//! `hardcoded-signing-secret`: keys written in the source or defaulted, the settings fields that
//! become keys, and the vocabulary of secret names.
pub(super) mod hardcoded;
pub(super) mod key_fields;
pub(crate) mod names;
