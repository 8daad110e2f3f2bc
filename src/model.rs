//! Plain records, as validated from the CSV tables. No I/O, no RDF.
//!
//! Every reference between records is an id that `ingest` has checked exists, every date is
//! parsed, every language tag is valid: `mapping` can turn records into triples without
//! failing. Records are streamed one at a time ([`Record`]); no type holds the whole dataset.

use crate::dates::DateValue;
use crate::diagnostics::shorten;
use crate::error::{Error, Result};

/// A name in a language: `Абулхаир@ru`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangString {
    /// The text.
    pub text: String,
    /// A valid BCP 47 tag, lowercased as Oxigraph normalises it.
    pub lang: String,
}

/// A cited source, with an optional locator (`p. 35`, `л. 12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Source id.
    pub source: String,
    /// Where in the source.
    pub locator: Option<String>,
}

/// How certain an assertion or an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Certainty {
    /// Stated without doubt.
    #[default]
    Certain,
    /// Likely.
    Probable,
    /// Allowed by the sources.
    Possible,
    /// Contradicted by another source; no plain triple.
    Disputed,
}

impl Certainty {
    /// Parses the `certainty` column (empty means certain).
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "" | "certain" => Ok(Self::Certain),
            "probable" => Ok(Self::Probable),
            "possible" => Ok(Self::Possible),
            "disputed" => Ok(Self::Disputed),
            // Shortened and escaped: the message goes on one line after `file:line:column:`.
            other => Err(Error::user(format!(
                "unknown certainty `{}`; use `certain`, `probable`, `possible` or `disputed`",
                shorten(other)
            ))),
        }
    }

    /// The concept's local name in the ontology.
    pub fn name(self) -> &'static str {
        match self {
            Self::Certain => "certain",
            Self::Probable => "probable",
            Self::Possible => "possible",
            Self::Disputed => "disputed",
        }
    }
}

/// A row of `sources.csv`.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Slug.
    pub id: String,
    /// Local name of a subclass of `hkg:Source`.
    pub class: String,
    /// Human-readable citation.
    pub citation: String,
    /// Title as printed.
    pub title: Option<String>,
    /// Authors or editors.
    pub creators: Vec<String>,
    /// Publication date.
    pub issued: Option<DateValue>,
    /// Where to read it (a valid IRI).
    pub url: Option<String>,
    /// DOI without resolver.
    pub doi: Option<String>,
    /// Source id of the larger work.
    pub part_of: Option<String>,
    /// Actor id of the archive.
    pub archive: Option<String>,
    /// Fond.
    pub fond: Option<String>,
    /// Opis.
    pub opis: Option<String>,
    /// Delo.
    pub delo: Option<String>,
    /// Folios.
    pub folios: Option<String>,
    /// Language of the source (valid BCP 47).
    pub language: Option<String>,
    /// Remarks.
    pub note: Option<String>,
}

/// A row of `actors.csv` or `places.csv`: something with names.
#[derive(Debug, Clone, Default)]
pub struct Named {
    /// Slug.
    pub id: String,
    /// Local name of a subclass of `hkg:Actor` or `hkg:Place`.
    pub class: String,
    /// Preferred names (English and Russian first, then others).
    pub labels: Vec<LangString>,
    /// Variants.
    pub alt_labels: Vec<LangString>,
    /// Life or existence span (actors).
    pub dates: Option<DateValue>,
    /// One-sentence English description.
    pub description: Option<String>,
    /// Wikidata id (`Q123`), actors only.
    pub wikidata: Option<String>,
    /// Latitude and longitude (places).
    pub coordinates: Option<(String, String)>,
    /// Ids of the sources that give the coordinates (places; required with them).
    pub coordinates_sources: Vec<String>,
    /// What the point stands for, where it is conventional: a river's mouth, a region's
    /// centre, an identification that is an inference (places).
    pub coordinates_note: Option<String>,
    /// Place id of the larger place (places).
    pub part_of: Option<String>,
    /// Sources.
    pub sources: Vec<Citation>,
}

/// A row of `relations.csv`.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Slug of the assertion.
    pub id: String,
    /// Actor id.
    pub subject: String,
    /// Local name of an `hkg:RelationProperty`.
    pub predicate: String,
    /// Actor or place id.
    pub object: String,
    /// Whether `object` is a place.
    pub object_is_place: bool,
    /// When the relation held.
    pub date: Option<DateValue>,
    /// The date in the source's words.
    pub date_as_written: Option<String>,
    /// Place id.
    pub place: Option<String>,
    /// Certainty.
    pub certainty: Certainty,
    /// Sources.
    pub sources: Vec<Citation>,
    /// Paraphrase of the source.
    pub note: Option<String>,
    /// An earlier row, not disputed, already asserts the same subject, predicate and object.
    pub restated: bool,
}

/// A row of `events.csv`.
#[derive(Debug, Clone)]
pub struct Event {
    /// Slug.
    pub id: String,
    /// Local name of a subclass of `hkg:Event`.
    pub class: String,
    /// Titles.
    pub labels: Vec<LangString>,
    /// When.
    pub date: Option<DateValue>,
    /// The date in the source's words.
    pub date_as_written: Option<String>,
    /// Place id.
    pub place: Option<String>,
    /// Event ids this event tells of.
    pub about: Vec<String>,
    /// Event ids this event answers.
    pub in_response_to: Vec<String>,
    /// Certainty.
    pub certainty: Certainty,
    /// Sources.
    pub sources: Vec<Citation>,
    /// Paraphrase.
    pub description: Option<String>,
}

/// A row of `participants.csv`: an actor in a role at an event.
#[derive(Debug, Clone)]
pub struct Participation {
    /// Event id.
    pub event: String,
    /// Local name of an `hkg:RoleProperty`.
    pub role: String,
    /// Actor id.
    pub actor: String,
    /// An earlier row already has this actor at this event (in another role).
    pub again: bool,
}

/// One validated row, as `ingest` streams them: sources, actors, places, relations, events,
/// then participations, each table in file order.
#[derive(Debug, Clone)]
pub enum Record {
    /// A row of `sources.csv`.
    Source(Source),
    /// A row of `actors.csv`.
    Actor(Named),
    /// A row of `places.csv`.
    Place(Named),
    /// A row of `relations.csv`.
    Relation(Relation),
    /// A row of `events.csv`.
    Event(Event),
    /// A row of `participants.csv`.
    Participation(Participation),
}
