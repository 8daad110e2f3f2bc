//! Helpers shared by the integration tests: the checkout, the real binary, the mini fixture.
#![allow(dead_code)] // each test binary uses a different subset

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
