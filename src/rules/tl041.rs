//! TL041 oidc-missing-audience: an OIDC (or built-in web identity) trust has no must-hold condition on the
//! provider's audience key.

use super::common::{self, Grant, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::semantics;
use crate::policy::Principal;

fn message(target: &TrustTarget, p: &Principal, provider: &str, key: &str, when: &str) -> String {
    let who = match p {
        Principal::WebIdentity { provider }
            if provider.eq_ignore_ascii_case("cognito-identity.amazonaws.com") =>
        {
            "identities of any Cognito identity pool, in any AWS account,"
        }
        Principal::WebIdentity { .. } => "tokens the provider issues to any application",
        _ => "tokens issued for any client ID registered on the provider",
    };
    format!(
        "{} trusts {provider}{when} with no condition on {key} that must hold, so {who} can assume it",
        target.subject()
    )
}

pub struct OidcMissingAudience;

pub static META: RuleMeta = RuleMeta {
    id: "TL041",
    slug: "oidc-missing-audience",
    default_severity: Severity::Warning,
    short: "An OIDC trust has no condition on the provider's audience (:aud) key",
    page: include_str!("../../rules/TL041.md"),
    security_severity: "4.3",
    tags: &["security", "iam", "oidc", "federation"],
};

impl Rule for OidcMissingAudience {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for g in ctx.grants(target.doc).iter() {
                let Some(key) = missing_audience_key(ctx, g) else {
                    continue;
                };
                let site = common::entry_site(g.entry, target.stmt_span(g.stmt));
                let msg = message(
                    &target,
                    g.principal(),
                    &common::describe(g.entry),
                    &key,
                    &common::when(&g.guards),
                );
                let fp = format!(
                    "{}|{}",
                    common::principal_key(g.entry),
                    common::guard_key(&g.guards)
                );
                out.push(site.attach(target.finding(&META, msg, site.span, &fp)));
            }
        }
    }
}

/// The audience key a grant lacks, or `None` when it has one (or is not a federated web identity).
fn missing_audience_key(ctx: &Context, g: &Grant) -> Option<String> {
    match g.principal() {
        Principal::Oidc { .. } | Principal::ProviderRef { .. } => {
            match common::oidc_host(ctx.inventory, g.principal(), g.stmt) {
                Some(host) => {
                    (!semantics::oidc_has_audience(g.stmt, &host)).then(|| format!("{host}:aud"))
                }
                // Unknown issuer: the policy model accepts any must-hold `…:aud` condition.
                None => (!semantics::oidc_has_audience_for(g.stmt, g.principal()))
                    .then(|| "the provider's :aud key".to_string()),
            }
        }
        Principal::WebIdentity { provider } => {
            let p = provider.to_ascii_lowercase();
            // Facebook and Login with Amazon name the audience `app_id`.
            let claim = match p.as_str() {
                "cognito-identity.amazonaws.com" | "accounts.google.com" => "aud",
                "graph.facebook.com" | "www.amazon.com" => "app_id",
                _ => return None,
            };
            (!semantics::oidc_has_audience(g.stmt, &p)).then(|| format!("{p}:{claim}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};

    const GH: &str = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";

    #[test]
    fn failing_and_passing_snippets() {
        let failing: Vec<(String, Vec<&str>)> = vec![
            (
                format!(r#"{{"Effect":"Allow","Principal":{{"Federated":"{GH}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}}}}"#),
                vec![GH],
            ),
            (
                format!(r#"{{"Effect":"Allow","Principal":{{"Federated":"{GH}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEqualsIfExists":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}}}}"#),
                vec![GH],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#.to_string(),
                vec!["cognito-identity.amazonaws.com"],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"graph.facebook.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#.to_string(),
                vec!["graph.facebook.com"],
            ),
        ];
        let passing: Vec<(String, Vec<&str>)> = vec![
            (
                format!(r#"{{"Effect":"Allow","Principal":{{"Federated":"{GH}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}}}}"#),
                vec![],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:12345678-abcd-abcd-abcd-123456789012"}}}"#.to_string(),
                vec![],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"graph.facebook.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"graph.facebook.com:app_id":"123"}}}"#.to_string(),
                vec![],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}"#.to_string(),
                vec![],
            ),
        ];
        for (cases, _) in [(&failing, true), (&passing, false)] {
            let c: Vec<(&str, &[&str])> = cases
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_slice()))
                .collect();
            table(&OidcMissingAudience, Kit::new, &c);
        }
    }

    #[test]
    fn message_names_the_audience_key() {
        let mut k = Kit::new();
        k.role(
            "pool",
            r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
        );
        let f = k.run(&OidcMissingAudience);
        assert_eq!(
            f[0].message,
            "role \"pool\" trusts web identity provider cognito-identity.amazonaws.com with no condition on cognito-identity.amazonaws.com:aud that must hold, so identities of any Cognito identity pool, in any AWS account, can assume it"
        );
    }
}
