//! Building the passing fixture site `tests/fixtures/pass-basic`: the output is checked with a
//! real HTML parser against the fixture's own files (SPEC 2, 3, 5, 7).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use explainer::Failure;
use scraper::Html;
use sha2::{Digest, Sha256};

const FIXTURE: &str = "pass-basic";
const ALPHA_URL: &str = "https://alpha.example/news/harbour-deal";

/// The fixture built once for this test binary (no drafts).
fn basic() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| build_fixture_once(FIXTURE, "build-pass-basic", false))
}

fn page(rel: &str) -> Html {
    parse_file(&basic().join(rel))
}

/// Source id -> its bytes in the fixture.
fn source_bytes() -> BTreeMap<String, Vec<u8>> {
    let root = fixture(FIXTURE);
    source_files(&root)
        .into_iter()
        .map(|(id, file)| (id, fs::read(root.join("sources").join(file)).unwrap()))
        .collect()
}

/// Every note citation on every content page: (page, note number, cite).
fn all_note_cites(out: &Path) -> Vec<(String, usize, NoteCite)> {
    let mut all = Vec::new();
    for p in content_pages(out) {
        let html = parse_file(&out.join(&p));
        for (n, cites) in note_cites(&p, &html) {
            for c in cites {
                all.push((p.clone(), n, c));
            }
        }
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Builds cleanly

#[test]
fn library_build_reports_no_diagnostic_and_the_expected_counts() {
    let report = succeeded(explainer::build(&fixture_options(
        &tempdir().path().join("out"),
    )));
    assert!(
        report.warnings.is_empty(),
        "{}",
        render_all(&report.warnings)
    );
    let s = &report.stats;
    // Counted by hand in the fixture: _index.md 14 groups / 18 citations, x/_index.md 1 / 1,
    // x/b.md 4 / 4; the draft page is left out; delegations.toml has 6 cites.
    assert_eq!(
        (s.pages, s.sources, s.claims, s.citations, s.roster_cites),
        (4, 3, 19, 23, 6)
    );
}

fn fixture_options(out: &Path) -> explainer::Options {
    explainer::Options {
        root: fixture(FIXTURE),
        output: Some(out.to_path_buf()),
        drafts: false,
    }
}

#[test]
fn binary_build_exits_0_and_prints_no_diagnostic() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let r = run([
        "build".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(
        !r.stderr.contains("warning[") && !r.stderr.contains("error"),
        "stderr:\n{}",
        r.stderr
    );
    assert!(out.join("index.html").is_file());
    // `check` agrees.
    let r = run([
        "check".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(!r.stderr.contains("warning["), "stderr:\n{}", r.stderr);
}

#[test]
fn pages_are_written_at_their_spec_urls() {
    let files = files(basic());
    for expected in [
        "index.html",
        "x/index.html",
        "x/b/index.html",
        "method/index.html",
        "404.html",
        "sources/index.html",
        "sources/alpha/index.html",
        "sources/alpha/000_alpha.txt",
        "sources/beta/index.html",
        "sources/beta/001_beta.txt",
        "sources/002_gamma/index.html",
        "sources/002_gamma/002_gamma.txt",
        "claims/index.html",
        "delegations/index.html",
        "annotations.jsonld",
        "search/index.html",
    ] {
        assert!(
            files.contains_key(expected),
            "{expected} missing; output has {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    assert_eq!(
        html_files(basic()).len(),
        12,
        "10 pages, /search/ and 404.html"
    );
    for absent in [
        "about/index.html",
        "draft/index.html",
        "sitemap.xml",
        "public/index.html",
    ] {
        assert!(
            !files.contains_key(absent),
            "{absent} should not be written"
        );
    }
    // Every page carries a title and a description.
    for p in html_files(basic()) {
        let html = page(&p);
        assert!(
            !squash(&text(one(&html, "head > title"))).is_empty(),
            "{p}: empty <title>"
        );
        assert!(
            !attr(one(&html, "meta[name=description]"), "content")
                .trim()
                .is_empty(),
            "{p}: empty description"
        );
        assert_eq!(
            select(&html, "meta[property='og:title']").len(),
            1,
            "{p}: og:title"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Links and ids

#[test]
fn every_internal_link_and_fragment_resolves() {
    let broken = broken_links(basic());
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // The checker did look at the links that matter.
    let all = links(basic());
    let with_fragment = all
        .iter()
        .filter(|l| !is_external(&l.value) && l.value.contains('#'))
        .count();
    assert!(
        all.len() > 200 && with_fragment > 100,
        "only {} links, {with_fragment} with a fragment",
        all.len()
    );
}

#[test]
fn internal_links_are_relative_and_name_a_file() {
    for link in links(basic()) {
        if is_external(&link.value) {
            assert!(
                link.value.starts_with("https://"),
                "{}: unexpected external {}",
                link.page,
                link.value
            );
            continue;
        }
        let path = link.value.split('#').next().unwrap();
        assert!(
            !path.starts_with('/'),
            "{}: absolute link {}",
            link.page,
            link.value
        );
        assert!(
            path.is_empty() || !path.ends_with('/'),
            "{}: link to a folder {}",
            link.page,
            link.value
        );
    }
}

#[test]
fn ids_are_unique_on_every_page() {
    for p in html_files(basic()) {
        let dup = duplicates(&ids(&page(&p)));
        assert!(dup.is_empty(), "{p}: duplicate ids {dup:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Notes

#[test]
fn notes_and_markers_link_both_ways() {
    let mut checked = 0;
    for p in content_pages(basic()) {
        let html = page(&p);
        let mut markers_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in select(&html, "sup.note-ref") {
            let id = attr(m, "id").to_string();
            let a = one_in(m, "a");
            let href = attr(a, "href");
            let note = href
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{p}: marker {id} links to {href}"));
            assert_eq!(
                select(&html, &format!("li.note#{note}")).len(),
                1,
                "{p}: marker {id} points to a missing note {note}"
            );
            let n = note.strip_prefix("n-").unwrap();
            assert!(
                id == format!("r-{n}") || id.starts_with(&format!("r-{n}-")),
                "{p}: marker {id} for note {note}"
            );
            assert_eq!(
                squash(&text(a)),
                n,
                "{p}: marker {id} shows its note number"
            );
            markers_of.entry(note.to_string()).or_default().insert(id);
        }
        for note in select(&html, "li.note") {
            let id = attr(note, "id").to_string();
            let backs: BTreeSet<String> = select_in(note, "a.note-back")
                .into_iter()
                .map(|a| {
                    attr(a, "href")
                        .strip_prefix('#')
                        .expect("back-link is a fragment")
                        .to_string()
                })
                .collect();
            let expected = markers_of.get(&id).cloned().unwrap_or_default();
            assert!(!expected.is_empty(), "{p}: note {id} has no marker");
            assert_eq!(
                backs, expected,
                "{p}: note {id} must link back to each of its markers"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        15 + 1 + 4,
        "notes on the home page (14 citation groups + 1 editorial), /x/, /x/b/"
    );
}

#[test]
fn notes_are_numbered_in_order_of_first_reference_and_footnotes_share_it() {
    for p in content_pages(basic()) {
        let html = page(&p);
        let mut first_seen: Vec<usize> = Vec::new();
        for m in select(&html, "sup.note-ref > a") {
            let n: usize = attr(m, "href").trim_start_matches("#n-").parse().unwrap();
            if !first_seen.contains(&n) {
                first_seen.push(n);
            }
        }
        let expected: Vec<usize> = (1..=first_seen.len()).collect();
        assert_eq!(
            first_seen, expected,
            "{p}: notes numbered by first reference"
        );
        let notes: Vec<String> = select(&html, "ol.notes-list > li.note")
            .into_iter()
            .map(|n| attr(n, "id").to_string())
            .collect();
        let expected: Vec<String> = (1..=first_seen.len()).map(|n| format!("n-{n}")).collect();
        assert_eq!(notes, expected, "{p}: notes listed in number order");
    }
    // The editorial footnote [^why] is referenced after citation note 1 and again later:
    // it takes number 2 in the shared numbering, and both references point to it.
    let home = page("index.html");
    let editorial = one(&home, "li.note#n-2");
    assert!(
        editorial.value().classes().any(|c| c == "note-editorial"),
        "{}",
        editorial.html()
    );
    assert!(
        squash(&text(editorial)).contains("are the outlets’ words, not ours"),
        "{}",
        text(editorial)
    );
    assert!(select_in(editorial, "div.cite").is_empty());
    let refs: Vec<&str> = select(&home, "sup.note-ref")
        .into_iter()
        .filter(|m| attr(one_in(*m, "a"), "href") == "#n-2")
        .map(|m| attr(m, "id"))
        .collect();
    assert_eq!(refs.len(), 2, "[^why] is referenced twice: {refs:?}");
    assert_eq!(select(&home, "li.note.note-editorial").len(), 1);
    assert_eq!(select(&home, "li.note.note-cite").len(), 14);
}

#[test]
fn notes_name_the_source_lines_and_show_the_quote_and_the_full_line() {
    let bytes = source_bytes();
    let lines: BTreeMap<String, Vec<String>> = bytes
        .iter()
        .map(|(id, b)| (id.clone(), spec_lines(b)))
        .collect();
    let all = all_note_cites(basic());
    assert_eq!(all.len(), 23, "every citation has its entry in a note");
    for (p, n, c) in &all {
        let src = &lines[&c.source];
        assert!(
            c.first >= 1 && c.first <= c.last && c.last <= src.len(),
            "{p} note {n}: {c:?}"
        );
        let full: Vec<&str> = src[c.first - 1..c.last]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            squash(&c.line_text),
            squash(&full.join(" ")),
            "{p} note {n}: blockquote.cite-text holds the cited line(s)"
        );
        let summary = c.summary.trim();
        if let Some(quote) = summary.strip_prefix('“').and_then(|s| s.strip_suffix('”')) {
            // Every part of the quote occurs, in order, in the normalized cited text.
            let hay = spec_normalize(&c.line_text);
            let mut from = 0;
            for part in spec_quote_parts(quote) {
                let at = hay[from..]
                    .find(&part)
                    .unwrap_or_else(|| panic!("{p} note {n}: {part:?} not in {hay:?}"));
                from += at + part.len();
            }
        } else {
            let shown = spec_normalize(summary.trim_end_matches('…'));
            assert!(
                spec_normalize(&c.line_text).starts_with(&shown),
                "{p} note {n}: summary {summary:?} is the line's text"
            );
        }
    }

    // Specific quotes, as written in the fixture.
    let home = note_cites("index.html", &page("index.html"));
    let summary = |n: usize, k: usize| spec_normalize(&home[&n][k].summary);
    assert_eq!(
        summary(1, 0),
        "\"the \"joint committee\" will meet every week\""
    );
    assert_eq!(
        summary(3, 0),
        "\"Jane O'Neill - speaking in Port Town - called it \"a fair deal\"\"",
        "NBSP, dashes, \\\" in a quote"
    );
    assert_eq!(
        summary(8, 0),
        "\"He said: \"we will see\" about the timeline\""
    );
    assert_eq!(
        summary(7, 0),
        "\"Critics called the deal 'rushed' - and said so twice\"",
        "a “…”-delimited quote"
    );
    assert_eq!(
        home[&3][0].line_text,
        "Minister Jane O’Neill — speaking in Port Town — called it “a fair deal”."
    );
    assert_eq!(
        (
            home[&9][0].source.as_str(),
            home[&9][0].first,
            home[&9][0].last
        ),
        ("alpha", 8, 9),
        "a range"
    );
    assert_eq!(
        squash(&home[&9][0].line_text),
        "He said: \"we will see\" about the timeline. The port will reopen in March."
    );
    assert_eq!(
        home[&9][1].summary.trim(),
        "The port will reopen in March.",
        "no quote: the note shows the line"
    );
    // Keys by id, file name and file stem all name the same source.
    assert_eq!(
        (home[&4][0].source.as_str(), home[&4][0].first),
        ("alpha", 6),
        "@000_alpha.txt:6"
    );
    assert_eq!(
        (home[&9][1].source.as_str(), home[&9][1].first),
        ("alpha", 9),
        "@000_alpha:9"
    );
    assert_eq!(
        (home[&12][1].source.as_str(), home[&12][1].first),
        ("002_gamma", 2),
        "@002_gamma.txt:2"
    );
    // Multiple citations in one group are one note.
    assert_eq!(home[&12].len(), 2);
    assert_eq!(home[&14].len(), 2);
}

#[test]
fn the_original_article_is_linked_with_a_text_fragment_only_for_the_source_with_a_url() {
    let mut with_fragment = 0;
    for (p, n, c) in all_note_cites(basic()) {
        match c.source.as_str() {
            "alpha" => {
                let original = c
                    .original
                    .as_deref()
                    .unwrap_or_else(|| panic!("{p} note {n}: alpha has a url"));
                assert!(original.starts_with(ALPHA_URL), "{p} note {n}: {original}");
                let quoted = c.summary.trim().starts_with('“');
                assert_eq!(
                    original.contains("#:~:text="),
                    quoted,
                    "{p} note {n}: text fragment exactly for quotes: {original}"
                );
                if quoted {
                    with_fragment += 1;
                    let term = percent_decode(original.split("#:~:text=").nth(1).unwrap());
                    let parts = spec_quote_parts(
                        c.summary
                            .trim()
                            .strip_prefix('“')
                            .and_then(|q| q.strip_suffix('”'))
                            .unwrap_or_default(),
                    );
                    if parts.len() == 1 {
                        assert_eq!(term, parts[0], "{p} note {n}");
                    } else {
                        assert_eq!(
                            term,
                            format!("{},{}", parts[0], parts[parts.len() - 1]),
                            "{p} note {n}: start,end"
                        );
                    }
                }
            }
            _ => assert_eq!(c.original, None, "{p} note {n}: {} has no url", c.source),
        }
    }
    assert!(with_fragment >= 6, "{with_fragment}");
    // No other link anywhere carries a text fragment.
    for l in links(basic()) {
        if l.value.contains(":~:text=") {
            assert!(
                l.value.starts_with(&format!("{ALPHA_URL}#:~:text=")),
                "{}: {}",
                l.page,
                l.value
            );
        }
    }
}

#[test]
fn citations_in_code_and_escaped_brackets_stay_text() {
    let home = page("index.html");
    let section = select(&home, ".prose p")
        .into_iter()
        .find(|p| text(*p).contains("A citation is written"))
        .expect("the paragraph");
    assert!(
        select_in(section, "sup.note-ref").is_empty(),
        "{}",
        section.html()
    );
    let t = text(section);
    assert!(
        t.contains("written [@alpha:1] in"),
        "\\[@ renders as a literal [@: {t}"
    );
    assert!(t.contains("[@harbourauthority]"), "{t}");
    assert!(!t.contains("\\[@"), "{t}");
    assert_eq!(
        text(one_in(section, "code")),
        "[@alpha:99 \"not a citation\"]"
    );
    let pres: Vec<String> = select(&home, ".prose pre").into_iter().map(text).collect();
    assert_eq!(pres.len(), 2, "{pres:?}");
    assert_eq!(pres[0], "[@nosuch:1 \"never checked\"]\n{{ claims() }}\n");
    assert!(
        pres[1].contains("cite = [\"alpha:4\", \"beta:2\"]"),
        "{}",
        pres[1]
    );
    assert_eq!(
        select(&home, ".prose pre code.language-toml").len(),
        1,
        "the toml block keeps its language"
    );
    assert!(
        select(&home, "table.matrix").is_empty(),
        "{{ claims() }} in code is not a shortcode"
    );
    // The shortcode page: rendered shortcodes, and the one in code left alone.
    let x = page("x/index.html");
    assert_eq!(select(&x, ".prose section.roster#d-harbour").len(), 1);
    assert_eq!(select(&x, ".prose table.matrix").len(), 1);
    let pre = one(&x, ".prose pre");
    assert_eq!(text(pre), "{{ delegations() }}\n");
    assert!(!text(one(&x, ".prose")).contains("{{ claims() }}"));
}

// ---------------------------------------------------------------------------------------------
// Sources: verbatim copies and provenance pages

#[test]
fn verbatim_copies_are_byte_identical_to_the_sources() {
    let root = fixture(FIXTURE);
    for (id, file) in source_files(&root) {
        let original = fs::read(root.join("sources").join(&file)).unwrap();
        let name = file.rsplit('/').next().unwrap();
        let copy = fs::read(basic().join(format!("sources/{id}/{name}"))).unwrap();
        assert!(
            copy == original,
            "sources/{id}/{name} differs from sources/{file}"
        );
        let html = page(&format!("sources/{id}/index.html"));
        let page_file = format!("sources/{id}/index.html");
        let to_copy = select(&html, "main a[href]")
            .into_iter()
            .filter(|a| {
                target_of(&page_file, attr(*a, "href")).map(|t| t.0)
                    == Ok(format!("sources/{id}/{name}"))
            })
            .count();
        assert!(
            to_copy >= 1,
            "{id}: the provenance page links to the verbatim copy"
        );
        let digest: String = Sha256::digest(&original)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let main = squash(&text(one(&html, "main")));
        assert!(
            main.contains(&digest),
            "{id}: SHA-256 of the exact bytes: {main}"
        );
        assert!(
            main.contains(&format!("{} bytes", original.len())),
            "{id}: size in bytes: {main}"
        );
        assert!(
            main.contains(&format!("sources/{file}")),
            "{id}: file name: {main}"
        );
    }
    // The byte-order mark is kept in the copy, and CRLF line ends too.
    assert!(fs::read(basic().join("sources/beta/001_beta.txt"))
        .unwrap()
        .starts_with("\u{FEFF}".as_bytes()));
    assert!(fs::read(basic().join("sources/alpha/000_alpha.txt"))
        .unwrap()
        .ends_with(b"\r\n"));
}

#[test]
fn provenance_pages_number_every_line() {
    for (id, bytes) in source_bytes() {
        let html = page(&format!("sources/{id}/index.html"));
        let expected = spec_lines(&bytes);
        let items = select(&html, "ol.source-lines > li.line");
        assert_eq!(items.len(), expected.len(), "{id}: one li.line per line");
        for (i, (li, line)) in items.iter().zip(&expected).enumerate() {
            assert_eq!(
                attr(*li, "id"),
                format!("L{}", i + 1),
                "{id}: line ids in order"
            );
            let shown = text(one_in(*li, ".lt"));
            assert_eq!(&shown, line, "{id} line {}: text as in the source", i + 1);
            assert!(!shown.contains('\r') && !shown.contains('\u{FEFF}'));
        }
    }
    // The edge cases of the fixture, spelled out.
    let alpha = page("sources/alpha/index.html");
    assert_eq!(
        select(&alpha, "li.line").len(),
        9,
        "CRLF file with a final newline: 9 lines"
    );
    assert_eq!(
        text(one(&alpha, "li#L7 .lt")),
        "\u{A0}",
        "line 7 holds only a no-break space"
    );
    assert_eq!(text(one(&alpha, "li#L2 .lt")), "");
    let beta = page("sources/beta/index.html");
    assert_eq!(
        select(&beta, "li.line").len(),
        5,
        "a final line without newline is a line"
    );
    assert_eq!(
        text(one(&beta, "li#L1 .lt")),
        "Beta News: harbour deal signed",
        "BOM not part of line 1"
    );
    assert_eq!(
        text(one(&beta, "li#L5 .lt")),
        "The port reopens in March, the ministry confirmed."
    );
}

/// Source id -> line -> the places that cite it: `page#r-N` for claims, `m-…` for roster members.
fn expected_citers() -> BTreeMap<String, BTreeMap<usize, BTreeSet<String>>> {
    let mut out: BTreeMap<String, BTreeMap<usize, BTreeSet<String>>> = BTreeMap::new();
    for (p, n, c) in all_note_cites(basic()) {
        for l in c.first..=c.last {
            out.entry(c.source.clone())
                .or_default()
                .entry(l)
                .or_default()
                .insert(format!("{p}#r-{n}"));
        }
    }
    let root = fixture(FIXTURE);
    let keys = source_keys(&root);
    let roster: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("content/delegations.toml")).unwrap())
            .unwrap();
    for d in roster["delegation"].as_array().unwrap() {
        for m in d["member"].as_array().unwrap() {
            for cite in m["cite"].as_array().unwrap() {
                let (key, line) = cite.as_str().unwrap().split_once(':').unwrap();
                let line: usize = line.parse().unwrap();
                out.entry(keys[key].clone())
                    .or_default()
                    .entry(line)
                    .or_default()
                    .insert(format!(
                        "delegations/index.html#{}",
                        m["name"].as_str().unwrap()
                    ));
            }
        }
    }
    out
}

#[test]
fn cited_lines_are_marked_and_link_back_to_every_claim_that_cites_them() {
    let expected = expected_citers();
    for (id, bytes) in source_bytes() {
        let file = format!("sources/{id}/index.html");
        let html = page(&file);
        let lines = spec_lines(&bytes);
        let cited_expected: BTreeSet<usize> = expected
            .get(&id)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        let cited: BTreeSet<usize> = select(&html, "li.line.cited")
            .into_iter()
            .map(|li| attr(li, "id")[1..].parse().unwrap())
            .collect();
        assert_eq!(cited, cited_expected, "{id}: cited lines marked");
        for n in 1..=lines.len() {
            let li = one(&html, &format!("li.line#L{n}"));
            let backs = select_in(li, "ul.backlinks a");
            let want = expected
                .get(&id)
                .and_then(|m| m.get(&n))
                .cloned()
                .unwrap_or_default();
            let mut claims = BTreeSet::new();
            let mut members = 0;
            for a in &backs {
                let (target, fragment) = target_of(&file, attr(*a, "href")).unwrap();
                let fragment = fragment.expect("back-links name a place on the page");
                let target_html = page(&target);
                if target == "delegations/index.html" {
                    // A roster row that links to this very line.
                    let row = one(&target_html, &format!("tr#{fragment}"));
                    let to_line = select_in(row, "td.named a")
                        .into_iter()
                        .any(|l| provenance_target(&target, attr(l, "href")) == (id.clone(), n));
                    assert!(
                        to_line,
                        "{id} L{n}: roster back-link {fragment} whose row does not cite this line"
                    );
                    members += 1;
                } else {
                    // A claim marker whose note cites this source at a range holding this line.
                    assert_eq!(
                        select(&target_html, &format!("sup.note-ref#{fragment}")).len(),
                        1,
                        "{id} L{n}: {target}#{fragment} is not a marker"
                    );
                    let note: usize = fragment
                        .trim_start_matches("r-")
                        .split('-')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap();
                    let cites = &note_cites(&target, &target_html)[&note];
                    assert!(
                        cites
                            .iter()
                            .any(|c| c.source == id && c.first <= n && n <= c.last),
                        "{id} L{n}: {target} note {note} does not cite it"
                    );
                    claims.insert(format!("{target}#{fragment}"));
                }
            }
            let want_claims: BTreeSet<String> = want
                .iter()
                .filter(|w| !w.starts_with("delegations/"))
                .cloned()
                .collect();
            assert_eq!(
                claims, want_claims,
                "{id} L{n}: a back-link to every claim citing the line"
            );
            assert_eq!(
                members,
                want.len() - want_claims.len(),
                "{id} L{n}: a back-link per roster member citing it"
            );
        }
    }
}

#[test]
fn the_share_of_cited_lines_is_shown() {
    let expected = expected_citers();
    let index = page("sources/index.html");
    for (id, bytes) in source_bytes() {
        let lines = spec_lines(&bytes);
        let non_blank: Vec<usize> = (1..=lines.len())
            .filter(|&n| !is_blank(&lines[n - 1]))
            .collect();
        let cited = non_blank
            .iter()
            .filter(|n| expected.get(&id).is_some_and(|m| m.contains_key(n)))
            .count();
        let share = ((cited * 100) as f64 / non_blank.len() as f64).round() as usize;
        let html = page(&format!("sources/{id}/index.html"));
        let shown = squash(&text(one(&html, "main")));
        for want in [
            format!("{cited} of {}", non_blank.len()),
            format!("{share}%"),
        ] {
            assert!(shown.contains(&want), "{id}: {want:?} not shown: {shown}");
        }
        // The sources index: the row that links to this source.
        let row = select(&index, "main tr")
            .into_iter()
            .find(|tr| {
                select_in(*tr, "a[href]").into_iter().any(|a| {
                    target_of("sources/index.html", attr(a, "href")).map(|t| t.0)
                        == Ok(format!("sources/{id}/index.html"))
                })
            })
            .unwrap_or_else(|| panic!("{id} in the sources index"));
        let citations = all_note_cites(basic())
            .iter()
            .filter(|(_, _, c)| c.source == id)
            .count();
        let cells: Vec<String> = select_in(row, "td")
            .into_iter()
            .map(|td| squash(&text(td)))
            .collect();
        assert!(
            cells.iter().any(|c| c.starts_with(&format!("{share}%"))),
            "{id}: share in the sources index: {cells:?}"
        );
        assert!(
            cells.contains(&lines.len().to_string()),
            "{id}: lines in the sources index: {cells:?}"
        );
        assert!(
            cells.contains(&citations.to_string()),
            "{id}: citations in the sources index: {cells:?}"
        );
    }
    // Hand-checked: alpha has 7 non-blank lines (line 7 is only U+00A0), 6 of them cited.
    let alpha = squash(&text(one(&page("sources/alpha/index.html"), "main")));
    assert!(alpha.contains("6 of 7") && alpha.contains("86%"), "{alpha}");
}

// ---------------------------------------------------------------------------------------------
// Output handling (SPEC 5, 7)

#[test]
fn two_builds_are_byte_identical() {
    // The second build reads a copy of the site at another path and writes elsewhere:
    // neither path may leak into the output.
    let site = Site::from_fixture(FIXTURE);
    let tmp = tempdir();
    let second = tmp.path().join("second");
    site.build(&second)
        .unwrap_or_else(|_| panic!("second build"));
    let a = files(basic());
    let b = files(&second);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same file list"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
    let leaks: Vec<&String> = b
        .iter()
        .filter(|(_, bytes)| {
            [site.root(), tmp.path()].iter().any(|p| {
                let needle = p.to_string_lossy();
                bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            })
        })
        .map(|(p, _)| p)
        .collect();
    assert!(leaks.is_empty(), "files naming a build path: {leaks:?}");
}

#[test]
fn building_into_the_site_root_is_refused() {
    let site = Site::from_fixture(FIXTURE);
    let before = files(site.root());
    let r = run([
        "build".as_ref(),
        "--root".as_ref(),
        site.root().as_os_str(),
        "--output".as_ref(),
        site.root().as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(files(site.root()) == before, "the site was changed");
}

#[test]
fn odd_source_file_names_get_working_links() {
    // No manifest entry: the id is the file stem, with a space and non-ASCII letters.
    let site = minimal_site(&[
        ("sources/Été 2026 #1.txt", "Odd file name.\n"),
        (
            "site.toml",
            "title = \"Odd\"\nbase_url = \"https://example.org/odd/\"\n",
        ),
    ]);
    let warnings = site.warnings();
    let codes: Vec<&str> = warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["W001", "W003"], "{}", render_all(&warnings));
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    assert!(
        out.join("sources/Été 2026 #1/Été 2026 #1.txt").is_file(),
        "{:?}",
        files(&out).keys().collect::<Vec<_>>()
    );
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    let xml = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml parses");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.iter().all(|l| !l.contains(' ') && !l.contains('#')),
        "URLs are percent-encoded: {locs:?}"
    );
    assert_eq!(locs.len(), 6, "{locs:?} (/search/ included)");
}

#[test]
fn the_link_checker_finds_broken_links() {
    // The helper every link test relies on must be able to fail.
    let tmp = tempdir();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("a")).unwrap();
    fs::write(dir.join("index.html"), "<!DOCTYPE html><title>t</title><p id=here><a href=a/index.html#there>ok</a> <a href=a/index.html#nowhere>bad id</a> <a href=missing.html>bad file</a> <a href=a/>folder</a> <a href=#here>self</a> <a href=https://x.example/#y>external</a> <a href=../up.html>up</a>").unwrap();
    fs::write(dir.join("a/index.html"), "<!DOCTYPE html><title>t</title><p id=there><a href=../index.html#here>back</a> <a href=%41.txt>encoded</a>").unwrap();
    fs::write(dir.join("a/A.txt"), "x").unwrap();
    let broken = broken_links(dir);
    assert_eq!(broken.len(), 4, "{broken:#?}");
    for bad in ["#nowhere", "missing.html", "\"a/\"", "../up.html"] {
        assert!(
            broken.iter().any(|b| b.contains(bad)),
            "{bad} not reported: {broken:#?}"
        );
    }
}

#[test]
fn drafts_are_built_only_when_asked() {
    // Without drafts: no page, no link, no claim, no cited line from the draft.
    assert!(!basic().join("draft/index.html").exists());
    for l in links(basic()) {
        assert!(
            !l.value.contains("draft/"),
            "{}: link to the draft {}",
            l.page,
            l.value
        );
    }
    let beta = page("sources/beta/index.html");
    assert!(
        select(&beta, "li#L1.cited").is_empty(),
        "only the draft cites beta line 1"
    );
    // With drafts (library).
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let report = explainer::build(&explainer::Options {
        root: fixture(FIXTURE),
        output: Some(out.clone()),
        drafts: true,
    })
    .unwrap_or_else(|_| panic!("drafts build"));
    assert_eq!((report.stats.pages, report.stats.citations), (5, 24));
    let draft = parse_file(&out.join("draft/index.html"));
    let cites = note_cites("draft/index.html", &draft);
    assert_eq!(cites[&1][0].source, "beta");
    let beta = parse_file(&out.join("sources/beta/index.html"));
    assert_eq!(select(&beta, "li#L1.cited").len(), 1);
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    // With drafts (binary flag).
    let out2 = tmp.path().join("out2");
    let r = run([
        "build".as_ref(),
        "--drafts".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
        "--output".as_ref(),
        out2.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out2.join("draft/index.html").is_file());
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::from_fixture(FIXTURE);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    site.build(&out).unwrap_or_else(|_| panic!("first build"));
    let before = files(&out);
    // A quote that is not in the cited line.
    site.replace(
        "content/x/b.md",
        "\"declined to comment\"",
        "\"refused to comment\"",
    );
    match site.build(&out) {
        Err(Failure::Content(d)) => {
            assert_eq!(
                positions(&d),
                vec![("E003".into(), "content/x/b.md".into(), 6, 148)],
                "{}",
                render_all(&d)
            );
        }
        other => panic!("expected E003, got {:?}", other.map(|r| r.warnings)),
    }
    assert!(
        files(&out) == before,
        "the library's failed build changed the output"
    );
    let r = site.run_build(&out);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        files(&out) == before,
        "the binary's failed build changed the output"
    );
    let siblings: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".public.explainer-lock")
        .collect();
    assert_eq!(siblings, ["public"], "no staging folder left behind");
    // Fixed again, the build replaces the output.
    site.replace(
        "content/x/b.md",
        "\"refused to comment\"",
        "\"declined to comment\"",
    );
    site.build(&out).unwrap_or_else(|_| panic!("third build"));
    assert!(files(&out) == before);
}

#[test]
fn a_foreign_non_empty_output_directory_is_refused_and_kept() {
    let tmp = tempdir();
    let out = tmp.path().join("mine");
    fs::create_dir_all(out.join("sub")).unwrap();
    fs::write(out.join("precious.txt"), "keep me").unwrap();
    fs::write(out.join("sub/index.html"), "<p>mine</p>").unwrap();
    let before = files(&out);
    let r = run([
        "build".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "refused with exit 2; stderr:\n{}", r.stderr);
    assert!(
        r.stderr.contains("mine"),
        "the message names the folder: {}",
        r.stderr
    );
    assert!(files(&out) == before, "the foreign folder was changed");
    match explainer::build(&fixture_options(&out)) {
        Err(Failure::Io(_)) => {}
        other => panic!(
            "expected an I/O failure, got {:?}",
            other.map(|r| r.warnings)
        ),
    }
    assert!(files(&out) == before);
    let siblings: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings, ["mine"], "nothing written beside it");
}

#[test]
fn an_empty_existing_output_directory_is_used() {
    let tmp = tempdir();
    let out = tmp.path().join("empty");
    fs::create_dir(&out).unwrap();
    let r = run([
        "build".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("index.html").is_file());
    // And a build's own output is replaced on the next build.
    let r = run([
        "build".as_ref(),
        "--root".as_ref(),
        fixture(FIXTURE).as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_default_output_is_output_dir_below_the_root() {
    let site = Site::from_fixture(FIXTURE);
    site.replace(
        "site.toml",
        "output_dir = \"public\"",
        "output_dir = \"site-out\"",
    );
    let r = run(["build".as_ref(), "--root".as_ref(), site.root().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.path("site-out/index.html").is_file());
    assert!(!site.path("public").exists());
}

#[test]
fn check_writes_nothing() {
    let site = Site::from_fixture(FIXTURE);
    let before = files(site.root());
    let report = site.check().unwrap_or_else(|_| panic!("check"));
    assert!(report.output.is_none());
    assert_eq!(report.stats.citations, 23);
    let r = site.run_check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = files(site.root());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "check created or removed files"
    );
    assert!(after == before, "check changed a file");
}

/// The non-blank text nodes below `el`, white space collapsed (minifying may drop the
/// white space between blocks, never words).
fn text_nodes(el: scraper::ElementRef) -> Vec<String> {
    el.descendants()
        .filter_map(|n| n.value().as_text().map(|t| squash(t)))
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn minified_and_unminified_output_both_parse_to_the_same_structure() {
    let site = Site::from_fixture(FIXTURE);
    site.replace("site.toml", "minify = true", "minify = false");
    let tmp = tempdir();
    let plain = tmp.path().join("plain");
    site.build(&plain)
        .unwrap_or_else(|_| panic!("unminified build"));
    let broken = broken_links(&plain);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    let minified = basic();
    assert_eq!(html_files(&plain), html_files(minified));
    let mut smaller = 0;
    for p in html_files(&plain) {
        let a = parse_file(&plain.join(&p));
        let b = parse_file(&minified.join(&p));
        assert_eq!(ids(&a), ids(&b), "{p}: same ids");
        let hrefs = |h: &Html| {
            select(h, "[href]")
                .into_iter()
                .map(|e| attr(e, "href").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(hrefs(&a), hrefs(&b), "{p}: same links");
        assert_eq!(
            text_nodes(one(&a, "main")),
            text_nodes(one(&b, "main")),
            "{p}: same text"
        );
        if fs::metadata(minified.join(&p)).unwrap().len()
            < fs::metadata(plain.join(&p)).unwrap().len()
        {
            smaller += 1;
        }
    }
    assert_eq!(
        smaller,
        html_files(&plain).len(),
        "minify = true makes every page smaller"
    );
}

// ---------------------------------------------------------------------------------------------
// Smaller sites

#[test]
fn build_and_check_default_to_the_current_directory() {
    let site = minimal_site(&[]);
    let r = run_in(Some(site.root()), ["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!site.path("public").exists(), "check writes nothing");
    let r = run_in(Some(site.root()), ["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        site.path("public/index.html").is_file(),
        "output_dir defaults to public/"
    );
}

#[test]
fn repeated_citation_groups_are_separate_notes_and_claims() {
    let site = minimal_site(&[(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n\nIt reopens [@alpha:2]. It reopens [@alpha:2].\n",
    )]);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let report = site.build(&out).unwrap_or_else(|_| panic!("build"));
    assert_eq!((report.stats.claims, report.stats.citations), (2, 2));
    let home = parse_file(&out.join("index.html"));
    assert_eq!(select(&home, "li.note").len(), 2);
    let backs: Vec<String> = select(
        &parse_file(&out.join("sources/alpha/index.html")),
        "li#L2 ul.backlinks a",
    )
    .into_iter()
    .map(|a| attr(a, "href").to_string())
    .collect();
    assert_eq!(backs, ["../../index.html#r-1", "../../index.html#r-2"]);
}

#[test]
fn a_site_template_overrides_the_default_one() {
    let site = minimal_site(&[(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}<p id=\"custom-404\">Lost at sea.</p>{% endblock content %}\n",
    )]);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    let html = parse_file(&out.join("404.html"));
    assert_eq!(text(one(&html, "p#custom-404")), "Lost at sea.");
    // The other templates are the default theme's.
    assert_eq!(
        select(&parse_file(&out.join("index.html")), "li.note").len(),
        1
    );
    // A named theme holding only one template.
    site.write("themes/harbour/templates/404.html", "{% extends \"base.html\" %}\n{% block content %}<p id=\"harbour-404\">Not here.</p>{% endblock content %}\n");
    site.write("site.toml", "title = \"Minimal\"\ntheme = \"harbour\"\n");
    site.build(&out)
        .unwrap_or_else(|_| panic!("build with theme harbour"));
    assert_eq!(
        select(&parse_file(&out.join("404.html")), "p#harbour-404").len(),
        1
    );
    assert_eq!(
        select(&parse_file(&out.join("index.html")), "li.note").len(),
        1
    );
}

#[cfg(unix)]
#[test]
fn symlinked_sources_are_not_followed() {
    let site = minimal_site(&[("outside.txt", "Outside the sources folder.\n")]);
    std::os::unix::fs::symlink(site.path("outside.txt"), site.path("sources/link.txt")).unwrap();
    let warnings = site.warnings();
    assert!(
        warnings.is_empty(),
        "a symlink is not a source: {}",
        render_all(&warnings)
    );
    let report = site.check().unwrap_or_else(|_| panic!("check"));
    assert_eq!(report.stats.sources, 1);
}
