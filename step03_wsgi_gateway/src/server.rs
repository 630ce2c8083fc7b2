//! The server: a fixed set of worker threads, and a poller that watches
//! every connection for them.
//!
//! ```text
//!             accept                 bytes ready            request complete
//! listener ─────────▶ parked ──────────────────▶ queue ──▶ worker ──▶ app ──▶ response
//!                       ▲                                    │
//!                       └──────── not complete yet, or ──────┘
//!                                 kept alive for the next
//! ```
//!
//! A connection that is waiting (for its first byte, for the rest of a
//! head, for the next request on a kept-alive connection) is *parked*: it
//! sits in a map, registered with the poller, and costs no thread. Only a
//! connection with bytes to read goes to a worker, and a worker only ever
//! reads bytes that are already there. So idle and slow clients cannot tie
//! up the workers, however many there are.
//!
//! There is no poller thread. The poller is held by whichever worker has
//! nothing else to do (the *leader*); see `run_worker` below.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, ErrorKind};
use std::mem;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use step02_http_reply::Limits;
use step02_http_reply::server::{close_gracefully, refuse_busy};

use crate::connection::{Connection, Progress};
use crate::exchange::{self, Exchange, KeepAlive, SERVER, error_page};
use crate::gateway::Application;
use crate::queue::{Queue, Task};

// ANCHOR: config
/// How long a kept-alive connection may sit idle between requests before we
/// close it. Browsers reuse a connection for the next page within seconds;
/// past that, an open connection only costs a file descriptor and a map
/// entry, and 15 seconds keeps that cheap. (Apache's default is 5 s,
/// nginx's 75 s.)
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

// ANCHOR: capacity
/// Files the process keeps open besides its connections: stdin, stdout and
/// stderr, the listener, the poller and its waker, and what the application
/// opens. Step 5's guestbook holds three per pooled database connection (the
/// database, its WAL and its shared-memory file) and a pool as big as the
/// workers; a static file being sent holds one per worker. So 4 per worker,
/// and 32 for the rest.
pub fn reserved_files(workers: usize) -> u64 {
    32 + 4 * workers as u64
}

/// How many connections fit in `open_files` (the soft limit on open files)
/// when `workers` threads run: each connection is one file descriptor, and
/// [`reserved_files`] are kept back. Past this, new clients get `503`.
pub fn connections_for(open_files: u64, workers: usize) -> usize {
    let room = open_files.saturating_sub(reserved_files(workers)).max(1);
    usize::try_from(room).unwrap_or(usize::MAX)
}

/// Raises this process's soft limit on open files to its hard limit (the
/// most an unprivileged process may ask for), and returns the new soft
/// limit. Many systems start a program with a soft limit of 1024 and a
/// hard one far higher: a server that kept the soft one would turn clients
/// away with its machine mostly idle. Where there is no such limit, returns
/// `u64::MAX`.
pub fn raise_open_files_limit() -> io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// The soft limit on open files, as it is now.
fn open_files_limit() -> u64 {
    // 1024 is the usual soft limit when it cannot be read.
    rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
}

/// How many connections may wait in the kernel's accept queue before the
/// leader accepts them. `std` always asks for 128, which a burst of a few
/// hundred clients connecting at once overflows: Linux then drops their
/// first packet, and they retry after a second. Linux caps the value at
/// `net.core.somaxconn` (4096 since Linux 5.4), so asking for more is
/// harmless.
pub const LISTEN_BACKLOG: i32 = 4096;
// ANCHOR_END: capacity

/// How long writing to a client may stall before we give up on it: a client
/// that stops reading its response holds a worker at most this long.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the poller looks for connections past their deadline. The
/// deadlines are seconds long (`IDLE_TIMEOUT`, step 2's head deadline), so
/// a quarter of a second late is close enough, and a sweep, which walks
/// every parked connection, stays rare.
const SWEEP_INTERVAL: Duration = Duration::from_millis(250);

/// While shutting down, how often the leader looks whether every connection
/// has closed. A worker that closes the last one does not wake the poller,
/// so the leader polls: every 50 ms is soon enough that a stop feels
/// immediate, and costs nothing next to the requests being finished.
const SHUTDOWN_POLL: Duration = Duration::from_millis(50);

/// The most readiness events one turn of the poller takes. Events beyond
/// that stay with the kernel for the next turn, so nothing is lost; the
/// size only bounds how many connections one turn hands to the workers.
/// 1024 is also what tokio takes per turn by default (its
/// `max_io_events_per_tick`).
const EVENTS_PER_TURN: usize = 1024;

/// Workers read only after the poller reported bytes, so a read returns at
/// once. A report can be stale, though (an earlier read took the bytes
/// already), and then the read would wait for the client. This bounds that
/// wait: after 10 ms the worker parks the connection again, and the poller
/// reports it when bytes really arrive.
pub const STALE_READ_TIMEOUT: Duration = Duration::from_millis(10);

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// How many worker threads run requests.
    pub workers: usize,
    /// The most connections open at once: by default as many as the open-
    /// files limit allows ([`connections_for`]).
    pub max_connections: usize,
    /// How long a kept-alive connection may stay idle ([`IDLE_TIMEOUT`]).
    pub idle_timeout: Duration,
    /// The request limits, from step 2.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config::with_workers(default_workers())
    }
}

impl Config {
    /// The default settings with `workers` workers, and as many connections
    /// as the open-files limit leaves room for with that many.
    pub fn with_workers(workers: usize) -> Config {
        Config {
            workers,
            max_connections: connections_for(open_files_limit(), workers),
            idle_timeout: IDLE_TIMEOUT,
            limits: Limits::default(),
        }
    }
}

/// `4 workers, up to 19952 connections`: for the line a server prints when
/// it starts.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} workers, up to {} connections",
            self.workers, self.max_connections
        )
    }
}

/// Two workers per CPU: a worker waits while it writes to a slow client or
/// while an application waits on something, and then another can run.
pub fn default_workers() -> usize {
    let cpus = thread::available_parallelism().map_or(2, |n| n.get());
    (2 * cpus).max(4)
}
// ANCHOR_END: config

// ANCHOR: shutdown
/// A way to stop a running server gracefully: it stops accepting, finishes
/// the requests in flight, closes idle connections, and `serve_forever`
/// returns. Cheap to clone; give one to a signal handler.
#[derive(Clone)]
pub struct Shutdown {
    requested: Arc<AtomicBool>,
    /// Interrupts the leader's wait, so that it notices at once.
    waker: Arc<Waker>,
}

impl Shutdown {
    /// Asks the server to stop.
    pub fn shutdown(&self) {
        self.requested.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
    }

    /// Whether a stop was asked for.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: shutdown

/// The poller's tokens: what woke it up.
const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
const FIRST_CONNECTION: usize = 2;

// ANCHOR: server
/// A server, bound and ready; call [`Server::serve_forever`].
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    poll: Poll,
    app: Arc<dyn Application>,
    config: Config,
    shutdown: Shutdown,
}

// ANCHOR: server_args
/// The flags of every server in this book, for `clap`: where to listen, and
/// how many workers. A program adds them to its own with
/// `#[command(flatten)]`, and gets its server from [`ServerArgs::server`].
#[derive(clap::Args, Clone, Debug)]
pub struct ServerArgs {
    /// Where to listen, as HOST:PORT. Port 0 lets the system pick a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub addr: String,
    /// How many worker threads [default: two per CPU, at least 4]
    #[arg(long)]
    pub workers: Option<usize>,
}

impl ServerArgs {
    /// Gets the server ready for `app`, as a program does when it starts:
    /// raises the open-files limit, binds the address with a backlog for
    /// bursts ([`listen`]), and sizes the connection cap for that many
    /// workers.
    pub fn server(&self, app: impl Application) -> io::Result<Server> {
        raise_open_files_limit()?;
        let listener = listen(&self.addr)?;
        let workers = self.workers.unwrap_or_else(default_workers);
        Server::new(listener, app, Config::with_workers(workers))
    }
}
// ANCHOR_END: server_args

// ANCHOR: listen
/// Binds `addr` as step 2 does, then makes its accept queue
/// [`LISTEN_BACKLOG`] long. (Calling `listen` again on a listening socket
/// only changes its backlog; `socket2` makes that call without `unsafe`.)
pub fn listen(addr: &str) -> io::Result<TcpListener> {
    let (listener, _) = step02_http_reply::server::bind(addr)?;
    socket2::SockRef::from(&listener).listen(LISTEN_BACKLOG)?;
    Ok(listener)
}
// ANCHOR_END: listen

/// Binds `addr` and makes a server for `app` with the default settings,
/// like Python's `wsgiref.simple_server.make_server`. Like
/// [`ServerArgs::server`], it raises the open-files limit first.
pub fn make_server(addr: &str, app: impl Application) -> io::Result<Server> {
    raise_open_files_limit()?;
    Server::new(listen(addr)?, app, Config::default())
}

impl Server {
    /// A server for `app` on a listener the caller has bound.
    /// Refuses a configuration that could serve nobody: no workers, or no
    /// room for a connection.
    pub fn new(listener: TcpListener, app: impl Application, config: Config) -> io::Result<Server> {
        if config.workers == 0 || config.max_connections == 0 {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                format!("a server needs at least one worker and one connection ({config})"),
            ));
        }
        let local = listener.local_addr()?;
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let shutdown = Shutdown {
            requested: Arc::new(AtomicBool::new(false)),
            waker,
        };
        Ok(Server {
            listener,
            local,
            poll,
            app: Arc::new(app),
            config,
            shutdown,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The URL to open: `http://127.0.0.1:8000/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.local)
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A handle that stops the server from any thread.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }
}
// ANCHOR_END: server

/// What the workers share.
struct Shared {
    app: Arc<dyn Application>,
    config: Config,
    registry: Registry,
    /// The poller, held by whichever worker is leading.
    poller: Mutex<Poller>,
    /// Where each open connection is: parked, or held by a worker.
    slots: Mutex<HashMap<Token, Slot>>,
    /// Connections with bytes to read, waiting for a worker.
    queue: Queue<(Token, Box<Connection>)>,
    /// Connections open: parked, queued or in a worker's hands.
    open: AtomicUsize,
    shutdown: Shutdown,
    /// Why the server stopped, if it was not asked to.
    failure: Mutex<Option<io::Error>>,
}

// ANCHOR: slot
/// Where an open connection is, in the map of them all (by poller token).
enum Slot {
    /// Parked: waiting for bytes. Boxed: a connection moves between the
    /// map, the queue and a worker for every request, and moving a pointer
    /// is cheaper than moving the whole struct.
    Parked(Box<Connection>),
    /// Queued or in a worker's hands. `reported`: the poller has reported
    /// bytes for it meanwhile, and will not report them again.
    Held { reported: bool },
}

impl Slot {
    /// The poller reported bytes. A parked connection is taken out, to be
    /// worked on, and is held from now on; a held one is marked.
    fn report(&mut self) -> Option<Box<Connection>> {
        match mem::replace(self, Slot::Held { reported: false }) {
            Slot::Parked(conn) => Some(conn),
            Slot::Held { .. } => {
                *self = Slot::Held { reported: true };
                None
            }
        }
    }
}
// ANCHOR_END: slot

impl Shared {
    fn slots(&self) -> MutexGuard<'_, HashMap<Token, Slot>> {
        // A panic while holding this lock can only come from a map
        // operation; the map itself stays whole, so keep using it.
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Server {
    // ANCHOR: serve_forever
    /// Serves until [`Shutdown::shutdown`] is called, then finishes the
    /// requests in flight and returns.
    pub fn serve_forever(self) -> io::Result<()> {
        let Server {
            listener,
            poll,
            app,
            config,
            shutdown,
            ..
        } = self;
        listener.set_nonblocking(true)?;
        let registry = poll.registry().try_clone()?;
        registry.register(
            &mut SourceFd(&listener.as_raw_fd()),
            LISTENER,
            Interest::READABLE,
        )?;
        let poller = Poller {
            poll,
            events: Events::with_capacity(EVENTS_PER_TURN),
            listening: Some(listener),
            next_token: FIRST_CONNECTION,
            last_sweep: Instant::now(),
            backlog: false,
        };
        let workers = config.workers;
        let shared = Arc::new(Shared {
            app,
            config,
            registry,
            poller: Mutex::new(poller),
            slots: Mutex::new(HashMap::new()),
            queue: Queue::new(),
            open: AtomicUsize::new(0),
            shutdown,
            failure: Mutex::new(None),
        });
        let threads: Vec<_> = (0..workers)
            .map(|n| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("worker-{n}"))
                    .spawn(move || run_worker(&shared))
            })
            .collect::<io::Result<_>>()?;
        for thread in threads {
            let _ = thread.join();
        }
        let failure = shared
            .failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        failure.map_or(Ok(()), Err)
    }
    // ANCHOR_END: serve_forever

    // ANCHOR: serve_until_signalled
    /// Serves until Ctrl-C (SIGINT) or SIGTERM, then stops gracefully: stop
    /// accepting, finish what is in flight, return. A second Ctrl-C does not
    /// wait. For a program's `main`: a process has one such handler, so call
    /// this at most once.
    pub fn serve_until_signalled(self) -> io::Result<()> {
        let shutdown = self.shutdown_handle();
        let stopping = AtomicBool::new(false);
        ctrlc::set_handler(move || {
            if stopping.swap(true, Ordering::SeqCst) {
                eprintln!("stopping now");
                std::process::exit(130);
            }
            shutdown.shutdown();
        })
        .map_err(io::Error::other)?;
        self.serve_forever()?;
        eprintln!("stopped");
        Ok(())
    }
    // ANCHOR_END: serve_until_signalled
}

// ANCHOR: run_worker
/// A worker's life. There is no poller thread: a worker with nothing to do
/// becomes the *leader*, and watches the connections for everyone. When
/// bytes arrive, it hands the role on, queues the connections it found for
/// the others, and answers one of them itself, without passing it to
/// another thread. (This is the "leader/followers" pattern.)
fn run_worker(shared: &Shared) {
    loop {
        match shared.queue.next_task() {
            Task::Job((token, conn)) => work(shared, token, conn),
            Task::Lead => {
                let mut found = lead(shared).into_iter();
                let mine = found.next();
                shared.queue.end_lead(found);
                if let Some((token, conn)) = mine {
                    work(shared, token, conn);
                }
            }
            Task::Stop => return,
        }
    }
}

/// One turn of the poller, by the leader.
fn lead(shared: &Shared) -> Vec<(Token, Box<Connection>)> {
    let mut poller = shared.poller.lock().unwrap_or_else(PoisonError::into_inner);
    match poller.turn(shared) {
        Ok(found) => found,
        Err(error) => {
            *shared
                .failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(error);
            shared.queue.close();
            Vec::new()
        }
    }
}
// ANCHOR_END: run_worker

/// The poller and what it keeps between turns.
struct Poller {
    poll: Poll,
    events: Events,
    /// The listener, until shutdown.
    listening: Option<TcpListener>,
    next_token: usize,
    last_sweep: Instant,
    /// Connections left in the listen queue after a failed accept: the
    /// listener will not report them again, so every turn retries.
    backlog: bool,
}

impl Poller {
    // ANCHOR: turn
    /// Waits for events, accepts new connections, closes those past their
    /// deadline, and returns the parked connections that have bytes to read.
    /// On shutdown: stops accepting, and closes the queue once every
    /// connection is closed.
    fn turn(&mut self, shared: &Shared) -> io::Result<Vec<(Token, Box<Connection>)>> {
        let wait = if shared.shutdown.is_requested() {
            SHUTDOWN_POLL
        } else {
            SWEEP_INTERVAL
        };
        match self.poll.poll(&mut self.events, Some(wait)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
        let mut ready = Vec::new();
        let mut accept = self.backlog;
        {
            let mut slots = shared.slots();
            for event in self.events.iter() {
                match event.token() {
                    LISTENER => accept = true,
                    WAKER => {}
                    // No slot: the connection was closed since the report.
                    token => {
                        if let Some(conn) = slots.get_mut(&token).and_then(Slot::report) {
                            ready.push((token, conn));
                        }
                    }
                }
            }
        }
        if let (true, Some(listener)) = (accept, &self.listening) {
            self.backlog = !accept_all(listener, shared, &mut self.next_token);
        }
        if self.last_sweep.elapsed() >= SWEEP_INTERVAL {
            close_expired(shared);
            self.last_sweep = Instant::now();
        }
        if shared.shutdown.is_requested() {
            if let Some(listener) = self.listening.take() {
                // Stop accepting; connections still in the listen queue are
                // refused when the listener closes.
                let _ = shared
                    .registry
                    .deregister(&mut SourceFd(&listener.as_raw_fd()));
                drop(listener);
                close_idle(shared);
                let open = shared.open.load(Ordering::SeqCst);
                eprintln!("shutting down: finishing {open} connection(s) in flight");
            }
            if shared.open.load(Ordering::SeqCst) == 0 && ready.is_empty() {
                shared.queue.close();
            }
        }
        Ok(ready)
    }
    // ANCHOR_END: turn
}

// ANCHOR: accept
/// Accepts every connection waiting in the listen queue and parks it.
/// Returns whether the queue is empty; `false` after an error (out of file
/// descriptors, say), which leaves connections waiting for a retry.
fn accept_all(listener: &TcpListener, shared: &Shared, next_token: &mut usize) -> bool {
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("accept failed: {e}");
                return false;
            }
        };
        if shared.open.load(Ordering::SeqCst) >= shared.config.max_connections {
            refuse_busy(
                &stream,
                shared.config.max_connections,
                &[("Server", SERVER)],
            );
            continue;
        }
        if let Err(e) = prepare(&stream) {
            eprintln!("{peer}: {e}");
            continue;
        }
        let local = stream.local_addr().unwrap_or(peer);
        let token = Token(*next_token);
        *next_token += 1;
        shared.open.fetch_add(1, Ordering::SeqCst);
        let conn = Box::new(Connection::new(stream, peer, local));
        let fd = conn.stream().as_raw_fd();
        let mut slots = shared.slots();
        slots.insert(token, Slot::Parked(conn));
        // Registered once, here, for the connection's whole life. A request
        // sent together with the connection is reported at once.
        if let Err(e) = shared
            .registry
            .register(&mut SourceFd(&fd), token, Interest::READABLE)
        {
            if let Some(Slot::Parked(conn)) = slots.remove(&token) {
                drop(slots);
                eprintln!("{peer}: cannot watch the connection: {e}");
                close(shared, token, conn);
            }
        }
    }
}

/// Socket options for a new connection.
fn prepare(stream: &TcpStream) -> io::Result<()> {
    // Send each response at once instead of waiting to batch it with more
    // (Nagle's algorithm): we write whole responses, and latency matters.
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(STALE_READ_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))
}

// ANCHOR_END: accept

// ANCHOR: park
/// Puts a connection back in its slot, where the poller finds it when its
/// next bytes are reported.
fn park(shared: &Shared, token: Token, conn: Box<Connection>) {
    if shared.shutdown.is_requested() && conn.is_idle() {
        return close(shared, token, conn);
    }
    let fd = conn.stream().as_raw_fd();
    let unreported = conn.may_have_unreported_bytes();
    let mut slots = shared.slots();
    let reported = matches!(
        slots.insert(token, Slot::Parked(conn)),
        Some(Slot::Held { reported: true })
    );
    if !reported && !unreported {
        return;
    }
    // Bytes were reported while a worker held the connection (they may be
    // read already, or not), or the last read left some: registering again
    // makes the poller report the bytes that are waiting now. A system
    // call, made only in these two cases.
    if let Err(e) = shared
        .registry
        .reregister(&mut SourceFd(&fd), token, Interest::READABLE)
    {
        if let Some(Slot::Parked(conn)) = slots.remove(&token) {
            drop(slots);
            eprintln!("{}: cannot watch the connection: {e}", conn.vars.peer);
            close(shared, token, conn);
        }
    }
}

/// Closes a connection and forgets it.
fn close(shared: &Shared, token: Token, conn: Box<Connection>) {
    let _ = shared
        .registry
        .deregister(&mut SourceFd(&conn.stream().as_raw_fd()));
    shared.slots().remove(&token);
    drop(conn);
    shared.open.fetch_sub(1, Ordering::SeqCst);
}
// ANCHOR_END: park

// ANCHOR: work
/// What a worker does with a connection that has bytes to read: read them,
/// answer every complete request they hold, and park the connection again.
fn work(shared: &Shared, token: Token, mut conn: Box<Connection>) {
    let limits = &shared.config.limits;
    let mut progress = conn.read_and_advance(limits);
    loop {
        match progress {
            Progress::NeedMore => return park(shared, token, conn),
            Progress::Closed => {
                if !conn.is_idle() {
                    eprintln!("{}: closed in the middle of a request", conn.vars.peer);
                }
                return close(shared, token, conn);
            }
            Progress::Failed(error) => {
                eprintln!("{}: {error}", conn.vars.peer);
                if let Some(status) = error.status() {
                    let page = error_page(status, &error.to_string());
                    let _ = page.write_to(conn.stream(), false);
                    close_gracefully(conn.stream());
                }
                return close(shared, token, conn);
            }
            Progress::Request(head, body) => {
                let exchange = Exchange {
                    head: &head,
                    body,
                    connection: &conn.vars,
                    keep_alive_allowed: &|| !shared.shutdown.is_requested(),
                };
                let keep_alive = exchange::run(&*shared.app, exchange, conn.stream());
                conn.finished_request();
                if keep_alive == KeepAlive::No || shared.shutdown.is_requested() {
                    close_gracefully(conn.stream());
                    return close(shared, token, conn);
                }
                // The client may have sent its next request already.
                progress = conn.advance(limits);
            }
        }
    }
}
// ANCHOR_END: work

// ANCHOR: expire
/// Closes parked connections past their deadline. A request cut off in the
/// middle gets `408 Request Timeout`; an idle connection is just closed.
fn close_expired(shared: &Shared) {
    let now = Instant::now();
    let limits = &shared.config.limits;
    let expired = take_parked(shared, |conn| {
        conn.deadline(limits, shared.config.idle_timeout) <= now
    });
    for (token, conn) in expired {
        let error = conn.timed_out();
        if let Some(status) = error.status() {
            eprintln!("{}: {error}", conn.vars.peer);
            // The connection was waiting for the client, so its send buffer
            // is empty and this short write does not wait.
            let _ = conn.stream().set_nonblocking(true);
            let _ = error_page(status, &error.to_string()).write_to(conn.stream(), false);
        }
        close(shared, token, conn);
    }
}

/// On shutdown: closes every parked connection that has no request under way.
fn close_idle(shared: &Shared) {
    for (token, conn) in take_parked(shared, |conn| conn.is_idle()) {
        close(shared, token, conn);
    }
}

/// Takes the parked connections for which `which` is true out of the map.
fn take_parked(
    shared: &Shared,
    which: impl Fn(&Connection) -> bool,
) -> Vec<(Token, Box<Connection>)> {
    let mut slots = shared.slots();
    let tokens: Vec<Token> = slots
        .iter()
        .filter(|(_, slot)| matches!(slot, Slot::Parked(conn) if which(conn)))
        .map(|(token, _)| *token)
        .collect();
    tokens
        .into_iter()
        .filter_map(|token| match slots.remove(&token) {
            Some(Slot::Parked(conn)) => Some((token, conn)),
            _ => None,
        })
        .collect()
}
// ANCHOR_END: expire
