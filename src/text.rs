//! Text normalization and quote matching (SPEC 3.2).
//!
//! Editors retype quotes; outlets print curly quotes, non-breaking spaces and
//! typographic dashes. Both sides of a comparison are normalized the same way
//! so that only the words have to match. Matching stays case-sensitive: a
//! quote is a claim about what a source printed.
//!
//! Everything here is pure and works on `&str`, so it is unit-tested on
//! strings and benchmarked on its own.

use std::borrow::Cow;

/// A normalized string plus, for every char of it, the char offset of the
/// original character it came from. Offsets let a match be reported back in
/// the source's own coordinates (for `TextPositionSelector`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// `origin[i]` is the char offset, in the original string, of normalized char `i`.
    pub origin: Vec<u32>,
}

/// Maps one character to its normalized form. White space is handled by the caller.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        other => other,
    }
}

/// Normalizes `s`: runs of Unicode white space become one space, the ends are
/// trimmed, and quote marks, primes and dashes are folded to ASCII.
pub fn normalize(s: &str) -> Normalized {
    let mut text = String::with_capacity(s.len());
    let mut origin = Vec::with_capacity(s.len());
    let mut pending_space: Option<u32> = None;
    for (i, c) in s.chars().enumerate() {
        let i = i as u32;
        if c.is_whitespace() {
            if !text.is_empty() && pending_space.is_none() {
                pending_space = Some(i);
            }
            continue;
        }
        if let Some(at) = pending_space.take() {
            text.push(' ');
            origin.push(at);
        }
        text.push(fold_char(c));
        origin.push(i);
    }
    Normalized { text, origin }
}

/// Normalized text only, for callers that do not need offsets. Most lines
/// are plain ASCII with single spaces, which normalize to themselves trimmed:
/// those are borrowed, not copied, so normalizing a source line when a
/// citation needs it costs no allocation.
pub fn normalize_str(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim_matches(|c: char| c.is_whitespace());
    let plain =
        trimmed.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !trimmed.contains("  ");
    if plain {
        return Cow::Borrowed(trimmed);
    }
    // Other lines: runs of ASCII letters, digits and punctuation, with the
    // single spaces between them, are copied whole; only other white space
    // and non-ASCII characters go one by one.
    let mut text = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let word = |b: u8| b.is_ascii() && !is_ascii_space(b);
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        if word(bytes[i]) {
            let start = i;
            while i < bytes.len()
                && (word(bytes[i])
                    || (bytes[i] == b' ' && bytes.get(i + 1).is_some_and(|&b| word(b))))
            {
                i += 1;
            }
            if pending_space {
                text.push(' ');
                pending_space = false;
            }
            text.push_str(&s[start..i]);
            continue;
        }
        let c = s[i..].chars().next().expect("i is on a char boundary");
        i += c.len_utf8();
        if c.is_whitespace() {
            pending_space = !text.is_empty();
            continue;
        }
        if pending_space {
            text.push(' ');
            pending_space = false;
        }
        text.push(fold_char(c));
    }
    Cow::Owned(text)
}

/// Byte offset of the `n`th char of `s` (0-based), or `s.len()` when `s`
/// has no more than `n` chars: `char_indices().nth(n)`, without decoding
/// each char. Runs of ASCII are crossed 16 bytes at a time, a multi-byte
/// char by its width from its first byte.
pub fn char_to_byte(s: &str, n: usize) -> usize {
    let b = s.as_bytes();
    let (mut i, mut left) = (0, n);
    while left > 0 && i < b.len() {
        if left >= 16 && b.len() - i >= 16 && b[i..i + 16].is_ascii() {
            i += 16;
            left -= 16;
            continue;
        }
        i += match b[i] {
            0x00..=0x7f => 1,
            0x80..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        left -= 1;
    }
    i.min(b.len())
}

/// The ASCII characters that `char::is_whitespace` accepts.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// True when the line holds only Unicode white space (U+00A0 included).
pub fn is_blank(line: &str) -> bool {
    line.chars().all(char::is_whitespace)
}

/// Splits an already normalized quote at elision marks (`...`, `…`, `[...]`,
/// `[…]`) into the parts that must occur in order. Empty parts are dropped.
pub fn quote_parts(quote: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = quote;
    loop {
        match next_elision(rest) {
            Some((at, len)) => {
                parts.push(rest[..at].trim());
                rest = &rest[at + len..];
            }
            None => {
                parts.push(rest.trim());
                break;
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Does `s` hold an elision mark (`...`, `…`, `[...]`, `[…]`)? Normalizing
/// a quote neither makes nor removes one.
pub fn has_elision(s: &str) -> bool {
    next_elision(s).is_some()
}

/// The first elision mark in `s`: its byte offset and length. One scan for
/// the bytes a mark can start with (`[`, `.`, and 0xE2, the lead byte of
/// `…`), not a substring search per mark: every quote is split several times
/// in a build.
fn next_elision(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr::memchr3(b'[', b'.', 0xE2, &bytes[from..]) {
        let at = from + k;
        let rest = &bytes[at..];
        if let Some(m) = ["[...]", "[…]", "...", "…"]
            .iter()
            .find(|m| rest.starts_with(m.as_bytes()))
        {
            return Some((at, m.len()));
        }
        from = at + 1;
    }
    None
}

/// Finds the parts of a quote, in order, in `haystack` (both normalized).
/// Returns the byte range in `haystack` from the start of the first part to
/// the end of the last, or `None` when a part is missing or out of order.
pub fn find_parts(haystack: &str, parts: &[&str]) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    let mut start = None;
    for part in parts {
        // A byte search: a UTF-8 needle found in UTF-8 text starts and ends
        // on char boundaries. Cheaper to set up than `str::find`'s, for the
        // one search a part gets.
        let at = from + memchr::memmem::find(&haystack.as_bytes()[from..], part.as_bytes())?;
        start.get_or_insert(at);
        from = at + part.len();
    }
    start.map(|s| s..from)
}

/// Case-sensitive, normalized, elision-aware search of `quote` in `haystack`.
/// Both are raw (not yet normalized) strings.
pub fn quote_occurs(haystack: &str, quote: &str) -> bool {
    let quote = normalize_str(quote);
    let parts = quote_parts(&quote);
    !parts.is_empty() && find_parts(&normalize_str(haystack), &parts).is_some()
}

/// Levenshtein distance in chars, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance, if any.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Cuts `s` to at most `max` chars on a char boundary, adding `…` when cut.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.len() <= max {
        // No more bytes than `max`, so no more chars.
        return s.to_string();
    }
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", s[..at].trim_end()),
    }
}

/// Does `s` hold white space other than single ASCII spaces? One
/// branch-free pass (which the compiler vectorizes) for two spaces in a row
/// and `\t` to `\r`; then only the chars that begin with a lead byte of
/// other white space (0xC2, 0xE1, 0xE2, 0xE3: U+0085, U+00A0, U+1680,
/// U+2000 to U+205F, U+3000) are decoded.
fn needs_collapse(s: &str) -> bool {
    let b = s.as_bytes();
    let control = |x: u8| x.wrapping_sub(b'\t') < 5;
    let ascii = b
        .iter()
        .zip(b.iter().skip(1))
        .fold(false, |found, (&x, &y)| {
            found | control(x) | (x == b' ' && y == b' ')
        });
    if ascii || b.last().is_some_and(|&x| control(x)) {
        return true;
    }
    // Each is a lead byte, so `i` is a char boundary.
    let space_at = |i: usize| s[i..].chars().next().is_some_and(char::is_whitespace);
    memchr::memchr3_iter(0xC2, 0xE2, 0xE3, b).any(space_at)
        || memchr::memchr_iter(0xE1, b).any(space_at)
}

/// `s` with each run of white space written as one space and the ends
/// trimmed, every other character kept as written (curly quotes, dashes):
/// the editor's own text as a reader sees it. Borrowed when nothing changes.
pub fn collapse_spaces(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim_matches(char::is_whitespace);
    let clean = !needs_collapse(trimmed);
    if clean {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for w in trimmed.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    Cow::Owned(out)
}

/// Cuts `s` to at most about `max` chars at a word boundary, adding `…`
/// when cut; never inside a word (a single word longer than `max` is cut
/// where it must be, on a char boundary).
pub fn ellipsize_words(s: &str, max: usize) -> String {
    let Some((at, _)) = s.char_indices().nth(max) else {
        return s.to_string();
    };
    let head = &s[..at];
    // The cut is between words when the next char is white space.
    let cut = if s[at..].starts_with(char::is_whitespace) {
        head
    } else {
        match head.rfind(char::is_whitespace) {
            Some(sp) if sp > 0 => &head[..sp],
            _ => head,
        }
    };
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{cut}…")
}

/// The words of a normalized string with their byte ranges.
fn words(s: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    for w in s.split(' ') {
        if !w.is_empty() {
            out.push((from..from + w.len(), w));
        }
        from += w.len() + 1;
    }
    out
}

/// Words compared for a difference: punctuation around them does not count.
fn same_word(a: &str, b: &str) -> bool {
    let bare = |w: &str| {
        w.trim_matches(|c: char| c.is_ascii_punctuation())
            .to_string()
    };
    a == b || (!bare(a).is_empty() && bare(a) == bare(b))
}

/// The longest common subsequence of two word lists, as pairs of indices.
fn common_words(a: &[&str], b: &[&str]) -> Vec<(usize, usize)> {
    let m = b.len() + 1;
    let mut t = vec![0u32; (a.len() + 1) * m];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            t[i * m + j] = if same_word(a[i], b[j]) {
                t[(i + 1) * m + j + 1] + 1
            } else {
                t[(i + 1) * m + j].max(t[i * m + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if same_word(a[i], b[j]) {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * m + j] >= t[i * m + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The passage of `haystack` (normalized) closest to `quote` (normalized,
/// elisions allowed), word by word: the window of as many words as the quote
/// sharing the most words with it in order. Returns its byte range in
/// `haystack` and the number of words shared (0: nothing in common).
pub fn closest_passage(haystack: &str, quote: &str) -> Option<(std::ops::Range<usize>, usize)> {
    let hay = words(haystack);
    let q: Vec<&str> = quote_parts(quote)
        .iter()
        .flat_map(|p| p.split(' '))
        .collect();
    if hay.is_empty() || q.is_empty() {
        return None;
    }
    let hay_words: Vec<&str> = hay.iter().map(|(_, w)| *w).collect();
    let len = q.len().min(hay.len());
    // Most shared words; on a tie, the window that starts and ends on one.
    let mut best: Option<((usize, bool, bool), usize)> = None;
    for start in 0..=hay.len() - len {
        let common = common_words(&q, &hay_words[start..start + len]);
        let score = (
            common.len(),
            common.first().is_some_and(|&(_, j)| j == 0),
            common.last().is_some_and(|&(_, j)| j == len - 1),
        );
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, start));
        }
    }
    let ((shared, _, _), start) = best?;
    Some((hay[start].0.start..hay[start + len - 1].0.end, shared))
}

/// A word-level difference between a quote and a passage (both normalized):
/// words only the quote has are written `[-so-]`, words only the passage has
/// `{+so+}`, shared words as they are.
pub fn word_diff(quote: &str, passage: &str) -> String {
    let a: Vec<&str> = words(quote).into_iter().map(|(_, w)| w).collect();
    let b: Vec<&str> = words(passage).into_iter().map(|(_, w)| w).collect();
    let mut out: Vec<String> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let run = |out: &mut Vec<String>, ws: &[&str], open: &str, close: &str| {
        if !ws.is_empty() {
            out.push(format!("{open}{}{close}", ws.join(" ")));
        }
    };
    for (ci, cj) in common_words(&a, &b).into_iter().chain([(a.len(), b.len())]) {
        run(&mut out, &a[i..ci], "[-", "-]");
        run(&mut out, &b[j..cj], "{+", "+}");
        if ci < a.len() {
            out.push(a[ci].to_string());
        }
        (i, j) = (ci + 1, cj + 1);
    }
    out.join(" ")
}

/// Every string of one to `max` of `pieces`, shorter ones first: the
/// inputs of the tests that check a fast path against the rule it stands in
/// for (white space, quotation marks, control chars).
#[cfg(test)]
pub(crate) fn every_mix(pieces: &[&str], max: usize) -> Vec<String> {
    let mut level = vec![String::new()];
    let mut all = Vec::new();
    for _ in 0..max {
        level = level
            .iter()
            .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
            .collect();
        all.extend(level.iter().cloned());
    }
    all
}

#[cfg(test)]
mod tests;
