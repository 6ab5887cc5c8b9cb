use super::*;
use crate::policy::condition::SetQualifier;
use crate::policy::json::{parse, RawMap};
use crate::policy::principal::AccountRef;
use crate::source::FileId;
use crate::value::{Branch, Sym};

const F: FileId = FileId(7);

fn doc(text: &str) -> PolicyDocument {
    let v = parse(text, &RawMap { file: F, base: 0 }).unwrap();
    document_from_value(&v)
}

fn span_of(text: &str, needle: &str) -> Option<Span> {
    let s = text.find(needle).unwrap();
    Some(Span::new(F, s, s + needle.len()))
}

#[test]
fn exact_spans_survive_json_to_document() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "sts:AssumeRole"
  }
}"#;
    let d = doc(text);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.version.as_ref().unwrap().text, "2012-10-17");
    assert_eq!(d.statements.len(), 1);
    let st = &d.statements[0];
    assert_eq!(st.effect, Effect::Allow);
    assert_eq!(st.effect_span, span_of(text, "Allow"));
    let sstart = text.find("{\n    \"Effect").unwrap();
    let send = text.rfind("}\n}").unwrap() + 1;
    assert_eq!(st.span, Some(Span::new(F, sstart, send)));
    let ps = st.principals.as_ref().unwrap();
    assert_eq!(
        ps.span,
        span_of(text, r#"{"AWS": "arn:aws:iam::123456789012:root"}"#)
    );
    let e = &ps.entries[0];
    assert_eq!(e.kind, PrincipalType::Aws);
    assert_eq!(
        e.principal,
        Principal::Account {
            account: AccountRef::Id("123456789012".into())
        }
    );
    assert_eq!(e.account_span(), span_of(text, "123456789012"));
    assert_eq!(
        e.value.span(),
        span_of(text, "arn:aws:iam::123456789012:root")
    );
    assert_eq!(st.actions[0].value.text, "sts:AssumeRole");
    assert_eq!(st.actions[0].value.span(), span_of(text, "sts:AssumeRole"));
    assert!(st.is_assume_role());
}

#[test]
fn principal_forms_and_duplicate_keys() {
    let text = r#"{"Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
  {"Effect": "Allow", "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:role/x/R"],
                                    "AWS": "333333333333",
                                    "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
   "Action": ["sts:AssumeRole", "sts:TagSession"]}
]}"#;
    let d = doc(text);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.statements.len(), 2);
    assert_eq!(d.statements[1].index, 1);
    let star = &d.statements[0].principal_entries()[0];
    assert_eq!(star.kind, PrincipalType::Star);
    assert_eq!(star.principal, Principal::Wildcard);
    let es = d.statements[1].principal_entries();
    let kinds: Vec<_> = es.iter().map(|e| e.value.text.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "111111111111",
            "arn:aws:iam::222222222222:role/x/R",
            "333333333333",
            "ec2.amazonaws.com",
            "lambda.amazonaws.com"
        ]
    );
    assert_eq!(es[3].kind, PrincipalType::Service);
    assert!(
        matches!(&es[1].principal, Principal::Role { path, name, .. } if path == "/x/" && name == "R")
    );
}

#[test]
fn conditions_keep_duplicates_and_value_types() {
    let text = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
  "Condition": {
    "StringEquals": {"aws:PrincipalOrgID": "o-abc", "sts:ExternalId": ["x", "y"]},
    "StringEquals": {"aws:PrincipalAccount": "111111111111"},
    "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/*"},
    "Bool": {"aws:MultiFactorAuthPresent": true}
  }}}"#;
    let d = doc(text);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let c = &d.statements[0].conditions;
    assert_eq!(c.len(), 5);
    assert_eq!(c[0].key.text, "aws:PrincipalOrgID");
    assert_eq!(c[1].values.len(), 2);
    assert_eq!(c[2].key.text, "aws:PrincipalAccount");
    assert_eq!(c[3].op.set, SetQualifier::ForAnyValue);
    assert_eq!(c[4].values[0].value.text, "true");
    assert_eq!(c[0].values[0].value.span(), span_of(text, "o-abc"));
    assert_eq!(c[0].operator.text, "StringEquals");
    assert_eq!(
        c[1].span,
        span_of(text, r#""sts:ExternalId": ["x", "y"]"#).map(|s| Span::new(
            F,
            s.start as usize + 1,
            s.end as usize
        ))
    );
}

#[test]
fn resource_and_not_elements() {
    let text = r#"{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "111111111111"},
  "NotAction": "iam:*", "Resource": "*"}]}"#;
    let d = doc(text);
    let st = &d.statements[0];
    assert!(st.principals.is_none());
    assert_eq!(st.not_principals.as_ref().unwrap().entries.len(), 1);
    assert_eq!(st.not_actions.as_ref().unwrap()[0].value.text, "iam:*");
    assert_eq!(st.resources.as_ref().unwrap()[0].value.text, "*");
    assert_eq!(st.resource_span, span_of(text, "Resource"));
    assert!(st.allows_action("sts:AssumeRole"));
}

#[test]
fn element_names_match_case_insensitively() {
    let text = r#"{"version": "2012-10-17", "statement": [{"effect": "Deny", "principal": {"aws": "*"},
  "action": "sts:AssumeRole", "condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}]}"#;
    let d = doc(text);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let st = &d.statements[0];
    assert_eq!(st.effect, Effect::Deny);
    assert_eq!(st.principal_entries()[0].principal, Principal::Wildcard);
    assert_eq!(st.conditions.len(), 1);
}

fn problems(text: &str) -> Vec<String> {
    doc(text).problems.into_iter().map(|p| p.message).collect()
}

#[test]
fn malformed_documents_are_problems_with_spans() {
    let table: Vec<(&str, &str)> = vec![
        (r#"{"Version": "2012-10-17"}"#, "no Statement"),
        (r#"[]"#, "must be an object"),
        (
            r#"{"Version": "2012-10-18", "Statement": []}"#,
            "not a policy language version",
        ),
        (r#"{"Statement": [], "Foo": 1}"#, "unknown element \"Foo\""),
        (r#"{"Statement": ["x"]}"#, "a statement must be an object"),
        (
            r#"{"Statement": {"Effect": "allow", "Action": "sts:AssumeRole", "Principal": "*"}}"#,
            "Effect \"allow\" is neither",
        ),
        (
            r#"{"Statement": {"Action": "sts:AssumeRole", "Principal": "*"}}"#,
            "no Effect",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Principal": "*"}}"#,
            "no Action or NotAction",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "NotAction": "b", "Principal": "*"}}"#,
            "both Action and NotAction",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "11111111111"}}}"#,
            "invalid principal: \"11111111111\" is not a valid account ID",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "arn:aws:iam::123:root"}}}"#,
            "invalid account ID \"123\"",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"Role": "x"}}}"#,
            "unknown principal type \"Role\"",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": ["*"]}}"#,
            "must be \"*\" or an object",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "arn:aws:iam::111111111111:root"}}"#,
            "must be \"*\"",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {}}}"#,
            "Principal is empty",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": [{"a": 1}], "Principal": "*"}}"#,
            "Action values must be strings",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": {"StringEqual": {"k": "v"}}}}"#,
            "unknown condition operator \"StringEqual\"",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": {"StringEquals": "v"}}}"#,
            "must map condition keys to values",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": []}}"#,
            "Condition must be an object",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Sidd": "x"}}"#,
            "unknown element \"Sidd\" in a statement",
        ),
    ];
    let empty = doc(
        r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [], "Service": "ec2.amazonaws.com"}}}"#,
    );
    assert!(empty.problems.is_empty(), "{:?}", empty.problems);
    for (text, needle) in table {
        let d = doc(text);
        assert!(
            d.problems.iter().any(|p| p.message.contains(needle)),
            "{text}: {:?} lacks {needle}",
            d.problems
        );
        assert!(d.problems.iter().all(|p| p.span.is_some()), "{text}");
    }
    // The span of an invalid principal is the principal string.
    let text =
        r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "11111111111"}}}"#;
    let d = doc(text);
    assert_eq!(d.problems[0].span, span_of(text, "11111111111"));
    let text = r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"Role": "x"}}}"#;
    let d = doc(text);
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    assert_eq!(d.problems[0].span, span_of(text, "Role"));
}

#[test]
fn well_formed_documents_have_no_problems() {
    for text in [
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        r#"{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    ] {
        assert!(problems(text).is_empty(), "{text}: {:?}", problems(text));
    }
}

#[test]
fn yaml_number_account_hints_at_lost_zero() {
    let v = Value::Map(
        vec![(
            Str::lit("Statement", None),
            Value::Map(
                vec![
                    (Str::lit("Effect", None), Value::str("Allow", None)),
                    (Str::lit("Action", None), Value::str("sts:AssumeRole", None)),
                    (
                        Str::lit("Principal", None),
                        Value::Map(
                            vec![(
                                Str::lit("AWS", None),
                                Value::Number(Str::lit("12345678901", None)),
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
    let d = document_from_value(&v);
    assert!(
        d.problems[0].message.contains("drops leading zeros"),
        "{:?}",
        d.problems
    );
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Str::lit(k, None), v))
            .collect(),
        None,
    )
}

fn branches(items: Vec<(&str, Value)>) -> Value {
    Value::Branches(
        items
            .into_iter()
            .map(|(l, v)| Branch {
                guard: Guard::new(l, None),
                value: v,
            })
            .collect(),
    )
}

fn s(t: &str) -> Value {
    Value::str(t, None)
}

#[test]
fn branches_become_guards() {
    let stmt = |p: Value| {
        map(vec![
            ("Effect", s("Allow")),
            ("Action", s("sts:AssumeRole")),
            ("Principal", p),
        ])
    };
    let v = map(vec![(
        "Statement",
        Value::List(
            vec![
                stmt(map(vec![(
                    "AWS",
                    Value::List(
                        vec![
                            s("111111111111"),
                            branches(vec![
                                ("IsProd is true", s("222222222222")),
                                ("IsProd is false", Value::Null(None)),
                            ]),
                        ],
                        None,
                    ),
                )])),
                branches(vec![(
                    "var.ext is true",
                    stmt(map(vec![("AWS", s("333333333333"))])),
                )]),
            ],
            None,
        ),
    )]);
    let d = document_from_value(&v);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.statements.len(), 2);
    let es = d.statements[0].principal_entries();
    assert_eq!(es.len(), 2);
    assert!(es[0].guards.is_empty());
    assert_eq!(es[1].guards[0].label, "IsProd is true");
    assert_eq!(d.statements[1].guards[0].label, "var.ext is true");
    assert_eq!(d.statements[1].index, 1);
}

#[test]
fn branching_effect_and_condition_split_the_statement() {
    let v = map(vec![(
        "Statement",
        map(vec![
            (
                "Effect",
                branches(vec![("c is true", s("Allow")), ("c is false", s("Deny"))]),
            ),
            ("Action", s("sts:AssumeRole")),
            ("Principal", map(vec![("AWS", s("*"))])),
            (
                "Condition",
                branches(vec![
                    (
                        "HasOrg is true",
                        map(vec![(
                            "StringEquals",
                            map(vec![(
                                "aws:PrincipalOrgID",
                                branches(vec![("a", s("o-1")), ("b", s("o-2"))]),
                            )]),
                        )]),
                    ),
                    ("HasOrg is false", Value::Null(None)),
                ]),
            ),
        ]),
    )]);
    let d = document_from_value(&v);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.statements.len(), 4);
    let labels: Vec<Vec<&str>> = d
        .statements
        .iter()
        .map(|s| s.guards.iter().map(|g| g.label.as_str()).collect())
        .collect();
    assert_eq!(labels[0], vec!["c is true", "HasOrg is true"]);
    assert_eq!(labels[3], vec!["c is false", "HasOrg is false"]);
    assert_eq!(d.statements[0].effect, Effect::Allow);
    assert_eq!(d.statements[2].effect, Effect::Deny);
    assert_eq!(d.statements[0].conditions[0].values.len(), 2);
    assert_eq!(d.statements[0].conditions[0].values[1].guards[0].label, "b");
    assert!(d.statements[1].conditions.is_empty());
    assert!(d.statements.iter().all(|s| s.index == 0));
}

#[test]
fn unknowns_are_collected_once_and_entries_unresolved() {
    let u = Unknown::new(
        "var.account",
        "variable has no value",
        Some(Span::new(F, 1, 12)),
    );
    let arn = Str::concat([
        &Str::lit("arn:aws:iam::", None),
        &Str::unknown(u.clone()),
        &Str::lit(":root", None),
    ]);
    let v = map(vec![(
        "Statement",
        Value::List(
            vec![
                map(vec![
                    ("Effect", s("Allow")),
                    ("Action", s("sts:AssumeRole")),
                    (
                        "Principal",
                        map(vec![(
                            "AWS",
                            Value::List(
                                vec![Value::Str(arn.clone()), Value::Unknown(u.clone())],
                                None,
                            ),
                        )]),
                    ),
                ]),
                map(vec![
                    (
                        "Effect",
                        Value::Unknown(Unknown::new("var.effect", "no value", None)),
                    ),
                    ("Action", s("sts:AssumeRole")),
                    (
                        "Principal",
                        Value::Unknown(Unknown::new("var.p", "no value", None)),
                    ),
                ]),
                Value::Unknown(Unknown::new("var.extra", "no value", None)),
            ],
            None,
        ),
    )]);
    let d = document_from_value(&v);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let exprs: Vec<&str> = d.unknowns.iter().map(|u| u.expr.as_str()).collect();
    assert_eq!(
        exprs,
        vec!["var.account", "var.p", "var.effect", "var.extra"]
    );
    let es = d.statements[0].principal_entries();
    assert_eq!(
        es[0].principal,
        Principal::Account {
            account: AccountRef::Unknown
        }
    );
    assert_eq!(es[1].principal, Principal::Unresolved);
    assert_eq!(d.statements[1].effect, Effect::Unknown);
    // A partition variable does not hide the account, but it is still reported.
    let part = Unknown::new("var.partition", "no value", None);
    let arn = Str::concat([
        &Str::lit("arn:", None),
        &Str::unknown(part),
        &Str::lit(":iam::111111111111:root", None),
    ]);
    let v = map(vec![(
        "Statement",
        map(vec![
            ("Effect", s("Allow")),
            ("Action", s("sts:AssumeRole")),
            ("Principal", map(vec![("AWS", Value::Str(arn))])),
        ]),
    )]);
    let d2 = document_from_value(&v);
    assert_eq!(
        d2.statements[0].principal_entries()[0].principal,
        Principal::Account {
            account: AccountRef::Id("111111111111".into())
        }
    );
    assert_eq!(d2.unknowns[0].expr, "var.partition");
    assert_eq!(
        d.statements[1].principal_entries()[0].principal,
        Principal::Unresolved
    );
}

#[test]
fn symbolic_principals_resolve_or_are_reported() {
    let v = map(vec![(
        "Statement",
        map(vec![
            ("Effect", s("Allow")),
            ("Action", s("sts:AssumeRole")),
            (
                "Principal",
                map(vec![(
                    "AWS",
                    Value::List(
                        vec![
                            Value::Str(Str::sym(Sym::RoleArn("m::aws_iam_role.a".into()), None)),
                            Value::Str(Str::sym(
                                Sym::Attr {
                                    resource: "aws_lambda_function.f".into(),
                                    attr: "role".into(),
                                },
                                None,
                            )),
                        ],
                        None,
                    ),
                )]),
            ),
        ]),
    )]);
    let d = document_from_value(&v);
    let es = d.statements[0].principal_entries();
    assert_eq!(
        es[0].principal,
        Principal::RoleRef {
            key: "m::aws_iam_role.a".into()
        }
    );
    assert_eq!(es[1].principal, Principal::Unresolved);
    assert_eq!(d.unknowns.len(), 1);
    assert_eq!(d.unknowns[0].expr, "<aws_lambda_function.f.role>");
}

#[test]
fn string_documents_are_parsed_and_nulls_are_absent() {
    let text = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":null,"Resource":null}}"#;
    let d = document_from_value(&Value::Str(Str::lit(
        text,
        Some(Span::new(F, 50, 50 + text.len())),
    )));
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let st = &d.statements[0];
    assert!(st.resources.is_none());
    assert!(st.conditions.is_empty());
    assert_eq!(
        st.principal_entries()[0].value.span(),
        Some(Span::new(
            F,
            50 + text.find("1111").unwrap(),
            62 + text.find("1111").unwrap()
        ))
    );
    let bad = document_from_value(&Value::Str(Str::lit("{\"Statement\": ", None)));
    assert!(
        bad.problems[0].message.contains("not valid JSON"),
        "{:?}",
        bad.problems
    );
}

#[test]
fn trust_documents_need_principals() {
    let text = r#"{"Statement":[{"Sid":"NoP","Effect":"Allow","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;
    let v = parse(text, &RawMap { file: F, base: 0 }).unwrap();
    let d = trust_document_from_value(&v);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let missing: Vec<usize> = statements_without_principal(&d).map(|s| s.index).collect();
    assert_eq!(missing, vec![0]);
}

mod corpus_tests {
    use super::*;
    use crate::policy::json::{parse, RawMap};
    use crate::source::FileId;
    use std::path::PathBuf;

    fn has_intrinsic(v: &Value) -> bool {
        match v {
            Value::Map(entries, _) => entries
                .iter()
                .any(|(k, v)| k.text.starts_with("Fn::") || k.text == "Ref" || has_intrinsic(v)),
            Value::List(items, _) => items.iter().any(has_intrinsic),
            _ => false,
        }
    }

    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::Map(entries, _) => {
                for (k, v) in entries {
                    if k.text == "AssumeRolePolicyDocument" || k.text == "PolicyDocument" {
                        out.push(v);
                    } else {
                        collect(v, out, depth + 1);
                    }
                }
            }
            Value::List(items, _) => items.iter().for_each(|i| collect(i, out, depth + 1)),
            _ => {}
        }
    }

    /// Every intrinsic-free policy document in the corpus's CloudFormation JSON templates builds without
    /// problems (a problem there would be a false TL900).
    #[test]
    fn corpus_cloudformation_json_policies_build_cleanly() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent
        };
        let mut checked = 0;
        let mut failures = Vec::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(kind)) = (cols.first(), cols.get(3)) else {
                continue;
            };
            if !path.ends_with(".json") || !matches!(*kind, "cloudformation-json" | "cdk" | "sam") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            let Ok(v) = parse(
                &text,
                &RawMap {
                    file: FileId(0),
                    base: 0,
                },
            ) else {
                continue;
            };
            let mut docs = Vec::new();
            collect(&v, &mut docs, 0);
            for d in docs {
                if has_intrinsic(d) {
                    continue;
                }
                let doc = document_from_value(d);
                checked += 1;
                for p in doc.problems {
                    // Really malformed documents in the corpus (IAM rejects them too).
                    let expected = [
                        // `PolicyDocument: {}` in a SAM translator test.
                        ("managed_policies_everything.json", "has no Statement"),
                        // A YAML date that a converter turned into a timestamp.
                        (
                            "DataDog__kics/",
                            "\"2008-10-17T00:00:00Z\" is not a policy language version",
                        ),
                        ("DataDog__kics/", "\"arn:aws:iam::root\" is not a valid ARN"),
                        // A typo (`dAction`) in a cfn_nag fixture.
                        ("iam_role_not_principal_on_trust.json", "\"dAction\""),
                        (
                            "iam_role_not_principal_on_trust.json",
                            "no Action or NotAction",
                        ),
                    ];
                    if !expected
                        .iter()
                        .any(|(f, m)| path.contains(f) && p.message.contains(m))
                    {
                        failures.push(format!("{path}: {}", p.message));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{checked} checked; problems:\n{}",
            failures.join("\n")
        );
        assert!(checked > 50, "only {checked} documents checked");
    }
}

mod corpus_plan_tests {
    use super::*;
    use crate::policy::json::{parse, RawMap};
    use crate::source::FileId;
    use std::path::PathBuf;

    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Str>, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::Map(entries, _) => {
                for (k, v) in entries {
                    match v {
                        Value::Str(s)
                            if matches!(
                                k.text.as_str(),
                                "assume_role_policy" | "policy" | "json"
                            ) && s.text.trim_start().starts_with('{') =>
                        {
                            out.push(s)
                        }
                        _ => collect(v, out, depth + 1),
                    }
                }
            }
            Value::List(items, _) => items.iter().for_each(|i| collect(i, out, depth + 1)),
            _ => {}
        }
    }

    /// Policy strings in the corpus's plan files (`terraform show -json`) build without problems.
    #[test]
    fn corpus_plan_policy_strings_build_cleanly() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent
        };
        let mut checked = 0;
        let mut failures = Vec::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(&"plan-json")) = (cols.first(), cols.get(3)) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            let Ok(v) = parse(
                &text,
                &RawMap {
                    file: FileId(0),
                    base: 0,
                },
            ) else {
                continue;
            };
            let mut strs = Vec::new();
            collect(&v, &mut strs, 0);
            for s in strs {
                let doc = document_from_value(&Value::Str(s.clone()));
                checked += 1;
                for p in doc.problems {
                    // A placeholder principal in a terraform-compliance test plan: really invalid.
                    if path.contains("test_issue-203") && p.message.contains("\"something\"") {
                        continue;
                    }
                    failures.push(format!("{path}: {}", p.message));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{checked} checked; problems:\n{}",
            failures.join("\n")
        );
        assert!(checked > 100, "only {checked} policy strings checked");
    }
}

mod unknown_element_tests {
    use super::*;
    use crate::value::Unknown;

    #[test]
    fn unresolved_optional_elements_are_maybe_absent() {
        let u = |e: &str| Value::Unknown(Unknown::new(e, "each.value is unknown", None));
        let stmt = Value::Map(
            vec![
                (Str::synthetic("Effect"), Value::str("Allow", None)),
                (Str::synthetic("Action"), u("try(each.value.actions, null)")),
                (
                    Str::synthetic("NotAction"),
                    u("try(each.value.not_actions, null)"),
                ),
                (
                    Str::synthetic("Resource"),
                    u("try(each.value.resources, null)"),
                ),
                (
                    Str::synthetic("NotResource"),
                    u("try(each.value.not_resources, null)"),
                ),
                (Str::synthetic("Principal"), Value::str("*", None)),
            ],
            None,
        );
        let d = document_from_value(&Value::Map(
            vec![(Str::synthetic("Statement"), Value::List(vec![stmt], None))],
            None,
        ));
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.unknowns.len(), 4);
        let st = &d.statements[0];
        assert!(st.not_actions.is_none() && st.resources.is_none());
        assert!(
            !st.is_assume_role(),
            "unknown actions never make a trust statement"
        );
    }
}

mod maybe_absent_tests {
    use super::*;
    use crate::value::{Branch, Unknown};

    #[test]
    fn dynamic_blocks_over_unresolved_collections_do_not_conflict() {
        let maybe = || {
            Value::Branches(vec![
                Branch {
                    guard: Guard::new("statement.value.principals != null is true", None),
                    value: Value::Map(
                        vec![(
                            Str::unknown(Unknown::new("principals.value.type", "unknown", None)),
                            Value::unknown("principals.value.identifiers", "unknown", None),
                        )],
                        None,
                    ),
                },
                Branch {
                    guard: Guard::new("statement.value.principals != null is false", None),
                    value: Value::List(Vec::new(), None),
                },
            ])
        };
        let stmt = Value::Map(
            vec![
                (Str::synthetic("Effect"), Value::str("Allow", None)),
                (Str::synthetic("Action"), Value::str("sts:AssumeRole", None)),
                (Str::synthetic("Principal"), maybe()),
                (Str::synthetic("NotPrincipal"), maybe()),
            ],
            None,
        );
        let d = document_from_value(&Value::Map(vec![(Str::synthetic("Statement"), stmt)], None));
        assert!(
            !d.problems.iter().any(|p| p.message.contains("both")),
            "{:?}",
            d.problems
        );
        assert!(maybe_absent(&maybe(), 0));
        assert!(!maybe_absent(&Value::str("*", None), 0));
    }
}
