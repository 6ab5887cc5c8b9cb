//! Policy JSON held in a [`Str`] (a heredoc, a quoted string, `file()` content, rendered `jsonencode`)
//! → [`Value`], every JSON string keeping its provenance through [`Str::slice`].
//!
//! Symbolic and unknown parts are placeholder characters in the text: inside JSON strings they stay parts
//! of the string; where a whole JSON value stands (`"Principal": ${jsonencode(var.p)}` with an unknown
//! `var.p`) they become that value.

use crate::policy::json::JsonError;
use crate::value::{Str, Value, SYM_CHAR, UNKNOWN_CHAR};
use jsonc_parser::ast::{ObjectPropName, Value as JValue};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

const MAX_DEPTH: usize = 128;

/// Parses JSON text with provenance.
pub fn parse_str(s: &Str) -> Result<Value, JsonError> {
    // Placeholders outside strings are replaced by a same-length JSON literal, mapped back afterwards.
    let mut text = String::with_capacity(s.text.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut holes: Vec<usize> = Vec::new();
    for (i, c) in s.text.char_indices() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            text.push(c);
        } else if c == '"' {
            in_str = true;
            text.push(c);
        } else if c == SYM_CHAR || c == UNKNOWN_CHAR {
            // Both placeholders are 3 bytes in UTF-8: `0` plus two spaces keeps offsets.
            holes.push(i);
            text.push_str("0  ");
        } else {
            text.push(c);
        }
    }
    let opts = ParseOptions {
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
    };
    let parsed =
        jsonc_parser::parse_to_ast(&text, &CollectOptions::default(), &opts).map_err(|e| {
            JsonError {
                message: e.kind().to_string(),
                offset: e.range().start,
            }
        })?;
    let Some(v) = parsed.value else {
        return Err(JsonError {
            message: "empty document".into(),
            offset: 0,
        });
    };
    Ok(convert(s, &text, &v, &holes, 0))
}

fn convert(s: &Str, text: &str, v: &JValue, holes: &[usize], depth: usize) -> Value {
    let r = v.range();
    if depth > MAX_DEPTH {
        return Value::unknown(
            "policy JSON",
            "nesting is too deep",
            s.span_of(r.start, r.end),
        );
    }
    match v {
        JValue::NullKeyword(_) => Value::Null(s.span_of(r.start, r.end)),
        JValue::BooleanLit(b) => Value::Bool(b.value, s.span_of(r.start, r.end)),
        JValue::NumberLit(_) => {
            if holes.contains(&r.start) {
                Value::Str(s.slice(r.start, r.start + 3))
            } else {
                Value::Number(s.slice(r.start, r.end))
            }
        }
        JValue::StringLit(lit) => Value::Str(string(s, text, r.start, r.end, &lit.value)),
        JValue::Array(a) => Value::List(
            a.elements
                .iter()
                .map(|e| convert(s, text, e, holes, depth + 1))
                .collect(),
            s.span_of(r.start, r.end),
        ),
        JValue::Object(o) => Value::Map(
            o.properties
                .iter()
                .map(|p| {
                    let k = match &p.name {
                        ObjectPropName::String(k) => {
                            string(s, text, k.range.start, k.range.end, &k.value)
                        }
                        ObjectPropName::Word(w) => s.slice(w.range.start, w.range.end),
                    };
                    (k, convert(s, text, &p.value, holes, depth + 1))
                })
                .collect(),
            s.span_of(r.start, r.end),
        ),
    }
}

/// A JSON string literal at `start..end` (with quotes): escape-free runs are slices of `s` (exact
/// provenance); each escape is one character pointing at the escape sequence.
fn string(s: &Str, text: &str, start: usize, end: usize, value: &str) -> Str {
    let inner = start + 1..end.saturating_sub(1).max(start + 1);
    let raw = text.get(inner.clone()).unwrap_or("");
    if raw == value {
        return s.slice(inner.start, inner.end);
    }
    let mut out = Str::default();
    let bytes = raw.as_bytes();
    let mut i = 0usize;
    let mut run = 0usize;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'\\') {
            if run < i {
                out.push_str(&s.slice(inner.start + run, inner.start + i));
            }
            let (c, len) = match bytes.get(i + 1) {
                Some(b'"') => ('"', 2),
                Some(b'\\') => ('\\', 2),
                Some(b'/') => ('/', 2),
                Some(b'b') => ('\u{8}', 2),
                Some(b'f') => ('\u{c}', 2),
                Some(b'n') => ('\n', 2),
                Some(b'r') => ('\r', 2),
                Some(b't') => ('\t', 2),
                Some(b'u') => {
                    let cp = raw
                        .get(i + 2..i + 6)
                        .and_then(|h| u32::from_str_radix(h, 16).ok());
                    match cp {
                        Some(hi)
                            if (0xD800..0xDC00).contains(&hi)
                                && raw.get(i + 6..i + 8) == Some("\\u") =>
                        {
                            let lo = raw
                                .get(i + 8..i + 12)
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .unwrap_or(0xDC00);
                            let c = char::from_u32(
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
                            )
                            .unwrap_or('\u{FFFD}');
                            (c, 12)
                        }
                        Some(cp) => (char::from_u32(cp).unwrap_or('\u{FFFD}'), 6),
                        None => ('\u{FFFD}', 2),
                    }
                }
                _ => ('\u{FFFD}', 1),
            };
            let at = inner.start + i;
            let len = len.min(bytes.len() - i);
            let mut buf = [0u8; 4];
            let mut e = Str::lit_with(
                c.encode_utf8(&mut buf).to_string(),
                s.span_of(at, at + len),
                false,
            );
            if let Some(p) = e.parts.first_mut() {
                p.hops = s.hops_of(at, at + len);
            }
            out.push_str(&e);
            i += len;
            run = i;
        } else {
            i += 1;
        }
    }
    if run < bytes.len() {
        out.push_str(&s.slice(inner.start + run, inner.start + bytes.len()));
    }
    if out.text != value {
        // Should not happen; keep the decoded text with the literal's overall provenance.
        let mut fallback = Str::lit_with(value, s.span_of(start, end), false);
        if let Some(p) = fallback.parts.first_mut() {
            p.hops = s.hops_of(start, end);
        }
        return fallback;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::value::{Sym, Unknown};

    #[test]
    fn strings_keep_exact_spans() {
        let src = r#"{"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}"#;
        let s = Str::lit(src, Some(Span::new(FileId(1), 100, 100 + src.len())));
        let v = parse_str(&s).unwrap();
        let p = v
            .get("Principal")
            .unwrap()
            .get("AWS")
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(p.text, "arn:aws:iam::123456789012:root");
        let at = src.find("arn:").unwrap();
        assert_eq!(
            p.span(),
            Some(Span::new(FileId(1), 100 + at, 100 + at + 30))
        );
    }

    #[test]
    fn escapes_and_placeholders() {
        let mut s = Str::lit(r#"{"A": "x\"y", "B": "#, Some(Span::new(FileId(0), 0, 19)));
        s.push_str(&Str::sym(Sym::ThisAccount, None));
        s.push_str(&Str::lit(", \"C\": ", None));
        s.push_str(&Str::unknown(Unknown::new(
            "var.p",
            "variable has no value",
            None,
        )));
        s.push_str(&Str::lit("}", None));
        let v = parse_str(&s).unwrap();
        assert_eq!(v.get("A").unwrap().as_str().unwrap().text, "x\"y");
        let y = v.get("A").unwrap().as_str().unwrap();
        assert_eq!(y.span_of(2, 3), Some(Span::new(FileId(0), 10, 11)));
        assert_eq!(
            v.get("B").unwrap().as_str().unwrap().as_sym(),
            Some(&Sym::ThisAccount)
        );
        assert!(v.get("C").unwrap().as_str().unwrap().has_unknown());
    }

    #[test]
    fn syntax_error_offset() {
        let e = parse_str(&Str::synthetic("{\"a\": }")).unwrap_err();
        assert_eq!(e.offset, 6);
    }
}
