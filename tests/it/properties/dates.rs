//! EDTF dates: any text parses or is refused without panicking, valid dates get their
//! bounds in each calendar, inverted intervals and impossible days are refused. The valid
//! values generated here are also the date cells of the generated datasets.

use super::config;
use histkg::dates::{self, Calendar, Day};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

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
pub(super) struct GenDate {
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
pub(super) enum GenValue {
    Date(GenDate),
    Interval(GenDate, GenDate),
    OpenStart(GenDate),
    OpenEnd(GenDate),
    UnknownEnd(GenDate),
}

pub(super) fn gen_value() -> impl Strategy<Value = GenValue> {
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
    pub(super) fn text(&self) -> String {
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
