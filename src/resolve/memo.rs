//! What `serve` keeps between rebuilds: each page's verified citations, and
//! what they were verified against, so that a rebuild verifies again only
//! the pages whose inputs changed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::lock::Lock;
use crate::load::page::{PageText, ParsedPage};
use crate::load::roster::Roster;
use crate::load::source::Source;

use super::indexes::{Indexes, Replaced};
use super::model::*;
use super::verify::*;

/// What every page's verification depends on besides the page and the
/// sources it cites. Kept whole: compared, never copied, while it holds.
pub(super) struct Against {
    keys: Arc<BTreeMap<String, usize>>,
    lock: Option<Arc<Lock>>,
    roster: Option<String>,
    /// The sources as loaded: while the loader hands back the same list,
    /// no source changed and a page's cited hashes need no comparing.
    sources: Arc<Vec<Source>>,
}

impl Against {
    fn new(
        keys: &Arc<BTreeMap<String, usize>>,
        sources: &Arc<Vec<Source>>,
        roster: Option<&Roster>,
        lock: Option<&Arc<Lock>>,
    ) -> Against {
        Against {
            keys: Arc::clone(keys),
            lock: lock.cloned(),
            roster: roster.map(|r| r.text.clone()),
            sources: Arc::clone(sources),
        }
    }

    /// Does every page verified against `self` verify the same now, given
    /// its own text and cited sources are unchanged? (The lock and the keys
    /// compare by pointer first: the same ones are handed back while the
    /// files they come from are unchanged.)
    fn holds(
        &self,
        keys: &Arc<BTreeMap<String, usize>>,
        roster: Option<&Roster>,
        lock: Option<&Arc<Lock>>,
    ) -> bool {
        self.lock.as_ref() == lock
            && self.roster.as_deref() == roster.map(|r| r.text.as_str())
            && self.keys == *keys
    }
}

impl Memo {
    /// The origins and retellings of `sources`, made once while they are the
    /// same list.
    pub(super) fn origins(
        &mut self,
        sources: &Arc<Vec<Source>>,
        make: impl FnOnce() -> Origins,
    ) -> Origins {
        match &self.derived {
            Some(d) if Arc::ptr_eq(&d.sources, sources) => {
                (Arc::clone(&d.origins), Arc::clone(&d.retells))
            }
            _ => {
                let (origins, retells) = make();
                self.derived = Some(Derived {
                    sources: Arc::clone(sources),
                    origins: Arc::clone(&origins),
                    retells: Arc::clone(&retells),
                });
                (origins, retells)
            }
        }
    }

    /// The source keys of the last resolution, if it had these sources.
    pub(super) fn keys_for(
        &self,
        sources: &Arc<Vec<Source>>,
    ) -> Option<Arc<BTreeMap<String, usize>>> {
        self.against
            .as_ref()
            .filter(|a| Arc::ptr_eq(&a.sources, sources))
            .map(|a| Arc::clone(&a.keys))
    }
}

/// A page's verified citation groups and its errors.
pub(super) type Verified = (Arc<Vec<Vec<Ref>>>, Vec<Diagnostic>);

/// A page's verification, and the sources (index, SHA-256) it was made against.
#[derive(Clone)]
pub(super) struct Remembered {
    page: Arc<ParsedPage>,
    cited: Arc<Vec<(usize, String)>>,
    verified: Verified,
}

/// Verification results kept between resolutions (`serve`): a page's
/// citations are verified again only when the page or a source it cites
/// changed (or the set of source keys, the lock or the roster).
#[derive(Default)]
pub struct Memo {
    against: Option<Against>,
    /// By the address of the parsed page: the loader's cache hands back the
    /// same `Arc` for an unchanged file, and the entry holds it, so the
    /// address cannot name another page while it is here.
    pages: HashMap<usize, Remembered>,
    /// The pages of the last resolution, in order, by address: a rebuild
    /// after an edit of a few pages updates `pages` at the positions that
    /// changed instead of making it again.
    order: Vec<usize>,
    /// The site-wide indexes of the last resolution, if it made a site.
    pub(super) indexes: Option<Indexes>,
    /// Whether the pages in `order` have unique URLs, none a generated
    /// page's: then pages with the same URLs at the same places have too.
    pub(super) urls_unique: bool,
    /// Each source's origins and retellings, and the sources they are of.
    derived: Option<Derived>,
}

/// What the origins are made from, and the origins.
struct Derived {
    sources: Arc<Vec<Source>>,
    origins: Arc<Vec<Vec<super::Origin>>>,
    retells: Arc<Vec<Vec<usize>>>,
}

/// Origins and retellings of each source (shared while the sources are).
pub(super) type Origins = (Arc<Vec<Vec<super::Origin>>>, Arc<Vec<Vec<usize>>>);

/// How this resolution's pages compare with the last one's, position by
/// position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    /// The same number of pages, each changed one with the URL of the page
    /// it replaces.
    pub urls: bool,
    /// Besides, against the same list of sources, each changed page has the
    /// note numbers and the verified references of the page it replaces:
    /// then the claims, back-links, counts and origins are those of the
    /// last resolution; only claim texts may differ.
    pub indexes: bool,
}

fn address(p: &Arc<ParsedPage>) -> usize {
    Arc::as_ptr(p) as usize
}

/// The sources a page's citations name, with their hashes now.
pub(super) fn cited_sources(p: &ParsedPage, v: &Verifier) -> Vec<(usize, String)> {
    let mut cited: Vec<usize> = p
        .body
        .groups
        .iter()
        .flat_map(|g| &g.group.citations)
        .filter_map(|c| v.keys.get(&c.key).copied())
        .collect();
    cited.sort_unstable();
    cited.dedup();
    cited
        .into_iter()
        .map(|i| (i, v.sources[i].sha256.clone()))
        .collect()
}

/// Verifies the pages, reusing what `memo` holds for pages whose text and
/// cited sources are unchanged, and fills `memo` for the next time; says
/// whether the pages keep the last resolution's [`Shape`].
pub(super) fn remembering(
    pages: &[(Arc<ParsedPage>, PageText)],
    v: &Verifier,
    roster: Option<&Roster>,
    lock: Option<&Arc<Lock>>,
    memo: &mut Memo,
) -> (Vec<Verified>, Shape, Option<Vec<Replaced>>) {
    let (sources, keys) = (v.sources, v.keys);
    let same_sources = match memo.against.as_mut() {
        Some(a) if a.holds(keys, roster, lock) => {
            let same = Arc::ptr_eq(&a.sources, sources);
            a.sources = Arc::clone(sources);
            same
        }
        _ => {
            memo.pages.clear();
            memo.order.clear();
            memo.urls_unique = false;
            memo.against = Some(Against::new(keys, sources, roster, lock));
            false
        }
    };
    if !same_sources {
        // Origins and counts are per source.
        memo.indexes = None;
    }
    // Position by position when the number of pages is the same (an edit):
    // a page at its old address is unchanged.
    let in_place = memo.order.len() == pages.len();
    let (known, order) = (&memo.pages, &memo.order);
    let resolved: Vec<(Option<Remembered>, Verified, Shape)> = pages
        .par_iter()
        .enumerate()
        .map(|(i, (p, text))| {
            let before = known.get(&address(p));
            let unchanged = in_place && same_sources && order[i] == address(p);
            if let Some(m) = before.filter(|_| unchanged) {
                let same = Shape {
                    urls: true,
                    indexes: true,
                };
                return (None, m.verified.clone(), same);
            }
            let m = match before {
                Some(m) if same_sources => m.clone(),
                _ => {
                    let cited = cited_sources(p, v);
                    let verified = match before {
                        Some(m) if *m.cited == cited => m.verified.clone(),
                        _ => {
                            let (refs, errors) = super::page(p, text, v, roster);
                            (Arc::new(refs), errors)
                        }
                    };
                    Remembered {
                        page: Arc::clone(p),
                        cited: Arc::new(cited),
                        verified,
                    }
                }
            };
            let old = if in_place { known.get(&order[i]) } else { None };
            let shape = Shape {
                urls: old.is_some_and(|old| old.page.url == p.url),
                indexes: old
                    .is_some_and(|old| same_shape(&old.page, &old.verified.0, p, &m.verified.0)),
            };
            let verified = m.verified.clone();
            (Some(m), verified, shape)
        })
        .collect();
    let shape = Shape {
        urls: in_place && resolved.iter().all(|(_, _, s)| s.urls),
        indexes: in_place && same_sources && resolved.iter().all(|(_, _, s)| s.indexes),
    };
    // The pages replaced in place, and what the old ones cited (read before
    // they leave the memo); `None` if one of them is not remembered.
    let replaced = in_place
        .then(|| {
            resolved
                .iter()
                .enumerate()
                .filter(|(_, (m, _, _))| m.is_some())
                .map(|(i, _)| {
                    let old = memo.pages.get(&memo.order[i])?;
                    Some(Replaced {
                        position: i,
                        old_refs: Arc::clone(&old.verified.0),
                    })
                })
                .collect::<Option<Vec<_>>>()
        })
        .flatten();
    if in_place {
        // The old pages at changed positions go first: a page that moved
        // is entered again at its new position below.
        for (i, (m, _, _)) in resolved.iter().enumerate() {
            if m.is_some() {
                memo.pages.remove(&memo.order[i]);
            }
        }
    } else {
        memo.pages.clear();
        memo.order = vec![0; pages.len()];
    }
    let mut verified = Vec::with_capacity(resolved.len());
    for (i, (m, v, _)) in resolved.into_iter().enumerate() {
        if let Some(m) = m {
            memo.order[i] = address(&m.page);
            memo.pages.insert(address(&m.page), m);
        }
        verified.push(v);
    }
    (verified, shape, replaced)
}

/// Does `new` (verified as `new_refs`) stand where `old` stood with the
/// same URL, note numbers and verified references?
fn same_shape(
    old: &ParsedPage,
    old_refs: &[Vec<Ref>],
    new: &ParsedPage,
    new_refs: &[Vec<Ref>],
) -> bool {
    old.url == new.url
        && old.body.html.group_note == new.body.html.group_note
        && old_refs == new_refs
}
