//! Source criticism: *findings*, things the data makes doubtful that a historian should look
//! at (a report dated before the event it tells of, an envoy acting after his death, two
//! holders of one throne at once, an assertion resting on one encyclopedia entry).
//!
//! A finding never refuses a dataset (`--strict` makes the command line refuse it). Each has
//! a [`Kind`] with a stable name, the rows involved as `file:line:column`, and a stable id
//! made of its kind and the ids of what it concerns, so that a review of it survives a
//! reordering of the rows. `ingest` observes the rows during its second pass and makes the
//! findings (`ingest::observe`); this module says what a finding is, compares dates and
//! writes the messages. Pure: no I/O.

use crate::dates::{Calendar, Day};
use std::fmt;
use std::sync::Arc;

/// The kinds of findings, each with a stable name `group/what`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An actor takes part in an event wholly after the end of their dates (death).
    ParticipantAfterDeath,
    /// An actor takes part in an event wholly before the start of their dates (birth).
    ParticipantBeforeBirth,
    /// A relation dated wholly outside the dates of one of its actors.
    RelationOutsideLife,
    /// An office or a rule held wholly after the holder's death.
    OfficeAfterDeath,
    /// A report, letter or petition dated wholly before the event it is `about`.
    ReportBeforeEvent,
    /// An instruction, decree or answer dated wholly before what it is `inResponseTo`.
    AnswerBeforePrompt,
    /// Two dates of one fact, or a report and its event, apart by the Old Style / New Style
    /// gap, one of them Julian or of unknown calendar.
    OldStyleSlip,
    /// An actor's dates do not end at the date of the death event that names them.
    DeathDate,
    /// Two holders of an office or a throne that has one holder at a time, with terms that
    /// surely overlap.
    OfficeOverlap,
    /// A person who is their own ancestor through `parentOf`.
    OwnAncestor,
    /// Two spouses one of whom is the other's ancestor through `parentOf`.
    SpouseAncestor,
    /// A disputed assertion that competes with another on the same relation (a note: the
    /// disagreement is recorded, not an error).
    RecordedDisagreement,
    /// An assertion or event resting on one source only, and that one tertiary.
    SingleTertiarySource,
    /// A source no row cites.
    UncitedSource,
    /// An event without participants.
    EventWithoutParticipants,
    /// An actor with no relation and no event.
    IsolatedActor,
    /// An actor, place or event without a label in a language the dataset asks of every
    /// one (`hkg:labelLanguage` in `dataset.ttl`).
    MissingLanguage,
    /// A review in `reviews.csv` of a finding the data no longer gives.
    StaleReview,
}

impl Kind {
    /// Every kind, in the order findings of one row are listed.
    pub const ALL: [Kind; 18] = [
        Kind::ParticipantAfterDeath,
        Kind::ParticipantBeforeBirth,
        Kind::RelationOutsideLife,
        Kind::OfficeAfterDeath,
        Kind::ReportBeforeEvent,
        Kind::AnswerBeforePrompt,
        Kind::OldStyleSlip,
        Kind::DeathDate,
        Kind::OfficeOverlap,
        Kind::OwnAncestor,
        Kind::SpouseAncestor,
        Kind::RecordedDisagreement,
        Kind::SingleTertiarySource,
        Kind::UncitedSource,
        Kind::EventWithoutParticipants,
        Kind::IsolatedActor,
        Kind::MissingLanguage,
        Kind::StaleReview,
    ];

    /// The stable name, `group/what` (`chronology/report-before-event`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::ParticipantAfterDeath => "chronology/participant-after-death",
            Kind::ParticipantBeforeBirth => "chronology/participant-before-birth",
            Kind::RelationOutsideLife => "chronology/relation-outside-life",
            Kind::OfficeAfterDeath => "chronology/office-after-death",
            Kind::ReportBeforeEvent => "chronology/report-before-event",
            Kind::AnswerBeforePrompt => "chronology/answer-before-prompt",
            Kind::OldStyleSlip => "calendar/old-style-slip",
            Kind::DeathDate => "conflict/death-date",
            Kind::OfficeOverlap => "conflict/office-overlap",
            Kind::OwnAncestor => "conflict/own-ancestor",
            Kind::SpouseAncestor => "conflict/spouse-ancestor",
            Kind::RecordedDisagreement => "conflict/recorded-disagreement",
            Kind::SingleTertiarySource => "evidence/single-tertiary-source",
            Kind::UncitedSource => "evidence/uncited-source",
            Kind::EventWithoutParticipants => "evidence/event-without-participants",
            Kind::IsolatedActor => "evidence/isolated-actor",
            Kind::MissingLanguage => "names/missing-language",
            Kind::StaleReview => "review/stale",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How it is shown: a recorded disagreement is a note, everything else a warning.
    pub fn severity(self) -> Severity {
        match self {
            Kind::RecordedDisagreement => Severity::Note,
            _ => Severity::Warning,
        }
    }
}

/// How close a source stands to what it tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// A document of the time.
    Primary,
    /// A study working from primary sources.
    Secondary,
    /// A summary of studies.
    Tertiary,
}

impl Tier {
    /// The concept's local name (`hkg:primary`).
    pub fn name(self) -> &'static str {
        match self {
            Tier::Primary => "primary",
            Tier::Secondary => "secondary",
            Tier::Tertiary => "tertiary",
        }
    }

    /// The tier named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Tier::Primary, Tier::Secondary, Tier::Tertiary]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

/// How a finding is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something to look at (`--strict` refuses it unless reviewed).
    Warning,
    /// Something recorded on purpose, shown for information.
    Note,
}

impl Severity {
    /// `warning` or `note`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A row a finding names: `file:line:column`. The file's name is shared by every row of
/// one table, so that a finding costs little however many the data gives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// The file as the user named it (`data/events.csv`).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u64,
    /// 1-based column (the CSV field), when known.
    pub column: Option<usize>,
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            crate::diagnostics::At(&self.file, self.line, self.column)
        )
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of doubt.
    pub kind: Kind,
    /// The ids of what it concerns, in an order its kind fixes: the stable id is made of them.
    pub ids: Vec<String>,
    /// Every row involved; it is reported at the first.
    pub rows: Vec<Row>,
    /// What is doubtful, naming the ids and the dates compared.
    pub message: Box<str>,
    /// The historian's review of it, from `reviews.csv` (boxed: most findings have none).
    pub review: Option<Box<Review>>,
    /// The kind of entity each id names (`None` for a role), for the graph: an assertion,
    /// event, actor or source it concerns.
    pub kinds: Vec<Option<crate::vocab::Kind>>,
}

/// A historian's verdict on a finding they looked at (a row of `reviews.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// What they concluded.
    pub verdict: Verdict,
    /// Why (required unless the verdict is `open`).
    pub note: Option<String>,
    /// Sources of the review, as `source-id[:locator]`.
    pub sources: Vec<crate::model::Citation>,
    /// The review's row.
    pub at: Row,
}

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// The data is right and the doubt is explained (co-rulers, a posthumous mention, ...).
    Explained,
    /// The doubt is real and lies in the source, which the data records as it is.
    ErrorInSource,
    /// Looked at, not settled.
    Open,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 3] = [Verdict::Explained, Verdict::ErrorInSource, Verdict::Open];

    /// The name in `reviews.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Explained => "explained",
            Verdict::ErrorInSource => "error-in-source",
            Verdict::Open => "open",
        }
    }

    /// The verdict named `name`.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The concept's local name in the ontology (`hkg:errorInSource`).
    pub fn term(self) -> &'static str {
        match self {
            Verdict::Explained => "explained",
            Verdict::ErrorInSource => "errorInSource",
            Verdict::Open => "open",
        }
    }

    /// Whether a finding with this verdict is settled: `--strict` lets it pass.
    pub fn settles(self) -> bool {
        self != Verdict::Open
    }
}

impl Finding {
    /// The stable id: the kind's name and the ids, `chronology/report-before-event/a/b`.
    pub fn id(&self) -> String {
        let mut id = self.kind.name().to_owned();
        for part in &self.ids {
            id.push('/');
            id.push_str(part);
        }
        id
    }
}

impl Finding {
    /// The entities it concerns, with their kinds.
    pub fn concerns(&self) -> impl Iterator<Item = (crate::vocab::Kind, &str)> {
        (self.kinds.iter().zip(&self.ids)).filter_map(|(k, id)| Some(((*k)?, id.as_str())))
    }

    /// Whether `--strict` refuses it: a warning that no review settles.
    pub fn blocks(&self) -> bool {
        self.kind.severity() == Severity::Warning
            && !self.review.as_ref().is_some_and(|r| r.verdict.settles())
    }
}

impl fmt::Display for Finding {
    /// `file:line:column: warning: message [other rows] (id)`, the id starting with the
    /// kind's name; a reviewed finding says `reviewed as VERDICT` instead of `warning` and
    /// ends with the review's note and row.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, rest) = self.rows.split_first().expect("a finding names a row");
        match &self.review {
            None => write!(f, "{first}: {}: ", self.kind.severity().name())?,
            Some(r) => write!(f, "{first}: reviewed as {}: ", r.verdict.name())?,
        }
        f.write_str(&self.message)?;
        if !rest.is_empty() {
            let rest: Vec<String> = rest.iter().map(ToString::to_string).collect();
            write!(f, " [{}]", rest.join(", "))?;
        }
        write!(f, " ({})", self.id())?;
        if let Some(r) = &self.review {
            match &r.note {
                Some(note) => write!(f, "; review: {note} [{}]", r.at)?,
                None => write!(f, "; review [{}]", r.at)?,
            }
        }
        Ok(())
    }
}

/// What the Gregorian bounds of a date are, as day numbers ([`Day::number`]), with its
/// calendar; an open end is `i32::MIN` or `i32::MAX`. Compact: the observer keeps one per
/// actor and per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Earliest day.
    pub lo: i32,
    /// Latest day.
    pub hi: i32,
    /// The calendar it was written in.
    pub calendar: Calendar,
}

impl Span {
    /// The span of a parsed date; `None` when both ends are open.
    pub fn of(date: &crate::dates::DateValue) -> Option<Span> {
        let span = Span {
            lo: date.not_before.map_or(i32::MIN, day_number),
            hi: date.not_after.map_or(i32::MAX, day_number),
            calendar: date.calendar,
        };
        (span.lo != i32::MIN || span.hi != i32::MAX).then_some(span)
    }

    /// True when every day of this span is after every day of `other`.
    pub fn wholly_after(self, other: Span) -> bool {
        other.hi != i32::MAX && self.lo != i32::MIN && self.lo > other.hi
    }

    /// True when every day of this span is before every day of `other`.
    pub fn wholly_before(self, other: Span) -> bool {
        other.wholly_after(self)
    }

    /// Days from the end of this span to the start of `other` (positive when `other` is
    /// later), when both ends are known.
    pub fn days_until(self, other: Span) -> Option<i64> {
        (self.hi != i32::MAX && other.lo != i32::MIN)
            .then(|| i64::from(other.lo) - i64::from(self.hi))
    }

    /// True when the span is one day as written: one Gregorian day for a known calendar, the
    /// two readings of one written day for an unknown one.
    pub fn is_day(self) -> bool {
        match self.calendar {
            Calendar::Unknown => {
                self.lo != i32::MIN && i64::from(self.hi) - i64::from(self.lo) == style_gap(self.lo)
            }
            _ => self.lo == self.hi,
        }
    }

    /// The possible Gregorian days of a one-day span: one for a known calendar, both
    /// readings for an unknown one.
    fn readings(self) -> Vec<i32> {
        if self.calendar == Calendar::Unknown {
            vec![self.lo, self.hi]
        } else {
            vec![self.lo]
        }
    }

    /// The Gregorian day a one-day span would be if its calendar were the other one (none
    /// for an unknown calendar, whose readings are both in [`Span::readings`]).
    fn misread(self) -> Option<i32> {
        let gap = i32::try_from(style_gap(self.lo)).ok()?;
        match self.calendar {
            // Written New Style: the same figures read Old Style fall `gap` days later.
            Calendar::Gregorian => self.lo.checked_add(gap),
            Calendar::Julian => self.lo.checked_sub(gap),
            Calendar::Unknown => None,
        }
    }
}

impl fmt::Display for Span {
    /// The dates compared: `1741-08-20`, `1741-08-09 O.S. = 1741-08-20`, or Gregorian bounds
    /// `1741-01-01/1741-12-31` (`..` for an open end).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |n: i32| Day::from_number(i64::from(n));
        let end = |n: i32, open: i32| {
            if n == open {
                "..".to_owned()
            } else {
                day(n).to_string()
            }
        };
        if self.lo == self.hi {
            let d = day(self.lo);
            return match self.calendar {
                Calendar::Julian => {
                    let (y, m, dd) = d.julian();
                    write!(f, "{y:04}-{m:02}-{dd:02} O.S. = {d}")
                }
                _ => write!(f, "{d}"),
            };
        }
        if self.is_day() {
            let d = day(self.lo);
            return write!(f, "{d} O.S. or N.S., {d}/{}", day(self.hi));
        }
        write!(f, "{}/{}", end(self.lo, i32::MIN), end(self.hi, i32::MAX))
    }
}

/// A day's number ([`Day::number`]) in the 4 bytes a [`Span`] keeps: EDTF years (±9999)
/// fit.
pub fn day_number(day: Day) -> i32 {
    i32::try_from(day.number()).expect("EDTF years fit")
}

/// Days between the calendars at `day` (a day number): how far the Julian calendar is behind
/// the Gregorian (11 days from March 1700 to February 1800).
pub fn style_gap(day: i32) -> i64 {
    let d = Day::from_number(i64::from(day));
    let (y, m, dd) = d.julian();
    d.number()
        - Day {
            year: y,
            month: m,
            day: dd,
        }
        .number()
}

/// How two one-day dates of one fact compare across calendars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readings {
    /// They can denote the same day as recorded (or are not both one day).
    Agree,
    /// They would be the same day if one of them were read in the other calendar; one of them
    /// is Julian or of unknown calendar.
    Slip,
    /// They differ otherwise.
    Differ,
}

/// Compares two dates given for one fact.
pub fn compare_readings(a: Span, b: Span) -> Readings {
    if !(a.is_day() && b.is_day()) {
        return Readings::Agree;
    }
    let (ra, rb) = (a.readings(), b.readings());
    if ra.iter().any(|d| rb.contains(d)) {
        return Readings::Agree;
    }
    let old_style = |s: Span| s.calendar != Calendar::Gregorian;
    let slip = a.misread().is_some_and(|d| rb.contains(&d))
        || b.misread().is_some_and(|d| ra.contains(&d));
    if slip && (old_style(a) || old_style(b)) {
        Readings::Slip
    } else {
        Readings::Differ
    }
}

/// Whether a date `teller` dated wholly before `told` may be a calendar slip: the
/// contradiction is no longer than the gap between the calendars, and one of the two is
/// Julian or of unknown calendar.
pub fn slip_explains(teller: Span, told: Span) -> bool {
    let Some(days) = teller.days_until(told) else {
        return false;
    };
    days > 0
        && days <= style_gap(told.lo)
        && (teller.calendar != Calendar::Gregorian || told.calendar != Calendar::Gregorian)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse;

    fn span(text: &str, calendar: Calendar) -> Span {
        Span::of(&parse(text, calendar).unwrap()).unwrap()
    }

    #[test]
    fn kinds_have_unique_names_that_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        let mut names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len());
    }

    #[test]
    fn the_gap_is_eleven_days_in_the_eighteenth_century() {
        assert_eq!(style_gap(span("1741-08-26", Calendar::Gregorian).lo), 11);
        assert_eq!(style_gap(span("1650-01-01", Calendar::Gregorian).lo), 10);
    }

    #[test]
    fn the_same_day_in_two_calendars_agrees_and_a_misread_one_slips() {
        let os = span("1741-08-09", Calendar::Julian);
        let ns = span("1741-08-20", Calendar::Gregorian);
        assert_eq!(compare_readings(os, ns), Readings::Agree);
        // The Old Style figures taken as New Style.
        let misread = span("1741-08-09", Calendar::Gregorian);
        assert_eq!(compare_readings(os, misread), Readings::Slip);
        // Both New Style and 11 days apart: nothing says a calendar was confused.
        assert_eq!(
            compare_readings(ns, span("1741-08-31", Calendar::Gregorian)),
            Readings::Differ
        );
        let unknown = span("1741-08-09", Calendar::Unknown);
        assert!(unknown.is_day());
        assert_eq!(compare_readings(unknown, ns), Readings::Agree);
        assert_eq!(
            compare_readings(unknown, span("1741-08-31", Calendar::Julian)),
            Readings::Differ
        );
        // A year is no day: nothing to compare.
        assert_eq!(
            compare_readings(span("1741", Calendar::Gregorian), ns),
            Readings::Agree
        );
    }

    #[test]
    fn spans_print_the_dates_compared() {
        assert_eq!(
            span("1741-08-20", Calendar::Gregorian).to_string(),
            "1741-08-20"
        );
        assert_eq!(
            span("1741-08-09", Calendar::Julian).to_string(),
            "1741-08-09 O.S. = 1741-08-20"
        );
        assert_eq!(
            span("1741-08-09", Calendar::Unknown).to_string(),
            "1741-08-09 O.S. or N.S., 1741-08-09/1741-08-20"
        );
        assert_eq!(
            span("1741", Calendar::Gregorian).to_string(),
            "1741-01-01/1741-12-31"
        );
        assert_eq!(
            span("1741/..", Calendar::Gregorian).to_string(),
            "1741-01-01/.."
        );
    }

    #[test]
    fn wholly_before_needs_both_ends() {
        let year = span("1741", Calendar::Gregorian);
        let later = span("1742-03", Calendar::Gregorian);
        assert!(year.wholly_before(later));
        assert!(!later.wholly_before(year));
        let open = span("../1741-06", Calendar::Gregorian);
        assert!(!later.wholly_before(open));
        assert!(open.wholly_before(later));
        // 1741 O.S. or N.S. overlaps the first days of 1742.
        let unknown = span("1741", Calendar::Unknown);
        assert!(!unknown.wholly_before(span("1742-01-05", Calendar::Gregorian)));
    }
}
