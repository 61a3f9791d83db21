//! Checking one citation against a source's line index (SPEC 3.2): lines in
//! range and not all blank, the quote in the cited lines, the lock's text;
//! each failure a diagnostic with its position and, where one exists, a fix.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Fix, LineIndex};
use crate::load::cite::Citation;
use crate::load::lock::{self, Lock};
use crate::load::page::PageText;
use crate::load::source::Source;
use crate::text;

use super::find::{find_in_lines, find_in_normalized, normalized_lines};
use super::model::*;

/// What a citation names, before the key is looked up.
pub(super) struct Cited<'a> {
    pub(super) key: &'a str,
    pub(super) first: u32,
    pub(super) last: u32,
    pub(super) quote: Option<&'a Arc<str>>,
    pub(super) key_span: Range<usize>,
    pub(super) lines_span: Range<usize>,
    pub(super) quote_span: Option<Range<usize>>,
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

pub(super) struct Verifier<'a> {
    /// Shared with the loader's cache and the memo (compared by pointer).
    pub(super) sources: &'a Arc<Vec<Source>>,
    pub(super) keys: &'a Arc<BTreeMap<String, usize>>,
    pub(super) lock: Option<&'a Lock>,
    /// The lock's lines of each source, by source index: looked up by id
    /// once, not for every citation.
    locked_lines: Vec<Option<&'a BTreeMap<usize, lock::Entry>>>,
}

impl<'a> Verifier<'a> {
    pub(super) fn new(
        sources: &'a Arc<Vec<Source>>,
        keys: &'a Arc<BTreeMap<String, usize>>,
        lock: Option<&'a Lock>,
    ) -> Verifier<'a> {
        let locked_lines = match lock {
            Some(lock) => sources.iter().map(|s| lock.entries.get(&s.id)).collect(),
            None => Vec::new(),
        };
        Verifier {
            sources,
            keys,
            lock,
            locked_lines,
        }
    }
}

/// The most lines one citation may cover. Every line of a range is marked
/// and linked back on the provenance page and shown in the note, so a range
/// of the whole source in a few bytes of page would multiply the output.
pub const MAX_RANGE_LINES: usize = 20;

/// `line 3` or `lines 3-5`, for messages.
pub(super) fn lines_phrase(first: usize, last: usize) -> String {
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}-{last}")
    }
}

/// `3` or `3-5`.
pub(super) fn lines_text(first: usize, last: usize) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    }
}

/// The text of a file that diagnostics quote: a page's text is read at most
/// once (a one-shot build dropped it and reads the file again), and its line
/// index built once, however many problems the page has.
pub(super) struct DiagText<'a> {
    pub(super) page: Option<&'a PageText>,
    pub(super) text: OnceCell<Cow<'a, str>>,
    pub(super) index: OnceCell<LineIndex>,
}

impl<'a> DiagText<'a> {
    pub(super) fn page(page: &'a PageText) -> Self {
        DiagText {
            page: Some(page),
            text: OnceCell::new(),
            index: OnceCell::new(),
        }
    }

    pub(super) fn kept(text: &'a str) -> Self {
        DiagText {
            page: None,
            text: OnceCell::from(Cow::Borrowed(text)),
            index: OnceCell::new(),
        }
    }

    pub(super) fn get(&self) -> &str {
        self.text
            .get_or_init(|| self.page.map_or(Cow::Borrowed(""), PageText::get))
    }

    pub(super) fn at(
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
    pub(super) fn lookup(
        &self,
        c: &Cited,
        file: &str,
        text: &DiagText,
    ) -> Result<usize, Diagnostic> {
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
    pub(super) fn lines(
        &self,
        c: &Cited,
        file: &str,
        text: &DiagText,
    ) -> Result<usize, Diagnostic> {
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
            let d = at(format!("{} out of bounds: {} has {n} lines", what(), s.id)).with_help(
                "lines are numbered from 1; see the numbered text on the source's provenance page",
            );
            return Err(self.moved(c, s, file, text, d));
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
            let d = at(format!("{} {verb} blank in {}", what(), s.id))
                .with_help("cite the line that holds the words");
            return Err(self.moved(c, s, file, text, d));
        }
        Ok(i)
    }

    /// An E002 (lines blank or out of range) whose quote, or for a
    /// line-only citation whose locked text, stands on exactly one other
    /// run of lines of the source: the help says where, the fix moves it.
    fn moved(
        &self,
        c: &Cited,
        s: &Source,
        file: &str,
        text: &DiagText,
        d: Diagnostic,
    ) -> Diagnostic {
        let width = c.last.saturating_sub(c.first) as usize;
        let n = s.lines.len();
        let found: Vec<usize> = match c.quote {
            Some(quote) => {
                let normalized = text::normalize_str(quote);
                let parts = text::quote_parts(&normalized);
                (1..=n.saturating_sub(width))
                    .filter(|&l| find_in_lines(s, l, l + width, &parts).is_some())
                    .collect()
            }
            None => {
                let Some(lock) = self.lock else { return d };
                let locked: Vec<Option<&lock::Entry>> = (c.first..=c.last)
                    .map(|l| lock.get(&s.id, l as usize))
                    .collect();
                if locked.iter().all(Option::is_none) {
                    return d;
                }
                lock::relocate(s, &locked)
            }
        };
        let [to] = found.as_slice() else { return d };
        let new = lines_text(*to, to + width);
        let what = if c.quote.is_some() {
            "the quote"
        } else {
            "the locked text"
        };
        let help = format!(
            "{what} is in {} on line {new}: cite [@{}:{new}], or run `explainer check --fix`",
            s.id, c.key
        );
        let fix = relines(c, file, text.get(), &new);
        d.with_help(help).with_fix(fix)
    }

    /// Full verification of a page citation (E001, E002, E003).
    pub(super) fn citation(
        &self,
        c: &Cited,
        file: &str,
        text: &DiagText,
    ) -> Result<Ref, Diagnostic> {
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
            self.locked(c, i, file, text, None)?;
            return Ok(reference);
        };
        let normalized = text::normalize_str(quote);
        let parts = text::quote_parts(&normalized);
        // The cited lines normalized once, for the quote and for the lock.
        let lines = normalized_lines(s, first, last);
        if let Some(m) = find_in_normalized(s, first, &lines, &parts) {
            reference.matched = Matched::new(s, m);
            self.locked(c, i, file, text, Some(&lines))?;
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
                let lines = text::normalize_str(&shown.join(" ")).into_owned();
                let help = match text::closest_passage(&lines, &normalized) {
                    Some((passage, shared)) if shared > 0 => format!(
                        "the closest passage of {} {what}, word by word ([-quote only-] {{+source only+}}): {}",
                        s.id,
                        text::ellipsize(&text::word_diff(&normalized, &lines[passage]), 300)
                    ),
                    _ => format!(
                        "{} {what} reads: \"{}\"",
                        s.id,
                        text::ellipsize(&lines, 120)
                    ),
                };
                Err(d.with_help(help))
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

    /// E014: a cited line that no longer says what the lock recorded, with
    /// the old and the new text, the changed words marked. `now`: the cited
    /// lines already normalized, when the caller has them.
    pub(super) fn locked(
        &self,
        c: &Cited,
        i: usize,
        file: &str,
        text: &DiagText,
        now: Option<&[Cow<'_, str>]>,
    ) -> Result<(), Diagnostic> {
        let Some(lines) = self.locked_lines.get(i) else {
            return Ok(());
        };
        let s = &self.sources[i];
        let (first, last) = (c.first as usize, c.last as usize);
        let locked: Vec<Option<&lock::Entry>> = (first..=last)
            .map(|l| lines.and_then(|m| m.get(&l)))
            .collect();
        let says = |l: usize, e: &lock::Entry| match now.and_then(|n| n.get(l - first)) {
            Some(n) => e.matches(n),
            None => e.matches(&s.normalized(l)),
        };
        let Some((line, entry)) = (first..=last)
            .zip(&locked)
            .find_map(|(l, e)| e.filter(|e| !says(l, e)).map(|e| (l, e)))
        else {
            return Ok(());
        };
        let d = text.at(
            "E014",
            file,
            c.lines_span.clone(),
            format!(
                "{} line {line} changed since citations.lock recorded it",
                s.id
            ),
        );
        let now = s.normalized(line);
        let sides = match entry.text() {
            Some(old) => {
                let (old, new) = super::changed::word_diff(old, &now);
                format!("citations.lock recorded: \"{old}\"\nline {line} now reads: \"{new}\"")
            }
            None => format!(
                "citations.lock (an old lock, without the text) recorded another text\nline {line} now reads: \"{}\"",
                super::changed::word_diff("", &now).0
            ),
        };
        let text = text.get();
        let review = "if the citation still holds, run `explainer lock` to accept the new text";
        Err(match lock::relocate(s, &locked).as_slice() {
            [] => d.with_help(format!(
                "{sides}\nthe locked text is no longer in {}; {review}",
                s.id
            )),
            [to] => {
                let new = lines_text(*to, to + last - first);
                d.with_help(format!("{sides}\nthe locked text is now on line {to}: cite [@{}:{new}], or run `explainer check --fix`; {review}", c.key))
                    .with_fix(relines(c, file, text, &new))
            }
            many => {
                let at: Vec<String> = many.iter().map(usize::to_string).collect();
                d.with_help(format!(
                    "{sides}\nthe locked text is now on lines {}; {review}",
                    at.join(", ")
                ))
            }
        })
    }
}

/// The fix that points a citation at other lines.
pub(super) fn relines(c: &Cited, file: &str, text: &str, new: &str) -> Fix {
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
