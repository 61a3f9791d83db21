//! Sources (SPEC 2): the verbatim articles, their line index and metadata.
//!
//! A source is read once and its lines are indexed here, once. A quote is
//! checked against the normalized text of the lines it cites only, so that
//! verifying thousands of quotes never re-normalizes a whole file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::text;

pub const MANIFEST: &str = "sources/sources.toml";
pub const BOM: &str = "\u{FEFF}";

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
        match Source::from_vec(path, bytes.to_vec()) {
            (s, None) => Ok(s),
            (_, Some(d)) => Err(d),
        }
    }

    /// Builds a source from the bytes read, without copying them. Bytes that
    /// are not UTF-8 give E009 and a source decoded lossily (its digest that
    /// of the lossy text), so that its citations do not cascade into E001s.
    pub fn from_vec(path: &str, bytes: Vec<u8>) -> (Source, Option<Diagnostic>) {
        let sha256 = hex(&Sha256::digest(&bytes));
        match String::from_utf8(bytes) {
            Ok(text) => (Source::indexed(path, text, sha256), None),
            Err(e) => {
                let bytes = e.as_bytes();
                let rel = format!("sources/{path}");
                let d = crate::diagnostic::not_utf8(&rel, bytes, e.utf8_error().valid_up_to(), "source")
                    .with_help(
                        "sources must be UTF-8; convert the file (e.g. with iconv) and re-pin its sha256",
                    );
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                let sha256 = hex(&Sha256::digest(lossy.as_bytes()));
                (Source::indexed(path, lossy, sha256), Some(d))
            }
        }
    }

    /// A source read to look words up in (`explainer find`): its text and
    /// line index, without the SHA-256 (`sha256` is empty), which is most of
    /// the cost of reading a source and which a lookup never shows. Bytes
    /// that are not UTF-8 are read lossily: a lookup shows what it can.
    pub fn for_lookup(path: &str, bytes: Vec<u8>) -> Source {
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Source::indexed(path, text, String::new())
    }

    /// The source whose file decoded to `decoded`, byte-order mark included.
    fn indexed(path: &str, mut decoded: String, sha256: String) -> Source {
        let size = decoded.len();
        let bom = decoded.starts_with(BOM);
        if bom {
            decoded.drain(..BOM.len());
        }
        let text = decoded;
        let lines = split_lines(&text);
        let mut line_chars = Vec::with_capacity(lines.len());
        let mut chars = 0;
        let mut prev = 0;
        for r in &lines {
            chars += text[prev..r.start].chars().count();
            line_chars.push(chars);
            prev = r.start;
        }
        Source {
            id: stem(path).to_string(),
            path: path.to_string(),
            meta: Meta::default(),
            has_entry: false,
            bom,
            text,
            lines,
            line_chars,
            sha256,
            size,
        }
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
        from + text::char_to_byte(&self.text[from..], c - chars_before)
    }

    /// Byte range in `text` of the chars `start..end` (clamped to the end):
    /// `end` is found by walking on from `start`, not from its line's start.
    pub fn byte_range(&self, start: usize, end: usize) -> Range<usize> {
        let from = self.byte_at(start);
        let to = from + text::char_to_byte(&self.text[from..], end.saturating_sub(start));
        from..to
    }

    /// The text between two char offsets.
    pub fn char_slice(&self, start: usize, end: usize) -> &str {
        &self.text[self.byte_range(start, end)]
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
    split_line_bytes(text.as_bytes())
}

/// [`split_lines`] of bytes that may not be UTF-8 (`find` splits sources
/// before decoding them): the same ranges, as `\n` and `\r` are single bytes.
pub fn split_line_bytes(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', bytes) {
        let end = if i > start && bytes[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        lines.push(start..end);
        start = i + 1;
    }
    if start < bytes.len() {
        let end = if bytes.ends_with(b"\r") {
            bytes.len() - 1
        } else {
            bytes.len()
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

mod manifest;
mod via;

pub use manifest::{apply_manifest, Entry, Manifest};

mod attest;
#[cfg(test)]
mod tests;
