//! `--format github`: workflow-command annotations, one per active finding (SPEC §5.2).

use crate::finding::{Finding, Severity};
use crate::ScanOutput;

/// Escapes a workflow-command message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One annotation line for a finding.
pub fn annotation(out: &ScanOutput, f: &Finding) -> String {
    let file = out.sources.get(f.primary.file);
    let start = file.position(f.primary.start);
    let end = file.position(f.primary.end);
    let slug = crate::rules::meta(f.rule_id).map(|m| m.slug).unwrap_or("");
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        command(f.severity),
        escape_property(&file.rel),
        start.line,
        start.col,
        end.line,
        end.col,
        escape_property(format!("{} {}", f.rule_id, slug).trim_end()),
        escape_data(&f.message),
    )
}

/// Every active (not suppressed) finding as an annotation line.
pub fn render(out: &ScanOutput) -> String {
    let mut s = String::new();
    for f in out.findings.iter().filter(|f| f.suppression.is_none()) {
        s.push_str(&annotation(out, f));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
