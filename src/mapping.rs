//! Records to RDF triples. Pure and deterministic: no I/O, no blank nodes, no randomness.
//!
//! The RDF contract (documented in the README) lives here: every entity gets `rdf:type`
//! (its class and the root class), labels with language tags, dates as EDTF plus Gregorian
//! bounds, and `prov:wasDerivedFrom` for each source; a relation becomes a plain triple
//! (unless disputed) and an `rdf:Statement` assertion node.

use crate::dates::DateValue;
use crate::findings::{Finding, Tier};
use crate::model::{
    Certainty, Citation, Event, LangString, Named, Participation, Record, Relation, Source,
};
use crate::vocab::{
    EDTF_DATATYPE, Iris, Kind, bibo, dcterms, geo, hkg, ontology_term, owl, prov, schema, skos,
    wikidata,
};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term, Triple};
use std::collections::{BTreeMap, HashMap};

/// Turns validated records into triples, one record at a time.
pub struct Mapper {
    iris: Iris,
    /// English names of the actors and places mapped so far, for the labels of relations
    /// (which `ingest` streams after them).
    english_names: HashMap<String, String>,
    /// The tier of each source class, as the ontology declares it.
    tiers: BTreeMap<String, Tier>,
    /// Each source mapped so far (`ingest` streams them first): its tier and the larger
    /// work it is part of, for the evidence strength of assertions and events.
    sources: HashMap<String, (Option<Tier>, Option<String>)>,
}

impl Mapper {
    /// Prepares the mapping for a dataset whose base IRI is `base`, with the tier of each
    /// source class (`hkg:sourceTier` in the ontology, [`crate::ingest::Checked::tiers`])
    /// for the evidence strength; fails only if the IRI is invalid (which `ingest` has
    /// already ruled out).
    pub fn new(base: &str, tiers: BTreeMap<String, Tier>) -> crate::Result<Self> {
        Ok(Self {
            iris: Iris::new(base)?,
            english_names: HashMap::new(),
            tiers,
            sources: HashMap::new(),
        })
    }

    /// The IRI minter for this dataset.
    pub fn iris(&self) -> &Iris {
        &self.iris
    }

    /// The triples of `ontology.ttl` and `dataset.ttl`, each once, in a stable order.
    pub fn files(triples: &[Triple]) -> Vec<Triple> {
        let mut triples = triples.to_vec();
        triples.sort_by_cached_key(|t| t.to_string());
        triples.dedup();
        triples
    }

    /// The triples of one record.
    ///
    /// No triple is given twice over a whole stream of records, so counting them counts the
    /// graph: each record's triples are deduplicated, records otherwise have subjects of
    /// their own (derivations hang off them), the plain triple of a relation is given only by
    /// the first undisputed row asserting it, and `hkg:participant` only by the first row
    /// putting an actor at an event.
    pub fn record(&mut self, record: &Record) -> Vec<Triple> {
        match record {
            Record::Source(s) => self.source(s),
            Record::Actor(a) => self.named(a, Kind::Actor),
            Record::Place(p) => self.named(p, Kind::Place),
            Record::Relation(r) => self.relation(r),
            Record::Event(e) => self.event(e),
            Record::Participation(p) => self.participation(p),
        }
    }

    fn source(&mut self, s: &Source) -> Vec<Triple> {
        let tier = self.tiers.get(&s.class).copied();
        self.sources.insert(s.id.clone(), (tier, s.part_of.clone()));
        let iri = self.iris.entity(Kind::Source, &s.id);
        let mut out = Out::new(iri.clone());
        out.iri(rdf::TYPE, hkg::SOURCE);
        out.iri(rdf::TYPE, ontology_term(&s.class).as_ref());
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
            // The source's own URL (data, not an IRI histkg mints): the ingest parsed it.
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

    fn named(&mut self, n: &Named, kind: Kind) -> Vec<Triple> {
        if let Some(en) = n.labels.iter().find(|l| l.lang == "en") {
            self.english_names.insert(n.id.clone(), en.text.clone());
        }
        let mut out = Out::new(self.iris.entity(kind, &n.id));
        out.iri(
            rdf::TYPE,
            if kind == Kind::Actor {
                hkg::ACTOR
            } else {
                hkg::PLACE
            },
        );
        out.iri(rdf::TYPE, ontology_term(&n.class).as_ref());
        labels(&mut out, rdfs::LABEL, &n.labels);
        labels(&mut out, skos::ALT_LABEL, &n.alt_labels);
        if let Some(d) = &n.dates {
            date(&mut out, d);
        }
        if let Some(text) = &n.description {
            out.lang(rdfs::COMMENT, text, "en");
        }
        if let Some(q) = &n.wikidata {
            out.iri(owl::SAME_AS, wikidata(q).as_ref());
        }
        if let Some((lat, long)) = &n.coordinates {
            out.typed(geo::LAT, lat, xsd::DECIMAL);
            out.typed(geo::LONG, long, xsd::DECIMAL);
        }
        for source in &n.coordinates_sources {
            let iri = self.iris.entity(Kind::Source, source);
            out.iri(hkg::COORDINATES_FROM, iri.as_ref());
            // The coordinates are statements about the place: their source is one of its
            // sources too, for consumers that read only `prov:wasDerivedFrom`.
            if !n.sources.iter().any(|c| &c.source == source) {
                out.iri(prov::WAS_DERIVED_FROM, iri.as_ref());
            }
        }
        if let Some(text) = &n.coordinates_note {
            out.lang(hkg::COORDINATES_NOTE, text, "en");
        }
        if let Some(parent) = &n.part_of {
            out.iri(hkg::PART_OF, self.iris.entity(Kind::Place, parent).as_ref());
        }
        self.sources(&mut out, &n.sources);
        out.finish()
    }

    /// A relation's assertion node, and its plain triple unless disputed or restated.
    fn relation<'a>(&'a self, r: &'a Relation) -> Vec<Triple> {
        let subject = self.iris.entity(Kind::Actor, &r.subject);
        let predicate = ontology_term(&r.predicate);
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
        let names = &self.english_names;
        let name = |id: &'a str| names.get(id).map_or(id, String::as_str);
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
        out.iri(hkg::CERTAINTY, ontology_term(r.certainty.name()).as_ref());
        if let Some(note) = &r.note {
            out.lang(rdfs::COMMENT, note, "en");
        }
        self.sources(&mut out, &r.sources);
        self.evidence(&mut out, &r.sources);
        if r.certainty != Certainty::Disputed && !r.restated {
            out.triples.push(Triple::new(subject, predicate, object));
        }
        out.finish()
    }

    fn event(&self, e: &Event) -> Vec<Triple> {
        let mut out = Out::new(self.iris.entity(Kind::Event, &e.id));
        out.iri(rdf::TYPE, hkg::EVENT);
        out.iri(rdf::TYPE, ontology_term(&e.class).as_ref());
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
        out.iri(hkg::CERTAINTY, ontology_term(e.certainty.name()).as_ref());
        if let Some(text) = &e.description {
            out.lang(rdfs::COMMENT, text, "en");
        }
        self.sources(&mut out, &e.sources);
        self.evidence(&mut out, &e.sources);
        out.finish()
    }

    /// The evidence strength of an assertion or event: how many distinct sources, how many
    /// of each tier (those with none are left out), and whether two independent ones (not
    /// parts of one work) agree.
    fn evidence(&self, out: &mut Out, citations: &[Citation]) {
        let mut distinct: Vec<&str> = citations.iter().map(|c| c.source.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let count = |n: usize| Literal::from(i64::try_from(n).unwrap_or(i64::MAX));
        out.triples.push(Triple::new(
            out.subject.clone(),
            hkg::SOURCE_COUNT,
            count(distinct.len()),
        ));
        for (tier, property) in [
            (Tier::Primary, hkg::PRIMARY_SOURCES),
            (Tier::Secondary, hkg::SECONDARY_SOURCES),
            (Tier::Tertiary, hkg::TERTIARY_SOURCES),
        ] {
            let n = (distinct.iter())
                .filter(|id| self.sources.get(**id).and_then(|s| s.0) == Some(tier))
                .count();
            if n > 0 {
                out.triples
                    .push(Triple::new(out.subject.clone(), property, count(n)));
            }
        }
        let mut works: Vec<&str> = distinct.iter().map(|id| self.work(id)).collect();
        works.sort_unstable();
        works.dedup();
        if works.len() > 1 {
            out.triples.push(Triple::new(
                out.subject.clone(),
                hkg::CORROBORATED,
                Literal::from(true),
            ));
        }
    }

    /// The outermost work source `id` is part of (itself if none), following `part_of`.
    fn work<'s>(&'s self, id: &'s str) -> &'s str {
        let mut current = id;
        // The ingest refuses a source part of itself; a longer cycle stops after as many
        // steps as there are sources.
        for _ in 0..=self.sources.len() {
            match self.sources.get(current).and_then(|s| s.1.as_deref()) {
                Some(parent) if parent != id => current = parent,
                _ => break,
            }
        }
        current
    }

    /// A finding of source criticism as a resource: its kind, message, what it concerns
    /// and its review.
    pub fn finding(&self, f: &Finding) -> Vec<Triple> {
        let mut out = Out::new(self.iris.finding(&f.id()));
        out.iri(rdf::TYPE, hkg::FINDING);
        out.string(hkg::FINDING_KIND, f.kind.name());
        out.lang(rdfs::COMMENT, &f.message, "en");
        for (kind, id) in f.concerns() {
            out.iri(hkg::CONCERNS, self.iris.entity(kind, id).as_ref());
        }
        if let Some(review) = &f.review {
            out.iri(hkg::VERDICT, ontology_term(review.verdict.term()).as_ref());
            if let Some(note) = &review.note {
                out.lang(hkg::REVIEW_NOTE, note, "en");
            }
            self.sources(&mut out, &review.sources);
        }
        out.finish()
    }

    /// The role triple, and `hkg:participant` unless an earlier row gave it.
    fn participation(&self, p: &Participation) -> Vec<Triple> {
        let mut out = Out::new(self.iris.entity(Kind::Event, &p.event));
        let actor = self.iris.entity(Kind::Actor, &p.actor);
        let role = ontology_term(&p.role);
        if !p.again {
            out.iri(hkg::PARTICIPANT, actor.as_ref());
        }
        if role.as_ref() != hkg::PARTICIPANT {
            out.iri(role.as_ref(), actor.as_ref());
        }
        out.triples
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
        out.iri(hkg::CALENDAR, ontology_term(name).as_ref());
    }
}
