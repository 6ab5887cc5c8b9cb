//! End to end: the binary over fixtures, every report format snapshotted, exit codes against real findings.
//!
//! `testdata/report/unicode-hops` has an account ID written in tfvars and used through a variable (related
//! locations in two other files), non-ASCII text before a finding on the same line (character vs UTF-16
//! columns), a suppressed finding and a missing tag.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("testdata/report").join(name)
}

fn trustlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        // Set in GitHub Actions, where they turn Markdown paths into links.
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_SERVER_URL")
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

/// The text report's only varying figure, the duration, as `N ms`.
fn redact_text(s: &str) -> String {
    s.lines()
        .map(|line| match line.rfind(" · ") {
            Some(i) if line.ends_with(" ms") => format!("{} · [duration] ms", &line[..i]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fields of a SARIF log that depend on the machine, the run or the release.
fn redact_sarif(v: &mut Value) {
    if let Some(stats) = v
        .pointer_mut("/runs/0/properties/stats")
        .and_then(Value::as_object_mut)
    {
        stats.insert("duration_ms".into(), json!("[duration]"));
    }
    if let Some(base) = v.pointer_mut("/runs/0/originalUriBaseIds/%SRCROOT%/uri") {
        *base = json!("file:///[root]/");
    }
    if let Some(driver) = v
        .pointer_mut("/runs/0/tool/driver")
        .and_then(Value::as_object_mut)
    {
        driver.insert("version".into(), json!("[version]"));
        driver.insert("semanticVersion".into(), json!("[version]"));
        // Rule descriptors come from the catalogue and are checked in report_outputs; here only their IDs,
        // which ruleIndex refers to.
        if let Some(rules) = driver.get_mut("rules").and_then(Value::as_array_mut) {
            for r in rules.iter_mut() {
                *r = r["id"].clone();
            }
        }
    }
}

/// Every rule descriptor is complete: what GitHub requires and what SPEC §5.2 lists.
fn check_descriptors(v: &Value) {
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), trustlint::rules::registry().len());
    for r in &rules {
        let id = r["id"].as_str().unwrap_or_default();
        let meta = trustlint::rules::meta(id).unwrap_or_else(|| panic!("{id} not in the registry"));
        assert_eq!(r["name"], meta.slug);
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[key]["text"]
                    .as_str()
                    .is_some_and(|t| !t.trim().is_empty()),
                "{id} {key}"
            );
        }
        assert_eq!(r["help"]["markdown"], meta.page);
        assert_eq!(
            r["defaultConfiguration"]["level"],
            meta.default_severity.as_str()
        );
        assert_eq!(r["properties"]["security-severity"], meta.security_severity);
        assert!(r["properties"]["tags"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("security"))));
    }
}

fn sarif_of(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "sarif"];
    args.extend_from_slice(extra);
    let o = trustlint(dir, &args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("SARIF is not JSON: {e}"))
}

fn results_of<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["runs"][0]["results"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["ruleId"] == rule).collect())
        .unwrap_or_default()
}

#[test]
fn unicode_hops_text() {
    let o = trustlint(&fixture("unicode-hops"), &["scan"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("unicode_hops_text", redact_text(&stdout(&o)));
}

#[test]
fn unicode_hops_json() {
    let o = trustlint(&fixture("unicode-hops"), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let tl001 = v
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule_id"] == "TL001"))
        .cloned()
        .unwrap_or(Value::Null);
    // `Sid = "équipe😀"` before it on the line: JSON counts characters.
    assert_eq!(tl001["start_line"], 14);
    assert_eq!(tl001["start_column"], 102);
    assert_eq!(tl001["end_column"], 125);
    insta::assert_snapshot!("unicode_hops_json", text);
}

#[test]
fn unicode_hops_sarif() {
    let mut v = sarif_of(&fixture("unicode-hops"), &[]);
    // The same span in SARIF counts UTF-16 code units: the emoji is two.
    let tl001 = results_of(&v, "TL001");
    let region = &tl001[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region,
        &json!({"startLine": 14, "startColumn": 103, "endLine": 14, "endColumn": 126})
    );
    // The account ID is where it is written, the hops are related locations.
    let tl010 = results_of(&v, "TL010");
    let loc = &tl010[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "terraform.tfvars");
    assert_eq!(loc["region"]["startLine"], 2);
    let related: Vec<&str> = tl010[0]["relatedLocations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(related.contains(&"main.tf"), "{related:?}");
    let tl013 = results_of(&v, "TL013");
    assert_eq!(tl013[0]["suppressions"][0]["kind"], "inSource");
    assert!(tl013[0]["suppressions"][0]["justification"]
        .as_str()
        .is_some_and(|j| j.contains("sécurité")));
    validate(&v);
    redact_sarif(&mut v);
    insta::assert_json_snapshot!("unicode_hops_sarif", v);
}

#[test]
fn unicode_hops_github_annotations() {
    let o = trustlint(&fixture("unicode-hops"), &["scan", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    // Suppressed findings are not annotated.
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("title=TL003 role-chain::"), "{text}");
    assert!(text.contains("::error file=terraform.tfvars,line=2,col=12,endLine=2,endColumn=24,title=TL012 missing-external-id::"), "{text}");
}

/// `testdata/graph/ci-runners/terraform`: a GitHub OIDC role that two roles trust, so two chains share a hop.
fn ci_runners() -> PathBuf {
    root().join("testdata/graph/ci-runners")
}

#[test]
fn chains_github_annotations() {
    let o = trustlint(&ci_runners(), &["scan", "--format", "github", "terraform"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("ci_runners_github", stdout(&o));
}

#[test]
fn chains_markdown() {
    let o = trustlint(
        &ci_runners(),
        &["scan", "--format", "markdown", "terraform"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let md = stdout(&o);
    // One node per principal, the shared hop once.
    assert_eq!(
        md.matches("role #quot;ci-deploy#quot;\"]").count(),
        1,
        "{md}"
    );
    assert_eq!(md.matches(" -->|assumes| ").count(), 3, "{md}");
    insta::assert_snapshot!("ci_runners_markdown", md);
}

/// In GitHub Actions: annotations on stdout, the summary appended to the step summary with links to the
/// commit's files, and the same text as `--format markdown` apart from the links.
#[test]
fn chains_step_summary() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = tmp.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n\n").unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["scan", "--format", "github", "terraform"])
        .current_dir(ci_runners())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_SHA", "0123456789abcdef")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let without_summary = trustlint(&ci_runners(), &["scan", "--format", "github", "terraform"]);
    assert_eq!(stdout(&o), stdout(&without_summary));
    let text = std::fs::read_to_string(&summary).unwrap_or_default();
    insta::assert_snapshot!("ci_runners_step_summary", text);
    let md = stdout(&trustlint(
        &ci_runners(),
        &["scan", "--format", "markdown", "terraform"],
    ));
    let unlinked = text
        .replace(
            "[terraform/main.tf:54](https://github.example/acme/infra/blob/0123456789abcdef/terraform/main.tf#L54)",
            "`terraform/main.tf:54`",
        )
        .replace(
            "[terraform/main.tf:67](https://github.example/acme/infra/blob/0123456789abcdef/terraform/main.tf#L67)",
            "`terraform/main.tf:67`",
        );
    assert_eq!(unlinked, format!("# earlier step\n\n{md}"));
}

#[test]
fn examples_markdown() {
    let o = trustlint(
        &root().join("examples"),
        &[
            "scan",
            "--format",
            "markdown",
            "--config",
            ".trustlint.yml",
            "terraform",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("examples_terraform_markdown", stdout(&o));
}

#[test]
fn examples_sarif_and_text() {
    let dir = root().join("examples");
    let args = ["--config", ".trustlint.yml", "terraform"];
    let mut v = sarif_of(&dir, &args);
    validate(&v);
    check_descriptors(&v);
    redact_sarif(&mut v);
    insta::assert_json_snapshot!("examples_terraform_sarif", v);
    let mut text_args = vec!["scan"];
    text_args.extend_from_slice(&args);
    let o = trustlint(&dir, &text_args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("examples_terraform_text", redact_text(&stdout(&o)));
}

#[test]
fn exit_codes_follow_fail_on_and_suppressions() {
    let dir = fixture("unicode-hops");
    let code = |args: &[&str]| {
        let mut a = vec!["scan", "--quiet"];
        a.extend_from_slice(args);
        trustlint(&dir, &a).status.code()
    };
    // One error (TL012), warnings, the TL013 warning suppressed.
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "error"]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
    // Disabling the only error-level rule leaves warnings below --fail-on error.
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = tmp.path().join("cfg.yml");
    std::fs::write(
        &cfg,
        "trusted_accounts: [\"111111111111\"]\nrules:\n  TL012: { enabled: false }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cfg = cfg.to_string_lossy().to_string();
    assert_eq!(code(&["--fail-on", "error", "--config", &cfg]), Some(0));
    assert_eq!(code(&["--fail-on", "warning", "--config", &cfg]), Some(1));
    // A baseline of everything silences everything: nothing counts, whatever --fail-on says.
    let baseline = tmp.path().join("b.json").to_string_lossy().to_string();
    assert_eq!(code(&["--write-baseline", &baseline]), Some(1));
    assert_eq!(
        code(&["--baseline", &baseline, "--fail-on", "note"]),
        Some(0)
    );
    let o = trustlint(
        &dir,
        &["scan", "--baseline", &baseline, "--format", "sarif"],
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    let kinds: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["suppressions"][0]["kind"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "external").count(), 5);
}

fn validate(v: &Value) {
    let path = root().join("../shared/schemas/sarif-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("schema check skipped: {} not found", path.display());
        return;
    };
    let schema: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
