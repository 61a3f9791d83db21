//! The editor's loop: `check --fix`, `citations.lock` (E014), `lock`,
//! `new source`, `new page` and `serve`, driven through the real binary.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::http_get;

const BIN: &str = env!("CARGO_BIN_EXE_explainer");

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SOURCE: &str = "Alpha line one.\nThe US will supervise the mechanism.\nGamma line three.\nThe word line again.\n";
const PAGE: &str = "+++\ntitle = \"Home\"\n+++\n\nSupervision [@a:2 \"will supervise\"]. Gamma [@a:3].\n\nAmbiguous [@a:1 \"line\"].\n";
const ROSTER: &str = "[[delegation]]\nid = \"us\"\nname = \"US\"\n\n[[delegation.member]]\nname = \"Gamma\"\nrole = \"Letter\"\ncite = [\"a:3\"]\n";

fn site(root: &Path) {
    write(
        root,
        &[
            ("site.toml", "title = \"T\"\n"),
            ("sources/a.txt", SOURCE),
            (
                "sources/sources.toml",
                "[[source]]\nfile = \"a.txt\"\nid = \"a\"\n",
            ),
            ("content/_index.md", PAGE),
            ("content/delegations.toml", ROSTER),
        ],
    );
}

/// The source gains two lines at the top: every cited line moves down by two.
fn shift_source(root: &Path) {
    fs::write(
        root.join("sources/a.txt"),
        format!("Inserted first.\nInserted second.\n{SOURCE}"),
    )
    .unwrap();
}

#[test]
fn lock_detects_a_moved_line_only_citation_and_fix_repairs_exactly_the_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    let (code, _, err) = run(root, &["lock"]);
    assert_eq!(code, 0, "{err}");
    let lock = fs::read_to_string(root.join("citations.lock")).unwrap();
    assert!(lock.contains("[a]") && lock.contains("L3 = "), "{lock}");
    // Byte-stable: locking again writes the same bytes.
    run(root, &["lock"]);
    assert_eq!(
        fs::read_to_string(root.join("citations.lock")).unwrap(),
        lock
    );

    shift_source(root);
    let (code, _, err) = run(root, &["check"]);
    assert_eq!(code, 1, "{err}");
    // Line-only [@a:3] on line 5 of the page: E014, pointing at the `3`.
    let col = PAGE.lines().nth(4).unwrap().find("a:3]").unwrap() + 3;
    assert!(err.contains("error[E014]"), "{err}");
    assert!(
        err.contains(&format!("--> content/_index.md:5:{col}")),
        "{err}"
    );
    assert!(err.contains("now on line 5"), "{err}");
    assert!(err.contains("error[E003]"), "{err}");
    assert!(err.contains("error[E008]"), "{err}");

    let before = fs::read_to_string(root.join("content/_index.md")).unwrap();
    let (code, out, err) = run(root, &["check", "--fix", "--dry-run"]);
    assert_eq!(code, 1, "ambiguous quote remains: {err}");
    assert_eq!(
        fs::read_to_string(root.join("content/_index.md")).unwrap(),
        before,
        "a dry run writes nothing"
    );
    assert!(out.contains("content/_index.md:5: a:2 -> a:4"), "{out}");

    let (code, out, err) = run(root, &["check", "--fix"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "content/_index.md:5: a:2 -> a:4",
            "content/_index.md:5: a:3 -> a:5",
            "content/delegations.toml:8: a:3 -> a:5"
        ],
        "{out}"
    );
    let after = fs::read_to_string(root.join("content/_index.md")).unwrap();
    assert_eq!(
        after,
        PAGE.replace("[@a:2", "[@a:4").replace("[@a:3]", "[@a:5]"),
        "only the numbers change"
    );
    assert!(
        after.contains("[@a:1 \"line\"]"),
        "the ambiguous quote is left alone"
    );
    assert_eq!(
        fs::read_to_string(root.join("content/delegations.toml")).unwrap(),
        ROSTER.replace("a:3", "a:5")
    );
    assert!(
        err.contains("the quote is in a on line 3, 5, 6"),
        "the ambiguous one is reported: {err}"
    );
}

#[test]
fn fix_refreshes_the_lock_when_everything_is_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    fs::write(
        root.join("content/_index.md"),
        PAGE.replace("\nAmbiguous [@a:1 \"line\"].\n", "\n"),
    )
    .unwrap();
    assert_eq!(run(root, &["lock"]).0, 0);
    shift_source(root);
    let (code, out, err) = run(root, &["check", "--fix"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("citations.lock refreshed"), "{err}");
    let lock = fs::read_to_string(root.join("citations.lock")).unwrap();
    assert!(lock.contains("L5 = ") && !lock.contains("L3 = "), "{lock}");
    let (code, _, err) = run(root, &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn new_source_keeps_the_manifest_and_pins_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    let manifest =
        "# Sources of the story.\n[[source]]\nfile = \"a.txt\"\nid = \"a\"   # the first one\n";
    write(
        root,
        &[
            ("sources/sources.toml", manifest),
            (
                "sources/Reuters Report.txt",
                "\n  Reuters headline here\nBody.\n",
            ),
        ],
    );
    let (code, _, err) = run(root, &["new", "source", "sources/Reuters Report.txt"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(root.join("sources/sources.toml")).unwrap();
    assert!(
        text.starts_with(manifest),
        "existing text and comments are kept: {text}"
    );
    assert!(text.contains("id = \"reuters-report\""), "{text}");
    assert!(text.contains("title = \"Reuters headline here\""), "{text}");
    // The pin is the file's SHA-256: a build accepts it, a changed file is E013.
    let (code, _, err) = run(root, &["check"]);
    assert!(!err.contains("E013"), "{err}");
    assert!(code == 0 || !err.contains("error["), "{err}");
    fs::write(root.join("sources/Reuters Report.txt"), "changed\n").unwrap();
    let (_, _, err) = run(root, &["check"]);
    assert!(err.contains("error[E013]"), "{err}");
    let (code, _, err) = run(root, &["new", "source", "sources/Reuters Report.txt"]);
    assert_eq!(
        code, 2,
        "a second entry for the same file is refused: {err}"
    );
    let (code, _, _) = run(root, &["new", "source", "../outside.txt"]);
    assert_eq!(code, 2);
}

#[test]
fn new_page_writes_front_matter_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    let (code, _, err) = run(
        root,
        &["new", "page", "x/analysis", "--title", "An \"analysis\""],
    );
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(root.join("content/x/analysis.md")).unwrap();
    assert!(
        text.starts_with("+++\ntitle = 'An \"analysis\"'\n+++\n"),
        "{text}"
    );
    let (code, _, err) = run(root, &["check"]);
    assert_eq!(
        code, 0,
        "the new page builds (with W002 until it cites): {err}"
    );
    assert!(err.contains("warning[W002]"), "{err}");
    assert_eq!(
        run(root, &["new", "page", "x/analysis.md", "--title", "Again"]).0,
        2
    );
    assert_eq!(
        fs::read_to_string(root.join("content/x/analysis.md")).unwrap(),
        text
    );
}

/// A `serve` process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr }
}

fn status(addr: &str) -> serde_json::Value {
    serde_json::from_str(&http_get(addr, "/__explainer/status").1).unwrap()
}

/// Waits until the server has built a generation newer than `after`.
fn wait_for_build(addr: &str, after: u64) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let s = status(addr);
        if s["generation"].as_u64().unwrap() > after {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no rebuild after an edit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_rebuilds_shows_errors_recovers_and_never_touches_the_output_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    write(root, &[("public/keep.txt", "not the build's")]);
    let server = serve(root);
    let (code, home) = http_get(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(home.contains("Supervision"), "{home}");
    assert!(
        home.contains("/__explainer/live.js"),
        "serve injects its reload script"
    );
    assert_eq!(http_get(&server.addr, "/__explainer/live.js").0, 200);
    let g0 = status(&server.addr)["generation"].as_u64().unwrap();

    fs::write(
        root.join("content/_index.md"),
        PAGE.replace("Supervision", "Oversight"),
    )
    .unwrap();
    let s = wait_for_build(&server.addr, g0);
    assert!(s["errors"].is_null(), "{s}");
    assert!(http_get(&server.addr, "/").1.contains("Oversight"));

    // A bad edit: errors in the SPEC 8 format; the last good build stays served.
    let g1 = s["generation"].as_u64().unwrap();
    fs::write(
        root.join("content/_index.md"),
        PAGE.replace("Supervision", "Broken")
            .replace("will supervise", "will oversee"),
    )
    .unwrap();
    let s = wait_for_build(&server.addr, g1);
    let errors = s["errors"]
        .as_str()
        .unwrap_or_else(|| panic!("no errors in {s}"));
    let col = "Broken [@a:2 \"".len();
    assert!(
        errors.contains("error[E003]")
            && errors.contains(&format!("--> content/_index.md:5:{col}")),
        "{errors}"
    );
    let (code, home) = http_get(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(
        home.contains("Oversight") && !home.contains("Broken"),
        "last good build underneath"
    );

    let g2 = s["generation"].as_u64().unwrap();
    fs::write(root.join("content/_index.md"), PAGE).unwrap();
    let s = wait_for_build(&server.addr, g2);
    assert!(s["errors"].is_null(), "recovers: {s}");

    // Requests never leave the site.
    for bad in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/..%2fsite.toml",
        "//etc/passwd",
        "/sources/../../site.toml",
    ] {
        assert_eq!(http_get(&server.addr, bad).0, 404, "{bad}");
    }
    assert_eq!(http_get(&server.addr, "/nowhere/").0, 404);
    assert_eq!(http_get(&server.addr, "/sources").0, 301);
    drop(server);
    let public: Vec<_> = fs::read_dir(root.join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        public,
        vec![std::ffi::OsString::from("keep.txt")],
        "output dir untouched"
    );
    assert_eq!(
        fs::read_to_string(root.join("public/keep.txt")).unwrap(),
        "not the build's"
    );
}

#[test]
fn serve_on_a_site_that_does_not_build_yet_waits_for_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    fs::write(
        root.join("content/_index.md"),
        PAGE.replace("will supervise", "will not supervise"),
    )
    .unwrap();
    let server = serve(root);
    let (code, page) = http_get(&server.addr, "/");
    assert_eq!(code, 503);
    assert!(
        page.contains("/__explainer/live.js"),
        "the waiting page listens for the fix: {page}"
    );
    let before = status(&server.addr);
    assert!(
        before["errors"].as_str().unwrap().contains("E003"),
        "{before}"
    );

    fs::write(root.join("content/_index.md"), PAGE).unwrap();
    let after = wait_for_build(&server.addr, before["generation"].as_u64().unwrap());
    assert!(after["errors"].is_null(), "{after}");
    let (code, home) = http_get(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(home.contains("Supervision"), "{home}");
}
