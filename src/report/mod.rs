//! Output formats: SARIF, text, JSON (and later github, markdown). Reports know findings and source files,
//! nothing about AWS.

pub mod graph;
pub mod json;
pub mod sarif;
pub mod text;
