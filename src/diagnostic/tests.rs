//! Unit tests of `diagnostic.rs`.

use super::*;

#[test]
fn position_is_one_based_in_chars() {
    let text = "+++\ntitle = \"x\"\n+++\nÉté [@newsmax:3 \"q\"]\n";
    let at = text.find("[@").unwrap();
    let d = Diagnostic::at("E001", "content/a.md", text, at..at + 2, "m");
    assert_eq!((d.line, d.column), (4, 5));
}

#[test]
fn renders_in_the_spec_format() {
    let text = "line one\nThe US will supervise it [@newsmax:3 \"will oversee\"].\n";
    let start = text.find("\"will").unwrap();
    let d = Diagnostic::at(
        "E003",
        "content/_index.md",
        text,
        start..start + 14,
        "quote not found in newsmax line 3",
    )
    .with_help("newsmax line 3 reads: \"Under the agreement\"");
    let out = d.render(false);
    assert!(
        out.starts_with("error[E003]: quote not found in newsmax line 3\n"),
        "{out}"
    );
    assert!(out.contains("--> content/_index.md:2:38"), "{out}");
    assert!(out.contains("2 | The US will supervise it"), "{out}");
    assert!(out.contains("^^^^^^^^^^^^^^"), "{out}");
    assert!(out.contains("= help: newsmax line 3 reads"), "{out}");
}

#[test]
fn file_level_diagnostics_name_the_file() {
    let d = Diagnostic::file("W001", "sources/a.txt", "source never cited");
    let out = d.render(false);
    assert!(
        out.starts_with("warning[W001]: source never cited"),
        "{out}"
    );
    assert!(out.contains("--> sources/a.txt"), "{out}");
}

#[test]
fn crlf_lines_are_shown_without_cr() {
    let text = "a\r\nbad here\r\n";
    let d = Diagnostic::at("E004", "x.md", text, 3..6, "m");
    assert_eq!((d.line, d.column), (2, 1));
    assert!(!d.render(false).contains('\r'));
}

#[test]
fn bug_14_a_span_on_the_cr_of_a_crlf_line_is_clamped_to_the_shown_line() {
    let text = "title = \"Home\r\nnext\r\n";
    let cr = text.find('\r').unwrap();
    for span in [cr..cr + 1, cr..cr + 2, cr + 1..cr + 2, cr..text.len()] {
        let d = Diagnostic::at("E006", "site.toml", text, span.clone(), "m");
        assert_eq!(d.line, 1, "{span:?}");
        let out = d.render(false);
        assert!(!out.contains('\r'), "{out:?}");
        assert!(out.contains("title = \"Home"), "{out}");
    }
}

#[test]
fn bug_23_the_line_index_agrees_with_counting() {
    let text = "ab\r\nÉté x\n\nlast line é\nno newline";
    let ix = LineIndex::new(text);
    let scoped: Vec<(usize, usize)> = with_line_index(text, || {
        (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| {
                let d = Diagnostic::at("E004", "f", text, i..i + 1, "m");
                (d.line, d.column)
            })
            .collect()
    });
    let boundaries = (0..=text.len()).filter(|&i| text.is_char_boundary(i));
    for (k, i) in boundaries.enumerate() {
        let plain = Diagnostic::at("E004", "f", text, i..i + 1, "m");
        let indexed = Diagnostic::at_indexed("E004", "f", text, &ix, i..i + 1, "m");
        assert_eq!(plain, indexed, "at {i}");
        assert_eq!((plain.line, plain.column), scoped[k], "at {i}");
    }
}

#[test]
fn bug_23_excerpts_are_a_bounded_window_of_the_line() {
    let line = "word ".repeat(10_000);
    let text = format!("first\n{line}\n");
    let at = 6 + 25_000;
    let d = Diagnostic::at("E004", "f", &text, at..at + 4, "m");
    assert_eq!((d.line, d.column), (2, 25_001));
    let (shown, cols) = d.excerpt.as_deref().unwrap();
    assert!(shown.chars().count() <= EXCERPT_CHARS + 2, "{shown}");
    assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
    let marked: String = shown.chars().skip(cols.start).take(cols.len()).collect();
    assert_eq!(marked, "word");
    let out = d.render(false);
    assert!(out.contains("--> f:2:25001"), "{out}");
}

#[test]
fn bug_23_printing_is_capped_per_file() {
    let many: Vec<Diagnostic> = (0..250)
        .map(|i| Diagnostic::file("E004", if i < 230 { "a.md" } else { "b.md" }, "m"))
        .collect();
    let out = render_all(&many, false);
    assert_eq!(out.len(), 100 + 1 + 20);
    assert_eq!(out[100], "and 130 more errors in a.md");
}
