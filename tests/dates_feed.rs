//! Dates, corrections, "Cite this page" and the Atom feed (README: Dates and corrections,
//! Feed): what a page shows, what its JSON-LD says, what `/atom.xml` holds (parsed with
//! roxmltree), and E018 for dates that come before the page's `date`.

mod common;

use common::*;

const PAGE: &str = "content/_index.md";

fn page(front: &str) -> String {
    format!(
        "+++\ntitle = \"Home\"\n{front}+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n"
    )
}

fn built(site: &Site) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let out = dir.path().join("out");
    succeeded(site.build(&out));
    (dir, out)
}

fn json_ld(html: &scraper::Html) -> serde_json::Value {
    let text = one(html, "script[type=\"application/ld+json\"]").inner_html();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_page_shows_its_date_update_and_corrections_and_json_ld_carries_both_dates() {
    let site = minimal_site(&[(
        PAGE,
        &page(
            "date = 2026-01-06\nupdated = 2026-01-08\n\n[[corrections]]\ndate = 2026-01-09\ntext = \"The *second* correction <script>alert(1)</script> & [the source](../sources/alpha/index.html).\"\n\n[[corrections]]\ndate = 2026-01-07\ntext = \"The harbour's name was misspelled.\"\n",
        ),
    )]);
    let (_dir, out) = built(&site);
    let html = parse_file(&out.join("index.html"));
    let dates = one(&html, ".page-header .page-dates");
    assert_eq!(
        dates.text().collect::<String>(),
        "Published 6 January 2026 · Updated 8 January 2026"
    );
    let times: Vec<_> = select_in(dates, "time")
        .iter()
        .map(|t| t.value().attr("datetime").unwrap().to_string())
        .collect();
    assert_eq!(times, ["2026-01-06", "2026-01-08"]);

    // Corrections: under their heading, oldest first, text escaped, Markdown applied.
    let section = one(&html, "section.corrections");
    assert_eq!(
        one_in(section, "h2").text().collect::<String>(),
        "Corrections"
    );
    let items = select_in(section, "li");
    assert_eq!(items.len(), 2);
    assert_eq!(
        one_in(items[0], "time").value().attr("datetime"),
        Some("2026-01-07")
    );
    let second = items[1].text().collect::<String>();
    assert!(
        second.starts_with(
            "9 January 2026: The second correction <script>alert(1)</script> & the source."
        ),
        "{second}"
    );
    assert_eq!(select_in(items[1], "em").len(), 1);
    assert!(select(&html, "section.corrections script").is_empty());
    assert_eq!(
        one_in(items[1], "a").value().attr("href"),
        Some("../sources/alpha/index.html")
    );

    let ld = json_ld(&html);
    assert_eq!(ld["datePublished"], "2026-01-06");
    assert_eq!(ld["dateModified"], "2026-01-08");
}

#[test]
fn a_page_without_dates_shows_none_and_has_no_corrections_section() {
    let site = minimal_site(&[]);
    let (_dir, out) = built(&site);
    let html = parse_file(&out.join("index.html"));
    assert!(select(&html, ".page-dates").is_empty());
    assert!(select(&html, "section.corrections").is_empty());
    let ld = json_ld(&html);
    assert!(ld.get("datePublished").is_none() && ld.get("dateModified").is_none());
    // No dated page, no feed and no link to one.
    assert!(!out.join("atom.xml").exists());
    assert!(select(&html, "link[type=\"application/atom+xml\"]").is_empty());
}

#[test]
fn cite_this_page_gives_title_outlet_dates_and_the_absolute_url() {
    let site = minimal_site(&[
        (
            "site.toml",
            "title = \"The <Outlet>\"\nbase_url = \"https://example.org/x\"\n",
        ),
        (
            "content/a.md",
            "+++\ntitle = \"A & B\"\ndate = 2026-01-06\nupdated = 2026-01-08\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n",
        ),
    ]);
    let (_dir, out) = built(&site);
    let html = parse_file(&out.join("a/index.html"));
    let block = one(&html, "details.cite-page");
    assert_eq!(
        one_in(block, "summary").text().collect::<String>(),
        "Cite this page"
    );
    assert_eq!(
        one_in(block, ".cite-page-text").text().collect::<String>(),
        "“A & B”. The <Outlet>. Published 6 January 2026, updated 8 January 2026. https://example.org/x/a/"
    );
}

#[test]
fn cite_this_page_without_base_url_leaves_the_address_to_the_browser() {
    let site = minimal_site(&[(PAGE, &page("date = 2026-01-06\n"))]);
    let (_dir, out) = built(&site);
    let html = parse_file(&out.join("index.html"));
    let text = one(&html, ".cite-page-text");
    assert_eq!(
        text.text().collect::<String>(),
        "“Home”. Minimal. Published 6 January 2026."
    );
    assert_eq!(one_in(text, ".cite-page-url").inner_html(), "");
}

fn feed_site(base_url: &str, title: &str, description: &str) -> Site {
    let site_toml = format!("title = \"Feed & <co>\"\n{base_url}");
    let a = format!(
        "+++\ntitle = {title}\ndescription = {description}\ndate = 2026-01-06\nupdated = 2026-01-10\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n"
    );
    minimal_site(&[
        ("site.toml", &site_toml),
        (PAGE, &page("date = 2026-01-05\n")),
        ("content/a.md", &a),
        (
            "content/b.md",
            "+++\ntitle = \"Later\"\ndate = 2026-01-08\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n",
        ),
        (
            "content/undated.md",
            "+++\ntitle = \"Undated\"\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n",
        ),
    ])
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .collect()
}

fn text_of(n: roxmltree::Node, name: &str) -> String {
    child(n, name)[0].text().unwrap_or_default().to_string()
}

#[test]
fn the_feed_lists_dated_pages_newest_first_with_absolute_links_and_updates() {
    let site = feed_site(
        "base_url = \"https://example.org/news/\"\n",
        "\"A\"",
        "\"About A\"",
    );
    let (_dir, out) = built(&site);
    let xml = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert_eq!(text_of(feed, "title"), "Feed & <co>");
    assert_eq!(text_of(feed, "updated"), "2026-01-10T00:00:00+00:00");
    let links: Vec<_> = child(feed, "link")
        .iter()
        .map(|l| (l.attribute("rel").unwrap(), l.attribute("href").unwrap()))
        .collect();
    assert!(
        links.contains(&("self", "https://example.org/news/atom.xml")),
        "{links:?}"
    );
    let entries = child(feed, "entry");
    let titles: Vec<_> = entries.iter().map(|e| text_of(*e, "title")).collect();
    assert_eq!(
        titles,
        ["Later", "A", "Home"],
        "newest first, undated left out"
    );
    let a = entries[1];
    assert_eq!(text_of(a, "id"), "https://example.org/news/a/");
    assert_eq!(
        child(a, "link")[0].attribute("href"),
        Some("https://example.org/news/a/")
    );
    assert_eq!(text_of(a, "published"), "2026-01-06T00:00:00+00:00");
    assert_eq!(text_of(a, "updated"), "2026-01-10T00:00:00+00:00");
    assert_eq!(text_of(a, "summary"), "About A");
    // Without `updated`, an entry is updated at its date.
    assert_eq!(text_of(entries[0], "updated"), "2026-01-08T00:00:00+00:00");

    // Every page links the feed in its head.
    let html = parse_file(&out.join("b/index.html"));
    let link = one(
        &html,
        "link[rel=\"alternate\"][type=\"application/atom+xml\"]",
    );
    assert_eq!(link.value().attr("href"), Some("../atom.xml"));
}

#[test]
fn without_base_url_the_feed_is_relative_to_its_own_address() {
    let site = feed_site("", "\"A\"", "\"About A\"");
    let (_dir, out) = built(&site);
    let xml = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let feed = doc.root_element();
    assert!(child(feed, "link")
        .iter()
        .all(|l| l.attribute("rel") != Some("self")));
    let entries = child(feed, "entry");
    let hrefs: Vec<_> = entries
        .iter()
        .map(|e| child(*e, "link")[0].attribute("href").unwrap().to_string())
        .collect();
    assert_eq!(hrefs, ["b/index.html", "a/index.html", "index.html"]);
    for href in hrefs {
        assert!(out.join(&href).is_file(), "{href}");
    }
}

#[test]
fn hostile_titles_and_descriptions_stay_text_in_the_feed() {
    let title = "\"<script>alert(1)</script> & ]]> \\u0001\\u0008 end\"";
    let description = "\"<![CDATA[x]]> &amp; \\u001b[31m <b>bold</b> \\uFFFF\"";
    let site = feed_site("", title, description);
    let (_dir, out) = built(&site);
    let xml = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let entries = child(doc.root_element(), "entry");
    let a = entries[1];
    assert_eq!(text_of(a, "title"), "<script>alert(1)</script> & ]]>  end");
    assert_eq!(
        text_of(a, "summary"),
        "<![CDATA[x]]> &amp; [31m <b>bold</b> "
    );
    // Nothing of it became markup.
    assert!(doc.descendants().all(|n| n.tag_name().name() != "script"));
    assert!(doc.descendants().all(|n| n.tag_name().name() != "b"));
}

#[test]
fn e018_updated_before_date() {
    let site = minimal_site(&[(PAGE, &page("date = 2026-01-06\nupdated = 2026-01-05\n"))]);
    let d = assert_error(&site, "E018", PAGE, 4, 11);
    assert!(
        d.message.contains("2026-01-05") && d.message.contains("2026-01-06"),
        "{d}"
    );
}

#[test]
fn e018_correction_before_date() {
    let site = minimal_site(&[(
        PAGE,
        &page("date = 2026-01-06\n\n[[corrections]]\ntext = \"x\"\n  date = 2026-01-01\n"),
    )]);
    assert_error(&site, "E018", PAGE, 7, 10);
}

#[test]
fn new_keys_are_known_and_invalid_ones_are_e005_at_their_line() {
    // A misspelled key of a correction: E005 at the key, with the keys listed.
    let site = minimal_site(&[(
        PAGE,
        &page("[[corrections]]\ndate = 2026-01-06\ntxt = \"x\"\n"),
    )]);
    assert_error(&site, "E005", PAGE, 5, 1);
    // A misspelled `updated` suggests it.
    let site = minimal_site(&[(PAGE, &page("updatd = 2026-01-06\n"))]);
    let d = assert_error(&site, "E005", PAGE, 3, 1);
    assert!(d
        .help
        .unwrap_or_default()
        .contains("did you mean `updated`"));
    // Not a date.
    let site = minimal_site(&[(PAGE, &page("updated = \"yesterday\"\n"))]);
    assert_error(&site, "E005", PAGE, 3, 11);
    let site = minimal_site(&[(PAGE, &page("updated = 10:30:00\n"))]);
    assert_error(&site, "E005", PAGE, 3, 11);
    // A correction's link to another scheme is refused as a page's would be.
    let site = minimal_site(&[(
        PAGE,
        &page("[[corrections]]\ndate = 2026-01-06\ntext = \"[x](javascript:alert(1))\"\n"),
    )]);
    assert_error(&site, "E004", PAGE, 5, 8);
}
