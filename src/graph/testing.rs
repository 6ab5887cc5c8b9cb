//! Inventories from JSON snippets for the tables at the bottom of graph rule files. Account
//! `111111111111` is this account.

use super::{Graph, GraphOptions};
use crate::config::Config;
use crate::finding::Finding;
use crate::model::{Decl, Frontend, InlinePolicy, Inventory, Role, Trust};
use crate::policy::build::document_from_value;
use crate::policy::json::{parse, NoMap};
use crate::policy::PolicyDocument;
use crate::rules::{Context, Rule};
use crate::source::{SourceMap, Span};
use crate::value::Str;

pub const THIS: &str = "111111111111";

fn doc(json: &str) -> PolicyDocument {
    match parse(json, &NoMap) {
        Ok(v) => document_from_value(&v),
        Err(e) => panic!("bad test JSON {json}: {e}"),
    }
}

fn decl(address: &str) -> Decl {
    Decl {
        key: format!("t::{address}"),
        address: address.into(),
        span: Span::default(),
        frontend: Frontend::Terraform,
        guards: Vec::new(),
    }
}

/// A role: `(name, path, trust JSON, identity policy JSON)`.
pub type RoleSpec<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);

pub fn inventory(roles: &[RoleSpec]) -> Inventory {
    let mut inv = Inventory::default();
    for (name, path, trust, policy) in roles {
        inv.roles.push(Role {
            decl: decl(name),
            name: Some(Str::lit(*name, None)),
            path: Some(Str::lit(*path, None)),
            trust: Some(Trust {
                doc: doc(trust),
                attr_span: None,
            }),
            max_session_duration: None,
            tags: None,
            inline_policies: policy
                .map(|p| InlinePolicy {
                    name: Some(Str::lit(format!("{name}-policy"), None)),
                    doc: doc(p),
                    decl: decl(&format!("{name}.policy")),
                })
                .into_iter()
                .collect(),
            managed_policy_arns: Vec::new(),
            permissions_boundary: None,
            unknowns: Vec::new(),
        });
    }
    inv
}

/// Runs a rule over roles, with `111111111111` known as this account.
pub fn run(rule: &dyn Rule, roles: &[RoleSpec]) -> Vec<Finding> {
    let inv = inventory(roles);
    let graph = Graph::build_with(
        &inv,
        &GraphOptions {
            this_accounts: vec![THIS.into()],
            ..GraphOptions::default()
        },
    );
    let config = Config::default();
    let sources = SourceMap::new();
    let ctx = Context::new(&inv, &config, &sources, &graph);
    let mut out = Vec::new();
    rule.check(&ctx, &mut out);
    out
}

/// A trust policy allowing `sts:AssumeRole` to one AWS principal.
pub fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"AWS":"{principal}"}}}}]}}"#
    )
}

/// A trust policy allowing `sts:AssumeRole` to one service.
pub fn service(name: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"Service":"{name}"}}}}]}}"#
    )
}

/// An identity policy allowing `sts:AssumeRole` on one resource.
pub fn allow(resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{resource}"}}]}}"#
    )
}
