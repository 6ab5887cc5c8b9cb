//! The GitHub Action: `action.yml` read as YAML, its scan step run for real with the environment a runner
//! gives it, and `action/install.sh` verifying release checksums against a local mirror.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

/// A YAML document as JSON, scalars as strings (what a runner hands to expressions and shells).
fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => json!(b.to_string()),
        Yaml::Value(Scalar::Integer(i)) => json!(i.to_string()),
        Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.to_string()),
        Yaml::Value(Scalar::String(s)) => json!(s.as_ref()),
        Yaml::Representation(s, _, _) => json!(s.as_ref()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match to_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, to_json(v));
            }
            Value::Object(out)
        }
        Yaml::Tagged(_, inner) => to_json(inner),
        _ => Value::Null,
    }
}

fn action() -> Value {
    let text = read(&root().join("action.yml"));
    let docs = Yaml::load_from_str(&text).unwrap_or_else(|e| panic!("action.yml: {e}"));
    assert_eq!(docs.len(), 1, "one document");
    docs.first().map(to_json).unwrap_or(Value::Null)
}

fn steps(a: &Value) -> Vec<Value> {
    a["runs"]["steps"].as_array().cloned().unwrap_or_default()
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

#[test]
fn declares_the_six_inputs_and_the_outputs() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    let inputs = a["inputs"].as_object().cloned().unwrap_or_default();
    let mut names: Vec<&str> = inputs.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "config",
            "fail-on",
            "path",
            "sarif-file",
            "upload-sarif",
            "version"
        ]
    );
    for (name, input) in &inputs {
        assert!(
            input["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name} has no description"
        );
        assert_eq!(input["required"], "false", "{name}");
    }
    assert_eq!(inputs["path"]["default"], ".");
    assert_eq!(inputs["fail-on"]["default"], "warning");
    assert_eq!(inputs["sarif-file"]["default"], "trustlint.sarif");
    assert_eq!(inputs["upload-sarif"]["default"], "true");
    for out in ["sarif-file", "exit-code"] {
        assert_eq!(
            a["outputs"][out]["value"],
            format!("${{{{ steps.scan.outputs.{out} }}}}"),
            "{out}"
        );
    }
}

/// Every `${{ … }}` in the action, with where it stands (`steps[2].with.sarif_file`, …).
fn expressions(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(i) = rest.find("${{") {
                let tail = rest.get(i..).unwrap_or_default();
                let end = tail.find("}}").map(|e| e + 2).unwrap_or(tail.len());
                out.push((
                    at.to_string(),
                    tail.get(..end).unwrap_or_default().to_string(),
                ));
                rest = tail.get(end..).unwrap_or_default();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                expressions(item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                expressions(item, &format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn inputs_reach_shell_only_through_env() {
    let a = action();
    let mut found = Vec::new();
    expressions(&a, "", &mut found);
    assert!(found.len() >= 10, "{found:?}");
    for (at, expr) in &found {
        // Script text is never built from expressions: an input holding `"; curl … | sh` stays data.
        assert!(
            !at.ends_with(".run"),
            "expression in a run script: {at} {expr}"
        );
        let allowed = at.starts_with(".outputs.")
            || (at.starts_with(".runs.steps[")
                && (at.contains(".env.") || at.contains(".with.") || at.ends_with(".if")));
        assert!(allowed, "expression outside env/with/if: {at} {expr}");
        // Inputs named in expressions exist.
        if let Some(name) = expr
            .strip_prefix("${{ inputs.")
            .and_then(|r| r.split_whitespace().next())
        {
            assert!(
                a["inputs"].get(name).is_some(),
                "{at}: unknown input {name}"
            );
        }
    }
    // Every input is used somewhere.
    for name in a["inputs"]
        .as_object()
        .map(|m| m.keys())
        .into_iter()
        .flatten()
    {
        assert!(
            found
                .iter()
                .any(|(_, e)| e.contains(&format!("inputs.{name} "))
                    || e.contains(&format!("inputs.{name}}}"))),
            "input {name} is never used"
        );
    }
    // The scripts the steps run do not expand expressions either (a runner would not, but a copy-paste into
    // a `run:` would).
    for script in ["action/install.sh", "action/scan.sh"] {
        assert!(!read(&root().join(script)).contains("${{"), "{script}");
    }
}

#[test]
fn sarif_upload_is_conditional_and_comes_before_the_result() {
    let a = action();
    let steps = steps(&a);
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        ["Install trustlint", "Scan", "Upload SARIF", "Result"]
    );
    let upload = step(&steps, "Upload SARIF");
    assert!(
        upload["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")),
        "{upload}"
    );
    let cond = upload["if"].as_str().unwrap_or_default();
    assert!(cond.contains("inputs.upload-sarif == 'true'"), "{cond}");
    // Findings make the scan's exit code 1, yet the report is still uploaded.
    assert!(cond.contains("always()"), "{cond}");
    assert!(
        cond.contains("steps.scan.outputs.sarif-file != ''"),
        "{cond}"
    );
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.scan.outputs.sarif-file }}"
    );
    assert_eq!(step(&steps, "Scan")["id"], "scan");
    for s in &steps {
        if s.get("run").is_some() {
            assert_eq!(s["shell"], "bash", "{s}");
        }
    }
}

// ---- running the steps ------------------------------------------------------------------------------

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What a runner substitutes for the expressions this action's env blocks use.
struct Runner {
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
}

impl Runner {
    fn new(a: &Value, given: &[(&str, &str)]) -> Runner {
        let mut inputs: BTreeMap<String, String> = a["inputs"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        for (k, v) in given {
            inputs.insert(k.to_string(), v.to_string());
        }
        Runner {
            inputs,
            outputs: BTreeMap::new(),
        }
    }

    fn expand(&self, s: &str) -> String {
        let Some(inner) = s
            .trim()
            .strip_prefix("${{")
            .and_then(|r| r.strip_suffix("}}"))
            .map(str::trim)
        else {
            return s.to_string();
        };
        if let Some(name) = inner.strip_prefix("inputs.") {
            return self.inputs.get(name).cloned().unwrap_or_default();
        }
        if let Some(name) = inner.strip_prefix("steps.scan.outputs.") {
            return self.outputs.get(name).cloned().unwrap_or_default();
        }
        // github.* context: not needed by the steps run here.
        String::new()
    }

    /// Runs a step's `run:` with bash, its `env:` expanded, in `cwd`, with `trustlint` on PATH.
    fn run(&mut self, step: &Value, cwd: &Path, gh: &GithubFiles) -> Output {
        let script = step["run"]
            .as_str()
            .unwrap_or_else(|| panic!("no run: {step}"));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-e", "-c", script])
            .current_dir(cwd)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &gh.output)
            .env("GITHUB_STEP_SUMMARY", &gh.summary)
            .env("GITHUB_PATH", &gh.path)
            .env("PATH", path_with_binary())
            .env("NO_COLOR", "1");
        for (k, v) in step["env"].as_object().into_iter().flatten() {
            cmd.env(k, self.expand(v.as_str().unwrap_or_default()));
        }
        let o = cmd.output().unwrap_or_else(|e| panic!("bash: {e}"));
        if step["id"] == "scan" {
            for line in read(&gh.output).lines() {
                if let Some((k, v)) = line.split_once('=') {
                    self.outputs.insert(k.to_string(), v.to_string());
                }
            }
        }
        o
    }
}

/// The files a runner gives each job for step outputs, the summary and PATH additions.
struct GithubFiles {
    output: PathBuf,
    summary: PathBuf,
    path: PathBuf,
}

impl GithubFiles {
    fn new(dir: &Path) -> GithubFiles {
        let gh = GithubFiles {
            output: dir.join("github_output"),
            summary: dir.join("step_summary.md"),
            path: dir.join("github_path"),
        };
        for f in [&gh.output, &gh.summary, &gh.path] {
            std::fs::write(f, "").unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        gh
    }
}

/// PATH with the test's trustlint binary first, as install.sh leaves it.
fn path_with_binary() -> std::ffi::OsString {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_trustlint"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap_or_default()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Scan and Result, as the runner would run them, on `testdata/report/unicode-hops` (one error, warnings, a
/// suppressed finding). Returns the scan step's output, the Result step's exit code and the runner.
fn run_scan(inputs: &[(&str, &str)], tmp: &Path) -> (Output, Option<i32>, Runner, GithubFiles) {
    let a = action();
    let steps = steps(&a);
    let gh = GithubFiles::new(tmp);
    let mut runner = Runner::new(&a, inputs);
    let cwd = root().join("testdata/report/unicode-hops");
    let scan = runner.run(step(&steps, "Scan"), &cwd, &gh);
    let result = runner.run(step(&steps, "Result"), &cwd, &gh);
    (scan, result.status.code(), runner, gh)
}

#[test]
fn scan_step_writes_sarif_annotations_summary_and_exit_code() {
    if !have("bash") {
        eprintln!("skipped: bash is not available");
        return;
    }
    let tmp = tempdir();
    let sarif = tmp.path().join("out/trustlint.sarif");
    std::fs::create_dir_all(tmp.path().join("out")).unwrap_or_else(|e| panic!("{e}"));
    let sarif_s = sarif.to_string_lossy().to_string();
    let (scan, result, runner, gh) = run_scan(&[("sarif-file", &sarif_s)], tmp.path());
    let out = text(&scan.stdout);
    // The scan step itself succeeds so that SARIF upload runs; the Result step carries the verdict.
    assert_eq!(scan.status.code(), Some(0), "{out}{}", text(&scan.stderr));
    assert_eq!(
        runner.outputs.get("exit-code").map(String::as_str),
        Some("1")
    );
    assert_eq!(result, Some(1));
    assert_eq!(runner.outputs.get("sarif-file"), Some(&sarif_s));
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=terraform.tfvars,line=2,col=12,endLine=2,endColumn=24,title=TL012 missing-external-id::"
        )),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("::warning file=")),
        "{out}"
    );
    assert!(
        out.lines().all(|l| l.starts_with("::")),
        "only annotations: {out}"
    );
    let v: Value = serde_json::from_str(&read(&sarif)).unwrap_or_else(|e| panic!("SARIF: {e}"));
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(results.iter().any(|r| r["ruleId"] == "TL012"), "{v}");
    let summary = read(&gh.summary);
    assert!(summary.contains("TL012"), "{summary}");
    assert!(summary.contains("| "), "a Markdown table: {summary}");
}

#[test]
fn fail_on_and_config_inputs_decide_the_result() {
    if !have("bash") {
        eprintln!("skipped: bash is not available");
        return;
    }
    let tmp = tempdir();
    let sarif = tmp.path().join("t.sarif").to_string_lossy().to_string();
    let code = |inputs: &[(&str, &str)]| {
        let d = tempdir();
        let mut all = vec![("sarif-file", sarif.as_str())];
        all.extend_from_slice(inputs);
        let (_, result, runner, _) = run_scan(&all, d.path());
        (
            result,
            runner.outputs.get("exit-code").cloned().unwrap_or_default(),
        )
    };
    assert_eq!(code(&[("fail-on", "never")]), (Some(0), "0".into()));
    assert_eq!(code(&[("fail-on", "error")]), (Some(1), "1".into()));
    let cfg = tmp.path().join("cfg.yml");
    std::fs::write(
        &cfg,
        "trusted_accounts: [\"111111111111\"]\nrules:\n  TL012: { enabled: false }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cfg = cfg.to_string_lossy().to_string();
    // Without the only error-level rule, warnings stay below fail-on error.
    assert_eq!(
        code(&[("fail-on", "error"), ("config", &cfg)]),
        (Some(0), "0".into())
    );
    // Two paths, one per line, as a workflow author writes a YAML block scalar.
    assert_eq!(
        code(&[
            ("fail-on", "error"),
            ("config", &cfg),
            ("path", ".\nvariables.tf\n")
        ]),
        (Some(0), "0".into())
    );
    // A configuration error is exit code 2: the step fails, with no SARIF to upload.
    let d = tempdir();
    let (scan, result, runner, _) = run_scan(
        &[
            ("sarif-file", &d.path().join("none.sarif").to_string_lossy()),
            ("config", "/no/such/config.yml"),
        ],
        d.path(),
    );
    assert_eq!(result, Some(2));
    assert_eq!(
        runner.outputs.get("exit-code").map(String::as_str),
        Some("2")
    );
    assert_eq!(runner.outputs.get("sarif-file"), None);
    assert!(
        text(&scan.stderr).contains("/no/such/config.yml"),
        "{}",
        text(&scan.stderr)
    );
}

// ---- install.sh -------------------------------------------------------------------------------------

const VERSION: &str = "9.9.9";
const ASSET: &str = "trustlint-v9.9.9-x86_64-unknown-linux-musl.tar.gz";

/// A release mirror with one Linux x64 archive laid out like the release workflow's (binary at the top,
/// completions and man pages beside it) and its `.sha256`, as `sha256sum` writes it.
fn mirror(dir: &Path, good_checksum: bool) -> PathBuf {
    let stage = dir.join("stage");
    std::fs::create_dir_all(stage.join("completions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(stage.join("trustlint"), "#!/bin/sh\necho fake trustlint\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(stage.join("completions/trustlint.bash"), "").unwrap_or_else(|e| panic!("{e}"));
    let release = dir.join("mirror").join(format!("v{VERSION}"));
    std::fs::create_dir_all(&release).unwrap_or_else(|e| panic!("{e}"));
    let archive = release.join(ASSET);
    let o = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .args(["-C"])
        .arg(&stage)
        .args(["trustlint", "completions"])
        .output()
        .unwrap_or_else(|e| panic!("tar: {e}"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = Command::new("sha256sum")
        .arg(ASSET)
        .current_dir(&release)
        .output()
        .unwrap_or_else(|e| panic!("sha256sum: {e}"));
    assert!(o.status.success());
    let mut line = text(&o.stdout);
    assert!(line.starts_with(|c: char| c.is_ascii_hexdigit()), "{line}");
    if !good_checksum {
        // Same length, other digest: what a tampered or truncated download looks like.
        line = format!("{}{}", "0".repeat(64), line.get(64..).unwrap_or_default());
    }
    std::fs::write(release.join(format!("{ASSET}.sha256")), line).unwrap_or_else(|e| panic!("{e}"));
    dir.join("mirror")
}

fn install(dir: &Path, mirror: &Path) -> (Output, PathBuf, GithubFiles) {
    let runner_temp = dir.join("runner_temp");
    std::fs::create_dir_all(&runner_temp).unwrap_or_else(|e| panic!("{e}"));
    // An action path without sources: a fallback to `cargo install` fails at once instead of building.
    let action_path = dir.join("no-sources");
    std::fs::create_dir_all(&action_path).unwrap_or_else(|e| panic!("{e}"));
    let gh = GithubFiles::new(dir);
    let o = Command::new("bash")
        .arg(root().join("action/install.sh"))
        .current_dir(dir)
        .env("INPUT_VERSION", VERSION)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_PATH", &gh.path)
        .env("GITHUB_ACTION_PATH", &action_path)
        .env(
            "TRUSTLINT_RELEASE_BASE_URL",
            format!("file://{}", mirror.display()),
        )
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    (o, runner_temp.join("trustlint-bin"), gh)
}

fn install_tools_missing() -> bool {
    let missing: Vec<&str> = ["bash", "tar", "sha256sum", "curl"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if !missing.is_empty() {
        eprintln!("skipped: {} not available", missing.join(", "));
    }
    !missing.is_empty()
}

#[test]
fn install_accepts_a_release_whose_checksum_matches() {
    if install_tools_missing() {
        return;
    }
    let d = tempdir();
    let m = mirror(d.path(), true);
    let (o, bindir, gh) = install(d.path(), &m);
    let log = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{log}");
    assert!(
        log.contains(&format!(
            "Installed trustlint {VERSION} (x86_64-unknown-linux-musl)"
        )),
        "{log}"
    );
    assert!(!log.contains("source"), "no fallback build: {log}");
    let bin = bindir.join("trustlint");
    let ran = Command::new("sh")
        .arg(&bin)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&ran.stdout), "fake trustlint\n");
    assert!(bindir.join("completions/trustlint.bash").is_file());
    assert_eq!(read(&gh.path).trim_end(), bindir.to_string_lossy());
}

#[test]
fn install_refuses_a_release_whose_checksum_differs() {
    if install_tools_missing() {
        return;
    }
    let d = tempdir();
    let m = mirror(d.path(), false);
    let (o, bindir, gh) = install(d.path(), &m);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(
        out.contains(&format!(
            "::error title=trustlint install::checksum mismatch for {ASSET} (expected {}",
            "0".repeat(64)
        )),
        "{out}"
    );
    assert!(!bindir.join("trustlint").exists(), "nothing unpacked");
    assert_eq!(read(&gh.path), "", "nothing added to PATH");
}
