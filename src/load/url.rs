//! URLs from the input that end up in an `href` or `src`: a source's `url`
//! (every note's "original" link and the provenance page), `base_url`, and
//! the links of Markdown written by the editor (pages and manifest notes).
//!
//! A browser reads a URL's scheme after dropping leading and trailing C0
//! controls and spaces and every tab and newline inside it (WHATWG URL), so
//! `"\tjava\nscript:"` is `javascript:`. The checks here read it the same way.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};
use toml::Spanned;

use crate::diagnostic::Diagnostic;

/// The scheme of `url` as a browser parses it, lower-cased; `None` for a
/// relative reference (`a/b`, `#x`, `//host/x`).
pub fn scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let mut chars = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let mut scheme = String::new();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => scheme.push(c.to_ascii_lowercase()),
        _ => return None,
    }
    for c in chars {
        match c {
            ':' => return Some(scheme),
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {
                scheme.push(c.to_ascii_lowercase());
            }
            _ => return None,
        }
    }
    None
}

/// Why `url` is not an absolute `http`/`https` URL, if it is not. Leading and
/// trailing white space is allowed (a browser drops it); control characters
/// (tab and newline included) are not (a browser drops some of them, which
/// hides a scheme). A space inside is percent-encoded by the browser.
pub fn web_url_problem(url: &str) -> Option<&'static str> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.chars().any(char::is_control) {
        return Some("holds a control character");
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Some("is not an http:// or https:// URL");
    };
    if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
        return Some("has no host");
    }
    None
}

/// May a Markdown link or image point at `dest`? Relative references and the
/// `http`, `https` and `mailto` schemes only; never `javascript:`, `data:`,
/// `vbscript:` or any other scheme.
pub fn link_allowed(dest: &str) -> bool {
    match scheme(dest) {
        None => true,
        Some(s) => matches!(s.as_str(), "http" | "https" | "mailto"),
    }
}

/// The destination of a link or image tag.
fn destination<'a>(tag: &'a Tag) -> Option<&'a str> {
    match tag {
        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => Some(dest_url),
        _ => None,
    }
}

/// Where to point at a refused link: the destination when it is written as
/// is inside the link's text `raw` (which starts at byte `at`), else the link.
fn marker(raw: &str, at: usize, dest: &str) -> Range<usize> {
    let trimmed = dest.trim();
    match raw.find(trimmed).filter(|_| !trimmed.is_empty()) {
        Some(i) => at + i..at + i + trimmed.len(),
        None => at..at + raw.len(),
    }
}

fn message(dest: &str) -> String {
    let shown: String = dest.chars().take(60).collect();
    format!(
        "link to `{}{}`: only http, https, mailto and relative links are allowed",
        shown.escape_debug(),
        if shown.len() < dest.len() { "…" } else { "" }
    )
}

const HELP: &str =
    "a link goes to a web page (https://…), an e-mail address (mailto:…) or a page of this site";

/// E004 for a Markdown link or image of a page whose destination is not
/// allowed; `range` is the event's byte range in `text`, the page file.
pub fn page_link(
    file: &str,
    text: &str,
    event: &Event,
    range: &Range<usize>,
) -> Option<Diagnostic> {
    let Event::Start(tag) = event else {
        return None;
    };
    let dest = destination(tag)?;
    if link_allowed(dest) {
        return None;
    }
    let raw = text.get(range.clone()).unwrap_or_default();
    Some(
        Diagnostic::at(
            "E004",
            file,
            text,
            marker(raw, range.start, dest),
            message(dest),
        )
        .with_help(HELP),
    )
}

/// The links of a Markdown text whose destinations are not allowed: the
/// byte range of each link in `markdown` and its destination.
pub fn refused_links(markdown: &str) -> Vec<(Range<usize>, String)> {
    Parser::new_ext(markdown, crate::load::markdown::options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(tag) => destination(&tag)
                .filter(|d| !link_allowed(d))
                .map(|d| (range, d.to_string())),
            _ => None,
        })
        .collect()
}

/// Checks a manifest entry's `url` (E006 unless `http`/`https`) and the links
/// of its Markdown `note` (E006 unless `http`, `https`, `mailto` or
/// relative), pointing into `text`, the manifest.
pub fn check_source(
    file: &str,
    text: &str,
    url: Option<&Spanned<String>>,
    note: Option<&Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(url) = url {
        if let Some(problem) = web_url_problem(url.get_ref()) {
            diags.push(
                Diagnostic::at(
                    "E006",
                    file,
                    text,
                    url.span(),
                    format!(
                        "invalid `url`: `{}` {problem}",
                        url.get_ref().escape_debug()
                    ),
                )
                .with_help(
                    "`url` is the address the text was taken from: http:// or https:// only",
                ),
            );
        }
    }
    if let Some(note) = note {
        let value = note.get_ref();
        let span = note.span();
        let raw = text.get(span.clone()).unwrap_or_default();
        for (range, dest) in refused_links(value) {
            // The link as written in the note, found in the TOML text (it is
            // not there when the TOML string escapes some of its characters).
            let link = &value[range];
            let at = match raw.find(link).filter(|_| !link.is_empty()) {
                Some(i) => marker(link, span.start + i, &dest),
                None => marker(raw, span.start, &dest),
            };
            let at = if at.end > span.end { span.clone() } else { at };
            diags.push(
                Diagnostic::at(
                    "E006",
                    file,
                    text,
                    at,
                    format!("invalid `note`: {}", message(&dest)),
                )
                .with_help(HELP),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bug_19_schemes_are_read_as_a_browser_reads_them() {
        assert_eq!(scheme("JavaScript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(
            scheme(" \u{1}\tjava\nscript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("https://x.org").as_deref(), Some("https"));
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("#x"), None);
        assert_eq!(scheme("//x.org/a"), None);
        assert_eq!(scheme("../a.html"), None);
        assert_eq!(scheme("&#106;avascript:x"), None);
    }

    #[test]
    fn bug_19_only_web_urls_and_relative_links_pass() {
        assert_eq!(web_url_problem("https://x.org/a"), None);
        assert_eq!(web_url_problem(" HTTP://X.ORG "), None);
        for bad in [
            "javascript:alert(1)",
            "\tjavascript:alert(1)",
            "java\tscript:alert(1)",
            "https://x.org/\u{0}",
            "data:text/html,x",
            "vbscript:x",
            "//x.org",
            "https://",
            "https:///x",
            "",
            "é",
        ] {
            assert!(web_url_problem(bad).is_some(), "{bad:?}");
        }
        for ok in [
            "https://x",
            "mailto:a@x.org",
            "../a/index.html",
            "#L3",
            "a.html?x=y:z",
        ] {
            assert!(link_allowed(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " JAVASCRIPT:x",
            "data:x",
            "vbscript:x",
            "file:///etc",
            "tel:1",
        ] {
            assert!(!link_allowed(bad), "{bad}");
        }
    }
}
