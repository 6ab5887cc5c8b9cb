//! TL010 untrusted-account: a trusted principal belongs to an account that is neither this account nor listed
//! in `trusted_accounts` or `third_party_accounts`.

use super::common::{self, AccountClass, Site, TrustTarget};
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::policy::{AccountRef, Principal};
use crate::value::Guard;

fn message(target: &TrustTarget, who: &str, when: &str) -> String {
    format!(
        "{} trusts {who}{when}, which is not in trusted_accounts",
        target.subject()
    )
}

pub struct UntrustedAccount;

pub static META: RuleMeta = RuleMeta {
    id: "TL010",
    slug: "untrusted-account",
    default_severity: Severity::Warning,
    short:
        "A role trusts an account that is not this account and not listed as trusted or third party",
    page: include_str!("../../rules/TL010.md"),
    security_severity: "6.5",
    tags: &["security", "iam", "cross-account"],
};

impl Rule for UntrustedAccount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for target in common::trust_targets(ctx.inventory) {
            let grants = ctx.grants(target.doc);
            for g in grants.iter() {
                let Some(AccountRef::Id(id)) = common::caller_account(g.principal()) else {
                    continue;
                };
                if common::classify(ctx.config, &AccountRef::Id(id.clone()))
                    != AccountClass::Unlisted
                {
                    continue;
                }
                let who = match g.principal() {
                    Principal::Account { .. } => format!("account {id}"),
                    _ => format!("{} of account {id}", common::describe(g.entry)),
                };
                let site = common::account_site(g.entry, target.stmt_span(g.stmt));
                out.push(build(
                    &target,
                    &who,
                    id,
                    &g.guards,
                    site,
                    &common::principal_key(g.entry),
                ));
            }
            // `aws:PrincipalAccount` pins callers to accounts: each listed account is trusted.
            let mut seen = Vec::new();
            for g in grants.iter() {
                if seen.contains(&g.stmt.index) {
                    continue;
                }
                seen.push(g.stmt.index);
                for item in common::must_hold_values(g.stmt, "aws:PrincipalAccount") {
                    let Some(id) = item.value.as_known() else {
                        continue;
                    };
                    if common::classify(ctx.config, &AccountRef::Id(id.to_string()))
                        != AccountClass::Unlisted
                    {
                        continue;
                    }
                    let mut guards = g.stmt.guards.clone();
                    guards.extend(item.guards.iter().cloned());
                    let site = common::item_site(item, target.stmt_span(g.stmt));
                    let who = format!("callers of account {id} (aws:PrincipalAccount)");
                    out.push(build(
                        &target,
                        &who,
                        id,
                        &guards,
                        site,
                        &format!("PrincipalAccount:{id}"),
                    ));
                }
            }
        }
    }
}

fn build(
    target: &TrustTarget,
    who: &str,
    account: &str,
    guards: &[Guard],
    site: Site,
    principal: &str,
) -> Finding {
    let msg = message(target, who, &common::when(guards));
    let key = format!("{account}|{principal}|{}", common::guard_key(guards));
    site.attach(target.finding(&META, msg, site.span, &key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::build;
    use crate::rules::common::testkit::{doc_with_principal, table, Kit};
    use crate::source::Span;
    use crate::value::{Str, Sym, Value};

    fn kit() -> Kit {
        Kit::new()
            .with_trusted(&["111111111111"])
            .with_third_party("464622532012", "datadog")
    }

    const FAILING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}"#,
            &["210987654321"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sts:AssumeRole"}"#,
            &["210987654321"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:role/ci"]},"Action":"sts:AssumeRole"}"#,
            &["222222222222"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:user/bob"},"Action":"sts:AssumeRole"}"#,
            &["333333333333"],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":["111111111111","444444444444"]}}}"#,
            &["444444444444"],
        ),
    ];

    const PASSING: &[(&str, &[&str])] = &[
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::464622532012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}"#,
            &[],
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        (
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // A wildcard account is TL011's, not an untrusted literal.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"}"#,
            &[],
        ),
        // A negated account condition names no trusted account.
        (
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"444444444444"}}}"#,
            &[],
        ),
    ];

    #[test]
    fn failing_and_passing_snippets() {
        table(&UntrustedAccount, kit, FAILING);
        table(&UntrustedAccount, kit, PASSING);
    }

    #[test]
    fn message_matches_the_spec_example() {
        let mut k = kit();
        k.role("deploy", FAILING[0].0);
        let f = k.run(&UntrustedAccount);
        assert_eq!(
            f[0].message,
            "role \"deploy\" trusts account 210987654321, which is not in trusted_accounts"
        );
        let mut k = kit();
        k.role("deploy", FAILING[2].0);
        let f = k.run(&UntrustedAccount);
        assert_eq!(
            f[0].message,
            "role \"deploy\" trusts role arn:aws:iam::222222222222:role/ci of account 222222222222, which is not in trusted_accounts"
        );
    }

    #[test]
    fn account_written_in_tfvars_is_the_primary_location_with_hops() {
        let mut k = kit();
        let main = k.file(
            "main.tf",
            "identifiers = [\"arn:aws:iam::${var.acct}:root\"]\nvariable \"acct\" {}\n",
        );
        let vars = k.file("terraform.tfvars", "acct = \"210987654321\"\n");
        let digits = k.span_of(vars, "210987654321");
        let var_decl = k.span_of(main, "variable \"acct\" {}");
        let arn = Str::concat([
            &Str::lit("arn:aws:iam::", Some(k.span_of(main, "arn:aws:iam::"))),
            &Str::lit("210987654321", Some(digits)).with_hop(var_decl),
            &Str::lit(":root", Some(k.span_of(main, ":root"))),
        ]);
        let doc = doc_with_principal("AWS", arn, vec![]);
        k.role_doc("deploy", doc);
        let f = k.run(&UntrustedAccount);
        assert_eq!(k.texts(&f), vec!["210987654321"]);
        assert_eq!(f[0].primary.file, vars);
        assert_eq!(f[0].related.len(), 1);
        assert_eq!(k.text(f[0].related[0].span), "variable \"acct\" {}");
    }

    #[test]
    fn this_account_and_unknown_accounts_are_never_judged() {
        let mut k = kit();
        let this = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::sym(Sym::ThisAccount, Some(Span::default())),
            &Str::lit(":root", None),
        ]);
        k.role_doc("a", doc_with_principal("AWS", this, vec![]));
        let unknown = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::unknown(crate::value::Unknown::new(
                "var.acct",
                "variable has no value",
                None,
            )),
            &Str::lit(":root", None),
        ]);
        k.role_doc("b", doc_with_principal("AWS", unknown, vec![]));
        assert!(k.run(&UntrustedAccount).is_empty());
    }

    #[test]
    fn branches_are_named() {
        let mut k = kit();
        let v = Value::Map(
            vec![
                (Str::synthetic("Version"), Value::str("2012-10-17", None)),
                (
                    Str::synthetic("Statement"),
                    Value::List(
                        vec![Value::Map(
                            vec![
                                (Str::synthetic("Effect"), Value::str("Allow", None)),
                                (Str::synthetic("Action"), Value::str("sts:AssumeRole", None)),
                                (
                                    Str::synthetic("Principal"),
                                    Value::Map(
                                        vec![(
                                            Str::synthetic("AWS"),
                                            Value::Branches(vec![
                                                crate::value::Branch {
                                                    guard: crate::value::Guard::new(
                                                        "condition IsProd is true",
                                                        None,
                                                    ),
                                                    value: Value::str("210987654321", None),
                                                },
                                                crate::value::Branch {
                                                    guard: crate::value::Guard::new(
                                                        "condition IsProd is false",
                                                        None,
                                                    ),
                                                    value: Value::str("111111111111", None),
                                                },
                                            ]),
                                        )],
                                        None,
                                    ),
                                ),
                            ],
                            None,
                        )],
                        None,
                    ),
                ),
            ],
            None,
        );
        k.role_doc("deploy", build::document_from_value(&v));
        let f = k.run(&UntrustedAccount);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "role \"deploy\" trusts account 210987654321 when condition IsProd is true, which is not in trusted_accounts"
        );
    }
}
