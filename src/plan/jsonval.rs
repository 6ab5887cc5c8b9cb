//! Small JSON pieces of a plan (one resource's values) → [`Value`] with exact spans, and the decoding of JSON
//! string tokens into text plus a decoded→source offset table (for policies written as JSON inside JSON).

use crate::source::{FileId, Span};
use crate::value::{Str, Value};
use jsonc_parser::ast::{ObjectPropName, Value as J};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// Serde already refused deeper input (its limit is 128); this bounds our own recursion regardless.
const MAX_DEPTH: usize = 256;

/// A JSON parse error with the absolute byte offset in the plan file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub offset: usize,
}

fn strict() -> ParseOptions {
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

/// Converts `raw` (a slice of the plan file starting at byte `base`) into a [`Value`] whose strings, keys,
/// numbers and containers carry spans into the file. String spans cover the content without the quotes; a
/// string without escapes is an exact literal.
pub fn to_value(raw: &str, base: usize, file: FileId) -> Result<Value, Error> {
    let parsed =
        jsonc_parser::parse_to_ast(raw, &CollectOptions::default(), &strict()).map_err(|e| {
            Error {
                message: e.kind().to_string(),
                offset: base + e.range().start,
            }
        })?;
    match parsed.value {
        Some(v) => Ok(convert(&v, base, file, 0)),
        None => Err(Error {
            message: "empty JSON value".into(),
            offset: base,
        }),
    }
}

fn span(file: FileId, base: usize, r: jsonc_parser::common::Range) -> Option<Span> {
    Some(Span::new(file, base + r.start, base + r.end))
}

fn string_lit(text: &str, r: jsonc_parser::common::Range, base: usize, file: FileId) -> Str {
    // The range includes the quotes; the content is exact when nothing was unescaped.
    let (s, e) = (r.start + 1, r.end.saturating_sub(1).max(r.start + 1));
    let exact = e - s == text.len();
    Str::lit_with(text, Some(Span::new(file, base + s, base + e)), exact)
}

fn convert(v: &J, base: usize, file: FileId, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::unknown(
            "<nested value>",
            "nested too deeply to analyse",
            span(file, base, v.range()),
        );
    }
    match v {
        J::StringLit(s) => Value::Str(string_lit(&s.value, s.range, base, file)),
        J::NumberLit(n) => Value::Number(Str::lit(n.value, span(file, base, n.range))),
        J::BooleanLit(b) => Value::Bool(b.value, span(file, base, b.range)),
        J::NullKeyword(n) => Value::Null(span(file, base, n.range)),
        J::Array(a) => Value::List(
            a.elements
                .iter()
                .map(|e| convert(e, base, file, depth + 1))
                .collect(),
            span(file, base, a.range),
        ),
        J::Object(o) => Value::Map(
            o.properties
                .iter()
                .map(|p| {
                    let key = match &p.name {
                        ObjectPropName::String(s) => string_lit(&s.value, s.range, base, file),
                        ObjectPropName::Word(w) => Str::lit(w.value, span(file, base, w.range)),
                    };
                    (key, convert(&p.value, base, file, depth + 1))
                })
                .collect(),
            span(file, base, o.range),
        ),
    }
}

/// Walks the content of a JSON string token, calling `run(text, offset)` for each escape-free run and
/// `escape(char, start, end)` for each escape (offsets relative to `content`). Malformed escapes (lone
/// surrogates) decode to U+FFFD rather than failing: the token was already accepted by the reader.
fn decode(
    content: &str,
    mut run: impl FnMut(&str, usize),
    mut escape: impl FnMut(char, usize, usize),
) {
    let bytes = content.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'\\') {
            let esc = bytes.get(i + 1).copied();
            let simple = match esc {
                Some(b'"') => Some('"'),
                Some(b'\\') => Some('\\'),
                Some(b'/') => Some('/'),
                Some(b'b') => Some('\u{8}'),
                Some(b'f') => Some('\u{c}'),
                Some(b'n') => Some('\n'),
                Some(b'r') => Some('\r'),
                Some(b't') => Some('\t'),
                _ => None,
            };
            if let Some(c) = simple {
                escape(c, i, i + 2);
                i += 2;
                continue;
            }
            if esc == Some(b'u') {
                let hex = |from: usize| -> Option<u32> {
                    let h = content.get(from..from + 4)?;
                    u32::from_str_radix(h, 16).ok()
                };
                match hex(i + 2) {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let lo = if content.get(i + 6..i + 8) == Some("\\u") {
                            hex(i + 8)
                        } else {
                            None
                        };
                        match lo {
                            Some(lo @ 0xDC00..=0xDFFF) => {
                                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                escape(char::from_u32(c).unwrap_or('\u{FFFD}'), i, i + 12);
                                i += 12;
                            }
                            _ => {
                                escape('\u{FFFD}', i, i + 6);
                                i += 6;
                            }
                        }
                    }
                    Some(cp) => {
                        escape(char::from_u32(cp).unwrap_or('\u{FFFD}'), i, i + 6);
                        i += 6;
                    }
                    None => {
                        escape('\u{FFFD}', i, (i + 2).min(bytes.len()));
                        i += 2;
                    }
                }
                continue;
            }
            // A lone backslash (cannot happen in a token serde accepted): keep it.
            escape('\\', i, i + 1);
            i += 1;
            continue;
        }
        let run_end = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
            .map(|p| i + p)
            .unwrap_or(bytes.len());
        // Runs end at a backslash (ASCII), so they are on char boundaries.
        if let Some(r) = content.get(i..run_end) {
            run(r, i);
        }
        i = run_end.max(i + 1);
    }
}

/// Decodes the content of a JSON string token (`content` is the text between the quotes, starting at file byte
/// `base`). Returns the text and a table: `table[i]` is the file offset of decoded byte `i`, `table[len]` the
/// offset just past the content. Bytes produced by an escape map to the escape's backslash.
pub fn unescape(content: &str, base: usize) -> (String, Vec<u32>) {
    let out = std::cell::RefCell::new((
        String::with_capacity(content.len()),
        Vec::<u32>::with_capacity(content.len() + 1),
    ));
    decode(
        content,
        |r, at| {
            let mut o = out.borrow_mut();
            o.0.push_str(r);
            o.1.extend((0..r.len()).map(|k| (base + at + k) as u32));
        },
        |c, start, _| {
            let mut o = out.borrow_mut();
            let before = o.0.len();
            o.0.push(c);
            let n = o.0.len() - before;
            o.1.extend(std::iter::repeat_n((base + start) as u32, n));
        },
    );
    let (s, mut table) = out.into_inner();
    table.push((base + content.len()) as u32);
    (s, table)
}

/// Decodes a JSON string token's content into a [`Str`] whose escape-free runs are exact literals at their
/// file spans and whose escapes map to their escape sequences: what `policy::json::parse_str` needs to give
/// exact spans inside a policy written as JSON inside JSON.
pub fn decode_str(content: &str, base: usize, file: FileId) -> Str {
    let parts = std::cell::RefCell::new(Vec::<Str>::new());
    decode(
        content,
        |r, at| {
            parts.borrow_mut().push(Str::lit(
                r,
                Some(Span::new(file, base + at, base + at + r.len())),
            ))
        },
        |c, start, end| {
            parts.borrow_mut().push(Str::lit_with(
                c.to_string(),
                Some(Span::new(file, base + start, base + end)),
                false,
            ))
        },
    );
    let parts = parts.into_inner();
    let mut s = Str::concat(parts.iter());
    if s.parts.is_empty() {
        s = Str::lit("", Some(Span::new(file, base, base)));
    }
    s
}

/// The raw content of a string value built by [`to_value`] (its span, between the quotes), from the file text.
pub fn raw_content<'t>(s: &Str, text: &'t str) -> Option<(&'t str, usize)> {
    let sp = s.span()?;
    let raw = text.get(sp.range())?;
    // Guard: the span must be the content of a string token.
    let before = text.get(sp.start.checked_sub(1)? as usize..sp.start as usize)?;
    let after = text.get(sp.end as usize..sp.end as usize + 1)?;
    if before != "\"" || after != "\"" {
        return None;
    }
    Some((raw, sp.start as usize))
}

#[cfg(test)]
mod tests;
