//! The assume-role graph against AWS's documented evaluation rules (aws-trust-semantics.md §A1–A4, §F),
//! on inventories built from JSON policy snippets.

mod graph_support;

use graph_support::*;
use trustlint::graph::{EdgeKind, NodeKind};
use trustlint::model::AttachTarget;
use trustlint::rules::tl030::SameAccountDirectTrust;

const ACCT: &str = "111111111111";

/// The four-role example with symbolic account references (`${this}`), as Terraform and CloudFormation
/// write them.
fn four_roles(k: &mut Kit) {
    k.simple_role("RoleA", &trust_aws("arn:aws:iam::${this}:root"));
    k.role_policy(
        "RoleA",
        "assume-allowed-path",
        &allow_assume("arn:${partition}:iam::${this}:role/allowed-roles-path/*"),
    );
    k.simple_role("RoleB", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role("RoleC", &trust_aws("arn:aws:iam::${this}:role/RoleA"));
    k.role(
        "RoleD",
        Some("RoleD"),
        Some("/allowed-roles-path/"),
        Some(&trust_aws("arn:aws:iam::${this}:root")),
    );
    k.role(
        "RoleE",
        Some("RoleE"),
        Some("/allowed-roles-path/"),
        Some(&trust_aws("${this}")),
    );
}

#[test]
fn four_roles_role_a_reaches_c_d_e_not_b() {
    let mut k = Kit::new();
    four_roles(&mut k);
    let g = k.graph();
    assert_eq!(targets_of(&g, "RoleA"), vec!["RoleC", "RoleD", "RoleE"]);
    assert_eq!(can_assume(&g, "RoleA", "RoleB"), None);
    assert_eq!(can_assume(&g, "RoleA", "RoleC"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "RoleD"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "RoleE"), Some(true));
    let kinds: Vec<String> = edges(&g)
        .into_iter()
        .filter(|e| e.starts_with("RoleA ->"))
        .collect();
    assert_eq!(
        kinds,
        vec![
            "RoleA -> RoleC (trust-direct)",
            "RoleA -> RoleD (trust-account)",
            "RoleA -> RoleE (trust-account)"
        ]
    );
}

#[test]
fn four_roles_tl030_on_role_c_only() {
    let mut k = Kit::new();
    four_roles(&mut k);
    let f = k.run(&SameAccountDirectTrust);
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    assert_eq!(f.rule_id, "TL030");
    assert_eq!(f.resource, "RoleC");
    assert_eq!(k.text(f.primary), "arn:aws:iam::${this}:role/RoleA");
    assert!(
        k.file(f.primary).starts_with("RoleC.trust"),
        "{}",
        k.file(f.primary)
    );
    assert_eq!(
        f.message,
        "role \"RoleC\" trusts role \"RoleA\" directly, so it can assume the role even though its identity \
         policy \"assume-allowed-path\" allows sts:AssumeRole only on \
         arn:<the partition>:iam::<this account>:role/allowed-roles-path/*: in the same account AWS does not \
         consult the caller's identity policy when the trust policy names it"
    );
    // The restriction is a related location, at the Resource entry.
    assert!(f
        .related
        .iter()
        .any(|r| k.text(r.span) == "arn:${partition}:iam::${this}:role/allowed-roles-path/*"));
}

/// The same example written with literal account IDs (the form of aws-trust-semantics.md FR-B…FR-E).
fn four_roles_literal(k: &mut Kit) {
    k.simple_role("RoleA", &trust_aws(&format!("arn:aws:iam::{ACCT}:root")));
    k.role_policy(
        "RoleA",
        "assume-allowed-path",
        &allow_assume(&format!("arn:aws:iam::{ACCT}:role/allowed-roles-path/*")),
    );
    k.simple_role("RoleB", &trust_aws(&format!("arn:aws:iam::{ACCT}:root")));
    k.simple_role(
        "RoleC",
        &trust_aws(&format!("arn:aws:iam::{ACCT}:role/RoleA")),
    );
    let root = trust_aws(&format!("arn:aws:iam::{ACCT}:root"));
    k.role(
        "RoleD",
        Some("RoleD"),
        Some("/allowed-roles-path/"),
        Some(&root),
    );
    k.role(
        "RoleE",
        Some("RoleE"),
        Some("/allowed-roles-path/"),
        Some(&trust_aws(ACCT)),
    );
}

#[test]
fn four_roles_literal_accounts_are_uncertain_unless_known() {
    let mut k = Kit::new();
    four_roles_literal(&mut k);
    let g = k.graph();
    assert_eq!(targets_of(&g, "RoleA"), vec!["RoleC", "RoleD", "RoleE"]);
    // 111111111111 may or may not be the account these roles are deployed to.
    assert_eq!(can_assume(&g, "RoleA", "RoleC"), Some(false));
    assert_eq!(can_assume(&g, "RoleA", "RoleD"), Some(false));
    assert!(k.run(&SameAccountDirectTrust).is_empty());

    k.options.this_accounts = vec![ACCT.into()];
    let g = k.graph();
    assert_eq!(targets_of(&g, "RoleA"), vec!["RoleC", "RoleD", "RoleE"]);
    assert_eq!(can_assume(&g, "RoleA", "RoleC"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "RoleD"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "RoleE"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "RoleB"), None);
    let f = k.run(&SameAccountDirectTrust);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].resource, "RoleC");
}

#[test]
fn sa_direct_trust_needs_no_identity_policy_but_account_trust_does() {
    // SA-01, SA-03, SA-05, SA-06.
    let mut k = Kit::new();
    k.simple_role("RoleA", &trust_service("ec2.amazonaws.com"));
    k.simple_role("Direct", &trust_aws("arn:aws:iam::${this}:role/RoleA"));
    k.simple_role("AccountOnly", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role("Other", &trust_aws("arn:aws:iam::${this}:role/RoleX"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "RoleA", "Direct"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "AccountOnly"), None);
    assert_eq!(can_assume(&g, "RoleA", "Other"), None);
    // RoleX is not scanned: an external role of this account, and trust alone suffices.
    let x = g.node_by_id("external-role:this:/RoleX").expect("node");
    assert_eq!(g.node(x).map(|n| n.kind), Some(NodeKind::ExternalRole));
    assert!(g
        .out_edges(x)
        .iter()
        .all(|&e| g.edge(e).is_some_and(|e| e.certain)));

    k.role_policy("RoleA", "assume-any", &allow_assume("*"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "RoleA", "AccountOnly"), Some(true));
    // SA-06: an identity Allow on * does not help when the trust names someone else.
    assert_eq!(can_assume(&g, "RoleA", "Other"), None);
}

#[test]
fn explicit_deny_wins_in_identity_and_trust() {
    // DN-01 and DN-02.
    let mut k = Kit::new();
    k.simple_role("RoleA", &trust_service("lambda.amazonaws.com"));
    k.role_policy(
        "RoleA",
        "deny-target",
        &deny_assume("arn:aws:iam::${this}:role/Target"),
    );
    k.simple_role("Target", &trust_aws("arn:aws:iam::${this}:role/RoleA"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "RoleA", "Target"), None);

    let mut k = Kit::new();
    k.simple_role("RoleA", &trust_service("lambda.amazonaws.com"));
    k.role_policy(
        "RoleA",
        "allow-target",
        &allow_assume("arn:aws:iam::${this}:role/Target"),
    );
    k.simple_role(
        "Target",
        r#"{"Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::${this}:root"}},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::${this}:role/RoleA"}}
        ]}"#,
    );
    let g = k.graph();
    assert_eq!(can_assume(&g, "RoleA", "Target"), None);
}

#[test]
fn conditional_deny_is_kept_as_a_condition() {
    let mut k = Kit::new();
    k.simple_role("RoleA", &trust_service("lambda.amazonaws.com"));
    k.simple_role(
        "Target",
        r#"{"Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::${this}:role/RoleA"}},
            {"Sid": "NoMfaNoEntry", "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]}"#,
    );
    let g = k.graph();
    let e = g
        .edges()
        .iter()
        .find(|e| g.node(e.from).is_some_and(|n| n.name == "RoleA"))
        .expect("edge");
    assert!(e.certain);
    assert_eq!(
        e.conditions,
        vec!["unless trust statement \"NoMfaNoEntry\" denies it when BoolIfExists aws:MultiFactorAuthPresent = \"false\""]
    );
}

#[test]
fn cross_account_edges_are_not_certain() {
    // XA-01, XA-02: the other account's identity policies are not in the scan.
    let mut k = Kit::new();
    k.simple_role(
        "Target",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
            "arn:aws:iam::222222222222:role/Deployer", "arn:aws:iam::333333333333:root"]}}]}"#,
    );
    let g = k.graph();
    let dep = g
        .node_by_id("external-role:222222222222:/Deployer")
        .expect("external role");
    let acct = g.node_by_id("account:333333333333").expect("account");
    for n in [dep, acct] {
        let es = g.out_edges(n);
        assert_eq!(es.len(), 1);
        assert!(!g.edge(es[0]).unwrap().certain);
    }
    assert_eq!(
        g.edge(g.out_edges(acct)[0]).unwrap().kind,
        EdgeKind::TrustAccount
    );
}

#[test]
fn principal_arn_condition_narrows_account_trust() {
    // WC-14: account trust with ArnLike aws:PrincipalArn role/ci/*.
    let mut k = Kit::new();
    k.simple_role(
        "Target",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::${this}:root"},
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${this}:role/ci/*"}}}]}"#,
    );
    k.simple_role("RoleA", &trust_service("ec2.amazonaws.com"));
    k.role_policy("RoleA", "any", &allow_assume("*"));
    k.role(
        "Builder",
        Some("Builder"),
        Some("/ci/"),
        Some(&trust_service("codebuild.amazonaws.com")),
    );
    let g = k.graph();
    assert_eq!(can_assume(&g, "RoleA", "Target"), None);
    assert_eq!(
        can_assume(&g, "Builder", "Target"),
        None,
        "needs an identity Allow"
    );
    k.role_policy("Builder", "any", &allow_assume("*"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "Builder", "Target"), Some(true));
    assert_eq!(can_assume(&g, "RoleA", "Target"), None);
}

#[test]
fn wildcard_with_principal_arn_condition_admits_matching_scanned_roles() {
    let mut k = Kit::new();
    k.simple_role(
        "Target",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
            "Condition": {"StringEquals": {"aws:PrincipalArn": "${role:Deployer}"}}}]}"#,
    );
    k.simple_role("Deployer", &trust_service("codebuild.amazonaws.com"));
    k.simple_role("Other", &trust_service("codebuild.amazonaws.com"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "Deployer", "Target"), Some(true));
    assert_eq!(can_assume(&g, "Other", "Target"), None);
    assert!(g.node_by_id("*").is_some());
}

#[test]
fn service_and_federated_edges_need_the_matching_action() {
    let mut k = Kit::new();
    k.simple_role(
        "Ci",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::${this}:oidc-provider/token.actions.githubusercontent.com"},
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}]}"#,
    );
    // PF-09-like: a service principal gets no edge with sts:AssumeRoleWithWebIdentity.
    k.simple_role(
        "Wrong",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Service": "ec2.amazonaws.com"}}]}"#,
    );
    let g = k.graph();
    let e = edges(&g);
    assert!(
        e.contains(&"token.actions.githubusercontent.com -> Ci (federated)".to_string()),
        "{e:?}"
    );
    assert!(
        !e.iter().any(|x| x.ends_with("-> Wrong (service)")),
        "{e:?}"
    );
    let ci = g
        .edges()
        .iter()
        .find(|e| e.kind == EdgeKind::Federated)
        .unwrap();
    assert_eq!(
        ci.conditions,
        vec!["condition StringLike token.actions.githubusercontent.com:sub = \"repo:acme/app:*\""]
    );
}

#[test]
fn managed_policies_attachments_groups_and_aws_managed() {
    let mut k = Kit::new();
    let root = trust_aws("arn:aws:iam::${this}:root");
    k.simple_role("Target", &root);
    k.role("Spoke", Some("spoke-eu"), None, Some(&root));
    // A customer managed policy attached through `attached_to`, by symbolic reference.
    k.simple_role("ViaManaged", &trust_service("ec2.amazonaws.com"));
    k.managed(
        "assume_target",
        Some("assume-target"),
        &allow_assume("arn:aws:iam::${this}:role/Target"),
        vec![AttachTarget::Role(k.str("${rolename:ViaManaged}"))],
    );
    // An attachment resource by policy ARN name.
    k.simple_role("ViaAttachment", &trust_service("ec2.amazonaws.com"));
    k.managed(
        "spokes",
        Some("assume-spokes"),
        &allow_assume("arn:aws:iam::${this}:role/spoke-*"),
        vec![],
    );
    k.attachment(
        "att",
        AttachTarget::Role(k.str("ViaAttachment")),
        "arn:aws:iam::${this}:policy/assume-spokes",
    );
    // A user through its group.
    k.group("ops", Some("ops"));
    k.group_policy(
        "ops",
        "assume-target",
        &allow_assume("arn:aws:iam::${this}:role/Target"),
    );
    k.user("alice", Some("alice"), &["ops"]);
    // AWS managed AdministratorAccess allows sts:AssumeRole on *.
    k.simple_role("Admin", &trust_service("ec2.amazonaws.com"));
    k.role_managed("Admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    // ReadOnlyAccess does not.
    k.simple_role("Reader", &trust_service("ec2.amazonaws.com"));
    k.role_managed("Reader", "arn:aws:iam::aws:policy/ReadOnlyAccess");
    let g = k.graph();
    assert_eq!(targets_of(&g, "ViaManaged"), vec!["Target"]);
    assert_eq!(targets_of(&g, "ViaAttachment"), vec!["spoke-eu"]);
    assert_eq!(targets_of(&g, "alice"), vec!["Target"]);
    assert_eq!(targets_of(&g, "ops"), vec!["Target"]);
    assert_eq!(targets_of(&g, "Admin"), vec!["Target", "spoke-eu"]);
    assert!(targets_of(&g, "Reader").is_empty());
    let e = g
        .edges()
        .iter()
        .find(|e| g.node(e.from).is_some_and(|n| n.name == "Admin"))
        .unwrap();
    let grant = g.grant(e.grant.unwrap()).unwrap();
    assert_eq!(g.policy(grant.policy).unwrap().name, "AdministratorAccess");
}

#[test]
fn not_action_and_not_resource_identity_statements() {
    let mut k = Kit::new();
    let root = trust_aws("arn:aws:iam::${this}:root");
    k.simple_role("Prod", &root);
    k.simple_role("Dev", &root);
    k.simple_role("Caller", &trust_service("ec2.amazonaws.com"));
    k.role_policy(
        "Caller",
        "power",
        r#"{"Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "NotResource": "arn:aws:iam::${this}:role/Prod"}]}"#,
    );
    let g = k.graph();
    assert_eq!(targets_of(&g, "Caller"), vec!["Dev"]);
}

#[test]
fn unresolved_values_make_edges_uncertain_never_certain() {
    let mut k = Kit::new();
    k.simple_role("Caller", &trust_service("ec2.amazonaws.com"));
    k.role_policy(
        "Caller",
        "p",
        &allow_assume("arn:aws:iam::${unknown:var.acct}:role/deploy"),
    );
    k.simple_role("deploy", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role("other", &trust_aws("arn:aws:iam::${this}:root"));
    // A role whose name AWS generates may or may not match a pattern.
    k.role(
        "Generated",
        None,
        None,
        Some(&trust_aws("arn:aws:iam::${this}:root")),
    );
    k.role_policy(
        "Caller",
        "q",
        &allow_assume("arn:aws:iam::${this}:role/spoke-*"),
    );
    let g = k.graph();
    assert_eq!(can_assume(&g, "Caller", "deploy"), Some(false));
    assert_eq!(can_assume(&g, "Caller", "other"), None);
    assert_eq!(can_assume(&g, "Caller", "Generated"), Some(false));
}

#[test]
fn reachable_only_by_chaining_and_ec2_sessions() {
    let mut k = Kit::new();
    k.simple_role("Ec2", &trust_service("ec2.amazonaws.com"));
    k.instance_profile("profile", "${rolename:Ec2}");
    k.simple_role("Hub", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role("FromHub", &trust_aws("${role:Hub}"));
    k.simple_role("FromEc2", &trust_aws("${role:Ec2}"));
    k.simple_role(
        "FromExternal",
        &trust_aws("arn:aws:iam::222222222222:role/ci"),
    );
    k.simple_role(
        "Mixed",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": ["${role:Hub}", "arn:aws:iam::${this}:user/alice"]}}]}"#,
    );
    k.simple_role("Unknown", &trust_aws("${unknown:var.principal}"));
    let g = k.graph();
    assert!(g.reachable_only_by_chaining(&key("FromHub")));
    assert!(g.reachable_only_by_chaining(&key("FromExternal")));
    assert!(
        !g.reachable_only_by_chaining(&key("FromEc2")),
        "EC2 instance-profile sessions are not chaining"
    );
    assert!(!g.reachable_only_by_chaining(&key("Mixed")));
    assert!(!g.reachable_only_by_chaining(&key("Hub")));
    assert!(!g.reachable_only_by_chaining(&key("Unknown")));
    assert!(!g.reachable_only_by_chaining(&key("NoSuchRole")));
    let ec2 = g.node_by_key(&key("Ec2")).unwrap();
    assert!(g.sessions_only_from_ec2(ec2));
    assert!(g.node(ec2).unwrap().instance_profile.is_some());
    assert!(!g.sessions_only_from_ec2(g.node_by_key(&key("Hub")).unwrap()));
}

#[test]
fn literal_accounts_are_other_accounts_unless_identity_policies_name_roles_in_them() {
    // A vendor's account: the admin's `*` does not make it assume roles that trust the vendor.
    let mut k = Kit::new();
    k.simple_role("Admin", &trust_service("ec2.amazonaws.com"));
    k.role_managed("Admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    k.simple_role("Vendor", &trust_aws("arn:aws:iam::464622532012:root"));
    let g = k.graph();
    assert_eq!(can_assume(&g, "Admin", "Vendor"), None);
    assert_eq!(
        can_assume(&g, "account 464622532012", "Vendor"),
        Some(false)
    );
    // Once an identity policy names roles in 111111111111, that ID may be this account.
    let mut k = Kit::new();
    k.simple_role("Admin", &trust_service("ec2.amazonaws.com"));
    k.role_managed("Admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    k.simple_role("Own", &trust_aws("arn:aws:iam::111111111111:root"));
    k.simple_role("Caller", &trust_service("ec2.amazonaws.com"));
    k.role_policy(
        "Caller",
        "p",
        &allow_assume("arn:aws:iam::111111111111:role/Own"),
    );
    let g = k.graph();
    assert_eq!(can_assume(&g, "Admin", "Own"), Some(false));
    assert_eq!(can_assume(&g, "Caller", "Own"), Some(false));
}

#[test]
fn literal_arn_naming_itself_in_another_account_is_not_a_self_loop() {
    // A role "deploy" trusting "deploy" of a tooling account: same name, most likely another account.
    let mut k = Kit::new();
    k.simple_role(
        "deploy",
        &trust_aws("arn:aws:iam::222222222222:role/deploy"),
    );
    let g = k.graph();
    let me = g.node_by_key(&key("deploy")).unwrap();
    assert!(g.out_edges(me).is_empty());
    let ext = g.node_by_id("external-role:222222222222:/deploy").unwrap();
    assert_eq!(g.out_edges(ext).len(), 1);
}

#[test]
fn assumed_role_session_principals_match_by_name() {
    let mut k = Kit::new();
    k.role(
        "RoleP",
        Some("RoleP"),
        Some("/team/app/"),
        Some(&trust_service("ec2.amazonaws.com")),
    );
    k.simple_role(
        "Target",
        &trust_aws("arn:aws:sts::${this}:assumed-role/RoleP/alice"),
    );
    let g = k.graph();
    let e = g
        .edges()
        .iter()
        .find(|e| g.node(e.from).is_some_and(|n| n.name == "RoleP"))
        .expect("edge from RoleP");
    assert_eq!(e.kind, EdgeKind::TrustDirect);
    assert_eq!(e.conditions, vec!["session \"alice\" only"]);
}

#[test]
fn output_is_deterministic() {
    let build = || {
        let mut k = Kit::new();
        four_roles(&mut k);
        k.simple_role("X", &trust_aws("arn:aws:iam::222222222222:root"));
        let g = k.graph();
        (
            g.nodes().iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
            edges(&g),
        )
    };
    let a = build();
    assert_eq!(a, build());
    let mut sorted = a.0.clone();
    sorted.sort();
    assert_eq!(a.0, sorted);
}

#[test]
fn separate_root_modules_share_this_account_only_possibly() {
    let mut k = Kit::new();
    k.simple_role("caller", &trust_service("ec2.amazonaws.com"));
    k.role_policy("caller", "any", &allow_assume("*"));
    k.simple_role("target", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role("direct", &trust_aws("arn:aws:iam::${this}:role/caller"));
    for r in k
        .inv
        .roles
        .iter_mut()
        .filter(|r| r.decl.address != "caller")
    {
        r.decl.key = format!("examples/other::{}", r.decl.address);
    }
    let g = k.graph();
    assert_eq!(can_assume(&g, "caller", "target"), Some(false));
    assert_eq!(can_assume(&g, "caller", "direct"), Some(false));
    let e = g
        .edges()
        .iter()
        .find(|e| g.node(e.to).is_some_and(|n| n.name == "direct"))
        .unwrap();
    assert_eq!(
        e.conditions,
        vec!["if test and examples/other are deployed to the same account"]
    );
}

#[test]
fn shared_names_are_told_apart_in_messages() {
    let mut k = Kit::new();
    k.role(
        "a1",
        Some("admin"),
        None,
        Some(&trust_service("ec2.amazonaws.com")),
    );
    k.role(
        "a2",
        Some("admin"),
        None,
        Some(&trust_service("ec2.amazonaws.com")),
    );
    k.simple_role("solo", &trust_service("ec2.amazonaws.com"));
    let g = k.graph();
    let d = |key_: &str| g.describe_node(g.node_by_key(&key(key_)).unwrap());
    assert_eq!(d("a1"), "role \"admin\" (a1)");
    assert_eq!(d("a2"), "role \"admin\" (a2)");
    assert_eq!(d("solo"), "role \"solo\"");
}
