//! Unit tests of `editor/fix.rs`.

use super::*;

fn fix(span: std::ops::Range<usize>, old: &str, new: &str) -> Fix {
    Fix {
        file: "content/a.md".into(),
        key: "k".into(),
        span,
        old: old.into(),
        new: new.into(),
    }
}

#[test]
fn only_the_numbers_change() {
    let text = "A [@k:3 \"x\"] and [@k:10-11].\n";
    let at = text.find('3').unwrap();
    let a = fix(at..at + 1, "3", "5");
    let at = text.find("10-11").unwrap();
    let b = fix(at..at + 5, "10-11", "12-13");
    assert_eq!(
        rewrite(text, &[&a, &b]).unwrap(),
        "A [@k:5 \"x\"] and [@k:12-13].\n"
    );
}

#[test]
fn stale_spans_are_refused() {
    assert!(rewrite("A [@k:4]", &[&fix(5..6, "3", "5")]).is_err());
}

#[test]
fn bug_06_toml_strings_decode_with_the_bytes_of_each_char() {
    let decoded = |raw: &str| -> Option<String> {
        decode_toml_string(raw).map(|cs| cs.iter().map(|(c, _)| *c).collect())
    };
    assert_eq!(decoded(r#""a\u003a2""#).as_deref(), Some("a:2"));
    assert_eq!(decoded(r#""\U0001F600\t""#).as_deref(), Some("\u{1F600}\t"));
    assert_eq!(decoded("'''\r\na\\u'''").as_deref(), Some("a\\u"));
    assert_eq!(decoded("\"\"\"a\\  \n  b\"\"\"").as_deref(), Some("ab"));
    let cs = decode_toml_string(r#""a\u003a2""#).unwrap();
    assert_eq!(cs[1].1, 2..8);
    for bad in [r#""\q""#, r#""\u12""#, r#""\ud800""#, "x", r#""a\ b""#] {
        assert_eq!(decoded(bad), None, "{bad}");
    }
}

#[test]
fn bug_06_a_cite_that_is_not_a_string_is_refused() {
    let text = "[[delegation]]\nid = \"us\"\ncite = [\"a:3\"]\nn = 3\n";
    let at = text.find("n = 3").unwrap() + 4;
    let f = Fix {
        file: "content/delegations.toml".into(),
        key: "a".into(),
        span: at..at + 1,
        old: "3".into(),
        new: "5".into(),
    };
    let e = rewrite_toml(text, &[&f]).unwrap_err().to_string();
    assert!(e.contains("cannot rewrite this cite automatically"), "{e}");
    let at = text.find("a:3").unwrap();
    let f = Fix {
        key: "b".into(),
        span: at + 2..at + 3,
        ..f
    };
    let e = rewrite_toml(text, &[&f]).unwrap_err().to_string();
    assert!(e.contains("cannot rewrite this cite automatically"), "{e}");
    let f = Fix {
        key: "a".into(),
        ..f
    };
    assert_eq!(
        rewrite_toml(text, &[&f]).unwrap(),
        (text.replace("a:3", "a:5"), vec!["3".to_string()])
    );
}

#[cfg(unix)]
#[test]
fn fixes_never_write_through_a_symbolic_link() {
    let site = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("d.toml");
    fs::write(&target, "cite = [\"a:3\"]\n").unwrap();
    fs::create_dir(site.path().join("content")).unwrap();
    std::os::unix::fs::symlink(&target, site.path().join("content/delegations.toml")).unwrap();
    let text = fs::read_to_string(&target).unwrap();
    let at = text.find("a:3").unwrap();
    let d = Diagnostic::file("E008", "content/delegations.toml", "x").with_fix(Fix {
        file: "content/delegations.toml".into(),
        key: "a".into(),
        span: at + 1..at + 3,
        old: ":3".into(),
        new: "5".into(),
    });
    let e = apply(site.path(), &[d], false).unwrap_err().to_string();
    assert!(e.contains("symbolic link"), "{e}");
    assert_eq!(fs::read_to_string(&target).unwrap(), text);
}

#[test]
fn report_line_format() {
    let a = Applied {
        file: "content/x.md".into(),
        line: 12,
        key: "newsmax".into(),
        old: "3".into(),
        new: "5".into(),
    };
    assert_eq!(a.to_string(), "content/x.md:12: newsmax:3 -> newsmax:5");
}
