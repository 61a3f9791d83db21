//! The repository's own site: it builds without any diagnostic, and its sources are the seed
//! articles, byte for byte.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;
use explainer::{Failure, Options};
use sha2::{Digest, Sha256};

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_repository_site_builds_without_any_diagnostic() {
    let tmp = tempdir();
    let out = tmp.path().join("site");
    let report = match explainer::build(&Options {
        root: repo(),
        output: Some(out.clone()),
        drafts: false,
    }) {
        Ok(r) => r,
        Err(Failure::Content(d)) => panic!("the site has errors:\n{}", render_all(&d)),
        Err(Failure::Io(e)) => panic!("the site does not build: {e:#}"),
    };
    assert!(
        report.warnings.is_empty(),
        "the site has warnings:\n{}",
        render_all(&report.warnings)
    );
    assert!(
        report.stats.citations > 0 && report.stats.sources > 0,
        "{:?}",
        report.stats
    );
    assert!(out.join("index.html").is_file());
    let broken = broken_links(&out);
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    for p in html_files(&out) {
        let dup = duplicates(&ids(&parse_file(&out.join(&p))));
        assert!(dup.is_empty(), "{p}: duplicate ids {dup:?}");
    }
}

#[test]
fn every_source_is_the_seed_article_byte_for_byte() {
    let root = repo();
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("sources/sources.toml")).unwrap()).unwrap();
    let entries = manifest["source"].as_array().expect("[[source]] entries");
    let on_disk: Vec<String> = fs::read_dir(root.join("sources"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    assert!(!on_disk.is_empty());
    assert_eq!(
        entries.len(),
        on_disk.len(),
        "one manifest entry per source file"
    );
    let seeds = root.join("..").join("shared").join("seeds");
    let seeds: Option<PathBuf> = seeds.is_dir().then_some(seeds);
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let bytes = fs::read(root.join("sources").join(file))
            .unwrap_or_else(|e| panic!("sources/{file}: {e}"));
        let pin = entry
            .get("sha256")
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("sources/{file} has no sha256 pin"));
        assert_eq!(
            sha256_hex(&bytes),
            pin.to_ascii_lowercase(),
            "sources/{file} differs from its pin"
        );
        if let Some(seeds) = &seeds {
            let seed = fs::read(seeds.join(file))
                .unwrap_or_else(|e| panic!("../shared/seeds/{file}: {e}"));
            assert!(
                seed == bytes,
                "sources/{file} is not byte-identical to ../shared/seeds/{file}"
            );
        }
    }
    if let Some(seeds) = &seeds {
        // And every seed is a source.
        for e in fs::read_dir(seeds).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") {
                assert!(
                    on_disk.contains(&name),
                    "seed {name} is missing from sources/"
                );
            }
        }
    }
}
