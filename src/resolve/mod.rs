//! Resolution: citations checked against the sources' line index, notes
//! numbered, claims collected, back-links computed. Pure: no I/O.
//!
//! Every citation is verified on every build. Work is per page (parallel) and
//! then one linear pass builds the site-wide indexes, so the cost grows with
//! the number of citations, never with pages x claims.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Fix, LineIndex};
use crate::load::body::Segment;
use crate::load::cite::Citation;
use crate::load::config::Config;
use crate::load::lock::{self, Lock};
use crate::load::markdown::Shortcode;
use crate::load::page::{PageText, ParsedPage};
use crate::load::roster::{self, Roster};
use crate::load::source::{self, Source};
use crate::load::Input;
use crate::text;

/// A verified reference to source lines.
#[derive(Debug, Clone)]
pub struct Ref {
    pub source: usize,
    pub first: usize,
    pub last: usize,
    /// The quote as the page wrote it (shared with its citation), or the
    /// spelling a roster cite found.
    pub quote: Option<Arc<str>>,
    /// Char range in the source text (after the BOM) of the matched quote.
    pub matched: Option<Range<usize>>,
}

#[derive(Debug)]
pub struct ResolvedPage {
    /// The page; its numbered notes are in `page.body.html`.
    pub page: Arc<ParsedPage>,
    /// Verified references of each citation group (shared with the
    /// [`Memo`] that `serve` keeps between builds).
    pub group_refs: Arc<Vec<Vec<Ref>>>,
    /// Indexes of this page's claims in `Site::claims`.
    pub claims: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Claim {
    pub page: usize,
    pub group: usize,
    pub note: usize,
    /// Shared with the page's citation group.
    pub text: Arc<str>,
}

/// What a cited line links back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backlink {
    Claim(usize),
    /// Delegation index, member index.
    Member(usize, usize),
}

/// A roster member's cite, verified, with the spelling found.
#[derive(Debug, Clone)]
pub struct MemberCite {
    pub reference: Ref,
    pub spelling: String,
}

#[derive(Debug)]
pub struct ResolvedRoster {
    pub roster: Roster,
    /// `[delegation][member]` -> verified cites.
    pub cites: Vec<Vec<Vec<MemberCite>>>,
}

pub struct Site {
    pub config: Config,
    pub sources: Arc<Vec<Source>>,
    pub pages: Vec<ResolvedPage>,
    pub claims: Vec<Claim>,
    /// Per source: line number -> what cites it, in reading order.
    pub backlinks: Vec<BTreeMap<usize, Vec<Backlink>>>,
    /// Per source: number of citations (page citations only).
    pub citation_counts: Vec<usize>,
    pub roster: Option<ResolvedRoster>,
    pub warnings: Vec<Diagnostic>,
}

impl Site {
    pub fn citation_total(&self) -> usize {
        self.citation_counts.iter().sum()
    }

    /// The lock for a verified site: every cited line of every source.
    pub fn lock(&self) -> Lock {
        let mut lock = Lock::default();
        for (i, s) in self.sources.iter().enumerate() {
            let lines: BTreeMap<usize, String> = self.backlinks[i]
                .keys()
                .filter(|&&l| !s.is_blank(l))
                .map(|&l| (l, lock::line_hash(&s.normalized(l))))
                .collect();
            if !lines.is_empty() {
                lock.entries.insert(s.id.clone(), lines);
            }
        }
        lock
    }
}

/// What a citation names, before the key is looked up.
struct Cited<'a> {
    key: &'a str,
    first: u32,
    last: u32,
    quote: Option<&'a Arc<str>>,
    key_span: Range<usize>,
    lines_span: Range<usize>,
    quote_span: Option<Range<usize>>,
}

impl<'a> From<&'a Citation> for Cited<'a> {
    fn from(c: &'a Citation) -> Self {
        Cited {
            key: &c.key,
            first: c.first,
            last: c.last,
            quote: c.quote.as_ref(),
            key_span: c.key_span.clone(),
            lines_span: c.lines_span.clone(),
            quote_span: c.quote_span.clone(),
        }
    }
}

struct Verifier<'a> {
    sources: &'a [Source],
    keys: &'a BTreeMap<String, usize>,
    lock: Option<&'a Lock>,
}

/// The most lines one citation may cover. Every line of a range is marked
/// and linked back on the provenance page and shown in the note, so a range
/// of the whole source in a few bytes of page would multiply the output.
pub const MAX_RANGE_LINES: usize = 20;

/// `line 3` or `lines 3-5`, for messages.
fn lines_phrase(first: usize, last: usize) -> String {
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}-{last}")
    }
}

/// `3` or `3-5`.
fn lines_text(first: usize, last: usize) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    }
}

/// The text of a file that diagnostics quote: a page's text is read at most
/// once (a one-shot build dropped it and reads the file again), and its line
/// index built once, however many problems the page has.
struct DiagText<'a> {
    page: Option<&'a PageText>,
    text: OnceCell<Cow<'a, str>>,
    index: OnceCell<LineIndex>,
}

impl<'a> DiagText<'a> {
    fn page(page: &'a PageText) -> Self {
        DiagText {
            page: Some(page),
            text: OnceCell::new(),
            index: OnceCell::new(),
        }
    }

    fn kept(text: &'a str) -> Self {
        DiagText {
            page: None,
            text: OnceCell::from(Cow::Borrowed(text)),
            index: OnceCell::new(),
        }
    }

    fn get(&self) -> &str {
        self.text
            .get_or_init(|| self.page.map_or(Cow::Borrowed(""), PageText::get))
    }

    fn at(
        &self,
        code: &'static str,
        file: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let text = self.get();
        let index = self.index.get_or_init(|| LineIndex::new(text));
        Diagnostic::at_indexed(code, file, text, index, span, message)
    }
}

impl Verifier<'_> {
    fn lookup(&self, c: &Cited, file: &str, text: &DiagText) -> Result<usize, Diagnostic> {
        if let Some(&i) = self.keys.get(c.key) {
            return Ok(i);
        }
        let d = text.at(
            "E001",
            file,
            c.key_span.clone(),
            format!("unknown source `{}`", c.key),
        );
        Err(match text::did_you_mean(c.key, self.keys.keys().map(String::as_str)) {
            Some(k) => d.with_help(format!("did you mean `{k}`?")),
            None => d.with_help("cite a source by its id in sources/sources.toml, its file name or its file stem"),
        })
    }

    /// Checks the line range; returns the source index.
    fn lines(&self, c: &Cited, file: &str, text: &DiagText) -> Result<usize, Diagnostic> {
        let i = self.lookup(c, file, text)?;
        let s = &self.sources[i];
        let n = s.lines.len();
        let at = |m: String| text.at("E002", file, c.lines_span.clone(), m);
        if c.first > c.last {
            return Err(at(format!("line range {}-{} is reversed", c.first, c.last))
                .with_help(format!("write {}-{}", c.last, c.first)));
        }
        // Only on the error paths: this runs for every citation.
        let what = || lines_phrase(c.first as usize, c.last as usize);
        if c.first == 0 || c.last as usize > n {
            return Err(at(format!("{} out of bounds: {} has {n} lines", what(), s.id)).with_help("lines are numbered from 1; see the numbered text on the source's provenance page"));
        }
        let length = (c.last - c.first) as usize + 1;
        if length > MAX_RANGE_LINES {
            return Err(at(format!(
                "{} is {length} lines long: a citation covers at most {MAX_RANGE_LINES} lines",
                what()
            ))
            .with_help(
                "cite the lines that hold the claim; split a longer passage into several citations",
            ));
        }
        if (c.first..=c.last).all(|l| s.is_blank(l as usize)) {
            let verb = if c.first == c.last { "is" } else { "are" };
            return Err(at(format!("{} {verb} blank in {}", what(), s.id))
                .with_help("cite the line that holds the words"));
        }
        Ok(i)
    }

    /// Full verification of a page citation (E001, E002, E003).
    fn citation(&self, c: &Cited, file: &str, text: &DiagText) -> Result<Ref, Diagnostic> {
        let i = self.lines(c, file, text)?;
        let s = &self.sources[i];
        let (first, last) = (c.first as usize, c.last as usize);
        let mut reference = Ref {
            source: i,
            first,
            last,
            quote: c.quote.cloned(),
            matched: None,
        };
        let Some(quote) = c.quote else {
            self.locked(c, s, file, text)?;
            return Ok(reference);
        };
        let normalized = text::normalize_str(quote);
        let parts = text::quote_parts(&normalized);
        if let Some(m) = find_in_lines(s, first, last, &parts) {
            reference.matched = Some(m);
            return Ok(reference);
        }
        let span = c.quote_span.clone().unwrap_or(c.lines_span.clone());
        let what = lines_phrase(first, last);
        let d = text.at(
            "E003",
            file,
            span,
            format!("quote not found in {} {what}", s.id),
        );
        let text = text.get();
        let width = last - first;
        let elsewhere: Vec<usize> = (1..=s.lines.len().saturating_sub(width))
            .filter(|&l| l != first && find_in_lines(s, l, l + width, &parts).is_some())
            .collect();
        match elsewhere.as_slice() {
            [] => {
                let shown: Vec<&str> = (first..=last).map(|l| s.line(l)).collect();
                Err(d.with_help(format!(
                    "{} {what} reads: \"{}\"",
                    s.id,
                    text::ellipsize(&text::normalize_str(&shown.join(" ")), 120)
                )))
            }
            found => {
                let lines: Vec<String> = found.iter().map(|&l| lines_text(l, l + width)).collect();
                let cite = format!("[@{}:{} \"{}\"]", c.key, lines[0], quote);
                let d = d.with_help(format!(
                    "the quote is in {} on line {}; cite it as {cite}",
                    s.id,
                    lines.join(", ")
                ));
                Err(if found.len() == 1 {
                    d.with_fix(relines(c, file, text, &lines[0]))
                } else {
                    d
                })
            }
        }
    }

    /// E014: a line-only citation whose line no longer says what the lock recorded.
    fn locked(&self, c: &Cited, s: &Source, file: &str, text: &DiagText) -> Result<(), Diagnostic> {
        let Some(lock) = self.lock else { return Ok(()) };
        let (first, last) = (c.first as usize, c.last as usize);
        let locked: Vec<Option<&str>> = (first..=last).map(|l| lock.get(&s.id, l)).collect();
        let changed = (first..=last)
            .zip(&locked)
            .any(|(l, h)| h.is_some_and(|h| lock::line_hash(&s.normalized(l)) != h));
        if !changed {
            return Ok(());
        }
        let what = lines_phrase(first, last);
        let d = text.at(
            "E014",
            file,
            c.lines_span.clone(),
            format!("{} {what} changed since citations.lock was written", s.id),
        );
        let text = text.get();
        let review = "if the citation still holds, review it and run `explainer lock`";
        Err(match lock::relocate(s, &locked).as_slice() {
            [] => d.with_help(format!(
                "the locked text is no longer in {}; {review}",
                s.id
            )),
            [to] => {
                let new = lines_text(*to, to + last - first);
                d.with_help(format!("the locked text is now on line {to}: cite [@{}:{new}], or run `explainer check --fix`; {review}", c.key))
                    .with_fix(relines(c, file, text, &new))
            }
            many => {
                let at: Vec<String> = many.iter().map(usize::to_string).collect();
                d.with_help(format!(
                    "the locked text is now on lines {}; {review}",
                    at.join(", ")
                ))
            }
        })
    }
}

/// The fix that points a citation at other lines.
fn relines(c: &Cited, file: &str, text: &str, new: &str) -> Fix {
    Fix {
        file: file.to_string(),
        key: c.key.to_string(),
        span: c.lines_span.clone(),
        // A text read again may have changed: `check --fix` then refuses
        // the fix, as it refuses any fix whose text moved.
        old: text
            .get(c.lines_span.clone())
            .unwrap_or_default()
            .to_string(),
        new: new.to_string(),
    }
}

/// Finds the quote parts in lines `first..=last` of `s`, joined by single
/// spaces. Returns the char range in the source text.
pub fn find_in_lines(
    s: &Source,
    first: usize,
    last: usize,
    parts: &[&str],
) -> Option<Range<usize>> {
    // An empty part would be found anywhere: it is no quote.
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    // Search the normalized text of the lines; only a hit is mapped back to
    // source offsets, by normalizing its lines again with offsets.
    if first == last {
        let normalized = s.normalized(first);
        let m = text::find_parts(&normalized, parts)?;
        let line = s.line(first);
        let base = s.line_chars[first - 1];
        // Folding maps one char to one, and white space is only ever
        // dropped: a line that lost no chars maps back one to one.
        if normalized.chars().count() == line.chars().count() {
            let start = normalized[..m.start].chars().count();
            let end = start + normalized[m].chars().count();
            return Some(base + start..base + end);
        }
        let n = text::normalize(line);
        return Some(map_back(&n.text, &n.origin, m, base));
    }
    let mut joined = String::new();
    for l in first..=last {
        let n = s.normalized(l);
        if !n.is_empty() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(&n);
        }
    }
    let m = text::find_parts(&joined, parts)?;
    let mut origin: Vec<u32> = Vec::new();
    for l in first..=last {
        let n = text::normalize(s.line(l));
        if n.text.is_empty() {
            continue;
        }
        let base = s.line_chars[l - 1] as u32;
        if !origin.is_empty() {
            origin.push(base.saturating_sub(1));
        }
        origin.extend(n.origin.iter().map(|o| o + base));
    }
    Some(map_back(&joined, &origin, m, 0))
}

fn map_back(text: &str, origin: &[u32], bytes: Range<usize>, base: usize) -> Range<usize> {
    let start = text[..bytes.start].chars().count();
    let end = start + text[bytes.clone()].chars().count();
    // An empty match (never made by `find_in_lines`) maps to an empty range
    // rather than reading before the start.
    let Some(last) = end.checked_sub(1).filter(|&l| l >= start) else {
        let at = origin.get(start).map_or(base, |&o| o as usize + base);
        return at..at;
    };
    origin[start] as usize + base..origin[last] as usize + base + 1
}

/// Resolves one page: verification, note numbering.
fn page(
    p: &ParsedPage,
    text: &PageText,
    v: &Verifier,
    has_roster: Option<&Roster>,
) -> (Vec<Vec<Ref>>, Vec<Diagnostic>) {
    let text = &DiagText::page(text);
    let mut errors = Vec::new();
    let mut group_refs = Vec::with_capacity(p.body.groups.len());
    for g in &p.body.groups {
        let mut refs = Vec::with_capacity(g.group.citations.len());
        for c in &g.group.citations {
            match v.citation(&c.into(), &p.file, text) {
                Ok(r) => refs.push(r),
                Err(d) => errors.push(d),
            }
        }
        group_refs.push(refs);
    }
    for segment in &p.body.html.segments {
        let Segment::Shortcode(sc, span) = segment else {
            continue;
        };
        let problem = match (sc, has_roster) {
            (Shortcode::Delegations | Shortcode::Delegation { .. }, None) => Some((
                "this site has no content/delegations.toml".to_string(),
                "add content/delegations.toml (SPEC 4) or remove the shortcode".to_string(),
            )),
            (Shortcode::Delegation { id }, Some(r))
                if !r.delegations.iter().any(|d| &d.id == id) =>
            {
                let ids: Vec<&str> = r.delegations.iter().map(|d| d.id.as_str()).collect();
                Some((
                    format!("unknown delegation `{id}`"),
                    format!("delegations are: {}", ids.join(", ")),
                ))
            }
            _ => None,
        };
        if let Some((m, h)) = problem {
            errors.push(text.at("E004", &p.file, span.clone(), m).with_help(h));
        }
    }
    (group_refs, errors)
}

/// Verifies roster cites (E001, E002, E008) and records spellings.
fn roster(r: Roster, v: &Verifier, errors: &mut Vec<Diagnostic>) -> ResolvedRoster {
    let text = DiagText::kept(&r.text);
    let mut cites = Vec::new();
    for d in &r.delegations {
        let mut per_member = Vec::new();
        for m in &d.members {
            let mut found = Vec::new();
            for rc in &m.cites {
                let c = Cited {
                    key: &rc.key,
                    first: rc.first,
                    last: rc.last,
                    quote: None,
                    key_span: rc.span.clone(),
                    lines_span: rc.span.clone(),
                    quote_span: None,
                };
                let i = match v.lines(&c, roster::FILE, &text) {
                    Ok(i) => i,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let s = &v.sources[i];
                let (first, last) = (rc.first as usize, rc.last as usize);
                let spelled_in = |first: usize, last: usize| {
                    std::iter::once(&m.name)
                        .chain(&m.variants)
                        .find_map(|name| {
                            let normalized = text::normalize_str(name);
                            // The spelling as the source prints it (curly
                            // apostrophes and all), not as the roster types it.
                            find_in_lines(s, first, last, &[&normalized]).map(|range| {
                                (s.char_slice(range.start, range.end).to_string(), range)
                            })
                        })
                };
                match spelled_in(first, last) {
                    Some((spelling, range)) => found.push(MemberCite {
                        reference: Ref {
                            source: i,
                            first,
                            last,
                            quote: Some(spelling.as_str().into()),
                            matched: Some(range),
                        },
                        spelling,
                    }),
                    None => {
                        let shown: Vec<&str> = (first..=last).map(|l| s.line(l)).collect();
                        let what = lines_phrase(first, last);
                        let width = last - first;
                        let elsewhere: Vec<usize> = (1..=s.lines.len().saturating_sub(width))
                            .filter(|&l| spelled_in(l, l + width).is_some())
                            .collect();
                        let mut d = text.at(
                            "E008",
                            roster::FILE,
                            rc.span.clone(),
                            format!("{} is not named in {} {what}", m.name, s.id),
                        );
                        d = match elsewhere.as_slice() {
                            [] => d.with_help(format!(
                                "{} {what} reads: \"{}\"; add the spelling it uses to `variants`",
                                s.id,
                                text::ellipsize(&text::normalize_str(&shown.join(" ")), 160)
                            )),
                            found => {
                                let at: Vec<String> =
                                    found.iter().map(|&l| lines_text(l, l + width)).collect();
                                let d = d.with_help(format!(
                                    "{} names {} on line {}",
                                    s.id,
                                    m.name,
                                    at.join(", ")
                                ));
                                if found.len() == 1 {
                                    let colon = r.text[rc.span.clone()]
                                        .rfind(':')
                                        .map_or(rc.span.start, |c| rc.span.start + c + 1);
                                    let span = colon..rc.span.end;
                                    d.with_fix(Fix {
                                        file: roster::FILE.to_string(),
                                        key: rc.key.clone(),
                                        old: r.text[span.clone()].to_string(),
                                        span,
                                        new: at[0].clone(),
                                    })
                                } else {
                                    d
                                }
                            }
                        };
                        errors.push(d);
                    }
                }
            }
            per_member.push(found);
        }
        cites.push(per_member);
    }
    ResolvedRoster { roster: r, cites }
}

/// Groups a source's (line, back-link) pairs by line, keeping reading order
/// within a line (claims before roster members, as they were pushed) and
/// listing a claim once per line however many of its citations cite it.
fn by_line(mut pairs: Vec<(usize, Backlink)>) -> BTreeMap<usize, Vec<Backlink>> {
    pairs.sort_by_key(|&(line, _)| line);
    let mut grouped: Vec<(usize, Vec<Backlink>)> = Vec::new();
    for (line, b) in pairs {
        match grouped.last_mut() {
            Some((l, list)) if *l == line => {
                let repeated = matches!(b, Backlink::Claim(_)) && list.last() == Some(&b);
                if !repeated {
                    list.push(b);
                }
            }
            _ => grouped.push((line, vec![b])),
        }
    }
    grouped.into_iter().collect()
}

/// URL folders that belong to generated pages (and their numbered pages).
const GENERATED: [&str; 3] = ["sources/", "claims/", "delegations/"];

/// What every page's verification depends on besides the page and the
/// sources it cites.
#[derive(PartialEq)]
struct Against {
    keys: BTreeMap<String, usize>,
    lock: Option<Lock>,
    roster: Option<String>,
}

/// A page's verified citation groups and its errors.
type Verified = (Arc<Vec<Vec<Ref>>>, Vec<Diagnostic>);

/// A page's verification, and the sources (index, SHA-256) it was made against.
struct Remembered {
    page: Arc<ParsedPage>,
    cited: Vec<(usize, String)>,
    verified: Verified,
}

/// Verification results kept between resolutions (`serve`): a page's
/// citations are verified again only when the page or a source it cites
/// changed (or the set of source keys, the lock or the roster).
#[derive(Default)]
pub struct Memo {
    against: Option<Against>,
    pages: HashMap<String, Remembered>,
}

/// The sources a page's citations name, with their hashes now.
fn cited_sources(p: &ParsedPage, v: &Verifier) -> Vec<(usize, String)> {
    let mut cited: Vec<usize> = p
        .body
        .groups
        .iter()
        .flat_map(|g| &g.group.citations)
        .filter_map(|c| v.keys.get(&c.key).copied())
        .collect();
    cited.sort_unstable();
    cited.dedup();
    cited
        .into_iter()
        .map(|i| (i, v.sources[i].sha256.clone()))
        .collect()
}

/// Verifies the pages, reusing what `memo` holds for pages whose text and
/// cited sources are unchanged, and fills `memo` for the next time.
fn remembering(
    pages: &[(Arc<ParsedPage>, PageText)],
    v: &Verifier,
    roster: Option<&Roster>,
    lock: Option<&Lock>,
    memo: &mut Memo,
) -> Vec<Verified> {
    let against = Against {
        keys: v.keys.clone(),
        lock: lock.cloned(),
        roster: roster.map(|r| r.text.clone()),
    };
    if memo.against.as_ref() != Some(&against) {
        memo.pages.clear();
    }
    memo.against = Some(against);
    let known = &memo.pages;
    let resolved: Vec<Remembered> = pages
        .par_iter()
        .map(|(p, text)| {
            let cited = cited_sources(p, v);
            let verified = match known.get(&p.file) {
                Some(m) if Arc::ptr_eq(p, &m.page) && m.cited == cited => m.verified.clone(),
                _ => {
                    let (refs, errors) = page(p, text, v, roster);
                    (Arc::new(refs), errors)
                }
            };
            Remembered {
                page: Arc::clone(p),
                cited,
                verified,
            }
        })
        .collect();
    let mut remembered = HashMap::with_capacity(resolved.len());
    let verified = resolved
        .into_iter()
        .map(|m| {
            let verified = m.verified.clone();
            remembered.insert(m.page.file.clone(), m);
            verified
        })
        .collect();
    memo.pages = remembered;
    verified
}

/// Resolves the site: every citation verified, claims and back-links built.
pub fn site(input: Input) -> Result<Site, Vec<Diagnostic>> {
    site_with(input, None)
}

/// [`site`], reusing the verification of pages unchanged since `memo` was
/// filled (and filling it); without a memo every page is verified.
pub fn site_with(input: Input, memo: Option<&mut Memo>) -> Result<Site, Vec<Diagnostic>> {
    let Input {
        config,
        sources,
        pages,
        roster: raw_roster,
        lock,
    } = input;
    let keys = source::key_index(&sources);
    let v = Verifier {
        sources: &sources,
        keys: &keys,
        lock: lock.as_ref(),
    };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // Page URLs must be unique, and must not take a generated page's place.
    let mut urls: BTreeMap<&str, &str> = BTreeMap::new();
    for (p, text) in &pages {
        let generated = GENERATED
            .iter()
            .find(|g| p.url.starts_with(*g))
            .map(|g| format!("the generated pages under /{g}"));
        if let Some(other) = generated.or_else(|| urls.insert(&p.url, &p.file).map(str::to_string))
        {
            let text = text.get();
            let at = text
                .find("slug")
                .filter(|_| p.front.slug.is_some())
                .unwrap_or(0);
            errors.push(
                Diagnostic::at(
                    "E007",
                    &p.file,
                    &text,
                    at..at + 3,
                    format!("page URL /{} is also the URL of {other}", p.url),
                )
                .with_help("give one of the pages a different `slug` or file name"),
            );
        }
    }

    let resolved: Vec<Verified> = match memo {
        Some(memo) => remembering(&pages, &v, raw_roster.as_ref(), lock.as_ref(), memo),
        None => pages
            .par_iter()
            .map(|(p, text)| {
                let (refs, errors) = page(p, text, &v, raw_roster.as_ref());
                (Arc::new(refs), errors)
            })
            .collect(),
    };
    let t = crate::timing::Mark::now();
    let roster = raw_roster.map(|r| self::roster(r, &v, &mut errors));

    let mut claims = Vec::with_capacity(pages.iter().map(|(p, _)| p.body.groups.len()).sum());
    let mut out_pages = Vec::with_capacity(pages.len());
    // What cites each source line, as (line, back-link) pairs in reading
    // order; grouped by line below, one source per task.
    let mut pairs: Vec<Vec<(usize, Backlink)>> = vec![Vec::new(); sources.len()];
    let mut citation_counts = vec![0; sources.len()];
    for (pi, ((p, text), (group_refs, errs))) in pages.into_iter().zip(resolved).enumerate() {
        errors.extend(errs);
        if p.body.groups.is_empty() && !p.front.uncited {
            warnings.push(
                Diagnostic::at("W002", &p.file, &text.get(), 0..3, "page has no citation")
                    .with_help("cite the sources of its facts, or set `uncited = true` in its front matter if it states none"),
            );
        }
        for d in &p.body.errors {
            // The body's warnings (W005) do not fail the build.
            if d.is_error() {
                errors.push(d.clone());
            } else {
                warnings.push(d.clone());
            }
        }
        let start = claims.len();
        for (g, refs) in group_refs.iter().enumerate() {
            let claim = claims.len();
            claims.push(Claim {
                page: pi,
                group: g,
                note: p.body.html.group_note[g],
                text: p.body.groups[g].claim.clone(),
            });
            for r in refs {
                citation_counts[r.source] += 1;
                pairs[r.source].extend((r.first..=r.last).map(|l| (l, Backlink::Claim(claim))));
            }
        }
        out_pages.push(ResolvedPage {
            page: p,
            group_refs,
            claims: start..claims.len(),
        });
    }
    if let Some(r) = &roster {
        for (di, members) in r.cites.iter().enumerate() {
            for (mi, cites) in members.iter().enumerate() {
                for c in cites {
                    let r = &c.reference;
                    pairs[r.source]
                        .extend((r.first..=r.last).map(|l| (l, Backlink::Member(di, mi))));
                }
            }
        }
    }
    let backlinks: Vec<BTreeMap<usize, Vec<Backlink>>> =
        pairs.into_par_iter().map(by_line).collect();
    // Failed citations leave no back-links: only a clean build can tell
    // which sources nothing cites.
    for (i, s) in sources.iter().enumerate().filter(|_| errors.is_empty()) {
        if backlinks[i].is_empty() {
            warnings.push(
                Diagnostic::file(
                    "W001",
                    &format!("sources/{}", s.path),
                    format!("source `{}` is never cited", s.id),
                )
                .with_help("cite it from a page or a roster, or remove it"),
            );
        }
    }
    crate::timing::timing("indexes", t);
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    Ok(Site {
        config,
        sources,
        pages: out_pages,
        claims,
        backlinks,
        citation_counts,
        roster,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bug_15_an_empty_part_is_never_found_and_map_back_never_underflows() {
        let s = Source::from_bytes("a.txt", "one  two\nthree\n".as_bytes()).unwrap();
        for (first, last) in [(1, 1), (2, 2), (1, 2)] {
            assert_eq!(find_in_lines(&s, first, last, &[""]), None);
            assert_eq!(find_in_lines(&s, first, last, &["two", ""]), None);
        }
        assert_eq!(map_back("ab", &[0, 1], 0..0, 5), 5..5);
        assert_eq!(map_back("ab", &[0, 1], 2..2, 5), 5..5);
        assert_eq!(map_back("ab", &[0, 3], 0..2, 5), 5..9);
    }
}
