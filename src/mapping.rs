//! Records to RDF triples. Pure and deterministic: no I/O, no blank nodes, no randomness.
//!
//! The RDF contract (documented in the README) lives here: every entity gets `rdf:type`
//! (its class and the root class), labels with language tags, dates as EDTF plus Gregorian
//! bounds, and `prov:wasDerivedFrom` for each source; a relation becomes a plain triple
//! (unless disputed) and an `rdf:Statement` assertion node.

use crate::dates::DateValue;
use crate::model::{Citation, Dataset, Event, LangString, Named, Relation, Source};
use crate::vocab::{
    EDTF_DATATYPE, Iris, Kind, WIKIDATA_ENTITY, bibo, dcterms, geo, hkg, owl, prov, schema, skos,
};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term, Triple};
use std::collections::{HashMap, HashSet};

/// Turns a validated [`Dataset`] into triples.
pub struct Mapper<'a> {
    dataset: &'a Dataset,
    iris: Iris,
    english_names: HashMap<&'a str, &'a str>,
}

impl<'a> Mapper<'a> {
    /// Prepares the mapping; fails only if the dataset's base IRI is invalid (which `ingest`
    /// has already ruled out).
    pub fn new(dataset: &'a Dataset) -> Result<Self, String> {
        let iris = Iris::new(&dataset.base)?;
        let english_names = dataset
            .actors
            .iter()
            .chain(&dataset.places)
            .filter_map(|n| {
                n.labels
                    .iter()
                    .find(|l| l.lang == "en")
                    .map(|l| (n.id.as_str(), l.text.as_str()))
            })
            .collect();
        Ok(Self {
            dataset,
            iris,
            english_names,
        })
    }

    /// The IRI minter for this dataset.
    pub fn iris(&self) -> &Iris {
        &self.iris
    }

    /// Every triple of the dataset, record by record, without materialising the whole graph.
    ///
    /// No triple is given twice, so counting them counts the graph: each record's triples
    /// are deduplicated (an actor in two roles of one event is one `hkg:participant`),
    /// records otherwise have subjects of their own (derivations hang off them), and the plain
    /// triple of a relation asserted by several rows is given once.
    pub fn triples(&self) -> impl Iterator<Item = Triple> + '_ {
        let d = self.dataset;
        let mut plain: HashSet<(&str, &str, &str)> = HashSet::new();
        let mut rdf_files = d.rdf_files.clone();
        rdf_files.sort_by_cached_key(|t| t.to_string());
        rdf_files.dedup();
        rdf_files
            .into_iter()
            .chain(d.sources.iter().flat_map(|s| self.source(s)))
            .chain(d.actors.iter().flat_map(|a| self.named(a, Kind::Actor)))
            .chain(d.places.iter().flat_map(|p| self.named(p, Kind::Place)))
            .chain(d.relations.iter().flat_map(move |r| {
                // Disputed rows get no plain triple, so they must not claim it either.
                let give_plain = r.certainty != crate::model::Certainty::Disputed
                    && plain.insert((&r.subject, &r.predicate, &r.object));
                self.relation(r, give_plain)
            }))
            .chain(d.events.iter().flat_map(|e| self.event(e)))
    }

    fn class(local: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}{local}", hkg::NS))
    }

    fn source(&self, s: &Source) -> Vec<Triple> {
        let iri = self.iris.entity(Kind::Source, &s.id);
        let mut out = Out::new(iri.clone());
        out.iri(rdf::TYPE, hkg::SOURCE);
        out.iri(rdf::TYPE, Self::class(&s.class).as_ref());
        let label = s.title.as_deref().unwrap_or(&s.citation);
        match &s.language {
            Some(lang) => out.lang(rdfs::LABEL, label, lang),
            None => out.string(rdfs::LABEL, label),
        }
        out.string(dcterms::BIBLIOGRAPHIC_CITATION, &s.citation);
        if let Some(title) = &s.title {
            out.string(dcterms::TITLE, title);
        }
        for creator in &s.creators {
            out.string(dcterms::CREATOR, creator);
        }
        if let Some(issued) = &s.issued {
            out.typed(dcterms::ISSUED, &issued.edtf, EDTF_DATATYPE);
        }
        if let Some(url) = &s.url {
            out.iri(schema::URL, NamedNode::new_unchecked(url.as_str()).as_ref());
        }
        if let Some(doi) = &s.doi {
            out.string(bibo::DOI, doi);
        }
        if let Some(parent) = &s.part_of {
            out.iri(
                dcterms::IS_PART_OF,
                self.iris.entity(Kind::Source, parent).as_ref(),
            );
        }
        if let Some(archive) = &s.archive {
            out.iri(
                hkg::ARCHIVE,
                self.iris.entity(Kind::Actor, archive).as_ref(),
            );
        }
        for (p, v) in [
            (hkg::FOND, &s.fond),
            (hkg::OPIS, &s.opis),
            (hkg::DELO, &s.delo),
            (hkg::FOLIOS, &s.folios),
        ] {
            if let Some(v) = v {
                out.string(p, v);
            }
        }
        if let Some(lang) = &s.language {
            out.string(dcterms::LANGUAGE, lang);
        }
        if let Some(note) = &s.note {
            out.lang(rdfs::COMMENT, note, "en");
        }
        out.finish()
    }

    fn named(&self, n: &Named, kind: Kind) -> Vec<Triple> {
        let mut out = Out::new(self.iris.entity(kind, &n.id));
        out.iri(
            rdf::TYPE,
            if kind == Kind::Actor {
                hkg::ACTOR
            } else {
                hkg::PLACE
            },
        );
        out.iri(rdf::TYPE, Self::class(&n.class).as_ref());
        labels(&mut out, rdfs::LABEL, &n.labels);
        labels(&mut out, skos::ALT_LABEL, &n.alt_labels);
        if let Some(d) = &n.dates {
            date(&mut out, d);
        }
        if let Some(text) = &n.description {
            out.lang(rdfs::COMMENT, text, "en");
        }
        if let Some(q) = &n.wikidata {
            out.iri(
                owl::SAME_AS,
                NamedNode::new_unchecked(format!("{WIKIDATA_ENTITY}{q}")).as_ref(),
            );
        }
        if let Some((lat, long)) = &n.coordinates {
            out.typed(geo::LAT, lat, xsd::DECIMAL);
            out.typed(geo::LONG, long, xsd::DECIMAL);
        }
        if let Some(parent) = &n.part_of {
            out.iri(hkg::PART_OF, self.iris.entity(Kind::Place, parent).as_ref());
        }
        self.sources(&mut out, &n.sources);
        out.finish()
    }

    /// A relation's assertion node, and its plain triple when `plain` (not disputed, and not
    /// already given for another row).
    fn relation(&self, r: &Relation, plain: bool) -> Vec<Triple> {
        let subject = self.iris.entity(Kind::Actor, &r.subject);
        let predicate = Self::class(&r.predicate);
        let object = self.iris.entity(
            if r.object_is_place {
                Kind::Place
            } else {
                Kind::Actor
            },
            &r.object,
        );
        let mut out = Out::new(self.iris.entity(Kind::Assertion, &r.id));
        out.iri(rdf::TYPE, rdf::STATEMENT);
        out.iri(rdf::TYPE, hkg::ASSERTION);
        let name = |id: &str| self.english_names.get(id).copied().unwrap_or(id).to_owned();
        out.lang(
            rdfs::LABEL,
            &format!("{} {} {}", name(&r.subject), r.predicate, name(&r.object)),
            "en",
        );
        out.iri(rdf::SUBJECT, subject.as_ref());
        out.iri(rdf::PREDICATE, predicate.as_ref());
        out.iri(rdf::OBJECT, object.as_ref());
        if let Some(d) = &r.date {
            date(&mut out, d);
        }
        if let Some(text) = &r.date_as_written {
            out.string(hkg::DATE_AS_WRITTEN, text);
        }
        if let Some(place) = &r.place {
            out.iri(
                hkg::PLACE_PROP,
                self.iris.entity(Kind::Place, place).as_ref(),
            );
        }
        out.iri(hkg::CERTAINTY, Self::class(r.certainty.name()).as_ref());
        if let Some(note) = &r.note {
            out.lang(rdfs::COMMENT, note, "en");
        }
        self.sources(&mut out, &r.sources);
        if plain {
            out.triples.push(Triple::new(subject, predicate, object));
        }
        out.finish()
    }

    fn event(&self, e: &Event) -> Vec<Triple> {
        let mut out = Out::new(self.iris.entity(Kind::Event, &e.id));
        out.iri(rdf::TYPE, hkg::EVENT);
        out.iri(rdf::TYPE, Self::class(&e.class).as_ref());
        labels(&mut out, rdfs::LABEL, &e.labels);
        if let Some(d) = &e.date {
            date(&mut out, d);
        }
        if let Some(text) = &e.date_as_written {
            out.string(hkg::DATE_AS_WRITTEN, text);
        }
        if let Some(place) = &e.place {
            out.iri(
                hkg::PLACE_PROP,
                self.iris.entity(Kind::Place, place).as_ref(),
            );
        }
        for other in &e.about {
            out.iri(hkg::ABOUT, self.iris.entity(Kind::Event, other).as_ref());
        }
        for other in &e.in_response_to {
            out.iri(
                hkg::IN_RESPONSE_TO,
                self.iris.entity(Kind::Event, other).as_ref(),
            );
        }
        out.iri(hkg::CERTAINTY, Self::class(e.certainty.name()).as_ref());
        if let Some(text) = &e.description {
            out.lang(rdfs::COMMENT, text, "en");
        }
        for (role, actor) in &e.participants {
            let actor = self.iris.entity(Kind::Actor, actor);
            out.iri(Self::class(role).as_ref(), actor.as_ref());
            out.iri(hkg::PARTICIPANT, actor.as_ref());
        }
        self.sources(&mut out, &e.sources);
        out.finish()
    }

    /// `prov:wasDerivedFrom` for each source, and a qualified derivation carrying the locator.
    fn sources(&self, out: &mut Out, citations: &[Citation]) {
        for c in citations {
            let source = self.iris.entity(Kind::Source, &c.source);
            out.iri(prov::WAS_DERIVED_FROM, source.as_ref());
            if let Some(locator) = &c.locator {
                let derivation = self.iris.derivation(&out.subject, &c.source);
                out.iri(prov::QUALIFIED_DERIVATION, derivation.as_ref());
                out.triples
                    .push(Triple::new(derivation.clone(), rdf::TYPE, prov::DERIVATION));
                out.triples
                    .push(Triple::new(derivation.clone(), prov::ENTITY, source));
                out.triples.push(Triple::new(
                    derivation,
                    hkg::LOCATOR,
                    Literal::new_simple_literal(locator),
                ));
            }
        }
    }
}

/// Triples about one subject.
struct Out {
    subject: NamedNode,
    triples: Vec<Triple>,
}

impl Out {
    fn new(subject: NamedNode) -> Self {
        Self {
            subject,
            triples: Vec::with_capacity(16),
        }
    }

    /// The record's triples, each once.
    fn finish(mut self) -> Vec<Triple> {
        let mut seen = std::collections::HashSet::with_capacity(self.triples.len());
        let repeated: Vec<bool> = self.triples.iter().map(|t| !seen.insert(t)).collect();
        drop(seen);
        if repeated.contains(&true) {
            let mut i = 0;
            self.triples.retain(|_| {
                i += 1;
                !repeated[i - 1]
            });
        }
        self.triples
    }

    fn push(&mut self, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.triples.push(Triple::new(self.subject.clone(), p, o));
    }

    fn iri(&mut self, p: NamedNodeRef<'_>, o: NamedNodeRef<'_>) {
        self.push(p, o.into_owned());
    }

    fn string(&mut self, p: NamedNodeRef<'_>, value: &str) {
        self.push(p, Literal::new_simple_literal(value));
    }

    fn lang(&mut self, p: NamedNodeRef<'_>, value: &str, lang: &str) {
        self.push(
            p,
            Literal::new_language_tagged_literal_unchecked(value, lang),
        );
    }

    fn typed(&mut self, p: NamedNodeRef<'_>, value: &str, datatype: NamedNodeRef<'_>) {
        self.push(p, Literal::new_typed_literal(value, datatype));
    }
}

fn labels(out: &mut Out, p: NamedNodeRef<'_>, names: &[LangString]) {
    for name in names {
        out.lang(p, &name.text, &name.lang);
    }
}

fn date(out: &mut Out, d: &DateValue) {
    out.typed(hkg::DATE, &d.edtf, EDTF_DATATYPE);
    if let Some(day) = d.not_before {
        out.typed(hkg::NOT_BEFORE, &day.to_string(), xsd::DATE);
    }
    if let Some(day) = d.not_after {
        out.typed(hkg::NOT_AFTER, &day.to_string(), xsd::DATE);
    }
    if let Some(name) = d.calendar.name() {
        out.iri(
            hkg::CALENDAR,
            NamedNode::new_unchecked(format!("{}{name}", hkg::NS)).as_ref(),
        );
    }
}
