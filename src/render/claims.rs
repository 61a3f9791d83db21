//! `/claims/`: every claim in reading order, its sources, and the claims x
//! sources matrix; the `{{ claims() }}` shortcode shows a page's own slice.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Serialize;

use super::chrome::{Base, Chrome};
use super::head;
use super::links::{claim_href, claim_id, lines_label, root_of, short_name, source_url};
use super::markup::{paged, pager, Markup, PagerLink};
use super::tally::sources_of;
use super::theme::Theme;
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

/// One reference of a claim as the claims list shows it.
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
    /// The page title shortened for the matrix's row headers.
    page_short: String,
    /// The claim shortened for the matrix's row headers.
    excerpt: String,
    note: usize,
    single: bool,
    source_count: usize,
    #[serde(skip)]
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
        page_short: if site.pages[c.page].page.url.is_empty() {
            "Home".to_string()
        } else {
            text::ellipsize(&site.pages[c.page].page.front.title, 22)
        },
        excerpt: text::ellipsize(&c.text, 72),
        note: c.note,
        single: source_count == 1,
        source_count,
        refs: refs
            .iter()
            .map(|r| RefView {
                href: line_href(r.source, r.first),
                label: format!(
                    "{} {}",
                    short_name(&site.sources[r.source]),
                    lines_label(r.first, r.last)
                ),
                quote: r
                    .quote
                    .as_deref()
                    .map(|q| text::normalize_str(q).into_owned()),
            })
            .collect(),
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
    matrix: bool,
    /// The claims, for the matrix (empty when there is no matrix).
    rows: Vec<Row>,
    /// The list of claims, as HTML.
    list_html: String,
    columns: Vec<Column>,
    sources: Vec<PerSource>,
    pages: Vec<PagerLink>,
}

#[derive(Serialize)]
struct PageView<'a> {
    base: Base<'a>,
    claims: ClaimsView,
}

/// The list of claims with their sources, as HTML. Built here rather than in
/// `claims.html`: 500 claims a page make a template loop the page's whole cost.
fn list_html(rows: &[Row]) -> String {
    let mut out = Markup::with_capacity(rows.len() * 800);
    for c in rows {
        out.raw("<li id=\"").text(&c.id).raw("\" class=\"claim");
        if c.single {
            out.raw(" single");
        }
        out.raw("\">\n<p class=\"claim-text\"><a href=\"")
            .text(&c.href)
            .raw("\">")
            .text(&c.text)
            .raw("</a></p>\n<p class=\"claim-meta\"><span class=\"page-name\">")
            .text(&c.page)
            .raw(", note ")
            .num(c.note)
            .raw("</span> · ");
        if c.single {
            out.raw("<span class=\"badge badge-single\">Single source</span>");
        } else {
            out.raw("<span class=\"badge\">")
                .num(c.source_count)
                .raw(" sources</span>");
        }
        out.raw("</p>\n<ul class=\"claim-cites\">");
        for r in &c.refs {
            out.raw("<li><a href=\"")
                .text(&r.href)
                .raw("\">")
                .text(&r.label)
                .raw("</a>");
            if let Some(quote) = r.quote.as_deref().filter(|q| !q.is_empty()) {
                out.raw(": <q>").text(quote).raw("</q>");
            }
            out.raw("</li>");
        }
        out.raw("</ul>\n</li>\n");
    }
    out.0
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
    let cols: Vec<usize> = if matrix { (0..n).collect() } else { Vec::new() };
    let pages = page_count(site);
    let rows: Vec<Row> = ids
        .iter()
        .map(|&c| row(site, c, &cols, &root, ""))
        .collect();
    let claims = ClaimsView {
        total: site.claims.len(),
        single: tally.single,
        matrix,
        list_html: list_html(&rows),
        rows: if matrix { rows } else { Vec::new() },
        columns: cols
            .iter()
            .map(|&s| Column {
                label: short_name(&site.sources[s]),
                href: source_link(site, s, &root),
                claims: tally.per_source[s],
            })
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
        "Every claim of this explainer with the source lines it rests on: {} claims, {} on a single source.",
        claims.total, claims.single
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
    Ok(vec![(
        format!("{url}index.html"),
        theme.render("claims.html", &view)?.into_bytes(),
    )])
}

#[derive(Serialize)]
struct ShortcodeView {
    claims: ClaimsView,
}

/// The `{{ claims() }}` table for one page's claims: a matrix over the sources they cite.
pub(crate) fn shortcode(
    site: &Site,
    theme: &Theme,
    root: &str,
    claims: Range<usize>,
) -> Result<String, Diagnostic> {
    let ids: Vec<usize> = claims.collect();
    let cols: Vec<usize> = ids
        .iter()
        .flat_map(|&c| sources_of(site, c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows: Vec<Row> = ids
        .iter()
        .map(|&c| {
            let mut r = row(site, c, &cols, root, "");
            r.anchor = entry_href(site, c, root);
            r
        })
        .collect();
    let columns = cols
        .iter()
        .map(|&s| Column {
            label: short_name(&site.sources[s]),
            href: source_link(site, s, root),
            claims: ids
                .iter()
                .filter(|&&c| sources_of(site, c).contains(&s))
                .count(),
        })
        .collect();
    let view = ClaimsView {
        total: rows.len(),
        single: rows.iter().filter(|r| r.single).count(),
        matrix: true,
        rows,
        list_html: String::new(),
        columns,
        sources: Vec::new(),
        pages: Vec::new(),
    };
    theme.render("shortcode_claims.html", &ShortcodeView { claims: view })
}
