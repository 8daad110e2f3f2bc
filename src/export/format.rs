//! The one table of RDF formats: each [`Format`] maps to Oxigraph's [`RdfFormat`], which
//! knows its media type, file extension and name; negotiation, dumps, `publish` and the
//! per-entity documents all ask this table.

use crate::vocab;
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNodeRef;
use oxigraph::sparql::results::QueryResultsFormat;

/// The SPARQL results formats of SELECT and ASK answers, in the endpoint's order of
/// preference.
pub const RESULTS_FORMATS: [QueryResultsFormat; 4] = [
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

/// The media type of a results format, without parameters (Oxigraph's CSV and TSV types carry
/// `charset`).
pub fn results_media_type(format: QueryResultsFormat) -> &'static str {
    let media = format.media_type();
    media.split_once(';').map_or(media, |(essence, _)| essence)
}

/// The W3C's IRI for a results format, as a SPARQL service description names it.
pub fn results_iri(format: QueryResultsFormat) -> NamedNodeRef<'static> {
    use vocab::formats;
    match format {
        QueryResultsFormat::Xml => formats::SPARQL_RESULTS_XML,
        QueryResultsFormat::Csv => formats::SPARQL_RESULTS_CSV,
        QueryResultsFormat::Tsv => formats::SPARQL_RESULTS_TSV,
        _ => formats::SPARQL_RESULTS_JSON,
    }
}

/// What `histkg export` writes: the RDF serializations, and formats for the tools
/// historians use beside RDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
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
    /// GEXF 1.3 for Gephi: actors and their relations over time.
    Gexf,
    /// Every source as CSL-JSON, for Zotero, Pandoc and citeproc.
    Csl,
    /// Every source as a BibLaTeX entry.
    Bibtex,
    /// The places as a Linked Places Format FeatureCollection, for gazetteers.
    Lpf,
}

impl ExportFormat {
    /// The RDF serialization, if it is one.
    pub fn rdf(self) -> Option<Format> {
        Some(match self {
            ExportFormat::Turtle => Format::Turtle,
            ExportFormat::Ntriples => Format::Ntriples,
            ExportFormat::Nquads => Format::Nquads,
            ExportFormat::Trig => Format::Trig,
            ExportFormat::Rdfxml => Format::Rdfxml,
            ExportFormat::Jsonld => Format::Jsonld,
            ExportFormat::Gexf | ExportFormat::Csl | ExportFormat::Bibtex | ExportFormat::Lpf => {
                return None;
            }
        })
    }
}

/// An RDF serialization histkg writes.
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
    /// The full dumps, in the order VoID lists them and `publish` writes them.
    pub const DUMPS: [Format; 6] = [
        Format::Turtle,
        Format::Ntriples,
        Format::Nquads,
        Format::Trig,
        Format::Jsonld,
        Format::Rdfxml,
    ];

    /// The formats of a single entity's document (and of graph query results), in the
    /// server's order of preference.
    pub const DOCUMENTS: [Format; 4] = [
        Format::Turtle,
        Format::Jsonld,
        Format::Ntriples,
        Format::Rdfxml,
    ];

    /// Oxigraph's name for the format (what parses it back).
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::Ntriples => RdfFormat::NTriples,
            Format::Nquads => RdfFormat::NQuads,
            Format::Trig => RdfFormat::TriG,
            Format::Rdfxml => RdfFormat::RdfXml,
            Format::Jsonld => RdfFormat::JsonLd {
                profile: Default::default(),
            },
        }
    }

    /// The media type (`text/turtle`).
    pub fn media_type(self) -> &'static str {
        self.rdf_format().media_type()
    }

    /// The usual file extension, without the dot (`ttl`).
    pub fn extension(self) -> &'static str {
        self.rdf_format().file_extension()
    }

    /// The name people know it by (`Turtle`, `JSON-LD`).
    pub fn name(self) -> &'static str {
        self.rdf_format().name()
    }

    /// The W3C's IRI for the format (`http://www.w3.org/ns/formats/Turtle`), as a SPARQL
    /// service description names it.
    pub fn iri(self) -> NamedNodeRef<'static> {
        use vocab::formats;
        match self {
            Format::Turtle => formats::TURTLE,
            Format::Ntriples => formats::N_TRIPLES,
            Format::Nquads => formats::N_QUADS,
            Format::Trig => formats::TRIG,
            Format::Rdfxml => formats::RDF_XML,
            Format::Jsonld => formats::JSON_LD,
        }
    }

    /// The format of a media type (parameters ignored), if histkg writes it.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let found = RdfFormat::from_media_type(media_type)?;
        Self::DUMPS.into_iter().find(|f| f.rdf_format() == found)
    }

    /// The format of a file extension (`ttl`), if histkg writes it.
    pub fn from_extension(extension: &str) -> Option<Self> {
        Self::DUMPS.into_iter().find(|f| f.extension() == extension)
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn every_format_round_trips_through_its_media_type_and_extension() {
        for format in Format::DUMPS {
            assert_eq!(Format::from_media_type(format.media_type()), Some(format));
            assert_eq!(Format::from_extension(format.extension()), Some(format));
        }
        assert_eq!(Format::Jsonld.media_type(), "application/ld+json");
        assert_eq!(Format::Rdfxml.extension(), "rdf");
        assert_eq!(Format::Ntriples.name(), "N-Triples");
        assert_eq!(Format::from_media_type("text/n3"), None);
    }

    #[test]
    fn results_formats_name_the_iris_oxigraph_knows() {
        for format in super::RESULTS_FORMATS {
            assert_eq!(super::results_iri(format).as_str(), format.iri());
            assert!(!super::results_media_type(format).contains(';'));
        }
    }
}
