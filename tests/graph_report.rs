//! `trustlint graph` output: JSON shape (SPEC §5.2), Mermaid and DOT pictures.

mod graph_support;

use graph_support::*;
use trustlint::report::graph::{render, render_graph, GraphFormat};

fn example() -> Kit {
    let mut k = Kit::new();
    k.user("ops", Some("ops"), &[]);
    k.user_policy("ops", "assume-hub", &allow_assume("${role:hub}"));
    k.simple_role("hub", &trust_aws("arn:aws:iam::${this}:root"));
    k.role_policy(
        "hub",
        "assume-spokes",
        &allow_assume("arn:${partition}:iam::${this}:role/spoke-*"),
    );
    k.simple_role("spoke-a", &trust_aws("arn:aws:iam::${this}:root"));
    k.simple_role(
        "juggle-1",
        r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["${role:juggle-2}", "arn:aws:iam::222222222222:root"]}}]}"#,
    );
    k.simple_role("juggle-2", &trust_aws("${role:juggle-1}"));
    k.simple_role("lambda", &trust_service("lambda.amazonaws.com"));
    k
}

#[test]
fn json_has_the_spec_shape() {
    let k = example();
    let out = render_graph(&k.graph(), &k.sources, GraphFormat::Json);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    let hub = nodes.iter().find(|n| n["name"] == "hub").unwrap();
    assert_eq!(
        hub,
        &serde_json::json!({
            "id": "role:test::hub", "kind": "role", "name": "hub", "account": "this",
            "arn": "arn:aws:iam::<this account>:role/hub", "file": "decl/hub", "line": 1
        })
    );
    let kinds: std::collections::BTreeSet<&str> =
        nodes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["account", "role", "service", "user"]
    );
    let svc = nodes.iter().find(|n| n["kind"] == "service").unwrap();
    assert_eq!(svc["id"], "service:lambda.amazonaws.com");
    assert_eq!(svc["account"], serde_json::Value::Null);
    let edges = v["edges"].as_array().unwrap();
    let e = edges
        .iter()
        .find(|e| e["from"] == "role:test::hub" && e["to"] == "role:test::spoke-a")
        .unwrap();
    assert_eq!(e["kind"], "trust-account");
    assert_eq!(e["certain"], true);
    assert_eq!(e["line"], 1);
    assert!(e["file"].as_str().unwrap().starts_with("spoke-a.trust"));
    assert_eq!(e["conditions"], serde_json::json!([]));
    let ext = edges
        .iter()
        .find(|e| e["from"] == "account:222222222222")
        .unwrap();
    assert_eq!(ext["certain"], false);
    assert_eq!(
        ext["conditions"],
        serde_json::json!(["needs an identity-policy Allow in that account"])
    );
    assert!(out.ends_with("}\n"));
}

#[test]
fn pictures_highlight_chains_and_cycles() {
    let k = example();
    let g = k.graph();
    let m = render_graph(&g, &k.sources, GraphFormat::Mermaid);
    insta::assert_snapshot!("mermaid_example", m);
    let d = render_graph(&g, &k.sources, GraphFormat::Dot);
    insta::assert_snapshot!("dot_example", d);
}

#[test]
fn render_reads_a_scan_output_and_is_deterministic() {
    let k = example();
    let out = trustlint::ScanOutput {
        sources: k.sources,
        inventory: k.inv,
        findings: Vec::new(),
        stats: Default::default(),
    };
    for f in [GraphFormat::Json, GraphFormat::Mermaid, GraphFormat::Dot] {
        let a = render(&out, f);
        assert_eq!(a, render(&out, f));
        assert!(a.contains("juggle-1"));
    }
}

#[test]
fn five_hundred_roles_stay_readable() {
    let mut k = Kit::new();
    for i in 0..400 {
        k.simple_role(
            &format!("fn-{i:03}"),
            &trust_service("lambda.amazonaws.com"),
        );
    }
    for i in 0..90 {
        k.simple_role(
            &format!("app-{i:02}"),
            &trust_aws("arn:aws:iam::${this}:root"),
        );
    }
    k.simple_role("ci", &trust_service("codebuild.amazonaws.com"));
    k.role_policy(
        "ci",
        "deploy",
        &allow_assume("arn:aws:iam::${this}:role/app-0*"),
    );
    let g = k.graph();
    let m = render_graph(&g, &k.sources, GraphFormat::Mermaid);
    assert!(m.contains("c"), "{m}");
    assert!(m.contains("[\"400 roles only it can assume\"]"), "{m}");
    // 80 of the app roles are only reachable from the account node: collapsed too.
    assert!(m.contains("[\"80 roles only it can assume\"]"), "{m}");
    assert!(!m.contains("fn-123"));
    // The chained app roles stay visible.
    assert!(m.contains("app-05"));
    assert!(m.lines().count() < 80, "{} lines", m.lines().count());
    let d = render_graph(&g, &k.sources, GraphFormat::Dot);
    assert!(d.contains("label=\"400 roles only it can assume\""));
    // JSON is never collapsed.
    let j = render_graph(&g, &k.sources, GraphFormat::Json);
    assert!(j.contains("fn-123"));
}

#[test]
fn labels_are_escaped() {
    let mut k = Kit::new();
    k.role(
        "weird",
        Some("we\"ird<x>"),
        None,
        Some(&trust_service("ec2.amazonaws.com")),
    );
    let g = k.graph();
    let m = render_graph(&g, &k.sources, GraphFormat::Mermaid);
    assert!(m.contains("we#quot;ird#lt;x#gt;"), "{m}");
    let d = render_graph(&g, &k.sources, GraphFormat::Dot);
    assert!(d.contains("we\\\"ird<x>"), "{d}");
}

/// Graphviz accepts the DOT output (skipped where `dot` is not installed).
#[test]
fn graphviz_accepts_dot() {
    let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("graphviz not installed; skipped");
        return;
    };
    let k = example();
    let d = render_graph(&k.graph(), &k.sources, GraphFormat::Dot);
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(d.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn administrators_get_one_edge_to_the_account() {
    let mut k = Kit::new();
    k.simple_role("admin", &trust_service("ec2.amazonaws.com"));
    k.role_managed("admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    for i in 0..50 {
        k.simple_role(
            &format!("app-{i:02}"),
            &trust_aws("arn:aws:iam::${this}:root"),
        );
    }
    let g = k.graph();
    let m = render_graph(&g, &k.sources, GraphFormat::Mermaid);
    let admin = g.node_by_key(&key("admin")).unwrap();
    let acct = g.node_by_id("account:this").unwrap();
    assert!(
        m.contains(&format!("n{admin} -->|any role trusting it| n{acct}")),
        "{m}"
    );
    assert!(!m.contains(&format!("n{admin} -->|account|")), "{m}");
    // The roles behind the account are collapsed, and the admin's 50 edges are one.
    assert!(m.lines().count() < 30, "{m}");
    let d = render_graph(&g, &k.sources, GraphFormat::Dot);
    // The admin's sessions chain into those roles (EC2 → admin → app-…): the folded edge is orange.
    assert!(d.contains(&format!(
        "n{admin} -> n{acct} [label=\"any role trusting it\", style=bold, color=\"#d97706\", penwidth=2.5];"
    )));
    // JSON keeps every edge.
    let j: serde_json::Value =
        serde_json::from_str(&render_graph(&g, &k.sources, GraphFormat::Json)).unwrap();
    let from_admin = j["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == "role:test::admin")
        .count();
    assert_eq!(from_admin, 50);
}
