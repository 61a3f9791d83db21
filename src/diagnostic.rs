//! Content problems as data (SPEC 8).
//!
//! A `Diagnostic` is created where the problem is found, with the file's text
//! at hand, so it carries its own line, column and offending line. Nothing is
//! printed until the whole build has been checked: every error of a build is
//! reported together, and the caller decides the exit code.

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
    pub fn at(
        code: &'static str,
        file: &str,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let mut d = Self::new(code, file, message);
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        d.line = text[..start].matches('\n').count() + 1;
        d.column = text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(text, span.end.clamp(start, line_start + line_text.len()));
        let col0 = d.column - 1;
        let width = text[start..end].chars().count().max(1);
        d.excerpt = Some(Box::new((line_text.to_string(), col0..col0 + width)));
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
                    .origin(&self.file)
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
        out
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

/// Line (1-based) of a byte offset, for callers that only need the line.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..floor_char_boundary(text, offset.min(text.len()))]
        .matches('\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_is_one_based_in_chars() {
        let text = "+++\ntitle = \"x\"\n+++\nÉté [@newsmax:3 \"q\"]\n";
        let at = text.find("[@").unwrap();
        let d = Diagnostic::at("E001", "content/a.md", text, at..at + 2, "m");
        assert_eq!((d.line, d.column), (4, 5));
    }

    #[test]
    fn renders_in_the_spec_format() {
        let text = "line one\nThe US will supervise it [@newsmax:3 \"will oversee\"].\n";
        let start = text.find("\"will").unwrap();
        let d = Diagnostic::at(
            "E003",
            "content/_index.md",
            text,
            start..start + 14,
            "quote not found in newsmax line 3",
        )
        .with_help("newsmax line 3 reads: \"Under the agreement\"");
        let out = d.render(false);
        assert!(
            out.starts_with("error[E003]: quote not found in newsmax line 3\n"),
            "{out}"
        );
        assert!(out.contains("--> content/_index.md:2:38"), "{out}");
        assert!(out.contains("2 | The US will supervise it"), "{out}");
        assert!(out.contains("^^^^^^^^^^^^^^"), "{out}");
        assert!(out.contains("= help: newsmax line 3 reads"), "{out}");
    }

    #[test]
    fn file_level_diagnostics_name_the_file() {
        let d = Diagnostic::file("W001", "sources/a.txt", "source never cited");
        let out = d.render(false);
        assert!(
            out.starts_with("warning[W001]: source never cited"),
            "{out}"
        );
        assert!(out.contains("--> sources/a.txt"), "{out}");
    }

    #[test]
    fn crlf_lines_are_shown_without_cr() {
        let text = "a\r\nbad here\r\n";
        let d = Diagnostic::at("E004", "x.md", text, 3..6, "m");
        assert_eq!((d.line, d.column), (2, 1));
        assert!(!d.render(false).contains('\r'));
    }
}
