//! Exports of the published graph in the standard RDF formats, deterministic: the same
//! data gives byte-identical files.
//!
//! Triples are read from the store and sorted before writing. Turtle and TriG use our own
//! pretty writer ([`turtle`]); N-Triples and N-Quads are sorted lines; RDF/XML and JSON-LD go
//! through Oxigraph's serializers (JSON-LD via `oxjsonld`, which writes a `@context` from
//! the prefixes) fed with the sorted triples.

pub mod turtle;

use anyhow::{Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, Triple};
use oxigraph::store::Store;
use std::io::Write;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty, sorted Turtle.
    Turtle,
    /// Sorted N-Triples.
    Ntriples,
    /// Sorted N-Quads (everything is in the default graph).
    Nquads,
    /// TriG (the default graph, written like the Turtle export).
    Trig,
    /// RDF/XML.
    Rdfxml,
    /// JSON-LD with a `@context` of the prefixes used.
    Jsonld,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::Ntriples => "nt",
            Format::Nquads => "nq",
            Format::Trig => "trig",
            Format::Rdfxml => "rdf",
            Format::Jsonld => "jsonld",
        }
    }
}

/// Every triple of the store's default graph, sorted in the Turtle writer's order.
pub fn sorted_triples(store: &Store) -> Result<Vec<Triple>> {
    let mut triples = store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
        .map(|q| q.map(Triple::from))
        .collect::<Result<Vec<_>, _>>()
        .context("cannot read the store")?;
    turtle::sort(&mut triples);
    Ok(triples)
}

/// Writes `triples` in `format`, abbreviating IRIs with `prefixes` where the format can.
pub fn write(
    triples: Vec<Triple>,
    format: Format,
    prefixes: &[(String, String)],
    mut w: impl Write,
) -> Result<()> {
    match format {
        Format::Turtle | Format::Trig => turtle::write(triples, prefixes, w)?,
        Format::Ntriples | Format::Nquads => {
            let mut lines: Vec<String> = triples.iter().map(|t| format!("{t} .\n")).collect();
            lines.sort();
            lines.dedup();
            for line in lines {
                w.write_all(line.as_bytes())?;
            }
            w.flush()?;
        }
        Format::Rdfxml => {
            let used = turtle::Prefixes::new(prefixes).used(&triples);
            let mut serializer = RdfSerializer::from_format(RdfFormat::RdfXml);
            for (p, ns) in used {
                serializer = serializer.with_prefix(p, ns)?;
            }
            let mut writer = serializer.for_writer(w);
            for t in &triples {
                writer.serialize_triple(t)?;
            }
            writer.finish()?.flush()?;
        }
        Format::Jsonld => {
            let used = turtle::Prefixes::new(prefixes).used(&triples);
            let mut serializer = oxjsonld::JsonLdSerializer::new();
            for (p, ns) in used {
                serializer = serializer.with_prefix(p, ns)?;
            }
            let mut writer = serializer.for_writer(w);
            for t in &triples {
                writer.serialize_quad(t.as_ref().in_graph(GraphNameRef::DefaultGraph))?;
            }
            writer.finish()?.flush()?;
        }
    }
    Ok(())
}
