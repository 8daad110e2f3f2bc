//! Vocabulary: namespaces, prefixes, term constants and IRI minting.
//!
//! Every IRI histkg writes is either a constant declared here or minted here from a
//! validated slug, so no other module builds IRIs by string concatenation.

/// RDF, RDF Schema and XML Schema datatypes: Oxigraph's constants.
pub use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{NamedNode, NamedNodeRef};

macro_rules! namespace {
    ($(#[$doc:meta])* $module:ident, $ns:literal, [$($(#[$tdoc:meta])* $name:ident = $local:literal),* $(,)?]) => {
        $(#[$doc])*
        pub mod $module {
            use oxigraph::model::NamedNodeRef;
            /// The namespace IRI.
            pub const NS: &str = $ns;
            $(
                $(#[$tdoc])*
                #[doc = concat!("`", $ns, $local, "`")]
                pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked(concat!($ns, $local));
            )*
            /// Every term of this namespace declared here, for tests.
            #[cfg(test)]
            pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
        }
    };
}

namespace!(
    /// The histkg ontology (`data/ontology.ttl`).
    hkg, "https://example.org/histkg/ontology#", [
    ACTOR = "Actor", PLACE = "Place", EVENT = "Event", SOURCE = "Source",
    ASSERTION = "Assertion", RELATION_PROPERTY = "RelationProperty", ROLE_PROPERTY = "RoleProperty",
    CERTAINTY_SCHEME = "CertaintyScheme", CALENDAR_SCHEME = "CalendarScheme",
    DATE = "date", NOT_BEFORE = "notBefore", NOT_AFTER = "notAfter", DATE_AS_WRITTEN = "dateAsWritten",
    CALENDAR = "calendar", CERTAINTY = "certainty", PLACE_PROP = "place", PART_OF = "partOf",
    ABOUT = "about", IN_RESPONSE_TO = "inResponseTo", LOCATOR = "locator",
    COORDINATES_FROM = "coordinatesFrom", COORDINATES_NOTE = "coordinatesNote",
    FOND = "fond", OPIS = "opis", DELO = "delo", FOLIOS = "folios", ARCHIVE = "archive",
    PARTICIPANT = "participant",
    SOURCE_TIER = "sourceTier", PRIMARY = "primary", SECONDARY = "secondary", TERTIARY = "tertiary",
    ONE_HOLDER_PROPERTY = "OneHolderProperty", POSTHUMOUS_PROPERTY = "PosthumousProperty",
    DECEASED_ROLE = "deceasedRole", CO_RULER_OF = "coRulerOf",
    SOURCE_COUNT = "sourceCount", PRIMARY_SOURCES = "primarySources",
    SECONDARY_SOURCES = "secondarySources", TERTIARY_SOURCES = "tertiarySources",
    CORROBORATED = "corroborated",
    FINDING = "Finding", FINDING_KIND = "findingKind", CONCERNS = "concerns",
    VERDICT = "verdict", REVIEW_NOTE = "reviewNote",
    CSL_TYPE = "cslType", BIBTEX_TYPE = "bibtexType", FEATURE_CLASS = "featureClass",
    LABEL_LANGUAGE = "labelLanguage",
]);

namespace!(
    /// SKOS.
    skos, "http://www.w3.org/2004/02/skos/core#", [
    CONCEPT = "Concept", ALT_LABEL = "altLabel", IN_SCHEME = "inScheme", NOTATION = "notation",
]);

namespace!(
    /// PROV-O.
    prov, "http://www.w3.org/ns/prov#", [
    WAS_DERIVED_FROM = "wasDerivedFrom", QUALIFIED_DERIVATION = "qualifiedDerivation",
    DERIVATION = "Derivation", ENTITY = "entity",
]);

namespace!(
    /// Dublin Core terms.
    dcterms, "http://purl.org/dc/terms/", [
    BIBLIOGRAPHIC_CITATION = "bibliographicCitation", TITLE = "title", CREATOR = "creator",
    ISSUED = "issued", IS_PART_OF = "isPartOf", LANGUAGE = "language",
    DESCRIPTION = "description", LICENSE = "license", CONFORMS_TO = "conformsTo",
]);

namespace!(
    /// OWL.
    owl, "http://www.w3.org/2002/07/owl#", [SAME_AS = "sameAs"]
);

namespace!(
    /// schema.org.
    schema, "https://schema.org/", [URL = "url"]
);

namespace!(
    /// The Bibliographic Ontology.
    bibo, "http://purl.org/ontology/bibo/", [DOI = "doi"]
);

namespace!(
    /// W3C Basic Geo.
    geo, "http://www.w3.org/2003/01/geo/wgs84_pos#", [LAT = "lat", LONG = "long"]
);

namespace!(
    /// VoID.
    void, "http://rdfs.org/ns/void#", [
    DATASET = "Dataset", URI_SPACE = "uriSpace", SPARQL_ENDPOINT = "sparqlEndpoint",
    DATA_DUMP = "dataDump", TRIPLES = "triples", CLASS_PARTITION = "classPartition",
    CLASS = "class", ENTITIES = "entities",
]);

namespace!(
    /// The SPARQL 1.1 Service Description vocabulary.
    sd, "http://www.w3.org/ns/sparql-service-description#", [
    SERVICE = "Service", ENDPOINT = "endpoint", SUPPORTED_LANGUAGE = "supportedLanguage",
    SPARQL11_QUERY = "SPARQL11Query", RESULT_FORMAT = "resultFormat",
]);

namespace!(
    /// The W3C's names of formats (`http://www.w3.org/ns/formats/`).
    formats, "http://www.w3.org/ns/formats/", [
    TURTLE = "Turtle", N_TRIPLES = "N-Triples", N_QUADS = "N-Quads", TRIG = "TriG",
    RDF_XML = "RDF_XML", JSON_LD = "JSON-LD", SPARQL_RESULTS_JSON = "SPARQL_Results_JSON",
    SPARQL_RESULTS_XML = "SPARQL_Results_XML", SPARQL_RESULTS_CSV = "SPARQL_Results_CSV",
    SPARQL_RESULTS_TSV = "SPARQL_Results_TSV",
]);

/// The datatype of EDTF literals (Library of Congress).
pub const EDTF_DATATYPE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://id.loc.gov/datatypes/edtf/EDTF");

/// Wikidata entity namespace, for `owl:sameAs`.
pub const WIKIDATA_ENTITY: &str = "http://www.wikidata.org/entity/";

/// The ontology's term `hkg:LOCAL` that a table names by its local name (a class, relation,
/// role, certainty or calendar): the ingest checked that the ontology declares it, so it is an
/// IRI.
pub fn ontology_term(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", hkg::NS))
}

/// The Wikidata entity `Q…` (the ingest checked the id is `Q` and digits).
pub fn wikidata(id: &str) -> NamedNode {
    debug_assert!(id.starts_with('Q') && id[1..].bytes().all(|b| b.is_ascii_digit()));
    NamedNode::new_unchecked(format!("{WIKIDATA_ENTITY}{id}"))
}

/// Prefixes known to every query and used (when they occur) in Turtle, RDF/XML and JSON-LD
/// exports. The dataset's own prefixes (`actor:`, `event:`…) come from [`Iris::prefixes`].
pub const COMMON_PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", owl::NS),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", skos::NS),
    ("prov", prov::NS),
    ("dcterms", dcterms::NS),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("void", void::NS),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("schema", schema::NS),
    ("crm", "http://www.cidoc-crm.org/cidoc-crm/"),
    ("rico", "https://www.ica.org/standards/RiC/ontology#"),
    ("geo", geo::NS),
    ("bibo", bibo::NS),
    ("edtf", "http://id.loc.gov/datatypes/edtf/"),
    ("wd", WIKIDATA_ENTITY),
    ("hkg", hkg::NS),
];

/// The kinds of entity a dataset holds; each has its own IRI path under the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `actors.csv`
    Actor,
    /// `places.csv`
    Place,
    /// `events.csv`
    Event,
    /// `sources.csv`
    Source,
    /// `relations.csv`
    Assertion,
}

impl Kind {
    /// Every kind, in IRI-path order.
    pub const ALL: [Kind; 5] = [
        Kind::Actor,
        Kind::Assertion,
        Kind::Event,
        Kind::Place,
        Kind::Source,
    ];

    /// The IRI path segment and prefix name (`actor`, `event`…).
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Actor => "actor",
            Kind::Place => "place",
            Kind::Event => "event",
            Kind::Source => "source",
            Kind::Assertion => "assertion",
        }
    }
}

/// Mints the dataset's IRIs from its base (`void:uriSpace`) and validated slugs.
#[derive(Debug, Clone)]
pub struct Iris {
    base: String,
    /// The path of `base` on its server, `/` when it has none.
    base_path: String,
}

impl Iris {
    /// Checks that `base` is an absolute IRI ending in `/` or `#`.
    pub fn new(base: &str) -> crate::Result<Self> {
        NamedNode::new(base).map_err(|e| {
            crate::Error::user(format!("base IRI `{base}` is not a valid IRI: {e}"))
        })?;
        if !(base.ends_with('/') || base.ends_with('#')) {
            return Err(crate::Error::user(format!(
                "base IRI `{base}` must end with `/` or `#`"
            )));
        }
        let path = oxiri::Iri::parse_unchecked(base).path().to_owned();
        Ok(Self {
            base: base.to_owned(),
            base_path: if path.is_empty() {
                "/".to_owned()
            } else {
                path
            },
        })
    }

    /// The base IRI.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The IRI of an entity. `id` must be a slug ([`is_slug`]), which the ingest guarantees.
    pub fn entity(&self, kind: Kind, id: &str) -> NamedNode {
        debug_assert!(is_slug(id), "{id} is not a slug");
        NamedNode::new_unchecked(format!("{}{}/{id}", self.base, kind.segment()))
    }

    /// The IRI of the dataset itself (`<base>dataset`), described in `dataset.ttl`.
    pub fn dataset(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}dataset", self.base))
    }

    /// The IRI of the dataset's VoID class partition for one root class (`<base>dataset#actor`).
    pub fn class_partition(&self, root: Root) -> NamedNode {
        NamedNode::new_unchecked(format!("{}dataset#{}", self.base, root.partition()))
    }

    /// A finding's IRI, `<base>finding/` and its stable id (`chronology/report-before-event/a/b`:
    /// the kind's name and slugs, so every segment is safe in a path).
    pub fn finding(&self, id: &str) -> NamedNode {
        debug_assert!(
            id.split('/').all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
            "finding id {id}"
        );
        NamedNode::new_unchecked(format!("{}finding/{id}", self.base))
    }

    /// The VoID class partition of the findings (`<base>dataset#finding`, as the roots' are
    /// named by their kind).
    pub fn findings_partition(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}dataset#finding", self.base))
    }

    /// The SPARQL service's IRI in the service description (`<base>sparql`).
    pub fn sparql_service(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}sparql", self.base))
    }

    /// The path of the base IRI on its server (`/histkg/` for `https://example.org/histkg/`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The entity a URL path names, `/actor/ID` or the same under [`Iris::base_path`], if it is
    /// one of this dataset's entity IRIs (whether or not the graph holds it).
    pub fn entity_at(&self, path: &str) -> Option<(Kind, String, NamedNode)> {
        let base_path = self.base_path();
        let local = match path.strip_prefix(base_path) {
            Some(rest) if base_path != "/" => rest.trim_start_matches('/'),
            _ => path.trim_start_matches('/'),
        };
        let (kind, id) = self.parse_entity(&format!("{}{local}", self.base))?;
        let node = self.entity(kind, &id);
        Some((kind, id, node))
    }

    /// The IRI of the qualified derivation linking `entity` to one cited source.
    pub fn derivation(&self, entity: &NamedNode, source_id: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/derivation/{source_id}", entity.as_str()))
    }

    /// The prefixes for the dataset's own IRIs (`actor:` → `<base>actor/`).
    pub fn prefixes(&self) -> Vec<(String, String)> {
        Kind::ALL
            .iter()
            .map(|k| {
                (
                    k.segment().to_owned(),
                    format!("{}{}/", self.base, k.segment()),
                )
            })
            .collect()
    }

    /// Splits an entity IRI of this dataset into its kind and id.
    pub fn parse_entity(&self, iri: &str) -> Option<(Kind, String)> {
        let rest = iri.strip_prefix(&self.base)?;
        let (segment, id) = rest.split_once('/')?;
        let kind = Kind::ALL.into_iter().find(|k| k.segment() == segment)?;
        is_slug(id).then(|| (kind, id.to_owned()))
    }
}

/// The root classes of the dataset's entities, as VoID partitions them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `hkg:Actor`
    Actor,
    /// `hkg:Event`
    Event,
    /// `hkg:Place`
    Place,
    /// `hkg:Source`
    Source,
}

impl Root {
    /// The roots in the order VoID lists them.
    pub const ALL: [Root; 4] = [Root::Actor, Root::Event, Root::Place, Root::Source];

    /// The class.
    pub fn class(self) -> NamedNodeRef<'static> {
        match self {
            Root::Actor => hkg::ACTOR,
            Root::Event => hkg::EVENT,
            Root::Place => hkg::PLACE,
            Root::Source => hkg::SOURCE,
        }
    }

    /// The class's local name (`Actor`).
    pub fn name(self) -> &'static str {
        match self {
            Root::Actor => "Actor",
            Root::Event => "Event",
            Root::Place => "Place",
            Root::Source => "Source",
        }
    }

    /// The fragment naming its VoID partition (`actor`).
    fn partition(self) -> &'static str {
        match self {
            Root::Actor => "actor",
            Root::Event => "event",
            Root::Place => "place",
            Root::Source => "source",
        }
    }
}

/// Where a graph is served or published (`--base-url`): an absolute `http` or `https` URL
/// without query or fragment, ending in `/`. The SPARQL endpoint and the dumps are under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Parses a public URL, adding the final `/` when it is missing.
    ///
    /// ```
    /// use histkg::vocab::BaseUrl;
    /// let url = BaseUrl::parse("https://example.org/histkg").unwrap();
    /// assert_eq!(url.as_str(), "https://example.org/histkg/");
    /// assert!(BaseUrl::parse("not a url").is_err());
    /// ```
    pub fn parse(text: &str) -> crate::Result<Self> {
        let bad = |why: &str| crate::Error::user(format!("`{text}` is not a usable URL: {why}"));
        let iri = oxiri::Iri::parse(text).map_err(|e| bad(&e.to_string()))?;
        if !matches!(iri.scheme(), "http" | "https") || iri.authority().is_none_or(str::is_empty) {
            return Err(bad(
                "give an absolute http:// or https:// URL such as https://example.org/histkg/",
            ));
        }
        if iri.query().is_some() || iri.fragment().is_some() {
            return Err(bad("it must not have a query (`?`) or a fragment (`#`)"));
        }
        Ok(Self::ending_in_slash(text))
    }

    /// The dataset's base IRI as a public URL: without its fragment (a base such as
    /// `https://example.org/histkg#` is served at `https://example.org/histkg/`), with a final
    /// `/` when it ends otherwise.
    ///
    /// ```
    /// use histkg::vocab::{BaseUrl, Iris};
    /// let of = |base| BaseUrl::of(&Iris::new(base).unwrap()).as_str().to_owned();
    /// assert_eq!(of("https://example.org/histkg/"), "https://example.org/histkg/");
    /// assert_eq!(of("https://example.org/histkg#"), "https://example.org/histkg/");
    /// ```
    pub fn of(iris: &Iris) -> Self {
        let base = iris.base();
        Self::ending_in_slash(base.split_once('#').map_or(base, |(url, _)| url))
    }

    fn ending_in_slash(text: &str) -> Self {
        if text.ends_with('/') {
            Self(text.to_owned())
        } else {
            Self(format!("{text}/"))
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SPARQL endpoint under it (`<url>sparql`).
    pub fn sparql_endpoint(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}sparql", self.0))
    }

    /// The full dump with file extension `extension` under it (`<url>graph.ttl`).
    pub fn dump(&self, extension: &str) -> NamedNode {
        debug_assert!(extension.bytes().all(|b| b.is_ascii_alphanumeric()));
        NamedNode::new_unchecked(format!("{}graph.{extension}", self.0))
    }

    /// The SHACL shapes the graph conforms to (`<url>shapes.ttl`).
    pub fn shapes(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}shapes.ttl", self.0))
    }
}

/// The longest id we accept.
pub const MAX_ID_LEN: usize = 80;

/// True for a safe id: lowercase ASCII letters and digits in words joined by single hyphens.
///
/// ```
/// assert!(histkg::vocab::is_slug("donduk-ombo"));
/// assert!(!histkg::vocab::is_slug("Donduk Ombo"));
/// ```
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// All prefixes for a dataset: the common ones and the dataset's own.
pub fn all_prefixes(iris: &Iris) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = COMMON_PREFIXES
        .iter()
        .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
        .collect();
    out.extend(iris.prefixes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_term_is_a_valid_iri() {
        for term in hkg::ALL
            .iter()
            .chain(sd::ALL)
            .chain(formats::ALL)
            .chain(skos::ALL)
            .chain(prov::ALL)
            .chain(dcterms::ALL)
            .chain(owl::ALL)
            .chain(schema::ALL)
            .chain(bibo::ALL)
            .chain(geo::ALL)
            .chain(void::ALL)
            .chain([&EDTF_DATATYPE])
        {
            NamedNode::new(term.as_str()).unwrap();
        }
        for (_, ns) in COMMON_PREFIXES {
            NamedNode::new(*ns).unwrap();
        }
    }

    #[test]
    fn slugs_are_strict() {
        for ok in ["a", "darma-bala", "report-1741-08-26", "s7"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in [
            "", "-a", "a-", "a--b", "A", "a b", "a/b", "../x", "a#b", "a>b", "ä", "http://x",
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert!(!is_slug(&"a".repeat(MAX_ID_LEN + 1)));
    }

    #[test]
    fn entity_iris_round_trip() {
        let iris = Iris::new("https://example.org/histkg/").unwrap();
        let iri = iris.entity(Kind::Actor, "darma-bala");
        assert_eq!(iri.as_str(), "https://example.org/histkg/actor/darma-bala");
        assert_eq!(
            iris.parse_entity(iri.as_str()),
            Some((Kind::Actor, "darma-bala".into()))
        );
        assert!(Iris::new("not an iri").is_err());
        assert!(Iris::new("https://example.org/x").is_err());
    }
}
