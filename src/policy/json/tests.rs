use super::*;
use crate::source::FileId;
use crate::value::Sym;

fn sp(a: usize, b: usize) -> Option<Span> {
    Some(Span::new(FileId(3), a, b))
}

fn raw(text: &str) -> Value {
    parse(
        text,
        &RawMap {
            file: FileId(3),
            base: 100,
        },
    )
    .unwrap()
}

#[test]
fn strings_keys_and_containers_get_exact_spans() {
    let text = r#"{"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}"#;
    let v = raw(text);
    let (k, p) = &v.as_map().unwrap()[0];
    assert_eq!(k.text, "Principal");
    let ks = text.find("Principal").unwrap();
    assert_eq!(k.span(), sp(100 + ks, 100 + ks + 9));
    let aws = p.get("AWS").unwrap().as_str().unwrap();
    let acct = text.find("123456789012").unwrap();
    assert_eq!(aws.span_of(13, 25), sp(100 + acct, 100 + acct + 12));
    assert_eq!(v.span(), sp(100, 100 + text.len()));
    let inner = text.find("{\"AWS").unwrap();
    assert_eq!(p.span(), sp(100 + inner, 100 + text.len() - 1));
}

#[test]
fn scalars_numbers_and_duplicate_keys() {
    let text = r#"{"a": 123456789012, "a": true, "b": null, "c": [1.5e3, false], "d": ""}"#;
    let v = raw(text);
    let m = v.as_map().unwrap();
    assert_eq!(m.len(), 5);
    assert_eq!(m[0].0.text, "a");
    assert_eq!(m[1].0.text, "a");
    match &m[0].1 {
        Value::Number(n) => {
            assert_eq!(n.text, "123456789012");
            let s = text.find("1234").unwrap();
            assert_eq!(n.span(), sp(100 + s, 100 + s + 12));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(m[1].1, Value::Bool(true, _)));
    assert!(matches!(m[2].1, Value::Null(Some(_))));
    let c = m[3].1.as_list().unwrap();
    assert_eq!(c[0].as_str().unwrap().text, "1.5e3");
    assert_eq!(m[4].1.as_str().unwrap().text, "");
    let q = text.rfind("\"\"").unwrap();
    assert_eq!(m[4].1.span(), sp(100 + q, 100 + q + 2));
}

#[test]
fn escaped_strings_are_decoded_with_per_escape_spans() {
    let text = r#"["a\"b\u00e9\ud83d\ude00c", "x\/y"]"#;
    let v = raw(text);
    let l = v.as_list().unwrap();
    let s = l[0].as_str().unwrap();
    assert_eq!(s.text, "a\"bé😀c");
    // `a` is exact: text offset 2 (after `["`).
    assert_eq!(s.span_of(0, 1), sp(102, 103));
    // The `\"` escape maps to its two source bytes.
    assert_eq!(s.span_of(1, 2), sp(103, 105));
    // `c` after the surrogate pair.
    let c = text.find("c\"").unwrap();
    assert_eq!(
        s.span_of(s.text.len() - 1, s.text.len()),
        sp(100 + c, 101 + c)
    );
    assert_eq!(l[1].as_str().unwrap().text, "x/y");
}

#[test]
fn strict_json_is_required() {
    for (text, needle) in [
        ("{\"a\": 1,}", "Trailing commas"),
        ("[1,]", "Trailing commas"),
        ("{\"a\": 1} // c", "Comments"),
        ("{a: 1}", "Expected string"),
        ("{'a': 1}", "Single-quoted"),
        ("{\"a\" 1}", "colon"),
        ("[1 2]", "comma"),
        ("", "empty"),
        ("   ", "empty"),
        ("{\"a\": 1}{}", "more than one"),
        ("\"a\tb\"", "control character"),
        ("[\"\\x41\"]", "escape"),
        ("[+1]", ""),
        ("[0x10]", ""),
        ("[NaN]", ""),
        ("{\"a\": \"unterminated", "Unterminated"),
    ] {
        let e = parse(text, &NoMap).unwrap_err();
        assert!(
            e.message.contains(needle),
            "{text:?}: {} does not mention {needle}",
            e.message
        );
    }
}

#[test]
fn error_offsets_and_positions() {
    let text = "{\n  \"a\": 1,\n  \"b\": 2,\n}";
    let e = parse(text, &NoMap).unwrap_err();
    assert_eq!(e.offset, text.rfind(',').unwrap());
    assert_eq!(e.line_col(text), (3, 9));
    assert_eq!(
        e.describe(text),
        "invalid JSON: Trailing commas are not allowed at line 3, column 9 of the JSON text"
    );
    let m = RawMap {
        file: FileId(1),
        base: 10,
    };
    assert_eq!(
        e.span(text, &m),
        Some(Span::new(FileId(1), 10 + e.offset, 11 + e.offset))
    );
    assert_eq!(line_col("é\nab", 5), (2, 3));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let e = parse(&deep, &NoMap).unwrap_err();
    assert!(e.message.contains("nesting"), "{}", e.message);
    assert_eq!(e.offset, MAX_DEPTH);
    let obj = "{\"a\":".repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
    assert!(parse(&obj, &NoMap).is_err());
    // Objects at the limit parse on a test thread's small stack.
    let obj = "{\"a\":".repeat(MAX_DEPTH) + "1" + &"}".repeat(MAX_DEPTH);
    let v = parse(&obj, &NoMap).unwrap();
    let mut d = 0;
    let mut cur = &v;
    while let Some(next) = cur.get("a") {
        cur = next;
        d += 1;
    }
    assert_eq!(d, MAX_DEPTH);
    // At the limit it still parses (brackets inside strings do not count).
    let ok = "[".repeat(MAX_DEPTH) + "\"[[[{{{\"" + &"]".repeat(MAX_DEPTH);
    assert!(parse(&ok, &NoMap).is_ok());
}

#[test]
fn table_map_spans_cover_the_escaped_source() {
    // Source `"{\"a\":\"b\"}"` decoded to `{"a":"b"}`; table maps each decoded byte to its source offset.
    let decoded = "{\"a\":\"b\"}";
    let table: Vec<u32> = vec![1, 2, 4, 5, 7, 8, 10, 11, 13, 14];
    let v = parse(
        decoded,
        &TableMap {
            file: FileId(0),
            table,
        },
    )
    .unwrap();
    let b = v.get("a").unwrap().as_str().unwrap();
    assert_eq!(b.text, "b");
    assert_eq!(b.span(), Some(Span::new(FileId(0), 10, 11)));
}

/// `"arn:aws:iam::${local.acct}:root"` inside a heredoc: prefix literal, symbolic account, suffix.
fn heredoc_with(part: Str) -> (Str, usize) {
    let pre = "{\"Principal\": {\"AWS\": \"arn:aws:iam::";
    let post = ":root\"}}";
    let s = Str::concat([
        &Str::lit(pre, sp(0, pre.len())),
        &part,
        &Str::lit(post, sp(500, 500 + post.len())),
    ]);
    (s, pre.len())
}

#[test]
fn parse_str_keeps_symbols_inside_strings() {
    let (s, at) = heredoc_with(Str::sym(Sym::ThisAccount, sp(200, 230)));
    let v = parse_str(&s).unwrap();
    let aws = v
        .get("Principal")
        .unwrap()
        .get("AWS")
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(aws.display(), "arn:aws:iam::<this account>:root");
    let acct_start = "arn:aws:iam::".len();
    let acct_end = acct_start + SYM_CHAR.len_utf8();
    assert_eq!(aws.sym_at(acct_start, acct_end), Some(&Sym::ThisAccount));
    assert_eq!(aws.span_of(acct_start, acct_end), sp(200, 230));
    // `arn:` is exact inside the first literal.
    assert_eq!(aws.span_of(0, 4), sp(at - 13, at - 9));
}

#[test]
fn parse_str_with_unknown_inside_string_is_a_value() {
    let (s, _) = heredoc_with(Str::unknown(Unknown::new(
        "var.acct",
        "no value",
        sp(300, 308),
    )));
    let v = parse_str(&s).unwrap();
    let aws = v
        .get("Principal")
        .unwrap()
        .get("AWS")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(aws.has_unknown());
    assert_eq!(aws.unknowns().next().unwrap().expr, "var.acct");
}

#[test]
fn parse_str_bare_placeholder_becomes_the_value() {
    let s = Str::concat([
        &Str::lit("{\"Principal\": ", sp(0, 14)),
        &Str::unknown(Unknown::new("var.principal", "no value", sp(40, 53))),
        &Str::lit(", \"Action\": ", sp(60, 72)),
        &Str::sym(Sym::RoleArn("m::aws_iam_role.a".into()), sp(80, 90)),
        &Str::lit("}", sp(95, 96)),
    ]);
    let v = parse_str(&s).unwrap();
    match v.get("Principal").unwrap() {
        Value::Unknown(u) => assert_eq!(u.expr, "var.principal"),
        other => panic!("{other:?}"),
    }
    let a = v.get("Action").unwrap().as_str().unwrap();
    assert_eq!(a.as_sym(), Some(&Sym::RoleArn("m::aws_iam_role.a".into())));
}

#[test]
fn parse_str_unparsable_with_unknown_is_unknown_not_error() {
    let s = Str::concat([
        &Str::lit("{\"Statement\": [", sp(0, 15)),
        &Str::unknown(Unknown::new(
            "join(\",\", var.stmts)",
            "no value",
            sp(20, 40),
        )),
        &Str::lit(",]}", sp(40, 43)),
    ]);
    match parse_str(&s).unwrap() {
        Value::Unknown(u) => {
            assert_eq!(u.expr, "join(\",\", var.stmts)");
            assert_eq!(u.span, sp(20, 40));
            assert!(u.why.contains("cannot be parsed"), "{}", u.why);
        }
        other => panic!("{other:?}"),
    }
    // Without unknown parts a broken text stays an error, with its offset.
    let bad = Str::lit("{\"a\": }", sp(0, 7));
    let e = parse_str(&bad).unwrap_err();
    assert_eq!(e.offset, 6);
    assert_eq!(e.span_in(&bad), sp(6, 7));
}

#[test]
fn parse_str_escapes_keep_neighbouring_provenance() {
    // An escaped quote next to a symbolic part: the symbol survives.
    let s = Str::concat([
        &Str::lit("[\"a\\\"", sp(0, 5)),
        &Str::sym(Sym::Partition, sp(50, 60)),
        &Str::lit("\"]", sp(70, 72)),
    ]);
    let v = parse_str(&s).unwrap();
    let item = v.as_list().unwrap()[0].as_str().unwrap();
    assert_eq!(item.display(), "a\"<the partition>");
    assert_eq!(item.span_of(1, 2), sp(3, 5));
}

mod corpus_tests {
    use super::*;
    use crate::source::FileId;
    use std::path::PathBuf;

    /// Every JSON file of the real-world corpus parses (templates with `${…}` placeholders excepted: they are
    /// only JSON after Terraform renders them).
    #[test]
    fn corpus_json_files_parse() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
            return; // corpus absent
        };
        let mut failures = Vec::new();
        let mut parsed = 0;
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(kind)) = (cols.first(), cols.get(3)) else {
                continue;
            };
            if !path.ends_with(".json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                continue;
            };
            // Not JSON at all (Python-style `"""…"""` strings, a checkov parser test): TL900 is right.
            if path.ends_with("success_triple_quotes_string.json") {
                assert!(parse(&text, &NoMap).is_err());
                continue;
            }
            if *kind == "terraform" && (text.contains("${") || text.contains("%{")) {
                continue;
            }
            match parse(
                &text,
                &RawMap {
                    file: FileId(0),
                    base: 0,
                },
            ) {
                Ok(_) => parsed += 1,
                Err(e) => failures.push(format!("{path}: {}", e.describe(&text))),
            }
        }
        assert!(
            failures.is_empty(),
            "{parsed} parsed; failures:\n{}",
            failures.join("\n")
        );
        assert!(parsed > 400, "only {parsed} corpus JSON files parsed");
    }
}
