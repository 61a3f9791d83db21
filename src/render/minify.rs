//! Minification, the last step before a file is written: HTML pages, and the
//! theme's CSS and JavaScript (with the minifiers minify-html uses inside).

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

/// Minifies a stylesheet (a theme's own, possibly overridden by a site). A
/// stylesheet lightningcss cannot parse or print is written as it is: the
/// browser, not the minifier, is the judge of what CSS means.
pub fn minify_css(bytes: Vec<u8>) -> Vec<u8> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let minified = StyleSheet::parse(text, ParserOptions::default())
        .ok()
        .and_then(|mut sheet| {
            sheet.minify(MinifyOptions::default()).ok()?;
            let printer = PrinterOptions {
                minify: true,
                ..PrinterOptions::default()
            };
            sheet.to_css(printer).ok().map(|out| out.code)
        });
    match minified {
        Some(m) if m.len() < bytes.len() => m.into_bytes(),
        _ => bytes,
    }
}

/// Minifies a classic script (not a module) with oxc's safest compression and
/// mangling; a script with a syntax error is written as it is.
pub fn minify_js(bytes: Vec<u8>) -> Vec<u8> {
    use oxc_allocator::Allocator;
    use oxc_codegen::{Codegen, CodegenOptions};
    use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
    use oxc_parser::Parser;
    use oxc_span::SourceType;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, SourceType::cjs()).parse();
    if !parsed.errors.is_empty() || parsed.panicked {
        return bytes;
    }
    let mut program = parsed.program;
    let minified = Minifier::new(MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions::safest()),
    })
    .minify(&allocator, &mut program);
    // The mangled names live in the returned scoping; without it the names stay long.
    let code = Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    if code.len() < bytes.len() {
        code.into_bytes()
    } else {
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_minified_and_what_lightningcss_cannot_read_is_kept() {
        let css = b"a {\n  color: red;\n}\n\n/* note */\nb { margin: 0 0 0 0; }\n".to_vec();
        let out = String::from_utf8(minify_css(css)).unwrap();
        assert_eq!(out, "a{color:red}b{margin:0}");
        let broken = b"a { color: red; ".to_vec();
        assert!(minify_css(broken.clone()).len() <= broken.len());
        let not_utf8 = vec![0xff, 0xfe, b'a'];
        assert_eq!(minify_css(not_utf8.clone()), not_utf8);
    }

    #[test]
    fn js_is_minified_and_a_syntax_error_is_kept_as_written() {
        let js = b"(function () {\n  'use strict';\n  var answer = 40 + 2;\n  window.x = answer;\n})();\n".to_vec();
        let out = String::from_utf8(minify_js(js.clone())).unwrap();
        assert!(out.len() < js.len(), "{out}");
        assert!(out.contains("window.x"), "{out}");
        assert!(!out.contains("answer"), "local names are mangled: {out}");
        let commented = b"// a comment\nwindow.y = 1;\n".to_vec();
        assert!(!String::from_utf8(minify_js(commented))
            .unwrap()
            .contains("comment"));
        let broken = b"function ( {".to_vec();
        assert_eq!(minify_js(broken.clone()), broken);
    }
}
