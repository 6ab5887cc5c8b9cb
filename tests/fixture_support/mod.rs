//! Shared by the rule fixture harnesses (Terraform and CloudFormation): what the binary reports for a case.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Findings of rule `id` (file, start line) when the binary scans the case directory (with its own
/// `.trustlint.yml`).
pub fn actual(id: &str, dir: &Path) -> BTreeSet<(String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["scan", "--format", "json", "--no-color", "."])
        .current_dir(dir)
        .output()
        .expect("run trustlint");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "{}: exit {:?}\n{}",
        dir.display(),
        code,
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}):\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .filter(|f| f["rule_id"] == id)
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap_or("")
                    .trim_start_matches("./")
                    .to_string(),
                f["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}
