//! Hostile text stays inert: JSON embedded in HTML cannot leave its `<script>` (item 18), and
//! a URL from the input reaches an `href` only when its scheme is a web one (item 19).

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const PAGE: &str = "content/_index.md";
const MANIFEST: &str = "sources/sources.toml";

/// Text that makes an HTML parser treat the rest of a page as script when it stands unescaped
/// in a `<script>` element: the comment opener switches to the "double escaped" state.
const PAYLOAD: &str = "<!--<script> & </script> >";

/// A page with the minimal front matter (3 lines, then a blank line): the body starts on line 5.
fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

/// A TOML basic string holding `s`.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The JSON-LD of a built page, parsed; asserts the page's `<main>` still stands after it.
fn json_ld(out: &Path, file: &str) -> Value {
    let html = parse_file(&out.join(file));
    let script = one(&html, "script[type=\"application/ld+json\"]");
    let json: String = script.text().collect();
    let value: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{file}: the JSON-LD does not parse ({e}):\n{json}"));
    // The script ends where it should: the page's content is in the DOM, not script text.
    let main = one(&html, "main#main");
    assert!(
        !text(main).trim().is_empty(),
        "{file}: <main> lost its content"
    );
    assert!(
        !select(&html, "footer.site-footer").is_empty(),
        "{file}: the footer is gone"
    );
    value
}

fn hostile_site(minify: bool) -> Site {
    let p = PAYLOAD;
    minimal_site(&[
        (
            "site.toml",
            &format!("title = {}\nminify = {minify}\n", toml_str(&format!("Site {p}"))),
        ),
        (
            MANIFEST,
            &format!(
                "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = {}\npublisher = {}\nauthor = {}\n",
                toml_str(&format!("Title {p}")),
                toml_str(&format!("Publisher {p}")),
                toml_str(&format!("Author {p}")),
            ),
        ),
        (
            PAGE,
            &format!(
                "+++\ntitle = {}\ndescription = {}\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n",
                toml_str(&format!("Home {p}")),
                toml_str(&format!("Description {p}")),
            ),
        ),
        (
            "content/other.md",
            &format!(
                "+++\ntitle = {}\n+++\n\nThe harbour will reopen [@alpha:2].\n",
                toml_str(&format!("Other {p}")),
            ),
        ),
    ])
}

#[test]
fn bug_18_json_ld_cannot_leave_its_script_element() {
    let p = PAYLOAD;
    for minify in [false, true] {
        let site = hostile_site(minify);
        let out = tempdir();
        succeeded(site.build(out.path()));
        let out = out.path();

        // The payload never appears raw in any script element of any page.
        for file in html_files(out) {
            json_ld(out, &file);
            let text = std::fs::read_to_string(out.join(&file)).unwrap();
            for (i, _) in text.match_indices("application/ld+json") {
                let rest = &text[i..];
                let body = &rest[..rest.find("</script>").unwrap()];
                assert!(!body.contains('<'), "{file}: raw `<` in JSON-LD: {body}");
            }
        }

        let home = json_ld(out, "index.html");
        assert_eq!(home["headline"], format!("Home {p}"), "minify {minify}");
        assert_eq!(home["description"], format!("Description {p}"));
        assert_eq!(home["isPartOf"]["name"], format!("Site {p}"));
        assert_eq!(home["citation"][0]["name"], format!("Title {p}"));
        assert_eq!(
            home["citation"][0]["publisher"]["name"],
            format!("Publisher {p}")
        );
        let home_html = parse_file(&out.join("index.html"));
        assert_eq!(
            squash(&text(one(&home_html, "main h1"))),
            squash(&format!("Home {p}"))
        );
        assert!(
            !select(&home_html, "li.note").is_empty(),
            "the notes are in the DOM"
        );

        let other = json_ld(out, "other/index.html");
        assert_eq!(other["headline"], format!("Other {p}"));

        let source = json_ld(out, "sources/alpha/index.html");
        assert_eq!(source["name"], format!("Title {p}"));
        assert_eq!(source["publisher"]["name"], format!("Publisher {p}"));
        assert_eq!(source["author"], format!("Author {p}"));
        let source_html = parse_file(&out.join("sources/alpha/index.html"));
        assert!(
            !select(&source_html, "li#L2").is_empty(),
            "the numbered lines are in the DOM"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Item 19: URL schemes

fn manifest_with(extra: &str) -> String {
    format!(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"A\"\npublisher = \"P\"\n{extra}"
    )
}

#[test]
fn bug_19_source_url_must_be_http_or_https() {
    // TOML texts of `url` values; the value starts on line 6, column 7 (its opening quote).
    let bad = [
        r#""javascript:alert(1)""#,
        r#""JavaScript:alert(1)""#,
        r#""  javascript:alert(1)""#,
        r#""\tjavascript:alert(1)""#,
        r#""\njavascript:alert(1)""#,
        r#""java\tscript:alert(1)""#,
        r#""java\nscript:alert(1)""#,
        r#""\u0001javascript:alert(1)""#,
        r#""data:text/html,<script>alert(1)</script>""#,
        r#""vbscript:msgbox(1)""#,
        r#""&#106;avascript:alert(1)""#,
        r#""&#x6A;avascript:alert(1)""#,
        r#""javascript&colon;alert(1)""#,
        r#""//evil.example/x""#,
        r#""ftp://example.org/a.txt""#,
        r#""example.org/a""#,
        r#""https:""#,
        r#""https://""#,
        r#""""#,
        r#"'javascript:alert(1)'"#,
    ];
    for value in bad {
        let site = minimal_site(&[(MANIFEST, &manifest_with(&format!("url = {value}\n")))]);
        let diags = site.errors();
        let d = find_diag(&diags, "E006", MANIFEST, 6, 7);
        assert!(d.message.contains("url"), "{value}: {d}");
    }
    // Through the binary too: exit 1 and the position.
    let site = minimal_site(&[(MANIFEST, &manifest_with("url = \"javascript:alert(1)\"\n"))]);
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", MANIFEST, 6, 7);

    for good in [
        "https://example.org/a?b=1#c",
        "http://example.org",
        "HTTPS://EXAMPLE.ORG/",
    ] {
        let site = minimal_site(&[(MANIFEST, &manifest_with(&format!("url = \"{good}\"\n")))]);
        site.warnings();
    }
}

#[test]
fn a_web_source_url_is_still_linked() {
    // A valid url is still linked (note and provenance page).
    let site = minimal_site(&[(
        MANIFEST,
        &manifest_with("url = \"https://example.org/a\"\n"),
    )]);
    let out = tempdir();
    succeeded(site.build(out.path()));
    let home = parse_file(&out.path().join("index.html"));
    let original = attr(one(&home, "a.cite-original"), "href");
    assert!(
        original.starts_with("https://example.org/a#:~:text="),
        "{original}"
    );
    let prov = parse_file(&out.path().join("sources/alpha/index.html"));
    assert!(select(&prov, "a[href=\"https://example.org/a\"]").len() == 1);
}

#[test]
fn bug_19_note_links_must_be_web_or_relative() {
    // `note` is on line 6; the marker points at the destination in the manifest (at the
    // link when the destination is not written inside it).
    let cases = [
        (r#"note = "See [x](javascript:alert(1)).""#, 17),
        (r#"note = "See <javascript:alert(1)>.""#, 14),
        (r#"note = "See [x](data:text/html,hi).""#, 17),
        (r#"note = "See [x]( vbscript:msgbox(1) ).""#, 18),
        (r#"note = "See [x][r].\n\n[r]: javascript:alert(1)""#, 13),
        (r#"note = "See ![x](javascript:alert(1)).""#, 18),
        (r#"note = 'See [x](JAVASCRIPT:alert(1)).'"#, 17),
        // An entity form cannot be found in the raw text: the marker is at the link.
        (r#"note = "See [x](&#106;avascript:alert(1)).""#, 13),
    ];
    for (line, column) in cases {
        let site = minimal_site(&[(MANIFEST, &manifest_with(&format!("{line}\n")))]);
        let diags = site.errors();
        let d = find_diag(&diags, "E006", MANIFEST, 6, column);
        assert!(d.message.contains("link"), "{line}: {d}");
    }
    // A multi-line note: the position is on the line of the link.
    let site = minimal_site(&[(
        MANIFEST,
        &manifest_with("note = \"\"\"\nFirst line.\nSee [x](javascript:alert(1)).\n\"\"\"\n"),
    )]);
    let diags = site.errors();
    find_diag(&diags, "E006", MANIFEST, 8, 9);

    let site = minimal_site(&[(
        MANIFEST,
        &manifest_with(
            "note = \"[a](https://x.org) [b](http://x.org) [c](mailto:a@x.org) [d](../../claims/index.html#c-1) [e](#L2) <https://x.org/y>\"\n",
        ),
    )]);
    site.warnings();
    let out = tempdir();
    succeeded(site.build(out.path()));
    let prov = parse_file(&out.path().join("sources/alpha/index.html"));
    for href in [
        "https://x.org",
        "http://x.org",
        "mailto:a@x.org",
        "../../claims/index.html#c-1",
        "#L2",
        "https://x.org/y",
    ] {
        assert_eq!(
            select(&prov, &format!("div.source-note a[href=\"{href}\"]")).len(),
            1,
            "{href}"
        );
    }
}

#[test]
fn bug_19_page_links_must_be_web_mailto_or_relative() {
    let cases = [
        ("Go [x](javascript:alert(1)) now.\n", 5, 8),
        ("Go <javascript:alert(1)> now.\n", 5, 5),
        ("Go [x](Data:text/html,hi) now.\n", 5, 8),
        ("Go ![x](vbscript:msgbox(1)) now.\n", 5, 9),
        ("Go [x][r] now.\n\n[r]: javascript:alert(1)\n", 5, 4),
        ("Go [x](&#106;avascript:alert(1)) now.\n", 5, 4),
        ("Note.[^n]\n\n[^n]: See [x](javascript:alert(1)).\n", 7, 15),
    ];
    for (body, line, column) in cases {
        let site = minimal_site(&[(
            PAGE,
            &page(&format!("The harbour will reopen [@alpha:2].\n\n{body}")),
        )]);
        // The body begins on line 5; the case text on line 7.
        let diags = site.errors();
        let d = find_diag(&diags, "E004", PAGE, line + 2, column);
        assert!(d.message.contains("link"), "{body}: {d}");
    }
    let site = minimal_site(&[(PAGE, &page("Go [x](javascript:alert(1)) now.\n"))]);
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E004", PAGE, 5, 8);

    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@alpha:2].\n\n[a](https://x.org) [b](HTTP://x.org) [c](mailto:a@x.org) [d](claims/index.html) [e](#c-1) [f](sources/alpha/index.html#L2) <https://x.org/y>\n"),
    )]);
    site.warnings();
}

#[test]
fn bug_19_base_url_must_be_http_or_https() {
    // `base_url` reaches the canonical link, og:url, the sitemap and the JSON-LD.
    for value in ["javascript://%0aalert(1)", "data://x", "java\\tscript://x"] {
        let site = minimal_site(&[(
            "site.toml",
            &format!("title = \"Minimal\"\nbase_url = \"{value}\"\n"),
        )]);
        let diags = site.errors();
        find_diag(&diags, "E006", "site.toml", 2, 1);
    }
    let site = minimal_site(&[(
        "site.toml",
        "title = \"Minimal\"\nbase_url = \"https://x.org/explainer\"\n",
    )]);
    site.warnings();
}
