//! `sources/sources.toml` (SPEC 2): the manifest parsed strictly, and applied
//! to the sources found on disk: ids, metadata, pins (E013), missing files
//! (E011), keys (E007, E012), then the checks of `via` and the attributions.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::diagnostic::Diagnostic;
use crate::load::config::toml_diagnostic;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestFile {
    #[serde(default)]
    pub(super) source: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub(super) file: Spanned<String>,
    pub(super) id: Option<Spanned<String>>,
    pub(super) title: Option<String>,
    pub(super) publisher: Option<String>,
    pub(super) author: Option<String>,
    pub(super) published: Option<toml::value::Datetime>,
    pub(super) retrieved: Option<toml::value::Datetime>,
    pub(super) url: Option<Spanned<String>>,
    sha256: Option<Spanned<String>>,
    pub(super) note: Option<Spanned<String>>,
    // Origins (SPEC 2).
    #[serde(default)]
    pub(super) via: Vec<Spanned<String>>,
    pub(super) origin: Option<String>,
    // Attribution certainty and names (SPEC 2), checked in `source/attest.rs`.
    pub(super) label: Option<Spanned<String>>,
    pub(super) title_line: Option<Spanned<i64>>,
    pub(super) publisher_line: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) publisher_inferred: bool,
    #[serde(default)]
    pub(super) published_inferred: bool,
    pub(super) archive_url: Option<Spanned<String>>,
    pub(super) url_status: Option<attest::UrlStatus>,
}

/// The parsed manifest, with its text kept for positions in diagnostics.
pub struct Manifest {
    pub text: String,
    pub(super) entries: Vec<Entry>,
}

impl Manifest {
    pub fn parse(text: String) -> Result<Manifest, Diagnostic> {
        let file: ManifestFile =
            toml::from_str(&text).map_err(|e| toml_diagnostic("E006", MANIFEST, &text, &e))?;
        Ok(Manifest {
            text,
            entries: file.source,
        })
    }

    /// Paths (below `sources/`) the manifest names, for finding missing files.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.file.get_ref().as_str())
    }
}

/// Applies the manifest to the sources found on disk and checks keys:
/// E006 bad id, E007 duplicate key, E011 missing file, E012 path leaving
/// `sources/`, E013 pin mismatch, W003 no entry.
pub fn apply_manifest(
    sources: &mut [Source],
    manifest: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) {
    match manifest {
        // Every diagnostic in the manifest finds its line in one index.
        Some(m) => crate::diagnostic::with_line_index(&m.text, || apply(sources, manifest, diags)),
        None => apply(sources, manifest, diags),
    }
}

pub(super) fn apply(
    sources: &mut [Source],
    manifest: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) {
    let by_path: BTreeMap<String, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.clone(), i))
        .collect();
    // Where each source's key was declared, for E007 positions.
    let mut id_spans: BTreeMap<usize, Range<usize>> = BTreeMap::new();
    let mut numbered = 0;
    if let Some(m) = manifest {
        let at = |span: Range<usize>| span;
        for entry in &m.entries {
            let file = entry.file.get_ref();
            let span = at(entry.file.span());
            if file.starts_with('/')
                || file.starts_with('\\')
                || file.split(['/', '\\']).any(|p| p == "..")
                || file.contains(':')
            {
                diags.push(
                    Diagnostic::at(
                        "E012",
                        MANIFEST,
                        &m.text,
                        span,
                        format!("`{file}` leaves the sources/ folder"),
                    )
                    .with_help("`file` is a path relative to sources/, without `..`"),
                );
                continue;
            }
            let Some(&i) = by_path.get(file.trim_start_matches("./")) else {
                diags.push(
                    Diagnostic::at(
                        "E011",
                        MANIFEST,
                        &m.text,
                        span,
                        format!("sources.toml names `{file}`, which does not exist"),
                    )
                    .with_help("add the file under sources/ or remove the entry"),
                );
                continue;
            };
            let source = &mut sources[i];
            if source.has_entry {
                diags.push(Diagnostic::at(
                    "E007",
                    MANIFEST,
                    &m.text,
                    span,
                    format!("`{file}` has two entries in sources.toml"),
                ));
                continue;
            }
            source.has_entry = true;
            if let Some(id) = &entry.id {
                if valid_id(id.get_ref()) {
                    source.id = id.get_ref().clone();
                    id_spans.insert(i, id.span());
                } else {
                    diags.push(
                        Diagnostic::at("E006", MANIFEST, &m.text, id.span(), format!("invalid id `{}`", id.get_ref()))
                            .with_help("an id is lower-case letters, digits, `_` and `-`, starting with a letter or digit"),
                    );
                }
            }
            if let Some(pin) = &entry.sha256 {
                if !pin.get_ref().eq_ignore_ascii_case(&source.sha256) {
                    diags.push(
                        Diagnostic::at("E013", MANIFEST, &m.text, pin.span(), format!("sources/{} has changed: its SHA-256 differs from the pin", source.path))
                            .with_help(format!("the file's SHA-256 is {}; if the change is intended, review it and update the pin", source.sha256)),
                    );
                }
            }
            crate::load::url::check_source(
                MANIFEST,
                &m.text,
                entry.url.as_ref(),
                entry.note.as_ref(),
                diags,
            );
            numbered += 1;
            source.meta = Meta {
                title: entry.title.clone(),
                publisher: entry.publisher.clone(),
                author: entry.author.clone(),
                published: entry.published.map(|d| d.to_string()),
                retrieved: entry.retrieved.map(|d| d.to_string()),
                url: entry.url.as_ref().map(|u| u.get_ref().clone()),
                note: entry.note.as_ref().map(|n| n.get_ref().clone()),
                via: entry
                    .via
                    .iter()
                    .map(|v| (v.get_ref().clone(), v.span()))
                    .collect(),
                origin: entry.origin.clone(),
                number: numbered,
                ..Meta::default()
            };
            attest::apply(&m.text, entry, source, diags);
        }
    }
    for s in sources.iter_mut().filter(|s| !s.has_entry) {
        numbered += 1;
        s.meta.number = numbered;
    }
    // A source without a manifest id is published under its file stem:
    // the stem must be a safe path segment.
    for (i, s) in sources.iter().enumerate() {
        if id_spans.contains_key(&i) {
            continue;
        }
        if let Some(problem) = unsafe_stem(&s.id) {
            diags.push(
                Diagnostic::file(
                    "E012",
                    &format!("sources/{}", s.path),
                    format!(
                        "the file stem `{}` cannot name the source's pages: {problem}",
                        s.id.escape_debug()
                    ),
                )
                .with_help(format!(
                    "give it an `id` in sources.toml ([[source]] with file = {} and id = \"…\")",
                    toml_edit::Value::from(s.path.as_str())
                )),
            );
        }
    }
    for s in sources.iter().filter(|s| !s.has_entry) {
        diags.push(
            Diagnostic::file(
                "W003",
                &format!("sources/{}", s.path),
                "source has no entry in sources/sources.toml",
            )
            .with_help(format!(
                "add [[source]] with file = \"{}\" to give it an id, title and sha256 pin",
                s.path
            )),
        );
    }
    // Keys must be unique across sources.
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        for key in s.keys() {
            if let Some(&first) = owners.get(key) {
                let message = format!(
                    "source key `{key}` is claimed by sources/{} and sources/{}",
                    sources[first].path, s.path
                );
                let d = match (manifest, id_spans.get(&i)) {
                    (Some(m), Some(span)) => {
                        Diagnostic::at("E007", MANIFEST, &m.text, span.clone(), message)
                    }
                    _ => Diagnostic::file("E007", &format!("sources/{}", s.path), message),
                };
                diags
                    .push(d.with_help("give one of them a different `id` in sources/sources.toml"));
            } else {
                owners.insert(key, i);
            }
        }
    }
    if let Some(m) = manifest {
        via::check(sources, &m.text, diags);
    }
}
