//! Writing the output: minify, stage, then swap in atomically.
//!
//! The build writes into a staging directory beside the output and swaps it
//! in only when every file is written, so a failed build leaves the previous
//! output untouched. It never deletes a directory it did not create: an
//! output directory is recognised by the marker file the build puts in it.
//!
//! Beside the output `NAME` live, all named after it:
//! - `.NAME.explainer-lock`: an advisory lock file, held by the build that
//!   writes the output (a second build waits for it), never deleted;
//! - `.NAME.explainer-staging.PID-N`: the staging folder of one build, and
//!   after the swap the old output on its way out;
//! - `.NAME.explainer-previous`: the old output between the two renames of
//!   a swap where the system cannot exchange two folders in one step.
//!
//! A build killed at any point leaves either the output or, mid-swap, the
//! previous output whole: the next build restores it and removes the
//! leftovers of dead builds (by their marker). Nothing is written, read or
//! deleted through a symbolic link: an output, lock or previous name that is
//! one is refused.

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

/// Marker file: holds no timestamp or path, so output stays byte-identical.
pub const MARKER: &str = ".explainer-output";
const MARKER_TEXT: &str = "This directory is written by `explainer build` and replaced on every build.\nFiles put here by hand are lost on the next build.\n";

const STAGING: &str = "explainer-staging";
const PREVIOUS: &str = "explainer-previous";
const LOCK: &str = "explainer-lock";

/// What is at `path` itself (a symbolic link is not followed), or `None`.
fn kind(path: &Path) -> Result<Option<fs::FileType>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta.file_type())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn refuse_symlink(path: &Path) -> Result<()> {
    if kind(path)?.is_some_and(|k| k.is_symlink()) {
        bail!(
            "{} is a symbolic link; the build never writes or deletes through one. Remove the link, or pass the real folder with --output",
            path.display()
        );
    }
    Ok(())
}

/// A real folder (not a link to one) holding the build's marker file.
fn is_ours(dir: &Path) -> bool {
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .next()
        .is_none())
}

/// Refuses an output path that exists and is not a build's output, or that
/// is a symbolic link.
pub fn check_output(dir: &Path) -> Result<()> {
    refuse_symlink(dir)?;
    if let Some(kind) = kind(dir)? {
        if !kind.is_dir() {
            bail!(
                "output path {} exists and is not a directory; refusing to replace it",
                dir.display()
            );
        }
        if !is_ours(dir) && !is_empty_dir(dir)? {
            bail!(
                "output directory {} is not empty and was not written by explainer (no {MARKER} file); refusing to replace it.\n  Choose another --output, or empty the directory yourself.",
                dir.display()
            );
        }
    }
    Ok(())
}

/// `path` made absolute, with every symbolic link in the part that exists
/// resolved, and `.` and `..` applied; the part that does not exist yet is
/// taken as written. Fails when the last component is a symbolic link.
pub fn real_path(path: &Path) -> Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current directory")?
            .join(path)
    };
    let last = absolute
        .components()
        .enumerate()
        .filter(|(_, c)| matches!(c, Component::Normal(_)))
        .map(|(i, _)| i)
        .last();
    let mut real = PathBuf::new();
    let mut exists = true;
    for (i, component) in absolute.components().enumerate() {
        match component {
            Component::Prefix(_) | Component::RootDir => real.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                real.push(name);
                if exists {
                    match kind(&real)? {
                        None => exists = false,
                        Some(k) if k.is_symlink() && Some(i) == last => {
                            refuse_symlink(&real)?;
                        }
                        Some(k) if k.is_symlink() => {
                            real = fs::canonicalize(&real)
                                .with_context(|| format!("resolving {}", real.display()))?;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    Ok(real)
}

/// Where `build` may write: `out` resolved by [`real_path`], refused when it
/// is the site root, holds it, or lies in its `content/`, `sources/` or
/// `themes/` (whatever markers say), or, unless `outside_allowed` (it was
/// given with `--output`), when it is not below the root.
pub fn output_place(root: &Path, out: &Path, outside_allowed: bool) -> Result<PathBuf> {
    let real_root =
        fs::canonicalize(root).with_context(|| format!("resolving {}", root.display()))?;
    let real = real_path(out)?;
    let refuse = |what: &str| -> Result<PathBuf> {
        bail!(
            "refusing to build into {}: it {what} the site {} (resolved: {}). The output folder is replaced whole on every build; choose a folder of its own, such as {}",
            out.display(),
            root.display(),
            real.display(),
            real_root.join("public").display()
        )
    };
    if real_root.starts_with(&real) {
        return refuse(if real == real_root {
            "is the site root of"
        } else {
            "holds"
        });
    }
    for folder in ["content", "sources", "themes"] {
        let inside = real_root.join(folder);
        let resolved = fs::canonicalize(&inside).unwrap_or_else(|_| inside.clone());
        if real.starts_with(&inside) || real.starts_with(&resolved) || resolved.starts_with(&real) {
            return refuse(&format!("is in the {folder}/ folder of"));
        }
    }
    if !outside_allowed && !real.starts_with(&real_root) {
        bail!(
            "output_dir {} leads outside the site {} (resolved: {}, through a symbolic link); pass --output DIR to build outside the site",
            out.display(),
            root.display(),
            real.display()
        );
    }
    Ok(real)
}

/// A sibling path `.NAME.SUFFIX` of `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("output path {} has no folder name", dir.display()))?;
    Ok(dir.with_file_name(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// A staging name no other process uses: `.NAME.explainer-staging.PID-N`.
fn fresh_staging(out: &Path) -> Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    sibling(out, &format!("{STAGING}.{}-{n}", std::process::id()))
}

/// Opens (creating it) and locks the output's lock file, waiting for the
/// build that holds it; never through a symbolic link.
fn lock_output(out: &Path) -> Result<fs::File> {
    let path = sibling(out, LOCK)?;
    refuse_symlink(&path)?;
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options
        .open(&path)
        .with_context(|| format!("opening the lock file {}", path.display()))?;
    if !try_lock(&file).with_context(|| format!("locking {}", path.display()))? {
        eprintln!(
            "waiting: another build is writing {} (it holds {}); this build goes on when it is done",
            out.display(),
            path.display()
        );
        lock(&file).with_context(|| format!("locking {}", path.display()))?;
    }
    Ok(file)
}

/// Takes the exclusive advisory lock of `file` if it is free (`flock`,
/// released when the file is closed, also when the process is killed).
#[cfg(unix)]
fn try_lock(file: &fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on an open descriptor; failure is reported.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        _ => Err(e),
    }
}

/// Waits for the exclusive advisory lock of `file`.
#[cfg(unix)]
fn lock(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: as in `try_lock`.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(not(unix))]
fn try_lock(_: &fs::File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(not(unix))]
fn lock(_: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Under the lock: puts back an output that a build killed mid-swap left as
/// the previous output, and removes the leftovers of dead builds. What
/// cannot be removed is said in `notes`; a leftover that is not ours is left
/// alone.
fn recover(out: &Path, previous: &Path, notes: &mut Vec<String>) -> Result<()> {
    refuse_symlink(previous)?;
    if kind(previous)?.is_some() {
        if !is_ours(previous) {
            bail!(
                "{} exists and was not written by explainer; move it away and build again",
                previous.display()
            );
        }
        if kind(out)?.is_none() {
            fs::rename(previous, out).with_context(|| {
                format!(
                    "restoring the output {} from {}",
                    out.display(),
                    previous.display()
                )
            })?;
            notes.push(format!(
                "restored {} from {}, left by a build that was interrupted",
                out.display(),
                previous.display()
            ));
        } else {
            // The output is there: this is an old output on its way out.
            let aside = fresh_staging(out)?;
            fs::rename(previous, &aside)
                .with_context(|| format!("moving {} aside", previous.display()))?;
        }
    }
    let Some(name) = out.file_name() else {
        return Ok(());
    };
    let exact = format!(".{}.{STAGING}", name.to_string_lossy());
    let prefix = format!("{exact}.");
    let parent = out.parent().unwrap_or(Path::new("."));
    for entry in fs::read_dir(parent).with_context(|| format!("reading {}", parent.display()))? {
        let entry = entry.with_context(|| format!("reading {}", parent.display()))?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name != exact && !file_name.starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        if !is_ours(&path) {
            notes.push(format!(
                "{} was not written by explainer; left alone",
                path.display()
            ));
        } else if let Err(e) = remove_tree(&path) {
            notes.push(format!(
                "could not remove {}, left by an earlier build: {e}",
                path.display()
            ));
        }
    }
    Ok(())
}

/// A staging directory beside the output: files go in as they are rendered;
/// `commit` swaps it in for the output. Dropped uncommitted (a failed build),
/// it is removed and the previous output is left as it was. It holds the
/// output's lock from its creation to the end of `commit` (or its drop).
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
    /// Folders made so far, as site paths (`a/b`): each is made once.
    made: Mutex<HashSet<String>>,
    /// Problems that did not stop the build (a leftover that could not be
    /// removed), to be printed as warnings.
    notes: Vec<String>,
    /// The output's lock, released when the staging is done.
    _lock: fs::File,
}

impl Staging {
    pub fn new(out: &Path) -> Result<Staging> {
        // Refused before anything is written beside it.
        check_output(out)?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let lock = lock_output(out)?;
        // Another build may have changed it while this one waited.
        check_output(out)?;
        let previous = sibling(out, PREVIOUS)?;
        let mut notes = Vec::new();
        recover(out, &previous, &mut notes)?;
        let dir = fresh_staging(out)?;
        fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let staging = Staging {
            out: out.to_path_buf(),
            dir,
            previous,
            committed: false,
            made: Mutex::new(HashSet::new()),
            notes,
            _lock: lock,
        };
        fs::write(staging.dir.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("writing {}", staging.dir.join(MARKER).display()))?;
        Ok(staging)
    }

    /// Swaps the staging directory in for the output. The old output is then
    /// removed; failing that is not a failed build (the new site is live)
    /// but a note in what is returned, for the caller to print as a warning.
    pub fn commit(mut self) -> Result<Vec<String>> {
        let out = self.out.clone();
        check_output(&out)?;
        let mut old = None;
        match kind(&out)? {
            Some(_) if is_ours(&out) => {
                if exchange(&self.dir, &out)? {
                    // The staging name now holds the old output.
                    self.committed = true;
                    old = Some(self.dir.clone());
                } else {
                    // Two renames: a kill between them leaves the previous
                    // output, which the next build restores.
                    fs::rename(&out, &self.previous).with_context(|| {
                        format!("moving the previous output {} aside", out.display())
                    })?;
                    if let Err(e) = fs::rename(&self.dir, &out) {
                        let _ = fs::rename(&self.previous, &out);
                        return Err(e).with_context(|| {
                            format!("moving the new output into {}", out.display())
                        });
                    }
                    self.committed = true;
                    // Under a staging name, the old output is a leftover
                    // that any later build removes.
                    old = Some(match fs::rename(&self.previous, &self.dir) {
                        Ok(()) => self.dir.clone(),
                        Err(_) => self.previous.clone(),
                    });
                }
            }
            Some(_) => {
                // check_output allowed it: an empty directory.
                fs::remove_dir(&out)
                    .with_context(|| format!("removing the empty directory {}", out.display()))?;
            }
            None => {}
        }
        if !self.committed {
            fs::rename(&self.dir, &out)
                .with_context(|| format!("moving the new output into {}", out.display()))?;
            self.committed = true;
        }
        if let Some(old) = old {
            if let Err(e) = remove_tree(&old) {
                self.notes.push(format!(
                    "the new site is in {}, but the previous output {} could not be removed: {e}",
                    out.display(),
                    old.display()
                ));
            }
        }
        Ok(std::mem::take(&mut self.notes))
    }
}

/// Exchanges two folders in one step (Linux `renameat2` with
/// `RENAME_EXCHANGE`); `false` where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .with_context(|| format!("a NUL byte in {}", p.display()))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths; the call reports failure.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e).with_context(|| format!("swapping {} in for {}", a.display(), b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool> {
    Ok(false)
}

impl Staging {
    /// The path of `path` in the staging directory, its folder made.
    fn prepare(&self, path: &str) -> Result<PathBuf> {
        // Every file stays inside the staging folder: a site path is plain
        // folder names (`..`, `.`, a leading `/` or an empty part would
        // write elsewhere or over another file).
        if path.is_empty()
            || path
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            || Path::new(path)
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            bail!("refusing to write {path:?}: not a plain path inside the output");
        }
        let target = self.dir.join(path);
        if let Some((folder, _)) = path.rsplit_once('/') {
            let known = self.made.lock().expect("dir set lock").contains(folder);
            if !known {
                let parent = self.dir.join(folder);
                fs::create_dir_all(&parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
                self.made
                    .lock()
                    .expect("dir set lock")
                    .insert(folder.to_string());
            }
        }
        Ok(target)
    }
}

impl Sink for Staging {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<()> {
        let target = self.prepare(&path)?;
        fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))
    }

    fn put_with(
        &self,
        path: String,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let target = self.prepare(&path)?;
        let mut file =
            fs::File::create(&target).with_context(|| format!("creating {}", target.display()))?;
        fill(&mut file).with_context(|| format!("writing {}", target.display()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Makes `remove_tree` fail, for tests of what follows.
    static FAIL_REMOVE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Removes a directory tree of ours, its second level in parallel (a large
/// site's previous output holds tens of thousands of folders). The marker
/// goes last, so that a removal cut short leaves a folder still known as
/// ours, which a later build removes. Symbolic links inside are removed,
/// never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    #[cfg(test)]
    if FAIL_REMOVE.with(|f| f.get()) {
        return Err(std::io::Error::new(
            ErrorKind::PermissionDenied,
            "removal made to fail by a test",
        ));
    }
    let mut first = Vec::new();
    let mut second = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        let is_dir = entry.file_type()?.is_dir();
        if is_dir {
            for child in fs::read_dir(entry.path())? {
                second.push(child?.path());
            }
        }
        first.push((entry.path(), is_dir));
    }
    let remove = |p: &PathBuf, is_dir: bool| {
        if is_dir {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        }
    };
    second.par_iter().try_for_each(|p| {
        let is_dir = fs::symlink_metadata(p)?.is_dir();
        remove(p, is_dir)
    })?;
    first
        .iter()
        .try_for_each(|(p, is_dir)| remove(p, *is_dir))?;
    match fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// Writes `files` into a fresh staging directory and swaps it in for `out`.
pub fn atomically(out: &Path, files: &[Output]) -> Result<Vec<String>> {
    let staging = Staging::new(out)?;
    for (path, bytes) in files {
        Sink::put(&staging, path.clone(), bytes.clone())?;
    }
    staging.commit()
}

/// One output file: path relative to the output dir (with `/`), and bytes.
pub type Output = (String, Vec<u8>);

/// Where rendered files go: the build's staging directory, or memory for
/// `serve`. Called from many threads at once.
pub trait Sink: Sync {
    fn put(&self, path: String, bytes: Vec<u8>) -> anyhow::Result<()>;

    /// A large file, written in parts by `fill` as they are made.
    fn put_with(
        &self,
        path: String,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.put(path, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_non_empty_dir_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep me").unwrap();
        let err = atomically(&out, &[("index.html".into(), b"x".to_vec())]).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("precious.txt")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn output_is_replaced_whole_and_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        atomically(
            &out,
            &[
                ("a/index.html".into(), b"one".to_vec()),
                ("old.txt".into(), b"o".to_vec()),
            ],
        )
        .unwrap();
        atomically(&out, &[("a/index.html".into(), b"two".to_vec())]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.txt").exists());
        assert!(out.join(MARKER).is_file());
        let mut leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        leftovers.sort();
        assert_eq!(leftovers, [".public.explainer-lock", "public"]);
    }

    #[test]
    fn bug_04_an_output_left_mid_swap_is_restored_even_if_the_build_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        atomically(&out, &[("index.html".into(), b"old".to_vec())]).unwrap();
        // Killed between `out -> previous` and `staging -> out`.
        fs::rename(&out, tmp.path().join(".public.explainer-previous")).unwrap();
        let staging = Staging::new(&out).unwrap();
        Sink::put(&staging, "index.html".into(), b"new".to_vec()).unwrap();
        drop(staging); // a build that failed while rendering
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!tmp.path().join(".public.explainer-previous").exists());
    }

    #[test]
    fn bug_04_the_fallback_swap_leaves_no_previous_output_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        atomically(&out, &[("a/index.html".into(), b"old".to_vec())]).unwrap();
        let staging = Staging::new(&out).unwrap();
        Sink::put(&staging, "a/index.html".into(), b"new".to_vec()).unwrap();
        // The two-rename path, as on a system without RENAME_EXCHANGE.
        fs::rename(&out, &staging.previous).unwrap();
        fs::rename(&staging.dir, &out).unwrap();
        fs::rename(&staging.previous, &staging.dir).unwrap();
        // Killed before removing the old output: nothing more is done.
        let mut staging = staging;
        staging.committed = true;
        drop(staging);
        atomically(&out, &[("a/index.html".into(), b"third".to_vec())]).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("a/index.html")).unwrap(),
            "third"
        );
        let mut names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, [".public.explainer-lock", "public"]);
    }

    #[test]
    fn bug_05_an_old_output_that_cannot_be_removed_is_a_note_not_a_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        atomically(&out, &[("index.html".into(), b"old".to_vec())]).unwrap();
        FAIL_REMOVE.with(|f| f.set(true));
        let notes = atomically(&out, &[("index.html".into(), b"new".to_vec())]);
        FAIL_REMOVE.with(|f| f.set(false));
        let notes = notes.expect("the swap succeeded: not a failure");
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("could not be removed"), "{notes:?}");
        // The next build removes the leftover.
        let notes = atomically(&out, &[("index.html".into(), b"third".to_vec())]).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_site_path_that_leaves_the_staging_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        for path in ["../x", "sources/../index.html", "/etc/x", "a//b", "./a", ""] {
            let e = atomically(&out, &[(path.into(), b"x".to_vec())]).unwrap_err();
            assert!(e.to_string().contains("refusing"), "{path}: {e}");
        }
        assert!(!out.exists());
        assert!(!tmp.path().join("x").exists());
    }

    #[test]
    fn bug_03_real_paths_resolve_links_and_refuse_a_final_link() {
        let tmp = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir(real.join("dir")).unwrap();
        std::os::unix::fs::symlink(real.join("dir"), real.join("link")).unwrap();
        assert_eq!(
            real_path(&real.join("link/new/../x")).unwrap(),
            real.join("dir/x")
        );
        assert_eq!(real_path(&real.join("dir/./..")).unwrap(), real);
        let e = real_path(&real.join("link")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let e = real_path(&real.join("link/.")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn empty_existing_dir_is_used() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        atomically(&out, &[("index.html".into(), b"x".to_vec())]).unwrap();
        assert!(out.join("index.html").is_file());
    }
}
