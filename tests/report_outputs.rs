//! Reports over a hand-built scan: SARIF, JSON and text snapshots, UTF-16 columns, SARIF schema validity.

use serde_json::{json, Value};
use trustlint::finding::{Finding, Related, Severity, Suppression, SuppressionKind};
use trustlint::model::Inventory;
use trustlint::report::sarif::SarifOptions;
use trustlint::report::text::TextOptions;
use trustlint::report::{json as json_report, sarif, text};
use trustlint::rules::RuleMeta;
use trustlint::source::{SourceMap, Span};
use trustlint::stats::{Kpis, Stats};
use trustlint::ScanOutput;

static TL001: RuleMeta = RuleMeta {
    id: "TL001",
    slug: "role-trusts-role",
    default_severity: Severity::Warning,
    short: "A role's trust policy admits another IAM role",
    page: "# TL001 role-trusts-role\n\nA trust statement allows another IAM role; that role\ncan only reach it by chaining.\n\n## Fix\n\nTrust the original principal.\n",
    security_severity: "5.0",
    tags: &["iam", "trust"],
};
static TL003: RuleMeta = RuleMeta {
    id: "TL003",
    slug: "role-chain",
    default_severity: Severity::Warning,
    short: "Roles can be chained",
    page: "# TL003 role-chain\n\nTwo or more assume-role hops.\n",
    security_severity: "4.0",
    tags: &["iam"],
};
static TL010: RuleMeta = RuleMeta {
    id: "TL010",
    slug: "untrusted-account",
    default_severity: Severity::Warning,
    short: "An account outside trusted_accounts is trusted",
    page: "# TL010 untrusted-account\n\nA principal's account is not listed.\n",
    security_severity: "6.5",
    tags: &["security", "iam"],
};
static TL013: RuleMeta = RuleMeta {
    id: "TL013",
    slug: "cross-account-root-trust",
    default_severity: Severity::Warning,
    short: "A whole other account is trusted",
    page: "# TL013 cross-account-root-trust\n\nAn account is trusted as a whole.\n",
    security_severity: "6.0",
    tags: &[],
};
static TL900: RuleMeta = RuleMeta {
    id: "TL900",
    slug: "parse-error",
    default_severity: Severity::Error,
    short: "A file cannot be parsed",
    page: "# TL900 parse-error\n\nA recognised file cannot be parsed.\n",
    security_severity: "3.0",
    tags: &["parse"],
};

fn catalogue() -> Vec<&'static RuleMeta> {
    vec![&TL001, &TL003, &TL010, &TL013, &TL900]
}

const MAIN_TF: &str = r#"# Rôle de déploiement 🚀
resource "aws_iam_role" "deploy" {
  name = "déploiement-😀-role"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = ["arn:aws:iam::${var.vendor}:root", aws_iam_role.ci.arn] }
    }]
  })
}

resource "aws_iam_role" "ci" {
  name = "ci"
}
"#;

const VARS_TF: &str = "variable \"vendor\" {\n  default = \"210987654321\"\n}\n";

const BROKEN_YAML: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: [\n";

fn span_of(sources: &SourceMap, file: usize, needle: &str) -> Span {
    let f = sources.all()[file].clone();
    let start = f
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", f.rel));
    f.span(start, start + needle.len())
}

/// Three files, five findings: a hop through a variable (other file), a same-file related location on a
/// line with non-ASCII text, a chain, a suppressed finding, and a zero-length parse error at a line end.
fn scan_output() -> ScanOutput {
    let sources = SourceMap::new();
    sources.add(
        "/work/project/iam/main.tf".into(),
        "iam/main.tf".into(),
        MAIN_TF.into(),
    );
    sources.add(
        "/work/project/iam/vars.tf".into(),
        "iam/vars.tf".into(),
        VARS_TF.into(),
    );
    sources.add(
        "/work/project/cfn/broken stack.yaml".into(),
        "cfn/broken stack.yaml".into(),
        BROKEN_YAML.into(),
    );
    let account = span_of(&sources, 1, "210987654321");
    let use_site = span_of(&sources, 0, "${var.vendor}");
    let ci_arn = span_of(&sources, 0, "aws_iam_role.ci.arn");
    let role_word = {
        let s = span_of(&sources, 0, "-role\"");
        Span::new(s.file, s.start as usize + 1, s.start as usize + 5)
    };
    let ci_decl = span_of(&sources, 0, "resource \"aws_iam_role\" \"ci\"");
    let deploy_decl = span_of(&sources, 0, "resource \"aws_iam_role\" \"deploy\"");
    let yaml_end = {
        let s = span_of(&sources, 2, "Properties: [");
        Span::new(s.file, s.end as usize, s.end as usize)
    };

    let tl010 = Finding::new(
        "TL010",
        Severity::Warning,
        "role \"déploiement-😀-role\" trusts account 210987654321, which is not in trusted_accounts",
        account,
        "aws_iam_role.deploy",
    )
    .key("210987654321")
    .related(use_site, "used here through var.vendor");
    let mut tl013 = Finding::new(
        "TL013",
        Severity::Warning,
        "role \"déploiement-😀-role\" trusts all of account 210987654321 without naming principals",
        account,
        "aws_iam_role.deploy",
    )
    .key("210987654321");
    tl013.suppression = Some(Suppression {
        kind: SuppressionKind::InSource,
        justification: "vendor account, reviewed 2026-01".into(),
    });
    let tl001 = Finding::new(
        "TL001",
        Severity::Warning,
        "role \"déploiement-😀-role\" trusts role \"ci\", which can only reach it by chaining",
        ci_arn,
        "aws_iam_role.deploy",
    )
    .key("aws_iam_role.ci")
    .related(role_word, "the trusting role")
    .related(ci_decl, "role \"ci\" is declared here");
    let mut tl003 = Finding::new(
        "TL003",
        Severity::Error,
        "roles \"ci\" → \"déploiement-😀-role\" form a chain",
        ci_arn,
        "aws_iam_role.deploy",
    )
    .key("ci>deploy");
    tl003.code_flow = vec![
        Related {
            span: ci_decl,
            message: "role \"ci\" is assumed first".into(),
        },
        Related {
            span: ci_arn,
            message: "\"ci\" assumes \"déploiement-😀-role\"".into(),
        },
        Related {
            span: deploy_decl,
            message: String::new(),
        },
    ];
    let tl900 = Finding::new(
        "TL900",
        Severity::Error,
        "cfn/broken stack.yaml is not valid YAML: unexpected end of flow sequence",
        yaml_end,
        "",
    );
    let mut findings = vec![tl010, tl013, tl001, tl003, tl900];
    trustlint::sort_findings(&mut findings, &sources);
    ScanOutput {
        sources,
        inventory: Inventory::default(),
        findings,
        stats: Stats {
            files: 3,
            roles: 2,
            trust_documents: 1,
            unresolved_values: 0,
            duration_ms: 1234,
            kpis: Kpis {
                roles_trusting_roles: 1,
                roles_trusting_unlisted_accounts: 1,
                ..Kpis::default()
            },
        },
    }
}

fn sarif_value(out: &ScanOutput) -> Value {
    sarif::to_value(
        out,
        &catalogue(),
        &SarifOptions {
            root: Some("/work/project".into()),
        },
    )
}

/// The one varying field (and the tool version, which changes with releases), replaced for snapshots.
fn redact_duration(v: &mut Value) {
    if let Some(driver) = v
        .pointer_mut("/runs/0/tool/driver")
        .and_then(Value::as_object_mut)
    {
        driver.insert("version".into(), json!("[version]"));
        driver.insert("semanticVersion".into(), json!("[version]"));
    }
    if let Some(stats) = v
        .pointer_mut("/runs/0/properties/stats")
        .and_then(Value::as_object_mut)
    {
        stats.insert("duration_ms".into(), json!("[duration]"));
    }
}

fn result_for<'a>(v: &'a Value, rule: &str) -> &'a Value {
    v["runs"][0]["results"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["ruleId"] == rule))
        .unwrap_or_else(|| panic!("no {rule} result"))
}

#[test]
fn sarif_snapshot() {
    let out = scan_output();
    let mut v = sarif_value(&out);
    redact_duration(&mut v);
    insta::assert_json_snapshot!("sarif", v);
}

#[test]
fn sarif_regions_count_utf16_code_units_with_exclusive_ends() {
    let out = scan_output();
    let v = sarif_value(&out);
    // `role` after `  name = "déploiement-😀-` on line 3: 24 characters before it, 25 UTF-16 units (the emoji
    // is a surrogate pair).
    let tl001 = result_for(&v, "TL001");
    let related = &tl001["relatedLocations"];
    let trusting = related
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|l| l["message"]["text"] == "the trusting role")
        })
        .unwrap_or_else(|| panic!("no related location: {related}"));
    let region = &trusting["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 26);
    assert_eq!(region["endColumn"], 30);
    // The same span in JSON counts characters.
    let line = MAIN_TF.lines().nth(2).unwrap_or("");
    let chars_before = line[..line.find("role\"").unwrap_or(0)].chars().count() as u64;
    assert_eq!(chars_before + 1, 25);

    // The account ID in vars.tf, reached through a variable: the use site is a related location.
    let tl010 = result_for(&v, "TL010");
    let loc = &tl010["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "iam/vars.tf");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        loc["region"],
        json!({"startLine": 2, "startColumn": 14, "endLine": 2, "endColumn": 26})
    );
    assert_eq!(tl010["relatedLocations"][0]["id"], 1);
    assert_eq!(
        tl010["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "iam/main.tf"
    );
    // Zero-length span at the end of a line: still one column wide, and the path is percent-encoded.
    let tl900 = result_for(&v, "TL900");
    let loc = &tl900["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "cfn/broken%20stack.yaml");
    assert_eq!(
        loc["region"],
        json!({"startLine": 4, "startColumn": 18, "endLine": 4, "endColumn": 19})
    );
}

#[test]
fn sarif_run_has_rules_stats_fingerprints_suppressions_and_flows() {
    let out = scan_output();
    let v = sarif_value(&out);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/project/"
    );
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), 5);
    assert_eq!(rules[0]["id"], "TL001");
    assert_eq!(rules[0]["name"], "role-trusts-role");
    assert_eq!(
        rules[0]["fullDescription"]["text"],
        "A trust statement allows another IAM role; that role can only reach it by chaining."
    );
    assert_eq!(rules[0]["help"]["markdown"], TL001.page);
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
    assert_eq!(rules[0]["properties"]["security-severity"], "5.0");
    assert_eq!(
        rules[0]["properties"]["tags"],
        json!(["security", "iam", "trust"])
    );
    assert_eq!(rules[2]["properties"]["tags"], json!(["security", "iam"]));

    for r in run["results"].as_array().cloned().unwrap_or_default() {
        let idx = r["ruleIndex"].as_u64().unwrap_or(999) as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["trustlint/v1"].is_string());
        assert!(r["partialFingerprints"]
            .get("primaryLocationLineHash")
            .is_none());
    }
    let tl013 = result_for(&v, "TL013");
    assert_eq!(
        tl013["suppressions"],
        json!([{"kind": "inSource", "justification": "vendor account, reviewed 2026-01"}])
    );
    assert!(result_for(&v, "TL010").get("suppressions").is_none());
    let flow = &result_for(&v, "TL003")["codeFlows"][0]["threadFlows"][0]["locations"];
    assert_eq!(flow.as_array().map(Vec::len), Some(3));
    assert_eq!(
        flow[0]["location"]["physicalLocation"]["region"]["startLine"],
        13
    );
    assert_eq!(
        flow[1]["location"]["message"]["text"],
        "\"ci\" assumes \"déploiement-😀-role\""
    );
    assert!(flow[2]["location"].get("message").is_none());
    assert_eq!(result_for(&v, "TL003")["level"], "error");
    assert_eq!(run["properties"]["stats"]["duration_ms"], 1234);
    assert_eq!(
        run["properties"]["stats"]["kpis"]["roles_trusting_roles"],
        1
    );
}

#[test]
fn sarif_fingerprints_survive_line_moves() {
    let a = scan_output();
    let fp = |out: &ScanOutput| {
        sarif_value(out)["runs"][0]["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| r["partialFingerprints"]["trustlint/v1"].clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let before = fp(&a);
    // Same findings, every span moved: fingerprints do not change.
    let mut b = scan_output();
    for f in &mut b.findings {
        f.primary.start += 3;
        f.primary.end += 3;
    }
    assert_eq!(before, fp(&b));
    let unique: std::collections::BTreeSet<String> = before.iter().map(|v| v.to_string()).collect();
    assert_eq!(unique.len(), before.len());
}

#[test]
fn sarif_is_deterministic() {
    let a = sarif::render_with(
        &scan_output(),
        &catalogue(),
        &SarifOptions {
            root: Some("/r".into()),
        },
    );
    let b = sarif::render_with(
        &scan_output(),
        &catalogue(),
        &SarifOptions {
            root: Some("/r".into()),
        },
    );
    assert_eq!(a, b);
    assert!(!a.contains("primaryLocationLineHash"));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-2.1.0.json");
    let Ok(schema_text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let schema: Value = serde_json::from_str(&schema_text).unwrap_or(Value::Null);
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    let out = scan_output();
    let v = sarif_value(&out);
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The empty run (no findings) is valid too.
    let empty = ScanOutput {
        sources: SourceMap::new(),
        inventory: Inventory::default(),
        findings: Vec::new(),
        stats: Stats::default(),
    };
    let v = sarif_value(&empty);
    assert!(validator.is_valid(&v));
    // And the validator is not a rubber stamp: a zero start column is rejected.
    let mut bad = sarif_value(&out);
    if let Some(r) =
        bad.pointer_mut("/runs/0/results/0/locations/0/physicalLocation/region/startColumn")
    {
        *r = json!(0);
    }
    assert!(!validator.is_valid(&bad));
}

#[test]
fn json_snapshot() {
    let out = scan_output();
    let text = json_report::render_with(&out, &catalogue());
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let first = &v[0];
    let keys: Vec<&str> = first
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    // serde_json's map is sorted unless preserve_order; check the order in the text instead.
    assert_eq!(keys.len(), 12);
    let order = [
        "rule_id",
        "slug",
        "severity",
        "message",
        "file",
        "start_line",
        "start_column",
        "end_line",
        "end_column",
        "resource",
        "fingerprint",
        "suppressed",
    ];
    let block = text.split('}').next().unwrap_or("");
    let positions: Vec<usize> = order
        .iter()
        .map(|k| block.find(&format!("\"{k}\"")).unwrap_or(usize::MAX))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{block}");
    insta::assert_snapshot!("json", text);
}

#[test]
fn json_columns_count_characters() {
    let out = scan_output();
    let v: Value =
        serde_json::from_str(&json_report::render_with(&out, &catalogue())).unwrap_or(Value::Null);
    let items = v.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 5);
    // Findings keep the scan's order: by file, then position.
    let files: Vec<&str> = items.iter().filter_map(|i| i["file"].as_str()).collect();
    assert_eq!(
        files,
        [
            "cfn/broken stack.yaml",
            "iam/main.tf",
            "iam/main.tf",
            "iam/vars.tf",
            "iam/vars.tf"
        ]
    );
    let tl900 = &items[0];
    assert_eq!(
        (
            tl900["start_line"].as_u64(),
            tl900["start_column"].as_u64(),
            tl900["end_column"].as_u64()
        ),
        (Some(4), Some(18), Some(19))
    );
    let suppressed: Vec<bool> = items
        .iter()
        .filter_map(|i| i["suppressed"].as_bool())
        .collect();
    assert_eq!(suppressed.iter().filter(|s| **s).count(), 1);
    assert_eq!(items[1]["slug"], "role-trusts-role");
}

#[test]
fn text_snapshot() {
    let out = scan_output();
    let s = text::render_with(
        &out,
        &catalogue(),
        &TextOptions {
            color: false,
            quiet: false,
            width: Some(100),
        },
    );
    assert!(!s.contains('\u{1b}'), "no ANSI escapes without colour");
    // The suppressed finding is not shown, but counted.
    assert!(!s.contains("TL013"));
    assert!(s.contains("(1 suppressed)"));
    assert!(s.contains("warning[TL010 untrusted-account]"));
    assert!(
        s.contains("related: iam/main.tf:8:42 used here through var.vendor"),
        "{s}"
    );
    insta::assert_snapshot!("text", s);
}

#[test]
fn text_quiet_has_no_summary_and_colour_adds_escapes() {
    let out = scan_output();
    let quiet = text::render_with(
        &out,
        &catalogue(),
        &TextOptions {
            color: false,
            quiet: true,
            width: Some(100),
        },
    );
    assert!(quiet.contains("error[TL900 parse-error]"));
    assert!(!quiet.contains("roles trusting roles"));
    let colored = text::render_with(
        &out,
        &catalogue(),
        &TextOptions {
            color: true,
            quiet: false,
            width: Some(100),
        },
    );
    assert!(colored.contains('\u{1b}'));
    // Never hyperlinks.
    assert!(!colored.contains("\u{1b}]8;"));
}
