//! Shared harness of the hostile-input tests: runs the real binary with `--format json` on a generated tree,
//! under an address-space limit and a hang guard, and checks the contract every hostile input must keep:
//! exit 0 or 1, a JSON array of findings on stdout, no panic (a stack overflow or an allocation failure
//! aborts, so it shows as a signal or exit 134).
//!
//! The hang guard is generous (debug builds on a busy machine) and fails only when a scan never ends; these
//! are not timed tests.

#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space a scan may use (virtual memory: rayon stacks and allocator arenas included).
pub const MEMORY_LIMIT_KB: u64 = 2 * 1024 * 1024;
const HANG_GUARD: Duration = Duration::from_secs(600);

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub findings: Vec<serde_json::Value>,
}

impl Run {
    /// Findings of one rule.
    pub fn rule(&self, id: &str) -> Vec<&serde_json::Value> {
        self.findings
            .iter()
            .filter(|f| f["rule_id"] == id)
            .collect()
    }

    /// Whether some finding of `rule` has a message containing `text`.
    pub fn has(&self, rule: &str, text: &str) -> bool {
        self.rule(rule)
            .iter()
            .any(|f| f["message"].as_str().is_some_and(|m| m.contains(text)))
    }

    pub fn messages(&self) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}:{} {}",
                    f["rule_id"].as_str().unwrap_or("?"),
                    f["file"].as_str().unwrap_or("?"),
                    f["start_line"],
                    f["message"]
                        .as_str()
                        .unwrap_or("?")
                        .chars()
                        .take(200)
                        .collect::<String>()
                )
            })
            .collect()
    }
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

/// Runs `trustlint scan --format json ARGS` in `dir` and checks the hostile-input contract.
pub fn scan(dir: &Path, args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_trustlint");
    let mut cmd = if cfg!(unix) {
        // `ulimit -v` bounds the address space, so a runaway allocation fails instead of swapping.
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -v {MEMORY_LIMIT_KB} && exec \"$0\" \"$@\""))
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["scan", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"));
    let mut out = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut err = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > HANG_GUARD => {
                let _ = child.kill();
                panic!("trustlint did not finish within {HANG_GUARD:?} (a hang)");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("wait: {e}"),
        }
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "trustlint panicked: {stderr}"
    );
    let code = status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit status {status:?} (0 or 1 expected); stderr: {stderr}"
    );
    let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            stdout.chars().take(500).collect::<String>()
        )
    });
    let findings = match parsed {
        serde_json::Value::Array(a) => a,
        other => panic!("stdout is not a JSON array: {other}"),
    };
    Run {
        code,
        stdout,
        stderr,
        findings,
    }
}

/// A role whose trust policy is `policy` (an HCL expression).
pub fn role(name: &str, policy: &str) -> String {
    format!("resource \"aws_iam_role\" \"{name}\" {{\n  name = \"{name}\"\n  assume_role_policy = {policy}\n}}\n")
}

/// A valid trust policy (HCL) trusting an account, which TL010 reports (so tests see the file was analysed).
pub const TRUST_ACCOUNT: &str = "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"arn:aws:iam::210987654321:root\" } }] })";
