//! Turning plan resource instances into the model: roles, identity policies, users, groups, attachments,
//! instance profiles, OIDC providers and standalone trust documents.

use super::account;
use super::collect::{Inst, Insts};
use super::config::{
    expr_at, reference_span, references, significant, ConfigIndex, Followed, Resolver, Seg, Target,
};
use super::datasource;
use super::jsonval;
use crate::model::{
    AttachTarget, Attachment, Decl, Diagnostic, Frontend, Group, InlinePolicy, InstanceProfile,
    Inventory, ManagedPolicy, OidcProvider, Role, StandaloneTrust, Tags, Trust, User,
};
use crate::policy::build::document_from_value;
use crate::policy::json::NoMap;
use crate::policy::{PolicyDocument, Problem};
use crate::source::{SourceFile, Span};
use crate::value::{Str, Sym, Unknown, Value};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// One instance with its values converted.
pub struct Res<'i, 'a> {
    pub idx: usize,
    pub inst: &'i Inst<'a>,
    pub values: Value,
    pub unknown: Value,
    pub exprs: Option<Value>,
}

/// An attribute of an instance.
pub enum Attr<'v> {
    Known(&'v Value),
    Unknown(Unk),
    Absent,
}

/// A value unknown until apply, resolved as far as the configuration allows.
#[derive(Clone, Debug)]
pub struct Unk {
    pub target: Option<Target>,
    /// The plan's resource instance the reference ends at, if any.
    pub instance: Option<usize>,
    pub unknown: Unknown,
    /// Whether the configuration sets the attribute (otherwise the provider computes it).
    pub configured: bool,
}

impl Unk {
    /// Whether the reference was followed to something known (a symbol, a root variable's value).
    pub fn resolved(&self) -> bool {
        matches!(
            self.target,
            Some(Target::Sym(_)) | Some(Target::Value(Value::Str(_)))
        )
    }

    /// As a string: the symbol or value the reference stands for, else an unknown part.
    pub fn to_str(&self) -> Str {
        match &self.target {
            Some(Target::Sym(s)) => Str::sym(s.clone(), self.unknown.span),
            Some(Target::Value(Value::Str(s))) => match self.unknown.span {
                Some(sp) => s.clone().with_hop(sp),
                None => s.clone(),
            },
            _ => Str::unknown(self.unknown.clone()),
        }
    }

    pub fn to_value(&self) -> Value {
        match &self.target {
            Some(Target::Sym(_)) => Value::Str(self.to_str()),
            Some(Target::Value(v)) => v.clone(),
            _ => Value::Unknown(self.unknown.clone()),
        }
    }
}

/// Looks a path up in a converted value.
pub fn get_path<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path {
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Map(..)) => cur.get(k)?,
            (Seg::Idx(i), Value::List(items, _)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Whether `after_unknown` marks the path (or an enclosing value) unknown; the span of the marking key.
pub fn unknown_at(unknown: &Value, path: &[Seg]) -> Option<Option<Span>> {
    let mut cur = unknown;
    let mut last: Option<Span> = None;
    for seg in path {
        if let Value::Bool(true, sp) = cur {
            return Some(last.or(*sp));
        }
        match (seg, cur) {
            (Seg::Key(k), Value::Map(..)) => {
                let (key, v) = cur.get_entry(k)?;
                last = key.span();
                cur = v;
            }
            (Seg::Idx(i), Value::List(items, _)) => {
                cur = items.get(*i)?;
                last = cur.span();
            }
            _ => return None,
        }
    }
    match cur {
        Value::Bool(true, sp) => Some(last.or(*sp)),
        _ => None,
    }
}

fn path_label(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Idx(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The span of `"key": value` in a map converted by [`jsonval::to_value`] (whose keys are quoted strings with
/// content spans), else the value's.
pub fn entry_span(map: &Value, key: &str) -> Option<Span> {
    let (k, v) = map.get_entry(key)?;
    match (k.span(), v.span()) {
        (Some(a), Some(b)) => {
            let quoted = Span::new(a.file, (a.start as usize).saturating_sub(1), a.end as usize);
            Some(quoted.join(&b))
        }
        (a, b) => a.or(b),
    }
}

pub struct Builder<'r, 'a> {
    pub file: &'r SourceFile,
    pub scope: &'r str,
    pub insts: &'r Insts<'a>,
    pub config: &'r ConfigIndex<'a>,
    /// Root module variable values (`variables`), for references that end at one.
    pub variables: &'r HashMap<String, &'a serde_json::value::RawValue>,
    pub this_account: Option<String>,
    pub inv: Inventory,
    /// Data sources whose document a resource uses (not standalone trusts).
    used_docs: HashSet<usize>,
    doc_cache: HashMap<usize, PolicyDocument>,
    /// Decoded trust policy texts of roles, to recognise the data source that produced them.
    role_trust_texts: HashSet<String>,
    /// `aws_iam_role_policy` & co. waiting for their role/user/group.
    pending: Vec<(Pending, Str, InlinePolicy)>,
    /// `aws_iam_group_membership` / `aws_iam_user_group_membership`: (user, group).
    memberships: Vec<(Str, Str)>,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Pending {
    Role,
    User,
    Group,
}

impl<'r, 'a> Builder<'r, 'a> {
    pub fn new(
        file: &'r SourceFile,
        scope: &'r str,
        insts: &'r Insts<'a>,
        config: &'r ConfigIndex<'a>,
        variables: &'r HashMap<String, &'a serde_json::value::RawValue>,
        this_account: Option<String>,
    ) -> Self {
        Builder {
            file,
            scope,
            insts,
            config,
            variables,
            this_account,
            inv: Inventory::default(),
            used_docs: HashSet::new(),
            doc_cache: HashMap::new(),
            role_trust_texts: HashSet::new(),
            pending: Vec::new(),
            memberships: Vec::new(),
        }
    }

    fn resolver(&self) -> Resolver<'r, 'a> {
        Resolver {
            config: self.config,
            insts: self.insts,
            scope: self.scope,
            variables: self.variables,
        }
    }

    fn convert(&mut self, inst: &Inst, raw: Option<&serde_json::value::RawValue>) -> Value {
        let Some(raw) = raw else {
            return Value::Null(None);
        };
        let Some(base) = super::schema::offset_in(&self.file.text, raw.get()) else {
            return Value::Null(None);
        };
        match jsonval::to_value(raw.get(), base, self.file.id) {
            Ok(v) => v,
            Err(e) => {
                self.inv.diagnostics.push(Diagnostic::ParseError {
                    message: format!(
                        "invalid JSON in the values of {}: {}",
                        inst.address, e.message
                    ),
                    span: self.file.span(e.offset, e.offset),
                    resource: Some(inst.address.clone()),
                });
                Value::Null(None)
            }
        }
    }

    pub fn res(&mut self, idx: usize) -> Option<Res<'r, 'a>> {
        let insts: &'r Insts<'a> = self.insts;
        let inst = insts.list.get(idx)?;
        let values = self.convert(inst, inst.values);
        let unknown = self.convert(inst, inst.unknown);
        let exprs = self
            .config
            .resource_exprs(&inst.addr.config_path(), &inst.addr.config_address());
        Some(Res {
            idx,
            inst,
            values,
            unknown,
            exprs,
        })
    }

    pub fn decl(&self, inst: &Inst) -> Decl {
        Decl {
            key: format!("{}::{}", self.scope, inst.address),
            address: inst.address.clone(),
            span: inst.addr_span,
            frontend: Frontend::Plan,
            guards: Vec::new(),
        }
    }

    /// An attribute: known value, unknown (resolved through the configuration), or absent.
    pub fn attr<'v>(&self, res: &'v Res, path: &[Seg]) -> Attr<'v> {
        if let Some(v) = get_path(&res.values, path) {
            if !v.is_null() {
                return Attr::Known(v);
            }
        }
        let Some(span) = unknown_at(&res.unknown, path) else {
            return Attr::Absent;
        };
        Attr::Unknown(self.resolve_unknown(res, path, span))
    }

    fn resolve_unknown(&self, res: &Res, path: &[Seg], span: Option<Span>) -> Unk {
        let label = format!("{}.{}", res.inst.address, path_label(path));
        if !self.config.present {
            return Unk {
                target: None,
                instance: None,
                unknown: Unknown::new(
                    label,
                    "known only after apply (the plan has no configuration section to say where it comes from)",
                    span,
                ),
                configured: true,
            };
        }
        let Some(expr) = res.exprs.as_ref().and_then(|e| expr_at(e, path)) else {
            return Unk {
                target: None,
                instance: None,
                unknown: Unknown::new(label, "computed by the provider during apply", span),
                configured: false,
            };
        };
        let sig = significant(&references(expr));
        if sig.is_empty() {
            return Unk {
                target: None,
                instance: None,
                unknown: Unknown::new(label, "computed during apply", span),
                configured: true,
            };
        }
        let hint = match path.last() {
            Some(Seg::Key("role" | "user" | "group" | "roles" | "users" | "groups")) => {
                Some("name")
            }
            Some(Seg::Key(
                "policy_arn" | "managed_policy_arns" | "permissions_boundary" | "identifiers",
            )) => Some("arn"),
            Some(Seg::Idx(_)) => match path.iter().rev().nth(1) {
                Some(Seg::Key("roles" | "users" | "groups")) => Some("name"),
                Some(Seg::Key("managed_policy_arns" | "identifiers")) => Some("arn"),
                _ => None,
            },
            _ => None,
        };
        let followed = match sig.as_slice() {
            [one] => self.resolver().follow(
                &res.inst.addr.modules,
                res.inst.addr.index.as_deref(),
                one,
                hint,
            ),
            _ => Followed::default(),
        };
        // The configuration lists references, not expressions: `x.url` and `"${x.url}:sub"` look the same.
        // A reference stands for the whole value only where values are identifiers (ARNs, names); a
        // condition key or operator built from one stays unknown.
        let mut followed = followed;
        if matches!(
            path.last(),
            Some(Seg::Key("variable" | "test" | "sid" | "effect"))
        ) && matches!(followed.target, Some(Target::Sym(_)))
        {
            followed.target = None;
        }
        // Point at the reference as the plan's configuration section writes it: it names the expression
        // that received the value; the `after_unknown` marker is the fallback.
        let span = match sig.as_slice() {
            [one] => reference_span(expr, one).or(span),
            _ => span,
        };
        let why = if followed.chain.is_empty() {
            "known only after apply".to_string()
        } else {
            format!(
                "known only after apply (via {})",
                followed.chain.join(" → ")
            )
        };
        Unk {
            target: followed.target,
            instance: followed.instance,
            unknown: Unknown::new(sig.join(", "), why, span),
            configured: true,
        }
    }

    /// A string attribute. Unknown parts are recorded in `unknowns` unless they resolved to a symbol;
    /// attributes the provider computes on its own read as absent.
    fn str_attr(&self, res: &Res, path: &[Seg], unknowns: &mut Vec<Unknown>) -> Option<Str> {
        match self.attr(res, path) {
            Attr::Known(v) => v.as_str().cloned(),
            Attr::Unknown(u) if u.configured => {
                if !u.resolved() {
                    unknowns.push(u.unknown.clone());
                }
                Some(u.to_str())
            }
            Attr::Unknown(_) | Attr::Absent => None,
        }
    }

    /// A list of strings (a single string counts as a one-item list).
    fn str_list(&self, res: &Res, path: &[Seg], unknowns: &mut Vec<Unknown>) -> Vec<Str> {
        match self.attr(res, path) {
            Attr::Known(Value::List(items, _)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::Str(s) => Some(s.clone()),
                    Value::Null(_) => {
                        let mut p = path.to_vec();
                        p.push(Seg::Idx(i));
                        let span = unknown_at(&res.unknown, &p)?;
                        let u = self.resolve_unknown(res, &p, span);
                        if !u.resolved() {
                            unknowns.push(u.unknown.clone());
                        }
                        Some(u.to_str())
                    }
                    _ => None,
                })
                .collect(),
            Attr::Known(Value::Str(s)) => vec![s.clone()],
            Attr::Unknown(u) if u.configured => {
                if !u.resolved() {
                    unknowns.push(u.unknown.clone());
                }
                vec![u.to_str()]
            }
            _ => Vec::new(),
        }
    }

    /// Parses a policy written as a JSON string in the plan, with spans mapped through its escapes.
    pub fn policy_value(&self, s: &Str) -> Result<Value, Problem> {
        let parsed = match jsonval::raw_content(s, &self.file.text) {
            Some((content, base)) => {
                let decoded = jsonval::decode_str(content, base, self.file.id);
                crate::policy::json::parse_str(&decoded).map_err(|e| Problem {
                    message: format!("invalid policy JSON: {}", e.message),
                    span: e.span_in(&decoded),
                })
            }
            // Not a string token of this file (cannot happen for values read from it): no spans inside.
            None => crate::policy::json::parse(&s.text, &NoMap).map_err(|e| Problem {
                message: format!("invalid policy JSON: {}", e.message),
                span: s.span(),
            }),
        };
        parsed.map(|mut v| {
            if let Some(a) = &self.this_account {
                account::rewrite_value(&mut v, a, 0);
            }
            v
        })
    }

    /// A policy document from a JSON string value.
    pub fn policy_doc(&self, s: &Str) -> PolicyDocument {
        match self.policy_value(s) {
            Ok(v) => document_from_value(&v),
            Err(p) => PolicyDocument {
                span: s.span(),
                problems: vec![p],
                ..PolicyDocument::default()
            },
        }
    }

    /// A policy attribute (`assume_role_policy`, `policy`): parsed when known, the data source's document
    /// when it comes from one, else a document holding only the unknown. `None` when absent or empty.
    fn policy_attr(&mut self, res: &Res, path: &[Seg], required: bool) -> Option<PolicyDocument> {
        match self.attr(res, path) {
            Attr::Known(Value::Str(s)) => {
                if s.text.trim().is_empty() {
                    return None;
                }
                Some(self.policy_doc(s))
            }
            Attr::Known(other) => Some(PolicyDocument {
                span: other.span(),
                problems: vec![Problem {
                    message: "policy is not a JSON string".into(),
                    span: other.span(),
                }],
                ..PolicyDocument::default()
            }),
            Attr::Unknown(u) => {
                if let Some(Target::Value(Value::Str(s))) = &u.target {
                    return Some(self.policy_doc(s));
                }
                if let Some(Target::Inst(i)) = u.target {
                    self.used_docs.insert(i);
                    let mut doc = self.data_doc(i);
                    // The document's own spans stay (they are where its values are written); the attribute
                    // that received it is a hop.
                    if let Some(sp) = u.unknown.span {
                        add_hop_doc(&mut doc, sp);
                    }
                    return Some(doc);
                }
                if !u.configured && !required {
                    return None;
                }
                Some(PolicyDocument {
                    span: u.unknown.span,
                    unknowns: vec![u.unknown],
                    ..PolicyDocument::default()
                })
            }
            Attr::Absent => None,
        }
    }

    /// The document of an `aws_iam_policy_document` data source instance (its `json` when known, else
    /// rebuilt from its `statement` blocks with unknown parts named).
    pub fn data_doc(&mut self, idx: usize) -> PolicyDocument {
        if let Some(d) = self.doc_cache.get(&idx) {
            return d.clone();
        }
        let doc = match self.res(idx) {
            Some(res) => match self.attr(&res, &[Seg::Key("json")]) {
                Attr::Known(Value::Str(s)) if !s.text.trim().is_empty() => self.policy_doc(s),
                _ => {
                    let mut v = datasource::reconstruct(self, &res);
                    if let Some(a) = &self.this_account {
                        account::rewrite_value(&mut v, a, 0);
                    }
                    document_from_value(&v)
                }
            },
            None => PolicyDocument::default(),
        };
        self.doc_cache.insert(idx, doc.clone());
        doc
    }

    fn inline_decl(&self, inst: &Inst, what: &str, span: Option<Span>) -> Decl {
        Decl {
            key: format!("{}::{}.{}", self.scope, inst.address, what),
            address: inst.address.clone(),
            span: span.unwrap_or(inst.addr_span),
            frontend: Frontend::Plan,
            guards: Vec::new(),
        }
    }

    fn role(&mut self, res: &Res) {
        let mut unknowns = Vec::new();
        let name = self.str_attr(res, &[Seg::Key("name")], &mut unknowns);
        let path = self.str_attr(res, &[Seg::Key("path")], &mut unknowns);
        let trust_doc = self.policy_attr(res, &[Seg::Key("assume_role_policy")], true);
        if let Some(Value::Str(s)) = get_path(&res.values, &[Seg::Key("assume_role_policy")]) {
            self.role_trust_texts.insert(s.text.clone());
        }
        let trust = trust_doc.map(|doc| Trust {
            doc,
            attr_span: entry_span(&res.values, "assume_role_policy")
                .or_else(|| unknown_at(&res.unknown, &[Seg::Key("assume_role_policy")]).flatten()),
        });
        let max_session_duration = match get_path(&res.values, &[Seg::Key("max_session_duration")])
        {
            Some(v) if !v.is_null() => entry_span(&res.values, "max_session_duration")
                .or(v.span())
                .map(|sp| (v.clone(), sp)),
            _ => None,
        };
        let tags = self.tags(res);
        let mut inline_policies = Vec::new();
        if let Attr::Known(Value::List(items, _)) = self.attr(res, &[Seg::Key("inline_policy")]) {
            for (i, item) in items.iter().enumerate() {
                let p = [Seg::Key("inline_policy"), Seg::Idx(i), Seg::Key("policy")];
                let mut ignored = Vec::new();
                let pname = self.str_attr(
                    res,
                    &[Seg::Key("inline_policy"), Seg::Idx(i), Seg::Key("name")],
                    &mut ignored,
                );
                let Some(doc) = self.policy_attr(res, &p, false) else {
                    continue;
                };
                let decl = self.inline_decl(res.inst, &format!("inline_policy[{i}]"), item.span());
                inline_policies.push(InlinePolicy {
                    name: pname.filter(|n| !n.text.is_empty()),
                    doc,
                    decl,
                });
            }
        }
        let managed_policy_arns =
            self.str_list(res, &[Seg::Key("managed_policy_arns")], &mut unknowns);
        let permissions_boundary =
            self.str_attr(res, &[Seg::Key("permissions_boundary")], &mut unknowns);
        self.inv.roles.push(Role {
            decl: self.decl(res.inst),
            name,
            path,
            trust,
            max_session_duration,
            tags,
            inline_policies,
            managed_policy_arns,
            permissions_boundary,
            unknowns,
        });
    }

    /// Tags: the effective set (`tags_all`, default tags included) when known, else `tags`.
    fn tags(&self, res: &Res) -> Option<Tags> {
        let own = self.attr(res, &[Seg::Key("tags")]);
        let all = self.attr(res, &[Seg::Key("tags_all")]);
        let own_span = match &own {
            Attr::Known(v) => entry_span(&res.values, "tags").or(v.span()),
            Attr::Unknown(u) => u.unknown.span,
            Attr::Absent => None,
        };
        let keys_of = |v: &Value| -> (Vec<Str>, bool) {
            match v {
                Value::Map(entries, _) => (
                    entries.iter().map(|(k, _)| k.clone()).collect(),
                    entries.iter().all(|(_, v)| !matches!(v, Value::Unknown(_))),
                ),
                _ => (Vec::new(), false),
            }
        };
        let (keys, complete) = match (&all, &own) {
            (Attr::Known(v), _) => keys_of(v),
            (_, Attr::Known(v)) => {
                let (k, c) = keys_of(v);
                (k, c && !matches!(all, Attr::Unknown(_)))
            }
            (Attr::Unknown(_), _) | (_, Attr::Unknown(_)) => (Vec::new(), false),
            (Attr::Absent, Attr::Absent) => return None,
        };
        if keys.is_empty() && complete && own_span.is_none() {
            return None;
        }
        Some(Tags {
            keys,
            complete,
            span: own_span,
        })
    }

    fn pending_policy(&mut self, res: &Res, kind: Pending, target_attr: &str) {
        let mut unknowns = Vec::new();
        // A principal created in the same apply: its name may be unknown, but the reference says which
        // resource it is.
        let by_instance = match self.attr(res, &[Seg::Key(target_attr)]) {
            Attr::Unknown(u) if !u.resolved() => u.instance.and_then(|i| {
                let inst = self.insts.list.get(i)?;
                let key = format!("{}::{}", self.scope, inst.address);
                let sym = match (kind, inst.type_.as_str()) {
                    (Pending::Role, "aws_iam_role") => Sym::RoleName(key),
                    (Pending::User, "aws_iam_user") => Sym::UserName(key),
                    (Pending::Group, "aws_iam_group") => Sym::GroupArn(key),
                    _ => return None,
                };
                Some(Str::sym(sym, u.unknown.span))
            }),
            _ => None,
        };
        let target = match by_instance {
            Some(t) => Some(t),
            None => self.str_attr(res, &[Seg::Key(target_attr)], &mut unknowns),
        };
        let name = self.str_attr(res, &[Seg::Key("name")], &mut unknowns);
        let Some(doc) = self.policy_attr(res, &[Seg::Key("policy")], true) else {
            return;
        };
        self.unresolved(res, unknowns);
        let Some(target) = target else { return };
        let policy = InlinePolicy {
            name,
            doc,
            decl: self.decl(res.inst),
        };
        self.pending.push((kind, target, policy));
    }

    fn unresolved(&mut self, res: &Res, unknowns: Vec<Unknown>) {
        for u in unknowns {
            let span = u.span.unwrap_or(res.inst.addr_span);
            self.inv.diagnostics.push(Diagnostic::Unresolved {
                unknown: u,
                span,
                resource: Some(res.inst.address.clone()),
            });
        }
    }

    fn attachments(&mut self, res: &Res) {
        let mut unknowns = Vec::new();
        let Some(policy_arn) = self.str_attr(res, &[Seg::Key("policy_arn")], &mut unknowns) else {
            return;
        };
        let decl = self.decl(res.inst);
        let mut targets = Vec::new();
        match res.inst.type_.as_str() {
            "aws_iam_role_policy_attachment" => {
                if let Some(r) = self.str_attr(res, &[Seg::Key("role")], &mut unknowns) {
                    targets.push(AttachTarget::Role(r));
                }
            }
            "aws_iam_user_policy_attachment" => {
                if let Some(u) = self.str_attr(res, &[Seg::Key("user")], &mut unknowns) {
                    targets.push(AttachTarget::User(u));
                }
            }
            "aws_iam_group_policy_attachment" => {
                if let Some(g) = self.str_attr(res, &[Seg::Key("group")], &mut unknowns) {
                    targets.push(AttachTarget::Group(g));
                }
            }
            _ => {
                // aws_iam_policy_attachment: lists of roles, users, groups.
                for r in self.str_list(res, &[Seg::Key("roles")], &mut unknowns) {
                    targets.push(AttachTarget::Role(r));
                }
                for u in self.str_list(res, &[Seg::Key("users")], &mut unknowns) {
                    targets.push(AttachTarget::User(u));
                }
                for g in self.str_list(res, &[Seg::Key("groups")], &mut unknowns) {
                    targets.push(AttachTarget::Group(g));
                }
            }
        }
        self.unresolved(res, unknowns);
        for target in targets {
            self.inv.attachments.push(Attachment {
                decl: decl.clone(),
                target,
                policy_arn: policy_arn.clone(),
            });
        }
    }

    fn build_one(&mut self, idx: usize) {
        let Some(inst) = self.insts.list.get(idx) else {
            return;
        };
        if inst.data {
            return;
        }
        let interesting = matches!(
            inst.type_.as_str(),
            "aws_iam_role"
                | "aws_iam_role_policy"
                | "aws_iam_user_policy"
                | "aws_iam_group_policy"
                | "aws_iam_role_policy_attachment"
                | "aws_iam_user_policy_attachment"
                | "aws_iam_group_policy_attachment"
                | "aws_iam_policy_attachment"
                | "aws_iam_policy"
                | "aws_iam_user"
                | "aws_iam_group"
                | "aws_iam_group_membership"
                | "aws_iam_user_group_membership"
                | "aws_iam_instance_profile"
                | "aws_iam_openid_connect_provider"
        );
        if !interesting {
            return;
        }
        let Some(res) = self.res(idx) else { return };
        match res.inst.type_.as_str() {
            "aws_iam_role" => self.role(&res),
            "aws_iam_role_policy" => self.pending_policy(&res, Pending::Role, "role"),
            "aws_iam_user_policy" => self.pending_policy(&res, Pending::User, "user"),
            "aws_iam_group_policy" => self.pending_policy(&res, Pending::Group, "group"),
            "aws_iam_role_policy_attachment"
            | "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment"
            | "aws_iam_policy_attachment" => self.attachments(&res),
            "aws_iam_policy" => {
                let mut unknowns = Vec::new();
                let name = self.str_attr(&res, &[Seg::Key("name")], &mut unknowns);
                if let Some(doc) = self.policy_attr(&res, &[Seg::Key("policy")], true) {
                    self.inv.policies.push(ManagedPolicy {
                        decl: self.decl(res.inst),
                        name,
                        doc,
                        attached_to: Vec::new(),
                    });
                }
                self.unresolved(&res, unknowns);
            }
            "aws_iam_user" | "aws_iam_group" => {
                let mut unknowns = Vec::new();
                let name = self.str_attr(&res, &[Seg::Key("name")], &mut unknowns);
                let path = self.str_attr(&res, &[Seg::Key("path")], &mut unknowns);
                self.unresolved(&res, unknowns);
                let decl = self.decl(res.inst);
                if res.inst.type_ == "aws_iam_user" {
                    self.inv.users.push(User {
                        decl,
                        name,
                        path,
                        inline_policies: Vec::new(),
                        managed_policy_arns: Vec::new(),
                        groups: Vec::new(),
                    });
                } else {
                    self.inv.groups.push(Group {
                        decl,
                        name,
                        path,
                        inline_policies: Vec::new(),
                        managed_policy_arns: Vec::new(),
                    });
                }
            }
            "aws_iam_group_membership" => {
                let mut unknowns = Vec::new();
                if let Some(g) = self.str_attr(&res, &[Seg::Key("group")], &mut unknowns) {
                    for u in self.str_list(&res, &[Seg::Key("users")], &mut unknowns) {
                        self.memberships.push((u, g.clone()));
                    }
                }
                self.unresolved(&res, unknowns);
            }
            "aws_iam_user_group_membership" => {
                let mut unknowns = Vec::new();
                if let Some(u) = self.str_attr(&res, &[Seg::Key("user")], &mut unknowns) {
                    for g in self.str_list(&res, &[Seg::Key("groups")], &mut unknowns) {
                        self.memberships.push((u.clone(), g));
                    }
                }
                self.unresolved(&res, unknowns);
            }
            "aws_iam_instance_profile" => {
                let mut unknowns = Vec::new();
                if let Some(role) = self.str_attr(&res, &[Seg::Key("role")], &mut unknowns) {
                    self.inv.instance_profiles.push(InstanceProfile {
                        decl: self.decl(res.inst),
                        role,
                    });
                }
                self.unresolved(&res, unknowns);
            }
            "aws_iam_openid_connect_provider" => {
                let mut unknowns = Vec::new();
                let url = self.str_attr(&res, &[Seg::Key("url")], &mut unknowns);
                let client_ids = self.str_list(&res, &[Seg::Key("client_id_list")], &mut unknowns);
                self.unresolved(&res, unknowns);
                self.inv.oidc_providers.push(OidcProvider {
                    decl: self.decl(res.inst),
                    url,
                    client_ids,
                });
            }
            _ => {}
        }
    }

    /// Builds everything, then attaches inline policies and memberships to their principals and reports
    /// trust documents nothing uses.
    pub fn build(mut self) -> Inventory {
        for i in 0..self.insts.list.len() {
            self.build_one(i);
        }
        self.attach_pending();
        self.standalone();
        self.inv.files = 1;
        self.inv
    }

    fn attach_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (kind, target, policy) in pending {
            let found = match kind {
                Pending::Role => find_principal(
                    self.inv.roles.iter().map(|r| (&r.decl, r.name.as_ref())),
                    &target,
                )
                .and_then(|i| self.inv.roles.get_mut(i))
                .map(|r| &mut r.inline_policies),
                Pending::User => find_principal(
                    self.inv.users.iter().map(|u| (&u.decl, u.name.as_ref())),
                    &target,
                )
                .and_then(|i| self.inv.users.get_mut(i))
                .map(|u| &mut u.inline_policies),
                Pending::Group => find_principal(
                    self.inv.groups.iter().map(|g| (&g.decl, g.name.as_ref())),
                    &target,
                )
                .and_then(|i| self.inv.groups.get_mut(i))
                .map(|g| &mut g.inline_policies),
            };
            match found {
                Some(list) => list.push(policy),
                None => {
                    // The principal is not in this plan: keep the policy with what it is attached to.
                    let attached_to = vec![match kind {
                        Pending::Role => AttachTarget::Role(target),
                        Pending::User => AttachTarget::User(target),
                        Pending::Group => AttachTarget::Group(target),
                    }];
                    self.inv.policies.push(ManagedPolicy {
                        decl: policy.decl,
                        name: policy.name,
                        doc: policy.doc,
                        attached_to,
                    });
                }
            }
        }
        let memberships = std::mem::take(&mut self.memberships);
        for (user, group) in memberships {
            if let Some(i) = find_principal(
                self.inv.users.iter().map(|u| (&u.decl, u.name.as_ref())),
                &user,
            ) {
                if let Some(u) = self.inv.users.get_mut(i) {
                    u.groups.push(group);
                }
            }
        }
    }

    fn standalone(&mut self) {
        for idx in 0..self.insts.list.len() {
            let Some(inst) = self.insts.list.get(idx) else {
                continue;
            };
            if !(inst.data && inst.type_ == "aws_iam_policy_document")
                || self.used_docs.contains(&idx)
            {
                continue;
            }
            let Some(res) = self.res(idx) else { continue };
            if let Attr::Known(Value::Str(s)) = self.attr(&res, &[Seg::Key("json")]) {
                if self.role_trust_texts.contains(&s.text) {
                    continue;
                }
            }
            let doc = self.data_doc(idx);
            if crate::policy::semantics::is_trust_document(&doc) {
                let decl = self.decl(res.inst);
                self.inv
                    .standalone_trusts
                    .push(StandaloneTrust { decl, doc });
            }
        }
    }
}

/// The principal a name or symbolic reference designates: by key for symbols, by unique known name otherwise.
fn find_principal<'x>(
    items: impl Iterator<Item = (&'x Decl, Option<&'x Str>)>,
    target: &Str,
) -> Option<usize> {
    let items: Vec<(&Decl, Option<&Str>)> = items.collect();
    if let Some(sym) = target.as_sym() {
        let key = match sym {
            Sym::RoleName(k) | Sym::RoleArn(k) | Sym::UserName(k) | Sym::UserArn(k) => k,
            Sym::GroupArn(k) => k,
            Sym::Attr { resource, .. } => resource,
            _ => return None,
        };
        return items.iter().position(|(d, _)| &d.key == key);
    }
    let text = target.as_known()?;
    let mut hits = items
        .iter()
        .enumerate()
        .filter(|(_, (_, n))| n.and_then(|n| n.as_known()) == Some(text));
    let first = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    Some(first.0)
}

/// Records `hop` on every string of a document (the attribute that received a data source's document).
fn add_hop_doc(doc: &mut PolicyDocument, hop: Span) {
    super::reconcile::map_doc_strs(doc, &mut |s: &mut Str| {
        *s = std::mem::take(s).with_hop(hop);
    });
}
