//! `histkg push` over a real socket to an in-process HTTP server that records what it gets
//! (the interop check against a real Oxigraph server is `tests/interop/push.sh`).

use crate::common::{built_mini, free_port, histkg};
use oxhttp::model::{Body, Response, StatusCode};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

#[derive(Default, Clone)]
struct Seen {
    method: String,
    uri: String,
    content_type: String,
    /// The `Content-Length` header, and whether the body came chunked.
    length: Option<String>,
    chunked: bool,
    body: String,
}

/// Starts a server answering `status` with `message`, recording every request.
fn recorder(status: StatusCode, message: &'static str) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let handler = move |request: &mut oxhttp::model::Request<Body>| {
        let body = std::mem::replace(request.body_mut(), Body::empty())
            .to_string()
            .unwrap_or_default();
        let header =
            |name: &str| (request.headers().get(name)).map(|v| v.to_str().unwrap().to_owned());
        record.lock().unwrap().push(Seen {
            length: header("content-length"),
            chunked: header("transfer-encoding").is_some_and(|v| v.contains("chunked")),
            method: request.method().to_string(),
            uri: request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default(),
            content_type: header("content-type").unwrap_or_default(),
            body,
        });
        Response::builder()
            .status(status)
            .body(Body::from(message))
            .unwrap()
    };
    let handler = Arc::new(handler);
    // A port found free may be taken by a concurrent test before we bind it: try another.
    for _ in 0..20 {
        let port = free_port();
        let h = Arc::clone(&handler);
        let server = oxhttp::Server::new(move |request| h(request))
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        if let Ok(listening) = server.spawn() {
            std::mem::forget(listening);
            return (port, seen);
        }
    }
    panic!("no free port for the recording server")
}

#[test]
fn push_sends_the_whole_graph_in_batches_of_known_length() {
    let dir = built_mini();
    let (port, seen) = recorder(StatusCode::NO_CONTENT, "");
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--replace",
            "--graph",
            "https://example.org/g",
            "--batch",
            "500",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = seen.lock().unwrap().clone();
    let export =
        String::from_utf8(histkg(dir.path(), &["export", "--format", "ntriples"]).stdout).unwrap();
    let expected: Vec<&str> = export.lines().collect();
    // 1 090 triples in batches of 500: a PUT that replaces, then two POSTs that add.
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(
        methods,
        ["PUT", "POST", "POST"],
        "{} triples",
        expected.len()
    );
    let mut sent: Vec<&str> = Vec::new();
    for r in &requests {
        assert_eq!(r.uri, "/store?graph=https%3A%2F%2Fexample.org%2Fg");
        assert_eq!(r.content_type, "text/turtle");
        assert!(!r.chunked, "a chunked body");
        assert_eq!(r.length, Some(r.body.len().to_string()));
        assert!(r.body.lines().count() <= 500);
        sent.extend(r.body.lines());
    }
    sent.sort_unstable();
    assert_eq!(sent, expected, "the pushed triples differ from the export");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "sent {} triples to {endpoint}?graph=https%3A%2F%2Fexample.org%2Fg in 3 requests",
            expected.len()
        )
    );
    // Without --replace every batch adds; the default batch holds the whole graph.
    seen.lock().unwrap().clear();
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--content-type",
            "application/n-triples",
        ],
    );
    assert!(out.status.success());
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].content_type, "application/n-triples");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].uri.as_str()),
        ("POST", "/store?default")
    );
}

#[test]
fn a_refused_first_batch_and_bad_options_are_errors() {
    let dir = built_mini();
    let (port, _) = recorder(StatusCode::INTERNAL_SERVER_ERROR, "disk full");
    let endpoint = format!("http://127.0.0.1:{port}/store");
    // The first request fails: nothing was sent.
    let out = histkg(
        dir.path(),
        &["push", "--endpoint", &endpoint, "--batch", "500"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("answered 500 Internal Server Error: disk full"),
        "{stderr}"
    );
    assert!(!stderr.contains("after"), "{stderr}");
    let out = histkg(
        dir.path(),
        &["push", "--endpoint", &endpoint, "--batch", "0"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--batch must be at least 1"));
}

#[test]
fn remote_errors_are_shown_with_status_and_message() {
    let dir = built_mini();
    let (port, _) = recorder(StatusCode::BAD_REQUEST, "the graph is not valid N-Triples");
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &format!("http://127.0.0.1:{port}/store"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("answered 400 Bad Request: the graph is not valid N-Triples"),
        "{stderr}"
    );
    let out = histkg(
        dir.path(),
        &["push", "--endpoint", "https://example.org/store"],
    );
    assert_eq!(out.status.code(), Some(1));
}
