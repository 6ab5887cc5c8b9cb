//! Smoke test over the real plan files of the shared corpus (`kind` = `plan-json` in manifest.tsv): every
//! file is recognised and scans without panicking, each `aws_iam_role` instance is analysed exactly once, and
//! the numbers (roles, unknowns, diagnostics) are printed. Skips cleanly when the corpus is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use trustlint::model::Diagnostic;
use trustlint::plan;
use trustlint::source::SourceMap;

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    root.join("manifest.tsv").exists().then_some(root)
}

fn plan_files(root: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).unwrap_or_default();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let kind_col = header.iter().position(|h| *h == "kind").unwrap_or(3);
    lines
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(kind_col) == Some(&"plan-json")).then(|| cols[0].to_string())
        })
        .collect()
}

/// The managed `aws_iam_role` instances that exist after apply, counted independently of the front end
/// (a generic JSON tree is fine for these small test files).
fn expected_roles(text: &str) -> BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut out = BTreeSet::new();
    fn walk(m: &serde_json::Value, out: &mut BTreeSet<String>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            if r["type"] == "aws_iam_role" && r["mode"] == "managed" {
                out.insert(r["address"].as_str().unwrap().to_string());
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    walk(&v["planned_values"]["root_module"], &mut out);
    for rc in v["resource_changes"].as_array().into_iter().flatten() {
        if rc["type"] == "aws_iam_role" && rc["mode"] == "managed" {
            let addr = rc["address"].as_str().unwrap().to_string();
            if rc["change"]["after"].is_null() {
                out.remove(&addr);
            } else {
                out.insert(addr);
            }
        }
    }
    out
}

#[test]
fn corpus_plans_scan_once_per_role_without_panic() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let files = plan_files(&root);
    assert!(!files.is_empty(), "manifest lists no plan-json files");
    let (mut roles, mut unknown_docs, mut unknowns, mut diags, mut docs) = (0, 0, 0, 0, 0);
    let mut statements = 0;
    for rel in &files {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            plan::looks_like_plan(&text),
            "{rel}: not recognised as a plan"
        );
        let expected = expected_roles(&text);
        let sources = SourceMap::new();
        let f = sources.add(path.clone(), rel.clone(), text);
        let inv = plan::analyze_source(&f);
        let got: Vec<&str> = inv.roles.iter().map(|r| r.decl.address.as_str()).collect();
        let got_set: BTreeSet<String> = got.iter().map(|s| s.to_string()).collect();
        assert_eq!(got.len(), got_set.len(), "{rel}: a role was analysed twice");
        assert_eq!(got_set, expected, "{rel}: roles differ");
        for r in &inv.roles {
            assert_eq!(
                &f.text[r.decl.span.range()],
                r.decl.address.replace('"', "\\\"")
            );
            if let Some(t) = &r.trust {
                docs += 1;
                statements += t.doc.statements.len();
                for p in &t.doc.problems {
                    assert!(
                        !p.message.contains("invalid policy JSON"),
                        "{rel}: {}: {}",
                        r.decl.address,
                        p.message
                    );
                }
                let mut parts = Vec::new();
                for st in &t.doc.statements {
                    for e in st.principal_entries() {
                        parts.extend(e.value.unknowns().cloned());
                    }
                    for c in &st.conditions {
                        parts.extend(c.key.unknowns().cloned());
                        for v in &c.values {
                            parts.extend(v.value.unknowns().cloned());
                        }
                    }
                }
                if !t.doc.unknowns.is_empty() || !parts.is_empty() {
                    unknown_docs += 1;
                    unknowns += t.doc.unknowns.len() + parts.len();
                }
                for u in t.doc.unknowns.iter().chain(&parts) {
                    eprintln!("  unknown in {}: {} ({})", r.decl.address, u.expr, u.why);
                }
            }
        }
        for d in &inv.diagnostics {
            diags += 1;
            if let Diagnostic::ParseError { message, .. } = d {
                panic!("{rel}: parse error {message}");
            }
        }
        roles += inv.roles.len();
        eprintln!(
            "{rel}: roles {} trust docs {} unknown trust docs {} standalone {} policies {} attachments {} diagnostics {}",
            inv.roles.len(),
            inv.roles.iter().filter(|r| r.trust.is_some()).count(),
            inv.roles
                .iter()
                .filter(|r| r.trust.as_ref().is_some_and(|t| !t.doc.unknowns.is_empty()))
                .count(),
            inv.standalone_trusts.len(),
            inv.policies.len(),
            inv.attachments.len(),
            inv.diagnostics.len()
        );
    }
    eprintln!(
        "corpus plans: files {} roles {roles} trust docs {docs} statements {statements} trust docs with unknown parts {unknown_docs} unknowns {unknowns} diagnostics {diags}",
        files.len()
    );
}

#[test]
fn corpus_plans_scan_through_the_whole_pipeline() {
    let Some(root) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    for rel in plan_files(&root) {
        let out = trustlint::scan_paths(&[root.join(&rel)], &Default::default()).unwrap();
        assert!(out.inventory.files >= 1, "{rel}: not analysed");
        let mut by_rule = std::collections::BTreeMap::new();
        for f in &out.findings {
            *by_rule.entry(f.rule_id).or_insert(0) += 1;
            // Findings point into the plan file.
            assert!(
                out.sources.get(f.primary.file).rel.ends_with(".json"),
                "{rel}: {f:?}"
            );
        }
        eprintln!("{rel}: findings {by_rule:?}");
    }
}
