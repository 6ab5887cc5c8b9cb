//! Evaluator tests on fixtures under `testdata/terraform/`: values and their exact spans.

use super::eval::{Eval, Scope};
use super::module::{self, ModuleSet};
use super::*;
use crate::source::{SourceMap, Span};
use crate::value::{Sym, Value};
use crate::ScanOptions;

pub struct Fixture {
    pub sources: SourceMap,
    pub set: ModuleSet,
    pub options: ScanOptions,
}

pub fn fixture(case: &str) -> Fixture {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(case);
    let files = crate::discover::discover(&[root], &[]).unwrap();
    let sources = SourceMap::new();
    let mut by_dir: BTreeMap<PathBuf, Vec<&Discovered>> = BTreeMap::new();
    for f in &files {
        by_dir
            .entry(clean_path(f.path.parent().unwrap()))
            .or_default()
            .push(f);
    }
    let modules = by_dir
        .iter()
        .map(|(d, fs)| module::load(d, fs, &sources))
        .collect::<Vec<_>>();
    for m in &modules {
        assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
    }
    Fixture {
        sources,
        set: ModuleSet {
            modules: modules.into_iter().map(|m| (m.dir.clone(), m)).collect(),
        },
        options: ScanOptions::default(),
    }
}

impl Fixture {
    pub fn root(&self, suffix: &str) -> &Module {
        self.set
            .modules
            .values()
            .find(|m| m.dir.ends_with(suffix))
            .unwrap_or_else(|| panic!("no module {suffix}"))
    }

    pub fn eval(&self, root: &str) -> Eval<'_> {
        let m = self.root(root);
        let mut ev = Eval::new(&self.set, &self.sources, m);
        let ctx = crate::FrontendCtx {
            sources: &self.sources,
            options: &self.options,
        };
        let cli = CliVars::load(&ctx, &mut Vec::new());
        ev.root_vars = root_vars(&ev, m, &cli);
        ev
    }

    pub fn text(&self, s: Option<Span>) -> String {
        let s = s.expect("span");
        self.sources.get(s.file).slice(s).to_string()
    }
}

/// The policy value of attribute `attr` of resource `ty.name` in the root module (first instance).
pub fn policy_attr(ev: &Eval, ty: &str, name: &str, attr: &str) -> Value {
    let m = ev.module(0);
    let b = m
        .resource(ty, name)
        .unwrap_or_else(|| panic!("no {ty}.{name}"));
    let specs = ev.expand(0, b, &format!("{ty}.{name}"));
    let spec = specs.first().unwrap();
    let a = b.body.attr(attr).unwrap();
    let v = ev.eval(0, &spec.scope, &a.expr);
    iam::policy_value(&v, &mut Vec::new(), 0)
}

pub fn principal(doc: &Value, stmt: usize, ty: &str) -> Value {
    let st = doc.get("Statement").unwrap().as_list().unwrap()[stmt].clone();
    st.get("Principal").unwrap().get(ty).unwrap().clone()
}

fn s(v: &Value) -> &crate::value::Str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

#[test]
fn heredoc_principal_span_is_exact() {
    let fx = fixture("heredoc");
    let ev = fx.eval("heredoc");
    let doc = policy_attr(&ev, "aws_iam_role", "plain", "assume_role_policy");
    let p = principal(&doc, 0, "AWS");
    assert_eq!(s(&p).text, "arn:aws:iam::210987654321:root");
    assert_eq!(fx.text(s(&p).span()), "arn:aws:iam::210987654321:root");
    assert_eq!(fx.text(s(&p).span_of(13, 25)), "210987654321");
}

#[test]
fn indented_heredoc_with_symbolic_account() {
    let fx = fixture("heredoc");
    let ev = fx.eval("heredoc");
    let doc = policy_attr(&ev, "aws_iam_role", "indented", "assume_role_policy");
    let p = principal(&doc, 0, "AWS");
    let st = s(&p);
    let at = "arn:aws:iam::".len();
    assert_eq!(st.sym_at(at, at + 3), Some(&Sym::ThisAccount));
    assert_eq!(fx.text(st.span_of(0, at)), "arn:aws:iam::");
    assert_eq!(
        fx.text(st.span_of(at, at + 3)),
        "data.aws_caller_identity.current.account_id"
    );
    assert_eq!(fx.text(st.span_of(at + 3, st.text.len())), ":root");
}

#[test]
fn quoted_escaped_json_maps_inside_the_string() {
    let fx = fixture("quoted_escaped");
    let ev = fx.eval("quoted_escaped");
    let doc = policy_attr(&ev, "aws_iam_role", "escaped", "assume_role_policy");
    let p = principal(&doc, 0, "AWS");
    assert_eq!(s(&p).text, "arn:aws:iam::555555555555:root");
    assert_eq!(fx.text(s(&p).span()), "arn:aws:iam::555555555555:root");
    let act = doc.get("Statement").unwrap().as_list().unwrap()[0]
        .get("Action")
        .unwrap()
        .clone();
    assert_eq!(fx.text(s(&act).span()), "sts:AssumeRole");
}

#[test]
fn jsonencode_keeps_structure_and_spans() {
    let fx = fixture("jsonencode");
    let ev = fx.eval("jsonencode");
    let doc = policy_attr(&ev, "aws_iam_role", "ci", "assume_role_policy");
    let p = principal(&doc, 0, "AWS");
    let items = p.as_list().unwrap();
    assert_eq!(items.len(), 2);
    let second = s(&items[1]);
    assert_eq!(second.text, "arn:aws:iam::222222222222:root");
    assert_eq!(fx.text(second.span_of(13, 25)), "222222222222");
    // The account came through a local and a for variable: the use site is a hop.
    assert!(!second.hops_of(13, 25).is_empty());
    assert_eq!(fx.text(second.span_of(0, 13)), "arn:aws:iam::");
}

#[test]
fn scope_lookup_shadows() {
    let sc = Scope::default().with_var("a", Value::str("1", None));
    let sc = sc.with_var("a", Value::str("2", None));
    assert_eq!(sc.lookup("a").unwrap().as_str().unwrap().text, "2");
}
