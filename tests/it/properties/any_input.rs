//! Arbitrary input: the ingest and the HTTP handler answer everything without panicking.

use super::generators::{opt, text};
use super::{TABLES, config};
use crate::common::{self, root};
use histkg::ingest;
use histkg::mapping::Mapper;
use histkg::model::Record;
use oxhttp::model::{Body, HeaderName, HeaderValue, Method, Request, StatusCode};
use oxigraph::model::{NamedNode, Term};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestRunner;
use std::fs;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

/// Pieces of CSV: the mini dataset's column names and ids, separators, quotes, line ends.
const CSV_PIECES: &[&str] = &[
    "id",
    "type",
    "label_en",
    "label_ru",
    "sources",
    "event",
    "actor",
    "role",
    "subject",
    "predicate",
    "object",
    "date",
    "calendar",
    "citation",
    "labels",
    "note",
    "place",
    "about",
    ",",
    ",,",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{feff}",
    "\0",
    "\u{ff}",
    "|",
    ":",
    "@",
    "@en",
    "darma-bala",
    "ayuka",
    "moca-124",
    "samara",
    "Person",
    "Report",
    "spouseOf",
    "agent",
    "1741-08-26",
    "1741/1740",
    "julian",
    "disputed",
    "Дарма",
    "\\",
    "#",
    "../",
    "https://x/",
];

fn csv_soup() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(select(CSV_PIECES), 0..40).prop_map(|p| p.concat().into_bytes()),
        1 => vec(any::<u8>(), 0..600),
        1 => (vec(select(CSV_PIECES), 0..20), vec(any::<u8>(), 0..20)).prop_map(|(p, tail)| {
            let mut bytes = p.concat().into_bytes();
            bytes.extend(tail);
            bytes
        }),
    ]
}

/// Checks `data_dir`: problems are one per line, located in a data file; a dataset that
/// passes maps to triples whose IRIs are all valid.
fn check_anything(data_dir: &Path) -> Result<(), TestCaseError> {
    match ingest::check(data_dir) {
        Err(invalid) => {
            for d in &invalid.0 {
                prop_assert!(
                    !d.message.is_empty() && !d.message.contains(['\n', '\r']),
                    "{:?}",
                    d
                );
                prop_assert!(d.location.line >= 1, "{:?}", d);
                prop_assert!(d.location.file.starts_with(&*data_dir.to_string_lossy()));
            }
        }
        Ok(checked) => {
            let mut mapper = Mapper::new(&checked.base, checked.tiers().clone()).unwrap();
            let mut bad = Vec::new();
            checked
                .records(|record| {
                    // Every accepted row except a participation cites at least one source.
                    let sources = match &record {
                        Record::Actor(n) | Record::Place(n) => Some(&n.sources),
                        Record::Relation(r) => Some(&r.sources),
                        Record::Event(e) => Some(&e.sources),
                        _ => None,
                    };
                    if sources.is_some_and(Vec::is_empty) {
                        bad.push(format!("accepted without a source: {record:?}"));
                    }
                    for t in mapper.record(&record) {
                        let mut iris = vec![t.subject.to_string(), t.predicate.to_string()];
                        match &t.object {
                            Term::NamedNode(n) => iris.push(n.to_string()),
                            Term::Literal(l) => iris.push(l.datatype().to_string()),
                            #[allow(unreachable_patterns)]
                            other => bad.push(format!("not an IRI or literal: {other}")),
                        }
                        for iri in iris {
                            let iri = iri.trim_start_matches('<').trim_end_matches('>');
                            if NamedNode::new(iri).is_err() {
                                bad.push(iri.to_owned());
                            }
                        }
                    }
                    ControlFlow::Continue(())
                })
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(bad.is_empty(), "invalid IRIs or uncited rows: {:?}", bad);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(None))]

    #[test]
    fn ingest_answers_any_table(table in select(TABLES.to_vec()), bytes in csv_soup()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        fs::write(dir.path().join(table), &bytes).unwrap();
        check_anything(dir.path())?;
    }

    /// The same, with the bytes after the table's real header (so rows get checked).
    #[test]
    fn ingest_answers_any_rows(table in select(TABLES.to_vec()), bytes in csv_soup()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        let path = dir.path().join(table);
        let text = fs::read(&path).unwrap();
        let header_end = text.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut content = text[..header_end].to_vec();
        content.extend(&bytes);
        fs::write(&path, content).unwrap();
        check_anything(dir.path())?;
    }
}

/// An edit of a table: at a position (a fraction of its length), delete some bytes and
/// insert a piece.
fn edits() -> impl Strategy<Value = Vec<(Index, usize, &'static str)>> {
    vec((any::<Index>(), 0usize..4, select(CSV_PIECES)), 1..4)
}

proptest! {
    #![proptest_config(config(None))]

    /// The mini fixture with one table slightly edited: most such datasets get past the
    /// structure checks, so the row checks and the mapping run too.
    #[test]
    fn ingest_answers_edited_tables(table in select(TABLES.to_vec()), edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        common::mini_data(dir.path());
        let path = dir.path().join(table);
        let mut bytes = fs::read(&path).unwrap();
        for (at, delete, piece) in &edits {
            let at = at.index(bytes.len() + 1);
            let end = (at + delete).min(bytes.len());
            bytes.splice(at..end, piece.bytes());
        }
        fs::write(&path, bytes).unwrap();
        check_anything(dir.path())?;
    }
}

/// Pieces of request targets.
const URL_PIECES: &[&str] = &[
    "/",
    "/sparql",
    "/actor/",
    "/event/",
    "/place/",
    "/source/",
    "/assertion/",
    "/histkg/",
    "darma-bala",
    "report-donryung-1741",
    "samara",
    "moca-124",
    "/graph.",
    "ttl",
    "nt",
    "jsonld",
    "rdf",
    "nq",
    "trig",
    "/assets/",
    "vis-network.min.js",
    "/search",
    "/network",
    "/timeline",
    "/.well-known/void",
    "/reconcile",
    "/preview",
    "/suggest/entity",
    "/suggest/type",
    "/suggest/property",
    "%22pid%22%3A%22related%22",
    "%22pid%22%3A%22place%22",
    "queries=",
    "prefix=",
    "id=",
    "%7B%22q%22%3A",
    "%7B%22query%22%3A%22",
    "%22%7D%7D",
    "%5B",
    "?",
    "&",
    "=",
    "q=",
    "query=",
    "update=",
    "format=",
    "html",
    "%",
    "%2",
    "%FF",
    "%00",
    "%D0%94",
    "%20",
    "+",
    "..",
    "#",
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "*",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    ".",
    "LIMIT",
    "1",
    "INSERT",
    "DATA",
    "LOAD",
    "<x>",
    "SERVICE",
    "derivation",
    "-",
];

const SPARQL_PIECES: &[&str] = &[
    "SELECT ",
    "ASK ",
    "CONSTRUCT ",
    "DESCRIBE ",
    "* ",
    "?s ",
    "?p ",
    "?o ",
    "WHERE ",
    "{ ",
    "} ",
    ". ",
    "LIMIT 3 ",
    "actor:darma-bala ",
    "rdfs:label ",
    "FILTER(",
    ")",
    "\"x\"@en ",
    "INSERT DATA ",
    "DELETE WHERE ",
    "LOAD <http://x/> ",
    "SERVICE <http://x/> ",
    "<x> ",
    "PREFIX a: <http://a/> ",
    "GRAPH ?g ",
    "OPTIONAL ",
    "UNION ",
    "VALUES ?s { 1 } ",
    "\0",
    "é",
    "\"",
    "#",
    "\n",
];

const MEDIA: &[&str] = &[
    "*/*",
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "text/*;q=0.5",
    "image/png",
    ";q=0",
    ";q=NaN",
    ";q=inf",
    ";q=-1",
    ",",
    "",
    "a/b/c",
];

#[derive(Debug, Clone)]
struct GenRequest {
    method: String,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// Routes of the server and near misses.
const ROUTES: &[&str] = &[
    "/",
    "/sparql",
    "/reconcile",
    "/reconcile/preview",
    "/reconcile/suggest/entity",
    "/reconcile/suggest/type",
    "/reconcile/suggest/property",
    "/search",
    "/network",
    "/timeline",
    "/.well-known/void",
    "/graph.ttl",
    "/graph.nt",
    "/graph.nq",
    "/graph.trig",
    "/graph.rdf",
    "/graph.jsonld",
    "/graph.xml",
    "/graph.",
    "/assets/vis-network.min.js",
    "/assets/../Cargo.toml",
    "/assets/",
    "/actor/darma-bala",
    "/actor/ayuka",
    "/event/report-donryung-1741",
    "/place/samara",
    "/source/moca-124",
    "/assertion/darma-bala-spouse-ayuka",
    "/assertion/orenburg-commission-reported-to-collegium/derivation/avpr-zyungor-1741-3",
    "/histkg/actor/darma-bala",
    "/histkg/",
    "/actor/Darma-Bala",
    "/actor/",
    "/actor/nobody",
    "/nothing",
];

/// A query string: `name=value` pairs, the values percent-encoded.
fn query_string() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        vec(select(SPARQL_PIECES), 0..12).prop_map(|p| p.concat()),
        select(vec!["ttl", "jsonld", "nt", "rdf", "html", "xml", ""]).prop_map(str::to_owned),
        text(),
        any::<String>(),
    ];
    let name = select(vec![
        "q",
        "query",
        "format",
        "update",
        "default-graph-uri",
        "x",
    ]);
    vec((name, value), 0..3).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| {
                let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn gen_request() -> impl Strategy<Value = GenRequest> {
    let method = prop_oneof![
        8 => select(vec![
            "GET", "GET", "GET", "GET", "HEAD", "POST", "POST", "OPTIONS", "PUT", "DELETE",
        ])
        .prop_map(|m| m.to_owned()),
        1 => "[A-Z]{1,8}",
    ];
    let target = prop_oneof![
        8 => (select(ROUTES), opt(vec(select(URL_PIECES), 1..3)), opt(query_string())).prop_map(
            |(route, suffix, query)| {
                let mut t = route.to_owned();
                if let Some(suffix) = suffix {
                    t.push_str(&suffix.concat());
                }
                if let Some(query) = query {
                    t.push('?');
                    t.push_str(&query);
                }
                t
            }
        ),
        2 => vec(select(URL_PIECES), 1..10).prop_map(|p| {
            let t = p.concat();
            if t.starts_with('/') { t } else { format!("/{t}") }
        }),
        1 => "/[!-~]{0,60}",
        1 => (0usize..12_000).prop_map(|n| format!("/actor/{}", "a".repeat(n))),
    ];
    let header = (
        select(vec!["accept", "accept", "content-type", "x-anything"]),
        vec(select(MEDIA), 0..4).prop_map(|p| p.join(",")),
    );
    let body = prop_oneof![
        vec(select(SPARQL_PIECES), 0..12).prop_map(|p| p.concat().into_bytes()),
        query_string().prop_map(String::into_bytes),
        vec(any::<u8>(), 0..200),
    ];
    (method, target, vec(header, 0..3), body).prop_map(|(method, target, headers, body)| {
        GenRequest {
            method,
            target,
            headers,
            body,
        }
    })
}

impl GenRequest {
    /// The request, when the HTTP model can represent it (oxhttp refuses some URIs and
    /// header values before they reach the handler).
    fn build(&self) -> Option<Request<Body>> {
        let mut r = Request::builder()
            .method(Method::from_bytes(self.method.as_bytes()).ok()?)
            .uri(self.target.as_str());
        for (name, value) in &self.headers {
            r = r.header(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).ok()?,
            );
        }
        r.body(Body::from(self.body.clone())).ok()
    }
}

#[test]
fn the_server_answers_any_request() {
    let dir = common::built_mini();
    let store = histkg::store::open(&dir.path().join("store")).unwrap();
    let app = histkg::serve::App::new(
        store,
        &root().join("queries"),
        histkg::serve::Options {
            timeout: Duration::from_secs(5),
            cors: true,
            ..Default::default()
        },
    )
    .unwrap();
    // The seeds file is found without a `source_file` (`config` names it directly).
    let mut runner = TestRunner::new(config(None));
    runner
        .run(&gen_request(), |generated| {
            let Some(mut request) = generated.build() else {
                return Ok(());
            };
            let response = app.handle(&mut request);
            let status = response.status();
            prop_assert!(
                !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
                "{:?} answered {}: {:?}",
                generated,
                status,
                response.into_body().to_string()
            );
            if generated.method == "HEAD" {
                // HEAD answers as GET would, without the body (which `handle` drops).
                let mut get = generated.clone();
                get.method = "GET".to_owned();
                let get = app.handle(&mut get.build().unwrap());
                prop_assert_eq!(get.status(), status, "{:?}", generated);
                for name in ["content-type", "allow", "vary"] {
                    prop_assert_eq!(
                        get.headers().get(name),
                        response.headers().get(name),
                        "{} of {:?}",
                        name,
                        generated
                    );
                }
                prop_assert!(
                    response.into_body().to_vec().unwrap().is_empty(),
                    "HEAD has a body"
                );
                // The GET's body is read to its end: a streamed dump must complete.
                prop_assert!(get.into_body().to_vec().is_ok(), "{:?}", generated);
            } else if status == StatusCode::OK {
                prop_assert!(
                    response.headers().contains_key("content-type"),
                    "{:?}",
                    generated
                );
                // Read to its end, as a client would: a streamed dump must complete.
                let read = response.into_body().to_vec();
                prop_assert!(read.is_ok(), "{:?}: {:?}", generated, read.err());
            }
            Ok(())
        })
        .unwrap();
}
