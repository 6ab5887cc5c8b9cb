//! A repository's first week with trustlint, through the real binary: suppressions that lapse or lack a
//! reason, CloudFormation metadata suppressions, a baseline that keeps silencing a finding after its lines
//! move, `init` on a repository that already trusts accounts, and the configuration's JSON Schema.

use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn trustlint(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

fn json(o: &Output) -> Vec<Value> {
    let text = String::from_utf8_lossy(&o.stdout);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => items,
        _ => panic!(
            "not a JSON array: {text}\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn role(name: &str, principal: &str) -> String {
    format!(
        r#"resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = "{principal}" }} }}]
  }})
}}
"#
    )
}

fn by_resource<'a>(findings: &'a [Value], rule: &str, resource: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|f| f["rule_id"] == rule && f["resource"] == resource)
        .collect()
}

#[test]
fn lapsed_and_reasonless_suppressions_do_not_silence() {
    let d = tempdir();
    let text = format!(
        "# trustlint:ignore TL011 until=2020-01-31 migration window\n{}\n# trustlint:ignore TL011\n{}\n# trustlint:ignore TL011 until=2999-12-31 sandbox account, reviewed by security\n{}",
        role("lapsed", "*"),
        role("reasonless", "*"),
        role("current", "*")
    );
    write(d.path(), "main.tf", &text);
    let o = trustlint(d.path(), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let findings = json(&o);

    let lapsed = by_resource(&findings, "TL011", "aws_iam_role.lapsed");
    assert_eq!(lapsed.len(), 1, "{findings:#?}");
    assert_eq!(lapsed[0]["suppressed"], false);
    assert!(
        lapsed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("suppression expired on 2020-01-31: migration window")),
        "{:#?}",
        lapsed[0]
    );

    let reasonless = by_resource(&findings, "TL011", "aws_iam_role.reasonless");
    assert_eq!(reasonless.len(), 1, "{findings:#?}");
    assert_eq!(reasonless[0]["suppressed"], false);
    let complaint: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("has no reason"))
        })
        .collect();
    assert_eq!(complaint.len(), 1, "{findings:#?}");
    assert_eq!(complaint[0]["start_line"], 10, "{:#?}", complaint[0]);

    let current = by_resource(&findings, "TL011", "aws_iam_role.current");
    assert_eq!(current.len(), 1, "{findings:#?}");
    assert_eq!(current[0]["suppressed"], true);

    // Suppressed findings stay in SARIF, with their reason.
    let o = trustlint(d.path(), &["scan", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1, "{results:#?}");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "sandbox account, reviewed by security"
    );
}

#[test]
fn cloudformation_metadata_and_yaml_comments_suppress() {
    let d = tempdir();
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vendor:
    Type: AWS::IAM::Role
    Metadata:
      trustlint:
        ignore:
          - id: TL011
            reason: break-glass role, approved in SEC-42
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: "*"
  # trustlint:ignore TL011 read-only sandbox
  Sandbox:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: "*"
  Open:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: "*"
"#;
    write(d.path(), "template.yaml", template);
    let o = trustlint(d.path(), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let findings = json(&o);
    let state = |res: &str| -> Vec<bool> {
        by_resource(&findings, "TL011", res)
            .iter()
            .map(|f| f["suppressed"] == true)
            .collect()
    };
    assert_eq!(state("Vendor"), vec![true], "{findings:#?}");
    assert_eq!(state("Sandbox"), vec![true], "{findings:#?}");
    assert_eq!(state("Open"), vec![false], "{findings:#?}");
    // Only the unsuppressed finding decides the exit code.
    write(
        d.path(),
        "template.yaml",
        &template.replace(
            "  Open:\n    Type: AWS::IAM::Role",
            "  Open:\n    Type: AWS::S3::Bucket",
        ),
    );
    let o = trustlint(d.path(), &["scan", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_baseline_keeps_silencing_findings_whose_lines_moved() {
    let d = tempdir();
    write(
        d.path(),
        "main.tf",
        &format!(
            "{}\n{}",
            role("legacy", "*"),
            role("vendor", "arn:aws:iam::999999999999:root")
        ),
    );
    let o = trustlint(d.path(), &["scan", "--write-baseline", "baseline.json"]);
    assert_eq!(o.status.code(), Some(1), "the findings still count");
    let b: Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("baseline.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let accepted = b["findings"].as_array().map(Vec::len).unwrap_or(0);
    assert!(accepted >= 2, "{b:#}");

    // Lines move (a comment and a new variable above), nothing else changes: still silenced.
    write(
        d.path(),
        "main.tf",
        &format!(
            "# IAM for the legacy platform\nvariable \"env\" {{\n  default = \"prod\"\n}}\n\n{}\n{}",
            role("legacy", "*"),
            role("vendor", "arn:aws:iam::999999999999:root")
        ),
    );
    let o = trustlint(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{:#?}", json(&o));
    let findings = json(&o);
    assert_eq!(findings.len(), accepted, "{findings:#?}");
    assert!(findings.iter().all(|f| f["suppressed"] == true));

    // A new problem is not in the baseline.
    write(
        d.path(),
        "new.tf",
        &role("fresh", "arn:aws:iam::888888888888:root"),
    );
    let o = trustlint(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let findings = json(&o);
    let fresh: Vec<&Value> = findings
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert!(!fresh.is_empty());
    assert!(
        fresh.iter().all(|f| f["resource"] == "aws_iam_role.fresh"),
        "{fresh:#?}"
    );
}

#[test]
fn init_lists_what_the_repository_already_trusts() {
    let d = tempdir();
    write(
        d.path(),
        "infra/main.tf",
        &format!(
            "{}\n{}",
            role("deploy", "arn:aws:iam::111122223333:root"),
            r#"resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "abc" } }
    }]
  })
}

resource "aws_iam_role" "org" {
  name = "org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}
"#
        ),
    );
    let before = json(&trustlint(d.path(), &["scan", "--format", "json"]));
    assert!(
        before
            .iter()
            .any(|f| f["rule_id"] == "TL010" && f["resource"] == "aws_iam_role.deploy"),
        "{before:#?}"
    );

    let o = trustlint(d.path(), &["init", "infra"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let written = std::fs::read_to_string(d.path().join("infra/.trustlint.yml"))
        .or_else(|_| std::fs::read_to_string(d.path().join(".trustlint.yml")))
        .unwrap_or_default();
    let line_of = |needle: &str| -> &str {
        written
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in:\n{written}"))
    };
    assert!(
        line_of("\"111122223333\"").contains("seen in infra/main.tf:5 (aws_iam_role.deploy)"),
        "{written}"
    );
    assert!(
        line_of("o-a1b2c3d4e5").contains("aws_iam_role.org"),
        "{written}"
    );
    // Trusted only with sts:ExternalId: proposed as a third party, not as one of the repository's own.
    let third = written
        .find("third_party_accounts:")
        .unwrap_or_else(|| panic!("{written}"));
    let vendor = written
        .find("464622532012")
        .unwrap_or_else(|| panic!("{written}"));
    assert!(vendor > third, "{written}");

    // Once reviewed (as written), the accounts are known: TL010 no longer fires for them.
    let cfg = if d.path().join("infra/.trustlint.yml").exists() {
        "infra/.trustlint.yml"
    } else {
        ".trustlint.yml"
    };
    let after = json(&trustlint(
        d.path(),
        &["scan", "--config", cfg, "--format", "json", "infra"],
    ));
    assert!(!after.iter().any(|f| f["rule_id"] == "TL010"), "{after:#?}");
}

/// `schema/trustlint.schema.json` accepts every configuration the project ships and what `init` writes,
/// and rejects what the configuration loader rejects.
#[test]
fn the_configuration_schema_matches_the_loader() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema_text = std::fs::read_to_string(root.join("schema/trustlint.schema.json"))
        .unwrap_or_else(|e| panic!("schema: {e}"));
    let schema: Value = serde_json::from_str(&schema_text).unwrap_or(Value::Null);
    let validator = jsonschema::draft7::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"));
    let as_json = |yaml: &str| -> Value {
        // The loader's own reading of the file, as JSON: what an editor validates.
        let cfg = trustlint::config::Config::parse(yaml, Path::new(".trustlint.yml"));
        assert!(cfg.is_ok(), "{cfg:?}");
        yaml_to_json(yaml)
    };

    let mut configs = vec![
        std::fs::read_to_string(root.join("examples/.trustlint.yml"))
            .unwrap_or_else(|e| panic!("examples/.trustlint.yml: {e}")),
    ];
    let o = trustlint(&root.join("examples"), &["init", "--stdout"]);
    configs.push(String::from_utf8_lossy(&o.stdout).into_owned());
    configs.push(
        "trusted_accounts: [\"111111111111\"]\norganization_ids: [o-a1b2c3d4e5]\nthird_party_accounts:\n  - { account: \"464622532012\", name: datadog }\nrequired_tags: [owner]\nexclude: [\"examples/**\"]\nrules:\n  TL013: { severity: error }\n  TL020: { allowed_service_sets: [[ecs-tasks.amazonaws.com, ec2.amazonaws.com]] }\n  TL050: { enabled: false }\n".into(),
    );
    for c in &configs {
        let v = as_json(c);
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{c}\n{errors:#?}");
    }

    for bad in [
        "trusted_acounts: [\"111111111111\"]\n",
        "trusted_accounts: [\"1111\"]\n",
        "rules:\n  TL013: { severity: fatal }\n",
        "rules:\n  TL013: { enabled: maybe }\n",
    ] {
        assert!(
            trustlint::config::Config::parse(bad, Path::new(".trustlint.yml")).is_err(),
            "the loader accepts {bad}"
        );
        assert!(
            !validator.is_valid(&yaml_to_json(bad)),
            "the schema accepts {bad}"
        );
    }
}

/// Plain YAML (what configurations use) as JSON, through saphyr.
fn yaml_to_json(text: &str) -> Value {
    use saphyr::{LoadableYamlNode, Scalar, Yaml};
    fn conv(y: &Yaml) -> Value {
        match y {
            Yaml::Value(Scalar::String(s)) => Value::String(s.to_string()),
            Yaml::Value(Scalar::Integer(i)) => Value::from(*i),
            Yaml::Value(Scalar::FloatingPoint(f)) => Value::from(f.into_inner()),
            Yaml::Value(Scalar::Boolean(b)) => Value::Bool(*b),
            Yaml::Value(Scalar::Null) => Value::Null,
            Yaml::Sequence(items) => Value::Array(items.iter().map(conv).collect()),
            Yaml::Mapping(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Yaml::Value(Scalar::String(s)) => s.to_string(),
                            other => format!("{other:?}"),
                        };
                        (key, conv(v))
                    })
                    .collect(),
            ),
            Yaml::Representation(s, _, _) => Value::String(s.to_string()),
            _ => Value::Null,
        }
    }
    let docs = Yaml::load_from_str(text).unwrap_or_default();
    docs.first().map(conv).unwrap_or(Value::Null)
}

#[test]
fn metadata_entries_lapse_need_a_reason_and_cover_sam_roles() {
    let d = tempdir();
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}"#;
    let template = format!(
        r#"{{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {{
    "Lapsed": {{
      "Type": "AWS::IAM::Role",
      "Metadata": {{ "trustlint": {{ "ignore": [ {{ "id": "TL011", "reason": "until the migration", "until": "2020-06-30" }} ] }} }},
      "Properties": {{ "AssumeRolePolicyDocument": {trust} }}
    }},
    "Reasonless": {{
      "Type": "AWS::IAM::Role",
      "Metadata": {{ "trustlint": {{ "ignore": [ {{ "id": "TL011" }} ] }} }},
      "Properties": {{ "AssumeRolePolicyDocument": {trust} }}
    }},
    "Several": {{
      "Type": "AWS::IAM::Role",
      "Metadata": {{ "trustlint": {{ "ignore": [ {{ "id": "TL011,TL010", "reason": "test account", "until": "2999-01-01" }} ] }} }},
      "Properties": {{ "AssumeRolePolicyDocument": {trust} }}
    }}
  }}
}}
"#
    );
    write(d.path(), "roles.json", &template);
    write(
        d.path(),
        "sam.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Metadata:
      trustlint:
        ignore:
          - id: TL020
            reason: one function, two triggers; reviewed
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              Service: [lambda.amazonaws.com, ec2.amazonaws.com]
"#,
    );
    let o = trustlint(d.path(), &["scan", "--format", "json"]);
    let findings = json(&o);
    let lapsed = by_resource(&findings, "TL011", "Lapsed");
    assert_eq!(lapsed.len(), 1, "{findings:#?}");
    assert_eq!(lapsed[0]["suppressed"], false);
    assert!(
        lapsed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("suppression expired on 2020-06-30: until the migration")),
        "{:#?}",
        lapsed[0]
    );
    let reasonless = by_resource(&findings, "TL011", "Reasonless");
    assert_eq!(reasonless.len(), 1, "{findings:#?}");
    assert_eq!(reasonless[0]["suppressed"], false);
    let complaints: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["rule_id"] == "TL900"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("TL011 of Reasonless has no reason"))
        })
        .collect();
    assert_eq!(complaints.len(), 1, "{findings:#?}");
    assert_eq!(complaints[0]["file"], "roles.json");
    assert_eq!(complaints[0]["start_line"], 11, "{:#?}", complaints[0]);
    let several = by_resource(&findings, "TL011", "Several");
    assert_eq!(several.len(), 1, "{findings:#?}");
    assert_eq!(several[0]["suppressed"], true);

    let sam: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "TL020")
        .collect();
    assert_eq!(sam.len(), 1, "{findings:#?}");
    assert_eq!(sam[0]["resource"], "WorkerRole");
    assert_eq!(sam[0]["suppressed"], true, "{:#?}", sam[0]);
}

#[test]
fn a_comment_above_a_resource_silences_it_in_its_own_module_only() {
    // The same address in two root modules, the account written in each module's tfvars: the finding sits
    // in the tfvars file, the comment above the role of one module only.
    let dir = tempdir();
    for (m, comment) in [
        (
            "a",
            "# trustlint:ignore TL010 vendor account, reviewed by security\n",
        ),
        ("b", ""),
    ] {
        write(
            dir.path(),
            &format!("{m}/main.tf"),
            &format!(
                "variable \"acct\" {{}}\n{comment}{}",
                role("r", "arn:aws:iam::${var.acct}:root")
            ),
        );
        write(
            dir.path(),
            &format!("{m}/terraform.tfvars"),
            "acct = \"999999999999\"\n",
        );
    }
    let o = trustlint(dir.path(), &["scan", ".", "--format", "json"]);
    let findings = json(&o);
    let tl010 = by_resource(&findings, "TL010", "aws_iam_role.r");
    let state: Vec<(&str, bool)> = tl010
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or(""),
                f["suppressed"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        state,
        [("a/terraform.tfvars", true), ("b/terraform.tfvars", false)],
        "{findings:#?}"
    );
}
