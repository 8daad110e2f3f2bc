//! Source criticism on generated datasets: findings never break `check`, and a dataset whose
//! dates are consistent by construction (everyone alive throughout, every report after what
//! it tells of, every answer after what it answers, in any calendar and precision) gives no
//! chronology or calendar finding.

use super::{Dataset, config, row};
use crate::common::histkg;
use histkg::dates::Day;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

/// 1 January 1720 and 31 December 1750 as day numbers: every generated event and relation
/// falls between, every actor lives from before to after.
fn window() -> (i64, i64) {
    let day = |year| {
        Day {
            year,
            month: 1,
            day: 1,
        }
        .number()
    };
    (day(1720), day(1751) - 1)
}

/// A date of Gregorian day `g` written in `calendar` (`julian`, `gregorian` or empty) at a
/// `precision` (0 day, 1 month, 2 year), possibly approximate or uncertain.
fn written(g: i64, calendar: &str, precision: u8, flag: &str) -> String {
    let d = Day::from_number(g);
    let (y, m, dd) = if calendar == "julian" {
        d.julian()
    } else {
        (d.year, d.month, d.day)
    };
    let text = match precision {
        0 => format!("{y:04}-{m:02}-{dd:02}"),
        1 => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}"),
    };
    format!("{text}{flag}")
}

/// One dated row: an offset into the window, a calendar, a precision and an EDTF flag.
fn dating() -> impl Strategy<Value = (i64, &'static str, u8, &'static str)> {
    (
        0..11_000i64,
        select(vec!["julian", "gregorian", ""]),
        0..3u8,
        select(vec!["", "", "?", "~"]),
    )
}

/// A consistent dataset: actors alive 1690-1760, events in 1720-1750 each after the ones
/// it is `about` or `inResponseTo`, relations in 1720-1750; `dates` gives each event and
/// relation its day (events sorted, so that links point back in time).
fn consistent(
    actors: usize,
    events: &[(i64, &str, u8, &str)],
    relations: &[(i64, &str, u8, &str)],
    links: &[(usize, usize, bool)],
) -> Dataset {
    let (start, _) = window();
    let mut data = Dataset {
        sources: vec![row(&[
            ("id", "s0"),
            ("type", "ArchivalRecord"),
            ("citation", "A record."),
        ])],
        ..Dataset::default()
    };
    for a in 0..actors {
        data.actors.push(row(&[
            ("id", &format!("a{a}")),
            ("type", "Person"),
            ("label_en", "A"),
            ("label_ru", "А"),
            ("dates", "1690/1760"),
            ("sources", "s0"),
        ]));
    }
    let mut days: Vec<(i64, &str, u8, &str)> = events.to_vec();
    days.sort_by_key(|d| d.0);
    for (i, &(offset, calendar, precision, flag)) in days.iter().enumerate() {
        let mut about = Vec::new();
        let mut answers = Vec::new();
        for &(from, to, answer) in links {
            let (teller, told) = (from.max(to), from.min(to));
            if teller == i && told < i && days[told].0 <= offset {
                if answer {
                    answers.push(format!("e{told}"));
                } else {
                    about.push(format!("e{told}"));
                }
            }
        }
        about.dedup();
        answers.dedup();
        data.events.push(row(&[
            ("id", &format!("e{i}")),
            ("type", "Report"),
            ("label_en", "R"),
            ("label_ru", "Р"),
            ("date", &written(start + offset, calendar, precision, flag)),
            ("calendar", calendar),
            ("about", &about.join(" | ")),
            ("in_response_to", &answers.join(" | ")),
            ("sources", "s0"),
        ]));
        data.participants.push(row(&[
            ("event", &format!("e{i}")),
            ("actor", &format!("a{}", i % actors)),
            ("role", "reporter"),
        ]));
    }
    // One relation type per row: two dates of one relation may be two contacts, or one
    // read in two calendars, and source criticism says so; here they are distinct.
    let predicates = [
        "diplomaticContactWith",
        "alliedWith",
        "hostileTo",
        "supported",
        "reportedTo",
        "incited",
    ];
    for (r, &(offset, calendar, precision, flag)) in relations.iter().enumerate() {
        data.relations.push(row(&[
            ("id", &format!("r{r}")),
            ("subject", &format!("a{}", r % actors)),
            ("predicate", predicates[r % predicates.len()]),
            ("object", &format!("a{}", (r + 1) % actors)),
            ("date", &written(start + offset, calendar, precision, flag)),
            ("calendar", calendar),
            ("sources", "s0"),
        ]));
    }
    data
}

/// Runs `histkg check` on `data`: it must succeed; returns the finding lines.
fn check(data: &Dataset) -> Result<Vec<String>, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    std::fs::create_dir_all(&path).unwrap();
    data.write(&path);
    let out = histkg(dir.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    prop_assert!(
        out.status.success(),
        "check failed:\n{stderr}\n{}",
        data.describe()
    );
    let findings: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains(": warning: ") || l.contains(": note: "))
        .map(str::to_owned)
        .collect();
    for line in &findings {
        prop_assert!(
            line.ends_with(')'),
            "a finding line ends with its id: {line}"
        );
    }
    Ok(findings)
}

proptest! {
    #![proptest_config(config(Some(24)))]

    #[test]
    fn consistent_dates_give_no_chronology_or_calendar_finding(
        actors in 2..5usize,
        events in vec(dating(), 1..8),
        relations in vec(dating(), 0..6),
        links in vec((0..8usize, 0..8usize, any::<bool>()), 0..8),
    ) {
        let data = consistent(actors, &events, &relations, &links);
        for line in check(&data)? {
            prop_assert!(
                !line.contains("(chronology/") && !line.contains("(calendar/"),
                "{line}\n{}", data.describe()
            );
        }
    }

    #[test]
    fn any_dates_give_findings_without_breaking_check(
        actors in 2..5usize,
        events in vec(dating(), 1..8),
        relations in vec(dating(), 0..6),
        links in vec((0..8usize, 0..8usize, any::<bool>()), 0..8),
        lives in vec((0..40_000i64, 0..30_000i64), 5),
    ) {
        let mut data = consistent(actors, &events, &relations, &links);
        // Lives anywhere from 1660 on, and reports pointing either way in time.
        let (start, _) = window();
        for (a, row) in data.actors.iter_mut().enumerate() {
            let (born, span) = lives[a];
            let born = start - 22_000 + born;
            let life = format!("{}/{}", written(born, "", 0, ""), written(born + span, "", 1, ""));
            row.retain(|(c, _)| *c != "dates");
            row.push(("dates", life));
        }
        for (i, row) in data.events.iter_mut().enumerate() {
            if i % 2 == 1 {
                row.retain(|(c, _)| *c != "about");
                row.push(("about", format!("e{}", (i + 1) % events.len())));
            }
        }
        check(&data)?;
    }
}
