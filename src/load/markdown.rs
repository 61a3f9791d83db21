//! The one place a Markdown parser is configured, and the pass that lifts
//! citation groups, editorial footnotes and shortcodes out of the event stream.
//!
//! Citations are found on the raw source of each run of text events, never
//! inside code spans or blocks (those are separate events), so positions are
//! exact and `\[@` escapes are visible. The result is a list of `Piece`s:
//! ordinary Markdown events plus placeholders the resolver and renderer fill.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::load::cite::Group;

mod builder;
mod mask;
mod shortcode;

use builder::*;
use mask::*;
use shortcode::*;

/// CommonMark plus tables, footnotes, strikethrough and smart punctuation.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shortcode {
    Delegations,
    Delegation { id: String },
    Claims,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Event(Event<'static>),
    /// Index into `Body::groups`.
    Cite(usize),
    /// An editorial footnote reference by label.
    FootnoteRef(String),
    /// A shortcode paragraph and its byte span in the file.
    Shortcode(Shortcode, Range<usize>),
}

#[derive(Debug, Clone)]
pub struct CiteGroup {
    /// Spans are byte offsets in the page file.
    pub group: Group,
    /// Plain text of the block from the previous group (or block start) to
    /// this one; shared with the site's list of claims.
    pub claim: std::sync::Arc<str>,
    /// Byte offset in the page file where the claim's stretch of text
    /// starts (its block's start, or the end of the previous group in it):
    /// quotations in the claim are found and pointed at from here (E015).
    pub claim_at: usize,
}

/// What the Markdown pass yields before the body is turned into HTML.
#[derive(Debug, Default)]
pub struct Pieces {
    pub pieces: Vec<Piece>,
    pub groups: Vec<CiteGroup>,
    /// Editorial footnote definitions by label.
    pub footnotes: BTreeMap<String, Vec<Piece>>,
    pub errors: Vec<Diagnostic>,
    /// Nested deeper than [`MAX_NESTING`] (warned with W005): not minified.
    pub deep: bool,
}

/// The deepest nesting of elements (block quotes, lists, emphasis, HTML
/// tags) a page is minified with. The minifier recurses once per element
/// and overflowed its stack at a few thousand (3,000 `>`, 5,000 `*`); a
/// page nested deeper is written as rendered, with a warning (W005).
/// `render::minify::minify_html` refuses anything deeper than `MINIFY_DEPTH`, above
/// this and a template's own nesting.
pub const MAX_NESTING: usize = 200;

/// The Markdown pass: events with citation groups, footnote references and
/// shortcodes lifted out.
///
/// A citation group's own text is not Markdown: a backtick, `*` or `<` in a
/// quote must not open a code span, emphasis or a tag (a code span opened in
/// a quote used to swallow the groups after it, unverified). So the raw text
/// is scanned for groups (outside the parser's code spans and blocks); when
/// the parser read any of them as something other than text, the groups are
/// masked with inert characters of the same length (`mask`) and the page is
/// parsed again: positions stay those of the file. A group that the parser
/// still does not hand over as text (in HTML, a link's address or title) is
/// reported, never dropped: every group of the page is verified, reported,
/// or inside code.
pub fn parse_pieces(file: &str, text: &str, body_at: usize) -> Pieces {
    if !text[body_at..].contains("[@") {
        return pass(file, text, text, body_at).0;
    }
    let mut masked: Vec<Range<usize>> = Vec::new();
    let mut seen = String::new();
    for round in 0.. {
        let (mut pieces, saw) = pass(file, text, if round == 0 { text } else { &seen }, body_at);
        let found = scan(text, body_at, &saw.code, &saw.groups);
        let spans: Vec<Range<usize>> = found.iter().filter_map(|(_, g)| g.clone()).collect();
        let settled = if round == 0 {
            found.iter().all(|(at, g)| match g {
                Some(span) => saw.groups.get(at) == Some(&(span.clone(), true)),
                None => saw.malformed.contains(at),
            })
        } else {
            spans == masked || round == MASK_ROUNDS
        };
        if settled {
            for (at, _) in found {
                if !saw.groups.contains_key(&at) && !saw.malformed.contains(&at) {
                    pieces.errors.push(hidden_group(file, text, at, &saw.html));
                }
            }
            pieces
                .errors
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return pieces;
        }
        masked = spans;
        seen = mask(text, &masked);
    }
    unreachable!("the loop returns")
}

/// One pass over the events of `seen` (the text or its masked copy).
fn pass(file: &str, text: &str, seen: &str, body_at: usize) -> (Pieces, Saw) {
    let mut b = Builder {
        file,
        text,
        seen,
        body: Pieces::default(),
        saw: Saw::default(),
        links: Vec::new(),
        deferred: Vec::new(),
        run: Vec::new(),
        claim: String::new(),
        claim_at: 0,
        in_footnote: None,
        skipping_paragraph: false,
        in_code: false,
    };
    let parser = Parser::new_ext(&seen[body_at..], options()).into_offset_iter();
    // Open elements: Markdown's, and those of the HTML written in it.
    let (mut tags, mut html_tags, mut deepest) = (0usize, 0usize, 0usize);
    let mut too_deep: Option<usize> = None;
    // Where an HTML comment open in an earlier HTML event started.
    let mut comment: Option<usize> = None;
    for (event, range) in parser {
        let range = range.start + body_at..range.end + body_at;
        let now = match &event {
            Event::Start(_) => {
                tags += 1;
                tags + html_tags
            }
            Event::End(_) => {
                tags = tags.saturating_sub(1);
                0
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                tags + crate::load::body::tag_depth(h.as_bytes(), &mut html_tags)
            }
            _ => 0,
        };
        deepest = deepest.max(now);
        if now > MAX_NESTING && too_deep.is_none() {
            too_deep = Some(range.start);
        }
        match &event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => b.saw.code.push(range.clone()),
            Event::Html(_) | Event::InlineHtml(_) => {
                b.saw.html.push(range.clone());
                comments(seen, range.clone(), &mut comment, &mut b.saw.code);
            }
            Event::Start(Tag::HtmlBlock) => b.saw.html.push(range.clone()),
            _ => {}
        }
        b.body
            .errors
            .extend(crate::load::url::page_link(file, text, &event, &range));
        if b.skipping_paragraph {
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                b.skipping_paragraph = false;
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => b.in_code = true,
            Event::End(TagEnd::CodeBlock) => b.in_code = false,
            _ if !b.in_code && in_run(&event) => {
                b.run.push((event, range));
                continue;
            }
            _ => {}
        }
        b.flush_run();
        match event {
            Event::Start(Tag::Paragraph) if b.in_footnote.is_none() && b.shortcode(&range) => {
                b.skipping_paragraph = true;
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                b.claim.clear();
                b.in_footnote = Some((label.to_string(), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, pieces)) = b.in_footnote.take() {
                    b.body.footnotes.entry(label).or_insert(pieces);
                }
                b.claim.clear();
            }
            Event::FootnoteReference(label) => b.push(Piece::FootnoteRef(label.to_string())),
            Event::Start(tag) => {
                if starts_block(&tag) {
                    b.claim.clear();
                    b.claim_at = range.start;
                }
                match &tag {
                    Tag::Link { link_type, .. } => b.links.push(Some(*link_type)),
                    Tag::Image { .. } => b.links.push(None),
                    _ => {}
                }
                b.push_event(Event::Start(tag));
            }
            Event::End(tag) => {
                if ends_block(&tag) {
                    b.claim.clear();
                }
                b.push_event(Event::End(tag));
                if matches!(tag, TagEnd::Link | TagEnd::Image) {
                    b.links.pop();
                    if b.links.is_empty() {
                        // The markers of groups in a link, right after it.
                        for piece in std::mem::take(&mut b.deferred) {
                            b.push(piece);
                        }
                    }
                }
            }
            other => b.push_event(other),
        }
    }
    b.flush_run();
    b.saw.code.sort_by_key(|r| r.start);
    if let Some(at) = too_deep {
        b.body.deep = true;
        b.body.errors.push(
            Diagnostic::at(
                "W005",
                file,
                text,
                at..at + 1,
                format!("elements nest deeper than {MAX_NESTING} here ({deepest} at the deepest); the page is written without minifying"),
            )
            .with_help(format!(
                "the minifier follows at most {MAX_NESTING} nested elements (quotes, lists, emphasis, HTML); nest less"
            )),
        );
    }
    (b.body, b.saw)
}

#[cfg(test)]
mod tests;
