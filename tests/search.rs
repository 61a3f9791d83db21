//! `/search/` (README: Search): the page and its index are built by default and not at all
//! with `search = false`; the index counts one record per page and per source (claims and
//! source lines are anchors in them, each a sub-result that links to its note or line); the page works without JavaScript as far as it can (it says why it cannot search,
//! and links to /claims/ and /sources/); search's script and styles load on /search/ only.
//! That results link to the claim or line is checked in Chromium (site-check/search.test.mjs).

mod common;

use common::*;

fn built(site: &Site) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let out = dir.path().join("out");
    succeeded(site.build(&out));
    (dir, out)
}

#[test]
fn the_index_has_a_record_per_page_and_per_source() {
    let site = minimal_site(&[(
        "content/b.md",
        "+++\ntitle = \"B\"\n+++\n\nIt opens [@alpha:2]. It closes [@alpha:4].\n",
    )]);
    let (_dir, out) = built(&site);
    let entry = std::fs::read_to_string(out.join("pagefind/pagefind-entry.json")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    // 2 pages + 1 source.
    assert_eq!(entry["languages"]["en"]["page_count"], 3, "{entry}");
    for file in [
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind.js",
        "wasm.en.pagefind",
    ] {
        assert!(out.join("pagefind").join(file).is_file(), "{file}");
    }
    // Pagefind's other UIs are not shipped.
    assert!(!out.join("pagefind/pagefind-modular-ui.js").exists());
    assert!(!out.join("pagefind/pagefind-highlight.js").exists());
}

#[test]
fn the_search_page_explains_itself_without_javascript_and_loads_search_only_there() {
    let site = minimal_site(&[]);
    let (_dir, out) = built(&site);
    let html = parse_file(&out.join("search/index.html"));
    let form = one(&html, "form#search-form[role=\"search\"]");
    let explanation = one_in(form, "#search-needs-js").text().collect::<String>();
    assert!(explanation.contains("needs JavaScript"), "{explanation}");
    let links: Vec<_> = select_in(form, "a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(links, ["../claims/index.html", "../sources/index.html"]);
    let scripts: Vec<_> = select(&html, "script[src]")
        .iter()
        .map(|s| s.value().attr("src").unwrap().to_string())
        .collect();
    assert!(
        scripts.contains(&"../pagefind/pagefind-ui.js".to_string()),
        "{scripts:?}"
    );
    assert!(
        scripts.contains(&"../static/search.js".to_string()),
        "{scripts:?}"
    );

    // Other pages link to search from the footer, and load none of it.
    let home = parse_file(&out.join("index.html"));
    let footer_links: Vec<_> = select(&home, ".site-footer a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert!(footer_links.contains(&"search/index.html".to_string()));
    for page in html_files(&out) {
        if page == "search/index.html" {
            continue;
        }
        let text = std::fs::read_to_string(out.join(&page)).unwrap();
        assert!(!text.contains("pagefind"), "{page} loads search");
        assert!(!text.contains("search.js"), "{page} loads search");
    }
}

#[test]
fn search_false_builds_neither_page_nor_index_nor_link() {
    let site = minimal_site(&[("site.toml", "title = \"Minimal\"\nsearch = false\n")]);
    let (_dir, out) = built(&site);
    assert!(!out.join("search").exists());
    assert!(!out.join("pagefind").exists());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("search/index.html"));
}

#[test]
fn a_page_cannot_take_the_search_urls() {
    for (file, url) in [
        ("content/search.md", "search/"),
        ("content/pagefind/x.md", "pagefind/x/"),
    ] {
        let site = minimal_site(&[(file, "+++\ntitle = \"S\"\nuncited = true\n+++\n\nText.\n")]);
        let d = assert_error(&site, "E007", file, 1, 1);
        assert!(d.message.contains(url), "{d}");
    }
}

#[test]
fn two_builds_write_the_same_index() {
    let site = minimal_site(&[]);
    let (_a, one) = built(&site);
    let (_b, two) = built(&site);
    let (one, two) = (files(&one), files(&two));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs");
    }
}

#[test]
fn serve_builds_the_index_on_its_first_request_never_on_a_rebuild() {
    use explainer::editor::preview::Preview;
    let site = minimal_site(&[]);
    let mut preview = Preview::new(site.options(None, false));
    preview.rebuild(&[]).unwrap();
    let first = preview.current().unwrap();
    assert!(first.file("search/index.html").unwrap().is_ok());
    assert!(!first.search_index_built(), "a rebuild built the index");
    let entry = first.file("pagefind/pagefind-entry.json").unwrap().unwrap();
    assert!(first.search_index_built());
    assert!(String::from_utf8_lossy(&entry).contains("page_count"));
    // An unknown file under pagefind/ is not found, whether or not the index is built.
    assert!(first.file("pagefind/nothing.js").is_none());

    // An edit: a new build, whose index waits for its own first request.
    let page = site.path("content/_index.md");
    site.replace("content/_index.md", "The harbour", "The port");
    preview.rebuild(&[page]).unwrap();
    let second = preview.current().unwrap();
    assert!(!second.search_index_built());
    assert!(second.file("pagefind/pagefind-ui.js").unwrap().is_ok());
    assert!(second.search_index_built());
}
