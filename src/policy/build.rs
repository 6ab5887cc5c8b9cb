//! Building a [`PolicyDocument`] from a [`Value`] tree (the common path for every front end).

use super::PolicyDocument;
use crate::value::Value;

/// Converts a policy value (`{"Version": …, "Statement": [...]}`) into the model. Never fails: malformed
/// parts become [`super::Problem`]s, unresolved parts [`crate::value::Unknown`]s.
pub fn document_from_value(value: &Value) -> PolicyDocument {
    PolicyDocument {
        span: value.span(),
        ..PolicyDocument::default()
    }
}
