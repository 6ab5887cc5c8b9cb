//! The real binary: subcommands, exit codes, configuration errors, output files.

use std::path::Path;
use std::process::{Command, Output};

mod snippets;
use snippets::{MODULE_LOCALS, MODULE_TRUST, WILDCARD_TF};

fn trustlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

#[test]
fn help_and_version_succeed() {
    let d = tempdir();
    let o = trustlint(d.path(), &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("scan"));
    let o = trustlint(d.path(), &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("trustlint "));
}

#[test]
fn usage_errors_exit_2() {
    let d = tempdir();
    for args in [
        &["scan", "--fail-on", "critical"][..],
        &["scan", "--format", "xml"],
        &["scan", "--var", "novalue"],
        &["scan", "--bogus"],
        &["graph", "--format", "svg"],
        &["explain"],
        &["frobnicate"],
        &[],
    ] {
        let o = trustlint(d.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} prints why");
    }
}

#[test]
fn scanning_an_empty_directory_finds_nothing() {
    let d = tempdir();
    let o = trustlint(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("no findings · 0 files, 0 roles"), "{out}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains('\u{1b}'));
    let o = trustlint(d.path(), &["scan", "--quiet", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn missing_paths_are_io_errors() {
    let d = tempdir();
    let o = trustlint(d.path(), &["scan", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
    let o = trustlint(d.path(), &["scan", "--var-file", "nope.tfvars"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.tfvars"));
}

#[test]
fn json_and_sarif_outputs() {
    let d = tempdir();
    let o = trustlint(d.path(), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "[]\n");

    let o = trustlint(
        d.path(),
        &[
            "scan",
            "--format",
            "sarif=out.sarif",
            "--format",
            "json",
            "--output",
            "f.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "every format went to a file");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("out.sarif")).unwrap_or_default(),
    )
    .unwrap_or(serde_json::Value::Null);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "trustlint");
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
    let root = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    assert!(sarif["runs"][0]["properties"]["stats"]["kpis"].is_object());
    assert_eq!(
        std::fs::read_to_string(d.path().join("f.json")).unwrap_or_default(),
        "[]\n"
    );
}

#[test]
fn two_formats_cannot_share_stdout() {
    let d = tempdir();
    let o = trustlint(d.path(), &["scan", "--format", "json", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only one --format"), "{}", stderr(&o));
    let o = trustlint(
        d.path(),
        &["scan", "--format", "json=a.json", "-o", "b.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--output has no format"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn github_and_markdown_formats() {
    let d = tempdir();
    let summary = d.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args([
            "scan",
            "--format",
            "github",
            "--format",
            "markdown=summary.md",
        ])
        .current_dir(d.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // No findings: no annotations.
    assert_eq!(stdout(&o), "");
    let md = std::fs::read_to_string(d.path().join("summary.md")).unwrap_or_default();
    assert!(!md.is_empty());
    // The step summary is appended to, not replaced.
    let step = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(
        step.starts_with("earlier step\n") && step.len() > "earlier step\n".len(),
        "{step}"
    );
}

#[test]
fn baselines_are_written_and_read() {
    let d = tempdir();
    let o = trustlint(d.path(), &["scan", "--write-baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b.json")).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null);
    assert_eq!(b["version"], 1);
    assert_eq!(b["findings"], serde_json::json!([]));
    let o = trustlint(d.path(), &["scan", "--baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(d.path(), "bad.json", "{ nope");
    let o = trustlint(d.path(), &["scan", "--baseline", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.json:1:3: invalid baseline"),
        "{}",
        stderr(&o)
    );
    let o = trustlint(d.path(), &["scan", "--baseline", "absent.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn init_writes_a_starter_configuration_once() {
    let d = tempdir();
    let o = trustlint(d.path(), &["init", "--stdout"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed = stdout(&o);
    assert!(!d.path().join(".trustlint.yml").exists());
    let o = trustlint(d.path(), &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(d.path().join(".trustlint.yml")).unwrap_or_default();
    assert_eq!(written, printed);
    // What init writes, scan reads.
    let parsed = trustlint::config::Config::parse(&written, Path::new(".trustlint.yml"));
    assert!(parsed.is_ok(), "{parsed:?}");
    let o = trustlint(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = trustlint(d.path(), &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let o = trustlint(d.path(), &["init", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unwritable_output_is_an_io_error() {
    let d = tempdir();
    let o = trustlint(
        d.path(),
        &["scan", "--format", "sarif=missing/dir/out.sarif"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write missing/dir/out.sarif"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_configuration_names_file_line_and_column() {
    let d = tempdir();
    write(
        d.path(),
        "custom.yml",
        "trusted_accounts: [\"111111111111\"]\nrules:\n  TL013:\n    severity: critical\n",
    );
    let o = trustlint(d.path(), &["scan", "--config", "custom.yml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("custom.yml:4:15: `rules.TL013.severity` must be one of error, warning, note"),
        "{e}"
    );
    let o = trustlint(d.path(), &["scan", "--config", "absent.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("absent.yml"));
}

#[test]
fn configuration_is_found_in_the_scanned_directory_then_the_current_one() {
    let d = tempdir();
    write(d.path(), "infra/.trustlint.yml", "unknown_key: 1\n");
    write(d.path(), "infra/main.tf", "");
    let o = trustlint(d.path(), &["scan", "infra"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(".trustlint.yml:1:1: unknown key `unknown_key`"),
        "{e}"
    );
    // A file as the first path: the current directory's configuration applies (there is none here).
    let o = trustlint(d.path(), &["scan", "infra/main.tf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A good configuration in the current directory is used for `scan` without paths.
    write(
        d.path(),
        ".trustlint.yml",
        "trusted_accounts: [012345678901]\nexclude: [\"infra/**\"]\n",
    );
    let o = trustlint(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(d.path(), ".trustlint.yml", "trusted_accounts: [12345]\n");
    let o = trustlint(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: .trustlint.yml:1:20: `trusted_accounts`"),
        "{}",
        stderr(&o)
    );
    // A scanned directory without its own configuration uses the nearest one above it.
    write(d.path(), "other/deep/main.tf", "");
    let o = trustlint(d.path(), &["scan", "other/deep"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: .trustlint.yml:1:20:"),
        "{}",
        stderr(&o)
    );
    write(
        d.path(),
        "other/.trustlint.yml",
        "rules: { TL050: { enabled: false } }\n",
    );
    let o = trustlint(d.path(), &["scan", "other/deep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn rules_lists_the_catalogue() {
    let d = tempdir();
    let registry: Vec<_> = trustlint::rules::registry()
        .into_iter()
        .map(|r| r.meta())
        .collect();
    let o = trustlint(d.path(), &["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or(serde_json::Value::Null);
    let items = v.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), registry.len());
    for (item, meta) in items.iter().zip(&registry) {
        assert_eq!(item["id"], meta.id);
        assert_eq!(item["slug"], meta.slug);
        assert_eq!(item["default_severity"], meta.default_severity.as_str());
    }
    let o = trustlint(d.path(), &["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert_eq!(text.lines().count(), registry.len());
    for (line, meta) in text.lines().zip(&registry) {
        assert!(
            line.starts_with(meta.id) && line.contains(meta.slug),
            "{line}"
        );
    }
}

#[test]
fn explain_prints_rule_pages() {
    let d = tempdir();
    for r in trustlint::rules::registry() {
        let m = r.meta();
        let o = trustlint(d.path(), &["explain", &m.id.to_ascii_lowercase()]);
        assert_eq!(o.status.code(), Some(0), "{}", m.id);
        assert_eq!(stdout(&o).trim_end(), m.page.trim_end());
    }
    let o = trustlint(d.path(), &["explain", "TL999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown rule ID \"TL999\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn graph_runs_a_scan() {
    let d = tempdir();
    let o = trustlint(d.path(), &["graph", "--format", "json", "-o", "g.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.path().join("g.json").exists());
    let o = trustlint(d.path(), &["graph", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bundled_configurations_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("testdata"), root.join("examples")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == ".trustlint.yml") {
                seen += 1;
                if let Err(e) = trustlint::config::Config::load(&p) {
                    panic!("{e}");
                }
            }
        }
    }
    assert!(
        seen > 0,
        "no configuration found under testdata/ or examples/"
    );
}

const WILDCARD_CFN: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Open:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: sts:AssumeRole\n            Principal: \"*\"\n";

fn findings_json(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let o = trustlint(dir, &a);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&stdout(&o))
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_else(|| panic!("not a JSON array: {}", stdout(&o)))
}

/// What a pre-commit hook relies on: one changed `.tf` file brings the Terraform files of its directory (so a
/// local defined in a sibling file resolves) and nothing else — not the subdirectories, not a CloudFormation
/// template beside it, not other modules.
#[test]
fn a_terraform_file_brings_its_module_and_only_that() {
    let d = tempdir();
    write(d.path(), "infra/app/locals.tf", MODULE_LOCALS);
    write(d.path(), "infra/app/trust.tf", MODULE_TRUST);
    write(d.path(), "infra/app/stack.yaml", WILDCARD_CFN);
    write(d.path(), "infra/app/nested/main.tf", WILDCARD_TF);
    write(d.path(), "infra/other/main.tf", WILDCARD_TF);
    let findings = findings_json(d.path(), &["infra/app/trust.tf"]);
    let files: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["file"].as_str()).collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["infra/app/locals.tf"],
        "{findings:#?}"
    );
    let rules: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"TL010"), "{rules:?}");
    assert!(!rules.contains(&"TL901"), "the local resolved: {rules:?}");
    assert!(
        !rules.contains(&"TL011"),
        "no wildcard from outside: {rules:?}"
    );
    let tl010 = findings.iter().find(|f| f["rule_id"] == "TL010");
    assert!(
        tl010.is_some_and(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("999999999999"))
            && f["resource"] == "aws_iam_role.vendor"
            && f["start_line"] == 2),
        "{tl010:?}"
    );
    // The sibling file alone gives the same findings: either changed file checks the module.
    assert_eq!(findings_json(d.path(), &["infra/app/locals.tf"]), findings);
    // The template and the other module are scanned when named.
    let more = findings_json(
        d.path(),
        &["infra/app/trust.tf", "infra/app/stack.yaml", "infra/other"],
    );
    let files: std::collections::BTreeSet<&str> =
        more.iter().filter_map(|f| f["file"].as_str()).collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "infra/app/locals.tf",
            "infra/app/stack.yaml",
            "infra/other/main.tf"
        ]
    );
}

#[test]
fn excluded_files_stay_excluded_when_named() {
    let d = tempdir();
    write(d.path(), "examples/main.tf", WILDCARD_TF);
    write(d.path(), "examples/stack.yaml", WILDCARD_CFN);
    write(d.path(), ".trustlint.yml", "exclude: [\"examples/**\"]\n");
    let named = ["examples/main.tf", "examples/stack.yaml"];
    assert_eq!(
        findings_json(d.path(), &named),
        Vec::<serde_json::Value>::new()
    );
    let mut with_flag = vec!["--exclude", "*.yaml"];
    with_flag.extend_from_slice(&named);
    write(d.path(), ".trustlint.yml", "{}\n");
    let findings = findings_json(d.path(), &with_flag);
    let files: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["file"].as_str()).collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), ["examples/main.tf"]);
}
