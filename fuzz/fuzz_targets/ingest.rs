//! `ingest::check` on any bytes as one table of the mini fixture (the first byte picks the
//! table): it must not panic; problems are one per line; a dataset it accepts maps to
//! triples whose IRIs are all valid.
#![no_main]

use histkg::ingest;
use histkg::mapping::Mapper;
use libfuzzer_sys::fuzz_target;
use oxigraph::model::{NamedNode, Term};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;

const TABLES: [&str; 6] = [
    "sources.csv",
    "actors.csv",
    "places.csv",
    "relations.csv",
    "events.csv",
    "participants.csv",
];

/// A temporary data directory holding the mini fixture and the shipped ontology.
fn data_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(root.join("tests/fixtures/mini")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
        for f in ["ontology.ttl", "dataset.ttl"] {
            std::fs::copy(root.join("data").join(f), dir.path().join(f)).unwrap();
        }
        dir
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let dir = data_dir();
    let table = TABLES[usize::from(which) % TABLES.len()];
    let original = std::fs::read(dir.join(table)).unwrap();
    std::fs::write(dir.join(table), bytes).unwrap();
    match ingest::check(dir) {
        Err(invalid) => {
            for d in &invalid.0 {
                assert!(!d.message.is_empty() && !d.message.contains('\n'), "{d:?}");
                assert!(d.location.line >= 1, "{d:?}");
            }
        }
        Ok(checked) => {
            let mut mapper = Mapper::new(&checked.base, checked.tiers().clone()).unwrap();
            checked
                .records(|record| {
                    for t in mapper.record(&record) {
                        let subject = t.subject.to_string();
                        let mut iris = vec![subject.as_str(), t.predicate.as_str()];
                        if let Term::NamedNode(n) = &t.object {
                            iris.push(n.as_str());
                        }
                        for iri in iris {
                            let iri = iri.trim_start_matches('<').trim_end_matches('>');
                            assert!(NamedNode::new(iri).is_ok(), "invalid IRI {iri}");
                        }
                    }
                    ControlFlow::Continue(())
                })
                .unwrap();
        }
    }
    std::fs::write(dir.join(table), original).unwrap();
});
