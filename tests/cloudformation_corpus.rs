//! Smoke test over the CloudFormation, SAM and CDK files of the shared corpus (skipped when it is absent):
//! no panic, every declared `AWS::IAM::Role` analysed, parse errors only where the file is really malformed.
//! Prints the figures (files, roles, parse errors, unknowns and their top reasons, time); run with
//! `cargo test --test cloudformation_corpus -- --nocapture` to see them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trustlint::discover::{classify, Discovered};
use trustlint::model::Diagnostic;
use trustlint::source::SourceMap;
use trustlint::value::Unknown;
use trustlint::{cloudformation, FrontendCtx, ScanOptions};

/// Files of the corpus that are not valid templates (checked by hand): their TL900 is right.
const MALFORMED: &[(&str, &str)] = &[(
    "bridgecrewio__checkov/tests/cloudformation/parser/success_triple_quotes_string.json",
    "Python-style \"\"\"triple quotes\"\"\" are not JSON; CloudFormation rejects the template too",
)];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.join("manifest.tsv").is_file().then_some(p)
}

/// `Type: AWS::IAM::Role` declarations written in the text (YAML or JSON).
fn declared_roles(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let t = l.trim().trim_end_matches(',');
            let t = t.trim_start_matches('"');
            let Some(rest) = t.strip_prefix("Type") else {
                return false;
            };
            let rest = rest.trim_start_matches('"').trim_start();
            let Some(v) = rest.strip_prefix(':') else {
                return false;
            };
            let v = v.trim().trim_matches(['"', '\'']);
            v == "AWS::IAM::Role"
        })
        .count()
}

/// "parameter Foo has no default" and "parameter Bar has no default" are one reason.
fn reason(u: &Unknown) -> String {
    let mut why = u.why.clone();
    for w in u
        .expr
        .split(|c: char| c.is_whitespace() || "${}[],".contains(c))
        .filter(|w| w.len() > 1 && !w.starts_with("Fn::") && *w != "Ref")
    {
        why = why.replace(w, "X");
    }
    why
}

#[test]
fn corpus_templates_scan_without_panic() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).expect("manifest");
    let files: Vec<(String, String)> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let kind = *cols.get(3)?;
            matches!(
                kind,
                "cloudformation-yaml" | "cloudformation-json" | "sam" | "cdk"
            )
            .then(|| (cols[0].to_string(), kind.to_string()))
        })
        .collect();
    assert!(!files.is_empty());

    let options = ScanOptions::default();
    let sources = SourceMap::new();
    let ctx = FrontendCtx {
        sources: &sources,
        options: &options,
    };
    let started = Instant::now();
    let mut analysed = 0usize;
    let mut not_routed = Vec::new();
    let mut not_template = Vec::new();
    let mut roles = 0usize;
    let mut sam_roles = 0usize;
    let mut parse_errors = Vec::new();
    let mut unknowns: Vec<Unknown> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut role_mismatch = Vec::new();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (rel, kind) in &files {
        let path = root.join(rel);
        let Some(fkind) = classify(&path) else {
            not_routed.push(rel.clone());
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("utf-8 corpus file");
        if !cloudformation::looks_like_template(&text) {
            not_routed.push(rel.clone());
            continue;
        }
        let declared = declared_roles(&text);
        let d = Discovered {
            path: path.clone(),
            rel: rel.clone(),
            kind: fkind,
            root: root.clone(),
        };
        let inv = cloudformation::analyze(&d, text, &ctx);
        if inv.files == 0 {
            not_template.push(rel.clone());
            continue;
        }
        analysed += 1;
        // A declared role's span is its own logical ID; a SAM-generated one's is its function's.
        let file = sources.all().into_iter().rev().find(|f| &f.rel == rel);
        let explicit = inv
            .roles
            .iter()
            .filter(|r| {
                let id = r.decl.key.rsplit_once("::").map(|x| x.1).unwrap_or("");
                file.as_ref().is_some_and(|f| f.slice(r.decl.span) == id)
            })
            .count();
        roles += inv.roles.len();
        sam_roles += inv.roles.len() - explicit;
        let e = by_kind.entry(kind.clone()).or_default();
        e.0 += 1;
        e.1 += inv.roles.len();
        let has_parse_error = inv
            .diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::ParseError { .. }));
        if explicit != declared && !has_parse_error {
            role_mismatch.push(format!("{rel}: declared {declared}, analysed {explicit}"));
        }
        for d in &inv.diagnostics {
            match d {
                Diagnostic::ParseError { message, .. } => {
                    parse_errors.push(format!("{rel}: {message}"))
                }
                Diagnostic::Unresolved { unknown, .. } => unknowns.push(unknown.clone()),
            }
        }
        let mut docs = Vec::new();
        for r in &inv.roles {
            unknowns.extend(r.unknowns.iter().cloned());
            if let Some(t) = &r.trust {
                docs.push(&t.doc);
            }
            docs.extend(r.inline_policies.iter().map(|p| &p.doc));
        }
        docs.extend(inv.policies.iter().map(|p| &p.doc));
        for u in &inv.users {
            docs.extend(u.inline_policies.iter().map(|p| &p.doc));
        }
        for d in docs {
            unknowns.extend(d.unknowns.iter().cloned());
            for p in &d.problems {
                let at = p
                    .span
                    .map(|s| {
                        let pos = sources.position(s.file, s.start);
                        format!("{}:{}", pos.line, pos.col)
                    })
                    .unwrap_or_default();
                problems.push(format!("{rel}:{at}: {}", p.message));
            }
        }
    }
    let elapsed = started.elapsed();

    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for u in &unknowns {
        *reasons.entry(reason(u)).or_default() += 1;
    }
    let mut top: Vec<(String, usize)> = reasons.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    println!("corpus CloudFormation/SAM/CDK files: {}", files.len());
    println!("  analysed as templates: {analysed}");
    println!("  by kind (files, roles): {by_kind:?}");
    println!("  not routed (no textual signal): {}", not_routed.len());
    for f in &not_routed {
        println!("    {f}");
    }
    println!("  loaded but not a template: {}", not_template.len());
    for f in &not_template {
        println!("    {f}");
    }
    println!("  roles: {roles} (SAM generated: {sam_roles})");
    println!("  parse errors (TL900): {}", parse_errors.len());
    for p in &parse_errors {
        println!("    {p}");
    }
    println!("  policy document problems (TL900): {}", problems.len());
    for p in &problems {
        println!("    {p}");
    }
    println!("  unknowns: {}", unknowns.len());
    for (why, n) in top.iter().take(12) {
        println!("    {n:5}  {why}");
    }
    for u in unknowns
        .iter()
        .filter(|u| u.why.contains("neither a parameter"))
        .take(12)
    {
        println!("      e.g. {}: {}", u.expr, u.why);
    }
    println!("  role count mismatches: {}", role_mismatch.len());
    for m in &role_mismatch {
        println!("    {m}");
    }
    println!("  time: {:.2?}", elapsed);

    for p in &parse_errors {
        assert!(
            MALFORMED.iter().any(|(f, _)| p.starts_with(f)),
            "unexpected parse error: {p}"
        );
    }
    assert!(role_mismatch.is_empty(), "{role_mismatch:?}");
}
