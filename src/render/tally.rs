//! Site-wide counts of claims per source, computed once per build and shown
//! by several page kinds (the claims index, the sources index); and the
//! origins a claim rests on (SPEC 2, 5), which every count of corroboration
//! uses: copies of one report are one origin.

use crate::resolve::{Origin, Site};

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
}

impl Tally {
    pub fn new(site: &Site) -> Self {
        let mut per_source = vec![0; site.sources.len()];
        let (mut single, mut single_origin, mut attributed, mut unattributed_single) = (0, 0, 0, 0);
        for c in 0..site.claims.len() {
            let sources = sources_of(site, c);
            single += usize::from(sources.len() == 1);
            let one = origins_of(site, c).len() == 1;
            let named = is_attributed(site, c);
            single_origin += usize::from(one);
            attributed += usize::from(named);
            unattributed_single += usize::from(one && !named);
            for s in sources {
                per_source[s] += 1;
            }
        }
        Tally {
            single,
            single_origin,
            attributed,
            unattributed_single_origin: unattributed_single,
            per_source,
        }
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

/// Does the claim's text name an outlet it cites, or the origin of one
/// ("Newsmax says …", "The Jerusalem Post reported …"), by its publisher or
/// by the `label` the manifest gives it ("Unnamed outlet A reports …")? Then
/// it is an attributed statement, not a fact the site asserts.
pub(crate) fn is_attributed(site: &Site, claim: usize) -> bool {
    // The claim keeps the editor's characters; outlets are named in any typography.
    let text = crate::text::normalize_str(&site.claims[claim].text);
    let mut names: Vec<String> = Vec::new();
    for s in sources_of(site, claim) {
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
    }
    names
        .iter()
        .any(|n| names_outlet(&text, &crate::text::normalize_str(n)))
}

/// Whether `text` names the outlet `name` (a leading "The" optional), as
/// whole words.
fn names_outlet(text: &str, name: &str) -> bool {
    let name = name.trim();
    let name = name.strip_prefix("The ").unwrap_or(name).trim();
    if name.is_empty() {
        return false;
    }
    text.match_indices(name).any(|(at, m)| {
        let before = text[..at].chars().next_back();
        let after = text[at + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::names_outlet;

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
