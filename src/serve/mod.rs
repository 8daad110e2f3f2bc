//! `histkg serve`: a read-only linked-data server over the published store.
//!
//! The heart is the pure handler [`App::handle`], which maps a request to a response without
//! touching sockets, so every route is tested directly; [`Live`] keeps an `App` over whichever
//! generation is published (a new build is served within a second of its publication) and
//! [`run`] binds it to a port with `oxhttp` ([`server`]). Routes:
//!
//! - `/sparql`: SPARQL 1.1 Protocol (GET `?query=`, POST form or `application/sparql-query`),
//!   results by `Accept`; a service description on a plain GET; updates answer 403.
//! - `/actor/ID`, `/event/ID`, `/place/ID`, `/source/ID`, `/assertion/ID` (also under the
//!   base IRI's path): the entity, by content negotiation (HTML or RDF), `Vary: Accept`.
//! - `/`: the home page; `/search?q=`: names in any script; `/.well-known/void`: VoID.
//!
//! Queries run with a cancellation token and a deadline; results are serialized completely
//! before the status line is chosen, so a query stopped by the timeout answers 503, never a
//! 200 with a truncated body.

mod negotiate;
pub mod pool;

use crate::export::{self, Format};
use crate::query::{self, ResultsFormat};
use crate::vocab::{Iris, Kind};
use anyhow::{Context, Result};
use minijinja::{Environment, context};
use oxhttp::model::header::{ACCEPT, ALLOW, CONTENT_TYPE, VARY};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest request target (path and query) we accept (longer: 414): the 8000 octets
/// RFC 9110 §4.1 recommends supporting. oxhttp has its own limit of 8 KiB on the whole request
/// head, beyond which it answers 414 or 431 (patched) before the handler runs, so this is what
/// decides for a target of up to 8 KiB with short headers.
pub const MAX_URL_BYTES: usize = 8000;
/// The largest request body we accept (larger: 413).
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Server options.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a query may run before it is stopped and answered 503.
    pub timeout: Duration,
    /// Send `Access-Control-Allow-Origin: *`.
    pub cors: bool,
    /// The public URL of this server (ending in `/`), used in VoID for the SPARQL endpoint
    /// and the dumps; the dataset's base IRI when `None`.
    pub base_url: Option<String>,
}

/// A curated query shown on the home page.
#[derive(Debug, Clone, Serialize)]
struct Curated {
    name: String,
    question: String,
    encoded: String,
}

/// How pages link to each other: absolute paths on the server, relative directory links in
/// a static site (so it works from any folder of any file server).
#[derive(Debug, Clone)]
pub struct Links {
    /// Prefix of every link: `/` on the server, `../../` in a static entity page.
    pub root: String,
    /// True in a static site: entity links end in `/` and server-only routes are hidden.
    pub static_site: bool,
}

impl Links {
    /// Links as served by `histkg serve`.
    pub fn server() -> Self {
        Self {
            root: "/".to_owned(),
            static_site: false,
        }
    }
}

/// The application over one store generation: the store and what every response needs.
pub struct App {
    store: crate::store::Published,
    iris: Iris,
    base_path: String,
    prefixes: Vec<(String, String)>,
    options: Options,
    templates: Environment<'static>,
    curated: Vec<Curated>,
    /// The dataset's title, read once at start-up.
    title: String,
    /// The SPARQL evaluator with the prefixes declared, built once and cloned per query.
    evaluator: SparqlEvaluator,
    /// Parses `/sparql` queries with the dataset's prefixes (the algebra decides [`is_quick`]).
    parser: spargebra::SparqlParser,
    /// Threads that run queries, reused between queries.
    pool: pool::Pool,
}

const RDF_OFFERS: &[&str] = &[
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
];
const SOLUTION_OFFERS: &[&str] = &[
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/html",
];

/// The vendored front-end files (see `serve/assets/README.md`): (name, media type, bytes).
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "vis-network.min.js",
        "text/javascript",
        include_bytes!("assets/vis-network.min.js"),
    ),
    (
        "vis-timeline-graph2d.min.js",
        "text/javascript",
        include_bytes!("assets/vis-timeline-graph2d.min.js"),
    ),
    (
        "LICENSE-vis-network-MIT",
        "text/plain",
        include_bytes!("assets/LICENSE-vis-network-MIT"),
    ),
    (
        "LICENSE-vis-network-APACHE-2.0",
        "text/plain",
        include_bytes!("assets/LICENSE-vis-network-APACHE-2.0"),
    ),
    (
        "LICENSE-vis-timeline-MIT",
        "text/plain",
        include_bytes!("assets/LICENSE-vis-timeline-MIT"),
    ),
    (
        "LICENSE-vis-timeline-APACHE-2.0",
        "text/plain",
        include_bytes!("assets/LICENSE-vis-timeline-APACHE-2.0"),
    ),
];

fn asset(name: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, media, bytes)| (*media, *bytes))
}

/// Splits `text@lang` strings (as `query::human` writes them) into (text, lang).
fn split_lang(names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| match n.rsplit_once('@') {
            Some((text, lang)) => (text.to_owned(), lang.to_owned()),
            None => (n.clone(), String::new()),
        })
        .collect()
}

/// The full dumps offered for download, with their media types.
pub const DUMPS: [(Format, &str); 6] = [
    (Format::Turtle, "text/turtle"),
    (Format::Ntriples, "application/n-triples"),
    (Format::Nquads, "application/n-quads"),
    (Format::Trig, "application/trig"),
    (Format::Jsonld, "application/ld+json"),
    (Format::Rdfxml, "application/rdf+xml"),
];

fn rdf_format(media: &str) -> Format {
    match media {
        "application/ld+json" => Format::Jsonld,
        "application/n-triples" => Format::Ntriples,
        "application/rdf+xml" => Format::Rdfxml,
        _ => Format::Turtle,
    }
}

impl App {
    /// Prepares the application over an opened store; reads the curated queries of `queries_dir`.
    pub fn new(
        store: crate::store::Published,
        queries_dir: &Path,
        options: Options,
    ) -> Result<Self> {
        let base = query::stored_base(&store)?
            .context("the store has no dataset base IRI (void:uriSpace); rebuild it")?;
        let iris = Iris::new(&base).map_err(anyhow::Error::msg)?;
        let base_path = NamedNode::new(base.as_str())
            .ok()
            .and_then(|n| n.as_str().splitn(4, '/').nth(3).map(|p| format!("/{p}")))
            .unwrap_or_else(|| "/".to_owned());
        let prefixes = query::prefixes(&store)?;
        let mut templates = Environment::new();
        for (name, text) in [
            ("layout.html", include_str!("templates/layout.html")),
            ("home.html", include_str!("templates/home.html")),
            ("entity.html", include_str!("templates/entity.html")),
            ("results.html", include_str!("templates/results.html")),
            ("search.html", include_str!("templates/search.html")),
            ("network.html", include_str!("templates/network.html")),
            ("timeline.html", include_str!("templates/timeline.html")),
        ] {
            templates.add_template(name, text)?;
        }
        let mut curated = Vec::new();
        for name in query::curated_names(queries_dir).unwrap_or_default() {
            let text = std::fs::read_to_string(queries_dir.join(format!("{name}.rq")))?;
            let question = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("# Question:")
                .trim()
                .to_owned();
            let encoded = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            curated.push(Curated {
                name,
                question,
                encoded,
            });
        }
        let evaluator = query::evaluator(&prefixes)?;
        let parser = query::parser(&prefixes)?;
        let mut app = Self {
            evaluator,
            parser,
            pool: pool::Pool::default(),
            store,
            iris,
            base_path,
            prefixes,
            options,
            templates,
            curated,
            title: String::new(),
        };
        app.title = app
            .literal(
                &format!("{}dataset", app.iris.base()),
                "http://purl.org/dc/terms/title",
            )
            .unwrap_or_else(|| "histkg".to_owned());
        Ok(app)
    }

    /// The store this application reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many query threads wait for work: a query stopped at the deadline gives its thread
    /// back once its evaluation has really stopped (for tests).
    pub fn idle_query_threads(&self) -> usize {
        self.pool.idle()
    }

    /// The name of the store generation this application reads.
    pub fn generation(&self) -> &str {
        self.store.generation()
    }

    /// Answers one request. Pure apart from reading the store: no sockets, no files.
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        let mut response = self
            .route(request)
            .unwrap_or_else(|(status, message)| text(status, &message));
        if self.options.cors {
            response
                .headers_mut()
                .insert("access-control-allow-origin", HeaderValue::from_static("*"));
        }
        if request.method() == Method::HEAD {
            *response.body_mut() = Body::empty();
        }
        response
    }

    fn route(&self, request: &mut Request<Body>) -> Result<Response<Body>, (StatusCode, String)> {
        let target = request
            .uri()
            .path_and_query()
            .map_or(0, |t| t.as_str().len());
        if target > MAX_URL_BYTES {
            return Err((
                StatusCode::URI_TOO_LONG,
                format!("the URL is longer than {MAX_URL_BYTES} bytes"),
            ));
        }
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        // The server is read-only: POST is for the SPARQL endpoint's queries only.
        let allow = if path == "/sparql" {
            "GET, HEAD, POST, OPTIONS"
        } else {
            "GET, HEAD, OPTIONS"
        };
        if method == Method::OPTIONS {
            let mut r = Response::builder()
                .status(StatusCode::NO_CONTENT)
                .header(ALLOW, allow);
            if self.options.cors {
                r = r
                    .header("access-control-allow-methods", allow)
                    .header("access-control-allow-headers", "Accept, Content-Type");
            }
            return Ok(r.body(Body::empty()).expect("valid response"));
        }
        let is_read = method == Method::GET || method == Method::HEAD;
        match path.as_str() {
            "/sparql" if is_read || method == Method::POST => self.sparql(request),
            _ if !is_read => Ok(not_allowed(&method, allow)),
            "/" => self.home(&Links::server()),
            "/search" => self.search(request),
            "/.well-known/void" => self.void(request),
            _ if path.starts_with("/graph.") => self.dump(&path["/graph.".len()..]),
            "/network" => self.network(&Links::server()),
            "/timeline" => self.timeline(&Links::server()),
            _ if path.starts_with("/assets/") => asset(&path["/assets/".len()..])
                .map(|(media, bytes)| ok(media, bytes.to_vec()))
                .ok_or_else(|| (StatusCode::NOT_FOUND, format!("nothing at {path}"))),
            _ => self.entity(request, &path),
        }
    }

    fn render(
        &self,
        template: &str,
        links: &Links,
        ctx: minijinja::Value,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        let title = self.title.clone();
        let ctx = context! { dataset_title => title, root => links.root.clone(), static_site => links.static_site, ..ctx };
        let html = self
            .templates
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|e| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot render the page: {e}"),
                )
            })?;
        Ok(ok("text/html; charset=utf-8", html.into_bytes()))
    }

    fn literal(&self, subject: &str, predicate: &str) -> Option<String> {
        let s = NamedNodeRef::new(subject).ok()?;
        let p = NamedNodeRef::new(predicate).ok()?;
        let mut fallback = None;
        for q in self
            .store
            .quads_for_pattern(Some(s.into()), Some(p), None, None)
            .flatten()
        {
            if let Term::Literal(l) = q.object {
                match l.language() {
                    Some("en") => return Some(l.value().to_owned()),
                    _ => fallback = fallback.or(Some(l.value().to_owned())),
                }
            }
        }
        fallback
    }

    /// The local URL path of an IRI of this dataset, if it is one.
    fn href(&self, links: &Links, iri: &str) -> Option<String> {
        let trailing = if links.static_site { "/" } else { "" };
        self.iris
            .parse_entity(iri)
            .map(|(kind, id)| format!("{}{}/{id}{trailing}", links.root, kind.segment()))
    }

    fn label(&self, iri: &str) -> String {
        self.literal(iri, "http://www.w3.org/2000/01/rdf-schema#label")
            .unwrap_or_else(|| {
                let abbreviations = export::turtle::Prefixes::new(&self.prefixes);
                query::human(
                    &Term::NamedNode(NamedNode::new_unchecked(iri)),
                    &abbreviations,
                )
            })
    }

    fn select(&self, text: &str) -> Vec<Vec<Option<Term>>> {
        query::select(&self.store, &self.prefixes, text)
            .map(|solutions| solutions.iter().map(|s| s.values().to_vec()).collect())
            .unwrap_or_default()
    }

    /// The home page.
    pub fn home(&self, links: &Links) -> Result<Response<Body>, (StatusCode, String)> {
        #[derive(Serialize)]
        struct Item {
            href: String,
            label: String,
        }
        #[derive(Serialize)]
        struct Group {
            class: String,
            items: Vec<Item>,
        }
        let rows = self.select(
            "SELECT ?class ?a (SAMPLE(?l) AS ?label) WHERE { ?a a hkg:Actor , ?class . FILTER(?class != hkg:Actor) \
             ?a rdfs:label ?l FILTER(LANG(?l) = 'en') } GROUP BY ?class ?a ORDER BY ?class ?label",
        );
        let mut groups: Vec<Group> = Vec::new();
        for row in rows {
            let (Some(Term::NamedNode(class)), Some(Term::NamedNode(a)), Some(Term::Literal(l))) =
                (&row[0], &row[1], &row[2])
            else {
                continue;
            };
            let class = class
                .as_str()
                .rsplit('#')
                .next()
                .unwrap_or_default()
                .to_owned();
            if groups.last().is_none_or(|g| g.class != class) {
                groups.push(Group {
                    class,
                    items: Vec::new(),
                });
            }
            if let Some(g) = groups.last_mut() {
                g.items.push(Item {
                    href: self.href(links, a.as_str()).unwrap_or_default(),
                    label: l.value().to_owned(),
                });
            }
        }
        let sources: Vec<Item> = self
            .select("SELECT ?s ?c WHERE { ?s a hkg:Source ; dcterms:bibliographicCitation ?c } ORDER BY ?c")
            .into_iter()
            .filter_map(|r| match (&r[0], &r[1]) {
                (Some(Term::NamedNode(s)), Some(Term::Literal(c))) => Some(Item { href: self.href(links, s.as_str()).unwrap_or_default(), label: c.value().to_owned() }),
                _ => None,
            })
            .collect();
        let dataset = format!("{}dataset", self.iris.base());
        self.render(
            "home.html",
            links,
            context! {
                description => self.literal(&dataset, "http://purl.org/dc/terms/description").unwrap_or_default(),
                license => self.store.quads_for_pattern(NamedNodeRef::new(&dataset).ok().map(Into::into), NamedNodeRef::new("http://purl.org/dc/terms/license").ok(), None, None).flatten().next().map(|q| match q.object { Term::NamedNode(n) => n.into_string(), other => other.to_string() }).unwrap_or_default(),
                triples => self.store.len().unwrap_or(0),
                actors => groups,
                queries => self.curated.clone(),
                sources => sources,
            },
        )
    }

    fn search(&self, request: &Request<Body>) -> Result<Response<Body>, (StatusCode, String)> {
        let links = &Links::server();
        #[derive(Serialize)]
        struct Hit {
            href: String,
            label: String,
            kind: String,
            matched: String,
        }
        let q = query_param(request, "q").unwrap_or_default();
        let needle = fold(&q);
        let mut hits: Vec<Hit> = Vec::new();
        if !needle.is_empty() {
            let rows = self.select(
                "SELECT ?e ?root ?name WHERE { ?e a ?root ; rdfs:label|skos:altLabel ?name . VALUES ?root { hkg:Actor hkg:Place } }",
            );
            for row in rows {
                let (
                    Some(Term::NamedNode(e)),
                    Some(Term::NamedNode(root)),
                    Some(Term::Literal(name)),
                ) = (&row[0], &row[1], &row[2])
                else {
                    continue;
                };
                if !fold(name.value()).contains(&needle)
                    || hits
                        .iter()
                        .any(|h| h.href == self.href(links, e.as_str()).unwrap_or_default())
                {
                    continue;
                }
                hits.push(Hit {
                    href: self.href(links, e.as_str()).unwrap_or_default(),
                    label: self.label(e.as_str()),
                    kind: root
                        .as_str()
                        .rsplit('#')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    matched: name.value().to_owned(),
                });
            }
        }
        hits.sort_by(|a, b| a.label.cmp(&b.label));
        self.render("search.html", links, context! { q => q, hits => hits })
    }

    fn void(&self, request: &Request<Body>) -> Result<Response<Body>, (StatusCode, String)> {
        let media = accepted(request, RDF_OFFERS)?;
        let public = self
            .options
            .base_url
            .clone()
            .unwrap_or_else(|| self.iris.base().to_owned());
        let triples = self.void_triples(&format!("{public}sparql"), &public);
        self.rdf_response(triples, media)
    }

    fn dump(&self, extension: &str) -> Result<Response<Body>, (StatusCode, String)> {
        let (format, media) = DUMPS
            .iter()
            .find(|(f, _)| f.extension() == extension)
            .copied()
            .ok_or_else(|| {
                (
                    StatusCode::NOT_FOUND,
                    format!("no dump in format `{extension}`"),
                )
            })?;
        let mut body = Vec::new();
        export::dump(&self.store, format, &self.prefixes, &mut body, None).map_err(internal)?;
        Ok(ok(media, body))
    }

    /// The network view: actors as nodes, sourced relations between actors as edges with
    /// their relation type, certainty and Gregorian bounds (filtered in the page).
    pub fn network(&self, links: &Links) -> Result<Response<Body>, (StatusCode, String)> {
        #[derive(Serialize)]
        struct Node {
            id: String,
            label: String,
            group: String,
            href: String,
        }
        #[derive(Serialize)]
        struct Edge {
            from: String,
            to: String,
            relation: String,
            certainty: String,
            date: String,
            #[serde(rename = "notBefore")]
            not_before: String,
            #[serde(rename = "notAfter")]
            not_after: String,
        }
        #[derive(Serialize)]
        struct Graph {
            nodes: Vec<Node>,
            edges: Vec<Edge>,
        }
        let text = |t: &Option<Term>| query::local_value(t.as_ref());
        let nodes: Vec<Node> = self
            .select("SELECT ?a ?class (SAMPLE(?l) AS ?label) WHERE { ?a a hkg:Actor , ?class FILTER(?class != hkg:Actor) ?a rdfs:label ?l FILTER(LANG(?l) = 'en') } GROUP BY ?a ?class ORDER BY ?a")
            .into_iter()
            .map(|r| Node { id: text(&r[0]), label: text(&r[2]), group: text(&r[1]), href: match &r[0] { Some(Term::NamedNode(n)) => self.href(links, n.as_str()).unwrap_or_default(), _ => String::new() } })
            .collect();
        let edges: Vec<Edge> = self
            .select(
                "SELECT ?s ?o ?p ?c ?d ?lo ?hi WHERE { ?x a hkg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; hkg:certainty ?c . \
                 ?o a hkg:Actor . OPTIONAL { ?x hkg:date ?d } OPTIONAL { ?x hkg:notBefore ?lo } OPTIONAL { ?x hkg:notAfter ?hi } } ORDER BY ?x",
            )
            .into_iter()
            .map(|r| Edge { from: text(&r[0]), to: text(&r[1]), relation: text(&r[2]), certainty: text(&r[3]), date: text(&r[4]), not_before: text(&r[5]), not_after: text(&r[6]) })
            .collect();
        let mut relations: Vec<&str> = edges.iter().map(|e| e.relation.as_str()).collect();
        relations.sort_unstable();
        relations.dedup();
        let relations: Vec<String> = relations.into_iter().map(str::to_owned).collect();
        self.render(
            "network.html",
            links,
            context! { graph => Graph { nodes, edges }, relations => relations },
        )
    }

    /// The timeline view: every dated event over its Gregorian bounds.
    pub fn timeline(&self, links: &Links) -> Result<Response<Body>, (StatusCode, String)> {
        #[derive(Serialize)]
        struct Item {
            label: String,
            #[serde(rename = "type")]
            class: String,
            date: String,
            #[serde(rename = "notBefore")]
            not_before: String,
            #[serde(rename = "notAfter")]
            not_after: String,
            href: String,
        }
        let value = |t: &Option<Term>| match t {
            Some(Term::NamedNode(n)) => {
                n.as_str().rsplit('#').next().unwrap_or_default().to_owned()
            }
            Some(Term::Literal(l)) => l.value().to_owned(),
            _ => String::new(),
        };
        let events: Vec<Item> = self
            .select(
                "SELECT ?e ?class (SAMPLE(?l) AS ?label) ?d ?lo ?hi WHERE { ?e a hkg:Event , ?class FILTER(?class != hkg:Event) \
                 ?e rdfs:label ?l FILTER(LANG(?l) = 'en') ?e hkg:date ?d ; hkg:notBefore ?lo ; hkg:notAfter ?hi } GROUP BY ?e ?class ?d ?lo ?hi ORDER BY ?lo ?e",
            )
            .into_iter()
            .map(|r| Item {
                href: match &r[0] { Some(Term::NamedNode(n)) => self.href(links, n.as_str()).unwrap_or_default(), _ => String::new() },
                class: value(&r[1]),
                label: value(&r[2]),
                date: value(&r[3]),
                not_before: value(&r[4]),
                not_after: value(&r[5]),
            })
            .collect();
        self.render("timeline.html", links, context! { events => events })
    }

    /// The VoID + DCAT description: the dataset's own triples, the SPARQL endpoint (if any),
    /// the dumps under `dump_base`, and counts.
    pub fn void_triples(&self, sparql_endpoint: &str, dump_base: &str) -> Vec<Triple> {
        let dataset = NamedNode::new_unchecked(format!("{}dataset", self.iris.base()));
        let mut triples = self.subject_triples(&dataset);
        let void =
            |local: &str| NamedNode::new_unchecked(format!("http://rdfs.org/ns/void#{local}"));
        let integer = |n: &str| {
            Term::from(oxigraph::model::Literal::new_typed_literal(
                n,
                oxigraph::model::vocab::xsd::INTEGER,
            ))
        };
        if !sparql_endpoint.is_empty() {
            triples.push(Triple::new(
                dataset.clone(),
                void("sparqlEndpoint"),
                NamedNode::new_unchecked(sparql_endpoint),
            ));
        }
        for (format, _) in DUMPS {
            triples.push(Triple::new(
                dataset.clone(),
                void("dataDump"),
                NamedNode::new_unchecked(format!("{dump_base}graph.{}", format.extension())),
            ));
        }
        triples.push(Triple::new(
            dataset.clone(),
            void("triples"),
            integer(&self.store.len().unwrap_or(0).to_string()),
        ));
        for root in ["Actor", "Event", "Place", "Source"] {
            let n = self.select(&format!(
                "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a hkg:{root} }}"
            ));
            if let Some(Some(Term::Literal(l))) = n.first().and_then(|r| r.first()) {
                let partition = NamedNode::new_unchecked(format!(
                    "{}dataset#{}",
                    self.iris.base(),
                    root.to_lowercase()
                ));
                triples.push(Triple::new(
                    dataset.clone(),
                    void("classPartition"),
                    partition.clone(),
                ));
                triples.push(Triple::new(
                    partition.clone(),
                    void("class"),
                    NamedNode::new_unchecked(format!("{}{root}", crate::vocab::hkg::NS)),
                ));
                triples.push(Triple::new(partition, void("entities"), integer(l.value())));
            }
        }
        triples
    }

    fn rdf_response(
        &self,
        triples: Vec<Triple>,
        media: &str,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        let mut body = Vec::new();
        export::write(triples, rdf_format(media), &self.prefixes, &mut body).map_err(internal)?;
        let mut response = ok(media, body);
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        Ok(response)
    }

    /// Every triple whose subject is `node`.
    fn subject_triples(&self, node: &NamedNode) -> Vec<Triple> {
        self.store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .flatten()
            .map(Triple::from)
            .collect()
    }

    /// The entity's own triples and those of its qualified derivations (empty if unknown).
    pub fn entity_triples(&self, node: &NamedNode) -> Vec<Triple> {
        let mut triples = self.subject_triples(node);
        let derivations: Vec<Triple> = triples
            .iter()
            .filter(|t| t.predicate.as_str() == crate::vocab::prov::QUALIFIED_DERIVATION.as_str())
            .filter_map(|t| match &t.object {
                Term::NamedNode(d) => Some(d.clone()),
                _ => None,
            })
            .flat_map(|d| self.subject_triples(&d))
            .collect();
        triples.extend(derivations);
        triples
    }

    /// The kind and id of an entity IRI of this dataset.
    pub fn parse_entity(&self, iri: &str) -> Option<(Kind, String)> {
        self.iris.parse_entity(iri)
    }

    /// Every entity IRI of the dataset, sorted.
    pub fn entities(&self) -> Vec<NamedNode> {
        let mut out: Vec<NamedNode> = self
            .select("SELECT DISTINCT ?e WHERE { ?e ?p ?o FILTER(ISIRI(?e)) }")
            .into_iter()
            .filter_map(|row| match row.into_iter().next().flatten() {
                Some(Term::NamedNode(n)) if self.iris.parse_entity(n.as_str()).is_some() => Some(n),
                _ => None,
            })
            .collect();
        out.sort();
        out
    }

    /// An entity as a page of a static site: HTML with relative links, or RDF in `media`.
    pub fn entity_document(
        &self,
        node: &NamedNode,
        links: &Links,
        media: &str,
    ) -> Result<Vec<u8>, (StatusCode, String)> {
        let kind = self
            .iris
            .parse_entity(node.as_str())
            .map(|(k, _)| k)
            .ok_or_else(|| (StatusCode::NOT_FOUND, node.to_string()))?;
        let triples = self.entity_triples(node);
        let response = if media == "text/html" {
            self.entity_page(links, node, kind, "", triples)?
        } else {
            self.rdf_response(triples, media)?
        };
        response.into_body().to_vec().map_err(internal)
    }

    fn entity(
        &self,
        request: &Request<Body>,
        path: &str,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        let local = path
            .strip_prefix(self.base_path.as_str())
            .map(|p| format!("/{p}"))
            .filter(|_| self.base_path != "/")
            .unwrap_or_else(|| path.to_owned());
        let iri = format!("{}{}", self.iris.base(), local.trim_start_matches('/'));
        let Some((kind, _)) = self.iris.parse_entity(&iri) else {
            return Err((StatusCode::NOT_FOUND, format!("nothing at {path}")));
        };
        let node = NamedNode::new_unchecked(iri.clone());
        let triples = self.entity_triples(&node);
        if triples.is_empty() {
            return Err((
                StatusCode::NOT_FOUND,
                format!("no {} at {path}", kind.segment()),
            ));
        }
        let explicit = query_param(request, "format").and_then(|f| match f.as_str() {
            "ttl" => Some("text/turtle"),
            "jsonld" => Some("application/ld+json"),
            "nt" => Some("application/n-triples"),
            "rdf" => Some("application/rdf+xml"),
            "html" => Some("text/html"),
            _ => None,
        });
        let offers = [
            "text/html",
            RDF_OFFERS[0],
            RDF_OFFERS[1],
            RDF_OFFERS[2],
            RDF_OFFERS[3],
        ];
        let media = match explicit {
            Some(media) => media,
            None => accepted(request, &offers)?,
        };
        if media != "text/html" {
            return self.rdf_response(triples, media);
        }
        let mut response = self.entity_page(&Links::server(), &node, kind, path, triples)?;
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        Ok(response)
    }

    fn entity_page(
        &self,
        links: &Links,
        node: &NamedNode,
        _kind: Kind,
        path: &str,
        mut triples: Vec<Triple>,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        #[derive(Serialize)]
        struct Row {
            property: String,
            value: String,
            href: Option<String>,
            lang: Option<String>,
        }
        let abbreviations = export::turtle::Prefixes::new(&self.prefixes);
        export::turtle::sort(&mut triples);
        let rows: Vec<Row> = triples
            .iter()
            .filter(|t| t.subject == NamedOrBlankNode::from(node.clone()))
            .map(|t| {
                let property = query::human(&Term::NamedNode(t.predicate.clone()), &abbreviations);
                match &t.object {
                    Term::NamedNode(n) => Row {
                        property,
                        value: if self.href(links, n.as_str()).is_some() {
                            self.label(n.as_str())
                        } else {
                            query::human(&t.object, &abbreviations)
                        },
                        href: self.href(links, n.as_str()).or_else(|| {
                            n.as_str()
                                .starts_with("http")
                                .then(|| n.as_str().to_owned())
                        }),
                        lang: None,
                    },
                    Term::Literal(l) => Row {
                        property,
                        value: l.value().to_owned(),
                        href: None,
                        lang: l.language().map(str::to_owned),
                    },
                    other => Row {
                        property,
                        value: other.to_string(),
                        href: None,
                        lang: None,
                    },
                }
            })
            .collect();
        let incoming: Vec<Row> = self
            .store
            .quads_for_pattern(None, None, Some(node.as_ref().into()), None)
            .flatten()
            .filter_map(|q| match &q.subject {
                NamedOrBlankNode::NamedNode(s) => Some(Row {
                    property: query::human(&Term::NamedNode(q.predicate.clone()), &abbreviations),
                    value: self.label(s.as_str()),
                    href: self.href(links, s.as_str()),
                    lang: None,
                }),
                _ => None,
            })
            .filter(|r| r.href.is_some())
            .collect();
        let card = crate::show::card(&self.store, node).map_err(internal)?;
        let mut hrefs = std::collections::BTreeMap::new();
        let mut note = |iri: &str| {
            if let Some(h) = self.href(links, iri) {
                hrefs.insert(iri.to_owned(), h);
            }
        };
        for r in &card.relations {
            note(&r.subject.iri);
            note(&r.object.iri);
        }
        for r in &card.events {
            note(&r.event.iri);
        }
        for (_, p) in &card.participants {
            note(&p.iri);
        }
        for (_, _, o) in &card.chain {
            note(&o.iri);
        }
        for s in &card.bibliography {
            note(&s.source.iri);
        }
        let card_names = card.names.clone();
        let card_variants = card.variants.clone();
        let formats: Vec<(&str, String, &str)> = [
            ("Turtle", "ttl", "text/turtle"),
            ("JSON-LD", "jsonld", "application/ld+json"),
            ("N-Triples", "nt", "application/n-triples"),
            ("RDF/XML", "rdf", "application/rdf+xml"),
        ]
        .into_iter()
        .map(|(label, ext, media)| {
            (
                label,
                if links.static_site {
                    format!("index.{ext}")
                } else {
                    format!("{path}?format={ext}")
                },
                media,
            )
        })
        .collect();
        self.render(
            "entity.html",
            links,
            context! { card => card, hrefs => hrefs, names => split_lang(&card_names), variants => split_lang(&card_variants), formats => formats, rows => rows, incoming => incoming },
        )
    }

    fn sparql(&self, request: &mut Request<Body>) -> Result<Response<Body>, (StatusCode, String)> {
        let (text, is_update) = self.sparql_text(request)?;
        if is_update {
            return Err((
                StatusCode::FORBIDDEN,
                "updates are not allowed: this endpoint is read-only".to_owned(),
            ));
        }
        let Some(text) = text else {
            return self.service_description(request);
        };
        let token = CancellationToken::new();
        let evaluator = self
            .evaluator
            .clone()
            .with_cancellation_token(token.clone());
        let parsed = match self.parser.clone().parse_query(&text) {
            Ok(q) => q,
            Err(e) => {
                if query::evaluator(&self.prefixes)
                    .map_err(internal)?
                    .parse_update(&text)
                    .is_ok()
                {
                    return Err((
                        StatusCode::FORBIDDEN,
                        "updates (including LOAD) are not allowed: this endpoint is read-only"
                            .to_owned(),
                    ));
                }
                return Err((StatusCode::BAD_REQUEST, format!("syntax error: {e}")));
            }
        };
        if is_quick(&parsed) {
            // Evaluated on this thread: a single triple pattern with a fixed subject reads
            // that subject's triples and nothing else, so handing it to a query thread would
            // cost more (two thread wake-ups) than the query. The deadline is still checked
            // before every result.
            let deadline = Instant::now() + self.options.timeout;
            let result = collect(
                evaluator.for_query(parsed).on_store(&self.store),
                &token,
                Some(deadline),
            );
            return self.respond(&Links::server(), result, request, &text);
        }
        // Any other query runs on its own thread and is collected completely there; if it is
        // not done by the deadline we cancel it and answer 503 at once, without waiting for
        // the evaluator to notice the cancellation.
        let (send, receive) = mpsc::channel();
        let bound = evaluator.for_query(parsed).on_store(&self.store);
        // A query stopped by the deadline may still be winding down after the server has
        // switched generations: it keeps its generation from being removed until it ends.
        let guard = self.store.guard();
        let alive = token.clone();
        self.pool
            .run(move || {
                let _guard = guard;
                let _ = send.send(collect(bound, &alive, None));
            })
            .map_err(internal)?;
        match pool::spin_then_wait(&receive, self.options.timeout) {
            Ok(result) => self.respond(&Links::server(), result, request, &text),
            Err(_) => {
                token.cancel();
                Err(self.timed_out())
            }
        }
    }

    fn timed_out(&self) -> (StatusCode, String) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the query ran longer than the {} s limit and was stopped",
                self.options.timeout.as_secs_f32()
            ),
        )
    }

    fn respond(
        &self,
        links: &Links,
        result: Result<Collected, QueryEvaluationError>,
        request: &Request<Body>,
        text: &str,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        let collected = result.map_err(|e| match e {
            QueryEvaluationError::Cancelled => self.timed_out(),
            other => (
                StatusCode::BAD_REQUEST,
                format!("cannot evaluate the query: {other}"),
            ),
        })?;
        match collected {
            Collected::Graph(triples) => {
                let offers = [
                    RDF_OFFERS[0],
                    RDF_OFFERS[1],
                    RDF_OFFERS[2],
                    RDF_OFFERS[3],
                    "text/html",
                ];
                let media = accepted(request, &offers)?;
                let media = if media == "text/html" {
                    "text/turtle"
                } else {
                    media
                };
                self.rdf_response(triples, media)
            }
            Collected::Boolean(value) => {
                let media = accepted(request, SOLUTION_OFFERS)?;
                if media == "text/html" {
                    return self.render("results.html", links, context! { query => text, boolean => value, variables => Vec::<String>::new(), rows => Vec::<Vec<String>>::new() });
                }
                let body = QueryResultsSerializer::from_format(results_format(media))
                    .serialize_boolean_to_writer(Vec::new(), value)
                    .map_err(internal)?;
                Ok(ok(media, body))
            }
            Collected::Solutions(variables, solutions) => {
                let media = accepted(request, SOLUTION_OFFERS)?;
                if media == "text/html" {
                    #[derive(Serialize)]
                    struct Cell {
                        value: String,
                        href: Option<String>,
                    }
                    let abbreviations = export::turtle::Prefixes::new(&self.prefixes);
                    let rows: Vec<Vec<Cell>> = solutions
                        .iter()
                        .map(|solution| {
                            variables
                                .iter()
                                .map(|v| match solution.get(v) {
                                    Some(Term::NamedNode(n)) => Cell {
                                        value: query::human(
                                            &Term::NamedNode(n.clone()),
                                            &abbreviations,
                                        ),
                                        href: self.href(links, n.as_str()),
                                    },
                                    Some(t) => Cell {
                                        value: query::human(t, &abbreviations),
                                        href: None,
                                    },
                                    None => Cell {
                                        value: String::new(),
                                        href: None,
                                    },
                                })
                                .collect()
                        })
                        .collect();
                    let names: Vec<&str> = variables.iter().map(|v| v.as_str()).collect();
                    return self.render("results.html", links, context! { query => text, boolean => minijinja::Value::from(()), variables => names, rows => rows });
                }
                let mut serializer = QueryResultsSerializer::from_format(results_format(media))
                    .serialize_solutions_to_writer(Vec::new(), variables)
                    .map_err(internal)?;
                for solution in &solutions {
                    serializer.serialize(solution).map_err(internal)?;
                }
                Ok(ok(media, serializer.finish().map_err(internal)?))
            }
        }
    }

    /// The query or update text of a protocol request: `(query, is_update)`.
    fn sparql_text(
        &self,
        request: &mut Request<Body>,
    ) -> Result<(Option<String>, bool), (StatusCode, String)> {
        if request.method() != Method::POST {
            if query_param(request, "update").is_some() {
                return Ok((None, true));
            }
            return Ok((query_param(request, "query"), false));
        }
        let content_type = header(request, CONTENT_TYPE)
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let mut body = Vec::new();
        request
            .body_mut()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                )
            })?;
        if body.len() as u64 > MAX_BODY_BYTES {
            return Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            ));
        }
        match content_type.as_str() {
            "application/sparql-query" => {
                Ok((
                    Some(String::from_utf8(body).map_err(|_| {
                        (StatusCode::BAD_REQUEST, "the query is not UTF-8".to_owned())
                    })?),
                    false,
                ))
            }
            "application/sparql-update" => Ok((None, true)),
            "application/x-www-form-urlencoded" => {
                let mut query = None;
                for (k, v) in form_urlencoded::parse(&body) {
                    match k.as_ref() {
                        "update" => return Ok((None, true)),
                        "query" => query = Some(v.into_owned()),
                        _ => {}
                    }
                }
                Ok((query, false))
            }
            other => Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "unsupported content type `{other}`; use application/sparql-query or application/x-www-form-urlencoded"
                ),
            )),
        }
    }

    fn service_description(
        &self,
        request: &Request<Body>,
    ) -> Result<Response<Body>, (StatusCode, String)> {
        let media = accepted(request, RDF_OFFERS)?;
        let sd = |local: &str| {
            NamedNode::new_unchecked(format!(
                "http://www.w3.org/ns/sparql-service-description#{local}"
            ))
        };
        let service = NamedNode::new_unchecked(format!("{}sparql", self.iris.base()));
        let mut triples = vec![
            Triple::new(
                service.clone(),
                oxigraph::model::vocab::rdf::TYPE,
                sd("Service"),
            ),
            Triple::new(service.clone(), sd("endpoint"), service.clone()),
            Triple::new(
                service.clone(),
                sd("supportedLanguage"),
                sd("SPARQL11Query"),
            ),
        ];
        for format in [
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        ] {
            triples.push(Triple::new(
                service.clone(),
                sd("resultFormat"),
                NamedNode::new_unchecked(format!("http://www.w3.org/ns/formats/{format}")),
            ));
        }
        self.rdf_response(triples, media)
    }
}

/// Query results, collected in full before any byte is sent.
enum Collected {
    Graph(Vec<Triple>),
    Boolean(bool),
    Solutions(
        Vec<oxigraph::sparql::Variable>,
        Vec<oxigraph::sparql::QuerySolution>,
    ),
}

/// Evaluates `query` and collects its results, stopping as soon as `token` is cancelled.
///
/// The evaluator itself looks at the token only when it reads the store, and a join done in
/// memory (a cartesian product) can give millions of results between two reads, so the token
/// is also checked here for every result; returning an error drops the evaluation.
fn collect(
    query: oxigraph::sparql::BoundPreparedSparqlQuery<'static>,
    token: &CancellationToken,
    deadline: Option<Instant>,
) -> Result<Collected, QueryEvaluationError> {
    let alive = || {
        if token.is_cancelled() || deadline.is_some_and(|d| Instant::now() >= d) {
            Err(QueryEvaluationError::Cancelled)
        } else {
            Ok(())
        }
    };
    Ok(match query.execute()? {
        QueryResults::Graph(triples) => Collected::Graph(
            triples
                .map(|t| t.and_then(|t| alive().map(|()| t)))
                .collect::<Result<_, _>>()?,
        ),
        QueryResults::Boolean(value) => Collected::Boolean(value),
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            Collected::Solutions(
                variables,
                solutions
                    .map(|s| s.and_then(|s| alive().map(|()| s)))
                    .collect::<Result<_, _>>()?,
            )
        }
    })
}

/// Whether `query` is one triple pattern with a fixed subject (an IRI), under at most a
/// projection, `DISTINCT`, `REDUCED` and `LIMIT`/`OFFSET`: such a query reads one subject's
/// triples from the `spo` index and cannot run long, so [`App`] evaluates it on the
/// connection's thread. Everything else (joins, filters, paths, sorts, aggregates, `DESCRIBE`)
/// goes to a query thread that the deadline can abandon.
fn is_quick(query: &spargebra::Query) -> bool {
    use spargebra::algebra::GraphPattern;
    use spargebra::term::TermPattern;
    let mut pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
        spargebra::Query::Describe { .. } => return false,
    };
    loop {
        pattern = match pattern {
            GraphPattern::Project { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. } => inner,
            GraphPattern::Bgp { patterns } => {
                return matches!(patterns.as_slice(), [one] if matches!(one.subject, TermPattern::NamedNode(_)));
            }
            _ => return false,
        }
    }
}

fn results_format(media: &str) -> oxigraph::sparql::results::QueryResultsFormat {
    query::w3c(match media {
        "application/sparql-results+xml" => ResultsFormat::Xml,
        "text/csv" => ResultsFormat::Csv,
        "text/tab-separated-values" => ResultsFormat::Tsv,
        _ => ResultsFormat::Json,
    })
}

/// Case-, accent- and punctuation-insensitive form of a name, so that "Abu'l-Khayr",
/// "Abul Khayr" and "abulkhayr" meet.
fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

fn header(request: &Request<Body>, name: oxhttp::model::header::HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn query_param(request: &Request<Body>, name: &str) -> Option<String> {
    form_urlencoded::parse(request.uri().query()?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn ok(media: &str, body: Vec<u8>) -> Response<Body> {
    let content_type = if media.starts_with("text/") && !media.contains("charset") {
        format!("{media}; charset=utf-8")
    } else {
        media.to_owned()
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("valid response")
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("{message}\n")))
        .expect("valid response")
}

/// 405 with the methods the resource allows (RFC 9110 §15.5.6 requires `Allow`).
fn not_allowed(method: &Method, allow: &'static str) -> Response<Body> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not allowed here; use {allow}"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

/// The offer the request's `Accept` prefers: 400 when the header is not a list of media
/// ranges, 406 when it accepts none of the offers.
fn accepted<'a>(
    request: &Request<Body>,
    offers: &[&'a str],
) -> Result<&'a str, (StatusCode, String)> {
    let malformed = |why: String| (StatusCode::BAD_REQUEST, format!("bad Accept header: {why}"));
    // Several Accept lines are one comma-separated list (RFC 9110 §5.3).
    let mut lines = Vec::new();
    for value in request.headers().get_all(ACCEPT) {
        lines.push(
            value
                .to_str()
                .map_err(|_| malformed("it is not visible ASCII".to_owned()))?,
        );
    }
    let accept = (!lines.is_empty()).then(|| lines.join(","));
    negotiate::choose(accept.as_deref(), offers)
        .map_err(malformed)?
        .ok_or_else(not_acceptable)
}

fn not_acceptable() -> (StatusCode, String) {
    (
        StatusCode::NOT_ACCEPTABLE,
        "none of the media types in Accept can be served".to_owned(),
    )
}

fn internal(e: impl std::fmt::Display) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Binds the handler to `bind` and serves until the process is stopped.
pub fn run(live: Live, bind: std::net::SocketAddr) -> Result<()> {
    let live = std::sync::Arc::new(live);
    let watcher = std::sync::Arc::clone(&live);
    std::thread::Builder::new()
        .name("histkg generation watcher".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(WATCH_INTERVAL);
                match watcher.refresh() {
                    Ok(Some(name)) => eprintln!("now serving {name}"),
                    Ok(None) => {}
                    Err(e) => eprintln!("still serving the previous generation: {e:#}"),
                }
            }
        })?;
    let server = server(live, bind, READ_TIMEOUT)?;
    eprintln!("serving on http://{bind}/ (SPARQL at http://{bind}/sparql)");
    server
        .spawn()
        .with_context(|| format!("cannot listen on {bind}"))?
        .join()?;
    Ok(())
}

/// The HTTP server [`run`] starts, not yet listening: oxhttp with histkg's limits.
///
/// oxhttp (patched, `vendor/oxhttp/HISTKG-PATCH.md`) answers before the handler runs: 414 for a
/// request line over 8 KiB, 431 for a longer head, 400 for a malformed request, 408 for one cut
/// short by `read_timeout`; a kept-alive connection idle for `read_timeout` is closed without
/// an answer.
pub fn server(
    live: std::sync::Arc<Live>,
    bind: std::net::SocketAddr,
    read_timeout: Duration,
) -> Result<oxhttp::Server> {
    Ok(oxhttp::Server::new(move |request| live.handle(request))
        .bind(bind)
        .with_global_timeout(read_timeout)
        .with_max_concurrent_connections(MAX_CONNECTIONS)
        .with_server_name(concat!("histkg/", env!("CARGO_PKG_VERSION")))?)
}

/// How long [`run`]'s connections wait for a client to send (and to read) before giving up.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How many connections [`run`] serves at once; more wait for one to close.
///
/// oxhttp gives each connection a thread, and a connection that sends nothing holds it until
/// the 60 s read timeout, so this is how many idle connections it takes to block the server.
/// At 128, 232 idle connections (the listen backlog took the rest) kept a fresh request
/// waiting 59.5 s (`tests/reliability/hostile-http.sh` opens 300). 512 threads cost little
/// (stacks are reserved, not committed), and 512 sockets stay under the usual soft limit of
/// 1024 open files with room for RocksDB's, so `accept` does not fail (oxhttp would retry it
/// in a busy loop).
pub const MAX_CONNECTIONS: usize = 512;

/// How often [`run`] looks for a newly published generation.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// An [`App`] over whichever generation is published.
///
/// [`Live::refresh`] opens a newly published generation and swaps it in; requests already
/// running finish on the generation they started with, whose lock is released (and which a
/// later refresh or build then removes) when the last of them ends.
pub struct Live {
    store_dir: std::path::PathBuf,
    queries_dir: std::path::PathBuf,
    options: Options,
    current: std::sync::RwLock<std::sync::Arc<App>>,
}

impl Live {
    /// Opens the published generation of `store_dir`.
    pub fn open(store_dir: &Path, queries_dir: &Path, options: Options) -> Result<Self> {
        let app = App::new(crate::store::open(store_dir)?, queries_dir, options.clone())?;
        Ok(Self {
            store_dir: store_dir.to_owned(),
            queries_dir: queries_dir.to_owned(),
            options,
            current: std::sync::RwLock::new(std::sync::Arc::new(app)),
        })
    }

    /// The application over the generation being served.
    pub fn app(&self) -> std::sync::Arc<App> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        std::sync::Arc::clone(&current)
    }

    /// Answers one request on the generation being served.
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        self.app().handle(request)
    }

    /// Switches to the published generation if it changed, returning its name, and removes
    /// older generations no reader holds any more.
    pub fn refresh(&self) -> Result<Option<String>> {
        let published = crate::store::current_generation(&self.store_dir)?;
        let serving = self.app().store.generation().to_owned();
        let mut switched = None;
        if published.is_some_and(|p| p != serving) {
            let store = crate::store::open(&self.store_dir)?;
            let name = store.generation().to_owned();
            let app = App::new(store, &self.queries_dir, self.options.clone())?;
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(app);
            switched = Some(name);
        }
        // Not fatal: a read-only store directory cannot be cleaned, and the next build will.
        let _ = crate::store::remove_unused(&self.store_dir);
        Ok(switched)
    }
}

#[cfg(test)]
mod tests {
    use super::is_quick;

    fn quick(text: &str) -> bool {
        is_quick(&spargebra::SparqlParser::new().parse_query(text).unwrap())
    }

    #[test]
    fn only_one_pattern_with_a_fixed_subject_is_evaluated_inline() {
        for text in [
            "SELECT ?p ?o WHERE { <http://e/x> ?p ?o }",
            "SELECT DISTINCT ?o WHERE { <http://e/x> <http://e/p> ?o } LIMIT 10 OFFSET 2",
            "ASK { <http://e/x> ?p <http://e/y> }",
            "CONSTRUCT WHERE { <http://e/x> ?p ?o }",
        ] {
            assert!(quick(text), "{text}");
        }
        for text in [
            "SELECT * WHERE { ?s ?p ?o }",
            "SELECT * WHERE { _:b ?p ?o }",
            "SELECT * WHERE { <http://e/x> ?p ?o . ?o ?q ?r }",
            "SELECT * WHERE { <http://e/x> ?p ?o FILTER(?o != 1) }",
            "SELECT * WHERE { <http://e/x> <http://e/p>* ?o }",
            "SELECT ?o WHERE { <http://e/x> ?p ?o } ORDER BY ?o",
            "SELECT (COUNT(*) AS ?n) WHERE { <http://e/x> ?p ?o }",
            "SELECT * WHERE { <http://e/x> ?p ?o OPTIONAL { ?o ?q ?r } }",
            "SELECT * WHERE { { <http://e/x> ?p ?o } UNION { ?o ?p <http://e/x> } }",
            "SELECT * WHERE { SERVICE <http://e/s> { <http://e/x> ?p ?o } }",
            "SELECT * WHERE { GRAPH ?g { <http://e/x> ?p ?o } }",
            "DESCRIBE <http://e/x>",
        ] {
            assert!(!quick(text), "{text}");
        }
    }
}
