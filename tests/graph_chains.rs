//! TL003 role chains and cycles, on inventories built from JSON policy snippets.

mod graph_support;

use graph_support::*;
use trustlint::finding::Severity;
use trustlint::rules::tl003::RoleChain;

fn sorted_messages(k: &Kit) -> Vec<(Severity, String, String)> {
    let mut v: Vec<_> = k
        .run(&RoleChain)
        .into_iter()
        .map(|f| (f.severity, f.resource.clone(), f.message.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn four_roles_chains_start_at_the_account() {
    let mut k = Kit::new();
    k.simple_role("RoleA", &trust_aws("arn:aws:iam::${this}:root"));
    k.role_policy(
        "RoleA",
        "p",
        &allow_assume("arn:aws:iam::${this}:role/allowed-roles-path/*"),
    );
    k.simple_role("RoleC", &trust_aws("arn:aws:iam::${this}:role/RoleA"));
    k.role(
        "RoleD",
        Some("RoleD"),
        Some("/allowed-roles-path/"),
        Some(&trust_aws("${this}")),
    );
    let f = k.run(&RoleChain);
    let mut res: Vec<&str> = f.iter().map(|f| f.resource.as_str()).collect();
    res.sort();
    assert_eq!(res, vec!["RoleC", "RoleD"]);
    let c = f.iter().find(|f| f.resource == "RoleC").unwrap();
    assert_eq!(c.severity, Severity::Warning);
    assert_eq!(
        c.message,
        "role \"RoleC\" may be reached by chaining roles (this account → role \"RoleA\" → role \"RoleC\"): the \
         chained session is capped at one hour and the original caller's identity is lost unless a source \
         identity is carried along"
    );
    assert_eq!(k.text(c.primary), "arn:aws:iam::${this}:role/RoleA");
    assert_eq!(c.code_flow.len(), 2);
    assert!(c.code_flow[0].message.starts_with(
        "this account can assume role \"RoleA\": its trust policy trusts the account"
    ));
    assert_eq!(
        c.code_flow[1].message,
        "role \"RoleA\" can assume role \"RoleC\": its trust policy names it"
    );
    assert_eq!(
        c.chain,
        ["this account", "role \"RoleA\"", "role \"RoleC\""]
    );
    // Each hop is a related location too (the last one is the primary location itself).
    assert!(c.related.iter().any(|r| r.span == c.code_flow[0].span));
}

/// One hub role whose policy allows `role/spoke-*`, spokes trusting the account; an operator user can
/// assume the hub.
fn hub_and_spoke(k: &mut Kit, spokes: usize) {
    k.user("ops", Some("ops"), &[]);
    k.user_policy("ops", "assume-hub", &allow_assume("${role:hub}"));
    k.simple_role("hub", &trust_aws("arn:aws:iam::${this}:root"));
    k.role_policy(
        "hub",
        "assume-spokes",
        &allow_assume("arn:${partition}:iam::${this}:role/spoke-*"),
    );
    for i in 0..spokes {
        let name = format!("spoke-{i}");
        k.simple_role(&name, &trust_aws("arn:aws:iam::${this}:root"));
    }
    // Not a spoke: the hub cannot reach it.
    k.simple_role("audit", &trust_aws("arn:aws:iam::${this}:root"));
}

#[test]
fn hub_and_spoke_reports_each_spoke_chain() {
    let mut k = Kit::new();
    hub_and_spoke(&mut k, 3);
    let g = k.graph();
    assert_eq!(targets_of(&g, "hub"), vec!["spoke-0", "spoke-1", "spoke-2"]);
    assert_eq!(targets_of(&g, "ops"), vec!["hub"]);
    let f = k.run(&RoleChain);
    let mut res: Vec<&str> = f.iter().map(|f| f.resource.as_str()).collect();
    res.sort();
    assert_eq!(res, vec!["spoke-0", "spoke-1", "spoke-2"]);
    let s0 = f.iter().find(|f| f.resource == "spoke-0").unwrap();
    // The shortest path starts at the scanned user (certain) rather than the account node (uncertain), and
    // the trust-account hop names the hub's identity policy.
    assert_eq!(
        s0.message,
        "role \"spoke-0\" can be reached by chaining roles (user \"ops\" → role \"hub\" → role \"spoke-0\"): the \
         chained session is capped at one hour and the original caller's identity is lost unless a source \
         identity is carried along"
    );
    assert_eq!(
        s0.code_flow[1].message,
        "role \"hub\" can assume role \"spoke-0\": its trust policy trusts the account and identity policy \
         \"assume-spokes\" allows sts:AssumeRole on it"
    );
    assert!(s0.related.iter().any(|r| r.message
        == "identity policy \"assume-spokes\" allows sts:AssumeRole on role \"spoke-0\""));
}

#[test]
fn ci_runner_oidc_to_deploy_to_targets() {
    let mut k = Kit::new();
    k.simple_role(
        "deploy",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::${this}:oidc-provider/token.actions.githubusercontent.com"},
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                            "token.actions.githubusercontent.com:sub": "repo:acme/infra:ref:refs/heads/main"}}}]}"#,
    );
    k.role_policy(
        "deploy",
        "assume-targets",
        &allow_assume("arn:aws:iam::${this}:role/target-*"),
    );
    k.simple_role("target-app", &trust_aws("${role:deploy}"));
    k.simple_role("target-db", &trust_aws("arn:aws:iam::${this}:root"));
    let msgs = sorted_messages(&k);
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert_eq!(msgs[0].1, "target-app");
    assert!(msgs[0].2.contains(
        "(federated identity token.actions.githubusercontent.com → role \"deploy\" → role \"target-app\")"
    ));
    assert_eq!(msgs[1].1, "target-db");
}

#[test]
fn ec2_instance_profile_first_hop_is_exempt_from_the_cap() {
    let mut k = Kit::new();
    k.simple_role("app", &trust_service("ec2.amazonaws.com"));
    k.instance_profile("app_profile", "${rolename:app}");
    k.simple_role("data", &trust_aws("${role:app}"));
    let f = k.run(&RoleChain);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].message,
        "role \"data\" can be reached by chaining roles (service ec2.amazonaws.com → role \"app\" → role \"data\"): \
         role \"app\"'s sessions come from EC2 instance profiles, which AWS does not count as role chaining, so \
         the one-hour session cap does not apply, but the original caller's identity is lost"
    );
}

#[test]
fn longer_chains_are_reported_at_every_chained_hop() {
    let mut k = Kit::new();
    k.user("alice", Some("alice"), &[]);
    k.simple_role("r1", &trust_aws("${user:alice}"));
    k.simple_role("r2", &trust_aws("${role:r1}"));
    k.simple_role("r3", &trust_aws("${role:r2}"));
    let f = k.run(&RoleChain);
    let r3 = f.iter().find(|f| f.resource == "r3").expect("r3");
    assert!(r3
        .message
        .contains("(user \"alice\" → role \"r1\" → role \"r2\" → role \"r3\")"));
    assert_eq!(r3.code_flow.len(), 3);
    assert!(f.iter().any(|f| f.resource == "r2"));
    assert!(
        !f.iter().any(|f| f.resource == "r1"),
        "one hop is not a chain"
    );
}

#[test]
fn a_role_nobody_can_assume_starts_no_chain() {
    let mut k = Kit::new();
    k.role("orphan", Some("orphan"), None, None);
    k.simple_role("next", &trust_aws("${role:orphan}"));
    assert!(k.run(&RoleChain).is_empty());
}

#[test]
fn cycles_are_errors_when_certain() {
    let mut k = Kit::new();
    k.user("alice", Some("alice"), &[]);
    k.simple_role(
        "a",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["${user:alice}", "${role:b}"]}}]}"#,
    );
    k.simple_role("b", &trust_aws("${role:a}"));
    let f = k.run(&RoleChain);
    let cycles: Vec<_> = f.iter().filter(|f| f.message.contains("cycle")).collect();
    assert_eq!(cycles.len(), 1, "{f:#?}");
    let c = cycles[0];
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(c.resource, "a");
    assert_eq!(
        c.message,
        "roles \"a\" and \"b\" can assume each other in a cycle (role \"a\" → role \"b\" → role \"a\"): a session \
         can be refreshed forever (\"role juggling\"), outliving the revocation of the credentials that started it"
    );
    // It sits on a's trust entry that admits b.
    assert_eq!(k.text(c.primary), "${role:b}");
    assert_eq!(c.code_flow.len(), 2);
    // Hops inside the cycle are not reported again as chains.
    assert_eq!(f.len(), 1, "{f:#?}");
}

#[test]
fn self_trust_is_a_cycle_and_uncertain_cycles_are_warnings() {
    let mut k = Kit::new();
    k.simple_role("self", &trust_aws("${role:self}"));
    // An unresolved account may be this one: the cycle is possible, not certain.
    k.simple_role("x", &trust_aws("arn:aws:iam::${unknown:var.acct}:role/y"));
    k.simple_role("y", &trust_aws("arn:aws:iam::${unknown:var.acct}:role/x"));
    let msgs = sorted_messages(&k);
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert_eq!(msgs[0].0, Severity::Warning);
    assert!(
        msgs[0]
            .2
            .starts_with("roles \"x\" and \"y\" may assume each other in a cycle"),
        "{}",
        msgs[0].2
    );
    assert_eq!(msgs[1].0, Severity::Error);
    assert!(msgs[1]
        .2
        .starts_with("role \"self\" can assume itself (role \"self\" → role \"self\")"));
}

#[test]
fn dense_graphs_give_one_finding_per_trust_entry() {
    let mut k = Kit::new();
    k.user("alice", Some("alice"), &[]);
    for i in 0..30 {
        let name = format!("admin{i:02}");
        k.simple_role(&name, &trust_aws("${user:alice}"));
        k.role_policy(&name, "all", &allow_assume("*"));
    }
    for i in 0..30 {
        k.simple_role(
            &format!("target{i:02}"),
            &trust_aws("arn:aws:iam::${this}:root"),
        );
    }
    let f = k.run(&RoleChain);
    // Admins also reach each other (they trust the user only, not the account): 30 targets, one entry each.
    assert_eq!(
        f.len(),
        30,
        "{:#?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    let t = f.iter().find(|f| f.resource == "target00").unwrap();
    assert!(
        t.message.ends_with(
            "; this trust entry also admits 29 other assumable roles (\"admin01\", \"admin02\", \"admin03\" and 26 others)"
        ),
        "{}",
        t.message
    );
}

#[test]
fn service_linked_roles_are_exempt() {
    let mut k = Kit::new();
    k.user("alice", Some("alice"), &[]);
    k.simple_role("r1", &trust_aws("${user:alice}"));
    k.role(
        "slr",
        Some("AWSServiceRoleForX"),
        Some("/aws-service-role/x.amazonaws.com/"),
        Some(&trust_aws("${role:r1}")),
    );
    assert!(k.run(&RoleChain).is_empty());
}

#[test]
fn a_truncated_graph_says_so() {
    let mut k = Kit::new();
    k.user("alice", Some("alice"), &[]);
    k.simple_role("r1", &trust_aws("${user:alice}"));
    k.simple_role("r2", &trust_aws("${role:r1}"));
    k.simple_role("r3", &trust_aws("${role:r2}"));
    k.options.max_edges = 2;
    let g = k.graph();
    assert!(g.truncated());
    assert_eq!(g.edges().len(), 2);
    let f = k.run(&RoleChain);
    assert!(!f.is_empty());
    assert!(f.iter().all(|f| f.message.ends_with(
        "(the assume-role graph reached its size bound and was cut, so more chains may exist)"
    )));
}
