use super::*;
use crate::source::SourceMap;

#[test]
fn resources_and_templates() {
    let map = SourceMap::new();
    let text = r#"{"resource": {"aws_iam_role": {"r": {"name": "x", "assume_role_policy": "${data.aws_iam_policy_document.t.json}", "tags": {"a": "b\n${var.c}"}}}}}"#;
    let f = map.add("m.tf.json".into(), "m.tf.json".into(), text.into());
    let mut d = Vec::new();
    let b = parse(&f, &mut d).unwrap();
    assert!(d.is_empty());
    let blk = &b.blocks[0];
    assert_eq!(blk.ty, "resource");
    assert_eq!(blk.label(0), Some("aws_iam_role"));
    assert_eq!(blk.label(1), Some("r"));
    assert_eq!(&text[blk.header.range()], "\"r\"");
    let name = blk.body.attr("name").unwrap().expr.as_lit_str().unwrap();
    assert_eq!(&text[name.span().unwrap().range()], "x");
    let Expr::Template(t) = &blk.body.attr("assume_role_policy").unwrap().expr else {
        panic!()
    };
    let TPart::Interp(e, ..) = &t.parts[0] else {
        panic!()
    };
    assert_eq!(
        &text[e.span().range()],
        "data.aws_iam_policy_document.t.json"
    );
    let Expr::Object(tags, _) = &blk.body.attr("tags").unwrap().expr else {
        panic!()
    };
    let Expr::Template(t) = &tags[0].1 else {
        panic!()
    };
    let TPart::Lit(l) = &t.parts[0] else { panic!() };
    assert_eq!(l.text, "b\n");
    let TPart::Interp(e, ..) = &t.parts[1] else {
        panic!()
    };
    assert_eq!(&text[e.span().range()], "var.c");
}

#[test]
fn syntax_error_has_position() {
    let map = SourceMap::new();
    let f = map.add("m.tf.json".into(), "m.tf.json".into(), "{\"a\": }".into());
    let mut d = Vec::new();
    let Err(Diagnostic::ParseError { span, .. }) = parse(&f, &mut d) else {
        panic!()
    };
    assert_eq!(span.start, 6);
}
