//! A content page's news furniture: the dates under its title ("Published …
//! · Updated …"), the dated list of corrections at its end, and the "Cite
//! this page" block. Shared by the content page and the feed, which both
//! speak of when a page was published and last changed.

use super::links::encode_path;
use super::markup::{display_date, Markup};
use crate::load::dates::{correction_html, day};
use crate::load::page::ParsedPage;
use crate::resolve::Site;

/// The page's `date` as `2026-01-06`.
pub(crate) fn published(p: &ParsedPage) -> Option<String> {
    p.front.date.as_ref().and_then(day)
}

/// Does the site have a feed (`/atom.xml`)? Only when some page has a `date`.
pub(crate) fn has_feed(site: &Site) -> bool {
    site.pages.iter().any(|p| published(&p.page).is_some())
}

/// The page's `updated` as `2026-01-08`.
pub(crate) fn updated(p: &ParsedPage) -> Option<String> {
    p.front.updated.as_ref().and_then(|u| day(u.get_ref()))
}

fn time(out: &mut Markup, d: &str) {
    out.raw("<time datetime=\"")
        .text(d)
        .raw("\">")
        .text(&display_date(d))
        .raw("</time>");
}

/// "Published 6 January 2026 · Updated 8 January 2026" (either part alone
/// when the page has only one); empty when it has neither.
pub(crate) fn dates_html(p: &ParsedPage) -> String {
    let mut out = Markup::with_capacity(160);
    let (published, updated) = (published(p), updated(p));
    if published.is_none() && updated.is_none() {
        return String::new();
    }
    out.raw("<p class=\"meta page-dates\">");
    if let Some(d) = &published {
        out.raw("Published ");
        time(&mut out, d);
    }
    if let Some(u) = &updated {
        out.raw(if published.is_some() {
            " · Updated "
        } else {
            "Updated "
        });
        time(&mut out, u);
    }
    out.raw("</p>");
    out.0
}

/// The "Corrections" section, oldest first; empty when there are none.
pub(crate) fn corrections_html(p: &ParsedPage) -> String {
    let mut list: Vec<_> = p.front.corrections.iter().collect();
    if list.is_empty() {
        return String::new();
    }
    list.sort_by_key(|c| day(c.date.get_ref()));
    let mut out = Markup::with_capacity(256);
    out.raw("<section class=\"corrections\" aria-labelledby=\"corrections-h\">\n")
        .raw("<h2 id=\"corrections-h\">Corrections</h2>\n<ul class=\"corrections-list\">\n");
    for c in list {
        out.raw("<li>");
        if let Some(d) = day(c.date.get_ref()) {
            time(&mut out, &d);
            out.raw(": ");
        }
        out.raw(&correction_html(c.text.get_ref())).raw("</li>\n");
    }
    out.raw("</ul>\n</section>");
    out.0
}

/// The "Cite this page" block: the page's title, the outlet (the site's
/// title), its dates and its URL, as text a reader copies. Without
/// `base_url` the page's address is unknown at build time: the script puts
/// the address the page was opened at in the empty `cite-page-url` span.
pub(crate) fn cite_html(site: &Site, p: &ParsedPage) -> String {
    let mut out = Markup::with_capacity(400);
    out.raw("<details class=\"cite-page\">\n<summary>Cite this page</summary>\n")
        .raw("<p class=\"cite-page-text\" id=\"cite-page-text\">“")
        .text(&p.front.title)
        .raw("”. <cite>")
        .text(&site.config.title)
        .raw("</cite>.");
    if let Some(d) = published(p) {
        out.raw(" Published ").text(&display_date(&d));
        if let Some(u) = updated(p) {
            out.raw(", updated ").text(&display_date(&u));
        }
        out.raw(".");
    } else if let Some(u) = updated(p) {
        out.raw(" Updated ").text(&display_date(&u)).raw(".");
    }
    match site.config.base() {
        Some(base) => {
            out.raw(" <span class=\"cite-page-url\">")
                .text(&format!("{base}{}", encode_path(&p.url)))
                .raw("</span>");
        }
        None => {
            out.raw("<span class=\"cite-page-url\"></span>");
        }
    }
    out.raw("</p>\n</details>");
    out.0
}
