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
    let mut by_dir: std::collections::BTreeMap<PathBuf, Vec<&Discovered>> = Default::default();
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
    iam::policy_value(&v, &mut Vec::new(), 0).into_owned()
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

/// Evaluates `expr` in a module made of `decls` (HCL text), returning the value as JSON text, or
/// `?why` for an unknown.
fn eval_in(decls: &str, expr: &str) -> (SourceMap, Value) {
    eval_in_with(decls, expr, eval::MAX_STEPS, eval::MAX_NODES)
}

fn eval_in_with(decls: &str, expr: &str, max_steps: u64, max_nodes: usize) -> (SourceMap, Value) {
    let sources = SourceMap::new();
    let text = format!("{decls}\nlocals {{\n  __probe = {expr}\n}}\n");
    let f = sources.add("mem/main.tf".into(), "mem/main.tf".into(), text);
    let body = module::parse_hcl(&f).unwrap_or_else(|e| panic!("{e:?}"));
    let m = Module::from_blocks("mem".into(), "mem".into(), "mem".into(), body.blocks);
    let set = ModuleSet {
        modules: [(PathBuf::from("mem"), m)].into_iter().collect(),
    };
    let v = {
        let root = set.get(Path::new("mem")).unwrap();
        let mut ev = Eval::new(&set, &sources, root);
        ev.max_steps = max_steps;
        ev.max_nodes = max_nodes;
        ev.local_value(0, "__probe")
    };
    (sources, v)
}

fn show(v: &Value) -> String {
    match v {
        Value::Unknown(u) => format!("?{}", u.why),
        Value::Branches(bs) => bs
            .iter()
            .map(|b| format!("[{}] {}", b.guard.label, show(&b.value)))
            .collect::<Vec<_>>()
            .join(" | "),
        Value::Str(s) if s.has_unknown() => format!("?{}", s.unknowns().next().unwrap().why),
        other => vals::render_json(other).display(),
    }
}

fn check(decls: &str, expr: &str, want: &str) {
    let (_, v) = eval_in(decls, expr);
    assert_eq!(show(&v), want, "{expr}");
}

#[test]
fn functions_on_known_values() {
    let d = "variable \"m\" {\n  default = { b = \"2\", a = \"1\" }\n}\nvariable \"l\" {\n  default = [\"x\", \"\", null, \"x\"]\n}";
    for (expr, want) in [
        (
            r#"format("arn:%s:iam::%s:root", "aws", "123")"#,
            r#""arn:aws:iam::123:root""#,
        ),
        (r#"format("%d%%", 5)"#, r#""5%""#),
        (r#"join(",", ["a", "b"])"#, r#""a,b""#),
        (r#"split(",", "a,b,,c")"#, r#"["a","b","","c"]"#),
        (r#"replace("a-b-c", "-", "+")"#, r#""a+b+c""#),
        (r#"lower("ABC")"#, r#""abc""#),
        (r#"upper("abc")"#, r#""ABC""#),
        (r#"concat(["a"], ["b", "c"])"#, r#"["a","b","c"]"#),
        (r#"flatten([["a"], [["b"]], "c"])"#, r#"["a","b","c"]"#),
        ("distinct(var.l)", r#"["x","",null]"#),
        ("compact(var.l)", r#"["x","x"]"#),
        (r#"merge(var.m, { a = "9" })"#, r#"{"b":"2","a":"9"}"#),
        (r#"lookup(var.m, "a", "z")"#, r#""1""#),
        (r#"lookup(var.m, "q", "z")"#, r#""z""#),
        (r#"coalesce(null, "", "y")"#, r#""y""#),
        (r#"coalescelist([], ["a"])"#, r#"["a"]"#),
        (r#"try(var.m.nope, "fallback")"#, r#""fallback""#),
        ("can(var.m.nope)", "false"),
        ("can(var.m.a)", "true"),
        (r#"toset(["b", "a", "b"])"#, r#"["b","a"]"#),
        (r#"tolist(["a"])"#, r#"["a"]"#),
        ("tomap(var.m)", r#"{"b":"2","a":"1"}"#),
        (r#"element(["a", "b"], 3)"#, r#""b""#),
        ("length(var.m)", "2"),
        (r#"length("héllo")"#, "5"),
        ("keys(var.m)", r#"["a","b"]"#),
        ("values(var.m)", r#"["1","2"]"#),
        (r#"zipmap(["k"], ["v"])"#, r#"{"k":"v"}"#),
        (r#"contains(["a", "b"], "b")"#, "true"),
        (r#"trimprefix("arn:aws:x", "arn:")"#, r#""aws:x""#),
        (r#"trimsuffix("name.json", ".json")"#, r#""name""#),
        ("trimspace(\"  a b \\n\")", r#""a b""#),
        (r#"jsondecode("{\"a\": [1, true]}")"#, r#"{"a":[1,true]}"#),
        (r#"jsonencode("x")"#, r#""\"x\"""#),
        (r#"one(["only"])"#, r#""only""#),
        ("one([])", "null"),
        (r#"sort(["b", "a"])"#, r#"["a","b"]"#),
        (r#"slice(["a", "b", "c"], 1, 3)"#, r#"["b","c"]"#),
        ("range(3)", "[0,1,2]"),
        (r#"startswith("arn:aws", "arn:")"#, "true"),
        (r#"endswith("arn:aws", "aws")"#, "true"),
        (r#"tostring(12)"#, r#""12""#),
        (r#"substr("abcdef", 1, 3)"#, r#""bcd""#),
        ("max(1, 5, 3)", "5"),
        ("1 + 2 * 3", "7"),
        ("5 % 3 == 2 && !false", "true"),
        (r#""a" != "b" || false"#, "true"),
        (
            "[for s in var.l : upper(s) if s != null && s != \"\"]",
            r#"["X","X"]"#,
        ),
        ("{ for k, v in var.m : v => k }", r#"{"2":"b","1":"a"}"#),
        (
            "{ for s in [\"a\", \"b\", \"a\"] : s => s... }",
            r#"{"a":["a","a"],"b":["b"]}"#,
        ),
        (r#"[{ n = "a" }, { n = "b" }][*].n"#, r#"["a","b"]"#),
        ("var.m[\"b\"]", r#""2""#),
        (r#""%{ for s in ["a", "b"] }${s};%{ endfor }""#, r#""a;b;""#),
        (r#""%{ if true }yes%{ else }no%{ endif }""#, r#""yes""#),
        (r#""a ${~ "b" ~} c""#, r#""abc""#),
    ] {
        check(d, expr, want);
    }
}

#[test]
fn unknowns_name_their_reason() {
    let d = "variable \"nov\" {}";
    for (expr, want) in [
        ("var.nov", "?variable has no value"),
        ("regex(\"a\", \"b\")", "?function regex is not supported"),
        ("frobnicate(1)", "?function frobnicate is not supported"),
        ("local.missing", "?local value is not declared"),
        (
            "terraform.workspace",
            "?the workspace is chosen when Terraform runs",
        ),
        ("upper(var.nov)", "?variable has no value"),
        ("[\"a\"][3]", "?evaluation error: index 3 is out of range"),
        (
            "aws_iam_role.nope.arn",
            "?resource is not declared in this module",
        ),
    ] {
        check(d, expr, want);
    }
}

#[test]
fn conditionals_and_symbols() {
    let d = "variable \"flag\" {\n  type = bool\n}\nvariable \"on\" {\n  default = true\n}\ndata \"aws_partition\" \"p\" {}\nresource \"aws_iam_role\" \"r\" {\n  name = \"named\"\n}\nresource \"aws_iam_role\" \"anon\" {}";
    check(d, r#"var.on ? "a" : "b""#, r#""a""#);
    check(
        d,
        r#"var.flag ? "a" : "b""#,
        r#"[var.flag is true] "a" | [var.flag is false] "b""#,
    );
    check(
        d,
        r#""x-${var.flag ? "a" : "b"}""#,
        r#"[var.flag is true] "x-a" | [var.flag is false] "x-b""#,
    );
    check(d, "aws_iam_role.r.name", r#""named""#);
    let (_, v) = eval_in(d, "aws_iam_role.anon.name");
    assert!(
        matches!(v.as_str().and_then(|s| s.as_sym()), Some(Sym::RoleName(k)) if k == "mem::aws_iam_role.anon")
    );
    let (sources, v) = eval_in(d, "\"arn:${data.aws_partition.p.partition}:iam::1:root\"");
    let s = v.as_str().unwrap();
    let at = "arn:".len();
    assert_eq!(s.sym_at(at, at + 3), Some(&Sym::Partition));
    let sp = s.span_of(at, at + 3).unwrap();
    assert_eq!(
        sources.get(sp.file).slice(sp),
        "data.aws_partition.p.partition"
    );
}

#[test]
fn split_keeps_exact_spans_of_each_element() {
    let d = "variable \"accts\" {\n  default = \"111111111111,222222222222\"\n}";
    let (sources, v) = eval_in(d, "split(\",\", var.accts)");
    let second = v.as_list().unwrap()[1].as_str().unwrap().clone();
    let sp = second.span().unwrap();
    assert_eq!(sources.get(sp.file).slice(sp), "222222222222");
    assert_eq!(sources.get(sp.file).position(sp.start).line, 2);
}

#[test]
fn deep_recursion_is_bounded() {
    // A long chain of locals evaluates or becomes unknown, without overflowing the stack.
    let mut d = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..400 {
        d.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    d.push_str("}\n");
    let (_, v) = eval_in(&d, "local.l399");
    assert!(
        matches!(v, Value::Unknown(ref u) if u.why.contains("too deep")),
        "{v:?}"
    );
}

#[test]
fn hostile_sizes_are_bounded() {
    // Strings doubling through locals.
    let mut d = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n");
    for i in 1..40 {
        d.push_str(&format!(
            "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n",
            p = i - 1
        ));
    }
    d.push_str("}\n");
    let (_, v) = eval_in(&d, "local.s39");
    assert!(show(&v).contains("too long"), "{}", show(&v));
    // A large list copied into every element of another (smaller budgets keep the test quick; the real
    // ones are larger by the same logic).
    let (_, v) = eval_in_with(
        "locals {\n  big = range(1000)\n}",
        "[for i in range(1000) : local.big]",
        eval::MAX_STEPS,
        100_000,
    );
    assert!(show(&v).contains("too large"), "{}", show(&v));
    // Nested loops over large ranges.
    let (_, v) = eval_in_with(
        "",
        "[for i in range(9000) : [for j in range(9000) : j]]",
        50_000,
        eval::MAX_NODES,
    );
    let mut us = Vec::new();
    v.unknowns(&mut us);
    assert!(us
        .iter()
        .any(|u| u.why.contains("too much evaluation work")));
}

#[test]
fn function_edge_cases_do_not_panic() {
    for expr in [
        r#"substr("abc", 1, 9223372036854775807)"#,
        r#"substr("abc", -9999999999999, 2)"#,
        r#"parseint("ff", 99)"#,
        r#"parseint("ff", -1)"#,
        "range(1, 2, 0)",
        "element([], 1)",
        "slice([1], 3, 1)",
        "1 / 0",
        "-\"x\"",
        "!\"x\"",
        r#"format("%q %s", "a")"#,
        r#"split("", "abc")"#,
        r#"jsondecode("{")"#,
        r#"templatefile("/etc/passwd", {})"#,
        "[1][-1]",
        "{a = 1}[0]",
        "null.x",
        "tonumber(\"x\")",
    ] {
        // Errors become unknowns; nothing panics.
        let (_, v) = eval_in("", expr);
        let shown = show(&v);
        assert!(
            shown.starts_with('?') || expr.starts_with("substr"),
            "{expr} gave {shown}"
        );
    }
}

#[test]
fn branches_follow_the_path_they_are_read_on() {
    let d = "variable \"on\" {\n  type = bool\n}\nlocals {\n  arn = var.on ? \"arn:aws:iam::1:oidc-provider/x\" : \"\"\n}";
    // Inside `var.on`'s true branch, `local.arn` is only its true side: no infeasible combinations.
    check(
        d,
        r#"var.on ? "F=${local.arn}" : "none""#,
        r#"[var.on is true] "F=arn:aws:iam::1:oidc-provider/x" | [var.on is false] "none""#,
    );
    // The same local read on no path keeps both sides (the memoised value is not pruned).
    check(
        d,
        "local.arn",
        r#"[var.on is true] "arn:aws:iam::1:oidc-provider/x" | [var.on is false] """#,
    );
    // A template `if` on a comparison with the branching local.
    check(
        d,
        r#""%{ if local.arn != "" }${local.arn}%{ endif }""#,
        r#"[var.on is true] "arn:aws:iam::1:oidc-provider/x" | [var.on is false] """#,
    );
}
