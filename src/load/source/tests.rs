//! Unit tests of `load/source.rs`.

use super::*;

fn texts(s: &str) -> Vec<&str> {
    split_lines(s).into_iter().map(|r| &s[r]).collect()
}

#[test]
fn lines_split_at_newline_and_drop_cr() {
    assert_eq!(texts("a\r\nb\nc"), ["a", "b", "c"]);
    assert_eq!(texts("a\n\nb\n"), ["a", "", "b"]);
    assert_eq!(texts(""), Vec::<&str>::new());
    assert_eq!(texts("\n"), [""]);
    assert_eq!(texts("x\r"), ["x"]);
}

#[test]
fn bom_is_skipped_for_lines_and_kept_in_bytes() {
    let bytes = "\u{FEFF}first\nsecond".as_bytes();
    let s = Source::from_bytes("a.txt", bytes).unwrap();
    assert!(s.bom);
    assert_eq!(s.line(1), "first");
    assert_eq!(s.bytes(), bytes);
    assert_eq!(s.size, bytes.len());
}

#[test]
fn blank_lines_are_only_white_space() {
    let s = Source::from_bytes("a.txt", "x\n \u{00A0}\t\ny".as_bytes()).unwrap();
    assert!(!s.is_blank(1));
    assert!(s.is_blank(2));
    assert_eq!(s.non_blank_lines(), 2);
}

#[test]
fn invalid_utf8_reports_the_byte_offset() {
    let d = Source::from_bytes("x/bad.txt", b"ok\nab\xffcd").unwrap_err();
    assert_eq!(
        (d.code, d.file.as_str(), d.line, d.column),
        ("E009", "sources/x/bad.txt", 2, 3)
    );
    assert!(d.message.contains("offset 5"), "{}", d.message);
}

#[test]
fn sha256_is_of_the_exact_bytes() {
    let s = Source::from_bytes("a.txt", b"abc").unwrap();
    assert_eq!(
        s.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn keys_are_id_file_name_and_stem() {
    let mut s = Source::from_bytes("sub/000_ab.txt", b"x").unwrap();
    s.id = "jpost".into();
    assert_eq!(s.keys(), ["000_ab", "000_ab.txt", "jpost"]);
}

#[test]
fn line_char_offsets_count_chars() {
    let s = Source::from_bytes("a.txt", "é\r\nb".as_bytes()).unwrap();
    assert_eq!(s.line_chars, vec![0, 3]);
}

#[test]
fn char_offsets_map_to_bytes_across_lines() {
    let s = Source::from_bytes("a.txt", "\u{FEFF}héllo\r\nwörld\nx".as_bytes()).unwrap();
    let chars: Vec<char> = s.text.chars().collect();
    for a in 0..=chars.len() {
        for b in a..=chars.len() {
            assert_eq!(
                s.char_slice(a, b),
                chars[a..b].iter().collect::<String>(),
                "{a}..{b}"
            );
        }
    }
}

#[test]
fn ids_are_validated() {
    assert!(valid_id("newsmax"));
    assert!(valid_id("0a_b-c"));
    assert!(!valid_id("News"));
    assert!(!valid_id("-x"));
    assert!(!valid_id("a/b"));
    assert!(!valid_id(""));
}

#[test]
fn bug_08_unsafe_stems_are_named() {
    for bad in [
        "",
        ".",
        "..",
        ".hidden",
        "a\u{1}b",
        "a\nb",
        "index.html",
        "_pages",
        "a\\b",
    ] {
        assert!(unsafe_stem(bad).is_some(), "{bad:?}");
    }
    for good in ["000_ab1f", "Reuters 2026", "ünï", "a.b", "index"] {
        assert_eq!(unsafe_stem(good), None, "{good:?}");
    }
}
