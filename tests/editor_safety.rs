//! The editor's tools and `serve` under hostile input: `check --fix` on
//! every TOML string form, `new source` on every manifest form, `new page`
//! next to symbolic links, and a `serve` that outlives panics, idle
//! connections and floods.

mod common;

use std::fs;

use common::*;

/// A source whose line 3 names "Gamma"; shifted, Gamma is on line 5.
const SOURCE: &str = "Alpha line one.\nThe US will supervise the mechanism.\nGamma line three.\nThe word line again.\n";

fn roster_with_cite(cite: &str) -> String {
    format!(
        "# The rosters.\n[[delegation]]\nid = \"us\"\nname = \"US\"\n\n[[delegation.member]]\nname = \"Gamma\"   # kept\nrole = \"Letter\"\ncite = [{cite}]\n"
    )
}

fn roster_site(cite: &str) -> Site {
    minimal_site(&[
        ("sources/a.txt", SOURCE),
        (
            "sources/sources.toml",
            "[[source]]\nfile = \"a.txt\"\nid = \"a\"\n",
        ),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\nSupervision [@a:2 \"will supervise\"].\n",
        ),
        ("content/delegations.toml", &roster_with_cite(cite)),
    ])
}

/// The cites of the one member, as TOML reads them.
fn cites(site: &Site) -> Vec<String> {
    let doc: toml::Table = toml::from_str(&site.read("content/delegations.toml")).unwrap();
    doc["delegation"][0]["member"][0]["cite"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn bug_06_fix_rewrites_every_toml_string_form_exactly() {
    // (as written, as it must read after the fix)
    let forms = [
        (r#""a:3""#, r#""a:5""#),
        (r#"'a:3'"#, r#"'a:5'"#),
        (r#""""a:3""""#, r#""""a:5""""#),
        (r#"'''a:3'''"#, r#"'''a:5'''"#),
        (r#""a\u003a3""#, r#""a\u003a5""#),
        (r#""\u0061:3""#, r#""\u0061:5""#),
        (r#""\U00000061:3""#, r#""\U00000061:5""#),
        (r#""a:\u0033""#, r#""a:5""#),
        ("\"\"\"\na:3\"\"\"", "\"\"\"\na:5\"\"\""),
        ("'''\na:3'''", "'''\na:5'''"),
        ("\"\"\"a:\\\n   3\"\"\"", "\"\"\"a:\\\n   5\"\"\""),
        (r#""a:3", "a:3""#, r#""a:5", "a:5""#),
    ];
    for (written, fixed) in forms {
        let site = roster_site(written);
        site.warnings();
        site.write(
            "sources/a.txt",
            format!("Inserted first.\nInserted second.\n{SOURCE}"),
        );
        let report = explainer::editor::fix::run(&site.options(None, false), false)
            .unwrap_or_else(|e| panic!("{written}: {e:?}"));
        assert!(!report.applied.is_empty(), "{written}: nothing applied");
        assert_eq!(
            site.read("content/delegations.toml"),
            roster_with_cite(fixed),
            "{written}: only the line number changes"
        );
        assert!(cites(&site).iter().all(|c| c == "a:5"), "{written}");
        site.warnings();
    }
}

#[test]
fn bug_06_fix_never_writes_a_different_value_in_a_dry_run_either() {
    let site = roster_site(r#""a\u003a3""#);
    site.write(
        "sources/a.txt",
        format!("Inserted first.\nInserted second.\n{SOURCE}"),
    );
    let before = site.read("content/delegations.toml");
    let report = explainer::editor::fix::run(&site.options(None, false), true).unwrap();
    let roster: Vec<String> = report
        .applied
        .iter()
        .map(|a| a.to_string())
        .filter(|a| a.starts_with("content/delegations.toml"))
        .collect();
    assert_eq!(roster, ["content/delegations.toml:9: a:3 -> a:5"]);
    assert_eq!(site.read("content/delegations.toml"), before);
}

// ---------------------------------------------------------------------------------------------
// new source

fn new_source(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["new", "source"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", site.root().to_str().unwrap()]);
    run(all)
}

fn manifest_entries(site: &Site) -> Vec<toml::Table> {
    let doc: toml::Table = toml::from_str(&site.read("sources/sources.toml")).unwrap();
    doc["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_table().unwrap().clone())
        .collect()
}

#[test]
fn bug_07_new_source_keeps_an_inline_array_of_entries() {
    for manifest in [
        "source = [ { file = \"a.txt\", id = \"alpha\", title = \"A\" } ]\n",
        "# list\nsource = [\n  { file = \"a.txt\", id = \"alpha\", title = \"A\" },\n]\n",
    ] {
        let site = minimal_site(&[
            ("sources/sources.toml", manifest),
            ("sources/b.txt", "Bee line.\n"),
        ]);
        let r = new_source(&site, &["sources/b.txt"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let entries = manifest_entries(&site);
        assert_eq!(entries.len(), 2, "{}", site.read("sources/sources.toml"));
        assert_eq!(entries[0]["id"].as_str(), Some("alpha"));
        assert_eq!(entries[1]["id"].as_str(), Some("b"));
        let text = site.read("sources/sources.toml");
        assert!(
            text.contains("{ file = \"a.txt\", id = \"alpha\", title = \"A\" }"),
            "{text}"
        );
        let warnings = site.warnings();
        assert!(warnings.iter().all(|w| w.code != "W003"), "{warnings:?}");
    }
}

#[test]
fn bug_07_new_source_refuses_a_lone_source_table() {
    let manifest = "[source]\nfile = \"a.txt\"\nid = \"alpha\"\n";
    let site = minimal_site(&[
        ("sources/sources.toml", manifest),
        ("sources/b.txt", "Bee line.\n"),
    ]);
    let r = new_source(&site, &["sources/b.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("[source]"), "{}", r.stderr);
    assert_eq!(site.read("sources/sources.toml"), manifest);
    for other in ["source = \"a.txt\"\n", "source = 3\n"] {
        site.write("sources/sources.toml", other);
        let r = new_source(&site, &["sources/b.txt"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(site.read("sources/sources.toml"), other);
    }
}

#[test]
fn bug_07_new_source_keeps_crlf_line_endings_and_a_bom() {
    let manifest = "\u{feff}# Sources\r\n[[source]]\r\nfile = \"a.txt\"\r\nid = \"alpha\"\r\ntitle = \"A\"\r\n";
    let site = minimal_site(&[
        ("sources/sources.toml", manifest),
        ("sources/b.txt", "Bee line.\n"),
    ]);
    let r = new_source(&site, &["sources/b.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = site.read("sources/sources.toml");
    assert!(text.starts_with(manifest), "{text:?}");
    assert!(text.len() > manifest.len());
    let bare = text
        .match_indices('\n')
        .filter(|(i, _)| !text[..*i].ends_with('\r'))
        .count();
    assert_eq!(bare, 0, "every line ends in CRLF: {text:?}");
    assert_eq!(manifest_entries(&site).len(), 2);
    // Without a final newline, one in the file's own style is added.
    let site = minimal_site(&[
        (
            "sources/sources.toml",
            "[[source]]\r\nfile = \"a.txt\"\r\nid = \"alpha\"",
        ),
        ("sources/b.txt", "Bee line.\n"),
    ]);
    assert_eq!(new_source(&site, &["sources/b.txt"]).code, 0);
    let text = site.read("sources/sources.toml");
    assert!(
        text.starts_with("[[source]]\r\nfile = \"a.txt\"\r\nid = \"alpha\"\r\n"),
        "{text:?}"
    );
    assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
}

#[test]
fn bug_07_suggested_ids_never_collide_with_other_keys() {
    let site = minimal_site(&[
        (
            "sources/sources.toml",
            "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\n\n[[source]]\nfile = \"x/gamma.txt\"\nid = \"g\"\n",
        ),
        ("sources/x/gamma.txt", "Gamma.\n"),
        // No entry: cited by its stem `beta`.
        ("sources/y/beta.txt", "Beta.\n"),
        ("sources/Gamma.txt", "Another gamma.\n"),
        ("sources/Beta.txt", "Another beta.\n"),
        ("sources/new.txt", "New.\n"),
    ]);
    let r = new_source(&site, &["sources/Gamma.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = new_source(&site, &["sources/Beta.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<String> = manifest_entries(&site)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["alpha", "g", "gamma-2", "beta-2"]);
    // An id given by hand that is another source's stem is refused.
    let before = site.read("sources/sources.toml");
    let r = new_source(&site, &["sources/new.txt", "--id", "gamma"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("gamma"), "{}", r.stderr);
    assert_eq!(site.read("sources/sources.toml"), before);
    let errors: Vec<_> = match site.check() {
        Ok(r) => r.warnings,
        Err(explainer::Failure::Content(d)) => d,
        Err(e) => panic!("{e:?}"),
    };
    assert!(
        errors.iter().all(|d| d.code != "E007"),
        "{}",
        render_all(&errors)
    );
}

#[test]
fn bug_07_new_source_whose_own_stem_is_taken_is_refused() {
    let site = minimal_site(&[
        (
            "sources/sources.toml",
            "[[source]]\nfile = \"a.txt\"\nid = \"b\"\n",
        ),
        ("sources/sub/b.txt", "Bee.\n"),
    ]);
    let before = site.read("sources/sources.toml");
    let r = new_source(&site, &["sources/sub/b.txt", "--id", "bee"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("`b`"), "{}", r.stderr);
    assert_eq!(site.read("sources/sources.toml"), before);
}

// ---------------------------------------------------------------------------------------------
// new page

fn new_page(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["new", "page"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", site.root().to_str().unwrap()]);
    run(all)
}

#[cfg(unix)]
#[test]
fn bug_22_new_page_never_writes_through_a_symlink() {
    use std::os::unix::fs::symlink;
    let outside = tempdir();
    let site = minimal_site(&[]);
    // A dangling link to a file outside the site.
    symlink(outside.path().join("x.md"), site.path("content/x.md")).unwrap();
    let r = new_page(&site, &["x", "--title", "X"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!outside.path().join("x.md").exists());
    // A link to a folder outside the site.
    symlink(outside.path(), site.path("content/out")).unwrap();
    let r = new_page(&site, &["out/y", "--title", "Y"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!outside.path().join("y.md").exists());
    let r = new_page(&site, &["out/deeper/z", "--title", "Z"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!outside.path().join("deeper").exists());
    // content/ itself a link.
    let other = minimal_site(&[]);
    fs::remove_dir_all(other.path("content")).unwrap();
    symlink(outside.path(), other.path("content")).unwrap();
    let r = new_page(&other, &["w", "--title", "W"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!outside.path().join("w.md").exists());
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn bug_22_new_page_title_is_always_a_valid_toml_string() {
    for title in [
        "Line one\n+++\nsays \"hi\" and 'bye' \\ end",
        "'''\n+++",
        "tab\there\r\nand more",
        "\"\"\"",
    ] {
        let site = minimal_site(&[]);
        let r = new_page(&site, &["x/analysis", "--title", title]);
        assert_eq!(r.code, 0, "{title:?}: {}", r.stderr);
        let text = site.read("content/x/analysis.md");
        assert_eq!(text.matches("+++\n").count(), 2, "{text}");
        let out = tempdir();
        let report = succeeded(site.build(out.path()));
        assert!(report.warnings.iter().any(|w| w.code == "W002"));
        let html = parse_file(&out.path().join("x/analysis/index.html"));
        let h1 = text_of(&html, "h1");
        assert_eq!(squash(&h1), squash(title), "{title:?}");
    }
}

fn text_of(html: &scraper::Html, css: &str) -> String {
    text(one(html, css))
}

// ---------------------------------------------------------------------------------------------
// serve

/// The threads of this process.
fn threads() -> usize {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn bug_26_serve_bounds_its_threads_and_closes_idle_connections() {
    use std::io::{ErrorKind, Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let site = minimal_site(&[]);
    let before = threads();
    let opts = explainer::editor::serve::ServeOptions {
        port: 0,
        idle_timeout: Duration::from_secs(2),
        ..explainer::editor::serve::ServeOptions::new(site.root())
    };
    let server = explainer::editor::serve::start(opts).unwrap();
    let addr = server.addr;
    let started = threads();
    // 500 idle connections, a few of them with half a request.
    let mut idle: Vec<TcpStream> = (0..500)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    for s in idle.iter_mut().step_by(50) {
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let during = threads();
    assert!(
        during <= started + 8 && started <= before + 16,
        "threads: {before} before, {started} serving, {during} with 500 connections"
    );
    // A normal request is answered at once while they are open.
    let asked = Instant::now();
    let (code, home) = http_get(addr, "/");
    assert_eq!(code, 200);
    assert!(home.contains("harbour"), "{home}");
    assert!(asked.elapsed() < Duration::from_secs(2));
    // Keep-alive: two requests on one connection.
    let mut kept = TcpStream::connect(addr).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        kept,
        "GET /__explainer/status HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut both = String::new();
    kept.read_to_string(&mut both).unwrap();
    assert_eq!(both.matches("HTTP/1.1 200 OK").count(), 2, "{both}");
    assert!(both.ends_with("\r\n\r\n"), "HEAD has no body: {both}");
    // Every idle connection is closed after the timeout.
    for (i, s) in idle.iter_mut().enumerate() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("connection {i} still open after the idle timeout: {e}"),
        }
    }
    assert!(threads() <= started + 8);
    drop(server);
}

#[test]
fn bug_27_serving_beyond_loopback_warns() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let site = minimal_site(&[]);
    for (interface, warns) in [("0.0.0.0", true), ("127.0.0.1", false)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_explainer"))
            .args(["serve", "--port", "0", "--interface", interface, "--root"])
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("serving http://"), "{line}");
        // stderr up to the address line is complete: read what it holds.
        let _ = child.kill();
        let _ = child.wait();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(
            err.contains("warning") && err.contains("reachable from the network"),
            warns,
            "{interface}: {err}"
        );
    }
}
