fn main() {
    authlint::engine::after_large_file(release_freed_pages);
    std::process::exit(authlint::cli::run(std::env::args_os()));
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (include/mimalloc.h); the bindings
/// (libmimalloc-sys 0.1) do not name it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Runs after each file over 256 KiB (issue 14, item 7). Such a file's syntax tree costs about
/// 150 times the file and is freed when the file is done, but mimalloc keeps freed pages for
/// 10 ms to 100 ms before it returns them: eight 1.9 MB files in a row peaked at 420 to 620 MiB
/// although only one tree was ever alive. From the first large file on, freed pages go back at
/// once; a project without large files keeps mimalloc's defaults (and their speed).
fn release_freed_pages() {
    // SAFETY: both calls take no pointer; mimalloc documents them as callable at any time from
    // any thread (`mi_option_set` stores one integer, `mi_collect` walks this thread's own heap).
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_collect(true);
    }
}
