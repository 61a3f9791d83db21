//! Unit tests of quote normalization and matching.
#[test]
fn normalize_str_agrees_with_normalize() {
    for s in [
        "",
        "   ",
        "plain words",
        "  lead and trail  ",
        "double  space",
        "tab\tand\nnewline\x0bvt\x0cff\rcr",
        "curly \u{2018}single\u{2019} and \u{201C}double\u{201D}",
        "em\u{2014}dash, en\u{2013}dash, minus\u{2212}",
        "no\u{a0}break\u{2009}thin\u{3000}ideographic",
        "\u{a0}\u{a0}starts with NBSP",
        "ends with NBSP\u{a0}",
        "ümlaut and 日本語 and emoji 🎉 mixed",
        "ASCII\u{1}control",
        "a\u{85}next line",
    ] {
        assert_eq!(super::normalize_str(s), super::normalize(s).text, "{s:?}");
    }
}

#[test]
fn normalize_str_agrees_with_normalize_on_every_short_mix() {
    let pieces = [" ", "\t", "a", ".", "\u{a0}", "“", "—", "\u{1}", "é"];
    for s in super::every_mix(&pieces, 5) {
        assert_eq!(super::normalize_str(&s), super::normalize(&s).text, "{s:?}");
    }
}

use super::*;

#[test]
fn whitespace_runs_collapse_and_trim() {
    assert_eq!(normalize_str("  a \t b\u{00A0}\u{00A0}c \n"), "a b c");
}

#[test]
fn nbsp_and_other_unicode_spaces_are_white_space() {
    assert_eq!(normalize_str("a\u{2009}b\u{3000}c\u{202F}d"), "a b c d");
    assert!(is_blank(" \u{00A0}\t\u{2003}"));
    assert!(is_blank(""));
    assert!(!is_blank(" x "));
}

#[test]
fn curly_quotes_primes_and_dashes_fold() {
    assert_eq!(
        normalize_str("\u{201C}it\u{2019}s\u{201D} \u{2018}x\u{2019} 5\u{2032}6\u{2033} a\u{2013}b\u{2014}c\u{2212}d\u{2010}e\u{2011}f\u{2012}g \u{201E}q\u{201F} \u{201A}r\u{201B}"),
        "\"it's\" 'x' 5'6\" a-b-c-d-e-f-g \"q\" 'r'"
    );
}

#[test]
fn the_fast_path_agrees_with_the_full_normalization() {
    for s in [
        "plain ascii line",
        "  padded  ",
        "tab\there",
        "a  b",
        "curly \u{201C}q\u{201D}",
        "nbsp\u{00A0}x",
        "",
        " ",
        "x\r",
    ] {
        assert_eq!(normalize_str(s), normalize(s).text, "{s:?}");
    }
}

#[test]
fn origin_maps_back_to_original_chars() {
    let n = normalize("  a\u{00A0} b");
    assert_eq!(n.text, "a b");
    assert_eq!(n.origin, vec![2, 3, 5]);
}

#[test]
fn matching_is_case_sensitive() {
    assert!(quote_occurs("The United States will", "United States"));
    assert!(!quote_occurs("The United States will", "united states"));
}

#[test]
fn matching_ignores_typography() {
    let line = "described as a \u{201C}fusion mechanism,\u{201D} will\u{00A0}function";
    assert!(quote_occurs(line, "a \"fusion mechanism,\" will function"));
    assert!(quote_occurs("a\u{2014}b", "a-b"));
    assert!(quote_occurs("a-b", "a\u{2013}b"));
}

#[test]
fn elisions_in_order_match() {
    let line = "Israel was represented by Ambassador to Washington Yechiel Leiter, and others";
    for q in [
        "Israel was represented ... Yechiel Leiter",
        "Israel was represented … Yechiel Leiter",
        "Israel was represented [...] Yechiel Leiter",
        "Israel was represented […] Yechiel Leiter",
        "Israel…represented…others",
    ] {
        assert!(quote_occurs(line, q), "{q}");
    }
}

#[test]
fn elisions_out_of_order_do_not_match() {
    let line = "Israel was represented by Ambassador Yechiel Leiter";
    assert!(!quote_occurs(
        line,
        "Yechiel Leiter ... Israel was represented"
    ));
}

#[test]
fn quote_across_a_line_range_matches_joined_text() {
    let joined = ["first line ends here", "second line begins"].join(" ");
    assert!(quote_occurs(&joined, "ends here second line"));
}

#[test]
fn only_elision_marks_is_no_quote() {
    assert!(!quote_occurs("anything", "..."));
    assert!(quote_parts("[...]").is_empty());
}

#[test]
fn quotes_split_at_the_first_mark_and_the_bracketed_mark_whole() {
    assert_eq!(quote_parts("a [...] b"), ["a", "b"]);
    assert_eq!(quote_parts("a […] b … c"), ["a", "b", "c"]);
    assert_eq!(quote_parts("a....b"), ["a", ".b"]);
    assert_eq!(quote_parts("a [.. b . c.. [… d"), ["a [.. b . c.. [", "d"]);
    assert_eq!(quote_parts("“é” — [x] ...[...]"), ["“é” — [x]"]);
    assert_eq!(quote_parts("no mark – at all"), ["no mark – at all"]);
}

#[test]
fn normalizing_neither_makes_nor_removes_an_elision_mark() {
    for q in [
        "a . . . b",
        "a.\u{2003}..b",
        "a [ ... ] b",
        "“a” … ‘b’",
        "a…b",
        "  ...  ",
        "a [\u{00A0}…] b",
        "a – b — c",
        "a..\n.b",
    ] {
        assert_eq!(has_elision(q), has_elision(&normalize_str(q)), "{q:?}");
    }
}

#[test]
fn find_parts_reports_the_whole_span() {
    assert_eq!(find_parts("abc def ghi", &["abc", "ghi"]), Some(0..11));
    assert_eq!(find_parts("abc def ghi", &["def"]), Some(4..7));
    assert_eq!(find_parts("abc def", &["def", "abc"]), None);
}

/// `find_parts` searches bytes; it finds what `str::find` finds, on text
/// whose characters share bytes (é is C3 A9, é̈ adds CC 88, ©: C2 A9).
#[test]
fn find_parts_matches_str_find() {
    fn by_str(haystack: &str, parts: &[&str]) -> Option<std::ops::Range<usize>> {
        let mut from = 0;
        let mut start = None;
        for part in parts {
            let at = from + haystack[from..].find(part)?;
            start.get_or_insert(at);
            from = at + part.len();
        }
        start.map(|s| s..from)
    }
    let pieces = ["a", "é", "\u{308}", "©", " "];
    let haystacks = every_mix(&pieces, 5);
    let needles = every_mix(&pieces, 2);
    for h in &haystacks {
        for n in &needles {
            assert_eq!(find_parts(h, &[n]), by_str(h, &[n]), "{h:?} {n:?}");
            assert_eq!(
                find_parts(h, &[n, "a"]),
                by_str(h, &[n, "a"]),
                "{h:?} {n:?}"
            );
        }
    }
}

#[test]
fn suggestions_are_near_misses_only() {
    let keys = ["newsmax", "jpost", "aljazeera"];
    assert_eq!(did_you_mean("newsmx", keys), Some("newsmax"));
    assert_eq!(did_you_mean("jpots", keys), Some("jpost"));
    assert_eq!(did_you_mean("reuters", keys), None);
}

#[test]
fn ellipsize_cuts_on_char_boundaries() {
    assert_eq!(ellipsize("héllo wörld", 5), "héllo…");
    assert_eq!(ellipsize("short", 10), "short");
}

#[test]
fn collapse_spaces_keeps_the_editor_s_characters() {
    assert_eq!(
        collapse_spaces("  “it’s” \n a\u{a0}\u{a0}b — c "),
        "“it’s” a b — c"
    );
    assert!(matches!(collapse_spaces("plain words"), Cow::Borrowed(_)));
    assert_eq!(collapse_spaces("a  b"), "a b");
    assert_eq!(collapse_spaces("a\tb"), "a b");
    for ws in ["\n", "\u{b}", "\u{c}", "\r", " \u{85}"] {
        assert_eq!(collapse_spaces(&format!("a{ws}b")), "a b", "{ws:?}");
    }
    // Not white space: kept, and the text borrowed.
    assert!(matches!(
        collapse_spaces("a\u{1f}b c"),
        Cow::Borrowed("a\u{1f}b c")
    ));
}

#[test]
fn collapse_spaces_borrows_exactly_when_the_char_rule_finds_nothing_to_collapse() {
    // The rule as it reads: no white space but single ASCII spaces.
    let by_chars = |t: &str| {
        let mut prev_space = false;
        t.chars().all(|c| {
            let ok = !(c.is_whitespace() && (c != ' ' || prev_space));
            prev_space = c == ' ';
            ok
        })
    };
    // Every white space char, and chars that share their lead bytes.
    let mut pieces: Vec<char> = (0..=0x3000u32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace())
        .collect();
    pieces.extend(['a', '—', '’', '\u{a9}', '\u{1681}', '\u{3001}', '\u{1f}']);
    for &x in &pieces {
        for &y in &pieces {
            for t in [format!("a{x}{y}b"), format!("a{x}b{y}c")] {
                let trimmed = t.trim_matches(char::is_whitespace);
                assert_eq!(
                    matches!(collapse_spaces(&t), Cow::Borrowed(_)),
                    by_chars(trimmed),
                    "{t:?}"
                );
            }
        }
    }
}

#[test]
fn ellipsize_words_never_cuts_inside_a_word() {
    assert_eq!(ellipsize_words("short", 10), "short");
    assert_eq!(ellipsize_words("one two three", 13), "one two three");
    assert_eq!(ellipsize_words("one two three", 9), "one two…");
    assert_eq!(ellipsize_words("one two three", 7), "one two…");
    assert_eq!(ellipsize_words("one two, three", 10), "one two…");
    assert_eq!(ellipsize_words("abcdefghij", 4), "abcd…");
    assert_eq!(ellipsize_words("ümlaut wörds here", 9), "ümlaut…");
}

#[test]
fn word_diff_marks_changed_words() {
    assert_eq!(
        word_diff("will oversee the channel", "will supervise the mechanism"),
        "will [-oversee-] {+supervise+} the [-channel-] {+mechanism+}"
    );
    assert_eq!(word_diff("a b", "a b"), "a b");
}

#[test]
fn closest_passage_finds_the_window_sharing_most_words() {
    let hay = "Under the agreement, the United States will supervise the mechanism today";
    let (r, shared) = closest_passage(hay, "will oversee the mechanism").unwrap();
    assert_eq!(&hay[r], "will supervise the mechanism");
    assert_eq!(shared, 3);
    assert_eq!(closest_passage("", "x"), None);
}

#[test]
fn char_to_byte_is_char_indices_nth() {
    let long_ascii = "a plain line of news wire text, long enough for runs".repeat(3);
    let mixed = format!("{long_ascii} \u{201C}quoted\u{201D} \u{2014} ü 日本 🎉 {long_ascii}é");
    for s in [
        "",
        "a",
        "é",
        "🎉",
        "ab日",
        long_ascii.as_str(),
        mixed.as_str(),
    ] {
        let count = s.chars().count();
        for n in 0..count + 20 {
            let want = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
            assert_eq!(char_to_byte(s, n), want, "{s:?} char {n}");
        }
    }
}
