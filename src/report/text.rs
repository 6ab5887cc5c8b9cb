//! `--format text`: miette-style diagnostics with the source snippet, then a summary.
//!
//! Each unsuppressed finding is rendered by miette's graphical handler: a `severity[ID slug]` header, the
//! message, the source around the finding with a label under the exact span, related locations of the same
//! file as further labels, and notes for related locations elsewhere and for chains. The report ends with a
//! summary line and the governance figures (SPEC §5.2 `stats.kpis`) in two lines.

use super::json::{catalogue, display_range, locate, slug_of};
use crate::finding::{Finding, Severity};
use crate::rules::RuleMeta;
use crate::source::{SourceFile, SourceMap};
use crate::stats::Stats;
use crate::ScanOutput;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// Where messages wrap unless told otherwise: the same in a terminal, a CI log and a file.
pub const DEFAULT_WIDTH: usize = 100;

/// How the text report looks.
#[derive(Clone, Debug, Default)]
pub struct TextOptions {
    /// ANSI colours (off with `--no-color`, `NO_COLOR` or when not a terminal).
    pub color: bool,
    /// Findings only, no summary.
    pub quiet: bool,
    /// Wrap width of messages; `None`: [`DEFAULT_WIDTH`].
    pub width: Option<usize>,
}

/// `color`: ANSI colours (off with `--no-color`, `NO_COLOR` or when not a terminal).
pub fn render(out: &ScanOutput, color: bool) -> String {
    render_opts(
        out,
        &TextOptions {
            color,
            ..TextOptions::default()
        },
    )
}

/// The text report with the registry's rules.
pub fn render_opts(out: &ScanOutput, opts: &TextOptions) -> String {
    render_with(out, &catalogue(), opts)
}

/// [`render_opts`] with an explicit rule catalogue (for slugs).
pub fn render_with(out: &ScanOutput, rules: &[&RuleMeta], opts: &TextOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(opts.width.unwrap_or(DEFAULT_WIDTH).max(40));
    let mut s = String::new();
    for f in out.findings.iter().filter(|f| f.suppression.is_none()) {
        let diag = TextDiag::new(f, &out.sources, rules);
        if handler.render_report(&mut s, &diag).is_err() {
            // Rendering into a String only fails if a Display impl does; fall back to one plain line.
            let l = locate(&out.sources, f.primary);
            s.push_str(&format!(
                "{}:{}:{}: {}[{}] {}\n",
                l.file, l.start_line, l.start_column, f.severity, f.rule_id, f.message
            ));
        }
        s.push('\n');
    }
    if !opts.quiet {
        s.push_str(&summary(&out.findings, &out.stats));
    }
    s
}

/// The summary line and the two KPI lines.
pub fn summary(findings: &[Finding], stats: &Stats) -> String {
    let count = |sev: Severity| {
        findings
            .iter()
            .filter(|f| f.suppression.is_none() && f.severity == sev)
            .count()
    };
    let suppressed = findings.iter().filter(|f| f.suppression.is_some()).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let mut line = if errors + warnings + notes == 0 {
        "no findings".to_string()
    } else {
        format!(
            "{}, {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(notes, "note")
        )
    };
    if suppressed > 0 {
        line.push_str(&format!(" ({suppressed} suppressed)"));
    }
    let k = &stats.kpis;
    format!(
        "{line} · {}, {}, {}, {} · {} ms\n\
         roles trusting roles: {} · roles trusting unlisted accounts: {} · third-party roles without ExternalId: {}\n\
         multi-service roles: {} · roles missing required tags: {} · roles with unknown trust: {}\n",
        plural(stats.files, "file"),
        plural(stats.roles, "role"),
        plural(stats.trust_documents, "trust document"),
        plural(stats.unresolved_values, "unresolved value"),
        stats.duration_ms,
        k.roles_trusting_roles,
        k.roles_trusting_unlisted_accounts,
        k.third_party_roles_without_external_id,
        k.multi_service_roles,
        k.roles_missing_required_tags,
        k.roles_with_unknown_trust,
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Lines longer than this many bytes are shown as a window around the finding: a plan JSON is often a
/// single line of many megabytes.
const LONG_LINE: usize = 320;
/// Characters shown on each side of a finding in a long line.
const WINDOW_CHARS: usize = 60;
/// Labels spanning more lines than this are cut to their first line (a whole resource block, a whole file).
const MAX_LABEL_LINES: usize = 8;

/// A source file as miette source code, without copying its text. Lines and columns come from the
/// [`SourceFile`]'s line table: miette's own lookup rescans the file from the start for every label and
/// counts columns in bytes, while text output counts characters.
#[derive(Debug)]
struct FileSource(Arc<SourceFile>);

/// `i` moved back to a character boundary of `text`.
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset `n` characters before `i`, not before `limit`.
fn chars_back(text: &str, i: usize, n: usize, limit: usize) -> usize {
    text.get(limit..i)
        .and_then(|s| s.char_indices().rev().nth(n.saturating_sub(1)))
        .map_or(limit, |(j, _)| limit + j)
}

/// The byte offset `n` characters after `i`, not after `limit`.
fn chars_forward(text: &str, i: usize, n: usize, limit: usize) -> usize {
    text.get(i..limit)
        .and_then(|s| s.char_indices().nth(n))
        .map_or(limit, |(j, _)| i + j)
}

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &self.0;
        let text = file.text.as_str();
        let start = floor_boundary(text, span.offset());
        let end = floor_boundary(text, span.offset().saturating_add(span.len())).max(start);
        let first = file.position(start as u32);
        let column = first.col.saturating_sub(1) as usize;
        let line_start = file.line_start(first.line);
        let line_end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| start + i);
        if line_end - line_start > LONG_LINE {
            let from = chars_back(text, start, WINDOW_CHARS, line_start);
            let to = chars_forward(text, end.min(line_end), WINDOW_CHARS, line_end);
            let data = text.get(from..to).unwrap_or("");
            return Ok(Box::new(MietteSpanContents::new(
                data.as_bytes(),
                (from, data.len()).into(),
                first.line.saturating_sub(1) as usize,
                column,
                1,
            )));
        }
        // The line of the span's last character (an end right after a newline belongs to the line before).
        let last = if end > start {
            file.position(end as u32 - 1).line
        } else {
            first.line
        };
        let from_line = first
            .line
            .saturating_sub(context_lines_before as u32)
            .max(1);
        let line_count = file.line_count() as u32;
        let to_line = last.saturating_add(context_lines_after as u32);
        let from = file.line_start(from_line);
        let to = if to_line >= line_count {
            text.len()
        } else {
            file.line_start(to_line + 1)
        };
        let data = text.get(from..to.max(from)).unwrap_or("");
        Ok(Box::new(MietteSpanContents::new(
            data.as_bytes(),
            (from, data.len()).into(),
            from_line.saturating_sub(1) as usize,
            column,
            (to_line.min(line_count) - from_line + 1) as usize,
        )))
    }
}

/// The range a label underlines: the displayed range, cut to its first line when that line is long or the
/// range covers many lines.
fn label_range(file: &SourceFile, span: crate::source::Span) -> std::ops::Range<usize> {
    let r = display_range(file, span);
    let text = file.text.as_str();
    let Some(slice) = text.get(r.clone()) else {
        return r;
    };
    let Some(nl) = slice.find('\n') else {
        return r;
    };
    let line_start = file.line_start(file.position(r.start as u32).line);
    let long = r.start + nl - line_start > LONG_LINE;
    if long || slice.matches('\n').count() >= MAX_LABEL_LINES {
        let first = slice.get(..nl).map(str::trim_end).unwrap_or("");
        r.start..r.start + first.len().max(1).min(nl.max(1))
    } else {
        r
    }
}

/// One finding as a miette diagnostic.
struct TextDiag {
    code: String,
    message: String,
    severity: miette::Severity,
    source: NamedSource<FileSource>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl TextDiag {
    fn new(f: &Finding, sources: &SourceMap, rules: &[&RuleMeta]) -> TextDiag {
        let file = sources.get(f.primary.file);
        let primary = label_range(&file, f.primary);
        let label = (!f.resource.is_empty()).then(|| f.resource.clone());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            label,
            (primary.start, primary.len()),
        )];
        let mut notes = Vec::new();
        for r in &f.related {
            if r.span.file == f.primary.file {
                let range = label_range(&file, r.span);
                let msg = (!r.message.is_empty()).then(|| r.message.clone());
                labels.push(LabeledSpan::new_with_span(msg, (range.start, range.len())));
            } else {
                notes.push(format!(
                    "related: {}",
                    where_is(sources, r.span, &r.message)
                ));
            }
        }
        if !f.code_flow.is_empty() {
            notes.push("chain:".to_string());
            for (i, step) in f.code_flow.iter().enumerate() {
                notes.push(format!(
                    "  {}. {}",
                    i + 1,
                    where_is(sources, step.span, &step.message)
                ));
            }
        }
        let severity = match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        };
        let name = if file.rel.is_empty() {
            "(unknown file)".to_string()
        } else {
            file.rel.clone()
        };
        TextDiag {
            code: format!(
                "{}[{} {}]",
                f.severity,
                f.rule_id,
                slug_of(rules, f.rule_id)
            ),
            message: if f.message.trim().is_empty() {
                f.rule_id.to_string()
            } else {
                f.message.clone()
            },
            severity,
            source: NamedSource::new(name, FileSource(file)),
            labels,
            help: (!notes.is_empty()).then(|| notes.join("\n")),
        }
    }
}

/// `file:line:col message`.
fn where_is(sources: &SourceMap, span: crate::source::Span, message: &str) -> String {
    let l = locate(sources, span);
    if message.is_empty() {
        format!("{}:{}:{}", l.file, l.start_line, l.start_column)
    } else {
        format!("{}:{}:{} {message}", l.file, l.start_line, l.start_column)
    }
}

impl fmt::Debug for TextDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextDiag")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for TextDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TextDiag {}

impl Diagnostic for TextDiag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Kpis;

    fn output(sources: SourceMap, findings: Vec<Finding>) -> ScanOutput {
        ScanOutput {
            sources,
            inventory: crate::model::Inventory::default(),
            findings,
            stats: Stats::default(),
        }
    }

    #[test]
    fn empty_files_and_out_of_range_spans_render() {
        let map = SourceMap::new();
        let empty = map.add("e.yaml".into(), "e.yaml".into(), String::new());
        let short = map.add("s.tf".into(), "s.tf".into(), "ab\r\ncd".into());
        let findings = vec![
            Finding::new(
                "TL900",
                Severity::Error,
                "cannot read file",
                empty.whole(),
                "",
            ),
            Finding::new(
                "TL900",
                Severity::Error,
                "past the end",
                short.span(50, 90),
                "",
            ),
            Finding::new("TL900", Severity::Error, "", short.span(4, 5), ""),
        ];
        let s = render_with(&output(map, findings), &[], &TextOptions::default());
        assert!(s.contains("cannot read file"), "{s}");
        assert!(s.contains("[e.yaml:1:1]"), "{s}");
        assert!(s.contains("past the end"), "{s}");
        assert!(s.contains("[s.tf:2:3]"), "{s}");
        // An empty message falls back to the rule ID; an unknown rule's slug is its ID.
        assert!(s.contains("error[TL900 TL900]"), "{s}");
        assert!(s.contains("[s.tf:2:1]"), "{s}");
    }

    #[test]
    fn long_lines_are_windowed_and_long_labels_cut() {
        let map = SourceMap::new();
        // A minified plan: one line of 20,000 characters with the account ID in the middle.
        let mut line = String::from("{\"a\":\"");
        line.push_str(&"é".repeat(10_000));
        line.push_str("\",\"principal\":\"arn:aws:iam::210987654321:root\",\"b\":\"");
        line.push_str(&"x".repeat(10_000));
        line.push_str("\"}\n");
        let plan = map.add("p.json".into(), "plan.json".into(), line.clone());
        let at = line.find("210987654321").unwrap_or(0);
        let block: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let tf = map.add("m.tf".into(), "m.tf".into(), block);
        let findings = vec![
            Finding::new(
                "TL010",
                Severity::Warning,
                "in a plan",
                plan.span(at, at + 12),
                "r",
            ),
            Finding::new(
                "TL050",
                Severity::Warning,
                "whole block",
                tf.whole(),
                "block",
            ),
        ];
        let s = render_with(&output(map, findings), &[], &TextOptions::default());
        assert!(s.len() < 3_000, "{} bytes:\n{s}", s.len());
        assert!(s.contains("[plan.json:1:10035]"), "{s}");
        let shown = s
            .lines()
            .find(|l| l.contains("210987654321"))
            .unwrap_or_default();
        assert!(
            shown.contains("\"principal\":\"arn:aws:iam::210987654321:root\""),
            "{shown}"
        );
        assert!(shown.chars().count() < 200, "{shown}");
        // The 30-line label shows its first line, not all thirty.
        assert!(s.contains("line 1"), "{s}");
        assert!(!s.contains("line 5"), "{s}");
    }

    #[test]
    fn summary_counts_unsuppressed_findings_by_severity() {
        let map = SourceMap::new();
        let f = map.add("a.tf".into(), "a.tf".into(), "x".into());
        let mut quiet = Finding::new("TL013", Severity::Error, "m", f.whole(), "r");
        quiet.suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::External,
            justification: "baseline".into(),
        });
        let findings = vec![
            Finding::new("TL001", Severity::Warning, "m", f.whole(), "r"),
            Finding::new("TL010", Severity::Warning, "m", f.whole(), "r"),
            quiet,
        ];
        let stats = Stats {
            files: 1,
            roles: 2,
            trust_documents: 2,
            unresolved_values: 0,
            duration_ms: 7,
            kpis: Kpis {
                roles_trusting_roles: 1,
                multi_service_roles: 3,
                ..Kpis::default()
            },
        };
        let s = summary(&findings, &stats);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "0 errors, 2 warnings, 0 notes (1 suppressed) · 1 file, 2 roles, 2 trust documents, 0 unresolved values · 7 ms"
        );
        assert!(lines[1].starts_with("roles trusting roles: 1 · "));
        assert!(lines[2].starts_with("multi-service roles: 3 · "));
        assert!(summary(&[], &stats).starts_with("no findings · 1 file"));
    }
}
