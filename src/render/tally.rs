//! Site-wide counts of claims per source, computed once per build and shown
//! by several page kinds (the claims index, the sources index); and the
//! origins a claim rests on (SPEC 2, 5), which every count of corroboration
//! uses: copies of one report are one origin.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::resolve::{Origin, ResolvedPage, Site};

use super::links::short_name;

/// Site-wide counts, computed once per build.
pub(crate) struct Tally {
    /// Claims citing one source.
    pub single: usize,
    /// Claims resting on one origin, however many copies they cite.
    pub single_origin: usize,
    /// Claims whose text names an outlet they cite ("Newsmax says …").
    pub attributed: usize,
    /// Claims resting on one origin that do not name it.
    pub unattributed_single_origin: usize,
    /// Distinct claims citing each source.
    pub per_source: Vec<usize>,
    /// Per claim: does its text name an outlet it cites ([`names_any`])?
    pub claim_attributed: Vec<bool>,
    /// Per claim: does it rest on one origin? (Kept for the next tally.)
    claim_one_origin: Vec<bool>,
}

impl Tally {
    /// One pass over the claims, in parallel, with each source's outlet
    /// names prepared once (not once per claim that cites it), taking from
    /// `previous` (an earlier site and its tally) what each unchanged page
    /// decided: `serve` rebuilds after an edit of one page, and deciding
    /// every claim of a large site again was most of a rebuild. A page is
    /// unchanged when it is the same parsed page with the same verified
    /// citations, and the sources are the same. When the pages are as many
    /// as before, the old tally is patched instead ([`Tally::patched`]).
    pub fn after(site: &Site, previous: Option<(&Site, &Tally)>) -> Self {
        if let Some((old, tally)) = previous.filter(|(old, _)| comparable(old, site)) {
            return tally.patched(old, site);
        }
        let kept: HashMap<usize, (&ResolvedPage, &Tally)> = previous
            .filter(|(old, _)| Arc::ptr_eq(&old.sources, &site.sources))
            .map(|(old, tally)| {
                old.pages
                    .iter()
                    .map(|p| (Arc::as_ptr(&p.group_refs) as usize, (p, tally)))
                    .collect()
            })
            .unwrap_or_default();
        // Each source's names, prepared on first need.
        let names: Vec<OnceLock<Vec<Name>>> =
            (0..site.sources.len()).map(|_| OnceLock::new()).collect();
        let names_of = |s: usize| names[s].get_or_init(|| outlet_names(site, s));
        let per_page: Vec<Vec<(bool, bool)>> = site
            .pages
            .par_iter()
            .map(|page| {
                let same = kept
                    .get(&(Arc::as_ptr(&page.group_refs) as usize))
                    .filter(|(old, _)| Arc::ptr_eq(&old.page, &page.page));
                match same {
                    Some((old, tally)) => old
                        .claims
                        .clone()
                        .map(|c| (tally.claim_one_origin[c], tally.claim_attributed[c]))
                        .collect(),
                    None => page
                        .claims
                        .clone()
                        .map(|c| {
                            let sources = sources_of(site, c);
                            let one = one_origin(site, &sources);
                            let named = names_any(site, c, sources.iter().map(|&s| names_of(s)));
                            (one, named)
                        })
                        .collect(),
                }
            })
            .collect();
        let mut per_source = vec![0; site.sources.len()];
        let (mut single, mut single_origin, mut attributed, mut unattributed_single) = (0, 0, 0, 0);
        let mut claim_attributed = Vec::with_capacity(site.claims.len());
        let mut claim_one_origin = Vec::with_capacity(site.claims.len());
        let decided = per_page.into_iter().flatten();
        for (c, (one, named)) in site.claims.iter().zip(decided) {
            let refs = &site.pages[c.page].group_refs[c.group];
            let mut distinct = 0;
            for (i, r) in refs.iter().enumerate() {
                if !refs[..i].iter().any(|q| q.source == r.source) {
                    distinct += 1;
                    per_source[r.source] += 1;
                }
            }
            single += usize::from(distinct == 1);
            single_origin += usize::from(one);
            attributed += usize::from(named);
            unattributed_single += usize::from(one && !named);
            claim_attributed.push(named);
            claim_one_origin.push(one);
        }
        Tally {
            single,
            single_origin,
            attributed,
            unattributed_single_origin: unattributed_single,
            per_source,
            claim_attributed,
            claim_one_origin,
        }
    }
}

impl Tally {
    /// This tally, made for `old`, for `site`, which has as many pages and
    /// the same sources and origins (see [`comparable`]): the claims of a
    /// page that is the same parsed page with the same verified citations
    /// are decided as before; each other page's old claims are taken out of
    /// the counts and its new claims decided and put in. Every count is a
    /// sum over claims, so this is what a tally from scratch counts.
    fn patched(&self, old: &Site, site: &Site) -> Tally {
        let mut names: HashMap<usize, Vec<Name>> = HashMap::new();
        let mut t = Tally {
            single: self.single,
            single_origin: self.single_origin,
            attributed: self.attributed,
            unattributed_single_origin: self.unattributed_single_origin,
            per_source: self.per_source.clone(),
            claim_attributed: Vec::with_capacity(site.claims.len()),
            claim_one_origin: Vec::with_capacity(site.claims.len()),
        };
        for (new, was) in site.pages.iter().zip(&old.pages) {
            if Arc::ptr_eq(&new.page, &was.page) && Arc::ptr_eq(&new.group_refs, &was.group_refs) {
                t.claim_attributed
                    .extend_from_slice(&self.claim_attributed[was.claims.clone()]);
                t.claim_one_origin
                    .extend_from_slice(&self.claim_one_origin[was.claims.clone()]);
                continue;
            }
            for c in was.claims.clone() {
                let (one, named) = (self.claim_one_origin[c], self.claim_attributed[c]);
                t.count(&sources_of(old, c), one, named, false);
            }
            for c in new.claims.clone() {
                let sources = sources_of(site, c);
                for &s in &sources {
                    names.entry(s).or_insert_with(|| outlet_names(site, s));
                }
                let one = one_origin(site, &sources);
                let named = names_any(site, c, sources.iter().map(|s| &names[s]));
                t.count(&sources, one, named, true);
                t.claim_one_origin.push(one);
                t.claim_attributed.push(named);
            }
        }
        t
    }

    /// Puts a claim into the counts (`add`) or takes it out: the distinct
    /// sources it cites, whether it rests on one origin, whether it names
    /// an outlet it cites.
    fn count(&mut self, sources: &[usize], one: bool, named: bool, add: bool) {
        let step = |n: &mut usize, by: bool| {
            if by {
                *n = if add { *n + 1 } else { *n - 1 };
            }
        };
        for &s in sources {
            step(&mut self.per_source[s], true);
        }
        step(&mut self.single, sources.len() == 1);
        step(&mut self.single_origin, one);
        step(&mut self.attributed, named);
        step(&mut self.unattributed_single_origin, one && !named);
    }
}

/// Can a tally of `old` be patched into one of `site`? When both have as
/// many pages (compared position by position) and the same sources and
/// origins.
fn comparable(old: &Site, site: &Site) -> bool {
    Arc::ptr_eq(&old.sources, &site.sources)
        && Arc::ptr_eq(&old.origins, &site.origins)
        && old.pages.len() == site.pages.len()
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

/// The independent origins a claim rests on, sorted.
pub(crate) fn origins_of(site: &Site, claim: usize) -> Vec<Origin> {
    let mut all: Vec<Origin> = sources_of(site, claim)
        .into_iter()
        .flat_map(|s| site.origins[s].iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Do `sources` rest on exactly one origin? (What `origins_of(…).len() == 1`
/// says, without collecting them: this runs for every claim of the site.)
fn one_origin(site: &Site, sources: &[usize]) -> bool {
    let mut all = sources.iter().flat_map(|&s| &site.origins[s]);
    all.next().is_some_and(|first| all.all(|o| o == first))
}

/// The name readers see for an origin.
pub(crate) fn origin_label(site: &Site, o: &Origin) -> String {
    match o {
        Origin::Source(i) => short_name(&site.sources[*i]),
        Origin::Outlet(name) => name.clone(),
    }
}

/// The origins of source `s` as one label (`A + B` for a copy of two).
pub(crate) fn origins_label(site: &Site, s: usize) -> String {
    let names: Vec<String> = site.origins[s]
        .iter()
        .map(|o| origin_label(site, o))
        .collect();
    if names.is_empty() {
        short_name(&site.sources[s])
    } else {
        names.join(" + ")
    }
}

/// Does the claim's text name one of `names` (prepared by [`outlet_names`]
/// for the sources it cites): an outlet it cites, or the origin of one
/// ("Newsmax says …", "The Jerusalem Post reported …"), by its publisher or
/// by the `label` the manifest gives it ("Unnamed outlet A reports …")? Then
/// it is an attributed statement, not a fact the site asserts.
fn names_any<'a>(site: &Site, claim: usize, names: impl Iterator<Item = &'a Vec<Name>>) -> bool {
    let raw = site.claim_text(&site.claims[claim]);
    let candidates: Vec<&Name> = names
        .flatten()
        .filter(|n| {
            n.key
                .as_ref()
                .is_none_or(|k| k.find(raw.as_bytes()).is_some())
        })
        .collect();
    if candidates.is_empty() {
        return false;
    }
    // The claim keeps the editor's characters; outlets are named in any typography.
    let text = crate::text::normalize_str(raw);
    candidates.iter().any(|name| holds_words(&text, &name.text))
}

/// An outlet's name as claims are searched for it.
struct Name {
    /// Normalized, without a leading "The".
    text: String,
    /// Its longest run of letters and digits, which normalization leaves as
    /// it is: a claim whose raw text lacks it cannot name the outlet, and is
    /// not normalized to be sure (most claims name no outlet).
    key: Option<memchr::memmem::Finder<'static>>,
}

impl Name {
    fn new(text: String) -> Name {
        let key = text
            .split(|c: char| !c.is_alphanumeric())
            .max_by_key(|w| w.len())
            .filter(|w| !w.is_empty())
            .map(|w| memchr::memmem::Finder::new(w).into_owned());
        Name { text, key }
    }
}

/// The names a claim citing source `s` may name it by: its publisher,
/// label and origin, and the publisher and label of each source it retells
/// (or the outlet it names as its origin), normalized, without a leading
/// "The", the empty ones left out.
fn outlet_names(site: &Site, s: usize) -> Vec<Name> {
    let mut names: Vec<String> = Vec::new();
    let meta = &site.sources[s].meta;
    names.extend(meta.publisher.iter().cloned());
    names.extend(meta.label.iter().cloned());
    names.extend(meta.origin.iter().cloned());
    for o in &site.origins[s] {
        if let Origin::Source(i) = o {
            let meta = &site.sources[*i].meta;
            names.extend(meta.publisher.iter().cloned());
            names.extend(meta.label.iter().cloned());
        } else {
            names.push(origin_label(site, o));
        }
    }
    names
        .iter()
        .map(|n| prepared(&crate::text::normalize_str(n)).to_string())
        .filter(|n| !n.is_empty())
        .map(Name::new)
        .collect()
}

/// A name as whole-word matching compares it: trimmed, a leading "The" dropped.
fn prepared(name: &str) -> &str {
    let name = name.trim();
    name.strip_prefix("The ").unwrap_or(name).trim()
}

/// Whether `text` holds `words` (not empty) as whole words.
fn holds_words(text: &str, words: &str) -> bool {
    if words.is_empty() {
        return false;
    }
    text.match_indices(words).any(|(at, m)| {
        let before = text[..at].chars().next_back();
        let after = text[at + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::{holds_words, prepared};

    /// Whether `text` names the outlet `name` (a leading "The" optional), as
    /// whole words.
    fn names_outlet(text: &str, name: &str) -> bool {
        holds_words(text, prepared(name))
    }

    #[test]
    fn an_outlet_is_named_by_whole_words_with_or_without_the() {
        assert!(names_outlet("Newsmax says the talks", "Newsmax"));
        assert!(names_outlet(
            "the Jerusalem Post reported",
            "The Jerusalem Post"
        ));
        assert!(!names_outlet("Newsmaxing", "Newsmax"));
        assert!(!names_outlet("anything", ""));
    }
}
