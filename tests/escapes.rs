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
        assert_eq!(home["citation"][0]["publisher"]["name"], format!("Publisher {p}"));
        let home_html = parse_file(&out.join("index.html"));
        assert_eq!(
            squash(&text(one(&home_html, "main h1"))),
            squash(&format!("Home {p}"))
        );
        assert!(!select(&home_html, "li.note").is_empty(), "the notes are in the DOM");

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
