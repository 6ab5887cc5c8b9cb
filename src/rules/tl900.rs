//! TL900 parse-error: a file of a recognised kind cannot be parsed, or a policy document is malformed.

use super::common;
use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::Diagnostic;
use crate::source::Span;

fn message_document(what: &str, problem: &str) -> String {
    format!("{what} is malformed: {problem}")
}

fn message_no_principal(what: &str, index: usize) -> String {
    format!(
        "{what} is malformed: statement {index} has no Principal, which every statement of a role trust policy needs, so IAM rejects the deploy"
    )
}

pub struct ParseError;

pub static META: RuleMeta = RuleMeta {
    id: "TL900",
    slug: "parse-error",
    default_severity: Severity::Error,
    short: "A file of a recognised kind cannot be parsed, or a policy document is malformed",
    page: include_str!("../../rules/TL900.md"),
    security_severity: "3.0",
    tags: &["parse-error", "reliability"],
};

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let mut seen: Vec<(String, Span, String)> = Vec::new();
        let mut push =
            |out: &mut Vec<Finding>, resource: &str, key: &str, span: Span, msg: String| {
                let id = (resource.to_string(), span, msg.clone());
                if seen.contains(&id) {
                    return;
                }
                seen.push(id);
                out.push(
                    Finding::new(META.id, META.default_severity, msg.clone(), span, resource)
                        .key(format!("{key}|{}", without_positions(&msg))),
                );
            };
        for d in &ctx.inventory.diagnostics {
            if let Diagnostic::ParseError {
                message,
                span,
                resource,
            } = d
            {
                let resource = match resource {
                    Some(r) => r.clone(),
                    None => ctx.sources.get(span.file).rel.clone(),
                };
                push(out, &resource, &resource, *span, message.clone());
            }
        }
        for d in common::documents(ctx.inventory) {
            for p in &d.doc.problems {
                let span = p.span.unwrap_or(d.fallback);
                push(
                    out,
                    d.resource,
                    d.key,
                    span,
                    message_document(&d.what, &p.message),
                );
            }
            if !d.trust {
                continue;
            }
            for stmt in crate::policy::build::statements_without_principal(d.doc) {
                let span = stmt.span.unwrap_or(d.fallback);
                let msg = message_no_principal(&d.what, stmt.index + 1);
                push(out, d.resource, d.key, span, msg);
            }
        }
    }
}

/// Parser messages often quote where they failed (`at line 3 column 7`); fingerprints must survive line
/// moves, so numbers after position words are dropped.
fn without_positions(msg: &str) -> String {
    const WORDS: [&str; 6] = ["line", "column", "col", "offset", "position", "byte"];
    let mut out = String::with_capacity(msg.len());
    let mut after_word = false;
    for token in msg.split_inclusive(|c: char| c.is_whitespace() || c == ':' || c == ',') {
        let core = token.trim_end_matches(|c: char| c.is_whitespace() || c == ':' || c == ',');
        if after_word && !core.is_empty() && core.chars().all(|c| c.is_ascii_digit()) {
            out.push('#');
            out.push_str(&token[core.len()..]);
        } else {
            out.push_str(token);
        }
        after_word = WORDS.iter().any(|w| core.eq_ignore_ascii_case(w))
            || (after_word && core.chars().all(|c| c.is_ascii_digit()) && !core.is_empty());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InlinePolicy;
    use crate::policy::Problem;
    use crate::rules::common::testkit::Kit;

    #[test]
    fn parse_errors_from_front_ends() {
        let mut k = Kit::new();
        let file = k.file("broken.yaml", "Resources:\n  Role: [\n");
        let span = k.span_of(file, "[");
        k.inv.diagnostics.push(Diagnostic::ParseError {
            message: "YAML: unexpected end of stream".into(),
            span,
            resource: None,
        });
        let f = k.run(&ParseError);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "YAML: unexpected end of stream");
        assert_eq!(f[0].resource, "broken.yaml");
        assert_eq!(k.texts(&f), vec!["["]);
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn fingerprints_ignore_positions_in_parser_messages() {
        assert_eq!(
            without_positions("expected value at line 3 column 17"),
            "expected value at line # column #"
        );
        assert_eq!(
            without_positions("invalid byte at offset 120, line 4:9"),
            "invalid byte at offset #, line #:#"
        );
        assert_eq!(
            without_positions("account 123456789012 is invalid"),
            "account 123456789012 is invalid"
        );
    }

    #[test]
    fn trust_statement_without_principal() {
        let mut k = Kit::new();
        k.role(
            "deploy",
            r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Action":"sts:AssumeRole"}]"#,
        );
        let f = k.run(&ParseError);
        assert_eq!(
            f.len(),
            1,
            "{:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        assert_eq!(
            f[0].message,
            "the trust policy of role \"deploy\" is malformed: statement 2 has no Principal, which every statement of a role trust policy needs, so IAM rejects the deploy"
        );
        assert_eq!(
            k.texts(&f),
            vec![r#"{"Effect":"Allow","Action":"sts:AssumeRole"}"#]
        );
    }

    #[test]
    fn document_problems_everywhere_and_once() {
        let mut k = Kit::new();
        let file = k.file("p.json", "{\"Effect\": \"Alow\"}");
        let span = k.span_of(file, "\"Alow\"");
        let problem = Problem {
            message: "Effect must be Allow or Deny, not \"Alow\"".into(),
            span: Some(span),
        };
        let mut doc = k.doc(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#);
        doc.problems.push(problem.clone());
        let mut inline_doc = k.doc(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#);
        inline_doc.problems.push(Problem {
            message: "unknown element \"Principals\"".into(),
            span: None,
        });
        let decl = k.decl("aws_iam_role_policy.read");
        let role = k.role_doc("deploy", doc);
        role.inline_policies.push(InlinePolicy {
            name: Some(crate::value::Str::lit("read", None)),
            doc: inline_doc,
            decl,
        });
        let f = k.run(&ParseError);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "the trust policy of role \"deploy\" is malformed: Effect must be Allow or Deny, not \"Alow\"",
                "policy \"read\" of role \"deploy\" is malformed: unknown element \"Principals\"",
            ]
        );
        assert_eq!(k.text(f[0].primary), "\"Alow\"");
        assert_eq!(f[1].resource, "aws_iam_role_policy.read");
        // An identity policy without Principal is normal.
        assert!(!msgs.iter().any(|m| m.contains("no Principal")));
    }
}
