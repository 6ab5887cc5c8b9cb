//! AWS evaluation semantics that rules ask about (SPEC §2). Rules never re-implement these.

use super::condition::OpBase;
use super::{Condition, Item, PolicyDocument, Principal, PrincipalType, Statement};
use crate::source::Span;
use crate::value::Str;

/// Whether an IAM action pattern (`sts:*`, `sts:AssumeRole*`, `*`) matches `action` (case-insensitive).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    // Action names are ASCII; lowering only ASCII letters keeps a non-ASCII byte from ever matching a
    // different one, as before.
    if pattern.is_ascii() && action.is_ascii() {
        return glob(pattern.as_bytes(), action.as_bytes(), |a, b| {
            a.eq_ignore_ascii_case(&b)
        });
    }
    wildcard_match(
        &pattern.to_ascii_lowercase(),
        &action.to_ascii_lowercase(),
        false,
    )
}

/// IAM `*`/`?` wildcard matching (`StringLike`, `ArnLike`, actions). `case_insensitive` for action names.
pub fn wildcard_match(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    // Rules call this for every statement of every role; ASCII text (nearly all of it) is matched in place
    // instead of being copied into character vectors.
    if pattern.is_ascii() && value.is_ascii() {
        return if case_insensitive {
            glob(pattern.as_bytes(), value.as_bytes(), |a, b| {
                a.eq_ignore_ascii_case(&b)
            })
        } else {
            glob(pattern.as_bytes(), value.as_bytes(), |a, b| a == b)
        };
    }
    let (p, v): (Vec<char>, Vec<char>) = if case_insensitive {
        (
            pattern.to_lowercase().chars().collect(),
            value.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), value.chars().collect())
    };
    glob(&p, &v, |a, b| a == b)
}

/// `*`/`?` matching with one-star backtracking (linear in practice, never exponential).
fn glob<T: Copy + PartialEq + From<u8>>(p: &[T], v: &[T], eq: impl Fn(T, T) -> bool) -> bool {
    let (any, one) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut vi) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while let Some(&c) = v.get(vi) {
        match p.get(pi) {
            Some(&q) if q == one || eq(q, c) => {
                pi += 1;
                vi += 1;
            }
            Some(&q) if q == any => {
                star = Some(pi);
                mark = vi;
                pi += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    vi = mark;
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&any) {
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
    /// [`caller_pins`] only collects such values, so this is whether any was found.
    pub fn pins_known_callers(&self) -> bool {
        !(self.org_ids.is_empty()
            && self.org_paths.is_empty()
            && self.accounts.is_empty()
            && self.arns.is_empty()
            && self.source_org_ids.is_empty())
    }
}

/// Whether a condition must hold for anyone the statement admits and compares strings or ARNs.
fn restricts(c: &Condition) -> bool {
    c.op.must_hold() && c.op.is_string_or_arn()
}

fn has_wildcard(t: &str) -> bool {
    t.contains(['*', '?'])
}

/// Whether a pattern matches anything (`*`, `?*`, `**`).
fn only_wildcards(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c == '*' || c == '?')
}

/// Whether a condition value pins the key to something specific, given the operator's wildcard semantics.
/// `StringEquals` compares literally, so any value pins (`*` included: it matches nothing).
fn value_pins(c: &Condition, v: &Str, kind: PinKind) -> bool {
    let Some(t) = v.as_known() else {
        // Unknown or symbolic parts: returned for the rules to report (TL901) or to resolve (this account).
        return true;
    };
    if !c.op.is_like() {
        return true;
    }
    match kind {
        PinKind::Plain => !has_wildcard(t),
        PinKind::OrgPath => {
            let first = t.split('/').next().unwrap_or("");
            !first.is_empty() && !has_wildcard(first) && t.contains('/')
                || !has_wildcard(t) && !t.is_empty()
        }
        PinKind::Arn => arn_pattern_pins(t, c.op.base == OpBase::StringLike),
    }
}

#[derive(Copy, Clone)]
enum PinKind {
    Plain,
    OrgPath,
    Arn,
}

/// Whether an ARN pattern stays within known accounts: its account field is written without wildcards
/// (or, for a resource ARN without an account field such as an S3 bucket, the whole ARN is). With
/// `StringLike` a `*` may also span colons, so no wildcard may come before the account field ends.
fn arn_pattern_pins(t: &str, string_like: bool) -> bool {
    if !has_wildcard(t) {
        return true;
    }
    let fields: Vec<&str> = t.splitn(6, ':').collect();
    if fields.len() < 6 {
        return false;
    }
    let account = fields.get(4).copied().unwrap_or("");
    if account.is_empty() || has_wildcard(account) {
        return false;
    }
    if string_like {
        let head_len = fields.iter().take(5).map(|f| f.len() + 1).sum::<usize>();
        if t.get(..head_len).is_some_and(has_wildcard) {
            return false;
        }
    }
    true
}

/// Conditions of `stmt` that must hold and pin the caller to accounts, organisations or principal ARNs
/// (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`,
/// `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`). `…IfExists`, `ForAllValues:` and negated operators
/// restrict nothing and are not returned; values that are unknown are returned (rules report them via TL901).
/// Values whose wildcards span accounts or organisations under a `…Like` operator (`*`, `o-*`,
/// `arn:aws:iam::*:role/X`) pin nothing and are not returned either (WC-07, WC-12).
pub fn caller_pins(stmt: &Statement) -> CallerPins<'_> {
    let mut pins = CallerPins::default();
    for c in stmt.conditions.iter().filter(|c| restricts(c)) {
        let key = c.key.text.to_ascii_lowercase();
        let (list, kind) = match key.as_str() {
            "aws:principalorgid" => (&mut pins.org_ids, PinKind::Plain),
            "aws:principalorgpaths" => (&mut pins.org_paths, PinKind::OrgPath),
            "aws:principalaccount" | "aws:sourceaccount" => (&mut pins.accounts, PinKind::Plain),
            "aws:principalarn" | "aws:sourcearn" => (&mut pins.arns, PinKind::Arn),
            "aws:sourceorgid" => (&mut pins.source_org_ids, PinKind::Plain),
            _ => continue,
        };
        // Values of one key are ORed: one value spanning accounts opens the condition to them all.
        if c.values.is_empty() || !c.values.iter().all(|v| value_pins(c, &v.value, kind)) {
            continue;
        }
        list.extend(c.values.iter());
    }
    pins
}

/// Whether `stmt` requires `sts:ExternalId` with a condition that must hold (`StringEquals`/`StringLike`…,
/// not `IfExists`, not negated). A `StringLike` value of only wildcards (`*`) accepts any external ID and
/// does not count.
pub fn requires_external_id(stmt: &Statement) -> bool {
    conditions_on(stmt, "sts:ExternalId").any(|c| {
        restricts(c)
            && !c.values.is_empty()
            && !c
                .values
                .iter()
                .any(|v| c.op.is_like() && v.value.as_known().is_some_and(only_wildcards))
    })
}

/// `aws:PrincipalArn` values of conditions that must hold (they name specific principals).
pub fn principal_arn_values(stmt: &Statement) -> Vec<&Item> {
    conditions_on(stmt, "aws:PrincipalArn")
        .filter(|c| restricts(c))
        .flat_map(|c| c.values.iter())
        .collect()
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

/// How a condition key relates to an OIDC provider's `<host>:<claim>` key.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum KeyMatch {
    Yes,
    /// The key ends in `:<claim>` but its host part is unresolved.
    Maybe,
    No,
}

/// Whether `key` is `<host>:<claim>` (case-insensitive). Without a host (a scanned provider whose URL is not
/// known), any `…:<claim>` key except SAML's counts. A host part built from a symbolic value (the provider's
/// `url` attribute) counts; one with unknown parts is a "maybe".
fn key_matches(key: &Str, host: Option<&str>, claim: &str) -> KeyMatch {
    let text = key.text.to_ascii_lowercase();
    let suffix = format!(":{}", claim.to_ascii_lowercase());
    let Some(prefix) = text.strip_suffix(&suffix) else {
        return KeyMatch::No;
    };
    if key.is_known() {
        return match host {
            Some(h) if prefix == h.to_ascii_lowercase() => KeyMatch::Yes,
            Some(_) => KeyMatch::No,
            None if prefix != "saml" && !prefix.is_empty() => KeyMatch::Yes,
            None => KeyMatch::No,
        };
    }
    if key.has_unknown() {
        KeyMatch::Maybe
    } else {
        KeyMatch::Yes
    }
}

/// Subject formats whose first segment names the tenant (organisation, group, namespace): the prefix and the
/// character that ends the tenant segment, and what a wildcard in the tenant admits.
const TENANT_FORMATS: [(&str, char, &str); 8] = [
    ("repo:", '/', "any repository on GitHub"),
    ("project_path:", '/', "any GitLab project"),
    ("organization:", ':', "any HCP Terraform organization"),
    (
        "system:serviceaccount:",
        ':',
        "any service account in any namespace of the cluster",
    ),
    ("org/", '/', "any CircleCI organization"),
    ("repository_owner:", ':', "any GitHub organization"),
    ("repository_owner_id:", ':', "any GitHub organization"),
    ("repository:", '/', "any repository on GitHub"),
];

/// Why a `…Like` subject pattern admits other tenants, if it does (`*`, `repo:*`, `repo:acme*`,
/// `system:serviceaccount:*`, `organization:*`, a leading wildcard).
pub fn broad_subject_reason(pattern: &str) -> Option<String> {
    let first_wild = pattern.find(['*', '?'])?;
    let lit = pattern.get(..first_wild).unwrap_or("");
    if lit.is_empty() {
        return Some(if only_wildcards(pattern) {
            format!(
                "\"{pattern}\" admits every subject the provider issues tokens for (any repository, project or service account)"
            )
        } else {
            format!(
                "\"{pattern}\" starts with a wildcard, so it admits subjects of any repository, organisation or namespace"
            )
        });
    }
    for (prefix, end, admits) in TENANT_FORMATS {
        if prefix.starts_with(lit) && lit.len() < prefix.len() {
            // `rep*` also matches `repo:anything`.
            return Some(format!("\"{pattern}\" admits {admits}"));
        }
        let Some(tenant) = lit.strip_prefix(prefix) else {
            continue;
        };
        if tenant.contains(end) {
            return None;
        }
        if tenant.is_empty() {
            return Some(format!("\"{pattern}\" admits {admits}"));
        }
        let example = format!("{tenant}-evil");
        let fix = format!("{prefix}{tenant}{end}*");
        return Some(format!(
            "\"{pattern}\" also matches any tenant whose name starts with \"{tenant}\" (such as {example}); end the name with \"{end}\": {fix}"
        ));
    }
    None
}

/// The verdict of one `sub` condition (its values are ORed).
fn judge_sub_condition(c: &Condition) -> SubjectVerdict<'_> {
    if c.values.is_empty() {
        return SubjectVerdict::Unresolved;
    }
    let like = c.op.is_like();
    for v in &c.values {
        if let Some(t) = v.value.as_known() {
            if like {
                if let Some(reason) = broad_subject_reason(t) {
                    return SubjectVerdict::TooBroad { value: v, reason };
                }
            }
        }
    }
    if c.values.iter().any(|v| !v.value.is_known()) {
        return SubjectVerdict::Unresolved;
    }
    if !like {
        if let Some(first) = c.values.first() {
            if c.values.iter().all(|v| v.value.text.contains('*')) {
                return SubjectVerdict::NeverMatches { value: first };
            }
        }
    }
    SubjectVerdict::Restricted
}

fn subject_verdict<'a>(stmt: &'a Statement, host: Option<&str>) -> SubjectVerdict<'a> {
    let mut verdicts = Vec::new();
    for c in &stmt.conditions {
        if !restricts(c) {
            continue;
        }
        match key_matches(&c.key, host, "sub") {
            KeyMatch::Yes => verdicts.push(judge_sub_condition(c)),
            KeyMatch::Maybe => verdicts.push(SubjectVerdict::Unresolved),
            KeyMatch::No => {}
        }
    }
    // Conditions are ANDed: one that never matches closes the statement; one that pins restricts it.
    if let Some(v) = verdicts
        .iter()
        .find(|v| matches!(v, SubjectVerdict::NeverMatches { .. }))
    {
        return v.clone();
    }
    if verdicts.contains(&SubjectVerdict::Restricted) {
        return SubjectVerdict::Restricted;
    }
    if verdicts.contains(&SubjectVerdict::Unresolved) {
        return SubjectVerdict::Unresolved;
    }
    verdicts
        .into_iter()
        .next()
        .unwrap_or(SubjectVerdict::Missing)
}

/// Judges the `<host>:sub` conditions of an OIDC statement (`host` as in [`super::Principal::Oidc`]).
/// Only conditions that must hold count (`ForAllValues:`, `…IfExists` and negated operators do not);
/// `StringEquals` does not expand `*`. Several `sub` conditions are ANDed.
pub fn oidc_subject<'a>(stmt: &'a Statement, host: &str) -> SubjectVerdict<'a> {
    subject_verdict(stmt, Some(host))
}

/// [`oidc_subject`] for a principal entry: the host of an OIDC provider ARN or built-in provider, or — for
/// a scanned provider referenced symbolically, whose host is not known — any `…:sub` key.
pub fn oidc_subject_for<'a>(stmt: &'a Statement, principal: &Principal) -> SubjectVerdict<'a> {
    subject_verdict(stmt, principal.oidc_host())
}

/// The claim that carries the audience for a provider (`app_id` for Facebook and Login with Amazon).
fn audience_claims(host: Option<&str>) -> &'static [&'static str] {
    match host {
        Some("graph.facebook.com") | Some("www.amazon.com") => &["app_id"],
        Some("accounts.google.com") => &["aud", "oaud"],
        _ => &["aud"],
    }
}

fn has_audience(stmt: &Statement, host: Option<&str>) -> bool {
    stmt.conditions.iter().any(|c| {
        restricts(c)
            && audience_claims(host)
                .iter()
                .any(|claim| key_matches(&c.key, host, claim) != KeyMatch::No)
            && !c.values.is_empty()
            && !c
                .values
                .iter()
                .any(|v| c.op.is_like() && v.value.as_known().is_some_and(only_wildcards))
    })
}

/// Whether the statement has a condition that must hold on `<host>:aud` (Cognito:
/// `cognito-identity.amazonaws.com:aud`; Facebook and Login with Amazon: `…:app_id`). A `StringLike` value
/// of only wildcards does not count; an unresolved value does (TL901 reports it).
pub fn oidc_has_audience(stmt: &Statement, host: &str) -> bool {
    has_audience(stmt, Some(host))
}

/// [`oidc_has_audience`] for a principal entry (any `…:aud` key when the provider's host is not known).
pub fn oidc_has_audience_for(stmt: &Statement, principal: &Principal) -> bool {
    has_audience(stmt, principal.oidc_host())
}

/// Which kind of caller a principal entry is, for matching it with the STS action it calls.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Caller {
    /// IAM principals and services: `sts:AssumeRole`.
    Signed,
    /// OIDC and built-in web identity providers: `sts:AssumeRoleWithWebIdentity`.
    WebIdentity,
    /// SAML providers: `sts:AssumeRoleWithSAML`.
    Saml,
}

fn caller_of(kind: &PrincipalType, p: &Principal) -> Option<Caller> {
    match (kind, p) {
        (_, Principal::Unresolved | Principal::Invalid { .. }) => None,
        // The bare `"*"` is every kind of caller.
        (PrincipalType::Star, _) => None,
        (_, Principal::Saml { .. }) => Some(Caller::Saml),
        (_, p) if p.is_web_identity() => Some(Caller::WebIdentity),
        (PrincipalType::Aws | PrincipalType::Service, _) => Some(Caller::Signed),
        _ => None,
    }
}

fn caller_action(c: Caller) -> &'static str {
    match c {
        Caller::Signed => "sts:AssumeRole",
        Caller::WebIdentity => "sts:AssumeRoleWithWebIdentity",
        Caller::Saml => "sts:AssumeRoleWithSAML",
    }
}

fn statement_name(st: &Statement) -> String {
    match st.sid.as_ref().and_then(|s| s.as_known()) {
        Some(sid) if !sid.is_empty() => format!("statement \"{sid}\""),
        _ => format!("statement #{}", st.index + 1),
    }
}

/// Whether a known principal string has a wildcard other than a whole `*` or a whole-`*` account field
/// (`arn:aws:iam::*:root` is a wildcard account, TL011's).
fn partial_wildcard(value: &Str) -> bool {
    let t = value.text.as_str();
    if t == "*" || !has_wildcard(t) {
        return false;
    }
    if let Some(a) = super::arn::parse(value) {
        let (s, e) = a.account_range;
        let mut rest = String::with_capacity(t.len());
        rest.push_str(t.get(..s).unwrap_or(""));
        if t.get(s..e) != Some("*") {
            rest.push_str(t.get(s..e).unwrap_or(""));
        }
        rest.push_str(t.get(e..).unwrap_or(""));
        return has_wildcard(&rest);
    }
    true
}

/// Why IAM would reject or never match this trust document (TL015): message + span. Covers the SPEC §2
/// "Invalid" list: `NotPrincipal` is TL014's and is not repeated here; `Resource`, partial wildcards in
/// principals, action/principal-type mismatch, `https://` in an OIDC condition key, `StringEquals` with `*`
/// on an OIDC `sub`.
///
/// Decisions: a wildcard account alone (`arn:aws:iam::*:root`, `arn:aws:iam::*:role/R`) is a wildcard
/// principal (TL011), not reported here; any other `*`/`?` inside a principal is. A statement whose STS
/// actions fit none of a principal's kind (OIDC without `sts:AssumeRoleWithWebIdentity`, SAML without
/// `sts:AssumeRoleWithSAML`, AWS/service principals without `sts:AssumeRole`) deploys but can never be
/// used by that principal (Access Analyzer: "mismatched action for principal"); statements that only allow
/// `sts:TagSession`/`sts:SetSourceIdentity`, or whose actions are unresolved, are not judged.
pub fn invalid_trust_reasons(doc: &PolicyDocument) -> Vec<(String, Option<Span>)> {
    let mut out: Vec<(String, Option<Span>)> = Vec::new();
    let mut push = |m: String, s: Option<Span>| {
        if !out.iter().any(|(m2, s2)| *m2 == m && *s2 == s) {
            out.push((m, s));
        }
    };
    for st in &doc.statements {
        let name = statement_name(st);
        // Resource / NotResource.
        for (el, present) in [
            ("Resource", st.resources.is_some()),
            ("NotResource", st.not_resources.is_some()),
        ] {
            if present {
                push(
                    format!(
                        "IAM rejects the role: MalformedPolicyDocument — {name} has a {el} element, which a role trust policy cannot have; remove it"
                    ),
                    st.resource_span.or(st.span),
                );
            }
        }
        // Partial wildcards in principals.
        for e in st.principal_entries() {
            if matches!(e.principal, Principal::Invalid { .. }) || !e.value.is_known() {
                continue;
            }
            if partial_wildcard(&e.value) {
                push(
                    format!(
                        "IAM rejects the role: MalformedPolicyDocument: Invalid principal in policy — \"{}\" uses a wildcard inside a principal, which IAM does not accept; trust the account (arn:aws:iam::ACCOUNT:root) and narrow it with an aws:PrincipalArn ArnLike condition",
                        e.value.text
                    ),
                    e.value.span(),
                );
            }
        }
        // Action / principal-type mismatch.
        let actions_known = st.actions.iter().all(|i| i.value.is_known())
            && st
                .not_actions
                .as_ref()
                .is_none_or(|n| n.iter().all(|i| i.value.is_known()));
        let allowed: Vec<&str> = ASSUME_ACTIONS
            .iter()
            .copied()
            .filter(|a| statement_matches_action(st, a))
            .collect();
        if actions_known && !allowed.is_empty() {
            for e in st.principal_entries() {
                let Some(caller) = caller_of(&e.kind, &e.principal) else {
                    continue;
                };
                let needed = caller_action(caller);
                if allowed.contains(&needed) {
                    continue;
                }
                let who = match caller {
                    Caller::Signed => format!("{} ({})", e.value.display(), e.kind.as_str()),
                    Caller::WebIdentity => format!("the OIDC provider {}", e.value.display()),
                    Caller::Saml => format!("the SAML provider {}", e.value.display()),
                };
                push(
                    format!(
                        "the trust can never be used by {who}: it calls {needed}, but {name} allows only {}; the role deploys, but assuming it fails (Access Analyzer: mismatched action for principal)",
                        allowed.join(", ")
                    ),
                    e.value.span().or(st.span),
                );
            }
        }
        let oidc = st
            .principal_entries()
            .iter()
            .any(|e| e.principal.is_web_identity());
        for c in &st.conditions {
            // `https://` in a condition key.
            let key = c.key.text.to_ascii_lowercase();
            if key.starts_with("https://") || key.starts_with("http://") {
                push(
                    format!(
                        "IAM rejects the role: MalformedPolicyDocument — condition key \"{}\" starts with a URL scheme, and a condition key can contain only one colon; write it without https://",
                        c.key.display()
                    ),
                    c.key.span().or(c.span),
                );
            }
            // `StringEquals` with `*` on an OIDC `sub`.
            if oidc
                && key.ends_with(":sub")
                && !c.op.is_like()
                && c.op.is_string_or_arn()
                && !c.op.is_negated()
                && c.op.set != super::condition::SetQualifier::ForAllValues
            {
                for v in &c.values {
                    if v.value.as_known().is_some_and(|t| t.contains('*')) {
                        push(
                            format!(
                                "the condition can never match: {} compares \"{}\" literally (it does not expand *), so no workflow or workload can assume the role through {name}; use StringLike",
                                c.operator.display(),
                                v.value.text
                            ),
                            v.value.span().or(c.span),
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
