//! TL003 role-chain: effective paths of two or more assume-role hops, and cycles ("role juggling").
//!
//! One finding per trust entry that admits a role which can itself be assumed, carrying the shortest known
//! path through it as a code flow; one finding per cycle group. Both come from [`crate::graph::Graph`].

use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Related, Severity};
use crate::graph::{describe, Chain, Cycle, EdgeKind, Graph};
use rayon::prelude::*;

static META: RuleMeta = RuleMeta {
    id: "TL003",
    slug: "role-chain",
    default_severity: Severity::Warning,
    short: "A role can be reached through a chain of two or more assume-role hops, or roles assume each other in a cycle",
    page: include_str!("../../rules/TL003.md"),
    security_severity: "5.0",
    tags: &["security", "iam", "role-chaining"],
};

/// At most this many other roles are named in a message.
const NAMED_OTHERS: usize = 3;

/// What one hop means, for code-flow steps: `role "a" can assume role "b": its trust policy names it`.
pub fn hop_message(g: &Graph, edge: usize) -> String {
    let Some(e) = g.edge(edge) else {
        return String::new();
    };
    let how = match e.kind {
        EdgeKind::TrustDirect => "its trust policy names it".to_string(),
        EdgeKind::TrustAccount => {
            let policy = e
                .grant
                .and_then(|gi| g.grant(gi))
                .and_then(|gr| g.policy(gr.policy))
                .map(|p| {
                    format!(
                        " and identity policy \"{}\" allows sts:AssumeRole on it",
                        p.name
                    )
                })
                .unwrap_or_default();
            format!("its trust policy trusts the account{policy}")
        }
        EdgeKind::Service => "its trust policy trusts the service".to_string(),
        EdgeKind::Federated => "its trust policy trusts the identity provider".to_string(),
    };
    let unsure = if e.certain {
        ""
    } else {
        " (not certain: rests on unresolved values or another account's policies)"
    };
    format!(
        "{} can assume {}: {how}{unsure}",
        g.describe_node(e.from),
        g.describe_node(e.to)
    )
}

/// `service ec2.amazonaws.com → role "a" → role "b"`.
fn path_text(g: &Graph, hops: &[usize], shortened: bool) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(hops.len() + 1);
    if shortened {
        parts.push("…".into());
    }
    if let Some(first) = hops.first().and_then(|&h| g.edge(h)) {
        parts.push(g.describe_node(first.from));
    }
    for e in hops.iter().filter_map(|&h| g.edge(h)) {
        parts.push(g.describe_node(e.to));
    }
    parts.join(" → ")
}

/// The principals along `hops`, first to last.
fn chain_names(g: &Graph, hops: &[usize]) -> Vec<String> {
    let edges: Vec<_> = hops.iter().filter_map(|&h| g.edge(h)).collect();
    let first = edges.first().map(|e| g.describe_node(e.from));
    first
        .into_iter()
        .chain(edges.iter().map(|e| g.describe_node(e.to)))
        .collect()
}

fn steps(g: &Graph, hops: &[usize]) -> Vec<Related> {
    hops.iter()
        .filter_map(|&h| {
            g.edge(h).map(|e| Related {
                span: e.span,
                message: hop_message(g, h),
            })
        })
        .collect()
}

/// Adds each hop and the identity statements that allow account-level hops as related locations.
fn with_hops(mut f: Finding, g: &Graph, hops: &[usize]) -> Finding {
    for &h in hops {
        let Some(e) = g.edge(h) else { continue };
        f = f.related(e.span, hop_message(g, h));
        if let Some(gr) = e.grant.and_then(|gi| g.grant(gi)) {
            if let Some(span) = gr.span {
                let name = g.policy(gr.policy).map(|p| p.name.as_str()).unwrap_or("");
                f = f.related(
                    span,
                    format!(
                        "identity policy \"{name}\" allows sts:AssumeRole on {}",
                        g.describe_node(e.to)
                    ),
                );
            }
        }
    }
    f
}

fn truncation_note(g: &Graph) -> &'static str {
    if g.truncated() {
        " (the assume-role graph reached its size bound and was cut, so more chains may exist)"
    } else {
        ""
    }
}

pub fn chain_finding(g: &Graph, c: &Chain) -> Option<Finding> {
    let last = g.edge(c.last())?;
    let target = g.node(last.to)?;
    let prev = g.node(last.from)?;
    let path = path_text(g, &c.hops, c.shortened);
    let verb = if c.certain { "can" } else { "may" };
    let consequence = if c.ec2_exempt {
        let profile = if prev.instance_profile.is_some() {
            " instance profiles"
        } else {
            ""
        };
        format!(
            "{}'s sessions come from EC2{profile}, which AWS does not count as role chaining, so the one-hour \
             session cap does not apply, but the original caller's identity is lost",
            g.describe_node(last.from)
        )
    } else {
        "the chained session is capped at one hour and the original caller's identity is lost unless a \
         source identity is carried along"
            .to_string()
    };
    let others = if c.others.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = c
            .others
            .iter()
            .filter_map(|&o| g.node(o))
            .map(|n| n.name.clone())
            .collect();
        format!(
            "; this trust entry also admits {} other assumable role{} ({})",
            c.others.len(),
            if c.others.len() == 1 { "" } else { "s" },
            describe::names(&names, NAMED_OTHERS)
        )
    };
    let message = format!(
        "role \"{}\" {verb} be reached by chaining roles ({path}): {consequence}{others}{}",
        target.name,
        truncation_note(g)
    );
    let resource = target
        .resource
        .clone()
        .unwrap_or_else(|| target.name.clone());
    let mut f = Finding::new("TL003", Severity::Warning, message, last.span, resource)
        .key(format!("chain|{}|{}", prev.id, last.kind.as_str()));
    f.code_flow = steps(g, &c.hops);
    f.chain = chain_names(g, &c.hops);
    Some(with_hops(f, g, &c.hops))
}

pub fn cycle_finding(g: &Graph, c: &Cycle) -> Option<Finding> {
    let last = g.edge(*c.hops.last()?)?;
    let start = g.node(last.to)?;
    let path = path_text(g, &c.hops, false);
    let (severity, verb) = if c.certain {
        (Severity::Error, "can")
    } else {
        // Edges resting on unknown values never make an error.
        (Severity::Warning, "may")
    };
    let who = if c.hops.len() == 1 {
        format!("role \"{}\" {verb} assume itself", start.name)
    } else {
        let names: Vec<String> = c
            .hops
            .iter()
            .filter_map(|&h| g.edge(h))
            .filter_map(|e| g.node(e.from))
            .map(|n| n.name.clone())
            .collect();
        format!(
            "roles {} {verb} assume each other in a cycle",
            describe::names(&names, NAMED_OTHERS + 2)
        )
    };
    let group = if c.members.len() > c.hops.len() {
        format!("; {} roles belong to this cycle group", c.members.len())
    } else {
        String::new()
    };
    let message = format!(
        "{who} ({path}): a session can be refreshed forever (\"role juggling\"), outliving the revocation of \
         the credentials that started it{group}{}",
        truncation_note(g)
    );
    let resource = start.resource.clone().unwrap_or_else(|| start.name.clone());
    let members: Vec<&str> = c
        .members
        .iter()
        .take(20)
        .filter_map(|&m| g.node(m))
        .map(|n| n.id.as_str())
        .collect();
    let mut f = Finding::new("TL003", severity, message, last.span, resource)
        .key(format!("cycle|{}", members.join(",")));
    f.code_flow = steps(g, &c.hops);
    f.chain = chain_names(g, &c.hops);
    Some(with_hops(f, g, &c.hops))
}

pub struct RoleChain;

impl Rule for RoleChain {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        // The graph rules run after everything else: chains and cycles are found side by side.
        let (chains, cycles) = rayon::join(
            || {
                g.chains()
                    .par_iter()
                    .filter_map(|c| chain_finding(g, c))
                    .collect::<Vec<_>>()
            },
            || {
                g.cycles()
                    .par_iter()
                    .filter_map(|c| cycle_finding(g, c))
                    .collect::<Vec<_>>()
            },
        );
        out.extend(chains);
        out.extend(cycles);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::{allow, run, service, trust};

    /// A role as (name, path, trust, identity policy).
    type Spec = (&'static str, &'static str, String, Option<String>);
    /// An expected finding as (resource, severity, message start).
    type Expect = (&'static str, Severity, &'static str);

    #[test]
    fn table() {
        let a = "arn:aws:iam::111111111111:role/a";
        let b = "arn:aws:iam::111111111111:role/b";
        let root = "arn:aws:iam::111111111111:root";
        let cases: Vec<(&str, Vec<Spec>, Vec<Expect>)> = vec![
            (
                "one hop is no chain",
                vec![("a", "/", service("lambda.amazonaws.com"), None)],
                vec![],
            ),
            (
                "service → a → b",
                vec![
                    ("a", "/", service("lambda.amazonaws.com"), None),
                    ("b", "/", trust(a), None),
                ],
                vec![("b", Severity::Warning, "role \"b\" can be reached by chaining roles (service lambda.amazonaws.com → role \"a\" → role \"b\")")],
            ),
            (
                "account trust needs the identity Allow",
                vec![
                    ("a", "/", service("lambda.amazonaws.com"), None),
                    ("b", "/", trust(root), None),
                ],
                vec![],
            ),
            (
                "account trust with the identity Allow",
                vec![
                    ("a", "/", service("lambda.amazonaws.com"), Some(allow(b))),
                    ("b", "/", trust(root), None),
                ],
                vec![("b", Severity::Warning, "role \"b\" can be reached by chaining roles (service lambda.amazonaws.com → role \"a\" → role \"b\")")],
            ),
            (
                "EC2 sessions are not chaining",
                vec![
                    ("a", "/", service("ec2.amazonaws.com"), None),
                    ("b", "/", trust(a), None),
                ],
                vec![("b", Severity::Warning, "role \"b\" can be reached by chaining roles (service ec2.amazonaws.com → role \"a\" → role \"b\"): role \"a\"'s sessions come from EC2, which AWS does not count")],
            ),
            (
                "cycle",
                vec![("a", "/", trust(b), None), ("b", "/", trust(a), None)],
                vec![("a", Severity::Error, "roles \"a\" and \"b\" can assume each other in a cycle")],
            ),
        ];
        for (case, roles, expected) in cases {
            let specs: Vec<(&str, &str, &str, Option<&str>)> = roles
                .iter()
                .map(|(n, p, t, i)| (*n, *p, t.as_str(), i.as_deref()))
                .collect();
            let mut got: Vec<_> = run(&RoleChain, &specs)
                .into_iter()
                .map(|f| (f.resource, f.severity, f.message))
                .collect();
            got.sort();
            assert_eq!(got.len(), expected.len(), "{case}: {got:#?}");
            for ((r, s, m), (er, es, em)) in got.iter().zip(&expected) {
                assert_eq!((r.as_str(), *s), (*er, *es), "{case}");
                assert!(m.starts_with(em), "{case}: {m}");
            }
        }
    }
}
