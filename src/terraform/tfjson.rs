//! `.tf.json` (Terraform's JSON syntax) and `.tfvars.json` → [`ast`](super::ast), via jsonc-parser, with
//! `${…}` strings parsed by hcl-edit's template parser and mapped back to file offsets.

use super::ast::*;
use super::lower::{Lowerer, TKind};
use crate::model::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::value::Str;
use jsonc_parser::ast::{ObjectPropName, Value as JValue};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// Nested block types (in JSON syntax a block and an object-valued attribute look the same).
const BLOCK_TYPES: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "inline_policy",
    "dynamic",
    "content",
    "lifecycle",
];

/// Top-level block types and how many labels they take.
fn top_labels(ty: &str) -> Option<usize> {
    match ty {
        "resource" | "data" => Some(2),
        "variable" | "output" | "module" | "provider" => Some(1),
        "locals" | "terraform" | "moved" | "import" | "check" | "removed" => Some(0),
        _ => None,
    }
}

const MAX_DEPTH: usize = 128;

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

fn parse_json<'a>(file: &'a SourceFile) -> Result<Option<JValue<'a>>, Diagnostic> {
    match jsonc_parser::parse_to_ast(&file.text, &CollectOptions::default(), &strict()) {
        Ok(r) => Ok(r.value),
        Err(e) => {
            let r = e.range();
            Err(Diagnostic::ParseError {
                message: format!("JSON syntax error: {}", e.kind()),
                span: file.span(r.start, r.end.max(r.start)),
                resource: None,
            })
        }
    }
}

struct Ctx<'a> {
    file: &'a SourceFile,
    templates: bool,
    diags: &'a mut Vec<Diagnostic>,
}

/// A `.tf.json` file.
pub fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Result<Body, Diagnostic> {
    let value = parse_json(file)?;
    let mut cx = Ctx {
        file,
        templates: true,
        diags,
    };
    let mut out = Body::default();
    let Some(JValue::Object(obj)) = value else {
        return Err(Diagnostic::ParseError {
            message: "a Terraform JSON file must contain an object".into(),
            span: file.span(0, file.text.len().min(1)),
            resource: None,
        });
    };
    for prop in &obj.properties {
        let (ty, ty_span) = cx.prop_name(&prop.name);
        let Some(n) = top_labels(&ty) else { continue };
        cx.labelled_blocks(&ty, ty_span, n, &prop.value, Vec::new(), &mut out.blocks, 0);
    }
    Ok(out)
}

/// A `.tfvars.json` file: each property is a variable value (strings are literal, not templates).
pub fn parse_values(file: &SourceFile) -> Result<Body, Diagnostic> {
    let value = parse_json(file)?;
    let mut diags = Vec::new();
    let mut cx = Ctx {
        file,
        templates: false,
        diags: &mut diags,
    };
    let mut out = Body::default();
    if let Some(JValue::Object(obj)) = value {
        for prop in &obj.properties {
            let (name, name_span) = cx.prop_name(&prop.name);
            let expr = cx.expr(&prop.value, 0);
            out.attrs.push(Attr {
                name,
                name_span,
                span: cx.span(prop.range.start, prop.range.end),
                expr,
            });
        }
    }
    Ok(out)
}

impl Ctx<'_> {
    fn span(&self, s: usize, e: usize) -> Span {
        self.file.span(s, e)
    }

    fn prop_name(&self, n: &ObjectPropName) -> (String, Span) {
        match n {
            ObjectPropName::String(s) => {
                (s.value.to_string(), self.span(s.range.start, s.range.end))
            }
            ObjectPropName::Word(w) => (w.value.to_string(), self.span(w.range.start, w.range.end)),
        }
    }

    /// `{"label1": {"label2": body}}` with `n` labels still to read; arrays of bodies allowed at the end.
    #[allow(clippy::too_many_arguments)]
    fn labelled_blocks(
        &mut self,
        ty: &str,
        ty_span: Span,
        n: usize,
        v: &JValue,
        labels: Vec<(String, Span)>,
        out: &mut Vec<Block>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if n == 0 {
            match v {
                JValue::Array(a) => {
                    for el in &a.elements {
                        self.labelled_blocks(ty, ty_span, 0, el, labels.clone(), out, depth + 1);
                    }
                }
                JValue::Object(_) => {
                    let header = labels.last().map(|(_, s)| *s).unwrap_or(ty_span);
                    out.push(Block {
                        ty: ty.to_string(),
                        labels,
                        header,
                        body: self.body(v, depth + 1),
                    });
                }
                _ => {}
            }
            return;
        }
        match v {
            JValue::Object(o) => {
                for p in &o.properties {
                    let (name, span) = self.prop_name(&p.name);
                    if name == "//" {
                        continue;
                    }
                    let mut l = labels.clone();
                    l.push((name, span));
                    self.labelled_blocks(ty, ty_span, n - 1, &p.value, l, out, depth + 1);
                }
            }
            JValue::Array(a) => {
                for el in &a.elements {
                    self.labelled_blocks(ty, ty_span, n, el, labels.clone(), out, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn body(&mut self, v: &JValue, depth: usize) -> Body {
        let mut out = Body::default();
        let JValue::Object(o) = v else { return out };
        if depth > MAX_DEPTH {
            return out;
        }
        for p in &o.properties {
            let (name, name_span) = self.prop_name(&p.name);
            if name == "//" {
                continue;
            }
            let is_block_value = match &p.value {
                JValue::Object(_) => true,
                JValue::Array(a) => {
                    !a.elements.is_empty()
                        && a.elements.iter().all(|e| matches!(e, JValue::Object(_)))
                }
                _ => false,
            };
            if is_block_value && BLOCK_TYPES.contains(&name.as_str()) {
                let labels = if name == "dynamic" { 1 } else { 0 };
                self.labelled_blocks(
                    &name,
                    name_span,
                    labels,
                    &p.value,
                    Vec::new(),
                    &mut out.blocks,
                    depth + 1,
                );
                continue;
            }
            let expr = self.expr(&p.value, depth + 1);
            out.attrs.push(Attr {
                name,
                name_span,
                span: self.span(p.range.start, p.range.end),
                expr,
            });
        }
        out
    }

    fn expr(&mut self, v: &JValue, depth: usize) -> Expr {
        let r = v.range();
        let span = self.span(r.start, r.end);
        if depth > MAX_DEPTH {
            return Expr::Invalid("nesting too deep".into(), span);
        }
        match v {
            JValue::NullKeyword(_) => Expr::Null(span),
            JValue::BooleanLit(b) => Expr::Bool(b.value, span),
            JValue::NumberLit(n) => Expr::Number(Str::lit(n.value, Some(span))),
            JValue::StringLit(s) => self.string(&s.value, span),
            JValue::Array(a) => Expr::Array(
                a.elements.iter().map(|e| self.expr(e, depth + 1)).collect(),
                span,
            ),
            JValue::Object(o) => Expr::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let key = match &p.name {
                            ObjectPropName::String(s) => {
                                let ks = self.span(s.range.start, s.range.end);
                                Key::Expr(self.string(&s.value, ks))
                            }
                            ObjectPropName::Word(w) => Key::Ident(
                                w.value.to_string(),
                                self.span(w.range.start, w.range.end),
                            ),
                        };
                        (key, self.expr(&p.value, depth + 1))
                    })
                    .collect(),
                span,
            ),
        }
    }

    /// A JSON string (`span` includes the quotes): a template when it has `${`/`%{`, else a literal.
    fn string(&mut self, value: &str, span: Span) -> Expr {
        let raw_start = span.start as usize + 1;
        let raw_end = (span.end as usize).saturating_sub(1).max(raw_start);
        let raw = self.file.text.get(raw_start..raw_end).unwrap_or("");
        let table = unescape_table(raw, raw_start, value.len());
        if self.templates && (value.contains("${") || value.contains("%{")) {
            match hcl::edit::parser::parse_template(value) {
                Ok(t) => {
                    let lw = Lowerer {
                        file: self.file.id,
                        src: value,
                        map: table.as_deref(),
                    };
                    // Template literals of JSON strings only have `$${`-style escapes left.
                    let parts = lw.template_parts(&t, span, TKind::Plain);
                    return Expr::Template(Box::new(Template { parts, span }));
                }
                Err(e) => {
                    let msg = format!("invalid template expression: {}", e.message());
                    self.diags.push(Diagnostic::ParseError {
                        message: msg.clone(),
                        span,
                        resource: None,
                    });
                    return Expr::Invalid(msg, span);
                }
            }
        }
        let s = match &table {
            Some(t) => super::lower::str_from_table(self.file.id, value, t),
            None => Str::lit_with(value, Some(span), false),
        };
        Expr::Template(Box::new(Template {
            parts: if s.text.is_empty() {
                Vec::new()
            } else {
                vec![TPart::Lit(s)]
            },
            span,
        }))
    }
}

/// For a raw JSON string body (between the quotes, starting at file offset `base`), the file offset of
/// each decoded byte plus one past the end. `None` when decoding does not give `expected_len` bytes.
pub fn unescape_table(raw: &str, base: usize, expected_len: usize) -> Option<Vec<u32>> {
    let mut table = Vec::with_capacity(expected_len + 1);
    let bytes = raw.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let at = (base + i) as u32;
        if bytes[i] == b'\\' {
            // ok: i < len
            let esc = *bytes.get(i + 1)?;
            let (len, decoded_len) = match esc {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => (2, 1),
                b'u' => {
                    let cp = u32::from_str_radix(raw.get(i + 2..i + 6)?, 16).ok()?;
                    if (0xD800..0xDC00).contains(&cp) && raw.get(i + 6..i + 8) == Some("\\u") {
                        // A surrogate pair is one 4-byte character.
                        (12, 4)
                    } else {
                        (6, char::from_u32(cp).map(char::len_utf8).unwrap_or(3))
                    }
                }
                _ => return None,
            };
            for _ in 0..decoded_len {
                table.push(at);
            }
            i += len;
        } else {
            table.push(at);
            i += 1;
        }
    }
    table.push((base + bytes.len()) as u32);
    if table.len() == expected_len + 1 {
        Some(table)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
