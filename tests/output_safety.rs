//! The output folder never costs the site or anything else on disk: it is never the root, an
//! ancestor of it or inside content/, sources/, themes/ (whatever markers say); it is never
//! written or deleted through a symbolic link; two builds never write it at once; a killed
//! build is recovered; and no walk root that is a symbolic link is followed.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use explainer::{Failure, Options};
use tempfile::TempDir;

const MARKER: &str = ".explainer-output";

/// `explainer build --root ROOT [--output OUT]` with the real binary.
fn build_cli(root: &Path, output: Option<&Path>) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("build"), OsStr::new("--root"), root.as_os_str()];
    if let Some(out) = output {
        args.push(OsStr::new("--output"));
        args.push(out.as_os_str());
    }
    run(args)
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The minimal site in `OUTER/site`, so that tests can point the output at its parent.
fn nested_site(site_toml: &str) -> (TempDir, PathBuf) {
    let outer = tempdir();
    let root = outer.path().join("site");
    for (path, content) in minimal_files() {
        let content = if path == "site.toml" {
            site_toml.to_string()
        } else {
            content
        };
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    (outer, root)
}

fn plant_marker(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(MARKER), "planted").unwrap();
}

fn io_failure<T>(result: Result<T, Failure>) -> String {
    match result {
        Err(Failure::Io(e)) => format!("{e:#}"),
        Err(Failure::Content(d)) => panic!("expected an I/O failure, got\n{}", render_all(&d)),
        Ok(_) => panic!("expected an I/O failure, the build succeeded"),
    }
}

fn options(root: &Path, output: Option<&Path>) -> Options {
    Options {
        root: root.to_path_buf(),
        output: output.map(Path::to_path_buf),
        drafts: false,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The output is never the root, an ancestor of it, or inside content/, sources/, themes/

#[test]
fn bug_01_a_marker_in_the_root_never_makes_the_root_the_output() {
    let site = minimal_site(&[(".git/HEAD", "ref: refs/heads/main\n")]);
    plant_marker(site.root());
    let before = files(site.root());
    let root = site.root();
    for out in [
        root.to_path_buf(),
        root.join("."),
        root.join("content/.."),
        root.join("sources").join("..").join("."),
    ] {
        let r = build_cli(root, Some(&out));
        assert_eq!(r.code, 2, "--output {}: {}", out.display(), r.stderr);
        assert!(r.stderr.contains("site root"), "{}", r.stderr);
        assert!(
            files(root) == before,
            "--output {} changed the site",
            out.display()
        );
    }
    let e = io_failure(explainer::build(&options(root, Some(root))));
    assert!(e.contains(&root.display().to_string()), "{e}");
    assert!(files(root) == before);
    assert_eq!(
        names(root),
        [
            ".explainer-output",
            ".git",
            "content",
            "site.toml",
            "sources"
        ]
    );
}

#[test]
fn bug_01_output_inside_or_holding_the_site_folders_is_refused_whatever_markers_say() {
    let (outer, root) = nested_site("title = \"Minimal\"\n");
    fs::create_dir_all(root.join("themes/default/static")).unwrap();
    fs::write(root.join("themes/default/static/extra.css"), "p {}\n").unwrap();
    fs::create_dir_all(root.join("content/sub")).unwrap();
    fs::write(
        root.join("content/sub/b.md"),
        "+++\ntitle = \"B\"\nuncited = true\n+++\n\nB.\n",
    )
    .unwrap();
    for dir in [
        "content",
        "content/sub",
        "sources",
        "themes",
        "themes/default",
        "themes/default/static",
    ] {
        plant_marker(&root.join(dir));
    }
    plant_marker(outer.path());
    let before = files(outer.path());
    for out in [
        root.join("content"),
        root.join("content/sub"),
        root.join("content/new"),
        root.join("sources"),
        root.join("themes"),
        root.join("themes/default"),
        root.join("themes/default/static"),
        outer.path().to_path_buf(),
        PathBuf::from("/"),
    ] {
        let r = build_cli(&root, Some(&out));
        assert_eq!(r.code, 2, "--output {}: {}", out.display(), r.stderr);
        assert!(
            r.stderr.contains(&root.display().to_string()),
            "the message names the site: {}",
            r.stderr
        );
        assert!(
            files(outer.path()) == before,
            "--output {} changed the site",
            out.display()
        );
    }
    assert_eq!(
        fs::read_to_string(root.join("content/_index.md")).unwrap(),
        minimal_files()[3].1
    );
}

#[test]
fn bug_01_output_dir_in_site_toml_never_names_the_site_or_its_folders() {
    let (outer, root) = nested_site("title = \"Minimal\"\noutput_dir = \"../site\"\n");
    plant_marker(&root);
    let before = files(outer.path());
    let r = build_cli(&root, None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", "site.toml", 2, 1);
    assert!(files(outer.path()) == before);
    for (value, column) in [
        ("\"content\"", 1),
        ("\"./sources/x\"", 1),
        ("\"themes\"", 1),
        ("\".\"", 1),
        ("\"\"", 1),
        ("\"public/..\"", 1),
    ] {
        fs::write(
            root.join("site.toml"),
            format!("title = \"Minimal\"\noutput_dir = {value}\n"),
        )
        .unwrap();
        plant_marker(&root.join("content"));
        let before = files(outer.path());
        let r = build_cli(&root, None);
        assert_eq!(r.code, 1, "output_dir = {value}: {}", r.stderr);
        r.assert_reports("E006", "site.toml", 2, column);
        assert!(files(outer.path()) == before, "output_dir = {value}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Two builds never write one output at the same time

/// A site of `n` pages, each citing the one source.
fn site_of(n: usize) -> Site {
    let site = minimal_site(&[]);
    for i in 0..n {
        site.write(
            &format!("content/p{i:04}.md"),
            format!(
                "+++\ntitle = \"Page {i}\"\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"], page {i}.\n"
            ),
        );
    }
    site
}

fn spawn_build(root: &Path, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_explainer"))
        .args([OsStr::new("build"), OsStr::new("--root"), root.as_os_str()])
        .args([OsStr::new("--output"), out.as_os_str()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the explainer binary")
}

/// Collects a child's stderr on a thread.
fn collect_stderr(child: &mut std::process::Child) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().unwrap();
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

#[test]
fn bug_02_a_second_build_waits_for_the_build_that_holds_the_output() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    // Another build holds the output.
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(tmp.path().join(".public.explainer-lock"))
        .unwrap();
    // SAFETY: flock on an open descriptor.
    let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(locked, 0);
    let mut child = spawn_build(site.root(), &out);
    let stderr = collect_stderr(&mut child);
    let started = Instant::now();
    while !stderr.lock().unwrap().contains("another build") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no word of the other build: {}",
            stderr.lock().unwrap()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build did not wait: {}",
            stderr.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        stderr.lock().unwrap().contains(&out.display().to_string()),
        "the message names the output: {}",
        stderr.lock().unwrap()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it waits");
    assert!(!out.exists(), "nothing swapped in while the lock is held");
    drop(lock);
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", stderr.lock().unwrap());
    assert!(out.join("index.html").is_file());
    assert!(out.join(MARKER).is_file());
}

#[test]
fn bug_02_concurrent_builds_into_one_output_all_publish_the_whole_site() {
    let site = site_of(300);
    let tmp = tempdir();
    let reference = tmp.path().join("reference");
    succeeded(site.build(&reference));
    let expected = files(&reference);
    let out = tmp.path().join("public");
    for round in 0..3 {
        let mut children: Vec<_> = (0..3)
            .map(|i| {
                std::thread::sleep(Duration::from_millis(15 * i));
                spawn_build(site.root(), &out)
            })
            .collect();
        let errs: Vec<_> = children.iter_mut().map(collect_stderr).collect();
        for (child, err) in children.iter_mut().zip(&errs) {
            let status = child.wait().unwrap();
            assert!(status.success(), "round {round}: {}", err.lock().unwrap());
        }
        assert!(
            files(&out) == expected,
            "round {round}: the output differs from a lone build's"
        );
        assert_eq!(
            names(tmp.path()),
            [
                ".public.explainer-lock",
                ".reference.explainer-lock",
                "public",
                "reference"
            ],
            "round {round}: no staging folder left"
        );
    }
}

#[test]
fn bug_02_staging_folders_of_dead_builds_are_removed_and_foreign_ones_kept() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    for dead in [
        ".public.explainer-staging",
        ".public.explainer-staging.4242-17",
    ] {
        plant_marker(&tmp.path().join(dead));
        fs::create_dir_all(tmp.path().join(dead).join("a")).unwrap();
        fs::write(tmp.path().join(dead).join("a/index.html"), "half").unwrap();
    }
    let foreign = tmp.path().join(".public.explainer-staging.9");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "not a build's").unwrap();
    succeeded(site.build(&out));
    assert_eq!(
        names(tmp.path()),
        [
            ".public.explainer-lock",
            ".public.explainer-staging.9",
            "public"
        ]
    );
    assert_eq!(
        fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "not a build's"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Nothing is written or deleted through a symbolic link

#[test]
fn bug_03_an_output_that_is_a_symlink_is_refused_and_its_target_kept() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let real = tmp.path().join("real-out");
    succeeded(site.build(&real));
    let before = files(&real);
    let link = tmp.path().join("link");
    symlink(&real, &link).unwrap();
    for out in [link.clone(), link.join(".")] {
        let r = build_cli(site.root(), Some(&out));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(files(&real) == before, "the link's target was changed");
    }
    let e = io_failure(site.build(&link));
    assert!(e.contains("symbolic link"), "{e}");
    assert!(files(&real) == before);
    // A symlink as the output folder of site.toml, too.
    symlink(&real, site.path("public")).unwrap();
    let r = build_cli(site.root(), None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(files(&real) == before);
}

#[test]
fn bug_03_symlinks_at_the_lock_or_previous_names_are_refused() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    succeeded(site.build(&out));
    let victim = tmp.path().join("victim");
    succeeded(site.build(&victim));
    let victim_before = files(&victim);
    let out_before = files(&out);

    let previous = tmp.path().join(".public.explainer-previous");
    symlink(&victim, &previous).unwrap();
    let e = io_failure(site.build(&out));
    assert!(e.contains("symbolic link"), "{e}");
    assert!(files(&victim) == victim_before);
    assert!(files(&out) == out_before);
    fs::remove_file(&previous).unwrap();

    let lock = tmp.path().join(".public.explainer-lock");
    fs::remove_file(&lock).unwrap();
    let target = tmp.path().join("target.txt");
    fs::write(&target, "keep").unwrap();
    symlink(&target, &lock).unwrap();
    let e = io_failure(site.build(&out));
    assert!(e.contains(&lock.display().to_string()), "{e}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
    assert!(files(&out) == out_before);
}

// ---------------------------------------------------------------------------------------------
// 4. A build killed in the swap is recovered, never dropped

#[test]
fn bug_04_a_build_killed_between_the_renames_is_restored_by_the_next_build() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    succeeded(site.build(&out));
    let before = files(&out);
    // The state a build killed between its two renames leaves.
    fs::rename(&out, tmp.path().join(".public.explainer-previous")).unwrap();
    let staging = tmp.path().join(".public.explainer-staging.31337-1");
    plant_marker(&staging);
    fs::write(staging.join("index.html"), "new").unwrap();
    // The next build fails while rendering: the old output is back.
    site.write(
        "themes/default/templates/page.html",
        "{{ no_such_variable }}",
    );
    let r = build_cli(site.root(), Some(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        files(&out) == before,
        "the previous output was not restored"
    );
    assert_eq!(names(tmp.path()), [".public.explainer-lock", "public"]);
    // And a good build replaces it.
    site.remove("themes/default/templates/page.html");
    let r = build_cli(site.root(), Some(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(files(&out) == before);
    assert_eq!(names(tmp.path()), [".public.explainer-lock", "public"]);
}

/// Kills release builds of a 2,000-page site at random moments and checks after each kill
/// that the output (or, mid-swap, the previous output the next build restores) is whole.
/// Slow: run it with
/// `cargo build --release && cargo test --release --test output_safety -- --ignored kill`.
#[test]
#[ignore]
fn bug_04_kill_9_in_a_loop_never_loses_the_output() {
    let site = site_of(2000);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    succeeded(site.build(&out));
    let expected = files(&out);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..60 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = spawn_build(site.root(), &out);
        std::thread::sleep(Duration::from_millis(seed % 1500));
        let _ = child.kill();
        let _ = child.wait();
        let previous = tmp.path().join(".public.explainer-previous");
        let whole = if out.exists() {
            files(&out)
        } else {
            files(&previous)
        };
        assert!(whole == expected, "round {round}: the output is not whole");
    }
    let r = build_cli(site.root(), Some(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(files(&out) == expected);
    assert_eq!(names(tmp.path()), [".public.explainer-lock", "public"]);
}

// ---------------------------------------------------------------------------------------------
// 5. An old output that cannot be removed after the swap is a warning

fn chattr(flag: &str, path: &Path) -> bool {
    Command::new("chattr")
        .args([OsStr::new("-R"), OsStr::new(flag), path.as_os_str()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn bug_05_an_old_output_that_cannot_be_removed_is_a_warning_with_exit_0() {
    let site = minimal_site(&[]);
    let tmp = tempdir();
    let out = tmp.path().join("public");
    succeeded(site.build(&out));
    // An immutable file cannot be removed, not even by root (a read-only
    // folder can, by root). Without chattr or the right, nothing to test.
    if !chattr("+i", &out.join("index.html")) {
        eprintln!("skipped: chattr +i is not available here");
        return;
    }
    site.replace("content/_index.md", "reopen [", "reopen soon [");
    let r = site.run_build(&out);
    chattr("-i", tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: "), "{}", r.stderr);
    assert!(r.stderr.contains("could not be removed"), "{}", r.stderr);
    assert!(fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("reopen soon"));
    // The next build removes what is left.
    let r = site.run_build(&out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning: "), "{}", r.stderr);
    assert_eq!(names(tmp.path()), [".public.explainer-lock", "public"]);
}

// ---------------------------------------------------------------------------------------------
// 20. No walk root that is a symbolic link is followed

/// A folder outside the site holding a "secret" file and a template.
fn outside() -> TempDir {
    let dir = tempdir();
    fs::write(dir.path().join("passwd"), "root:x:0:0").unwrap();
    fs::write(dir.path().join("page.html"), "{{ page.title }} leaked").unwrap();
    fs::write(dir.path().join("leak.txt"), "Leaked line.\n").unwrap();
    fs::write(
        dir.path().join("leak.md"),
        "+++\ntitle = \"L\"\nuncited = true\n+++\n\nLeaked.\n",
    )
    .unwrap();
    dir
}

#[test]
fn bug_20_symlinked_theme_and_site_folders_are_refused_not_followed() {
    let secret = outside();
    for link in [
        "themes/default/static",
        "themes/default/templates",
        "themes/default",
        "themes",
        "content",
        "sources",
    ] {
        let site = minimal_site(&[]);
        if link == "content" || link == "sources" {
            let moved = site.path(&format!("{link}-real"));
            fs::rename(site.path(link), &moved).unwrap();
            // The real folder's files beside the outside ones, so that the site is valid.
            for entry in fs::read_dir(&moved).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), secret.path().join(entry.file_name())).unwrap();
            }
        } else {
            fs::create_dir_all(site.path(link).parent().unwrap()).unwrap();
        }
        symlink(secret.path(), site.path(link)).unwrap();
        let tmp = tempdir();
        let out = tmp.path().join("public");
        let r = site.run_build(&out);
        assert_eq!(r.code, 2, "{link}: {}", r.stderr);
        assert!(r.stderr.contains("symbolic link"), "{link}: {}", r.stderr);
        assert!(!out.exists(), "{link}: something was published");
        // `serve` renders through the same loader: nothing to serve either.
        let e = io_failure(explainer::render(&options(site.root(), None)));
        assert!(e.contains("symbolic link"), "{link}: {e}");
        let e = io_failure(explainer::check(&options(site.root(), None)));
        assert!(e.contains("symbolic link"), "{link}: {e}");
        let mut preview = explainer::editor::preview::Preview::new(options(site.root(), None));
        let e = io_failure(preview.rebuild(&[]));
        assert!(e.contains("symbolic link"), "{link}: {e}");
    }
}

/// The same class as item 20 for single files: the site's own TOML files are
/// never read through a link (it could publish or act on a file from outside
/// the site).
#[test]
fn bug_20_site_files_that_are_symlinks_are_refused_not_read() {
    let secret = outside();
    for file in [
        "site.toml",
        "sources/sources.toml",
        "content/delegations.toml",
        "citations.lock",
    ] {
        let site = minimal_site(&[]);
        let target = secret.path().join("linked.toml");
        let real = site.path(file);
        if real.is_file() {
            fs::copy(&real, &target).unwrap();
            fs::remove_file(&real).unwrap();
        } else {
            fs::write(&target, "").unwrap();
        }
        symlink(&target, &real).unwrap();
        let tmp = tempdir();
        let out = tmp.path().join("public");
        let r = site.run_build(&out);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert!(r.stderr.contains("symbolic link"), "{file}: {}", r.stderr);
        assert!(!out.exists(), "{file}: something was published");
    }
}

// ---------------------------------------------------------------------------------------------
// 21. An output_dir outside the root needs --output

#[test]
fn bug_21_output_dir_outside_the_root_is_e006_and_output_may_point_outside() {
    let (outer, root) = nested_site("title = \"Minimal\"\noutput_dir = \"../escaped\"\n");
    let r = build_cli(&root, None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", "site.toml", 2, 1);
    assert!(
        r.stderr.contains("--output"),
        "the help names --output: {}",
        r.stderr
    );
    assert!(!outer.path().join("escaped").exists());
    match explainer::check(&options(&root, None)) {
        Err(Failure::Content(d)) => {
            let d = find_diag(&d, "E006", "site.toml", 2, 1);
            assert!(d.message.contains("output_dir"), "{}", d.message);
        }
        other => panic!("expected E006, got {:?}", other.map(|r| r.warnings)),
    }
    let elsewhere = tempdir();
    let abs = elsewhere.path().join("abs");
    fs::write(
        root.join("site.toml"),
        format!(
            "title = \"Minimal\"\nbase_url = \"https://x.org/\"\n  output_dir = {:?}\n",
            abs.display().to_string()
        ),
    )
    .unwrap();
    let r = build_cli(&root, None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", "site.toml", 3, 3);
    assert!(!abs.exists());
    fs::write(
        root.join("site.toml"),
        "title = \"Minimal\"\noutput_dir = \"a/../../escaped\"\n",
    )
    .unwrap();
    let r = build_cli(&root, None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_reports("E006", "site.toml", 2, 1);
    // Given on the command line, an output outside the site is fine.
    fs::write(root.join("site.toml"), "title = \"Minimal\"\n").unwrap();
    let out = outer.path().join("escaped");
    let r = build_cli(&root, Some(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("index.html").is_file());
    // And an output_dir inside the root that reaches outside through a symlink is refused.
    fs::write(
        root.join("site.toml"),
        "title = \"Minimal\"\noutput_dir = \"via/public\"\n",
    )
    .unwrap();
    symlink(elsewhere.path(), root.join("via")).unwrap();
    let r = build_cli(&root, None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--output"), "{}", r.stderr);
    assert!(!elsewhere.path().join("public").exists());
}
