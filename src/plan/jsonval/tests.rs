use super::*;

#[test]
fn values_carry_spans_of_string_content() {
    let text = r#"xx{"a": "b\"c", "n": 12, "l": [true, null], "k": "plain"}"#;
    let v = to_value(&text[2..], 2, FileId(0)).unwrap();
    let a = v.get("a").unwrap().as_str().unwrap();
    assert_eq!(a.text, "b\"c");
    assert_eq!(&text[a.span().unwrap().range()], "b\\\"c");
    let k = v.get("k").unwrap().as_str().unwrap();
    assert_eq!(&text[k.span_of(1, 3).unwrap().range()], "la");
    let n = v.get("n").unwrap().as_str().unwrap();
    assert_eq!(n.text, "12");
    assert_eq!(&text[n.span().unwrap().range()], "12");
    assert_eq!(raw_content(a, text), Some(("b\\\"c", 9)));
}

#[test]
fn bad_json_reports_absolute_offset() {
    let e = to_value("{\"a\": }", 100, FileId(0)).unwrap_err();
    assert!(e.offset >= 100, "{e:?}");
}

#[test]
fn unescape_maps_decoded_bytes_to_source() {
    let src = r#"{\"AWS\":\"arn\u003a1\"}é\ud83d\ude00"#;
    let (s, t) = unescape(src, 10);
    assert_eq!(s, "{\"AWS\":\"arn:1\"}é😀");
    assert_eq!(t.len(), s.len() + 1);
    // `A` of AWS is source byte 3 (after `{\"`).
    assert_eq!(t[2], 13);
    let colon = s.find(':').unwrap() + 5; // the `:` inside "arn:1"
    assert_eq!(&s[colon..colon + 1], ":");
    assert_eq!(
        &src[t[colon] as usize - 10..t[colon] as usize - 10 + 6],
        "\\u003a"
    );
    // é is copied verbatim, two bytes mapping 1:1.
    let e = s.find('é').unwrap();
    assert_eq!(t[e + 1], t[e] + 1);
    // The emoji's four bytes all map to the first escape.
    let emoji = s.find('😀').unwrap();
    assert_eq!(&src[t[emoji] as usize - 10..][..6], "\\ud83d");
    assert_eq!(*t.last().unwrap() as usize, 10 + src.len());
    let (lone, _) = unescape(r"\ud83dx", 0);
    assert_eq!(lone, "\u{FFFD}x");
}

#[test]
fn decoded_str_has_exact_runs() {
    let src = r#"{\"AWS\":\"arn:aws:iam::123456789012:root\"}"#;
    let s = decode_str(src, 50, FileId(0));
    assert_eq!(s.text, r#"{"AWS":"arn:aws:iam::123456789012:root"}"#);
    let acct = s.text.find("1234").unwrap();
    let sp = s.span_of(acct, acct + 12).unwrap();
    assert_eq!(
        &src[sp.start as usize - 50..sp.end as usize - 50],
        "123456789012"
    );
    // An escaped quote maps to its two-byte escape.
    let q = s.span_of(1, 2).unwrap();
    assert_eq!(&src[q.start as usize - 50..q.end as usize - 50], "\\\"");
}
