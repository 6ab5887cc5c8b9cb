//! TL013 cross-account-root-trust: another account is trusted as a whole (account ID or `:root`) with no
//! `aws:PrincipalArn` condition naming which of its principals may assume the role.

use super::common::{self, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::semantics;
use crate::policy::{AccountRef, Principal};

fn message(target: &TrustTarget, account: &str, when: &str) -> String {
    format!(
        "{} trusts all of account {account}{when} with no aws:PrincipalArn condition naming which of its principals may assume it, so any user or role there that an administrator of that account grants sts:AssumeRole can assume it",
        target.subject()
    )
}

pub struct CrossAccountRootTrust;

pub static META: RuleMeta = RuleMeta {
    id: "TL013",
    slug: "cross-account-root-trust",
    default_severity: Severity::Warning,
    short: "Another account is trusted as a whole (account ID or :root) without an aws:PrincipalArn condition naming specific principals",
    page: include_str!("../../rules/TL013.md"),
    security_severity: "5.3",
    tags: &["security", "iam", "cross-account"],
};

impl Rule for CrossAccountRootTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            for g in ctx.grants(target.doc).iter() {
                // Only a literal ID: `This` is this account, `*` is TL011's, unknown is TL901's.
                let Principal::Account {
                    account: AccountRef::Id(id),
                } = g.principal()
                else {
                    continue;
                };
                if !semantics::principal_arn_values(g.stmt).is_empty() {
                    continue;
                }
                let site = common::account_site(g.entry, target.stmt_span(g.stmt));
                let msg = message(&target, id, &common::when(&g.guards));
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
    use crate::rules::common::testkit::{doc_with_principal, table, Kit};
    use crate::value::{Str, Sym};

    fn kit() -> Kit {
        Kit::new().with_trusted(&["111111111111"])
    }

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}"#,
            &["222222222222"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}"#,
            &["222222222222"],
        ),
        // Trusted accounts are still other accounts, trusted as a whole.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:role/ci"]},"Action":"sts:AssumeRole"}"#,
            &["111111111111"],
        ),
        // ExternalId does not say which principals; a PrincipalArn that may be absent names nobody.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"},"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/ci"}}}"#,
            &["222222222222"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/ci"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&CrossAccountRootTrust, kit, FAILING);
        table(&CrossAccountRootTrust, kit, PASSING);
    }

    #[test]
    fn this_account_is_not_cross_account() {
        let mut k = kit();
        let this = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::sym(Sym::ThisAccount, None),
            &Str::lit(":root", None),
        ]);
        k.role_doc("deploy", doc_with_principal("AWS", this, vec![]));
        assert!(k.run(&CrossAccountRootTrust).is_empty());
    }

    #[test]
    fn message_names_account_and_consequence() {
        let mut k = kit();
        k.role("deploy", FAILING[0].0);
        let f = k.run(&CrossAccountRootTrust);
        assert!(
            f[0].message.starts_with("role \"deploy\" trusts all of account 222222222222 with no aws:PrincipalArn condition"),
            "{}",
            f[0].message
        );
    }
}
