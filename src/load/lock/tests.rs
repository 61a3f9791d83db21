//! Unit tests of `citations.lock`: its format, old hash-only entries, the
//! update a build makes, and relocation of moved lines.

use super::*;

fn text(t: &str) -> Entry {
    Entry::Text(t.to_string())
}

#[test]
fn renders_sorted_and_parses_back() {
    let mut lock = Lock::default();
    lock.entries.insert(
        "newsmax".into(),
        [(12, text("b")), (3, text("a \"quoted\" line"))].into(),
    );
    lock.entries.insert(
        "a.b".into(),
        [(1, Entry::Hash("00ff00ff00ff00ff".into()))].into(),
    );
    let rendered = lock.render();
    assert!(rendered.find("L3").unwrap() < rendered.find("L12").unwrap());
    assert!(rendered.contains("[\"a.b\"]"));
    assert!(rendered.contains("L1 = \"00ff00ff00ff00ff\""), "{rendered}");
    assert!(rendered.contains("L12 = { text = \"b\" }"), "{rendered}");
    assert_eq!(Lock::parse(&rendered).unwrap(), lock);
}

#[test]
fn hash_only_entries_still_match() {
    assert_eq!(line_hash("a b").len(), 16);
    assert_ne!(line_hash("a b"), line_hash("a c"));
    assert!(Entry::Hash(line_hash("a b")).matches("a b"));
    assert!(!Entry::Hash(line_hash("a b")).matches("a c"));
    // A text that happens to look like a hash is still a text.
    assert!(text("00ff00ff00ff00ff").matches("00ff00ff00ff00ff"));
}

#[test]
fn updated_adds_drops_migrates_and_never_rewrites() {
    let mut old = Lock::default();
    old.entries.insert(
        "a".into(),
        [
            (1, Entry::Hash(line_hash("one"))),
            (2, text("two")),
            (3, text("three")),
            (4, Entry::Hash(line_hash("four"))),
        ]
        .into(),
    );
    let mut now = Lock::default();
    now.entries.insert(
        "a".into(),
        [
            (1, text("one")),
            (2, text("two changed")),
            (4, text("four!")),
            (5, text("five")),
        ]
        .into(),
    );
    let (next, changes) = old.updated(&now);
    assert_eq!(next.get("a", 1), Some(&text("one")), "migrated");
    assert_eq!(next.get("a", 2), Some(&text("two")), "never rewritten");
    assert_eq!(next.get("a", 3), None, "dropped");
    assert_eq!(next.get("a", 4), Some(&Entry::Hash(line_hash("four"))));
    assert_eq!(next.get("a", 5), Some(&text("five")), "added");
    assert_eq!(changes.added, [("a".to_string(), 5)]);
    assert_eq!(changes.dropped, [("a".to_string(), 3)]);
    assert_eq!(changes.migrated, [("a".to_string(), 1)]);
    assert!(changes.describe().contains("would add a L5"));
    let (again, none) = next.updated(&now);
    assert_eq!(again, next);
    assert!(none.is_empty());
}

#[test]
fn relocate_finds_moved_lines() {
    let s = Source::from_bytes("a.txt", b"new\nnew two\nfirst\nsecond\nthird").unwrap();
    let (a, b) = (text("first"), Entry::Hash(line_hash("second")));
    assert_eq!(relocate(&s, &[Some(&a), Some(&b)]), vec![3]);
    assert_eq!(relocate(&s, &[Some(&text("nowhere"))]), Vec::<usize>::new());
}

#[test]
fn bad_entries_are_e006() {
    for bad in [
        "[x]\nthree = \"a\"\n",
        "[x]\nL1 = 3\n",
        "[x]\nL1 = { txt = \"a\" }\n",
    ] {
        assert_eq!(Lock::parse(bad).unwrap_err().code, "E006", "{bad}");
    }
}

#[test]
fn bug_09_hostile_keys_and_texts_round_trip() {
    let mut lock = Lock::default();
    for key in [
        "a\"b",
        "back\\slash",
        "tab\there",
        "nl\nkey",
        "cr\rkey",
        "nul\u{0}",
        "esc\u{1b}[31m",
        "del\u{7f}",
        "'single'",
        "'''",
        "\"\"\"",
        "ünïcödé 日本",
        "\u{2028}sep",
        "",
        " ",
        "a.b",
        "[x]",
        "# not a comment",
    ] {
        lock.entries
            .insert(key.to_string(), [(1, text(key)), (2, text("}"))].into());
    }
    let rendered = lock.render();
    assert_eq!(Lock::parse(&rendered).unwrap(), lock, "{rendered}");
}

/// The lock as `render` writes it is read without the TOML parser, to the
/// same `Lock`; anything else is left to the TOML parser, which then reads
/// what it always read (or reports the error).
#[test]
fn the_rendered_form_is_read_as_the_toml_parser_reads_it() {
    let mut lock = Lock::default();
    lock.entries.insert(
        "s000001".into(),
        [
            (3, text("Widely minor all meeting part \u{2014} police")),
            (12, text("")),
            (40, Entry::Hash("00ff00ff00ff00ff".into())),
        ]
        .into(),
    );
    lock.entries
        .insert("b_2-x".into(), [(1, text("it's here too"))].into());
    lock.entries.insert("empty".into(), BTreeMap::new());
    let rendered = lock.render();
    assert_eq!(parse_rendered(&rendered), Some(lock.clone()));
    assert_eq!(Lock::parse_toml(&rendered).unwrap(), lock);
    // Unknown escapes, quoted keys, multi-line strings, other spacing,
    // duplicates and errors: TOML's.
    for other in [
        "[a]\nL1 = { text = \"a \\q b\" }\n",
        "[a]\nL1 = { text = \"a \\u12 b\" }\n",
        "[a]\nL1 = { text = \"\"\"x\"\"\" }\n",
        "[a]\nL1 = { text = 'it's' }\n",
        "[\"a.b\"]\nL1 = { text = \"x\" }\n",
        "[a]\nL1 = {text = \"x\"}\n",
        "[a]\r\nL1 = { text = \"x\" }\r\n",
        "[a]\nL3 = { text = \"x\" }\nL03 = { text = \"y\" }\n",
        "[a]\nL1 = { text = \"x\" }\n[a]\nL2 = { text = \"y\" }\n",
        "[a]\nL1 = { text = \"x\" }\n[a]\nL2 = { text = \"y\" }\n[b]\n",
        "[a]\nL1 = { text = \"x\" }\nL1 = { text = \"y\" }\n",
        "L1 = { text = \"x\" }\n",
        "[a]\nL+1 = { text = \"x\" }\n",
        "[a]\nLx = { text = \"x\" }\n",
        "[a]\nL1 = { text = \"x\", more = 1 }\n",
        "[a]\nL1  = { text = \"x\" }\n",
        "[a]\nL1 x = { text = \"x\" }\n",
    ] {
        assert_eq!(parse_rendered(other), None, "{other}");
        assert_eq!(
            Lock::parse(other).map_err(|d| d.message),
            Lock::parse_toml(other).map_err(|d| d.message),
            "{other}"
        );
    }
    // Texts with quotes, tabs and control characters are written with
    // escapes or as literal strings: read alike.
    for (i, t) in [
        "a\tb \"c\"",
        "bell\u{7} del\u{7f} nul\u{0} esc\u{1b} \\ \"",
        "\u{1F600} \u{00A0}",
    ]
    .into_iter()
    .enumerate()
    {
        lock.entries.insert(format!("c{i}"), [(2, text(t))].into());
    }
    let rendered = lock.render();
    assert_eq!(parse_rendered(&rendered), Some(lock.clone()), "{rendered}");
    assert_eq!(Lock::parse_toml(&rendered).unwrap(), lock);
    // Both kinds of quote: a string in triple quotes, read by TOML.
    lock.entries
        .insert("d".into(), [(1, text("back\\slash 'and' \"both\""))].into());
    let rendered = lock.render();
    assert_eq!(parse_rendered(&rendered), None, "{rendered}");
    assert_eq!(Lock::parse(&rendered).unwrap(), lock);
}

#[test]
fn a_string_is_taken_whole_exactly_when_no_char_needs_a_look() {
    let by_chars = |s: &str, marks: [char; 2]| {
        !s.contains(|c: char| marks.contains(&c) || (c.is_control() && c != '\t'))
    };
    let pieces = [
        "a", "\t", "\n", "\u{7f}", "\u{85}", "\u{9f}", "\u{a0}", "é", "\\", "\"", "'", "—",
    ];
    for s in crate::text::every_mix(&pieces, 3) {
        let s = s.as_str();
        assert_eq!(
            takes_whole(s, [b'\\', b'"']),
            by_chars(s, ['\\', '"']),
            "{s:?}"
        );
        assert_eq!(
            takes_whole(s, [b'\'', b'\'']),
            by_chars(s, ['\'', '\'']),
            "{s:?}"
        );
    }
}
