use super::*;
use crate::source::{FileId, Span};

#[test]
fn rewrites_whole_ids_and_arn_account_fields_only() {
    let acct = "111122223333";
    let sp = |a, b| Some(Span::new(FileId(0), a, b));
    let arn_s = Str::lit("arn:aws:iam::111122223333:root", sp(100, 130));
    let r = rewrite_str(&arn_s, acct).unwrap();
    assert_eq!(r.display(), "arn:aws:iam::<this account>:root");
    let start = "arn:aws:iam::".len();
    let sym_end = start + crate::value::SYM_CHAR.len_utf8();
    assert_eq!(r.sym_at(start, sym_end), Some(&Sym::ThisAccount));
    // The symbol keeps the digits' span.
    assert_eq!(r.span_of(start, sym_end), sp(113, 125));
    let bare = rewrite_str(&Str::lit(acct, sp(5, 17)), acct).unwrap();
    assert_eq!(bare.as_sym(), Some(&Sym::ThisAccount));
    assert!(rewrite_str(&Str::lit("111122223333-deploy", None), acct).is_none());
    assert!(rewrite_str(&Str::lit("arn:aws:iam::999988887777:root", None), acct).is_none());
    assert_eq!(
        single_account(&["111122223333".into(), "111122223333".into()]),
        Some("111122223333".into())
    );
    assert_eq!(
        single_account(&["111122223333".into(), "999988887777".into()]),
        None
    );
}
