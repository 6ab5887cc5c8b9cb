//! Plan fixtures against their `.tf` source (testdata/plan/): every rule fires on its plan form as it does
//! on the Terraform it was made from, and a scan holding both reports each finding once, at the `.tf` source,
//! with the plan location as a related location.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use trustlint::config::{Config, ThirdParty};
use trustlint::finding::Finding;
use trustlint::ScanOutput;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/plan")
        .join(rel)
}

fn config() -> Config {
    Config {
        trusted_accounts: vec!["444455556666".into()],
        third_party_accounts: vec![ThirdParty {
            account: "464622532012".into(),
            name: Some("datadog".into()),
        }],
        required_tags: vec!["owner".into()],
        ..Config::default()
    }
}

fn scan(path: &Path) -> ScanOutput {
    trustlint::scan_paths(&[path.to_path_buf()], &config()).expect("scan")
}

/// The Terraform source alone: plan files excluded.
fn scan_tf(path: &Path) -> ScanOutput {
    trustlint::scan(&trustlint::ScanOptions {
        paths: vec![path.to_path_buf()],
        config: config(),
        excludes: vec!["*.json".into()],
        ..Default::default()
    })
    .expect("scan")
}

/// What a finding says, independent of where: rule, resource, message.
fn said(out: &ScanOutput) -> BTreeSet<(String, String, String)> {
    out.findings
        .iter()
        .map(|f| (f.rule_id.to_string(), f.resource.clone(), f.message.clone()))
        .collect()
}

fn file_of(out: &ScanOutput, f: &Finding) -> String {
    out.sources.get(f.primary.file).rel.clone()
}

fn rule_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(fixture("rules"))
        .expect("testdata/plan/rules")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

/// Fixtures whose plan knows less than its source, on purpose: in TL901 the trust policy references a role
/// created in the same apply, so the plan only says "unknown until apply" (TL901 naming the reference) where the
/// `.tf` source knows it is that role (TL001).
const PLAN_KNOWS_LESS: &[&str] = &["TL901"];

#[test]
fn every_rule_fires_on_its_plan_form() {
    let dirs = rule_dirs();
    assert!(dirs.len() >= 15, "{dirs:?}");
    for d in &dirs {
        let out = scan(&fixture(&format!("rules/{d}/plan.json")));
        let rules: BTreeSet<&str> = out.findings.iter().map(|f| f.rule_id).collect();
        assert!(rules.contains(d.as_str()), "{d}: plan form gives {rules:?}");
        for f in &out.findings {
            assert!(file_of(&out, f).ends_with("plan.json"), "{d}: {f:?}");
        }
    }
}

#[test]
fn plan_findings_equal_tf_source_findings() {
    for d in rule_dirs() {
        if PLAN_KNOWS_LESS.contains(&d.as_str()) {
            continue;
        }
        let plan = said(&scan(&fixture(&format!("rules/{d}/plan.json"))));
        let tf = said(&scan(&fixture(&format!("rules/{d}/tf"))));
        assert_eq!(plan, tf, "{d}: plan and .tf findings differ");
    }
}

#[test]
fn plan_that_knows_less_names_the_reference() {
    let plan = scan(&fixture("rules/TL901/plan.json"));
    let tl901: Vec<&Finding> = plan
        .findings
        .iter()
        .filter(|f| f.rule_id == "TL901")
        .collect();
    assert_eq!(tl901.len(), 1, "{:?}", plan.findings);
    assert!(
        tl901[0].message.contains("aws_iam_role.ci.arn"),
        "{}",
        tl901[0].message
    );
    assert!(tl901[0].message.contains("known only after apply"));
    // The finding points at the reference in the plan's configuration section.
    let text = plan.sources.get(tl901[0].primary.file);
    assert_eq!(text.slice(tl901[0].primary), "aws_iam_role.ci.arn");
    // With the source, the .tf knows better: TL001 on the reference, no TL901.
    let both = scan(&fixture("rules/TL901"));
    let rules: Vec<&str> = both.findings.iter().map(|f| f.rule_id).collect();
    assert!(
        rules.contains(&"TL001") && !rules.contains(&"TL901"),
        "{rules:?}"
    );
}

/// Every finding of a scan holding both the plan and its source is the `.tf` source's, once, in a `.tf`
/// file; findings about who is trusted carry the plan location as a related location.
fn assert_once_at_tf(dir: &str) {
    let both = scan(&fixture(dir));
    let tf = scan_tf(&fixture(dir));
    assert_eq!(tf.inventory.files, tf.sources.len().min(tf.inventory.files));
    let tf_alone: Vec<(String, String, String)> = said(&tf).into_iter().collect();
    let mut seen = BTreeSet::new();
    for f in &both.findings {
        let key = (f.rule_id, f.resource.clone(), f.message.clone());
        assert!(seen.insert(key), "{dir}: reported twice: {f:?}");
        let file = file_of(&both, f);
        assert!(file.ends_with(".tf"), "{dir}: {} at {file}", f.rule_id);
        // Rules about who is trusted point at a value (SPEC §1.2), which carries the plan location as a hop;
        // role-level and element-level findings point at the .tf declaration or element.
        let about_value = matches!(
            f.rule_id,
            "TL001" | "TL010" | "TL011" | "TL012" | "TL013" | "TL020" | "TL021"
        );
        if about_value {
            assert!(
                f.related
                    .iter()
                    .any(|r| both.sources.get(r.span.file).rel.ends_with("plan.json")),
                "{dir}: {} has no plan location: {:?}",
                f.rule_id,
                f.related
            );
        }
    }
    assert_eq!(
        said(&both).into_iter().collect::<Vec<_>>(),
        tf_alone,
        "{dir}: merged findings differ from the .tf source's"
    );
    assert_eq!(
        both.inventory.roles.len(),
        tf.inventory.roles.len(),
        "{dir}: roles"
    );
}

#[test]
fn plan_and_source_together_report_each_finding_once_at_tf() {
    for d in rule_dirs() {
        if PLAN_KNOWS_LESS.contains(&d.as_str()) {
            continue;
        }
        assert_once_at_tf(&format!("rules/{d}"));
    }
    assert_once_at_tf("modules");
}

#[test]
fn one_directory_with_main_tf_and_plan_json_gives_each_finding_once_at_main_tf() {
    let both = scan(&fixture("same_dir"));
    let plan = scan(&fixture("same_dir/plan.json"));
    assert_eq!(both.inventory.roles.len(), 3);
    assert_eq!(said(&both), said(&plan), "same findings, other place");
    for f in &both.findings {
        assert_eq!(file_of(&both, f), "testdata/plan/same_dir/main.tf", "{f:?}");
    }
    // The account is reported where it is written: the variable default, with the plan as a related location.
    let tl010 = both
        .findings
        .iter()
        .find(|f| f.rule_id == "TL010")
        .expect("TL010");
    let main = both.sources.get(tl010.primary.file);
    assert_eq!(main.slice(tl010.primary), "999988887777");
    assert_eq!(main.position(tl010.primary.start).line, 11);
    let related: Vec<String> = tl010
        .related
        .iter()
        .map(|r| both.sources.get(r.span.file).rel.clone())
        .collect();
    assert_eq!(
        related.last().map(String::as_str),
        Some("testdata/plan/same_dir/plan.json"),
        "{related:?}"
    );
    // for_each instances of one resource: one finding per instance, each at the resource.
    let tl020: Vec<&Finding> = both
        .findings
        .iter()
        .filter(|f| f.rule_id == "TL020")
        .collect();
    assert_eq!(tl020.len(), 2);
    assert_eq!(main.slice(tl020[0].primary), "lambda.amazonaws.com");
}

#[test]
fn stats_count_each_role_once() {
    let both = scan(&fixture("same_dir"));
    assert_eq!(both.stats.roles, 3);
    let plan_only = scan(&fixture("same_dir/plan.json"));
    assert_eq!(plan_only.stats.roles, 3);
}

#[test]
fn truncated_plan_is_a_parse_error_not_a_crash() {
    let out = scan(&fixture("truncated/plan.json"));
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    let f = &out.findings[0];
    assert_eq!(f.rule_id, "TL900");
    assert!(f.message.contains("invalid plan JSON"), "{}", f.message);
    let file = out.sources.get(f.primary.file);
    // At the end of the text, where the reader ran out.
    assert!(f.primary.start as usize >= file.text.trim_end().len() - 1);
}

#[test]
fn a_value_only_the_plan_knows_is_reported_at_the_tf_expression_that_received_it() {
    // The source alone: the account is a variable without a value.
    let tf = scan_tf(&fixture("plan_time_variable"));
    let rules: BTreeSet<&str> = tf.findings.iter().map(|f| f.rule_id).collect();
    assert!(
        rules.contains("TL901") && !rules.contains("TL010"),
        "{rules:?}"
    );
    // With the plan: the plan's value, judged, at the interpolation in main.tf; the plan as related.
    let both = scan(&fixture("plan_time_variable"));
    let rules: BTreeSet<&str> = both.findings.iter().map(|f| f.rule_id).collect();
    assert!(
        rules.contains("TL010") && !rules.contains("TL901"),
        "{rules:?}"
    );
    let f = both.findings.iter().find(|f| f.rule_id == "TL010").unwrap();
    assert!(f.message.contains("999988887777"), "{}", f.message);
    let main = both.sources.get(f.primary.file);
    assert_eq!(main.rel, "testdata/plan/plan_time_variable/main.tf");
    assert!(
        main.slice(f.primary).contains("var.partner_account"),
        "{:?}",
        main.slice(f.primary)
    );
    let plan_related = f
        .related
        .iter()
        .find(|r| both.sources.get(r.span.file).rel.ends_with("plan.json"))
        .expect("plan location");
    assert_eq!(
        both.sources
            .get(plan_related.span.file)
            .slice(plan_related.span),
        "999988887777"
    );
}
