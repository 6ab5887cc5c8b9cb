// A scan allocates many small, short-lived values on several threads; mimalloc does that markedly faster than
// the system allocator (see the README's "Performance" section).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = trustlint::cli::run(std::env::args().skip(1).collect());
    std::process::exit(code);
}
