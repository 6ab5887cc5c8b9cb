//! TL011 wildcard-principal: `*` (or an ARN with a wildcard account) is trusted without a condition that pins
//! callers to known accounts or organisations.

use super::common::{self, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::policy::semantics;
use crate::policy::{AccountRef, Principal, Statement};

fn message(target: &TrustTarget, who: &str, when: &str, why: &str) -> String {
    format!(
        "{} trusts {who}{when} {why}, so anyone with credentials in any AWS account can assume it",
        target.subject()
    )
}

pub struct WildcardPrincipal;

pub static META: RuleMeta = RuleMeta {
    id: "TL011",
    slug: "wildcard-principal",
    default_severity: Severity::Error,
    short: "A role trusts every AWS principal (\"*\" or a wildcard account) without pinning callers to known accounts or organisations",
    page: include_str!("../../rules/TL011.md"),
    security_severity: "9.1",
    tags: &["security", "iam", "public-access"],
};

impl Rule for WildcardPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for g in ctx.grants(target.doc).iter() {
                let (who, site) = match g.principal() {
                    Principal::Wildcard => (
                        "every AWS principal (\"*\")".to_string(),
                        common::entry_site(g.entry, target.stmt_span(g.stmt)),
                    ),
                    p if common::caller_account(p) == Some(&AccountRef::Wildcard) => (
                        format!("{} in any account", common::describe(g.entry)),
                        common::account_site(g.entry, target.stmt_span(g.stmt)),
                    ),
                    _ => continue,
                };
                let Some(why) = unpinned(g.stmt, ctx.config) else {
                    continue;
                };
                let msg = message(&target, &who, &common::when(&g.guards), &why);
                let key = format!(
                    "{}|{}",
                    common::principal_key(g.entry),
                    common::guard_key(&g.guards)
                );
                out.push(site.attach(target.finding(&META, msg, site.span, &key)));
            }
        }
    }
}

/// Why the statement does not pin its callers, or `None` when it does. A pin is a must-hold condition on
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`,
/// `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID` (the policy model decides). When
/// `organization_ids` is configured, a statement pinned only to organisations outside that list is not
/// pinned to *known* organisations.
fn unpinned(stmt: &Statement, config: &Config) -> Option<String> {
    let pins = semantics::caller_pins(stmt);
    if !pins.pins_known_callers() {
        return Some("with no condition pinning callers to known accounts or organisations".into());
    }
    let only_orgs = pins.org_paths.is_empty()
        && pins.accounts.is_empty()
        && pins.arns.is_empty()
        && pins.source_org_ids.is_empty();
    if only_orgs && !config.organization_ids.is_empty() {
        let known: Vec<&str> = pins
            .org_ids
            .iter()
            .filter_map(|i| i.value.as_known())
            .collect();
        // Unknown values are TL901's; only a fully known list outside the configuration is judged.
        if known.len() == pins.org_ids.len()
            && !known
                .iter()
                .any(|o| config.organization_ids.iter().any(|c| c == o))
        {
            return Some(format!(
                "with aws:PrincipalOrgID {}, which is not in organization_ids",
                known.join(", ")
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"}"#,
            &["*"],
        ),
        // ExternalId, MFA and IfExists conditions do not narrow who the caller is (WC-05, WC-08, WC-13).
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-exampleorg1"}}}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}}"#,
            &["*"],
        ),
        // WC-07: a principal-ARN pin with a wildcard account spans every account.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Deploy"}}}"#,
            &["*"],
        ),
        // WC-10, WC-12: network conditions and ForAllValues pin nobody.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
            &["*"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ForAllValues:StringLike":{"aws:PrincipalOrgPaths":"o-exampleorg1/*"}}}"#,
            &["*"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg1"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-exampleorg1/r-ab12/ou-ab12-11111111/*"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&WildcardPrincipal, Kit::new, FAILING);
        table(&WildcardPrincipal, Kit::new, PASSING);
    }

    #[test]
    fn message_says_who_and_why() {
        let mut k = Kit::new();
        k.role("deploy", FAILING[0].0);
        let f = k.run(&WildcardPrincipal);
        assert_eq!(
            f[0].message,
            "role \"deploy\" trusts every AWS principal (\"*\") with no condition pinning callers to known accounts or organisations, so anyone with credentials in any AWS account can assume it"
        );
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn organisation_outside_configuration_is_not_a_pin() {
        let json = r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-other"}}}"#;
        let mut k = Kit::new();
        k.config.organization_ids = vec!["o-exampleorg1".into()];
        k.role("deploy", json);
        let f = k.run(&WildcardPrincipal);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("aws:PrincipalOrgID o-other, which is not in organization_ids"),
            "{}",
            f[0].message
        );
        k.config.organization_ids = vec!["o-other".into()];
        assert!(k.run(&WildcardPrincipal).is_empty());
    }
}
