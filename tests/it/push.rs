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
    authorization: Option<String>,
    body: String,
}

type Answer = dyn Fn(&Seen) -> Response<Body> + Send + Sync;

/// Starts a server answering `status` with `message`, recording every request.
fn recorder(status: StatusCode, message: &'static str) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    server(Arc::new(move |_: &Seen| {
        Response::builder()
            .status(status)
            .body(Body::from(message))
            .unwrap()
    }))
}

/// Starts a server answering the n-th request (from 1) with `answer(n)`, recording every
/// request.
fn numbered(
    answer: impl Fn(usize) -> Response<Body> + Send + Sync + 'static,
) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let answered = Mutex::new(0);
    server(Arc::new(move |_: &Seen| {
        let n = {
            let mut n = answered.lock().unwrap();
            *n += 1;
            *n
        };
        answer(n)
    }))
}

/// Starts a server answering each request with `answer`, recording every request.
fn server(answer: Arc<Answer>) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let handler = move |request: &mut oxhttp::model::Request<Body>| {
        let body = std::mem::replace(request.body_mut(), Body::empty())
            .to_string()
            .unwrap_or_default();
        let header =
            |name: &str| (request.headers().get(name)).map(|v| v.to_str().unwrap().to_owned());
        let seen = Seen {
            length: header("content-length"),
            chunked: header("transfer-encoding").is_some_and(|v| v.contains("chunked")),
            authorization: header("authorization"),
            method: request.method().to_string(),
            uri: request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default(),
            content_type: header("content-type").unwrap_or_default(),
            body,
        };
        let response = answer(&seen);
        record.lock().unwrap().push(seen);
        response
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

/// Runs histkg in `dir` with `password` (or none) in `HISTKG_PUSH_PASSWORD`.
fn histkg_with_password(
    dir: &std::path::Path,
    password: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let mut command = std::process::Command::new(crate::common::BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("HISTKG_PUSH_PASSWORD");
    if let Some(password) = password {
        command.env("HISTKG_PUSH_PASSWORD", password);
    }
    command.stdin(std::process::Stdio::null()).output().unwrap()
}

#[test]
fn a_store_that_asks_for_a_password_gets_it_by_basic_authentication() {
    let dir = built_mini();
    // "Basic " + base64("historian:steppe 1741")
    let expected = "Basic aGlzdG9yaWFuOnN0ZXBwZSAxNzQx";
    let (port, seen) = server(Arc::new(move |request: &Seen| {
        let status = if request.authorization.as_deref() == Some(expected) {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::UNAUTHORIZED
        };
        Response::builder()
            .status(status)
            .header("WWW-Authenticate", "Basic realm=\"store\"")
            .body(Body::empty())
            .unwrap()
    }));
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let args = [
        "push",
        "--endpoint",
        &endpoint,
        "--graph",
        "https://example.org/g",
        "--batch",
        "500",
        "--user",
        "historian",
    ];
    let one = [&args[..], &["--connections", "1"]].concat();
    let out = histkg_with_password(dir.path(), Some("steppe 1741"), &one);
    assert!(out.status.success(), "{out:?}");
    let requests = std::mem::take(&mut *seen.lock().unwrap());
    // One bodiless HEAD fetches the challenge; then three signed batches, none refused.
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["HEAD", "POST", "POST", "POST"]);
    assert!(requests[0].body.is_empty() && requests[0].authorization.is_none());
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.authorization.as_deref() == Some(expected))
    );
    // On several connections each signs in on its own, once it has a batch to send: a
    // bodiless HEAD per connection, at most one per batch, and every batch signed.
    let out = histkg_with_password(dir.path(), Some("steppe 1741"), &args);
    assert!(out.status.success(), "{out:?}");
    let requests = seen.lock().unwrap().clone();
    let (heads, posts): (Vec<&Seen>, Vec<&Seen>) =
        requests.iter().partition(|r| r.method == "HEAD");
    assert_eq!(
        posts.len(),
        3,
        "{:?}",
        requests.iter().map(|r| &r.method).collect::<Vec<_>>()
    );
    assert!((1..=3).contains(&heads.len()));
    assert!(
        heads
            .iter()
            .all(|r| r.body.is_empty() && r.authorization.is_none())
    );
    assert!(
        posts
            .iter()
            .all(|r| r.authorization.as_deref() == Some(expected))
    );

    // A wrong password is a refusal naming the user; none at all, no terminal: say how.
    let out = histkg_with_password(dir.path(), Some("wrong"), &args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("answered 401 Unauthorized; the store refused the user historian"),
        "{stderr}"
    );
    let out = histkg_with_password(dir.path(), None, &args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no password for --user historian: set HISTKG_PUSH_PASSWORD"),
        "{stderr}"
    );
    // Without --user, the 401 says to give one.
    let out = histkg_with_password(dir.path(), None, &args[..7]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("give --user NAME"), "{stderr}");
}

#[test]
fn verify_catches_a_store_that_answers_success_and_keeps_nothing() {
    let dir = built_mini();
    let (port, _) = recorder(StatusCode::CREATED, "");
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let out = histkg(dir.path(), &["push", "--endpoint", &endpoint]);
    assert!(
        out.status.success(),
        "without --verify the push trusts the store"
    );
    let out = histkg(dir.path(), &["push", "--endpoint", &endpoint, "--verify"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("answered every batch with success but holds 0 of the 1110 triples"),
        "{stderr}"
    );
}

#[test]
fn an_atomic_replace_that_cannot_be_counted_leaves_the_target_alone() {
    let dir = built_mini();
    // A store that answers success to everything and keeps nothing.
    let (port, seen) = recorder(StatusCode::NO_CONTENT, "");
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let update = format!("http://127.0.0.1:{port}/update");
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--graph",
            "https://example.org/g",
            "--replace",
            "--batch",
            "500",
            "--update-endpoint",
            &update,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("holds 0 of the 1110 triples sent: the store did not keep them all, and the target graph is untouched (the temporary graph was dropped)"),
        "{stderr}"
    );
    let requests = seen.lock().unwrap().clone();
    let calls: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.uri.split('=').next().unwrap()))
        .collect();
    assert_eq!(
        calls,
        [
            "PUT /store?graph",
            "POST /store?graph",
            "POST /store?graph",
            "GET /store?graph",
            "POST /update"
        ]
    );
    // The batches went to a temporary graph, never to the target; the update dropped it.
    let temporary = requests[0].uri.split_once("graph=").unwrap().1.to_owned();
    assert!(
        temporary.starts_with("urn%3Ahistkg%3Apush%3A"),
        "{temporary}"
    );
    assert!(requests[..4].iter().all(|r| r.uri.ends_with(&temporary)));
    assert_eq!(requests[4].content_type, "application/sparql-update");
    assert!(
        requests[4]
            .body
            .starts_with("DROP SILENT GRAPH <urn:histkg:push:"),
        "{}",
        requests[4].body
    );
    // --update-endpoint without --replace is refused before anything is sent.
    seen.lock().unwrap().clear();
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--update-endpoint",
            &update,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --replace too"));
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn a_refusal_midway_says_what_was_sent_and_how_to_start_again() {
    let dir = built_mini();
    for (status, hint) in [
        (StatusCode::PAYLOAD_TOO_LARGE, "413 Payload Too Large"),
        (StatusCode::FORBIDDEN, "403 Forbidden"),
        (StatusCode::UNAUTHORIZED, "401 Unauthorized"),
    ] {
        let (port, _) = numbered(move |n| {
            let status = if n <= 2 {
                StatusCode::NO_CONTENT
            } else {
                status
            };
            Response::builder()
                .status(status)
                .body(Body::empty())
                .unwrap()
        });
        let endpoint = format!("http://127.0.0.1:{port}/store");
        let out = histkg(
            dir.path(),
            &[
                "push",
                "--endpoint",
                &endpoint,
                "--replace",
                "--batch",
                "500",
                // One at a time, so that the batches are answered in order.
                "--connections",
                "1",
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("answered {hint}"))
                && stderr.contains("after 1000 of 1110 triples in 2 requests: the remote graph holds part of this graph; run the same push with --replace"),
            "{stderr}"
        );
    }
}

/// Starts a server that holds the last batch of the mini graph in batches of 500 (its 110
/// triples) for 20 s without a word, and answers every other request at once with 204.
fn holding_the_last_batch() -> (u16, Arc<Mutex<Vec<Seen>>>) {
    server(Arc::new(|request: &Seen| {
        if request.body.lines().count() == 110 {
            std::thread::sleep(std::time::Duration::from_secs(20));
        }
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Body::empty())
            .unwrap()
    }))
}

#[test]
fn a_store_that_never_answers_a_batch_stops_the_push_with_what_was_sent() {
    let dir = built_mini();
    // Two batches answered, then one the store holds without a word (as Virtuoso 7.2 does
    // with a PUT of 400 000 triples), longer than the push's --timeout.
    let (port, seen) = holding_the_last_batch();
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let started = std::time::Instant::now();
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--replace",
            "--batch",
            "500",
            "--connections",
            "1",
            "--timeout",
            "1",
        ],
    );
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did not answer a batch of 110 triples within 1 s")
            && stderr.contains("give a smaller --batch, or a longer --timeout")
            && stderr.contains("after 1000 of 1110 triples in 2 requests: the remote graph holds part of this graph"),
        "{stderr}"
    );
    // It gave up on the silent store instead of waiting for its answer.
    assert!(waited < std::time::Duration::from_secs(15), "{waited:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "the third is still unanswered"
    );
}

#[test]
fn an_atomic_replace_given_up_on_a_batch_says_the_store_may_still_add_it() {
    let dir = built_mini();
    // The last batch is held without a word; everything else, the DROP of the temporary
    // graph included, is answered at once.
    let (port, seen) = holding_the_last_batch();
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let update = format!("http://127.0.0.1:{port}/update");
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--update-endpoint",
            &update,
            "--replace",
            "--batch",
            "500",
            "--connections",
            "1",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let temporary = (stderr.split("to the temporary graph <").nth(1))
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no temporary graph named: {stderr}"));
    assert!(
        stderr.contains("did not answer a batch of 110 triples within 1 s")
            && stderr.contains(&format!("after 1000 of 1110 triples in 2 requests to the temporary graph <{temporary}>: the target graph is untouched; the store may still add the unanswered batch to the temporary graph after it is dropped: if <{temporary}> then exists, remove it with `DROP SILENT GRAPH <{temporary}>`"))
            && stderr.contains("(the temporary graph was dropped)"),
        "{stderr}"
    );
    let drop = format!("DROP SILENT GRAPH <{temporary}>");
    assert!(
        seen.lock().unwrap().iter().any(|r| r.body == drop),
        "the DROP was sent"
    );
}

#[test]
fn a_deadlocked_batch_says_to_send_smaller_ones() {
    let dir = built_mini();
    // Virtuoso 7.2.5's answer to one PUT of 150 000 triples, on a fresh database.
    let (port, _) = recorder(StatusCode::INTERNAL_SERVER_ERROR, DEADLOCKED);
    let endpoint = format!("http://127.0.0.1:{port}/sparql-graph-crud");
    let out = histkg(
        dir.path(),
        &[
            "push",
            "--endpoint",
            &endpoint,
            "--graph",
            "urn:g",
            "--replace",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SR172: Transaction deadlocked")
            && stderr.contains("Virtuoso deadlocks with itself on one large request: give a smaller --batch than 1110"),
        "{stderr}"
    );
}

/// Virtuoso 7.2.5's error page for a deadlock (`SR172`), as it answers a Graph Store request.
const DEADLOCKED: &str = "<html><head><title>SPARQL Graph Protocol request failed</title></head><body><h1>HTTP/1.1 500 Request Failed</h1><h3>Error 40001</h3><xmp>SR172: Transaction deadlocked</xmp></body></html>";

/// Starts a server that answers the first `deadlocks` POSTs with Virtuoso's deadlock page
/// (all of them with `usize::MAX`) and every other request with 204; it keeps the bodies of
/// the requests it answered with success.
fn deadlocking(deadlocks: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    let stored = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&stored);
    let posts = Mutex::new(0);
    let (port, _) = server(Arc::new(move |request: &Seen| {
        let deadlocked = request.method == "POST" && {
            let mut n = posts.lock().unwrap();
            *n += 1;
            *n <= deadlocks
        };
        if deadlocked {
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from(DEADLOCKED))
                .unwrap();
        }
        kept.lock().unwrap().push(request.body.clone());
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Body::empty())
            .unwrap()
    }));
    (port, stored)
}

#[test]
fn batches_deadlocked_by_each_other_are_sent_again_until_taken() {
    let dir = built_mini();
    let export =
        String::from_utf8(histkg(dir.path(), &["export", "--format", "ntriples"]).stdout).unwrap();
    let mut expected: Vec<String> = export.lines().map(str::to_owned).collect();
    expected.sort_unstable();
    let push = |port: u16| {
        let endpoint = format!("http://127.0.0.1:{port}/sparql-graph-crud");
        histkg(
            dir.path(),
            &[
                "push",
                "--endpoint",
                &endpoint,
                "--graph",
                "urn:g",
                "--replace",
                "--batch",
                "200",
                "--connections",
                "2",
            ],
        )
    };

    // Measured with Virtuoso 7.2.5 on four connections: one batch deadlocked twice in a row.
    // Three deadlocks in a row are taken by sending again.
    let (port, stored) = deadlocking(3);
    let out = push(port);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the store answered 3 requests with a server error while other batches were being sent, and took them when sent again"),
        "{stderr}"
    );
    let bodies = std::mem::take(&mut *stored.lock().unwrap());
    let mut lines: Vec<String> = (bodies.iter())
        .flat_map(|b| b.lines().map(str::to_owned))
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, expected, "every triple stored once");

    // A store that deadlocks on every POST: each batch is sent five times, then the push
    // stops with what was sent and what to change.
    let (port, stored) = deadlocking(usize::MAX);
    let out = push(port);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SR172: Transaction deadlocked (sent 5 times; Virtuoso rolls back one of several requests adding to a graph at once when they deadlock: give fewer --connections, or a smaller --batch than 200)")
            && stderr.contains("after 200 of 1110 triples in 1 request"),
        "{stderr}"
    );
    assert_eq!(stored.lock().unwrap().len(), 1, "only the PUT was taken");
}

/// The sorted lines of every request's body.
fn sent_lines(requests: &[Seen]) -> Vec<String> {
    let mut lines: Vec<String> = (requests.iter())
        .flat_map(|r| r.body.lines().map(str::to_owned))
        .collect();
    lines.sort_unstable();
    lines
}

#[test]
fn several_connections_send_every_batch_once_and_retry_a_server_error() {
    let dir = built_mini();
    let export =
        String::from_utf8(histkg(dir.path(), &["export", "--format", "ntriples"]).stdout).unwrap();
    // Virtuoso's answer when two requests bring the same new language tag at once: the first
    // POST gets it once, then every request succeeds.
    let flaky = || {
        let answered = Arc::new(Mutex::new(0));
        server(Arc::new(move |request: &Seen| {
            let mut n = answered.lock().unwrap();
            *n += 1;
            let status = if *n == 2 && request.method == "POST" {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::NO_CONTENT
            };
            Response::builder()
                .status(status)
                .body(Body::from(
                    "SR197: Non unique primary key on DB.DBA.RDF_LANGUAGE.",
                ))
                .unwrap()
        }))
    };
    let (port, seen) = flaky();
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let args = [
        "push",
        "--endpoint",
        &endpoint,
        "--graph",
        "https://example.org/g",
        "--replace",
        "--batch",
        "200",
        "--connections",
        "3",
    ];
    let out = histkg(dir.path(), &args);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the store answered 1 request with a server error while other batches were being sent, and took it when sent again"),
        "{stderr}"
    );
    let requests = std::mem::take(&mut *seen.lock().unwrap());
    // 1 110 triples in batches of 200: a PUT alone, then five POSTs on three connections,
    // one of them sent twice; what was stored is every triple, each in one answered batch.
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests.len(), 1 + 5 + 1);
    let stored: Vec<Seen> = (requests.iter().enumerate())
        .filter(|(i, _)| *i != 1)
        .map(|(_, r)| r.clone())
        .collect();
    let mut expected: Vec<String> = export.lines().map(str::to_owned).collect();
    expected.sort_unstable();
    assert_eq!(sent_lines(&stored), expected);
    assert!(requests.iter().all(|r| r.body.lines().count() <= 200));

    // One connection at a time retries nothing: the same answer stops the push.
    let (port, _) = flaky();
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let mut args = args;
    args[2] = &endpoint;
    args[9] = "1";
    let out = histkg(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("answered 500 Internal Server Error: SR197: Non unique primary key on DB.DBA.RDF_LANGUAGE."),
        "{stderr}"
    );
}

#[test]
fn a_file_is_parsed_whole_then_sent_line_by_line() {
    let dir = built_mini();
    let export =
        String::from_utf8(histkg(dir.path(), &["export", "--format", "ntriples"]).stdout).unwrap();
    let (port, seen) = recorder(StatusCode::NO_CONTENT, "");
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let push = |file: &str, batch: &str| {
        histkg(
            dir.path(),
            &[
                "push",
                "--from",
                file,
                "--endpoint",
                &endpoint,
                "--batch",
                batch,
            ],
        )
    };
    // A comment and a blank line are not triples; the rest goes as it is, in batches.
    let file = dir.path().join("graph.nt");
    std::fs::write(&file, format!("# the graph\n\n{export}")).unwrap();
    let out = push("graph.nt", "400");
    assert!(out.status.success(), "{out:?}");
    let n = export.lines().count();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("sent {n} triples to {endpoint}?default in 3 requests")
    );
    let requests = std::mem::take(&mut *seen.lock().unwrap());
    let mut expected: Vec<String> = export.lines().map(str::to_owned).collect();
    expected.sort_unstable();
    assert_eq!(sent_lines(&requests), expected);

    // The same file compressed, as `publish --gzip` writes the dump.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, export.as_bytes()).unwrap();
    std::fs::write(dir.path().join("graph.nt.gz"), gz.finish().unwrap()).unwrap();
    let out = push("graph.nt.gz", "100000");
    assert!(out.status.success(), "{out:?}");
    let requests = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(requests.len(), 1);
    assert_eq!(sent_lines(&requests), expected);

    // A bad line, two triples on one line, a blank node that would be split, another
    // format: each named with file and line, and nothing sent.
    let lines: Vec<&str> = export.lines().collect();
    let cases = [
        (
            format!("{}\n{}\n<not an iri> <a:p> <a:o> .\n", lines[0], lines[1]),
            "100000",
            "graph.nt:3:1: not N-Triples: ",
        ),
        (
            format!("{}\n{} {}\n", lines[0], lines[1], lines[2]),
            "100000",
            "not N-Triples: Only a single triple or quad can be written in a line",
        ),
        (
            format!("{}\n_:b <a:p> <a:o> .\n{}\n", lines[0], lines[1]),
            "2",
            "graph.nt:2: a blank node, and the file goes in more than one batch of 2",
        ),
    ];
    for (text, batch, message) in cases {
        std::fs::write(&file, text).unwrap();
        let out = push("graph.nt", batch);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert!(
            seen.lock().unwrap().is_empty(),
            "something was sent for {message}"
        );
    }
    std::fs::write(dir.path().join("graph.ttl"), &export).unwrap();
    let out = push("graph.ttl", "100000");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("push sends N-Triples files (.nt, or .nt.gz)")
    );
    assert!(seen.lock().unwrap().is_empty());
}
