//! The rule catalogue: one file per rule, its page in `rules/<ID>.md`, and the registry below.
//!
//! A rule reads the model ([`Context`]) and pushes [`Finding`]s. To add one: copy a neighbour's shape, write
//! its page, and add it to [`registry`].

pub mod common;
pub mod tl001;
pub mod tl002;
pub mod tl003;
pub mod tl010;
pub mod tl011;
pub mod tl012;
pub mod tl013;
pub mod tl014;
pub mod tl015;
pub mod tl020;
pub mod tl021;
pub mod tl030;
pub mod tl040;
pub mod tl041;
pub mod tl050;
pub mod tl900;
pub mod tl901;

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::graph::Graph;
use crate::model::Inventory;
use crate::policy::PolicyDocument;
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
    /// What each trust document admits, computed once per scan: nearly every rule reads it.
    pub grants: common::GrantIndex<'a>,
}

impl<'a> Context<'a> {
    pub fn new(
        inventory: &'a Inventory,
        config: &'a Config,
        sources: &'a SourceMap,
        graph: &'a Graph,
    ) -> Context<'a> {
        Context::with_grants(
            inventory,
            config,
            sources,
            graph,
            common::GrantIndex::build(inventory),
        )
    }

    /// A context with grants already computed.
    pub fn with_grants(
        inventory: &'a Inventory,
        config: &'a Config,
        sources: &'a SourceMap,
        graph: &'a Graph,
        grants: common::GrantIndex<'a>,
    ) -> Context<'a> {
        Context {
            inventory,
            config,
            sources,
            graph,
            grants,
        }
    }

    /// [`common::grants`] of `doc`, from the index when `doc` is one of the inventory's trust documents.
    pub fn grants(&self, doc: &'a PolicyDocument) -> std::borrow::Cow<'_, [common::Grant<'a>]> {
        self.grants.of(doc)
    }
}

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &Context, out: &mut Vec<Finding>);
    /// Whether the rule reads [`Context::graph`]. Rules that do not run while the graph is being built and
    /// see an empty one.
    fn uses_graph(&self) -> bool {
        false
    }
}

/// Every rule, in ID order.
static RULES: &[&dyn Rule] = &[
    &tl001::RoleTrustsRole,
    &tl002::ChainedSessionDuration,
    &tl003::RoleChain,
    &tl010::UntrustedAccount,
    &tl011::WildcardPrincipal,
    &tl012::MissingExternalId,
    &tl013::CrossAccountRootTrust,
    &tl014::NotPrincipalAllow,
    &tl015::InvalidTrustPolicy,
    &tl020::MultiServiceTrust,
    &tl021::ServiceAndAccountTrust,
    &tl030::SameAccountDirectTrust,
    &tl040::OidcUnrestrictedSubject,
    &tl041::OidcMissingAudience,
    &tl050::RoleMissingTags,
    &tl900::ParseError,
    &tl901::UnresolvedValue,
];

/// Every rule, in ID order.
pub fn registry() -> Vec<&'static dyn Rule> {
    RULES.to_vec()
}

/// The metadata of a rule by ID (case-insensitive).
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    registry()
        .into_iter()
        .map(|r| r.meta())
        .find(|m| m.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_in_id_order_with_pages() {
        let ids: Vec<&str> = registry().iter().map(|r| r.meta().id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for r in registry() {
            let m = r.meta();
            let title = format!("# {} {}", m.id, m.slug);
            assert_eq!(m.page.lines().next(), Some(title.as_str()), "{}", m.id);
            let score: f64 = m.security_severity.parse().unwrap_or(-1.0);
            assert!((0.0..=10.0).contains(&score), "{}", m.id);
            assert!(!m.short.is_empty() && !m.tags.is_empty());
            for section in [
                "## Why it matters",
                "## Failing example",
                "## Passing example",
                "## How to fix",
                "## Configuration",
                "## References",
            ] {
                assert!(m.page.contains(section), "{} lacks {section}", m.id);
            }
        }
        assert_eq!(meta("tl011").map(|m| m.slug), Some("wildcard-principal"));
    }
}
