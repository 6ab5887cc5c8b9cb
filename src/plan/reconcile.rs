//! One role per role: merging what a plan and the role's `.tf` source both describe (SPEC §1.2).
//!
//! When a scan holds a plan and the Terraform configuration it was made from, the Terraform front end and the
//! plan front end each produce the same roles. Here each plan item is matched to its `.tf` item by address
//! (exact, or the `.tf` resource not expanded when the plan has `count`/`for_each` instances) and by where the
//! plan sits relative to the `.tf` directory. The merged item keeps the **plan's values** (what Terraform
//! resolved), with **`.tf` locations**: a string whose value equals what the `.tf` source wrote takes the `.tf`
//! provenance; otherwise it points at the `.tf` expression that received the value (the corresponding string,
//! its interpolation, the attribute, or the resource header), narrowed to the differing part when a common
//! prefix and suffix are written literally. The plan location is kept as a hop (a SARIF related location).
//! When the plan only knows that a trust policy is unknown until apply and the `.tf` source resolved it
//! (symbolically or literally), the `.tf` document is kept: it knows more. The merged item keeps the `.tf` key
//! so references from other `.tf` items stay valid, and references to the plan key are renamed to it.

use super::address::Address;
use crate::model::{Decl, Frontend, InlinePolicy, Inventory, Role, Tags, Trust};
use crate::policy::principal::parse_principal;
use crate::policy::{Item, PolicyDocument, Statement};
use crate::source::{SourceMap, Span};
use crate::value::{Origin, Part, Str, Sym, Unknown, Value};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Applies `f` to every string of a document.
pub fn map_doc_strs(doc: &mut PolicyDocument, f: &mut dyn FnMut(&mut Str)) {
    if let Some(v) = &mut doc.version {
        f(v);
    }
    for st in &mut doc.statements {
        if let Some(s) = &mut st.sid {
            f(s);
        }
        for i in st.actions.iter_mut() {
            f(&mut i.value);
        }
        for list in [
            &mut st.not_actions,
            &mut st.resources,
            &mut st.not_resources,
        ]
        .into_iter()
        .flatten()
        {
            for i in list.iter_mut() {
                f(&mut i.value);
            }
        }
        for p in [&mut st.principals, &mut st.not_principals]
            .into_iter()
            .flatten()
        {
            for e in &mut p.entries {
                f(&mut e.value);
            }
        }
        for c in &mut st.conditions {
            f(&mut c.operator);
            f(&mut c.key);
            for v in &mut c.values {
                f(&mut v.value);
            }
        }
    }
}

/// Recomputes each principal's meaning from its (possibly re-keyed) string.
fn refresh_principals(doc: &mut PolicyDocument) {
    for st in &mut doc.statements {
        for p in [&mut st.principals, &mut st.not_principals]
            .into_iter()
            .flatten()
        {
            for e in &mut p.entries {
                e.principal = parse_principal(&e.kind, &e.value);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------

fn scope_of(key: &str) -> &str {
    key.rsplit_once("::").map(|(s, _)| s).unwrap_or("")
}

fn norm_dir(d: &str) -> &str {
    let d = d.trim_start_matches("./").trim_end_matches('/');
    if d == "." {
        ""
    } else {
        d
    }
}

fn parent_dir(path: &str) -> &str {
    norm_dir(path.rsplit_once('/').map(|(d, _)| d).unwrap_or(""))
}

fn inside(child: &str, parent: &str) -> bool {
    parent.is_empty()
        || child == parent
        || (child.starts_with(parent) && child.as_bytes().get(parent.len()) == Some(&b'/'))
}

/// How well a plan at directory `pd` fits a Terraform root at `td`.
fn dir_score(pd: &str, td: &str) -> u32 {
    if pd == td {
        3
    } else if inside(pd, td) || inside(td, pd) {
        2
    } else {
        1
    }
}

/// The address with every instance key removed.
fn unindexed(addr: &str) -> Option<String> {
    Address::parse(addr).map(|a| a.without_any_index())
}

/// Whether an instance key is a concrete value (`[0]`, `["a"]`) rather than a stand-in (`[each.key]`) for
/// instances the `.tf` source could not enumerate.
fn literal_key(k: &str) -> bool {
    let inner = k.trim_start_matches('[').trim_end_matches(']');
    inner.starts_with('"') || (!inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()))
}

/// The `.tf` address stands for any instance when none of its keys is concrete.
fn generic(addr: &str) -> Option<String> {
    let a = Address::parse(addr)?;
    let concrete = a
        .modules
        .iter()
        .filter_map(|m| m.key.as_deref())
        .chain(a.index.as_deref())
        .any(literal_key);
    (!concrete).then(|| a.without_any_index())
}

/// Pairs (plan item, terraform item) by address and location. `names` break ties (same IAM name).
fn match_decls(
    plan: &[(&Decl, Option<&str>)],
    tf: &[(&Decl, Option<&str>)],
) -> Vec<(usize, usize)> {
    let mut by_addr: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_unindexed: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, (d, _)) in tf.iter().enumerate() {
        by_addr.entry(d.address.as_str()).or_default().push(j);
        if let Some(u) = generic(&d.address) {
            by_unindexed.entry(u).or_default().push(j);
        }
    }
    let mut out = Vec::new();
    for (i, (p, pname)) in plan.iter().enumerate() {
        let cands: Vec<usize> = match by_addr.get(p.address.as_str()) {
            Some(c) => c.clone(),
            None => match unindexed(&p.address).and_then(|u| by_unindexed.get(&u)) {
                Some(c) => c.clone(),
                None => continue,
            },
        };
        let pd = parent_dir(scope_of(&p.key));
        let score = |j: usize| -> u32 {
            let Some((d, tname)) = tf.get(j) else {
                return 0;
            };
            let td = norm_dir(scope_of(&d.key));
            let same_name = pname.is_some() && *pname == *tname;
            dir_score(pd, td) * 2 + u32::from(same_name)
        };
        let best = cands.iter().map(|&j| score(j)).max().unwrap_or(0);
        let top: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&j| score(j) == best)
            .collect();
        if let [only] = top.as_slice() {
            out.push((i, *only));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// Moving plan values onto .tf locations
// ---------------------------------------------------------------------------------------------------------

/// One unit of text for comparison: a character, or a placeholder with what it stands for.
#[derive(PartialEq)]
enum Unit<'s> {
    Char(char),
    Sym(&'s Sym),
    Unknown,
}

fn units(s: &Str) -> Vec<(usize, usize, Unit<'_>)> {
    s.text
        .char_indices()
        .map(|(i, c)| {
            let end = i + c.len_utf8();
            let origin = s
                .parts
                .iter()
                .find(|p| p.start as usize <= i && (p.end as usize) >= end)
                .map(|p| &p.origin);
            let u = match origin {
                Some(Origin::Sym(sym, _)) => Unit::Sym(sym),
                Some(Origin::Unknown(_)) => Unit::Unknown,
                _ => Unit::Char(c),
            };
            (i, end, u)
        })
        .collect()
}

/// Whether two strings say the same (same characters, same symbols; unknowns never equal).
pub fn same_value(a: &Str, b: &Str) -> bool {
    if a.text != b.text {
        return false;
    }
    let (ua, ub) = (units(a), units(b));
    ua.len() == ub.len()
        && ua
            .iter()
            .zip(&ub)
            .all(|(x, y)| x.2 == y.2 && x.2 != Unit::Unknown)
}

/// The plan string `p` re-homed at `at` (every part's span), the plan spans kept as hops.
fn relocate(p: &Str, at: Option<Span>) -> Str {
    let parts = p
        .parts
        .iter()
        .map(|part| {
            let mut hops = part.hops.clone();
            if let Some(sp) = part.span() {
                if !hops.contains(&sp) {
                    hops.push(sp);
                }
            }
            let origin = match &part.origin {
                Origin::Lit { .. } => Origin::Lit {
                    span: at,
                    exact: false,
                },
                Origin::Sym(s, _) => Origin::Sym(s.clone(), at),
                Origin::Unknown(u) => Origin::Unknown(Unknown {
                    span: at,
                    ..u.clone()
                }),
            };
            Part {
                start: part.start,
                end: part.end,
                origin,
                hops,
            }
        })
        .collect();
    Str {
        text: p.text.clone(),
        parts,
    }
}

/// The `.tf` string `t` carrying the plan string's location as a hop.
fn with_plan_hop(t: &Str, p: &Str) -> Str {
    let mut out = t.clone();
    if let Some(sp) = p.span() {
        out = out.with_hop(sp);
    }
    out
}

/// The plan string `p` with `.tf` locations, given the `.tf` string `t` that received it (if known) and a
/// fallback span (attribute, document, resource header).
pub fn transfer(p: &Str, t: Option<&Str>, fallback: Option<Span>) -> Str {
    let Some(t) = t else {
        return relocate(p, fallback);
    };
    if same_value(p, t) {
        return with_plan_hop(t, p);
    }
    // Keep the literally equal prefix and suffix from the .tf string; the differing middle points at the .tf
    // text that produced it (an interpolation, a variable) with the plan location as a hop.
    let (up, ut) = (units(p), units(t));
    let mut pre = 0usize;
    while let (Some(a), Some(b)) = (up.get(pre), ut.get(pre)) {
        if a.2 != b.2 || a.2 == Unit::Unknown {
            break;
        }
        pre += 1;
    }
    let mut suf = 0usize;
    while suf + pre < up.len() && suf + pre < ut.len() {
        let (Some(a), Some(b)) = (up.get(up.len() - 1 - suf), ut.get(ut.len() - 1 - suf)) else {
            break;
        };
        if a.2 != b.2 || a.2 == Unit::Unknown {
            break;
        }
        suf += 1;
    }
    let byte = |u: &[(usize, usize, Unit)], i: usize, len: usize| -> usize {
        u.get(i).map(|x| x.0).unwrap_or(len)
    };
    let (p_mid_s, p_mid_e) = (
        byte(&up, pre, p.text.len()),
        byte(&up, up.len() - suf, p.text.len()),
    );
    let (t_mid_s, t_mid_e) = (
        byte(&ut, pre, t.text.len()),
        byte(&ut, ut.len() - suf, t.text.len()),
    );
    let mid_at = t
        .span_of(t_mid_s, t_mid_e.max(t_mid_s))
        .or_else(|| t.span())
        .or(fallback);
    let prefix = with_plan_hop(&t.slice(0, t_mid_s), &p.slice(0, p_mid_s));
    let middle = relocate(&p.slice(p_mid_s, p_mid_e), mid_at);
    let suffix = with_plan_hop(
        &t.slice(t_mid_e, t.text.len()),
        &p.slice(p_mid_e, p.text.len()),
    );
    Str::concat([&prefix, &middle, &suffix])
}

/// Picks the counterpart of `p` among `cands`: the same value, else the one at the same position.
fn counterpart<'t>(p: &Str, cands: &[&'t Str], pos: usize) -> Option<&'t Str> {
    cands
        .iter()
        .find(|c| same_value(p, c))
        .or_else(|| cands.get(pos))
        .copied()
}

fn transfer_items(p: &mut [Item], t: &[Item], fallback: Option<Span>) {
    let cands: Vec<&Str> = t.iter().map(|i| &i.value).collect();
    for (k, item) in p.iter_mut().enumerate() {
        let c = counterpart(&item.value, &cands, k);
        item.value = transfer(&item.value, c, fallback);
    }
}

fn transfer_opt_items(p: &mut Option<Vec<Item>>, t: Option<&Vec<Item>>, fallback: Option<Span>) {
    if let Some(items) = p {
        transfer_items(items, t.map(Vec::as_slice).unwrap_or(&[]), fallback);
    }
}

fn transfer_statement(p: &mut Statement, t: Option<&Statement>, doc_fallback: Option<Span>) {
    let fb = t.and_then(|t| t.span).or(doc_fallback);
    p.span = fb;
    p.effect_span = t.and_then(|t| t.effect_span).or(fb);
    p.resource_span = t.and_then(|t| t.resource_span).or(fb);
    if let Some(sid) = &mut p.sid {
        *sid = transfer(sid, t.and_then(|t| t.sid.as_ref()), fb);
    }
    transfer_items(
        &mut p.actions,
        t.map(|t| t.actions.as_slice()).unwrap_or(&[]),
        fb,
    );
    transfer_opt_items(
        &mut p.not_actions,
        t.and_then(|t| t.not_actions.as_ref()),
        fb,
    );
    transfer_opt_items(&mut p.resources, t.and_then(|t| t.resources.as_ref()), fb);
    transfer_opt_items(
        &mut p.not_resources,
        t.and_then(|t| t.not_resources.as_ref()),
        fb,
    );
    for (pp, tp) in [
        (&mut p.principals, t.and_then(|t| t.principals.as_ref())),
        (
            &mut p.not_principals,
            t.and_then(|t| t.not_principals.as_ref()),
        ),
    ] {
        let Some(pp) = pp else { continue };
        let pfb = tp.and_then(|x| x.span).or(fb);
        pp.span = pfb;
        let cands: Vec<&Str> = tp
            .map(|x| x.entries.iter().map(|e| &e.value).collect())
            .unwrap_or_default();
        let kinds: Vec<crate::policy::PrincipalType> =
            pp.entries.iter().map(|e| e.kind.clone()).collect();
        for (k, e) in pp.entries.iter_mut().enumerate() {
            // Prefer an entry of the same type at the same position when no value matches.
            let pos = kinds
                .get(..k)
                .unwrap_or(&[])
                .iter()
                .filter(|x| **x == e.kind)
                .count();
            let same_kind: Vec<&Str> = tp
                .map(|x| {
                    x.entries
                        .iter()
                        .filter(|te| te.kind == e.kind)
                        .map(|te| &te.value)
                        .collect()
                })
                .unwrap_or_default();
            let c = cands
                .iter()
                .find(|c| same_value(&e.value, c))
                .copied()
                .or_else(|| same_kind.get(pos).copied());
            e.value = transfer(&e.value, c, pfb);
        }
    }
    for c in &mut p.conditions {
        let tc = t.and_then(|t| {
            t.conditions
                .iter()
                .find(|tc| {
                    tc.operator.text == c.operator.text
                        && tc.key.text.eq_ignore_ascii_case(&c.key.text)
                })
                .or_else(|| {
                    t.conditions
                        .iter()
                        .find(|tc| tc.key.text.eq_ignore_ascii_case(&c.key.text))
                })
        });
        let cfb = tc.and_then(|x| x.span).or(fb);
        c.span = cfb;
        c.operator = transfer(&c.operator, tc.map(|x| &x.operator), cfb);
        c.key = transfer(&c.key, tc.map(|x| &x.key), cfb);
        transfer_items(
            &mut c.values,
            tc.map(|x| x.values.as_slice()).unwrap_or(&[]),
            cfb,
        );
    }
}

/// The plan document `p` with `.tf` locations from `t` (matched statement by statement: by `Sid`, else by
/// position). `fallback` is where the `.tf` source sets the attribute.
pub fn transfer_doc(p: &mut PolicyDocument, t: Option<&PolicyDocument>, fallback: Option<Span>) {
    let fb = t.and_then(|t| t.span).or(fallback);
    p.span = fb;
    if let Some(v) = &mut p.version {
        *v = transfer(v, t.and_then(|t| t.version.as_ref()), fb);
    }
    for (k, st) in p.statements.iter_mut().enumerate() {
        let by_sid = st
            .sid
            .as_ref()
            .filter(|s| !s.text.is_empty())
            .and_then(|sid| {
                t.and_then(|t| {
                    t.statements
                        .iter()
                        .find(|x| x.sid.as_ref().is_some_and(|s| s.text == sid.text))
                })
            });
        let ts = by_sid.or_else(|| t.and_then(|t| t.statements.get(k)));
        transfer_statement(st, ts, fb);
    }
    for u in &mut p.unknowns {
        u.span = fb;
    }
    for pr in &mut p.problems {
        pr.span = fb;
    }
    refresh_principals(p);
}

/// How much of a document is unknown: its own unknowns and every unknown part of its strings.
fn unknown_count(d: &PolicyDocument) -> usize {
    let mut n = d.unknowns.len();
    let mut doc = d.clone();
    map_doc_strs(&mut doc, &mut |s| n += s.unknowns().count());
    n
}

fn transfer_opt_str(p: &mut Option<Str>, t: Option<&Str>, fallback: Option<Span>) {
    if let Some(s) = p {
        *s = transfer(s, t, fallback);
    }
}

fn transfer_value(v: &mut Value, t: Option<&Value>, fallback: Option<Span>) {
    match v {
        Value::Str(s) | Value::Number(s) => {
            *s = transfer(s, t.and_then(Value::as_str), fallback);
        }
        _ => {}
    }
}

fn merge_trust(p: Option<Trust>, t: Option<&Trust>, decl_span: Span) -> Option<Trust> {
    let attr = t.and_then(|t| t.attr_span).or(Some(decl_span));
    match (p, t) {
        // Where the plan does not know the whole document (unknown until apply, or rebuilt from a data source
        // read during apply), the .tf evaluation of the real expressions knows at least as much.
        (Some(pt), Some(tt))
            if unknown_count(&pt.doc) > 0
                && unknown_count(&tt.doc) <= unknown_count(&pt.doc)
                && !tt.doc.statements.is_empty() =>
        {
            Some(tt.clone())
        }
        (Some(mut pt), tt) => {
            transfer_doc(&mut pt.doc, tt.map(|x| &x.doc), attr);
            pt.attr_span = attr;
            Some(pt)
        }
        // The plan has no trust document for it (cannot happen for a valid plan): keep what the source says.
        (None, tt) => tt.cloned(),
    }
}

fn merge_inline(p: &mut [InlinePolicy], t: &[InlinePolicy], fallback: Span) {
    for (k, ip) in p.iter_mut().enumerate() {
        let ti = t
            .iter()
            .find(|x| match (&x.name, &ip.name) {
                (Some(a), Some(b)) => same_value(a, b),
                _ => false,
            })
            .or_else(|| t.get(k));
        let fb = ti.map(|x| x.decl.span).unwrap_or(fallback);
        transfer_opt_str(&mut ip.name, ti.and_then(|x| x.name.as_ref()), Some(fb));
        transfer_doc(&mut ip.doc, ti.map(|x| &x.doc), Some(fb));
        ip.decl.span = fb;
        if let Some(x) = ti {
            ip.decl.key = x.decl.key.clone();
        }
    }
}

fn merge_decl(p: &Decl, t: &Decl, keep_tf_key: bool) -> Decl {
    Decl {
        key: if keep_tf_key {
            t.key.clone()
        } else {
            p.key.clone()
        },
        address: p.address.clone(),
        span: t.span,
        frontend: Frontend::Plan,
        guards: Vec::new(),
    }
}

fn merge_role(p: &Role, t: &Role, keep_tf_key: bool) -> Role {
    let fb = Some(t.decl.span);
    let mut r = p.clone();
    r.decl = merge_decl(&p.decl, &t.decl, keep_tf_key);
    transfer_opt_str(
        &mut r.name,
        t.name.as_ref(),
        t.name.as_ref().and_then(Str::span).or(fb),
    );
    transfer_opt_str(
        &mut r.path,
        t.path.as_ref(),
        t.path.as_ref().and_then(Str::span).or(fb),
    );
    transfer_opt_str(
        &mut r.permissions_boundary,
        t.permissions_boundary.as_ref(),
        fb,
    );
    r.trust = merge_trust(p.trust.clone(), t.trust.as_ref(), t.decl.span);
    if let Some((v, span)) = &mut r.max_session_duration {
        let tv = t.max_session_duration.as_ref();
        let tspan = tv.map(|x| x.1).or(fb);
        transfer_value(v, tv.map(|x| &x.0), tspan);
        if let Some(s) = tspan {
            *span = s;
        }
    }
    if let Some(tags) = &mut r.tags {
        let t_tags = t.tags.as_ref();
        let tfb = t_tags.and_then(|x| x.span).or(fb);
        let cands: Vec<&Str> = t_tags.map(|x| x.keys.iter().collect()).unwrap_or_default();
        for k in tags.keys.iter_mut() {
            let c = cands.iter().find(|c| same_value(k, c)).copied();
            *k = transfer(k, c, tfb);
        }
        *tags = Tags {
            keys: std::mem::take(&mut tags.keys),
            complete: tags.complete,
            span: t_tags.and_then(|x| x.span),
        };
    }
    merge_inline(&mut r.inline_policies, &t.inline_policies, t.decl.span);
    let cands: Vec<&Str> = t.managed_policy_arns.iter().collect();
    for (k, a) in r.managed_policy_arns.iter_mut().enumerate() {
        let c = counterpart(a, &cands, k);
        *a = transfer(a, c, fb);
    }
    for u in &mut r.unknowns {
        u.span = fb;
    }
    r
}

// ---------------------------------------------------------------------------------------------------------
// Renaming keys
// ---------------------------------------------------------------------------------------------------------

fn rename_sym(sym: &mut Sym, renames: &HashMap<String, String>) {
    let key = match sym {
        Sym::RoleArn(k)
        | Sym::RoleName(k)
        | Sym::RoleUniqueId(k)
        | Sym::UserArn(k)
        | Sym::UserName(k)
        | Sym::GroupArn(k)
        | Sym::PolicyArn(k) => k,
        Sym::Attr { resource, .. } => resource,
        _ => return,
    };
    if let Some(n) = renames.get(key.as_str()) {
        *key = n.clone();
    }
}

fn rename_str(s: &mut Str, renames: &HashMap<String, String>) {
    for p in &mut s.parts {
        if let Origin::Sym(sym, _) = &mut p.origin {
            rename_sym(sym, renames);
        }
    }
}

fn rename_doc(d: &mut PolicyDocument, renames: &HashMap<String, String>) {
    map_doc_strs(d, &mut |s| rename_str(s, renames));
    refresh_principals(d);
}

fn rename_all(inv: &mut Inventory, renames: &HashMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    let r = renames;
    let opt = |s: &mut Option<Str>| {
        if let Some(s) = s {
            rename_str(s, r);
        }
    };
    for role in &mut inv.roles {
        opt(&mut role.name);
        opt(&mut role.path);
        opt(&mut role.permissions_boundary);
        if let Some(t) = &mut role.trust {
            rename_doc(&mut t.doc, r);
        }
        for ip in &mut role.inline_policies {
            rename_doc(&mut ip.doc, r);
        }
        role.managed_policy_arns
            .iter_mut()
            .for_each(|s| rename_str(s, r));
    }
    for u in &mut inv.users {
        u.inline_policies
            .iter_mut()
            .for_each(|ip| rename_doc(&mut ip.doc, r));
        u.managed_policy_arns
            .iter_mut()
            .for_each(|s| rename_str(s, r));
        u.groups.iter_mut().for_each(|s| rename_str(s, r));
    }
    for g in &mut inv.groups {
        g.inline_policies
            .iter_mut()
            .for_each(|ip| rename_doc(&mut ip.doc, r));
        g.managed_policy_arns
            .iter_mut()
            .for_each(|s| rename_str(s, r));
    }
    let target = |t: &mut crate::model::AttachTarget| match t {
        crate::model::AttachTarget::Role(s)
        | crate::model::AttachTarget::User(s)
        | crate::model::AttachTarget::Group(s) => rename_str(s, r),
    };
    for p in &mut inv.policies {
        rename_doc(&mut p.doc, r);
        p.attached_to.iter_mut().for_each(target);
    }
    for a in &mut inv.attachments {
        target(&mut a.target);
        rename_str(&mut a.policy_arn, r);
    }
    for s in &mut inv.standalone_trusts {
        rename_doc(&mut s.doc, r);
    }
    for ip in &mut inv.instance_profiles {
        rename_str(&mut ip.role, r);
    }
}

// ---------------------------------------------------------------------------------------------------------
// The pass
// ---------------------------------------------------------------------------------------------------------

/// Pairs plan and `.tf` items of one kind. Returns (plan index, tf index, whether the merged item takes the
/// `.tf` key) and records key renames.
fn pair_kind(
    decls: &[(&Decl, Option<&str>)],
    renames: &mut HashMap<String, String>,
) -> Vec<(usize, usize, bool)> {
    let plan: Vec<(usize, (&Decl, Option<&str>))> = decls
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| d.frontend == Frontend::Plan)
        .map(|(i, x)| (i, *x))
        .collect();
    let tf: Vec<(usize, (&Decl, Option<&str>))> = decls
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| d.frontend == Frontend::Terraform)
        .map(|(i, x)| (i, *x))
        .collect();
    if plan.is_empty() || tf.is_empty() {
        return Vec::new();
    }
    let pv: Vec<(&Decl, Option<&str>)> = plan.iter().map(|x| x.1).collect();
    let tv: Vec<(&Decl, Option<&str>)> = tf.iter().map(|x| x.1).collect();
    let mut seen_tf: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (pi, ti) in match_decls(&pv, &tv) {
        let (Some(&(p_idx, (pd, _))), Some(&(t_idx, (td, _)))) = (plan.get(pi), tf.get(ti)) else {
            continue;
        };
        // The first plan item matched to a .tf item takes its key; others (several plans of one
        // configuration, expanded instances of one .tf resource) keep theirs.
        let keep = seen_tf.insert(t_idx);
        if keep {
            renames.insert(pd.key.clone(), td.key.clone());
        }
        out.push((p_idx, t_idx, keep));
    }
    out
}

/// Generic merge for items whose only content is the declaration and a few strings.
fn merge_simple<T: Clone>(
    items: &mut Vec<T>,
    decl: impl Fn(&T) -> &Decl,
    name: impl Fn(&T) -> Option<&str>,
    merge: impl Fn(&T, &T, bool) -> T,
    renames: &mut HashMap<String, String>,
) -> HashSet<String> {
    let decls: Vec<(&Decl, Option<&str>)> = items.iter().map(|x| (decl(x), name(x))).collect();
    let pairs = pair_kind(&decls, renames);
    let mut merged_addrs = HashSet::new();
    if pairs.is_empty() {
        return merged_addrs;
    }
    let mut drop: HashSet<usize> = HashSet::new();
    let mut replace: Vec<(usize, T)> = Vec::new();
    for (p, t, keep) in pairs {
        if let (Some(pi), Some(ti)) = (items.get(p), items.get(t)) {
            merged_addrs.insert(decl(pi).address.clone());
            replace.push((p, merge(pi, ti, keep)));
            drop.insert(t);
        }
    }
    for (p, item) in replace {
        if let Some(slot) = items.get_mut(p) {
            *slot = item;
        }
    }
    let mut k = 0usize;
    items.retain(|_| {
        let keep = !drop.contains(&k);
        k += 1;
        keep
    });
    merged_addrs
}

fn known_name(s: &Option<Str>) -> Option<&str> {
    s.as_ref().and_then(|n| n.as_known())
}

/// Merges items seen through both a plan and their `.tf` source (see the module documentation).
pub fn reconcile(inv: &mut Inventory, _sources: &SourceMap) {
    let has = |f: Frontend| {
        inv.roles.iter().any(|r| r.decl.frontend == f)
            || inv.policies.iter().any(|r| r.decl.frontend == f)
            || inv.users.iter().any(|r| r.decl.frontend == f)
            || inv.standalone_trusts.iter().any(|r| r.decl.frontend == f)
    };
    if !has(Frontend::Plan) || !has(Frontend::Terraform) {
        return;
    }
    // Files the plan front end produced items from: its diagnostics point into them.
    let plan_files: HashSet<crate::source::FileId> = inv
        .roles
        .iter()
        .map(|r| &r.decl)
        .chain(inv.policies.iter().map(|p| &p.decl))
        .chain(inv.users.iter().map(|u| &u.decl))
        .chain(inv.attachments.iter().map(|a| &a.decl))
        .chain(inv.standalone_trusts.iter().map(|s| &s.decl))
        .filter(|d| d.frontend == Frontend::Plan)
        .map(|d| d.span.file)
        .collect();
    let mut renames: HashMap<String, String> = HashMap::new();
    let mut merged: HashSet<String> = HashSet::new();
    merged.extend(merge_simple(
        &mut inv.roles,
        |r| &r.decl,
        |r| known_name(&r.name),
        merge_role,
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.users,
        |u| &u.decl,
        |u| known_name(&u.name),
        |p, t, keep| {
            let mut u = p.clone();
            u.decl = merge_decl(&p.decl, &t.decl, keep);
            let fb = Some(t.decl.span);
            transfer_opt_str(&mut u.name, t.name.as_ref(), fb);
            transfer_opt_str(&mut u.path, t.path.as_ref(), fb);
            merge_inline(&mut u.inline_policies, &t.inline_policies, t.decl.span);
            u
        },
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.groups,
        |g| &g.decl,
        |g| known_name(&g.name),
        |p, t, keep| {
            let mut g = p.clone();
            g.decl = merge_decl(&p.decl, &t.decl, keep);
            let fb = Some(t.decl.span);
            transfer_opt_str(&mut g.name, t.name.as_ref(), fb);
            transfer_opt_str(&mut g.path, t.path.as_ref(), fb);
            merge_inline(&mut g.inline_policies, &t.inline_policies, t.decl.span);
            g
        },
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.policies,
        |p| &p.decl,
        |p| known_name(&p.name),
        |p, t, keep| {
            let mut m = p.clone();
            m.decl = merge_decl(&p.decl, &t.decl, keep);
            let fb = Some(t.decl.span);
            transfer_opt_str(&mut m.name, t.name.as_ref(), fb);
            transfer_doc(&mut m.doc, Some(&t.doc), fb);
            if m.attached_to.is_empty() {
                m.attached_to = t.attached_to.clone();
            }
            m
        },
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.standalone_trusts,
        |s| &s.decl,
        |_| None,
        |p, t, keep| {
            let mut s = p.clone();
            s.decl = merge_decl(&p.decl, &t.decl, keep);
            transfer_doc(&mut s.doc, Some(&t.doc), Some(t.decl.span));
            s
        },
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.instance_profiles,
        |s| &s.decl,
        |_| None,
        |p, t, keep| {
            let mut s = p.clone();
            s.decl = merge_decl(&p.decl, &t.decl, keep);
            s.role = transfer(&p.role, Some(&t.role), Some(t.decl.span));
            s
        },
        &mut renames,
    ));
    merged.extend(merge_simple(
        &mut inv.oidc_providers,
        |s| &s.decl,
        |_| None,
        |p, t, keep| {
            let mut s = p.clone();
            s.decl = merge_decl(&p.decl, &t.decl, keep);
            let fb = Some(t.decl.span);
            transfer_opt_str(&mut s.url, t.url.as_ref(), fb);
            let cands: Vec<&Str> = t.client_ids.iter().collect();
            for (k, c) in s.client_ids.iter_mut().enumerate() {
                let tc = counterpart(c, &cands, k);
                *c = transfer(c, tc, fb);
            }
            s
        },
        &mut renames,
    ));
    merged.extend(merge_attachments(inv, &mut renames));
    // A resource merged into its .tf form is reported through the .tf front end's diagnostics; the plan's
    // TL901 notes about it would repeat them at the plan location.
    inv.diagnostics.retain(|d| match d {
        crate::model::Diagnostic::Unresolved {
            resource: Some(r),
            span,
            ..
        } => !(merged.contains(r) && plan_files.contains(&span.file)),
        _ => true,
    });
    rename_all(inv, &renames);
}

/// Attachments: one plan resource can produce several (one per target); match by address and target.
fn merge_attachments(
    inv: &mut Inventory,
    renames: &mut HashMap<String, String>,
) -> HashSet<String> {
    let decls: Vec<(&Decl, Option<&str>)> =
        inv.attachments.iter().map(|a| (&a.decl, None)).collect();
    let pairs = pair_kind(&decls, renames);
    let mut merged = HashSet::new();
    if pairs.is_empty() {
        return merged;
    }
    // Every .tf attachment with a matched address is replaced by the plan's.
    let mut tf_addrs: HashMap<String, Span> = HashMap::new();
    let mut tf_attach: HashMap<String, Vec<crate::model::Attachment>> = HashMap::new();
    let mut plan_addrs: HashSet<String> = HashSet::new();
    for (p, t, _) in &pairs {
        if let (Some(pa), Some(ta)) = (inv.attachments.get(*p), inv.attachments.get(*t)) {
            tf_addrs.insert(ta.decl.address.clone(), ta.decl.span);
            plan_addrs.insert(pa.decl.address.clone());
        }
    }
    let mut kept = Vec::with_capacity(inv.attachments.len());
    for a in std::mem::take(&mut inv.attachments) {
        if a.decl.frontend == Frontend::Terraform && tf_addrs.contains_key(&a.decl.address) {
            tf_attach.entry(a.decl.address.clone()).or_default().push(a);
        } else {
            kept.push(a);
        }
    }
    for a in &mut kept {
        if a.decl.frontend != Frontend::Plan || !plan_addrs.contains(&a.decl.address) {
            continue;
        }
        let Some(ts) = tf_attach.get(&a.decl.address) else {
            continue;
        };
        let Some(t) = ts
            .iter()
            .find(|t| same_value(target_str(&t.target), target_str(&a.target)))
            .or_else(|| ts.first())
        else {
            continue;
        };
        merged.insert(a.decl.address.clone());
        a.decl = merge_decl(&a.decl, &t.decl, true);
        let fb = Some(t.decl.span);
        a.policy_arn = transfer(&a.policy_arn, Some(&t.policy_arn), fb);
        let tt = target_str(&t.target).clone();
        match &mut a.target {
            crate::model::AttachTarget::Role(s)
            | crate::model::AttachTarget::User(s)
            | crate::model::AttachTarget::Group(s) => *s = transfer(s, Some(&tt), fb),
        }
    }
    inv.attachments = kept;
    merged
}

fn target_str(t: &crate::model::AttachTarget) -> &Str {
    match t {
        crate::model::AttachTarget::Role(s)
        | crate::model::AttachTarget::User(s)
        | crate::model::AttachTarget::Group(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp(f: u32, a: usize, b: usize) -> Option<Span> {
        Some(Span::new(FileId(f), a, b))
    }

    #[test]
    fn equal_values_take_tf_provenance_with_plan_hop() {
        let p = Str::lit("arn:aws:iam::111122223333:root", sp(1, 500, 530));
        let t = Str::lit("arn:aws:iam::111122223333:root", sp(0, 40, 70));
        let m = transfer(&p, Some(&t), sp(0, 0, 10));
        assert_eq!(m.text, p.text);
        assert_eq!(m.span(), sp(0, 40, 70));
        assert_eq!(
            m.hops_of(0, m.text.len()),
            vec![Span::new(FileId(1), 500, 530)]
        );
    }

    #[test]
    fn differing_middle_points_at_tf_interpolation() {
        // .tf: "arn:aws:iam::${var.acct}:root" with var.acct unknown; plan: the literal.
        let t = Str::concat([
            &Str::lit("arn:aws:iam::", sp(0, 10, 23)),
            &Str::unknown(Unknown::new("var.acct", "no value", sp(0, 23, 34))),
            &Str::lit(":root", sp(0, 34, 39)),
        ]);
        let p = Str::lit("arn:aws:iam::999988887777:root", sp(1, 100, 130));
        let m = transfer(&p, Some(&t), sp(0, 0, 5));
        assert_eq!(m.text, p.text);
        assert!(m.is_known());
        assert_eq!(m.span_of(13, 25), sp(0, 23, 34));
        assert_eq!(m.span_of(0, 3), sp(0, 10, 13));
        assert_eq!(m.hops_of(13, 25), vec![Span::new(FileId(1), 113, 125)]);
    }

    #[test]
    fn no_counterpart_relocates_to_fallback() {
        let p = Str::lit("sts:AssumeRole", sp(1, 5, 19));
        let m = transfer(&p, None, sp(0, 1, 2));
        assert_eq!(m.span(), sp(0, 1, 2));
        assert_eq!(m.hops_of(0, 3), vec![Span::new(FileId(1), 5, 19)]);
    }

    fn decl(key: &str, addr: &str, f: Frontend) -> Decl {
        Decl {
            key: key.into(),
            address: addr.into(),
            span: Span::default(),
            frontend: f,
            guards: vec![],
        }
    }

    fn role(d: Decl, name: &str) -> Role {
        Role {
            decl: d,
            name: Some(Str::lit(name, sp(0, 0, 1))),
            path: None,
            trust: None,
            max_session_duration: None,
            tags: None,
            inline_policies: vec![],
            managed_policy_arns: vec![],
            permissions_boundary: None,
            unknowns: vec![],
        }
    }

    #[test]
    fn merged_role_keeps_tf_key_and_plan_references_follow_it() {
        let mut inv = Inventory::default();
        let mut p = role(
            decl(
                "env/plan.json::aws_iam_role.a",
                "aws_iam_role.a",
                Frontend::Plan,
            ),
            "a",
        );
        p.decl.span = Span::new(FileId(1), 10, 24);
        let mut t = role(
            decl("env::aws_iam_role.a", "aws_iam_role.a", Frontend::Terraform),
            "a",
        );
        t.decl.span = Span::new(FileId(0), 100, 130);
        t.name = Some(Str::lit("a", sp(0, 140, 141)));
        inv.roles = vec![p, t];
        inv.instance_profiles.push(crate::model::InstanceProfile {
            decl: decl(
                "env/plan.json::aws_iam_instance_profile.a",
                "aws_iam_instance_profile.a",
                Frontend::Plan,
            ),
            role: Str::sym(
                Sym::RoleName("env/plan.json::aws_iam_role.a".into()),
                sp(1, 50, 60),
            ),
        });
        reconcile(&mut inv, &SourceMap::new());
        assert_eq!(inv.roles.len(), 1);
        let r = &inv.roles[0];
        assert_eq!(r.decl.key, "env::aws_iam_role.a");
        assert_eq!(r.decl.span, Span::new(FileId(0), 100, 130));
        assert_eq!(r.name.as_ref().and_then(Str::span), sp(0, 140, 141));
        assert_eq!(
            inv.instance_profiles[0].role.as_sym(),
            Some(&Sym::RoleName("env::aws_iam_role.a".into()))
        );
    }

    #[test]
    fn matching_prefers_same_directory_and_unexpanded_fallback() {
        let p1 = decl(
            "infra/plan.json::aws_iam_role.a",
            "aws_iam_role.a",
            Frontend::Plan,
        );
        let p2 = decl(
            "infra/plan.json::aws_iam_role.b[\"x\"]",
            "aws_iam_role.b[\"x\"]",
            Frontend::Plan,
        );
        let t_other = decl(
            "other::aws_iam_role.a",
            "aws_iam_role.a",
            Frontend::Terraform,
        );
        let t_same = decl(
            "infra::aws_iam_role.a",
            "aws_iam_role.a",
            Frontend::Terraform,
        );
        let t_b = decl(
            "infra::aws_iam_role.b",
            "aws_iam_role.b",
            Frontend::Terraform,
        );
        let plan = [(&p1, None), (&p2, None)];
        let tf = [(&t_other, None), (&t_same, None), (&t_b, None)];
        assert_eq!(match_decls(&plan, &tf), vec![(0, 1), (1, 2)]);
        // Two equally good candidates: no guess.
        let t_other2 = decl("x::aws_iam_role.a", "aws_iam_role.a", Frontend::Terraform);
        let tf2 = [(&t_other, None), (&t_other2, None)];
        assert!(match_decls(&plan[..1], &tf2).is_empty());
    }
}
