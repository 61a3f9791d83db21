//! Failing sites: one per error code (SPEC 8), each checked for code, file, line and column
//! through the library and through the binary's exit code and stderr; warnings; hostile input.

mod common;

use std::fs;

use common::*;
use explainer::Failure;

const PAGE: &str = "content/_index.md";
const MANIFEST: &str = "sources/sources.toml";
const ROSTER: &str = "content/delegations.toml";

/// A page with the minimal front matter (3 lines, then a blank line): the body starts on line 5.
fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

// ---------------------------------------------------------------------------------------------
// One site per code

#[test]
fn e001_unknown_source_key_with_did_you_mean() {
    // Column counts characters: "Été" is 3 characters, 5 bytes.
    let site = minimal_site(&[(PAGE, &page("Été: the harbour will reopen [@alpah:2].\n"))]);
    let d = assert_error(&site, "E001", PAGE, 5, 32);
    assert!(d.message.contains("alpah"), "{d}");
    let help = d.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("did you mean") && help.contains("`alpha`"),
        "{d}"
    );
}

#[test]
fn e001_without_a_near_miss_has_no_suggestion() {
    let site = minimal_site(&[(PAGE, &page("The harbour will reopen [@reuters:2].\n"))]);
    let d = assert_error(&site, "E001", PAGE, 5, 27);
    assert!(
        !d.help
            .as_deref()
            .unwrap_or_default()
            .contains("did you mean"),
        "{d}"
    );
}

#[test]
fn e002_line_out_of_bounds_reversed_or_blank() {
    let body = "Out of bounds [@alpha:9].\n\nReversed [@alpha:2-1].\n\nBlank [@alpha:3].\n\nPartly out [@alpha:4-5].\n\nZero [@alpha:0].\n";
    let site = minimal_site(&[(PAGE, &page(body))]);
    let diags = site.errors();
    find_diag(&diags, "E002", PAGE, 5, 23);
    find_diag(&diags, "E002", PAGE, 7, 18);
    find_diag(&diags, "E002", PAGE, 9, 15);
    find_diag(&diags, "E002", PAGE, 11, 20);
    find_diag(&diags, "E002", PAGE, 13, 14);
    assert_eq!(
        diags.iter().filter(|d| d.is_error()).count(),
        5,
        "{}",
        render_all(&diags)
    );
    let r = site.run_check();
    assert_eq!(r.code, 1);
    for (line, col) in [(5, 23), (7, 18), (9, 15), (11, 20), (13, 14)] {
        r.assert_reports("E002", PAGE, line, col);
    }
}

#[test]
fn e003_quote_not_in_the_cited_line_names_where_it_is() {
    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@alpha:1 \"the harbour will reopen\"].\n"),
    )]);
    let d = assert_error(&site, "E003", PAGE, 5, 35);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("line 2"),
        "help names line 2, where the quote is: {d}"
    );
    assert!(
        help.contains("[@alpha:2 \"the harbour will reopen\"]"),
        "help gives the corrected citation: {d}"
    );
}

#[test]
fn e003_quote_nowhere_in_the_source_shows_the_line() {
    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@alpha:2 \"the harbour will close\"].\n"),
    )]);
    let d = assert_error(&site, "E003", PAGE, 5, 35);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("the harbour will [-close-] {+reopen+}"),
        "help shows the closest passage of the cited line, word by word: {d}"
    );
}

#[test]
fn e003_matching_is_case_sensitive_and_elisions_keep_order() {
    let body = "One [@alpha:2 \"The Harbour\"].\n\nTwo [@alpha:2 \"in March ... the harbour\"].\n";
    let site = minimal_site(&[(PAGE, &page(body))]);
    let diags = site.errors();
    find_diag(&diags, "E003", PAGE, 5, 15);
    find_diag(&diags, "E003", PAGE, 7, 15);
}

#[test]
fn e004_malformed_citation() {
    let site = minimal_site(&[(PAGE, &page("The harbour will reopen [@alpha:2x].\n"))]);
    let d = assert_error(&site, "E004", PAGE, 5, 34);
    assert!(d.help.is_some(), "{d}");
}

#[test]
fn e004_unclosed_quote_and_unknown_shortcode() {
    let body = "Text [@alpha:2 \"never closed].\n\n{{ rosters() }}\n\n{{ claims(page=\"x\") }}\n";
    let site = minimal_site(&[(PAGE, &page(body))]);
    let diags = site.errors();
    find_diag(&diags, "E004", PAGE, 5, 16);
    find_diag(&diags, "E004", PAGE, 7, 1);
    find_diag(&diags, "E004", PAGE, 9, 1);
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E004", PAGE, 7, 1);
}

#[test]
fn e004_delegations_shortcode_without_a_roster() {
    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@alpha:2].\n\n{{ delegations() }}\n"),
    )]);
    assert_error(&site, "E004", PAGE, 7, 1);
}

#[test]
fn e005_front_matter_missing() {
    let site = minimal_site(&[(PAGE, "# Home\n\nThe harbour will reopen [@alpha:2].\n")]);
    assert_error(&site, "E005", PAGE, 1, 1);
}

#[test]
fn e005_front_matter_without_title() {
    let site = minimal_site(&[(
        PAGE,
        "+++\nweight = 1\n+++\n\nThe harbour will reopen [@alpha:2].\n",
    )]);
    let d = assert_error(&site, "E005", PAGE, 2, 1);
    assert!(d.message.contains("title"), "{d}");
}

#[test]
fn e005_front_matter_not_toml_or_unknown_key() {
    let site = minimal_site(&[(
        PAGE,
        "+++\ntitle = \"Home\"\ndate = tomorrow\n+++\n\nThe harbour will reopen [@alpha:2].\n",
    )]);
    assert_error(&site, "E005", PAGE, 3, 8);
    let site = minimal_site(&[(
        PAGE,
        "+++\ntitle = \"Home\"\n  weigth = 1\n+++\n\nThe harbour will reopen [@alpha:2].\n",
    )]);
    let d = assert_error(&site, "E005", PAGE, 3, 3);
    assert!(d.message.contains("weigth"), "{d}");
}

#[test]
fn e006_unknown_key_in_site_toml() {
    let site = minimal_site(&[(
        "site.toml",
        "title = \"Minimal\"\nbase_ulr = \"https://example.org/\"\n",
    )]);
    let d = assert_error(&site, "E006", "site.toml", 2, 1);
    assert!(d.message.contains("base_ulr"), "{d}");
    assert!(
        d.help.as_deref().unwrap_or_default().contains("base_url"),
        "{d}"
    );
}

#[test]
fn e006_wrong_type_in_sources_toml_and_delegations_toml() {
    let site = minimal_site(&[
        (MANIFEST, "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\npublished = \"yesterday\"\n"),
        (ROSTER, "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\ncite = \"alpha:2\"\n"),
    ]);
    let diags = site.errors();
    find_diag(&diags, "E006", MANIFEST, 4, 13);
    find_diag(&diags, "E006", ROSTER, 7, 8);
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E006", MANIFEST, 4, 13);
    r.assert_reports("E006", ROSTER, 7, 8);
}

#[test]
fn e006_invalid_source_id() {
    let site = minimal_site(&[(
        MANIFEST,
        "[[source]]\nfile = \"a.txt\"\nid = \"Alpha News\"\n",
    )]);
    assert_error(&site, "E006", MANIFEST, 3, 6);
}

#[test]
fn e007_duplicate_page_url() {
    let site = minimal_site(&[
        (
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\n\nThe harbour will reopen [@alpha:2].\n",
        ),
        (
            "content/b.md",
            "+++\ntitle = \"B\"\nslug = \"a\"\n+++\n\nThe harbour will reopen [@alpha:2].\n",
        ),
    ]);
    let d = assert_error(&site, "E007", "content/b.md", 3, 1);
    assert!(d.message.contains("/a/"), "{d}");
}

#[test]
fn e007_duplicate_source_key() {
    let site = minimal_site(&[
        ("sources/b.txt", "Another source.\n"),
        (MANIFEST, "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"b.txt\"\nid = \"alpha\"\n"),
    ]);
    assert_error(&site, "E007", MANIFEST, 7, 6);
}

#[test]
fn e007_duplicate_delegation_and_member() {
    let roster = "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\n\n[[delegation]]\nid = \"harbour\"\nname = \"Again\"\n";
    let site = minimal_site(&[(ROSTER, roster)]);
    let diags = site.errors();
    find_diag(&diags, "E007", ROSTER, 9, 8);
    find_diag(&diags, "E007", ROSTER, 12, 6);
}

#[test]
fn e008_roster_name_not_in_the_cited_line() {
    let roster = "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\ncite = [\"alpha:2\"]\n";
    let site = minimal_site(&[(ROSTER, roster)]);
    let d = assert_error(&site, "E008", ROSTER, 7, 10);
    assert!(d.message.contains("Ana Ruiz"), "{d}");
}

#[test]
fn e009_source_not_utf8_with_byte_offset() {
    let site = minimal_site(&[(
        MANIFEST,
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"bad.txt\"\n",
    )]);
    site.write("sources/bad.txt", b"ok\nab\xffcd\n");
    let d = assert_error(&site, "E009", "sources/bad.txt", 2, 3);
    assert!(d.message.contains('5'), "the byte offset (5) is named: {d}");
}

#[test]
fn e010_template_error_names_template_and_line() {
    let site = minimal_site(&[(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n<p>{% if page.date %}dated</p>\n{% endblock content %}\n",
    )]);
    let diags = site.errors();
    let d = diags
        .iter()
        .find(|d| d.code == "E010")
        .unwrap_or_else(|| panic!("no E010:\n{}", render_all(&diags)));
    assert_eq!(d.file, "themes/default/templates/page.html", "{d}");
    assert!(d.message.contains("page.html"), "{d}");
    assert!(
        d.line >= 4,
        "the error is at or after the unclosed if on line 4: {d}"
    );
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E010", &d.file, d.line, d.column);
}

#[test]
fn e010_template_syntax_error_position() {
    let site = minimal_site(&[(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }</h1>\n{% endblock content %}\n",
    )]);
    let diags = site.errors();
    let d = diags
        .iter()
        .find(|d| d.code == "E010")
        .unwrap_or_else(|| panic!("no E010:\n{}", render_all(&diags)));
    assert_eq!(
        (d.file.as_str(), d.line),
        ("themes/default/templates/page.html", 3),
        "{d}"
    );
}

#[test]
fn e011_manifest_names_a_missing_file() {
    let site = minimal_site(&[(
        MANIFEST,
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"missing.txt\"\n",
    )]);
    let d = assert_error(&site, "E011", MANIFEST, 6, 8);
    assert!(d.message.contains("missing.txt"), "{d}");
}

#[test]
fn e012_manifest_path_leaving_the_site() {
    let site = minimal_site(&[(
        MANIFEST,
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"../site.toml.txt\"\n",
    )]);
    assert_error(&site, "E012", MANIFEST, 6, 8);
}

#[test]
fn e012_slug_leaving_the_page_folder() {
    let site = minimal_site(&[(
        "content/a.md",
        "+++\ntitle = \"A\"\nslug = \"../../escape\"\n+++\n\nThe harbour will reopen [@alpha:2].\n",
    )]);
    assert_error(&site, "E012", "content/a.md", 3, 1);
}

#[test]
fn e012_citation_key_with_a_path_is_not_a_key() {
    let site = minimal_site(&[(PAGE, &page("Secrets [@../site.toml:1].\n"))]);
    let diags = site.errors();
    let d = diags
        .iter()
        .find(|d| d.file == PAGE && d.line == 5 && d.column == 11)
        .unwrap_or_else(|| panic!("{}", render_all(&diags)));
    assert!(
        d.code == "E004" || d.code == "E012",
        "a path as key is rejected: {d}"
    );
}

#[test]
fn e013_sha256_pin_differs() {
    let pin = "0000000000000000000000000000000000000000000000000000000000000000";
    let site = minimal_site(&[(
        MANIFEST,
        &format!("[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\nsha256 = \"{pin}\"\n"),
    )]);
    let d = assert_error(&site, "E013", MANIFEST, 4, 10);
    // The help gives the file's actual SHA-256.
    let text = fs::read(site.path("sources/a.txt")).unwrap();
    use sha2::Digest;
    let actual: String = sha2::Sha256::digest(&text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        d.help.as_deref().unwrap_or_default().contains(&actual),
        "{d}"
    );
}

#[test]
fn refused_output_directory_exits_2() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("notours");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), "x").unwrap();
    let r = site.run_build(&out);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("notours"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "x");
    assert!(matches!(site.build(&out), Err(Failure::Io(_))));
}

#[test]
fn not_a_site_exits_2() {
    let tmp = tempdir();
    let r = run(["check".as_ref(), "--root".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(["build", "--no-such-flag"]);
    assert_eq!(r.code, 2, "usage error: {}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Reporting

#[test]
fn all_errors_of_a_build_are_reported_together() {
    let site = minimal_site(&[
        ("site.toml", "title = \"Minimal\"\nlanguag = \"en\"\n"),
        (PAGE, &page("The harbour will reopen [@alpah:2].\n")),
        (
            MANIFEST,
            "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\nsha256 = \"00\"\n",
        ),
    ]);
    let diags = site.errors();
    find_diag(&diags, "E006", "site.toml", 2, 1);
    find_diag(&diags, "E001", PAGE, 5, 27);
    find_diag(&diags, "E013", MANIFEST, 4, 10);
    assert_eq!(
        diags.iter().filter(|d| d.is_error()).count(),
        3,
        "{}",
        render_all(&diags)
    );
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E006", "site.toml", 2, 1);
    r.assert_reports("E001", PAGE, 5, 27);
    r.assert_reports("E013", MANIFEST, 4, 10);
    // The build reports the same, and writes nothing.
    let tmp = tempdir();
    let out = tmp.path().join("out");
    match site.build(&out) {
        Err(Failure::Content(d)) => assert_eq!(positions(&d), positions(&diags)),
        other => panic!(
            "expected content errors, got {:?}",
            other.map(|r| r.warnings)
        ),
    }
    assert!(!out.exists());
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written beside the output"
    );
}

#[test]
fn errors_in_several_pages_are_all_reported() {
    let site = minimal_site(&[
        ("content/a.md", &page("One [@alpha:7].\n")),
        ("content/b.md", &page("Two [@alpha:2 \"not there\"].\n")),
        ("content/c.md", &page("Three [@alpha:2;].\n")),
    ]);
    let diags = site.errors();
    find_diag(&diags, "E002", "content/a.md", 5, 13);
    find_diag(&diags, "E003", "content/b.md", 5, 15);
    find_diag(&diags, "E004", "content/c.md", 5, 17);
}

#[test]
fn positions_below_a_long_front_matter_count_every_line() {
    let text = "+++\ntitle = \"Home\"\ndescription = \"A page with a long front matter\"\ndate = 2026-01-07\nweight = 2\ndraft = false\nuncited = false\n+++\n\nFirst paragraph cites correctly [@alpha:2].\n\nSecond paragraph: the harbour will reopen [@alpha:2 \"the harbour will shut\"].\n";
    let site = minimal_site(&[(PAGE, text)]);
    let d = assert_error(&site, "E003", PAGE, 12, 53);
    assert!(d.message.contains("alpha"), "{d}");
}

#[test]
fn positions_in_crlf_pages_and_after_multibyte_text() {
    let text = "+++\r\ntitle = \"Home\"\r\n+++\r\n\r\n“Quoted” — text [@alpha:2 \"nope\"].\r\n";
    let site = minimal_site(&[(PAGE, text)]);
    assert_error(&site, "E003", PAGE, 5, 27);
}

#[test]
fn rendered_diagnostic_shows_the_line_and_a_marker() {
    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@alpha:1 \"the harbour will reopen\"].\n"),
    )]);
    let r = site.run_check();
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with("error[E003]: "))
        .expect("error[E003] line");
    assert_eq!(lines[head + 1].trim_start(), "--> content/_index.md:5:35");
    let source_line = lines
        .iter()
        .find(|l| l.contains(" | The harbour will reopen"))
        .expect("the offending line");
    let marker = lines
        .iter()
        .find(|l| l.trim_start().starts_with('|') && l.contains('^'))
        .expect("a ^ marker line");
    // The marker starts under the opening quote.
    let bar = source_line.find('|').unwrap();
    let quote_at = source_line.find('"').unwrap();
    assert_eq!(
        marker.find('^').unwrap() - bar,
        quote_at - bar,
        "{}",
        r.stderr
    );
    assert!(
        lines.iter().any(|l| l.trim_start().starts_with("= help:")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.lines().last().unwrap().contains("1 error"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Warnings: exit 0

#[test]
fn w001_source_never_cited() {
    let site = minimal_site(&[
        ("sources/b.txt", "An uncited source.\n"),
        (
            MANIFEST,
            "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"b.txt\"\n",
        ),
    ]);
    let w = site.warnings();
    assert_eq!(
        positions(&w),
        vec![("W001".into(), "sources/b.txt".into(), 0, 0)],
        "{}",
        render_all(&w)
    );
    let r = site.run_check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning[W001]")
            && r.stderr
                .lines()
                .any(|l| l.trim_start() == "--> sources/b.txt"),
        "{}",
        r.stderr
    );
    let tmp = tempdir();
    let r = site.run_build(&tmp.path().join("out"));
    assert_eq!(r.code, 0, "warnings allow a build: {}", r.stderr);
    assert!(tmp.path().join("out/sources/b/index.html").is_file());
}

#[test]
fn w001_a_roster_cite_counts_as_a_citation() {
    let site = minimal_site(&[
        ("sources/b.txt", "Ana Ruiz attended.\n"),
        (MANIFEST, "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"b.txt\"\n"),
        (ROSTER, "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\ncite = [\"b:1\"]\n"),
    ]);
    assert!(
        site.warnings().is_empty(),
        "{}",
        render_all(&site.warnings())
    );
}

#[test]
fn w002_page_without_citation_unless_uncited() {
    let site = minimal_site(&[(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n\nNo facts here.\n",
    )]);
    let w = site.warnings();
    assert_eq!(
        positions(&w),
        vec![("W002".into(), "content/about.md".into(), 1, 1)],
        "{}",
        render_all(&w)
    );
    let r = site.run_check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.assert_reports("W002", "content/about.md", 1, 1);

    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\nuncited = true\n+++\n\nNo facts here.\n",
    );
    assert!(
        site.warnings().is_empty(),
        "uncited = true silences W002: {}",
        render_all(&site.warnings())
    );
    let r = site.run_check();
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("warning["), "{}", r.stderr);
}

#[test]
fn w003_source_without_manifest_entry() {
    let site = minimal_site(&[
        ("sources/extra/c.txt", "A source nobody described.\n"),
        (
            PAGE,
            &page("The harbour will reopen [@alpha:2] and so on [@c:1].\n"),
        ),
    ]);
    let w = site.warnings();
    assert_eq!(
        positions(&w),
        vec![("W003".into(), "sources/extra/c.txt".into(), 0, 0)],
        "{}",
        render_all(&w)
    );
    let r = site.run_check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning[W003]"), "{}", r.stderr);
}

#[test]
fn a_site_with_no_manifest_cites_by_file_stem() {
    let site = minimal_site(&[(
        PAGE,
        &page("The harbour will reopen [@a:2 \"harbour will reopen\"; @a.txt:2].\n"),
    )]);
    site.remove(MANIFEST);
    let w = site.warnings();
    assert_eq!(
        positions(&w),
        vec![("W003".into(), "sources/a.txt".into(), 0, 0)],
        "{}",
        render_all(&w)
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile input renders inert

const EVIL_NOTE: &str = "A note with <img src=x onerror=alert(9)> inside and {{ config }}.";

const EVIL_LINES: [&str; 4] = [
    "<script>alert(1)</script>",
    "{{ config }} and {% raw %} and {{ base.title }}",
    "[@x:1] and [@alpha:2] and &amp; <b>bold</b>",
    "</span></li></ol><img src=x onerror=alert(4)>",
];

fn hostile_site(note: bool) -> Site {
    let evil = format!("{}\n", EVIL_LINES.join("\n"));
    let manifest =
        "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"A\"\npublisher = \"P\"\n\n\
        [[source]]\nfile = \"evil.txt\"\nid = \"evil\"\n\
        title = \"</title><img src=x onerror=alert(5)> </script><script>alert(6)</script>\"\n\
        publisher = \"<img src=x onerror=alert(7)>\"\n\
        author = \"{{ config }}\"\n\
        url = \"https://evil.example/a?x=\\\"><img src=x onerror=alert(8)>\"\n";
    let manifest = if note {
        format!("{manifest}note = \"{EVIL_NOTE}\"\n")
    } else {
        manifest.to_string()
    };
    let body = "Scripts [@evil:1]. Templates [@evil:2]. Brackets [@evil:3]. Tags [@evil:4]. Harbour [@alpha:2].\n\nQuoted [@evil:2 \"{{ config }} and {% raw %}\"].\n";
    minimal_site(&[
        ("sources/evil.txt", evil.as_str()),
        (MANIFEST, &manifest),
        (PAGE, &page(body)),
    ])
}

/// No element that could run anything: only the theme's scripts, no `img`, no `on*` attribute.
fn assert_inert(file: &str, html: &scraper::Html) {
    for s in select(html, "script") {
        match s.value().attr("src") {
            // The theme's script; on /search/, search's own (from the theme and the crate).
            Some(src) => assert!(
                src.ends_with("static/explainer.js")
                    || (file.ends_with("search/index.html")
                        && (src == "../static/search.js" || src == "../pagefind/pagefind-ui.js")),
                "{file}: script src={src}"
            ),
            None => {
                assert_eq!(
                    s.value().attr("type"),
                    Some("application/ld+json"),
                    "{file}: inline script {}",
                    s.html()
                );
                serde_json::from_str::<serde_json::Value>(&text(s))
                    .unwrap_or_else(|e| panic!("{file}: JSON-LD broken: {e}"));
            }
        }
    }
    assert_eq!(
        select(html, "script[type='application/ld+json']").len(),
        1,
        "{file}"
    );
    assert!(select(html, "img").is_empty(), "{file}: an img element");
    for el in select(html, "*") {
        for (name, _) in el.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "{file}: attribute {name} on {}",
                el.html()
            );
        }
    }
    assert!(select(html, "title").len() == 1, "{file}: one title");
}

#[test]
fn hostile_source_text_renders_as_inert_text() {
    let site = hostile_site(false);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let report = succeeded(site.build(&out));
    assert!(
        report.warnings.is_empty(),
        "{}",
        render_all(&report.warnings)
    );
    for p in html_files(&out) {
        assert_inert(&p, &parse_file(&out.join(&p)));
    }
    // The provenance page shows each line as written.
    let prov = parse_file(&out.join("sources/evil/index.html"));
    for (i, line) in EVIL_LINES.iter().enumerate() {
        assert_eq!(
            text(one(&prov, &format!("li#L{} .lt", i + 1))),
            *line,
            "line {}",
            i + 1
        );
    }
    assert_eq!(select(&prov, "li.line").len(), EVIL_LINES.len());
    // The notes show the lines and the quote as text.
    let home = parse_file(&out.join("index.html"));
    let notes = note_cites("index.html", &home);
    for (i, line) in EVIL_LINES.iter().enumerate() {
        assert_eq!(notes[&(i + 1)][0].line_text, *line, "note {}", i + 1);
    }
    assert_eq!(notes[&6][0].summary, "“{{ config }} and {% raw %}”");
    assert_eq!(
        select(&home, "sup.note-ref").len(),
        6,
        "[@x:1] in a source is not a citation of the page"
    );
}

#[test]
fn hostile_metadata_is_escaped() {
    let site = hostile_site(false);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    for p in html_files(&out) {
        assert_inert(&p, &parse_file(&out.join(&p)));
    }
    let prov = parse_file(&out.join("sources/evil/index.html"));
    let title = "</title><img src=x onerror=alert(5)> </script><script>alert(6)</script>";
    assert_eq!(text(one(&prov, "h1")), title);
    assert!(
        text(one(&prov, "head > title")).starts_with(title),
        "{}",
        text(one(&prov, "head > title"))
    );
    let main = text(one(&prov, "main"));
    assert!(
        main.contains("<img src=x onerror=alert(7)>"),
        "the publisher as written: {main}"
    );
    assert!(
        main.contains("{{ config }}"),
        "the author as written: {main}"
    );
    let original = one(&prov, "main a[href^='https://evil.example/']");
    assert_eq!(
        attr(original, "href"),
        "https://evil.example/a?x=\"><img src=x onerror=alert(8)>"
    );
    let home = parse_file(&out.join("index.html"));
    assert!(
        text(one(&home, "li.note#n-1")).contains("<img src=x onerror=alert(7)>"),
        "the publisher in the note"
    );
    // The JSON-LD of the provenance page holds the title as data.
    let ld: serde_json::Value =
        serde_json::from_str(&text(one(&prov, "script[type='application/ld+json']"))).unwrap();
    assert_eq!(ld["name"], title);
}

#[test]
fn hostile_markup_in_a_source_note_is_not_rendered_as_html() {
    // `note` is Markdown; raw HTML in it must not reach the page as markup (no img, no on*).
    let site = hostile_site(true);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    let prov = parse_file(&out.join("sources/evil/index.html"));
    let note = one(&prov, ".source-note");
    assert!(text(note).contains("{{ config }}"), "{}", note.html());
    assert_inert("sources/evil/index.html", &prov);
    assert!(
        text(note).contains("<img src=x onerror=alert(9)>"),
        "the markup is shown as text: {}",
        note.html()
    );
}

// ---------------------------------------------------------------------------------------------
// More positions and edge cases of verification

#[test]
fn e001_in_a_roster_cite() {
    let roster = "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\ncite = [\"alpah:2\"]\n";
    let site = minimal_site(&[(ROSTER, roster)]);
    let d = assert_error(&site, "E001", ROSTER, 7, 10);
    assert!(
        d.help.as_deref().unwrap_or_default().contains("`alpha`"),
        "{d}"
    );
}

#[test]
fn e002_in_a_roster_cite() {
    let roster = "[[delegation]]\nid = \"harbour\"\nname = \"Harbour\"\n\n[[delegation.member]]\nname = \"Ana Ruiz\"\ncite = [\"alpha:2\", \"alpha:40\"]\n";
    let site = minimal_site(&[(ROSTER, roster)]);
    let diags = site.errors();
    // Either the key or the line number is a fair start for "line out of bounds".
    let d = diags
        .iter()
        .find(|d| d.code == "E002")
        .unwrap_or_else(|| panic!("{}", render_all(&diags)));
    assert_eq!((d.file.as_str(), d.line), (ROSTER, 7), "{d}");
    assert!(d.column == 21 || d.column == 27, "{d}");
}

#[test]
fn quotes_holding_markdown_or_html_characters_verify() {
    // SPEC 3.1: a quote is anything between its delimiters; the source prints `*` and `<b>`.
    let site = minimal_site(&[
        ("sources/a.txt", "First line.\nHe said *maybe* twice and x < y.\nOfficials said <b>no</b> again.\n"),
        (PAGE, &page("Emphasis [@alpha:2 \"said *maybe* twice\"]. Tags [@alpha:3 \"said <b>no</b> again\"].\n")),
    ]);
    let diags = match site.check() {
        Ok(r) => r.warnings,
        Err(Failure::Content(d)) => d,
        Err(Failure::Io(e)) => panic!("{e:#}"),
    };
    assert!(
        diags.is_empty(),
        "valid quotes rejected:\n{}",
        render_all(&diags)
    );
    let tmp = tempdir();
    let out = tmp.path().join("out");
    site.build(&out).unwrap_or_else(|_| panic!("build"));
    let notes = note_cites("index.html", &parse_file(&out.join("index.html")));
    assert_eq!(notes[&1][0].summary, "“said *maybe* twice”");
    assert_eq!(notes[&2][0].summary, "“said <b>no</b> again”");
}

#[test]
fn e002_a_line_of_only_no_break_spaces_is_blank() {
    let site = minimal_site(&[
        ("sources/a.txt", "First line of a.\nSecond line says the harbour will reopen in March.\n\u{A0}\u{A0} \t\nFourth line.\n"),
        (PAGE, &page("Blank [@alpha:3]. Range [@alpha:3-3].\n")),
    ]);
    let diags = site.errors();
    find_diag(&diags, "E002", PAGE, 5, 15);
    find_diag(&diags, "E002", PAGE, 5, 33);
}

#[test]
fn e006_unknown_theme_points_at_the_theme_key() {
    let site = minimal_site(&[("site.toml", "title = \"Minimal\"\ntheme = \"nosuch\"\n")]);
    let diags = site.errors();
    let d = diags
        .iter()
        .find(|d| d.code == "E006")
        .unwrap_or_else(|| panic!("{}", render_all(&diags)));
    assert!(d.message.contains("nosuch"), "{d}");
    assert_eq!(
        (d.file.as_str(), d.line),
        ("site.toml", 2),
        "SPEC 8: errors carry the line: {d}"
    );
    assert!(d.column == 1 || d.column == 9, "{d}");
}

#[test]
fn e010_a_missing_template_named_in_front_matter() {
    let site = minimal_site(&[(PAGE, "+++\ntitle = \"Home\"\ntemplate = \"nosuch.html\"\n+++\n\nThe harbour will reopen [@alpha:2].\n")]);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let diags = match site.build(&out) {
        Err(Failure::Content(d)) => d,
        other => panic!("expected E010, got {:?}", other.map(|r| r.warnings)),
    };
    let d = diags
        .iter()
        .find(|d| d.code == "E010")
        .unwrap_or_else(|| panic!("{}", render_all(&diags)));
    assert!(d.message.contains("nosuch.html"), "{d}");
    assert!(!out.exists());
    let r = site.run_build(&out);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[E010]"), "{}", r.stderr);
    assert_eq!(
        (d.file.as_str(), d.line),
        (PAGE, 3),
        "SPEC 8: the error names the `template` line: {d}"
    );
}

#[test]
fn e010_an_undefined_variable_in_a_template_fails_the_build() {
    let site = minimal_site(&[(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.headline }}</h1>\n{% endblock content %}\n",
    )]);
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let diags = match site.build(&out) {
        Err(Failure::Content(d)) => d,
        other => panic!(
            "a typo in a template must fail the build, got {:?}",
            other.map(|r| r.warnings)
        ),
    };
    let d = diags
        .iter()
        .find(|d| d.code == "E010")
        .unwrap_or_else(|| panic!("{}", render_all(&diags)));
    assert_eq!(d.file, "themes/default/templates/page.html", "{d}");
    assert!(d.message.contains("page.html"), "{d}");
    assert!(!out.exists(), "nothing written");
    let r = site.run_build(&out);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[E010]"), "{}", r.stderr);
}

#[test]
fn a_curly_delimited_quote_may_hold_straight_quote_marks() {
    // SPEC 3.1: a quote delimited by “…” ends at ”; a straight " inside it is text.
    let site = minimal_site(&[
        (
            "sources/a.txt",
            "First line.\nHe said: \"we will see\" about the timeline.\n",
        ),
        (
            PAGE,
            &page("Open [@alpha:2 “He said: \"we will see\" about”].\n"),
        ),
    ]);
    let diags = match site.check() {
        Ok(r) => r.warnings,
        Err(Failure::Content(d)) => d,
        Err(Failure::Io(e)) => panic!("{e:#}"),
    };
    assert!(
        diags.is_empty(),
        "valid quote rejected:\n{}",
        render_all(&diags)
    );
}
