//! `data "aws_iam_policy_document"` instances whose `json` is unknown in the plan (read during apply because a
//! dependency is pending): the document is rebuilt from the planned `statement` blocks, whose known parts are
//! in the plan with spans, and whose unknown parts become symbols or TL901 unknowns naming their reference.

use super::build::{get_path, unknown_at, Attr, Builder, Res};
use super::config::Seg;
use crate::value::{Str, Value};

/// The IAM-JSON-shaped value of a policy document data source (`Version`, `Statement`).
pub fn reconstruct(b: &mut Builder, res: &Res) -> Value {
    let mut statements: Vec<Value> = Vec::new();
    // source_policy_documents come first; override_policy_documents replace statements with the same Sid.
    for s in doc_strings(b, res, "source_policy_documents", &mut statements) {
        if let Ok(v) = b.policy_value(&s) {
            statements.extend(statements_of(&v));
        }
    }
    match b.attr(res, &[Seg::Key("statement")]) {
        Attr::Known(Value::List(items, _)) => {
            for i in 0..items.len() {
                statements.push(statement(b, res, i));
            }
        }
        Attr::Unknown(u) => statements.push(u.to_value()),
        _ => {}
    }
    for s in doc_strings(b, res, "override_policy_documents", &mut statements) {
        if let Ok(v) = b.policy_value(&s) {
            for st in statements_of(&v) {
                let sid = sid_of(&st);
                let slot = sid.as_deref().filter(|s| !s.is_empty()).and_then(|sid| {
                    statements
                        .iter()
                        .position(|x| sid_of(x).as_deref() == Some(sid))
                });
                match slot.and_then(|i| statements.get_mut(i)) {
                    Some(x) => *x = st,
                    None => statements.push(st),
                }
            }
        }
    }
    let mut entries: Vec<(Str, Value)> = Vec::new();
    match b.attr(res, &[Seg::Key("version")]) {
        Attr::Known(Value::Str(s)) => {
            entries.push((Str::synthetic("Version"), Value::Str(s.clone())))
        }
        Attr::Unknown(u) => entries.push((Str::synthetic("Version"), u.to_value())),
        _ => {}
    }
    entries.push((
        Str::synthetic("Statement"),
        Value::List(
            statements,
            get_path(&res.values, &[Seg::Key("statement")]).and_then(Value::span),
        ),
    ));
    Value::Map(entries, res.values.span())
}

/// The strings of a `source_policy_documents`-like list; an unknown list becomes an unknown statement.
fn doc_strings(b: &Builder, res: &Res, key: &str, statements: &mut Vec<Value>) -> Vec<Str> {
    match b.attr(res, &[Seg::Key(key)]) {
        Attr::Known(Value::List(items, _)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::Str(s) if !s.text.trim().is_empty() => Some(s.clone()),
                Value::Null(_) => {
                    if let Attr::Unknown(u) = b.attr(res, &[Seg::Key(key), Seg::Idx(i)]) {
                        statements.push(u.to_value());
                    }
                    None
                }
                _ => None,
            })
            .collect(),
        Attr::Unknown(u) => {
            statements.push(u.to_value());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn statements_of(v: &Value) -> Vec<Value> {
    match v.get("Statement") {
        Some(Value::List(items, _)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

fn sid_of(st: &Value) -> Option<String> {
    st.get("Sid")
        .and_then(Value::as_str)
        .map(|s| s.text.clone())
}

/// A string leaf: known, or unknown resolved through the configuration.
fn leaf(b: &Builder, res: &Res, path: &[Seg]) -> Option<Value> {
    match b.attr(res, path) {
        Attr::Known(v @ Value::Str(_)) => Some(v.clone()),
        Attr::Known(_) | Attr::Absent => None,
        Attr::Unknown(u) => Some(Value::Str(u.to_str())),
    }
}

/// A list of strings; unknown elements and unknown lists are kept as unknowns. `None` when absent or empty.
fn list(b: &Builder, res: &Res, path: &[Seg]) -> Option<Value> {
    match b.attr(res, path) {
        Attr::Known(Value::List(items, span)) => {
            if items.is_empty() {
                return None;
            }
            let out = items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null(sp) => {
                        let mut p = path.to_vec();
                        p.push(Seg::Idx(i));
                        match unknown_at(&res.unknown, &p) {
                            Some(_) => match b.attr(res, &p) {
                                Attr::Unknown(u) => Value::Str(u.to_str()),
                                _ => Value::Null(*sp),
                            },
                            None => Value::Null(*sp),
                        }
                    }
                    other => other.clone(),
                })
                .collect();
            Some(Value::List(out, *span))
        }
        Attr::Known(v @ Value::Str(_)) => Some(v.clone()),
        Attr::Known(_) | Attr::Absent => None,
        Attr::Unknown(u) => Some(u.to_value()),
    }
}

fn block_count(res: &Res, path: &[Seg]) -> usize {
    match get_path(&res.values, path) {
        Some(Value::List(items, _)) => items.len(),
        _ => 0,
    }
}

/// `principals`/`not_principals` blocks → `{"AWS": [...], "Service": [...]}` (or `"*"`).
fn principals(b: &Builder, res: &Res, i: usize, block: &str) -> Option<Value> {
    let base = [Seg::Key("statement"), Seg::Idx(i), Seg::Key(block)];
    if let Attr::Unknown(u) = b.attr(res, &base) {
        return Some(u.to_value());
    }
    let n = block_count(res, &base);
    if n == 0 {
        return None;
    }
    let mut entries: Vec<(Str, Value)> = Vec::new();
    for j in 0..n {
        let tpath = [
            Seg::Key("statement"),
            Seg::Idx(i),
            Seg::Key(block),
            Seg::Idx(j),
            Seg::Key("type"),
        ];
        let ipath = [
            Seg::Key("statement"),
            Seg::Idx(i),
            Seg::Key(block),
            Seg::Idx(j),
            Seg::Key("identifiers"),
        ];
        let ids = list(b, res, &ipath).unwrap_or_else(|| Value::List(Vec::new(), None));
        let type_ = match b.attr(res, &tpath) {
            Attr::Known(Value::Str(s)) => s.clone(),
            Attr::Unknown(u) => return Some(u.to_value()),
            _ => continue,
        };
        // The provider writes `type = "*"`, `identifiers = ["*"]` as `"Principal": "*"`.
        if type_.text == "*" {
            if let Some([Value::Str(only)]) = ids.as_list() {
                if only.text == "*" {
                    return Some(Value::Str(only.clone()));
                }
            }
        }
        let items: Vec<Value> = match ids {
            Value::List(items, _) => items,
            other => vec![other],
        };
        match entries.iter_mut().find(|(k, _)| k.text == type_.text) {
            Some((_, Value::List(existing, _))) => existing.extend(items),
            _ => {
                let span = get_path(&res.values, &ipath).and_then(Value::span);
                entries.push((type_, Value::List(items, span)));
            }
        }
    }
    let span = get_path(&res.values, &base).and_then(Value::span);
    Some(Value::Map(entries, span))
}

/// `condition` blocks → `{"test": {"variable": [values]}}`.
fn conditions(b: &Builder, res: &Res, i: usize) -> Option<Value> {
    let base = [Seg::Key("statement"), Seg::Idx(i), Seg::Key("condition")];
    if let Attr::Unknown(u) = b.attr(res, &base) {
        return Some(u.to_value());
    }
    let n = block_count(res, &base);
    if n == 0 {
        return None;
    }
    let mut ops: Vec<(Str, Value)> = Vec::new();
    for j in 0..n {
        let p = |k: &'static str| {
            [
                Seg::Key("statement"),
                Seg::Idx(i),
                Seg::Key("condition"),
                Seg::Idx(j),
                Seg::Key(k),
            ]
        };
        let test = match leaf(b, res, &p("test")) {
            Some(Value::Str(s)) => s,
            _ => continue,
        };
        let variable = match leaf(b, res, &p("variable")) {
            Some(Value::Str(s)) => s,
            _ => continue,
        };
        let values = list(b, res, &p("values")).unwrap_or_else(|| Value::List(Vec::new(), None));
        let op_span = get_path(
            &res.values,
            &[
                Seg::Key("statement"),
                Seg::Idx(i),
                Seg::Key("condition"),
                Seg::Idx(j),
            ],
        )
        .and_then(Value::span);
        let slot = ops
            .iter_mut()
            .find(|(k, _)| k.text == test.text && test.is_known());
        match slot {
            Some((_, Value::Map(vars, _))) => match vars
                .iter_mut()
                .find(|(k, _)| k.text == variable.text && variable.is_known())
            {
                Some((_, Value::List(existing, _))) => {
                    if let Value::List(more, _) = values {
                        existing.extend(more);
                    }
                }
                _ => vars.push((variable, values)),
            },
            _ => ops.push((test, Value::Map(vec![(variable, values)], op_span))),
        }
    }
    Some(Value::Map(
        ops,
        get_path(&res.values, &base).and_then(Value::span),
    ))
}

fn statement(b: &Builder, res: &Res, i: usize) -> Value {
    let at = |k: &'static str| [Seg::Key("statement"), Seg::Idx(i), Seg::Key(k)];
    let mut entries: Vec<(Str, Value)> = Vec::new();
    if let Some(Value::Str(sid)) = leaf(b, res, &at("sid")) {
        if !sid.text.is_empty() {
            entries.push((Str::synthetic("Sid"), Value::Str(sid)));
        }
    }
    // `effect` defaults to Allow in the data source.
    let effect = leaf(b, res, &at("effect")).unwrap_or_else(|| Value::Str(Str::synthetic("Allow")));
    entries.push((Str::synthetic("Effect"), effect));
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = list(b, res, &at(attr)) {
            entries.push((Str::synthetic(key), v));
        }
    }
    if let Some(v) = principals(b, res, i, "principals") {
        entries.push((Str::synthetic("Principal"), v));
    }
    if let Some(v) = principals(b, res, i, "not_principals") {
        entries.push((Str::synthetic("NotPrincipal"), v));
    }
    if let Some(v) = conditions(b, res, i) {
        entries.push((Str::synthetic("Condition"), v));
    }
    let span = get_path(&res.values, &[Seg::Key("statement"), Seg::Idx(i)]).and_then(Value::span);
    Value::Map(entries, span)
}
