//! Loading: the only phase that reads the site's files.
//!
//! I/O failures (a folder that cannot be read) are `anyhow` errors with the
//! path in their context; problems with what the files say are diagnostics,
//! collected so that one build reports all of them.
//!
//! Everything read from disk is parsed here too (the site's configuration,
//! sources and their manifest, pages with their Markdown and citation
//! groups, rosters, the lock), so that later phases are pure. Page bodies
//! become HTML here, page by page, right after parsing (`body`).

pub mod body;
pub mod cite;
pub mod config;
pub mod dates;
pub mod highlight;
pub mod lock;
pub mod markdown;
pub mod page;
pub mod roster;
pub mod source;
pub mod url;

mod cache;
pub use cache::Cache;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use config::Config;
use lock::Lock;
use page::{PageText, ParsedPage};
use roster::Roster;
use source::{Manifest, Source};

/// Everything the loader read.
pub struct Input {
    pub config: Config,
    /// Shared with the loader's cache (`serve` keeps it between builds).
    pub sources: Arc<Vec<Source>>,
    /// Pages in reading order (weight, then path); file texts alongside.
    pub pages: Vec<(Arc<ParsedPage>, PageText)>,
    pub roster: Option<Roster>,
    /// `citations.lock`, when the site has one and it is to be checked
    /// (shared with the loader's cache).
    pub lock: Option<Arc<Lock>>,
}

/// Refuses a folder of the site that is a symbolic link: nothing is read
/// through one, walk roots included (a link could publish any folder on
/// disk).
pub fn no_symlink(path: &Path) -> Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "{} is a symbolic link; the build never reads through one. Put the folder itself there",
            path.display()
        );
    }
    Ok(())
}

/// Files below `dir` with the given extension, as (absolute path, path
/// relative to `dir` with `/`), sorted; symlinks are not followed, and a
/// `dir` that is one is refused.
pub fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<(PathBuf, String)>> {
    no_symlink(dir)?;
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
    {
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

/// Reads a text file of the site: I/O problems are errors (exit 2), a file
/// that is not UTF-8 is a content problem (E009) reported with the rest.
/// Nothing is read through a symbolic link (SPEC 7): a link could publish or
/// act on a file from outside the site.
pub(crate) fn read_text(
    path: &Path,
    file: &str,
) -> Result<std::result::Result<String, Diagnostic>> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "{file} is a symbolic link ({}); explainer reads nothing through a link: put the file itself there",
            path.display()
        );
    }
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(crate::diagnostic::decode(file, bytes))
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
    let text = match read_text(&path, config::FILE)? {
        Ok(text) => text,
        Err(d) => {
            diags.push(d);
            return Ok(Config::parse("title = \"\"").expect("the minimal config parses"));
        }
    };
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

fn roster(root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Option<Roster>> {
    let path = root.join(roster::FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = match read_text(&path, roster::FILE)? {
        Ok(text) => text,
        Err(d) => {
            diags.push(d);
            return Ok(None);
        }
    };
    match Roster::parse(text) {
        Ok(r) => Ok(Some(r)),
        Err(ds) => {
            diags.extend(ds);
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
pub fn site(root: &Path, mode: Mode, diags: &mut Vec<Diagnostic>) -> Result<Input> {
    Cache::one_shot().site(root, mode, diags)
}
