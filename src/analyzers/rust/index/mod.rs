//! How values are found: the parsed file, the syntax helpers, what names say (tokens, role claims,
//! stores), the duration evaluator, what a file gives the project index (values, facts), which
//! test code is skipped, and the gate that decides whether a file is parsed at all. Nothing here
//! judges a finding, and nothing here imports a rule.
pub(super) mod calls;
pub(super) mod duration_eval;
pub(super) mod facts;
pub(super) mod field_types;
pub(super) mod file;
pub(super) mod gate;
pub(super) mod items_only;
pub(super) mod names;
pub(super) mod quiet_bodies;
pub(super) mod stores;
pub(super) mod syntax;
pub(super) mod test_code;
pub(crate) mod token_names;
pub(super) mod values;

pub use file::RustFile;
