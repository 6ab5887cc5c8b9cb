//! `--format text`: miette-style diagnostics with the source snippet, then a summary.

use crate::ScanOutput;

/// `color`: ANSI colours (off with `--no-color`, `NO_COLOR` or when not a terminal).
pub fn render(_out: &ScanOutput, _color: bool) -> String {
    String::new()
}
