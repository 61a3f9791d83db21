//! What a source printed (SPEC 3.3): the words a citation quotes, cut from
//! the source line in the source's own characters (its dashes, quotation
//! marks and spaces, `…` where the editor elided words), and whether the
//! outlet prints them inside quotation marks, quoting someone, or writes
//! them itself. Notes, `/claims/` and provenance back-links show the same.

use std::ops::Range;

use crate::load::source::Source;
use crate::resolve::Ref;
use crate::text;

/// The quoted words as the source prints them, and whether the source
/// stands them between quotation marks. `None` for a line-only citation.
pub(crate) fn quote(s: &Source, r: &Ref) -> Option<(String, bool)> {
    let q = r.quote.as_deref()?;
    let Some(m) = &r.matched else {
        return Some((text::normalize_str(q).into_owned(), false));
    };
    let bytes = m.bytes();
    // Without an elision mark the quote is the whole match (what
    // `quoted_spans` would say), the common case.
    let whole = |s: &Source| one_line(&s.text[bytes.clone()]);
    let shown = if !text::has_elision(q) {
        whole(s)
    } else {
        let spans = quoted_spans(s, r);
        if spans == [m.chars()] {
            whole(s)
        } else {
            spans
                .into_iter()
                .map(|p| one_line(s.char_slice(p.start, p.end)))
                .collect::<Vec<_>>()
                .join(" … ")
        }
    };
    Some((shown, quoting(s, bytes)))
}

/// The char ranges, in the source's text, of the words a citation quotes:
/// the matched passage, or each part of it where the editor elided words
/// (SPEC 3.2, the verifier's own normalization). Empty without a match.
pub(crate) fn quoted_spans(s: &Source, r: &Ref) -> Vec<Range<usize>> {
    let (Some(q), Some(m)) = (r.quote.as_deref(), r.matched.as_ref()) else {
        return Vec::new();
    };
    // Normalizing neither makes nor removes an elision mark: without one,
    // the quote is one part, the whole match.
    if !text::has_elision(q) {
        return vec![m.chars()];
    }
    let normalized = text::normalize_str(q);
    let parts = text::quote_parts(&normalized);
    if parts.len() <= 1 {
        return vec![m.chars()];
    }
    // Each part where it stands in the matched region.
    let n = text::normalize(&s.text[m.bytes()]);
    let mut from = 0;
    let mut spans = Vec::new();
    for p in &parts {
        let Some(at) = n.text[from..].find(p).map(|a| a + from) else {
            break;
        };
        let end = at + p.len();
        let c0 = n.text[..at].chars().count();
        let c1 = c0 + n.text[at..end].chars().count();
        let start = m.chars().start;
        spans.push(start + n.origin[c0] as usize..start + n.origin[c1 - 1] as usize + 1);
        from = end;
    }
    spans
}

/// Runs of white space that hold a line break become one space: a range's
/// lines are read as one text.
fn one_line(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_string();
    }
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the text at `bytes` in the text of `s` stands inside quotation
/// marks on its line (or begins with one).
fn quoting(s: &Source, bytes: Range<usize>) -> bool {
    let line = s
        .lines
        .partition_point(|l| l.start <= bytes.start)
        .saturating_sub(1);
    let Some(line_start) = s.lines.get(line).map(|l| l.start) else {
        return false;
    };
    let before = &s.text[line_start..bytes.start];
    let matched = &s.text[bytes];
    if matched.starts_with(['"', '“', '‘', '«']) {
        return true;
    }
    inside_marks(before)
}

/// After `before`, is a quotation open? Straight double marks alternate;
/// curly ones open and close; a `’` between two letters is an apostrophe.
/// Only the marks are visited, found by their first byte (`"`, and 0xE2 or
/// 0xC2, which begin `“ ” ‘ ’` and `« »`): a quote's line is read up to it
/// for every citation shown.
pub(crate) fn inside_marks(before: &str) -> bool {
    let (mut straight, mut double, mut single, mut guillemet) = (false, 0i32, 0i32, 0i32);
    // Each is a lead byte or ASCII, so `at` is a char boundary.
    for at in memchr::memchr3_iter(b'"', 0xE2, 0xC2, before.as_bytes()) {
        let mut rest = before[at..].chars();
        let Some(c) = rest.next() else { break };
        let between_letters = || {
            before[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && rest.clone().next().is_some_and(char::is_alphanumeric)
        };
        match c {
            '"' => straight = !straight,
            '“' => double += 1,
            '”' => double = (double - 1).max(0),
            '‘' => single += 1,
            '’' if !between_letters() => single = (single - 1).max(0),
            '«' => guillemet += 1,
            '»' => guillemet = (guillemet - 1).max(0),
            _ => {}
        }
    }
    straight || double > 0 || single > 0 || guillemet > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Matched;
    use std::sync::Arc;

    fn cite(line: &str, q: &str) -> Option<(String, bool)> {
        let s = Source::from_bytes("a.txt", line.as_bytes()).unwrap();
        let parts_src = text::normalize_str(q).into_owned();
        let parts = text::quote_parts(&parts_src);
        let matched =
            crate::resolve::find_in_lines(&s, 1, 1, &parts).and_then(|m| Matched::new(&s, m));
        let r = Ref {
            source: 0,
            first: 1,
            last: 1,
            quote: Some(Arc::from(q)),
            matched,
        };
        quote(&s, &r)
    }

    #[test]
    fn the_quote_is_cut_from_the_source_in_its_own_characters() {
        let (shown, quoting) = cite(
            "Talks – in Paris – on a “fusion mechanism”.",
            "Talks - in Paris - on a \"fusion mechanism\"",
        )
        .unwrap();
        assert_eq!(shown, "Talks – in Paris – on a “fusion mechanism”");
        assert!(!quoting);
    }

    #[test]
    fn elisions_show_an_ellipsis_between_the_source_s_words() {
        let (shown, _) = cite("One  two, three — four five.", "One two ... four").unwrap();
        assert_eq!(shown, "One  two … four");
    }

    #[test]
    fn words_inside_the_source_s_quotation_marks_are_someone_quoted() {
        assert!(
            cite("He said “we will — soon” today.", "we will - soon")
                .unwrap()
                .1
        );
        assert!(
            cite("He said \"we will soon\" today.", "will soon")
                .unwrap()
                .1
        );
        assert!(
            !cite("Israel’s envoy said it today.", "envoy said")
                .unwrap()
                .1
        );
        assert!(!cite("“A,” he said, and left.", "he said").unwrap().1);
    }

    /// The rule of [`inside_marks`] read char by char, as it is stated.
    fn inside_marks_by_chars(before: &str) -> bool {
        let (mut straight, mut double, mut single, mut guillemet) = (false, 0i32, 0i32, 0i32);
        let chars: Vec<char> = before.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            let letter = |i: Option<usize>| {
                i.and_then(|i| chars.get(i))
                    .is_some_and(|c| c.is_alphanumeric())
            };
            let between_letters = letter(k.checked_sub(1)) && letter(Some(k + 1));
            match c {
                '"' => straight = !straight,
                '“' => double += 1,
                '”' => double = (double - 1).max(0),
                '‘' => single += 1,
                '’' if !between_letters => single = (single - 1).max(0),
                '«' => guillemet += 1,
                '»' => guillemet = (guillemet - 1).max(0),
                _ => {}
            }
        }
        straight || double > 0 || single > 0 || guillemet > 0
    }

    #[test]
    fn only_the_marks_are_visited_with_the_same_verdict() {
        // Every string of up to four of these pieces: marks, letters, and
        // other chars that share the marks' first bytes (`—`, `é`, `€`).
        let pieces = [
            "\"", "“", "”", "‘", "’", "«", "»", "a", "9", " ", "—", "é", "€", "¡",
        ];
        let strings = text::every_mix(&pieces, 4);
        assert!(strings.len() > 40_000);
        for s in &strings {
            assert_eq!(inside_marks(s), inside_marks_by_chars(s), "{s:?}");
        }
    }

    #[test]
    fn an_apostrophe_between_letters_closes_no_quotation() {
        assert!(inside_marks("He said ‘the envoy’s "));
        assert!(!inside_marks("He said ‘the envoys’ "));
        assert!(
            !inside_marks("‘it’"),
            "a mark with no letter after it closes"
        );
        assert!(!inside_marks("‘a’ b"));
        assert!(inside_marks("« x « y » "));
        assert!(!inside_marks("\"a\" “b” c"));
        assert!(!inside_marks(""));
    }
}
