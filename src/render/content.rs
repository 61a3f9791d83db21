//! Content pages: Markdown pieces -> HTML with numbered note markers, and the
//! notes list (citations and editorial footnotes in one numbering).
//!
//! Ids are derived from position on the page (note numbers, heading text), so
//! they are stable across builds and unique per page.

use std::collections::BTreeSet;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, Tag, TagEnd};
use serde::Serialize;

use super::{
    claims, encode_segment, highlight, meta, root_of, roster, source_url, Base, Chrome, Output,
    Theme,
};
use crate::diagnostic::Diagnostic;
use crate::markdown::{Piece, Shortcode};
use crate::resolve::{NoteKind, Ref, ResolvedPage, Site};
use crate::roster::slugify;
use crate::text;

pub(crate) struct Ctx<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
}

impl<'a> Ctx<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        Ctx { site, theme }
    }
}

#[derive(Serialize)]
struct TocEntry {
    id: String,
    text: String,
}

#[derive(Serialize)]
pub(crate) struct CiteView {
    publisher: String,
    title: String,
    href: String,
    lines: String,
    quoted: bool,
    summary: String,
    line_text: String,
    original: Option<String>,
}

#[derive(Serialize)]
struct BackView {
    target: String,
    label: String,
    ordinal: Option<usize>,
}

#[derive(Serialize)]
struct NoteView {
    id: String,
    editorial: Option<String>,
    cites: Vec<CiteView>,
    backs: Vec<BackView>,
}

#[derive(Serialize)]
struct PageView {
    title: String,
    description: Option<String>,
    date: Option<String>,
    date_display: Option<String>,
    toc: Vec<TocEntry>,
    body: String,
    notes: Vec<NoteView>,
}

#[derive(Serialize)]
struct View<'a> {
    base: Base<'a>,
    page: PageView,
}

/// `line 3` or `lines 3–5`.
pub(crate) fn lines_label(first: usize, last: usize) -> String {
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}–{last}")
    }
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

/// The view of one verified reference, as seen from a page at `root`.
pub(crate) fn cite_view(site: &Site, r: &Ref, root: &str) -> CiteView {
    let s = &site.sources[r.source];
    let line_text = (r.first..=r.last)
        .map(|l| s.line(l).trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let (quoted, summary) = match &r.quote {
        Some(q) => (true, text::normalize_str(q)),
        None => (false, text::ellipsize(&text::normalize_str(&line_text), 90)),
    };
    CiteView {
        publisher: s.meta.publisher.clone().unwrap_or_else(|| s.id.clone()),
        title: s.title(),
        href: format!("{root}{}index.html#L{}", source_url(&s.id), r.first),
        lines: lines_label(r.first, r.last),
        quoted,
        summary,
        line_text,
        original: s.meta.url.as_ref().map(|u| match &r.quote {
            Some(q) => text_fragment(u, q),
            None => u.clone(),
        }),
    }
}

/// Note marker ids: `r-N` for the first reference, `r-N-K` for the K-th.
fn ref_id(note: usize, k: usize) -> String {
    if k == 1 {
        format!("r-{note}")
    } else {
        format!("r-{note}-{k}")
    }
}

fn marker(note: usize, k: usize) -> String {
    format!("<sup class=\"note-ref\" id=\"{}\"><a href=\"#n-{note}\" aria-label=\"Note {note}\">{note}</a></sup>", ref_id(note, k))
}

/// Unique heading ids; never one of the ids the templates and notes use.
struct Ids(BTreeSet<String>);

impl Ids {
    fn new() -> Self {
        Ids(["main", "toc-h", "notes-h"]
            .iter()
            .map(|s| s.to_string())
            .collect())
    }
    fn claim(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        // `r-3`, `n-3`, `d-…`, `m-…`, `c-…` belong to markers, notes, rosters and claims.
        let reserved = |s: &str| {
            s.len() >= 2
                && s.as_bytes()[1] == b'-'
                && matches!(s.as_bytes()[0], b'r' | b'n' | b'd' | b'm' | b'c')
        };
        if base.is_empty() || reserved(&base) {
            base = format!("section-{base}").trim_end_matches('-').to_string();
        }
        let mut id = base.clone();
        let mut k = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{k}");
            k += 1;
        }
        id
    }
}

/// Plain text of each heading, in order.
fn heading_texts(pieces: &[Piece]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for p in pieces {
        match p {
            Piece::Event(Event::Start(Tag::Heading { .. })) => current = Some(String::new()),
            Piece::Event(Event::End(TagEnd::Heading(_))) => out.extend(current.take()),
            Piece::Event(Event::Text(t) | Event::Code(t)) => {
                if let Some(c) = &mut current {
                    c.push_str(t);
                }
            }
            _ => {}
        }
    }
    out
}

struct BodyOut {
    html: String,
    toc: Vec<TocEntry>,
    excerpt: String,
}

/// Renders pieces to HTML. `note_of` gives the note number of a citation group.
fn body(ctx: &Ctx, rp: &ResolvedPage, pieces: &[Piece], root: &str) -> Result<BodyOut, Diagnostic> {
    let mut ids = Ids::new();
    let headings: Vec<String> = heading_texts(pieces)
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut heading = 0;
    let mut toc = Vec::new();
    let mut events: Vec<Event> = Vec::with_capacity(pieces.len());
    let mut code: Option<(String, String)> = None;
    let mut editorial_seen: Vec<(usize, usize)> = Vec::new();
    let mut excerpt = String::new();
    for piece in pieces {
        match piece {
            Piece::Event(Event::Start(Tag::CodeBlock(kind))) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Piece::Event(Event::End(TagEnd::CodeBlock)) => {
                if let Some((lang, text)) = code.take() {
                    events.push(Event::Html(CowStr::from(highlight::code_block(
                        &lang, &text,
                    ))));
                }
            }
            Piece::Event(Event::Text(t)) if code.is_some() => {
                if let Some((_, text)) = &mut code {
                    text.push_str(t);
                }
            }
            Piece::Event(Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            })) => {
                let text = headings.get(heading).cloned().unwrap_or_default();
                heading += 1;
                let id = ids.claim(&text);
                if *level == HeadingLevel::H2 {
                    toc.push(TocEntry {
                        id: id.clone(),
                        text: text.clone(),
                    });
                }
                events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Piece::Event(Event::Start(Tag::Table(a))) => {
                events.push(Event::Html(CowStr::Borrowed("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">")));
                events.push(Event::Start(Tag::Table(a.clone())));
            }
            Piece::Event(Event::End(TagEnd::Table)) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Piece::Event(e) => {
                if let Event::Text(t) = e {
                    if excerpt.len() < 200 {
                        excerpt.push_str(t);
                    }
                }
                events.push(e.clone());
            }
            Piece::Cite(g) => {
                let n = rp.group_note[*g];
                events.push(Event::InlineHtml(CowStr::from(marker(n, 1))));
            }
            Piece::FootnoteRef(label) => {
                let n = rp
                    .notes
                    .iter()
                    .find(|note| matches!(&note.kind, NoteKind::Editorial(l) if l == label))
                    .map_or(0, |note| note.number);
                let k = match editorial_seen.iter_mut().find(|(num, _)| *num == n) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        editorial_seen.push((n, 1));
                        1
                    }
                };
                events.push(Event::InlineHtml(CowStr::from(marker(n, k))));
            }
            Piece::Shortcode(sc, _) => {
                let html = match sc {
                    Shortcode::Delegations => roster::shortcode(ctx.site, ctx.theme, root, None)?,
                    Shortcode::Delegation { id } => {
                        roster::shortcode(ctx.site, ctx.theme, root, Some(id))?
                    }
                    Shortcode::Claims => {
                        claims::shortcode(ctx.site, ctx.theme, root, rp.claims.clone())?
                    }
                };
                events.push(Event::Html(CowStr::from(html)));
            }
        }
    }
    let mut out = String::with_capacity(pieces.len() * 16);
    html::push_html(&mut out, events.into_iter());
    Ok(BodyOut {
        html: out,
        toc,
        excerpt: text::ellipsize(&text::normalize_str(&excerpt), 155),
    })
}

/// Renders editorial footnote pieces (no citations inside them).
fn editorial_html(pieces: &[Piece]) -> String {
    let events = pieces.iter().filter_map(|p| match p {
        Piece::Event(e) => Some(e.clone()),
        _ => None,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn notes(ctx: &Ctx, rp: &ResolvedPage, root: &str) -> Vec<NoteView> {
    rp.notes
        .iter()
        .map(|note| {
            let n = note.number;
            let backs = (1..=note.refs)
                .map(|k| BackView {
                    target: ref_id(n, k),
                    label: if note.refs == 1 {
                        format!("Back to reference {n}")
                    } else {
                        format!("Back to reference {n}, use {k}")
                    },
                    ordinal: (note.refs > 1).then_some(k),
                })
                .collect();
            let (editorial, cites) = match &note.kind {
                NoteKind::Cite(g) => (
                    None,
                    rp.group_refs[*g]
                        .iter()
                        .map(|r| cite_view(ctx.site, r, root))
                        .collect(),
                ),
                NoteKind::Editorial(label) => (
                    Some(
                        rp.page
                            .body
                            .footnotes
                            .get(label)
                            .map(|p| editorial_html(p))
                            .unwrap_or_default(),
                    ),
                    Vec::new(),
                ),
            };
            NoteView {
                id: format!("n-{n}"),
                editorial,
                cites,
                backs,
            }
        })
        .collect()
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
    let body = body(ctx, rp, &p.body.pieces, &root)?;
    let description = p
        .front
        .description
        .clone()
        .unwrap_or_else(|| body.excerpt.clone());
    let date = p.front.date.map(|d| d.to_string());
    let json_ld = meta::news_article(ctx.site, rp, &description, date.as_deref());
    let kind = if p.url.is_empty() { "home" } else { "page" };
    let mut base = chrome.base(&p.url, &p.front.title, &description, kind, json_ld, script);
    base.syntax = body.html.contains("class=\"syn-");
    let view = View {
        base,
        page: PageView {
            title: p.front.title.clone(),
            description: p.front.description.clone(),
            date_display: date.as_deref().map(super::display_date),
            date,
            toc: body.toc,
            body: body.html,
            notes: notes(ctx, rp, &root),
        },
    };
    let template = p.front.template.as_deref().unwrap_or("page.html");
    // A missing `template` was reported by `check_templates` before rendering.
    let html = ctx.theme.render(template, &view)?;
    Ok((format!("{}index.html", p.url), html.into_bytes()))
}

/// Href of a claim's marker from a page at `root`.
pub(crate) fn claim_href(site: &Site, claim: usize, root: &str) -> String {
    let c = &site.claims[claim];
    let url = &site.pages[c.page].page.url;
    format!(
        "{root}{}index.html#r-{}",
        url.split('/')
            .map(encode_segment)
            .collect::<Vec<_>>()
            .join("/"),
        c.note
    )
}

#[cfg(test)]
mod tests {
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
    fn heading_ids_are_unique_and_avoid_note_ids() {
        let mut ids = Ids::new();
        assert_eq!(ids.claim("What was agreed"), "what-was-agreed");
        assert_eq!(ids.claim("What was agreed"), "what-was-agreed-2");
        assert_eq!(ids.claim("N 3"), "section-n-3");
        assert_eq!(ids.claim("Notes"), "notes");
        assert_eq!(ids.claim(""), "section");
    }

    #[test]
    fn markers_link_to_notes() {
        assert_eq!(
            marker(3, 1),
            "<sup class=\"note-ref\" id=\"r-3\"><a href=\"#n-3\" aria-label=\"Note 3\">3</a></sup>"
        );
        assert!(marker(4, 2).contains("id=\"r-4-2\""));
    }
}
