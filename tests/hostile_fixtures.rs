//! Every input fuzzing ever crashed trustlint with, kept under `testdata/hostile/<case>/` and scanned as it
//! is. A case may hold an `expect` file: lines `RULE text` (some finding of RULE has `text` in its message)
//! or `exit 2` (a configuration case: exit 2 with a message naming the file, never a crash).

mod hostile_support;
use hostile_support::*;
use std::path::Path;

fn cases() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/hostile");
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

#[test]
fn every_fuzz_crash_stays_fixed() {
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures under testdata/hostile");
    for case in cases {
        let expect = std::fs::read_to_string(case.join("expect")).unwrap_or_default();
        let name = case.display().to_string();
        if expect.lines().any(|l| l.trim() == "exit 2") {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
                .args(["scan", "--format", "json"])
                .current_dir(&case)
                .output()
                .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"));
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{name}: {err}");
            assert!(!err.contains("panicked"), "{name}: {err}");
            continue;
        }
        let run = scan(&case, &[]);
        for line in expect.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (rule, text) = line.split_once(' ').unwrap_or((line, ""));
            assert!(
                run.has(rule, text),
                "{name}: expected {rule} with {text:?}: {:#?}",
                run.messages()
            );
        }
    }
}
