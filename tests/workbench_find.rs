//! The editor's workbench (issue 13): `explainer find`, and diagnostics that
//! point at the right place and say what to write (E003's word-level
//! difference, E004 at an unclosed quote, W004 for mistyped citations, E005's
//! did-you-mean).

mod common;

use common::*;

const PAGE: &str = "content/_index.md";

/// A page with the minimal front matter (3 lines, then a blank line): the body starts on line 5.
fn page(body: &str) -> String {
    format!("+++\ntitle = \"Home\"\n+++\n\n{body}")
}

fn find_site() -> Site {
    minimal_site(&[
        (
            "sources/b.txt",
            "Title of b\nThe \u{201C}guarantor\u{201D} countries\u{2014}all three\u{2014}were\nrepresented at the talks.\n",
        ),
        (
            "sources/sources.toml",
            "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"b.txt\"\nid = \"rhc\"\n",
        ),
    ])
}

#[test]
fn find_prints_each_line_with_a_ready_to_paste_citation() {
    let site = find_site();
    let root = site.root().to_str().unwrap();
    let r = run(["find", "harbour will reopen", "--root", root]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "sources/a.txt:2  [@alpha:2 \"harbour will reopen\"]\n"
    );
    // Normalized (curly quotes, dashes), with an elision, in the source's own characters.
    let r = run([
        "find",
        "\"guarantor\" countries-all ... were",
        "--root",
        root,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "sources/b.txt:2  [@rhc:2 \"\u{201C}guarantor\u{201D} countries\u{2014}all … were\"]\n"
    );
    // Across two lines: a range.
    let r = run(["find", "were represented", "--root", root, "--in", "rhc"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "sources/b.txt:2-3  [@rhc:2-3 \"were represented\"]\n"
    );
}

#[test]
fn the_printed_citation_verifies() {
    let site = find_site();
    let root = site.root().to_str().unwrap();
    let r = run([
        "find",
        "\"guarantor\" countries-all ... were",
        "--root",
        root,
    ]);
    let cite = r.stdout.split("  ").nth(1).unwrap().trim().to_string();
    site.write(
        PAGE,
        page(&format!(
            "The guarantors were there {cite}.\nThe harbour will reopen [@alpha:2].\n"
        )),
    );
    succeeded(site.check());
}

#[test]
fn find_without_a_match_shows_the_closest_passages_and_exits_1() {
    let site = find_site();
    let root = site.root().to_str().unwrap();
    let r = run(["find", "the harbour will open in March", "--root", root]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.starts_with("sources/a.txt:2  [@alpha:2 \""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[-open-] {+reopen+}"), "{}", r.stdout);
    let r = run(["find", "x", "--root", root, "--in", "rhx"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `rhc`?"), "{}", r.stderr);
}

#[test]
fn e003_help_shows_a_word_level_difference_with_the_closest_passage() {
    let long = format!(
        "{} and in the end the harbour will reopen in early March.\n",
        "Many words come first here. ".repeat(10)
    );
    let site = minimal_site(&[
        ("sources/a.txt", &format!("First line of a.\n{long}")),
        (
            PAGE,
            &page("It reopens [@alpha:2 \"the harbour will reopen in late March\"].\n"),
        ),
    ]);
    let diags = site.errors();
    let d = find_diag(&diags, "E003", PAGE, 5, 22);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("the harbour will reopen in [-late-] {+early+} March"),
        "{help}"
    );
    // When the quote stands elsewhere, the help still names that line.
    let site = minimal_site(&[(
        PAGE,
        &page("It reopens [@alpha:1 \"the harbour will reopen\"].\n"),
    )]);
    let diags = site.errors();
    let d = find_diag(&diags, "E003", PAGE, 5, 22);
    assert!(
        d.help
            .as_deref()
            .unwrap_or_default()
            .contains("[@alpha:2 \"the harbour will reopen\"]"),
        "{d}"
    );
}

#[test]
fn e004_points_at_the_opening_mark_of_an_unclosed_quote() {
    let site = minimal_site(&[(
        PAGE,
        &page("It reopens [@alpha:2 \"the harbour will reopen]. Later [@alpha:4 \"Fourth\"].\n"),
    )]);
    let diags = site.errors();
    let d = find_diag(&diags, "E004", PAGE, 5, 22);
    assert!(d.message.contains("quote is not closed"), "{d}");
    let r = site.run_check();
    assert_eq!(r.code, 1);
    r.assert_reports("E004", PAGE, 5, 22);
}

#[test]
fn w004_warns_of_mistyped_citations_with_the_corrected_form() {
    let site = minimal_site(&[(
        PAGE,
        &page(concat!(
            "The harbour will reopen [@alpha:2].\n\n",
            "Also [@alpha 2 \"will reopen\"] and [@alpha line 4].\n\n",
            "Handles [@someone], mail [@example.org] and `[@alpha 2]` in code stay silent.\n",
        )),
    )]);
    let warnings = site.warnings();
    let w = find_diag(&warnings, "W004", PAGE, 7, 6);
    let help = w.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("did you mean `[@alpha:2 \"will reopen\"]`?"),
        "{help}"
    );
    let w = find_diag(&warnings, "W004", PAGE, 7, 35);
    assert!(
        w.help
            .as_deref()
            .unwrap_or_default()
            .contains("`[@alpha:4]`"),
        "{w}"
    );
    assert_eq!(
        warnings.iter().filter(|w| w.code == "W004").count(),
        2,
        "{}",
        render_all(&warnings)
    );
    let r = site.run_check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.assert_reports("W004", PAGE, 7, 6);
}

#[test]
fn e005_says_did_you_mean_and_lists_the_keys_once() {
    let site = minimal_site(&[(
        PAGE,
        "+++\ntitle = \"Home\"\ndescripton = \"x\"\n+++\n\nThe harbour will reopen [@alpha:2].\n",
    )]);
    let diags = site.errors();
    let d = find_diag(&diags, "E005", PAGE, 3, 1);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.starts_with("did you mean `description`?"), "{help}");
    assert_eq!(help.matches("`uncited`").count(), 1, "{help}");
    assert!(!d.message.contains("`uncited`"), "{d}");
}

/// `find` keeps its line index in `EXPLAINER_CACHE_DIR` (never in the
/// site), answers the same from it, and sees a source edited since; a cache
/// folder it cannot write changes nothing but time.
#[test]
fn find_keeps_its_line_index_outside_the_site() {
    let site = find_site();
    let cache = tempfile::tempdir().unwrap();
    let find = |cache_dir: &std::path::Path, words: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
            .args(["find", words, "--root"])
            .arg(site.root())
            .env("EXPLAINER_CACHE_DIR", cache_dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let first = find(cache.path(), "harbour will reopen");
    assert_eq!(
        first,
        "sources/a.txt:2  [@alpha:2 \"harbour will reopen\"]\n"
    );
    let written: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(written.len(), 1, "one index file");
    assert_eq!(find(cache.path(), "harbour will reopen"), first);
    let before: Vec<_> = walkdir::WalkDir::new(site.root()).into_iter().collect();
    site.write(
        "sources/a.txt",
        "Title of a\nThe harbour will reopen in May, officials said.\n",
    );
    assert_eq!(
        find(cache.path(), "reopen in May"),
        "sources/a.txt:2  [@alpha:2 \"reopen in May\"]\n"
    );
    let after: Vec<_> = walkdir::WalkDir::new(site.root()).into_iter().collect();
    assert_eq!(before.len(), after.len(), "nothing written into the site");
    let blocked = site.path("site.toml").join("cache");
    assert_eq!(
        find(&blocked, "reopen in May"),
        find(cache.path(), "reopen in May")
    );
}
