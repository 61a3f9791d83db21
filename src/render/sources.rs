//! The sources index and one provenance page per source, with the verbatim copy.

use serde::Serialize;

use super::chrome::{Base, Chrome};
use super::head;
use super::links::{
    claim_href, encode_segment, member_anchor, publisher, root_of, short_name, source_url,
    title_text,
};
use super::markup::{display_date, paged, pager, thousands, Markup, PagerLink};
use super::tally::origin_label;
use super::theme::{Handed, Theme};
use super::verbatim;
use crate::diagnostic::Diagnostic;
use crate::load::markdown;
use crate::load::source::Source;
use crate::resolve::{Backlink, Origin, Ref, Site};
use crate::write::Output;

#[derive(Serialize)]
struct SourceRow {
    id: String,
    href: String,
    label: String,
    /// The headline in quotation marks, or the labelled opening words.
    title: String,
    title_opening: bool,
    publisher: String,
    publisher_line: Option<usize>,
    published: Option<String>,
    published_display: Option<String>,
    published_inferred: bool,
    lines: usize,
    citations: usize,
    claims: usize,
    cited_lines: usize,
    non_blank: usize,
    share: usize,
}

#[derive(Serialize)]
struct Listing {
    count: usize,
    sources: Vec<SourceRow>,
    pages: Vec<PagerLink>,
}

#[derive(Serialize)]
struct IndexView<'a> {
    base: Base<'a>,
    listing: Listing,
}

/// Lines of `s` cited at least once, and the share of non-blank lines (percent).
fn coverage(site: &Site, i: usize) -> (usize, usize, usize) {
    let s = &site.sources[i];
    let cited = site.cited_lines(i).count();
    let non_blank = s.non_blank_lines();
    let share = (cited * 100 + non_blank / 2)
        .checked_div(non_blank)
        .unwrap_or(0);
    (cited, non_blank, share)
}

/// Sources listed per page of `/sources/`.
pub const PER_PAGE: usize = 500;

/// Site path of page `k` (1-based) of the sources index. Numbered pages live
/// under `_pages/`, which no citation key can be (keys start with a letter or digit).
pub(crate) fn page_url(k: usize) -> String {
    if k <= 1 {
        "sources/".into()
    } else {
        format!("sources/_pages/{k}/")
    }
}

pub(crate) fn page_count(site: &Site) -> usize {
    site.sources.len().div_ceil(PER_PAGE).max(1)
}

pub(crate) fn index(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    k: usize,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let url = page_url(k);
    let root = root_of(&url);
    let range = (k - 1) * PER_PAGE..(k * PER_PAGE).min(site.sources.len());
    let sources = range
        .map(|i| {
            let s = &site.sources[i];
            let (cited_lines, non_blank, share) = coverage(site, i);
            SourceRow {
                id: s.id.clone(),
                href: format!("{root}{}index.html", source_url(&s.id)),
                label: short_name(s),
                title: title_text(s),
                title_opening: s.title_is_opening_words(),
                publisher: publisher(s),
                publisher_line: s.meta.publisher_line,
                published_display: s.meta.published.as_deref().map(display_date),
                published: s.meta.published.clone(),
                published_inferred: s.meta.published_inferred,
                lines: s.lines.len(),
                citations: site.citation_counts[i],
                claims: chrome.tally.per_source[i],
                cited_lines,
                non_blank,
                share,
            }
        })
        .collect::<Vec<_>>();
    let pages = page_count(site);
    let count = site.sources.len();
    let (title, page_of) = paged("Sources", k, pages);
    let description = format!("The {count} sources of this explainer, kept verbatim, with what each is cited for.{page_of}");
    let view = IndexView {
        base: chrome.base(
            &url,
            &title,
            &description,
            "sources",
            head::website(site),
            script,
        ),
        listing: Listing {
            count,
            sources,
            pages: pager(pages, k, &root, page_url),
        },
    };
    // About half a kilobyte a row in the default theme, and the chrome.
    let size = view.listing.sources.len() * 512 + super::chrome::CHROME_BYTES;
    Ok(vec![(
        format!("{url}index.html"),
        theme.render_bytes("sources.html", &view, size)?,
    )])
}

#[derive(Serialize)]
struct SourceView<'a> {
    id: &'a str,
    /// The name readers see (with "(inferred)" for an inferred publisher).
    label: String,
    title: String,
    /// The title is the text's opening words, not a headline.
    title_opening: bool,
    title_line: Option<usize>,
    publisher: String,
    publisher_line: Option<usize>,
    publisher_inferred: bool,
    published_inferred: bool,
    archive_url: Option<&'a str>,
    url_dead: bool,
    author: Option<&'a str>,
    published: Option<&'a str>,
    published_display: Option<String>,
    retrieved: Option<&'a str>,
    retrieved_display: Option<String>,
    url: Option<&'a str>,
    path: String,
    file_name: &'a str,
    verbatim: String,
    size: String,
    line_count: usize,
    sha256: &'a str,
    cited_lines: usize,
    non_blank: usize,
    share: usize,
    citations: usize,
    note: Option<String>,
    /// The numbered lines, as HTML: handed over when rendered.
    lines_html: Handed,
    /// What this copy retells and what retells it (SPEC 2), as HTML; empty
    /// when it neither retells nor is retold.
    origins_html: String,
}

#[derive(Serialize)]
struct ProvenanceView<'a> {
    base: Base<'a>,
    source: SourceView<'a>,
}

/// The references citing line `n` of source `i`: each claim's, and each
/// roster member's.
fn refs_on_line<'s>(site: &'s Site, i: usize, n: usize, backlinks: &[Backlink]) -> Vec<&'s Ref> {
    let covers = |r: &&Ref| r.source == i && (r.first..=r.last).contains(&n);
    let mut refs = Vec::new();
    for &b in backlinks {
        match b {
            Backlink::Claim(c) => {
                let claim = &site.claims[c];
                refs.extend(
                    site.pages[claim.page].group_refs[claim.group]
                        .iter()
                        .filter(covers),
                );
            }
            Backlink::Member(d, m) => {
                if let Some(r) = &site.roster {
                    refs.extend(r.cites[d][m].iter().map(|c| &c.reference).filter(covers));
                }
            }
        }
    }
    refs
}

/// Line `n` of `s`, escaped, with the words the citations `refs` quote from
/// it in `<mark>`: overlapping quotes merge into one mark, and a quote over
/// a range of lines marks its part on each line.
fn marked_line(out: &mut Markup, s: &Source, n: usize, refs: &[&Ref]) {
    let line = s.line(n);
    let base = s.line_chars[n - 1];
    let end = base + line.chars().count();
    let mut spans: Vec<(usize, usize)> = refs
        .iter()
        .flat_map(|r| verbatim::quoted_spans(s, r))
        .filter(|p| p.start < end && p.end > base)
        .map(|p| (p.start.max(base) - base, p.end.min(end) - base))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    if merged.is_empty() {
        out.text(line);
        return;
    }
    let chars: Vec<usize> = line.char_indices().map(|(at, _)| at).collect();
    let byte = |c: usize| chars.get(c).copied().unwrap_or(line.len());
    let mut at = 0;
    for (a, b) in merged {
        out.text(&line[at..byte(a)])
            .raw("<mark>")
            .text(&line[byte(a)..byte(b)])
            .raw("</mark>");
        at = byte(b);
    }
    out.text(&line[at..]);
}

/// The back-links of one line, one per page ("Home: notes 6, 27"), then the
/// roster members it names.
fn backlinks_html(out: &mut Markup, site: &Site, root: &str, backlinks: &[Backlink]) {
    out.raw("\n<ul class=\"backlinks\">");
    let claims: Vec<usize> = backlinks
        .iter()
        .filter_map(|b| match b {
            Backlink::Claim(c) => Some(*c),
            Backlink::Member(..) => None,
        })
        .collect();
    let mut rest = &claims[..];
    while let Some(&head) = rest.first() {
        let page = site.claims[head].page;
        let len = rest
            .iter()
            .take_while(|&&c| site.claims[c].page == page)
            .count();
        let mut notes: Vec<usize> = rest[..len].to_vec();
        notes.dedup_by_key(|c| site.claims[*c].note);
        out.raw("<li>")
            .text(&site.pages[page].page.front.title)
            .raw(if notes.len() == 1 {
                ": note "
            } else {
                ": notes "
            });
        for (k, &c) in notes.iter().enumerate() {
            if k > 0 {
                out.raw(", ");
            }
            out.raw("<a href=\"")
                .text(&claim_href(site, c, root))
                .raw("\">")
                .num(site.claims[c].note)
                .raw("</a>");
        }
        out.raw("</li>");
        rest = &rest[len..];
    }
    let members: Vec<(usize, usize)> = backlinks
        .iter()
        .filter_map(|b| match b {
            Backlink::Member(d, m) => Some((*d, *m)),
            Backlink::Claim(_) => None,
        })
        .collect();
    if let (Some(r), false) = (&site.roster, members.is_empty()) {
        out.raw("<li>Named in the roster: ");
        for (k, &(d, m)) in members.iter().enumerate() {
            let (d, m) = (
                &r.roster.delegations[d],
                &r.roster.delegations[d].members[m],
            );
            if k > 0 {
                out.raw(", ");
            }
            out.raw("<a href=\"")
                .text(&format!(
                    "{root}delegations/index.html#{}",
                    member_anchor(&d.id, &m.id)
                ))
                .raw("\">")
                .text(&m.name)
                .raw("</a> (")
                .text(&d.name)
                .raw(")");
        }
        out.raw("</li>");
    }
    out.raw("</ul>");
}

/// The numbered lines of a provenance page, the quoted words marked, each
/// cited line with what cites it. Built here rather than in `source.html`:
/// with their back-links they are most of the site's markup, and a template
/// loop over them costs more than all the rest of the page.
fn lines_html(site: &Site, i: usize, root: &str) -> String {
    let s = &site.sources[i];
    let mut out = Markup::with_capacity(s.text.len() * 2 + s.lines.len() * 120);
    for n in 1..=s.lines.len() {
        let backlinks = site.backlinks[i].get(n).filter(|b| !b.is_empty());
        out.raw("<li id=\"L").num(n).raw("\" class=\"line");
        if backlinks.is_some() {
            out.raw(" cited");
        }
        if s.is_blank(n) {
            out.raw(" blank");
        }
        out.raw("\"><a class=\"ln\" href=\"#L")
            .num(n)
            .raw("\" aria-label=\"Line ")
            .num(n)
            .raw("\">")
            .num(n)
            .raw("</a><span class=\"lt\" dir=\"auto\">");
        match backlinks {
            Some(backlinks) => {
                marked_line(&mut out, s, n, &refs_on_line(site, i, n, backlinks));
                out.raw("</span>");
                backlinks_html(&mut out, site, root, backlinks);
            }
            None => {
                out.text(s.line(n)).raw("</span>");
            }
        }
        out.raw("</li>\n");
    }
    out.0
}

/// "Retells …", "retold by …" and the origins of source `i`, as HTML.
fn origins_html(site: &Site, retold_by: &[usize], i: usize, root: &str) -> String {
    let link = |j: usize| {
        let mut m = Markup::with_capacity(80);
        m.raw("<a href=\"")
            .text(&format!(
                "{root}{}index.html",
                source_url(&site.sources[j].id)
            ))
            .raw("\">")
            .text(&short_name(&site.sources[j]))
            .raw("</a>");
        m.0
    };
    let mut out = Markup::with_capacity(200);
    if !site.retells[i].is_empty() {
        out.raw("<div><dt>Retells</dt><dd>");
        let links: Vec<String> = site.retells[i].iter().map(|&j| link(j)).collect();
        out.raw(&links.join(", "));
        out.raw(" (a second-hand report)</dd></div>\n");
    }
    let own = [Origin::Source(i)];
    if !site.origins[i].is_empty() && site.origins[i] != own {
        let names: Vec<String> = site.origins[i]
            .iter()
            .map(|o| origin_label(site, o))
            .collect();
        out.raw("<div><dt>Origin</dt><dd>")
            .text(&names.join(", "))
            .raw(" (corroboration counts this copy as that report)</dd></div>\n");
    }
    if !retold_by.is_empty() {
        out.raw("<div><dt>Retold by</dt><dd>");
        let links: Vec<String> = retold_by.iter().map(|&j| link(j)).collect();
        out.raw(&links.join(", "));
        out.raw("</dd></div>\n");
    }
    out.0
}

/// Renders the editor's Markdown note of a source. A note comes from the
/// manifest, not from a template: raw HTML in it is shown as text.
fn note_html(note: &str) -> String {
    let mut pieces = markdown::parse_pieces("sources/sources.toml", note, 0).pieces;
    for p in &mut pieces {
        if let markdown::Piece::Event(
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h),
        ) = p
        {
            *p = markdown::Piece::Event(pulldown_cmark::Event::Text(h.clone()));
        }
    }
    crate::load::body::plain_html(&pieces)
}

pub(crate) fn provenance(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    i: usize,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let s = &site.sources[i];
    let url = source_url(&s.id);
    let root = root_of(&url);
    let (cited_lines, non_blank, share) = coverage(site, i);
    let lines_html = lines_html(site, i, &root);
    let size = lines_html.len() + super::chrome::CHROME_BYTES;
    let title = s.title();
    let what = if s.title_is_opening_words() {
        format!("the copy from {} that begins “{title}”", short_name(s))
    } else {
        format!("“{title}” ({})", short_name(s))
    };
    let description = format!("Provenance of {what}: the verbatim text, every line numbered, and the claims that cite it.");
    // Opening words are not a headline: the page is named after the source.
    let page_title = if s.title_is_opening_words() {
        format!("{}: {}", short_name(s), title_text(s))
    } else {
        title.clone()
    };
    let verbatim = encode_segment(s.file_name());
    let view = ProvenanceView {
        base: chrome.base(
            &url,
            &page_title,
            &description,
            "source",
            head::source_work(site, i),
            script,
        ),
        source: SourceView {
            id: &s.id,
            label: short_name(s),
            title,
            title_opening: s.title_is_opening_words(),
            title_line: s.meta.title_line,
            publisher: publisher(s),
            publisher_line: s.meta.publisher_line,
            publisher_inferred: s.meta.publisher_inferred,
            published_inferred: s.meta.published_inferred,
            archive_url: s.meta.archive_url.as_deref(),
            url_dead: s.meta.url_dead,
            author: s.meta.author.as_deref(),
            published: s.meta.published.as_deref(),
            published_display: s.meta.published.as_deref().map(display_date),
            retrieved: s.meta.retrieved.as_deref(),
            retrieved_display: s.meta.retrieved.as_deref().map(display_date),
            url: s.meta.url.as_deref(),
            path: format!("sources/{}", s.path),
            file_name: s.file_name(),
            verbatim: verbatim.clone(),
            size: thousands(s.size),
            line_count: s.lines.len(),
            sha256: &s.sha256,
            cited_lines,
            non_blank,
            share,
            citations: site.citation_counts[i],
            note: s.meta.note.as_deref().map(note_html),
            lines_html: Handed,
            origins_html: origins_html(site, &chrome.retold_by[i], i, &root),
        },
    };
    let html = theme.render_handing(
        "source.html",
        &view,
        size,
        [("/source/lines_html", lines_html)],
    )?;
    let dir = format!("sources/{}/", s.id);
    Ok(vec![
        (format!("{dir}index.html"), html),
        (format!("{dir}{}", s.file_name()), s.bytes()),
    ])
}
