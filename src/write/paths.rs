//! Where the output may be: its real path (symbolic links resolved, a
//! final link refused), the places it may never be (the site, its inputs),
//! the refusal of a folder that is not a build's output, and the names the
//! build uses beside it.

use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{MARKER, STAGING};

/// What is at `path` itself (a symbolic link is not followed), or `None`.
pub(super) fn kind(path: &Path) -> Result<Option<fs::FileType>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta.file_type())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub(super) fn refuse_symlink(path: &Path) -> Result<()> {
    if kind(path)?.is_some_and(|k| k.is_symlink()) {
        bail!(
            "{} is a symbolic link; the build never writes or deletes through one. Remove the link, or pass the real folder with --output",
            path.display()
        );
    }
    Ok(())
}

/// A real folder (not a link to one) holding the build's marker file.
pub(super) fn is_ours(dir: &Path) -> bool {
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
pub(super) fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("output path {} has no folder name", dir.display()))?;
    Ok(dir.with_file_name(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// A staging name no other process uses: `.NAME.explainer-staging.PID-N`.
pub(super) fn fresh_staging(out: &Path) -> Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    sibling(out, &format!("{STAGING}.{}-{n}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
