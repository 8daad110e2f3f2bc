//! An entity's card: names in every language, types, dates, relations and events with their
//! dates, certainty and sources, the reporting chain, and the cited works, gathered by the
//! page queries `card-*.rq` from the published store. [`card`] builds it as plain data; the
//! entity page renders it as HTML and `histkg show` as text.

use super::{PageQuery, page_query, select};
use crate::error::Result;
use crate::export::turtle::Prefixes;
use crate::query::{count_value, human, local_value, prefixed};
use crate::vocab::{dcterms, hkg, prov, rdf, rdfs, skos};
use oxigraph::model::{NamedNode, NamedNodeRef, Term};
use oxigraph::sparql::QuerySolution;
use oxigraph::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// Another entity, as a link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Its IRI.
    pub iri: String,
    /// Its English label (empty when it has none).
    pub label: String,
}

/// A name or note with its language tag (empty when it has none).
#[derive(Debug, Clone, Serialize)]
pub struct Name {
    /// The text.
    pub text: String,
    /// The BCP 47 language tag, or empty.
    pub lang: String,
}

impl Name {
    fn of(term: &Term, prefixes: &Prefixes<'_>) -> Self {
        match term {
            Term::Literal(l) => Self {
                text: l.value().to_owned(),
                lang: l.language().unwrap_or_default().to_owned(),
            },
            other => Self {
                text: human(other, prefixes),
                lang: String::new(),
            },
        }
    }

    /// The text, tagged with its language (`text@ru`) unless it is English or has none.
    pub fn unless_english(&self) -> String {
        if self.lang == "en" {
            self.text.clone()
        } else {
            self.tagged()
        }
    }

    /// `text@lang`, or the text alone when it has no language.
    pub fn tagged(&self) -> String {
        if self.lang.is_empty() {
            self.text.clone()
        } else {
            format!("{}@{}", self.text, self.lang)
        }
    }
}

/// An EDTF date as the source wrote it, with its Gregorian bounds (`..` when open).
#[derive(Debug, Clone, Serialize)]
pub struct DateSpan {
    /// The EDTF string.
    pub edtf: String,
    /// The earliest Gregorian day, or `..`.
    pub not_before: String,
    /// The latest Gregorian day, or `..`.
    pub not_after: String,
}

/// A relation the entity is subject or object of.
#[derive(Debug, Clone, Serialize)]
pub struct RelationRow {
    /// EDTF date, empty when undated.
    pub date: String,
    /// Subject.
    pub subject: Link,
    /// Relation type (local name).
    pub predicate: String,
    /// Object.
    pub object: Link,
    /// certain, probable, possible or disputed.
    pub certainty: String,
    /// How strong its evidence is ([`evidence`]).
    pub evidence: String,
    /// Footnote numbers of the sources.
    pub sources: Vec<usize>,
}

/// An event the entity took part in.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// EDTF date, empty when undated.
    pub date: String,
    /// The event.
    pub event: Link,
    /// Its class (local name).
    pub class: String,
    /// The entity's role (local name).
    pub role: String,
    /// Certainty.
    pub certainty: String,
    /// How strong its evidence is ([`evidence`]).
    pub evidence: String,
    /// Footnote numbers of the sources.
    pub sources: Vec<usize>,
}

/// Someone who took part in an event, in a role.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    /// The role (local name).
    pub role: String,
    /// Who.
    pub who: Link,
}

/// A step of the reporting chain from or to an event.
#[derive(Debug, Clone, Serialize)]
pub struct ChainLink {
    /// How the other event relates: `is about`, `answers`, `reported in`, `answered by`.
    pub phrase: String,
    /// The other event's EDTF date, empty when undated.
    pub date: String,
    /// The other event.
    pub other: Link,
}

/// How many entities of one kind derive from a source.
#[derive(Debug, Clone, Serialize)]
pub struct CitedBy {
    /// The kind (`Actor`, `Assertion`...).
    pub kind: String,
    /// How many.
    pub count: u64,
}

/// A cited work.
#[derive(Debug, Clone, Serialize)]
pub struct SourceNote {
    /// Footnote number.
    pub n: usize,
    /// The source.
    pub source: Link,
    /// Its bibliographic citation.
    pub citation: String,
    /// Pages or folios cited, in lexical order.
    pub locators: Vec<String>,
}

/// Everything a card shows.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// The entity.
    pub iri: String,
    /// English label, or the first one (tagged with its language).
    pub title: String,
    /// Types, abbreviated.
    pub types: Vec<String>,
    /// Names.
    pub names: Vec<Name>,
    /// Spelling and transliteration variants.
    pub variants: Vec<Name>,
    /// The date.
    pub date: Option<DateSpan>,
    /// Comments.
    pub notes: Vec<Name>,
    /// For sources: the bibliographic citation.
    pub citations: Vec<String>,
    /// Footnotes of the entity's own sources.
    pub sources: Vec<usize>,
    /// For assertions and events: how strong the evidence is ([`evidence`]).
    pub evidence: Option<String>,
    /// Relations, by date.
    pub relations: Vec<RelationRow>,
    /// Events the entity took part in, by date.
    pub events: Vec<EventRow>,
    /// For events: who took part.
    pub participants: Vec<Participant>,
    /// For events: the chain along `about` and `inResponseTo`.
    pub chain: Vec<ChainLink>,
    /// For sources: what derives from it.
    pub cited_by: Vec<CitedBy>,
    /// The works cited above, numbered.
    pub bibliography: Vec<SourceNote>,
    /// What source criticism doubts about the entity.
    pub doubts: Vec<Doubt>,
    /// For events and assertions: the IRIs of the places they happened at.
    pub places: Vec<String>,
}

/// A finding of source criticism that concerns the entity.
#[derive(Debug, Clone, Serialize)]
pub struct Doubt {
    /// The finding's kind (`chronology/report-before-event`).
    pub kind: String,
    /// What is doubtful.
    pub message: String,
    /// The review's verdict (`explained`, `errorInSource`, `open`), empty when unreviewed.
    pub verdict: String,
    /// The review's note.
    pub note: String,
}

impl Card {
    /// Every entity the card links to, for a page to resolve into links.
    pub fn linked(&self) -> impl Iterator<Item = &str> {
        let relations = self
            .relations
            .iter()
            .flat_map(|r| [r.subject.iri.as_str(), r.object.iri.as_str()]);
        relations
            .chain(self.events.iter().map(|r| r.event.iri.as_str()))
            .chain(self.participants.iter().map(|p| p.who.iri.as_str()))
            .chain(self.chain.iter().map(|c| c.other.iri.as_str()))
            .chain(self.bibliography.iter().map(|s| s.source.iri.as_str()))
    }
}

/// What the card queries share: the store, the prefixes and the footnotes given so far.
struct Reader<'a> {
    store: &'a Store,
    prefixes: &'a [(String, String)],
    abbreviations: Prefixes<'a>,
    entity: NamedNodeRef<'a>,
    /// Source IRI -> footnote number, in order of first citation.
    notes: BTreeMap<String, usize>,
}

impl Reader<'_> {
    fn select(&self, page_query: PageQuery) -> Result<Vec<QuerySolution>> {
        select(
            self.store,
            self.prefixes,
            page_query,
            &[("entity", self.entity)],
        )
    }

    fn text(&self, row: &QuerySolution, var: &str) -> String {
        row.get(var)
            .map(|t| human(t, &self.abbreviations))
            .unwrap_or_default()
    }

    fn link(&self, row: &QuerySolution, iri: &str, label: &str) -> Link {
        Link {
            iri: match row.get(iri) {
                Some(Term::NamedNode(n)) => n.as_str().to_owned(),
                _ => String::new(),
            },
            label: match row.get(label) {
                Some(Term::Literal(l)) => l.value().to_owned(),
                _ => self.text(row, label),
            },
        }
    }

    /// A class, property or concept of the ontology by its local name.
    /// The evidence strength of a row of card-relations.rq or card-events.rq.
    fn evidence(&self, row: &QuerySolution) -> String {
        let count = |var: &str| count_value(row.get(var));
        let corroborated =
            matches!(row.get("corroborated"), Some(Term::Literal(l)) if l.value() == "true");
        evidence(
            count("count"),
            [count("primary"), count("secondary"), count("tertiary")],
            corroborated,
        )
    }

    fn local(&self, row: &QuerySolution, var: &str) -> String {
        local_value(row.get(var))
    }

    /// Footnote numbers for a `|`-joined list of source IRIs.
    fn cite(&mut self, sources: &str) -> Vec<usize> {
        let mut marks: Vec<usize> = sources
            .split('|')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let next = self.notes.len() + 1;
                *self.notes.entry(s.to_owned()).or_insert(next)
            })
            .collect();
        marks.sort_unstable();
        marks.dedup();
        marks
    }
}

/// The statements about the entity itself, by predicate.
struct Facts(Vec<QuerySolution>);

impl Facts {
    fn objects<'a>(&'a self, predicate: NamedNodeRef<'a>) -> impl Iterator<Item = &'a Term> + 'a {
        self.0
            .iter()
            .filter(
                move |r| matches!(r.get("p"), Some(Term::NamedNode(n)) if n.as_ref() == predicate),
            )
            .filter_map(|r| r.get("o"))
    }
}

/// Gathers the card of `node` from `store`, whose prefixes are `prefixes`.
pub fn card(store: &Store, prefixes: &[(String, String)], node: &NamedNode) -> Result<Card> {
    let mut reader = Reader {
        store,
        prefixes,
        abbreviations: Prefixes::new(prefixes),
        entity: node.as_ref(),
        notes: BTreeMap::new(),
    };
    let mut card = own_facts(&mut reader, node)?;
    relations(&mut reader, &mut card)?;
    events(&mut reader, &mut card)?;
    participants_and_chain(&reader, &mut card)?;
    for r in reader.select(page_query!("card-cited-by"))? {
        card.cited_by.push(CitedBy {
            kind: reader.local(&r, "kind"),
            count: reader.text(&r, "n").parse().map_err(|_| {
                crate::Error::internal(format!("a count is not a number: {}", reader.text(&r, "n")))
            })?,
        });
    }
    card.bibliography = bibliography(&reader)?;
    for r in reader.select(page_query!("card-doubts"))? {
        card.doubts.push(Doubt {
            kind: reader.local(&r, "kind"),
            message: reader.local(&r, "message"),
            verdict: reader.local(&r, "verdict"),
            note: reader.local(&r, "note"),
        });
    }
    Ok(card)
}

/// The card with the entity's own statements filled in.
fn own_facts(reader: &mut Reader<'_>, node: &NamedNode) -> Result<Card> {
    let facts = Facts(reader.select(page_query!("card-facts"))?);
    let p = &reader.abbreviations;
    let names: Vec<Name> = facts.objects(rdfs::LABEL).map(|t| Name::of(t, p)).collect();
    let title = names
        .iter()
        .find(|n| n.lang == "en")
        .map(|n| n.text.clone())
        .or_else(|| names.first().map(Name::tagged))
        .unwrap_or_else(|| node.as_str().to_owned());
    let first = |predicate| facts.objects(predicate).next().map(|t| human(t, p));
    let date = first(hkg::DATE).map(|edtf| DateSpan {
        edtf,
        not_before: first(hkg::NOT_BEFORE).unwrap_or_else(|| "..".into()),
        not_after: first(hkg::NOT_AFTER).unwrap_or_else(|| "..".into()),
    });
    let own: Vec<&str> = facts
        .objects(prov::WAS_DERIVED_FROM)
        .filter_map(|t| match t {
            Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let sources = reader.cite(&own.join("|"));
    let count = |predicate| count_value(facts.objects(predicate).next());
    let strength = facts.objects(hkg::SOURCE_COUNT).next().is_some().then(|| {
        let tiers = [
            count(hkg::PRIMARY_SOURCES),
            count(hkg::SECONDARY_SOURCES),
            count(hkg::TERTIARY_SOURCES),
        ];
        let corroborated = facts.objects(hkg::CORROBORATED).next().is_some();
        evidence(count(hkg::SOURCE_COUNT), tiers, corroborated)
    });
    let p = &reader.abbreviations;
    Ok(Card {
        iri: node.as_str().to_owned(),
        title,
        types: facts.objects(rdf::TYPE).map(|t| human(t, p)).collect(),
        variants: facts
            .objects(skos::ALT_LABEL)
            .map(|t| Name::of(t, p))
            .collect(),
        names,
        date,
        notes: facts
            .objects(rdfs::COMMENT)
            .map(|t| Name::of(t, p))
            .collect(),
        citations: facts
            .objects(dcterms::BIBLIOGRAPHIC_CITATION)
            .map(|t| human(t, p))
            .collect(),
        sources,
        evidence: strength,
        relations: Vec::new(),
        events: Vec::new(),
        participants: Vec::new(),
        chain: Vec::new(),
        cited_by: Vec::new(),
        bibliography: Vec::new(),
        doubts: Vec::new(),
        places: facts
            .objects(hkg::PLACE_PROP)
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            })
            .collect(),
    })
}

fn relations(reader: &mut Reader<'_>, card: &mut Card) -> Result<()> {
    for r in reader.select(page_query!("card-relations"))? {
        let sources = reader.cite(&reader.text(&r, "srcs"));
        card.relations.push(RelationRow {
            date: reader.text(&r, "date"),
            subject: reader.link(&r, "s", "sname"),
            predicate: reader.local(&r, "p"),
            object: reader.link(&r, "o", "oname"),
            certainty: reader.local(&r, "c"),
            evidence: reader.evidence(&r),
            sources,
        });
    }
    Ok(())
}

fn events(reader: &mut Reader<'_>, card: &mut Card) -> Result<()> {
    for r in reader.select(page_query!("card-events"))? {
        let sources = reader.cite(&reader.text(&r, "srcs"));
        card.events.push(EventRow {
            date: reader.text(&r, "date"),
            event: reader.link(&r, "ev", "label"),
            class: reader.local(&r, "class"),
            role: reader.local(&r, "role"),
            certainty: reader.local(&r, "c"),
            evidence: reader.evidence(&r),
            sources,
        });
    }
    Ok(())
}

fn participants_and_chain(reader: &Reader<'_>, card: &mut Card) -> Result<()> {
    for r in reader.select(page_query!("card-participants"))? {
        card.participants.push(Participant {
            role: reader.local(&r, "role"),
            who: reader.link(&r, "a", "name"),
        });
    }
    for r in reader.select(page_query!("card-chain"))? {
        let phrase = match (
            reader.text(&r, "dir").as_str(),
            reader.local(&r, "link").as_str(),
        ) {
            ("->", "about") => "is about",
            ("->", _) => "answers",
            ("<-", "about") => "reported in",
            _ => "answered by",
        };
        card.chain.push(ChainLink {
            phrase: phrase.to_owned(),
            date: reader.text(&r, "date"),
            other: reader.link(&r, "other", "label"),
        });
    }
    Ok(())
}

/// The works cited on the card, in footnote order, with the locators cited for the entity.
fn bibliography(reader: &Reader<'_>) -> Result<Vec<SourceNote>> {
    let mut citations: BTreeMap<String, String> = BTreeMap::new();
    for r in reader.select(page_query!("card-sources"))? {
        if let Some(Term::NamedNode(source)) = r.get("source") {
            citations.insert(source.as_str().to_owned(), reader.text(&r, "citation"));
        }
    }
    let mut locators: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in reader.select(page_query!("card-locators"))? {
        if let (Some(Term::NamedNode(source)), Some(Term::Literal(locator))) =
            (r.get("source"), r.get("loc"))
        {
            let list = locators.entry(source.as_str().to_owned()).or_default();
            list.push(locator.value().to_owned());
        }
    }
    let mut notes: Vec<(usize, &String)> = reader.notes.iter().map(|(s, n)| (*n, s)).collect();
    notes.sort();
    Ok(notes
        .into_iter()
        .map(|(n, source)| SourceNote {
            n,
            source: Link {
                iri: source.clone(),
                label: prefixed(source, &reader.abbreviations),
            },
            citation: citations.remove(source).unwrap_or_default(),
            locators: locators.remove(source).unwrap_or_default(),
        })
        .collect())
}

/// How strong an assertion's or an event's evidence is, as the build computed it:
/// `2 sources (1 primary, 1 secondary), corroborated`, `1 source (tertiary)`.
pub fn evidence(
    sources: u64,
    [primary, secondary, tertiary]: [u64; 3],
    corroborated: bool,
) -> String {
    let mut text = format!("{sources} source{}", if sources == 1 { "" } else { "s" });
    let tiers: Vec<String> = [
        (primary, "primary"),
        (secondary, "secondary"),
        (tertiary, "tertiary"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, tier)| {
        if sources == 1 {
            tier.to_owned()
        } else {
            format!("{n} {tier}")
        }
    })
    .collect();
    if !tiers.is_empty() {
        text.push_str(&format!(" ({})", tiers.join(", ")));
    }
    if corroborated {
        text.push_str(", corroborated");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::evidence;

    #[test]
    fn evidence_reads_as_a_historian_would_say_it() {
        assert_eq!(evidence(1, [0, 0, 1], false), "1 source (tertiary)");
        assert_eq!(
            evidence(3, [1, 2, 0], true),
            "3 sources (1 primary, 2 secondary), corroborated"
        );
        // A source of a class without a declared tier counts in the total only.
        assert_eq!(evidence(2, [1, 0, 0], false), "2 sources (1 primary)");
    }
}
