use super::*;

#[test]
fn splits_fields() {
    let s = Str::lit("arn:aws:iam::123456789012:role/a/b", None);
    let a = parse(&s).unwrap();
    assert_eq!(a.account.text, "123456789012");
    assert_eq!(a.resource.text, "role/a/b");
    assert_eq!(a.account_range, (13, 25));
    assert!(parse(&Str::lit("123456789012", None)).is_none());
}
