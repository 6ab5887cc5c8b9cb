fn main() {
    let code = trustlint::cli::run(std::env::args().skip(1).collect());
    std::process::exit(code);
}
