//! Delegation rosters, the claims index, the Web Annotations and the metadata of the
//! `pass-basic` fixture (SPEC 4, 5), checked against the fixture's own files.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use scraper::Html;
use serde_json::Value;

const FIXTURE: &str = "pass-basic";
const BASE: &str = "https://example.org/harbour/";

fn basic() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| build_fixture_once(FIXTURE, "rosters-pass-basic", false))
}

/// The fixture built with `base_url` set (a copy of the site in a [`shared_dir`]).
fn with_base() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let root = shared_dir("rosters-base-url-site");
        copy_dir(&fixture(FIXTURE), &root);
        let config = fs::read_to_string(root.join("site.toml")).unwrap();
        assert!(config.contains("base_url = \"\""));
        fs::write(
            root.join("site.toml"),
            config.replace("base_url = \"\"", &format!("base_url = \"{BASE}\"")),
        )
        .unwrap();
        let out = root.join("out");
        let report = explainer::build(&explainer::Options {
            root: root.clone(),
            output: Some(out.clone()),
            drafts: false,
        })
        .unwrap_or_else(|_| panic!("build with base_url"));
        assert!(report.warnings.is_empty());
        out
    })
}

fn page(out: &Path, rel: &str) -> Html {
    parse_file(&out.join(rel))
}

fn source_text(id: &str) -> String {
    let root = fixture(FIXTURE);
    let file = &source_files(&root)[id];
    let text = fs::read_to_string(root.join("sources").join(file)).unwrap();
    text.strip_prefix('\u{FEFF}')
        .map(str::to_string)
        .unwrap_or(text)
}

fn source_lines(id: &str) -> Vec<String> {
    let root = fixture(FIXTURE);
    spec_lines(&fs::read(root.join("sources").join(&source_files(&root)[id])).unwrap())
}

// ---------------------------------------------------------------------------------------------
// Delegations

struct Member {
    name: String,
    variants: Vec<String>,
    /// (source id, line)
    cites: Vec<(String, usize)>,
}

fn roster(root: &Path) -> Vec<(String, Vec<Member>)> {
    let keys = source_keys(root);
    let t: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("content/delegations.toml")).unwrap())
            .unwrap();
    t["delegation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let members = d["member"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| Member {
                    name: m["name"].as_str().unwrap().to_string(),
                    variants: m.get("variants").map_or(Vec::new(), |v| {
                        v.as_array()
                            .unwrap()
                            .iter()
                            .map(|s| s.as_str().unwrap().to_string())
                            .collect()
                    }),
                    cites: m["cite"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| {
                            let (k, l) = c.as_str().unwrap().split_once(':').unwrap();
                            (keys[k].clone(), l.parse().unwrap())
                        })
                        .collect(),
                })
                .collect();
            (d["id"].as_str().unwrap().to_string(), members)
        })
        .collect()
}

/// Checks every roster table on a page against the roster file; returns the cells checked.
fn check_rosters(out: &Path, rel: &str, root: &Path) -> usize {
    let html = page(out, rel);
    let mut cells = 0;
    for (did, members) in roster(root) {
        let section = one(&html, &format!("section.roster#d-{did}"));
        let table = one_in(section, "table.roster-table");
        let columns: Vec<String> = select_in(table, "thead th a")
            .into_iter()
            .map(|a| {
                let (file, _) = target_of(rel, attr(a, "href")).unwrap();
                let id = file
                    .strip_prefix("sources/")
                    .unwrap()
                    .strip_suffix("/index.html")
                    .unwrap()
                    .to_string();
                assert!(
                    !squash(&text(a)).is_empty(),
                    "{rel}: column header names the source {id}"
                );
                id
            })
            .collect();
        assert_eq!(
            columns,
            ["alpha", "beta", "002_gamma"],
            "{rel}: one column per source"
        );
        let rows = select_in(table, "tbody tr");
        assert_eq!(rows.len(), members.len(), "{rel}: one row per member");
        for (row, m) in rows.into_iter().zip(&members) {
            assert_eq!(text(one_in(row, "th[scope=row]")), m.name);
            assert!(
                attr(row, "id").starts_with(&format!("m-{did}_")),
                "{}",
                attr(row, "id")
            );
            let tds: Vec<_> = select_in(row, "td").into_iter().skip(1).collect();
            assert_eq!(
                tds.len(),
                columns.len(),
                "{rel}: {}: a cell per source",
                m.name
            );
            for (td, col) in tds.into_iter().zip(&columns) {
                let classes: BTreeSet<&str> = td.value().classes().collect();
                // What the roster file says this source prints, found independently.
                let mut expected: Vec<(String, usize)> = Vec::new();
                for (sid, line) in m.cites.iter().filter(|(s, _)| s == col) {
                    let printed = spec_normalize(&source_lines(sid)[line - 1]);
                    let spelling = std::iter::once(&m.name)
                        .chain(&m.variants)
                        .find(|n| printed.contains(&spec_normalize(n)))
                        .unwrap_or_else(|| panic!("{} not in {sid}:{line}", m.name));
                    if !expected.iter().any(|(s, _)| s == spelling) {
                        expected.push((spelling.clone(), *line));
                    }
                }
                let links: Vec<(String, usize)> = select_in(td, "a")
                    .into_iter()
                    .map(|a| {
                        let (sid, line) = provenance_target(rel, attr(a, "href"));
                        assert_eq!(
                            &sid, col,
                            "{rel}: {}: link in the {col} column goes to {sid}",
                            m.name
                        );
                        // A check mark stands for the member's name printed as the roster
                        // writes it; any other spelling is shown as printed.
                        let shown = text(a);
                        if shown == "✓ same spelling" {
                            assert!(
                                source_lines(&sid)[line - 1].contains(&m.name),
                                "{rel}: {} / {col}: a check mark, but line {line} does not print the name as written",
                                m.name
                            );
                            (m.name.clone(), line)
                        } else {
                            assert_ne!(shown, m.name, "{rel}: the member's own name is a check mark");
                            (shown, line)
                        }
                    })
                    .collect();
                if expected.is_empty() {
                    assert!(
                        classes.contains("absent") && !classes.contains("named"),
                        "{rel}: {} / {col} is absent: {}",
                        m.name,
                        td.html()
                    );
                    assert!(links.is_empty());
                } else {
                    assert!(
                        classes.contains("named") && !classes.contains("absent"),
                        "{rel}: {} / {col}: {}",
                        m.name,
                        td.html()
                    );
                    let normalized = |v: &[(String, usize)]| -> Vec<(String, usize)> {
                        v.iter().map(|(s, l)| (spec_normalize(s), *l)).collect()
                    };
                    assert_eq!(
                        normalized(&links),
                        normalized(&expected),
                        "{rel}: {} / {col}: spelling and line",
                        m.name
                    );
                    let variant = expected
                        .iter()
                        .any(|(s, _)| spec_normalize(s) != spec_normalize(&m.name));
                    assert_eq!(
                        classes.contains("variant"),
                        variant,
                        "{rel}: {} / {col}: variant class",
                        m.name
                    );
                }
                cells += 1;
            }
        }
    }
    cells
}

#[test]
fn delegation_cells_match_the_cites() {
    let cells = check_rosters(basic(), "delegations/index.html", &fixture(FIXTURE));
    assert_eq!(cells, 9);
}

#[test]
fn the_delegations_shortcode_renders_the_same_rosters() {
    let cells = check_rosters(basic(), "x/index.html", &fixture(FIXTURE));
    assert_eq!(cells, 9);
}

#[test]
fn variant_spellings_and_absent_members_are_visible() {
    // Spelled out for the fixture, in case the general check above reads too much.
    let html = page(basic(), "delegations/index.html");
    let row = |name: &str| {
        select(&html, "table.roster-table tbody tr")
            .into_iter()
            .find(|r| text(one_in(*r, "th")) == name)
            .unwrap()
    };
    let jane: Vec<_> = select_in(row("Jane O’Neill"), "td")
        .into_iter()
        .skip(1)
        .collect();
    // Alpha prints the name as the roster writes it: a check mark, the line link kept.
    assert_eq!(text(one_in(jane[0], "a")), "✓ same spelling");
    assert_eq!(
        provenance_target("delegations/index.html", attr(one_in(jane[0], "a"), "href")),
        ("alpha".to_string(), 4)
    );
    assert!(!jane[0].value().classes().any(|c| c == "variant"));
    // Beta spells it otherwise: the spelling itself is shown.
    assert_eq!(text(one_in(jane[1], "a")), "Jane ONeill");
    assert!(jane[1].value().classes().any(|c| c == "variant"));
    assert!(jane[2].value().classes().any(|c| c == "absent"));
    let ana: Vec<_> = select_in(row("Ana Ruiz"), "td")
        .into_iter()
        .skip(1)
        .collect();
    let absent: Vec<bool> = ana
        .iter()
        .map(|td| td.value().classes().any(|c| c == "absent"))
        .collect();
    assert_eq!(
        absent,
        [false, true, true],
        "Ana Ruiz is named by alpha only"
    );
    let pedro: Vec<_> = select_in(row("Pedro Alvarez"), "td")
        .into_iter()
        .skip(1)
        .collect();
    assert_eq!(
        provenance_target(
            "delegations/index.html",
            attr(one_in(pedro[2], "a"), "href")
        ),
        ("002_gamma".to_string(), 2),
        "cited by file name 002_gamma.txt:2"
    );
}

#[test]
fn a_roster_spelling_is_shown_as_the_source_prints_it() {
    // The roster writes a straight apostrophe; the source prints a curly one. The match is
    // normalized (SPEC 3.2), and SPEC 4 says the page shows the spelling as printed.
    let site = minimal_site(&[
        ("sources/a.txt", "Talks in Paris.\nIsrael sent Yechiel O’Leiter to the talks.\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n\nTalks took place in Paris [@alpha:1].\n"),
        ("content/delegations.toml", "[[delegation]]\nid = \"israel\"\nname = \"Israel\"\n\n[[delegation.member]]\nname = \"Yechiel O'Leiter\"\nrole = \"Ambassador\"\ncite = [\"alpha:2\"]\n"),
    ]);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    let html = page(&out, "delegations/index.html");
    let cell = one(&html, "tr#m-israel_yechiel-o-leiter td.named a");
    assert_eq!(
        text(cell),
        "Yechiel O’Leiter",
        "the spelling printed on line 2 of the source"
    );
}

// ---------------------------------------------------------------------------------------------
// Claims

/// A claim's marker on its page, and the cites of its note: from an `li.claim`.
fn claim_cites(out: &Path, li: scraper::ElementRef) -> (String, Vec<NoteCite>) {
    let href = attr(one_in(li, "p.claim-text a"), "href");
    let (file, fragment) = target_of("claims/index.html", href).unwrap();
    let fragment = fragment.unwrap();
    let n: usize = fragment.strip_prefix("r-").unwrap().parse().unwrap();
    let html = page(out, &file);
    assert_eq!(
        select(&html, &format!("sup.note-ref#{fragment}")).len(),
        1,
        "{href}: the claim's marker"
    );
    (
        format!("{file}#{fragment}"),
        note_cites(&file, &html).remove(&n).unwrap(),
    )
}

fn distinct_sources(cites: &[NoteCite]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in cites {
        if !out.contains(&c.source) {
            out.push(c.source.clone());
        }
    }
    out
}

#[test]
fn the_claims_matrix_matches_the_citations_on_the_pages() {
    let out = basic();
    let html = page(out, "claims/index.html");
    let matrix = one(&html, "table.matrix");
    let columns: Vec<String> = select_in(matrix, "thead th a")
        .into_iter()
        .map(|a| provenance_source(attr(a, "href")))
        .collect();
    assert_eq!(columns, ["alpha", "beta", "002_gamma"]);
    let rows = select_in(matrix, "tbody tr");
    assert_eq!(rows.len(), 19, "one row per claim (citation group)");
    let mut markers = Vec::new();
    for row in rows {
        let anchor = attr(one_in(row, "th a"), "href");
        let li = one(&html, &format!("li.claim{anchor}"));
        let (marker, cites) = claim_cites(out, li);
        markers.push(marker.clone());
        let cells: Vec<_> = select_in(row, "td")
            .into_iter()
            .take(columns.len())
            .collect();
        for (td, col) in cells.into_iter().zip(&columns) {
            let shown: Vec<(String, usize, String)> = select_in(td, "a")
                .into_iter()
                .map(|a| {
                    let (sid, line) = provenance_target("claims/index.html", attr(a, "href"));
                    (sid, line, text(a))
                })
                .collect();
            let expected: Vec<(String, usize, String)> = cites
                .iter()
                .filter(|c| &c.source == col)
                .map(|c| {
                    (
                        c.source.clone(),
                        c.first,
                        if c.first == c.last {
                            c.first.to_string()
                        } else {
                            format!("{}–{}", c.first, c.last)
                        },
                    )
                })
                .collect();
            assert_eq!(shown, expected, "{marker}: cell for {col}");
        }
        let count = text(*select_in(row, "td").last().unwrap());
        assert!(
            squash(&count).starts_with(&distinct_sources(&cites).len().to_string()),
            "{marker}: source count {count:?}"
        );
    }
    // Rows in reading order: pages by weight, claims by note number.
    let mut expected = Vec::new();
    for (p, notes) in [
        ("index.html", 15),
        ("x/index.html", 1),
        ("x/b/index.html", 4),
    ] {
        for n in 1..=notes {
            if !(p == "index.html" && n == 2) {
                expected.push(format!("{p}#r-{n}"));
            }
        }
    }
    assert_eq!(markers, expected);
}

fn provenance_source(href: &str) -> String {
    let (file, _) = target_of("claims/index.html", href).unwrap();
    file.strip_prefix("sources/")
        .unwrap()
        .strip_suffix("/index.html")
        .unwrap()
        .to_string()
}

#[test]
fn single_source_claims_are_marked_and_multi_source_claims_are_not() {
    let out = basic();
    let html = page(out, "claims/index.html");
    let items = select(&html, "ol.claims-list > li.claim");
    assert_eq!(items.len(), 19);
    let mut single = 0;
    let mut flagged_count = 0;
    for li in &items {
        let (marker, cites) = claim_cites(out, *li);
        let is_single = distinct_sources(&cites).len() == 1;
        single += usize::from(is_single);
        assert_eq!(
            li.value().classes().any(|c| c == "single"),
            is_single,
            "{marker}: li.single"
        );
        // Only a claim on one origin that does not name it is marked, in words, in the list
        // and in its matrix row; a claim on several origins says how many.
        let flagged = li.value().classes().any(|c| c == "flagged");
        assert!(
            !flagged || is_single,
            "{marker}: flagged on several origins"
        );
        assert_eq!(
            select_in(*li, ".origin-flag").len(),
            usize::from(flagged),
            "{marker}: .origin-flag"
        );
        if flagged {
            assert!(text(*li).contains("Single origin, not named in the text"));
        }
        if !is_single {
            assert!(text(*li).contains("2 origins"), "{marker}");
        }
        let id = attr(*li, "id");
        let row = select(&html, "table.matrix tbody tr")
            .into_iter()
            .find(|r| attr(one_in(*r, "th a"), "href") == format!("#{id}"))
            .unwrap();
        assert_eq!(
            row.value().classes().any(|c| c == "flagged"),
            flagged,
            "{marker}: tr.flagged"
        );
        assert_eq!(
            select_in(row, ".origin-flag").len(),
            usize::from(flagged),
            "{marker}: marked in the matrix"
        );
        flagged_count += usize::from(flagged);
    }
    // The count is said once per page's group, and matches the marks.
    let said: usize = select(&html, ".claims-group .group-summary")
        .into_iter()
        .map(|p| {
            let t = text(p);
            t.split(" without naming it")
                .next()
                .filter(|_| t.contains(" without naming it"))
                .and_then(|h| h.rsplit(", ").next())
                .and_then(|h| h.split(' ').next())
                .map_or(0, |n| n.parse().unwrap_or(1))
        })
        .sum();
    assert_eq!(said, flagged_count, "the groups' counts");
    // Hand-counted in the fixture: three claims cite two sources (home notes 1, 12 and 14),
    // so 19 - 3 = 16 rest on one source.
    assert_eq!(single, 16);
}

#[test]
fn a_claim_is_the_text_of_its_block_up_to_the_citation() {
    let out = basic();
    let html = page(out, "claims/index.html");
    let mut claims: BTreeMap<String, String> = BTreeMap::new();
    for li in select(&html, "li.claim") {
        let a = one_in(li, "p.claim-text a");
        let (file, fragment) = target_of("claims/index.html", attr(a, "href")).unwrap();
        claims.insert(
            format!("{file}#{}", fragment.unwrap()),
            spec_normalize(&text(a)),
        );
    }
    let want = [
        (
            "index.html#r-1",
            "The harbour authority announced that a \"joint committee\" will meet every week",
        ),
        (
            "index.html#r-3",
            "Minister Jane O'Neill called the agreement fair",
        ),
        ("index.html#r-4", "The budget is said to be fixed"),
        ("index.html#r-5", "The committee has three members"),
        ("index.html#r-6", "and the deal was signed on a Monday"),
        ("index.html#r-10", "Who signed"),
        ("index.html#r-11", "Jane O'Neill signed the deal"),
        ("index.html#r-12", "Pedro Alvarez signed it too"),
        ("index.html#r-13", "The committee meets weekly"),
        ("index.html#r-14", "The port reopens in March"),
        ("index.html#r-15", "Pedro Alvarez confirmed the signing"),
        (
            "x/b/index.html#r-4",
            "Quoted paragraphs carry citations too",
        ),
    ];
    for (marker, text) in want {
        assert_eq!(
            claims.get(marker).map(String::as_str),
            Some(text),
            "claim of {marker}"
        );
    }
}

#[test]
fn the_claims_shortcode_shows_the_claims_of_its_page() {
    let html = page(basic(), "x/index.html");
    let matrix = one(&html, ".prose table.matrix");
    let rows = select_in(matrix, "tbody tr");
    assert_eq!(rows.len(), 1, "one claim on /x/");
    let anchor = attr(one_in(rows[0], "th a"), "href");
    let (file, fragment) = target_of("x/index.html", anchor).unwrap();
    assert_eq!(file, "claims/index.html");
    let claims = page(basic(), "claims/index.html");
    let li = one(&claims, &format!("li.claim#{}", fragment.unwrap()));
    let (marker, _) = claim_cites(basic(), li);
    assert_eq!(marker, "x/index.html#r-1");
}

// ---------------------------------------------------------------------------------------------
// Web Annotations

#[test]
fn annotations_cover_every_citation_and_roster_cite_with_exact_selectors() {
    let out = basic();
    let json: Value = serde_json::from_slice(&fs::read(out.join("annotations.jsonld")).unwrap())
        .expect("annotations.jsonld is JSON");
    let items = json["first"]["items"].as_array().expect("first.items");
    let roster_cites: usize = roster(&fixture(FIXTURE))
        .iter()
        .flat_map(|(_, ms)| ms.iter().map(|m| m.cites.len()))
        .sum();
    let mut citations = 0;
    for p in content_pages(out) {
        citations += note_cites(&p, &page(out, &p))
            .values()
            .map(Vec::len)
            .sum::<usize>();
    }
    assert_eq!((citations, roster_cites), (23, 6));
    assert_eq!(items.len(), citations + roster_cites);
    assert_eq!(json["total"].as_u64(), Some(items.len() as u64));

    let mut quoted = 0;
    for item in items {
        let target = &item["target"];
        let source = target["source"].as_str().unwrap();
        let (file, _) = target_of("index.html", source).unwrap();
        let id = file
            .strip_prefix("sources/")
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        assert!(out.join(&file).is_file(), "{source}: the verbatim copy");
        let chars: Vec<char> = source_text(&id).chars().collect();
        let selectors = target["selector"].as_array().unwrap();
        let quote = selectors
            .iter()
            .find(|s| s["type"] == "TextQuoteSelector")
            .expect("TextQuoteSelector");
        let position = selectors
            .iter()
            .find(|s| s["type"] == "TextPositionSelector")
            .expect("TextPositionSelector");
        let (start, end) = (
            position["start"].as_u64().unwrap() as usize,
            position["end"].as_u64().unwrap() as usize,
        );
        assert!(start < end && end <= chars.len(), "{item}");
        let exact: String = chars[start..end].iter().collect();
        assert_eq!(
            quote["exact"].as_str().unwrap(),
            exact,
            "slice start..end of the source (after the BOM) is `exact`"
        );
        let prefix: String = chars[start.saturating_sub(32)..start].iter().collect();
        assert_eq!(quote["prefix"].as_str().unwrap(), prefix);

        // The annotated place: a claim marker (with the note's k-th cite) or a roster row.
        let body_link = item["body"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|b| b["id"].as_str())
            .unwrap();
        let (page_file, fragment) = target_of("index.html", body_link).unwrap();
        let fragment = fragment.unwrap();
        let html = page(out, &page_file);
        if page_file == "delegations/index.html" {
            let row = one(&html, &format!("tr#{fragment}"));
            let name = text(one_in(row, "th"));
            let members = roster(&fixture(FIXTURE));
            let member = members
                .iter()
                .flat_map(|(_, ms)| ms)
                .find(|m| m.name == name)
                .unwrap();
            let spellings: Vec<String> = std::iter::once(&member.name)
                .chain(&member.variants)
                .map(|s| spec_normalize(s))
                .collect();
            assert!(
                spellings.contains(&spec_normalize(&exact)),
                "{body_link}: roster annotation selects the name, got {exact:?}"
            );
            continue;
        }
        let n: usize = fragment.strip_prefix("r-").unwrap().parse().unwrap();
        let k: usize = item["id"]
            .as_str()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let cite = &note_cites(&page_file, &html)[&n][k - 1];
        assert_eq!(cite.source, id, "{body_link} cite {k}");
        // The selection lies within the cited lines.
        let lines = source_lines(&id);
        let line_start: usize = lines[..cite.first - 1]
            .iter()
            .map(|l| l.chars().count())
            .sum::<usize>();
        let summary = cite.summary.trim();
        match summary.strip_prefix('“').and_then(|s| s.strip_suffix('”')) {
            Some(q) => {
                quoted += 1;
                let parts = spec_quote_parts(q);
                let got = spec_normalize(&exact);
                assert!(
                    got.starts_with(&parts[0]) && got.ends_with(&parts[parts.len() - 1]),
                    "{body_link}: exact {got:?} for quote {q:?}"
                );
                assert!(
                    start >= line_start,
                    "{body_link}: selection before line {}",
                    cite.first
                );
            }
            None => {
                let want: Vec<&str> = lines[cite.first - 1..cite.last]
                    .iter()
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    spec_normalize(&exact),
                    spec_normalize(&want.join(" ")),
                    "{body_link}: unquoted cite selects the lines"
                );
            }
        }
    }
    assert_eq!(quoted, 15);
}

// ---------------------------------------------------------------------------------------------
// Metadata: sitemap, canonical links, Open Graph, JSON-LD

#[test]
fn without_base_url_there_is_no_sitemap_and_no_canonical_link() {
    assert!(!basic().join("sitemap.xml").exists());
    for p in html_files(basic()) {
        let html = page(basic(), &p);
        assert!(select(&html, "link[rel=canonical]").is_empty(), "{p}");
        assert!(select(&html, "meta[property='og:url']").is_empty(), "{p}");
    }
}

#[test]
fn with_base_url_the_sitemap_lists_every_page() {
    let out = with_base();
    let xml = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs: BTreeSet<String> = root
        .descendants()
        .filter(|n| n.has_tag_name(("http://www.sitemaps.org/schemas/sitemap/0.9", "loc")))
        .map(|n| n.text().unwrap().trim().to_string())
        .collect();
    let pages: BTreeSet<String> = html_files(out)
        .into_iter()
        .filter(|p| p != "404.html")
        .map(|p| {
            assert!(p.ends_with("index.html"), "{p}");
            format!("{BASE}{}", p.strip_suffix("index.html").unwrap())
        })
        .collect();
    assert_eq!(
        pages.len(),
        11,
        "home, /x/, /x/b/, /method/, sources index and 3 sources, claims, delegations, search"
    );
    assert_eq!(
        locs, pages,
        "every index.html but the 404 page, nothing else"
    );
}

#[test]
fn with_base_url_every_page_has_a_canonical_link_and_og_url() {
    let out = with_base();
    for p in html_files(out) {
        if p == "404.html" {
            continue;
        }
        let html = page(out, &p);
        let want = format!("{BASE}{}", p.strip_suffix("index.html").unwrap());
        assert_eq!(
            attr(one(&html, "link[rel=canonical]"), "href"),
            want,
            "{p}: canonical"
        );
        assert_eq!(
            attr(one(&html, "meta[property='og:url']"), "content"),
            want,
            "{p}: og:url"
        );
        for prop in ["og:title", "og:type", "og:description"] {
            assert!(
                !attr(one(&html, &format!("meta[property='{prop}']")), "content").is_empty(),
                "{p}: {prop}"
            );
        }
    }
    let broken = broken_links(out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn json_ld_parses_on_every_page_and_content_pages_are_news_articles_with_citations() {
    for (out, base) in [(basic(), None), (with_base(), Some(BASE))] {
        let content = content_pages(out);
        for p in html_files(out) {
            let html = page(out, &p);
            let scripts = select(&html, "script[type='application/ld+json']");
            assert_eq!(scripts.len(), 1, "{p}: one JSON-LD block");
            let v: Value = serde_json::from_str(&text(scripts[0]))
                .unwrap_or_else(|e| panic!("{p}: JSON-LD does not parse: {e}"));
            assert_eq!(v["@context"], "https://schema.org", "{p}");
            if !content.contains(&p) {
                assert!(v["@type"].is_string(), "{p}");
                continue;
            }
            assert_eq!(v["@type"], "NewsArticle", "{p}");
            assert!(
                v["headline"].as_str().is_some_and(|h| !h.is_empty()),
                "{p}: headline"
            );
            let cited: BTreeSet<String> = note_cites(&p, &html)
                .values()
                .flatten()
                .map(|c| c.source.clone())
                .collect();
            let citation = v["citation"]
                .as_array()
                .unwrap_or_else(|| panic!("{p}: `citation` list"));
            let named: BTreeSet<String> = citation
                .iter()
                .map(|c| {
                    let url = c["url"].as_str().unwrap();
                    let rel = match base {
                        Some(b) => url
                            .strip_prefix(b)
                            .unwrap_or_else(|| panic!("{p}: {url} is absolute"))
                            .to_string(),
                        None => target_of(&p, url).unwrap().0,
                    };
                    assert!(out.join(&rel).is_file(), "{p}: citation url {url}");
                    rel.strip_prefix("sources/")
                        .unwrap()
                        .strip_suffix("/index.html")
                        .unwrap()
                        .to_string()
                })
                .collect();
            assert_eq!(
                named, cited,
                "{p}: `citation` names each source the page cites"
            );
            if let Some(b) = base {
                assert_eq!(
                    v["url"].as_str(),
                    Some(format!("{b}{}", p.strip_suffix("index.html").unwrap()).as_str()),
                    "{p}: url"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ids that must stay unique when names collide

/// Builds a site and returns its output folder (kept alive by the returned guard).
fn build_site(site: &Site) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    succeeded(site.build(&out));
    (tmp, out)
}

fn annotation_ids(out: &Path) -> Vec<String> {
    let json: Value =
        serde_json::from_slice(&fs::read(out.join("annotations.jsonld")).unwrap()).unwrap();
    json["first"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn claim_ids_are_unique_for_pages_x_b_and_x_dash_b() {
    // /x/b/ and /x-b/ are different pages; their claims need different ids on /claims/.
    let site = minimal_site(&[
        (
            "content/x/b.md",
            "+++\ntitle = \"X B\"\n+++\n\nOne [@alpha:2].\n",
        ),
        (
            "content/x-b.md",
            "+++\ntitle = \"X-B\"\n+++\n\nTwo [@alpha:2].\n",
        ),
    ]);
    let (_tmp, out) = build_site(&site);
    let claims = page(&out, "claims/index.html");
    let dup = duplicates(&ids(&claims));
    assert!(dup.is_empty(), "duplicate ids on /claims/: {dup:?}");
    let dup = duplicates(&annotation_ids(&out));
    assert!(dup.is_empty(), "duplicate annotation ids: {dup:?}");
    // Each matrix row leads to its own claim.
    let targets: BTreeSet<String> = select(&claims, "table.matrix tbody th a")
        .into_iter()
        .map(|a| {
            let li = one(&claims, &format!("li.claim{}", attr(a, "href")));
            attr(one_in(li, "p.claim-text a"), "href").to_string()
        })
        .collect();
    assert_eq!(targets.len(), 3, "{targets:?}");
}

#[test]
fn member_row_ids_are_unique_across_delegations() {
    // Delegation `a` member `B C` and delegation `a-b` member `C` must not share an id.
    let site = minimal_site(&[
        ("sources/a.txt", "First line of a.\nSecond line says the harbour will reopen in March.\n\nB C met C.\n"),
        (
            "content/delegations.toml",
            "[[delegation]]\nid = \"a\"\nname = \"A\"\n\n[[delegation.member]]\nname = \"B C\"\ncite = [\"alpha:4\"]\n\n\
             [[delegation]]\nid = \"a-b\"\nname = \"AB\"\n\n[[delegation.member]]\nname = \"C\"\ncite = [\"alpha:4\"]\n",
        ),
    ]);
    let (_tmp, out) = build_site(&site);
    let html = page(&out, "delegations/index.html");
    let dup = duplicates(&ids(&html));
    assert!(dup.is_empty(), "duplicate ids on /delegations/: {dup:?}");
    let dup = duplicates(&annotation_ids(&out));
    assert!(dup.is_empty(), "duplicate annotation ids: {dup:?}");
    // The provenance back-links of line 4 reach two different rows.
    let prov = page(&out, "sources/alpha/index.html");
    let backs: BTreeSet<String> = select(&prov, "li#L4 ul.backlinks a")
        .into_iter()
        .map(|a| attr(a, "href").to_string())
        .collect();
    assert_eq!(backs.len(), 2, "{backs:?}");
}
