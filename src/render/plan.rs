//! The plan of a render: every job (one page, one provenance page, one
//! listing page, the annotations…) and the files it writes, so that a build
//! runs them all in parallel and `serve` renders the one a request needs.

use super::theme::Theme;
use super::{
    annotations, chrome::Chrome, claims, content, feed, files, head, minify, roster, search,
    sources,
};
use crate::diagnostic::Diagnostic;
use crate::load::highlight;
use crate::load::markdown::Shortcode;
use crate::resolve::Site;
use crate::write::Output;

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
    /// `/atom.xml`.
    Feed,
    /// `/search/` (the page) and its index under `/pagefind/`.
    Search,
    SearchIndex,
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
        Plan::after(site, theme, minify, None)
    }

    /// [`Plan::new`] for a site that follows `previous` (an earlier site and
    /// its plan, in `serve`): what did not change is not computed again.
    pub fn after(
        site: &Site,
        theme: &Theme,
        minify: bool,
        previous: Option<(&Site, &Plan)>,
    ) -> Plan {
        Plan {
            chrome: Chrome::new(site, previous.map(|(s, p)| (s, &p.chrome))),
            script: theme.has_script(),
            minify,
        }
    }

    /// Every job, the largest (the search index, the annotations) first.
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
        if super::dated::has_feed(site) {
            jobs.push(Job::Feed);
        }
        if site.config.search {
            // The index is built on one thread: started first, it runs beside the rest.
            jobs.insert(0, Job::SearchIndex);
            jobs.push(Job::Search);
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
            Job::Feed => vec!["atom.xml".into()],
            Job::Search => index("search/".into()),
            // Its other files are named by hashes of their contents.
            Job::SearchIndex => vec![search::ENTRY.into()],
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
                &content::Ctx {
                    site,
                    theme,
                    shortcodes: &|shortcode: &Shortcode, root: &str, claims| match shortcode {
                        Shortcode::Delegations => roster::shortcode(site, theme, root, None),
                        Shortcode::Delegation { id } => {
                            roster::shortcode(site, theme, root, Some(id))
                        }
                        Shortcode::Claims => {
                            claims::shortcode(site, &chrome.tally, theme, root, claims)
                        }
                    },
                },
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
                    head::website(site),
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
            Job::Files => files::statics(theme),
            Job::Annotations => {
                let mut bytes = Vec::new();
                annotations::annotations(site, &mut bytes).expect("writing to memory succeeds");
                vec![("annotations.jsonld".into(), bytes)]
            }
            Job::Syntax => vec![(
                "static/syntax.css".into(),
                highlight::stylesheet(&code_classes(site)).into_bytes(),
            )],
            Job::Sitemap => {
                let base = site.config.base().unwrap_or_default();
                vec![files::sitemap(&base, &self.pages(site, theme))]
            }
            Job::Feed => feed::feed(site).into_iter().collect(),
            Job::Search => search::page(site, theme, chrome, script)?,
            Job::SearchIndex => search::index(site).map_err(|e| {
                Diagnostic::file("E010", "search/", format!("the search index failed: {e:#}"))
            })?,
        };
        // A page nested too deep for the minifier was warned of (W005).
        let deep = matches!(job, Job::Page(i) if site.pages[i].page.body.deep);
        Ok(if self.minify && !deep {
            files
                .into_iter()
                .map(|(path, bytes)| {
                    let bytes = if path.ends_with(".html") {
                        minify::minify_html(&bytes)
                    } else if path.starts_with("static/") && path.ends_with(".css") {
                        minify::minify_css(bytes)
                    } else if path.starts_with("static/") && path.ends_with(".js") {
                        minify::minify_js(bytes)
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
    let mut classes = highlight::Classes::default();
    for rp in site.pages.iter().filter(|p| p.page.body.html.has_code) {
        let html = &rp.page.body.html;
        for segment in &html.segments {
            if let crate::load::body::Segment::Html(h) = segment {
                classes.add(h);
            }
        }
        for note in html.footnotes.values() {
            classes.add(note);
        }
    }
    classes.used()
}
