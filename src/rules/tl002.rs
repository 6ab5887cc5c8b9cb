//! TL002 chained-session-duration: a role reachable only through role chaining sets a maximum session
//! duration above one hour, which can never take effect.

use super::common::{self, InstanceProfileRoles, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::{Frontend, Role};
use crate::policy::semantics;
use crate::policy::{PolicyDocument, Principal};
use crate::source::Span;
use crate::value::{Guard, Value};

/// AWS caps a chained session at one hour (STS `AssumeRole` `DurationSeconds`).
const CHAIN_CAP: u64 = 3600;

fn message(role: &Role, attr: &str, seconds: u64, when: &str) -> String {
    format!(
        "role \"{}\" sets {attr} to {seconds} seconds{when}, but every principal it trusts is another role, so it is only reached by role chaining and AWS caps those sessions at {CHAIN_CAP} seconds",
        role.display_name()
    )
}

pub struct ChainedSessionDuration;

pub static META: RuleMeta = RuleMeta {
    id: "TL002",
    slug: "chained-session-duration",
    default_severity: Severity::Warning,
    short: "A role reachable only through role chaining sets a maximum session duration above one hour, which cannot take effect",
    page: include_str!("../../rules/TL002.md"),
    security_severity: "2.0",
    tags: &["iam", "role-chaining", "reliability"],
};

impl Rule for ChainedSessionDuration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let profiles = InstanceProfileRoles::of(ctx.inventory);
        for target in common::trust_targets(ctx.inventory) {
            let Some(role) = target.role else { continue };
            let Some((value, attr_span)) = &role.max_session_duration else {
                continue;
            };
            if !only_chained(target.doc, &profiles) {
                continue;
            }
            for (guards, seconds, value_span) in durations(value) {
                if seconds <= CHAIN_CAP {
                    continue;
                }
                out.push(finding(
                    &target, role, *attr_span, seconds, &guards, value_span,
                ));
            }
        }
    }
}

fn finding(
    target: &TrustTarget,
    role: &Role,
    attr_span: Span,
    seconds: u64,
    guards: &[Guard],
    value_span: Option<Span>,
) -> Finding {
    let attr = match role.decl.frontend {
        Frontend::CloudFormation => "MaxSessionDuration",
        Frontend::Terraform | Frontend::Plan => "max_session_duration",
    };
    let msg = message(role, attr, seconds, &common::when(guards));
    let key = format!("{seconds}|{}", common::guard_key(guards));
    let mut f = target.finding(&META, msg, attr_span, &key);
    if let Some(vs) = value_span {
        if !(attr_span.file == vs.file && attr_span.start <= vs.start && vs.end <= attr_span.end) {
            f = f.related(vs, format!("{seconds} is written here"));
        }
    }
    f
}

/// The durations a value may take, in seconds, with their branches and where each was written. Values that
/// are not known numbers are skipped (TL901 reports unknowns; IAM rejects non-numbers).
fn durations(value: &Value) -> Vec<(Vec<Guard>, u64, Option<Span>)> {
    value
        .possibilities(common::WORLD_LIMIT)
        .into_iter()
        .filter_map(|(guards, v)| {
            let s = v.as_str()?;
            let n: u64 = s.as_known()?.trim().parse().ok()?;
            Some((guards, n, s.span()))
        })
        .collect()
}

/// Whether every caller the trust admits is a role session that is not an EC2 instance-profile session
/// (SPEC §2: those are not chaining). Needs at least one caller; any other principal, unresolved one, or
/// role possibly used by an instance profile means the role can be reached without chaining.
fn only_chained(doc: &PolicyDocument, profiles: &InstanceProfileRoles) -> bool {
    let grants = common::grants(doc);
    if grants.is_empty() {
        return false;
    }
    grants.iter().all(|g| match g.principal() {
        Principal::Role { .. } | Principal::RoleRef { .. } | Principal::AssumedRole { .. } => {
            !profiles.covers(g.principal())
        }
        // An account or `*` narrowed by `aws:PrincipalArn` to role ARNs only admits roles.
        Principal::Account { .. } | Principal::Wildcard => {
            let arns = semantics::principal_arn_values(g.stmt);
            !arns.is_empty()
                && arns.iter().all(|item| {
                    common::names_role(&item.value)
                        && match item.value.as_known() {
                            Some(p) => !profiles.may_match_pattern(p),
                            // A symbolic scanned role ARN: check its key.
                            None => match item.value.as_sym() {
                                Some(crate::value::Sym::RoleArn(k)) => !profiles.keys.contains(k),
                                _ => false,
                            },
                        }
                })
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::Kit;
    use crate::value::Str;

    const ROLE_ONLY: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#;

    fn kit_with(json: &str, seconds: &str) -> Kit {
        let mut k = Kit::new();
        let file = k.file("dur.tf", &format!("  max_session_duration = {seconds}\n"));
        let attr = k.span_of(file, &format!("max_session_duration = {seconds}"));
        let val = k.span_of(file, seconds);
        k.role("deploy", json).max_session_duration =
            Some((Value::Number(Str::lit(seconds, Some(val))), attr));
        k
    }

    #[test]
    fn failing_and_passing_snippets() {
        // (trust, duration, fires)
        let cases: &[(&str, &str, bool)] = &[
            (ROLE_ONLY, "43200", true),
            (ROLE_ONLY, "7200", true),
            (
                r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/a","arn:aws:sts::111111111111:assumed-role/b/s"]},"Action":"sts:AssumeRole"}"#,
                "7200",
                true,
            ),
            (
                r#"{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci-*"}}}"#,
                "7200",
                true,
            ),
            (ROLE_ONLY, "3600", false),
            (
                r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/ci","arn:aws:iam::111111111111:user/alice"]},"Action":"sts:AssumeRole"}"#,
                "43200",
                false,
            ),
            (
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
                "43200",
                false,
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
                "43200",
                false,
            ),
            (
                r#"{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci-*"}}}"#,
                "7200",
                false,
            ),
        ];
        for (json, seconds, fires) in cases {
            let k = kit_with(json, seconds);
            let f = k.run(&ChainedSessionDuration);
            let expected: Vec<String> = if *fires {
                vec![format!("max_session_duration = {seconds}")]
            } else {
                vec![]
            };
            assert_eq!(k.texts(&f), expected, "{json} {seconds}");
        }
    }

    #[test]
    fn message_names_the_setting_and_the_cap() {
        let k = kit_with(ROLE_ONLY, "43200");
        let f = k.run(&ChainedSessionDuration);
        assert_eq!(
            f[0].message,
            "role \"deploy\" sets max_session_duration to 43200 seconds, but every principal it trusts is another role, so it is only reached by role chaining and AWS caps those sessions at 3600 seconds"
        );
    }

    #[test]
    fn instance_profile_roles_are_not_chaining() {
        let mut k = kit_with(ROLE_ONLY, "43200");
        let decl = k.decl("aws_iam_instance_profile.ci");
        k.inv.instance_profiles.push(crate::model::InstanceProfile {
            decl,
            role: Str::lit("ci", None),
        });
        assert!(k.run(&ChainedSessionDuration).is_empty());
    }

    #[test]
    fn value_from_a_variable_is_a_related_location() {
        let mut k = Kit::new();
        let vars = k.file("terraform.tfvars", "max_duration = 43200\n");
        let val = k.span_of(vars, "43200");
        let main = k.file("main.tf", "  max_session_duration = var.max_duration\n");
        let attr = k.span_of(main, "max_session_duration = var.max_duration");
        k.role("deploy", ROLE_ONLY).max_session_duration =
            Some((Value::Number(Str::lit("43200", Some(val))), attr));
        let f = k.run(&ChainedSessionDuration);
        assert_eq!(k.texts(&f), vec!["max_session_duration = var.max_duration"]);
        assert_eq!(f[0].related.len(), 1);
        assert_eq!(k.text(f[0].related[0].span), "43200");
    }
}
