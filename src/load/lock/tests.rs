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
