//! Unit tests of `load/body.rs`.

use super::*;
use crate::load::markdown::parse_pieces;

fn html(md: &str) -> Html {
    let p = parse_pieces("content/t.md", md, 0);
    render(p.pieces, p.groups.len(), &p.footnotes)
}

fn joined(h: &Html) -> String {
    h.segments
        .iter()
        .map(|s| {
            if let Segment::Html(x) = s {
                x.as_str()
            } else {
                "{shortcode}"
            }
        })
        .collect()
}

#[test]
fn notes_are_numbered_by_first_reference() {
    let h = html("A[^x] b [@a:1] c[^x] d [@a:2].\n\n[^x]: Editorial.\n");
    let kinds: Vec<String> = h
        .notes
        .iter()
        .map(|n| format!("{}:{:?}:{}", n.number, n.kind, n.refs))
        .collect();
    assert_eq!(
        kinds,
        ["1:Editorial(\"x\"):2", "2:Cite(0):1", "3:Cite(1):1"]
    );
    assert_eq!(h.group_note, vec![2, 3]);
    let body = joined(&h);
    assert!(
        body.contains("id=\"r-1\"") && body.contains("id=\"r-1-2\"") && body.contains("id=\"r-3\""),
        "{body}"
    );
    assert_eq!(h.footnotes["x"], "<p>Editorial.</p>\n");
}

#[test]
fn heading_ids_are_unique_and_avoid_note_ids() {
    let mut ids = Ids::new();
    assert_eq!(ids.claim("What was agreed"), "what-was-agreed");
    assert_eq!(ids.claim("What was agreed"), "what-was-agreed-2");
    assert_eq!(ids.claim("N 3"), "section-n-3");
    assert_eq!(ids.claim("Notes"), "notes");
    assert_eq!(ids.claim(""), "section");
}

#[test]
fn bug_24_heading_ids_skip_taken_suffixes_like_one_at_a_time() {
    let mut ids = Ids::new();
    let got: Vec<String> = ["Same 2", "Same", "Same", "Same", "Same 3", "Same"]
        .iter()
        .map(|t| ids.claim(t))
        .collect();
    assert_eq!(
        got,
        ["same-2", "same", "same-3", "same-4", "same-3-2", "same-5"]
    );
    let mut ids = Ids::new();
    let many: Vec<String> = (0..20_000).map(|_| ids.claim("Same")).collect();
    assert_eq!(many[0], "same");
    assert_eq!(many[19_999], "same-20000");
}

#[test]
fn bug_17_tag_depth_counts_open_elements() {
    let mut depth = 0;
    let html = b"<div><p>a<br>b<img src=x/><span>c</span></p><!-- <x> --><hr></div><ul><li>";
    assert_eq!(tag_depth(html, &mut depth), 3);
    assert_eq!(depth, 2);
    let deep = "<blockquote>".repeat(3000);
    let mut depth = 1;
    assert_eq!(tag_depth(deep.as_bytes(), &mut depth), 3001);
    assert_eq!(tag_depth(b"</a></b></c>", &mut 1), 1);
}

#[test]
fn markers_link_to_notes() {
    assert_eq!(
        marker(3, 1),
        "<sup class=\"note-ref\" id=\"r-3\"><a href=\"#n-3\" role=\"doc-noteref\" aria-label=\"Note 3\">3</a></sup>"
    );
    assert!(marker(4, 2).contains("id=\"r-4-2\""));
}

#[test]
fn toc_lists_h2_with_trimmed_text() {
    let h = html("# Title\n\n## Who signed [@a:1]\n\n## Who signed\n");
    assert_eq!(
        h.toc,
        [
            TocEntry {
                id: "who-signed".into(),
                text: "Who signed".into()
            },
            TocEntry {
                id: "who-signed-2".into(),
                text: "Who signed".into()
            }
        ]
    );
}

#[test]
fn shortcodes_split_the_body() {
    let h = html("Before.\n\n{{ claims() }}\n\nAfter.\n");
    assert_eq!(h.segments.len(), 3);
    assert!(matches!(
        h.segments[1],
        Segment::Shortcode(Shortcode::Claims, _)
    ));
}

#[test]
fn tables_are_wrapped_and_code_highlighted() {
    let h = html("| a |\n|---|\n| b |\n\n```toml\nx = 1\n```\n");
    let body = joined(&h);
    assert!(body.contains("<div class=\"table-wrap\""), "{body}");
    assert!(body.contains("class=\"syn-"), "{body}");
    assert!(h.has_code);
}

#[test]
fn a_note_s_marker_links_its_note_and_names_its_use() {
    assert_eq!(ref_id(3, 1), "r-3");
    assert_eq!(ref_id(3, 2), "r-3-2");
    assert_eq!(
        marker(12, 2),
        "<sup class=\"note-ref\" id=\"r-12-2\"><a href=\"#n-12\" role=\"doc-noteref\" \
         aria-label=\"Note 12\">12</a></sup>"
    );
}
