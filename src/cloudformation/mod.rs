//! CloudFormation / SAM / CDK front end: YAML and JSON templates with intrinsics.

use crate::discover::Discovered;
use crate::model::Inventory;
use crate::FrontendCtx;

/// Whether the text is a CloudFormation template (top-level `AWSTemplateFormatVersion`, or `Resources` whose
/// values have `Type: AWS::…`). Cheap: used to route files.
pub fn looks_like_template(_text: &str) -> bool {
    false
}

/// Analyses one template file.
pub fn analyze(_file: &Discovered, _text: String, _ctx: &FrontendCtx) -> Inventory {
    Inventory::default()
}
