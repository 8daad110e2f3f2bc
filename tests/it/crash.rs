//! Crash safety (RELIABILITY.md): `histkg build` killed at any moment, or cancelled by SIGINT
//! or SIGTERM, never damages the published graph, and the next build cleans up after it.
//!
//! Each build runs the real binary on a copy of the shipped data whose title was changed, so a
//! build that got as far as publishing is told apart from one that did not. Kills land at
//! evenly spread moments over a build's duration, and at each phase boundary through the
//! `HISTKG_PAUSE_AT` hook (the build waits there until it is killed).
#![allow(clippy::print_stdout, clippy::print_stderr)] // notes for the person running it

use crate::common::{BIN, ok, root};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Random kills over the build's duration (the issue asks for at least 20).
const RANDOM_KILLS: u32 = 24;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The shipped data in `dir/data`, with the dataset title suffixed by `mark`.
fn data(dir: &Path, mark: &str) {
    copy_dir(&root().join("data"), &dir.join("data"));
    let path = dir.join("data/dataset.ttl");
    let ttl = fs::read_to_string(&path).unwrap();
    let (head, tail) = ttl.split_once("dcterms:title \"").unwrap();
    fs::write(&path, format!("{head}dcterms:title \"{mark} {tail}")).unwrap();
}

/// The published generation's name and its sorted N-Triples export (the checksum: exports
/// are deterministic).
fn state(dir: &Path) -> (String, String) {
    let name = fs::read_to_string(dir.join("store/CURRENT"))
        .unwrap()
        .trim()
        .to_owned();
    (name, ok(dir, &["export", "--format", "ntriples"]))
}

fn generation_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("store"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn spawn_build(dir: &Path, pause_at: Option<&str>) -> Child {
    build_command(dir, pause_at).spawn().unwrap()
}

/// `histkg build` in `dir`, stderr piped, pausing at `pause_at` if given.
fn build_command(dir: &Path, pause_at: Option<&str>) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("build")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(phase) = pause_at {
        command.env("HISTKG_PAUSE_AT", phase);
    }
    command
}

/// Waits until the build says it paused at `phase`; returns the rest of its stderr later.
fn wait_for_pause(child: &mut Child, phase: &str) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wanted = format!("histkg: paused at {phase}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line == wanted => return rx,
            Ok(_) => {}
            Err(e) => panic!("the build never paused at {phase}: {e}"),
        }
    }
}

/// Two stores: the one the crash tests attack, published from data titled "before", and the
/// state a complete build of the "after" data gives.
struct Setup {
    dir: tempfile::TempDir,
    before: (String, String),
    after: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), "before");
    ok(dir.path(), &["build"]);
    let before = state(dir.path());
    let reference = tempfile::tempdir().unwrap();
    data(reference.path(), "after");
    ok(reference.path(), &["build"]);
    let after = state(reference.path()).1;
    assert_ne!(before.1, after);
    data(dir.path(), "after");
    Setup { dir, before, after }
}

impl Setup {
    /// After an interrupted build: the store opens and holds either the graph published
    /// before (same generation, same export) or, if the build had published, the new one.
    fn check(&mut self, what: &str) -> bool {
        let now = state(self.dir.path());
        if now.0 == self.before.0 {
            assert_eq!(now.1, self.before.1, "{what}: the published graph changed");
            false
        } else {
            assert_eq!(
                now.1, self.after,
                "{what}: a new generation holds the wrong graph"
            );
            self.before = now;
            true
        }
    }

    /// After a build that failed or was cancelled: the graph published before is still
    /// published, and it is the only generation left.
    fn unchanged_and_clean(&mut self, what: &str) {
        assert!(!self.check(what));
        assert_eq!(
            generation_dirs(self.dir.path()),
            vec![self.before.0.clone()],
            "{what}: leftovers"
        );
    }

    /// A complete build afterwards succeeds and leaves exactly one generation.
    fn finish(&mut self) {
        ok(self.dir.path(), &["build"]);
        let gens = generation_dirs(self.dir.path());
        assert_eq!(gens.len(), 1, "leftovers after a clean build: {gens:?}");
        assert_eq!(state(self.dir.path()).1, self.after);
    }
}

#[test]
fn killed_builds_never_damage_the_published_graph() {
    let mut s = setup();
    // How long one build takes here, to spread the kills over it.
    let start = Instant::now();
    let reference = tempfile::tempdir().unwrap();
    data(reference.path(), "after");
    ok(reference.path(), &["build"]);
    let took = start.elapsed();

    // At each phase boundary, before and after publication.
    for phase in ["mapping", "commit", "flush", "publish", "cleanup"] {
        let mut child = spawn_build(s.dir.path(), Some(phase));
        let _rest = wait_for_pause(&mut child, phase);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let published = s.check(&format!("SIGKILL at {phase}"));
        assert_eq!(published, phase == "cleanup", "SIGKILL at {phase}");
        if published {
            // Start the remaining kills from the old graph again.
            s.finish();
            data(s.dir.path(), "before");
            ok(s.dir.path(), &["build"]);
            s.before = state(s.dir.path());
            data(s.dir.path(), "after");
        }
    }

    // At moments spread over a whole build (and a little past it).
    let mut published = 0;
    for i in 0..RANDOM_KILLS {
        let at = took.mul_f64(1.2 * f64::from(i) / f64::from(RANDOM_KILLS));
        let mut child = spawn_build(s.dir.path(), None);
        std::thread::sleep(at);
        let _ = child.kill();
        child.wait().unwrap();
        if s.check(&format!("SIGKILL after {at:?}")) {
            published += 1;
            data(s.dir.path(), "before");
            ok(s.dir.path(), &["build"]);
            s.before = state(s.dir.path());
            data(s.dir.path(), "after");
        }
    }
    eprintln!(
        "{RANDOM_KILLS} kills over {took:?}: {published} after publication, the rest before; the graph was intact every time"
    );
    s.finish();
}

#[test]
fn sigint_and_sigterm_cancel_cleanly() {
    let mut s = setup();
    for (signal, phase) in [
        ("TERM", "mapping"),
        ("INT", "commit"),
        ("TERM", "flush"),
        ("INT", "publish"),
    ] {
        let mut child = spawn_build(s.dir.path(), Some(phase));
        let rest = wait_for_pause(&mut child, phase);
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        // Every line: the reader thread ends at the end of the dead child's stderr.
        let stderr: Vec<String> = rest.iter().collect();
        assert_eq!(
            status.code(),
            Some(130),
            "SIG{signal} at {phase}: {stderr:?}"
        );
        assert!(
            stderr
                .iter()
                .any(|l| l.contains("interrupted: nothing was published")),
            "SIG{signal} at {phase}: {stderr:?}"
        );
        // Cancelled builds clean up at once.
        s.unchanged_and_clean(&format!("SIG{signal} at {phase}"));
    }
    s.finish();
}

/// A table edited while the build checks and streams the records fails the build: exit 1
/// naming the file, nothing published, no leftover generation. The build pauses at its first
/// record (`mapping`, in the second pass, while the loader is already at work), the test edits
/// a table, then lets it go on (`HISTKG_RESUME_WHEN`).
#[test]
fn a_table_changed_during_the_build_publishes_nothing() {
    let mut s = setup();
    // sources.csv is being read when the build pauses; relations.csv is opened later.
    for table in ["sources.csv", "relations.csv"] {
        let resume = s.dir.path().join("resume");
        let _ = fs::remove_file(&resume);
        let mut child = build_command(s.dir.path(), Some("mapping"))
            .env("HISTKG_RESUME_WHEN", &resume)
            .spawn()
            .unwrap();
        let rest = wait_for_pause(&mut child, "mapping");
        let path = s.dir.path().join("data").join(table);
        let mut text = fs::read_to_string(&path).unwrap();
        text.push('\n');
        fs::write(&path, text).unwrap();
        fs::write(&resume, "").unwrap();
        let status = child.wait().unwrap();
        // Every line: the reader thread ends at the end of the dead child's stderr.
        let stderr: Vec<String> = rest.iter().collect();
        assert_eq!(status.code(), Some(1), "{table}: {stderr:?}");
        assert!(
            stderr
                .last()
                .is_some_and(|l| l.starts_with("error: ")
                    && l.ends_with("problem in data; nothing was written")),
            "{table}: {stderr:?}"
        );
        assert!(
            stderr
                .iter()
                .any(|l| l.starts_with(&format!("data/{table}:"))
                    && l.contains("the file changed while histkg was reading it")),
            "{table}: {stderr:?}"
        );
        s.unchanged_and_clean(&format!("{table} edited during the build"));
    }
    s.finish();
}
