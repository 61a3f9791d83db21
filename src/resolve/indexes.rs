//! The site-wide indexes resolution builds across pages: the claims in
//! reading order, what cites each source line (back-links) and the number
//! of citations of each source. Made from every page, or, in `serve`,
//! patched from the last resolution's when pages changed in place: an
//! edit of one page of a large site then costs what that page cites, not
//! a pass over 100,000 claims.

use std::sync::Arc;

use rayon::prelude::*;

use super::model::*;

/// What the last good resolution built across pages: valid again while
/// every page stands where it stood, with the same URL, notes and verified
/// references, against the same sources; patched ([`patch`]) while only
/// the pages stand where they stood.
#[derive(Clone)]
pub(super) struct Indexes {
    pub claims: Arc<Vec<Claim>>,
    pub backlinks: Arc<Vec<Backlinks>>,
    pub citation_counts: Arc<Vec<usize>>,
    pub origins: Arc<Vec<Vec<super::Origin>>>,
    pub retells: Arc<Vec<Vec<usize>>>,
}

/// Claims, back-links of each source and citations of each source.
pub(super) type Built = (Vec<Claim>, Vec<Backlinks>, Vec<usize>);

/// A page that changed in place: its position, and the verified citations
/// the page at that position had in the last resolution.
pub(super) struct Replaced {
    pub position: usize,
    pub old_refs: Arc<Vec<Vec<Ref>>>,
}

/// The claim of citation group `g` of page `p`, at `position` in the order.
fn claim_of(position: usize, p: &ResolvedPage, g: usize) -> Claim {
    Claim {
        page: position,
        group: g,
        note: p.page.body.html.group_note[g],
    }
}

/// The indexes of `pages` (with the roster's cites), from every page.
pub(super) fn build(
    pages: &[ResolvedPage],
    roster: Option<&ResolvedRoster>,
    sources: usize,
) -> Built {
    let mut claims = Vec::with_capacity(pages.last().map_or(0, |p| p.claims.end));
    // What cites each source line, as (line, back-link) pairs in reading
    // order; grouped by line below, one source per task.
    let mut pairs: Vec<Vec<(usize, Backlink)>> = vec![Vec::new(); sources];
    let mut counts = vec![0; sources];
    for (pi, p) in pages.iter().enumerate() {
        for (g, refs) in p.group_refs.iter().enumerate() {
            let claim = claims.len();
            claims.push(claim_of(pi, p, g));
            for r in refs {
                counts[r.source] += 1;
                pairs[r.source].extend((r.first..=r.last).map(|l| (l, Backlink::Claim(claim))));
            }
        }
    }
    if let Some(r) = roster {
        for (di, members) in r.cites.iter().enumerate() {
            for (mi, cites) in members.iter().enumerate() {
                for c in cites {
                    let r = &c.reference;
                    pairs[r.source]
                        .extend((r.first..=r.last).map(|l| (l, Backlink::Member(di, mi))));
                }
            }
        }
    }
    let backlinks = pairs.into_par_iter().map(Backlinks::by_line).collect();
    (claims, backlinks, counts)
}

/// The indexes of `pages`, from `last`'s: `pages` are the last resolution's
/// pages, as many and in the same order, against the same sources and
/// roster, except at the `replaced` positions (in order). The claims of a
/// replaced page are taken out and its new ones put in; the claims after
/// it move by the difference; only the back-links of sources the replaced
/// pages cite (or cited) are grouped again. `None` when `last` does not
/// add up to these pages (then [`build`]).
pub(super) fn patch(
    last: &Indexes,
    pages: &[ResolvedPage],
    replaced: &[Replaced],
) -> Option<Built> {
    // Each replaced page's old claims (start, end), and how far the claims
    // after them move: the growth of the replaced pages up to it.
    let mut old_ranges: Vec<(usize, usize, isize)> = Vec::with_capacity(replaced.len());
    let mut growth: isize = 0;
    for r in replaced {
        let new = &pages.get(r.position)?.claims;
        let start = new.start.checked_add_signed(-growth)?;
        if old_ranges.last().is_some_and(|&(_, end, _)| start < end) {
            return None;
        }
        let end = start + r.old_refs.len();
        growth += new.len() as isize - r.old_refs.len() as isize;
        old_ranges.push((start, end, growth));
    }
    let total = pages.last().map_or(0, |p| p.claims.end);
    let fits = old_ranges
        .last()
        .is_none_or(|&(_, end, _)| end <= last.claims.len());
    if last.claims.len().checked_add_signed(growth)? != total || !fits {
        return None;
    }
    let shifts = old_ranges.iter().any(|&(_, _, growth)| growth != 0);
    // Where an old claim is now (`None`: it was on a replaced page).
    let moved = |c: usize| -> Option<usize> {
        let i = old_ranges.partition_point(|&(start, _, _)| start <= c);
        match i.checked_sub(1).map(|i| old_ranges[i]) {
            None => Some(c),
            Some((_, end, _)) if c < end => None,
            Some((_, _, growth)) => c.checked_add_signed(growth),
        }
    };

    let mut claims = Vec::with_capacity(total);
    let mut cursor = 0;
    for (r, &(start, end, _)) in replaced.iter().zip(&old_ranges) {
        claims.extend_from_slice(&last.claims[cursor..start]);
        let p = &pages[r.position];
        claims.extend((0..p.group_refs.len()).map(|g| claim_of(r.position, p, g)));
        cursor = end;
    }
    claims.extend_from_slice(&last.claims[cursor..]);

    // Counts, and the new back-link pairs of each source a replaced page cites.
    let mut counts = (*last.citation_counts).clone();
    let mut added: Vec<(usize, usize, Backlink)> = Vec::new();
    let mut affected: Vec<usize> = Vec::new();
    for r in replaced {
        for x in r.old_refs.iter().flatten() {
            counts[x.source] = counts[x.source].checked_sub(1)?;
            affected.push(x.source);
        }
        let p = &pages[r.position];
        for (g, refs) in p.group_refs.iter().enumerate() {
            for x in refs {
                counts[x.source] += 1;
                affected.push(x.source);
                let claim = Backlink::Claim(p.claims.start + g);
                added.extend((x.first..=x.last).map(|l| (x.source, l, claim)));
            }
        }
    }
    affected.sort_unstable();
    affected.dedup();
    added.sort_unstable();

    let backlinks = last
        .backlinks
        .par_iter()
        .enumerate()
        .map(|(s, b)| {
            if affected.binary_search(&s).is_err() {
                // Cites no replaced page: its claims only move.
                return if shifts {
                    b.map_claims(|c| moved(c).unwrap_or(c))
                } else {
                    b.clone()
                };
            }
            // In reading order within a line: claims by index, then roster
            // members, which is how back-links sort.
            let from = added.partition_point(|&(source, _, _)| source < s);
            let to = added.partition_point(|&(source, _, _)| source <= s);
            let mut pairs: Vec<(usize, Backlink)> = b
                .pairs()
                .filter_map(|(line, link)| match link {
                    Backlink::Claim(c) => moved(c).map(|c| (line, Backlink::Claim(c))),
                    member => Some((line, member)),
                })
                .chain(added[from..to].iter().map(|&(_, line, link)| (line, link)))
                .collect();
            pairs.sort();
            Backlinks::by_line(pairs)
        })
        .collect();
    Some((claims, backlinks, counts))
}
