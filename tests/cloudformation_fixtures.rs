//! CloudFormation fixtures for every rule: `testdata/cloudformation/<ID>/<case>/`, in YAML (`*-yaml`) and
//! JSON (`*-json`). Expected findings are lines marked `expect: TL0xx` in a comment, plus `FILE:LINE ID` lines
//! of an `expect.txt` (JSON has no comments); a `pass*` case expects nothing of its rule.
//!
//! The front-end tests check the inventory; the end-to-end test runs the binary on each case whose rule is in
//! the registry.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
mod fixture_support;
use fixture_support::actual;
use trustlint::discover::{classify, Discovered};
use trustlint::model::Diagnostic;
use trustlint::source::SourceMap;
use trustlint::{cloudformation, FrontendCtx, ScanOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cloudformation")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for rule in std::fs::read_dir(root()).expect("testdata/cloudformation exists") {
        let rule = rule.expect("readable dir entry").path();
        let Some(id) = rule.file_name().map(|n| n.to_string_lossy().to_string()) else {
            continue;
        };
        if !rule.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&rule).expect("rule dir") {
            let case = case.expect("readable dir entry").path();
            if case.is_dir() {
                out.push((id.clone(), case));
            }
        }
    }
    out.sort();
    out
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("case dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn expected(id: &str, dir: &Path) -> BTreeSet<(String, u64)> {
    let mut set = BTreeSet::new();
    for p in files(dir) {
        let rel = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if rel == "expect.txt" {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let (loc, rule) = line.split_once(' ').expect("FILE:LINE ID");
                let (file, n) = loc.rsplit_once(':').expect("FILE:LINE");
                if rule.trim() == id {
                    set.insert((file.to_string(), n.parse().expect("line number")));
                }
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find("expect: ") {
                let ids = &line[pos + "expect: ".len()..];
                if ids.split(',').any(|s| s.trim() == id) {
                    set.insert((rel.clone(), i as u64 + 1));
                }
            }
        }
    }
    set
}

#[test]
fn fixtures_cover_every_rule_in_yaml_and_json() {
    let all = cases();
    for id in [
        "TL001", "TL002", "TL010", "TL011", "TL012", "TL013", "TL014", "TL015", "TL020", "TL021",
        "TL040", "TL041", "TL050", "TL900", "TL901",
    ] {
        for case in ["fail-yaml", "pass-yaml", "fail-json", "pass-json"] {
            assert!(
                all.iter()
                    .any(|(r, d)| r == id && d.file_name().is_some_and(|n| n == case)),
                "{id}/{case} is missing"
            );
        }
    }
    for (id, dir) in &all {
        let exp = expected(id, dir);
        let fail = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("fail"));
        assert_eq!(fail, !exp.is_empty(), "{}", dir.display());
    }
}

/// Every fixture template loads, declares what it analyses, and only the TL900 cases have parse errors.
#[test]
fn fixtures_load_through_the_front_end() {
    for (id, dir) in cases() {
        for path in files(&dir) {
            let Some(kind) = classify(&path) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).expect("fixture");
            if !cloudformation::looks_like_template(&text) {
                continue;
            }
            let options = ScanOptions::default();
            let sources = SourceMap::new();
            let ctx = FrontendCtx {
                sources: &sources,
                options: &options,
            };
            let name = path.file_name().unwrap().to_string_lossy().to_string(); // ok: files have names
            let d = Discovered {
                path: path.clone(),
                rel: name.clone(),
                kind,
                root: dir.clone(),
            };
            let declared = text.matches("AWS::IAM::Role").count();
            let inv = cloudformation::analyze(&d, text, &ctx);
            assert_eq!(inv.files, 1, "{}", path.display());
            let parse_errors = inv
                .diagnostics
                .iter()
                .filter(|d| matches!(d, Diagnostic::ParseError { .. }))
                .count();
            if name.starts_with("broken") {
                assert_eq!(parse_errors, 1, "{}", path.display());
                continue;
            }
            assert_eq!(parse_errors, 0, "{} ({id})", path.display());
            assert!(
                inv.roles.len() >= declared,
                "{}: {} roles of {declared}",
                path.display(),
                inv.roles.len()
            );
        }
    }
}

#[test]
fn every_cloudformation_fixture_gives_exactly_its_expected_findings() {
    let registered: BTreeSet<&str> = trustlint::rules::registry()
        .into_iter()
        .map(|r| r.meta().id)
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (id, dir) in cases() {
        if !registered.contains(id.as_str()) {
            continue;
        }
        checked += 1;
        let exp = expected(&id, &dir);
        let act = actual(&id, &dir);
        if exp != act {
            failures.push(format!(
                "{id} {}: expected {:?}, got {:?}",
                dir.display(),
                exp,
                act
            ));
        }
    }
    eprintln!("CloudFormation fixture cases checked end to end: {checked}");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
