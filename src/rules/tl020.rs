//! TL020 multi-service-trust: more than one distinct AWS service principal is trusted by one role.

use std::collections::BTreeSet;

use super::common::{self, Grant, TrustTarget, World};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::Principal;
use crate::value::Guard;

/// Service sets AWS itself requires in one trust policy (each documented on the rule page):
/// Lambda@Edge execution roles (CloudFront Developer Guide, "Set up IAM permissions and roles for
/// Lambda@Edge"), and the AWS Data Pipeline pipeline role (Data Pipeline Developer Guide, "IAM Roles for
/// AWS Data Pipeline").
pub const REQUIRED_SETS: &[&[&str]] = &[
    &["lambda", "edgelambda"],
    &["datapipeline", "elasticmapreduce"],
];

fn message(target: &TrustTarget, shown: &[String], when: &str) -> String {
    format!(
        "{} trusts {} AWS services ({}){when}, so the workloads of each service get the permissions all of them need; use one role per service",
        target.subject(),
        shown.len(),
        shown.join(", ")
    )
}

pub struct MultiServiceTrust;

pub static META: RuleMeta = RuleMeta {
    id: "TL020",
    slug: "multi-service-trust",
    default_severity: Severity::Warning,
    short: "A role trusts more than one AWS service principal",
    page: include_str!("../../rules/TL020.md"),
    security_severity: "4.3",
    tags: &["security", "iam", "least-privilege"],
};

impl Rule for MultiServiceTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let allowed: Vec<BTreeSet<String>> = ctx
            .config
            .rule(META.id)
            .map(|r| {
                r.allowed_service_sets
                    .iter()
                    .map(|set| set.iter().map(|s| normalise_service(s)).collect())
                    .collect()
            })
            .unwrap_or_default();
        for target in common::trust_targets(ctx.inventory) {
            let grants = ctx.grants(target.doc);
            let services: Vec<(&Grant, String)> = grants
                .iter()
                .filter_map(|g| service_name(g).map(|n| (g, n)))
                .collect();
            let names: BTreeSet<&String> = services.iter().map(|(_, n)| n).collect();
            if names.len() < 2 {
                continue;
            }
            let worlds = common::worlds(services.iter().map(|(g, _)| g.guards.as_slice()));
            let mut reported: Vec<BTreeSet<String>> = Vec::new();
            for world in &worlds {
                if let Some(f) = judge(&target, &services, world, &allowed, &mut reported) {
                    out.push(f);
                }
            }
        }
    }
}

fn judge(
    target: &TrustTarget,
    services: &[(&Grant, String)],
    world: &World,
    allowed: &[BTreeSet<String>],
    reported: &mut Vec<BTreeSet<String>>,
) -> Option<Finding> {
    // First entry of each distinct service, in document order.
    let mut firsts: Vec<&(&Grant, String)> = Vec::new();
    for s in services.iter().filter(|(g, _)| world.admits(&g.guards)) {
        if !firsts.iter().any(|(_, n)| *n == s.1) {
            firsts.push(s);
        }
    }
    if firsts.len() < 2 {
        return None;
    }
    let set: BTreeSet<String> = firsts.iter().map(|(_, n)| n.clone()).collect();
    let exempt = REQUIRED_SETS
        .iter()
        .map(|r| {
            r.iter()
                .map(|s| s.to_string())
                .collect::<BTreeSet<String>>()
        })
        .chain(allowed.iter().cloned())
        .any(|ok| set.is_subset(&ok));
    if exempt || reported.contains(&set) {
        return None;
    }
    reported.push(set.clone());
    let (second, _) = firsts.get(1)?;
    let site = common::entry_site(second.entry, target.stmt_span(second.stmt));
    let shown: Vec<String> = firsts
        .iter()
        .map(|(g, _)| g.entry.value.display())
        .collect();
    // The finding holds wherever all these entries exist: name their branches, not the whole world's.
    let mut guards: Vec<Guard> = Vec::new();
    for (g, _) in &firsts {
        for gd in &g.guards {
            if !guards.contains(gd) {
                guards.push(gd.clone());
            }
        }
    }
    let when = common::when(&guards);
    let msg = message(target, &shown, &when);
    let key = format!(
        "{}|{}",
        set.iter().cloned().collect::<Vec<_>>().join(","),
        common::guard_key(&guards)
    );
    let mut f = site.attach(target.finding(&META, msg, site.span, &key));
    for (g, _) in firsts.iter().filter(|(g, _)| !std::ptr::eq(g, second)) {
        let other = common::entry_site(g.entry, target.stmt_span(g.stmt));
        f = f.related(
            other.span,
            format!("{} is also trusted here", g.entry.value.display()),
        );
    }
    Some(f)
}

/// The service a grant trusts, normalised so regional and partition forms count once.
fn service_name(g: &Grant) -> Option<String> {
    let Principal::Service { name, .. } = g.principal() else {
        return None;
    };
    Some(match g.entry.value.as_known() {
        Some(text) => normalise_service(text),
        None => name.to_ascii_lowercase(),
    })
}

/// `logs.cn-north-1.amazonaws.com.cn` → `logs`, `pods.eks.amazonaws.com` → `pods.eks`,
/// `ec2.amazonaws.com.cn` → `ec2`; a bare name stays as it is.
pub fn normalise_service(text: &str) -> String {
    let t = text.trim().to_ascii_lowercase();
    let mut rest = t.as_str();
    for suffix in [
        ".amazonaws.com.cn",
        ".amazonaws.com",
        ".c2s.ic.gov",
        ".sc2s.sgov.gov",
        ".amazon.com",
    ] {
        if let Some(r) = rest.strip_suffix(suffix) {
            rest = r;
            break;
        }
    }
    match rest.rsplit_once('.') {
        Some((head, last)) if looks_like_region(last) => head.to_string(),
        _ => rest.to_string(),
    }
}

/// `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-iso-east-1`, `eu-central-2`.
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleConfig;
    use crate::rules::common::testkit::{table, Kit};

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}"#,
            &["lambda.amazonaws.com"],
        ),
        // Across statements.
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]"#,
            &["codebuild.amazonaws.com"],
        ),
        // Lambda@Edge plus a third service is not the required pair any more.
        (
            r#"{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com","states.amazonaws.com"]},"Action":"sts:AssumeRole"}"#,
            &["edgelambda.amazonaws.com"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Service":["elasticmapreduce.amazonaws.com","datapipeline.amazonaws.com"]},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // Regional and partition forms of one service count once.
        (
            r#"{"Effect":"Allow","Principal":{"Service":["logs.amazonaws.com","logs.cn-north-1.amazonaws.com.cn","logs.us-east-1.amazonaws.com"]},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // The same service twice.
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:TagSession"}]"#,
            &[],
        ),
        // Deny statements trust nobody.
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&MultiServiceTrust, Kit::new, FAILING);
        table(&MultiServiceTrust, Kit::new, PASSING);
    }

    #[test]
    fn message_lists_services() {
        let mut k = Kit::new();
        k.role("worker", FAILING[0].0);
        let f = k.run(&MultiServiceTrust);
        assert_eq!(
            f[0].message,
            "role \"worker\" trusts 2 AWS services (ec2.amazonaws.com, lambda.amazonaws.com), so the workloads of each service get the permissions all of them need; use one role per service"
        );
        assert_eq!(f[0].related.len(), 1);
        assert_eq!(k.text(f[0].related[0].span), "ec2.amazonaws.com");
    }

    #[test]
    fn allowed_service_sets_from_configuration() {
        let json = r#"{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}"#;
        let mut k = Kit::new();
        k.config.rules.insert(
            "TL020".into(),
            RuleConfig {
                allowed_service_sets: vec![vec![
                    "ecs-tasks.amazonaws.com".into(),
                    "ec2.amazonaws.com".into(),
                    "ecs.amazonaws.com".into(),
                ]],
                ..RuleConfig::default()
            },
        );
        k.role("deploy", json);
        assert!(k.run(&MultiServiceTrust).is_empty());
        let mut k = Kit::new();
        k.role("deploy", json);
        assert_eq!(k.run(&MultiServiceTrust).len(), 1);
    }

    #[test]
    fn exclusive_branches_are_judged_apart() {
        use crate::rules::common::testkit::doc_with_branches;
        let mut k = Kit::new();
        let doc = doc_with_branches(
            "Service",
            &[],
            &[
                ("condition IsEc2 is true", "ec2.amazonaws.com"),
                ("condition IsEc2 is false", "lambda.amazonaws.com"),
            ],
        );
        k.role_doc("either", doc);
        assert!(k.run(&MultiServiceTrust).is_empty());

        let mut k = Kit::new();
        let doc = doc_with_branches(
            "Service",
            &["ecs-tasks.amazonaws.com"],
            &[
                ("condition IsEc2 is true", "ec2.amazonaws.com"),
                ("condition IsEc2 is false", "lambda.amazonaws.com"),
            ],
        );
        k.role_doc("both", doc);
        let f = k.run(&MultiServiceTrust);
        let mut msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        msgs.sort();
        assert_eq!(
            msgs,
            vec![
                "role \"both\" trusts 2 AWS services (ecs-tasks.amazonaws.com, ec2.amazonaws.com) when condition IsEc2 is true, so the workloads of each service get the permissions all of them need; use one role per service",
                "role \"both\" trusts 2 AWS services (ecs-tasks.amazonaws.com, lambda.amazonaws.com) when condition IsEc2 is false, so the workloads of each service get the permissions all of them need; use one role per service",
            ]
        );
        assert_ne!(f[0].fingerprint_key, f[1].fingerprint_key);
    }

    #[test]
    fn normalises_service_spellings() {
        assert_eq!(
            normalise_service("logs.cn-north-1.amazonaws.com.cn"),
            "logs"
        );
        assert_eq!(normalise_service("s3.us-east-1.amazonaws.com"), "s3");
        assert_eq!(normalise_service("pods.eks.amazonaws.com"), "pods.eks");
        assert_eq!(normalise_service("ec2.amazonaws.com.cn"), "ec2");
        assert_eq!(normalise_service("ecs-tasks"), "ecs-tasks");
        assert_eq!(normalise_service("ec2.us-gov-west-1.amazonaws.com"), "ec2");
    }
}
