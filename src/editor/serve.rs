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

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::editor::preview::{Generation, Preview};
use crate::{Failure, Options, Report};

const PREFIX: &str = "/__explainer/";
/// Quiet time that ends a burst of file events.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// A connection that has sent no complete request for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections open at once, event streams included.
pub const MAX_CONNECTIONS: usize = 256;
/// Threads that render responses.
const WORKERS: usize = 4;
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// Output waiting for a slow event-stream client before it is dropped.
const MAX_PENDING: usize = 1 << 20;
/// How often an event stream gets a comment, to keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

const LIVE_JS: &str = r#"(function () {
  "use strict";
  var es = new EventSource("/__explainer/events");
  function overlay(text) {
    var o = document.getElementById("explainer-overlay");
    if (!text) { if (o) o.remove(); return; }
    if (!o) {
      o = document.createElement("div");
      o.id = "explainer-overlay";
      o.setAttribute("role", "alert");
      o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1b1b1f;color:#f2f2f2;padding:1.5rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(o);
    }
    o.textContent = "";
    var h = document.createElement("p");
    h.textContent = "The last edit does not build. The page underneath is the last good build; it reloads when the errors are fixed.";
    h.style.cssText = "font:600 16px/1.4 system-ui,sans-serif;margin:0 0 1rem;color:#ffc9bd";
    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.cssText = "white-space:pre-wrap;margin:0;padding:0;border:0;background:#1b1b1f;color:#f2f2f2;font:inherit";
    o.append(h, pre);
  }
  es.addEventListener("reload", function () { location.reload(); });
  es.addEventListener("errors", function (e) { overlay(JSON.parse(e.data)); });
})();
"#;

/// Served while the site has never built.
const NOT_BUILT: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title></head>\n<body><p>The site has not built yet. The errors are in the terminal; this page reloads when they are fixed.</p></body></html>\n";

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

/// A response, ready to write.
struct Reply {
    bytes: Vec<u8>,
    /// Keep the connection for another request afterwards.
    keep_alive: bool,
}

/// One server-sent event; the data is JSON so it stays on one line.
fn event(name: &str, data: &str) -> String {
    format!(
        "event: {name}\ndata: {}\n\n",
        serde_json::to_string(data).expect("strings serialize")
    )
}

/// Puts the live-reload script into an HTML page.
fn inject(html: &[u8]) -> Vec<u8> {
    let tag = b"<script src=\"/__explainer/live.js\" defer></script>";
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag);
    out.extend_from_slice(&html[at..]);
    out
}

/// A rebuild: `Preview::rebuild`, or a stand-in in tests.
type Build = dyn FnMut(&mut Preview, &[PathBuf]) -> Result<Report, Failure> + Send;

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

/// Rebuilds after `changed` changed and updates what is served; returns the
/// summary line. A panic inside the build is caught and reported like an
/// error, and the preview starts afresh: a rebuild never takes the server
/// down.
fn rebuild(
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
    let (line, event) = match result {
        Ok(Ok(report)) => {
            served.build = preview.current();
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
    line
}

/// Decodes `%XX` escapes; `None` for malformed ones.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The site path a request URL names, or `None` when it tries to leave the
/// site (`..`, backslashes, NUL) or is malformed.
pub fn site_path(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let rel = decoded.strip_prefix('/')?;
    if rel.contains(['\\', '\0'])
        || rel.split('/').any(|seg| seg == ".." || seg == ".")
        || rel.starts_with('/')
    {
        return None;
    }
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "jsonld" => "application/ld+json",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A parsed request head.
#[derive(Debug)]
struct Request {
    head_only: bool,
    /// GET or HEAD; anything else is answered 405.
    allowed: bool,
    url: String,
    keep_alive: bool,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A whole response: status line, headers, body (none for HEAD).
fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
    keep_alive: bool,
) -> Reply {
    let mut bytes = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    bytes.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    ));
    let mut bytes = bytes.into_bytes();
    if !head_only {
        bytes.extend_from_slice(body);
    }
    Reply { bytes, keep_alive }
}

/// A response with a body of type `ctype`, never cached.
fn respond(req: &Request, status: u16, ctype: &str, body: &[u8]) -> Reply {
    response(
        status,
        &[("Content-Type", ctype), ("Cache-Control", "no-store")],
        body,
        req.head_only,
        req.keep_alive,
    )
}

fn not_found(req: &Request) -> Reply {
    respond(req, 404, "text/plain; charset=utf-8", b"404 not found\n")
}

/// Where a request head ends (after its blank line), if it has.
fn head_end(input: &[u8]) -> Option<usize> {
    let crlf = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = input.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Parses a request head; `Err` holds the status to answer with, after
/// which the connection is closed.
fn parse_request(head: &[u8]) -> Result<Request, u16> {
    let head = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = head.lines();
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(url), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    let http11 = match version.trim_end() {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(505),
    };
    let mut keep_alive = http11;
    let mut body = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            body = true;
        }
    }
    Ok(Request {
        head_only: method == "HEAD",
        allowed: method == "GET" || method == "HEAD",
        url: url.to_string(),
        // A body is never read: the connection ends with this response.
        keep_alive: keep_alive && !body,
    })
}

/// The response to a request (everything but the event stream).
fn handle(req: &Request, shared: &Shared) -> Reply {
    if !req.allowed {
        return response(
            405,
            &[
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Allow", "GET, HEAD"),
            ],
            b"405 method not allowed\n",
            false,
            false,
        );
    }
    let url = &req.url;
    if let Some(rest) = url.strip_prefix(PREFIX) {
        return match rest.split('?').next().unwrap_or("") {
            "live.js" => respond(
                req,
                200,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes(),
            ),
            "status" => {
                let served = shared.served();
                let body =
                    serde_json::json!({ "generation": served.generation, "errors": served.errors });
                drop(served);
                respond(req, 200, "application/json", body.to_string().as_bytes())
            }
            _ => not_found(req),
        };
    }
    let Some(path) = site_path(url) else {
        return not_found(req);
    };
    let Some(build) = shared.served().build.clone() else {
        // No good build yet: a page that shows the errors (the script asks
        // for them) and reloads when the site builds.
        return respond(
            req,
            503,
            "text/html; charset=utf-8",
            &inject(NOT_BUILT.as_bytes()),
        );
    };
    let found = build.file(&path);
    let folder = !path.ends_with("index.html") && build.has(&format!("{path}/index.html"));
    match (found, folder) {
        (Some(Ok(bytes)), _) => {
            if path.ends_with(".html") {
                respond(req, 200, content_type(&path), &inject(&bytes))
            } else {
                respond(req, 200, content_type(&path), &bytes)
            }
        }
        (Some(Err(d)), _) => respond(
            req,
            500,
            "text/plain; charset=utf-8",
            d.render(false).as_bytes(),
        ),
        (None, true) => {
            let location = format!("{}/", url.split('?').next().unwrap_or(url));
            response(
                301,
                &[("Location", &location)],
                b"",
                req.head_only,
                req.keep_alive,
            )
        }
        (None, false) => match build.file("404.html") {
            Some(Ok(page)) => respond(req, 404, "text/html; charset=utf-8", &inject(&page)),
            _ => not_found(req),
        },
    }
}

/// [`handle`], with a panic (a bug while rendering a file) answered 500
/// rather than taking a worker down.
fn handle_guarded(req: &Request, shared: &Shared) -> Reply {
    panic::catch_unwind(AssertUnwindSafe(|| handle(req, shared))).unwrap_or_else(|payload| {
        let text = format!(
            "500: rendering this file crashed (a bug in explainer): {}\n",
            panic_message(payload.as_ref())
        );
        respond(req, 500, "text/plain; charset=utf-8", text.as_bytes())
    })
}

/// What a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for (the rest of) a request head.
    Reading,
    /// A worker is preparing the response.
    Busy,
    /// An open event stream.
    Stream,
    /// Closed once the output is written.
    Closing,
}

struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    output: Vec<u8>,
    written: usize,
    state: State,
    /// When the connection last became idle (waiting for a request).
    idle_since: Instant,
    /// When output last made progress.
    wrote_at: Instant,
    /// The peer closed its side.
    eof: bool,
}

/// The server thread: every socket, one `mio` poll.
struct Server {
    poll: Poll,
    listener: TcpListener,
    conns: HashMap<usize, Conn>,
    next: usize,
    jobs: Sender<(usize, Request)>,
    rx: Receiver<Msg>,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    idle_timeout: Duration,
    max_connections: usize,
    pinged: Instant,
}

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);

impl Server {
    fn run(mut self) {
        let mut events = Events::with_capacity(256);
        let tick = (self.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
        while !self.stop.load(Ordering::SeqCst) {
            if let Err(e) = self.poll.poll(&mut events, Some(tick)) {
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                eprintln!("error: serve stopped: {e}");
                return;
            }
            for ev in events.iter() {
                match ev.token() {
                    LISTENER | WAKER => {}
                    Token(t) => self.drive(t),
                }
            }
            // Accepting on every turn also retries after running out of
            // file descriptors.
            self.accept();
            while let Ok(msg) = self.rx.try_recv() {
                match msg {
                    Msg::Reply(t, reply) => {
                        if let Some(c) = self.conns.get_mut(&t) {
                            c.output.extend_from_slice(&reply.bytes);
                            c.wrote_at = Instant::now();
                            c.state = if reply.keep_alive && !c.eof {
                                State::Reading
                            } else {
                                State::Closing
                            };
                            c.idle_since = Instant::now();
                            self.drive(t);
                        }
                    }
                    Msg::Event(e) => self.send_to_streams(e.as_bytes()),
                }
            }
            if self.pinged.elapsed() >= KEEP_ALIVE {
                self.pinged = Instant::now();
                self.send_to_streams(b": keep-alive\n\n");
            }
            self.expire();
        }
    }

    fn send_to_streams(&mut self, bytes: &[u8]) {
        let streams: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| c.state == State::Stream)
            .map(|(&t, _)| t)
            .collect();
        for t in streams {
            let c = self.conns.get_mut(&t).expect("listed above");
            if c.output.len() - c.written > MAX_PENDING {
                self.close(t);
                continue;
            }
            if c.output.len() == c.written {
                c.wrote_at = Instant::now();
            }
            c.output.extend_from_slice(bytes);
            self.drive(t);
        }
    }

    /// Closes connections idle too long, or whose output has not moved.
    fn expire(&mut self) {
        let now = Instant::now();
        let stale: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                let pending = c.output.len() > c.written;
                (pending && now - c.wrote_at > self.idle_timeout)
                    || (!pending
                        && c.state == State::Reading
                        && now - c.idle_since > self.idle_timeout)
            })
            .map(|(&t, _)| t)
            .collect();
        for t in stale {
            self.close(t);
        }
    }

    fn close(&mut self, t: usize) {
        if let Some(mut c) = self.conns.remove(&t) {
            let _ = self.poll.registry().deregister(&mut c.stream);
        }
    }

    fn accept(&mut self) {
        loop {
            let (mut stream, _) = match self.listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            };
            if self.conns.len() >= self.max_connections {
                // Make room by closing the connection idle the longest; when
                // every one is busy, the new one is refused (closed).
                let oldest = self
                    .conns
                    .iter()
                    .filter(|(_, c)| c.state == State::Reading && c.output.len() == c.written)
                    .min_by_key(|(_, c)| c.idle_since)
                    .map(|(&t, _)| t);
                match oldest {
                    Some(t) => self.close(t),
                    None => continue,
                }
            }
            let t = self.next;
            self.next += 1;
            if self
                .poll
                .registry()
                .register(
                    &mut stream,
                    Token(t),
                    Interest::READABLE | Interest::WRITABLE,
                )
                .is_err()
            {
                continue;
            }
            let _ = stream.set_nodelay(true);
            let now = Instant::now();
            self.conns.insert(
                t,
                Conn {
                    stream,
                    input: Vec::new(),
                    output: Vec::new(),
                    written: 0,
                    state: State::Reading,
                    idle_since: now,
                    wrote_at: now,
                    eof: false,
                },
            );
            self.drive(t);
        }
    }

    /// Does all a connection can do without blocking: write its output,
    /// read, and start on the next request. Closes it when it is done.
    fn drive(&mut self, t: usize) {
        if !self.step(t) {
            self.close(t);
        }
    }

    /// `false` when the connection is to be closed.
    fn step(&mut self, t: usize) -> bool {
        let Some(c) = self.conns.get_mut(&t) else {
            return true;
        };
        while c.written < c.output.len() {
            match c.stream.write(&c.output[c.written..]) {
                Ok(0) => return false,
                Ok(n) => {
                    c.written += n;
                    c.wrote_at = Instant::now();
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if c.written == c.output.len() {
            c.output.clear();
            c.written = 0;
            if c.state == State::Closing {
                return false;
            }
        }
        let mut buf = [0u8; 4096];
        while !c.eof && c.input.len() <= MAX_HEAD {
            match c.stream.read(&mut buf) {
                Ok(0) => c.eof = true,
                // What a stream's client sends is not read.
                Ok(_) if c.state == State::Stream => {}
                Ok(n) => c.input.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if c.state != State::Reading || !c.output.is_empty() {
            // A stream or a busy connection whose peer left is done.
            return !(c.eof && c.state == State::Stream);
        }
        let Some(end) = head_end(&c.input) else {
            if c.input.len() > MAX_HEAD {
                let reply = response(431, &[], b"", false, false);
                c.output = reply.bytes;
                c.state = State::Closing;
                return self.step(t);
            }
            // Nothing more will come.
            return !c.eof;
        };
        let head: Vec<u8> = c.input.drain(..end).collect();
        match parse_request(&head) {
            Ok(req) => {
                let events = req.allowed
                    && !req.head_only
                    && req
                        .url
                        .strip_prefix(PREFIX)
                        .is_some_and(|r| r.split('?').next() == Some("events"));
                if events {
                    self.open_stream(t);
                    return true;
                }
                c.state = State::Busy;
                self.jobs.send((t, req)).is_ok()
            }
            Err(status) => {
                let reply = response(status, &[], b"", false, false);
                c.output = reply.bytes;
                c.state = State::Closing;
                self.step(t)
            }
        }
    }

    /// Turns a connection into an event stream: the head, then the errors
    /// of the latest build if it failed.
    fn open_stream(&mut self, t: usize) {
        let streams = self
            .conns
            .values()
            .filter(|c| c.state == State::Stream)
            .count();
        let c = self.conns.get_mut(&t).expect("a live connection");
        if streams >= (self.max_connections / 2).max(1) {
            c.output = response(503, &[], b"", false, false).bytes;
            c.state = State::Closing;
        } else {
            c.state = State::Stream;
            c.output.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n");
            if let Some(errors) = &self.shared.served().errors {
                c.output
                    .extend_from_slice(event("errors", errors).as_bytes());
            }
        }
        c.wrote_at = Instant::now();
        self.drive(t);
    }
}

/// Binds `interface:port`, or the next free port (up to 50 tries).
fn bind(interface: IpAddr, port: u16) -> Result<std::net::TcpListener> {
    let tries = if port == 0 { 1 } else { 50 };
    let mut last = None;
    for p in (0..tries).map(|k| port.saturating_add(k)) {
        match std::net::TcpListener::bind(SocketAddr::new(interface, p)) {
            Ok(server) => return Ok(server),
            Err(e) => last = Some(e),
        }
    }
    Err(anyhow::anyhow!(
        "no free port from {port} on {interface}: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
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

fn start_with(opts: ServeOptions, mut build: Box<Build>) -> Result<Running> {
    let build_opts = Options {
        root: opts.root.clone(),
        output: None,
        drafts: opts.drafts,
    };
    let shared = Arc::new(Shared::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut preview = Preview::new(build_opts);
    eprintln!("{}", rebuild(&mut preview, &[], &shared, &mut build));

    let std_listener = bind(opts.interface, opts.port)?;
    let addr = std_listener
        .local_addr()
        .context("the server listens on an IP address")?;
    std_listener
        .set_nonblocking(true)
        .context("setting up the server socket")?;
    let mut listener = TcpListener::from_std(std_listener);
    let poll = Poll::new().context("starting the server")?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .context("starting the server")?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).context("starting the server")?);
    let (tx, rx) = mpsc::channel();
    let _ = shared.server.set((tx, waker));

    let mut threads = Vec::new();
    // The workers: a fixed pool, whatever the number of connections.
    let (jobs, queue) = mpsc::channel::<(usize, Request)>();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..WORKERS {
        let queue = Arc::clone(&queue);
        let shared = Arc::clone(&shared);
        threads.push(std::thread::spawn(move || loop {
            let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
            let Ok((t, req)) = job else { return };
            let reply = handle_guarded(&req, &shared);
            if !shared.tell(Msg::Reply(t, reply)) {
                return;
            }
        }));
    }
    let server = Server {
        poll,
        listener,
        conns: HashMap::new(),
        next: 2,
        jobs,
        rx,
        shared: Arc::clone(&shared),
        stop: Arc::clone(&stop),
        idle_timeout: opts.idle_timeout,
        max_connections: opts.max_connections.max(1),
        pinged: Instant::now(),
    };
    threads.push(std::thread::spawn(move || server.run()));
    // From here on, an error stops the threads started so far.
    let mut running = Running {
        addr,
        stop: Arc::clone(&stop),
        shared: Arc::clone(&shared),
        threads,
    };

    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
    for (path, mode) in watched(&opts.root) {
        watcher
            .watch(&path, mode)
            .with_context(|| format!("watching {}", path.display()))?;
    }
    let root = std::fs::canonicalize(&opts.root).unwrap_or(opts.root.clone());
    let watcher_shared = Arc::clone(&shared);
    let watcher_stop = Arc::clone(&stop);
    running.threads.push(std::thread::spawn(move || {
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
        loop {
            let first = match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(first) => first,
                Err(RecvTimeoutError::Timeout) if !watcher_stop.load(Ordering::SeqCst) => continue,
                Err(_) => return,
            };
            if !touches(&first) {
                continue;
            }
            // Debounce: a burst of saves (an editor writes, renames, touches)
            // is one rebuild; wait until the burst has been quiet for DEBOUNCE.
            let mut changed = paths(first);
            while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                changed.extend(paths(more));
            }
            eprintln!(
                "{}",
                rebuild(&mut preview, &changed, &watcher_shared, &mut build)
            );
        }
    }));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/sources/jpost/").as_deref(),
            Some("sources/jpost/index.html")
        );
        assert_eq!(site_path("/a%20b.txt?x=1#f").as_deref(), Some("a b.txt"));
        for bad in [
            "/../site.toml",
            "/a/../../x",
            "/%2e%2e/x",
            "/a\\..\\x",
            "//etc/passwd",
            "relative",
            "/%zz",
            "/./x",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let html = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(String::from_utf8(html).unwrap(), "<html><body><p>x</p><script src=\"/__explainer/live.js\" defer></script></body></html>");
        assert!(inject(b"<p>no body end").ends_with(b"</script>"));
    }

    #[test]
    fn only_site_inputs_trigger_rebuilds() {
        let root = Path::new("/site");
        assert!(relevant(root, Path::new("/site/content/a.md")));
        assert!(relevant(root, Path::new("/site/site.toml")));
        assert!(!relevant(root, Path::new("/site/public/index.html")));
        assert!(!relevant(root, Path::new("/site/.git/index")));
    }

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(start.elapsed() < Duration::from_secs(20), "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn bug_16_a_panicking_rebuild_is_shown_and_the_watcher_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let page = "+++\ntitle = \"Home\"\n+++\n\nSupervision [@a:1 \"will supervise\"].\n";
        for (path, text) in [
            ("site.toml", "title = \"T\"\n"),
            ("sources/a.txt", "The US will supervise it.\n"),
            ("content/_index.md", page),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
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

    #[test]
    fn requests_are_parsed_strictly() {
        let r = parse_request(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert!(r.keep_alive && r.allowed && !r.head_only && r.url == "/a");
        let r = parse_request(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!r.keep_alive && r.head_only);
        let r = parse_request(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert!(!r.allowed && !r.keep_alive);
        assert_eq!(parse_request(b"GET /\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse_request(b"GET / HTTP/2\r\n\r\n").unwrap_err(), 505);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn events_are_one_line_of_json() {
        assert_eq!(
            event("errors", "a\nb"),
            "event: errors\ndata: \"a\\nb\"\n\n"
        );
    }
}
