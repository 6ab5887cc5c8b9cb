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
mod tests;
