//! End to end over the Terraform and CloudFormation fixtures in testdata/graph: scan, graph, TL003, TL030.

use std::path::PathBuf;
use trustlint::config::Config;
use trustlint::graph::Graph;
use trustlint::ScanOutput;

fn scan(case: &str, frontend: &str) -> ScanOutput {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/graph")
        .join(case)
        .join(frontend);
    trustlint::scan_paths(&[dir], &Config::default()).expect("scan")
}

/// The IAM names a role can assume, with whether every edge is certain.
fn targets(g: &Graph, from: &str) -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = g
        .edges()
        .iter()
        .filter(|e| g.node(e.from).is_some_and(|n| n.name == from))
        .filter_map(|e| g.node(e.to).map(|n| (n.name.clone(), e.certain)))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn text(out: &ScanOutput, span: trustlint::source::Span) -> String {
    out.sources.get(span.file).slice(span).to_string()
}

fn four_roles(frontend: &str, role_c_resource: &str) {
    let out = scan("four-roles", frontend);
    let g = Graph::build(&out.inventory);
    assert_eq!(
        targets(&g, "RoleA"),
        vec![
            ("RoleC".to_string(), true),
            ("RoleD".to_string(), true),
            ("RoleE".to_string(), true)
        ]
    );
    let tl030: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "TL030")
        .collect();
    assert_eq!(tl030.len(), 1, "{tl030:#?}");
    assert_eq!(tl030[0].resource, role_c_resource);
    assert!(tl030[0]
        .message
        .contains("identity policy \"assume-allowed-path\""));
    let at = text(&out, tl030[0].primary);
    assert!(
        at.contains("role_a") || at.contains("RoleA"),
        "TL030 points at {at:?}"
    );
}

#[test]
fn four_roles_terraform() {
    four_roles("terraform", "aws_iam_role.role_c");
}

#[test]
fn four_roles_cloudformation() {
    four_roles("cloudformation", "RoleC");
}

fn hub_and_spoke(frontend: &str) {
    let out = scan("hub-and-spoke", frontend);
    let g = Graph::build(&out.inventory);
    let hub: Vec<String> = targets(&g, "hub").into_iter().map(|t| t.0).collect();
    assert_eq!(
        hub,
        vec!["spoke-billing", "spoke-network", "spoke-security"]
    );
    let chains: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "TL003")
        .collect();
    assert_eq!(chains.len(), 3, "{chains:#?}");
    for f in chains {
        assert!(
            f.message.contains(
                "can be reached by chaining roles (user \"ops\" → role \"hub\" → role \"spoke-"
            ),
            "{}",
            f.message
        );
        assert_eq!(f.code_flow.len(), 2);
    }
}

#[test]
fn hub_and_spoke_terraform() {
    hub_and_spoke("terraform");
}

#[test]
fn hub_and_spoke_cloudformation() {
    hub_and_spoke("cloudformation");
}

fn ci_runners(frontend: &str) {
    let out = scan("ci-runners", frontend);
    let g = Graph::build(&out.inventory);
    let ci: Vec<String> = targets(&g, "ci-deploy").into_iter().map(|t| t.0).collect();
    assert_eq!(ci, vec!["app-deployer", "db-migrator"]);
    let mut chains: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "TL003")
        .map(|f| f.message.clone())
        .collect();
    chains.sort();
    assert_eq!(chains.len(), 2, "{chains:#?}");
    for (m, target) in chains.iter().zip(["app-deployer", "db-migrator"]) {
        assert!(
            m.starts_with(&format!(
                "role \"{target}\" can be reached by chaining roles (federated identity token.actions.githubusercontent.com → role \"ci-deploy\" → role \"{target}\")"
            )),
            "{m}"
        );
    }
}

#[test]
fn ci_runners_terraform() {
    ci_runners("terraform");
}

#[test]
fn ci_runners_cloudformation() {
    ci_runners("cloudformation");
}

/// Every scannable project of the corpus: the graph builds, renders in every format, and renders the same
/// twice. Skipped when the corpus is absent.
#[test]
fn corpus_graph_smoke() {
    use trustlint::report::graph::{render_graph, GraphFormat};
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!("corpus not present; skipped");
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut roles = 0usize;
    let mut edges = 0usize;
    for dir in dirs {
        let out =
            trustlint::scan_paths(std::slice::from_ref(&dir), &Config::default()).expect("scan");
        let g = Graph::build(&out.inventory);
        roles += out.inventory.roles.len();
        edges += g.edges().len();
        for f in [GraphFormat::Json, GraphFormat::Mermaid, GraphFormat::Dot] {
            let a = render_graph(&g, &out.sources, f);
            let b = render_graph(&Graph::build(&out.inventory), &out.sources, f);
            assert_eq!(a, b, "{} renders differently twice", dir.display());
        }
        let _ = (g.chains(), g.cycles(), g.direct_trust_bypasses());
    }
    eprintln!("corpus: {roles} roles, {edges} edges");
}
