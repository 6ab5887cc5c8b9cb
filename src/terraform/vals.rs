//! Helpers on [`Value`]s for the evaluator: conversions, provenance-keeping JSON rendering, hops, branch
//! distribution.

use crate::source::Span;
use crate::value::{Branch, Guard, Origin, Str, Unknown, Value};

/// Most branch combinations a value may multiply into before the rest becomes unknown.
pub const MAX_BRANCHES: usize = 64;
/// The number of nodes (values, map entries, string parts) of a value, counting at most `cap`.
pub fn weight(v: &Value, cap: usize) -> usize {
    fn walk(v: &Value, n: &mut usize, cap: usize) {
        if *n >= cap {
            return;
        }
        *n += 1;
        match v {
            Value::Str(s) | Value::Number(s) => *n += s.parts.len(),
            Value::List(items, _) => {
                for x in items {
                    walk(x, n, cap);
                    if *n >= cap {
                        return;
                    }
                }
            }
            Value::Map(entries, _) => {
                for (k, x) in entries {
                    *n += k.parts.len();
                    walk(x, n, cap);
                    if *n >= cap {
                        return;
                    }
                }
            }
            Value::Branches(bs) => {
                for b in bs {
                    walk(&b.value, n, cap);
                    if *n >= cap {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
    let mut n = 0usize;
    walk(v, &mut n, cap);
    n.min(cap)
}

/// Longest computed string (bytes) and most provenance parts in one string.
pub const MAX_STR: usize = 1 << 20;
pub const MAX_PARTS: usize = 10_000;
/// Most elements a computed collection may have.
pub const MAX_ITEMS: usize = 10_000;
/// Reasons starting with this are evaluation errors (what `try` and `can` catch), not blind spots.
pub const ERROR: &str = "evaluation error: ";

pub fn error(expr: impl Into<String>, why: impl AsRef<str>, span: Option<Span>) -> Value {
    Value::Unknown(Unknown::new(expr, format!("{ERROR}{}", why.as_ref()), span))
}

pub fn is_error(u: &Unknown) -> bool {
    u.why.starts_with(ERROR)
}

/// Whether a value holds an evaluation error anywhere.
pub fn has_error(v: &Value) -> bool {
    let mut us = Vec::new();
    v.unknowns(&mut us);
    us.iter().any(is_error)
}

pub fn has_unknown(v: &Value) -> bool {
    let mut us = Vec::new();
    v.unknowns(&mut us);
    !us.is_empty()
}

/// The first unknown of a value (to propagate its reason).
pub fn first_unknown(v: &Value) -> Option<Unknown> {
    let mut us = Vec::new();
    v.unknowns(&mut us);
    us.into_iter().next()
}

/// A string that is nothing but a symbolic or unknown reference, standing where a collection, object or
/// JSON text is expected: its content is only known after deploy, so the result is unknown (not an error).
pub fn opaque(v: &Value) -> Option<Value> {
    let Value::Str(s) = v else { return None };
    if s.parts.is_empty()
        || s.parts
            .iter()
            .any(|p| matches!(p.origin, Origin::Lit { .. }))
    {
        return None;
    }
    if let Some(u) = s.unknowns().next() {
        return Some(Value::Unknown(u.clone()));
    }
    s.parts.iter().find_map(|p| match &p.origin {
        Origin::Sym(sym, span) => Some(Value::unknown(
            sym.describe(),
            "the value is only known after deploy",
            *span,
        )),
        _ => None,
    })
}

pub fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b, _) => Some(*b),
        Value::Str(s) => match s.as_known()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(s) | Value::Str(s) => s.as_known()?.trim().parse::<f64>().ok(),
        _ => None,
    }
}

pub fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

pub fn num(f: f64, span: Option<Span>) -> Value {
    Value::Number(Str::lit_with(fmt_num(f), span, false))
}

pub fn synth(text: impl Into<String>, span: Option<Span>) -> Str {
    Str::lit_with(text, span, false)
}

/// A value used where a string is expected: strings and numbers as they are, booleans as text, lists and
/// maps as JSON (what `jsonencode` would give), unknowns as an unknown part. `None` for null.
pub fn to_str(v: &Value) -> Option<Str> {
    match v {
        Value::Str(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b, span) => Some(synth(b.to_string(), *span)),
        Value::Null(_) => None,
        Value::List(..) | Value::Map(..) => Some(render_json(v)),
        Value::Unknown(u) => Some(Str::unknown(u.clone())),
        Value::Branches(_) => Some(Str::unknown(Unknown::new(
            "conditional value",
            "a branching value used as a string",
            v.span(),
        ))),
    }
}

/// [`to_str`] of a value no longer needed: a string moves out instead of being copied.
pub fn into_str(v: Value) -> Option<Str> {
    match v {
        Value::Str(s) | Value::Number(s) => Some(s),
        other => to_str(&other),
    }
}

/// Applies `f` to every string (and map key) of a value.
pub fn map_strs(v: Value, f: &dyn Fn(Str) -> Str) -> Value {
    match v {
        Value::Str(s) => Value::Str(f(s)),
        Value::Number(s) => Value::Number(f(s)),
        Value::List(items, sp) => {
            Value::List(items.into_iter().map(|x| map_strs(x, f)).collect(), sp)
        }
        Value::Map(entries, sp) => Value::Map(
            entries
                .into_iter()
                .map(|(k, x)| (f(k), map_strs(x, f)))
                .collect(),
            sp,
        ),
        Value::Branches(bs) => Value::Branches(
            bs.into_iter()
                .map(|b| Branch {
                    guard: b.guard,
                    value: map_strs(b.value, f),
                })
                .collect(),
        ),
        other => other,
    }
}

/// Records a hop on every string of a value.
pub fn with_hop(v: Value, hop: Span) -> Value {
    map_strs(v, &|s| s.with_hop(hop))
}

/// Two branches of a conditional whose condition is not known.
pub fn branches(label: &str, span: Option<Span>, yes: Value, no: Value) -> Value {
    Value::Branches(vec![
        Branch {
            guard: Guard::new(format!("{label} is true"), span),
            value: yes,
        },
        Branch {
            guard: Guard::new(format!("{label} is false"), span),
            value: no,
        },
    ])
}

/// Moves branches nested anywhere in a value to the top (bounded), so the value can be rendered as text.
pub fn hoist(v: &Value) -> Value {
    let poss = combos(v, MAX_BRANCHES);
    match poss {
        Some(mut p) if p.len() == 1 => p.pop().map(|(_, v)| v).unwrap_or(Value::Null(None)),
        Some(p) => Value::Branches(
            p.into_iter()
                .map(|(gs, value)| Branch {
                    guard: join_guards(&gs),
                    value,
                })
                .collect(),
        ),
        None => Value::unknown("value", "too many conditional combinations", v.span()),
    }
}

fn join_guards(gs: &[Guard]) -> Guard {
    match gs {
        [g] => g.clone(),
        _ => Guard::new(
            gs.iter()
                .map(|g| g.label.as_str())
                .collect::<Vec<_>>()
                .join(" and "),
            gs.first().and_then(|g| g.span),
        ),
    }
}

type GuardedEntries = (Vec<Guard>, Vec<(Str, Value)>);

/// Every branch-free version of a value with the guards it needs; `None` past `limit`.
fn combos(v: &Value, limit: usize) -> Option<Vec<(Vec<Guard>, Value)>> {
    match v {
        Value::Branches(bs) => {
            let mut out = Vec::new();
            for b in bs {
                for (mut gs, x) in combos(&b.value, limit)? {
                    gs.insert(0, b.guard.clone());
                    out.push((gs, x));
                    if out.len() > limit {
                        return None;
                    }
                }
            }
            Some(out)
        }
        Value::List(items, sp) => {
            let mut acc: Vec<(Vec<Guard>, Vec<Value>)> = vec![(Vec::new(), Vec::new())];
            for item in items {
                let cs = combos(item, limit)?;
                let mut next = Vec::new();
                for (gs, vals) in &acc {
                    for (g2, x) in &cs {
                        let mut g = gs.clone();
                        g.extend(g2.iter().cloned());
                        let mut vs = vals.clone();
                        vs.push(x.clone());
                        next.push((g, vs));
                        if next.len() > limit {
                            return None;
                        }
                    }
                }
                acc = next;
            }
            Some(
                acc.into_iter()
                    .map(|(g, vs)| (g, Value::List(vs, *sp)))
                    .collect(),
            )
        }
        Value::Map(entries, sp) => {
            let mut acc: Vec<GuardedEntries> = vec![(Vec::new(), Vec::new())];
            for (k, item) in entries {
                let cs = combos(item, limit)?;
                let mut next = Vec::new();
                for (gs, vals) in &acc {
                    for (g2, x) in &cs {
                        let mut g = gs.clone();
                        g.extend(g2.iter().cloned());
                        let mut vs = vals.clone();
                        vs.push((k.clone(), x.clone()));
                        next.push((g, vs));
                        if next.len() > limit {
                            return None;
                        }
                    }
                }
                acc = next;
            }
            Some(
                acc.into_iter()
                    .map(|(g, vs)| (g, Value::Map(vs, *sp)))
                    .collect(),
            )
        }
        other => Some(vec![(Vec::new(), other.clone())]),
    }
}

/// Whether a value has branches anywhere.
pub fn has_branches(v: &Value) -> bool {
    match v {
        Value::Branches(_) => true,
        Value::List(items, _) => items.iter().any(has_branches),
        Value::Map(entries, _) => entries.iter().any(|(_, x)| has_branches(x)),
        _ => false,
    }
}

fn push_synth(out: &mut Str, text: &str) {
    if text.is_empty() {
        return;
    }
    // Merge with a preceding synthetic part to keep parts few.
    if let Some(last) = out.parts.last_mut() {
        if matches!(last.origin, Origin::Lit { span: None, .. }) && last.hops.is_empty() {
            out.text.push_str(text);
            last.end = out.text.len() as u32;
            return;
        }
    }
    out.push_str(&Str::synthetic(text));
}

fn json_escape_char(c: char) -> Option<String> {
    match c {
        '"' => Some("\\\"".into()),
        '\\' => Some("\\\\".into()),
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        c if (c as u32) < 0x20 => Some(format!("\\u{:04x}", c as u32)),
        _ => None,
    }
}

/// A string as a JSON string literal, keeping the provenance of every unescaped run.
fn render_json_str(s: &Str, out: &mut Str) {
    push_synth(out, "\"");
    for p in &s.parts {
        let text = s.text.get(p.start as usize..p.end as usize).unwrap_or("");
        if !matches!(p.origin, Origin::Lit { .. })
            || text.chars().all(|c| json_escape_char(c).is_none())
        {
            out.push_str(&s.slice(p.start as usize, p.end as usize));
            continue;
        }
        let mut run = p.start as usize;
        for (i, c) in text.char_indices() {
            if let Some(esc) = json_escape_char(c) {
                let at = p.start as usize + i;
                if at > run {
                    out.push_str(&s.slice(run, at));
                }
                let mut e = Str::lit_with(esc, s.span_of(at, at + c.len_utf8()), false);
                if let Some(part) = e.parts.first_mut() {
                    part.hops = p.hops.clone();
                }
                out.push_str(&e);
                run = at + c.len_utf8();
            }
        }
        if run < p.end as usize {
            out.push_str(&s.slice(run, p.end as usize));
        }
    }
    push_synth(out, "\"");
}

/// A value as JSON text (what `jsonencode` returns), keeping the provenance of strings and numbers so a
/// policy parsed back from the text still points at the source. Unknown and symbolic values become
/// strings holding their placeholder.
pub fn render_json(v: &Value) -> Str {
    let mut out = Str::default();
    render_into(v, &mut out, 0);
    out
}

fn render_into(v: &Value, out: &mut Str, depth: usize) {
    if depth > 64 {
        push_synth(out, "null");
        return;
    }
    match v {
        Value::Null(_) => push_synth(out, "null"),
        Value::Bool(b, _) => push_synth(out, if *b { "true" } else { "false" }),
        Value::Number(s) => {
            if s.is_known() {
                out.push_str(s)
            } else {
                render_json_str(s, out)
            }
        }
        Value::Str(s) => render_json_str(s, out),
        Value::List(items, _) => {
            push_synth(out, "[");
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    push_synth(out, ",");
                }
                render_into(x, out, depth + 1);
            }
            push_synth(out, "]");
        }
        Value::Map(entries, _) => {
            push_synth(out, "{");
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    push_synth(out, ",");
                }
                render_json_str(k, out);
                push_synth(out, ":");
                render_into(x, out, depth + 1);
            }
            push_synth(out, "}");
        }
        Value::Unknown(u) => {
            push_synth(out, "\"");
            out.push_str(&Str::unknown(u.clone()));
            push_synth(out, "\"");
        }
        Value::Branches(_) => {
            let u = Unknown::new(
                "conditional value",
                "a branching value inside encoded JSON",
                v.span(),
            );
            push_synth(out, "\"");
            out.push_str(&Str::unknown(u));
            push_synth(out, "\"");
        }
    }
}

/// Trims whitespace at the start and/or end of a string, keeping provenance.
pub fn trim(s: &Str, start: bool, end: bool) -> Str {
    let t = &s.text;
    let a = if start {
        t.len() - t.trim_start().len()
    } else {
        0
    };
    let b = if end { t.trim_end().len() } else { t.len() };
    if a >= b {
        return Str::default();
    }
    s.slice(a, b)
}

/// The parts of a Str that are literal text, for functions that only work on known text.
pub fn known_text(v: &Value) -> Option<&str> {
    v.as_str()?.as_known()
}

/// Deep equality of two values when both are fully known.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Branches(_), _) | (_, Value::Branches(_)) => None,
        (Value::Null(_), Value::Null(_)) => Some(true),
        (Value::Null(_), _) | (_, Value::Null(_)) => Some(false),
        (Value::Bool(x, _), Value::Bool(y, _)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_known()?, y.as_known()?);
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(p), Ok(q)) => Some(p == q),
                _ => Some(x == y),
            }
        }
        (Value::Str(x) | Value::Number(x), Value::Str(y) | Value::Number(y)) => {
            if x.is_known() && y.is_known() {
                Some(x.text == y.text)
            } else {
                None
            }
        }
        (Value::Bool(x, _), Value::Str(s)) | (Value::Str(s), Value::Bool(x, _)) => {
            Some(s.as_known()? == x.to_string())
        }
        (Value::List(x, _), Value::List(y, _)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = true;
            for (p, q) in x.iter().zip(y) {
                all &= equal(p, q)?;
            }
            Some(all)
        }
        (Value::Map(x, _), Value::Map(y, _)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = true;
            for (k, p) in x {
                if !k.is_known() {
                    return None;
                }
                match b.get(&k.text) {
                    Some(q) => all &= equal(p, q)?,
                    None => return Some(false),
                }
            }
            Some(all)
        }
        _ => Some(false),
    }
}

/// The Part list of a Str, rebuilt so that text changed by a function still points at `span`.
pub fn computed(text: String, from: &Str) -> Str {
    let span = from.span();
    let mut s = Str::lit_with(text, span, false);
    let hops = from.hops_of(0, from.text.len());
    if let Some(p) = s.parts.first_mut() {
        p.hops = hops;
    }
    s
}
