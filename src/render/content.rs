//! Content pages: Markdown pieces -> HTML with numbered note markers, and the
//! notes list (citations and editorial footnotes in one numbering).
//!
//! Ids are derived from position on the page (note numbers, heading text), so
//! they are stable across builds and unique per page.

use serde::Serialize;

use super::chrome::{Base, Chrome};
use super::head;
use super::links::{cite_source_html, line_href, lines_label, original_links_html, root_of};
use super::markup::Markup;
use super::theme::{Handed, Theme};
use super::verbatim;
use crate::diagnostic::Diagnostic;
use crate::load::body::{ref_id, NoteKind, Segment, TocEntry};
use crate::load::markdown::Shortcode;
use crate::resolve::{Ref, ResolvedPage, Site};
use crate::text;
use crate::write::Output;

/// Renders a shortcode's fragment for a page at `root` whose claims are
/// `claims`. Rosters and claims tables belong to other page kinds; the plan
/// hands their renderers in, so that this page kind does not name them.
pub(crate) type Shortcodes<'a> =
    dyn Fn(&Shortcode, &str, std::ops::Range<usize>) -> Result<String, Diagnostic> + Sync + 'a;

pub(crate) struct Ctx<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub shortcodes: &'a Shortcodes<'a>,
}

/// One verified reference as a note shows it.
pub(crate) struct CiteView {
    /// The source's name and title (or opening words), as HTML.
    source_html: String,
    href: String,
    lines: String,
    quoted: bool,
    /// The source is quoting someone in the quoted words (else they are
    /// the outlet's own); `None` for a line-only citation.
    quoting: Option<bool>,
    /// The name the voice sentence uses ("These are X’s own words.").
    speaker: String,
    summary: String,
    line_text: String,
    /// Links to the original and its archive, and the retrieval date, as HTML.
    original_html: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: String,
    description: Option<String>,
    date: Option<String>,
    date_display: Option<String>,
    toc: &'a [TocEntry],
    /// The body, as HTML: handed over when rendered.
    body: Handed,
    /// The notes, as HTML (empty when the page has none): handed over.
    notes_html: Handed,
    /// "Published … · Updated …", the corrections and "Cite this page", as HTML.
    dates_html: String,
    corrections_html: String,
    cite_html: String,
}

#[derive(Serialize)]
struct View<'a> {
    base: Base<'a>,
    page: PageView<'a>,
}

/// The most characters of the cited lines a note shows.
const NOTE_LINE_CHARS: usize = 600;

/// The cited lines as a note shows them: whole when short; otherwise a
/// window of [`NOTE_LINE_CHARS`] around the matched quote (or from the
/// start), with `…` where text is left out. Each note carries its lines, so
/// a very long line cited many times must not be copied whole each time.
fn shortened<'a>(lines: String, matched: impl FnOnce() -> Option<&'a str>) -> String {
    if lines.len() <= NOTE_LINE_CHARS || lines.chars().count() <= NOTE_LINE_CHARS {
        return lines;
    }
    let at = matched()
        .and_then(|q| q.lines().next())
        .filter(|q| !q.is_empty())
        .and_then(|q| lines.find(q))
        .unwrap_or(0);
    let from = lines[..at]
        .char_indices()
        .rev()
        .take(NOTE_LINE_CHARS / 4)
        .last()
        .map_or(at, |(i, _)| i);
    let to = lines[from..]
        .char_indices()
        .nth(NOTE_LINE_CHARS)
        .map_or(lines.len(), |(i, _)| from + i);
    let mut out = String::with_capacity(to - from + 8);
    if from > 0 {
        out.push_str("… ");
    }
    out.push_str(&lines[from..to]);
    if to < lines.len() {
        out.push_str(" …");
    }
    out
}

/// The view of one verified reference, as seen from a page at `root`;
/// `first`: the page cites this source here for the first time, so the note
/// names its title too.
pub(crate) fn cite_view(site: &Site, r: &Ref, root: &str, first: bool) -> CiteView {
    let s = &site.sources[r.source];
    let line_text = shortened(
        (r.first..=r.last)
            .map(|l| s.line(l).trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        || r.matched.as_ref().map(|m| &s.text[m.bytes()]),
    );
    // The words as the source prints them (SPEC 3.3), not as typed.
    let (quoted, quoting, summary) = match verbatim::quote(s, r) {
        Some((q, quoting)) => (true, Some(quoting), q),
        None => (
            false,
            None,
            text::ellipsize(&text::normalize_str(&line_text), 90),
        ),
    };
    CiteView {
        source_html: cite_source_html(s, first),
        href: line_href(root, &s.id, r.first),
        lines: lines_label(r.first, r.last),
        quoted,
        quoting,
        speaker: s.label(),
        summary,
        line_text,
        original_html: original_links_html(s, r.quote.as_deref()),
    }
}

/// The body's HTML, with shortcodes filled in from site-wide data.
fn body(ctx: &Ctx, rp: &ResolvedPage, root: &str) -> Result<String, Diagnostic> {
    let segments = &rp.page.body.html.segments;
    let mut out = String::with_capacity(
        segments
            .iter()
            .map(|s| {
                if let Segment::Html(h) = s {
                    h.len()
                } else {
                    4096
                }
            })
            .sum(),
    );
    for segment in segments {
        match segment {
            Segment::Html(h) => out.push_str(h),
            Segment::Shortcode(shortcode, _) => {
                out.push_str(&(ctx.shortcodes)(shortcode, root, rp.claims.clone())?)
            }
        }
    }
    Ok(out)
}

/// The notes of a page (citations with their quoted source text, and
/// editorial footnotes), as HTML. Built here rather than in `page.html`:
/// a page's notes outweigh the rest of it, and a template loop over them
/// costs more than the whole page otherwise.
fn notes_html(ctx: &Ctx, rp: &ResolvedPage, root: &str) -> String {
    let html = &rp.page.body.html;
    let mut out = Markup::with_capacity(html.notes.len() * 1000);
    // The sources already cited by an earlier note: their titles are not repeated.
    let mut titled = std::collections::HashSet::new();
    for note in &html.notes {
        let n = note.number;
        let editorial = match &note.kind {
            NoteKind::Editorial(label) => {
                Some(html.footnotes.get(label).map_or("", String::as_str))
            }
            NoteKind::Cite(_) => None,
        };
        out.raw("<li id=\"n-").num(n).raw("\" class=\"note ");
        out.raw(if editorial.is_some() {
            "note-editorial"
        } else {
            "note-cite"
        });
        out.raw("\">\n").raw(editorial.unwrap_or("")).raw("\n");
        if let NoteKind::Cite(g) = note.kind {
            for r in rp.group_refs[g].iter() {
                let first = titled.insert(r.source);
                cite_html(&mut out, &cite_view(ctx.site, r, root, first));
            }
        }
        out.raw("\n<span class=\"note-backs\">");
        for k in 1..=note.refs {
            out.raw("<a class=\"note-back\" role=\"doc-backlink\" href=\"#")
                .text(&ref_id(n, k))
                .raw("\" aria-label=\"Back to reference ")
                .num(n);
            if note.refs > 1 {
                out.raw(", use ").num(k).raw("\">↩&#xFE0E;").num(k);
            } else {
                out.raw("\">↩");
            }
            out.raw("</a>");
        }
        out.raw("</span>\n</li>\n");
    }
    out.0
}

/// One citation of a note: the source, the lines, and the quoted text.
fn cite_html(out: &mut Markup, c: &CiteView) {
    out.raw("\n<div class=\"cite\">\n").raw(&c.source_html);
    out.raw(",\n<a class=\"cite-line\" href=\"")
        .text(&c.href)
        .raw("\">")
        .text(&c.lines)
        .raw("</a>\n<details class=\"cite-quote\">\n<summary dir=\"auto\">");
    if c.quoted {
        out.raw("“").text(&c.summary).raw("”");
    } else {
        out.text(&c.summary);
    }
    out.raw("</summary>\n<blockquote class=\"cite-text\" dir=\"auto\">")
        .text(&c.line_text)
        .raw("</blockquote>\n</details>\n");
    match c.quoting {
        Some(true) => {
            out.raw("<p class=\"cite-voice\">")
                .text(&c.speaker)
                .raw(" is quoting someone here.</p>\n");
        }
        Some(false) => {
            out.raw("<p class=\"cite-voice\">These are ")
                .text(&c.speaker)
                .raw("’s own words.</p>\n");
        }
        None => {}
    }
    out.raw(&c.original_html);
    out.raw("\n</div>\n");
}

/// Renders content page `i`.
pub(crate) fn page(
    ctx: &Ctx,
    chrome: &Chrome,
    i: usize,
    script: bool,
) -> Result<Output, Diagnostic> {
    let rp = &ctx.site.pages[i];
    let p = &rp.page;
    let root = root_of(&p.url);
    let html = &p.body.html;
    let body = body(ctx, rp, &root)?;
    let description = p
        .front
        .description
        .clone()
        .unwrap_or_else(|| html.excerpt.clone());
    let date = super::dated::published(p);
    let json_ld = head::news_article(ctx.site, rp, &description, date.as_deref());
    let kind = if p.url.is_empty() { "home" } else { "page" };
    let mut base = chrome.base(&p.url, &p.front.title, &description, kind, json_ld, script);
    base.syntax = html.has_code;
    let notes_html = notes_html(ctx, rp, &root);
    // The body and notes, and room for the chrome around them.
    let size = body.len() + notes_html.len() + super::chrome::CHROME_BYTES;
    let view = View {
        base,
        page: PageView {
            title: p.front.title.clone(),
            description: p.front.description.clone(),
            date_display: date.as_deref().map(super::markup::display_date),
            date,
            toc: &html.toc,
            body: Handed,
            notes_html: Handed,
            dates_html: super::dated::dates_html(p),
            corrections_html: super::dated::corrections_html(p),
            cite_html: super::dated::cite_html(ctx.site, p),
        },
    };
    let template = p.front.template.as_deref().unwrap_or("page.html");
    // A missing `template` was reported by `check_templates` before rendering.
    let html = ctx.theme.render_handing(
        template,
        &view,
        size,
        [("/page/body", body), ("/page/notes_html", notes_html)],
    )?;
    Ok((format!("{}index.html", p.url), html))
}

#[cfg(test)]
mod tests {
    use super::super::links::text_fragment;
    use super::*;

    #[test]
    fn text_fragments_encode_syntax_characters() {
        assert_eq!(
            text_fragment("https://x.org/a", "joint-fusion, now & then"),
            "https://x.org/a#:~:text=joint%2Dfusion%2C%20now%20%26%20then"
        );
        assert_eq!(
            text_fragment("https://x.org/a#old", "start ... end"),
            "https://x.org/a#:~:text=start,end"
        );
    }

    #[test]
    fn bug_25_notes_show_long_lines_shortened_around_the_quote() {
        let long = format!(
            "{} the quoted words {}",
            "a ".repeat(5_000),
            "z ".repeat(5_000)
        );
        let shown = shortened(long.clone(), || Some("the quoted words"));
        assert!(
            shown.chars().count() <= NOTE_LINE_CHARS + 4,
            "{}",
            shown.len()
        );
        assert!(shown.contains("the quoted words"));
        assert!(shown.starts_with("… ") && shown.ends_with(" …"));
        let start = shortened(long, || None);
        assert!(start.starts_with("a a") && start.ends_with(" …"));
        assert_eq!(shortened("short".into(), || None), "short");
    }
}
