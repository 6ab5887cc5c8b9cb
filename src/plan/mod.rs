//! Terraform plan JSON front end (`terraform show -json`).
//!
//! A plan is how users get what Terraform itself resolved: registry modules, remote variables, values computed
//! from other resources. This front end reads the plan with a typed, borrowed serde model that keeps only IAM
//! resources ([`schema`]), gathers each resource instance once across `planned_values`, `resource_changes` and
//! `prior_state` ([`collect`]), converts the few values it needs with exact spans ([`jsonval`]), parses policy
//! strings (JSON inside JSON) with spans mapped through their escapes, and turns values that are unknown until
//! apply into symbols or TL901 unknowns that name the reference the `configuration` section gives
//! ([`config`]). [`reconcile`] then merges roles seen through both a plan and their `.tf` source.

pub mod account;
pub mod address;
pub mod build;
pub mod collect;
pub mod config;
pub mod datasource;
pub mod jsonval;
pub mod reconcile;
pub mod schema;

use crate::discover::Discovered;
use crate::model::{Diagnostic, Inventory};
use crate::source::SourceFile;
use crate::FrontendCtx;

/// Whether the text is a plan (`format_version` and `planned_values` or `resource_changes`). Cheap: a few
/// substring searches, which stop early in real plans (Terraform writes these keys first).
pub fn looks_like_plan(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{')
        && t.contains("\"format_version\"")
        && (t.contains("\"planned_values\"") || t.contains("\"resource_changes\""))
}

/// Analyses one plan file.
pub fn analyze(file: &Discovered, text: String, ctx: &FrontendCtx) -> Inventory {
    let src = ctx.sources.add(file.path.clone(), file.rel.clone(), text);
    analyze_source(&src)
}

/// Analyses a plan already in the source map; keys are scoped by the file's relative path.
pub fn analyze_source(src: &SourceFile) -> Inventory {
    let text = src.text.trim_start_matches('\u{feff}');
    let bom = src.text.len() - text.len();
    let plan: schema::Plan = match serde_json::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            let offset = offset_of_error(src, bom, &e);
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map(|(m, _)| m.to_string())
                .unwrap_or(message);
            return Inventory {
                diagnostics: vec![Diagnostic::ParseError {
                    message: format!("invalid plan JSON: {message}"),
                    span: src.span(offset, offset),
                    resource: None,
                }],
                files: 1,
                ..Inventory::default()
            };
        }
    };
    // Offsets from the typed model are relative to `src.text`, BOM included, because `text` is a slice of it.
    let (insts, bad) = collect::collect(&plan, &src.text, src.id);
    let config = config::ConfigIndex::build(&plan, &src.text, src.id);
    let this_account = account::single_account(&caller_accounts(&insts));
    let variables: foldhash::HashMap<String, &serde_json::value::RawValue> = plan
        .variables
        .iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.value?)))
        .collect();
    let builder = build::Builder::new(src, &src.rel, &insts, &config, &variables, this_account);
    let mut inv = builder.build();
    for b in bad {
        inv.diagnostics.push(Diagnostic::ParseError {
            message: b.message,
            span: b.span,
            resource: None,
        });
    }
    inv
}

/// `account_id` of every `data.aws_caller_identity` instance with a known value.
fn caller_accounts(insts: &collect::Insts) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Identity {
        account_id: Option<String>,
    }
    insts
        .list
        .iter()
        .filter(|i| i.data && i.type_ == "aws_caller_identity")
        .filter_map(|i| serde_json::from_str::<Identity>(i.values?.get()).ok())
        .filter_map(|id| id.account_id)
        .collect()
}

/// serde_json reports 1-based lines and byte columns of the text it read (`bom` bytes into the file).
fn offset_of_error(src: &SourceFile, bom: usize, e: &serde_json::Error) -> usize {
    let start = match e.line() {
        0 | 1 => bom,
        n => src.line_start(n as u32),
    };
    (start + e.column().saturating_sub(1)).min(src.text.len())
}

/// Merges roles seen both through a plan and through their `.tf` source (SPEC §1.2): one role, the plan's
/// values, the `.tf` locations, the plan location as related.
pub fn reconcile(inv: &mut Inventory, sources: &crate::source::SourceMap) {
    reconcile::reconcile(inv, sources)
}
