//! A fast native-syntax HCL parser that builds trustlint's [`ast`](super::ast) directly from the text.
//!
//! hcl-edit parses through a general combinator framework, keeps every piece of whitespace and comment as
//! decoration and builds a full editable tree that [`Lowerer`] then walks again; on a large scan that is
//! the biggest single cost. This parser reads the same grammar in one pass over the bytes and produces the
//! lowered tree itself.
//!
//! It is an accelerator, not a second definition of the language: hcl-edit stays the reference and the
//! error reporter. [`parse`] answers `None` (declines) for anything it is not certain about — a syntax
//! error, an unusual construct, non-ASCII text where an identifier could be, nesting past a limit — and
//! the caller then runs hcl-edit. Whenever it answers `Some`, the body is the one hcl-edit and the
//! [`Lowerer`] would produce, down to every span and string part (a differential test and a fuzz target
//! hold it to that). That includes hcl-edit's own quirks, mirrored on purpose:
//! - whether newlines may separate the parts of an expression is a flag of each expression, switched on
//!   by a tuple, a function call or a `for` object *as its first term* (so `[1]\n+ 2` is one expression);
//! - a heredoc ends at the first line that is only its delimiter *after* the first line;
//! - literals inside `%{if}`/`%{for}` bodies of quoted strings are not unescaped and may contain `"`;
//! - `<<-` heredocs are dedented using top-level literals only, by hcl-edit's own line rules;
//! - `a-b` is one identifier and `1.e5` is `1` with attribute `e5`.
//!
//! These are hcl-edit 0.10's decisions: when hcl-edit is upgraded, run `tests/hcl_differential.rs` and
//! the `hcl_diff` fuzz target (`fuzz/`) against the new version before trusting this parser again.
//!
//! String literal values are turned into [`Str`]s by [`Lowerer::lit`], the same code the hcl-edit path
//! uses, so escape and heredoc-indent provenance cannot drift between the two.

use super::ast::*;
use super::lower::{LitMode, Lowerer, TKind};
use crate::source::{FileId, Span};
use crate::value::Str;
use foldhash::{HashSet, HashSetExt};
use std::borrow::Cow;
use std::ops::Range;

/// Nesting levels (blocks, sub-expressions, unary operands, template directives) before declining.
/// hcl-edit rejects more than 64; this parser counts at least as many levels on every path, plus one
/// for the attribute value itself, so declining past 60 never accepts what hcl-edit rejects.
const MAX_DEPTH: usize = 60;

/// Binary operators in one attribute value before declining (hcl-edit rejects more than 128 on any
/// path through the expression; the total bounds every path).
const MAX_OPS: usize = 100;

/// Parses a whole `.tf`/tfvars text, or declines.
pub fn parse(file: FileId, src: &str) -> Option<Body> {
    let mut p = P {
        src,
        b: src.as_bytes(),
        pos: 0,
        file,
        lw: Lowerer::new(file, src),
        depth: 0,
        ops: 0,
    };
    let body = p.body()?;
    p.ws()?;
    (p.pos == p.b.len()).then_some(body)
}

/// Per-expression parser state, as hcl-edit keeps it: whether whitespace between terms and operators
/// may contain newlines (and so comments of every kind).
#[derive(Copy, Clone)]
struct St {
    nl: bool,
}

const LINE: St = St { nl: false };
const MULTI: St = St { nl: true };

/// A lowered expression and its outer range (parentheses included, which the lowered tree drops).
type Ex = (Expr, Range<usize>);

/// Where a template literal ends.
#[derive(Copy, Clone)]
enum LitEnd<'s> {
    /// A quoted string: at `"`; backslash escapes are decoded.
    Quoted,
    /// A heredoc body: at a line ending followed by the delimiter line.
    Heredoc(&'s [u8]),
    /// The body of a template directive: only at `${` / `%{`.
    Directive,
}

/// A template element before lowering (heredoc dedent needs all top-level literals first).
enum Elem<'s> {
    Lit(Range<usize>, Cow<'s, str>),
    Interp(Expr, bool, bool),
    If {
        cond: Expr,
        then: Vec<Elem<'s>>,
        otherwise: Vec<Elem<'s>>,
        span: Range<usize>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        coll: Expr,
        body: Vec<Elem<'s>>,
        span: Range<usize>,
    },
}

fn id_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn id_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn prec(op: BinOp) -> u8 {
    match op {
        BinOp::Mul | BinOp::Div | BinOp::Mod => 6,
        BinOp::Plus | BinOp::Minus => 5,
        BinOp::LessEq | BinOp::GreaterEq | BinOp::Less | BinOp::Greater => 4,
        BinOp::Eq | BinOp::NotEq => 3,
        BinOp::And => 2,
        BinOp::Or => 1,
    }
}

struct P<'s> {
    src: &'s str,
    b: &'s [u8],
    pos: usize,
    file: FileId,
    lw: Lowerer<'s>,
    depth: usize,
    ops: usize,
}

impl<'s> P<'s> {
    // ---- bytes -------------------------------------------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(self.pos + k).copied()
    }

    fn starts(&self, s: &[u8]) -> bool {
        self.b.get(self.pos..).is_some_and(|r| r.starts_with(s))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn need(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// At least two characters left (hcl-edit peeks two characters before deciding on an operator).
    fn two_left(&self) -> bool {
        self.b.len().saturating_sub(self.pos) >= 2
    }

    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn text(&self, r: Range<usize>) -> Option<&'s str> {
        self.src.get(r)
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Whether a word ends at `at`: end of input or an ASCII character that cannot continue an
    /// identifier. `None` for non-ASCII (Unicode identifier rules are left to hcl-edit).
    fn word_end(&self, at: usize) -> Option<bool> {
        match self.b.get(at) {
            None => Some(true),
            Some(&c) if c >= 0x80 => None,
            Some(&c) => Some(!id_cont(c)),
        }
    }

    /// An identifier at the cursor (ASCII only).
    fn ident(&mut self) -> Option<Range<usize>> {
        let s = self.pos;
        if !id_start(self.peek()?) {
            return None;
        }
        self.pos += 1;
        while let Some(c) = self.peek() {
            if id_cont(c) {
                self.pos += 1;
            } else if c >= 0x80 {
                return None;
            } else {
                break;
            }
        }
        Some(s..self.pos)
    }

    /// Consumes `\n` or `\r\n`.
    fn line_ending(&mut self) -> Option<()> {
        match (self.peek(), self.at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => return None,
        }
        Some(())
    }

    // ---- whitespace and comments -------------------------------------------------------------------

    fn space0(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// `/* … */` at the cursor.
    fn inline_comment(&mut self) -> Option<()> {
        let rest = self.b.get(self.pos + 2..)?;
        let i = rest.windows(2).position(|w| w == b"*/")?;
        self.pos += 2 + i + 2;
        Some(())
    }

    /// The rest of a `#` / `//` comment, up to (not including) its line ending. A lone `\r` is a
    /// syntax error in hcl-edit.
    fn till_eol(&mut self) -> Option<()> {
        while let Some(c) = self.peek() {
            match c {
                b'\n' => return Some(()),
                b'\r' => return (self.at(1) == Some(b'\n')).then_some(()),
                _ => self.pos += 1,
            }
        }
        Some(())
    }

    /// Spaces, tabs and inline comments (no newline).
    fn sp(&mut self) -> Option<()> {
        loop {
            self.space0();
            if self.starts(b"/*") {
                self.inline_comment()?;
            } else {
                return Some(());
            }
        }
    }

    /// Any whitespace and comments.
    fn ws(&mut self) -> Option<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.pos += 1;
            }
            match (self.peek(), self.at(1)) {
                (Some(b'#'), _) | (Some(b'/'), Some(b'/')) => self.till_eol()?,
                (Some(b'/'), Some(b'*')) => self.inline_comment()?,
                _ => return Some(()),
            }
        }
    }

    fn ws_or_sp(&mut self, st: St) -> Option<()> {
        if st.nl {
            self.ws()
        } else {
            self.sp()
        }
    }

    /// An optional `#`/`//` comment then a line ending, or the end of input.
    fn line_end_or_eof(&mut self) -> Option<()> {
        if matches!(
            (self.peek(), self.at(1)),
            (Some(b'#'), _) | (Some(b'/'), Some(b'/'))
        ) {
            self.till_eol()?;
        }
        if self.peek().is_none() {
            return Some(());
        }
        self.line_ending()
    }

    // ---- structure ---------------------------------------------------------------------------------

    /// Attributes and blocks, each ended by a newline or the end of input. Stops before the whitespace
    /// that precedes whatever is not a structure (the caller consumes it).
    fn body(&mut self) -> Option<Body> {
        let mut out = Body::default();
        // Attribute names seen, once the body is too large for a linear scan.
        let mut seen: Option<HashSet<&'s str>> = None;
        loop {
            let save = self.pos;
            self.ws()?;
            match self.peek() {
                Some(c) if id_start(c) => {}
                Some(c) if c >= 0x80 => return None,
                _ => {
                    self.pos = save;
                    return Some(out);
                }
            }
            let start = self.pos;
            let id = self.ident()?;
            self.sp()?;
            match self.peek()? {
                b'=' => {
                    let name = self.text(id.clone())?;
                    // hcl-edit rejects a body that defines an attribute twice.
                    let dup = match &mut seen {
                        Some(set) => !set.insert(name),
                        None if out.attrs.len() < 16 => out.attrs.iter().any(|a| a.name == name),
                        None => {
                            let mut set: HashSet<&'s str> = HashSet::new();
                            for a in &out.attrs {
                                set.insert(self.text(a.name_span.range())?);
                            }
                            let dup = !set.insert(name);
                            seen = Some(set);
                            dup
                        }
                    };
                    if dup {
                        return None;
                    }
                    if let Some(set) = &mut seen {
                        set.insert(name);
                    }
                    let attr = self.attribute_rest(start, id)?;
                    out.attrs.push(attr);
                }
                c => {
                    let mut labels = Vec::new();
                    if c != b'{' {
                        loop {
                            match self.peek()? {
                                b'"' => {
                                    let ls = self.pos;
                                    let value = self.plain_string()?;
                                    labels.push((value.into_owned(), self.span(ls..self.pos)));
                                }
                                c if id_start(c) => {
                                    let r = self.ident()?;
                                    labels.push((self.text(r.clone())?.to_string(), self.span(r)));
                                }
                                _ => break,
                            }
                            self.sp()?;
                        }
                    }
                    let ident = self.span(id.clone());
                    let header = match labels.last() {
                        Some((_, s)) => ident.join(s),
                        None => ident,
                    };
                    let body = self.block_body()?;
                    out.blocks.push(Block {
                        ty: self.text(id)?.to_string(),
                        labels,
                        header,
                        body,
                    });
                }
            }
            self.sp()?;
            self.line_end_or_eof()?;
        }
    }

    /// `= expr` after an attribute name (and the spaces after it).
    fn attribute_rest(&mut self, start: usize, id: Range<usize>) -> Option<Attr> {
        self.need(b'=')?;
        self.sp()?;
        self.ops = 0;
        let (expr, outer) = self.expr(LINE)?;
        Some(Attr {
            name: self.text(id.clone())?.to_string(),
            name_span: self.span(id),
            expr,
            span: self.span(start..outer.end),
        })
    }

    /// `{ … }`: a multi-line body, or one line with at most one attribute.
    fn block_body(&mut self) -> Option<Body> {
        self.need(b'{')?;
        self.enter()?;
        let save = self.pos;
        self.sp()?;
        if matches!(
            (self.peek(), self.at(1)),
            (Some(b'#'), _) | (Some(b'/'), Some(b'/'))
        ) {
            self.till_eol()?;
        }
        let body = if self.line_ending().is_some() {
            let body = self.body()?;
            self.ws()?;
            body
        } else {
            self.pos = save;
            self.sp()?;
            let mut body = Body::default();
            match self.peek() {
                Some(c) if id_start(c) => {
                    let start = self.pos;
                    let id = self.ident()?;
                    self.sp()?;
                    body.attrs.push(self.attribute_rest(start, id)?);
                    self.sp()?;
                }
                Some(c) if c >= 0x80 => return None,
                _ => {}
            }
            body
        };
        self.need(b'}')?;
        self.leave();
        Some(body)
    }

    // ---- expressions -------------------------------------------------------------------------------

    /// A nested expression with its own state (a copy of `st`).
    fn expr(&mut self, st: St) -> Option<Ex> {
        self.enter()?;
        let mut st = st;
        let r = self.expr_inner(&mut st)?;
        self.leave();
        Some(r)
    }

    fn expr_inner(&mut self, st: &mut St) -> Option<Ex> {
        let start = self.pos;
        let mut cur = self.term(st)?;
        loop {
            let save = self.pos;
            self.ws_or_sp(*st)?;
            let (b0, b1) = (self.peek(), self.at(1));
            if self.two_left() && b0 == Some(b'?') {
                return self.conditional(st, start, cur);
            }
            let binary = match b0 {
                Some(b'/') => !matches!(b1, Some(b'/' | b'*')),
                Some(b'=') => b1 == Some(b'='),
                Some(b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'%' | b'&' | b'|') => true,
                _ => false,
            };
            self.pos = save;
            if self.two_left() && binary {
                cur = self.binary_ops(st, cur)?;
                continue;
            }
            return Some(cur);
        }
    }

    fn conditional(&mut self, st: &mut St, start: usize, cond: Ex) -> Option<Ex> {
        self.need(b'?')?;
        self.ws_or_sp(*st)?;
        let (t, _) = self.expr(*st)?;
        self.ws_or_sp(*st)?;
        self.need(b':')?;
        self.ws_or_sp(*st)?;
        let (f, fo) = self.expr(*st)?;
        let r = start..fo.end;
        Some((
            Expr::Cond(Box::new([cond.0, t, f]), self.span(r.clone())),
            r,
        ))
    }

    fn binary_operator(&mut self) -> Option<BinOp> {
        let b1 = self.at(1);
        let (op, len) = match self.peek()? {
            b'=' if b1 == Some(b'=') => (BinOp::Eq, 2),
            b'!' if b1 == Some(b'=') => (BinOp::NotEq, 2),
            b'<' if b1 == Some(b'=') => (BinOp::LessEq, 2),
            b'<' => (BinOp::Less, 1),
            b'>' if b1 == Some(b'=') => (BinOp::GreaterEq, 2),
            b'>' => (BinOp::Greater, 1),
            b'+' => (BinOp::Plus, 1),
            b'-' => (BinOp::Minus, 1),
            b'*' => (BinOp::Mul, 1),
            b'/' if !matches!(b1, Some(b'/' | b'*')) => (BinOp::Div, 1),
            b'%' => (BinOp::Mod, 1),
            b'&' if b1 == Some(b'&') => (BinOp::And, 2),
            b'|' if b1 == Some(b'|') => (BinOp::Or, 2),
            _ => return None,
        };
        self.pos += len;
        Some(op)
    }

    /// A chain of binary operators after the first operand, resolved by precedence (all left
    /// associative); each node spans its leftmost to its rightmost operand.
    fn binary_ops(&mut self, st: &mut St, first: Ex) -> Option<Ex> {
        let mut operands: Vec<Ex> = vec![first];
        let mut opers: Vec<BinOp> = Vec::new();
        let mut n = 0usize;
        loop {
            let save = self.pos;
            self.ws_or_sp(*st)?;
            let Some(op) = self.binary_operator() else {
                if n == 0 {
                    return None;
                }
                self.pos = save;
                break;
            };
            self.ws_or_sp(*st)?;
            let mut operand_st = *st;
            let rhs = self.term(&mut operand_st)?;
            n += 1;
            self.ops += 1;
            if self.ops > MAX_OPS {
                return None;
            }
            while opers.last().is_some_and(|&top| prec(top) >= prec(op)) {
                self.reduce(&mut operands, &mut opers)?;
            }
            opers.push(op);
            operands.push(rhs);
        }
        while !opers.is_empty() {
            self.reduce(&mut operands, &mut opers)?;
        }
        operands.pop()
    }

    fn reduce(&self, operands: &mut Vec<Ex>, opers: &mut Vec<BinOp>) -> Option<()> {
        let op = opers.pop()?;
        let (r, ro) = operands.pop()?;
        let (l, lo) = operands.pop()?;
        let range = lo.start..ro.end;
        operands.push((
            Expr::Binary(op, Box::new([l, r]), self.span(range.clone())),
            range,
        ));
        Some(())
    }

    /// One term and the traversal that follows it. Tuples, function calls and `for` objects switch
    /// `st` to allow newlines (hcl-edit does so for the rest of the expression).
    fn term(&mut self, st: &mut St) -> Option<Ex> {
        let start = self.pos;
        let e = match self.peek()? {
            b'"' => self.quoted()?,
            b'[' => {
                st.nl = true;
                self.array(*st)?
            }
            b'{' => self.object(st)?,
            b'0'..=b'9' => {
                let end = self.number()?;
                self.number_expr(start..end)?
            }
            b'<' => self.heredoc()?,
            b'-' => match self.neg_number()? {
                Some(e) => e,
                None => self.unary(st, UnOp::Neg)?,
            },
            b'!' => self.unary(st, UnOp::Not)?,
            b'(' => self.paren()?,
            c if id_start(c) => self.identlike(st)?,
            _ => return None,
        };
        let save = self.pos;
        self.ws_or_sp(*st)?;
        if self.two_left() && matches!(self.peek(), Some(b'.' | b'[')) && !self.starts(b"..") {
            return self.traversal(st, start, e);
        }
        self.pos = save;
        Some(e)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// An exponent after `e`/`E`: digits are required.
    fn exponent(&mut self) -> Option<()> {
        self.pos += 1;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.pos += 1;
        }
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return None;
        }
        self.digits();
        Some(())
    }

    /// A number's end; hcl-edit's number must be a finite float or any digit string that fits one.
    fn number(&mut self) -> Option<usize> {
        let s = self.pos;
        self.digits();
        let mut float = false;
        if self.peek() == Some(b'.') && matches!(self.at(1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
            float = true;
            if matches!(self.peek(), Some(b'e' | b'E')) {
                self.exponent()?;
            }
        } else if matches!(self.peek(), Some(b'e' | b'E')) {
            self.exponent()?;
            float = true;
        }
        let text = self.text(s..self.pos)?;
        if float || text.parse::<u64>().is_err() {
            let v: f64 = text.parse().ok()?;
            if !v.is_finite() {
                return None;
            }
        }
        Some(self.pos)
    }

    fn number_expr(&self, r: Range<usize>) -> Option<Ex> {
        let text = self.text(r.clone())?;
        Some((Expr::Number(Str::lit(text, Some(self.span(r.clone())))), r))
    }

    /// `-` then a number (with spaces or inline comments between): one negative number literal.
    /// `Some(None)` when no number follows (a unary minus).
    fn neg_number(&mut self) -> Option<Option<Ex>> {
        let start = self.pos;
        self.pos += 1;
        self.sp()?;
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            let end = self.number()?;
            return Some(Some(self.number_expr(start..end)?));
        }
        self.pos = start;
        Some(None)
    }

    /// `-x` / `!x`: the operand is one term (with its traversal), not a binary expression.
    fn unary(&mut self, st: &mut St, op: UnOp) -> Option<Ex> {
        let start = self.pos;
        self.pos += 1;
        self.sp()?;
        self.enter()?;
        let mut operand_st = *st;
        let (x, xo) = self.term(&mut operand_st)?;
        self.leave();
        let r = start..xo.end;
        Some((Expr::Unary(op, Box::new(x), self.span(r.clone())), r))
    }

    fn paren(&mut self) -> Option<Ex> {
        let start = self.pos;
        self.pos += 1;
        self.ws()?;
        let (x, _) = self.expr(MULTI)?;
        self.ws()?;
        self.need(b')')?;
        Some((x, start..self.pos))
    }

    /// A name: keyword, variable or function call (`f(…)`, `provider::p::f(…)`).
    fn identlike(&mut self, st: &mut St) -> Option<Ex> {
        let id = self.ident()?;
        let save = self.pos;
        self.ws_or_sp(*st)?;
        if !(self.two_left() && (self.starts(b"::") || self.peek() == Some(b'('))) {
            self.pos = save;
            let name = self.text(id.clone())?;
            let s = self.span(id.clone());
            let e = match name {
                "null" => Expr::Null(s),
                "true" => Expr::Bool(true, s),
                "false" => Expr::Bool(false, s),
                _ => Expr::Var(name.to_string(), s),
            };
            return Some((e, id));
        }
        let mut name = self.text(id.clone())?.to_string();
        while self.starts(b"::") {
            self.pos += 2;
            self.ws_or_sp(*st)?;
            let r = self.ident()?;
            name.push_str("::");
            name.push_str(self.text(r)?);
            self.ws_or_sp(*st)?;
        }
        st.nl = true;
        self.need(b'(')?;
        let can_start = |p: &Self| matches!(p.peek(), Some(c) if !matches!(c, b',' | b'.' | b')'));
        let mut args = Vec::new();
        let mut expand_final = false;
        let save = self.pos;
        self.ws()?;
        if can_start(self) {
            args.push(self.expr(*st)?.0);
            self.ws()?;
            while self.peek() == Some(b',') {
                let before = self.pos;
                self.pos += 1;
                self.ws()?;
                if !can_start(self) {
                    self.pos = before;
                    break;
                }
                args.push(self.expr(*st)?.0);
                self.ws()?;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'.') => {
                    if !self.starts(b"...") {
                        return None;
                    }
                    self.pos += 3;
                    expand_final = true;
                }
                _ => {}
            }
        } else {
            self.pos = save;
        }
        self.ws()?;
        self.need(b')')?;
        let r = id.start..self.pos;
        Some((
            Expr::Call(Box::new(Call {
                name,
                args,
                expand_final,
                span: self.span(r.clone()),
            })),
            r,
        ))
    }

    /// `.attr`, `.0`, `.*`, `[expr]`, `[*]` after a term.
    fn traversal(&mut self, st: &mut St, start: usize, head: Ex) -> Option<Ex> {
        let mut ops = Vec::new();
        loop {
            let save = self.pos;
            self.ws_or_sp(*st)?;
            if self.starts(b"..") {
                self.pos = save;
                break;
            }
            let os = self.pos;
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    self.ws()?;
                    match self.peek()? {
                        b'*' => {
                            self.pos += 1;
                            ops.push(TOp::Splat(self.span(os..self.pos)));
                        }
                        b'0'..=b'9' => {
                            // An unsigned integer without leading zeros (`.00` is `.0` then junk).
                            let ds = self.pos;
                            if self.eat(b'0') {
                            } else {
                                self.digits();
                            }
                            let n: u64 = self.text(ds..self.pos)?.parse().ok()?;
                            let s = self.span(ds..self.pos);
                            ops.push(TOp::Index(Expr::Number(Str::lit(n.to_string(), Some(s)))));
                        }
                        _ => {
                            let r = self.ident()?;
                            let name = self.text(r)?.to_string();
                            ops.push(TOp::Attr(name, self.span(os..self.pos)));
                        }
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.ws()?;
                    if self.eat(b'*') {
                        self.ws()?;
                        self.need(b']')?;
                        ops.push(TOp::Splat(self.span(os..self.pos)));
                    } else {
                        let (x, _) = self.expr(MULTI)?;
                        self.ws()?;
                        self.need(b']')?;
                        ops.push(TOp::Index(x));
                    }
                }
                _ => {
                    self.pos = save;
                    break;
                }
            }
        }
        let r = start..self.pos;
        Some((
            Expr::Traversal(Box::new(head.0), ops, self.span(r.clone())),
            r,
        ))
    }

    /// Whether `for` (followed by a space, tab, newline or comment) comes next, after whitespace.
    fn for_ahead(&mut self) -> bool {
        let save = self.pos;
        let ok = self.ws().is_some()
            && self.starts(b"for")
            && matches!(self.at(3), Some(b' ' | b'\t' | b'#' | b'/' | b'\n'));
        self.pos = save;
        ok
    }

    /// `for k, v in coll :` (after [`for_ahead`](Self::for_ahead)).
    fn for_intro(&mut self) -> Option<(Option<String>, String, Expr)> {
        self.ws()?;
        self.pos += 3;
        self.ws()?;
        let binding = self.for_binding()?;
        self.ws()?;
        self.need(b':')?;
        Some(binding)
    }

    /// `k, v in coll` or `v in coll`, in a `for` expression or a `%{for}` directive: the key and value
    /// variables and the collection.
    fn for_binding(&mut self) -> Option<(Option<String>, String, Expr)> {
        let a = self.ident()?;
        self.ws()?;
        let mut b = None;
        if self.eat(b',') {
            self.ws()?;
            b = Some(self.ident()?);
            self.ws()?;
        }
        if !self.starts(b"in") || !self.word_end(self.pos + 2)? {
            return None;
        }
        self.pos += 2;
        self.ws()?;
        let (coll, _) = self.expr(LINE)?;
        let a = self.text(a)?.to_string();
        Some(match b {
            Some(v) => (Some(a), self.text(v)?.to_string(), coll),
            None => (None, a, coll),
        })
    }

    /// An optional `if cond` of a `for` expression.
    fn for_cond(&mut self, st: St) -> Option<Option<Expr>> {
        let save = self.pos;
        self.ws()?;
        if self.starts(b"if") {
            if !self.word_end(self.pos + 2)? {
                return None;
            }
            self.pos += 2;
            self.ws()?;
            let (c, _) = self.expr(st)?;
            self.ws()?;
            return Some(Some(c));
        }
        self.pos = save;
        Some(None)
    }

    fn array(&mut self, st: St) -> Option<Ex> {
        let start = self.pos;
        self.pos += 1;
        if self.for_ahead() {
            let (key_var, value_var, coll) = self.for_intro()?;
            self.ws()?;
            let (value_expr, _) = self.expr(st)?;
            self.ws()?;
            let cond = self.for_cond(st)?;
            self.need(b']')?;
            let r = start..self.pos;
            return Some((
                Expr::For(Box::new(ForExpr {
                    key_var,
                    value_var,
                    coll,
                    key_expr: None,
                    value_expr,
                    cond,
                    grouping: false,
                    span: self.span(r.clone()),
                })),
                r,
            ));
        }
        let mut items = Vec::new();
        let save = self.pos;
        self.ws()?;
        if self.peek() == Some(b']') {
            self.pos = save;
        } else {
            items.push(self.expr(st)?.0);
            self.ws()?;
            while self.peek() == Some(b',') {
                let before = self.pos;
                self.pos += 1;
                self.ws()?;
                if self.peek() == Some(b']') {
                    self.pos = before;
                    break;
                }
                items.push(self.expr(st)?.0);
                self.ws()?;
            }
        }
        self.eat(b',');
        self.ws()?;
        self.need(b']')?;
        let r = start..self.pos;
        Some((Expr::Array(items, self.span(r.clone())), r))
    }

    fn object(&mut self, st: &mut St) -> Option<Ex> {
        let start = self.pos;
        self.pos += 1;
        if self.for_ahead() {
            st.nl = true;
            let (key_var, value_var, coll) = self.for_intro()?;
            self.ws()?;
            let (key_expr, _) = self.expr(LINE)?;
            self.ws()?;
            if !self.starts(b"=>") {
                return None;
            }
            self.pos += 2;
            self.ws()?;
            let (value_expr, _) = self.expr(LINE)?;
            self.ws()?;
            let grouping = self.starts(b"...");
            if grouping {
                self.pos += 3;
                self.ws()?;
            }
            let cond = self.for_cond(*st)?;
            self.need(b'}')?;
            let r = start..self.pos;
            return Some((
                Expr::For(Box::new(ForExpr {
                    key_var,
                    value_var,
                    coll,
                    key_expr: Some(key_expr),
                    value_expr,
                    cond,
                    grouping,
                    span: self.span(r.clone()),
                })),
                r,
            ));
        }
        let mut items: Vec<(Key, Expr)> = Vec::new();
        let mut keys = KeySet::default();
        loop {
            self.ws()?;
            if self.eat(b'}') {
                break;
            }
            let (k, ko) = self.expr(LINE)?;
            self.sp()?;
            // A bare name is an identifier key; a parenthesised one stays an expression.
            let key = match k {
                Expr::Var(name, s) if s.range() == ko => Key::Ident(name, s),
                k => Key::Expr(k),
            };
            // hcl-edit rejects an object that repeats a key.
            if keys.may_repeat(&items, &key) {
                return None;
            }
            match self.peek()? {
                b'=' | b':' => self.pos += 1,
                _ => return None,
            }
            self.sp()?;
            let (v, _) = self.expr(LINE)?;
            self.sp()?;
            items.push((key, v));
            match (self.peek()?, self.at(1)) {
                (b'}', _) => {
                    self.pos += 1;
                    break;
                }
                (b',', _) => self.pos += 1,
                (b'\n' | b'\r', _) => self.line_ending()?,
                (b'#', _) | (b'/', Some(b'/')) => {
                    self.till_eol()?;
                    self.line_ending()?;
                }
                _ => return None,
            }
        }
        let r = start..self.pos;
        Some((Expr::Object(items, self.span(r.clone())), r))
    }

    // ---- strings and templates ---------------------------------------------------------------------

    /// A quoted string without interpolations or directives (a block label); declines otherwise.
    fn plain_string(&mut self) -> Option<Cow<'s, str>> {
        self.need(b'"')?;
        let (_, value) = self
            .literal(LitEnd::Quoted)?
            .unwrap_or((0..0, Cow::Borrowed("")));
        self.need(b'"')?;
        Some(value)
    }

    fn quoted(&mut self) -> Option<Ex> {
        let start = self.pos;
        self.pos += 1;
        let lit = self.literal(LitEnd::Quoted)?;
        if self.eat(b'"') {
            let r = start..self.pos;
            let value = lit.map(|(_, v)| v).unwrap_or(Cow::Borrowed(""));
            let s = self.lw.lit(start + 1..r.end - 1, &value, LitMode::Quoted);
            return Some((
                Expr::Template(Box::new(Template {
                    parts: vec![TPart::Lit(s)],
                    span: self.span(r.clone()),
                })),
                r,
            ));
        }
        self.pos = start + 1;
        let elems = self.elements(LitEnd::Quoted)?;
        self.need(b'"')?;
        let r = start..self.pos;
        let parts = self.lower_elems(elems, TKind::Quoted, &mut false);
        Some((
            Expr::Template(Box::new(Template {
                parts,
                span: self.span(r.clone()),
            })),
            r,
        ))
    }

    /// One literal element at the cursor: its raw range and value (`None` when empty).
    fn literal(&mut self, end: LitEnd<'s>) -> Option<Option<(Range<usize>, Cow<'s, str>)>> {
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut run = start;
        while let Some(c) = self.peek() {
            let i = self.pos;
            let unescaped: Option<(&str, usize)> = match c {
                b'$' | b'%' if self.at(1) == Some(c) && self.at(2) == Some(b'{') => {
                    Some((if c == b'$' { "${" } else { "%{" }, 3))
                }
                b'$' | b'%' if self.at(1) == Some(b'{') => break,
                b'"' if matches!(end, LitEnd::Quoted) => break,
                b'\\' if matches!(end, LitEnd::Quoted) => {
                    let (ch, len) = self.escape()?;
                    let mut buf = [0u8; 4];
                    let s: &str = ch.encode_utf8(&mut buf);
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(self.text(run..i)?);
                    o.push_str(s);
                    self.pos = i + len;
                    run = self.pos;
                    continue;
                }
                b'\n' | b'\r' => {
                    if let LitEnd::Heredoc(delim) = end {
                        if self.heredoc_end_at(i, delim)? {
                            break;
                        }
                    }
                    None
                }
                _ => None,
            };
            match unescaped {
                Some((s, len)) => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(self.text(run..i)?);
                    o.push_str(s);
                    self.pos = i + len;
                    run = self.pos;
                }
                None => self.pos += 1,
            }
        }
        if self.pos == start {
            return Some(None);
        }
        let rest = self.text(run..self.pos)?;
        let value = match owned {
            Some(mut o) => {
                o.push_str(rest);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(rest),
        };
        Some(Some((start..self.pos, value)))
    }

    /// A backslash escape at the cursor: the character and the escape's length.
    fn escape(&self) -> Option<(char, usize)> {
        let hex = |n: usize| -> Option<char> {
            let h = self.b.get(self.pos + 2..self.pos + 2 + n)?;
            if !h.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let v = u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()?;
            char::from_u32(v)
        };
        Some(match self.at(1)? {
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'\\' => ('\\', 2),
            b'"' => ('"', 2),
            b'u' => (hex(4)?, 6),
            b'U' => (hex(8)?, 10),
            _ => return None,
        })
    }

    /// Whether a heredoc ends at `i` (a line ending, spaces, the delimiter, then no identifier
    /// character).
    fn heredoc_end_at(&self, i: usize, delim: &[u8]) -> Option<bool> {
        let mut j = match (self.b.get(i), self.b.get(i + 1)) {
            (Some(b'\n'), _) => i + 1,
            (Some(b'\r'), Some(b'\n')) => i + 2,
            _ => return Some(false),
        };
        while matches!(self.b.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if !self.b.get(j..).is_some_and(|r| r.starts_with(delim)) {
            return Some(false);
        }
        self.word_end(j + delim.len())
    }

    /// Template elements up to whatever ends them (the caller checks what that is).
    fn elements(&mut self, end: LitEnd<'s>) -> Option<Vec<Elem<'s>>> {
        let mut out = Vec::new();
        loop {
            if let Some((r, v)) = self.literal(end)? {
                out.push(Elem::Lit(r, v));
                continue;
            }
            if self.starts(b"${") {
                self.pos += 2;
                let before = self.eat(b'~');
                self.ws()?;
                let (x, _) = self.expr(MULTI)?;
                self.ws()?;
                let after = self.eat(b'~');
                self.need(b'}')?;
                out.push(Elem::Interp(x, before, after));
                continue;
            }
            if self.starts(b"%{") {
                if let Some(d) = self.directive()? {
                    out.push(d);
                    continue;
                }
            }
            return Some(out);
        }
    }

    /// `%{` then optional `~` and whitespace, then `kw`; on a mismatch the cursor is restored.
    fn control_kw(&mut self, kw: &[u8]) -> Option<bool> {
        let save = self.pos;
        if !self.starts(b"%{") {
            return Some(false);
        }
        self.pos += 2;
        self.eat(b'~');
        self.ws()?;
        if self.starts(kw) {
            self.pos += kw.len();
            return Some(true);
        }
        self.pos = save;
        Some(false)
    }

    /// Optional whitespace, `~` and the closing `}` of a template directive.
    fn control_close(&mut self) -> Option<()> {
        self.ws()?;
        self.eat(b'~');
        self.need(b'}')
    }

    /// `%{if …}…%{else}…%{endif}` or `%{for …}…%{endfor}`; `Some(None)` when `%{` starts neither.
    fn directive(&mut self) -> Option<Option<Elem<'s>>> {
        let dstart = self.pos;
        if self.control_kw(b"if")? {
            if !self.word_end(self.pos)? {
                return None;
            }
            self.ws()?;
            let (cond, _) = self.expr(LINE)?;
            let then = self.directive_body()?;
            let mut otherwise = Vec::new();
            if self.control_kw(b"else")? {
                otherwise = self.directive_body()?;
            }
            self.directive_end(b"endif")?;
            return Some(Some(Elem::If {
                cond,
                then,
                otherwise,
                span: dstart..self.pos,
            }));
        }
        if self.control_kw(b"for")? {
            if !self.word_end(self.pos)? {
                return None;
            }
            self.ws()?;
            let (key_var, value_var, coll) = self.for_binding()?;
            let body = self.directive_body()?;
            self.directive_end(b"endfor")?;
            return Some(Some(Elem::For {
                key_var,
                value_var,
                coll,
                body,
                span: dstart..self.pos,
            }));
        }
        Some(None)
    }

    /// The `}` closing a directive's opening tag, then the template elements up to the next tag.
    fn directive_body(&mut self) -> Option<Vec<Elem<'s>>> {
        self.control_close()?;
        self.enter()?;
        let body = self.elements(LitEnd::Directive)?;
        self.leave();
        Some(body)
    }

    /// `%{endif}` / `%{endfor}` (after the elements), or decline.
    fn directive_end(&mut self, kw: &[u8]) -> Option<()> {
        if !self.control_kw(kw)? {
            return None;
        }
        self.control_close()
    }

    fn heredoc(&mut self) -> Option<Ex> {
        let start = self.pos;
        if !self.starts(b"<<") {
            return None;
        }
        self.pos += 2;
        let indented = self.eat(b'-');
        let d = self.ident()?;
        let delim: &'s [u8] = self.b.get(d)?;
        self.line_ending()?;
        let mut elems = self.elements(LitEnd::Heredoc(delim))?;
        // The body ends at a line ending that belongs to its last literal.
        let le = self.pos;
        self.line_ending()?;
        let nl = self.text(le..self.pos)?;
        match elems.last_mut() {
            Some(Elem::Lit(r, v)) => {
                r.end = self.pos;
                v.to_mut().push_str(nl);
            }
            _ => elems.push(Elem::Lit(le..self.pos, Cow::Borrowed(nl))),
        }
        self.space0();
        if !self.starts(delim) {
            return None;
        }
        self.pos += delim.len();
        if !self.word_end(self.pos)? {
            return None;
        }
        let indent = if indented { dedent(&mut elems) } else { None };
        let parts = self.lower_elems(elems, TKind::Heredoc(indent), &mut false);
        let r = start..self.pos;
        Some((
            Expr::Template(Box::new(Template {
                parts,
                span: self.span(r.clone()),
            })),
            r,
        ))
    }

    /// Template elements → parts, exactly as [`Lowerer`] walks hcl-edit's template (a heredoc literal
    /// after an interpolation or directive continues its line and keeps its indentation).
    fn lower_elems(&self, elems: Vec<Elem<'s>>, kind: TKind, skip_first: &mut bool) -> Vec<TPart> {
        let mut out = Vec::with_capacity(elems.len());
        for el in elems {
            match el {
                Elem::Lit(raw, value) => {
                    let mode = match kind {
                        TKind::Quoted => LitMode::Quoted,
                        TKind::Plain => LitMode::Plain,
                        TKind::Heredoc(indent) => LitMode::Heredoc {
                            indent,
                            skip_first: *skip_first,
                        },
                    };
                    out.push(TPart::Lit(self.lw.lit(raw, &value, mode)));
                    *skip_first = !value.ends_with('\n');
                }
                Elem::Interp(x, before, after) => {
                    out.push(TPart::Interp(x, before, after));
                    *skip_first = true;
                }
                Elem::If {
                    cond,
                    then,
                    otherwise,
                    span,
                } => {
                    let then = self.lower_elems(then, kind, skip_first);
                    let otherwise = self.lower_elems(otherwise, kind, skip_first);
                    out.push(TPart::If {
                        cond,
                        then,
                        otherwise,
                        span: self.span(span),
                    });
                    *skip_first = true;
                }
                Elem::For {
                    key_var,
                    value_var,
                    coll,
                    body,
                    span,
                } => {
                    let body = self.lower_elems(body, kind, skip_first);
                    out.push(TPart::For {
                        key_var,
                        value_var,
                        coll,
                        body,
                        span: self.span(span),
                    });
                    *skip_first = true;
                }
            }
        }
        out
    }
}

// ---- heredoc dedent, as hcl-edit does it ------------------------------------------------------------

/// Dedents the top-level literals of a `<<-` heredoc the way hcl-edit's `Template::dedent` does and
/// returns the indent removed (`None`: nothing removed). Literals inside directives are left alone.
fn dedent(elems: &mut [Elem<'_>]) -> Option<usize> {
    let mut indent: Option<usize> = None;
    let mut skip_first = false;
    for el in elems.iter() {
        if let Elem::Lit(_, v) = el {
            if let Some(n) = min_leading_whitespace(v, skip_first) {
                indent = Some(indent.map_or(n, |i| i.min(n)));
            }
            skip_first = !v.ends_with('\n');
        } else if !skip_first {
            // A directive or interpolation at a line start: nothing can be stripped.
            return None;
        }
    }
    let n = indent?;
    skip_first = false;
    for el in elems.iter_mut() {
        if let Elem::Lit(_, v) = el {
            *v = Cow::Owned(dedent_by(v, n, skip_first));
            skip_first = !v.ends_with('\n');
        } else if !skip_first {
            skip_first = true;
        }
    }
    Some(n)
}

fn dedent_by(s: &str, n: usize, skip_first: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.lines().enumerate() {
        if i == 0 && skip_first {
            out.push_str(line);
        } else if !line.is_empty() {
            out.extend(line.chars().skip(n));
        }
        out.push('\n');
    }
    if out.ends_with('\n') && !s.ends_with('\n') {
        out.pop();
    }
    out
}

fn min_leading_whitespace(s: &str, skip_first: bool) -> Option<usize> {
    if s.is_empty() {
        return None;
    }
    let mut leading: Option<usize> = None;
    for (i, line) in s.lines().enumerate() {
        if (i == 0 && skip_first) || line.is_empty() {
            continue;
        }
        let n = line.chars().take_while(|c| c.is_whitespace()).count();
        if n == 0 {
            return None;
        }
        leading = Some(leading.map_or(n, |l| l.min(n)));
    }
    leading
}

// ---- duplicate object keys ---------------------------------------------------------------------------

/// Object keys seen so far, to decline objects hcl-edit would reject for a repeated key. Keys compare
/// as hcl-edit compares them (by value, numbers numerically), except that anything that might be equal
/// counts as equal.
#[derive(Default)]
struct KeySet {
    /// Names and single-literal strings, once the object is too large for a linear scan.
    simple: Option<HashSet<(bool, String)>>,
}

/// A key that is a name or a string without interpolations: (is a string, text).
fn simple_key(k: &Key) -> Option<(bool, &str)> {
    match k {
        Key::Ident(n, _) => Some((false, n)),
        Key::Expr(Expr::Template(t)) => match t.parts.as_slice() {
            [TPart::Lit(s)] => Some((true, &s.text)),
            _ => None,
        },
        Key::Expr(_) => None,
    }
}

impl KeySet {
    fn may_repeat(&mut self, items: &[(Key, Expr)], key: &Key) -> bool {
        let Some(sk) = simple_key(key) else {
            return items.iter().any(|(k, _)| match (k, key) {
                (Key::Expr(a), Key::Expr(b)) => may_equal(a, b),
                _ => false,
            });
        };
        if self.simple.is_none() && items.len() >= 16 {
            self.simple = Some(
                items
                    .iter()
                    .filter_map(|(k, _)| simple_key(k))
                    .map(|(q, t)| (q, t.to_string()))
                    .collect(),
            );
        }
        match &mut self.simple {
            Some(set) => !set.insert((sk.0, sk.1.to_string())),
            None => items
                .iter()
                .any(|(k, _)| simple_key(k).is_some_and(|o| o == sk)),
        }
    }
}

/// Whether hcl-edit might consider two key expressions equal (`false` only when they certainly differ).
fn may_equal(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Null(_), Expr::Null(_)) => true,
        (Expr::Bool(x, _), Expr::Bool(y, _)) => x == y,
        (Expr::Number(x), Expr::Number(y)) => {
            match (x.text.parse::<f64>(), y.text.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => true,
            }
        }
        (Expr::Template(x), Expr::Template(y)) => {
            x.parts.len() == y.parts.len()
                && x.parts.iter().zip(&y.parts).all(|(p, q)| match (p, q) {
                    (TPart::Lit(s), TPart::Lit(t)) => s.text == t.text,
                    (TPart::Interp(e, a1, b1), TPart::Interp(f, a2, b2)) => {
                        a1 == a2 && b1 == b2 && may_equal(e, f)
                    }
                    (TPart::Lit(_), _) | (_, TPart::Lit(_)) => false,
                    (TPart::Interp(..), _) | (_, TPart::Interp(..)) => false,
                    _ => true,
                })
        }
        (Expr::Var(x, _), Expr::Var(y, _)) => x == y,
        (Expr::Traversal(h1, o1, _), Expr::Traversal(h2, o2, _)) => {
            o1.len() == o2.len()
                && may_equal(h1, h2)
                && o1.iter().zip(o2).all(|(p, q)| match (p, q) {
                    (TOp::Attr(x, _), TOp::Attr(y, _)) => x == y,
                    (TOp::Index(x), TOp::Index(y)) => may_equal(x, y),
                    (TOp::Splat(_), TOp::Splat(_)) => true,
                    _ => false,
                })
        }
        (Expr::Call(x), Expr::Call(y)) => {
            // hcl-edit's argument equality ignores `...`.
            x.name == y.name
                && x.args.len() == y.args.len()
                && x.args.iter().zip(&y.args).all(|(p, q)| may_equal(p, q))
        }
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

#[cfg(test)]
mod tests;
