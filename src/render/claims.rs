//! `/claims/`: every claim in reading order, its sources, and the claims x
//! sources matrix; the `{{ claims() }}` shortcode shows a page's own slice.

use std::collections::BTreeSet;
use std::ops::Range;
use std::rc::Rc;

use serde::Serialize;

use super::chrome::{Base, Chrome};
use super::claim_list;
use super::head;
use super::links::{
    claim_href, claim_id, line_href, lines_label, page_href, root_of, short_name, source_url,
};
use super::markup::{paged, pager, PagerLink};
use super::tally::{origin_label, origins_label, origins_of, sources_of, Tally};
use super::theme::{Handed, Theme};
use super::verbatim;
use crate::diagnostic::Diagnostic;
use crate::resolve::Site;
use crate::text;
use crate::write::Output;

/// Matrix columns are drawn only up to this many sources.
pub const MATRIX_MAX_SOURCES: usize = 12;

#[derive(Serialize)]
struct LineLink {
    href: String,
    lines: String,
}

#[derive(Serialize)]
struct Row {
    id: String,
    anchor: String,
    href: String,
    page: String,
    /// The page title shortened for the matrix's row headers.
    page_short: String,
    /// The claim shortened for the matrix's row headers.
    excerpt: String,
    note: usize,
    single: bool,
    source_count: usize,
    /// Independent origins (SPEC 2): copies of one report count once.
    origin_count: usize,
    single_origin: bool,
    /// The origins by name.
    origins: Vec<String>,
    /// The claim's text names an outlet it cites ("Newsmax says …").
    attributed: bool,
    /// One origin, not named in the text: the rows marked for the reader.
    flagged: bool,
    cells: Vec<Vec<LineLink>>,
}

#[derive(Serialize)]
struct Column {
    label: String,
    /// The origin this source is a copy of (itself when it retells nothing).
    origin: String,
    href: String,
    claims: usize,
}

#[derive(Serialize)]
struct PerSource {
    label: String,
    href: String,
    claims: usize,
}

fn row(
    site: &Site,
    tally: &Tally,
    claim: usize,
    columns: &[usize],
    root: &str,
    anchor_page: &str,
) -> Row {
    let c = &site.claims[claim];
    let refs = &site.pages[c.page].group_refs[c.group];
    let cells = columns
        .iter()
        .map(|&col| {
            refs.iter()
                .filter(|r| r.source == col)
                .map(|r| LineLink {
                    href: line_href(root, &site.sources[col].id, r.first),
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
    let origins: Vec<String> = origins_of(site, claim)
        .iter()
        .map(|o| origin_label(site, o))
        .collect();
    let id = claim_id(site, claim);
    let attributed = tally.claim_attributed[claim];
    Row {
        anchor: format!("{anchor_page}#{id}"),
        id,
        href: claim_href(site, claim, root),
        page: site.pages[c.page].page.front.title.clone(),
        page_short: if site.pages[c.page].page.url.is_empty() {
            "Home".to_string()
        } else {
            text::ellipsize(&site.pages[c.page].page.front.title, 22)
        },
        excerpt: text::ellipsize_words(site.claim_text(c), 72),
        note: c.note,
        single: source_count == 1,
        source_count,
        origin_count: origins.len(),
        single_origin: origins.len() == 1,
        flagged: origins.len() == 1 && !attributed,
        origins,
        attributed,
        cells,
    }
}

/// Claims listed per page of `/claims/`.
pub const PER_PAGE: usize = 500;
/// The per-source table is shown on `/claims/` up to this many sources; beyond
/// it, the sources index carries the same counts.
const PER_SOURCE_TABLE_MAX: usize = 100;

/// Site path of page `k` (1-based) of `/claims/`.
pub(crate) fn page_url(k: usize) -> String {
    if k <= 1 {
        "claims/".into()
    } else {
        format!("claims/{k}/")
    }
}

pub(crate) fn page_count(site: &Site) -> usize {
    site.claims.len().div_ceil(PER_PAGE).max(1)
}

/// Link to a claim's entry on `/claims/`, from a page at `root`.
pub(crate) fn entry_href(site: &Site, claim: usize, root: &str) -> String {
    format!(
        "{root}{}index.html#{}",
        page_url(claim / PER_PAGE + 1),
        claim_id(site, claim)
    )
}

fn source_link(site: &Site, s: usize, root: &str) -> String {
    format!("{root}{}index.html", source_url(&site.sources[s].id))
}

#[derive(Serialize)]
struct ClaimsView {
    total: usize,
    single: usize,
    single_origin: usize,
    attributed: usize,
    unattributed_single_origin: usize,
    /// Matrix column groups: each origin over the copies of it.
    groups: Vec<Group>,
    matrix: bool,
    /// The claims, for the matrix (empty when there is no matrix).
    rows: Vec<Row>,
    /// The list of claims, as HTML (handed over when rendered; empty in
    /// the shortcode).
    list_html: Handed,
    columns: Vec<Column>,
    sources: Vec<PerSource>,
    pages: Vec<PagerLink>,
}

#[derive(Serialize)]
struct Group {
    label: String,
    span: usize,
}

/// Orders columns so that copies of one origin stand side by side, and
/// returns the header groups over them.
fn grouped(site: &Site, cols: &mut [usize]) -> Vec<Group> {
    // Groups in the order their first source stands; in a group, the
    // report first, then the copies, each in the order given.
    let mut first: Vec<(String, usize)> = Vec::new();
    for (k, &s) in cols.iter().enumerate() {
        let label = origins_label(site, s);
        if !first.iter().any(|(l, _)| *l == label) {
            first.push((label, k));
        }
    }
    let position: Vec<usize> = cols.to_vec();
    cols.sort_by_cached_key(|&s| {
        let label = origins_label(site, s);
        let group = first.iter().find(|(l, _)| *l == label).map_or(0, |g| g.1);
        let at = position.iter().position(|&p| p == s).unwrap_or(0);
        (group, !site.retells[s].is_empty(), at)
    });
    let mut groups: Vec<Group> = Vec::new();
    for &s in cols.iter() {
        let label = origins_label(site, s);
        match groups.last_mut() {
            Some(g) if g.label == label => g.span += 1,
            _ => groups.push(Group { label, span: 1 }),
        }
    }
    groups
}

fn column(site: &Site, s: usize, root: &str, claims: usize) -> Column {
    Column {
        label: short_name(&site.sources[s]),
        origin: origins_label(site, s),
        href: source_link(site, s, root),
        claims,
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    base: Base<'a>,
    claims: ClaimsView,
}

/// The claims of one page of `/claims/` as the list shows them.
fn entries<'a>(
    site: &'a Site,
    tally: &Tally,
    ids: &[usize],
    root: &str,
) -> Vec<claim_list::Entry<'a>> {
    // The claims of a page stand together: its link is made once.
    let mut last_page: Option<(usize, Rc<str>)> = None;
    ids.iter()
        .map(|&claim| {
            let c = &site.claims[claim];
            let page = &site.pages[c.page].page;
            let href = match &last_page {
                Some((p, href)) if *p == c.page => href.clone(),
                _ => {
                    let href: Rc<str> = page_href(root, &page.url, 0).into();
                    last_page = Some((c.page, href.clone()));
                    href
                }
            };
            claim_list::Entry {
                id: claim_id(site, claim),
                href: claim_href(site, claim, root),
                text: site.claim_text(c),
                page: c.page,
                page_title: &page.front.title,
                page_href: href,
                note: c.note,
                source_count: sources_of(site, claim).len(),
                origins: origins_of(site, claim)
                    .iter()
                    .map(|o| origin_label(site, o))
                    .collect(),
                attributed: tally.claim_attributed[claim],
                cites: site.pages[c.page].group_refs[c.group]
                    .iter()
                    .map(|r| claim_list::Cite {
                        href: line_href(root, &site.sources[r.source].id, r.first),
                        label: {
                            let mut label = short_name(&site.sources[r.source]);
                            label.push(' ');
                            label.push_str(&lines_label(r.first, r.last));
                            label
                        },
                        quote: verbatim::quote(&site.sources[r.source], r),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Whether the first claim of `ids` shares its page with the claim before it.
fn continues(site: &Site, ids: &[usize]) -> bool {
    ids.first()
        .is_some_and(|&c| c > 0 && site.claims[c - 1].page == site.claims[c].page)
}

/// Page `k` of `/claims/`.
pub(crate) fn page(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    k: usize,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let tally = &chrome.tally;
    let url = page_url(k);
    let root = root_of(&url);
    let ids: Vec<usize> = ((k - 1) * PER_PAGE..(k * PER_PAGE).min(site.claims.len())).collect();
    // Sources as columns, and the per-source table, only when they are few:
    // never a list of every source on every page of claims.
    let n = site.sources.len();
    let matrix = n <= MATRIX_MAX_SOURCES;
    let mut cols: Vec<usize> = if matrix { (0..n).collect() } else { Vec::new() };
    let groups = grouped(site, &mut cols);
    let pages = page_count(site);
    // Rows only for the matrix: on a site of many sources they are never shown.
    let rows: Vec<Row> = if matrix {
        ids.iter()
            .map(|&c| row(site, tally, c, &cols, &root, ""))
            .collect()
    } else {
        Vec::new()
    };
    let list_html = claim_list::html(
        &entries(site, tally, &ids, &root),
        k > 1 && continues(site, &ids),
    );
    let claims = ClaimsView {
        total: site.claims.len(),
        single: tally.single,
        single_origin: tally.single_origin,
        attributed: tally.attributed,
        unattributed_single_origin: tally.unattributed_single_origin,
        groups,
        matrix,
        list_html: Handed,
        rows,
        columns: cols
            .iter()
            .map(|&s| column(site, s, &root, tally.per_source[s]))
            .collect(),
        sources: if n <= PER_SOURCE_TABLE_MAX {
            (0..n)
                .map(|s| PerSource {
                    label: short_name(&site.sources[s]),
                    href: source_link(site, s, &root),
                    claims: tally.per_source[s],
                })
                .collect()
        } else {
            Vec::new()
        },
        pages: pager(pages, k, &root, page_url),
    };
    let mut description = format!(
        "Every claim of this explainer with the source lines it rests on: {} claims, {} on a single origin.",
        claims.total, claims.single_origin
    );
    let (title, page_of) = paged("Claims", k, pages);
    description.push_str(&page_of);
    let view = PageView {
        base: chrome.base(
            &url,
            &title,
            &description,
            "claims",
            head::website(site),
            script,
        ),
        claims,
    };
    // The list, and room for the chrome: the buffer grows once or never.
    let size = list_html.len() + super::chrome::CHROME_BYTES;
    Ok(vec![(
        format!("{url}index.html"),
        theme.render_handing(
            "claims.html",
            &view,
            size,
            [("/claims/list_html", list_html)],
        )?,
    )])
}

#[derive(Serialize)]
struct ShortcodeView {
    claims: ClaimsView,
}

/// The `{{ claims() }}` table for one page's claims: a matrix over the sources they cite.
pub(crate) fn shortcode(
    site: &Site,
    tally: &Tally,
    theme: &Theme,
    root: &str,
    claims: Range<usize>,
) -> Result<String, Diagnostic> {
    let ids: Vec<usize> = claims.collect();
    let mut cols: Vec<usize> = ids
        .iter()
        .flat_map(|&c| sources_of(site, c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let groups = grouped(site, &mut cols);
    let rows: Vec<Row> = ids
        .iter()
        .map(|&c| {
            let mut r = row(site, tally, c, &cols, root, "");
            r.anchor = entry_href(site, c, root);
            r
        })
        .collect();
    let columns = cols
        .iter()
        .map(|&s| {
            let claims = ids
                .iter()
                .filter(|&&c| sources_of(site, c).contains(&s))
                .count();
            column(site, s, root, claims)
        })
        .collect();
    let view = ClaimsView {
        total: rows.len(),
        single: rows.iter().filter(|r| r.single).count(),
        single_origin: rows.iter().filter(|r| r.single_origin).count(),
        attributed: rows.iter().filter(|r| r.attributed).count(),
        unattributed_single_origin: rows
            .iter()
            .filter(|r| r.single_origin && !r.attributed)
            .count(),
        groups,
        matrix: true,
        rows,
        list_html: Handed,
        columns,
        sources: Vec::new(),
        pages: Vec::new(),
    };
    theme.render("shortcode_claims.html", &ShortcodeView { claims: view })
}
