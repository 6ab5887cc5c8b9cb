//! The rule catalogue: one file per rule, its page in `rules/<ID>.md`, and the registry below.
//!
//! A rule reads the model ([`Context`]) and pushes [`Finding`]s. To add one: copy a neighbour's shape, write
//! its page, and add it to [`registry`].

pub mod tl003;
pub mod tl030;

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::graph::Graph;
use crate::model::Inventory;
use crate::source::SourceMap;

/// What a rule is, for reports and `trustlint rules`.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub slug: &'static str,
    pub default_severity: Severity,
    /// One line: what the rule finds.
    pub short: &'static str,
    /// The page `rules/<ID>.md` (Markdown), embedded with `include_str!`.
    pub page: &'static str,
    /// GitHub `security-severity` score (0.0–10.0) as a string.
    pub security_severity: &'static str,
    pub tags: &'static [&'static str],
}

/// What rules see.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub config: &'a Config,
    pub sources: &'a SourceMap,
    /// The effective assume-role graph of the inventory, built once per scan.
    pub graph: &'a Graph,
}

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &Context, out: &mut Vec<Finding>);
}

/// Every rule, in ID order.
pub fn registry() -> Vec<&'static dyn Rule> {
    vec![&tl003::RoleChain, &tl030::SameAccountDirectTrust]
}

/// The metadata of a rule by ID (case-insensitive).
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    registry()
        .into_iter()
        .map(|r| r.meta())
        .find(|m| m.id.eq_ignore_ascii_case(id))
}
