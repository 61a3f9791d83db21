//! Fenced code blocks highlighted with syntect, as CSS classes (no inline
//! styles), and the stylesheet for them generated from syntect's themes with
//! every colour nudged until it meets WCAG AA contrast on its background.

use crate::escape::escape_html;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxDefinition, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "syn-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The bundled TOML grammar, in a set of its own: adding it to the default
/// set would re-link every grammar on each build.
fn toml_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let toml = SyntaxDefinition::load_from_str(include_str!("toml.sublime-syntax"), true, None)
            .expect("the bundled TOML grammar parses");
        let mut builder = syntect::parsing::SyntaxSetBuilder::new();
        builder.add(toml);
        builder.build()
    })
}

/// Highlights `code` written in `lang` (a fence's info string). Unknown
/// languages are escaped plain text.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
    let label = if lang.is_empty() {
        "Code".to_string()
    } else {
        format!("Code: {}", escape_html(lang))
    };
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape_html(lang))
    };
    let set = if lang.eq_ignore_ascii_case("toml") {
        toml_syntaxes()
    } else {
        syntaxes()
    };
    let syntax = (!lang.is_empty())
        .then(|| set.find_syntax_by_token(lang))
        .flatten();
    let body = match syntax {
        Some(syntax) => cached(lang, code, || {
            let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
            let ok = LinesWithEndings::from(code)
                .all(|line| gen.parse_html_for_line_which_includes_newline(line).is_ok());
            if ok {
                gen.finalize()
            } else {
                escape_html(code)
            }
        }),
        None => escape_html(code),
    };
    // Focusable, so that a keyboard can scroll a block wider than the screen.
    format!("<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"{label}\"><code{class}>{body}</code></pre>\n")
}

/// Highlighted HTML kept per process, keyed by language and text, up to
/// this many bytes of keys and values (then it starts again, empty).
const CACHE_BYTES: usize = 16 << 20;

/// Whether highlighted blocks are kept for later builds of this process.
static KEEP: AtomicBool = AtomicBool::new(false);

/// Keeps highlighted blocks for the rest of the process: for `serve`, whose
/// rebuilds load an edited page again with the blocks it had. A one-shot
/// build highlights each block once and keeps none (the copies cost time,
/// and up to [`CACHE_BYTES`] of memory).
pub fn keep_highlighted_blocks() {
    KEEP.store(true, Ordering::Relaxed);
}

/// Highlighting is the dearest step of loading a page (about half a
/// millisecond of CPU a block): once [`keep_highlighted_blocks`] was
/// called, blocks already highlighted in this process, in an earlier build
/// or on another page, are copied instead. The output is the same either way.
fn cached(lang: &str, code: &str, highlight: impl FnOnce() -> String) -> String {
    if !KEEP.load(Ordering::Relaxed) {
        return highlight();
    }
    struct Cache {
        map: HashMap<String, String>,
        bytes: usize,
    }
    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
    // A fence's language is one word of its first line: never a newline.
    let key = format!("{lang}\n{code}");
    let lock = || {
        CACHE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(hit) = lock().as_ref().and_then(|c| c.map.get(&key)) {
        return hit.clone();
    }
    let html = highlight();
    let mut guard = lock();
    let cache = guard.get_or_insert_with(|| Cache {
        map: HashMap::new(),
        bytes: 0,
    });
    let size = key.len() + html.len();
    if cache.bytes + size > CACHE_BYTES {
        cache.map.clear();
        cache.bytes = 0;
    }
    if size <= CACHE_BYTES && cache.map.insert(key, html.clone()).is_none() {
        cache.bytes += size;
    }
    html
}

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.03928 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(c: Color) -> f64 {
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Moves `fg` towards black or white (away from `bg`) until the contrast is at least `min`.
fn with_contrast(fg: Color, bg: Color, min: f64) -> Color {
    let target = if luminance(bg) > 0.5 { 0.0 } else { 255.0 };
    let mut c = fg;
    for step in 1..=20 {
        if contrast(c, bg) >= min {
            break;
        }
        let t = f64::from(step) / 20.0;
        let mix = |x: u8| (f64::from(x) + (target - f64::from(x)) * t).round() as u8;
        c = Color {
            r: mix(fg.r),
            g: mix(fg.g),
            b: mix(fg.b),
            a: 0xFF,
        };
    }
    c
}

fn accessible(mut theme: Theme) -> Theme {
    let bg = theme.settings.background.unwrap_or(Color::WHITE);
    if let Some(fg) = theme.settings.foreground {
        theme.settings.foreground = Some(with_contrast(fg, bg, 4.6));
    }
    for item in &mut theme.scopes {
        let item_bg = item.style.background.unwrap_or(bg);
        if let Some(fg) = item.style.foreground {
            item.style.foreground = Some(with_contrast(fg, item_bg, 4.6));
        }
    }
    theme
}

/// Keeps the rules of a syntect stylesheet whose selectors use only classes
/// in `used`, so pages load the colours they need and no more.
fn only_used(css: &str, used: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for rule in css.split_inclusive('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let kept: Vec<&str> = selectors
            .split(',')
            .map(str::trim)
            .filter(|sel| {
                sel.split(|c: char| c == '.' || c.is_whitespace())
                    .filter(|c| c.starts_with("syn-"))
                    .all(|c| used.contains(c))
            })
            .filter(|sel| !sel.starts_with("/*") && !sel.is_empty())
            .collect();
        if !kept.is_empty() {
            out.push_str(&format!("{} {{{}", kept.join(", "), body));
            out.push('\n');
        }
    }
    out
}

/// The `syn-…` classes used in HTML, gathered over many pages. Highlighted
/// blocks repeat a few dozen class lists, hundreds of times a block and on
/// every page in the same language: each list is split once per site, and
/// a class copied only when new.
#[derive(Default)]
pub struct Classes<'h> {
    lists: std::collections::HashSet<&'h str>,
    used: BTreeSet<String>,
}

impl<'h> Classes<'h> {
    /// Adds the classes of `html`.
    pub fn add(&mut self, html: &'h str) {
        for at in memchr::memmem::find_iter(html.as_bytes(), b"class=\"syn-") {
            let rest = &html[at + 7..];
            let end = memchr::memchr(b'"', rest.as_bytes()).unwrap_or(rest.len());
            let list = &rest[..end];
            if !self.lists.insert(list) {
                continue;
            }
            for class in list.split_whitespace() {
                if !self.used.contains(class) {
                    self.used.insert(class.to_string());
                }
            }
        }
    }

    /// The classes found, sorted.
    pub fn used(self) -> BTreeSet<String> {
        self.used
    }
}

/// The stylesheet for highlighted code: a light theme, and a dark one for
/// `prefers-color-scheme: dark`, limited to the classes in `used`.
pub fn stylesheet(used: &BTreeSet<String>) -> String {
    // The two themes' full stylesheets, made once per process (serve rebuilds often).
    static FULL: OnceLock<(String, String)> = OnceLock::new();
    let (light, dark) = FULL.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let css = |name: &str| {
            let theme = accessible(themes.themes[name].clone());
            css_for_theme_with_class_style(&theme, CLASS_STYLE)
                .expect("syntect's own themes produce CSS")
        };
        (css("InspiredGitHub"), css("base16-ocean.dark"))
    });
    let css = |name: &str| {
        only_used(
            if name == "InspiredGitHub" {
                light
            } else {
                dark
            },
            used,
        )
    };
    format!(
        "/* Generated by explainer from syntect's InspiredGitHub and base16-ocean.dark themes, colours adjusted to WCAG AA contrast. */\n{}@media (prefers-color-scheme: dark) {{\n{}}}\n",
        css("InspiredGitHub"),
        css("base16-ocean.dark")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes_not_styles() {
        let html = code_block("toml", "[[delegation]]\nid = \"israel\" # note\n");
        assert!(
            html.starts_with("<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: toml\"><code class=\"language-toml\">"),
            "{html}"
        );
        assert!(html.contains("syn-string"), "{html}");
        assert!(html.contains("syn-comment"), "{html}");
        let md = code_block("markdown", "# Title\n\nText [@a:1].\n");
        assert!(md.contains("class=\"syn-"), "{md}");
        assert!(html.contains("class=\"syn-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn cached_block_is_the_block_highlighted_afresh() {
        keep_highlighted_blocks();
        let code = "def f(x):\n    return x + 1  # one more\n";
        let first = code_block("python", code);
        assert!(first.contains("class=\"syn-"), "{first}");
        assert_eq!(code_block("python", code), first);
        // The cache is keyed by language too.
        let plain = code_block("nosuchlang", code);
        assert!(!plain.contains("syn-"), "{plain}");
        let fresh = cached("python", code, || "fresh".to_string());
        assert_eq!(
            fresh,
            first[first.find("<code").unwrap()..]
                .split_once('>')
                .unwrap()
                .1
                .trim_end_matches("</code></pre>\n")
        );
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let html = code_block("nosuchlang", "<script>alert(1)</script>\n");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn adjusted_colours_meet_aa() {
        let white = Color::WHITE;
        let grey = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xFF,
        };
        assert!(contrast(grey, white) < 4.5);
        assert!(contrast(with_contrast(grey, white, 4.6), white) >= 4.5);
    }

    #[test]
    fn stylesheet_has_light_and_dark_for_used_classes_only() {
        let mut classes = Classes::default();
        let html = code_block("toml", "# c\nid = \"x\"\n");
        classes.add(&html);
        let used = classes.used();
        assert!(used.contains("syn-comment"), "{used:?}");
        let css = stylesheet(&used);
        assert!(css.contains(".syn-comment"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(!css.contains(".syn-markup"), "{css}");
        assert!(css.len() < stylesheet(&["syn-markup".to_string()].into()).len() + 4000);
    }

    #[test]
    fn classes_are_collected_from_each_class_list_once() {
        let mut classes = Classes::default();
        classes.add(r#"<span class="syn-z">v</span>"#);
        let html = r#"<span class="syn-a syn-b">x</span><span class="syn-a syn-b">y</span><span class="syn-c">z</span><span class="other">w</span><span class="syn-b  syn-d">"#;
        classes.add(html);
        // A list seen on an earlier page: its classes are there once.
        classes.add(r#"<span class="syn-c">again</span>"#);
        // An attribute cut off at the end of the text is read to its end.
        classes.add(r#"<span class="syn-e"#);
        let used = classes.used();
        let got: Vec<&str> = used.iter().map(String::as_str).collect();
        assert_eq!(got, ["syn-a", "syn-b", "syn-c", "syn-d", "syn-e", "syn-z"]);
    }

    #[test]
    fn rule_filter_keeps_whole_rules() {
        let used: BTreeSet<String> = ["syn-a".to_string()].into();
        let css = ".syn-a { color: red; }\n.syn-a.syn-b, .syn-a { x: y; }\n.syn-c { z: w; }\n";
        assert_eq!(
            only_used(css, &used),
            ".syn-a { color: red; }\n.syn-a { x: y; }\n"
        );
    }
}
