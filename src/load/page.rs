//! Content pages (SPEC 3): front matter, URL, and the parsed Markdown body.
//!
//! `parse` is pure (path + text in, `ParsedPage` out) so it is tested on
//! strings; reading files is the loader's job.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::load::body::{self, Body};
use crate::load::config::toml_diagnostic;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<toml::value::Datetime>,
    pub weight: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    pub slug: Option<String>,
    pub template: Option<String>,
    #[serde(default)]
    pub uncited: bool,
    /// The last update (E018 when before `date`).
    pub updated: Option<toml::Spanned<toml::value::Datetime>>,
    #[serde(default)]
    pub corrections: Vec<crate::load::dates::Correction>,
}

#[derive(Debug)]
pub struct ParsedPage {
    /// Site-relative path, e.g. `content/x/b.md`.
    pub file: String,
    pub front: FrontMatter,
    /// URL path relative to the site root: `""` for the home page, `x/b/` otherwise.
    pub url: String,
    pub body: Body,
}

/// A page's text, for the diagnostics that quote it. Everything else a build
/// needs is in the [`ParsedPage`]. `serve`'s cache keeps the text; a one-shot
/// build drops it once the page is parsed (on a large site the page texts
/// are a fifth of the memory) and reads the file again only to report a
/// problem in it.
#[derive(Debug, Clone)]
pub enum PageText {
    Kept(Arc<String>),
    OnDisk(PathBuf),
}

impl PageText {
    /// The text; for a dropped text, the file as it is now (empty if it can
    /// no longer be read: a diagnostic then has no excerpt, but is reported).
    pub fn get(&self) -> Cow<'_, str> {
        match self {
            PageText::Kept(text) => Cow::Borrowed(text.as_str()),
            PageText::OnDisk(path) => Cow::Owned(std::fs::read_to_string(path).unwrap_or_default()),
        }
    }
}

impl ParsedPage {
    /// Sort key for menus and indexes: weight, then path.
    pub fn order_key(&self) -> (i64, &str) {
        (self.front.weight.unwrap_or(0), &self.file)
    }
}

/// Splits `+++` front matter from the body. Returns the TOML text, its byte
/// offset and the body's byte offset in `text`.
pub fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n')?;
    if rest[..first_end].trim_end() != "+++" {
        return None;
    }
    let toml_start = start + first_end + 1;
    let mut pos = toml_start;
    for line in text[toml_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&text[toml_start..pos], toml_start, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

/// `content/`-relative path (with `/`) -> URL path below the root.
pub fn url_for(rel: &str, slug: Option<&str>) -> String {
    let stemless = rel.strip_suffix(".md").unwrap_or(rel);
    let (dir, stem) = match stemless.rsplit_once('/') {
        Some((d, s)) => (format!("{d}/"), s),
        None => (String::new(), stemless),
    };
    if stem == "_index" {
        return dir;
    }
    format!("{dir}{}/", slug.unwrap_or(stem))
}

fn slug_problem(slug: &str) -> Option<(&'static str, &'static str)> {
    if slug.contains(['/', '\\']) || slug.contains("..") {
        return Some((
            "E012",
            "a slug is one URL segment; `/`, `\\` and `..` would leave the page's folder",
        ));
    }
    let ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !slug.starts_with('.');
    (!ok).then_some(("E005", "a slug is letters, digits, `-`, `_` and `.`"))
}

/// Files the build writes at the top of the output, besides the pages.
const GENERATED_FILES: [&str; 6] = [
    "404.html",
    "annotations.jsonld",
    "atom.xml",
    "sitemap.xml",
    crate::write::MARKER,
    "index.html",
];

/// Why a page at URL path `url` (`x/b/`) would overwrite a file the build
/// writes: its `index.html` would be written inside (or over) a generated
/// file, or in the theme's `static/` folder. `sources/`, `claims/` and
/// `delegations/` are checked with the other page URLs (resolve).
fn generated_clash(url: &str) -> Option<String> {
    let first = url.split('/').next().unwrap_or_default();
    if let Some(f) = GENERATED_FILES.iter().find(|f| **f == first) {
        return Some(format!("the generated file /{f}"));
    }
    if first == "static" {
        return Some("the theme's static files under /static/".into());
    }
    url.split('/')
        .any(|segment| segment == "index.html")
        .then(|| "the index.html file of its folder".into())
}

/// Byte offset of the `slug` key's line in the front matter, if any.
fn slug_line(text: &str, body_at: usize) -> Option<usize> {
    let mut at = 0;
    for line in text[..body_at].split_inclusive('\n') {
        let key = line.trim_start();
        if let Some(rest) = key.strip_prefix("slug") {
            if rest.trim_start().starts_with('=') {
                return Some(at + line.len() - key.len());
            }
        }
        at += line.len();
    }
    None
}

/// Every front-matter key, in the order the README lists them.
pub const FRONT_MATTER_KEYS: [&str; 10] = [
    "title",
    "description",
    "date",
    "updated",
    "corrections",
    "weight",
    "draft",
    "slug",
    "template",
    "uncited",
];

/// The key of serde's "unknown field `x`, expected …" message.
fn unknown_key(message: &str) -> Option<(&str, &str)> {
    let rest = message.trim().strip_prefix("unknown field `")?;
    rest.split_once('`')
}

/// Parses one page. `file` is site-relative (`content/a.md`), `rel` is
/// relative to `content/`.
pub fn parse(file: &str, rel: &str, text: &str, html: bool) -> Result<ParsedPage, Vec<Diagnostic>> {
    let Some((toml_text, toml_at, body_at)) = split_front_matter(text) else {
        let end = text.find('\n').unwrap_or(text.len());
        return Err(vec![Diagnostic::at(
            "E005",
            file,
            text,
            0..end,
            "page has no front matter",
        )
        .with_help(
            "start the page with a +++ line, then title = \"…\", then another +++ line",
        )]);
    };
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let mut d = toml_diagnostic("E005", file, toml_text, &e);
        let local = e.span().unwrap_or(0..0);
        let shifted = toml_at + local.start..toml_at + local.end;
        let mut help = d.help.take();
        let mut message = format!("invalid front matter: {}", e.message().trim());
        // An unknown key of the front matter itself (a correction's are listed by serde).
        if let Some((key, _)) =
            unknown_key(e.message()).filter(|(_, rest)| rest.contains("`title`"))
        {
            message = format!("invalid front matter: unknown key `{key}`");
            let mean = crate::text::did_you_mean(key, FRONT_MATTER_KEYS)
                .map(|k| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            let keys: Vec<String> = FRONT_MATTER_KEYS.iter().map(|k| format!("`{k}`")).collect();
            help = Some(format!("{mean}the keys are {}", keys.join(", ")));
        }
        d = Diagnostic::at("E005", file, text, shifted, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        vec![d]
    })?;
    if let Some(slug) = &front.slug {
        if let Some((code, help)) = slug_problem(slug) {
            let at = text[..body_at].find("slug").unwrap_or(0);
            return Err(vec![Diagnostic::at(
                code,
                file,
                text,
                at..at + 4,
                format!("invalid slug `{slug}`"),
            )
            .with_help(help)]);
        }
    }
    let dates = crate::load::dates::check(
        file,
        text,
        toml_at,
        front.date.as_ref(),
        front.updated.as_ref(),
        &front.corrections,
    );
    if !dates.is_empty() {
        return Err(dates);
    }
    let url = url_for(rel, front.slug.as_deref());
    if let Some(clash) = generated_clash(&url) {
        // The slug's line when the slug makes the clash, else the file's name: line 1.
        let at = match front.slug {
            Some(_) if generated_clash(&url_for(rel, None)).is_none() => {
                slug_line(text, body_at).unwrap_or(0)
            }
            _ => 0,
        };
        return Err(vec![Diagnostic::at(
            "E007",
            file,
            text,
            at..at + 1,
            format!("page URL /{url} would overwrite {clash}"),
        )
        .with_help("give the page a different `slug` or file name")]);
    }
    let body = body::parse(file, text, body_at, html);
    Ok(ParsedPage {
        file: file.to_string(),
        front,
        url,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_spec() {
        assert_eq!(url_for("_index.md", None), "");
        assert_eq!(url_for("a.md", None), "a/");
        assert_eq!(url_for("x/b.md", None), "x/b/");
        assert_eq!(url_for("x/_index.md", None), "x/");
        assert_eq!(url_for("x/b.md", Some("c")), "x/c/");
        assert_eq!(url_for("_index.md", Some("ignored")), "");
    }

    #[test]
    fn bug_12_urls_of_generated_files_clash() {
        for url in [
            "404.html/",
            "index.html/",
            "x/index.html/",
            "static/",
            "static/a.css/",
            "sitemap.xml/",
            "annotations.jsonld/",
            ".explainer-output/",
        ] {
            assert!(generated_clash(url).is_some(), "{url}");
        }
        for url in [
            "",
            "a/",
            "x/404.html/",
            "statics/",
            "x/static/",
            "index.htm/",
        ] {
            assert_eq!(generated_clash(url), None, "{url}");
        }
        let text = "+++\ntitle = \"slug = x\"\n  slug = \"404.html\"\n+++\n";
        let e = parse("content/a.md", "a.md", text, true).unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("E007", 3, 3));
    }

    #[test]
    fn front_matter_is_required() {
        let e = parse("content/a.md", "a.md", "# no front matter\n", true).unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("E005", 1, 1));
    }

    #[test]
    fn missing_title_is_e005() {
        let e = parse("content/a.md", "a.md", "+++\nweight = 1\n+++\nbody\n", true).unwrap_err();
        assert_eq!(e[0].code, "E005");
        assert!(e[0].message.contains("title"), "{}", e[0].message);
    }

    #[test]
    fn toml_error_position_counts_the_opening_line() {
        let e = parse(
            "content/a.md",
            "a.md",
            "+++\ntitle = \"T\"\nweigth = 1\n+++\n",
            true,
        )
        .unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("E005", 3, 1));
    }

    #[test]
    fn crlf_front_matter_parses() {
        let p = parse(
            "content/a.md",
            "a.md",
            "+++\r\ntitle = \"T\"\r\n+++\r\nHello\r\n",
            true,
        )
        .unwrap();
        assert_eq!(p.front.title, "T");
        assert_eq!(p.url, "a/");
    }

    #[test]
    fn bad_slugs_are_rejected() {
        let e = parse(
            "content/a.md",
            "a.md",
            "+++\ntitle = \"T\"\nslug = \"../x\"\n+++\n",
            true,
        )
        .unwrap_err();
        assert_eq!((e[0].code, e[0].line), ("E012", 3));
        let e = parse(
            "content/a.md",
            "a.md",
            "+++\ntitle = \"T\"\nslug = \"a b\"\n+++\n",
            true,
        )
        .unwrap_err();
        assert_eq!(e[0].code, "E005");
    }

    #[test]
    fn a_dropped_text_is_read_again_and_a_missing_file_reports_without_an_excerpt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\nBody [@x:1].\n").unwrap();
        let kept = PageText::Kept(Arc::new("kept".to_string()));
        assert_eq!(kept.get(), "kept");
        let dropped = PageText::OnDisk(path.clone());
        // The key `x` of the citation: byte 27, line 4, column 8.
        let d = Diagnostic::at("E001", "content/a.md", &dropped.get(), 27..28, "unknown");
        assert_eq!((d.line, d.column), (4, 8));
        assert!(
            d.render(false).contains("Body [@x:1]."),
            "{}",
            d.render(false)
        );

        // Gone between parsing and reporting: the problem is still reported,
        // at the start of the file, with nothing to quote.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(dropped.get(), "");
        let d = Diagnostic::at("E001", "content/a.md", &dropped.get(), 27..28, "unknown");
        assert_eq!((d.code, d.line, d.column), ("E001", 1, 1));
    }
}
