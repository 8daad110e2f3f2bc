//! An entity's card: names in every language, types, dates, relations and events with their
//! dates, certainty and sources, the reporting chain, and the cited works, gathered by SPARQL
//! from the published store. [`card`] builds it as plain data; [`show`] prints it for the
//! terminal (`histkg show`) and the server renders it as HTML.

use crate::error::{Error, Result};
use crate::export::turtle::Prefixes;
use crate::query::{human, prefixes, stored_base};
use crate::vocab::{Iris, Kind};
use oxigraph::model::{NamedNode, Term};
use oxigraph::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// Another entity, as a link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Its IRI.
    pub iri: String,
    /// Its English label (or the best one).
    pub label: String,
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
    /// Footnote numbers of the sources.
    pub sources: Vec<usize>,
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
    /// Pages or folios cited, `; `-separated.
    pub locators: String,
}

/// Everything a card shows.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// The entity.
    pub iri: String,
    /// English label, or the first one.
    pub title: String,
    /// Types, abbreviated.
    pub types: Vec<String>,
    /// Names as `text@lang`.
    pub names: Vec<String>,
    /// Variants as `text@lang`.
    pub variants: Vec<String>,
    /// EDTF date, and its Gregorian bounds (`..` when open).
    pub date: Option<(String, String, String)>,
    /// Comments.
    pub notes: Vec<String>,
    /// For sources: the bibliographic citation.
    pub citations: Vec<String>,
    /// Footnotes of the entity's own sources.
    pub sources: Vec<usize>,
    /// Relations, by date.
    pub relations: Vec<RelationRow>,
    /// Events the entity took part in, by date.
    pub events: Vec<EventRow>,
    /// For events: (role, participant).
    pub participants: Vec<(String, Link)>,
    /// For events: (phrase, date, other event) along `about` and `inResponseTo`.
    pub chain: Vec<(String, String, Link)>,
    /// For sources: (kind, how many) of what derives from it.
    pub cited_by: Vec<(String, String)>,
    /// The works cited above, numbered.
    pub bibliography: Vec<SourceNote>,
}

type Row = oxigraph::sparql::QuerySolution;

struct Ctx<'a> {
    store: &'a Store,
    prefixes: &'a [(String, String)],
    abbreviations: Prefixes<'a>,
    /// Source IRI -> footnote number, in order of first citation.
    notes: BTreeMap<String, usize>,
}

impl Ctx<'_> {
    fn select(&self, query: &str) -> Result<Vec<Row>> {
        crate::query::select(self.store, self.prefixes, query)
    }

    fn text(&self, row: &Row, var: &str) -> String {
        row.get(var)
            .map(|t| human(t, &self.abbreviations))
            .unwrap_or_default()
    }

    fn iri(row: &Row, var: &str) -> String {
        match row.get(var) {
            Some(Term::NamedNode(n)) => n.as_str().to_owned(),
            _ => String::new(),
        }
    }

    fn link(&self, row: &Row, iri: &str, label: &str) -> Link {
        Link {
            iri: Self::iri(row, iri),
            label: self.text(row, label).trim_end_matches("@en").to_owned(),
        }
    }

    fn local(&self, row: &Row, var: &str) -> String {
        self.text(row, var).trim_start_matches("hkg:").to_owned()
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

/// Resolves `entity` (an id, a prefixed name such as `actor:darma-bala`, or a full IRI).
pub fn resolve(store: &Store, entity: &str) -> Result<NamedNode> {
    let base = stored_base(store)?.unwrap_or_default();
    let iris = Iris::new(&base).ok();
    let mut candidates = Vec::new();
    if entity.contains("://") {
        candidates.push(entity.to_owned());
    } else if let Some((prefix, id)) = entity.split_once(':') {
        if let Some(kind) = Kind::ALL.into_iter().find(|k| k.segment() == prefix) {
            candidates.push(format!("{base}{}/{id}", kind.segment()));
        }
    } else if let Some(iris) = &iris
        && crate::vocab::is_slug(entity)
    {
        candidates.extend(
            Kind::ALL
                .iter()
                .map(|k| iris.entity(*k, entity).into_string()),
        );
    }
    for c in candidates {
        let Ok(node) = NamedNode::new(c) else {
            continue;
        };
        if store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .next()
            .is_some()
        {
            return Ok(node);
        }
    }
    Err(Error::user(format!(
        "no entity `{entity}` in the graph; give an id from the CSV files (e.g. `darma-bala`), a prefixed name (`actor:darma-bala`) or an IRI"
    )))
}

/// Gathers the card of `node`.
pub fn card(store: &Store, node: &NamedNode) -> Result<Card> {
    let prefixes = prefixes(store)?;
    let mut ctx = Ctx {
        store,
        prefixes: &prefixes,
        abbreviations: Prefixes::new(&prefixes),
        notes: BTreeMap::new(),
    };
    let e = format!("<{}>", node.as_str());
    let facts = ctx.select(&format!(
        "SELECT ?p ?o WHERE {{ {e} ?p ?o }} ORDER BY ?p ?o"
    ))?;
    let values = |p: &str| -> Vec<String> {
        facts
            .iter()
            .filter(|r| {
                r.get("p")
                    .is_some_and(|t| matches!(t, Term::NamedNode(n) if n.as_str() == p))
            })
            .filter_map(|r| r.get("o"))
            .map(|t| human(t, &ctx.abbreviations))
            .collect()
    };
    let rdfs = "http://www.w3.org/2000/01/rdf-schema#";
    let hkg = crate::vocab::hkg::NS;
    let names = values(&format!("{rdfs}label"));
    let title = names
        .iter()
        .find(|l| l.ends_with("@en"))
        .or(names.first())
        .cloned()
        .unwrap_or_else(|| node.as_str().to_owned());
    let date = values(&format!("{hkg}date")).into_iter().next().map(|d| {
        let bound = |p: &str| {
            values(&format!("{hkg}{p}"))
                .into_iter()
                .next()
                .unwrap_or_else(|| "..".into())
        };
        (d, bound("notBefore"), bound("notAfter"))
    });
    let own: Vec<String> = facts
        .iter()
        .filter(|r| r.get("p").is_some_and(|t| matches!(t, Term::NamedNode(n) if n.as_str() == "http://www.w3.org/ns/prov#wasDerivedFrom")))
        .filter_map(|r| match r.get("o") {
            Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    let mut card = Card {
        iri: node.as_str().to_owned(),
        title: title.trim_end_matches("@en").to_owned(),
        types: values("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        variants: values("http://www.w3.org/2004/02/skos/core#altLabel"),
        names,
        date,
        notes: values(&format!("{rdfs}comment"))
            .into_iter()
            .map(|c| c.trim_end_matches("@en").to_owned())
            .collect(),
        citations: values("http://purl.org/dc/terms/bibliographicCitation"),
        sources: Vec::new(),
        relations: Vec::new(),
        events: Vec::new(),
        participants: Vec::new(),
        chain: Vec::new(),
        cited_by: Vec::new(),
        bibliography: Vec::new(),
    };
    card.sources = ctx.cite(&own.join("|"));

    for r in ctx.select(&format!(
        "SELECT ?s ?p ?o ?date ?c (SAMPLE(?sl) AS ?sname) (SAMPLE(?ol) AS ?oname) (GROUP_CONCAT(DISTINCT STR(?src); separator='|') AS ?srcs)
         WHERE {{ ?a a hkg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; hkg:certainty ?c ; prov:wasDerivedFrom ?src .
                  FILTER(?s = {e} || ?o = {e})
                  OPTIONAL {{ ?a hkg:date ?date }}
                  OPTIONAL {{ ?s rdfs:label ?sl FILTER(LANG(?sl) = 'en') }}
                  OPTIONAL {{ ?o rdfs:label ?ol FILTER(LANG(?ol) = 'en') }} }}
         GROUP BY ?a ?s ?p ?o ?date ?c ORDER BY ?date ?p ?s ?o"
    ))? {
        let sources = ctx.cite(&ctx.text(&r, "srcs"));
        card.relations.push(RelationRow {
            date: ctx.text(&r, "date"),
            subject: ctx.link(&r, "s", "sname"),
            predicate: ctx.local(&r, "p"),
            object: ctx.link(&r, "o", "oname"),
            certainty: ctx.local(&r, "c"),
            sources,
        });
    }

    for r in ctx.select(&format!(
        "SELECT ?ev ?class ?role ?date ?c (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?src); separator='|') AS ?srcs)
         WHERE {{ ?ev ?role {e} . ?role a hkg:RoleProperty . ?ev a ?class ; hkg:certainty ?c ; prov:wasDerivedFrom ?src .
                  FILTER(?class != hkg:Event)
                  OPTIONAL {{ ?ev hkg:date ?date }} OPTIONAL {{ ?ev rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?ev ?class ?role ?date ?c ORDER BY ?date ?ev ?role"
    ))? {
        let sources = ctx.cite(&ctx.text(&r, "srcs"));
        card.events.push(EventRow {
            date: ctx.text(&r, "date"),
            event: ctx.link(&r, "ev", "label"),
            class: ctx.local(&r, "class"),
            role: ctx.local(&r, "role"),
            certainty: ctx.local(&r, "c"),
            sources,
        });
    }

    for r in ctx.select(&format!(
        "SELECT ?role ?a (SAMPLE(?l) AS ?name) WHERE {{ {e} ?role ?a . ?role a hkg:RoleProperty . OPTIONAL {{ ?a rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?role ?a ORDER BY ?role ?a"
    ))? {
        card.participants.push((ctx.local(&r, "role"), ctx.link(&r, "a", "name")));
    }

    for r in ctx.select(&format!(
        "SELECT ?dir ?link ?other ?date (SAMPLE(?l) AS ?label) WHERE {{
            {{ {e} ?link ?other . BIND('->' AS ?dir) }} UNION {{ ?other ?link {e} . BIND('<-' AS ?dir) }}
            FILTER(?link IN (hkg:about, hkg:inResponseTo))
            OPTIONAL {{ ?other hkg:date ?date }} OPTIONAL {{ ?other rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?dir ?link ?other ?date ORDER BY ?date ?other"
    ))? {
        let phrase = match (ctx.text(&r, "dir").as_str(), ctx.local(&r, "link").as_str()) {
            ("->", "about") => "is about",
            ("->", _) => "answers",
            ("<-", "about") => "reported in",
            _ => "answered by",
        };
        card.chain.push((phrase.to_owned(), ctx.text(&r, "date"), ctx.link(&r, "other", "label")));
    }

    for r in ctx.select(&format!(
        "SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x prov:wasDerivedFrom {e} ; a ?kind . FILTER(?kind IN (hkg:Actor, hkg:Place, hkg:Event, hkg:Assertion)) }} GROUP BY ?kind ORDER BY ?kind"
    ))? {
        card.cited_by.push((ctx.local(&r, "kind"), ctx.text(&r, "n")));
    }

    let mut notes: Vec<(usize, String)> = ctx.notes.iter().map(|(s, n)| (*n, s.clone())).collect();
    notes.sort();
    for (n, source) in notes {
        let rows = ctx.select(&format!(
            "SELECT ?citation (GROUP_CONCAT(DISTINCT ?loc; separator='; ') AS ?locators) WHERE {{
                <{source}> dcterms:bibliographicCitation ?citation .
                OPTIONAL {{ ?x prov:qualifiedDerivation ?d . ?d prov:entity <{source}> ; hkg:locator ?loc .
                           FILTER(?x = {e} || EXISTS {{ ?x rdf:subject|rdf:object {e} }} || EXISTS {{ ?x ?role {e} . ?role a hkg:RoleProperty }}) }}
             }} GROUP BY ?citation"
        ))?;
        let (citation, locators) = rows
            .first()
            .map(|r| (ctx.text(r, "citation"), ctx.text(r, "locators")))
            .unwrap_or_default();
        let label = crate::export::turtle::Prefixes::new(&prefixes)
            .split(&source)
            .map(|(p, l)| format!("{p}:{l}"))
            .unwrap_or_else(|| source.clone());
        card.bibliography.push(SourceNote {
            n,
            source: Link { iri: source, label },
            citation,
            locators,
        });
    }
    Ok(card)
}

fn marks(sources: &[usize]) -> String {
    sources.iter().map(|n| format!("[{n}]")).collect()
}

/// Writes the card of `entity` (an id, prefixed name or IRI) to `out` as text.
pub fn show(store: &Store, entity: &str, mut out: impl Write) -> Result<()> {
    let node = resolve(store, entity)?;
    let card = card(store, &node)?;
    writeln!(out, "{}", card.title)?;
    writeln!(out, "  iri:      {}", card.iri)?;
    writeln!(out, "  type:     {}", card.types.join(", "))?;
    writeln!(out, "  names:    {}", card.names.join(" · "))?;
    if !card.variants.is_empty() {
        writeln!(out, "  variants: {}", card.variants.join(" · "))?;
    }
    if let Some((date, lo, hi)) = &card.date {
        writeln!(out, "  date:     {date} (Gregorian {lo} to {hi})")?;
    }
    for note in &card.notes {
        writeln!(out, "  note:     {note}")?;
    }
    for citation in &card.citations {
        writeln!(out, "  citation: {citation}")?;
    }
    if !card.sources.is_empty() {
        writeln!(out, "  sources:  {}", marks(&card.sources))?;
    }
    let undated = |d: &str| {
        if d.is_empty() {
            "(undated)".to_owned()
        } else {
            d.to_owned()
        }
    };
    if !card.relations.is_empty() {
        writeln!(out, "\nrelations")?;
        for r in &card.relations {
            writeln!(
                out,
                "  {:<14} {} {} {}  [{}] {}",
                undated(&r.date),
                r.subject.label,
                r.predicate,
                r.object.label,
                r.certainty,
                marks(&r.sources)
            )?;
        }
    }
    if !card.events.is_empty() {
        writeln!(out, "\nevents")?;
        for r in &card.events {
            writeln!(
                out,
                "  {:<14} {} ({}; as {})  [{}] {}",
                undated(&r.date),
                r.event.label,
                r.class,
                r.role,
                r.certainty,
                marks(&r.sources)
            )?;
        }
    }
    let prefixes = prefixes(store)?;
    let p = Prefixes::new(&prefixes);
    if !card.participants.is_empty() {
        writeln!(out, "\nparticipants")?;
        for (role, who) in &card.participants {
            writeln!(out, "  {role:<12} {} ({})", who.label, short(&p, &who.iri))?;
        }
    }
    if !card.chain.is_empty() {
        writeln!(out, "\nreporting chain")?;
        for (phrase, date, other) in &card.chain {
            writeln!(
                out,
                "  {phrase:<12} {date} {} ({})",
                other.label,
                short(&p, &other.iri)
            )?;
        }
    }
    if !card.cited_by.is_empty() {
        let parts: Vec<String> = card
            .cited_by
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        writeln!(out, "\ncited by\n  {}", parts.join(", "))?;
    }
    if !card.bibliography.is_empty() {
        writeln!(out, "\nsources")?;
        for s in &card.bibliography {
            let locators = if s.locators.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.locators)
            };
            writeln!(out, "  [{}] {}{locators}", s.n, s.citation)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn short(prefixes: &Prefixes<'_>, iri: &str) -> String {
    prefixes
        .split(iri)
        .map(|(p, l)| format!("{p}:{l}"))
        .unwrap_or_else(|| iri.to_owned())
}
