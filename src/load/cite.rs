//! The citation-group grammar of SPEC 3.1, on raw Markdown source text.
//!
//! ```text
//! group    = "[" citation *( ";" citation ) "]"
//! citation = "@" KEY ":" LINES [ QUOTE ]
//! LINES    = N | N "-" M
//! QUOTE    = '"' … '"'  |  '“' … '”'      ( \" is a literal quote mark )
//! ```
//!
//! `[@KEY:` commits to a group: anything after it that does not fit is an
//! error with the position of the offending part. `[@` without `KEY:` (a
//! handle, an e-mail address) is not a citation at all. Offsets are byte
//! offsets into the string given, so callers can shift them into the file.

use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub key: String,
    pub key_span: Range<usize>,
    pub first: u32,
    pub last: u32,
    pub lines_span: Range<usize>,
    /// The quote as written (escapes resolved), if any; shared with the
    /// verified reference.
    pub quote: Option<Arc<str>>,
    pub quote_span: Option<Range<usize>>,
}

impl Citation {
    /// Span of the whole citation, `@` to the end of the quote or lines.
    pub fn span(&self) -> Range<usize> {
        let end = self
            .quote_span
            .as_ref()
            .map_or(self.lines_span.end, |q| q.end);
        self.key_span.start - 1..end
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// From `[` to `]` inclusive.
    pub span: Range<usize>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

fn is_key_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            ':' | ';' | '[' | ']' | '@' | '"' | '“' | '”' | '(' | ')' | ','
        ))
}

/// True when `s[at..]` starts a citation group: `[@`, a non-empty key, `:`.
pub fn starts_group(s: &str, at: usize) -> bool {
    let Some(rest) = s[at..].strip_prefix("[@") else {
        return false;
    };
    let key_len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
    key_len > 0 && rest[key_len..].starts_with(':')
}

/// Byte offsets of every `[@` in `s` (a byte search: every text run of
/// every page is scanned for them).
fn opening_marks(s: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memmem::find_iter(s.as_bytes(), b"[@")
}

/// Byte offsets of every group start in `s`, skipping `\[@` escapes.
pub fn group_starts(s: &str) -> impl Iterator<Item = usize> + '_ {
    opening_marks(s).filter(move |&i| !s[..i].ends_with('\\') && starts_group(s, i))
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> Range<usize> {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        start..self.pos
    }
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
            help: None,
        }
    }
    /// Error pointing at the current char (or the end of input).
    fn error_here(&self, message: impl Into<String>) -> SyntaxError {
        let len = self.peek().map_or(0, char::len_utf8);
        self.error(self.pos..self.pos + len, message)
    }
}

const SYNTAX_HELP: &str =
    "a citation group looks like [@key:3] or [@key:3-4 \"quoted words\"; @other:7]";

/// Parses the group that starts at `at` (which must satisfy [`starts_group`]).
pub fn parse_group(s: &str, at: usize) -> Result<Group, SyntaxError> {
    let mut cur = Cursor { s, pos: at + 1 };
    let mut citations = Vec::new();
    loop {
        cur.skip_ws();
        if !cur.eat('@') {
            return Err(with_help(
                cur.error_here("expected `@` and a source key after `;`"),
            ));
        }
        citations.push(parse_citation(&mut cur)?);
        cur.skip_ws();
        let unclosed = |cur: &Cursor| {
            let c = citations.last().expect("a citation was just parsed");
            let q: &Citation = c;
            q.quote
                .as_deref()
                .filter(|quote| quote.contains(']'))
                .and(q.quote_span.as_ref())
                .map(|span| unclosed_quote(cur, span.start))
        };
        match cur.peek() {
            Some(']') => {
                cur.bump();
                return Ok(Group {
                    span: at..cur.pos,
                    citations,
                });
            }
            Some(';') => {
                cur.bump();
            }
            None => {
                return Err(with_help(
                    cur.error(at..at + 2, "citation group is not closed with `]`"),
                ))
            }
            Some(_) => {
                // A quote that ran past its group's `]` to a later quote
                // mark was never closed: point at its opening mark.
                if let Some(e) = unclosed(&cur) {
                    return Err(e);
                }
                return Err(with_help(
                    cur.error_here("expected `;` or `]` after a citation"),
                ));
            }
        }
    }
}

fn with_help(mut e: SyntaxError) -> SyntaxError {
    e.help.get_or_insert_with(|| SYNTAX_HELP.to_string());
    e
}

fn parse_citation(cur: &mut Cursor) -> Result<Citation, SyntaxError> {
    let key_span = cur.take_while(is_key_char);
    let key = &cur.s[key_span.clone()];
    if key.is_empty() {
        return Err(with_help(cur.error_here("expected a source key after `@`")));
    }
    if key.contains(['/', '\\']) || key.contains("..") {
        let mut e = cur.error(key_span, format!("`{key}` is a path, not a source key"));
        e.help = Some("cite a source by its id, file name or file stem, without folders".into());
        return Err(e);
    }
    if !cur.eat(':') {
        return Err(with_help(cur.error_here(format!(
            "expected `:` and a line number after `@{key}`"
        ))));
    }
    let lines_start = cur.pos;
    let first = parse_number(cur)?;
    let last = if cur.eat('-') {
        parse_number(cur)?
    } else {
        first
    };
    let lines_span = lines_start..cur.pos;
    let mut citation = Citation {
        key: key.to_string(),
        key_span,
        first,
        last,
        lines_span,
        quote: None,
        quote_span: None,
    };
    let before_ws = cur.pos;
    cur.skip_ws();
    let close = match cur.peek() {
        Some('"') => '"',
        Some('“') => '”',
        _ => {
            cur.pos = before_ws;
            if cur
                .peek()
                .is_some_and(|c| !c.is_whitespace() && c != ';' && c != ']')
            {
                return Err(with_help(
                    cur.error_here("unexpected character after the line number"),
                ));
            }
            return Ok(citation);
        }
    };
    let quote_start = cur.pos;
    cur.bump();
    let Some((quote, end)) = quote_text(cur.s, cur.pos, close) else {
        return Err(unclosed_quote(cur, quote_start));
    };
    cur.pos = end;
    // The quote took in the start of another group: it was not closed
    // where it should have been.
    if group_starts(&quote).next().is_some() {
        return Err(unclosed_quote(cur, quote_start));
    }
    if quote.trim().is_empty() {
        return Err(with_help(
            cur.error(quote_start..cur.pos, "the quote is empty"),
        ));
    }
    citation.quote = Some(quote.into());
    citation.quote_span = Some(quote_start..cur.pos);
    Ok(citation)
}

/// The text of a quote whose opening mark ends at `from`, up to its closing
/// mark `close`, with `\"` read as `"`; and the offset after the closing
/// mark. `None` when the text ends first.
///
/// Copied a run at a time (up to an escape or the closing mark), not char
/// by char: one allocation for most quotes. Only a backslash or the closing
/// mark's first byte can end a run, and neither occurs inside another
/// character's UTF-8 bytes, so the search is on bytes.
fn quote_text(s: &str, from: usize, close: char) -> Option<(String, usize)> {
    let close_lead = close.encode_utf8(&mut [0; 4]).as_bytes()[0];
    let mut quote = String::new();
    let (mut run, mut pos) = (from, from);
    loop {
        let at = pos + memchr::memchr2(b'\\', close_lead, &s.as_bytes()[pos..])?;
        let rest = &s[at..];
        if rest.starts_with("\\\"") {
            quote.push_str(&s[run..at]);
            quote.push('"');
            pos = at + 2;
            run = pos;
        } else if rest.starts_with(close) {
            quote.push_str(&s[run..at]);
            return Some((quote, at + close.len_utf8()));
        } else {
            // A backslash before anything else, or another character that
            // starts with the closing mark's first byte: part of the quote.
            pos = at + 1;
        }
    }
}

/// E004 at the opening mark of a quote that is not closed.
fn unclosed_quote(cur: &Cursor, quote_start: usize) -> SyntaxError {
    let close = if cur.s[quote_start..].starts_with('“') {
        '”'
    } else {
        '"'
    };
    let mut e = cur.error(
        quote_start..quote_start + close.len_utf8().min(cur.s.len() - quote_start),
        "quote is not closed",
    );
    e.help = Some(format!(
        "end the quote with {close} before the group's `]`; write \\\" for a quote mark inside it"
    ));
    e
}

/// Text that looks like a mistyped citation (SPEC 3.2, W004): a `[@KEY …]`
/// that is not a group by the grammar's first rule (no `:` after the key)
/// but holds a line number or a quote. Returns the span from `[` to `]` and
/// the corrected form. Handles (`[@someone]`) and e-mail addresses hold
/// neither and are left alone.
pub fn mistyped(s: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for at in opening_marks(s) {
        if s[..at].ends_with('\\') || starts_group(s, at) {
            continue;
        }
        let rest = &s[at + 2..];
        let key_len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
        let key = &rest[..key_len];
        let after = &rest[key_len..];
        let Some(close) = after
            .find([']', '[', '\n'])
            .filter(|&i| after[i..].starts_with(']'))
        else {
            continue;
        };
        let inner = &after[..close];
        let quote_at = inner.find(['"', '“']);
        let number = inner[..quote_at.unwrap_or(inner.len())]
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .map(|n| n.trim_matches('-'))
            .find(|n| n.starts_with(|c: char| c.is_ascii_digit()));
        if key.is_empty() || (number.is_none() && quote_at.is_none()) {
            continue;
        }
        let lines = number.unwrap_or("N");
        let fixed = match quote_at {
            Some(q) => format!("[@{key}:{lines} {}]", inner[q..].trim()),
            None => format!("[@{key}:{lines}]"),
        };
        out.push((at..at + 2 + key_len + close + 1, fixed));
    }
    out
}

/// W004 for a mistyped citation at `span` of the file's `text`.
pub fn mistyped_warning(
    file: &str,
    text: &str,
    span: Range<usize>,
    fixed: &str,
) -> crate::diagnostic::Diagnostic {
    crate::diagnostic::Diagnostic::at(
        "W004",
        file,
        text,
        span,
        "this looks like a mistyped citation; it is published as text",
    )
    .with_help(format!(
        "did you mean `{}`? a citation is [@key:N] or [@key:N \"quoted words\"]; write \\[@ if this is not one",
        crate::text::ellipsize(fixed, 100)
    ))
}

fn parse_number(cur: &mut Cursor) -> Result<u32, SyntaxError> {
    let span = cur.take_while(|c| c.is_ascii_digit());
    if span.is_empty() {
        return Err(with_help(
            cur.error_here("expected a line number (`3`) or range (`3-5`)"),
        ));
    }
    cur.s[span.clone()]
        .parse()
        .map_err(|_| cur.error(span, "line number is too large"))
}

#[cfg(test)]
mod tests;
