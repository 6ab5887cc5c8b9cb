//! IAM resources of a template → the neutral model: roles, users, groups, policies, instance profiles, OIDC
//! providers, and the execution roles SAM generates for functions and state machines.

use super::eval::{display, to_str, Resource, Template, Tri};
use crate::model::{
    AttachTarget, Decl, Diagnostic, Frontend, Group, InlinePolicy, InstanceProfile, Inventory,
    ManagedPolicy, OidcProvider, Role, Tags, Trust, User,
};
use crate::policy::build::{document_from_value, trust_document_from_value};
use crate::policy::{PolicyDocument, Problem};
use crate::source::Span;
use crate::value::{Guard, Str, Sym, Unknown, Value};

/// Most items taken from one list (policies, tags, ARNs) when branches multiply them.
const MAX_ITEMS: usize = 1024;

pub struct Extractor<'t, 'a> {
    t: &'t Template<'a>,
    pub inv: Inventory,
}

impl<'t, 'a> Extractor<'t, 'a> {
    pub fn new(t: &'t Template<'a>) -> Self {
        Extractor {
            t,
            inv: Inventory::default(),
        }
    }

    pub fn run(&mut self) {
        let t = self.t;
        let mut additions = Vec::new();
        for r in &t.resources {
            match r.ty.as_str() {
                "AWS::IAM::Role" => self.role(r),
                "AWS::IAM::User" => self.user(r),
                "AWS::IAM::Group" => self.group(r),
                "AWS::IAM::Policy" => self.policy(r, "PolicyName"),
                "AWS::IAM::ManagedPolicy" => self.policy(r, "ManagedPolicyName"),
                "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                    self.policy(r, "PolicyName")
                }
                "AWS::IAM::InstanceProfile" => self.instance_profile(r),
                "AWS::IAM::OIDCProvider" => self.oidc_provider(r),
                "AWS::IAM::UserToGroupAddition" => additions.push(r),
                "AWS::Serverless::Function" => self.sam_role(r, Sam::Function),
                "AWS::Serverless::StateMachine" => self.sam_role(r, Sam::StateMachine),
                _ => {}
            }
        }
        for r in additions {
            self.user_to_group(r);
        }
    }

    // ---- common pieces ------------------------------------------------------------------------------------

    fn props(&self, r: &Resource) -> Value {
        r.node
            .get("Properties")
            .and_then(|p| self.t.eval(p))
            .unwrap_or(Value::Map(Vec::new(), None))
    }

    /// The branches a resource exists under: its `Condition`, unless it holds under the defaults.
    fn guards(&self, r: &Resource) -> Vec<Guard> {
        let Some(c) = r.node.get("Condition") else {
            return Vec::new();
        };
        let Some(name) = c.text() else {
            return Vec::new();
        };
        match self.t.condition(name, 0) {
            Tri::True => Vec::new(),
            _ => vec![Guard::new(
                format!("condition {name} is true"),
                Some(c.span),
            )],
        }
    }

    /// What reports show: the CDK construct path when the template was synthesised by CDK.
    fn address(&self, r: &Resource) -> String {
        r.node
            .get("Metadata")
            .and_then(|m| m.get("aws:cdk:path"))
            .and_then(|p| p.text())
            .map(str::to_string)
            .unwrap_or_else(|| r.id.to_string())
    }

    fn decl(&self, r: &Resource) -> Decl {
        Decl {
            key: self.t.key(r.id),
            address: self.address(r),
            span: r.key.span,
            frontend: Frontend::CloudFormation,
            guards: self.guards(r),
        }
    }

    fn unresolved(&mut self, unknowns: Vec<Unknown>, decl: &Decl) {
        for u in unknowns {
            let span = u.span.unwrap_or(decl.span);
            self.inv.diagnostics.push(Diagnostic::Unresolved {
                unknown: u,
                span,
                resource: Some(decl.address.clone()),
            });
        }
    }

    fn inline_policies(&self, owner: &Decl, v: Option<&Value>) -> Vec<InlinePolicy> {
        let Some(v) = v else { return Vec::new() };
        let mut out = Vec::new();
        for (i, (guards, item)) in v.list_items(MAX_ITEMS).into_iter().enumerate() {
            let (name, _) = str_of(item.get("PolicyName"));
            let label = name
                .as_ref()
                .map(|n| n.display())
                .unwrap_or_else(|| i.to_string());
            let doc = match item.get_entry("PolicyDocument") {
                Some((_, d)) => document(d),
                None => PolicyDocument {
                    span: item.span(),
                    problems: vec![Problem {
                        message: "inline policy has no PolicyDocument".into(),
                        span: item.span().or(Some(owner.span)),
                    }],
                    ..PolicyDocument::default()
                },
            };
            let mut all_guards = owner.guards.clone();
            all_guards.extend(guards);
            out.push(InlinePolicy {
                name,
                doc,
                decl: Decl {
                    key: format!("{}/{label}", owner.key),
                    address: format!("{}/{label}", owner.address),
                    span: item.span().unwrap_or(owner.span),
                    frontend: Frontend::CloudFormation,
                    guards: all_guards,
                },
            });
        }
        out
    }

    // ---- IAM resources ------------------------------------------------------------------------------------

    fn role(&mut self, r: &Resource) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (name, mut unknowns) = str_of(props.get("RoleName"));
        let (path, u) = str_of(props.get("Path"));
        unknowns.extend(u);
        let trust = props
            .get_entry("AssumeRolePolicyDocument")
            .map(|(k, v)| Trust {
                doc: trust_document(v),
                attr_span: k.span(),
            });
        let max_session_duration = props
            .get_entry("MaxSessionDuration")
            .map(|(k, v)| (v.clone(), k.span().unwrap_or(decl.span)));
        let tags = props.get_entry("Tags").map(|(k, v)| tags_of(k, v, None));
        let inline_policies = self.inline_policies(&decl, props.get("Policies"));
        let (managed, u) = strs_of(props.get("ManagedPolicyArns"));
        unknowns.extend(u);
        let (permissions_boundary, u) = str_of(props.get("PermissionsBoundary"));
        unknowns.extend(u);
        self.inv.roles.push(Role {
            decl,
            name,
            path,
            trust,
            max_session_duration,
            tags,
            inline_policies,
            managed_policy_arns: managed,
            permissions_boundary,
            unknowns,
        });
    }

    fn user(&mut self, r: &Resource) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (name, mut unknowns) = str_of(props.get("UserName"));
        let (path, u) = str_of(props.get("Path"));
        unknowns.extend(u);
        let inline_policies = self.inline_policies(&decl, props.get("Policies"));
        let (managed, u) = strs_of(props.get("ManagedPolicyArns"));
        unknowns.extend(u);
        let (groups, u) = strs_of(props.get("Groups"));
        unknowns.extend(u);
        self.unresolved(unknowns, &decl);
        self.inv.users.push(User {
            decl,
            name,
            path,
            inline_policies,
            managed_policy_arns: managed,
            groups,
        });
    }

    fn group(&mut self, r: &Resource) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (name, mut unknowns) = str_of(props.get("GroupName"));
        let (path, u) = str_of(props.get("Path"));
        unknowns.extend(u);
        let inline_policies = self.inline_policies(&decl, props.get("Policies"));
        let (managed, u) = strs_of(props.get("ManagedPolicyArns"));
        unknowns.extend(u);
        self.unresolved(unknowns, &decl);
        self.inv.groups.push(Group {
            decl,
            name,
            path,
            inline_policies,
            managed_policy_arns: managed,
        });
    }

    /// `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and the single-principal `AWS::IAM::RolePolicy` family.
    fn policy(&mut self, r: &Resource, name_prop: &str) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (name, mut unknowns) = str_of(props.get(name_prop));
        let doc = match props.get("PolicyDocument") {
            Some(d) => document(d),
            None => PolicyDocument {
                problems: vec![Problem {
                    message: format!("{} {} has no PolicyDocument", r.ty, r.id),
                    span: Some(decl.span),
                }],
                ..PolicyDocument::default()
            },
        };
        let mut attached_to = Vec::new();
        type Target = fn(Str) -> AttachTarget;
        let lists: [(&str, Target); 3] = [
            ("Roles", AttachTarget::Role),
            ("Users", AttachTarget::User),
            ("Groups", AttachTarget::Group),
        ];
        let singles: [(&str, Target); 3] = [
            ("RoleName", AttachTarget::Role),
            ("UserName", AttachTarget::User),
            ("GroupName", AttachTarget::Group),
        ];
        for (prop, make) in lists {
            let (items, u) = strs_of(props.get(prop));
            unknowns.extend(u);
            attached_to.extend(items.into_iter().map(make));
        }
        if r.ty != "AWS::IAM::Policy" && r.ty != "AWS::IAM::ManagedPolicy" {
            for (prop, make) in singles {
                let (item, u) = str_of(props.get(prop));
                unknowns.extend(u);
                attached_to.extend(item.map(make));
            }
        }
        self.unresolved(unknowns, &decl);
        self.inv.policies.push(ManagedPolicy {
            decl,
            name,
            doc,
            attached_to,
        });
    }

    fn instance_profile(&mut self, r: &Resource) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (roles, unknowns) = strs_of(props.get("Roles"));
        self.unresolved(unknowns, &decl);
        for role in roles {
            self.inv.instance_profiles.push(InstanceProfile {
                decl: decl.clone(),
                role,
            });
        }
    }

    fn oidc_provider(&mut self, r: &Resource) {
        let props = self.props(r);
        let decl = self.decl(r);
        let (url, mut unknowns) = str_of(props.get("Url"));
        let (client_ids, u) = strs_of(props.get("ClientIdList"));
        unknowns.extend(u);
        self.unresolved(unknowns, &decl);
        self.inv.oidc_providers.push(OidcProvider {
            decl,
            url,
            client_ids,
        });
    }

    /// `AWS::IAM::UserToGroupAddition`: the group joins the `groups` of each scanned user it names.
    fn user_to_group(&mut self, r: &Resource) {
        let props = self.props(r);
        let (group, _) = str_of(props.get("GroupName"));
        let Some(group) = group else { return };
        let (users, _) = strs_of(props.get("Users"));
        for u in users {
            let target = self.inv.users.iter_mut().find(|user| match u.as_sym() {
                Some(Sym::UserName(k)) => &user.decl.key == k,
                _ => {
                    u.is_known()
                        && user
                            .name
                            .as_ref()
                            .is_some_and(|n| n.is_known() && n.text == u.text)
                }
            });
            if let Some(user) = target {
                user.groups.push(group.clone());
            }
        }
    }

    // ---- SAM ----------------------------------------------------------------------------------------------

    /// The execution role SAM generates for a function or state machine without a `Role` property.
    fn sam_role(&mut self, r: &Resource, kind: Sam) {
        let mut props = self.props(r);
        if let Some(g) = self
            .t
            .globals
            .and_then(|g| g.get(kind.globals_section()))
            .and_then(|g| self.t.eval(g))
        {
            props = merge_globals(&g, props);
        }
        if props.get("Role").is_some() {
            return;
        }
        let role_id = format!("{}Role", r.id);
        let decl = Decl {
            key: self.t.key(&role_id),
            address: format!("{}Role", self.address(r)),
            span: r.key.span,
            frontend: Frontend::CloudFormation,
            guards: self.guards(r),
        };
        let trust = match props.get_entry("AssumeRolePolicyDocument") {
            Some((k, v)) if matches!(kind, Sam::Function) => Trust {
                doc: trust_document(v),
                attr_span: k.span(),
            },
            _ => Trust {
                doc: trust_document(&default_trust(kind.service(), r.key.span)),
                attr_span: None,
            },
        };
        let (path, mut unknowns) = str_of(props.get("RolePath"));
        let created_by = Str::lit_with(kind.created_by_tag(), Some(r.key.span), false);
        let tags = match props.get_entry("Tags") {
            Some((k, v)) => tags_of(k, v, Some(created_by)),
            None => Tags {
                keys: vec![created_by],
                complete: true,
                span: None,
            },
        };
        let mut managed = Vec::new();
        if matches!(kind, Sam::Function) {
            managed.push(Str::lit_with(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                Some(r.key.span),
                false,
            ));
        }
        let mut inline_policies = Vec::new();
        if let Some(p) = props.get("Policies") {
            for (i, (guards, item)) in p.list_items(MAX_ITEMS).into_iter().enumerate() {
                match item {
                    Value::Str(s) => managed.push(sam_managed_arn(s)),
                    Value::Unknown(u) => unknowns.push(u.clone()),
                    Value::Map(..) if item.get("Statement").is_some() => {
                        let label = format!("{role_id}Policy{i}");
                        let mut g = decl.guards.clone();
                        g.extend(guards);
                        inline_policies.push(InlinePolicy {
                            name: Some(Str::lit_with(label.clone(), item.span(), false)),
                            doc: document(item),
                            decl: Decl {
                                key: format!("{}/{label}", decl.key),
                                address: format!("{}/{label}", decl.address),
                                span: item.span().unwrap_or(decl.span),
                                frontend: Frontend::CloudFormation,
                                guards: g,
                            },
                        });
                    }
                    // SAM policy templates (`SQSPollerPolicy: {…}`) expand to service-specific permissions;
                    // none of them grants sts:AssumeRole.
                    _ => {}
                }
            }
        }
        let (permissions_boundary, u) = str_of(props.get("PermissionsBoundary"));
        unknowns.extend(u);
        self.inv.roles.push(Role {
            decl,
            name: None,
            path,
            trust: Some(trust),
            max_session_duration: None,
            tags: Some(tags),
            inline_policies,
            managed_policy_arns: managed,
            permissions_boundary,
            unknowns,
        });
    }
}

#[derive(Copy, Clone)]
enum Sam {
    Function,
    StateMachine,
}

impl Sam {
    fn service(self) -> &'static str {
        match self {
            Sam::Function => "lambda.amazonaws.com",
            Sam::StateMachine => "states.amazonaws.com",
        }
    }
    fn created_by_tag(self) -> &'static str {
        match self {
            Sam::Function => "lambda:createdBy",
            Sam::StateMachine => "stateMachine:createdBy",
        }
    }
    fn globals_section(self) -> &'static str {
        match self {
            Sam::Function => "Function",
            Sam::StateMachine => "StateMachine",
        }
    }
}

/// The trust policy SAM writes for a generated execution role; its strings point at the resource's logical
/// ID (the only text that declares the role).
fn default_trust(service: &str, at: Span) -> Value {
    let s = |t: &str| Value::Str(Str::lit_with(t, Some(at), false));
    let k = |t: &str| Str::lit_with(t, Some(at), false);
    Value::Map(
        vec![
            (k("Version"), s("2012-10-17")),
            (
                k("Statement"),
                Value::List(
                    vec![Value::Map(
                        vec![
                            (
                                k("Action"),
                                Value::List(vec![s("sts:AssumeRole")], Some(at)),
                            ),
                            (k("Effect"), s("Allow")),
                            (
                                k("Principal"),
                                Value::Map(
                                    vec![(k("Service"), Value::List(vec![s(service)], Some(at)))],
                                    Some(at),
                                ),
                            ),
                        ],
                        Some(at),
                    )],
                    Some(at),
                ),
            ),
        ],
        Some(at),
    )
}

/// SAM accepts AWS managed policy names where an ARN is expected.
fn sam_managed_arn(s: &Str) -> Str {
    if !s.is_known() || s.text.starts_with("arn:") {
        return s.clone();
    }
    Str::concat([&Str::synthetic("arn:aws:iam::aws:policy/"), s])
}

/// SAM `Globals`: the resource's own properties win; maps merge, lists append to the global ones.
fn merge_globals(global: &Value, local: Value) -> Value {
    match (global, local) {
        (Value::Map(g, _), Value::Map(mut l, sp)) => {
            for (k, gv) in g {
                match l.iter_mut().find(|(lk, _)| lk.text == k.text) {
                    Some((_, lv)) => {
                        let merged = merge_globals(gv, std::mem::replace(lv, Value::Null(None)));
                        *lv = merged;
                    }
                    None => l.push((k.clone(), gv.clone())),
                }
            }
            Value::Map(l, sp)
        }
        (Value::List(g, _), Value::List(l, sp)) => {
            let mut items = g.clone();
            items.extend(l);
            Value::List(items, sp)
        }
        (_, local) => local,
    }
}

/// An identity policy value (map, JSON string, branches of either) → the model.
pub fn document(v: &Value) -> PolicyDocument {
    document_from_value(v)
}

/// A trust policy value → the model (a statement without `Principal` is a problem there).
pub fn trust_document(v: &Value) -> PolicyDocument {
    trust_document_from_value(v)
}

/// A single string property: the value, or its unknowns. A branching value gives its first possibility
/// (names and paths only label the resource).
pub fn str_of(v: Option<&Value>) -> (Option<Str>, Vec<Unknown>) {
    match v {
        None | Some(Value::Null(_)) => (None, Vec::new()),
        Some(Value::Str(s) | Value::Number(s)) => {
            (Some(s.clone()), s.unknowns().cloned().collect())
        }
        Some(Value::Unknown(u)) => (None, vec![u.clone()]),
        Some(b @ Value::Bool(..)) => (Some(to_str(b)), Vec::new()),
        Some(b @ Value::Branches(_)) => match b.possibilities(1).first() {
            Some((_, first)) => str_of(Some(first)),
            None => (None, Vec::new()),
        },
        Some(other) => (
            None,
            vec![Unknown::new(
                display(other),
                "a list or map where a string is expected",
                other.span(),
            )],
        ),
    }
}

/// A list of strings (a single string counts as a one-item list); unknown items stay as unknown strings and
/// are also returned so the caller can report them.
pub fn strs_of(v: Option<&Value>) -> (Vec<Str>, Vec<Unknown>) {
    let Some(v) = v else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut unknowns = Vec::new();
    for (_, item) in v.list_items(MAX_ITEMS) {
        let s = to_str(item);
        unknowns.extend(s.unknowns().cloned());
        out.push(s);
    }
    (out, unknowns)
}

/// Tags written as a list of `{Key, Value}` (CloudFormation) or a map (SAM); `extra` is a tag the generator
/// adds.
fn tags_of(key: &Str, v: &Value, extra: Option<Str>) -> Tags {
    let mut keys: Vec<Str> = extra.into_iter().collect();
    let mut complete = true;
    match v {
        Value::Map(entries, _) => keys.extend(entries.iter().map(|(k, _)| k.clone())),
        Value::List(..) | Value::Branches(_) => {
            for (guards, item) in v.list_items(MAX_ITEMS) {
                // A tag that exists only in some branches cannot be counted on.
                if !guards.is_empty() {
                    complete = false;
                    continue;
                }
                match item.get("Key") {
                    Some(Value::Str(k)) if k.is_known() => keys.push(k.clone()),
                    _ => complete = false,
                }
            }
        }
        _ => complete = false,
    }
    Tags {
        keys,
        complete,
        span: key.span(),
    }
}
