use super::*;

#[test]
fn expression_lookup_descends_blocks() {
    let text = r#"{"assume_role_policy":{"references":["data.aws_iam_policy_document.a","each.key"]},
                "inline_policy":[{"name":{"constant_value":"x"},"policy":{"references":["var.p"]}}],
                "statement":{"references":["var.statements"]}}"#;
    let e = crate::plan::jsonval::to_value(text, 0, FileId(0)).unwrap();
    let arp = expr_at(&e, &[Seg::Key("assume_role_policy")]).unwrap();
    assert_eq!(
        significant(&references(arp)),
        vec!["data.aws_iam_policy_document.a".to_string()]
    );
    let p = expr_at(
        &e,
        &[Seg::Key("inline_policy"), Seg::Idx(0), Seg::Key("policy")],
    )
    .unwrap();
    assert_eq!(references(p), vec!["var.p".to_string()]);
    // A block list set as a whole covers its elements.
    let s = expr_at(
        &e,
        &[Seg::Key("statement"), Seg::Idx(0), Seg::Key("principals")],
    )
    .unwrap();
    assert_eq!(references(s), vec!["var.statements".to_string()]);
    let sp = reference_span(s, "var.statements").unwrap();
    assert_eq!(&text[sp.range()], "var.statements");
    assert!(expr_at(&e, &[Seg::Key("name")]).is_none());
}

#[test]
fn significant_drops_meta_and_prefixes() {
    let refs: Vec<String> = [
        "aws_iam_openid_connect_provider.r5.url",
        "aws_iam_openid_connect_provider.r5",
        "each.value",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        significant(&refs),
        vec!["aws_iam_openid_connect_provider.r5.url".to_string()]
    );
    assert_eq!(
        significant(&["each.value".to_string()]),
        vec!["each.value".to_string()]
    );
}
