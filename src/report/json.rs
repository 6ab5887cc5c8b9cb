//! `--format json`: a stable array of findings (SPEC §5.2).

use crate::ScanOutput;

pub fn render(_out: &ScanOutput) -> String {
    "[]\n".to_string()
}
