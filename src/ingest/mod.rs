//! CSV tables and Turtle files to validated records.
//!
//! `ingest` knows CSV but not how records become RDF. It reads every table, checks every
//! row and collects every problem with its `file:line:column` before giving up, so that a
//! refused build reports everything at once and writes nothing.

pub mod rdf;
pub mod table;

use crate::dates::{self, Calendar, DateValue};
use crate::diagnostics::{Diagnostics, InvalidData, hint};
use crate::model::{Certainty, Citation, Dataset, Event, LangString, Named, Relation, Source};
use crate::vocab::{Iris, Kind, MAX_ID_LEN, is_slug};
use oxigraph::model::{Literal, NamedNode};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use table::{ColumnSpec, Row, Table, optional, required};

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

/// Reads and validates the dataset in `data_dir`. On failure the error is an
/// [`InvalidData`] listing every problem.
pub fn load(data_dir: &Path) -> Result<Dataset, InvalidData> {
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
                diags.push(&shown("dataset.ttl"), 1, None, e);
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

    // The tables are read and parsed in parallel; their problems are reported in this order.
    let files: [(&str, &[ColumnSpec]); 6] = [
        ("sources.csv", SOURCE_COLUMNS),
        ("actors.csv", ACTOR_COLUMNS),
        ("places.csv", PLACE_COLUMNS),
        ("relations.csv", RELATION_COLUMNS),
        ("events.csv", EVENT_COLUMNS),
        ("participants.csv", PARTICIPANT_COLUMNS),
    ];
    let read: Vec<(Option<Table>, Diagnostics)> = std::thread::scope(|scope| {
        let readers: Vec<_> = files
            .iter()
            .map(|&(name, specs)| {
                let shown = &shown;
                scope.spawn(move || {
                    let mut found = Diagnostics::default();
                    let table = table::read(&data_dir.join(name), &shown(name), specs, &mut found);
                    (table, found)
                })
            })
            .collect();
        readers
            .into_iter()
            .map(|r| r.join().expect("a table reader panicked"))
            .collect()
    });
    let mut read = read.into_iter().map(|(table, found)| {
        diags.append(found);
        table
    });
    let mut next = || read.next().expect("six tables");
    let tables = Tables {
        sources: next(),
        actors: next(),
        places: next(),
        relations: next(),
        events: next(),
        participants: next(),
    };

    let unreadable = [
        (tables.sources.is_none(), Kind::Source),
        (tables.actors.is_none(), Kind::Actor),
        (tables.places.is_none(), Kind::Place),
        (tables.relations.is_none(), Kind::Assertion),
        (tables.events.is_none(), Kind::Event),
    ]
    .into_iter()
    .filter_map(|(missing, kind)| missing.then_some(kind))
    .collect();
    let mut checker = Checker {
        diags,
        ids: HashMap::new(),
        vocabulary,
        vocabulary_ok,
        unreadable,
    };
    checker.register_ids(&tables);
    let mut dataset = Dataset {
        base,
        rdf_files: ontology.into_iter().chain(description).collect(),
        ..Dataset::default()
    };
    if let Some(t) = &tables.sources {
        dataset.sources = t.rows.iter().filter_map(|r| checker.source(t, r)).collect();
    }
    if let Some(t) = &tables.actors {
        dataset.actors = t
            .rows
            .iter()
            .filter_map(|r| checker.named(t, r, Kind::Actor))
            .collect();
    }
    if let Some(t) = &tables.places {
        dataset.places = t
            .rows
            .iter()
            .filter_map(|r| checker.named(t, r, Kind::Place))
            .collect();
    }
    if let Some(t) = &tables.relations {
        dataset.relations = t
            .rows
            .iter()
            .filter_map(|r| checker.relation(t, r))
            .collect();
    }
    if let Some(t) = &tables.events {
        dataset.events = t.rows.iter().filter_map(|r| checker.event(t, r)).collect();
    }
    if let Some(t) = &tables.participants {
        checker.participants(t, &mut dataset.events);
    }
    checker.diags.into_result()?;
    Ok(dataset)
}

struct Tables {
    sources: Option<Table>,
    actors: Option<Table>,
    places: Option<Table>,
    relations: Option<Table>,
    events: Option<Table>,
    participants: Option<Table>,
}

/// Where an id was first declared.
struct Declared {
    kind: Kind,
    file: String,
    line: u64,
}

struct Checker {
    diags: Diagnostics,
    ids: HashMap<String, Declared>,
    vocabulary: rdf::Vocabulary,
    /// False when ontology.ttl did not parse: type, relation and role checks are then skipped
    /// instead of reporting every row.
    vocabulary_ok: bool,
    /// Kinds whose table could not be read: references to them are not reported as unknown.
    unreadable: Vec<Kind>,
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

impl Checker {
    /// First pass: every id, so references can point forward and backward.
    fn register_ids(&mut self, tables: &Tables) {
        let all = [
            (&tables.sources, Kind::Source),
            (&tables.actors, Kind::Actor),
            (&tables.places, Kind::Place),
            (&tables.relations, Kind::Assertion),
            (&tables.events, Kind::Event),
        ];
        for (table, kind) in all {
            let Some(t) = table else { continue };
            for row in &t.rows {
                let id = t.cell(row, "id");
                let col = t.column("id");
                if id.is_empty() {
                    self.diags.push(
                        &t.file,
                        row.line,
                        col,
                        "empty id; give every row a unique id such as `darma-bala`",
                    );
                    continue;
                }
                if !is_slug(id) {
                    self.diags.push(&t.file, row.line, col, format!("id `{}` is not a safe slug: use lowercase ASCII letters and digits joined by single hyphens, at most {MAX_ID_LEN} characters{}", shorten(id), slug_suggestion(id)));
                    continue;
                }
                if let Some(first) = self.ids.get(id) {
                    self.diags.push(
                        &t.file,
                        row.line,
                        col,
                        format!(
                            "duplicate id `{id}`: already used by {} at {}:{}",
                            kind_noun(first.kind),
                            first.file,
                            first.line
                        ),
                    );
                    continue;
                }
                self.ids.insert(
                    id.to_owned(),
                    Declared {
                        kind,
                        file: t.file.clone(),
                        line: row.line,
                    },
                );
            }
        }
    }

    fn err(&mut self, t: &Table, row: &Row, column: &str, message: impl Into<String>) {
        self.diags
            .push(&t.file, row.line, t.column(column), message);
    }

    /// The row's id if it was registered (invalid and duplicate ids are already reported).
    fn id(&self, t: &Table, row: &Row, kind: Kind) -> Option<String> {
        let id = t.cell(row, "id");
        match self.ids.get(id) {
            Some(d) if d.kind == kind && d.file == t.file && d.line == row.line => {
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
        match self.ids.get(value) {
            Some(d) if kinds.contains(&d.kind) => true,
            Some(d) => {
                let wanted = nouns(false);
                let message = format!(
                    "`{value}` is {} (declared at {}:{}), but this column needs {wanted}",
                    kind_noun(d.kind),
                    d.file,
                    d.line
                );
                self.err(t, row, column, message);
                false
            }
            None if kinds.iter().any(|k| self.unreadable.contains(k)) => false,
            None => {
                let known = self
                    .ids
                    .iter()
                    .filter(|(_, d)| kinds.contains(&d.kind))
                    .map(|(id, _)| id.as_str());
                let message = format!(
                    "unknown {} `{}`{}",
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
        if allowed.contains(value) || !self.vocabulary_ok {
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
                self.err(t, row, column, e);
                None
            }
        }
    }

    fn calendar(&mut self, t: &Table, row: &Row) -> Calendar {
        Calendar::parse(t.cell(row, "calendar")).unwrap_or_else(|e| {
            self.err(t, row, "calendar", e);
            Calendar::Unknown
        })
    }

    fn certainty(&mut self, t: &Table, row: &Row) -> Certainty {
        Certainty::parse(t.cell(row, "certainty")).unwrap_or_else(|e| {
            self.err(t, row, "certainty", e);
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
        if value.is_empty() {
            self.err(t, row, "sources", "cites no source; every row needs at least one source id from sources.csv in `sources`");
        }
        out
    }

    fn source(&mut self, t: &Table, row: &Row) -> Option<Source> {
        let id = self.id(t, row, Kind::Source);
        let classes = std::mem::take(&mut self.vocabulary.source_classes);
        let class = self.class(t, row, &classes, "source");
        self.vocabulary.source_classes = classes;
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
        let (classes, what) = match kind {
            Kind::Actor => (std::mem::take(&mut self.vocabulary.actor_classes), "actor"),
            _ => (std::mem::take(&mut self.vocabulary.place_classes), "place"),
        };
        let class = self.class(t, row, &classes, what);
        match kind {
            Kind::Actor => self.vocabulary.actor_classes = classes,
            _ => self.vocabulary.place_classes = classes,
        }
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
        let predicate_ok = self.vocabulary.relations.contains(&predicate) || !self.vocabulary_ok;
        if !predicate_ok {
            let message = format!(
                "unknown relation type `{}`{}",
                shorten(&predicate),
                suggest(&predicate, &self.vocabulary.relations)
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
        let object_is_place = self.ids.get(&object).is_some_and(|d| d.kind == Kind::Place);
        let calendar = self.calendar(t, row);
        let date = self.date(t, row, "date", calendar);
        let place = self.optional_reference(t, row, "place", &[Kind::Place]);
        let certainty = self.certainty(t, row);
        let sources = self.citations(t, row);
        if !(subject_ok && predicate_ok && object_ok) || subject == object {
            return None;
        }
        Some(Relation {
            id: id?,
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
        let classes = std::mem::take(&mut self.vocabulary.event_classes);
        let class = self.class(t, row, &classes, "event");
        self.vocabulary.event_classes = classes;
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
            participants: Vec::new(),
        })
    }

    fn participants(&mut self, t: &Table, events: &mut [Event]) {
        let index: HashMap<String, usize> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        // Keys borrow the table's cells: no copy per participant.
        let mut seen: HashMap<(&str, &str, &str), u64> = HashMap::new();
        for row in &t.rows {
            let event = t.cell(row, "event");
            let actor = t.cell(row, "actor");
            let role = t.cell(row, "role");
            let event_ok = self.reference(t, row, "event", event, &[Kind::Event]);
            let actor_ok = self.reference(t, row, "actor", actor, &[Kind::Actor]);
            let role_ok = self.vocabulary.roles.contains(role) || !self.vocabulary_ok;
            if !role_ok {
                let message = format!(
                    "unknown role `{}`{}",
                    shorten(role),
                    suggest(role, &self.vocabulary.roles)
                );
                self.err(t, row, "role", message);
            }
            if !(event_ok && actor_ok && role_ok) {
                continue;
            }
            let key = (event, actor, role);
            if let Some(first) = seen.get(&key) {
                self.err(
                    t,
                    row,
                    "actor",
                    format!("`{actor}` is already {role} of `{event}` at line {first}"),
                );
                continue;
            }
            seen.insert(key, row.line);
            if let Some(&i) = index.get(event) {
                events[i]
                    .participants
                    .push((role.to_owned(), actor.to_owned()));
            }
        }
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

/// Shortens a value for a message (a 10 000-character id should not flood the terminal).
fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    if escaped.chars().count() <= MAX {
        escaped
    } else {
        format!("{}…", escaped.chars().take(MAX).collect::<String>())
    }
}

/// Proposes a slug for an invalid id.
fn slug_suggestion(id: &str) -> String {
    let mut slug = String::new();
    for c in id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if is_slug(slug) {
        format!("; for example `{slug}`")
    } else {
        String::new()
    }
}
