//! Shared harness for trustlint's fuzz targets: fuzz input becomes one or more files in a private scratch
//! directory, which the real pipeline (discovery, front ends, rules, suppressions, every report) scans.
//!
//! A multi-file input separates files with lines `#@ relative/path`; the text before the first such line is
//! the default file. Paths are sanitised so nothing is written outside the scratch directory.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const MAX_FILES: usize = 8;

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("trustlint-fuzz-")
            .tempdir_in(base)
            .map(|d| d.keep())
            .unwrap_or_else(|e| panic!("cannot create the scratch directory: {e}"));
        dir
    })
}

/// A relative path made of safe components only, or `None`.
fn sanitise(name: &[u8]) -> Option<PathBuf> {
    let name = std::str::from_utf8(name).ok()?.trim();
    let mut out = PathBuf::new();
    for comp in name.split('/') {
        if comp.is_empty() || comp == "." || comp == ".." || comp.len() > 40 {
            return None;
        }
        if !comp
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return None;
        }
        out.push(comp);
    }
    (out.components().count() <= 4 && !out.as_os_str().is_empty()).then_some(out)
}

/// Splits `data` into (path, contents) pairs; the first file is `default_name`.
pub fn split_files(data: &[u8], default_name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(PathBuf::from(default_name), Vec::new())];
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"#@ ") {
            if files.len() < MAX_FILES {
                if let Some(p) = sanitise(rest) {
                    files.push((p, Vec::new()));
                    continue;
                }
            }
        }
        if let Some((_, buf)) = files.last_mut() {
            buf.extend_from_slice(line);
        }
    }
    files
}

/// Writes the files into a fresh tree and runs a whole scan and every report over it.
pub fn scan_files(files: &[(PathBuf, Vec<u8>)]) {
    let root = scratch().join("tree");
    let _ = std::fs::remove_dir_all(&root);
    for (p, text) in files {
        let path = root.join(p);
        if let Some(parent) = path.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&path, text);
    }
    let opts = trustlint::ScanOptions {
        paths: vec![root.clone()],
        ..Default::default()
    };
    let Ok(out) = trustlint::scan(&opts) else {
        return;
    };
    let _ = trustlint::report::json::render(&out);
    let _ = trustlint::report::sarif::render(&out);
    let _ = trustlint::report::text::render(&out, false);
    let _ = trustlint::report::github::render(&out);
    let _ = trustlint::report::markdown::render(&out, &trustlint::report::markdown::Links { base: None });
}

/// One file named `name` holding `data` (plus any `#@` files), scanned.
pub fn scan_one(data: &[u8], name: &str) {
    scan_files(&split_files(data, name));
}
