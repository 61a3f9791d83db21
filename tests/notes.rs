//! Notes as a reader meets them (SPEC 3.3): the source's title only where the page first
//! cites it, DPUB-ARIA roles on markers, notes and back-links, quotes read in their own
//! direction (`dir="auto"`), the phone menu behind a disclosure, and the theme's CSS and
//! JavaScript within the page-weight budget once minified.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use explainer::Options;

/// The fixture with an Arabic source and sources cited more than once, built once.
fn rtl() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| build_fixture_once("pass-rtl", "build-pass-rtl", false))
}

fn home() -> scraper::Html {
    parse_file(&rtl().join("index.html"))
}

/// Per note (in order), per citation: (outlet name, title shown or None).
fn names_and_titles(html: &scraper::Html) -> Vec<Vec<(String, Option<String>)>> {
    select(html, "ol.notes-list > li.note-cite")
        .into_iter()
        .map(|li| {
            select_in(li, "div.cite")
                .into_iter()
                .map(|c| {
                    let name = text(one_in(c, ".cite-source"));
                    let title = select_in(c, ".cite-title").first().map(|t| text(*t));
                    (name, title)
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_source_title_is_shown_where_the_page_first_cites_it_and_not_again() {
    let html = home();
    let notes = names_and_titles(&html);
    let wire = "Harbour Wire".to_string();
    let arabic = "Al-Mina Daily".to_string();
    assert_eq!(
        notes,
        vec![
            vec![
                (
                    wire.clone(),
                    Some("“Port talks resume in Port Town”".into())
                ),
                (arabic.clone(), Some("“استئناف محادثات الميناء”".into())),
            ],
            vec![(wire.clone(), None)],
            vec![(wire.clone(), None)],
            vec![(wire.clone(), None), (arabic, None)],
            vec![(wire, None)],
        ],
        "each note names the outlet; the title once per page, on first mention"
    );
    // Every citation keeps its line link and its quote.
    assert_eq!(select(&html, "div.cite a.cite-line").len(), 7);
    assert_eq!(
        select(&html, "div.cite details.cite-quote > summary").len(),
        7
    );
}

#[test]
fn the_title_is_given_again_on_each_page_that_cites_the_source() {
    let site = minimal_site(&[(
        "content/b.md",
        "+++\ntitle = \"B\"\n+++\nThe line was written [@alpha:1].\n\nIt was written again [@alpha:1].\n",
    )]);
    let out = site.root().join("out");
    succeeded(site.build(&out));
    for page in ["index.html", "b/index.html"] {
        let html = parse_file(&out.join(page));
        let titled = select(&html, ".notes-list .cite-title").len();
        let cites = select(&html, ".notes-list div.cite").len();
        assert!(cites >= 1, "{page}: no citation");
        assert_eq!(titled, 1, "{page}: the title on the first citation only");
        let first = one(&html, ".notes-list > li:first-child div.cite");
        assert_eq!(select_in(first, ".cite-title").len(), 1, "{page}");
    }
}

#[test]
fn markers_notes_and_back_links_carry_dpub_aria_roles() {
    let html = home();
    let markers = select(&html, ".prose sup.note-ref > a");
    assert_eq!(markers.len(), 5);
    for a in &markers {
        assert_eq!(attr(*a, "role"), "doc-noteref");
        assert!(attr(*a, "href").starts_with("#n-"));
    }
    assert_eq!(
        attr(one(&html, "section.notes"), "role"),
        "doc-endnotes",
        "the notes list is the page's endnotes"
    );
    let backs = select(&html, "a.note-back");
    assert_eq!(backs.len(), 5, "one back-link per marker");
    for b in backs {
        assert_eq!(attr(b, "role"), "doc-backlink");
    }
}

#[test]
fn quotes_and_cited_lines_in_notes_read_in_their_own_direction() {
    let html = home();
    let summaries = select(&html, "details.cite-quote > summary");
    let lines = select(&html, "blockquote.cite-text");
    assert!(!summaries.is_empty() && summaries.len() == lines.len());
    for el in summaries.iter().chain(lines.iter()) {
        assert_eq!(attr(*el, "dir"), "auto", "{}", text(*el));
    }
    let arabic: Vec<String> = summaries
        .iter()
        .map(|s| text(*s))
        .filter(|t| t.contains("المحادثات كانت بناءة"))
        .collect();
    assert_eq!(
        arabic,
        ["“المحادثات كانت بناءة”"],
        "the quote as the source prints it"
    );
}

#[test]
fn the_menu_is_a_list_and_the_same_list_behind_a_disclosure() {
    let html = home();
    let hrefs = |css: &str| -> Vec<String> {
        select(&html, css)
            .into_iter()
            .map(|a| attr(a, "href").to_string())
            .collect()
    };
    let wide = hrefs("nav.site-nav > ul.nav-wide a");
    let menu = hrefs("nav.site-nav > details.nav-menu > ul a");
    assert!(wide.contains(&"sources/index.html".to_string()), "{wide:?}");
    assert_eq!(wide, menu);
    assert_eq!(text(one(&html, "details.nav-menu > summary")), "Menu");
}

/// Bytes of the CSS and JavaScript a page loads: its stylesheets and scripts under `static/`.
fn page_weight(out: &Path, page: &str) -> usize {
    let html = parse_file(&out.join(page));
    let root = "../".repeat(page.matches('/').count());
    let mut files: Vec<String> = select(&html, "link[rel=stylesheet]")
        .into_iter()
        .map(|l| attr(l, "href").to_string())
        .chain(
            select(&html, "script[src]")
                .into_iter()
                .map(|s| attr(s, "src").to_string()),
        )
        .collect();
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("static/style.css")),
        "{page}: {files:?}"
    );
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).unwrap_or(f);
            fs::metadata(out.join(rel)).unwrap().len() as usize
        })
        .sum()
}

#[test]
fn the_seed_site_loads_under_30_kib_of_css_and_javascript_a_page() {
    let tmp = tempdir();
    let out = tmp.path().join("site");
    succeeded(explainer::build(&Options {
        root: repo(),
        output: Some(out.clone()),
        drafts: false,
    }));
    // Every page kind; methodology links syntax.css (it has highlighted code).
    for page in [
        "index.html",
        "methodology/index.html",
        "claims/index.html",
        "sources/index.html",
        "delegations/index.html",
    ] {
        let bytes = page_weight(&out, page);
        assert!(bytes < 30_720, "{page}: {bytes} bytes of CSS and JS");
    }
    // With `minify = true` the theme's files are minified, not copied.
    let theme = repo().join("themes/default/static");
    for file in ["style.css", "explainer.js"] {
        let built = fs::metadata(out.join("static").join(file)).unwrap().len();
        let source = fs::metadata(theme.join(file)).unwrap().len();
        assert!(built * 10 < source * 8, "{file}: {built} of {source} bytes");
    }
}

#[test]
fn without_minify_the_theme_files_are_written_as_they_are() {
    let site = minimal_site(&[("site.toml", "title = \"Minimal\"\nminify = false\n")]);
    let out = site.root().join("out");
    succeeded(site.build(&out));
    let theme = repo().join("themes/default/static");
    for file in ["style.css", "explainer.js"] {
        assert_eq!(
            fs::read(out.join("static").join(file)).unwrap(),
            fs::read(theme.join(file)).unwrap(),
            "{file}"
        );
    }
}
