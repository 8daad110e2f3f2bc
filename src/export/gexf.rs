//! GEXF 1.3 for Gephi (`histkg export --format gexf`): the actors as nodes and every
//! assertion between two actors as an edge, dynamic over the Gregorian bounds of its date.
//!
//! - Nodes: `actor/ID` (the IRI relative to the dataset's base), labelled in English, with
//!   the class (`type`), the Russian label and the EDTF dates. With `--events`, the events
//!   too (`event/ID`, with their spell), each linked to its participants by one edge per
//!   role (`kind` = the role).
//! - Edges: `assertion/ID`, subject to object, `kind` = the relation type, so that parallel
//!   edges of different types stay apart; attributes: relation type, certainty, the EDTF
//!   date and its calendar, the number of sources, whether the relation type is symmetric,
//!   and `bounds`, which says what the spell leaves open. Disputed assertions are edges too,
//!   with their certainty.
//! - Time: `mode="dynamic"`, `timeformat="date"`; a spell runs from `hkg:notBefore` to
//!   `hkg:notAfter`. An open end is left out of the spell (GEXF reads it as unbounded) and
//!   `bounds` says `open-start`, `open-end` or `open`; an undated edge has no spell (it is
//!   there at all times) and `bounds` is `undated`.
//! - Every edge is directed, subject to object; symmetric relation types
//!   (`owl:SymmetricProperty`: `spouseOf`, `alliedWith`...) say so in `symmetric`, because a
//!   graph that mixes directed and undirected edges is refused by networkx and others.
//!
//! Deterministic: nodes and edges in the order of their ids. Memory holds the sorted lists
//! of actors, events and assertions (their IRIs), not their triples; nodes and edges are
//! read and formatted on worker threads like the RDF exports.

use super::{Values, for_each_of};
use crate::error::{Context, Result};
use crate::query::stored_base;
use crate::vocab::{hkg, rdf};
use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term, Triple};
use oxigraph::store::Store;
use quick_xml::escape::escape;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write;

/// The IRI of `owl:SymmetricProperty`.
const SYMMETRIC: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#SymmetricProperty");

/// Node attributes: (id, type).
const NODE_ATTRIBUTES: [(&str, &str); 4] = [
    ("kind", "string"),
    ("type", "string"),
    ("label_ru", "string"),
    ("dates", "string"),
];

/// Edge attributes: (id, type).
const EDGE_ATTRIBUTES: [(&str, &str); 7] = [
    ("relation", "string"),
    ("certainty", "string"),
    ("edtf", "string"),
    ("calendar", "string"),
    ("sources", "integer"),
    ("symmetric", "boolean"),
    ("bounds", "string"),
];

/// Writes the graph of `store` as GEXF 1.3 to `w`; with `events`, the events as nodes too.
pub fn write(store: &Store, events: bool, mut w: impl Write) -> Result<()> {
    let base = stored_base(store)?.unwrap_or_default();
    let graph = Graph {
        base: &base,
        symmetric: typed(store, SYMMETRIC)?
            .iter()
            .map(ToString::to_string)
            .collect(),
        roles: typed(store, hkg::ROLE_PROPERTY)?
            .iter()
            .map(ToString::to_string)
            .collect(),
    };
    let actors = typed(store, hkg::ACTOR)?;
    let known: HashSet<String> = actors.iter().map(ToString::to_string).collect();
    let events = if events {
        typed(store, hkg::EVENT)?
    } else {
        Vec::new()
    };
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n  \
         <meta>\n    <creator>histkg</creator>\n    \
         <description>{}</description>\n  </meta>\n  \
         <graph mode=\"dynamic\" defaultedgetype=\"directed\" timeformat=\"date\">\n",
        escape(format!("{base} as a network of actors over time").as_str())
    );
    w.write_all(head.as_bytes()).context("cannot write")?;
    for (class, attributes) in [
        ("node", &NODE_ATTRIBUTES[..]),
        ("edge", &EDGE_ATTRIBUTES[..]),
    ] {
        writeln!(w, "    <attributes class=\"{class}\" mode=\"static\">")?;
        for (id, kind) in attributes {
            writeln!(
                w,
                "      <attribute id=\"{id}\" title=\"{id}\" type=\"{kind}\"/>"
            )?;
        }
        writeln!(w, "    </attributes>")?;
    }
    writeln!(w, "    <nodes>")?;
    let mut consume = |xml: String| w.write_all(xml.as_bytes()).context("cannot write");
    for_each_of(store, &actors, |t| graph.node(&t, "actor"), &mut consume)?;
    for_each_of(store, &events, |t| graph.node(&t, "event"), &mut consume)?;
    consume("    </nodes>\n    <edges>\n".to_owned())?;
    let assertions = typed(store, hkg::ASSERTION)?;
    for_each_of(store, &assertions, |t| graph.edge(&t, &known), &mut consume)?;
    for_each_of(store, &events, |t| graph.participations(&t), &mut consume)?;
    consume("    </edges>\n  </graph>\n</gexf>\n".to_owned())?;
    w.flush().context("cannot write")?;
    Ok(())
}

/// The subjects typed `class`, sorted by IRI.
pub(super) fn typed(store: &Store, class: NamedNodeRef<'_>) -> Result<Vec<NamedOrBlankNode>> {
    let mut subjects = store
        .quads_for_pattern(None, Some(rdf::TYPE), Some(class.into()), None)
        .map(|q| q.map(|q| q.subject))
        .collect::<Result<Vec<_>, _>>()
        .context("cannot read the store")?;
    subjects.sort_by_cached_key(ToString::to_string);
    subjects.dedup();
    Ok(subjects)
}

/// What every node and edge needs to know of the whole graph.
struct Graph<'a> {
    base: &'a str,
    /// Symmetric relation types, as `<iri>`.
    symmetric: HashSet<String>,
    /// Role properties, as `<iri>`.
    roles: HashSet<String>,
}

/// The local name of an IRI of the ontology (`https://...ontology#Person` gives `Person`).
fn local(iri: &str) -> &str {
    iri.strip_prefix(hkg::NS).unwrap_or(iri)
}

/// `<attvalue for="FOR" value="VALUE"/>` lines, for the values present.
fn attvalues(out: &mut String, values: &[(&str, Option<&str>)]) {
    if values.iter().all(|(_, v)| v.is_none()) {
        return;
    }
    out.push_str("        <attvalues>\n");
    for (name, value) in values {
        if let Some(value) = value {
            let _ = writeln!(
                out,
                "          <attvalue for=\"{name}\" value=\"{}\"/>",
                escape(*value)
            );
        }
    }
    out.push_str("        </attvalues>\n");
}

/// A spell from the Gregorian bounds, and what it leaves open (`bounds`).
fn spell(out: &mut String, not_before: Option<&str>, not_after: Option<&str>) -> &'static str {
    let bounds = match (not_before, not_after) {
        (None, None) => return "undated",
        (Some(_), Some(_)) => "closed",
        (None, Some(_)) => "open-start",
        (Some(_), None) => "open-end",
    };
    out.push_str("        <spells>\n          <spell");
    for (name, value) in [("start", not_before), ("end", not_after)] {
        if let Some(value) = value {
            let _ = write!(out, " {name}=\"{}\"", escape(value));
        }
    }
    out.push_str("/>\n        </spells>\n");
    bounds
}

impl Graph<'_> {
    /// The id of an entity: its IRI relative to the base (`actor/abulkhair`).
    fn id<'i>(&self, iri: &'i str) -> &'i str {
        iri.strip_prefix(self.base).unwrap_or(iri)
    }

    /// The most specific class of the subject: its `rdf:type` in the ontology other than
    /// the root classes.
    fn class<'v>(values: &'v Values, root: &str) -> Option<&'v str> {
        values
            .all(rdf::TYPE)
            .iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n.as_str()),
                _ => None,
            })
            .filter(|iri| iri.starts_with(hkg::NS) && local(iri) != root)
            .map(local)
            .min()
    }

    fn node(&self, triples: &[Triple], kind: &str) -> String {
        let Some(subject) = triples.first().map(|t| t.subject.to_string()) else {
            return String::new();
        };
        let iri = subject.trim_start_matches('<').trim_end_matches('>');
        let values = Values::of(triples);
        let root = if kind == "actor" { "Actor" } else { "Event" };
        let label = values
            .label("en")
            .or_else(|| values.label("ru"))
            .unwrap_or(self.id(iri));
        let mut out = format!(
            "      <node id=\"{}\" label=\"{}\">\n",
            escape(self.id(iri)),
            escape(label)
        );
        let bounds = (
            values.literal(hkg::NOT_BEFORE),
            values.literal(hkg::NOT_AFTER),
        );
        attvalues(
            &mut out,
            &[
                ("kind", Some(kind)),
                ("type", Self::class(&values, root)),
                ("label_ru", values.label("ru")),
                ("dates", values.literal(hkg::DATE)),
            ],
        );
        // Events are where they happened in time; actors are there throughout.
        if kind == "event" {
            spell(&mut out, bounds.0, bounds.1);
        }
        out.push_str("      </node>\n");
        out
    }

    /// The edge of an assertion between two actors (`known`); nothing for one whose
    /// object is a place.
    fn edge(&self, triples: &[Triple], known: &HashSet<String>) -> String {
        let Some(subject) = triples.first().map(|t| t.subject.to_string()) else {
            return String::new();
        };
        let values = Values::of(triples);
        let (Some(Term::NamedNode(from)), Some(Term::NamedNode(to)), Some(predicate)) = (
            values.all(rdf::SUBJECT).first(),
            values.all(rdf::OBJECT).first(),
            values.iri(rdf::PREDICATE),
        ) else {
            return String::new();
        };
        if !known.contains(&from.to_string()) || !known.contains(&to.to_string()) {
            return String::new();
        }
        let iri = subject.trim_start_matches('<').trim_end_matches('>');
        let relation = local(predicate);
        let mut out = format!(
            "      <edge id=\"{}\" source=\"{}\" target=\"{}\" kind=\"{}\" label=\"{}\">\n",
            escape(self.id(iri)),
            escape(self.id(from.as_str())),
            escape(self.id(to.as_str())),
            escape(relation),
            escape(relation)
        );
        let bounds = spell(
            &mut out,
            values.literal(hkg::NOT_BEFORE),
            values.literal(hkg::NOT_AFTER),
        );
        let symmetric = self.symmetric.contains(&format!("<{predicate}>"));
        attvalues(
            &mut out,
            &[
                ("relation", Some(relation)),
                ("certainty", values.iri(hkg::CERTAINTY).map(local)),
                ("edtf", values.literal(hkg::DATE)),
                ("calendar", values.iri(hkg::CALENDAR).map(local)),
                ("sources", values.literal(hkg::SOURCE_COUNT)),
                ("symmetric", Some(if symmetric { "true" } else { "false" })),
                ("bounds", Some(bounds)),
            ],
        );
        out.push_str("      </edge>\n");
        out
    }

    /// An event's edges to its participants, one per role (`hkg:participant` only for an
    /// actor the event gives no other role), with the event's spell.
    fn participations(&self, triples: &[Triple]) -> String {
        let Some(subject) = triples.first().map(|t| t.subject.to_string()) else {
            return String::new();
        };
        let event = self.id(subject.trim_start_matches('<').trim_end_matches('>'));
        let values = Values::of(triples);
        let participant = hkg::PARTICIPANT.to_string();
        let mut roles: Vec<(&str, &str)> = Vec::new();
        for t in triples {
            let predicate = t.predicate.to_string();
            if let Term::NamedNode(actor) = &t.object
                && predicate != participant
                && self.roles.contains(&predicate)
            {
                roles.push((actor.as_str(), local(t.predicate.as_str())));
            }
        }
        for actor in values.all(hkg::PARTICIPANT) {
            if let Term::NamedNode(actor) = actor
                && !roles.iter().any(|(a, _)| *a == actor.as_str())
            {
                roles.push((actor.as_str(), "participant"));
            }
        }
        roles.sort_unstable();
        let mut out = String::new();
        for (actor, role) in roles {
            let actor = self.id(actor);
            let _ = writeln!(
                out,
                "      <edge id=\"{}\" source=\"{}\" target=\"{}\" kind=\"{}\" label=\"{}\">",
                escape(format!("{event}/{role}/{actor}").as_str()),
                escape(actor),
                escape(event),
                escape(role),
                escape(role)
            );
            let bounds = spell(
                &mut out,
                values.literal(hkg::NOT_BEFORE),
                values.literal(hkg::NOT_AFTER),
            );
            attvalues(
                &mut out,
                &[
                    ("relation", Some(role)),
                    ("edtf", values.literal(hkg::DATE)),
                    ("calendar", values.iri(hkg::CALENDAR).map(local)),
                    ("symmetric", Some("false")),
                    ("bounds", Some(bounds)),
                ],
            );
            out.push_str("      </edge>\n");
        }
        out
    }
}
