//! The Terraform evaluator: expressions of the hcl-edit-derived AST → [`Value`]s with provenance.
//!
//! One [`Eval`] evaluates one root module and the module instances it calls. Everything is lazy and
//! memoised per (module instance, symbol); a symbol met again while it is being evaluated is a cycle and
//! becomes unknown, never a stack overflow. Recursion through expressions is bounded by [`MAX_DEPTH`].

use super::ast::*;
use super::module::{join_source, Module, ModuleSet};
use super::vals::{self, error};
use crate::model::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::value::{Branch, Guard, Str, Sym, Unknown, Value};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Deepest evaluation recursion (expressions nested in references nested in expressions…).
pub const MAX_DEPTH: u32 = 160;
/// Deepest module call chain.
pub const MAX_MODULE_DEPTH: usize = 24;
/// Most expression evaluations for one root module and the modules it calls: bounds the work (and memory)
/// of hostile input such as nested `for` expressions over large ranges.
pub const MAX_STEPS: u64 = 1_000_000;
/// Most value nodes built into collections for one root module: bounds memory when large values are copied
/// into many places.
pub const MAX_NODES: usize = 2_000_000;
/// Most module instances under one root.
pub const MAX_MODULE_INSTANCES: usize = 5000;
/// Most instances one `count`/`for_each` may create.
pub const MAX_INSTANCES: usize = 1000;

/// The key of one instance of a counted or `for_each` resource or module.
#[derive(Clone, Debug, PartialEq)]
pub enum InstKey {
    Int(i64),
    Str(String),
    /// A possible instance whose key is not known (unknown or default-empty `for_each`).
    Any,
}

impl InstKey {
    pub fn suffix(&self) -> String {
        match self {
            InstKey::Int(i) => format!("[{i}]"),
            InstKey::Str(s) => format!("[\"{}\"]", s.replace('\\', "\\\\").replace('"', "\\\"")),
            InstKey::Any => "[each.key]".to_string(),
        }
    }
}

/// A `for` variable, `dynamic` iterator or `templatefile` variable, in a persistent list.
#[derive(Debug)]
struct VarNode {
    name: String,
    value: Value,
    next: Option<Rc<VarNode>>,
}

/// What names mean where an expression is evaluated: `count.index`, `each.*`, local variables.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub count_index: Option<Rc<Value>>,
    pub each: Option<Rc<(Value, Value)>>,
    vars: Option<Rc<VarNode>>,
    /// Only the names bound here resolve (a `templatefile` template sees its variables and nothing else).
    pub isolated: bool,
}

impl Scope {
    /// A scope where only explicitly bound names resolve.
    pub fn isolated() -> Scope {
        Scope {
            isolated: true,
            ..Scope::default()
        }
    }

    pub fn with_var(&self, name: &str, value: Value) -> Scope {
        Scope {
            vars: Some(Rc::new(VarNode {
                name: name.to_string(),
                value,
                next: self.vars.clone(),
            })),
            ..self.clone()
        }
    }

    pub fn lookup(&self, name: &str) -> Option<&Value> {
        let mut cur = self.vars.as_deref();
        while let Some(n) = cur {
            if n.name == name {
                return Some(&n.value);
            }
            cur = n.next.as_deref();
        }
        None
    }
}

/// One expansion of a counted / `for_each` block.
#[derive(Clone, Debug)]
pub struct InstSpec {
    pub key: Option<InstKey>,
    pub scope: Scope,
    pub guards: Vec<Guard>,
}

/// A module instance: a directory evaluated with one set of inputs.
#[derive(Debug)]
pub struct Instance<'m> {
    pub module: &'m Module,
    pub parent: Option<usize>,
    /// The `module` block in the parent, and its `count`/`for_each` binding.
    pub call: Option<(&'m Block, Scope)>,
    /// Address prefix: `""` for the root, `module.a["x"].` below it.
    pub prefix: String,
    /// Key in `.terraform/modules/modules.json` (`a.b`).
    pub modules_key: String,
    pub guards: Vec<Guard>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum MemoKey {
    Var(usize, String),
    Local(usize, String),
    Output(usize, String),
    Attr(usize, String, String),
    Doc(usize, String),
}

enum Memo {
    InProgress,
    Done(Value),
}

/// What kind of top-level block a reference names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Resource,
    Data,
    Module,
}

/// (parent instance, call name, instance key suffix).
type ChildKey = (usize, String, String);
/// `None` while being computed (a cycle).
type Expansion = Option<Rc<Vec<InstSpec>>>;

pub struct Eval<'m> {
    pub set: &'m ModuleSet,
    pub sources: &'m SourceMap,
    /// Scope of keys: the root module directory.
    pub scope_key: String,
    pub insts: RefCell<Vec<Rc<Instance<'m>>>>,
    children: RefCell<HashMap<ChildKey, Result<usize, Unknown>>>,
    memo: RefCell<HashMap<MemoKey, Memo>>,
    expansions: RefCell<HashMap<(usize, String), Expansion>>,
    depth: Cell<u32>,
    /// Guards of the conditional branches being evaluated.
    path: RefCell<Vec<Guard>>,
    steps: Cell<u64>,
    nodes: Cell<usize>,
    /// Budgets ([`MAX_STEPS`], [`MAX_NODES`]); lowered in tests.
    pub max_steps: u64,
    pub max_nodes: usize,
    pub diags: RefCell<Vec<Diagnostic>>,
    /// Headers of policy documents merged into another one (`source_policy_documents` & co).
    pub merged_docs: RefCell<HashSet<Span>>,
    /// Root variable values (tfvars, `--var-file`, `--var`), in precedence order already applied.
    pub root_vars: HashMap<String, Value>,
    vars_unknown: Cell<bool>,
    /// `.terraform/modules/modules.json` of the root: key → directory; read when a registry module call
    /// first needs it (most roots make none).
    modules_json: std::cell::OnceCell<Option<HashMap<String, PathBuf>>>,
    /// Canonical root module directory (relative paths) and scan root (`file()` confinement), resolved
    /// when `file()` first needs them: resolving costs system calls per path component, for every root.
    canonical_dirs: std::cell::OnceCell<(Option<PathBuf>, Option<PathBuf>)>,
    root_dir: &'m Module,
    /// (instances seen, canonical module directories) for [`Eval::module_dirs_abs`].
    module_dirs: RefCell<(usize, Vec<PathBuf>)>,
}

impl<'m> Eval<'m> {
    pub fn new(set: &'m ModuleSet, sources: &'m SourceMap, root: &'m Module) -> Eval<'m> {
        let ev = Eval {
            set,
            sources,
            scope_key: root.rel.clone(),
            insts: RefCell::new(Vec::new()),
            children: RefCell::default(),
            memo: RefCell::default(),
            expansions: RefCell::default(),
            depth: Cell::new(0),
            path: RefCell::default(),
            steps: Cell::new(0),
            nodes: Cell::new(0),
            max_steps: MAX_STEPS,
            max_nodes: MAX_NODES,
            diags: RefCell::default(),
            merged_docs: RefCell::default(),
            root_vars: HashMap::new(),
            vars_unknown: Cell::new(false),
            modules_json: std::cell::OnceCell::new(),
            canonical_dirs: std::cell::OnceCell::new(),
            root_dir: root,
            module_dirs: RefCell::default(),
        };
        ev.insts.borrow_mut().push(Rc::new(Instance {
            module: root,
            parent: None,
            call: None,
            prefix: String::new(),
            modules_key: String::new(),
            guards: Vec::new(),
        }));
        ev
    }

    /// The canonical root module directory and scan root.
    pub fn canonical_dirs(&self) -> (Option<&Path>, Option<&Path>) {
        let (dir, root) = self.canonical_dirs.get_or_init(|| {
            (
                std::fs::canonicalize(&self.root_dir.dir).ok(),
                std::fs::canonicalize(&self.root_dir.root).ok(),
            )
        });
        (dir.as_deref(), root.as_deref())
    }

    /// Canonical directories of the modules instantiated so far (computed when first needed).
    pub fn module_dirs_abs(&self) -> Vec<PathBuf> {
        let mut cache = self.module_dirs.borrow_mut();
        let insts = self.insts.borrow();
        for i in insts.iter().skip(cache.0) {
            if let Ok(d) = std::fs::canonicalize(&i.module.dir) {
                if !cache.1.contains(&d) {
                    cache.1.push(d);
                }
            }
        }
        cache.0 = insts.len();
        cache.1.clone()
    }

    pub fn inst(&self, i: usize) -> Rc<Instance<'m>> {
        let insts = self.insts.borrow();
        match insts.get(i) {
            Some(x) => x.clone(),
            // Instance ids only come from this evaluator; fall back to the root.
            None => insts[0].clone(), // ok: the root is pushed in `new`
        }
    }

    pub fn module(&self, i: usize) -> &'m Module {
        self.inst(i).module
    }

    /// Source text of a span (for unknown expressions and guard labels), shortened to one line.
    pub fn text(&self, span: Span) -> String {
        let f = self.sources.get(span.file);
        let t = f.slice(span);
        let one: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if one.chars().count() > 120 {
            let mut s: String = one.chars().take(117).collect();
            s.push_str("...");
            s
        } else {
            one
        }
    }

    pub fn unknown(&self, span: Span, why: impl Into<String>) -> Value {
        Value::Unknown(Unknown::new(self.text(span), why, Some(span)))
    }

    /// Counts a newly built collection against the node budget; past it the value is unknown.
    pub fn charge(&self, v: Value, span: Span) -> Value {
        if !matches!(v, Value::List(..) | Value::Map(..)) || self.charge_item(&v) {
            return v;
        }
        self.too_large(span)
    }

    /// Counts one element put into a new collection; false once the budget is spent.
    fn charge_item(&self, v: &Value) -> bool {
        let left = self.max_nodes.saturating_sub(self.nodes.get());
        let w = vals::weight(v, left.saturating_add(1));
        if w > left {
            self.nodes.set(self.max_nodes);
            return false;
        }
        self.nodes.set(self.nodes.get() + w);
        true
    }

    fn too_large(&self, span: Span) -> Value {
        self.unknown(span, "the value is too large to evaluate")
    }

    pub fn err(&self, span: Span, why: impl AsRef<str>) -> Value {
        error(self.text(span), why, Some(span))
    }

    // ---------------------------------------------------------------------------------------------
    // Expressions
    // ---------------------------------------------------------------------------------------------

    pub fn eval(&self, inst: usize, scope: &Scope, e: &Expr) -> Value {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            return self.unknown(e.span(), "expression nesting is too deep to evaluate");
        }
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > self.max_steps {
            return self.unknown(e.span(), "the configuration needs too much evaluation work");
        }
        self.depth.set(d + 1);
        let v = self.eval_inner(inst, scope, e);
        self.depth.set(d);
        v
    }

    fn eval_inner(&self, inst: usize, scope: &Scope, e: &Expr) -> Value {
        match e {
            Expr::Null(s) => Value::Null(Some(*s)),
            Expr::Bool(b, s) => Value::Bool(*b, Some(*s)),
            Expr::Number(s) => Value::Number(s.clone()),
            Expr::Template(t) => self.template(inst, scope, &t.parts, t.span),
            Expr::Array(items, s) => {
                // Charged like objects: `[local.a, local.a]` nested a few dozen times doubles at each step.
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    let v = self.eval(inst, scope, x);
                    if !self.charge_item(&v) {
                        return self.too_large(*s);
                    }
                    out.push(v);
                }
                Value::List(out, Some(*s))
            }
            Expr::Object(entries, s) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, x) in entries {
                    let key = match k {
                        Key::Ident(n, ks) => Str::lit(n.clone(), Some(*ks)),
                        Key::Expr(Expr::Var(n, ks)) if scope.lookup(n).is_none() => {
                            // `{ name = … }` where the key parsed as a variable: HCL reads it literally.
                            Str::lit(n.clone(), Some(*ks))
                        }
                        Key::Expr(ke) => {
                            let kv = self.eval(inst, scope, ke);
                            match vals::to_str(&kv) {
                                Some(s) => s,
                                None => return self.err(ke.span(), "object key is null"),
                            }
                        }
                    };
                    let v = self.eval(inst, scope, x);
                    if !self.charge_item(&v) {
                        return self.too_large(*s);
                    }
                    out.push((key, v));
                }
                Value::Map(out, Some(*s))
            }
            Expr::Var(_, s) => self.traversal(inst, scope, e, &[], *s),
            Expr::Traversal(head, ops, s) => self.traversal(inst, scope, head, ops, *s),
            Expr::Call(c) => super::funcs::call(self, inst, scope, c),
            Expr::Cond(parts, s) => {
                let [c, a, b] = parts.as_ref();
                let cv = self.eval(inst, scope, c);
                let _ = s;
                self.choose(&cv, c.span(), &|| self.eval(inst, scope, a), &|| {
                    self.eval(inst, scope, b)
                })
            }
            Expr::Unary(op, x, s) => {
                let v = self.eval(inst, scope, x);
                self.unary(*op, v, *s)
            }
            Expr::Binary(op, xs, s) => {
                let [l, r] = xs.as_ref();
                self.binary(inst, scope, *op, l, r, *s)
            }
            Expr::For(f) => self.for_expr(inst, scope, f),
            Expr::Invalid(msg, s) => self.err(*s, msg),
        }
    }

    /// The value of a conditional given its evaluated condition: one side when known, one branch per
    /// possibility when the condition branches, two guarded branches when it is unknown.
    fn choose(
        &self,
        cv: &Value,
        cspan: Span,
        yes: &dyn Fn() -> Value,
        no: &dyn Fn() -> Value,
    ) -> Value {
        match vals::bool_of(cv) {
            Some(true) => yes(),
            Some(false) => no(),
            None => match cv {
                Value::Unknown(u) if vals::is_error(u) => cv.clone(),
                Value::Null(_) => self.err(cspan, "condition is null"),
                Value::Branches(bs) => Value::Branches(
                    bs.iter()
                        .map(|br| Branch {
                            guard: br.guard.clone(),
                            value: self.under(&br.guard, || self.choose(&br.value, cspan, yes, no)),
                        })
                        .collect(),
                ),
                _ => {
                    let label = self.text(cspan);
                    let t = Guard::new(format!("{label} is true"), Some(cspan));
                    let f = Guard::new(format!("{label} is false"), Some(cspan));
                    // Inside a branch of the same condition, only the matching side is possible.
                    if self.on_path(&t) {
                        return yes();
                    }
                    if self.on_path(&f) {
                        return no();
                    }
                    Value::Branches(vec![
                        Branch {
                            value: self.under(&t, yes),
                            guard: t,
                        },
                        Branch {
                            value: self.under(&f, no),
                            guard: f,
                        },
                    ])
                }
            },
        }
    }

    /// Evaluates `f` with exactly `path` as the current path.
    pub fn with_path<T>(&self, path: Vec<Guard>, f: impl FnOnce() -> T) -> T {
        let saved = std::mem::replace(&mut *self.path.borrow_mut(), path);
        let v = f();
        *self.path.borrow_mut() = saved;
        v
    }

    /// Evaluates `f` on the path where `g` holds.
    fn under<T>(&self, g: &Guard, f: impl FnOnce() -> T) -> T {
        self.path.borrow_mut().push(g.clone());
        let v = f();
        self.path.borrow_mut().pop();
        v
    }

    /// Guards match by their condition's text: `var.on` tested in a local and again in the resource
    /// reading it is the same variable. (Two module instances' `var.on` nested in one path would be
    /// conflated; evaluation rarely nests those.)
    fn on_path(&self, g: &Guard) -> bool {
        self.path.borrow().iter().any(|p| p.label == g.label)
    }

    /// Whether `g` is the opposite of a guard on the current path (`c is true` while `c is false` holds).
    fn contradicts(&self, g: &Guard) -> bool {
        let Some((c, pol)) = polarity(g) else {
            return false;
        };
        self.path
            .borrow()
            .iter()
            .any(|p| polarity(p) == Some((c, !pol)))
    }

    /// Drops the branches of a value that the current path rules out (a value computed from `c ? a : b`
    /// used inside the `c` branch of another conditional is `a`).
    pub fn prune(&self, v: Value) -> Value {
        if self.path.borrow().is_empty() || !vals::has_branches(&v) {
            return v;
        }
        self.prune_deep(v, 0)
    }

    fn prune_deep(&self, v: Value, depth: usize) -> Value {
        if depth > 64 {
            return v;
        }
        match v {
            Value::Branches(bs) => {
                let mut kept: Vec<Branch> = bs
                    .into_iter()
                    .filter(|b| !self.contradicts(&b.guard))
                    .collect();
                if kept.len() == 1 && kept.first().is_some_and(|b| self.on_path(&b.guard)) {
                    if let Some(b) = kept.pop() {
                        return self.prune_deep(b.value, depth + 1);
                    }
                }
                Value::Branches(
                    kept.into_iter()
                        .map(|b| Branch {
                            value: self.under(&b.guard, || self.prune_deep(b.value, depth + 1)),
                            guard: b.guard,
                        })
                        .collect(),
                )
            }
            Value::List(items, sp) if items.iter().any(vals::has_branches) => Value::List(
                items
                    .into_iter()
                    .map(|x| self.prune_deep(x, depth + 1))
                    .collect(),
                sp,
            ),
            Value::Map(entries, sp) if entries.iter().any(|(_, x)| vals::has_branches(x)) => {
                Value::Map(
                    entries
                        .into_iter()
                        .map(|(k, x)| (k, self.prune_deep(x, depth + 1)))
                        .collect(),
                    sp,
                )
            }
            other => other,
        }
    }

    /// A template: literal parts keep their spans, interpolations their values' provenance.
    pub fn template(&self, inst: usize, scope: &Scope, parts: &[TPart], span: Span) -> Value {
        if let [TPart::Interp(e, ..)] = parts {
            // A template that is one interpolation is that value (not its string form).
            return self.eval(inst, scope, e);
        }
        let mut pieces: Vec<Value> = Vec::with_capacity(parts.len());
        let mut strip_next = false;
        for p in parts {
            match p {
                TPart::Lit(s) => {
                    let s = if strip_next {
                        vals::trim(s, true, false)
                    } else {
                        s.clone()
                    };
                    strip_next = false;
                    pieces.push(Value::Str(s));
                }
                TPart::Interp(e, before, after) => {
                    if *before {
                        if let Some(Value::Str(last)) = pieces.last_mut() {
                            *last = vals::trim(last, false, true);
                        }
                    }
                    strip_next = *after;
                    pieces.push(self.eval(inst, scope, e));
                }
                TPart::If {
                    cond,
                    then,
                    otherwise,
                    span: ds,
                } => {
                    let cv = self.eval(inst, scope, cond);
                    let yes = || self.template_str(inst, scope, then, *ds);
                    let no = || self.template_str(inst, scope, otherwise, *ds);
                    let v = self.choose(&cv, cond.span(), &yes, &no);
                    pieces.push(v);
                }
                TPart::For {
                    key_var,
                    value_var,
                    coll,
                    body,
                    span: ds,
                } => {
                    let cv = self.eval(inst, scope, coll);
                    let pairs = match self.iter_pairs(&cv, coll.span()) {
                        Ok(p) => p,
                        Err(u) => {
                            pieces.push(u);
                            continue;
                        }
                    };
                    for (k, v) in pairs {
                        let mut s = scope.with_var(value_var, v);
                        if let Some(kv) = key_var {
                            s = s.with_var(kv, k);
                        }
                        pieces.push(self.template_str(inst, &s, body, *ds));
                    }
                }
            }
        }
        self.concat(pieces, span)
    }

    /// A template part list always as a string (even when it is one interpolation).
    fn template_str(&self, inst: usize, scope: &Scope, parts: &[TPart], span: Span) -> Value {
        let v = self.template(inst, scope, parts, span);
        if let [TPart::Interp(..)] = parts {
            return self.concat(vec![v], span);
        }
        if parts.is_empty() {
            return Value::Str(Str::default());
        }
        v
    }

    /// Concatenates evaluated template pieces; branches are distributed into branches of strings.
    pub fn concat(&self, pieces: Vec<Value>, span: Span) -> Value {
        if let Some(i) = pieces.iter().position(|p| matches!(p, Value::Branches(_))) {
            let Some(Value::Branches(bs)) = pieces.get(i).cloned() else {
                return self.unknown(span, "internal: branch vanished");
            };
            if bs.len() > vals::MAX_BRANCHES {
                return self.unknown(span, "too many conditional combinations");
            }
            return Value::Branches(
                bs.into_iter()
                    .map(|b| {
                        let mut ps = pieces.clone();
                        if let Some(slot) = ps.get_mut(i) {
                            *slot = b.value;
                        }
                        Branch {
                            guard: b.guard,
                            value: self.concat(ps, span),
                        }
                    })
                    .collect(),
            );
        }
        let mut out = Str::default();
        for p in pieces {
            match &p {
                Value::Unknown(u) if vals::is_error(u) => return p,
                Value::Null(_) => {
                    return self.err(span, "a null value is interpolated into a string")
                }
                _ => {}
            }
            if let Some(s) = vals::into_str(p) {
                if out.text.len() + s.text.len() > vals::MAX_STR
                    || out.parts.len() + s.parts.len() > vals::MAX_PARTS
                {
                    return self.unknown(span, "the string is too long to evaluate");
                }
                out.append(s);
            }
        }
        Value::Str(out)
    }

    fn unary(&self, op: UnOp, v: Value, span: Span) -> Value {
        match (&v, op) {
            (Value::Branches(bs), _) => Value::Branches(
                bs.iter()
                    .map(|b| Branch {
                        guard: b.guard.clone(),
                        value: self.unary(op, b.value.clone(), span),
                    })
                    .collect(),
            ),
            (Value::Unknown(_), _) => v,
            (_, UnOp::Not) => match vals::bool_of(&v) {
                Some(b) => Value::Bool(!b, Some(span)),
                None => self.err(span, "`!` needs a boolean"),
            },
            (_, UnOp::Neg) => match vals::num_of(&v) {
                Some(n) => vals::num(-n, Some(span)),
                None => self.err(span, "`-` needs a number"),
            },
        }
    }

    fn binary(
        &self,
        inst: usize,
        scope: &Scope,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        span: Span,
    ) -> Value {
        let lv = self.eval(inst, scope, l);
        // Short circuits that hold whatever the other side is.
        if op == BinOp::And && vals::bool_of(&lv) == Some(false) {
            return Value::Bool(false, Some(span));
        }
        if op == BinOp::Or && vals::bool_of(&lv) == Some(true) {
            return Value::Bool(true, Some(span));
        }
        let rv = self.eval(inst, scope, r);
        self.binary_values(op, lv, rv, span)
    }

    fn binary_values(&self, op: BinOp, lv: Value, rv: Value, span: Span) -> Value {
        for (side, other, left) in [(&lv, &rv, true), (&rv, &lv, false)] {
            if let Value::Branches(bs) = side {
                if bs.len() > vals::MAX_BRANCHES {
                    return self.unknown(span, "too many conditional combinations");
                }
                return Value::Branches(
                    bs.iter()
                        .map(|b| Branch {
                            guard: b.guard.clone(),
                            value: if left {
                                self.binary_values(op, b.value.clone(), other.clone(), span)
                            } else {
                                self.binary_values(op, other.clone(), b.value.clone(), span)
                            },
                        })
                        .collect(),
                );
            }
        }
        let sp = Some(span);
        match op {
            BinOp::Eq | BinOp::NotEq => match vals::equal(&lv, &rv) {
                Some(eq) => Value::Bool(eq == (op == BinOp::Eq), sp),
                None => self.first_unknown_or(&lv, &rv, span),
            },
            BinOp::And | BinOp::Or => match (vals::bool_of(&lv), vals::bool_of(&rv)) {
                (Some(a), Some(b)) => {
                    Value::Bool(if op == BinOp::And { a && b } else { a || b }, sp)
                }
                (_, Some(false)) if op == BinOp::And => Value::Bool(false, sp),
                (_, Some(true)) if op == BinOp::Or => Value::Bool(true, sp),
                _ => self.first_unknown_or(&lv, &rv, span),
            },
            _ => {
                let (Some(a), Some(b)) = (vals::num_of(&lv), vals::num_of(&rv)) else {
                    return self.first_unknown_or(&lv, &rv, span);
                };
                match op {
                    BinOp::Plus => vals::num(a + b, sp),
                    BinOp::Minus => vals::num(a - b, sp),
                    BinOp::Mul => vals::num(a * b, sp),
                    BinOp::Div if b != 0.0 => vals::num(a / b, sp),
                    BinOp::Mod if b != 0.0 => vals::num(a % b, sp),
                    BinOp::Div | BinOp::Mod => self.err(span, "division by zero"),
                    BinOp::Less => Value::Bool(a < b, sp),
                    BinOp::LessEq => Value::Bool(a <= b, sp),
                    BinOp::Greater => Value::Bool(a > b, sp),
                    BinOp::GreaterEq => Value::Bool(a >= b, sp),
                    _ => self.err(span, "unsupported operator"),
                }
            }
        }
    }

    fn first_unknown_or(&self, a: &Value, b: &Value, span: Span) -> Value {
        for v in [a, b] {
            if let Some(u) = vals::first_unknown(v) {
                if vals::is_error(&u) {
                    return Value::Unknown(u);
                }
            }
        }
        for v in [a, b] {
            if let Some(u) = vals::first_unknown(v) {
                return Value::Unknown(Unknown::new(self.text(span), u.why, Some(span)));
            }
        }
        if a.is_null() || b.is_null() {
            return self.err(span, "an operand is null");
        }
        self.unknown(span, "operands are not known")
    }

    /// Key/value pairs to iterate (`for`, `dynamic`, template `for`), or the value to return instead.
    pub fn iter_pairs(&self, coll: &Value, span: Span) -> Result<Vec<(Value, Value)>, Value> {
        match coll {
            Value::List(items, _) => {
                if items.len() > vals::MAX_ITEMS {
                    return Err(self.unknown(span, "collection is too large"));
                }
                Ok(items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (vals::num(i as f64, None), v.clone()))
                    .collect())
            }
            Value::Map(entries, _) => {
                if entries.len() > vals::MAX_ITEMS {
                    return Err(self.unknown(span, "collection is too large"));
                }
                Ok(entries
                    .iter()
                    .map(|(k, v)| (Value::Str(k.clone()), v.clone()))
                    .collect())
            }
            Value::Null(_) => Err(self.err(span, "cannot iterate over null")),
            Value::Unknown(_) => Err(coll.clone()),
            Value::Branches(_) => Err(self.unknown(span, "the collection depends on a condition")),
            other => Err(vals::opaque(other)
                .unwrap_or_else(|| self.err(span, "cannot iterate over a primitive value"))),
        }
    }

    fn for_expr(&self, inst: usize, scope: &Scope, f: &ForExpr) -> Value {
        let cv = self.eval(inst, scope, &f.coll);
        if let Value::Branches(bs) = &cv {
            // Each possibility of the collection gives its own result.
            return Value::Branches(
                bs.iter()
                    .map(|b| Branch {
                        guard: b.guard.clone(),
                        value: self.for_over(inst, scope, f, &b.value),
                    })
                    .collect(),
            );
        }
        self.for_over(inst, scope, f, &cv)
    }

    fn for_over(&self, inst: usize, scope: &Scope, f: &ForExpr, cv: &Value) -> Value {
        let pairs = match self.iter_pairs(cv, f.coll.span()) {
            Ok(p) => p,
            Err(v) => return v,
        };
        let mut list = Vec::new();
        let mut map: Vec<(Str, Value)> = Vec::new();
        for (k, v) in pairs {
            let mut s = scope.with_var(&f.value_var, v);
            if let Some(kv) = &f.key_var {
                s = s.with_var(kv, k);
            }
            let mut guard = None;
            if let Some(c) = &f.cond {
                let cv = self.eval(inst, &s, c);
                match vals::bool_of(&cv) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        if let Value::Unknown(u) = &cv {
                            if vals::is_error(u) {
                                return cv;
                            }
                        }
                        guard = Some(Guard::new(
                            format!("{} is true", self.text(c.span())),
                            Some(c.span()),
                        ));
                    }
                }
            }
            let wrap = |v: Value| match &guard {
                Some(g) => Value::Branches(vec![Branch {
                    guard: g.clone(),
                    value: v,
                }]),
                None => v,
            };
            let value = wrap(self.eval(inst, &s, &f.value_expr));
            if !self.charge_item(&value) {
                return self.too_large(f.span);
            }
            match &f.key_expr {
                Some(ke) => {
                    let kv = self.eval(inst, &s, ke);
                    let Some(key) = vals::to_str(&kv) else {
                        return self.err(ke.span(), "for expression key is null");
                    };
                    if f.grouping {
                        match map
                            .iter_mut()
                            .find(|(k, _)| k.is_known() && k.text == key.text)
                        {
                            Some((_, Value::List(items, _))) => items.push(value),
                            _ => map.push((key, Value::List(vec![value], Some(f.span)))),
                        }
                    } else {
                        map.retain(|(k, _)| {
                            !(k.is_known() && key.is_known() && k.text == key.text)
                        });
                        map.push((key, value));
                    }
                }
                None => list.push(value),
            }
        }
        if f.key_expr.is_some() {
            Value::Map(map, Some(f.span))
        } else {
            Value::List(list, Some(f.span))
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Traversals and references
    // ---------------------------------------------------------------------------------------------

    fn traversal(&self, inst: usize, scope: &Scope, head: &Expr, ops: &[TOp], span: Span) -> Value {
        let v = self.traversal_inner(inst, scope, head, ops, span);
        self.prune(v)
    }

    fn traversal_inner(
        &self,
        inst: usize,
        scope: &Scope,
        head: &Expr,
        ops: &[TOp],
        span: Span,
    ) -> Value {
        let Expr::Var(name, hspan) = head else {
            let v = self.eval(inst, scope, head);
            return self.apply_ops(inst, scope, v, ops, span);
        };
        if let Some(v) = scope.lookup(name) {
            return self.apply_ops(inst, scope, v.clone(), ops, span);
        }
        if scope.isolated {
            return self.err(span, format!("`{name}` is not a template variable"));
        }
        // The reference itself (`var.x`, `local.y`): the use site recorded as a hop.
        let first_attr = match ops.first() {
            Some(TOp::Attr(a, s)) => Some((a.as_str(), hspan.join(s))),
            _ => None,
        };
        match name.as_str() {
            "var" | "local" => {
                let Some((n, use_span)) = first_attr else {
                    return self.err(span, format!("`{name}` needs an attribute"));
                };
                let v = if name == "var" {
                    self.var_value(inst, n)
                } else {
                    self.local_value(inst, n)
                };
                let v = match v {
                    Value::Unknown(mut u) if !vals::is_error(&u) => {
                        u.expr = self.text(use_span);
                        u.span = Some(use_span);
                        Value::Unknown(u)
                    }
                    v => vals::with_hop(v, use_span),
                };
                self.apply_ops(inst, scope, v, ops.get(1..).unwrap_or(&[]), span)
            }
            "count" => match (first_attr, &scope.count_index) {
                (Some(("index", _)), Some(v)) => self.apply_ops(
                    inst,
                    scope,
                    (**v).clone(),
                    ops.get(1..).unwrap_or(&[]),
                    span,
                ),
                _ => self.err(span, "`count` is only available in a block with `count`"),
            },
            "each" => match (first_attr, &scope.each) {
                (Some(("key", _)), Some(kv)) => {
                    self.apply_ops(inst, scope, kv.0.clone(), ops.get(1..).unwrap_or(&[]), span)
                }
                (Some(("value", _)), Some(kv)) => {
                    self.apply_ops(inst, scope, kv.1.clone(), ops.get(1..).unwrap_or(&[]), span)
                }
                _ => self.err(span, "`each` is only available in a block with `for_each`"),
            },
            "path" => {
                let v = match first_attr.map(|(a, _)| a) {
                    Some("module") => Value::Str(vals::synth(self.path_module(inst), None)),
                    Some("root") | Some("cwd") => Value::Str(vals::synth(".", None)),
                    _ => return self.err(span, "unknown `path` attribute"),
                };
                self.apply_ops(inst, scope, v, ops.get(1..).unwrap_or(&[]), span)
            }
            "terraform" => self.unknown(span, "the workspace is chosen when Terraform runs"),
            "self" => self.unknown(span, "`self` is only known during provisioning"),
            "module" => self.module_ref(inst, scope, ops, span),
            "data" => {
                let (Some(TOp::Attr(ty, _)), Some(TOp::Attr(n, _))) = (ops.first(), ops.get(1))
                else {
                    return self.err(span, "`data` needs a type and a name");
                };
                match self.module(inst).data_block(ty, n) {
                    Some(b) => self.block_ref(
                        inst,
                        scope,
                        BlockKind::Data,
                        ty,
                        n,
                        b,
                        ops.get(2..).unwrap_or(&[]),
                        span,
                    ),
                    None => self.unknown(span, "data source is not declared in this module"),
                }
            }
            ty => {
                let Some(TOp::Attr(n, _)) = ops.first() else {
                    return self.unknown(span, "unknown name");
                };
                match self.module(inst).resource(ty, n) {
                    Some(b) => self.block_ref(
                        inst,
                        scope,
                        BlockKind::Resource,
                        ty,
                        n,
                        b,
                        ops.get(1..).unwrap_or(&[]),
                        span,
                    ),
                    None => self.unknown(span, "resource is not declared in this module"),
                }
            }
        }
    }

    /// Applies traversal operators to a value.
    pub fn apply_ops(
        &self,
        inst: usize,
        scope: &Scope,
        v: Value,
        ops: &[TOp],
        span: Span,
    ) -> Value {
        // Values are taken apart as they are selected from: the part selected moves out, nothing is copied.
        let mut v = v;
        for (i, op) in ops.iter().enumerate() {
            if let Value::Branches(bs) = v {
                let rest = ops.get(i..).unwrap_or(&[]);
                return Value::Branches(
                    bs.into_iter()
                        .map(|b| Branch {
                            guard: b.guard,
                            value: self.apply_ops(inst, scope, b.value, rest, span),
                        })
                        .collect(),
                );
            }
            if let Value::Unknown(_) = v {
                return v;
            }
            v = match op {
                TOp::Attr(name, s) => match &v {
                    Value::Map(..) => match v.take(name) {
                        Ok(x) => x,
                        Err(_) => return self.err(span.join(s), format!("no attribute `{name}`")),
                    },
                    Value::Null(_) => return self.err(span, format!("attribute `{name}` of null")),
                    other if vals::opaque(other).is_some() => {
                        return vals::opaque(other).unwrap_or_else(|| other.clone())
                    }
                    _ => {
                        return self.err(
                            span,
                            format!("attribute `{name}` of a value that is not an object"),
                        )
                    }
                },
                TOp::Index(ke) => {
                    let k = self.eval(inst, scope, ke);
                    self.index(v, &k, span)
                }
                TOp::Splat(_) => {
                    let rest = ops.get(i + 1..).unwrap_or(&[]);
                    return match v {
                        Value::List(items, sp) => Value::List(
                            items
                                .into_iter()
                                .map(|x| self.apply_ops(inst, scope, x, rest, span))
                                .collect(),
                            sp,
                        ),
                        Value::Null(sp) => Value::List(Vec::new(), sp),
                        other => {
                            let sp = other.span();
                            Value::List(vec![self.apply_ops(inst, scope, other, rest, span)], sp)
                        }
                    };
                }
            };
        }
        v
    }

    pub fn index(&self, v: Value, k: &Value, span: Span) -> Value {
        match k {
            Value::Unknown(u) => return Value::Unknown(u.clone()),
            Value::Branches(bs) => {
                return Value::Branches(
                    bs.iter()
                        .map(|b| Branch {
                            guard: b.guard.clone(),
                            value: self.index(v.clone(), &b.value, span),
                        })
                        .collect(),
                )
            }
            _ => {}
        }
        match &v {
            Value::List(..) => match vals::num_of(k) {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => match v {
                    Value::List(mut items, _) if (n as usize) < items.len() => {
                        items.swap_remove(n as usize)
                    }
                    _ => self.err(span, format!("index {} is out of range", vals::fmt_num(n))),
                },
                _ => self.err(span, "a list index must be a whole number"),
            },
            Value::Map(..) => match k.as_str() {
                Some(s) if s.is_known() => match v.take(&s.text) {
                    Ok(x) => x,
                    Err(_) => self.err(span, format!("no element with key \"{}\"", s.text)),
                },
                Some(_) => self.unknown(span, "the key is not known"),
                None => self.err(span, "a map key must be a string"),
            },
            Value::Null(_) => self.err(span, "index of null"),
            Value::Unknown(_) => v,
            other => {
                vals::opaque(other).unwrap_or_else(|| self.err(span, "index of a primitive value"))
            }
        }
    }

    /// `path.module` as Terraform gives it: relative to the root module directory.
    fn path_module(&self, inst: usize) -> String {
        let m = self.module(inst);
        let root = self.module(0);
        relative_path(&m.dir, &root.dir)
    }

    // --- variables, locals, outputs ---------------------------------------------------------------

    /// Evaluates (once) the value of a symbol. The value does not depend on the branch it is read in: it
    /// is computed on the path of what is certain about its instance (`guards`: the `count`/`for_each`
    /// branches the instance exists under) and pruned further where it is read.
    fn memoised(
        &self,
        key: MemoKey,
        span: Span,
        guards: &[Guard],
        f: impl FnOnce() -> Value,
    ) -> Value {
        let f = || self.with_path(guards.to_vec(), f);
        if self.vars_unknown.get() {
            return f();
        }
        match self.memo.borrow().get(&key) {
            Some(Memo::Done(v)) => return v.clone(),
            Some(Memo::InProgress) => {
                return self.unknown(span, "the value refers to itself (cycle)")
            }
            None => {}
        }
        self.memo.borrow_mut().insert(key.clone(), Memo::InProgress);
        let v = f();
        self.memo.borrow_mut().insert(key, Memo::Done(v.clone()));
        v
    }

    pub fn var_value(&self, inst: usize, name: &str) -> Value {
        let i = self.inst(inst);
        let m = i.module;
        let Some(decl) = m.variable(name) else {
            return Value::unknown(format!("var.{name}"), "variable is not declared", None);
        };
        // What-if mode: a root variable set only by its default is an input; tfvars and `--var` values
        // are the user's choice and stay facts.
        if self.vars_unknown.get() && i.parent.is_none() && !self.root_vars.contains_key(name) {
            return Value::unknown(
                format!("var.{name}"),
                "variable value is an input",
                Some(decl.header),
            );
        }
        self.memoised(
            MemoKey::Var(inst, name.to_string()),
            decl.header,
            &i.guards,
            || {
                let v = match (&i.call, i.parent) {
                    (Some((call, call_scope)), Some(parent)) => match call.body.attr(name) {
                        Some(a) => {
                            let v = self.eval(parent, call_scope, &a.expr);
                            Some(vals::with_hop(v, a.span))
                        }
                        None => None,
                    },
                    _ => self.root_vars.get(name).cloned(),
                };
                let v = v.or_else(|| {
                    decl.body
                        .attr("default")
                        .map(|d| self.eval(inst, &Scope::default(), &d.expr))
                });
                match v {
                    Some(v) => {
                        let v = match decl.body.attr("type") {
                            Some(t) => self.apply_type(v, &t.expr, 0),
                            None => v,
                        };
                        vals::with_hop(v, decl.header)
                    }
                    None if i.parent.is_some() => Value::unknown(
                        format!("var.{name}"),
                        "the module call does not set this variable and it has no default",
                        Some(decl.header),
                    ),
                    None => Value::unknown(
                        format!("var.{name}"),
                        "variable has no value",
                        Some(decl.header),
                    ),
                }
            },
        )
    }

    pub fn local_value(&self, inst: usize, name: &str) -> Value {
        let m = self.module(inst);
        let Some(a) = m.attr_of_local(name) else {
            return Value::unknown(format!("local.{name}"), "local value is not declared", None);
        };
        self.memoised(
            MemoKey::Local(inst, name.to_string()),
            a.span,
            &self.inst(inst).guards,
            || self.eval(inst, &Scope::default(), &a.expr),
        )
    }

    pub fn output_value(&self, inst: usize, name: &str, use_span: Span) -> Value {
        let m = self.module(inst);
        let Some(b) = m.output(name) else {
            return self.err(use_span, format!("module has no output `{name}`"));
        };
        let Some(a) = b.body.attr("value") else {
            return self.err(use_span, "output has no value");
        };
        self.memoised(
            MemoKey::Output(inst, name.to_string()),
            a.span,
            &self.inst(inst).guards,
            || self.eval(inst, &Scope::default(), &a.expr),
        )
    }

    /// Converts a value to a variable's declared type where it matters: `optional(T, default)` object
    /// attributes get their default (or null) when absent, booleans written as strings become booleans.
    fn apply_type(&self, v: Value, ty: &Expr, depth: usize) -> Value {
        if depth > 32 {
            return v;
        }
        match ty {
            Expr::Var(name, _) => match (name.as_str(), v) {
                ("bool", Value::Str(s)) => match s.as_known() {
                    Some("true") => Value::Bool(true, s.span()),
                    Some("false") => Value::Bool(false, s.span()),
                    _ => Value::Str(s),
                },
                ("string", Value::Number(s)) => Value::Str(s),
                ("string", Value::Bool(b, sp)) => Value::Str(vals::synth(b.to_string(), sp)),
                (_, v) => v,
            },
            Expr::Call(c) => match (c.name.as_str(), v) {
                ("object", Value::Map(mut entries, sp)) => {
                    let Some(Expr::Object(fields, _)) = c.args.first() else {
                        return Value::Map(entries, sp);
                    };
                    for (k, fty) in fields {
                        let key = match k {
                            Key::Ident(n, _) => n.clone(),
                            Key::Expr(Expr::Var(n, _)) => n.clone(),
                            Key::Expr(e) => match e.as_lit_str() {
                                Some(s) => s.text.clone(),
                                None => continue,
                            },
                        };
                        let (inner, default, optional) = match fty {
                            Expr::Call(oc) if oc.name == "optional" => {
                                (oc.args.first(), oc.args.get(1), true)
                            }
                            other => (Some(other), None, false),
                        };
                        let default_value = || {
                            let d = default
                                .map(|d| self.eval(0, &Scope::isolated(), d))
                                .unwrap_or(Value::Null(None));
                            match inner {
                                Some(t) if !d.is_null() => self.apply_type(d, t, depth + 1),
                                _ => d,
                            }
                        };
                        match entries.iter_mut().rev().find(|(k2, _)| k2.text == key) {
                            Some((_, val)) => {
                                let cur = std::mem::replace(val, Value::Null(None));
                                *val = if cur.is_null() && default.is_some() {
                                    default_value()
                                } else {
                                    match inner {
                                        Some(t) => self.apply_type(cur, t, depth + 1),
                                        None => cur,
                                    }
                                };
                            }
                            None if optional => {
                                entries.push((vals::synth(key, None), default_value()))
                            }
                            None => {}
                        }
                    }
                    Value::Map(entries, sp)
                }
                ("list" | "set", Value::List(items, sp)) => match c.args.first() {
                    Some(t) => Value::List(
                        items
                            .into_iter()
                            .map(|x| self.apply_type(x, t, depth + 1))
                            .collect(),
                        sp,
                    ),
                    None => Value::List(items, sp),
                },
                ("map", Value::Map(entries, sp)) => match c.args.first() {
                    Some(t) => Value::Map(
                        entries
                            .into_iter()
                            .map(|(k, x)| (k, self.apply_type(x, t, depth + 1)))
                            .collect(),
                        sp,
                    ),
                    None => Value::Map(entries, sp),
                },
                (_, v) => v,
            },
            _ => v,
        }
    }

    // --- count / for_each -------------------------------------------------------------------------

    /// The instances of a block with `count`/`for_each` (one unkeyed instance without them).
    pub fn expand(&self, inst: usize, block: &Block, address: &str) -> Rc<Vec<InstSpec>> {
        let key = (inst, address.to_string());
        if let Some(e) = self.expansions.borrow().get(&key) {
            return match e {
                Some(v) => v.clone(),
                None => Rc::new(vec![InstSpec {
                    key: Some(InstKey::Any),
                    scope: unknown_each_scope(block, "the instances refer to themselves (cycle)"),
                    guards: vec![Guard::new("instances form a cycle", Some(block.header))],
                }]),
            };
        }
        if self.vars_unknown.get() {
            // A what-if evaluation (variables as inputs) must not leave its results behind.
            return Rc::new(self.expand_uncached(inst, block));
        }
        self.expansions.borrow_mut().insert(key.clone(), None);
        let saved = std::mem::take(&mut *self.path.borrow_mut());
        let specs = Rc::new(self.expand_uncached(inst, block));
        *self.path.borrow_mut() = saved;
        self.expansions
            .borrow_mut()
            .insert(key, Some(specs.clone()));
        specs
    }

    fn expand_uncached(&self, inst: usize, block: &Block) -> Vec<InstSpec> {
        if let Some(c) = block.body.attr("count") {
            let v = self.eval(inst, &Scope::default(), &c.expr);
            let mut out = self.count_specs(&v, &[], c);
            if out.is_empty() && self.depends_on_inputs(inst, &c.expr) {
                out.push(InstSpec {
                    key: Some(InstKey::Int(0)),
                    scope: Scope {
                        count_index: Some(Rc::new(vals::num(0.0, None))),
                        ..Scope::default()
                    },
                    guards: vec![Guard::new(
                        format!("{} is 0 with the variables' defaults (analysed as a possible instance)", self.text(c.expr.span())),
                        Some(c.span),
                    )],
                });
            }
            return out;
        }
        if let Some(fe) = block.body.attr("for_each") {
            let v = self.eval(inst, &Scope::default(), &fe.expr);
            let mut out = self.for_each_specs(&v, &[], fe);
            if out.is_empty() && self.depends_on_inputs(inst, &fe.expr) {
                out.push(InstSpec {
                    key: Some(InstKey::Any),
                    scope: unknown_each_scope(block, "for_each is empty with the variables' defaults"),
                    guards: vec![Guard::new(
                        format!("{} is empty with the variables' defaults (analysed as a possible instance)", self.text(fe.expr.span())),
                        Some(fe.span),
                    )],
                });
            }
            return out;
        }
        vec![InstSpec {
            key: None,
            scope: Scope::default(),
            guards: Vec::new(),
        }]
    }

    /// Whether an expression's value would change if the root module's variables were inputs (not facts):
    /// a `count`/`for_each` that is zero only because of a default then still gives a possible instance.
    fn depends_on_inputs(&self, inst: usize, e: &Expr) -> bool {
        self.vars_unknown.set(true);
        let v = self.eval(inst, &Scope::default(), e);
        self.vars_unknown.set(false);
        vals::has_unknown(&v) || vals::has_branches(&v)
    }

    fn count_specs(&self, v: &Value, guards: &[Guard], attr: &Attr) -> Vec<InstSpec> {
        match v {
            Value::Branches(bs) => bs
                .iter()
                .flat_map(|b| {
                    let mut g = guards.to_vec();
                    g.push(b.guard.clone());
                    self.count_specs(&b.value, &g, attr)
                })
                .collect(),
            _ => match vals::num_of(v) {
                Some(n) if n >= 0.0 => (0..self.capped(n as usize, attr))
                    .map(|i| InstSpec {
                        key: Some(InstKey::Int(i as i64)),
                        scope: Scope {
                            count_index: Some(Rc::new(vals::num(i as f64, None))),
                            ..Scope::default()
                        },
                        guards: guards.to_vec(),
                    })
                    .collect(),
                _ => {
                    let why = vals::first_unknown(v)
                        .map(|u| u.why)
                        .unwrap_or_else(|| "count is not a number".into());
                    let mut g = guards.to_vec();
                    g.push(Guard::new(
                        format!(
                            "{} is not known ({why}); analysed as one possible instance",
                            self.text(attr.expr.span())
                        ),
                        Some(attr.span),
                    ));
                    vec![InstSpec {
                        key: Some(InstKey::Int(0)),
                        scope: Scope {
                            count_index: Some(Rc::new(vals::num(0.0, None))),
                            ..Scope::default()
                        },
                        guards: g,
                    }]
                }
            },
        }
    }

    fn for_each_specs(&self, v: &Value, guards: &[Guard], attr: &Attr) -> Vec<InstSpec> {
        let one = |k: InstKey, key: Value, value: Value, g: Vec<Guard>| InstSpec {
            key: Some(k),
            scope: Scope {
                each: Some(Rc::new((key, value))),
                ..Scope::default()
            },
            guards: g,
        };
        match v {
            Value::Branches(bs) => bs
                .iter()
                .flat_map(|b| {
                    let mut g = guards.to_vec();
                    g.push(b.guard.clone());
                    self.for_each_specs(&b.value, &g, attr)
                })
                .collect(),
            Value::Map(entries, _) => entries
                .iter()
                .take(self.capped(entries.len(), attr))
                .map(|(k, x)| {
                    let ik = if k.is_known() {
                        InstKey::Str(k.text.clone())
                    } else {
                        InstKey::Any
                    };
                    one(ik, Value::Str(k.clone()), x.clone(), guards.to_vec())
                })
                .collect(),
            Value::List(items, _) => {
                let mut out = Vec::new();
                for (g, item) in v.list_items(self.capped(items.len(), attr)) {
                    let mut gs = guards.to_vec();
                    gs.extend(g);
                    let ik = match item.as_str() {
                        Some(s) if s.is_known() => InstKey::Str(s.text.clone()),
                        _ => InstKey::Any,
                    };
                    out.push(one(ik, item.clone(), item.clone(), gs));
                }
                out
            }
            _ => {
                let why = vals::first_unknown(v)
                    .map(|u| u.why)
                    .unwrap_or_else(|| "for_each is not a map or set".into());
                let mut g = guards.to_vec();
                g.push(Guard::new(
                    format!(
                        "{} is not known ({why}); analysed as one possible instance",
                        self.text(attr.expr.span())
                    ),
                    Some(attr.span),
                ));
                let u = Value::unknown(self.text(attr.expr.span()), why, Some(attr.expr.span()));
                vec![one(InstKey::Any, u.clone(), u, g)]
            }
        }
    }

    // --- resources, data sources, modules ----------------------------------------------------------

    /// At most [`MAX_INSTANCES`] instances are analysed; more is reported (TL901), never silently cut.
    fn capped(&self, n: usize, attr: &Attr) -> usize {
        if n > MAX_INSTANCES {
            self.diags.borrow_mut().push(Diagnostic::Unresolved {
                unknown: Unknown::new(
                    self.text(attr.expr.span()),
                    format!("{n} instances; only the first {MAX_INSTANCES} are analysed"),
                    Some(attr.span),
                ),
                span: attr.span,
                resource: None,
            });
        }
        n.min(MAX_INSTANCES)
    }

    pub fn address(
        &self,
        inst: usize,
        kind: BlockKind,
        ty: &str,
        name: &str,
        key: Option<&InstKey>,
    ) -> String {
        let i = self.inst(inst);
        let k = key.map(InstKey::suffix).unwrap_or_default();
        // Built by hand: addresses are made for every reference evaluated, and `format!` costs several
        // times more.
        let (kind_prefix, ty) = match kind {
            BlockKind::Resource => ("", ty),
            BlockKind::Data => ("data.", ty),
            BlockKind::Module => ("module", ""),
        };
        let mut out = String::with_capacity(
            i.prefix.len() + kind_prefix.len() + ty.len() + name.len() + k.len() + 1,
        );
        out.push_str(&i.prefix);
        out.push_str(kind_prefix);
        out.push_str(ty);
        out.push('.');
        out.push_str(name);
        out.push_str(&k);
        out
    }

    pub fn key_of(&self, address: &str) -> String {
        let mut out = String::with_capacity(self.scope_key.len() + 2 + address.len());
        out.push_str(&self.scope_key);
        out.push_str("::");
        out.push_str(address);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn block_ref(
        &self,
        inst: usize,
        scope: &Scope,
        kind: BlockKind,
        ty: &str,
        name: &str,
        block: &Block,
        ops: &[TOp],
        span: Span,
    ) -> Value {
        let base = self.address(inst, kind, ty, name, None);
        let specs = self.expand(inst, block, &base);
        let counted = block.body.attr("count").is_some() || block.body.attr("for_each").is_some();
        if !counted {
            let Some(spec) = specs.first() else {
                return self.unknown(span, "resource has no instance");
            };
            return self.instance_ref(inst, scope, kind, ty, name, block, spec, ops, span);
        }
        match ops.first() {
            Some(TOp::Index(ke)) => {
                let k = self.eval(inst, scope, ke);
                let rest = ops.get(1..).unwrap_or(&[]);
                match pick_instance(&specs, &k) {
                    Some(spec) => {
                        self.instance_ref(inst, scope, kind, ty, name, block, spec, rest, span)
                    }
                    None if vals::has_unknown(&k) => {
                        self.unknown(span, "the instance key is not known")
                    }
                    None => self.err(span, "no such instance"),
                }
            }
            Some(TOp::Splat(_)) => {
                let rest = ops.get(1..).unwrap_or(&[]);
                Value::List(
                    specs
                        .iter()
                        .map(|spec| {
                            self.guarded(
                                spec,
                                self.instance_ref(
                                    inst, scope, kind, ty, name, block, spec, rest, span,
                                ),
                            )
                        })
                        .collect(),
                    Some(span),
                )
            }
            None => {
                // The whole collection of instances: a map by key for `for_each`, a list for `count`.
                let whole = |spec: &InstSpec| {
                    self.guarded(
                        spec,
                        self.instance_ref(inst, scope, kind, ty, name, block, spec, &[], span),
                    )
                };
                if block.body.attr("for_each").is_some() {
                    let key = |spec: &InstSpec| match &spec.key {
                        Some(InstKey::Str(s)) => vals::synth(s.clone(), None),
                        _ => Str::unknown(Unknown::new(
                            self.text(span),
                            "instance key is not known",
                            Some(span),
                        )),
                    };
                    Value::Map(
                        specs.iter().map(|spec| (key(spec), whole(spec))).collect(),
                        Some(span),
                    )
                } else {
                    Value::List(specs.iter().map(whole).collect(), Some(span))
                }
            }
            Some(TOp::Attr(..)) => self.err(
                span,
                "a resource with count or for_each needs an instance index",
            ),
        }
    }

    fn guarded(&self, spec: &InstSpec, v: Value) -> Value {
        if spec.guards.is_empty() {
            return v;
        }
        let label = spec
            .guards
            .iter()
            .map(|g| g.label.as_str())
            .collect::<Vec<_>>()
            .join(" and ");
        Value::Branches(vec![Branch {
            guard: Guard::new(label, spec.guards.first().and_then(|g| g.span)),
            value: v,
        }])
    }

    #[allow(clippy::too_many_arguments)]
    fn instance_ref(
        &self,
        inst: usize,
        scope: &Scope,
        kind: BlockKind,
        ty: &str,
        name: &str,
        block: &Block,
        spec: &InstSpec,
        ops: &[TOp],
        span: Span,
    ) -> Value {
        if kind == BlockKind::Module {
            return self.module_instance_ref(inst, scope, name, spec, ops, span);
        }
        match ops.first() {
            Some(TOp::Attr(attr, _)) => {
                let v = self.attribute(inst, kind, ty, name, block, spec, attr, span);
                self.apply_ops(inst, scope, v, ops.get(1..).unwrap_or(&[]), span)
            }
            _ => {
                // The whole object: the attributes trust analysis can name.
                let attrs: &[&str] = match ty {
                    "aws_iam_role" => &["arn", "name", "id", "unique_id"],
                    "aws_iam_user" => &["arn", "name", "id"],
                    "aws_iam_group" | "aws_iam_policy" => &["arn", "name", "id"],
                    _ => {
                        return self.unknown(
                            span,
                            "a whole resource object is not resolved; name an attribute",
                        )
                    }
                };
                let mut entries = Vec::new();
                for a in attrs {
                    entries.push((
                        vals::synth(*a, None),
                        self.attribute(inst, kind, ty, name, block, spec, a, span),
                    ));
                }
                self.apply_ops(inst, scope, Value::Map(entries, Some(span)), ops, span)
            }
        }
    }

    /// One attribute of a resource or data source instance (SPEC §1.1 symbols, configured values).
    #[allow(clippy::too_many_arguments)]
    pub fn attribute(
        &self,
        inst: usize,
        kind: BlockKind,
        ty: &str,
        name: &str,
        block: &Block,
        spec: &InstSpec,
        attr: &str,
        span: Span,
    ) -> Value {
        let address = self.address(inst, kind, ty, name, spec.key.as_ref());
        let key = self.key_of(&address);
        let sym = |s: Sym| Value::Str(Str::sym(s, Some(span)));
        let mut guards = self.inst(inst).guards.clone();
        guards.extend(spec.guards.iter().cloned());
        let configured = |a: &str| -> Option<Value> {
            let at = block.body.attr(a)?;
            let v = self.memoised(
                MemoKey::Attr(inst, address.clone(), a.to_string()),
                at.span,
                &guards,
                || self.eval(inst, &spec.scope, &at.expr),
            );
            let v = self.prune(v);
            if v.is_null() {
                None
            } else {
                Some(vals::with_hop(v, span))
            }
        };
        match (kind, ty, attr) {
            (BlockKind::Resource, "aws_iam_role", "arn") => sym(Sym::RoleArn(key)),
            (BlockKind::Resource, "aws_iam_role", "name" | "id") => {
                configured("name").unwrap_or_else(|| sym(Sym::RoleName(key)))
            }
            (BlockKind::Resource, "aws_iam_role", "unique_id") => sym(Sym::RoleUniqueId(key)),
            (BlockKind::Resource, "aws_iam_user", "arn") => sym(Sym::UserArn(key)),
            (BlockKind::Resource, "aws_iam_user", "name" | "id") => {
                configured("name").unwrap_or_else(|| sym(Sym::UserName(key)))
            }
            (BlockKind::Resource, "aws_iam_group", "arn") => sym(Sym::GroupArn(key)),
            (BlockKind::Resource, "aws_iam_group", "name" | "id") => configured("name")
                .unwrap_or_else(|| {
                    sym(Sym::Attr {
                        resource: address.clone(),
                        attr: attr.to_string(),
                    })
                }),
            (BlockKind::Resource, "aws_iam_policy", "arn" | "id") => sym(Sym::PolicyArn(key)),
            (BlockKind::Data, "aws_caller_identity", "account_id") => sym(Sym::ThisAccount),
            (BlockKind::Data, "aws_partition", "partition" | "id") => sym(Sym::Partition),
            (BlockKind::Data, "aws_partition", "dns_suffix") => sym(Sym::UrlSuffix),
            (BlockKind::Data, "aws_region", "name" | "region" | "id") => configured("region")
                .or_else(|| configured("name"))
                .unwrap_or_else(|| sym(Sym::Region)),
            (BlockKind::Data, "template_file", "rendered") => {
                let Some(t) = configured("template") else {
                    return self.unknown(span, "the template is not set");
                };
                // An unreadable template (refused or missing file) stays what it is, never template text.
                if let Value::Unknown(_) = t {
                    return t;
                }
                let Some(text) = vals::to_str(&t).filter(|_| vals::opaque(&t).is_none()) else {
                    return vals::opaque(&t)
                        .unwrap_or_else(|| self.err(span, "the template is not a string"));
                };
                let vars = match configured("vars") {
                    Some(Value::Map(entries, _)) => entries,
                    Some(other) if vals::has_unknown(&other) => return other,
                    _ => Vec::new(),
                };
                super::funcs::render_template(self, inst, &text, &vars, span)
            }
            (BlockKind::Data, "aws_iam_policy_document", "json" | "minified_json") => {
                let v = self.memoised(
                    MemoKey::Doc(inst, address.clone()),
                    block.header,
                    &guards,
                    || super::docs::policy_document(self, inst, &spec.scope, block),
                );
                vals::with_hop(v, span)
            }
            _ => configured(attr).unwrap_or_else(|| {
                sym(Sym::Attr {
                    resource: address.clone(),
                    attr: attr.to_string(),
                })
            }),
        }
    }

    fn module_ref(&self, inst: usize, scope: &Scope, ops: &[TOp], span: Span) -> Value {
        let Some(TOp::Attr(name, _)) = ops.first() else {
            return self.err(span, "`module` needs a module name");
        };
        let Some(call) = self.module(inst).call(name) else {
            return self.unknown(span, "module call is not declared in this module");
        };
        self.block_ref(
            inst,
            scope,
            BlockKind::Module,
            "module",
            name,
            call,
            ops.get(1..).unwrap_or(&[]),
            span,
        )
    }

    fn module_instance_ref(
        &self,
        inst: usize,
        scope: &Scope,
        name: &str,
        spec: &InstSpec,
        ops: &[TOp],
        span: Span,
    ) -> Value {
        let child = match self.child(inst, name, spec) {
            Ok(c) => c,
            Err(u) => return Value::Unknown(Unknown::new(self.text(span), u.why, Some(span))),
        };
        match ops.first() {
            Some(TOp::Attr(out, _)) => {
                let v = self.output_value(child, out, span);
                let v = match v {
                    Value::Unknown(u) if !vals::is_error(&u) => Value::Unknown(u),
                    v => vals::with_hop(v, span),
                };
                self.apply_ops(inst, scope, v, ops.get(1..).unwrap_or(&[]), span)
            }
            _ => {
                let m = self.module(child);
                let mut names: Vec<&String> = m.outputs.keys().collect();
                names.sort();
                let entries = names
                    .into_iter()
                    .map(|n| {
                        (
                            vals::synth(n.clone(), None),
                            self.output_value(child, n, span),
                        )
                    })
                    .collect();
                self.apply_ops(inst, scope, Value::Map(entries, Some(span)), ops, span)
            }
        }
    }

    /// The instance of module call `name` (one expansion `spec`) below `inst`, created on first use.
    pub fn child(&self, inst: usize, name: &str, spec: &InstSpec) -> Result<usize, Unknown> {
        let k = spec.key.as_ref().map(InstKey::suffix).unwrap_or_default();
        let cache_key = (inst, name.to_string(), k.clone());
        if let Some(r) = self.children.borrow().get(&cache_key) {
            return r.clone();
        }
        let r = self.make_child(inst, name, spec, &k);
        self.children.borrow_mut().insert(cache_key, r.clone());
        r
    }

    fn make_child(
        &self,
        inst: usize,
        name: &str,
        spec: &InstSpec,
        k: &str,
    ) -> Result<usize, Unknown> {
        let parent = self.inst(inst);
        let m = parent.module;
        let Some(call) = m.call(name) else {
            return Err(Unknown::new(
                format!("module.{name}"),
                "module call is not declared",
                None,
            ));
        };
        let src_attr = call.body.attr("source");
        let source = src_attr
            .and_then(|a| a.expr.as_lit_str())
            .map(|s| s.text.clone());
        let sspan = src_attr.map(|a| a.span).unwrap_or(call.header);
        let Some(source) = source else {
            return Err(Unknown::new(
                format!("module.{name}"),
                "module source is not a literal string",
                Some(sspan),
            ));
        };
        let modules_key = if parent.modules_key.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", parent.modules_key)
        };
        let dir = if source.starts_with("./")
            || source.starts_with("../")
            || source == "."
            || source == ".."
        {
            join_source(&m.dir, &source)
        } else {
            let modules_json = self
                .modules_json
                .get_or_init(|| read_modules_json(&self.root_dir.dir));
            match modules_json.as_ref().and_then(|j| j.get(&modules_key)) {
                Some(d) => d.clone(),
                None => {
                    return Err(Unknown::new(
                        format!("module.{name}"),
                        format!("module source \"{source}\" is not available locally (no .terraform/modules entry)"),
                        Some(sspan),
                    ))
                }
            }
        };
        let Some(child_mod) = self.set.get(&dir) else {
            return Err(Unknown::new(
                format!("module.{name}"),
                format!("module source \"{source}\" is not among the scanned directories"),
                Some(sspan),
            ));
        };
        // Cycle and depth checks along the parent chain.
        let mut depth = 0usize;
        let mut cur = Some(inst);
        while let Some(c) = cur {
            let ci = self.inst(c);
            if std::ptr::eq(ci.module, child_mod) {
                return Err(Unknown::new(
                    format!("module.{name}"),
                    "cyclic module call",
                    Some(sspan),
                ));
            }
            depth += 1;
            cur = ci.parent;
        }
        if self.insts.borrow().len() >= MAX_MODULE_INSTANCES {
            return Err(Unknown::new(
                format!("module.{name}"),
                format!(
                    "more than {MAX_MODULE_INSTANCES} module instances; the rest is not analysed"
                ),
                Some(sspan),
            ));
        }
        if depth > MAX_MODULE_DEPTH {
            return Err(Unknown::new(
                format!("module.{name}"),
                "module calls are nested too deeply",
                Some(sspan),
            ));
        }
        let mut guards = parent.guards.clone();
        guards.extend(spec.guards.iter().cloned());
        let child = Instance {
            module: child_mod,
            parent: Some(inst),
            call: Some((call, spec.scope.clone())),
            prefix: format!("{}module.{name}{k}.", parent.prefix),
            modules_key,
            guards,
        };
        let mut insts = self.insts.borrow_mut();
        insts.push(Rc::new(child));
        Ok(insts.len() - 1)
    }
}

/// `(condition, polarity)` of a guard made for a conditional (`var.x is true`).
fn polarity(g: &Guard) -> Option<(&str, bool)> {
    if let Some(c) = g.label.strip_suffix(" is true") {
        Some((c, true))
    } else {
        g.label.strip_suffix(" is false").map(|c| (c, false))
    }
}

/// A scope whose `each.key`/`each.value` (and `count.index`) are unknown.
fn unknown_each_scope(block: &Block, why: &str) -> Scope {
    let u = Value::unknown("each.key", why, Some(block.header));
    let uv = Value::unknown("each.value", why, Some(block.header));
    Scope {
        each: Some(Rc::new((u, uv))),
        count_index: Some(Rc::new(Value::unknown(
            "count.index",
            why,
            Some(block.header),
        ))),
        ..Scope::default()
    }
}

fn pick_instance<'a>(specs: &'a [InstSpec], k: &Value) -> Option<&'a InstSpec> {
    let want = match k {
        Value::Number(s) | Value::Str(s) if s.is_known() => s.text.clone(),
        _ => return specs.iter().find(|s| s.key == Some(InstKey::Any)),
    };
    specs
        .iter()
        .find(|s| match &s.key {
            Some(InstKey::Int(i)) => want.parse::<f64>().ok() == Some(*i as f64),
            Some(InstKey::Str(x)) => *x == want,
            _ => false,
        })
        .or_else(|| specs.iter().find(|s| s.key == Some(InstKey::Any)))
}

/// `target` relative to `base`, lexically (both cleaned); `target` itself when they share no root.
pub fn relative_path(target: &std::path::Path, base: &std::path::Path) -> String {
    let target = super::module::clean_path(target);
    let base = super::module::clean_path(base);
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for c in b.iter().skip(common) {
        if matches!(c, std::path::Component::Normal(_)) {
            parts.push("..".into());
        }
    }
    for c in t.iter().skip(common) {
        if let std::path::Component::Normal(s) = c {
            parts.push(s.to_string_lossy().into_owned());
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// `.terraform/modules/modules.json` of a root: `Key` → `Dir` (relative to the root directory).
fn read_modules_json(root: &std::path::Path) -> Option<HashMap<String, PathBuf>> {
    let text = std::fs::read_to_string(root.join(".terraform/modules/modules.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let mut out = HashMap::new();
    for m in v.get("Modules")?.as_array()? {
        let (Some(k), Some(d)) = (
            m.get("Key").and_then(|k| k.as_str()),
            m.get("Dir").and_then(|d| d.as_str()),
        ) else {
            continue;
        };
        if k.is_empty() {
            continue;
        }
        out.insert(k.to_string(), super::module::clean_path(&root.join(d)));
    }
    Some(out)
}
