//! EDTF dates, calendars and Gregorian bounds. Pure: no I/O, no RDF.
//!
//! A date arrives as an EDTF (levels 0 and 1) string in the calendar the source uses. We keep
//! the string and compute the earliest and latest Gregorian days it can denote, so SPARQL can
//! compare dates as `xsd:date`. Parsing and validation (leap years, month lengths) are the
//! `edtf` crate's; calendar arithmetic is `calendrical_calculations`' (ICU4X).

use crate::diagnostics::shorten;
use crate::error::{Error, Result};
use calendrical_calculations::rata_die::RataDie;
use calendrical_calculations::{gregorian, julian};
use edtf::level_1::{Certainty, Date, Edtf, Precision, Season};
use std::fmt;

/// The calendar a source dates in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Calendar {
    /// Old Style, used in Russia until 1918.
    Julian,
    /// New Style.
    Gregorian,
    /// The source does not say: bounds cover both readings.
    Unknown,
}

impl Calendar {
    /// Parses the `calendar` column: `julian`, `gregorian` or empty.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "" => Ok(Self::Unknown),
            "julian" => Ok(Self::Julian),
            "gregorian" => Ok(Self::Gregorian),
            other => Err(Error::user(format!(
                "unknown calendar `{}`; use `julian`, `gregorian` or leave it empty when the source does not say",
                shorten(other)
            ))),
        }
    }

    /// The name used in CSV and in the ontology (`hkg:julian`), if known.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::Julian => Some("julian"),
            Self::Gregorian => Some("gregorian"),
            Self::Unknown => None,
        }
    }
}

/// A Gregorian calendar day, printed as `xsd:date` (`1741-09-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Astronomical year (year 0 is 1 BCE).
    pub year: i32,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
}

impl Day {
    /// The day's number (days since 1 January of year 1, Gregorian), for differences.
    pub fn number(self) -> i64 {
        gregorian::fixed_from_gregorian(self.year, self.month, self.day).to_i64_date()
    }

    /// The same day in the Julian calendar (year, month, day), as an Old Style source
    /// writes it.
    pub fn julian(self) -> (i32, u8, u8) {
        julian::julian_from_fixed(gregorian::fixed_from_gregorian(
            self.year, self.month, self.day,
        ))
        .unwrap_or((self.year, self.month, self.day))
    }

    /// The day numbered `n` ([`Day::number`]).
    pub fn from_number(n: i64) -> Self {
        Self::from_fixed(RataDie::new(n))
    }

    fn from_fixed(rd: RataDie) -> Self {
        // Years stay within ±9999 (EDTF levels 0-1), far inside i32.
        let (year, month, day) = gregorian::gregorian_from_fixed(rd).unwrap_or((9999, 12, 31));
        Self { year, month, day }
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year < 0 {
            write!(f, "-{:04}-{:02}-{:02}", -self.year, self.month, self.day)
        } else {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        }
    }
}

/// A parsed date: the EDTF string and its Gregorian bounds (absent for open or unknown ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateValue {
    /// The EDTF string as given.
    pub edtf: String,
    /// The calendar the EDTF string is in.
    pub calendar: Calendar,
    /// Earliest Gregorian day.
    pub not_before: Option<Day>,
    /// Latest Gregorian day.
    pub not_after: Option<Day>,
    /// The Gregorian days the date surely covers, first and last: from an interval's latest
    /// possible start to its earliest possible end, or an exact day itself. `None` when
    /// nothing is sure (a year, a month, an open end, an interval whose ends may meet).
    pub throughout: Option<(Day, Day)>,
}

/// Parses an EDTF string written in `calendar` and computes its Gregorian bounds.
///
/// ```
/// use histkg::dates::{parse, Calendar};
/// // 26 August 1741 Old Style is 6 September 1741 New Style.
/// let d = parse("1741-08-26", Calendar::Julian).unwrap();
/// assert_eq!(d.not_before.unwrap().to_string(), "1741-09-06");
/// assert_eq!(d.not_after.unwrap().to_string(), "1741-09-06");
/// ```
pub fn parse(text: &str, calendar: Calendar) -> Result<DateValue> {
    // Made only for a message: most dates are valid.
    let shown = || shorten(text);
    let edtf = Edtf::parse(text).map_err(|e| {
        let shown = shown();
        if let Some(why) = impossible(text, calendar) {
            return Error::user(format!("invalid date `{shown}`: {why}"));
        }
        let why = match e {
            edtf::ParseError::OutOfRange => "a month, day or season that does not exist",
            _ => "not EDTF",
        };
        Error::user(format!(
            "invalid date `{shown}` ({why}); write EDTF such as `1741-08-26`, `1742-09`, `1742~`, `174X` or `1741/1742`"
        ))
    })?;
    let mut throughout = None;
    let (not_before, not_after) = match edtf {
        Edtf::Date(d) => {
            let (lo, hi) = span(d, calendar);
            if lo == hi {
                throughout = Some((lo, hi));
            }
            (Some(lo), Some(hi))
        }
        Edtf::Interval(a, b) => {
            let (lo, latest_start) = span(a, calendar);
            let (earliest_end, hi) = span(b, calendar);
            if latest_start <= earliest_end {
                throughout = Some((latest_start, earliest_end));
            }
            // Both ends are in the same calendar: compare them in one reading (with an unknown
            // calendar, the widened bounds of the two readings overlap by 11 days).
            let (a_lo, _) = span(a.and_certainty(Certainty::Certain), Calendar::Gregorian);
            let (_, b_hi) = span(b.and_certainty(Certainty::Certain), Calendar::Gregorian);
            if a_lo > b_hi {
                return Err(Error::user(format!(
                    "inverted date range `{}`: it starts after it ends; write the earlier date first",
                    shown()
                )));
            }
            (Some(lo), Some(hi))
        }
        Edtf::IntervalFrom(a, _) => (Some(span(a, calendar).0), None),
        Edtf::IntervalTo(_, b) => (None, Some(span(b, calendar).1)),
        Edtf::YYear(_) => {
            return Err(Error::user(format!(
                "date `{}` is out of range; years must be within -9999..9999",
                shown()
            )));
        }
        Edtf::DateTime(_) => {
            return Err(Error::user(format!(
                "date `{}` has a time of day; give the day only (`1741-08-26`)",
                shown()
            )));
        }
    };
    Ok(DateValue {
        edtf: text.to_owned(),
        calendar,
        not_before: not_before.map(Day::from_fixed),
        not_after: not_after.map(Day::from_fixed),
        throughout: throughout.map(|(a, b)| (Day::from_fixed(a), Day::from_fixed(b))),
    })
}

/// Why a date shaped like `YYYY-MM[-DD]` (or an interval of such dates) does not exist, if
/// one of its months or days does not: "February 1741 has 28 days".
fn impossible(text: &str, calendar: Calendar) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    for end in text.split('/') {
        let end = end.trim_matches(['?', '~', '%']);
        let (negative, end) = match end.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, end),
        };
        let mut parts = end.split('-');
        let (Some(y), Some(m), d, None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) || d.is_some_and(|d| !digits(d, 2)) {
            continue;
        }
        let year: i32 = y.parse().ok()?;
        let year = if negative { -year } else { year };
        let month: usize = m.parse().ok()?;
        let Some(d) = d else {
            if (1..=12).contains(&month) || (21..=24).contains(&month) {
                continue;
            }
            return Some(format!(
                "there is no month {m} (months are 01-12; 21-24 are the seasons spring to winter)"
            ));
        };
        if !(1..=12).contains(&month) {
            return Some(format!("there is no month {m} (months are 01-12)"));
        }
        let day: u8 = d.parse().ok()?;
        let gregorian_leap = gregorian::is_leap_year(year);
        let days = match month {
            2 if gregorian_leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let name = MONTHS[month - 1];
        if day == 0 {
            return Some("there is no day 00 (days start at 01)".to_owned());
        }
        if day > days {
            if month == 2 && day == 29 && calendar != Calendar::Gregorian && year.rem_euclid(4) == 0
            {
                // Julian leap years are every fourth year; the `edtf` crate checks Gregorian ones.
                return Some(format!(
                    "29 February {y} exists only in the Julian calendar, which histkg cannot check to the day; write `{y}-02` and give the day in `date_as_written`"
                ));
            }
            return Some(format!("{name} {y} has {days} days"));
        }
    }
    None
}

/// The earliest and latest fixed day of an EDTF date, with approximate dates widened by
/// one unit of their precision, converted from `calendar`.
fn span(date: Date, calendar: Calendar) -> (RataDie, RataDie) {
    let widen = matches!(
        date.certainty(),
        Certainty::Approximate | Certainty::ApproximateUncertain
    );
    let w = i32::from(widen);
    // (first year, first month, last year, last month), or a single day.
    let months = match date.precision() {
        Precision::Century(y) => Some((y - 100 * w, 1, y + 99 + 100 * w, 12)),
        Precision::Decade(y) => Some((y - 10 * w, 1, y + 9 + 10 * w, 12)),
        Precision::Year(y) | Precision::MonthOfYear(y) | Precision::DayOfYear(y) => {
            Some((y - w, 1, y + w, 12))
        }
        Precision::Season(y, s) => {
            let (first, last) = match s {
                Season::Spring => ((y, 3), (y, 5)),
                Season::Summer => ((y, 6), (y, 8)),
                Season::Autumn => ((y, 9), (y, 11)),
                Season::Winter => ((y, 12), (y + 1, 2)),
            };
            let first = add_months(first, -3 * w);
            let last = add_months(last, 3 * w);
            Some((first.0, first.1, last.0, last.1))
        }
        Precision::Month(y, m) | Precision::DayOfMonth(y, m) => {
            let m = m as i32;
            let first = add_months((y, m), -w);
            let last = add_months((y, m), w);
            Some((first.0, first.1, last.0, last.1))
        }
        Precision::Day(..) => None,
    };
    let day_widen = i64::from(w);
    let span_in = |julian_calendar: bool| -> (RataDie, RataDie) {
        let fixed = |y: i32, m: i32, d: u8| {
            if julian_calendar {
                julian::fixed_from_julian(y, m as u8, d)
            } else {
                gregorian::fixed_from_gregorian(y, m as u8, d)
            }
        };
        match (months, date.precision()) {
            (Some((y0, m0, y1, m1)), _) => {
                let (ny, nm) = add_months((y1, m1), 1);
                (fixed(y0, m0, 1), fixed(ny, nm, 1).add(-1))
            }
            (None, Precision::Day(y, m, d)) => {
                let day = fixed(y, m as i32, d as u8);
                (day.add(-day_widen), day.add(day_widen))
            }
            (None, _) => unreachable!("only day precision has no month span"),
        }
    };
    match calendar {
        Calendar::Gregorian => span_in(false),
        Calendar::Julian => span_in(true),
        Calendar::Unknown => {
            let (g_lo, g_hi) = span_in(false);
            let (j_lo, j_hi) = span_in(true);
            (g_lo.min(j_lo), g_hi.max(j_hi))
        }
    }
}

fn add_months((y, m): (i32, i32), delta: i32) -> (i32, i32) {
    let index = y * 12 + (m - 1) + delta;
    (index.div_euclid(12), index.rem_euclid(12) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(text: &str, calendar: Calendar) -> (String, String) {
        let d = parse(text, calendar).unwrap();
        (
            d.not_before.map(|d| d.to_string()).unwrap_or_default(),
            d.not_after.map(|d| d.to_string()).unwrap_or_default(),
        )
    }

    #[test]
    fn gregorian_day_is_its_own_bounds() {
        assert_eq!(
            bounds("1742-06-23", Calendar::Gregorian),
            ("1742-06-23".into(), "1742-06-23".into())
        );
    }

    #[test]
    fn julian_days_of_the_18th_century_are_11_days_behind() {
        assert_eq!(
            bounds("1741-08-26", Calendar::Julian),
            ("1741-09-06".into(), "1741-09-06".into())
        );
        // Known limitation: `edtf` validates days against the Gregorian calendar, so the
        // Julian leap days 1700-02-29 and 1800-02-29 are refused (outside our period).
        assert!(parse("1700-02-29", Calendar::Julian).is_err());
        assert_eq!(bounds("1700-02-28", Calendar::Julian).0, "1700-03-10");
        // Julian 1699-12-31 was still 10 days behind.
        assert_eq!(bounds("1699-12-31", Calendar::Julian).0, "1700-01-10");
    }

    #[test]
    fn unknown_calendar_covers_both_readings() {
        assert_eq!(
            bounds("1741-03-21", Calendar::Unknown),
            ("1741-03-21".into(), "1741-04-01".into())
        );
    }

    #[test]
    fn years_months_decades_and_seasons_span_their_days() {
        assert_eq!(
            bounds("1742", Calendar::Gregorian),
            ("1742-01-01".into(), "1742-12-31".into())
        );
        assert_eq!(
            bounds("1742-09", Calendar::Julian),
            ("1742-09-12".into(), "1742-10-11".into())
        );
        assert_eq!(
            bounds("174X", Calendar::Gregorian),
            ("1740-01-01".into(), "1749-12-31".into())
        );
        assert_eq!(bounds("1740-02", Calendar::Gregorian).1, "1740-02-29");
        assert_eq!(
            bounds("1741-23", Calendar::Gregorian),
            ("1741-09-01".into(), "1741-11-30".into())
        );
        assert_eq!(
            bounds("1741-24", Calendar::Gregorian),
            ("1741-12-01".into(), "1742-02-28".into())
        );
    }

    #[test]
    fn approximate_dates_are_widened_by_one_unit() {
        assert_eq!(
            bounds("1742~", Calendar::Gregorian),
            ("1741-01-01".into(), "1743-12-31".into())
        );
        assert_eq!(
            bounds("1742-01~", Calendar::Gregorian),
            ("1741-12-01".into(), "1742-02-28".into())
        );
        assert_eq!(
            bounds("1742-01-10~", Calendar::Gregorian),
            ("1742-01-09".into(), "1742-01-11".into())
        );
        // Uncertain (?) is not widened.
        assert_eq!(
            bounds("1742?", Calendar::Gregorian),
            ("1742-01-01".into(), "1742-12-31".into())
        );
    }

    #[test]
    fn intervals_and_open_ends() {
        assert_eq!(
            bounds("1741/1742", Calendar::Gregorian),
            ("1741-01-01".into(), "1742-12-31".into())
        );
        assert_eq!(
            bounds("../1759-12-06", Calendar::Gregorian),
            (String::new(), "1759-12-06".into())
        );
        assert_eq!(
            bounds("1744/..", Calendar::Gregorian),
            ("1744-01-01".into(), String::new())
        );
        assert_eq!(
            bounds("1693/", Calendar::Gregorian),
            ("1693-01-01".into(), String::new())
        );
    }

    #[test]
    fn impossible_and_inverted_dates_are_refused() {
        for bad in [
            "1740-02-30",
            "1740-13",
            "1741-02-29",
            "26.08.1741",
            "1742/1741",
            "",
            "1741-08-26T10:00:00",
        ] {
            assert!(
                parse(bad, Calendar::Gregorian).is_err(),
                "{bad} should be refused"
            );
        }
        assert!(
            parse("1742/1741", Calendar::Gregorian)
                .unwrap_err()
                .to_string()
                .contains("inverted")
        );
    }

    #[test]
    fn inverted_ranges_are_refused_whatever_the_calendar() {
        // With an unknown calendar the two readings overlap by 11 days: `1741/1740` must
        // still be refused, and so must a range inverted by a few days.
        for calendar in [Calendar::Gregorian, Calendar::Julian, Calendar::Unknown] {
            for bad in ["1741/1740", "1741-01-05/1741-01-01", "1741-02/1741-01~"] {
                let e = parse(bad, calendar).unwrap_err().to_string();
                assert!(e.contains("inverted"), "{bad} {calendar:?}: {e}");
            }
            assert!(parse("1741-01-01/1741-01-01", calendar).is_ok());
            assert!(parse("1740~/1740", calendar).is_ok());
        }
    }

    #[test]
    fn impossible_dates_say_what_does_not_exist() {
        let e = |text: &str, calendar| parse(text, calendar).unwrap_err().to_string();
        assert_eq!(
            e("1740-02-30", Calendar::Gregorian),
            "invalid date `1740-02-30`: February 1740 has 29 days"
        );
        assert_eq!(
            e("1741-06-31/1742", Calendar::Julian),
            "invalid date `1741-06-31/1742`: June 1741 has 30 days"
        );
        assert!(e("1740-13", Calendar::Gregorian).ends_with(
            ": there is no month 13 (months are 01-12; 21-24 are the seasons spring to winter)"
        ));
        assert!(e("1741-00", Calendar::Gregorian).contains("there is no month 00"));
        assert!(e("1741-13-01", Calendar::Gregorian).contains("there is no month 13"));
        assert!(e("1741-04-00", Calendar::Gregorian).contains("there is no day 00"));
        assert!(e("1700-02-29", Calendar::Julian).contains("exists only in the Julian calendar"));
        assert!(e("1741-02-29", Calendar::Julian).contains("February 1741 has 28 days"));
        // A long value is shortened.
        assert!(e(&"1".repeat(10_000), Calendar::Gregorian).len() < 200);
    }

    #[test]
    fn calendar_names_parse() {
        assert_eq!(Calendar::parse("julian").ok(), Some(Calendar::Julian));
        assert_eq!(Calendar::parse("").ok(), Some(Calendar::Unknown));
        assert!(Calendar::parse("Julian").is_err());
    }
}
