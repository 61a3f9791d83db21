//! A deterministic, seedable fuzzer for explainer on stable Rust (see `fuzz/README.md`).
//!
//! Input `i` of a run depends only on the target, the seed and `i`: any input can be made
//! again from those three numbers, so a crash found after ten million inputs is replayed at
//! once, and a process killed by an abort (a stack overflow cannot be caught) is resumed by
//! the supervisor in `examples/fuzz.rs` from its last checkpoint.
//!
//! Inputs are generated from the syntax (citation groups, front matter, Markdown, manifests,
//! rosters) and from the fixture sites' texts, then mutated with a dictionary of the syntax's
//! tokens, byte edits, invalid UTF-8, long lines and deep nesting. Every input runs under
//! `catch_unwind`; a panic saves the input under the crash folder.
//!
//! Shared by `examples/fuzz.rs` and `tests/fuzz_smoke.rs` (`#[path]`), so that `cargo test`
//! keeps it compiling and working.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// Targets and inputs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The citation-group parser (`cite::group_starts`, `cite::parse_group`).
    Cite,
    /// The page parser: front matter, Markdown, citations (`page::parse`).
    Page,
    /// A whole small site on disk: `check`, `render` in memory, and now and then `build`.
    Site,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Cite, Target::Page, Target::Site];

    pub fn name(self) -> &'static str {
        match self {
            Target::Cite => "cite",
            Target::Page => "page",
            Target::Site => "site",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// One input: bytes for the parsers, files for a site.
#[derive(Debug, Clone)]
pub enum Input {
    Bytes(Vec<u8>),
    Site(Vec<(String, Vec<u8>)>),
}

impl Input {
    pub fn len(&self) -> usize {
        match self {
            Input::Bytes(b) => b.len(),
            Input::Site(files) => files.iter().map(|(_, b)| b.len()).sum(),
        }
    }

    /// Writes the input to `path`: a file for bytes, a folder holding the site for a site.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        match self {
            Input::Bytes(b) => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)?;
                }
                fs::write(path, b)
            }
            Input::Site(files) => write_site(path, files),
        }
    }
}

/// Writes `files` into `dir`, emptied first.
pub fn write_site(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, bytes)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, seeded per input from (seed, index)

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, index: u64, target: Target) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.0 = r.next() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ target as u64;
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds and the dictionary

/// Tokens of the syntax, spliced into inputs.
const DICT: &[&str] = &[
    "[@",
    "]",
    "[",
    "@",
    ":",
    ";",
    "-",
    "\"",
    "\\\"",
    "\\",
    "“",
    "”",
    "‘",
    "’",
    "…",
    "...",
    "[...]",
    "[…]",
    "`",
    "``",
    "```",
    "~~~",
    "*",
    "**",
    "_",
    "__",
    "~~",
    ">",
    "> ",
    "+++",
    "+++\n",
    "\r\n",
    "\n",
    "\r",
    "\n\n",
    "\t",
    " ",
    "\u{A0}",
    "\u{FEFF}",
    "\u{0}",
    "\u{2028}",
    "é",
    "𝄞",
    "{{",
    "}}",
    "{{ claims() }}",
    "{{ delegations() }}",
    "{{ delegation(id=\"x\") }}",
    "[^1]",
    "[^1]: ",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "#",
    "## ",
    "- ",
    "1. ",
    "|",
    "| a |\n|---|\n",
    "&amp;",
    "&#",
    "&#106;",
    "a:1",
    "a:2-3",
    ":0",
    ":1-1",
    ":3-2",
    ":99999999999999999999",
    "alpha",
    "beta",
    "a.txt",
    "../",
    "/",
    "title = \"",
    "\"\r\n",
    "[[source]]\n",
    "file = ",
    "id = ",
    "'''",
    "\"\"\"",
    "javascript:",
    "<javascript:x>",
    "](",
    ")",
    "![x](",
    "[x](",
    "\\[@",
    "=",
    "[[delegation]]\n",
    "[[delegation.member]]\n",
    "cite = [",
    "name = ",
    "variants = [",
    "uncited = true\n",
    "draft = true\n",
    "slug = ",
    "description = ",
    "date = 2026-01-07\n",
];

/// Byte sequences that are not UTF-8.
const BAD_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\xf0\x9f\x98",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
];

/// Texts of the fixture sites and of the repository's own site, by kind.
pub struct Seeds {
    pub pages: Vec<String>,
    pub sources: Vec<String>,
    pub tomls: Vec<String>,
    /// Lines that hold `[@` (for the citation parser).
    pub cite_lines: Vec<String>,
}

impl Seeds {
    /// Reads the seeds below `repo` (the crate root); built-in texts when none are found.
    pub fn load(repo: &Path) -> Seeds {
        let mut seeds = Seeds {
            pages: Vec::new(),
            sources: Vec::new(),
            tomls: Vec::new(),
            cite_lines: Vec::new(),
        };
        for dir in ["tests/fixtures", "content", "sources"] {
            collect(&repo.join(dir), &mut seeds);
        }
        if seeds.pages.is_empty() {
            seeds
                .pages
                .push("+++\ntitle = \"Home\"\n+++\n\nA claim [@a:1 \"first\"].\n".into());
        }
        if seeds.sources.is_empty() {
            seeds
                .sources
                .push("First line of a.\nSecond line says the harbour will reopen.\n".into());
        }
        if seeds.tomls.is_empty() {
            seeds.tomls.push("title = \"Site\"\n".into());
        }
        for p in &seeds.pages {
            seeds
                .cite_lines
                .extend(p.lines().filter(|l| l.contains("[@")).map(str::to_string));
        }
        if seeds.cite_lines.is_empty() {
            seeds.cite_lines.push("[@a:1 \"x\"; @b:2-3]".into());
        }
        seeds.pages.sort();
        seeds.sources.sort();
        seeds.tomls.sort();
        seeds.cite_lines.sort();
        seeds.cite_lines.dedup();
        seeds
    }
}

fn collect(dir: &Path, seeds: &mut Seeds) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if e.file_name() != "public" {
                collect(&path, seeds);
            }
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        if text.len() > 256 * 1024 {
            continue;
        }
        match path.extension().and_then(|x| x.to_str()) {
            Some("md") => seeds.pages.push(text),
            Some("txt") => seeds.sources.push(text),
            Some("toml" | "lock") => seeds.tomls.push(text),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// A char boundary at or before `i` when `bytes` is UTF-8 there; any byte otherwise.
fn position(rng: &mut Rng, bytes: &[u8]) -> usize {
    let mut i = rng.below(bytes.len() + 1);
    if rng.below(4) != 0 {
        while i > 0 && i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
            i -= 1;
        }
    }
    i
}

/// Applies one to eight random edits to `bytes`.
pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, seeds: &Seeds) {
    let edits = 1 + rng.below(8);
    for _ in 0..edits {
        let at = position(rng, bytes);
        match rng.below(16) {
            0..=4 => {
                let tok = rng.pick(DICT).as_bytes();
                bytes.splice(at..at, tok.iter().copied());
            }
            5 => {
                let tok = *rng.pick(BAD_UTF8);
                bytes.splice(at..at, tok.iter().copied());
            }
            6 | 7 => {
                let end = (at + rng.below(16)).min(bytes.len());
                bytes.drain(at..end);
            }
            8 => {
                let end = (at + rng.below(32)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = position(rng, bytes);
                bytes.splice(to..to, copy);
            }
            9 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
            10 => {
                // A token repeated: long lines and deep nesting.
                let tok = *rng.pick(&["[@", ">", "*", "[", "`", "> ", "- ", "a", " ", "…", "\\"]);
                let n = if rng.one_in(64) {
                    3000 + rng.below(3000)
                } else {
                    2 + rng.below(200)
                };
                let run = tok.repeat(n);
                bytes.splice(at..at, run.bytes());
            }
            11 => {
                // Splice a line of another seed.
                let text = if rng.one_in(2) {
                    rng.pick(&seeds.cite_lines)
                } else {
                    rng.pick(&seeds.pages)
                };
                let lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let line = *rng.pick(&lines);
                    bytes.splice(at..at, line.bytes().chain(*b"\n"));
                }
            }
            12 => {
                // Line endings: every `\n` as `\r\n`, or the other way round.
                let text = String::from_utf8_lossy(bytes).into_owned();
                let changed = if rng.one_in(2) {
                    text.replace('\n', "\r\n")
                } else {
                    text.replace("\r\n", "\n")
                };
                *bytes = changed.into_bytes();
            }
            13 => bytes.truncate(at),
            14 => {
                let n = rng.below(12).to_string();
                bytes.splice(at..at, n.bytes());
            }
            _ => {
                let c = *rng.pick(&['"', '\'', '[', ']', ':', ';', '@', '\n', '+', '=', '{', '}']);
                bytes.insert(at, c as u8);
            }
        }
        if bytes.len() > 1 << 20 {
            bytes.truncate(1 << 20);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation

fn key(rng: &mut Rng) -> String {
    rng.pick(&[
        "a", "b", "c", "alpha", "a.txt", "b.txt", "zz", "x-y_1", "A", "a/b", "..",
    ])
    .to_string()
}

fn words(rng: &mut Rng, text: &str) -> String {
    let w: Vec<&str> = text.split_whitespace().collect();
    if w.is_empty() {
        return "x".into();
    }
    let from = rng.below(w.len());
    let n = 1 + rng.below(4.min(w.len() - from));
    w[from..from + n].join(" ")
}

/// A citation group, mostly well-formed.
pub fn group(rng: &mut Rng, quote_from: &str) -> String {
    let mut s = String::from("[");
    let n = 1 + rng.below(3);
    for k in 0..n {
        if k > 0 {
            s.push_str(rng.pick_str(&["; ", ";", " ; ", ";\n"]));
        }
        s.push('@');
        s.push_str(&key(rng));
        s.push(':');
        let line = 1 + rng.below(6);
        let _ = write!(s, "{line}");
        if rng.one_in(4) {
            let _ = write!(s, "-{}", line + rng.below(3));
        }
        match rng.below(4) {
            0 => {}
            1 => {
                let _ = write!(s, " \"{}\"", words(rng, quote_from).replace('"', "\\\""));
            }
            2 => {
                let _ = write!(s, " “{}”", words(rng, quote_from));
            }
            _ => {
                let _ = write!(
                    s,
                    " \"{} … {}\"",
                    words(rng, quote_from),
                    words(rng, quote_from)
                );
            }
        }
    }
    s.push(']');
    s
}

fn cite_input(rng: &mut Rng, seeds: &Seeds) -> Vec<u8> {
    let mut bytes = if rng.one_in(2) {
        rng.pick(&seeds.cite_lines).clone().into_bytes()
    } else {
        let from = rng.pick(&seeds.sources).clone();
        let mut s = String::new();
        for _ in 0..1 + rng.below(3) {
            s.push_str(&words(rng, &from));
            s.push(' ');
            s.push_str(&group(rng, &from));
        }
        s.into_bytes()
    };
    if !rng.one_in(8) {
        mutate(rng, &mut bytes, seeds);
    }
    bytes
}

/// Front matter and a body of claims, Markdown and shortcodes.
fn page_text(rng: &mut Rng, sources: &[(String, String)], title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "+++\ntitle = \"{title}\"");
    if rng.one_in(3) {
        s.push_str("description = \"A page\"\n");
    }
    if rng.one_in(4) {
        s.push_str("date = 2026-01-07\n");
    }
    if rng.one_in(6) {
        s.push_str("uncited = true\n");
    }
    s.push_str("+++\n\n");
    for _ in 0..1 + rng.below(6) {
        match rng.below(10) {
            0 => s.push_str("## A heading\n\n"),
            1 => s.push_str("- item one\n- item two\n\n"),
            2 => s.push_str("```\ncode [@a:1]\n```\n\n"),
            3 => s.push_str(rng.pick_str(&[
                "{{ claims() }}\n\n",
                "{{ delegations() }}\n\n",
                "> quoted text\n\n",
                "| a | b |\n|---|---|\n| c | d |\n\n",
                "Editorial[^n].\n\n[^n]: A note.\n\n",
            ])),
            _ => {
                // A claim citing a real line of a source, with its words quoted.
                let (id, text) = rng.pick(sources);
                let lines: Vec<(usize, &str)> = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| (i + 1, l))
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                let (n, line) = *rng.pick(&lines);
                let quote = words(rng, line);
                let _ = write!(s, "The claim {} [@{id}:{n}", words(rng, line));
                // Quoted when the words are plain, so that most sites verify and get rendered.
                let plain = !quote.contains(['"', '\\', '“', '”', '[', ']', '\u{FEFF}', '…', '`'])
                    && !quote.contains("...");
                if rng.below(3) != 0 && plain {
                    let _ = write!(s, " \"{quote}\"");
                }
                s.push_str("].\n\n");
            }
        }
    }
    s
}

fn page_input(rng: &mut Rng, seeds: &Seeds) -> Vec<u8> {
    let mut bytes = if rng.one_in(2) {
        rng.pick(&seeds.pages).clone().into_bytes()
    } else {
        let src = rng.pick(&seeds.sources).clone();
        page_text(rng, &[("a".to_string(), src)], "Page").into_bytes()
    };
    if !rng.one_in(8) {
        mutate(rng, &mut bytes, seeds);
    }
    bytes
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A small site: `site.toml`, two or three sources with a manifest, two or three pages and a
/// roster; mostly valid (so that rendering is reached), one or two files mutated.
fn site_input(rng: &mut Rng, seeds: &Seeds) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut site = String::from("title = \"Fuzz\"\n");
    if rng.one_in(2) {
        site.push_str("minify = false\n");
    }
    if rng.one_in(4) {
        site.push_str("base_url = \"https://example.org/x\"\n");
    }
    files.push(("site.toml".into(), site.into_bytes()));

    let n_sources = 2 + rng.below(2);
    let mut sources = Vec::new();
    let mut manifest = String::new();
    for k in 0..n_sources {
        let id = ["a", "b", "c"][k].to_string();
        let mut text = rng.pick(&seeds.sources).clone();
        if text.len() > 8192 {
            let cut = (0..=8192)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
        }
        let name = if rng.one_in(40) {
            rng.pick(&["x y.txt", "sub/d.txt", "É.txt", "a.b.txt"])
                .to_string()
        } else {
            format!("{id}.txt")
        };
        let _ = write!(
            manifest,
            "[[source]]\nfile = {}\nid = \"{id}\"\n",
            toml_string(&name)
        );
        if rng.one_in(2) {
            let _ = writeln!(manifest, "title = {}", toml_string(&words(rng, &text)));
        }
        if rng.below(3) != 0 {
            let _ = writeln!(
                manifest,
                "publisher = {}",
                toml_string(rng.pick_str(&["Reuters", "<b>P</b>", "Le Monde", "<!--<script>"]))
            );
        }
        if rng.one_in(3) {
            let _ = writeln!(
                manifest,
                "url = {}",
                toml_string(rng.pick_str(&[
                    "https://example.org/a",
                    "http://x.org/?q=\"a\"",
                    "javascript:alert(1)",
                    " https://x.org",
                    "https://example.org/b?x=1&y=2",
                    "HTTPS://EXAMPLE.ORG/C",
                    "https://example.org/<b>",
                    "https://example.org/d#frag",
                ]))
            );
        }
        if rng.one_in(4) {
            let _ = writeln!(
                manifest,
                "note = {}",
                toml_string(rng.pick_str(&[
                    "Identified by the *byline*.",
                    "See [x](https://x.org).",
                    "<img src=x>",
                    "[x](javascript:1)",
                    "Copied from the *print* edition; see [the site](https://example.org/).",
                    "Byline: <https://example.org/author>.",
                    "Publisher inferred from the [masthead](../../claims/index.html).",
                    "Two lines.\n\n- one\n- two",
                ]))
            );
        }
        if rng.one_in(3) {
            let _ = writeln!(
                manifest,
                "sha256 = \"{}\"",
                hex(&Sha256::digest(text.as_bytes()))
            );
        }
        manifest.push('\n');
        files.push((format!("sources/{name}"), text.clone().into_bytes()));
        sources.push((id, text));
    }
    files.push(("sources/sources.toml".into(), manifest.into_bytes()));

    let n_pages = 2 + rng.below(2);
    for k in 0..n_pages {
        let path = ["content/_index.md", "content/b.md", "content/x/c.md"][k];
        let text = if rng.one_in(20) {
            rng.pick(&seeds.pages).clone()
        } else {
            page_text(rng, &sources, &format!("Page {k}"))
        };
        files.push((path.to_string(), text.into_bytes()));
    }

    if rng.below(3) != 0 {
        // A roster whose member names are words of the lines they cite.
        let mut roster = String::from("[[delegation]]\nid = \"d\"\nname = \"Delegation\"\n");
        for m in 0..1 + rng.below(3) {
            let (id, text) = rng.pick(&sources);
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.split_whitespace().next().is_some())
                .map(|(i, l)| (i + 1, l))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let (n, line) = *rng.pick(&lines);
            let name = line.split_whitespace().next().unwrap_or("x");
            let _ = write!(
                roster,
                "\n[[delegation.member]]\nid = \"m{m}\"\nname = {}\nrole = \"Role\"\ncite = [\"{id}:{n}\"]\n",
                toml_string(name)
            );
        }
        files.push(("content/delegations.toml".into(), roster.into_bytes()));
    }

    // Mutate one file (or two) most of the time.
    // Two sites in five are left whole (so that rendering is reached often).
    let edits = if rng.below(5) < 2 {
        0
    } else if rng.one_in(3) {
        2
    } else {
        1
    };
    for _ in 0..edits {
        let k = rng.below(files.len());
        let mut bytes = std::mem::take(&mut files[k].1);
        if rng.one_in(4) {
            // A whole seed file of the same kind in its place.
            let pool = if files[k].0.ends_with(".md") {
                &seeds.pages
            } else if files[k].0.ends_with(".txt") {
                &seeds.sources
            } else {
                &seeds.tomls
            };
            bytes = rng.pick(pool).clone().into_bytes();
        }
        mutate(rng, &mut bytes, seeds);
        files[k].1 = bytes;
    }
    files
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Input `index` of a run of `target` with `seed`.
pub fn input(target: Target, seed: u64, index: u64, seeds: &Seeds) -> Input {
    let mut rng = Rng::new(seed, index, target);
    match target {
        Target::Cite => Input::Bytes(cite_input(&mut rng, seeds)),
        Target::Page => Input::Bytes(page_input(&mut rng, seeds)),
        Target::Site => Input::Site(site_input(&mut rng, seeds)),
    }
}

// ---------------------------------------------------------------------------------------------
// Execution

/// Runs one input through its target. Panics are the findings; everything else (content
/// errors, I/O errors) is an ordinary outcome. `work` is a scratch folder for sites.
pub fn execute(target: Target, input: &Input, work: &Path, index: u64) {
    match (target, input) {
        (Target::Cite, Input::Bytes(b)) => {
            let s = String::from_utf8_lossy(b);
            let starts: Vec<usize> = explainer::load::cite::group_starts(&s)
                .take(10_000)
                .collect();
            for at in starts {
                match explainer::load::cite::parse_group(&s, at) {
                    Ok(g) => {
                        let span = g.span.clone();
                        assert!(
                            span.start == at && span.end <= s.len() && s.is_char_boundary(span.end),
                            "group span {span:?} for a group at {at} in {} bytes",
                            s.len()
                        );
                    }
                    Err(e) => assert!(
                        e.span.start <= e.span.end && e.span.end <= s.len(),
                        "error span {:?} outside {} bytes",
                        e.span,
                        s.len()
                    ),
                }
            }
        }
        (Target::Page, Input::Bytes(b)) => {
            let s = String::from_utf8_lossy(b);
            let html = index % 2 == 0;
            match explainer::load::page::parse("content/fuzz.md", "fuzz.md", &s, html) {
                Ok(p) => {
                    for d in &p.body.errors {
                        let _ = d.render(false);
                    }
                }
                Err(diags) => {
                    for d in &diags {
                        let _ = d.render(false);
                    }
                }
            }
        }
        (Target::Site, Input::Site(files)) => {
            let root = work.join("site");
            if let Err(e) = write_site(&root, files) {
                // A file name the file system refuses: nothing to test.
                let _ = e;
                return;
            }
            let opts = explainer::Options::new(&root);
            let show = |f: &explainer::Failure| {
                if let explainer::Failure::Content(ds) = f {
                    for d in ds {
                        let _ = d.render(false);
                    }
                }
            };
            match explainer::check(&opts) {
                Ok(report) => {
                    for d in &report.warnings {
                        let _ = d.render(false);
                    }
                    if let Err(f) = explainer::render(&opts) {
                        show(&f);
                    }
                    // Now and then the whole build (minification, staging, swap).
                    if index % 8 == 0 {
                        let mut opts = opts.clone();
                        opts.output = Some(work.join("out"));
                        if let Err(f) = explainer::build(&opts) {
                            show(&f);
                        }
                    }
                }
                Err(f) => show(&f),
            }
        }
        _ => unreachable!("inputs match their targets"),
    }
}

// ---------------------------------------------------------------------------------------------
// Runs

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: Target,
    pub seed: u64,
    /// Index of the first input.
    pub start: u64,
    pub runs: u64,
    /// Where inputs that panic (or are slow) are saved.
    pub crash_dir: PathBuf,
    /// Scratch folder (a site is written there for each input); `/dev/shm` when it exists.
    pub work_dir: PathBuf,
    /// Inputs slower than this are reported (and saved).
    pub slow: Duration,
    /// Inputs saved per panic location, at most.
    pub keep_per_location: usize,
    /// Abort the process at this input: a test of the supervisor's replay.
    pub abort_at: Option<u64>,
}

/// A panic: where, what, and the input's file.
#[derive(Debug, Clone)]
pub struct Crash {
    pub index: u64,
    pub location: String,
    pub message: String,
    pub saved: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub runs: u64,
    pub crashes: Vec<Crash>,
    /// Panics beyond `keep_per_location` for a location already seen.
    pub repeats: u64,
    pub slow: Vec<(u64, Duration, Option<PathBuf>)>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.runs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The last panic's location and message, recorded by the hook (which prints nothing).
static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let location = info.location().map_or_else(
            || "unknown".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(no message)".to_string()
        };
        let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        // The first panic of an input is the cause; rayon may re-raise it elsewhere.
        if last.is_none() {
            *last = Some((location, message));
        }
    }));
}

/// The file name of a saved input.
pub fn crash_name(kind: &str, target: Target, seed: u64, index: u64) -> String {
    let ext = match target {
        Target::Cite => ".txt",
        Target::Page => ".md",
        Target::Site => "",
    };
    format!("{kind}-{}-seed{seed}-{index}{ext}", target.name())
}

/// Runs `cfg.runs` inputs from `cfg.start`; calls `checkpoint(next_index)` now and then (and
/// `careful` before every input when set, for the supervisor). Restores the panic hook.
pub fn run(
    cfg: &Config,
    seeds: &Seeds,
    careful: bool,
    checkpoint: &mut dyn FnMut(u64, bool),
) -> Outcome {
    let work = cfg.work_dir.join(format!(
        "explainer-fuzz-{}-{}",
        cfg.target.name(),
        std::process::id()
    ));
    let _ = fs::create_dir_all(&work);
    let previous = panic::take_hook();
    install_hook();
    let started = Instant::now();
    let mut outcome = Outcome::default();
    let mut per_location: std::collections::BTreeMap<String, usize> = Default::default();
    let mut last_checkpoint = Instant::now();
    for index in cfg.start..cfg.start.saturating_add(cfg.runs) {
        if careful {
            checkpoint(index, true);
        } else if last_checkpoint.elapsed() > Duration::from_millis(200) {
            checkpoint(index, false);
            last_checkpoint = Instant::now();
        }
        if cfg.abort_at == Some(index) {
            std::process::abort();
        }
        let inp = input(cfg.target, cfg.seed, index, seeds);
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let t0 = Instant::now();
        let result =
            panic::catch_unwind(AssertUnwindSafe(|| execute(cfg.target, &inp, &work, index)));
        let took = t0.elapsed();
        outcome.runs += 1;
        if result.is_err() {
            let (location, message) = LAST_PANIC
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_else(|| ("unknown".into(), "(no message)".into()));
            let seen = per_location.entry(location.clone()).or_insert(0);
            *seen += 1;
            if *seen > cfg.keep_per_location {
                outcome.repeats += 1;
                continue;
            }
            let path = cfg
                .crash_dir
                .join(crash_name("crash", cfg.target, cfg.seed, index));
            let saved = inp.save(&path).ok().map(|()| path);
            outcome.crashes.push(Crash {
                index,
                location,
                message,
                saved,
            });
        } else if took > cfg.slow {
            let path = cfg
                .crash_dir
                .join(crash_name("slow", cfg.target, cfg.seed, index));
            let saved = inp.save(&path).ok().map(|()| path);
            outcome.slow.push((index, took, saved));
        }
    }
    outcome.elapsed = started.elapsed();
    panic::set_hook(previous);
    let _ = fs::remove_dir_all(&work);
    outcome
}

/// The scratch folder: `/dev/shm` when there is one, else the system's temporary folder.
pub fn default_work_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}
