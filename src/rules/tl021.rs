//! TL021 service-and-account-trust: one role trusts both an AWS service and an AWS account, user or role.

use super::common::{self, Grant, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::Principal;
use crate::value::Guard;

fn message(target: &TrustTarget, service: &str, who: &str, when: &str) -> String {
    format!(
        "{} trusts both service {service} and {who}{when}, so callers other than the service get the permissions meant for it; use separate roles",
        target.subject()
    )
}

pub struct ServiceAndAccountTrust;

pub static META: RuleMeta = RuleMeta {
    id: "TL021",
    slug: "service-and-account-trust",
    default_severity: Severity::Warning,
    short: "A role trusts both an AWS service principal and an AWS account, user or role principal",
    page: include_str!("../../rules/TL021.md"),
    security_severity: "5.4",
    tags: &["security", "iam", "least-privilege"],
};

impl Rule for ServiceAndAccountTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            let grants = ctx.grants(target.doc);
            let services: Vec<&Grant> = grants
                .iter()
                .filter(|g| matches!(g.principal(), Principal::Service { .. }))
                .collect();
            let humans: Vec<&Grant> = grants
                .iter()
                .filter(|g| is_aws_principal(g.principal()))
                .collect();
            if services.is_empty() || humans.is_empty() {
                continue;
            }
            let worlds = common::worlds(
                services
                    .iter()
                    .chain(humans.iter())
                    .map(|g| g.guards.as_slice()),
            );
            let mut reported: Vec<String> = Vec::new();
            for world in &worlds {
                let Some(svc) = services.iter().find(|g| world.admits(&g.guards)) else {
                    continue;
                };
                let Some(who) = humans.iter().find(|g| world.admits(&g.guards)) else {
                    continue;
                };
                let key = format!(
                    "{}|{}",
                    common::principal_key(svc.entry),
                    common::principal_key(who.entry)
                );
                if reported.contains(&key) {
                    continue;
                }
                reported.push(key.clone());
                // The finding holds wherever both entries exist: name their branches.
                let mut guards: Vec<Guard> = svc.guards.clone();
                guards.extend(
                    who.guards
                        .iter()
                        .filter(|g| !svc.guards.contains(g))
                        .cloned(),
                );
                let when = common::when(&guards);
                let site = common::entry_site(who.entry, target.stmt_span(who.stmt));
                let svc_site = common::entry_site(svc.entry, target.stmt_span(svc.stmt));
                let msg = message(
                    &target,
                    &svc.entry.value.display(),
                    &common::describe(who.entry),
                    &when,
                );
                let f = site
                    .attach(target.finding(
                        &META,
                        msg,
                        site.span,
                        &format!("{key}|{}", common::guard_key(&guards)),
                    ))
                    .related(
                        svc_site.span,
                        format!("service {} is trusted here", svc.entry.value.display()),
                    );
                out.push(f);
            }
        }
    }
}

/// Principals that are people or workloads in an AWS account (SPEC TL021: account, user or role), including
/// `*`, which covers every account.
fn is_aws_principal(p: &Principal) -> bool {
    matches!(
        p,
        Principal::Wildcard
            | Principal::Account { .. }
            | Principal::Role { .. }
            | Principal::RoleRef { .. }
            | Principal::User { .. }
            | Principal::UserRef { .. }
            | Principal::AssumedRole { .. }
            | Principal::FederatedUser { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &["arn:aws:iam::111111111111:root"],
        ),
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}]"#,
            &["arn:aws:iam::111111111111:role/ci"],
        ),
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}]"#,
            &["arn:aws:iam::111111111111:user/alice"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]"#,
            &[],
        ),
        (
            r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}]"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&ServiceAndAccountTrust, Kit::new, FAILING);
        table(&ServiceAndAccountTrust, Kit::new, PASSING);
    }

    #[test]
    fn exclusive_branches_are_judged_apart() {
        use crate::rules::common::testkit::doc_with_branches;
        // AWS principal in one branch, nothing in the other: one finding naming the branch.
        let mut k = Kit::new();
        let mut doc = doc_with_branches(
            "AWS",
            &[],
            &[(
                "condition Debug is true",
                "arn:aws:iam::111111111111:role/debug",
            )],
        );
        let svc = doc_with_branches("Service", &["lambda.amazonaws.com"], &[]);
        doc.statements
            .extend(svc.statements.into_iter().map(|mut s| {
                s.index = 1;
                s
            }));
        k.role_doc("fn", doc);
        let f = k.run(&ServiceAndAccountTrust);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains(
                "and role arn:aws:iam::111111111111:role/debug when condition Debug is true,"
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn message_names_both_principals() {
        let mut k = Kit::new();
        k.role("app", FAILING[0].0);
        let f = k.run(&ServiceAndAccountTrust);
        assert_eq!(
            f[0].message,
            "role \"app\" trusts both service ec2.amazonaws.com and account 111111111111, so callers other than the service get the permissions meant for it; use separate roles"
        );
        assert_eq!(k.text(f[0].related[0].span), "ec2.amazonaws.com");
    }
}
