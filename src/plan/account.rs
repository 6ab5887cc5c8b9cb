//! "This account" in plans.
//!
//! A plan has resolved `data.aws_caller_identity.current.account_id` to the deploying account's real ID, so a
//! trust policy that the `.tf` source writes as `arn:aws:iam::${data.aws_caller_identity.current.account_id}:root`
//! reaches us as `arn:aws:iam::111122223333:root`. Rules reason about the symbolic *this account* (it is never
//! "untrusted", it is where same-account semantics apply), so leaving the literal would make a plan report
//! what its own source does not. Decision: when every `aws_caller_identity` of the plan agrees on one account
//! ID, a string that **is** that ID, or an ARN whose **account field** is that ID, has that part rewritten to
//! `Sym::ThisAccount`, keeping the part's span and hops (provenance-preserving: findings still point where the
//! digits are written). Substrings elsewhere (a role named `111122223333-deploy`) are left alone. When the plan
//! has no caller identity, or several disagreeing ones (provider aliases for other accounts), nothing is
//! rewritten: the scanner cannot know which one a given resource's provider uses.

use crate::policy::arn;
use crate::value::{Branch, Origin, Str, Sym, Value};

/// Whether `s` looks like an AWS account ID.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account IDs of the plan's caller identities, deduplicated; `Some` only when exactly one.
pub fn single_account(ids: &[String]) -> Option<String> {
    let mut v: Vec<&String> = ids.iter().filter(|s| is_account_id(s)).collect();
    v.sort();
    v.dedup();
    match v.as_slice() {
        [only] => Some((*only).clone()),
        _ => None,
    }
}

/// A copy of the part of `s` covering `start..end` turned into `Sym::ThisAccount`, provenance kept.
fn symbolise(s: &Str, start: usize, end: usize) -> Str {
    let part = s.slice(start, end);
    let span = part.span();
    let hops = part.hops_of(0, part.text.len());
    let mut sym = Str::sym(Sym::ThisAccount, span);
    for h in hops {
        sym = sym.with_hop(h);
    }
    Str::concat([&s.slice(0, start), &sym, &s.slice(end, s.text.len())])
}

fn literal_range(s: &Str, start: usize, end: usize) -> bool {
    s.parts_in(start, end)
        .all(|p| matches!(p.origin, Origin::Lit { .. }))
}

/// Rewrites one string; `None` when nothing matched.
pub fn rewrite_str(s: &Str, account: &str) -> Option<Str> {
    if s.text == account && literal_range(s, 0, s.text.len()) {
        return Some(symbolise(s, 0, s.text.len()));
    }
    let a = arn::parse(s)?;
    let (start, end) = a.account_range;
    if s.text.get(start..end) == Some(account) && literal_range(s, start, end) {
        return Some(symbolise(s, start, end));
    }
    None
}

/// Rewrites every string value (not map keys) of a policy value.
pub fn rewrite_value(v: &mut Value, account: &str, depth: usize) {
    if depth > 128 {
        return;
    }
    match v {
        Value::Str(s) => {
            if let Some(n) = rewrite_str(s, account) {
                *s = n;
            }
        }
        Value::List(items, _) => items
            .iter_mut()
            .for_each(|i| rewrite_value(i, account, depth + 1)),
        Value::Map(entries, _) => entries
            .iter_mut()
            .for_each(|(_, v)| rewrite_value(v, account, depth + 1)),
        Value::Branches(bs) => bs
            .iter_mut()
            .for_each(|Branch { value, .. }| rewrite_value(value, account, depth + 1)),
        Value::Null(_) | Value::Bool(..) | Value::Number(_) | Value::Unknown(_) => {}
    }
}

#[cfg(test)]
mod tests;
