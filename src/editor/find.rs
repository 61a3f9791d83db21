//! `explainer find "WORDS"`: where do these words stand in the sources?
//!
//! An editor knows a sentence and needs its line to cite it. This loads only
//! `site.toml` and the sources (no page), makes one pass over every source's
//! lines with the build's own normalization and elision matching
//! (`text::quote_parts`, `text::find_parts`), and prints each line, or pair of
//! consecutive lines, that holds the words, with a ready-to-paste citation
//! whose quote is cut from the source in its own characters. When nothing
//! matches, the closest passages are shown word by word instead.

use std::path::Path;

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
/// cited as `key` when given).
pub fn run(root: &Path, words: &str, key: Option<&str>) -> Result<Found> {
    let normalized = text::normalize_str(words);
    let parts = text::quote_parts(&normalized);
    if parts.is_empty() {
        bail!("give the words to find, e.g. explainer find \"will supervise the mechanism\"");
    }
    let mut sources = sources(root)?;
    if let Some(key) = key {
        sources.retain(|s| s.keys().contains(&key));
        if sources.is_empty() {
            let all = self::sources(root)?;
            let keys: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
            let mean = text::did_you_mean(key, keys.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            bail!("no source has the key `{key}`{mean}");
        }
    }
    let hits: Vec<Hit> = sources
        .par_iter()
        .flat_map_iter(|s| in_source(s, &parts))
        .collect();
    if !hits.is_empty() {
        return Ok(Found::Hits(hits));
    }
    Ok(Found::Near(near(&sources, &normalized)))
}

/// The site's sources with their manifest ids, read in parallel.
fn sources(root: &Path) -> Result<Vec<Source>> {
    // site.toml is read so that `--root` must name a site; its problems are
    // the build's to report.
    crate::load::config(root, &mut Vec::new())?;
    let files = crate::load::files_with_ext(&root.join("sources"), "txt")?;
    let mut sources: Vec<Source> = files
        .par_iter()
        .map(|(path, rel)| {
            let bytes = std::fs::read(path)?;
            Ok(Source::from_bytes(rel, &bytes).unwrap_or_else(|_| {
                let lossy = String::from_utf8_lossy(&bytes).into_owned();
                Source::from_bytes(rel, lossy.as_bytes()).expect("lossy text is UTF-8")
            }))
        })
        .collect::<Result<_>>()?;
    let manifest_path = root.join(source::MANIFEST);
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => Manifest::parse(text).ok(),
        Err(_) => None,
    };
    source::apply_manifest(&mut sources, manifest.as_ref(), &mut Vec::new());
    Ok(sources)
}

/// Every line, and every pair of lines the words run across, of one source.
fn in_source(s: &Source, parts: &[&str]) -> Vec<Hit> {
    let mut hits = Vec::new();
    // Normalization leaves letters and digits as they are, so the longest
    // run of them in the first part stands as written in any line (or pair
    // of lines) that holds the words: sources and lines without it are
    // skipped before anything is normalized.
    let anchor = parts[0]
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.len())
        .unwrap_or_default();
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
fn near(sources: &[Source], query: &str) -> Vec<Near> {
    let words: Vec<String> = text::quote_parts(query)
        .iter()
        .flat_map(|p| p.split(' '))
        .map(str::to_lowercase)
        .collect();
    let mut ranked: Vec<(usize, usize, usize)> = sources
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, s)| {
            let words = &words;
            (1..=s.lines.len()).filter_map(move |n| {
                let line = s.normalized(n).to_lowercase();
                let held = words.iter().filter(|w| line.contains(w.as_str())).count();
                (held > 0).then_some((held, i, n))
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out: Vec<Near> = ranked
        .iter()
        .take(NEAR * 4)
        .filter_map(|&(_, i, n)| {
            let s = &sources[i];
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        let mut s = Source::from_bytes("rhc.txt", text.as_bytes()).unwrap();
        s.id = "rhc".into();
        s
    }

    fn find(s: &Source, words: &str) -> Vec<Hit> {
        let normalized = text::normalize_str(words);
        in_source(s, &text::quote_parts(&normalized))
    }

    #[test]
    fn a_normalized_match_is_cut_in_the_source_s_characters() {
        let s =
            source("first\nthe \u{201C}guarantor\u{201D}  countries\u{2014}were represented.\n");
        let hits = find(&s, "\"guarantor\" countries-were");
        assert_eq!(
            hits,
            [Hit {
                location: "sources/rhc.txt:2".into(),
                citation: "[@rhc:2 \"\u{201C}guarantor\u{201D}  countries\u{2014}were\"]".into()
            }]
        );
    }

    #[test]
    fn elisions_keep_the_parts_apart_and_quote_marks_are_escaped() {
        let s = source("He said \"no\" and then, after a pause, left.\n");
        let hits = find(&s, "said \"no\" ... left");
        assert_eq!(hits[0].citation, "[@rhc:1 \"said \\\"no\\\" … left\"]");
    }

    #[test]
    fn words_across_two_lines_are_a_range() {
        let s = source("the guarantor countries\nwere represented\n\nwere represented again\n");
        let hits = find(&s, "countries were represented");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].location, "sources/rhc.txt:1-2");
        assert_eq!(
            hits[0].citation,
            "[@rhc:1-2 \"countries were represented\"]"
        );
        // Words on one line are that line, not also a range with the next.
        assert_eq!(find(&s, "were represented").len(), 2);
    }

    #[test]
    fn no_match_gives_the_closest_passages() {
        let s = source("nothing here\nthe guarantor countries were represented today\n");
        assert!(find(&s, "guarantor nations were represented").is_empty());
        let near = near(&[s], "guarantor nations were represented");
        assert_eq!(near[0].hit.location, "sources/rhc.txt:2");
        assert_eq!(
            near[0].diff,
            "guarantor [-nations-] {+countries+} were represented"
        );
    }
}
