//! `/annotations.jsonld`: every citation and roster cite as a W3C Web
//! Annotation, streamed in bounded batches (the largest file of a site).

use std::ops::Range;

use rayon::prelude::*;
use serde_json::json;

use super::links::{claim_href, claim_id, link, member_anchor, verbatim_path};
use super::markup::push_num;
use crate::escape::json_string_into;
use crate::load::source::Source;
use crate::resolve::{Ref, Site};

/// Char and byte ranges of a reference in the source text: the matched
/// quote, or the cited lines.
fn selected(s: &Source, r: &Ref) -> (Range<usize>, Range<usize>) {
    if let Some(m) = &r.matched {
        return (m.chars(), m.bytes());
    }
    let start = s.line_chars[r.first - 1];
    let end = s.line_chars[r.last - 1] + s.line(r.last).chars().count();
    (
        start..end,
        s.lines[r.first - 1].start..s.lines[r.last - 1].end,
    )
}

/// Chars of context on each side of a `TextQuoteSelector`'s `exact`.
const CONTEXT_CHARS: usize = 32;

/// What an annotation says of its target: the source's words and the 32
/// chars either side (byte ranges in its text), and their char offsets.
struct Target {
    exact: Range<usize>,
    prefix: Range<usize>,
    suffix: Range<usize>,
    start: usize,
    end: usize,
}

fn target(s: &Source, r: &Ref) -> Target {
    let (chars, bytes) = selected(s, r);
    let (start, end) = (chars.start, chars.end);
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
        exact: from..to,
        prefix: before..from,
        suffix: to..after,
        start,
        end,
    }
}

/// One annotation: its id, why it was made (`describing`, `identifying`),
/// its text, the page it comes from, and the source words it points at.
struct Annotation<'a> {
    id: &'a str,
    motivation: &'a str,
    text: &'a str,
    page: &'a str,
    reference: &'a Ref,
}

impl Annotation<'_> {
    /// Appends the annotation as W3C Web Annotation JSON. Written here, keys
    /// and all, rather than derived: a large site has a million of these,
    /// and serde's work per field (each key escaped again) cost more than
    /// their text. `links`: each source's verbatim copy as annotations name
    /// it, as a JSON string.
    fn write(&self, out: &mut Vec<u8>, site: &Site, links: &[Vec<u8>]) {
        let r = self.reference;
        let s = &site.sources[r.source];
        let t = target(s, r);
        out.extend_from_slice(b"{\"id\":");
        json_string_into(out, self.id);
        out.extend_from_slice(b",\"type\":\"Annotation\",\"motivation\":");
        json_string_into(out, self.motivation);
        out.extend_from_slice(b",\"body\":[{\"type\":\"TextualBody\",\"value\":");
        json_string_into(out, self.text);
        out.extend_from_slice(b",\"format\":\"text/plain\",\"purpose\":");
        json_string_into(out, self.motivation);
        out.extend_from_slice(b"},{\"id\":");
        json_string_into(out, self.page);
        out.extend_from_slice(
            b",\"type\":\"Text\",\"format\":\"text/html\"}],\"target\":{\"source\":",
        );
        out.extend_from_slice(&links[r.source]);
        out.extend_from_slice(b",\"selector\":[{\"type\":\"TextQuoteSelector\",\"exact\":");
        json_string_into(out, &s.text[t.exact]);
        out.extend_from_slice(b",\"prefix\":");
        json_string_into(out, &s.text[t.prefix]);
        out.extend_from_slice(b",\"suffix\":");
        json_string_into(out, &s.text[t.suffix]);
        out.extend_from_slice(b"},{\"type\":\"TextPositionSelector\",\"start\":");
        out.extend_from_slice(itoa::Buffer::new().format(t.start).as_bytes());
        out.extend_from_slice(b",\"end\":");
        out.extend_from_slice(itoa::Buffer::new().format(t.end).as_bytes());
        out.extend_from_slice(b"}]}}");
    }
}

/// Annotations serialized one after another, comma-separated.
#[derive(Default)]
struct Block {
    count: usize,
    out: Vec<u8>,
}

impl Block {
    fn push(&mut self, annotation: Annotation, site: &Site, links: &[Vec<u8>]) {
        if self.count > 0 {
            self.out.extend_from_slice(b",\n");
        }
        self.count += 1;
        annotation.write(&mut self.out, site, links);
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
    // Each source's link, made and escaped once: a source is the target of
    // many annotations.
    let links: Vec<Vec<u8>> = site
        .sources
        .iter()
        .map(|s| {
            let mut json = Vec::new();
            json_string_into(&mut json, &link(site, "", &verbatim_path(s)));
            json
        })
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
                    block.push(
                        Annotation {
                            id: &format!("{collection}#{anchor}-{}", k + 1),
                            motivation: "identifying",
                            text: &format!("Named in roster: {} — {} ({})", d.name, m.name, m.role),
                            page: &link(site, "", &format!("delegations/index.html#{anchor}")),
                            reference: &c.reference,
                        },
                        site,
                        &links,
                    );
                }
            }
        }
        emit(block, out)?;
    }
    debug_assert_eq!(written, total, "the head's total counts every annotation");
    out.write_all(b"\n]}}\n")
}

/// The annotations of some claims, serialized.
fn claim_block(site: &Site, links: &[Vec<u8>], collection: &str, claims: &[usize]) -> Block {
    // About a kilobyte per annotation: sized once rather than grown.
    let mut block = Block {
        count: 0,
        out: Vec::with_capacity(claims.len() * 1024),
    };
    for &ci in claims {
        let claim = &site.claims[ci];
        let page_url = link(site, "", &claim_href(site, ci, ""));
        // `{collection}#{claim id}-{k}`: the number is all that changes.
        let mut id = String::with_capacity(collection.len() + 40);
        id.push_str(collection);
        id.push('#');
        id.push_str(&claim_id(site, ci));
        id.push('-');
        let stem = id.len();
        for (k, r) in site.pages[claim.page].group_refs[claim.group]
            .iter()
            .enumerate()
        {
            id.truncate(stem);
            push_num(&mut id, k + 1);
            block.push(
                Annotation {
                    id: &id,
                    motivation: "describing",
                    text: site.claim_text(claim),
                    page: &page_url,
                    reference: r,
                },
                site,
                links,
            );
        }
    }
    block
}
