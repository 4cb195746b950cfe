fn main() {
    std::process::exit(authlint::cli::run(std::env::args_os()));
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
