//! Finding a quote in the cited lines of a source: the search runs on the
//! lines' normalized text (SPEC 3.2); only a hit is mapped back to char
//! offsets in the source.

use std::borrow::Cow;
use std::ops::Range;

use crate::load::source::Source;
use crate::text;

/// Finds the quote parts in lines `first..=last` of `s`, joined by single
/// spaces. Returns the char range in the source text.
pub fn find_in_lines(
    s: &Source,
    first: usize,
    last: usize,
    parts: &[&str],
) -> Option<Range<usize>> {
    find_in_normalized(s, first, &normalized_lines(s, first, last), parts)
}

/// Lines `first..=last` of `s`, normalized.
pub(super) fn normalized_lines(s: &Source, first: usize, last: usize) -> Vec<Cow<'_, str>> {
    (first..=last).map(|l| s.normalized(l)).collect()
}

/// [`find_in_lines`] on the lines from `first` whose normalized text is
/// `lines`.
pub(super) fn find_in_normalized(
    s: &Source,
    first: usize,
    lines: &[Cow<'_, str>],
    parts: &[&str],
) -> Option<Range<usize>> {
    // An empty part would be found anywhere: it is no quote.
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) || lines.is_empty() {
        return None;
    }
    let last = first + lines.len() - 1;
    // Search the normalized text of the lines; only a hit is mapped back to
    // source offsets, by normalizing its lines again with offsets.
    if first == last {
        let normalized = &lines[0];
        let m = text::find_parts(normalized, parts)?;
        let line = s.line(first);
        let base = s.line_chars[first - 1];
        // Folding maps one char to one, and white space is only ever
        // dropped: a line that lost no chars maps back one to one.
        if normalized.chars().count() == line.chars().count() {
            let start = normalized[..m.start].chars().count();
            let end = start + normalized[m].chars().count();
            return Some(base + start..base + end);
        }
        let n = text::normalize(line);
        return Some(map_back(&n.text, &n.origin, m, base));
    }
    let mut joined = String::new();
    for n in lines {
        if !n.is_empty() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(n);
        }
    }
    let m = text::find_parts(&joined, parts)?;
    let mut origin: Vec<u32> = Vec::new();
    for l in first..=last {
        let n = text::normalize(s.line(l));
        if n.text.is_empty() {
            continue;
        }
        let base = s.line_chars[l - 1] as u32;
        if !origin.is_empty() {
            origin.push(base.saturating_sub(1));
        }
        origin.extend(n.origin.iter().map(|o| o + base));
    }
    Some(map_back(&joined, &origin, m, 0))
}

pub(super) fn map_back(
    text: &str,
    origin: &[u32],
    bytes: Range<usize>,
    base: usize,
) -> Range<usize> {
    let start = text[..bytes.start].chars().count();
    let end = start + text[bytes.clone()].chars().count();
    // An empty match (never made by `find_in_lines`) maps to an empty range
    // rather than reading before the start.
    let Some(last) = end.checked_sub(1).filter(|&l| l >= start) else {
        let at = origin.get(start).map_or(base, |&o| o as usize + base);
        return at..at;
    };
    origin[start] as usize + base..origin[last] as usize + base + 1
}
