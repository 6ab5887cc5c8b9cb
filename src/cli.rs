//! Command-line interface (SPEC §5.1).
//!
//! Exit codes: 0 nothing at or above `--fail-on`, 1 findings at or above it, 2 usage, configuration or I/O
//! error. Problems in scanned files are findings (TL900), never exit 2.

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::report;
use crate::report::graph::GraphFormat;
use crate::report::markdown::Links;
use crate::rules;
use crate::suppress::Baseline;
use crate::{ScanOptions, ScanOutput};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, configuration or I/O error.
pub const EXIT_ERROR: i32 = 2;

/// The configuration file looked for when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = ".trustlint.yml";

#[derive(Debug, Parser)]
#[command(
    name = "trustlint",
    version,
    about = "Pre-deploy scanner for AWS IAM role trust in Terraform, CloudFormation and Terraform plans",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan Terraform, CloudFormation and plan files for role-trust problems.
    Scan(ScanArgs),
    /// Print the effective assume-role graph.
    Graph(GraphArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's page.
    Explain(ExplainArgs),
    /// Write a starter .trustlint.yml listing the accounts and organisations already trusted.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page, or write one page per command to a directory.
    Man(ManArgs),
}

/// What to scan: shared by `scan` and `graph`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Configuration file [default: .trustlint.yml in the first scanned directory, else the current one]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set a Terraform variable (repeatable)
    #[arg(long = "var", value_name = "K=V", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Read Terraform variables from a .tfvars file (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Skip paths matching a glob (repeatable; adds to the configuration's `exclude`)
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format, optionally written to its own file: text, json, sarif, github, markdown, or e.g.
    /// sarif=out.sarif (repeatable) [default: text]
    #[arg(long = "format", short = 'f', value_name = "FORMAT[=FILE]", value_parser = FormatSpecParser, hide_possible_values = true)]
    pub formats: Vec<FormatSpec>,
    /// Write the output of the --format without its own file here instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Warning, value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// Silence findings whose fingerprints this baseline file holds
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the fingerprints of all active findings to FILE, as a baseline
    #[arg(long = "write-baseline", value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// No ANSI colours (also NO_COLOR, and whenever stdout is not a terminal)
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Text output: findings only, no summary
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Graph format
    #[arg(long = "format", short = 'f', value_enum, default_value_t = GraphFormatArg::Mermaid)]
    pub format: GraphFormatArg,
    /// Write the graph here instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Catalogue format
    #[arg(long = "format", short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule ID, e.g. TL001
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to scan and write .trustlint.yml in [default: .]
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Print the starter configuration instead of writing it
    #[arg(long)]
    pub stdout: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print this command's page instead of the main one, e.g. scan
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    pub command: Option<String>,
    /// Write trustlint.1 and a trustlint-COMMAND.1 for every command into DIR (e.g. share/man/man1)
    #[arg(long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// A report format of `trustlint scan`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Markdown,
}

impl Format {
    const ALL: [(&'static str, Format); 5] = [
        ("text", Format::Text),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("github", Format::Github),
        ("markdown", Format::Markdown),
    ];

    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("text")
    }
}

/// `--format X` or `--format X=FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub path: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run, `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormatArg {
    Mermaid,
    Dot,
    Json,
}

impl From<GraphFormatArg> for GraphFormat {
    fn from(f: GraphFormatArg) -> GraphFormat {
        match f {
            GraphFormatArg::Mermaid => GraphFormat::Mermaid,
            GraphFormatArg::Dot => GraphFormat::Dot,
            GraphFormatArg::Json => GraphFormat::Json,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected K=V, got {s:?}")),
    }
}

fn parse_format_spec(s: &str) -> Result<FormatSpec, String> {
    let (name, path) = match s.split_once('=') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let format = Format::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            format!("unknown format {name:?} (expected text, json, sarif, github or markdown, optionally =FILE)")
        })?;
    let path = match path {
        Some("") => return Err(format!("missing file name after \"{name}=\"")),
        Some(p) => Some(PathBuf::from(p)),
        None => None,
    };
    Ok(FormatSpec { format, path })
}

/// `--format` values: parsed by [`parse_format_spec`]; the bare format names are offered to shell completion
/// (a `=FILE` suffix is free text, so it cannot be a possible value that clap checks).
#[derive(Clone, Copy, Debug)]
struct FormatSpecParser;

impl TypedValueParser for FormatSpecParser {
    type Value = FormatSpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<FormatSpec, clap::Error> {
        // clap's own wording and exit code for a bad value.
        TypedValueParser::parse_ref(&parse_format_spec, cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Format::ALL
                .iter()
                .map(|(name, _)| PossibleValue::new(*name)),
        ))
    }
}

/// An error that ends the run with exit code 2.
#[derive(Debug)]
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let argv = std::iter::once("trustlint".to_string()).chain(args);
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are "errors" to clap; they print to stdout and succeed.
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        Command::Scan(a) => cmd_scan(&a),
        Command::Graph(a) => cmd_graph(&a),
        Command::Rules(a) => cmd_rules(&a),
        Command::Explain(a) => cmd_explain(&a),
        Command::Init(a) => cmd_init(&a),
        Command::Completions(a) => cmd_completions(&a),
        Command::Man(a) => cmd_man(&a),
    };
    match result {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            EXIT_ERROR
        }
    }
}

/// Where a rendered report goes.
#[derive(Debug, PartialEq, Eq)]
enum Dest {
    Stdout,
    File(PathBuf),
}

/// Pairs each requested format with its destination. At most one format may go to `--output`/stdout.
fn plan_outputs(args: &ScanArgs) -> Result<Vec<(Format, Dest)>, Fatal> {
    let mut plain: Vec<Format> = Vec::new();
    let mut out = Vec::new();
    for spec in &args.formats {
        match &spec.path {
            Some(p) => out.push((spec.format, Dest::File(p.clone()))),
            None => plain.push(spec.format),
        }
    }
    if plain.len() > 1 {
        return Err(Fatal(format!(
            "only one --format can go to {}; give the others a file (--format {}=FILE)",
            if args.output.is_some() {
                "--output"
            } else {
                "stdout"
            },
            plain.get(1).map(|f| f.name()).unwrap_or("json")
        )));
    }
    if plain.is_empty() && out.is_empty() {
        plain.push(Format::Text);
    }
    if let Some(f) = plain.first() {
        let dest = match &args.output {
            Some(p) => Dest::File(p.clone()),
            None => Dest::Stdout,
        };
        out.push((*f, dest));
    } else if args.output.is_some() {
        return Err(Fatal(
            "--output has no format to write: every --format names its own file".into(),
        ));
    }
    Ok(out)
}

/// `--config FILE`, else `.trustlint.yml` in the first scanned directory or the nearest directory above it up
/// to the current one, else in the current directory; no file means the default configuration.
fn load_config(input: &InputArgs, paths: &[PathBuf]) -> Result<Config, Fatal> {
    if let Some(p) = &input.config {
        return Ok(Config::load(p)?);
    }
    match find_config(paths) {
        Some(p) => Ok(Config::load(&p)?),
        None => Ok(Config::default()),
    }
}

fn find_config(paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(first) = paths.first().filter(|p| p.is_dir()) {
        let candidate = if first.as_os_str() == "." {
            PathBuf::from(CONFIG_FILE_NAME)
        } else {
            first.join(CONFIG_FILE_NAME)
        };
        if candidate.is_file() {
            return Some(candidate);
        }
        // `trustlint scan infra/` from the repository root uses the repository's configuration.
        let cwd = std::env::current_dir().and_then(|c| c.canonicalize()).ok();
        if let (Some(cwd), Ok(abs)) = (cwd, first.canonicalize()) {
            for dir in abs.ancestors().skip(1) {
                if !dir.starts_with(&cwd) {
                    break;
                }
                let candidate = dir.join(CONFIG_FILE_NAME);
                if candidate.is_file() {
                    // Shown relative to the current directory, like the scanned paths.
                    return Some(
                        candidate
                            .strip_prefix(&cwd)
                            .map(Path::to_path_buf)
                            .unwrap_or(candidate),
                    );
                }
            }
        }
    }
    let candidate = PathBuf::from(CONFIG_FILE_NAME);
    candidate.is_file().then_some(candidate)
}

fn scan_inputs(input: &InputArgs, baseline: Option<&Path>) -> Result<ScanOutput, Fatal> {
    let paths = if input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        input.paths.clone()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Fatal(format!("{}: no such file or directory", p.display())));
        }
    }
    for p in &input.var_files {
        if !p.is_file() {
            return Err(Fatal(format!("--var-file {}: no such file", p.display())));
        }
    }
    let config = load_config(input, &paths)?;
    let baseline = match baseline {
        Some(p) => Some(Baseline::load(p).map_err(Fatal)?),
        None => None,
    };
    let mut excludes = config.exclude.clone();
    excludes.extend(input.excludes.iter().cloned());
    let options = ScanOptions {
        paths,
        config,
        vars: input.vars.clone(),
        var_files: input.var_files.clone(),
        excludes,
        baseline,
    };
    Ok(crate::scan(&options)?)
}

/// Whether text output to stdout may use colour: not with `--no-color`, a non-empty `NO_COLOR`, or a
/// stdout that is not a terminal.
fn stdout_color(no_color: bool) -> bool {
    if no_color {
        return false;
    }
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    std::io::stdout().is_terminal()
}

fn cmd_scan(args: &ScanArgs) -> Result<i32, Fatal> {
    let outputs = plan_outputs(args)?;
    let out = scan_inputs(&args.input, args.baseline.as_deref())?;
    if let Some(p) = &args.write_baseline {
        write_file(p, &Baseline::from_findings(&out.findings).to_json())?;
    }
    for (format, dest) in &outputs {
        let color = *dest == Dest::Stdout && stdout_color(args.no_color);
        // A terminal that says how wide it is gets messages wrapped to fit; anything else a fixed width.
        let width = if *dest == Dest::Stdout && std::io::stdout().is_terminal() {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse().ok())
        } else {
            None
        };
        let text = match format {
            Format::Text => report::text::render_opts(
                &out,
                &report::text::TextOptions {
                    color,
                    quiet: args.quiet,
                    width,
                },
            ),
            Format::Json => report::json::render(&out),
            Format::Sarif => report::sarif::render(&out),
            Format::Github => {
                write_step_summary(&out)?;
                report::github::render(&out)
            }
            Format::Markdown => report::markdown::render(&out, &Links::from_env()),
        };
        write_dest(dest, &text)?;
    }
    let code = exit_code(&out.findings, args.fail_on);
    // The process ends right after: freeing every source file and value one by one would only cost time.
    std::mem::forget(out);
    Ok(code)
}

/// With `--format github` in GitHub Actions, the Markdown summary goes to the job's step summary too.
fn write_step_summary(out: &ScanOutput) -> Result<(), Fatal> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let summary = report::markdown::render(out, &Links::from_env());
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(summary.as_bytes()))
        .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))
}

/// 1 when an unsuppressed finding is at or above `fail_on`, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> i32 {
    let Some(threshold) = fail_on.threshold() else {
        return EXIT_OK;
    };
    if findings
        .iter()
        .any(|f| f.suppression.is_none() && f.severity >= threshold)
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn write_dest(dest: &Dest, text: &str) -> Result<(), Fatal> {
    match dest {
        Dest::Stdout => write_stdout(text),
        Dest::File(p) => write_file(p, text),
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), Fatal> {
    std::fs::write(path, text).map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))
}

fn write_stdout(text: &str) -> Result<(), Fatal> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `trustlint scan | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fatal(format!("cannot write to stdout: {e}"))),
    }
}

fn cmd_graph(args: &GraphArgs) -> Result<i32, Fatal> {
    let out = scan_inputs(&args.input, None)?;
    let text = report::graph::render(&out, args.format.into());
    match &args.output {
        Some(p) => write_file(p, &text)?,
        None => write_stdout(&text)?,
    }
    Ok(EXIT_OK)
}

fn cmd_rules(args: &RulesArgs) -> Result<i32, Fatal> {
    let metas: Vec<&'static rules::RuleMeta> =
        rules::registry().into_iter().map(|r| r.meta()).collect();
    let text = match args.format {
        RulesFormat::Text => rules_text(&metas),
        RulesFormat::Json => rules_json(&metas)?,
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}

/// One line per rule: ID, slug, default severity, what it finds.
pub fn rules_text(metas: &[&rules::RuleMeta]) -> String {
    let slug_w = metas.iter().map(|m| m.slug.len()).max().unwrap_or(0);
    let mut s = String::new();
    for m in metas {
        s.push_str(&format!(
            "{}  {:slug_w$}  {:7}  {}\n",
            m.id,
            m.slug,
            m.default_severity.as_str(),
            m.short
        ));
    }
    s
}

#[derive(serde::Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    slug: &'a str,
    default_severity: Severity,
    short_description: &'a str,
    security_severity: &'a str,
    tags: &'a [&'a str],
}

/// The catalogue as a JSON array.
pub fn rules_json(metas: &[&rules::RuleMeta]) -> Result<String, serde_json::Error> {
    let items: Vec<RuleJson> = metas
        .iter()
        .map(|m| RuleJson {
            id: m.id,
            slug: m.slug,
            default_severity: m.default_severity,
            short_description: m.short,
            security_severity: m.security_severity,
            tags: m.tags,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items)?;
    s.push('\n');
    Ok(s)
}

/// Scans PATH with an empty configuration and writes the starter `.trustlint.yml` there (never over an
/// existing one).
fn cmd_init(args: &InitArgs) -> Result<i32, Fatal> {
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    if !dir.is_dir() {
        return Err(Fatal(format!("{}: not a directory", dir.display())));
    }
    let target = dir.join(CONFIG_FILE_NAME);
    if !args.stdout && target.exists() {
        return Err(Fatal(format!(
            "{} already exists; remove it or use --stdout",
            target.display()
        )));
    }
    let out = crate::scan(&ScanOptions {
        paths: vec![dir],
        ..ScanOptions::default()
    })?;
    let text = crate::init::starter_config(&out);
    if args.stdout {
        write_stdout(&text)?;
    } else {
        write_file(&target, &text)?;
        let _ = writeln!(
            std::io::stderr(),
            "wrote {}: review it, then move vendors to third_party_accounts",
            target.display()
        );
    }
    Ok(EXIT_OK)
}

fn cmd_completions(args: &CompletionsArgs) -> Result<i32, Fatal> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "trustlint", &mut script);
    write_stdout(&String::from_utf8_lossy(&script))?;
    Ok(EXIT_OK)
}

/// The command tree as manual pages see it: built (so subcommands know their `trustlint-scan` names) and
/// without clap's `help` subcommand, which has no page.
fn man_command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

fn render_man(man: &clap_mangen::Man) -> Result<String, Fatal> {
    let mut page = Vec::new();
    man.render(&mut page)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// `trustlint man` prints trustlint(1); `trustlint man scan` prints trustlint-scan(1); `--out-dir DIR` writes
/// every page, named as packagers install them (`trustlint.1`, `trustlint-scan.1`, …).
fn cmd_man(args: &ManArgs) -> Result<i32, Fatal> {
    let cmd = man_command();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Fatal(format!("cannot create {}: {e}", dir.display())))?;
        let mut pages = vec![cmd.clone()];
        pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        for page in pages {
            let man = clap_mangen::Man::new(page);
            let path = dir.join(man.get_filename());
            let text = render_man(&man)?;
            write_file(&path, &text)?;
            let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
        }
        return Ok(EXIT_OK);
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) if !sub.is_hide_set() => sub.clone(),
            _ => {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                return Err(Fatal(format!(
                    "unknown command {name:?}; pages exist for {}",
                    names.join(", ")
                )));
            }
        },
    };
    write_stdout(&render_man(&clap_mangen::Man::new(page))?)?;
    Ok(EXIT_OK)
}

fn cmd_explain(args: &ExplainArgs) -> Result<i32, Fatal> {
    let Some(meta) = rules::meta(args.id.trim()) else {
        return Err(Fatal(format!(
            "unknown rule ID {:?}; `trustlint rules` lists them",
            args.id
        )));
    };
    let mut page = meta.page.to_string();
    if !page.ends_with('\n') {
        page.push('\n');
    }
    write_stdout(&page)?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("trustlint").chain(args.iter().copied()))
    }

    fn scan_args(args: &[&str]) -> ScanArgs {
        match parse(args).map(|c| c.command) {
            Ok(Command::Scan(a)) => a,
            other => panic!("not a scan: {other:?}"),
        }
    }

    #[test]
    fn format_specs_split_at_the_first_equals() {
        assert_eq!(
            parse_format_spec("sarif=out/a=b.sarif"),
            Ok(FormatSpec {
                format: Format::Sarif,
                path: Some(PathBuf::from("out/a=b.sarif"))
            })
        );
        assert_eq!(
            parse_format_spec("json").map(|f| f.format),
            Ok(Format::Json)
        );
        assert!(parse_format_spec("xml").is_err());
        assert!(parse_format_spec("sarif=").is_err());
    }

    #[test]
    fn vars_need_a_key_and_keep_equals_in_values() {
        assert_eq!(
            parse_var("tags=a=b"),
            Ok(("tags".to_string(), "a=b".to_string()))
        );
        assert!(parse_var("novalue").is_err());
        assert!(parse_var("=x").is_err());
    }

    #[test]
    fn scan_defaults() {
        let a = scan_args(&["scan"]);
        assert!(a.input.paths.is_empty());
        assert_eq!(a.fail_on, FailOn::Warning);
        assert_eq!(
            plan_outputs(&a).map_err(|e| e.0).ok(),
            Some(vec![(Format::Text, Dest::Stdout)])
        );
    }

    #[test]
    fn outputs_pair_formats_with_files() {
        let a = scan_args(&[
            "scan",
            "--format",
            "sarif=out.sarif",
            "--format",
            "json",
            "-o",
            "f.json",
        ]);
        assert_eq!(
            plan_outputs(&a).map_err(|e| e.0).ok(),
            Some(vec![
                (Format::Sarif, Dest::File("out.sarif".into())),
                (Format::Json, Dest::File("f.json".into())),
            ])
        );
        // Only file outputs: nothing on stdout.
        let a = scan_args(&["scan", "--format", "sarif=out.sarif"]);
        assert_eq!(
            plan_outputs(&a).map_err(|e| e.0).ok(),
            Some(vec![(Format::Sarif, Dest::File("out.sarif".into()))])
        );
    }

    #[test]
    fn two_formats_cannot_share_stdout() {
        let a = scan_args(&["scan", "--format", "json", "--format", "sarif"]);
        let e = plan_outputs(&a).err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("only one --format"), "{e}");
    }

    #[test]
    fn output_without_a_plain_format_is_an_error() {
        let a = scan_args(&["scan", "--format", "sarif=a.sarif", "-o", "x"]);
        assert!(plan_outputs(&a).is_err());
    }

    #[test]
    fn github_and_markdown_are_formats() {
        let a = scan_args(&["scan", "--format", "github", "--format", "markdown=s.md"]);
        assert_eq!(
            plan_outputs(&a).map_err(|e| e.0).ok(),
            Some(vec![
                (Format::Markdown, Dest::File("s.md".into())),
                (Format::Github, Dest::Stdout),
            ])
        );
    }

    #[test]
    fn bad_values_are_usage_errors() {
        assert!(parse(&["scan", "--fail-on", "critical"]).is_err());
        assert!(parse(&["scan", "--var", "x"]).is_err());
        assert!(parse(&["graph", "--format", "svg"]).is_err());
        assert!(parse(&["explain"]).is_err());
    }

    fn finding(sev: Severity, suppressed: bool) -> Finding {
        let mut f = Finding::new("TL001", sev, "m", Span::default(), "r");
        if suppressed {
            f.suppression = Some(crate::finding::Suppression {
                kind: crate::finding::SuppressionKind::InSource,
                justification: "ok".into(),
            });
        }
        f
    }

    #[test]
    fn exit_codes_follow_fail_on_and_ignore_suppressed() {
        let warn = [finding(Severity::Warning, false)];
        assert_eq!(exit_code(&warn, FailOn::Warning), EXIT_FINDINGS);
        assert_eq!(exit_code(&warn, FailOn::Note), EXIT_FINDINGS);
        assert_eq!(exit_code(&warn, FailOn::Error), EXIT_OK);
        assert_eq!(exit_code(&warn, FailOn::Never), EXIT_OK);
        let suppressed = [finding(Severity::Error, true)];
        assert_eq!(exit_code(&suppressed, FailOn::Note), EXIT_OK);
        assert_eq!(exit_code(&[], FailOn::Note), EXIT_OK);
    }
}
