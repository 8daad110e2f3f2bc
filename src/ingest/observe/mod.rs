//! Source criticism during the second pass: what each valid row says of dates, evidence and
//! holders is kept per id (the Gregorian span of every actor and event, a few flags), the
//! checks that need one row are made at once, the others at the end ([`Observer::finish`]).
//! The findings themselves are [`crate::findings`]'; `end` holds the checks made at the end,
//! `found` the findings as numbers until they are shown. Memory grows with the number of
//! ids, not with the rows: a span is 12 bytes, a flag one, a finding 64.

mod end;
mod found;

pub(super) use found::{Findings, Found, NO_REVIEW, View};

use super::rows::Refs;
use super::schema::PerTable;
use super::{Checked, Table};
use crate::findings::{Kind, Readings, Span, compare_readings, day_number};
use crate::ingest::rdf::Tier;
use crate::model::{Certainty, Event, LangString, Named, Participation, Record, Relation, Source};
use found::What;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// An actor's dates: the whole span, and the earliest day their dates can end (when the end
/// is known apart from the start).
#[derive(Debug, Clone, Copy)]
struct Life {
    span: Span,
    /// The earliest Gregorian day of the end of the dates (a death).
    end_from: Option<i32>,
}

/// An `about` or `inResponseTo` link between two events.
struct Link {
    teller: u32,
    told: u32,
    answer: bool,
}

/// A certain holding of a one-holder relation (`hkg:OneHolderProperty`) with the days it
/// surely covers.
struct Holding {
    predicate: u32,
    object: u32,
    subject: u32,
    relation: u32,
    from: i32,
    to: i32,
}

/// What the second pass has seen so far, for the findings.
pub(super) struct Observer {
    /// Each table's id numbers (the registry numbers tables in order, rows in file order).
    ranges: PerTable<Range<u32>>,
    lives: Vec<Option<Life>>,
    spans: Vec<Option<Span>>,
    /// Per event: the role of its deceased when it is a death (an index into `deceased`).
    dying: Vec<Option<u8>>,
    deceased: Vec<String>,
    tiers: Vec<Option<Tier>>,
    cited: Vec<bool>,
    involved: Vec<bool>,
    attended: Vec<bool>,
    links: Vec<Link>,
    /// The first one-day relation of each (subject, predicate, object).
    days: HashMap<(u32, u32, u32), (u32, Span)>,
    disputed: Vec<((u32, u32, u32), u32)>,
    holdings: Vec<Holding>,
    co_rulers: HashSet<(u32, u32)>,
    /// `parentOf` relations: (parent, child, relation).
    parents: Vec<(u32, u32, u32)>,
    /// `spouseOf` relations: (subject, object, relation).
    spouses: Vec<(u32, u32, u32)>,
    findings: Findings,
}

/// The row the observer is shown, as the checker saw it.
pub(super) struct Seen<'a> {
    /// Its line.
    pub(super) line: u64,
    /// The id numbers it refers to.
    pub(super) refs: &'a Refs,
    /// A relation's (subject, relation type, object), as the checker numbers them.
    pub(super) fact: Option<(u32, u32, u32)>,
}

/// The columns findings point at.
const COLUMNS: [&str; 10] = [
    "id",
    "label_ru",
    "labels",
    "type",
    "date",
    "dates",
    "sources",
    "actor",
    "about",
    "in_response_to",
];

impl Observer {
    pub(super) fn new(checked: &Checked) -> Self {
        // The registry numbers the tables one after the other: each table's ids are one run.
        let mut ranges: PerTable<Range<u32>> = PerTable::new(|_| 0..0);
        for (n, d) in (0..).zip(&checked.registry.declared) {
            let r = &mut ranges[d.table];
            if r.start == r.end {
                *r = n..n + 1;
            } else {
                debug_assert_eq!(r.end, n, "the ids of a table are numbered in one run");
                r.end = n + 1;
            }
        }
        let len = |t: Table| ranges[t].len();
        Self {
            lives: vec![None; len(Table::Actors)],
            involved: vec![false; len(Table::Actors)],
            spans: vec![None; len(Table::Events)],
            dying: vec![None; len(Table::Events)],
            attended: vec![false; len(Table::Events)],
            tiers: vec![None; len(Table::Sources)],
            cited: vec![false; len(Table::Sources)],
            ranges,
            deceased: Vec::new(),
            links: Vec::new(),
            days: HashMap::new(),
            disputed: Vec::new(),
            holdings: Vec::new(),
            co_rulers: HashSet::new(),
            parents: Vec::new(),
            spouses: Vec::new(),
            findings: Findings::new(&checked.files),
        }
    }

    /// The offset of id number `n` in `table`'s arrays, if it is one of that table's.
    fn offset(&self, table: Table, n: u32) -> Option<usize> {
        self.ranges[table]
            .contains(&n)
            .then(|| (n - self.ranges[table].start) as usize)
    }

    /// Notes the columns of `sheet` (the table being read) the first time.
    pub(super) fn columns(&mut self, table: Table, sheet: &super::table::Sheet) {
        let columns = &mut self.findings.columns[table];
        if columns.is_empty() {
            for name in COLUMNS {
                if let Some(c) = sheet.column(name) {
                    columns.insert(name, c);
                }
            }
        }
    }

    /// Looks at one valid row.
    pub(super) fn record(&mut self, checked: &Checked, seen: &Seen<'_>, record: &Record) {
        let refs = seen.refs;
        match record {
            Record::Source(s) => self.source(checked, refs, s),
            Record::Actor(a) => {
                self.actor(refs, a);
                self.languages(checked, refs, &a.labels);
            }
            Record::Place(p) => {
                self.cite(refs);
                self.languages(checked, refs, &p.labels);
            }
            Record::Relation(r) => self.relation(checked, seen, r),
            Record::Event(e) => {
                self.event(checked, refs, e);
                self.languages(checked, refs, &e.labels);
            }
            Record::Participation(p) => self.participation(checked, seen, p),
        }
    }

    /// Reports each language of `hkg:labelLanguage` none of `labels` is in (`ru` is met by
    /// `ru` and by `ru-Latn`, as SPARQL's `langMatches` has it).
    fn languages(&mut self, checked: &Checked, refs: &Refs, labels: &[LangString]) {
        let Some(entity) = refs.id else { return };
        for lang in &checked.vocabulary.criticism.label_languages {
            let has = labels.iter().any(|l| {
                let tag = l.lang.as_str();
                tag.eq_ignore_ascii_case(lang)
                    || (tag.len() > lang.len()
                        && tag.as_bytes()[lang.len()] == b'-'
                        && tag[..lang.len()].eq_ignore_ascii_case(lang))
            });
            if !has {
                let lang = self.findings.word(lang);
                self.push(Kind::MissingLanguage, What::Language { entity, lang });
            }
        }
    }

    fn source(&mut self, checked: &Checked, refs: &Refs, source: &Source) {
        let criticism = &checked.vocabulary.criticism;
        if let Some(i) = refs.id.and_then(|n| self.offset(Table::Sources, n)) {
            self.tiers[i] = criticism.tiers.get(&source.class).copied();
        }
        let [whole, archive] = refs.pair;
        if let Some(whole) = whole {
            self.mark_cited(whole);
        }
        if let Some(archive) = archive {
            self.involve(archive);
        }
    }

    fn mark_cited(&mut self, n: u32) {
        if let Some(i) = self.offset(Table::Sources, n) {
            self.cited[i] = true;
        }
    }

    fn involve(&mut self, n: u32) {
        if let Some(i) = self.offset(Table::Actors, n) {
            self.involved[i] = true;
        }
    }

    /// Marks the row's sources cited; the number of the one source it cites, if only one.
    fn cite(&mut self, refs: &Refs) -> Option<u32> {
        for &n in &refs.sources {
            self.mark_cited(n);
        }
        let (&first, rest) = refs.sources.split_first()?;
        rest.iter().all(|&n| n == first).then_some(first)
    }

    /// Reports a row resting on one tertiary source.
    fn evidence(&mut self, refs: &Refs) {
        let (Some(source), Some(row)) = (self.cite(refs), refs.id) else {
            return;
        };
        let tier = self
            .offset(Table::Sources, source)
            .and_then(|i| self.tiers[i]);
        if tier == Some(Tier::Tertiary) {
            self.push(Kind::SingleTertiarySource, What::Tertiary { row, source });
        }
    }

    fn actor(&mut self, refs: &Refs, actor: &Named) {
        self.cite(refs);
        let Some(i) = refs.id.and_then(|n| self.offset(Table::Actors, n)) else {
            return;
        };
        self.lives[i] = actor.dates.as_ref().and_then(|d| {
            let span = Span::of(d)?;
            let end_from = d.throughout.map(|(_, end)| day_number(end));
            Some(Life { span, end_from })
        });
    }

    /// The life of actor number `n`.
    fn life(&self, n: u32) -> Option<Life> {
        self.offset(Table::Actors, n).and_then(|i| self.lives[i])
    }

    fn relation(&mut self, checked: &Checked, seen: &Seen<'_>, r: &Relation) {
        let refs = seen.refs;
        self.evidence(refs);
        let (Some(rel), Some(fact @ (s, p, o))) = (refs.id, seen.fact) else {
            return;
        };
        self.involve(s);
        self.involve(o);
        if r.certainty == Certainty::Disputed {
            self.disputed.push((fact, rel));
        }
        let criticism = &checked.vocabulary.criticism;
        // Terms of the ontology itself (`hkg:coRulerOf`, `hkg:parentOf`, `hkg:spouseOf`).
        if r.predicate == "coRulerOf" {
            self.co_rulers.insert((s.min(o), s.max(o)));
        }
        if r.predicate == "parentOf" {
            self.parents.push((s, o, rel));
        }
        if r.predicate == "spouseOf" {
            self.spouses.push((s, o, rel));
        }
        let one_holder = criticism.one_holder.contains(&r.predicate);
        if one_holder
            && r.certainty == Certainty::Certain
            && let Some((from, to)) = r.date.as_ref().and_then(|d| d.throughout)
        {
            self.holdings.push(Holding {
                predicate: p,
                object: o,
                subject: s,
                relation: rel,
                from: day_number(from),
                to: day_number(to),
            });
        }
        let Some(span) = r.date.as_ref().and_then(Span::of) else {
            return;
        };
        let posthumous = criticism.posthumous.contains(&r.predicate);
        for (n, of_object) in [(s, false), (o, true)] {
            if posthumous && of_object {
                continue;
            }
            let Some(life) = self.life(n) else { continue };
            let after = span.wholly_after(life.span);
            if !(after || span.wholly_before(life.span)) {
                continue;
            }
            let kind = if after && one_holder && !of_object {
                Kind::OfficeAfterDeath
            } else {
                Kind::RelationOutsideLife
            };
            let predicate = self.findings.word(&r.predicate);
            let what = What::Life {
                relation: rel,
                subject: s,
                object: o,
                predicate,
                of_object,
                span,
                life: life.span,
            };
            self.push(kind, what);
        }
        if span.is_day() {
            match self.days.get(&fact) {
                None => {
                    self.days.insert(fact, (rel, span));
                }
                Some(&(first, earlier)) => {
                    if compare_readings(earlier, span) == Readings::Slip {
                        let what = What::Slip {
                            relation: rel,
                            first,
                            span,
                            earlier,
                        };
                        self.push(Kind::OldStyleSlip, what);
                    }
                }
            }
        }
    }

    fn event(&mut self, checked: &Checked, refs: &Refs, e: &Event) {
        self.evidence(refs);
        let Some(n) = refs.id else { return };
        let Some(i) = self.offset(Table::Events, n) else {
            return;
        };
        self.spans[i] = e.date.as_ref().and_then(Span::of);
        let criticism = &checked.vocabulary.criticism;
        if let Some(role) = criticism.deceased_roles.get(&e.class) {
            let index = match self.deceased.iter().position(|r| r == role) {
                Some(index) => index,
                None => {
                    self.deceased.push(role.clone());
                    self.deceased.len() - 1
                }
            };
            self.dying[i] = u8::try_from(index).ok();
        }
        for (targets, answer) in [(&refs.about, false), (&refs.answers, true)] {
            for &told in targets {
                self.links.push(Link {
                    teller: n,
                    told,
                    answer,
                });
            }
        }
    }

    fn participation(&mut self, checked: &Checked, seen: &Seen<'_>, p: &Participation) {
        let [Some(event), Some(actor)] = seen.refs.pair else {
            return;
        };
        self.involve(actor);
        let Some(i) = self.offset(Table::Events, event) else {
            return;
        };
        self.attended[i] = true;
        let (Some(span), Some(life)) = (self.spans[i], self.life(actor)) else {
            return;
        };
        let criticism = &checked.vocabulary.criticism;
        let dies = self.dying[i].is_some_and(|r| self.deceased[r as usize] == p.role);
        let kind = if dies {
            let end = Span {
                lo: life.end_from.unwrap_or(life.span.lo),
                ..life.span
            };
            if !(life.end_from.is_some() && (span.wholly_after(end) || span.wholly_before(end))) {
                return;
            }
            Kind::DeathDate
        } else if criticism.posthumous.contains(&p.role) {
            return;
        } else if span.wholly_after(life.span) {
            Kind::ParticipantAfterDeath
        } else if span.wholly_before(life.span) {
            Kind::ParticipantBeforeBirth
        } else {
            return;
        };
        let role = self.findings.word(&p.role);
        let what = What::Participant {
            event,
            actor,
            role,
            line: seen.line,
            span,
            life: life.span,
        };
        self.push(kind, what);
    }

    fn push(&mut self, kind: Kind, what: What) {
        self.findings.found.push(Found {
            kind,
            review: NO_REVIEW,
            what,
        });
    }
}
