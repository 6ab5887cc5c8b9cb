//! JSON text with spans → [`Value`] (policy strings inside HCL heredocs and quoted strings, plan strings,
//! CloudFormation JSON templates).
//!
//! Parsing is strict JSON (no comments, no trailing commas, no unquoted keys or single quotes, no raw control
//! characters in strings), as IAM and CloudFormation are. Object keys keep their spans and duplicate keys are
//! kept in order. Nesting is limited to [`MAX_DEPTH`] levels, checked by a cheap pre-scan before the
//! (recursive) parser runs, so hostile input cannot overflow the stack.

use crate::source::Span;
use crate::value::{Origin, Str, Unknown, Value, SYM_CHAR, UNKNOWN_CHAR};
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;

/// Deepest nesting of arrays and objects accepted. Real policies nest about five levels.
pub const MAX_DEPTH: usize = 256;

/// An error with the byte offset (relative to the parsed text) where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub offset: usize,
}

impl JsonError {
    /// 1-based line and character column of the error in the parsed `text`.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        line_col(text, self.offset)
    }

    /// The message with its position in the parsed text: `invalid JSON: Expected comma at line 3, column 7`.
    /// Use this when the text is not a file of its own (the position is relative to the JSON text).
    pub fn describe(&self, text: &str) -> String {
        let (line, col) = self.line_col(text);
        format!(
            "invalid JSON: {} at line {line}, column {col} of the JSON text",
            self.message
        )
    }

    /// The source span of the error, through the map used for parsing (one character wide where possible).
    pub fn span(&self, text: &str, map: &dyn OffsetMap) -> Option<Span> {
        let end = next_char_boundary(text, self.offset);
        map.span(self.offset.min(text.len()), end)
    }

    /// The source span of the error when the text was parsed with [`parse_str`].
    pub fn span_in(&self, s: &Str) -> Option<Span> {
        let end = next_char_boundary(&s.text, self.offset);
        s.span_of(self.offset.min(s.text.len()), end)
            .or_else(|| s.span())
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid JSON: {} (byte {})", self.message, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// 1-based line and character column of a byte offset in `text` (clamped to the text).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = text.get(..off).unwrap_or("");
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before.get(line_start..).unwrap_or("").chars().count() + 1;
    (line, col)
}

fn next_char_boundary(text: &str, offset: usize) -> usize {
    if offset >= text.len() {
        return text.len();
    }
    let mut end = offset + 1;
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// Maps a byte offset in the parsed text to a source span. Identity-plus-base for raw slices; a table for
/// decoded (unescaped) strings.
pub trait OffsetMap {
    fn span(&self, start: usize, end: usize) -> Option<Span>;
    /// Whether byte ranges map 1:1 (so sub-ranges of string literals are exact).
    fn exact(&self) -> bool;
}

/// Offsets map 1:1 to `file` bytes starting at `base` (a raw slice of the source, e.g. a heredoc body).
#[derive(Copy, Clone, Debug)]
pub struct RawMap {
    pub file: crate::source::FileId,
    pub base: usize,
}

impl OffsetMap for RawMap {
    fn span(&self, start: usize, end: usize) -> Option<Span> {
        Some(Span::new(self.file, self.base + start, self.base + end))
    }
    fn exact(&self) -> bool {
        true
    }
}

/// Offsets of decoded text (an unescaped string) map through a table: `table[i]` is the source byte offset
/// of decoded byte `i`, and `table[len]` the offset just past the end.
#[derive(Clone, Debug)]
pub struct TableMap {
    pub file: crate::source::FileId,
    pub table: Vec<u32>,
}

impl OffsetMap for TableMap {
    fn span(&self, start: usize, end: usize) -> Option<Span> {
        let s = *self.table.get(start)?;
        let e = self.table.get(end).copied().unwrap_or(s);
        Some(Span::new(self.file, s as usize, e.max(s) as usize))
    }
    fn exact(&self) -> bool {
        false
    }
}

/// No source location (text produced by the scanner, e.g. a `jsonencode` of computed values).
#[derive(Copy, Clone, Debug)]
pub struct NoMap;

impl OffsetMap for NoMap {
    fn span(&self, _start: usize, _end: usize) -> Option<Span> {
        None
    }
    fn exact(&self) -> bool {
        false
    }
}

/// Parses JSON text into a [`Value`] whose strings carry spans through `map`.
pub fn parse(text: &str, map: &dyn OffsetMap) -> Result<Value, JsonError> {
    let ast = parse_ast(text)?;
    let src = MapSource { text, map };
    Ok(convert(&ast, &src))
}

/// Parses the text of a resolved string (a Terraform heredoc or quoted JSON with `${…}` interpolations, a
/// plan-file string) into a [`Value`]. Symbolic and unknown parts stand as placeholder characters in
/// `s.text`; inside JSON strings they are ordinary characters, so every JSON string becomes a slice of `s`
/// with provenance, symbols and exact sub-spans intact. A placeholder standing where a whole JSON value
/// belongs (`"Principal": ${jsonencode(var.p)}`) becomes that value: [`Value::Unknown`] for an unknown part,
/// the symbolic string for a symbolic one. When the text cannot be parsed and contains unknown parts, the
/// result is `Ok(Value::Unknown)` naming them (TL901: the JSON may well be valid once deployed), not an error.
pub fn parse_str(s: &Str) -> Result<Value, JsonError> {
    let src = StrSource { s };
    match parse_ast(&s.text) {
        Ok(ast) => Ok(convert(&ast, &src)),
        Err(first) => {
            if !s.text.contains([SYM_CHAR, UNKNOWN_CHAR]) {
                return Err(first);
            }
            // A placeholder outside a string literal stands for a whole value (or part of a number); put a
            // same-length number there and try again so the rest of the document is still analysed.
            let retry_text = fill_bare_placeholders(&s.text);
            if let Ok(ast) = parse_ast(&retry_text) {
                return Ok(convert(&ast, &src));
            }
            if s.has_unknown() {
                return Ok(Value::Unknown(unparsable_unknown(s)));
            }
            Err(first)
        }
    }
}

/// The unknown standing for a JSON text that only parses once its unknown parts are known.
fn unparsable_unknown(s: &Str) -> Unknown {
    let mut exprs: Vec<&str> = Vec::new();
    let mut whys: Vec<&str> = Vec::new();
    let mut span = None;
    for u in s.unknowns() {
        if !exprs.contains(&u.expr.as_str()) {
            exprs.push(&u.expr);
        }
        if !whys.contains(&u.why.as_str()) {
            whys.push(&u.why);
        }
        if span.is_none() {
            span = u.span;
        }
    }
    Unknown::new(
        exprs.join(", "),
        format!(
            "{}; the policy JSON cannot be parsed until it is known",
            whys.join("; ")
        ),
        span.or_else(|| s.span()),
    )
}

/// Replaces each placeholder character outside JSON string literals by `0.0` (the same number of bytes).
fn fill_bare_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
        } else if c == SYM_CHAR || c == UNKNOWN_CHAR {
            // Both placeholders are 3 bytes in UTF-8, like `0.0`.
            out.push_str("0.0");
        } else {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

fn parse_ast(text: &str) -> Result<ast::Value<'_>, JsonError> {
    prescan(text)?;
    let options = jsonc_parser::ParseOptions {
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
    let result =
        jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| JsonError {
            message: e.kind().to_string(),
            offset: e.range().start,
        })?;
    match result.value {
        Some(v) => Ok(v),
        None => Err(JsonError {
            message: "the text is empty: expected a JSON value".into(),
            offset: text.len(),
        }),
    }
}

/// Rejects what the parser would accept but strict JSON does not (raw control characters in strings) and
/// nesting deeper than [`MAX_DEPTH`], before the recursive parser sees it.
fn prescan(text: &str) -> Result<(), JsonError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                return Err(JsonError {
                    message: format!("control character U+{b:04X} in a string must be escaped"),
                    offset: i,
                });
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: i,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Where the parsed text came from: builds provenance for byte ranges of it.
trait Source {
    /// An unescaped run of string content.
    fn run(&self, start: usize, end: usize) -> Str;
    /// One escape sequence at `start..end`, decoded to `decoded`.
    fn escape(&self, decoded: &str, start: usize, end: usize) -> Str;
    fn span(&self, start: usize, end: usize) -> Option<Span>;
    /// The text as given (placeholders in place).
    fn text(&self) -> &str;
    /// A non-string token at `start..end` (number, bool, null) as a provenance-carrying string.
    fn token(&self, start: usize, end: usize) -> Str;
    /// The value standing for a bare placeholder at `start..end`, if there is one.
    fn placeholder(&self, start: usize, end: usize) -> Option<Value>;
}

struct MapSource<'a> {
    text: &'a str,
    map: &'a dyn OffsetMap,
}

impl Source for MapSource<'_> {
    fn run(&self, start: usize, end: usize) -> Str {
        Str::lit_with(
            self.text.get(start..end).unwrap_or(""),
            self.map.span(start, end),
            self.map.exact(),
        )
    }
    fn escape(&self, decoded: &str, start: usize, end: usize) -> Str {
        Str::lit_with(decoded, self.map.span(start, end), false)
    }
    fn span(&self, start: usize, end: usize) -> Option<Span> {
        self.map.span(start, end)
    }
    fn text(&self) -> &str {
        self.text
    }
    fn token(&self, start: usize, end: usize) -> Str {
        self.run(start, end)
    }
    fn placeholder(&self, _start: usize, _end: usize) -> Option<Value> {
        None
    }
}

struct StrSource<'a> {
    s: &'a Str,
}

impl Source for StrSource<'_> {
    fn run(&self, start: usize, end: usize) -> Str {
        self.s.slice(start, end)
    }
    fn escape(&self, decoded: &str, start: usize, end: usize) -> Str {
        Str::lit_with(decoded, self.s.span_of(start, end), false)
    }
    fn span(&self, start: usize, end: usize) -> Option<Span> {
        self.s.span_of(start, end)
    }
    fn text(&self) -> &str {
        &self.s.text
    }
    fn token(&self, start: usize, end: usize) -> Str {
        self.s.slice(start, end)
    }
    fn placeholder(&self, start: usize, end: usize) -> Option<Value> {
        let part = self
            .s
            .parts
            .iter()
            .find(|p| p.start as usize == start && p.end as usize == end)?;
        match &part.origin {
            Origin::Unknown(u) => Some(Value::Unknown(u.clone())),
            Origin::Sym(..) => Some(Value::Str(self.s.slice(start, end))),
            Origin::Lit { .. } => None,
        }
    }
}

fn convert(v: &ast::Value<'_>, src: &dyn Source) -> Value {
    match v {
        ast::Value::StringLit(s) => Value::Str(string_value(s, src)),
        ast::Value::NumberLit(n) => {
            let r = n.range();
            match src.placeholder(r.start, r.end) {
                Some(v) => v,
                None => Value::Number(src.token(r.start, r.end)),
            }
        }
        ast::Value::BooleanLit(b) => Value::Bool(b.value, src.span(b.range.start, b.range.end)),
        ast::Value::NullKeyword(n) => Value::Null(src.span(n.range.start, n.range.end)),
        ast::Value::Array(a) => Value::List(
            a.elements.iter().map(|e| convert(e, src)).collect(),
            src.span(a.range.start, a.range.end),
        ),
        ast::Value::Object(o) => {
            let mut entries = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let key = match &p.name {
                    ast::ObjectPropName::String(s) => string_value(s, src),
                    // Loose property names are disabled; keep the word as written if one ever slips through.
                    ast::ObjectPropName::Word(w) => src.token(w.range.start, w.range.end),
                };
                entries.push((key, convert(&p.value, src)));
            }
            Value::Map(entries, src.span(o.range.start, o.range.end))
        }
    }
}

/// A string literal with provenance: unescaped runs keep exact provenance, each escape maps to its escape
/// sequence in the source.
fn string_value(lit: &ast::StringLit<'_>, src: &dyn Source) -> Str {
    let (start, end) = (lit.range.start + 1, lit.range.end.saturating_sub(1));
    if start > end {
        return Str::lit_with(
            lit.value.as_ref(),
            src.span(lit.range.start, lit.range.end),
            false,
        );
    }
    if matches!(lit.value, std::borrow::Cow::Borrowed(_)) {
        if start == end {
            // An empty string has no parts to slice; keep the span of the quotes.
            return Str::lit_with("", src.span(lit.range.start, lit.range.end), false);
        }
        return src.run(start, end);
    }
    match unescape_parts(src, start, end) {
        Some(s) if s.text == lit.value.as_ref() => s,
        _ => Str::lit_with(lit.value.as_ref(), src.span(start, end), false),
    }
}

/// Splits string content at `start..end` into unescaped runs and escapes. `None` when an escape is not one
/// this function understands (the caller then falls back to the parser's decoded text).
fn unescape_parts(src: &dyn Source, start: usize, end: usize) -> Option<Str> {
    let raw = src.text().get(start..end)?;
    let bytes = raw.as_bytes();
    let mut out = Str::default();
    let mut run_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        if run_start < i {
            out.push_str(&src.run(start + run_start, start + i));
        }
        let esc = *bytes.get(i + 1)?;
        let (decoded, len): (String, usize) = match esc {
            b'"' => ("\"".into(), 2),
            b'\\' => ("\\".into(), 2),
            b'/' => ("/".into(), 2),
            b'b' => ("\u{8}".into(), 2),
            b'f' => ("\u{c}".into(), 2),
            b'n' => ("\n".into(), 2),
            b'r' => ("\r".into(), 2),
            b't' => ("\t".into(), 2),
            b'u' => {
                let hi = hex4(raw.get(i + 2..i + 6)?)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if raw.get(i + 6..i + 8) != Some("\\u") {
                        return None;
                    }
                    let lo = hex4(raw.get(i + 8..i + 12)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                    (c.to_string(), 12)
                } else {
                    (char::from_u32(hi)?.to_string(), 6)
                }
            }
            _ => return None,
        };
        out.push_str(&src.escape(&decoded, start + i, start + i + len));
        i += len;
        run_start = i;
    }
    if run_start < bytes.len() {
        out.push_str(&src.run(start + run_start, end));
    }
    Some(out)
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests;
