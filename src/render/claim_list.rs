//! The list of claims on `/claims/`, grouped under a heading per content
//! page: each claim whole, as the editor wrote it, with the lines it cites
//! and, one tap away, the words it quotes. How many claims of a page rest on
//! a single origin is said once, in the group's summary; a claim is marked
//! in words only when it needs the reader's attention (one origin, not
//! named in the text). Built as HTML here rather than in a template: 500
//! claims a page make a template loop the page's whole cost.

use std::rc::Rc;

use super::markup::Markup;

/// One reference of a claim: the line link and the quoted words.
pub(crate) struct Cite {
    pub href: String,
    pub label: String,
    /// The quoted words as the source prints them, and whether the source
    /// is quoting someone there.
    pub quote: Option<(String, bool)>,
}

/// One claim as the list shows it.
pub(crate) struct Entry<'a> {
    pub id: String,
    /// The claim's marker on its page.
    pub href: String,
    /// The claim as the editor wrote it (white space collapsed), or empty.
    pub text: &'a str,
    /// Index of its page in the site, for grouping.
    pub page: usize,
    pub page_title: &'a str,
    /// Shared by the claims of a page.
    pub page_href: Rc<str>,
    pub note: usize,
    pub source_count: usize,
    pub origins: Vec<String>,
    pub attributed: bool,
    pub cites: Vec<Cite>,
}

impl Entry<'_> {
    fn single_origin(&self) -> bool {
        self.origins.len() == 1
    }

    /// Resting on one origin without naming it: what a reader should notice.
    fn flagged(&self) -> bool {
        self.single_origin() && !self.attributed
    }
}

/// "N claims: K rest on a single origin, F of them without naming it (marked
/// below); M on two or more origins."
fn summary(out: &mut Markup, group: &[Entry]) {
    let total = group.len();
    let single = group.iter().filter(|e| e.single_origin()).count();
    let flagged = group.iter().filter(|e| e.flagged()).count();
    let several = group.iter().filter(|e| e.origins.len() > 1).count();
    out.raw("<p class=\"group-summary\">")
        .num(total)
        .raw(if total == 1 { " claim" } else { " claims" });
    if single > 0 {
        out.raw(": ")
            .num(single)
            .raw(if single == 1 { " rests" } else { " rest" })
            .raw(" on a single origin");
        if flagged > 0 {
            out.raw(", ");
            if single > 1 {
                out.num(flagged).raw(" of them");
            }
            out.raw(" without naming it in the text (marked below)");
        }
        if several > 0 {
            out.raw("; ").num(several).raw(" on two or more origins");
        }
    } else if several > 0 {
        out.raw(", each on two or more origins");
    }
    out.raw(".</p>\n");
}

fn entry(out: &mut Markup, e: &Entry) {
    out.raw("<li id=\"").text(&e.id).raw("\" class=\"claim");
    if e.source_count == 1 {
        out.raw(" single");
    }
    if e.single_origin() {
        out.raw(" single-origin");
    }
    if e.attributed {
        out.raw(" attributed");
    }
    if e.flagged() {
        out.raw(" flagged");
    }
    out.raw("\">\n<p class=\"claim-text\"><a href=\"")
        .text(&e.href)
        .raw("\">");
    if e.text.is_empty() {
        out.raw("(citation at the start of its paragraph)");
    } else {
        out.text(e.text);
    }
    out.raw("</a></p>\n<p class=\"claim-meta\">Note ")
        .num(e.note)
        .raw(" · ");
    let names = e.origins.join(", ");
    if e.flagged() {
        out.raw("<strong class=\"origin-flag\">Single origin, not named in the text:</strong> ")
            .text(&names);
    } else if e.single_origin() {
        out.raw("rests on ").text(&names).raw(", named in the text");
    } else {
        out.num(e.origins.len()).raw(" origins: ").text(&names);
    }
    if e.source_count != e.origins.len() {
        out.raw(" · ").num(e.source_count).raw(" sources cited");
    }
    out.raw(" <span class=\"claim-cites\">· cites ");
    for (k, c) in e.cites.iter().enumerate() {
        if k > 0 {
            out.raw(", ");
        }
        out.raw("<a href=\"")
            .text(&c.href)
            .raw("\">")
            .text(&c.label)
            .raw("</a>");
    }
    out.raw("</span></p>\n");
    let quoted: Vec<&Cite> = e
        .cites
        .iter()
        .filter(|c| c.quote.as_ref().is_some_and(|q| !q.0.is_empty()))
        .collect();
    if !quoted.is_empty() {
        out.raw("<details class=\"claim-quotes\"><summary>The quoted words</summary><ul>");
        for c in quoted {
            let Some((quote, quoting)) = &c.quote else {
                continue;
            };
            out.raw("<li>")
                .text(&c.label)
                .raw(": <q dir=\"auto\">")
                .text(quote)
                .raw("</q> <span class=\"cite-voice\">")
                .raw(if *quoting {
                    "(the outlet is quoting someone)"
                } else {
                    "(the outlet's own words)"
                })
                .raw("</span></li>");
        }
        out.raw("</ul></details>\n");
    }
    out.raw("</li>\n");
}

/// The claims, a section per page in the order given (the site's reading
/// order). `continued` says the first group began on the previous page of
/// the list.
pub(crate) fn html(entries: &[Entry], continued: bool) -> String {
    // An entry is about 950 bytes with one quote: the buffer rarely grows.
    let mut out = Markup::with_capacity(entries.len() * 1024);
    let mut rest = entries;
    let mut first = true;
    while let Some(head) = rest.first() {
        let len = rest.iter().take_while(|e| e.page == head.page).count();
        let (group, tail) = rest.split_at(len);
        let h = format!("{}-h", head.id);
        out.raw("<section class=\"claims-group\" aria-labelledby=\"")
            .text(&h)
            .raw("\">\n<h3 id=\"")
            .text(&h)
            .raw("\"><a href=\"")
            .text(&head.page_href)
            .raw("\">")
            .text(head.page_title)
            .raw("</a>");
        if first && continued {
            out.raw(" (continued)");
        }
        out.raw("</h3>\n");
        summary(&mut out, group);
        out.raw("<ol class=\"claims-list\">\n");
        for e in group {
            entry(&mut out, e);
        }
        out.raw("</ol>\n</section>\n");
        rest = tail;
        first = false;
    }
    out.0
}
