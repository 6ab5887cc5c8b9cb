//! Shell completions and manual pages, generated from the CLI definition by the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn trustlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

/// roff escapes every `-` as `\-`; the tests read the text a reader sees.
fn unroff(s: &str) -> String {
    s.replace("\\-", "-")
}

#[test]
fn bash_completion_knows_subcommands_options_and_values() {
    let d = tempdir();
    let o = trustlint(d.path(), &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = stdout(&o);
    assert!(script.contains("complete -F _trustlint"), "{script}");
    for word in [
        "scan",
        "graph",
        "explain",
        "completions",
        "--fail-on",
        "--baseline",
    ] {
        assert!(script.contains(word), "{word} missing");
    }
    // Value lists offered after `--format` and `--fail-on`.
    assert!(
        script.contains("\"text json sarif github markdown\""),
        "{script}"
    );
    assert!(script.contains("\"error warning note never\""), "{script}");
}

#[test]
fn every_shell_gets_a_script() {
    let d = tempdir();
    for (shell, marker) in [
        ("bash", "_trustlint()"),
        ("zsh", "#compdef trustlint"),
        ("fish", "complete -c trustlint"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[trustlint]"),
    ] {
        let o = trustlint(d.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains(marker), "{shell}: no {marker:?}");
        assert!(stdout(&o).contains("fail-on"), "{shell}");
    }
}

#[test]
fn unknown_or_missing_shell_is_a_usage_error() {
    let d = tempdir();
    let o = trustlint(d.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tcsh"), "{}", stderr(&o));
    assert!(stderr(&o).contains("possible values"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = trustlint(d.path(), &["completions"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bash_accepts_the_completion_script() {
    let probe = Command::new("bash").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: bash is not available");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trustlint");
    // `complete -p` prints the registration only if sourcing defined it; COMPREPLY after a simulated
    // `trustlint scan --fail-on w<TAB>` shows the function runs.
    let script = format!(
        "set -e; source <('{bin}' completions bash); complete -p trustlint; \
         COMP_WORDS=(trustlint scan --fail-on w); COMP_CWORD=3; COMP_LINE='trustlint scan --fail-on w'; \
         COMP_POINT=${{#COMP_LINE}}; _trustlint trustlint w --fail-on; echo \"reply: ${{COMPREPLY[*]}}\""
    );
    let o = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains("-F _trustlint") && out.contains("trustlint"),
        "{out}"
    );
    assert!(out.contains("reply: warning"), "{out}");
}

#[test]
fn main_page_lists_every_command() {
    let d = tempdir();
    let o = trustlint(d.path(), &["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = unroff(&stdout(&o));
    assert!(page.contains(".TH trustlint 1"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    for cmd in [
        "scan",
        "graph",
        "rules",
        "explain",
        "init",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("trustlint-{cmd}(1)")),
            "{cmd}: {page}"
        );
    }
    // clap's `help` subcommand has no page, so the main page must not point to one.
    assert!(!page.contains("trustlint-help"), "{page}");
}

#[test]
fn scan_page_documents_the_scan_options() {
    let d = tempdir();
    let o = trustlint(d.path(), &["man", "scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = unroff(&stdout(&o));
    assert!(page.contains(".TH trustlint-scan 1"), "{page}");
    for opt in [
        "--format",
        "--output",
        "--fail-on",
        "--baseline",
        "--write-baseline",
        "--config",
        "--var-file",
        "--exclude",
        "--no-color",
        "--quiet",
    ] {
        assert!(page.contains(opt), "{opt} missing: {page}");
    }
    assert!(page.contains("[default: warning]"), "{page}");
    let o = trustlint(d.path(), &["man", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("frobnicate"), "{}", stderr(&o));
}

#[test]
fn out_dir_gets_one_page_per_command() {
    let d = tempdir();
    let o = trustlint(d.path(), &["man", "--out-dir", "share/man/man1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let dir = d.path().join("share/man/man1");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "trustlint-completions.1",
            "trustlint-explain.1",
            "trustlint-graph.1",
            "trustlint-init.1",
            "trustlint-man.1",
            "trustlint-rules.1",
            "trustlint-scan.1",
            "trustlint.1",
        ]
    );
    // The file and the printed page are the same.
    let written = std::fs::read_to_string(dir.join("trustlint-scan.1")).unwrap_or_default();
    assert_eq!(written, stdout(&trustlint(d.path(), &["man", "scan"])));
    let o = trustlint(d.path(), &["man", "scan", "--out-dir", "x"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a page name and --out-dir conflict"
    );
}
