//! What several rules share: the trust documents to judge, the principals they allow, where an account ID
//! was written, how a branch reads in a message, and which roles only EC2 instance profiles use.
//!
//! AWS semantics live in [`crate::policy::semantics`]; this file only holds the glue rules need on top of it
//! (and small predicates the policy model does not offer).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Config, ThirdParty};
use crate::finding::Finding;
use crate::model::{Decl, Inventory, Role};
use crate::policy::semantics::{self, ASSUME_ACTIONS};
use crate::policy::{
    arn, AccountRef, Effect, Item, PolicyDocument, Principal, PrincipalEntry, Statement,
};
use crate::source::Span;
use crate::value::{short_key, Guard, Str, Sym};

/// How many branch combinations a rule explores before it falls back to "everything at once".
pub const WORLD_LIMIT: usize = 64;

// ---------------------------------------------------------------------------------------------------------
// Trust documents
// ---------------------------------------------------------------------------------------------------------

/// A trust document to judge: a role's assume-role policy, or a standalone trust document (SPEC §1.1).
pub struct TrustTarget<'a> {
    pub decl: &'a Decl,
    pub doc: &'a PolicyDocument,
    /// `None` for a standalone trust document.
    pub role: Option<&'a Role>,
    /// The attribute holding the document, when known.
    pub attr_span: Option<Span>,
}

impl<'a> TrustTarget<'a> {
    /// How messages name what the finding is about: `role "deploy"` or `trust policy data.….x`.
    pub fn subject(&self) -> String {
        match self.role {
            Some(r) => format!("role \"{}\"", r.display_name()),
            None => format!("trust policy {}", self.decl.address),
        }
    }

    /// SPEC §5.2 `resource`.
    pub fn resource(&self) -> &'a str {
        &self.decl.address
    }

    /// The unique key fingerprints start from.
    pub fn key(&self) -> &'a str {
        &self.decl.key
    }

    /// Where a finding goes when nothing narrower is known: the document, the attribute, the declaration.
    pub fn fallback_span(&self) -> Span {
        self.doc.span.or(self.attr_span).unwrap_or(self.decl.span)
    }

    /// The narrowest known span of a statement, else the document's.
    pub fn stmt_span(&self, stmt: &Statement) -> Span {
        stmt.span.unwrap_or_else(|| self.fallback_span())
    }

    /// A finding about this target with its fingerprint key (`role key | bits`).
    pub fn finding(
        &self,
        meta: &'static super::RuleMeta,
        message: String,
        primary: Span,
        key_bits: &str,
    ) -> Finding {
        Finding::new(
            meta.id,
            meta.default_severity,
            message,
            primary,
            self.resource(),
        )
        .key(format!("{}|{}", self.key(), key_bits))
    }
}

/// Every trust document rules judge: roles with a trust policy (service-linked roles excepted, SPEC §2) in
/// inventory order, then standalone trust documents.
pub fn trust_targets(inv: &Inventory) -> Vec<TrustTarget<'_>> {
    let roles = inv
        .roles
        .iter()
        .filter(|r| !r.is_service_linked())
        .filter_map(|r| {
            r.trust.as_ref().map(|t| TrustTarget {
                decl: &r.decl,
                doc: &t.doc,
                role: Some(r),
                attr_span: t.attr_span,
            })
        });
    let standalone = inv.standalone_trusts.iter().map(|s| TrustTarget {
        decl: &s.decl,
        doc: &s.doc,
        role: None,
        attr_span: None,
    });
    roles.chain(standalone).collect()
}

/// [`grants`] of every trust document of an inventory, keyed by the document's address.
#[derive(Default)]
pub struct GrantIndex<'a> {
    by_doc: foldhash::HashMap<usize, Vec<Grant<'a>>>,
}

impl<'a> GrantIndex<'a> {
    pub fn build(inv: &'a Inventory) -> GrantIndex<'a> {
        use rayon::prelude::*;
        let by_doc = trust_targets(inv)
            .par_iter()
            .map(|t| (doc_key(t.doc), grants(t.doc)))
            .collect();
        GrantIndex { by_doc }
    }

    pub fn of(&self, doc: &'a PolicyDocument) -> std::borrow::Cow<'_, [Grant<'a>]> {
        match self.by_doc.get(&doc_key(doc)) {
            Some(g) => std::borrow::Cow::Borrowed(g.as_slice()),
            None => std::borrow::Cow::Owned(grants(doc)),
        }
    }
}

fn doc_key(doc: &PolicyDocument) -> usize {
    doc as *const PolicyDocument as usize
}

/// One principal an Allow statement of a trust policy admits, with every branch it exists under.
#[derive(Clone)]
pub struct Grant<'a> {
    pub stmt: &'a Statement,
    pub entry: &'a PrincipalEntry,
    /// Statement guards, then entry guards.
    pub guards: Vec<Guard>,
}

impl Grant<'_> {
    pub fn principal(&self) -> &Principal {
        &self.entry.principal
    }
}

/// The principals a trust document admits: entries of `Principal` in Allow statements that are about assuming
/// the role. Deny statements produce no grants and cancel one only when they provably deny that very principal
/// (see [`denied_outright`]).
pub fn grants(doc: &PolicyDocument) -> Vec<Grant<'_>> {
    let mut out = Vec::new();
    for stmt in doc.statements.iter() {
        if stmt.effect != Effect::Allow || !semantics::is_assume_role_statement(stmt) {
            continue;
        }
        for entry in stmt.principal_entries() {
            if denied_outright(doc, stmt, &entry.principal) {
                continue;
            }
            let mut guards = stmt.guards.clone();
            guards.extend(entry.guards.iter().cloned());
            out.push(Grant {
                stmt,
                entry,
                guards,
            });
        }
    }
    out
}

/// Whether a Deny statement of `doc` certainly denies `principal` every action `allow` grants: the Deny
/// exists in every branch (no guards), has no condition, names the same principal (or `*`) unguarded under
/// `Principal`, and covers each `sts:AssumeRole*` action the Allow covers. Anything less is not proof, and
/// the Allow is judged as if the Deny did not exist.
pub fn denied_outright(doc: &PolicyDocument, allow: &Statement, principal: &Principal) -> bool {
    let allowed: Vec<&str> = ASSUME_ACTIONS
        .iter()
        .copied()
        .filter(|a| semantics::statement_matches_action(allow, a))
        .collect();
    if allowed.is_empty() {
        return false;
    }
    doc.statements.iter().any(|deny| {
        deny.effect == Effect::Deny
            && deny.guards.is_empty()
            && deny.conditions.is_empty()
            && deny.not_principals.is_none()
            && allowed
                .iter()
                .all(|a| semantics::statement_matches_action(deny, a))
            && deny.principal_entries().iter().any(|e| {
                e.guards.is_empty()
                    && (e.principal == Principal::Wildcard || &e.principal == principal)
                    && !matches!(
                        e.principal,
                        Principal::Unresolved | Principal::Invalid { .. }
                    )
            })
    })
}

/// Values of conditions on `key` that must hold (not `…IfExists`, not `ForAllValues:`, not negated, not
/// `Null`, a real operator). Such values restrict every request the statement admits.
pub fn must_hold_values<'a>(stmt: &'a Statement, key: &str) -> Vec<&'a Item> {
    semantics::conditions_on(stmt, key)
        .filter(|c| {
            !c.op.passes_when_absent()
                && !matches!(c.op.base, crate::policy::condition::OpBase::Other(_))
        })
        .flat_map(|c| c.values.iter())
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Every document
// ---------------------------------------------------------------------------------------------------------

/// A policy document anywhere in the inventory, with what it belongs to (TL900, TL901).
pub struct DocRef<'a> {
    pub doc: &'a PolicyDocument,
    pub resource: &'a str,
    pub key: &'a str,
    /// How messages name it: `the trust policy of role "deploy"`, `policy "ci" of user "bob"`.
    pub what: String,
    /// Where findings go when the document has no span.
    pub fallback: Span,
    /// A trust document (role trust or standalone), where every statement needs a principal.
    pub trust: bool,
}

fn named(kind: &str, name: Option<&Str>, address: &str) -> String {
    match name.and_then(|n| n.as_known()) {
        Some(n) => format!("{kind} \"{n}\""),
        None => format!("{kind} {address}"),
    }
}

/// Every policy document: role trust and inline policies, user and group inline policies, managed policies,
/// standalone trust documents.
pub fn documents(inv: &Inventory) -> Vec<DocRef<'_>> {
    let mut out = Vec::new();
    for r in &inv.roles {
        let owner = format!("role \"{}\"", r.display_name());
        if let Some(t) = &r.trust {
            out.push(DocRef {
                doc: &t.doc,
                resource: &r.decl.address,
                key: &r.decl.key,
                what: format!("the trust policy of {owner}"),
                fallback: t.doc.span.or(t.attr_span).unwrap_or(r.decl.span),
                trust: true,
            });
        }
        for p in &r.inline_policies {
            out.push(inline(p, &owner));
        }
    }
    for u in &inv.users {
        let owner = named("user", u.name.as_ref(), &u.decl.address);
        out.extend(u.inline_policies.iter().map(|p| inline(p, &owner)));
    }
    for g in &inv.groups {
        let owner = named("group", g.name.as_ref(), &g.decl.address);
        out.extend(g.inline_policies.iter().map(|p| inline(p, &owner)));
    }
    for p in &inv.policies {
        out.push(DocRef {
            doc: &p.doc,
            resource: &p.decl.address,
            key: &p.decl.key,
            what: named("policy", p.name.as_ref(), &p.decl.address),
            fallback: p.doc.span.unwrap_or(p.decl.span),
            trust: false,
        });
    }
    for s in &inv.standalone_trusts {
        out.push(DocRef {
            doc: &s.doc,
            resource: &s.decl.address,
            key: &s.decl.key,
            what: format!("trust policy {}", s.decl.address),
            fallback: s.doc.span.unwrap_or(s.decl.span),
            trust: true,
        });
    }
    out
}

fn inline<'a>(p: &'a crate::model::InlinePolicy, owner: &str) -> DocRef<'a> {
    DocRef {
        doc: &p.doc,
        resource: &p.decl.address,
        key: &p.decl.key,
        what: format!(
            "{} of {owner}",
            named("policy", p.name.as_ref(), &p.decl.address)
        ),
        fallback: p.doc.span.unwrap_or(p.decl.span),
        trust: false,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------

/// Where an account stands with respect to the configuration (SPEC §4).
#[derive(Clone, Debug, PartialEq)]
pub enum AccountClass<'c> {
    /// The deploying account (symbolic).
    This,
    /// Listed in `trusted_accounts`.
    Trusted,
    /// Listed in `third_party_accounts`.
    ThirdParty(&'c ThirdParty),
    /// A literal ID in none of the lists.
    Unlisted,
    /// `*` in the account field.
    Wildcard,
    /// Not resolvable; never judged (TL901 reports it).
    Unknown,
}

/// Classifies an account. A literal ID is compared with the configuration only: nothing says which literal
/// is "this" account, so only the symbolic [`AccountRef::This`] is.
pub fn classify<'c>(config: &'c Config, account: &AccountRef) -> AccountClass<'c> {
    match account {
        AccountRef::This => AccountClass::This,
        AccountRef::Wildcard => AccountClass::Wildcard,
        AccountRef::Unknown => AccountClass::Unknown,
        AccountRef::Id(id) => {
            if config.is_trusted_account(id) {
                AccountClass::Trusted
            } else if let Some(t) = config.third_party(id) {
                AccountClass::ThirdParty(t)
            } else {
                AccountClass::Unlisted
            }
        }
    }
}

/// How an account reads in a message.
pub fn account_label(account: &AccountRef) -> String {
    match account {
        AccountRef::Id(id) => id.clone(),
        AccountRef::This => "this account".into(),
        AccountRef::Wildcard => "any account".into(),
        AccountRef::Unknown => "an unresolved account".into(),
    }
}

/// Principals whose account is the account that is trusted (SPEC TL010: account ID, root ARN, user/role ARN
/// and sessions). Providers (SAML/OIDC) live in an account but do not make it a trusted caller.
pub fn caller_account(p: &Principal) -> Option<&AccountRef> {
    match p {
        Principal::Account { account }
        | Principal::Role { account, .. }
        | Principal::User { account, .. }
        | Principal::AssumedRole { account, .. }
        | Principal::FederatedUser { account, .. } => Some(account),
        _ => None,
    }
}

/// Whether a must-hold `sts:ExternalId` condition is present (the policy model's answer).
pub fn requires_external_id(stmt: &Statement) -> bool {
    semantics::requires_external_id(stmt)
}

// ---------------------------------------------------------------------------------------------------------
// Locations (SPEC §1.2)
// ---------------------------------------------------------------------------------------------------------

/// Where a finding points and the hops the offending value took to get there.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub span: Span,
    pub hops: Vec<Span>,
}

impl Site {
    /// Adds the hops as related locations.
    pub fn attach(&self, mut f: Finding) -> Finding {
        for h in &self.hops {
            f = f.related(*h, "the value passes through here");
        }
        f
    }
}

/// The span and hops of a byte range of a string, or the fallback.
pub fn str_site(s: &Str, start: usize, end: usize, fallback: Span) -> Site {
    match s.span_of(start, end) {
        Some(span) => Site {
            span,
            hops: s.hops_of(start, end),
        },
        None => Site {
            span: fallback,
            hops: s.hops_of(start, end),
        },
    }
}

/// The whole principal string.
pub fn entry_site(entry: &PrincipalEntry, fallback: Span) -> Site {
    str_site(&entry.value, 0, entry.value.text.len(), fallback)
}

/// The text that names the principal's account: the account field of an ARN (possibly written in a tfvars
/// file), or the whole string for a bare account ID or `*`.
pub fn account_site(entry: &PrincipalEntry, fallback: Span) -> Site {
    match arn::parse(&entry.value) {
        Some(a) => {
            let (s, e) = a.account_range;
            if s < e {
                str_site(&entry.value, s, e, fallback)
            } else {
                entry_site(entry, fallback)
            }
        }
        None => entry_site(entry, fallback),
    }
}

/// A condition value or other list item.
pub fn item_site(item: &Item, fallback: Span) -> Site {
    str_site(&item.value, 0, item.value.text.len(), fallback)
}

// ---------------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------------

/// ` when condition IsProd is true and …`, or nothing when the value does not branch.
pub fn when(guards: &[Guard]) -> String {
    if guards.is_empty() {
        return String::new();
    }
    let labels: Vec<&str> = unique_labels(guards);
    format!(" when {}", labels.join(" and "))
}

/// The guards as a fingerprint component (labels only, never positions).
pub fn guard_key(guards: &[Guard]) -> String {
    unique_labels(guards).join("&")
}

fn unique_labels(guards: &[Guard]) -> Vec<&str> {
    let mut labels: Vec<&str> = Vec::new();
    for g in guards {
        if !labels.contains(&g.label.as_str()) {
            labels.push(&g.label);
        }
    }
    labels
}

/// How a principal reads in a message: `account 210987654321`, `role arn:aws:iam::…:role/ci`,
/// `role aws_iam_role.ci`, `service ec2.amazonaws.com`, `OIDC provider token.actions.githubusercontent.com`.
pub fn describe(entry: &PrincipalEntry) -> String {
    let shown = entry.value.display();
    match &entry.principal {
        Principal::Wildcard => "every AWS principal (\"*\")".into(),
        Principal::Account { account } => format!("account {}", account_label(account)),
        Principal::Role { .. } => format!("role {shown}"),
        Principal::RoleRef { key } => format!("role {}", short_key(key)),
        Principal::User { .. } => format!("user {shown}"),
        Principal::UserRef { key } => format!("user {}", short_key(key)),
        Principal::AssumedRole { .. } => format!("role session {shown}"),
        Principal::FederatedUser { .. } => format!("federated user {shown}"),
        Principal::Service { .. } => format!("service {shown}"),
        Principal::Saml { name, .. } => format!("SAML provider {name}"),
        Principal::Oidc { host, .. } => format!("OIDC provider {host}"),
        Principal::WebIdentity { provider } => format!("web identity provider {provider}"),
        Principal::ProviderRef { resource, host } => match host {
            Some(h) => format!("OIDC provider {h}"),
            None => format!("OIDC provider {}", short_key(resource)),
        },
        Principal::UniqueId { id } => format!("unique ID {id}"),
        Principal::Unresolved | Principal::Invalid { .. } => format!("principal {shown}"),
    }
}

/// [`describe`], naming scanned roles and users by their IAM name where the configuration sets one.
pub fn describe_in(entry: &PrincipalEntry, inv: &crate::model::Inventory) -> String {
    match &entry.principal {
        Principal::RoleRef { key } => match inv.role_by_key(key) {
            Some(r) if r.name.as_ref().and_then(|n| n.as_known()).is_some() => {
                format!("role \"{}\" ({})", r.display_name(), short_key(key))
            }
            _ => describe(entry),
        },
        Principal::UserRef { key } => match inv
            .users
            .iter()
            .find(|u| &u.decl.key == key)
            .and_then(|u| u.name.as_ref().and_then(|n| n.as_known()))
        {
            Some(name) => format!("user \"{name}\" ({})", short_key(key)),
            None => describe(entry),
        },
        _ => describe(entry),
    }
}

/// The principal text for fingerprints: stable across line moves, symbolic parts by meaning.
pub fn principal_key(entry: &PrincipalEntry) -> String {
    entry.value.display()
}

// ---------------------------------------------------------------------------------------------------------
// Roles and instance profiles
// ---------------------------------------------------------------------------------------------------------

/// The scanned roles an instance profile uses, by key and by IAM name, so a trust entry can be recognised
/// as "sessions of this role come from EC2" (SPEC §2: not role chaining).
#[derive(Default, Debug)]
pub struct InstanceProfileRoles {
    pub keys: BTreeSet<String>,
    pub names: BTreeSet<String>,
    /// Some profile names its role in a way we cannot resolve: any role might be one of them.
    pub unresolved: bool,
}

impl InstanceProfileRoles {
    pub fn of(inv: &Inventory) -> InstanceProfileRoles {
        let mut out = InstanceProfileRoles::default();
        if inv.instance_profiles.is_empty() {
            return out;
        }
        let by_name: BTreeMap<&str, &Role> = inv
            .roles
            .iter()
            .filter_map(|r| r.name.as_ref().and_then(|n| n.as_known()).map(|n| (n, r)))
            .collect();
        for p in &inv.instance_profiles {
            match (p.role.as_sym(), p.role.as_known()) {
                (Some(Sym::RoleName(k)) | Some(Sym::RoleArn(k)), _) => {
                    out.keys.insert(k.clone());
                    if let Some(n) = inv
                        .role_by_key(k)
                        .and_then(|r| r.name.as_ref())
                        .and_then(|n| n.as_known())
                    {
                        out.names.insert(n.to_string());
                    }
                }
                (_, Some(text)) => {
                    // A name, or an ARN whose last path segment is the name.
                    let name = if text.starts_with("arn:") {
                        text.rsplit('/').next().unwrap_or(text)
                    } else {
                        text
                    };
                    out.names.insert(name.to_string());
                    if let Some(r) = by_name.get(name) {
                        out.keys.insert(r.decl.key.clone());
                    }
                }
                _ => out.unresolved = true,
            }
        }
        out
    }

    /// Whether sessions of this principal may come from an EC2 instance profile.
    pub fn covers(&self, p: &Principal) -> bool {
        match p {
            Principal::RoleRef { key } => self.keys.contains(key),
            Principal::Role { name, .. } => self.names.contains(name),
            Principal::AssumedRole { role, .. } => self.names.contains(role),
            _ => false,
        }
    }

    /// Whether a role ARN pattern (an `aws:PrincipalArn` value) may name an instance-profile role.
    pub fn may_match_pattern(&self, pattern: &str) -> bool {
        if self.unresolved {
            return true;
        }
        let name_part = pattern.rsplit('/').next().unwrap_or(pattern);
        self.names
            .iter()
            .any(|n| semantics::wildcard_match(name_part, n, false))
    }
}

/// Whether an ARN (pattern) names IAM roles or role sessions: `arn:…:iam::…:role/…`,
/// `arn:…:sts::…:assumed-role/…`, or a scanned role's symbolic ARN.
pub fn names_role(value: &Str) -> bool {
    if let Some(Sym::RoleArn(_)) = value.as_sym() {
        return true;
    }
    match arn::parse(value) {
        Some(a) => {
            let res = &a.resource.text;
            res.starts_with("role/") || res.starts_with("assumed-role/")
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------------------
// OIDC
// ---------------------------------------------------------------------------------------------------------

/// The condition-key prefix (`HOST[/PATH]`) of an OIDC principal: from the provider ARN, from the scanned
/// provider's URL, or from the statement's own `…:sub`/`…:aud` keys. `None` when none of these says.
pub fn oidc_host(inv: &Inventory, p: &Principal, stmt: &Statement) -> Option<String> {
    match p {
        Principal::Oidc { host, .. } => return Some(host.clone()),
        Principal::ProviderRef {
            host: Some(host), ..
        } => return Some(host.clone()),
        Principal::ProviderRef {
            resource,
            host: None,
        } => {
            let url = inv
                .oidc_providers
                .iter()
                .find(|o| &o.decl.key == resource || &o.decl.address == resource)
                .and_then(|o| o.url.as_ref())
                .and_then(|u| u.as_known());
            if let Some(u) = url {
                let h = u.trim_start_matches("https://").trim_end_matches('/');
                if !h.is_empty() {
                    return Some(h.to_string());
                }
            }
        }
        _ => return None,
    }
    stmt.conditions.iter().find_map(|c| {
        let key = c.key.as_known()?;
        let (prefix, claim) = key.rsplit_once(':')?;
        (claim.eq_ignore_ascii_case("sub") || claim.eq_ignore_ascii_case("aud"))
            .then(|| prefix.trim_start_matches("https://").to_string())
    })
}

/// Whether an OIDC principal is one (`Oidc` or a scanned provider reference).
pub fn is_oidc(p: &Principal) -> bool {
    matches!(p, Principal::Oidc { .. } | Principal::ProviderRef { .. })
}

/// Who can obtain a token from an OIDC issuer, for messages about unrestricted subjects.
pub fn oidc_audience_of_issuer(host: &str) -> &'static str {
    let h = host.to_ascii_lowercase();
    if h.starts_with("token.actions.githubusercontent.com") {
        "any GitHub Actions workflow in any repository"
    } else if h == "gitlab.com" {
        "any project on gitlab.com"
    } else if h.starts_with("oidc.eks.") {
        "any service account in the EKS cluster"
    } else if h == "app.terraform.io" {
        "any HCP Terraform organisation's runs"
    } else if h.starts_with("api.bitbucket.org") {
        "any repository of the Bitbucket workspace"
    } else if h.starts_with("oidc.circleci.com") {
        "any project of the CircleCI organisation"
    } else {
        "any identity the provider issues tokens to"
    }
}

// ---------------------------------------------------------------------------------------------------------
// Branch worlds
// ---------------------------------------------------------------------------------------------------------

/// Which group a guard belongs to: guards of one group exclude each other (the two sides of one condition,
/// the instances of one `for_each`). `… is true` / `… is false` labels group by the condition text (the same
/// condition has one value everywhere); other guards group by their span.
fn guard_group(g: &Guard) -> Option<String> {
    for suffix in [" is true", " is false"] {
        if let Some(stem) = g.label.strip_suffix(suffix) {
            return Some(format!("cond:{stem}"));
        }
    }
    g.span
        .map(|s| format!("span:{}:{}:{}", s.file.0, s.start, s.end))
}

/// One consistent choice of branches: for each guard group, the label chosen (or none of them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct World {
    choices: BTreeMap<String, Option<String>>,
    /// The labels chosen, for messages.
    pub labels: Vec<String>,
}

impl World {
    /// Whether something under `guards` exists in this world.
    pub fn admits(&self, guards: &[Guard]) -> bool {
        guards.iter().all(|g| match guard_group(g) {
            Some(group) => match self.choices.get(&group) {
                Some(choice) => choice.as_deref() == Some(g.label.as_str()),
                None => true,
            },
            None => true,
        })
    }
}

/// The consistent branch combinations of a set of guard lists. Groups with one label also get a "not taken"
/// choice. Past [`WORLD_LIMIT`] combinations, one world admitting everything is returned (over-approximate:
/// all branches at once).
pub fn worlds<'g>(guard_lists: impl IntoIterator<Item = &'g [Guard]>) -> Vec<World> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for list in guard_lists {
        for g in list {
            if let Some(group) = guard_group(g) {
                let labels = groups.entry(group).or_default();
                if !labels.contains(&g.label) {
                    labels.push(g.label.clone());
                }
            }
        }
    }
    let mut out = vec![World::default()];
    for (group, labels) in groups {
        let mut options: Vec<Option<String>> = labels.into_iter().map(Some).collect();
        if options.len() == 1 {
            options.push(None);
        }
        let mut next = Vec::with_capacity(out.len() * options.len());
        for w in &out {
            for o in &options {
                let mut w2 = w.clone();
                if let Some(l) = o {
                    w2.labels.push(l.clone());
                }
                w2.choices.insert(group.clone(), o.clone());
                next.push(w2);
            }
        }
        if next.len() > WORLD_LIMIT {
            return vec![World::default()];
        }
        out = next;
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// Test kit
// ---------------------------------------------------------------------------------------------------------

/// Builds inventories from JSON snippets for the rule tests.
#[cfg(test)]
pub mod testkit {
    use crate::config::Config;
    use crate::finding::Finding;
    use crate::model::{Decl, Frontend, Inventory, Role, StandaloneTrust, Trust};
    use crate::policy::json::{self, RawMap};
    use crate::policy::{build, PolicyDocument};
    use crate::rules::{Context, Rule};
    use crate::source::{SourceMap, Span};
    use crate::value::{Str, Value};

    pub struct Kit {
        pub sources: SourceMap,
        pub inv: Inventory,
        pub config: Config,
    }

    impl Default for Kit {
        fn default() -> Self {
            Kit::new()
        }
    }

    /// Wraps one statement (`{…}`) or a statement list (`[…]`) into a document; full documents pass.
    pub fn wrap(json: &str) -> String {
        let t = json.trim();
        if t.contains("\"Statement\"") {
            t.to_string()
        } else if t.starts_with('[') {
            format!("{{\"Version\": \"2012-10-17\", \"Statement\": {t}}}")
        } else {
            format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{t}]}}")
        }
    }

    impl Kit {
        pub fn new() -> Kit {
            Kit {
                sources: SourceMap::new(),
                inv: Inventory::default(),
                config: Config::default(),
            }
        }

        pub fn with_trusted(mut self, accounts: &[&str]) -> Kit {
            self.config.trusted_accounts = accounts.iter().map(|s| s.to_string()).collect();
            self
        }

        pub fn with_third_party(mut self, account: &str, name: &str) -> Kit {
            self.config
                .third_party_accounts
                .push(crate::config::ThirdParty {
                    account: account.into(),
                    name: Some(name.into()),
                });
            self
        }

        /// Adds a file and returns a span covering `needle` in it (or the whole file when empty).
        pub fn file(&self, name: &str, text: &str) -> crate::source::FileId {
            self.sources.add(name.into(), name.into(), text.into()).id
        }

        pub fn span_of(&self, file: crate::source::FileId, needle: &str) -> Span {
            let f = self.sources.get(file);
            let start = f.text.find(needle).unwrap_or(0);
            Span::new(file, start, start + needle.len())
        }

        /// Parses a JSON policy (wrapped by [`wrap`]) written in a file of its own.
        pub fn doc(&self, json: &str) -> PolicyDocument {
            let text = wrap(json);
            let n = self.sources.len();
            let file = self.file(&format!("policy{n}.json"), &text);
            let value = match json::parse(&text, &RawMap { file, base: 0 }) {
                Ok(v) => v,
                Err(e) => panic!("test JSON does not parse: {e:?}\n{text}"),
            };
            build::document_from_value(&value)
        }

        pub fn decl(&self, address: &str) -> Decl {
            let n = self.sources.len();
            let file = self.file(
                &format!("main{n}.tf"),
                &format!("resource \"{address}\" {{}}\n"),
            );
            Decl {
                key: format!("mod::{address}"),
                address: address.into(),
                span: Span::new(file, 0, 10),
                frontend: Frontend::Terraform,
                guards: Vec::new(),
            }
        }

        pub fn role_doc(&mut self, name: &str, doc: PolicyDocument) -> &mut Role {
            let decl = self.decl(&format!("aws_iam_role.{name}"));
            self.inv.roles.push(Role {
                decl,
                name: Some(Str::lit(name, None)),
                path: None,
                trust: Some(Trust {
                    doc,
                    attr_span: None,
                }),
                max_session_duration: None,
                tags: None,
                inline_policies: Vec::new(),
                managed_policy_arns: Vec::new(),
                permissions_boundary: None,
                unknowns: Vec::new(),
            });
            let last = self.inv.roles.len() - 1;
            &mut self.inv.roles[last]
        }

        /// Adds a role named `name` whose trust policy is `json`.
        pub fn role(&mut self, name: &str, json: &str) -> &mut Role {
            let doc = self.doc(json);
            self.role_doc(name, doc)
        }

        pub fn standalone(&mut self, address: &str, json: &str) {
            let doc = self.doc(json);
            let decl = self.decl(address);
            self.inv
                .standalone_trusts
                .push(StandaloneTrust { decl, doc });
        }

        pub fn run(&self, rule: &dyn Rule) -> Vec<Finding> {
            // As in a scan: only rules that declare they read the graph get it.
            let graph = if rule.uses_graph() {
                crate::graph::Graph::build(&self.inv)
            } else {
                crate::graph::Graph::default()
            };
            let ctx = Context::new(&self.inv, &self.config, &self.sources, &graph);
            let mut out = Vec::new();
            rule.check(&ctx, &mut out);
            out
        }

        /// The source text a span covers.
        pub fn text(&self, span: Span) -> String {
            self.sources.get(span.file).slice(span).to_string()
        }

        /// The text under each finding's primary span.
        pub fn texts(&self, findings: &[Finding]) -> Vec<String> {
            findings.iter().map(|f| self.text(f.primary)).collect()
        }
    }

    /// A one-statement trust policy value whose principal string is `principal` (built by hand, to carry
    /// provenance from several files as Terraform variables do).
    pub fn doc_with_principal(
        kind: &str,
        principal: Str,
        extra: Vec<(Str, Value)>,
    ) -> PolicyDocument {
        let mut stmt = vec![
            (Str::synthetic("Effect"), Value::str("Allow", None)),
            (Str::synthetic("Action"), Value::str("sts:AssumeRole", None)),
            (
                Str::synthetic("Principal"),
                Value::Map(vec![(Str::synthetic(kind), Value::Str(principal))], None),
            ),
        ];
        stmt.extend(extra);
        let v = Value::Map(
            vec![
                (Str::synthetic("Version"), Value::str("2012-10-17", None)),
                (
                    Str::synthetic("Statement"),
                    Value::List(vec![Value::Map(stmt, None)], None),
                ),
            ],
            None,
        );
        build::document_from_value(&v)
    }

    /// A one-statement trust policy whose `kind` principal list holds `plain` strings and one branching value
    /// with a string per `(guard label, principal)`.
    pub fn doc_with_branches(
        kind: &str,
        plain: &[&str],
        branches: &[(&str, &str)],
    ) -> PolicyDocument {
        let mut items: Vec<Value> = plain.iter().map(|p| Value::str(*p, None)).collect();
        if !branches.is_empty() {
            items.push(Value::Branches(
                branches
                    .iter()
                    .map(|(label, p)| crate::value::Branch {
                        guard: crate::value::Guard::new(*label, None),
                        value: Value::str(*p, None),
                    })
                    .collect(),
            ));
        }
        let stmt = vec![
            (Str::synthetic("Effect"), Value::str("Allow", None)),
            (Str::synthetic("Action"), Value::str("sts:AssumeRole", None)),
            (
                Str::synthetic("Principal"),
                Value::Map(vec![(Str::synthetic(kind), Value::List(items, None))], None),
            ),
        ];
        let v = Value::Map(
            vec![
                (Str::synthetic("Version"), Value::str("2012-10-17", None)),
                (
                    Str::synthetic("Statement"),
                    Value::List(vec![Value::Map(stmt, None)], None),
                ),
            ],
            None,
        );
        build::document_from_value(&v)
    }

    /// Runs a table of cases: each trust snippet must produce findings whose primary spans cover exactly the
    /// listed texts, in order.
    pub fn table(rule: &dyn Rule, kit: impl Fn() -> Kit, cases: &[(&str, &[&str])]) {
        for (json, expected) in cases {
            let mut k = kit();
            k.role("deploy", json);
            let found = k.run(rule);
            let texts = k.texts(&found);
            assert_eq!(
                texts,
                expected.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{} on {json}\nmessages: {:?}",
                rule.meta().id,
                found.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(label: &str) -> Guard {
        Guard::new(label, None)
    }

    #[test]
    fn worlds_split_exclusive_branches() {
        let a = [g("condition IsProd is true")];
        let b = [g("condition IsProd is false")];
        let ws = worlds([&a[..], &b[..]]);
        assert_eq!(ws.len(), 2);
        assert!(ws[0].admits(&a) != ws[0].admits(&b));
        assert!(ws[1].admits(&a) != ws[1].admits(&b));
        // Unguarded things exist everywhere.
        assert!(ws.iter().all(|w| w.admits(&[])));
    }

    #[test]
    fn worlds_with_one_sided_condition_include_not_taken() {
        let a = [g("condition Extra is true")];
        let ws = worlds([&a[..]]);
        assert_eq!(ws.len(), 2);
        assert_eq!(ws.iter().filter(|w| w.admits(&a)).count(), 1);
    }

    #[test]
    fn when_names_branches_once() {
        assert_eq!(when(&[]), "");
        assert_eq!(
            when(&[g("condition A is true"), g("condition A is true"), g("x")]),
            " when condition A is true and x"
        );
    }

    #[test]
    fn classify_uses_configuration_for_literals() {
        let config = Config {
            trusted_accounts: vec!["111111111111".into()],
            third_party_accounts: vec![ThirdParty {
                account: "464622532012".into(),
                name: Some("datadog".into()),
            }],
            ..Config::default()
        };
        assert_eq!(classify(&config, &AccountRef::This), AccountClass::This);
        assert_eq!(
            classify(&config, &AccountRef::Id("111111111111".into())),
            AccountClass::Trusted
        );
        assert!(matches!(
            classify(&config, &AccountRef::Id("464622532012".into())),
            AccountClass::ThirdParty(_)
        ));
        assert_eq!(
            classify(&config, &AccountRef::Id("222222222222".into())),
            AccountClass::Unlisted
        );
    }

    /// Real CloudFormation JSON templates from the corpus: every `AWS::IAM::Role` trust document goes through
    /// every rule; nothing panics and every finding points inside its file.
    #[test]
    fn corpus_cloudformation_json_roles_run_clean() {
        use crate::model::{Frontend, Role, Tags, Trust};
        use crate::policy::{build, json};
        use crate::rules::registry;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent: nothing to check
        };
        let mut k = testkit::Kit::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(kind)) = (cols.first(), cols.get(3)) else {
                continue;
            };
            if !path.ends_with(".json") || !matches!(*kind, "cloudformation-json" | "cdk" | "sam") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            let file = k.file(path, &text);
            let Ok(v) = json::parse(&text, &json::RawMap { file, base: 0 }) else {
                continue;
            };
            let Some(resources) = v.get("Resources").and_then(|r| r.as_map()) else {
                continue;
            };
            for (id, res) in resources {
                let ty = res
                    .get("Type")
                    .and_then(|t| t.as_str())
                    .map(|t| t.text.as_str());
                if ty != Some("AWS::IAM::Role") {
                    continue;
                }
                let props = res.get("Properties");
                let get = |name: &str| props.and_then(|p| p.get(name));
                let trust = get("AssumeRolePolicyDocument").map(|d| Trust {
                    doc: build::document_from_value(d),
                    attr_span: d.span(),
                });
                let tags = get("Tags").map(|t| Tags {
                    keys: t
                        .list_items(64)
                        .into_iter()
                        .filter_map(|(_, item)| item.get("Key").and_then(|k| k.as_str()).cloned())
                        .collect(),
                    complete: true,
                    span: t.span(),
                });
                k.inv.roles.push(Role {
                    decl: crate::model::Decl {
                        key: format!("{path}::{}", id.text),
                        address: id.text.clone(),
                        span: id.span().unwrap_or_else(|| Span::new(file, 0, 0)),
                        frontend: Frontend::CloudFormation,
                        guards: Vec::new(),
                    },
                    name: get("RoleName").and_then(|n| n.as_str()).cloned(),
                    path: get("Path").and_then(|n| n.as_str()).cloned(),
                    trust,
                    max_session_duration: get("MaxSessionDuration")
                        .map(|d| (d.clone(), d.span().unwrap_or_else(|| Span::new(file, 0, 0)))),
                    tags,
                    inline_policies: Vec::new(),
                    managed_policy_arns: Vec::new(),
                    permissions_boundary: None,
                    unknowns: Vec::new(),
                });
            }
        }
        k.config.required_tags = vec!["owner".into()];
        let mut counts = std::collections::BTreeMap::new();
        for rule in registry() {
            for f in k.run(rule) {
                let len = k.sources.get(f.primary.file).text.len();
                assert!(
                    f.primary.end as usize <= len,
                    "{} points past its file: {f:?}",
                    f.rule_id
                );
                assert!(!f.message.is_empty() && !f.fingerprint_key.is_empty());
                *counts.entry(f.rule_id).or_insert(0usize) += 1;
            }
        }
        if std::env::var_os("TRUSTLINT_CORPUS_REPORT").is_some() {
            eprintln!("corpus: {} roles, findings {counts:?}", k.inv.roles.len());
            for rule in registry() {
                for f in k.run(rule).into_iter().take(3) {
                    let t = k.text(f.primary);
                    let first = t.lines().next().unwrap_or("");
                    eprintln!("  {} {first}: {}", f.rule_id, f.message);
                }
            }
        }
        assert!(
            k.inv.roles.len() > 50,
            "only {} roles read",
            k.inv.roles.len()
        );
        // Real templates trust services, accounts and roles: the common rules must fire somewhere.
        for id in ["TL020", "TL050"] {
            assert!(
                counts.get(id).copied().unwrap_or(0) > 0,
                "{id} never fired: {counts:?}"
            );
        }
    }

    #[test]
    fn names_role_recognises_role_arns() {
        assert!(names_role(&Str::lit("arn:aws:iam::1:role/x", None)));
        assert!(names_role(&Str::lit(
            "arn:aws:sts::1:assumed-role/x/s",
            None
        )));
        assert!(!names_role(&Str::lit("arn:aws:iam::1:user/x", None)));
        assert!(names_role(&Str::sym(Sym::RoleArn("m::r".into()), None)));
    }
}
