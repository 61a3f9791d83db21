//! The one place a Markdown parser is configured, and the pass that lifts
//! citation groups, editorial footnotes and shortcodes out of the event stream.
//!
//! Citations are found on the raw source of each run of text events, never
//! inside code spans or blocks (those are separate events), so positions are
//! exact and `\[@` escapes are visible. The result is a list of `Piece`s:
//! ordinary Markdown events plus placeholders the resolver and renderer fill.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::load::cite::{self, Group};
use crate::text;

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

struct Builder<'t> {
    file: &'t str,
    /// The file as written: raw text of groups, diagnostics.
    text: &'t str,
    /// The text the Markdown parser reads: `text` with the citation groups
    /// masked (see [`mask`]), or `text` itself.
    seen: &'t str,
    body: Pieces,
    /// What this pass saw, to compare with a scan of the raw text.
    saw: Saw,
    /// Open links and images (their kinds): a note marker is an `<a>` and
    /// cannot stand inside a link, nor an image's `alt`.
    links: Vec<Option<LinkType>>,
    /// Note markers of the open link, placed right after it.
    deferred: Vec<Piece>,
    /// Pending run of text events with their file ranges.
    run: Vec<(Event<'t>, Range<usize>)>,
    /// Plain text of the current block since the last citation group.
    claim: String,
    /// Label of the footnote definition being collected, if any.
    in_footnote: Option<(String, Vec<Piece>)>,
    /// Skipping the events of a shortcode paragraph.
    skipping_paragraph: bool,
    /// Inside a code block, text is code: no citations, no shortcodes.
    in_code: bool,
}

/// What one pass over the events saw of code and citation groups.
#[derive(Default)]
struct Saw {
    /// Code spans, code blocks and HTML comments (file offsets, in order):
    /// nothing in them is a citation.
    code: Vec<Range<usize>>,
    /// Inline HTML and HTML blocks, to say why a group was not read.
    html: Vec<Range<usize>>,
    /// Groups lifted out of the text, by start: span, and whether the
    /// parser saw only text in it (no code span, tag, emphasis or HTML
    /// starting or ending inside it).
    groups: BTreeMap<usize, (Range<usize>, bool)>,
    /// Starts of malformed groups reported (E004).
    malformed: HashSet<usize>,
}

fn starts_block(tag: &Tag) -> bool {
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

fn ends_block(tag: &TagEnd) -> bool {
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
    fn push(&mut self, piece: Piece) {
        if !self.links.is_empty() && matches!(piece, Piece::Cite(_) | Piece::FootnoteRef(_)) {
            self.deferred.push(piece);
            return;
        }
        match &mut self.in_footnote {
            Some((_, pieces)) => pieces.push(piece),
            None => self.body.pieces.push(piece),
        }
    }

    fn push_event(&mut self, event: Event<'t>) {
        match &event {
            Event::Text(t) | Event::Code(t) => self.claim.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.claim.push(' '),
            _ => {}
        }
        self.push(Piece::Event(event.into_static()));
    }

    fn flush_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let run = std::mem::take(&mut self.run);
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
            for (event, _) in run {
                self.push_event(event);
            }
            return;
        }
        let mut gi = 0;
        for (event, range) in run {
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
    }

    fn push_part(
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

    fn cite(&mut self, group: Group) {
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
        let claim = text::normalize_str(&self.claim)
            .trim_start_matches(|c: char| {
                c.is_whitespace()
                    || matches!(c, '.' | ',' | ';' | ':' | ')' | ']' | '!' | '?' | '—' | '–')
            })
            .into();
        self.claim.clear();
        self.body.groups.push(CiteGroup { group, claim });
        let index = self.body.groups.len() - 1;
        self.trim_before_marker();
        self.push(Piece::Cite(index));
    }

    /// `claim [@x:1]` renders as `claim¹`: the space before a group is the
    /// writer's, not the reader's, and a marker must not wrap onto a line alone.
    fn trim_before_marker(&mut self) {
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
    fn shortcode(&mut self, range: &Range<usize>) -> bool {
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

fn shift(mut g: Group, by: usize) -> Group {
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

const SHORTCODE_HELP: &str =
    "shortcodes are {{ delegations() }}, {{ delegation(id=\"…\") }} and {{ claims() }}";

fn parse_shortcode(inner: &str) -> Result<Shortcode, (String, String)> {
    let err = |m: String| Err((m, SHORTCODE_HELP.to_string()));
    let Some((name, rest)) = inner.split_once('(') else {
        return err(format!("malformed shortcode `{{{{ {inner} }}}}`"));
    };
    let Some(args) = rest.trim_end().strip_suffix(')') else {
        return err(format!("shortcode `{}` is missing `)`", name.trim()));
    };
    let name = name.trim();
    let args = args.trim();
    match name {
        "delegations" | "claims" if args.is_empty() => Ok(if name == "claims" {
            Shortcode::Claims
        } else {
            Shortcode::Delegations
        }),
        "delegations" | "claims" => err(format!(
            "shortcode `{name}` takes no arguments, found `{args}`"
        )),
        "delegation" => {
            let value = args
                .strip_prefix("id")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(str::trim)
                .and_then(|v| {
                    v.strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .or_else(|| v.strip_prefix('“').and_then(|v| v.strip_suffix('”')))
                });
            match value {
                Some(id) if !id.is_empty() && !id.contains('"') => {
                    Ok(Shortcode::Delegation { id: id.to_string() })
                }
                _ => err(format!(
                    "shortcode `delegation` needs one argument id=\"…\", found `{args}`"
                )),
            }
        }
        other => err(format!("unknown shortcode `{other}`")),
    }
}

/// Inline events that may stand inside a citation group's raw text: a quote
/// is whatever sits between its delimiters, `*` and `<b>` included.
fn in_run(event: &Event) -> bool {
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
        let found = scan(text, body_at, &saw.code);
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

/// Parses with the groups masked at most this many times: masking can only
/// remove code spans, so the groups found settle at once in practice.
const MASK_ROUNDS: usize = 3;

/// Every citation group in the raw body, as (start, span; `None` when
/// malformed), skipping those in the parser's code spans, code blocks and
/// HTML comments, unless the span itself was opened inside an earlier group.
fn scan(text: &str, body_at: usize, code: &[Range<usize>]) -> Vec<(usize, Option<Range<usize>>)> {
    let body = &text[body_at..];
    let mut found: Vec<(usize, Option<Range<usize>>)> = Vec::new();
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut resume = 0;
    for at in cite::group_starts(body) {
        if at < resume {
            continue;
        }
        let file_at = at + body_at;
        let i = code.partition_point(|r| r.start <= file_at);
        if let Some(r) = i
            .checked_sub(1)
            .map(|i| &code[i])
            .filter(|r| r.end > file_at)
        {
            let j = groups.partition_point(|g| g.start < r.start);
            let opened_in_group = j > 0 && groups[j - 1].end > r.start;
            if !opened_in_group {
                continue;
            }
        }
        match cite::parse_group(body, at) {
            Ok(g) => {
                resume = g.span.end;
                let span = g.span.start + body_at..g.span.end + body_at;
                groups.push(span.clone());
                found.push((file_at, Some(span)));
            }
            Err(_) => found.push((file_at, None)),
        }
    }
    found
}

/// `text` with each span replaced, byte for byte, by `%xx…x%` (white space
/// kept, so lines and indentation stay): no Markdown syntax, the same
/// punctuation at both ends for emphasis rules, every offset unchanged.
fn mask(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        for b in &mut bytes[span.clone()] {
            if !b.is_ascii_whitespace() {
                *b = b'x';
            }
        }
        bytes[span.start] = b'%';
        bytes[span.end - 1] = b'%';
    }
    String::from_utf8(bytes).expect("a group's characters are replaced whole, by ASCII")
}

/// E004 for a group the parser does not hand over as text.
fn hidden_group(file: &str, text: &str, at: usize, html: &[Range<usize>]) -> Diagnostic {
    let in_html = html.iter().any(|r| r.contains(&at));
    let message = if in_html {
        "citation group inside HTML is not read as a citation"
    } else {
        "citation group is not read as a citation here (a link's address or title, a link reference definition)"
    };
    Diagnostic::at("E004", file, text, at..at + 2, message).with_help(
        "write the group in the text of a paragraph, list item, table cell or heading; write \\[@ if it is not a citation",
    )
}

/// Adds the HTML comments of the HTML at `range` of `seen` to `out`; a
/// comment of an HTML block may span several events (`open`).
fn comments(
    seen: &str,
    range: Range<usize>,
    open: &mut Option<usize>,
    out: &mut Vec<Range<usize>>,
) {
    let html = &seen[range.clone()];
    let mut k = 0;
    loop {
        match *open {
            Some(start) => match html[k..].find("-->") {
                Some(p) => {
                    out.push(start..range.start + k + p + 3);
                    *open = None;
                    k += p + 3;
                }
                None => return,
            },
            None => match html[k..].find("<!--") {
                Some(p) => {
                    *open = Some(range.start + k + p);
                    k += p + 4;
                }
                None => return,
            },
        }
    }
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
mod tests {
    use super::*;

    fn body(md: &str) -> Pieces {
        parse_pieces("content/t.md", md, 0)
    }

    fn texts(b: &Pieces) -> String {
        b.pieces
            .iter()
            .map(|p| match p {
                Piece::Event(Event::Text(t)) => t.to_string(),
                Piece::Cite(i) => format!("<{i}>"),
                Piece::FootnoteRef(l) => format!("[^{l}]"),
                Piece::Shortcode(s, _) => format!("{{{s:?}}}"),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn groups_are_lifted_out_of_text() {
        let b = body(
            "The US will supervise it [@newsmax:3 \"will supervise\"]. Then more [@jpost:2].\n",
        );
        assert!(b.errors.is_empty(), "{:?}", b.errors);
        assert_eq!(b.groups.len(), 2);
        assert_eq!(texts(&b), "The US will supervise it<0>. Then more<1>.");
        assert_eq!(&*b.groups[0].claim, "The US will supervise it");
        assert_eq!(&*b.groups[1].claim, "Then more");
    }

    #[test]
    fn no_space_or_line_break_before_a_marker() {
        let b = body("A claim\n[@a:1] and   [@a:2] end.\n");
        assert_eq!(texts(&b), "A claim<0> and<1> end.");
    }

    #[test]
    fn spans_are_file_offsets() {
        let md = "+++\ntitle = \"x\"\n+++\nText [@a:1].\n";
        let at = md.find("[@").unwrap();
        let b = parse_pieces("content/t.md", md, md.find("Text").unwrap());
        assert_eq!(b.groups[0].group.span, at..at + 6);
    }

    #[test]
    fn nothing_is_a_citation_in_code() {
        let b = body("Use `[@a:1]` like this:\n\n```\n[@a:2 \"x\"]\n{{ claims() }}\n```\n");
        assert!(b.groups.is_empty());
        assert!(b.errors.is_empty());
        assert!(!b.pieces.iter().any(|p| matches!(p, Piece::Shortcode(..))));
    }

    #[test]
    fn escaped_and_handle_brackets_stay_text() {
        let b = body("Write \\[@a:1] or ask [@someone].\n");
        assert!(b.groups.is_empty(), "{:?}", b.groups);
        assert!(b.errors.is_empty());
        assert_eq!(texts(&b), "Write [@a:1] or ask [@someone].");
    }

    #[test]
    fn claim_starts_at_block_start() {
        let b = body("# Heading [@a:1]\n\n- item one [@a:2]\n- item two [@a:3]\n\n| x | y |\n|---|---|\n| cell [@a:4] | z |\n");
        let claims: Vec<_> = b.groups.iter().map(|g| &*g.claim).collect();
        assert_eq!(claims, ["Heading", "item one", "item two", "cell"]);
    }

    #[test]
    fn quote_with_smart_punctuation_and_wrap() {
        let b = body("He said so [@a:1-2 \"it's a \\\"deal\\\"\nnow\"] today.\n");
        assert!(b.errors.is_empty(), "{:?}", b.errors);
        assert_eq!(
            b.groups[0].group.citations[0].quote.as_deref(),
            Some("it's a \"deal\"\nnow")
        );
        assert_eq!(texts(&b), "He said so<0> today.");
    }

    #[test]
    fn malformed_group_is_e004_with_position() {
        let md = "Line one.\n\nBad [@newsmax:x] here.\n";
        let b = body(md);
        assert_eq!(b.errors.len(), 1);
        let e = &b.errors[0];
        assert_eq!((e.code, e.line, e.column), ("E004", 3, 15));
    }

    #[test]
    fn footnotes_are_collected_and_referenced() {
        let b = body("Claim[^one] and again[^one].\n\n[^one]: An editorial note.\n");
        let refs = b
            .pieces
            .iter()
            .filter(|p| matches!(p, Piece::FootnoteRef(l) if l == "one"))
            .count();
        assert_eq!(refs, 2);
        assert!(b.footnotes.contains_key("one"));
    }

    #[test]
    fn citation_in_footnote_is_e004() {
        let b = body("Claim[^n].\n\n[^n]: See [@a:1].\n");
        assert_eq!(b.errors.len(), 1);
        assert_eq!(b.errors[0].code, "E004");
    }

    #[test]
    fn shortcodes() {
        let b = body("{{ delegations() }}\n\n{{ delegation(id=\"israel\") }}\n\n{{ claims() }}\n");
        assert!(b.errors.is_empty(), "{:?}", b.errors);
        assert_eq!(
            texts(&b),
            "{Delegations}{Delegation { id: \"israel\" }}{Claims}"
        );
    }

    #[test]
    fn unknown_shortcode_is_e004_at_its_start() {
        let b = body("Intro.\n\n  {{ rosters() }}\n\n{{ delegation(name=\"x\") }}\n");
        let pos: Vec<_> = b
            .errors
            .iter()
            .map(|e| (e.code, e.line, e.column))
            .collect();
        assert_eq!(pos, [("E004", 3, 3), ("E004", 5, 1)]);
        assert!(b.errors[0].message.contains("unknown shortcode `rosters`"));
    }

    #[test]
    fn inline_braces_are_text() {
        let b = body("Templates use {{ x }} braces.\n");
        assert!(b.errors.is_empty());
        assert!(texts(&b).contains("{{ x }}"));
    }
}
