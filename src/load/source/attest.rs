//! Attribution certainty and names (SPEC 2): how sure the manifest is of a
//! source's title and publisher, and the name readers see for it.
//!
//! A reader trusts "Newsmax" more when the copy prints it; this is where the
//! manifest says so (`title_line`, `publisher_line`, verified against the
//! text: E016), says that it is only inferred (`publisher_inferred`,
//! `published_inferred`), names the source (`label`) and records where the
//! original went (`archive_url`, `url_status`).

use serde::Deserialize;
use toml::Spanned;

use super::{Entry, Source, MANIFEST};
use crate::diagnostic::Diagnostic;
use crate::text;

/// `url_status`: is the original still online?
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UrlStatus {
    Live,
    Dead,
}

/// Words of a derived title kept for a label (never the citation key).
const OPENING_CHARS: usize = 90;

/// Applies the entry's attribution keys to `source.meta` (already holding
/// the plain metadata): E006 for an empty label or a bad `archive_url`,
/// E016 for a `title_line` / `publisher_line` that does not print the value.
pub(super) fn apply(text: &str, entry: &Entry, source: &mut Source, diags: &mut Vec<Diagnostic>) {
    if let Some(label) = &entry.label {
        if label.get_ref().trim().is_empty() {
            diags.push(
                Diagnostic::at("E006", MANIFEST, text, label.span(), "empty `label`").with_help(
                    "`label` is the name readers see for the source; give it words or leave it out",
                ),
            );
        } else {
            source.meta.label = Some(label.get_ref().trim().to_string());
        }
    }
    if let Some(archive) = &entry.archive_url {
        match crate::load::url::web_url_problem(archive.get_ref()) {
            Some(problem) => diags.push(
                Diagnostic::at(
                    "E006",
                    MANIFEST,
                    text,
                    archive.span(),
                    format!(
                        "invalid `archive_url`: `{}` {problem}",
                        archive.get_ref().escape_debug()
                    ),
                )
                .with_help("`archive_url` is a snapshot of the original: http:// or https:// only"),
            ),
            None => source.meta.archive_url = Some(archive.get_ref().trim().to_string()),
        }
    }
    source.meta.url_dead = entry.url_status == Some(UrlStatus::Dead);
    source.meta.publisher_inferred = entry.publisher_inferred;
    source.meta.published_inferred = entry.published_inferred;
    if let Some(n) = &entry.title_line {
        let value = entry.title.clone();
        if let Some(line) = printed(text, source, n, "title", value.as_deref(), diags) {
            source.meta.title_line = Some(line);
            if source.meta.title.is_none() {
                source.meta.title = Some(collapse(source.line(line)));
            }
        }
    }
    if let Some(n) = &entry.publisher_line {
        let value = entry.publisher.clone();
        if value.is_none() {
            diags.push(
                Diagnostic::at(
                    "E016",
                    MANIFEST,
                    text,
                    n.span(),
                    "`publisher_line` without a `publisher`: nothing to verify",
                )
                .with_help("add `publisher = \"…\"` as the line prints it"),
            );
        } else if let Some(line) = printed(text, source, n, "publisher", value.as_deref(), diags) {
            source.meta.publisher_line = Some(line);
        }
    }
}

/// Checks that line `n` of `source` prints `value` (normalized, as a roster
/// cite is checked); E016 at the line number otherwise. `None` on error.
fn printed(
    text: &str,
    source: &Source,
    n: &Spanned<i64>,
    key: &str,
    value: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let count = source.lines.len();
    let line = usize::try_from(*n.get_ref())
        .ok()
        .filter(|&l| (1..=count).contains(&l));
    let Some(line) = line else {
        diags.push(
            Diagnostic::at(
                "E016",
                MANIFEST,
                text,
                n.span(),
                format!(
                    "`{key}_line = {}` is out of range: sources/{} has {count} line{}",
                    n.get_ref(),
                    source.path,
                    if count == 1 { "" } else { "s" }
                ),
            )
            .with_help(format!("give the number of the line that prints the {key}")),
        );
        return None;
    };
    // With no explicit title, the line is the title: nothing to verify.
    let Some(value) = value else {
        return Some(line);
    };
    let wanted = text::normalize_str(value);
    if !wanted.trim().is_empty() && source.normalized(line).contains(wanted.trim()) {
        return Some(line);
    }
    let elsewhere: Vec<String> = (1..=count)
        .filter(|&l| !wanted.trim().is_empty() && source.normalized(l).contains(wanted.trim()))
        .map(|l| l.to_string())
        .collect();
    let mut help = format!(
        "line {line} reads: \"{}\"",
        text::ellipsize(&source.normalized(line), 160)
    );
    if !elsewhere.is_empty() {
        help.push_str(&format!(
            "; the {key} is printed on line {}",
            elsewhere.join(", ")
        ));
    }
    diags.push(
        Diagnostic::at(
            "E016",
            MANIFEST,
            text,
            n.span(),
            format!(
                "sources/{} line {line} does not print the {key} `{}`",
                source.path,
                value.escape_debug()
            ),
        )
        .with_help(help),
    );
    None
}

/// A line's text with its runs of white space as one space: the source's
/// own characters, unlike the normalized text quotes are matched against.
fn collapse(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Source {
    /// `true` when the title is not a headline but the text's opening words:
    /// no `title` and no `title_line` in the manifest (SPEC 2).
    pub fn title_is_opening_words(&self) -> bool {
        self.meta.title.is_none()
    }

    /// The text's first non-blank line, shortened: shown, labelled, as the
    /// opening words when the manifest gives no title.
    pub(super) fn opening_words(&self) -> String {
        let first = (1..=self.lines.len())
            .find(|&n| !self.is_blank(n))
            .map(|n| collapse(self.line(n)))
            .unwrap_or_default();
        text::ellipsize(&first, OPENING_CHARS)
    }

    /// The name readers see (SPEC 2 `label`): the manifest's `label`, else
    /// the publisher, else `Source N` by manifest order. Never the citation
    /// key, the file name or its stem.
    pub fn label(&self) -> String {
        if let Some(l) = &self.meta.label {
            return l.clone();
        }
        if let Some(p) = &self.meta.publisher {
            return p.clone();
        }
        match self.meta.number {
            0 => "Unnamed source".to_string(),
            n => format!("Source {n}"),
        }
    }

    /// `true` when the label shown is an inferred publisher.
    pub fn label_is_inferred(&self) -> bool {
        self.meta.label.is_none() && self.meta.publisher.is_some() && self.meta.publisher_inferred
    }
}
