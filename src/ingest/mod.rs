//! CSV tables and Turtle files to validated records.
//!
//! `ingest` knows CSV but not how records become RDF. It reads every table, checks every
//! row and collects every problem with its `file:line:column` before giving up, so that a
//! refused build reports everything at once and writes nothing.

pub mod rdf;
pub mod table;

use crate::dates::{self, Calendar, DateValue};
use crate::diagnostics::{Diagnostics, InvalidData, hint, shorten};
use crate::model::{
    Certainty, Citation, Event, LangString, Named, Participation, Record, Relation, Source,
};
use crate::vocab::{Iris, Kind, MAX_ID_LEN, is_slug};
use oxigraph::model::Triple;
use oxigraph::model::{Literal, NamedNode};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use table::{ColumnSpec, Fingerprint, Row, Table, optional, required};

/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("citation"),
    optional("title"),
    optional("creator"),
    optional("issued"),
    optional("url"),
    optional("doi"),
    optional("part_of"),
    optional("archive"),
    optional("fond"),
    optional("opis"),
    optional("delo"),
    optional("folios"),
    optional("language"),
    optional("note"),
];

/// Columns of `actors.csv`.
pub const ACTOR_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    required("label_ru"),
    optional("labels"),
    optional("alt_labels"),
    optional("dates"),
    optional("calendar"),
    optional("description"),
    optional("wikidata"),
    required("sources"),
];

/// Columns of `places.csv`.
pub const PLACE_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    required("label_ru"),
    optional("labels"),
    optional("alt_labels"),
    optional("lat"),
    optional("long"),
    optional("part_of"),
    optional("description"),
    required("sources"),
];

/// Columns of `relations.csv`.
pub const RELATION_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("subject"),
    required("predicate"),
    required("object"),
    optional("date"),
    optional("date_as_written"),
    optional("calendar"),
    optional("place"),
    optional("certainty"),
    required("sources"),
    optional("note"),
];

/// Columns of `events.csv`.
pub const EVENT_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    required("label_ru"),
    optional("date"),
    optional("date_as_written"),
    optional("calendar"),
    optional("place"),
    optional("about"),
    optional("in_response_to"),
    optional("certainty"),
    required("sources"),
    optional("description"),
];

/// Columns of `participants.csv`.
pub const PARTICIPANT_COLUMNS: &[ColumnSpec] = &[
    required("event"),
    required("actor"),
    required("role"),
    optional("note"),
];

/// The tables in reading order, their columns, and the kind of entity each declares.
const TABLES: [(&str, &[ColumnSpec], Option<Kind>); 6] = [
    ("sources.csv", SOURCE_COLUMNS, Some(Kind::Source)),
    ("actors.csv", ACTOR_COLUMNS, Some(Kind::Actor)),
    ("places.csv", PLACE_COLUMNS, Some(Kind::Place)),
    ("relations.csv", RELATION_COLUMNS, Some(Kind::Assertion)),
    ("events.csv", EVENT_COLUMNS, Some(Kind::Event)),
    ("participants.csv", PARTICIPANT_COLUMNS, None),
];

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
    data_dir: PathBuf,
    /// Each table as shown in messages.
    files: Vec<String>,
    /// Each readable table as it was when checked; `None` for an unreadable one.
    fingerprints: Vec<Option<Fingerprint>>,
    registry: Registry,
    vocabulary: rdf::Vocabulary,
    /// False when ontology.ttl did not parse: type, relation and role checks are then skipped
    /// instead of reporting every row.
    vocabulary_ok: bool,
    /// Kinds whose table could not be read: references to them are not reported as unknown.
    unreadable: Vec<Kind>,
    /// For each table, whether it has a header but no rows.
    empty: Vec<bool>,
}

/// Reads and validates the dataset in `data_dir`. On failure the error is an
/// [`InvalidData`] listing every problem.
///
/// Two passes over the tables, each row by row: the first checks the structure of every row
/// and registers every id (the tables are read in parallel); the second checks every row
/// against the ids and the ontology. Problems are listed in that order: the structure of
/// each table in turn, then the ids, then the rows of each table in turn.
pub fn check(data_dir: &Path) -> Result<Checked, InvalidData> {
    let mut diags = Diagnostics::default();
    let shown = |name: &str| data_dir.join(name).display().to_string();

    let ontology = rdf::read_turtle(
        &data_dir.join("ontology.ttl"),
        &shown("ontology.ttl"),
        &mut diags,
    );
    // A broken ontology would make every type look unknown: report it alone.
    let vocabulary_ok = diags.is_empty();
    let description = rdf::read_turtle(
        &data_dir.join("dataset.ttl"),
        &shown("dataset.ttl"),
        &mut diags,
    );
    let vocabulary = rdf::Vocabulary::from_ontology(&ontology);
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

    // First pass, the tables in parallel: the structure of every row, and every id.
    type FirstPass = (
        Option<Fingerprint>,
        Vec<(Box<str>, u64)>,
        Option<usize>,
        bool,
        Diagnostics,
    );
    let read: Vec<FirstPass> = std::thread::scope(|scope| {
        let readers: Vec<_> = TABLES
            .iter()
            .map(|&(name, specs, kind)| {
                let shown = &shown;
                scope.spawn(move || {
                    let mut found = Diagnostics::default();
                    let mut ids = Vec::new();
                    let Some(reader) =
                        table::open(&data_dir.join(name), &shown(name), specs, &mut found)
                    else {
                        return (None, ids, None, false, found);
                    };
                    let mut table = reader.for_each(Some(&mut found), |t, row| {
                        if kind.is_some() {
                            ids.push((t.cell(row, "id").into(), row.line));
                        }
                        ControlFlow::Continue(())
                    });
                    if !table.refused_ids.is_empty() {
                        ids.append(&mut table.refused_ids);
                        ids.sort_by_key(|&(_, line)| line);
                    }
                    // A table that was not read to its end is refused whole: the second
                    // pass skips it, as it skips an unreadable one.
                    let fingerprint = table.complete.then_some(table.fingerprint);
                    let empty = table.records == 0;
                    (fingerprint, ids, table.column("id"), empty, found)
                })
            })
            .collect();
        readers
            .into_iter()
            .map(|r| r.join().expect("a table reader panicked"))
            .collect()
    });
    let files: Vec<String> = TABLES.iter().map(|(name, ..)| shown(name)).collect();
    let mut fingerprints = Vec::new();
    let mut declared = Vec::new();
    let mut empty = Vec::new();
    for (fingerprint, ids, id_column, no_rows, found) in read {
        diags.append(found);
        fingerprints.push(fingerprint);
        declared.push((ids, id_column));
        empty.push(no_rows);
    }
    let unreadable = TABLES
        .iter()
        .zip(&fingerprints)
        .filter_map(|(&(.., kind), fingerprint)| fingerprint.is_none().then_some(kind).flatten())
        .collect();
    let declared = declared
        .into_iter()
        .enumerate()
        .filter_map(|(table, (ids, column))| {
            TABLES[table].2.map(|kind| TableIds {
                table,
                kind,
                ids,
                column,
            })
        })
        .collect();
    let registry = Registry::new(declared, &files, &mut diags);

    let mut checked = Checked {
        base,
        rdf_files: ontology.into_iter().chain(description).collect(),
        rows: 0,
        data_dir: data_dir.to_owned(),
        files,
        fingerprints,
        registry,
        vocabulary,
        vocabulary_ok,
        unreadable,
        empty,
    };
    // Second pass: every row against the ids and the ontology.
    let mut rows = 0;
    let _ = checked.scan(&mut diags, |record| {
        if !matches!(record, Record::Participation(_)) {
            rows += 1;
        }
        ControlFlow::Continue(())
    });
    diags.into_result()?;
    checked.rows = rows;
    Ok(checked)
}

impl Checked {
    /// Streams the records again, in [`Record`] order, until `each` breaks. Fails if a table
    /// changed since it was checked (the records given so far must then be thrown away).
    pub fn records(&self, each: impl FnMut(Record) -> ControlFlow<()>) -> Result<(), InvalidData> {
        let mut diags = Diagnostics::default();
        let _ = self.scan(&mut diags, each);
        diags.into_result()
    }

    /// Reads every readable table row by row, checking each row and giving `each` its record.
    fn scan(
        &self,
        diags: &mut Diagnostics,
        mut each: impl FnMut(Record) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let mut checker = Checker::new(self);
        let mut flow = ControlFlow::Continue(());
        for (i, &(name, specs, _)) in TABLES.iter().enumerate() {
            let Some(expected) = self.fingerprints[i] else {
                continue;
            };
            let path = self.data_dir.join(name);
            let changed = |diags: &mut Diagnostics| {
                diags.push(
                    &self.files[i],
                    1,
                    None,
                    "the file changed while histkg was reading it; run the command again once it is saved",
                )
            };
            let mut ignored = Diagnostics::default();
            let reader = match table::open(&path, &self.files[i], specs, &mut ignored) {
                Some(reader) if reader.table().fingerprint == expected => reader,
                _ => {
                    changed(diags);
                    continue;
                }
            };
            checker.table = i;
            reader.for_each(None, |t, row| {
                let record = match i {
                    0 => checker.source(t, row).map(Record::Source),
                    1 => checker.named(t, row, Kind::Actor).map(Record::Actor),
                    2 => checker.named(t, row, Kind::Place).map(Record::Place),
                    3 => checker.relation(t, row).map(Record::Relation),
                    4 => checker.event(t, row).map(Record::Event),
                    _ => checker.participation(t, row).map(Record::Participation),
                };
                if let Some(record) = record {
                    flow = each(record);
                }
                flow
            });
            if Fingerprint::of(&path).ok() != Some(expected) {
                changed(&mut checker.diags);
            }
            if flow.is_break() {
                break;
            }
        }
        diags.append(checker.diags);
        flow
    }
}

/// Where an id was first declared.
struct Declared {
    kind: Kind,
    /// Index in [`TABLES`].
    table: usize,
    line: u64,
}

/// The ids one table declares.
struct TableIds {
    /// Index in [`TABLES`].
    table: usize,
    kind: Kind,
    /// Each id with its line, in file order.
    ids: Vec<(Box<str>, u64)>,
    /// The 1-based position of the `id` column.
    column: Option<usize>,
}

/// Every id of the dataset, each numbered once.
#[derive(Default)]
struct Registry {
    numbers: HashMap<Box<str>, u32>,
    declared: Vec<Declared>,
}

impl Registry {
    fn get(&self, id: &str) -> Option<(u32, &Declared)> {
        let &n = self.numbers.get(id)?;
        Some((n, &self.declared[n as usize]))
    }

    /// Registers the ids of every table, reporting empty, unsafe and duplicate ones in table
    /// and line order. Every safe id is registered before anything is reported, so that a
    /// suggestion for an unsafe id can say when it is taken, wherever.
    fn new(tables: Vec<TableIds>, files: &[String], diags: &mut Diagnostics) -> Self {
        let mut registry = Self::default();
        let mut refused = Vec::new();
        for TableIds {
            table,
            kind,
            ids,
            column: col,
        } in tables
        {
            for (id, line) in ids {
                if is_slug(&id) && !registry.numbers.contains_key(&id) {
                    let n = u32::try_from(registry.declared.len()).expect("fewer than 2^32 ids");
                    registry.numbers.insert(id, n);
                    registry.declared.push(Declared { kind, table, line });
                } else {
                    refused.push((table, col, id, line));
                }
            }
        }
        for (table, col, id, line) in refused {
            let file = &files[table];
            let message = if id.is_empty() {
                "empty id; give every row a unique id such as `darma-bala`".to_owned()
            } else if !is_slug(&id) {
                registry.unsafe_id(&id, files)
            } else {
                let (_, first) = registry.get(&id).expect("a safe id is registered");
                format!(
                    "duplicate id `{id}`: already used by {} at {}:{}",
                    kind_noun(first.kind),
                    files[first.table],
                    first.line
                )
            };
            diags.push(file, line, col, message);
        }
        registry
    }

    /// Why `id` is not a safe slug, with a slug to use instead (or where that slug is taken).
    fn unsafe_id(&self, id: &str, files: &[String]) -> String {
        let shown = shorten(id);
        let iri = id.contains("://");
        // For an IRI, its last segment (`…/actor/darma-bala` -> `darma-bala`).
        let base = if iri {
            id.trim_end_matches(['/', '#'])
                .rsplit(['/', '#'])
                .next()
                .unwrap_or_default()
        } else {
            id
        };
        let advice = match slug_suggestion(base) {
            None => String::new(),
            Some(slug) => match self.get(&slug) {
                Some((_, d)) => format!(
                    "; its slug `{slug}` is already used by {} at {}:{}",
                    kind_noun(d.kind),
                    files[d.table],
                    d.line
                ),
                None => format!("; for example `{slug}`"),
            },
        };
        let length = id.chars().count();
        if iri {
            format!(
                "id `{shown}` is an IRI; write only the slug, from which histkg makes the IRI{advice}"
            )
        } else if length > MAX_ID_LEN {
            format!(
                "id `{shown}` is {length} characters long; an id is a slug of at most {MAX_ID_LEN} characters (lowercase ASCII letters and digits joined by single hyphens)"
            )
        } else {
            format!(
                "id `{shown}` is not a safe slug: use lowercase ASCII letters and digits joined by single hyphens, at most {MAX_ID_LEN} characters{advice}"
            )
        }
    }
}

/// Checks rows one at a time and makes their records.
struct Checker<'a> {
    checked: &'a Checked,
    diags: Diagnostics,
    /// Index in [`TABLES`] of the table being read.
    table: usize,
    /// Relation and role names, numbered for the keys below.
    names: HashMap<String, u32>,
    /// (subject, relation, object) of undisputed relations seen so far.
    facts: HashSet<(u32, u32, u32)>,
    /// (event, actor, role) of participations seen so far, with their line.
    roles: HashMap<(u32, u32, u32), u64>,
    /// (event, actor) of participations seen so far.
    pairs: HashSet<(u32, u32)>,
}

/// The table each kind of entity is declared in, for messages.
fn kind_noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => "an actor",
        Kind::Place => "a place",
        Kind::Event => "an event",
        Kind::Source => "a source",
        Kind::Assertion => "a relation",
    }
}

impl<'a> Checker<'a> {
    fn new(checked: &'a Checked) -> Self {
        Self {
            checked,
            diags: Diagnostics::default(),
            table: 0,
            names: HashMap::new(),
            facts: HashSet::new(),
            roles: HashMap::new(),
            pairs: HashSet::new(),
        }
    }

    /// A number for a relation or role name.
    fn name(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.names.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.insert(name.to_owned(), n);
        n
    }

    /// The number of an id known to be registered.
    fn number(&self, id: &str) -> u32 {
        self.checked.registry.get(id).map_or(u32::MAX, |(n, _)| n)
    }

    fn err(&mut self, t: &Table, row: &Row, column: &str, message: impl Into<String>) {
        self.diags
            .push(&t.file, row.line, t.column(column), message);
    }

    /// The row's id if it was registered (invalid and duplicate ids are already reported).
    fn id(&self, t: &Table, row: &Row, kind: Kind) -> Option<String> {
        let id = t.cell(row, "id");
        match self.checked.registry.get(id) {
            Some((_, d)) if d.kind == kind && d.table == self.table && d.line == row.line => {
                Some(id.to_owned())
            }
            _ => None,
        }
    }

    /// Checks that `value` names an entity of one of `kinds`; reports and returns false otherwise.
    fn reference(
        &mut self,
        t: &Table,
        row: &Row,
        column: &str,
        value: &str,
        kinds: &[Kind],
    ) -> bool {
        // Called for every reference of every row: the wording is made only on failure.
        let nouns = |bare: bool| {
            kinds
                .iter()
                .map(|k| {
                    let noun = kind_noun(*k);
                    if bare {
                        noun.split_once(' ').map_or("", |(_, n)| n)
                    } else {
                        noun
                    }
                })
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let registry: &'a Registry = &self.checked.registry;
        match registry.get(value) {
            Some((_, d)) if kinds.contains(&d.kind) => true,
            Some((_, d)) => {
                let wanted = nouns(false);
                let message = format!(
                    "`{value}` is {} (declared at {}:{}), but this column needs {wanted}",
                    kind_noun(d.kind),
                    self.checked.files[d.table],
                    d.line
                );
                self.err(t, row, column, message);
                false
            }
            None if kinds.iter().any(|k| self.checked.unreadable.contains(k)) => false,
            None => {
                let mut known = (registry.numbers.iter())
                    .filter(|&(_, &n)| kinds.contains(&registry.declared[n as usize].kind))
                    .map(|(id, _)| &**id)
                    .peekable();
                // Say so when the tables that declare these ids have no rows (only a header).
                let tables: Vec<(&str, bool)> = (TABLES.iter().enumerate())
                    .filter(|(_, (.., kind))| kind.is_some_and(|k| kinds.contains(&k)))
                    .map(|(i, _)| (self.checked.files[i].as_str(), self.checked.empty[i]))
                    .collect();
                let empty = if known.peek().is_none() && tables.iter().all(|&(_, e)| e) {
                    let names: Vec<&str> = tables.iter().map(|&(file, _)| file).collect();
                    let verb = if names.len() == 1 { "has" } else { "have" };
                    format!("; {} {verb} no rows", names.join(" and "))
                } else {
                    String::new()
                };
                let message = format!(
                    "unknown {} `{}`{}{empty}",
                    nouns(true),
                    shorten(value),
                    hint(value, known)
                );
                self.err(t, row, column, message);
                false
            }
        }
    }

    fn optional_reference(
        &mut self,
        t: &Table,
        row: &Row,
        column: &str,
        kinds: &[Kind],
    ) -> Option<String> {
        let value = t.cell(row, column);
        (!value.is_empty() && self.reference(t, row, column, value, kinds))
            .then(|| value.to_owned())
    }

    fn class(
        &mut self,
        t: &Table,
        row: &Row,
        allowed: &BTreeSet<String>,
        what: &str,
    ) -> Option<String> {
        let value = t.cell(row, "type");
        if allowed.contains(value) || !self.checked.vocabulary_ok {
            return Some(value.to_owned());
        }
        let message = if value.is_empty() {
            format!(
                "empty type; use one of the {what} types of the ontology: {}",
                join(allowed)
            )
        } else {
            format!(
                "unknown {what} type `{}`{}",
                shorten(value),
                suggest(value, allowed)
            )
        };
        self.err(t, row, "type", message);
        None
    }

    fn required_text(&mut self, t: &Table, row: &Row, column: &str) -> Option<String> {
        let value = t.cell(row, column);
        if value.is_empty() {
            self.err(t, row, column, format!("empty `{column}`; it is required"));
            None
        } else {
            Some(value.to_owned())
        }
    }

    fn optional_text(t: &Table, row: &Row, column: &str) -> Option<String> {
        let value = t.cell(row, column);
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn date(
        &mut self,
        t: &Table,
        row: &Row,
        column: &str,
        calendar: Calendar,
    ) -> Option<DateValue> {
        let value = t.cell(row, column);
        if value.is_empty() {
            return None;
        }
        match dates::parse(value, calendar) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(t, row, column, e.to_string());
                None
            }
        }
    }

    fn calendar(&mut self, t: &Table, row: &Row) -> Calendar {
        Calendar::parse(t.cell(row, "calendar")).unwrap_or_else(|e| {
            self.err(t, row, "calendar", e.to_string());
            Calendar::Unknown
        })
    }

    fn certainty(&mut self, t: &Table, row: &Row) -> Certainty {
        Certainty::parse(t.cell(row, "certainty")).unwrap_or_else(|e| {
            self.err(t, row, "certainty", e.to_string());
            Certainty::Certain
        })
    }

    fn language(&mut self, t: &Table, row: &Row, column: &str, tag: &str) -> Option<String> {
        match Literal::new_language_tagged_literal("x", tag) {
            Ok(l) => l.language().map(str::to_owned),
            Err(e) => {
                self.err(t, row, column, format!("bad language tag `{}` ({}); use a BCP 47 tag such as `en`, `ru`, `kk`, `xal`", shorten(tag), e.to_string().to_lowercase()));
                None
            }
        }
    }

    /// Parses `text@lang | text@lang`.
    fn lang_strings(&mut self, t: &Table, row: &Row, column: &str) -> Vec<LangString> {
        let mut out = Vec::new();
        for item in list(t.cell(row, column)) {
            match item.rsplit_once('@') {
                Some((text, tag)) if !text.trim().is_empty() => {
                    if let Some(lang) = self.language(t, row, column, tag.trim()) {
                        out.push(LangString {
                            text: text.trim().to_owned(),
                            lang,
                        });
                    }
                }
                _ => self.err(
                    t,
                    row,
                    column,
                    format!(
                        "`{}` needs a language: write `name@lang`, e.g. `Абулхаир@ru`",
                        shorten(item)
                    ),
                ),
            }
        }
        out
    }

    /// Parses the `sources` column: `id[:locator] | …`; at least one is required.
    fn citations(&mut self, t: &Table, row: &Row) -> Vec<Citation> {
        let value = t.cell(row, "sources");
        let mut out = Vec::new();
        for item in list(value) {
            let (id, locator) = match item.split_once(':') {
                Some((id, locator)) => (id.trim(), Some(locator.trim()).filter(|l| !l.is_empty())),
                None => (item, None),
            };
            if self.reference(t, row, "sources", id, &[Kind::Source]) {
                out.push(Citation {
                    source: id.to_owned(),
                    locator: locator.map(str::to_owned),
                });
            }
        }
        // `|` alone (a list of nothing) cites no more than an empty cell.
        if list(value).next().is_none() {
            self.err(t, row, "sources", "cites no source; every row needs at least one source id from sources.csv in `sources`");
        }
        out
    }

    fn source(&mut self, t: &Table, row: &Row) -> Option<Source> {
        let id = self.id(t, row, Kind::Source);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let class = self.class(t, row, &vocabulary.source_classes, "source");
        let citation = self.required_text(t, row, "citation");
        let issued = self.date(t, row, "issued", Calendar::Gregorian);
        let url = Self::optional_text(t, row, "url");
        if let Some(u) = &url
            && let Err(e) = NamedNode::new(u.as_str())
        {
            self.err(
                t,
                row,
                "url",
                format!("`{}` is not a valid URL ({e})", shorten(u)),
            );
        }
        let doi = Self::optional_text(t, row, "doi");
        if let Some(d) = &doi
            && (!d.starts_with("10.") || !d.contains('/') || d.contains(char::is_whitespace))
        {
            self.err(t, row, "doi", format!("`{}` is not a DOI; write it without the resolver, e.g. `10.22363/2312-8674-2025-24-1-31-43`", shorten(d)));
        }
        let part_of = self.optional_reference(t, row, "part_of", &[Kind::Source]);
        if part_of.is_some() && part_of.as_deref() == id.as_deref() {
            self.err(t, row, "part_of", "a source cannot be part of itself");
        }
        let archive = self.optional_reference(t, row, "archive", &[Kind::Actor]);
        let language = match t.cell(row, "language") {
            "" => None,
            tag => self.language(t, row, "language", tag),
        };
        Some(Source {
            id: id?,
            class: class?,
            citation: citation?,
            title: Self::optional_text(t, row, "title"),
            creators: list(t.cell(row, "creator")).map(str::to_owned).collect(),
            issued,
            url,
            doi,
            part_of,
            archive,
            fond: Self::optional_text(t, row, "fond"),
            opis: Self::optional_text(t, row, "opis"),
            delo: Self::optional_text(t, row, "delo"),
            folios: Self::optional_text(t, row, "folios"),
            language,
            note: Self::optional_text(t, row, "note"),
        })
    }

    fn named(&mut self, t: &Table, row: &Row, kind: Kind) -> Option<Named> {
        let id = self.id(t, row, kind);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let (classes, what) = match kind {
            Kind::Actor => (&vocabulary.actor_classes, "actor"),
            _ => (&vocabulary.place_classes, "place"),
        };
        let class = self.class(t, row, classes, what);
        let en = self.required_text(t, row, "label_en");
        let ru = self.required_text(t, row, "label_ru");
        let mut labels: Vec<LangString> = [(en, "en"), (ru, "ru")]
            .into_iter()
            .filter_map(|(text, lang)| {
                text.map(|text| LangString {
                    text,
                    lang: lang.to_owned(),
                })
            })
            .collect();
        labels.extend(self.lang_strings(t, row, "labels"));
        let alt_labels = self.lang_strings(t, row, "alt_labels");
        let calendar = if kind == Kind::Actor {
            self.calendar(t, row)
        } else {
            Calendar::Unknown
        };
        let dates = self.date(t, row, "dates", calendar);
        let wikidata = Self::optional_text(t, row, "wikidata");
        if let Some(q) = &wikidata
            && !(q.len() > 1
                && q.starts_with('Q')
                && q[1..].bytes().all(|b| b.is_ascii_digit())
                && !q[1..].starts_with('0'))
        {
            self.err(t, row, "wikidata", format!("`{}` is not a Wikidata id; write it as `Q` and digits, e.g. `Q42`, and only when a source shows it", shorten(q)));
        }
        let coordinates = self.coordinates(t, row);
        let part_of = if kind == Kind::Place {
            self.optional_reference(t, row, "part_of", &[Kind::Place])
        } else {
            None
        };
        if part_of.is_some() && part_of.as_deref() == id.as_deref() {
            self.err(t, row, "part_of", "a place cannot be part of itself");
        }
        let sources = self.citations(t, row);
        Some(Named {
            id: id?,
            class: class?,
            labels,
            alt_labels,
            dates,
            description: Self::optional_text(t, row, "description"),
            wikidata,
            coordinates,
            part_of,
            sources,
        })
    }

    fn coordinates(&mut self, t: &Table, row: &Row) -> Option<(String, String)> {
        let (lat, long) = (t.cell(row, "lat"), t.cell(row, "long"));
        if lat.is_empty() && long.is_empty() {
            return None;
        }
        let mut parse = |column: &str, value: &str, limit: f64| -> Option<String> {
            match value.parse::<f64>() {
                Ok(v)
                    if v.abs() <= limit
                        && !value.contains(['e', 'E'])
                        && value
                            .trim_start_matches('-')
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b == b'.') =>
                {
                    Some(value.to_owned())
                }
                _ => {
                    self.err(
                        t,
                        row,
                        column,
                        format!(
                            "`{}` is not a decimal degree between -{limit} and {limit}",
                            shorten(value)
                        ),
                    );
                    None
                }
            }
        };
        let lat = parse("lat", lat, 90.0);
        let long = parse("long", long, 180.0);
        Some((lat?, long?))
    }

    fn relation(&mut self, t: &Table, row: &Row) -> Option<Relation> {
        let id = self.id(t, row, Kind::Assertion);
        let subject = t.cell(row, "subject").to_owned();
        let subject_ok =
            !subject.is_empty() && self.reference(t, row, "subject", &subject, &[Kind::Actor]);
        if subject.is_empty() {
            self.err(t, row, "subject", "empty subject; give an actor id");
        }
        let predicate = t.cell(row, "predicate").to_owned();
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let predicate_ok = vocabulary.relations.contains(&predicate) || !self.checked.vocabulary_ok;
        if !predicate_ok {
            let message = format!(
                "unknown relation type `{}`{}",
                shorten(&predicate),
                suggest(&predicate, &vocabulary.relations)
            );
            self.err(t, row, "predicate", message);
        }
        let object = t.cell(row, "object").to_owned();
        let object_ok = !object.is_empty()
            && self.reference(t, row, "object", &object, &[Kind::Actor, Kind::Place]);
        if object.is_empty() {
            self.err(t, row, "object", "empty object; give an actor or place id");
        }
        if subject_ok && subject == object {
            self.err(
                t,
                row,
                "object",
                format!("`{subject}` is related to itself; subject and object must differ"),
            );
        }
        let object_is_place =
            (self.checked.registry.get(&object)).is_some_and(|(_, d)| d.kind == Kind::Place);
        let calendar = self.calendar(t, row);
        let date = self.date(t, row, "date", calendar);
        let place = self.optional_reference(t, row, "place", &[Kind::Place]);
        let certainty = self.certainty(t, row);
        let sources = self.citations(t, row);
        if !(subject_ok && predicate_ok && object_ok) || subject == object {
            return None;
        }
        let id = id?;
        let restated = certainty != Certainty::Disputed && {
            let fact = (
                self.number(&subject),
                self.name(&predicate),
                self.number(&object),
            );
            !self.facts.insert(fact)
        };
        Some(Relation {
            id,
            restated,
            subject,
            predicate,
            object,
            object_is_place,
            date,
            date_as_written: Self::optional_text(t, row, "date_as_written"),
            place,
            certainty,
            sources,
            note: Self::optional_text(t, row, "note"),
        })
    }

    fn event(&mut self, t: &Table, row: &Row) -> Option<Event> {
        let id = self.id(t, row, Kind::Event);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let class = self.class(t, row, &vocabulary.event_classes, "event");
        let en = self.required_text(t, row, "label_en");
        let ru = self.required_text(t, row, "label_ru");
        let calendar = self.calendar(t, row);
        let date = self.date(t, row, "date", calendar);
        let place = self.optional_reference(t, row, "place", &[Kind::Place]);
        let mut links = |column: &str| -> Vec<String> {
            let mut out = Vec::new();
            for item in list(t.cell(row, column)) {
                if Some(item) == id.as_deref() {
                    self.err(
                        t,
                        row,
                        column,
                        format!("event `{item}` cannot refer to itself"),
                    );
                } else if self.reference(t, row, column, item, &[Kind::Event]) {
                    out.push(item.to_owned());
                }
            }
            out
        };
        let about = links("about");
        let in_response_to = links("in_response_to");
        let certainty = self.certainty(t, row);
        let sources = self.citations(t, row);
        Some(Event {
            id: id?,
            class: class?,
            labels: vec![
                LangString {
                    text: en?,
                    lang: "en".into(),
                },
                LangString {
                    text: ru?,
                    lang: "ru".into(),
                },
            ],
            date,
            date_as_written: Self::optional_text(t, row, "date_as_written"),
            place,
            about,
            in_response_to,
            certainty,
            sources,
            description: Self::optional_text(t, row, "description"),
        })
    }

    fn participation(&mut self, t: &Table, row: &Row) -> Option<Participation> {
        let event = t.cell(row, "event");
        let actor = t.cell(row, "actor");
        let role = t.cell(row, "role");
        let event_ok = self.reference(t, row, "event", event, &[Kind::Event]);
        let actor_ok = self.reference(t, row, "actor", actor, &[Kind::Actor]);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let role_ok = vocabulary.roles.contains(role) || !self.checked.vocabulary_ok;
        if !role_ok {
            let message = format!(
                "unknown role `{}`{}",
                shorten(role),
                suggest(role, &vocabulary.roles)
            );
            self.err(t, row, "role", message);
        }
        if !(event_ok && actor_ok && role_ok) {
            return None;
        }
        let (e, a) = (self.number(event), self.number(actor));
        let key = (e, a, self.name(role));
        if let Some(first) = self.roles.get(&key) {
            let message = format!("`{actor}` is already {role} of `{event}` at line {first}");
            self.err(t, row, "actor", message);
            return None;
        }
        self.roles.insert(key, row.line);
        Some(Participation {
            event: event.to_owned(),
            role: role.to_owned(),
            actor: actor.to_owned(),
            again: !self.pairs.insert((e, a)),
        })
    }
}

/// Splits a `|`-separated list, trimming items and skipping empty ones.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// "; did you mean `x`?" when one name is close, otherwise the list of what the ontology declares.
fn suggest(value: &str, allowed: &BTreeSet<String>) -> String {
    match hint(value, allowed.iter().map(String::as_str)) {
        h if h.is_empty() => format!("; the ontology declares: {}", join(allowed)),
        h => h,
    }
}

fn join(items: &BTreeSet<String>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Proposes a slug for an invalid id: lowercase, Latin letters without their accents (in
/// composed or decomposed form), other characters as single hyphens.
fn slug_suggestion(id: &str) -> Option<String> {
    // U+00C0..U+017F: the ASCII letter of each Latin-1 and Latin Extended-A letter; `*` for
    // the ligatures spelt with two letters, `-` for the two signs among them.
    const LATIN: &str = concat!(
        "aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y",
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll",
        "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs",
    );
    let mut slug = String::new();
    for c in id.chars() {
        let folded = match c {
            'Æ' | 'æ' => "ae",
            'Þ' | 'þ' => "th",
            'ß' => "ss",
            'Ĳ' | 'ĳ' => "ij",
            'Œ' | 'œ' => "oe",
            // Combining accents (a decomposed `é` is `e` and U+0301) are dropped.
            '\u{300}'..='\u{36f}' => continue,
            '\u{c0}'..='\u{17f}' => {
                let i = c as usize - 0xc0;
                &LATIN[i..=i]
            }
            _ => "",
        };
        if !folded.is_empty() && folded != "-" {
            slug.push_str(folded);
        } else if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    is_slug(slug).then(|| slug.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_suggestions_fold_accents_and_case() {
        let s = |id: &str| slug_suggestion(id).unwrap_or_default();
        assert_eq!(s("Darma-Bala"), "darma-bala");
        assert_eq!(s("Donryung envoy/1741"), "donryung-envoy-1741");
        assert_eq!(s("galdan-tséren"), "galdan-tseren");
        assert_eq!(s("galdan-tse\u{301}ren"), "galdan-tseren");
        assert_eq!(s("Łukasz Æthelstan ŒUVRE"), "lukasz-aethelstan-oeuvre");
        assert_eq!(s("../avpri"), "avpri");
        assert_eq!(s("Абулхаир"), "");
        assert_eq!(s(&"a".repeat(81)), "");
    }
}
