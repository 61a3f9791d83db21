//! The files of a site that are not pages: the sitemap and the theme's
//! static files.

use super::links::encode_path;
use super::theme::Theme;
use crate::escape::escape_html;
use crate::write::Output;

/// `sitemap.xml` listing every page (`…/index.html`; so not the 404 page).
pub(crate) fn sitemap(base: &str, pages: &[String]) -> Output {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for path in pages {
        if let Some(dir) = path.strip_suffix("index.html") {
            let url = encode_path(dir);
            xml.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                escape_html(&format!("{base}{url}"))
            ));
        }
    }
    xml.push_str("</urlset>\n");
    ("sitemap.xml".into(), xml.into_bytes())
}

/// The theme's static files.
pub(crate) fn statics(theme: &Theme) -> Vec<Output> {
    let mut out = Vec::new();
    out.extend(
        theme
            .statics
            .iter()
            .map(|(p, b)| (format!("static/{p}"), b.clone())),
    );
    out
}
