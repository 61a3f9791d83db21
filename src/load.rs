//! Loading: the only phase that reads the site's files.
//!
//! I/O failures (a folder that cannot be read) are `anyhow` errors with the
//! path in their context; problems with what the files say are diagnostics,
//! collected so that one build reports all of them.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::lock::{self, Lock};
use crate::page::{self, ParsedPage};
use crate::resolve::Input;
use crate::roster::{self, Roster};
use crate::source::{self, Manifest, Source};

/// Files below `dir` with the given extension, as (absolute path, path
/// relative to `dir` with `/`), sorted; symlinks are not followed.
pub fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<(PathBuf, String)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_file()
            || entry.path().extension().and_then(|e| e.to_str()) != Some(ext)
        {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("walkdir stays below its root");
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push((entry.path().to_path_buf(), rel));
    }
    Ok(out)
}

fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads `site.toml`. A missing file means the root is not a site (exit 2).
pub fn config(root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Config> {
    let path = root.join(config::FILE);
    if !path.is_file() {
        bail!(
            "no site.toml in {}: is this an explainer site? (use --root DIR to point at one)",
            root.display()
        );
    }
    let text = read_to_string(&path)?;
    let mut config = Config::parse(&text).unwrap_or_else(|d| {
        diags.push(d);
        Config::parse("title = \"\"").expect("the minimal config parses")
    });
    if config.theme != "default" && !root.join("themes").join(&config.theme).is_dir() {
        let at = text.find("theme").unwrap_or(0);
        diags.push(
            Diagnostic::at(
                "E006",
                config::FILE,
                &text,
                at..at + 5,
                format!(
                    "theme `{}` not found: there is no themes/{}/ folder",
                    config.theme, config.theme
                ),
            )
            .with_help("use theme = \"default\" or add the theme's folder under themes/"),
        );
        config.theme = "default".into();
    }
    Ok(config)
}

fn sources(root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Vec<Source>> {
    let dir = root.join("sources");
    let files = files_with_ext(&dir, "txt")?;
    let loaded: Vec<Result<(Source, Option<Diagnostic>)>> = files
        .par_iter()
        .map(|(path, rel)| {
            let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Ok(match Source::from_bytes(rel, &bytes) {
                Ok(s) => (s, None),
                // Keep the source (lossily) so its citations do not cascade into E001s.
                Err(d) => {
                    let lossy = String::from_utf8_lossy(&bytes).into_owned();
                    (
                        Source::from_bytes(rel, lossy.as_bytes()).expect("lossy text is UTF-8"),
                        Some(d),
                    )
                }
            })
        })
        .collect();
    let mut out = Vec::with_capacity(loaded.len());
    for item in loaded {
        let (s, d) = item?;
        diags.extend(d);
        out.push(s);
    }
    let manifest_path = root.join(source::MANIFEST);
    let manifest = if manifest_path.is_file() {
        match Manifest::parse(read_to_string(&manifest_path)?) {
            Ok(m) => Some(m),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    } else {
        None
    };
    source::apply_manifest(&mut out, manifest.as_ref(), diags);
    Ok(out)
}

fn pages(
    root: &Path,
    drafts: bool,
    html: bool,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<(ParsedPage, String)>> {
    let files = files_with_ext(&root.join("content"), "md")?;
    type Parsed = std::result::Result<(ParsedPage, String), Vec<Diagnostic>>;
    let parsed: Vec<Result<Parsed>> = files
        .par_iter()
        .map(|(path, rel)| {
            let text = read_to_string(path)?;
            let file = format!("content/{rel}");
            Ok(page::parse(&file, rel, &text, html).map(|p| (p, text)))
        })
        .collect();
    let mut out = Vec::new();
    for item in parsed {
        match item? {
            Ok((p, text)) if drafts || !p.front.draft => out.push((p, text)),
            Ok(_) => {}
            Err(ds) => diags.extend(ds),
        }
    }
    out.sort_by(|(a, _), (b, _)| a.order_key().cmp(&b.order_key()));
    Ok(out)
}

fn roster(root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Option<Roster>> {
    let path = root.join(roster::FILE);
    if !path.is_file() {
        return Ok(None);
    }
    match Roster::parse(read_to_string(&path)?) {
        Ok(r) => Ok(Some(r)),
        Err(ds) => {
            diags.extend(ds);
            Ok(None)
        }
    }
}

fn lock(root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Option<Lock>> {
    let path = root.join(lock::FILE);
    if !path.is_file() {
        return Ok(None);
    }
    match Lock::parse(&read_to_string(&path)?) {
        Ok(l) => Ok(Some(l)),
        Err(d) => {
            diags.push(d);
            Ok(None)
        }
    }
}

/// What a command needs loaded.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Pages marked `draft = true` too.
    pub drafts: bool,
    /// Check line-only citations against `citations.lock` (off while the
    /// lock is being rewritten).
    pub lock: bool,
    /// Render page bodies to HTML (off for `check`, which renders nothing).
    pub html: bool,
}

/// Loads the whole site. Content problems go to `diags`; what could be read
/// is returned so that resolution can report its own problems too.
///
pub fn site(root: &Path, mode: Mode, diags: &mut Vec<Diagnostic>) -> Result<Input> {
    let config = config(root, diags)?;
    let sources = sources(root, diags)?;
    let pages = pages(root, mode.drafts, mode.html, diags)?;
    let roster = roster(root, diags)?;
    let lock = if mode.lock { lock(root, diags)? } else { None };
    Ok(Input {
        config,
        sources,
        pages,
        roster,
        lock,
    })
}
