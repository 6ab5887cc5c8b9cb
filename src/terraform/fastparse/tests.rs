use super::*;
use crate::value::Origin;

const F: FileId = FileId(0);

/// Parses with both parsers, requires the fast one to accept and to agree, returns its body.
fn both(src: &str) -> Body {
    let fast = parse(F, src).unwrap_or_else(|| panic!("declined: {src:?}"));
    let reference = hcl::edit::parser::parse_body(src)
        .unwrap_or_else(|e| panic!("hcl-edit rejects {src:?}: {e}"));
    let reference = Lowerer::new(F, src).body(&reference);
    assert_eq!(format!("{fast:#?}"), format!("{reference:#?}"), "{src:?}");
    fast
}

/// Either the fast parser declines, or it agrees with hcl-edit (which must accept). Whether it
/// accepted.
fn agrees(src: &str) -> bool {
    let Some(fast) = parse(F, src) else {
        return false;
    };
    let reference = hcl::edit::parser::parse_body(src)
        .unwrap_or_else(|e| panic!("accepted {src:?}, which hcl-edit rejects: {e}"));
    let reference = Lowerer::new(F, src).body(&reference);
    assert_eq!(format!("{fast:#?}"), format!("{reference:#?}"), "{src:?}");
    true
}

fn declines(src: &str) {
    assert!(parse(F, src).is_none(), "accepted {src:?}");
}

fn expr<'a>(b: &'a Body, name: &str) -> &'a Expr {
    &b.attr(name).unwrap_or_else(|| panic!("no {name}")).expr
}

fn text(src: &str, s: Span) -> &str {
    &src[s.range()]
}

fn lit(e: &Expr) -> &Str {
    e.as_lit_str()
        .unwrap_or_else(|| panic!("not a literal: {e:?}"))
}

#[test]
fn indented_heredoc_is_dedented_with_exact_spans() {
    let src = "p = <<-EOF\n    {\n      \"a\": \"123\"\n    }\n    EOF\n";
    let b = both(src);
    let s = lit(expr(&b, "p"));
    assert_eq!(s.text, "{\n  \"a\": \"123\"\n}\n");
    let i = s.text.find("123").unwrap();
    assert_eq!(text(src, s.span_of(i, i + 3).unwrap()), "123");
    assert_eq!(text(src, expr(&b, "p").span()), &src[4..src.len() - 1]);
}

#[test]
fn heredoc_interpolations_and_dedent_rules() {
    // An interpolation mid-line keeps the dedent; the literal after it continues its line.
    let src =
        "p = <<-EOT\n  a ${x}\n  b\n  EOT\nq = <<-EOT\n${x}\n  b\n  EOT\nr = <<EOT\nx ${y}\nEOT\n";
    let b = both(src);
    let Expr::Template(t) = expr(&b, "p") else {
        panic!()
    };
    let TPart::Lit(last) = &t.parts[2] else {
        panic!("{:?}", t.parts)
    };
    assert_eq!(last.text, "\nb\n");
    // An interpolation at a line start: nothing is stripped.
    let Expr::Template(t) = expr(&b, "q") else {
        panic!()
    };
    assert!(matches!(&t.parts[1], TPart::Lit(s) if s.text == "\n  b\n"));
    // The final line ending becomes a literal of its own after an interpolation.
    let Expr::Template(t) = expr(&b, "r") else {
        panic!()
    };
    assert!(matches!(&t.parts[2], TPart::Lit(s) if s.text == "\n"));
}

#[test]
fn heredoc_crlf_and_delimiter_rules() {
    let src = "p = <<-EOF\r\n  a\r\n  bc\r\n  EOF\r\nq = <<EOF\r\nx\r\nEOFX\r\nEOF\r\n";
    let b = both(src);
    let s = lit(expr(&b, "p"));
    assert_eq!(s.text, "a\nbc\n");
    let i = s.text.find("bc").unwrap();
    assert_eq!(text(src, s.span_of(i, i + 2).unwrap()), "bc");
    // `EOFX` does not end the heredoc.
    assert_eq!(lit(expr(&b, "q")).text, "x\r\nEOFX\r\n");
}

#[test]
fn strip_markers_and_escapes() {
    let src =
        "a = \"x ${~ var.y ~} z\"\nb = \"${~y}\"\nc = \"\\\"\\n\\u00e9\\U0001F600$${no}%%{no}\"\n";
    let b = both(src);
    let Expr::Template(t) = expr(&b, "a") else {
        panic!()
    };
    assert!(matches!(&t.parts[1], TPart::Interp(_, true, true)));
    let Expr::Template(t) = expr(&b, "b") else {
        panic!()
    };
    assert!(matches!(
        t.parts.as_slice(),
        [TPart::Interp(_, true, false)]
    ));
    let s = lit(expr(&b, "c"));
    assert_eq!(s.text, "\"\n\u{e9}\u{1F600}${no}%{no}");
    // Escapes are inexact parts over their escape sequences; `no` is exact.
    let i = s.text.find("no").unwrap();
    let sp = s.span_of(i, i + 2).unwrap();
    assert_eq!(text(src, sp), "no");
    assert!(s
        .parts
        .iter()
        .any(|p| matches!(p.origin, Origin::Lit { exact: false, .. })));
}

#[test]
fn nested_templates_and_directives() {
    let src = concat!(
        "a = \"${\"in${\"ner\"}\"}\"\n",
        "b = \"%{ if x }yes%{ else }no%{ endif }\"\n",
        "c = \"%{~ for k, v in m ~}${k}=${v},%{ endfor ~}\"\n",
        "d = <<EOT\n%{ if x }\n  a\n%{ endif }\nEOT\n",
    );
    let b = both(src);
    let Expr::Template(t) = expr(&b, "a") else {
        panic!()
    };
    let TPart::Interp(Expr::Template(inner), ..) = &t.parts[0] else {
        panic!()
    };
    assert_eq!(inner.parts.len(), 2);
    let Expr::Template(t) = expr(&b, "b") else {
        panic!()
    };
    let TPart::If {
        then,
        otherwise,
        span,
        ..
    } = &t.parts[0]
    else {
        panic!()
    };
    assert_eq!(text(src, *span), "%{ if x }yes%{ else }no%{ endif }");
    assert!(matches!(&then[0], TPart::Lit(s) if s.text == "yes"));
    assert!(matches!(&otherwise[0], TPart::Lit(s) if s.text == "no"));
    let Expr::Template(t) = expr(&b, "c") else {
        panic!()
    };
    let TPart::For {
        key_var,
        value_var,
        body,
        ..
    } = &t.parts[0]
    else {
        panic!()
    };
    assert_eq!((key_var.as_deref(), value_var.as_str()), (Some("k"), "v"));
    assert_eq!(body.len(), 4);
}

#[test]
fn object_key_forms() {
    let src = concat!(
        "o = {\n",
        "  a = 1\n",
        "  \"b\" : 2,\n",
        "  (var.k) = 3 # comment\n",
        "  \"${x}\" = 4 // comment\n",
        "  null = 5, 6 = 7\n",
        "  a.b = 8,\n",
        "}\n",
    );
    let b = both(src);
    let Expr::Object(items, _) = expr(&b, "o") else {
        panic!()
    };
    assert_eq!(items.len(), 7);
    assert!(matches!(&items[0].0, Key::Ident(n, s) if n == "a" && text(src, *s) == "a"));
    assert!(matches!(&items[1].0, Key::Expr(Expr::Template(_))));
    // Parentheses are dropped, the key keeps the inner expression's span.
    assert!(matches!(&items[2].0, Key::Expr(Expr::Traversal(_, _, s)) if text(src, *s) == "var.k"));
    assert!(matches!(&items[4].0, Key::Expr(Expr::Null(_))));
    assert!(matches!(&items[6].0, Key::Expr(Expr::Traversal(..))));
    // A parenthesised name is an expression key, distinct from the bare name.
    let b = both("o = { (a) = 1, a = 2 }\n");
    let Expr::Object(items, _) = expr(&b, "o") else {
        panic!()
    };
    assert!(matches!(&items[0].0, Key::Expr(Expr::Var(..))));
    assert!(matches!(&items[1].0, Key::Ident(..)));
}

#[test]
fn repeated_keys_and_attributes_are_declined() {
    for src in [
        "o = { a = 1, a = 2 }\n",
        "o = { \"a\" = 1, \"\\u0061\" = 2 }\n",
        "o = { 1 = 1, 1.0 = 2 }\n",
        "o = { x.y = 1, x.y = 2 }\n",
        "a = 1\na = 2\n",
        "b {\n  a = 1\n  a = 2\n}\n",
    ] {
        declines(src);
        assert!(hcl::edit::parser::parse_body(src).is_err(), "{src}");
    }
    let many: String = (0..40).map(|i| format!("k{i} = {i}\n")).collect();
    both(&many);
    declines(&format!("{many}k7 = 0\n"));
}

#[test]
fn operator_precedence_and_spans() {
    let src = "a = 1 + 2 * 3 - 4 / (5 % 6) == 7 && !b || c ? d : e\n";
    let b = both(src);
    let Expr::Cond(parts, span) = expr(&b, "a") else {
        panic!()
    };
    assert_eq!(text(src, *span), &src[4..src.len() - 1]);
    let Expr::Binary(BinOp::Or, or, _) = &parts[0] else {
        panic!("{:?}", parts[0])
    };
    let Expr::Binary(BinOp::And, and, _) = &or[0] else {
        panic!()
    };
    let Expr::Binary(BinOp::Eq, eq, eq_span) = &and[0] else {
        panic!()
    };
    assert_eq!(text(src, *eq_span), "1 + 2 * 3 - 4 / (5 % 6) == 7");
    let Expr::Binary(BinOp::Minus, minus, _) = &eq[0] else {
        panic!()
    };
    assert!(matches!(&minus[0], Expr::Binary(BinOp::Plus, ..)));
    let Expr::Binary(BinOp::Div, div, div_span) = &minus[1] else {
        panic!()
    };
    assert_eq!(text(src, *div_span), "4 / (5 % 6)");
    assert!(matches!(&div[1], Expr::Binary(BinOp::Mod, _, s) if text(src, *s) == "5 % 6"));
    assert!(matches!(&and[1], Expr::Unary(UnOp::Not, ..)));
    // A negative literal is one number; `- x` is a unary minus.
    let b = both("a = -1\nb = - x.y\nc = a-b\n");
    assert!(matches!(expr(&b, "a"), Expr::Number(s) if s.text == "-1"));
    assert!(
        matches!(expr(&b, "b"), Expr::Unary(UnOp::Neg, x, _) if matches!(**x, Expr::Traversal(..)))
    );
    // `a-b` is one identifier.
    assert!(matches!(expr(&b, "c"), Expr::Var(n, _) if n == "a-b"));
}

#[test]
fn traversals_with_legacy_index_and_splats() {
    let src = "a = b.0.c[1].*.d[*].e.10\n";
    let b = both(src);
    let Expr::Traversal(head, ops, _) = expr(&b, "a") else {
        panic!()
    };
    assert!(matches!(&**head, Expr::Var(n, _) if n == "b"));
    // The legacy index is normalised, its span is the digits.
    let TOp::Index(Expr::Number(n)) = &ops[0] else {
        panic!()
    };
    assert_eq!(n.text, "0");
    assert_eq!(text(src, n.span().unwrap()), "0");
    assert!(matches!(&ops[1], TOp::Attr(n, s) if n == "c" && text(src, *s) == ".c"));
    assert!(matches!(&ops[3], TOp::Splat(s) if text(src, *s) == ".*"));
    assert!(matches!(&ops[5], TOp::Splat(s) if text(src, *s) == "[*]"));
    assert_eq!(ops.len(), 8);
    assert!(matches!(&ops[7], TOp::Index(Expr::Number(n)) if n.text == "10"));
    // `.00` is `.0` followed by junk.
    declines("a = b.00\n");
}

#[test]
fn comments_between_tokens() {
    let src = concat!(
        "# head\n",
        "a = /* c */ 1 /* d */ + /* e */ 2 # end\n",
        "b = [ # c\n  1, // d\n  2 /* e */,\n]\n",
        "c = f( /* x */ 1, # y\n 2...)\n",
        "d { /* one line */ e = 1 /* f */ }\n",
        "/* tail */",
    );
    let b = both(src);
    assert!(matches!(expr(&b, "a"), Expr::Binary(BinOp::Plus, ..)));
    assert!(matches!(expr(&b, "b"), Expr::Array(items, _) if items.len() == 2));
    assert!(matches!(expr(&b, "c"), Expr::Call(c) if c.expand_final && c.args.len() == 2));
    assert_eq!(b.blocks[0].body.attrs[0].name, "e");
}

#[test]
fn crlf_files() {
    let src = "resource \"a\" \"b\" {\r\n  x = {\r\n    k = \"v\"\r\n  }\r\n  y = [\r\n    1,\r\n  ]\r\n}\r\n";
    let b = both(src);
    assert_eq!(text(src, b.blocks[0].header), "resource \"a\" \"b\"");
    assert_eq!(b.blocks[0].label(1), Some("b"));
}

#[test]
fn newline_rules_follow_hcl_edit() {
    // A tuple as first term lets the rest of the expression continue on the next line…
    both("a = [1]\n+ 2\n");
    both("a = f(x)\n.y\n");
    // …but newlines still end an attribute otherwise.
    declines("a = 1\n+ 2\n");
    let b = both("a = [\n  1 +\n  2,\n]\nb = (\n  x\n  ? y\n  : z\n)\n");
    assert!(matches!(expr(&b, "b"), Expr::Cond(..)));
}

#[test]
fn for_expressions_calls_and_blocks() {
    let src = concat!(
        "a = [for x in xs : upper(x) if x != \"\"]\n",
        "b = {for k, v in m : k => v... if v}\n",
        "c = provider::aws::arn_parse(x).region\n",
        "d = f()\n",
        "e = f(a, b,)\n",
        "blk label \"quoted\" { x = 1 }\n",
        "empty {}\n",
    );
    let b = both(src);
    let Expr::For(f) = expr(&b, "a") else {
        panic!()
    };
    assert!(f.cond.is_some() && f.key_expr.is_none());
    let Expr::For(f) = expr(&b, "b") else {
        panic!()
    };
    assert!(f.grouping && f.key_var.as_deref() == Some("k"));
    let Expr::Traversal(head, ..) = expr(&b, "c") else {
        panic!()
    };
    assert!(matches!(&**head, Expr::Call(c) if c.name == "provider::aws::arn_parse"));
    assert_eq!(b.blocks[0].labels.len(), 2);
    assert_eq!(text(src, b.blocks[0].header), "blk label \"quoted\"");
}

#[test]
fn syntax_errors_are_declined() {
    for src in [
        "a = \n",
        "a = 1 +\n",
        "a = \"x\n",
        "a = \"\\q\"\n",
        "a {\n",
        "a = { b = 1 c = 2 }\n",
        "a = [1 2]\n",
        "a = f(...)\n",
        "a = 1e\n",
        "a = <<EOF\nx\n",
        "a = \"%{ if x }\"\n",
        "a = b.\n",
        "x { y {} }\n",
        "a = 1 b = 2\n",
        "a = 1 /* open\n",
        "\u{feff}a = 1\n",
    ] {
        declines(src);
    }
}

#[test]
fn unicode_text_is_sliced_on_char_boundaries() {
    let src = "a = \"h\u{e9}llo ${x} \u{fc}\" # \u{e9}\nb = <<EOF\n\u{1F600}\nEOF\n";
    let b = both(src);
    assert!(matches!(expr(&b, "a"), Expr::Template(t) if t.parts.len() == 3));
    // Non-ASCII identifiers are left to hcl-edit.
    declines("\u{e9} = 1\n");
    declines("a = b.\u{e9}\n");
}

#[test]
fn deep_nesting_is_declined_quickly() {
    let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    declines(&deep);
    let ops = format!("a = 1{}\n", " + 1".repeat(1000));
    declines(&ops);
    let fine = format!("a = {}1{}\n", "[".repeat(20), "]".repeat(20));
    both(&fine);
}

#[test]
fn agrees_or_declines_on_edge_cases() {
    let cases = [
        r#"a = <<EOF\nEOF\n"#,
        r#"a = <<EOF\nEOF\nb = <<EOF\nx\nEOF\n"#,
        r#"a = "%{ if x }\\n%{ endif }"\n"#,
        r#"a = "%{ if x }"%{ endif }"\n"#,
        r#"a = <<-EOF\n  %{ if x }\n    y\n  %{ endif }\n  EOF\n"#,
        r#"a = [for x in y: x if x]\n"#,
        r#"a = [for x in y: x ifx]\n"#,
        r#"a = {for k, v in m: k => v...}\n"#,
        r#"a = f(\n  1,\n  2\n)\n+ 1\n"#,
        r#"a = {a=1}\n+ 1\n"#,
        r#"a = x.y\n.z\n"#,
        r#"a = [1]\n.x\n"#,
        r#"a = -[1]\n[0]\n"#,
        r#"a = !f(x)\n? 1 : 2\n"#,
        r#"a = f(x)\n? 1\n: 2\n"#,
        r#"a = ((a)).b\n"#,
        r#"a = 1.\n"#,
        r#"a = 1.e5\n"#,
        r#"a = 1.5e+3\n"#,
        r#"a = 1e999\n"#,
        r#"a = 18446744073709551616\n"#,
        r#"a = 00012\n"#,
        r#"a = "\uD800"\n"#,
        r#"a = b[*].c\n"#,
        r#"a = b . c\n"#,
        r#"a = b.\nc\n"#,
        r#"a = b[\n0\n]\n"#,
        r#"a = b ? c : d ? e : f\n"#,
        r#"a = b ? c ? d : e : f\n"#,
        r#"a = <<EOF\n${x}EOF\nEOF\n"#,
        r#"a = <<EOF\nx\n  EOF\n"#,
        r#"a = <<EOF\nx\nEOF  \n"#,
        r#"a = <<EOF \nx\nEOF\n"#,
        r#"x "a" b "c" {}\n"#,
        r#"x{\n}\n"#,
        r#"x {\n\n}\n"#,
        r#"x { # c\n}\n"#,
        r#"x {}\ny {}"#,
        r#"a = 1 # c"#,
        r#"a = 1 // c"#,
        r#"a = 1 /* c */"#,
        r#"a = {\n}\n"#,
        r#"a = {a = 1,}\n"#,
        r#"a = {a = 1\n,b = 2}\n"#,
        r#"a = {("a") = 1, "a" = 2}\n"#,
        r#"a = {f(x) = 1, f(x...) = 2}\n"#,
        r#"a = [\n  # c\n]\n"#,
        r#"a = f(#c\n)\n"#,
        r#"a = f(a,#c\n b)\n"#,
        r#"a = "$${a}"\n"#,
        r#"a = "$$${a}"\n"#,
        r#"a = "%%%{"\n"#,
        r#"a = "\\${a}"\n"#,
        r#"a = "a\nb"\n"#,
        r#"a\t=\t1\n"#,
        r#"a = 1\r\n"#,
        r#"a = 1\r"#,
        r#"a = 1\n\r\nb = 2\n"#,
        r#"a = "x" "y"\n"#,
        r#"a = true(1)\n"#,
        r#"a = null.x\n"#,
        r#"a = 1 == 2 == 3\n"#,
        r#"a = 1 < 2 < 3 >= 4\n"#,
        r#"a = !!x\n"#,
        r#"a = - - 1\n"#,
        r#"a = -/* c */1\n"#,
        r#"a = x[-1]\n"#,
        r#"a = {a = 1}.a\n"#,
        r#"a = [1][0]\n"#,
        r#"a = "s"[0]\n"#,
        r#"a = provider :: aws :: f(1)\n"#,
        r#"a = a::b\n"#,
        r#"a = f\n(1)\n"#,
        r#"a = [f\n(1)]\n"#,
        r#"a = <<EOF\n%{ for x in y }${x}%{ endfor }\nEOF\n"#,
        r#"a = "%{for x in y}%{if x}a%{endif}%{endfor}"\n"#,
        r#"a = "%{ if x ~}a%{~ else ~}b%{~ endif }"\n"#,
        r#"a = "${x ~}"\n"#,
        r#"a = "%{ endif }"\n"#,
        r#"a = <<-EOF\n\ty\n  z\nEOF\n"#,
        r#"a = <<-EOF\n  a\n\n  b\n  EOF\n"#,
        r#"a = <<-EOF\n  a ${b}\nc\n  EOF\n"#,
        r#"a = <<-EOF\n    a\n  %{if x}\n  b\n  %{endif}\n  EOF\n"#,
        r#"a = <<-EOF\r\n  a\r\n\r\n  b\r\n  EOF\r\n"#,
        r#"a = <<-EOF\n  x\n  EOF"#,
        r#"a = [for x in y: x\n]\n"#,
        r#"a = {for x in y: x => x\n}\n"#,
        r#"a = [for, x]\n"#,
        r#"a = {for = 1}\n"#,
        r#"a = [for\r\nx in y : x]\n"#,
        r#"a = x...\n"#,
        r#"a = f(x...)\n"#,
        r#"a = f(x, y...)\n"#,
        r#"a = f(x...,)\n"#,
        r#"a = f(,)\n"#,
        r#"a = "\u00e9\U0001F600"\n"#,
        r#"a = "\u00e"\n"#,
        r#"a = <<EOF\nEOF"#,
        r#"a = 1 ? 2 : 3 ? 4 : 5 + 6\n"#,
        r#"a = a ! b\n"#,
        r#"a = a & b\n"#,
        r#"a = a =b\n"#,
        r#"a = a / / b\n"#,
        r#"a = a //b\n"#,
        r#"a = 1 +\n2\n"#,
        r#"a = [1 +\n2]\n"#,
        r#"a = [1\n+ 2]\n"#,
        r#"a = (1\n+ 2)\n"#,
        r#"a = x ? [1] : [2]\n"#,
        r#"a = {a = [1]\n}\n"#,
        r#"a = {a = f(1)\nb = 2}\n"#,
        r#"a = {a = 1 /* c */ # d\n b = 2}\n"#,
        r#"a = {a = 1 /* c\n */ b = 2}\n"#,
        r#"a = { a : 1 , b : 2 }\n"#,
        r#"a = { a = b == c }\n"#,
        r#"a = { a == b = 1 }\n"#,
        r#"a = { a ? b : c = 1 }\n"#,
        r#"a = { 1 = 1, 2 = 2 }\n"#,
        r#"a = { true = 1, null = 2, false = 3 }\n"#,
        r#"x { a = 1 }\ny "z" { b = [\n1] }\n"#,
        r#"x { a = 1\n}\n"#,
        r#"x { a = 1 b = 2 }\n"#,
        r#"x { y = { z = 1 } }\n"#,
        r#"x {\n  a = 1 }\n"#,
        r#"x "a${b}" {}\n"#,
        r#"x "a\\"b" {}\n"#,
    ];
    let mut accepted = 0;
    for c in cases {
        // The cases are written with `\n`, `\r`, `\t` escapes.
        let src = c
            .replace("\\n", "\n")
            .replace("\\r", "\r")
            .replace("\\t", "\t");
        accepted += usize::from(agrees(&src));
    }
    assert!(accepted > cases.len() / 2, "{accepted} of {}", cases.len());
}
