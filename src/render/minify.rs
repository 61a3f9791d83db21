//! HTML minification, the last step before a page is written.

/// Minifies one HTML file. The doctype and the closing tags are kept, so the
/// output stays valid HTML for checkers as well as browsers. The minifier
/// recurses once per nested element: a file nested deeper than
/// `MINIFY_DEPTH` (a page warned with W005, a source note) is returned as it
/// is rather than overflow the stack.
pub fn minify_html(bytes: &[u8]) -> Vec<u8> {
    /// Above a page's own limit and its template's nesting; the minifier
    /// managed 400 on a 2 MiB thread in a debug build.
    const MINIFY_DEPTH: usize = crate::load::markdown::MAX_NESTING + 56;
    if crate::load::body::tag_depth(bytes, &mut 0) > MINIFY_DEPTH {
        return bytes.to_vec();
    }
    let cfg = minify_html::Cfg {
        minify_css: true,
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        ..minify_html::Cfg::new()
    };
    minify_html::minify(bytes, &cfg)
}
