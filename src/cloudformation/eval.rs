//! Intrinsic functions → [`Value`]s with provenance (SPEC §1.1).
//!
//! `Ref`/`Fn::Sub` reach parameters (their `Default`, or one branch per `AllowedValues` entry), pseudo
//! parameters (symbolic), and resources (symbolic references by key); `Fn::If` gives both branches unless the
//! condition is decidable from parameter defaults; `Fn::Join`/`Select`/`Split`/`FindInMap` compute over
//! every combination of branches of their arguments. Literal text keeps the span where it is written, and a
//! value that flowed through a parameter or mapping records the use site as a hop.
//!
//! Evaluation returns `None` for `AWS::NoValue`: the enclosing list item or map entry disappears.

use super::node::{Kind, Node, ScalarKind};
use crate::source::Span;
use crate::value::{Branch, Guard, Str, Sym, Unknown, Value};
use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;

/// Deepest evaluation (nodes plus intrinsic indirections) before giving up with an unknown.
const MAX_EVAL_DEPTH: usize = 160;
/// Most combinations of branches one function call is evaluated for.
pub const MAX_COMBOS: usize = 64;

/// How parameters resolve: for values, each `AllowedValues` entry is a branch; for conditions, the default is
/// what decides ("decidable from defaults").
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Values,
    Defaults,
}

/// Three-valued truth of a condition.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

/// A declared resource.
#[derive(Clone, Debug)]
pub struct Resource<'a> {
    pub id: &'a str,
    /// The logical ID key (the resource's declaration span).
    pub key: &'a Node,
    pub node: &'a Node,
    pub ty: String,
}

/// One template, indexed for evaluation.
pub struct Template<'a> {
    /// Scope of keys: the template's path relative to the scan root.
    pub rel: String,
    pub params: HashMap<&'a str, &'a Node>,
    pub mappings: Option<&'a Node>,
    /// SAM `Globals`.
    pub globals: Option<&'a Node>,
    pub conditions: HashMap<&'a str, &'a Node>,
    pub resources: Vec<Resource<'a>>,
    by_id: HashMap<&'a str, usize>,
    /// SAM's generated execution roles: `<Function>Role` → the function's logical ID.
    pub implicit_roles: HashMap<String, &'a str>,
    /// Whether the template uses the SAM transform (or SAM resource types).
    is_sam: bool,
    cond_cache: RefCell<HashMap<String, Tri>>,
    cond_active: RefCell<Vec<String>>,
}

/// An intrinsic's argument: the node itself when the intrinsic is its tag (`!Ref X`), else the value of the
/// `{"Ref": X}` entry.
#[derive(Copy, Clone)]
struct Arg<'n> {
    node: &'n Node,
    own: bool,
}

impl<'n> Arg<'n> {
    /// The argument's own structure; `None` when it is itself an intrinsic.
    fn kind(&self) -> Option<&'n Kind> {
        if self.own || self.node.tag.is_none() {
            Some(&self.node.kind)
        } else {
            None
        }
    }

    fn items(&self) -> Option<&'n [Node]> {
        match self.kind()? {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    fn scalar(&self) -> Option<&'n Str> {
        match self.kind()? {
            Kind::Scalar(_, s) => Some(s),
            _ => None,
        }
    }
}

/// Names of the pseudo parameters and what they stand for; `None` for `AWS::NoValue`.
fn pseudo(name: &str) -> Option<Option<Sym>> {
    Some(match name {
        "AWS::AccountId" => Some(Sym::ThisAccount),
        "AWS::Partition" => Some(Sym::Partition),
        "AWS::Region" => Some(Sym::Region),
        "AWS::URLSuffix" => Some(Sym::UrlSuffix),
        "AWS::StackName" => Some(Sym::Deployment("the stack name".into())),
        "AWS::StackId" => Some(Sym::Deployment("the stack ID".into())),
        "AWS::NotificationARNs" => Some(Sym::Deployment("the stack's notification ARNs".into())),
        "AWS::NoValue" => None,
        _ => return None,
    })
}

/// Canonical short name of an intrinsic (`Fn::Sub` and `!Sub` → `Sub`), for a mapping key or a tag.
fn intrinsic_name(key: &str, conditions: bool) -> Option<&str> {
    if key == "Ref" || (conditions && key == "Condition") {
        return Some(key);
    }
    let short = key.strip_prefix("Fn::")?;
    (!short.is_empty()).then_some(short)
}

impl<'a> Template<'a> {
    pub fn new(rel: &str, root: &'a Node) -> Template<'a> {
        let section = |name: &str| root.get(name).and_then(|n| n.entries());
        let mut params = HashMap::new();
        for (k, v) in section("Parameters").unwrap_or(&[]) {
            if let Some(name) = k.text() {
                params.insert(name, v);
            }
        }
        let mut conditions = HashMap::new();
        for (k, v) in section("Conditions").unwrap_or(&[]) {
            if let Some(name) = k.text() {
                conditions.insert(name, v);
            }
        }
        let mut resources = Vec::new();
        let mut by_id = HashMap::new();
        let mut implicit_roles = HashMap::new();
        for (k, v) in section("Resources").unwrap_or(&[]) {
            let Some(id) = k.text() else { continue };
            let ty = v
                .get("Type")
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_string();
            if matches!(
                ty.as_str(),
                "AWS::Serverless::Function" | "AWS::Serverless::StateMachine"
            ) {
                implicit_roles.insert(format!("{id}Role"), id);
            }
            by_id.insert(id, resources.len());
            resources.push(Resource {
                id,
                key: k,
                node: v,
                ty,
            });
        }
        // A declared resource wins over a generated role of the same name.
        implicit_roles.retain(|name, _| !by_id.contains_key(name.as_str()));
        let is_sam = resources
            .iter()
            .any(|r| r.ty.starts_with("AWS::Serverless::"))
            || root.get("Transform").is_some_and(|t| {
                t.text().is_some_and(|x| x.starts_with("AWS::Serverless"))
                    || t.items().is_some_and(|i| {
                        i.iter()
                            .any(|x| x.text().is_some_and(|x| x.starts_with("AWS::Serverless")))
                    })
            });
        Template {
            rel: rel.to_string(),
            params,
            mappings: root.get("Mappings"),
            globals: root.get("Globals"),
            conditions,
            resources,
            by_id,
            implicit_roles,
            is_sam,
            cond_cache: RefCell::new(HashMap::new()),
            cond_active: RefCell::new(Vec::new()),
        }
    }

    /// The key of a resource of this template (`Decl.key`).
    pub fn key(&self, logical_id: &str) -> String {
        format!("{}::{}", self.rel, logical_id)
    }

    pub fn resource(&self, id: &str) -> Option<&Resource<'a>> {
        self.by_id.get(id).and_then(|&i| self.resources.get(i))
    }

    /// Evaluates a node as a property value. `None` means `AWS::NoValue`.
    pub fn eval(&self, node: &Node) -> Option<Value> {
        self.ev(node, Mode::Values, 0)
    }

    fn ev(&self, node: &Node, mode: Mode, depth: usize) -> Option<Value> {
        if depth > MAX_EVAL_DEPTH {
            return Some(Value::unknown(
                "expression",
                "nested too deeply to evaluate",
                Some(node.span),
            ));
        }
        if let Some(tag) = &node.tag {
            let arg = Arg { node, own: true };
            return self.intrinsic(&tag.name, arg, node.full_span(), mode, depth + 1);
        }
        self.ev_kind(node, mode, depth)
    }

    fn ev_arg(&self, arg: Arg, mode: Mode, depth: usize) -> Option<Value> {
        if arg.own {
            self.ev_kind(arg.node, mode, depth + 1)
        } else {
            self.ev(arg.node, mode, depth + 1)
        }
    }

    fn ev_kind(&self, node: &Node, mode: Mode, depth: usize) -> Option<Value> {
        match &node.kind {
            Kind::Scalar(kind, s) => Some(scalar_value(*kind, s, node.span)),
            Kind::Seq(items) => Some(Value::List(
                items
                    .iter()
                    .filter_map(|n| self.ev(n, mode, depth + 1))
                    .collect(),
                Some(node.span),
            )),
            Kind::Map(entries) => {
                if let [(k, v)] = entries.as_slice() {
                    if let Some(name) = k.text().and_then(|t| intrinsic_name(t, false)) {
                        let arg = Arg {
                            node: v,
                            own: false,
                        };
                        // The `"Fn::X": …` entry itself, without the braces around it.
                        let site = k.span.join(&v.full_span());
                        return self.intrinsic(name, arg, site, mode, depth + 1);
                    }
                }
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = match &k.kind {
                        Kind::Scalar(_, s) => s.clone(),
                        _ => Str::lit_with("<complex key>", Some(k.span), false),
                    };
                    if let Some(v) = self.ev(v, mode, depth + 1) {
                        out.push((key, v));
                    }
                }
                Some(Value::Map(out, Some(node.span)))
            }
        }
    }

    fn intrinsic(
        &self,
        name: &str,
        arg: Arg,
        site: Span,
        mode: Mode,
        depth: usize,
    ) -> Option<Value> {
        if depth > MAX_EVAL_DEPTH {
            return Some(Value::unknown(
                name,
                "nested too deeply to evaluate",
                Some(site),
            ));
        }
        let unknown = |why: &str| Some(Value::unknown(format!("Fn::{name}"), why, Some(site)));
        match name {
            "Ref" => self.ref_(arg, site, mode, depth),
            "Sub" => self.sub(arg, site, mode, depth),
            "GetAtt" => self.get_att(arg, site, mode, depth),
            "Join" => self.join(arg, site, mode, depth),
            "Select" => self.select(arg, site, mode, depth),
            "Split" => self.split(arg, site, mode, depth),
            "FindInMap" => self.find_in_map(arg, site, mode, depth),
            "If" => self.if_(arg, site, mode, depth),
            "ImportValue" => {
                let what = self
                    .ev_arg(arg, mode, depth)
                    .map(|v| display(&v))
                    .unwrap_or_default();
                Some(Value::unknown(
                    format!("Fn::ImportValue {what}"),
                    "the value is exported by another stack",
                    Some(site),
                ))
            }
            "GetAZs" => unknown("availability zones are known only at deploy time"),
            "Base64" => unknown("Base64-encoded values are not analysed"),
            "Cidr" => unknown("CIDR blocks are computed at deploy time"),
            "Transform" => unknown("the output of a macro is known only at deploy time"),
            "Equals" | "And" | "Or" | "Not" | "Condition" => {
                match self.cond_expr(arg.node, arg.own, name, depth) {
                    Tri::True => Some(Value::Bool(true, Some(site))),
                    Tri::False => Some(Value::Bool(false, Some(site))),
                    Tri::Unknown => unknown("the condition depends on deploy-time values"),
                }
            }
            "Length" => match self.ev_arg(arg, mode, depth) {
                Some(Value::List(items, _)) => Some(Value::Number(Str::lit_with(
                    items.len().to_string(),
                    Some(site),
                    false,
                ))),
                _ => unknown("the list's length is not known"),
            },
            _ if arg.own => Some(Value::unknown(
                format!("!{name}"),
                "unsupported YAML tag",
                Some(site),
            )),
            _ => unknown("unsupported intrinsic function"),
        }
    }

    // ---- Ref, parameters, resources ----------------------------------------------------------------------

    fn ref_(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some(name) = arg.scalar() else {
            return Some(Value::unknown(
                "Ref",
                "the target of Ref must be a literal name",
                Some(site),
            ));
        };
        self.ref_name(&name.text, arg.node.span, site, mode, depth)
    }

    /// `Ref name` written at `name_span`, used at `site`.
    fn ref_name(
        &self,
        name: &str,
        name_span: Span,
        site: Span,
        mode: Mode,
        depth: usize,
    ) -> Option<Value> {
        if let Some(p) = pseudo(name) {
            return p.map(|sym| Value::Str(Str::sym(sym, Some(name_span))));
        }
        if self.params.contains_key(name) {
            return self.param(name, site, mode, depth);
        }
        if let Some(v) = self.resource_value(name, None, name_span, depth) {
            return Some(Value::Str(v));
        }
        let why = if name.starts_with("AWS::") {
            format!("{name} is not a pseudo parameter")
        } else {
            format!("{name} is neither a parameter nor a resource of this template")
        };
        Some(Value::unknown(format!("Ref {name}"), why, Some(site)))
    }

    /// What `Ref` (`attr` `None`) or `Fn::GetAtt` to a resource of the template returns, written at `span`.
    /// An identity provider's ARN is built from its URL or name when they are known, so the policy model sees
    /// `arn:…:oidc-provider/HOST` with its condition-key prefix; other resources are symbolic.
    fn resource_value(
        &self,
        id: &str,
        attr: Option<&str>,
        span: Span,
        depth: usize,
    ) -> Option<Str> {
        if let Some(r) = self.resource(id) {
            let provider = match r.ty.as_str() {
                "AWS::IAM::OIDCProvider" => Some(true),
                "AWS::IAM::SAMLProvider" => Some(false),
                _ => None,
            };
            if let Some(oidc) = provider.filter(|_| matches!(attr, None | Some("Arn"))) {
                return Some(self.provider_arn(r, oidc, span, depth));
            }
        }
        let sym = match attr {
            None => self.resource_ref(id)?,
            Some(a) => self.resource_att(id, a)?,
        };
        Some(Str::sym(sym, Some(span)))
    }

    fn provider_arn(&self, r: &Resource, oidc: bool, span: Span, depth: usize) -> Str {
        let prop = if oidc { "Url" } else { "Name" };
        let name = r
            .node
            .get("Properties")
            .and_then(|p| p.get(prop))
            .filter(|_| depth < MAX_EVAL_DEPTH)
            .and_then(|n| self.ev(n, Mode::Values, depth + 1));
        match name {
            Some(Value::Str(s)) if s.is_known() && !s.text.is_empty() => {
                let host = if oidc {
                    let start = ["https://", "http://"]
                        .iter()
                        .find(|p| s.text.starts_with(*p))
                        .map(|p| p.len())
                        .unwrap_or(0);
                    s.text.get(start..).unwrap_or("")
                } else {
                    s.text.as_str()
                };
                // The whole ARN stands where the provider is referenced: that is the principal entry rules
                // point at, whereas the URL is written with the provider.
                let lit = |t: &str| Str::lit_with(t, Some(span), false);
                let kind = if oidc {
                    ":oidc-provider/"
                } else {
                    ":saml-provider/"
                };
                Str::concat([
                    &lit("arn:"),
                    &Str::sym(Sym::Partition, Some(span)),
                    &lit(":iam::"),
                    &Str::sym(Sym::ThisAccount, Some(span)),
                    &lit(kind),
                    &lit(host),
                ])
            }
            _ => Str::sym(
                Sym::Attr {
                    resource: format!("{} {}", r.ty, self.key(r.id)),
                    attr: "Arn".into(),
                },
                Some(span),
            ),
        }
    }

    /// What `Ref` to a resource returns, symbolically.
    fn resource_ref(&self, id: &str) -> Option<Sym> {
        if self.implicit_roles.contains_key(id) {
            return Some(Sym::RoleName(self.key(id)));
        }
        let Some(r) = self.resource(id) else {
            return self.sam_generated(id);
        };
        let key = self.key(id);
        Some(match r.ty.as_str() {
            "AWS::IAM::Role" => Sym::RoleName(key),
            "AWS::IAM::User" => Sym::UserName(key),
            // Ref to a group is its name; a symbolic group is identified by its key either way.
            "AWS::IAM::Group" => Sym::GroupArn(key),
            "AWS::IAM::ManagedPolicy" => Sym::PolicyArn(key),
            _ => Sym::Attr {
                resource: key,
                attr: "Ref".into(),
            },
        })
    }

    /// Resources the SAM transform generates and templates may reference: the implicit APIs, and
    /// `Function.Alias`/`Function.Version`-style sub-resources of a declared SAM resource.
    fn sam_generated(&self, id: &str) -> Option<Sym> {
        if matches!(id, "ServerlessRestApi" | "ServerlessHttpApi") && self.is_sam {
            return Some(Sym::Attr {
                resource: self.key(id),
                attr: "Ref".into(),
            });
        }
        let (base, sub) = id.split_once('.')?;
        let r = self.resource(base)?;
        r.ty.starts_with("AWS::Serverless::").then(|| Sym::Attr {
            resource: self.key(base),
            attr: sub.to_string(),
        })
    }

    /// What `Fn::GetAtt id.attr` returns, symbolically.
    fn resource_att(&self, id: &str, attr: &str) -> Option<Sym> {
        let key = self.key(id);
        let ty = if self.implicit_roles.contains_key(id) {
            "AWS::IAM::Role"
        } else {
            self.resource(id)?.ty.as_str()
        };
        Some(match (ty, attr) {
            ("AWS::IAM::Role", "Arn") => Sym::RoleArn(key),
            ("AWS::IAM::Role", "RoleId") => Sym::RoleUniqueId(key),
            ("AWS::IAM::User", "Arn") => Sym::UserArn(key),
            ("AWS::IAM::Group", "Arn") => Sym::GroupArn(key),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => Sym::PolicyArn(key),
            _ => Sym::Attr {
                resource: key,
                attr: attr.to_string(),
            },
        })
    }

    /// A parameter's value: one branch per allowed value (for values), else its default with a hop at the use
    /// site, else unknown.
    fn param(&self, name: &str, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let decl = self.params.get(name)?;
        let ty = decl.get("Type").and_then(|t| t.text()).unwrap_or("String");
        let unknown = |why: String| Some(Value::unknown(format!("Ref {name}"), why, Some(site)));
        if ty.starts_with("AWS::SSM::Parameter::Value") {
            return unknown(format!(
                "parameter {name} is read from SSM Parameter Store at deploy time"
            ));
        }
        let list_type = ty == "CommaDelimitedList" || ty.starts_with("List<");
        let literal = |n: &Node| -> Option<Value> {
            let v = self.ev(n, Mode::Defaults, depth + 1)?;
            let v = if list_type { split_list(v) } else { v };
            Some(with_hop(v, site))
        };
        let allowed = decl.get("AllowedValues").and_then(|a| a.items());
        if mode == Mode::Values {
            if let Some(allowed) = allowed.filter(|a| a.len() > 1) {
                let mut branches = Vec::new();
                for n in allowed.iter().take(MAX_COMBOS) {
                    if let Some(v) = literal(n) {
                        let label = format!("parameter {name} is {}", display(&v));
                        branches.push(Branch {
                            guard: Guard::new(label, Some(n.span)),
                            value: v,
                        });
                    }
                }
                return Some(Value::Branches(branches));
            }
        }
        if let Some(d) = decl.get("Default") {
            return literal(d);
        }
        if let Some([only]) = allowed {
            return literal(only);
        }
        unknown(format!("parameter {name} has no default"))
    }

    // ---- Fn::Sub ------------------------------------------------------------------------------------------

    fn sub(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let (tmpl, vars): (Option<&Str>, Option<&Node>) = match arg.kind() {
            Some(Kind::Scalar(_, s)) => (Some(s), None),
            Some(Kind::Seq(items)) => match items.as_slice() {
                [t] => (t.as_str().filter(|_| t.tag.is_none()), None),
                [t, v, ..] => (t.as_str().filter(|_| t.tag.is_none()), Some(v)),
                [] => (None, None),
            },
            _ => (None, None),
        };
        let Some(tmpl) = tmpl else {
            return Some(Value::unknown(
                "Fn::Sub",
                "the template of Fn::Sub must be a literal string",
                Some(site),
            ));
        };
        let segments = parse_sub(tmpl, site);
        let mut values = Vec::new();
        for seg in &segments {
            if let SubSeg::Var(name, span) = seg {
                let v = self.sub_var(name, *span, vars, mode, depth);
                values.push(v.unwrap_or(Value::Str(Str::default())));
            }
        }
        combine(values, site, |vals| {
            let mut out = Str::default();
            let mut it = vals.iter();
            for seg in &segments {
                match seg {
                    SubSeg::Lit(s) => out.push_str(s),
                    SubSeg::Var(..) => {
                        if let Some(v) = it.next() {
                            out.push_str(&to_str(v));
                        }
                    }
                }
            }
            Some(Value::Str(out))
        })
    }

    fn sub_var(
        &self,
        name: &str,
        span: Span,
        vars: Option<&Node>,
        mode: Mode,
        depth: usize,
    ) -> Option<Value> {
        if let Some(v) = vars.and_then(|m| m.get(name)) {
            return self.ev(v, mode, depth + 1).map(|v| with_hop(v, span));
        }
        if pseudo(name).is_some() || self.params.contains_key(name) {
            return self.ref_name(name, span, span, mode, depth);
        }
        if let Some((id, attr)) = name.split_once('.') {
            return Some(match self.resource_value(id, Some(attr), span, depth) {
                Some(v) => Value::Str(v),
                None => Value::unknown(
                    format!("${{{name}}}"),
                    format!("{id} is not a resource of this template"),
                    Some(span),
                ),
            });
        }
        if let Some(v) = self.resource_value(name, None, span, depth) {
            return Some(Value::Str(v));
        }
        Some(Value::unknown(
            format!("${{{name}}}"),
            format!("{name} is neither a parameter nor a resource of this template"),
            Some(span),
        ))
    }

    // ---- Fn::GetAtt ---------------------------------------------------------------------------------------

    fn get_att(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let (id, attr, span): (String, Option<String>, Span) = match arg.kind() {
            Some(Kind::Scalar(_, s)) => match s.text.split_once('.') {
                Some((a, b)) => (a.to_string(), Some(b.to_string()), arg.node.span),
                None => (s.text.clone(), None, arg.node.span),
            },
            Some(Kind::Seq(items)) => match items.as_slice() {
                [r, a, ..] => {
                    let id = r.text().unwrap_or("").to_string();
                    let attr = match a.text().filter(|_| a.tag.is_none()) {
                        Some(t) => Some(t.to_string()),
                        None => self
                            .ev(a, mode, depth + 1)
                            .as_ref()
                            .and_then(|v| v.as_str())
                            .and_then(|s| s.as_known().map(str::to_string)),
                    };
                    // The names themselves, without the brackets.
                    (id, attr, r.span.join(&a.span))
                }
                _ => (String::new(), None, arg.node.span),
            },
            _ => (String::new(), None, arg.node.span),
        };
        let expr = format!("Fn::GetAtt {id}.{}", attr.as_deref().unwrap_or("?"));
        let Some(attr) = attr else {
            return Some(Value::unknown(
                expr,
                "the attribute name is not a literal",
                Some(site),
            ));
        };
        match self.resource_value(&id, Some(&attr), span, depth) {
            Some(v) => Some(Value::Str(v)),
            None => Some(Value::unknown(
                expr,
                format!("{id} is not a resource of this template"),
                Some(site),
            )),
        }
    }

    // ---- Fn::Join, Fn::Select, Fn::Split -----------------------------------------------------------------

    fn two_args(&self, arg: Arg, mode: Mode, depth: usize) -> Option<(Value, Value)> {
        match arg.items()? {
            [a, b] => Some((
                self.ev(a, mode, depth + 1)
                    .unwrap_or(Value::Str(Str::default())),
                self.ev(b, mode, depth + 1)
                    .unwrap_or(Value::List(Vec::new(), None)),
            )),
            _ => None,
        }
    }

    fn join(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some((delim, list)) = self.two_args(arg, mode, depth) else {
            return Some(bad_args("Join", site));
        };
        combine(vec![delim, list], site, |v| {
            let [d, l] = v else { return None };
            let d = to_str(d);
            let items = match l {
                Value::List(items, _) => items.clone(),
                Value::Unknown(u) => return Some(Value::Unknown(u.clone())),
                other => vec![other.clone()],
            };
            combine(items, site, |items| {
                let mut out = Str::default();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&d);
                    }
                    out.push_str(&to_str(item));
                }
                Some(Value::Str(out))
            })
        })
    }

    fn select(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some((index, list)) = self.two_args(arg, mode, depth) else {
            return Some(bad_args("Select", site));
        };
        combine(vec![index, list], site, |v| {
            let [i, l] = v else { return None };
            let idx = i
                .as_str()
                .and_then(|s| s.as_known())
                .and_then(|t| t.trim().parse::<usize>().ok());
            match (idx, l) {
                (Some(i), Value::List(items, _)) => Some(match items.get(i) {
                    Some(v) => with_hop(v.clone(), site),
                    None => Value::unknown(
                        "Fn::Select",
                        format!("index {i} is out of range"),
                        Some(site),
                    ),
                }),
                (_, Value::Unknown(u)) => Some(Value::Unknown(u.clone())),
                _ => Some(Value::unknown(
                    "Fn::Select",
                    "the index or the list is not known",
                    Some(site),
                )),
            }
        })
    }

    fn split(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some((delim, source)) = self.two_args(arg, mode, depth) else {
            return Some(bad_args("Split", site));
        };
        combine(vec![delim, source], site, |v| {
            let [d, s] = v else { return None };
            if let Value::Unknown(u) = s {
                return Some(Value::Unknown(u.clone()));
            }
            let d = to_str(d);
            let Some(d) = d.as_known().filter(|d| !d.is_empty()) else {
                return Some(Value::unknown(
                    "Fn::Split",
                    "the delimiter is not known",
                    Some(site),
                ));
            };
            let s = to_str(s);
            // A symbolic or unknown part may hold the delimiter itself (`AWS::StackId` holds `/`): where the
            // pieces fall is known only at deploy time.
            if !s.is_known() {
                return Some(match s.unknowns().next() {
                    Some(u) => Value::Unknown(u.clone()),
                    None => Value::unknown(
                        format!("Fn::Split {}", s.display()),
                        "the string is known only at deploy time",
                        Some(site),
                    ),
                });
            }
            let mut items = Vec::new();
            let mut start = 0usize;
            for (i, _) in s.text.match_indices(d) {
                items.push(Value::Str(s.slice_or_empty(start, i)));
                start = i + d.len();
            }
            items.push(Value::Str(s.slice_or_empty(start, s.text.len())));
            Some(Value::List(items, s.span()))
        })
    }

    // ---- Fn::FindInMap ------------------------------------------------------------------------------------

    fn find_in_map(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some(items) = arg.items().filter(|i| i.len() >= 3) else {
            return Some(bad_args("FindInMap", site));
        };
        let ev = |n: &Node| {
            self.ev(n, mode, depth + 1)
                .unwrap_or(Value::Str(Str::default()))
        };
        let default = items
            .get(3)
            .and_then(|d| d.get("DefaultValue"))
            .and_then(|d| self.ev(d, mode, depth + 1));
        let ops = items.iter().take(3).map(ev).collect::<Vec<_>>();
        combine(ops, site, |v| {
            let [m, k1, k2] = v else { return None };
            let (m, k1, k2) = (to_str(m), to_str(k1), to_str(k2));
            let expr = || format!("Fn::FindInMap [{}, {}, {}]", m, k1, k2);
            let Some(map) = m
                .as_known()
                .and_then(|m| self.mappings.and_then(|ms| ms.get(m)))
            else {
                return Some(Value::unknown(
                    expr(),
                    format!("mapping {m} is not declared"),
                    Some(site),
                ));
            };
            let Some(second) = k2.as_known() else {
                return Some(Value::unknown(
                    expr(),
                    "the second-level key is not known",
                    Some(site),
                ));
            };
            let lookup = |top: &Node| -> Option<Value> {
                match top.get(second) {
                    Some(n) => self.ev(n, mode, depth + 1).map(|v| with_hop(v, site)),
                    None => default.clone().or_else(|| {
                        Some(Value::unknown(
                            expr(),
                            format!("mapping {m} has no key {second} there"),
                            Some(site),
                        ))
                    }),
                }
            };
            match k1.as_known() {
                Some(top) => match map.get(top) {
                    Some(t) => lookup(t),
                    None => default.clone().or_else(|| {
                        Some(Value::unknown(
                            expr(),
                            format!("mapping {m} has no key {top}"),
                            Some(site),
                        ))
                    }),
                },
                // A deploy-time top-level key (`AWS::Region`): every entry is possible.
                None => {
                    let entries = map.entries().unwrap_or(&[]);
                    if entries.len() > MAX_COMBOS {
                        return Some(Value::unknown(
                            expr(),
                            "the top-level key is known only at deploy time",
                            Some(site),
                        ));
                    }
                    let mut branches: Vec<Branch> = Vec::new();
                    for (k, t) in entries {
                        let Some(v) = lookup(t) else { continue };
                        if branches.iter().any(|b| same_text(&b.value, &v)) {
                            continue;
                        }
                        let label = format!("{} is {}", k1.display(), k.text().unwrap_or(""));
                        branches.push(Branch {
                            guard: Guard::new(label, Some(k.span)),
                            value: v,
                        });
                    }
                    match branches.len() {
                        0 => None,
                        1 => branches.pop().map(|b| b.value),
                        _ => Some(Value::Branches(branches)),
                    }
                }
            }
        })
    }

    // ---- Fn::If and conditions ----------------------------------------------------------------------------

    fn if_(&self, arg: Arg, site: Span, mode: Mode, depth: usize) -> Option<Value> {
        let Some([c, a, b]) = arg.items() else {
            return Some(bad_args("If", site));
        };
        let Some(name) = c.text() else {
            return Some(bad_args("If", site));
        };
        match self.condition(name, depth) {
            Tri::True => self.ev(a, mode, depth + 1),
            Tri::False => self.ev(b, mode, depth + 1),
            Tri::Unknown => {
                let mut branches = Vec::new();
                for (v, truth) in [(a, "true"), (b, "false")] {
                    if let Some(value) = self.ev(v, mode, depth + 1) {
                        branches.push(Branch {
                            guard: Guard::new(format!("condition {name} is {truth}"), Some(c.span)),
                            value,
                        });
                    }
                }
                (!branches.is_empty()).then_some(Value::Branches(branches))
            }
        }
    }

    /// The truth of a named condition under parameter defaults (memoised; a cycle is unknown).
    pub fn condition(&self, name: &str, depth: usize) -> Tri {
        if let Some(t) = self.cond_cache.borrow().get(name) {
            return *t;
        }
        if self.cond_active.borrow().iter().any(|n| n == name) || depth > MAX_EVAL_DEPTH {
            return Tri::Unknown;
        }
        let Some(node) = self.conditions.get(name).copied() else {
            return Tri::Unknown;
        };
        self.cond_active.borrow_mut().push(name.to_string());
        let t = self.cond_node(node, depth + 1);
        self.cond_active.borrow_mut().pop();
        self.cond_cache.borrow_mut().insert(name.to_string(), t);
        t
    }

    fn cond_node(&self, node: &Node, depth: usize) -> Tri {
        if depth > MAX_EVAL_DEPTH {
            return Tri::Unknown;
        }
        if let Some(tag) = &node.tag {
            return self.cond_expr(node, true, &tag.name, depth);
        }
        match &node.kind {
            Kind::Map(entries) => match entries.as_slice() {
                [(k, v)] => match k.text().and_then(|t| intrinsic_name(t, true)) {
                    Some(name) => self.cond_expr(v, false, name, depth),
                    None => Tri::Unknown,
                },
                _ => Tri::Unknown,
            },
            Kind::Scalar(_, s) => match s.text.as_str() {
                "true" | "True" | "TRUE" => Tri::True,
                "false" | "False" | "FALSE" => Tri::False,
                _ => Tri::Unknown,
            },
            Kind::Seq(_) => Tri::Unknown,
        }
    }

    /// A condition function applied to its argument.
    fn cond_expr(&self, node: &Node, own: bool, name: &str, depth: usize) -> Tri {
        let arg = Arg { node, own };
        let items = arg.items().unwrap_or(&[]);
        match name {
            "Equals" => match items {
                [a, b] => {
                    let va = self.ev(a, Mode::Defaults, depth + 1);
                    let vb = self.ev(b, Mode::Defaults, depth + 1);
                    equals(va.as_ref(), vb.as_ref())
                }
                _ => Tri::Unknown,
            },
            "And" | "Or" => {
                let is_and = name == "And";
                let mut unknown = false;
                for c in items {
                    match (self.cond_node(c, depth + 1), is_and) {
                        (Tri::False, true) => return Tri::False,
                        (Tri::True, false) => return Tri::True,
                        (Tri::Unknown, _) => unknown = true,
                        _ => {}
                    }
                }
                if unknown || items.is_empty() {
                    Tri::Unknown
                } else {
                    Tri::from_bool(is_and)
                }
            }
            "Not" => match items {
                [c] => match self.cond_node(c, depth + 1) {
                    Tri::True => Tri::False,
                    Tri::False => Tri::True,
                    Tri::Unknown => Tri::Unknown,
                },
                _ => Tri::Unknown,
            },
            "Condition" => match arg.scalar() {
                Some(s) => self.condition(&s.text, depth + 1),
                None => Tri::Unknown,
            },
            _ => Tri::Unknown,
        }
    }
}

/// Both sides of `Fn::Equals` under defaults: equal text is true, different known text false, anything
/// symbolic or unknown undecidable (except the same symbol on both sides).
fn equals(a: Option<&Value>, b: Option<&Value>) -> Tri {
    let text = |v: Option<&Value>| -> Option<Result<String, ()>> {
        match v {
            None => Some(Ok(String::new())),
            Some(Value::Str(s) | Value::Number(s)) => {
                Some(s.as_known().map(str::to_string).ok_or(()))
            }
            Some(Value::Bool(b, _)) => Some(Ok(b.to_string())),
            _ => None,
        }
    };
    if let (Some(Value::Str(x)), Some(Value::Str(y))) = (a, b) {
        if let (Some(sx), Some(sy)) = (x.as_sym(), y.as_sym()) {
            if sx == sy {
                return Tri::True;
            }
        }
    }
    match (text(a), text(b)) {
        (Some(Ok(x)), Some(Ok(y))) => Tri::from_bool(x == y),
        _ => Tri::Unknown,
    }
}

/// A scalar's value: YAML plain scalars resolve to null, booleans and numbers (kept as text).
pub fn scalar_value(kind: ScalarKind, s: &Str, span: Span) -> Value {
    match kind {
        ScalarKind::Str => Value::Str(s.clone()),
        ScalarKind::Number => Value::Number(s.clone()),
        ScalarKind::Bool => Value::Bool(s.text == "true", Some(span)),
        ScalarKind::Null => Value::Null(Some(span)),
        ScalarKind::Plain => match s.text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null(Some(span)),
            "true" | "True" | "TRUE" => Value::Bool(true, Some(span)),
            "false" | "False" | "FALSE" => Value::Bool(false, Some(span)),
            t if is_number(t) => Value::Number(s.clone()),
            _ => Value::Str(s.clone()),
        },
    }
}

fn is_number(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    if t.is_empty() {
        return false;
    }
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])), // ok: 'e' is ASCII, i is a char boundary
        None => (t, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok_mantissa = match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
    };
    let ok_exp = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    ok_mantissa && ok_exp
}

/// A parameter default `"a,b"` of a list type is a list; items keep their spans.
fn split_list(v: Value) -> Value {
    match v {
        Value::Str(s) => {
            let span = s.span();
            let mut items = Vec::new();
            let mut start = 0usize;
            let text = s.text.clone();
            for piece in text.split(',') {
                let lead = piece.len() - piece.trim_start().len();
                let trimmed = piece.trim();
                let a = start + lead;
                items.push(Value::Str(s.slice_or_empty(a, a + trimmed.len())));
                start += piece.len() + 1;
            }
            Value::List(items, span)
        }
        other => other,
    }
}

/// Records a hop on every string of a value.
pub fn with_hop(v: Value, hop: Span) -> Value {
    match v {
        Value::Str(s) => Value::Str(s.with_hop(hop)),
        Value::Number(s) => Value::Number(s.with_hop(hop)),
        Value::List(items, sp) => {
            Value::List(items.into_iter().map(|i| with_hop(i, hop)).collect(), sp)
        }
        Value::Map(entries, sp) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, with_hop(v, hop)))
                .collect(),
            sp,
        ),
        Value::Branches(bs) => Value::Branches(
            bs.into_iter()
                .map(|b| Branch {
                    guard: b.guard,
                    value: with_hop(b.value, hop),
                })
                .collect(),
        ),
        other => other,
    }
}

/// A value where a string is expected.
pub fn to_str(v: &Value) -> Str {
    match v {
        Value::Str(s) | Value::Number(s) => s.clone(),
        Value::Bool(b, sp) => Str::lit_with(b.to_string(), *sp, false),
        Value::Null(_) => Str::default(),
        Value::Unknown(u) => Str::unknown(u.clone()),
        Value::List(_, sp) | Value::Map(_, sp) => Str::unknown(Unknown::new(
            "value",
            "a list or map where a string is expected",
            *sp,
        )),
        Value::Branches(bs) => match bs.first() {
            Some(b) => to_str(&b.value),
            None => Str::default(),
        },
    }
}

/// Short text of a value for labels and unknown expressions.
pub fn display(v: &Value) -> String {
    match v {
        Value::Str(s) | Value::Number(s) => s.display(),
        Value::Bool(b, _) => b.to_string(),
        Value::Null(_) => "null".into(),
        Value::Unknown(u) => u.expr.clone(),
        Value::List(items, _) => {
            let inner: Vec<String> = items.iter().map(display).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Map(..) => "{…}".into(),
        Value::Branches(_) => "(one of several values)".into(),
    }
}

fn same_text(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x) | Value::Number(x), Value::Str(y) | Value::Number(y)) => {
            x.is_known() && x.text == y.text && y.is_known()
        }
        _ => false,
    }
}

fn bad_args(name: &str, site: Span) -> Value {
    Value::unknown(
        format!("Fn::{name}"),
        format!("Fn::{name} has malformed arguments"),
        Some(site),
    )
}

/// Applies `f` to every combination of the branches of `ops`; the results are branches guarded by the
/// combination's guards. `None` from `f` (or no combination at all) is `AWS::NoValue`.
pub fn combine(
    ops: Vec<Value>,
    site: Span,
    f: impl Fn(&[Value]) -> Option<Value>,
) -> Option<Value> {
    if !ops.iter().any(|v| matches!(v, Value::Branches(_))) {
        return f(&ops);
    }
    let alts: Vec<Vec<(Vec<Guard>, Value)>> = ops
        .iter()
        .map(|v| {
            v.possibilities(MAX_COMBOS + 1)
                .into_iter()
                .map(|(g, v)| (g, v.clone()))
                .collect()
        })
        .collect();
    let total = alts
        .iter()
        .try_fold(1usize, |acc, a| acc.checked_mul(a.len()))
        .unwrap_or(usize::MAX);
    if total == 0 {
        return None;
    }
    if total > MAX_COMBOS {
        return Some(Value::unknown(
            "expression",
            format!("more than {MAX_COMBOS} combinations of branches"),
            Some(site),
        ));
    }
    let mut results: Vec<(Vec<Guard>, Value)> = Vec::new();
    let mut idx = vec![0usize; alts.len()];
    loop {
        let mut guards = Vec::new();
        let mut vals = Vec::with_capacity(alts.len());
        for (a, &i) in alts.iter().zip(&idx) {
            if let Some((g, v)) = a.get(i) {
                guards.extend(g.iter().cloned());
                vals.push(v.clone());
            }
        }
        if let Some(v) = f(&vals) {
            results.push((guards, v));
        }
        // Odometer over the combinations.
        let mut pos = alts.len();
        loop {
            if pos == 0 {
                return branches_of(results);
            }
            pos -= 1;
            let Some(slot) = idx.get_mut(pos) else {
                return branches_of(results);
            };
            *slot += 1;
            if *slot < alts.get(pos).map(Vec::len).unwrap_or(0) {
                break;
            }
            *slot = 0;
        }
    }
}

fn branches_of(results: Vec<(Vec<Guard>, Value)>) -> Option<Value> {
    if results.is_empty() {
        return None;
    }
    fn chain(guards: &[Guard], v: Value) -> Value {
        match guards {
            [] => v,
            [g, rest @ ..] => Value::Branches(vec![Branch {
                guard: g.clone(),
                value: chain(rest, v),
            }]),
        }
    }
    let mut branches = Vec::new();
    for (guards, v) in results {
        match chain(&guards, v) {
            Value::Branches(mut b) => branches.append(&mut b),
            other => return Some(other),
        }
    }
    Some(Value::Branches(branches))
}

/// A piece of an `Fn::Sub` template.
enum SubSeg {
    Lit(Str),
    Var(String, Span),
}

/// Splits an `Fn::Sub` template into literal runs (sub-strings of the template, so they keep their exact
/// spans) and `${Var}` references (with the span of the whole `${…}`). `${!Literal}` is the literal
/// `${Literal}`.
fn parse_sub(t: &Str, site: Span) -> Vec<SubSeg> {
    let text = &t.text;
    let mut out = Vec::new();
    let mut lit_start = 0usize;
    let mut i = 0usize;
    let push_lit = |out: &mut Vec<SubSeg>, a: usize, b: usize| {
        if a < b {
            out.push(SubSeg::Lit(t.slice(a, b)));
        }
    };
    while let Some(off) = text.get(i..).and_then(|r| r.find("${")) {
        let at = i + off;
        if text.get(at + 2..at + 3) == Some("!") {
            // `${!X}` → `${X}`: keep `${`, drop the `!`.
            push_lit(&mut out, lit_start, at + 2);
            lit_start = at + 3;
            i = at + 3;
            continue;
        }
        let Some(close) = text.get(at..).and_then(|r| r.find('}')) else {
            break;
        };
        let close = at + close;
        push_lit(&mut out, lit_start, at);
        let name = text.get(at + 2..close).unwrap_or("").trim().to_string();
        let span = t.span_of(at, close + 1).unwrap_or(site);
        out.push(SubSeg::Var(name, span));
        lit_start = close + 1;
        i = close + 1;
    }
    push_lit(&mut out, lit_start, text.len());
    out
}

/// Slicing helpers on [`Str`] that never fail.
trait SliceOrEmpty {
    fn slice_or_empty(&self, start: usize, end: usize) -> Str;
}

impl SliceOrEmpty for Str {
    fn slice_or_empty(&self, start: usize, end: usize) -> Str {
        if start >= end {
            // An empty piece still points at where it would be.
            let span = self.span_of(start, start).map(|s| s.sub(0, 0));
            return Str::lit_with("", span, true);
        }
        self.slice(start, end)
    }
}
