//! `explainer find "WORDS"`: where do these words stand in the sources?
//!
//! An editor knows a sentence and needs its line to cite it. This loads only
//! `site.toml` and the sources (no page; from the line index of `index`,
//! which keeps them in one file between runs), makes one pass over every
//! source's lines with the build's own normalization and elision matching
//! (`text::quote_parts`, `text::find_parts`), and prints each line, or pair of
//! consecutive lines, that holds the words, with a ready-to-paste citation
//! whose quote is cut from the source in its own characters. When nothing
//! matches, the closest passages are shown word by word instead.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::load::source::{self, Manifest, Source};
use crate::text;

/// One place where the words stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// `sources/FILE:N` or `sources/FILE:N-M`.
    pub location: String,
    /// `[@key:N "…"]`, ready to paste.
    pub citation: String,
}

/// A near miss: a passage sharing words with the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Near {
    pub hit: Hit,
    /// Word-level difference between the query and the passage.
    pub diff: String,
    shared: usize,
}

/// What `find` found: hits, or else the closest passages.
#[derive(Debug)]
pub enum Found {
    Hits(Vec<Hit>),
    Near(Vec<Near>),
}

/// How many near misses are shown when nothing matches.
const NEAR: usize = 5;

/// Finds `words` in the sources of the site at `root` (only the source
/// cited as `key` when given), with the line index kept in the user's
/// cache folder ([`index::location`]).
pub fn run(root: &Path, words: &str, key: Option<&str>) -> Result<Found> {
    search(root, words, key, index::location(root).as_deref())
}

/// [`run`] with the line index at `cache` (none: read every source).
///
/// The sources come from the index where their files have not changed
/// since it was made ([`index::load`]), all in one buffer; their ids come
/// from the index too, or else from the manifest, parsed while the sources
/// are searched.
pub fn search(root: &Path, words: &str, key: Option<&str>, cache: Option<&Path>) -> Result<Found> {
    let normalized = text::normalize_str(words);
    let parts = text::quote_parts(&normalized);
    if parts.is_empty() {
        bail!("give the words to find, e.g. explainer find \"will supervise the mechanism\"");
    }
    // site.toml is read so that `--root` must name a site; its problems are
    // the build's to report.
    crate::load::config(root, &mut Vec::new())?;
    let files = crate::load::files_with_ext(&root.join("sources"), "txt")?;
    let corpus = index::load(&files, &root.join(source::MANIFEST), cache)?;
    // Letters and digits stand in a source as the query has them (see
    // `anchor`): most sources lack one of the query's words, and are skipped
    // on their bytes, before they are decoded or split into lines.
    let mut words: Vec<&str> = parts
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    // Longest first: the rarest, most often.
    words.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    let finders: Vec<_> = words.iter().map(memchr::memmem::Finder::new).collect();
    let anchor = memchr::memmem::Finder::new(anchor(&parts));
    let (named, holding) = rayon::join(
        || match &corpus.ids {
            Some(ids) => files
                .iter()
                .zip(ids)
                .map(|((_, rel), id)| {
                    let mut s = Source::for_lookup(rel, Vec::new());
                    s.id.clone_from(id);
                    s
                })
                .collect(),
            None => named(root, &files),
        },
        || {
            each_source(&corpus, |_, bytes| {
                let holds = finders.iter().all(|f| f.find(bytes).is_some())
                    && scan::may_hold(bytes, &anchor, &parts);
                holds.then(|| Source::for_lookup("", bytes.to_vec()))
            })
        },
    );
    if let Some(cache) = cache.filter(|_| corpus.stale()) {
        let ids: Vec<String> = named.iter().map(|s| s.id.clone()).collect();
        index::save(cache, &files, &corpus, &ids);
    }
    let wanted = |i: usize| key.is_none_or(|key| named[i].keys().contains(&key));
    if let Some(key) = key.filter(|_| !(0..named.len()).any(wanted)) {
        let keys: Vec<&str> = named.iter().map(|s| s.id.as_str()).collect();
        let mean = text::did_you_mean(key, keys.iter().copied())
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        bail!("no source has the key `{key}`{mean}");
    }
    let mut hits = Vec::new();
    for (i, mut s) in holding {
        if wanted(i) {
            s.id.clone_from(&named[i].id);
            s.path.clone_from(&named[i].path);
            hits.extend(in_source(&s, &parts));
        }
    }
    if !hits.is_empty() {
        return Ok(Found::Hits(hits));
    }
    // No match: each source's best lines, then the sources of the best few
    // decoded once more for their passages.
    let words = near_words(&normalized);
    let ranked = each_source(&corpus, |i, bytes| {
        wanted(i).then(|| best_lines(bytes, i, &words))
    });
    let top = top_lines(ranked.into_iter().flat_map(|(_, lines)| lines).collect());
    let mut sources = std::collections::BTreeMap::new();
    for &(_, i, _) in &top {
        sources.entry(i).or_insert_with(|| {
            let mut s = Source::for_lookup(&files[i].1, corpus.text(i).to_vec());
            s.id.clone_from(&named[i].id);
            s
        });
    }
    Ok(Found::Near(closest(&top, |i| &sources[&i], &normalized)))
}

/// Hands each source's bytes to `f` (in parallel) with its index, keeping
/// what `f` returns.
fn each_source<T: Send>(
    corpus: &index::Corpus,
    f: impl Fn(usize, &[u8]) -> Option<T> + Sync,
) -> Vec<(usize, T)> {
    (0..corpus.len())
        .into_par_iter()
        .filter_map(|i| f(i, corpus.text(i)).map(|t| (i, t)))
        .collect()
}

/// The sources of `files` with the ids the manifest gives them, by the
/// build's own rules (`apply_manifest`), without their text.
fn named(root: &Path, files: &[(PathBuf, String)]) -> Vec<Source> {
    let mut named: Vec<Source> = files
        .iter()
        .map(|(_, rel)| Source::for_lookup(rel, Vec::new()))
        .collect();
    let manifest = match std::fs::read_to_string(root.join(source::MANIFEST)) {
        Ok(text) => Manifest::parse(text).ok(),
        Err(_) => None,
    };
    source::apply_manifest(&mut named, manifest.as_ref(), &mut Vec::new());
    named
}

/// Every line, and every pair of lines the words run across, of one source.
fn in_source(s: &Source, parts: &[&str]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let anchor = anchor(parts);
    if !s.text.contains(anchor) {
        return hits;
    }
    let first_word = parts[0].split(' ').next().unwrap_or(parts[0]);
    let n_lines = s.lines.len();
    for n in 1..=n_lines {
        let here = s.line(n).contains(anchor);
        if !here && (n == n_lines || !s.line(n + 1).contains(anchor)) {
            continue;
        }
        let line = s.normalized(n);
        // A match that starts on this line holds the first word here.
        if !line.contains(first_word) {
            continue;
        }
        if text::find_parts(&line, parts).is_some() {
            hits.push(hit(s, n, n, parts));
            continue;
        }
        if n == n_lines || s.is_blank(n + 1) {
            continue;
        }
        let next = s.normalized(n + 1);
        let joined = format!("{line} {next}");
        // Across the break: starts on line n and ends on line n + 1 (a
        // match within line n + 1 alone is that line's hit).
        if let Some(m) = text::find_parts(&joined, parts) {
            if m.start < line.len() && m.end > line.len() + 1 {
                hits.push(hit(s, n, n + 1, parts));
            }
        }
    }
    hits
}

/// Normalization leaves letters and digits as they are, so the longest run
/// of them in the first part stands as written in any line (or pair of
/// lines) that holds the words: sources and lines without it are skipped
/// before anything is normalized.
fn anchor<'a>(parts: &[&'a str]) -> &'a str {
    parts[0]
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.len())
        .unwrap_or_default()
}

/// The raw text of lines `first..=last`, joined by single spaces.
fn raw_lines(s: &Source, first: usize, last: usize) -> String {
    (first..=last)
        .map(|l| s.line(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cuts the byte ranges `found` of the normalization of `raw` out of `raw`.
fn cut(raw: &str, found: &[std::ops::Range<usize>]) -> Vec<String> {
    let n = text::normalize(raw);
    let chars: Vec<(usize, char)> = raw.char_indices().collect();
    found
        .iter()
        .map(|r| {
            let start = n.text[..r.start].chars().count();
            let end = start + n.text[r.clone()].chars().count();
            let (Some(&a), Some(&b)) = (
                n.origin.get(start),
                end.checked_sub(1).and_then(|e| n.origin.get(e)),
            ) else {
                return String::new();
            };
            let (from, _) = chars[a as usize];
            let (to, c) = chars[b as usize];
            raw[from..to + c.len_utf8()].to_string()
        })
        .collect()
}

/// The citation of lines `first..=last` whose quote is the parts, cut from
/// the source.
fn hit(s: &Source, first: usize, last: usize, parts: &[&str]) -> Hit {
    let raw = raw_lines(s, first, last);
    let normalized = text::normalize(&raw).text;
    let mut found = Vec::new();
    let mut from = 0;
    for part in parts {
        if let Some(at) = normalized[from..].find(part) {
            found.push(from + at..from + at + part.len());
            from += at + part.len();
        }
    }
    let quote = cut(&raw, &found).join(" … ");
    citation(s, first, last, &quote)
}

fn citation(s: &Source, first: usize, last: usize, quote: &str) -> Hit {
    let lines = if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    };
    Hit {
        location: format!("sources/{}:{lines}", s.path),
        citation: format!("[@{}:{lines} \"{}\"]", s.id, quote.replace('"', "\\\"")),
    }
}

/// The passages closest to the query, word by word: lines ranked by how
/// many of the query's words they hold, the best few compared in order.
/// (`run` does the same without holding every source at once.)
#[cfg(test)]
fn near(sources: &[Source], query: &str) -> Vec<Near> {
    let words = near_words(query);
    let ranked = sources
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, s)| best_lines(s.text.as_bytes(), i, &words))
        .collect();
    closest(&top_lines(ranked), |i| &sources[i], query)
}

/// The query's words, lower-cased, for ranking lines.
fn near_words(query: &str) -> Vec<String> {
    text::quote_parts(query)
        .iter()
        .flat_map(|p| p.split(' '))
        .map(str::to_lowercase)
        .collect()
}

/// How many lines are compared with the query in order.
const COMPARED: usize = NEAR * 4;

/// `(words held, i, line)` of the lines of source `i` (its bytes) that hold
/// most of `words`: as many as the query is compared with, best first.
fn best_lines(bytes: &[u8], i: usize, words: &[String]) -> Vec<(usize, usize, usize)> {
    let lines = scan::held(bytes, words)
        .into_iter()
        .map(|(n, held)| (held, i, n))
        .collect();
    top_lines(lines)
}

/// The lines to compare: most words held first, then in source and line
/// order. (The best of all sources are among the best of each.)
fn top_lines(mut ranked: Vec<(usize, usize, usize)>) -> Vec<(usize, usize, usize)> {
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    ranked.truncate(COMPARED);
    ranked
}

/// The closest passage of each ranked line, the best few by words shared.
fn closest<'a>(
    top: &[(usize, usize, usize)],
    source: impl Fn(usize) -> &'a Source,
    query: &str,
) -> Vec<Near> {
    let mut out: Vec<Near> = top
        .iter()
        .filter_map(|&(_, i, n)| {
            let s = source(i);
            let line = s.normalized(n);
            let (range, shared) = text::closest_passage(&line, query)?;
            let raw = s.line(n);
            let quote = cut(raw, std::slice::from_ref(&range)).join("");
            Some(Near {
                hit: citation(s, n, n, &quote),
                diff: text::word_diff(query, &line[range]),
                shared,
            })
        })
        .filter(|n| n.shared > 0)
        .collect();
    out.sort_by_key(|n| std::cmp::Reverse(n.shared));
    out.truncate(NEAR);
    out
}

mod index;
mod scan;

#[cfg(test)]
mod tests;
