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

/// `scan` takes the groups a pass lifted out of its runs as they are; on
/// bodies where the parser splits, swallows or hides groups, that gives the
/// same groups as parsing every one on the whole body.
#[test]
fn scan_with_the_lifted_groups_matches_parsing_each_again() {
    let bodies = [
        "Claim one [@a:3 \"says ``hello\"]. Claim two [@a:2 \"Alice\"]. Tail`` end.\n",
        "Said [@a:1 \"says *hello* to [everyone](x) <b>now\"] it.\n\nA `[@a:9]` in code.\n",
        "Inline <span title=\"[@a:1]\">x</span> here [@a:2].\n\n<!-- [@a:9] -->\n",
        "A [link](https://example.org \"[@a:1]\") there [@a:2 \"x\"].\n\n[r]: https://example.org \"[@a:1]\"\n",
        "*Alice [@a:1 \"says hello\"]* and **Bob [@a:2 \"Bob\"] agreed** and _x [@a:1 \"Alice*\"]_.\n",
        "See [the statement [@a:1 \"says hello\"] here](https://example.org) and ![pic [@a:2]](p.png).\n",
        "Open [@a:1 \"never closed. Next [@a:2 \"y\"] and [@a:3].\n",
        "Curly [@a:1 “a \"straight\" one ’ …”; @b:2-3 \"esc \\\"q\\\" \\\\x\"] end.\n",
        "Wrapped [@a:1-2 \"first\nsecond\"] and\n[@a:3\n\"x\"] across lines.\n",
        "| cell [@a:1 \"x | y\"] | z |\n|---|---|\n| [@a:2] | w |\n",
        "Bad [@a:x] then [@a:1 \"\"] then [@a:2 \"`code\"] then `x` [@a:3].\n",
        "\\[@a:1] escaped, [@a:2][@a:3] adjacent, <https://x.org/[@a:4]> autolink.\n",
    ];
    for md in bodies {
        // The first pass, then one over the text with its groups masked.
        let mut seen = md.to_string();
        for _ in 0..2 {
            let (_, saw) = pass("content/t.md", md, &seen, 0);
            let lifted = scan(md, 0, &saw.code, &saw.groups);
            let parsed = scan(md, 0, &saw.code, &BTreeMap::new());
            assert_eq!(lifted, parsed, "{md:?}");
            let spans: Vec<_> = parsed.iter().filter_map(|(_, g)| g.clone()).collect();
            seen = mask(md, &spans);
        }
        let b = body(md);
        assert!(b.groups.len() + b.errors.len() > 0, "{md:?}");
    }
}
