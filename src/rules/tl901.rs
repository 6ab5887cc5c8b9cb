//! TL901 unresolved-value: part of a trust or identity policy (or of a role) could not be resolved statically.

use super::common;
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::Diagnostic;
use crate::policy::PolicyDocument;
use crate::source::Span;
use crate::value::Unknown;

fn message(u: &Unknown, what: &str) -> String {
    format!(
        "{} in {what} could not be resolved ({}), so trustlint cannot judge what it stands for",
        u.expr, u.why
    )
}

pub struct UnresolvedValue;

pub static META: RuleMeta = RuleMeta {
    id: "TL901",
    slug: "unresolved-value",
    default_severity: Severity::Note,
    short: "Part of a trust or identity policy could not be resolved statically",
    page: include_str!("../../rules/TL901.md"),
    security_severity: "1.0",
    tags: &["unresolved", "coverage"],
};

impl Rule for UnresolvedValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let mut seen: Vec<(String, String, Span)> = Vec::new();
        let mut push = |out: &mut Vec<Finding>,
                        resource: &str,
                        key: &str,
                        u: &Unknown,
                        fallback: Span,
                        what: &str| {
            let span = u.span.unwrap_or(fallback);
            let id = (resource.to_string(), u.expr.clone(), span);
            if seen.contains(&id) {
                return;
            }
            seen.push(id);
            out.push(
                Finding::new(
                    META.id,
                    META.default_severity,
                    message(u, what),
                    span,
                    resource,
                )
                .key(format!("{key}|{}|{}", u.expr, u.why)),
            );
        };
        for d in common::documents(ctx.inventory) {
            for u in document_unknowns(d.doc) {
                push(out, d.resource, d.key, &u, d.fallback, &d.what);
            }
        }
        for r in &ctx.inventory.roles {
            let what = format!("role \"{}\"", r.display_name());
            for u in &r.unknowns {
                push(out, &r.decl.address, &r.decl.key, u, r.decl.span, &what);
            }
        }
        for d in &ctx.inventory.diagnostics {
            if let Diagnostic::Unresolved {
                unknown,
                span,
                resource,
            } = d
            {
                let resource = match resource {
                    Some(r) => r.clone(),
                    None => ctx.sources.get(span.file).rel.clone(),
                };
                let what = if resource.is_empty() {
                    "the configuration".to_string()
                } else {
                    resource.clone()
                };
                push(out, &resource, &resource, unknown, *span, &what);
            }
        }
    }
}

/// The document's own list, then anything unknown inside its statements the list may have missed.
fn document_unknowns(doc: &PolicyDocument) -> Vec<Unknown> {
    let mut out: Vec<Unknown> = doc.unknowns.clone();
    let mut add = |u: &Unknown| {
        if !out.contains(u) {
            out.push(u.clone());
        }
    };
    for s in &doc.statements {
        let items = s
            .actions
            .iter()
            .chain(s.not_actions.iter().flatten())
            .chain(s.resources.iter().flatten())
            .chain(s.not_resources.iter().flatten())
            .chain(s.conditions.iter().flat_map(|c| c.values.iter()));
        for i in items {
            i.value.unknowns().for_each(&mut add);
        }
        for c in &s.conditions {
            c.key.unknowns().for_each(&mut add);
        }
        for e in s
            .principals
            .iter()
            .chain(s.not_principals.iter())
            .flat_map(|p| p.entries.iter())
        {
            e.value.unknowns().for_each(&mut add);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testkit::{doc_with_principal, Kit};
    use crate::value::Str;

    #[test]
    fn unknown_account_in_trust_is_reported_once() {
        let mut k = Kit::new();
        let file = k.file(
            "main.tf",
            "identifiers = [\"arn:aws:iam::${var.acct}:root\"]\n",
        );
        let span = k.span_of(file, "var.acct");
        let u = Unknown::new("var.acct", "variable has no value", Some(span));
        let arn = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::unknown(u.clone()),
            &Str::lit(":root", None),
        ]);
        let mut doc = doc_with_principal("AWS", arn, vec![]);
        // Listed by the document and present in the entry: one finding.
        if !doc.unknowns.contains(&u) {
            doc.unknowns.push(u);
        }
        k.role_doc("deploy", doc);
        let f = k.run(&UnresolvedValue);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "var.acct in the trust policy of role \"deploy\" could not be resolved (variable has no value), so trustlint cannot judge what it stands for"
        );
        assert_eq!(k.texts(&f), vec!["var.acct"]);
        assert_eq!(f[0].severity, Severity::Note);
    }

    #[test]
    fn role_unknowns_and_diagnostics() {
        let mut k = Kit::new();
        let file = k.file(
            "main.tf",
            "name = module.naming.role_name\nimport = Fn::ImportValue\n",
        );
        let name_span = k.span_of(file, "module.naming.role_name");
        let import_span = k.span_of(file, "Fn::ImportValue");
        k.role("deploy", r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#)
            .unknowns
            .push(Unknown::new(
                "module.naming.role_name",
                "output of a registry module that is not downloaded",
                Some(name_span),
            ));
        k.inv.diagnostics.push(Diagnostic::Unresolved {
            unknown: Unknown::new(
                "Fn::ImportValue SharedRoleArn",
                "imports are resolved at deploy time",
                None,
            ),
            span: import_span,
            resource: Some("DeployRole".into()),
        });
        let f = k.run(&UnresolvedValue);
        let texts = k.texts(&f);
        assert_eq!(texts, vec!["module.naming.role_name", "Fn::ImportValue"]);
        assert!(f[0]
            .message
            .starts_with("module.naming.role_name in role \"deploy\" could not be resolved"));
        assert_eq!(f[1].resource, "DeployRole");
        assert!(f[1].message.starts_with("Fn::ImportValue SharedRoleArn in DeployRole could not be resolved (imports are resolved at deploy time)"));
    }

    #[test]
    fn known_documents_report_nothing() {
        let mut k = Kit::new();
        k.role("deploy", r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#);
        assert!(k.run(&UnresolvedValue).is_empty());
    }
}
