//! The preview behind `serve`: after every kind of edit, the files it
//! renders on demand must be exactly the files a full in-memory build
//! renders, and an edit must re-read only what it changed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use explainer::editor::preview::{all_files, Generation, Preview};
use explainer::{Failure, Options};

fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let root = dir.path().join("site");
    copy_dir(&fixture("pass-basic"), &root);
    (dir, root)
}

/// A copy of the fixture and its preview, built once.
fn built_preview() -> (tempfile::TempDir, PathBuf, Preview) {
    let (dir, root) = fixture_copy();
    let mut preview = Preview::new(Options::new(&root));
    preview.rebuild(&[]).expect("the fixture builds");
    (dir, root, preview)
}

/// Overrides the theme's 404 template with a page headed `heading`; returns its path.
fn override_404(root: &Path, heading: &str) -> PathBuf {
    let theme = root.join("themes/default/templates/404.html");
    fs::create_dir_all(theme.parent().unwrap()).unwrap();
    fs::write(
        &theme,
        format!(
            "{{% extends \"base.html\" %}}{{% block content %}}<h1>{heading}</h1>{{% endblock %}}"
        ),
    )
    .unwrap();
    theme
}

/// Asserts that the preview serves what a full build of the same files renders.
fn assert_matches_full_build(preview: &Preview, root: &Path, when: &str) {
    let (expected, _) = explainer::render(&Options::new(root))
        .unwrap_or_else(|_| panic!("{when}: the full build fails"));
    let generation = preview.current().expect("a good build");
    let served = all_files(&generation).unwrap_or_else(|d| panic!("{when}: {}", d.render(false)));
    let paths = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        paths(&served),
        paths(&expected),
        "{when}: file lists differ"
    );
    for ((path, got), (_, want)) in served.iter().zip(&expected) {
        assert!(got == want, "{when}: {path} differs from the full build");
    }
}

/// Rebuilds after `changed` with the watcher's word that they are every
/// change, and checks the result against a full build.
fn rebuild_reported(preview: &mut Preview, root: &Path, changed: &[PathBuf], when: &str) {
    preview.report_complete();
    preview
        .rebuild(changed)
        .unwrap_or_else(|_| panic!("{when}: the rebuild fails"));
    assert_matches_full_build(preview, root, when);
}

/// How often `/claims/` marks a claim that rests on a single origin and does
/// not name it.
fn flagged(preview: &Preview) -> usize {
    let g = preview.current().unwrap();
    let claims = String::from_utf8(g.file("claims/index.html").unwrap().unwrap().to_vec()).unwrap();
    claims.matches("origin-flag").count()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) -> PathBuf {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, f(text)).unwrap();
    path
}

#[test]
fn every_edit_serves_what_a_full_build_renders() {
    let (_dir, root, mut preview) = built_preview();
    assert_matches_full_build(&preview, &root, "first build");

    // A new claim on a page changes the page, /claims/, a provenance page,
    // the sources index counts and the annotations.
    let page = edit(&root, "content/x/b.md", |t| {
        format!("{t}\nA new claim [@beta:4 \"The joint committee will meet every week\"].\n")
    });
    preview.rebuild(&[page]).expect("the edit builds");
    assert_matches_full_build(&preview, &root, "after a new claim");

    // Metadata of a source: its provenance page, every note citing it, indexes.
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace(
            "title = \"Harbour deal signed\"",
            "title = \"Harbour deal signed at last\"",
        )
    });
    preview.rebuild(&[manifest]).expect("the edit builds");
    assert_matches_full_build(&preview, &root, "after a manifest edit");

    // A new top-level page joins the site menu of every page.
    let added = root.join("content/later.md");
    fs::write(
        &added,
        "+++\ntitle = \"Later\"\nweight = 2\n+++\n\nStill weekly [@alpha:3 \"will meet every week\"].\n",
    )
    .unwrap();
    preview
        .rebuild(std::slice::from_ref(&added))
        .expect("the new page builds");
    assert_matches_full_build(&preview, &root, "after a new page");

    // A removed page is gone from everything.
    fs::remove_file(&added).unwrap();
    preview.rebuild(&[added]).expect("the removal builds");
    assert_matches_full_build(&preview, &root, "after a page was removed");

    // A theme override changes every page.
    let theme = override_404(&root, "Lost");
    preview.rebuild(&[theme]).expect("the override builds");
    assert_matches_full_build(&preview, &root, "after a theme override");
}

#[test]
fn an_edit_re_reads_only_the_files_it_changed() {
    let (_dir, root, mut preview) = built_preview();
    let before = preview.current().unwrap();
    let page_of = |g: &Generation, file: &str| {
        let p = g.site().pages.iter().find(|p| p.page.file == file).unwrap();
        Arc::clone(&p.page)
    };

    let changed = edit(&root, "content/x/b.md", |t| {
        format!("{t}\nOne more line.\n")
    });
    preview.rebuild(&[changed]).unwrap();
    let after = preview.current().unwrap();
    assert!(Arc::ptr_eq(
        &page_of(&before, "content/_index.md"),
        &page_of(&after, "content/_index.md")
    ));
    assert!(!Arc::ptr_eq(
        &page_of(&before, "content/x/b.md"),
        &page_of(&after, "content/x/b.md")
    ));
    // No source changed: the sources are the same ones, and the unchanged
    // page's citations were not verified again.
    assert!(Arc::ptr_eq(&before.site().sources, &after.site().sources));
    let refs_of = |g: &Generation, file: &str| {
        let p = g.site().pages.iter().find(|p| p.page.file == file).unwrap();
        Arc::clone(&p.group_refs)
    };
    assert!(Arc::ptr_eq(
        &refs_of(&before, "content/_index.md"),
        &refs_of(&after, "content/_index.md")
    ));

    // A source's metadata changed: no citation needs verifying again.
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace("Beta News", "Beta Newswire")
    });
    preview.rebuild(&[manifest]).unwrap();
    let later = preview.current().unwrap();
    assert!(!Arc::ptr_eq(&after.site().sources, &later.site().sources));
    assert!(Arc::ptr_eq(
        &refs_of(&after, "content/_index.md"),
        &refs_of(&later, "content/_index.md")
    ));

    // A source's text changed: the pages citing it are verified again, the
    // others are not.
    let gamma = root.join("sources/wire/002_gamma.txt");
    let old_pin = sha256_hex(&fs::read(&gamma).unwrap());
    let text = format!(
        "{}A line added later.\n",
        fs::read_to_string(&gamma).unwrap()
    );
    fs::write(&gamma, &text).unwrap();
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace(&old_pin, &sha256_hex(text.as_bytes()))
    });
    fs::write(
        root.join("content/x/b.md"),
        "+++\ntitle = \"B\"\n+++\n\nNo wire copy here [@beta:3].\n",
    )
    .unwrap();
    let b = root.join("content/x/b.md");
    preview.rebuild(&[gamma, manifest, b.clone()]).unwrap();
    let after_b = preview.current().unwrap();
    let c = edit(&root, "sources/wire/002_gamma.txt", |t| {
        format!("{t}And one more.\n")
    });
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace(
            &sha256_hex(text.as_bytes()),
            &sha256_hex(&fs::read(&c).unwrap()),
        )
    });
    preview.rebuild(&[c, manifest]).unwrap();
    let last = preview.current().unwrap();
    assert!(
        !Arc::ptr_eq(
            &refs_of(&after_b, "content/_index.md"),
            &refs_of(&last, "content/_index.md")
        ),
        "the home page cites the wire copy: verified again"
    );
    assert!(
        Arc::ptr_eq(
            &refs_of(&after_b, "content/x/b.md"),
            &refs_of(&last, "content/x/b.md")
        ),
        "x/b.md does not cite the wire copy: not verified again"
    );
    assert_matches_full_build(&preview, &root, "after a source edit");
}

/// Rewrites the line of `path` that starts with `prefix` in upper case,
/// keeping the file's length and mtime: only the watcher can tell it changed.
fn edit_keeping_length_and_mtime(path: &Path, prefix: &str) {
    let modified = fs::metadata(path).unwrap().modified().unwrap();
    let text = fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with(prefix)).unwrap();
    let upper = format!("{prefix}{}", line[prefix.len()..].to_uppercase());
    assert_ne!(upper, line);
    assert_eq!(upper.len(), line.len());
    fs::write(path, text.replace(line, &upper)).unwrap();
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
}

#[test]
fn an_edit_that_keeps_length_and_mtime_is_seen_when_the_watcher_names_it() {
    let (_dir, root, mut preview) = built_preview();
    let page = root.join("content/x/b.md");
    edit_keeping_length_and_mtime(&page, "title");
    preview.rebuild(std::slice::from_ref(&page)).unwrap();
    assert_matches_full_build(&preview, &root, "after a same-size page edit");

    // The parsed manifest is kept between rebuilds too.
    let manifest = root.join("sources/sources.toml");
    edit_keeping_length_and_mtime(&manifest, "title");
    preview.rebuild(std::slice::from_ref(&manifest)).unwrap();
    assert_matches_full_build(&preview, &root, "after a same-size manifest edit");
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_build() {
    let (_dir, root, mut preview) = built_preview();
    let good = preview.current().unwrap();

    let mut line = 0;
    let page = edit(&root, "content/x/b.md", |t| {
        let t = format!("{}\n", t.trim_end());
        line = t.lines().count() + 2;
        format!("{t}\nBroken [@beta:4 \"words nowhere in the line\"].\n")
    });
    match preview.rebuild(std::slice::from_ref(&page)) {
        Err(Failure::Content(diags)) => {
            // The quote's opening mark is the 17th character of the line.
            let d = find_diag(&diags, "E003", "content/x/b.md", line, 17);
            assert!(d.message.contains("quote not found"), "{}", d.message);
        }
        other => panic!("expected E003, got {:?}", other.map(|r| r.stats)),
    }
    assert!(Arc::ptr_eq(&good, &preview.current().unwrap()));

    edit(&root, "content/x/b.md", |t| {
        t.replace("words nowhere in the line", "joint committee")
    });
    preview.rebuild(&[page]).expect("the fix builds");
    assert!(!Arc::ptr_eq(&good, &preview.current().unwrap()));
    assert_matches_full_build(&preview, &root, "after the fix");
}

#[test]
fn a_template_error_in_an_edited_page_fails_the_rebuild() {
    let (_dir, root) = fixture_copy();
    let theme = root.join("themes/default/templates/odd.html");
    fs::create_dir_all(theme.parent().unwrap()).unwrap();
    fs::write(&theme, "{{ page.no_such_field }}").unwrap();
    let mut preview = Preview::new(Options::new(&root));
    preview.rebuild(&[]).unwrap();

    let page = edit(&root, "content/x/b.md", |t| {
        t.replacen("+++\n", "+++\ntemplate = \"odd.html\"\n", 1)
    });
    match preview.rebuild(&[page]) {
        Err(Failure::Content(diags)) => {
            assert!(
                diags.iter().any(|d| d.code == "E010"),
                "{}",
                render_all(&diags)
            );
        }
        other => panic!("expected E010, got {:?}", other.map(|r| r.stats)),
    }
}

/// With the watcher's word that it named every change, files it did not
/// name are taken as they were (no stat of thousands of files), but every
/// file it names is read, and a folder is walked again whenever a file came
/// or went: the result is still exactly a full build.
#[test]
fn a_complete_report_is_trusted_and_still_serves_what_a_full_build_renders() {
    let (_dir, root, mut preview) = built_preview();
    let rebuild = |preview: &mut Preview, changed: &[PathBuf], when: &str| {
        rebuild_reported(preview, &root, changed, when)
    };

    let page = edit(&root, "content/x/b.md", |t| {
        format!("{t}\nA new claim [@beta:4 \"The joint committee will meet every week\"].\n")
    });
    rebuild(&mut preview, &[page], "a reported edit");

    // A new folder with a page: the watcher names the folder.
    let folder = root.join("content/later");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join("c.md"),
        "+++\ntitle = \"Later\"\n+++\n\nStill weekly [@alpha:3 \"will meet every week\"].\n",
    )
    .unwrap();
    rebuild(&mut preview, std::slice::from_ref(&folder), "a new folder");
    assert!(preview.current().unwrap().has("later/c/index.html"));

    // A new file in a known folder, named by the watcher.
    let added = root.join("content/later/d.md");
    fs::write(&added, "+++\ntitle = \"D\"\n+++\n\nWeekly [@alpha:3].\n").unwrap();
    rebuild(&mut preview, &[added], "a new file");

    // The folder moved out of the site: the watcher names only the folder.
    let moved = root.with_file_name("moved-out");
    fs::rename(&folder, &moved).unwrap();
    rebuild(&mut preview, &[folder], "a folder moved away");
    assert!(!preview.current().unwrap().has("later/c/index.html"));

    // A page renamed: the watcher names both paths.
    let (from, to) = (root.join("content/x/b.md"), root.join("content/x/e.md"));
    fs::rename(&from, &to).unwrap();
    rebuild(&mut preview, &[from, to], "a renamed page");
    assert!(preview.current().unwrap().has("x/e/index.html"));

    // A source's text and its pin: both named.
    let gamma = root.join("sources/wire/002_gamma.txt");
    let old_pin = sha256_hex(&fs::read(&gamma).unwrap());
    let text = format!(
        "{}A line added later.\n",
        fs::read_to_string(&gamma).unwrap()
    );
    fs::write(&gamma, &text).unwrap();
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace(&old_pin, &sha256_hex(text.as_bytes()))
    });
    rebuild(&mut preview, &[gamma, manifest], "a source edit");
}

/// Edits that add, remove or move citations on pages that keep their place
/// patch the last build's claims and back-links (the claims after an edited
/// page move by what it gained or lost; a line cited by claims and by roster
/// members lists both, in reading order): always a full build's files.
#[test]
fn citation_edits_patch_the_indexes_to_what_a_full_build_makes() {
    let (_dir, root, mut preview) = built_preview();
    let (home, b) = (root.join("content/_index.md"), root.join("content/x/b.md"));
    let rebuild = |preview: &mut Preview, changed: &[PathBuf], when: &str| {
        rebuild_reported(preview, &root, changed, when)
    };
    let append = |path: &Path, text: &str| {
        let old = fs::read_to_string(path).unwrap();
        fs::write(path, format!("{old}\n{text}\n")).unwrap();
    };
    // A claim on a line that roster members cite (beta:2) and the first
    // page's claims too; the later page's claims all move.
    append(&b, "The deal was signed on Monday [@beta:2 \"on Monday\"].");
    rebuild(
        &mut preview,
        std::slice::from_ref(&b),
        "a claim added to a later page",
    );
    append(&home, "Two more [@alpha:5]. And again [@beta:2; @alpha:4].");
    rebuild(
        &mut preview,
        std::slice::from_ref(&home),
        "claims added to the first page",
    );
    // Fewer claims, and another line, on two pages at once.
    edit(&root, "content/_index.md", |t| {
        t.replace("Two more [@alpha:5]. ", "")
    });
    edit(&root, "content/x/b.md", |t| {
        t.replace("[@beta:3]", "[@beta:5]")
    });
    rebuild(
        &mut preview,
        &[home.clone(), b.clone()],
        "edits of two pages",
    );
    // A page between them loses its only claim, and gets it back.
    let who = root.join("content/x/_index.md");
    let text = fs::read_to_string(&who).unwrap();
    let uncited = text
        .replace(" [@alpha:5]", "")
        .replace("weight = 2\n", "weight = 2\nuncited = true\n");
    fs::write(&who, uncited).unwrap();
    rebuild(
        &mut preview,
        std::slice::from_ref(&who),
        "a page without claims",
    );
    fs::write(&who, text).unwrap();
    rebuild(&mut preview, std::slice::from_ref(&who), "its claim back");
}

/// Under a complete report, an edited page replaces the old one in the last
/// load's order, unless it moves in that order, becomes a draft or fails to
/// parse: then the pages load as usual. Either way, a full build's files.
#[test]
fn a_reported_page_edit_is_loaded_in_place_only_when_it_keeps_its_place() {
    let (_dir, root, mut preview) = built_preview();
    let page = root.join("content/x/b.md");
    let rebuild = |preview: &mut Preview, when: &str| {
        preview.report_complete();
        let result = preview.rebuild(std::slice::from_ref(&page));
        if result.is_ok() {
            assert_matches_full_build(preview, &root, when);
        }
        result
    };
    edit(&root, "content/x/b.md", |t| {
        t.replace("criticism", "sharp criticism")
    });
    rebuild(&mut preview, "a text edit").unwrap();
    // A heavier page comes after /method/ in every list of claims.
    edit(&root, "content/x/b.md", |t| {
        t.replace("weight = 3", "weight = 12")
    });
    rebuild(&mut preview, "a new weight").unwrap();
    edit(&root, "content/x/b.md", |t| {
        t.replace("weight = 12", "weight = 12\ndraft = true")
    });
    rebuild(&mut preview, "a page made a draft").unwrap();
    assert!(!preview.current().unwrap().has("x/b/index.html"));
    edit(&root, "content/x/b.md", |t| {
        t.replace("draft = true", "draft = false")
    });
    rebuild(&mut preview, "a draft published").unwrap();
    assert!(preview.current().unwrap().has("x/b/index.html"));
    // Broken front matter fails the rebuild with its error; fixed, it loads.
    edit(&root, "content/x/b.md", |t| {
        t.replace("weight = 12", "weight = twelve")
    });
    let Err(Failure::Content(diags)) = rebuild(&mut preview, "broken front matter") else {
        panic!("broken front matter builds");
    };
    assert!(
        diags.iter().any(|d| d.file == "content/x/b.md"),
        "{diags:?}"
    );
    edit(&root, "content/x/b.md", |t| {
        t.replace("weight = twelve", "weight = 4")
    });
    rebuild(&mut preview, "fixed front matter").unwrap();
}

/// The report is trusted for the rebuild it was given for, and only that
/// one: the next rebuild without it checks every file again.
#[test]
fn an_unreported_edit_is_seen_unless_the_report_was_complete() {
    let (_dir, root, mut preview) = built_preview();
    let title = |preview: &Preview| {
        let g = preview.current().unwrap();
        let p = g
            .site()
            .pages
            .iter()
            .find(|p| p.page.file == "content/x/b.md")
            .unwrap();
        p.page.front.title.clone()
    };
    edit(&root, "content/x/b.md", |t| {
        t.replacen("title = \"", "title = \"New ", 1)
    });
    // A complete report that does not name the page: the page is as it was.
    preview.report_complete();
    preview.rebuild(&[]).unwrap();
    assert!(!title(&preview).starts_with("New "), "{}", title(&preview));
    // The next rebuild without the watcher's word checks every file.
    preview.rebuild(&[]).unwrap();
    assert!(title(&preview).starts_with("New "), "{}", title(&preview));
    assert_matches_full_build(&preview, &root, "after the check");
}

/// An edit that keeps every page's citations, note numbers and URL keeps the
/// last build's claims, back-links and counts (shared, not made again) and
/// decides again only the edited claims' attribution; any other edit makes
/// them again, and checks the URLs again.
#[test]
fn an_edit_of_claim_text_alone_keeps_the_site_indexes() {
    let (_dir, root, mut preview) = built_preview();
    let claims = |preview: &Preview| Arc::clone(&preview.current().unwrap().site().claims);
    let (first, flagged_first) = (claims(&preview), flagged(&preview));

    // The claim no longer names the outlet it cites: it is flagged now.
    let page = edit(&root, "content/x/b.md", |t| {
        t.replace("Beta News reports criticism", "critics spoke up")
    });
    preview.rebuild(std::slice::from_ref(&page)).unwrap();
    assert!(
        Arc::ptr_eq(&first, &claims(&preview)),
        "the claims were made again"
    );
    assert_matches_full_build(&preview, &root, "after a claim text edit");
    assert!(
        flagged(&preview) > flagged_first,
        "the edited claim is not flagged"
    );

    // Another cited line: the back-links move, so the indexes are made again.
    let kept = claims(&preview);
    edit(&root, "content/x/b.md", |t| {
        t.replace("[@beta:3]", "[@beta:4]")
    });
    preview.rebuild(std::slice::from_ref(&page)).unwrap();
    assert!(
        !Arc::ptr_eq(&kept, &claims(&preview)),
        "a new citation kept the claims"
    );
    assert_matches_full_build(&preview, &root, "after a cited line changed");

    // A page takes another page's URL (`/x/`): the URLs are checked again.
    let about = edit(&root, "content/about.md", |t| {
        t.replace("slug = \"method\"", "slug = \"x\"")
    });
    let Err(Failure::Content(diags)) = preview.rebuild(&[about]) else {
        panic!("a URL taken twice builds");
    };
    assert!(diags.iter().any(|d| d.code == "E007"), "{diags:?}");
    // Another page's edit leaves the URLs as they were: still taken twice.
    edit(&root, "content/x/b.md", |t| {
        t.replace("critics spoke up", "critics spoke")
    });
    let Err(Failure::Content(diags)) = preview.rebuild(std::slice::from_ref(&page)) else {
        panic!("a URL taken twice builds after another edit");
    };
    assert!(diags.iter().any(|d| d.code == "E007"), "{diags:?}");
}

/// The claims tally is reused for unchanged pages only while the sources
/// are the same: a new publisher name changes which claims name the outlet
/// they cite ("Beta News reports …"), though no page changed.
#[test]
fn a_renamed_publisher_retallies_claims_whose_pages_did_not_change() {
    let (_dir, root, mut preview) = built_preview();
    let before = flagged(&preview);
    let manifest = edit(&root, "sources/sources.toml", |t| {
        t.replace("publisher = \"Beta News\"", "publisher = \"Beta Wire\"")
    });
    preview.rebuild(&[manifest]).unwrap();
    assert_matches_full_build(&preview, &root, "after a publisher was renamed");
    assert!(
        flagged(&preview) > before,
        "{before} claims were flagged before"
    );
}

/// The theme is loaded again after a theme edit even when the rebuild that
/// saw the edit failed: the next rebuild, after a content fix alone, must
/// not serve the theme of the last good build.
#[test]
fn a_theme_edit_seen_by_a_failed_rebuild_is_not_lost() {
    let (_dir, root, mut preview) = built_preview();

    let theme = override_404(&root, "Lost at sea");
    let page = edit(&root, "content/x/b.md", |t| {
        format!("{t}\nBroken [@beta:4 \"words nowhere in the line\"].\n")
    });
    assert!(preview.rebuild(&[theme, page.clone()]).is_err());

    edit(&root, "content/x/b.md", |t| {
        t.replace("words nowhere in the line", "joint committee")
    });
    preview.rebuild(&[page]).expect("the fix builds");
    assert_matches_full_build(&preview, &root, "after the fix");
    let g = preview.current().unwrap();
    let not_found = g.file("404.html").unwrap().unwrap();
    assert!(String::from_utf8_lossy(&not_found).contains("Lost at sea"));
}
