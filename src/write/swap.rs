//! Staging and the swap: the build writes into a staging folder beside the
//! output, then swaps it in for the output in one step (`renameat2` with
//! `RENAME_EXCHANGE`) or, where the system cannot, in two renames that the
//! next build can recover from.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

use super::lock::lock_output;
use super::paths::{check_output, fresh_staging, is_ours, kind, sibling};
use super::recover::{recover, remove_tree};
use super::{Sink, MARKER, MARKER_TEXT, PREVIOUS};

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
mod tests {
    use super::super::atomically;
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
    fn empty_existing_dir_is_used() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        atomically(&out, &[("index.html".into(), b"x".to_vec())]).unwrap();
        assert!(out.join("index.html").is_file());
    }
}
