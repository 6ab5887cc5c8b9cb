//! The pre-commit hook of `.pre-commit-hooks.yaml`, run by pre-commit itself (`pre-commit try-repo`) on a
//! scratch repository: a commit that changes one file of a Terraform module is checked with the whole
//! module (the trust policy reads a local defined in the other file), other modules are left alone, and a
//! clean module passes.
//!
//! Skipped, with the reason printed, when `pre-commit` or `git` is missing or the crate is not a git
//! checkout. `.ci/run` installs pre-commit when it can.
//!
//! try-repo builds the hook from the crate's git HEAD, plus uncommitted changes to tracked files (it
//! commits them in a shadow clone); untracked files are not seen. It builds the hook with `cargo install`
//! (`language: rust`) into a store of its own that it deletes afterwards, so every run installs again:
//! the build directory is kept under target/ instead (CARGO_TARGET_DIR), the dependencies are then built
//! once, and the profile is made cheap to compile (pre-commit hands its environment to cargo).

use saphyr::{LoadableYamlNode, Yaml};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

mod snippets;
use snippets::{MODULE_LOCALS, MODULE_TRUST, WILDCARD_TF};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn works(program: &str, args: &[&str], dir: &Path) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Why the test cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    if !works("git", &["--version"], root()) {
        return Some("git is not on PATH".into());
    }
    if !works("pre-commit", &["--version"], root()) {
        return Some("pre-commit is not on PATH (pip install pre-commit)".into());
    }
    if !works("git", &["rev-parse", "--verify", "HEAD"], root()) {
        return Some(format!(
            "{} is not a git checkout with a commit",
            root().display()
        ));
    }
    None
}

fn git(repo: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(o.status.success(), "git {args:?}: {}", text(&o));
}

fn write(dir: &Path, name: &str, body: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&p, body).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// Runs `pre-commit try-repo <crate> trustlint` with `extra` arguments in `repo`.
fn try_repo(repo: &Path, extra: &[&str]) -> Output {
    let cache = root().join("target/pre-commit");
    let started = Instant::now();
    let o = Command::new("pre-commit")
        .args(["try-repo", "--color", "never"])
        .arg(root())
        .arg("trustlint")
        .args(extra)
        .current_dir(repo)
        // try-repo ignores PRE_COMMIT_HOME for the hook environment (it uses a temporary store), but
        // anything else pre-commit caches stays under target/ too.
        .env("PRE_COMMIT_HOME", cache.join("home"))
        .env("CARGO_TARGET_DIR", cache.join("cargo"))
        // The hook only has to work, not be fast: an unoptimised build compiles several times faster.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
        // `cargo install` re-resolves dependencies (it ignores Cargo.lock); offline, it picks the crates the
        // test build already downloaded instead of asking the registry.
        .env("CARGO_NET_OFFLINE", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("pre-commit: {e}"));
    eprintln!(
        "pre-commit try-repo {extra:?}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    o
}

const WORKER: &str = r#"resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = local.service } }]
  })
}
"#;

fn scratch_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = tmp.path().join("infra-repo");
    std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    git(&repo, &["init", "-q"]);
    write(&repo, "vendor/locals.tf", MODULE_LOCALS);
    write(&repo, "vendor/trust.tf", MODULE_TRUST);
    write(&repo, "open/main.tf", WILDCARD_TF);
    write(
        &repo,
        "worker/locals.tf",
        "locals {\n  service = \"lambda.amazonaws.com\"\n}\n",
    );
    write(&repo, "worker/main.tf", WORKER);
    write(&repo, "README.md", "infra\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "infra"]);
    (tmp, repo)
}

#[test]
fn hook_checks_the_changed_files_module_and_passes_clean_ones() {
    if let Some(why) = missing_prerequisite() {
        eprintln!("skipped: {why}");
        return;
    }
    let (_tmp, repo) = scratch_repo();

    // A commit that touches only the trust file: its module is scanned, so the account ID written in
    // locals.tf is found, reported where it is written; the module with a wildcard, untouched, is not.
    write(
        &repo,
        "vendor/trust.tf",
        &format!("# reviewed\n{MODULE_TRUST}"),
    );
    write(&repo, "README.md", "infra, reviewed\n");
    git(&repo, &["add", "vendor/trust.tf", "README.md"]);
    let o = try_repo(&repo, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("trustlint....") && out.contains("Failed"),
        "{out}"
    );
    assert!(out.contains("- hook id: trustlint"), "{out}");
    assert!(out.contains("- exit code: 1"), "{out}");
    assert!(out.contains("error[TL012 missing-external-id]"), "{out}");
    assert!(out.contains("warning[TL010 untrusted-account]"), "{out}");
    assert!(out.contains("[vendor/locals.tf:2:14]"), "{out}");
    assert!(out.contains("related: vendor/trust.tf:9:43"), "{out}");
    assert!(
        out.contains("2 files, 1 role"),
        "the module, and only it: {out}"
    );
    assert!(!out.contains("open/main.tf"), "{out}");
    assert!(!out.contains("TL011"), "{out}");
    assert!(!out.contains("TL901"), "the local resolved: {out}");

    // A clean module passes, by file name like `pre-commit run --files`.
    git(&repo, &["commit", "-q", "-m", "review"]);
    let o = try_repo(&repo, &["--files", "worker/main.tf"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("trustlint....") && out.contains("Passed"),
        "{out}"
    );
}

fn manifest_field(hook: &Yaml, key: &str) -> String {
    hook.as_mapping_get(key)
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_bool().map(|b| b.to_string()))
        })
        .unwrap_or_default()
}

/// The manifest as SPEC §5.3 describes it, and its `files` pattern under Python's `re.search`, which is what
/// pre-commit applies to each path.
#[test]
fn manifest_declares_the_hook_and_its_files() {
    let path = root().join(".pre-commit-hooks.yaml");
    let manifest = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let docs = Yaml::load_from_str(&manifest).unwrap_or_else(|e| panic!("{e}"));
    let hooks = docs
        .first()
        .and_then(|d| d.as_sequence())
        .cloned()
        .unwrap_or_default();
    let [hook] = hooks.as_slice() else {
        panic!("one hook expected: {manifest}");
    };
    assert_eq!(manifest_field(hook, "id"), "trustlint");
    assert_eq!(manifest_field(hook, "language"), "rust");
    assert_eq!(
        manifest_field(hook, "entry"),
        "trustlint scan --fail-on warning"
    );
    assert_eq!(manifest_field(hook, "pass_filenames"), "true");
    let files = manifest_field(hook, "files");
    assert!(!files.is_empty());

    let matching = [
        "main.tf",
        "infra/app/main.tf",
        "stack/x.tf.json",
        "terraform.tfvars",
        "env/prod.auto.tfvars",
        "terraform.tfvars.json",
        "cfn/template.yaml",
        "cfn/stack.yml",
        "cfn/stack.json",
        "plan.json",
        "sam/app.template",
    ];
    let other = [
        "README.md",
        "main.go",
        "terraform.tfstate",
        ".terraform.lock.hcl",
        "main.tf.bak",
        "notes.txt",
    ];
    let probe = Command::new("python3").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("files pattern not checked: python3 is not on PATH");
        return;
    }
    let script = "import re, sys\npat = re.compile(sys.argv[1])\nfor p in sys.argv[2:]:\n    print(p, bool(pat.search(p)))\n";
    let o = Command::new("python3")
        .args(["-c", script, &files])
        .args(matching)
        .args(other)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    for p in matching {
        assert!(
            out.contains(&format!("{p} True\n")),
            "{p} should run the hook: {out}"
        );
    }
    for p in other {
        assert!(
            out.contains(&format!("{p} False\n")),
            "{p} should not run the hook: {out}"
        );
    }
}
