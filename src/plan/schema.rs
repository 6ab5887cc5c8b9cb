//! The typed, borrowed view of `terraform show -json` output.
//!
//! Plans can be hundreds of megabytes, so nothing here builds a generic JSON tree: resources of types that do
//! not matter to IAM trust are dropped while the file is read, and the parts that do matter are captured as
//! [`RawValue`] slices of the input (which also gives their byte offsets) and converted later, one resource at
//! a time. Unknown fields are skipped by serde without allocating.

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The top level of a plan.
#[derive(Deserialize, Default)]
pub struct Plan<'a> {
    #[serde(borrow, default)]
    pub format_version: Option<&'a RawValue>,
    /// Root module variables: `{"name": {"value": …}}`.
    #[serde(borrow, default)]
    pub variables: Option<BTreeMap<String, Variable<'a>>>,
    #[serde(borrow, default)]
    pub planned_values: Option<StateValues<'a>>,
    #[serde(borrow, default)]
    pub resource_changes: Option<Filtered<ResourceChange<'a>>>,
    #[serde(borrow, default)]
    pub prior_state: Option<State<'a>>,
    #[serde(borrow, default)]
    pub configuration: Option<Configuration<'a>>,
}

#[derive(Deserialize, Default)]
pub struct Variable<'a> {
    #[serde(borrow, default)]
    pub value: Option<&'a RawValue>,
}

/// `prior_state`: `{"values": {...}}`.
#[derive(Deserialize, Default)]
pub struct State<'a> {
    #[serde(borrow, default)]
    pub values: Option<StateValues<'a>>,
}

/// `planned_values` / `prior_state.values`.
#[derive(Deserialize, Default)]
pub struct StateValues<'a> {
    #[serde(borrow, default)]
    pub root_module: Option<Module<'a>>,
}

/// A module in `planned_values` or `prior_state` (root or child).
#[derive(Deserialize, Default)]
pub struct Module<'a> {
    #[serde(borrow, default)]
    pub resources: Filtered<Resource<'a>>,
    #[serde(borrow, default)]
    pub child_modules: Option<Vec<Module<'a>>>,
}

/// A resource instance in `planned_values` or `prior_state`.
#[derive(Deserialize)]
pub struct Resource<'a> {
    #[serde(borrow, default)]
    pub address: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub mode: Cow<'a, str>,
    #[serde(borrow, rename = "type", default)]
    pub type_: Cow<'a, str>,
    #[serde(borrow, default)]
    pub values: Option<&'a RawValue>,
}

/// One entry of `resource_changes`.
#[derive(Deserialize)]
pub struct ResourceChange<'a> {
    #[serde(borrow, default)]
    pub address: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub mode: Cow<'a, str>,
    #[serde(borrow, rename = "type", default)]
    pub type_: Cow<'a, str>,
    #[serde(borrow, default)]
    pub change: Option<Change<'a>>,
}

/// `resource_changes[].change`.
#[derive(Deserialize)]
pub struct Change<'a> {
    #[serde(borrow, default)]
    pub actions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after_unknown: Option<&'a RawValue>,
}

/// `configuration`.
#[derive(Deserialize, Default)]
pub struct Configuration<'a> {
    #[serde(borrow, default)]
    pub root_module: Option<ConfigModule<'a>>,
}

/// A module of `configuration`: resources with their expressions, calls to child modules, outputs.
#[derive(Deserialize, Default)]
pub struct ConfigModule<'a> {
    #[serde(borrow, default)]
    pub resources: Filtered<ConfigResource<'a>>,
    #[serde(borrow, default)]
    pub module_calls: Option<BTreeMap<String, ModuleCall<'a>>>,
    #[serde(borrow, default)]
    pub outputs: Option<BTreeMap<String, ConfigOutput<'a>>>,
}

/// `module_calls.NAME`.
#[derive(Deserialize, Default)]
pub struct ModuleCall<'a> {
    #[serde(borrow, default)]
    pub source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub expressions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub module: Option<Box<ConfigModule<'a>>>,
}

/// A resource block of `configuration` (no module prefix, no instance key).
#[derive(Deserialize)]
pub struct ConfigResource<'a> {
    #[serde(borrow, default)]
    pub address: Cow<'a, str>,
    #[serde(borrow, default)]
    pub mode: Cow<'a, str>,
    #[serde(borrow, rename = "type", default)]
    pub type_: Cow<'a, str>,
    #[serde(borrow, default)]
    pub expressions: Option<&'a RawValue>,
}

/// `outputs.NAME` of a configuration module.
#[derive(Deserialize, Default)]
pub struct ConfigOutput<'a> {
    #[serde(borrow, default)]
    pub expression: Option<&'a RawValue>,
}

/// Whether a resource type matters to IAM trust analysis. Everything else is dropped while reading.
pub fn relevant_type(type_: &str) -> bool {
    type_.starts_with("aws_iam_")
        || matches!(
            type_,
            "aws_caller_identity" | "aws_partition" | "aws_region"
        )
}

/// Items that have a resource type.
pub trait Typed {
    fn type_name(&self) -> &str;
}

impl Typed for Resource<'_> {
    fn type_name(&self) -> &str {
        &self.type_
    }
}

impl Typed for ResourceChange<'_> {
    fn type_name(&self) -> &str {
        &self.type_
    }
}

impl Typed for ConfigResource<'_> {
    fn type_name(&self) -> &str {
        &self.type_
    }
}

/// A list of which only the items of [`relevant_type`]s are kept (`null` reads as empty).
pub struct Filtered<T>(pub Vec<T>);

impl<T> Default for Filtered<T> {
    fn default() -> Self {
        Filtered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de> + Typed> Deserialize<'de> for Filtered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Typed> Visitor<'de> for V<T> {
            type Value = Filtered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of resources")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Filtered(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    if relevant_type(item.type_name()) {
                        out.push(item);
                    }
                }
                Ok(Filtered(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The byte offset of a slice of `base` (a borrowed [`RawValue`] or `Cow::Borrowed`) within it.
pub fn offset_in(base: &str, part: &str) -> Option<usize> {
    let b = base.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    let off = p.checked_sub(b)?;
    if off.checked_add(part.len())? <= base.len() {
        Some(off)
    } else {
        None
    }
}

/// Decodes a raw JSON string token (with quotes); `None` when it is not a string.
pub fn raw_string(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

#[cfg(test)]
mod tests;
