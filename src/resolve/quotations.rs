//! Quotations in the editor's own text (SPEC 3.2, E015): every passage of a
//! claim between double quotation marks must stand, normalized, in the lines
//! its citation group cites. A reader takes quotation marks as a promise
//! that these are someone's exact words; the build keeps it.
//!
//! The claim text (normalized, so `“…”` reads `"…"`) says which quotations
//! there are; only a quotation that fails is looked up in the page file for
//! its position, so a page without one is never read again.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::load::markdown::CiteGroup;
use crate::load::source::Source;
use crate::text;

use super::find::find_in_lines;
use super::model::Ref;
use super::verify::DiagText;

/// The passages between double quotation marks of a normalized claim (an
/// unclosed mark opens nothing).
pub(super) fn quotations(claim: &str) -> Vec<&str> {
    claim
        .split('"')
        .skip(1)
        .step_by(2)
        .zip(claim.split('"').skip(2).step_by(2))
        .map(|(q, _)| q)
        .collect()
}

/// The quotations of the page file between `from` and `to`, as byte spans
/// from the opening mark to the end of the closing one, with their text.
/// Tags (`<a href="…">`) and link destinations (`](… "title")`) hold no
/// quotation a reader sees.
pub(super) fn raw_quotations(text: &str, from: usize, to: usize) -> Vec<(Range<usize>, &str)> {
    let Some(slice) = text.get(from..to) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut skip_until: Option<char> = None;
    let mut prev = '\0';
    for (i, c) in slice.char_indices() {
        if let Some(end) = skip_until {
            if c == end {
                skip_until = None;
            }
            prev = c;
            continue;
        }
        match c {
            '<' if slice[i + 1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/') => {
                skip_until = Some('>')
            }
            '(' if prev == ']' => skip_until = Some(')'),
            '"' | '“' | '”' => match open {
                Some(at) if c != '“' => {
                    let end = i + c.len_utf8();
                    let opening = slice[at..].chars().next().map_or(1, char::len_utf8);
                    let inner = &slice[at + opening..i];
                    out.push((from + at..from + end, inner));
                    open = None;
                }
                _ => open = Some(i),
            },
            _ => {}
        }
        prev = c;
    }
    out
}

/// E015 for each quotation of group `g`'s claim that its verified `refs`
/// do not hold.
pub(super) fn check(
    g: &CiteGroup,
    refs: &[Ref],
    sources: &[Source],
    file: &str,
    text: &DiagText,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    // The claim keeps the editor's characters; quotations are read from its
    // normalized text, where curly double marks are straight ones.
    if !has_double_mark(&g.claim) {
        return errors;
    }
    let claim = text::normalize_str(&g.claim);
    let quoted = quotations(&claim);
    for (k, q) in quoted.iter().enumerate() {
        let parts = text::quote_parts(q);
        if parts.is_empty() {
            continue;
        }
        // A quotation inside the quotation is typed with single marks
        // (“a ‘fusion mechanism’”) where the source prints double ones.
        let nested = inner_marks_doubled(q);
        let nested_parts = text::quote_parts(&nested);
        let held = refs.iter().any(|r| {
            let s = &sources[r.source];
            find_in_lines(s, r.first, r.last, &parts).is_some()
                || (nested != *q && find_in_lines(s, r.first, r.last, &nested_parts).is_some())
        });
        if held {
            continue;
        }
        // Where the quotation stands in the file: the one with these words,
        // else the k-th, else the claim's start.
        let raw = raw_quotations(text.get(), g.claim_at, g.group.span.start);
        let span = raw
            .iter()
            .find(|(_, t)| text::normalize_str(t) == *q)
            .or_else(|| raw.get(k).filter(|_| raw.len() == quoted.len()))
            .map_or(g.claim_at..g.claim_at + 1, |(s, _)| s.clone());
        let shown = text::ellipsize(q, 60);
        let d = text.at(
            "E015",
            file,
            span,
            format!("the quotation \"{shown}\" is not in the lines this claim cites"),
        );
        errors.push(d.with_help(elsewhere(refs, sources, &parts)));
    }
    errors
}

/// Whether `s` holds a double quotation mark: `"` or one of U+201C–U+201F
/// and U+2033, each `E2 80 xx` in UTF-8, found by a byte search (a claim is
/// checked for them whether it quotes anyone or not).
fn has_double_mark(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr2_iter(b'"', 0xE2, b)
        .any(|i| b[i] == b'"' || matches!(b.get(i + 1..i + 3), Some([0x80, 0x9C..=0x9F | 0xB3])))
}

/// `q` with each single quotation mark that does not stand between two
/// letters (an apostrophe does: `Israel's`) written as a double one.
fn inner_marks_doubled(q: &str) -> String {
    let chars: Vec<char> = q.chars().collect();
    let letter = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    (0..chars.len())
        .map(|i| {
            if chars[i] == '\'' && !(letter(i.checked_sub(1)) && letter(Some(i + 1))) {
                '"'
            } else {
                chars[i]
            }
        })
        .collect()
}

/// Help for E015: where in the cited sources the words stand, if anywhere.
fn elsewhere(refs: &[Ref], sources: &[Source], parts: &[&str]) -> String {
    let mut seen: Vec<usize> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    for r in refs {
        if seen.contains(&r.source) {
            continue;
        }
        seen.push(r.source);
        let s = &sources[r.source];
        let lines: Vec<usize> = (1..=s.lines.len())
            .filter(|&l| find_in_lines(s, l, l, parts).is_some())
            .collect();
        if let Some(&l) = lines.first() {
            found.push(format!("{} line {l} (cite it as [@{}:{l}])", s.id, s.id));
        }
    }
    if found.is_empty() {
        "the cited lines do not hold these words: quote what the source prints, cite the line that holds them, or drop the quotation marks if they are not anyone's exact words".into()
    } else {
        format!(
            "the words stand in {}; add that citation to this group",
            found.join(" and in ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_mark_is_found_as_the_char_search_finds_it() {
        let marks = [
            '"', '\u{201C}', '\u{201D}', '\u{201E}', '\u{201F}', '\u{2033}',
        ];
        // Neighbours in UTF-8 (E2 80 9B, E2 80 A0, E2 80 B2, E2 81 9C) and
        // other marks are not double quotation marks.
        for s in [
            "",
            "plain words",
            "it\u{2019}s \u{2018}single\u{2019} \u{201B} \u{2020} \u{2032} \u{205C} \u{2014} «guillemets»",
            "a \"straight\" quote",
            "\u{201C}curly\u{201D}",
            "low \u{201E}German\u{201C}",
            "reversed \u{201F}",
            "ditto \u{2033}",
            "trailing E2 lead: \u{2014}",
            "日本語 \u{201D}",
        ] {
            assert_eq!(has_double_mark(s), s.contains(marks), "{s:?}");
        }
    }

    #[test]
    fn quotations_are_the_passages_between_double_marks() {
        assert_eq!(
            quotations(r#"He said "a 'b' c" and "d"."#),
            ["a 'b' c", "d"]
        );
        assert_eq!(quotations(r#"no quote, "unclosed"#), Vec::<&str>::new());
        assert_eq!(quotations("it's 'single'"), Vec::<&str>::new());
    }

    #[test]
    fn nested_single_marks_may_stand_for_the_source_s_double_ones() {
        assert_eq!(
            inner_marks_doubled("a joint 'fusion mechanism,' Israel's"),
            "a joint \"fusion mechanism,\" Israel's"
        );
    }

    #[test]
    fn raw_quotations_take_straight_and_curly_marks_and_line_breaks() {
        let t = "A “one\ntwo” and \"three\" <a href=\"x\">l</a> [l](u \"t\") end";
        let found: Vec<_> = raw_quotations(t, 0, t.len());
        let texts: Vec<&str> = found.iter().map(|(_, t)| *t).collect();
        assert_eq!(texts, ["one\ntwo", "three"]);
        assert_eq!(&t[found[0].0.clone()], "“one\ntwo”");
        assert_eq!(&t[found[1].0.clone()], "\"three\"");
    }
}
