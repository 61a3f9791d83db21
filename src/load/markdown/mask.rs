//! A citation group's own text is not Markdown. The raw text is scanned for
//! groups outside code; when the parser read any of them as something other
//! than text, the groups are masked with inert characters of the same length
//! and the page is parsed again, so positions stay the file's. A group the
//! parser still does not hand over as text is reported, never dropped.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::load::cite::{self};

/// Parses with the groups masked at most this many times: masking can only
/// remove code spans, so the groups found settle at once in practice.
pub(super) const MASK_ROUNDS: usize = 3;

/// Every citation group in the raw body, as (start, span; `None` when
/// malformed), skipping those in the parser's code spans, code blocks and
/// HTML comments, unless the span itself was opened inside an earlier group.
///
/// `lifted` holds the groups the pass already parsed in its runs of text, by
/// start (file offsets, in `text`). A group parsed whole inside a run reads
/// only its own characters, the same here, so its span is taken as it is;
/// the others (none in a page without trouble) are parsed on the body.
pub(super) fn scan(
    text: &str,
    body_at: usize,
    code: &[Range<usize>],
    lifted: &BTreeMap<usize, (Range<usize>, bool)>,
) -> Vec<(usize, Option<Range<usize>>)> {
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
        let span = match lifted.get(&file_at) {
            Some((span, _)) => Some(span.clone()),
            None => cite::parse_group(body, at)
                .ok()
                .map(|g| g.span.start + body_at..g.span.end + body_at),
        };
        match span {
            Some(span) => {
                resume = span.end - body_at;
                groups.push(span.clone());
                found.push((file_at, Some(span)));
            }
            None => found.push((file_at, None)),
        }
    }
    found
}

/// `text` with each span replaced, byte for byte, by `%xx…x%` (white space
/// kept, so lines and indentation stay): no Markdown syntax, the same
/// punctuation at both ends for emphasis rules, every offset unchanged.
pub(super) fn mask(text: &str, spans: &[Range<usize>]) -> String {
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
pub(super) fn hidden_group(file: &str, text: &str, at: usize, html: &[Range<usize>]) -> Diagnostic {
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
pub(super) fn comments(
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
