//! Writing the output: minify, stage, then swap in atomically.
//!
//! The build writes into a staging directory beside the output and swaps it
//! in only when every file is written, so a failed build leaves the previous
//! output untouched. It never deletes a directory it did not create: an
//! output directory is recognised by the marker file the build puts in it.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

/// Marker file: holds no timestamp or path, so output stays byte-identical.
pub const MARKER: &str = ".explainer-output";
const MARKER_TEXT: &str = "This directory is written by `explainer build` and replaced on every build.\nFiles put here by hand are lost on the next build.\n";

fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .next()
        .is_none())
}

/// Refuses an output path that exists and is not a build's output.
pub fn check_output(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
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

/// A sibling path `.NAME.SUFFIX` of `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("output path {} has no folder name", dir.display()))?;
    Ok(dir.with_file_name(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// Removes a leftover staging or previous directory, but only one of ours.
fn clear_leftover(path: &Path) -> Result<()> {
    if path.exists() {
        if !is_ours(path) {
            bail!(
                "{} exists and was not written by explainer; move it away and build again",
                path.display()
            );
        }
        fs::remove_dir_all(path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(())
}

/// A staging directory beside the output: files go in as they are rendered;
/// `commit` swaps it in for the output. Dropped uncommitted (a failed build),
/// it is removed and the previous output is left as it was.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
    /// Folders made so far, as site paths (`a/b`): each is made once.
    made: Mutex<HashSet<String>>,
}

impl Staging {
    pub fn new(out: &Path) -> Result<Staging> {
        check_output(out)?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let dir = sibling(out, "explainer-staging")?;
        let previous = sibling(out, "explainer-previous")?;
        clear_leftover(&dir)?;
        clear_leftover(&previous)?;
        fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        fs::write(dir.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("writing {}", dir.join(MARKER).display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            previous,
            committed: false,
            made: Mutex::new(HashSet::new()),
        })
    }

    /// Swaps the staging directory in for the output.
    pub fn commit(mut self) -> Result<()> {
        let out = &self.out;
        if out.exists() {
            if is_ours(out) {
                fs::rename(out, &self.previous).with_context(|| {
                    format!("moving the previous output {} aside", out.display())
                })?;
            } else {
                // check_output allowed it: an empty directory.
                fs::remove_dir(out)
                    .with_context(|| format!("removing the empty directory {}", out.display()))?;
            }
        }
        fs::rename(&self.dir, out)
            .with_context(|| format!("moving the new output into {}", out.display()))?;
        self.committed = true;
        if self.previous.exists() {
            remove_tree(&self.previous).with_context(|| {
                format!("removing the previous output {}", self.previous.display())
            })?;
        }
        Ok(())
    }
}

impl Staging {
    /// The path of `path` in the staging directory, its folder made.
    fn prepare(&self, path: &str) -> Result<PathBuf> {
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
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a directory tree of ours, its second level in parallel (a large
/// site's previous output holds tens of thousands of folders).
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut second = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            for child in fs::read_dir(entry.path())? {
                second.push(child?.path());
            }
        }
    }
    second.par_iter().try_for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        }
    })?;
    fs::remove_dir_all(dir)
}

/// Writes `files` into a fresh staging directory and swaps it in for `out`.
pub fn atomically(out: &Path, files: &[Output]) -> Result<()> {
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
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
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
