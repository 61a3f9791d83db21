//! `citations.lock`: what every cited source line said when an editor last
//! reviewed it.
//!
//! A line-only citation (`[@newsmax:3]`) would silently point at other words
//! if the source were edited. The lock records, for every cited line, its
//! normalized text; a cited line whose text changed is E014, which shows the
//! old and the new text. Like `Cargo.lock`, the first build writes it, later
//! builds add the lines new citations cite and drop the lines nothing cites,
//! and no build rewrites an existing entry ([`Lock::updated`]). The file is
//! TOML, sorted, with no timestamp, so it is byte-stable and diffs well.
//!
//! Locks written before the text was stored hold a 16-digit hash per line
//! (`L3 = "…"`); an entry with text is an inline table (`L3 = { text = "…" }`),
//! so the two never look alike. A hash-only entry whose line still matches
//! gets its text on the next build.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::load::source::{hex, Source};

pub const FILE: &str = "citations.lock";

/// Hash of a normalized line: 16 hex digits of its SHA-256 (the old format).
pub fn line_hash(normalized: &str) -> String {
    hex(&Sha256::digest(normalized.as_bytes())[..8])
}

/// What the lock says about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The line's normalized text.
    Text(String),
    /// A hash of it, from a lock written before the text was kept.
    Hash(String),
}

impl Entry {
    /// Whether a line whose normalized text is `normalized` still says this.
    pub fn matches(&self, normalized: &str) -> bool {
        match self {
            Entry::Text(t) => t == normalized,
            Entry::Hash(h) => *h == line_hash(normalized),
        }
    }

    /// The locked text, when the lock kept it.
    pub fn text(&self) -> Option<&str> {
        match self {
            Entry::Text(t) => Some(t),
            Entry::Hash(_) => None,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lock {
    /// Source id -> line -> what it said.
    pub entries: BTreeMap<String, BTreeMap<usize, Entry>>,
}

/// How one lock differs from another: for `--locked` and for the editor.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// `(source, line)` pairs newly cited.
    pub added: Vec<(String, usize)>,
    /// `(source, line)` pairs no longer cited.
    pub dropped: Vec<(String, usize)>,
    /// Hash-only entries that get their text.
    pub migrated: Vec<(String, usize)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.dropped.is_empty() && self.migrated.is_empty()
    }

    /// One line for a message: `adds a L4, b L2; drops a L3`.
    pub fn describe(&self) -> String {
        let list = |v: &[(String, usize)]| {
            let shown: Vec<String> = v
                .iter()
                .take(10)
                .map(|(s, l)| format!("{s} L{l}"))
                .collect();
            let more = v.len().saturating_sub(10);
            let mut out = shown.join(", ");
            if more > 0 {
                out.push_str(&format!(" and {more} more"));
            }
            out
        };
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("would add {}", list(&self.added)));
        }
        if !self.dropped.is_empty() {
            parts.push(format!("would drop {}", list(&self.dropped)));
        }
        if !self.migrated.is_empty() {
            parts.push(format!(
                "would store the text of {} (a hash-only lock)",
                list(&self.migrated)
            ));
        }
        parts.join("; ")
    }
}

/// Reads `citations.lock` below `root`: `None` when there is none (or it
/// is unreadable as a lock, reported in `diags`).
pub fn read(root: &std::path::Path, diags: &mut Vec<Diagnostic>) -> anyhow::Result<Option<Lock>> {
    let path = root.join(FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let parsed = super::read_text(&path, FILE)?.and_then(|text| Lock::parse(&text));
    Ok(parsed.map_err(|d| diags.push(d)).ok())
}

fn invalid(message: String) -> Diagnostic {
    Diagnostic::file("E006", FILE, message)
        .with_help("rewrite it with `explainer lock` (or delete it: the next build writes it)")
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, Diagnostic> {
        match parse_rendered(text) {
            Some(lock) => Ok(lock),
            None => Lock::parse_toml(text),
        }
    }

    /// [`Lock::parse`] by the TOML parser: any lock, and every error.
    fn parse_toml(text: &str) -> Result<Lock, Diagnostic> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| crate::load::config::toml_diagnostic("E006", FILE, text, &e))?;
        let mut lock = Lock::default();
        for (source, lines) in table {
            let Some(lines) = lines.as_table() else {
                return Err(invalid(format!(
                    "invalid citations.lock: `{source}` is not a table of lines"
                )));
            };
            let mut map = BTreeMap::new();
            for (key, value) in lines {
                let line = key.strip_prefix('L').and_then(|n| n.parse::<usize>().ok());
                let entry = match value {
                    toml::Value::String(h) => Some(Entry::Hash(h.clone())),
                    toml::Value::Table(t) if t.len() == 1 => t
                        .get("text")
                        .and_then(toml::Value::as_str)
                        .map(|s| Entry::Text(s.to_string())),
                    _ => None,
                };
                match (line, entry) {
                    (Some(n), Some(e)) => {
                        map.insert(n, e);
                    }
                    _ => {
                        return Err(invalid(format!(
                            "invalid citations.lock entry `{source}.{key}`"
                        )))
                    }
                }
            }
            lock.entries.insert(source, map);
        }
        Ok(lock)
    }

    /// The file's text: sorted tables, sorted lines, no timestamp.
    pub fn render(&self) -> String {
        let mut out = String::from("# citations.lock: what every cited source line said when the citations were last reviewed.\n# Kept by `explainer build` (lines added and dropped, never rewritten); `explainer lock` accepts changed lines.\n# A cited line whose text differs from its entry here is error E014. Commit this file with the content.\n");
        for (source, lines) in &self.entries {
            out.push_str(&format!("\n[{}]\n", toml_key(source)));
            for (line, entry) in lines {
                match entry {
                    Entry::Text(t) => {
                        out.push_str(&format!("L{line} = {{ text = {} }}\n", toml_string(t)))
                    }
                    Entry::Hash(h) => out.push_str(&format!("L{line} = {}\n", toml_string(h))),
                }
            }
        }
        out
    }

    pub fn get(&self, source: &str, line: usize) -> Option<&Entry> {
        self.entries.get(source)?.get(&line)
    }

    /// The lock a successful build leaves, given `current` (every line the
    /// site cites, with its text now): lines newly cited are added, lines no
    /// longer cited dropped, a hash-only entry that still matches gets its
    /// text, and every other existing entry stays as it is.
    pub fn updated(&self, current: &Lock) -> (Lock, Changes) {
        let mut next = Lock::default();
        let mut changes = Changes::default();
        for (source, lines) in &current.entries {
            let mut map = BTreeMap::new();
            for (&line, now) in lines {
                let entry = match (self.get(source, line), now) {
                    (None, _) => {
                        changes.added.push((source.clone(), line));
                        now.clone()
                    }
                    (Some(Entry::Hash(h)), Entry::Text(t)) if Entry::Hash(h.clone()).matches(t) => {
                        changes.migrated.push((source.clone(), line));
                        now.clone()
                    }
                    (Some(old), _) => old.clone(),
                };
                map.insert(line, entry);
            }
            next.entries.insert(source.clone(), map);
        }
        for (source, lines) in &self.entries {
            for line in lines.keys() {
                if current.get(source, *line).is_none() {
                    changes.dropped.push((source.clone(), *line));
                }
            }
        }
        (next, changes)
    }
}

/// A lock in the form [`Lock::render`] writes, read line by line: `None`
/// for anything else (quoted keys, escapes, other spacing, duplicates,
/// errors), which the TOML parser then reads. At 100,000 cited lines the
/// TOML parser's tables took 180 MiB and half a second of CPU for a 12 MB
/// file; this takes the lock's own size.
fn parse_rendered(text: &str) -> Option<Lock> {
    let mut lock = Lock::default();
    let mut table: Option<(&str, BTreeMap<usize, Entry>)> = None;
    for line in text.split('\n') {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if comment.contains(|c: char| c.is_control() && c != '\t') {
                return None;
            }
            continue;
        }
        if let Some(key) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let bare = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
            if key.is_empty() || !key.bytes().all(bare) {
                return None;
            }
            if let Some((k, lines)) = table.replace((key, BTreeMap::new())) {
                if lock.entries.insert(k.to_string(), lines).is_some() {
                    return None;
                }
            }
            continue;
        }
        let (_, lines) = table.as_mut()?;
        // The key has no space (it is checked below), so its ` = ` is at
        // the first space.
        let (key, rest) = line.split_at(line.find(' ')?);
        let value = rest.strip_prefix(" = ")?;
        let digits = key.strip_prefix('L')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: usize = digits.parse().ok()?;
        let entry = match value.strip_prefix("{ text = ") {
            Some(t) => Entry::Text(string(t.strip_suffix(" }")?)?),
            None => Entry::Hash(string(value)?),
        };
        // Two keys for one line number (`L3`, `L03`): the TOML parser says
        // which one stands.
        if lines.insert(n, entry).is_some() {
            return None;
        }
    }
    if let Some((k, lines)) = table {
        if lock.entries.insert(k.to_string(), lines).is_some() {
            return None;
        }
    }
    Some(lock)
}

/// The value of a one-line TOML string, basic (`"…"`, with escapes) or
/// literal (`'…'`), as the TOML encoder writes them; `None` for anything
/// else or anything TOML refuses.
fn string(quoted: &str) -> Option<String> {
    let refused = |c: char| c.is_control() && c != '\t';
    if let Some(inner) = quoted.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')) {
        return takes_whole(inner, [b'\'', b'\'']).then(|| inner.to_string());
    }
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    // Most lines have nothing to unescape: taken whole, not char by char.
    if takes_whole(inner, [b'\\', b'"']) {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            c if refused(c) => return None,
            '\\' => out.push(match chars.next()? {
                '"' => '"',
                '\\' => '\\',
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'f' => '\u{c}',
                'r' => '\r',
                'e' => '\u{1b}',
                u @ ('u' | 'U') => {
                    let digits = if u == 'u' { 4 } else { 8 };
                    let hex: String = chars.by_ref().take(digits).collect();
                    if hex.len() != digits || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                }
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    Some(out)
}

/// Can the inside of a one-line TOML string be taken as it is: none of
/// `marks` (what closes or escapes it) and no control char but the tab?
/// Bytes, not chars: a control char is below 0x20, 0x7F, or U+0080 to
/// U+009F (0xC2, then 0x80 to 0x9F).
fn takes_whole(inner: &str, marks: [u8; 2]) -> bool {
    let b = inner.as_bytes();
    let bad = |x: u8| x == marks[0] || x == marks[1] || (x < 0x20 && x != b'\t') || x == 0x7F;
    let c1 = |i: usize| b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n));
    !b.iter().fold(false, |found, &x| found | bad(x)) && !memchr::memchr_iter(0xC2, b).any(c1)
}

/// A bare TOML key when possible, else a quoted one, escaped by the TOML
/// encoder: a key may hold quotes, backslashes or control characters (a
/// source's file stem), and the lock must always parse back.
fn toml_key(k: &str) -> String {
    toml_edit::Key::new(k).display_repr().into_owned()
}

/// A string value written by the TOML encoder (any text parses back).
fn toml_string(s: &str) -> String {
    toml_edit::Value::from(s).to_string()
}

/// Where the locked lines of a citation are now: every start line at which
/// the same run of locked entries occurs (`None`: a line not locked).
pub fn relocate(s: &Source, locked: &[Option<&Entry>]) -> Vec<usize> {
    let width = locked.len();
    let n = s.lines.len();
    if width == 0 || width > n {
        return Vec::new();
    }
    let normalized: Vec<_> = (1..=n).map(|l| s.normalized(l)).collect();
    (1..=n + 1 - width)
        .filter(|&start| {
            locked
                .iter()
                .enumerate()
                .all(|(k, e)| e.is_none_or(|e| e.matches(&normalized[start - 1 + k])))
        })
        .collect()
}

#[cfg(test)]
mod tests;
