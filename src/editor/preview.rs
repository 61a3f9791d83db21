//! The model behind `serve`: the site verified after every change, its files
//! rendered when they are asked for.
//!
//! A rebuild re-reads only the files that changed (the loader's cache),
//! verifies the whole site again, and renders eagerly only what the change
//! can break: the edited pages, or everything when the theme or `site.toml`
//! changed. Every other file is rendered on its first request from the new
//! site model, so claims pages, provenance pages and indexes are never stale
//! and never rendered unless someone looks at them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::render::{Job, Plan, Theme, SEARCH_BUNDLE};
use crate::resolve::{self, Site};
use crate::{load, Failure, Options, Report};

/// One good build: the verified site and the files rendered from it so far.
pub struct Generation {
    site: Site,
    theme: Arc<Theme>,
    plan: Plan,
    /// Every job of the plan.
    list: Vec<Job>,
    /// Every file of the site, and the job that renders it (shared with the
    /// next build when its files are the same).
    jobs: Arc<HashMap<String, Job>>,
    rendered: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl Generation {
    /// `previous`: the last good build, whose work is reused where the
    /// change left it valid.
    fn new(site: Site, theme: Arc<Theme>, previous: Option<&Generation>) -> Generation {
        // A preview is not published: no minification, for a faster reload.
        let plan = Plan::after(&site, &theme, false, previous.map(|g| (&g.site, &g.plan)));
        let list = plan.jobs(&site);
        let jobs = match previous.filter(|g| same_files(g, &list, &site, &theme)) {
            Some(g) => Arc::clone(&g.jobs),
            None => Arc::new(
                list.iter()
                    .flat_map(|&job| {
                        plan.paths(&site, &theme, job)
                            .into_iter()
                            .map(move |path| (path, job))
                    })
                    .collect(),
            ),
        };
        Generation {
            site,
            theme,
            plan,
            list,
            jobs,
            rendered: Mutex::new(HashMap::new()),
        }
    }

    /// The verified site this build renders.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Is there a file at `path`?
    pub fn has(&self, path: &str) -> bool {
        self.jobs.contains_key(path)
    }

    /// Every file of the site.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.jobs.keys().map(String::as_str)
    }

    /// The file at `path`, rendered now if it has not been yet; `None` when
    /// the site has no such file, an error when its template fails.
    pub fn file(&self, path: &str) -> Option<Result<Arc<Vec<u8>>, Diagnostic>> {
        if let Some(bytes) = self.lock().get(path) {
            return Some(Ok(Arc::clone(bytes)));
        }
        if path.starts_with(SEARCH_BUNDLE) {
            return self.search_file(path);
        }
        let job = *self.jobs.get(path)?;
        Some(self.run(job).map(|()| {
            let rendered = self.lock();
            Arc::clone(
                rendered
                    .get(path)
                    .expect("a job renders every path it lists"),
            )
        }))
    }

    /// A file of the search index: the index is built on the first request
    /// of one (never by a rebuild), and its files kept with this build's.
    fn search_file(&self, path: &str) -> Option<Result<Arc<Vec<u8>>, Diagnostic>> {
        let index = self.list.contains(&Job::SearchIndex);
        let built = self.lock().keys().any(|p| p.starts_with(SEARCH_BUNDLE));
        if index && !built {
            if let Err(d) = self.run(Job::SearchIndex) {
                return Some(Err(d));
            }
        }
        self.lock().get(path).map(|b| Ok(Arc::clone(b)))
    }

    /// Has the search index been built (on a request of one of its files)?
    pub fn search_index_built(&self) -> bool {
        !self.search_paths().is_empty()
    }

    /// The files of the search index built so far (none before a request).
    fn search_paths(&self) -> Vec<String> {
        self.lock()
            .keys()
            .filter(|p| p.starts_with(SEARCH_BUNDLE))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<u8>>>> {
        self.rendered.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(&self, job: Job) -> Result<(), Diagnostic> {
        let files = self.plan.render(&self.site, &self.theme, job)?;
        let mut rendered = self.lock();
        for (path, bytes) in files {
            rendered.insert(path, Arc::new(bytes));
        }
        Ok(())
    }

    /// Renders `jobs` now (in parallel); all their template errors, sorted.
    fn render_now(&self, jobs: Vec<Job>) -> Result<(), Vec<Diagnostic>> {
        let mut errors: Vec<Diagnostic> = jobs
            .into_par_iter()
            .filter_map(|job| self.run(job).err())
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        errors.dedup();
        Err(errors)
    }
}

/// Does the build of `site` (whose jobs are `jobs`) have the same files as
/// `g`? The paths of a job depend only on its page's URL, its source's id
/// and file name, or the theme's static files; listing every path again is
/// a large part of a rebuild on a large site, and most edits change none.
fn same_files(g: &Generation, jobs: &[Job], site: &Site, theme: &Theme) -> bool {
    g.list == jobs
        && Arc::ptr_eq(&g.site.sources, &site.sources)
        && g.site.pages.len() == site.pages.len()
        && g.site
            .pages
            .iter()
            .zip(&site.pages)
            .all(|(a, b)| a.page.url == b.page.url)
        && g.theme.statics.keys().eq(theme.statics.keys())
}

/// The live preview of one site.
pub struct Preview {
    opts: Options,
    cache: load::Cache,
    memo: resolve::Memo,
    current: Option<Arc<Generation>>,
    /// The next rebuild's list of changes is complete (see [`Preview::report_complete`]).
    complete: bool,
    /// A theme file or `site.toml` changed since the current build was made.
    chrome_changed: bool,
}

/// Does a change to `path` (below `root`) touch how every page looks?
fn touches_chrome(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.starts_with("themes") || rel == Path::new(crate::load::config::FILE)
}

impl Preview {
    pub fn new(opts: Options) -> Preview {
        Preview {
            opts,
            cache: load::Cache::default(),
            memo: resolve::Memo::default(),
            current: None,
            complete: false,
            chrome_changed: false,
        }
    }

    /// The watcher's word that the paths the next rebuild is given are every
    /// change since the last rebuild began: that rebuild then re-reads only
    /// those, without checking the site's other files (thousands on a large
    /// site). Said only while the watcher ran the whole time and lost no event.
    pub fn report_complete(&mut self) {
        self.complete = true;
    }

    /// Forgets everything: the next rebuild reads, verifies and renders the
    /// whole site again (after a rebuild that panicked half way).
    pub fn reset(&mut self) {
        *self = Preview::new(self.opts.clone());
    }

    /// The last good build.
    pub fn current(&self) -> Option<Arc<Generation>> {
        self.current.clone()
    }

    /// Rebuilds after the files in `changed` changed (the first call builds
    /// everything). On success the new build is current; on failure the
    /// last good one stays.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Report, Failure> {
        let started = Instant::now();
        let root = std::fs::canonicalize(&self.opts.root).unwrap_or(self.opts.root.clone());
        self.cache.forget(changed);
        if std::mem::take(&mut self.complete) {
            self.cache.reported(changed);
        }
        let everything = self.current.is_none()
            || changed
                .iter()
                .any(|p| touches_chrome(&root, p) || touches_chrome(&self.opts.root, p));
        // The current build's theme serves again unless a theme file or
        // site.toml changed since it was loaded (in this or a failed rebuild).
        self.chrome_changed |= everything;
        let kept = self
            .current
            .as_ref()
            .filter(|_| !self.chrome_changed)
            .map(|g| Arc::clone(&g.theme));
        let (mut site, theme) = crate::verify_cached(
            &mut self.cache,
            Some(&mut self.memo),
            kept,
            &self.opts.root,
            self.opts.mode(true),
        )?;
        let warnings = std::mem::take(&mut site.warnings);
        let generation = Generation::new(site, theme, self.current.as_deref());
        let jobs = if everything {
            // The search index is built when it is first asked for.
            let mut jobs = generation.list.clone();
            jobs.retain(|j| *j != Job::SearchIndex);
            jobs
        } else {
            // The pages whose text changed since the last good build. The
            // templates did not change, so other files render as before; one
            // that fails anyway shows its error when it is requested.
            let before: HashSet<*const crate::load::page::ParsedPage> = self
                .current
                .iter()
                .flat_map(|g| g.site.pages.iter().map(|p| Arc::as_ptr(&p.page)))
                .collect();
            (0..generation.site.pages.len())
                .filter(|&i| !before.contains(&Arc::as_ptr(&generation.site.pages[i].page)))
                .map(Job::Page)
                .collect()
        };
        generation.render_now(jobs).map_err(Failure::Content)?;
        let stats = crate::stats(&generation.site, generation.jobs.len(), started);
        self.current = Some(Arc::new(generation));
        self.chrome_changed = false;
        Ok(Report {
            warnings,
            stats,
            output: None,
            notices: Vec::new(),
        })
    }
}

/// Every file of the current build, rendered: for tests that compare a
/// preview with a full build.
pub fn all_files(generation: &Generation) -> Result<Vec<crate::write::Output>, Diagnostic> {
    let mut paths: Vec<String> = generation.paths().map(str::to_string).collect();
    for p in &paths {
        generation.file(p).expect("listed paths exist")?;
    }
    // The index's files are known once it is built (requesting its listed file built it).
    paths.extend(generation.search_paths());
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| {
            let bytes = generation.file(&p).expect("listed paths exist")?;
            Ok((p, bytes.to_vec()))
        })
        .collect()
}
