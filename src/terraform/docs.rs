//! `data "aws_iam_policy_document"` → a [`Value`] shaped like policy JSON, so it goes through the same
//! `policy::build::document_from_value` as every other policy (spans stay on the HCL source).

use super::ast::{Block, Body};
use super::eval::{Eval, Scope};
use super::vals;
use crate::source::Span;
use crate::value::{Branch, Guard, Str, Value};

fn guarded(guards: &[Guard], v: Value) -> Value {
    if guards.is_empty() {
        return v;
    }
    let label = guards
        .iter()
        .map(|g| g.label.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    Value::Branches(vec![Branch {
        guard: Guard::new(label, guards.first().and_then(|g| g.span)),
        value: v,
    }])
}

/// Blocks of type `ty` in a body, static and `dynamic "ty"`, in source order: each with the scope its
/// content is evaluated in and the guards it exists under.
pub fn blocks_with_dynamic<'b>(
    ev: &Eval,
    inst: usize,
    scope: &Scope,
    body: &'b Body,
    ty: &str,
) -> Vec<(&'b Body, Scope, Vec<Guard>, Span)> {
    let mut out = Vec::new();
    for b in &body.blocks {
        if b.ty == ty {
            out.push((&b.body, scope.clone(), Vec::new(), b.header));
        } else if b.ty == "dynamic" && b.label(0) == Some(ty) {
            dynamic(ev, inst, scope, b, ty, &mut out);
        }
    }
    out
}

fn dynamic<'b>(
    ev: &Eval,
    inst: usize,
    scope: &Scope,
    b: &'b Block,
    ty: &str,
    out: &mut Vec<(&'b Body, Scope, Vec<Guard>, Span)>,
) {
    let Some(content) = b.body.block("content") else {
        return;
    };
    let iterator = b
        .body
        .attr("iterator")
        .and_then(|a| a.expr.traversal_path())
        .and_then(|p| p.first().map(|s| s.to_string()))
        .unwrap_or_else(|| ty.to_string());
    let Some(fe) = b.body.attr("for_each") else {
        return;
    };
    let coll = ev.eval(inst, scope, &fe.expr);
    for (guards, c) in coll.possibilities(vals::MAX_BRANCHES) {
        match ev.iter_pairs(c, fe.expr.span()) {
            Ok(pairs) => {
                for (k, v) in pairs.into_iter().take(vals::MAX_ITEMS) {
                    let it = Value::Map(
                        vec![
                            (vals::synth("key", None), k),
                            (vals::synth("value", None), v),
                        ],
                        Some(fe.span),
                    );
                    out.push((
                        &content.body,
                        scope.with_var(&iterator, it),
                        guards.clone(),
                        b.header,
                    ));
                }
            }
            Err(u) => {
                // Not known: one instance of the content, with an unknown iterator.
                let why = vals::first_unknown(&u)
                    .map(|x| x.why)
                    .unwrap_or_else(|| "not a collection".into());
                let mut g = guards.clone();
                g.push(Guard::new(
                    format!(
                        "dynamic \"{ty}\" for_each {} is not known ({why})",
                        ev.text(fe.expr.span())
                    ),
                    Some(fe.span),
                ));
                let it = Value::Map(
                    vec![
                        (vals::synth("key", None), u.clone()),
                        (vals::synth("value", None), u),
                    ],
                    Some(fe.span),
                );
                out.push((&content.body, scope.with_var(&iterator, it), g, b.header));
            }
        }
    }
}

fn attr_value(ev: &Eval, inst: usize, scope: &Scope, body: &Body, name: &str) -> Option<Value> {
    let a = body.attr(name)?;
    let v = ev.eval(inst, scope, &a.expr);
    if v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// One `statement` block as a policy statement map.
fn statement(ev: &Eval, inst: usize, scope: &Scope, body: &Body, header: Span) -> Value {
    let mut m: Vec<(Str, Value)> = Vec::new();
    let key_span = |n: &str| body.attr(n).map(|a| a.name_span);
    let mut put = |k: &str, span: Option<Span>, v: Value| {
        m.push((Str::lit_with(k, span, false), v));
    };
    if let Some(v) = attr_value(ev, inst, scope, body, "sid") {
        put("Sid", key_span("sid"), v);
    }
    match attr_value(ev, inst, scope, body, "effect") {
        Some(v) => put("Effect", key_span("effect"), v),
        // Terraform's default.
        None => put(
            "Effect",
            Some(header),
            Value::Str(Str::lit_with("Allow", Some(header), false)),
        ),
    }
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = attr_value(ev, inst, scope, body, attr) {
            put(key, key_span(attr), v);
        }
    }
    for (ty, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let blocks = blocks_with_dynamic(ev, inst, scope, body, ty);
        if blocks.is_empty() {
            continue;
        }
        let span = blocks.first().map(|b| b.3);
        let mut entries: Vec<(Str, Value)> = Vec::new();
        let mut star: Option<Value> = None;
        for (pb, ps, guards, _) in &blocks {
            let tv = attr_value(ev, inst, ps, pb, "type");
            let ids = attr_value(ev, inst, ps, pb, "identifiers")
                .unwrap_or_else(|| Value::List(Vec::new(), span));
            let Some(tv) = tv else { continue };
            // A type that depends on a condition gives one guarded entry per possibility.
            for (tguards, t) in tv.possibilities(vals::MAX_BRANCHES) {
                let Some(t) = vals::to_str(t) else { continue };
                let mut g = guards.clone();
                g.extend(tguards);
                let ids = guarded(&g, ids.clone());
                if t.as_known() == Some("*") && blocks.len() == 1 && g.is_empty() {
                    // `type = "*"` renders as `"Principal": "*"`.
                    star = Some(match ids.list_items(1).first() {
                        Some((_, v)) => (*v).clone(),
                        None => Value::Str(t.clone()),
                    });
                    continue;
                }
                match entries
                    .iter_mut()
                    .find(|(k, _)| k.is_known() && t.is_known() && k.text == t.text)
                {
                    Some((_, existing)) => {
                        let mut items = match std::mem::replace(existing, Value::Null(None)) {
                            Value::List(items, _) => items,
                            other => vec![other],
                        };
                        match ids {
                            Value::List(more, _) => items.extend(more),
                            other => items.push(other),
                        }
                        *existing = Value::List(items, span);
                    }
                    None => entries.push((t, ids)),
                }
            }
        }
        let v = match star {
            Some(s) => s,
            None => Value::Map(entries, span),
        };
        put(key, span, v);
    }
    let conds = blocks_with_dynamic(ev, inst, scope, body, "condition");
    if !conds.is_empty() {
        let span = conds.first().map(|c| c.3);
        let mut entries: Vec<(Str, Value)> = Vec::new();
        for (cb, cs, guards, _) in &conds {
            let (Some(test), Some(var)) = (
                attr_value(ev, inst, cs, cb, "test"),
                attr_value(ev, inst, cs, cb, "variable"),
            ) else {
                continue;
            };
            let values = attr_value(ev, inst, cs, cb, "values")
                .unwrap_or_else(|| Value::List(Vec::new(), span));
            let cspan = cb.attr("variable").map(|a| a.span);
            for (tg, t) in test.possibilities(vals::MAX_BRANCHES) {
                for (vg, v) in var.possibilities(vals::MAX_BRANCHES) {
                    let (Some(t), Some(v)) = (vals::to_str(t), vals::to_str(v)) else {
                        continue;
                    };
                    let mut g = guards.clone();
                    g.extend(tg.iter().cloned());
                    g.extend(vg);
                    entries.push((t, Value::Map(vec![(v, guarded(&g, values.clone()))], cspan)));
                }
            }
        }
        put("Condition", span, Value::Map(entries, span));
    }
    Value::Map(m, Some(header))
}

fn sid_of(stmt: &Value) -> Option<String> {
    let s = stmt.get("Sid")?.as_str()?;
    let t = s.as_known()?;
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// Adds statements, replacing earlier ones with the same non-empty `Sid` in place (Terraform's
/// merge for the document's own statements and `override_policy_documents`).
fn merge_override(into: &mut Vec<Value>, stmts: Vec<Value>) {
    for s in stmts {
        match sid_of(&s).and_then(|sid| {
            into.iter()
                .position(|x| sid_of(x).as_deref() == Some(sid.as_str()))
        }) {
            Some(i) => {
                if let Some(slot) = into.get_mut(i) {
                    *slot = s;
                }
            }
            None => into.push(s),
        }
    }
}

/// The statements of a policy value (map, JSON text, list of them), each guarded as its source is.
fn statements_of(ev: &Eval, v: &Value, span: Span) -> Vec<Value> {
    let mut out = Vec::new();
    for (guards, doc) in v.list_items(vals::MAX_ITEMS) {
        let doc = match doc {
            Value::Str(s) => match crate::policy::json::parse_str(s) {
                Ok(d) => d,
                Err(e) => {
                    out.push(ev.err(span, format!("invalid policy JSON: {}", e.message)));
                    continue;
                }
            },
            other => other.clone(),
        };
        if let Value::Map(_, Some(sp)) = &doc {
            ev.merged_docs.borrow_mut().insert(*sp);
        }
        match &doc {
            Value::Map(..) => match doc.get("Statement") {
                Some(Value::List(items, _)) => {
                    out.extend(items.iter().map(|s| guarded(&guards, s.clone())));
                }
                Some(other) => out.push(guarded(&guards, other.clone())),
                None => {}
            },
            Value::Unknown(_) => out.push(doc.clone()),
            _ => {}
        }
    }
    out
}

/// Evaluates a `data "aws_iam_policy_document"` block (one instance) to a policy-shaped value.
pub fn policy_document(ev: &Eval, inst: usize, scope: &Scope, block: &Block) -> Value {
    let body = &block.body;
    let header = block.header;
    let mut stmts: Vec<Value> = Vec::new();
    for attr in ["source_json", "source_policy_documents"] {
        if let Some(v) = attr_value(ev, inst, scope, body, attr) {
            // Source documents must have unique Sids; they are simply concatenated.
            stmts.extend(statements_of(
                ev,
                &v,
                body.attr(attr).map(|a| a.span).unwrap_or(header),
            ));
        }
    }
    let own: Vec<Value> = blocks_with_dynamic(ev, inst, scope, body, "statement")
        .into_iter()
        .map(|(b, s, guards, h)| guarded(&guards, statement(ev, inst, &s, b, h)))
        .collect();
    merge_override(&mut stmts, own);
    for attr in ["override_json", "override_policy_documents"] {
        if let Some(v) = attr_value(ev, inst, scope, body, attr) {
            let more = statements_of(ev, &v, body.attr(attr).map(|a| a.span).unwrap_or(header));
            merge_override(&mut stmts, more);
        }
    }
    let mut m = Vec::new();
    let version = attr_value(ev, inst, scope, body, "version")
        .unwrap_or_else(|| Value::Str(Str::lit_with("2012-10-17", Some(header), false)));
    m.push((Str::lit_with("Version", Some(header), false), version));
    if let Some(id) = attr_value(ev, inst, scope, body, "policy_id") {
        m.push((Str::lit_with("Id", Some(header), false), id));
    }
    m.push((
        Str::lit_with("Statement", Some(header), false),
        Value::List(stmts, Some(header)),
    ));
    Value::Map(m, Some(header))
}

/// Whether a policy document block could be a trust document (has principals somewhere or merges other
/// documents), before evaluating it.
pub fn may_be_trust(block: &Block) -> bool {
    fn has(body: &Body) -> bool {
        body.blocks.iter().any(|b| {
            matches!(b.ty.as_str(), "principals" | "not_principals")
                || (b.ty == "dynamic"
                    && matches!(b.label(0), Some("principals" | "not_principals")))
                || has(&b.body)
        })
    }
    has(&block.body)
        || [
            "source_json",
            "source_policy_documents",
            "override_json",
            "override_policy_documents",
        ]
        .iter()
        .any(|a| block.body.attr(a).is_some())
}
