//! The IAM policy model: documents, statements, principals, conditions, ARNs (SPEC §2).
//!
//! Front ends hand a [`Value`](crate::value::Value) tree (from HCL, YAML, JSON strings…) to
//! [`build::document_from_value`]; rules only ever see the types below. AWS semantics — normalising
//! principals, deciding whether a condition restricts the caller, matching ARNs with wildcards — live in this
//! module and nowhere else.

pub mod arn;
pub mod build;
pub mod condition;
pub mod json;
pub mod principal;
pub mod semantics;

use crate::source::Span;
use crate::value::{Guard, Str, Unknown};

pub use condition::{Condition, Operator};
pub use principal::{AccountRef, Principal, PrincipalEntry, PrincipalType};

/// A policy document (trust or identity).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    /// The whole document as written (the JSON string, the `jsonencode(…)` call, the data source block).
    pub span: Option<Span>,
    pub version: Option<Str>,
    pub statements: Vec<Statement>,
    /// Parts of the document that could not be resolved (TL901).
    pub unknowns: Vec<Unknown>,
    /// Ways the document is malformed (TL900): invalid JSON, no `Statement`, unknown principal type…
    pub problems: Vec<Problem>,
}

/// A malformed part of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub span: Option<Span>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
    /// Not resolvable (or misspelt; a misspelling is also a [`Problem`]).
    Unknown,
}

/// One statement, after branches outside it were resolved into `guards`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the document (0-based), for messages and fingerprints.
    pub index: usize,
    pub sid: Option<Str>,
    pub effect: Effect,
    pub effect_span: Option<Span>,
    /// `Action` entries (empty when absent).
    pub actions: Vec<Item>,
    /// `NotAction` entries; `Some` when the element is present.
    pub not_actions: Option<Vec<Item>>,
    /// `Principal`; `None` when absent.
    pub principals: Option<Principals>,
    /// `NotPrincipal`; `None` when absent.
    pub not_principals: Option<Principals>,
    /// `Resource` entries; `Some` when the element is present (invalid in a trust policy).
    pub resources: Option<Vec<Item>>,
    pub not_resources: Option<Vec<Item>>,
    /// Span of the `Resource`/`NotResource` key, when present.
    pub resource_span: Option<Span>,
    pub conditions: Vec<Condition>,
    /// The statement as written.
    pub span: Option<Span>,
    /// The branches this statement exists under (`Fn::If`, `dynamic` blocks, `count`).
    pub guards: Vec<Guard>,
}

/// A string element of a list (an action, a resource, a condition value), with the branches it exists under.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub value: Str,
    pub guards: Vec<Guard>,
}

/// The `Principal` (or `NotPrincipal`) element.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Principals {
    /// The element as written (`Principal = { … }`, `principals { … }` block).
    pub span: Option<Span>,
    pub entries: Vec<PrincipalEntry>,
}

impl PolicyDocument {
    /// Allow statements.
    pub fn allows(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| s.effect == Effect::Allow)
    }
}

impl Statement {
    /// Whether the statement's actions include one matching `action` (case-insensitive, wildcards honoured).
    /// `NotAction` counts: `NotAction: iam:*` matches `sts:AssumeRole`.
    pub fn allows_action(&self, action: &str) -> bool {
        semantics::statement_matches_action(self, action)
    }

    /// Whether the statement is about assuming a role (any `sts:AssumeRole*` action or a wildcard covering it).
    pub fn is_assume_role(&self) -> bool {
        semantics::is_assume_role_statement(self)
    }

    /// Principal entries of `Principal` (not `NotPrincipal`).
    pub fn principal_entries(&self) -> &[PrincipalEntry] {
        self.principals
            .as_ref()
            .map(|p| p.entries.as_slice())
            .unwrap_or(&[])
    }
}
