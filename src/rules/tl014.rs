//! TL014 not-principal-allow: a trust statement uses `NotPrincipal`.

use super::common::{self, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::{Effect, Statement};

fn message(target: &TrustTarget, stmt: &Statement, listed: &str) -> String {
    let effect = match stmt.effect {
        Effect::Allow => {
            format!("; were it accepted, the Allow would admit every principal except {listed}")
        }
        Effect::Deny | Effect::Unknown => String::new(),
    };
    format!(
        "{} uses NotPrincipal in statement {}{}, which IAM rejects in a role trust policy, so the deploy fails{effect}",
        target.subject(),
        stmt.index + 1,
        stmt.sid
            .as_ref()
            .map(|s| format!(" ({})", s.display()))
            .unwrap_or_default(),
    )
}

pub struct NotPrincipalAllow;

pub static META: RuleMeta = RuleMeta {
    id: "TL014",
    slug: "not-principal-allow",
    default_severity: Severity::Error,
    short: "A trust statement uses NotPrincipal, which IAM rejects in trust policies and which with Allow would admit everyone but the listed",
    page: include_str!("../../rules/TL014.md"),
    security_severity: "7.0",
    tags: &["security", "iam", "invalid-policy"],
};

impl Rule for NotPrincipalAllow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for stmt in &target.doc.statements {
                let Some(np) = &stmt.not_principals else {
                    continue;
                };
                let listed: Vec<String> = np.entries.iter().map(common::describe).collect();
                let listed = if listed.is_empty() {
                    "nobody".to_string()
                } else {
                    listed.join(", ")
                };
                let span = np.span.unwrap_or_else(|| target.stmt_span(stmt));
                let msg = message(&target, stmt, &listed);
                let key = format!(
                    "{}|{}|{}",
                    stmt.sid.as_ref().map(|s| s.display()).unwrap_or_default(),
                    np.entries
                        .iter()
                        .map(common::principal_key)
                        .collect::<Vec<_>>()
                        .join(","),
                    common::guard_key(&stmt.guards)
                );
                out.push(target.finding(&META, msg, span, &key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::Kit;

    const FAILING: &[&str] = &[
        r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:role/Blocked"},"Action":"sts:AssumeRole"}"#,
        r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]"#,
    ];

    const PASSING: &[&str] = &[
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}"#,
        r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}"#,
    ];

    #[test]
    fn failing_and_passing_snippets() {
        for json in FAILING {
            let mut k = Kit::new();
            k.role("deploy", json);
            let f = k.run(&NotPrincipalAllow);
            assert_eq!(f.len(), 1, "{json}");
            assert!(
                k.text(f[0].primary).contains("arn:aws:iam::111111111111:"),
                "{json}: {}",
                k.text(f[0].primary)
            );
        }
        for json in PASSING {
            let mut k = Kit::new();
            k.role("deploy", json);
            assert!(k.run(&NotPrincipalAllow).is_empty(), "{json}");
        }
    }

    #[test]
    fn allow_message_says_what_it_would_admit() {
        let mut k = Kit::new();
        k.role("deploy", FAILING[0]);
        let f = k.run(&NotPrincipalAllow);
        assert_eq!(
            f[0].message,
            "role \"deploy\" uses NotPrincipal in statement 1, which IAM rejects in a role trust policy, so the deploy fails; were it accepted, the Allow would admit every principal except role arn:aws:iam::111111111111:role/Blocked"
        );
        let mut k = Kit::new();
        k.role("deploy", FAILING[1]);
        let f = k.run(&NotPrincipalAllow);
        assert!(f[0].message.contains("statement 2,"), "{}", f[0].message);
        assert!(!f[0].message.contains("were it accepted"));
    }
}
