use super::*;
use crate::source::FileId;

#[test]
fn align_folds_and_indentation() {
    let runs = align("folded text", "folded\n  text\n", false).unwrap();
    assert_eq!(runs, vec![(0, 6, 0), (6, 7, 6), (7, 11, 9)]);
    let runs = align("{\"a\": 1}\nx\n", "  {\"a\": 1}\n  x\n\n", false).unwrap();
    assert_eq!(runs, vec![(0, 9, 2), (9, 11, 13)]);
    assert!(align("a\"b", "a\\\"b\"", true).is_none());
    assert!(align("a\\b", "a\\b", false).is_some());
}

#[test]
fn str_from_source_is_exact_per_line() {
    let f = FileId(0);
    let src = "  {\"a\": 1}\n  x\n";
    let s = str_from_source(
        "{\"a\": 1}\nx\n",
        src,
        false,
        100,
        f,
        Span::new(f, 100, 116),
    );
    assert_eq!(s.text, "{\"a\": 1}\nx\n");
    // "x" is at source offset 100 + 13.
    assert_eq!(s.span_of(9, 10), Some(Span::new(f, 113, 114)));
    assert_eq!(s.span_of(1, 4), Some(Span::new(f, 103, 106)));
}
