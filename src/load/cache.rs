//! The loader's cache: parsed pages and sources kept between loads (`serve`
//! keeps one between rebuilds; a one-shot build keeps nothing), each file read
//! again only when its length or modification time changes, or when the
//! watcher names it. When the watcher vouches that it named every change
//! (`Cache::reported`), files it did not name are not even stat-ed, and the
//! folders are not walked again unless a file came or went.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::*;
use crate::diagnostic::Diagnostic;

mod pages;
use pages::KeptPages;

/// What identifies a version of a file without reading it: its length and
/// modification time. An edit that keeps both is caught by the watcher,
/// which names the path (`Cache::forget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }

    fn now(path: &Path) -> Option<Stamp> {
        fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }
}

/// Reads a file and the stamp it had when it was opened (so an edit during
/// the read leaves a stale stamp, and the next load reads it again).
fn read_stamped(path: &Path) -> Result<(Vec<u8>, Stamp)> {
    let read = || -> std::io::Result<(Vec<u8>, Stamp)> {
        let mut file = fs::File::open(path)?;
        let stamp = Stamp::of(&file.metadata()?);
        let mut bytes = Vec::with_capacity(stamp.len as usize);
        // Through `take`: `File::read_to_end` would ask the system for the
        // file's size and position again (two more calls for every page and
        // source read) to size a buffer that is already sized.
        (&mut file).take(u64::MAX).read_to_end(&mut bytes)?;
        Ok((bytes, stamp))
    };
    read().with_context(|| format!("reading {}", path.display()))
}

/// A content file, parsed: the page and its text, or its diagnostics.
type PageLoad = std::result::Result<(Arc<ParsedPage>, PageText), Vec<Diagnostic>>;
/// A source file, loaded, with its E009 if it is not UTF-8.
type SourceLoad = (Source, Option<Diagnostic>);

/// `sources/sources.toml` parsed (`None`: there is none), or its E006.
type ManifestLoad = std::result::Result<Option<Manifest>, Diagnostic>;

/// The sources after the manifest was applied, and what they were made from.
struct Applied {
    /// The listing of `sources/` they were loaded from.
    listing: Arc<Listing>,
    files: Vec<Arc<SourceLoad>>,
    manifest: Option<Stamp>,
    parsed: Arc<ManifestLoad>,
    sources: Arc<Vec<Source>>,
    diags: Vec<Diagnostic>,
}

/// Parsed files kept between loads, so that `serve` re-reads and re-parses
/// only what changed since the last build. A one-shot build keeps nothing.
#[derive(Default)]
pub struct Cache {
    /// Keep nothing: load once, without copies.
    one_shot: bool,
    html: bool,
    pages: HashMap<PathBuf, (Stamp, Arc<PageLoad>)>,
    sources: HashMap<PathBuf, (Stamp, Arc<SourceLoad>)>,
    applied: Option<Applied>,
    /// The pages the last load returned, if none failed to parse.
    kept_pages: Option<KeptPages>,
    lock: Option<KeptLock>,
    /// The last listing of `sources/` and of `content/`, by folder.
    listings: HashMap<PathBuf, Arc<Listing>>,
    /// Every path that changed since the last load, as the watcher reported
    /// them (`None`: not known, so every file is checked).
    reported: Option<HashSet<PathBuf>>,
}

/// A folder's files with one extension: (absolute path, relative path).
type Listing = Vec<(PathBuf, String)>;

/// `citations.lock` as last read: its stamp (`None`: there was none), the
/// lock, and its E006 if it was invalid. On a large site it is the largest
/// file read, and most rebuilds leave it alone.
struct KeptLock {
    stamp: Option<Stamp>,
    lock: Option<Arc<Lock>>,
    diags: Vec<Diagnostic>,
}

impl Cache {
    /// A cache for one load: nothing is kept and nothing copied.
    pub fn one_shot() -> Cache {
        Cache {
            one_shot: true,
            ..Cache::default()
        }
    }

    /// Drops what is kept of these files (the watcher saw them change).
    pub fn forget(&mut self, paths: &[PathBuf]) {
        for path in paths {
            self.pages.remove(path);
            self.sources.remove(path);
            if path.ends_with(source::MANIFEST) {
                self.applied = None;
            }
            if path.ends_with(lock::FILE) {
                self.lock = None;
            }
        }
    }

    /// The watcher's word that `paths` are all that changed since the last
    /// load began (it watched the whole time and lost no event): the next
    /// load trusts it. Paths must be absolute, below the root the load is
    /// given; otherwise the load checks every file as usual.
    pub fn reported(&mut self, paths: &[PathBuf]) {
        self.reported = Some(paths.iter().cloned().collect());
    }

    /// The files of `dir` with extension `ext`: the last listing when the
    /// watcher's report shows no file of it came or went, else a new walk.
    fn listing(&mut self, dir: &Path, ext: &str) -> Result<Arc<Listing>> {
        if let (Some(reported), Some(last)) = (&self.reported, self.listings.get(dir)) {
            if same_files(last, dir, ext, reported) {
                return Ok(Arc::clone(last));
            }
        }
        let listing = Arc::new(files_with_ext(dir, ext)?);
        if !self.one_shot {
            self.listings
                .insert(dir.to_path_buf(), Arc::clone(&listing));
        }
        Ok(listing)
    }

    /// The cached value for `path` if its stamp is unchanged (or, with a
    /// complete report, if the watcher did not name it); otherwise the file
    /// is read and `parse`d.
    fn get<T>(
        cached: &HashMap<PathBuf, (Stamp, Arc<T>)>,
        reported: Option<&HashSet<PathBuf>>,
        path: &Path,
        parse: impl FnOnce(Vec<u8>) -> Result<T>,
    ) -> Result<(Stamp, Arc<T>)> {
        if let Some((stamp, value)) = cached.get(path) {
            let unchanged = match reported {
                Some(changed) => !changed.contains(path),
                None => Stamp::now(path) == Some(*stamp),
            };
            if unchanged {
                return Ok((*stamp, Arc::clone(value)));
            }
        }
        let (bytes, stamp) = read_stamped(path)?;
        Ok((stamp, Arc::new(parse(bytes)?)))
    }

    fn sources(&mut self, root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Arc<Vec<Source>>> {
        let dir = root.join("sources");
        let files = self.listing(&dir, "txt")?;
        // The watcher named nothing in `sources/` (the manifest included).
        if let (Some(reported), Some(a)) = (&self.reported, &self.applied) {
            if Arc::ptr_eq(&a.listing, &files) && !reported.iter().any(|p| p.starts_with(&dir)) {
                diags.extend(a.diags.iter().cloned());
                return Ok(Arc::clone(&a.sources));
            }
        }
        let manifest_path = root.join(source::MANIFEST);
        let manifest_stamp = Stamp::now(&manifest_path);
        let kept_manifest = self
            .applied
            .as_ref()
            .filter(|a| a.manifest == manifest_stamp)
            .map(|a| Arc::clone(&a.parsed));
        // The manifest is parsed while the files are read: on a large site
        // it is a long file, and its parse would otherwise run alone.
        let (loaded, parsed) = rayon::join(
            || self.source_files(&files),
            || match kept_manifest {
                Some(parsed) => Ok(parsed),
                None => manifest(&manifest_path, manifest_stamp).map(Arc::new),
            },
        );
        let (loaded, parsed) = (loaded?, parsed?);
        if !self.one_shot {
            self.sources = loaded
                .iter()
                .map(|(path, stamp, load)| (path.clone(), (*stamp, Arc::clone(load))))
                .collect();
        }
        let loads: Vec<Arc<SourceLoad>> = loaded.into_iter().map(|(_, _, l)| l).collect();

        if let Some(a) = &self.applied {
            let same = a.manifest == manifest_stamp
                && a.files.len() == loads.len()
                && a.files.iter().zip(&loads).all(|(x, y)| Arc::ptr_eq(x, y));
            if same {
                diags.extend(a.diags.iter().cloned());
                let sources = Arc::clone(&a.sources);
                if let Some(a) = &mut self.applied {
                    a.listing = files;
                }
                return Ok(sources);
            }
        }
        let mut applied_diags: Vec<Diagnostic> =
            loads.iter().filter_map(|load| load.1.clone()).collect();
        // The manifest changes the sources (ids, metadata): a kept cache
        // keeps the files as read and applies it to copies.
        let (mut out, loads): (Vec<Source>, _) = if self.one_shot {
            let out = loads
                .into_iter()
                .map(|load| match Arc::try_unwrap(load) {
                    Ok((source, _)) => source,
                    Err(shared) => shared.0.clone(),
                })
                .collect();
            (out, Vec::new())
        } else {
            (loads.par_iter().map(|load| load.0.clone()).collect(), loads)
        };
        let manifest = match &*parsed {
            Ok(m) => m.as_ref(),
            Err(d) => {
                applied_diags.push(d.clone());
                None
            }
        };
        source::apply_manifest(&mut out, manifest, &mut applied_diags);
        let sources = Arc::new(out);
        diags.extend(applied_diags.iter().cloned());
        if !self.one_shot {
            self.applied = Some(Applied {
                listing: files,
                files: loads,
                manifest: manifest_stamp,
                parsed,
                sources: Arc::clone(&sources),
                diags: applied_diags,
            });
        }
        Ok(sources)
    }

    /// Reads and splits the source files not cached with the same stamp.
    fn source_files(
        &self,
        files: &[(PathBuf, String)],
    ) -> Result<Vec<(PathBuf, Stamp, Arc<SourceLoad>)>> {
        files
            .par_iter()
            .map(|(path, rel)| {
                let (stamp, load) =
                    Self::get(&self.sources, self.reported.as_ref(), path, |bytes| {
                        Ok(Source::from_vec(rel, bytes))
                    })?;
                Ok((path.clone(), stamp, load))
            })
            .collect()
    }

    /// Loads the whole site, re-reading only files changed since the last
    /// load. Content problems go to `diags`; what could be read is returned
    /// so that resolution can report its own problems too.
    pub fn site(&mut self, root: &Path, mode: Mode, diags: &mut Vec<Diagnostic>) -> Result<Input> {
        // The watcher's report speaks of absolute paths below the root.
        let usable =
            |r: &HashSet<PathBuf>| root.is_absolute() && r.iter().all(|p| p.starts_with(root));
        if !self.reported.as_ref().is_some_and(usable) {
            self.reported = None;
        }
        let input = self.load(root, mode, diags);
        self.reported = None;
        input
    }

    fn load(&mut self, root: &Path, mode: Mode, diags: &mut Vec<Diagnostic>) -> Result<Input> {
        let t = crate::timing::Mark::now();
        let config = config(root, diags)?;
        let sources = self.sources(root, diags)?;
        let t = crate::timing::timing("sources", t);
        let pages = self.pages(root, mode.drafts, mode.html, diags)?;
        crate::timing::timing("pages", t);
        let roster = roster(root, diags)?;
        let lock = if mode.lock {
            self.lock(root, diags)?
        } else {
            None
        };
        Ok(Input {
            config,
            sources,
            pages,
            roster,
            lock,
        })
    }

    /// `citations.lock`, read again only when its stamp changed.
    fn lock(&mut self, root: &Path, diags: &mut Vec<Diagnostic>) -> Result<Option<Arc<Lock>>> {
        // The stamp is taken before the read: an edit during the read
        // leaves a stale stamp, and the next load reads the file again.
        let stamp = Stamp::now(&root.join(lock::FILE));
        if let Some(kept) = self.lock.as_ref().filter(|k| k.stamp == stamp) {
            diags.extend(kept.diags.iter().cloned());
            return Ok(kept.lock.clone());
        }
        let mut found = Vec::new();
        let lock = lock::read(root, &mut found)?.map(Arc::new);
        diags.extend(found.iter().cloned());
        if !self.one_shot {
            self.lock = Some(KeptLock {
                stamp,
                lock: lock.clone(),
                diags: found,
            });
        }
        Ok(lock)
    }
}

/// Does the watcher's report leave `last`, the listing of `dir`, as it is?
/// Not if a reported path is a new file with the extension, a folder (one
/// that came, or went), a listed file that is no longer a file, or a
/// vanished path that held listed files.
fn same_files(last: &Listing, dir: &Path, ext: &str, reported: &HashSet<PathBuf>) -> bool {
    reported.iter().filter(|p| p.starts_with(dir)).all(|p| {
        if p == dir {
            return false;
        }
        let listed = last.iter().any(|(q, _)| q == p);
        match fs::symlink_metadata(p) {
            Ok(meta) if meta.is_file() => {
                listed || p.extension().and_then(|e| e.to_str()) != Some(ext)
            }
            Ok(meta) if meta.is_dir() => false,
            // A link is never listed (the walk does not follow links).
            Ok(_) => !listed,
            Err(_) => !last.iter().any(|(q, _)| q.starts_with(p)),
        }
    })
}

/// Reads and parses the manifest; `stamp` is `None` when there is none.
fn manifest(path: &Path, stamp: Option<Stamp>) -> Result<ManifestLoad> {
    if stamp.is_none() {
        return Ok(Ok(None));
    }
    Ok(match read_text(path, source::MANIFEST)? {
        Ok(text) => Manifest::parse(text).map(Some),
        Err(d) => Err(d),
    })
}
