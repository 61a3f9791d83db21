//! `explainer serve`: the editor's live preview.
//!
//! The site is built into memory — never into `output_dir`, and nothing on
//! disk is written or deleted — and served on 127.0.0.1. Rebuilds are
//! incremental and files are rendered when requested (`preview`). A watcher
//! rebuilds after a burst of saves (debounced) and tells open tabs over
//! server-sent events: `reload` after a good build, `errors` (the
//! diagnostics, as the terminal shows them) after a bad one, while the last
//! good build stays served underneath. Only serve mode injects the small
//! script that listens. A rebuild that panics is caught and shown like an
//! error; the watcher goes on.
//!
//! The HTTP server is a small HTTP/1.1 server for GET and HEAD of the files
//! in memory, with a fixed number of threads whatever the number of
//! connections: one thread waits on every socket at once (`mio`, which the
//! file watcher already builds), reads request heads and writes responses
//! without blocking, and a fixed pool of workers renders the responses. A
//! connection that sends no complete request within the idle timeout is
//! closed; at most `max_connections` are open (beyond that the longest idle
//! one is closed to make room, or the new one is refused). A maintained
//! server crate (axum, hyper) would bring tokio and tower: more to compile
//! than this whole server, for two routes and one event stream.
//!
//! Here: the options, what is served, and starting it all. The parts:
//! `http` (requests and responses), `routes` (what each URL answers),
//! `server` (the `mio` loop and the workers), `reload` (the injected script
//! and its events), `watch` (the watcher and the rebuilds).

mod http;
mod reload;
mod routes;
mod server;
mod watch;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;
use mio::Waker;

use crate::editor::preview::{Generation, Preview};
use crate::Options;

pub use http::site_path;

use http::Reply;
use watch::Build;

const PREFIX: &str = "/__explainer/";
/// A connection that has sent no complete request for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections open at once, event streams included.
pub const MAX_CONNECTIONS: usize = 256;

/// What `serve` needs to know.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub drafts: bool,
    /// First port to try; the next free one is taken if it is busy. 0: any free port.
    pub port: u16,
    pub interface: IpAddr,
    pub open: bool,
    /// A connection without a complete request for this long is closed.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

impl ServeOptions {
    /// The defaults of the command line: port 1111 on 127.0.0.1.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            drafts: false,
            port: 1111,
            interface: IpAddr::V4(Ipv4Addr::LOCALHOST),
            open: false,
            idle_timeout: IDLE_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// The site being served: the last good build, and the errors of the latest
/// one if it failed.
#[derive(Default)]
struct Served {
    build: Option<Arc<Generation>>,
    errors: Option<String>,
    generation: u64,
}

#[derive(Default)]
struct Shared {
    served: RwLock<Served>,
    /// The server's mailbox, once it runs.
    server: OnceLock<(Sender<Msg>, Arc<Waker>)>,
}

impl Shared {
    fn served(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        self.served.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells the server thread; `false` when it is gone.
    fn tell(&self, msg: Msg) -> bool {
        let Some((tx, waker)) = self.server.get() else {
            return false;
        };
        tx.send(msg).is_ok() && waker.wake().is_ok()
    }

    /// Sends an event to every open event stream.
    fn broadcast(&self, event: &str) {
        self.tell(Msg::Event(event.to_string()));
    }
}

/// What the server thread is told.
enum Msg {
    /// A worker's response for a connection.
    Reply(usize, Reply),
    /// A server-sent event for every open stream.
    Event(String),
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

/// A running preview server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    /// Serves until the process is stopped.
    pub fn wait(mut self) {
        for t in std::mem::take(&mut self.threads) {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    /// Stops serving and watching; returns when the threads have ended.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some((_, waker)) = self.shared.server.get() {
            let _ = waker.wake();
        }
        for t in std::mem::take(&mut self.threads) {
            let _ = t.join();
        }
    }
}

/// Builds the site, starts watching it and serving it; returns at once.
pub fn start(opts: ServeOptions) -> Result<Running> {
    start_with(
        opts,
        Box::new(|p: &mut Preview, changed: &[PathBuf]| p.rebuild(changed)),
    )
}

fn start_with(mut opts: ServeOptions, mut build: Box<Build>) -> Result<Running> {
    // Rebuilds load an edited page again: its unchanged blocks are copied.
    crate::load::highlight::keep_highlighted_blocks();
    // One absolute spelling of the root for the loader and the watcher, so
    // that the paths the watcher reports are the ones the loader keeps.
    if let Ok(root) = std::fs::canonicalize(&opts.root) {
        opts.root = root;
    }
    let build_opts = Options {
        root: opts.root.clone(),
        output: None,
        drafts: opts.drafts,
    };
    let shared = Arc::new(Shared::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut preview = Preview::new(build_opts);
    let watching = watch::watch(&opts.root)?;
    eprintln!("{}", watch::rebuild(&mut preview, &[], &shared, &mut build));

    let (addr, threads) = server::spawn(&opts, &shared, &stop)?;
    // From here on, an error stops the threads started so far.
    let mut running = Running {
        addr,
        stop: Arc::clone(&stop),
        shared: Arc::clone(&shared),
        threads,
    };
    running.threads.push(watch::spawn(
        watching, &opts.root, preview, build, &shared, &stop,
    ));
    Ok(running)
}

/// Runs the preview server until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<()> {
    let open = opts.open;
    let running = start(opts)?;
    let url = format!("http://{}/", running.addr);
    if !running.addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {}, not a loopback address: the preview is reachable from the network by anyone who can reach this machine",
            running.addr.ip()
        );
    }
    println!("serving {url} (press Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    running.wait();
    Ok(())
}
