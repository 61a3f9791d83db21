//! The benchmark corpus generator (`benches/synth/mod.rs`) and the build agree:
//! a generated site builds with no warnings, every citation the generator
//! wrote is verified, and generation is deterministic. No timing here: the
//! timings live in `benches/run.sh` and `benches/hot.rs`.

mod common;
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::fs;

use common::{files, tempdir};
use explainer::{Failure, Options};

const PAGES: usize = 200;

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Content(diags) => diags
            .iter()
            .take(10)
            .map(|d| format!("{d:?}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Failure::Io(e) => format!("{e:#}"),
    }
}

#[test]
fn generated_site_builds_clean_and_verifies_every_citation() {
    let tmp = tempdir();
    let root = tmp.path().join("site");
    let out = tmp.path().join("out");
    let stats = synth::generate(&root, PAGES).expect("generate the site");
    assert_eq!(stats.pages, PAGES + 1);
    assert_eq!(stats.sources, PAGES / 2);
    assert_eq!(stats.citations, stats.groups);
    assert_eq!(stats.code_blocks, PAGES / 10);
    // The shapes the issue asks for: ~10 quotes and ~600 words per page.
    let per_page = stats.citations as f64 / PAGES as f64;
    assert!(
        (8.0..=12.0).contains(&per_page),
        "{per_page} citations per page"
    );
    let words = stats.words as f64 / PAGES as f64;
    assert!((500.0..=700.0).contains(&words), "{words} words per page");
    // The variants of a quote are all there.
    assert!(
        stats.ranges > 0 && stats.elided > 0 && stats.retyped > 0,
        "{stats:?}"
    );

    let report = explainer::build(&Options {
        root: root.clone(),
        output: Some(out.clone()),
        drafts: false,
    })
    .unwrap_or_else(|f| panic!("the generated site must build:\n{}", describe(&f)));
    assert!(
        report.warnings.is_empty(),
        "no warnings expected, got {:?}",
        report.warnings.iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(report.stats.citations, stats.citations);
    assert_eq!(report.stats.claims, stats.groups);
    assert_eq!(report.stats.pages, stats.pages);
    assert_eq!(report.stats.sources, stats.sources);
    assert!(out.join("index.html").is_file());
    assert!(out.join("section-00/page-000000/index.html").is_file());

    // `check` verifies the same citations and writes nothing.
    let checked = explainer::check(&Options::new(&root))
        .unwrap_or_else(|f| panic!("check must pass:\n{}", describe(&f)));
    assert!(checked.warnings.is_empty());
    assert_eq!(checked.stats.citations, stats.citations);
    assert!(!root.join("public").exists());
}

#[test]
fn generation_is_deterministic() {
    let tmp = tempdir();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let sa = synth::generate(&a, PAGES).unwrap();
    let sb = synth::generate(&b, PAGES).unwrap();
    assert_eq!(sa, sb);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.len(), sa.files + 1, "the files counted plus the marker");
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (path, bytes) in &fa {
        assert!(fb[path] == *bytes, "{path} differs between two generations");
    }
    // Regenerating over an earlier synthetic site (a different size) leaves
    // exactly the files of the new size.
    synth::generate(&b, PAGES / 2).unwrap();
    synth::generate(&b, PAGES).unwrap();
    assert!(files(&b) == fa, "regenerating in place changes the files");
}

#[test]
fn generator_refuses_a_folder_it_did_not_write() {
    let tmp = tempdir();
    fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
    assert!(synth::generate(tmp.path(), 4).is_err());
    assert_eq!(fs::read(tmp.path().join("notes.txt")).unwrap(), b"keep me");
}

#[test]
fn tiny_sites_are_valid_too() {
    for pages in [0, 1, 3] {
        let tmp = tempdir();
        let stats = synth::generate(tmp.path(), pages).unwrap();
        let report = explainer::check(&Options::new(tmp.path()))
            .unwrap_or_else(|f| panic!("{pages} pages:\n{}", describe(&f)));
        assert!(
            report.warnings.is_empty(),
            "{pages} pages: {:?}",
            report.warnings
        );
        assert_eq!(report.stats.citations, stats.citations);
    }
}
