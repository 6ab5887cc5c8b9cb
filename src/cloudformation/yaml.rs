//! YAML templates → [`Node`]s, straight from saphyr-parser's events.
//!
//! Building the tree here (rather than with saphyr's loader) keeps duplicate keys and source order, bounds
//! nesting and alias expansion ourselves, and never recurses on input: the parser's own `load` recurses per
//! nesting level, its event iterator does not. Markers count characters; they are turned into byte offsets
//! and trimmed to the value's text (saphyr's scalar spans include the tag and anchor, block scalars include
//! their header and trailing blank lines, block collections end at the next token).

use super::node::{str_from_source, Kind, LoadError, Node, ScalarKind, Tag, MAX_DEPTH};
use crate::source::{SourceFile, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};
use std::collections::HashMap;

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
    file: &'a SourceFile,
    ascii: bool,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    root: Option<Node>,
    docs: usize,
}

/// Loads the first document of a YAML file. `Ok(None)` for an empty file.
pub fn load(file: &SourceFile) -> Result<Option<Node>, LoadError> {
    // saphyr-parser is not ours: should it ever panic on some input, that file becomes a parse error instead
    // of taking the scan down.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load_inner(file))) {
        Ok(r) => r,
        Err(_) => Err(LoadError {
            message: "the YAML parser failed on this file".into(),
            start: 0,
            end: 0,
        }),
    }
}

fn load_inner(file: &SourceFile) -> Result<Option<Node>, LoadError> {
    let mut b = Builder {
        file,
        ascii: file.text.is_ascii(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
        root: None,
        docs: 0,
    };
    let mut parser = Parser::new_from_str(&file.text);
    while let Some(ev) = parser.next_event() {
        match ev {
            Ok((ev, span)) => {
                if matches!(ev, Event::StreamEnd) {
                    break;
                }
                b.on_event(ev, span)?;
            }
            Err(e) => {
                let off = b.offset(e.marker());
                let pos = file.position(off as u32);
                return Err(LoadError {
                    message: format!(
                        "invalid YAML: {} (line {}, column {})",
                        e.info(),
                        pos.line,
                        pos.col
                    ),
                    start: off,
                    end: off,
                });
            }
        }
    }
    Ok(b.root)
}

impl Builder<'_> {
    fn offset(&self, m: &Marker) -> usize {
        let off = if self.ascii {
            m.index()
        } else {
            self.file.offset_of_line_char(m.line() as u32, m.col())
        };
        off.min(self.file.text.len())
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file.id, start, end.max(start))
    }

    fn error(&self, message: String, at: usize) -> LoadError {
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
        let bytes = self.file.text.as_bytes();
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
                            e
                        } else {
                            items.last().map(|n| n.span.end as usize).unwrap_or(start)
                        };
                        (
                            Node {
                                span: self.span(start, end),
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
                                span: self.span(k.span.end as usize, k.span.end as usize),
                                tag: None,
                                kind: Kind::Scalar(
                                    ScalarKind::Plain,
                                    crate::value::Str::lit("", Some(k.span)),
                                ),
                            };
                            entries.push((k, v));
                        }
                        let end = if closed {
                            e
                        } else {
                            entries
                                .last()
                                .map(|(_, v)| v.span.end as usize)
                                .unwrap_or(start)
                        };
                        (
                            Node {
                                span: self.span(start, end),
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
        let text = &self.file.text;
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
        let str = str_from_source(value, source, escapes, p, self.file.id, whole);
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
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn load_str(text: &str) -> (std::sync::Arc<SourceFile>, Result<Option<Node>, LoadError>) {
        let map = SourceMap::new();
        let f = map.add("t.yaml".into(), "t.yaml".into(), text.into());
        let r = load(&f);
        (f, r)
    }

    fn slice(f: &SourceFile, s: Span) -> &str {
        f.slice(s)
    }

    #[test]
    fn tagged_scalars_span_the_value_only() {
        let (f, r) = load_str("A: !Sub \"arn:${X}\"\nB: !Ref Env\nC: !GetAtt R.Arn\n");
        let root = r.unwrap().unwrap();
        let a = root.get("A").unwrap();
        assert_eq!(a.tag.as_ref().unwrap().name, "Sub");
        assert_eq!(slice(&f, a.tag.as_ref().unwrap().span), "!Sub");
        assert_eq!(slice(&f, a.span), "arn:${X}");
        assert_eq!(slice(&f, a.full_span()), "!Sub \"arn:${X}");
        let b = root.get("B").unwrap();
        assert_eq!(slice(&f, b.span), "Env");
        let (k, _) = root.entry("C").unwrap();
        assert_eq!(slice(&f, k.span), "C");
        assert_eq!(slice(&f, root.get("C").unwrap().span), "R.Arn");
    }

    #[test]
    fn flow_collections_include_their_brackets() {
        let (f, r) = load_str("C: !If [IsProd, Allow, Deny]\nD: {x: [1, 2]}\n");
        let root = r.unwrap().unwrap();
        let c = root.get("C").unwrap();
        assert_eq!(c.tag.as_ref().unwrap().name, "If");
        assert_eq!(slice(&f, c.span), "[IsProd, Allow, Deny]");
        let d = root.get("D").unwrap();
        assert_eq!(slice(&f, d.span), "{x: [1, 2]}");
        assert_eq!(slice(&f, d.get("x").unwrap().span), "[1, 2]");
    }

    #[test]
    fn block_collections_end_at_their_last_item() {
        let (f, r) = load_str("D: !Join\n  - ''\n  - - a\n    - !Ref B\n\n# c\nE: 1\n");
        let root = r.unwrap().unwrap();
        let d = root.get("D").unwrap();
        assert_eq!(d.tag.as_ref().unwrap().name, "Join");
        assert_eq!(slice(&f, d.span), "- ''\n  - - a\n    - !Ref B");
        let items = d.items().unwrap();
        assert_eq!(slice(&f, items[0].span), "");
        assert_eq!(items[0].span.start as usize, f.text.find("''").unwrap() + 1);
        assert_eq!(slice(&f, items[1].span), "- a\n    - !Ref B");
    }

    #[test]
    fn block_scalar_lines_map_exactly() {
        let text = "P: !Sub |\n  {\"AWS\": \"arn:aws:iam::${AWS::AccountId}:root\"}\n  x\n\nQ: 1\n";
        let (f, r) = load_str(text);
        let root = r.unwrap().unwrap();
        let p = root.get("P").unwrap();
        let s = p.as_str().unwrap();
        assert_eq!(
            s.text,
            "{\"AWS\": \"arn:aws:iam::${AWS::AccountId}:root\"}\nx\n"
        );
        // Block spans stop at the last character of the value, not at the next key.
        assert!(slice(&f, p.span).ends_with("x\n"));
        let at = s.text.find("arn").unwrap();
        let sp = s.span_of(at, at + 3).unwrap();
        assert_eq!(slice(&f, sp), "arn");
        assert_eq!(sp.start as usize, text.find("arn").unwrap());
    }

    #[test]
    fn folded_and_quoted_scalars() {
        let text = "H: >-\n  folded\n  text\nL: \"dq \\\" esc\"\nM: 'it''s'\nN: \"plain dq\"\n";
        let (f, r) = load_str(text);
        let root = r.unwrap().unwrap();
        let h = root.get("H").unwrap();
        assert_eq!(h.as_str().unwrap().text, "folded text");
        let hs = h.as_str().unwrap();
        assert_eq!(slice(&f, hs.span_of(7, 11).unwrap()), "text");
        let l = root.get("L").unwrap();
        assert_eq!(l.as_str().unwrap().text, "dq \" esc");
        assert_eq!(slice(&f, l.span), "dq \\\" esc");
        let m = root.get("M").unwrap();
        assert_eq!(m.as_str().unwrap().text, "it's");
        assert_eq!(slice(&f, m.span), "it''s");
        let n = root.get("N").unwrap();
        assert_eq!(slice(&f, n.span), "plain dq");
        assert_eq!(n.as_str().unwrap().span_of(6, 8), n.span.sub(6, 8).into());
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "D: \"é😀\"\nA: !Ref Ünï\n";
        let (f, r) = load_str(text);
        let root = r.unwrap().unwrap();
        assert_eq!(slice(&f, root.get("A").unwrap().span), "Ünï");
        assert_eq!(slice(&f, root.get("D").unwrap().span), "é😀");
    }

    #[test]
    fn duplicate_keys_are_kept_last_wins() {
        let (_, r) = load_str("A: 1\nA: 2\n");
        let root = r.unwrap().unwrap();
        assert_eq!(root.entries().unwrap().len(), 2);
        assert_eq!(root.get("A").unwrap().text(), Some("2"));
    }

    #[test]
    fn aliases_copy_the_anchor_and_are_bounded() {
        let (f, r) = load_str("A: &x '123456789012'\nB: *x\n");
        let root = r.unwrap().unwrap();
        let b = root.get("B").unwrap();
        assert_eq!(b.text(), Some("123456789012"));
        // The literal is written at the anchor.
        assert_eq!(b.span.start as usize, f.text.find("1234").unwrap());

        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            bomb.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let (_, r) = load_str(&bomb);
        let e = r.unwrap_err();
        assert!(e.message.contains("aliases expand"), "{}", e.message);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let (f, r) = load_str("A: 1\nB: [1, 2\nC: 3\n");
        let e = r.unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        let pos = f.position(e.start as u32);
        assert!(e.message.contains(&format!("line {}", pos.line)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
        let (_, r) = load_str(&text);
        assert!(r.is_err());
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&" ".repeat(i));
            text.push_str("a:\n");
        }
        let (_, r) = load_str(&text);
        let e = r.unwrap_err();
        assert!(e.message.contains("deeper"), "{}", e.message);
    }
}
