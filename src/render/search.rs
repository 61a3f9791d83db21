//! `/search/` and its index (README: Search): the page, and the files of a
//! Pagefind index over the content pages, every claim and every non-blank
//! source line, made with the `pagefind` crate's library API. A claim is a
//! record that links to its note marker on its page (`a/index.html#r-3`), a
//! source line one that links to the line on its provenance page
//! (`sources/ID/index.html#L3`), so that searching a name finds the line that
//! prints it. Pagefind's own script, styles and WebAssembly come from the
//! crate; `static/search.js` starts its UI on `/search/` only.
//!
//! The index is one job of the plan, separate from the page: a build runs it
//! with every other job, `serve` only when `/pagefind/…` is first asked for.

use std::collections::BTreeMap;

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

/// A page's body as the index reads it: its title and Markdown, without the
/// chrome, the notes or the shortcodes' tables (their claims are records).
fn page_html(site: &Site, i: usize) -> String {
    let p = &site.pages[i].page;
    let mut html = String::with_capacity(4096);
    html.push_str("<html lang=\"");
    crate::escape::escape_into(&mut html, &site.config.language);
    html.push_str("\"><head><title>");
    crate::escape::escape_into(&mut html, &p.front.title);
    html.push_str("</title></head><body><h1>");
    crate::escape::escape_into(&mut html, &p.front.title);
    html.push_str("</h1>");
    for segment in &p.body.html.segments {
        if let Segment::Html(h) = segment {
            html.push_str(h);
        }
    }
    html.push_str("</body></html>");
    html
}

fn meta(title: String) -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([("title".to_string(), title)]))
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
        for (i, rp) in site.pages.iter().enumerate() {
            let url = format!("/{}index.html", encode_path(&rp.page.url));
            index
                .add_html_file(None, Some(url), page_html(site, i))
                .await?;
        }
        for c in &site.claims {
            let p = &site.pages[c.page].page;
            let url = format!("/{}index.html#r-{}", encode_path(&p.url), c.note);
            let title = format!("Claim {} · {}", c.note, p.front.title);
            index
                .add_custom_record(
                    url,
                    c.text.to_string(),
                    language.clone(),
                    meta(title),
                    None,
                    None,
                )
                .await?;
        }
        for s in site.sources.iter() {
            let name = short_name(s);
            let page = format!("/{}index.html", source_url(&s.id));
            for n in 1..=s.lines.len() {
                if s.is_blank(n) {
                    continue;
                }
                index
                    .add_custom_record(
                        format!("{page}#L{n}"),
                        s.line(n).trim().to_string(),
                        language.clone(),
                        meta(format!("{name}, line {n}")),
                        None,
                        None,
                    )
                    .await?;
            }
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
