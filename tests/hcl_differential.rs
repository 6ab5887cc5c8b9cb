//! The fast HCL parser against the reference (hcl-edit, lowered): on every Terraform file of the shared
//! corpus and of the fixtures, whenever the fast parser accepts a file, hcl-edit must accept it too and
//! the two syntax trees must be identical (spans and string provenance included). Files the fast parser
//! declines go through hcl-edit in the scanner, so a decline costs time, never correctness; the corpus
//! check also keeps declines rare.
//!
//! `TRUSTLINT_HCL_DIFF_DIR` adds every file under another directory (e.g. a fuzzing corpus).

use std::path::{Path, PathBuf};
use trustlint::source::SourceMap;
use trustlint::terraform::{fastparse, module};

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    accepted: usize,
    /// Declined although hcl-edit accepts.
    declined_valid: Vec<PathBuf>,
    /// hcl-edit rejects (the fast parser must decline).
    invalid: usize,
}

fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}

fn is_hcl(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tfvars")
}

/// Compares both parsers on one text; panics on any disagreement.
fn compare(label: &str, text: &str, tally: &mut Tally) {
    let map = SourceMap::new();
    let file = map.add(label.into(), label.into(), text.to_string());
    let fast = fastparse::parse(file.id, &file.text);
    let reference = module::parse_hcl_reference(&file);
    tally.files += 1;
    match (fast, reference) {
        (Some(f), Ok(r)) => {
            let (f, r) = (format!("{f:#?}"), format!("{r:#?}"));
            if f != r {
                let at = f
                    .lines()
                    .zip(r.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let ctx = |s: &str| -> String {
                    s.lines()
                        .skip(at.saturating_sub(12))
                        .take(18)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                panic!(
                    "{label}: fast parser and hcl-edit disagree at line {at}\n--- fast\n{}\n--- hcl-edit\n{}",
                    ctx(&f),
                    ctx(&r)
                );
            }
            tally.accepted += 1;
        }
        (Some(_), Err(d)) => {
            panic!("{label}: the fast parser accepts what hcl-edit rejects: {d:?}")
        }
        (None, Ok(_)) => tally.declined_valid.push(PathBuf::from(label)),
        (None, Err(_)) => tally.invalid += 1,
    }
}

fn compare_files(files: &[PathBuf]) -> Tally {
    let mut tally = Tally::default();
    for p in files {
        let Ok(bytes) = std::fs::read(p) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        compare(&p.display().to_string(), &text, &mut tally);
    }
    tally
}

#[test]
fn fast_parser_matches_hcl_edit_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("no corpus at {}: skipped", corpus.display());
        return;
    }
    let mut files = Vec::new();
    walk(&corpus, &is_hcl, &mut files);
    let t = compare_files(&files);
    let valid = t.accepted + t.declined_valid.len();
    eprintln!(
        "corpus: {} files, {} accepted by the fast parser, {} declined of {valid} hcl-edit accepts, {} invalid",
        t.files,
        t.accepted,
        t.declined_valid.len(),
        t.invalid
    );
    for p in &t.declined_valid {
        eprintln!("  declined: {}", p.display());
    }
    assert!(valid > 0);
    // Declines are correct but slow: keep them to under 1% of the valid corpus files.
    assert!(
        t.declined_valid.len() * 100 <= valid,
        "{} of {valid} valid corpus files declined: {:#?}",
        t.declined_valid.len(),
        t.declined_valid
    );
}

#[test]
fn fast_parser_matches_hcl_edit_on_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    walk(&root, &is_hcl, &mut files);
    let t = compare_files(&files);
    eprintln!(
        "fixtures: {} files, {} accepted, {} declined valid, {} invalid",
        t.files,
        t.accepted,
        t.declined_valid.len(),
        t.invalid
    );
    assert!(t.files > 50, "{t:?}");
    assert!(t.accepted > 0, "{t:?}");
}

#[test]
fn fast_parser_matches_hcl_edit_on_an_extra_directory() {
    let Some(dir) = std::env::var_os("TRUSTLINT_HCL_DIFF_DIR") else {
        return;
    };
    let mut files = Vec::new();
    walk(Path::new(&dir), &|_| true, &mut files);
    let t = compare_files(&files);
    eprintln!(
        "{}: {} files, {} accepted, {} declined valid, {} invalid",
        Path::new(&dir).display(),
        t.files,
        t.accepted,
        t.declined_valid.len(),
        t.invalid
    );
    for p in t.declined_valid.iter().take(50) {
        eprintln!("  declined: {}", p.display());
    }
}
