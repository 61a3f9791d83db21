//! Unit tests of `load/markdown.rs`.

use super::*;

fn body(md: &str) -> Pieces {
    parse_pieces("content/t.md", md, 0)
}

fn texts(b: &Pieces) -> String {
    b.pieces
        .iter()
        .map(|p| match p {
            Piece::Event(Event::Text(t)) => t.to_string(),
            Piece::Cite(i) => format!("<{i}>"),
            Piece::FootnoteRef(l) => format!("[^{l}]"),
            Piece::Shortcode(s, _) => format!("{{{s:?}}}"),
            _ => String::new(),
        })
        .collect()
}

#[test]
fn groups_are_lifted_out_of_text() {
    let b =
        body("The US will supervise it [@newsmax:3 \"will supervise\"]. Then more [@jpost:2].\n");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(b.groups.len(), 2);
    assert_eq!(texts(&b), "The US will supervise it<0>. Then more<1>.");
    assert_eq!(&*b.groups[0].claim, "The US will supervise it");
    assert_eq!(&*b.groups[1].claim, "Then more");
}

#[test]
fn no_space_or_line_break_before_a_marker() {
    let b = body("A claim\n[@a:1] and   [@a:2] end.\n");
    assert_eq!(texts(&b), "A claim<0> and<1> end.");
}

#[test]
fn spans_are_file_offsets() {
    let md = "+++\ntitle = \"x\"\n+++\nText [@a:1].\n";
    let at = md.find("[@").unwrap();
    let b = parse_pieces("content/t.md", md, md.find("Text").unwrap());
    assert_eq!(b.groups[0].group.span, at..at + 6);
}

#[test]
fn nothing_is_a_citation_in_code() {
    let b = body("Use `[@a:1]` like this:\n\n```\n[@a:2 \"x\"]\n{{ claims() }}\n```\n");
    assert!(b.groups.is_empty());
    assert!(b.errors.is_empty());
    assert!(!b.pieces.iter().any(|p| matches!(p, Piece::Shortcode(..))));
}

#[test]
fn escaped_and_handle_brackets_stay_text() {
    let b = body("Write \\[@a:1] or ask [@someone].\n");
    assert!(b.groups.is_empty(), "{:?}", b.groups);
    assert!(b.errors.is_empty());
    assert_eq!(texts(&b), "Write [@a:1] or ask [@someone].");
}

#[test]
fn claim_starts_at_block_start() {
    let b = body("# Heading [@a:1]\n\n- item one [@a:2]\n- item two [@a:3]\n\n| x | y |\n|---|---|\n| cell [@a:4] | z |\n");
    let claims: Vec<_> = b.groups.iter().map(|g| &*g.claim).collect();
    assert_eq!(claims, ["Heading", "item one", "item two", "cell"]);
}

#[test]
fn quote_with_smart_punctuation_and_wrap() {
    let b = body("He said so [@a:1-2 \"it's a \\\"deal\\\"\nnow\"] today.\n");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(
        b.groups[0].group.citations[0].quote.as_deref(),
        Some("it's a \"deal\"\nnow")
    );
    assert_eq!(texts(&b), "He said so<0> today.");
}

#[test]
fn malformed_group_is_e004_with_position() {
    let md = "Line one.\n\nBad [@newsmax:x] here.\n";
    let b = body(md);
    assert_eq!(b.errors.len(), 1);
    let e = &b.errors[0];
    assert_eq!((e.code, e.line, e.column), ("E004", 3, 15));
}

#[test]
fn footnotes_are_collected_and_referenced() {
    let b = body("Claim[^one] and again[^one].\n\n[^one]: An editorial note.\n");
    let refs = b
        .pieces
        .iter()
        .filter(|p| matches!(p, Piece::FootnoteRef(l) if l == "one"))
        .count();
    assert_eq!(refs, 2);
    assert!(b.footnotes.contains_key("one"));
}

#[test]
fn citation_in_footnote_is_e004() {
    let b = body("Claim[^n].\n\n[^n]: See [@a:1].\n");
    assert_eq!(b.errors.len(), 1);
    assert_eq!(b.errors[0].code, "E004");
}

#[test]
fn shortcodes() {
    let b = body("{{ delegations() }}\n\n{{ delegation(id=\"israel\") }}\n\n{{ claims() }}\n");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(
        texts(&b),
        "{Delegations}{Delegation { id: \"israel\" }}{Claims}"
    );
}

#[test]
fn unknown_shortcode_is_e004_at_its_start() {
    let b = body("Intro.\n\n  {{ rosters() }}\n\n{{ delegation(name=\"x\") }}\n");
    let pos: Vec<_> = b
        .errors
        .iter()
        .map(|e| (e.code, e.line, e.column))
        .collect();
    assert_eq!(pos, [("E004", 3, 3), ("E004", 5, 1)]);
    assert!(b.errors[0].message.contains("unknown shortcode `rosters`"));
}

#[test]
fn inline_braces_are_text() {
    let b = body("Templates use {{ x }} braces.\n");
    assert!(b.errors.is_empty());
    assert!(texts(&b).contains("{{ x }}"));
}
