//! `trustlint graph --format mermaid|dot|json`: the effective assume-role graph (SPEC §5.2).

use crate::ScanOutput;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

pub fn render(_out: &ScanOutput, _format: GraphFormat) -> String {
    String::new()
}
