use super::*;
use crate::source::SourceMap;

fn load_str(text: &str) -> (std::sync::Arc<SourceFile>, Result<Option<Node>, LoadError>) {
    let map = SourceMap::new();
    let f = map.add("t.yaml".into(), "t.yaml".into(), text.into());
    let r = load(&f);
    (f, r)
}

fn slice(f: &SourceFile, s: Span) -> &str {
    f.slice(s)
}

#[test]
fn tagged_scalars_span_the_value_only() {
    let (f, r) = load_str("A: !Sub \"arn:${X}\"\nB: !Ref Env\nC: !GetAtt R.Arn\n");
    let root = r.unwrap().unwrap();
    let a = root.get("A").unwrap();
    assert_eq!(a.tag.as_ref().unwrap().name, "Sub");
    assert_eq!(slice(&f, a.tag.as_ref().unwrap().span), "!Sub");
    assert_eq!(slice(&f, a.span), "arn:${X}");
    assert_eq!(slice(&f, a.full_span()), "!Sub \"arn:${X}");
    let b = root.get("B").unwrap();
    assert_eq!(slice(&f, b.span), "Env");
    let (k, _) = root.entry("C").unwrap();
    assert_eq!(slice(&f, k.span), "C");
    assert_eq!(slice(&f, root.get("C").unwrap().span), "R.Arn");
}

#[test]
fn flow_collections_include_their_brackets() {
    let (f, r) = load_str("C: !If [IsProd, Allow, Deny]\nD: {x: [1, 2]}\n");
    let root = r.unwrap().unwrap();
    let c = root.get("C").unwrap();
    assert_eq!(c.tag.as_ref().unwrap().name, "If");
    assert_eq!(slice(&f, c.span), "[IsProd, Allow, Deny]");
    let d = root.get("D").unwrap();
    assert_eq!(slice(&f, d.span), "{x: [1, 2]}");
    assert_eq!(slice(&f, d.get("x").unwrap().span), "[1, 2]");
}

#[test]
fn block_collections_end_at_their_last_item() {
    let (f, r) = load_str("D: !Join\n  - ''\n  - - a\n    - !Ref B\n\n# c\nE: 1\n");
    let root = r.unwrap().unwrap();
    let d = root.get("D").unwrap();
    assert_eq!(d.tag.as_ref().unwrap().name, "Join");
    assert_eq!(slice(&f, d.span), "- ''\n  - - a\n    - !Ref B");
    let items = d.items().unwrap();
    assert_eq!(slice(&f, items[0].span), "");
    assert_eq!(items[0].span.start as usize, f.text.find("''").unwrap() + 1);
    assert_eq!(slice(&f, items[1].span), "- a\n    - !Ref B");
}

#[test]
fn block_scalar_lines_map_exactly() {
    let text = "P: !Sub |\n  {\"AWS\": \"arn:aws:iam::${AWS::AccountId}:root\"}\n  x\n\nQ: 1\n";
    let (f, r) = load_str(text);
    let root = r.unwrap().unwrap();
    let p = root.get("P").unwrap();
    let s = p.as_str().unwrap();
    assert_eq!(
        s.text,
        "{\"AWS\": \"arn:aws:iam::${AWS::AccountId}:root\"}\nx\n"
    );
    // Block spans stop at the last character of the value, not at the next key.
    assert!(slice(&f, p.span).ends_with("x\n"));
    let at = s.text.find("arn").unwrap();
    let sp = s.span_of(at, at + 3).unwrap();
    assert_eq!(slice(&f, sp), "arn");
    assert_eq!(sp.start as usize, text.find("arn").unwrap());
}

#[test]
fn folded_and_quoted_scalars() {
    let text = "H: >-\n  folded\n  text\nL: \"dq \\\" esc\"\nM: 'it''s'\nN: \"plain dq\"\n";
    let (f, r) = load_str(text);
    let root = r.unwrap().unwrap();
    let h = root.get("H").unwrap();
    assert_eq!(h.as_str().unwrap().text, "folded text");
    let hs = h.as_str().unwrap();
    assert_eq!(slice(&f, hs.span_of(7, 11).unwrap()), "text");
    let l = root.get("L").unwrap();
    assert_eq!(l.as_str().unwrap().text, "dq \" esc");
    assert_eq!(slice(&f, l.span), "dq \\\" esc");
    let m = root.get("M").unwrap();
    assert_eq!(m.as_str().unwrap().text, "it's");
    assert_eq!(slice(&f, m.span), "it''s");
    let n = root.get("N").unwrap();
    assert_eq!(slice(&f, n.span), "plain dq");
    assert_eq!(n.as_str().unwrap().span_of(6, 8), n.span.sub(6, 8).into());
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let text = "D: \"é😀\"\nA: !Ref Ünï\n";
    let (f, r) = load_str(text);
    let root = r.unwrap().unwrap();
    assert_eq!(slice(&f, root.get("A").unwrap().span), "Ünï");
    assert_eq!(slice(&f, root.get("D").unwrap().span), "é😀");
}

#[test]
fn duplicate_keys_are_kept_last_wins() {
    let (_, r) = load_str("A: 1\nA: 2\n");
    let root = r.unwrap().unwrap();
    assert_eq!(root.entries().unwrap().len(), 2);
    assert_eq!(root.get("A").unwrap().text(), Some("2"));
}

#[test]
fn aliases_copy_the_anchor_and_are_bounded() {
    let (f, r) = load_str("A: &x '123456789012'\nB: *x\n");
    let root = r.unwrap().unwrap();
    let b = root.get("B").unwrap();
    assert_eq!(b.text(), Some("123456789012"));
    // The literal is written at the anchor.
    assert_eq!(b.span.start as usize, f.text.find("1234").unwrap());

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        bomb.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
    }
    let (_, r) = load_str(&bomb);
    let e = r.unwrap_err();
    assert!(e.message.contains("aliases expand"), "{}", e.message);
}

#[test]
fn underindented_flow_and_quoted_continuations_parse_like_cloudformation() {
    let text = "R:\n  Action: [\n    \"a\",\n    \"b\"\n  ]\n  Doc: !Sub '{\n    \"x\": \"${AWS::Region}\"\n  }'\n  Map: {\"k\": 1,\n  \"l\": 2}\nS: [1,\n 2\n]\n";
    let (f, r) = load_str(text);
    let root = r.unwrap().unwrap();
    let r = root.get("R").unwrap();
    let action = r.get("Action").unwrap();
    assert_eq!(slice(&f, action.span), "[\n    \"a\",\n    \"b\"\n  ]");
    let items = action.items().unwrap();
    assert_eq!(slice(&f, items[1].span), "b");
    let doc = r.get("Doc").unwrap();
    assert_eq!(doc.as_str().unwrap().text, "{ \"x\": \"${AWS::Region}\" }");
    let s = doc.as_str().unwrap();
    let at = s.text.find("x").unwrap();
    assert_eq!(slice(&f, s.span_of(at, at + 1).unwrap()), "x");
    let m = r.get("Map").unwrap();
    assert_eq!(slice(&f, m.get("l").unwrap().span), "2");
    let (k, _) = m.entry("l").unwrap();
    assert_eq!(slice(&f, k.span), "l");
    assert_eq!(slice(&f, root.get("S").unwrap().span), "[1,\n 2\n]");
    // Genuinely misplaced keys stay errors.
    let (_, r) = load_str("R:\n  Type: x\n Properties: [\n");
    assert!(r.is_err());
}

#[test]
fn errors_carry_line_and_column() {
    let (f, r) = load_str("A: 1\nB: [1, 2\nC: 3\n");
    let e = r.unwrap_err();
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
    let pos = f.position(e.start as u32);
    assert!(e.message.contains(&format!("line {}", pos.line)));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
    let (_, r) = load_str(&text);
    assert!(r.is_err());
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    let (_, r) = load_str(&text);
    let e = r.unwrap_err();
    assert!(e.message.contains("deeper"), "{}", e.message);
}
