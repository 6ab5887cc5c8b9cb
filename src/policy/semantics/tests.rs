use super::*;
use crate::policy::build::document_from_value;
use crate::policy::json::{parse, RawMap};
use crate::source::FileId;

const GH: &str = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
const GH_HOST: &str = "token.actions.githubusercontent.com";
const EKS: &str = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const EKS_HOST: &str = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

fn doc(text: &str) -> PolicyDocument {
    let v = parse(
        text,
        &RawMap {
            file: FileId(0),
            base: 0,
        },
    )
    .unwrap();
    let d = document_from_value(&v);
    assert!(d.problems.is_empty(), "{text}: {:?}", d.problems);
    d
}

/// A one-statement trust document: principal JSON, action JSON, condition JSON.
fn trust(principal: &str, action: &str, condition: &str) -> PolicyDocument {
    let cond = if condition.is_empty() {
        String::new()
    } else {
        format!(", \"Condition\": {condition}")
    };
    doc(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal}, "Action": {action}{cond}}}]}}"#
    ))
}

fn wildcard(condition: &str) -> PolicyDocument {
    trust(r#"{"AWS": "*"}"#, r#""sts:AssumeRole""#, condition)
}

fn gh(action: &str, condition: &str) -> PolicyDocument {
    trust(&format!(r#"{{"Federated": "{GH}"}}"#), action, condition)
}

const WI: &str = r#""sts:AssumeRoleWithWebIdentity""#;

#[test]
fn wildcard_pins_follow_must_hold_semantics() {
    // (case, condition, pins known callers?)
    let table = [
        ("WC-01", "", false),
        (
            "WC-04",
            r#"{"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}"#,
            true,
        ),
        (
            "WC-05",
            r#"{"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg1"}}"#,
            false,
        ),
        (
            "WC-06",
            r#"{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}"#,
            true,
        ),
        (
            "WC-07",
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Deploy"}}"#,
            false,
        ),
        (
            "WC-08",
            r#"{"StringEquals": {"sts:ExternalId": "abc123"}}"#,
            false,
        ),
        (
            "WC-09",
            r#"{"StringNotEquals": {"aws:PrincipalAccount": "222222222222"}}"#,
            false,
        ),
        (
            "WC-10",
            r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            false,
        ),
        (
            "WC-11",
            r#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-exampleorg1/r-ab12/ou-ab12-11111111/*"}}"#,
            true,
        ),
        (
            "WC-12",
            r#"{"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-exampleorg1/*"}}"#,
            false,
        ),
        (
            "WC-13",
            r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
            false,
        ),
        (
            "ArnLike own account",
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ci/*"}}"#,
            true,
        ),
        (
            "StringLike spanning colons",
            r#"{"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}"#,
            false,
        ),
        (
            "StringLike account prefix",
            r#"{"StringLike": {"aws:PrincipalAccount": "1111*"}}"#,
            false,
        ),
        (
            "org ID pattern",
            r#"{"StringLike": {"aws:PrincipalOrgID": "o-*"}}"#,
            false,
        ),
        (
            "org path wildcard org",
            r#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/r-1/*"}}"#,
            false,
        ),
        (
            "one broad value opens the key",
            r#"{"StringLike": {"aws:PrincipalAccount": ["111111111111", "*"]}}"#,
            false,
        ),
        (
            "StringEquals star is literal",
            r#"{"StringEquals": {"aws:PrincipalAccount": "*"}}"#,
            true,
        ),
        (
            "key case-insensitive",
            r#"{"StringEquals": {"AWS:principalorgid": "o-exampleorg1"}}"#,
            true,
        ),
        (
            "NullIfExists",
            r#"{"Null": {"aws:PrincipalOrgID": "false"}}"#,
            false,
        ),
        (
            "SourceOrgID",
            r#"{"StringEquals": {"aws:SourceOrgID": "o-exampleorg1"}}"#,
            true,
        ),
        (
            "S3 SourceArn",
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}}"#,
            true,
        ),
        (
            "S3 SourceArn wildcard",
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}"#,
            false,
        ),
    ];
    for (case, cond, want) in table {
        let d = wildcard(cond);
        assert_eq!(
            caller_pins(&d.statements[0]).pins_known_callers(),
            want,
            "{case}: {cond}"
        );
    }
}

#[test]
fn pins_sort_values_by_key() {
    let d = wildcard(
        r#"{"StringEquals": {"aws:PrincipalOrgID": "o-1", "aws:SourceAccount": "111111111111", "aws:PrincipalAccount": "222222222222"},
                "ArnLike": {"aws:SourceArn": "arn:aws:ssm-incidents:*:111111111111:incident-record/myresponseplan/*"},
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-1/r-1/*"]}}"#,
    );
    let p = caller_pins(&d.statements[0]);
    assert_eq!(p.org_ids.len(), 1);
    assert_eq!(p.accounts.len(), 2);
    assert_eq!(
        p.arns[0].value.text,
        "arn:aws:ssm-incidents:*:111111111111:incident-record/myresponseplan/*"
    );
    assert_eq!(p.org_paths.len(), 1);
    assert!(p.source_org_ids.is_empty());
}

#[test]
fn sv_02_03_confused_deputy_protection() {
    let svc = r#"{"Service": "ssm-incidents.amazonaws.com"}"#;
    let d = trust(svc, r#""sts:AssumeRole""#, "");
    assert!(!caller_pins(&d.statements[0]).pins_known_callers());
    let d = trust(
        svc,
        r#""sts:AssumeRole""#,
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:ssm-incidents:*:111111111111:incident-record/myresponseplan/*"}, "StringEquals": {"aws:SourceAccount": "111111111111"}}"#,
    );
    let p = caller_pins(&d.statements[0]);
    assert!(p.pins_known_callers());
    assert_eq!(p.arns.len(), 1);
    assert_eq!(p.accounts.len(), 1);
}

#[test]
fn external_id_and_principal_arn() {
    let table = [
        (r#"{"StringEquals": {"sts:ExternalId": "abc"}}"#, true),
        (r#"{"StringEquals": {"STS:EXTERNALID": "abc"}}"#, true),
        (r#"{"StringLike": {"sts:ExternalId": "abc-*"}}"#, true),
        (r#"{"StringLike": {"sts:ExternalId": "*"}}"#, false),
        (
            r#"{"StringEqualsIfExists": {"sts:ExternalId": "abc"}}"#,
            false,
        ),
        (r#"{"StringNotEquals": {"sts:ExternalId": "abc"}}"#, false),
        (
            r#"{"ForAllValues:StringEquals": {"sts:ExternalId": "abc"}}"#,
            false,
        ),
        (r#"{"Null": {"sts:ExternalId": "false"}}"#, false),
        ("", false),
    ];
    for (cond, want) in table {
        let d = trust(r#"{"AWS": "222222222222"}"#, r#""sts:AssumeRole""#, cond);
        assert_eq!(requires_external_id(&d.statements[0]), want, "{cond}");
    }
    // WC-14: the account delegates, the condition names principals.
    let d = trust(
        r#"{"AWS": "arn:aws:iam::111111111111:root"}"#,
        r#""sts:AssumeRole""#,
        r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ci/*"}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/x"}}"#,
    );
    let vals: Vec<&str> = principal_arn_values(&d.statements[0])
        .iter()
        .map(|i| i.value.text.as_str())
        .collect();
    assert_eq!(vals, vec!["arn:aws:iam::111111111111:role/ci/*"]);
}

fn verdict_name(v: &SubjectVerdict) -> &'static str {
    match v {
        SubjectVerdict::Missing => "missing",
        SubjectVerdict::TooBroad { .. } => "broad",
        SubjectVerdict::NeverMatches { .. } => "never",
        SubjectVerdict::Restricted => "ok",
        SubjectVerdict::Unresolved => "unresolved",
    }
}

#[test]
fn oidc_subject_verdicts() {
    let table = [
        (
            "OI-01",
            r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#,
            "missing",
        ),
        (
            "OI-02",
            r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#,
            "ok",
        ),
        (
            "OI-03",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org*"}}"#,
            "broad",
        ),
        (
            "OI-04",
            r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#,
            "never",
        ),
        (
            "star",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "*"}}"#,
            "broad",
        ),
        (
            "repo:*",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}"#,
            "broad",
        ),
        (
            "rep*",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "rep*"}}"#,
            "broad",
        ),
        (
            "leading wildcard",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "*:ref:refs/heads/main"}}"#,
            "broad",
        ),
        (
            "exact",
            r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}"#,
            "ok",
        ),
        (
            "branch wildcard",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}"#,
            "ok",
        ),
        (
            "list with one broad",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:*", "repo:*"]}}"#,
            "broad",
        ),
        (
            "ForAllValues",
            r#"{"ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}"#,
            "missing",
        ),
        (
            "IfExists",
            r#"{"StringLikeIfExists": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}"#,
            "missing",
        ),
        (
            "negated",
            r#"{"StringNotLike": {"token.actions.githubusercontent.com:sub": "repo:evil/*"}}"#,
            "missing",
        ),
        (
            "ForAnyValue",
            r#"{"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}"#,
            "ok",
        ),
        (
            "key case",
            r#"{"StringLike": {"TOKEN.actions.githubusercontent.com:SUB": "repo:acme/*"}}"#,
            "ok",
        ),
        (
            "other host",
            r#"{"StringLike": {"gitlab.com:sub": "project_path:acme/*"}}"#,
            "missing",
        ),
        (
            "ANDed: broad and pinned",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}, "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}"#,
            "ok",
        ),
        (
            "ANDed: never closes",
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}, "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}"#,
            "never",
        ),
        (
            "equals list, one literal star",
            r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/*", "repo:acme/app:ref:refs/heads/main"]}}"#,
            "ok",
        ),
        (
            "https key does not count",
            r#"{"StringEquals": {"https://token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}"#,
            "missing",
        ),
    ];
    for (case, cond, want) in table {
        let d = gh(WI, cond);
        let v = oidc_subject(&d.statements[0], GH_HOST);
        assert_eq!(verdict_name(&v), want, "{case}: {cond} → {v:?}");
        let e = &d.statements[0].principal_entries()[0];
        assert_eq!(
            oidc_subject_for(&d.statements[0], &e.principal),
            v,
            "{case}"
        );
    }
}

#[test]
fn too_broad_reasons_name_what_they_admit() {
    let d = gh(
        WI,
        r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme*"}}"#,
    );
    match oidc_subject(&d.statements[0], GH_HOST) {
        SubjectVerdict::TooBroad { value, reason } => {
            assert_eq!(value.value.text, "repo:acme*");
            assert!(reason.contains("acme-evil"), "{reason}");
            assert!(reason.contains("repo:acme/*"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let cases = [
        ("repo:*", "any repository on GitHub"),
        ("*", "every subject"),
        ("system:serviceaccount:*", "any namespace"),
        ("organization:*", "any HCP Terraform organization"),
        ("project_path:*", "any GitLab project"),
        ("system:serviceaccount:pay*", "pay-evil"),
    ];
    for (pat, needle) in cases {
        let r = broad_subject_reason(pat).unwrap_or_default();
        assert!(r.contains(needle), "{pat}: {r}");
    }
    for ok in [
        "repo:acme/*",
        "system:serviceaccount:payments:*",
        "organization:acme:*",
        "project_path:group/*",
        "repo:acme/app:environment:prod",
    ] {
        assert_eq!(broad_subject_reason(ok), None, "{ok}");
    }
}

#[test]
fn eks_and_other_providers() {
    let eks = |cond: &str| trust(&format!(r#"{{"Federated": "{EKS}"}}"#), WI, cond);
    // OI-06
    let d = eks(&format!(
        r#"{{"StringEquals": {{"{EKS_HOST}:sub": "system:serviceaccount:payments:api", "{EKS_HOST}:aud": "sts.amazonaws.com"}}}}"#
    ));
    assert_eq!(
        oidc_subject(&d.statements[0], EKS_HOST),
        SubjectVerdict::Restricted
    );
    assert!(oidc_has_audience(&d.statements[0], EKS_HOST));
    // OI-07: cluster-wide.
    let d = eks(&format!(
        r#"{{"StringEquals": {{"{EKS_HOST}:aud": "sts.amazonaws.com"}}}}"#
    ));
    assert_eq!(
        oidc_subject(&d.statements[0], EKS_HOST),
        SubjectVerdict::Missing
    );
    // OI-08: namespace-wide is a pin.
    let d = eks(&format!(
        r#"{{"StringLike": {{"{EKS_HOST}:sub": "system:serviceaccount:payments:*"}}}}"#
    ));
    assert_eq!(
        oidc_subject(&d.statements[0], EKS_HOST),
        SubjectVerdict::Restricted
    );
    assert!(!oidc_has_audience(&d.statements[0], EKS_HOST));
    // OI-10: any HCP Terraform organization.
    let d = trust(
        r#"{"Federated": "arn:aws:iam::111111111111:oidc-provider/app.terraform.io"}"#,
        WI,
        r#"{"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"}, "StringLike": {"app.terraform.io:sub": "organization:*"}}"#,
    );
    assert_eq!(
        verdict_name(&oidc_subject(&d.statements[0], "app.terraform.io")),
        "broad"
    );
    assert!(oidc_has_audience(&d.statements[0], "app.terraform.io"));
    // OI-11: gitlab without sub.
    let d = trust(
        r#"{"Federated": "arn:aws:iam::111111111111:oidc-provider/gitlab.com"}"#,
        WI,
        r#"{"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}"#,
    );
    assert_eq!(
        oidc_subject(&d.statements[0], "gitlab.com"),
        SubjectVerdict::Missing
    );
    // OI-12 / OI-13: Cognito audience.
    let cog = r#"{"Federated": "cognito-identity.amazonaws.com"}"#;
    let d = trust(
        cog,
        WI,
        r#"{"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012"}, "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}"#,
    );
    let p = &d.statements[0].principal_entries()[0].principal;
    assert!(oidc_has_audience_for(&d.statements[0], p));
    let d = trust(cog, WI, "");
    assert!(!oidc_has_audience(
        &d.statements[0],
        "cognito-identity.amazonaws.com"
    ));
    // Facebook uses app_id.
    let d = trust(
        r#"{"Federated": "graph.facebook.com"}"#,
        WI,
        r#"{"StringEquals": {"graph.facebook.com:app_id": "123"}}"#,
    );
    assert!(oidc_has_audience(&d.statements[0], "graph.facebook.com"));
    // A wildcard-only StringLike audience does not count; IfExists does not either.
    let d = gh(
        WI,
        r#"{"StringLike": {"token.actions.githubusercontent.com:aud": "*"}}"#,
    );
    assert!(!oidc_has_audience(&d.statements[0], GH_HOST));
    let d = gh(
        WI,
        r#"{"StringEqualsIfExists": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#,
    );
    assert!(!oidc_has_audience(&d.statements[0], GH_HOST));
}

#[test]
fn provider_refs_and_symbolic_keys() {
    use crate::value::{Sym, Unknown, Value};
    let prov = Sym::Attr {
        resource: "aws_iam_openid_connect_provider.gh".into(),
        attr: "arn".into(),
    };
    let url = Sym::Attr {
        resource: "aws_iam_openid_connect_provider.gh".into(),
        attr: "url".into(),
    };
    let key = |suffix: &str, sym: Option<Sym>| match sym {
        Some(s) => Str::concat([&Str::sym(s, None), &Str::lit(suffix, None)]),
        None => Str::concat([
            &Str::unknown(Unknown::new("var.host", "no value", None)),
            &Str::lit(suffix, None),
        ]),
    };
    let build = |k: Str, val: Value| {
        let v = Value::Map(
            vec![(
                Str::lit("Statement", None),
                Value::Map(
                    vec![
                        (Str::lit("Effect", None), Value::str("Allow", None)),
                        (
                            Str::lit("Action", None),
                            Value::str("sts:AssumeRoleWithWebIdentity", None),
                        ),
                        (
                            Str::lit("Principal", None),
                            Value::Map(
                                vec![(
                                    Str::lit("Federated", None),
                                    Value::Str(Str::sym(prov.clone(), None)),
                                )],
                                None,
                            ),
                        ),
                        (
                            Str::lit("Condition", None),
                            Value::Map(
                                vec![(
                                    Str::lit("StringLike", None),
                                    Value::Map(vec![(k, val)], None),
                                )],
                                None,
                            ),
                        ),
                    ],
                    None,
                ),
            )],
            None,
        );
        document_from_value(&v)
    };
    let s = |t: &str| Value::str(t, None);
    let d = build(key(":sub", Some(url.clone())), s("repo:acme/*"));
    let p = d.statements[0].principal_entries()[0].principal.clone();
    assert!(matches!(p, Principal::ProviderRef { .. }));
    assert_eq!(
        oidc_subject_for(&d.statements[0], &p),
        SubjectVerdict::Restricted
    );
    // The symbolic key also counts for a provider whose host is known.
    assert_eq!(
        oidc_subject(&d.statements[0], GH_HOST),
        SubjectVerdict::Restricted
    );
    let d = build(key(":sub", Some(url.clone())), s("repo:*"));
    assert_eq!(
        verdict_name(&oidc_subject_for(&d.statements[0], &p)),
        "broad"
    );
    let d = build(key(":sub", None), s("repo:acme/*"));
    assert_eq!(
        oidc_subject_for(&d.statements[0], &p),
        SubjectVerdict::Unresolved
    );
    let d = build(key(":aud", Some(url)), s("sts.amazonaws.com"));
    assert_eq!(
        oidc_subject_for(&d.statements[0], &p),
        SubjectVerdict::Missing
    );
    assert!(oidc_has_audience_for(&d.statements[0], &p));
    // A literal sub key with an unknown value is unresolved, never guessed.
    let d = build(
        Str::lit("token.actions.githubusercontent.com:sub", None),
        Value::Unknown(Unknown::new("var.sub", "no value", None)),
    );
    assert_eq!(
        oidc_subject_for(&d.statements[0], &p),
        SubjectVerdict::Unresolved
    );
    assert_eq!(d.unknowns[0].expr, "var.sub");
    // An unknown value next to a broad one: the broad one already admits everyone.
    let d = build(
        Str::lit("token.actions.githubusercontent.com:sub", None),
        Value::List(
            vec![
                Value::Unknown(Unknown::new("var.sub", "no value", None)),
                s("repo:*"),
            ],
            None,
        ),
    );
    assert_eq!(
        verdict_name(&oidc_subject_for(&d.statements[0], &p)),
        "broad"
    );
}

fn reasons(d: &PolicyDocument) -> Vec<String> {
    invalid_trust_reasons(d)
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}

#[test]
fn invalid_trust_policies() {
    // (case, document, expected message fragment)
    let table: Vec<(&str, PolicyDocument, &str)> = vec![
        (
            "PF-02",
            trust(
                r#"{"AWS": "arn:aws:sts::111111111111:assumed-role/RoleA/*"}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
            "wildcard inside a principal",
        ),
        (
            "PF-05",
            trust(
                r#"{"AWS": "arn:aws:iam::111111111111:role/*"}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
            "IAM rejects the role",
        ),
        (
            "wildcard account and role",
            trust(
                r#"{"AWS": "arn:aws:iam::*:role/*"}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
            "wildcard inside a principal",
        ),
        (
            "service wildcard",
            trust(
                r#"{"Service": "*.amazonaws.com"}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
            "wildcard inside a principal",
        ),
        (
            "PF-08",
            doc(
                r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
            ),
            "Resource element",
        ),
        (
            "OI-05",
            gh(
                r#""sts:AssumeRole""#,
                r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#,
            ),
            "calls sts:AssumeRoleWithWebIdentity",
        ),
        (
            "OI-04",
            gh(
                WI,
                r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#,
            ),
            "the condition can never match",
        ),
        (
            "OI-09",
            trust(
                &format!(r#"{{"Federated": "{EKS}"}}"#),
                WI,
                &format!(
                    r#"{{"StringEquals": {{"https://{EKS_HOST}:sub": "system:serviceaccount:payments:api"}}}}"#
                ),
            ),
            "only one colon",
        ),
        (
            "SAML with web identity action",
            trust(
                r#"{"Federated": "arn:aws:iam::111111111111:saml-provider/Okta"}"#,
                WI,
                "",
            ),
            "calls sts:AssumeRoleWithSAML",
        ),
        (
            "AWS with web identity action",
            trust(r#"{"AWS": "111111111111"}"#, WI, ""),
            "calls sts:AssumeRole,",
        ),
        (
            "service with SAML action",
            trust(
                r#"{"Service": "ec2.amazonaws.com"}"#,
                r#""sts:AssumeRoleWithSAML""#,
                "",
            ),
            "calls sts:AssumeRole,",
        ),
    ];
    for (case, d, needle) in table {
        let r = reasons(&d);
        assert!(
            r.iter().any(|m| m.contains(needle)),
            "{case}: {r:?} lacks {needle}"
        );
    }
}

#[test]
fn valid_trust_policies_have_no_reasons() {
    let table: Vec<(&str, PolicyDocument)> = vec![
        ("WC-01", wildcard("")),
        (
            "wildcard account",
            trust(
                r#"{"AWS": "arn:aws:iam::*:root"}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
        ),
        (
            "OI-02",
            gh(
                WI,
                r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#,
            ),
        ),
        (
            "OI-14",
            trust(
                r#"{"Federated": "arn:aws:iam::111111111111:saml-provider/Okta"}"#,
                r#""sts:AssumeRoleWithSAML""#,
                r#"{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}"#,
            ),
        ),
        (
            "tag session with OIDC",
            gh(r#"["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#, ""),
        ),
        ("only tag session", gh(r#""sts:TagSession""#, "")),
        ("wildcard action", gh(r#""sts:*""#, "")),
        ("assume-role prefix", gh(r#""sts:AssumeRole*""#, "")),
        (
            "mixed principals, both actions",
            trust(
                &format!(r#"{{"AWS": "111111111111", "Federated": "{GH}"}}"#),
                r#"["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]"#,
                "",
            ),
        ),
        (
            "EC2",
            trust(
                r#"{"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}"#,
                r#""sts:AssumeRole""#,
                "",
            ),
        ),
        ("bare star", trust(r#""*""#, WI, "")),
        (
            "StringLike with star on sub is fine",
            gh(
                WI,
                r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}"#,
            ),
        ),
        (
            "StringEquals star on a non-OIDC statement",
            trust(
                r#"{"AWS": "111111111111"}"#,
                r#""sts:AssumeRole""#,
                r#"{"StringEquals": {"x:sub": "*"}}"#,
            ),
        ),
    ];
    for (case, d) in table {
        assert!(reasons(&d).is_empty(), "{case}: {:?}", reasons(&d));
    }
}

#[test]
fn invalid_reason_spans_point_at_the_offender() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/*"}, "Action": "sts:AssumeRole", "Resource": "*"}]}"#;
    let d = doc(text);
    let r = invalid_trust_reasons(&d);
    assert_eq!(r.len(), 2, "{r:?}");
    let res = text.find("Resource").unwrap();
    assert_eq!(r[0].1, Some(Span::new(FileId(0), res, res + 8)));
    let p = text.find("arn:aws:iam::111111111111:role/*").unwrap();
    assert_eq!(r[1].1, Some(Span::new(FileId(0), p, p + 32)));
}

#[test]
fn in_place_ascii_matching_agrees_with_character_matching() {
    // Every pattern and value up to four symbols over an alphabet with both wildcards and mixed case.
    let alphabet = ['a', 'B', 'b', '*', '?', ':'];
    let mut words = vec![String::new()];
    for len in 1..=4 {
        let mut next = Vec::new();
        for w in words.iter().filter(|w| w.chars().count() == len - 1) {
            for c in alphabet {
                next.push(format!("{w}{c}"));
            }
        }
        words.extend(next);
    }
    for p in &words {
        for v in &words {
            let chars = |s: &str| s.chars().collect::<Vec<char>>();
            let exact = glob(&chars(p), &chars(v), |a, b| a == b);
            assert_eq!(wildcard_match(p, v, false), exact, "{p:?} {v:?}");
            let lower = glob(
                &chars(&p.to_lowercase()),
                &chars(&v.to_lowercase()),
                |a, b| a == b,
            );
            assert_eq!(wildcard_match(p, v, true), lower, "{p:?} {v:?}");
            assert_eq!(action_matches(p, v), lower, "{p:?} {v:?}");
        }
    }
    assert!(wildcard_match(
        "arn:aws:iam::*:role/é*",
        "arn:aws:iam::1:role/éx",
        false
    ));
    assert!(action_matches("STS:Assume*", "sts:AssumeRoleWithSAML"));
    assert!(!action_matches("sts:AssumeRole", "sts:AssumeRoleWithSAML"));
}

#[test]
fn actions_and_wildcards() {
    assert!(action_matches("sts:AssumeRole*", "sts:AssumeRoleWithSAML"));
    assert!(action_matches("STS:assumerole", "sts:AssumeRole"));
    assert!(action_matches("*", "sts:AssumeRole"));
    assert!(!action_matches(
        "sts:AssumeRole",
        "sts:AssumeRoleWithWebIdentity"
    ));
    assert!(wildcard_match(
        "repo:acme/?pp:*",
        "repo:acme/app:ref",
        false
    ));
    assert!(!wildcard_match("repo:acme/*", "repo:acme-evil/x", false));
    assert!(wildcard_match("repo:acme*", "repo:acme-evil/x", false));
    let d = doc(
        r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "iam:*"}}"#,
    );
    assert!(d.statements[0].is_assume_role());
    assert!(is_trust_document(&d));
}
