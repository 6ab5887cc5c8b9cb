//! TL015 invalid-trust-policy: the trust document parses, but IAM would reject it or a statement can never
//! match (SPEC §2 "Invalid" list).

use super::common::{self, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::semantics;

fn message(target: &TrustTarget, reason: &str) -> String {
    format!("{} has an invalid trust policy: {reason}", target.subject())
}

pub struct InvalidTrustPolicy;

pub static META: RuleMeta = RuleMeta {
    id: "TL015",
    slug: "invalid-trust-policy",
    default_severity: Severity::Error,
    short: "A trust policy is well-formed but IAM would reject it, or a statement can never match",
    page: include_str!("../../rules/TL015.md"),
    security_severity: "4.0",
    tags: &["iam", "invalid-policy", "reliability"],
};

impl Rule for InvalidTrustPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            let mut seen = Vec::new();
            for (reason, span) in semantics::invalid_trust_reasons(target.doc) {
                let span = span.unwrap_or_else(|| target.fallback_span());
                if seen.contains(&(span, reason.clone())) {
                    continue;
                }
                seen.push((span, reason.clone()));
                let msg = message(&target, &reason);
                out.push(target.finding(&META, msg, span, &reason));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::Kit;

    // (trust, text the finding points at)
    const FAILING: &[(&str, &str)] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Resource":"*"}"#,
            "Resource",
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/*"},"Action":"sts:AssumeRole"}"#,
            "arn:aws:iam::111111111111:role/*",
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}"#,
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"https://oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:a:b"}}}"#,
            "https://oidc.eks.us-east-1.amazonaws.com/id/ABC:sub",
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/*"}}}"#,
            "repo:acme/*",
        ),
    ];

    const PASSING: &[&str] = &[
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#,
        r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}"#,
        r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}"#,
    ];

    #[test]
    fn failing_and_passing_snippets() {
        for (json, text) in FAILING {
            let mut k = Kit::new();
            k.role("deploy", json);
            let f = k.run(&InvalidTrustPolicy);
            assert!(!f.is_empty(), "no finding for {json}");
            assert!(
                k.texts(&f).iter().any(|t| t.contains(text)),
                "{json}: {:?} / {:?}",
                k.texts(&f),
                f.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
            assert!(f[0]
                .message
                .starts_with("role \"deploy\" has an invalid trust policy: "));
        }
        for json in PASSING {
            let mut k = Kit::new();
            k.role("deploy", json);
            let f = k.run(&InvalidTrustPolicy);
            assert!(
                f.is_empty(),
                "{json}: {:?}",
                f.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        }
    }
}
