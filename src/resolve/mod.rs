//! Resolution: citations checked against the sources' line index, notes
//! numbered, claims collected, back-links computed. Pure: no I/O.
//!
//! Every citation is verified on every build. Work is per page (parallel) and
//! then one linear pass builds the site-wide indexes, so the cost grows with
//! the number of citations, never with pages x claims.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::body::Segment;
use crate::load::markdown::Shortcode;
use crate::load::page::{PageText, ParsedPage};
use crate::load::roster::Roster;
use crate::load::source::{self};
use crate::load::Input;

pub mod changed;
mod find;
mod indexes;
mod memo;
mod model;
mod origins;
mod quotations;
mod rosters;
mod verify;

pub use find::find_in_lines;
use indexes::Indexes;
pub use memo::Memo;
use memo::*;
pub use model::*;
pub use origins::Origin;
use rosters::*;
pub use verify::MAX_RANGE_LINES;
use verify::*;

/// Resolves one page: verification, note numbering.
fn page(
    p: &ParsedPage,
    text: &PageText,
    v: &Verifier,
    has_roster: Option<&Roster>,
) -> (Vec<Vec<Ref>>, Vec<Diagnostic>) {
    let text = &DiagText::page(text);
    let mut errors = Vec::new();
    let mut group_refs = Vec::with_capacity(p.body.groups.len());
    for g in &p.body.groups {
        let mut refs = Vec::with_capacity(g.group.citations.len());
        for c in &g.group.citations {
            match v.citation(&c.into(), &p.file, text) {
                Ok(r) => refs.push(r),
                Err(d) => errors.push(d),
            }
        }
        // Quotations in the claim: only once every citation of the group
        // verified, so that one mistake is reported once.
        if refs.len() == g.group.citations.len() {
            errors.extend(quotations::check(g, &refs, v.sources, &p.file, text));
        }
        group_refs.push(refs);
    }
    for segment in &p.body.html.segments {
        let Segment::Shortcode(sc, span) = segment else {
            continue;
        };
        let problem = match (sc, has_roster) {
            (Shortcode::Delegations | Shortcode::Delegation { .. }, None) => Some((
                "this site has no content/delegations.toml".to_string(),
                "add content/delegations.toml (SPEC 4) or remove the shortcode".to_string(),
            )),
            (Shortcode::Delegation { id }, Some(r))
                if !r.delegations.iter().any(|d| &d.id == id) =>
            {
                let ids: Vec<&str> = r.delegations.iter().map(|d| d.id.as_str()).collect();
                Some((
                    format!("unknown delegation `{id}`"),
                    format!("delegations are: {}", ids.join(", ")),
                ))
            }
            _ => None,
        };
        if let Some((m, h)) = problem {
            errors.push(text.at("E004", &p.file, span.clone(), m).with_help(h));
        }
    }
    (group_refs, errors)
}

/// URL folders that belong to generated pages (and their numbered pages).
/// `search/` and `pagefind/` are reserved even when `search = false`.
const GENERATED: [&str; 5] = [
    "sources/",
    "claims/",
    "delegations/",
    "search/",
    "pagefind/",
];

/// Resolves the site: every citation verified, claims and back-links built.
pub fn site(input: Input) -> Result<Site, Vec<Diagnostic>> {
    site_with(input, None)
}

/// [`site`], reusing the verification of pages unchanged since `memo` was
/// filled (and filling it); without a memo every page is verified.
pub fn site_with(input: Input, mut memo: Option<&mut Memo>) -> Result<Site, Vec<Diagnostic>> {
    let Input {
        config,
        sources,
        pages,
        roster: raw_roster,
        lock,
    } = input;
    // Keys depend on the sources alone: while they are the same, so are the keys.
    let keys = memo
        .as_deref()
        .and_then(|m| m.keys_for(&sources))
        .unwrap_or_else(|| Arc::new(source::key_index(&sources)));
    let v = Verifier::new(&sources, &keys, lock.as_deref());
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // What the last resolution checked or built that still holds.
    let (resolved, kept, replaced, urls_unique) = match memo.as_deref_mut() {
        Some(memo) => {
            let (resolved, shape, replaced) =
                remembering(&pages, &v, raw_roster.as_ref(), lock.as_ref(), memo);
            let last = memo.indexes.clone();
            let (kept, replaced) = match last {
                Some(last) if shape.indexes => (Some(last), None),
                Some(last) => (None, replaced.map(|r| (last, r))),
                None => (None, None),
            };
            (resolved, kept, replaced, shape.urls && memo.urls_unique)
        }
        None => {
            let resolved = pages
                .par_iter()
                .map(|(p, text)| {
                    let (refs, errors) = page(p, text, &v, raw_roster.as_ref());
                    (Arc::new(refs), errors)
                })
                .collect();
            (resolved, None, None, false)
        }
    };
    let t = crate::timing::Mark::now();
    // Page URLs must be unique, and must not take a generated page's place
    // (unless the last pages' were, and these have the same URLs).
    if !urls_unique {
        unique_urls(&pages, &mut errors);
        if let Some(memo) = memo.as_deref_mut() {
            memo.urls_unique = errors.is_empty();
        }
    }
    let roster = raw_roster.map(|r| self::roster(r, &v, &mut errors));

    let mut out_pages = Vec::with_capacity(pages.len());
    let mut claim_count = 0;
    for ((p, text), (group_refs, errs)) in pages.into_iter().zip(resolved) {
        errors.extend(errs);
        if p.body.groups.is_empty() && !p.front.uncited {
            warnings.push(
                Diagnostic::at("W002", &p.file, &text.get(), 0..3, "page has no citation")
                    .with_help("cite the sources of its facts, or set `uncited = true` in its front matter if it states none"),
            );
        }
        for d in &p.body.errors {
            // The body's warnings (W005) do not fail the build.
            if d.is_error() {
                errors.push(d.clone());
            } else {
                warnings.push(d.clone());
            }
        }
        let start = claim_count;
        claim_count += group_refs.len();
        out_pages.push(ResolvedPage {
            page: p,
            group_refs,
            claims: start..claim_count,
        });
    }
    // The site-wide indexes: the last site's, patched, or made from every page.
    let indexes = match kept {
        Some(kept) => kept,
        None => {
            let patched = replaced.and_then(|(last, r)| indexes::patch(&last, &out_pages, &r));
            let (claims, backlinks, citation_counts) = patched
                .unwrap_or_else(|| indexes::build(&out_pages, roster.as_ref(), sources.len()));
            let make = || {
                (
                    Arc::new(origins::origins(&sources, &keys)),
                    Arc::new(origins::retells(&sources, &keys)),
                )
            };
            let (origins, retells) = match memo.as_deref_mut() {
                Some(memo) => memo.origins(&sources, make),
                None => make(),
            };
            Indexes {
                claims: Arc::new(claims),
                backlinks: Arc::new(backlinks),
                citation_counts: Arc::new(citation_counts),
                origins,
                retells,
            }
        }
    };
    // Failed citations leave no back-links: only a clean build can tell
    // which sources nothing cites.
    for (i, s) in sources.iter().enumerate().filter(|_| errors.is_empty()) {
        if indexes.backlinks[i].is_empty() {
            warnings.push(
                Diagnostic::file(
                    "W001",
                    &format!("sources/{}", s.path),
                    format!("source `{}` is never cited", s.id),
                )
                .with_help("cite it from a page or a roster, or remove it"),
            );
        }
    }
    crate::timing::timing("indexes", t);
    if let Some(memo) = memo {
        memo.indexes = errors.is_empty().then(|| indexes.clone());
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    let Indexes {
        claims,
        backlinks,
        citation_counts,
        origins,
        retells,
    } = indexes;
    Ok(Site {
        config,
        origins,
        retells,
        sources,
        pages: out_pages,
        claims,
        backlinks,
        citation_counts,
        roster,
        warnings,
        lock_read: lock,
    })
}

/// E007 for each page whose URL another page has, or a generated page's.
/// (Hashed: ordered, every insertion compared strings of other pages.)
fn unique_urls(pages: &[(Arc<ParsedPage>, PageText)], errors: &mut Vec<Diagnostic>) {
    let mut urls: HashMap<&str, &str> = HashMap::with_capacity(pages.len());
    for (p, text) in pages {
        let generated = GENERATED
            .iter()
            .find(|g| p.url.starts_with(*g))
            .map(|g| format!("the generated pages under /{g}"));
        if let Some(other) = generated.or_else(|| urls.insert(&p.url, &p.file).map(str::to_string))
        {
            let text = text.get();
            let at = text
                .find("slug")
                .filter(|_| p.front.slug.is_some())
                .unwrap_or(0);
            errors.push(
                Diagnostic::at(
                    "E007",
                    &p.file,
                    &text,
                    at..at + 3,
                    format!("page URL /{} is also the URL of {other}", p.url),
                )
                .with_help("give one of the pages a different `slug` or file name"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::find::map_back;
    use super::*;
    use crate::load::source::Source;

    #[test]
    fn bug_15_an_empty_part_is_never_found_and_map_back_never_underflows() {
        let s = Source::from_bytes("a.txt", "one  two\nthree\n".as_bytes()).unwrap();
        for (first, last) in [(1, 1), (2, 2), (1, 2)] {
            assert_eq!(find_in_lines(&s, first, last, &[""]), None);
            assert_eq!(find_in_lines(&s, first, last, &["two", ""]), None);
        }
        assert_eq!(map_back("ab", &[0, 1], 0..0, 5), 5..5);
        assert_eq!(map_back("ab", &[0, 1], 2..2, 5), 5..5);
        assert_eq!(map_back("ab", &[0, 3], 0..2, 5), 5..9);
    }
}
