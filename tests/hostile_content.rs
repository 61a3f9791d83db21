//! Hostile content in loading and diagnostics: file names used as keys and
//! path segments, encodings, spans on CRLF lines, empty roster names, the
//! cost of many diagnostics and of long ranges.

mod common;

use std::time::Instant;

use common::*;
use explainer::Diagnostic;

const PAGE: &str = "content/_index.md";
const MANIFEST: &str = "sources/sources.toml";
const ROSTER: &str = "content/delegations.toml";
const LOCK: &str = "citations.lock";

fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

/// The content errors of a check (panics on a pass or an I/O error).
fn errors_of(site: &Site) -> Vec<Diagnostic> {
    site.errors()
}

// ---------------------------------------------------------------------------------------------
// 13: invalid UTF-8 in any text file is E009, reported with every other error

#[test]
fn bug_13_invalid_utf8_in_any_site_file_is_e009_with_the_rest() {
    let cases: [(&str, &[u8], usize, usize, usize); 5] = [
        (PAGE, b"+++\ntitle = \"Home\"\n+++\n\nab\xffcd\n", 5, 3, 26),
        ("site.toml", b"title = \"Min\xe9\"\n", 1, 13, 12),
        (
            MANIFEST,
            b"[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"\xc3\x28\"\n",
            4,
            10,
            48,
        ),
        (
            ROSTER,
            b"[[delegation]]\nid = \"x\"\nname = \"\xfe\"\n",
            3,
            9,
            32,
        ),
        (LOCK, b"[alpha]\nL2 = \"\x80\"\n", 2, 7, 14),
    ];
    for (file, bytes, line, column, offset) in cases {
        let site = minimal_site(&[]);
        site.write(file, bytes);
        // Another error elsewhere must be reported too (not an early exit).
        let other = if file == PAGE {
            "content/b.md"
        } else {
            "content/c.md"
        };
        site.write(other, page("Bad [@nowhere:1].\n"));
        let diags = errors_of(&site);
        let d = find_diag(&diags, "E009", file, line, column);
        assert!(
            d.message.contains(&format!("offset {offset}")),
            "{file}: {}",
            d.message
        );
        find_diag(&diags, "E001", other, 5, 7);
        let r = site.run_check();
        assert_eq!(r.code, 1, "{file}: {}", r.stderr);
        r.assert_reports("E009", file, line, column);
        r.assert_reports("E001", other, 5, 7);
    }
}

// ---------------------------------------------------------------------------------------------
// 14: a TOML error whose span touches the `\r` of a CRLF line

#[test]
fn bug_14_toml_string_left_open_on_a_crlf_line_is_reported_not_a_panic() {
    let cases: [(&str, &str, &str); 5] = [
        (
            PAGE,
            "+++\r\ntitle = \"Home\r\n+++\r\n\r\nText.\r\n",
            "E005",
        ),
        ("site.toml", "title = \"Home\r\n", "E006"),
        (MANIFEST, "[[source]]\r\nfile = \"a.txt\r\n", "E006"),
        (ROSTER, "[[delegation]]\r\nid = \"x\r\n", "E006"),
        (LOCK, "[alpha]\r\nL2 = \"abc\r\n", "E006"),
    ];
    for (file, text, code) in cases {
        let site = minimal_site(&[(file, text)]);
        let diags = errors_of(&site);
        let d = diags
            .iter()
            .find(|d| d.code == code && d.file == file)
            .unwrap_or_else(|| panic!("{file}: no {code} in\n{}", render_all(&diags)));
        let line = if file == PAGE { 2 } else { d.line };
        assert_eq!(d.line, line, "{file}: {d}");
        assert!(d.line >= 1 && d.column >= 1, "{file}: {d}");
        let shown = d.render(false);
        assert!(!shown.contains('\r'), "{file}: {shown:?}");
        let r = site.run_check();
        assert_eq!(r.code, 1, "{file}: {}", r.stderr);
        r.assert_reports(code, file, d.line, d.column);
    }
}

// ---------------------------------------------------------------------------------------------
// 23: diagnostics cost in proportion to their number

/// `n` malformed groups, one per paragraph.
fn malformed_paragraphs(n: usize) -> String {
    (0..n)
        .map(|i| format!("Claim {i} [@alpha:x].\n\n"))
        .collect()
}

#[test]
fn bug_23_many_diagnostics_are_all_reported_and_printing_is_capped() {
    let n = 50_000;
    let site = minimal_site(&[(PAGE, &page(&malformed_paragraphs(n)))]);
    let started = Instant::now();
    let diags = errors_of(&site);
    eprintln!("50,000 paragraphs: {:?}", started.elapsed());
    let e004: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "E004").collect();
    assert_eq!(e004.len(), n, "one E004 per group");
    // Positions are right at the start, in the middle and at the end.
    for i in [0, n / 2, n - 1] {
        find_diag(&diags, "E004", PAGE, 5 + 2 * i, 16 + i.to_string().len());
    }
    // The binary prints the first 100 of the file and counts the rest.
    let r = site.run_check();
    assert_eq!(r.code, 1);
    // (The page's W002 is one of them.)
    let printed =
        r.stderr.matches("error[E004]").count() + r.stderr.matches("warning[W002]").count();
    assert_eq!(printed, 100, "{}", &r.stderr[..2000]);
    assert!(
        r.stderr
            .contains(&format!("and {} more errors in {PAGE}", n - 99)),
        "{}",
        &r.stderr[r.stderr.len().saturating_sub(2000)..]
    );
    assert!(
        r.stderr.contains(&format!("error: {n} errors found")),
        "{}",
        &r.stderr[r.stderr.len().saturating_sub(500)..]
    );
}

#[test]
fn bug_23_many_diagnostics_on_one_long_line_have_bounded_excerpts() {
    let n = 16_000;
    let line: String = (0..n).map(|i| format!("C{i} [@alpha:x]. ")).collect();
    let site = minimal_site(&[(PAGE, &page(&format!("{line}\n")))]);
    let diags = errors_of(&site);
    let e004: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "E004").collect();
    assert_eq!(e004.len(), n);
    // Columns count characters from the line start.
    let mut column = 1;
    for (i, d) in e004.iter().enumerate() {
        // The marker stands on the `x` that breaks the group.
        let at = format!("C{i} [@alpha:").len();
        assert_eq!((d.line, d.column), (5, column + at), "group {i}");
        column += format!("C{i} [@alpha:x]. ").len();
    }
    // An excerpt is a window of the line, not the whole 200 KB line.
    for d in [e004[0], e004[n / 2], e004[n - 1]] {
        let shown = d.render(false);
        assert!(shown.len() < 1_000, "{} bytes:\n{shown}", shown.len());
        assert!(
            shown.contains(&format!("--> {PAGE}:5:{}", d.column)),
            "{shown}"
        );
    }
    let middle = e004[n / 2].render(false);
    assert!(middle.contains('…'), "{middle}");
    assert!(
        middle.contains(&format!("C{} [@alpha:x]", n / 2)),
        "{middle}"
    );
}

// ---------------------------------------------------------------------------------------------
// 8: a file stem is a key and a path segment

#[test]
fn bug_08_unsafe_file_stems_are_e012_until_given_an_id() {
    // (file name on disk, the same name in a TOML string)
    let cases = [
        ("...txt", "...txt"),
        ("..txt", "..txt"),
        ("index.html.txt", "index.html.txt"),
        ("a\u{1}b.txt", "a\\u0001b.txt"),
    ];
    for (name, toml_name) in cases {
        let file = format!("sources/{name}");
        let site = minimal_site(&[(&file, "Extra line.\n")]);
        let diags = errors_of(&site);
        let d = find_diag(&diags, "E012", &file, 0, 0);
        assert!(d.message.contains("file stem"), "{d}");
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains("give it an `id` in sources.toml"), "{d}");
        // The help's file name is a TOML string the editor can paste.
        assert!(help.contains(&format!("file = \"{toml_name}\"")), "{d}");
        let r = site.run_check();
        assert_eq!(r.code, 1, "{name:?}: {}", r.stderr);
        assert!(r.stderr.contains("error[E012]"), "{}", r.stderr);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.trim_start() == format!("--> {file}")),
            "{}",
            r.stderr
        );

        // With an id, the source builds under that id and the home page is the page's.
        let manifest = site.read(MANIFEST);
        site.write(
            MANIFEST,
            format!("{manifest}\n[[source]]\nfile = \"{toml_name}\"\nid = \"extra\"\n"),
        );
        let out = tempdir();
        let out = out.path().join("out");
        succeeded(site.build(&out));
        let home = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(home.contains("The harbour will reopen"), "{name:?}: {home}");
        assert!(out.join("sources/extra/index.html").is_file(), "{name:?}");
        assert!(out.join("sources/extra").join(name).is_file(), "{name:?}");
        assert!(out.join("sources/index.html").is_file(), "{name:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 15: an empty or blank roster name or variant

#[test]
fn bug_15_empty_or_blank_roster_names_are_e006_and_never_panic() {
    // Line 2 does not normalize one to one (double spaces): the search maps back.
    let source = "First line of a.\nSecond  line says the harbour  will reopen in March.\n";
    let roster = "[[delegation]]\nid = \"x\"\nname = \"X\"\n\n[[delegation.member]]\nname = \"\"\ncite = [\"alpha:2\"]\nvariants = [\"Harbour\", \" \"]\n\n[[delegation.member]]\nname = \" \\u00A0\"\nid = \"blank\"\ncite = [\"alpha:1\"]\n";
    let site = minimal_site(&[("sources/a.txt", source), (ROSTER, roster)]);
    let diags = errors_of(&site);
    let d = find_diag(&diags, "E006", ROSTER, 6, 8);
    assert!(d.message.contains("empty member name"), "{d}");
    let d = find_diag(&diags, "E006", ROSTER, 8, 24);
    assert!(d.message.contains("empty variant"), "{d}");
    find_diag(&diags, "E006", ROSTER, 11, 8);
    let r = site.run_check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", ROSTER, 6, 8);
    r.assert_reports("E006", ROSTER, 8, 24);
}

// ---------------------------------------------------------------------------------------------
// 25: range citations do not amplify

#[test]
fn bug_25_long_ranges_are_e002_and_ranges_up_to_the_limit_are_annotated_exactly() {
    let source: String = (1..=100_000)
        .map(|i| format!("Line number {i} of the long source.\n"))
        .collect();
    let groups: String = (0..20)
        .map(|i| format!("Claim {i} [@long:1-100000]. "))
        .collect();
    let site = minimal_site(&[
        ("sources/long.txt", &source),
        ("content/long.md", &page(&format!("{groups}\n"))),
    ]);
    let diags = errors_of(&site);
    let e002: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "E002").collect();
    assert_eq!(e002.len(), 20, "{}", render_all(&diags));
    let d = find_diag(&diags, "E002", "content/long.md", 5, 16);
    assert!(
        d.message.contains("100000 lines long") && d.message.contains("at most 20"),
        "{d}"
    );
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E002", "content/long.md", 5, 16);

    // A roster cite is a citation too.
    let roster = "[[delegation]]\nid = \"x\"\nname = \"X\"\n\n[[delegation.member]]\nname = \"Line\"\ncite = [\"long:1-21\"]\n";
    site.write(ROSTER, roster);
    find_diag(&site.errors(), "E002", ROSTER, 7, 10);

    // 20 lines is the limit; the annotation of a range covers its lines exactly.
    site.remove(ROSTER);
    let source: String = (1..=30)
        .map(|i| format!("Line number {i} of the long source.\n"))
        .collect();
    site.write("sources/long.txt", &source);
    site.write("content/long.md", page("Twenty lines [@long:3-22].\n"));
    let out = tempdir();
    let out = out.path().join("out");
    succeeded(site.build(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("annotations.jsonld")).unwrap()).unwrap();
    let item = json["first"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["target"]["source"].as_str().unwrap().contains("long.txt"))
        .expect("an annotation of long.txt");
    let selectors = &item["target"]["selector"];
    let exact = selectors[0]["exact"].as_str().unwrap();
    let lines: Vec<&str> = source.lines().collect();
    assert_eq!(exact, lines[2..22].join("\n"));
    let start = source.find(lines[2]).unwrap();
    assert_eq!(selectors[1]["start"].as_u64(), Some(start as u64));
    assert_eq!(
        selectors[1]["end"].as_u64(),
        Some((start + exact.len()) as u64)
    );
}

// ---------------------------------------------------------------------------------------------
// annotations.jsonld is written by hand: its strings must be escaped JSON

#[test]
fn annotations_escape_quotes_backslashes_and_control_characters() {
    let line = "He said \"no\" to C:\\path\\x,\ta tab, </script> & “curly” \u{7f}\u{1} end.";
    let site = minimal_site(&[
        ("sources/esc.txt", &format!("{line}\nSecond line.\n")),
        (
            "content/esc.md",
            &page("A \"no\" at back\\slash\tand </b> [@esc:1].\n"),
        ),
    ]);
    let out = tempdir();
    let out = out.path().join("out");
    succeeded(site.build(&out));
    let raw = std::fs::read_to_string(out.join("annotations.jsonld")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let item = json["first"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["target"]["source"].as_str().unwrap().contains("esc.txt"))
        .expect("an annotation of esc.txt");
    assert_eq!(item["target"]["selector"][0]["exact"], line);
    let value = item["body"][0]["value"].as_str().unwrap();
    assert!(value.starts_with("A “no” at back\\slash"), "{value}");
    // Control characters are escapes in the file, never raw.
    assert!(!raw.contains('\t') && !raw.contains('\u{1}'), "{raw}");
    assert!(raw.contains("\\t") && raw.contains("\\u0001"));
}
