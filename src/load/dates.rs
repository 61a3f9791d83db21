//! A page's dates beyond `date` (SPEC 3): `updated` and `[[corrections]]`.
//!
//! Both are checked when the page is parsed: each must be a calendar date (a
//! TOML date, or a date-time whose date is taken), and none may come before
//! the page's `date` (E018, at the offending value). A correction's text is
//! inline Markdown (emphasis, code, links under the same rules as a page's:
//! E004 for a scheme other than `http`, `https`, `mailto`); any HTML in it is
//! shown as text, and block syntax (lists, headings) as its words, because a
//! correction is one dated sentence or two, printed in a list and in the feed.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::escape::escape_into;
use crate::load::url::{link_allowed, refused_links};

/// One entry of `[[corrections]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub date: Spanned<Datetime>,
    /// Inline Markdown.
    pub text: Spanned<String>,
}

/// `2026-01-07` for a date or the date of a date-time; `None` for a time alone.
pub fn day(d: &Datetime) -> Option<String> {
    d.date.map(|d| d.to_string())
}

/// The checks of a page's `updated` and corrections against its `date`.
/// Spans are in the front matter's TOML, which starts at byte `toml_at` of
/// the page's `text`.
pub fn check(
    file: &str,
    text: &str,
    toml_at: usize,
    date: Option<&Datetime>,
    updated: Option<&Spanned<Datetime>>,
    corrections: &[Correction],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let shift = |span: std::ops::Range<usize>| toml_at + span.start..toml_at + span.end;
    let published = date.and_then(day);
    let dated = |what: &str, value: &Spanned<Datetime>, diags: &mut Vec<Diagnostic>| {
        let Some(d) = day(value.get_ref()) else {
            diags.push(
                Diagnostic::at(
                    "E005",
                    file,
                    text,
                    shift(value.span()),
                    format!("invalid front matter: {what} is a time without a date"),
                )
                .with_help("write a date such as 2026-01-08"),
            );
            return;
        };
        if let Some(p) = published.as_deref().filter(|p| d.as_str() < *p) {
            diags.push(
                Diagnostic::at(
                    "E018",
                    file,
                    text,
                    shift(value.span()),
                    format!("{what} {d} is before the page's date {p}"),
                )
                .with_help(
                    "a page is updated or corrected after it is published: check both dates",
                ),
            );
        }
    };
    if let Some(u) = updated {
        dated("`updated`", u, &mut diags);
    }
    for c in corrections {
        dated("the correction dated", &c.date, &mut diags);
        let at = toml_at + c.text.span().start;
        for (_, dest) in refused_links(c.text.get_ref()) {
            let shown: String = dest.chars().take(60).collect();
            diags.push(
                Diagnostic::at(
                    "E004",
                    file,
                    text,
                    at..toml_at + c.text.span().end,
                    format!(
                        "link to `{}` in a correction: only http, https, mailto and relative links are allowed",
                        shown.escape_debug()
                    ),
                )
                .with_help("a link goes to a web page (https://…), an e-mail address (mailto:…) or a page of this site"),
            );
        }
    }
    diags
}

/// A correction's inline Markdown as HTML: text escaped, HTML shown as text.
pub fn correction_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    // Closing tags of the links opened, `None` for a refused one (its text stays).
    let mut links: Vec<bool> = Vec::new();
    let mut space = false;
    for event in Parser::new_ext(markdown, crate::load::markdown::options()) {
        if space && !matches!(event, Event::End(_)) {
            out.push(' ');
            space = false;
        }
        match event {
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => escape_into(&mut out, &t),
            Event::Code(c) => {
                out.push_str("<code>");
                escape_into(&mut out, &c);
                out.push_str("</code>");
            }
            Event::SoftBreak | Event::HardBreak => space = true,
            Event::FootnoteReference(r) => {
                out.push_str("[^");
                escape_into(&mut out, &r);
                out.push(']');
            }
            Event::Start(Tag::Emphasis) => out.push_str("<em>"),
            Event::End(TagEnd::Emphasis) => out.push_str("</em>"),
            Event::Start(Tag::Strong) => out.push_str("<strong>"),
            Event::End(TagEnd::Strong) => out.push_str("</strong>"),
            Event::Start(Tag::Strikethrough) => out.push_str("<del>"),
            Event::End(TagEnd::Strikethrough) => out.push_str("</del>"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let ok = link_allowed(&dest_url) && !links.contains(&true);
                if ok {
                    out.push_str("<a href=\"");
                    escape_into(&mut out, &dest_url);
                    out.push_str("\">");
                }
                links.push(ok);
            }
            Event::End(TagEnd::Link) => {
                out.push_str(if links.pop() == Some(true) {
                    "</a>"
                } else {
                    ""
                });
            }
            // The end of a block (paragraph, item, heading…): its words go on.
            Event::End(_) => space = !out.is_empty(),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_text_is_inline_markdown_with_html_as_text() {
        assert_eq!(
            correction_html("The *date* was `wrong`; see [the source](../sources/a/index.html)."),
            "The <em>date</em> was <code>wrong</code>; see <a href=\"../sources/a/index.html\">the source</a>."
        );
        assert_eq!(
            correction_html("<script>alert(1)</script> & \"x\""),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
        );
        assert_eq!(
            correction_html("[x](javascript:alert(1)) <b>b</b>"),
            "x &lt;b&gt;b&lt;/b&gt;"
        );
        assert_eq!(correction_html("# A\n\n- one\n- two"), "A one two");
        assert_eq!(correction_html("![alt](x.png)"), "alt");
    }
}
