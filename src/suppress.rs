//! Suppressions (SPEC §4.1): inline `trustlint:ignore` comments in HCL and YAML, CloudFormation
//! `Metadata.trustlint.ignore`, and baselines of fingerprints.
//!
//! Comments are found on the source text, not the syntax tree, so every front end gets them for free: a
//! comment on its own line silences the construct that starts on the next line (an HCL block or bracketed
//! value up to its closing bracket, a YAML node and everything indented below it); a comment at the end of a
//! line silences that line.

use crate::finding::{Finding, Severity, Suppression, SuppressionKind};
use crate::model::Inventory;
use crate::source::{SourceFile, SourceMap, Span};
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// A parsed `trustlint:ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreComment {
    pub ids: Vec<String>,
    /// `until=YYYY-MM-DD`, as (year, month, day).
    pub until: Option<(i32, u32, u32)>,
    pub reason: String,
    /// The comment text.
    pub span: Span,
    /// 1-based lines the comment silences (inclusive).
    pub lines: (u32, u32),
}

/// A civil date, for `until=`.
pub type Date = (i32, u32, u32);

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

pub fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Why a comment could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadComment {
    pub message: String,
    pub span: Span,
}

const MARKER: &str = "trustlint:ignore";

/// Finds the comment start (`#` or `//`) in a line, outside double-quoted strings.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'#' if !in_str => return Some(i),
            b'/' if !in_str && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_yaml(file: &SourceFile) -> bool {
    let p = file.rel.to_ascii_lowercase();
    p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".template")
}

/// The last line of the construct starting at `line` (1-based).
fn extent(file: &SourceFile, line: u32) -> u32 {
    let count = file.line_count() as u32;
    if is_yaml(file) {
        let base = indent(file.line_text(line));
        let mut last = line;
        let mut l = line + 1;
        while l <= count {
            let t = file.line_text(l);
            if t.trim().is_empty() || t.trim_start().starts_with('#') {
                l += 1;
                continue;
            }
            // A sequence item's fields sit deeper than its dash; a mapping key's value deeper than the key.
            if indent(t) > base {
                last = l;
                l += 1;
            } else {
                break;
            }
        }
        return last;
    }
    // HCL / JSON: follow brackets (and heredocs) opened on the first line until they close.
    let mut depth: i64 = 0;
    let mut heredoc: Option<String> = None;
    let mut l = line;
    while l <= count {
        let t = file.line_text(l);
        if let Some(tag) = &heredoc {
            if t.trim() == tag {
                heredoc = None;
                if depth <= 0 {
                    return l;
                }
            }
            l += 1;
            continue;
        }
        let code = match comment_start(t) {
            Some(c) => &t[..c],
            None => t,
        };
        let mut in_str = false;
        let mut prev = '\0';
        for c in code.chars() {
            match c {
                '"' if prev != '\\' => in_str = !in_str,
                '{' | '[' | '(' if !in_str => depth += 1,
                '}' | ']' | ')' if !in_str => depth -= 1,
                _ => {}
            }
            prev = c;
        }
        if let Some(pos) = code.find("<<") {
            let tag: String = code[pos + 2..]
                .trim_start_matches(['-', '~'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !tag.is_empty() {
                heredoc = Some(tag);
                l += 1;
                continue;
            }
        }
        if depth <= 0 {
            return l;
        }
        l += 1;
    }
    count
}

/// Parses the comments of one file.
pub fn comments(file: &SourceFile) -> (Vec<IgnoreComment>, Vec<BadComment>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    if !file.text.contains(MARKER) {
        return (good, bad);
    }
    let count = file.line_count() as u32;
    for line in 1..=count {
        let t = file.line_text(line);
        let Some(c) = comment_start(t) else { continue };
        let comment = &t[c..];
        let Some(m) = comment.find(MARKER) else {
            continue;
        };
        let start = file.line_start(line) + c;
        let span = Span::new(file.id, start, start + comment.len());
        let rest = comment[m + MARKER.len()..].trim();
        let mut words = rest.split_whitespace();
        let ids: Vec<String> = words
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.trim().to_ascii_uppercase())
            .collect();
        let valid_ids = !ids.is_empty()
            && ids.iter().all(|id| {
                id.len() == 5 && id.starts_with("TL") && id[2..].bytes().all(|b| b.is_ascii_digit())
            });
        if !valid_ids {
            bad.push(BadComment {
                message: "trustlint:ignore needs rule IDs, e.g. `# trustlint:ignore TL013 reason`"
                    .into(),
                span,
            });
            continue;
        }
        let mut until = None;
        let mut reason_words = Vec::new();
        let mut bad_date = false;
        for w in words {
            if let Some(d) = w.strip_prefix("until=") {
                match parse_date(d) {
                    Some(d) => until = Some(d),
                    None => bad_date = true,
                }
            } else {
                reason_words.push(w);
            }
        }
        if bad_date {
            bad.push(BadComment {
                message: "trustlint:ignore has an invalid until= date (expected YYYY-MM-DD); the suppression is ignored".into(),
                span,
            });
            continue;
        }
        let reason = reason_words.join(" ");
        if reason.is_empty() {
            bad.push(BadComment {
                message: format!(
                    "trustlint:ignore {} has no reason; the suppression is ignored",
                    ids.join(",")
                ),
                span,
            });
            continue;
        }
        let own_line = t[..c].trim().is_empty();
        let lines = if own_line {
            // The next line that is not itself a comment or blank.
            let mut target = line + 1;
            while target <= count {
                let tt = file.line_text(target).trim();
                if tt.is_empty() || tt.starts_with('#') || tt.starts_with("//") {
                    target += 1;
                } else {
                    break;
                }
            }
            (target, extent(file, target.min(count)))
        } else {
            (line, line)
        };
        good.push(IgnoreComment {
            ids,
            until,
            reason,
            span,
            lines,
        });
    }
    (good, bad)
}

/// A `Metadata.trustlint.ignore` entry of a CloudFormation resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataIgnore {
    /// The resource's address (logical ID) as findings name it.
    pub resource: String,
    pub id: String,
    /// Empty when the entry gives none: the entry is then reported and ignored.
    pub reason: String,
    /// `until: YYYY-MM-DD`, after which the entry lapses.
    pub until: Option<Date>,
    /// The entry (what a complaint about it points at).
    pub span: Span,
}

/// A baseline file: fingerprints of accepted findings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub resource: String,
    pub message: String,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(),
                rule_id: f.rule_id.to_string(),
                resource: f.resource.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: invalid baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Declarations findings can be about: by address, and by address and directory (several modules may use
/// the same address).
struct Declarations<'a> {
    by_address: HashMap<&'a str, Vec<Span>>,
    by_dir: HashMap<(&'a str, &'a [u8]), Vec<Span>>,
    files: &'a [Arc<SourceFile>],
}

fn declarations<'a>(inv: &'a Inventory, files: &'a [Arc<SourceFile>]) -> Declarations<'a> {
    let mut out = Declarations {
        by_address: HashMap::new(),
        by_dir: HashMap::new(),
        files,
    };
    let decls = inv
        .roles
        .iter()
        .map(|r| &r.decl)
        .chain(inv.standalone_trusts.iter().map(|s| &s.decl))
        .chain(inv.policies.iter().map(|p| &p.decl))
        .chain(inv.users.iter().map(|u| &u.decl))
        .chain(inv.groups.iter().map(|g| &g.decl));
    for d in decls {
        let dir = out.dir_of(d.span);
        out.by_address
            .entry(d.address.as_str())
            .or_default()
            .push(d.span);
        out.by_dir
            .entry((d.address.as_str(), dir))
            .or_default()
            .push(d.span);
    }
    out
}

impl<'a> Declarations<'a> {
    /// The directory part of the file's path, as bytes: paths in one scan are spelled alike, and hashing
    /// bytes instead of path components is what keeps this cheap with thousands of same-named resources.
    fn dir_of(&self, span: Span) -> &'a [u8] {
        let Some(f) = self.files.get(span.file.0 as usize) else {
            return &[];
        };
        let path = f.path.as_os_str().as_encoded_bytes();
        let cut = path
            .iter()
            .rposition(|&b| std::path::is_separator(char::from(b)))
            .unwrap_or(0);
        path.get(..cut).unwrap_or_default()
    }

    /// The declaration of the resource a finding names: the only one with that address, or the only one in
    /// the directory of the finding's file when several modules use the same address.
    fn resource_decl(&self, f: &Finding) -> Option<Span> {
        let cands = self.by_address.get(f.resource.as_str())?;
        if let [one] = cands.as_slice() {
            return Some(*one);
        }
        let here = self.dir_of(f.primary);
        match self
            .by_dir
            .get(&(f.resource.as_str(), here))
            .map(Vec::as_slice)
        {
            Some([one]) => Some(*one),
            _ => None,
        }
    }
}

/// Marks suppressed findings; returns findings about unusable suppressions (reported as TL900 notes… as
/// errors of the suppression syntax). Lapsed suppressions leave the finding active with a note appended.
pub fn apply(
    findings: &mut [Finding],
    sources: &SourceMap,
    inventory: &Inventory,
    baseline: Option<&Baseline>,
    today: Date,
) -> Vec<Finding> {
    use rayon::prelude::*;
    let files = sources.all();
    let decls = declarations(inventory, &files);
    // A comment may sit at the offending text or above the resource the finding is about (the account ID of
    // a finding may be written in a tfvars file while the comment is above the role).
    let places: Vec<(Span, Option<Span>)> = findings
        .par_iter()
        .map(|f| (f.primary, decls.resource_decl(f)))
        .collect();
    let primary_files: BTreeSet<u32> = findings.iter().map(|f| f.primary.file.0).collect();
    let mut wanted = primary_files.clone();
    wanted.extend(places.iter().filter_map(|(_, d)| d.map(|d| d.file.0)));
    let parsed: HashMap<u32, (Vec<IgnoreComment>, Vec<BadComment>)> = wanted
        .into_par_iter()
        .filter_map(|id| files.get(id as usize).map(|f| (id, comments(f))))
        .collect();
    let mut extra = Vec::new();
    for id in &primary_files {
        let (Some(file), Some((_, bad))) = (files.get(*id as usize), parsed.get(id)) else {
            continue;
        };
        for b in bad {
            extra.push(
                Finding::new(
                    "TL900",
                    Severity::Warning,
                    b.message.clone(),
                    b.span,
                    file.rel.clone(),
                )
                .key(format!("suppression:{}", file.slice(b.span))),
            );
        }
    }
    for m in inventory
        .metadata_ignores
        .iter()
        .filter(|m| m.reason.is_empty())
    {
        extra.push(
            Finding::new(
                "TL900",
                Severity::Warning,
                format!(
                    "Metadata.trustlint.ignore {} of {} has no reason; the suppression is ignored",
                    m.id, m.resource
                ),
                m.span,
                m.resource.clone(),
            )
            .key(format!("suppression:{}:{}", m.resource, m.id)),
        );
    }
    let fingerprints: BTreeSet<&str> = baseline
        .map(|b| b.findings.iter().map(|e| e.fingerprint.as_str()).collect())
        .unwrap_or_default();
    findings
        .par_iter_mut()
        .zip(places.par_iter())
        .for_each(|(f, (primary, decl))| {
            let hit = std::iter::once(*primary).chain(*decl).find_map(|span| {
                let file = files.get(span.file.0 as usize)?;
                let (comments, _) = parsed.get(&span.file.0)?;
                if comments.is_empty() {
                    return None;
                }
                let line = file.line_of(span.start);
                comments.iter().find(|c| {
                    c.lines.0 <= line && line <= c.lines.1 && c.ids.iter().any(|id| id == f.rule_id)
                })
            });
            if let Some(c) = hit {
                if in_source(f, c.until, &c.reason, today) {
                    return;
                }
            }
            if let Some(m) = inventory
                .metadata_ignores
                .iter()
                .find(|m| m.id == f.rule_id && m.resource == f.resource && !m.reason.is_empty())
            {
                if in_source(f, m.until, &m.reason, today) {
                    return;
                }
            }
            if !fingerprints.is_empty() && fingerprints.contains(f.fingerprint().as_str()) {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    justification: "accepted in the baseline".into(),
                });
            }
        });
    extra
}

/// Applies an in-source suppression to `f`: suppressed (true) until its date, after which the finding stays
/// and says that its suppression lapsed.
fn in_source(f: &mut Finding, until: Option<Date>, reason: &str, today: Date) -> bool {
    match until {
        Some(until) if until < today => {
            f.message = format!(
                "{} (suppression expired on {:04}-{:02}-{:02}: {reason})",
                f.message, until.0, until.1, until.2
            );
            false
        }
        _ => {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::InSource,
                justification: reason.to_string(),
            });
            true
        }
    }
}

#[cfg(test)]
mod tests;
