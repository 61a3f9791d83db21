//! Deterministic synthetic explainer sites, for benchmarks and tests.
//!
//! [`generate`] writes a site in the SPEC layout (sections 1–3) with `pages`
//! content pages and `pages / 2` sources (at least one):
//!
//! - `site.toml` with `minify = false`;
//! - `sources/NNNNNN.txt`: 35–45 lines of 12–25 words from a vocabulary of a
//!   few hundred words, a blank line now and then; a few curly apostrophes,
//!   em dashes and no-break spaces; one source in sixteen with CRLF line ends,
//!   one in fifty with a byte-order mark;
//! - `sources/sources.toml` with `id = "sNNNNNN"`, title (omitted for one
//!   source in ten: the default title is then the first line), publisher and
//!   date; no `sha256` pin;
//! - `content/_index.md` (home, three citations) and
//!   `content/section-SS/page-NNNNNN.md`: TOML front matter, ~600 words in
//!   6–10 paragraphs with one heading, 8–12 citation groups of one quoted
//!   citation each, and a fenced code block (holding a citation-like
//!   string that must not count) in every tenth page: 12 lines of Python,
//!   Rust, JavaScript, TOML or shell in turn ([`Code::Languages`], the
//!   default), or the same two-line `text` block on every such page
//!   ([`Code::Text`], the corpus of earlier benchmarks, byte for byte).
//!
//! Every quote is 3–6 words taken from the cited line: most are copied
//! verbatim; one in four is retyped in ASCII (`'` for `’`, `-` for `—`,
//! plain spaces); one in ten cites a two-line range `L-M` with a quote that
//! runs across the line break; one in twelve elides the middle (`...`, `…`,
//! `[...]`). Every source is cited at least once, so a build has no warnings.
//!
//! Everything comes from a seeded splitmix64 per source and per page, so the
//! same `pages` gives byte-identical files. No dependencies beyond `std`:
//! the file is included with `#[path]` by the example, the benches and the
//! tests.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::Path;

/// Name of the marker file written at the site's root. `generate` only ever
/// replaces a folder that is empty or holds this marker.
pub const MARKER: &str = ".synth-site";

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Markdown pages, the home page included (`pages + 1`).
    pub pages: usize,
    pub sources: usize,
    /// Citation groups written (outside code blocks).
    pub groups: usize,
    /// Citations written; one per group, each with a quote.
    pub citations: usize,
    /// Citations of a two-line range.
    pub ranges: usize,
    /// Quotes with an elision mark.
    pub elided: usize,
    /// Quotes retyped in ASCII rather than copied verbatim.
    pub retyped: usize,
    pub code_blocks: usize,
    /// Prose words of the content pages (citations not counted).
    pub words: usize,
    pub files: usize,
    pub bytes: u64,
}

/// What the code blocks of every tenth page hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Code {
    /// 12 lines of Python, Rust, JavaScript, TOML or shell, in turn, with
    /// names that vary from page to page: what the highlighter sees on real sites.
    #[default]
    Languages,
    /// The same two-line `text` block everywhere: nothing to highlight.
    Text,
}

impl Code {
    /// `languages` or `text` (the `SYNTH_CODE` variable and `--code` flag of `gen_site`).
    pub fn parse(s: &str) -> Option<Code> {
        match s {
            "languages" => Some(Code::Languages),
            "text" => Some(Code::Text),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Code::Languages => "languages",
            Code::Text => "text",
        }
    }
}

/// Number of sources for a site of `pages` pages.
pub fn source_count(pages: usize) -> usize {
    (pages / 2).max(1)
}

/// Writes a synthetic site of `pages` content pages (plus the home page) into
/// `root`, which must be missing, empty, or a previous synthetic site.
pub fn generate(root: &Path, pages: usize) -> io::Result<Stats> {
    generate_with(root, pages, Code::default())
}

/// [`generate`], with the code blocks of `code`.
pub fn generate_with(root: &Path, pages: usize, code: Code) -> io::Result<Stats> {
    prepare(root)?;
    fs::write(root.join(MARKER), "generating\n")?;
    let mut stats = Stats::default();
    let n_sources = source_count(pages);
    let src_width = width(n_sources);
    let page_width = width(pages);

    put(
        root,
        "site.toml",
        format!(
            "title = \"Synthetic explainer: {pages} pages\"\nbase_url = \"\"\nlanguage = \"en\"\n\
             theme = \"default\"\nminify = false\noutput_dir = \"public\"\n"
        )
        .as_bytes(),
        &mut stats,
    )?;

    // Sources, kept in memory: pages copy their quotes from them.
    fs::create_dir_all(root.join("sources"))?;
    let mut manifest =
        String::from("# Synthetic sources, generated by benches/synth/mod.rs. No sha256 pins.\n");
    let mut docs = Vec::with_capacity(n_sources);
    for k in 0..n_sources {
        let doc = source(k);
        let file = format!("{k:0src_width$}.txt");
        put(
            root,
            &format!("sources/{file}"),
            doc.text.as_bytes(),
            &mut stats,
        )?;
        manifest_entry(&mut manifest, k, &file, src_width);
        docs.push(doc);
    }
    put(
        root,
        "sources/sources.toml",
        manifest.as_bytes(),
        &mut stats,
    )?;
    stats.sources = n_sources;

    let mut w = Writer {
        docs: &docs,
        src_width,
        stats: &mut stats,
        code,
    };

    // Home page: three short paragraphs, one citation each.
    let home = w.page(
        &mut Rng::new(seed(0x686f_6d65, 0)),
        "Synthetic explainer",
        0,
        &Shape {
            primary: 0,
            paragraphs: 3,
            words: 150,
            groups: 3,
            code: false,
            heading: false,
        },
    );
    fs::create_dir_all(root.join("content"))?;
    put(root, "content/_index.md", home.as_bytes(), w.stats)?;

    let sections = section_count(pages);
    for s in 0..sections {
        fs::create_dir_all(root.join(format!("content/section-{s:02}")))?;
    }
    for p in 0..pages {
        let mut rng = Rng::new(seed(0x7061_6765, p as u64));
        let shape = Shape {
            primary: p % n_sources,
            paragraphs: rng.range(6, 10),
            words: rng.range(560, 640),
            groups: rng.range(8, 12),
            code: p % 10 == 0,
            heading: true,
        };
        let title = format!("Page {p}: {}", title_words(&mut rng, 4));
        let text = w.page(&mut rng, &title, p + 1, &shape);
        let path = format!(
            "content/section-{:02}/page-{p:0page_width$}.md",
            p * sections / pages
        );
        put(root, &path, text.as_bytes(), w.stats)?;
    }
    stats.pages = pages + 1;

    fs::write(
        root.join(MARKER),
        format!(
            "pages = {pages}\nsources = {n_sources}\ncitations = {}\ncode = {}\n",
            stats.citations,
            code.name()
        ),
    )?;
    Ok(stats)
}

/// Clears a previous synthetic site; refuses any other non-empty folder.
fn prepare(root: &Path) -> io::Result<()> {
    if !root.exists() {
        return fs::create_dir_all(root);
    }
    let mut entries = fs::read_dir(root)?.peekable();
    if entries.peek().is_none() {
        return Ok(());
    }
    if !root.join(MARKER).is_file() {
        return Err(io::Error::other(format!(
            "{} is not empty and holds no {MARKER}: not overwriting it",
            root.display()
        )));
    }
    for name in ["content", "sources", "public"] {
        let dir = root.join(name);
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
    }
    for name in ["site.toml", MARKER] {
        let file = root.join(name);
        if file.exists() {
            fs::remove_file(file)?;
        }
    }
    Ok(())
}

fn put(root: &Path, rel: &str, bytes: &[u8], stats: &mut Stats) -> io::Result<()> {
    fs::write(root.join(rel), bytes)?;
    stats.files += 1;
    stats.bytes += bytes.len() as u64;
    Ok(())
}

fn width(n: usize) -> usize {
    n.saturating_sub(1).to_string().len().max(6)
}

/// About a thousand pages per section folder, between 1 and 100 folders.
fn section_count(pages: usize) -> usize {
    pages.div_ceil(1000).clamp(1, 100)
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    pub fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

/// Seed of item `i` of stream `stream`, so that every source and page has
/// its own sequence, independent of generation order.
pub fn seed(stream: u64, i: u64) -> u64 {
    let mut r = Rng::new(stream.wrapping_mul(0xD129_1A3C_8B5E_4F07) ^ i);
    r.next_u64()
}

// ---------------------------------------------------------------------------------------------
// Code blocks

/// A fenced block of 12 lines in the `n`th language of five (Python, Rust,
/// JavaScript, TOML, shell), with names and numbers drawn from `rng` and a
/// citation-like string (`[@ID:1 "..."]`) that must not count as a citation.
pub fn code_block(rng: &mut Rng, n: usize, id: &str, out: &mut String) {
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    let c = rng.pick(WORDS);
    let k = rng.range(2, 99);
    let m = rng.range(100, 9999);
    let cite = format!("[@{id}:1 \"inside a code block\"]");
    let _ = match n % 5 {
        0 => write!(
            out,
            "\n```python\n\
             import json\n\
             from pathlib import Path\n\
             \n\
             # Count the {a} in every {b} file; {cite}\n\
             def count_{a}(root: Path, limit: int = {k}) -> dict[str, int]:\n\
             \x20   \"\"\"Return {a} per {c}.\"\"\"\n\
             \x20   totals = {{}}\n\
             \x20   for path in sorted(root.glob(\"*.json\"))[:limit]:\n\
             \x20       data = json.loads(path.read_text(encoding=\"utf-8\"))\n\
             \x20       totals[data[\"{c}\"]] = totals.get(data[\"{c}\"], 0) + len(data[\"{b}\"])\n\
             \x20   return {{k: v for k, v in totals.items() if v > {m}}}\n\
             print(count_{a}(Path(\"data\")))\n\
             ```\n"
        ),
        1 => write!(
            out,
            "\n```rust\n\
             use std::collections::BTreeMap;\n\
             \n\
             /// Counts the {a} per {b}; {cite}\n\
             pub fn count_{a}(rows: &[(&str, u32)], limit: usize) -> BTreeMap<String, u32> {{\n\
             \x20   let mut totals = BTreeMap::new();\n\
             \x20   for (name, n) in rows.iter().take(limit) {{\n\
             \x20       *totals.entry(name.to_string()).or_insert(0) += n;\n\
             \x20   }}\n\
             \x20   totals.retain(|_, v| *v > {m}); // keep the large {c}\n\
             \x20   totals\n\
             }}\n\
             const LIMIT: usize = {k};\n\
             ```\n"
        ),
        2 => write!(
            out,
            "\n```javascript\n\
             // Counts the {a} per {b}; {cite}\n\
             export async function count{k}(url, limit = {k}) {{\n\
             \x20 const response = await fetch(`${{url}}/{c}.json`);\n\
             \x20 if (!response.ok) throw new Error(`HTTP ${{response.status}}`);\n\
             \x20 const rows = (await response.json()).slice(0, limit);\n\
             \x20 const totals = new Map();\n\
             \x20 for (const {{ name, n }} of rows) {{\n\
             \x20   totals.set(name, (totals.get(name) ?? 0) + n);\n\
             \x20 }}\n\
             \x20 return [...totals].filter(([, v]) => v > {m});\n\
             }}\n\
             console.log(await count{k}(\"https://example.org/{a}\"));\n\
             ```\n"
        ),
        3 => write!(
            out,
            "\n```toml\n\
             # The {a} survey; {cite}\n\
             [survey]\n\
             name = \"{a} and {b}\"\n\
             year = {y}\n\
             sample = {m}\n\
             weighted = true\n\
             \n\
             [[survey.question]]\n\
             id = \"q{k}\"\n\
             text = \"How often do you {c}?\"\n\
             answers = [\"never\", \"sometimes\", \"often\"]\n\
             margin = 0.{k}\n\
             ```\n",
            y = 1990 + k
        ),
        _ => write!(
            out,
            "\n```sh\n\
             #!/bin/sh\n\
             # Fetch the {a} figures and count the rows; {cite}\n\
             set -eu\n\
             dir=\"${{TMPDIR:-/tmp}}/{b}\"\n\
             mkdir -p \"$dir\"\n\
             for year in $(seq 20{k:02} 2024); do\n\
             \x20 curl -fsS \"https://example.org/{c}/$year.csv\" -o \"$dir/$year.csv\"\n\
             done\n\
             wc -l \"$dir\"/*.csv | sort -n | tail -n {k}\n\
             grep -c '{a}' \"$dir\"/*.csv || echo \"no {a} in $dir\" >&2\n\
             echo \"done: {m} rows\"\n\
             ```\n"
        ),
    };
}

// ---------------------------------------------------------------------------------------------
// Sources

/// One source in memory: its exact text and the byte range of every line
/// (without `\r\n`).
pub struct Doc {
    pub text: String,
    pub lines: Vec<Range<usize>>,
}

impl Doc {
    pub fn line(&self, n: usize) -> &str {
        &self.text[self.lines[n].clone()]
    }
    fn is_blank(&self, n: usize) -> bool {
        self.lines[n].is_empty()
    }
}

const PUBLISHERS: &[&str] = &[
    "The Morning Ledger",
    "Harbour Wire",
    "Northern Courier",
    "The Civic Record",
    "Valley Times",
    "Meridian Press Agency",
    "The Evening Standard-Post",
    "Capital Dispatch",
    "Coastline Radio News",
    "The Weekly Observer",
    "Frontier Daily",
    "Union News Service",
];

/// The text of source `k`.
pub fn source(k: usize) -> Doc {
    let mut rng = Rng::new(seed(0x736f_7572, k as u64));
    let crlf = rng.one_in(16);
    let bom = rng.one_in(50);
    let n_lines = rng.range(35, 45);
    let mut text = String::with_capacity(n_lines * 150);
    if bom {
        text.push('\u{feff}');
    }
    let mut lines = Vec::with_capacity(n_lines);
    let mut prev_blank = true;
    for i in 0..n_lines {
        let start = text.len();
        let blank = !prev_blank && i + 1 < n_lines && rng.one_in(9);
        if !blank {
            source_line(&mut rng, &mut text);
        }
        lines.push(start..text.len());
        text.push_str(if crlf { "\r\n" } else { "\n" });
        prev_blank = blank;
    }
    Doc { text, lines }
}

/// A line of 12–25 words: a capital first, a comma now and then, a full
/// stop at the end; a few curly apostrophes, em dashes and no-break spaces.
fn source_line(rng: &mut Rng, out: &mut String) {
    let n = rng.range(12, 25);
    for j in 0..n {
        if j > 0 {
            out.push(if rng.one_in(40) { '\u{a0}' } else { ' ' });
        }
        if j > 0 && j + 1 < n && rng.one_in(30) {
            out.push('—');
            continue;
        }
        let word = if rng.one_in(25) {
            rng.pick(POSSESSIVES)
        } else {
            rng.pick(WORDS)
        };
        if j == 0 {
            capitalize_into(word, out);
        } else {
            out.push_str(word);
        }
        if j + 1 == n {
            out.push('.');
        } else if rng.one_in(12) {
            out.push(',');
        }
    }
}

fn manifest_entry(out: &mut String, k: usize, file: &str, w: usize) {
    let mut rng = Rng::new(seed(0x6d61_6e69, k as u64));
    let _ = writeln!(out, "\n[[source]]\nfile = \"{file}\"\nid = \"s{k:0w$}\"");
    if !rng.one_in(10) {
        let _ = writeln!(out, "title = \"Report {k}: {}\"", title_words(&mut rng, 5));
    }
    let _ = writeln!(
        out,
        "publisher = \"{}\"\npublished = 2026-01-{:02}",
        rng.pick(PUBLISHERS),
        1 + k % 28
    );
}

/// Byte ranges of the words of a line (split at spaces and no-break spaces).
fn word_spans(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\u{a0}' {
            spans.push(start..i);
            start = i + c.len_utf8();
        }
    }
    spans.push(start..line.len());
    spans
}

/// Words `spans` of `line`, verbatim or retyped in ASCII.
fn quote_words(line: &str, spans: &[Range<usize>], retype: bool) -> String {
    if spans.is_empty() {
        return String::new();
    }
    if !retype {
        return line[spans[0].start..spans[spans.len() - 1].end].to_string();
    }
    let words: Vec<String> = spans
        .iter()
        .map(|r| line[r.clone()].replace('’', "'").replace('—', "-"))
        .collect();
    words.join(" ")
}

// ---------------------------------------------------------------------------------------------
// Pages

struct Shape {
    /// The source every page cites first (so that every source is cited).
    primary: usize,
    paragraphs: usize,
    words: usize,
    groups: usize,
    code: bool,
    heading: bool,
}

struct Writer<'a> {
    docs: &'a [Doc],
    src_width: usize,
    stats: &'a mut Stats,
    code: Code,
}

impl Writer<'_> {
    fn page(&mut self, rng: &mut Rng, title: &str, weight: usize, shape: &Shape) -> String {
        let n = self.docs.len();
        let cited = [shape.primary, rng.below(n), rng.below(n)];

        // Sentences of 8–18 words, paragraph by paragraph.
        let per_para = shape.words / shape.paragraphs;
        let mut paras: Vec<Vec<Vec<&str>>> = Vec::with_capacity(shape.paragraphs);
        for _ in 0..shape.paragraphs {
            let target = per_para + rng.below(per_para / 4 + 1) - per_para / 8;
            let mut words = 0;
            let mut sentences = Vec::new();
            while words < target {
                let len = rng.range(8, 18).min(target - words).max(4);
                sentences.push((0..len).map(|_| rng.pick(WORDS)).collect::<Vec<_>>());
                words += len;
            }
            self.stats.words += words;
            paras.push(sentences);
        }

        // One group at the end of one sentence in each of `groups` equal runs.
        let total: usize = paras.iter().map(Vec::len).sum();
        let groups = shape.groups.min(total);
        let mut marked = vec![false; total];
        for g in 0..groups {
            let lo = g * total / groups;
            let hi = (g + 1) * total / groups;
            marked[lo + rng.below(hi - lo)] = true;
        }

        let mut out = format!(
            "+++\ntitle = \"{title}\"\ndescription = \"A synthetic page of {} paragraphs and {groups} \
             citations.\"\nweight = {weight}\n+++\n",
            shape.paragraphs
        );
        let mut sentence = 0;
        let mut first_group = true;
        for (i, para) in paras.iter().enumerate() {
            out.push('\n');
            if shape.heading && i == shape.paragraphs / 2 {
                let _ = write!(out, "## {}\n\n", title_words(rng, 4));
            }
            let mut tokens: Vec<String> = Vec::new();
            for words in para {
                for (j, w) in words.iter().enumerate() {
                    let mut t = if j == 0 {
                        capitalize(w)
                    } else {
                        (*w).to_string()
                    };
                    if j + 1 < words.len() && rng.one_in(14) {
                        t.push(',');
                    }
                    tokens.push(t);
                }
                if marked[sentence] {
                    let k = if first_group || rng.one_in(2) {
                        cited[0]
                    } else {
                        cited[1 + rng.below(2)]
                    };
                    first_group = false;
                    tokens.push(self.group(rng, k));
                }
                tokens.last_mut().expect("a sentence has words").push('.');
                sentence += 1;
            }
            wrap(&tokens, 100, &mut out);
            if shape.code && i == 0 {
                match self.code {
                    Code::Text => {
                        let _ = write!(
                            out,
                            "\n```text\n$ explainer check --root site\n\
                             not a citation: [@s{:0w$}:1 \"inside a code block\"]\n```\n",
                            0,
                            w = self.src_width
                        );
                    }
                    // Its own stream (from `weight`), so that the prose stays
                    // what the `text` variant writes.
                    Code::Languages => code_block(
                        &mut Rng::new(seed(0x636f_6465, weight as u64)),
                        self.stats.code_blocks,
                        &format!("s{:0w$}", 0, w = self.src_width),
                        &mut out,
                    ),
                }
                self.stats.code_blocks += 1;
            }
        }
        out
    }

    /// A citation group `[@sNNNNNN:L "quote"]` citing source `k`.
    fn group(&mut self, rng: &mut Rng, k: usize) -> String {
        let doc = &self.docs[k];
        let line = loop {
            let l = rng.below(doc.lines.len());
            if !doc.is_blank(l) {
                break l;
            }
        };
        let text = doc.line(line);
        let spans = word_spans(text);
        let retype = rng.one_in(4);
        let has_next = line + 1 < doc.lines.len() && !doc.is_blank(line + 1);
        let (lines, quote) = if has_next && rng.one_in(10) {
            // Across the line break: the last 1–3 words of L, the first of L+1.
            let next = doc.line(line + 1);
            let next_spans = word_spans(next);
            let tail = rng.range(1, 3);
            let head = rng.range(3, 6).saturating_sub(tail).max(1);
            let quote = format!(
                "{} {}",
                quote_words(text, &spans[spans.len() - tail..], retype),
                quote_words(next, &next_spans[..head], retype)
            );
            self.stats.ranges += 1;
            (format!("{}-{}", line + 1, line + 2), quote)
        } else if rng.one_in(12) {
            // Two runs of 2–3 words with at least one word elided between.
            let a = rng.range(2, 3);
            let b = rng.range(2, 3);
            let start = rng.below(spans.len() - a - b - 1 + 1);
            let gap = rng.range(1, spans.len() - start - a - b);
            let second = start + a + gap;
            let mark = ["...", "…", "[...]", "[…]"][rng.below(4)];
            let quote = format!(
                "{} {mark} {}",
                quote_words(text, &spans[start..start + a], retype),
                quote_words(text, &spans[second..second + b], retype)
            );
            self.stats.elided += 1;
            ((line + 1).to_string(), quote)
        } else {
            let n = rng.range(3, 6);
            let start = rng.below(spans.len() - n + 1);
            (
                (line + 1).to_string(),
                quote_words(text, &spans[start..start + n], retype),
            )
        };
        if retype {
            self.stats.retyped += 1;
        }
        self.stats.groups += 1;
        self.stats.citations += 1;
        format!("[@s{k:0w$}:{lines} \"{quote}\"]", w = self.src_width)
    }
}

/// Writes tokens as lines of at most `width` columns (a longer token gets a
/// line of its own), then a newline.
fn wrap(tokens: &[String], width: usize, out: &mut String) {
    let mut col = 0;
    for t in tokens {
        let len = t.chars().count();
        if col > 0 && col + 1 + len > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(t);
        col += len;
    }
    out.push('\n');
}

fn capitalize_into(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

fn capitalize(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    capitalize_into(word, &mut s);
    s
}

fn title_words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| capitalize(rng.pick(WORDS)))
        .collect::<Vec<_>>()
        .join(" ")
}

const POSSESSIVES: &[&str] = &[
    "country’s",
    "ministry’s",
    "agency’s",
    "council’s",
    "government’s",
    "region’s",
    "army’s",
    "city’s",
    "court’s",
    "party’s",
    "it’s",
    "don’t",
    "wasn’t",
    "officials’",
];

const WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "into",
    "over",
    "under",
    "after",
    "before",
    "during",
    "between",
    "against",
    "about",
    "across",
    "through",
    "without",
    "within",
    "along",
    "toward",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "has",
    "had",
    "have",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "must",
    "can",
    "said",
    "says",
    "told",
    "reported",
    "announced",
    "confirmed",
    "denied",
    "agreed",
    "signed",
    "rejected",
    "proposed",
    "approved",
    "warned",
    "added",
    "noted",
    "described",
    "called",
    "urged",
    "expected",
    "planned",
    "met",
    "visited",
    "returned",
    "launched",
    "opened",
    "closed",
    "held",
    "joined",
    "led",
    "named",
    "appointed",
    "resigned",
    "elected",
    "voted",
    "passed",
    "blocked",
    "delayed",
    "extended",
    "ended",
    "began",
    "continued",
    "increased",
    "reduced",
    "raised",
    "cut",
    "paid",
    "spent",
    "received",
    "sent",
    "moved",
    "built",
    "supervise",
    "monitor",
    "establish",
    "negotiate",
    "coordinate",
    "share",
    "review",
    "publish",
    "release",
    "withdraw",
    "deploy",
    "secure",
    "protect",
    "restore",
    "support",
    "oppose",
    "government",
    "minister",
    "ministry",
    "president",
    "prime",
    "official",
    "officials",
    "spokesman",
    "spokeswoman",
    "ambassador",
    "delegation",
    "envoy",
    "diplomat",
    "diplomats",
    "council",
    "committee",
    "parliament",
    "assembly",
    "court",
    "judge",
    "police",
    "army",
    "military",
    "security",
    "intelligence",
    "agency",
    "agencies",
    "service",
    "mechanism",
    "channel",
    "agreement",
    "deal",
    "treaty",
    "talks",
    "meeting",
    "summit",
    "statement",
    "report",
    "reports",
    "source",
    "sources",
    "document",
    "letter",
    "plan",
    "proposal",
    "framework",
    "process",
    "policy",
    "budget",
    "law",
    "bill",
    "vote",
    "election",
    "campaign",
    "party",
    "coalition",
    "opposition",
    "region",
    "border",
    "city",
    "capital",
    "province",
    "country",
    "countries",
    "nation",
    "state",
    "states",
    "village",
    "town",
    "district",
    "coast",
    "river",
    "valley",
    "road",
    "bridge",
    "airport",
    "port",
    "market",
    "company",
    "companies",
    "bank",
    "economy",
    "trade",
    "exports",
    "imports",
    "prices",
    "workers",
    "families",
    "residents",
    "people",
    "citizens",
    "students",
    "farmers",
    "doctors",
    "hospital",
    "school",
    "water",
    "power",
    "fuel",
    "food",
    "aid",
    "relief",
    "reconstruction",
    "crisis",
    "conflict",
    "ceasefire",
    "truce",
    "attack",
    "attacks",
    "strike",
    "strikes",
    "troops",
    "forces",
    "weapons",
    "talks",
    "dispute",
    "tension",
    "tensions",
    "pressure",
    "concern",
    "concerns",
    "question",
    "questions",
    "answer",
    "response",
    "decision",
    "decisions",
    "step",
    "steps",
    "move",
    "measure",
    "measures",
    "effort",
    "efforts",
    "goal",
    "role",
    "part",
    "share",
    "number",
    "figure",
    "figures",
    "percent",
    "million",
    "billion",
    "dozen",
    "hundreds",
    "thousands",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "day",
    "days",
    "morning",
    "evening",
    "night",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "January",
    "February",
    "March",
    "April",
    "new",
    "old",
    "first",
    "second",
    "third",
    "last",
    "next",
    "early",
    "late",
    "joint",
    "direct",
    "indirect",
    "public",
    "private",
    "local",
    "national",
    "regional",
    "international",
    "foreign",
    "domestic",
    "senior",
    "former",
    "current",
    "major",
    "minor",
    "key",
    "main",
    "final",
    "initial",
    "formal",
    "informal",
    "official",
    "unofficial",
    "temporary",
    "permanent",
    "limited",
    "broad",
    "narrow",
    "clear",
    "unclear",
    "likely",
    "unlikely",
    "possible",
    "several",
    "many",
    "few",
    "more",
    "most",
    "less",
    "other",
    "same",
    "such",
    "each",
    "every",
    "both",
    "all",
    "some",
    "any",
    "no",
    "not",
    "also",
    "only",
    "still",
    "already",
    "again",
    "soon",
    "later",
    "earlier",
    "now",
    "then",
    "there",
    "here",
    "where",
    "when",
    "while",
    "since",
    "because",
    "although",
    "however",
    "further",
    "according",
    "including",
    "following",
    "despite",
    "amid",
    "among",
    "around",
    "near",
    "it",
    "its",
    "they",
    "their",
    "them",
    "he",
    "his",
    "she",
    "her",
    "we",
    "our",
    "which",
    "who",
    "whose",
    "that",
    "this",
    "these",
    "those",
    "what",
    "whether",
    "if",
    "than",
    "as",
    "so",
    "very",
    "largely",
    "widely",
    "quickly",
    "slowly",
    "openly",
    "privately",
    "formally",
    "reportedly",
    "officially",
    "jointly",
];
