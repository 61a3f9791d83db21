//! The builder of one Markdown pass: it walks the parser's events, keeps
//! each block's claim text, lifts citation groups, footnote references and
//! shortcode paragraphs out of the text runs, and records what it saw of code
//! and HTML so that no group goes unread.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use super::*;
use crate::diagnostic::Diagnostic;
use crate::load::cite::{self, Group};
use crate::text;

pub(super) struct Builder<'t> {
    pub(super) file: &'t str,
    /// The file as written: raw text of groups, diagnostics.
    pub(super) text: &'t str,
    /// The text the Markdown parser reads: `text` with the citation groups
    /// masked (see [`mask`]), or `text` itself.
    pub(super) seen: &'t str,
    pub(super) body: Pieces,
    /// What this pass saw, to compare with a scan of the raw text.
    pub(super) saw: Saw,
    /// Open links and images (their kinds): a note marker is an `<a>` and
    /// cannot stand inside a link, nor an image's `alt`.
    pub(super) links: Vec<Option<LinkType>>,
    /// Note markers of the open link, placed right after it.
    pub(super) deferred: Vec<Piece>,
    /// Pending run of text events with their file ranges.
    pub(super) run: Vec<(Event<'t>, Range<usize>)>,
    /// Plain text of the current block since the last citation group.
    pub(super) claim: String,
    /// Where the text of `claim` starts in the file.
    pub(super) claim_at: usize,
    /// Label of the footnote definition being collected, if any.
    pub(super) in_footnote: Option<(String, Vec<Piece>)>,
    /// Skipping the events of a shortcode paragraph.
    pub(super) skipping_paragraph: bool,
    /// Inside a code block, text is code: no citations, no shortcodes.
    pub(super) in_code: bool,
}

/// What one pass over the events saw of code and citation groups.
#[derive(Default)]
pub(super) struct Saw {
    /// Code spans, code blocks and HTML comments (file offsets, in order):
    /// nothing in them is a citation.
    pub(super) code: Vec<Range<usize>>,
    /// Inline HTML and HTML blocks, to say why a group was not read.
    pub(super) html: Vec<Range<usize>>,
    /// Groups lifted out of the text, by start: span, and whether the
    /// parser saw only text in it (no code span, tag, emphasis or HTML
    /// starting or ending inside it).
    pub(super) groups: BTreeMap<usize, (Range<usize>, bool)>,
    /// Starts of malformed groups reported (E004).
    pub(super) malformed: HashSet<usize>,
}

pub(super) fn starts_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::Item
            | Tag::TableCell
            | Tag::BlockQuote(_)
            | Tag::FootnoteDefinition(_)
    )
}

pub(super) fn ends_block(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
    )
}

impl<'t> Builder<'t> {
    pub(super) fn push(&mut self, piece: Piece) {
        if !self.links.is_empty() && matches!(piece, Piece::Cite(_) | Piece::FootnoteRef(_)) {
            self.deferred.push(piece);
            return;
        }
        match &mut self.in_footnote {
            Some((_, pieces)) => pieces.push(piece),
            None => self.body.pieces.push(piece),
        }
    }

    pub(super) fn push_event(&mut self, event: Event<'t>) {
        match &event {
            Event::Text(t) | Event::Code(t) => self.claim.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.claim.push(' '),
            _ => {}
        }
        self.push(Piece::Event(event.into_static()));
    }

    pub(super) fn flush_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        // Taken for the borrow checker, given back emptied: the next run
        // reuses its room.
        let mut run = std::mem::take(&mut self.run);
        let start = run[0].1.start;
        let end = run[run.len() - 1].1.end;
        let raw = &self.text[start..end];
        // Nothing inside a code span is a citation; a group in an HTML tag is
        // not text (the scan of the raw text reports it).
        let code: Vec<Range<usize>> = run
            .iter()
            .filter(|(e, _)| matches!(e, Event::Code(_) | Event::InlineHtml(_)))
            .map(|(_, r)| r.start - start..r.end - start)
            .collect();
        for (span, fixed) in cite::mistyped(raw) {
            if !code.iter().any(|c| c.contains(&span.start)) {
                self.body.errors.push(cite::mistyped_warning(
                    self.file,
                    self.text,
                    span.start + start..span.end + start,
                    &fixed,
                ));
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut resume = 0;
        for at in cite::group_starts(raw) {
            if at < resume || code.iter().any(|c| c.contains(&at)) {
                continue;
            }
            match cite::parse_group(raw, at) {
                Ok(g) => {
                    resume = g.span.end;
                    let g = shift(g, start);
                    // Only text, breaks and whole elements around it: the
                    // parser read none of the group's own text as Markdown.
                    let inside = |x: usize| g.span.start < x && x < g.span.end;
                    let clean = run.iter().all(|(e, r)| match e {
                        Event::Text(_) | Event::SoftBreak | Event::HardBreak => true,
                        Event::Start(_) | Event::End(_) => !inside(r.start) && !inside(r.end),
                        _ => r.end <= g.span.start || r.start >= g.span.end,
                    });
                    self.saw
                        .groups
                        .insert(g.span.start, (g.span.clone(), clean));
                    groups.push(g);
                }
                Err(e) => {
                    self.saw.malformed.insert(at + start);
                    let mut d = Diagnostic::at(
                        "E004",
                        self.file,
                        self.text,
                        e.span.start + start..e.span.end + start,
                        format!("malformed citation: {}", e.message),
                    );
                    if let Some(h) = e.help {
                        d = d.with_help(h);
                    }
                    self.body.errors.push(d);
                }
            }
        }
        if groups.is_empty() {
            for (event, _) in run.drain(..) {
                self.push_event(event);
            }
            self.run = run;
            return;
        }
        let mut gi = 0;
        for (event, range) in run.drain(..) {
            // A tag (emphasis around a group, or inside it) stands at one
            // point: kept unless the point is inside a group.
            let point = match &event {
                Event::Start(_) => Some(range.start),
                Event::End(_) => Some(range.end),
                _ => None,
            };
            if let Some(at) = point {
                let in_group = groups
                    .get(gi)
                    .is_some_and(|g| g.span.start < at && at < g.span.end);
                if !in_group {
                    self.push_event(event);
                }
                continue;
            }
            let plain = matches!(&event, Event::Text(t) if t.as_ref() == &self.seen[range.clone()]);
            let mut from = range.start;
            loop {
                match groups.get(gi) {
                    Some(g) if g.span.start < range.end => {
                        if g.span.start > from {
                            self.push_part(&event, &range, from..g.span.start, plain);
                        }
                        // A group is emitted in the event it starts in.
                        if g.span.start >= range.start {
                            self.cite(g.clone());
                        }
                        if g.span.end <= range.end {
                            from = g.span.end;
                            gi += 1;
                        } else {
                            break;
                        }
                    }
                    _ => {
                        if from < range.end {
                            self.push_part(&event, &range, from..range.end, plain);
                        }
                        break;
                    }
                }
            }
        }
        self.run = run;
    }

    pub(super) fn push_part(
        &mut self,
        event: &Event<'t>,
        range: &Range<usize>,
        part: Range<usize>,
        plain: bool,
    ) {
        if part == *range {
            self.push_event(event.clone());
        } else if plain {
            let t = &self.text[part];
            self.push_event(Event::Text(CowStr::Borrowed(t)));
        }
    }

    pub(super) fn cite(&mut self, group: Group) {
        if self.in_footnote.is_some() {
            self.body.errors.push(
                Diagnostic::at("E004", self.file, self.text, group.span.clone(), "citation inside an editorial footnote")
                    .with_help("put the citation in the text the footnote belongs to; a footnote is the editor's own note"),
            );
            return;
        }
        if self
            .links
            .iter()
            .any(|l| matches!(l, Some(LinkType::Autolink | LinkType::Email)))
        {
            self.body.errors.push(
                Diagnostic::at(
                    "E004",
                    self.file,
                    self.text,
                    group.span.clone(),
                    "citation group inside a web address",
                )
                .with_help("write the group after the address, in the text"),
            );
            return;
        }
        // The text since the previous group starts with that group's trailing
        // punctuation (". The statement…"); a claim starts at its first word.
        // Its characters stay as the editor typed them (curly quotes, dashes):
        // readers see it on `/claims/`; checks normalize it where they compare.
        let claim = text::collapse_spaces(&self.claim)
            .trim_start_matches(|c: char| {
                c.is_whitespace()
                    || matches!(c, '.' | ',' | ';' | ':' | ')' | ']' | '!' | '?' | '—' | '–')
            })
            .into();
        self.claim.clear();
        let claim_at = std::mem::replace(&mut self.claim_at, group.span.end);
        self.body.groups.push(CiteGroup {
            group,
            claim,
            claim_at,
        });
        let index = self.body.groups.len() - 1;
        self.trim_before_marker();
        self.push(Piece::Cite(index));
    }

    /// `claim [@x:1]` renders as `claim¹`: the space before a group is the
    /// writer's, not the reader's, and a marker must not wrap onto a line alone.
    pub(super) fn trim_before_marker(&mut self) {
        loop {
            match self.body.pieces.last_mut() {
                Some(Piece::Event(Event::SoftBreak)) => {
                    self.body.pieces.pop();
                }
                Some(Piece::Event(Event::Text(t))) if t.ends_with(char::is_whitespace) => {
                    let trimmed = t.trim_end();
                    if trimmed.is_empty() {
                        self.body.pieces.pop();
                    } else {
                        *t = CowStr::from(trimmed.to_string());
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// A paragraph that is only `{{ name(args) }}` becomes a shortcode.
    pub(super) fn shortcode(&mut self, range: &Range<usize>) -> bool {
        let raw = &self.text[range.clone()];
        let trimmed = raw.trim();
        let Some(inner) = trimmed
            .strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
        else {
            return false;
        };
        let lead = raw.len() - raw.trim_start().len();
        let at = range.start + lead;
        let span = at..at + trimmed.len();
        match parse_shortcode(inner.trim()) {
            Ok(sc) => self.push(Piece::Shortcode(sc, span)),
            Err((message, help)) => {
                self.body.errors.push(
                    Diagnostic::at("E004", self.file, self.text, span, message).with_help(help),
                );
            }
        }
        true
    }
}

pub(super) fn shift(mut g: Group, by: usize) -> Group {
    let s = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
    s(&mut g.span);
    for c in &mut g.citations {
        s(&mut c.key_span);
        s(&mut c.lines_span);
        if let Some(q) = &mut c.quote_span {
            s(q);
        }
    }
    g
}

/// Inline events that may stand inside a citation group's raw text: a quote
/// is whatever sits between its delimiters, `*` and `<b>` included.
pub(super) fn in_run(event: &Event) -> bool {
    matches!(
        event,
        Event::Text(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::Code(_)
            | Event::InlineHtml(_)
            | Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)
    )
}
