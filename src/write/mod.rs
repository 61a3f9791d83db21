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
//!
//! Here: the `Sink` that rendered files go to, and `atomically`. The parts:
//! `paths` (where the output may be), `lock` (the output's lock), `swap`
//! (staging and the swap), `recover` (what interrupted builds leave).

use std::path::Path;

use anyhow::Result;

mod lock;
mod paths;
mod recover;
mod swap;

pub use paths::{check_output, output_place, real_path};
pub use swap::Staging;

/// Marker file: holds no timestamp or path, so output stays byte-identical.
pub const MARKER: &str = ".explainer-output";
const MARKER_TEXT: &str = "This directory is written by `explainer build` and replaced on every build.\nFiles put here by hand are lost on the next build.\n";

const STAGING: &str = "explainer-staging";
const PREVIOUS: &str = "explainer-previous";
const LOCK: &str = "explainer-lock";

/// Writes `files` into a fresh staging directory and swaps it in for `out`.
pub fn atomically(out: &Path, files: &[Output]) -> Result<Vec<String>> {
    let staging = Staging::new(out)?;
    for (path, bytes) in files {
        Sink::put(&staging, path.clone(), bytes.clone())?;
    }
    staging.commit()
}

/// Replaces the file at `path` with `bytes` in one step: they are written
/// to a temporary file beside it (a new name per call, created only if
/// nothing stands there, so never through a symbolic link) and renamed over
/// it, so a reader sees the old file or the new one, never half of one.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
    written
        .and_then(|()| std::fs::rename(&temp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
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
