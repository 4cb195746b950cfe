#![no_main]
//! Every analyzer that reads `realm-export.json` on arbitrary text.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::analyse("realm-export.json", data));
