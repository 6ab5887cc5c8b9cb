//! AWS evaluation semantics that rules ask about (SPEC §2). Rules never re-implement these.

use super::{Condition, PolicyDocument, Statement};

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
