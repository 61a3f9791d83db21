//! The indexes a reader checks claims with (issue 14): `/claims/` grouped by page with whole
//! claims, the single-origin count said once per group; provenance pages whose lines mark the
//! quoted words (escaped, merged, across a range, around elisions, right to left) and whose
//! back-links are grouped per page; roster cells that show a spelling only where it differs.
//! Built from tests/fixtures/pass-indexes (a 500-claim page, an Arabic source, a roster).

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

fn out() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| build_fixture_once("pass-indexes", "indexes-out", false))
}

fn page(rel: &str) -> scraper::Html {
    parse_file(&out().join(rel))
}

/// The words of each `<mark>` of line `n` of a provenance page, and the line's whole text.
fn marks(html: &scraper::Html, n: usize) -> (Vec<String>, String) {
    let lt = one(html, &format!("li#L{n} > .lt"));
    (
        select_in(lt, "mark").into_iter().map(text).collect(),
        text(lt),
    )
}

#[test]
fn claims_are_grouped_under_a_heading_per_page_in_reading_order() {
    let html = page("claims/index.html");
    let groups = select(&html, "section.claims-group");
    let headings: Vec<String> = groups.iter().map(|g| text(one_in(*g, "h3"))).collect();
    assert_eq!(headings, ["Harbour indexes", "Five hundred claims"]);
    // 8 claims on the home page, then the first 492 of the long page: 500 on this page.
    let counts: Vec<usize> = groups
        .iter()
        .map(|g| select_in(*g, "ol.claims-list > li.claim").len())
        .collect();
    assert_eq!(counts, [8, 492]);
    for (g, page_file) in groups.iter().zip(["index.html", "many/index.html"]) {
        let (file, _) = target_of("claims/index.html", attr(one_in(*g, "h3 a"), "href")).unwrap();
        assert_eq!(file, page_file);
        for li in select_in(*g, "li.claim") {
            let (file, _) = target_of(
                "claims/index.html",
                attr(one_in(li, "p.claim-text a"), "href"),
            )
            .unwrap();
            assert_eq!(file, page_file, "{}", text(li));
        }
    }
    // The rest of the long page continues on page 2, under its title once more.
    let second = page("claims/2/index.html");
    let h: Vec<String> = select(&second, "section.claims-group h3")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(h, ["Five hundred claims (continued)"]);
    assert_eq!(select(&second, "li.claim").len(), 8);
}

#[test]
fn the_single_origin_count_is_said_once_per_group_and_only_unnamed_ones_are_marked() {
    let html = page("claims/index.html");
    let groups = select(&html, "section.claims-group");
    let summaries: Vec<String> = groups
        .iter()
        .map(|g| squash(&text(one_in(*g, ".group-summary"))))
        .collect();
    // Home: claims 1-7 rest on the wire or Al-Marsa alone, none naming it; claim 8 cites the
    // wire and Other Times.
    assert_eq!(
        summaries[0],
        "8 claims: 7 rest on a single origin, 7 of them without naming it in the text (marked below); 1 on two or more origins."
    );
    // Claims 1-492 of the long page: every 7th also cites Other Times; of the others, those
    // whose number is a multiple of 11 name Harbour Wire.
    let several = (1..=492).filter(|n| n % 7 == 0).count();
    let named = (1..=492).filter(|n| n % 7 != 0 && n % 11 == 0).count();
    assert_eq!(
        summaries[1],
        format!(
            "492 claims: {} rest on a single origin, {} of them without naming it in the text (marked below); {several} on two or more origins.",
            492 - several,
            492 - several - named
        )
    );
    for g in &groups {
        for li in select_in(*g, "li.claim") {
            let t = squash(&text(li));
            let flagged = attr(li, "class").split(' ').any(|c| c == "flagged");
            let single = attr(li, "class").split(' ').any(|c| c == "single-origin");
            let named = attr(li, "class").split(' ').any(|c| c == "attributed");
            assert_eq!(flagged, single && !named, "{t}");
            assert_eq!(select_in(li, ".origin-flag").len(), usize::from(flagged));
            assert!(select(&html, ".badge").is_empty(), "no badges");
            if !single {
                assert!(t.contains(" origins: "), "{t}");
            }
        }
    }
    // A copy of the wire adds a source, not an origin.
    let claim5 = one(&html, "li#c-many-5");
    let t = squash(&text(claim5));
    assert!(
        t.contains("Single origin, not named in the text: Harbour Wire · 2 sources cited"),
        "{t}"
    );
}

#[test]
fn claims_are_shown_whole_as_the_editor_wrote_them() {
    let html = page("claims/index.html");
    let first = one(&html, "li#c-1 p.claim-text a");
    // As the page shows it: the Markdown parser's typographic quotes, `<` and `&` as text.
    assert_eq!(text(first), "Officials described the plan as “A<B & C”");
    let long = one(&html, "li#c-many-492 p.claim-text a");
    assert_eq!(
        text(long),
        "The committee listed item 13 of the plan, claim 492 of this page"
    );
    // Matrix row headers are cut between words, never inside one.
    for th in select(&html, "table.matrix tbody th[scope=row]") {
        let shown = text(one_in(th, "a"));
        let id = attr(one_in(th, "a"), "href").trim_start_matches('#');
        let whole = text(one(&html, &format!("li#{id} p.claim-text a")));
        match shown.strip_suffix('…') {
            None => assert_eq!(shown, whole),
            Some(head) => {
                assert!(whole.starts_with(head), "{shown:?} / {whole:?}");
                let next = whole[head.len()..].chars().next();
                assert!(
                    next.is_some_and(|c| c.is_whitespace() || ",;:".contains(c)),
                    "cut inside a word: {shown:?} / {whole:?}"
                );
            }
        }
    }
    // Typography the editor typed is kept: curly quotes and dashes are not folded.
    let site = minimal_site(&[(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n\nThe harbour — it’s said — will reopen [@alpha:2 \"the harbour will reopen\"].\n",
    )]);
    let tmp = tempdir();
    succeeded(site.build(tmp.path()));
    let claims = parse_file(&tmp.path().join("claims/index.html"));
    assert_eq!(
        text(one(&claims, "li.claim p.claim-text a")),
        "The harbour — it’s said — will reopen"
    );
}

#[test]
fn quoted_words_are_marked_and_escaped_on_provenance_pages() {
    let wire = page("sources/wire/index.html");
    // `<`, `&` and quotation marks inside marked words stay text; two quotes that overlap
    // ("the port's <b>new</b> code is 'X & Y'" and "<b>new</b> code") make one mark.
    let (m, line) = marks(&wire, 2);
    assert_eq!(
        line,
        "Officials said \"A<B & C\" was the plan, and the port's <b>new</b> code is 'X & Y'."
    );
    assert_eq!(
        m,
        [
            "\"A<B & C\" was the plan",
            "the port's <b>new</b> code is 'X & Y'"
        ]
    );
    assert!(
        select(&wire, "li#L2 .lt b").is_empty(),
        "a tag in a source is text"
    );
    // A quote over lines 3-4 marks its part on each line.
    assert_eq!(marks(&wire, 3).0, ["the minister said, and"]);
    assert_eq!(marks(&wire, 4).0, ["the fees will stay"]);
    // Elided words are not marked.
    assert_eq!(marks(&wire, 5).0, ["Talks & more", "on Monday"]);
    // Roster spellings are quotes too.
    assert_eq!(marks(&wire, 6).0, ["Jane O'Neil", "Ana Ruiz"]);
    // An uncited line has no mark.
    assert!(marks(&wire, 1).0.is_empty());
    // Every line reads in its own direction.
    for lt in select(&wire, ".source-lines .lt") {
        assert_eq!(attr(lt, "dir"), "auto");
    }
    let arabic = page("sources/arabic/index.html");
    assert_eq!(marks(&arabic, 2).0, ["الميناء سيفتح في مارس"]);
    assert_eq!(marks(&arabic, 3).0, ["المحادثات ستستمر"]);
    assert_eq!(attr(one(&arabic, "li#L2 > .lt"), "dir"), "auto");
}

#[test]
fn back_links_are_grouped_per_page_one_link_per_note() {
    let wire = page("sources/wire/index.html");
    let items = |n: usize| -> Vec<String> {
        select(&wire, &format!("li#L{n} ul.backlinks > li"))
            .into_iter()
            .map(|li| squash(&text(li)))
            .collect()
    };
    assert_eq!(items(2), ["Harbour indexes: notes 1, 2, 3"]);
    assert_eq!(items(5), ["Harbour indexes: note 5"]);
    assert_eq!(
        items(6),
        [
            "Harbour indexes: note 8",
            "Named in the roster: Jane O’Neill (Port authority), Ana Ruiz (Port authority)"
        ]
    );
    // Line 10 holds item 1: claims 40, 80, …, 480 of the long page cite it.
    let li = one(&wire, "li#L10 ul.backlinks > li");
    let notes: Vec<usize> = select_in(li, "a")
        .into_iter()
        .map(|a| {
            let (file, fragment) = target_of("sources/wire/index.html", attr(a, "href")).unwrap();
            assert_eq!(file, "many/index.html");
            let n: usize = text(a).parse().unwrap();
            assert_eq!(fragment.as_deref(), Some(format!("r-{n}").as_str()));
            n
        })
        .collect();
    assert_eq!(notes, (1..=12).map(|k| k * 40).collect::<Vec<_>>());
    assert_eq!(text(li).matches("Five hundred claims").count(), 1);
}

#[test]
fn roster_cells_show_a_spelling_only_where_it_differs() {
    for rel in ["delegations/index.html", "index.html"] {
        let html = page(rel);
        // Cells in the order of the columns (the sources' order), looked up by outlet.
        let row = |id: &str| -> Vec<(String, String)> {
            let mut cells: Vec<(String, String)> = select(&html, &format!("tr#m-port_{id} td"))
                .into_iter()
                .skip(1)
                .map(|td| {
                    let link = select_in(td, "a")
                        .first()
                        .map(|a| {
                            let (sid, line) = provenance_target(rel, attr(*a, "href"));
                            format!("{sid}:{line}")
                        })
                        .unwrap_or_default();
                    (squash(&text(td)), link)
                })
                .collect();
            cells.sort();
            cells
        };
        assert_eq!(
            row("jane-o-neill"),
            [
                ("Al-Marsa: not named".to_string(), String::new()),
                (
                    "Copy Daily: ✓ same spelling".to_string(),
                    "copy:2".to_string()
                ),
                (
                    "Harbour Wire: Jane O'Neil".to_string(),
                    "wire:6".to_string()
                ),
                ("Other Times: not named".to_string(), String::new()),
            ],
            "{rel}"
        );
        let ana = row("ana-ruiz");
        assert_eq!(
            ana.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(),
            ["", "copy:2", "wire:6", "other:2"]
        );
        assert!(ana[1..]
            .iter()
            .all(|(t, _)| t.ends_with(": ✓ same spelling")));
        // The check mark is decoration; its words are read.
        let marks = select(
            &html,
            "tr#m-port_ana-ruiz td.named a.same span[aria-hidden=true]",
        );
        assert_eq!(marks.len(), 3);
        assert!(marks.iter().all(|m| text(*m).trim() == "✓"));
    }
}
