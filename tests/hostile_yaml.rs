//! YAML alias bombs ("billion laughs") in CloudFormation templates and in the configuration file: expansion
//! is bounded, so memory is too.

mod hostile_support;
use hostile_support::*;

/// Ten levels of anchors, each aliasing the previous one ten times: 10^10 nodes when expanded.
fn bomb(prefix: &str) -> String {
    let mut s = String::from(prefix);
    s.push_str("  l0: &l0 [\"lol\"]\n");
    for i in 1..=10 {
        let prev = format!("*l{}", i - 1);
        let items = vec![prev; 10].join(", ");
        s.push_str(&format!("  l{i}: &l{i} [{items}]\n"));
    }
    s
}

#[test]
fn alias_bombs_in_templates_are_bounded() {
    let d = tempdir();
    let mut t = bomb("AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n");
    t.push_str("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: *l10\n      AssumeRolePolicyDocument:\n        Statement: *l10\n");
    write(d.path(), "bomb.yaml", &t);
    // Aliases nested in aliases, each level 50 deep: depth grows with every alias.
    let mut deep = String::from("AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  d0: &d0 x\n");
    for i in 1..200 {
        deep.push_str(&format!(
            "  d{i}: &d{i} {}*d{}{}\n",
            "[".repeat(50),
            i - 1,
            "]".repeat(50)
        ));
    }
    deep.push_str(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: *d199\n",
    );
    write(d.path(), "deep.yaml", &deep);
    let run = scan(d.path(), &[]);
    let _ = run;
}

#[test]
fn alias_bombs_in_the_configuration_are_configuration_errors() {
    let d = tempdir();
    write(
        d.path(),
        ".trustlint.yml",
        bomb("trusted_accounts: []\nx:\n"),
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["scan", "--format", "json"])
        .current_dir(d.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(".trustlint.yml:"), "{err}");
    assert!(
        err.contains("alias") || err.contains("unknown key"),
        "names the problem: {err}"
    );
}
