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

fn organization(s: &Source) -> Value {
    match &s.meta.publisher {
        Some(p) => json!({ "@type": "Organization", "name": p }),
        None => Value::Null,
    }
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
            json!({
                "@type": "CreativeWork",
                "name": s.title(),
                "publisher": organization(s),
                "url": link(site, &root, &format!("{}index.html", source_url(&s.id))),
            })
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
    if let Some(base) = site.config.base() {
        v["url"] = json!(format!("{base}{}", encode_path(&rp.page.url)));
    }
    v
}

pub(crate) fn source_work(site: &Site, i: usize) -> Value {
    let s = &site.sources[i];
    let root = root_of(&source_url(&s.id));
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": s.title(),
        "publisher": organization(s),
        "encoding": {
            "@type": "MediaObject",
            "contentUrl": link(site, &root, &verbatim_path(s)),
            "encodingFormat": "text/plain; charset=utf-8",
            "contentSize": format!("{} bytes", s.size),
            "sha256": s.sha256,
        },
    });
    for (key, value) in [
        ("author", &s.meta.author),
        ("datePublished", &s.meta.published),
        ("isBasedOn", &s.meta.url),
    ] {
        if let Some(x) = value {
            v[key] = json!(x);
        }
    }
    v
}
