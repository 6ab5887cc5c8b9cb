//! IAM resources of every module instance → the neutral [`model`](crate::model).

use super::ast::Block;
use super::docs;
use super::eval::{BlockKind, Eval, InstSpec};
use super::vals;
use crate::model::{
    AttachTarget, Attachment, Decl, Diagnostic, Frontend, Group, InlinePolicy, InstanceProfile,
    ManagedPolicy, OidcProvider, Role, Tags, User,
};
use crate::policy::{build, PolicyDocument, Problem};
use crate::source::Span;
use crate::value::{Branch, Guard, Str, Unknown, Value};
use foldhash::HashSet;
use std::borrow::Cow;

/// What a policy or membership is attached to, before matching across the scan.
#[derive(Clone, Debug)]
pub enum Pending {
    /// `aws_iam_role_policy` & co: an inline policy for the principal named by the Str.
    Inline(AttachTarget, Box<InlinePolicy>),
    /// `aws_iam_group_membership` / `aws_iam_user_group_membership`: user → group.
    Membership { user: Str, group: Str },
}

/// What one root module tree produced.
#[derive(Default)]
pub struct Collected {
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub policies: Vec<ManagedPolicy>,
    pub attachments: Vec<Attachment>,
    pub instance_profiles: Vec<InstanceProfile>,
    pub oidc_providers: Vec<OidcProvider>,
    pub pending: Vec<Pending>,
    pub diagnostics: Vec<Diagnostic>,
    /// Policy documents that may be trust documents: (declaration, policy value).
    pub doc_candidates: Vec<(Decl, Value)>,
    /// Spans of policy-document blocks some role's trust policy read.
    pub used_doc_headers: HashSet<Span>,
}

/// Analyses a root module and every module instance it calls.
pub fn analyse_root(ev: &Eval) -> Collected {
    let mut c = Collected::default();
    let mut docs_todo: Vec<(usize, usize, InstSpec)> = Vec::new();
    walk(ev, 0, &mut c, &mut docs_todo);
    for (inst, bi, spec) in docs_todo {
        let m = ev.module(inst);
        let Some(b) = m.block(bi) else { continue };
        let (Some(ty), Some(name)) = (b.label(0), b.label(1)) else {
            continue;
        };
        let decl = decl(ev, inst, BlockKind::Data, ty, name, b, &spec);
        let v = ev.attribute(inst, BlockKind::Data, ty, name, b, &spec, "json", b.header);
        c.doc_candidates.push((decl, v));
    }
    c.diagnostics.extend(ev.diags.borrow_mut().drain(..));
    c.used_doc_headers
        .extend(ev.merged_docs.borrow().iter().copied());
    c
}

fn decl(
    ev: &Eval,
    inst: usize,
    kind: BlockKind,
    ty: &str,
    name: &str,
    b: &Block,
    spec: &InstSpec,
) -> Decl {
    let address = ev.address(inst, kind, ty, name, spec.key.as_ref());
    let mut guards = ev.inst(inst).guards.clone();
    guards.extend(spec.guards.iter().cloned());
    Decl {
        key: ev.key_of(&address),
        address,
        span: b.header,
        frontend: Frontend::Terraform,
        guards,
    }
}

fn walk(ev: &Eval, inst: usize, c: &mut Collected, docs_todo: &mut Vec<(usize, usize, InstSpec)>) {
    let m = ev.module(inst);
    for &bi in &m.resource_order {
        let Some(b) = m.block(bi) else { continue };
        let (Some(ty), Some(name)) = (b.label(0), b.label(1)) else {
            continue;
        };
        if !is_iam(ty) {
            continue;
        }
        let base = ev.address(inst, BlockKind::Resource, ty, name, None);
        for spec in ev.expand(inst, b, &base).iter() {
            let d = decl(ev, inst, BlockKind::Resource, ty, name, b, spec);
            // What the instance exists under holds for everything evaluated about it.
            ev.with_path(d.guards.clone(), || resource(ev, inst, ty, b, spec, d, c));
        }
    }
    for &bi in &m.data_order {
        let Some(b) = m.block(bi) else { continue };
        let (Some("aws_iam_policy_document"), Some(name)) = (b.label(0), b.label(1)) else {
            continue;
        };
        if !docs::may_be_trust(b) || m.docs_used_by_resources.contains(name) {
            continue;
        }
        let base = ev.address(inst, BlockKind::Data, "aws_iam_policy_document", name, None);
        for spec in ev.expand(inst, b, &base).iter() {
            docs_todo.push((inst, bi, spec.clone()));
        }
    }
    for &bi in &m.call_order {
        let Some(b) = m.block(bi) else { continue };
        let Some(name) = b.label(0) else { continue };
        let base = ev.address(inst, BlockKind::Module, "module", name, None);
        for spec in ev.expand(inst, b, &base).iter() {
            match ev.child(inst, name, spec) {
                Ok(child) => walk(ev, child, c, docs_todo),
                Err(u) => {
                    let span = u.span.unwrap_or(b.header);
                    c.diagnostics.push(Diagnostic::Unresolved {
                        unknown: u,
                        span,
                        resource: Some(ev.address(
                            inst,
                            BlockKind::Module,
                            "module",
                            name,
                            spec.key.as_ref(),
                        )),
                    });
                    // Why a call cannot be instantiated does not depend on the instance key: one
                    // diagnostic per call (a `count = 1000` self-call would otherwise give a thousand).
                    break;
                }
            }
        }
    }
}

fn is_iam(ty: &str) -> bool {
    matches!(
        ty,
        "aws_iam_role"
            | "aws_iam_role_policy"
            | "aws_iam_policy"
            | "aws_iam_role_policy_attachment"
            | "aws_iam_policy_attachment"
            | "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment"
            | "aws_iam_user"
            | "aws_iam_user_policy"
            | "aws_iam_group"
            | "aws_iam_group_policy"
            | "aws_iam_group_membership"
            | "aws_iam_user_group_membership"
            | "aws_iam_instance_profile"
            | "aws_iam_openid_connect_provider"
    )
}

struct Res<'a, 'm> {
    ev: &'a Eval<'m>,
    inst: usize,
    b: &'a Block,
    spec: &'a InstSpec,
}

impl Res<'_, '_> {
    fn value(&self, name: &str) -> Option<(Value, Span)> {
        let a = self.b.body.attr(name)?;
        let v = self.ev.eval(self.inst, &self.spec.scope, &a.expr);
        if v.is_null() {
            None
        } else {
            Some((v, a.span))
        }
    }

    fn str(&self, name: &str) -> Option<Str> {
        self.value(name).and_then(|(v, _)| str_of(&v))
    }

    /// `name`, or `name_prefix` followed by the suffix AWS generates.
    fn name(&self) -> Option<Str> {
        if let Some(n) = self.str("name") {
            return Some(n);
        }
        let (v, span) = self.value("name_prefix")?;
        let mut s = str_of(&v)?;
        s.push_str(&Str::unknown(Unknown::new(
            "name_prefix",
            "AWS appends a generated suffix",
            Some(span),
        )));
        Some(s)
    }

    fn strs(&self, name: &str) -> Vec<Str> {
        match self.value(name) {
            Some((v, _)) => strs_of(&v),
            None => Vec::new(),
        }
    }

    fn doc(&self, name: &str, trust: bool) -> Option<(PolicyDocument, Span, Value)> {
        let (v, span) = self.value(name)?;
        let doc = if trust {
            trust_document(&v)
        } else {
            document(&v)
        };
        Some((doc, span, v))
    }
}

/// A value as one string (a single-possibility value; branches and lists are not names).
fn str_of(v: &Value) -> Option<Str> {
    match v {
        Value::Str(s) | Value::Number(s) => Some(s.clone()),
        Value::Unknown(u) => Some(Str::unknown(u.clone())),
        Value::Branches(bs) => {
            // Different possible names: unknown in general, the common text when all agree.
            let first = bs.first().and_then(|b| str_of(&b.value))?;
            if bs
                .iter()
                .all(|b| str_of(&b.value).map(|s| s.text) == Some(first.text.clone()))
            {
                Some(first)
            } else {
                Some(Str::unknown(Unknown::new(
                    first.display(),
                    "the value depends on a condition",
                    v.span(),
                )))
            }
        }
        _ => None,
    }
}

fn strs_of(v: &Value) -> Vec<Str> {
    v.list_items(vals::MAX_ITEMS)
        .into_iter()
        .filter_map(|(_, x)| match x {
            Value::Unknown(u) => Some(Str::unknown(u.clone())),
            other => vals::to_str(other),
        })
        .collect()
}

/// Turns a policy attribute value into a document: JSON strings are parsed (spans kept), structures
/// (`jsonencode`, policy document data sources) are read as they are.
pub fn document(v: &Value) -> PolicyDocument {
    let mut problems = Vec::new();
    let pv = policy_value(v, &mut problems, 0);
    if pv.is_null() && !problems.is_empty() {
        // The text is not JSON: that is the one problem to report.
        return PolicyDocument {
            span: v.span(),
            problems,
            ..PolicyDocument::default()
        };
    }
    let mut doc = build::document_from_value(&pv);
    doc.problems.extend(problems);
    doc
}

/// Like [`document`], for a role's trust policy.
pub fn trust_document(v: &Value) -> PolicyDocument {
    let mut problems = Vec::new();
    let pv = policy_value(v, &mut problems, 0);
    if pv.is_null() && !problems.is_empty() {
        // The text is not JSON: that is the one problem to report.
        return PolicyDocument {
            span: v.span(),
            problems,
            ..PolicyDocument::default()
        };
    }
    let mut doc = build::trust_document_from_value(&pv);
    doc.problems.extend(problems);
    doc
}

/// A policy value with its JSON strings parsed, also inside branches (each possibility is its own JSON
/// text). A string that is only a reference to something known after deploy is unknown, not malformed.
pub fn policy_value<'v>(v: &'v Value, problems: &mut Vec<Problem>, depth: usize) -> Cow<'v, Value> {
    if let Some(u) = vals::opaque(v) {
        return Cow::Owned(u);
    }
    // A document written as HCL (`jsonencode`, a data source) is usually already a map: borrowed, not copied.
    Cow::Owned(match v {
        Value::Str(s) if depth < 8 => match crate::policy::json::parse_str(s) {
            Ok(pv) => pv,
            Err(e) => {
                problems.push(Problem {
                    message: e.describe(&s.text),
                    span: s.span_of(e.offset, e.offset + 1).or_else(|| s.span()),
                });
                Value::Null(s.span())
            }
        },
        Value::Branches(bs) => Value::Branches(
            bs.iter()
                .map(|b| Branch {
                    guard: b.guard.clone(),
                    value: policy_value(&b.value, problems, depth + 1).into_owned(),
                })
                .collect(),
        ),
        other => return Cow::Borrowed(other),
    })
}

/// Spans of every map in a value (policy document blocks are maps spanning their header).
fn map_spans(v: &Value, out: &mut HashSet<Span>, depth: usize) {
    if depth > 16 {
        return;
    }
    match v {
        Value::Map(entries, sp) => {
            if let Some(s) = sp {
                out.insert(*s);
            }
            for (_, x) in entries.iter().take(64) {
                map_spans(x, out, depth + 1);
            }
        }
        Value::List(items, _) => items
            .iter()
            .take(64)
            .for_each(|x| map_spans(x, out, depth + 1)),
        Value::Branches(bs) => bs.iter().for_each(|b| map_spans(&b.value, out, depth + 1)),
        _ => {}
    }
}

/// Tags of a resource: its `tags` plus the `default_tags` of the AWS provider configuration it uses.
fn tags(r: &Res) -> Option<Tags> {
    let own = r.value("tags");
    let defaults = provider_default_tags(r.ev, r.inst, r.b);
    if own.is_none() && defaults.is_none() {
        return None;
    }
    let mut keys = Vec::new();
    let mut complete = true;
    for v in [defaults.as_ref(), own.as_ref()]
        .into_iter()
        .flatten()
        .map(|(v, _)| v)
    {
        for (guards, x) in v.possibilities(vals::MAX_BRANCHES) {
            if !guards.is_empty() {
                complete = false;
            }
            match x {
                Value::Map(entries, _) => {
                    for (k, _) in entries {
                        if !k.is_known() {
                            complete = false;
                        }
                        if !keys.iter().any(|e: &Str| e.text == k.text) {
                            keys.push(k.clone());
                        }
                    }
                }
                _ => complete = false,
            }
        }
    }
    Some(Tags {
        keys,
        complete,
        span: own.map(|(_, span)| span),
    })
}

/// `default_tags { tags = … }` of the `provider "aws"` configuration a resource uses (its `provider`
/// alias, or the default one), looked up from the resource's module up to the root.
fn provider_default_tags(ev: &Eval, inst: usize, b: &Block) -> Option<(Value, Span)> {
    let alias = b
        .body
        .attr("provider")
        .and_then(|a| a.expr.traversal_path())
        .and_then(|p| p.get(1).map(|s| s.to_string()));
    let mut cur = Some(inst);
    while let Some(i) = cur {
        let m = ev.module(i);
        for pb in m
            .blocks
            .iter()
            .filter(|x| x.ty == "provider" && x.label(0) == Some("aws"))
        {
            let pal = pb
                .body
                .attr("alias")
                .and_then(|a| a.expr.as_lit_str())
                .map(|s| s.text.clone());
            if pal == alias {
                let a = pb.body.block("default_tags")?.body.attr("tags")?;
                let v = ev.eval(i, &super::eval::Scope::default(), &a.expr);
                return if v.is_null() { None } else { Some((v, a.span)) };
            }
        }
        cur = ev.inst(i).parent;
    }
    None
}

fn resource(
    ev: &Eval,
    inst: usize,
    ty: &str,
    b: &Block,
    spec: &InstSpec,
    d: Decl,
    c: &mut Collected,
) {
    let r = Res { ev, inst, b, spec };
    match ty {
        "aws_iam_role" => {
            let name = r.name();
            let path = r.str("path");
            let trust = r.doc("assume_role_policy", true).map(|(doc, span, v)| {
                map_spans(&v, &mut c.used_doc_headers, 0);
                crate::model::Trust {
                    doc,
                    attr_span: Some(span),
                }
            });
            let mut unknowns = Vec::new();
            for s in [&name, &path].into_iter().flatten() {
                unknowns.extend(s.unknowns().filter(|u| u.expr != "name_prefix").cloned());
            }
            let mut inline_policies = Vec::new();
            for (i, bi) in
                docs::blocks_with_dynamic(ev, inst, &spec.scope, &b.body, "inline_policy")
                    .into_iter()
                    .enumerate()
            {
                let (body, scope, guards, header) = (bi.body, bi.scope, bi.guards, bi.header);
                let pname = body
                    .attr("name")
                    .map(|a| ev.eval(inst, &scope, &a.expr))
                    .and_then(|v| str_of(&v));
                let Some(pa) = body.attr("policy") else {
                    continue;
                };
                let pv = ev.eval(inst, &scope, &pa.expr);
                let mut g = d.guards.clone();
                g.extend(guards);
                let label = pname
                    .as_ref()
                    .and_then(|n| n.as_known().map(str::to_string))
                    .unwrap_or_else(|| i.to_string());
                inline_policies.push(InlinePolicy {
                    name: pname,
                    doc: document(&pv),
                    decl: Decl {
                        key: format!("{}/inline_policy/{label}", d.key),
                        address: d.address.clone(),
                        span: header,
                        frontend: Frontend::Terraform,
                        guards: g,
                    },
                });
            }
            c.roles.push(Role {
                name,
                path,
                trust,
                max_session_duration: r.value("max_session_duration"),
                tags: tags(&r),
                inline_policies,
                managed_policy_arns: r.strs("managed_policy_arns"),
                permissions_boundary: r.str("permissions_boundary"),
                unknowns,
                decl: d,
            });
        }
        "aws_iam_user" => c.users.push(User {
            name: r.name(),
            path: r.str("path"),
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            groups: Vec::new(),
            decl: d,
        }),
        "aws_iam_group" => c.groups.push(Group {
            name: r.name(),
            path: r.str("path"),
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            decl: d,
        }),
        "aws_iam_policy" => {
            let doc = r.doc("policy", false).map(|x| x.0).unwrap_or_default();
            c.policies.push(ManagedPolicy {
                name: r.name(),
                doc,
                attached_to: Vec::new(),
                decl: d,
            });
        }
        "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            let (field, mk): (&str, fn(Str) -> AttachTarget) = match ty {
                "aws_iam_role_policy" => ("role", AttachTarget::Role),
                "aws_iam_user_policy" => ("user", AttachTarget::User),
                _ => ("group", AttachTarget::Group),
            };
            let Some(target) = r.str(field) else { return };
            let doc = r.doc("policy", false).map(|x| x.0).unwrap_or_default();
            c.pending.push(Pending::Inline(
                mk(target),
                Box::new(InlinePolicy {
                    name: r.name(),
                    doc,
                    decl: d,
                }),
            ));
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => {
            let (field, mk): (&str, fn(Str) -> AttachTarget) = match ty {
                "aws_iam_role_policy_attachment" => ("role", AttachTarget::Role),
                "aws_iam_user_policy_attachment" => ("user", AttachTarget::User),
                _ => ("group", AttachTarget::Group),
            };
            let (Some(target), Some(arn)) = (r.str(field), r.str("policy_arn")) else {
                return;
            };
            c.attachments.push(Attachment {
                decl: d,
                target: mk(target),
                policy_arn: arn,
            });
        }
        "aws_iam_policy_attachment" => {
            let Some(arn) = r.str("policy_arn") else {
                return;
            };
            for (field, mk) in [
                ("roles", AttachTarget::Role as fn(Str) -> AttachTarget),
                ("users", AttachTarget::User),
                ("groups", AttachTarget::Group),
            ] {
                for t in r.strs(field) {
                    c.attachments.push(Attachment {
                        decl: d.clone(),
                        target: mk(t),
                        policy_arn: arn.clone(),
                    });
                }
            }
        }
        "aws_iam_group_membership" => {
            let Some(group) = r.str("group") else { return };
            for user in r.strs("users") {
                c.pending.push(Pending::Membership {
                    user,
                    group: group.clone(),
                });
            }
        }
        "aws_iam_user_group_membership" => {
            let Some(user) = r.str("user") else { return };
            for group in r.strs("groups") {
                c.pending.push(Pending::Membership {
                    user: user.clone(),
                    group,
                });
            }
        }
        "aws_iam_instance_profile" => {
            if let Some(role) = r.str("role") {
                c.instance_profiles.push(InstanceProfile { decl: d, role });
            }
        }
        "aws_iam_openid_connect_provider" => c.oidc_providers.push(OidcProvider {
            url: r.str("url"),
            client_ids: r.strs("client_id_list"),
            decl: d,
        }),
        _ => {}
    }
}

/// A guard list as one guard (for values that exist under several).
pub fn join_guards(gs: &[Guard]) -> Option<Guard> {
    match gs {
        [] => None,
        [g] => Some(g.clone()),
        _ => Some(Guard::new(
            gs.iter()
                .map(|g| g.label.as_str())
                .collect::<Vec<_>>()
                .join(" and "),
            gs.first().and_then(|g| g.span),
        )),
    }
}
