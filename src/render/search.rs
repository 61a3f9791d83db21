//! `/search/` and its index (README: Search): the page, and the files of a
//! Pagefind index over the content pages, every claim and every non-blank
//! source line, made with the `pagefind` crate's library API. A content page
//! is one record and each of its claims an anchor in it (a sub-result that
//! links to the note marker, `a/index.html#r-3`); a source is one record and
//! each of its lines an anchor (a sub-result that links to the line on its
//! provenance page, `sources/ID/index.html#L3`), so that searching a name
//! finds the line that prints it. Pagefind's own script, styles and
//! WebAssembly come from the crate; `static/search.js` starts its UI on
//! `/search/` only.
//!
//! The index is one job of the plan, separate from the page: a build runs it
//! with every other job, `serve` only when `/pagefind/…` is first asked for.

use std::fmt::Write as _;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::chrome::Chrome;
use super::head;
use super::links::{encode_path, short_name, source_url};
use super::theme::Theme;
use crate::diagnostic::Diagnostic;
use crate::load::body::Segment;
use crate::resolve::Site;
use crate::write::Output;

/// The folder of the index below the output.
pub(crate) const BUNDLE: &str = "pagefind/";

/// The file of the index that `serve` lists before the index is built (its
/// other names carry hashes of their contents).
pub(crate) const ENTRY: &str = "pagefind/pagefind-ui.js";

/// Renders `/search/`.
pub(crate) fn page(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let base = chrome.base(
        "search/",
        "Search",
        "Search the pages, every claim and every line of every source.",
        "search",
        head::website(site),
        script,
    );
    let html = theme.render("search.html", &serde_json::json!({ "base": base }))?;
    Ok(vec![("search/index.html".into(), html.into_bytes())])
}

/// A page as the index reads it: its title and body, without the chrome,
/// the notes or the shortcodes' tables, then its claims, each anchored at its
/// note marker's id (`r-3`) with a title ("Note 3"): Pagefind gives each
/// anchor a sub-result that links to `index.html#r-3`.
fn page_html(site: &Site, i: usize, claims: &[usize]) -> String {
    let p = &site.pages[i].page;
    let mut html = String::with_capacity(4096);
    open_doc(&mut html, &site.config.language, &p.front.title);
    for segment in &p.body.html.segments {
        if let Segment::Html(h) = segment {
            html.push_str(h);
        }
    }
    for c in claims.iter().map(|&c| &site.claims[c]) {
        let _ = write!(
            html,
            "<p id=\"r-{n}\" data-pagefind-title=\"Note {n}\">",
            n = c.note
        );
        crate::escape::escape_into(&mut html, site.claim_text(c));
        html.push_str("</p>");
    }
    html.push_str("</body></html>");
    html
}

/// A source as the index reads it: one record, each non-blank line an anchor
/// with the line's id and a title ("Line 12"), so that a search for a name
/// in a line gives a sub-result that links to `sources/ID/index.html#L12`.
/// One record per source, not one per line: Pagefind writes a fragment file
/// per record and compares each new record's URL with every earlier one.
fn source_html(site: &Site, s: &crate::load::source::Source) -> String {
    let mut html = String::with_capacity(s.text.len() * 2);
    open_doc(&mut html, &site.config.language, &short_name(s));
    for n in 1..=s.lines.len() {
        if s.is_blank(n) {
            continue;
        }
        let _ = write!(html, "<p id=\"L{n}\" data-pagefind-title=\"Line {n}\">");
        crate::escape::escape_into(&mut html, s.line(n).trim());
        html.push_str("</p>");
    }
    html.push_str("</body></html>");
    html
}

fn open_doc(html: &mut String, language: &str, title: &str) {
    html.push_str("<html lang=\"");
    crate::escape::escape_into(html, language);
    html.push_str("\"><head><title>");
    crate::escape::escape_into(html, title);
    html.push_str("</title></head><body><h1>");
    crate::escape::escape_into(html, title);
    html.push_str("</h1>");
}

/// Every file of the index, under `pagefind/`. Pagefind's parts this site
/// does not load (its other UIs, its highlighter, its playground) are left out.
pub(crate) fn index(site: &Site) -> anyhow::Result<Vec<Output>> {
    let language = site.config.language.clone();
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let files = runtime.block_on(async {
        let options = PagefindServiceConfig::builder()
            .keep_index_url(true)
            .force_language(language.clone())
            .build();
        let mut index = PagefindIndex::new(Some(options))?;
        // Each page's claims, found in one pass rather than one pass per page.
        let mut claims = vec![Vec::new(); site.pages.len()];
        for (c, claim) in site.claims.iter().enumerate() {
            claims[claim.page].push(c);
        }
        for (i, rp) in site.pages.iter().enumerate() {
            let url = format!("/{}index.html", encode_path(&rp.page.url));
            index
                .add_html_file(None, Some(url), page_html(site, i, &claims[i]))
                .await?;
        }
        for s in site.sources.iter() {
            let url = format!("/{}index.html", source_url(&s.id));
            index
                .add_html_file(None, Some(url), source_html(site, s))
                .await?;
        }
        index.get_files().await
    })?;
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            let unused = [
                "pagefind-modular-ui",
                "pagefind-component-ui",
                "pagefind-highlight",
            ]
            .iter()
            .any(|u| name.starts_with(u))
                || name.starts_with("playground");
            (!unused).then(|| (format!("{BUNDLE}{name}"), f.contents))
        })
        .collect())
}
