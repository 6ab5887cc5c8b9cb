//! The effective assume-role graph (SPEC §2): who can assume which role, under AWS's evaluation rules.
//!
//! An edge *from → to* means *from can assume to*:
//! - the role's trust policy has an Allow statement whose principal matches *from*, for the STS action that
//!   fits the principal type, and no Deny statement in the trust or in *from*'s identity policies denies it;
//! - in the same account a trust entry naming *from*'s ARN (or a symbolic reference to it) suffices
//!   (`trust-direct`); an account entry (`:root`, bare ID) also needs an identity-policy Allow for
//!   `sts:AssumeRole` on the role's ARN, path included (`trust-account`); across accounts both are always
//!   needed, and the other account's policies are not in the scan, so those edges are not certain;
//! - service and federated principals give `service` / `federated` edges.
//!
//! Edges that rest on unknown values are kept with `certain == false`: an unresolved account; a literal
//! account ID that may or may not be the deploying account (only IDs that the scanned identity policies use
//! for role ARNs are taken as possibly this account, others are other accounts, unless
//! [`GraphOptions::this_accounts`] says so); a generated role name matched against a pattern; principals of
//! two different root modules or templates, which share "this account" only if deployed to the same one;
//! and every edge from another account, whose identity policies the scan cannot see.
//!
//! Nodes and edges live in indexed `Vec`s; construction is near-linear in the edges it makes: trust entries
//! are resolved through hash maps; identity-policy `Resource` patterns are indexed by the literal prefix of
//! their resource field, so finding who may assume a role trusting its account does not scan every policy;
//! the scanned roles and users are indexed by ARN text, so a wildcard pinned by `aws:PrincipalArn` is only
//! tried against the principals its patterns can match; and pattern answers are remembered per
//! (pattern, principal), since copies of one module or template repeat the same condition values.
//!
//! Not modelled: permission boundaries, SCPs/RCPs and session policies (they can only remove edges),
//! expansion of `Principal: "*"` to every scanned principal (the wildcard node stands for them, except when a
//! must-hold `aws:PrincipalArn` condition names which ones), and self-assumption through an account entry
//! (since 2023 a role needs to be named in its own trust policy to assume itself).

mod analysis;
pub mod describe;
pub mod identity;
pub mod pattern;
#[cfg(test)]
pub(crate) mod testing;

pub use analysis::{Bypass, Chain, Cycle, MAX_PATH_HOPS};
pub use identity::{Grant, PolicyKind, PolicySource};
pub use pattern::Match;

use crate::model::Inventory;
use crate::policy::principal::{AccountRef, Principal, PrincipalEntry};
use crate::policy::{Condition, Effect, Statement};
use crate::source::Span;
use crate::value::{Origin, Str, Sym};
use foldhash::{HashMap, HashMapExt};
use identity::{PolicyRef, ACT_ASSUME, ACT_SET_SOURCE_IDENTITY, ACT_TAG_SESSION};
use pattern::{normalize_path, Pattern, PatternIndex, PrincipalArn, TargetIndex};
use std::hash::{BuildHasherDefault, Hasher};

/// Default bound on the number of edges: past it the graph is marked truncated and rules say so.
pub const DEFAULT_MAX_EDGES: usize = 2_000_000;

/// How the graph is built.
#[derive(Clone, Debug)]
pub struct GraphOptions {
    /// Account IDs known to be the account the scanned configuration is deployed to. A literal account ID in
    /// an ARN is otherwise only *possibly* this account, and edges resting on it are not certain.
    pub this_accounts: Vec<String>,
    pub max_edges: usize,
}

impl Default for GraphOptions {
    fn default() -> GraphOptions {
        GraphOptions {
            this_accounts: Vec::new(),
            max_edges: DEFAULT_MAX_EDGES,
        }
    }
}

/// What a node is (SPEC §5.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// A scanned role.
    Role,
    /// A user, scanned or named by ARN.
    User,
    Group,
    Service,
    Federated,
    /// The principals of an account that the scan does not show (account-level trust).
    Account,
    /// Everyone (`"*"`, `{"AWS": "*"}`, `NotPrincipal` with Allow).
    Wildcard,
    /// A role named by ARN or reference that is not in the scan.
    ExternalRole,
}

impl NodeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            NodeKind::Role => "role",
            NodeKind::User => "user",
            NodeKind::Group => "group",
            NodeKind::Service => "service",
            NodeKind::Federated => "federated",
            NodeKind::Account => "account",
            NodeKind::Wildcard => "wildcard",
            NodeKind::ExternalRole => "external-role",
        }
    }

    /// Whether sessions of this node are role sessions (assuming from them is chaining).
    pub fn is_role(&self) -> bool {
        matches!(self, NodeKind::Role | NodeKind::ExternalRole)
    }
}

/// How an edge is allowed (SPEC §5.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// The trust policy names the principal (or everyone): sufficient in the same account.
    TrustDirect,
    /// The trust policy names the account, and an identity policy allows `sts:AssumeRole` on the role.
    TrustAccount,
    Service,
    Federated,
}

impl EdgeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EdgeKind::TrustDirect => "trust-direct",
            EdgeKind::TrustAccount => "trust-account",
            EdgeKind::Service => "service",
            EdgeKind::Federated => "federated",
        }
    }
}

/// An account as nodes know it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    This,
    Id(String),
    Unknown,
    Any,
}

impl Account {
    fn from_ref(a: &AccountRef, this_accounts: &[String]) -> Account {
        match a {
            AccountRef::This => Account::This,
            AccountRef::Id(id) if this_accounts.contains(id) => Account::This,
            AccountRef::Id(id) => Account::Id(id.clone()),
            AccountRef::Wildcard => Account::Any,
            AccountRef::Unknown => Account::Unknown,
        }
    }

    /// How the account reads in ids and reports: `this`, the ID, `*`, `unknown`.
    pub fn label(&self) -> String {
        match self {
            Account::This => "this".into(),
            Account::Id(id) => id.clone(),
            Account::Any => "*".into(),
            Account::Unknown => "unknown".into(),
        }
    }
}

/// A node of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable, unique: `role:<key>`, `user:<key>`, `service:ec2.amazonaws.com`, `account:222222222222`, …
    pub id: String,
    pub kind: NodeKind,
    /// The IAM name where known, else the address (scanned) or the principal as written.
    pub name: String,
    pub account: Account,
    /// The ARN, readable (`arn:aws:iam::<this account>:role/path/name`), where it has one.
    pub arn: Option<String>,
    /// The declaration, for scanned items.
    pub span: Option<Span>,
    /// The resource address, for scanned items (`module.ci.aws_iam_role.deploy`, `DeployRole`).
    pub resource: Option<String>,
    /// The model key, for scanned items.
    pub key: Option<String>,
    /// Where a scanned item is deployed from: the key's scope (Terraform root module directory,
    /// CloudFormation template). Items of different scopes share "this account" only if deployed together.
    pub scope: Option<String>,
    /// The instance profile that hands the role to EC2, when one is scanned.
    pub instance_profile: Option<Span>,
    /// Service-linked roles are AWS-managed and exempt from trust rules.
    pub service_linked: bool,
    /// Index of the role in `Inventory::roles`, for scanned roles.
    pub role_index: Option<usize>,
    pub(crate) arn_text: Option<PrincipalArn>,
    /// Identity grants (allow and deny) of a scanned principal, including its groups'.
    pub(crate) grants: Vec<usize>,
    /// False when an attached policy is not in the scan (its grants are unknown).
    pub(crate) identity_complete: bool,
    /// Some identity grant is a Deny (most principals have none: their denies need no look).
    pub(crate) has_deny: bool,
    pub(crate) trust: TrustSummary,
}

/// What a role's trust admits, for [`Graph::reachable_only_by_chaining`] and [`Graph::sessions_only_from_ec2`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TrustSummary {
    pub has_allow: bool,
    /// Some admitted principal is not a role (user, account, service, federated, everyone).
    pub non_role: bool,
    /// Some part of the trust is unresolved: nothing can be asserted about all principals.
    pub unsure: bool,
    /// Scanned roles admitted.
    pub roles: Vec<usize>,
    pub ec2: bool,
    /// Some admitted principal is not the EC2 service.
    pub not_ec2: bool,
}

/// An edge: `from` can assume `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// The trust entry in `to`'s trust policy that admits `from` (the principal as written).
    pub span: Span,
    /// Position of the trust statement in `to`'s trust document.
    pub statement: usize,
    /// Position of the principal entry in the statement (`None` for `NotPrincipal`).
    pub entry: Option<usize>,
    /// Under what the edge holds: trust and identity conditions, branches, conditional denies.
    pub conditions: Vec<String>,
    pub certain: bool,
    /// The identity-policy statement that allows it (`trust-account` edges).
    pub grant: Option<usize>,
    /// Whether session tags / a source identity can be passed along this hop.
    pub tag_session: bool,
    pub set_source_identity: bool,
}

/// Edge indices per node, all in one array (two allocations, not one per node).
#[derive(Clone, Debug, Default)]
struct Adjacency {
    /// `edges[start[n]..start[n + 1]]` are node `n`'s.
    start: Vec<usize>,
    edges: Vec<usize>,
}

impl Adjacency {
    /// Groups edge indices by the node `end` picks, each group in edge order.
    fn new(nodes: usize, edges: &[Edge], end: impl Fn(&Edge) -> usize) -> Adjacency {
        let mut start = vec![0usize; nodes + 1];
        for e in edges {
            if let Some(c) = end(e).checked_add(1).and_then(|i| start.get_mut(i)) {
                *c += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut out = vec![0usize; start.last().copied().unwrap_or(0)];
        for (i, e) in edges.iter().enumerate() {
            if let Some(at) = next.get_mut(end(e)) {
                if let Some(slot) = out.get_mut(*at) {
                    *slot = i;
                }
                *at += 1;
            }
        }
        Adjacency { start, edges: out }
    }

    fn of(&self, node: usize) -> &[usize] {
        let next = node.checked_add(1).and_then(|n| self.start.get(n));
        match (self.start.get(node), next) {
            (Some(&a), Some(&b)) => self.edges.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The effective assume-role graph.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    out: Adjacency,
    inc: Adjacency,
    by_id: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
    policies: Vec<PolicySource>,
    grants: Vec<Grant>,
    truncated: bool,
    /// Names that several scanned roles (or users) share: messages add the address to tell them apart.
    shared_names: foldhash::HashSet<(NodeKind, String)>,
}

impl Graph {
    /// Builds the graph of a scan with default options.
    pub fn build(inv: &Inventory) -> Graph {
        Graph::build_with(inv, &GraphOptions::default())
    }

    pub fn build_with(inv: &Inventory, opts: &GraphOptions) -> Graph {
        Builder::new(inv, opts).run()
    }

    /// Nodes, sorted by id.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Edges, sorted by (from, to, kind, span).
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    pub fn edge(&self, i: usize) -> Option<&Edge> {
        self.edges.get(i)
    }

    /// Indices of the edges leaving a node.
    pub fn out_edges(&self, node: usize) -> &[usize] {
        self.out.of(node)
    }

    /// Indices of the edges entering a node.
    pub fn in_edges(&self, node: usize) -> &[usize] {
        self.inc.of(node)
    }

    pub fn node_by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The node of a scanned role, user or group by its model key.
    pub fn node_by_key(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    pub fn policy(&self, i: usize) -> Option<&PolicySource> {
        self.policies.get(i)
    }

    pub fn grant(&self, i: usize) -> Option<&Grant> {
        self.grants.get(i)
    }

    /// Whether edges were dropped because the graph reached its edge bound.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Whether the role can only be reached by chaining (TL002): its trust allows only roles (scanned or
    /// not), none of which gets its sessions from EC2 instance profiles alone, and nothing in the trust is
    /// unresolved. False for unknown keys and roles without an Allow.
    pub fn reachable_only_by_chaining(&self, role_key: &str) -> bool {
        let Some(n) = self.node_by_key(role_key).and_then(|i| self.nodes.get(i)) else {
            return false;
        };
        let t = &n.trust;
        t.has_allow
            && !t.non_role
            && !t.unsure
            && !t.roles.iter().any(|&r| self.sessions_only_from_ec2(r))
    }

    /// Whether the role's sessions all come from EC2 (its trust admits only `ec2.amazonaws.com`): AWS does
    /// not count assuming a role from such a session as chaining.
    pub fn sessions_only_from_ec2(&self, node: usize) -> bool {
        self.nodes
            .get(node)
            .is_some_and(|n| n.trust.ec2 && !n.trust.not_ec2 && !n.trust.unsure)
    }

    /// How a node reads in messages: `role "deploy"`, `user "alice"`, `service ec2.amazonaws.com`,
    /// `this account`, `account 222222222222`, `everyone (*)`.
    pub fn describe_node(&self, node: usize) -> String {
        let Some(n) = self.nodes.get(node) else {
            return String::new();
        };
        let which = match &n.resource {
            Some(a) if *a != n.name && self.shared_names.contains(&(n.kind, n.name.clone())) => {
                format!(" ({a})")
            }
            _ => String::new(),
        };
        match n.kind {
            NodeKind::Role => format!("role \"{}\"{which}", n.name),
            NodeKind::User => format!("user \"{}\"{which}", n.name),
            NodeKind::Group => format!("group \"{}\"", n.name),
            NodeKind::ExternalRole => format!("role \"{}\" (not in the scan)", n.name),
            NodeKind::Service => format!("service {}", n.name),
            NodeKind::Federated => format!("federated identity {}", n.name),
            NodeKind::Account | NodeKind::Wildcard => n.name.clone(),
        }
    }

    /// Whether a node can be assumed by anything in the graph.
    pub fn assumable(&self, node: usize) -> bool {
        !self.in_edges(node).is_empty()
    }
}

// ---------------------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------------------

/// A node that is not scanned, to be interned.
struct Spec {
    id: String,
    kind: NodeKind,
    name: String,
    account: Account,
    arn: Option<String>,
}

/// How surely a trust statement covers each STS action, computed once per statement.
#[derive(Copy, Clone)]
struct StmtActions {
    /// `sts:AssumeRole` (AWS and service principals), with the statement's effect folded in.
    aws: Match,
    /// `sts:AssumeRoleWithWebIdentity`, effect folded in.
    web: Match,
    /// `sts:AssumeRoleWithSAML`, effect folded in.
    saml: Match,
    /// `sts:TagSession` / `sts:SetSourceIdentity` bits.
    bits: u8,
}

impl StmtActions {
    fn of(stmt: &Statement, eff: Match) -> StmtActions {
        let mut bits = 0u8;
        if covers_action(stmt, "sts:TagSession") {
            bits |= ACT_TAG_SESSION;
        }
        if covers_action(stmt, "sts:SetSourceIdentity") {
            bits |= ACT_SET_SOURCE_IDENTITY;
        }
        StmtActions {
            aws: action_match(stmt, "sts:AssumeRole").and(eff),
            web: action_match(stmt, "sts:AssumeRoleWithWebIdentity").and(eff),
            saml: action_match(stmt, "sts:AssumeRoleWithSAML").and(eff),
            bits,
        }
    }
}

/// What a trust principal entry refers to.
enum Resolved {
    /// Scanned roles or users, each with how sure the account match is.
    Scanned(Vec<(usize, Match)>, Option<String>),
    /// A node outside the scan; `certain` when trust alone suffices (same account, or service/federated).
    Node(Spec, bool),
    /// Account-level delegation.
    Account(Account),
    Wildcard,
    /// Principal not resolvable: nothing can be said about who it is.
    Unresolved,
    /// Names nothing that can assume a role (a deleted principal's unique ID, an invalid ARN…).
    Nothing,
}

/// A scanned principal whose identity policies allow assuming a role: how surely, by which grant, under what.
#[derive(Clone)]
struct Admitter {
    who: usize,
    sure: Match,
    grant: usize,
    notes: Vec<String>,
}

/// A trust statement's conditions, prepared once per statement.
struct StmtConds {
    items: Vec<CondItem>,
}

struct CondItem {
    /// `condition …`, readable: the note an edge carries when the condition is not decided.
    note: String,
    /// Set when the condition is about who the caller is.
    who: Option<WhoCond>,
}

/// A condition on `aws:PrincipalArn` or `aws:PrincipalAccount`.
struct WhoCond {
    /// `…Equals`/`…Like` rather than their negations.
    positive: bool,
    /// What the values that do not depend on the caller give (account values), or-ed.
    fixed: Match,
    /// `aws:PrincipalArn` values that can match a role or user ARN, with their [`MatchMemo`] ids.
    patterns: Vec<(u32, Pattern)>,
}

/// Answers of [`Pattern::matches`] for scanned principals, by pattern: the same condition values recur in
/// many trust policies (modules instantiated many times, templates copied), each tried against every
/// principal.
#[derive(Default)]
struct MatchMemo {
    ids: HashMap<Pattern, u32>,
    answers: std::cell::RefCell<
        std::collections::HashMap<(u32, usize), Match, BuildHasherDefault<PairHasher>>,
    >,
}

/// A multiply-rotate hash for the memo's pairs of small integers, which are looked up once per principal
/// tried: SipHash's resistance to chosen keys buys nothing for indices the builder assigns.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.mix(u64::from(b));
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }

    fn write_usize(&mut self, v: usize) {
        self.mix(v as u64);
    }
}

impl PairHasher {
    fn mix(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl MatchMemo {
    fn id(&mut self, p: &Pattern) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(p.clone()).or_insert(next)
    }

    fn matches(&self, (id, p): &(u32, Pattern), node: usize, who: &PrincipalArn) -> Match {
        if let Some(m) = self.answers.borrow().get(&(*id, node)) {
            return *m;
        }
        let m = p.matches(who);
        self.answers.borrow_mut().insert((*id, node), m);
        m
    }
}

impl WhoCond {
    fn eval(&self, node: usize, who: &PrincipalArn, memo: &MatchMemo) -> Match {
        let mut any = self.fixed;
        for p in &self.patterns {
            if any == Match::Yes {
                break;
            }
            any = any.or(memo.matches(p, node, who));
        }
        if self.positive {
            any
        } else {
            any.negate()
        }
    }
}

impl StmtConds {
    /// The scanned principals (ids ascending) that can satisfy the statement's conditions, when a must-hold
    /// `aws:PrincipalArn` condition narrows them; `None` when no condition does. Everyone else gets
    /// [`Match::No`] from [`Builder::conditions_for`].
    /// `seen` keeps the answer for each list of patterns (conditions recur across trust policies).
    fn pinned_candidates(
        &self,
        index: &TargetIndex,
        seen: &mut HashMap<Vec<u32>, Vec<usize>>,
    ) -> Option<Vec<usize>> {
        // A positive condition of patterns only: failing every pattern fails the condition.
        let keys: Vec<Vec<u32>> = self
            .items
            .iter()
            .filter_map(|c| c.who.as_ref())
            .filter(|w| w.positive && w.fixed == Match::No)
            .map(|w| {
                let key: Vec<u32> = w.patterns.iter().map(|(id, _)| *id).collect();
                if !seen.contains_key(&key) {
                    let mut ids = Vec::new();
                    for (_, p) in &w.patterns {
                        index.candidates(p, &mut ids);
                    }
                    ids.sort_unstable();
                    ids.dedup();
                    seen.insert(key.clone(), ids);
                }
                key
            })
            .collect();
        keys.iter()
            .filter_map(|k| seen.get(k))
            .min_by_key(|ids| ids.len())
            .cloned()
    }
}

struct Builder<'a> {
    inv: &'a Inventory,
    opts: &'a GraphOptions,
    nodes: Vec<Node>,
    by_id: HashMap<String, usize>,
    role_by_key: HashMap<String, usize>,
    role_by_name: HashMap<String, Vec<usize>>,
    role_by_path_name: HashMap<(String, String), Vec<usize>>,
    user_by_key: HashMap<String, usize>,
    user_by_name: HashMap<String, Vec<usize>>,
    user_by_path_name: HashMap<(String, String), Vec<usize>>,
    group_by_key: HashMap<String, usize>,
    group_by_name: HashMap<String, Vec<usize>>,
    policies: Vec<PolicySource>,
    policy_grants: Vec<Vec<usize>>,
    node_policies: Vec<Vec<usize>>,
    grants: Vec<Grant>,
    grant_holders: Vec<Vec<usize>>,
    index: PatternIndex,
    pattern_grant: Vec<usize>,
    edges: Vec<Edge>,
    truncated: bool,
    /// Literal account IDs that the scan's identity policies use for role ARNs: possibly this account.
    maybe_this: foldhash::HashSet<String>,
    /// Per target role: who may assume it through an account entry (computed once).
    identity_cache: HashMap<usize, Vec<Admitter>>,
    /// The scanned roles and users by ARN text, for the principals a condition can name.
    targets: TargetIndex,
    memo: MatchMemo,
    /// [`StmtConds::pinned_candidates`] by the patterns of a condition.
    pinned: HashMap<Vec<u32>, Vec<usize>>,
}

fn known(s: &Option<Str>) -> Option<&str> {
    s.as_ref().and_then(|s| s.as_known())
}

fn guard_labels(g: &[crate::value::Guard]) -> Vec<String> {
    g.iter().map(|g| format!("when {}", g.label)).collect()
}

/// `policy::semantics::action_matches` without allocating for the common shapes (an exact name, `*`, a
/// prefix followed by `*` such as `sts:*` or `sts:AssumeRole*`); other patterns go to the policy module.
/// Graph construction asks this for every statement, so it must be cheap.
fn action_pattern_matches(pattern: &str, action: &str) -> bool {
    let wild = |s: &str| s.bytes().any(|b| matches!(b, b'*' | b'?'));
    if !wild(pattern) {
        return pattern.eq_ignore_ascii_case(action);
    }
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) if !wild(prefix) => action
            .get(..prefix.len())
            .is_some_and(|a| a.eq_ignore_ascii_case(prefix)),
        _ => crate::policy::semantics::action_matches(pattern, action),
    }
}

/// `policy::semantics::statement_matches_action` through [`action_pattern_matches`]: `NotAction` covers
/// what it does not list.
pub(crate) fn covers_action(stmt: &Statement, action: &str) -> bool {
    let hit = |items: &[crate::policy::Item]| {
        items.iter().any(|i| {
            i.value
                .as_known()
                .is_some_and(|p| action_pattern_matches(p, action))
        })
    };
    match &stmt.not_actions {
        Some(not) => !hit(not),
        None => hit(&stmt.actions),
    }
}

/// How surely a trust statement covers an STS action.
fn action_match(stmt: &Statement, action: &str) -> Match {
    if covers_action(stmt, action) {
        return Match::Yes;
    }
    let unknown = stmt
        .actions
        .iter()
        .chain(stmt.not_actions.iter().flatten())
        .any(|i| !i.value.is_known());
    if unknown {
        Match::Maybe
    } else {
        Match::No
    }
}

fn effect_match(stmt: &Statement) -> Match {
    match stmt.effect {
        Effect::Allow => Match::Yes,
        Effect::Unknown => Match::Maybe,
        Effect::Deny => Match::No,
    }
}

/// The symbolic principal a placeholder inside an ARN's name stands for (`role/${aws_iam_role.x.name}`).
fn name_ref(value: &Str) -> Option<&str> {
    value.parts.iter().find_map(|p| match &p.origin {
        Origin::Sym(Sym::RoleName(k), _) | Origin::Sym(Sym::UserName(k), _) => Some(k.as_str()),
        _ => None,
    })
}

fn has_placeholder(s: &str) -> bool {
    s.contains([crate::value::SYM_CHAR, crate::value::UNKNOWN_CHAR])
}

impl<'a> Builder<'a> {
    fn new(inv: &'a Inventory, opts: &'a GraphOptions) -> Builder<'a> {
        Builder {
            inv,
            opts,
            nodes: Vec::new(),
            by_id: HashMap::new(),
            role_by_key: HashMap::new(),
            role_by_name: HashMap::new(),
            role_by_path_name: HashMap::new(),
            user_by_key: HashMap::new(),
            user_by_name: HashMap::new(),
            user_by_path_name: HashMap::new(),
            group_by_key: HashMap::new(),
            group_by_name: HashMap::new(),
            policies: Vec::new(),
            policy_grants: Vec::new(),
            node_policies: Vec::new(),
            grants: Vec::new(),
            grant_holders: Vec::new(),
            index: PatternIndex::default(),
            pattern_grant: Vec::new(),
            edges: Vec::new(),
            truncated: false,
            identity_cache: HashMap::new(),
            maybe_this: <foldhash::HashSet<_> as foldhash::HashSetExt>::new(),
            targets: TargetIndex::default(),
            memo: MatchMemo::default(),
            pinned: HashMap::new(),
        }
    }

    fn run(mut self) -> Graph {
        self.scanned_nodes();
        self.targets = TargetIndex::new(
            self.nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.arn_text.as_ref().map(|a| (i, a))),
        );
        self.identity();
        self.instance_profiles();
        for n in 0..self.nodes.len() {
            if self.nodes.get(n).is_some_and(|n| n.kind == NodeKind::Role) {
                self.trust_of(n);
            }
        }
        self.finish()
    }

    fn push_node(&mut self, mut node: Node) -> usize {
        if self.by_id.contains_key(&node.id) {
            // Keys are unique by contract; keep going with a distinct id rather than merging two items.
            node.id = format!("{}#{}", node.id, self.nodes.len());
        }
        let i = self.nodes.len();
        self.by_id.insert(node.id.clone(), i);
        self.nodes.push(node);
        self.node_policies.push(Vec::new());
        i
    }

    fn blank(id: String, kind: NodeKind, name: String, account: Account) -> Node {
        Node {
            id,
            kind,
            name,
            account,
            arn: None,
            span: None,
            resource: None,
            key: None,
            scope: None,
            instance_profile: None,
            service_linked: false,
            role_index: None,
            arn_text: None,
            grants: Vec::new(),
            identity_complete: true,
            has_deny: false,
            trust: TrustSummary::default(),
        }
    }

    fn intern(&mut self, spec: Spec) -> usize {
        if let Some(&i) = self.by_id.get(&spec.id) {
            return i;
        }
        let mut n = Builder::blank(spec.id, spec.kind, spec.name, spec.account);
        n.arn = spec.arn;
        self.push_node(n)
    }

    fn scanned_nodes(&mut self) {
        let inv = self.inv;
        // Scanned principals are most of the nodes: sized once rather than grown by doubling.
        let scanned = inv.roles.len() + inv.users.len() + inv.groups.len();
        self.nodes.reserve(scanned);
        self.node_policies.reserve(scanned);
        self.by_id.reserve(scanned);
        self.role_by_key.reserve(inv.roles.len());
        self.role_by_name.reserve(inv.roles.len());
        self.role_by_path_name.reserve(inv.roles.len());
        for (ri, r) in inv.roles.iter().enumerate() {
            let arn = PrincipalArn::new("role", &r.decl.key, r.path.as_ref(), r.name.as_ref());
            let mut n = Builder::blank(
                format!("role:{}", r.decl.key),
                NodeKind::Role,
                r.display_name(),
                Account::This,
            );
            n.arn = Some(arn.display());
            n.span = Some(r.decl.span);
            n.resource = Some(r.decl.address.clone());
            n.key = Some(r.decl.key.clone());
            n.scope = scope_of(&r.decl.key);
            n.service_linked = r.is_service_linked();
            n.role_index = Some(ri);
            n.arn_text = Some(arn);
            let i = self.push_node(n);
            self.role_by_key.insert(r.decl.key.clone(), i);
            if let Some(name) = known(&r.name) {
                self.role_by_name
                    .entry(name.to_string())
                    .or_default()
                    .push(i);
                let path = known(&r.path)
                    .map(normalize_path)
                    .unwrap_or_else(|| "/".into());
                self.role_by_path_name
                    .entry((path, name.to_string()))
                    .or_default()
                    .push(i);
            }
        }
        for u in &inv.users {
            let arn = PrincipalArn::new("user", &u.decl.key, u.path.as_ref(), u.name.as_ref());
            let name = known(&u.name)
                .map(str::to_string)
                .unwrap_or_else(|| u.decl.address.clone());
            let mut n = Builder::blank(
                format!("user:{}", u.decl.key),
                NodeKind::User,
                name,
                Account::This,
            );
            n.arn = Some(arn.display());
            n.span = Some(u.decl.span);
            n.resource = Some(u.decl.address.clone());
            n.key = Some(u.decl.key.clone());
            n.scope = scope_of(&u.decl.key);
            n.arn_text = Some(arn);
            let i = self.push_node(n);
            self.user_by_key.insert(u.decl.key.clone(), i);
            if let Some(name) = known(&u.name) {
                self.user_by_name
                    .entry(name.to_string())
                    .or_default()
                    .push(i);
                let path = known(&u.path)
                    .map(normalize_path)
                    .unwrap_or_else(|| "/".into());
                self.user_by_path_name
                    .entry((path, name.to_string()))
                    .or_default()
                    .push(i);
            }
        }
        for g in &inv.groups {
            let name = known(&g.name)
                .map(str::to_string)
                .unwrap_or_else(|| g.decl.address.clone());
            let mut n = Builder::blank(
                format!("group:{}", g.decl.key),
                NodeKind::Group,
                name,
                Account::This,
            );
            n.span = Some(g.decl.span);
            n.resource = Some(g.decl.address.clone());
            n.key = Some(g.decl.key.clone());
            n.scope = scope_of(&g.decl.key);
            let i = self.push_node(n);
            self.group_by_key.insert(g.decl.key.clone(), i);
            if let Some(name) = known(&g.name) {
                self.group_by_name
                    .entry(name.to_string())
                    .or_default()
                    .push(i);
            }
        }
    }

    // ---------------------------------------------------------------- identity side

    fn add_policy(
        &mut self,
        name: String,
        kind: PolicyKind,
        span: Option<Span>,
        doc: Option<&crate::policy::PolicyDocument>,
        arn_texts: &HashMap<String, String>,
    ) -> usize {
        let p = self.policies.len();
        self.policies.push(PolicySource { name, kind, span });
        let arn_of = |k: &str| arn_texts.get(k).cloned();
        let gs = match doc {
            Some(d) => identity::grants_of(d, p, &self.opts.this_accounts, &arn_of),
            None => Vec::new(),
        };
        let mut ids = Vec::with_capacity(gs.len());
        for g in gs {
            ids.push(self.grants.len());
            self.grants.push(g);
        }
        self.policy_grants.push(ids);
        p
    }

    fn attach(&mut self, node: usize, policy: usize) {
        if let Some(ps) = self.node_policies.get_mut(node) {
            if !ps.contains(&policy) {
                ps.push(policy);
            }
        }
    }

    fn mark_incomplete(&mut self, node: usize) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.identity_complete = false;
        }
    }

    /// Roles a name or reference designates (`AttachTarget::Role`, instance profiles).
    fn roles_named(&self, s: &Str) -> Vec<usize> {
        match s.as_sym() {
            Some(Sym::RoleName(k)) | Some(Sym::RoleArn(k)) => {
                self.role_by_key.get(k).copied().into_iter().collect()
            }
            Some(_) => Vec::new(),
            None => match s.as_known() {
                Some(t) => {
                    let name = t.rsplit('/').next().unwrap_or(t);
                    self.role_by_name.get(name).cloned().unwrap_or_default()
                }
                None => Vec::new(),
            },
        }
    }

    fn users_named(&self, s: &Str) -> Vec<usize> {
        match s.as_sym() {
            Some(Sym::UserName(k)) | Some(Sym::UserArn(k)) => {
                self.user_by_key.get(k).copied().into_iter().collect()
            }
            Some(_) => Vec::new(),
            None => match s.as_known() {
                Some(t) => {
                    let name = t.rsplit('/').next().unwrap_or(t);
                    self.user_by_name.get(name).cloned().unwrap_or_default()
                }
                None => Vec::new(),
            },
        }
    }

    fn groups_named(&self, s: &Str) -> Vec<usize> {
        match s.as_sym() {
            Some(Sym::GroupArn(k)) => self.group_by_key.get(k).copied().into_iter().collect(),
            Some(_) => Vec::new(),
            None => match s.as_known() {
                Some(t) => {
                    let name = t.rsplit('/').next().unwrap_or(t);
                    self.group_by_name.get(name).cloned().unwrap_or_default()
                }
                None => Vec::new(),
            },
        }
    }

    fn targets(&self, t: &crate::model::AttachTarget) -> Vec<usize> {
        match t {
            crate::model::AttachTarget::Role(s) => self.roles_named(s),
            crate::model::AttachTarget::User(s) => self.users_named(s),
            crate::model::AttachTarget::Group(s) => self.groups_named(s),
        }
    }

    fn identity(&mut self) {
        let inv = self.inv;
        let mut arn_texts: HashMap<String, String> = HashMap::new();
        for n in &self.nodes {
            if let (Some(k), Some(a)) = (&n.key, &n.arn_text) {
                arn_texts.insert(k.clone(), a.text.clone());
            }
        }
        // Customer managed policies first: roles, users and groups refer to them by ARN.
        let mut managed_by_key: HashMap<&str, usize> = HashMap::new();
        let mut managed_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut managed_targets: Vec<(usize, Vec<usize>)> = Vec::new();
        for mp in &inv.policies {
            let name = known(&mp.name)
                .map(str::to_string)
                .unwrap_or_else(|| mp.decl.address.clone());
            let p = self.add_policy(
                name,
                PolicyKind::Managed,
                Some(mp.decl.span),
                Some(&mp.doc),
                &arn_texts,
            );
            managed_by_key.insert(mp.decl.key.as_str(), p);
            if let Some(n) = known(&mp.name) {
                managed_by_name.entry(n).or_default().push(p);
            }
            let targets: Vec<usize> = mp
                .attached_to
                .iter()
                .flat_map(|t| self.targets(t))
                .collect();
            managed_targets.push((p, targets));
        }
        for (p, targets) in managed_targets {
            for t in targets {
                self.attach(t, p);
            }
        }
        let mut aws_cache: HashMap<String, Option<usize>> = HashMap::new();
        let mut resolve_arn =
            |b: &mut Builder<'a>, node: usize, arn: &Str| match identity::policy_ref(arn) {
                PolicyRef::Key(k) => match managed_by_key.get(k.as_str()) {
                    Some(&p) => b.attach(node, p),
                    None => b.mark_incomplete(node),
                },
                PolicyRef::Name(n) => match managed_by_name.get(n.as_str()) {
                    Some(ps) => {
                        for &p in ps {
                            b.attach(node, p)
                        }
                    }
                    None => b.mark_incomplete(node),
                },
                PolicyRef::AwsManaged(n) => {
                    let p = *aws_cache.entry(n.clone()).or_insert_with(|| {
                        let p = b.policies.len();
                        let grants = identity::aws_managed_grants(&n, p)?;
                        b.policies.push(PolicySource {
                            name: n.clone(),
                            kind: PolicyKind::AwsManaged,
                            span: None,
                        });
                        let mut ids = Vec::new();
                        for g in grants {
                            ids.push(b.grants.len());
                            b.grants.push(g);
                        }
                        b.policy_grants.push(ids);
                        Some(p)
                    });
                    if let Some(p) = p {
                        b.attach(node, p);
                    }
                }
                PolicyRef::Unknown => b.mark_incomplete(node),
            };
        for (ri, r) in inv.roles.iter().enumerate() {
            let Some(&node) = self.role_by_key.get(&r.decl.key) else {
                continue;
            };
            let _ = ri;
            for ip in &r.inline_policies {
                let name = ip
                    .name
                    .as_ref()
                    .map(|n| n.display())
                    .unwrap_or_else(|| ip.decl.address.clone());
                let p = self.add_policy(
                    name,
                    PolicyKind::Inline,
                    Some(ip.decl.span),
                    Some(&ip.doc),
                    &arn_texts,
                );
                self.attach(node, p);
            }
            for arn in &r.managed_policy_arns {
                resolve_arn(self, node, arn);
            }
        }
        for u in &inv.users {
            let Some(&node) = self.user_by_key.get(&u.decl.key) else {
                continue;
            };
            for ip in &u.inline_policies {
                let name = ip
                    .name
                    .as_ref()
                    .map(|n| n.display())
                    .unwrap_or_else(|| ip.decl.address.clone());
                let p = self.add_policy(
                    name,
                    PolicyKind::Inline,
                    Some(ip.decl.span),
                    Some(&ip.doc),
                    &arn_texts,
                );
                self.attach(node, p);
            }
            for arn in &u.managed_policy_arns {
                resolve_arn(self, node, arn);
            }
        }
        for g in &inv.groups {
            let Some(&node) = self.group_by_key.get(&g.decl.key) else {
                continue;
            };
            for ip in &g.inline_policies {
                let name = ip
                    .name
                    .as_ref()
                    .map(|n| n.display())
                    .unwrap_or_else(|| ip.decl.address.clone());
                let p = self.add_policy(
                    name,
                    PolicyKind::Inline,
                    Some(ip.decl.span),
                    Some(&ip.doc),
                    &arn_texts,
                );
                self.attach(node, p);
            }
            for arn in &g.managed_policy_arns {
                resolve_arn(self, node, arn);
            }
        }
        for a in &inv.attachments {
            let targets = self.targets(&a.target);
            for t in targets {
                resolve_arn(self, t, &a.policy_arn);
            }
        }
        // Grants per principal; users also hold their groups' grants.
        let mut member_of: Vec<(usize, Vec<usize>)> = Vec::new();
        for u in &inv.users {
            let Some(&node) = self.user_by_key.get(&u.decl.key) else {
                continue;
            };
            let gs: Vec<usize> = u.groups.iter().flat_map(|g| self.groups_named(g)).collect();
            let unresolved = u.groups.iter().any(|g| self.groups_named(g).is_empty());
            if unresolved {
                self.mark_incomplete(node);
            }
            member_of.push((node, gs));
        }
        for n in 0..self.nodes.len() {
            let mut gs: Vec<usize> = Vec::new();
            for &p in self.node_policies.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                gs.extend(self.policy_grants.get(p).map(Vec::as_slice).unwrap_or(&[]));
            }
            if let Some(node) = self.nodes.get_mut(n) {
                node.grants = gs;
            }
        }
        for (u, groups) in member_of {
            let mut extra = Vec::new();
            let mut incomplete = false;
            for g in groups {
                if let Some(gn) = self.nodes.get(g) {
                    extra.extend(gn.grants.iter().copied());
                    incomplete |= !gn.identity_complete;
                }
            }
            if let Some(node) = self.nodes.get_mut(u) {
                for g in extra {
                    if !node.grants.contains(&g) {
                        node.grants.push(g);
                    }
                }
                node.identity_complete &= !incomplete;
            }
        }
        for grant in &self.grants {
            for gp in &grant.patterns {
                if let Some(a) = gp.pattern.literal_role_account() {
                    self.maybe_this.insert(a.to_string());
                }
            }
        }
        let grants = &self.grants;
        for node in &mut self.nodes {
            node.has_deny = node
                .grants
                .iter()
                .any(|&g| grants.get(g).is_some_and(|g| g.effect == Effect::Deny));
        }
        self.grant_holders = vec![Vec::new(); self.grants.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            for &g in &node.grants {
                if let Some(h) = self.grant_holders.get_mut(g) {
                    h.push(n);
                }
            }
        }
        for (g, grant) in self.grants.iter().enumerate() {
            if grant.effect == Effect::Deny {
                continue;
            }
            if self.grant_holders.get(g).is_none_or(|h| h.is_empty()) {
                continue;
            }
            for gp in &grant.patterns {
                let id = self.pattern_grant.len() as u32;
                self.pattern_grant.push(g);
                if grant.not_resource {
                    self.index.insert_broad(id);
                } else {
                    self.index.insert(&gp.pattern, id);
                }
            }
        }
        self.index.finish();
    }

    fn instance_profiles(&mut self) {
        for ip in &self.inv.instance_profiles {
            for r in self.roles_named(&ip.role) {
                if let Some(n) = self.nodes.get_mut(r) {
                    n.instance_profile.get_or_insert(ip.decl.span);
                }
            }
        }
    }

    /// Who may assume `target` through an account entry: (principal, how sure, grant, notes), principals
    /// ascending. Identity denies are applied.
    fn identity_matches(&mut self, target: usize) -> Vec<Admitter> {
        if let Some(v) = self.identity_cache.get(&target) {
            return v.clone();
        }
        let Some(t) = self.nodes.get(target).and_then(|n| n.arn_text.clone()) else {
            return Vec::new();
        };
        let mut cand = Vec::new();
        self.index.candidates(&t, &mut cand);
        let mut gids: Vec<usize> = cand
            .iter()
            .filter_map(|&p| self.pattern_grant.get(p as usize).copied())
            .collect();
        gids.sort_unstable();
        gids.dedup();
        let mut best: HashMap<usize, (Match, usize, Vec<String>)> = HashMap::new();
        for g in gids {
            let Some(grant) = self.grants.get(g) else {
                continue;
            };
            let (m, mut notes) = grant.applies(&t, ACT_ASSUME);
            if m == Match::No {
                continue;
            }
            notes = notes.into_iter().map(|l| format!("when {l}")).collect();
            notes.extend(
                grant
                    .conditions
                    .iter()
                    .map(|c| format!("identity policy condition {c}")),
            );
            notes.extend(grant.guards.iter().map(|l| format!("when {l}")));
            for &h in self.grant_holders.get(g).map(Vec::as_slice).unwrap_or(&[]) {
                let better = match best.get(&h) {
                    None => true,
                    Some((bm, _, bn)) => m > *bm || (m == *bm && notes.len() < bn.len()),
                };
                if better {
                    best.insert(h, (m, g, notes.clone()));
                }
            }
        }
        let mut out: Vec<Admitter> = Vec::with_capacity(best.len());
        for (h, (m, g, mut notes)) in best {
            let (deny, deny_notes) = self.identity_deny(h, &t);
            if deny == Match::Yes {
                continue;
            }
            let m = if deny == Match::Maybe {
                m.and(Match::Maybe)
            } else {
                m
            };
            notes.extend(deny_notes);
            out.push(Admitter {
                who: h,
                sure: m,
                grant: g,
                notes,
            });
        }
        out.sort_by_key(|x| x.who);
        self.identity_cache.insert(target, out.clone());
        out
    }

    /// Whether the principal's own identity policies deny assuming `t`.
    fn identity_deny(&self, who: usize, t: &PrincipalArn) -> (Match, Vec<String>) {
        let mut m = Match::No;
        let mut notes = Vec::new();
        let Some(n) = self.nodes.get(who).filter(|n| n.has_deny) else {
            return (m, notes);
        };
        for &g in &n.grants {
            let Some(grant) = self.grants.get(g) else {
                continue;
            };
            if grant.effect != Effect::Deny {
                continue;
            }
            let (dm, _) = grant.applies(t, ACT_ASSUME);
            if dm == Match::No {
                continue;
            }
            if !grant.conditions.is_empty() {
                let pol = self
                    .policies
                    .get(grant.policy)
                    .map(|p| p.name.as_str())
                    .unwrap_or("");
                notes.push(format!(
                    "unless identity policy \"{pol}\" denies it when {}",
                    grant.conditions.join(" and ")
                ));
                continue;
            }
            m = m.or(dm);
        }
        (m, notes)
    }

    // ---------------------------------------------------------------- trust side

    fn account_of(&self, a: &AccountRef) -> Account {
        Account::from_ref(a, &self.opts.this_accounts)
    }

    /// Whether a principal of account `a` is in the deploying account. A literal account ID is possibly
    /// this account only when the scan's identity policies name roles in it (`Resource:
    /// arn:aws:iam::111111111111:role/…`): a policy written for this deployment. Other literal IDs are other
    /// accounts, so a vendor's or a CI account's ID never ties this account's principals to trust entries.
    fn is_this(&self, a: &Account) -> Match {
        match a {
            Account::This => Match::Yes,
            Account::Id(id) if self.maybe_this.contains(id) => Match::Maybe,
            Account::Id(_) => Match::No,
            Account::Unknown | Account::Any => Match::Maybe,
        }
    }

    /// What a trust principal entry refers to. `target` is the role whose trust is read: a literal ARN that
    /// may name the role itself in another account is not taken to be a self-reference.
    fn resolve(&self, e: &PrincipalEntry, target: usize) -> Resolved {
        match &e.principal {
            Principal::Wildcard => Resolved::Wildcard,
            Principal::Account { account } => match self.account_of(account) {
                Account::Any => Resolved::Wildcard,
                a => Resolved::Account(a),
            },
            Principal::Role {
                account,
                path,
                name,
            } => {
                if has_placeholder(name) || has_placeholder(path) {
                    return match name_ref(&e.value) {
                        Some(k) => self.resolve_key(k, true),
                        None => Resolved::Unresolved,
                    };
                }
                let acct = self.account_of(account);
                if acct == Account::Any {
                    return Resolved::Nothing;
                }
                let path = normalize_path(path);
                let sure = self.is_this(&acct);
                let hits: Vec<(usize, Match)> = self
                    .role_by_path_name
                    .get(&(path.clone(), name.clone()))
                    .map(|v| {
                        v.iter()
                            .filter(|&&h| {
                                sure != Match::No && !(sure == Match::Maybe && h == target)
                            })
                            .map(|&h| (h, sure))
                            .collect()
                    })
                    .unwrap_or_default();
                if !hits.is_empty() {
                    return Resolved::Scanned(hits, None);
                }
                let certain = acct == Account::This;
                Resolved::Node(
                    Spec {
                        id: format!("external-role:{}:{}{}", acct.label(), path, name),
                        kind: NodeKind::ExternalRole,
                        name: name.clone(),
                        arn: Some(format!(
                            "arn:aws:iam::{}:role{}{}",
                            acct_arn(&acct),
                            path,
                            name
                        )),
                        account: acct,
                    },
                    certain,
                )
            }
            Principal::RoleRef { key } => self.resolve_key(key, true),
            Principal::User {
                account,
                path,
                name,
            } => {
                if has_placeholder(name) || has_placeholder(path) {
                    return match name_ref(&e.value) {
                        Some(k) => self.resolve_key(k, false),
                        None => Resolved::Unresolved,
                    };
                }
                let acct = self.account_of(account);
                if acct == Account::Any {
                    return Resolved::Nothing;
                }
                let path = normalize_path(path);
                let sure = self.is_this(&acct);
                let hits: Vec<(usize, Match)> = self
                    .user_by_path_name
                    .get(&(path.clone(), name.clone()))
                    .map(|v| {
                        v.iter()
                            .filter(|_| sure != Match::No)
                            .map(|&h| (h, sure))
                            .collect()
                    })
                    .unwrap_or_default();
                if !hits.is_empty() {
                    return Resolved::Scanned(hits, None);
                }
                let certain = acct == Account::This;
                Resolved::Node(
                    Spec {
                        id: format!("user:arn:{}:{}{}", acct.label(), path, name),
                        kind: NodeKind::User,
                        name: name.clone(),
                        arn: Some(format!(
                            "arn:aws:iam::{}:user{}{}",
                            acct_arn(&acct),
                            path,
                            name
                        )),
                        account: acct,
                    },
                    certain,
                )
            }
            Principal::UserRef { key } => self.resolve_key(key, false),
            Principal::AssumedRole {
                account,
                role,
                session,
            } => {
                let acct = self.account_of(account);
                let sure = self.is_this(&acct);
                let note = Some(format!("session \"{session}\" only"));
                let hits: Vec<(usize, Match)> = self
                    .role_by_name
                    .get(role)
                    .map(|v| {
                        v.iter()
                            .filter(|&&h| {
                                sure != Match::No && !(sure == Match::Maybe && h == target)
                            })
                            .map(|&h| (h, sure))
                            .collect()
                    })
                    .unwrap_or_default();
                if !hits.is_empty() {
                    return Resolved::Scanned(hits, note);
                }
                let certain = acct == Account::This;
                Resolved::Node(
                    Spec {
                        id: format!("external-role:{}:{}", acct.label(), role),
                        kind: NodeKind::ExternalRole,
                        name: role.clone(),
                        arn: Some(format!(
                            "arn:aws:sts::{}:assumed-role/{}/{}",
                            acct_arn(&acct),
                            role,
                            session
                        )),
                        account: acct,
                    },
                    certain,
                )
            }
            Principal::Service {
                name,
                region,
                suffix,
            } => {
                let full = match region {
                    Some(r) => format!("{name}.{r}.{suffix}"),
                    None => format!("{name}.{suffix}"),
                };
                Resolved::Node(
                    Spec {
                        id: format!("service:{full}"),
                        kind: NodeKind::Service,
                        name: full,
                        account: Account::Unknown,
                        arn: None,
                    },
                    true,
                )
            }
            Principal::Saml { account, name } => {
                let acct = self.account_of(account);
                Resolved::Node(
                    Spec {
                        id: format!("federated:saml:{}:{}", acct.label(), name),
                        kind: NodeKind::Federated,
                        name: format!("SAML {name}"),
                        arn: Some(format!(
                            "arn:aws:iam::{}:saml-provider/{}",
                            acct_arn(&acct),
                            name
                        )),
                        account: acct,
                    },
                    true,
                )
            }
            Principal::Oidc { account, host } => {
                let acct = self.account_of(account);
                Resolved::Node(
                    Spec {
                        id: format!("federated:oidc:{host}"),
                        kind: NodeKind::Federated,
                        name: host.clone(),
                        arn: Some(format!(
                            "arn:aws:iam::{}:oidc-provider/{}",
                            acct_arn(&acct),
                            host
                        )),
                        account: acct,
                    },
                    true,
                )
            }
            Principal::WebIdentity { provider } => Resolved::Node(
                Spec {
                    id: format!("federated:{provider}"),
                    kind: NodeKind::Federated,
                    name: provider.clone(),
                    account: Account::Unknown,
                    arn: None,
                },
                true,
            ),
            Principal::ProviderRef { resource, host } => {
                let host = host.clone().or_else(|| self.oidc_host(resource));
                let (id, name) = match host {
                    Some(h) => (format!("federated:oidc:{h}"), h),
                    None => (format!("federated:ref:{resource}"), resource.clone()),
                };
                Resolved::Node(
                    Spec {
                        id,
                        kind: NodeKind::Federated,
                        name,
                        account: Account::This,
                        arn: None,
                    },
                    true,
                )
            }
            Principal::Unresolved => Resolved::Unresolved,
            Principal::FederatedUser { .. }
            | Principal::UniqueId { .. }
            | Principal::Invalid { .. } => Resolved::Nothing,
        }
    }

    /// The host of a scanned OIDC provider referenced by resource (`aws_iam_openid_connect_provider.github`):
    /// its URL without the scheme, the form provider ARNs and condition keys use.
    fn oidc_host(&self, resource: &str) -> Option<String> {
        let mut hosts = self.inv.oidc_providers.iter().filter_map(|p| {
            let named = p.decl.address == resource
                || p.decl.key == resource
                || p.decl
                    .key
                    .rsplit_once("::")
                    .is_some_and(|(_, a)| a == resource);
            if !named {
                return None;
            }
            let url = p.url.as_ref()?.as_known()?;
            let host = url
                .strip_prefix("https://")
                .unwrap_or(url)
                .trim_end_matches('/');
            (!host.is_empty()).then(|| host.to_string())
        });
        let first = hosts.next()?;
        // Two providers with the same address in different modules: do not pick one.
        match hosts.next() {
            Some(other) if other != first => None,
            _ => Some(first),
        }
    }

    fn resolve_key(&self, key: &str, role: bool) -> Resolved {
        let hit = if role {
            self.role_by_key.get(key)
        } else {
            self.user_by_key.get(key)
        };
        match hit {
            Some(&h) => Resolved::Scanned(vec![(h, Match::Yes)], None),
            None => Resolved::Node(
                Spec {
                    id: format!("{}:{key}", if role { "external-role" } else { "user:ref" }),
                    kind: if role {
                        NodeKind::ExternalRole
                    } else {
                        NodeKind::User
                    },
                    name: crate::value::short_key(key).to_string(),
                    account: Account::This,
                    arn: None,
                },
                true,
            ),
        }
    }

    /// A statement's conditions prepared for [`Builder::conditions_for`]: patterns compiled and notes
    /// written once, not once per principal tried.
    fn compile_conditions(&mut self, stmt: &Statement) -> StmtConds {
        let items = stmt
            .conditions
            .iter()
            .map(|c| CondItem {
                note: format!("condition {}", describe::condition(c)),
                who: self.compile_identity_condition(c),
            })
            .collect();
        StmtConds { items }
    }

    /// Whether `stmt`'s conditions let the scanned principal `who` through: conditions on who the caller is
    /// (`aws:PrincipalArn`, `aws:PrincipalAccount`) are decided; the rest are returned as notes.
    fn conditions_for(&self, conds: &StmtConds, who: Option<usize>) -> (Match, Vec<String>) {
        let mut m = Match::Yes;
        let mut notes = Vec::new();
        let arn = who.and_then(|w| {
            let a = self.nodes.get(w)?.arn_text.as_ref()?;
            Some((w, a))
        });
        for c in &conds.items {
            match (arn, &c.who) {
                (Some((w, a)), Some(wc)) => m = m.and(wc.eval(w, a, &self.memo)),
                _ => notes.push(c.note.clone()),
            }
        }
        (m, notes)
    }

    /// Prepares a condition on the caller's identity; `None` when the condition is about something else.
    /// The keys are present in every signed request, so `…IfExists` and the set qualifiers reduce to plain
    /// membership.
    fn compile_identity_condition(&mut self, c: &Condition) -> Option<WhoCond> {
        use crate::policy::condition::OpBase::*;
        let key = c.key.as_known()?.to_ascii_lowercase();
        let is_arn = key == "aws:principalarn";
        let is_account = key == "aws:principalaccount";
        if !(is_arn || is_account) {
            return None;
        }
        let (positive, like) = match c.op.base {
            StringEquals | StringEqualsIgnoreCase => (true, false),
            StringLike | ArnEquals | ArnLike => (true, true),
            StringNotEquals | StringNotEqualsIgnoreCase => (false, false),
            StringNotLike | ArnNotEquals | ArnNotLike => (false, true),
            _ => return None,
        };
        let mut fixed = Match::No;
        let mut patterns = Vec::new();
        for v in &c.values {
            if is_arn {
                let p = Pattern::compile(&v.value, &self.opts.this_accounts, &|_| None);
                // `…Equals` takes `*` and `?` literally: no role or user ARN contains them.
                if like || !p.has_wildcards() {
                    patterns.push((self.memo.id(&p), p));
                }
            } else {
                let m = match (v.value.as_sym(), v.value.as_known()) {
                    (Some(Sym::ThisAccount), _) => Match::Yes,
                    (_, Some(a)) if self.opts.this_accounts.iter().any(|x| x == a) => Match::Yes,
                    (_, Some("*")) if like => Match::Yes,
                    _ => Match::Maybe,
                };
                fixed = fixed.or(m);
            }
        }
        Some(WhoCond {
            positive,
            fixed,
            patterns,
        })
    }

    /// Whether a Deny statement of the role's trust covers `who` (a node already in the graph).
    fn trust_deny(&self, role: usize, who: usize) -> (Match, Vec<String>) {
        let mut m = Match::No;
        let mut notes = Vec::new();
        let Some(doc) = self.role_trust(role) else {
            return (m, notes);
        };
        for (si, stmt) in doc.statements.iter().enumerate() {
            if stmt.effect != Effect::Deny {
                continue;
            }
            let act = crate::policy::semantics::ASSUME_ACTIONS
                .iter()
                .map(|a| action_match(stmt, a))
                .max()
                .unwrap_or(Match::No);
            if act == Match::No {
                continue;
            }
            let covers = match &stmt.not_principals {
                Some(np) => np
                    .entries
                    .iter()
                    .map(|e| self.entry_covers(e, who, role))
                    .max()
                    .unwrap_or(Match::No)
                    .negate(),
                None => stmt
                    .principal_entries()
                    .iter()
                    .map(|e| self.entry_covers(e, who, role))
                    .max()
                    .unwrap_or(Match::No),
            };
            let covers = covers.and(act);
            if covers == Match::No {
                continue;
            }
            if !stmt.conditions.is_empty() {
                let conds: Vec<String> = stmt.conditions.iter().map(describe::condition).collect();
                notes.push(format!(
                    "unless trust statement {} denies it when {}",
                    statement_label(stmt, si),
                    conds.join(" and ")
                ));
                continue;
            }
            m = m.or(covers);
        }
        (m, notes)
    }

    fn entry_covers(&self, e: &PrincipalEntry, who: usize, role: usize) -> Match {
        let Some(node) = self.nodes.get(who) else {
            return Match::No;
        };
        match self.resolve(e, role) {
            Resolved::Wildcard => Match::Yes,
            Resolved::Account(a) => match (&a, &node.account) {
                (x, y) if x == y && *x != Account::Unknown => Match::Yes,
                (Account::This, Account::Id(_)) | (Account::Id(_), Account::This) => Match::Maybe,
                (Account::Unknown, _) | (_, Account::Unknown) => Match::Maybe,
                _ => Match::No,
            },
            Resolved::Scanned(hits, _) => hits
                .iter()
                .filter(|(h, _)| *h == who)
                .map(|(_, m)| *m)
                .max()
                .unwrap_or(Match::No),
            Resolved::Node(spec, _) => {
                if spec.id == node.id {
                    Match::Yes
                } else {
                    Match::No
                }
            }
            Resolved::Unresolved => Match::Maybe,
            Resolved::Nothing => Match::No,
        }
    }

    fn role_trust(&self, role: usize) -> Option<&'a crate::policy::PolicyDocument> {
        let ri = self.nodes.get(role)?.role_index?;
        let r = self.inv.roles.get(ri)?;
        r.trust.as_ref().map(|t| &t.doc)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_edge(
        &mut self,
        from: usize,
        to: usize,
        kind: EdgeKind,
        span: Span,
        statement: usize,
        entry: Option<usize>,
        mut certain: bool,
        mut conditions: Vec<String>,
        grant: Option<usize>,
        trust_bits: u8,
    ) {
        if self.edges.len() >= self.opts.max_edges {
            self.truncated = true;
            return;
        }
        if matches!(kind, EdgeKind::TrustDirect | EdgeKind::TrustAccount) {
            // Two root modules or templates are one account only if they are deployed to the same one.
            if let (Some(a), Some(b)) = (
                self.nodes.get(from).and_then(|n| n.scope.as_ref()),
                self.nodes.get(to).and_then(|n| n.scope.as_ref()),
            ) {
                if a != b {
                    certain = false;
                    // Built in place: one edge in most gets this note, and `format!` would grow it twice.
                    const IF: &str = "if ";
                    const AND: &str = " and ";
                    const TAIL: &str = " are deployed to the same account";
                    let mut note = String::with_capacity(
                        IF.len() + a.len() + AND.len() + b.len() + TAIL.len(),
                    );
                    for part in [IF, a, AND, b, TAIL] {
                        note.push_str(part);
                    }
                    conditions.push(note);
                }
            }
        }
        let (deny, deny_notes) = self.trust_deny(to, from);
        if deny == Match::Yes {
            return;
        }
        if deny == Match::Maybe {
            certain = false;
        }
        conditions.extend(deny_notes);
        if matches!(kind, EdgeKind::TrustDirect) {
            if let Some(t) = self.nodes.get(to).and_then(|n| n.arn_text.as_ref()) {
                if self.nodes.get(from).is_some_and(|n| n.arn_text.is_some()) {
                    let (d, notes) = self.identity_deny(from, t);
                    if d == Match::Yes {
                        return;
                    }
                    if d == Match::Maybe {
                        certain = false;
                    }
                    conditions.extend(notes);
                }
            }
        }
        let identity_bits = match (kind, grant.and_then(|g| self.grants.get(g))) {
            (EdgeKind::TrustAccount, Some(g)) => g.actions,
            (EdgeKind::TrustAccount, None) => 0,
            _ => ACT_TAG_SESSION | ACT_SET_SOURCE_IDENTITY,
        };
        // Few conditions per edge: a quadratic dedup beats hashing. In place, first occurrences in order.
        let mut kept = 0usize;
        for j in 0..conditions.len() {
            let seen = conditions
                .get(j)
                .is_some_and(|c| conditions.get(..kept).unwrap_or(&[]).contains(c));
            if !seen {
                conditions.swap(kept, j); // ok: kept <= j < len
                kept += 1;
            }
        }
        conditions.truncate(kept);
        self.edges.push(Edge {
            from,
            to,
            kind,
            span,
            statement,
            entry,
            conditions,
            certain,
            grant,
            tag_session: trust_bits & identity_bits & ACT_TAG_SESSION != 0,
            set_source_identity: trust_bits & identity_bits & ACT_SET_SOURCE_IDENTITY != 0,
        });
    }

    /// Reads one role's trust document into edges.
    fn trust_of(&mut self, role: usize) {
        let Some(ri) = self.nodes.get(role).and_then(|n| n.role_index) else {
            return;
        };
        let Some(r) = self.inv.roles.get(ri) else {
            return;
        };
        let Some(trust) = &r.trust else {
            return;
        };
        let doc = &trust.doc;
        let mut summary = TrustSummary {
            unsure: !doc.unknowns.is_empty(),
            ..TrustSummary::default()
        };
        let role_guards = guard_labels(&r.decl.guards);
        let fallback = doc.span.or(trust.attr_span).unwrap_or(r.decl.span);
        for (si, stmt) in doc.statements.iter().enumerate() {
            let eff = effect_match(stmt);
            if eff == Match::No {
                continue;
            }
            if eff == Match::Maybe {
                summary.unsure = true;
            }
            let stmt_span = stmt.span.unwrap_or(fallback);
            let mut base_notes = role_guards.clone();
            base_notes.extend(guard_labels(&stmt.guards));
            let acts = StmtActions::of(stmt, eff);
            let conds = self.compile_conditions(stmt);
            let trust_bits = acts.bits;
            if let Some(np) = &stmt.not_principals {
                // IAM rejects NotPrincipal in trust policies (TL014); were it accepted, Allow with it would
                // admit everyone but the listed principals.
                let act = acts.aws;
                if act != Match::No {
                    summary.has_allow = true;
                    summary.non_role = true;
                    summary.not_ec2 = true;
                    let w = self.wildcard();
                    let mut notes = base_notes.clone();
                    let listed: Vec<String> =
                        np.entries.iter().map(|e| e.value.display()).collect();
                    notes.push(format!(
                        "NotPrincipal: everyone except {}",
                        listed.join(", ")
                    ));
                    notes.extend(
                        stmt.conditions
                            .iter()
                            .map(|c| format!("condition {}", describe::condition(c))),
                    );
                    let span = np.span.unwrap_or(stmt_span);
                    self.push_edge(
                        w,
                        role,
                        EdgeKind::TrustDirect,
                        span,
                        si,
                        None,
                        false,
                        notes,
                        None,
                        trust_bits,
                    );
                }
            }
            for (ei, e) in stmt.principal_entries().iter().enumerate() {
                let within = [
                    doc.span,
                    stmt.span,
                    stmt.principals.as_ref().and_then(|p| p.span),
                ];
                let span = use_site_span(&e.value, doc.span, &within).unwrap_or(stmt_span);
                let mut notes = base_notes.clone();
                notes.extend(guard_labels(&e.guards));
                self.admit(
                    role,
                    (stmt, &conds),
                    si,
                    ei,
                    e,
                    span,
                    notes,
                    acts,
                    &mut summary,
                );
            }
        }
        if let Some(n) = self.nodes.get_mut(role) {
            n.trust = summary;
        }
    }

    fn wildcard(&mut self) -> usize {
        self.intern(Spec {
            id: "*".into(),
            kind: NodeKind::Wildcard,
            name: "everyone (*)".into(),
            account: Account::Any,
            arn: None,
        })
    }

    /// One trust principal entry of an Allow statement.
    #[allow(clippy::too_many_arguments)]
    fn admit(
        &mut self,
        role: usize,
        (stmt, conds): (&Statement, &StmtConds),
        si: usize,
        ei: usize,
        e: &PrincipalEntry,
        span: Span,
        notes: Vec<String>,
        acts: StmtActions,
        summary: &mut TrustSummary,
    ) {
        let aws = acts.aws;
        let trust_bits = acts.bits;
        let resolved = self.resolve(e, role);
        let entry = Some(ei);
        match resolved {
            Resolved::Nothing => {}
            Resolved::Unresolved => {
                if aws != Match::No {
                    summary.has_allow = true;
                    summary.unsure = true;
                }
            }
            Resolved::Wildcard => {
                if aws == Match::No {
                    return;
                }
                summary.has_allow = true;
                summary.non_role = true;
                summary.not_ec2 = true;
                summary.unsure |= aws == Match::Maybe;
                let w = self.wildcard();
                let (_, cond_notes) = self.conditions_for(conds, None);
                let mut n = notes.clone();
                n.extend(cond_notes);
                self.push_edge(
                    w,
                    role,
                    EdgeKind::TrustDirect,
                    span,
                    si,
                    entry,
                    aws == Match::Yes,
                    n,
                    None,
                    trust_bits,
                );
                // A must-hold `aws:PrincipalArn` condition says which principals the wildcard admits: those in
                // the scan get their own (principal-level, so direct) edges.
                if pins_principal_arn(stmt) {
                    // Only the principals the condition's patterns can match; ascending like the nodes.
                    let candidates: Vec<usize> = conds
                        .pinned_candidates(&self.targets, &mut self.pinned)
                        .unwrap_or_else(|| (0..self.nodes.len()).collect())
                        .into_iter()
                        .filter(|&i| {
                            self.nodes
                                .get(i)
                                .is_some_and(|n| n.arn_text.is_some() && i != role)
                        })
                        .collect();
                    for c in candidates {
                        let (cm, cnotes) = self.conditions_for(conds, Some(c));
                        let m = cm.and(aws);
                        if m == Match::No {
                            continue;
                        }
                        // Room for the notes push_edge may add.
                        let mut n = Vec::with_capacity(notes.len() + cnotes.len() + 2);
                        n.extend(notes.iter().cloned());
                        n.extend(cnotes);
                        self.push_edge(
                            c,
                            role,
                            EdgeKind::TrustDirect,
                            span,
                            si,
                            entry,
                            m == Match::Yes,
                            n,
                            None,
                            trust_bits,
                        );
                    }
                }
            }
            Resolved::Account(acct) => {
                if aws == Match::No {
                    return;
                }
                summary.has_allow = true;
                summary.non_role = true;
                summary.not_ec2 = true;
                summary.unsure |= aws == Match::Maybe;
                // The principals of the account that the scan does not show.
                let acct_node = self.intern(Spec {
                    id: format!("account:{}", acct.label()),
                    kind: NodeKind::Account,
                    name: match &acct {
                        Account::This => "this account".into(),
                        Account::Id(id) => format!("account {id}"),
                        _ => "unknown account".into(),
                    },
                    arn: match &acct {
                        Account::Id(id) => Some(format!("arn:aws:iam::{id}:root")),
                        Account::This => Some("arn:aws:iam::<this account>:root".into()),
                        _ => None,
                    },
                    account: acct.clone(),
                });
                let (_, cond_notes) = self.conditions_for(conds, None);
                let mut n = notes.clone();
                n.push("needs an identity-policy Allow in that account".into());
                n.extend(cond_notes);
                self.push_edge(
                    acct_node,
                    role,
                    EdgeKind::TrustAccount,
                    span,
                    si,
                    entry,
                    false,
                    n,
                    None,
                    trust_bits,
                );
                // Scanned principals of this account whose identity policies allow sts:AssumeRole on the role.
                let sure = self.is_this(&acct);
                let mut maybe_note = Vec::new();
                if let Account::Id(id) = &acct {
                    maybe_note.push(format!(
                        "if {id} is the account these roles are deployed to"
                    ));
                }
                for Admitter {
                    who: p,
                    sure: im,
                    grant: g,
                    notes: gnotes,
                } in self.identity_matches(role)
                {
                    if p == role {
                        continue;
                    }
                    let (cm, cnotes) = self.conditions_for(conds, Some(p));
                    let m = sure.and(im).and(cm).and(aws);
                    if m == Match::No {
                        continue;
                    }
                    let mut n = notes.clone();
                    n.extend(maybe_note.iter().cloned());
                    n.extend(cnotes);
                    n.extend(gnotes);
                    self.push_edge(
                        p,
                        role,
                        EdgeKind::TrustAccount,
                        span,
                        si,
                        entry,
                        m == Match::Yes,
                        n,
                        Some(g),
                        trust_bits,
                    );
                }
            }
            Resolved::Scanned(hits, note) => {
                if aws == Match::No {
                    return;
                }
                summary.has_allow = true;
                summary.unsure |= aws == Match::Maybe;
                for (h, am) in hits {
                    let kind = self.nodes.get(h).map(|n| n.kind);
                    if kind == Some(NodeKind::Role) {
                        summary.roles.push(h);
                    } else {
                        summary.non_role = true;
                    }
                    summary.not_ec2 = true;
                    let (cm, cnotes) = self.conditions_for(conds, Some(h));
                    let m = am.and(cm).and(aws);
                    if m == Match::No {
                        continue;
                    }
                    let mut n = notes.clone();
                    if am == Match::Maybe {
                        if let Some(a) = e.principal.account() {
                            if let AccountRef::Id(id) = a {
                                n.push(format!(
                                    "if {id} is the account these roles are deployed to"
                                ));
                            } else {
                                n.push("if the unresolved account is the account these roles are deployed to".into());
                            }
                        }
                    }
                    n.extend(note.iter().cloned());
                    n.extend(cnotes);
                    self.push_edge(
                        h,
                        role,
                        EdgeKind::TrustDirect,
                        span,
                        si,
                        entry,
                        m == Match::Yes,
                        n,
                        None,
                        trust_bits,
                    );
                }
            }
            Resolved::Node(spec, certain) => {
                let (kind, act) = match spec.kind {
                    NodeKind::Service => (EdgeKind::Service, aws),
                    NodeKind::Federated => {
                        let act = match &e.principal {
                            Principal::Saml { .. } => acts.saml,
                            Principal::ProviderRef { .. } => acts.web.or(acts.saml),
                            _ => acts.web,
                        };
                        (EdgeKind::Federated, act)
                    }
                    _ => (EdgeKind::TrustDirect, aws),
                };
                if act == Match::No {
                    return;
                }
                summary.has_allow = true;
                summary.unsure |= act == Match::Maybe;
                match spec.kind {
                    NodeKind::ExternalRole => summary.not_ec2 = true,
                    NodeKind::Service if spec.name.starts_with("ec2.") => summary.ec2 = true,
                    _ => {
                        summary.non_role = true;
                        summary.not_ec2 = true;
                    }
                }
                let is_external_principal =
                    matches!(spec.kind, NodeKind::ExternalRole | NodeKind::User);
                let cross = is_external_principal && !certain;
                let n_idx = self.intern(spec);
                let (_, cond_notes) = self.conditions_for(conds, None);
                let mut n = notes;
                if cross {
                    n.push("needs an identity-policy Allow in the caller's account".into());
                }
                n.extend(cond_notes);
                let sure = act == Match::Yes && certain;
                self.push_edge(
                    n_idx, role, kind, span, si, entry, sure, n, None, trust_bits,
                );
            }
        }
    }

    fn finish(self) -> Graph {
        let Builder {
            mut nodes,
            mut edges,
            policies,
            grants,
            truncated,
            mut by_id,
            ..
        } = self;
        // Deterministic order: nodes by id (unique), edges by (from, to, kind, position). Nodes come in long
        // sorted runs (scanned principals, then the accounts and services they name): a merging sort.
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by(|&a, &b| {
            let ia = nodes.get(a).map(|n| n.id.as_str()).unwrap_or("");
            let ib = nodes.get(b).map(|n| n.id.as_str()).unwrap_or("");
            ia.cmp(ib)
        });
        let mut perm = vec![0usize; nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(p) = perm.get_mut(old) {
                *p = new;
            }
        }
        drop(order);
        // Nodes move to their places by swaps, without a second array of nodes.
        let mut place = perm.clone();
        for i in 0..nodes.len() {
            while let Some(&to) = place.get(i) {
                if to == i || to >= nodes.len() {
                    break;
                }
                nodes.swap(i, to);
                place.swap(i, to);
            }
        }
        let remap = |i: usize| perm.get(i).copied().unwrap_or(i);
        for n in &mut nodes {
            for r in &mut n.trust.roles {
                *r = remap(*r);
            }
            n.trust.roles.sort_unstable();
            n.trust.roles.dedup();
        }
        for e in &mut edges {
            e.from = remap(e.from);
            e.to = remap(e.to);
        }
        edges.sort_by(|a, b| {
            (a.from, a.to, a.kind, a.span, a.statement, a.entry).cmp(&(
                b.from,
                b.to,
                b.kind,
                b.span,
                b.statement,
                b.entry,
            ))
        });
        edges.dedup_by(|a, b| {
            a.from == b.from
                && a.to == b.to
                && a.kind == b.kind
                && a.statement == b.statement
                && a.entry == b.entry
        });
        let out = Adjacency::new(nodes.len(), &edges, |e| e.from);
        let inc = Adjacency::new(nodes.len(), &edges, |e| e.to);
        for i in by_id.values_mut() {
            *i = remap(*i);
        }
        let mut by_key = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            if let Some(k) = &n.key {
                by_key.insert(k.clone(), i);
            }
        }
        let mut seen = <foldhash::HashSet<_> as foldhash::HashSetExt>::new();
        let mut shared_names = <foldhash::HashSet<_> as foldhash::HashSetExt>::new();
        for n in nodes.iter().filter(|n| n.key.is_some()) {
            let k = (n.kind, n.name.clone());
            if !seen.insert(k.clone()) {
                shared_names.insert(k);
            }
        }
        Graph {
            nodes,
            edges,
            out,
            inc,
            by_id,
            by_key,
            policies,
            grants,
            truncated,
            shared_names,
        }
    }
}

/// Where a trust entry is written in the trust policy. Each part of the value is placed at the first of
/// its origin and the places it passed through (variables, locals, use sites) that lies inside the document,
/// statement or `Principal` element as written, else at its last hop (the outermost use site); the places are joined. A principal assembled
/// from locals points at the expression in the policy, not at the locals' definitions far above.
fn use_site_span(s: &Str, doc: Option<Span>, within: &[Option<Span>]) -> Option<Span> {
    let inside = |sp: &Span| {
        within
            .iter()
            .flatten()
            .any(|d| d.file == sp.file && d.start <= sp.start && sp.end <= d.end)
    };
    let mut out: Option<Span> = None;
    for p in &s.parts {
        let candidates = p.span().into_iter().chain(p.hops.iter().copied());
        // Where containers are only headers (an HCL `statement` block), the first place at or after the
        // document's start is the use site inside the block.
        let after_doc = |sp: &Span| doc.is_some_and(|d| d.file == sp.file && sp.start >= d.start);
        let chosen = candidates
            .clone()
            .find(|sp| inside(sp))
            .or_else(|| candidates.clone().find(|sp| after_doc(sp)))
            .or_else(|| p.hops.last().copied())
            .or_else(|| p.span());
        let Some(sp) = chosen else { continue };
        out = Some(match out {
            None => sp,
            Some(o) if o.file == sp.file => o.join(&sp),
            Some(o) => o,
        });
    }
    out
}

/// The scope part of a key (`scope::address`).
fn scope_of(key: &str) -> Option<String> {
    key.split_once("::").map(|(s, _)| s.to_string())
}

/// How an account reads inside an ARN in node attributes.
fn acct_arn(a: &Account) -> String {
    match a {
        Account::This => "<this account>".into(),
        Account::Id(id) => id.clone(),
        Account::Any => "*".into(),
        Account::Unknown => "<unknown>".into(),
    }
}

/// `"Sid"` or `#N` (1-based) for messages.
pub(crate) fn statement_label(stmt: &Statement, position: usize) -> String {
    match stmt.sid.as_ref().and_then(|s| s.as_known()) {
        Some(s) if !s.is_empty() => format!("\"{s}\""),
        _ => format!("#{}", position + 1),
    }
}

/// Whether the statement has a must-hold positive condition on `aws:PrincipalArn` (it names who).
fn pins_principal_arn(stmt: &Statement) -> bool {
    use crate::policy::condition::OpBase::*;
    stmt.conditions.iter().any(|c| {
        c.key
            .as_known()
            .is_some_and(|k| k.eq_ignore_ascii_case("aws:PrincipalArn"))
            && matches!(
                c.op.base,
                StringEquals | StringEqualsIgnoreCase | StringLike | ArnEquals | ArnLike
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp(a: usize, b: usize) -> Span {
        Span::new(FileId(0), a, b)
    }

    #[test]
    fn fast_action_matching_agrees_with_the_policy_module() {
        let actions = [
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            "sts:TagSession",
            "s3:GetObject",
            "sts",
        ];
        for p in [
            "*",
            "sts:*",
            "STS:assumerole",
            "sts:AssumeRole*",
            "sts:Assume?ole",
            "*:AssumeRole",
            "s",
            "",
        ] {
            for a in actions {
                assert_eq!(
                    action_pattern_matches(p, a),
                    crate::policy::semantics::action_matches(p, a),
                    "{p} vs {a}"
                );
            }
        }
    }

    #[test]
    fn trust_entries_point_at_their_use_site() {
        // `"arn:aws:iam::${local.acct}:root"` at 100..140 inside a document at 90..200; the local is
        // defined at 10..22 and used at 114..126.
        let s = Str::concat([
            &Str::lit("arn:aws:iam::", Some(sp(101, 114))),
            &Str::lit("111111111111", Some(sp(10, 22))).with_hop(sp(114, 126)),
            &Str::lit(":root", Some(sp(126, 131))),
        ]);
        assert_eq!(
            use_site_span(&s, Some(sp(90, 200)), &[]),
            Some(sp(101, 131))
        );
        // Containers that are only headers: the first place after the document's start wins over the
        // reference to the whole document (`data.x.json` at 300..311).
        let d = Str::lit("111111111111", Some(sp(10, 22)))
            .with_hop(sp(150, 160))
            .with_hop(sp(300, 311));
        assert_eq!(
            use_site_span(&d, Some(sp(90, 100)), &[Some(sp(120, 129))]),
            Some(sp(150, 160))
        );
        // Nothing after the document: the outermost use site.
        assert_eq!(
            use_site_span(&d, Some(sp(400, 410)), &[]),
            Some(sp(300, 311))
        );
    }

    /// Nodes come out sorted by id and each node's edge lists hold exactly its edges, in edge order, whatever
    /// order the roles were declared in.
    #[test]
    fn nodes_are_ordered_and_edge_lists_match_the_edges() {
        let this = |n: &str| format!("arn:aws:iam::{}:role/{n}", testing::THIS);
        let (zed, alpha, mid) = (
            testing::trust(&this("alpha")),
            testing::service("lambda.amazonaws.com"),
            testing::trust(&this("zed")),
        );
        let both = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole",
                "Principal":{{"AWS":["{}","{}"],"Service":"ec2.amazonaws.com"}}}}]}}"#,
            this("zed"),
            this("mid")
        );
        let inv = testing::inventory(&[
            ("zed", "/", zed.as_str(), None),
            ("mid", "/", mid.as_str(), None),
            ("alpha", "/", alpha.as_str(), None),
            ("both", "/", both.as_str(), None),
        ]);
        let g = Graph::build(&inv);
        let ids: Vec<&str> = g.nodes().iter().map(|n| n.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(g.edges().len() >= 5, "{:?}", g.edges());
        for (n, id) in ids.iter().enumerate() {
            let out: Vec<usize> = (0..g.edges().len())
                .filter(|&i| g.edges()[i].from == n)
                .collect();
            let inc: Vec<usize> = (0..g.edges().len())
                .filter(|&i| g.edges()[i].to == n)
                .collect();
            assert_eq!(g.out_edges(n), out.as_slice(), "out of {id}");
            assert_eq!(g.in_edges(n), inc.as_slice(), "into {id}");
            assert_eq!(g.node_by_id(id), Some(n));
        }
        for (i, n) in g.nodes().iter().enumerate() {
            if let Some(k) = &n.key {
                assert_eq!(g.node_by_key(k), Some(i));
            }
        }
        assert!(g.out_edges(g.nodes().len()).is_empty());
        assert!(g.in_edges(usize::MAX).is_empty());
    }

    #[test]
    fn principal_arn_conditions_on_a_wildcard_admit_exactly_the_principals_they_match() {
        use testing::THIS;
        let patterns = [
            format!("arn:aws:iam::{THIS}:role/team/*"),
            "arn:aws:iam::222222222222:role/ops-?".to_string(),
            "arn:aws:iam::*:role/deploy".to_string(),
            format!("arn:aws:iam::{THIS}:role/lonely"),
            "arn:*:iam::*:role/*/ci-*".to_string(),
        ];
        let list = patterns
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(",");
        let hub = format!(
            r#"{{"Version":"2012-10-17","Statement":[
                {{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"AWS":"*"}},
                  "Condition":{{"ArnLike":{{"aws:PrincipalArn":[{list}]}}}}}},
                {{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"AWS":"*"}},
                  "Condition":{{"StringEquals":{{"aws:PrincipalArn":[{list}]}}}}}}]}}"#
        );
        let svc = testing::service("lambda.amazonaws.com");
        let mut roles: Vec<(String, String)> = Vec::new();
        for path in ["/", "/team/", "/team/x/", "/build/"] {
            for name in ["deploy", "ops-1", "ops-12", "ci-a", "lonely", "other"] {
                roles.push((
                    format!("{}{name}", path.replace('/', "_")),
                    path.to_string(),
                ));
            }
        }
        let mut specs: Vec<testing::RoleSpec> = vec![("hub", "/", hub.as_str(), None)];
        specs.extend(
            roles
                .iter()
                .map(|(n, p)| (n.as_str(), p.as_str(), svc.as_str(), None)),
        );
        let mut inv = testing::inventory(&specs);
        // The role names are the part after the last underscore; two roles get a generated name or an
        // unresolved path.
        for r in inv.roles.iter_mut().skip(1) {
            let full = r.decl.address.clone();
            let short = full.rsplit('_').next().unwrap_or(&full).to_string();
            r.name = Some(Str::lit(short, None));
        }
        if let Some(r) = inv.roles.get_mut(1) {
            r.name = None;
        }
        if let Some(r) = inv.roles.get_mut(2) {
            r.path = Some(Str::unknown(crate::value::Unknown::new(
                "var.path", "no value", None,
            )));
        }
        let graph = Graph::build_with(
            &inv,
            &GraphOptions {
                this_accounts: vec![THIS.into()],
                ..GraphOptions::default()
            },
        );
        let compiled: Vec<Pattern> = patterns
            .iter()
            .map(|p| Pattern::compile(&Str::lit(p.as_str(), None), &[THIS.into()], &|_| None))
            .collect();
        let mut expected: Vec<(String, usize, bool)> = Vec::new();
        for r in inv.roles.iter().skip(1) {
            let arn = PrincipalArn::new("role", &r.decl.key, r.path.as_ref(), r.name.as_ref());
            let like = compiled
                .iter()
                .map(|p| p.matches(&arn))
                .max()
                .unwrap_or(Match::No);
            let equals = compiled
                .iter()
                .filter(|p| !p.has_wildcards())
                .map(|p| p.matches(&arn))
                .max()
                .unwrap_or(Match::No);
            for (statement, m) in [(0, like), (1, equals)] {
                if m != Match::No {
                    expected.push((r.decl.key.clone(), statement, m == Match::Yes));
                }
            }
        }
        expected.sort();
        let Some(hub) = graph.node_by_key("t::hub") else {
            panic!("no hub node");
        };
        let mut got: Vec<(String, usize, bool)> = graph
            .in_edges(hub)
            .iter()
            .filter_map(|&e| graph.edge(e))
            .filter_map(|e| {
                let key = graph.node(e.from)?.key.clone()?;
                Some((key, e.statement, e.certain))
            })
            .collect();
        got.sort();
        assert_eq!(got, expected);
        // The cases are not trivial: some certain, some possible, some principals left out.
        assert!(expected.iter().any(|x| x.2) && expected.iter().any(|x| !x.2));
        assert!(expected.len() < 2 * roles.len(), "{expected:?}");
        assert!(expected.iter().any(|x| x.1 == 1));
    }
}
