//! Gathering resource instances from `planned_values`, `resource_changes` and `prior_state` into one list, one
//! entry per address, so a resource that appears in several sections is analysed once.

use super::address::Address;
use super::schema::{offset_in, raw_string, Module, Plan};
use crate::source::{FileId, Span};
use foldhash::HashMap;
use serde_json::value::RawValue;

/// Modules nest once per module call; real configurations stay far below this.
const MAX_MODULE_DEPTH: usize = 64;

/// Where an instance's values were read from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Section {
    Planned,
    Change,
    Prior,
}

/// One resource instance of the plan.
pub struct Inst<'a> {
    pub address: String,
    pub addr: Address,
    /// The address string's content in the file (the declaration span of what is built from it).
    pub addr_span: Span,
    pub type_: String,
    pub data: bool,
    /// The values after apply (`planned_values[].values`, `resource_changes[].change.after`, or a data
    /// source's `prior_state` values).
    pub values: Option<&'a RawValue>,
    /// `after_unknown`, when the values come from `resource_changes`.
    pub unknown: Option<&'a RawValue>,
    pub section: Section,
}

/// Instances in order of first appearance.
#[derive(Default)]
pub struct Insts<'a> {
    pub list: Vec<Inst<'a>>,
    pub by_addr: HashMap<String, usize>,
    /// Address without the resource's instance key → instances (`aws_iam_role.r` → `r["a"]`, `r["b"]`).
    pub by_base: HashMap<String, Vec<usize>>,
    /// (parent module instance, call name) → instance keys of that call seen in the plan.
    pub module_keys: HashMap<(String, String), Vec<Option<String>>>,
}

impl<'a> Insts<'a> {
    pub fn get(&self, addr: &str) -> Option<&Inst<'a>> {
        self.by_addr.get(addr).and_then(|&i| self.list.get(i))
    }

    pub fn index_of(&self, addr: &str) -> Option<usize> {
        self.by_addr.get(addr).copied()
    }

    /// Fills `by_base` and `module_keys` once the list is final.
    fn index(&mut self) {
        self.by_base.clear();
        self.module_keys.clear();
        for (i, inst) in self.list.iter().enumerate() {
            self.by_base
                .entry(inst.addr.without_index())
                .or_default()
                .push(i);
            for n in 0..inst.addr.modules.len() {
                let parent = super::address::module_instance_string(
                    inst.addr.modules.get(..n).unwrap_or(&[]),
                );
                let Some(step) = inst.addr.modules.get(n) else {
                    continue;
                };
                let keys = self
                    .module_keys
                    .entry((parent, step.name.clone()))
                    .or_default();
                if !keys.contains(&step.key) {
                    keys.push(step.key.clone());
                }
            }
        }
    }
}

/// Problems found while collecting (addresses that do not parse).
pub struct Bad {
    pub message: String,
    pub span: Span,
}

fn span_of_raw(text: &str, file: FileId, raw: &RawValue) -> Span {
    match offset_in(text, raw.get()) {
        Some(off) => {
            let len = raw.get().len();
            if len >= 2 && raw.get().starts_with('"') {
                Span::new(file, off + 1, off + len - 1)
            } else {
                Span::new(file, off, off + len)
            }
        }
        None => Span::new(file, 0, 0),
    }
}

struct Collector<'a, 't> {
    text: &'t str,
    file: FileId,
    out: Insts<'a>,
    /// Addresses that `resource_changes` deletes: they do not exist after apply.
    deleted: Vec<String>,
    bad: Vec<Bad>,
}

impl<'a> Collector<'a, '_> {
    fn decode_addr(&mut self, raw: Option<&'a RawValue>) -> Option<(String, Address, Span)> {
        let raw = raw?;
        let span = span_of_raw(self.text, self.file, raw);
        let Some(s) = raw_string(raw) else {
            self.bad.push(Bad {
                message: "resource address is not a string".into(),
                span,
            });
            return None;
        };
        match Address::parse(&s) {
            Some(a) => Some((s, a, span)),
            None => {
                self.bad.push(Bad {
                    message: format!("cannot parse resource address {s:?}"),
                    span,
                });
                None
            }
        }
    }

    fn module(&mut self, m: &Module<'a>, section: Section, depth: usize) {
        if depth > MAX_MODULE_DEPTH {
            return;
        }
        for r in &m.resources.0 {
            let data = r.mode == "data";
            // prior_state only adds data sources: managed resources there are the old state.
            if section == Section::Prior && !data {
                continue;
            }
            let Some((address, addr, span)) = self.decode_addr(r.address) else {
                continue;
            };
            if self.out.by_addr.contains_key(&address) {
                continue;
            }
            self.push(Inst {
                address,
                addr,
                addr_span: span,
                type_: r.type_.to_string(),
                data,
                values: r.values,
                unknown: None,
                section,
            });
        }
        for c in m.child_modules.iter().flatten() {
            self.module(c, section, depth + 1);
        }
    }

    fn push(&mut self, inst: Inst<'a>) {
        self.out
            .by_addr
            .insert(inst.address.clone(), self.out.list.len());
        self.out.list.push(inst);
    }
}

/// Collects every relevant resource instance of the plan. `resource_changes` wins over `planned_values` for
/// the same address (it says which values are unknown); deleted resources are dropped; data sources read
/// during planning come from `prior_state`.
pub fn collect<'a>(plan: &Plan<'a>, text: &str, file: FileId) -> (Insts<'a>, Vec<Bad>) {
    let mut c = Collector {
        text,
        file,
        out: Insts::default(),
        deleted: Vec::new(),
        bad: Vec::new(),
    };
    if let Some(root) = plan
        .planned_values
        .as_ref()
        .and_then(|p| p.root_module.as_ref())
    {
        c.module(root, Section::Planned, 0);
    }
    for rc in plan.resource_changes.iter().flat_map(|r| r.0.iter()) {
        let Some((address, addr, span)) = c.decode_addr(rc.address) else {
            continue;
        };
        let Some(change) = &rc.change else { continue };
        let Some(after) = change.after else {
            // No values after apply: the resource is deleted (or forgotten).
            c.deleted.push(address);
            continue;
        };
        let inst = Inst {
            address: address.clone(),
            addr,
            addr_span: span,
            type_: rc.type_.to_string(),
            data: rc.mode == "data",
            values: Some(after),
            unknown: change.after_unknown,
            section: Section::Change,
        };
        match c.out.index_of(&address) {
            Some(i) => {
                if let Some(slot) = c.out.list.get_mut(i) {
                    *slot = inst;
                }
            }
            None => c.push(inst),
        }
    }
    if let Some(root) = plan
        .prior_state
        .as_ref()
        .and_then(|p| p.values.as_ref())
        .and_then(|v| v.root_module.as_ref())
    {
        c.module(root, Section::Prior, 0);
    }
    if !c.deleted.is_empty() {
        let deleted: foldhash::HashSet<String> = c.deleted.drain(..).collect();
        let list = std::mem::take(&mut c.out.list);
        c.out.by_addr.clear();
        for inst in list {
            if !deleted.contains(&inst.address) {
                c.push(inst);
            }
        }
    }
    c.out.index();
    (c.out, c.bad)
}

#[cfg(test)]
mod tests;
