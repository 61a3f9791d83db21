//! The watcher: a burst of saves to the site's inputs (debounced) is one
//! rebuild, which updates what is served and tells the open tabs; a rebuild
//! that panics is caught and shown like an error, and the watcher goes on.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};

use super::reload::event;
use super::{panic_message, Shared};
use crate::editor::preview::Preview;
use crate::{Failure, Report};

/// Quiet time that ends a burst of file events.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// Quiet time that ends a burst whose last event closed a file written to:
/// the writer is done with it, and most saves end so. (A save that goes on
/// with a rename or another file is a new burst, rebuilt after this one.)
const AFTER_CLOSE: Duration = Duration::from_millis(2);

/// How long to wait for more events after `e` before rebuilding.
fn quiet_after(e: &notify::Result<notify::Event>) -> Duration {
    use notify::event::{AccessKind, AccessMode};
    match e {
        Ok(e) if e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write)) => AFTER_CLOSE,
        _ => DEBOUNCE,
    }
}

/// A rebuild: `Preview::rebuild`, or a stand-in in tests.
pub(super) type Build = dyn FnMut(&mut Preview, &[PathBuf]) -> Result<Report, Failure> + Send;

/// Rebuilds after `changed` changed and updates what is served; returns the
/// summary line. A panic inside the build is caught and reported like an
/// error, and the preview starts afresh: a rebuild never takes the server
/// down.
pub(super) fn rebuild(
    preview: &mut Preview,
    changed: &[PathBuf],
    shared: &Shared,
    build: &mut Build,
) -> String {
    let started = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| build(preview, changed)));
    let panicked = result.is_err();
    if panicked {
        // Its caches may be half updated: the next rebuild reads and renders
        // everything again.
        preview.reset();
    }
    let mut served = shared
        .served
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    served.generation += 1;
    // The build this one replaces is freed after the tabs are told (freeing
    // a large site's model takes milliseconds nobody needs to wait for).
    let mut replaced = None;
    let (line, event) = match result {
        Ok(Ok(report)) => {
            replaced = std::mem::replace(&mut served.build, preview.current());
            served.errors = None;
            let warnings: Vec<String> = report.warnings.iter().map(|w| w.render(false)).collect();
            let mut line = format!(
                "rebuilt in {} ms: {} pages, {} sources, {} citations verified, {} warnings",
                started.elapsed().as_millis(),
                report.stats.pages,
                report.stats.sources,
                report.stats.citations,
                report.warnings.len()
            );
            if !warnings.is_empty() {
                line = format!("{}\n{line}", warnings.join("\n\n"));
            }
            (line, "event: reload\ndata: {}\n\n".to_string())
        }
        Ok(Err(Failure::Content(diags))) => {
            let text = diags
                .iter()
                .map(|d| d.render(false))
                .collect::<Vec<_>>()
                .join("\n\n");
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let line = format!("{text}\n\nbuild failed with {errors} error(s) in {} ms; still serving the last good build", started.elapsed().as_millis());
            let e = event("errors", &text);
            served.errors = Some(text);
            (line, e)
        }
        Ok(Err(Failure::Io(e))) => {
            let text = format!("error: {e:#}");
            let ev = event("errors", &text);
            served.errors = Some(text.clone());
            (text, ev)
        }
        Err(payload) => {
            let text = format!(
                "error: the rebuild crashed (a bug in explainer; please report it): {}\n\nStill serving the last good build; the next save rebuilds everything.",
                panic_message(payload.as_ref())
            );
            let ev = event("errors", &text);
            served.errors = Some(text.clone());
            (text, ev)
        }
    };
    drop(served);
    shared.broadcast(&event);
    drop(replaced);
    line
}

/// Folders and files whose changes trigger a rebuild.
fn watched(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut out = vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for dir in ["sources", "content", "themes"] {
        let d = root.join(dir);
        if d.is_dir() {
            out.push((d, RecursiveMode::Recursive));
        }
    }
    out
}

/// Is a changed path one the site is built from?
fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return true;
    };
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .unwrap_or_default();
    match first.as_str() {
        "sources" | "content" | "themes" => true,
        name => name == "site.toml" || name == crate::load::lock::FILE,
    }
}

/// The watcher on the site's inputs and the events it has queued.
pub(super) struct Watching {
    watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
}

/// Starts watching the site's inputs. Started before the initial build, so
/// that the first rebuild after it knows every change since it began.
pub(super) fn watch(site_root: &Path) -> Result<Watching> {
    let (tx, events) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
    for (path, mode) in watched(site_root) {
        watcher
            .watch(&path, mode)
            .with_context(|| format!("watching {}", path.display()))?;
    }
    Ok(Watching { watcher, events })
}

/// Rebuilds after each burst of changes the watcher reports; returns the
/// thread that does.
pub(super) fn spawn(
    watching: Watching,
    site_root: &Path,
    mut preview: Preview,
    mut build: Box<Build>,
    shared: &Arc<Shared>,
    stop: &Arc<AtomicBool>,
) -> JoinHandle<()> {
    let Watching {
        watcher,
        events: rx,
    } = watching;
    let root = std::fs::canonicalize(site_root).unwrap_or(site_root.to_path_buf());
    let watcher_shared = Arc::clone(shared);
    let watcher_stop = Arc::clone(stop);
    std::thread::spawn(move || {
        let _keep = watcher;
        // Reads (the build's own) are not changes.
        let touches = |r: &notify::Result<notify::Event>| {
            r.as_ref().is_ok_and(|e| {
                matches!(
                    e.kind,
                    EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
                ) && !matches!(
                    e.kind,
                    EventKind::Modify(notify::event::ModifyKind::Metadata(_))
                ) && e.paths.iter().any(|p| relevant(&root, p))
            })
        };
        let paths = |r: notify::Result<notify::Event>| r.map(|e| e.paths).unwrap_or_default();
        // An error, or a queue that overflowed, means events were lost.
        let lost = |r: &notify::Result<notify::Event>| r.as_ref().map_or(true, |e| e.need_rescan());
        // Has every change since the last rebuild began been seen? (The
        // watcher started before the initial build began.)
        let mut complete = true;
        loop {
            let first = match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(first) => first,
                Err(RecvTimeoutError::Timeout) if !watcher_stop.load(Ordering::SeqCst) => continue,
                Err(_) => return,
            };
            if lost(&first) {
                complete = false;
            }
            if !touches(&first) {
                continue;
            }
            // Debounce: a burst of saves (an editor writes, renames, touches)
            // is one rebuild; wait until the burst has been quiet for DEBOUNCE,
            // or AFTER_CLOSE when the last event closed a written file.
            let mut quiet = quiet_after(&first);
            let mut changed = paths(first);
            while let Ok(more) = rx.recv_timeout(quiet) {
                complete &= !lost(&more);
                quiet = quiet_after(&more);
                changed.extend(paths(more));
            }
            if complete {
                preview.report_complete();
            }
            complete = true;
            eprintln!(
                "{}",
                rebuild(&mut preview, &changed, &watcher_shared, &mut build)
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::super::{start_with, ServeOptions};
    use super::*;

    #[test]
    fn only_site_inputs_trigger_rebuilds() {
        let root = Path::new("/site");
        assert!(relevant(root, Path::new("/site/content/a.md")));
        assert!(relevant(root, Path::new("/site/site.toml")));
        assert!(!relevant(root, Path::new("/site/public/index.html")));
        assert!(!relevant(root, Path::new("/site/.git/index")));
    }

    /// A site of one page citing one source, written under `root`; returns
    /// the page's text.
    fn small_site(root: &Path) -> &'static str {
        let page = "+++\ntitle = \"Home\"\n+++\n\nSupervision [@a:1 \"will supervise\"].\n";
        for (path, text) in [
            ("site.toml", "title = \"T\"\n"),
            ("sources/a.txt", "The US will supervise it.\n"),
            ("content/_index.md", page),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        page
    }

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(start.elapsed() < Duration::from_secs(20), "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The watcher starts before the initial build: a save made while that
    /// build runs (here: right after it read the page) is rebuilt at once,
    /// and the rebuild trusts the watcher's report.
    #[test]
    fn a_save_during_the_initial_build_is_rebuilt_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let page = small_site(&root);
        let saved = root.join("content/_index.md");
        let mut first = true;
        let build = Box::new(move |p: &mut Preview, changed: &[PathBuf]| {
            let result = p.rebuild(changed);
            if std::mem::take(&mut first) {
                std::fs::write(&saved, page.replace("Supervision", "Oversight")).unwrap();
            }
            result
        });
        let opts = ServeOptions {
            port: 0,
            ..ServeOptions::new(&root)
        };
        let running = start_with(opts, build).unwrap();
        let shared = Arc::clone(&running.shared);
        let home = || {
            let build = shared.served().build.clone().unwrap();
            let bytes = build.file("index.html").unwrap().unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(home().contains("Supervision"));
        wait_for(
            "a rebuild for the save made during the initial build",
            || home().contains("Oversight"),
        );
    }

    #[test]
    fn bug_16_a_panicking_rebuild_is_shown_and_the_watcher_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let page = small_site(root);
        let panicked = Arc::new(AtomicBool::new(false));
        let once = Arc::clone(&panicked);
        let build = Box::new(move |p: &mut Preview, changed: &[PathBuf]| {
            if changed.iter().any(|c| c.ends_with("boom.md")) && !once.swap(true, Ordering::SeqCst)
            {
                panic!("injected rebuild panic");
            }
            p.rebuild(changed)
        });
        let opts = ServeOptions {
            port: 0,
            ..ServeOptions::new(root)
        };
        let running = start_with(opts, build).unwrap();
        let shared = Arc::clone(&running.shared);
        let generation = || shared.served().generation;
        let g0 = generation();
        assert!(shared.served().errors.is_none());

        // An open tab's event stream.
        let mut tab = std::net::TcpStream::connect(running.addr).unwrap();
        tab.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(tab, "GET /__explainer/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut seen = String::new();
        fn read_until(tab: &mut std::net::TcpStream, seen: &mut String, needle: &str) {
            let mut buf = [0u8; 4096];
            while !seen.contains(needle) {
                let n = tab.read(&mut buf).unwrap();
                assert!(n > 0, "stream closed before {needle:?}: {seen}");
                seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        read_until(&mut tab, &mut seen, "retry: 500");

        std::fs::write(
            root.join("content/boom.md"),
            "+++\ntitle = \"B\"\nuncited = true\n+++\n\nB.\n",
        )
        .unwrap();
        wait_for("a rebuild after the panicking edit", || generation() > g0);
        assert!(panicked.load(Ordering::SeqCst));
        let errors = shared.served().errors.clone().unwrap_or_default();
        assert!(errors.contains("injected rebuild panic"), "{errors}");
        assert!(
            shared.served().build.is_some(),
            "the last good build stays served"
        );
        read_until(&mut tab, &mut seen, "injected rebuild panic");
        assert!(seen.contains("event: errors"), "{seen}");

        // The watcher lives on: the next good edit rebuilds and reloads.
        let g1 = generation();
        std::fs::write(
            root.join("content/_index.md"),
            page.replace("Supervision", "Oversight"),
        )
        .unwrap();
        wait_for("a rebuild after the fix", || {
            generation() > g1 && shared.served().errors.is_none()
        });
        read_until(&mut tab, &mut seen, "event: reload");
        let build = shared.served().build.clone().unwrap();
        let home = build.file("index.html").unwrap().unwrap();
        assert!(String::from_utf8_lossy(&home).contains("Oversight"));
        assert!(build.has("boom/index.html"));
    }
}
