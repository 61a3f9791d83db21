//! HTML minification, the last step before a page is written.

/// Minifies one HTML file. The doctype and the closing tags are kept, so the
/// output stays valid HTML for checkers as well as browsers.
pub fn minify_html(bytes: &[u8]) -> Vec<u8> {
    let cfg = minify_html::Cfg {
        minify_css: true,
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        ..minify_html::Cfg::new()
    };
    minify_html::minify(bytes, &cfg)
}
