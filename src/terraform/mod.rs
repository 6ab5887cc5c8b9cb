//! Terraform HCL front end: parse ([`fastparse`], hcl-edit for what it declines and for syntax errors; spans
//! kept), evaluate (variables, locals, modules, data
//! sources) and produce the [`Inventory`].
//!
//! Flow: files are grouped by directory (one directory = one module), read, and parsed in parallel, each
//! file once, into trustlint's own syntax tree ([`ast`]) whose string literals already carry exact spans.
//! Root modules (directories no scanned module calls) are evaluated in parallel, each by its own lazy,
//! memoising [`eval::Eval`] that instantiates the modules it calls; only IAM resources and what they
//! reference are evaluated. A directory that calls no module and that no directory's text names as a module
//! source is evaluated right after it is parsed and its tree freed; the others once every module is known.
//! Policies, users, groups and attachments are matched across roots at the end.
//!
//! Keys: an item's [`Decl::key`](crate::model::Decl::key) is `<root module dir>::<address>`, the address
//! being relative to that root (`module.ci.aws_iam_role.this["prod"]`), so a module called by two roots
//! gives two distinct roles. Local modules the scan paths left out are read when a scanned module calls
//! them (their `.tf` files only), as Terraform would.

pub mod ast;
pub mod docs;
pub mod eval;
pub mod fastparse;
pub mod funcs;
pub mod iam;
pub mod lower;
pub mod module;
pub mod tfjson;
pub mod vals;

#[cfg(test)]
mod tests;

use crate::discover::Discovered;
use crate::model::{AttachTarget, Diagnostic, Inventory, StandaloneTrust};
use crate::policy::build;
use crate::value::{Str, Sym, Value};
use crate::FrontendCtx;
use ast::{Attr, Body, Expr};
use eval::{Eval, Scope};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use iam::{Collected, Pending};
use module::{clean_path, DirFiles, Module, ModuleSet};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Analyses every Terraform file (`.tf`, `.tf.json`, tfvars) of the scan. Directories called as modules by a
/// scanned root are analysed through their calls; others as roots (SPEC §1.2).
pub fn analyze(files: &[&Discovered], ctx: &FrontendCtx) -> Inventory {
    // Grouped by hash, then sorted once: path comparisons walk components and cost far more than hashing.
    // Parents are keyed by their bytes (a `Path` hashes component by component) and cleaned once per
    // directory as written, so that spellings of one directory meet in `by_dir`.
    let mut by_parent: HashMap<&std::ffi::OsStr, Vec<&Discovered>> = HashMap::new();
    for f in files {
        by_parent
            .entry(f.path.parent().unwrap_or(Path::new("")).as_os_str())
            .or_default()
            .push(f);
    }
    let mut by_dir: HashMap<PathBuf, Vec<&Discovered>> = HashMap::new();
    for (parent, fs) in by_parent {
        let parent = Path::new(parent);
        let dir = if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            clean_path(parent)
        };
        by_dir.entry(dir).or_default().extend(fs);
    }
    // Discovery order (what decides a module's first file) even where two spellings met.
    for fs in by_dir.values_mut() {
        fs.sort_by(|a, b| crate::discover::path_cmp(&a.path, &b.path));
    }
    let mut by_dir: Vec<(PathBuf, Vec<&Discovered>)> = by_dir.into_iter().collect();
    by_dir.sort_unstable_by(|a, b| crate::discover::path_cmp(&a.0, &b.0));
    let mut cli_diags = Vec::new();
    let cli = CliVars::load(ctx, &mut cli_diags);
    // A directory that calls no module is evaluated as a root as soon as it is parsed and its syntax tree
    // freed, so that memory stays bounded by the directories in flight. Should a scanned module turn out to
    // call it, the result is discarded and the directory parsed again from the text already read; a look at
    // the text of every directory first keeps that from happening to the modules a repository calls.
    let read: Vec<DirFiles> = by_dir
        .par_iter()
        .map(|(dir, fs)| module::read(dir, fs, ctx.sources))
        .collect();
    let likely_called: HashSet<PathBuf> = read
        .par_iter()
        .flat_map_iter(|f| f.local_sources_hint())
        .collect();
    let loaded: Vec<Loaded> = read
        .into_par_iter()
        .map(|files| {
            let mut m = files.parse();
            if !m.call_order.is_empty() || is_downloaded(&m.dir) || likely_called.contains(&m.dir) {
                return Loaded::Parsed(m);
            }
            let diagnostics = std::mem::take(&mut m.diagnostics);
            let part = evaluate_root(&ModuleSet::default(), &m, ctx, &cli);
            Loaded::Evaluated {
                files,
                diagnostics,
                part,
            }
        })
        .collect();
    let mut inv = Inventory::default();
    let mut modules = Vec::new();
    let mut early: Vec<(DirFiles, Option<Collected>)> = Vec::new();
    for l in loaded {
        match l {
            Loaded::Parsed(mut m) => {
                inv.files += m.files;
                inv.diagnostics.append(&mut m.diagnostics);
                modules.push(m);
            }
            Loaded::Evaluated {
                files,
                diagnostics,
                part,
            } => {
                inv.files += files.count();
                inv.diagnostics.extend(diagnostics);
                early.push((files, Some(part)));
            }
        }
    }
    let scanned = modules.len();
    load_called_modules(&mut modules, &mut early, ctx);
    for m in modules.iter_mut().skip(scanned) {
        inv.files += m.files;
        inv.diagnostics.append(&mut m.diagnostics);
    }
    inv.diagnostics.extend(cli_diags);
    let set = ModuleSet {
        modules: modules.into_iter().map(|m| (m.dir.clone(), m)).collect(),
    };
    let roots = roots(&set);
    let mut parts: Vec<(&str, &Path, Collected)> = roots
        .par_iter()
        .map(|root| {
            (
                root.rel.as_str(),
                root.dir.as_path(),
                evaluate_root(&set, root, ctx, &cli),
            )
        })
        .collect();
    parts.extend(
        early
            .iter_mut()
            .filter_map(|(f, part)| Some((f.rel.as_str(), f.dir.as_path(), part.take()?))),
    );
    // Root order, as if every root had been evaluated at the end.
    parts.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(b.1)));
    finish(parts.into_iter().map(|(_, _, p)| p).collect(), &mut inv);
    drop(roots);
    ctx.sources.keep(Box::new(set));
    inv
}

/// A scanned directory after parsing.
enum Loaded {
    /// Calls modules: evaluated once every module is known.
    Parsed(Module),
    /// Calls none: already evaluated as a root.
    Evaluated {
        files: DirFiles,
        /// Read and syntax errors of its files.
        diagnostics: Vec<Diagnostic>,
        part: Collected,
    },
}

fn evaluate_root(set: &ModuleSet, root: &Module, ctx: &FrontendCtx, cli: &CliVars) -> Collected {
    let mut ev = Eval::new(set, ctx.sources, root);
    ev.root_vars = root_vars(&ev, root, cli);
    iam::analyse_root(&ev)
}

fn is_downloaded(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == ".terraform")
}

/// Most directories loaded only because a scanned module calls them.
const MAX_CALLED_DIRS: usize = 2000;

/// Local module directories (`source = "../modules/x"`) that the scan paths did not include are read too,
/// as Terraform would: their `.tf`/`.tf.json` files only, with the caller's scan root.
///
/// A scanned directory evaluated early (`early`) that turns out to be called is parsed again and its early
/// result dropped: it is a called module, not a root.
fn load_called_modules(
    modules: &mut Vec<Module>,
    early: &mut [(DirFiles, Option<Collected>)],
    ctx: &FrontendCtx,
) {
    let early_at: HashMap<PathBuf, usize> = early
        .iter()
        .enumerate()
        .map(|(i, (f, _))| (f.dir.clone(), i))
        .collect();
    let mut known: HashSet<PathBuf> = modules.iter().map(|m| m.dir.clone()).collect();
    let mut frontier: Vec<(PathBuf, PathBuf)> = Vec::new();
    let targets = |m: &Module| -> Vec<(PathBuf, PathBuf)> {
        local_calls(m)
            .into_iter()
            .map(|d| (d, m.root.clone()))
            .collect()
    };
    for m in modules.iter() {
        frontier.extend(targets(m));
    }
    let mut loaded = 0usize;
    while !frontier.is_empty() {
        let mut batch: Vec<(PathBuf, Vec<Discovered>)> = Vec::new();
        let mut again: Vec<usize> = Vec::new();
        for (dir, root) in std::mem::take(&mut frontier) {
            if known.contains(&dir) {
                continue;
            }
            if let Some(&i) = early_at.get(&dir) {
                known.insert(dir);
                again.push(i);
                continue;
            }
            if loaded + batch.len() >= MAX_CALLED_DIRS {
                continue;
            }
            known.insert(dir.clone());
            let files = module_files(&dir, &root);
            if !files.is_empty() {
                batch.push((dir, files));
            }
        }
        loaded += batch.len();
        for &i in &again {
            if let Some((_, part)) = early.get_mut(i) {
                *part = None;
            }
        }
        let early = &*early;
        let new: Vec<Module> = batch
            .par_iter()
            .map(|(dir, files)| {
                let refs: Vec<&Discovered> = files.iter().collect();
                module::load(dir, &refs, ctx.sources)
            })
            .chain(
                again
                    .par_iter()
                    .filter_map(|&i| early.get(i).map(|(f, _)| f.reparse())),
            )
            .collect();
        for m in &new {
            frontier.extend(targets(m));
        }
        modules.extend(new);
    }
}

/// The local directories a module calls.
fn local_calls(m: &Module) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for &ci in &m.call_order {
        let Some(b) = m.block(ci) else { continue };
        let Some(src) = b.body.attr("source").and_then(|a| a.expr.as_lit_str()) else {
            continue;
        };
        let s = src.text.as_str();
        if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." {
            let d = module::join_source(&m.dir, s);
            if d != m.dir {
                out.push(d);
            }
        }
    }
    out
}

/// The Terraform files of a directory not walked by discovery (sorted; no subdirectories).
fn module_files(dir: &Path, root: &Path) -> Vec<Discovered> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let cwd = std::env::current_dir().ok();
    let mut out: Vec<Discovered> = rd
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let path = e.path();
            let kind = crate::discover::classify(&path)?;
            if !matches!(
                kind,
                crate::discover::FileKind::Terraform | crate::discover::FileKind::TerraformJson
            ) {
                return None;
            }
            let rel = cwd
                .as_deref()
                .and_then(|c| path.strip_prefix(c).ok())
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let rel = rel.strip_prefix("./").map(str::to_string).unwrap_or(rel);
            Some(Discovered {
                path,
                rel,
                kind,
                root: root.to_path_buf(),
            })
        })
        .collect();
    out.sort();
    out
}

/// Directories no scanned module calls, in path order; members of call cycles that no root reaches are
/// roots too (so nothing is skipped).
fn roots(set: &ModuleSet) -> Vec<&Module> {
    let mut calls: HashMap<&Path, Vec<PathBuf>> = HashMap::new();
    let mut called: HashSet<PathBuf> = HashSet::new();
    for m in set.modules.values() {
        let mut targets = Vec::new();
        for &ci in &m.call_order {
            let Some(b) = m.block(ci) else { continue };
            let Some(src) = b.body.attr("source").and_then(|a| a.expr.as_lit_str()) else {
                continue;
            };
            let s = src.text.as_str();
            if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." {
                let d = module::join_source(&m.dir, s);
                if set.modules.contains_key(&d) && d != m.dir {
                    called.insert(d.clone());
                    targets.push(d);
                }
            }
        }
        calls.insert(m.dir.as_path(), targets);
    }
    let mut roots: Vec<&Module> = set
        .modules
        .values()
        .filter(|m| !called.contains(&m.dir) && !is_downloaded(&m.dir))
        .collect();
    // Reachability from the roots; whatever is left (cycles) becomes a root as well.
    let mut seen: HashSet<&Path> = HashSet::new();
    let mut stack: Vec<&Path> = roots.iter().map(|m| m.dir.as_path()).collect();
    while let Some(d) = stack.pop() {
        if !seen.insert(d) {
            continue;
        }
        for t in calls.get(d).into_iter().flatten() {
            stack.push(t.as_path());
        }
    }
    let mut rest: Vec<&Module> = set
        .modules
        .values()
        .filter(|m| !seen.contains(m.dir.as_path()) && !is_downloaded(&m.dir))
        .collect();
    rest.sort_by(|a, b| a.dir.cmp(&b.dir));
    for m in rest {
        if seen.contains(m.dir.as_path()) {
            continue;
        }
        let mut stack = vec![m.dir.as_path()];
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            for t in calls.get(d).into_iter().flatten() {
                stack.push(t.as_path());
            }
        }
        roots.push(m);
    }
    roots.sort_by(|a, b| a.rel.cmp(&b.rel).then(a.dir.cmp(&b.dir)));
    roots
}

/// `--var-file` bodies and `--var` values, parsed once for every root.
#[derive(Default)]
struct CliVars {
    /// In precedence order: var files (in order), then `--var`s.
    bodies: Vec<Body>,
}

impl CliVars {
    fn load(ctx: &FrontendCtx, diags: &mut Vec<Diagnostic>) -> CliVars {
        let mut out = CliVars::default();
        for p in &ctx.options.var_files {
            let rel = p.to_string_lossy().replace('\\', "/");
            match module::read_source(p, &rel, ctx.sources) {
                Ok(f) => {
                    let json = rel.to_ascii_lowercase().ends_with(".json");
                    if let Some(b) = module::parse_tfvars(&f, json, diags) {
                        out.bodies.push(b);
                    }
                }
                Err(d) => diags.push(d),
            }
        }
        let mut cli = Body::default();
        for (k, v) in &ctx.options.vars {
            let text = format!("{k}={v}");
            let f = ctx
                .sources
                .add(PathBuf::from("--var"), "--var".into(), text);
            let vstart = k.len() + 1;
            let vspan = f.span(vstart, f.text.len());
            let parsed = module::parse_hcl(&f)
                .ok()
                .and_then(|b| b.attrs.into_iter().next())
                .filter(|a| a.name == *k && is_literal(&a.expr));
            let expr = match parsed {
                Some(a) => a.expr,
                // Not an HCL literal: the text itself (Terraform reads string variables this way).
                None => Expr::Template(Box::new(ast::Template {
                    parts: vec![ast::TPart::Lit(Str::lit(v.clone(), Some(vspan)))],
                    span: vspan,
                })),
            };
            cli.attrs.push(Attr {
                name: k.clone(),
                name_span: f.span(0, k.len()),
                expr,
                span: f.whole(),
            });
        }
        out.bodies.push(cli);
        out
    }
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Null(_) | Expr::Bool(..) | Expr::Number(_) => true,
        Expr::Template(t) => t.parts.iter().all(|p| matches!(p, ast::TPart::Lit(_))),
        Expr::Array(items, _) => items.iter().all(is_literal),
        Expr::Object(entries, _) => entries.iter().all(|(_, v)| is_literal(v)),
        Expr::Unary(_, x, _) => is_literal(x),
        _ => false,
    }
}

/// Values of the root's variables: tfvars files of its directory, then `--var-file`, then `--var`.
fn root_vars(ev: &Eval, root: &Module, cli: &CliVars) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    let scope = Scope::isolated();
    for body in root.tfvars.iter().chain(cli.bodies.iter()) {
        for a in &body.attrs {
            out.insert(a.name.clone(), ev.eval(0, &scope, &a.expr));
        }
    }
    out
}

/// Key of the principal a name or symbolic reference designates, among the given (key, known name).
fn resolve<'a>(
    target: &Str,
    by_key: &'a HashMap<String, usize>,
    by_name: &'a HashMap<String, usize>,
) -> Option<usize> {
    if let Some(sym) = target.as_sym() {
        return match sym {
            Sym::RoleName(k)
            | Sym::RoleArn(k)
            | Sym::UserName(k)
            | Sym::UserArn(k)
            | Sym::GroupArn(k) => by_key.get(k).copied(),
            Sym::Attr { resource, .. } => by_key
                .iter()
                .find(|(k, _)| crate::value::short_key(k) == resource)
                .map(|(_, i)| *i),
            _ => None,
        };
    }
    let text = target.as_known()?;
    // A name, or an ARN whose last path element is the name.
    let name = if text.starts_with("arn:") {
        text.rsplit('/').next().unwrap_or(text)
    } else {
        text
    };
    by_name.get(name).copied()
}

fn index<'a>(
    items: impl Iterator<Item = (&'a str, Option<&'a Str>)>,
) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut by_key = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut dup: HashSet<String> = HashSet::new();
    for (i, (key, name)) in items.enumerate() {
        by_key.insert(key.to_string(), i);
        if let Some(n) = name.and_then(|n| n.as_known()) {
            if by_name.insert(n.to_string(), i).is_some() {
                dup.insert(n.to_string());
            }
        }
    }
    // A name declared twice (e.g. in two environments) matches neither.
    for d in dup {
        by_name.remove(&d);
    }
    (by_key, by_name)
}

/// Whether a statement with principals names an `sts:` action explicitly: a resource policy allowing
/// `"*"` to principals (a bucket policy) is not taken for a trust document of its own.
fn names_sts_action(doc: &crate::policy::PolicyDocument) -> bool {
    doc.statements.iter().any(|s| {
        (s.principals.is_some() || s.not_principals.is_some())
            && s.actions
                .iter()
                .any(|a| a.value.text.to_ascii_lowercase().starts_with("sts:"))
    })
}

/// Merges the roots' results and attaches policies, memberships and attachments to their principals.
fn finish(parts: Vec<Collected>, inv: &mut Inventory) {
    let mut pending = Vec::new();
    let mut candidates = Vec::new();
    let mut used: HashSet<crate::source::Span> = HashSet::new();
    // Reserved once: growing these by doubling copies every role several times over fresh memory.
    let total = |f: fn(&Collected) -> usize| parts.iter().map(f).sum::<usize>();
    inv.roles.reserve(total(|p| p.roles.len()));
    inv.policies.reserve(total(|p| p.policies.len()));
    inv.attachments.reserve(total(|p| p.attachments.len()));
    pending.reserve(total(|p| p.pending.len()));
    candidates.reserve(total(|p| p.doc_candidates.len()));
    used.reserve(total(|p| p.used_doc_headers.len()));
    for p in parts {
        inv.roles.extend(p.roles);
        inv.users.extend(p.users);
        inv.groups.extend(p.groups);
        inv.policies.extend(p.policies);
        inv.attachments.extend(p.attachments);
        inv.instance_profiles.extend(p.instance_profiles);
        inv.oidc_providers.extend(p.oidc_providers);
        inv.diagnostics.extend(p.diagnostics);
        pending.extend(p.pending);
        candidates.extend(p.doc_candidates);
        used.extend(p.used_doc_headers);
    }
    let (role_key, role_name) = index(
        inv.roles
            .iter()
            .map(|r| (r.decl.key.as_str(), r.name.as_ref())),
    );
    let (user_key, user_name) = index(
        inv.users
            .iter()
            .map(|r| (r.decl.key.as_str(), r.name.as_ref())),
    );
    let (group_key, group_name) = index(
        inv.groups
            .iter()
            .map(|r| (r.decl.key.as_str(), r.name.as_ref())),
    );
    let policy_key: HashMap<String, usize> = inv
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| (p.decl.key.clone(), i))
        .collect();
    for p in pending {
        match p {
            Pending::Inline(target, pol) => {
                let slot = match &target {
                    AttachTarget::Role(t) => resolve(t, &role_key, &role_name)
                        .and_then(|i| inv.roles.get_mut(i))
                        .map(|r| &mut r.inline_policies),
                    AttachTarget::User(t) => resolve(t, &user_key, &user_name)
                        .and_then(|i| inv.users.get_mut(i))
                        .map(|r| &mut r.inline_policies),
                    AttachTarget::Group(t) => resolve(t, &group_key, &group_name)
                        .and_then(|i| inv.groups.get_mut(i))
                        .map(|r| &mut r.inline_policies),
                };
                match slot {
                    Some(list) => list.push(*pol),
                    // A principal outside the scan: kept as a policy attached to what it names.
                    None => inv.policies.push(crate::model::ManagedPolicy {
                        decl: pol.decl,
                        name: pol.name,
                        doc: pol.doc,
                        attached_to: vec![target],
                    }),
                }
            }
            Pending::Membership { user, group } => {
                if let Some(u) =
                    resolve(&user, &user_key, &user_name).and_then(|i| inv.users.get_mut(i))
                {
                    u.groups.push(group);
                }
            }
        }
    }
    for a in &inv.attachments {
        let list = match &a.target {
            AttachTarget::Role(t) => resolve(t, &role_key, &role_name)
                .and_then(|i| inv.roles.get_mut(i))
                .map(|r| &mut r.managed_policy_arns),
            AttachTarget::User(t) => resolve(t, &user_key, &user_name)
                .and_then(|i| inv.users.get_mut(i))
                .map(|r| &mut r.managed_policy_arns),
            AttachTarget::Group(t) => resolve(t, &group_key, &group_name)
                .and_then(|i| inv.groups.get_mut(i))
                .map(|r| &mut r.managed_policy_arns),
        };
        if let Some(list) = list {
            list.push(a.policy_arn.clone());
        }
        if let Some(Sym::PolicyArn(k)) = a.policy_arn.as_sym() {
            if let Some(p) = policy_key.get(k).and_then(|&i| inv.policies.get_mut(i)) {
                p.attached_to.push(a.target.clone());
            }
        }
    }
    let standalone: Vec<StandaloneTrust> = candidates
        .into_par_iter()
        .filter(|(decl, v)| {
            !(v.span().is_some_and(|s| used.contains(&s)) || used.contains(&decl.span))
        })
        .filter_map(|(decl, v)| {
            let doc = build::document_from_value(&v);
            (crate::policy::semantics::is_trust_document(&doc) && names_sts_action(&doc))
                .then_some(StandaloneTrust { decl, doc })
        })
        .collect();
    inv.standalone_trusts.extend(standalone);
}
