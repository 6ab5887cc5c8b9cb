//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (SPEC §5.2).
//!
//! One run; `tool.driver.rules` lists every rule of the catalogue; results carry exact regions in UTF-16 code
//! units relative to `%SRCROOT%`, related locations for value hops, a code flow for chains, a fingerprint that
//! survives line moves, and suppressions. Output is deterministic: no timestamps, `stats.duration_ms` is the
//! only field that changes from run to run.
//!
//! `primaryLocationLineHash` is deliberately absent: GitHub's upload action computes it from the checked-out
//! source, and a value that differs from its own is reported as inconsistent.

use super::json::{catalogue, locate};
use crate::finding::{Finding, Related, Severity, SuppressionKind};
use crate::rules::RuleMeta;
use crate::source::{SourceMap, Span};
use crate::ScanOutput;
use serde_json::{json, Value};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `$schema` of the log: the URL GitHub's examples use.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool (`tool.driver.informationUri`).
pub const INFORMATION_URI: &str = match option_env!("CARGO_PKG_REPOSITORY") {
    Some(r) if !r.is_empty() => r,
    _ => "https://github.com/trustlint/trustlint",
};
/// The key of our own fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "trustlint/v1";
/// The base id relative URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// SARIF limits GitHub documents: text fields at most 1024 characters, at most 20 tags per rule.
const MAX_DESCRIPTION: usize = 1024;
const MAX_TAGS: usize = 20;
/// GitHub's limits per run and per result: results beyond them are dropped, most severe kept.
pub const MAX_RESULTS: usize = 25_000;
const MAX_RELATED: usize = 1_000;
const MAX_FLOW_STEPS: usize = 10_000;

/// How the SARIF log is made.
#[derive(Clone, Debug, Default)]
pub struct SarifOptions {
    /// The directory relative paths are relative to (`%SRCROOT%`); the current directory when `None`.
    pub root: Option<PathBuf>,
}

/// The scan as a SARIF log, with the registry's rules and the current directory as `%SRCROOT%`.
pub fn render(out: &ScanOutput) -> String {
    render_with(out, &catalogue(), &SarifOptions::default())
}

/// [`render`] with an explicit rule catalogue and root.
pub fn render_with(out: &ScanOutput, rules: &[&RuleMeta], opts: &SarifOptions) -> String {
    let log = to_value(out, rules, opts);
    // A tree of strings, numbers and maps always serialises.
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// The SARIF log as a JSON value (what [`render_with`] prints).
pub fn to_value(out: &ScanOutput, rules: &[&RuleMeta], opts: &SarifOptions) -> Value {
    let root = opts
        .root
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let log = build(out, rules, &root);
    serde_json::to_value(&log).unwrap_or(Value::Null)
}

fn build(out: &ScanOutput, rules: &[&RuleMeta], root: &Path) -> sarif::Sarif {
    // Findings of rules the catalogue does not describe still need a descriptor: ruleIndex must point
    // somewhere, and GitHub wants a description for every ruleId.
    let mut descriptors: Vec<sarif::ReportingDescriptor> =
        rules.iter().map(|m| descriptor(m)).collect();
    let mut index: BTreeMap<&str, usize> =
        rules.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    for f in &out.findings {
        if !index.contains_key(f.rule_id) {
            index.insert(f.rule_id, descriptors.len());
            descriptors.push(unknown_descriptor(f.rule_id));
        }
    }
    let kept = select(&out.findings, MAX_RESULTS);
    let results: Vec<sarif::Result> = kept
        .iter()
        .map(|f| result(f, index.get(f.rule_id).copied(), &out.sources))
        .collect();

    let driver = sarif::ToolComponent::builder()
        .name("trustlint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(descriptors)
        .build();
    let mut base_ids = BTreeMap::new();
    base_ids.insert(
        SRCROOT.to_string(),
        sarif::ArtifactLocation::builder()
            .uri(dir_uri(root))
            .build(),
    );
    let mut props = BTreeMap::new();
    props.insert(
        "stats".to_string(),
        serde_json::to_value(&out.stats).unwrap_or(Value::Null),
    );
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("utf16CodeUnits"))
        .original_uri_base_ids(base_ids)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// At most `max` findings, in their original order: active before suppressed, then by severity.
fn select(findings: &[Finding], max: usize) -> Vec<&Finding> {
    if findings.len() <= max {
        return findings.iter().collect();
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Stable: among equals, earlier findings win.
    order.sort_by_key(|&i| {
        findings
            .get(i)
            .map(|f| (f.suppression.is_some(), std::cmp::Reverse(f.severity)))
    });
    order.truncate(max);
    order.sort_unstable();
    order.into_iter().filter_map(|i| findings.get(i)).collect()
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note => sarif::ResultLevel::Note,
    }
}

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.into())
        .build()
}

fn message(s: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(s.into()).build()
}

/// At most `max` characters, cut at a character boundary with an ellipsis.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The first paragraph of a rule page that is not a heading: its `fullDescription`.
pub fn first_paragraph(page: &str) -> Option<String> {
    let mut para: Vec<&str> = Vec::new();
    for line in page.lines() {
        let l = line.trim();
        if l.is_empty() {
            if !para.is_empty() {
                break;
            }
            continue;
        }
        if para.is_empty() && (l.starts_with('#') || l.starts_with("---")) {
            continue;
        }
        para.push(l);
    }
    (!para.is_empty()).then(|| para.join(" "))
}

fn descriptor(m: &RuleMeta) -> sarif::ReportingDescriptor {
    let short = if m.short.trim().is_empty() {
        m.slug
    } else {
        m.short
    };
    let full = first_paragraph(m.page).unwrap_or_else(|| short.to_string());
    let page = if m.page.trim().is_empty() {
        full.clone()
    } else {
        m.page.to_string()
    };
    let mut tags: Vec<String> = Vec::new();
    for t in std::iter::once("security").chain(m.tags.iter().copied()) {
        if !t.is_empty() && !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    tags.truncate(MAX_TAGS);
    let mut props = BTreeMap::new();
    if !m.security_severity.is_empty() {
        props.insert("security-severity".to_string(), json!(m.security_severity));
    }
    sarif::ReportingDescriptor::builder()
        .id(m.id)
        .name(m.slug)
        .short_description(text(truncate(short, MAX_DESCRIPTION)))
        .full_description(text(truncate(&full, MAX_DESCRIPTION)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(page.clone())
                .markdown(page)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(m.default_severity.as_str()))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn unknown_descriptor(id: &str) -> sarif::ReportingDescriptor {
    sarif::ReportingDescriptor::builder()
        .id(id)
        .name(id)
        .short_description(text(id))
        .full_description(text(format!("Rule {id}.")))
        .help(text(format!("Rule {id} has no page.")))
        .build()
}

/// A location with a message, or without one when the message is empty (SARIF rejects empty texts).
fn location(sources: &SourceMap, span: Span, msg: &str, id: Option<i64>) -> sarif::Location {
    let mut loc = sarif::Location {
        physical_location: Some(physical(sources, span)),
        ..Default::default()
    };
    if !msg.trim().is_empty() {
        loc.message = Some(message(msg));
    }
    loc.id = id;
    loc
}

fn physical(sources: &SourceMap, span: Span) -> sarif::PhysicalLocation {
    let l = locate(sources, span);
    let artifact = if is_absolute(&l.file) {
        sarif::ArtifactLocation::builder()
            .uri(file_uri(&l.file, false))
            .build()
    } else {
        let rel = if l.file.is_empty() {
            "(unknown)"
        } else {
            l.file.as_str()
        };
        sarif::ArtifactLocation::builder()
            .uri(encode_path(rel))
            .uri_base_id(SRCROOT)
            .build()
    };
    sarif::PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(
            sarif::Region::builder()
                .start_line(i64::from(l.start_line))
                .start_column(i64::from(l.start_column16))
                .end_line(i64::from(l.end_line))
                .end_column(i64::from(l.end_column16))
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: Option<usize>, sources: &SourceMap) -> sarif::Result {
    let mut fps = BTreeMap::new();
    fps.insert(FINGERPRINT_KEY.to_string(), f.fingerprint());
    let mut r = sarif::Result::builder()
        .message(message(if f.message.trim().is_empty() {
            f.rule_id
        } else {
            f.message.as_str()
        }))
        .rule_id(f.rule_id)
        .level(level(f.severity))
        .locations(vec![location(sources, f.primary, "", None)])
        .partial_fingerprints(fps)
        .build();
    r.rule_index = rule_index.map(|i| i as i64);
    if !f.related.is_empty() {
        r.related_locations = Some(
            f.related
                .iter()
                .take(MAX_RELATED)
                .enumerate()
                .map(|(i, rel)| location(sources, rel.span, &rel.message, Some(i as i64 + 1)))
                .collect(),
        );
    }
    if !f.code_flow.is_empty() {
        r.code_flows = Some(vec![code_flow(&f.code_flow, sources)]);
    }
    if let Some(s) = &f.suppression {
        let kind = match s.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        };
        let mut sup = sarif::Suppression::builder().kind(json!(kind)).build();
        if !s.justification.trim().is_empty() {
            sup.justification = Some(s.justification.clone());
        }
        r.suppressions = Some(vec![sup]);
    }
    r
}

fn code_flow(steps: &[Related], sources: &SourceMap) -> sarif::CodeFlow {
    let locations: Vec<sarif::ThreadFlowLocation> = steps
        .iter()
        .take(MAX_FLOW_STEPS)
        .map(|s| {
            sarif::ThreadFlowLocation::builder()
                .location(location(sources, s.span, &s.message, None))
                .build()
        })
        .collect();
    sarif::CodeFlow::builder()
        .thread_flows(vec![sarif::ThreadFlow::builder()
            .locations(locations)
            .build()])
        .build()
}

fn is_absolute(p: &str) -> bool {
    p.starts_with('/') || p.starts_with('\\') || has_drive(p)
}

/// `C:/…` or `C:\…`.
fn has_drive(p: &str) -> bool {
    let b = p.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.get(1) == Some(&b':')
        && matches!(b.get(2), Some(b'/' | b'\\'))
}

/// Percent-encodes a `/`-separated path for a URI: everything but unreserved characters and `/`.
fn encode_path(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    for b in p.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// `file:///abs/path` (with a trailing slash for directories). Windows drive paths become `file:///C:/…`.
fn file_uri(path: &str, dir: bool) -> String {
    let p = path.replace('\\', "/");
    let mut enc = encode_path(&p);
    // Keep the drive colon readable: `C%3A` is valid but unusual.
    if has_drive(&p) {
        enc = enc.replacen("%3A", ":", 1);
    }
    let mut uri = if enc.starts_with('/') {
        format!("file://{enc}")
    } else {
        format!("file:///{enc}")
    };
    if dir && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn dir_uri(root: &Path) -> String {
    file_uri(&root.to_string_lossy(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(encode_path("a b/ü#1.tf"), "a%20b/%C3%BC%231.tf");
        assert_eq!(file_uri("/work/x y", true), "file:///work/x%20y/");
        assert_eq!(file_uri("C:\\src\\repo", true), "file:///C:/src/repo/");
        assert_eq!(file_uri("/", true), "file:///");
        assert!(is_absolute("C:\\x.tf") && is_absolute("/x.tf"));
        assert!(!is_absolute("c:x.tf") && !is_absolute("infra/main.tf"));
    }

    #[test]
    fn over_the_limit_the_most_severe_active_findings_are_kept_in_order() {
        use crate::finding::Suppression;
        let mk = |id: &'static str, sev: Severity| Finding::new(id, sev, "m", Span::default(), "r");
        let mut quiet = mk("S", Severity::Error);
        quiet.suppression = Some(Suppression {
            kind: SuppressionKind::External,
            justification: "b".into(),
        });
        let fs = vec![
            mk("N1", Severity::Note),
            quiet,
            mk("W1", Severity::Warning),
            mk("E1", Severity::Error),
            mk("W2", Severity::Warning),
        ];
        let ids = |max| -> Vec<&str> { select(&fs, max).iter().map(|f| f.rule_id).collect() };
        assert_eq!(ids(3), ["W1", "E1", "W2"]);
        assert_eq!(ids(1), ["E1"]);
        assert_eq!(ids(4), ["N1", "W1", "E1", "W2"]);
        assert_eq!(ids(9).len(), 5);
    }

    #[test]
    fn first_paragraph_skips_headings() {
        let page =
            "# TL001 role-trusts-role\n\nA trust statement\nallows a role.\n\n## Why\nmore\n";
        assert_eq!(
            first_paragraph(page).as_deref(),
            Some("A trust statement allows a role.")
        );
        assert_eq!(first_paragraph("# only a title\n"), None);
    }

    #[test]
    fn long_texts_are_cut_at_char_boundaries() {
        let s = "é".repeat(2000);
        let t = truncate(&s, MAX_DESCRIPTION);
        assert_eq!(t.chars().count(), MAX_DESCRIPTION);
        assert!(t.ends_with('…'));
    }
}
