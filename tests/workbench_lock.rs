//! The editor's workbench, the lock's part (issue 13, SPEC 7):
//! `citations.lock` kept by every build as `Cargo.lock` is, E014 with the
//! old and the new text, `--locked`, old hash-only locks, `pin`, `check
//! --fix` after a shift, and `new source` from outside the site.

mod common;

use std::ffi::OsStr;

use common::*;

const LOCK: &str = "citations.lock";

/// A source of five lines, cited once with a quote (line 2) and once by
/// line only (line 4).
fn site() -> Site {
    minimal_site(&[
        (
            "sources/a.txt",
            "First line of a.\nSecond line says the harbour will reopen in March.\n\nFourth line says the ferry resumes.\nFifth line.\n",
        ),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\nThe ferry resumes [@alpha:4].\n",
        ),
    ])
}

fn cmd(site: &Site, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.push(OsStr::new("--root"));
    all.push(site.root().as_os_str());
    run(all)
}

fn build(site: &Site, extra: &[&str]) -> Run {
    let out = site.root().join("public");
    let out = out.to_str().unwrap().to_string();
    let mut args = vec!["build", "--output", &out];
    args.extend_from_slice(extra);
    cmd(site, &args)
}

#[test]
fn the_first_build_writes_the_lock_later_builds_add_and_drop_check_writes_nothing() {
    let s = site();
    let r = cmd(&s, &["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!s.path(LOCK).exists(), "check writes nothing");

    let r = build(&s, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lock = s.read(LOCK);
    assert!(
        lock.contains("[alpha]\nL2 = { text = \"Second line says the harbour will reopen in March.\" }\nL4 = { text = \"Fourth line says the ferry resumes.\" }\n"),
        "{lock}"
    );
    // Byte-stable: another build leaves the same bytes.
    assert_eq!(build(&s, &[]).code, 0);
    assert_eq!(s.read(LOCK), lock);

    // A new citation adds its line; the line nothing cites any more goes.
    s.replace("content/_index.md", "[@alpha:4]", "[@alpha:5]");
    let r = cmd(&s, &["check", "--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("citations.lock would change: it would add alpha L5; would drop alpha L4"),
        "{}",
        r.stderr
    );
    let r = build(&s, &["--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(s.read(LOCK), lock, "--locked changes nothing");

    assert_eq!(build(&s, &[]).code, 0);
    let after = s.read(LOCK);
    assert!(
        after.contains("L5 = { text = \"Fifth line.\" }") && !after.contains("L4"),
        "{after}"
    );
    assert_eq!(cmd(&s, &["check", "--locked"]).code, 0);
    assert_eq!(build(&s, &["--locked"]).code, 0);
}

#[test]
fn a_missing_lock_fails_locked_builds_and_a_failed_build_writes_no_lock() {
    let s = site();
    let r = build(&s, &["--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("citations.lock is missing"),
        "{}",
        r.stderr
    );
    assert!(!s.path(LOCK).exists());
    s.replace("content/_index.md", "[@alpha:4]", "[@alpha:9]");
    assert_eq!(build(&s, &[]).code, 1);
    assert!(!s.path(LOCK).exists(), "a failed build writes nothing");
}

#[test]
fn a_changed_line_is_e014_with_the_old_and_the_new_text_and_no_build_rewrites_it() {
    let s = site();
    assert_eq!(build(&s, &[]).code, 0);
    let lock = s.read(LOCK);
    s.replace(
        "sources/a.txt",
        "the ferry resumes",
        "the ferry stays suspended",
    );
    let r = build(&s, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // `[@alpha:4]` on line 6 of the page: the line number, column 26.
    r.assert_reports("E014", "content/_index.md", 6, 27);
    assert!(
        r.stderr
            .contains("citations.lock recorded: \"Fourth line says the ferry [-resumes.-]\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("line 4 now reads: \"Fourth line says the ferry {+stays suspended.+}\""),
        "{}",
        r.stderr
    );
    assert_eq!(s.read(LOCK), lock, "no build rewrites an entry");

    // A quoted citation whose line changed, though the quote still holds.
    s.replace(
        "sources/a.txt",
        "the ferry stays suspended",
        "the ferry resumes",
    );
    s.replace("sources/a.txt", "in March.", "in April.");
    let r = cmd(&s, &["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E014", "content/_index.md", 5, 33);
    assert!(r.stderr.contains("{+April.+}"), "{}", r.stderr);

    // `lock` accepts the new text after review.
    assert_eq!(cmd(&s, &["lock"]).code, 0);
    assert!(s.read(LOCK).contains("in April."));
    assert_eq!(build(&s, &["--locked"]).code, 0);
}

#[test]
fn a_hash_only_lock_is_read_and_migrated_by_the_next_build() {
    let s = site();
    // The format of locks written before the text was kept.
    let hash = |t: &str| explainer::load::lock::line_hash(t);
    let old = format!(
        "[alpha]\nL2 = \"{}\"\nL4 = \"{}\"\n",
        hash("Second line says the harbour will reopen in March."),
        hash("Fourth line says the ferry resumes.")
    );
    s.write(LOCK, &old);
    assert_eq!(cmd(&s, &["check"]).code, 0);
    assert_eq!(s.read(LOCK), old, "check writes nothing");
    let r = cmd(&s, &["check", "--locked"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("would store the text of alpha L2, alpha L4"),
        "{}",
        r.stderr
    );
    assert_eq!(build(&s, &[]).code, 0);
    assert!(s
        .read(LOCK)
        .contains("L4 = { text = \"Fourth line says the ferry resumes.\" }"));

    // A hash-only entry that no longer matches is E014, without the old text.
    s.write(LOCK, &old);
    s.replace("sources/a.txt", "the ferry resumes", "the ferry waits");
    let r = build(&s, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E014", "content/_index.md", 6, 27);
    assert!(
        r.stderr.contains("an old lock, without the text"),
        "{}",
        r.stderr
    );
    assert_eq!(s.read(LOCK), old);
}

#[test]
fn the_lock_is_never_written_through_a_symbolic_link() {
    let s = site();
    let elsewhere = tempdir();
    let target = elsewhere.path().join("victim");
    std::fs::write(&target, "keep").unwrap();
    std::os::unix::fs::symlink(&target, s.path(LOCK)).unwrap();
    let r = build(&s, &[]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn fix_moves_quoted_and_line_only_citations_after_a_one_line_shift() {
    let s = site();
    assert_eq!(build(&s, &[]).code, 0);
    // One line at the top: line 2 is now "First line", line 4 is blank.
    let text = s.read("sources/a.txt");
    s.write("sources/a.txt", format!("Inserted.\n{text}"));
    let r = cmd(&s, &["check"]);
    assert_eq!(r.code, 1);
    let r = cmd(&s, &["check", "--fix"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("content/_index.md:5: alpha:2 -> alpha:3"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("content/_index.md:6: alpha:4 -> alpha:5"),
        "{}",
        r.stdout
    );
    let page = s.read("content/_index.md");
    assert!(
        page.contains("[@alpha:3 \"the harbour will reopen\"]") && page.contains("[@alpha:5]."),
        "{page}"
    );
    assert_eq!(cmd(&s, &["check"]).code, 0);
}

#[test]
fn fix_moves_a_quote_whose_line_is_now_blank_or_out_of_range() {
    let s = site();
    s.replace(
        "content/_index.md",
        "[@alpha:4]",
        "[@alpha:5 \"Fifth line\"]",
    );
    assert_eq!(build(&s, &[]).code, 0);
    // Two lines removed at the top: line 5 is out of range, line 2 blank.
    s.write(
        "sources/a.txt",
        "Second line says the harbour will reopen in March.\n\nFourth line says the ferry resumes.\nFifth line.\n",
    );
    let r = cmd(&s, &["check", "--fix"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("alpha:2 -> alpha:1"), "{}", r.stdout);
    assert!(r.stdout.contains("alpha:5 -> alpha:4"), "{}", r.stdout);
}

#[test]
fn pin_rewrites_only_the_hash_and_lists_the_changed_lines() {
    let s = site();
    let manifest = "\u{feff}# Sources\r\n[[source]]\r\nfile = \"a.txt\"   # the first\r\nid = \"alpha\"\r\nsha256 = 'AAAA'  # pinned\r\ntitle = \"A\"\r\n";
    s.write("sources/sources.toml", manifest);
    let r = cmd(&s, &["lock"]);
    assert_eq!(r.code, 1, "E013 before pinning: {}", r.stderr);
    // Pin first, then the lock is written by a build.
    let r = cmd(&s, &["pin", "alpha"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sha =
        explainer::load::source::Source::from_bytes("a.txt", s.read("sources/a.txt").as_bytes())
            .unwrap()
            .sha256;
    assert_eq!(
        s.read("sources/sources.toml"),
        manifest.replace("AAAA", &sha)
    );
    assert_eq!(build(&s, &[]).code, 0);

    s.replace("sources/a.txt", "the ferry resumes", "the ferry waits");
    let r = cmd(&s, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("sources/a.txt:4: cited line changed: \"Fourth line says the ferry [-resumes.-]\" -> \"Fourth line says the ferry {+waits.+}\""),
        "{}",
        r.stdout
    );
    let sha2 =
        explainer::load::source::Source::from_bytes("a.txt", s.read("sources/a.txt").as_bytes())
            .unwrap()
            .sha256;
    assert_eq!(
        s.read("sources/sources.toml"),
        manifest.replace("AAAA", &sha2)
    );
    assert_eq!(cmd(&s, &["pin", "nosuch"]).code, 2);
}

#[test]
fn new_source_copies_a_file_from_outside_byte_for_byte() {
    let s = site();
    let outside = tempdir();
    let file = outside.path().join("Reuters Report.txt");
    let bytes = b"Reuters report title\r\nA line with \xc3\xa9.\r\n";
    std::fs::write(&file, bytes).unwrap();
    let r = cmd(
        &s,
        &[
            "new",
            "source",
            file.to_str().unwrap(),
            "--id",
            "reuters",
            "--publisher",
            "Reuters",
            "--published",
            "2026-01-07",
            "--url",
            "https://example.com/r",
            "--retrieved",
            "2026-01-08",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read(s.path("sources/Reuters Report.txt")).unwrap(),
        bytes
    );
    let manifest = s.read("sources/sources.toml");
    for want in [
        "id = \"reuters\"",
        "publisher = \"Reuters\"",
        "published = 2026-01-07",
        "url = \"https://example.com/r\"",
        "retrieved = 2026-01-08",
    ] {
        assert!(manifest.contains(want), "{want} in {manifest}");
    }
    assert_eq!(cmd(&s, &["check"]).code, 0);
    // Never overwritten; a URL that is not http(s) is refused.
    let again = cmd(
        &s,
        &["new", "source", file.to_str().unwrap(), "--id", "other"],
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    let other = outside.path().join("b.txt");
    std::fs::write(&other, "B\n").unwrap();
    let bad = cmd(
        &s,
        &[
            "new",
            "source",
            other.to_str().unwrap(),
            "--url",
            "javascript:alert(1)",
        ],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(!s.path("sources/b.txt").exists());
}

/// A build that leaves the lock as it is does not rewrite it; one that only
/// adds a line, only drops one, or finds a source the site no longer has,
/// does (the unchanged case is decided without making the lock's texts).
#[test]
fn a_lock_that_only_adds_only_drops_or_names_a_lost_source_is_rewritten() {
    let s = site();
    assert_eq!(build(&s, &[]).code, 0);
    let first = s.read(LOCK);

    // Only an addition.
    s.replace("content/_index.md", "[@alpha:4]", "[@alpha:4; @alpha:5]");
    assert_eq!(build(&s, &[]).code, 0);
    let added = s.read(LOCK);
    assert!(
        added.contains("L4 = ") && added.contains("L5 = "),
        "{added}"
    );

    // Only a drop.
    s.replace("content/_index.md", "[@alpha:4; @alpha:5]", "[@alpha:4]");
    assert_eq!(build(&s, &[]).code, 0);
    assert_eq!(s.read(LOCK), first);

    // A source the site does not have.
    s.write(
        LOCK,
        format!("{first}\n[ghost]\nL1 = {{ text = \"Nothing cites this.\" }}\n"),
    );
    let r = cmd(&s, &["check", "--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("would drop ghost L1"), "{}", r.stderr);
    assert_eq!(build(&s, &[]).code, 0);
    assert_eq!(s.read(LOCK), first);
}
