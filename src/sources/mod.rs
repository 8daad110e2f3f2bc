//! `histkg sources`: how much of the graph rests on each source, and what the loss of one
//! would leave without evidence or without corroboration (`histkg sources impact SOURCE`).
//! Read side: SPARQL over the published store (`sources/*.rq`); `print` writes the command's
//! output.

pub mod print;

use crate::error::Result;
use crate::query::{count_value, local_value, select};
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QuerySolution;
use oxigraph::store::Store;

/// One source and how much rests on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUse {
    /// The source's IRI.
    pub iri: String,
    /// Its id (the IRI's last segment).
    pub id: String,
    /// Its class (local name).
    pub class: String,
    /// Its tier (`primary`, `secondary`, `tertiary`), empty when its class declares none.
    pub tier: String,
    /// Rows (actors, places, assertions, events) that cite it.
    pub cited_by: u64,
    /// Rows that cite it and no other source.
    pub alone: u64,
}

/// How to order [`list`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    /// Most rows resting on the source alone first, then most citing rows.
    Alone,
    /// Most citing rows first.
    Cited,
    /// By id.
    Id,
}

fn text(row: &QuerySolution, var: &str) -> String {
    match row.get(var) {
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(Term::Literal(l)) => l.value().to_owned(),
        _ => String::new(),
    }
}

/// Every source with how much of the graph depends on it, sorted by `sort`.
pub fn list(store: &Store, prefixes: &[(String, String)], sort: SortBy) -> Result<Vec<SourceUse>> {
    let mut out: Vec<SourceUse> = select(store, prefixes, include_str!("list.rq"), &[])?
        .iter()
        .map(|row| {
            let iri = text(row, "source");
            SourceUse {
                id: iri.rsplit('/').next().unwrap_or_default().to_owned(),
                iri,
                class: local_value(row.get("class")),
                tier: local_value(row.get("tier")),
                cited_by: count_value(row.get("rows")),
                alone: count_value(row.get("alone")),
            }
        })
        .collect();
    // One row per source: the mapping types a source with hkg:Source and its one class.
    match sort {
        SortBy::Alone => out.sort_by(|a, b| {
            (b.alone, b.cited_by)
                .cmp(&(a.alone, a.cited_by))
                .then(a.id.cmp(&b.id))
        }),
        SortBy::Cited => out.sort_by(|a, b| b.cited_by.cmp(&a.cited_by).then(a.id.cmp(&b.id))),
        SortBy::Id => out.sort_by(|a, b| a.id.cmp(&b.id)),
    }
    Ok(out)
}

/// A row that depends on a source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dependent {
    /// Its IRI.
    pub iri: String,
    /// `Assertion`, `Event`, `Actor` or `Place`.
    pub kind: String,
    /// Its English label, or its IRI.
    pub label: String,
}

/// What the loss of one source would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Impact {
    /// Assertions and events left without evidence: they cite this source only.
    pub unsupported: Vec<Dependent>,
    /// Actors and places left without any source.
    pub entities: Vec<Dependent>,
    /// Corroborated assertions and events that would no longer be.
    pub uncorroborated: Vec<Dependent>,
}

impl Impact {
    /// Every row it names.
    pub fn all(&self) -> impl Iterator<Item = &Dependent> {
        (self.unsupported.iter())
            .chain(&self.entities)
            .chain(&self.uncorroborated)
    }
}

/// What rests on `source` alone, and what it corroborates.
pub fn impact(store: &Store, prefixes: &[(String, String)], source: &NamedNode) -> Result<Impact> {
    let binding = [("source", source.as_ref())];
    let dependent = |row: &QuerySolution| {
        let iri = text(row, "row");
        let label = match text(row, "label") {
            l if l.is_empty() => iri.clone(),
            l => l,
        };
        Dependent {
            iri,
            kind: local_value(row.get("kind")),
            label,
        }
    };
    let mut impact = Impact::default();
    for row in select(store, prefixes, include_str!("alone.rq"), &binding)? {
        let d = dependent(&row);
        if matches!(d.kind.as_str(), "Actor" | "Place") {
            impact.entities.push(d);
        } else {
            impact.unsupported.push(d);
        }
    }
    impact.uncorroborated = select(store, prefixes, include_str!("corroboration.rq"), &binding)?
        .iter()
        .map(dependent)
        .collect();
    Ok(impact)
}
