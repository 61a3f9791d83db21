//! `/atom.xml`: an Atom feed of the content pages that carry a `date`,
//! newest first, each entry `updated` at the page's `updated` (else its
//! `date`). Links are absolute under `base_url`; without one the feed is
//! relative: its links are resolved against the feed's own address, which a
//! feed reader that fetched it knows (README: Feed).

use atom_syndication::{Entry, Feed, Link, Person, Text};
use chrono::{DateTime, FixedOffset};

use super::dated::{published, updated};
use super::links::encode_path;
use crate::resolve::Site;
use crate::write::Output;

/// Text as XML 1.0 may hold it: the control characters it forbids (all of
/// C0 but tab, newline and carriage return, and U+FFFE, U+FFFF) dropped;
/// escaping `<`, `&` and the rest is the writer's.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            !(c < ' ' && !matches!(c, '\t' | '\n' | '\r') || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect()
}

/// `2026-01-08` at midnight UTC.
fn instant(day: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(&format!("{day}T00:00:00Z")).ok()
}

fn link(href: String, rel: &str) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l
}

/// The feed, or nothing when no page has a date.
pub(crate) fn feed(site: &Site) -> Option<Output> {
    let base = site.config.base();
    let href = |path: &str| match &base {
        Some(b) => format!("{b}{path}"),
        None => path.to_string(),
    };
    let mut dated: Vec<(String, String, usize)> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, rp)| {
            let date = published(&rp.page)?;
            let last = updated(&rp.page).unwrap_or_else(|| date.clone());
            Some((date, last, i))
        })
        .collect();
    // Newest first; pages of one day in the order of their URLs.
    dated.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| site.pages[a.2].page.url.cmp(&site.pages[b.2].page.url))
    });
    let newest = dated.iter().map(|d| d.1.as_str()).max()?.to_string();
    let entries: Vec<Entry> = dated
        .iter()
        .filter_map(|(date, last, i)| {
            let p = &site.pages[*i].page;
            let path = match &base {
                Some(_) => encode_path(&p.url),
                None => format!("{}index.html", encode_path(&p.url)),
            };
            let url = href(&path);
            let mut e = Entry::default();
            e.set_title(Text::plain(xml_text(&p.front.title)));
            e.set_id(url.clone());
            e.set_links(vec![link(url, "alternate")]);
            e.set_published(instant(date));
            e.set_updated(instant(last)?);
            let summary = p
                .front
                .description
                .as_deref()
                .unwrap_or(&p.body.html.excerpt);
            if !summary.is_empty() {
                e.set_summary(Some(Text::plain(xml_text(summary))));
            }
            Some(e)
        })
        .collect();
    let mut feed = Feed::default();
    feed.set_title(Text::plain(xml_text(&site.config.title)));
    feed.set_lang(Some(xml_text(&site.config.language)));
    let home = match &base {
        Some(b) => b.clone(),
        None => "index.html".to_string(),
    };
    feed.set_id(home.clone());
    let mut links = vec![link(home, "alternate")];
    if base.is_some() {
        links.push(link(href("atom.xml"), "self"));
    }
    feed.set_links(links);
    let mut author = Person::default();
    author.set_name(xml_text(&site.config.title));
    feed.set_authors(vec![author]);
    feed.set_updated(instant(&newest)?);
    feed.set_entries(entries);
    let bytes = feed.write_to(Vec::new()).ok()?;
    Some(("atom.xml".into(), bytes))
}
