//! Property tests (proptest): ids to IRIs, EDTF dates, CSV tables through `histkg build` and
//! every export format back to the same graph, and arbitrary input through the ingest and
//! the HTTP handler, which must answer it without panicking.
//!
//! `cargo test --release --test properties`. Pure properties run proptest's default 256
//! cases, the ones that build stores fewer; `PROPTEST_CASES=N` sets every one. A failure
//! prints the smallest input proptest could shrink it to and records its seed in
//! `tests/properties.proptest-regressions`, which is replayed first on the next run; the
//! bugs found so far are also kept as named tests at the end of this file.

mod common;

use common::{BIN, root};
use histkg::dates::{self, Calendar, Day};
use histkg::ingest;
use histkg::ingest::table::ColumnSpec;
use histkg::mapping::Mapper;
use histkg::model::Record;
use histkg::vocab::{Iris, Kind, MAX_ID_LEN, is_slug};
use oxhttp::model::{Body, HeaderName, HeaderValue, Method, Request, StatusCode};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, NamedNode, Term, Triple};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::collections::BTreeSet;
use std::fs;
use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BASE: &str = "https://example.org/histkg/";

/// Proptest's configuration with `cases` cases (`None`: proptest's default, 256), or as many
/// as `PROPTEST_CASES` says, recording failures in `tests/properties.proptest-regressions`.
fn config(cases: Option<u32>) -> Config {
    let default = Config::default();
    let cases = match cases {
        Some(n) if std::env::var_os("PROPTEST_CASES").is_none() => n,
        _ => default.cases,
    };
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // A failing round trip builds a store per shrinking step: give up shrinking after a
        // minute rather than run for tens of minutes.
        max_shrink_time: 60_000,
        ..default
    }
}

// ---------------------------------------------------------------------------------------
// Ids and IRIs
// ---------------------------------------------------------------------------------------

/// Slugs of every shape `is_slug` accepts, up to the longest.
fn slug() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,5}",
        "[a-z0-9]{1,39}-[a-z0-9]{1,40}",
        "[a-z0-9]{80}",
    ]
}

/// Slugs from a tiny alphabet, so that two of them are often equal.
fn small_slug() -> impl Strategy<Value = String> {
    "[ab]{1,2}(-[ab]{1,2}){0,1}"
}

fn kind() -> impl Strategy<Value = Kind> {
    select(Kind::ALL.to_vec())
}

/// Base IRIs as `void:uriSpace` may give them (ending in `/` or `#`).
fn base() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(BASE.to_owned()),
        "https://[a-z]{1,8}\\.org/([a-z0-9]{1,6}/){0,3}",
        "http://example\\.org/[a-z]{1,6}#",
        "urn:uuid:[0-9a-f]{8}/",
    ]
}

/// Any string, biased towards the ones that look like ids.
fn any_id() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9 ./#:>_A-Z-]{0,90}",
        slug(),
        slug().prop_map(|s| format!(" {s}")),
        slug().prop_map(|s| s.to_uppercase()),
        // Near misses whose only defect is a hyphen in the wrong place or the length.
        slug().prop_map(|s| format!("{s}-")),
        slug().prop_map(|s| format!("-{s}")),
        (slug(), slug()).prop_map(|(a, b)| format!("{a}--{b}")),
        "[a-z0-9]{80,82}",
    ]
}

/// A character no slug may contain.
fn unsafe_char() -> impl Strategy<Value = char> {
    prop_oneof![
        select(vec![
            '>', '<', ' ', '/', '#', ':', '?', '%', '"', '\\', '\t', '\n', '\r', '.', '_', '{',
            '}', '|', '^', '`', '@', '\0', '\u{a0}', '\u{2011}', '\u{ff0d}',
        ]),
        proptest::char::range('A', 'Z'),
        any::<char>().prop_filter("non-ASCII", |c| !c.is_ascii()),
    ]
}

/// The rule the README documents, written independently of `is_slug`.
fn documented_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

proptest! {
    #![proptest_config(config(None))]

    #[test]
    fn slug_ids_make_valid_iris_that_parse_back(base in base(), kind in kind(), id in slug()) {
        prop_assert!(is_slug(&id), "{id}");
        let iris = Iris::new(&base).unwrap();
        let iri = iris.entity(kind, &id);
        NamedNode::new(iri.as_str())
            .map_err(|e| TestCaseError::fail(format!("{iri} is not a valid IRI: {e}")))?;
        prop_assert_eq!(iris.parse_entity(iri.as_str()), Some((kind, id.clone())));
        // A qualified derivation hangs off the entity: a valid IRI, and never an entity.
        let derivation = iris.derivation(&iri, &id);
        prop_assert!(NamedNode::new(derivation.as_str()).is_ok(), "{derivation}");
        prop_assert_eq!(iris.parse_entity(derivation.as_str()), None);
    }

    #[test]
    fn distinct_ids_make_distinct_iris(
        // Equal pairs are rare when drawn independently: a quarter of the cases are equal.
        (a, b) in prop_oneof![
            3 => ((kind(), small_slug()), (kind(), small_slug())),
            1 => (kind(), small_slug()).prop_map(|a| (a.clone(), a)),
        ]
    ) {
        let iris = Iris::new(BASE).unwrap();
        let (ia, ib) = (iris.entity(a.0, &a.1), iris.entity(b.0, &b.1));
        prop_assert_eq!(ia == ib, a == b, "{} {}", ia, ib);
        let (da, db) = (iris.derivation(&ia, &b.1), iris.derivation(&ib, &a.1));
        prop_assert_eq!(da == db, a == b, "{} {}", da, db);
    }

    #[test]
    fn is_slug_follows_the_documented_rule(id in any_id()) {
        prop_assert_eq!(is_slug(&id), documented_slug(&id), "{:?}", id);
        if is_slug(&id) {
            let iri = Iris::new(BASE).unwrap().entity(Kind::Actor, &id);
            prop_assert!(NamedNode::new(iri.as_str()).is_ok(), "{iri}");
        }
    }

    #[test]
    fn is_slug_refuses_unsafe_characters(
        before in "[a-z0-9-]{0,10}",
        bad in unsafe_char(),
        after in "[a-z0-9-]{0,10}",
    ) {
        let id = format!("{before}{bad}{after}");
        prop_assert!(!is_slug(&id), "{:?}", id);
    }
}

/// Where an unsafe id goes in [`ingest_refuses_unsafe_ids`].
#[derive(Debug, Clone, Copy)]
enum IdPlace {
    /// A new row of `actors.csv` with this id.
    ActorId,
    /// A row of `participants.csv` naming this actor.
    ParticipantActor,
    /// A row of `relations.csv` with this object.
    RelationObject,
    /// An event's `place`.
    EventPlace,
}

proptest! {
    #![proptest_config(config(Some(64)))]

    /// No string that `is_slug` refuses (once the ingest has trimmed the cell) becomes an
    /// IRI: the ingest refuses the whole dataset, whatever column the id is in.
    #[test]
    fn ingest_refuses_unsafe_ids(
        id in any_id().prop_filter("a slug once trimmed", |id| !is_slug(id.trim())),
        at in select(vec![IdPlace::ActorId, IdPlace::ParticipantActor, IdPlace::RelationObject, IdPlace::EventPlace]),
    ) {
        // An empty optional cell means "not known".
        prop_assume!(!(matches!(at, IdPlace::EventPlace) && id.trim().is_empty()));
        let mut data = fixed_dataset();
        let (table, line) = match at {
            IdPlace::ActorId => {
                data.actors.push(row(&[("id", id.as_str()), ("type", "Person"), ("label_en", "X"), ("label_ru", "Х"), ("sources", "s0")]));
                ("actors.csv", data.actors.len() + 1)
            }
            IdPlace::ParticipantActor => {
                data.participants.push(row(&[("event", "e0"), ("actor", id.as_str()), ("role", "agent")]));
                ("participants.csv", data.participants.len() + 1)
            }
            IdPlace::RelationObject => {
                data.relations.push(row(&[("id", "r9"), ("subject", "a0"), ("predicate", "supported"), ("object", id.as_str()), ("sources", "s0")]));
                ("relations.csv", data.relations.len() + 1)
            }
            IdPlace::EventPlace => {
                data.events[0].retain(|(c, _)| *c != "place");
                data.events[0].push(("place", id.clone()));
                ("events.csv", 2)
            }
        };
        let dir = tempfile::tempdir().unwrap();
        data.write(dir.path());
        let Err(invalid) = ingest::check(dir.path()) else {
            return Err(TestCaseError::fail(format!("{id:?} in {table} was accepted")));
        };
        let file = dir.path().join(table).display().to_string();
        prop_assert!(
            invalid.0.iter().any(|d| d.location.file == file && d.location.line == line as u64),
            "no problem reported at {}:{}: {}", file, line, invalid
        );
    }
}

// ---------------------------------------------------------------------------------------
// EDTF dates
// ---------------------------------------------------------------------------------------

fn calendar() -> impl Strategy<Value = Calendar> {
    select(vec![
        Calendar::Julian,
        Calendar::Gregorian,
        Calendar::Unknown,
    ])
}

/// Pieces of EDTF and of things that are almost EDTF.
const DATE_PIECES: &[&str] = &[
    "1741",
    "0000",
    "-0001",
    "9999",
    "-9999",
    "174X",
    "17XX",
    "1XXX",
    "-",
    "--",
    "/",
    "//",
    "..",
    "?",
    "~",
    "%",
    "X",
    "XX",
    "00",
    "01",
    "02",
    "12",
    "13",
    "20",
    "21",
    "24",
    "25",
    "28",
    "29",
    "30",
    "31",
    "32",
    "99",
    "T",
    "T10:00:00",
    ":",
    "Z",
    "+",
    "+05:30",
    "Y",
    "Y12345",
    "Y-170000",
    "E",
    "S",
    "[",
    "]",
    "{",
    "}",
    ",",
    " ",
    "\t",
    "é",
    "١٧٤١",
    "１７４１",
    "\u{0}",
    "\u{301}",
    "🐎",
];

/// Arbitrary text, biased towards EDTF-like strings, with some very long ones.
fn date_soup() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => vec(select(DATE_PIECES), 0..14).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => ("[0-9X?~%/.-]{0,3}", 0usize..5000, select(DATE_PIECES))
            .prop_map(|(head, n, piece)| format!("{head}{}", piece.repeat(n))),
        1 => "\\PC{0,2000}",
    ]
}

/// How a generated valid date is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Year,
    Decade,
    Century,
    Month,
    Season(u8),
    Day,
    MonthUnspecified,
    DayUnspecified,
    MonthAndDayUnspecified,
}

/// A valid EDTF date (one end of an interval) of years 1000-2000, with days valid in the
/// proleptic Gregorian calendar (the `edtf` crate checks days against it, so Julian leap
/// days of centuries such as 1700-02-29 are refused: a documented limitation).
#[derive(Debug, Clone)]
struct GenDate {
    year: i32,
    month: u8,
    day: u8,
    shape: Shape,
    qualifier: &'static str,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A valid date of 1000-2000, or (half the time) of 1741-1742, so that two dates drawn
/// independently often fall close together (the edges of intervals).
fn gen_date() -> impl Strategy<Value = GenDate> {
    prop_oneof![gen_date_in(1000..=2000), gen_date_in(1741..=1742)]
}

fn gen_date_in(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = GenDate> {
    (years, 1u8..=12, any::<Index>())
        .prop_flat_map(|(year, month, day)| {
            let day = 1 + day.index(usize::from(days_in_month(year, month))) as u8;
            let shape = select(vec![
                Shape::Year,
                Shape::Decade,
                Shape::Century,
                Shape::Month,
                Shape::Season(21),
                Shape::Season(22),
                Shape::Season(23),
                Shape::Season(24),
                Shape::Day,
                Shape::MonthUnspecified,
                Shape::DayUnspecified,
                Shape::MonthAndDayUnspecified,
            ]);
            (
                Just(year),
                Just(month),
                Just(day),
                shape,
                select(vec!["", "?", "~", "%"]),
            )
        })
        .prop_map(|(year, month, day, shape, qualifier)| GenDate {
            year,
            month,
            day,
            shape,
            qualifier,
        })
}

impl GenDate {
    fn text(&self) -> String {
        let (y, m, d) = (self.year, self.month, self.day);
        let body = match self.shape {
            Shape::Year => format!("{y:04}"),
            Shape::Decade => format!("{:03}X", y / 10),
            Shape::Century => format!("{:02}XX", y / 100),
            Shape::Month => format!("{y:04}-{m:02}"),
            Shape::Season(s) => format!("{y:04}-{s}"),
            Shape::Day => format!("{y:04}-{m:02}-{d:02}"),
            Shape::MonthUnspecified => format!("{y:04}-XX"),
            Shape::DayUnspecified => format!("{y:04}-{m:02}-XX"),
            Shape::MonthAndDayUnspecified => format!("{y:04}-XX-XX"),
        };
        format!("{body}{}", self.qualifier)
    }

    /// The first day it can denote, read as Gregorian and without widening.
    fn first_day(&self) -> Day {
        let (y, m, d) = (self.year, self.month, self.day);
        let (year, month, day) = match self.shape {
            Shape::Year | Shape::MonthUnspecified | Shape::MonthAndDayUnspecified => (y, 1, 1),
            Shape::Decade => (y - y % 10, 1, 1),
            Shape::Century => (y - y % 100, 1, 1),
            Shape::Month | Shape::DayUnspecified => (y, m, 1),
            Shape::Season(s) => (y, [3, 6, 9, 12][usize::from(s - 21)], 1),
            Shape::Day => (y, m, d),
        };
        Day { year, month, day }
    }

    /// The last day it can denote, read as Gregorian and without widening.
    fn last_day(&self) -> Day {
        let (y, m, d) = (self.year, self.month, self.day);
        let end_of = |year: i32, month: u8| Day {
            year,
            month,
            day: days_in_month(year, month),
        };
        match self.shape {
            Shape::Year | Shape::MonthUnspecified | Shape::MonthAndDayUnspecified => end_of(y, 12),
            Shape::Decade => end_of(y - y % 10 + 9, 12),
            Shape::Century => end_of(y - y % 100 + 99, 12),
            Shape::Month | Shape::DayUnspecified => end_of(y, m),
            Shape::Season(24) => end_of(y + 1, 2),
            Shape::Season(s) => end_of(y, [5, 8, 11][usize::from(s - 21)]),
            Shape::Day => Day {
                year: y,
                month: m,
                day: d,
            },
        }
    }

    /// Widened by `~` or `%`.
    fn approximate(&self) -> bool {
        matches!(self.qualifier, "~" | "%")
    }
}

/// A valid EDTF value: a date, an interval with its ends in order, or an open interval.
#[derive(Debug, Clone)]
enum GenValue {
    Date(GenDate),
    Interval(GenDate, GenDate),
    OpenStart(GenDate),
    OpenEnd(GenDate),
    UnknownEnd(GenDate),
}

fn gen_value() -> impl Strategy<Value = GenValue> {
    prop_oneof![
        2 => gen_date().prop_map(GenValue::Date),
        2 => (gen_date(), gen_date()).prop_map(|(a, b)| {
            if a.first_day() <= b.first_day() {
                GenValue::Interval(a, b)
            } else {
                GenValue::Interval(b, a)
            }
        }),
        1 => gen_date().prop_map(GenValue::OpenStart),
        1 => gen_date().prop_map(GenValue::OpenEnd),
        1 => gen_date().prop_map(GenValue::UnknownEnd),
    ]
}

impl GenValue {
    fn text(&self) -> String {
        match self {
            GenValue::Date(d) => d.text(),
            GenValue::Interval(a, b) => format!("{}/{}", a.text(), b.text()),
            GenValue::OpenStart(d) => format!("../{}", d.text()),
            GenValue::OpenEnd(d) => format!("{}/..", d.text()),
            GenValue::UnknownEnd(d) => format!("{}/", d.text()),
        }
    }

    /// The ends whose bounds a parse gives (start, end).
    fn ends(&self) -> (Option<&GenDate>, Option<&GenDate>) {
        match self {
            GenValue::Date(d) => (Some(d), Some(d)),
            GenValue::Interval(a, b) => (Some(a), Some(b)),
            GenValue::OpenStart(d) => (None, Some(d)),
            GenValue::OpenEnd(d) | GenValue::UnknownEnd(d) => (Some(d), None),
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian day (Howard Hinnant's `days_from_civil`),
/// independent of `histkg::dates`.
fn day_number(d: Day) -> i64 {
    let (m, day) = (i64::from(d.month), i64::from(d.day));
    let y = i64::from(d.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

proptest! {
    #![proptest_config(config(None))]

    #[test]
    fn date_parsing_never_panics_and_orders_its_bounds(text in date_soup(), calendar in calendar()) {
        match dates::parse(&text, calendar) {
            Ok(d) => {
                prop_assert_eq!(&d.edtf, &text);
                prop_assert_eq!(d.calendar, calendar);
                prop_assert!(d.not_before.is_some() || d.not_after.is_some(), "{:?}", d);
                if let (Some(lo), Some(hi)) = (d.not_before, d.not_after) {
                    prop_assert!(lo <= hi, "{text:?} in {calendar:?}: {lo} > {hi}");
                }
            }
            // Messages go after `file:line:column:` on one line and stay short.
            Err(e) => {
                let e = e.to_string();
                prop_assert!(!e.contains(['\n', '\r']) && e.chars().count() < 400, "{text:?}: {e}")
            }
        }
    }

    #[test]
    fn valid_dates_parse_with_their_bounds(value in gen_value()) {
        let text = value.text();
        let parse = |calendar| {
            dates::parse(&text, calendar)
                .map_err(|e| TestCaseError::fail(format!("{text} in {calendar:?}: {e}")))
        };
        let (gregorian, julian, unknown) =
            (parse(Calendar::Gregorian)?, parse(Calendar::Julian)?, parse(Calendar::Unknown)?);
        let (start, end) = value.ends();
        for d in [&gregorian, &julian, &unknown] {
            prop_assert_eq!(d.not_before.is_some(), start.is_some(), "{}", text);
            prop_assert_eq!(d.not_after.is_some(), end.is_some(), "{}", text);
            if let (Some(lo), Some(hi)) = (d.not_before, d.not_after) {
                prop_assert!(lo <= hi, "{text} in {:?}: {lo} > {hi}", d.calendar);
            }
        }
        // Read as Gregorian, an exact date's bounds are its first and last day; widening
        // only moves them outwards.
        if let Some(a) = start {
            let lo = gregorian.not_before.unwrap();
            prop_assert!(lo <= a.first_day(), "{text}: {lo}");
            prop_assert!(a.approximate() || lo == a.first_day(), "{text}: {lo}");
        }
        if let Some(b) = end {
            let hi = gregorian.not_after.unwrap();
            prop_assert!(hi >= b.last_day(), "{text}: {hi}");
            prop_assert!(b.approximate() || hi == b.last_day(), "{text}: {hi}");
        }
        // The Julian calendar runs behind: 5 days in January 1000, 13 in 2000; approximate
        // dates widened to 900 or 2199 make it 4 to 14. Its bounds are that much later,
        // counted by an independent day count.
        for (j, g) in [
            (julian.not_before, gregorian.not_before),
            (julian.not_after, gregorian.not_after),
        ] {
            if let (Some(j), Some(g)) = (j, g) {
                let gap = day_number(j) - day_number(g);
                prop_assert!((4..=14).contains(&gap), "{text}: Julian {j}, Gregorian {g}: {gap} days");
            }
        }
        // An unknown calendar covers both readings, and no more.
        prop_assert_eq!(unknown.not_before, gregorian.not_before, "{}", text);
        prop_assert_eq!(unknown.not_after, julian.not_after, "{}", text);
    }
}

proptest! {
    #![proptest_config(config(None))]

    /// `a/b` is refused as inverted exactly when `a` (read as certain) starts after `b` ends.
    #[test]
    fn intervals_are_refused_exactly_when_inverted(a in gen_date(), b in gen_date(), calendar in calendar()) {
        let text = format!("{}/{}", a.text(), b.text());
        let inverted = a.first_day() > b.last_day();
        match dates::parse(&text, calendar) {
            Ok(_) => prop_assert!(!inverted, "{} was accepted", text),
            Err(e) => prop_assert!(inverted && e.to_string().contains("inverted"), "{}: {}", text, e),
        }
    }

    /// A day past the end of its month is refused, and the message says how long the month is.
    #[test]
    fn impossible_days_say_how_long_the_month_is(
        // Half the years are the century years that are leap years only in the Julian
        // calendar, where 29 February takes the other branch.
        (year, month, day) in (
            prop_oneof![1000i32..=2000, select(vec![1100, 1300, 1400, 1500, 1700, 1800, 1900])],
            select(vec![2u8, 4, 6, 9, 11]),
        ).prop_flat_map(
            |(year, month)| (Just(year), Just(month), days_in_month(year, month) + 1..=31)
        ),
        calendar in calendar(),
    ) {
        let days = days_in_month(year, month);
        let text = format!("{year:04}-{month:02}-{day:02}");
        let e = dates::parse(&text, calendar).unwrap_err().to_string();
        let julian_leap_day = month == 2 && day == 29 && year % 4 == 0;
        if julian_leap_day && calendar != Calendar::Gregorian {
            prop_assert!(e.contains("exists only in the Julian calendar"), "{}: {}", text, e);
        } else {
            prop_assert!(e.ends_with(&format!(" {year} has {days} days")), "{}: {}", text, e);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Datasets in the CSV schema
// ---------------------------------------------------------------------------------------

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
            let mut w = csv::Writer::from_path(dir.join(name)).unwrap();
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

/// Pieces of cell text: what CSV, Turtle, N-Triples, RDF/XML and JSON-LD must escape, and
/// the scripts of the sources.
const TEXT_PIECES: &[&str] = &[
    "Abulkhair",
    "a",
    " ",
    "  ",
    "\"",
    "\"\"",
    "\\",
    "\\n",
    "\\u0041",
    "\n",
    "\r\n",
    "\t",
    "'",
    "<",
    ">",
    "&",
    "&amp;",
    "]]>",
    "<!--",
    "{",
    "}",
    "@",
    "@en",
    "#",
    "%",
    "%20",
    ",",
    ";",
    ":",
    ".",
    "_:b0",
    "<http://x/>",
    "^^",
    "@context",
    "?x",
    "Дарма-Бала",
    "Әбілқайыр хан",
    "噶爾丹策零",
    "ᠵᠡᠭᠦᠨ ᠭᠠᠷ",
    "عثمانلی",
    "עברית",
    "🐎",
    "e\u{301}",
    "\u{200b}",
    "\u{a0}",
    "\u{2028}",
    "\u{feff}",
    "1741",
    "\u{7f}",
    "\u{85}",
    "\u{fdd0}",
    // A list separator, kept in plain text cells (`item` replaces it in list items).
    "|",
];

/// Text for a cell that is required: never empty once trimmed.
fn text() -> impl Strategy<Value = String> {
    vec(select(TEXT_PIECES), 1..6).prop_map(|pieces| {
        let t = pieces.concat();
        if t.trim().is_empty() {
            format!("{t}x")
        } else {
            t
        }
    })
}

/// Text for an item of a `|`-separated list.
fn item() -> impl Strategy<Value = String> {
    text().prop_map(|t| t.replace('|', "/"))
}

fn language() -> impl Strategy<Value = &'static str> {
    select(vec![
        "en",
        "ru",
        "kk",
        "xal",
        "ota",
        "zh",
        "ru-Latn",
        "zh-Hans",
        "de-CH-1901",
    ])
}

/// `text@lang | text@lang`.
fn lang_list() -> impl Strategy<Value = String> {
    vec((item(), language()), 0..3).prop_map(|items| {
        items
            .iter()
            .map(|(t, l)| format!("{t}@{l}"))
            .collect::<Vec<_>>()
            .join(" | ")
    })
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    proptest::option::weighted(0.5, s)
}

/// Decimal degrees of every shape the ingest accepts: `43.25`, `-0.5`, `.5`, `5.`, `5`.
fn degrees(limit: u32) -> impl Strategy<Value = String> {
    (any::<bool>(), 0..limit, 0u32..1000, 0usize..5).prop_map(|(negative, i, f, shape)| {
        let sign = if negative { "-" } else { "" };
        match shape {
            0 => format!("{sign}{i}.{f}"),
            1 => format!("{sign}.{f}"),
            2 => format!("{sign}{i}."),
            3 => format!("{sign}{i}"),
            _ => format!("{sign}{i:03}.{f:03}"),
        }
    })
}

/// A date cell and its calendar cell.
fn date_cells() -> impl Strategy<Value = Option<(String, &'static str)>> {
    opt((
        gen_value().prop_map(|v| v.text()),
        select(vec!["", "julian", "gregorian"]),
    ))
}

/// Raw material for a row; references are indexes, resolved when the dataset is assembled.
#[derive(Debug, Clone)]
struct GenSource {
    slug: String,
    class: &'static str,
    citation: String,
    title: Option<String>,
    creators: Vec<String>,
    issued: Option<String>,
    url: Option<String>,
    doi: Option<String>,
    part_of: Option<Index>,
    archive: Option<Index>,
    shelfmark: [Option<String>; 4],
    language: Option<&'static str>,
    note: Option<String>,
}

#[derive(Debug, Clone)]
struct GenNamed {
    slug: String,
    class_index: Index,
    en: String,
    ru: String,
    labels: String,
    alt_labels: String,
    dates: Option<(String, &'static str)>,
    description: Option<String>,
    wikidata: Option<String>,
    coordinates: Option<(String, String)>,
    part_of: Option<Index>,
    sources: Vec<(Index, Option<String>)>,
}

#[derive(Debug, Clone)]
struct GenRelation {
    slug: String,
    subject: Index,
    predicate: &'static str,
    object: Index,
    object_is_place: bool,
    date: Option<(String, &'static str)>,
    date_as_written: Option<String>,
    place: Option<Index>,
    certainty: &'static str,
    sources: Vec<(Index, Option<String>)>,
    note: Option<String>,
}

#[derive(Debug, Clone)]
struct GenEvent {
    slug: String,
    class: &'static str,
    en: String,
    ru: String,
    date: Option<(String, &'static str)>,
    date_as_written: Option<String>,
    place: Option<Index>,
    about: Vec<Index>,
    in_response_to: Vec<Index>,
    certainty: &'static str,
    sources: Vec<(Index, Option<String>)>,
    description: Option<String>,
}

fn citations() -> impl Strategy<Value = Vec<(Index, Option<String>)>> {
    vec((any::<Index>(), opt(item())), 1..3)
}

fn gen_source() -> impl Strategy<Value = GenSource> {
    (
        (
            slug(),
            select(vec![
                "Article",
                "Book",
                "DocumentCollection",
                "PublishedDocument",
                "ArchivalRecord",
                "EncyclopediaEntry",
                "WebPage",
                "Dissertation",
            ]),
            text(),
            opt(text()),
            vec(item(), 0..3),
            opt(gen_value().prop_map(|v| v.text())),
        ),
        (
            opt((
                slug(),
                select(vec!["", "Дармабала_(жена_Аюки)", "%D0%94", "a:b@c"]),
            )
                .prop_map(|(s, p)| format!("https://example.org/{s}/{p}?q={s}#{s}"))),
            opt("10\\.[0-9]{4,5}/[!-~]{1,12}"),
            opt(any::<Index>()),
            opt(any::<Index>()),
            [opt(text()), opt(text()), opt(text()), opt(text())],
            opt(language()),
            opt(text()),
        ),
    )
        .prop_map(
            |(
                (slug, class, citation, title, creators, issued),
                (url, doi, part_of, archive, shelfmark, language, note),
            )| GenSource {
                slug,
                class,
                citation,
                title,
                creators,
                issued,
                url,
                doi,
                part_of,
                archive,
                shelfmark,
                language,
                note,
            },
        )
}

fn gen_named() -> impl Strategy<Value = GenNamed> {
    (
        (
            slug(),
            any::<Index>(),
            text(),
            text(),
            lang_list(),
            lang_list(),
        ),
        (
            date_cells(),
            opt(text()),
            opt("Q[1-9][0-9]{0,6}"),
            opt((degrees(90), degrees(180))),
            opt(any::<Index>()),
            citations(),
        ),
    )
        .prop_map(
            |(
                (slug, class_index, en, ru, labels, alt_labels),
                (dates, description, wikidata, coordinates, part_of, sources),
            )| GenNamed {
                slug,
                class_index,
                en,
                ru,
                labels,
                alt_labels,
                dates,
                description,
                wikidata,
                coordinates,
                part_of,
                sources,
            },
        )
}

fn certainty() -> impl Strategy<Value = &'static str> {
    select(vec!["", "certain", "probable", "possible", "disputed"])
}

fn gen_relation() -> impl Strategy<Value = GenRelation> {
    (
        (
            slug(),
            any::<Index>(),
            select(vec![
                "ruled",
                "spouseOf",
                "parentOf",
                "subjectOf",
                "hostileTo",
                "reportedTo",
                "locatedIn",
            ]),
            any::<Index>(),
            any::<bool>(),
            date_cells(),
        ),
        (
            opt(text()),
            opt(any::<Index>()),
            certainty(),
            citations(),
            opt(text()),
        ),
    )
        .prop_map(
            |(
                (slug, subject, predicate, object, object_is_place, date),
                (date_as_written, place, certainty, sources, note),
            )| GenRelation {
                slug,
                subject,
                predicate,
                object,
                object_is_place,
                date,
                date_as_written,
                place,
                certainty,
                sources,
                note,
            },
        )
}

fn gen_event() -> impl Strategy<Value = GenEvent> {
    (
        (
            slug(),
            select(vec![
                "Embassy",
                "Letter",
                "Report",
                "Instruction",
                "Raid",
                "Mediation",
                "Oath",
                "Baptism",
            ]),
            text(),
            text(),
            date_cells(),
            opt(text()),
        ),
        (
            opt(any::<Index>()),
            vec(any::<Index>(), 0..2),
            vec(any::<Index>(), 0..2),
            certainty(),
            citations(),
            opt(text()),
        ),
    )
        .prop_map(
            |(
                (slug, class, en, ru, date, date_as_written),
                (place, about, in_response_to, certainty, sources, description),
            )| GenEvent {
                slug,
                class,
                en,
                ru,
                date,
                date_as_written,
                place,
                about,
                in_response_to,
                certainty,
                sources,
                description,
            },
        )
}

/// A dataset made of the generated rows. Ids are `s0-…`, `a0-…`, `p0-…`, `r0-…`, `e0-…`
/// (unique across the dataset whatever the slugs, and at most 80 characters).
#[derive(Debug, Clone)]
struct GenDataset {
    sources: Vec<GenSource>,
    actors: Vec<GenNamed>,
    places: Vec<GenNamed>,
    relations: Vec<GenRelation>,
    events: Vec<GenEvent>,
    participants: Vec<(Index, Index, &'static str)>,
}

fn gen_dataset() -> impl Strategy<Value = GenDataset> {
    (
        vec(gen_source(), 1..4),
        vec(gen_named(), 2..5),
        vec(gen_named(), 1..3),
        vec(gen_relation(), 0..5),
        vec(gen_event(), 1..4),
        vec(
            (
                any::<Index>(),
                any::<Index>(),
                select(vec![
                    "agent",
                    "sender",
                    "recipient",
                    "envoy",
                    "mediator",
                    "subject",
                ]),
            ),
            0..6,
        ),
    )
        .prop_map(
            |(sources, actors, places, relations, events, participants)| GenDataset {
                sources,
                actors,
                places,
                relations,
                events,
                participants,
            },
        )
}

/// An id: a kind letter, the row number and as much of the slug as fits in 80 characters.
fn make_id(letter: char, i: usize, slug: &str) -> String {
    let mut id = format!("{letter}{i}-{slug}");
    id.truncate(MAX_ID_LEN);
    id.trim_end_matches('-').to_owned()
}

/// What the graph must hold whatever the export: the English and Russian labels of each
/// named entity and event, taken from the generated values rather than from the mapping.
struct Expected {
    labels: Vec<(String, String, &'static str)>,
}

impl GenDataset {
    fn assemble(&self) -> (Dataset, Expected) {
        let ids = |letter: char, slugs: Vec<&String>| -> Vec<String> {
            slugs
                .iter()
                .enumerate()
                .map(|(i, s)| make_id(letter, i, s))
                .collect()
        };
        let sources = ids('s', self.sources.iter().map(|s| &s.slug).collect());
        let actors = ids('a', self.actors.iter().map(|s| &s.slug).collect());
        let places = ids('p', self.places.iter().map(|s| &s.slug).collect());
        let relations = ids('r', self.relations.iter().map(|s| &s.slug).collect());
        let events = ids('e', self.events.iter().map(|s| &s.slug).collect());
        let pick = |list: &[String], i: &Index| list[i.index(list.len())].clone();
        let cite = |cs: &[(Index, Option<String>)]| {
            cs.iter()
                .map(|(i, locator)| match locator {
                    Some(l) => format!("{}:{l}", pick(&sources, i)),
                    None => pick(&sources, i),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let some = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut data = Dataset::default();
        let mut expected = Expected { labels: Vec::new() };

        for (i, s) in self.sources.iter().enumerate() {
            let part_of = s
                .part_of
                .as_ref()
                .map(|p| pick(&sources, p))
                .filter(|p| *p != sources[i]);
            let mut r: Row = vec![
                ("id", sources[i].clone()),
                ("type", s.class.to_owned()),
                ("citation", s.citation.clone()),
                ("title", some(&s.title)),
                ("creator", s.creators.join(" | ")),
                ("issued", some(&s.issued)),
                ("url", some(&s.url)),
                ("doi", some(&s.doi)),
                ("part_of", part_of.unwrap_or_default()),
                (
                    "archive",
                    s.archive
                        .as_ref()
                        .map(|a| pick(&actors, a))
                        .unwrap_or_default(),
                ),
                ("language", s.language.unwrap_or_default().to_owned()),
                ("note", some(&s.note)),
            ];
            for (column, value) in ["fond", "opis", "delo", "folios"].iter().zip(&s.shelfmark) {
                r.push((*column, some(value)));
            }
            data.sources.push(r);
        }
        let named = |rows: &[GenNamed],
                     ids: &[String],
                     classes: &[&'static str],
                     place: bool,
                     out: &mut Vec<Row>,
                     expected: &mut Expected| {
            for (i, n) in rows.iter().enumerate() {
                let mut r: Row = vec![
                    ("id", ids[i].clone()),
                    (
                        "type",
                        classes[n.class_index.index(classes.len())].to_owned(),
                    ),
                    ("label_en", n.en.clone()),
                    ("label_ru", n.ru.clone()),
                    ("labels", n.labels.clone()),
                    ("alt_labels", n.alt_labels.clone()),
                    ("description", some(&n.description)),
                    ("sources", cite(&n.sources)),
                ];
                expected
                    .labels
                    .push((ids[i].clone(), n.en.trim().to_owned(), "en"));
                expected
                    .labels
                    .push((ids[i].clone(), n.ru.trim().to_owned(), "ru"));
                if place {
                    if let Some((lat, long)) = &n.coordinates {
                        r.push(("lat", lat.clone()));
                        r.push(("long", long.clone()));
                    }
                    if let Some(p) = &n.part_of {
                        let p = pick(ids, p);
                        if p != ids[i] {
                            r.push(("part_of", p));
                        }
                    }
                } else {
                    if let Some((d, calendar)) = &n.dates {
                        r.push(("dates", d.clone()));
                        r.push(("calendar", (*calendar).to_owned()));
                    }
                    r.push(("wikidata", some(&n.wikidata)));
                }
                out.push(r);
            }
        };
        named(
            &self.actors,
            &actors,
            &["Person", "Polity", "Institution", "Office", "Group"],
            false,
            &mut data.actors,
            &mut expected,
        );
        named(
            &self.places,
            &places,
            &["Settlement", "Fortress", "River", "Region", "FortifiedLine"],
            true,
            &mut data.places,
            &mut expected,
        );
        for (i, r) in self.relations.iter().enumerate() {
            let subject = pick(&actors, &r.subject);
            let object = if r.object_is_place {
                pick(&places, &r.object)
            } else {
                pick(&actors, &r.object)
            };
            if subject == object {
                continue;
            }
            let (date, calendar) = r.date.clone().unwrap_or_default();
            data.relations.push(vec![
                ("id", relations[i].clone()),
                ("subject", subject),
                ("predicate", r.predicate.to_owned()),
                ("object", object),
                ("date", date),
                ("date_as_written", some(&r.date_as_written)),
                ("calendar", calendar.to_owned()),
                (
                    "place",
                    r.place
                        .as_ref()
                        .map(|p| pick(&places, p))
                        .unwrap_or_default(),
                ),
                ("certainty", r.certainty.to_owned()),
                ("sources", cite(&r.sources)),
                ("note", some(&r.note)),
            ]);
        }
        for (i, e) in self.events.iter().enumerate() {
            let others = |list: &[Index]| {
                list.iter()
                    .map(|j| pick(&events, j))
                    .filter(|j| *j != events[i])
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            let (date, calendar) = e.date.clone().unwrap_or_default();
            data.events.push(vec![
                ("id", events[i].clone()),
                ("type", e.class.to_owned()),
                ("label_en", e.en.clone()),
                ("label_ru", e.ru.clone()),
                ("date", date),
                ("date_as_written", some(&e.date_as_written)),
                ("calendar", calendar.to_owned()),
                (
                    "place",
                    e.place
                        .as_ref()
                        .map(|p| pick(&places, p))
                        .unwrap_or_default(),
                ),
                ("about", others(&e.about)),
                ("in_response_to", others(&e.in_response_to)),
                ("certainty", e.certainty.to_owned()),
                ("sources", cite(&e.sources)),
                ("description", some(&e.description)),
            ]);
            expected
                .labels
                .push((events[i].clone(), e.en.trim().to_owned(), "en"));
            expected
                .labels
                .push((events[i].clone(), e.ru.trim().to_owned(), "ru"));
        }
        let mut seen = BTreeSet::new();
        for (event, actor, role) in &self.participants {
            let (event, actor) = (pick(&events, event), pick(&actors, actor));
            if seen.insert((event.clone(), actor.clone(), *role)) {
                data.participants.push(vec![
                    ("event", event),
                    ("actor", actor),
                    ("role", (*role).to_owned()),
                ]);
            }
        }
        (data, expected)
    }
}

/// The kind of entity an id made by [`make_id`] names.
fn kind_of(id: &str) -> Kind {
    match id.as_bytes()[0] {
        b'a' => Kind::Actor,
        b'p' => Kind::Place,
        b'e' => Kind::Event,
        b's' => Kind::Source,
        _ => Kind::Assertion,
    }
}

/// The triples of an export, in N-Triples form, sorted.
fn parse_back(bytes: &[u8], format: RdfFormat) -> Result<BTreeSet<String>, String> {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .map(|q| {
            q.map(|q| Triple::from(q).to_string())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// What a conforming XML 1.0 parser would not read back as written: a character XML cannot
/// hold at all, or a raw carriage return, which parsers turn into a line feed (XML 1.0
/// §2.11) where `&#13;` survives.
fn xml_problem(bytes: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Some(format!("not UTF-8 after byte {}", e.valid_up_to())),
    };
    let (at, c) = text.char_indices().find(|&(_, c)| {
        !matches!(c, '\t' | '\n' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    })?;
    let line = text[..at].matches('\n').count() + 1;
    Some(format!("U+{:04X} at line {line}", c as u32))
}

fn run(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, TestCaseError> {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("histkg runs");
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(TestCaseError::fail(format!(
            "histkg {} failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// Builds `data` with the real binary and checks that every export parses back to the graph
/// of the N-Triples export, and that this graph holds the labels as written (trimmed).
fn round_trip(data: &Dataset, expected: &Expected) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("data")).unwrap();
    data.write(&dir.path().join("data"));
    let context = || format!("\n{}", data.describe());
    run(dir.path(), &["build"]).map_err(|e| TestCaseError::fail(format!("{e}{}", context())))?;
    let mut reference = None;
    for (name, format) in common::export_formats() {
        let bytes = run(dir.path(), &["export", "--format", name])?;
        let graph = parse_back(&bytes, format).map_err(|e| {
            TestCaseError::fail(format!(
                "the {name} export does not parse: {e}\n{}{}",
                String::from_utf8_lossy(&bytes),
                context()
            ))
        })?;
        if name == "rdfxml"
            && let Some(problem) = xml_problem(&bytes)
        {
            return Err(TestCaseError::fail(format!(
                "the RDF/XML export has a character XML parsers do not keep: {problem}{}",
                context()
            )));
        }
        match &reference {
            None => reference = Some(graph),
            Some(reference) => {
                let missing: Vec<_> = reference.difference(&graph).collect();
                let extra: Vec<_> = graph.difference(reference).collect();
                prop_assert!(
                    missing.is_empty() && extra.is_empty(),
                    "the {} export parses back to another graph\nmissing: {:#?}\nextra: {:#?}{}",
                    name,
                    missing,
                    extra,
                    context()
                );
            }
        }
    }
    let graph = reference.unwrap();
    // Every triple the mapping makes of the validated rows is in the graph, so a load or an
    // export that drops or alters one (which all six formats would agree on) is caught. The
    // triples go through an in-memory store first, which writes numbers in canonical form
    // (`.80` as `0.8`) as the build's store does.
    let checked = ingest::check(&dir.path().join("data"))
        .map_err(|e| TestCaseError::fail(format!("{e}{}", context())))?;
    let mut mapper = Mapper::new(&checked.base).unwrap();
    let mapped = oxigraph::store::Store::new().unwrap();
    checked
        .records(|record| {
            for t in mapper.record(&record) {
                mapped
                    .insert(
                        t.as_ref()
                            .in_graph(oxigraph::model::GraphNameRef::DefaultGraph),
                    )
                    .unwrap();
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let missing: Vec<String> = mapped
        .iter()
        .map(|q| Triple::from(q.unwrap()).to_string())
        .filter(|t| !graph.contains(t))
        .collect();
    prop_assert!(
        !mapped.is_empty().unwrap() && missing.is_empty(),
        "{} of {} mapped triples missing: {:#?}{}",
        missing.len(),
        mapped.len().unwrap(),
        missing,
        context()
    );
    let iris = Iris::new(BASE).unwrap();
    for (id, text, lang) in &expected.labels {
        let triple = Triple::new(
            iris.entity(kind_of(id), id),
            oxigraph::model::vocab::rdfs::LABEL,
            Literal::new_language_tagged_literal(text.as_str(), *lang).unwrap(),
        );
        prop_assert!(
            graph.contains(&triple.to_string()),
            "label missing: {}{}",
            triple,
            context()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(Some(32)))]

    #[test]
    fn every_export_parses_back_to_the_same_graph(generated in gen_dataset()) {
        let (data, expected) = generated.assemble();
        round_trip(&data, &expected)?;
    }
}

// ---------------------------------------------------------------------------------------
// Arbitrary input: the ingest and the HTTP handler answer everything without panicking
// ---------------------------------------------------------------------------------------

const TABLES: [&str; 6] = [
    "sources.csv",
    "actors.csv",
    "places.csv",
    "relations.csv",
    "events.csv",
    "participants.csv",
];

/// Pieces of CSV: the mini dataset's column names and ids, separators, quotes, line ends.
const CSV_PIECES: &[&str] = &[
    "id",
    "type",
    "label_en",
    "label_ru",
    "sources",
    "event",
    "actor",
    "role",
    "subject",
    "predicate",
    "object",
    "date",
    "calendar",
    "citation",
    "labels",
    "note",
    "place",
    "about",
    ",",
    ",,",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{feff}",
    "\0",
    "\u{ff}",
    "|",
    ":",
    "@",
    "@en",
    "darma-bala",
    "ayuka",
    "moca-124",
    "samara",
    "Person",
    "Report",
    "spouseOf",
    "agent",
    "1741-08-26",
    "1741/1740",
    "julian",
    "disputed",
    "Дарма",
    "\\",
    "#",
    "../",
    "https://x/",
];

fn csv_soup() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(select(CSV_PIECES), 0..40).prop_map(|p| p.concat().into_bytes()),
        1 => vec(any::<u8>(), 0..600),
        1 => (vec(select(CSV_PIECES), 0..20), vec(any::<u8>(), 0..20)).prop_map(|(p, tail)| {
            let mut bytes = p.concat().into_bytes();
            bytes.extend(tail);
            bytes
        }),
    ]
}

/// Checks `data_dir`: problems are one per line, located in a data file; a dataset that
/// passes maps to triples whose IRIs are all valid.
fn check_anything(data_dir: &Path) -> Result<(), TestCaseError> {
    match ingest::check(data_dir) {
        Err(invalid) => {
            for d in &invalid.0 {
                prop_assert!(
                    !d.message.is_empty() && !d.message.contains(['\n', '\r']),
                    "{:?}",
                    d
                );
                prop_assert!(d.location.line >= 1, "{:?}", d);
                prop_assert!(d.location.file.starts_with(&*data_dir.to_string_lossy()));
            }
        }
        Ok(checked) => {
            let mut mapper = Mapper::new(&checked.base).unwrap();
            let mut bad = Vec::new();
            checked
                .records(|record| {
                    // Every accepted row except a participation cites at least one source.
                    let sources = match &record {
                        Record::Actor(n) | Record::Place(n) => Some(&n.sources),
                        Record::Relation(r) => Some(&r.sources),
                        Record::Event(e) => Some(&e.sources),
                        _ => None,
                    };
                    if sources.is_some_and(Vec::is_empty) {
                        bad.push(format!("accepted without a source: {record:?}"));
                    }
                    for t in mapper.record(&record) {
                        let mut iris = vec![t.subject.to_string(), t.predicate.to_string()];
                        match &t.object {
                            Term::NamedNode(n) => iris.push(n.to_string()),
                            Term::Literal(l) => iris.push(l.datatype().to_string()),
                            #[allow(unreachable_patterns)]
                            other => bad.push(format!("not an IRI or literal: {other}")),
                        }
                        for iri in iris {
                            let iri = iri.trim_start_matches('<').trim_end_matches('>');
                            if NamedNode::new(iri).is_err() {
                                bad.push(iri.to_owned());
                            }
                        }
                    }
                    ControlFlow::Continue(())
                })
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(bad.is_empty(), "invalid IRIs or uncited rows: {:?}", bad);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(None))]

    #[test]
    fn ingest_answers_any_table(table in select(TABLES.to_vec()), bytes in csv_soup()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        fs::write(dir.path().join(table), &bytes).unwrap();
        check_anything(dir.path())?;
    }

    /// The same, with the bytes after the table's real header (so rows get checked).
    #[test]
    fn ingest_answers_any_rows(table in select(TABLES.to_vec()), bytes in csv_soup()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        let path = dir.path().join(table);
        let text = fs::read(&path).unwrap();
        let header_end = text.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut content = text[..header_end].to_vec();
        content.extend(&bytes);
        fs::write(&path, content).unwrap();
        check_anything(dir.path())?;
    }
}

/// An edit of a table: at a position (a fraction of its length), delete some bytes and
/// insert a piece.
fn edits() -> impl Strategy<Value = Vec<(Index, usize, &'static str)>> {
    vec((any::<Index>(), 0usize..4, select(CSV_PIECES)), 1..4)
}

proptest! {
    #![proptest_config(config(None))]

    /// The mini fixture with one table slightly edited: most such datasets get past the
    /// structure checks, so the row checks and the mapping run too.
    #[test]
    fn ingest_answers_edited_tables(table in select(TABLES.to_vec()), edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        let path = dir.path().join(table);
        let mut bytes = fs::read(&path).unwrap();
        for (at, delete, piece) in &edits {
            let at = at.index(bytes.len() + 1);
            let end = (at + delete).min(bytes.len());
            bytes.splice(at..end, piece.bytes());
        }
        fs::write(&path, bytes).unwrap();
        check_anything(dir.path())?;
    }
}

/// Pieces of request targets.
const URL_PIECES: &[&str] = &[
    "/",
    "/sparql",
    "/actor/",
    "/event/",
    "/place/",
    "/source/",
    "/assertion/",
    "/histkg/",
    "darma-bala",
    "report-donryung-1741",
    "samara",
    "moca-124",
    "/graph.",
    "ttl",
    "nt",
    "jsonld",
    "rdf",
    "nq",
    "trig",
    "/assets/",
    "vis-network.min.js",
    "/search",
    "/network",
    "/timeline",
    "/.well-known/void",
    "?",
    "&",
    "=",
    "q=",
    "query=",
    "update=",
    "format=",
    "html",
    "%",
    "%2",
    "%FF",
    "%00",
    "%D0%94",
    "%20",
    "+",
    "..",
    "#",
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "*",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    ".",
    "LIMIT",
    "1",
    "INSERT",
    "DATA",
    "LOAD",
    "<x>",
    "SERVICE",
    "derivation",
    "-",
];

const SPARQL_PIECES: &[&str] = &[
    "SELECT ",
    "ASK ",
    "CONSTRUCT ",
    "DESCRIBE ",
    "* ",
    "?s ",
    "?p ",
    "?o ",
    "WHERE ",
    "{ ",
    "} ",
    ". ",
    "LIMIT 3 ",
    "actor:darma-bala ",
    "rdfs:label ",
    "FILTER(",
    ")",
    "\"x\"@en ",
    "INSERT DATA ",
    "DELETE WHERE ",
    "LOAD <http://x/> ",
    "SERVICE <http://x/> ",
    "<x> ",
    "PREFIX a: <http://a/> ",
    "GRAPH ?g ",
    "OPTIONAL ",
    "UNION ",
    "VALUES ?s { 1 } ",
    "\0",
    "é",
    "\"",
    "#",
    "\n",
];

const MEDIA: &[&str] = &[
    "*/*",
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "text/*;q=0.5",
    "image/png",
    ";q=0",
    ";q=NaN",
    ";q=inf",
    ";q=-1",
    ",",
    "",
    "a/b/c",
];

#[derive(Debug, Clone)]
struct GenRequest {
    method: String,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// Routes of the server and near misses.
const ROUTES: &[&str] = &[
    "/",
    "/sparql",
    "/search",
    "/network",
    "/timeline",
    "/.well-known/void",
    "/graph.ttl",
    "/graph.nt",
    "/graph.nq",
    "/graph.trig",
    "/graph.rdf",
    "/graph.jsonld",
    "/graph.xml",
    "/graph.",
    "/assets/vis-network.min.js",
    "/assets/../Cargo.toml",
    "/assets/",
    "/actor/darma-bala",
    "/actor/ayuka",
    "/event/report-donryung-1741",
    "/place/samara",
    "/source/moca-124",
    "/assertion/darma-bala-spouse-ayuka",
    "/assertion/orenburg-commission-reported-to-collegium/derivation/avpr-zyungor-1741-3",
    "/histkg/actor/darma-bala",
    "/histkg/",
    "/actor/Darma-Bala",
    "/actor/",
    "/actor/nobody",
    "/nothing",
];

/// A query string: `name=value` pairs, the values percent-encoded.
fn query_string() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        vec(select(SPARQL_PIECES), 0..12).prop_map(|p| p.concat()),
        select(vec!["ttl", "jsonld", "nt", "rdf", "html", "xml", ""]).prop_map(str::to_owned),
        text(),
        any::<String>(),
    ];
    let name = select(vec![
        "q",
        "query",
        "format",
        "update",
        "default-graph-uri",
        "x",
    ]);
    vec((name, value), 0..3).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| {
                let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn gen_request() -> impl Strategy<Value = GenRequest> {
    let method = prop_oneof![
        8 => select(vec![
            "GET", "GET", "GET", "GET", "HEAD", "POST", "POST", "OPTIONS", "PUT", "DELETE",
        ])
        .prop_map(|m| m.to_owned()),
        1 => "[A-Z]{1,8}",
    ];
    let target = prop_oneof![
        8 => (select(ROUTES), opt(vec(select(URL_PIECES), 1..3)), opt(query_string())).prop_map(
            |(route, suffix, query)| {
                let mut t = route.to_owned();
                if let Some(suffix) = suffix {
                    t.push_str(&suffix.concat());
                }
                if let Some(query) = query {
                    t.push('?');
                    t.push_str(&query);
                }
                t
            }
        ),
        2 => vec(select(URL_PIECES), 1..10).prop_map(|p| {
            let t = p.concat();
            if t.starts_with('/') { t } else { format!("/{t}") }
        }),
        1 => "/[!-~]{0,60}",
        1 => (0usize..12_000).prop_map(|n| format!("/actor/{}", "a".repeat(n))),
    ];
    let header = (
        select(vec!["accept", "accept", "content-type", "x-anything"]),
        vec(select(MEDIA), 0..4).prop_map(|p| p.join(",")),
    );
    let body = prop_oneof![
        vec(select(SPARQL_PIECES), 0..12).prop_map(|p| p.concat().into_bytes()),
        query_string().prop_map(String::into_bytes),
        vec(any::<u8>(), 0..200),
    ];
    (method, target, vec(header, 0..3), body).prop_map(|(method, target, headers, body)| {
        GenRequest {
            method,
            target,
            headers,
            body,
        }
    })
}

impl GenRequest {
    /// The request, when the HTTP model can represent it (oxhttp refuses some URIs and
    /// header values before they reach the handler).
    fn build(&self) -> Option<Request<Body>> {
        let mut r = Request::builder()
            .method(Method::from_bytes(self.method.as_bytes()).ok()?)
            .uri(self.target.as_str());
        for (name, value) in &self.headers {
            r = r.header(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).ok()?,
            );
        }
        r.body(Body::from(self.body.clone())).ok()
    }
}

#[test]
fn the_server_answers_any_request() {
    let dir = common::built_mini();
    let store = histkg::store::open(&dir.path().join("store")).unwrap();
    let app = histkg::serve::App::new(
        store,
        &root().join("queries"),
        histkg::serve::Options {
            timeout: Duration::from_secs(5),
            cors: true,
            base_url: None,
        },
    )
    .unwrap();
    // `source_file` lets a failure be saved next to this file and replayed.
    let mut runner = TestRunner::new(Config {
        source_file: Some(file!()),
        ..config(None)
    });
    runner
        .run(&gen_request(), |generated| {
            let Some(mut request) = generated.build() else {
                return Ok(());
            };
            let response = app.handle(&mut request);
            let status = response.status();
            prop_assert!(
                !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
                "{:?} answered {}: {:?}",
                generated,
                status,
                response.into_body().to_string()
            );
            if generated.method == "HEAD" {
                // HEAD answers as GET would, without the body (which `handle` drops).
                let mut get = generated.clone();
                get.method = "GET".to_owned();
                let get = app.handle(&mut get.build().unwrap());
                prop_assert_eq!(get.status(), status, "{:?}", generated);
                for name in ["content-type", "allow", "vary"] {
                    prop_assert_eq!(
                        get.headers().get(name),
                        response.headers().get(name),
                        "{} of {:?}",
                        name,
                        generated
                    );
                }
                prop_assert!(
                    response.into_body().to_vec().unwrap().is_empty(),
                    "HEAD has a body"
                );
            } else if status == StatusCode::OK {
                prop_assert!(
                    response.headers().contains_key("content-type"),
                    "{:?}",
                    generated
                );
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// Regressions: the smallest inputs of the failures these properties found
// ---------------------------------------------------------------------------------------

/// Found by `every_export_parses_back_to_the_same_graph`: a label with a carriage return
/// (`a\r\nb`, as a cell edited on Windows can hold) was written raw into the RDF/XML export,
/// and XML parsers read it back as `a\nb` (XML 1.0 §2.11). It is now written `&#13;`.
#[test]
fn regression_rdfxml_export_keeps_carriage_returns() {
    let mut data = fixed_dataset();
    data.actors[0] = row(&[
        ("id", "a0"),
        ("type", "Person"),
        ("label_en", "a\r\nb"),
        ("label_ru", "\rА"),
        ("sources", "s0"),
    ]);
    let expected = Expected {
        labels: vec![
            ("a0".to_owned(), "a\r\nb".to_owned(), "en"),
            ("a0".to_owned(), "\rА".trim().to_owned(), "ru"),
        ],
    };
    round_trip(&data, &expected).unwrap();
}

/// A dataset whose first actor's English label is `label`, checked by the ingest: the
/// problem it must report is at `actors.csv:2:3`.
fn assert_label_refused(label: &str) {
    let mut data = fixed_dataset();
    data.actors[0].retain(|(c, _)| *c != "label_en");
    data.actors[0].push(("label_en", label.to_owned()));
    let dir = tempfile::tempdir().unwrap();
    data.write(dir.path());
    let Err(invalid) = ingest::check(dir.path()) else {
        panic!("{label:?} in actors.csv label_en was accepted");
    };
    let d = &invalid.0[0];
    assert_eq!(
        (d.location.line, d.location.column),
        (2, Some(3)),
        "{invalid}"
    );
    assert!(!d.message.contains(['\n', '\r']), "{invalid}");
}

/// Found by `every_export_parses_back_to_the_same_graph` with control characters among the
/// pieces of text: a cell holding a C0 control character (here `Darma\u{1}Bala`) passed the
/// ingest, and the RDF/XML export was then not well-formed XML (expat: "not well-formed
/// (invalid token)"); the other formats escape it. The ingest now refuses them.
#[test]
fn regression_ingest_refuses_control_characters() {
    for bad in ["Darma\u{1}Bala", "a\u{b}", "\u{c}b", "\u{1f}"] {
        assert_label_refused(bad);
    }
}

/// The same for the two other characters XML 1.0 cannot hold, U+FFFE and U+FFFF
/// (noncharacters; a UTF-16 byte-order mark read the wrong way round gives U+FFFE): they passed
/// the ingest and made the RDF/XML export ill-formed. The ingest now refuses them too.
#[test]
fn regression_ingest_refuses_noncharacters_xml_cannot_hold() {
    for bad in ["Bala\u{fffe}", "\u{ffff}"] {
        assert_label_refused(bad);
    }
}

/// Found by `ingest_answers_edited_tables`: a problem's message could hold a raw line break,
/// which split it over two lines of output: the value of an unknown certainty (`c\rertain`),
/// and the IRI parser's error text in "is not a valid URL (Invalid IRI code point '\r')".
/// Messages now escape control characters (`Diagnostics::push`), and the certainty is
/// shortened like other values.
#[test]
fn regression_problems_are_reported_on_one_line() {
    let mut data = fixed_dataset();
    data.relations[0].push(("certainty", "c\rertain".to_owned()));
    data.sources[0].push(("url", "h\rttps://example.org/".to_owned()));
    let dir = tempfile::tempdir().unwrap();
    data.write(dir.path());
    let Err(invalid) = ingest::check(dir.path()) else {
        panic!("accepted");
    };
    let shown = invalid.to_string();
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(shown.contains("unknown certainty `c\\rertain`"), "{shown}");
    assert!(shown.contains("(Invalid IRI code point '\\r')"), "{shown}");
}
