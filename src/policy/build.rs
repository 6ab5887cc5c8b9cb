//! Building a [`PolicyDocument`] from a [`Value`] tree (the common path for every front end).
//!
//! Whatever the front end (JSON text, HCL `jsonencode`, a `data "aws_iam_policy_document"`, CloudFormation
//! YAML), the policy arrives as a [`Value`] and is judged here, once:
//! - element names match exactly or case-insensitively (`Statement`, `statement`);
//! - branches ([`Value::Branches`]) become guards: a branch in the `Statement` list guards the statement, one
//!   in a principal, action or condition-value list guards that entry, and a branch on a whole `Effect` or
//!   `Condition` element splits the statement into one variant per branch;
//! - unknown parts are collected in [`PolicyDocument::unknowns`] (TL901) and the affected entry is
//!   unresolved, never guessed;
//! - everything malformed is a [`Problem`] with a span (TL900). Nothing here panics.

use super::condition::{Condition, OpBase, Operator};
use super::principal::{PrincipalEntry, PrincipalType};
use super::{json, Effect, Item, PolicyDocument, Principal, Principals, Problem, Statement};
use crate::source::Span;
use crate::value::{Guard, Str, Unknown, Value};

/// Most possibilities (branches × list items) followed for one element; past it the rest is dropped with a
/// problem, so `count`/`for_each` explosions stay bounded.
pub const LIMIT: usize = 256;

/// Policy versions IAM accepts.
pub const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

/// Converts a policy value (`{"Version": …, "Statement": [...]}`) into the model. Never fails: malformed
/// parts become [`super::Problem`]s, unresolved parts [`crate::value::Unknown`]s. A string value is parsed
/// as JSON first (with [`json::parse_str`], keeping its provenance).
pub fn document_from_value(value: &Value) -> PolicyDocument {
    let mut b = Builder {
        doc: PolicyDocument {
            span: value.span(),
            ..PolicyDocument::default()
        },
        next_index: 0,
    };
    b.document(value, &[], 0);
    b.doc
}

/// [`document_from_value`] for a role trust policy. Statements without a `Principal` are not problems of
/// the document: TL900 reports them itself (it knows which documents are trust policies, whichever front
/// end built them), so adding them here would report them twice.
pub fn trust_document_from_value(value: &Value) -> PolicyDocument {
    document_from_value(value)
}

/// Statements of a trust document that IAM rejects for lack of a `Principal` (what TL900 reports).
pub fn statements_without_principal(doc: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    doc.statements
        .iter()
        .filter(|st| st.principals.is_none() && st.not_principals.is_none())
}

/// Whether an element's value may turn out to be nothing: unresolved, null, empty, or a branch that is.
fn maybe_absent(v: &Value, depth: usize) -> bool {
    if depth > 32 {
        return true;
    }
    match v {
        Value::Unknown(_) | Value::Null(_) => true,
        Value::Str(s) => s
            .parts
            .iter()
            .all(|p| matches!(p.origin, crate::value::Origin::Unknown(_))),
        Value::List(items, _) => items.iter().all(|i| maybe_absent(i, depth + 1)),
        Value::Map(entries, _) => entries
            .iter()
            .all(|(k, v)| k.has_unknown() || maybe_absent(v, depth + 1)),
        Value::Branches(bs) => bs.iter().any(|b| maybe_absent(&b.value, depth + 1)),
        Value::Bool(..) | Value::Number(_) => false,
    }
}

fn push_problem(list: &mut Vec<Problem>, p: Problem) {
    if !list.contains(&p) {
        list.push(p);
    }
}

/// The canonical element name for a key written in any case, if it is one of `names`.
fn element<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .find(|n| **n == key)
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(key)))
        .copied()
}

const DOC_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

struct Builder {
    doc: PolicyDocument,
    next_index: usize,
}

/// The elements of one statement, gathered from its map (duplicate keys merged in order).
#[derive(Default)]
struct Parts<'a> {
    sid: Option<&'a Value>,
    effect: Option<&'a Value>,
    principal: Vec<&'a Value>,
    not_principal: Vec<&'a Value>,
    action: Vec<&'a Value>,
    not_action: Vec<&'a Value>,
    resource: Vec<(&'a Str, &'a Value)>,
    not_resource: Vec<(&'a Str, &'a Value)>,
    condition: Vec<&'a Value>,
}

impl Builder {
    fn unknown(&mut self, u: &Unknown) {
        if !self
            .doc
            .unknowns
            .iter()
            .any(|x| x.expr == u.expr && x.span == u.span)
        {
            self.doc.unknowns.push(u.clone());
        }
    }

    fn unknowns_of(&mut self, s: &Str) {
        let us: Vec<Unknown> = s.unknowns().cloned().collect();
        for u in &us {
            self.unknown(u);
        }
    }

    fn problem(&mut self, message: impl Into<String>, span: Option<Span>) {
        let p = Problem {
            message: message.into(),
            span: span.or(self.doc.span),
        };
        push_problem(&mut self.doc.problems, p);
    }

    /// Possibilities of a value, with a problem when the limit cut some off.
    fn possibilities<'v>(&mut self, v: &'v Value, what: &str) -> Vec<(Vec<Guard>, &'v Value)> {
        let out = v.possibilities(LIMIT + 1);
        self.check_limit(out, what, v.span())
    }

    fn list_items<'v>(&mut self, v: &'v Value, what: &str) -> Vec<(Vec<Guard>, &'v Value)> {
        let out = v.list_items(LIMIT + 1);
        self.check_limit(out, what, v.span())
    }

    fn check_limit<'v>(
        &mut self,
        mut out: Vec<(Vec<Guard>, &'v Value)>,
        what: &str,
        span: Option<Span>,
    ) -> Vec<(Vec<Guard>, &'v Value)> {
        if out.len() > LIMIT {
            out.truncate(LIMIT);
            self.problem(
                format!("{what} has more than {LIMIT} possible values; only the first {LIMIT} are analysed"),
                span,
            );
        }
        out
    }

    fn document(&mut self, value: &Value, guards: &[Guard], depth: usize) {
        match value {
            Value::Map(entries, span) => self.document_map(entries, *span, guards),
            Value::Unknown(u) => self.unknown(u),
            Value::Str(s) if depth == 0 => match json::parse_str(s) {
                Ok(v) => {
                    if self.doc.span.is_none() {
                        self.doc.span = v.span();
                    }
                    self.document(&v, guards, depth + 1);
                }
                Err(e) => self.problem(
                    format!("the policy is not valid JSON: {}", e.describe(&s.text)),
                    e.span_in(s),
                ),
            },
            Value::Branches(_) => {
                for (g, v) in self.possibilities(value, "the policy document") {
                    let mut gs = guards.to_vec();
                    gs.extend(g);
                    self.document(v, &gs, depth + 1);
                }
            }
            Value::Null(span) => {
                if guards.is_empty() {
                    self.problem("the policy document is empty (null)", *span)
                }
            }
            other => self.problem(
                format!(
                    "a policy document must be an object with a Statement, not {}",
                    kind_name(other)
                ),
                other.span(),
            ),
        }
    }

    fn document_map(&mut self, entries: &[(Str, Value)], span: Option<Span>, guards: &[Guard]) {
        let mut statement: Option<&Value> = None;
        for (k, v) in entries {
            if !k.is_known() {
                self.unknowns_of(k);
                continue;
            }
            match element(&k.text, &DOC_ELEMENTS) {
                Some("Version") => self.version(v),
                Some("Id") => {}
                Some("Statement") => statement = Some(v),
                _ => self.problem(
                    format!(
                        "unknown element \"{}\" in the policy document (expected Version, Id, Statement)",
                        k.text
                    ),
                    k.span(),
                ),
            }
        }
        let Some(stmts) = statement else {
            self.problem("the policy document has no Statement", span);
            return;
        };
        // An empty Statement list is not reported: Terraform renders one for a policy document whose
        // `dynamic "statement"` blocks iterate over nothing, which is often never deployed.
        let items = self.list_items(stmts, "Statement");
        for (g, item) in items {
            let mut gs = guards.to_vec();
            gs.extend(g);
            let index = self.next_index;
            self.next_index += 1;
            match item {
                Value::Map(entries, sspan) => self.statement(entries, *sspan, index, &gs),
                Value::Unknown(u) => self.unknown(u),
                Value::Null(_) => {}
                other => self.problem(
                    format!("a statement must be an object, not {}", kind_name(other)),
                    other.span(),
                ),
            }
        }
    }

    fn version(&mut self, v: &Value) {
        match v {
            // YAML may hand an unquoted version over as a number-like scalar.
            Value::Str(s) | Value::Number(s) if s.is_known() => {
                if !VERSIONS.contains(&s.text.as_str()) {
                    self.problem(
                        format!(
                            "Version \"{}\" is not a policy language version (use \"2012-10-17\")",
                            s.text
                        ),
                        s.span(),
                    );
                }
                if self.doc.version.is_none() {
                    self.doc.version = Some(s.clone());
                }
            }
            Value::Str(s) => {
                self.unknowns_of(s);
                if self.doc.version.is_none() {
                    self.doc.version = Some(s.clone());
                }
            }
            Value::Unknown(u) => self.unknown(u),
            Value::Branches(_) => {
                for (_, p) in self.possibilities(v, "Version") {
                    self.version(p);
                }
            }
            Value::Null(_) => {}
            other => self.problem(
                format!("Version must be a string, not {}", kind_name(other)),
                other.span(),
            ),
        }
    }

    fn statement(
        &mut self,
        entries: &[(Str, Value)],
        span: Option<Span>,
        index: usize,
        guards: &[Guard],
    ) {
        let mut parts = Parts::default();
        for (k, v) in entries {
            if !k.is_known() {
                self.unknowns_of(k);
                continue;
            }
            if v.is_null() {
                // `null` (Terraform) and `AWS::NoValue` (CloudFormation) mean the element is absent.
                continue;
            }
            let name = element(&k.text, &STATEMENT_ELEMENTS);
            if let (
                Some("NotAction" | "NotPrincipal" | "Resource" | "NotResource"),
                Value::Unknown(u),
            ) = (name, v)
            {
                // An unresolved optional element may just as well be absent (Terraform's
                // `try(each.value.not_actions, null)`): it is reported, never taken as present.
                self.unknown(u);
                continue;
            }
            match name {
                Some("Sid") => parts.sid = Some(v),
                Some("Effect") => parts.effect = Some(v),
                Some("Principal") => parts.principal.push(v),
                Some("NotPrincipal") => parts.not_principal.push(v),
                Some("Action") => parts.action.push(v),
                Some("NotAction") => parts.not_action.push(v),
                Some("Resource") => parts.resource.push((k, v)),
                Some("NotResource") => parts.not_resource.push((k, v)),
                Some("Condition") => parts.condition.push(v),
                _ => self.problem(
                    format!(
                        "unknown element \"{}\" in a statement (expected Sid, Effect, Principal, Action, Resource, Condition…)",
                        k.text
                    ),
                    k.span(),
                ),
            }
        }

        // Elements whose whole value branches split the statement into variants.
        let effects: Vec<(Vec<Guard>, Option<&Value>)> = match parts.effect {
            Some(v) => self
                .possibilities(v, "Effect")
                .into_iter()
                .map(|(g, v)| (g, Some(v)))
                .collect(),
            None => vec![(Vec::new(), None)],
        };
        let mut condition_variants: Vec<(Vec<Guard>, Vec<&Value>)> = vec![(Vec::new(), Vec::new())];
        for cv in &parts.condition {
            let poss = self.possibilities(cv, "Condition");
            let mut next = Vec::new();
            for (g0, vs) in &condition_variants {
                for (g, v) in &poss {
                    if next.len() >= LIMIT {
                        break;
                    }
                    let mut gs = g0.clone();
                    gs.extend(g.iter().cloned());
                    let mut vs2 = vs.clone();
                    vs2.push(*v);
                    next.push((gs, vs2));
                }
            }
            condition_variants = next;
        }

        let sid = parts.sid.and_then(|v| self.scalar_str(v, "Sid"));
        let actions = self.items(&parts.action, "Action");
        let not_actions = if parts.not_action.is_empty() {
            None
        } else {
            Some(self.items(&parts.not_action, "NotAction"))
        };
        let principals = self.principals(&parts.principal, "Principal");
        let not_principals = self.principals(&parts.not_principal, "NotPrincipal");
        let resource_vals: Vec<&Value> = parts.resource.iter().map(|(_, v)| *v).collect();
        let not_resource_vals: Vec<&Value> = parts.not_resource.iter().map(|(_, v)| *v).collect();
        let resources = if resource_vals.is_empty() {
            None
        } else {
            Some(self.items(&resource_vals, "Resource"))
        };
        let not_resources = if not_resource_vals.is_empty() {
            None
        } else {
            Some(self.items(&not_resource_vals, "NotResource"))
        };
        let resource_span = parts
            .resource
            .first()
            .or(parts.not_resource.first())
            .and_then(|(k, _)| k.span());

        if parts.action.is_empty() && parts.not_action.is_empty() {
            self.problem("the statement has no Action or NotAction", span);
        }
        // Only elements that are surely present conflict: a `dynamic` block over an unresolved collection
        // may produce nothing at all.
        let present = |vs: &[&Value]| vs.iter().any(|v| !maybe_absent(v, 0));
        let resource_vals_all: Vec<&Value> = parts.resource.iter().map(|(_, v)| *v).collect();
        let not_resource_vals_all: Vec<&Value> =
            parts.not_resource.iter().map(|(_, v)| *v).collect();
        if present(&parts.action) && present(&parts.not_action) {
            self.problem("the statement has both Action and NotAction", span);
        }
        if present(&parts.principal) && present(&parts.not_principal) {
            self.problem("the statement has both Principal and NotPrincipal", span);
        }
        if present(&resource_vals_all) && present(&not_resource_vals_all) {
            self.problem("the statement has both Resource and NotResource", span);
        }

        let mut first = true;
        for (eg, effect_value) in &effects {
            let (effect, effect_span) = match effect_value {
                Some(v) => self.effect(v, true),
                None => {
                    if first {
                        self.problem("the statement has no Effect (Allow or Deny)", span);
                    }
                    (Effect::Unknown, None)
                }
            };
            for (cg, cvals) in &condition_variants {
                let conditions = self.conditions(cvals, true);
                first = false;
                let mut gs = guards.to_vec();
                gs.extend(eg.iter().cloned());
                gs.extend(cg.iter().cloned());
                self.doc.statements.push(Statement {
                    index,
                    sid: sid.clone(),
                    effect,
                    effect_span,
                    actions: actions.clone(),
                    not_actions: not_actions.clone(),
                    principals: principals.clone(),
                    not_principals: not_principals.clone(),
                    resources: resources.clone(),
                    not_resources: not_resources.clone(),
                    resource_span,
                    conditions,
                    span,
                    guards: gs,
                });
            }
        }
    }

    /// A scalar string element (Sid).
    fn scalar_str(&mut self, v: &Value, what: &str) -> Option<Str> {
        match v {
            Value::Str(s) | Value::Number(s) => {
                self.unknowns_of(s);
                Some(s.clone())
            }
            Value::Unknown(u) => {
                self.unknown(u);
                Some(Str::unknown(u.clone()))
            }
            Value::Null(_) => None,
            Value::Branches(_) => {
                let poss = self.possibilities(v, what);
                poss.first().and_then(|(_, p)| self.scalar_str(p, what))
            }
            other => {
                self.problem(
                    format!("{what} must be a string, not {}", kind_name(other)),
                    other.span(),
                );
                None
            }
        }
    }

    fn effect(&mut self, v: &Value, report: bool) -> (Effect, Option<Span>) {
        match v {
            Value::Str(s) => match s.as_known() {
                Some("Allow") => (Effect::Allow, s.span()),
                Some("Deny") => (Effect::Deny, s.span()),
                Some(other) => {
                    if report {
                        self.problem(
                            format!("Effect \"{other}\" is neither \"Allow\" nor \"Deny\" (IAM is case-sensitive here)"),
                            s.span(),
                        );
                    }
                    (Effect::Unknown, s.span())
                }
                None => {
                    self.unknowns_of(s);
                    (Effect::Unknown, s.span())
                }
            },
            Value::Unknown(u) => {
                self.unknown(u);
                (Effect::Unknown, u.span)
            }
            Value::Null(span) => {
                if report {
                    self.problem("the statement has no Effect (Allow or Deny)", *span);
                }
                (Effect::Unknown, *span)
            }
            other => {
                if report {
                    self.problem(
                        format!(
                            "Effect must be \"Allow\" or \"Deny\", not {}",
                            kind_name(other)
                        ),
                        other.span(),
                    );
                }
                (Effect::Unknown, other.span())
            }
        }
    }

    /// String-or-list elements (Action, Resource, condition values) as guarded items.
    fn items(&mut self, values: &[&Value], what: &str) -> Vec<Item> {
        let mut out = Vec::new();
        for v in values {
            for (guards, item) in self.list_items(v, what) {
                if let Some(value) = self.item_str(item, what) {
                    out.push(Item { value, guards });
                }
            }
        }
        out
    }

    /// One list element as a string: numbers and booleans keep their text (IAM compares condition values
    /// as strings), unknowns stay unknown.
    fn item_str(&mut self, item: &Value, what: &str) -> Option<Str> {
        match item {
            Value::Str(s) | Value::Number(s) => {
                self.unknowns_of(s);
                Some(s.clone())
            }
            Value::Bool(b, span) => Some(Str::lit_with(
                if *b { "true" } else { "false" },
                *span,
                false,
            )),
            Value::Unknown(u) => {
                self.unknown(u);
                Some(Str::unknown(u.clone()))
            }
            Value::Null(_) => None,
            other => {
                self.problem(
                    format!("{what} values must be strings, not {}", kind_name(other)),
                    other.span(),
                );
                None
            }
        }
    }

    fn principals(&mut self, values: &[&Value], what: &str) -> Option<Principals> {
        let first = values.first()?;
        let mut out = Principals {
            span: first.span(),
            entries: Vec::new(),
        };
        for v in values {
            for (guards, p) in self.possibilities(v, what) {
                self.principal_value(p, guards, what, &mut out);
            }
        }
        Some(out)
    }

    fn principal_value(&mut self, v: &Value, guards: Vec<Guard>, what: &str, out: &mut Principals) {
        match v {
            Value::Str(s) => {
                let e = PrincipalEntry::new(PrincipalType::Star, s.clone(), guards);
                self.entry(e, false, out);
            }
            Value::Unknown(u) => {
                self.unknown(u);
                out.entries.push(PrincipalEntry {
                    kind: PrincipalType::Aws,
                    value: Str::unknown(u.clone()),
                    principal: Principal::Unresolved,
                    guards,
                });
            }
            Value::Map(entries, span) => {
                if entries.is_empty() {
                    self.problem(format!("{what} is empty"), *span);
                }
                for (k, val) in entries {
                    if !k.is_known() {
                        self.unknowns_of(k);
                        for (g2, item) in self.list_items(val, what) {
                            let mut gs = guards.clone();
                            gs.extend(g2);
                            if let Some(s) = self.item_str(item, what) {
                                out.entries.push(PrincipalEntry {
                                    kind: PrincipalType::Aws,
                                    value: s,
                                    principal: Principal::Unresolved,
                                    guards: gs,
                                });
                            }
                        }
                        continue;
                    }
                    let kind = PrincipalType::from_key(&k.text);
                    if let PrincipalType::Other(name) = &kind {
                        self.problem(
                            format!(
                                "unknown principal type \"{name}\" in {what} (expected AWS, Service, Federated or CanonicalUser)"
                            ),
                            k.span(),
                        );
                    }
                    // An empty list is accepted: the AWS provider renders `"Service": []` for a
                    // `principals` block over an empty variable, and IAM takes it.
                    let items = self.list_items(val, what);
                    for (g2, item) in items {
                        let mut gs = guards.clone();
                        gs.extend(g2);
                        match item {
                            Value::Str(s) | Value::Number(s) => {
                                let number = matches!(item, Value::Number(_));
                                let e = PrincipalEntry::new(kind.clone(), s.clone(), gs);
                                self.entry(e, number, out);
                            }
                            Value::Unknown(u) => {
                                self.unknown(u);
                                out.entries.push(PrincipalEntry {
                                    kind: kind.clone(),
                                    value: Str::unknown(u.clone()),
                                    principal: Principal::Unresolved,
                                    guards: gs,
                                });
                            }
                            Value::Null(_) => {}
                            other => self.problem(
                                format!(
                                    "{what} {} values must be strings, not {}",
                                    kind.as_str(),
                                    kind_name(other)
                                ),
                                other.span(),
                            ),
                        }
                    }
                }
            }
            Value::Null(_) => {}
            other => self.problem(
                format!(
                    "{what} must be \"*\" or an object such as {{\"AWS\": …}}, not {}",
                    kind_name(other)
                ),
                other.span(),
            ),
        }
    }

    /// Records a principal entry, turning what it could not resolve into unknowns and problems.
    fn entry(&mut self, e: PrincipalEntry, written_as_number: bool, out: &mut Principals) {
        // Unknown parts are reported even when the rest identifies the principal (an ARN whose partition is
        // a variable is still that account's role).
        self.unknowns_of(&e.value);
        match &e.principal {
            // An unknown principal type was reported once, on its key.
            Principal::Invalid { .. } if matches!(e.kind, PrincipalType::Other(_)) => {}
            Principal::Invalid { reason } => {
                let hint = if written_as_number
                    && e.value.text.len() < 12
                    && e.value.text.bytes().all(|b| b.is_ascii_digit())
                {
                    " (it is written as a number, which drops leading zeros; quote it)"
                } else {
                    ""
                };
                self.problem(format!("invalid principal: {reason}{hint}"), e.value.span());
            }
            // Symbolic parts that do not say which principal this is (an attribute known only after deploy):
            // report it as unresolved so the blind spot is visible.
            Principal::Unresolved if !e.value.has_unknown() => {
                let u = Unknown::new(
                    e.value.display(),
                    "its value is only known after deploy, so the principal cannot be identified",
                    e.value.span(),
                );
                self.unknown(&u);
            }
            _ => {}
        }
        out.entries.push(e);
    }

    /// The conditions of one statement variant (each value is one `Condition` element's possibility).
    fn conditions(&mut self, values: &[&Value], report: bool) -> Vec<Condition> {
        let mut out = Vec::new();
        for v in values {
            self.condition_block(v, &[], report, &mut out);
        }
        out
    }

    fn condition_block(
        &mut self,
        v: &Value,
        guards: &[Guard],
        report: bool,
        out: &mut Vec<Condition>,
    ) {
        match v {
            Value::Map(ops, _) => {
                for (op_str, keys) in ops {
                    if !op_str.is_known() {
                        self.unknowns_of(op_str);
                        continue;
                    }
                    let op = Operator::parse(&op_str.text);
                    if let OpBase::Other(name) = &op.base {
                        if report {
                            self.problem(
                                format!("unknown condition operator \"{name}\""),
                                op_str.span(),
                            );
                        }
                    }
                    for (g, kmap) in self.possibilities(keys, "a condition operator") {
                        let mut gs = guards.to_vec();
                        gs.extend(g);
                        match kmap {
                            Value::Map(kvs, _) => {
                                for (key, vals) in kvs {
                                    if !key.is_known() {
                                        self.unknowns_of(key);
                                    }
                                    let mut values = self.items(&[vals], "Condition");
                                    for it in &mut values {
                                        let mut g2 = gs.clone();
                                        g2.append(&mut it.guards);
                                        it.guards = g2;
                                    }
                                    let span = match (key.span(), vals.span()) {
                                        (Some(a), Some(b)) => Some(a.join(&b)),
                                        (a, b) => a.or(b),
                                    };
                                    out.push(Condition {
                                        operator: op_str.clone(),
                                        op: op.clone(),
                                        key: key.clone(),
                                        values,
                                        span,
                                    });
                                }
                            }
                            Value::Unknown(u) => self.unknown(u),
                            Value::Null(_) => {}
                            other => {
                                if report {
                                    self.problem(
                                        format!(
                                            "condition operator \"{}\" must map condition keys to values, not {}",
                                            op_str.text,
                                            kind_name(other)
                                        ),
                                        other.span(),
                                    );
                                }
                            }
                        }
                    }
                }
            }
            Value::Unknown(u) => self.unknown(u),
            Value::Null(_) => {}
            Value::Branches(_) => {
                for (g, p) in self.possibilities(v, "Condition") {
                    let mut gs = guards.to_vec();
                    gs.extend(g);
                    self.condition_block(p, &gs, report, out);
                }
            }
            other => {
                if report {
                    self.problem(
                        format!(
                            "Condition must be an object of operators, not {}",
                            kind_name(other)
                        ),
                        other.span(),
                    );
                }
            }
        }
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null(_) => "null",
        Value::Bool(..) => "a boolean",
        Value::Number(_) => "a number",
        Value::Str(_) => "a string",
        Value::List(..) => "a list",
        Value::Map(..) => "an object",
        Value::Branches(_) => "a conditional value",
        Value::Unknown(_) => "an unresolved value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::condition::SetQualifier;
    use crate::policy::json::{parse, RawMap};
    use crate::policy::principal::AccountRef;
    use crate::source::FileId;
    use crate::value::{Branch, Sym};

    const F: FileId = FileId(7);

    fn doc(text: &str) -> PolicyDocument {
        let v = parse(text, &RawMap { file: F, base: 0 }).unwrap();
        document_from_value(&v)
    }

    fn span_of(text: &str, needle: &str) -> Option<Span> {
        let s = text.find(needle).unwrap();
        Some(Span::new(F, s, s + needle.len()))
    }

    #[test]
    fn exact_spans_survive_json_to_document() {
        let text = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "sts:AssumeRole"
  }
}"#;
        let d = doc(text);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.version.as_ref().unwrap().text, "2012-10-17");
        assert_eq!(d.statements.len(), 1);
        let st = &d.statements[0];
        assert_eq!(st.effect, Effect::Allow);
        assert_eq!(st.effect_span, span_of(text, "Allow"));
        let sstart = text.find("{\n    \"Effect").unwrap();
        let send = text.rfind("}\n}").unwrap() + 1;
        assert_eq!(st.span, Some(Span::new(F, sstart, send)));
        let ps = st.principals.as_ref().unwrap();
        assert_eq!(
            ps.span,
            span_of(text, r#"{"AWS": "arn:aws:iam::123456789012:root"}"#)
        );
        let e = &ps.entries[0];
        assert_eq!(e.kind, PrincipalType::Aws);
        assert_eq!(
            e.principal,
            Principal::Account {
                account: AccountRef::Id("123456789012".into())
            }
        );
        assert_eq!(e.account_span(), span_of(text, "123456789012"));
        assert_eq!(
            e.value.span(),
            span_of(text, "arn:aws:iam::123456789012:root")
        );
        assert_eq!(st.actions[0].value.text, "sts:AssumeRole");
        assert_eq!(st.actions[0].value.span(), span_of(text, "sts:AssumeRole"));
        assert!(st.is_assume_role());
    }

    #[test]
    fn principal_forms_and_duplicate_keys() {
        let text = r#"{"Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
  {"Effect": "Allow", "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:role/x/R"],
                                    "AWS": "333333333333",
                                    "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
   "Action": ["sts:AssumeRole", "sts:TagSession"]}
]}"#;
        let d = doc(text);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.statements.len(), 2);
        assert_eq!(d.statements[1].index, 1);
        let star = &d.statements[0].principal_entries()[0];
        assert_eq!(star.kind, PrincipalType::Star);
        assert_eq!(star.principal, Principal::Wildcard);
        let es = d.statements[1].principal_entries();
        let kinds: Vec<_> = es.iter().map(|e| e.value.text.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "111111111111",
                "arn:aws:iam::222222222222:role/x/R",
                "333333333333",
                "ec2.amazonaws.com",
                "lambda.amazonaws.com"
            ]
        );
        assert_eq!(es[3].kind, PrincipalType::Service);
        assert!(
            matches!(&es[1].principal, Principal::Role { path, name, .. } if path == "/x/" && name == "R")
        );
    }

    #[test]
    fn conditions_keep_duplicates_and_value_types() {
        let text = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
  "Condition": {
    "StringEquals": {"aws:PrincipalOrgID": "o-abc", "sts:ExternalId": ["x", "y"]},
    "StringEquals": {"aws:PrincipalAccount": "111111111111"},
    "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/*"},
    "Bool": {"aws:MultiFactorAuthPresent": true}
  }}}"#;
        let d = doc(text);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let c = &d.statements[0].conditions;
        assert_eq!(c.len(), 5);
        assert_eq!(c[0].key.text, "aws:PrincipalOrgID");
        assert_eq!(c[1].values.len(), 2);
        assert_eq!(c[2].key.text, "aws:PrincipalAccount");
        assert_eq!(c[3].op.set, SetQualifier::ForAnyValue);
        assert_eq!(c[4].values[0].value.text, "true");
        assert_eq!(c[0].values[0].value.span(), span_of(text, "o-abc"));
        assert_eq!(c[0].operator.text, "StringEquals");
        assert_eq!(
            c[1].span,
            span_of(text, r#""sts:ExternalId": ["x", "y"]"#).map(|s| Span::new(
                F,
                s.start as usize + 1,
                s.end as usize
            ))
        );
    }

    #[test]
    fn resource_and_not_elements() {
        let text = r#"{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "111111111111"},
  "NotAction": "iam:*", "Resource": "*"}]}"#;
        let d = doc(text);
        let st = &d.statements[0];
        assert!(st.principals.is_none());
        assert_eq!(st.not_principals.as_ref().unwrap().entries.len(), 1);
        assert_eq!(st.not_actions.as_ref().unwrap()[0].value.text, "iam:*");
        assert_eq!(st.resources.as_ref().unwrap()[0].value.text, "*");
        assert_eq!(st.resource_span, span_of(text, "Resource"));
        assert!(st.allows_action("sts:AssumeRole"));
    }

    #[test]
    fn element_names_match_case_insensitively() {
        let text = r#"{"version": "2012-10-17", "statement": [{"effect": "Deny", "principal": {"aws": "*"},
  "action": "sts:AssumeRole", "condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}]}"#;
        let d = doc(text);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let st = &d.statements[0];
        assert_eq!(st.effect, Effect::Deny);
        assert_eq!(st.principal_entries()[0].principal, Principal::Wildcard);
        assert_eq!(st.conditions.len(), 1);
    }

    fn problems(text: &str) -> Vec<String> {
        doc(text).problems.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn malformed_documents_are_problems_with_spans() {
        let table: Vec<(&str, &str)> = vec![
            (r#"{"Version": "2012-10-17"}"#, "no Statement"),
            (r#"[]"#, "must be an object"),
            (
                r#"{"Version": "2012-10-18", "Statement": []}"#,
                "not a policy language version",
            ),
            (r#"{"Statement": [], "Foo": 1}"#, "unknown element \"Foo\""),
            (r#"{"Statement": ["x"]}"#, "a statement must be an object"),
            (
                r#"{"Statement": {"Effect": "allow", "Action": "sts:AssumeRole", "Principal": "*"}}"#,
                "Effect \"allow\" is neither",
            ),
            (
                r#"{"Statement": {"Action": "sts:AssumeRole", "Principal": "*"}}"#,
                "no Effect",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Principal": "*"}}"#,
                "no Action or NotAction",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "NotAction": "b", "Principal": "*"}}"#,
                "both Action and NotAction",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "11111111111"}}}"#,
                "invalid principal: \"11111111111\" is not a valid account ID",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "arn:aws:iam::123:root"}}}"#,
                "invalid account ID \"123\"",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"Role": "x"}}}"#,
                "unknown principal type \"Role\"",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": ["*"]}}"#,
                "must be \"*\" or an object",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "arn:aws:iam::111111111111:root"}}"#,
                "must be \"*\"",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {}}}"#,
                "Principal is empty",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": [{"a": 1}], "Principal": "*"}}"#,
                "Action values must be strings",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": {"StringEqual": {"k": "v"}}}}"#,
                "unknown condition operator \"StringEqual\"",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": {"StringEquals": "v"}}}"#,
                "must map condition keys to values",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Condition": []}}"#,
                "Condition must be an object",
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": "*", "Sidd": "x"}}"#,
                "unknown element \"Sidd\" in a statement",
            ),
        ];
        let empty = doc(
            r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [], "Service": "ec2.amazonaws.com"}}}"#,
        );
        assert!(empty.problems.is_empty(), "{:?}", empty.problems);
        for (text, needle) in table {
            let d = doc(text);
            assert!(
                d.problems.iter().any(|p| p.message.contains(needle)),
                "{text}: {:?} lacks {needle}",
                d.problems
            );
            assert!(d.problems.iter().all(|p| p.span.is_some()), "{text}");
        }
        // The span of an invalid principal is the principal string.
        let text = r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": "11111111111"}}}"#;
        let d = doc(text);
        assert_eq!(d.problems[0].span, span_of(text, "11111111111"));
        let text =
            r#"{"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"Role": "x"}}}"#;
        let d = doc(text);
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert_eq!(d.problems[0].span, span_of(text, "Role"));
    }

    #[test]
    fn well_formed_documents_have_no_problems() {
        for text in [
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}]}"#,
            r#"{"Version":"2012-10-17","Statement":[]}"#,
        ] {
            assert!(problems(text).is_empty(), "{text}: {:?}", problems(text));
        }
    }

    #[test]
    fn yaml_number_account_hints_at_lost_zero() {
        let v = Value::Map(
            vec![(
                Str::lit("Statement", None),
                Value::Map(
                    vec![
                        (Str::lit("Effect", None), Value::str("Allow", None)),
                        (Str::lit("Action", None), Value::str("sts:AssumeRole", None)),
                        (
                            Str::lit("Principal", None),
                            Value::Map(
                                vec![(
                                    Str::lit("AWS", None),
                                    Value::Number(Str::lit("12345678901", None)),
                                )],
                                None,
                            ),
                        ),
                    ],
                    None,
                ),
            )],
            None,
        );
        let d = document_from_value(&v);
        assert!(
            d.problems[0].message.contains("drops leading zeros"),
            "{:?}",
            d.problems
        );
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Str::lit(k, None), v))
                .collect(),
            None,
        )
    }

    fn branches(items: Vec<(&str, Value)>) -> Value {
        Value::Branches(
            items
                .into_iter()
                .map(|(l, v)| Branch {
                    guard: Guard::new(l, None),
                    value: v,
                })
                .collect(),
        )
    }

    fn s(t: &str) -> Value {
        Value::str(t, None)
    }

    #[test]
    fn branches_become_guards() {
        let stmt = |p: Value| {
            map(vec![
                ("Effect", s("Allow")),
                ("Action", s("sts:AssumeRole")),
                ("Principal", p),
            ])
        };
        let v = map(vec![(
            "Statement",
            Value::List(
                vec![
                    stmt(map(vec![(
                        "AWS",
                        Value::List(
                            vec![
                                s("111111111111"),
                                branches(vec![
                                    ("IsProd is true", s("222222222222")),
                                    ("IsProd is false", Value::Null(None)),
                                ]),
                            ],
                            None,
                        ),
                    )])),
                    branches(vec![(
                        "var.ext is true",
                        stmt(map(vec![("AWS", s("333333333333"))])),
                    )]),
                ],
                None,
            ),
        )]);
        let d = document_from_value(&v);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.statements.len(), 2);
        let es = d.statements[0].principal_entries();
        assert_eq!(es.len(), 2);
        assert!(es[0].guards.is_empty());
        assert_eq!(es[1].guards[0].label, "IsProd is true");
        assert_eq!(d.statements[1].guards[0].label, "var.ext is true");
        assert_eq!(d.statements[1].index, 1);
    }

    #[test]
    fn branching_effect_and_condition_split_the_statement() {
        let v = map(vec![(
            "Statement",
            map(vec![
                (
                    "Effect",
                    branches(vec![("c is true", s("Allow")), ("c is false", s("Deny"))]),
                ),
                ("Action", s("sts:AssumeRole")),
                ("Principal", map(vec![("AWS", s("*"))])),
                (
                    "Condition",
                    branches(vec![
                        (
                            "HasOrg is true",
                            map(vec![(
                                "StringEquals",
                                map(vec![(
                                    "aws:PrincipalOrgID",
                                    branches(vec![("a", s("o-1")), ("b", s("o-2"))]),
                                )]),
                            )]),
                        ),
                        ("HasOrg is false", Value::Null(None)),
                    ]),
                ),
            ]),
        )]);
        let d = document_from_value(&v);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.statements.len(), 4);
        let labels: Vec<Vec<&str>> = d
            .statements
            .iter()
            .map(|s| s.guards.iter().map(|g| g.label.as_str()).collect())
            .collect();
        assert_eq!(labels[0], vec!["c is true", "HasOrg is true"]);
        assert_eq!(labels[3], vec!["c is false", "HasOrg is false"]);
        assert_eq!(d.statements[0].effect, Effect::Allow);
        assert_eq!(d.statements[2].effect, Effect::Deny);
        assert_eq!(d.statements[0].conditions[0].values.len(), 2);
        assert_eq!(d.statements[0].conditions[0].values[1].guards[0].label, "b");
        assert!(d.statements[1].conditions.is_empty());
        assert!(d.statements.iter().all(|s| s.index == 0));
    }

    #[test]
    fn unknowns_are_collected_once_and_entries_unresolved() {
        let u = Unknown::new(
            "var.account",
            "variable has no value",
            Some(Span::new(F, 1, 12)),
        );
        let arn = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::unknown(u.clone()),
            &Str::lit(":root", None),
        ]);
        let v = map(vec![(
            "Statement",
            Value::List(
                vec![
                    map(vec![
                        ("Effect", s("Allow")),
                        ("Action", s("sts:AssumeRole")),
                        (
                            "Principal",
                            map(vec![(
                                "AWS",
                                Value::List(
                                    vec![Value::Str(arn.clone()), Value::Unknown(u.clone())],
                                    None,
                                ),
                            )]),
                        ),
                    ]),
                    map(vec![
                        (
                            "Effect",
                            Value::Unknown(Unknown::new("var.effect", "no value", None)),
                        ),
                        ("Action", s("sts:AssumeRole")),
                        (
                            "Principal",
                            Value::Unknown(Unknown::new("var.p", "no value", None)),
                        ),
                    ]),
                    Value::Unknown(Unknown::new("var.extra", "no value", None)),
                ],
                None,
            ),
        )]);
        let d = document_from_value(&v);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let exprs: Vec<&str> = d.unknowns.iter().map(|u| u.expr.as_str()).collect();
        assert_eq!(
            exprs,
            vec!["var.account", "var.p", "var.effect", "var.extra"]
        );
        let es = d.statements[0].principal_entries();
        assert_eq!(
            es[0].principal,
            Principal::Account {
                account: AccountRef::Unknown
            }
        );
        assert_eq!(es[1].principal, Principal::Unresolved);
        assert_eq!(d.statements[1].effect, Effect::Unknown);
        // A partition variable does not hide the account, but it is still reported.
        let part = Unknown::new("var.partition", "no value", None);
        let arn = Str::concat([
            &Str::lit("arn:", None),
            &Str::unknown(part),
            &Str::lit(":iam::111111111111:root", None),
        ]);
        let v = map(vec![(
            "Statement",
            map(vec![
                ("Effect", s("Allow")),
                ("Action", s("sts:AssumeRole")),
                ("Principal", map(vec![("AWS", Value::Str(arn))])),
            ]),
        )]);
        let d2 = document_from_value(&v);
        assert_eq!(
            d2.statements[0].principal_entries()[0].principal,
            Principal::Account {
                account: AccountRef::Id("111111111111".into())
            }
        );
        assert_eq!(d2.unknowns[0].expr, "var.partition");
        assert_eq!(
            d.statements[1].principal_entries()[0].principal,
            Principal::Unresolved
        );
    }

    #[test]
    fn symbolic_principals_resolve_or_are_reported() {
        let v = map(vec![(
            "Statement",
            map(vec![
                ("Effect", s("Allow")),
                ("Action", s("sts:AssumeRole")),
                (
                    "Principal",
                    map(vec![(
                        "AWS",
                        Value::List(
                            vec![
                                Value::Str(Str::sym(
                                    Sym::RoleArn("m::aws_iam_role.a".into()),
                                    None,
                                )),
                                Value::Str(Str::sym(
                                    Sym::Attr {
                                        resource: "aws_lambda_function.f".into(),
                                        attr: "role".into(),
                                    },
                                    None,
                                )),
                            ],
                            None,
                        ),
                    )]),
                ),
            ]),
        )]);
        let d = document_from_value(&v);
        let es = d.statements[0].principal_entries();
        assert_eq!(
            es[0].principal,
            Principal::RoleRef {
                key: "m::aws_iam_role.a".into()
            }
        );
        assert_eq!(es[1].principal, Principal::Unresolved);
        assert_eq!(d.unknowns.len(), 1);
        assert_eq!(d.unknowns[0].expr, "<aws_lambda_function.f.role>");
    }

    #[test]
    fn string_documents_are_parsed_and_nulls_are_absent() {
        let text = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":null,"Resource":null}}"#;
        let d = document_from_value(&Value::Str(Str::lit(
            text,
            Some(Span::new(F, 50, 50 + text.len())),
        )));
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let st = &d.statements[0];
        assert!(st.resources.is_none());
        assert!(st.conditions.is_empty());
        assert_eq!(
            st.principal_entries()[0].value.span(),
            Some(Span::new(
                F,
                50 + text.find("1111").unwrap(),
                62 + text.find("1111").unwrap()
            ))
        );
        let bad = document_from_value(&Value::Str(Str::lit("{\"Statement\": ", None)));
        assert!(
            bad.problems[0].message.contains("not valid JSON"),
            "{:?}",
            bad.problems
        );
    }

    #[test]
    fn trust_documents_need_principals() {
        let text = r#"{"Statement":[{"Sid":"NoP","Effect":"Allow","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;
        let v = parse(text, &RawMap { file: F, base: 0 }).unwrap();
        let d = trust_document_from_value(&v);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let missing: Vec<usize> = statements_without_principal(&d).map(|s| s.index).collect();
        assert_eq!(missing, vec![0]);
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::*;
    use crate::policy::json::{parse, RawMap};
    use crate::source::FileId;
    use std::path::PathBuf;

    fn has_intrinsic(v: &Value) -> bool {
        match v {
            Value::Map(entries, _) => entries
                .iter()
                .any(|(k, v)| k.text.starts_with("Fn::") || k.text == "Ref" || has_intrinsic(v)),
            Value::List(items, _) => items.iter().any(has_intrinsic),
            _ => false,
        }
    }

    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::Map(entries, _) => {
                for (k, v) in entries {
                    if k.text == "AssumeRolePolicyDocument" || k.text == "PolicyDocument" {
                        out.push(v);
                    } else {
                        collect(v, out, depth + 1);
                    }
                }
            }
            Value::List(items, _) => items.iter().for_each(|i| collect(i, out, depth + 1)),
            _ => {}
        }
    }

    /// Every intrinsic-free policy document in the corpus's CloudFormation JSON templates builds without
    /// problems (a problem there would be a false TL900).
    #[test]
    fn corpus_cloudformation_json_policies_build_cleanly() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent
        };
        let mut checked = 0;
        let mut failures = Vec::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(kind)) = (cols.first(), cols.get(3)) else {
                continue;
            };
            if !path.ends_with(".json") || !matches!(*kind, "cloudformation-json" | "cdk" | "sam") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            let Ok(v) = parse(
                &text,
                &RawMap {
                    file: FileId(0),
                    base: 0,
                },
            ) else {
                continue;
            };
            let mut docs = Vec::new();
            collect(&v, &mut docs, 0);
            for d in docs {
                if has_intrinsic(d) {
                    continue;
                }
                let doc = document_from_value(d);
                checked += 1;
                for p in doc.problems {
                    // Really malformed documents in the corpus (IAM rejects them too).
                    let expected = [
                        // `PolicyDocument: {}` in a SAM translator test.
                        ("managed_policies_everything.json", "has no Statement"),
                        // A YAML date that a converter turned into a timestamp.
                        (
                            "DataDog__kics/",
                            "\"2008-10-17T00:00:00Z\" is not a policy language version",
                        ),
                        ("DataDog__kics/", "\"arn:aws:iam::root\" is not a valid ARN"),
                        // A typo (`dAction`) in a cfn_nag fixture.
                        ("iam_role_not_principal_on_trust.json", "\"dAction\""),
                        (
                            "iam_role_not_principal_on_trust.json",
                            "no Action or NotAction",
                        ),
                    ];
                    if !expected
                        .iter()
                        .any(|(f, m)| path.contains(f) && p.message.contains(m))
                    {
                        failures.push(format!("{path}: {}", p.message));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{checked} checked; problems:\n{}",
            failures.join("\n")
        );
        assert!(checked > 50, "only {checked} documents checked");
    }
}

#[cfg(test)]
mod corpus_plan_tests {
    use super::*;
    use crate::policy::json::{parse, RawMap};
    use crate::source::FileId;
    use std::path::PathBuf;

    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Str>, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::Map(entries, _) => {
                for (k, v) in entries {
                    match v {
                        Value::Str(s)
                            if matches!(
                                k.text.as_str(),
                                "assume_role_policy" | "policy" | "json"
                            ) && s.text.trim_start().starts_with('{') =>
                        {
                            out.push(s)
                        }
                        _ => collect(v, out, depth + 1),
                    }
                }
            }
            Value::List(items, _) => items.iter().for_each(|i| collect(i, out, depth + 1)),
            _ => {}
        }
    }

    /// Policy strings in the corpus's plan files (`terraform show -json`) build without problems.
    #[test]
    fn corpus_plan_policy_strings_build_cleanly() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent
        };
        let mut checked = 0;
        let mut failures = Vec::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(&"plan-json")) = (cols.first(), cols.get(3)) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            let Ok(v) = parse(
                &text,
                &RawMap {
                    file: FileId(0),
                    base: 0,
                },
            ) else {
                continue;
            };
            let mut strs = Vec::new();
            collect(&v, &mut strs, 0);
            for s in strs {
                let doc = document_from_value(&Value::Str(s.clone()));
                checked += 1;
                for p in doc.problems {
                    // A placeholder principal in a terraform-compliance test plan: really invalid.
                    if path.contains("test_issue-203") && p.message.contains("\"something\"") {
                        continue;
                    }
                    failures.push(format!("{path}: {}", p.message));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{checked} checked; problems:\n{}",
            failures.join("\n")
        );
        assert!(checked > 100, "only {checked} policy strings checked");
    }
}

#[cfg(test)]
mod unknown_element_tests {
    use super::*;
    use crate::value::Unknown;

    #[test]
    fn unresolved_optional_elements_are_maybe_absent() {
        let u = |e: &str| Value::Unknown(Unknown::new(e, "each.value is unknown", None));
        let stmt = Value::Map(
            vec![
                (Str::synthetic("Effect"), Value::str("Allow", None)),
                (Str::synthetic("Action"), u("try(each.value.actions, null)")),
                (
                    Str::synthetic("NotAction"),
                    u("try(each.value.not_actions, null)"),
                ),
                (
                    Str::synthetic("Resource"),
                    u("try(each.value.resources, null)"),
                ),
                (
                    Str::synthetic("NotResource"),
                    u("try(each.value.not_resources, null)"),
                ),
                (Str::synthetic("Principal"), Value::str("*", None)),
            ],
            None,
        );
        let d = document_from_value(&Value::Map(
            vec![(Str::synthetic("Statement"), Value::List(vec![stmt], None))],
            None,
        ));
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.unknowns.len(), 4);
        let st = &d.statements[0];
        assert!(st.not_actions.is_none() && st.resources.is_none());
        assert!(
            !st.is_assume_role(),
            "unknown actions never make a trust statement"
        );
    }
}

#[cfg(test)]
mod maybe_absent_tests {
    use super::*;
    use crate::value::{Branch, Unknown};

    #[test]
    fn dynamic_blocks_over_unresolved_collections_do_not_conflict() {
        let maybe = || {
            Value::Branches(vec![
                Branch {
                    guard: Guard::new("statement.value.principals != null is true", None),
                    value: Value::Map(
                        vec![(
                            Str::unknown(Unknown::new("principals.value.type", "unknown", None)),
                            Value::unknown("principals.value.identifiers", "unknown", None),
                        )],
                        None,
                    ),
                },
                Branch {
                    guard: Guard::new("statement.value.principals != null is false", None),
                    value: Value::List(Vec::new(), None),
                },
            ])
        };
        let stmt = Value::Map(
            vec![
                (Str::synthetic("Effect"), Value::str("Allow", None)),
                (Str::synthetic("Action"), Value::str("sts:AssumeRole", None)),
                (Str::synthetic("Principal"), maybe()),
                (Str::synthetic("NotPrincipal"), maybe()),
            ],
            None,
        );
        let d = document_from_value(&Value::Map(vec![(Str::synthetic("Statement"), stmt)], None));
        assert!(
            !d.problems.iter().any(|p| p.message.contains("both")),
            "{:?}",
            d.problems
        );
        assert!(maybe_absent(&maybe(), 0));
        assert!(!maybe_absent(&Value::str("*", None), 0));
    }
}
