//! Sources (SPEC 2): the verbatim articles, their line index and metadata.
//!
//! A source is read once and its lines are indexed here, once. A quote is
//! checked against the normalized text of the lines it cites only, so that
//! verifying thousands of quotes never re-normalizes a whole file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::load::config::toml_diagnostic;
use crate::text;

pub const MANIFEST: &str = "sources/sources.toml";
const BOM: &str = "\u{FEFF}";

/// Metadata from `sources.toml`; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub retrieved: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    // Origins (SPEC 2): the keys of sources this copy retells, each with its
    // byte span in sources.toml; the outside outlet or agency it is a copy of.
    pub via: Vec<(String, Range<usize>)>,
    pub origin: Option<String>,
    // Attribution certainty and names (SPEC 2; `source/attest.rs`).
    /// The name readers see; `None`: the publisher, else a derived label.
    pub label: Option<String>,
    /// The verified lines that print the title and the publisher.
    pub title_line: Option<usize>,
    pub publisher_line: Option<usize>,
    /// The editor inferred the value rather than read it.
    pub publisher_inferred: bool,
    pub published_inferred: bool,
    pub archive_url: Option<String>,
    /// `url_status = "dead"`: the original is gone; link the archive first.
    pub url_dead: bool,
    /// 1-based position in manifest order (sources without an entry after
    /// them, in path order): `Source N`, the label of a source with no name.
    pub number: usize,
}

#[derive(Debug, Clone)]
pub struct Source {
    /// Citation key used in URLs: the manifest `id`, or the file stem.
    pub id: String,
    /// Path below `sources/`, with `/` separators.
    pub path: String,
    pub meta: Meta,
    pub has_entry: bool,
    pub bom: bool,
    /// The text after the byte-order mark.
    pub text: String,
    /// Byte range in `text` of each line, without `\r\n` / `\n`.
    pub lines: Vec<Range<usize>>,
    /// Char offset in `text` of the start of each line.
    pub line_chars: Vec<usize>,
    pub sha256: String,
    pub size: usize,
}

impl Source {
    /// Builds a source from its bytes; the only error is invalid UTF-8 (E009).
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Result<Source, Diagnostic> {
        let rel = format!("sources/{path}");
        let decoded = std::str::from_utf8(bytes).map_err(|e| {
            crate::diagnostic::not_utf8(&rel, bytes, e.valid_up_to(), "source").with_help(
                "sources must be UTF-8; convert the file (e.g. with iconv) and re-pin its sha256",
            )
        })?;
        let (bom, text) = match decoded.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, decoded),
        };
        let lines = split_lines(text);
        let mut line_chars = Vec::with_capacity(lines.len());
        let mut chars = 0;
        let mut prev = 0;
        for r in &lines {
            chars += text[prev..r.start].chars().count();
            line_chars.push(chars);
            prev = r.start;
        }
        Ok(Source {
            id: stem(path).to_string(),
            path: path.to_string(),
            meta: Meta::default(),
            has_entry: false,
            bom,
            text: text.to_string(),
            lines,
            line_chars,
            sha256: hex(&Sha256::digest(bytes)),
            size: bytes.len(),
        })
    }

    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The exact bytes of the file, for the verbatim copy.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size);
        if self.bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    /// Byte offset in `text` of char offset `c` (clamped to the end).
    pub fn byte_at(&self, c: usize) -> usize {
        let line = self
            .line_chars
            .partition_point(|&x| x <= c)
            .saturating_sub(1);
        let (from, chars_before) = match self.lines.get(line) {
            Some(r) => (r.start, self.line_chars[line]),
            None => (0, 0),
        };
        self.text[from..]
            .char_indices()
            .nth(c - chars_before)
            .map_or(self.text.len(), |(i, _)| from + i)
    }

    /// The text between two char offsets.
    pub fn char_slice(&self, start: usize, end: usize) -> &str {
        &self.text[self.byte_at(start)..self.byte_at(end)]
    }

    /// Text of line `n` (1-based).
    pub fn line(&self, n: usize) -> &str {
        &self.text[self.lines[n - 1].clone()]
    }

    /// Line `n` normalized (SPEC 3.2); borrowed from the text when the line
    /// is plain ASCII. Lines are normalized when a citation needs them, not
    /// kept: a large site has millions of lines and cites each about once.
    pub fn normalized(&self, n: usize) -> Cow<'_, str> {
        text::normalize_str(self.line(n))
    }

    pub fn is_blank(&self, n: usize) -> bool {
        text::is_blank(self.line(n))
    }

    pub fn non_blank_lines(&self) -> usize {
        (1..=self.lines.len())
            .filter(|&n| !self.is_blank(n))
            .count()
    }

    /// Title to show: the manifest's (or its `title_line`), else the first
    /// non-blank line, which is shown as opening words, not as a headline
    /// ([`Source::title_is_opening_words`]).
    pub fn title(&self) -> String {
        match &self.meta.title {
            Some(t) => t.clone(),
            None => self.opening_words(),
        }
    }

    /// Keys that cite this source: id, file name, file stem (deduplicated).
    pub fn keys(&self) -> Vec<&str> {
        let mut keys = vec![self.id.as_str(), self.file_name(), stem(self.file_name())];
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".txt").unwrap_or(name)
}

/// Lines split at `\n`; a `\r` before it is not part of the line; a final
/// line without a newline is a line; an empty file has no lines.
pub fn split_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let end = if text[..i].ends_with('\r') { i - 1 } else { i };
        lines.push(start..end);
        start = i + 1;
    }
    if start < text.len() {
        let end = if text.ends_with('\r') {
            text.len() - 1
        } else {
            text.len()
        };
        lines.push(start..end);
    }
    lines
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Is `id` a valid citation key: `[a-z0-9][a-z0-9_-]*`?
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    #[serde(default)]
    source: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    file: Spanned<String>,
    id: Option<Spanned<String>>,
    title: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
    published: Option<toml::value::Datetime>,
    retrieved: Option<toml::value::Datetime>,
    url: Option<Spanned<String>>,
    sha256: Option<Spanned<String>>,
    note: Option<Spanned<String>>,
    // Origins (SPEC 2).
    #[serde(default)]
    via: Vec<Spanned<String>>,
    origin: Option<String>,
    // Attribution certainty and names (SPEC 2), checked in `source/attest.rs`.
    label: Option<Spanned<String>>,
    title_line: Option<Spanned<i64>>,
    publisher_line: Option<Spanned<i64>>,
    #[serde(default)]
    publisher_inferred: bool,
    #[serde(default)]
    published_inferred: bool,
    archive_url: Option<Spanned<String>>,
    url_status: Option<attest::UrlStatus>,
}

/// The parsed manifest, with its text kept for positions in diagnostics.
pub struct Manifest {
    pub text: String,
    entries: Vec<Entry>,
}

impl Manifest {
    pub fn parse(text: String) -> Result<Manifest, Diagnostic> {
        let file: ManifestFile =
            toml::from_str(&text).map_err(|e| toml_diagnostic("E006", MANIFEST, &text, &e))?;
        Ok(Manifest {
            text,
            entries: file.source,
        })
    }

    /// Paths (below `sources/`) the manifest names, for finding missing files.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.file.get_ref().as_str())
    }
}

/// Applies the manifest to the sources found on disk and checks keys:
/// E006 bad id, E007 duplicate key, E011 missing file, E012 path leaving
/// `sources/`, E013 pin mismatch, W003 no entry.
pub fn apply_manifest(
    sources: &mut [Source],
    manifest: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) {
    match manifest {
        // Every diagnostic in the manifest finds its line in one index.
        Some(m) => crate::diagnostic::with_line_index(&m.text, || apply(sources, manifest, diags)),
        None => apply(sources, manifest, diags),
    }
}

fn apply(sources: &mut [Source], manifest: Option<&Manifest>, diags: &mut Vec<Diagnostic>) {
    let by_path: BTreeMap<String, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.clone(), i))
        .collect();
    // Where each source's key was declared, for E007 positions.
    let mut id_spans: BTreeMap<usize, Range<usize>> = BTreeMap::new();
    let mut numbered = 0;
    if let Some(m) = manifest {
        let at = |span: Range<usize>| span;
        for entry in &m.entries {
            let file = entry.file.get_ref();
            let span = at(entry.file.span());
            if file.starts_with('/')
                || file.starts_with('\\')
                || file.split(['/', '\\']).any(|p| p == "..")
                || file.contains(':')
            {
                diags.push(
                    Diagnostic::at(
                        "E012",
                        MANIFEST,
                        &m.text,
                        span,
                        format!("`{file}` leaves the sources/ folder"),
                    )
                    .with_help("`file` is a path relative to sources/, without `..`"),
                );
                continue;
            }
            let Some(&i) = by_path.get(file.trim_start_matches("./")) else {
                diags.push(
                    Diagnostic::at(
                        "E011",
                        MANIFEST,
                        &m.text,
                        span,
                        format!("sources.toml names `{file}`, which does not exist"),
                    )
                    .with_help("add the file under sources/ or remove the entry"),
                );
                continue;
            };
            let source = &mut sources[i];
            if source.has_entry {
                diags.push(Diagnostic::at(
                    "E007",
                    MANIFEST,
                    &m.text,
                    span,
                    format!("`{file}` has two entries in sources.toml"),
                ));
                continue;
            }
            source.has_entry = true;
            if let Some(id) = &entry.id {
                if valid_id(id.get_ref()) {
                    source.id = id.get_ref().clone();
                    id_spans.insert(i, id.span());
                } else {
                    diags.push(
                        Diagnostic::at("E006", MANIFEST, &m.text, id.span(), format!("invalid id `{}`", id.get_ref()))
                            .with_help("an id is lower-case letters, digits, `_` and `-`, starting with a letter or digit"),
                    );
                }
            }
            if let Some(pin) = &entry.sha256 {
                if !pin.get_ref().eq_ignore_ascii_case(&source.sha256) {
                    diags.push(
                        Diagnostic::at("E013", MANIFEST, &m.text, pin.span(), format!("sources/{} has changed: its SHA-256 differs from the pin", source.path))
                            .with_help(format!("the file's SHA-256 is {}; if the change is intended, review it and update the pin", source.sha256)),
                    );
                }
            }
            crate::load::url::check_source(
                MANIFEST,
                &m.text,
                entry.url.as_ref(),
                entry.note.as_ref(),
                diags,
            );
            numbered += 1;
            source.meta = Meta {
                title: entry.title.clone(),
                publisher: entry.publisher.clone(),
                author: entry.author.clone(),
                published: entry.published.map(|d| d.to_string()),
                retrieved: entry.retrieved.map(|d| d.to_string()),
                url: entry.url.as_ref().map(|u| u.get_ref().clone()),
                note: entry.note.as_ref().map(|n| n.get_ref().clone()),
                via: entry
                    .via
                    .iter()
                    .map(|v| (v.get_ref().clone(), v.span()))
                    .collect(),
                origin: entry.origin.clone(),
                number: numbered,
                ..Meta::default()
            };
            attest::apply(&m.text, entry, source, diags);
        }
    }
    for s in sources.iter_mut().filter(|s| !s.has_entry) {
        numbered += 1;
        s.meta.number = numbered;
    }
    // A source without a manifest id is published under its file stem:
    // the stem must be a safe path segment.
    for (i, s) in sources.iter().enumerate() {
        if id_spans.contains_key(&i) {
            continue;
        }
        if let Some(problem) = unsafe_stem(&s.id) {
            diags.push(
                Diagnostic::file(
                    "E012",
                    &format!("sources/{}", s.path),
                    format!(
                        "the file stem `{}` cannot name the source's pages: {problem}",
                        s.id.escape_debug()
                    ),
                )
                .with_help(format!(
                    "give it an `id` in sources.toml ([[source]] with file = {} and id = \"…\")",
                    toml_edit::Value::from(s.path.as_str())
                )),
            );
        }
    }
    for s in sources.iter().filter(|s| !s.has_entry) {
        diags.push(
            Diagnostic::file(
                "W003",
                &format!("sources/{}", s.path),
                "source has no entry in sources/sources.toml",
            )
            .with_help(format!(
                "add [[source]] with file = \"{}\" to give it an id, title and sha256 pin",
                s.path
            )),
        );
    }
    // Keys must be unique across sources.
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        for key in s.keys() {
            if let Some(&first) = owners.get(key) {
                let message = format!(
                    "source key `{key}` is claimed by sources/{} and sources/{}",
                    sources[first].path, s.path
                );
                let d = match (manifest, id_spans.get(&i)) {
                    (Some(m), Some(span)) => {
                        Diagnostic::at("E007", MANIFEST, &m.text, span.clone(), message)
                    }
                    _ => Diagnostic::file("E007", &format!("sources/{}", s.path), message),
                };
                diags
                    .push(d.with_help("give one of them a different `id` in sources/sources.toml"));
            } else {
                owners.insert(key, i);
            }
        }
    }
    if let Some(m) = manifest {
        via::check(sources, &m.text, diags);
    }
}

/// Folders and files the build writes under `sources/` besides the sources'
/// own folders.
const GENERATED_UNDER_SOURCES: [&str; 2] = ["index.html", "_pages"];

/// Why a file stem cannot be a source's id, which is a path segment of its
/// provenance page (`sources/ID/`): `None` when it can.
pub fn unsafe_stem(stem: &str) -> Option<&'static str> {
    if stem.is_empty() {
        Some("it is empty")
    } else if stem.starts_with('.') {
        Some("it starts with `.` (`.` and `..` name folders, others are hidden)")
    } else if stem.contains(['/', '\\']) {
        Some("it holds `/` or `\\`")
    } else if stem.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if GENERATED_UNDER_SOURCES.contains(&stem) {
        Some("the build writes a file or folder of that name under sources/")
    } else {
        None
    }
}

/// Key -> source index, once keys are known to be unique.
pub fn key_index(sources: &[Source]) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        for k in s.keys() {
            map.entry(k.to_string()).or_insert(i);
        }
    }
    map
}

mod via;

mod attest;
#[cfg(test)]
mod tests;
