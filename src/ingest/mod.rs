//! CSV tables and Turtle files to validated records.
//!
//! `ingest` knows CSV but not how records become RDF. It reads every table, checks every
//! row and collects every problem with its `file:line:column` before giving up, so that a
//! refused build reports everything at once and writes nothing.
//!
//! - `schema`: the tables ([`Table`]) and their columns;
//! - `workbook`: where each table comes from (a CSV file, or a sheet of a workbook written
//!   out as CSV);
//! - `table`: one CSV table streamed row by row (header, field counts, UTF-8, limits);
//! - `rdf`: `ontology.ttl` and `dataset.ttl`, and the vocabulary they allow;
//! - `registry`: every id numbered once (first pass);
//! - `rows`: every row against the ids and the ontology (second pass), made into records.

mod cells;
mod observe;
mod raw;
pub mod rdf;
mod registry;
pub mod reviews;
mod rows;
mod schema;
pub mod table;
pub mod workbook;

pub use schema::{
    ACTOR_COLUMNS, EVENT_COLUMNS, PARTICIPANT_COLUMNS, PLACE_COLUMNS, RELATION_COLUMNS,
    SOURCE_COLUMNS, Table,
};

use crate::diagnostics::{Diagnostics, InvalidData};
use crate::findings::Finding;
use crate::model::Record;
use crate::vocab::{Iris, Kind};
use observe::Observer;
use oxigraph::model::Triple;
use registry::{Registry, TableIds};
use rows::Checker;
use schema::PerTable;
use std::ops::ControlFlow;
use std::path::Path;
use table::Fingerprint;

/// A dataset that passed every check, ready to be streamed again by [`Checked::records`].
///
/// It holds what the checks learnt, not the records: the id of every entity, the vocabulary
/// and the triples of the two Turtle files. Memory therefore grows with the number of ids,
/// not with the size of the tables.
pub struct Checked {
    /// The dataset's base IRI (`void:uriSpace`).
    pub base: String,
    /// Triples of `ontology.ttl` and `dataset.ttl`, as they are.
    pub rdf_files: Vec<Triple>,
    /// Valid rows of the five entity tables (participants are not counted).
    pub rows: usize,
    /// Where each table is read from (a CSV file, or a sheet's copy).
    sources: workbook::Sources,
    /// Each table as shown in messages, by [`Table::index`].
    files: PerTable<String>,
    /// Each readable table as it was when checked; `None` for an unreadable one.
    fingerprints: PerTable<Option<Fingerprint>>,
    registry: Registry,
    vocabulary: rdf::Vocabulary,
    /// False when ontology.ttl did not parse: type, relation and role checks are then skipped
    /// instead of reporting every row.
    vocabulary_ok: bool,
    /// Kinds whose table could not be read: references to them are not reported as unknown.
    unreadable: Vec<Kind>,
    /// For each table, whether it has a header but no rows.
    empty: PerTable<bool>,
    /// What the data makes doubtful (source criticism), in table and line order, kept as
    /// numbers: see [`Checked::findings`].
    findings: observe::Findings,
}

/// What `ontology.ttl` and `dataset.ttl` give: their triples, the vocabulary and the base IRI.
struct Turtle {
    triples: Vec<Triple>,
    vocabulary: rdf::Vocabulary,
    /// False when ontology.ttl did not parse (see [`Checked`]).
    vocabulary_ok: bool,
    /// Empty when it is missing or invalid (reported).
    base: String,
}

fn read_turtle_files(data_dir: &Path, diags: &mut Diagnostics) -> Turtle {
    let shown = |name: &str| data_dir.join(name).display().to_string();
    let ontology = rdf::read_turtle(
        &data_dir.join("ontology.ttl"),
        &shown("ontology.ttl"),
        diags,
    );
    // A broken ontology would make every type look unknown: report it alone.
    let vocabulary_ok = diags.is_empty();
    let description = rdf::read_turtle(&data_dir.join("dataset.ttl"), &shown("dataset.ttl"), diags);
    let mut vocabulary = rdf::Vocabulary::from_ontology(&ontology);
    for tag in rdf::label_languages(&description) {
        match tag {
            Ok(tag) => vocabulary.criticism.label_languages.push(tag),
            Err((value, message)) => {
                // The parser gives no positions: the first line that holds the value.
                let text =
                    std::fs::read_to_string(data_dir.join("dataset.ttl")).unwrap_or_default();
                let line = (1..).zip(text.lines()).find(|(_, l)| l.contains(&value));
                diags.push(
                    &shown("dataset.ttl"),
                    line.map_or(1, |(n, _)| n),
                    None,
                    message,
                );
            }
        }
    }
    let base = match rdf::base_iri(&description) {
        Some(base) => match Iris::new(&base) {
            Ok(_) => base,
            Err(e) => {
                diags.push(&shown("dataset.ttl"), 1, None, e.to_string());
                String::new()
            }
        },
        None if !description.is_empty() => {
            diags.push(
                &shown("dataset.ttl"),
                1,
                None,
                "no base IRI: describe the dataset as a `void:Dataset` with a `void:uriSpace` such as \"https://example.org/histkg/\"",
            );
            String::new()
        }
        None => String::new(),
    };
    Turtle {
        triples: ontology.into_iter().chain(description).collect(),
        vocabulary,
        vocabulary_ok,
        base,
    }
}

/// What the first pass learnt of one table.
struct FirstPass {
    /// The file when it was read; `None` when it could not be read to its end.
    fingerprint: Option<Fingerprint>,
    /// Every id with its line, in file order (empty for a table that declares none).
    ids: Vec<(Box<str>, u64)>,
    /// The 1-based position of the `id` column.
    id_column: Option<usize>,
    /// True when the table has a header but no rows.
    empty: bool,
    /// Its structural problems.
    found: Diagnostics,
}

/// The first pass over one table: the structure of every row, and every id.
fn first_pass(table: Table, source: &workbook::Source) -> FirstPass {
    let mut found = Diagnostics::default();
    let mut ids = Vec::new();
    let Some(reader) = table::open(source, table.columns(), &mut found) else {
        return FirstPass {
            fingerprint: None,
            ids,
            id_column: None,
            empty: false,
            found,
        };
    };
    let declares = table.declares().is_some();
    let mut sheet = reader.for_each(Some(&mut found), |t, row| {
        if declares {
            ids.push((t.cell(row, "id").into(), row.line));
        }
        ControlFlow::Continue(())
    });
    if !sheet.refused_ids.is_empty() {
        ids.append(&mut sheet.refused_ids);
        ids.sort_by_key(|&(_, line)| line);
    }
    FirstPass {
        // A table that was not read to its end is refused whole: the second pass skips it,
        // as it skips an unreadable one.
        fingerprint: sheet.complete.then_some(sheet.fingerprint),
        ids,
        id_column: sheet.column("id"),
        empty: sheet.records == 0,
        found,
    }
}

/// Reads and validates the dataset in `data_dir`. On failure the error is an
/// [`InvalidData`] listing every problem.
///
/// Two passes over the tables, each row by row: the first checks the structure of every row
/// and registers every id (the tables are read in parallel); the second checks every row
/// against the ids and the ontology. Problems are listed in that order: the structure of
/// each table in turn, then the ids, then the rows of each table in turn.
pub fn check(data_dir: &Path) -> Result<Checked, InvalidData> {
    let checked = check_streaming(data_dir, |_| None::<fn(Record) -> ControlFlow<()>>)?;
    Ok(checked.expect("a pass with no sink is never stopped"))
}

/// [`check`], giving each record of the second pass, as it is checked, to the sink that
/// `start` returns. `start` is called once the first pass found nothing wrong, with what
/// the checks know by then (the base IRI, the Turtle files, the tiers; no findings yet); it
/// returns `None` to check only. It is how a build loads while it validates.
///
/// The records are speculative: they form a valid dataset only if this returns
/// `Ok(Some(_))`. An error lists every problem, as [`check`] does (rows the sink was given
/// may be among them). `Ok(None)`: the sink stopped the pass, which then checked only part of
/// the data.
pub fn check_streaming<S>(
    data_dir: &Path,
    start: impl FnOnce(&Checked) -> Option<S>,
) -> Result<Option<Checked>, InvalidData>
where
    S: FnMut(Record) -> ControlFlow<()>,
{
    let mut diags = Diagnostics::default();
    let turtle = read_turtle_files(data_dir, &mut diags);
    let sources = workbook::resolve(data_dir, reviews::FILE_NAME, &mut diags);
    let files = PerTable::new(|t| sources.tables[t].shown.clone());
    // First pass, the tables in parallel.
    let passes: Vec<FirstPass> = std::thread::scope(|scope| {
        let readers: Vec<_> = Table::ALL
            .iter()
            .map(|&table| {
                let source = &sources.tables[table];
                scope.spawn(move || first_pass(table, source))
            })
            .collect();
        readers
            .into_iter()
            .map(|r| r.join().expect("a table reader panicked"))
            .collect()
    });
    let mut fingerprints = PerTable::new(|_| None);
    let mut empty = PerTable::new(|_| false);
    let mut unreadable = Vec::new();
    let mut declared = Vec::new();
    for (table, pass) in Table::ALL.into_iter().zip(passes) {
        diags.append(pass.found);
        fingerprints[table] = pass.fingerprint;
        empty[table] = pass.empty;
        if let Some(kind) = table.declares() {
            if pass.fingerprint.is_none() {
                unreadable.push(kind);
            }
            declared.push(TableIds {
                table,
                kind,
                ids: pass.ids,
                column: pass.id_column,
            });
        }
    }
    let registry = Registry::new(declared, &files, &mut diags);

    let findings = observe::Findings::new(&files);
    let mut checked = Checked {
        base: turtle.base,
        rdf_files: turtle.triples,
        rows: 0,
        sources,
        files,
        fingerprints,
        registry,
        vocabulary: turtle.vocabulary,
        vocabulary_ok: turtle.vocabulary_ok,
        unreadable,
        empty,
        findings,
    };
    // Second pass: every row against the ids and the ontology, given to the sink.
    let mut sink = if diags.is_empty() {
        start(&checked)
    } else {
        None
    };
    let mut rows = 0;
    let observer = Observer::new(&checked);
    let (flow, checker) = checked.scan(&mut diags, Some(observer), |record| {
        if !matches!(record, Record::Participation(_)) {
            rows += 1;
        }
        match &mut sink {
            Some(sink) => sink(record),
            None => ControlFlow::Continue(()),
        }
    });
    if flow.is_break() {
        return Ok(None);
    }
    let (observer, facts) = (checker.observer, checker.facts);
    let observer = observer.unwrap_or_else(|| Observer::new(&checked));
    let mut findings = observer.finish(&checked, &facts);
    drop(facts);
    reviews::apply(&checked, &mut findings, &mut diags);
    diags.into_result()?;
    checked.rows = rows;
    checked.findings = findings;
    Ok(Some(checked))
}

impl Checked {
    /// Every finding of source criticism, in table, line and kind order (reviews of
    /// findings the data no longer gives last), each made whole as it is given: a large
    /// dataset can have hundreds of thousands.
    pub fn findings(&self) -> impl Iterator<Item = Finding> + '_ {
        self.findings.iter(&self.registry)
    }

    /// How many findings [`Checked::findings`] gives.
    pub fn finding_count(&self) -> usize {
        self.findings.len()
    }

    /// The tier of each source class, as the ontology declares it (`hkg:sourceTier`).
    pub fn tiers(&self) -> &std::collections::BTreeMap<String, crate::findings::Tier> {
        &self.vocabulary.criticism.tiers
    }

    /// Streams the records again, in [`Record`] order, until `each` breaks. Fails if a table
    /// changed since it was checked (the records given so far must then be thrown away).
    pub fn records(&self, each: impl FnMut(Record) -> ControlFlow<()>) -> Result<(), InvalidData> {
        let mut diags = Diagnostics::default();
        let _ = self.scan(&mut diags, None, each);
        diags.into_result()
    }

    /// Reads every readable table row by row, checking each row (and showing it to
    /// `observer`) and giving `each` its record.
    fn scan(
        &self,
        diags: &mut Diagnostics,
        observer: Option<Observer>,
        mut each: impl FnMut(Record) -> ControlFlow<()>,
    ) -> (ControlFlow<()>, Checker<'_>) {
        let mut checker = Checker::new(self);
        checker.observer = observer;
        let mut flow = ControlFlow::Continue(());
        for table in Table::ALL {
            let Some(expected) = self.fingerprints[table] else {
                continue;
            };
            let source = &self.sources.tables[table];
            let changed = |diags: &mut Diagnostics| {
                diags.push(
                    &self.files[table],
                    1,
                    None,
                    "the file changed while histkg was reading it; run the command again once it is saved",
                )
            };
            let mut ignored = Diagnostics::default();
            let reader = match table::open(source, table.columns(), &mut ignored) {
                Some(reader) if reader.table().fingerprint == expected => reader,
                _ => {
                    changed(diags);
                    continue;
                }
            };
            checker.table = table;
            reader.for_each(None, |t, row| {
                if let Some(record) = checker.record(t, row) {
                    flow = each(record);
                }
                flow
            });
            if Fingerprint::of(&source.path).ok() != Some(expected) {
                changed(&mut checker.diags);
            }
            if flow.is_break() {
                break;
            }
        }
        diags.append(std::mem::take(&mut checker.diags));
        (flow, checker)
    }
}
