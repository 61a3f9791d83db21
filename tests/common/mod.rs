//! Helpers shared by the integration tests: fixture sites in temporary folders, the library
//! and the real binary, HTML parsed with `scraper`, and a link checker for built sites.
//!
//! Each test binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use explainer::{Diagnostic, Failure, Options, Report};
use scraper::{ElementRef, Html, Selector};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Paths and sites on disk

/// The repository (the crate root).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

pub fn tempdir() -> TempDir {
    tempfile::Builder::new()
        .prefix("explainer-it-")
        .tempdir()
        .expect("create a temporary folder")
}

/// Copies a folder recursively (regular files only).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A site written into a temporary folder (removed when dropped).
pub struct Site {
    pub dir: TempDir,
}

impl Site {
    /// A site made of `(path, content)` pairs.
    pub fn new<C: AsRef<[u8]>>(files: &[(&str, C)]) -> Site {
        let site = Site { dir: tempdir() };
        for (path, content) in files {
            site.write(path, content);
        }
        site
    }

    /// A copy of `tests/fixtures/NAME`, to be changed freely.
    pub fn from_fixture(name: &str) -> Site {
        let site = Site { dir: tempdir() };
        copy_dir(&fixture(name), site.root());
        let _ = fs::remove_dir_all(site.root().join("public"));
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).unwrap();
    }

    /// Replaces `from` (which must occur) by `to` in a file.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1));
    }

    pub fn options(&self, output: Option<&Path>, drafts: bool) -> Options {
        Options {
            root: self.root().to_path_buf(),
            output: output.map(Path::to_path_buf),
            drafts,
        }
    }

    /// Library build into `out`.
    pub fn build(&self, out: &Path) -> Result<Report, Failure> {
        explainer::build(&self.options(Some(out), false))
    }

    /// Library check.
    pub fn check(&self) -> Result<Report, Failure> {
        explainer::check(&self.options(None, false))
    }

    /// The diagnostics of a check that must fail with content errors.
    pub fn errors(&self) -> Vec<Diagnostic> {
        match self.check() {
            Err(Failure::Content(diags)) => diags,
            Err(Failure::Io(e)) => panic!("expected content errors, got an I/O failure: {e:#}"),
            Ok(r) => panic!(
                "expected content errors, the check passed with warnings {:#?}",
                r.warnings
            ),
        }
    }

    /// The warnings of a check that must pass.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        match self.check() {
            Ok(r) => r.warnings,
            Err(Failure::Content(d)) => {
                panic!("expected a passing check, got:\n{}", render_all(&d))
            }
            Err(Failure::Io(e)) => panic!("expected a passing check, got an I/O failure: {e:#}"),
        }
    }

    /// `explainer check --root SITE` with the real binary.
    pub fn run_check(&self) -> Run {
        run([
            OsStr::new("check"),
            OsStr::new("--root"),
            self.root().as_os_str(),
        ])
    }

    /// `explainer build --root SITE --output OUT` with the real binary.
    pub fn run_build(&self, out: &Path) -> Run {
        run([
            OsStr::new("build"),
            OsStr::new("--root"),
            self.root().as_os_str(),
            OsStr::new("--output"),
            out.as_os_str(),
        ])
    }
}

/// A small valid site: one source, one page citing it. Tests overwrite one file to break it.
pub fn minimal_files() -> Vec<(&'static str, String)> {
    vec![
        ("site.toml", "title = \"Minimal\"\n".to_string()),
        ("sources/a.txt", "First line of a.\nSecond line says the harbour will reopen in March.\n\nFourth line.\n".to_string()),
        ("sources/sources.toml", "[[source]]\nfile = \"a.txt\"\nid = \"alpha\"\ntitle = \"A\"\npublisher = \"P\"\n".to_string()),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n\nThe harbour will reopen [@alpha:2 \"the harbour will reopen\"].\n".to_string()),
    ]
}

/// [`minimal_files`] with some files replaced or added.
pub fn minimal_site(changes: &[(&str, &str)]) -> Site {
    let mut files: BTreeMap<&str, String> = minimal_files().into_iter().collect();
    for (path, content) in changes {
        files.insert(path, content.to_string());
    }
    let files: Vec<(&str, String)> = files.into_iter().collect();
    Site::new(&files)
}

// ---------------------------------------------------------------------------------------------
// The real binary

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(None, args)
}

/// Runs the binary, in `dir` when given (else the test's working directory).
pub fn run_in<I, S>(dir: Option<&Path>, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_explainer"));
    // `find`'s line index goes under target/tmp, not the user's cache folder.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("find-index");
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("EXPLAINER_CACHE_DIR", cache);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.output().expect("run the explainer binary");
    Run {
        code: out.status.code().expect("the binary exits with a code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// Asserts the stderr holds `error[CODE]` (or `warning[CODE]`) and a ` --> FILE:LINE:COL` line.
    pub fn assert_reports(&self, code: &str, file: &str, line: usize, column: usize) {
        let level = if code.starts_with('W') {
            "warning"
        } else {
            "error"
        };
        let head = format!("{level}[{code}]");
        assert!(
            self.stderr.lines().any(|l| l.starts_with(&head)),
            "no `{head}` line in stderr:\n{}",
            self.stderr
        );
        let at = format!("--> {file}:{line}:{column}");
        assert!(
            self.stderr.lines().any(|l| l.trim_start() == at),
            "no `{at}` line in stderr:\n{}",
            self.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

/// The report of a build or check that must succeed; otherwise the test
/// fails with every diagnostic (or the I/O error).
pub fn succeeded(result: Result<Report, Failure>) -> Report {
    result.unwrap_or_else(|f| match f {
        Failure::Content(d) => panic!("{}", render_all(&d)),
        Failure::Io(e) => panic!("{e:#}"),
    })
}

pub fn render_all(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

/// The one diagnostic with this code, file, line and column; panics listing all otherwise.
pub fn find_diag<'a>(
    diags: &'a [Diagnostic],
    code: &str,
    file: &str,
    line: usize,
    column: usize,
) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code == code && d.file == file && d.line == line && d.column == column)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code} at {file}:{line}:{column}; got (code file:line:col):\n{}\n{}",
        diags
            .iter()
            .map(|d| format!("  {} {}:{}:{}", d.code, d.file, d.line, d.column))
            .collect::<Vec<_>>()
            .join("\n"),
        render_all(diags)
    );
    found[0]
}

/// `(code, file, line, column)` of each diagnostic.
pub fn positions(diags: &[Diagnostic]) -> Vec<(String, String, usize, usize)> {
    diags
        .iter()
        .map(|d| (d.code.to_string(), d.file.clone(), d.line, d.column))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Built output

/// Every file below `dir`: site-relative path with `/` -> bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Site-relative paths of every `.html` file below `dir`.
pub fn html_files(dir: &Path) -> Vec<String> {
    files(dir)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

pub fn parse_file(path: &Path) -> Html {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Html::parse_document(&text)
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

pub fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&sel(css)).collect()
}

pub fn select_in<'a>(el: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    el.select(&sel(css)).collect()
}

/// The one element matching `css`.
pub fn one<'a>(html: &'a Html, css: &str) -> ElementRef<'a> {
    let found = select(html, css);
    assert_eq!(
        found.len(),
        1,
        "expected one `{css}`, found {}",
        found.len()
    );
    found[0]
}

pub fn one_in<'a>(el: ElementRef<'a>, css: &str) -> ElementRef<'a> {
    let found = select_in(el, css);
    assert_eq!(
        found.len(),
        1,
        "expected one `{css}` in {}, found {}",
        el.html(),
        found.len()
    );
    found[0]
}

/// All text of an element.
pub fn text(el: ElementRef) -> String {
    el.text().collect()
}

/// Text with white-space runs collapsed and trimmed (HTML rendering of text).
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn attr<'a>(el: ElementRef<'a>, name: &str) -> &'a str {
    el.value()
        .attr(name)
        .unwrap_or_else(|| panic!("no {name} on {}", el.html()))
}

/// Every `id` on the page, in document order (with repeats).
pub fn ids(html: &Html) -> Vec<String> {
    select(html, "[id]")
        .into_iter()
        .map(|e| attr(e, "id").to_string())
        .collect()
}

pub fn duplicates(ids: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut dup = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            dup.insert(id.clone());
        }
    }
    dup.into_iter().collect()
}

/// `%XX` decoding of a URL path or fragment.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("percent-decoded URL is UTF-8")
}

/// Does the reference carry a scheme (`https:`, `mailto:`) or start with `//`?
pub fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && scheme.chars().next().unwrap().is_ascii_alphabetic()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Resolves a relative path against the folder of `from` (both site-relative, `/`).
/// `None` when it climbs above the output root.
pub fn resolve_rel(from: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A link found in a built page.
#[derive(Debug, Clone)]
pub struct Link {
    pub page: String,
    pub attr: &'static str,
    pub value: String,
}

/// Every `href` and `src` of every HTML page below `dir`.
pub fn links(dir: &Path) -> Vec<Link> {
    let mut out = Vec::new();
    for page in html_files(dir) {
        let html = parse_file(&dir.join(&page));
        for attr_name in ["href", "src"] {
            for el in select(&html, &format!("[{attr_name}]")) {
                out.push(Link {
                    page: page.clone(),
                    attr: attr_name,
                    value: attr(el, attr_name).to_string(),
                });
            }
        }
    }
    out
}

/// Where an internal link points: (site-relative file, fragment), or why it cannot resolve.
pub fn target_of(page: &str, value: &str) -> Result<(String, Option<String>), String> {
    let (path, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (value, None),
    };
    let path = path.split('?').next().unwrap();
    let file = if path.is_empty() {
        page.to_string()
    } else {
        if path.starts_with('/') {
            return Err("absolute path: internal links must be relative".into());
        }
        resolve_rel(page, &percent_decode(path)).ok_or("climbs above the output root")?
    };
    Ok((file, fragment.map(percent_decode)))
}

/// Every internal link and fragment of the built site that does not resolve, as messages.
/// External links (with a scheme) are skipped; a link must name a file, not a folder; a
/// fragment must be an id of the target page (a `:~:` text fragment is not an id).
pub fn broken_links(dir: &Path) -> Vec<String> {
    let mut id_cache: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    for link in links(dir) {
        if is_external(&link.value) {
            continue;
        }
        let (file, fragment) = match target_of(&link.page, &link.value) {
            Ok(t) => t,
            Err(why) => {
                problems.push(format!(
                    "{}: {}=\"{}\": {why}",
                    link.page, link.attr, link.value
                ));
                continue;
            }
        };
        let path = dir.join(&file);
        if !path.is_file() {
            problems.push(format!(
                "{}: {}=\"{}\": {file} is not a file of the output",
                link.page, link.attr, link.value
            ));
            continue;
        }
        let Some(fragment) = fragment else { continue };
        if fragment.starts_with(":~:") {
            problems.push(format!(
                "{}: {}=\"{}\": text fragment on an internal link",
                link.page, link.attr, link.value
            ));
            continue;
        }
        if !file.ends_with(".html") {
            problems.push(format!(
                "{}: {}=\"{}\": fragment on a non-HTML file",
                link.page, link.attr, link.value
            ));
            continue;
        }
        let known = id_cache
            .entry(file.clone())
            .or_insert_with(|| ids(&parse_file(&path)).into_iter().collect());
        if !known.contains(&fragment) {
            problems.push(format!(
                "{}: {}=\"{}\": no id=\"{fragment}\" in {file}",
                link.page, link.attr, link.value
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// An independent reading of SPEC 2 and 3.2, to check the output against

/// Lines of a source per SPEC 2: BOM skipped, split at `\n`, `\r` before it dropped, a final
/// line without newline kept.
pub fn spec_lines(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes).expect("UTF-8 source");
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// SPEC 3.2 normalization.
pub fn spec_normalize(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '‛' | '′' => '\'',
            '“' | '”' | '„' | '‟' | '″' => '"',
            '‐' | '‑' | '‒' | '–' | '—' | '−' => '-',
            c => c,
        })
        .collect();
    folded
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The parts of a quote between elisions (`...`, `…`, `[...]`, `[…]`), normalized.
pub fn spec_quote_parts(quote: &str) -> Vec<String> {
    let mut q = spec_normalize(quote);
    for mark in ["[...]", "[…]", "...", "…"] {
        q = q.replace(mark, "\u{0}");
    }
    q.split('\u{0}')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn is_blank(line: &str) -> bool {
    line.chars().all(char::is_whitespace)
}

/// The key -> source id map of a site: every `id`, file name and file stem.
pub fn source_keys(root: &Path) -> BTreeMap<String, String> {
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("sources/sources.toml")).unwrap()).unwrap();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for entry in manifest["source"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap().to_string();
        let name = file.rsplit('/').next().unwrap().to_string();
        let stem = name.strip_suffix(".txt").unwrap().to_string();
        let id = entry
            .get("id")
            .and_then(|v| v.as_str())
            .map_or(stem.clone(), str::to_string);
        ids.insert(id.clone(), id.clone());
        ids.insert(name, id.clone());
        ids.insert(stem, id);
    }
    ids
}

/// Source id -> file path below `sources/`.
pub fn source_files(root: &Path) -> BTreeMap<String, String> {
    let keys = source_keys(root);
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("sources/sources.toml")).unwrap()).unwrap();
    manifest["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["file"].as_str().unwrap().to_string();
            let name = file.rsplit('/').next().unwrap().to_string();
            (keys[&name].clone(), file)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading the rendered notes

/// One citation as a note shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteCite {
    /// Source id, from the provenance link.
    pub source: String,
    pub first: usize,
    pub last: usize,
    pub summary: String,
    pub line_text: String,
    pub original: Option<String>,
}

/// `../sources/ID/index.html#L3` (from `page`) -> (ID, 3).
pub fn provenance_target(page: &str, href: &str) -> (String, usize) {
    let (file, fragment) = target_of(page, href).unwrap();
    let id = file
        .strip_prefix("sources/")
        .and_then(|r| r.strip_suffix("/index.html"))
        .unwrap_or_else(|| panic!("{href} from {page} is not a provenance page"))
        .to_string();
    let line = fragment
        .and_then(|f| f.strip_prefix('L').map(|n| n.parse().unwrap()))
        .unwrap_or_else(|| panic!("{href} has no #L fragment"));
    (id, line)
}

/// `line 3` -> (3, 3); `lines 3–5` -> (3, 5).
pub fn parse_lines_label(label: &str) -> (usize, usize) {
    let label = squash(label);
    if let Some(n) = label.strip_prefix("line ") {
        let n = n.parse().unwrap_or_else(|_| panic!("line label {label:?}"));
        return (n, n);
    }
    let range = label
        .strip_prefix("lines ")
        .unwrap_or_else(|| panic!("line label {label:?}"));
    let (a, b) = range
        .split_once(['–', '-'])
        .unwrap_or_else(|| panic!("line label {label:?}"));
    (a.parse().unwrap(), b.parse().unwrap())
}

/// The citations of each note of a content page: note number -> cites (empty for editorial).
pub fn note_cites(page: &str, html: &Html) -> BTreeMap<usize, Vec<NoteCite>> {
    let mut out = BTreeMap::new();
    for note in select(html, "li.note") {
        let id = attr(note, "id");
        let n: usize = id
            .strip_prefix("n-")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("note id {id}"));
        let cites = select_in(note, "div.cite")
            .into_iter()
            .map(|c| {
                let line = one_in(c, "a.cite-line");
                let (source, first) = provenance_target(page, attr(line, "href"));
                let (f, last) = parse_lines_label(&text(line));
                assert_eq!(
                    f, first,
                    "{page} note {n}: the link goes to the first line of the range"
                );
                NoteCite {
                    source,
                    first,
                    last,
                    summary: text(one_in(c, "details.cite-quote > summary")),
                    line_text: text(one_in(c, "details.cite-quote blockquote.cite-text")),
                    original: select_in(c, "a.cite-original")
                        .first()
                        .map(|a| attr(*a, "href").to_string()),
                }
            })
            .collect();
        out.insert(n, cites);
    }
    out
}

/// Content pages of a built site (not generated pages, not the 404 page).
pub fn content_pages(out: &Path) -> Vec<String> {
    html_files(out)
        .into_iter()
        .filter(|p| {
            p != "404.html"
                && !p.starts_with("sources/")
                && !p.starts_with("claims/")
                && !p.starts_with("delegations/")
                && !p.starts_with("search/")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Shared builds

/// A fresh folder `CARGO_TARGET_TMPDIR/NAME-PID` for outputs shared by the tests of one test
/// binary (a `TempDir` in a static would never be removed). The process id keeps concurrent
/// `cargo test` runs apart; folders of finished runs are removed (where `/proc` tells).
pub fn shared_dir(name: &str) -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let ours = std::process::id();
    if Path::new("/proc/self").exists() {
        for entry in fs::read_dir(&base).into_iter().flatten().flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = file_name
                .strip_prefix(&format!("{name}-"))
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != ours && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(format!("{name}-{ours}"));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// A build of a fixture into a [`shared_dir`].
pub fn build_fixture_once(name: &str, out_name: &str, drafts: bool) -> PathBuf {
    let out = shared_dir(out_name);
    let opts = Options {
        root: fixture(name),
        output: Some(out.clone()),
        drafts,
    };
    match explainer::build(&opts) {
        Ok(r) => assert!(
            r.warnings.is_empty(),
            "fixture {name} has warnings:\n{}",
            render_all(&r.warnings)
        ),
        Err(Failure::Content(d)) => panic!("fixture {name} fails:\n{}", render_all(&d)),
        Err(Failure::Io(e)) => panic!("fixture {name}: {e:#}"),
    }
    out
}

/// Asserts the library reports `code` at `file:line:column`, and the binary exits 1 and
/// prints it in the SPEC 8 format. Returns the diagnostic.
pub fn assert_error(site: &Site, code: &str, file: &str, line: usize, column: usize) -> Diagnostic {
    let diags = site.errors();
    let d = find_diag(&diags, code, file, line, column).clone();
    assert!(d.is_error());
    let r = site.run_check();
    assert_eq!(r.code, 1, "exit code for {code}; stderr:\n{}", r.stderr);
    r.assert_reports(code, file, line, column);
    d
}

/// A raw HTTP/1.1 GET to a preview server that closes the connection after the
/// response: the status code and the body.
pub fn http_get(
    addr: impl std::fmt::Display + std::net::ToSocketAddrs,
    path: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
