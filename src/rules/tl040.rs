//! TL040 oidc-unrestricted-subject: an OIDC trust has no must-hold condition on the provider's `:sub` key, or
//! one whose pattern admits any repository, organisation or namespace.

use super::common::{self, Grant, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::semantics::{self, SubjectVerdict};

fn message_missing(target: &TrustTarget, host: &str, when: &str) -> String {
    format!(
        "{} trusts OIDC provider {host}{when} with no condition on {host}:sub that must hold, so {} can assume it",
        target.subject(),
        common::oidc_audience_of_issuer(host)
    )
}

fn message_broad(target: &TrustTarget, host: &str, reason: &str, when: &str) -> String {
    format!(
        "{} trusts OIDC provider {host}{when} with a {host}:sub condition that is too broad: {reason}",
        target.subject()
    )
}

pub struct OidcUnrestrictedSubject;

pub static META: RuleMeta = RuleMeta {
    id: "TL040",
    slug: "oidc-unrestricted-subject",
    default_severity: Severity::Error,
    short: "An OIDC trust does not pin the token subject (:sub) to your repository, organisation or namespace",
    page: include_str!("../../rules/TL040.md"),
    security_severity: "9.0",
    tags: &["security", "iam", "oidc", "federation"],
};

impl Rule for OidcUnrestrictedSubject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for g in ctx.grants(target.doc).iter() {
                if !common::is_oidc(g.principal()) {
                    continue;
                }
                if let Some(f) = judge(ctx, &target, g) {
                    out.push(f);
                }
            }
        }
    }
}

fn judge(ctx: &Context, target: &TrustTarget, g: &Grant) -> Option<Finding> {
    let host = common::oidc_host(ctx.inventory, g.principal(), g.stmt);
    let verdict = match &host {
        Some(h) => semantics::oidc_subject(g.stmt, h),
        // Issuer unknown: the policy model judges any `…:sub` key.
        None => semantics::oidc_subject_for(g.stmt, g.principal()),
    };
    let host = host.unwrap_or_else(|| {
        common::describe(g.entry)
            .trim_start_matches("OIDC provider ")
            .to_string()
    });
    let when = common::when(&g.guards);
    let fallback = target.stmt_span(g.stmt);
    match verdict {
        SubjectVerdict::Missing => {
            let site = common::entry_site(g.entry, fallback);
            let msg = message_missing(target, &host, &when);
            let key = format!(
                "missing|{}|{}",
                common::principal_key(g.entry),
                common::guard_key(&g.guards)
            );
            Some(site.attach(target.finding(&META, msg, site.span, &key)))
        }
        SubjectVerdict::TooBroad { value, reason } => {
            let site = common::item_site(value, fallback);
            let shown = value.value.display();
            let mut guards = g.guards.clone();
            guards.extend(value.guards.iter().cloned());
            let msg = message_broad(target, &host, &reason, &common::when(&guards));
            let key = format!(
                "broad|{}|{shown}|{}",
                common::principal_key(g.entry),
                common::guard_key(&guards)
            );
            Some(site.attach(target.finding(&META, msg, site.span, &key)))
        }
        // `StringEquals` with `*` never matches: TL015's. Unresolved values: TL901's.
        SubjectVerdict::NeverMatches { .. }
        | SubjectVerdict::Restricted
        | SubjectVerdict::Unresolved => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{table, Kit};

    const GH: &str = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";

    fn stmt(cond: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"{GH}"}},"Action":"sts:AssumeRoleWithWebIdentity"{cond}}}"#
        )
    }

    #[test]
    fn failing_and_passing_snippets() {
        let aud =
            r#""StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}"#;
        let failing: Vec<(String, &[&str])> = vec![
            (stmt(""), &[GH]),
            (stmt(&format!(r#","Condition":{{{aud}}}"#)), &[GH]),
            (
                stmt(&format!(
                    r#","Condition":{{{aud},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme*"}}}}"#
                )),
                &["repo:acme*"],
            ),
            (
                stmt(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}"#),
                &["*"],
            ),
            // A sub condition that may be absent restricts nothing.
            (
                stmt(r#","Condition":{"StringLikeIfExists":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}"#),
                &[GH],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"system:serviceaccount:*"}}}"#.to_string(),
                &["system:serviceaccount:*"],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/app.terraform.io"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:*"}}}"#.to_string(),
                &["organization:*"],
            ),
        ];
        let passing: Vec<(String, &[&str])> = vec![
            (
                stmt(&format!(
                    r#","Condition":{{{aud},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}}"#
                )),
                &[],
            ),
            (
                stmt(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}}"#),
                &[],
            ),
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"system:serviceaccount:payments:api"}}}"#.to_string(),
                &[],
            ),
            // SAML and services are not OIDC.
            (
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}"#.to_string(),
                &[],
            ),
            // StringEquals with a wildcard never matches: reported by TL015, not here.
            (
                stmt(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#),
                &[],
            ),
        ];
        let f: Vec<(&str, &[&str])> = failing.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        let p: Vec<(&str, &[&str])> = passing.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        table(&OidcUnrestrictedSubject, Kit::new, &f);
        table(&OidcUnrestrictedSubject, Kit::new, &p);
    }

    #[test]
    fn scanned_provider_reference_takes_its_issuer_from_the_provider() {
        use crate::model::OidcProvider;
        use crate::rules::common::testkit::doc_with_principal;
        use crate::value::{Str, Sym};
        let mut k = Kit::new();
        let file = k.file(
            "oidc.tf",
            "Federated = aws_iam_openid_connect_provider.github.arn",
        );
        let span = k.span_of(file, "aws_iam_openid_connect_provider.github.arn");
        let provider = Str::sym(
            Sym::Attr {
                resource: "aws_iam_openid_connect_provider.github".into(),
                attr: "arn".into(),
            },
            Some(span),
        );
        k.role_doc("gha", doc_with_principal("Federated", provider, vec![]));
        let decl = k.decl("aws_iam_openid_connect_provider.github");
        k.inv.oidc_providers.push(OidcProvider {
            decl,
            url: Some(Str::lit(
                "https://token.actions.githubusercontent.com",
                None,
            )),
            client_ids: vec![],
        });
        let f = k.run(&OidcUnrestrictedSubject);
        assert_eq!(
            k.texts(&f),
            vec!["aws_iam_openid_connect_provider.github.arn"]
        );
        assert!(
            f[0].message
                .contains("with no condition on token.actions.githubusercontent.com:sub"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn message_says_who_can_assume() {
        let mut k = Kit::new();
        k.role("gha", &stmt(""));
        let f = k.run(&OidcUnrestrictedSubject);
        assert_eq!(
            f[0].message,
            "role \"gha\" trusts OIDC provider token.actions.githubusercontent.com with no condition on token.actions.githubusercontent.com:sub that must hold, so any GitHub Actions workflow in any repository can assume it"
        );
        assert_eq!(f[0].severity, Severity::Error);
    }
}
