//! `explainer`: a static-site generator for annotated explainers.
//!
//! Every claim of an explainer cites a source file and line; the build checks
//! each citation against the verbatim source text and renders footnoted
//! pages, provenance pages, rosters and a claims index.
//!
//! The pipeline runs in one direction — load, resolve, render, write — and
//! [`build`] writes that order down in one flat function.

pub mod cite;
pub mod config;
pub mod diagnostic;
pub mod load;
pub mod markdown;
pub mod page;
pub mod render;
pub mod resolve;
pub mod roster;
pub mod source;
pub mod text;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use diagnostic::{Diagnostic, Severity};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's root folder (holding `site.toml`).
    pub root: PathBuf,
    /// Output folder; default: the site's `output_dir` below the root.
    pub output: Option<PathBuf>,
    /// Build pages marked `draft = true` too.
    pub drafts: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Options {
            root: root.into(),
            output: None,
            drafts: false,
        }
    }
}

/// Counts for the one-line summary.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub pages: usize,
    pub sources: usize,
    pub claims: usize,
    pub citations: usize,
    pub roster_cites: usize,
    pub files: usize,
    pub elapsed: Duration,
}

/// A successful build or check: warnings and counts.
#[derive(Debug)]
pub struct Report {
    pub warnings: Vec<Diagnostic>,
    pub stats: Stats,
    /// Where the site was written (`None` for `check`).
    pub output: Option<PathBuf>,
}

/// Why a build failed: content errors (exit 1) or usage/I-O (exit 2).
#[derive(Debug)]
pub enum Failure {
    /// Every diagnostic of the build, errors and warnings, in file order.
    Content(Vec<Diagnostic>),
    Io(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Io(e)
    }
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Content(_) => 1,
            Failure::Io(_) => 2,
        }
    }
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

/// Load and resolve: every check, nothing written.
fn verify(root: &Path, drafts: bool) -> Result<(resolve::Site, render::Theme), Failure> {
    let mut diags = Vec::new();
    let input = load::site(root, drafts, &mut diags)?;
    let theme = match render::Theme::load(root, &input.config.theme)? {
        Ok(t) => Some(t),
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    let site = match resolve::site(input) {
        Ok(site) => Some(site),
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    match (site, theme) {
        (Some(mut site), Some(theme)) if !diags.iter().any(Diagnostic::is_error) => {
            diags.append(&mut site.warnings);
            site.warnings = sorted(diags);
            Ok((site, theme))
        }
        _ => Err(Failure::Content(sorted(diags))),
    }
}

fn stats(site: &resolve::Site, files: usize, started: Instant) -> Stats {
    Stats {
        pages: site.pages.len(),
        sources: site.sources.len(),
        claims: site.claims.len(),
        citations: site.citation_total(),
        roster_cites: site
            .roster
            .as_ref()
            .map_or(0, |r| r.cites.iter().flatten().map(Vec::len).sum()),
        files,
        elapsed: started.elapsed(),
    }
}

/// `explainer check`: verify everything, write nothing.
pub fn check(opts: &Options) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, _theme) = verify(&opts.root, opts.drafts)?;
    let warnings = std::mem::take(&mut site.warnings);
    Ok(Report {
        warnings,
        stats: stats(&site, 0, started),
        output: None,
    })
}

/// `explainer build`: verify, render, write atomically.
pub fn build(opts: &Options) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, theme) = verify(&opts.root, opts.drafts)?;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(&site.config.output_dir));
    write::check_output(&output)?;
    let files = render::site(&site, &theme).map_err(|ds| Failure::Content(sorted(ds)))?;
    let files = if site.config.minify {
        write::minify(files)
    } else {
        files
    };
    write::atomically(&output, &files)?;
    let warnings = std::mem::take(&mut site.warnings);
    Ok(Report {
        warnings,
        stats: stats(&site, files.len(), started),
        output: Some(output),
    })
}
