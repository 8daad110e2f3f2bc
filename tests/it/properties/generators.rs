//! Generators more than one subject uses: slugs, cell text, and datasets in the CSV schema
//! (rows whose references are indexes, resolved when the dataset is assembled).

use super::dates::gen_value;
use histkg::vocab::MAX_ID_LEN;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Slugs of every shape `is_slug` accepts, up to the longest.
pub(super) fn slug() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,5}",
        "[a-z0-9]{1,39}-[a-z0-9]{1,40}",
        "[a-z0-9]{80}",
    ]
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
pub(super) fn text() -> impl Strategy<Value = String> {
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

pub(super) fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
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
pub(super) struct GenSource {
    pub(super) slug: String,
    pub(super) class: &'static str,
    pub(super) citation: String,
    pub(super) title: Option<String>,
    pub(super) creators: Vec<String>,
    pub(super) issued: Option<String>,
    pub(super) url: Option<String>,
    pub(super) doi: Option<String>,
    pub(super) part_of: Option<Index>,
    pub(super) archive: Option<Index>,
    pub(super) shelfmark: [Option<String>; 4],
    pub(super) language: Option<&'static str>,
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct GenNamed {
    pub(super) slug: String,
    pub(super) class_index: Index,
    pub(super) en: String,
    pub(super) ru: String,
    pub(super) labels: String,
    pub(super) alt_labels: String,
    pub(super) dates: Option<(String, &'static str)>,
    pub(super) description: Option<String>,
    pub(super) wikidata: Option<String>,
    pub(super) coordinates: Option<(String, String)>,
    pub(super) part_of: Option<Index>,
    pub(super) sources: Vec<(Index, Option<String>)>,
}

#[derive(Debug, Clone)]
pub(super) struct GenRelation {
    pub(super) slug: String,
    pub(super) subject: Index,
    pub(super) predicate: &'static str,
    pub(super) object: Index,
    pub(super) object_is_place: bool,
    pub(super) date: Option<(String, &'static str)>,
    pub(super) date_as_written: Option<String>,
    pub(super) place: Option<Index>,
    pub(super) certainty: &'static str,
    pub(super) sources: Vec<(Index, Option<String>)>,
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct GenEvent {
    pub(super) slug: String,
    pub(super) class: &'static str,
    pub(super) en: String,
    pub(super) ru: String,
    pub(super) date: Option<(String, &'static str)>,
    pub(super) date_as_written: Option<String>,
    pub(super) place: Option<Index>,
    pub(super) about: Vec<Index>,
    pub(super) in_response_to: Vec<Index>,
    pub(super) certainty: &'static str,
    pub(super) sources: Vec<(Index, Option<String>)>,
    pub(super) description: Option<String>,
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
pub(super) struct GenDataset {
    pub(super) sources: Vec<GenSource>,
    pub(super) actors: Vec<GenNamed>,
    pub(super) places: Vec<GenNamed>,
    pub(super) relations: Vec<GenRelation>,
    pub(super) events: Vec<GenEvent>,
    pub(super) participants: Vec<(Index, Index, &'static str)>,
}

pub(super) fn gen_dataset() -> impl Strategy<Value = GenDataset> {
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
pub(super) fn make_id(letter: char, i: usize, slug: &str) -> String {
    let mut id = format!("{letter}{i}-{slug}");
    id.truncate(MAX_ID_LEN);
    id.trim_end_matches('-').to_owned()
}
