//! trustlint's own Terraform syntax tree: what `.tf` (hcl-edit) and `.tf.json` (jsonc-parser) files are
//! lowered into, with every span already tied to its [`FileId`](crate::source::FileId) and every string
//! literal already split into [`Str`] parts whose provenance is exact where the source allows it.

use crate::source::Span;
use crate::value::Str;

/// A block or file body.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    /// The attribute `name` (the last one wins, as Terraform rejects duplicates anyway).
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().rev().find(|a| a.name == name)
    }

    pub fn blocks_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ty == ty)
    }

    pub fn block(&self, ty: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.ty == ty)
    }
}

/// `name = expr`.
#[derive(Clone, Debug)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
    /// The whole attribute (`name = expr`).
    pub span: Span,
}

/// `type "label" … { body }`.
#[derive(Clone, Debug)]
pub struct Block {
    pub ty: String,
    pub labels: Vec<(String, Span)>,
    /// The header: block type and labels (what declarations point at).
    pub header: Span,
    pub body: Body,
}

impl Block {
    pub fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(|(l, _)| l.as_str())
    }
}

/// An expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Null(Span),
    Bool(bool, Span),
    /// A number, as written.
    Number(Str),
    /// A quoted string, heredoc or `.tf.json` string: literal parts and interpolations.
    Template(Box<Template>),
    Array(Vec<Expr>, Span),
    Object(Vec<(Key, Expr)>, Span),
    /// A bare name (`var`, `local`, `aws_iam_role`, a `for` variable).
    Var(String, Span),
    Traversal(Box<Expr>, Vec<TOp>, Span),
    Call(Box<Call>),
    Cond(Box<[Expr; 3]>, Span),
    Unary(UnOp, Box<Expr>, Span),
    Binary(BinOp, Box<[Expr; 2]>, Span),
    For(Box<ForExpr>),
    /// A `.tf.json` expression string that failed to parse (reported when the file is lowered).
    Invalid(String, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Null(s)
            | Expr::Bool(_, s)
            | Expr::Array(_, s)
            | Expr::Object(_, s)
            | Expr::Var(_, s)
            | Expr::Traversal(_, _, s)
            | Expr::Cond(_, s)
            | Expr::Unary(_, _, s)
            | Expr::Binary(_, _, s)
            | Expr::Invalid(_, s) => *s,
            Expr::Number(s) => s.span().unwrap_or_default(),
            Expr::Template(t) => t.span,
            Expr::Call(c) => c.span,
            Expr::For(f) => f.span,
        }
    }

    /// A string literal without interpolations.
    pub fn as_lit_str(&self) -> Option<&Str> {
        match self {
            Expr::Template(t) => match t.parts.as_slice() {
                [TPart::Lit(s)] => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// `a.b.c` as text, for bare traversals of names (used for `depends_on`-like references and module
    /// `source` checks).
    pub fn traversal_path(&self) -> Option<Vec<&str>> {
        match self {
            Expr::Var(n, _) => Some(vec![n.as_str()]),
            Expr::Traversal(head, ops, _) => {
                let mut out = head.traversal_path()?;
                for op in ops {
                    match op {
                        TOp::Attr(a, _) => out.push(a.as_str()),
                        _ => return Some(out),
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }
}

/// A string template.
#[derive(Clone, Debug)]
pub struct Template {
    pub parts: Vec<TPart>,
    /// The whole string (with quotes) or heredoc.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TPart {
    Lit(Str),
    /// `${expr}`; the flags are the `~` strip markers (before, after).
    Interp(Expr, bool, bool),
    If {
        cond: Expr,
        then: Vec<TPart>,
        otherwise: Vec<TPart>,
        span: Span,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        coll: Expr,
        body: Vec<TPart>,
        span: Span,
    },
}

/// An object key.
#[derive(Clone, Debug)]
pub enum Key {
    /// A bare identifier: the key is its text.
    Ident(String, Span),
    Expr(Expr),
}

/// A traversal step.
#[derive(Clone, Debug)]
pub enum TOp {
    Attr(String, Span),
    Index(Expr),
    /// `.*` and `[*]`: the rest of the traversal applies to each element.
    Splat(Span),
}

#[derive(Clone, Debug)]
pub struct Call {
    pub name: String,
    pub args: Vec<Expr>,
    /// `f(args...)`: the last argument is expanded.
    pub expand_final: bool,
    pub span: Span,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    NotEq,
    LessEq,
    GreaterEq,
    Less,
    Greater,
    Plus,
    Minus,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Clone, Debug)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub coll: Expr,
    pub key_expr: Option<Expr>,
    pub value_expr: Expr,
    pub cond: Option<Expr>,
    pub grouping: bool,
    pub span: Span,
}
