use super::*;
use crate::source::SourceMap;

#[test]
fn json_strings_keep_exact_spans_even_with_escapes() {
    let map = SourceMap::new();
    let text = r#"{"A": "arn:aws:iam::123456789012:root", "B": "x\"y\u0031z"}"#;
    let f = map.add("t.json".into(), "t.json".into(), text.into());
    let root = load(&f).unwrap().unwrap();
    let (k, a) = root.entry("A").unwrap();
    assert_eq!(f.slice(k.span), "A");
    assert_eq!(f.slice(a.span), "arn:aws:iam::123456789012:root");
    let b = root.get("B").unwrap().as_str().unwrap();
    assert_eq!(b.text, "x\"y1z");
    assert_eq!(f.slice(b.span_of(4, 5).unwrap()), "z");
    assert_eq!(f.slice(b.span_of(3, 4).unwrap()), "\\u0031");
    assert_eq!(f.slice(b.span_of(0, 1).unwrap()), "x");
}

#[test]
fn json_errors_and_strictness() {
    let map = SourceMap::new();
    for bad in [
        "{\"a\": 1,}",
        "{// c\n\"a\": 1}",
        "{\"a\": 1\n\"b\": 2}",
        "{'a': 1}",
    ] {
        let f = map.add("t.json".into(), "t.json".into(), bad.into());
        let e = load(&f).unwrap_err();
        assert!(e.message.starts_with("invalid JSON"), "{}", e.message);
        assert!(e.message.contains("line"), "{}", e.message);
    }
}

#[test]
fn deep_json_is_an_error() {
    let map = SourceMap::new();
    let text = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let f = map.add("t.json".into(), "t.json".into(), text);
    assert!(load(&f).is_err());
}
