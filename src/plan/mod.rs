//! Terraform plan JSON front end (`terraform show -json`).

use crate::discover::Discovered;
use crate::model::Inventory;
use crate::FrontendCtx;

/// Whether the text is a plan (`format_version` and `planned_values` or `resource_changes`). Cheap.
pub fn looks_like_plan(_text: &str) -> bool {
    false
}

/// Analyses one plan file.
pub fn analyze(_file: &Discovered, _text: String, _ctx: &FrontendCtx) -> Inventory {
    Inventory::default()
}

/// Merges roles seen both through a plan and through their `.tf` source (SPEC §1.2): one role, the plan's
/// values, the `.tf` locations, the plan location as related.
pub fn reconcile(_inv: &mut Inventory, _sources: &crate::source::SourceMap) {}
