fn main() {
    no_huge_pages();
    authlint::engine::after_large_file(release_freed_pages);
    std::process::exit(authlint::cli::run(std::env::args_os()));
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (include/mimalloc.h); the bindings
/// (libmimalloc-sys 0.1) do not name it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// `mi_option_allow_thp` in mimalloc 3's `mi_option_e`.
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Turns transparent huge pages off for this process (issue 17). mimalloc asks for them on its
/// arenas, and a short run touches a little of many 2 MiB pages, each zeroed whole at its first
/// touch: 12 % of a run's CPU on the application corpus went to zeroing pages. Without them the
/// run takes about 15 % less system time and 20 % less memory.
fn no_huge_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE)` takes integers only and changes how later page faults
    // are served; `mi_option_set` stores one integer (mimalloc then stops asking for huge pages).
    #[allow(unsafe_code)]
    unsafe {
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
}

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
