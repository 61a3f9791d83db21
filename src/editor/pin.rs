//! `explainer pin [KEY…]`: after a reviewed change of a source, rewrite its
//! `sha256` pin in `sources/sources.toml` rather than have the editor paste a
//! 64-digit hash, and say which cited lines changed (from `citations.lock`).
//!
//! Only the characters of each pin's string change: the string is located
//! through `toml_edit`'s spans and replaced in the file's text, so comments,
//! layout, line endings and byte-order mark stay byte for byte.

use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Context, Result};
use toml_edit::{ImDocument, Item, Value};

use crate::editor::scaffold::no_links;
use crate::load::lock::{self, Lock};
use crate::load::source::{self, Source};
use crate::resolve::changed::word_diff;

/// One pin rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    pub id: String,
    pub file: String,
    pub sha256: String,
}

/// What `pin` did: the pins rewritten and the cited lines (from the lock)
/// whose text differs now, one line each for the editor.
#[derive(Debug, Default)]
pub struct PinReport {
    pub pinned: Vec<Pinned>,
    pub changed: Vec<String>,
}

/// A manifest entry: its file, id, and where its `sha256` string stands.
struct Entry {
    file: String,
    id: String,
    pin: Option<(Range<usize>, String)>,
}

fn entries(doc: &ImDocument<&str>) -> Vec<Entry> {
    // Each entry as its (key, value) pairs, whichever form the array takes.
    let tables: Vec<Vec<(&str, &Value)>> = match doc.get("source") {
        Some(Item::ArrayOfTables(a)) => a
            .iter()
            .map(|t| {
                t.iter()
                    .filter_map(|(k, i)| i.as_value().map(|v| (k, v)))
                    .collect()
            })
            .collect(),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .filter_map(Value::as_inline_table)
            .map(|t| t.iter().collect())
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for t in tables {
        let get = |key: &str| t.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let Some(file) = get("file").and_then(Value::as_str) else {
            continue;
        };
        let name = file.rsplit('/').next().unwrap_or(file);
        let stem = name.strip_suffix(".txt").unwrap_or(name);
        let id = get("id").and_then(Value::as_str).unwrap_or(stem);
        let pin = get("sha256").and_then(|v| match v {
            Value::String(s) => s.span().map(|span| (span, s.value().clone())),
            _ => None,
        });
        out.push(Entry {
            file: file.to_string(),
            id: id.to_string(),
            pin,
        });
    }
    out
}

/// Whether `key` names the entry: its id, file name or file stem.
fn names(e: &Entry, key: &str) -> bool {
    let name = e.file.rsplit('/').next().unwrap_or(&e.file);
    e.id == key || name == key || name.strip_suffix(".txt") == Some(key)
}

/// `explainer pin [KEY…]` below `root`: the named sources (by id, file
/// name or stem), or every source whose pin no longer matches its file.
pub fn run(root: &Path, keys: &[String]) -> Result<PinReport> {
    no_links(root, source::MANIFEST)?;
    let manifest = root.join(source::MANIFEST);
    let raw =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let bom = if raw.starts_with('\u{feff}') { 3 } else { 0 };
    let doc = ImDocument::parse(&raw[bom..])
        .with_context(|| format!("{} is not valid TOML; fix it first", source::MANIFEST))?;
    let listed = entries(&doc);
    for key in keys {
        if !listed.iter().any(|e| names(e, key)) {
            bail!("no source `{key}` in {}", source::MANIFEST);
        }
    }
    let lock = match fs::read_to_string(root.join(lock::FILE)) {
        Ok(text) => Lock::parse(&text).ok(),
        Err(_) => None,
    };
    let mut report = PinReport::default();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for e in &listed {
        let named = keys.iter().any(|k| names(e, k));
        if !keys.is_empty() && !named {
            continue;
        }
        let rel = format!("sources/{}", e.file);
        if e.file.split('/').any(|p| p == ".." || p.is_empty()) {
            bail!("{rel} leaves sources/ (E012); fix the manifest first");
        }
        no_links(root, &rel)?;
        let bytes = fs::read(root.join(&rel)).with_context(|| format!("reading {rel}"))?;
        let s = Source::from_bytes(&e.file, &bytes)
            .map_err(|d| anyhow::anyhow!("{}", d.render(false)))?;
        let Some((span, old)) = &e.pin else {
            if named {
                bail!(
                    "{} has no `sha256` pin in {} to rewrite",
                    e.id,
                    source::MANIFEST
                );
            }
            continue;
        };
        if old.eq_ignore_ascii_case(&s.sha256) {
            continue;
        }
        // The string's own quotes stay; only the digits between them change.
        let literal = &raw[bom + span.start..bom + span.end];
        let quote = &literal[..1];
        edits.push((
            bom + span.start..bom + span.end,
            format!("{quote}{}{quote}", s.sha256),
        ));
        report.pinned.push(Pinned {
            id: e.id.clone(),
            file: e.file.clone(),
            sha256: s.sha256.clone(),
        });
        if let Some(lines) = lock.as_ref().and_then(|l| l.entries.get(&e.id)) {
            for (&n, entry) in lines {
                let now = (n <= s.lines.len()).then(|| s.normalized(n).into_owned());
                if now.as_deref().is_some_and(|t| entry.matches(t)) {
                    continue;
                }
                let now = now.unwrap_or_default();
                let line = match entry.text() {
                    Some(old) => {
                        let (old, new) = word_diff(old, &now);
                        format!("{rel}:{n}: cited line changed: \"{old}\" -> \"{new}\"")
                    }
                    None => format!("{rel}:{n}: cited line changed; it now reads \"{now}\""),
                };
                report.changed.push(line);
            }
        }
    }
    if edits.is_empty() {
        return Ok(report);
    }
    let mut out = raw.clone();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (r, new) in edits {
        out.replace_range(r, &new);
    }
    no_links(root, source::MANIFEST)?;
    fs::write(&manifest, out).with_context(|| format!("writing {}", manifest.display()))?;
    Ok(report)
}
