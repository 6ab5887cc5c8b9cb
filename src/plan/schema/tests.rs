use super::*;

#[test]
fn keeps_only_relevant_resources_and_borrows() {
    let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","values":{"bucket":"x"}},
            {"address":"aws_iam_role.r[\"k\"]","mode":"managed","type":"aws_iam_role","values":{"name":"r"}}
        ],"child_modules":[{"resources":null}]}}}"#;
    let plan: Plan = serde_json::from_str(text).unwrap();
    let root = plan.planned_values.unwrap().root_module.unwrap();
    assert_eq!(root.resources.0.len(), 1);
    let r = &root.resources.0[0];
    assert!(matches!(r.type_, Cow::Borrowed("aws_iam_role")));
    let addr = r.address.unwrap();
    assert_eq!(raw_string(addr).as_deref(), Some("aws_iam_role.r[\"k\"]"));
    let off = offset_in(text, addr.get()).unwrap();
    assert_eq!(&text[off..off + 6], "\"aws_i");
    let values = r.values.unwrap().get();
    assert_eq!(values, r#"{"name":"r"}"#);
}
