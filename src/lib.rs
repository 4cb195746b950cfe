//! authlint: finds authentication designs that can be stolen, outlived or not revoked.
//!
//! The flow (see `shared/DESIGN.md`): discover → classify → prefilter → parse once → analyzers →
//! findings → suppressions, baseline, configured severity → sort → reporters.
#![deny(unsafe_code)]
pub mod analyzers;
pub mod auth_names;
pub mod baseline;
pub mod budget;
pub mod catalog;
pub mod cli;
pub mod comments;
pub mod config;
pub mod design;
pub mod discover;
pub mod engine;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod fuzzing;
pub mod ignore_files;
pub mod manifest;
pub mod per_dir;
pub mod placeholder;
pub mod project;
pub mod providers;
pub mod reader;
pub mod report;
pub mod roles;
pub mod rule;
pub mod severity;
pub mod snippet;
pub mod source;
pub mod suppress;
pub mod words;
