//! TL001 role-trusts-role: a trust statement allows another IAM role, so the role is reached by chaining.

use super::common::{self, Grant, InstanceProfileRoles, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::{Item, Principal};

fn message(target: &TrustTarget, who: &str, ec2: bool, when: &str) -> String {
    let consequence = if ec2 {
        "sessions that come from that role's EC2 instance profile are not capped at one hour, but the caller's original identity is lost"
    } else {
        "it can only be reached by role chaining: sessions are capped at one hour and the caller's original identity is lost"
    };
    format!("{} trusts {who}{when}; {consequence}", target.subject())
}

pub struct RoleTrustsRole;

pub static META: RuleMeta = RuleMeta {
    id: "TL001",
    slug: "role-trusts-role",
    default_severity: Severity::Warning,
    short: "A role's trust policy allows another IAM role, so it is only reached by role chaining",
    page: include_str!("../../rules/TL001.md"),
    security_severity: "4.0",
    tags: &["security", "iam", "role-chaining"],
};

impl Rule for RoleTrustsRole {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let profiles = InstanceProfileRoles::of(ctx.inventory);
        for target in common::trust_targets(ctx.inventory) {
            let grants = ctx.grants(target.doc);
            for g in grants.iter() {
                if g.principal().is_role() {
                    out.push(on_entry(&target, g, &profiles, ctx.inventory));
                }
            }
            // `aws:PrincipalArn` naming roles behind an account or `*` principal: the callers are roles too.
            // A statement that already names a role as principal is reported there, once.
            let mut seen_stmts = Vec::new();
            for g in grants.iter() {
                let idx = g.stmt.index;
                if seen_stmts.contains(&idx) {
                    continue;
                }
                seen_stmts.push(idx);
                if g.stmt
                    .principal_entries()
                    .iter()
                    .any(|e| e.principal.is_role())
                {
                    continue;
                }
                if !matches!(
                    g.principal(),
                    Principal::Account { .. } | Principal::Wildcard
                ) {
                    continue;
                }
                for item in crate::policy::semantics::principal_arn_values(g.stmt) {
                    if common::names_role(&item.value) {
                        out.push(on_condition(&target, g, item, &profiles));
                    }
                }
            }
        }
    }
}

fn on_entry(
    target: &TrustTarget,
    g: &Grant,
    profiles: &InstanceProfileRoles,
    inv: &crate::model::Inventory,
) -> Finding {
    let own_name = target
        .role
        .and_then(|r| r.name.as_ref())
        .and_then(|n| n.as_known());
    let who = match g.principal() {
        Principal::RoleRef { key } if key == target.key() => "itself".to_string(),
        Principal::Role { name, .. } if Some(name.as_str()) == own_name => {
            format!("itself ({})", g.entry.value.display())
        }
        _ => common::describe_in(g.entry, inv),
    };
    let site = common::entry_site(g.entry, target.stmt_span(g.stmt));
    let msg = message(
        target,
        &who,
        profiles.covers(g.principal()),
        &common::when(&g.guards),
    );
    let key = format!(
        "{}|{}",
        common::principal_key(g.entry),
        common::guard_key(&g.guards)
    );
    site.attach(target.finding(&META, msg, site.span, &key))
}

fn on_condition(
    target: &TrustTarget,
    g: &Grant,
    item: &Item,
    profiles: &InstanceProfileRoles,
) -> Finding {
    let pattern = item.value.display();
    let site = common::item_site(item, target.stmt_span(g.stmt));
    let ec2 = item
        .value
        .as_known()
        .is_some_and(|p| !p.contains('*') && !p.contains('?') && profiles.may_match_pattern(p));
    let mut guards = g.stmt.guards.clone();
    guards.extend(item.guards.iter().cloned());
    let msg = message(
        target,
        &format!("roles matching aws:PrincipalArn {pattern}"),
        ec2,
        &common::when(&guards),
    );
    let key = format!("cond|{pattern}|{}", common::guard_key(&guards));
    site.attach(target.finding(&META, msg, site.span, &key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};
    use crate::value::{Str, Sym};

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#,
            &["arn:aws:iam::111111111111:role/ci"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:user/alice","arn:aws:iam::111111111111:role/team/app"]},"Action":"sts:AssumeRole"}"#,
            &["arn:aws:iam::111111111111:role/team/app"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/ci/alice"},"Action":"sts:AssumeRole"}"#,
            &["arn:aws:sts::111111111111:assumed-role/ci/alice"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci/*"}}}"#,
            &["arn:aws:iam::111111111111:role/ci/*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}}}"#,
            &["arn:aws:iam::111111111111:role/ci"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // A Deny never produces findings.
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // An Allow cancelled by an unconditional Deny of the same principal.
        (
            r#"[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:*"}]"#,
            &[],
        ),
        // Not an assume-role statement.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"s3:GetObject"}"#,
            &[],
        ),
        // A PrincipalArn condition that may be absent restricts nothing and names nobody.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci/*"}}}"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&RoleTrustsRole, Kit::new, FAILING);
        table(&RoleTrustsRole, Kit::new, PASSING);
    }

    #[test]
    fn message_names_role_principal_and_consequence() {
        let mut k = Kit::new();
        k.role("deploy", FAILING[0].0);
        let f = k.run(&RoleTrustsRole);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "role \"deploy\" trusts role arn:aws:iam::111111111111:role/ci; it can only be reached by role chaining: sessions are capped at one hour and the caller's original identity is lost"
        );
        assert_eq!(f[0].resource, "aws_iam_role.deploy");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0]
            .fingerprint_key
            .starts_with("mod::aws_iam_role.deploy|"));
    }

    #[test]
    fn symbolic_role_reference_points_at_the_reference() {
        let mut k = Kit::new();
        let file = k.file("refs.tf", "principals = [aws_iam_role.ci.arn]");
        let span = k.span_of(file, "aws_iam_role.ci.arn");
        let doc = crate::rules::common::testkit::doc_with_principal(
            "AWS",
            Str::sym(Sym::RoleArn("mod::aws_iam_role.ci".into()), Some(span)),
            vec![],
        );
        k.role_doc("deploy", doc);
        let f = k.run(&RoleTrustsRole);
        assert_eq!(k.texts(&f), vec!["aws_iam_role.ci.arn"]);
        assert!(
            f[0].message.contains("trusts role aws_iam_role.ci;"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn self_trust_says_itself() {
        let mut k = Kit::new();
        k.role(
            "ci",
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#,
        );
        let f = k.run(&RoleTrustsRole);
        assert!(
            f[0].message
                .starts_with("role \"ci\" trusts itself (arn:aws:iam::111111111111:role/ci);"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn instance_profile_role_changes_the_consequence() {
        let mut k = Kit::new();
        k.role("deploy", FAILING[0].0);
        let decl = k.decl("aws_iam_instance_profile.ci");
        k.inv.instance_profiles.push(crate::model::InstanceProfile {
            decl,
            role: Str::lit("ci", None),
        });
        let f = k.run(&RoleTrustsRole);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("EC2 instance profile are not capped"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn service_linked_roles_are_exempt() {
        let mut k = Kit::new();
        k.role("slr", FAILING[0].0).path =
            Some(Str::lit("/aws-service-role/x.amazonaws.com/", None));
        assert!(k.run(&RoleTrustsRole).is_empty());
    }

    #[test]
    fn standalone_trust_documents_are_judged() {
        let mut k = Kit::new();
        k.standalone("data.aws_iam_policy_document.assume", FAILING[0].0);
        let f = k.run(&RoleTrustsRole);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].resource, "data.aws_iam_policy_document.assume");
        assert!(f[0]
            .message
            .starts_with("trust policy data.aws_iam_policy_document.assume trusts role"));
    }
}
