//! What an interrupted build leaves behind, dealt with: an output left
//! mid-swap is put back, the leftovers of dead builds are removed, and a
//! tree of ours is removed (links inside never followed, its marker last).

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::paths::{fresh_staging, is_ours, kind, refuse_symlink};
use super::{MARKER, STAGING};

/// Under the lock: puts back an output that a build killed mid-swap left as
/// the previous output, and removes the leftovers of dead builds. What
/// cannot be removed is said in `notes`; a leftover that is not ours is left
/// alone.
pub(super) fn recover(out: &Path, previous: &Path, notes: &mut Vec<String>) -> Result<()> {
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
pub(super) fn remove_tree(dir: &Path) -> std::io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::super::atomically;
    use super::*;

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
}
