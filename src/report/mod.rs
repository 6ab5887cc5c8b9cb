//! Output formats: SARIF, text, JSON, GitHub annotations, Markdown, graphs. Reports know findings and source files,
//! nothing about AWS.

pub mod github;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;
