//! The only module that opens an Oxigraph [`Store`]: store generations, the build lock,
//! bulk loading and atomic publication.
//!
//! Layout of a store directory:
//!
//! ```text
//! store/
//!   CURRENT        name of the published generation ("gen-000007"), replaced by rename(2)
//!   build.lock     held (flock) by the one running build
//!   gen-000007/    the published RocksDB store
//!   gen-000006/    the previous generation, kept until the next build for readers still on it
//! ```
//!
//! A build loads into a fresh `gen-N` directory and publishes it by atomically replacing
//! `CURRENT`. A crash before the rename leaves the old generation published; the next build
//! removes the leftover directory.

use crate::UserError;
use anyhow::{Context, Result};
use oxigraph::model::Triple;
use oxigraph::store::Store;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "build.lock";
const PREFIX: &str = "gen-";

/// The bulk loader's memory budget when none is given, in MB. Oxigraph's own default is a
/// batch of one million quads per thread; half of that (this budget on two cores) loaded
/// 100 k relations faster (the batches sort quicker) with 1.3 GB peak instead of 1.9 GB
/// (BENCHMARKS.md).
pub const DEFAULT_MEMORY_MB: usize = 1024;

/// Options for a bulk load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Memory budget of the bulk loader, in MB ([`DEFAULT_MEMORY_MB`] when `None`).
    pub memory_mb: Option<usize>,
}

/// A held build lock; released on drop.
pub struct BuildLock {
    _file: File,
}

/// Takes the store's build lock, failing at once if another build holds it.
pub fn lock(store_dir: &Path) -> Result<BuildLock> {
    fs::create_dir_all(store_dir)
        .with_context(|| format!("cannot create the store directory {}", store_dir.display()))?;
    let path = store_dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(BuildLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(UserError::msg(format!(
            "another `histkg build` is writing to {}; wait for it to finish (lock held on {})",
            store_dir.display(),
            path.display()
        ))),
        Err(fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// The name of the published generation, if any.
pub fn current_generation(store_dir: &Path) -> Result<Option<String>> {
    match fs::read_to_string(store_dir.join(CURRENT)) {
        Ok(name) => Ok(Some(name.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(e).with_context(|| format!("cannot read {}", store_dir.join(CURRENT).display()))
        }
    }
}

fn generations(store_dir: &Path) -> Result<Vec<(u64, String)>> {
    let mut out = Vec::new();
    for entry in
        fs::read_dir(store_dir).with_context(|| format!("cannot list {}", store_dir.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(n) = generation_number(&name) {
            out.push((n, name));
        }
    }
    out.sort();
    Ok(out)
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?.parse().ok()
}

/// Removes every generation directory for which `keep(number, name)` is false.
fn remove_generations(store_dir: &Path, keep: impl Fn(u64, &str) -> bool) -> Result<()> {
    for (n, name) in generations(store_dir)? {
        if !keep(n, &name) {
            fs::remove_dir_all(store_dir.join(&name))
                .with_context(|| format!("cannot remove the old generation {name}"))?;
        }
    }
    Ok(())
}

/// Loads `triples` into a new generation and publishes it. The caller holds the [`BuildLock`].
/// The first error in `triples` stops the load and nothing is published. Returns the opened
/// new store (read-write) and its directory.
pub fn build_generation(
    _lock: &BuildLock,
    store_dir: &Path,
    triples: impl Iterator<Item = Result<Triple>>,
    options: &LoadOptions,
    on_progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<(Store, PathBuf)> {
    let current = current_generation(store_dir)?;
    let current_number = current.as_deref().and_then(generation_number);
    // Numbers only grow, even past leftovers, so a name is never reused.
    let next = generations(store_dir)?.last().map_or(1, |(n, _)| n + 1);
    // Leftovers of crashed builds are the generations newer than the published one.
    remove_generations(store_dir, |n, _| current_number.is_some_and(|c| n <= c))?;
    let name = format!("{PREFIX}{next:06}");
    let dir = store_dir.join(&name);
    let store = Store::open(&dir)
        .with_context(|| format!("cannot create the store generation {}", dir.display()))?;
    let mut loader = store
        .bulk_loader()
        .on_progress(on_progress)
        .with_max_memory_size_in_megabytes(options.memory_mb.unwrap_or(DEFAULT_MEMORY_MB));
    let quads = triples.map(|t| t.map(|t| t.in_graph(oxigraph::model::GraphName::DefaultGraph)));
    loader
        .load_ok_quads::<anyhow::Error, anyhow::Error>(quads)
        .with_context(|| format!("cannot load into {}", dir.display()))?;
    loader
        .commit()
        .with_context(|| format!("cannot commit {}", dir.display()))?;
    store
        .flush()
        .with_context(|| format!("cannot flush {}", dir.display()))?;
    publish(store_dir, &name)?;
    // Keep the replaced generation for readers that still have it open; drop older ones. The
    // new generation is already published, so a failure here is left for the next build.
    let _ = remove_generations(store_dir, |_, old| {
        old == name || Some(old) == current.as_deref()
    });
    Ok((store, dir))
}

/// Atomically points `CURRENT` at `name`: write a temporary file, sync it, rename it over.
fn publish(store_dir: &Path, name: &str) -> Result<()> {
    let tmp = store_dir.join(format!("{CURRENT}.tmp"));
    let mut f = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    writeln!(f, "{name}")?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, store_dir.join(CURRENT)).with_context(|| format!("cannot publish {name}"))?;
    File::open(store_dir)?.sync_all()?;
    Ok(())
}

/// Opens the published generation read-only.
pub fn open(store_dir: &Path) -> Result<Store> {
    let Some(name) = current_generation(store_dir)? else {
        return Err(UserError::msg(format!(
            "no graph in {}: run `histkg build` first (or pass --store DIR)",
            store_dir.display()
        )));
    };
    let dir = store_dir.join(&name);
    Store::open_read_only(&dir)
        .with_context(|| format!("cannot open the store generation {}", dir.display()))
}
