//! JSON templates → [`Node`]s (jsonc-parser, strict JSON). Policies written as JSON strings are parsed by
//! [`crate::policy::json::parse_str`], which keeps the string's provenance.

use super::node::{Kind, LoadError, Node, ScalarKind, MAX_DEPTH};
use crate::source::{FileId, SourceFile, Span};
use crate::value::Str;
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// CloudFormation accepts plain JSON only.
pub fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Loads a JSON template. `Ok(None)` for an empty file.
pub fn load(file: &SourceFile) -> Result<Option<Node>, LoadError> {
    load_range(file, 0, file.text.len())
}

/// Loads JSON written in a byte range of a file (a template embedded in a block scalar); offsets stay those
/// of the file.
pub fn load_range(file: &SourceFile, start: usize, end: usize) -> Result<Option<Node>, LoadError> {
    let text = file.text.get(start..end).unwrap_or("");
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict()).map_err(|e| {
            let r = e.range();
            let pos = file.position((start + r.start) as u32);
            LoadError {
                message: format!(
                    "invalid JSON: {} (line {}, column {})",
                    e.kind(),
                    pos.line,
                    pos.col
                ),
                start: start + r.start,
                end: start + r.end,
            }
        })?;
    let Some(v) = parsed.value else {
        return Ok(None);
    };
    let b = NodeBuilder {
        file: file.id,
        text,
        base: start,
    };
    b.node(&v, 0).map(Some)
}

struct NodeBuilder<'a> {
    file: FileId,
    text: &'a str,
    base: usize,
}

impl NodeBuilder<'_> {
    fn span(&self, r: jsonc_parser::common::Range) -> Span {
        Span::new(self.file, self.base + r.start, self.base + r.end)
    }

    fn string(&self, lit: &ast::StringLit) -> Node {
        let r = lit.range;
        // The range includes the quotes.
        let (s, e) = (r.start + 1, r.end.saturating_sub(1).max(r.start + 1));
        let raw = self.text.get(s..e).unwrap_or("");
        let (fs, fe) = (self.base + s, self.base + e);
        let whole = Span::new(self.file, fs, fe);
        let str = decode_with(raw, &lit.value, |a, b| {
            Str::lit(
                raw.get(a..b).unwrap_or(""),
                Some(Span::new(self.file, fs + a, fs + b)),
            )
        })
        .unwrap_or_else(|| Str::lit_with(lit.value.to_string(), Some(whole), false));
        Node {
            span: whole,
            tag: None,
            kind: Kind::Scalar(ScalarKind::Str, str),
        }
    }

    fn node(&self, v: &ast::Value, depth: usize) -> Result<Node, LoadError> {
        let range = v.range();
        if depth > MAX_DEPTH {
            return Err(LoadError {
                message: format!("template nests deeper than {MAX_DEPTH} levels"),
                start: self.base + range.start,
                end: self.base + range.start,
            });
        }
        let span = self.span(range);
        let scalar = |kind: ScalarKind, text: &str| Node {
            span,
            tag: None,
            kind: Kind::Scalar(kind, Str::lit(text, Some(span))),
        };
        Ok(match v {
            ast::Value::StringLit(s) => self.string(s),
            ast::Value::NumberLit(n) => scalar(ScalarKind::Number, n.value),
            ast::Value::BooleanLit(b) => {
                scalar(ScalarKind::Bool, if b.value { "true" } else { "false" })
            }
            ast::Value::NullKeyword(_) => scalar(ScalarKind::Null, "null"),
            ast::Value::Array(a) => {
                let mut items = Vec::with_capacity(a.elements.len());
                for el in &a.elements {
                    items.push(self.node(el, depth + 1)?);
                }
                Node {
                    span,
                    tag: None,
                    kind: Kind::Seq(items),
                }
            }
            ast::Value::Object(o) => {
                let mut entries = Vec::with_capacity(o.properties.len());
                for p in &o.properties {
                    let key = match &p.name {
                        ast::ObjectPropName::String(s) => self.string(s),
                        ast::ObjectPropName::Word(w) => {
                            let sp = self.span(w.range);
                            Node {
                                span: sp,
                                tag: None,
                                kind: Kind::Scalar(ScalarKind::Str, Str::lit(w.value, Some(sp))),
                            }
                        }
                    };
                    entries.push((key, self.node(&p.value, depth + 1)?));
                }
                Node {
                    span,
                    tag: None,
                    kind: Kind::Map(entries),
                }
            }
        })
    }
}

/// Rebuilds a JSON string's decoded value from its raw text (between the quotes): runs without escapes come
/// from `run(start, end)` (raw byte offsets, so they keep exact provenance); each escape becomes a one-char
/// literal spanning its escape sequence. `None` when the result does not equal `decoded` (malformed escapes).
fn decode_with(raw: &str, decoded: &str, run: impl Fn(usize, usize) -> Str) -> Option<Str> {
    if raw == decoded {
        return Some(run(0, raw.len()));
    }
    let bytes = raw.as_bytes();
    let mut out = Str::default();
    let mut i = 0usize;
    let mut start = 0usize;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        if start < i {
            out.push_str(&run(start, i));
        }
        let (ch, len) = unescape(raw.get(i..)?)?;
        let esc = run(i, i + len);
        let span = esc.span();
        let mut s = Str::lit_with(ch.to_string(), span, false);
        // Hops of the escape's source carry over.
        if let Some(p) = esc.parts.first() {
            for h in &p.hops {
                s = s.with_hop(*h);
            }
        }
        out.push_str(&s);
        i += len;
        start = i;
    }
    if start < bytes.len() {
        out.push_str(&run(start, bytes.len()));
    }
    (out.text == decoded).then_some(out)
}

/// One JSON escape at the start of `s` (which begins with `\`): the char and the escape's length in bytes.
fn unescape(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let c = match b.get(1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = u32::from_str_radix(s.get(2..6)?, 16).ok()?;
            if (0xD800..0xDC00).contains(&hi) {
                if s.get(6..8)? != "\\u" {
                    return None;
                }
                let lo = u32::from_str_radix(s.get(8..12)?, 16).ok()?;
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?);
                return Some((char::from_u32(c)?, 12));
            }
            return Some((char::from_u32(hi)?, 6));
        }
        _ => return None,
    };
    Some((c, 2))
}

#[cfg(test)]
mod tests;
