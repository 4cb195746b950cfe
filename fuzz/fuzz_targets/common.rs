//! The fuzz targets' shared entry point is the library's `authlint::fuzzing::analyse`, compiled
//! and tested with the library so it cannot drift from the code it drives.

/// Analyses `data` as the file `name`; a panic is the fuzzer's finding.
pub fn analyse(name: &'static str, data: &[u8]) {
    authlint::fuzzing::analyse(name, data);
}
