#![no_main]
//! Every analyzer that reads `web/src/App.vue` on arbitrary text.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::analyse("web/src/App.vue", data));
