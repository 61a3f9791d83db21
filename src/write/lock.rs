//! The output's lock: an advisory lock file beside the output, held by the
//! build that writes it, so that two builds never write one output at once
//! (the second waits).

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::{Context, Result};

use super::paths::{refuse_symlink, sibling};
use super::LOCK;

/// Opens (creating it) and locks the output's lock file, waiting for the
/// build that holds it; never through a symbolic link.
pub(super) fn lock_output(out: &Path) -> Result<fs::File> {
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
