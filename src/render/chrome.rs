//! The chrome every page shares (title, menu, canonical link, JSON-LD slot):
//! made once per build, then specialised per page.

use serde::Serialize;

use super::links::{encode_path, page_href, root_of};
use super::tally::Tally;
use crate::escape::{escape_into, script_json};
use crate::resolve::Site;

/// Room to leave, beyond a page's own HTML, for the chrome around it (head,
/// JSON-LD, menu, footer) when its buffer is allocated before rendering.
pub(crate) const CHROME_BYTES: usize = 16 << 10;

/// Content pages named in the site menu, at most.
const NAV_PAGES: usize = 8;

/// Site-wide data every page's chrome needs, made once per build.
pub(crate) struct Chrome {
    config: crate::load::config::Config,
    nav: Vec<(String, String)>,
    pub tally: Tally,
    /// For each source, the sources that retell it, in order (the inverse
    /// of `Site::retells`, made once: a provenance page lists them).
    pub retold_by: Vec<Vec<usize>>,
    /// The site has `/atom.xml` and `/search/` (linked from every page).
    feed: bool,
    search: bool,
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
    pub canonical: Option<String>,
    og_type: &'static str,
    json_ld: String,
    root: String,
    kind: &'static str,
    nav: Vec<NavItem>,
    /// `nav` as the default theme's `<li>` items (the menu is written twice
    /// a page; each item looked up through Tera cost more than the rest of
    /// the chrome).
    nav_html: String,
    script: bool,
    /// Link `static/syntax.css`: the page has highlighted code.
    pub syntax: bool,
    /// Link `atom.xml` (head) and `search/` (footer).
    feed: bool,
    search: bool,
}

impl Chrome {
    /// `previous`: an earlier site and its chrome, whose tally is reused
    /// for the pages that did not change ([`Tally::after`]).
    pub(crate) fn new(site: &Site, previous: Option<(&Site, &Chrome)>) -> Self {
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
            tally: Tally::after(site, previous.map(|(s, c)| (s, &c.tally))),
            retold_by: retold_by(&site.retells),
            feed: super::dated::has_feed(site),
            search: site.config.search,
        }
    }

    /// The chrome of the page at `url`.
    pub(crate) fn base(
        &self,
        url: &str,
        title: &str,
        description: &str,
        kind: &'static str,
        json_ld: impl serde::Serialize,
        script: bool,
    ) -> Base<'_> {
        let config = &self.config;
        let root = root_of(url);
        let nav: Vec<NavItem> = self
            .nav
            .iter()
            .map(|(u, label)| NavItem {
                href: page_href(&root, u, 0),
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
            nav_html: nav_html(&nav),
            nav,
            script,
            syntax: false,
            feed: self.feed,
            search: self.search,
        }
    }
}

/// `retold_by[i]`: every `j` (not `i`) whose `retells[j]` holds `i`, ascending.
fn retold_by(retells: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut by = vec![Vec::new(); retells.len()];
    for (j, told) in retells.iter().enumerate() {
        for &i in told {
            let list: &mut Vec<usize> = &mut by[i];
            if i != j && list.last() != Some(&j) {
                list.push(j);
            }
        }
    }
    by
}

/// The menu's items, one `<li>` a line, the current page marked.
fn nav_html(nav: &[NavItem]) -> String {
    let mut html = String::new();
    for item in nav {
        html.push_str("<li><a href=\"");
        escape_into(&mut html, &item.href);
        html.push('"');
        if item.current {
            html.push_str(" aria-current=\"page\"");
        }
        html.push('>');
        escape_into(&mut html, &item.label);
        html.push_str("</a></li>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `nav_html` writes what the default theme's loop over `base.nav` wrote,
    /// escaping included, so that a theme may use either.
    #[test]
    fn nav_html_is_the_loop_over_nav() {
        let nav = vec![
            NavItem {
                href: "../a%20b/index.html".into(),
                label: "<b>\"Tom's\" & co</b>".into(),
                current: false,
            },
            NavItem {
                href: "../x/index.html?q=\"'<>&".into(),
                label: "Here".into(),
                current: true,
            },
        ];
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(crate::escape::escape_html);
        tera.add_raw_template(
            "nav.html",
            "{% for item in nav %}<li><a href=\"{{ item.href }}\"{% if item.current %} aria-current=\"page\"{% endif %}>{{ item.label }}</a></li>\n{% endfor %}",
        )
        .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("nav", &nav);
        assert_eq!(nav_html(&nav), tera.render("nav.html", &ctx).unwrap());
        assert!(nav_html(&nav).contains("&lt;b&gt;&quot;Tom&#39;s&quot; &amp; co"));
    }

    #[test]
    fn retold_by_inverts_retells_without_self_or_repeats() {
        let retells = vec![vec![], vec![0], vec![0, 1, 1], vec![3, 0]];
        assert_eq!(
            retold_by(&retells),
            vec![vec![1, 2, 3], vec![2], vec![], vec![]]
        );
    }
}
