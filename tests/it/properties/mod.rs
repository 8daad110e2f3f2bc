//! Property tests (proptest): ids to IRIs, EDTF dates, CSV tables through `histkg build` and
//! every export format back to the same graph, and arbitrary input through the ingest and
//! the HTTP handler, which must answer it without panicking.
//!
//! `cargo test --release --test it properties::`. Pure properties run proptest's default 256
//! cases, the ones that build stores fewer; `PROPTEST_CASES=N` sets every one. A failure
//! prints the smallest input proptest could shrink it to and records its seed in
//! `tests/it/properties/regressions.txt`, which is replayed first on the next run; the
//! bugs found so far are also kept as named tests in [`regressions`].
//!
//! One module per subject: [`ids`], [`dates`], [`findings`] (source criticism), [`round_trip`] (datasets in the CSV schema
//! and the export round trip), [`any_input`] and [`regressions`]. [`generators`] holds the
//! generators more than one of them uses; this module, the configuration, the tables and the
//! fixed dataset.

mod any_input;
mod dates;
mod findings;
mod generators;
mod ids;
mod regressions;
mod round_trip;
mod separators;

use crate::common::{self, root};
use histkg::ingest;
use histkg::ingest::table::ColumnSpec;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

const BASE: &str = "https://example.org/histkg/";

/// Proptest's configuration with `cases` cases (`None`: proptest's default, 256), or as many
/// as `PROPTEST_CASES` says, recording failures in [`seeds`].
fn config(cases: Option<u32>) -> Config {
    let default = Config::default();
    let cases = match cases {
        Some(n) if std::env::var_os("PROPTEST_CASES").is_none() => n,
        _ => default.cases,
    };
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(seeds()))),
        // A failing round trip builds a store per shrinking step: give up shrinking after a
        // minute rather than run for tens of minutes.
        max_shrink_time: 60_000,
        ..default
    }
}

/// The file of failure seeds, `tests/it/properties/regressions.txt`: one for every module,
/// where proptest's `WithSource` would keep one beside each source file. Every property
/// replays all of its seeds first. An absolute path, found at run time as [`root`] is.
fn seeds() -> &'static str {
    static SEEDS: OnceLock<String> = OnceLock::new();
    SEEDS.get_or_init(|| {
        root()
            .join("tests/it/properties/regressions.txt")
            .to_string_lossy()
            .into_owned()
    })
}

/// The six tables of a dataset, by file name.
const TABLES: [&str; 6] = [
    "sources.csv",
    "actors.csv",
    "places.csv",
    "relations.csv",
    "events.csv",
    "participants.csv",
];

/// One CSV row: (column, cell). Columns left out are written empty.
type Row = Vec<(&'static str, String)>;

fn row(cells: &[(&'static str, &str)]) -> Row {
    cells.iter().map(|&(c, v)| (c, v.to_owned())).collect()
}

/// The six tables of a dataset.
#[derive(Debug, Clone, Default)]
struct Dataset {
    sources: Vec<Row>,
    actors: Vec<Row>,
    places: Vec<Row>,
    relations: Vec<Row>,
    events: Vec<Row>,
    participants: Vec<Row>,
}

impl Dataset {
    /// Writes the tables with the `csv` crate (quoting what needs quotes), and the shipped
    /// `ontology.ttl` and `dataset.ttl`, into `dir`.
    fn write(&self, dir: &Path) {
        self.write_with(dir, b',');
    }

    /// [`Dataset::write`] with `delimiter` between cells.
    fn write_with(&self, dir: &Path, delimiter: u8) {
        let tables: [(&str, &[ColumnSpec], &[Row]); 6] = [
            ("sources.csv", ingest::SOURCE_COLUMNS, &self.sources),
            ("actors.csv", ingest::ACTOR_COLUMNS, &self.actors),
            ("places.csv", ingest::PLACE_COLUMNS, &self.places),
            ("relations.csv", ingest::RELATION_COLUMNS, &self.relations),
            ("events.csv", ingest::EVENT_COLUMNS, &self.events),
            (
                "participants.csv",
                ingest::PARTICIPANT_COLUMNS,
                &self.participants,
            ),
        ];
        for (name, columns, rows) in tables {
            let mut w = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_path(dir.join(name))
                .unwrap();
            w.write_record(columns.iter().map(|c| c.name)).unwrap();
            for r in rows {
                w.write_record(columns.iter().map(|c| {
                    r.iter()
                        .find(|(k, _)| *k == c.name)
                        .map_or("", |(_, v)| v.as_str())
                }))
                .unwrap();
            }
            w.flush().unwrap();
        }
        common::shipped_ttl(dir);
    }

    fn describe(&self) -> String {
        let dir = tempfile::tempdir().unwrap();
        self.write(dir.path());
        TABLES
            .iter()
            .map(|t| {
                let text = fs::read_to_string(dir.path().join(t)).unwrap();
                format!("--- {t}\n{text}")
            })
            .collect()
    }
}

/// A small valid dataset: sources `s0`, actors `a0` `a1`, place `p0`, relation `r0`, event `e0`.
fn fixed_dataset() -> Dataset {
    Dataset {
        sources: vec![row(&[
            ("id", "s0"),
            ("type", "Book"),
            ("citation", "A book."),
        ])],
        actors: vec![
            row(&[
                ("id", "a0"),
                ("type", "Person"),
                ("label_en", "A"),
                ("label_ru", "А"),
                ("sources", "s0"),
            ]),
            row(&[
                ("id", "a1"),
                ("type", "Polity"),
                ("label_en", "B"),
                ("label_ru", "Б"),
                ("sources", "s0"),
            ]),
        ],
        places: vec![row(&[
            ("id", "p0"),
            ("type", "River"),
            ("label_en", "Ural"),
            ("label_ru", "Урал"),
            ("sources", "s0"),
        ])],
        relations: vec![row(&[
            ("id", "r0"),
            ("subject", "a0"),
            ("predicate", "subjectOf"),
            ("object", "a1"),
            ("sources", "s0:p. 1"),
        ])],
        events: vec![row(&[
            ("id", "e0"),
            ("type", "Embassy"),
            ("label_en", "An embassy"),
            ("label_ru", "Посольство"),
            ("sources", "s0"),
        ])],
        participants: vec![row(&[("event", "e0"), ("actor", "a0"), ("role", "envoy")])],
    }
}
