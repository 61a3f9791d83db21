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

use super::model::*;
use super::verify::*;

/// What every page's verification depends on besides the page and the
/// sources it cites.
#[derive(PartialEq)]
pub(super) struct Against {
    pub(super) keys: BTreeMap<String, usize>,
    pub(super) lock: Option<Lock>,
    pub(super) roster: Option<String>,
}

/// A page's verified citation groups and its errors.
pub(super) type Verified = (Arc<Vec<Vec<Ref>>>, Vec<Diagnostic>);

/// A page's verification, and the sources (index, SHA-256) it was made against.
pub(super) struct Remembered {
    pub(super) page: Arc<ParsedPage>,
    pub(super) cited: Vec<(usize, String)>,
    pub(super) verified: Verified,
}

/// Verification results kept between resolutions (`serve`): a page's
/// citations are verified again only when the page or a source it cites
/// changed (or the set of source keys, the lock or the roster).
#[derive(Default)]
pub struct Memo {
    against: Option<Against>,
    pages: HashMap<String, Remembered>,
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
/// cited sources are unchanged, and fills `memo` for the next time.
pub(super) fn remembering(
    pages: &[(Arc<ParsedPage>, PageText)],
    v: &Verifier,
    roster: Option<&Roster>,
    lock: Option<&Lock>,
    memo: &mut Memo,
) -> Vec<Verified> {
    let against = Against {
        keys: v.keys.clone(),
        lock: lock.cloned(),
        roster: roster.map(|r| r.text.clone()),
    };
    if memo.against.as_ref() != Some(&against) {
        memo.pages.clear();
    }
    memo.against = Some(against);
    let known = &memo.pages;
    let resolved: Vec<Remembered> = pages
        .par_iter()
        .map(|(p, text)| {
            let cited = cited_sources(p, v);
            let verified = match known.get(&p.file) {
                Some(m) if Arc::ptr_eq(p, &m.page) && m.cited == cited => m.verified.clone(),
                _ => {
                    let (refs, errors) = super::page(p, text, v, roster);
                    (Arc::new(refs), errors)
                }
            };
            Remembered {
                page: Arc::clone(p),
                cited,
                verified,
            }
        })
        .collect();
    let mut remembered = HashMap::with_capacity(resolved.len());
    let verified = resolved
        .into_iter()
        .map(|m| {
            let verified = m.verified.clone();
            remembered.insert(m.page.file.clone(), m);
            verified
        })
        .collect();
    memo.pages = remembered;
    verified
}
