//! `--format json`: a stable array of findings (SPEC §5.2).
//!
//! Also home of what every report needs: turning a [`Span`] into a displayable location, and the rule
//! catalogue lookups.

use crate::finding::{Finding, Severity};
use crate::rules::{self, RuleMeta};
use crate::source::{SourceFile, SourceMap, Span};
use crate::ScanOutput;
use serde::Serialize;
use std::ops::Range;

/// Where a finding is shown: 1-based lines, columns in characters (`*_column`) and in UTF-16 code units
/// (`*_column16`, SARIF), end exclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Path relative to the scan root (as the source map holds it).
    pub file: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub start_column16: u32,
    pub end_column16: u32,
}

/// The byte range a report shows for `span`: clamped to the file and to character boundaries, trailing
/// whitespace and line breaks dropped (front ends' block spans run up to the next line), and an empty span
/// widened to the character it sits on, so that every region has something to underline.
pub fn display_range(file: &SourceFile, span: Span) -> Range<usize> {
    let text = file.text.as_str();
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start as usize);
    let mut end = floor(span.end as usize).max(start);
    let trimmed = text.get(start..end).map(str::trim_end).unwrap_or("");
    if !trimmed.is_empty() {
        end = start + trimmed.len();
    } else if start == end {
        if let Some(c) = text.get(start..).and_then(|rest| rest.chars().next()) {
            if c != '\n' && c != '\r' {
                end = start + c.len_utf8();
            }
        }
    }
    start..end
}

/// The location of `span` in `sources`. A region that is still empty (at the end of a line or file) is one
/// column wide, as GitHub and editors expect.
pub fn locate(sources: &SourceMap, span: Span) -> Loc {
    let file = sources.get(span.file);
    let range = display_range(&file, span);
    let s = file.position(range.start as u32);
    let e = file.position(range.end as u32);
    let (mut end_column, mut end_column16) = (e.col, e.col16);
    if e.line == s.line && e.col <= s.col {
        end_column = s.col + 1;
        end_column16 = s.col16 + 1;
    }
    Loc {
        file: file.rel.clone(),
        start_line: s.line,
        start_column: s.col,
        end_line: e.line,
        end_column,
        start_column16: s.col16,
        end_column16,
    }
}

/// The rules of the registry, in ID order: what reports describe.
pub fn catalogue() -> Vec<&'static RuleMeta> {
    rules::registry().into_iter().map(|r| r.meta()).collect()
}

/// A rule's slug, or its ID when the catalogue does not know it.
pub fn slug_of<'a>(rules: &[&'a RuleMeta], id: &'a str) -> &'a str {
    rules
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.slug)
        .unwrap_or(id)
}

/// One finding in the JSON report. Field order is part of the contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonFinding {
    pub rule_id: String,
    pub slug: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub resource: String,
    pub fingerprint: String,
    pub suppressed: bool,
}

impl JsonFinding {
    pub fn new(f: &Finding, sources: &SourceMap, rules: &[&RuleMeta]) -> JsonFinding {
        let loc = locate(sources, f.primary);
        JsonFinding {
            rule_id: f.rule_id.to_string(),
            slug: slug_of(rules, f.rule_id).to_string(),
            severity: f.severity,
            message: f.message.clone(),
            file: loc.file,
            start_line: loc.start_line,
            start_column: loc.start_column,
            end_line: loc.end_line,
            end_column: loc.end_column,
            resource: f.resource.clone(),
            fingerprint: f.fingerprint(),
            suppressed: f.suppression.is_some(),
        }
    }
}

/// The findings of a scan, in their (already sorted) order, as a pretty-printed JSON array.
pub fn render(out: &ScanOutput) -> String {
    render_with(out, &catalogue())
}

/// [`render`] with an explicit rule catalogue (for slugs).
pub fn render_with(out: &ScanOutput, rules: &[&RuleMeta]) -> String {
    use rayon::prelude::*;
    // Chunks are rendered in parallel as pretty arrays of their own and spliced into one: the same bytes as
    // rendering the whole array at once.
    const CHUNK: usize = 512;
    let chunks: Vec<String> = out
        .findings
        .par_chunks(CHUNK)
        .map(|chunk| {
            let items: Vec<JsonFinding> = chunk
                .iter()
                .map(|f| JsonFinding::new(f, &out.sources, rules))
                .collect();
            // Serialising plain structs of strings and integers cannot fail.
            serde_json::to_string_pretty(&items).unwrap_or_default()
        })
        .collect();
    if chunks.is_empty() {
        return "[]\n".to_string();
    }
    // Each chunk's elements, without the brackets of its own array (not copied out: megabytes of text).
    let chunks: Vec<&str> = chunks
        .iter()
        .map(|c| {
            c.strip_prefix("[\n")
                .and_then(|s| s.strip_suffix("\n]"))
                .unwrap_or("")
        })
        .collect();
    let len = chunks.iter().map(|c| c.len() + 2).sum::<usize>() + 4;
    let mut s = String::with_capacity(len);
    s.push_str("[\n");
    for (i, c) in chunks.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(c);
    }
    s.push_str("\n]\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(text: &str, start: usize, end: usize) -> Loc {
        let map = SourceMap::new();
        let f = map.add("a.tf".into(), "dir/a.tf".into(), text.into());
        locate(&map, f.span(start, end))
    }

    #[test]
    fn columns_count_chars_and_utf16_with_exclusive_ends() {
        let text = "x = \"é😀\" # ümlaut\ny = \"arn\"\n";
        let start = text.find('é').unwrap_or(0);
        let end = text.find("\" #").unwrap_or(0);
        let l = loc(text, start, end);
        assert_eq!(l.file, "dir/a.tf");
        assert_eq!((l.start_line, l.start_column, l.end_column), (1, 6, 8));
        assert_eq!((l.start_column16, l.end_column16), (6, 9));
    }

    #[test]
    fn trailing_whitespace_and_newlines_are_not_shown() {
        let text = "a: b\n  c: d\n\nnext: 1\n";
        let start = text.find("c:").unwrap_or(0);
        let end = text.find("next").unwrap_or(0);
        let l = loc(text, start, end);
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (2, 3, 2, 7)
        );
    }

    #[test]
    fn empty_spans_cover_one_character() {
        let text = "ab\ncd";
        // On a character: it is covered.
        let l = loc(text, 1, 1);
        assert_eq!((l.start_line, l.start_column, l.end_column), (1, 2, 3));
        // At the end of a line, and at the end of the file: one column wide all the same.
        let l = loc(text, 2, 2);
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (1, 3, 1, 4)
        );
        let l = loc(text, 5, 5);
        assert_eq!((l.start_line, l.start_column, l.end_column), (2, 3, 4));
        let l = loc("", 0, 0);
        assert_eq!((l.start_line, l.start_column, l.end_column), (1, 1, 2));
    }

    #[test]
    fn out_of_range_and_mid_character_spans_are_clamped() {
        let text = "é=1";
        let l = loc(text, 1, 99);
        assert_eq!((l.start_column, l.end_column), (1, 4));
    }
}
