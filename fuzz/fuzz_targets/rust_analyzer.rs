#![no_main]
//! The Rust analyzer (all Rust rules and the facts collector) on arbitrary text.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::analyse("src/fuzz.rs", data));
