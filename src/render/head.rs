//! Head metadata of every page: schema.org JSON-LD (`WebSite`,
//! `NewsArticle` with its citations, `CreativeWork` for a source).
//!
//! Written from typed views rather than `serde_json::Value` trees (every page
//! has one, naming each source it cites): each struct declares its keys in
//! sorted order, the order a JSON object map writes them in, so the JSON is
//! the same, key for key.

use serde::Serialize;

use super::links::{encode_path, link, root_of, source_url, verbatim_path};
use crate::load::source::Source;
use crate::resolve::{ResolvedPage, Site};

const SCHEMA: &str = "https://schema.org";

/// A `WebSite` (the home page and the listings), or the site a page is part of.
#[derive(Serialize)]
pub(crate) struct WebSite<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "inLanguage", skip_serializing_if = "Option::is_none")]
    in_language: Option<&'a str>,
    name: &'a str,
}

pub(crate) fn website(site: &Site) -> WebSite<'_> {
    WebSite {
        context: Some(SCHEMA),
        kind: "WebSite",
        in_language: Some(&site.config.language),
        name: &site.config.title,
    }
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// The publisher as an `Organization`, only when the copy says who it is:
/// an inferred publisher is never stated as fact (SPEC 2).
fn organization(s: &Source) -> Option<Organization<'_>> {
    match &s.meta.publisher {
        Some(p) if !s.meta.publisher_inferred => Some(Organization {
            kind: "Organization",
            name: p,
        }),
        _ => None,
    }
}

/// A source as a `CreativeWork`: its headline as `name`, or, when the
/// manifest gives none, its label, with the opening words as `description`
/// (opening words are not a headline). `url`: where a page cites it.
#[derive(Serialize)]
struct Work<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<Organization<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

fn work(s: &Source, url: Option<String>) -> Work<'_> {
    let opening = s.title_is_opening_words();
    Work {
        kind: "CreativeWork",
        description: opening.then(|| super::links::title_text(s)),
        name: if opening { s.label() } else { s.title() },
        publisher: organization(s),
        url,
    }
}

#[derive(Serialize)]
pub(crate) struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    citation: Vec<Work<'a>>,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isPartOf")]
    is_part_of: WebSite<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

pub(crate) fn news_article<'a>(
    site: &'a Site,
    rp: &'a ResolvedPage,
    description: &'a str,
    date: Option<&'a str>,
) -> NewsArticle<'a> {
    let root = root_of(&rp.page.url);
    let mut cited: Vec<usize> = rp.group_refs.iter().flatten().map(|r| r.source).collect();
    cited.sort_unstable();
    cited.dedup();
    let citation = cited
        .iter()
        .map(|&i| {
            let s = &site.sources[i];
            let mut page = source_url(&s.id);
            page.push_str("index.html");
            let url = link(site, &root, &page);
            work(s, Some(url))
        })
        .collect();
    NewsArticle {
        context: SCHEMA,
        kind: "NewsArticle",
        citation,
        date_modified: super::dated::updated(&rp.page),
        date_published: date,
        description,
        headline: &rp.page.front.title,
        in_language: &site.config.language,
        is_part_of: WebSite {
            context: None,
            kind: "WebSite",
            in_language: None,
            name: &site.config.title,
        },
        url: site
            .config
            .base()
            .map(|base| format!("{base}{}", encode_path(&rp.page.url))),
    }
}

#[derive(Serialize)]
struct MediaObject<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "contentSize")]
    content_size: String,
    #[serde(rename = "contentUrl")]
    content_url: String,
    #[serde(rename = "encodingFormat")]
    encoding_format: &'static str,
    sha256: &'a str,
}

/// A provenance page's source: its `CreativeWork` and the verbatim file.
#[derive(Serialize)]
pub(crate) struct SourceWork<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "archivedAt", skip_serializing_if = "Option::is_none")]
    archived_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    encoding: MediaObject<'a>,
    #[serde(rename = "isBasedOn", skip_serializing_if = "Option::is_none")]
    is_based_on: Option<&'a str>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<Organization<'a>>,
}

pub(crate) fn source_work(site: &Site, i: usize) -> SourceWork<'_> {
    let s = &site.sources[i];
    let root = root_of(&source_url(&s.id));
    let Work {
        description,
        name,
        publisher,
        ..
    } = work(s, None);
    SourceWork {
        context: SCHEMA,
        kind: "CreativeWork",
        archived_at: s.meta.archive_url.as_deref(),
        author: s.meta.author.as_deref(),
        // An inferred date is not stated as `datePublished`.
        date_published: s
            .meta
            .published
            .as_deref()
            .filter(|_| !s.meta.published_inferred),
        description,
        encoding: MediaObject {
            kind: "MediaObject",
            content_size: format!("{} bytes", s.size),
            content_url: link(site, &root, &verbatim_path(s)),
            encoding_format: "text/plain; charset=utf-8",
            sha256: &s.sha256,
        },
        is_based_on: s.meta.url.as_deref(),
        name,
        publisher,
    }
}
