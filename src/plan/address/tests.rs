use super::*;

#[test]
fn parses_module_data_and_keys() {
    let a =
        Address::parse(r#"module.a["x.y]"].module.b.data.aws_iam_policy_document.d[0]"#).unwrap();
    assert_eq!(a.modules.len(), 2);
    assert_eq!(a.modules[0].key.as_deref(), Some(r#"["x.y]"]"#));
    assert!(a.data);
    assert_eq!(a.type_, "aws_iam_policy_document");
    assert_eq!(a.index.as_deref(), Some("[0]"));
    assert_eq!(a.module_instance(), r#"module.a["x.y]"].module.b"#);
    assert_eq!(a.config_path(), vec!["a".to_string(), "b".to_string()]);
    assert_eq!(a.config_address(), "data.aws_iam_policy_document.d");
    assert_eq!(
        a.without_any_index(),
        "module.a.module.b.data.aws_iam_policy_document.d"
    );
    let r = Address::parse(r#"aws_iam_role.r["k\"q"]"#).unwrap();
    assert_eq!(r.index.as_deref(), Some(r#"["k\"q"]"#));
    assert!(Address::parse("aws_iam_role").is_none());
    assert!(Address::parse("a.b.c").is_none());
    assert!(Address::parse("aws_iam_role.r[0").is_none());
}

#[test]
fn parses_references() {
    assert_eq!(
        Reference::parse("aws_iam_role.r[0].arn"),
        Some(Reference::Resource {
            data: false,
            type_: "aws_iam_role".into(),
            name: "r".into(),
            key: Some("[0]".into()),
            attr: Some("arn".into())
        })
    );
    assert_eq!(
        Reference::parse("module.m.role_arn"),
        Some(Reference::ModuleOutput {
            name: "m".into(),
            key: None,
            output: Some("role_arn".into())
        })
    );
    assert_eq!(Reference::parse("var.x"), Some(Reference::Var("x".into())));
    assert_eq!(
        Reference::parse("each.key"),
        Some(Reference::Meta("each.key".into()))
    );
}
