//! Intrinsics, spans and resources, end to end from template text.

use super::eval::{Template, Tri};
use super::node::Node;
use super::*;
use crate::source::{SourceFile, SourceMap, Span};
use crate::value::{Guard, Origin, Str, Sym, Value, SYM_CHAR, UNKNOWN_CHAR};
use std::sync::Arc;

fn load_text(name: &str, text: &str) -> (Arc<SourceFile>, Node) {
    let map = SourceMap::new();
    let f = map.add(name.into(), name.into(), text.into());
    let root = load(&f, name.ends_with(".json"))
        .expect("loads")
        .expect("not empty");
    (f, root)
}

/// Evaluates `Resources.<id>.Properties.<prop>`.
fn prop(text: &str, id: &str, p: &str) -> (Arc<SourceFile>, Value) {
    let (f, root) = load_text("t.yaml", text);
    let t = Template::new("t.yaml", &root);
    let node = root
        .get("Resources")
        .and_then(|r| r.get(id))
        .and_then(|r| r.get("Properties"))
        .and_then(|r| r.get(p))
        .expect("property exists");
    let v = t.eval(node).expect("has a value");
    (f, v)
}

fn s(v: &Value) -> &Str {
    v.as_str().expect("a string")
}

/// Span of the `n`th occurrence of `needle` in the file.
fn at(f: &SourceFile, needle: &str, n: usize) -> Span {
    let mut from = 0;
    let mut found = 0;
    loop {
        let i = from + f.text[from..].find(needle).expect("needle in text");
        if found == n {
            return f.span(i, i + needle.len());
        }
        found += 1;
        from = i + 1;
    }
}

const SUB: &str = r#"
Parameters:
  TrustedAccount:
    Type: String
    Default: "210987654321"
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      P: !Sub "arn:${AWS::Partition}:iam::${TrustedAccount}:root"
      Q:
        Fn::Sub: arn:aws:iam::${AWS::AccountId}:role/${!Literal}
      V:
        Fn::Sub:
          - "arn:aws:iam::${Acct}:root"
          - Acct: !Ref TrustedAccount
"#;

#[test]
fn sub_keeps_literal_runs_and_parameter_provenance() {
    let (f, v) = prop(SUB, "R", "P");
    let st = s(&v);
    assert_eq!(st.display(), "arn:<the partition>:iam::210987654321:root");
    // The literal runs point into the !Sub string.
    assert_eq!(st.span_of(0, 4), Some(at(&f, "arn:", 0)));
    let i = st.text.find(":iam::").unwrap();
    assert_eq!(st.span_of(i, i + 6), Some(at(&f, ":iam::", 0)));
    // The account comes from the parameter default, with a hop at `${TrustedAccount}`.
    let a = st.text.find("2109").unwrap();
    assert_eq!(st.span_of(a, a + 12), Some(at(&f, "210987654321", 0)));
    assert_eq!(st.hops_of(a, a + 12), vec![at(&f, "${TrustedAccount}", 0)]);
    // The partition is symbolic, spanning `${AWS::Partition}`.
    let p = st.text.find(SYM_CHAR).unwrap();
    assert_eq!(st.sym_at(p, p + SYM_CHAR.len_utf8()), Some(&Sym::Partition));
    assert_eq!(
        st.span_of(p, p + SYM_CHAR.len_utf8()),
        Some(at(&f, "${AWS::Partition}", 0))
    );
}

#[test]
fn sub_escapes_and_list_form() {
    let (f, v) = prop(SUB, "R", "Q");
    assert_eq!(
        s(&v).display(),
        "arn:aws:iam::<this account>:role/${Literal}"
    );
    let (_, v) = prop(SUB, "R", "V");
    let st = s(&v);
    assert_eq!(st.text, "arn:aws:iam::210987654321:root");
    let a = st.text.find("2109").unwrap();
    assert_eq!(st.span_of(a, a + 12), Some(at(&f, "210987654321", 0)));
    // Hops: the `!Ref` that feeds the variable, then the `${Acct}` use.
    let hops = st.hops_of(a, a + 12);
    assert_eq!(hops.len(), 2, "{hops:?}");
    assert_eq!(hops[1], at(&f, "${Acct}", 0));
}

const REFS: &str = r#"
Parameters:
  NoDefault:
    Type: String
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Accounts:
    Type: CommaDelimitedList
    Default: "111111111111, 222222222222"
  Ssm:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /acct/id
Mappings:
  Accts:
    dev:
      Id: "333333333333"
    prod:
      Id: "444444444444"
  ByRegion:
    us-east-1:
      Elb: "127311923021"
    eu-west-1:
      Elb: "156460612806"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  Unknowable: !Equals [!Ref AWS::Region, us-east-1]
  Both: !And [!Condition IsDev, !Not [!Condition IsProd]]
  Loop1: !Condition Loop2
  Loop2: !Condition Loop1
Resources:
  Other:
    Type: AWS::IAM::Role
  Fn:
    Type: AWS::Serverless::Function
  R:
    Type: AWS::IAM::Role
    Properties:
      NoDef: !Ref NoDefault
      EnvRef: !Ref Env
      Acct: !Ref AWS::AccountId
      Arn: !GetAtt Other.Arn
      ArnList: !GetAtt [Other, Arn]
      Name: !Ref Other
      Implicit: !GetAtt FnRole.Arn
      Import: !ImportValue SharedRoleArn
      List: [a, !Ref AWS::NoValue, b]
      Joined: !Join ["", ["arn:", !Ref "AWS::Partition", ":iam::", !FindInMap [Accts, dev, Id], ":root"]]
      Selected: !Select [1, !Ref Accounts]
      Split: !Select [1, !Split [",", "a,b,c"]]
      ByEnv: !FindInMap [Accts, !Ref Env, Id]
      ByRegion: !FindInMap [ByRegion, !Ref AWS::Region, Elb]
      IfDecided: !If [IsProd, "999999999999", "888888888888"]
      IfOpen: !If [Unknowable, "999999999999", !Ref AWS::NoValue]
      Ssm: !Ref Ssm
      Missing: !Ref Nope
      Azs: !GetAZs ""
"#;

#[test]
fn parameters_without_default_are_unknown() {
    let (f, v) = prop(REFS, "R", "NoDef");
    let Value::Unknown(u) = v else {
        panic!("{v:?}")
    };
    assert_eq!(u.why, "parameter NoDefault has no default");
    assert_eq!(u.expr, "Ref NoDefault");
    assert_eq!(u.span, Some(at(&f, "!Ref NoDefault", 0)));
    let (_, v) = prop(REFS, "R", "Ssm");
    assert!(matches!(v, Value::Unknown(u) if u.why.contains("SSM")));
    let (_, v) = prop(REFS, "R", "Missing");
    assert!(matches!(v, Value::Unknown(u) if u.why.contains("neither a parameter")));
    let (_, v) = prop(REFS, "R", "Import");
    assert!(
        matches!(&v, Value::Unknown(u) if u.expr == "Fn::ImportValue SharedRoleArn"),
        "{v:?}"
    );
    let (_, v) = prop(REFS, "R", "Azs");
    assert!(matches!(v, Value::Unknown(_)));
}

#[test]
fn allowed_values_are_branches() {
    let (f, v) = prop(REFS, "R", "EnvRef");
    let Value::Branches(bs) = v else {
        panic!("{v:?}")
    };
    let labels: Vec<&str> = bs.iter().map(|b| b.guard.label.as_str()).collect();
    assert_eq!(labels, ["parameter Env is dev", "parameter Env is prod"]);
    assert_eq!(s(&bs[1].value).span(), Some(at(&f, "prod", 0)));
    assert_eq!(bs[1].guard.span, Some(at(&f, "prod", 0)));
}

#[test]
fn pseudo_parameters_and_resources_are_symbolic() {
    let (_, v) = prop(REFS, "R", "Acct");
    assert_eq!(s(&v).as_sym(), Some(&Sym::ThisAccount));
    let (f, v) = prop(REFS, "R", "Arn");
    assert_eq!(s(&v).as_sym(), Some(&Sym::RoleArn("t.yaml::Other".into())));
    assert_eq!(s(&v).span(), Some(at(&f, "Other.Arn", 0)));
    let (_, v) = prop(REFS, "R", "ArnList");
    assert_eq!(s(&v).as_sym(), Some(&Sym::RoleArn("t.yaml::Other".into())));
    let (_, v) = prop(REFS, "R", "Name");
    assert_eq!(s(&v).as_sym(), Some(&Sym::RoleName("t.yaml::Other".into())));
    let (_, v) = prop(REFS, "R", "Implicit");
    assert_eq!(s(&v).as_sym(), Some(&Sym::RoleArn("t.yaml::FnRole".into())));
}

#[test]
fn no_value_removes_the_element() {
    let (_, v) = prop(REFS, "R", "List");
    let items: Vec<String> = v
        .as_list()
        .unwrap()
        .iter()
        .map(|i| s(i).text.clone())
        .collect();
    assert_eq!(items, ["a", "b"]);
}

#[test]
fn join_and_find_in_map_point_at_the_mapping_entry() {
    let (f, v) = prop(REFS, "R", "Joined");
    let st = s(&v);
    assert_eq!(st.display(), "arn:<the partition>:iam::333333333333:root");
    let a = st.text.find("3333").unwrap();
    assert_eq!(st.span_of(a, a + 12), Some(at(&f, "333333333333", 0)));
    // The FindInMap use site is a hop.
    assert_eq!(
        st.hops_of(a, a + 12),
        vec![at(&f, "!FindInMap [Accts, dev, Id]", 0)]
    );
    let i = st.text.find(":iam::").unwrap();
    assert_eq!(st.span_of(i, i + 6), Some(at(&f, ":iam::", 0)));
}

#[test]
fn select_and_split_keep_provenance() {
    let (f, v) = prop(REFS, "R", "Selected");
    assert_eq!(s(&v).text, "222222222222");
    assert_eq!(s(&v).span(), Some(at(&f, "222222222222", 0)));
    let (f, v) = prop(REFS, "R", "Split");
    assert_eq!(s(&v).text, "b");
    let abc = at(&f, "a,b,c", 0);
    assert_eq!(s(&v).span(), Some(abc.sub(2, 3)));
}

#[test]
fn find_in_map_branches_over_keys_it_cannot_decide() {
    let (_, v) = prop(REFS, "R", "ByEnv");
    let Value::Branches(bs) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(bs.len(), 2);
    assert_eq!(s(&bs[1].value).text, "444444444444");
    let (f, v) = prop(REFS, "R", "ByRegion");
    let Value::Branches(bs) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(bs[0].guard.label, "<the region> is us-east-1");
    assert_eq!(bs[1].guard.span, Some(at(&f, "eu-west-1", 0)));
    assert_eq!(s(&bs[1].value).span(), Some(at(&f, "156460612806", 0)));
}

#[test]
fn conditions_decide_from_defaults_or_branch() {
    let (_, root) = load_text("t.yaml", REFS);
    let t = Template::new("t.yaml", &root);
    assert_eq!(t.condition("IsProd", 0), Tri::False);
    assert_eq!(t.condition("IsDev", 0), Tri::True);
    assert_eq!(t.condition("Both", 0), Tri::True);
    assert_eq!(t.condition("Unknowable", 0), Tri::Unknown);
    assert_eq!(t.condition("Loop1", 0), Tri::Unknown);
    let (_, v) = prop(REFS, "R", "IfDecided");
    assert_eq!(s(&v).text, "888888888888");
    let (f, v) = prop(REFS, "R", "IfOpen");
    let Value::Branches(bs) = &v else {
        panic!("{v:?}")
    };
    // The NoValue branch is gone: the value exists only when the condition holds.
    assert_eq!(bs.len(), 1);
    assert_eq!(
        bs[0].guard,
        Guard::new(
            "condition Unknowable is true",
            Some(at(&f, "Unknowable", 1))
        )
    );
}

#[test]
fn join_over_branches_multiplies_out() {
    let text = r#"
Parameters:
  A: {Type: String, AllowedValues: ["111111111111", "222222222222"]}
Conditions:
  C: !Equals [!Ref AWS::Region, x]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      P: !Join [":", ["arn:aws:iam:", !Ref A, !If [C, root, "user/x"]]]
"#;
    let (_, v) = prop(text, "R", "P");
    let combos = v.possibilities(100);
    let texts: Vec<String> = combos.iter().map(|(_, v)| s(v).text.clone()).collect();
    assert_eq!(
        texts,
        [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::111111111111:user/x",
            "arn:aws:iam::222222222222:root",
            "arn:aws:iam::222222222222:user/x"
        ]
    );
    assert_eq!(
        combos[3]
            .0
            .iter()
            .map(|g| g.label.as_str())
            .collect::<Vec<_>>(),
        ["parameter A is 222222222222", "condition C is false"]
    );
}

#[test]
fn json_templates_have_the_same_spans() {
    let text = r#"{
  "Parameters": {"Acct": {"Type": "String", "Default": "210987654321"}},
  "Resources": {
    "R": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "P": {"Fn::Sub": "arn:${AWS::Partition}:iam::${Acct}:root"},
        "J": {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":root"]]},
        "G": {"Fn::GetAtt": ["R", "Arn"]},
        "I": {"Fn::If": ["Nope", "a", {"Ref": "AWS::NoValue"}]}
      }
    }
  }
}"#;
    let (f, root) = load_text("t.json", text);
    assert!(is_template(&root));
    let t = Template::new("t.json", &root);
    let props = root
        .get("Resources")
        .and_then(|r| r.get("R"))
        .and_then(|r| r.get("Properties"))
        .unwrap();
    let v = t.eval(props).unwrap();
    let p = s(v.get("P").unwrap());
    let a = p.text.find("2109").unwrap();
    assert_eq!(p.span_of(a, a + 12), Some(at(&f, "210987654321", 0)));
    assert_eq!(p.hops_of(a, a + 12), vec![at(&f, "${Acct}", 0)]);
    assert_eq!(p.span_of(0, 4), Some(at(&f, "arn:", 0)));
    let j = s(v.get("J").unwrap());
    assert_eq!(j.display(), "arn:aws:iam::<this account>:root");
    assert_eq!(j.span_of(0, 3), Some(at(&f, "arn", 1)));
    assert_eq!(
        s(v.get("G").unwrap()).as_sym(),
        Some(&Sym::RoleArn("t.json::R".into()))
    );
    // An undeclared condition is undecidable: both branches, and NoValue drops one.
    let Some(Value::Branches(bs)) = v.get("I") else {
        panic!()
    };
    assert_eq!(bs.len(), 1);
    let (k, _) = v.get_entry("P").unwrap();
    assert_eq!(k.span(), Some(at(&f, "\"P\"", 0).sub(1, 2)));
}

#[test]
fn sub_block_with_json_policy_maps_into_the_block() {
    let text = r#"Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Sub |
        {
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
            "Action": "sts:AssumeRole"
          }]
        }
"#;
    let (f, v) = prop(text, "R", "AssumeRolePolicyDocument");
    let parsed = crate::policy::json::parse_str(s(&v)).unwrap();
    let stmt = &parsed.get("Statement").unwrap().as_list().unwrap()[0];
    let aws = s(stmt.get("Principal").unwrap().get("AWS").unwrap());
    assert_eq!(aws.display(), "arn:aws:iam::<this account>:root");
    assert_eq!(aws.span_of(0, 13), Some(at(&f, "arn:aws:iam::", 0)));
    let sym = aws.text.find(SYM_CHAR).unwrap();
    assert_eq!(
        aws.span_of(sym, sym + SYM_CHAR.len_utf8()),
        Some(at(&f, "${AWS::AccountId}", 0))
    );
    let (k, _) = stmt.get_entry("Effect").unwrap();
    assert_eq!(k.span(), Some(at(&f, "Effect", 0)));
}

#[test]
fn join_built_json_string_policy() {
    let text = r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
  "AssumeRolePolicyDocument": {"Fn::Join": ["", [
    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::",
    {"Ref": "Acct"},
    ":root\"}, \"Action\": \"sts:AssumeRole\"}]}"
  ]]}
}}}, "Parameters": {"Acct": {"Type": "String", "Default": "123456789012"}}}"#;
    let (f, root) = load_text("t.json", text);
    let t = Template::new("t.json", &root);
    let node = root
        .get("Resources")
        .and_then(|r| r.get("R"))
        .and_then(|r| r.get("Properties"))
        .and_then(|r| r.get("AssumeRolePolicyDocument"))
        .unwrap();
    let v = t.eval(node).unwrap();
    let parsed = crate::policy::json::parse_str(s(&v)).unwrap();
    let stmt = &parsed.get("Statement").unwrap().as_list().unwrap()[0];
    let aws = s(stmt.get("Principal").unwrap().get("AWS").unwrap());
    assert_eq!(aws.text, "arn:aws:iam::123456789012:root");
    assert_eq!(aws.span_of(13, 25), Some(at(&f, "123456789012", 0)));
    assert_eq!(aws.span_of(0, 3), Some(at(&f, "arn", 0)));
    // The escaped key `\"Effect\"` still has a span inside the JSON string.
    let (k, _) = stmt.get_entry("Effect").unwrap();
    assert_eq!(k.span(), Some(at(&f, "Effect", 0)));
}

fn analyze_text(name: &str, text: &str) -> (Arc<SourceFile>, crate::model::Inventory) {
    let map = SourceMap::new();
    let f = map.add(name.into(), name.into(), text.into());
    let inv = analyze_source(&f, name.ends_with(".json"));
    (f, inv)
}

#[test]
fn roles_and_their_properties() {
    let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Maybe: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Condition: Maybe
    Metadata:
      aws:cdk:path: Stack/Deploy/Resource
    Properties:
      RoleName: deploy
      Path: /ci/
      MaxSessionDuration: 7200
      Tags:
        - Key: owner
          Value: me
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess
      PermissionsBoundary: arn:aws:iam::123456789012:policy/boundary
      Policies:
        - PolicyName: assume
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Resource: "*"
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt Other.Arn}
            Action: sts:AssumeRole
  Other:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Other]
  Pol:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: []}
      Roles: [!Ref Deploy]
      Users: [!Ref U]
  U:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref G]
  G:
    Type: AWS::IAM::Group
  Gh:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  Add:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: admins
      Users: [!Ref U]
"#;
    let (f, inv) = analyze_text("stack.yaml", text);
    assert_eq!(inv.files, 1);
    assert_eq!(inv.roles.len(), 2);
    let d = &inv.roles[0];
    assert_eq!(d.decl.key, "stack.yaml::Deploy");
    assert_eq!(d.decl.address, "Stack/Deploy/Resource");
    assert_eq!(d.decl.span, at(&f, "Deploy", 0));
    assert_eq!(d.decl.guards[0].label, "condition Maybe is true");
    assert_eq!(d.name.as_ref().unwrap().text, "deploy");
    assert_eq!(d.path.as_ref().unwrap().text, "/ci/");
    let (msd, msd_span) = d.max_session_duration.as_ref().unwrap();
    assert_eq!(s(msd).text, "7200");
    assert_eq!(*msd_span, at(&f, "MaxSessionDuration", 0));
    let tags = d.tags.as_ref().unwrap();
    assert!(tags.complete);
    assert_eq!(tags.keys[0].text, "owner");
    assert_eq!(tags.span, Some(at(&f, "Tags", 0)));
    assert_eq!(
        d.managed_policy_arns[0].display(),
        "arn:<the partition>:iam::aws:policy/ReadOnlyAccess"
    );
    assert!(d.permissions_boundary.is_some());
    assert_eq!(d.inline_policies.len(), 1);
    assert_eq!(d.inline_policies[0].decl.key, "stack.yaml::Deploy/assume");
    let trust = d.trust.as_ref().unwrap();
    assert_eq!(trust.attr_span, Some(at(&f, "AssumeRolePolicyDocument", 0)));
    assert_eq!(inv.instance_profiles.len(), 1);
    assert_eq!(
        inv.instance_profiles[0].role.as_sym(),
        Some(&Sym::RoleName("stack.yaml::Other".into()))
    );
    assert_eq!(inv.policies.len(), 1);
    assert_eq!(inv.policies[0].attached_to.len(), 2);
    assert_eq!(inv.users.len(), 1);
    assert_eq!(inv.users[0].groups.len(), 2);
    assert_eq!(
        inv.users[0].groups[0].as_sym(),
        Some(&Sym::GroupArn("stack.yaml::G".into()))
    );
    assert_eq!(inv.users[0].groups[1].text, "admins");
    assert_eq!(inv.groups.len(), 1);
    assert_eq!(inv.oidc_providers.len(), 1);
    assert_eq!(
        inv.oidc_providers[0].client_ids[0].text,
        "sts.amazonaws.com"
    );
}

#[test]
fn sam_generates_execution_roles() {
    let text = r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    PermissionsBoundary: arn:aws:iam::123456789012:policy/b
    Tags:
      team: x
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Policies:
        - AmazonS3ReadOnlyAccess
        - SQSPollerPolicy: {QueueName: q}
        - Statement:
            - Effect: Allow
              Action: sts:AssumeRole
              Resource: "*"
  WithRole:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt Explicit.Arn
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {}
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: edgelambda.amazonaws.com}
            Action: sts:AssumeRole
"#;
    let (f, inv) = analyze_text("sam.yaml", text);
    let keys: Vec<&str> = inv.roles.iter().map(|r| r.decl.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "sam.yaml::FnRole",
            "sam.yaml::MachineRole",
            "sam.yaml::CustomRole"
        ]
    );
    let r = &inv.roles[0];
    assert_eq!(r.decl.address, "FnRole");
    assert_eq!(r.decl.span, at(&f, "Fn", 0));
    assert_eq!(
        r.permissions_boundary.as_ref().unwrap().text,
        "arn:aws:iam::123456789012:policy/b"
    );
    let tag_keys: Vec<&str> = r
        .tags
        .as_ref()
        .unwrap()
        .keys
        .iter()
        .map(|k| k.text.as_str())
        .collect();
    assert_eq!(tag_keys, ["lambda:createdBy", "team"]);
    let arns: Vec<&str> = r
        .managed_policy_arns
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
        ]
    );
    assert_eq!(r.inline_policies.len(), 1);
    assert_eq!(
        r.inline_policies[0].decl.key,
        "sam.yaml::FnRole/FnRolePolicy2"
    );
    let custom = &inv.roles[2];
    assert_eq!(
        custom.trust.as_ref().unwrap().attr_span,
        Some(at(&f, "AssumeRolePolicyDocument", 0))
    );
}

#[test]
fn malformed_templates_are_parse_errors_and_others_are_skipped() {
    let (f, inv) = analyze_text(
        "bad.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n   Properties: [\n",
    );
    assert_eq!(inv.files, 1);
    let [crate::model::Diagnostic::ParseError { message, span, .. }] = inv.diagnostics.as_slice()
    else {
        panic!("{:?}", inv.diagnostics)
    };
    let pos = f.position(span.start);
    assert!(message.contains(&format!("line {}", pos.line)), "{message}");
    assert!(message.starts_with("invalid YAML"));

    let (_, inv) = analyze_text(
        "bad.json",
        "{\"AWSTemplateFormatVersion\": \"x\",\n \"Resources\": {,}}",
    );
    assert_eq!(inv.diagnostics.len(), 1);
    // Minified JSON claims to be a template just the same.
    let (_, inv) = analyze_text(
        "min.json",
        "{\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::Role\",\"Properties\":{,}}}}",
    );
    assert_eq!(inv.diagnostics.len(), 1);

    // Not templates: CI config, Kubernetes manifest, package.json, broken YAML that never claimed to be one.
    for (name, text) in [
        (
            "ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n",
        ),
        (
            "k8s.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Resources}\ndata: {a: 'AWS::x'}\n",
        ),
        ("package.json", "{\"name\": \"x\", \"scripts\": {}}"),
        (
            "sls.yml",
            "resources:\n  Resources:\n    R:\n      Type: AWS::IAM::Role\n  bad: [\n",
        ),
    ] {
        let (_, inv) = analyze_text(name, text);
        assert_eq!(inv, crate::model::Inventory::default(), "{name}");
    }
}

#[test]
fn detection() {
    assert!(looks_like_template("AWSTemplateFormatVersion: x"));
    assert!(looks_like_template(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket"
    ));
    assert!(!looks_like_template("jobs:\n  a: 1"));
    let (_, root) = load_text("t.yaml", "Resources:\n  A:\n    Type: Custom::Thing\n");
    assert!(!is_template(&root));
    let (_, root) = load_text("t.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n");
    assert!(is_template(&root));
}

#[test]
fn unknown_parts_inside_strings_stay_unknown() {
    let text = r#"
Parameters:
  Acct: {Type: String}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      P: !Sub "arn:aws:iam::${Acct}:root"
"#;
    let (f, v) = prop(text, "R", "P");
    let st = s(&v);
    assert!(st.has_unknown());
    let u = st.unknowns().next().unwrap();
    assert_eq!(u.why, "parameter Acct has no default");
    assert_eq!(u.span, Some(at(&f, "${Acct}", 0)));
    assert!(st.text.contains(UNKNOWN_CHAR));
    assert!(st
        .parts
        .iter()
        .any(|p| matches!(p.origin, Origin::Unknown(_))));
}

#[test]
fn stack_set_template_bodies_are_analysed_in_place() {
    let text = r#"Resources:
  Sets:
    Type: AWS::CloudFormation::StackSet
    Properties:
      TemplateBody: |
        Resources:
          Inner:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "arn:aws:iam::111111111111:root"}
                    Action: sts:AssumeRole
"#;
    let (f, inv) = analyze_text("sets.yaml", text);
    assert_eq!(inv.roles.len(), 1);
    let r = &inv.roles[0];
    assert_eq!(r.decl.key, "sets.yaml::Sets::Inner");
    assert_eq!(r.decl.address, "Sets/Inner");
    assert_eq!(r.decl.span, at(&f, "Inner", 0));
    assert_eq!(
        r.trust.as_ref().unwrap().attr_span,
        Some(at(&f, "AssumeRolePolicyDocument", 0))
    );
}

/// The trust document of the role with this logical ID.
fn trust_of<'a>(inv: &'a crate::model::Inventory, id: &str) -> &'a crate::policy::PolicyDocument {
    &inv.roles
        .iter()
        .find(|r| r.decl.key.ends_with(&format!("::{id}")))
        .expect("role")
        .trust
        .as_ref()
        .expect("trust")
        .doc
}

#[test]
fn trust_documents_reach_the_policy_model_with_spans() {
    use crate::policy::{AccountRef, Principal};
    let text = r#"Parameters:
  Vendor: {Type: String, Default: "464622532012"}
Mappings:
  Accts: {prod: {Id: "210987654321"}}
Resources:
  Gh:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  Ci:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !Ref Gh}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: repo:acme/*
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS:
                - !GetAtt Ci.Arn
                - !Sub arn:aws:iam::${Vendor}:root
                - !Join ["", ["arn:aws:iam::", !FindInMap [Accts, prod, Id], ":root"]]
            Action: sts:AssumeRole
  Text:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Sub |
        {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {"AWS": "arn:aws:iam::${Vendor}:root"}}]}
"#;
    let (f, inv) = analyze_text("t.yaml", text);
    let ci = trust_of(&inv, "Ci");
    assert!(ci.problems.is_empty(), "{:?}", ci.problems);
    let e = &ci.statements[0].principal_entries()[0];
    assert_eq!(
        e.principal,
        Principal::Oidc {
            account: AccountRef::This,
            host: "token.actions.githubusercontent.com".into()
        }
    );

    let deploy = trust_of(&inv, "Deploy");
    let entries = deploy.statements[0].principal_entries();
    assert_eq!(
        entries[0].principal,
        Principal::RoleRef {
            key: "t.yaml::Ci".into()
        }
    );
    assert_eq!(entries[0].value.span(), Some(at(&f, "Ci.Arn", 0)));
    // The vendor account: where its default is written, with the `${Vendor}` use as a hop.
    let v = &entries[1].value;
    let a = v.text.find("4646").unwrap();
    assert_eq!(v.span_of(a, a + 12), Some(at(&f, "464622532012", 0)));
    assert_eq!(v.hops_of(a, a + 12), vec![at(&f, "${Vendor}", 0)]);
    assert!(matches!(
        &entries[1].principal,
        Principal::Account { account: AccountRef::Id(id) } if id == "464622532012"
    ));
    // Through Join and FindInMap: the mapping entry.
    let m = &entries[2].value;
    let a = m.text.find("2109").unwrap();
    assert_eq!(m.span_of(a, a + 12), Some(at(&f, "210987654321", 0)));

    let text_doc = trust_of(&inv, "Text");
    assert!(text_doc.problems.is_empty(), "{:?}", text_doc.problems);
    let e = &text_doc.statements[0].principal_entries()[0];
    let a = e.value.text.find("4646").unwrap();
    assert_eq!(e.value.span_of(a, a + 12), Some(at(&f, "464622532012", 0)));
    assert_eq!(e.value.span_of(0, 13), Some(at(&f, "arn:aws:iam::", 2)));
}

#[test]
fn sam_default_trust_is_lambda_and_points_at_the_function() {
    use crate::policy::Principal;
    let (f, inv) = analyze_text(
        "sam.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a}\n",
    );
    let doc = trust_of(&inv, "FnRole");
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let e = &doc.statements[0].principal_entries()[0];
    assert!(
        matches!(&e.principal, Principal::Service { name, .. } if name == "lambda"),
        "{:?}",
        e.principal
    );
    assert_eq!(e.value.span(), Some(at(&f, "Fn", 0)));
    assert!(doc.statements[0].is_assume_role());
}

#[test]
fn split_of_a_deploy_time_string_is_unknown() {
    let text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      P: !Select [2, !Split ['/', !Ref 'AWS::StackId']]\n";
    let (_, v) = prop(text, "R", "P");
    assert!(
        matches!(&v, Value::Unknown(u) if u.why == "the string is known only at deploy time"),
        "{v:?}"
    );
}

#[test]
fn byte_order_marks_are_skipped() {
    for (name, text) in [
        (
            "bom.json",
            "\u{feff}{\"Resources\": {\"R\": {\"Type\": \"AWS::IAM::Role\"}}}",
        ),
        (
            "bom.yaml",
            "\u{feff}Resources:\n  R:\n    Type: AWS::IAM::Role\n",
        ),
    ] {
        let (f, inv) = analyze_text(name, text);
        assert!(inv.diagnostics.is_empty(), "{name}: {:?}", inv.diagnostics);
        assert_eq!(inv.roles.len(), 1);
        assert_eq!(f.slice(inv.roles[0].decl.span), "R");
    }
}

#[test]
fn statement_conditions_reach_the_model() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/cloudformation/TL012/pass-yaml/template.yaml"
    ))
    .unwrap();
    let (_, inv) = analyze_text("t.yaml", &text);
    let doc = trust_of(&inv, "Datadog");
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let st = &doc.statements[0];
    assert_eq!(st.conditions.len(), 1, "{:?}", st);
    assert_eq!(st.conditions[0].key.text, "sts:ExternalId");
}

#[test]
fn truncated_and_mangled_templates_never_panic() {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cloudformation");
    for (name, rel) in [
        ("t.yaml", "/TL040/fail-yaml/template.yaml"),
        ("t.json", "/TL010/fail-json/template.json"),
        ("t.yaml", "/TL010/fail-yaml/template.yaml"),
    ] {
        let text = std::fs::read_to_string(format!("{base}{rel}")).unwrap();
        let mut cuts: Vec<String> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| text[..i].to_string())
            .collect();
        // Lines dedented by one, brackets and quotes dropped.
        cuts.push(text.replace("\n  ", "\n "));
        cuts.push(text.replace(['[', '{'], ""));
        cuts.push(text.replace('"', ""));
        cuts.push(text.replace(": ", ": &a *a "));
        for t in &cuts {
            let _ = analyze_text(name, t);
        }
    }
}

#[test]
fn deep_values_evaluate_within_a_small_stack() {
    // As deep as the loaders accept, inside a policy: no stack overflow on a thread with rayon's stack size.
    let depth = super::node::MAX_DEPTH - 8;
    let mut text = String::from("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement: ");
    text.push_str(&"[".repeat(depth));
    text.push_str(&"]".repeat(depth));
    text.push('\n');
    let opens = "{\"Fn::Join\": [\"\", [".repeat(depth / 3);
    let closes = "]]}".repeat(depth / 3);
    let json = format!(
        "{{\"Resources\": {{\"R\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"P\": {opens}\"x\"{closes}}}}}}}}}"
    );
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (_, a) = analyze_text("deep.yaml", &text);
            let (_, b) = analyze_text("deep.json", &json);
            assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
            (a.roles.len(), b.roles.len())
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), (1, 1));
}

#[test]
fn for_each_loops_of_iam_resources_are_reported_not_skipped() {
    let text = r#"Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Roles:
    - Name
    - [a, b]
    - Role${Name}:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {}
"#;
    let (_, inv) = analyze_text("loop.yaml", text);
    assert!(inv.roles.is_empty());
    let [crate::model::Diagnostic::Unresolved { unknown, .. }] = inv.diagnostics.as_slice() else {
        panic!("{:?}", inv.diagnostics)
    };
    assert!(unknown.why.contains("Fn::ForEach"));
}

#[test]
fn sam_generated_resources_are_symbolic() {
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      A: !Ref Fn.Alias\n      B: !Ref ServerlessRestApi\n";
    let (_, v) = prop(text, "R", "A");
    assert_eq!(
        s(&v).as_sym(),
        Some(&Sym::Attr {
            resource: "t.yaml::Fn".into(),
            attr: "Alias".into()
        })
    );
    let (_, v) = prop(text, "R", "B");
    assert!(s(&v).as_sym().is_some(), "{v:?}");
}
