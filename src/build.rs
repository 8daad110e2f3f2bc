//! The build pipeline: check the tables and, while the second pass checks the rows, stream
//! them through the mapping into the bulk loader.
//!
//! ```text
//! ingest::check_streaming ─(thread)─▶ Mapper::record ──▶ channel ──▶ store::build_generation
//!   pass 1: structure, ids             + Tally             │          (bulk loader, into an
//!   pass 2: every row checked ─────────────────────────────┘           unpublished generation)
//!   then: findings, reviews ──▶ problems? the generation is thrown away : findings mapped,
//!                               commit, flush, publish
//! ```
//!
//! Loading starts once the first pass found nothing wrong and is speculative until the second
//! pass ends: a problem found there fails the load, whose generation is removed, so nothing is
//! published unless everything validates (as before this overlap, when the load waited for
//! both passes and read the tables a third time). Only the ids and one channel's worth of
//! triples are held at a time, so memory is the id registry plus the loader's budget,
//! whatever the size of the tables. If a table changes while it is read, the second pass
//! reports it and nothing is published.

use crate::diagnostics::InvalidData;
use crate::error::{Error, Result};
use crate::ingest::{self, Checked};
use crate::mapping::Mapper;
use crate::model::Record;
use crate::store::{self, BuildLock, LoadOptions};
use crate::summary::{Summary, Tally};
use oxigraph::model::Triple;
use std::cell::RefCell;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Triples per message from the mapping thread to the loader.
const CHUNK: usize = 4096;
/// Messages in flight: bounds the triples waiting for the loader.
const IN_FLIGHT: usize = 16;

/// What the mapping thread sends.
enum Message {
    /// The first pass found nothing wrong: records follow.
    Start,
    Triples(Vec<Triple>),
    Failed(Error),
    Done,
}

/// A published build.
#[derive(Debug)]
pub struct Built {
    /// The new generation's directory.
    pub dir: PathBuf,
    /// What it holds, counted from the records as they were loaded.
    pub summary: Summary,
}

/// The mapping side of a build: records to triples, in chunks to the loader.
struct Stream<'t> {
    mapper: Mapper,
    tally: Tally,
    chunk: Vec<Triple>,
    written: usize,
    tx: &'t mpsc::SyncSender<Message>,
}

impl Stream<'_> {
    /// Adds triples, sending a full chunk; breaks when the loader has stopped.
    fn push(&mut self, triples: Vec<Triple>) -> ControlFlow<()> {
        self.written += triples.len();
        self.chunk.extend(triples);
        if self.chunk.len() >= CHUNK {
            let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK + 64));
            if self.tx.send(Message::Triples(full)).is_err() {
                // The loader stopped; it reports why.
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Checks the dataset in `data_dir` and builds from it a new generation of `store_dir`,
/// published if everything validates (see the module's documentation).
///
/// `lock` takes the build lock when loading starts, that is once the first pass found nothing
/// wrong: a dataset refused by it leaves the store directory as it was, not even created.
/// `verdict` is told how the checks ended, on the mapping thread, before anything is
/// published: the problems (its error is then the build's), or the checked dataset with its
/// findings, which it may refuse (`--strict`) by returning an error.
pub fn check_and_load(
    data_dir: &Path,
    store_dir: &Path,
    options: &LoadOptions,
    lock: impl FnOnce() -> Result<BuildLock>,
    verdict: impl FnOnce(std::result::Result<&Checked, &InvalidData>) -> Result<()> + Send,
    on_progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Built> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
        let producer = scope.spawn(move || map_while_checking(data_dir, options, &tx, verdict));
        let fail = |e: Error, producer: std::thread::ScopedJoinHandle<'_, _>| {
            let _ = producer.join();
            Err(e)
        };
        match rx.recv() {
            Ok(Message::Start) => {}
            Ok(Message::Failed(e)) => return fail(e, producer),
            _ => {
                return fail(
                    Error::internal("the checks stopped before the end"),
                    producer,
                );
            }
        }
        let lock = match lock() {
            Ok(lock) => lock,
            Err(e) => {
                // The mapping thread stops at its next send.
                drop(rx);
                return fail(e, producer);
            }
        };
        let loaded = store::build_generation(&lock, store_dir, triples(rx), options, on_progress);
        let (tally, written) = producer
            .join()
            .map_err(|_| Error::internal("the mapping thread panicked"))?;
        let dir = match loaded {
            Ok(dir) => dir,
            Err(e) => {
                lock.abandon();
                return Err(e);
            }
        };
        Ok(Built {
            dir,
            summary: Summary::of_tally(&tally, written),
        })
    })
}

/// The mapping thread: runs the checks, mapping the records of the second pass as they come,
/// then the findings; returns what it counted.
fn map_while_checking(
    data_dir: &Path,
    options: &LoadOptions,
    tx: &mpsc::SyncSender<Message>,
    verdict: impl FnOnce(std::result::Result<&Checked, &InvalidData>) -> Result<()>,
) -> (Tally, usize) {
    let stream: RefCell<Option<Stream<'_>>> = RefCell::new(None);
    let mut failed = None;
    let (cell, failure, mut first) = (&stream, &mut failed, true);
    let checked = ingest::check_streaming(data_dir, move |checked| {
        let mapper = match Mapper::new(&checked.base, checked.tiers().clone()) {
            Ok(mapper) => mapper,
            Err(e) => {
                *failure = Some(e);
                return None;
            }
        };
        let chunk = Mapper::files(&checked.rdf_files);
        *cell.borrow_mut() = Some(Stream {
            mapper,
            tally: Tally::default(),
            written: chunk.len(),
            chunk,
            tx,
        });
        tx.send(Message::Start).ok()?;
        Some(move |record: Record| {
            if std::mem::take(&mut first) && options.checkpoint("mapping").is_err() {
                return ControlFlow::Break(());
            }
            if options.cancelled() {
                return ControlFlow::Break(());
            }
            let mut guard = cell.borrow_mut();
            let Some(s) = guard.as_mut() else {
                return ControlFlow::Break(());
            };
            s.tally.add(&record);
            let triples = s.mapper.record(&record);
            s.push(triples)
        })
    });
    let stream = stream.into_inner();
    let last = match (checked, failed) {
        (_, Some(e)) => Message::Failed(e),
        (Err(invalid), None) => Message::Failed(match verdict(Err(&invalid)) {
            Ok(()) => Error::internal("problems were found but not reported"),
            Err(e) => e,
        }),
        (Ok(None), None) if options.cancelled() => Message::Failed(Error::Interrupted),
        (Ok(None), None) => Message::Failed(Error::internal("the loader stopped")),
        (Ok(Some(checked)), None) => match (verdict(Ok(&checked)), stream) {
            (Err(e), _) => Message::Failed(e),
            (Ok(()), None) => Message::Failed(Error::internal("the records were not streamed")),
            (Ok(()), Some(mut s)) => {
                let mut flow = ControlFlow::Continue(());
                for finding in checked.findings() {
                    let triples = s.mapper.finding(&finding);
                    flow = s.push(triples);
                    if flow.is_break() {
                        break;
                    }
                }
                let counts = (std::mem::take(&mut s.tally), s.written);
                if flow.is_continue() {
                    let _ = tx.send(Message::Triples(std::mem::take(&mut s.chunk)));
                    let _ = tx.send(Message::Done);
                }
                return counts;
            }
        },
    };
    let _ = tx.send(last);
    (Tally::default(), 0)
}

/// The triples the mapping thread sends, ending with its last message.
fn triples(rx: mpsc::Receiver<Message>) -> impl Iterator<Item = Result<Triple>> {
    let mut current = Vec::new().into_iter();
    let mut done = false;
    std::iter::from_fn(move || {
        loop {
            if let Some(t) = current.next() {
                return Some(Ok(t));
            }
            if done {
                return None;
            }
            done = true;
            match rx.recv() {
                Ok(Message::Triples(next)) => {
                    current = next.into_iter();
                    done = false;
                }
                Ok(Message::Done) => return None,
                Ok(Message::Failed(e)) => return Some(Err(e)),
                // Without `Done`, the data may be incomplete: never publish it.
                Ok(Message::Start) | Err(_) => {
                    return Some(Err(Error::internal("the mapping stopped before the end")));
                }
            }
        }
    })
}
