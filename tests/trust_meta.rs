//! Attribution certainty and names (issue 12, SPEC 2): `title_line` and
//! `publisher_line` verified (E016) and shown as "printed on line N";
//! inferred publishers and dates called inferred wherever they are shown and
//! never asserted in JSON-LD; opening words not shown as a headline; the
//! name readers see is a label, never a citation key; access dates and
//! archive links as on Wikipedia.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const MANIFEST: &str = "sources/sources.toml";

/// Four sources, each with a distinctive key (`kay…`) and file stem (`stem…`)
/// so that a key shown as a name is found by its text:
/// - `kayalpha`: publisher inferred, date inferred, no title (opening words);
/// - `kaybravo`: title and publisher printed (`title_line`, `publisher_line`),
///   a dead original with an archived copy, a retrieval date;
/// - `kaycharlie`: a title, no publisher, no label (a derived label);
/// - `stemdelta.txt`: no manifest entry (W003) and no name at all;
/// - `kayecho`: a label, a live original with an archive.
fn trust_site() -> Site {
    Site::new(&[
        ("site.toml", "title = \"Trust\"\n".to_string()),
        (
            "sources/stemalpha.txt",
            "The harbour will reopen in March, Minister Ana Ruiz said on Monday.\nPort workers welcomed the news.\n".to_string(),
        ),
        (
            "sources/stembravo.txt",
            "Harbour to reopen in March\n\nThe harbour will reopen in March, Ana Ruiz said.\n© 2026 Harbour Gazette. All rights reserved.\n".to_string(),
        ),
        (
            "sources/stemcharlie.txt",
            "Port talks continue\nTalks on the harbour continue, officials said.\n".to_string(),
        ),
        (
            "sources/stemdelta.txt",
            "Ships wait outside the harbour.\n".to_string(),
        ),
        (
            "sources/stemecho.txt",
            "Echo headline\nThe harbour will reopen, Ana Ruiz told reporters.\n".to_string(),
        ),
        (
            MANIFEST,
            "[[source]]\nfile = \"stemalpha.txt\"\nid = \"kayalpha\"\npublisher = \"The Daily Example\"\npublisher_inferred = true\npublished = 2026-01-05\npublished_inferred = true\n\n\
             [[source]]\nfile = \"stembravo.txt\"\nid = \"kaybravo\"\ntitle_line = 1\npublisher = \"Harbour Gazette\"\npublisher_line = 4\npublished = 2026-01-06\n\
             url = \"https://gazette.example/harbour\"\narchive_url = \"https://archive.example/2026/gazette.example/harbour\"\nurl_status = \"dead\"\nretrieved = 2026-01-07\n\n\
             [[source]]\nfile = \"stemcharlie.txt\"\nid = \"kaycharlie\"\ntitle = \"Port talks continue\"\n\n\
             [[source]]\nfile = \"stemecho.txt\"\nid = \"kayecho\"\nlabel = \"Echo Wire\"\ntitle_line = 1\nurl = \"https://echo.example/a\"\narchive_url = \"https://archive.example/echo\"\nretrieved = 2026-01-08\n"
                .to_string(),
        ),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\n\
             The harbour will reopen in March [@kayalpha:1 \"The harbour will reopen in March\"; @kaybravo:3 \"The harbour will reopen in March\"]. \
             Talks continue [@kaycharlie:2 \"Talks on the harbour continue\"]. \
             Ships wait [@stemdelta:1 \"Ships wait\"]. \
             Ruiz spoke [@kayecho:2 \"Ana Ruiz told reporters\"].\n\n\
             Port workers welcomed it [@stemalpha.txt:2].\n\n{{ claims() }}\n\n{{ delegations() }}\n"
                .to_string(),
        ),
        (
            "content/delegations.toml",
            "[[delegation]]\nid = \"port\"\nname = \"Port authority\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\nrole = \"Minister\"\ncite = [\"kayalpha:1\", \"kaybravo:3\", \"kayecho:2\"]\n"
                .to_string(),
        ),
    ])
}

fn built(site: &Site) -> tempfile::TempDir {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    succeeded(site.build(&out));
    tmp
}

fn out(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    tmp.path().join("out")
}

/// Every JSON-LD object of every HTML page of `dir`, parsed.
fn json_lds(dir: &Path) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for file in html_files(dir) {
        let html = parse_file(&dir.join(&file));
        for script in select(&html, "script[type='application/ld+json']") {
            let v: Value = serde_json::from_str(&text(script))
                .unwrap_or_else(|e| panic!("{file}: JSON-LD does not parse: {e}"));
            all.push((file.clone(), v));
        }
    }
    all
}

/// Every JSON object inside `v` (itself included).
fn objects(v: &Value, out: &mut Vec<serde_json::Map<String, Value>>) {
    match v {
        Value::Object(m) => {
            out.push(m.clone());
            m.values().for_each(|x| objects(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// E016

fn e016(manifest: &str, line: usize, column: usize) -> Diagnostic {
    let site = minimal_site(&[(MANIFEST, manifest)]);
    let diags = site.errors();
    let d = find_diag(&diags, "E016", MANIFEST, line, column).clone();
    assert!(d.is_error());
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E016", MANIFEST, line, column);
    d
}

use explainer::Diagnostic;

#[test]
fn e016_title_line_that_does_not_print_the_title() {
    // a.txt: "First line of a." / "Second line says the harbour will reopen in March."
    let d = e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"the harbour will reopen\"\ntitle_line = 1\n",
        5,
        14,
    );
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("line 1 reads: \"First line of a.\""), "{d}");
    assert!(help.contains("printed on line 2"), "{d}");
}

#[test]
fn e016_publisher_line_that_does_not_print_the_publisher() {
    let d = e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\npublisher = \"Harbour Gazette\"\npublisher_line = 2\n",
        5,
        18,
    );
    assert!(d.message.contains("Harbour Gazette"), "{d}");
    assert!(
        d.help
            .as_deref()
            .unwrap_or_default()
            .contains("Second line says the harbour will reopen in March."),
        "{d}"
    );
}

#[test]
fn e016_line_out_of_range_for_either_key() {
    // a.txt has 4 lines.
    e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle_line = 5\n",
        4,
        14,
    );
    e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\npublisher = \"P\"\npublisher_line = 0\n",
        5,
        18,
    );
    e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"é\"\n  title_line = -3\n",
        5,
        16,
    );
}

#[test]
fn e016_publisher_line_without_a_publisher() {
    let d = e016(
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\npublisher_line = 1\n",
        4,
        18,
    );
    assert!(
        d.help
            .as_deref()
            .unwrap_or_default()
            .contains("publisher = "),
        "{d}"
    );
}

#[test]
fn printed_values_pass_normalized_and_unknown_values_stay_e006() {
    // Normalized like a quote: curly quotes and dashes in the value match the line.
    let site = minimal_site(&[
        ("sources/a.txt", "Title – with “quotes”\nbody\n"),
        (
            MANIFEST,
            "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"Title - with \\\"quotes\\\"\"\ntitle_line = 1\n",
        ),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\nBody [@alpha:2].\n",
        ),
    ]);
    site.warnings();
    for bad in [
        "url_status = \"gone\"\n",
        "archive_url = \"javascript:alert(1)\"\n",
        "label = \"  \"\n",
        "publisher_lines = 3\n",
    ] {
        let site = minimal_site(&[(
            MANIFEST,
            &format!("[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n{bad}"),
        )]);
        let diags = site.errors();
        assert!(
            diags.iter().any(|d| d.code == "E006" && d.line == 4),
            "{bad}: {}",
            render_all(&diags)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The fixture site

#[test]
fn trust_site_builds_with_w003_only() {
    let site = trust_site();
    let warnings = site.warnings();
    assert!(
        warnings.iter().all(|w| w.code == "W003"),
        "{}",
        render_all(&warnings)
    );
}

#[test]
fn an_inferred_publisher_is_called_inferred_wherever_it_is_shown() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let name = "The Daily Example";
    let mut pages_showing = Vec::new();
    for file in html_files(&dir) {
        let html = parse_file(&dir.join(&file));
        // Every element whose own text names the publisher says "inferred"
        // there too (in its text, or in its parent's for a split line).
        for el in select(&html, "body *") {
            let own: String = el
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            if !own.contains(name) {
                continue;
            }
            pages_showing.push(file.clone());
            let parent_text = el
                .parent()
                .and_then(scraper::ElementRef::wrap)
                .map(text)
                .unwrap_or_default();
            assert!(
                own.contains("inferred") || parent_text.contains("inferred"),
                "{file}: `{}` names the publisher without saying it is inferred",
                el.html()
            );
        }
        // The head (title, description, Open Graph) too.
        for meta in select(&html, "head title, head meta[content]") {
            let t = meta
                .value()
                .attr("content")
                .map_or_else(|| text(meta), str::to_string);
            if t.contains(name) {
                assert!(t.contains("inferred"), "{file}: head says {t:?}");
            }
        }
    }
    for want in [
        "index.html",
        "sources/index.html",
        "sources/kayalpha/index.html",
        "claims/index.html",
        "delegations/index.html",
    ] {
        assert!(
            pages_showing.iter().any(|p| p == want),
            "{want} should show the publisher: {pages_showing:?}"
        );
    }
    // The provenance page's kicker and the matrix and roster headers.
    let prov = parse_file(&dir.join("sources/kayalpha/index.html"));
    assert!(text(one(&prov, ".kicker")).contains("(inferred)"));
    let claims = parse_file(&dir.join("claims/index.html"));
    assert!(select(&claims, "th")
        .iter()
        .any(|th| text(*th).contains("The Daily Example (inferred)")));
    let roster = parse_file(&dir.join("delegations/index.html"));
    assert!(select(&roster, "th")
        .iter()
        .any(|th| text(*th).contains("The Daily Example (inferred)")));
    // The inferred date says so on the provenance page and /sources/.
    for page in ["sources/kayalpha/index.html", "sources/index.html"] {
        let html = parse_file(&dir.join(page));
        let time = select(&html, "time[datetime='2026-01-05']");
        assert!(!time.is_empty(), "{page}");
        for t in time {
            let parent = scraper::ElementRef::wrap(t.parent().unwrap()).unwrap();
            assert!(
                text(parent).contains("inferred"),
                "{page}: {}",
                parent.html()
            );
        }
    }
}

#[test]
fn json_ld_never_asserts_an_inferred_publisher_or_date() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let all = json_lds(&dir);
    assert!(all.len() >= 8, "one JSON-LD per page at least");
    let mut organizations = Vec::new();
    for (file, v) in &all {
        let mut objs = Vec::new();
        objects(v, &mut objs);
        for o in objs {
            if o.get("@type") == Some(&Value::from("Organization")) {
                organizations.push(o["name"].clone());
                assert_ne!(o["name"], "The Daily Example", "{file}");
            }
            assert_ne!(
                o.get("datePublished"),
                Some(&Value::from("2026-01-05")),
                "{file}: an inferred date as datePublished"
            );
        }
    }
    // A printed publisher is still an Organization.
    assert!(organizations.contains(&Value::from("Harbour Gazette")));
    // The provenance page of the dead original names its archive.
    let bravo = all
        .iter()
        .find(|(f, _)| f == "sources/kaybravo/index.html")
        .map(|(_, v)| v)
        .unwrap();
    assert_eq!(
        bravo["archivedAt"],
        "https://archive.example/2026/gazette.example/harbour"
    );
    assert_eq!(bravo["datePublished"], "2026-01-06");
}

/// JSON-LD is written from typed views: each object's keys must stand in
/// sorted order, as a JSON map writes them, and every markup character of a
/// string must be a `\u` escape, so that the text is exactly that of the
/// parsed value written again.
#[test]
fn json_ld_text_is_its_value_with_sorted_keys() {
    let site = trust_site();
    let author =
        "[[source]]\nfile = \"stemalpha.txt\"\nid = \"kayalpha\"\nauthor = \"A <b>&</b> Writer\"\n";
    let manifest = std::fs::read_to_string(site.root().join("sources/sources.toml")).unwrap();
    site.write(
        "sources/sources.toml",
        manifest.replacen(
            "[[source]]\nfile = \"stemalpha.txt\"\nid = \"kayalpha\"\n",
            author,
            1,
        ),
    );
    for config in [
        "title = \"Trust\"\n",
        "title = \"Trust\"\nbase_url = \"https://example.org/x/\"\n",
    ] {
        site.write("site.toml", config);
        let tmp = built(&site);
        let dir = out(&tmp);
        let mut keys = std::collections::BTreeSet::new();
        for file in html_files(&dir) {
            let html = parse_file(&dir.join(&file));
            for script in select(&html, "script[type='application/ld+json']") {
                let raw = text(script);
                let v: Value = serde_json::from_str(&raw).unwrap();
                let again = serde_json::to_string(&v)
                    .unwrap()
                    .replace('<', "\\u003c")
                    .replace('>', "\\u003e")
                    .replace('&', "\\u0026");
                assert_eq!(raw, again, "{file}");
                let mut objs = Vec::new();
                objects(&v, &mut objs);
                keys.extend(objs.iter().flat_map(|o| o.keys().cloned()));
            }
        }
        // Every optional key was written somewhere.
        for key in [
            "archivedAt",
            "author",
            "datePublished",
            "description",
            "isBasedOn",
            "publisher",
            "citation",
            "isPartOf",
            "encoding",
        ] {
            assert!(keys.contains(key), "{key} in {keys:?}");
        }
        let article_urls = json_lds(&dir)
            .iter()
            .filter(|(_, v)| v["@type"] == "NewsArticle")
            .filter(|(_, v)| {
                v["url"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("https://example.org/x/"))
            })
            .count();
        assert_eq!(article_urls > 0, config.contains("base_url"), "{config}");
    }
}

#[test]
fn no_page_shows_a_citation_key_or_file_stem_as_a_name() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    for file in html_files(&dir) {
        let html = parse_file(&dir.join(&file));
        for node in html.tree.nodes() {
            let Some(t) = node.value().as_text() else {
                continue;
            };
            // A key shown as a key (`code`, the labelled `.source-id`) or a file
            // shown as a file (the verbatim copy's link) is not a name.
            let shown_as_key = node.ancestors().any(|a| {
                a.value().as_element().is_some_and(|e| {
                    matches!(e.name(), "code" | "script" | "style" | "title")
                        || e.has_class("source-id", scraper::CaseSensitivity::CaseSensitive)
                        || e.attr("type") == Some("text/plain")
                })
            });
            if shown_as_key {
                continue;
            }
            for key in ["kay", "stem"] {
                assert!(
                    !t.contains(key),
                    "{file}: the text {:?} shows a citation key or file stem as a name",
                    &**t
                );
            }
        }
    }
}

#[test]
fn labels_are_the_label_the_publisher_or_derived() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let home = parse_file(&dir.join("index.html"));
    let names: Vec<String> = select(&home, ".cite-source")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(
        names,
        [
            "The Daily Example (inferred)",
            "Harbour Gazette",
            "Source 3",
            "Source 5",
            "Echo Wire",
            "The Daily Example (inferred)",
        ],
        "the label, else the publisher, else `Source N` by manifest order (no entry: after them)"
    );
    let sources = parse_file(&dir.join("sources/index.html"));
    let rows: Vec<String> = select(&sources, ".sources-table tbody th a")
        .into_iter()
        .map(text)
        .collect();
    assert!(rows.contains(&"Source 5".to_string()), "{rows:?}");
    assert!(rows.contains(&"Echo Wire".to_string()), "{rows:?}");
}

#[test]
fn opening_words_are_not_shown_as_a_headline() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let home = parse_file(&dir.join("index.html"));
    let titles: Vec<String> = select(&home, ".cite-title").into_iter().map(text).collect();
    assert_eq!(
        titles[0],
        "Opening words: “The harbour will reopen in March, Minister Ana Ruiz said on Monday.”"
    );
    // A title printed on a line, or given, is a headline.
    assert_eq!(titles[1], "“Harbour to reopen in March”");
    assert_eq!(titles[2], "“Port talks continue”");
    // The title stands where the page first cites a source (SPEC 3.3): the second citation of
    // kayalpha's opening words names the outlet alone.
    assert_eq!(select(&home, ".cite-title.opening-words").len(), 2);
    assert_eq!(titles.len(), 5, "{titles:?}");
    let prov = parse_file(&dir.join("sources/kayalpha/index.html"));
    assert!(squash(&text(one(&prov, "h1"))).starts_with("Opening words:"));
    // In body type, not at headline size (style.css).
    assert_eq!(attr(one(&prov, "h1"), "class"), "opening-words-h1");
    assert!(text(one(&prov, "head > title")).contains("Opening words"));
    let ld: Value =
        serde_json::from_str(&text(one(&prov, "script[type='application/ld+json']"))).unwrap();
    assert_eq!(
        ld["name"], "The Daily Example",
        "the label, not the opening words"
    );
}

#[test]
fn printed_lines_link_to_the_line() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let prov = parse_file(&dir.join("sources/kaybravo/index.html"));
    let dl = text(one(&prov, "dl.source-meta"));
    assert!(
        squash(&dl).contains("Harbour Gazette, printed on line 4"),
        "{dl}"
    );
    assert!(squash(&dl).contains("printed on line 1"), "{dl}");
    for n in ["1", "4"] {
        let a = one(&prov, &format!("dl.source-meta a[href='#L{n}']"));
        assert_eq!(text(a), format!("line {n}"));
    }
    let sources = parse_file(&dir.join("sources/index.html"));
    one(&sources, "a[href$='sources/kaybravo/index.html#L4']");
    assert!(broken_links(&dir).is_empty(), "{:?}", broken_links(&dir));
}

#[test]
fn retrieved_and_archive_links_like_wikipedia() {
    let site = trust_site();
    let tmp = built(&site);
    let dir = out(&tmp);
    let home = parse_file(&dir.join("index.html"));
    let cites = select(&home, "div.cite");
    // Dead original: the archive is the first link out, the original after it.
    let bravo = cites[1];
    let outs: Vec<&str> = select_in(bravo, "a.cite-archive, a.cite-original")
        .into_iter()
        .map(|a| attr(a, "href"))
        .collect();
    assert_eq!(
        outs[0],
        "https://archive.example/2026/gazette.example/harbour"
    );
    assert!(outs[1].starts_with("https://gazette.example/harbour#:~:text="));
    assert!(squash(&text(bravo)).contains("no longer online"));
    assert!(squash(&text(bravo)).contains("Retrieved 7 January 2026"));
    // Live original: the original first, the archive after it.
    let echo = cites[4];
    let outs: Vec<&str> = select_in(echo, "a.cite-archive, a.cite-original")
        .into_iter()
        .map(|a| attr(a, "href"))
        .collect();
    assert!(outs[0].starts_with("https://echo.example/a#:~:text="));
    assert_eq!(outs[1], "https://archive.example/echo");
    assert!(squash(&text(echo)).contains("Retrieved 8 January 2026"));
    // The provenance page lists the archive before a dead original.
    let prov = parse_file(&dir.join("sources/kaybravo/index.html"));
    let dts: Vec<String> = select(&prov, "dl.source-meta dt")
        .into_iter()
        .map(text)
        .collect();
    let archive = dts.iter().position(|d| d == "Archived copy").unwrap();
    let original = dts.iter().position(|d| d == "Original").unwrap();
    assert!(archive < original, "{dts:?}");
    assert!(dts.iter().any(|d| d == "Retrieved"));
    let prov = parse_file(&dir.join("sources/kayecho/index.html"));
    let dts: Vec<String> = select(&prov, "dl.source-meta dt")
        .into_iter()
        .map(text)
        .collect();
    let archive = dts.iter().position(|d| d == "Archived copy").unwrap();
    let original = dts.iter().position(|d| d == "Original").unwrap();
    assert!(original < archive, "{dts:?}");
}

#[test]
fn the_seed_site_declares_what_its_notes_say() {
    let tmp = tempdir();
    let dir = tmp.path().join("out");
    let opts = explainer::Options {
        root: repo(),
        output: Some(dir.clone()),
        drafts: false,
    };
    let report = explainer::build(&opts).unwrap_or_else(|_| panic!("the seed site builds"));
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let sources = parse_file(&dir.join("sources/index.html"));
    let table = squash(&text(one(&sources, ".sources-table tbody")));
    assert!(table.contains("The Jerusalem Post (inferred)"), "{table}");
    assert!(table.contains("The New Region (inferred)"), "{table}");
    assert!(table.contains("Newsmax (printed on line 13)"), "{table}");
    for key in ["source-002", "source-003"] {
        for file in html_files(&dir) {
            let html = parse_file(&dir.join(&file));
            // Editorial prose may name a key in `code`; a name never is one.
            for el in select(&html, ".cite-source, th, .kicker, td") {
                let shown: String = el
                    .text()
                    .filter(|_| select_in(el, "code").is_empty())
                    .collect();
                assert!(!shown.contains(key), "{file}: {}", el.html());
            }
        }
    }
}
