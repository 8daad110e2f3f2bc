//! Source criticism during the second pass: what each valid row says of dates, evidence and
//! holders is kept per id (the Gregorian span of every actor and event, a few flags), the
//! checks that need one row are made at once, the others at the end ([`Observer::finish`]).
//! The findings themselves are [`crate::findings`]'; `end` holds the checks made at the end. Memory grows with the number of ids,
//! not with the rows: a span is 12 bytes, a flag one.

mod end;

use super::schema::PerTable;
use super::{Checked, Table};
use crate::findings::{Finding, Kind, Readings, Row, Span, compare_readings, day_number};
use crate::ingest::rdf::Tier;
use crate::model::{Certainty, Citation, Event, Named, Participation, Record, Relation, Source};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

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
    /// Each table's columns, 1-based.
    columns: PerTable<HashMap<&'static str, usize>>,
    /// Each table's file as shown, shared by the rows of every finding.
    files: PerTable<Arc<str>>,
    found: Vec<Finding>,
}

/// The columns findings point at.
const COLUMNS: [&str; 8] = [
    "id",
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
            columns: PerTable::new(|_| HashMap::new()),
            files: PerTable::new(|t| Arc::from(checked.files[t].as_str())),
            found: Vec::new(),
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
        if self.columns[table].is_empty() {
            for name in COLUMNS {
                if let Some(c) = sheet.column(name) {
                    self.columns[table].insert(name, c);
                }
            }
        }
    }

    /// Looks at one valid row, `line` of `table`; `fact` is a relation's (subject, relation
    /// type, object) as the checker numbers them.
    pub(super) fn record(
        &mut self,
        checked: &Checked,
        table: Table,
        line: u64,
        record: &Record,
        fact: Option<(u32, u32, u32)>,
    ) {
        let at = At {
            checked,
            table,
            line,
        };
        match record {
            Record::Source(s) => self.source(&at, s),
            Record::Actor(a) => self.actor(&at, a),
            Record::Place(p) => {
                self.cite(&at, &p.sources);
            }
            Record::Relation(r) => self.relation(&at, r, fact),
            Record::Event(e) => self.event(&at, e),
            Record::Participation(p) => self.participation(&at, p),
        }
    }

    fn source(&mut self, at: &At<'_>, source: &Source) {
        let criticism = &at.checked.vocabulary.criticism;
        if let Some(i) = at
            .number(&source.id)
            .and_then(|n| self.offset(Table::Sources, n))
        {
            self.tiers[i] = criticism.tiers.get(&source.class).copied();
        }
        if let Some(whole) = &source.part_of {
            self.mark_cited(at, whole);
        }
        if let Some(archive) = &source.archive {
            self.involve(at, archive);
        }
    }

    /// Marks `source` cited; its id number.
    fn mark_cited(&mut self, at: &At<'_>, source: &str) -> Option<u32> {
        let n = at.number(source)?;
        if let Some(i) = self.offset(Table::Sources, n) {
            self.cited[i] = true;
        }
        Some(n)
    }

    fn involve(&mut self, at: &At<'_>, actor: &str) {
        if let Some(i) = at.number(actor).and_then(|n| self.offset(Table::Actors, n)) {
            self.involved[i] = true;
        }
    }

    /// Marks the sources cited; returns the one source cited and its number, if only one is.
    fn cite<'c>(&mut self, at: &At<'_>, citations: &'c [Citation]) -> Option<(&'c str, u32)> {
        let mut only = None;
        let mut one = true;
        for c in citations {
            let n = self.mark_cited(at, &c.source);
            match only {
                None => only = n.map(|n| (c.source.as_str(), n)),
                Some((first, _)) => one &= first == c.source,
            }
        }
        only.filter(|_| one)
    }

    /// Reports a row resting on one tertiary source.
    fn evidence(&mut self, at: &At<'_>, id: &str, citations: &[Citation]) {
        let Some((source, n)) = self.cite(at, citations) else {
            return;
        };
        let tier = self.offset(Table::Sources, n).and_then(|i| self.tiers[i]);
        if tier == Some(Tier::Tertiary) {
            let message = format!(
                "`{id}` rests on one source only, `{source}`, a tertiary one: look for a primary source or a study that confirms it"
            );
            let rows = vec![at.here(self, "sources"), self.entity(at.checked, n, "type")];
            self.push(
                Kind::SingleTertiarySource,
                vec![id.to_owned()],
                rows,
                message,
            );
        }
    }

    fn actor(&mut self, at: &At<'_>, actor: &Named) {
        self.cite(at, &actor.sources);
        let Some(i) = at
            .number(&actor.id)
            .and_then(|n| self.offset(Table::Actors, n))
        else {
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

    fn relation(&mut self, at: &At<'_>, r: &Relation, fact: Option<(u32, u32, u32)>) {
        self.evidence(at, &r.id, &r.sources);
        self.involve(at, &r.subject);
        self.involve(at, &r.object);
        let (Some(rel), Some(s), Some(o)) = (
            at.number(&r.id),
            at.number(&r.subject),
            at.number(&r.object),
        ) else {
            return;
        };
        let Some(fact @ (_, p, _)) = fact else { return };
        if r.certainty == Certainty::Disputed {
            self.disputed.push((fact, rel));
        }
        let criticism = &at.checked.vocabulary.criticism;
        // Terms of the ontology itself (`hkg:coRulerOf`, `hkg:parentOf`).
        if r.predicate == "coRulerOf" {
            self.co_rulers.insert((s.min(o), s.max(o)));
        }
        if r.predicate == "parentOf" {
            self.parents.push((s, o, rel));
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
        for (party, n) in [(&r.subject, s), (&r.object, o)] {
            if posthumous && n == o {
                continue;
            }
            let Some(life) = self.life(n) else { continue };
            let after = span.wholly_after(life.span);
            if !(after || span.wholly_before(life.span)) {
                continue;
            }
            let (kind, when) = match (after, one_holder && n == s) {
                (true, true) => (Kind::OfficeAfterDeath, "after the end of"),
                (true, false) => (Kind::RelationOutsideLife, "after the end of"),
                (false, _) => (Kind::RelationOutsideLife, "before the start of"),
            };
            let message = format!(
                "`{}` ({span}) relates `{party}` ({}) wholly {when} their dates: `{}` {} `{}`",
                r.id, life.span, r.subject, r.predicate, r.object
            );
            let rows = vec![at.here(self, "date"), self.entity(at.checked, n, "dates")];
            self.push(kind, vec![r.id.clone(), party.clone()], rows, message);
        }
        if span.is_day() {
            match self.days.get(&fact) {
                None => {
                    self.days.insert(fact, (rel, span));
                }
                Some(&(first, earlier)) => {
                    if compare_readings(earlier, span) == Readings::Slip {
                        let first_id = at.checked.registry.id(first).to_owned();
                        let message = format!(
                            "`{}` ({span}) and `{first_id}` ({earlier}) give the same relation on days that would be one if one of them were read in the other calendar (Old Style / New Style): check the calendar of each",
                            r.id
                        );
                        let rows = vec![
                            at.here(self, "date"),
                            self.entity(at.checked, first, "date"),
                        ];
                        let mut ids = vec![first_id, r.id.clone()];
                        ids.sort();
                        self.push(Kind::OldStyleSlip, ids, rows, message);
                    }
                }
            }
        }
    }

    fn event(&mut self, at: &At<'_>, e: &Event) {
        self.evidence(at, &e.id, &e.sources);
        let Some(n) = at.number(&e.id) else { return };
        let Some(i) = self.offset(Table::Events, n) else {
            return;
        };
        self.spans[i] = e.date.as_ref().and_then(Span::of);
        let criticism = &at.checked.vocabulary.criticism;
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
        for (targets, answer) in [(&e.about, false), (&e.in_response_to, true)] {
            for target in targets {
                if let Some(told) = at.number(target) {
                    self.links.push(Link {
                        teller: n,
                        told,
                        answer,
                    });
                }
            }
        }
    }

    fn participation(&mut self, at: &At<'_>, p: &Participation) {
        self.involve(at, &p.actor);
        let (Some(event), Some(actor)) = (at.number(&p.event), at.number(&p.actor)) else {
            return;
        };
        let Some(i) = self.offset(Table::Events, event) else {
            return;
        };
        self.attended[i] = true;
        let (Some(span), Some(life)) = (self.spans[i], self.life(actor)) else {
            return;
        };
        let criticism = &at.checked.vocabulary.criticism;
        let dies = self.dying[i].is_some_and(|r| self.deceased[r as usize] == p.role);
        let ids = vec![p.event.clone(), p.actor.clone(), p.role.clone()];
        let rows = |me: &Self| {
            vec![
                at.here(me, "actor"),
                me.entity(at.checked, actor, "dates"),
                me.entity(at.checked, event, "date"),
            ]
        };
        if dies {
            let end = Span {
                lo: life.end_from.unwrap_or(life.span.lo),
                ..life.span
            };
            if life.end_from.is_some() && (span.wholly_after(end) || span.wholly_before(end)) {
                let message = format!(
                    "`{}`'s dates ({}) do not end at the date of their death, `{}` ({span})",
                    p.actor, life.span, p.event
                );
                let rows = rows(self);
                self.push(Kind::DeathDate, ids, rows, message);
            }
            return;
        }
        if criticism.posthumous.contains(&p.role) {
            return;
        }
        let (kind, when) = if span.wholly_after(life.span) {
            (Kind::ParticipantAfterDeath, "after the end of")
        } else if span.wholly_before(life.span) {
            (Kind::ParticipantBeforeBirth, "before the start of")
        } else {
            return;
        };
        let message = format!(
            "`{}` ({}) is {} in `{}` ({span}), wholly {when} their dates",
            p.actor, life.span, p.role, p.event
        );
        let rows = rows(self);
        self.push(kind, ids, rows, message);
    }

    /// Where entity number `n` is declared, at `column` of its table.
    fn entity(&self, checked: &Checked, n: u32, column: &str) -> Row {
        let d = &checked.registry.declared[n as usize];
        Row {
            file: self.files[d.table].clone(),
            line: d.line,
            column: self.columns[d.table].get(column).copied(),
        }
    }

    fn push(&mut self, kind: Kind, ids: Vec<String>, rows: Vec<Row>, message: String) {
        self.found.push(Finding {
            kind,
            ids,
            rows,
            message: message.into_boxed_str(),
            review: None,
            kinds: Vec::new(),
        });
    }
}

/// The row being looked at.
struct At<'a> {
    checked: &'a Checked,
    table: Table,
    line: u64,
}

impl At<'_> {
    fn number(&self, id: &str) -> Option<u32> {
        self.checked.registry.get(id).map(|(n, _)| n)
    }

    /// This row, at `column`.
    fn here(&self, observer: &Observer, column: &str) -> Row {
        Row {
            file: observer.files[self.table].clone(),
            line: self.line,
            column: observer.columns[self.table].get(column).copied(),
        }
    }
}
