use super::*;

#[test]
fn positions_count_chars_and_utf16() {
    let map = SourceMap::new();
    let f = map.add("a.tf".into(), "a.tf".into(), "ab\n😀x = 1\n".into());
    let x = f.text.find('x').unwrap() as u32;
    let p = f.position(x);
    assert_eq!((p.line, p.col, p.col16), (2, 2, 3));
    assert_eq!(f.line_text(2), "😀x = 1");
    assert_eq!(f.offset_of_line_char(2, 1), x as usize);
    assert_eq!(f.line_of(x), 2);
    assert_eq!(f.line_of(0), 1);
}

#[test]
fn columns_on_very_long_lines_use_checkpoints() {
    let map = SourceMap::new();
    let mut text = String::from("{\n");
    for i in 0..5000 {
        text.push_str(if i % 7 == 0 { "é😀," } else { "abc," });
    }
    let target = text.len();
    text.push_str("X}");
    let f = map.add("p.json".into(), "p.json".into(), text.clone());
    let p = f.position(target as u32);
    let prefix = &text[2..target];
    assert_eq!(p.line, 2);
    assert_eq!(p.col as usize, prefix.chars().count() + 1);
    assert_eq!(p.col16 as usize, prefix.encode_utf16().count() + 1);
}

#[test]
fn files_of_every_size_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    for size in [
        0usize,
        1,
        550,
        64 * 1024 - 1,
        64 * 1024,
        64 * 1024 + 1,
        300_000,
    ] {
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let p = dir.path().join(format!("f{size}"));
        std::fs::write(&p, &bytes).unwrap();
        // Twice: the per-thread buffer must not leak one file into the next.
        assert_eq!(read_file(&p).unwrap(), bytes, "size {size}");
        assert_eq!(read_file(&p).unwrap(), bytes, "size {size}");
    }
    assert!(read_file(&dir.path().join("missing")).is_err());
}
