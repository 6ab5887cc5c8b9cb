//! hcl-edit syntax → [`ast`](super::ast), turning byte ranges into [`Span`]s and string literals into
//! [`Str`]s whose parts map exactly to the source wherever the text was written verbatim.

use super::ast::*;
use crate::source::{FileId, Span};
use crate::value::{Origin, Part, Str};
use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::structure::{self as hs, Structure};
use hcl::edit::template::{Directive, Element, Strip, Template as HTemplate};
use hcl::edit::Span as _;
use std::ops::Range;

/// How a template literal was written, which decides the escapes to undo.
#[derive(Copy, Clone, Debug)]
pub enum LitMode {
    /// A quoted string: backslash escapes and `$${` / `%%{`.
    Quoted,
    /// A heredoc body: only `$${` / `%%{`; `<<-` heredocs also lose `indent` leading characters per line
    /// (except a first line that continues after an interpolation).
    Heredoc {
        indent: Option<usize>,
        skip_first: bool,
    },
    /// A `.tf.json` string that was already JSON-unescaped: raw offsets come from a table.
    Plain,
}

/// Which kind of template a literal belongs to.
#[derive(Copy, Clone, Debug)]
pub enum TKind {
    Quoted,
    Heredoc(Option<usize>),
    /// Parsed from already-unescaped text (`.tf.json`).
    Plain,
}

pub struct Lowerer<'s> {
    pub file: FileId,
    /// The parsed text.
    pub src: &'s str,
    /// When `src` is not the file text itself (a decoded `.tf.json` string), `map[i]` is the file offset of
    /// byte `i` of `src` (and `map[len]` the offset past its end).
    pub map: Option<&'s [u32]>,
}

impl<'s> Lowerer<'s> {
    pub fn new(file: FileId, src: &'s str) -> Lowerer<'s> {
        Lowerer {
            file,
            src,
            map: None,
        }
    }

    /// File span of a range of `src`, and whether it maps byte for byte.
    fn map_range(&self, r: Range<usize>) -> Option<(Span, bool)> {
        if r.end > self.src.len() || r.start > r.end {
            return None;
        }
        match self.map {
            None => Some((Span::new(self.file, r.start, r.end), true)),
            Some(m) => {
                let s = *m.get(r.start)? as usize;
                let e = *m.get(r.end)? as usize;
                Some((
                    Span::new(self.file, s, e.max(s)),
                    e >= s && e - s == r.len(),
                ))
            }
        }
    }

    fn span(&self, r: Option<Range<usize>>, fallback: Span) -> Span {
        r.and_then(|r| self.map_range(r))
            .map(|(s, _)| s)
            .unwrap_or(fallback)
    }

    /// A literal's value as a [`Str`]: one exact part per escape-free run, one inexact part per escape.
    /// When the source does not decode to `value` (unexpected input), one inexact part covers the range.
    pub fn lit(&self, raw: Range<usize>, value: &str, mode: LitMode) -> Str {
        // Most literals are written verbatim: one exact part, without decoding piece by piece.
        let verbatim = match mode {
            LitMode::Quoted => !value.contains('\\'),
            LitMode::Heredoc { indent: None, .. } => true,
            LitMode::Heredoc { .. } | LitMode::Plain => false,
        };
        if verbatim
            && self.map.is_none()
            && self.src.get(raw.clone()) == Some(value)
            && !(value.bytes().any(|b| b == b'$' || b == b'%')
                && (value.contains("$${") || value.contains("%%{")))
        {
            return Str::lit_with(value, Some(Span::new(self.file, raw.start, raw.end)), true);
        }
        self.lit_decoded(raw, value, mode)
    }

    /// [`lit`](Self::lit) the long way, decoding the source piece by piece.
    fn lit_decoded(&self, raw: Range<usize>, value: &str, mode: LitMode) -> Str {
        let whole = self
            .map_range(raw.clone())
            .map(|(s, _)| s)
            .unwrap_or_else(|| Span::new(self.file, 0, 0));
        if let Some(pieces) = decode(self.src, raw, mode) {
            if pieces_match(&pieces, value) {
                let mut s = Str::default();
                for p in pieces {
                    match (self.map, p.exact) {
                        (Some(m), true) => push_mapped(&mut s, self.file, &p.text, p.raw.start, m),
                        _ => {
                            let span = self.map_range(p.raw.clone()).map(|x| x.0).unwrap_or(whole);
                            let start = s.text.len() as u32;
                            s.text.push_str(&p.text);
                            s.parts.push(Part {
                                start,
                                end: s.text.len() as u32,
                                origin: Origin::Lit {
                                    span: Some(span),
                                    exact: p.exact && self.map.is_none(),
                                },
                                hops: Vec::new(),
                            });
                        }
                    }
                }
                if s.parts.is_empty() {
                    // An empty string still has a place: the empty range between its quotes.
                    s.parts.push(Part {
                        start: 0,
                        end: 0,
                        origin: Origin::Lit {
                            span: Some(whole),
                            exact: true,
                        },
                        hops: Vec::new(),
                    });
                }
                return s;
            }
        }
        Str::lit_with(value, Some(whole), false)
    }

    pub fn body(&self, body: &hs::Body) -> Body {
        let mut out = Body::default();
        let whole = Span::new(self.file, 0, self.src.len());
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let span = self.span(a.span(), whole);
                    out.attrs.push(Attr {
                        name: a.key.value().to_string(),
                        name_span: self.span(a.key.span(), span),
                        expr: self.expr(&a.value, span),
                        span,
                    });
                }
                Structure::Block(b) => out.blocks.push(self.block(b, whole)),
            }
        }
        out
    }

    fn block(&self, b: &hs::Block, fallback: Span) -> Block {
        let whole = self.span(b.span(), fallback);
        let ident = self.span(b.ident.span(), whole);
        let labels: Vec<(String, Span)> = b
            .labels
            .iter()
            .map(|l| (l.as_str().to_string(), self.span(l.span(), whole)))
            .collect();
        let header = match labels.last() {
            Some((_, s)) => ident.join(s),
            None => ident,
        };
        Block {
            ty: b.ident.value().to_string(),
            labels,
            header,
            body: self.body(&b.body),
        }
    }

    pub fn expr(&self, e: &Expression, fallback: Span) -> Expr {
        let span = self.span(e.span(), fallback);
        match e {
            Expression::Null(_) => Expr::Null(span),
            Expression::Bool(b) => Expr::Bool(*b.value(), span),
            Expression::Number(n) => {
                let text = self
                    .src
                    .get(span.range())
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| n.value().to_string());
                Expr::Number(Str::lit(text, Some(span)))
            }
            Expression::String(s) => {
                let inner = match e.span() {
                    Some(r) if r.len() >= 2 => r.start + 1..r.end - 1,
                    _ => 0..0,
                };
                Expr::Template(Box::new(Template {
                    parts: vec![TPart::Lit(self.lit(inner, s.value(), LitMode::Quoted))],
                    span,
                }))
            }
            Expression::StringTemplate(t) => Expr::Template(Box::new(Template {
                parts: self.template_parts(t, span, TKind::Quoted),
                span,
            })),
            Expression::HeredocTemplate(h) => Expr::Template(Box::new(Template {
                parts: self.template_parts(
                    &h.template,
                    self.span(h.template.span(), span),
                    TKind::Heredoc(h.indent()),
                ),
                span,
            })),
            Expression::Array(a) => {
                Expr::Array(a.iter().map(|x| self.expr(x, span)).collect(), span)
            }
            Expression::Object(o) => Expr::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(i) => {
                                Key::Ident(i.value().to_string(), self.span(i.span(), span))
                            }
                            ObjectKey::Expression(x) => Key::Expr(self.expr(x, span)),
                        };
                        (key, self.expr(v.expr(), span))
                    })
                    .collect(),
                span,
            ),
            Expression::Parenthesis(p) => self.expr(p.inner(), span),
            Expression::Variable(v) => Expr::Var(v.value().to_string(), span),
            Expression::Conditional(c) => Expr::Cond(
                Box::new([
                    self.expr(&c.cond_expr, span),
                    self.expr(&c.true_expr, span),
                    self.expr(&c.false_expr, span),
                ]),
                span,
            ),
            Expression::FuncCall(f) => {
                let mut name = String::new();
                for ns in &f.name.namespace {
                    name.push_str(ns.value());
                    name.push_str("::");
                }
                name.push_str(f.name.name.value());
                Expr::Call(Box::new(Call {
                    name,
                    args: f.args.iter().map(|a| self.expr(a, span)).collect(),
                    expand_final: f.args.expand_final(),
                    span,
                }))
            }
            Expression::Traversal(t) => {
                let head = self.expr(&t.expr, span);
                let ops = t
                    .operators
                    .iter()
                    .map(|op| {
                        let os = self.span(op.span(), span);
                        match op.value() {
                            TraversalOperator::GetAttr(i) => TOp::Attr(i.value().to_string(), os),
                            TraversalOperator::Index(x) => TOp::Index(self.expr(x, os)),
                            TraversalOperator::LegacyIndex(n) => {
                                let ns = self.span(n.span(), os);
                                TOp::Index(Expr::Number(Str::lit(n.value().to_string(), Some(ns))))
                            }
                            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                                TOp::Splat(os)
                            }
                        }
                    })
                    .collect();
                Expr::Traversal(Box::new(head), ops, span)
            }
            Expression::UnaryOp(u) => {
                let op = match u.operator.value() {
                    UnaryOperator::Neg => UnOp::Neg,
                    UnaryOperator::Not => UnOp::Not,
                };
                Expr::Unary(op, Box::new(self.expr(&u.expr, span)), span)
            }
            Expression::BinaryOp(b) => {
                let op = match b.operator.value() {
                    BinaryOperator::Eq => BinOp::Eq,
                    BinaryOperator::NotEq => BinOp::NotEq,
                    BinaryOperator::LessEq => BinOp::LessEq,
                    BinaryOperator::GreaterEq => BinOp::GreaterEq,
                    BinaryOperator::Less => BinOp::Less,
                    BinaryOperator::Greater => BinOp::Greater,
                    BinaryOperator::Plus => BinOp::Plus,
                    BinaryOperator::Minus => BinOp::Minus,
                    BinaryOperator::Mul => BinOp::Mul,
                    BinaryOperator::Div => BinOp::Div,
                    BinaryOperator::Mod => BinOp::Mod,
                    BinaryOperator::And => BinOp::And,
                    BinaryOperator::Or => BinOp::Or,
                };
                Expr::Binary(
                    op,
                    Box::new([self.expr(&b.lhs_expr, span), self.expr(&b.rhs_expr, span)]),
                    span,
                )
            }
            Expression::ForExpr(f) => Expr::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.value().to_string()),
                value_var: f.intro.value_var.value().to_string(),
                coll: self.expr(&f.intro.collection_expr, span),
                key_expr: f.key_expr.as_ref().map(|k| self.expr(k, span)),
                value_expr: self.expr(&f.value_expr, span),
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr, span)),
                grouping: f.grouping,
                span,
            })),
        }
    }

    pub fn template_parts(&self, t: &HTemplate, span: Span, heredoc: TKind) -> Vec<TPart> {
        let mut skip_first = false;
        self.elements(t, span, heredoc, &mut skip_first)
    }

    fn elements(
        &self,
        t: &HTemplate,
        span: Span,
        heredoc: TKind,
        skip_first: &mut bool,
    ) -> Vec<TPart> {
        let mut out = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(l) => {
                    let mode = match heredoc {
                        TKind::Quoted => LitMode::Quoted,
                        TKind::Plain => LitMode::Plain,
                        TKind::Heredoc(indent) => LitMode::Heredoc {
                            indent,
                            skip_first: *skip_first,
                        },
                    };
                    let raw = l.span().unwrap_or(0..0);
                    out.push(TPart::Lit(self.lit(raw, l.value(), mode)));
                    *skip_first = !l.value().ends_with('\n');
                }
                Element::Interpolation(i) => {
                    let (before, after) = strip_flags(i.strip);
                    out.push(TPart::Interp(
                        self.expr(&i.expr, self.span(i.span(), span)),
                        before,
                        after,
                    ));
                    *skip_first = true;
                }
                Element::Directive(d) => {
                    let ds = self.span(d.span(), span);
                    match d.as_ref() {
                        Directive::If(i) => {
                            let then = self.elements(&i.if_expr.template, ds, heredoc, skip_first);
                            let otherwise = match &i.else_expr {
                                Some(e) => self.elements(&e.template, ds, heredoc, skip_first),
                                None => Vec::new(),
                            };
                            out.push(TPart::If {
                                cond: self.expr(&i.if_expr.cond_expr, ds),
                                then,
                                otherwise,
                                span: ds,
                            });
                        }
                        Directive::For(f) => {
                            let body = self.elements(&f.for_expr.template, ds, heredoc, skip_first);
                            out.push(TPart::For {
                                key_var: f.for_expr.key_var.as_ref().map(|k| k.value().to_string()),
                                value_var: f.for_expr.value_var.value().to_string(),
                                coll: self.expr(&f.for_expr.collection_expr, ds),
                                body,
                                span: ds,
                            });
                        }
                    }
                    *skip_first = true;
                }
            }
        }
        out
    }
}

fn strip_flags(s: Strip) -> (bool, bool) {
    match s {
        Strip::None => (false, false),
        Strip::Start => (true, false),
        Strip::End => (false, true),
        Strip::Both => (true, true),
    }
}

/// The content of a quoted string's span (without the quotes).
pub fn inner_of_quotes(span: Span) -> Span {
    if span.len() >= 2 {
        Span::new(span.file, span.start as usize + 1, span.end as usize - 1)
    } else {
        span
    }
}

/// One decoded piece of a literal: value text and the raw source range it came from.
struct Piece {
    text: String,
    raw: Range<usize>,
    exact: bool,
}

fn push_piece(pieces: &mut Vec<Piece>, text: &str, raw: Range<usize>, exact: bool) {
    if exact {
        if let Some(last) = pieces.last_mut() {
            if last.exact && last.raw.end == raw.start {
                last.text.push_str(text);
                last.raw.end = raw.end;
                return;
            }
        }
    }
    pieces.push(Piece {
        text: text.to_string(),
        raw,
        exact,
    });
}

/// Decodes escapes of a raw literal (`raw` = source range) into pieces. `None` when the raw text is not
/// what was expected (then the caller falls back to one inexact part).
fn decode(src: &str, raw: Range<usize>, mode: LitMode) -> Option<Vec<Piece>> {
    let text = src.get(raw.clone())?;
    let base = raw.start;
    let mut pieces = Vec::new();
    match mode {
        LitMode::Quoted => decode_run(text, base, true, &mut pieces)?,
        LitMode::Plain => decode_run(text, base, false, &mut pieces)?,
        LitMode::Heredoc { indent, skip_first } => {
            let Some(n) = indent else {
                decode_run(text, base, false, &mut pieces)?;
                return Some(pieces);
            };
            // Mirrors hcl-edit's `dedent_by`, which works line by line (`str::lines`, so `\r\n` loses `\r`).
            let mut off = 0usize;
            let mut first = true;
            while off < text.len() {
                let rest = &text[off..];
                let (line_len, nl_len) = match rest.find('\n') {
                    Some(i) => (i, 1),
                    None => (rest.len(), 0),
                };
                let mut line = &rest[..line_len];
                let mut line_raw_len = line_len;
                if nl_len == 1 && line.ends_with('\r') {
                    line = &line[..line.len() - 1];
                    line_raw_len -= 1;
                }
                if first && skip_first {
                    decode_run(line, base + off, false, &mut pieces)?;
                } else if !line.is_empty() {
                    let skip: usize = line.chars().take(n).map(char::len_utf8).sum();
                    decode_run(&line[skip..], base + off + skip, false, &mut pieces)?;
                }
                if nl_len == 1 {
                    let nl_at = base + off + line_len;
                    // With `\r\n` the value has `\n` only; it maps to the `\n` byte.
                    push_piece(&mut pieces, "\n", nl_at..nl_at + 1, true);
                }
                let _ = line_raw_len;
                off += line_len + nl_len;
                first = false;
            }
        }
    }
    Some(pieces)
}

/// Decodes one run of literal text: `$${`/`%%{` always, backslash escapes when `backslash`.
fn decode_run(text: &str, base: usize, backslash: bool, pieces: &mut Vec<Piece>) -> Option<()> {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut run_start = 0usize;
    let flush = |pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if to > from {
            push_piece(pieces, &text[from..to], base + from..base + to, true);
        }
    };
    while i < bytes.len() {
        let b = bytes[i]; // ok: i < len
        if (b == b'$' || b == b'%')
            && bytes.get(i + 1) == Some(&b)
            && bytes.get(i + 2) == Some(&b'{')
        {
            flush(pieces, run_start, i);
            let out = if b == b'$' { "${" } else { "%{" };
            push_piece(pieces, out, base + i..base + i + 3, false);
            i += 3;
            run_start = i;
        } else if backslash && b == b'\\' {
            flush(pieces, run_start, i);
            let esc = *bytes.get(i + 1)?;
            let (c, len) = match esc {
                b'n' => ('\n', 2),
                b'r' => ('\r', 2),
                b't' => ('\t', 2),
                b'\\' => ('\\', 2),
                b'"' => ('"', 2),
                b'u' => (hex_char(text.get(i + 2..i + 6)?)?, 6),
                b'U' => (hex_char(text.get(i + 2..i + 10)?)?, 10),
                _ => return None,
            };
            let mut buf = [0u8; 4];
            push_piece(
                pieces,
                c.encode_utf8(&mut buf),
                base + i..base + i + len,
                false,
            );
            i += len;
            run_start = i;
        } else {
            i += 1;
        }
    }
    flush(pieces, run_start, bytes.len());
    Some(())
}

fn hex_char(hex: &str) -> Option<char> {
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// Appends `text` (written at `src` offset `at`) split into runs through the offset table `map`: runs whose
/// bytes map to consecutive file offsets are exact; the bytes of an escape sequence are one inexact part.
fn push_mapped(out: &mut Str, file: FileId, text: &str, at: usize, map: &[u32]) {
    let clean = |j: usize| -> bool {
        match (map.get(at + j), map.get(at + j + 1)) {
            (Some(a), Some(b)) => *b == a + 1,
            _ => false,
        }
    };
    let bytes = text.len();
    let mut i = 0usize;
    while i < bytes {
        let kind = clean(i);
        let mut j = i + 1;
        while j < bytes && (clean(j) == kind || !text.is_char_boundary(j)) {
            j += 1;
        }
        let s = map.get(at + i).copied().unwrap_or(0) as usize;
        let e = map.get(at + j).copied().unwrap_or(s as u32) as usize;
        let start = out.text.len() as u32;
        out.text.push_str(text.get(i..j).unwrap_or(""));
        out.parts.push(Part {
            start,
            end: out.text.len() as u32,
            origin: Origin::Lit {
                span: Some(Span::new(file, s, e.max(s))),
                exact: kind && e >= s && e - s == j - i,
            },
            hops: Vec::new(),
        });
        i = j;
    }
}

fn pieces_match(pieces: &[Piece], value: &str) -> bool {
    let mut at = 0usize;
    for p in pieces {
        if value.get(at..at + p.text.len()) != Some(p.text.as_str()) {
            return false;
        }
        at += p.text.len();
    }
    at == value.len()
}

/// Literal pieces of an already-decoded string whose byte `i` was written at source offset `table[i]`
/// (`.tf.json` strings): runs where consecutive bytes map to consecutive offsets are exact.
pub fn str_from_table(file: FileId, value: &str, table: &[u32]) -> Str {
    let mut s = Str::default();
    let bytes = value.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let Some(&start_off) = table.get(i) else {
            break;
        };
        let mut j = i + 1;
        while j < bytes.len()
            && table.get(j).copied() == Some(start_off + (j - i) as u32)
            && value.is_char_boundary(j)
        {
            j += 1;
        }
        // Extend to a char boundary.
        while j < bytes.len() && !value.is_char_boundary(j) {
            j += 1;
        }
        let end_off = table.get(j).copied().unwrap_or(start_off + (j - i) as u32);
        let exact = end_off as usize - start_off as usize == j - i;
        let start = s.text.len() as u32;
        s.text.push_str(&value[i..j]);
        s.parts.push(Part {
            start,
            end: s.text.len() as u32,
            origin: Origin::Lit {
                span: Some(Span::new(
                    file,
                    start_off as usize,
                    end_off.max(start_off) as usize,
                )),
                exact,
            },
            hops: Vec::new(),
        });
        i = j;
    }
    s
}

#[cfg(test)]
mod tests;
