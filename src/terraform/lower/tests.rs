use super::*;

fn parse(src: &str) -> Body {
    let body = hcl::edit::parser::parse_body(src).unwrap();
    Lowerer::new(FileId(0), src).body(&body)
}

fn attr_str(b: &Body, name: &str) -> Str {
    match &b.attr(name).unwrap().expr {
        Expr::Template(t) => match t.parts.as_slice() {
            [TPart::Lit(s)] => s.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn quoted_escapes_split_into_exact_runs() {
    let src = "a = \"x\\\"y\\u0041z$${w}\"\n";
    let b = parse(src);
    let s = attr_str(&b, "a");
    assert_eq!(s.text, "x\"yAz${w}");
    let y = s.text.find('y').unwrap();
    let sp = s.span_of(y, y + 1).unwrap();
    assert_eq!(&src[sp.range()], "y");
    let z = s.text.find('z').unwrap();
    assert_eq!(&src[s.span_of(z, z + 1).unwrap().range()], "z");
    // The escape maps to the whole escape sequence.
    let q = s.text.find('"').unwrap();
    assert_eq!(&src[s.span_of(q, q + 1).unwrap().range()], "\\\"");
    let w = s.text.find('w').unwrap();
    assert_eq!(&src[s.span_of(w, w + 1).unwrap().range()], "w");
}

#[test]
fn heredoc_maps_one_to_one() {
    let src = "p = <<EOF\n{\"a\": \"123\"}\nEOF\n";
    let b = parse(src);
    let s = attr_str(&b, "p");
    assert_eq!(s.text, "{\"a\": \"123\"}\n");
    let i = s.text.find("123").unwrap();
    assert_eq!(&src[s.span_of(i, i + 3).unwrap().range()], "123");
    assert_eq!(s.parts.len(), 1);
}

#[test]
fn indented_heredoc_one_part_per_line() {
    let src = "p = <<-EOF\n    {\n      \"a\": \"123\"\n    }\n    EOF\n";
    let b = parse(src);
    let s = attr_str(&b, "p");
    assert_eq!(s.text, "{\n  \"a\": \"123\"\n}\n");
    let i = s.text.find("123").unwrap();
    let sp = s.span_of(i, i + 3).unwrap();
    assert_eq!(&src[sp.range()], "123");
    assert!(s
        .parts
        .iter()
        .all(|p| matches!(p.origin, Origin::Lit { exact: true, .. })));
}

#[test]
fn crlf_indented_heredoc() {
    let src = "p = <<-EOF\r\n  a\r\n  bc\r\n  EOF\r\n";
    let b = parse(src);
    let s = attr_str(&b, "p");
    assert_eq!(s.text, "a\nbc\n");
    let i = s.text.find("bc").unwrap();
    assert_eq!(&src[s.span_of(i, i + 2).unwrap().range()], "bc");
}

#[test]
fn template_with_interpolation() {
    let src = "a = \"arn:aws:iam::${var.acct}:root\"\n";
    let b = parse(src);
    let Expr::Template(t) = &b.attr("a").unwrap().expr else {
        panic!()
    };
    assert_eq!(t.parts.len(), 3);
    let TPart::Lit(l) = &t.parts[2] else { panic!() };
    assert_eq!(&src[l.span().unwrap().range()], ":root");
    let TPart::Interp(Expr::Traversal(_, ops, sp), ..) = &t.parts[1] else {
        panic!()
    };
    assert_eq!(&src[sp.range()], "var.acct");
    assert!(matches!(&ops[0], TOp::Attr(n, _) if n == "acct"));
}

#[test]
fn block_header_span() {
    let src = "resource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n}\n";
    let b = parse(src);
    let blk = &b.blocks[0];
    assert_eq!(&src[blk.header.range()], "resource \"aws_iam_role\" \"r\"");
    assert_eq!(blk.label(1), Some("r"));
}

#[test]
fn verbatim_shortcut_matches_decoding() {
    let src = "ab\\nc $${x} %%{y} d\r\n  e\n\u{e9}";
    let lw = Lowerer::new(FileId(3), src);
    let modes = [
        LitMode::Quoted,
        LitMode::Heredoc {
            indent: None,
            skip_first: false,
        },
        LitMode::Heredoc {
            indent: Some(2),
            skip_first: true,
        },
        LitMode::Plain,
    ];
    let mut shortcuts = 0;
    for start in 0..=src.len() {
        for end in start..=src.len() {
            let Some(raw) = src.get(start..end) else {
                continue;
            };
            for mode in modes {
                // The raw text itself, and what the parser would pass after unescaping.
                for value in [raw.to_string(), raw.replace("$${", "${")] {
                    let fast = lw.lit(start..end, &value, mode);
                    let slow = lw.lit_decoded(start..end, &value, mode);
                    assert_eq!(fast, slow, "{start}..{end} {value:?} {mode:?}");
                    shortcuts += usize::from(value == raw && !raw.contains('\\'));
                }
            }
        }
    }
    assert!(shortcuts > 100);
}
