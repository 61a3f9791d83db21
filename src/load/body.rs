//! A page body as HTML, made once when the page is loaded.
//!
//! Everything a body needs is known from the page alone: note numbers follow
//! the order of first reference on the page, heading ids come from heading
//! text, code is highlighted. So the Markdown events are turned into HTML
//! right after parsing (in parallel, page by page) and dropped; what is kept
//! is a few kilobytes of HTML per page, split only where a shortcode needs
//! site-wide data (rosters, claims) at render time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::load::highlight;
use crate::load::markdown::{parse_pieces, CiteGroup, Piece, Shortcode};
use crate::load::roster::slugify;
use crate::text;

#[derive(Debug, Clone)]
pub enum NoteKind {
    /// Index into the page's citation groups.
    Cite(usize),
    Editorial(String),
}

#[derive(Debug, Clone)]
pub struct Note {
    pub number: usize,
    pub kind: NoteKind,
    /// How many markers point at this note (>1 only for editorial notes).
    pub refs: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Html(String),
    /// Filled in at render time; the span is the shortcode's place in the file.
    Shortcode(Shortcode, Range<usize>),
}

#[derive(Debug, Default)]
pub struct Html {
    pub segments: Vec<Segment>,
    /// The page's `h2`s, for its table of contents.
    pub toc: Vec<TocEntry>,
    /// The start of the text, for a description when the page has none.
    pub excerpt: String,
    /// Notes in number order (citations and editorial footnotes together).
    pub notes: Vec<Note>,
    /// Note number of each citation group.
    pub group_note: Vec<usize>,
    /// Editorial footnotes' HTML by label.
    pub footnotes: BTreeMap<String, String>,
    /// The body holds highlighted code (the page links `syntax.css`).
    pub has_code: bool,
}

/// Note ids: `r-N` for the first marker of note N, `r-N-K` for the K-th.
pub fn ref_id(note: usize, k: usize) -> String {
    let mut id = String::with_capacity(12);
    push_ref_id(&mut id, note, k);
    id
}

fn push_ref_id(out: &mut String, note: usize, k: usize) {
    out.push_str("r-");
    out.push_str(itoa::Buffer::new().format(note));
    if k != 1 {
        out.push('-');
        out.push_str(itoa::Buffer::new().format(k));
    }
}

/// A note's marker in the text, written out: one for every citation of a page.
fn marker(note: usize, k: usize) -> String {
    let mut buf = itoa::Buffer::new();
    let n = buf.format(note);
    let mut out = String::with_capacity(140);
    out.push_str("<sup class=\"note-ref\" id=\"");
    push_ref_id(&mut out, note, k);
    for part in [
        "\"><a href=\"#n-",
        n,
        "\" role=\"doc-noteref\" aria-label=\"Note ",
        n,
        "\">",
        n,
        "</a></sup>",
    ] {
        out.push_str(part);
    }
    out
}

/// HTML void elements: never closed, never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

/// Follows the nesting of the tags of `html`: `depth` is the number of open
/// elements before and after it; returns the deepest it got. An unclosed
/// element counts as open, so the count never falls short of a browser's
/// (or the minifier's) nesting.
pub fn tag_depth(html: &[u8], depth: &mut usize) -> usize {
    let mut deepest = *depth;
    let mut i = 0;
    while let Some(lt) = html[i..].iter().position(|&b| b == b'<') {
        let at = i + lt + 1;
        i = at;
        match html.get(at) {
            Some(b'/') => *depth = depth.saturating_sub(1),
            Some(b'!') if html[at..].starts_with(b"!--") => {
                // A comment holds no elements.
                i = html[at..]
                    .windows(3)
                    .position(|w| w == b"-->")
                    .map_or(html.len(), |p| at + p + 3);
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let name_len = html[at..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .unwrap_or(html.len() - at);
                let name = &html[at..at + name_len];
                let end = html[at..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(html.len(), |p| at + p);
                let self_closing = end > at && html[end - 1] == b'/';
                let void = VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(name));
                if !void && !self_closing {
                    *depth += 1;
                    deepest = deepest.max(*depth);
                }
                i = end.min(html.len());
            }
            _ => {}
        }
    }
    deepest
}

/// Numbers notes by first reference: each citation group is a note of its
/// own; an editorial footnote is one note however often it is referenced.
pub fn number_notes(pieces: &[Piece], groups: usize) -> (Vec<Note>, Vec<usize>) {
    let mut notes: Vec<Note> = Vec::new();
    let mut group_note = vec![0; groups];
    let mut editorial: BTreeMap<&str, usize> = BTreeMap::new();
    for piece in pieces {
        match piece {
            Piece::Cite(g) => {
                notes.push(Note {
                    number: notes.len() + 1,
                    kind: NoteKind::Cite(*g),
                    refs: 1,
                });
                group_note[*g] = notes.len();
            }
            Piece::FootnoteRef(label) => match editorial.get(label.as_str()) {
                Some(&n) => notes[n - 1].refs += 1,
                None => {
                    notes.push(Note {
                        number: notes.len() + 1,
                        kind: NoteKind::Editorial(label.clone()),
                        refs: 1,
                    });
                    editorial.insert(label, notes.len());
                }
            },
            _ => {}
        }
    }
    (notes, group_note)
}

/// Unique heading ids; never one of the ids the templates and notes use.
/// The next suffix to try is kept per base id, so that n equal headings
/// take linear time, not n² tries; the ids are those of trying `base`,
/// `base-2`, `base-3`, … in turn (taken ids are never freed, so every
/// suffix below the counter is taken).
struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    fn new() -> Self {
        Ids {
            taken: ["main", "toc-h", "notes-h"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            next: HashMap::new(),
        }
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
        let mut k = self.next.get(&base).copied().unwrap_or(1);
        loop {
            let id = if k == 1 {
                base.clone()
            } else {
                format!("{base}-{k}")
            };
            k += 1;
            if self.taken.insert(id.clone()) {
                self.next.insert(base, k);
                return id;
            }
        }
    }
}

/// Plain text of each heading, in order.
fn heading_texts(pieces: &[Piece]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for p in pieces {
        match p {
            Piece::Event(Event::Start(Tag::Heading { .. })) => current = Some(String::new()),
            Piece::Event(Event::End(TagEnd::Heading(_))) => {
                out.extend(current.take().map(|h| h.trim().to_string()))
            }
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

/// HTML of plain Markdown pieces (editorial footnotes, source notes).
pub fn plain_html(pieces: &[Piece]) -> String {
    let events = pieces.iter().filter_map(|p| match p {
        Piece::Event(e) => Some(e.clone()),
        _ => None,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// What verification needs of a body without its HTML: the notes and the
/// shortcodes.
pub fn outline(pieces: &[Piece], groups: usize) -> Html {
    let (notes, group_note) = number_notes(pieces, groups);
    let segments = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Shortcode(sc, span) => Some(Segment::Shortcode(sc.clone(), span.clone())),
            _ => None,
        })
        .collect();
    Html {
        segments,
        notes,
        group_note,
        ..Html::default()
    }
}

/// Turns a page's pieces into HTML with note markers.
/// The pieces are taken: their events go to the HTML writer as they are.
pub fn render(pieces: Vec<Piece>, groups: usize, footnotes: &BTreeMap<String, Vec<Piece>>) -> Html {
    let (notes, group_note) = number_notes(&pieces, groups);
    let mut ids = Ids::new();
    let headings = heading_texts(&pieces);
    let mut heading = 0;
    let mut out = Html {
        notes,
        group_note,
        ..Html::default()
    };
    let mut events: Vec<Event> = Vec::with_capacity(pieces.len());
    let mut code: Option<(String, String)> = None;
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    let flush = |events: &mut Vec<Event>, segments: &mut Vec<Segment>| {
        let mut html = String::new();
        html::push_html(&mut html, events.drain(..));
        if !html.is_empty() {
            segments.push(Segment::Html(html));
        }
    };
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
                    out.has_code |= !lang.is_empty();
                    events.push(Event::Html(CowStr::from(highlight::code_block(
                        &lang, &text,
                    ))));
                }
            }
            Piece::Event(Event::Text(t)) if code.is_some() => {
                if let Some((_, text)) = &mut code {
                    text.push_str(&t);
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
                if level == HeadingLevel::H2 {
                    out.toc.push(TocEntry {
                        id: id.clone(),
                        text,
                    });
                }
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes,
                    attrs,
                }));
            }
            Piece::Event(Event::Start(Tag::Table(a))) => {
                events.push(Event::Html(CowStr::Borrowed("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">")));
                events.push(Event::Start(Tag::Table(a)));
            }
            Piece::Event(Event::End(TagEnd::Table)) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Piece::Event(e) => {
                if let Event::Text(t) = &e {
                    if out.excerpt.len() < 200 {
                        out.excerpt.push_str(t);
                    }
                }
                events.push(e);
            }
            Piece::Cite(g) => events.push(Event::InlineHtml(CowStr::from(marker(
                out.group_note[g],
                1,
            )))),
            Piece::FootnoteRef(label) => {
                let n = out
                    .notes
                    .iter()
                    .find(|note| matches!(&note.kind, NoteKind::Editorial(l) if *l == label))
                    .map_or(0, |note| note.number);
                let k = seen.entry(n).or_insert(0);
                *k += 1;
                events.push(Event::InlineHtml(CowStr::from(marker(n, *k))));
            }
            Piece::Shortcode(sc, span) => {
                flush(&mut events, &mut out.segments);
                out.segments.push(Segment::Shortcode(sc, span));
            }
        }
    }
    flush(&mut events, &mut out.segments);
    out.excerpt = text::ellipsize(&text::normalize_str(&out.excerpt), 155);
    out.footnotes = footnotes
        .iter()
        .map(|(label, pieces)| (label.clone(), plain_html(pieces)))
        .collect();
    out
}

/// A parsed page body: its citation groups, its HTML, its syntax errors.
#[derive(Debug)]
pub struct Body {
    pub groups: Vec<CiteGroup>,
    pub html: Html,
    /// Errors, and warnings (W005).
    pub errors: Vec<Diagnostic>,
    /// Nested deeper than [`MAX_NESTING`](crate::load::markdown::MAX_NESTING):
    /// the page is not minified.
    pub deep: bool,
}

/// Parses the body of a page starting at byte `body_at` of `text` (the whole
/// file) and, with `html`, turns it into HTML. Without (`check`), only the
/// notes are numbered and the shortcodes kept, for verification.
pub fn parse(file: &str, text: &str, body_at: usize, html: bool) -> Body {
    let p = parse_pieces(file, text, body_at);
    let html = if html {
        render(p.pieces, p.groups.len(), &p.footnotes)
    } else {
        outline(&p.pieces, p.groups.len())
    };
    Body {
        groups: p.groups,
        html,
        errors: p.errors,
        deep: p.deep,
    }
}

#[cfg(test)]
mod tests;
