//! A short run of each fuzz target (`fuzz/harness.rs`, driven by `examples/fuzz.rs`): it keeps
//! the harness compiling and working: it runs, saves each input that panics, and replays it.
//! Any panic among its inputs fails the test. Not a timed test; the long
//! runs are `cargo run --release --example fuzz` (see `fuzz/README.md`).

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::time::Duration;

use harness::{Config, Input, Seeds, Target};

fn config(target: Target, runs: u64) -> Config {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fuzz-smoke-{}", std::process::id()));
    Config {
        target,
        seed: 1,
        start: 0,
        runs,
        crash_dir: tmp.join("crashes"),
        work_dir: tmp.join("work"),
        // A debug build is slow; only a runaway input would take this long.
        slow: Duration::from_secs(30),
        keep_per_location: 1,
        abort_at: None,
    }
}

/// The harness sets the process's panic hook: one run at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn smoke(target: Target, runs: u64) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let seeds = Seeds::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let cfg = config(target, runs);
    let outcome = harness::run(&cfg, &seeds, false, &mut |_, _| {});
    assert_eq!(outcome.runs, runs);
    // Every panic found is saved, and its input, made again from seed and index, panics again.
    for c in &outcome.crashes {
        let saved = c.saved.as_ref().expect("the input of a panic is saved");
        assert!(saved.exists(), "{}", saved.display());
        let again = harness::input(target, cfg.seed, c.index, &seeds);
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let replay =
            std::panic::catch_unwind(|| harness::execute(target, &again, &cfg.work_dir, c.index));
        std::panic::set_hook(hook);
        assert!(
            replay.is_err(),
            "input {} panicked once but not when replayed",
            c.index
        );
        eprintln!(
            "fuzz smoke {}: input {} panics at {}: {} (saved as {})",
            target.name(),
            c.index,
            c.location,
            c.message,
            saved.display()
        );
    }
    // The inputs are the same on every run (seed 1): a panic among them is a bug in the
    // build, found again on every run until it is fixed.
    assert!(
        outcome.crashes.is_empty(),
        "{} inputs panic (saved under {}):\n{:#?}",
        outcome.crashes.len(),
        cfg.crash_dir.display(),
        outcome.crashes
    );
}

#[test]
fn fuzz_smoke_cite() {
    smoke(Target::Cite, 5000);
}

#[test]
fn fuzz_smoke_page() {
    smoke(Target::Page, 2000);
}

#[test]
fn fuzz_smoke_site() {
    smoke(Target::Site, 100);
}

#[test]
fn inputs_are_determined_by_seed_and_index() {
    let seeds = Seeds::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for target in Target::ALL {
        for index in [0, 1, 77, 1_000_003] {
            let a = harness::input(target, 9, index, &seeds);
            let b = harness::input(target, 9, index, &seeds);
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{target:?} {index}");
        }
        let a = harness::input(target, 9, 5, &seeds);
        let b = harness::input(target, 10, 5, &seeds);
        assert_ne!(
            format!("{a:?}"),
            format!("{b:?}"),
            "{target:?}: the seed matters"
        );
    }
    // Site inputs are whole sites.
    let Input::Site(files) = harness::input(Target::Site, 1, 0, &seeds) else {
        panic!("a site input");
    };
    assert!(files.iter().any(|(p, _)| p == "site.toml"));
    assert!(
        files
            .iter()
            .filter(|(p, _)| p.starts_with("content/"))
            .count()
            >= 2
    );
}
