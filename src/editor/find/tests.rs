//! Unit tests of `find`: matching, citations cut from the source, ranges,
//! near misses, and the reading of sources one at a time.

use super::*;

fn source(text: &str) -> Source {
    let mut s = Source::from_bytes("rhc.txt", text.as_bytes()).unwrap();
    s.id = "rhc".into();
    s
}

fn find(s: &Source, words: &str) -> Vec<Hit> {
    let normalized = text::normalize_str(words);
    in_source(s, &text::quote_parts(&normalized))
}

#[test]
fn a_normalized_match_is_cut_in_the_source_s_characters() {
    let s = source("first\nthe \u{201C}guarantor\u{201D}  countries\u{2014}were represented.\n");
    let hits = find(&s, "\"guarantor\" countries-were");
    assert_eq!(
        hits,
        [Hit {
            location: "sources/rhc.txt:2".into(),
            citation: "[@rhc:2 \"\u{201C}guarantor\u{201D}  countries\u{2014}were\"]".into()
        }]
    );
}

#[test]
fn elisions_keep_the_parts_apart_and_quote_marks_are_escaped() {
    let s = source("He said \"no\" and then, after a pause, left.\n");
    let hits = find(&s, "said \"no\" ... left");
    assert_eq!(hits[0].citation, "[@rhc:1 \"said \\\"no\\\" … left\"]");
}

#[test]
fn words_across_two_lines_are_a_range() {
    let s = source("the guarantor countries\nwere represented\n\nwere represented again\n");
    let hits = find(&s, "countries were represented");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].location, "sources/rhc.txt:1-2");
    assert_eq!(
        hits[0].citation,
        "[@rhc:1-2 \"countries were represented\"]"
    );
    // Words on one line are that line, not also a range with the next.
    assert_eq!(find(&s, "were represented").len(), 2);
}

#[test]
fn no_match_gives_the_closest_passages() {
    let s = source("nothing here\nthe guarantor countries were represented today\n");
    assert!(find(&s, "guarantor nations were represented").is_empty());
    let near = near(&[s], "guarantor nations were represented");
    assert_eq!(near[0].hit.location, "sources/rhc.txt:2");
    assert_eq!(
        near[0].diff,
        "guarantor [-nations-] {+countries+} were represented"
    );
}

/// `run` reads each source once, skips it on its bytes when a word is
/// missing and reads the best few again when nothing matches: it finds
/// what the search over sources held in memory finds, through byte-order
/// marks, CRLF line ends, typographic characters, line breaks, bytes
/// that are not UTF-8 and manifest ids.
#[test]
fn reading_one_source_at_a_time_finds_what_the_whole_search_finds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let cache = root.join("cache/find");
    std::fs::create_dir(root.join("sources")).unwrap();
    std::fs::write(root.join("site.toml"), "title = \"T\"\n").unwrap();
    let files: [(&str, &[u8]); 4] = [
        (
            "a.txt",
            "\u{FEFF}The \u{201C}guarantor\u{201D}\r\ncountries\u{2014}were\u{00A0}there.\r\n"
                .as_bytes(),
        ),
        (
            "b.txt",
            b"guarantor countries were not there\nbut others were\n",
        ),
        ("c.txt", b"bad \xFF byte, guarantor countries were there\n"),
        ("d/e.txt", b"nothing of the kind\n"),
    ];
    std::fs::create_dir(root.join("sources/d")).unwrap();
    for (name, bytes) in files {
        std::fs::write(root.join("sources").join(name), bytes).unwrap();
    }
    std::fs::write(
        root.join(source::MANIFEST),
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n",
    )
    .unwrap();
    let mut all: Vec<Source> = files
        .iter()
        .map(|(name, bytes)| Source::for_lookup(name, bytes.to_vec()))
        .collect();
    let manifest =
        Manifest::parse(std::fs::read_to_string(root.join(source::MANIFEST)).unwrap()).unwrap();
    source::apply_manifest(&mut all, Some(&manifest), &mut Vec::new());
    assert_eq!(all[0].id, "alpha");
    for words in [
        "\"guarantor\" countries-were there",
        "guarantor countries were",
        "countries were ... there",
        "were there",
        "byte, guarantor",
        "the kind",
    ] {
        let Found::Hits(hits) = search(root, words, None, None).unwrap() else {
            panic!("`{words}` not found");
        };
        // The same through the line index, written on the first search
        // and read on the second.
        for _ in 0..2 {
            let Found::Hits(indexed) = search(root, words, None, Some(&cache)).unwrap() else {
                panic!("`{words}` not found with the index");
            };
            assert_eq!(indexed, hits, "{words}");
        }
        let parts_of = text::normalize_str(words);
        let parts = text::quote_parts(&parts_of);
        let whole: Vec<Hit> = all.iter().flat_map(|s| in_source(s, &parts)).collect();
        assert_eq!(hits, whole, "{words}");
    }
    let words = "guarantor nations were elsewhere";
    let Found::Near(near_hits) = search(root, words, None, None).unwrap() else {
        panic!("`{words}` found");
    };
    assert!(!near_hits.is_empty());
    assert_eq!(near_hits, near(&all, &text::normalize_str(words)));
    let Found::Near(indexed) = search(root, words, None, Some(&cache)).unwrap() else {
        panic!("`{words}` found with the index");
    };
    assert_eq!(indexed, near_hits);
    let Found::Hits(hits) = search(root, "were there", Some("c"), None).unwrap() else {
        panic!("not found in c");
    };
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].location, "sources/c.txt:1");
}

/// A site of `files` (path below `sources/`, text) whose files were last
/// modified an hour ago, and the path of its index.
fn aged_site(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sources")).unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
    for (name, text) in files {
        age(&dir.path().join("sources").join(name), text);
    }
    let cache = dir.path().join("cache/find");
    (dir, cache)
}

/// Writes `text` to `path` and sets its modification time an hour back.
fn age(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(hour_ago).unwrap();
}

fn texts(root: &Path, cache: Option<&Path>) -> (Vec<String>, index::Corpus) {
    let files = crate::load::files_with_ext(&root.join("sources"), "txt").unwrap();
    let corpus = index::load(&files, &root.join(source::MANIFEST), cache).unwrap();
    let texts = (0..corpus.len())
        .map(|i| String::from_utf8(corpus.text(i).to_vec()).unwrap())
        .collect();
    (texts, corpus)
}

fn hits(root: &Path, words: &str, cache: &Path) -> Vec<String> {
    match search(root, words, None, Some(cache)).unwrap() {
        Found::Hits(hits) => hits.into_iter().map(|h| h.citation).collect(),
        Found::Near(_) => Vec::new(),
    }
}

/// The index is written once, used while the files keep their size and
/// time, and a file whose size changes is read again.
#[test]
fn the_index_is_used_until_a_file_changes() {
    let (dir, cache) = aged_site(&[("a.txt", "one line\n"), ("b.txt", "the harbour\n")]);
    let root = dir.path();
    let (first, corpus) = texts(root, Some(&cache));
    assert!(corpus.stale(), "no index yet");
    assert_eq!(hits(root, "harbour", &cache), ["[@b:1 \"harbour\"]"]);
    let (second, corpus) = texts(root, Some(&cache));
    assert!(!corpus.stale(), "the index is current");
    assert_eq!(first, second);
    assert_eq!(
        corpus.ids.as_deref(),
        Some(&["a".to_string(), "b".into()][..])
    );
    // The sources' text is taken from the index: changed there (same
    // length), it is what a search sees.
    corrupt(&cache, b"the harbour", b"the harpoon");
    assert_eq!(texts(root, Some(&cache)).0[1], "the harpoon\n");
    // Rewritten with the same size and its old modification time: the
    // status-change time gives it away (on Unix), and it is read again.
    let b = root.join("sources/b.txt");
    let stamp = std::fs::metadata(&b).unwrap().modified().unwrap();
    std::fs::write(&b, "the harness\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    if cfg!(unix) {
        assert_eq!(texts(root, Some(&cache)).0[1], "the harness\n");
    }
    // A new size: read again, and the index rewritten.
    age(&b, "the harbour moved\n");
    assert_eq!(
        hits(root, "harbour moved", &cache),
        ["[@b:1 \"harbour moved\"]"]
    );
    let (again, corpus) = texts(root, Some(&cache));
    assert_eq!(again[1], "the harbour moved\n");
    assert!(!corpus.stale());
}

/// A file modified just before the index was made is read again, even with
/// its size and time unchanged: it may have changed in the same tick.
#[test]
fn a_file_modified_as_the_index_was_made_is_not_believed() {
    let (dir, cache) = aged_site(&[("a.txt", "first text\n")]);
    let root = dir.path();
    std::fs::write(root.join("sources/a.txt"), "fresh text\n").unwrap();
    assert_eq!(hits(root, "fresh", &cache), ["[@a:1 \"fresh\"]"]);
    // The index's copy differs, its stamp is the file's: the file was
    // modified too close to the index's making to be believed.
    corrupt(&cache, b"fresh text", b"stale text");
    assert_eq!(texts(root, Some(&cache)).0[0], "fresh text\n");
}

/// Replaces `from` by `to` (as long) in the index file at `cache`.
fn corrupt(cache: &Path, from: &[u8], to: &[u8]) {
    let mut bytes = std::fs::read(cache).unwrap();
    let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
    bytes[at..at + to.len()].copy_from_slice(to);
    std::fs::write(cache, &bytes).unwrap();
}

/// Ids come from the index only for the manifest it was made with.
#[test]
fn a_changed_manifest_gives_new_ids() {
    let (dir, cache) = aged_site(&[("a.txt", "the harbour\n")]);
    let root = dir.path();
    assert_eq!(hits(root, "harbour", &cache), ["[@a:1 \"harbour\"]"]);
    let manifest = root.join(source::MANIFEST);
    age(&manifest, "[[source]]\nfile = \"a.txt\"\nid = \"port\"\n");
    assert_eq!(hits(root, "harbour", &cache), ["[@port:1 \"harbour\"]"]);
    age(&manifest, "[[source]]\nfile = \"a.txt\"\nid = \"quay\"\n");
    assert_eq!(hits(root, "harbour", &cache), ["[@quay:1 \"harbour\"]"]);
    std::fs::remove_file(&manifest).unwrap();
    assert_eq!(hits(root, "harbour", &cache), ["[@a:1 \"harbour\"]"]);
}

/// An index that is damaged, foreign, truncated at any byte or claims
/// huge lengths is ignored and written again; one that cannot be written
/// costs nothing but time.
#[test]
fn a_damaged_or_unwritable_index_is_ignored() {
    let (dir, cache) = aged_site(&[("a.txt", "the harbour\n"), ("b.txt", "a quay\n")]);
    let root = dir.path();
    assert_eq!(hits(root, "harbour", &cache), ["[@a:1 \"harbour\"]"]);
    let good = std::fs::read(&cache).unwrap();
    let mut damaged: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
    damaged.push(b"not an index".to_vec());
    // The first entry's path length (after the time made, the manifest's
    // absent stamp and the number of entries) said to be huge.
    let mut huge = good.clone();
    let at = index::MAGIC.len() + 8 + 1 + 8;
    assert_eq!(good[at..at + 8], 5u64.to_le_bytes(), "`a.txt`");
    huge[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    damaged.push(huge);
    for bytes in damaged {
        std::fs::write(&cache, &bytes).unwrap();
        let (texts, corpus) = texts(root, Some(&cache));
        assert_eq!(texts, ["the harbour\n", "a quay\n"]);
        assert!(corpus.stale());
    }
    assert_eq!(hits(root, "quay", &cache), ["[@b:1 \"quay\"]"]);
    assert!(!texts(root, Some(&cache)).1.stale(), "written again");
    // A cache folder that is a file: nothing written, the same answer.
    let blocked = root.join("site.toml").join("find");
    assert_eq!(hits(root, "quay", &blocked), ["[@b:1 \"quay\"]"]);
}
