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
        let Found::Hits(hits) = run(root, words, None).unwrap() else {
            panic!("`{words}` not found");
        };
        let parts_of = text::normalize_str(words);
        let parts = text::quote_parts(&parts_of);
        let whole: Vec<Hit> = all.iter().flat_map(|s| in_source(s, &parts)).collect();
        assert_eq!(hits, whole, "{words}");
    }
    let words = "guarantor nations were elsewhere";
    let Found::Near(near_hits) = run(root, words, None).unwrap() else {
        panic!("`{words}` found");
    };
    assert!(!near_hits.is_empty());
    assert_eq!(near_hits, near(&all, &text::normalize_str(words)));
    let Found::Hits(hits) = run(root, "were there", Some("c")).unwrap() else {
        panic!("not found in c");
    };
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].location, "sources/c.txt:1");
}
