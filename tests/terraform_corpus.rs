//! Smoke test over the real-world corpus (`../shared/corpus`): every Terraform file listed in the manifest
//! goes through the front end without panicking; parse errors, roles and unresolved parts are reported.
//! Skips cleanly when the corpus is absent. Run with `--nocapture` to see the figures.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;
use trustlint::discover::{classify, Discovered, FileKind};
use trustlint::model::Diagnostic;
use trustlint::source::SourceMap;
use trustlint::{FrontendCtx, ScanOptions};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.join("manifest.tsv").is_file().then_some(p)
}

#[test]
fn corpus_terraform_smoke() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent, skipped");
        return;
    };
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).unwrap();
    let mut files = Vec::new();
    let mut declared_roles = 0usize;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(path), Some(kind)) = (cols.first(), cols.get(3)) else {
            continue;
        };
        if !matches!(*kind, "terraform" | "tfvars") {
            continue;
        }
        let full = root.join(path);
        let Some(k) = classify(&full) else { continue };
        if !matches!(
            k,
            FileKind::Terraform | FileKind::TerraformJson | FileKind::Tfvars
        ) {
            continue;
        }
        if k == FileKind::Terraform {
            let text = std::fs::read_to_string(&full).unwrap_or_default();
            declared_roles += text.matches("resource \"aws_iam_role\"").count();
        }
        let repo = path.split('/').next().unwrap();
        files.push(Discovered {
            path: full,
            rel: path.to_string(),
            kind: k,
            root: root.join(repo),
        });
    }
    let refs: Vec<&Discovered> = files.iter().collect();
    let sources = SourceMap::new();
    let options = ScanOptions::default();
    let ctx = FrontendCtx {
        sources: &sources,
        options: &options,
    };
    let started = Instant::now();
    let inv = trustlint::terraform::analyze(&refs, &ctx);
    let elapsed = started.elapsed();

    let mut parse_errors = Vec::new();
    let mut unresolved: BTreeMap<String, usize> = BTreeMap::new();
    for d in &inv.diagnostics {
        match d {
            Diagnostic::ParseError { message, span, .. } => {
                let f = sources.get(span.file);
                let p = f.position(span.start);
                parse_errors.push(format!("{}:{}:{}: {message}", f.rel, p.line, p.col));
            }
            Diagnostic::Unresolved { unknown, .. } => {
                *unresolved.entry(unknown.why.clone()).or_default() += 1;
            }
        }
    }
    let mut reasons: HashMap<String, usize> = HashMap::new();
    let mut unknown_trust = 0usize;
    let mut no_statements = 0usize;
    for r in &inv.roles {
        if let Some(t) = &r.trust {
            if !t.doc.unknowns.is_empty() {
                unknown_trust += 1;
            }
            if t.doc.statements.is_empty() {
                no_statements += 1;
                if std::env::var("TL_DEBUG").is_ok_and(|f| f == "empty") {
                    let f = sources.get(r.decl.span.file);
                    eprintln!(
                        "  [{}] no statements @ {}:{} problems={:?} unknowns={:?}",
                        r.decl.address,
                        f.rel,
                        f.position(r.decl.span.start).line,
                        t.doc
                            .problems
                            .iter()
                            .map(|p| &p.message)
                            .collect::<Vec<_>>(),
                        t.doc.unknowns.iter().map(|u| &u.why).collect::<Vec<_>>()
                    );
                }
            }
            if std::env::var("TL_DEBUG").is_ok_and(|f| f == "problems") {
                for p in &t.doc.problems {
                    let loc = p
                        .span
                        .map(|sp| {
                            let f = sources.get(sp.file);
                            format!("{}:{}", f.rel, f.position(sp.start).line)
                        })
                        .unwrap_or_default();
                    eprintln!("  problem [{}] {} @ {loc}", r.decl.address, p.message);
                }
            }
            for u in &t.doc.unknowns {
                if std::env::var("TL_DEBUG").is_ok_and(|f| u.why.contains(&f)) {
                    let loc = u
                        .span
                        .map(|sp| {
                            let f = sources.get(sp.file);
                            let p = f.position(sp.start);
                            format!("{}:{}", f.rel, p.line)
                        })
                        .unwrap_or_default();
                    eprintln!("  [{}] {} :: {} @ {loc}", r.decl.address, u.expr, u.why);
                }
                let why = u.why.split(" (").next().unwrap_or(&u.why).to_string();
                *reasons.entry(why).or_default() += 1;
            }
        }
    }
    let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    eprintln!(
        "terraform corpus: {} files, {} roles found ({} `resource \"aws_iam_role\"` blocks), {} standalone trust documents, {} parse errors, {:?}",
        inv.files,
        inv.roles.len(),
        declared_roles,
        inv.standalone_trusts.len(),
        parse_errors.len(),
        elapsed
    );
    // Role blocks that produced no role at all (none of their instances was analysed).
    let mut found: std::collections::HashSet<(String, u32)> = std::collections::HashSet::new();
    for r in &inv.roles {
        let f = sources.get(r.decl.span.file);
        found.insert((f.rel.clone(), f.position(r.decl.span.start).line));
    }
    let mut missing = Vec::new();
    for f in &files {
        if f.kind != FileKind::Terraform {
            continue;
        }
        let text = std::fs::read_to_string(&f.path).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("resource \"aws_iam_role\"")
                && !found.contains(&(f.rel.clone(), i as u32 + 1))
            {
                missing.push(format!("{}:{}", f.rel, i + 1));
            }
        }
    }
    eprintln!(
        "role blocks without any analysed instance: {}",
        missing.len()
    );
    if std::env::var("TL_DEBUG").is_ok_and(|f| f == "missing") {
        for m in &missing {
            eprintln!("  missing {m}");
        }
    }
    eprintln!("roles with unknown parts in trust: {unknown_trust}; trust without statements: {no_statements}");
    if std::env::var("TL_DEBUG").is_ok_and(|f| f == "standalone") {
        for t in &inv.standalone_trusts {
            let f = sources.get(t.decl.span.file);
            eprintln!(
                "  standalone {} @ {}:{}",
                t.decl.address,
                f.rel,
                f.position(t.decl.span.start).line
            );
        }
    }
    for e in &parse_errors {
        eprintln!("  TL900 {e}");
    }
    eprintln!("top unknown reasons in trust documents:");
    for (why, n) in reasons.iter().take(20) {
        eprintln!("  {n:5}  {why}");
    }
    eprintln!("module calls not resolved:");
    for (why, n) in &unresolved {
        eprintln!("  {n:5}  {why}");
    }
    assert!(
        inv.files > 1000,
        "expected the corpus's Terraform files, got {}",
        inv.files
    );
    assert!(
        inv.roles.len() * 2 > declared_roles,
        "too few roles: {}",
        inv.roles.len()
    );
}

/// Truncated and byte-flipped copies of corpus files never make the front end panic or hang.
#[test]
fn corpus_mutations_do_not_panic() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent, skipped");
        return;
    };
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).unwrap();
    let tf: Vec<PathBuf> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|p| p.ends_with(".tf"))
        .map(|p| root.join(p))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0usize;
    for (i, path) in tf.iter().enumerate().step_by(17).take(120) {
        let Ok(text) = std::fs::read(path) else {
            continue;
        };
        for (j, cut) in [text.len() / 3, text.len() / 2, text.len() * 4 / 5]
            .into_iter()
            .enumerate()
        {
            let dir = tmp.path().join(format!("m{i}_{j}"));
            std::fs::create_dir_all(&dir).unwrap();
            let mut bytes = text[..cut].to_vec();
            // Flip one byte after the cut point of the other files' copies.
            if let Some(b) = bytes.get_mut(cut / 2) {
                *b = b"{}\"$[(=\n"[(i + j) % 8];
            }
            std::fs::write(dir.join("main.tf"), &bytes).unwrap();
            n += 1;
        }
    }
    let files = trustlint::discover::discover(&[tmp.path().to_path_buf()], &[]).unwrap();
    let refs: Vec<&Discovered> = files.iter().collect();
    let sources = SourceMap::new();
    let options = ScanOptions::default();
    let ctx = FrontendCtx {
        sources: &sources,
        options: &options,
    };
    let inv = trustlint::terraform::analyze(&refs, &ctx);
    assert_eq!(inv.files, n);
}
