//! The fuzz targets' shared entry point is the library's `authlint::fuzzing::analyse`, compiled
//! and tested with the library so it cannot drift from the code it drives.
pub use authlint::fuzzing::analyse;
