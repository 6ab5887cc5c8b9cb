//! Values that front ends produce and the policy model reads (SPEC §1.1, §1.2).
//!
//! A value is **known** (literal text), **symbolic** (its meaning is known without its text: this account,
//! a scanned role's ARN, the partition), **branching** (several possibilities, each under a [`Guard`]) or
//! **unknown** (with the expression and the reason). Strings carry **provenance**: a [`Str`] is text plus
//! [`Part`]s, each part covering a byte range of the text and saying where it came from, so a rule can ask
//! where the account part of an ARN was written and get the tfvars line.

use crate::source::Span;
use std::fmt;

/// Placeholder character standing in `Str::text` for one symbolic part.
pub const SYM_CHAR: char = '\u{E000}';
/// Placeholder character standing in `Str::text` for one unknown part.
pub const UNKNOWN_CHAR: char = '\u{E001}';

/// Something whose meaning is known although its text is not (SPEC §1.1 "symbolic").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    /// The account the template is deployed to (`data.aws_caller_identity.*.account_id`, `AWS::AccountId`).
    ThisAccount,
    /// The partition (`data.aws_partition.*.partition`, `AWS::Partition`).
    Partition,
    /// The region (`data.aws_region.*.name`, `AWS::Region`).
    Region,
    /// `AWS::URLSuffix`, `data.aws_partition.*.dns_suffix`.
    UrlSuffix,
    /// `AWS::StackName`, `AWS::StackId` and similar deploy-time identifiers.
    Deployment(String),
    /// The ARN of a scanned role; the string is the role's [`crate::model::Role::key`].
    RoleArn(String),
    /// The name of a scanned role.
    RoleName(String),
    /// The unique ID (`AROA…`) of a scanned role.
    RoleUniqueId(String),
    /// The ARN of a scanned user ([`crate::model::User::key`]).
    UserArn(String),
    /// The name of a scanned user.
    UserName(String),
    /// The ARN of a scanned group.
    GroupArn(String),
    /// The ARN of a scanned customer managed policy.
    PolicyArn(String),
    /// Another attribute of a resource that exists in the scanned configuration but whose value is only
    /// known after deploy (`aws_iam_openid_connect_provider.eks.arn`, `!GetAtt Bucket.Arn`).
    Attr { resource: String, attr: String },
}

impl Sym {
    /// How the symbol reads in messages.
    pub fn describe(&self) -> String {
        match self {
            Sym::ThisAccount => "this account".into(),
            Sym::Partition => "the partition".into(),
            Sym::Region => "the region".into(),
            Sym::UrlSuffix => "the URL suffix".into(),
            Sym::Deployment(s) => s.clone(),
            Sym::RoleArn(k) => format!("the ARN of role {}", short_key(k)),
            Sym::RoleName(k) => format!("the name of role {}", short_key(k)),
            Sym::RoleUniqueId(k) => format!("the unique ID of role {}", short_key(k)),
            Sym::UserArn(k) => format!("the ARN of user {}", short_key(k)),
            Sym::UserName(k) => format!("the name of user {}", short_key(k)),
            Sym::GroupArn(k) => format!("the ARN of group {}", short_key(k)),
            Sym::PolicyArn(k) => format!("the ARN of policy {}", short_key(k)),
            Sym::Attr { resource, attr } => format!("{resource}.{attr}"),
        }
    }
}

/// Keys are `scope::address`; messages show the address.
pub fn short_key(key: &str) -> &str {
    key.rsplit_once("::").map(|(_, a)| a).unwrap_or(key)
}

/// A part of a value the scanner could not resolve, and why (reported by TL901).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unknown {
    /// The expression as written (`var.account_id`, `Fn::ImportValue SharedRole`).
    pub expr: String,
    /// Why it is unknown (`variable has no value`, `output of a registry module that is not downloaded`).
    pub why: String,
    pub span: Option<Span>,
}

impl Unknown {
    pub fn new(expr: impl Into<String>, why: impl Into<String>, span: Option<Span>) -> Unknown {
        Unknown {
            expr: expr.into(),
            why: why.into(),
            span,
        }
    }
}

/// Where one part of a string came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Literal text written at `span`. When `exact`, byte `i` of the part is byte `i` of the span (no escapes,
    /// no dedent), so sub-ranges map to sub-spans; otherwise sub-ranges map to the whole span.
    Lit { span: Option<Span>, exact: bool },
    /// A symbolic value; stands as one [`SYM_CHAR`] in the text.
    Sym(Sym, Option<Span>),
    /// An unknown value; stands as one [`UNKNOWN_CHAR`] in the text.
    Unknown(Unknown),
}

/// One contiguous piece of a [`Str`].
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Byte range in [`Str::text`].
    pub start: u32,
    pub end: u32,
    pub origin: Origin,
    /// Places the value passed through on its way here (variable, module argument, use site), outermost
    /// last. Reports turn them into SARIF `relatedLocations`.
    pub hops: Vec<Span>,
}

impl Part {
    pub fn span(&self) -> Option<Span> {
        match &self.origin {
            Origin::Lit { span, .. } => *span,
            Origin::Sym(_, span) => *span,
            Origin::Unknown(u) => u.span,
        }
    }
}

/// A string with provenance.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Str {
    /// The text, with one [`SYM_CHAR`] / [`UNKNOWN_CHAR`] per symbolic / unknown part.
    pub text: String,
    pub parts: Vec<Part>,
}

impl Str {
    /// A literal whose text is written verbatim at `span`.
    pub fn lit(text: impl Into<String>, span: Option<Span>) -> Str {
        Str::lit_with(text, span, true)
    }

    /// A literal written at `span`; `exact` says whether text bytes map 1:1 to source bytes.
    pub fn lit_with(text: impl Into<String>, span: Option<Span>, exact: bool) -> Str {
        let text = text.into();
        let end = text.len() as u32;
        Str {
            text,
            parts: vec![Part {
                start: 0,
                end,
                origin: Origin::Lit { span, exact },
                hops: Vec::new(),
            }],
        }
    }

    /// A literal with no source location (computed by the scanner, e.g. a default).
    pub fn synthetic(text: impl Into<String>) -> Str {
        Str::lit_with(text, None, false)
    }

    pub fn sym(sym: Sym, span: Option<Span>) -> Str {
        let mut s = Str::default();
        s.push_part(SYM_CHAR, Origin::Sym(sym, span), Vec::new());
        s
    }

    pub fn unknown(u: Unknown) -> Str {
        let mut s = Str::default();
        s.push_part(UNKNOWN_CHAR, Origin::Unknown(u), Vec::new());
        s
    }

    fn push_part(&mut self, c: char, origin: Origin, hops: Vec<Span>) {
        let start = self.text.len() as u32;
        self.text.push(c);
        self.parts.push(Part {
            start,
            end: self.text.len() as u32,
            origin,
            hops,
        });
    }

    /// Appends another string, keeping its provenance.
    pub fn push_str(&mut self, other: &Str) {
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        for p in &other.parts {
            self.parts.push(Part {
                start: p.start + base,
                end: p.end + base,
                origin: p.origin.clone(),
                hops: p.hops.clone(),
            });
        }
    }

    /// [`Str::push_str`] taking `other` whole: its text and parts move instead of being copied.
    pub fn append(&mut self, other: Str) {
        if self.text.is_empty() && self.parts.is_empty() {
            *self = other;
            return;
        }
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        self.parts.extend(other.parts.into_iter().map(|mut p| {
            p.start += base;
            p.end += base;
            p
        }));
    }

    pub fn concat<'a>(items: impl IntoIterator<Item = &'a Str>) -> Str {
        let mut out = Str::default();
        for s in items {
            out.push_str(s);
        }
        out
    }

    /// Records that this value flowed through `hop` (a variable, local, module argument or use site).
    pub fn with_hop(mut self, hop: Span) -> Str {
        for p in &mut self.parts {
            if p.hops.last() != Some(&hop) {
                p.hops.push(hop);
            }
        }
        self
    }

    /// The text when every part is literal.
    pub fn as_known(&self) -> Option<&str> {
        if self.is_known() {
            Some(&self.text)
        } else {
            None
        }
    }

    pub fn is_known(&self) -> bool {
        self.parts
            .iter()
            .all(|p| matches!(p.origin, Origin::Lit { .. }))
    }

    pub fn has_unknown(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p.origin, Origin::Unknown(_)))
    }

    /// The unknown parts.
    pub fn unknowns(&self) -> impl Iterator<Item = &Unknown> {
        self.parts.iter().filter_map(|p| match &p.origin {
            Origin::Unknown(u) => Some(u),
            _ => None,
        })
    }

    /// The symbol when the whole string is one symbolic part.
    pub fn as_sym(&self) -> Option<&Sym> {
        match self.parts.as_slice() {
            [Part {
                origin: Origin::Sym(s, _),
                ..
            }] => Some(s),
            _ => None,
        }
    }

    /// The symbol of a single-part byte range (e.g. the account field of an ARN).
    pub fn sym_at(&self, start: usize, end: usize) -> Option<&Sym> {
        self.parts.iter().find_map(|p| match &p.origin {
            Origin::Sym(s, _) if p.start as usize == start && p.end as usize == end => Some(s),
            _ => None,
        })
    }

    /// Parts overlapping a byte range of the text.
    pub fn parts_in(&self, start: usize, end: usize) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(move |p| {
            (p.start as usize) < end.max(start + 1) && (p.end as usize) > start
                || (start == end && p.start as usize == start)
        })
    }

    /// The narrowest source span for a byte range of the text (SPEC §1.2). Within one exact literal part the
    /// sub-span is exact; across parts it is the join of the parts' spans in the first part's file.
    pub fn span_of(&self, start: usize, end: usize) -> Option<Span> {
        let mut out: Option<Span> = None;
        for p in self.parts_in(start, end) {
            let s = match &p.origin {
                Origin::Lit {
                    span: Some(span),
                    exact: true,
                } if span.len() == (p.end - p.start) as usize => {
                    let rs = start.max(p.start as usize) - p.start as usize;
                    let re = end.min(p.end as usize) - p.start as usize;
                    Some(span.sub(rs, re.max(rs)))
                }
                _ => p.span(),
            };
            if let Some(s) = s {
                out = Some(match out {
                    None => s,
                    Some(o) => o.join(&s),
                });
            }
        }
        out
    }

    /// The span of the whole string.
    pub fn span(&self) -> Option<Span> {
        self.span_of(0, self.text.len())
    }

    /// The hops of the parts covering a range, deduplicated, in order.
    pub fn hops_of(&self, start: usize, end: usize) -> Vec<Span> {
        let mut out = Vec::new();
        for p in self.parts_in(start, end) {
            for h in &p.hops {
                if !out.contains(h) {
                    out.push(*h);
                }
            }
        }
        out
    }

    /// Human-readable text: symbolic parts as `${…}`-style descriptions, unknown parts as their expression.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut last = 0usize;
        for p in &self.parts {
            let (s, e) = (p.start as usize, p.end as usize);
            match &p.origin {
                Origin::Lit { .. } => {}
                Origin::Sym(sym, _) => {
                    out.push_str(self.text.get(last..s).unwrap_or(""));
                    out.push_str(&format!("<{}>", sym.describe()));
                    last = e;
                }
                Origin::Unknown(u) => {
                    out.push_str(self.text.get(last..s).unwrap_or(""));
                    out.push_str(&format!("${{{}}}", u.expr));
                    last = e;
                }
            }
        }
        out.push_str(self.text.get(last..).unwrap_or(""));
        out
    }

    /// A sub-string with provenance (byte range of the text; must fall on char boundaries).
    pub fn slice(&self, start: usize, end: usize) -> Str {
        let mut out = Str::default();
        if start >= end || end > self.text.len() || !self.text.is_char_boundary(start) {
            return out;
        }
        if !self.text.is_char_boundary(end) {
            return out;
        }
        out.text = self.text[start..end].to_string();
        for p in &self.parts {
            let (ps, pe) = (p.start as usize, p.end as usize);
            if pe <= start || ps >= end {
                continue;
            }
            let (s, e) = (ps.max(start), pe.min(end));
            let origin = match &p.origin {
                Origin::Lit {
                    span: Some(span),
                    exact: true,
                } if span.len() == pe - ps => Origin::Lit {
                    span: Some(span.sub(s - ps, e - ps)),
                    exact: true,
                },
                o => o.clone(),
            };
            out.parts.push(Part {
                start: (s - start) as u32,
                end: (e - start) as u32,
                origin,
                hops: p.hops.clone(),
            });
        }
        out
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Which branch a value belongs to: `Fn::If IsProd` true, `var.env == "prod"` false, `for_each` key `"a"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guard {
    /// Human-readable, used in messages: `condition IsProd is true`, `var.external is false`.
    pub label: String,
    pub span: Option<Span>,
}

impl Guard {
    pub fn new(label: impl Into<String>, span: Option<Span>) -> Guard {
        Guard {
            label: label.into(),
            span,
        }
    }
}

/// One possibility of a branching value.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub guard: Guard,
    pub value: Value,
}

/// What an expression evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Option<Span>),
    Bool(bool, Option<Span>),
    /// A number, kept as its text (account IDs written as numbers must not lose digits).
    Number(Str),
    Str(Str),
    List(Vec<Value>, Option<Span>),
    /// An object or map, in source order; keys keep their spans.
    Map(Vec<(Str, Value)>, Option<Span>),
    /// Several possible values (CloudFormation `Fn::If`, HCL `c ? a : b`, `AllowedValues`).
    Branches(Vec<Branch>),
    Unknown(Unknown),
}

impl Value {
    pub fn str(text: impl Into<String>, span: Option<Span>) -> Value {
        Value::Str(Str::lit(text, span))
    }

    pub fn unknown(expr: impl Into<String>, why: impl Into<String>, span: Option<Span>) -> Value {
        Value::Unknown(Unknown::new(expr, why, span))
    }

    /// The span of the whole value, where known.
    pub fn span(&self) -> Option<Span> {
        match self {
            Value::Null(s) | Value::Bool(_, s) | Value::List(_, s) | Value::Map(_, s) => *s,
            Value::Number(s) | Value::Str(s) => s.span(),
            Value::Branches(b) => b.iter().find_map(|b| b.value.span()),
            Value::Unknown(u) => u.span,
        }
    }

    pub fn as_str(&self) -> Option<&Str> {
        match self {
            Value::Str(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l, _) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Str, Value)]> {
        match self {
            Value::Map(m, _) => Some(m),
            _ => None,
        }
    }

    /// Looks a key up in a map (last one wins, as in JSON decoders).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    /// [`Value::get`] of a value no longer needed: the entry moves out and the rest is dropped; without
    /// the entry, the value is handed back.
    pub fn take(self, key: &str) -> Result<Value, Value> {
        let Value::Map(mut entries, span) = self else {
            return Err(self);
        };
        match entries.iter().rposition(|(k, _)| k.text == key) {
            Some(i) => Ok(entries.swap_remove(i).1),
            None => Err(Value::Map(entries, span)),
        }
    }

    /// Like [`Value::get`], returning the key too (for its span).
    pub fn get_entry(&self, key: &str) -> Option<(&Str, &Value)> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.text == key)
            .map(|(k, v)| (k, v))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }

    /// Every unknown inside this value.
    pub fn unknowns(&self, out: &mut Vec<Unknown>) {
        match self {
            Value::Unknown(u) => out.push(u.clone()),
            Value::Str(s) | Value::Number(s) => out.extend(s.unknowns().cloned()),
            Value::List(items, _) => items.iter().for_each(|v| v.unknowns(out)),
            Value::Map(entries, _) => entries.iter().for_each(|(k, v)| {
                out.extend(k.unknowns().cloned());
                v.unknowns(out)
            }),
            Value::Branches(bs) => bs.iter().for_each(|b| b.value.unknowns(out)),
            Value::Null(_) | Value::Bool(..) => {}
        }
    }

    /// The possibilities of a value with their guards: a non-branching value is one possibility with no
    /// guard; nested branches multiply out (bounded by `limit`; past it the rest is dropped).
    pub fn possibilities(&self, limit: usize) -> Vec<(Vec<Guard>, &Value)> {
        let mut out = Vec::new();
        fn walk<'a>(
            v: &'a Value,
            guards: &mut Vec<Guard>,
            out: &mut Vec<(Vec<Guard>, &'a Value)>,
            limit: usize,
        ) {
            if out.len() >= limit {
                return;
            }
            match v {
                Value::Branches(bs) => {
                    for b in bs {
                        guards.push(b.guard.clone());
                        walk(&b.value, guards, out, limit);
                        guards.pop();
                    }
                }
                v => out.push((guards.clone(), v)),
            }
        }
        walk(self, &mut Vec::new(), &mut out, limit);
        out
    }

    /// Items of a list, with branches in the list or around it flattened into guarded items. A non-list
    /// value counts as a one-item list (IAM accepts a string where it accepts an array).
    pub fn list_items(&self, limit: usize) -> Vec<(Vec<Guard>, &Value)> {
        let mut out = Vec::new();
        for (g, v) in self.possibilities(limit) {
            match v {
                Value::List(items, _) => {
                    for item in items {
                        for (g2, iv) in item.possibilities(limit) {
                            if out.len() >= limit {
                                return out;
                            }
                            let mut gs = g.clone();
                            gs.extend(g2);
                            out.push((gs, iv));
                        }
                    }
                }
                Value::Null(_) => {}
                other => out.push((g, other)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp(a: usize, b: usize) -> Option<Span> {
        Some(Span::new(FileId(0), a, b))
    }

    /// `take` moves out the entry `get` reads (the last of a repeated key) and hands anything else back.
    #[test]
    fn take_moves_out_what_get_reads() {
        let map = Value::Map(
            vec![
                (Str::lit("a", None), Value::str("first", None)),
                (Str::lit("b", None), Value::str("b", None)),
                (Str::lit("a", None), Value::str("last", None)),
            ],
            sp(0, 9),
        );
        let read = map.get("a").cloned();
        assert_eq!(map.clone().take("a").ok(), read);
        assert_eq!(
            read.and_then(|v| v.as_str().map(|s| s.text.clone())),
            Some("last".into())
        );
        assert_eq!(map.clone().take("zz"), Err(map.clone()));
        let list = Value::List(vec![Value::str("x", None)], None);
        assert_eq!(list.clone().take("x"), Err(list));
    }

    #[test]
    fn span_of_sub_range_inside_exact_literal() {
        // "arn:aws:iam::" @10..23, var default "123456789012" @100..112, ":root" @30..35
        let s = Str::concat([
            &Str::lit("arn:aws:iam::", sp(10, 23)),
            &Str::lit("123456789012", sp(100, 112)).with_hop(Span::new(FileId(0), 23, 33)),
            &Str::lit(":root", sp(30, 35)),
        ]);
        assert_eq!(s.text, "arn:aws:iam::123456789012:root");
        assert_eq!(s.span_of(13, 25), sp(100, 112));
        assert_eq!(s.span_of(0, 3), sp(10, 13));
        assert_eq!(s.hops_of(13, 25), vec![Span::new(FileId(0), 23, 33)]);
        assert!(s.hops_of(0, 3).is_empty());
    }

    #[test]
    fn symbolic_parts_are_placeholders() {
        let s = Str::concat([
            &Str::lit("arn:aws:iam::", sp(0, 13)),
            &Str::sym(Sym::ThisAccount, sp(13, 50)),
            &Str::lit(":root", sp(50, 55)),
        ]);
        let start = "arn:aws:iam::".len();
        let end = start + SYM_CHAR.len_utf8();
        assert_eq!(s.sym_at(start, end), Some(&Sym::ThisAccount));
        assert_eq!(s.display(), "arn:aws:iam::<this account>:root");
        assert!(!s.is_known());
        let sl = s.slice(start, end);
        assert_eq!(sl.as_sym(), Some(&Sym::ThisAccount));
    }

    #[test]
    fn list_items_flatten_branches() {
        let v = Value::List(
            vec![
                Value::str("a", None),
                Value::Branches(vec![
                    Branch {
                        guard: Guard::new("c is true", None),
                        value: Value::str("b", None),
                    },
                    Branch {
                        guard: Guard::new("c is false", None),
                        value: Value::str("c", None),
                    },
                ]),
            ],
            None,
        );
        let items = v.list_items(100);
        assert_eq!(items.len(), 3);
        assert_eq!(items[2].0[0].label, "c is false");
    }
}
