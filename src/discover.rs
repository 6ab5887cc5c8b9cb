//! Walking the scan paths and classifying files (SPEC §1).

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// What a file looks like by its name. Content decides between CloudFormation, plan JSON and neither.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `*.tf`
    Terraform,
    /// `*.tf.json`
    TerraformJson,
    /// `terraform.tfvars`, `*.auto.tfvars` (and `.json` forms): read by the Terraform front end.
    Tfvars,
    /// `*.yaml`, `*.yml`
    Yaml,
    /// `*.json` (CloudFormation or plan)
    Json,
    /// `*.template` (CloudFormation, YAML or JSON)
    Template,
}

/// One file to look at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    pub path: PathBuf,
    /// Path relative to the working directory (or as given), `/`-separated: what reports show.
    pub rel: String,
    pub kind: FileKind,
    /// The scan root it was found under: `file()` and `templatefile()` may not read outside it.
    pub root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("invalid --exclude glob {glob:?}: {message}")]
    Glob { glob: String, message: String },
}

/// Classifies a file name.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf.json") {
        Some(FileKind::TerraformJson)
    } else if lower.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else if lower == "terraform.tfvars"
        || lower == "terraform.tfvars.json"
        || lower.ends_with(".auto.tfvars")
        || lower.ends_with(".auto.tfvars.json")
    {
        Some(FileKind::Tfvars)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(FileKind::Yaml)
    } else if lower.ends_with(".json") {
        Some(FileKind::Json)
    } else if lower.ends_with(".template") {
        Some(FileKind::Template)
    } else {
        None
    }
}

/// Directories never entered.
fn skipped_dir(path: &Path, name: &str) -> bool {
    if matches!(name, ".git" | "node_modules") {
        return true;
    }
    if name == "providers"
        && path.parent().and_then(|p| p.file_name()) == Some(".terraform".as_ref())
    {
        return true;
    }
    name.starts_with("asset.")
        && path.parent().and_then(|p| p.file_name()) == Some("cdk.out".as_ref())
}

fn rel_path(path: &Path, cwd: Option<&Path>) -> String {
    let p = cwd.and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn build_excludes(globs: &[String]) -> Result<GlobSet, DiscoverError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| DiscoverError::Glob {
            glob: g.clone(),
            message: e.to_string(),
        })?;
        b.add(glob);
        // `dir/**` should also exclude `dir` itself, and a bare name any path ending in it.
        if !g.contains('/') {
            if let Ok(glob) = Glob::new(&format!("**/{g}")) {
                b.add(glob);
            }
        }
    }
    b.build().map_err(|e| DiscoverError::Glob {
        glob: globs.join(","),
        message: e.to_string(),
    })
}

/// Whether a file belongs to a Terraform module (its directory's `.tf`, `.tf.json` and auto-loaded tfvars).
fn is_terraform(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Terraform | FileKind::TerraformJson | FileKind::Tfvars
    )
}

/// Walks `paths` (files or directories). A Terraform file given by name brings the rest of its module — the
/// Terraform files of its directory, not subdirectories nor other kinds of file there — so references across
/// files resolve when a hook passes only the changed file. `.gitignore`, `.trustlintignore` and `excludes` are
/// honoured, for files given by name too (a hook passes every changed file, excluded or not); symlinks are not
/// followed. Output is sorted and deduplicated.
pub fn discover(paths: &[PathBuf], excludes: &[String]) -> Result<Vec<Discovered>, DiscoverError> {
    let excl = build_excludes(excludes)?;
    // Once per scan, not once per file.
    let cwd = std::env::current_dir().ok();
    let cwd = cwd.as_deref();
    let mut out = Vec::new();
    // A hook passes every changed file: each module directory is walked once.
    let mut modules_walked = foldhash::HashSet::default();
    for input in paths {
        let meta = std::fs::symlink_metadata(input).map_err(|e| DiscoverError::Io {
            path: input.display().to_string(),
            message: e.to_string(),
        })?;
        if meta.is_file() {
            let root = input
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            let Some(kind) = classify(input) else {
                continue;
            };
            let rel = rel_path(input, cwd);
            if excl.is_match(input) || excl.is_match(&rel) {
                continue;
            }
            if is_terraform(kind) {
                if modules_walked.insert(root.clone()) {
                    walk(&root, &root, &excl, Walk::Module, cwd, &mut out);
                }
            } else {
                out.push(Discovered {
                    path: input.clone(),
                    rel,
                    kind,
                    root,
                });
            }
        } else if meta.is_dir() {
            walk(input, input, &excl, Walk::Tree, cwd, &mut out);
        }
    }
    out.sort_unstable_by(|a, b| path_cmp(&a.path, &b.path).then_with(|| a.cmp(b)));
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

/// Path order by bytes, a separator sorting before every other byte: the order of `Path`'s component-wise
/// comparison for the normalised paths a walk produces, without parsing components on every comparison
/// (which dominated sorting ten thousand files).
pub fn path_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |c: &u8| {
        if std::path::is_separator(char::from(*c)) {
            0
        } else {
            u16::from(*c) + 1
        }
    };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Sorted paths share long prefixes: skip them eight bytes at a time.
    let (wa, _) = a.as_chunks::<8>();
    let (wb, _) = b.as_chunks::<8>();
    let same = wa.iter().zip(wb).take_while(|(x, y)| x == y).count() * 8;
    let (a, b) = (
        a.get(same..).unwrap_or_default(),
        b.get(same..).unwrap_or_default(),
    );
    a.iter().map(key).cmp(b.iter().map(key))
}

/// What a walk collects.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Walk {
    /// Every recognised file below the directory.
    Tree,
    /// The Terraform files directly in the directory.
    Module,
}

fn walk(
    dir: &Path,
    root: &Path,
    excl: &GlobSet,
    mode: Walk,
    cwd: Option<&Path>,
    out: &mut Vec<Discovered>,
) {
    let mut wb = WalkBuilder::new(dir);
    wb.require_git(false)
        .hidden(false)
        .follow_links(false)
        .add_custom_ignore_filename(".trustlintignore")
        .max_depth(match mode {
            Walk::Tree => None,
            Walk::Module => Some(1),
        });
    let root_owned = root.to_path_buf();
    let excl_dirs = excl.clone();
    wb.filter_entry(move |e| {
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_some_and(|t| t.is_dir()) && e.depth() > 0 {
            if skipped_dir(e.path(), &name) {
                return false;
            }
            let rel = e.path().strip_prefix(&root_owned).unwrap_or(e.path());
            if !excl_dirs.is_empty() && excl_dirs.is_match(rel) {
                return false;
            }
        }
        true
    });
    let found = std::sync::Mutex::new(Vec::new());
    // Walked in parallel (one visitor per thread, like ripgrep): a large tree is mostly directory reads.
    wb.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            if let Ok(entry) = entry {
                if let Some(d) = discovered(&entry, root, excl, mode, cwd) {
                    if let Ok(mut v) = found.lock() {
                        v.push(d);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    out.extend(found.into_inner().unwrap_or_else(|e| e.into_inner()));
}

/// The walked entry as a scanned file, unless it is not one of ours or is excluded.
fn discovered(
    entry: &ignore::DirEntry,
    root: &Path,
    excl: &GlobSet,
    mode: Walk,
    cwd: Option<&Path>,
) -> Option<Discovered> {
    if !entry.file_type().is_some_and(|t| t.is_file()) {
        return None;
    }
    let path = entry.path();
    let kind = classify(path)?;
    if mode == Walk::Module && !is_terraform(kind) {
        return None;
    }
    let rel_to_root = path.strip_prefix(root).unwrap_or(path);
    // Matching builds a candidate path even against an empty set.
    if !excl.is_empty() && (excl.is_match(rel_to_root) || excl.is_match(path)) {
        return None;
    }
    Some(Discovered {
        path: path.to_path_buf(),
        rel: rel_path(path, cwd),
        kind,
        root: root.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_order_is_component_order() {
        let paths = [
            "a/b",
            "a.b/c",
            "a-b/c",
            "a/b/c",
            "a",
            "stacks/team-000/svc-1/main.tf",
            "stacks/team-000/svc-10/main.tf",
            "stacks/team-000/svc-1.x/main.tf",
            "stacks/team-000/svc-1/a/b.tf",
            "stacks/team-000/svc-1/main.tf.json",
            "/abs/x/y",
            "/abs/x.y",
            "\u{e9}t\u{e9}/a",
            "zzzzzzzzzzzzzzzzzzzz/a",
            "zzzzzzzzzzzzzzzzzzzz.a",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(path_cmp(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn classifies_names() {
        assert_eq!(classify(Path::new("a/main.tf")), Some(FileKind::Terraform));
        assert_eq!(
            classify(Path::new("x.tf.json")),
            Some(FileKind::TerraformJson)
        );
        assert_eq!(
            classify(Path::new("prod.auto.tfvars")),
            Some(FileKind::Tfvars)
        );
        assert_eq!(classify(Path::new("t.template")), Some(FileKind::Template));
        assert_eq!(classify(Path::new("README.md")), None);
    }
}
