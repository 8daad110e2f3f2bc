//! Plain records, as validated from the CSV tables. No I/O, no RDF.
//!
//! Every reference between records is an id that `ingest` has checked exists, every date is
//! parsed, every language tag is valid: `mapping` can turn records into triples without
//! failing.

use crate::dates::DateValue;

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
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "" | "certain" => Ok(Self::Certain),
            "probable" => Ok(Self::Probable),
            "possible" => Ok(Self::Possible),
            "disputed" => Ok(Self::Disputed),
            other => Err(format!(
                "unknown certainty `{other}`; use `certain`, `probable`, `possible` or `disputed`"
            )),
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
}

/// A row of `events.csv` with its participants from `participants.csv`.
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
    /// (role local name, actor id), in file order.
    pub participants: Vec<(String, String)>,
}

/// A whole validated dataset.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The dataset's base IRI (`void:uriSpace`).
    pub base: String,
    /// Triples of `ontology.ttl` and `dataset.ttl`, loaded as they are.
    pub rdf_files: Vec<oxigraph::model::Triple>,
    /// Sources.
    pub sources: Vec<Source>,
    /// Actors.
    pub actors: Vec<Named>,
    /// Places.
    pub places: Vec<Named>,
    /// Relations.
    pub relations: Vec<Relation>,
    /// Events.
    pub events: Vec<Event>,
}
