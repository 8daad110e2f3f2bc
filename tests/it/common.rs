//! Helpers shared by the integration tests: the checkout, the real binary, the mini fixture,
//! golden files and store snapshots.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_histkg");

/// The checkout under test, read at run time (a shared target directory may hold binaries
/// compiled from another checkout of the same sources).
pub fn root() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

/// Runs histkg in `cwd`, returning its output.
pub fn histkg(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("histkg runs")
}

fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "histkg {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs histkg and asserts success; returns stdout.
pub fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = histkg(cwd, args);
    assert!(out.status.success(), "{}", describe(args, &out));
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs histkg and asserts exit status 1; returns stderr.
pub fn fails(cwd: &Path, args: &[&str]) -> String {
    let out = histkg(cwd, args);
    assert_eq!(out.status.code(), Some(1), "{}", describe(args, &out));
    String::from_utf8(out.stderr).expect("stderr is UTF-8")
}

/// `stderr` without what source criticism printed (its warnings, notes and summary line),
/// for tests about something else.
pub fn without_findings(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            !(l.contains(": warning: ")
                || l.contains(": note: ")
                || l.contains("doubts for a historian to look at"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A temporary directory holding `data/`: the shipped ontology and dataset description with
/// the small fixture tables of `tests/fixtures/mini`.
pub fn mini() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fs::create_dir_all(&data).unwrap();
    mini_data(&data);
    dir
}

/// Writes the mini dataset (see [`mini`]) into the existing directory `data`.
pub fn mini_data(data: &Path) {
    for entry in fs::read_dir(root().join("tests/fixtures/mini")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    shipped_ttl(data);
}

/// The shipped dataset (`data/`) built into `store/` of a temporary directory.
pub fn built_shipped() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("data");
    ok(
        dir.path(),
        &[
            "build",
            "--data",
            data.to_str().unwrap(),
            "--store",
            "store",
        ],
    );
    dir
}

/// Copies the shipped `ontology.ttl` and `dataset.ttl` into `data`.
pub fn shipped_ttl(data: &Path) {
    for f in ["ontology.ttl", "dataset.ttl"] {
        fs::copy(root().join("data").join(f), data.join(f)).unwrap();
    }
}

/// [`mini`], built into `store/`.
pub fn built_mini() -> tempfile::TempDir {
    let dir = mini();
    ok(dir.path(), &["build"]);
    dir
}

/// Every export format (`histkg export --format NAME`) with the parser format that reads it back.
pub fn export_formats() -> [(&'static str, oxigraph::io::RdfFormat); 6] {
    use oxigraph::io::RdfFormat;
    [
        ("ntriples", RdfFormat::NTriples),
        ("turtle", RdfFormat::Turtle),
        ("nquads", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("rdfxml", RdfFormat::RdfXml),
        (
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
    ]
}

/// Compares `actual` with the golden file, or rewrites it when UPDATE_GOLDEN is set.
pub fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}; run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the output:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// What a store holds: its published generation, its sorted N-Triples export and the names
/// in its directory.
pub fn snapshot(cwd: &Path, store: &str) -> (String, String, Vec<String>) {
    let current = fs::read_to_string(cwd.join(store).join("CURRENT")).unwrap();
    let dump = ok(cwd, &["export", "--store", store, "--format", "ntriples"]);
    let mut dirs: Vec<String> = fs::read_dir(cwd.join(store))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    (current, dump, dirs)
}

/// A port on loopback that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
