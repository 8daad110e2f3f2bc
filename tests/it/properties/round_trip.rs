//! Datasets in the CSV schema: generated tables through `histkg build` and every export
//! format back to the same graph, which holds every triple the mapping makes of the rows and
//! the labels as written.

use super::generators::{
    GenDataset, GenEvent, GenNamed, GenRelation, GenSource, gen_dataset, make_id,
};
use super::{BASE, Dataset, Row, config};
use crate::common::{self, BIN};
use histkg::ingest;
use histkg::mapping::Mapper;
use histkg::vocab::{Iris, Kind};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, Triple};
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::BTreeSet;
use std::fs;
use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;

/// What the graph must hold whatever the export: the English and Russian labels of each
/// named entity and event, taken from the generated values rather than from the mapping.
pub(super) struct Expected {
    pub(super) labels: Vec<(String, String, &'static str)>,
}

impl GenDataset {
    /// The tables, every reference resolved to the id of a row of its table, and the labels
    /// the graph must hold.
    pub(super) fn assemble(&self) -> (Dataset, Expected) {
        let ids = Ids::of(self);
        let mut expected = Expected { labels: Vec::new() };
        let sources = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| ids.source(i, s))
            .collect();
        let actors = ids.named(
            &self.actors,
            &ids.actors,
            &["Person", "Polity", "Institution", "Office", "Group"],
            false,
            &mut expected,
        );
        let places = ids.named(
            &self.places,
            &ids.places,
            &["Settlement", "Fortress", "River", "Region", "FortifiedLine"],
            true,
            &mut expected,
        );
        let relations = self
            .relations
            .iter()
            .enumerate()
            .filter_map(|(i, r)| ids.relation(i, r))
            .collect();
        let events = self
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| ids.event(i, e, &mut expected))
            .collect();
        let participants = ids.participants(&self.participants);
        let data = Dataset {
            sources,
            actors,
            places,
            relations,
            events,
            participants,
        };
        (data, expected)
    }
}

/// The ids of a generated dataset's rows, table by table (made by [`make_id`]).
struct Ids {
    sources: Vec<String>,
    actors: Vec<String>,
    places: Vec<String>,
    relations: Vec<String>,
    events: Vec<String>,
}

/// The id in `list` that `i` picks.
fn pick(list: &[String], i: &Index) -> String {
    list[i.index(list.len())].clone()
}

/// An optional cell: empty when there is nothing.
fn some(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl Ids {
    fn of(generated: &GenDataset) -> Self {
        fn ids<'a>(letter: char, slugs: impl Iterator<Item = &'a String>) -> Vec<String> {
            slugs
                .enumerate()
                .map(|(i, s)| make_id(letter, i, s))
                .collect()
        }
        Ids {
            sources: ids('s', generated.sources.iter().map(|s| &s.slug)),
            actors: ids('a', generated.actors.iter().map(|s| &s.slug)),
            places: ids('p', generated.places.iter().map(|s| &s.slug)),
            relations: ids('r', generated.relations.iter().map(|s| &s.slug)),
            events: ids('e', generated.events.iter().map(|s| &s.slug)),
        }
    }

    /// A `sources` cell: `source:locator` or `source`, separated by ` | `.
    fn cite(&self, cs: &[(Index, Option<String>)]) -> String {
        cs.iter()
            .map(|(i, locator)| match locator {
                Some(l) => format!("{}:{l}", pick(&self.sources, i)),
                None => pick(&self.sources, i),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The row of source `i`.
    fn source(&self, i: usize, s: &GenSource) -> Row {
        let sources = &self.sources;
        let part_of = s
            .part_of
            .as_ref()
            .map(|p| pick(sources, p))
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
                    .map(|a| pick(&self.actors, a))
                    .unwrap_or_default(),
            ),
            ("language", s.language.unwrap_or_default().to_owned()),
            ("note", some(&s.note)),
        ];
        for (column, value) in ["fond", "opis", "delo", "folios"].iter().zip(&s.shelfmark) {
            r.push((*column, some(value)));
        }
        r
    }

    /// The rows of the actors, or of the places when `place`, whose ids are `ids`; their
    /// English and Russian labels go into `expected`.
    fn named(
        &self,
        rows: &[GenNamed],
        ids: &[String],
        classes: &[&'static str],
        place: bool,
        expected: &mut Expected,
    ) -> Vec<Row> {
        let mut out = Vec::new();
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
                ("sources", self.cite(&n.sources)),
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
                    // Coordinates name their source: the place's first one.
                    if let Some((source, _)) = n.sources.first() {
                        r.push(("coordinates_source", pick(&self.sources, source)));
                    }
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
        out
    }

    /// The row of relation `i`, or none when its subject is its object.
    fn relation(&self, i: usize, r: &GenRelation) -> Option<Row> {
        let subject = pick(&self.actors, &r.subject);
        let object = if r.object_is_place {
            pick(&self.places, &r.object)
        } else {
            pick(&self.actors, &r.object)
        };
        if subject == object {
            return None;
        }
        let (date, calendar) = r.date.clone().unwrap_or_default();
        Some(vec![
            ("id", self.relations[i].clone()),
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
                    .map(|p| pick(&self.places, p))
                    .unwrap_or_default(),
            ),
            ("certainty", r.certainty.to_owned()),
            ("sources", self.cite(&r.sources)),
            ("note", some(&r.note)),
        ])
    }

    /// The row of event `i`; its English and Russian labels go into `expected`.
    fn event(&self, i: usize, e: &GenEvent, expected: &mut Expected) -> Row {
        let events = &self.events;
        let others = |list: &[Index]| {
            list.iter()
                .map(|j| pick(events, j))
                .filter(|j| *j != events[i])
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let (date, calendar) = e.date.clone().unwrap_or_default();
        let row = vec![
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
                    .map(|p| pick(&self.places, p))
                    .unwrap_or_default(),
            ),
            ("about", others(&e.about)),
            ("in_response_to", others(&e.in_response_to)),
            ("certainty", e.certainty.to_owned()),
            ("sources", self.cite(&e.sources)),
            ("description", some(&e.description)),
        ];
        expected
            .labels
            .push((events[i].clone(), e.en.trim().to_owned(), "en"));
        expected
            .labels
            .push((events[i].clone(), e.ru.trim().to_owned(), "ru"));
        row
    }

    /// The rows of `participants.csv`, each (event, actor, role) once.
    fn participants(&self, participants: &[(Index, Index, &'static str)]) -> Vec<Row> {
        let mut seen = BTreeSet::new();
        let mut rows = Vec::new();
        for (event, actor, role) in participants {
            let (event, actor) = (pick(&self.events, event), pick(&self.actors, actor));
            if seen.insert((event.clone(), actor.clone(), *role)) {
                rows.push(vec![
                    ("event", event),
                    ("actor", actor),
                    ("role", (*role).to_owned()),
                ]);
            }
        }
        rows
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

pub(super) fn run(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, TestCaseError> {
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
pub(super) fn round_trip(data: &Dataset, expected: &Expected) -> Result<(), TestCaseError> {
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
    let mut mapper = Mapper::new(&checked.base, checked.tiers().clone()).unwrap();
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
