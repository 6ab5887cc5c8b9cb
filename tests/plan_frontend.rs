//! The plan front end on its own: what it reads, where its spans point, what stays unknown.

use std::path::Path;
use std::sync::Arc;
use trustlint::model::{AttachTarget, Diagnostic, Frontend, Inventory};
use trustlint::plan;
use trustlint::policy::{AccountRef, Principal, PrincipalType};
use trustlint::source::{SourceFile, SourceMap};
use trustlint::value::{Origin, Sym};

fn load(rel: &str) -> (SourceMap, Arc<SourceFile>, Inventory) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/plan")
        .join(rel);
    let text = std::fs::read_to_string(&path).expect("fixture");
    from_text(rel, text)
}

fn from_text(rel: &str, text: String) -> (SourceMap, Arc<SourceFile>, Inventory) {
    let sources = SourceMap::new();
    let f = sources.add(rel.into(), rel.into(), text);
    let inv = plan::analyze_source(&f);
    (sources, f, inv)
}

#[test]
fn recognises_plans_only() {
    let (_, f, _) = load("rules/TL011/plan.json");
    assert!(plan::looks_like_plan(&f.text));
    assert!(plan::looks_like_plan(
        "\u{feff} {\"format_version\":\"1.0\",\"resource_changes\":[]}"
    ));
    assert!(!plan::looks_like_plan(
        r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{}}"#
    ));
    // State files have format_version but neither section.
    assert!(!plan::looks_like_plan(
        r#"{"format_version":"1.0","values":{"root_module":{}}}"#
    ));
}

#[test]
fn a_role_in_planned_values_and_resource_changes_is_one_role_declared_at_its_change() {
    let (_, f, inv) = load("rules/TL011/plan.json");
    assert_eq!(inv.roles.len(), 1);
    let r = &inv.roles[0];
    assert_eq!(r.decl.address, "aws_iam_role.open");
    assert_eq!(r.decl.key, "rules/TL011/plan.json::aws_iam_role.open");
    assert_eq!(r.decl.frontend, Frontend::Plan);
    assert_eq!(f.slice(r.decl.span), "aws_iam_role.open");
    assert!(r.decl.span.start as usize > f.text.find("\"resource_changes\"").unwrap());
    assert_eq!(inv.files, 1);
}

#[test]
fn policy_strings_map_spans_through_both_levels_of_escapes() {
    let (_, f, inv) = load("rules/TL010/plan.json");
    let doc = &inv.roles[0].trust.as_ref().expect("trust").doc;
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let st = &doc.statements[0];
    let entry = &st.principals.as_ref().expect("principals").entries[0];
    assert_eq!(entry.kind, PrincipalType::Aws);
    assert_eq!(entry.value.text, "arn:aws:iam::999988887777:root");
    // The principal is written without escapes inside the escaped policy string: exact spans.
    assert_eq!(
        f.slice(entry.value.span().unwrap()),
        "arn:aws:iam::999988887777:root"
    );
    let acct = entry.value.text.find("9999").unwrap();
    assert_eq!(
        f.slice(entry.value.span_of(acct, acct + 12).unwrap()),
        "999988887777"
    );
    // `vendor<ext>&1`: Terraform escapes <, > and & as \u003c…, which the plan escapes again.
    let cond = &st.conditions[0];
    assert_eq!(cond.key.text, "sts:ExternalId");
    let v = &cond.values[0].value;
    assert_eq!(v.text, "vendor<ext>&1");
    assert_eq!(
        f.slice(v.span().unwrap()),
        r"vendor\\u003cext\\u003e\\u00261"
    );
    // Characters around the escapes keep exact sub-spans.
    assert_eq!(f.slice(v.span_of(0, 6).unwrap()), "vendor");
    assert_eq!(f.slice(v.span_of(6, 7).unwrap()), r"\\u003c");
}

#[test]
fn the_callers_account_becomes_this_account_where_its_digits_are() {
    let (_, f, inv) = load("rules/TL001/plan.json");
    let doc = &inv.roles[0].trust.as_ref().unwrap().doc;
    let entry = &doc.statements[0].principals.as_ref().unwrap().entries[0];
    match &entry.principal {
        Principal::Role { account, name, .. } => {
            assert_eq!(account, &AccountRef::This);
            assert_eq!(name, "ci");
        }
        p => panic!("{p:?}"),
    }
    let sym = entry
        .value
        .parts
        .iter()
        .find_map(|p| match &p.origin {
            Origin::Sym(Sym::ThisAccount, span) => *span,
            _ => None,
        })
        .expect("this account");
    assert_eq!(f.slice(sym), "111122223333");
}

#[test]
fn unknown_trust_names_the_reference_and_points_at_it() {
    let (_, f, inv) = load("rules/TL901/plan.json");
    let deploy = inv
        .roles
        .iter()
        .find(|r| r.decl.address == "aws_iam_role.deploy")
        .unwrap();
    let doc = &deploy.trust.as_ref().unwrap().doc;
    assert!(doc.statements.is_empty());
    assert_eq!(doc.unknowns.len(), 1);
    let u = &doc.unknowns[0];
    assert_eq!(u.expr, "aws_iam_role.ci.arn");
    assert_eq!(u.why, "known only after apply");
    let span = u.span.unwrap();
    assert_eq!(f.slice(span), "aws_iam_role.ci.arn");
    assert!(span.start as usize > f.text.find("\"configuration\"").unwrap());
}

#[test]
fn a_data_source_read_during_apply_is_rebuilt_from_its_planned_statements() {
    let (_, f, inv) = load("deferred_data_source/plan.json");
    assert_eq!(inv.roles.len(), 1);
    assert!(
        inv.standalone_trusts.is_empty(),
        "the role uses the document"
    );
    let doc = &inv.roles[0].trust.as_ref().unwrap().doc;
    assert_eq!(doc.statements.len(), 1, "{doc:?}");
    let st = &doc.statements[0];
    assert_eq!(st.actions[0].value.text, "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        f.slice(st.actions[0].value.span().unwrap()),
        "sts:AssumeRoleWithWebIdentity"
    );
    // The provider's ARN is unknown in the plan, but it is that provider.
    let entry = &st.principals.as_ref().unwrap().entries[0];
    assert_eq!(entry.kind, PrincipalType::Federated);
    assert_eq!(
        entry.value.as_sym(),
        Some(&Sym::Attr {
            resource: "deferred_data_source/plan.json::aws_iam_openid_connect_provider.eks".into(),
            attr: "arn".into()
        })
    );
    assert!(
        matches!(entry.principal, Principal::ProviderRef { .. }),
        "{:?}",
        entry.principal
    );
    // The condition key is built from the provider's URL: unknown, named.
    let c = &st.conditions[0];
    let u = c.key.unknowns().next().expect("unknown key");
    assert_eq!(u.expr, "aws_iam_openid_connect_provider.eks.url");
    assert_eq!(
        c.values[0].value.text,
        "system:serviceaccount:kube-system:aws-node"
    );
    // The role's attribute that received the document is a hop of its strings.
    let hops = entry.value.hops_of(0, entry.value.text.len());
    assert!(
        hops.iter()
            .any(|h| f.slice(*h) == "data.aws_iam_policy_document.irsa.json"),
        "{hops:?}"
    );
    // The provider itself: its URL is unknown too, reported outside the document.
    assert_eq!(inv.oidc_providers.len(), 1);
    assert!(inv.diagnostics.iter().any(|d| matches!(d,
        Diagnostic::Unresolved { unknown, .. } if unknown.expr == "aws_eks_cluster.main.identity[0].oidc[0].issuer")));
}

#[test]
fn module_instances_keep_their_addresses() {
    let (_, f, inv) = load("modules/plan.json");
    let addrs: Vec<&str> = inv.roles.iter().map(|r| r.decl.address.as_str()).collect();
    assert_eq!(
        addrs,
        vec![
            r#"module.role["ci"].aws_iam_role.this"#,
            r#"module.role["ops"].aws_iam_role.this"#
        ]
    );
    // The address string is escaped in the file.
    assert_eq!(
        f.slice(inv.roles[0].decl.span),
        r#"module.role[\"ci\"].aws_iam_role.this"#
    );
}

/// A small plan written inline, with IAM resources around a role.
const IDENTITY_PLAN: &str = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
 {"address":"aws_iam_role.app","mode":"managed","type":"aws_iam_role","name":"app","values":{"name":"app","path":"/svc/","assume_role_policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}]}","max_session_duration":7200,"tags":{"owner":"a"},"tags_all":{"owner":"a","env":"prod"}}},
 {"address":"aws_iam_role_policy.app","mode":"managed","type":"aws_iam_role_policy","name":"app","values":{"name":"p","role":"app","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}},
 {"address":"aws_iam_role_policy_attachment.app","mode":"managed","type":"aws_iam_role_policy_attachment","name":"app","values":{"role":"app"}},
 {"address":"aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"name":"p","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}"}},
 {"address":"aws_iam_user.alice","mode":"managed","type":"aws_iam_user","name":"alice","values":{"name":"alice","path":"/"}},
 {"address":"aws_iam_user_group_membership.alice","mode":"managed","type":"aws_iam_user_group_membership","name":"alice","values":{"user":"alice","groups":["devs"]}},
 {"address":"aws_iam_instance_profile.app","mode":"managed","type":"aws_iam_instance_profile","name":"app","values":{"role":"app"}},
 {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"b"}}
]}},
"resource_changes":[{"address":"aws_iam_role_policy_attachment.app","mode":"managed","type":"aws_iam_role_policy_attachment","name":"app","change":{"actions":["create"],"after":{"role":"app"},"after_unknown":{"id":true,"policy_arn":true}}}],
"configuration":{"root_module":{"resources":[
 {"address":"aws_iam_role_policy_attachment.app","mode":"managed","type":"aws_iam_role_policy_attachment","name":"app","expressions":{"role":{"references":["aws_iam_role.app.name","aws_iam_role.app"]},"policy_arn":{"references":["aws_iam_policy.p.arn","aws_iam_policy.p"]}}}
]}}}"#;

#[test]
fn identity_side_resources_become_the_model() {
    let (_, f, inv) = from_text("dir/plan.json", IDENTITY_PLAN.to_string());
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let role = &inv.roles[0];
    assert_eq!(role.path.as_ref().unwrap().text, "/svc/");
    let (v, span) = role.max_session_duration.as_ref().unwrap();
    assert_eq!(v.as_str().unwrap().text, "7200");
    assert_eq!(f.slice(*span), "\"max_session_duration\":7200");
    // Effective tags (default tags included), with the span of what the resource sets.
    let tags = role.tags.as_ref().unwrap();
    let keys: Vec<&str> = tags.keys.iter().map(|k| k.text.as_str()).collect();
    assert_eq!(keys, vec!["owner", "env"]);
    assert!(tags.complete);
    assert_eq!(f.slice(tags.span.unwrap()), "\"tags\":{\"owner\":\"a\"}");
    // aws_iam_role_policy joins its role.
    assert_eq!(role.inline_policies.len(), 1);
    assert_eq!(
        role.inline_policies[0].decl.address,
        "aws_iam_role_policy.app"
    );
    // The attachment's policy ARN is unknown in the plan, but it is that policy.
    let a = &inv.attachments[0];
    assert_eq!(
        a.policy_arn.as_sym(),
        Some(&Sym::PolicyArn("dir/plan.json::aws_iam_policy.p".into()))
    );
    assert!(matches!(&a.target, AttachTarget::Role(s) if s.text == "app"));
    assert_eq!(inv.policies.len(), 1);
    assert_eq!(inv.users[0].groups[0].text, "devs");
    assert_eq!(inv.instance_profiles[0].role.text, "app");
}

#[test]
fn bad_input_is_a_diagnostic_never_a_panic() {
    let cases = [
        "{\"format_version\":\"1.2\",\"planned_values\":",
        "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"not an address\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"values\":{}}]}}}",
        "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"aws_iam_role.r\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"values\":{\"assume_role_policy\":\"{not json\"}}]}}}",
        "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"aws_iam_role.r\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"values\":{\"assume_role_policy\":42}}]}}}",
        "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"aws_iam_role.r\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"values\":{\"assume_role_policy\":\"{\\\"Statement\\\":[\\\"\\\\ud800\\\"]}\"}}]}}}",
        "[1,2,3]",
        "{\"format_version\":\"1.2\",\"resource_changes\":[{\"address\":\"aws_iam_role.r\",\"type\":\"aws_iam_role\",\"change\":{\"after\":{\"name\":null},\"after_unknown\":{\"assume_role_policy\":true}}}]}",
    ];
    for (i, text) in cases.iter().enumerate() {
        let (_, _, inv) = from_text("x.json", text.to_string());
        let problems = inv.diagnostics.len()
            + inv
                .roles
                .iter()
                .filter_map(|r| r.trust.as_ref())
                .map(|t| t.doc.problems.len() + t.doc.unknowns.len())
                .sum::<usize>();
        assert!(
            problems > 0 || i == 4,
            "case {i}: nothing reported: {inv:?}"
        );
    }
    // Deep nesting anywhere: no stack overflow; the reader's limit makes it a parse error where it matters.
    let deep = format!(
        "{{\"format_version\":\"1\",\"planned_values\":{{\"root_module\":{{\"resources\":[{{\"address\":\"aws_iam_role.r\",\"type\":\"aws_iam_role\",\"values\":{}{}}}]}}}}}}",
        "{\"a\":".repeat(100_000),
        "1".to_string() + &"}".repeat(100_000)
    );
    let (_, _, inv) = from_text("deep.json", deep);
    assert!(
        matches!(inv.diagnostics.first(), Some(Diagnostic::ParseError { resource: Some(r), .. }) if r == "aws_iam_role.r"),
        "{:?}",
        inv.diagnostics
    );
    let deep_policy = format!(
        "{{\"format_version\":\"1\",\"planned_values\":{{\"root_module\":{{\"resources\":[{{\"address\":\"aws_iam_role.r\",\"type\":\"aws_iam_role\",\"values\":{{\"assume_role_policy\":\"{}\"}}}}]}}}}}}",
        "[".repeat(100_000)
    );
    let (_, _, inv) = from_text("deep.json", deep_policy);
    assert_eq!(inv.roles[0].trust.as_ref().unwrap().doc.problems.len(), 1);
}

#[test]
fn an_unused_trust_document_is_analysed_on_its_own() {
    let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[]}},
"prior_state":{"values":{"root_module":{"resources":[
 {"address":"data.aws_iam_policy_document.trust","mode":"data","type":"aws_iam_policy_document","name":"trust","values":{"json":"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"AWS\": \"*\"}}]\n}"}},
 {"address":"data.aws_iam_policy_document.identity","mode":"data","type":"aws_iam_policy_document","name":"identity","values":{"json":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}}
]}}}}"#;
    let (_, f, inv) = from_text("lib/plan.json", text.to_string());
    assert_eq!(inv.standalone_trusts.len(), 1, "{inv:?}");
    let s = &inv.standalone_trusts[0];
    assert_eq!(s.decl.address, "data.aws_iam_policy_document.trust");
    let e = &s.doc.statements[0].principals.as_ref().unwrap().entries[0];
    assert_eq!(e.principal, Principal::Wildcard);
    assert_eq!(f.slice(e.value.span().unwrap()), "*");
}
