//! The line index `find` keeps between runs: every source's bytes and
//! citation key in one file, so that a search reads one file and asks the
//! file system for each source's size and modification time, instead of
//! opening, reading and closing thousands of files and parsing the manifest
//! (at 5,000 sources those were most of a search's time).
//!
//! The index is a cache and nothing else: it lives outside the site (see
//! [`location`]), a source is taken from it only when its size and times
//! ([`Stamp`]) are those recorded and it was not modified within
//! [`RACY`] of the index being made (a file written in the same clock tick
//! as it was read could otherwise look unchanged, as in Git's index), and a
//! missing, unreadable, foreign or damaged index is ignored and written
//! again. A failure to write it is not an error: `find` works without it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use rayon::prelude::*;

pub(super) const MAGIC: &[u8] = b"explainer find index 2\n";

/// How long after its modification a file is trusted by its size and time.
const RACY: Duration = Duration::from_secs(2);

/// Where the index of the site at `root` is kept: `$EXPLAINER_CACHE_DIR`,
/// else `$XDG_CACHE_HOME/explainer`, else `$HOME/.cache/explainer`, in a
/// file named after the site's absolute path. `None` when there is no
/// such folder to use.
pub fn location(root: &Path) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = var("EXPLAINER_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("explainer")))
        .or_else(|| var("HOME").map(|d| PathBuf::from(d).join(".cache/explainer")))?;
    let root = std::fs::canonicalize(root).ok()?;
    let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
    Some(dir.join(format!("find-{}", crate::load::source::hex(&digest[..8]))))
}

/// A file's size, modification time, and (on Unix) inode and status-change
/// time, as recorded in the index. The status-change time moves on every
/// write and cannot be set back, so a file copied over with an old
/// modification time (`cp -p`, `touch -d`) does not look unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    secs: i64,
    nanos: u32,
    changed_secs: i64,
    changed_nanos: u32,
    inode: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let (secs, nanos) = since_epoch(meta.modified().ok()?);
        #[cfg(unix)]
        let (changed_secs, changed_nanos, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime(), meta.ctime_nsec() as u32, meta.ino())
        };
        #[cfg(not(unix))]
        let (changed_secs, changed_nanos, inode) = (secs, nanos, 0);
        Some(Stamp {
            len: meta.len(),
            secs,
            nanos,
            changed_secs,
            changed_nanos,
            inode,
        })
    }

    /// Was the file last modified well before `made` (seconds since the
    /// epoch), so that an unchanged stamp means unchanged bytes? (By its
    /// modification time, as Git decides: a status change alone, a `chmod`
    /// or a copy keeping an old time, already shows in the stamp.)
    fn settled_before(&self, made: i64) -> bool {
        self.secs.saturating_add(RACY.as_secs() as i64) < made
    }
}

fn since_epoch(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => (-(e.duration().as_secs() as i64) - 1, 0),
    }
}

/// The sources of a site, read from the index where it is current and from
/// their files where not: one buffer, each source a range of it.
#[derive(Debug, Default)]
pub struct Corpus {
    bytes: Vec<u8>,
    /// Per source, in the order of the files given to [`load`].
    spans: Vec<Range<usize>>,
    /// The ids the manifest gives the sources, when the index had them for
    /// this manifest and these files.
    pub ids: Option<Vec<String>>,
    /// What [`save`] records: each file's stamp and the manifest's as they
    /// were before the files were read, and when that was.
    stamps: Vec<Option<Stamp>>,
    manifest: Option<Stamp>,
    made: i64,
    /// Is the index on disk this corpus, ids included?
    current: bool,
}

impl Corpus {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn text(&self, i: usize) -> &[u8] {
        &self.bytes[self.spans[i].clone()]
    }

    /// Does the index on disk need writing (once the ids are known)?
    pub fn stale(&self) -> bool {
        !self.current
    }
}

/// What the index records, as parsed from its file.
struct Stored<'a> {
    made: i64,
    manifest: Option<Stamp>,
    entries: Vec<Entry<'a>>,
}

struct Entry<'a> {
    rel: &'a str,
    stamp: Stamp,
    id: &'a str,
    bytes: Range<usize>,
}

/// A source's bytes: where they are in the index, or as read from its file.
enum Piece {
    Cached(Range<usize>),
    Read(Vec<u8>),
}

/// Loads the sources `files` (absolute path, path below `sources/`) with the
/// index at `cache` (none: no index); `manifest` is the manifest's path.
/// The ids are taken from the index only when it was made with this
/// manifest, unchanged, and these files.
pub fn load(
    files: &[(PathBuf, String)],
    manifest: &Path,
    cache: Option<&Path>,
) -> anyhow::Result<Corpus> {
    let made = since_epoch(SystemTime::now()).0;
    let manifest_stamp = Stamp::of(manifest);
    let old = cache
        .and_then(|c| std::fs::read(c).ok())
        .unwrap_or_default();
    let stored = parse(&old);
    let by_rel: std::collections::HashMap<&str, &Entry> = stored
        .as_ref()
        .map(|s| s.entries.iter().map(|e| (e.rel, e)).collect())
        .unwrap_or_default();
    let stored_made = stored.as_ref().map_or(i64::MIN, |s| s.made);
    // Per file: its stamp, then its bytes from the index when they are
    // current there, else from the file.
    let looked: Vec<(Option<Stamp>, Piece)> = files
        .par_iter()
        .map(|(path, rel)| {
            let stamp = Stamp::of(path);
            let cached = by_rel
                .get(rel.as_str())
                .filter(|e| Some(e.stamp) == stamp && e.stamp.settled_before(stored_made));
            let bytes = match cached {
                Some(e) => Piece::Cached(e.bytes.clone()),
                None => Piece::Read(
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
                ),
            };
            Ok((stamp, bytes))
        })
        .collect::<anyhow::Result<_>>()?;
    let ids = stored.as_ref().and_then(|s| {
        let same_files = s.entries.len() == files.len()
            && s.entries.iter().zip(files).all(|(e, f)| e.rel == f.1);
        let same_manifest =
            s.manifest == manifest_stamp && s.manifest.is_none_or(|m| m.settled_before(s.made));
        (same_files && same_manifest).then(|| s.entries.iter().map(|e| e.id.to_string()).collect())
    });
    let all_cached = looked.iter().all(|(_, b)| matches!(b, Piece::Cached(_)));
    let stamps = looked.iter().map(|(s, _)| *s).collect();
    let current = all_cached && ids.is_some();
    let (bytes, spans) = if current {
        let spans = (looked.into_iter())
            .filter_map(|(_, b)| match b {
                Piece::Cached(r) => Some(r),
                Piece::Read(_) => None,
            })
            .collect();
        (old, spans)
    } else {
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(files.len());
        for (_, piece) in &looked {
            let piece = match piece {
                Piece::Cached(r) => &old[r.clone()],
                Piece::Read(fresh) => fresh.as_slice(),
            };
            let start = bytes.len();
            bytes.extend_from_slice(piece);
            spans.push(start..bytes.len());
        }
        (bytes, spans)
    };
    Ok(Corpus {
        bytes,
        spans,
        ids,
        stamps,
        manifest: manifest_stamp,
        made,
        current,
    })
}

/// Writes the index of `corpus`, whose sources are `files` with the ids
/// `ids`, to `cache`. Errors are ignored: the index only saves time.
pub fn save(cache: &Path, files: &[(PathBuf, String)], corpus: &Corpus, ids: &[String]) {
    let mut out = Vec::with_capacity(corpus.bytes.len() + files.len() * 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&corpus.made.to_le_bytes());
    put_stamp(&mut out, corpus.manifest);
    out.extend_from_slice(&(files.len() as u64).to_le_bytes());
    for (i, (_, rel)) in files.iter().enumerate() {
        put_str(&mut out, rel);
        put_stamp(&mut out, corpus.stamps[i]);
        put_str(&mut out, &ids[i]);
        put_bytes(&mut out, corpus.text(i));
    }
    let dir = cache.parent().unwrap_or(Path::new("."));
    let _ = std::fs::create_dir_all(dir).and_then(|()| crate::write::replace_file(cache, &out));
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_stamp(out: &mut Vec<u8>, stamp: Option<Stamp>) {
    match stamp {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&s.len.to_le_bytes());
            out.extend_from_slice(&s.secs.to_le_bytes());
            out.extend_from_slice(&s.nanos.to_le_bytes());
            out.extend_from_slice(&s.changed_secs.to_le_bytes());
            out.extend_from_slice(&s.changed_nanos.to_le_bytes());
            out.extend_from_slice(&s.inode.to_le_bytes());
        }
    }
}

/// Reads an index; `None` for anything that is not one, whole.
fn parse(bytes: &[u8]) -> Option<Stored<'_>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let made = i64::from_le_bytes(r.array()?);
    let manifest = r.stamp()?;
    let n = u64::from_le_bytes(r.array()?);
    let mut entries = Vec::new();
    for _ in 0..n {
        let rel = r.str()?;
        let stamp = r.stamp()??;
        let id = r.str()?;
        let len = r.len()?;
        let start = r.at;
        r.take(len)?;
        entries.push(Entry {
            rel,
            stamp,
            id,
            bytes: start..start + len,
        });
    }
    (r.at == bytes.len()).then_some(Stored {
        made,
        manifest,
        entries,
    })
}

/// A cursor over an index's bytes: every read checks the length left.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        let piece = &self.bytes[self.at..end];
        self.at = end;
        Some(piece)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(u64::from_le_bytes(self.array()?)).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.len()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    /// `Some(None)`: recorded as absent; `None`: damaged.
    fn stamp(&mut self) -> Option<Option<Stamp>> {
        match self.take(1)?[0] {
            0 => Some(None),
            1 => Some(Some(Stamp {
                len: u64::from_le_bytes(self.array()?),
                secs: i64::from_le_bytes(self.array()?),
                nanos: u32::from_le_bytes(self.array()?),
                changed_secs: i64::from_le_bytes(self.array()?),
                changed_nanos: u32::from_le_bytes(self.array()?),
                inode: u64::from_le_bytes(self.array()?),
            })),
            _ => None,
        }
    }
}
