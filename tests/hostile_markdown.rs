//! Hostile Markdown: citation groups the parser could hide, inline syntax around groups,
//! page paths that look like generated files or need encoding, deep nesting, many headings.

mod common;

use common::*;

const PAGE: &str = "content/_index.md";

/// A page with the minimal front matter (3 lines, then a blank line): the body starts on line 5.
fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

/// A source whose lines 1 and 2 hold what the tests quote.
const SOURCE: &str =
    "Alice says hello to everyone.\nAlice and Bob agreed.\nShe says ``hello to all.\n";

fn site_with(body: &str) -> Site {
    minimal_site(&[("sources/a.txt", SOURCE), (PAGE, &page(body))])
}

/// Builds the site (must succeed) and parses its home page.
fn built_home(site: &Site) -> (scraper::Html, String) {
    let out = site.root().join("out");
    succeeded(site.build(&out));
    let raw = std::fs::read_to_string(out.join("index.html")).unwrap();
    (parse_file(&out.join("index.html")), raw)
}

// ---------------------------------------------------------------------------------------------
// 10. A group's own text never opens a code span; a group the parser hides is reported.

#[test]
fn bug_10_backticks_in_a_quote_do_not_swallow_later_groups() {
    let site = site_with(
        "Claim one [@alpha:3 \"says ``hello\"]. Claim two [@alpha:2 \"Alice\"]. Claim three [@alpha:99 \"not there\"]. Tail`` end.\n",
    );
    let diags = site.errors();
    // The third group is checked: line 99 does not exist.
    find_diag(&diags, "E002", PAGE, 5, 88);
    assert_eq!(
        diags.iter().filter(|d| d.is_error()).count(),
        1,
        "{}",
        render_all(&diags)
    );

    // Without the bad group, all three claims are on the page with their markers.
    site.replace(
        PAGE,
        " Claim three [@alpha:99 \"not there\"].",
        " Claim three [@alpha:1 \"Alice\"].",
    );
    let (html, _) = built_home(&site);
    assert_eq!(select(&html, ".prose sup.note-ref").len(), 3);
    let body = squash(&text(one(&html, ".prose p")));
    assert!(
        body.contains("Claim one1. Claim two2. Claim three3. Tail`` end."),
        "{body}"
    );
    assert!(select(&html, ".prose p code").is_empty());
}

#[test]
fn bug_10_markdown_inside_a_quote_is_part_of_the_quote() {
    // `*`, `_`, `<b>`, brackets and a link inside a quote are the quote's own text.
    let source = "Alice says *hello* to [everyone](x) <b>now</b>.\n";
    let site = minimal_site(&[
        ("sources/a.txt", source),
        (
            PAGE,
            &page("Said [@alpha:1 \"says *hello* to [everyone](x) <b>now\"] it.\n\nA `[@alpha:9]` in code is not a citation.\n"),
        ),
    ]);
    let (html, raw) = built_home(&site);
    assert_eq!(select(&html, ".prose sup.note-ref").len(), 1, "{raw}");
    let p = squash(&text(select(&html, ".prose p")[0]));
    assert_eq!(p, "Said1 it.");
    assert!(
        select(&html, ".prose p em, main p b, main p a:not(sup a)").is_empty(),
        "{raw}"
    );
}

#[test]
fn bug_10_groups_hidden_from_the_text_are_e004() {
    // In inline HTML, an HTML block, a link title and a link reference definition's title:
    // never dropped silently. An HTML comment, like code, holds no citation.
    let body = "Inline <span title=\"[@alpha:1]\">x</span> here [@alpha:2].\n\
                \n\
                <div>\n\
                [@alpha:1 \"Alice\"]\n\
                </div>\n\
                \n\
                <!-- [@alpha:99] -->\n\
                \n\
                A [link](https://example.org \"[@alpha:1]\") there.\n\
                \n\
                [ref]: https://example.org \"[@alpha:1]\"\n";
    let site = site_with(body);
    let diags = site.errors();
    let e004: Vec<_> = positions(&diags)
        .into_iter()
        .filter(|p| p.0 == "E004")
        .map(|p| (p.2, p.3))
        .collect();
    assert_eq!(
        e004,
        [(5, 21), (8, 1), (13, 31), (15, 29)],
        "{}",
        render_all(&diags)
    );
    let d = find_diag(&diags, "E004", PAGE, 8, 1);
    assert!(
        d.help.as_deref().unwrap_or_default().contains("\\[@"),
        "{d}"
    );
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E004", PAGE, 13, 31);
}

#[test]
fn bug_10_a_group_in_an_autolink_is_e004() {
    let site = site_with("See <https://example.org/[@alpha:1]> now [@alpha:2].\n");
    let diags = site.errors();
    find_diag(&diags, "E004", PAGE, 5, 26);
}

// ---------------------------------------------------------------------------------------------
// 11. Groups inside emphasis, strong, strikethrough and links.

#[test]
fn bug_11_groups_in_emphasis_render_their_marker_inside_it() {
    let site = site_with(
        "*Alice spoke [@alpha:1 \"says hello\"]* and **Bob [@alpha:2 \"Bob\"] agreed** and ~~no [@alpha:3]~~ and _x [@alpha:1 \"Alice*\"]_.\n",
    );
    // The last quote has a `*` that is not on line 1: E003, not a broken emphasis.
    let diags = site.errors();
    find_diag(&diags, "E003", PAGE, 5, 114);
    site.replace(PAGE, "\"Alice*\"", "\"Alice\"");
    let (html, raw) = built_home(&site);
    assert_eq!(select(&html, ".prose sup.note-ref").len(), 4, "{raw}");
    assert_eq!(
        squash(&text(select(&html, ".prose p em")[0])),
        "Alice spoke1"
    );
    assert_eq!(select(&html, ".prose p em sup.note-ref").len(), 2, "{raw}");
    assert_eq!(
        select(&html, ".prose p strong sup.note-ref").len(),
        1,
        "{raw}"
    );
    assert_eq!(select(&html, ".prose p del sup.note-ref").len(), 1, "{raw}");
    assert!(!raw.contains("[@"), "{raw}");
}

#[test]
fn bug_11_groups_in_links_put_the_marker_after_the_link() {
    let site = site_with(
        "See [the statement [@alpha:1 \"says hello\"] here](https://example.org) and [another *one* [@alpha:2]](x/) then ![pic [@alpha:2]](p.png).\n",
    );
    let (html, raw) = built_home(&site);
    assert!(select(&html, "a a").is_empty(), "{raw}");
    assert!(select(&html, "a sup").is_empty(), "{raw}");
    let link = one(&html, ".prose p a[href='https://example.org']");
    assert_eq!(text(link), "the statement here");
    assert_eq!(select(&html, ".prose p sup.note-ref").len(), 3, "{raw}");
    assert_eq!(
        text(one(
            &html,
            ".prose p a[href='x/index.html'], .prose p a[href='x/']"
        )),
        "another one"
    );
    let img = one(&html, ".prose p img");
    assert_eq!(attr(img, "alt"), "pic");
    let p = squash(&text(one(&html, ".prose p")));
    assert_eq!(p, "See the statement here1 and another one2 then 3.");
}

// ---------------------------------------------------------------------------------------------
// 12. Hrefs from page paths are percent-encoded; paths of generated files are E007.

#[test]
fn bug_12_menu_links_are_percent_encoded() {
    let site = minimal_site(&[
        (
            "content/q?.md",
            "+++\ntitle = \"Q\"\nuncited = true\n+++\nText.\n",
        ),
        (
            "content/a b#c.md",
            "+++\ntitle = \"AB\"\nuncited = true\n+++\nText.\n",
        ),
        (
            "content/é.md",
            "+++\ntitle = \"E\"\nuncited = true\n+++\nText.\n",
        ),
        (
            "site.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n",
        ),
    ]);
    let out = site.root().join("out");
    succeeded(site.build(&out));
    let html = parse_file(&out.join("index.html"));
    let hrefs: Vec<String> = select(&html, "nav a")
        .into_iter()
        .map(|a| attr(a, "href").to_string())
        .collect();
    for want in [
        "q%3F/index.html",
        "a%20b%23c/index.html",
        "%C3%A9/index.html",
    ] {
        assert!(hrefs.iter().any(|h| h == want), "{want} not in {hrefs:?}");
    }
    let q = parse_file(&out.join("q?/index.html"));
    let canonical = attr(one(&q, "link[rel=canonical]"), "href");
    assert_eq!(canonical, "https://example.org/q%3F/");
    let ld = text(one(&q, "script[type='application/ld+json']"));
    assert!(ld.contains("https://example.org/q%3F/"), "{ld}");
}

#[test]
fn bug_12_pages_named_like_generated_files_are_e007() {
    let front = "+++\ntitle = \"X\"\nuncited = true\n+++\nText.\n";
    let slugged =
        |slug: &str| format!("+++\ntitle = \"X\"\nuncited = true\nslug = \"{slug}\"\n+++\nText.\n");
    let site = minimal_site(&[
        ("content/404.html.md", front.to_string().as_str()),
        ("content/annotations.jsonld.md", front),
        ("content/static/style.css.md", front),
        ("content/index.html.md", front),
        ("content/x/index.html.md", front),
        ("content/s.md", &slugged("sitemap.xml")),
        ("content/t.md", &slugged("404.html")),
        ("content/static.md", front),
    ]);
    let diags = site.errors();
    for (file, line) in [
        ("content/404.html.md", 1),
        ("content/annotations.jsonld.md", 1),
        ("content/static/style.css.md", 1),
        ("content/index.html.md", 1),
        ("content/x/index.html.md", 1),
        ("content/s.md", 4),
        ("content/t.md", 4),
        ("content/static.md", 1),
    ] {
        find_diag(&diags, "E007", file, line, 1);
    }
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E007", "content/s.md", 4, 1);
}

// ---------------------------------------------------------------------------------------------
// 17. Deep nesting never overflows a stack.

#[test]
fn bug_17_deep_nesting_builds_and_warns() {
    // Each case and where it first nests deeper than the limit (line, column).
    let cases = [
        (
            format!("{} deep [@alpha:1]\n", "> ".repeat(3000)),
            Some((5, 401)),
        ),
        (
            format!("{}deep [@alpha:1]{}\n", "*".repeat(5000), "*".repeat(5000)),
            Some((5, 399)),
        ),
        (
            format!("{}deep [@alpha:1]\n", "- ".repeat(3000)),
            Some((5, 201)),
        ),
        (
            format!("<div>\n{}deep\n\n[@alpha:1]\n", "<div>".repeat(5000)),
            Some((6, 1)),
        ),
        (
            format!("Deep {} [@alpha:1]\n", "<span>".repeat(5000)),
            Some((5, 1200)),
        ),
        (
            format!(
                "Deep {}x{} [@alpha:1]\n",
                "[".repeat(5000),
                "]".repeat(5000)
            ),
            None,
        ),
    ];
    for (i, (body, warned)) in cases.iter().enumerate() {
        let site = site_with(body);
        let out = site.root().join("out");
        let r = site.run_build(&out);
        assert_eq!(r.code, 0, "case {i}: {}", r.stderr);
        assert!(out.join("index.html").is_file(), "case {i}");
        match warned {
            Some((line, column)) => r.assert_reports("W005", PAGE, *line, *column),
            None => assert!(!r.stderr.contains("W005"), "case {i}: {}", r.stderr),
        }
        let r = site.run_check();
        assert_eq!(r.code, 0, "case {i}: {}", r.stderr);
    }
}

#[test]
fn bug_17_the_warning_names_where_the_nesting_gets_too_deep() {
    let site = site_with(&format!("Fine [@alpha:1].\n\n{}deep\n", "> ".repeat(3000)));
    let warnings = site.warnings();
    let d = find_diag(&warnings, "W005", PAGE, 7, 401);
    assert!(!d.is_error());
    // The page is written as rendered; a page nested a few levels is minified, unwarned.
    let out = site.root().join("out");
    succeeded(site.build(&out));
    assert!(std::fs::read_to_string(out.join("index.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>\n"));
    let site = site_with("> > > Fine [@alpha:1].\n");
    assert!(site.warnings().iter().all(|d| d.code != "W005"));
    succeeded(site.build(&out));
    assert!(!std::fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("\n\n"));
}

#[test]
fn bug_17_the_minifier_returns_what_it_cannot_follow_as_it_is() {
    // On a thread with a rayon worker's stack: any HTML (a source note, a theme) is safe.
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let deep = format!(
                "<!DOCTYPE html>\n<html><body>{}x</body></html>\n",
                "<div>".repeat(5000)
            );
            assert_eq!(
                explainer::render::minify::minify_html(deep.as_bytes()),
                deep.as_bytes()
            );
            let shallow =
                "<!DOCTYPE html>\n<html>\n<body>\n<div>  <p>x</p>\n</div></body></html>\n";
            assert!(
                explainer::render::minify::minify_html(shallow.as_bytes()).len() < shallow.len()
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// 24. Heading ids in linear time.

#[test]
fn bug_24_twenty_thousand_equal_headings_get_unique_ids() {
    let mut body = String::from("Intro [@alpha:1].\n\n");
    for _ in 0..20_000 {
        body.push_str("## Same\n\n");
    }
    let site = site_with(&body);
    let (html, _) = built_home(&site);
    let ids: Vec<String> = select(&html, "main h2")
        .into_iter()
        .map(|h| attr(h, "id").to_string())
        .filter(|id| id.starts_with("same"))
        .collect();
    assert_eq!(ids.len(), 20_000);
    assert_eq!(ids[0], "same");
    assert_eq!(ids[1], "same-2");
    assert_eq!(ids[19_999], "same-20000");
    assert!(duplicates(&ids).is_empty());
}
