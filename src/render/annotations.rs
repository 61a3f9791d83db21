//! `/annotations.jsonld`: every citation and roster cite as a W3C Web
//! Annotation, streamed in bounded batches (the largest file of a site).

use rayon::prelude::*;
use serde_json::json;

use super::links::{claim_href, claim_id, link, member_anchor, verbatim_path};
use crate::load::source::Source;
use crate::resolve::{Ref, Site};

/// Char range of a reference in the source text: the matched quote, or the cited lines.
fn selected(s: &Source, r: &Ref) -> (usize, usize) {
    if let Some(m) = &r.matched {
        return (m.start, m.end);
    }
    let start = s.line_chars[r.first - 1];
    let end = s.line_chars[r.last - 1] + s.line(r.last).chars().count();
    (start, end)
}

/// One W3C Web Annotation, serialized straight from borrowed data (a large
/// site has a million of these; building `serde_json::Value` trees for them
/// cost more than writing them).
#[derive(serde::Serialize)]
struct Annotation<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: &'static str,
    body: (TextualBody<'a>, PageRef),
    target: Target<'a>,
}

#[derive(serde::Serialize)]
struct TextualBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: std::borrow::Cow<'a, str>,
    format: &'static str,
    purpose: &'static str,
}

#[derive(serde::Serialize)]
struct PageRef {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
}

#[derive(serde::Serialize)]
struct Target<'a> {
    source: &'a str,
    selector: (QuoteSelector<'a>, PositionSelector),
}

#[derive(serde::Serialize)]
struct QuoteSelector<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    exact: &'a str,
    prefix: &'a str,
    suffix: &'a str,
}

#[derive(serde::Serialize)]
struct PositionSelector {
    #[serde(rename = "type")]
    kind: &'static str,
    start: usize,
    end: usize,
}

/// Chars of context on each side of a `TextQuoteSelector`'s `exact`.
const CONTEXT_CHARS: usize = 32;

/// `links`: each source's verbatim copy as an annotation names it.
fn target<'a>(site: &'a Site, links: &'a [String], r: &Ref) -> Target<'a> {
    let s = &site.sources[r.source];
    let (start, end) = selected(s, r);
    let bytes = s.byte_range(start, end);
    let (from, to) = (bytes.start, bytes.end);
    // Up to 32 chars either side, found by walking from the quote.
    let before = s.text[..from]
        .char_indices()
        .rev()
        .take(CONTEXT_CHARS)
        .last()
        .map_or(from, |(i, _)| i);
    let after = s.text[to..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(s.text.len(), |(i, _)| to + i);
    Target {
        source: &links[r.source],
        selector: (
            QuoteSelector {
                kind: "TextQuoteSelector",
                exact: &s.text[from..to],
                prefix: &s.text[before..from],
                suffix: &s.text[to..after],
            },
            PositionSelector {
                kind: "TextPositionSelector",
                start,
                end,
            },
        ),
    }
}

fn annotation<'a>(
    site: &'a Site,
    links: &'a [String],
    id: String,
    motivation: &'static str,
    text: std::borrow::Cow<'a, str>,
    page: String,
    r: &Ref,
) -> Annotation<'a> {
    let a = Annotation {
        id,
        kind: "Annotation",
        motivation,
        body: (
            TextualBody {
                kind: "TextualBody",
                value: text,
                format: "text/plain",
                purpose: motivation,
            },
            PageRef {
                id: page,
                kind: "Text",
                format: "text/html",
            },
        ),
        target: target(site, links, r),
    };
    a
}

/// Annotations serialized one after another, comma-separated.
#[derive(Default)]
struct Block {
    count: usize,
    out: Vec<u8>,
}

impl Block {
    fn push(&mut self, annotation: Annotation) {
        if self.count > 0 {
            self.out.extend_from_slice(b",\n");
        }
        self.count += 1;
        serde_json::to_writer(&mut self.out, &annotation).expect("annotations serialize");
    }
}

/// Claims per block of `annotations.jsonld`: blocks are serialized in
/// parallel, a few at a time, and written as they are done.
const CLAIMS_PER_BLOCK: usize = 1024;
/// Blocks serialized at once: what the file costs in memory at most.
const BLOCKS_AT_ONCE: usize = 8;

/// Writes every page citation and roster cite as a W3C Web Annotation, one
/// JSON document, to `out` in parts (the file for 100,000 claims is larger
/// than any page and is never held whole).
pub(crate) fn annotations(site: &Site, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let collection = link(site, "", "annotations.jsonld");
    let roster_total: usize = site
        .roster
        .as_ref()
        .map_or(0, |r| r.cites.iter().flatten().map(Vec::len).sum());
    let total = site.citation_total() + roster_total;
    let head = json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection,
        "type": "AnnotationCollection",
        "label": format!("Citations of {}", site.config.title),
        "total": total,
    });
    // Each source's link, made once: a source is the target of many annotations.
    let links: Vec<String> = site
        .sources
        .iter()
        .map(|s| link(site, "", &verbatim_path(s)))
        .collect();
    let mut first = serde_json::to_vec(&head).expect("JSON serializes");
    first.pop(); // the closing brace; the first page follows
    first.extend_from_slice(
        b",\n\"first\":{\"type\":\"AnnotationPage\",\"startIndex\":0,\"items\":[\n",
    );
    out.write_all(&first)?;
    let mut written = 0;
    let mut emit = |block: Block, out: &mut dyn std::io::Write| -> std::io::Result<()> {
        if block.count == 0 {
            return Ok(());
        }
        if written > 0 {
            out.write_all(b",\n")?;
        }
        written += block.count;
        out.write_all(&block.out)
    };
    let claims: Vec<usize> = (0..site.claims.len()).collect();
    for batch in claims.chunks(CLAIMS_PER_BLOCK * BLOCKS_AT_ONCE) {
        let blocks: Vec<Block> = batch
            .par_chunks(CLAIMS_PER_BLOCK)
            .map(|chunk| claim_block(site, &links, &collection, chunk))
            .collect();
        for block in blocks {
            emit(block, out)?;
        }
    }
    if let Some(roster) = &site.roster {
        let mut block = Block::default();
        for (di, d) in roster.roster.delegations.iter().enumerate() {
            for (mi, m) in d.members.iter().enumerate() {
                let anchor = member_anchor(&d.id, &m.id);
                for (k, c) in roster.cites[di][mi].iter().enumerate() {
                    block.push(annotation(
                        site,
                        &links,
                        format!("{collection}#{anchor}-{}", k + 1),
                        "identifying",
                        format!("Named in roster: {} — {} ({})", d.name, m.name, m.role).into(),
                        link(site, "", &format!("delegations/index.html#{anchor}")),
                        &c.reference,
                    ));
                }
            }
        }
        emit(block, out)?;
    }
    debug_assert_eq!(written, total, "the head's total counts every annotation");
    out.write_all(b"\n]}}\n")
}

/// The annotations of some claims, serialized.
fn claim_block(site: &Site, links: &[String], collection: &str, claims: &[usize]) -> Block {
    // About a kilobyte per annotation: sized once rather than grown.
    let mut block = Block {
        count: 0,
        out: Vec::with_capacity(claims.len() * 1024),
    };
    for &ci in claims {
        let claim = &site.claims[ci];
        let page_url = link(site, "", &claim_href(site, ci, ""));
        let id = claim_id(site, ci);
        for (k, r) in site.pages[claim.page].group_refs[claim.group]
            .iter()
            .enumerate()
        {
            block.push(annotation(
                site,
                links,
                format!("{collection}#{id}-{}", k + 1),
                "describing",
                site.claim_text(claim).into(),
                page_url.clone(),
                r,
            ));
        }
    }
    block
}
