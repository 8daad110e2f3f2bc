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
//!   gen-000007.readers  share-locked (flock) by every process that has gen-000007 open
//!   gen-000006/    an older generation, kept while a reader (a server, a long export) holds it
//! ```
//!
//! A build loads into a fresh `gen-N` directory and publishes it by atomically replacing
//! `CURRENT`. A crash before the rename leaves the old generation published; the next build
//! removes the leftover directory. An older generation is removed (by the next build, or by a
//! server once it has switched) only when its `.readers` lock can be taken exclusively, so no
//! process ever has a generation deleted under it.

use crate::error::{Context, Error, Result};
use oxigraph::model::Triple;
use oxigraph::store::Store;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "build.lock";
const PREFIX: &str = "gen-";
const READERS: &str = ".readers";

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
    /// Set (by SIGINT or SIGTERM) to stop the build before it publishes.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// The environment variable naming a build phase to pause at, for the crash tests: the build
/// prints `histkg: paused at PHASE` to standard error and waits there until it is killed or
/// cancelled (or, with [`RESUME_VARIABLE`], resumed). Phases: `mapping`, `commit`, `flush`, `publish` (all before publication) and
/// `cleanup` (after it).
pub const PAUSE_VARIABLE: &str = "HISTKG_PAUSE_AT";

/// With [`PAUSE_VARIABLE`], the environment variable naming a file: the paused build goes on
/// once that file exists (for the test that edits a table during a build).
pub const RESUME_VARIABLE: &str = "HISTKG_RESUME_WHEN";

impl LoadOptions {
    /// True once the build has been asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// A point between build phases: pauses there if [`PAUSE_VARIABLE`] names it, and fails
    /// with [`Error::Interrupted`] if the build was cancelled.
    pub fn checkpoint(&self, phase: &str) -> Result<()> {
        if std::env::var_os(PAUSE_VARIABLE).is_some_and(|p| p == phase) {
            log::info!("histkg: paused at {phase}");
            let resume = std::env::var_os(RESUME_VARIABLE).map(PathBuf::from);
            while !self.cancelled() && !resume.as_deref().is_some_and(Path::exists) {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        if self.cancelled() {
            return Err(Error::Interrupted);
        }
        Ok(())
    }
}

/// A held build lock; released on drop.
pub struct BuildLock {
    _file: File,
    /// The store directory: [`BuildLock::abandon`] removes it if taking the lock created it.
    dir: PathBuf,
    created: bool,
}

/// Takes the store's build lock, failing at once if another build holds it.
pub fn lock(store_dir: &Path) -> Result<BuildLock> {
    let created = !store_dir.exists();
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
        Ok(()) => Ok(BuildLock {
            _file: file,
            dir: store_dir.to_owned(),
            created,
        }),
        Err(fs::TryLockError::WouldBlock) => Err(Error::user(format!(
            "another `histkg build` is writing to {}; wait for it to finish (lock held on {})",
            store_dir.display(),
            path.display()
        ))),
        Err(fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

impl BuildLock {
    /// Releases the lock of a build that failed. If taking it created the store directory,
    /// removes the lock file, then the directory if nothing else is in it: a refused first
    /// build leaves no store directory behind.
    pub fn abandon(self) {
        let Self {
            _file,
            dir,
            created,
        } = self;
        drop(_file);
        if created {
            let _ = fs::remove_file(dir.join(LOCK));
            // Fails, and keeps the directory, if anything else is in it.
            let _ = fs::remove_dir(&dir);
        }
    }
}

/// Turns a failure to write in the store directory that the user can fix there (a full disk,
/// a quota, a read-only file system, missing permission) into a user error that says what
/// to do, keeping the system's message; other errors pass unchanged. Wrapped around the build
/// at the command line's edge.
pub fn explain_write_error(err: Error, store_dir: &Path) -> Error {
    use std::io::ErrorKind;
    let kind = err.io_kind();
    let store = store_dir.display();
    let advice = match kind {
        Some(ErrorKind::StorageFull | ErrorKind::QuotaExceeded) => {
            let published = current_generation(store_dir).ok().flatten();
            let size = published
                .as_ref()
                .map(|name| indicatif::HumanBytes(dir_size(&store_dir.join(name))));
            format!(
                "not enough disk space for a new generation in {store}: free some space{} or build elsewhere with --store DIR",
                match (published, size) {
                    (Some(name), Some(size)) =>
                        format!(" (a build needs about as much as the published {name}, {size})"),
                    _ => String::new(),
                }
            )
        }
        Some(ErrorKind::ReadOnlyFilesystem) => format!(
            "{store} is on a read-only file system: build into a writable directory with --store DIR (a published graph can be queried and served from read-only media)"
        ),
        Some(ErrorKind::PermissionDenied) => {
            format!(
                "no permission to write in {store}: build with --store DIR into a directory you can write to"
            )
        }
        _ => return err,
    };
    Error::user(format!(
        "{advice}; nothing was published, the previous graph is unchanged ({})",
        crate::error::chain(&err)
    ))
}

/// The bytes held by the files under `dir` (0 for what cannot be read).
fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => dir_size(&entry.path()),
            _ => entry.metadata().map_or(0, |m| m.len()),
        })
        .sum()
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

/// Removes every generation for which `keep(number, name)` is false and that no reader holds.
/// Returns the names removed.
fn remove_generations(store_dir: &Path, keep: impl Fn(u64, &str) -> bool) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for (n, name) in generations(store_dir)? {
        if keep(n, &name) {
            continue;
        }
        let lock_path = store_dir.join(format!("{name}{READERS}"));
        let lock = match OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
        {
            Ok(lock) => lock,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot open {}", lock_path.display()));
            }
        };
        if lock.try_lock().is_err() {
            continue; // a reader still has it open
        }
        match fs::remove_dir_all(store_dir.join(&name)) {
            Ok(()) => {}
            // Another process removed it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot remove the old generation {name}"));
            }
        }
        // Unlinked while still locked: a reader that opened the lock file meanwhile finds the
        // directory gone and reads `CURRENT` again.
        let _ = fs::remove_file(&lock_path);
        removed.push(name);
    }
    Ok(removed)
}

/// Removes every generation older than the published one that no reader holds; returns the
/// names removed.
pub fn remove_unused(store_dir: &Path) -> Result<Vec<String>> {
    let Some(current) = current_generation(store_dir)?
        .as_deref()
        .and_then(generation_number)
    else {
        return Ok(Vec::new());
    };
    remove_generations(store_dir, |n, _| n >= current)
}

/// Loads `triples` into a new generation and publishes it. The caller holds the [`BuildLock`].
///
/// The first error in `triples`, a cancellation ([`LoadOptions::cancel`]) or a failure
/// anywhere before publication stops the build: the new generation's directory is removed and
/// the published one is untouched. Returns the new generation's directory.
pub fn build_generation(
    _lock: &BuildLock,
    store_dir: &Path,
    triples: impl Iterator<Item = Result<Triple>>,
    options: &LoadOptions,
    on_progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<PathBuf> {
    let current = current_generation(store_dir)?;
    let current_number = current.as_deref().and_then(generation_number);
    // Numbers only grow, even past leftovers, so a name is never reused.
    let next = generations(store_dir)?.last().map_or(1, |(n, _)| n + 1);
    // Leftovers of crashed builds are the generations newer than the published one.
    remove_generations(store_dir, |n, _| current_number.is_some_and(|c| n <= c))?;
    let name = format!("{PREFIX}{next:06}");
    let dir = store_dir.join(&name);
    let loaded = (|| {
        let store = Store::open(&dir)
            .with_context(|| format!("cannot create the store generation {}", dir.display()))?;
        let mut loader = store
            .bulk_loader()
            .on_progress(on_progress)
            .with_max_memory_size_in_megabytes(options.memory_mb.unwrap_or(DEFAULT_MEMORY_MB));
        // An error of the stream (the data was refused, the build cancelled) is the build's
        // as it is; the loader's own are said to be about the generation.
        let mut refused = None;
        let quads = triples.map(|t| match t {
            Ok(t) => Ok(t.in_graph(oxigraph::model::GraphName::DefaultGraph)),
            Err(e) => {
                refused = Some(e);
                Err(Error::Interrupted)
            }
        });
        let loaded = loader.load_ok_quads::<Error, Error>(quads);
        if let Some(e) = refused {
            return Err(e);
        }
        loaded.with_context(|| format!("cannot load into {}", dir.display()))?;
        options.checkpoint("commit")?;
        loader
            .commit()
            .with_context(|| format!("cannot commit {}", dir.display()))?;
        options.checkpoint("flush")?;
        // Waits for RocksDB to compact the ingested files enough to accept writes: scans of
        // an uncompacted store run about 3 times slower (BENCHMARKS.md).
        store
            .flush()
            .with_context(|| format!("cannot flush {}", dir.display()))?;
        options.checkpoint("publish")
    })();
    if let Err(e) = loaded {
        // Nothing was published: take the half-built generation away now.
        let _ = fs::remove_dir_all(&dir);
        return Err(e);
    }
    publish(store_dir, &name)?;
    options.checkpoint("cleanup").ok();
    // Older generations go unless a reader still has them open. The new generation is
    // already published, so a failure here is left for the next build.
    let _ = remove_unused(store_dir);
    Ok(dir)
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

/// A published generation opened read-only. While it (or a [`Published::guard`]) lives, a
/// shared lock keeps builds and servers from removing the generation.
pub struct Published {
    store: Store,
    name: String,
    /// When the generation was last written: its directory's modification time.
    written: std::time::SystemTime,
    guard: Arc<Option<File>>,
}

impl std::ops::Deref for Published {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Published {
    /// The generation's name (`gen-000007`).
    pub fn generation(&self) -> &str {
        &self.name
    }

    /// When the generation was written: its directory's modification time when it was opened
    /// (the epoch when the system cannot tell).
    pub fn written(&self) -> std::time::SystemTime {
        self.written
    }

    /// Keeps the generation from being removed for as long as the returned value lives (for
    /// work that outlives this handle, such as a query thread or a streamed dump).
    pub fn guard(&self) -> Guard {
        Guard(Arc::clone(&self.guard))
    }
}

/// Keeps a published generation from being removed while it lives ([`Published::guard`]).
#[derive(Clone)]
pub struct Guard(#[allow(dead_code)] Arc<Option<File>>);

/// Share-locks `gen-N.readers`. `None` when the store directory cannot hold the lock file (a
/// read-only copy): nothing can remove generations from it either.
fn lock_readers(store_dir: &Path, name: &str) -> Result<Option<File>> {
    let path = store_dir.join(format!("{name}{READERS}"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .or_else(|_| File::open(&path));
    let Ok(file) = file else {
        return Ok(None);
    };
    file.lock_shared()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(Some(file))
}

/// Opens the published generation read-only.
pub fn open(store_dir: &Path) -> Result<Published> {
    // A build may publish and remove generations between reading `CURRENT` and taking the
    // lock: then read `CURRENT` again.
    for _ in 0..8 {
        let Some(name) = current_generation(store_dir)? else {
            return Err(Error::user(format!(
                "no graph in {}: run `histkg build` first (or pass --store DIR)",
                store_dir.display()
            )));
        };
        let guard = lock_readers(store_dir, &name)?;
        let dir = store_dir.join(&name);
        if !dir.is_dir() {
            continue;
        }
        let store = Store::open_read_only(&dir)
            .with_context(|| format!("cannot open the store generation {}", dir.display()))?;
        let written = fs::metadata(&dir)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        return Ok(Published {
            store,
            name,
            written,
            guard: Arc::new(guard),
        });
    }
    Err(Error::internal(format!(
        "the store {} keeps changing (builds in a loop?); try again",
        store_dir.display()
    )))
}
