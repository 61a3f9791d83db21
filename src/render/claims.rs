//! `/claims/`: every claim in reading order, its sources, and the claims x
//! sources matrix; the `{{ claims() }}` shortcode shows a page's own slice.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Serialize;

use super::content::{claim_href, lines_label};
use super::{meta, root_of, source_url, Chrome, Output, Theme};
use crate::diagnostic::Diagnostic;
use crate::resolve::Site;
use crate::text;

/// Matrix columns are drawn only up to this many sources.
pub const MATRIX_MAX_SOURCES: usize = 12;

#[derive(Serialize)]
struct LineLink {
    href: String,
    lines: String,
}

#[derive(Serialize)]
struct RefView {
    href: String,
    label: String,
    quote: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    anchor: String,
    href: String,
    text: String,
    page: String,
    note: usize,
    single: bool,
    source_count: usize,
    refs: Vec<RefView>,
    cells: Vec<Vec<LineLink>>,
}

#[derive(Serialize)]
struct Column {
    label: String,
    href: String,
    claims: usize,
}

#[derive(Serialize)]
struct PerSource {
    label: String,
    href: String,
    claims: usize,
}

#[derive(Serialize)]
struct ClaimsView {
    total: usize,
    single: usize,
    matrix: bool,
    rows: Vec<Row>,
    columns: Vec<Column>,
    sources: Vec<PerSource>,
    pages: Vec<()>,
}

/// Stable id of a claim: the page's URL and the note number.
pub(crate) fn claim_id(site: &Site, claim: usize) -> String {
    let c = &site.claims[claim];
    let url = site.pages[c.page].page.url.trim_end_matches('/');
    let key = if url.is_empty() {
        "index".to_string()
    } else {
        url.replace('/', "-")
    };
    format!("c-{key}-{}", c.note)
}

/// Distinct sources a claim cites, in first-cited order.
fn sources_of(site: &Site, claim: usize) -> Vec<usize> {
    let c = &site.claims[claim];
    let mut seen = Vec::new();
    for r in &site.pages[c.page].group_refs[c.group] {
        if !seen.contains(&r.source) {
            seen.push(r.source);
        }
    }
    seen
}

fn row(site: &Site, claim: usize, columns: &[usize], root: &str, anchor_page: &str) -> Row {
    let c = &site.claims[claim];
    let refs = &site.pages[c.page].group_refs[c.group];
    let line_href = |source: usize, first: usize| {
        format!(
            "{root}{}index.html#L{first}",
            source_url(&site.sources[source].id)
        )
    };
    let cells = columns
        .iter()
        .map(|&col| {
            refs.iter()
                .filter(|r| r.source == col)
                .map(|r| LineLink {
                    href: line_href(col, r.first),
                    lines: if r.first == r.last {
                        r.first.to_string()
                    } else {
                        format!("{}–{}", r.first, r.last)
                    },
                })
                .collect()
        })
        .collect();
    let source_count = sources_of(site, claim).len();
    let id = claim_id(site, claim);
    Row {
        anchor: format!("{anchor_page}#{id}"),
        id,
        href: claim_href(site, claim, root),
        text: if c.text.is_empty() {
            "(citation at the start of its paragraph)".into()
        } else {
            text::ellipsize(&c.text, 240)
        },
        page: site.pages[c.page].page.front.title.clone(),
        note: c.note,
        single: source_count == 1,
        source_count,
        refs: refs
            .iter()
            .map(|r| RefView {
                href: line_href(r.source, r.first),
                label: format!(
                    "{} {}",
                    site.sources[r.source].id,
                    lines_label(r.first, r.last)
                ),
                quote: r.quote.as_deref().map(text::normalize_str),
            })
            .collect(),
        cells,
    }
}

fn columns(site: &Site, sources: &[usize], claims: &[usize], root: &str) -> Vec<Column> {
    sources
        .iter()
        .map(|&s| Column {
            label: site.sources[s].id.clone(),
            href: format!("{root}{}index.html", source_url(&site.sources[s].id)),
            claims: claims
                .iter()
                .filter(|&&c| sources_of(site, c).contains(&s))
                .count(),
        })
        .collect()
}

fn view(
    site: &Site,
    claims: Range<usize>,
    root: &str,
    anchor_page: &str,
    all_sources: bool,
) -> ClaimsView {
    let ids: Vec<usize> = claims.collect();
    let mut claims_per_source = vec![0; site.sources.len()];
    for &c in &ids {
        for s in sources_of(site, c) {
            claims_per_source[s] += 1;
        }
    }
    let cited: Vec<usize> = if all_sources {
        (0..site.sources.len()).collect()
    } else {
        ids.iter()
            .flat_map(|&c| sources_of(site, c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let matrix = cited.len() <= MATRIX_MAX_SOURCES;
    let cols = if matrix { cited.clone() } else { Vec::new() };
    let rows: Vec<Row> = ids
        .iter()
        .map(|&c| row(site, c, &cols, root, anchor_page))
        .collect();
    ClaimsView {
        total: rows.len(),
        single: rows.iter().filter(|r| r.single).count(),
        matrix,
        columns: columns(site, &cols, &ids, root),
        sources: cited
            .iter()
            .map(|&s| PerSource {
                label: site.sources[s].id.clone(),
                href: format!("{root}{}index.html", source_url(&site.sources[s].id)),
                claims: claims_per_source[s],
            })
            .collect(),
        rows,
        pages: Vec::new(),
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    base: super::Base<'a>,
    claims: ClaimsView,
}

pub(crate) fn page(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let url = "claims/";
    let root = root_of(url);
    let claims = view(site, 0..site.claims.len(), &root, "", true);
    let description = format!("Every claim of this explainer with the source lines it rests on: {} claims, {} on a single source.", claims.total, claims.single);
    let view = PageView {
        base: chrome.base(
            url,
            "Claims",
            &description,
            "claims",
            meta::website(site),
            script,
        ),
        claims,
    };
    Ok(vec![(
        format!("{url}index.html"),
        theme.render("claims.html", &view)?.into_bytes(),
    )])
}

#[derive(Serialize)]
struct ShortcodeView {
    claims: ClaimsView,
}

/// The `{{ claims() }}` table for one page's claims.
pub(crate) fn shortcode(
    site: &Site,
    theme: &Theme,
    root: &str,
    claims: Range<usize>,
) -> Result<String, Diagnostic> {
    let anchor_page = format!("{root}claims/index.html");
    theme.render(
        "shortcode_claims.html",
        &ShortcodeView {
            claims: view(site, claims, root, &anchor_page, false),
        },
    )
}
