//! Command-line interface (SPEC §5.1).

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn run(_args: Vec<String>) -> i32 {
    0
}
