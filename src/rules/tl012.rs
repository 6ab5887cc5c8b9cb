//! TL012 missing-external-id: a third-party account (outside this account and `trusted_accounts`) is trusted
//! without an `sts:ExternalId` condition.

use super::common::{self, AccountClass, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::{AccountRef, Principal};

fn message(target: &TrustTarget, who: &str, when: &str) -> String {
    format!(
        "{} trusts {who}{when} without requiring sts:ExternalId, so anyone able to make that third party assume roles (another of its customers, for one) can have it act on this role: the confused-deputy problem",
        target.subject()
    )
}

pub struct MissingExternalId;

pub static META: RuleMeta = RuleMeta {
    id: "TL012",
    slug: "missing-external-id",
    default_severity: Severity::Error,
    short: "A third-party account is trusted without an sts:ExternalId condition (confused deputy)",
    page: include_str!("../../rules/TL012.md"),
    security_severity: "7.5",
    tags: &["security", "iam", "cross-account", "confused-deputy"],
};

impl Rule for MissingExternalId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for g in ctx.grants(target.doc).iter() {
                let Some(account @ AccountRef::Id(id)) = common::caller_account(g.principal())
                else {
                    continue;
                };
                let party = match common::classify(ctx.config, account) {
                    AccountClass::ThirdParty(t) => match &t.name {
                        Some(n) => format!("third-party account {id} ({n})"),
                        None => format!("third-party account {id}"),
                    },
                    AccountClass::Unlisted => format!("account {id} (not in trusted_accounts)"),
                    _ => continue,
                };
                if common::requires_external_id(g.stmt) {
                    continue;
                }
                let who = match g.principal() {
                    Principal::Account { .. } => party,
                    _ => format!("{} of {party}", common::describe(g.entry)),
                };
                let site = common::account_site(g.entry, target.stmt_span(g.stmt));
                let msg = message(&target, &who, &common::when(&g.guards));
                let key = format!(
                    "{id}|{}|{}",
                    common::principal_key(g.entry),
                    common::guard_key(&g.guards)
                );
                out.push(site.attach(target.finding(&META, msg, site.span, &key)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};

    fn kit() -> Kit {
        Kit::new()
            .with_trusted(&["111111111111"])
            .with_third_party("464622532012", "datadog")
    }

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::464622532012:root"},"Action":"sts:AssumeRole"}"#,
            &["464622532012"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}"#,
            &["222222222222"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::464622532012:role/DatadogIntegration"},"Action":"sts:AssumeRole"}"#,
            &["464622532012"],
        ),
        // An ExternalId condition that may be absent, or negated, requires nothing.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"464622532012"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"abc"}}}"#,
            &["464622532012"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"464622532012"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"abc"}}}"#,
            &["464622532012"],
        ),
        // The ExternalId in another statement does not protect this one.
        (
            r#"[{"Effect":"Allow","Principal":{"AWS":"464622532012"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]"#,
            &["464622532012"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::464622532012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"cust-12345"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&MissingExternalId, kit, FAILING);
        table(&MissingExternalId, kit, PASSING);
    }

    #[test]
    fn message_names_the_vendor() {
        let mut k = kit();
        k.role("datadog", FAILING[0].0);
        let f = k.run(&MissingExternalId);
        assert_eq!(
            f[0].message,
            "role \"datadog\" trusts third-party account 464622532012 (datadog) without requiring sts:ExternalId, so anyone able to make that third party assume roles (another of its customers, for one) can have it act on this role: the confused-deputy problem"
        );
        let mut k = kit();
        k.role("deploy", FAILING[1].0);
        let f = k.run(&MissingExternalId);
        assert!(
            f[0].message.starts_with("role \"deploy\" trusts account 222222222222 (not in trusted_accounts) without requiring"),
            "{}",
            f[0].message
        );
    }
}
