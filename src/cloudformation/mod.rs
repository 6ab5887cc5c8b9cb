//! CloudFormation / SAM / CDK front end: YAML and JSON templates with intrinsics.
//!
//! A file is loaded into [`node::Node`]s (YAML through saphyr-parser events, JSON through jsonc-parser), both
//! with exact byte spans; the template's intrinsic functions are evaluated into [`crate::value::Value`]s with
//! provenance ([`eval`]); IAM resources become the neutral model ([`resources`]).

pub mod eval;
pub mod json;
pub mod node;
pub mod resources;
pub mod yaml;

use crate::discover::{Discovered, FileKind};
use crate::model::{Diagnostic, Inventory};
use crate::source::{SourceFile, Span};
use crate::FrontendCtx;
use node::{LoadError, Node};

/// Whether the text may be a CloudFormation template (top-level `AWSTemplateFormatVersion`, or `Resources`
/// whose values have `Type: AWS::…`). Cheap, textual: used to route files; [`analyze`] decides for real after
/// parsing and skips anything else silently.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
}

/// Whether a file that failed to parse clearly meant to be a template (so the failure is worth a TL900): an
/// `AWSTemplateFormatVersion` key, or a `Resources` key and a `Type: AWS::…` — top-level keys in YAML (column
/// 0), any key in JSON, whose indentation says nothing.
pub fn claims_to_be_template(text: &str, json: bool) -> bool {
    let mut resources = false;
    let mut typed = false;
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}');
        let body = if json {
            line.trim_start_matches(['{', ' ', '\t'])
        } else {
            line.trim_start_matches('{')
        };
        let top_level = json || !body.starts_with([' ', '\t']);
        let key_is = |key: &str| {
            let b = body.trim_start();
            let b = b.strip_prefix(['"', '\'']).unwrap_or(b);
            b.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
                rest.trim_start().starts_with(':')
            })
        };
        if top_level && key_is("AWSTemplateFormatVersion") {
            return true;
        }
        if top_level && key_is("Resources") {
            resources = true;
        }
        if key_is("Type") && line.contains("AWS::") {
            typed = true;
        }
    }
    resources && typed
}

/// Whether a loaded document is a template (SPEC §1).
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources")
        .and_then(|r| r.entries())
        .is_some_and(|entries| {
            entries.iter().any(|(_, v)| {
                v.get("Type")
                    .and_then(|t| t.text())
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
        })
}

/// Which loader a file needs: JSON for `.json` and for `.template` files that start with `{`.
fn is_json(file: &Discovered, text: &str) -> bool {
    match file.kind {
        FileKind::Json | FileKind::TerraformJson => true,
        FileKind::Template => text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{'),
        _ => false,
    }
}

/// Loads a template file into nodes.
pub fn load(file: &SourceFile, json: bool) -> Result<Option<Node>, LoadError> {
    if json {
        json::load(file)
    } else {
        yaml::load(file)
    }
}

/// Analyses one template file.
pub fn analyze(file: &Discovered, text: String, ctx: &FrontendCtx) -> Inventory {
    let json = is_json(file, &text);
    let source = ctx.sources.add(file.path.clone(), file.rel.clone(), text);
    analyze_source(&source, json)
}

/// Analyses a template already registered in the source map.
pub fn analyze_source(source: &SourceFile, json: bool) -> Inventory {
    let mut inv = Inventory::default();
    let root = match load(source, json) {
        Ok(Some(root)) => root,
        Ok(None) => return inv,
        Err(e) => {
            if claims_to_be_template(&source.text, json) {
                inv.files = 1;
                inv.diagnostics.push(Diagnostic::ParseError {
                    message: e.message,
                    span: error_span(source, e.start, e.end),
                    resource: None,
                });
            }
            return inv;
        }
    };
    if !is_template(&root) {
        return inv;
    }
    let template = eval::Template::new(&source.rel, &root);
    let mut ex = resources::Extractor::new(&template);
    ex.run();
    let mut inv = ex.inv;
    inv.files = 1;
    inv
}

/// A parse error's span: at least the character where the parser stopped, so there is something to underline.
fn error_span(source: &SourceFile, start: usize, end: usize) -> Span {
    let text = &source.text;
    let mut start = start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    if end == start {
        end = text
            .get(start..)
            .and_then(|r| r.chars().next())
            .map(|c| start + c.len_utf8())
            .unwrap_or(start);
    }
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    source.span(start, end)
}

#[cfg(test)]
mod tests;
