//! Questions asked of the built graph: role chains (TL003), cycles, same-account direct trust that bypasses
//! an identity-policy restriction (TL030).
//!
//! Everything here is linear in nodes and edges: one multi-source breadth-first search gives every role its
//! shortest path from a non-role principal, Tarjan's algorithm (iterative, no recursion) finds cycles, and
//! chains are reported once per trust entry rather than once per path, so dense graphs cannot explode the
//! number of findings.

use super::identity::ACT_ASSUME;
use super::{Edge, Graph, Match, NodeKind};
use crate::policy::Effect;
use std::collections::{BTreeMap, VecDeque};

/// Longest path shown in a chain's code flow; longer ones are cut at the start.
pub const MAX_PATH_HOPS: usize = 12;

const UNSET: usize = usize::MAX;

/// A role chain ending at one trust entry: the shortest known path through it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// Edge indices from the first principal to the reported role, in order. The last edge is the hop that
    /// the reported trust entry allows; it has at least two hops.
    pub hops: Vec<usize>,
    /// The path was longer than [`MAX_PATH_HOPS`] and its start was cut.
    pub shortened: bool,
    /// Other assumable roles the same trust entry admits (node indices), besides the chain's previous role.
    pub others: Vec<usize>,
    /// The previous role's sessions come only from EC2 instance profiles: not chaining for AWS, no cap.
    pub ec2_exempt: bool,
    /// Every hop is certain.
    pub certain: bool,
}

impl Chain {
    /// The hop the reported trust entry allows.
    pub fn last(&self) -> usize {
        self.hops.last().copied().unwrap_or(0)
    }
}

/// A set of roles that can assume each other in a circle ("role juggling").
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle {
    /// One shortest cycle as edge indices; it starts and ends at the reported role, and the last edge is
    /// the trust entry the finding sits on.
    pub hops: Vec<usize>,
    /// Every role of the strongly connected component (node indices, ascending).
    pub members: Vec<usize>,
    /// The cycle rests on certain edges only.
    pub certain: bool,
}

/// A same-account direct trust whose caller's identity policies restrict `sts:AssumeRole` elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub struct Bypass {
    /// The `trust-direct` edge.
    pub edge: usize,
    /// The caller's grants that state an `sts:AssumeRole` restriction (grant indices).
    pub grants: Vec<usize>,
}

/// Strongly connected components of the role-to-role subgraph.
struct Sccs {
    comp: Vec<usize>,
    /// Per component: member count and whether it has a self-loop.
    size: Vec<usize>,
    self_loop: Vec<bool>,
}

impl Sccs {
    fn cyclic(&self, node: usize) -> bool {
        match self.comp.get(node) {
            Some(&c) if c != UNSET => {
                self.size.get(c).is_some_and(|&s| s > 1)
                    || self.self_loop.get(c).copied().unwrap_or(false)
            }
            _ => false,
        }
    }

    fn same(&self, a: usize, b: usize) -> bool {
        match (self.comp.get(a), self.comp.get(b)) {
            (Some(&x), Some(&y)) => x != UNSET && x == y,
            _ => false,
        }
    }
}

impl Graph {
    fn is_role(&self, n: usize) -> bool {
        self.node(n).is_some_and(|n| n.kind == NodeKind::Role)
    }

    fn role_edge(&self, e: &Edge) -> bool {
        self.is_role(e.from) && self.is_role(e.to)
    }

    /// Tarjan's algorithm over scanned roles and the edges `ok` accepts, without recursion.
    fn sccs(&self, ok: &dyn Fn(&Edge) -> bool) -> Sccs {
        let n = self.nodes.len();
        let mut index = vec![UNSET; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut comp = vec![UNSET; n];
        let mut size = Vec::new();
        let mut self_loop = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut counter = 0usize;
        let set = |v: &mut Vec<usize>, i: usize, x: usize| {
            if let Some(s) = v.get_mut(i) {
                *s = x;
            }
        };
        let get = |v: &Vec<usize>, i: usize| v.get(i).copied().unwrap_or(UNSET);
        for start in 0..n {
            if !self.is_role(start) || get(&index, start) != UNSET {
                continue;
            }
            let mut call: Vec<(usize, usize)> = vec![(start, 0)];
            set(&mut index, start, counter);
            set(&mut low, start, counter);
            counter += 1;
            stack.push(start);
            if let Some(s) = on_stack.get_mut(start) {
                *s = true;
            }
            while let Some(&(u, pos)) = call.last() {
                let outs = self.out_edges(u);
                if let Some(&ei) = outs.get(pos) {
                    if let Some(top) = call.last_mut() {
                        top.1 += 1;
                    }
                    let Some(e) = self.edge(ei) else { continue };
                    if !ok(e) || !self.is_role(e.to) {
                        continue;
                    }
                    let w = e.to;
                    if get(&index, w) == UNSET {
                        set(&mut index, w, counter);
                        set(&mut low, w, counter);
                        counter += 1;
                        stack.push(w);
                        if let Some(s) = on_stack.get_mut(w) {
                            *s = true;
                        }
                        call.push((w, 0));
                    } else if on_stack.get(w).copied().unwrap_or(false) {
                        let l = get(&low, u).min(get(&index, w));
                        set(&mut low, u, l);
                    }
                } else {
                    call.pop();
                    if let Some(&(p, _)) = call.last() {
                        let l = get(&low, p).min(get(&low, u));
                        set(&mut low, p, l);
                    }
                    if get(&low, u) == get(&index, u) {
                        let c = size.len();
                        let mut count = 0usize;
                        while let Some(w) = stack.pop() {
                            if let Some(s) = on_stack.get_mut(w) {
                                *s = false;
                            }
                            set(&mut comp, w, c);
                            count += 1;
                            if w == u {
                                break;
                            }
                        }
                        size.push(count);
                        self_loop.push(false);
                    }
                }
            }
        }
        for e in &self.edges {
            if e.from == e.to && ok(e) && self.is_role(e.from) {
                if let Some(s) = comp.get(e.from).and_then(|&c| self_loop.get_mut(c)) {
                    *s = true;
                }
            }
        }
        Sccs {
            comp,
            size,
            self_loop,
        }
    }

    /// Breadth-first search from every principal that is not a scanned role, over the edges `ok` accepts:
    /// the distance of each node and the edge that reaches it first. Sources and edges are visited in index
    /// order, so ties break deterministically.
    fn bfs(&self, ok: &dyn Fn(&Edge) -> bool) -> (Vec<usize>, Vec<usize>) {
        let n = self.nodes.len();
        let mut dist = vec![UNSET; n];
        let mut parent = vec![UNSET; n];
        let mut queue = VecDeque::new();
        for i in 0..n {
            let starts = self
                .out_edges(i)
                .iter()
                .any(|&ei| self.edge(ei).is_some_and(ok));
            if !self.is_role(i) && starts {
                if let Some(d) = dist.get_mut(i) {
                    *d = 0;
                }
                queue.push_back(i);
            }
        }
        while let Some(u) = queue.pop_front() {
            let du = dist.get(u).copied().unwrap_or(UNSET);
            for &ei in self.out_edges(u) {
                let Some(e) = self.edge(ei) else { continue };
                if !ok(e) {
                    continue;
                }
                if dist.get(e.to).copied() == Some(UNSET) {
                    if let Some(d) = dist.get_mut(e.to) {
                        *d = du.saturating_add(1);
                    }
                    if let Some(p) = parent.get_mut(e.to) {
                        *p = ei;
                    }
                    queue.push_back(e.to);
                }
            }
        }
        (dist, parent)
    }

    /// How each node is best reached from outside the scanned roles: a rank (paths of certain edges first,
    /// then shorter ones) and the edge to follow back. Certain paths are preferred so that a chain is shown
    /// from a principal that surely starts it (a scanned user) rather than from an account's unknown ones.
    fn reach(&self) -> (Vec<(bool, usize)>, Vec<usize>) {
        let (cdist, cparent) = self.bfs(&|e: &Edge| e.certain);
        let (adist, aparent) = self.bfs(&|_| true);
        let n = self.nodes.len();
        let mut rank = Vec::with_capacity(n);
        let mut parent = Vec::with_capacity(n);
        for i in 0..n {
            let c = cdist.get(i).copied().unwrap_or(UNSET);
            if c != UNSET {
                rank.push((false, c));
                parent.push(cparent.get(i).copied().unwrap_or(UNSET));
            } else {
                rank.push((true, adist.get(i).copied().unwrap_or(UNSET)));
                parent.push(aparent.get(i).copied().unwrap_or(UNSET));
            }
        }
        (rank, parent)
    }

    /// The path of edges to `node` along `parent`, at most `MAX_PATH_HOPS - 1` long (a hop is appended).
    fn path_to(&self, node: usize, parent: &[usize]) -> (Vec<usize>, bool) {
        let mut path = Vec::new();
        let mut cur = node;
        let mut shortened = false;
        while let Some(&ei) = parent.get(cur) {
            if ei == UNSET {
                break;
            }
            if path.len() + 1 >= MAX_PATH_HOPS {
                shortened = true;
                break;
            }
            path.push(ei);
            match self.edge(ei) {
                Some(e) => cur = e.from,
                None => break,
            }
        }
        path.reverse();
        (path, shortened)
    }

    /// Role chains (TL003): one per trust entry of a scanned role that admits a scanned role which can
    /// itself be assumed, with the shortest path through it. Hops inside a cycle are left to
    /// [`Graph::cycles`]. Service-linked roles are exempt.
    pub fn chains(&self) -> Vec<Chain> {
        let sccs = self.sccs(&|_| true);
        let (rank, parent) = self.reach();
        // (target, statement, entry) → hop edges whose source is an assumable role.
        let mut groups: BTreeMap<(usize, usize, Option<usize>), Vec<usize>> = BTreeMap::new();
        for (ei, e) in self.edges.iter().enumerate() {
            if !self.role_edge(e) || e.from == e.to || !self.assumable(e.from) {
                continue;
            }
            if self.node(e.to).is_some_and(|n| n.service_linked) {
                continue;
            }
            if sccs.cyclic(e.from) && sccs.same(e.from, e.to) {
                continue;
            }
            groups
                .entry((e.to, e.statement, e.entry))
                .or_default()
                .push(ei);
        }
        let mut out = Vec::with_capacity(groups.len());
        for hops in groups.into_values() {
            // The previous role closest to an outside principal; certain hops first, then node order.
            let best = hops.iter().copied().min_by_key(|&ei| {
                let e = self.edge(ei);
                let from = e.map(|e| e.from).unwrap_or(UNSET);
                let certain = e.is_some_and(|e| e.certain);
                (
                    rank.get(from).copied().unwrap_or((true, UNSET)),
                    !certain,
                    from,
                )
            });
            let Some(hop) = best else { continue };
            let Some(he) = self.edge(hop) else { continue };
            let prev = he.from;
            let reached = rank.get(prev).is_some_and(|r| r.1 != UNSET);
            let (mut path, shortened) = if reached {
                self.path_to(prev, &parent)
            } else {
                // Only roles reach it (through a cycle elsewhere): show one predecessor.
                let pred = self
                    .in_edges(prev)
                    .iter()
                    .copied()
                    .find(|&pi| {
                        self.edge(pi)
                            .is_some_and(|p| p.from != he.to && p.from != prev)
                    })
                    .or_else(|| self.in_edges(prev).first().copied());
                (pred.into_iter().collect(), false)
            };
            path.push(hop);
            if path.len() < 2 {
                continue;
            }
            let mut others: Vec<usize> = hops
                .iter()
                .filter_map(|&ei| self.edge(ei).map(|e| e.from))
                .filter(|&f| f != prev)
                .collect();
            others.sort_unstable();
            others.dedup();
            let certain = path
                .iter()
                .all(|&ei| self.edge(ei).is_some_and(|e| e.certain));
            out.push(Chain {
                hops: path,
                shortened,
                others,
                ec2_exempt: self.sessions_only_from_ec2(prev),
                certain,
            });
        }
        out
    }

    /// Cycles of roles that can assume each other (TL003 "role juggling"): one per strongly connected
    /// component. Components that hold with certain edges alone come first and are `certain`; components
    /// that need uncertain edges are reported separately, unless they overlap a certain one.
    pub fn cycles(&self) -> Vec<Cycle> {
        let mut out = Vec::new();
        let certain = self.sccs(&|e: &Edge| e.certain);
        let mut covered = vec![false; self.nodes.len()];
        self.collect_cycles(&certain, true, &mut covered, &mut out);
        let all = self.sccs(&|_| true);
        self.collect_cycles(&all, false, &mut covered, &mut out);
        out
    }

    fn collect_cycles(
        &self,
        sccs: &Sccs,
        certain_only: bool,
        covered: &mut [bool],
        out: &mut Vec<Cycle>,
    ) {
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (n, &c) in sccs.comp.iter().enumerate() {
            if c != UNSET && sccs.cyclic(n) {
                members.entry(c).or_default().push(n);
            }
        }
        let mut comps: Vec<Vec<usize>> = members.into_values().collect();
        comps.sort();
        for m in comps {
            if m.iter().any(|&n| covered.get(n).copied().unwrap_or(false)) {
                continue;
            }
            let Some(&start) = m.first() else { continue };
            if m.iter()
                .all(|&n| self.node(n).is_some_and(|n| n.service_linked))
            {
                continue;
            }
            let in_comp = |n: usize| sccs.same(n, start);
            let Some(hops) = self.shortest_cycle(start, &in_comp, certain_only) else {
                continue;
            };
            for &n in &m {
                if let Some(c) = covered.get_mut(n) {
                    *c = true;
                }
            }
            let certain = hops
                .iter()
                .all(|&ei| self.edge(ei).is_some_and(|e| e.certain));
            out.push(Cycle {
                hops,
                members: m,
                certain,
            });
        }
    }

    /// The shortest cycle through `start` inside a component (breadth-first, so bounded by its size).
    fn shortest_cycle(
        &self,
        start: usize,
        in_comp: &dyn Fn(usize) -> bool,
        certain_only: bool,
    ) -> Option<Vec<usize>> {
        let usable = |e: &Edge| (!certain_only || e.certain) && self.is_role(e.to) && in_comp(e.to);
        // A self-loop is the shortest cycle there is.
        if let Some(&ei) = self
            .out_edges(start)
            .iter()
            .find(|&&ei| self.edge(ei).is_some_and(|e| e.to == start && usable(e)))
        {
            return Some(vec![ei]);
        }
        let n = self.nodes.len();
        let mut parent = vec![UNSET; n];
        let mut seen = vec![false; n];
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        let mut queue = VecDeque::from([start]);
        while let Some(u) = queue.pop_front() {
            for &ei in self.out_edges(u) {
                let Some(e) = self.edge(ei) else { continue };
                if !usable(e) {
                    continue;
                }
                if e.to == start {
                    let mut path = vec![ei];
                    let mut cur = u;
                    while cur != start {
                        let &pe = parent.get(cur)?;
                        if pe == UNSET || path.len() > n {
                            return None;
                        }
                        path.push(pe);
                        cur = self.edge(pe)?.from;
                    }
                    path.reverse();
                    return Some(path);
                }
                if !seen.get(e.to).copied().unwrap_or(true) {
                    if let Some(s) = seen.get_mut(e.to) {
                        *s = true;
                    }
                    if let Some(p) = parent.get_mut(e.to) {
                        *p = ei;
                    }
                    queue.push_back(e.to);
                }
            }
        }
        None
    }

    /// Same-account direct trusts (TL030) whose caller's scanned identity policies restrict
    /// `sts:AssumeRole` to resources that do not include the role: AWS does not consult them, so the
    /// restriction does not apply. Only certain edges from scanned roles and users whose identity policies
    /// are all in the scan; a grant that might cover the role (or `*`) means no bypass.
    pub fn direct_trust_bypasses(&self) -> Vec<Bypass> {
        let mut out = Vec::new();
        for (ei, e) in self.edges.iter().enumerate() {
            if e.kind != super::EdgeKind::TrustDirect || !e.certain || e.from == e.to {
                continue;
            }
            let (Some(from), Some(to)) = (self.node(e.from), self.node(e.to)) else {
                continue;
            };
            if !matches!(from.kind, NodeKind::Role | NodeKind::User)
                || to.kind != NodeKind::Role
                || to.service_linked
            {
                continue;
            }
            if !from.identity_complete || from.account != super::Account::This {
                continue;
            }
            let (Some(target), true) = (to.arn_text.as_ref(), from.arn_text.is_some()) else {
                continue;
            };
            let mut restricting = Vec::new();
            let mut covered = false;
            for &g in &from.grants {
                let Some(grant) = self.grant(g) else { continue };
                if grant.effect == Effect::Deny {
                    continue;
                }
                let (m, _) = grant.applies(target, ACT_ASSUME);
                if m != Match::No {
                    covered = true;
                    break;
                }
                if grant.explicit_sts && grant.actions & ACT_ASSUME != 0 {
                    restricting.push(g);
                }
            }
            if covered || restricting.is_empty() {
                continue;
            }
            out.push(Bypass {
                edge: ei,
                grants: restricting,
            });
        }
        out
    }
}
