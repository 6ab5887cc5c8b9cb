//! TL050 role-missing-tags: a role lacks a tag named in the configuration's `required_tags`.

use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::Role;

fn message(role: &Role, missing: &[&str], near: &[String]) -> String {
    let (noun, list) = if missing.len() == 1 {
        ("tag", missing.join(", "))
    } else {
        ("tags", missing.join(", "))
    };
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!(" (tag keys are case-sensitive; found {})", near.join(", "))
    };
    format!(
        "role \"{}\" lacks required {noun} {list}{hint}, so ownership and cost reports cannot attribute it",
        role.display_name()
    )
}

pub struct RoleMissingTags;

pub static META: RuleMeta = RuleMeta {
    id: "TL050",
    slug: "role-missing-tags",
    default_severity: Severity::Warning,
    short: "A role lacks a tag listed in the configuration's required_tags",
    page: include_str!("../../rules/TL050.md"),
    security_severity: "1.0",
    tags: &["iam", "governance", "tagging"],
};

impl Rule for RoleMissingTags {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let required = &ctx.config.required_tags;
        if required.is_empty() {
            return;
        }
        for role in ctx
            .inventory
            .roles
            .iter()
            .filter(|r| !r.is_service_linked())
        {
            let (keys, span): (Vec<&str>, _) = match &role.tags {
                None => (Vec::new(), role.decl.span),
                Some(tags) => {
                    // A tag map that is partly unknown may hold the tag: never assert it is missing.
                    if !tags.complete {
                        continue;
                    }
                    let known: Option<Vec<&str>> = tags.keys.iter().map(|k| k.as_known()).collect();
                    let Some(known) = known else { continue };
                    (known, tags.span.unwrap_or(role.decl.span))
                }
            };
            let missing: Vec<&str> = required
                .iter()
                .map(String::as_str)
                .filter(|r| !keys.contains(r))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let near: Vec<String> = keys
                .iter()
                .filter(|k| missing.iter().any(|m| m.eq_ignore_ascii_case(k)))
                .map(|k| k.to_string())
                .collect();
            let msg = message(role, &missing, &near);
            let key = format!("{}|{}", role.decl.key, missing.join(","));
            out.push(
                Finding::new(
                    META.id,
                    META.default_severity,
                    msg,
                    span,
                    &role.decl.address,
                )
                .key(key),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tags;
    use crate::rules::common::testkit::Kit;
    use crate::value::Str;

    const TRUST: &str = r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#;

    fn kit(required: &[&str]) -> Kit {
        let mut k = Kit::new();
        k.config.required_tags = required.iter().map(|s| s.to_string()).collect();
        k
    }

    fn tags(k: &Kit, keys: &[&str], complete: bool) -> Tags {
        let file = k.file("tags.tf", &format!("  tags = {{ {} }}\n", keys.join(", ")));
        Tags {
            keys: keys.iter().map(|t| Str::lit(*t, None)).collect(),
            complete,
            span: Some(k.span_of(file, &format!("tags = {{ {} }}", keys.join(", ")))),
        }
    }

    #[test]
    fn failing_and_passing_roles() {
        // (required, tags present (None = no tags attribute), complete, expected missing in message)
        type Case<'a> = (&'a [&'a str], Option<&'a [&'a str]>, bool, Option<&'a str>);
        let cases: &[Case] = &[
            (&["owner"], None, true, Some("lacks required tag owner,")),
            (
                &["owner", "team"],
                Some(&["team"]),
                true,
                Some("lacks required tag owner,"),
            ),
            (
                &["owner", "team"],
                Some(&["env"]),
                true,
                Some("lacks required tags owner, team,"),
            ),
            (&["owner"], Some(&["Owner"]), true, Some("found Owner")),
            (&["owner"], Some(&["owner", "env"]), true, None),
            (&["owner"], Some(&["env"]), false, None),
            (&[], None, true, None),
        ];
        for (required, present, complete, expect) in cases {
            let mut k = kit(required);
            let t = present.map(|p| tags(&k, p, *complete));
            k.role("app", TRUST).tags = t;
            let f = k.run(&RoleMissingTags);
            match expect {
                None => assert!(
                    f.is_empty(),
                    "{required:?} {present:?}: {:?}",
                    f.first().map(|f| &f.message)
                ),
                Some(fragment) => {
                    assert_eq!(f.len(), 1, "{required:?} {present:?}");
                    assert!(f[0].message.contains(fragment), "{}", f[0].message);
                    let text = k.text(f[0].primary);
                    if present.is_some() {
                        assert!(text.starts_with("tags = {"), "{text}");
                    } else {
                        assert!(text.starts_with("resource \""), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn message_names_role_and_tag() {
        let mut k = kit(&["owner"]);
        k.role("app", TRUST);
        let f = k.run(&RoleMissingTags);
        assert_eq!(
            f[0].message,
            "role \"app\" lacks required tag owner, so ownership and cost reports cannot attribute it"
        );
        assert_eq!(f[0].resource, "aws_iam_role.app");
    }
}
