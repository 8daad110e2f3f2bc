//! Findings kept as numbers until they are shown. A large dataset gives hundreds of
//! thousands of findings (at 1m synthetic relations, 125 000 rows resting on one tertiary
//! source); each is kept as a [`Found`] of 64 bytes, the registry numbers of its ids and the
//! dates it compares, and [`View::render`] writes its ids, rows and message when it is
//! printed or mapped, one at a time.

use super::super::Table;
use super::super::registry::Registry;
use super::super::schema::PerTable;
use crate::dates::Day;
use crate::findings::{Finding, Kind, Review, Row, Span};
use std::collections::HashMap;
use std::sync::Arc;

/// What a finding says, as id numbers (the registry's) and the dates it compares.
#[derive(Debug, Clone, Copy)]
pub(in crate::ingest) enum What {
    /// `row` (an assertion or event) rests on `source` alone, a tertiary one.
    Tertiary { row: u32, source: u32 },
    /// `relation` is dated (`span`) wholly outside the life of its subject or object.
    Life {
        relation: u32,
        subject: u32,
        object: u32,
        /// The relation type, an index into [`Findings::words`].
        predicate: u32,
        /// Whether the party whose life it falls outside is the object.
        of_object: bool,
        span: Span,
        life: Span,
    },
    /// `relation` and `first` give one relation on one day each, apart by the calendar gap.
    Slip {
        relation: u32,
        first: u32,
        span: Span,
        earlier: Span,
    },
    /// A participation (at `line` of participants.csv) outside the actor's life, or a
    /// death that does not end it.
    Participant {
        event: u32,
        actor: u32,
        /// The role, an index into [`Findings::words`].
        role: u32,
        line: u64,
        span: Span,
        life: Span,
    },
    /// `teller` is `about` (or, with `answer`, `inResponseTo`) `told` and dated before it.
    Link {
        teller: u32,
        told: u32,
        answer: bool,
        teller_span: Span,
        told_span: Span,
    },
    /// Two holders of `object` at once: (subject, relation, first day, last day) each, the
    /// earlier first.
    Overlap {
        object: u32,
        holders: [(u32, u32, i32, i32); 2],
    },
    /// A `parentOf` cycle, an index into [`Findings::cycles`].
    Cycle(u32),
    /// Spouses one of whom descends from the other, an index into [`Findings::marriages`].
    Marriage(u32),
    /// The disputed `relation` competes with the undisputed `other`.
    Disagreement { relation: u32, other: u32 },
    /// An entity nothing uses (a source, an event, an actor: the kind says which).
    Unused(u32),
    /// `entity` (an actor, place or event) has no label in `lang`, an index into
    /// [`Findings::words`].
    Language { entity: u32, lang: u32 },
}

/// A `parentOf` cycle: the people on it and its relations, both in number order.
#[derive(Debug)]
pub(in crate::ingest) struct Cycle {
    pub(in crate::ingest) people: Box<[u32]>,
    pub(in crate::ingest) relations: Box<[u32]>,
}

/// A `spouseOf` relation between a person and their descendant.
#[derive(Debug)]
pub(in crate::ingest) struct Marriage {
    /// The `spouseOf` relation.
    pub(in crate::ingest) spouse: u32,
    pub(in crate::ingest) ancestor: u32,
    pub(in crate::ingest) descendant: u32,
    /// The `parentOf` relations from the ancestor down to the descendant.
    pub(in crate::ingest) line: Box<[u32]>,
}

/// One finding as numbers.
#[derive(Debug, Clone, Copy)]
pub(in crate::ingest) struct Found {
    pub(in crate::ingest) kind: Kind,
    /// Its review, an index into [`Findings::reviews`], or [`NO_REVIEW`].
    pub(in crate::ingest) review: u32,
    pub(in crate::ingest) what: What,
}

/// [`Found::review`] of a finding nobody reviewed.
pub(in crate::ingest) const NO_REVIEW: u32 = u32::MAX;

/// Every finding of a dataset, with what their messages need besides the registry.
pub(in crate::ingest) struct Findings {
    /// In table, line and kind order once the observer is done.
    pub(in crate::ingest) found: Vec<Found>,
    /// Relation types and roles named by findings.
    pub(in crate::ingest) words: Vec<Box<str>>,
    /// `parentOf` cycles.
    pub(in crate::ingest) cycles: Vec<Cycle>,
    /// Spouses one of whom descends from the other.
    pub(in crate::ingest) marriages: Vec<Marriage>,
    /// Each table's columns that findings point at, 1-based.
    pub(in crate::ingest) columns: PerTable<HashMap<&'static str, usize>>,
    /// Each table's file as shown, shared by the rows of every finding.
    pub(in crate::ingest) files: PerTable<Arc<str>>,
    /// The reviews that name a finding the data gives.
    pub(in crate::ingest) reviews: Vec<Review>,
    /// Reviews of findings the data no longer gives, as findings (`review/stale`), after
    /// the others.
    pub(in crate::ingest) stale: Vec<Finding>,
}

impl Findings {
    /// No finding yet; `files` are the tables as shown.
    pub(in crate::ingest) fn new(files: &PerTable<String>) -> Self {
        Self {
            found: Vec::new(),
            words: Vec::new(),
            cycles: Vec::new(),
            marriages: Vec::new(),
            columns: PerTable::new(|_| HashMap::new()),
            files: PerTable::new(|t| Arc::from(files[t].as_str())),
            reviews: Vec::new(),
            stale: Vec::new(),
        }
    }

    /// The index of `word` in [`Findings::words`] (few: relation types and roles).
    pub(in crate::ingest) fn word(&mut self, word: &str) -> u32 {
        let i = match self.words.iter().position(|w| &**w == word) {
            Some(i) => i,
            None => {
                self.words.push(word.into());
                self.words.len() - 1
            }
        };
        u32::try_from(i).expect("fewer than 2^32 words")
    }

    /// Every finding rendered, one at a time.
    pub(in crate::ingest) fn iter<'a>(
        &'a self,
        registry: &'a Registry,
    ) -> impl Iterator<Item = Finding> + 'a {
        let view = View {
            findings: self,
            registry,
        };
        (self.found.iter())
            .map(move |f| view.render(f))
            .chain(self.stale.iter().cloned())
    }

    /// How many findings there are.
    pub(in crate::ingest) fn len(&self) -> usize {
        self.found.len() + self.stale.len()
    }
}

/// A row a finding names: where an entity is declared, or a participation's line; at a
/// column named as in the table.
#[derive(Clone, Copy)]
enum At {
    Entity(u32, &'static str),
    Participation(u64, &'static str),
}

/// The findings with the registry their numbers refer to.
#[derive(Clone, Copy)]
pub(in crate::ingest) struct View<'a> {
    pub(in crate::ingest) findings: &'a Findings,
    pub(in crate::ingest) registry: &'a Registry,
}

impl<'a> View<'a> {
    fn id(&self, n: u32) -> &'a str {
        self.registry.id(n)
    }

    fn word(&self, i: u32) -> &'a str {
        &self.findings.words[i as usize]
    }

    /// The rows it names, the one it is reported at first.
    fn places(&self, what: &What) -> impl Iterator<Item = At> + 'a {
        use At::{Entity, Participation};
        let fixed: [Option<At>; 3] = match *what {
            What::Tertiary { row, source } => [
                Some(Entity(row, "sources")),
                Some(Entity(source, "type")),
                None,
            ],
            What::Life {
                relation,
                subject,
                object,
                of_object,
                ..
            } => {
                let party = if of_object { object } else { subject };
                [
                    Some(Entity(relation, "date")),
                    Some(Entity(party, "dates")),
                    None,
                ]
            }
            What::Slip {
                relation, first, ..
            } => [
                Some(Entity(relation, "date")),
                Some(Entity(first, "date")),
                None,
            ],
            What::Participant {
                event, actor, line, ..
            } => [
                Some(Participation(line, "actor")),
                Some(Entity(actor, "dates")),
                Some(Entity(event, "date")),
            ],
            What::Link { teller, told, .. } => [
                Some(Entity(teller, "date")),
                Some(Entity(told, "date")),
                None,
            ],
            What::Overlap { holders, .. } => [
                Some(Entity(holders[1].1, "date")),
                Some(Entity(holders[0].1, "date")),
                None,
            ],
            What::Cycle(_) => [None; 3],
            What::Marriage(i) => [
                Some(Entity(self.findings.marriages[i as usize].spouse, "id")),
                None,
                None,
            ],
            What::Disagreement { relation, other } => [
                Some(Entity(relation, "id")),
                Some(Entity(other, "id")),
                None,
            ],
            What::Unused(n) => [Some(Entity(n, "id")), None, None],
            What::Language { entity, lang } => {
                let column = if self.word(lang) == "ru" {
                    "label_ru"
                } else {
                    "labels"
                };
                [Some(Entity(entity, column)), None, None]
            }
        };
        let cycle: &'a [u32] = match *what {
            What::Cycle(i) => &self.findings.cycles[i as usize].relations,
            What::Marriage(i) => &self.findings.marriages[i as usize].line,
            _ => &[],
        };
        (fixed.into_iter().flatten()).chain(cycle.iter().map(|&n| Entity(n, "id")))
    }

    /// Where `at` is: its table, line and column.
    fn locate(&self, at: At) -> (Table, u64, Option<usize>) {
        let (table, line, column) = match at {
            At::Entity(n, column) => {
                let d = &self.registry.declared[n as usize];
                (d.table, d.line, column)
            }
            At::Participation(line, column) => (Table::Participants, line, column),
        };
        let column = self.findings.columns[table].get(column).copied();
        (table, line, column)
    }

    fn row(&self, at: At) -> Row {
        let (table, line, column) = self.locate(at);
        Row {
            file: self.findings.files[table].clone(),
            line,
            column,
        }
    }

    /// The order findings are listed in: by their first row (table, line, column), kind,
    /// then ids.
    pub(in crate::ingest) fn order(&self, a: &Found, b: &Found) -> std::cmp::Ordering {
        let key = |f: &Found| {
            let (table, line, column) = self
                .places(&f.what)
                .next()
                .map(|at| self.locate(at))
                .expect("a finding names a row");
            (table.index(), line, column, f.kind)
        };
        let ids = |f: &Found| -> Vec<&str> { self.ids(f).into_iter().map(|(id, _)| id).collect() };
        key(a).cmp(&key(b)).then_with(|| ids(a).cmp(&ids(b)))
    }

    /// The ids it concerns in the order its stable id has them, each with the kind of
    /// entity it names (`None` for a role).
    fn ids(&self, f: &Found) -> Vec<(&'a str, Option<crate::vocab::Kind>)> {
        let entity = |n: u32| (self.id(n), Some(self.registry.declared[n as usize].kind));
        let sorted = |mut ids: Vec<(&'a str, Option<crate::vocab::Kind>)>| {
            ids.sort();
            ids
        };
        match f.what {
            What::Tertiary { row, .. } => vec![entity(row)],
            What::Life {
                relation,
                subject,
                object,
                of_object,
                ..
            } => vec![
                entity(relation),
                entity(if of_object { object } else { subject }),
            ],
            What::Slip {
                relation, first, ..
            } => sorted(vec![entity(first), entity(relation)]),
            What::Participant {
                event, actor, role, ..
            } => vec![entity(event), entity(actor), (self.word(role), None)],
            What::Link { teller, told, .. } => vec![entity(teller), entity(told)],
            What::Overlap { holders, .. } => {
                sorted(vec![entity(holders[0].1), entity(holders[1].1)])
            }
            What::Cycle(i) => sorted(
                (self.findings.cycles[i as usize].relations.iter())
                    .map(|&n| entity(n))
                    .collect(),
            ),
            What::Marriage(i) => {
                let m = &self.findings.marriages[i as usize];
                vec![entity(m.spouse), entity(m.ancestor), entity(m.descendant)]
            }
            What::Disagreement { relation, other } => vec![entity(relation), entity(other)],
            What::Unused(n) => vec![entity(n)],
            What::Language { entity: n, lang } => vec![entity(n), (self.word(lang), None)],
        }
    }

    /// The stable id: the kind's name and the ids, `chronology/report-before-event/a/b`.
    pub(in crate::ingest) fn stable_id(&self, f: &Found) -> String {
        let mut id = f.kind.name().to_owned();
        for (part, _) in self.ids(f) {
            id.push('/');
            id.push_str(part);
        }
        id
    }

    /// What is doubtful, naming the ids and the dates compared.
    fn message(&self, f: &Found) -> String {
        let id = |n: u32| self.id(n);
        match f.what {
            What::Tertiary { row, source } => format!(
                "`{}` rests on one source only, `{}`, a tertiary one: look for a primary source or a study that confirms it",
                id(row),
                id(source)
            ),
            What::Life {
                relation,
                subject,
                object,
                predicate,
                of_object,
                span,
                life,
            } => {
                let party = if of_object { object } else { subject };
                let when = if span.wholly_after(life) {
                    "after the end of"
                } else {
                    "before the start of"
                };
                format!(
                    "`{}` ({span}) relates `{}` ({life}) wholly {when} their dates: `{}` {} `{}`",
                    id(relation),
                    id(party),
                    id(subject),
                    self.word(predicate),
                    id(object)
                )
            }
            What::Slip {
                relation,
                first,
                span,
                earlier,
            } => format!(
                "`{}` ({span}) and `{}` ({earlier}) give the same relation on days that would be one if one of them were read in the other calendar (Old Style / New Style): check the calendar of each",
                id(relation),
                id(first)
            ),
            What::Participant {
                event,
                actor,
                role,
                span,
                life,
                ..
            } => {
                let (event, actor) = (id(event), id(actor));
                match f.kind {
                    Kind::DeathDate => format!(
                        "`{actor}`'s dates ({life}) do not end at the date of their death, `{event}` ({span})"
                    ),
                    _ => {
                        let when = if span.wholly_after(life) {
                            "after the end of"
                        } else {
                            "before the start of"
                        };
                        format!(
                            "`{actor}` ({life}) is {} in `{event}` ({span}), wholly {when} their dates",
                            self.word(role)
                        )
                    }
                }
            }
            What::Link {
                teller,
                told,
                answer,
                teller_span,
                told_span,
            } => {
                let (a, b) = (id(teller), id(told));
                match f.kind {
                    Kind::OldStyleSlip => format!(
                        "`{a}` ({teller_span}) is dated {} days before `{b}` ({told_span}), which it {}: no more than the gap between Old and New Style, so one of the two is probably read in the wrong calendar",
                        teller_span.days_until(told_span).unwrap_or_default(),
                        if answer { "answers" } else { "tells of" }
                    ),
                    Kind::AnswerBeforePrompt => format!(
                        "`{a}` ({teller_span}) is dated wholly before `{b}` ({told_span}), which it answers"
                    ),
                    _ => format!(
                        "`{a}` ({teller_span}) is dated wholly before the event it tells of, `{b}` ({told_span})"
                    ),
                }
            }
            What::Overlap { object, holders } => self.overlap(object, holders),
            What::Cycle(i) => self.cycle(i),
            What::Marriage(i) => self.marriage(i),
            What::Disagreement { relation, other } => format!(
                "`{}` is disputed: the sources disagree, and `{}` gives the same relation undisputed",
                id(relation),
                id(other)
            ),
            What::Unused(n) => {
                let n = id(n);
                match f.kind {
                    Kind::UncitedSource => {
                        format!("source `{n}` is cited by no row: cite it or remove it")
                    }
                    Kind::EventWithoutParticipants => {
                        format!("event `{n}` has no participants in participants.csv")
                    }
                    _ => format!("actor `{n}` has no relation and takes part in no event"),
                }
            }
            What::Language { entity, lang } => self.missing(entity, lang),
        }
    }

    /// The message of a label missing in a language the dataset asks for.
    fn missing(&self, entity: u32, lang: u32) -> String {
        let lang = self.word(lang);
        let column = if lang == "ru" {
            "in `label_ru` (or as `text@ru` in `labels`)".to_owned()
        } else {
            format!("as `text@{lang}` in `labels`")
        };
        format!(
            "`{}` has no label in `{lang}`, a language dataset.ttl asks of every actor, place and event (hkg:labelLanguage): give the form a source has {column}, or review this finding if no source gives one",
            self.id(entity)
        )
    }

    /// The message of two holders at once.
    fn overlap(&self, object: u32, holders: [(u32, u32, i32, i32); 2]) -> String {
        let id = |n: u32| self.id(n);
        let day = |n: i32| Day::from_number(i64::from(n));
        let [(sa, ra, fa, ta), (sb, rb, fb, tb)] = holders;
        format!(
            "`{}` ({} to {}, `{}`) and `{}` ({} to {}, `{}`) both surely hold `{}` at once, which has one holder at a time: check the dates, or declare them `coRulerOf` each other if they shared it",
            id(sa),
            day(fa),
            day(ta),
            id(ra),
            id(sb),
            day(fb),
            day(tb),
            id(rb),
            id(object)
        )
    }

    /// The message of spouses one of whom descends from the other.
    fn marriage(&self, i: u32) -> String {
        let id = |n: u32| self.id(n);
        let m = &self.findings.marriages[i as usize];
        let line: Vec<String> = m.line.iter().map(|&n| format!("`{}`", id(n))).collect();
        format!(
            "`{}` makes `{}` and `{}` spouses, but `{}` descends from `{}` through `parentOf`: {}",
            id(m.spouse),
            id(m.ancestor),
            id(m.descendant),
            id(m.descendant),
            id(m.ancestor),
            line.join(", ")
        )
    }

    /// The message of a `parentOf` cycle.
    fn cycle(&self, i: u32) -> String {
        let id = |n: u32| self.id(n);
        let quoted = |numbers: &[u32]| {
            let mut ids: Vec<&str> = numbers.iter().map(|&n| id(n)).collect();
            ids.sort_unstable();
            let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
            quoted.join(", ")
        };
        let Cycle { people, relations } = &self.findings.cycles[i as usize];
        let one = people.len() == 1;
        format!(
            "{} {} their own ancestor{} through `parentOf`: {}",
            quoted(people),
            if one { "is" } else { "are" },
            if one { "" } else { "s" },
            quoted(relations)
        )
    }

    /// The finding whole: ids, rows, message and review.
    pub(in crate::ingest) fn render(&self, f: &Found) -> Finding {
        let (ids, kinds) = self
            .ids(f)
            .into_iter()
            .map(|(id, k)| (id.to_owned(), k))
            .unzip();
        let review = (f.review != NO_REVIEW)
            .then(|| Box::new(self.findings.reviews[f.review as usize].clone()));
        Finding {
            kind: f.kind,
            ids,
            rows: self.places(&f.what).map(|at| self.row(at)).collect(),
            message: self.message(f).into_boxed_str(),
            review,
            kinds,
        }
    }
}
