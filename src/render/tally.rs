//! Site-wide counts of claims per source, computed once per build and shown
//! by several page kinds (the claims index, the sources index).

use crate::resolve::Site;

/// Site-wide counts, computed once per build.
pub(crate) struct Tally {
    pub single: usize,
    /// Distinct claims citing each source.
    pub per_source: Vec<usize>,
}

impl Tally {
    pub fn new(site: &Site) -> Self {
        let mut per_source = vec![0; site.sources.len()];
        let mut single = 0;
        for c in 0..site.claims.len() {
            let sources = sources_of(site, c);
            single += usize::from(sources.len() == 1);
            for s in sources {
                per_source[s] += 1;
            }
        }
        Tally { single, per_source }
    }
}

/// Distinct sources a claim cites, in first-cited order.
pub(crate) fn sources_of(site: &Site, claim: usize) -> Vec<usize> {
    let c = &site.claims[claim];
    let mut seen = Vec::new();
    for r in &site.pages[c.page].group_refs[c.group] {
        if !seen.contains(&r.source) {
            seen.push(r.source);
        }
    }
    seen
}
