//! The build pipeline: check the tables, then stream them again through the mapping into the
//! bulk loader.
//!
//! ```text
//! ingest::check ──▶ Checked ──▶ Checked::records ─(thread)─▶ Mapper::record ──▶ channel
//!   (2 passes)      (ids only)     (3rd pass)                   + Tally            │
//!                                                                                  ▼
//!                                            store::build_generation ◀── bulk loader
//! ```
//!
//! Only the ids and one channel's worth of triples are held at a time, so memory is the id
//! registry plus the loader's budget, whatever the size of the tables. The mapping runs on its
//! own thread while the loader's threads sort and write. If the third pass finds a table
//! changed since it was checked, the load fails and nothing is published.

use crate::error::{Error, Result};
use crate::ingest::Checked;
use crate::mapping::Mapper;
use crate::store::{self, BuildLock, LoadOptions};
use crate::summary::{Summary, Tally};
use oxigraph::model::Triple;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Triples per message from the mapping thread to the loader.
const CHUNK: usize = 4096;
/// Messages in flight: bounds the triples waiting for the loader.
const IN_FLIGHT: usize = 16;

/// What the mapping thread sends.
enum Message {
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

/// Maps `checked` into a new store generation and publishes it. The caller holds `lock`.
pub fn load(
    checked: &Checked,
    lock: &BuildLock,
    store_dir: &Path,
    options: &LoadOptions,
    on_progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Built> {
    let mut mapper = Mapper::new(&checked.base, checked.tiers().clone())?;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
        let producer = scope.spawn(move || {
            let mut tally = Tally::default();
            let mut chunk = Mapper::files(&checked.rdf_files);
            let mut written = chunk.len();
            let mut first = true;
            let streamed = checked.records(|record| {
                if std::mem::take(&mut first) && options.checkpoint("mapping").is_err() {
                    return ControlFlow::Break(());
                }
                if options.cancelled() {
                    return ControlFlow::Break(());
                }
                tally.add(&record);
                let triples = mapper.record(&record);
                written += triples.len();
                chunk.extend(triples);
                if chunk.len() >= CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK + 64));
                    if tx.send(Message::Triples(full)).is_err() {
                        // The loader stopped; it reports why.
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            });
            let last = match streamed {
                Ok(()) if options.cancelled() => Message::Failed(Error::Interrupted),
                Ok(()) => {
                    for finding in checked.findings() {
                        let triples = mapper.finding(&finding);
                        written += triples.len();
                        chunk.extend(triples);
                        if chunk.len() >= CHUNK {
                            let full =
                                std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK + 64));
                            if tx.send(Message::Triples(full)).is_err() {
                                break;
                            }
                        }
                    }
                    let _ = tx.send(Message::Triples(chunk));
                    Message::Done
                }
                Err(changed) => Message::Failed(Error::user(format!(
                    "a table changed during the build, so nothing was published:\n{}",
                    changed.to_string().trim_end()
                ))),
            };
            let _ = tx.send(last);
            (tally, written)
        });
        let mut current = Vec::new().into_iter();
        let mut done = false;
        let triples = std::iter::from_fn(move || {
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
                    Err(_) => {
                        return Some(Err(Error::internal("the mapping stopped before the end")));
                    }
                }
            }
        });
        let loaded = store::build_generation(lock, store_dir, triples, options, on_progress);
        let (tally, written) = producer
            .join()
            .map_err(|_| Error::internal("the mapping thread panicked"))?;
        let dir = loaded?;
        Ok(Built {
            dir,
            summary: Summary::of_tally(&tally, written),
        })
    })
}
