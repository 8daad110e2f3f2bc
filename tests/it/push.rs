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
    body: String,
}

/// Starts a server answering `status` with `message`, recording the last request.
fn recorder(status: StatusCode, message: &'static str) -> (u16, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = Arc::clone(&seen);
    let handler = move |request: &mut oxhttp::model::Request<Body>| {
        let body = std::mem::replace(request.body_mut(), Body::empty())
            .to_string()
            .unwrap_or_default();
        *record.lock().unwrap() = Seen {
            method: request.method().to_string(),
            uri: request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default(),
            content_type: request
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            body,
        };
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
fn push_streams_the_whole_graph_with_the_graph_store_protocol() {
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
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.uri, "/store?graph=https%3A%2F%2Fexample.org%2Fg");
    assert_eq!(seen.content_type, "application/n-triples");
    let mut sent: Vec<&str> = seen.body.lines().collect();
    sent.sort_unstable();
    let export =
        String::from_utf8(histkg(dir.path(), &["export", "--format", "ntriples"]).stdout).unwrap();
    let expected: Vec<&str> = export.lines().collect();
    assert_eq!(sent, expected, "the pushed triples differ from the export");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with(&format!("sent {} triples", expected.len()))
    );

    let out = histkg(dir.path(), &["push", "--endpoint", &endpoint]);
    assert!(out.status.success());
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
