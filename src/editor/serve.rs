//! `explainer serve`: the editor's live preview.
//!
//! The site is built into memory — never into `output_dir`, and nothing on
//! disk is written or deleted — and served on 127.0.0.1. Rebuilds are
//! incremental and files are rendered when requested (`preview`). A watcher
//! rebuilds after a burst of saves (debounced) and tells open tabs over
//! server-sent events: `reload` after a good build, `errors` (the
//! diagnostics, as the terminal shows them) after a bad one, while the last
//! good build stays served underneath. Only serve mode injects the small
//! script that listens.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::editor::preview::{Generation, Preview};
use crate::{Failure, Options};

const PREFIX: &str = "/__explainer/";
/// Quiet time that ends a burst of file events.
const DEBOUNCE: Duration = Duration::from_millis(10);

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
    pre.style.cssText = "white-space:pre-wrap;margin:0";
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
    clients: Mutex<Vec<Sender<String>>>,
}

impl Shared {
    fn broadcast(&self, event: &str) {
        let mut clients = self.clients.lock().expect("client list lock");
        clients.retain(|c| c.send(event.to_string()).is_ok());
    }
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

/// Rebuilds after `changed` changed and updates what is served; returns the
/// summary line.
fn rebuild(preview: &mut Preview, changed: &[PathBuf], shared: &Shared) -> String {
    let started = Instant::now();
    let result = preview.rebuild(changed);
    let mut served = shared.served.write().expect("served lock");
    served.generation += 1;
    let (line, event) = match result {
        Ok(report) => {
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
        Err(Failure::Content(diags)) => {
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
        Err(Failure::Io(e)) => {
            let text = format!("error: {e:#}");
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

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header names and values are valid")
}

fn respond(request: tiny_http::Request, status: u16, ctype: &str, body: Vec<u8>) {
    let response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
}

/// Holds a server-sent-events connection open until the client goes away.
fn events(request: tiny_http::Request, shared: &Shared) {
    let (tx, rx) = mpsc::channel();
    if let Some(errors) = &shared.served.read().expect("served lock").errors {
        let _ = tx.send(event("errors", errors));
    }
    shared.clients.lock().expect("client list lock").push(tx);
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let chunk = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(chunk.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

fn handle(request: tiny_http::Request, shared: &Shared) {
    let url = request.url().to_string();
    if !matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        return respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n".to_vec(),
        );
    }
    if let Some(rest) = url.strip_prefix(PREFIX) {
        return match rest.split('?').next().unwrap_or("") {
            "events" => events(request, shared),
            "live.js" => respond(
                request,
                200,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes().to_vec(),
            ),
            "status" => {
                let served = shared.served.read().expect("served lock");
                let body =
                    serde_json::json!({ "generation": served.generation, "errors": served.errors });
                drop(served);
                respond(
                    request,
                    200,
                    "application/json",
                    body.to_string().into_bytes(),
                )
            }
            _ => respond(
                request,
                404,
                "text/plain; charset=utf-8",
                b"404 not found\n".to_vec(),
            ),
        };
    }
    let Some(path) = site_path(&url) else {
        return respond(
            request,
            404,
            "text/plain; charset=utf-8",
            b"404 not found\n".to_vec(),
        );
    };
    let Some(build) = shared.served.read().expect("served lock").build.clone() else {
        // No good build yet: a page that shows the errors (the script asks
        // for them) and reloads when the site builds.
        return respond(
            request,
            503,
            "text/html; charset=utf-8",
            inject(NOT_BUILT.as_bytes()),
        );
    };
    let found = build.file(&path);
    let folder = !path.ends_with("index.html") && build.has(&format!("{path}/index.html"));
    match (found, folder) {
        (Some(Ok(bytes)), _) => {
            let body = if path.ends_with(".html") {
                inject(&bytes)
            } else {
                bytes.to_vec()
            };
            respond(request, 200, content_type(&path), body)
        }
        (Some(Err(d)), _) => respond(
            request,
            500,
            "text/plain; charset=utf-8",
            d.render(false).into_bytes(),
        ),
        (None, true) => {
            let location = format!("{}/", url.split('?').next().unwrap_or(&url));
            let response =
                tiny_http::Response::empty(301).with_header(header("Location", &location));
            let _ = request.respond(response);
        }
        (None, false) => match build.file("404.html") {
            Some(Ok(page)) => respond(request, 404, "text/html; charset=utf-8", inject(&page)),
            _ => respond(
                request,
                404,
                "text/plain; charset=utf-8",
                b"404 not found\n".to_vec(),
            ),
        },
    }
}

/// Binds `interface:port`, or the next free port (up to 50 tries).
fn bind(interface: IpAddr, port: u16) -> Result<tiny_http::Server> {
    let tries = if port == 0 { 1 } else { 50 };
    let mut last = None;
    for p in (0..tries).map(|k| port.saturating_add(k)) {
        match tiny_http::Server::http(SocketAddr::new(interface, p)) {
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

/// Runs the preview server until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<()> {
    let build_opts = Options {
        root: opts.root.clone(),
        output: None,
        drafts: opts.drafts,
    };
    let shared = Arc::new(Shared::default());
    let mut preview = Preview::new(build_opts);
    eprintln!("{}", rebuild(&mut preview, &[], &shared));
    let server = bind(opts.interface, opts.port)?;
    let addr = server
        .server_addr()
        .to_ip()
        .context("the server listens on an IP address")?;
    let url = format!("http://{addr}/");
    println!("serving {url} (press Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if opts.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }

    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
    for (path, mode) in watched(&opts.root) {
        watcher
            .watch(&path, mode)
            .with_context(|| format!("watching {}", path.display()))?;
    }
    let root = std::fs::canonicalize(&opts.root).unwrap_or(opts.root.clone());
    let watcher_shared = Arc::clone(&shared);
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
        while let Ok(first) = rx.recv() {
            if !touches(&first) {
                continue;
            }
            // Debounce: a burst of saves (an editor writes, renames, touches)
            // is one rebuild; wait until the burst has been quiet for DEBOUNCE.
            let mut changed = paths(first);
            while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                changed.extend(paths(more));
            }
            eprintln!("{}", rebuild(&mut preview, &changed, &watcher_shared));
        }
    });

    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || handle(request, &shared));
    }
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

    #[test]
    fn events_are_one_line_of_json() {
        assert_eq!(
            event("errors", "a\nb"),
            "event: errors\ndata: \"a\\nb\"\n\n"
        );
    }
}
