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

pub mod body;
pub mod cite;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod load;
pub mod lock;
pub mod markdown;
pub mod page;
pub mod preview;
pub mod render;
pub mod resolve;
pub mod roster;
pub mod scaffold;
pub mod serve;
pub mod source;
pub mod text;
pub mod url;
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

/// A point in the build for [`timing`]: wall clock, and the process's CPU
/// time and peak memory so far.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    wall: Instant,
    usage: Option<Usage>,
}

#[derive(Clone, Copy)]
struct Usage {
    user: Duration,
    sys: Duration,
    /// Peak resident set size in KiB.
    peak_rss: u64,
}

impl Mark {
    pub(crate) fn now() -> Mark {
        Mark {
            wall: Instant::now(),
            usage: usage(),
        }
    }
}

/// CPU time and peak RSS of the whole process so far.
#[cfg(unix)]
fn usage() -> Option<Usage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given, and reports failure.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Some(Usage {
        user: time(usage.ru_utime),
        sys: time(usage.ru_stime),
        // Linux reports KiB.
        peak_rss: usage.ru_maxrss.max(0) as u64,
    })
}

#[cfg(not(unix))]
fn usage() -> Option<Usage> {
    None
}

/// With `EXPLAINER_TIMINGS` set, each phase's wall time, the CPU time the
/// process spent in it (user and kernel, over all threads) and the peak RSS
/// at its end go to stderr, for profiling the build (see benches/).
pub(crate) fn timing(phase: &str, since: Mark) -> Mark {
    let now = Mark::now();
    if std::env::var_os("EXPLAINER_TIMINGS").is_some() {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let wall = ms(now.wall - since.wall);
        let cpu = match (since.usage, now.usage) {
            (Some(a), Some(b)) => format!(
                "  cpu {:>8.1} ms (user {:>8.1}, sys {:>8.1})  peak RSS {:>5} MiB",
                ms(b.user - a.user + b.sys - a.sys),
                ms(b.user - a.user),
                ms(b.sys - a.sys),
                b.peak_rss / 1024
            ),
            _ => String::new(),
        };
        eprintln!("timing: {phase:<8} {wall:>8.1} ms{cpu}");
    }
    now
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

/// Load and resolve: every check, nothing written.
fn verify(root: &Path, mode: load::Mode) -> Result<(resolve::Site, render::Theme), Failure> {
    verify_cached(&mut load::Cache::one_shot(), None, root, mode)
}

/// [`verify`], re-reading only the files changed since `cache` last loaded
/// and, with a `memo`, re-verifying only the pages whose inputs changed
/// since it was filled.
fn verify_cached(
    cache: &mut load::Cache,
    memo: Option<&mut resolve::Memo>,
    root: &Path,
    mode: load::Mode,
) -> Result<(resolve::Site, render::Theme), Failure> {
    let mut diags = Vec::new();
    let t = Mark::now();
    let input = cache.site(root, mode, &mut diags)?;
    let t = timing("load", t);
    let theme = match render::Theme::load(root, &input.config.theme)? {
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
    timing("resolve", t);
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
    let (mut site, theme) = verify(&opts.root, opts.mode(false))?;
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
struct Memory(std::sync::Mutex<Vec<render::Output>>);

impl render::Sink for Memory {
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
pub fn render(opts: &Options) -> Result<(Vec<render::Output>, Report), Failure> {
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
/// directory that replaces the output only when everything succeeded.
pub fn build(opts: &Options) -> Result<Report, Failure> {
    let started = Instant::now();
    let (mut site, theme) = verify(&opts.root, opts.mode(true))?;
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
    let t = timing("render", t);
    let notices = staging.commit()?;
    timing("commit", t);
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

/// What `check --fix` did.
#[derive(Debug)]
pub struct FixReport {
    /// Citations rewritten (or, in a dry run, that would be).
    pub applied: Vec<fix::Applied>,
    /// Diagnostics left after the fixes: ambiguous or missing quotes and the rest.
    pub remaining: Vec<Diagnostic>,
    /// `citations.lock` was refreshed.
    pub lock_written: bool,
    /// A lock exists but could not be refreshed because errors remain.
    pub lock_stale: bool,
}

/// `explainer check --fix [--dry-run]`: rewrite the line numbers of citations
/// whose quote (or locked line) now stands on exactly one other line.
pub fn fix(opts: &Options, dry_run: bool) -> Result<FixReport, Failure> {
    let mode = load::Mode {
        drafts: opts.drafts,
        lock: true,
        html: false,
    };
    let diags = match verify(&opts.root, mode) {
        Ok((mut site, _)) => {
            return Ok(FixReport {
                applied: Vec::new(),
                remaining: std::mem::take(&mut site.warnings),
                lock_written: false,
                lock_stale: false,
            })
        }
        Err(Failure::Content(diags)) => diags,
        Err(e) => return Err(e),
    };
    let applied = fix::apply(&opts.root, &diags, dry_run)?;
    if dry_run || applied.is_empty() {
        let remaining = diags.into_iter().filter(|d| d.fix.is_none()).collect();
        return Ok(FixReport {
            applied,
            remaining,
            lock_written: false,
            lock_stale: false,
        });
    }
    let had_lock = opts.root.join(lock::FILE).is_file();
    match verify(&opts.root, mode) {
        Ok((mut site, _)) => {
            if had_lock {
                write_lock(&opts.root, &site)?;
            }
            Ok(FixReport {
                applied,
                remaining: std::mem::take(&mut site.warnings),
                lock_written: had_lock,
                lock_stale: false,
            })
        }
        Err(Failure::Content(remaining)) => Ok(FixReport {
            applied,
            remaining,
            lock_written: false,
            lock_stale: had_lock,
        }),
        Err(e) => Err(e),
    }
}

fn write_lock(root: &Path, site: &resolve::Site) -> Result<(), Failure> {
    let path = root.join(lock::FILE);
    std::fs::write(&path, lock::Lock::of(site).render()).map_err(|e| {
        Failure::Io(anyhow::Error::new(e).context(format!("writing {}", path.display())))
    })
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
    write_lock(&opts.root, &site)?;
    let warnings = std::mem::take(&mut site.warnings);
    Ok(Report {
        warnings,
        stats: stats(&site, 1, started),
        output: Some(opts.root.join(lock::FILE)),
        notices: Vec::new(),
    })
}
