//! The linked-data documents about the dataset: its VoID + DCAT description, the SPARQL
//! service description, and the full dumps.

use super::{Site, page_query};
use crate::error::Result;
use crate::export::{self, Format};
use crate::vocab::{BaseUrl, Root, dcterms, hkg, rdf, sd, void, xsd};
use oxigraph::model::{Literal, NamedNode, Term, Triple};
use std::io::Write;
use std::path::Path;

/// The SHACL shapes of the graph histkg builds (`data/shapes.ttl`, README "The RDF it
/// produces"), embedded in the binary: they state what this version of histkg writes, so
/// `serve` and `publish` give them at `shapes.ttl` whatever the data directory holds.
pub const SHAPES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/shapes.ttl"));

impl Site {
    /// The VoID + DCAT description: the dataset's own triples, the SPARQL endpoint (when it
    /// is served), the dumps under `dumps`, the number of triples, the entities of each
    /// root class, the findings of source criticism, and the SHACL shapes it conforms to
    /// (`dcterms:conformsTo <dumps>shapes.ttl`).
    pub fn void(&self, sparql_endpoint: Option<NamedNode>, dumps: &BaseUrl) -> Result<Vec<Triple>> {
        let dataset = self.iris.dataset();
        let mut triples = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(Some(dataset.as_ref().into()), None, None, None)
        {
            triples.push(Triple::from(quad?));
        }
        let integer = |n: &str| Term::from(Literal::new_typed_literal(n, xsd::INTEGER));
        if let Some(endpoint) = sparql_endpoint {
            triples.push(Triple::new(
                dataset.clone(),
                void::SPARQL_ENDPOINT,
                endpoint,
            ));
        }
        for format in Format::DUMPS {
            triples.push(Triple::new(
                dataset.clone(),
                void::DATA_DUMP,
                dumps.dump(format.extension()),
            ));
        }
        triples.push(Triple::new(
            dataset.clone(),
            dcterms::CONFORMS_TO,
            dumps.shapes(),
        ));
        triples.push(Triple::new(
            dataset.clone(),
            void::TRIPLES,
            integer(&self.store.len()?.to_string()),
        ));
        let partitions = (Root::ALL.into_iter())
            .map(|root| (root.class(), self.iris.class_partition(root)))
            .chain([(hkg::FINDING, self.iris.findings_partition())]);
        for (class, partition) in partitions {
            let counted = self.select(page_query!("void-entities"), &[("root", class)])?;
            if let Some(Term::Literal(n)) = counted.first().and_then(|r| r.get("n")) {
                triples.push(Triple::new(
                    dataset.clone(),
                    void::CLASS_PARTITION,
                    partition.clone(),
                ));
                triples.push(Triple::new(partition.clone(), void::CLASS, class));
                triples.push(Triple::new(partition, void::ENTITIES, integer(n.value())));
            }
        }
        Ok(triples)
    }

    /// The SPARQL 1.1 service description of the endpoint: the language and every result
    /// format it answers in.
    pub fn service_description(&self) -> Vec<Triple> {
        let service = self.iris.sparql_service();
        let mut triples = vec![
            Triple::new(service.clone(), rdf::TYPE, sd::SERVICE),
            Triple::new(service.clone(), sd::ENDPOINT, service.clone()),
            Triple::new(service.clone(), sd::SUPPORTED_LANGUAGE, sd::SPARQL11_QUERY),
        ];
        let solutions = export::RESULTS_FORMATS.map(export::results_iri);
        let graphs = Format::DOCUMENTS.map(Format::iri);
        for format in solutions.into_iter().chain(graphs) {
            triples.push(Triple::new(service.clone(), sd::RESULT_FORMAT, format));
        }
        triples
    }

    /// Streams the whole graph to each writer of `outputs` in its format, reading the store
    /// once (see [`export::dump_each`]).
    pub fn dump_each<W: Write>(
        &self,
        outputs: &mut [(Format, W)],
        spill_dir: Option<&Path>,
    ) -> Result<()> {
        export::dump_each(&self.store, &self.prefixes, outputs, spill_dir)
    }

    /// Writes `triples` (a small document) in `format` with the dataset's prefixes.
    pub fn write_rdf(&self, triples: &[Triple], format: Format, w: impl Write) -> Result<()> {
        export::write(triples, format, &self.prefixes, w)
    }
}

/// Writes the whole graph in one format from a thread of its own (a dump streamed to a
/// socket): it owns what it reads, and keeps its generation from being removed meanwhile.
pub struct Dumper {
    store: oxigraph::store::Store,
    _guard: crate::store::Guard,
    prefixes: Vec<(String, String)>,
    format: Format,
}

impl Site {
    /// A [`Dumper`] of this generation in `format`.
    pub fn dumper(&self, format: Format) -> Dumper {
        Dumper {
            store: (*self.store).clone(),
            _guard: self.store.guard(),
            prefixes: self.prefixes.clone(),
            format,
        }
    }
}

impl Dumper {
    /// Streams the graph to `w` (temporary files in the system's temporary directory).
    ///
    /// With [`super::FAIL_READ_VARIABLE`] set to `dump`, fails after the first 64 KiB, as a
    /// store read failing midway would (for the test of a dump cut short).
    pub fn write(self, w: impl Write) -> Result<()> {
        let fail = std::env::var_os(super::FAIL_READ_VARIABLE).is_some_and(|n| n == "dump");
        let left = if fail { 1 << 16 } else { usize::MAX };
        let w = FailingAfter { inner: w, left };
        export::dump(&self.store, self.format, &self.prefixes, w, None)
    }
}

/// A writer that fails once `left` bytes have gone through (never, with `usize::MAX`).
struct FailingAfter<W> {
    inner: W,
    left: usize,
}

impl<W: Write> Write for FailingAfter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            let message = format!("failure injected by {}", super::FAIL_READ_VARIABLE);
            return Err(std::io::Error::other(message));
        }
        self.left -= buf.len();
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
