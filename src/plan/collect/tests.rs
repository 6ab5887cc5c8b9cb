use super::*;

#[test]
fn one_instance_per_address_and_deletes_dropped() {
    let text = r#"{"planned_values":{"root_module":{"resources":[
            {"address":"aws_iam_role.a","mode":"managed","type":"aws_iam_role","values":{"name":"pv"}}],
            "child_modules":[{"resources":[{"address":"module.m.aws_iam_role.b","mode":"managed","type":"aws_iam_role","values":{}}]}]}},
          "resource_changes":[
            {"address":"aws_iam_role.a","mode":"managed","type":"aws_iam_role","change":{"actions":["create"],"after":{"name":"rc"},"after_unknown":{"arn":true}}},
            {"address":"aws_iam_role.gone","mode":"managed","type":"aws_iam_role","change":{"actions":["delete"],"after":null}}],
          "prior_state":{"values":{"root_module":{"resources":[
            {"address":"aws_iam_role.gone","mode":"managed","type":"aws_iam_role","values":{}},
            {"address":"data.aws_caller_identity.c","mode":"data","type":"aws_caller_identity","values":{"account_id":"111122223333"}}]}}}}"#;
    let plan: Plan = serde_json::from_str(text).unwrap();
    let (insts, bad) = collect(&plan, text, FileId(0));
    assert!(bad.is_empty());
    let addrs: Vec<&str> = insts.list.iter().map(|i| i.address.as_str()).collect();
    assert_eq!(
        addrs,
        vec![
            "aws_iam_role.a",
            "module.m.aws_iam_role.b",
            "data.aws_caller_identity.c"
        ]
    );
    let a = insts.get("aws_iam_role.a").unwrap();
    assert_eq!(a.section, Section::Change);
    assert_eq!(a.values.unwrap().get(), r#"{"name":"rc"}"#);
    assert_eq!(&text[a.addr_span.range()], "aws_iam_role.a");
    // The span is the one in resource_changes (the values used), not planned_values.
    assert!(a.addr_span.start as usize > text.find("resource_changes").unwrap());
}
