//! A store read that fails while a page or document is made: the server answers 500 with a
//! one-line message, never a 200 page with rows missing, and `show` and `publish` exit 2.
//!
//! The failure is injected into one page query at a time with `HISTKG_FAIL_READ`, in the
//! real binary: a real RocksDB cannot be made to fail on demand (a generation's files renamed
//! or removed under a reader stay readable through their open descriptors, and a corrupted
//! file made the reader allocate until the kernel killed it).

use crate::common::{BIN, built_mini, free_port, histkg};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FAIL: &str = histkg::FAIL_READ_VARIABLE;

/// `histkg serve` in `dir` with the page query `failing` made to fail; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path, failing: &str) -> Self {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .current_dir(dir)
            .env(FAIL, failing)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// The status and body of `GET path`.
    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(format!("http://127.0.0.1:{}{path}", self.port))
            .call()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each page query, with a route whose page or document runs it.
const READS: &[(&str, &str)] = &[
    ("home-actors", "/"),
    ("home-sources", "/"),
    ("network-relations", "/network"),
    ("network-nodes", "/network"),
    ("network-edges", "/network"),
    ("timeline-events", "/timeline"),
    ("map-places", "/map"),
    ("map-items", "/map"),
    ("findings", "/findings"),
    ("search-names", "/search?q=darma"),
    ("void-entities", "/.well-known/void"),
    ("card-facts", "/actor/darma-bala"),
    ("card-relations", "/actor/darma-bala"),
    ("card-events", "/actor/darma-bala"),
    ("card-sources", "/actor/darma-bala"),
    ("card-locators", "/actor/darma-bala"),
    ("card-participants", "/event/report-donryung-1741"),
    ("card-chain", "/event/report-donryung-1741"),
    ("card-cited-by", "/source/dzhundzhuzov-2025"),
    ("card-doubts", "/actor/darma-bala"),
];

#[test]
fn a_failed_read_is_a_500_with_one_line_never_a_page_with_rows_missing() {
    let dir = built_mini();
    let healthy = Server::start(dir.path(), "none");
    for (_, route) in READS {
        assert_eq!(healthy.get(route).0, 200, "{route} without a failure");
    }
    drop(healthy);
    for (query, route) in READS {
        let server = Server::start(dir.path(), query);
        let (status, body) = server.get(route);
        assert_eq!(
            status, 500,
            "{route} with {query} failing answered:\n{body}"
        );
        assert_eq!(body.lines().count(), 1, "{route}: {body}");
        assert!(
            body.contains(&format!("cannot run the page query {query}.rq"))
                && body.contains(&format!("failure injected by {FAIL}")),
            "{route}: {body}"
        );
        // The endpoint runs no page query: the server itself is fine.
        assert_eq!(server.get("/sparql?query=ASK%7B%7D").0, 200);
    }
}

#[test]
fn show_and_publish_exit_2_when_a_read_fails() {
    let dir = built_mini();
    let run = |args: &[&str], failing: &str| {
        Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .env(FAIL, failing)
            .output()
            .unwrap()
    };
    for (args, failing) in [
        (&["show", "darma-bala"][..], "card-relations"),
        (&["publish", "--out", "site"][..], "home-actors"),
        (&["publish", "--out", "site"][..], "card-events"),
        (&["publish", "--out", "site"][..], "entities"),
    ] {
        let out = run(args, failing);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {failing}: {stderr}");
        // The entities are listed from the store's type index, not by a page query.
        let expected = match failing {
            "entities" => "error: cannot list the entities".to_owned(),
            query => format!("error: cannot run the page query {query}.rq"),
        };
        assert!(stderr.starts_with(&expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty() || args[0] == "show", "{args:?}");
    }
    // Without the failure the same commands succeed.
    assert!(run(&["show", "darma-bala"], "none").status.success());
    assert!(run(&["publish", "--out", "site"], "none").status.success());
}

#[test]
fn a_bad_base_url_is_refused_naming_the_flag() {
    let dir = built_mini();
    for command in ["serve", "publish"] {
        for bad in [
            "not a url",
            "ftp://example.org/",
            "https://example.org/x?y",
            "/relative",
        ] {
            let mut args = vec![command, "--base-url", bad];
            if command == "publish" {
                args.extend(["--out", "site"]);
            }
            let out = histkg(dir.path(), &args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.starts_with(&format!("error: --base-url: `{bad}` is not a usable URL")),
                "{args:?}: {stderr}"
            );
            assert!(!dir.path().join("site").exists(), "{args:?} wrote the site");
        }
    }
}

#[test]
fn a_dump_that_fails_midway_ends_without_its_final_chunk() {
    let dir = built_mini();
    let healthy = Server::start(dir.path(), "none");
    let (status, whole) = healthy.get("/graph.nt");
    assert_eq!(status, 200);
    assert!(
        whole.len() > 1 << 16,
        "the mini dump is too small for this test"
    );
    drop(healthy);
    let server = Server::start(dir.path(), "dump");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(format!("http://127.0.0.1:{}/graph.nt", server.port))
        .call()
        .unwrap();
    // The status was sent before the failure; the body must not look complete.
    assert_eq!(response.status().as_u16(), 200);
    let read = response.body_mut().read_to_string();
    assert!(
        read.is_err(),
        "a cut dump read as complete: {} bytes",
        read.map_or(0, |b| b.len())
    );
}

#[test]
fn every_page_query_is_made_to_fail_by_a_test() {
    let dir = crate::common::root().join("src/site/queries");
    let tested: Vec<&str> = READS.iter().map(|(q, _)| *q).collect();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let query = name.strip_suffix(".rq").unwrap();
        assert!(tested.contains(&query), "no test makes {name} fail");
    }
}
