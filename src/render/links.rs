//! Addresses and ids every page kind links by: relative roots, percent-encoded
//! segments, claim ids and anchors, provenance and listing URLs, and the short
//! names sources are shown under. One place, so that a link made on one page
//! kind finds the id another page kind gave.

use std::fmt::Write as _;

use super::markup::{display_date, push_num, Markup};
use crate::load::source::Source;
use crate::resolve::Site;
use crate::text;

/// `../` repeated for a page at URL path `url` (`""`, `a/`, `x/b/`).
pub(crate) fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// A byte that stays as it is in a percent-encoded path segment.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` percent-encoded as a path segment, or as a path when `slash`
/// (its `/`s kept).
fn push_encoded(out: &mut String, s: &str, slash: bool) {
    // Most ids, file names and page paths need no encoding: one copy.
    if s.bytes().all(|b| unreserved(b) || (slash && b == b'/')) {
        out.push_str(s);
        return;
    }
    for b in s.bytes() {
        if unreserved(b) || (slash && b == b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Percent-encodes a path segment (ids and file names are usually plain).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s, false);
    out
}

/// Percent-encodes a site-relative path (`x/b c/`): each segment as by
/// [`encode_segment`], the `/`s kept. Every href or URL built from a page
/// path or slug goes through this.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_encoded(&mut out, path, true);
    out
}

/// Appends the site-relative path of source `id`'s provenance page.
fn push_source_url(out: &mut String, id: &str) {
    out.push_str("sources/");
    push_encoded(out, id, false);
    out.push('/');
}

/// Site-relative path of a source's provenance page.
pub(crate) fn source_url(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 9);
    push_source_url(&mut out, id);
    out
}

/// Href of line `line` of source `id`'s provenance page, from a page at
/// `root`: every citation on every page links one.
pub(crate) fn line_href(root: &str, id: &str, line: usize) -> String {
    let mut out = String::with_capacity(root.len() + id.len() + 26);
    out.push_str(root);
    push_source_url(&mut out, id);
    out.push_str("index.html#L");
    push_num(&mut out, line);
    out
}

/// Href of the page at site path `url` from a page at `root`; `extra`
/// room is left for a fragment.
pub(crate) fn page_href(root: &str, url: &str, extra: usize) -> String {
    let mut href = String::with_capacity(root.len() + url.len() + 10 + extra);
    href.push_str(root);
    push_encoded(&mut href, url, true);
    href.push_str("index.html");
    href
}

/// Href of a claim's marker from a page at `root`.
pub(crate) fn claim_href(site: &Site, claim: usize, root: &str) -> String {
    let c = &site.claims[claim];
    let mut href = page_href(root, &site.pages[c.page].page.url, 10);
    href.push_str("#r-");
    push_num(&mut href, c.note);
    href
}

/// `line 3` or `lines 3–5`.
pub(crate) fn lines_label(first: usize, last: usize) -> String {
    let mut out = String::with_capacity(16);
    if first == last {
        out.push_str("line ");
        push_num(&mut out, first);
    } else {
        out.push_str("lines ");
        push_num(&mut out, first);
        out.push('–');
        push_num(&mut out, last);
    }
    out
}

/// Percent-encoding for a text fragment term: everything but unreserved
/// characters, so `-`, `,` and `&` (fragment syntax) are always encoded.
fn encode_fragment_term(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `URL#:~:text=…` for a quote (first and last part of an elided quote).
pub(crate) fn text_fragment(url: &str, quote: &str) -> String {
    let normalized = text::normalize_str(quote);
    let parts = text::quote_parts(&normalized);
    let base = url.split('#').next().unwrap_or(url);
    match parts.as_slice() {
        [] => base.to_string(),
        [one] => format!("{base}#:~:text={}", encode_fragment_term(one)),
        [first, .., last] => format!(
            "{base}#:~:text={},{}",
            encode_fragment_term(first),
            encode_fragment_term(last)
        ),
    }
}

/// A page URL as a CSS-safe id part, one-to-one: letters, digits and `-`
/// stay, `/` becomes `_s`, anything else `_xHEX_`. So `/x/b/` (`x_sb`) and
/// `/x-b/` (`x-b`) differ, and `#c-…` works as a CSS selector as it is.
/// Appended to `out`.
fn push_id_part(out: &mut String, url: &str) {
    // Runs of kept chars are copied whole.
    let mut run = 0;
    for (i, c) in url.char_indices() {
        if c.is_alphanumeric() || c == '-' {
            continue;
        }
        out.push_str(&url[run..i]);
        run = i + c.len_utf8();
        if c == '/' {
            out.push_str("_s");
        } else {
            let _ = write!(out, "_x{:x}_", u32::from(c));
        }
    }
    out.push_str(&url[run..]);
}

/// Stable id of a claim: its page's URL and the note number; `c-N` on the
/// home page.
pub(crate) fn claim_id(site: &Site, claim: usize) -> String {
    let c = &site.claims[claim];
    let url = site.pages[c.page].page.url.trim_end_matches('/');
    let mut id = String::with_capacity(url.len() + 12);
    id.push_str("c-");
    if !url.is_empty() {
        push_id_part(&mut id, url);
        id.push('-');
    }
    push_num(&mut id, c.note);
    id
}

/// Row id of a member. Ids are slugs (letters, digits, `-`), so `_` keeps
/// delegation `a` + member `b-c` apart from delegation `a-b` + member `c`.
pub(crate) fn member_anchor(delegation: &str, member: &str) -> String {
    format!("m-{delegation}_{member}")
}

/// The name readers see for a source in notes, tables, rosters and indexes:
/// its `label` (default: the publisher, else `Source N`), with "(inferred)"
/// when that name is a publisher the editor inferred. Never the citation key.
pub(crate) fn short_name(s: &Source) -> String {
    let label = s.label();
    if s.label_is_inferred() {
        format!("{label} (inferred)")
    } else {
        label
    }
}

/// The publisher as `/sources/` and the provenance page state it: "(inferred)"
/// when the editor inferred it.
pub(crate) fn publisher(s: &Source) -> String {
    match &s.meta.publisher {
        Some(p) if s.meta.publisher_inferred => format!("{p} (inferred)"),
        Some(p) => p.clone(),
        None => "Publisher not stated".into(),
    }
}

/// The title as a reader should take it: a headline in quotation marks, or,
/// when the manifest gives none, the text's opening words, labelled as such.
pub(crate) fn title_text(s: &Source) -> String {
    if s.title_is_opening_words() {
        format!("Opening words: “{}”", s.title())
    } else {
        format!("“{}”", s.title())
    }
}

/// A note's naming of a source: its name, then, where the page first cites
/// it (`with_title`), its title or opening words (SPEC 3.3).
/// The name and title are written into place: [`short_name`] and
/// [`title_text`] say the same, a note at a time.
pub(crate) fn cite_source_html(s: &Source, with_title: bool) -> String {
    let mut out = Markup::with_capacity(160);
    out.raw("<span class=\"cite-source\">").text(&s.label());
    if s.label_is_inferred() {
        out.raw(" (inferred)");
    }
    out.raw("</span>");
    let title = if with_title { s.title() } else { String::new() };
    if !title.is_empty() {
        let opening = s.title_is_opening_words();
        out.raw(if opening {
            " <span class=\"cite-title opening-words\">Opening words: “"
        } else {
            " <span class=\"cite-title\">“"
        });
        out.text(&title).raw("”</span>");
    }
    out.0
}

/// A note's links out, like Wikipedia's access-date and archive links: the
/// original (with a text fragment for `quote`) and its archived copy, the
/// archive first when the original is dead; then the retrieval date.
pub(crate) fn original_links_html(s: &Source, quote: Option<&str>) -> String {
    let mut out = Markup::with_capacity(200);
    let original = s.meta.url.as_ref().map(|u| match quote {
        Some(q) => text_fragment(u, q),
        None => u.clone(),
    });
    let archive = s.meta.archive_url.as_deref();
    match (&original, archive) {
        (Some(o), Some(a)) if s.meta.url_dead => {
            out.raw("<a class=\"cite-archive\" href=\"")
                .text(a)
                .raw("\">Archived copy</a> (<a class=\"cite-original\" href=\"")
                .text(o)
                .raw("\">original article</a>, no longer online)");
        }
        (Some(o), archive) => {
            out.raw("<a class=\"cite-original\" href=\"")
                .text(o)
                .raw("\">Original article</a>");
            if s.meta.url_dead {
                out.raw(" (no longer online)");
            }
            if let Some(a) = archive {
                out.raw(" (<a class=\"cite-archive\" href=\"")
                    .text(a)
                    .raw("\">archived copy</a>)");
            }
        }
        (None, Some(a)) => {
            out.raw("<a class=\"cite-archive\" href=\"")
                .text(a)
                .raw("\">Archived copy</a>");
        }
        (None, None) => {}
    }
    if let Some(r) = &s.meta.retrieved {
        if !out.0.is_empty() {
            out.raw(". ");
        }
        out.raw("<span class=\"cite-retrieved\">Retrieved <time datetime=\"")
            .text(r)
            .raw("\">")
            .text(&display_date(r))
            .raw("</time></span>");
    }
    out.0
}

/// A site path as an absolute URL when `base_url` is set, else relative to `root`.
pub(crate) fn link(site: &Site, root: &str, path: &str) -> String {
    let base = site.config.base();
    let prefix = base.as_deref().unwrap_or(root);
    let mut out = String::with_capacity(prefix.len() + path.len());
    out.push_str(prefix);
    out.push_str(path);
    out
}

pub(crate) fn verbatim_path(s: &Source) -> String {
    format!("{}{}", source_url(&s.id), encode_segment(s.file_name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_relative() {
        assert_eq!(root_of(""), "");
        assert_eq!(root_of("a/"), "../");
        assert_eq!(root_of("x/b/"), "../../");
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(encode_segment("000_ab.txt"), "000_ab.txt");
        assert_eq!(encode_path("q?/a b#/é/"), "q%3F/a%20b%23/%C3%A9/");
        assert_eq!(encode_path(""), "");
        // Plain input is copied as it is; a segment still encodes its `/`.
        assert_eq!(
            encode_path("section-01/page_2.x~/"),
            "section-01/page_2.x~/"
        );
        assert_eq!(encode_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn encoding_matches_a_byte_by_byte_reference() {
        let reference = |s: &str, slash: bool| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (slash && b == b'/') {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        for s in [
            "", "a", "a/b/", "/", "a b", "ü/x", "%", "a/b c/d", "~.-_", "\u{0}/",
        ] {
            assert_eq!(encode_segment(s), reference(s, false), "{s:?}");
            assert_eq!(encode_path(s), reference(s, true), "{s:?}");
        }
    }

    fn id_part(url: &str) -> String {
        let mut out = String::new();
        push_id_part(&mut out, url);
        out
    }

    /// `cite_source_html` writes `short_name` and `title_text` in place:
    /// the same words, escaped, for every kind of label and title.
    #[test]
    fn a_note_names_its_source_as_short_name_and_title_text_do() {
        let mut s = Source::from_bytes("a.txt", b"\n  First <words> & more\nrest\n").unwrap();
        for (title, publisher, inferred) in [
            (Some("A <b> & \"c\""), Some("Pub & Co"), false),
            (None, Some("Pub & Co"), true),
            (None, None, false),
        ] {
            s.meta.title = title.map(String::from);
            s.meta.publisher = publisher.map(String::from);
            s.meta.publisher_inferred = inferred;
            let esc = |t: &str| {
                let mut out = String::new();
                crate::escape::escape_into(&mut out, t);
                out
            };
            let html = cite_source_html(&s, true);
            assert!(html.starts_with(&format!(
                "<span class=\"cite-source\">{}</span>",
                esc(&short_name(&s))
            )));
            assert!(
                html.contains(&format!("\">{}</span>", esc(&title_text(&s)))),
                "{html}"
            );
            assert_eq!(
                cite_source_html(&s, false),
                format!(
                    "<span class=\"cite-source\">{}</span>",
                    esc(&short_name(&s))
                )
            );
        }
    }

    #[test]
    fn line_links_and_labels() {
        assert_eq!(line_href("../", "a b", 3), "../sources/a%20b/index.html#L3");
        assert_eq!(
            line_href("", "newsmax", 12),
            "sources/newsmax/index.html#L12"
        );
        assert_eq!(source_url("a/b"), "sources/a%2Fb/");
        assert_eq!(lines_label(3, 3), "line 3");
        assert_eq!(lines_label(3, 15), "lines 3–15");
    }

    #[test]
    fn id_parts_are_one_to_one_and_css_safe() {
        assert_eq!(id_part("differences"), "differences");
        assert_eq!(id_part("x/b"), "x_sb");
        assert_eq!(id_part("x-b"), "x-b");
        assert_eq!(id_part("x_sb"), "x_x5f_sb");
        assert_eq!(id_part("a.b"), "a_x2e_b");
        // Letters beyond ASCII stay; a mark at either end is encoded too.
        assert_eq!(id_part("café/ü"), "café_sü");
        assert_eq!(id_part("/a b—"), "_sa_x20_b_x2014_");
    }
}
