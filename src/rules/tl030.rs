//! TL030 same-account-direct-trust: a trust policy names a same-account role or user directly, while that
//! principal's identity policies restrict `sts:AssumeRole` to resources that do not include the role. In the
//! same account AWS evaluates the trust policy alone for a principal-level match, so the restriction does
//! not apply (aws-trust-semantics.md §A1).

use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::graph::{describe, Bypass, Graph};

static META: RuleMeta = RuleMeta {
    id: "TL030",
    slug: "same-account-direct-trust",
    default_severity: Severity::Warning,
    short: "A trust policy names a same-account principal directly, bypassing that principal's identity-policy restriction on sts:AssumeRole",
    page: include_str!("../../rules/TL030.md"),
    security_severity: "5.5",
    tags: &["security", "iam", "least-privilege"],
};

/// At most this many resources are listed in a message.
const LISTED_RESOURCES: usize = 3;

pub fn bypass_finding(g: &Graph, b: &Bypass) -> Option<Finding> {
    let e = g.edge(b.edge)?;
    let role = g.node(e.to)?;
    let caller = g.node(e.from)?;
    let mut policies: Vec<String> = Vec::new();
    let mut resources: Vec<String> = Vec::new();
    for gr in b.grants.iter().filter_map(|&gi| g.grant(gi)) {
        if let Some(p) = g.policy(gr.policy) {
            if !policies.contains(&p.name) {
                policies.push(p.name.clone());
            }
        }
        let r = gr.resources_display(LISTED_RESOURCES);
        if !resources.contains(&r) {
            resources.push(r);
        }
    }
    let policy_text = if policies.len() == 1 {
        format!("identity policy {}", describe::names(&policies, 3))
    } else {
        format!("identity policies {}", describe::names(&policies, 3))
    };
    let message = format!(
        "role \"{}\" trusts {} directly, so it can assume the role even though its {policy_text} \
         allows sts:AssumeRole only on {}: in the same account AWS does not consult the caller's identity \
         policy when the trust policy names it",
        role.name,
        g.describe_node(e.from),
        resources.join("; "),
    );
    let resource = role.resource.clone().unwrap_or_else(|| role.name.clone());
    let mut f = Finding::new("TL030", Severity::Warning, message, e.span, resource)
        .key(format!("bypass|{}", caller.id));
    for gr in b.grants.iter().filter_map(|&gi| g.grant(gi)) {
        let name = g.policy(gr.policy).map(|p| p.name.as_str()).unwrap_or("");
        let span = gr
            .patterns
            .iter()
            .find_map(|p| p.span)
            .or(gr.span)
            .or_else(|| g.policy(gr.policy).and_then(|p| p.span));
        if let Some(span) = span {
            f = f.related(
                span,
                format!(
                    "identity policy \"{name}\" restricts sts:AssumeRole here; the restriction does not apply to role \"{}\"",
                    role.name
                ),
            );
        }
    }
    if let Some(span) = caller.span {
        f = f.related(
            span,
            format!("{} is declared here", g.describe_node(e.from)),
        );
    }
    Some(f)
}

pub struct SameAccountDirectTrust;

impl Rule for SameAccountDirectTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_graph(&self) -> bool {
        true
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        out.extend(
            g.direct_trust_bypasses()
                .iter()
                .filter_map(|b| bypass_finding(g, b)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::{allow, run, service, trust};

    #[test]
    fn table() {
        let a = "arn:aws:iam::111111111111:role/a";
        let path = "arn:aws:iam::111111111111:role/allowed/*";
        let star = "*";
        // (case, caller's policy, target path, trust of the target, fires)
        let cases = [
            (
                "restricted elsewhere, trusted directly",
                Some(path),
                "/",
                trust(a),
                true,
            ),
            (
                "restriction covers the role",
                Some(path),
                "/allowed/",
                trust(a),
                false,
            ),
            ("no sts restriction at all", None, "/", trust(a), false),
            ("Allow on *", Some(star), "/", trust(a), false),
            (
                "account trust: the policy does apply",
                Some(path),
                "/",
                trust("arn:aws:iam::111111111111:root"),
                false,
            ),
            (
                "another account's role",
                Some(path),
                "/",
                trust("arn:aws:iam::222222222222:role/a"),
                false,
            ),
        ];
        for (case, policy, target_path, target_trust, fires) in cases {
            let p = policy.map(allow);
            let roles = [
                ("a", "/", service("lambda.amazonaws.com"), p),
                ("t", target_path, target_trust, None),
            ];
            let specs: Vec<(&str, &str, &str, Option<&str>)> = roles
                .iter()
                .map(|(n, pa, t, i)| (*n, *pa, t.as_str(), i.as_deref()))
                .collect();
            let got = run(&SameAccountDirectTrust, &specs);
            assert_eq!(got.len(), usize::from(fires), "{case}: {got:#?}");
            if fires {
                assert_eq!(got[0].resource, "t");
                assert!(
                    got[0]
                        .message
                        .starts_with("role \"t\" trusts role \"a\" directly"),
                    "{}",
                    got[0].message
                );
                assert!(got[0].message.contains("identity policy \"a-policy\" allows sts:AssumeRole only on arn:aws:iam::111111111111:role/allowed/*"), "{}", got[0].message);
            }
        }
    }
}
