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
    if json {
        // JSON may be minified: look for the keys anywhere.
        let key_then = |key: &str, value_prefix: &str| {
            text.match_indices(key).any(|(i, _)| {
                let rest = text.get(i + key.len()..).unwrap_or("").trim_start();
                rest.strip_prefix(':')
                    .is_some_and(|r| r.trim_start().starts_with(value_prefix))
            })
        };
        return key_then("\"AWSTemplateFormatVersion\"", "")
            || (key_then("\"Resources\"", "{") && key_then("\"Type\"", "\"AWS::"));
    }
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
    // An AWS transform (SAM, language extensions) with resources is a template even when every resource is
    // generated (`Fn::ForEach`).
    let aws_transform = root.get("Transform").is_some_and(|t| {
        t.text().is_some_and(|x| x.starts_with("AWS::"))
            || t.items().is_some_and(|i| {
                i.iter()
                    .any(|x| x.text().is_some_and(|x| x.starts_with("AWS::")))
            })
    });
    if aws_transform && root.get("Resources").and_then(|r| r.entries()).is_some() {
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
    // A byte order mark is not JSON, but editors write it and CloudFormation reads past it.
    let start = if file.text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    if json {
        json::load_range(file, start, file.text.len())
    } else {
        yaml::load_range(file, start, file.text.len())
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
    let mut inv = extract(source, &source.rel, &root, 0);
    inv.files = 1;
    inv
}

/// Most levels of templates embedded in StackSet template bodies.
const MAX_NESTING: usize = 2;

/// The model of one (possibly embedded) template, whose keys are scoped by `scope`.
fn extract(source: &SourceFile, scope: &str, root: &Node, depth: usize) -> Inventory {
    let template = eval::Template::new(scope, root);
    let mut ex = resources::Extractor::new(&template);
    ex.run();
    let mut inv = ex.inv;
    for r in &template.resources {
        metadata_ignores(r, &mut inv);
    }
    if depth < MAX_NESTING {
        for r in &template.resources {
            if r.ty == "AWS::CloudFormation::StackSet" {
                if let Some(body) = r.node.get("Properties").and_then(|p| p.get("TemplateBody")) {
                    let scope = format!("{scope}::{}", r.id);
                    inv.extend(embedded(source, &scope, r.id, body, depth + 1));
                }
            }
        }
    }
    inv
}

/// `Metadata: { trustlint: { ignore: [ { id: TL013, reason: "…", until: 2027-01-31 } ] } }` of a resource
/// (SPEC §4.1). `id` may list several rules (`TL010,TL012`). A SAM function's entries also cover the role
/// SAM creates for it (`<Function>Role`), which is where that role's findings are reported.
fn metadata_ignores(r: &eval::Resource, inv: &mut Inventory) {
    let Some(entries) = r
        .node
        .get("Metadata")
        .and_then(|m| m.get("trustlint"))
        .and_then(|t| t.get("ignore"))
        .and_then(Node::items)
    else {
        return;
    };
    let mut resources = vec![r.id.to_string()];
    if r.ty.starts_with("AWS::Serverless::") {
        resources.push(format!("{}Role", r.id));
    }
    for e in entries {
        let text = |k: &str| e.get(k).and_then(Node::text).map(str::trim).unwrap_or("");
        let reason = text("reason").to_string();
        let until = crate::suppress::parse_date(text("until"));
        for id in text("id").split([',', ' ']).filter(|i| !i.is_empty()) {
            // An entry without a reason is reported once, under the resource it is written on.
            let n = if reason.is_empty() {
                1
            } else {
                resources.len()
            };
            for resource in resources.iter().take(n) {
                inv.metadata_ignores.push(crate::suppress::MetadataIgnore {
                    resource: resource.clone(),
                    id: id.to_string(),
                    reason: reason.clone(),
                    until,
                    span: e.span,
                });
            }
        }
    }
}

/// A template written in a StackSet's `TemplateBody` block scalar, analysed where it is written: the raw
/// lines of the block are valid YAML (or JSON) as they stand, so spans stay exact. Escaped JSON strings are
/// not followed.
fn embedded(source: &SourceFile, scope: &str, owner: &str, body: &Node, depth: usize) -> Inventory {
    let mut inv = Inventory::default();
    let Some(s) = body.as_str().filter(|_| body.tag.is_none()) else {
        return inv;
    };
    let text = &source.text;
    let (start, end) = (body.span.start as usize, body.span.end as usize);
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0);
    if !text
        .get(line_start..start)
        .is_some_and(|p| p.chars().all(|c| c == ' ' || c == '\t'))
    {
        return inv;
    }
    let json = s.text.trim_start().starts_with('{');
    let loaded = if json {
        json::load_range(source, line_start, end)
    } else {
        yaml::load_range(source, line_start, end)
    };
    match loaded {
        Ok(Some(root)) if is_template(&root) => {
            inv = extract(source, scope, &root, depth);
            prefix_addresses(&mut inv, owner);
        }
        Err(e) if claims_to_be_template(&s.text, json) => {
            inv.diagnostics.push(Diagnostic::ParseError {
                message: format!("template body of {owner}: {}", e.message),
                span: error_span(source, e.start, e.end),
                resource: Some(owner.to_string()),
            });
        }
        _ => {}
    }
    inv
}

/// Addresses of an embedded template's resources read `Owner/LogicalId`.
fn prefix_addresses(inv: &mut Inventory, owner: &str) {
    for m in &mut inv.metadata_ignores {
        m.resource = format!("{owner}/{}", m.resource);
    }
    let fix = |d: &mut crate::model::Decl| d.address = format!("{owner}/{}", d.address);
    for r in &mut inv.roles {
        fix(&mut r.decl);
        r.inline_policies.iter_mut().for_each(|p| fix(&mut p.decl));
    }
    for u in &mut inv.users {
        fix(&mut u.decl);
        u.inline_policies.iter_mut().for_each(|p| fix(&mut p.decl));
    }
    for g in &mut inv.groups {
        fix(&mut g.decl);
        g.inline_policies.iter_mut().for_each(|p| fix(&mut p.decl));
    }
    inv.policies.iter_mut().for_each(|p| fix(&mut p.decl));
    inv.attachments.iter_mut().for_each(|p| fix(&mut p.decl));
    inv.standalone_trusts
        .iter_mut()
        .for_each(|p| fix(&mut p.decl));
    inv.instance_profiles
        .iter_mut()
        .for_each(|p| fix(&mut p.decl));
    inv.oidc_providers.iter_mut().for_each(|p| fix(&mut p.decl));
    for d in &mut inv.diagnostics {
        if let Diagnostic::Unresolved {
            resource: Some(r), ..
        } = d
        {
            *r = format!("{owner}/{r}");
        }
    }
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
