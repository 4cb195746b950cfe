//! The project as a whole, read from its markers (Cargo manifests, package.json, compose files,
//! Kubernetes workloads): its applications and the parties that issue or check its logins. The
//! design pass judges each application. What is known before any file is analysed (locked
//! versions, manifests) is [`crate::analyzers::ProjectInfo`].
mod context;
mod markers;
pub use context::{Application, Party, ProjectContext};
