//! Terraform's built-in functions, over [`Value`]s with provenance. String functions keep the spans of
//! the text they pass through (`split` of a variable gives elements pointing into the variable's literal).
//! A function the scanner does not implement gives an unknown naming it — never a guess.

use super::ast::{Call, TPart};
use super::eval::{Eval, Scope};
use super::lower::{Lowerer, TKind};
use super::module::clean_path;
use super::vals::{self, error, num};
use crate::model::Diagnostic;
use crate::source::Span;
use crate::value::{Branch, Str, Value};
use std::path::{Path, PathBuf};

pub fn call(ev: &Eval, inst: usize, scope: &Scope, c: &Call) -> Value {
    let span = c.span;
    match c.name.as_str() {
        "try" => {
            let mut last = None;
            for a in &c.args {
                let v = ev.eval(inst, scope, a);
                if !vals::has_error(&v) {
                    return v;
                }
                last = Some(v);
            }
            return last.unwrap_or_else(|| ev.err(span, "try needs at least one argument"));
        }
        "can" => {
            let Some(a) = c.args.first() else {
                return ev.err(span, "can needs one argument");
            };
            let v = ev.eval(inst, scope, a);
            if vals::has_error(&v) {
                return Value::Bool(false, Some(span));
            }
            if vals::has_unknown(&v) {
                return ev.unknown(span, "the argument is not known");
            }
            return Value::Bool(true, Some(span));
        }
        _ => {}
    }
    let mut args: Vec<Value> = c.args.iter().map(|a| ev.eval(inst, scope, a)).collect();
    if c.expand_final {
        match args.pop() {
            Some(Value::List(items, _)) => args.extend(items),
            Some(other) if vals::has_unknown(&other) => return other,
            Some(_) => return ev.err(span, "`...` needs a list"),
            None => {}
        }
    }
    apply(ev, inst, c, args, 0)
}

fn apply(ev: &Eval, inst: usize, c: &Call, args: Vec<Value>, depth: usize) -> Value {
    let span = c.span;
    // jsonencode keeps branches inside the structure; everything else sees one possibility at a time.
    if c.name != "jsonencode" {
        if let Some(i) = args.iter().position(|a| matches!(a, Value::Branches(_))) {
            let Some(Value::Branches(bs)) = args.get(i).cloned() else {
                return ev.unknown(span, "internal: branch vanished");
            };
            if depth > 4 || bs.len() > vals::MAX_BRANCHES {
                return ev.unknown(span, "too many conditional combinations");
            }
            return Value::Branches(
                bs.into_iter()
                    .map(|b| {
                        let mut a = args.clone();
                        if let Some(slot) = a.get_mut(i) {
                            *slot = b.value;
                        }
                        Branch {
                            guard: b.guard,
                            value: apply(ev, inst, c, a, depth + 1),
                        }
                    })
                    .collect(),
            );
        }
    }
    // A purely symbolic string where a collection is expected is unknown, not an error.
    if matches!(
        c.name.as_str(),
        "join"
            | "merge"
            | "lookup"
            | "one"
            | "flatten"
            | "distinct"
            | "toset"
            | "tolist"
            | "tomap"
            | "keys"
            | "values"
            | "length"
            | "element"
            | "contains"
            | "jsondecode"
            | "coalescelist"
            | "compact"
            | "zipmap"
            | "setunion"
            | "slice"
            | "sort"
            | "reverse"
    ) {
        let first_collection_arg = if c.name == "join" { 1 } else { 0 };
        for a in args.iter().skip(first_collection_arg) {
            if let Some(u) = vals::opaque(a) {
                return u;
            }
        }
    }
    let r = match args.first() {
        // Moved through, not copied out of the arguments.
        Some(v) if c.name == "jsonencode" && encodes_as_itself(v) => {
            Ok(args.into_iter().next().unwrap_or(Value::Null(None)))
        }
        _ => builtin(ev, inst, c, &args),
    };
    match r {
        Ok(v) if too_big(&v) => ev.unknown(span, format!("the result of {} is too large", c.name)),
        Ok(v) => ev.charge(v, span),
        Err(Fail::Error(msg)) => ev.err(span, msg),
        Err(Fail::Unknown(v)) => v,
        Err(Fail::Unsupported) => ev.unknown(span, format!("function {} is not supported", c.name)),
    }
}

/// Whether a function result exceeds the size limits (strings doubling through locals, lists
/// concatenated with themselves…).
fn too_big(v: &Value) -> bool {
    match v {
        Value::Str(s) => s.text.len() > vals::MAX_STR || s.parts.len() > vals::MAX_PARTS,
        Value::List(items, _) => items.len() > vals::MAX_ITEMS,
        Value::Map(entries, _) => entries.len() > vals::MAX_ITEMS,
        _ => false,
    }
}

enum Fail {
    Error(String),
    /// The result is this unknown (an argument was unknown).
    Unknown(Value),
    Unsupported,
}

type R = Result<Value, Fail>;

fn err<T>(msg: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Error(msg.into()))
}

fn arg<'a>(args: &'a [Value], i: usize, f: &str) -> Result<&'a Value, Fail> {
    match args.get(i) {
        Some(v) => Ok(v),
        None => err(format!("{f} needs at least {} arguments", i + 1)),
    }
}

/// A string argument (numbers and booleans convert); unknown arguments make the result unknown.
fn s_arg(args: &[Value], i: usize, f: &str) -> Result<Str, Fail> {
    let v = arg(args, i, f)?;
    match v {
        Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
        Value::Null(_) => err(format!("argument {} of {f} is null", i + 1)),
        Value::List(..) | Value::Map(..) => {
            err(format!("argument {} of {f} must be a string", i + 1))
        }
        _ => vals::to_str(v).ok_or_else(|| Fail::Error("not a string".into())),
    }
}

/// A string argument whose text must be fully known.
fn k_arg(args: &[Value], i: usize, f: &str, span: Span, ev: &Eval) -> Result<(Str, String), Fail> {
    let s = s_arg(args, i, f)?;
    match s.as_known() {
        Some(t) => {
            let t = t.to_string();
            Ok((s, t))
        }
        None => Err(Fail::Unknown(unknown_from(&s, span, ev))),
    }
}

fn unknown_from(s: &Str, span: Span, ev: &Eval) -> Value {
    match s.unknowns().next() {
        Some(u) => Value::Unknown(u.clone()),
        None => ev.unknown(span, "the argument is symbolic (known only after deploy)"),
    }
}

fn n_arg(args: &[Value], i: usize, f: &str) -> Result<f64, Fail> {
    let v = arg(args, i, f)?;
    if let Value::Unknown(_) = v {
        return Err(Fail::Unknown(v.clone()));
    }
    match vals::num_of(v) {
        Some(n) => Ok(n),
        None if vals::has_unknown(v) => Err(Fail::Unknown(v.clone())),
        None => err(format!("argument {} of {f} must be a number", i + 1)),
    }
}

fn list_arg<'a>(args: &'a [Value], i: usize, f: &str) -> Result<&'a [Value], Fail> {
    let v = arg(args, i, f)?;
    match v {
        Value::List(items, _) => Ok(items),
        Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
        other => match vals::opaque(other) {
            Some(u) => Err(Fail::Unknown(u)),
            None => err(format!("argument {} of {f} must be a list", i + 1)),
        },
    }
}

fn map_arg<'a>(args: &'a [Value], i: usize, f: &str) -> Result<&'a [(Str, Value)], Fail> {
    let v = arg(args, i, f)?;
    match v {
        Value::Map(entries, _) => Ok(entries),
        Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
        other => match vals::opaque(other) {
            Some(u) => Err(Fail::Unknown(u)),
            None => err(format!("argument {} of {f} must be a map", i + 1)),
        },
    }
}

/// Byte offsets of every occurrence of `pat` in `s` (non-overlapping).
fn find_all(s: &str, pat: &str) -> Vec<usize> {
    if pat.is_empty() {
        return Vec::new();
    }
    s.match_indices(pat).map(|(i, _)| i).collect()
}

/// Whether `jsonencode` of the value is the value itself: a structure stands for its JSON text, so policies
/// read it with spans intact; an unknown stays unknown.
fn encodes_as_itself(v: &Value) -> bool {
    matches!(
        v,
        Value::List(..) | Value::Map(..) | Value::Branches(_) | Value::Unknown(_)
    )
}

fn builtin(ev: &Eval, inst: usize, c: &Call, args: &[Value]) -> R {
    let f = c.name.as_str();
    let span = c.span;
    let sp = Some(span);
    match f {
        // --- encoding ---------------------------------------------------------------------------
        "jsonencode" => {
            let v = arg(args, 0, f)?;
            Ok(if encodes_as_itself(v) {
                v.clone()
            } else {
                Value::Str(vals::render_json(v))
            })
        }
        "jsondecode" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::List(..) | Value::Map(..) => Ok(v.clone()),
                Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
                _ => {
                    let s = s_arg(args, 0, f)?;
                    crate::policy::json::parse_str(&s)
                        .or_else(|e| err(format!("invalid JSON: {}", e.message)))
                }
            }
        }
        "yamlencode" | "yamldecode" | "base64encode" | "base64decode" | "base64gzip"
        | "urlencode" | "csvdecode" | "textencodebase64" | "textdecodebase64" | "md5" | "sha1"
        | "sha256" | "sha512" | "base64sha256" | "base64sha512" | "uuid" | "uuidv5"
        | "timestamp" | "timeadd" | "formatdate" | "bcrypt" | "filebase64" | "filemd5"
        | "filesha1" | "filesha256" | "filesha512" | "filebase64sha256" | "rsadecrypt"
        | "cidrhost" | "cidrnetmask" | "cidrsubnet" | "cidrsubnets" | "regex" | "regexall"
        | "plantimestamp" | "ephemeralasnull" | "fileset" | "templatestring" => {
            Err(Fail::Unsupported)
        }
        // --- strings ----------------------------------------------------------------------------
        "format" => format(ev, args, span),
        "formatlist" => {
            // Lists in the arguments are iterated in step.
            let n = args
                .iter()
                .filter_map(|a| a.as_list().map(<[Value]>::len))
                .max();
            let Some(n) = n else {
                return Ok(Value::List(vec![format(ev, args, span)?], sp));
            };
            let mut out = Vec::new();
            for i in 0..n.min(vals::MAX_ITEMS) {
                let row: Vec<Value> = args
                    .iter()
                    .map(|a| match a {
                        Value::List(items, _) => items.get(i).cloned().unwrap_or(Value::Null(None)),
                        other => other.clone(),
                    })
                    .collect();
                out.push(format(ev, &row, span)?);
            }
            Ok(Value::List(out, sp))
        }
        "join" => {
            let sep = s_arg(args, 0, f)?;
            let mut out = Str::default();
            let mut first = true;
            for l in args.get(1..).unwrap_or(&[]) {
                let items = match l {
                    Value::List(items, _) => items,
                    Value::Unknown(_) => return Err(Fail::Unknown(l.clone())),
                    _ => return err("join needs lists"),
                };
                for (_, item) in Value::List(items.clone(), None).list_items(vals::MAX_ITEMS) {
                    if crate::limits::str_too_long(&out) {
                        return err("join: the result is too long");
                    }
                    if !first {
                        out.push_str(&sep);
                    }
                    first = false;
                    match vals::to_str(item) {
                        Some(s) => out.push_str(&s),
                        None => return err("join: an element is null"),
                    }
                }
            }
            Ok(Value::Str(out))
        }
        "split" => {
            let (_, sep) = k_arg(args, 0, f, span, ev)?;
            let s = s_arg(args, 1, f)?;
            if sep.is_empty() {
                return err("split: the separator is empty");
            }
            let mut out = Vec::new();
            let mut at = 0usize;
            for i in find_all(&s.text, &sep) {
                out.push(Value::Str(s.slice_or_empty(at, i)));
                at = i + sep.len();
            }
            out.push(Value::Str(s.slice_or_empty(at, s.text.len())));
            Ok(Value::List(out, sp))
        }
        "replace" => {
            let s = s_arg(args, 0, f)?;
            let (_, sub) = k_arg(args, 1, f, span, ev)?;
            let rep = s_arg(args, 2, f)?;
            if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
                return Err(Fail::Unknown(ev.unknown(
                    span,
                    "replace with a regular expression is not supported",
                )));
            }
            let mut out = Str::default();
            let mut at = 0usize;
            for i in find_all(&s.text, &sub) {
                // Each replacement may grow the text: `replace(local.x, "a", local.x)` squares it.
                if crate::limits::str_too_long(&out) {
                    return err("replace: the result is too long");
                }
                out.push_str(&s.slice_or_empty(at, i));
                out.push_str(&rep);
                at = i + sub.len();
            }
            out.push_str(&s.slice_or_empty(at, s.text.len()));
            Ok(Value::Str(out))
        }
        "lower" | "upper" => {
            let s = s_arg(args, 0, f)?;
            let t = if f == "lower" {
                s.text.to_lowercase()
            } else {
                s.text.to_uppercase()
            };
            if t.len() == s.text.len() {
                // Same layout: every part keeps its span.
                let mut out = s.clone();
                out.text = t;
                Ok(Value::Str(out))
            } else {
                Ok(Value::Str(vals::computed(t, &s)))
            }
        }
        "title" => {
            let s = s_arg(args, 0, f)?;
            Ok(Value::Str(vals::computed(s.text.clone(), &s)))
        }
        "trimprefix" | "trimsuffix" => {
            let s = s_arg(args, 0, f)?;
            let (_, p) = k_arg(args, 1, f, span, ev)?;
            Ok(Value::Str(if f == "trimprefix" && s.text.starts_with(&p) {
                s.slice_or_empty(p.len(), s.text.len())
            } else if f == "trimsuffix" && s.text.ends_with(&p) {
                s.slice_or_empty(0, s.text.len() - p.len())
            } else {
                s
            }))
        }
        "trimspace" | "chomp" => {
            let s = s_arg(args, 0, f)?;
            if f == "chomp" {
                let t = s.text.trim_end_matches(['\n', '\r']).len();
                return Ok(Value::Str(s.slice_or_empty(0, t)));
            }
            Ok(Value::Str(vals::trim(&s, true, true)))
        }
        "trim" => {
            let s = s_arg(args, 0, f)?;
            let (_, cut) = k_arg(args, 1, f, span, ev)?;
            let a = s.text.len() - s.text.trim_start_matches(|c| cut.contains(c)).len();
            let b = s.text.trim_end_matches(|c| cut.contains(c)).len();
            Ok(Value::Str(if a < b {
                s.slice_or_empty(a, b)
            } else {
                Str::default()
            }))
        }
        "substr" => {
            let s = s_arg(args, 0, f)?;
            let off = n_arg(args, 1, f)? as i64;
            let len = n_arg(args, 2, f)? as i64;
            let chars: Vec<(usize, char)> = s.text.char_indices().collect();
            let n = chars.len() as i64;
            let start = if off < 0 {
                (n + off).max(0)
            } else {
                off.min(n)
            } as usize;
            let end = if len < 0 {
                n as usize
            } else {
                (start as i64).saturating_add(len).min(n) as usize
            };
            let b = |i: usize| chars.get(i).map(|(o, _)| *o).unwrap_or(s.text.len());
            Ok(Value::Str(s.slice_or_empty(b(start), b(end.max(start)))))
        }
        "startswith" | "endswith" | "strcontains" => {
            let (_, s) = k_arg(args, 0, f, span, ev)?;
            let (_, p) = k_arg(args, 1, f, span, ev)?;
            Ok(Value::Bool(
                match f {
                    "startswith" => s.starts_with(&p),
                    "endswith" => s.ends_with(&p),
                    _ => s.contains(&p),
                },
                sp,
            ))
        }
        "tostring" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::Null(_) => Ok(v.clone()),
                Value::List(..) | Value::Map(..) => err("tostring needs a primitive value"),
                _ => Ok(Value::Str(s_arg(args, 0, f)?)),
            }
        }
        "tonumber" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::Null(_) => Ok(v.clone()),
                Value::Number(_) => Ok(v.clone()),
                _ => {
                    let s = s_arg(args, 0, f)?;
                    match s.as_known().map(|t| t.trim().parse::<f64>()) {
                        Some(Ok(_)) => Ok(Value::Number(s)),
                        Some(Err(_)) => err("tonumber: not a number"),
                        None => Err(Fail::Unknown(unknown_from(&s, span, ev))),
                    }
                }
            }
        }
        "tobool" => {
            let v = arg(args, 0, f)?;
            match vals::bool_of(v) {
                Some(b) => Ok(Value::Bool(b, v.span())),
                None if v.is_null() => Ok(v.clone()),
                None if vals::has_unknown(v) => Err(Fail::Unknown(v.clone())),
                None => err("tobool: not a boolean"),
            }
        }
        "indent" => {
            let s = s_arg(args, 1, f)?;
            Ok(Value::Str(vals::computed(s.text.clone(), &s)))
        }
        // --- collections ------------------------------------------------------------------------
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                match a {
                    Value::List(items, _) => out.extend(items.iter().cloned()),
                    // An unknown list stays as an unknown element, so known elements stay analysable.
                    Value::Unknown(_) => out.push(a.clone()),
                    Value::Null(_) => return err("concat: an argument is null"),
                    other if vals::opaque(other).is_some() => out.extend(vals::opaque(other)),
                    _ => return err("concat needs lists"),
                }
            }
            Ok(Value::List(out, sp))
        }
        "flatten" => {
            let l = list_arg(args, 0, f)?;
            let mut out = Vec::new();
            flatten_into(l, &mut out, 0);
            Ok(Value::List(out, sp))
        }
        "distinct" | "toset" => {
            let v = arg(args, 0, f)?;
            let items = match v {
                Value::List(items, _) => items,
                Value::Null(_) => return Ok(v.clone()),
                _ => return list_arg(args, 0, f).map(|_| v.clone()),
            };
            let mut out: Vec<Value> = Vec::new();
            for x in items {
                let x = if f == "toset" {
                    to_string_item(x)
                } else {
                    x.clone()
                };
                if !out.iter().any(|y| vals::equal(y, &x) == Some(true)) {
                    out.push(x);
                }
            }
            Ok(Value::List(out, v.span()))
        }
        "tolist" | "tomap" | "sensitive" | "nonsensitive" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
                _ => Ok(v.clone()),
            }
        }
        "compact" => {
            let l = list_arg(args, 0, f)?;
            Ok(Value::List(
                l.iter()
                    .filter(|x| !x.is_null() && !matches!(x, Value::Str(s) if s.text.is_empty()))
                    .cloned()
                    .collect(),
                sp,
            ))
        }
        "merge" => {
            let mut out: Vec<(Str, Value)> = Vec::new();
            for a in args {
                match a {
                    Value::Map(entries, _) => {
                        for (k, x) in entries {
                            out.retain(|(k2, _)| {
                                !(k2.is_known() && k.is_known() && k2.text == k.text)
                            });
                            out.push((k.clone(), x.clone()));
                        }
                    }
                    Value::Null(_) => {}
                    Value::Unknown(_) => return Err(Fail::Unknown(a.clone())),
                    _ => return err("merge needs maps"),
                }
            }
            Ok(Value::Map(out, sp))
        }
        "lookup" => {
            let m = arg(args, 0, f)?;
            let (_, k) = k_arg(args, 1, f, span, ev)?;
            match m {
                Value::Map(..) => match m.get(&k) {
                    Some(v) => Ok(v.clone()),
                    None => match args.get(2) {
                        Some(d) => Ok(d.clone()),
                        None => err(format!("lookup: no key \"{k}\"")),
                    },
                },
                Value::Unknown(_) => Err(Fail::Unknown(m.clone())),
                _ => err("lookup needs a map"),
            }
        }
        "element" => {
            let l = list_arg(args, 0, f)?;
            let i = n_arg(args, 1, f)?;
            if l.is_empty() {
                return err("element: the list is empty");
            }
            let idx = (i.max(0.0) as usize) % l.len();
            Ok(l.get(idx).cloned().unwrap_or(Value::Null(sp)))
        }
        "index" => {
            let l = list_arg(args, 0, f)?;
            let v = arg(args, 1, f)?;
            match l.iter().position(|x| vals::equal(x, v) == Some(true)) {
                Some(i) => Ok(num(i as f64, sp)),
                None => err("index: the value is not in the list"),
            }
        }
        "length" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::List(items, _) => Ok(num(items.len() as f64, sp)),
                Value::Map(entries, _) => Ok(num(entries.len() as f64, sp)),
                Value::Str(s) if s.is_known() => Ok(num(s.text.chars().count() as f64, sp)),
                Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
                Value::Str(s) => Err(Fail::Unknown(unknown_from(s, span, ev))),
                _ => err("length needs a collection or string"),
            }
        }
        "keys" | "values" => {
            let m = map_arg(args, 0, f)?;
            let mut entries: Vec<&(Str, Value)> = m.iter().collect();
            // Terraform orders map keys lexically.
            entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
            Ok(Value::List(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        if f == "keys" {
                            Value::Str(k.clone())
                        } else {
                            v.clone()
                        }
                    })
                    .collect(),
                sp,
            ))
        }
        "zipmap" => {
            let ks = list_arg(args, 0, f)?;
            let vs = list_arg(args, 1, f)?;
            let mut out = Vec::new();
            for (k, v) in ks.iter().zip(vs) {
                match vals::to_str(k) {
                    Some(k) => out.push((k, v.clone())),
                    None => return err("zipmap: a key is null"),
                }
            }
            Ok(Value::Map(out, sp))
        }
        "contains" => {
            let l = list_arg(args, 0, f)?;
            let v = arg(args, 1, f)?;
            let mut unknown = false;
            for x in l {
                match vals::equal(x, v) {
                    Some(true) => return Ok(Value::Bool(true, sp)),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            if unknown {
                Err(Fail::Unknown(
                    ev.unknown(span, "the list or value is not known"),
                ))
            } else {
                Ok(Value::Bool(false, sp))
            }
        }
        "one" => {
            let v = arg(args, 0, f)?;
            match v {
                Value::List(items, _) => match items.as_slice() {
                    [] => Ok(Value::Null(sp)),
                    [x] => Ok(x.clone()),
                    _ => err("one: the list has more than one element"),
                },
                Value::Null(_) => Ok(v.clone()),
                Value::Unknown(_) => Err(Fail::Unknown(v.clone())),
                _ => err("one needs a list"),
            }
        }
        "coalesce" => {
            for a in args {
                match a {
                    Value::Null(_) => continue,
                    Value::Str(s) if s.text.is_empty() => continue,
                    Value::Unknown(_) => return Err(Fail::Unknown(a.clone())),
                    other => return Ok(other.clone()),
                }
            }
            err("coalesce: no non-null argument")
        }
        "coalescelist" => {
            for a in args {
                match a {
                    Value::List(items, _) if items.is_empty() => continue,
                    Value::Null(_) => continue,
                    Value::Unknown(_) => return Err(Fail::Unknown(a.clone())),
                    other => return Ok(other.clone()),
                }
            }
            err("coalescelist: no non-empty list")
        }
        "sort" => {
            let l = list_arg(args, 0, f)?;
            let mut items: Vec<Value> = l.to_vec();
            if items
                .iter()
                .any(|x| x.as_str().map(Str::is_known) != Some(true))
            {
                return Err(Fail::Unknown(ev.unknown(span, "sort needs known strings")));
            }
            items.sort_by(|a, b| {
                let ta = a.as_str().map(|s| s.text.as_str()).unwrap_or("");
                let tb = b.as_str().map(|s| s.text.as_str()).unwrap_or("");
                ta.cmp(tb)
            });
            Ok(Value::List(items, sp))
        }
        "reverse" => {
            let l = list_arg(args, 0, f)?;
            Ok(Value::List(l.iter().rev().cloned().collect(), sp))
        }
        "slice" => {
            let l = list_arg(args, 0, f)?;
            let a = n_arg(args, 1, f)?.max(0.0) as usize;
            let b = n_arg(args, 2, f)?.max(0.0) as usize;
            match l.get(a..b.min(l.len())) {
                Some(s) if a <= b => Ok(Value::List(s.to_vec(), sp)),
                _ => err("slice: indexes out of range"),
            }
        }
        "range" => {
            let nums: Result<Vec<f64>, Fail> = (0..args.len()).map(|i| n_arg(args, i, f)).collect();
            let nums = nums?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
                [s, e, st] => (*s, *e, *st),
                _ => return err("range needs one to three arguments"),
            };
            if step == 0.0 {
                return err("range: step is zero");
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                if out.len() >= vals::MAX_ITEMS {
                    return Err(Fail::Unknown(ev.unknown(span, "range is too large")));
                }
                out.push(num(x, sp));
                x += step;
            }
            Ok(Value::List(out, sp))
        }
        "setunion" => {
            let mut out: Vec<Value> = Vec::new();
            for i in 0..args.len() {
                for x in list_arg(args, i, f)? {
                    if !out.iter().any(|y| vals::equal(y, x) == Some(true)) {
                        out.push(x.clone());
                    }
                }
            }
            Ok(Value::List(out, sp))
        }
        "setintersection" | "setsubtract" => {
            let first = list_arg(args, 0, f)?;
            let mut out: Vec<Value> = first.to_vec();
            for i in 1..args.len() {
                let other = list_arg(args, i, f)?;
                let keep_in = f == "setintersection";
                out.retain(|x| other.iter().any(|y| vals::equal(x, y) == Some(true)) == keep_in);
            }
            Ok(Value::List(out, sp))
        }
        "alltrue" | "anytrue" => {
            let l = list_arg(args, 0, f)?;
            let bs: Vec<Option<bool>> = l.iter().map(vals::bool_of).collect();
            if bs.iter().any(Option::is_none) {
                return Err(Fail::Unknown(ev.unknown(span, "an element is not known")));
            }
            let all = bs.iter().all(|b| *b == Some(true));
            let any = bs.contains(&Some(true));
            Ok(Value::Bool(if f == "alltrue" { all } else { any }, sp))
        }
        "max" | "min" | "sum" => {
            let mut ns = Vec::new();
            if f == "sum" {
                for x in list_arg(args, 0, f)? {
                    ns.push(vals::num_of(x).ok_or_else(|| {
                        Fail::Unknown(ev.unknown(span, "an element is not a known number"))
                    })?);
                }
            } else {
                for i in 0..args.len() {
                    ns.push(n_arg(args, i, f)?);
                }
            }
            let r = match f {
                "max" => ns.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                "min" => ns.iter().cloned().fold(f64::INFINITY, f64::min),
                _ => ns.iter().sum(),
            };
            Ok(num(r, sp))
        }
        "abs" | "ceil" | "floor" => {
            let n = n_arg(args, 0, f)?;
            Ok(num(
                match f {
                    "abs" => n.abs(),
                    "ceil" => n.ceil(),
                    _ => n.floor(),
                },
                sp,
            ))
        }
        "parseint" => {
            let (_, s) = k_arg(args, 0, f, span, ev)?;
            let base = n_arg(args, 1, f)?;
            if !(2.0..=36.0).contains(&base) {
                return err("parseint: the base must be between 2 and 36");
            }
            match i64::from_str_radix(&s, base as u32) {
                Ok(n) => Ok(num(n as f64, sp)),
                Err(_) => err("parseint: not a number"),
            }
        }
        // --- files ------------------------------------------------------------------------------
        "file" | "templatefile" | "fileexists" => {
            let (_, p) = k_arg(args, 0, f, span, ev)?;
            let path = match confine(ev, &p, span, f) {
                Ok(p) => p,
                Err(v) if f == "fileexists" && !vals::has_error(&v) => {
                    return Err(Fail::Unknown(v))
                }
                Err(v) => return Err(Fail::Unknown(v)),
            };
            if f == "fileexists" {
                return Ok(Value::Bool(path.is_file(), sp));
            }
            let file = read_file(ev, &path, span)?;
            if f == "file" {
                return Ok(Value::Str(Str::lit(file.text.clone(), Some(file.whole()))));
            }
            let vars = match args.get(1) {
                Some(Value::Map(entries, _)) => entries.clone(),
                Some(v @ Value::Unknown(_)) => return Err(Fail::Unknown(v.clone())),
                Some(_) => return err("templatefile: the variables must be an object"),
                None => return err("templatefile needs two arguments"),
            };
            let text = Str::lit(file.text.clone(), Some(file.whole()));
            Ok(render_template(ev, inst, &text, &vars, span))
        }
        "abspath" | "dirname" | "basename" | "pathexpand" => {
            let s = s_arg(args, 0, f)?;
            match f {
                "dirname" => {
                    let at = s.text.rfind('/').unwrap_or(0);
                    Ok(Value::Str(s.slice_or_empty(0, at)))
                }
                "basename" => {
                    let at = s.text.rfind('/').map(|i| i + 1).unwrap_or(0);
                    Ok(Value::Str(s.slice_or_empty(at, s.text.len())))
                }
                _ => Ok(Value::Str(s)),
            }
        }
        _ => Err(Fail::Unsupported),
    }
}

/// Renders template text held in a [`Str`] (a template file's content, `data "template_file"`) with the
/// given variables: the template sees those names only. Literal parts keep the text's provenance.
pub fn render_template(
    ev: &Eval,
    inst: usize,
    text: &Str,
    vars: &[(Str, Value)],
    span: Span,
) -> Value {
    let t = match hcl::edit::parser::parse_template(&text.text) {
        Ok(t) => t,
        Err(e) => {
            let off = e.location().offset().min(text.text.len());
            let at = text.span_of(off, off + 1).unwrap_or(span);
            ev.diags.borrow_mut().push(Diagnostic::ParseError {
                message: format!("template syntax error: {}", e.message()),
                span: at,
                resource: None,
            });
            return ev.err(span, "the template does not parse");
        }
    };
    // Offsets of the text map to file offsets through the string's provenance.
    let file = text.span().map(|s| s.file).unwrap_or(span.file);
    let mut table: Vec<u32> = Vec::with_capacity(text.text.len() + 1);
    let mut last = span.start;
    for i in 0..text.text.len() {
        let at = match text.span_of(i, i + 1) {
            Some(s) if s.file == file => s.start,
            _ => last,
        };
        table.push(at);
        last = at;
    }
    table.push(
        text.span()
            .filter(|s| s.file == file)
            .map(|s| s.end)
            .unwrap_or(last),
    );
    let whole = text.span().unwrap_or(span);
    let lw = Lowerer {
        file,
        src: &text.text,
        map: Some(&table),
    };
    let parts: Vec<TPart> = lw.template_parts(&t, whole, TKind::Plain);
    let mut scope = Scope::isolated();
    for (k, v) in vars {
        if let Some(name) = k.as_known() {
            scope = scope.with_var(name, v.clone());
        }
    }
    let v = ev.template(inst, &scope, &parts, whole);
    if matches!(parts.as_slice(), [TPart::Interp(..)]) {
        ev.concat(vec![v], whole)
    } else if parts.is_empty() {
        Value::Str(Str::default())
    } else {
        v
    }
}

/// `toset` converts its elements to strings.
fn to_string_item(v: &Value) -> Value {
    match v {
        Value::Number(s) => Value::Str(s.clone()),
        Value::Bool(..) => vals::to_str(v).map(Value::Str).unwrap_or_else(|| v.clone()),
        other => other.clone(),
    }
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>, depth: usize) {
    for x in items {
        match x {
            Value::List(inner, _) if depth < 32 => flatten_into(inner, out, depth + 1),
            other => out.push(other.clone()),
        }
    }
}

/// `format`: verbs `%s`, `%d`, `%v`, `%q`, `%%` (flags and widths are skipped); literal parts of the
/// format string keep their spans, arguments theirs.
fn format(ev: &Eval, args: &[Value], span: Span) -> R {
    let fmt = s_arg(args, 0, "format")?;
    let t = fmt.text.clone();
    let b = t.as_bytes();
    let mut out = Str::default();
    let mut i = 0usize;
    let mut run = 0usize;
    let mut next_arg = 1usize;
    while i < b.len() {
        if b.get(i) != Some(&b'%') {
            i += 1;
            continue;
        }
        out.push_str(&fmt.slice_or_empty(run, i));
        if b.get(i + 1) == Some(&b'%') {
            out.push_str(&fmt.slice_or_empty(i + 1, i + 2));
            i += 2;
            run = i;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && !b.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        let verb = b.get(j).copied().unwrap_or(b's');
        let a = match args.get(next_arg) {
            Some(a) => a,
            None => return err("format: not enough arguments"),
        };
        next_arg += 1;
        match verb {
            b's' | b'd' | b'v' | b'f' | b'g' => match vals::to_str(a) {
                Some(s) => out.push_str(&s),
                None => return err("format: an argument is null"),
            },
            b'q' => match vals::to_str(a) {
                Some(s) => out.push_str(&vals::render_json(&Value::Str(s))),
                None => return err("format: an argument is null"),
            },
            _ => {
                return Err(Fail::Unknown(
                    ev.unknown(span, "format verb is not supported"),
                ))
            }
        }
        i = j + 1;
        run = i;
    }
    out.push_str(&fmt.slice_or_empty(run, t.len()));
    Ok(Value::Str(out))
}

trait SliceOrEmpty {
    fn slice_or_empty(&self, a: usize, b: usize) -> Str;
}

impl SliceOrEmpty for Str {
    fn slice_or_empty(&self, a: usize, b: usize) -> Str {
        if a >= b {
            Str::default()
        } else {
            self.slice(a, b)
        }
    }
}

/// Resolves a `file()` path against the root module directory and checks it stays inside the scan root
/// (lexically and after resolving symlinks). A refusal is a TL900 diagnostic; the file is never read.
fn confine(ev: &Eval, p: &str, span: Span, f: &str) -> Result<PathBuf, Value> {
    let (Some(root_dir), Some(scan_root)) = ev.canonical_dirs() else {
        return Err(ev.unknown(span, "the module directory cannot be resolved"));
    };
    let candidate = if Path::new(p).is_absolute() {
        PathBuf::from(p)
    } else {
        root_dir.join(p)
    };
    let clean = clean_path(&candidate);
    let refuse = |why: &str| {
        ev.diags.borrow_mut().push(Diagnostic::ParseError {
            message: format!("{f}(\"{p}\") refused: {why}"),
            span,
            resource: None,
        });
        ev.unknown(span, format!("{f}() target is outside the scan root"))
    };
    // Besides the scan root, the directories of the modules being evaluated (a local module outside the
    // scanned paths, read because a scanned module calls it) may be read from.
    let allowed = |p: &Path| {
        p.starts_with(scan_root) || ev.module_dirs_abs().iter().any(|d| p.starts_with(d))
    };
    if !allowed(&clean) {
        return Err(refuse("the path is outside the scan root"));
    }
    match std::fs::canonicalize(&clean) {
        Ok(canon) if allowed(&canon) => Ok(canon),
        Ok(_) => Err(refuse(
            "the path leaves the scan root through a symbolic link",
        )),
        Err(_) if f == "fileexists" => Ok(clean),
        Err(e) => Err(error(
            ev.text(span),
            format!("cannot read {p}: {e}"),
            Some(span),
        )),
    }
}

fn read_file(
    ev: &Eval,
    path: &Path,
    span: Span,
) -> Result<std::sync::Arc<crate::source::SourceFile>, Fail> {
    if let Some(f) = ev.sources.find_by_path(path) {
        return Ok(f);
    }
    let rel = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok())
        .and_then(|c| {
            path.strip_prefix(c)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        })
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    match super::module::read_source(path, &rel, ev.sources) {
        Ok(f) => Ok(f),
        Err(d) => {
            let _ = span;
            ev.diags.borrow_mut().push(d);
            err("the file cannot be read")
        }
    }
}
