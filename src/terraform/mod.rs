//! Terraform HCL front end: parse (hcl-edit, spans kept), evaluate (variables, locals, modules, data
//! sources) and produce the [`Inventory`].

use crate::discover::Discovered;
use crate::model::Inventory;
use crate::FrontendCtx;

/// Analyses every Terraform file (`.tf`, `.tf.json`, tfvars) of the scan. Directories called as modules by a
/// scanned root are analysed through their calls; others as roots (SPEC §1.2).
pub fn analyze(_files: &[&Discovered], _ctx: &FrontendCtx) -> Inventory {
    Inventory::default()
}
