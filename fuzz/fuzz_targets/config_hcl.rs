#![no_main]
//! Every analyzer that reads `infra/cognito.tf` on arbitrary text.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::analyse("infra/cognito.tf", data));
