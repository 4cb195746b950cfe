fn main() {
    std::process::exit(authlint::cli::run(std::env::args_os()));
}
