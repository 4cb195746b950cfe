//! Rust front ends compiled to WASM: tokens written to web storage or to cookies by script
//! (`token-in-web-storage`, `token-cookie-set-by-script`), and what counts as a token there.
pub(super) mod keys;
pub(super) mod wasm;
