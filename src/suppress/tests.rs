use super::*;
use crate::source::SourceMap;

fn finding_at(file: &SourceFile, needle: &str, rule: &'static str) -> Finding {
    let s = file.text.find(needle).unwrap();
    Finding::new(
        rule,
        Severity::Warning,
        "m",
        file.span(s, s + needle.len()),
        "r",
    )
}

#[test]
fn comment_above_hcl_block_covers_the_block() {
    let map = SourceMap::new();
    let text = "# trustlint:ignore TL013,TL010 vendor account reviewed\nresource \"aws_iam_role\" \"x\" {\n  assume_role_policy = jsonencode({\n    Principal = { AWS = \"arn:aws:iam::210987654321:root\" }\n  })\n}\nresource \"aws_iam_role\" \"y\" {\n  a = \"210987654321\"\n}\n";
    let f = map.add("a.tf".into(), "a.tf".into(), text.into());
    let mut fs = vec![
        finding_at(&f, "arn:aws:iam::210987654321:root", "TL013"),
        finding_at(&f, "arn:aws:iam::210987654321:root", "TL012"),
        finding_at(&f, "\"210987654321\"", "TL013"),
    ];
    let extra = apply(&mut fs, &map, &Inventory::default(), None, (2026, 1, 1));
    assert!(extra.is_empty());
    assert_eq!(
        fs[0].suppression.as_ref().unwrap().justification,
        "vendor account reviewed"
    );
    assert!(fs[1].suppression.is_none(), "other rule");
    assert!(fs[2].suppression.is_none(), "other block");
}

#[test]
fn yaml_comment_covers_indented_node_and_expiry_lapses() {
    let map = SourceMap::new();
    let text = "Resources:\n  # trustlint:ignore TL011 until=2025-01-31 temporary\n  R:\n    Properties:\n      AWS: \"*\"\n  S:\n    AWS: \"*\" # trustlint:ignore TL011 sandbox only\n";
    let f = map.add("t.yaml".into(), "t.yaml".into(), text.into());
    let s1 = f.text.find("\"*\"").unwrap();
    let s2 = f.text.rfind("\"*\"").unwrap();
    let mut fs = vec![
        Finding::new("TL011", Severity::Error, "m", f.span(s1, s1 + 3), "R"),
        Finding::new("TL011", Severity::Error, "m", f.span(s2, s2 + 3), "S"),
    ];
    apply(&mut fs, &map, &Inventory::default(), None, (2026, 11, 25));
    assert!(fs[0].suppression.is_none());
    assert!(fs[0].message.contains("suppression expired on 2025-01-31"));
    assert_eq!(
        fs[1].suppression.as_ref().unwrap().justification,
        "sandbox only"
    );
    let mut fs2 = vec![Finding::new(
        "TL011",
        Severity::Error,
        "m",
        f.span(s1, s1 + 3),
        "R",
    )];
    apply(&mut fs2, &map, &Inventory::default(), None, (2024, 6, 1));
    assert!(fs2[0].suppression.is_some());
}

#[test]
fn comment_without_reason_is_reported_and_ignored() {
    let map = SourceMap::new();
    let text = "# trustlint:ignore TL013\nresource \"a\" \"b\" {}\n";
    let f = map.add("a.tf".into(), "a.tf".into(), text.into());
    let mut fs = vec![finding_at(&f, "resource", "TL013")];
    let extra = apply(&mut fs, &map, &Inventory::default(), None, (2026, 1, 1));
    assert!(fs[0].suppression.is_none());
    assert_eq!(extra.len(), 1);
    assert!(extra[0].message.contains("has no reason"));
}

#[test]
fn baseline_matches_fingerprints() {
    let map = SourceMap::new();
    let f = map.add("a.tf".into(), "a.tf".into(), "x = 1\n".into());
    let mut fs = vec![finding_at(&f, "x", "TL010").key("k")];
    let b = Baseline::from_findings(&fs);
    let b: Baseline = serde_json::from_str(&b.to_json()).unwrap();
    apply(&mut fs, &map, &Inventory::default(), Some(&b), (2026, 1, 1));
    assert_eq!(
        fs[0].suppression.as_ref().unwrap().kind,
        SuppressionKind::External
    );
}

#[test]
fn comment_above_the_resource_silences_a_finding_written_elsewhere() {
    use crate::model::{Decl, Frontend, Role};
    let map = SourceMap::new();
    let main = map.add(
            "m/main.tf".into(),
            "m/main.tf".into(),
            "# trustlint:ignore TL010 partner account, reviewed\nresource \"aws_iam_role\" \"r\" {\n}\n".into(),
        );
    let vars = map.add(
        "m/terraform.tfvars".into(),
        "m/terraform.tfvars".into(),
        "acct = \"210987654321\"\n".into(),
    );
    let start = main.text.find("resource").unwrap();
    let mut inv = Inventory::default();
    inv.roles.push(Role {
        decl: Decl {
            key: "m::aws_iam_role.r".into(),
            address: "aws_iam_role.r".into(),
            span: main.span(start, start + 30),
            frontend: Frontend::Terraform,
            guards: Vec::new(),
        },
        name: None,
        path: None,
        trust: None,
        max_session_duration: None,
        tags: None,
        inline_policies: Vec::new(),
        managed_policy_arns: Vec::new(),
        permissions_boundary: None,
        unknowns: Vec::new(),
    });
    let s = vars.text.find("2109").unwrap();
    let mut fs = vec![
        Finding::new(
            "TL010",
            Severity::Warning,
            "m",
            vars.span(s, s + 12),
            "aws_iam_role.r",
        ),
        Finding::new(
            "TL012",
            Severity::Error,
            "m",
            vars.span(s, s + 12),
            "aws_iam_role.r",
        ),
    ];
    apply(&mut fs, &map, &inv, None, (2026, 1, 1));
    assert!(fs[0].suppression.is_some());
    assert!(fs[1].suppression.is_none());
}

#[test]
fn civil_dates() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(20_417), (2025, 11, 25));
}
