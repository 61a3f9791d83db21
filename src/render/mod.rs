//! Rendering: resolved site -> files. Pure: every output is a (path, bytes)
//! pair; writing them is `write`'s job.
//!
//! Templates get typed, borrowed views (`Serialize` structs), never
//! string-keyed maps, and Tera fails on an undefined variable, so a typo in
//! a template or a view is a failing test rather than an empty string.

mod claims;
mod content;
pub mod highlight;
mod meta;
mod roster;
mod sources;
pub mod theme;

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::resolve::Site;
pub use theme::Theme;

/// One output file: path relative to the output dir (with `/`), and bytes.
pub type Output = (String, Vec<u8>);

/// A link of the pager of a paginated listing.
#[derive(Serialize)]
pub(crate) struct PagerLink {
    number: usize,
    href: String,
    current: bool,
    /// Pages are left out between the previous link and this one.
    gap_before: bool,
}

/// Pages listed on each side of the current one in a pager.
const PAGER_SPAN: usize = 4;

/// The pager of page `k` of a listing with `pages` pages (none for one page):
/// the first and last pages and those near `k`. Listing every page on every
/// page would make 2,000 pages of claims carry 4 million links.
pub(crate) fn pager(
    pages: usize,
    k: usize,
    root: &str,
    page_url: fn(usize) -> String,
) -> Vec<PagerLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let near = k.saturating_sub(PAGER_SPAN).max(1)..=(k + PAGER_SPAN).min(pages);
    let mut numbers: Vec<usize> = std::iter::once(1)
        .chain(near)
        .chain(std::iter::once(pages))
        .collect();
    numbers.dedup();
    let mut previous = 0;
    numbers
        .into_iter()
        .map(|n| {
            let gap_before = previous != 0 && n > previous + 1;
            previous = n;
            PagerLink {
                number: n,
                href: format!("{root}{}index.html", page_url(n)),
                current: n == k,
                gap_before,
            }
        })
        .collect()
}

/// Title of page `k` of a paginated listing, and the sentence its
/// description gains (`"Claims, page 2 of 9"`, `" Page 2 of 9."`).
pub(crate) fn paged(name: &str, k: usize, pages: usize) -> (String, String) {
    if pages > 1 {
        (
            format!("{name}, page {k} of {pages}"),
            format!(" Page {k} of {pages}."),
        )
    } else {
        (name.to_string(), String::new())
    }
}

/// Content pages named in the site menu, at most.
const NAV_PAGES: usize = 8;

/// Site-wide data every page's chrome needs, made once per build.
pub(crate) struct Chrome {
    config: crate::config::Config,
    nav: Vec<(String, String)>,
    pub tally: claims::Tally,
}

#[derive(Serialize)]
pub(crate) struct NavItem {
    href: String,
    label: String,
    current: bool,
}

/// The view every template gets as `base`.
#[derive(Serialize)]
pub(crate) struct Base<'a> {
    lang: &'a str,
    site_title: &'a str,
    title: String,
    description: String,
    canonical: Option<String>,
    og_type: &'static str,
    json_ld: String,
    root: String,
    kind: &'static str,
    nav: Vec<NavItem>,
    script: bool,
    /// Link `static/syntax.css`: the page has highlighted code.
    pub syntax: bool,
}

/// `../` repeated for a page at URL path `url` (`""`, `a/`, `x/b/`).
pub(crate) fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// Percent-encodes a path segment (ids and file names are usually plain).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Percent-encodes a site-relative path (`x/b c/`): each segment as by
/// [`encode_segment`], the `/`s kept. Every href or URL built from a page
/// path or slug goes through this.
pub(crate) fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Site-relative path of a source's provenance page.
pub(crate) fn source_url(id: &str) -> String {
    format!("sources/{}/", encode_segment(id))
}

/// HTML-escapes text for element content and quoted attribute values: the
/// five characters that matter there. (Tera's own escaping also writes `/`
/// as `&#x2F;`, which costs five bytes for every slash of every link.)
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 16);
    escape_into(&mut out, input);
    out
}

/// The entity for a byte that needs escaping in HTML text and attributes.
fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Does any of the eight bytes of `word` need escaping? (Each test is the
/// classic has-zero-byte check on the word XOR the byte repeated; it is
/// exact for "any byte", which is all that is asked.)
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    (has(b'&') | has(b'<') | has(b'>') | has(b'"') | has(b'\'')) != 0
}

/// [`escape_html`], appending to `out`. Text is scanned eight bytes at a
/// time; most of it has nothing to escape and is copied in runs.
pub(crate) fn escape_into(out: &mut String, input: &str) {
    let bytes = input.as_bytes();
    let mut last = 0;
    let mut escape = |out: &mut String, from: usize, to: usize| {
        for (i, &b) in bytes.iter().enumerate().take(to).skip(from) {
            if let Some(e) = entity(b) {
                out.push_str(&input[last..i]);
                out.push_str(e);
                last = i + 1;
            }
        }
    };
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        if word_needs_escape(word) {
            escape(out, at, at + 8);
        }
        at += 8;
    }
    escape(out, at, bytes.len());
    out.push_str(&input[last..]);
}

/// HTML built in Rust for the lists that repeat hundreds of times a page
/// (source lines, notes, claims): markup as written, text escaped.
pub(crate) struct Markup(pub String);

impl Markup {
    pub fn with_capacity(n: usize) -> Markup {
        Markup(String::with_capacity(n))
    }

    /// Appends markup as it is.
    pub fn raw(&mut self, s: &str) -> &mut Markup {
        self.0.push_str(s);
        self
    }

    /// Appends text, escaped.
    pub fn text(&mut self, s: &str) -> &mut Markup {
        escape_into(&mut self.0, s);
        self
    }

    /// Appends a number.
    pub fn num(&mut self, n: usize) -> &mut Markup {
        let _ = write!(self.0, "{n}");
        self
    }
}

/// JSON for a `<script>` element (or anywhere else in HTML): `<`, `>` and
/// `&` are written `\u003c`, `\u003e`, `\u0026`. Escaping only `</` is not
/// enough: `<!--<script>` in a string puts the HTML parser into the "script
/// data double escaped" state, and the rest of the page becomes script text.
/// The three characters can only stand inside JSON strings, where the escapes
/// mean the same characters, so the JSON is unchanged for a JSON reader.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let json = serde_json::to_string(value).expect("JSON values serialize");
    let mut out = String::with_capacity(json.len() + 16);
    let mut last = 0;
    for (i, c) in json.match_indices(['<', '>', '&']) {
        out.push_str(&json[last..i]);
        out.push_str(match c {
            "<" => "\\u003c",
            ">" => "\\u003e",
            _ => "\\u0026",
        });
        last = i + 1;
    }
    out.push_str(&json[last..]);
    out
}

/// `2026-01-07` -> `7 January 2026`; other shapes are shown as written.
pub(crate) fn display_date(d: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = d.get(..10).unwrap_or(d).split('-');
    match (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|x| x.parse::<u32>().ok()),
    ) {
        (Some(y), Some(m @ 1..=12), Some(day)) if d.len() >= 10 => {
            format!("{day} {} {y}", MONTHS[m - 1])
        }
        _ => d.to_string(),
    }
}

impl Chrome {
    fn new(site: &Site) -> Self {
        // The menu names the top-level pages (`/a/`, `/x/`), first by weight,
        // at most NAV_PAGES of them: every page carries the menu, so it must not
        // grow with the site.
        let mut nav: Vec<(String, String)> = site
            .pages
            .iter()
            .filter(|p| p.page.url.matches('/').count() == 1)
            .take(NAV_PAGES)
            .map(|p| (p.page.url.clone(), p.page.front.title.clone()))
            .collect();
        if site.roster.is_some() {
            nav.push(("delegations/".into(), "Delegations".into()));
        }
        nav.push(("claims/".into(), "Claims".into()));
        nav.push(("sources/".into(), "Sources".into()));
        Chrome {
            config: site.config.clone(),
            nav,
            tally: claims::Tally::new(site),
        }
    }

    /// The chrome of the page at `url`.
    fn base(
        &self,
        url: &str,
        title: &str,
        description: &str,
        kind: &'static str,
        json_ld: serde_json::Value,
        script: bool,
    ) -> Base<'_> {
        let config = &self.config;
        let root = root_of(url);
        let nav = self
            .nav
            .iter()
            .map(|(u, label)| NavItem {
                href: format!("{root}{}index.html", encode_path(u)),
                label: label.clone(),
                current: u == url,
            })
            .collect();
        let title = if url.is_empty() || title == config.title {
            title.to_string()
        } else {
            format!("{title} · {}", config.title)
        };
        Base {
            lang: &config.language,
            site_title: &config.title,
            title,
            description: description.to_string(),
            canonical: config.base().map(|b| format!("{b}{}", encode_path(url))),
            og_type: if kind == "page" || kind == "home" {
                "article"
            } else {
                "website"
            },
            json_ld: script_json(&json_ld),
            root,
            kind,
            nav,
            script,
            syntax: false,
        }
    }
}

/// One unit of rendering work. A build runs all of them in parallel; `serve`
/// runs the one that makes a requested file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Page(usize),
    Provenance(usize),
    Claims(usize),
    SourcesIndex(usize),
    Delegations,
    NotFound,
    Files,
    Annotations,
    Syntax,
    Sitemap,
}

/// Where rendered files go: the build's staging directory, or memory for
/// `serve`. Called from many threads at once.
pub trait Sink: Sync {
    fn put(&self, path: String, bytes: Vec<u8>) -> anyhow::Result<()>;

    /// A large file, written in parts by `fill` as they are made.
    fn put_with(
        &self,
        path: String,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.put(path, bytes)
    }
}

/// Why rendering stopped: template errors (E010) or a file that could not be written.
#[derive(Debug)]
pub enum RenderError {
    Content(Vec<Diagnostic>),
    Io(anyhow::Error),
}

/// What the pages of one resolved site share, made once: the chrome (menu,
/// counts) and the list of jobs. Rendering any job needs only the plan, the
/// site and the theme, so `serve` can render a requested page alone.
pub struct Plan {
    chrome: Chrome,
    script: bool,
    minify: bool,
}

impl Plan {
    /// `minify`: minify HTML (a preview is not minified, for speed).
    pub fn new(site: &Site, theme: &Theme, minify: bool) -> Plan {
        Plan {
            chrome: Chrome::new(site),
            script: theme.has_script(),
            minify,
        }
    }

    /// Every job, the largest (the annotations) first.
    pub fn jobs(&self, site: &Site) -> Vec<Job> {
        let mut jobs = vec![Job::Annotations];
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.extend((0..site.sources.len()).map(Job::Provenance));
        jobs.extend((1..=claims::page_count(site)).map(Job::Claims));
        jobs.extend((1..=sources::page_count(site)).map(Job::SourcesIndex));
        jobs.extend([Job::NotFound, Job::Files]);
        if site.roster.is_some() {
            jobs.push(Job::Delegations);
        }
        if site.pages.iter().any(|p| p.page.body.html.has_code) {
            jobs.push(Job::Syntax);
        }
        if site.config.base().is_some() {
            jobs.push(Job::Sitemap);
        }
        jobs
    }

    /// The files a job writes, without rendering them.
    pub fn paths(&self, site: &Site, theme: &Theme, job: Job) -> Vec<String> {
        let index = |url: String| vec![format!("{url}index.html")];
        match job {
            Job::Page(i) => index(site.pages[i].page.url.clone()),
            Job::Provenance(i) => {
                let s = &site.sources[i];
                let dir = format!("sources/{}/", s.id);
                vec![
                    format!("{dir}index.html"),
                    format!("{dir}{}", s.file_name()),
                ]
            }
            Job::Claims(k) => index(claims::page_url(k)),
            Job::SourcesIndex(k) => index(sources::page_url(k)),
            Job::Delegations => index("delegations/".into()),
            Job::NotFound => vec!["404.html".into()],
            Job::Files => theme
                .statics
                .keys()
                .map(|p| format!("static/{p}"))
                .collect(),
            Job::Annotations => vec!["annotations.jsonld".into()],
            Job::Syntax => vec!["static/syntax.css".into()],
            Job::Sitemap => vec!["sitemap.xml".into()],
        }
    }

    /// The pages (`…/index.html`) of the site, sorted: what the sitemap lists.
    fn pages(&self, site: &Site, theme: &Theme) -> Vec<String> {
        let mut pages: Vec<String> = self
            .jobs(site)
            .into_iter()
            .flat_map(|job| self.paths(site, theme, job))
            .filter(|p| p.ends_with("index.html"))
            .collect();
        pages.sort();
        pages
    }

    /// Renders one job: its files, HTML minified when the plan says so.
    pub fn render(&self, site: &Site, theme: &Theme, job: Job) -> Result<Vec<Output>, Diagnostic> {
        let (chrome, script) = (&self.chrome, self.script);
        let files = match job {
            Job::Page(i) => vec![content::page(
                &content::Ctx::new(site, theme),
                chrome,
                i,
                script,
            )?],
            Job::Provenance(i) => sources::provenance(site, theme, chrome, i, script)?,
            Job::SourcesIndex(k) => sources::index(site, theme, chrome, k, script)?,
            Job::Claims(k) => claims::page(site, theme, chrome, k, script)?,
            Job::Delegations => roster::page(site, theme, chrome, script)?,
            Job::NotFound => {
                let mut base = chrome.base(
                    "",
                    "Page not found",
                    "There is no page at this address.",
                    "notfound",
                    meta::website(site),
                    script,
                );
                // Served at any missing address: it has no canonical URL of its own.
                base.canonical = None;
                vec![(
                    "404.html".into(),
                    theme
                        .render("404.html", &serde_json::json!({ "base": base }))?
                        .into_bytes(),
                )]
            }
            Job::Files => meta::statics(theme),
            Job::Annotations => {
                let mut bytes = Vec::new();
                meta::annotations(site, &mut bytes).expect("writing to memory succeeds");
                vec![("annotations.jsonld".into(), bytes)]
            }
            Job::Syntax => vec![(
                "static/syntax.css".into(),
                highlight::stylesheet(&code_classes(site)).into_bytes(),
            )],
            Job::Sitemap => {
                let base = site.config.base().unwrap_or_default();
                vec![meta::sitemap(&base, &self.pages(site, theme))]
            }
        };
        // A page nested too deep for the minifier was warned of (W005).
        let deep = matches!(job, Job::Page(i) if site.pages[i].page.body.deep);
        Ok(if self.minify && !deep {
            files
                .into_iter()
                .map(|(path, bytes)| {
                    let bytes = if path.ends_with(".html") {
                        crate::write::minify_html(&bytes)
                    } else {
                        bytes
                    };
                    (path, bytes)
                })
                .collect()
        } else {
            files
        })
    }
}

/// The highlighting classes the site's page bodies and notes use.
fn code_classes(site: &Site) -> std::collections::BTreeSet<String> {
    let mut classes = std::collections::BTreeSet::new();
    for rp in site.pages.iter().filter(|p| p.page.body.html.has_code) {
        let html = &rp.page.body.html;
        for segment in &html.segments {
            if let crate::body::Segment::Html(h) = segment {
                highlight::classes_in(h, &mut classes);
            }
        }
        for note in html.footnotes.values() {
            highlight::classes_in(note, &mut classes);
        }
    }
    classes
}

/// Renders every file of the site into `sink`, each as soon as it is ready,
/// so memory holds one page per thread rather than the whole site. Returns
/// the number of files.
pub fn site(
    site: &Site,
    theme: &Theme,
    minify: bool,
    sink: &dyn Sink,
) -> Result<usize, RenderError> {
    let plan = Plan::new(site, theme, minify);
    let run = |job: Job| -> Result<usize, RenderError> {
        if job == Job::Annotations {
            // The largest file: streamed in parts rather than joined.
            sink.put_with("annotations.jsonld".into(), &mut |out| {
                meta::annotations(site, out)
            })
            .map_err(RenderError::Io)?;
            return Ok(1);
        }
        let files = plan
            .render(site, theme, job)
            .map_err(|d| RenderError::Content(vec![d]))?;
        let count = files.len();
        for (path, bytes) in files {
            sink.put(path, bytes).map_err(RenderError::Io)?;
        }
        Ok(count)
    };
    let results: Vec<Result<usize, RenderError>> =
        plan.jobs(site).into_par_iter().map(run).collect();
    let mut errors = Vec::new();
    let mut files = 0;
    for r in results {
        match r {
            Ok(n) => files += n,
            Err(RenderError::Content(ds)) => errors.extend(ds),
            Err(e @ RenderError::Io(_)) => return Err(e),
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        errors.dedup();
        return Err(RenderError::Content(errors));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_relative() {
        assert_eq!(root_of(""), "");
        assert_eq!(root_of("a/"), "../");
        assert_eq!(root_of("x/b/"), "../../");
    }

    #[test]
    fn pagers_stay_short() {
        let numbers = |pages, k| {
            pager(pages, k, "", |n| format!("p/{n}/"))
                .iter()
                .map(|l| l.number)
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(1, 1), Vec::<usize>::new());
        assert_eq!(numbers(3, 2), [1, 2, 3]);
        assert_eq!(
            numbers(2000, 1000),
            [1, 996, 997, 998, 999, 1000, 1001, 1002, 1003, 1004, 2000]
        );
        assert_eq!(numbers(2000, 1), [1, 2, 3, 4, 5, 2000]);
    }

    #[test]
    fn dates_display_long_form() {
        assert_eq!(display_date("2026-01-07"), "7 January 2026");
        assert_eq!(display_date("2026"), "2026");
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(encode_segment("000_ab.txt"), "000_ab.txt");
        assert_eq!(encode_path("q?/a b#/é/"), "q%3F/a%20b%23/%C3%A9/");
        assert_eq!(encode_path(""), "");
    }

    #[test]
    fn word_at_a_time_escaping_matches_byte_at_a_time() {
        let simple = |s: &str| {
            s.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect::<String>()
        };
        // Every special character at every position of words and tails,
        // next to multi-byte characters.
        let specials = ['&', '<', '>', '"', '\'', 'a', 'é', '—', '%', '\u{80}'];
        for len in 0..20 {
            for (k, &c) in specials.iter().enumerate() {
                for at in 0..len {
                    let s: String = (0..len)
                        .map(|i| {
                            if i == at {
                                c
                            } else {
                                specials[(i + k) % specials.len()]
                            }
                        })
                        .collect();
                    let mut out = String::new();
                    escape_into(&mut out, &s);
                    assert_eq!(out, simple(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn html_escaping_covers_content_and_attributes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a> ../x/"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; ../x/"
        );
        assert_eq!(escape_html("plain — text"), "plain — text");
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({ "x": "</script><script>alert(1)</script>" });
        assert!(!script_json(&v).contains("</script"));
    }

    #[test]
    fn bug_18_script_json_escapes_every_markup_character() {
        let v = serde_json::json!({ "x<": "<!--<script> a&b </script> >" });
        let s = script_json(&v);
        assert!(!s.contains(['<', '>', '&']), "{s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}
