//! The citation grammar, case by case: groups, quotes and their escapes,
//! and the syntax errors (E004) with the spans they point at.

use super::*;

fn group(s: &str) -> Group {
    let at = s.find("[@").unwrap();
    assert!(starts_group(s, at), "{s}");
    parse_group(s, at).unwrap()
}

fn error(s: &str) -> SyntaxError {
    let at = s.find("[@").unwrap();
    assert!(starts_group(s, at), "{s}");
    parse_group(s, at).unwrap_err()
}

#[test]
fn single_line_without_quote() {
    let g = group("x [@newsmax:3] y");
    assert_eq!(g.span, 2..14);
    assert_eq!(g.citations.len(), 1);
    let c = &g.citations[0];
    assert_eq!(
        (c.key.as_str(), c.first, c.last, c.quote.as_deref()),
        ("newsmax", 3, 3, None)
    );
    assert_eq!(c.key_span, 4..11);
    assert_eq!(c.lines_span, 12..13);
}

#[test]
fn range_and_quote() {
    let g = group(r#"[@jpost:2-4 "the US will supervise"]"#);
    let c = &g.citations[0];
    assert_eq!((c.first, c.last), (2, 4));
    assert_eq!(c.quote.as_deref(), Some("the US will supervise"));
    assert_eq!(c.quote_span, Some(12..35));
}

#[test]
fn several_citations_with_curly_quotes_and_escapes() {
    let g = group("[@newsmax:3; @jpost:2 “will supervise”;@a_b-c.txt:1 \"say \\\"hi\\\" now\"]");
    let keys: Vec<_> = g.citations.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["newsmax", "jpost", "a_b-c.txt"]);
    assert_eq!(g.citations[1].quote.as_deref(), Some("will supervise"));
    assert_eq!(g.citations[2].quote.as_deref(), Some("say \"hi\" now"));
}

#[test]
fn only_a_backslash_before_a_quote_mark_escapes() {
    let g = group("[@a:1 \"a\\b \\\"x\\\"\"; @b:2 \"\\\"\"]");
    assert_eq!(g.citations[0].quote.as_deref(), Some("a\\b \"x\""));
    assert_eq!(g.citations[1].quote.as_deref(), Some("\""));
}

#[test]
fn a_curly_quote_may_hold_straight_quote_marks() {
    let g = group("[@a:2 “He said: \"we will see\" about”]");
    assert_eq!(
        g.citations[0].quote.as_deref(),
        Some("He said: \"we will see\" about")
    );
}

#[test]
fn quote_may_wrap_across_lines() {
    let g = group("[@a:1-2 \"one\n two\"]");
    assert_eq!(g.citations[0].quote.as_deref(), Some("one\n two"));
}

#[test]
fn handles_and_emails_are_not_citations() {
    for s in [
        "[@someone]",
        "[@someone ok]",
        "mail [@ x:1]",
        "[@:3]",
        "[@]",
    ] {
        let at = s.find("[@").unwrap();
        assert!(!starts_group(s, at), "{s}");
    }
}

#[test]
fn escaped_bracket_is_literal() {
    let s = r"a \[@newsmax:3] b [@jpost:1]";
    let starts: Vec<_> = group_starts(s).collect();
    assert_eq!(starts, vec![s.rfind("[@").unwrap()]);
}

#[test]
fn rejects_missing_line_number() {
    let e = error("[@newsmax:] x");
    assert_eq!(e.span, 10..11);
    assert!(e.message.contains("line number"));
}

#[test]
fn rejects_unclosed_group() {
    let e = error("see [@newsmax:3 \"q\"");
    assert_eq!(e.span, 4..6);
    assert!(e.message.contains("not closed"));
}

#[test]
fn rejects_unclosed_quote() {
    let e = error("[@newsmax:3 \"never ends]");
    assert_eq!(e.span, 12..13);
    assert!(e.message.contains("quote is not closed"));
}

#[test]
fn rejects_garbage_after_lines() {
    assert!(error("[@n:3x]").message.contains("unexpected character"));
    assert!(error("[@n:3 x]").message.contains("`;` or `]`"));
    assert!(error("[@n:3-]").message.contains("line number"));
    assert!(error("[@n:3; x]").message.contains("`@`"));
    assert!(error("[@n:3 \"\"]").message.contains("empty"));
}

#[test]
fn rejects_paths_as_keys() {
    for s in ["[@../etc/passwd:1]", "[@a/b:1]", "[@a\\b:1]", "[@..x:1]"] {
        let e = error(s);
        assert!(e.message.contains("is a path"), "{s}: {}", e.message);
    }
}

#[test]
fn reversed_and_zero_ranges_parse_for_the_verifier_to_reject() {
    let g = group("[@n:5-3]");
    assert_eq!((g.citations[0].first, g.citations[0].last), (5, 3));
    assert_eq!(group("[@n:0]").citations[0].first, 0);
}

#[test]
fn citation_span_covers_at_sign_to_quote_end() {
    let s = "[@n:3 \"q\"]";
    let g = group(s);
    assert_eq!(&s[g.citations[0].span()], "@n:3 \"q\"");
}

/// `quote_text` against the char-by-char rule it stands in for: read a char;
/// a backslash before `"` is a `"`; the closing mark ends the quote.
#[test]
fn quote_text_matches_the_char_rule() {
    fn by_chars(s: &str, from: usize, close: char) -> Option<(String, usize)> {
        let mut quote = String::new();
        let mut chars = s[from..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\\' && chars.peek().map(|&(_, n)| n) == Some('"') {
                chars.next();
                quote.push('"');
            } else if c == close {
                return Some((quote, from + i + c.len_utf8()));
            } else {
                quote.push(c);
            }
        }
        None
    }
    // Both closing marks, the escape, and characters sharing the curly
    // mark's first byte (’ and …: E2 80 99, E2 80 A6).
    let pieces = ["\"", "”", "“", "\\", "’", "…", "a", "é", " ", "]"];
    let mixes = crate::text::every_mix(&pieces, 5);
    assert!(mixes.len() > 100_000);
    for m in &mixes {
        for (open, close) in [("\"", '"'), ("“", '”')] {
            let s = format!("x{open}{m}");
            let from = 1 + open.len();
            assert_eq!(
                quote_text(&s, from, close),
                by_chars(&s, from, close),
                "{s:?}"
            );
        }
    }
}
