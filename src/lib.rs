//! trustlint: a pre-deploy scanner for AWS IAM role trust.
//!
//! Data flows one way: [`discover`] → front ends ([`terraform`], [`cloudformation`], [`plan`]) → the
//! [`model`] → [`graph`] → [`rules`] → [`report`].

pub mod cli;
pub mod cloudformation;
pub mod config;
pub mod discover;
pub mod finding;
pub mod graph;
pub mod init;
pub mod limits;
pub mod model;
pub mod plan;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod stats;
pub mod suppress;
pub mod terraform;
pub mod value;

use config::Config;
use discover::{Discovered, FileKind};
use finding::Finding;
use model::{Diagnostic, Inventory};
use rayon::prelude::*;
use source::SourceMap;
use std::path::PathBuf;
use std::time::Instant;

/// What to scan and how.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub config: Config,
    /// `--var K=V`, in order.
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`, in order.
    pub var_files: Vec<PathBuf>,
    /// `--exclude GLOB` plus the configuration's `exclude`.
    pub excludes: Vec<String>,
    /// `--baseline FILE`, loaded.
    pub baseline: Option<suppress::Baseline>,
}

/// What front ends get besides their files.
pub struct FrontendCtx<'a> {
    pub sources: &'a SourceMap,
    pub options: &'a ScanOptions,
}

/// The result of a scan.
pub struct ScanOutput {
    pub sources: SourceMap,
    pub inventory: Inventory,
    /// Sorted (file, position, rule, message): output is deterministic.
    pub findings: Vec<Finding>,
    pub stats: stats::Stats,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Discover(#[from] discover::DiscoverError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Usage(String),
}

/// Scans `paths` with `config` (the library entry point, SPEC §5.3).
pub fn scan_paths(paths: &[PathBuf], config: &Config) -> Result<ScanOutput, Error> {
    scan(&ScanOptions {
        paths: paths.to_vec(),
        config: config.clone(),
        excludes: config.exclude.clone(),
        ..ScanOptions::default()
    })
}

/// Runs a whole scan: discover, front ends, rules. Problems in scanned files are findings, never errors.
pub fn scan(options: &ScanOptions) -> Result<ScanOutput, Error> {
    let started = Instant::now();
    let files = discover::discover(&options.paths, &options.excludes)?;
    let sources = SourceMap::new();
    let inventory = analyze(&files, options, &sources);
    let mut findings = run_rules(&inventory, &options.config, &sources);
    let extra = suppress::apply(
        &mut findings,
        &sources,
        &inventory,
        options.baseline.as_ref(),
        suppress::today(),
    );
    if !extra.is_empty() {
        findings.extend(extra);
        sort_findings(&mut findings, &sources);
    }
    let stats = stats::Stats::compute(&inventory, &findings, started.elapsed());
    Ok(ScanOutput {
        sources,
        inventory,
        findings,
        stats,
    })
}

/// Runs the front ends over discovered files, in parallel.
pub fn analyze(files: &[Discovered], options: &ScanOptions, sources: &SourceMap) -> Inventory {
    let ctx = FrontendCtx { sources, options };
    let tf: Vec<&Discovered> = files
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FileKind::Terraform | FileKind::TerraformJson | FileKind::Tfvars
            )
        })
        .collect();
    let others: Vec<&Discovered> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Yaml | FileKind::Json | FileKind::Template))
        .collect();
    let (mut inv, rest) = rayon::join(
        || terraform::analyze(&tf, &ctx),
        || {
            others
                .par_iter()
                .map(|f| analyze_other(f, &ctx))
                .collect::<Vec<Inventory>>()
        },
    );
    for part in rest {
        inv.extend(part);
    }
    // A role seen through a plan and through its .tf source is reported once, with the plan's values.
    plan::reconcile(&mut inv, sources);
    inv
}

/// A YAML/JSON/template file: CloudFormation, a plan, or nothing (skipped silently).
fn analyze_other(file: &Discovered, ctx: &FrontendCtx) -> Inventory {
    let bytes = match source::read_file(&file.path) {
        Ok(b) => b,
        Err(e) => {
            let mut inv = Inventory::default();
            let f = ctx
                .sources
                .add(file.path.clone(), file.rel.clone(), String::new());
            inv.diagnostics.push(Diagnostic::ParseError {
                message: format!("cannot read file: {e}"),
                span: f.whole(),
                resource: None,
            });
            return inv;
        }
    };
    // Only files that look like one of our inputs are worth reporting when they are not UTF-8.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if !(cloudformation::looks_like_template(&lossy) || plan::looks_like_plan(&lossy)) {
                return Inventory::default();
            }
            let offset = e.utf8_error().valid_up_to();
            let f = ctx.sources.add(file.path.clone(), file.rel.clone(), lossy);
            let mut inv = Inventory::default();
            inv.diagnostics.push(Diagnostic::ParseError {
                message: format!("file is not valid UTF-8 (invalid byte at offset {offset})"),
                span: f.span(offset, offset),
                resource: None,
            });
            return inv;
        }
    };
    if file.kind == FileKind::Json && plan::looks_like_plan(&text) {
        plan::analyze(file, text, ctx)
    } else if cloudformation::looks_like_template(&text) {
        cloudformation::analyze(file, text, ctx)
    } else {
        Inventory::default()
    }
}

/// Runs every enabled rule, applies severity overrides, sorts.
pub fn run_rules(inventory: &Inventory, config: &Config, sources: &SourceMap) -> Vec<Finding> {
    let (graph_rules, other_rules): (Vec<&dyn rules::Rule>, Vec<&dyn rules::Rule>) =
        rules::registry()
            .into_iter()
            .filter(|r| config.rule_enabled(r.meta().id))
            .partition(|r| r.uses_graph());
    // The graph is built once, for every rule that reads it, while the others run.
    let no_graph = graph::Graph::default();
    let (graph, (grants, mut findings)) = rayon::join(
        || graph::Graph::build(inventory),
        || {
            let ctx = rules::Context::new(inventory, config, sources, &no_graph);
            let findings = check_rules(&other_rules, &ctx, config);
            (ctx.grants, findings)
        },
    );
    let ctx = rules::Context::with_grants(inventory, config, sources, &graph, grants);
    findings.extend(check_rules(&graph_rules, &ctx, config));
    sort_findings(&mut findings, sources);
    drop(ctx);
    // Freeing the graph piece by piece would only cost time: it lives as long as the files.
    sources.keep(Box::new(graph));
    findings
}

fn check_rules(rules: &[&dyn rules::Rule], ctx: &rules::Context, config: &Config) -> Vec<Finding> {
    rules
        .par_iter()
        .flat_map_iter(|r| {
            let mut out = Vec::new();
            r.check(ctx, &mut out);
            if let Some(sev) = config.rule(r.meta().id).and_then(|c| c.severity) {
                for f in &mut out {
                    f.severity = sev;
                }
            }
            out
        })
        .collect()
}

/// Sorts findings by file path, position, rule and message, and drops exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>, sources: &SourceMap) {
    let files = sources.all();
    let rel = |id: u32| -> &str { files.get(id as usize).map(|s| s.rel.as_str()).unwrap_or("") };
    // Files are ranked by path once, so that comparing findings compares integers first; files with the
    // same path share a rank.
    let mut ids: Vec<u32> = findings.iter().map(|f| f.primary.file.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rank = vec![0u32; ids.last().map_or(0, |&max| max as usize + 1)];
    ids.par_sort_by(|&a, &b| rel(a).cmp(rel(b)));
    let (mut r, mut prev) = (0u32, None);
    for &id in &ids {
        let path = rel(id);
        if prev.is_some_and(|p| p != path) {
            r += 1;
        }
        prev = Some(path);
        if let Some(slot) = rank.get_mut(id as usize) {
            *slot = r;
        }
    }
    let rank_of = |f: &Finding| rank.get(f.primary.file.0 as usize).copied().unwrap_or(0);
    // Tens of thousands of findings in a monorepo: the comparisons are worth two cores.
    findings.par_sort_by(|a, b| {
        (
            rank_of(a),
            a.primary.start,
            a.primary.end,
            a.rule_id,
            &a.message,
            &a.resource,
        )
            .cmp(&(
                rank_of(b),
                b.primary.start,
                b.primary.end,
                b.rule_id,
                &b.message,
                &b.resource,
            ))
    });
    findings.dedup_by(|a, b| {
        a.rule_id == b.rule_id
            && a.primary == b.primary
            && a.message == b.message
            && a.resource == b.resource
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use finding::Severity;

    /// Ranking files first must give the order of comparing their paths in every finding comparison:
    /// files added out of path order, two files with one path, ids that name no file.
    #[test]
    fn findings_sort_by_path_then_position() {
        let sources = SourceMap::new();
        let text = "x".repeat(64);
        let b = sources.add("b.tf".into(), "b.tf".into(), text.clone());
        let a1 = sources.add("x/../a.tf".into(), "a.tf".into(), text.clone());
        let c = sources.add("c.tf".into(), "c.tf".into(), text.clone());
        let a2 = sources.add("a.tf".into(), "a.tf".into(), text);
        let f = |id: &str, span: source::Span, msg: &str| {
            Finding::new("TL001", Severity::Warning, msg, span, id.to_string())
        };
        let missing = source::Span::new(source::FileId(99), 0, 1);
        let mut findings = vec![
            f("1", c.span(0, 1), "m"),
            f("2", a2.span(5, 6), "m"),
            f("3", b.span(1, 2), "m"),
            f("4", a1.span(3, 4), "m"),
            f("5", missing, "m"),
            f("6", a2.span(3, 4), "n"),
            f("7", b.span(0, 1), "m"),
            f("8", a1.span(5, 6), "m"),
        ];
        let mut expected = findings.clone();
        let files = sources.all();
        let rel = |f: &Finding| {
            files
                .get(f.primary.file.0 as usize)
                .map(|s| s.rel.clone())
                .unwrap_or_default()
        };
        expected.sort_by(|x, y| {
            (
                rel(x),
                x.primary.start,
                x.primary.end,
                &x.message,
                &x.resource,
            )
                .cmp(&(
                    rel(y),
                    y.primary.start,
                    y.primary.end,
                    &y.message,
                    &y.resource,
                ))
        });
        sort_findings(&mut findings, &sources);
        let order = |v: &[Finding]| v.iter().map(|f| f.resource.clone()).collect::<Vec<_>>();
        assert_eq!(order(&findings), order(&expected));
        assert_eq!(order(&findings), ["5", "4", "6", "2", "8", "7", "3", "1"]);
    }
}
