//! `trustlint graph --format mermaid|dot|json`: the effective assume-role graph (SPEC §5.2).
//!
//! JSON is the complete graph. The pictures are for people: nodes are grouped by account (and, in this
//! account, by module or template when there are several), role chains are drawn in orange and cycles in
//! red, edges that are not certain are dashed, roles that only one service or account can assume and that
//! lead nowhere are collapsed into one "N roles" node per principal, and a principal allowed
//! `sts:AssumeRole` on `*` gets one edge to the account node ("any role trusting it") instead of one per
//! role, so 500 roles stay readable.
//! Output is deterministic: nodes in id order, edges in (from, to, kind, position) order.
//!
//! JSON fields beyond SPEC §5.2's list: none. Values: node `id` is stable (`role:<key>`, `user:<key>`,
//! `service:ec2.amazonaws.com`, `federated:oidc:<host>`, `account:<id>|this|unknown`, `*`,
//! `external-role:<account>:<path><name>`); `account` is the 12-digit ID, `"this"` for the account the
//! scanned configuration is deployed to, `"*"`, or `null` when unknown or not applicable (services); `arn` is
//! readable (`arn:aws:iam::<this account>:role/path/name`); `file`/`line` are the declaration for scanned
//! items and `null` otherwise; an edge's `file`/`line` are the trust entry that admits `from`.

use crate::graph::{Edge, EdgeKind, Graph, Node, NodeKind};
use crate::source::{SourceMap, Span};
use crate::ScanOutput;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

/// At least this many unremarkable roles behind one principal are drawn as one node.
pub const COLLAPSE_MIN: usize = 3;

/// Renders the graph of a scan.
pub fn render(out: &ScanOutput, format: GraphFormat) -> String {
    let g = Graph::build(&out.inventory);
    render_graph(&g, &out.sources, format)
}

/// Renders an already built graph.
pub fn render_graph(g: &Graph, sources: &SourceMap, format: GraphFormat) -> String {
    match format {
        GraphFormat::Json => json(g, sources),
        GraphFormat::Mermaid => mermaid(g),
        GraphFormat::Dot => dot(g),
    }
}

// ---------------------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct JsonNode<'a> {
    id: &'a str,
    kind: &'static str,
    name: &'a str,
    account: Option<String>,
    arn: Option<&'a str>,
    file: Option<String>,
    line: Option<u32>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    file: Option<String>,
    line: Option<u32>,
    conditions: &'a [String],
    certain: bool,
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
}

fn location(sources: &SourceMap, span: Option<Span>) -> (Option<String>, Option<u32>) {
    match span {
        Some(s) => {
            let f = sources.get(s.file);
            if f.rel.is_empty() {
                (None, None)
            } else {
                (Some(f.rel.clone()), Some(f.position(s.start).line))
            }
        }
        None => (None, None),
    }
}

fn account_label(n: &Node) -> Option<String> {
    match n.kind {
        NodeKind::Service | NodeKind::Wildcard => None,
        _ => match &n.account {
            crate::graph::Account::Unknown => None,
            a => Some(a.label()),
        },
    }
}

fn json(g: &Graph, sources: &SourceMap) -> String {
    let nodes = g
        .nodes()
        .iter()
        .map(|n| {
            let (file, line) = location(sources, n.span);
            JsonNode {
                id: &n.id,
                kind: n.kind.as_str(),
                name: &n.name,
                account: account_label(n),
                arn: n.arn.as_deref(),
                file,
                line,
            }
        })
        .collect();
    let edges = g
        .edges()
        .iter()
        .filter_map(|e| {
            let (from, to) = (g.node(e.from)?, g.node(e.to)?);
            let (file, line) = location(sources, Some(e.span));
            Some(JsonEdge {
                from: &from.id,
                to: &to.id,
                kind: e.kind.as_str(),
                file,
                line,
                conditions: &e.conditions,
                certain: e.certain,
            })
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&JsonGraph { nodes, edges }).unwrap_or_else(|_| "{}".into()); // serialising plain structs cannot fail
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------------------
// What the pictures show
// ---------------------------------------------------------------------------------------------------------

/// The picture's content: which edges and nodes are highlighted, which roles are collapsed.
struct Picture {
    chain_edges: BTreeSet<usize>,
    cycle_edges: BTreeSet<usize>,
    chain_nodes: BTreeSet<usize>,
    cycle_nodes: BTreeSet<usize>,
    /// Principal → roles drawn as one "N roles" node behind it.
    collapsed: BTreeMap<usize, Vec<usize>>,
    hidden: BTreeSet<usize>,
    /// Edges not drawn one by one: principals allowed `sts:AssumeRole` on `*` get one edge to the account
    /// node ("any role that trusts the account") instead of one per role.
    folded: BTreeSet<usize>,
    /// (principal, account node) pairs drawn for folded edges, and whether any of them chains.
    anything: BTreeMap<(usize, usize), bool>,
}

fn picture(g: &Graph) -> Picture {
    let mut p = Picture {
        chain_edges: BTreeSet::new(),
        cycle_edges: BTreeSet::new(),
        chain_nodes: BTreeSet::new(),
        cycle_nodes: BTreeSet::new(),
        collapsed: BTreeMap::new(),
        hidden: BTreeSet::new(),
        folded: BTreeSet::new(),
        anything: BTreeMap::new(),
    };
    for c in g.chains() {
        p.chain_edges.extend(c.hops.iter().copied());
    }
    for c in g.cycles() {
        p.cycle_edges.extend(c.hops.iter().copied());
        p.cycle_nodes.extend(c.members.iter().copied());
    }
    // Administrators reach every role that trusts the account: one edge to the account node says so
    // (orange when it chains).
    if let Some(acct) = g.node_by_id("account:this") {
        for (ei, e) in g.edges().iter().enumerate() {
            if e.kind != EdgeKind::TrustAccount || p.cycle_edges.contains(&ei) {
                continue;
            }
            let universal = e.grant.and_then(|gi| g.grant(gi)).is_some_and(|gr| {
                !gr.not_resource && gr.patterns.iter().any(|gp| gp.display == "*")
            });
            if universal {
                p.folded.insert(ei);
                let chained = p.chain_edges.contains(&ei);
                let slot = p.anything.entry((e.from, acct)).or_insert(false);
                *slot |= chained;
            }
        }
    }
    for &ei in &p.chain_edges {
        if p.folded.contains(&ei) {
            continue;
        }
        if let Some(e) = g.edge(ei) {
            p.chain_nodes.insert(e.from);
            p.chain_nodes.insert(e.to);
        }
    }
    for (&(from, _), &chained) in &p.anything {
        if chained {
            p.chain_nodes.insert(from);
        }
    }
    // A role is unremarkable when exactly one principal can assume it (folded edges aside), that principal
    // is a service or an account, and the role leads nowhere.
    let mut behind: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, n) in g.nodes().iter().enumerate() {
        if n.kind != NodeKind::Role || !g.out_edges(i).is_empty() {
            continue;
        }
        if p.chain_nodes.contains(&i) || p.cycle_nodes.contains(&i) {
            continue;
        }
        let sources: BTreeSet<usize> = g
            .in_edges(i)
            .iter()
            .filter(|e| !p.folded.contains(e))
            .filter_map(|&e| g.edge(e))
            .map(|e| e.from)
            .collect();
        let [only] = sources.into_iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        if g.node(only)
            .is_some_and(|s| matches!(s.kind, NodeKind::Service | NodeKind::Account))
        {
            behind.entry(only).or_default().push(i);
        }
    }
    for (src, roles) in behind {
        if roles.len() >= COLLAPSE_MIN {
            p.hidden.extend(roles.iter().copied());
            p.collapsed.insert(src, roles);
        }
    }
    p
}

/// Account label → scope → nodes.
type Accounts = BTreeMap<String, BTreeMap<String, Vec<usize>>>;

/// How nodes are grouped: by account, then by scope (module or template) when there are several; nodes
/// without an account (services, federated identities, everyone) stand alone.
fn groups(g: &Graph, p: &Picture) -> (Accounts, Vec<usize>) {
    let mut by_account: Accounts = BTreeMap::new();
    let mut loose = Vec::new();
    for (i, n) in g.nodes().iter().enumerate() {
        if p.hidden.contains(&i) {
            continue;
        }
        let account = match (&n.kind, &n.account) {
            (NodeKind::Service | NodeKind::Federated | NodeKind::Wildcard, _) => None,
            (_, crate::graph::Account::This) => Some("this account".to_string()),
            (_, crate::graph::Account::Id(id)) => Some(format!("account {id}")),
            _ => None,
        };
        match account {
            Some(a) => {
                let scope = n
                    .key
                    .as_deref()
                    .and_then(|k| k.rsplit_once("::"))
                    .map(|(s, _)| s.to_string())
                    .unwrap_or_default();
                by_account
                    .entry(a)
                    .or_default()
                    .entry(scope)
                    .or_default()
                    .push(i);
            }
            None => loose.push(i),
        }
    }
    (by_account, loose)
}

fn edge_label(e: &Edge) -> Option<&'static str> {
    match e.kind {
        EdgeKind::TrustDirect => Some("direct"),
        EdgeKind::TrustAccount => Some("account"),
        EdgeKind::Service | EdgeKind::Federated => None,
    }
}

fn node_label(n: &Node) -> String {
    match n.kind {
        NodeKind::ExternalRole => format!("{} (not scanned)", n.name),
        _ => n.name.clone(),
    }
}

const LEGEND: &str = "trustlint assume-role graph: an arrow means \"can assume\"; dashed = not certain; orange = role chain; red = cycle";

// ---------------------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------------------

fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid_node(i: usize, n: &Node) -> String {
    let l = mermaid_text(&node_label(n));
    match n.kind {
        NodeKind::Role | NodeKind::ExternalRole => format!("n{i}[\"{l}\"]"),
        NodeKind::User => format!("n{i}([\"{l}\"])"),
        NodeKind::Group => format!("n{i}[[\"{l}\"]]"),
        NodeKind::Service => format!("n{i}{{{{\"{l}\"}}}}"),
        NodeKind::Federated => format!("n{i}[/\"{l}\"/]"),
        NodeKind::Account => format!("n{i}[(\"{l}\")]"),
        NodeKind::Wildcard => format!("n{i}((\"{l}\"))"),
    }
}

fn mermaid(g: &Graph) -> String {
    let p = picture(g);
    let (by_account, loose) = groups(g, &p);
    let mut s = String::new();
    let _ = writeln!(s, "flowchart LR");
    let _ = writeln!(s, "  %% {LEGEND}");
    for (ai, (account, scopes)) in by_account.iter().enumerate() {
        let _ = writeln!(s, "  subgraph a{ai}[\"{}\"]", mermaid_text(account));
        let nested = scopes.keys().filter(|k| !k.is_empty()).count() > 1;
        for (si, (scope, members)) in scopes.iter().enumerate() {
            let indent = if nested && !scope.is_empty() {
                let _ = writeln!(s, "    subgraph a{ai}s{si}[\"{}\"]", mermaid_text(scope));
                "      "
            } else {
                "    "
            };
            for &i in members {
                if let Some(n) = g.node(i) {
                    let _ = writeln!(s, "{indent}{}", mermaid_node(i, n));
                }
            }
            if nested && !scope.is_empty() {
                let _ = writeln!(s, "    end");
            }
        }
        let _ = writeln!(s, "  end");
    }
    for &i in &loose {
        if let Some(n) = g.node(i) {
            let _ = writeln!(s, "  {}", mermaid_node(i, n));
        }
    }
    for (&src, roles) in &p.collapsed {
        let _ = writeln!(s, "  c{src}[\"{} roles only it can assume\"]", roles.len());
    }
    let mut link = 0usize;
    let mut chain_links = Vec::new();
    let mut cycle_links = Vec::new();
    let mut dashed_links = Vec::new();
    for (ei, e) in g.edges().iter().enumerate() {
        if p.hidden.contains(&e.to) || p.folded.contains(&ei) {
            continue;
        }
        let arrow = if e.certain { "-->" } else { "-.->" };
        match edge_label(e) {
            Some(l) => {
                let _ = writeln!(s, "  n{} {arrow}|{l}| n{}", e.from, e.to);
            }
            None => {
                let _ = writeln!(s, "  n{} {arrow} n{}", e.from, e.to);
            }
        }
        if p.cycle_edges.contains(&ei) {
            cycle_links.push(link);
        } else if p.chain_edges.contains(&ei) {
            chain_links.push(link);
        } else if !e.certain {
            dashed_links.push(link);
        }
        link += 1;
    }
    for &src in p.collapsed.keys() {
        let _ = writeln!(s, "  n{src} --> c{src}");
        link += 1;
    }
    for (&(from, acct), &chained) in &p.anything {
        let _ = writeln!(s, "  n{from} -->|any role trusting it| n{acct}");
        if chained {
            chain_links.push(link);
        }
        link += 1;
    }
    let _ = link;
    let _ = writeln!(s, "  classDef external stroke-dasharray: 4 3");
    let _ = writeln!(s, "  classDef collapsed fill:#f4f4f4,stroke:#999999");
    let _ = writeln!(s, "  classDef chain stroke:#d97706,stroke-width:3px");
    let _ = writeln!(
        s,
        "  classDef cycle fill:#ffecec,stroke:#cc0000,stroke-width:3px"
    );
    let list = |v: Vec<String>| v.join(",");
    let externals: Vec<String> = g
        .nodes()
        .iter()
        .enumerate()
        .filter(|(i, n)| n.kind == NodeKind::ExternalRole && !p.hidden.contains(i))
        .map(|(i, _)| format!("n{i}"))
        .collect();
    if !externals.is_empty() {
        let _ = writeln!(s, "  class {} external", list(externals));
    }
    if !p.collapsed.is_empty() {
        let _ = writeln!(
            s,
            "  class {} collapsed",
            list(p.collapsed.keys().map(|i| format!("c{i}")).collect())
        );
    }
    let chain_only: Vec<String> = p
        .chain_nodes
        .iter()
        .filter(|i| !p.cycle_nodes.contains(i))
        .map(|i| format!("n{i}"))
        .collect();
    if !chain_only.is_empty() {
        let _ = writeln!(s, "  class {} chain", list(chain_only));
    }
    if !p.cycle_nodes.is_empty() {
        let _ = writeln!(
            s,
            "  class {} cycle",
            list(p.cycle_nodes.iter().map(|i| format!("n{i}")).collect())
        );
    }
    let nums = |v: &[usize]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    if !chain_links.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:#d97706,stroke-width:3px",
            nums(&chain_links)
        );
    }
    if !cycle_links.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:#cc0000,stroke-width:3px",
            nums(&cycle_links)
        );
    }
    if !dashed_links.is_empty() {
        let _ = writeln!(s, "  linkStyle {} stroke:#888888", nums(&dashed_links));
    }
    s
}

// ---------------------------------------------------------------------------------------------------------
// DOT
// ---------------------------------------------------------------------------------------------------------

fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_node(i: usize, n: &Node, p: &Picture) -> String {
    let shape = match n.kind {
        NodeKind::Role | NodeKind::ExternalRole => "box",
        NodeKind::User => "ellipse",
        NodeKind::Group => "box3d",
        NodeKind::Service => "hexagon",
        NodeKind::Federated => "parallelogram",
        NodeKind::Account => "cylinder",
        NodeKind::Wildcard => "doublecircle",
    };
    let mut attrs = format!("label=\"{}\", shape={shape}", dot_text(&node_label(n)));
    if n.kind == NodeKind::ExternalRole {
        attrs.push_str(", style=dashed");
    }
    if p.cycle_nodes.contains(&i) {
        attrs.push_str(", style=filled, fillcolor=\"#ffecec\", color=\"#cc0000\", penwidth=2");
    } else if p.chain_nodes.contains(&i) {
        attrs.push_str(", color=\"#d97706\", penwidth=2");
    }
    format!("n{i} [{attrs}];")
}

fn dot(g: &Graph) -> String {
    let p = picture(g);
    let (by_account, loose) = groups(g, &p);
    let mut s = String::new();
    let _ = writeln!(s, "// {LEGEND}");
    let _ = writeln!(s, "digraph trustlint {{");
    let _ = writeln!(s, "  rankdir=LR;");
    let _ = writeln!(s, "  graph [fontname=\"Helvetica\", fontsize=11];");
    let _ = writeln!(s, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for (ai, (account, scopes)) in by_account.iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_a{ai} {{");
        let _ = writeln!(
            s,
            "    label=\"{}\"; style=rounded; color=\"#888888\";",
            dot_text(account)
        );
        let nested = scopes.keys().filter(|k| !k.is_empty()).count() > 1;
        for (si, (scope, members)) in scopes.iter().enumerate() {
            let inner = nested && !scope.is_empty();
            let indent = if inner { "      " } else { "    " };
            if inner {
                let _ = writeln!(s, "    subgraph cluster_a{ai}s{si} {{");
                let _ = writeln!(s, "      label=\"{}\"; style=dotted;", dot_text(scope));
            }
            for &i in members {
                if let Some(n) = g.node(i) {
                    let _ = writeln!(s, "{indent}{}", dot_node(i, n, &p));
                }
            }
            if inner {
                let _ = writeln!(s, "    }}");
            }
        }
        let _ = writeln!(s, "  }}");
    }
    for &i in &loose {
        if let Some(n) = g.node(i) {
            let _ = writeln!(s, "  {}", dot_node(i, n, &p));
        }
    }
    for (&src, roles) in &p.collapsed {
        let _ = writeln!(
            s,
            "  c{src} [label=\"{} roles only it can assume\", shape=folder, style=filled, fillcolor=\"#f4f4f4\", color=\"#999999\"];",
            roles.len()
        );
    }
    for (ei, e) in g.edges().iter().enumerate() {
        if p.hidden.contains(&e.to) || p.folded.contains(&ei) {
            continue;
        }
        let mut attrs = Vec::new();
        if let Some(l) = edge_label(e) {
            attrs.push(format!("label=\"{l}\""));
        }
        if !e.certain {
            attrs.push("style=dashed".to_string());
        }
        if p.cycle_edges.contains(&ei) {
            attrs.push("color=\"#cc0000\", penwidth=2.5".to_string());
        } else if p.chain_edges.contains(&ei) {
            attrs.push("color=\"#d97706\", penwidth=2.5".to_string());
        }
        if attrs.is_empty() {
            let _ = writeln!(s, "  n{} -> n{};", e.from, e.to);
        } else {
            let _ = writeln!(s, "  n{} -> n{} [{}];", e.from, e.to, attrs.join(", "));
        }
    }
    for &src in p.collapsed.keys() {
        let _ = writeln!(s, "  n{src} -> c{src};");
    }
    for (&(from, acct), &chained) in &p.anything {
        let color = if chained {
            ", color=\"#d97706\", penwidth=2.5"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  n{from} -> n{acct} [label=\"any role trusting it\", style=bold{color}];"
        );
    }
    let _ = writeln!(s, "}}");
    s
}
