//! The HTTP server's event loop: one thread waits on every socket at once
//! (`mio`), reads request heads and writes responses without blocking, and
//! hands each request to a fixed pool of workers; it caps the connections
//! open at once, closes idle ones, and feeds the open event streams.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::http::{head_end, parse_request, response, Request};
use super::reload::event;
use super::routes::handle_guarded;
use super::{Msg, ServeOptions, Shared, PREFIX};

/// Threads that render responses.
const WORKERS: usize = 4;
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// Output waiting for a slow event-stream client before it is dropped.
const MAX_PENDING: usize = 1 << 20;
/// How often an event stream gets a comment, to keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

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

/// Binds the listener, then starts the server thread and the pool of
/// workers that render the responses; returns where it listens, and the
/// threads.
pub(super) fn spawn(
    opts: &ServeOptions,
    shared: &Arc<Shared>,
    stop: &Arc<AtomicBool>,
) -> Result<(SocketAddr, Vec<JoinHandle<()>>)> {
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
        let shared = Arc::clone(shared);
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
        shared: Arc::clone(shared),
        stop: Arc::clone(stop),
        idle_timeout: opts.idle_timeout,
        max_connections: opts.max_connections.max(1),
        pinged: Instant::now(),
    };
    threads.push(std::thread::spawn(move || server.run()));
    Ok((addr, threads))
}
