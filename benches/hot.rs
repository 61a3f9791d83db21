//! Micro-benchmarks of the hot functions of a build: quote normalization and
//! matching, citation parsing, Markdown parsing of a page, and whole `check`
//! and `build` runs of a small generated site (per page: divide by 51, or
//! read the `elem/s` throughput).
//!
//! ```sh
//! cargo bench --bench hot            # all
//! cargo bench --bench hot -- quote   # those whose name holds "quote"
//! ```

#[path = "synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use explainer::load::{body, cite};
use explainer::{text, Options};

/// Pages of the site benchmarked whole (plus the home page).
const SITE_PAGES: usize = 50;

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// A 300-character line of an outlet's copy: curly quotes and apostrophes,
/// no-break spaces, dashes, runs of spaces.
fn messy_line() -> String {
    let line = "Officials said on Tuesday\u{a0}that the “joint fusion mechanism” \u{2014} a \
                channel for intelligence\u{a0}sharing \u{2014} would be supervised by the \
                country’s envoy,  and that the ministry’s statement was  ‘final’ although \
                the committee had asked for a review of the framework before the summit in \
                the capital next month.";
    assert!(line.chars().count() >= 290, "{}", line.chars().count());
    line.to_string()
}

fn normalize(c: &mut Criterion) {
    let line = messy_line();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.bench_function("300-char line", |b| {
        b.iter(|| text::normalize(black_box(&line)))
    });
    g.bench_function("300-char line, text only", |b| {
        b.iter(|| text::normalize_str(black_box(&line)))
    });
    g.finish();
}

fn quote(c: &mut Criterion) {
    let line = messy_line();
    let mut g = c.benchmark_group("quote_occurs");
    for (name, quote) in [
        ("plain", "the committee had asked for a review"),
        ("retyped", "the \"joint fusion mechanism\" - a channel"),
        (
            "elided",
            "the country's envoy ... the ministry's statement [...] next month",
        ),
        ("absent", "the committee had asked for a delay"),
    ] {
        g.bench_with_input(BenchmarkId::from_parameter(name), &quote, |b, q| {
            b.iter(|| text::quote_occurs(black_box(&line), black_box(q)))
        });
    }
    g.finish();
}

fn citations(c: &mut Criterion) {
    let s = "The United States will supervise the mechanism [@newsmax:3; @jpost:2-4 \
             \"the US will \\\"supervise\\\" the mechanism\"; @s004217:17 “a joint channel”] \
             and more text.";
    let at = s.find("[@").unwrap();
    assert!(cite::starts_group(s, at));
    let group = cite::parse_group(s, at).expect("the group parses");
    assert_eq!(group.citations.len(), 3);
    c.bench_function("parse_group/3 citations", |b| {
        b.iter(|| cite::parse_group(black_box(s), black_box(at)))
    });
}

fn page(c: &mut Criterion) {
    let dir = tempdir();
    synth::generate(dir.path(), 10).unwrap();
    let file = "content/section-00/page-000001.md";
    let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
    let body_at = text[3..].find("+++\n").unwrap() + 3 + 4;
    let body = body::parse(file, &text, body_at, true);
    assert!(body.errors.is_empty());
    assert!(body.groups.len() >= 8, "{} groups", body.groups.len());
    let mut g = c.benchmark_group("page");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("markdown::parse", |b| {
        b.iter(|| body::parse(file, black_box(&text), body_at, true))
    });
    g.bench_function("page::parse (front matter + body)", |b| {
        b.iter(|| {
            explainer::load::page::parse(file, "section-00/page-000001.md", black_box(&text), true)
        })
    });
    g.finish();
}

/// A temporary folder, on tmpfs when there is one (less I/O noise).
fn tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let mut b = tempfile::Builder::new();
    b.prefix("explainer-hot-");
    if shm.is_dir() {
        b.tempdir_in(shm).unwrap()
    } else {
        b.tempdir().unwrap()
    }
}

fn site(c: &mut Criterion) {
    let dir = tempdir();
    let root: PathBuf = dir.path().join("site");
    let stats = synth::generate(&root, SITE_PAGES).unwrap();
    let opts = Options {
        root: root.clone(),
        output: Some(dir.path().join("out")),
        drafts: false,
    };
    let first = explainer::build(&opts).expect("the generated site builds");
    assert_eq!(first.stats.citations, stats.citations);
    let mut g = c.benchmark_group("site");
    // A build takes ~20 ms: ten samples fit the 3 s budget.
    g.sample_size(10);
    // Per page: the time divided by the pages (home included).
    g.throughput(Throughput::Elements(stats.pages as u64));
    g.bench_function(format!("check/{} pages", stats.pages), |b| {
        b.iter(|| explainer::check(&Options::new(&root)).unwrap())
    });
    g.bench_function(format!("build/{} pages", stats.pages), |b| {
        b.iter(|| explainer::build(&opts).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = hot;
    config = config();
    targets = normalize, quote, citations, page, site
}
criterion_main!(hot);
