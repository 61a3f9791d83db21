//! `explainer`: a static-site generator for annotated explainers.
//!
//! Every claim of an explainer cites a source file and line; the build checks
//! each citation against the verbatim source text and renders footnoted
//! pages, provenance pages, rosters and a claims index.
//!
//! The pipeline runs in one direction — load, resolve, render, write — and
//! [`build`] writes that order down in one flat function.

// Diagnostics travel in `Err` on the rare path of a bad input; their size
// (the offending line, help, fix) is worth more than a smaller `Result`.
#![allow(clippy::result_large_err)]

// Leaves: used by every phase, naming none.
pub mod diagnostic;
pub mod escape;
pub mod text;
pub mod timing;

// The pipeline, in the order a build runs it; each names only the ones above it.
pub mod load;
pub mod render;
pub mod resolve;
pub mod write;

// The editor's tools, built on the pipeline.
pub mod editor;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use load::lock;
use timing::Mark;

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

    /// What to load: everything checked against the lock; page bodies as
    /// HTML when rendering.
    fn mode(&self, html: bool) -> load::Mode {
        load::Mode {
            drafts: self.drafts,
            lock: true,
            html,
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
    /// Problems outside the content that did not fail the command, printed
    /// as warnings (an old output that could not be removed).
    pub notices: Vec<String>,
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
    /// 1 for content errors, 2 for usage or I/O (SPEC 7).
    pub fn exit_code(&self) -> u8 {
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
pub(crate) fn verify(
    root: &Path,
    mode: load::Mode,
) -> Result<(resolve::Site, render::Theme), Failure> {
    let (site, theme) = verify_cached(&mut load::Cache::one_shot(), None, None, root, mode)?;
    let theme = Arc::into_inner(theme).expect("a theme loaded here is not shared");
    Ok((site, theme))
}

/// [`verify`], re-reading only the files changed since `cache` last loaded
/// and, with a `memo`, re-verifying only the pages whose inputs changed
/// since it was filled.
///
/// `kept`: the theme of the last build, used again (its templates checked
/// against the pages) when nothing under `themes/` and no `site.toml` changed.
pub(crate) fn verify_cached(
    cache: &mut load::Cache,
    memo: Option<&mut resolve::Memo>,
    kept: Option<Arc<render::Theme>>,
    root: &Path,
    mode: load::Mode,
) -> Result<(resolve::Site, Arc<render::Theme>), Failure> {
    let mut diags = Vec::new();
    let t = Mark::now();
    let input = cache.site(root, mode, &mut diags)?;
    let t = timing::timing("load", t);
    let loaded = match kept {
        Some(theme) => Ok(theme),
        None => render::Theme::load(root, &input.config.theme)?.map(Arc::new),
    };
    let theme = match loaded {
        Ok(t) => {
            diags.extend(render::theme::check_templates(&t, &input.pages));
            Some(t)
        }
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    let site = match resolve::site_with(input, memo) {
        Ok(site) => Some(site),
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    timing::timing("resolve", t);
    match (site, theme) {
        (Some(mut site), Some(theme)) if !diags.iter().any(Diagnostic::is_error) => {
            diags.append(&mut site.warnings);
            site.warnings = sorted(diags);
            Ok((site, theme))
        }
        _ => Err(Failure::Content(sorted(diags))),
    }
}

pub(crate) fn stats(site: &resolve::Site, files: usize, started: Instant) -> Stats {
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
    check_locked(opts, false)
}

/// `explainer check [--locked]`: [`check`]; with `locked`, a
/// `citations.lock` that a build would change is an error too.
pub fn check_locked(opts: &Options, locked: bool) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, theme) = verify(&opts.root, opts.mode(false))?;
    if locked {
        next_lock(&site, true)?;
    }
    let warnings = std::mem::take(&mut site.warnings);
    let stats = stats(&site, 0, started);
    drop_later((site, theme));
    Ok(Report {
        warnings,
        stats,
        output: None,
        notices: Vec::new(),
    })
}

/// Collects rendered files in memory (for [`render`]).
#[derive(Default)]
struct Memory(std::sync::Mutex<Vec<write::Output>>);

impl write::Sink for Memory {
    fn put(&self, path: String, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.0.lock().expect("memory sink lock").push((path, bytes));
        Ok(())
    }
}

fn render_error(e: render::RenderError) -> Failure {
    match e {
        render::RenderError::Content(ds) => Failure::Content(sorted(ds)),
        render::RenderError::Io(e) => Failure::Io(e),
    }
}

/// Verify and render into memory, unminified: the files of the site, sorted
/// by path, nothing written: the whole site at once, which `serve`'s
/// incremental preview is tested against.
pub fn render(opts: &Options) -> Result<(Vec<write::Output>, Report), Failure> {
    let started = Instant::now();
    let (mut site, theme) = verify(&opts.root, opts.mode(true))?;
    let memory = Memory::default();
    // A preview is not published: no minification, for a faster reload.
    let count = render::site(&site, &theme, false, &memory).map_err(render_error)?;
    let mut files = memory.0.into_inner().expect("memory sink lock");
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let warnings = std::mem::take(&mut site.warnings);
    let report = Report {
        warnings,
        stats: stats(&site, count, started),
        output: None,
        notices: Vec::new(),
    };
    Ok((files, report))
}

/// `explainer build`: verify, then render each file straight into a staging
/// directory that replaces the output only when everything succeeded; then
/// keep `citations.lock` current (see [`build_locked`]).
pub fn build(opts: &Options) -> Result<Report, Failure> {
    build_locked(opts, false)
}

/// `explainer build [--locked]`: [`build`], which writes `citations.lock`
/// when it changes (the lines newly cited added, the lines no longer cited
/// dropped, no entry rewritten) and only after the site was written; with
/// `locked`, a lock that would change fails the build (exit 1) before
/// anything is written.
pub fn build_locked(opts: &Options, locked: bool) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, theme) = verify(&opts.root, opts.mode(true))?;
    let next = next_lock(&site, locked)?;
    // The lock as read is not needed again: freed before the render, whose
    // peak is the build's (10k site: 301-304 -> 296-297 MiB, 5 runs each).
    site.lock_read = None;
    // An output given with --output may lie outside the site; output_dir
    // may not (see `config`), not even through a symbolic link.
    let (output, outside_allowed) = match &opts.output {
        Some(out) => (out.clone(), true),
        None => (opts.root.join(&site.config.output_dir), false),
    };
    let real = write::output_place(&opts.root, &output, outside_allowed)?;
    let staging = write::Staging::new(&real)?;
    let t = Mark::now();
    let count = render::site(&site, &theme, site.config.minify, &staging).map_err(render_error)?;
    let t = timing::timing("render", t);
    let notices = staging.commit()?;
    if let Some(next) = next {
        write_lock(&opts.root, &next)?;
    }
    timing::timing("commit", t);
    let warnings = std::mem::take(&mut site.warnings);
    let stats = stats(&site, count, started);
    drop_later((site, theme));
    Ok(Report {
        warnings,
        stats,
        output: Some(output),
        notices,
    })
}

/// Drops a large value on another thread. Freeing a 10,000-page site takes
/// about 75 ms; the command line prints its summary and exits meanwhile
/// (the process's memory is returned whole), and a long-lived caller frees
/// it in the background.
fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The lock a verified site leaves: `None` when `citations.lock` is there
/// and would not change. With `locked`, a change is an error naming it.
pub(crate) fn next_lock(site: &resolve::Site, locked: bool) -> Result<Option<lock::Lock>, Failure> {
    if site
        .lock_read
        .as_ref()
        .is_some_and(|read| site.lock_unchanged(read))
    {
        return Ok(None);
    }
    // Compared in place: the lock read is as large as the lock (100,000
    // lines at 10,000 pages), and a copy of it was made for nothing.
    let current = site.lock();
    let (next, changes) = match &site.lock_read {
        Some(read) => read.updated(&current),
        None => lock::Lock::default().updated(&current),
    };
    let missing = site.lock_read.is_none();
    if changes.is_empty() && !missing {
        return Ok(None);
    }
    if locked {
        let what = if missing {
            format!("{} is missing: a build would write it", lock::FILE)
        } else {
            format!("{} would change: it {}", lock::FILE, changes.describe())
        };
        return Err(Failure::Content(vec![Diagnostic::file("E014", lock::FILE, what)
            .with_help("run `explainer build` without --locked, review the change to citations.lock and commit it")]));
    }
    Ok(Some(next))
}

/// Writes `citations.lock` beside `site.toml`: never through a symbolic
/// link (a link there is refused, exit 2), and whole or not at all (a new
/// file renamed over the old one).
pub(crate) fn write_lock(root: &Path, lock: &lock::Lock) -> Result<(), Failure> {
    let path = root.join(lock::FILE);
    let io = |e: std::io::Error, what: &str, p: &Path| {
        Failure::Io(anyhow::Error::new(e).context(format!("{what} {}", p.display())))
    };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Failure::Io(anyhow::anyhow!(
                "{} is a symbolic link; explainer never writes through one",
                path.display()
            )))
        }
        Ok(m) if !m.is_file() => {
            return Err(Failure::Io(anyhow::anyhow!(
                "{} is not a file",
                path.display()
            )))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e, "reading", &path)),
    }
    let text = lock.render();
    if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    // A temporary name per write: two builds of one process may write at once.
    write::replace_file(&path, text.as_bytes()).map_err(|e| io(e, "writing", &path))
}

/// `explainer lock`: verify everything but the lock, then record every cited
/// line in `citations.lock`.
pub fn lock(opts: &Options) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, _) = verify(
        &opts.root,
        load::Mode {
            drafts: opts.drafts,
            lock: false,
            html: false,
        },
    )?;
    write_lock(&opts.root, &site.lock())?;
    let warnings = std::mem::take(&mut site.warnings);
    Ok(Report {
        warnings,
        stats: stats(&site, 1, started),
        output: Some(opts.root.join(lock::FILE)),
        notices: Vec::new(),
    })
}
