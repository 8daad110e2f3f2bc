//! The second pass: every row checked against the ids and the ontology, and made into its
//! record. Problems go to the checker's diagnostics with `file:line:column`.

use super::cells::{list, suggest};
use super::observe::Observer;
use super::table::{Row, Sheet};
use super::{Checked, Table, rdf};
use crate::dates::Calendar;
use crate::diagnostics::{Diagnostics, shorten};
use crate::model::{Certainty, Event, LangString, Named, Participation, Record, Relation, Source};
use crate::vocab::Kind;
use oxigraph::model::NamedNode;
use std::collections::{HashMap, HashSet};

/// Checks rows one at a time and makes their records.
pub(super) struct Checker<'a> {
    pub(super) checked: &'a Checked,
    pub(super) diags: Diagnostics,
    /// The table being read.
    pub(super) table: Table,
    /// Relation and role names, numbered for the keys below.
    names: HashMap<String, u32>,
    /// (subject, relation, object) of undisputed relations seen so far, each with the id
    /// number of the first row asserting it.
    pub(super) facts: HashMap<(u32, u32, u32), u32>,
    /// The (subject, relation, object) of the relation just made into a record, for the
    /// observer.
    fact: Option<(u32, u32, u32)>,
    /// (event, actor, role) of participations seen so far, with their line.
    roles: HashMap<(u32, u32, u32), u64>,
    /// (event, actor) of participations seen so far.
    pairs: HashSet<(u32, u32)>,
    /// Source criticism, in the second pass only.
    pub(super) observer: Option<Observer>,
    /// What the row being checked refers to, as id numbers, for the observer.
    pub(super) refs: Refs,
}

/// The id numbers a row resolved while it was checked (valid references only), so that
/// the observer looks nothing up again.
#[derive(Debug, Default)]
pub(super) struct Refs {
    /// The row's own id.
    pub(super) id: Option<u32>,
    /// A relation's subject and object, a participation's event and actor, a source's
    /// `part_of` and `archive`.
    pub(super) pair: [Option<u32>; 2],
    /// The cited sources, in the order of the record's citations.
    pub(super) sources: Vec<u32>,
    /// An event's `about` targets.
    pub(super) about: Vec<u32>,
    /// An event's `in_response_to` targets.
    pub(super) answers: Vec<u32>,
}

impl Refs {
    fn clear(&mut self) {
        self.id = None;
        self.pair = [None; 2];
        self.sources.clear();
        self.about.clear();
        self.answers.clear();
    }
}

impl<'a> Checker<'a> {
    pub(super) fn new(checked: &'a Checked) -> Self {
        Self {
            checked,
            diags: Diagnostics::default(),
            table: Table::Sources,
            names: HashMap::new(),
            facts: HashMap::new(),
            fact: None,
            roles: HashMap::new(),
            pairs: HashSet::new(),
            observer: None,
            refs: Refs::default(),
        }
    }

    /// The record of `row` of the table being read, if the row is valid (its problems are
    /// reported otherwise).
    pub(super) fn record(&mut self, t: &Sheet, row: &Row) -> Option<Record> {
        self.fact = None;
        self.refs.clear();
        let record = self.make(t, row);
        if let (Some(observer), Some(record)) = (&mut self.observer, &record) {
            observer.columns(self.table, t);
            let seen = super::observe::Seen {
                line: row.line,
                refs: &self.refs,
                fact: self.fact,
            };
            observer.record(self.checked, &seen, record);
        }
        record
    }

    fn make(&mut self, t: &Sheet, row: &Row) -> Option<Record> {
        match self.table {
            Table::Sources => self.source(t, row).map(Record::Source),
            Table::Actors => self.named(t, row, Kind::Actor).map(Record::Actor),
            Table::Places => self.named(t, row, Kind::Place).map(Record::Place),
            Table::Relations => self.relation(t, row).map(Record::Relation),
            Table::Events => self.event(t, row).map(Record::Event),
            Table::Participants => self.participation(t, row).map(Record::Participation),
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

    pub(super) fn err(&mut self, t: &Sheet, row: &Row, column: &str, message: impl Into<String>) {
        self.diags
            .push(&t.file, row.line, t.column(column), message);
    }

    /// The row's id if it was registered (invalid and duplicate ids are already reported).
    fn id(&mut self, t: &Sheet, row: &Row, kind: Kind) -> Option<String> {
        let id = t.cell(row, "id");
        match self.checked.registry.get(id) {
            Some((n, d)) if d.kind == kind && d.table == self.table && d.line == row.line => {
                self.refs.id = Some(n);
                Some(id.to_owned())
            }
            _ => None,
        }
    }

    fn source(&mut self, t: &Sheet, row: &Row) -> Option<Source> {
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
        if part_of.is_some() && part_of.as_ref().map(|p| p.0.as_str()) == id.as_deref() {
            self.err(t, row, "part_of", "a source cannot be part of itself");
        }
        let archive = self.optional_reference(t, row, "archive", &[Kind::Actor]);
        self.refs.pair = [part_of.as_ref().map(|p| p.1), archive.as_ref().map(|a| a.1)];
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
            part_of: part_of.map(|p| p.0),
            archive: archive.map(|a| a.0),
            fond: Self::optional_text(t, row, "fond"),
            opis: Self::optional_text(t, row, "opis"),
            delo: Self::optional_text(t, row, "delo"),
            folios: Self::optional_text(t, row, "folios"),
            language,
            note: Self::optional_text(t, row, "note"),
        })
    }

    fn named(&mut self, t: &Sheet, row: &Row, kind: Kind) -> Option<Named> {
        let id = self.id(t, row, kind);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let (classes, what) = match kind {
            Kind::Actor => (&vocabulary.actor_classes, "actor"),
            _ => (&vocabulary.place_classes, "place"),
        };
        let class = self.class(t, row, classes, what);
        let en = self.required_text(t, row, "label_en");
        let ru = Self::optional_text(t, row, "label_ru");
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
        let given = !(t.cell(row, "lat").is_empty() && t.cell(row, "long").is_empty());
        let coordinates_sources = self.coordinate_sources(t, row, given);
        let part_of = if kind == Kind::Place {
            self.optional_reference(t, row, "part_of", &[Kind::Place])
                .map(|p| p.0)
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
            coordinates_sources,
            coordinates_note: Self::optional_text(t, row, "coordinates_note"),
            part_of,
            sources,
        })
    }

    fn relation(&mut self, t: &Sheet, row: &Row) -> Option<Relation> {
        let id = self.id(t, row, Kind::Assertion);
        let subject = t.cell(row, "subject").to_owned();
        let subject_n = (!subject.is_empty())
            .then(|| self.reference(t, row, "subject", &subject, &[Kind::Actor]))
            .flatten();
        let subject_ok = subject_n.is_some();
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
        let object_n = (!object.is_empty())
            .then(|| self.reference(t, row, "object", &object, &[Kind::Actor, Kind::Place]))
            .flatten();
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
        let object_is_place = object_n
            .is_some_and(|n| self.checked.registry.declared[n as usize].kind == Kind::Place);
        let calendar = self.calendar(t, row);
        let date = self.date(t, row, "date", calendar);
        let place = (self.optional_reference(t, row, "place", &[Kind::Place])).map(|p| p.0);
        let certainty = self.certainty(t, row);
        let sources = self.citations(t, row);
        let (Some(s), Some(o)) = (subject_n, object_n) else {
            return None;
        };
        if !predicate_ok || subject == object {
            return None;
        }
        let id = id?;
        let n = self.refs.id?;
        self.refs.pair = [Some(s), Some(o)];
        let fact = (s, self.name(&predicate), o);
        self.fact = Some(fact);
        let restated = certainty != Certainty::Disputed && {
            match self.facts.entry(fact) {
                std::collections::hash_map::Entry::Occupied(_) => true,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(n);
                    false
                }
            }
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

    fn event(&mut self, t: &Sheet, row: &Row) -> Option<Event> {
        let id = self.id(t, row, Kind::Event);
        let vocabulary: &'a rdf::Vocabulary = &self.checked.vocabulary;
        let class = self.class(t, row, &vocabulary.event_classes, "event");
        let en = self.required_text(t, row, "label_en");
        let ru = Self::optional_text(t, row, "label_ru");
        let calendar = self.calendar(t, row);
        let date = self.date(t, row, "date", calendar);
        let place = (self.optional_reference(t, row, "place", &[Kind::Place])).map(|p| p.0);
        // Taken and put back: the closure borrows the checker.
        let (mut about_n, mut answers_n) = (
            std::mem::take(&mut self.refs.about),
            std::mem::take(&mut self.refs.answers),
        );
        let mut links = |column: &str, numbers: &mut Vec<u32>| -> Vec<String> {
            let mut out = Vec::new();
            for item in list(t.cell(row, column)) {
                if Some(item) == id.as_deref() {
                    self.err(
                        t,
                        row,
                        column,
                        format!("event `{item}` cannot refer to itself"),
                    );
                } else if let Some(n) = self.reference(t, row, column, item, &[Kind::Event]) {
                    numbers.push(n);
                    out.push(item.to_owned());
                }
            }
            out
        };
        let about = links("about", &mut about_n);
        let in_response_to = links("in_response_to", &mut answers_n);
        (self.refs.about, self.refs.answers) = (about_n, answers_n);
        let certainty = self.certainty(t, row);
        let sources = self.citations(t, row);
        Some(Event {
            id: id?,
            class: class?,
            labels: std::iter::once((en?, "en"))
                .chain(ru.map(|ru| (ru, "ru")))
                .map(|(text, lang)| LangString {
                    text,
                    lang: lang.into(),
                })
                .collect(),
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

    fn participation(&mut self, t: &Sheet, row: &Row) -> Option<Participation> {
        let event = t.cell(row, "event");
        let actor = t.cell(row, "actor");
        let role = t.cell(row, "role");
        let event_n = self.reference(t, row, "event", event, &[Kind::Event]);
        let actor_n = self.reference(t, row, "actor", actor, &[Kind::Actor]);
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
        let (Some(e), Some(a)) = (event_n, actor_n) else {
            return None;
        };
        if !role_ok {
            return None;
        }
        self.refs.pair = [Some(e), Some(a)];
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
