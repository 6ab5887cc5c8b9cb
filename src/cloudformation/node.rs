//! The syntax tree both template formats load into: YAML (saphyr) and JSON (jsonc-parser) become the same
//! [`Node`]s, so intrinsic evaluation is written once. Every node, mapping keys included, keeps the narrowest
//! span of its text: scalars without their tag, anchor or quotes; collections from their opening bracket (or
//! first item) to their closing bracket (or last item).

use crate::source::Span;
use crate::value::Str;

/// A short-form intrinsic tag (`!Ref` → `Ref`) and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    pub name: String,
    pub span: Span,
}

/// How a scalar was written, which decides its type (CloudFormation keeps YAML 1.1-ish plain scalars).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// A YAML plain scalar: `null`/`~`/empty, `true`/`false` and numbers resolve to their type.
    Plain,
    /// Quoted or block scalar, or a JSON string: always a string.
    Str,
    /// JSON number.
    Number,
    /// JSON `true`/`false`.
    Bool,
    /// JSON `null`.
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Scalar(ScalarKind, Str),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub tag: Option<Tag>,
    pub kind: Kind,
}

impl Node {
    /// The scalar's text (for keys, names, logical IDs).
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(_, s) => Some(&s.text),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&Str> {
        match &self.kind {
            Kind::Scalar(_, s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Looks a key up in a mapping (the last duplicate wins, as CloudFormation's own decoder does).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()?
            .iter()
            .rev()
            .find(|(k, _)| k.text() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The span including the tag, when there is one (the whole `!Sub "…"` expression).
    pub fn full_span(&self) -> Span {
        match &self.tag {
            Some(t) => t.span.join(&self.span),
            None => self.span,
        }
    }

    /// Number of nodes in this subtree (alias expansion budget).
    pub fn size(&self) -> usize {
        match &self.kind {
            Kind::Scalar(..) => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }
}

/// A template that could not be loaded: the parser's message and the byte offset where it stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// Deepest nesting accepted in a template; real templates stay far below.
pub const MAX_DEPTH: usize = 128;

/// Maps a decoded string onto the source text it was read from, as runs of equal text. `source` starts where
/// the value's first character may be written; leading indentation, folded line breaks and trailing text
/// (closing quotes, chomped lines) are skipped. Returns `None` when the two cannot be aligned (escapes,
/// doubled quotes), and the caller falls back to one inexact span.
///
/// Each run is `(value_start, value_end, source_start)` in bytes. With `escapes`, a backslash in the source
/// (a double-quoted escape) stops the alignment.
pub fn align(value: &str, source: &str, escapes: bool) -> Option<Vec<(usize, usize, usize)>> {
    let v = value.as_bytes();
    let s = source.as_bytes();
    let (mut i, mut j) = (0usize, 0usize);
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    while i < v.len() {
        let sc = *s.get(j)?;
        let vc = *v.get(i)?;
        if vc == sc && !(escapes && sc == b'\\') {
            if open.is_none() {
                open = Some((i, j));
            }
            i += 1;
            j += 1;
            continue;
        }
        if let Some((vs, ss)) = open.take() {
            runs.push((vs, i, ss));
        }
        match sc {
            // A line break folded into a space (folded scalars, multi-line plain and quoted scalars).
            b'\n' if vc == b' ' => {
                runs.push((i, i + 1, j));
                i += 1;
                j += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => j += 1,
            _ => return None,
        }
    }
    if let Some((vs, ss)) = open {
        runs.push((vs, i, ss));
    }
    // Runs must cut the value on char boundaries; byte-equal runs of valid UTF-8 always do, except when a
    // mismatch happened inside a multi-byte char, which the caller's check catches.
    if runs
        .iter()
        .all(|&(a, b, _)| value.is_char_boundary(a) && value.is_char_boundary(b))
    {
        Some(runs)
    } else {
        None
    }
}

/// Builds a [`Str`] for `value` read from `source` at byte offset `base` of `file`: exact runs where the text
/// aligns, one inexact span over `whole` otherwise.
pub fn str_from_source(
    value: &str,
    source: &str,
    escapes: bool,
    base: usize,
    file: crate::source::FileId,
    whole: Span,
) -> Str {
    if value.is_empty() {
        return Str::lit_with("", Some(Span::new(file, base, base)), true);
    }
    match align(value, source, escapes) {
        Some(runs) if !runs.is_empty() => {
            let mut out = Str::default();
            for (vs, ve, ss) in runs {
                let text = value.get(vs..ve).unwrap_or("");
                out.push_str(&Str::lit(
                    text,
                    Some(Span::new(file, base + ss, base + ss + (ve - vs))),
                ));
            }
            merge_adjacent(out)
        }
        _ => Str::lit_with(value, Some(whole), false),
    }
}

/// Merges consecutive exact literal parts whose spans touch, so most strings stay one part.
fn merge_adjacent(s: Str) -> Str {
    use crate::value::{Origin, Part};
    let mut parts: Vec<Part> = Vec::with_capacity(s.parts.len());
    for p in s.parts {
        if let Some(last) = parts.last_mut() {
            if let (
                Origin::Lit {
                    span: Some(a),
                    exact: true,
                },
                Origin::Lit {
                    span: Some(b),
                    exact: true,
                },
            ) = (&last.origin, &p.origin)
            {
                if a.file == b.file
                    && a.end == b.start
                    && last.end == p.start
                    && last.hops == p.hops
                {
                    let joined = a.join(b);
                    last.end = p.end;
                    last.origin = Origin::Lit {
                        span: Some(joined),
                        exact: true,
                    };
                    continue;
                }
            }
        }
        parts.push(p);
    }
    Str {
        text: s.text,
        parts,
    }
}

#[cfg(test)]
mod tests;
