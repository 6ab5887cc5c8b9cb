//! Every rule has failing and passing fixtures under `testdata/rules/<ID>/<case>/`. The binary scans each case
//! directory (with its own `.trustlint.yml`) and the findings of that rule must be exactly the expected ones:
//! lines marked `expect: TL0xx` in a comment, plus `FILE:LINE ID` lines of an `expect.txt` (for places a comment
//! cannot go, such as inside a heredoc or a JSON file). A `pass*` case expects nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
mod fixture_support;
use fixture_support::actual;

fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).expect("testdata/rules exists") {
        let rule = rule.expect("readable dir entry").path();
        let id = rule.file_name().unwrap().to_string_lossy().to_string();
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

fn expected(id: &str, dir: &Path) -> BTreeSet<(String, u64)> {
    let mut set = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixture dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
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
    }
    set
}

#[test]
fn every_rule_fixture_gives_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 30, "fixtures are missing: {}", all.len());
    for (id, dir) in &all {
        let exp = expected(id, dir);
        let case = dir.file_name().unwrap().to_string_lossy();
        if case.starts_with("fail") {
            assert!(
                !exp.is_empty(),
                "{}: a failing case needs expectations",
                dir.display()
            );
        } else {
            assert!(
                exp.is_empty(),
                "{}: a passing case expects nothing",
                dir.display()
            );
        }
        let act = actual(id, dir);
        if exp != act {
            failures.push(format!(
                "{id} {}: expected {:?}, got {:?}",
                dir.display(),
                exp,
                act
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_of_the_catalogue_has_fixtures() {
    let ids: BTreeSet<String> = cases().into_iter().map(|(id, _)| id).collect();
    for rule in trustlint::rules::registry() {
        let id = rule.meta().id;
        assert!(
            ids.contains(id),
            "rule {id} has no fixtures in testdata/rules"
        );
    }
}
