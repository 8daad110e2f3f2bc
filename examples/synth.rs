//! Synthetic data in histkg's real CSV schema, for benchmarks and load tests.
//!
//! ```text
//! cargo run --release --example synth -- --relations 100000 --out /tmp/synth-100k [--seed 1]
//! ```
//!
//! The output is a complete data directory (the six CSV tables plus a copy of the shipped
//! `ontology.ttl` and `dataset.ttl`) that `histkg build` accepts. It is deterministic: the
//! same `--relations` and `--seed` give the same bytes. Sizes scale with `--relations`:
//! about one actor per 10 relations, one source per 20, one place per 100, one event per 2
//! and 2.5 participants per event. Rows exercise what real data has: English and Russian
//! labels plus Kazakh, Kalmyk and Mongolian forms, spelling variants, EDTF dates with
//! qualifiers, seasons, unspecified digits and open intervals in both calendars, locators,
//! every certainty, and long notes with commas, quotes, newlines and Cyrillic.
//!
//! Everything here is invented and marked so: names are syllable soup and every source
//! citation says "synthetic". Never mix this output with real data.
#![allow(clippy::print_stdout, clippy::print_stderr)] // notes for the person running it

use anyhow::{Context, Result, bail};
use histkg::ingest::table::ColumnSpec;
use histkg::ingest::{
    ACTOR_COLUMNS, EVENT_COLUMNS, PARTICIPANT_COLUMNS, PLACE_COLUMNS, RELATION_COLUMNS,
    SOURCE_COLUMNS,
};
use std::fs;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast and deterministic; statistical quality is plenty for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const LATIN: &[&str] = &[
    "ab", "ul", "kha", "ir", "sa", "me", "ke", "ab", "lai", "dar", "ma", "ba", "la", "tse", "ren",
    "don", "duk", "gal", "dan", "ba", "tyr", "nur", "ali", "bek", "tai", "shi", "ot", "yu", "ka",
];
const CYRILLIC: &[&str] = &[
    "аб", "ул", "ха", "ир", "са", "ме", "ке", "лай", "дар", "ма", "ба", "ла", "це", "рен", "дон",
    "дук", "гал", "дан", "тыр", "нур", "али", "бек", "тай", "ши", "от", "ю", "ка",
];
const ACTOR_TYPES: &[(&str, u64)] = &[
    ("Person", 60),
    ("Polity", 8),
    ("Institution", 12),
    ("Office", 8),
    ("Group", 12),
];
const PLACE_TYPES: &[&str] = &["Settlement", "Fortress", "River", "Region", "FortifiedLine"];
const SOURCE_TYPES: &[&str] = &[
    "Article",
    "Book",
    "DocumentCollection",
    "PublishedDocument",
    "ArchivalRecord",
    "EncyclopediaEntry",
    "WebPage",
    "Dissertation",
];
const RELATIONS: &[&str] = &[
    "ruled",
    "heldOffice",
    "headed",
    "memberOf",
    "servedIn",
    "subjectOf",
    "subordinateTo",
    "supervised",
    "partOfPolity",
    "spouseOf",
    "parentOf",
    "siblingOf",
    "cousinOf",
    "relativeOf",
    "successorOf",
    "supported",
    "hostileTo",
    "alliedWith",
    "diplomaticContactWith",
    "soughtProtectionOf",
    "incited",
    "hostageWith",
    "reportedTo",
];
const EVENT_TYPES: &[&str] = &[
    "Embassy",
    "Letter",
    "Report",
    "Instruction",
    "Interrogation",
    "Mission",
    "Raid",
    "Capture",
    "PrisonerExchange",
    "Mediation",
    "Oath",
    "Appointment",
    "Treaty",
    "Campaign",
    "Migration",
    "Confinement",
    "Meeting",
    "HostageGiving",
];
const ROLES: &[&str] = &[
    "agent",
    "sender",
    "recipient",
    "envoy",
    "mediator",
    "party",
    "reporter",
    "informant",
    "authority",
    "appointee",
    "perpetrator",
    "victim",
    "captive",
    "commander",
    "subject",
];
const CERTAINTY: &[&str] = &["", "", "", "certain", "probable", "possible", "disputed"];
const CALENDARS: &[&str] = &["", "julian", "julian", "gregorian"];
const OTHER_LANGS: &[&str] = &["kk", "xal", "mn", "tt", "ba"];

fn main() -> Result<()> {
    let mut relations: Option<usize> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--relations" => relations = Some(parse_size(&value()?)?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().context("--seed takes a number")?,
            "-h" | "--help" => {
                println!("usage: synth --relations N --out DIR [--seed S]");
                return Ok(());
            }
            other => {
                bail!("unknown argument `{other}`; usage: synth --relations N --out DIR [--seed S]")
            }
        }
    }
    let (Some(n), Some(out)) = (relations, out) else {
        bail!("usage: synth --relations N --out DIR [--seed S]");
    };
    let sizes = Sizes::for_relations(n);
    fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for file in ["ontology.ttl", "dataset.ttl"] {
        fs::copy(data.join(file), out.join(file)).with_context(|| format!("cannot copy {file}"))?;
    }
    let mut g = Generator {
        rng: Rng(seed),
        sizes,
    };
    g.sources(&out.join("sources.csv"))?;
    g.actors(&out.join("actors.csv"))?;
    g.places(&out.join("places.csv"))?;
    g.relations(&out.join("relations.csv"))?;
    let participants = g.events(&out.join("events.csv"), &out.join("participants.csv"))?;
    eprintln!(
        "synth: {} relations, {} actors, {} places, {} sources, {} events, {} participants in {}",
        sizes.relations,
        sizes.actors,
        sizes.places,
        sizes.sources,
        sizes.events,
        participants,
        out.display()
    );
    Ok(())
}

/// Accepts `100000`, `100k`, `1m`.
fn parse_size(text: &str) -> Result<usize> {
    let lower = text.to_ascii_lowercase();
    let (digits, factor) = match lower.as_bytes().last() {
        Some(b'k') => (&lower[..lower.len() - 1], 1_000),
        Some(b'm') => (&lower[..lower.len() - 1], 1_000_000),
        _ => (&lower[..], 1),
    };
    let n: usize = digits
        .parse()
        .with_context(|| format!("`{text}` is not a size such as 10000, 100k or 1m"))?;
    Ok(n * factor)
}

#[derive(Clone, Copy)]
struct Sizes {
    relations: usize,
    actors: usize,
    places: usize,
    sources: usize,
    events: usize,
}

impl Sizes {
    fn for_relations(relations: usize) -> Self {
        Self {
            relations,
            actors: (relations / 10).max(50),
            places: (relations / 100).max(20),
            sources: (relations / 20).max(20),
            events: (relations / 2).max(20),
        }
    }
}

struct Generator {
    rng: Rng,
    sizes: Sizes,
}

/// A CSV writer whose header is histkg's own column list for the table, so the generator
/// follows the schema; rows give the columns in that order.
fn writer(path: &Path, columns: &[ColumnSpec]) -> Result<csv::Writer<fs::File>> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    w.write_record(columns.iter().map(|c| c.name))?;
    Ok(w)
}

impl Generator {
    fn word(&mut self, syllables: &[&str]) -> String {
        let n = 2 + self.rng.below(3);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(self.rng.pick(syllables));
        }
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => s,
        }
    }

    /// A name in Latin and Cyrillic, numbered so that labels stay distinguishable.
    fn names(&mut self, i: usize) -> (String, String) {
        let en = format!("{} {} {i}", self.word(LATIN), self.word(LATIN));
        let ru = format!("{} {} {i}", self.word(CYRILLIC), self.word(CYRILLIC));
        (en, ru)
    }

    fn other_labels(&mut self, i: usize) -> (String, String) {
        let mut labels = Vec::new();
        if self.rng.chance(40) {
            let lang = self.rng.pick(OTHER_LANGS);
            labels.push(format!("{} {i}@{lang}", self.word(CYRILLIC)));
        }
        let mut alt = Vec::new();
        for _ in 0..self.rng.below(3) {
            let lang = if self.rng.chance(50) { "en" } else { "ru" };
            let syl = if lang == "en" { LATIN } else { CYRILLIC };
            alt.push(format!("{}@{lang}", self.word(syl)));
        }
        (labels.join(" | "), alt.join(" | "))
    }

    /// A free-text note: usually short, sometimes a long paragraph with the characters that
    /// CSV and RDF serializers must escape.
    fn note(&mut self) -> String {
        match self.rng.below(10) {
            0..=3 => String::new(),
            4..=7 => format!(
                "Synthetic note: {} reported to {}, \"as the letter says\".",
                self.word(LATIN),
                self.word(CYRILLIC)
            ),
            _ => {
                let mut s = String::from("Synthetic long note. ");
                let sentences = 8 + self.rng.below(16);
                for k in 0..sentences {
                    s.push_str(&format!(
                        "{} wrote to {}, and {} answered «{}»; ",
                        self.word(LATIN),
                        self.word(CYRILLIC),
                        self.word(LATIN),
                        self.word(CYRILLIC)
                    ));
                    if k % 5 == 4 {
                        s.push_str("\n\"quoted\" \\ backslash\n");
                    }
                }
                s
            }
        }
    }

    /// An EDTF date of the 1720s-1750s in one of the forms the shipped data uses.
    fn date(&mut self) -> String {
        let year = 1720 + self.rng.below(40);
        self.date_in(year)
    }

    /// A date that starts in `year` or later, for an event that tells of or answers one
    /// starting in `year`: in the same year only as the whole year, so that it is never
    /// wholly before (the data is consistent; source criticism finds nothing there).
    fn date_after(&mut self, year: usize) -> String {
        // Never past 1759, so that chains of reports stay within everyone's life.
        match self.rng.below(3) {
            later if later > 0 && year + later <= 1759 => self.date_in(year + later),
            _ => format!("{year}"),
        }
    }

    /// A date in `year`, in one of the forms the shipped data uses.
    fn date_in(&mut self, year: usize) -> String {
        let month = 1 + self.rng.below(12);
        let day = 1 + self.rng.below(28);
        match self.rng.below(12) {
            0 => String::new(),
            1 | 2 => format!("{year}-{month:02}-{day:02}"),
            3 => format!("{year}-{month:02}"),
            4 => format!("{year}"),
            5 => format!("{year}?"),
            6 => format!("{year}-{month:02}~"),
            7 => format!("{}X", year / 10),
            8 => format!("{year}-{}", 21 + self.rng.below(4)),
            9 => format!("{year}/{}", year + 1 + self.rng.below(8)),
            10 => format!("{year}/.."),
            _ => format!(
                "{year}-{month:02}-{day:02}/{}",
                year + 1 + self.rng.below(3)
            ),
        }
    }

    fn citations(&mut self) -> String {
        let n = 1 + self.rng.below(3);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self.rng.below(self.sizes.sources);
            if self.rng.chance(30) {
                out.push(format!("source-{s}:p. {}", 1 + self.rng.below(600)));
            } else {
                out.push(format!("source-{s}"));
            }
        }
        out.join(" | ")
    }

    fn sources(&mut self, path: &Path) -> Result<()> {
        let mut w = writer(path, SOURCE_COLUMNS)?;
        for i in 0..self.sizes.sources {
            let kind = self.rng.pick(SOURCE_TYPES);
            let title = format!("{} {}", self.word(CYRILLIC), self.word(CYRILLIC));
            let creator = format!("{}, {}.", self.word(LATIN), &self.word(LATIN)[..1]);
            let issued = format!("{}", 1850 + self.rng.below(175));
            let archival = kind == "ArchivalRecord";
            let part_of = if i > 0 && self.rng.chance(10) {
                format!("source-{}", self.rng.below(i))
            } else {
                String::new()
            };
            w.write_record([
                format!("source-{i}").as_str(),
                kind,
                &format!("Synthetic citation {i}: {creator} {title} ({issued})."),
                &title,
                &creator,
                &issued,
                &format!("https://example.org/synthetic/source/{i}"),
                "",
                &part_of,
                if archival { "actor-0" } else { "" },
                if archival { "1" } else { "" },
                if archival { "2" } else { "" },
                if archival { "3" } else { "" },
                if archival { "1-10" } else { "" },
                "ru",
                &self.note(),
            ])?;
        }
        w.flush()?;
        Ok(())
    }

    fn actors(&mut self, path: &Path) -> Result<()> {
        let mut w = writer(path, ACTOR_COLUMNS)?;
        let total: u64 = ACTOR_TYPES.iter().map(|(_, w)| w).sum();
        for i in 0..self.sizes.actors {
            let mut roll = self.rng.next() % total;
            let kind = ACTOR_TYPES
                .iter()
                .find(|(_, weight)| {
                    let hit = roll < *weight;
                    roll = roll.saturating_sub(*weight);
                    hit
                })
                .map_or("Person", |(k, _)| k);
            let (en, ru) = self.names(i);
            let (labels, alt) = self.other_labels(i);
            // Alive through the 1720s-1750s, when every event and relation falls: the
            // lives give source criticism nothing to find.
            let dates = if self.rng.chance(60) {
                let born = 1650 + self.rng.below(45);
                format!("{born}/{}", 1768 + self.rng.below(30))
            } else {
                String::new()
            };
            w.write_record([
                format!("actor-{i}").as_str(),
                kind,
                &en,
                &ru,
                &labels,
                &alt,
                &dates,
                self.rng.pick(CALENDARS),
                &self.note(),
                "",
                &self.citations(),
            ])?;
        }
        w.flush()?;
        Ok(())
    }

    fn places(&mut self, path: &Path) -> Result<()> {
        let mut w = writer(path, PLACE_COLUMNS)?;
        for i in 0..self.sizes.places {
            let (en, ru) = self.names(i);
            let (labels, alt) = self.other_labels(i);
            let (lat, long) = if self.rng.chance(50) {
                (
                    format!("{:.4}", 40.0 + self.rng.below(150_000) as f64 / 10_000.0),
                    format!("{:.4}", 45.0 + self.rng.below(400_000) as f64 / 10_000.0),
                )
            } else {
                (String::new(), String::new())
            };
            // Coordinates name their source; picked without the generator, so that the rest
            // of the data stays what it was before the column existed.
            let coordinates_source = if lat.is_empty() {
                String::new()
            } else {
                format!("source-{}", i % self.sizes.sources)
            };
            let part_of = if i > 0 && self.rng.chance(30) {
                format!("place-{}", self.rng.below(i))
            } else {
                String::new()
            };
            w.write_record([
                format!("place-{i}").as_str(),
                self.rng.pick(PLACE_TYPES),
                &en,
                &ru,
                &labels,
                &alt,
                &lat,
                &long,
                &coordinates_source,
                "",
                &part_of,
                &self.note(),
                &self.citations(),
            ])?;
        }
        w.flush()?;
        Ok(())
    }

    fn optional_place(&mut self, percent: u64) -> String {
        if self.rng.chance(percent) {
            format!("place-{}", self.rng.below(self.sizes.places))
        } else {
            String::new()
        }
    }

    fn relations(&mut self, path: &Path) -> Result<()> {
        let mut w = writer(path, RELATION_COLUMNS)?;
        let actors = self.sizes.actors;
        for i in 0..self.sizes.relations {
            let subject = self.rng.below(actors);
            // Neighbours are likelier, so the graph has dense regions and hubs.
            let object = if self.rng.chance(70) {
                (subject + 1 + self.rng.below(20)) % actors
            } else {
                (subject + 1 + self.rng.below(actors - 1)) % actors
            };
            let predicate = self.rng.pick(RELATIONS);
            let date = self.date();
            let written = if !date.is_empty() && self.rng.chance(10) {
                format!("в {} году", &date[..4])
            } else {
                String::new()
            };
            w.write_record([
                format!("rel-{i}").as_str(),
                &format!("actor-{subject}"),
                predicate,
                &format!("actor-{object}"),
                &date,
                &written,
                self.rng.pick(CALENDARS),
                &self.optional_place(10),
                self.rng.pick(CERTAINTY),
                &self.citations(),
                &self.note(),
            ])?;
        }
        w.flush()?;
        Ok(())
    }

    /// Writes events and their participants; returns the number of participant rows.
    fn events(&mut self, events: &Path, participants: &Path) -> Result<usize> {
        let mut w = writer(events, EVENT_COLUMNS)?;
        let mut p = writer(participants, PARTICIPANT_COLUMNS)?;
        let mut rows = 0;
        // The first year of each event's date, so that what tells of it or answers it comes
        // no earlier.
        let mut first_years: Vec<Option<usize>> = Vec::with_capacity(self.sizes.events);
        for i in 0..self.sizes.events {
            let (en, ru) = self.names(i);
            let earlier = |rng: &mut Rng| i - 1 - rng.below(i.min(50));
            let about = (i > 0 && self.rng.chance(20)).then(|| earlier(&mut self.rng));
            let response = (i > 0 && self.rng.chance(20)).then(|| earlier(&mut self.rng));
            let after = [about, response]
                .into_iter()
                .flatten()
                .filter_map(|e| first_years[e])
                .max();
            let date = match after {
                Some(year) => self.date_after(year),
                None => self.date(),
            };
            first_years.push(date.get(..3).and_then(|decade| {
                let year = date.get(..4).unwrap_or_default();
                year.parse()
                    .ok()
                    .or_else(|| Some(decade.parse::<usize>().ok()? * 10))
            }));
            let link = |e: Option<usize>| e.map_or(String::new(), |e| format!("event-{e}"));
            w.write_record([
                format!("event-{i}").as_str(),
                self.rng.pick(EVENT_TYPES),
                &en,
                &ru,
                &date,
                "",
                self.rng.pick(CALENDARS),
                &self.optional_place(40),
                &link(about),
                &link(response),
                self.rng.pick(CERTAINTY),
                &self.citations(),
                &self.note(),
            ])?;
            // 1 to 4 participants, distinct (actor, role) pairs.
            let first = self.rng.below(self.sizes.actors);
            for k in 0..1 + self.rng.below(4) {
                let actor = (first + k) % self.sizes.actors;
                p.write_record([
                    format!("event-{i}").as_str(),
                    &format!("actor-{actor}"),
                    self.rng.pick(ROLES),
                    "",
                ])?;
                rows += 1;
            }
        }
        w.flush()?;
        p.flush()?;
        Ok(rows)
    }
}
