//! `find`'s passes over a source's raw bytes, before (or instead of)
//! decoding it whole and splitting it into a [`Source`]: most sources of a
//! large site hold a query's words somewhere but not together on a line,
//! and a source with nothing to show should cost a few searches of its
//! bytes.
//!
//! Lines are split by [`source::split_line_bytes`], as a source's are
//! (after a byte-order mark), and bytes that are not UTF-8 are read as
//! `Source::for_lookup` reads them, so the line numbers and texts here are
//! the source's.

use memchr::memmem::Finder;

use crate::load::source::{self, Source};
use crate::text;

/// The text after a byte-order mark, as a source's lines are counted.
fn body(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(source::BOM.as_bytes()).unwrap_or(bytes)
}

/// Could one of `parts`' matches start on a line of `bytes`? Every match
/// (on one line, or across two) has `anchor` on a line it covers, so only
/// the lines around each occurrence of the anchor are decoded and searched;
/// a match found there is one in the source.
pub fn may_hold(bytes: &[u8], anchor: &Finder, parts: &[&str]) -> bool {
    let bytes = body(bytes);
    let mut from = 0;
    while let Some(at) = anchor.find(&bytes[from..]).map(|i| from + i) {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        // The line before and the line after, for matches across a break.
        let start = match line_start {
            0 => 0,
            s => memchr::memrchr(b'\n', &bytes[..s - 1]).map_or(0, |i| i + 1),
        };
        let end = match line_end {
            e if e >= bytes.len() => bytes.len(),
            e => memchr::memchr(b'\n', &bytes[e + 1..]).map_or(bytes.len(), |i| e + 1 + i),
        };
        let window = Source::for_lookup("", bytes[start..end].to_vec());
        if !super::in_source(&window, parts).is_empty() {
            return true;
        }
        from = line_end.max(at + 1);
    }
    false
}

/// `(line, words held)` of every line of `bytes` that holds one of `words`
/// or more (lower-cased, without white space; a word given twice counts
/// twice), as `Source::normalized(line).to_lowercase().contains(word)`
/// counts them: found with one search of the whole lower-cased text per
/// word, and checked on the normalized line only where that could differ.
pub fn held(bytes: &[u8], words: &[String]) -> Vec<(usize, usize)> {
    let bytes = body(bytes);
    let lines = source::split_line_bytes(bytes);
    let all = |_: usize| true;
    if words.len() > 64 {
        return (0..lines.len())
            .map(|i| (i + 1, held_exactly(&bytes[lines[i].clone()], words, all)))
            .filter(|&(_, n)| n > 0)
            .collect();
    }
    // Normalization joins white space (which no word holds) and folds
    // quote marks and dashes to ASCII `'`, `"` and `-`; lower-casing
    // changes ASCII letters as ASCII lower-casing does, and makes ASCII
    // letters of two other characters only (KELVIN SIGN, and the I of
    // CAPITAL I WITH DOT ABOVE). So a word of ASCII without those three
    // marks is held as found in the text lower-cased as ASCII, on any line
    // without those two characters.
    let plain = |w: &String| w.bytes().all(|b| b.is_ascii() && !b"'\"-".contains(&b));
    let plain_mask: u64 = (words.iter().enumerate())
        .filter(|(_, w)| plain(w))
        .fold(0, |m, (i, _)| m | 1 << i);
    let lower = bytes.to_ascii_lowercase();
    let starts: Vec<usize> = lines.iter().map(|r| r.start).collect();
    let mut masks = vec![0u64; lines.len()];
    for (w, word) in words.iter().enumerate() {
        for at in memchr::memmem::find_iter(&lower, word.as_bytes()) {
            let line = starts.partition_point(|&s| s <= at) - 1;
            if at + word.len() <= lines[line].end {
                masks[line] |= 1 << w;
            }
        }
    }
    let lowers_to_ascii = ["\u{212A}", "\u{0130}"].map(memchr::memmem::Finder::new);
    lines
        .iter()
        .zip(&masks)
        .enumerate()
        .filter_map(|(i, (r, &mask))| {
            let line = &bytes[r.clone()];
            let n = if line.is_ascii() {
                mask.count_ones() as usize
            } else if lowers_to_ascii.iter().any(|f| f.find(line).is_some()) {
                held_exactly(line, words, all)
            } else {
                let others = plain_mask != (1u64 << words.len()).wrapping_sub(1);
                (mask & plain_mask).count_ones() as usize
                    + if others {
                        held_exactly(line, words, |w| plain_mask & 1 << w == 0)
                    } else {
                        0
                    }
            };
            (n > 0).then_some((i + 1, n))
        })
        .collect()
}

/// How many of `words` (those `which` picks by index) the normalized,
/// lower-cased `line` holds.
fn held_exactly(line: &[u8], words: &[String], which: impl Fn(usize) -> bool) -> usize {
    let line = String::from_utf8_lossy(line);
    let line = text::normalize_str(&line).to_lowercase();
    (words.iter().enumerate())
        .filter(|&(i, w)| which(i) && line.contains(w.as_str()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|w| w.to_string()).collect()
    }

    /// `held` counts as the line-by-line count over a decoded source does,
    /// through CRLF, a byte-order mark, typographic and invalid bytes,
    /// white space and a word given twice.
    #[test]
    fn held_counts_as_the_decoded_lines_do() {
        let texts: [&[u8]; 6] = [
            b"The Guarantor countries\r\nwere  THERE\r\n\r\nguarantor\tcountries",
            "\u{FEFF}guarantor\ncountries\u{2019} were\n".as_bytes(),
            b"bad \xFF guarantor\nwere\r",
            b"",
            b"\n\nwere\n",
            "the \u{212A}ing\u{2019}s men \u{0130}stanbul said\u{2014}no".as_bytes(),
        ];
        let ws = words(&["guarantor", "countries'", "were", "were", "there"]);
        for bytes in texts {
            let s = Source::for_lookup("", bytes.to_vec());
            let expected: Vec<(usize, usize)> = (1..=s.lines.len())
                .map(|n| {
                    let line = s.normalized(n).to_lowercase();
                    (n, ws.iter().filter(|w| line.contains(w.as_str())).count())
                })
                .filter(|&(_, k)| k > 0)
                .collect();
            assert_eq!(
                held(bytes, &ws),
                expected,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            assert_eq!(source::split_line_bytes(body(bytes)).len(), s.lines.len());
        }
        // Characters that lower-case to ASCII letters, and folded marks.
        let bytes = texts[5];
        let ws = words(&["king's", "istanbul", "i\u{307}stanbul", "said-no", "men"]);
        let s = Source::for_lookup("", bytes.to_vec());
        let line = s.normalized(1).to_lowercase();
        let expected = ws.iter().filter(|w| line.contains(w.as_str())).count();
        assert_eq!(expected, 4);
        assert_eq!(held(bytes, &ws), [(1, expected)]);
    }

    #[test]
    fn may_hold_finds_matches_on_a_line_and_across_a_break_only() {
        let parts = ["countries were represented"];
        let anchor = Finder::new("represented");
        assert!(may_hold(
            b"a\nthe countries were represented\nb",
            &anchor,
            &parts
        ));
        assert!(may_hold(
            b"a\nthe countries\r\nwere represented\n",
            &anchor,
            &parts
        ));
        assert!(may_hold(
            "\u{FEFF}countries were\nrepresented".as_bytes(),
            &anchor,
            &parts
        ));
        // The words, but not together.
        assert!(!may_hold(
            b"countries\n\nwere represented\n",
            &anchor,
            &parts
        ));
        assert!(!may_hold(b"were represented\ncountries\n", &anchor, &parts));
    }
}
