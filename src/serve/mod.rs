//! `histkg serve`: a read-only linked-data server over the published store.
//!
//! The heart is the pure handler [`App::handle`], which maps a request to a response without
//! touching sockets, so every route is tested directly. This file owns the routes; the pages
//! and documents they answer with are `site`'s. Beside it:
//!
//! - `http`: responses, refusals, request parameters, content negotiation (`negotiate`);
//! - `cache`: `ETag`, `Last-Modified`, `304 Not Modified` and gzip for every route;
//! - `sparql`: the SPARQL 1.1 Protocol, its deadline and its query threads (`pool`);
//! - `live`: the generation being served, swapped when a build publishes, and the socket.
//!
//! Routes:
//!
//! - `/sparql`: SPARQL 1.1 Protocol (GET `?query=`, POST form or `application/sparql-query`),
//!   results by `Accept`; a service description on a plain GET; updates answer 403.
//! - `/actor/ID`, `/event/ID`, `/place/ID`, `/source/ID`, `/assertion/ID` (also under the
//!   base IRI's path): the entity, by content negotiation (HTML or RDF), `Vary: Accept`.
//! - `/`: the home page; `/search?q=`: names in any script; `/reconcile`: the Entity
//!   Reconciliation API for OpenRefine (CORS always); `/.well-known/void`: VoID;
//!   `/shapes.ttl`: the SHACL shapes the graph conforms to;
//!   `/network`, `/timeline`, `/map`, `/findings`; `/graph.EXT`: the whole graph, streamed; `/assets/`.
//!
//! Must not: write to the store, build pages itself, or answer 200 with a partial page (a
//! failed store read is a 500; a dump that fails while streaming ends without its final
//! chunk, which clients report as an incomplete transfer).

mod cache;
mod http;
mod live;
mod negotiate;
mod pool;
mod sparql;

use crate::export::citations::CitationFormat;
use http::Refusal;
pub use live::{Live, MAX_CONNECTIONS, READ_TIMEOUT, WATCH_INTERVAL, run, server};
pub use sparql::MAX_BODY_BYTES;

use crate::error::Result;
use crate::export::Format;
use crate::site::{Links, Located, Site, asset};
use crate::store::Published;
use crate::vocab::{BaseUrl, Kind};
use http::{Answer, accepted, html, not_allowed, ok, query_param, rdf_offers};
use oxhttp::model::header::ALLOW;
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use oxigraph::model::Triple;
use sparql::Endpoint;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// The longest request target (path and query) we accept (longer: 414): the 8000 octets
/// RFC 9110 §4.1 recommends supporting. oxhttp has its own limit of 8 KiB on the whole request
/// head, beyond which it answers 414 or 431 (patched) before the handler runs, so this is what
/// decides for a target of up to 8 KiB with short headers.
pub const MAX_URL_BYTES: usize = 8000;

/// How many dumps (`/graph.*`) are streamed at once; more answer 503 with `Retry-After`. A dump
/// takes a thread, its export workers (one per core, up to 8) and a list of every subject, so
/// a few cover any honest use and keep 512 connections from starting thousands of threads.
pub const MAX_DUMPS: usize = 2;

/// How many values (rows times columns, or triples times three) a query's results may hold
/// before the query is stopped and answered 503: a million rows of `?s ?p ?o`. Results are
/// collected in memory before the status is chosen, about a hundred bytes per value, so this
/// bounds one query's memory to a few hundred megabytes; the dumps have no such limit.
pub const DEFAULT_MAX_VALUES: usize = 3_000_000;

/// Server options.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a query may run before it is stopped and answered 503.
    pub timeout: Duration,
    /// How many values a query's results may hold (see [`DEFAULT_MAX_VALUES`]).
    pub max_values: usize,
    /// Send `Access-Control-Allow-Origin: *`.
    pub cors: bool,
    /// The public URL of this server, used in VoID for the SPARQL endpoint and the dumps; the
    /// dataset's base IRI when `None`.
    pub base_url: Option<BaseUrl>,
}

impl Default for Options {
    /// The command line's defaults: a 10 s timeout, [`DEFAULT_MAX_VALUES`], no CORS header.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_values: DEFAULT_MAX_VALUES,
            cors: false,
            base_url: None,
        }
    }
}

/// The application over one store generation: its pages, its endpoint and the options.
pub struct App {
    site: Site,
    endpoint: Endpoint,
    options: Options,
    /// Dumps being streamed, at most [`MAX_DUMPS`].
    dumps: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// The validators of this generation's responses.
    validators: cache::Validators,
}

impl App {
    /// Prepares the application over an opened store; reads the curated queries of
    /// `queries_dir`.
    pub fn new(store: Published, queries_dir: &Path, options: Options) -> Result<Self> {
        let validators = cache::Validators::new(store.generation(), store.written());
        let site = Site::open(store, queries_dir)?;
        let endpoint = Endpoint::new(site.prefixes(), options.timeout, options.max_values)?;
        Ok(Self {
            site,
            endpoint,
            options,
            dumps: std::sync::Arc::default(),
            validators,
        })
    }

    /// The generation this application reads.
    pub fn store(&self) -> &Published {
        self.site.store()
    }

    /// How many query threads wait for work: a query stopped at the deadline gives its thread
    /// back once its evaluation has really stopped (for tests).
    pub fn idle_query_threads(&self) -> usize {
        self.endpoint.idle_threads()
    }

    /// The name of the store generation this application reads.
    pub fn generation(&self) -> &str {
        self.site.store().generation()
    }

    /// Answers one request. Pure apart from reading the store: no sockets, no files. A
    /// revalidation that names the current ETag is answered `304` before routing.
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        let coding = cache::Coding::of(request);
        let etag = self.validators.etag(request, coding);
        let mut response = match self.validators.revalidate(request, &etag) {
            Some(not_modified) => not_modified,
            None => {
                let routed = self.route(request).unwrap_or_else(Refusal::into_response);
                self.validators.finish(request, routed, &etag, coding)
            }
        };
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

    fn route(&self, request: &mut Request<Body>) -> Answer {
        let target = request
            .uri()
            .path_and_query()
            .map_or(0, |t| t.as_str().len());
        if target > MAX_URL_BYTES {
            return Err(Refusal::new(
                StatusCode::URI_TOO_LONG,
                format!("the URL is longer than {MAX_URL_BYTES} bytes"),
            ));
        }
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        // The server is read-only: POST is for the SPARQL endpoint's queries only.
        let allow = if path == "/sparql" || path == "/reconcile" {
            "GET, HEAD, POST, OPTIONS"
        } else {
            "GET, HEAD, OPTIONS"
        };
        if method == Method::OPTIONS {
            let mut response = self.options_response(allow);
            if path == "/reconcile" {
                cors(&mut response);
            }
            return Ok(response);
        }
        let is_read = method == Method::GET || method == Method::HEAD;
        let links = Links::server();
        match path.as_str() {
            "/sparql" if is_read || method == Method::POST => {
                self.endpoint.answer(&self.site, request)
            }
            "/reconcile" if is_read || method == Method::POST => {
                let mut response = self.reconcile(request)?;
                cors(&mut response);
                Ok(response)
            }
            "/reconcile/preview"
            | "/reconcile/suggest/entity"
            | "/reconcile/suggest/type"
            | "/reconcile/suggest/property"
            | "/reconcile/propose_properties" => {
                let mut response = self.reconcile_more(request, &path)?;
                cors(&mut response);
                Ok(response)
            }
            _ if !is_read => Ok(not_allowed(&method, allow)),
            "/" => Ok(html(self.site.home(&links)?)),
            "/search" => {
                let q = query_param(request, "q").unwrap_or_default();
                Ok(html(self.site.search(&links, &q)?))
            }
            "/.well-known/void" => self.void(request),
            "/shapes.ttl" => Ok(ok("text/turtle", crate::site::SHAPES)),
            "/network" => Ok(html(self.site.network(&links)?)),
            "/timeline" => Ok(html(self.site.timeline(&links)?)),
            "/map" => Ok(html(self.site.map(&links)?)),
            "/findings" => Ok(html(self.site.findings(&links)?)),
            _ if path.starts_with("/graph.") => {
                self.dump(&path["/graph.".len()..], method == Method::HEAD)
            }
            _ if path.starts_with("/assets/") => asset(&path["/assets/".len()..])
                .map(|a| ok(a.media_type, a.bytes))
                .ok_or_else(|| Refusal::not_found(format!("nothing at {path}"))),
            _ => self.entity(request, &path),
        }
    }

    /// 204 with the allowed methods (and, with `--cors`, what a preflight needs).
    fn options_response(&self, allow: &'static str) -> Response<Body> {
        let mut r = Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(ALLOW, allow);
        if self.options.cors {
            r = r
                .header("access-control-allow-methods", allow)
                .header("access-control-allow-headers", "Accept, Content-Type");
        }
        r.body(Body::empty()).expect("valid response")
    }

    /// The Entity Reconciliation API: the manifest, or a batch of `queries` (a GET parameter
    /// or a POST form field) answered as JSON.
    fn reconcile(&self, request: &mut Request<Body>) -> Answer {
        let mut queries = query_param(request, "queries");
        let mut extend = query_param(request, "extend");
        if request.method() == Method::POST {
            let body = sparql::read_body(request)?;
            for (k, v) in form_urlencoded::parse(&body) {
                match k.as_ref() {
                    "queries" => queries = Some(v.into_owned()),
                    "extend" => extend = Some(v.into_owned()),
                    _ => {}
                }
            }
        }
        let json = |value: serde_json::Value| ok("application/json", value.to_string());
        if let Some(text) = extend {
            let request: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Refusal::bad_request(format!("`extend` is not JSON: {e}")))?;
            return match self.site.extend(&request) {
                Ok(rows) => Ok(json(rows?)),
                Err(why) => Err(Refusal::bad_request(why)),
            };
        }
        let Some(text) = queries else {
            let public = match &self.options.base_url {
                Some(url) => url.clone(),
                None => BaseUrl::of(self.site.iris()),
            };
            return Ok(json(self.site.reconcile_manifest(public.as_str())?));
        };
        let batch: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Refusal::bad_request(format!("`queries` is not JSON: {e}")))?;
        match self.site.reconcile(&batch) {
            Ok(answers) => Ok(json(answers?)),
            Err(why) => Err(Refusal::bad_request(why)),
        }
    }

    /// The reconciliation service's preview (`?id=`) and suggest (`?prefix=`) routes.
    fn reconcile_more(&self, request: &Request<Body>, path: &str) -> Answer {
        let public = match &self.options.base_url {
            Some(url) => url.clone(),
            None => BaseUrl::of(self.site.iris()),
        };
        let json = |value: serde_json::Value| ok("application/json", value.to_string());
        if path == "/reconcile/preview" {
            let id = query_param(request, "id").unwrap_or_default();
            return match self.site.reconcile_preview(&id, public.as_str())? {
                Some(card) => Ok(html(card)),
                None => Err(Refusal::not_found(format!("no actor or place `{id}`"))),
            };
        }
        if path == "/reconcile/propose_properties" {
            let type_id = query_param(request, "type").unwrap_or_default();
            return Ok(json(self.site.propose_properties(&type_id)));
        }
        let prefix = query_param(request, "prefix").unwrap_or_default();
        Ok(json(if path.ends_with("/type") {
            self.site.suggest_types(&prefix)?
        } else if path.ends_with("/property") {
            self.site.suggest_properties(&prefix)
        } else {
            self.site.suggest_entities(&prefix)?
        }))
    }

    fn void(&self, request: &Request<Body>) -> Answer {
        let format = http::negotiated_format(request, &rdf_offers())?;
        let public = match &self.options.base_url {
            Some(url) => url.clone(),
            None => BaseUrl::of(self.site.iris()),
        };
        let triples = self.site.void(Some(public.sparql_endpoint()), &public)?;
        rdf(&self.site, triples, format)
    }

    /// The whole graph in the format of `extension`, streamed from the store to the socket.
    fn dump(&self, extension: &str, head: bool) -> Answer {
        let format = Format::from_extension(extension)
            .ok_or_else(|| Refusal::not_found(format!("no dump in format `{extension}`")))?;
        if head {
            return Ok(ok(format.media_type(), Body::empty()));
        }
        let Some(slot) = Slot::take(&self.dumps) else {
            let mut busy = Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{MAX_DUMPS} dumps are being sent; try again in a few seconds"),
            )
            .into_response();
            busy.headers_mut()
                .insert("retry-after", HeaderValue::from_static("5"));
            return Ok(busy);
        };
        let body = stream(&self.site, format, slot)?;
        Ok(ok(format.media_type(), Body::from_read(body)))
    }

    fn entity(&self, request: &Request<Body>, path: &str) -> Answer {
        let entity = match self.site.locate(path)? {
            Located::Nothing => return Err(Refusal::not_found(format!("nothing at {path}"))),
            Located::Missing(kind) => {
                return Err(Refusal::not_found(format!(
                    "no {} at {path}",
                    kind.segment()
                )));
            }
            Located::Entity(entity) => entity,
        };
        // A source is also a reference: CSL-JSON and BibLaTeX, by name or by Accept.
        let asked = query_param(request, "format");
        let citation = match asked.as_deref().map(CitationFormat::from_name) {
            Some(named) => named,
            None if entity.kind == Kind::Source => {
                let mut offers = http::html_or_rdf_offers().to_vec();
                offers.extend(CitationFormat::ALL.map(CitationFormat::media_type));
                CitationFormat::from_media_type(accepted(request, &offers)?)
            }
            None => None,
        };
        if let Some(citation) = citation {
            let text = self.site.citation(&entity, citation)?.ok_or_else(|| {
                Refusal::new(
                    StatusCode::NOT_ACCEPTABLE,
                    format!("{path} is no source: only sources have citations"),
                )
            })?;
            return Ok(http::vary_on_accept(ok(citation.media_type(), text)));
        }
        let explicit = asked.and_then(|f| match f.as_str() {
            "html" => Some(None),
            other => Format::from_extension(other)
                .filter(|f| Format::DOCUMENTS.contains(f))
                .map(Some),
        });
        let format = match explicit {
            Some(format) => format,
            None => Format::from_media_type(accepted(request, &http::html_or_rdf_offers())?),
        };
        let Some(format) = format else {
            let page = self.site.entity_page(&Links::server(), &entity, path)?;
            return Ok(http::vary_on_accept(html(page)));
        };
        rdf(&self.site, entity.triples, format)
    }
}

/// Cross-origin access, as reconciliation clients in a browser need it.
fn cors(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("Accept, Content-Type"),
    );
}

/// `triples` as an RDF document in `format`, negotiated (`Vary: Accept`).
fn rdf(site: &Site, triples: Vec<Triple>, format: Format) -> Answer {
    let mut body = Vec::new();
    site.write_rdf(&triples, format, &mut body)?;
    Ok(http::vary_on_accept(ok(format.media_type(), body)))
}

/// A dump being written by its own thread into a pipe, read by the connection: memory stays
/// at the pipe's and the export's buffers however large the graph. A failure while writing
/// reaches the reader as an error, so the response ends without its final chunk instead of
/// looking complete.
fn stream(site: &Site, format: Format, slot: Slot) -> Result<impl Read + use<>> {
    let (reader, writer) = std::io::pipe()?;
    let (done, outcome) = std::sync::mpsc::channel();
    let dumper = site.dumper(format);
    std::thread::Builder::new()
        .name("histkg dump".to_owned())
        .spawn(move || {
            let written = dumper.write(std::io::BufWriter::with_capacity(1 << 16, writer));
            let _ = done.send(written);
        })?;
    Ok(Streamed {
        reader,
        outcome: Some(outcome),
        _slot: slot,
    })
}

/// One of the [`MAX_DUMPS`] dumps that may be streamed at once, given back on drop (when the
/// connection has read the dump or gone).
struct Slot(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Slot {
    fn take(dumps: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Option<Self> {
        use std::sync::atomic::Ordering;
        dumps
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_DUMPS).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(std::sync::Arc::clone(dumps)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// The reading end of [`stream`].
struct Streamed {
    reader: std::io::PipeReader,
    outcome: Option<std::sync::mpsc::Receiver<Result<()>>>,
    _slot: Slot,
}

impl Read for Streamed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Reading nothing is not the end of the stream.
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.reader.read(buf)?;
        if n == 0
            && let Some(outcome) = self.outcome.take()
        {
            return match outcome.recv() {
                Ok(Ok(())) => Ok(0),
                Ok(Err(e)) => {
                    let message = crate::error::chain(&e);
                    log::error!("the dump stopped: {message}");
                    Err(std::io::Error::other(message))
                }
                Err(_) => Err(std::io::Error::other("the dump's thread stopped")),
            };
        }
        Ok(n)
    }
}
