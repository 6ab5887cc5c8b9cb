//! The plan's `configuration` section: which expression set each attribute, and what its references point
//! at. Used for values that are unknown until apply, so they become symbols (`aws_iam_role.x.arn` is that role)
//! or TL901 unknowns naming the reference, never a silent pass.

use super::address::{join, module_instance_string, ModuleStep, Reference};
use super::collect::Insts;
use super::schema::{ConfigModule, ModuleCall, Plan};
use crate::source::{FileId, Span};
use crate::value::Sym;
use crate::value::Value;
use foldhash::{HashMap, HashMapExt};
use serde_json::value::RawValue;

const MAX_MODULE_DEPTH: usize = 64;
/// How many variable/output hops a reference is followed through.
const MAX_HOPS: usize = 16;

/// A step into a resource's values: an attribute/map key or a list position.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Seg<'p> {
    Key(&'p str),
    Idx(usize),
}

/// Module path (call names) → configuration module.
pub struct ConfigIndex<'a> {
    modules: HashMap<Vec<String>, &'a ConfigModule<'a>>,
    pub present: bool,
    /// The plan file (expressions are converted with spans into it).
    text: &'a str,
    file: FileId,
}

impl<'a> ConfigIndex<'a> {
    pub fn build(plan: &'a Plan<'a>, text: &'a str, file: FileId) -> ConfigIndex<'a> {
        let mut idx = ConfigIndex {
            modules: HashMap::new(),
            present: false,
            text,
            file,
        };
        if let Some(root) = plan
            .configuration
            .as_ref()
            .and_then(|c| c.root_module.as_ref())
        {
            idx.present = true;
            idx.walk(root, Vec::new(), 0);
        }
        idx
    }

    fn walk(&mut self, m: &'a ConfigModule<'a>, path: Vec<String>, depth: usize) {
        if depth > MAX_MODULE_DEPTH {
            return;
        }
        for (name, call) in m.module_calls.iter().flatten() {
            if let Some(child) = call.module.as_deref() {
                let mut p = path.clone();
                p.push(name.clone());
                self.walk(child, p, depth + 1);
            }
        }
        self.modules.insert(path, m);
    }

    pub fn module(&self, path: &[String]) -> Option<&'a ConfigModule<'a>> {
        self.modules.get(path).copied()
    }

    /// The call of the module at `path` (its last element) in its parent.
    pub fn call(&self, path: &[String]) -> Option<&'a ModuleCall<'a>> {
        let (name, parent) = path.split_last()?;
        self.module(parent)?.module_calls.as_ref()?.get(name)
    }

    /// A piece of the configuration as a value with spans into the plan file.
    pub fn value(&self, raw: &RawValue) -> Option<Value> {
        let base = super::schema::offset_in(self.text, raw.get())?;
        super::jsonval::to_value(raw.get(), base, self.file).ok()
    }

    /// The `expressions` of a resource block (`config_addr` without module prefix or key).
    pub fn resource_exprs(&self, path: &[String], config_addr: &str) -> Option<Value> {
        let m = self.module(path)?;
        let r = m.resources.0.iter().find(|r| r.address == config_addr)?;
        self.value(r.expressions?)
    }

    /// The `source` of a module call, as written (`./modules/role`).
    pub fn call_source(&self, path: &[String]) -> Option<String> {
        self.call(path)
            .and_then(|c| c.source)
            .and_then(super::schema::raw_string)
    }
}

fn is_expression(v: &Value) -> bool {
    v.as_map().is_some_and(|o| {
        o.is_empty() || v.get("references").is_some() || v.get("constant_value").is_some()
    })
}

/// The expression that set the attribute at `path` (or the nearest enclosing expression: a whole block list
/// set from a variable covers its elements).
pub fn expr_at<'v>(exprs: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut cur = exprs;
    for seg in path {
        if is_expression(cur) && !std::ptr::eq(cur, exprs) {
            return Some(cur);
        }
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Map(..)) => cur.get(k)?,
            (Seg::Idx(i), Value::List(a, _)) => a.get(*i)?,
            // A nested block written once in configuration and instantiated once.
            (Seg::Key(k), Value::List(a, _)) if a.len() == 1 => a.first()?.get(k)?,
            _ => return None,
        };
    }
    if is_expression(cur) {
        Some(cur)
    } else {
        None
    }
}

/// The references of an expression, as written in the configuration section (with their spans).
pub fn reference_strs(expr: &Value) -> Vec<crate::value::Str> {
    expr.get("references")
        .and_then(Value::as_list)
        .map(|a| a.iter().filter_map(|r| r.as_str().cloned()).collect())
        .unwrap_or_default()
}

/// The references of an expression.
pub fn references(expr: &Value) -> Vec<String> {
    reference_strs(expr).into_iter().map(|s| s.text).collect()
}

/// Where a reference is written in the configuration section.
pub fn reference_span(expr: &Value, reference: &str) -> Option<Span> {
    reference_strs(expr)
        .into_iter()
        .find(|s| s.text == reference)
        .and_then(|s| s.span())
}

fn is_meta(r: &str) -> bool {
    matches!(Reference::parse(r), Some(Reference::Meta(_)) | None)
}

/// The references that say where a value comes from: `each.key`/`count.index` are dropped when something
/// else is referenced, and `aws_x.y` when `aws_x.y.arn` is listed too.
pub fn significant(refs: &[String]) -> Vec<String> {
    let non_meta: Vec<&String> = refs.iter().filter(|r| !is_meta(r)).collect();
    let base: Vec<&String> = if non_meta.is_empty() {
        refs.iter().collect()
    } else {
        non_meta
    };
    let mut out: Vec<String> = Vec::new();
    for r in &base {
        let covered = base.iter().any(|o| {
            o.len() > r.len()
                && o.starts_with(r.as_str())
                && matches!(o.as_bytes().get(r.len()), Some(b'.') | Some(b'['))
        });
        if !covered && !out.contains(r) {
            out.push((*r).clone());
        }
    }
    out
}

/// What a reference was followed to.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A symbol: this account, a scanned role's ARN…
    Sym(Sym),
    /// An instance of the plan (a data source whose values stand for the reference), by index in [`Insts`].
    Inst(usize),
    /// A value the plan states elsewhere (a root module variable), with its spans.
    Value(Value),
}

/// The outcome of following a reference: the target when found, and the hops taken (for messages).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Followed {
    pub target: Option<Target>,
    pub chain: Vec<String>,
    /// The resource instance the reference ends at, when it is one of the plan's.
    pub instance: Option<usize>,
}

/// Follows references through the plan's configuration.
pub struct Resolver<'r, 'a> {
    pub config: &'r ConfigIndex<'a>,
    pub insts: &'r Insts<'a>,
    /// Prefix of every key (`<plan rel path>`).
    pub scope: &'r str,
    /// Root module variable values.
    pub variables: &'r HashMap<String, &'a RawValue>,
}

fn literal_key(k: &str) -> bool {
    // `[0]`, `["x"]`; not `[each.key]` or `[count.index]`.
    let inner = k.trim_start_matches('[').trim_end_matches(']');
    inner.starts_with('"') || inner.chars().all(|c| c.is_ascii_digit())
}

impl Resolver<'_, '_> {
    pub fn key_of(&self, address: &str) -> String {
        format!("{}::{}", self.scope, address)
    }

    /// The instance a reference `config_addr[key]` made from module instance `steps` means. Without a literal
    /// key: the un-keyed instance, else the one with the referrer's own key, else the only one.
    pub fn find_instance(
        &self,
        steps: &[ModuleStep],
        config_addr: &str,
        key: Option<&str>,
        own_index: Option<&str>,
    ) -> Option<usize> {
        let base = join(&module_instance_string(steps), config_addr);
        if let Some(k) = key.filter(|k| literal_key(k)) {
            return self.insts.index_of(&format!("{base}{k}"));
        }
        if let Some(i) = self.insts.index_of(&base) {
            return Some(i);
        }
        if let Some(own) = own_index {
            if let Some(i) = self.insts.index_of(&format!("{base}{own}")) {
                return Some(i);
            }
        }
        match self.insts.by_base.get(&base).map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    fn sym_for(&self, type_: &str, data: bool, attr: &str, inst: Option<usize>) -> Option<Target> {
        if data {
            return match (type_, attr) {
                ("aws_caller_identity", "account_id") => Some(Target::Sym(Sym::ThisAccount)),
                ("aws_partition", "partition") => Some(Target::Sym(Sym::Partition)),
                ("aws_partition", "dns_suffix") => Some(Target::Sym(Sym::UrlSuffix)),
                ("aws_region", "name" | "id" | "region") => Some(Target::Sym(Sym::Region)),
                ("aws_iam_policy_document", "json" | "minified_json") => inst.map(Target::Inst),
                _ => None,
            };
        }
        let i = inst?;
        let key = self.key_of(&self.insts.list.get(i)?.address);
        let sym = match (type_, attr) {
            ("aws_iam_role", "arn") => Sym::RoleArn(key),
            ("aws_iam_role", "name" | "id") => Sym::RoleName(key),
            ("aws_iam_role", "unique_id") => Sym::RoleUniqueId(key),
            ("aws_iam_user", "arn") => Sym::UserArn(key),
            ("aws_iam_user", "name" | "id") => Sym::UserName(key),
            ("aws_iam_group", "arn") => Sym::GroupArn(key),
            ("aws_iam_policy", "arn" | "id") => Sym::PolicyArn(key),
            // Other identifiers of IAM resources (an OIDC or SAML provider's ARN). Attributes such as a
            // provider's `url` are not identifiers and usually reach policies inside larger strings.
            (t, "arn") if t.starts_with("aws_iam_") => Sym::Attr {
                resource: key,
                attr: "arn".to_string(),
            },
            _ => return None,
        };
        Some(Target::Sym(sym))
    }

    /// Follows one reference made from module instance `steps` by a resource with instance key `own_index`.
    /// `hint` is the attribute a bare resource reference means (Terraform before 0.14 listed
    /// `aws_iam_role.x` for `aws_iam_role.x.name`): `name` where a principal's name is expected, `arn` where
    /// an ARN is.
    pub fn follow(
        &self,
        steps: &[ModuleStep],
        own_index: Option<&str>,
        r: &str,
        hint: Option<&str>,
    ) -> Followed {
        let mut out = Followed::default();
        out.target = self.follow_inner(
            steps,
            own_index,
            r,
            hint,
            0,
            &mut out.chain,
            &mut out.instance,
        );
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn follow_inner(
        &self,
        steps: &[ModuleStep],
        own_index: Option<&str>,
        r: &str,
        hint: Option<&str>,
        depth: usize,
        chain: &mut Vec<String>,
        instance: &mut Option<usize>,
    ) -> Option<Target> {
        if depth > MAX_HOPS {
            return None;
        }
        let path: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        match Reference::parse(r)? {
            Reference::Resource {
                data,
                type_,
                name,
                key,
                attr,
            } => {
                let config_addr = if data {
                    format!("data.{type_}.{name}")
                } else {
                    format!("{type_}.{name}")
                };
                let inst = self.find_instance(steps, &config_addr, key.as_deref(), own_index);
                // `data.aws_iam_policy_document.x` without `.json` still means its document.
                *instance = inst;
                let attr = attr.unwrap_or_else(|| {
                    if type_ == "aws_iam_policy_document" {
                        "json".into()
                    } else {
                        hint.unwrap_or_default().to_string()
                    }
                });
                self.sym_for(&type_, data, &attr, inst)
            }
            Reference::Var(name) => {
                // A root variable: its value is in the plan's `variables`.
                if steps.is_empty() {
                    let raw = self.variables.get(&name)?;
                    chain.push(format!("var.{name}"));
                    return self.config.value(raw).map(Target::Value);
                }
                // A module input: the expression of the call's argument, in the parent module instance.
                let (_, parent_steps) = steps.split_last()?;
                let call_key = steps.last().and_then(|s| s.key.clone());
                let call = self.config.call(&path)?;
                let exprs = self.config.value(call.expressions?)?;
                let e = exprs.get(&name)?;
                let sig = significant(&references(e));
                let [next] = sig.as_slice() else { return None };
                chain.push(format!("var.{name} of {}", module_instance_string(steps)));
                chain.push(next.clone());
                self.follow_inner(
                    parent_steps,
                    call_key.as_deref(),
                    next,
                    hint,
                    depth + 1,
                    chain,
                    instance,
                )
            }
            Reference::ModuleOutput { name, key, output } => {
                let output = output?;
                let mut child_path = path.clone();
                child_path.push(name.clone());
                let child = self.config.module(&child_path)?;
                let e = child.outputs.as_ref()?.get(&output)?.expression?;
                let e = self.config.value(e)?;
                let sig = significant(&references(&e));
                let [next] = sig.as_slice() else { return None };
                let key = match key.filter(|k| literal_key(k)) {
                    Some(k) => Some(k),
                    None => {
                        let keys = self
                            .insts
                            .module_keys
                            .get(&(module_instance_string(steps), name.clone()))?;
                        match keys.as_slice() {
                            [only] => only.clone(),
                            _ => return None,
                        }
                    }
                };
                let mut child_steps = steps.to_vec();
                child_steps.push(ModuleStep { name, key });
                chain.push(next.clone());
                self.follow_inner(&child_steps, None, next, hint, depth + 1, chain, instance)
            }
            Reference::Local(_) | Reference::Meta(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
