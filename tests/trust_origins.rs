//! Trust (issue 12): corroboration counted in origins, quotations in the
//! editor's text verified (E015), `via` checked (E001, E017), and notes
//! that show what the source printed and who is speaking.

mod common;

use common::*;
use explainer::Diagnostic;

const PAGE: &str = "content/_index.md";
const MANIFEST: &str = "sources/sources.toml";

fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

/// Three sources: `wire` reports, `copy` retells it, `other` reports on its own.
fn three(manifest_extra: &str, body: &str) -> Site {
    let manifest = format!(
        "[[source]]\nfile = \"wire.txt\"\nid = \"wire\"\npublisher = \"Wire\"\n\n\
         [[source]]\nfile = \"copy.txt\"\nid = \"copy\"\npublisher = \"Copy Daily\"\nvia = [\"wire\"]\n\n\
         [[source]]\nfile = \"other.txt\"\nid = \"other\"\npublisher = \"Other Times\"\n{manifest_extra}"
    );
    Site::new(&[
        ("site.toml", "title = \"T\"\n".to_string()),
        (
            "sources/wire.txt",
            "The harbour will reopen in March.\nA second line.\n".to_string(),
        ),
        (
            "sources/copy.txt",
            "As Wire reported, the harbour will reopen in March.\n".to_string(),
        ),
        (
            "sources/other.txt",
            "Officials said the harbour will reopen in March.\n".to_string(),
        ),
        ("sources/sources.toml", manifest),
        (PAGE, page(body)),
    ])
}

#[test]
fn two_copies_of_one_report_are_a_single_origin_and_two_outlets_are_not() {
    let site = three(
        "",
        "The harbour reopens [@wire:1 \"will reopen\"; @copy:1 \"will reopen\"].\n\n\
         It reopens in March [@wire:1 \"in March\"; @other:1 \"in March\"].\n",
    );
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let claims = parse_file(&tmp.path().join("claims/index.html"));
    let items = select(&claims, "ol.claims-list > li");
    assert_eq!(items.len(), 2);
    let first = text(items[0]);
    assert!(attr(items[0], "class").contains("single-origin"), "{first}");
    assert!(first.contains("Single origin"), "{first}");
    assert!(first.contains("2 sources cited"), "{first}");
    let second = text(items[1]);
    assert!(
        !attr(items[1], "class").contains("single-origin"),
        "{second}"
    );
    assert!(second.contains("2 origins"), "{second}");
    let dek = text(one(&claims, ".dek"));
    assert!(dek.contains("1 rests on a single origin"), "{dek}");
    // The matrix groups the copy under its origin.
    let groups: Vec<String> = select(&claims, "tr.origin-groups th")
        .into_iter()
        .map(|g| squash(&text(g)))
        .collect();
    assert_eq!(groups, ["Origin: Wire (2 sources)", "Origin: Other Times"]);
    // Provenance pages say who retells whom.
    let meta = |id: &str, term: &str| {
        let html = parse_file(&tmp.path().join(format!("sources/{id}/index.html")));
        select(&html, "dl.source-meta > div")
            .into_iter()
            .find(|d| text(one_in(*d, "dt")) == term)
            .map(|d| squash(&text(one_in(d, "dd"))))
    };
    assert_eq!(meta("wire", "Retold by").as_deref(), Some("Copy Daily"));
    assert_eq!(
        meta("copy", "Retells").as_deref(),
        Some("Wire (a second-hand report)")
    );
    assert_eq!(meta("other", "Retells"), None);
}

#[test]
fn sources_sharing_an_outside_origin_are_one_origin() {
    let site = three(
        "origin = \"EFE\"\n",
        "It reopens [@other:1 \"will reopen\"].\n",
    );
    let manifest = site.read(MANIFEST).replace(
        "publisher = \"Wire\"\n",
        "publisher = \"Wire\"\norigin = \"EFE\"\n",
    );
    site.write(MANIFEST, manifest);
    site.write(
        PAGE,
        page("It reopens [@wire:1 \"will reopen\"; @other:1 \"will reopen\"].\n"),
    );
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let claims = parse_file(&tmp.path().join("claims/index.html"));
    let item = one(&claims, "ol.claims-list > li");
    assert!(
        attr(item, "class").contains("single-origin"),
        "{}",
        text(item)
    );
    assert!(text(item).contains("EFE"));
}

#[test]
fn a_claim_naming_its_outlet_is_attributed() {
    let site = three(
        "",
        "Other Times says the harbour reopens [@other:1 \"will reopen\"].\n\nThe harbour reopens [@wire:1 \"will reopen\"].\n",
    );
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let claims = parse_file(&tmp.path().join("claims/index.html"));
    let items = select(&claims, "ol.claims-list > li");
    assert!(attr(items[0], "class").contains("attributed"));
    assert!(!attr(items[1], "class").contains("attributed"));
    let dek = squash(&text(one(&claims, ".dek")));
    assert!(dek.contains("1 names the outlet"), "{dek}");
    assert!(
        dek.contains("1 rests on a single origin without naming it"),
        "{dek}"
    );
}

#[test]
fn a_claim_naming_its_outlet_by_label_is_attributed() {
    // "Other Times" has no publisher here, only the label a reader is given.
    let site = three(
        "",
        "Desk B says the harbour reopens [@other:1 \"will reopen\"].\n",
    );
    site.replace(
        "sources/sources.toml",
        "id = \"other\"\npublisher = \"Other Times\"\n",
        "id = \"other\"\nlabel = \"Desk B\"\n",
    );
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let claims = parse_file(&tmp.path().join("claims/index.html"));
    let item = one(&claims, "ol.claims-list > li");
    assert!(attr(item, "class").contains("attributed"), "{}", text(item));
    let dek = squash(&text(one(&claims, ".dek")));
    assert!(dek.contains("1 names the outlet"), "{dek}");
}

#[test]
fn notes_show_the_source_s_dashes_and_quotation_marks_and_who_speaks() {
    let site = Site::new(&[
        ("site.toml", "title = \"T\"\n".to_string()),
        (
            "sources/a.txt",
            "The talks \u{2014} in Paris \u{2014} set up a \u{201c}fusion mechanism\u{201d}.\nHe said \u{201c}we will act soon\u{201d} on Monday.\n"
                .to_string(),
        ),
        ("sources/sources.toml", "[[source]]\nfile = \"a.txt\"\nid = \"a\"\npublisher = \"Paper\"\n".to_string()),
        (
            PAGE,
            page("Talks set it up [@a:1 \"talks - in Paris - set up a \\\"fusion mechanism\\\"\"].\n\nHe promised action [@a:2 \"we will act soon\"].\n"),
        ),
    ]);
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let home = parse_file(&tmp.path().join("index.html"));
    let summaries: Vec<String> = select(&home, ".cite-quote summary")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(
        summaries[0],
        "\u{201c}talks \u{2014} in Paris \u{2014} set up a \u{201c}fusion mechanism\u{201d}\u{201d}",
        "the note shows the source's characters, not the editor's typing"
    );
    let voices: Vec<String> = select(&home, ".cite-voice").into_iter().map(text).collect();
    assert_eq!(
        voices,
        [
            "These are Paper\u{2019}s own words.",
            "Paper is quoting someone here."
        ]
    );
}

#[test]
fn e015_a_quotation_not_in_the_cited_lines_straight_marks() {
    let site = minimal_site(&[(
        PAGE,
        &page("Officials said the port \"opens in May\" [@alpha:2 \"the harbour will reopen\"].\n"),
    )]);
    let d = assert_error(&site, "E015", PAGE, 5, 25);
    assert!(d.message.contains("opens in May"), "{d}");
}

#[test]
fn e015_with_curly_marks_spanning_a_line_break_names_the_line_that_holds_the_words() {
    let site = minimal_site(&[(
        PAGE,
        &page("A line:\n\nIt said \u{201c}First line\nof a\u{201d} [@alpha:2 \"the harbour will reopen\"].\n"),
    )]);
    let d = assert_error(&site, "E015", PAGE, 7, 9);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("alpha line 1"), "{d}");
}

#[test]
fn quotations_that_stand_in_the_cited_lines_pass_nested_single_marks_included() {
    let site = minimal_site(&[
        ("sources/a.txt", "First line of a.\nSecond line says \u{201c}the harbour\u{201d} will reopen in March.\n\nFourth line.\n"),
        (
            PAGE,
            &page("It says \u{201c}\u{2018}the harbour\u{2019} will reopen\u{201d}, and it\u{2019}s \"in\nMarch\" [@alpha:2 \"will reopen\"].\n"),
        ),
    ]);
    succeeded(site.check());
}

#[test]
fn e017_via_going_round_in_a_circle() {
    let site = three("via = [\"copy\"]\n", "x [@wire:1].\n");
    let manifest = site.read(MANIFEST).replace(
        "publisher = \"Wire\"\n",
        "publisher = \"Wire\"\nvia = [\"other\"]\n",
    );
    site.write(MANIFEST, manifest);
    // copy -> wire -> other -> copy: reported once, at the key that closes
    // it (sources are walked in file order, copy.txt first).
    let diags = site.errors();
    let circles: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "E017").collect();
    assert_eq!(circles.len(), 1, "{}", render_all(&diags));
    let d = circles[0];
    assert!(d.message.contains("copy → wire → other → copy"), "{d}");
    assert_error(&site, "E017", MANIFEST, d.line, d.column);
    assert_eq!((d.line, d.column), (17, 8));
}

#[test]
fn e001_unknown_key_in_via_at_the_value_with_did_you_mean() {
    let site = three("via = [\"wier\"]\n", "x [@wire:1].\n");
    let d = assert_error(&site, "E001", MANIFEST, 16, 8);
    assert_eq!(d.help.as_deref(), Some("did you mean `wire`?"));
}
