//! Builds inventories in code from JSON policy snippets, for the graph tests.
//!
//! Snippets are real JSON parsed by `policy::json::parse_str`, with markers that stand for symbolic values
//! the front ends produce: `${this}` (this account), `${partition}`, `${role:ADDR}` (a scanned role's ARN),
//! `${rolename:ADDR}`, `${user:ADDR}`, `${username:ADDR}`, `${group:ADDR}`, `${policy:ADDR}` and
//! `${unknown:EXPR}`. Every snippet is a source file of its own, so spans are real, and becomes a document
//! through `policy::build::document_from_value`, the path every front end takes.
#![allow(dead_code)]

use trustlint::config::Config;
use trustlint::finding::Finding;
use trustlint::graph::{Graph, GraphOptions};
use trustlint::model::{
    AttachTarget, Decl, Frontend, Group, InlinePolicy, InstanceProfile, Inventory, ManagedPolicy,
    Role, Trust, User,
};
use trustlint::policy::PolicyDocument;
use trustlint::rules::{Context, Rule};
use trustlint::source::{SourceMap, Span};
use trustlint::value::{Str, Sym, Unknown};

pub fn key(address: &str) -> String {
    format!("test::{address}")
}

/// A marker template as a `Str` whose parts point into `file` of `sources`.
pub fn template(sources: &SourceMap, name: &str, text: &str) -> Str {
    let file = sources.add(name.into(), name.into(), text.to_string());
    let mut out = Str::default();
    let mut pos = 0usize;
    while let Some(rel) = text[pos..].find("${") {
        let start = pos + rel;
        let Some(close) = text[start..].find('}') else {
            break;
        };
        let end = start + close + 1;
        if start > pos {
            out.push_str(&Str::lit(&text[pos..start], Some(file.span(pos, start))));
        }
        let inner = &text[start + 2..end - 1];
        let span = Some(file.span(start, end));
        let (kind, arg) = inner.split_once(':').unwrap_or((inner, ""));
        let part = match kind {
            "this" => Str::sym(Sym::ThisAccount, span),
            "partition" => Str::sym(Sym::Partition, span),
            "role" => Str::sym(Sym::RoleArn(key(arg)), span),
            "rolename" => Str::sym(Sym::RoleName(key(arg)), span),
            "user" => Str::sym(Sym::UserArn(key(arg)), span),
            "username" => Str::sym(Sym::UserName(key(arg)), span),
            "group" => Str::sym(Sym::GroupArn(key(arg)), span),
            "policy" => Str::sym(Sym::PolicyArn(key(arg)), span),
            "unknown" => Str::unknown(Unknown::new(arg, "test unknown", span)),
            other => panic!("unknown marker {other}"),
        };
        out.push_str(&part);
        pos = end;
    }
    if pos < text.len() {
        out.push_str(&Str::lit(&text[pos..], Some(file.span(pos, text.len()))));
    }
    out
}

/// A policy document from a JSON snippet with markers.
pub fn document(sources: &SourceMap, name: &str, json: &str) -> PolicyDocument {
    let s = template(sources, name, json);
    let v = trustlint::policy::json::parse_str(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
    let doc = trustlint::policy::build::document_from_value(&v);
    assert!(doc.problems.is_empty(), "{name}: {:?}", doc.problems);
    doc
}

/// An inventory under construction, with its sources.
pub struct Kit {
    pub sources: SourceMap,
    pub inv: Inventory,
    pub options: GraphOptions,
}

impl Default for Kit {
    fn default() -> Kit {
        Kit::new()
    }
}

/// `{"Version": …, "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": P}}]}`.
pub fn trust_aws(principal: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"AWS": "{principal}"}}}}]}}"#
    )
}

pub fn trust_service(service: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"Service": "{service}"}}}}]}}"#
    )
}

/// An identity policy allowing `sts:AssumeRole` on one resource.
pub fn allow_assume(resource: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "{resource}"}}]}}"#
    )
}

pub fn deny_assume(resource: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "{resource}"}}]}}"#
    )
}

impl Kit {
    pub fn new() -> Kit {
        Kit {
            sources: SourceMap::new(),
            inv: Inventory::default(),
            options: GraphOptions::default(),
        }
    }

    pub fn decl(&self, address: &str) -> Decl {
        let f = self.sources.add(
            format!("decl/{address}").into(),
            format!("decl/{address}"),
            format!("resource {address}"),
        );
        Decl {
            key: key(address),
            address: address.to_string(),
            span: f.whole(),
            frontend: Frontend::Terraform,
            guards: Vec::new(),
        }
    }

    pub fn str(&self, text: &str) -> Str {
        let n = self.sources.len();
        template(&self.sources, &format!("str/{n}"), text)
    }

    pub fn doc(&self, label: &str, json: &str) -> PolicyDocument {
        let n = self.sources.len();
        document(&self.sources, &format!("{label}#{n}.json"), json)
    }

    /// A role at `path` (None: `/`) named `name` (None: generated by AWS).
    pub fn role(
        &mut self,
        address: &str,
        name: Option<&str>,
        path: Option<&str>,
        trust: Option<&str>,
    ) {
        let role = Role {
            decl: self.decl(address),
            name: name.map(|n| Str::lit(n, None)),
            path: path.map(|p| Str::lit(p, None)),
            trust: trust.map(|t| Trust {
                doc: self.doc(&format!("{address}.trust"), t),
                attr_span: None,
            }),
            max_session_duration: None,
            tags: None,
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            permissions_boundary: None,
            unknowns: Vec::new(),
        };
        self.inv.roles.push(role);
    }

    /// A role named like its address at `/`.
    pub fn simple_role(&mut self, name: &str, trust: &str) {
        self.role(name, Some(name), None, Some(trust));
    }

    fn inline(&self, owner: &str, name: &str, json: &str) -> InlinePolicy {
        InlinePolicy {
            name: Some(Str::lit(name, None)),
            doc: self.doc(&format!("{owner}.{name}"), json),
            decl: self.decl(&format!("{owner}.policy.{name}")),
        }
    }

    pub fn role_policy(&mut self, role: &str, name: &str, json: &str) {
        let p = self.inline(role, name, json);
        if let Some(r) = self.inv.roles.iter_mut().find(|r| r.decl.address == role) {
            r.inline_policies.push(p);
        }
    }

    pub fn role_managed(&mut self, role: &str, arn: &str) {
        let s = self.str(arn);
        if let Some(r) = self.inv.roles.iter_mut().find(|r| r.decl.address == role) {
            r.managed_policy_arns.push(s);
        }
    }

    pub fn user(&mut self, address: &str, name: Option<&str>, groups: &[&str]) {
        let groups = groups.iter().map(|g| self.str(g)).collect();
        let u = User {
            decl: self.decl(address),
            name: name.map(|n| Str::lit(n, None)),
            path: None,
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            groups,
        };
        self.inv.users.push(u);
    }

    pub fn user_policy(&mut self, user: &str, name: &str, json: &str) {
        let p = self.inline(user, name, json);
        if let Some(u) = self.inv.users.iter_mut().find(|u| u.decl.address == user) {
            u.inline_policies.push(p);
        }
    }

    pub fn group(&mut self, address: &str, name: Option<&str>) {
        let g = Group {
            decl: self.decl(address),
            name: name.map(|n| Str::lit(n, None)),
            path: None,
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
        };
        self.inv.groups.push(g);
    }

    pub fn group_policy(&mut self, group: &str, name: &str, json: &str) {
        let p = self.inline(group, name, json);
        if let Some(g) = self.inv.groups.iter_mut().find(|g| g.decl.address == group) {
            g.inline_policies.push(p);
        }
    }

    pub fn managed(
        &mut self,
        address: &str,
        name: Option<&str>,
        json: &str,
        attached_to: Vec<AttachTarget>,
    ) {
        let mp = ManagedPolicy {
            decl: self.decl(address),
            name: name.map(|n| Str::lit(n, None)),
            doc: self.doc(address, json),
            attached_to,
        };
        self.inv.policies.push(mp);
    }

    pub fn attachment(&mut self, address: &str, target: AttachTarget, arn: &str) {
        let a = trustlint::model::Attachment {
            decl: self.decl(address),
            target,
            policy_arn: self.str(arn),
        };
        self.inv.attachments.push(a);
    }

    pub fn instance_profile(&mut self, address: &str, role: &str) {
        let ip = InstanceProfile {
            decl: self.decl(address),
            role: self.str(role),
        };
        self.inv.instance_profiles.push(ip);
    }

    pub fn graph(&self) -> Graph {
        Graph::build_with(&self.inv, &self.options)
    }

    /// Runs one rule over the inventory.
    pub fn run(&self, rule: &dyn Rule) -> Vec<Finding> {
        let g = self.graph();
        let config = Config::default();
        let ctx = Context::new(&self.inv, &config, &self.sources, &g);
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> String {
        self.sources.get(span.file).slice(span).to_string()
    }

    /// The file a span is in.
    pub fn file(&self, span: Span) -> String {
        self.sources.get(span.file).rel.clone()
    }
}

/// Edges as `from -> to (kind)` with a `?` suffix when not certain, sorted.
pub fn edges(g: &Graph) -> Vec<String> {
    let mut v: Vec<String> = g
        .edges()
        .iter()
        .map(|e| {
            let name = |i| g.node(i).map(|n| n.name.clone()).unwrap_or_default();
            format!(
                "{} -> {} ({}){}",
                name(e.from),
                name(e.to),
                e.kind.as_str(),
                if e.certain { "" } else { "?" }
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Names of the nodes `from` can assume (certain or not), sorted.
pub fn targets_of(g: &Graph, from: &str) -> Vec<String> {
    let mut v: Vec<String> = g
        .edges()
        .iter()
        .filter(|e| g.node(e.from).is_some_and(|n| n.name == from))
        .filter_map(|e| g.node(e.to).map(|n| n.name.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Whether `from` can assume `to` (any edge), and whether certainly.
pub fn can_assume(g: &Graph, from: &str, to: &str) -> Option<bool> {
    let mut found = None;
    for e in g.edges() {
        let (Some(f), Some(t)) = (g.node(e.from), g.node(e.to)) else {
            continue;
        };
        if f.name == from && t.name == to {
            found = Some(found.unwrap_or(false) || e.certain);
        }
    }
    found
}
