//! Head metadata of every page: schema.org JSON-LD (`WebSite`,
//! `NewsArticle` with its citations, `CreativeWork` for a source).

use serde_json::{json, Value};

use super::links::{encode_path, link, root_of, source_url, verbatim_path};
use crate::load::source::Source;
use crate::resolve::{ResolvedPage, Site};

pub(crate) fn website(site: &Site) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.config.title,
        "inLanguage": site.config.language,
    })
}

/// The publisher as an `Organization`, only when the copy says who it is:
/// an inferred publisher is never stated as fact (SPEC 2).
fn organization(s: &Source) -> Value {
    match &s.meta.publisher {
        Some(p) if !s.meta.publisher_inferred => json!({ "@type": "Organization", "name": p }),
        _ => Value::Null,
    }
}

/// A source as a `CreativeWork`: its headline as `name`, or, when the
/// manifest gives none, its label, with the opening words as `description`
/// (opening words are not a headline).
fn work(s: &Source) -> Value {
    let mut v = json!({ "@type": "CreativeWork" });
    if s.title_is_opening_words() {
        v["name"] = json!(s.label());
        v["description"] = json!(super::links::title_text(s));
    } else {
        v["name"] = json!(s.title());
    }
    let publisher = organization(s);
    if !publisher.is_null() {
        v["publisher"] = publisher;
    }
    v
}

pub(crate) fn news_article(
    site: &Site,
    rp: &ResolvedPage,
    description: &str,
    date: Option<&str>,
) -> Value {
    let root = root_of(&rp.page.url);
    let mut cited: Vec<usize> = rp.group_refs.iter().flatten().map(|r| r.source).collect();
    cited.sort_unstable();
    cited.dedup();
    let citation: Vec<Value> = cited
        .iter()
        .map(|&i| {
            let s = &site.sources[i];
            let mut v = work(s);
            v["url"] = json!(link(
                site,
                &root,
                &format!("{}index.html", source_url(&s.id))
            ));
            v
        })
        .collect();
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": rp.page.front.title,
        "description": description,
        "inLanguage": site.config.language,
        "isPartOf": { "@type": "WebSite", "name": site.config.title },
        "citation": citation,
    });
    if let Some(d) = date {
        v["datePublished"] = json!(d);
    }
    if let Some(u) = super::dated::updated(&rp.page) {
        v["dateModified"] = json!(u);
    }
    if let Some(base) = site.config.base() {
        v["url"] = json!(format!("{base}{}", encode_path(&rp.page.url)));
    }
    v
}

pub(crate) fn source_work(site: &Site, i: usize) -> Value {
    let s = &site.sources[i];
    let root = root_of(&source_url(&s.id));
    let mut v = json!({ "@context": "https://schema.org" });
    if let (Value::Object(v), Value::Object(w)) = (&mut v, work(s)) {
        v.extend(w);
    }
    v["encoding"] = json!({
        "@type": "MediaObject",
        "contentUrl": link(site, &root, &verbatim_path(s)),
        "encodingFormat": "text/plain; charset=utf-8",
        "contentSize": format!("{} bytes", s.size),
        "sha256": s.sha256,
    });
    // An inferred date is not stated as `datePublished`.
    let published = s
        .meta
        .published
        .clone()
        .filter(|_| !s.meta.published_inferred);
    for (key, value) in [
        ("author", &s.meta.author),
        ("datePublished", &published),
        ("isBasedOn", &s.meta.url),
        ("archivedAt", &s.meta.archive_url),
    ] {
        if let Some(x) = value {
            v[key] = json!(x);
        }
    }
    v
}
