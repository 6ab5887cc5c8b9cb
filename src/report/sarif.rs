//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (SPEC §5.2).

use crate::ScanOutput;

pub fn render(_out: &ScanOutput) -> String {
    String::new()
}
