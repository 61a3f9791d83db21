//! The resolved site: what the later phases read. Every type here is made
//! by `resolve` and only read afterwards, so no field means something only
//! "after phase X".

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::load::config::Config;
use crate::load::lock::{self, Lock};
use crate::load::page::ParsedPage;
use crate::load::roster::Roster;
use crate::load::source::Source;

/// A verified reference to source lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub source: usize,
    pub first: usize,
    pub last: usize,
    /// The quote as the page wrote it (shared with its citation), or the
    /// spelling a roster cite found.
    pub quote: Option<Arc<str>>,
    /// Where the quote was found.
    pub matched: Option<Matched>,
}

/// Where a quote stands in its source's text (after the BOM), as 32-bit
/// offsets: a reference stays 64 bytes, and a large site holds hundreds of
/// thousands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    chars: Range<u32>,
    bytes: Range<u32>,
}

impl Matched {
    /// The match at char range `chars` of `s`, its byte range found while
    /// its line is at hand; `None` past 4 GiB of text, where the quote is
    /// then shown as the editor typed it rather than cut from the source.
    pub fn new(s: &Source, chars: Range<usize>) -> Option<Matched> {
        let bytes = s.byte_range(chars.start, chars.end);
        let fit = |r: Range<usize>| Some(u32::try_from(r.start).ok()?..u32::try_from(r.end).ok()?);
        Some(Matched {
            chars: fit(chars)?,
            bytes: fit(bytes)?,
        })
    }

    /// In chars: what annotations and provenance pages count in.
    pub fn chars(&self) -> Range<usize> {
        self.chars.start as usize..self.chars.end as usize
    }

    /// In bytes: the quote's text, without walking the source again.
    pub fn bytes(&self) -> Range<usize> {
        self.bytes.start as usize..self.bytes.end as usize
    }
}

#[derive(Debug)]
pub struct ResolvedPage {
    /// The page; its numbered notes are in `page.body.html`.
    pub page: Arc<ParsedPage>,
    /// Verified references of each citation group (shared with the
    /// [`Memo`] that `serve` keeps between builds).
    pub group_refs: Arc<Vec<Vec<Ref>>>,
    /// Indexes of this page's claims in `Site::claims`.
    pub claims: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Claim {
    pub page: usize,
    pub group: usize,
    pub note: usize,
}

/// What cites the lines of one source: each cited line once, in order, and
/// its back-links in reading order. (Three vectors per source instead of a
/// map and a vector per cited line: a large site has 100,000 cited lines.)
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Backlinks {
    lines: Vec<usize>,
    /// Where each line's back-links end in `links`.
    ends: Vec<usize>,
    links: Vec<Backlink>,
}

impl Backlinks {
    /// Groups (line, back-link) pairs by line, keeping reading order within a
    /// line (claims before roster members, as they were pushed) and listing a
    /// claim once per line however many of its citations cite it.
    pub(crate) fn by_line(mut pairs: Vec<(usize, Backlink)>) -> Backlinks {
        pairs.sort_by_key(|&(line, _)| line);
        let mut out = Backlinks::default();
        for (line, b) in pairs {
            if out.lines.last() == Some(&line) {
                let repeated = matches!(b, Backlink::Claim(_)) && out.links.last() == Some(&b);
                if !repeated {
                    out.links.push(b);
                    *out.ends.last_mut().expect("a line has its end") += 1;
                }
            } else {
                out.lines.push(line);
                out.links.push(b);
                out.ends.push(out.links.len());
            }
        }
        out
    }

    /// The cited lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.lines.iter().copied()
    }

    /// What cites line `n`, in reading order (`None`: nothing does).
    pub fn get(&self, n: usize) -> Option<&[Backlink]> {
        let i = self.lines.binary_search(&n).ok()?;
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        Some(&self.links[start..self.ends[i]])
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Every (line, back-link), in order: what [`Backlinks::by_line`] makes
    /// these from again.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (usize, Backlink)> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        self.lines
            .iter()
            .zip(starts.zip(&self.ends))
            .flat_map(|(&line, (start, &end))| {
                self.links[start..end].iter().map(move |&b| (line, b))
            })
    }

    /// The same back-links with each claim index mapped by `to` (which must
    /// keep their order).
    pub(crate) fn map_claims(&self, to: impl Fn(usize) -> usize) -> Backlinks {
        let links = self
            .links
            .iter()
            .map(|&b| match b {
                Backlink::Claim(c) => Backlink::Claim(to(c)),
                member => member,
            })
            .collect();
        Backlinks {
            lines: self.lines.clone(),
            ends: self.ends.clone(),
            links,
        }
    }
}

/// What a cited line links back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backlink {
    Claim(usize),
    /// Delegation index, member index.
    Member(usize, usize),
}

/// A roster member's cite, verified, with the spelling found.
#[derive(Debug, Clone)]
pub struct MemberCite {
    pub reference: Ref,
    pub spelling: String,
}

#[derive(Debug)]
pub struct ResolvedRoster {
    pub roster: Roster,
    /// `[delegation][member]` -> verified cites.
    pub cites: Vec<Vec<Vec<MemberCite>>>,
}

pub struct Site {
    pub config: Config,
    pub sources: Arc<Vec<Source>>,
    pub pages: Vec<ResolvedPage>,
    /// (Shared with the next build's site while the pages keep their shape,
    /// as are the back-links, counts, origins and retellings.)
    pub claims: Arc<Vec<Claim>>,
    /// Per source: what cites each of its lines, in reading order.
    pub backlinks: Arc<Vec<Backlinks>>,
    /// Per source: number of citations (page citations only).
    pub citation_counts: Arc<Vec<usize>>,
    pub roster: Option<ResolvedRoster>,
    pub warnings: Vec<Diagnostic>,
    /// Per source: its origins (SPEC 2), sorted.
    pub origins: Arc<Vec<Vec<super::Origin>>>,
    /// Per source: the sources it retells directly (its `via`).
    pub retells: Arc<Vec<Vec<usize>>>,
    /// `citations.lock` as the site was verified against it (`None`: the
    /// site has none, or the command does not check it).
    pub lock_read: Option<Arc<Lock>>,
}

impl Site {
    /// A claim's text, as its page's citation group holds it.
    pub fn claim_text(&self, c: &Claim) -> &str {
        &self.pages[c.page].page.body.groups[c.group].claim
    }

    pub fn citation_total(&self) -> usize {
        self.citation_counts.iter().sum()
    }

    /// The non-blank lines of source `i` that something cites, in order:
    /// what the lock records and the coverage counts.
    pub fn cited_lines(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let s = &self.sources[i];
        self.backlinks[i].lines().filter(move |&l| !s.is_blank(l))
    }

    /// Would `lock.updated(&self.lock())` report no change? Decided from
    /// the cited lines alone, without making the lock's texts (100,000
    /// normalized lines on a large site, for a lock that mostly does not
    /// change). `false` also when a cited line has a hash-only entry: the
    /// full comparison then decides whether it migrates.
    pub fn lock_unchanged(&self, lock: &Lock) -> bool {
        let mut matched = 0;
        for (i, s) in self.sources.iter().enumerate() {
            let mut cited = self.cited_lines(i).peekable();
            let Some(locked) = lock.entries.get(&s.id).filter(|m| !m.is_empty()) else {
                if cited.peek().is_some() {
                    return false;
                }
                continue;
            };
            let mut entries = locked.iter();
            for line in cited {
                match entries.next() {
                    Some((&l, lock::Entry::Text(_))) if l == line => {}
                    _ => return false,
                }
            }
            if entries.next().is_some() {
                return false;
            }
            matched += 1;
        }
        // A locked source the site no longer cites (or has) would be dropped.
        matched == lock.entries.values().filter(|m| !m.is_empty()).count()
    }

    /// The lock for a verified site: every cited line of every source.
    pub fn lock(&self) -> Lock {
        let mut lock = Lock::default();
        for (i, s) in self.sources.iter().enumerate() {
            let lines: BTreeMap<usize, lock::Entry> = self
                .cited_lines(i)
                .map(|l| (l, lock::Entry::Text(s.normalized(l).into_owned())))
                .collect();
            if !lines.is_empty() {
                lock.entries.insert(s.id.clone(), lines);
            }
        }
        lock
    }
}
