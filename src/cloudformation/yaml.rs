//! YAML templates → [`Node`]s, straight from saphyr-parser's events.
//!
//! Building the tree here (rather than with saphyr's loader) keeps duplicate keys and source order, bounds
//! nesting and alias expansion ourselves, and never recurses on input: the parser's own `load` recurses per
//! nesting level, its event iterator does not. Markers count characters; they are turned into byte offsets
//! and trimmed to the value's text (saphyr's scalar spans include the tag and anchor, block scalars include
//! their header and trailing blank lines, block collections end at the next token).

use super::node::{str_from_source, Kind, LoadError, Node, ScalarKind, Tag, MAX_DEPTH};
use crate::source::{SourceFile, Span};
use crate::value::{Origin, Str};
use foldhash::{HashMap, HashMapExt};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

/// Nodes that alias expansion may produce in one file (CloudFormation itself rejects aliases; real templates
/// that use them stay tiny, alias bombs do not).
pub const ALIAS_BUDGET: usize = 10_000;

enum Frame {
    Seq {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    /// The file as written: its id and positions for messages.
    file: &'a SourceFile,
    /// The text being parsed: the file's, or a re-indented copy (see [`repair`]).
    text: &'a str,
    shift: &'a Shift,
    /// Offset of `text` in the file (a template embedded in another).
    base: usize,
    ascii: bool,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    root: Option<Node>,
    docs: usize,
}

/// Re-indentation passes tried on one file before its error is reported.
const MAX_REPAIRS: usize = 16;

/// Loads the first document of a YAML file. `Ok(None)` for an empty file.
///
/// CloudFormation's YAML reader, like PyYAML, accepts flow collections and quoted scalars whose continuation
/// lines are not indented past their key (`Action: [` … `]` at the key's column); saphyr rejects them, as
/// YAML 1.2 says. Such a file is re-parsed from a copy whose offending lines get the missing spaces, and
/// every offset is mapped back to the file as written.
pub fn load(file: &SourceFile) -> Result<Option<Node>, LoadError> {
    load_range(file, 0, file.text.len())
}

/// Loads YAML written in a byte range of a file (a template embedded in a block scalar: its uniform
/// indentation is valid YAML as it stands, and offsets stay those of the file).
pub fn load_range(file: &SourceFile, start: usize, end: usize) -> Result<Option<Node>, LoadError> {
    // saphyr-parser is not ours: should it ever panic on some input, that file becomes a parse error instead
    // of taking the scan down.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_repairing(file, start, end)
    })) {
        Ok(r) => r,
        Err(_) => Err(LoadError {
            message: "the YAML parser failed on this file".into(),
            start: 0,
            end: 0,
        }),
    }
}

fn load_repairing(file: &SourceFile, start: usize, end: usize) -> Result<Option<Node>, LoadError> {
    let mut text = std::borrow::Cow::Borrowed(file.text.get(start..end).unwrap_or(""));
    let mut shift = Shift::default();
    let mut first_error = None;
    for _ in 0..=MAX_REPAIRS {
        match load_text(file, &text, &shift, start) {
            Ok(root) => return Ok(root),
            Err(f) => {
                let err = first_error.get_or_insert(f.error).clone();
                let Some(fix) = f
                    .scan
                    .and_then(|(info, line, col)| repair(&text, &info, line, col))
                else {
                    return Err(err);
                };
                let mut repaired = String::with_capacity(text.len() + 64);
                let mut last = 0usize;
                for &(at, n) in &fix {
                    repaired.push_str(text.get(last..at).unwrap_or(""));
                    repaired.extend((0..n).map(|_| ' '));
                    last = at;
                    shift.insert(at, n);
                }
                repaired.push_str(text.get(last..).unwrap_or(""));
                text = std::borrow::Cow::Owned(repaired);
            }
        }
    }
    Err(first_error.unwrap_or(LoadError {
        message: "invalid YAML".into(),
        start: 0,
        end: 0,
    }))
}

/// Spaces inserted into a re-indented copy: `(offset in the copy, count)`, sorted.
#[derive(Default, Debug)]
struct Shift {
    points: Vec<(usize, usize)>,
}

impl Shift {
    /// The offset in the file as written of an offset in the copy (inserted spaces map to where they were
    /// inserted).
    fn orig(&self, r: usize) -> usize {
        let mut sub = 0usize;
        for &(pos, n) in &self.points {
            if r >= pos + n {
                sub += n;
            } else if r >= pos {
                return pos - sub;
            } else {
                break;
            }
        }
        r - sub
    }

    /// Records `n` spaces inserted at `at` (an offset in the copy before this insertion).
    fn insert(&mut self, at: usize, n: usize) {
        for p in self.points.iter_mut() {
            if p.0 >= at {
                p.0 += n;
            }
        }
        self.points.push((at, n));
        self.points.sort_unstable();
    }

    fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// A failed parse: the error as reported, and the scanner's message and position (in the text parsed) for
/// a repair attempt.
struct Failure {
    error: LoadError,
    scan: Option<(String, usize, usize)>,
}

fn load_text(
    file: &SourceFile,
    text: &str,
    shift: &Shift,
    base: usize,
) -> Result<Option<Node>, Failure> {
    let ascii = text.is_ascii();
    let mut line_starts = Vec::new();
    if !ascii {
        line_starts.push(0);
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    }
    let mut b = Builder {
        file,
        text,
        shift,
        base,
        ascii,
        line_starts,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
        root: None,
        docs: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        match ev {
            Ok((ev, span)) => {
                if matches!(ev, Event::StreamEnd) {
                    break;
                }
                b.on_event(ev, span)
                    .map_err(|error| Failure { error, scan: None })?;
            }
            Err(e) => {
                let off = b.orig(b.offset(e.marker()));
                let pos = file.position(off as u32);
                return Err(Failure {
                    error: LoadError {
                        message: format!(
                            "invalid YAML: {} (line {}, column {})",
                            e.info(),
                            pos.line,
                            pos.col
                        ),
                        start: off,
                        end: off,
                    },
                    scan: Some((e.info().to_string(), e.marker().line(), e.marker().col())),
                });
            }
        }
    }
    Ok(b.root)
}

/// Where to add indentation so that a flow collection or quoted scalar whose continuation lines sit at (or
/// left of) its key's column parses: the scanner stopped at `line` (1-based), `col` (0-based chars). Returns
/// `(offset, spaces)` insertions at line starts, or `None` when the error is not of that kind.
fn repair(text: &str, info: &str, line: usize, col: usize) -> Option<Vec<(usize, usize)>> {
    let quoted = info == "invalid indentation in quoted scalar";
    if !(quoted || info == "invalid indentation" || info == "invalid indentation in flow construct")
    {
        return None;
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_text = |l: usize| -> &str {
        let s = starts.get(l).copied().unwrap_or(text.len());
        let e = starts.get(l + 1).map(|e| e - 1).unwrap_or(text.len());
        text.get(s..e.max(s)).unwrap_or("")
    };
    let indent = |l: usize| line_text(l).len() - line_text(l).trim_start_matches(' ').len();
    let blank = |l: usize| {
        let t = line_text(l).trim();
        t.is_empty() || t.starts_with('#')
    };
    let err_line = line.checked_sub(1)?;
    // The line that opens the construct, and where to start scanning it.
    let (open_line, scan_from) = if quoted {
        let ls = *starts.get(err_line)?;
        let at = line_text(err_line)
            .char_indices()
            .nth(col)
            .map(|(i, _)| ls + i)?;
        (err_line, at)
    } else {
        let l = (0..err_line)
            .rev()
            .find(|&l| !blank(l) && indent(l) <= col)?;
        (l, *starts.get(l)?)
    };
    let base = indent(open_line);
    let end = construct_end(text, scan_from, quoted)?;
    let mut fixes = Vec::new();
    for l in open_line + 1..starts.len() {
        let ls = *starts.get(l)?;
        if ls > end {
            break;
        }
        if !line_text(l).trim().is_empty() && indent(l) <= base {
            fixes.push((ls, base + 1 - indent(l)));
        }
    }
    (!fixes.is_empty()).then_some(fixes)
}

/// The offset just past a flow collection (brackets balanced again) or quoted scalar (closing quote) that
/// starts at or after `from`.
fn construct_end(text: &str, from: usize, quoted: bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    let mut depth = 0usize;
    let mut opened = false;
    let mut prev = b' ';
    while i < b.len() {
        let c = *b.get(i)?;
        match c {
            b'\'' | b'"'
                if quoted || matches!(prev, b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':') =>
            {
                // A quoted scalar: skip to its end.
                let q = c;
                i += 1;
                while i < b.len() {
                    let d = *b.get(i)?;
                    if q == b'"' && d == b'\\' {
                        i += 2;
                        continue;
                    }
                    if d == q {
                        if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                if quoted {
                    return Some(i + 1);
                }
            }
            b'#' if matches!(prev, b' ' | b'\t' | b'\n') => {
                while i < b.len() && b.get(i) != Some(&b'\n') {
                    i += 1;
                }
                prev = b'\n';
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                opened = true;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if opened && depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\n' if !opened && !quoted => return None,
            _ => {}
        }
        prev = c;
        i += 1;
    }
    opened.then_some(b.len())
}

impl Builder<'_> {
    /// Offset in the parsed text of a marker.
    fn offset(&self, m: &Marker) -> usize {
        let off = if self.ascii {
            m.index()
        } else {
            let start = self
                .line_starts
                .get(m.line().saturating_sub(1))
                .copied()
                .unwrap_or(self.text.len());
            let rest = self.text.get(start..).unwrap_or("");
            let mut off = start + rest.len();
            for (n, (i, c)) in rest.char_indices().enumerate() {
                if n == m.col() || c == '\n' {
                    off = start + i;
                    break;
                }
            }
            off
        };
        off.min(self.text.len())
    }

    /// Offset in the file as written.
    fn orig(&self, off: usize) -> usize {
        self.base
            + if self.shift.is_empty() {
                off
            } else {
                self.shift.orig(off)
            }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file.id, self.orig(start), self.orig(end.max(start)))
    }

    /// Moves a string's spans from the re-indented copy to the file as written; a part that spans inserted
    /// spaces is no longer byte-exact.
    fn remap(&self, mut s: Str) -> Str {
        for p in &mut s.parts {
            if let Origin::Lit {
                span: Some(sp),
                exact,
            } = &mut p.origin
            {
                let mapped = self.span(sp.start as usize, sp.end as usize);
                if mapped.len() != sp.len() {
                    *exact = false;
                }
                *sp = mapped;
            }
        }
        s
    }

    fn error(&self, message: String, at: usize) -> LoadError {
        let at = self.orig(at);
        let pos = self.file.position(at as u32);
        LoadError {
            message: format!("{message} (line {}, column {})", pos.line, pos.col),
            start: at,
            end: at,
        }
    }

    /// Skips node properties (`!Tag`, `&anchor`) and whitespace at the start of an event's text; returns the
    /// offset of the node's own text and the tag's span.
    fn skip_props(&self, start: usize, end: usize) -> (usize, Option<Span>) {
        let bytes = self.text.as_bytes();
        let mut p = start;
        let mut tag = None;
        loop {
            while p < end && matches!(bytes.get(p), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                p += 1;
            }
            match bytes.get(p) {
                Some(c @ (b'!' | b'&')) if p < end => {
                    let is_tag = *c == b'!';
                    let s = p;
                    while p < end
                        && !matches!(
                            bytes.get(p),
                            Some(b' ' | b'\t' | b'\r' | b'\n' | b'[' | b'{' | b',')
                        )
                    {
                        p += 1;
                    }
                    if is_tag {
                        tag = Some(self.span(s, p));
                    }
                }
                _ => break,
            }
        }
        (p.min(end), tag)
    }

    fn make_tag(&self, tag: Option<&saphyr_parser::Tag>, span: Option<Span>) -> Option<Tag> {
        let t = tag?;
        if t.is_yaml_core_schema() {
            return None;
        }
        let name = if t.handle == "!" {
            t.suffix.clone()
        } else {
            format!("{}{}", t.handle, t.suffix)
        };
        Some(Tag {
            name,
            span: span.unwrap_or_else(|| self.span(0, 0)),
        })
    }

    fn on_event(&mut self, ev: Event<'_>, span: saphyr_parser::Span) -> Result<(), LoadError> {
        let (s, e) = (self.offset(&span.start), self.offset(&span.end));
        match ev {
            Event::StreamStart | Event::Nothing | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.docs += 1;
                self.stack.clear();
            }
            Event::DocumentEnd => {}
            Event::SequenceStart(anchor, tag) => self.open(true, anchor, tag.as_deref(), s, e)?,
            Event::MappingStart(anchor, tag) => self.open(false, anchor, tag.as_deref(), s, e)?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.error("unbalanced collection end".into(), s));
                };
                // Flow collections end with their bracket; block collections end with their last item.
                let closed = e > s;
                let node = match frame {
                    Frame::Seq {
                        start,
                        tag,
                        anchor,
                        items,
                    } => {
                        let end = if closed {
                            self.orig(e)
                        } else {
                            items.last().map(|n| n.span.end as usize).unwrap_or(start)
                        };
                        (
                            Node {
                                span: Span::new(self.file.id, start, end),
                                tag,
                                kind: Kind::Seq(items),
                            },
                            anchor,
                        )
                    }
                    Frame::Map {
                        start,
                        tag,
                        anchor,
                        mut entries,
                        key,
                    } => {
                        // A key without a value (malformed input the parser let through) keeps a null value.
                        if let Some(k) = key {
                            let v = Node {
                                span: Span::new(
                                    self.file.id,
                                    k.span.end as usize,
                                    k.span.end as usize,
                                ),
                                tag: None,
                                kind: Kind::Scalar(ScalarKind::Plain, Str::lit("", Some(k.span))),
                            };
                            entries.push((k, v));
                        }
                        let end = if closed {
                            self.orig(e)
                        } else {
                            entries
                                .last()
                                .map(|(_, v)| v.span.end as usize)
                                .unwrap_or(start)
                        };
                        (
                            Node {
                                span: Span::new(self.file.id, start, end),
                                tag,
                                kind: Kind::Map(entries),
                            },
                            anchor,
                        )
                    }
                };
                self.complete(node.0, node.1)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let node = self.scalar(&value, style, tag.as_deref(), s, e);
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(self.error("alias to an unknown anchor".into(), s));
                };
                let size = target.size();
                if size > self.alias_budget {
                    return Err(self.error(
                        format!("YAML aliases expand to more than {ALIAS_BUDGET} nodes"),
                        s,
                    ));
                }
                self.alias_budget -= size;
                // The copy keeps the anchor's spans: that is where its literals are written.
                let node = target.clone();
                self.complete(node, 0)?;
            }
        }
        Ok(())
    }

    fn open(
        &mut self,
        is_seq: bool,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        s: usize,
        e: usize,
    ) -> Result<(), LoadError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(format!("template nests deeper than {MAX_DEPTH} levels"), s));
        }
        let (start, tag_span) = self.skip_props(s, e);
        // Frames hold offsets in the file as written, like their children's spans.
        let start = self.orig(start);
        let tag = self.make_tag(tag, tag_span);
        self.stack.push(if is_seq {
            Frame::Seq {
                start,
                tag,
                anchor,
                items: Vec::new(),
            }
        } else {
            Frame::Map {
                start,
                tag,
                anchor,
                entries: Vec::new(),
                key: None,
            }
        });
        Ok(())
    }

    fn scalar(
        &self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&saphyr_parser::Tag>,
        s: usize,
        e: usize,
    ) -> Node {
        let text = self.text;
        let (mut p, tag_span) = self.skip_props(s, e);
        let bytes = text.as_bytes();
        let mut escapes = false;
        let mut kind = ScalarKind::Str;
        match style {
            ScalarStyle::Plain => kind = ScalarKind::Plain,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                if matches!(bytes.get(p), Some(b'\'' | b'"')) && p < e {
                    p += 1;
                }
                escapes = style == ScalarStyle::DoubleQuoted;
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                if matches!(bytes.get(p), Some(b'|' | b'>')) {
                    while p < e && bytes.get(p) != Some(&b'\n') {
                        p += 1;
                    }
                    p = (p + 1).min(e);
                }
            }
        }
        // `!!str 123` forces a string.
        if tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str") {
            kind = ScalarKind::Str;
        }
        let source = text.get(p..e).unwrap_or("");
        // The fallback span: the content without trailing blanks and closing quote.
        let mut end = e;
        while end > p && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            end -= 1;
        }
        if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
            && end > p
            && matches!(bytes.get(end - 1), Some(b'\'' | b'"'))
        {
            end -= 1;
        }
        let whole = self.span(p, end);
        let mut str = str_from_source(
            value,
            source,
            escapes,
            p,
            self.file.id,
            Span::new(self.file.id, p, end),
        );
        if !self.shift.is_empty() || self.base != 0 {
            str = self.remap(str);
        }
        let span = if value.is_empty() {
            self.span(p, p)
        } else {
            str.span().unwrap_or(whole)
        };
        Node {
            span,
            tag: self.make_tag(tag, tag_span),
            kind: Kind::Scalar(kind, str),
        }
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), LoadError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.docs <= 1 && self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
