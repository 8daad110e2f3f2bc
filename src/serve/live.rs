//! Serving whichever generation is published: [`Live`] swaps in a newly published generation
//! and removes old ones once no request holds them; [`server`] binds the handler with
//! (patched) oxhttp and [`run`] adds the watcher that looks for new generations.
//!
//! Must not: write to a generation, or open sockets outside [`run`] and [`server`].

use super::{App, Options};
use crate::error::{Context, Result};
use oxhttp::model::{Body, Request, Response};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How long [`run`]'s connections wait for a client to send (and to read) before giving up.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How many connections [`run`] serves at once; more wait for one to close.
///
/// oxhttp gives each connection a thread, and a connection that sends nothing holds it until
/// the 60 s read timeout, so this is how many idle connections it takes to block the server.
/// At 128, 232 idle connections (the listen backlog took the rest) kept a fresh request
/// waiting 59.5 s (`tests/reliability/hostile-http.sh` opens 300). 512 threads cost little
/// (stacks are reserved, not committed), and 512 sockets stay under the usual soft limit of
/// 1024 open files with room for RocksDB's, so `accept` does not fail (oxhttp would retry it
/// in a busy loop).
pub const MAX_CONNECTIONS: usize = 512;

/// How often [`run`] looks for a newly published generation.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// An [`App`] over whichever generation is published.
///
/// [`Live::refresh`] opens a newly published generation and swaps it in; requests already
/// running finish on the generation they started with, whose lock is released (and which a
/// later refresh or build then removes) when the last of them ends.
pub struct Live {
    store_dir: PathBuf,
    queries_dir: PathBuf,
    options: Options,
    current: RwLock<Arc<App>>,
}

impl Live {
    /// Opens the published generation of `store_dir`.
    pub fn open(store_dir: &Path, queries_dir: &Path, options: Options) -> Result<Self> {
        let app = App::new(crate::store::open(store_dir)?, queries_dir, options.clone())?;
        Ok(Self {
            store_dir: store_dir.to_owned(),
            queries_dir: queries_dir.to_owned(),
            options,
            current: RwLock::new(Arc::new(app)),
        })
    }

    /// The application over the generation being served.
    pub fn app(&self) -> Arc<App> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&current)
    }

    /// Answers one request on the generation being served.
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        self.app().handle(request)
    }

    /// Switches to the published generation if it changed, returning its name, and removes
    /// older generations no reader holds any more.
    pub fn refresh(&self) -> Result<Option<String>> {
        let published = crate::store::current_generation(&self.store_dir)?;
        let serving = self.app().generation().to_owned();
        let mut switched = None;
        if published.is_some_and(|p| p != serving) {
            let store = crate::store::open(&self.store_dir)?;
            let name = store.generation().to_owned();
            let app = App::new(store, &self.queries_dir, self.options.clone())?;
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(app);
            switched = Some(name);
        }
        // Not fatal: a read-only store directory cannot be cleaned, and the next build will.
        let _ = crate::store::remove_unused(&self.store_dir);
        Ok(switched)
    }
}

/// Binds the handler to `bind` and serves until the process is stopped; says what it serves
/// through `log`.
pub fn run(live: Live, bind: SocketAddr) -> Result<()> {
    let live = Arc::new(live);
    let watcher = Arc::clone(&live);
    std::thread::Builder::new()
        .name("histkg generation watcher".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(WATCH_INTERVAL);
                match watcher.refresh() {
                    Ok(Some(name)) => log::info!("now serving {name}"),
                    Ok(None) => {}
                    Err(e) => log::warn!(
                        "still serving the previous generation: {}",
                        crate::error::chain(&e)
                    ),
                }
            }
        })
        .context("cannot start the generation watcher")?;
    let server = server(live, bind, READ_TIMEOUT)?;
    log::info!("serving on http://{bind}/ (SPARQL at http://{bind}/sparql)");
    server
        .spawn()
        .with_context(|| format!("cannot listen on {bind}"))?
        .join()
        .context("the server stopped")?;
    Ok(())
}

/// The HTTP server [`run`] starts, not yet listening: oxhttp with histkg's limits.
///
/// oxhttp (patched, `vendor/oxhttp/HISTKG-PATCH.md`) answers before the handler runs: 414 for a
/// request line over 8 KiB, 431 for a longer head, 400 for a malformed request, 408 for one cut
/// short by `read_timeout`; a kept-alive connection idle for `read_timeout` is closed without
/// an answer.
pub fn server(live: Arc<Live>, bind: SocketAddr, read_timeout: Duration) -> Result<oxhttp::Server> {
    oxhttp::Server::new(move |request| live.handle(request))
        .bind(bind)
        .with_global_timeout(read_timeout)
        .with_max_concurrent_connections(MAX_CONNECTIONS)
        .with_server_name(concat!("histkg/", env!("CARGO_PKG_VERSION")))
        .context("cannot name the server")
}
