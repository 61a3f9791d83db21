//! Content problems as data (SPEC 8).
//!
//! A `Diagnostic` is created where the problem is found, with the file's text
//! at hand, so it carries its own line, column and offending line. Nothing is
//! printed until the whole build has been checked: every error of a build is
//! reported together, and the caller decides the exit code.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A mechanical correction `check --fix` can apply: replace `old` at `span`
/// (bytes) of `file` with `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub file: String,
    /// The source key of the citation, for the report line.
    pub key: String,
    pub span: Range<usize>,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `E001`…`E014`, `W001`…`W003`.
    pub code: &'static str,
    pub severity: Severity,
    /// Site-relative path with `/` separators, e.g. `content/_index.md`.
    pub file: String,
    /// 1-based line; 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The offending line and the char range of the marker on it.
    excerpt: Option<Box<(String, Range<usize>)>>,
    /// A correction, when exactly one is possible.
    pub fix: Option<Box<Fix>>,
}

impl Diagnostic {
    fn new(code: &'static str, file: &str, message: impl Into<String>) -> Self {
        let severity = if code.starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic {
            code,
            severity,
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            excerpt: None,
            fix: None,
        }
    }

    /// A problem with a whole file (no position inside it).
    pub fn file(code: &'static str, file: &str, message: impl Into<String>) -> Self {
        Self::new(code, file, message)
    }

    /// A problem at byte range `span` of `text`, the full content of `file`.
    ///
    /// The cost is bounded by the excerpt, not by the file: inside
    /// [`with_line_index`] for `text`, the line is found by binary search in
    /// line starts computed once, and the column counted on from the
    /// previous diagnostic's when it stands earlier on the same line. The
    /// excerpt is a window of at most [`EXCERPT_CHARS`] characters of the
    /// line around the span, with `…` where the line goes on.
    pub fn at(
        code: &'static str,
        file: &str,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::at_with(code, file, text, None, span, message)
    }

    /// [`Diagnostic::at`] with the line index of `text` at hand (built by
    /// the caller for many diagnostics on one text).
    pub fn at_indexed(
        code: &'static str,
        file: &str,
        text: &str,
        index: &LineIndex,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::at_with(code, file, text, Some(index), span, message)
    }

    fn at_with(
        code: &'static str,
        file: &str,
        text: &str,
        index: Option<&LineIndex>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let mut d = Self::new(code, file, message);
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let pos = match index {
            Some(ix) => ix.locate(text, start),
            None => locate(text, start),
        };
        // The line as shown: without its `\r\n`. A span may start on the
        // `\r` (a TOML string left open on a CRLF line): its marker then
        // stands just after the shown text.
        let shown_end = if text[..pos.line_end].ends_with('\r') {
            pos.line_end - 1
        } else {
            pos.line_end
        };
        d.line = pos.line;
        d.column = pos.column + 1;
        let at = start.min(shown_end);
        let end = floor_char_boundary(text, span.end.clamp(at, shown_end));
        let from = back_chars(text, at, pos.line_start, EXCERPT_CHARS / 3);
        let to = forward_chars(text, from, shown_end, EXCERPT_CHARS);
        let mut shown = String::new();
        if from > pos.line_start {
            shown.push('…');
        }
        let col0 = shown.chars().count() + text[from..at].chars().count();
        let width = text[at..end.min(to)].chars().count().max(1);
        shown.push_str(&text[from..to]);
        if to < shown_end {
            shown.push('…');
        }
        d.excerpt = Some(Box::new((shown, col0..col0 + width)));
        d
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, then position, then code — stable output order.
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str, &str) {
        (&self.file, self.line, self.column, self.code, &self.message)
    }

    /// Renders in the rustc-like format of SPEC 8.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let mut message = level.title(&self.message).id(self.code);
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        if let Some((line, cols)) = self.excerpt.as_deref() {
            let bytes = char_range_to_bytes(line, cols.clone());
            message = message.snippet(
                Snippet::source(line)
                    .line_start(self.line)
                    .annotation(level.span(bytes)),
            );
        } else {
            // No position: name the file the way rustc names a whole file.
            let mut out = renderer.render(message).to_string();
            out.push_str(&format!("\n  --> {}", self.file));
            if let Some(help) = &self.help {
                out.push_str(&format!("\n   = help: {help}"));
            }
            return out;
        }
        if let Some(help) = &self.help {
            message = message.footer(Level::Help.title(help));
        }
        let out = renderer.render(message).to_string();
        // The `-->` line is written here, from the diagnostic's own line and
        // column: the excerpt may be a window of the line, so the renderer
        // cannot count the column itself.
        let pad = " ".repeat(self.line.to_string().len());
        let origin = format!("{pad}--> {}:{}:{}", self.file, self.line, self.column);
        match out.split_once('\n') {
            Some((title, rest)) => format!("{title}\n{origin}\n{rest}"),
            None => format!("{out}\n{origin}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn char_range_to_bytes(s: &str, chars: Range<usize>) -> Range<usize> {
    let byte_at = |n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    byte_at(chars.start)..byte_at(chars.end)
}

/// The most characters of a line an excerpt shows.
pub const EXCERPT_CHARS: usize = 200;

/// The byte offset `n` chars before `at`, not before `floor`.
fn back_chars(text: &str, at: usize, floor: usize, n: usize) -> usize {
    text[floor..at]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(at, |(i, _)| floor + i)
}

/// The byte offset `n` chars after `from`, not after `ceil`.
fn forward_chars(text: &str, from: usize, ceil: usize, n: usize) -> usize {
    text[from..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(i, _)| from + i)
}

/// Where a byte offset stands: 1-based line, 0-based column in chars, and
/// the byte range of its line (without the `\n`).
struct Position {
    line: usize,
    column: usize,
    line_start: usize,
    line_end: usize,
}

/// Where each line of a text starts, for positions by binary search.
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offset of each line's start.
    starts: Vec<usize>,
    /// The last position computed (byte offset, column), to count a later
    /// column on the same line from there.
    last: Cell<(usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        LineIndex {
            starts,
            last: Cell::new((0, 0)),
        }
    }

    /// The position of byte `start` of `text`, the text indexed.
    fn locate(&self, text: &str, start: usize) -> Position {
        let line = self.starts.partition_point(|&s| s <= start).max(1);
        let line_start = self.starts[line - 1].min(start);
        let line_end = self
            .starts
            .get(line)
            .map_or(text.len(), |&s| s - 1)
            .max(start);
        let (last_at, last_col) = self.last.get();
        let column = if (line_start..=start).contains(&last_at) {
            last_col + text[last_at..start].chars().count()
        } else {
            text[line_start..start].chars().count()
        };
        self.last.set((start, column));
        Position {
            line,
            column,
            line_start,
            line_end,
        }
    }
}

/// The line index of the text a [`with_line_index`] scope is about.
struct Indexed {
    /// Address and length of the text: while the scope runs the text is
    /// borrowed, so a `&str` with both equal is that text.
    ptr: usize,
    len: usize,
    /// Built at the first diagnostic on the text.
    index: Option<std::rc::Rc<LineIndex>>,
}

thread_local! {
    static INDEXED: RefCell<Option<Indexed>> = const { RefCell::new(None) };
}

/// Runs `f` with a line index for `text` used by every [`Diagnostic::at`]
/// on `text` that `f` makes on this thread: a file with many problems then
/// costs time in proportion to their number, not to their number times the
/// file's length. The index is built only if a diagnostic needs it.
pub fn with_line_index<R>(text: &str, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Indexed>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            INDEXED.with(|c| *c.borrow_mut() = prev);
        }
    }
    let scope = Indexed {
        ptr: text.as_ptr() as usize,
        len: text.len(),
        index: None,
    };
    let _restore = Restore(INDEXED.with(|c| c.replace(Some(scope))));
    f()
}

/// The position of byte `start` of `text`: by the scope's index when `text`
/// is the scope's text, else by counting.
fn locate(text: &str, start: usize) -> Position {
    let index = INDEXED.with(|c| {
        let mut c = c.borrow_mut();
        let ix = c
            .as_mut()
            .filter(|ix| ix.ptr == text.as_ptr() as usize && ix.len == text.len())?;
        Some(std::rc::Rc::clone(ix.index.get_or_insert_with(|| {
            std::rc::Rc::new(LineIndex::new(text))
        })))
    });
    if let Some(ix) = index {
        return ix.locate(text, start);
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: text[..start].matches('\n').count() + 1,
        column: text[line_start..start].chars().count(),
        line_start,
        line_end: text[start..].find('\n').map_or(text.len(), |i| start + i),
    }
}

/// Line (1-based) of a byte offset, for callers that only need the line.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..floor_char_boundary(text, offset.min(text.len()))]
        .matches('\n')
        .count()
        + 1
}

/// The most diagnostics printed for one file; the rest are counted.
pub const PRINTED_PER_FILE: usize = 100;

/// The diagnostics as printed: each rendered, at most [`PRINTED_PER_FILE`]
/// for one file, then one line `and N more errors in FILE`.
pub fn render_all(diags: &[Diagnostic], color: bool) -> Vec<String> {
    let mut totals: HashMap<&str, (usize, usize)> = HashMap::new();
    for d in diags {
        let t = totals.entry(&d.file).or_default();
        t.0 += 1;
        t.1 += usize::from(d.is_error());
    }
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for d in diags {
        let s = seen.entry(&d.file).or_default();
        s.0 += 1;
        if s.0 > PRINTED_PER_FILE {
            continue;
        }
        s.1 += usize::from(d.is_error());
        out.push(d.render(color));
        let (total, errors) = totals[d.file.as_str()];
        if s.0 == PRINTED_PER_FILE && total > PRINTED_PER_FILE {
            let more = total - PRINTED_PER_FILE;
            let more_errors = errors - s.1;
            let what = if more_errors == more {
                if more == 1 {
                    "error"
                } else {
                    "errors"
                }
            } else if more_errors == 0 {
                if more == 1 {
                    "warning"
                } else {
                    "warnings"
                }
            } else {
                "errors and warnings"
            };
            out.push(format!("and {more} more {what} in {}", d.file));
        }
    }
    out
}

/// `bytes` as text, or E009 at the first byte that is not UTF-8 (its line,
/// column and byte offset).
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        not_utf8(file, e.as_bytes(), at, "file")
            .with_help("save the file as UTF-8 (e.g. convert it with iconv)")
    })
}

/// E009 at byte `at` of `bytes`, the first that is not UTF-8; `what` names
/// the file in the message (`source`, `file`).
pub fn not_utf8(file: &str, bytes: &[u8], at: usize, what: &str) -> Diagnostic {
    // The valid text before the bad byte, and the rest of its line, shown
    // lossily: positions up to `at` are exact.
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let rest = &bytes[at..];
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let text = format!("{valid}{}", String::from_utf8_lossy(&rest[..line_end]));
    Diagnostic::at(
        "E009",
        file,
        &text,
        at..at + 1,
        format!("{what} is not valid UTF-8: invalid byte at offset {at}"),
    )
}

#[cfg(test)]
mod tests;
