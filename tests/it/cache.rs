//! Conditional requests and compression on `serve` (`serve/cache.rs`): ETag and
//! Last-Modified on every 200, `304 Not Modified` for `If-None-Match` and
//! `If-Modified-Since`, gzip by `Accept-Encoding`, streamed, for pages, documents, query
//! results and dumps. Requests are built in memory and passed to `App::handle`.

use crate::common::{self, ok, root};
use flate2::read::GzDecoder;
use histkg::serve::{App, Options};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use std::io::Read;
use std::time::Duration;

fn app_on(dir: &std::path::Path) -> App {
    let store = histkg::store::open(&dir.join("store")).unwrap();
    App::new(store, &root().join("queries"), Options::default()).unwrap()
}

fn app() -> (tempfile::TempDir, App) {
    let dir = common::built_mini();
    let app = app_on(dir.path());
    (dir, app)
}

fn send(app: &App, method: Method, uri: &str, headers: &[(&str, &str)]) -> Response<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    app.handle(&mut r.body(Body::empty()).unwrap())
}

fn get(app: &App, uri: &str, headers: &[(&str, &str)]) -> Response<Body> {
    send(app, Method::GET, uri, headers)
}

fn header<'a>(r: &'a Response<Body>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

fn bytes(r: Response<Body>) -> Vec<u8> {
    let mut out = Vec::new();
    r.into_body().read_to_end(&mut out).unwrap();
    out
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn every_page_and_document_carries_validators() {
    let (_dir, app) = app();
    for (uri, accept) in [
        ("/", "text/html"),
        ("/actor/darma-bala", "text/html"),
        ("/actor/darma-bala", "text/turtle"),
        ("/.well-known/void", "text/turtle"),
        ("/assets/leaflet.css", "*/*"),
        ("/graph.nt", "*/*"),
    ] {
        let r = get(&app, uri, &[("accept", accept)]);
        assert_eq!(r.status(), StatusCode::OK, "{uri}");
        let etag = header(&r, "etag").unwrap_or_else(|| panic!("{uri}: no ETag"));
        assert!(
            etag.starts_with("\"gen-") && etag.ends_with('"'),
            "{uri}: {etag}"
        );
        let modified = header(&r, "last-modified").expect("Last-Modified");
        httpdate::parse_http_date(modified).unwrap_or_else(|e| panic!("{modified}: {e}"));
        assert_eq!(header(&r, "cache-control"), Some("no-cache"), "{uri}");
        assert!(
            header(&r, "vary").is_some_and(|v| v.contains("Accept-Encoding")),
            "{uri}: {:?}",
            header(&r, "vary")
        );
    }
    // Errors are not validated, nor compressed.
    let r = get(&app, "/actor/nobody", &[("accept-encoding", "gzip")]);
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&r, "etag"), None);
    assert_eq!(header(&r, "content-encoding"), None);
}

#[test]
fn if_none_match_with_the_etag_answers_304_without_a_body() {
    let (_dir, app) = app();
    let first = get(&app, "/actor/darma-bala", &[("accept", "text/html")]);
    let etag = header(&first, "etag").unwrap().to_owned();
    let modified = header(&first, "last-modified").unwrap().to_owned();
    let weak = format!("W/{etag}");
    for tag in [etag.as_str(), weak.as_str(), "\"other\", ", "*"] {
        let tags = if tag.ends_with(", ") {
            format!("{tag}{etag}")
        } else {
            tag.to_owned()
        };
        let r = get(
            &app,
            "/actor/darma-bala",
            &[("accept", "text/html"), ("if-none-match", &tags)],
        );
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{tags}");
        assert_eq!(header(&r, "etag"), Some(etag.as_str()));
        assert_eq!(header(&r, "last-modified"), Some(modified.as_str()));
        assert_eq!(header(&r, "cache-control"), Some("no-cache"));
        assert!(bytes(r).is_empty());
    }
    // Another ETag, or the same page asked for as Turtle (another representation): a full 200.
    let r = get(
        &app,
        "/actor/darma-bala",
        &[("accept", "text/html"), ("if-none-match", "\"gen-0-0\"")],
    );
    assert_eq!(r.status(), StatusCode::OK);
    let r = get(
        &app,
        "/actor/darma-bala",
        &[("accept", "text/turtle"), ("if-none-match", &etag)],
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert_ne!(header(&r, "etag"), Some(etag.as_str()));
    // `*` matches only what exists: a missing entity stays a 404.
    let r = get(&app, "/actor/nobody", &[("if-none-match", "*")]);
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[test]
fn if_modified_since_answers_304_unless_the_graph_is_newer() {
    let (_dir, app) = app();
    let first = get(&app, "/", &[]);
    let modified = header(&first, "last-modified").unwrap().to_owned();
    let r = get(&app, "/", &[("if-modified-since", &modified)]);
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    let earlier = httpdate::fmt_http_date(
        httpdate::parse_http_date(&modified).unwrap() - Duration::from_secs(86_400),
    );
    let r = get(&app, "/", &[("if-modified-since", &earlier)]);
    assert_eq!(r.status(), StatusCode::OK);
    // If-None-Match takes precedence (RFC 9110 §13.1.3): a stale ETag gets the page.
    let r = get(
        &app,
        "/",
        &[
            ("if-modified-since", &modified),
            ("if-none-match", "\"stale\""),
        ],
    );
    assert_eq!(r.status(), StatusCode::OK);
    // A date that is no HTTP date is ignored.
    let r = get(&app, "/", &[("if-modified-since", "yesterday")]);
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn a_new_generation_changes_every_etag() {
    let dir = common::built_mini();
    let before = header(&get(&app_on(dir.path()), "/", &[]), "etag")
        .unwrap()
        .to_owned();
    ok(dir.path(), &["build"]);
    let app = app_on(dir.path());
    let after = get(&app, "/", &[]);
    assert_ne!(header(&after, "etag"), Some(before.as_str()));
    let r = get(&app, "/", &[("if-none-match", &before)]);
    assert_eq!(r.status(), StatusCode::OK, "the old ETag validated");
}

#[test]
fn gzip_is_sent_when_accepted_and_decompresses_to_the_same_bytes() {
    let (_dir, app) = app();
    for (uri, accept) in [
        ("/", "text/html"),
        ("/actor/darma-bala", "text/turtle"),
        (
            "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20hkg%3AActor%20%7D",
            "text/csv",
        ),
        ("/graph.nt", "*/*"),
    ] {
        let plain = get(&app, uri, &[("accept", accept)]);
        assert_eq!(header(&plain, "content-encoding"), None, "{uri}");
        let plain_etag = header(&plain, "etag").unwrap().to_owned();
        let plain = bytes(plain);
        let zipped = get(
            &app,
            uri,
            &[("accept", accept), ("accept-encoding", "br, gzip")],
        );
        assert_eq!(header(&zipped, "content-encoding"), Some("gzip"), "{uri}");
        assert_eq!(header(&zipped, "content-length"), None, "{uri}: streamed");
        assert_ne!(header(&zipped, "etag"), Some(plain_etag.as_str()), "{uri}");
        let zipped = bytes(zipped);
        assert_eq!(gunzip(&zipped), plain, "{uri}");
        assert!(
            zipped.len() < plain.len(),
            "{uri}: {} >= {}",
            zipped.len(),
            plain.len()
        );
    }
    // Query results carry a weak ETag: their order may differ between evaluations.
    let r = get(&app, "/sparql?query=ASK%20%7B%7D", &[]);
    assert!(header(&r, "etag").unwrap().starts_with("W/\""));
    for refused in ["gzip;q=0", "identity", "gzip;q=0, *", "deflate"] {
        let r = get(&app, "/", &[("accept-encoding", refused)]);
        assert_eq!(header(&r, "content-encoding"), None, "{refused}");
    }
    for accepted in ["GZIP", "x-gzip", "*", "gzip;q=0.5, identity"] {
        let r = get(&app, "/", &[("accept-encoding", accepted)]);
        assert_eq!(header(&r, "content-encoding"), Some("gzip"), "{accepted}");
    }
    // HEAD says what GET would send, without a body.
    let r = send(
        &app,
        Method::HEAD,
        "/graph.nt",
        &[("accept-encoding", "gzip")],
    );
    assert_eq!(header(&r, "content-encoding"), Some("gzip"));
    assert!(bytes(r).is_empty());
    // A query sent by POST is compressed too, and not validated.
    let mut r = Request::builder()
        .method(Method::POST)
        .uri("/sparql")
        .header("content-type", "application/sparql-query")
        .header("accept", "text/csv")
        .header("accept-encoding", "gzip")
        .body(Body::from("SELECT ?s WHERE { ?s a hkg:Actor }"))
        .unwrap();
    let r = app.handle(&mut r);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-encoding"), Some("gzip"));
    assert_eq!(header(&r, "etag"), None);
    assert!(
        String::from_utf8(gunzip(&bytes(r)))
            .unwrap()
            .starts_with("s\r\n")
    );
}

#[test]
fn a_revalidated_dump_starts_no_stream() {
    let (_dir, app) = app();
    let r = get(&app, "/graph.ttl", &[]);
    let etag = header(&r, "etag").unwrap().to_owned();
    drop(r);
    // More revalidations at once than dumps may stream: none waits for a slot.
    let held: Vec<_> = (0..histkg::serve::MAX_DUMPS + 2)
        .map(|_| get(&app, "/graph.ttl", &[("if-none-match", &etag)]))
        .collect();
    assert!(held.iter().all(|r| r.status() == StatusCode::NOT_MODIFIED));
}
