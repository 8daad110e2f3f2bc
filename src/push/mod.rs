//! `histkg push`: sends the graph to another SPARQL store with the SPARQL 1.1 Graph Store
//! HTTP Protocol, so a user who outgrows one machine can publish into Oxigraph server,
//! Fuseki, GraphDB, Virtuoso or QLever.
//!
//! The graph goes in batches of at most [`Target::batch`] triples, each written as N-Triples
//! into memory and sent with its `Content-Length`, so that the graph is never held whole
//! and no store sees a chunked body (Virtuoso 7 resets the connection on one, or answers 201
//! and stores nothing). With `--replace` the first batch is a `PUT` (the graph becomes
//! exactly that batch) and the others `POST`s that add to it; without, every batch is a
//! `POST`.
//!
//! A replace in several requests is not atomic by itself: a reader of the target sees it
//! part-replaced meanwhile, and a failure midway leaves it so. Given the store's SPARQL 1.1
//! Update endpoint (`--update-endpoint`), the batches go into a temporary graph instead,
//! which is counted and then moved over the target by one `MOVE` update
//! ([`replace`]): until that update the target is the old graph, whatever happens. The body
//! is sent as `text/turtle` (N-Triples is Turtle), which every store accepts; a store that
//! wants a password gets it by Basic or Digest authentication ([`client`]); plain `http://`
//! only for now (no TLS stack is compiled in).

mod batches;
pub mod client;
mod replace;

use crate::error::{Error, Result};
use batches::Batch;
use client::Client;
pub use client::Credentials;
use oxigraph::store::Store;
use ureq::http::Method;

/// Triples per request unless `--batch` says otherwise: about 1.5 MB of N-Triples. Into
/// Virtuoso 7 at 1m relations, batches of 10 000 went as fast as batches of 100 000 from a
/// file with a fifth of histkg's memory (from the store 10 % slower, with half of it), and
/// they stay far from the size at which Virtuoso 7.2.5 deadlocks on one request (150 000
/// triples; BENCHMARKS.md).
pub const DEFAULT_BATCH: usize = 10_000;

/// Requests in flight at once unless `--connections` says otherwise.
pub const DEFAULT_CONNECTIONS: usize = 4;

/// Where and how to push.
#[derive(Debug, Clone)]
pub struct Target {
    /// The Graph Store Protocol endpoint, e.g. `http://localhost:7878/store` (Oxigraph),
    /// `http://localhost:3030/ds/data` (Fuseki) or `http://localhost:8890/sparql-graph-crud-auth`
    /// (Virtuoso).
    pub endpoint: String,
    /// The named graph to write; the default graph when `None`.
    pub graph: Option<String>,
    /// Replace the graph (`PUT` first) instead of adding to it (`POST`).
    pub replace: bool,
    /// The most triples one request holds.
    pub batch: usize,
    /// Requests in flight at once after the first, each on its own connection.
    pub connections: usize,
    /// The media type the batches are sent as ([`DEFAULT_CONTENT_TYPE`] unless a store
    /// needs another name for N-Triples).
    pub content_type: String,
    /// The store's SPARQL 1.1 Update endpoint, which makes `--replace` atomic.
    pub update_endpoint: Option<String>,
    /// Who to sign in as when the store asks.
    pub credentials: Option<Credentials>,
    /// Read the graph back afterwards and count it.
    pub verify: bool,
    /// The longest a batch's answer is awaited once it is sent (`None`: as long as it
    /// takes). The requests whose work grows with the whole graph (the count, the `MOVE`,
    /// dropping the temporary graph) are awaited without a limit.
    pub timeout: Option<std::time::Duration>,
}

/// How long a batch's answer is awaited unless `--timeout` says otherwise, in seconds: a
/// store takes a second or two for a batch of the default size; Virtuoso 7.2 can stall on
/// one large request and never answer (BENCHMARKS.md).
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 300;

/// What the batches are sent as: N-Triples is Turtle, and every store reads Turtle.
pub const DEFAULT_CONTENT_TYPE: &str = "text/turtle";

/// The media types a batch of N-Triples may be sent as.
pub const CONTENT_TYPES: [&str; 3] = ["text/turtle", "application/n-triples", "text/plain"];

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// Triples sent.
    pub triples: u64,
    /// Batches sent (requests that carried triples, or the one that emptied the graph).
    pub requests: u64,
    /// For an atomic replace, the temporary graph the batches went to before the `MOVE`.
    pub through: Option<String>,
    /// With `verify`, the triples the target graph was read back with.
    pub verified: Option<u64>,
    /// Requests answered with a server error while others were in flight, and so sent
    /// again.
    pub retried: u64,
    /// Whether the push stopped waiting for a batch's answer (`--timeout`): the store may
    /// still add that batch after histkg has given up.
    pub unanswered: bool,
}

impl Target {
    /// The request URL: the endpoint with `?graph=IRI` or `?default`.
    pub fn url(&self) -> String {
        graph_url(&self.endpoint, self.graph.as_deref())
    }
}

/// A Graph Store Protocol URL: `endpoint` with `?graph=IRI`, or `?default` for `None`.
fn graph_url(endpoint: &str, graph: Option<&str>) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    match graph {
        Some(iri) => format!(
            "{endpoint}{separator}graph={}",
            form_urlencoded::byte_serialize(iri.as_bytes()).collect::<String>()
        ),
        None => format!("{endpoint}{separator}default"),
    }
}

/// Refuses what cannot be pushed before anything is sent.
fn check(target: &Target) -> Result<()> {
    for url in std::iter::once(&target.endpoint).chain(&target.update_endpoint) {
        if !url.starts_with("http://") {
            return Err(Error::user(format!(
                "`{url}` must be an http:// URL (https is not supported yet; put a TLS proxy in front)"
            )));
        }
    }
    if let Some(iri) = &target.graph {
        oxigraph::model::NamedNode::new(iri)
            .map_err(|e| Error::user(format!("--graph `{iri}` is not an IRI: {e}")))?;
    }
    if target.batch == 0 {
        return Err(Error::user("--batch must be at least 1 triple"));
    }
    if target.connections == 0 {
        return Err(Error::user("--connections must be at least 1"));
    }
    if !CONTENT_TYPES.contains(&target.content_type.as_str()) {
        return Err(Error::user(format!(
            "--content-type `{}`: the batches are N-Triples, sent as one of {}",
            target.content_type,
            CONTENT_TYPES.join(", ")
        )));
    }
    if target.update_endpoint.is_some() && !target.replace {
        return Err(Error::user(
            "--update-endpoint makes --replace atomic; without --replace the batches are only added: give --replace too, or leave --update-endpoint out",
        ));
    }
    Ok(())
}

/// What a push sends.
#[derive(Clone, Copy)]
pub enum Graph<'a> {
    /// The default graph of a store (the published graph).
    Store(&'a Store),
    /// An N-Triples file already written (`.nt`, or `.nt.gz`), sent line by line.
    File(&'a std::path::Path),
}

impl Graph<'_> {
    /// The number of triples it holds: for a file, after parsing it whole.
    fn len(self, batch: usize) -> Result<u64> {
        match self {
            // The published store holds the graph in its default graph only (VoID and the
            // summary count it the same way): `len` counts encoded quads without decoding a
            // term, where counting the decoded quads would read the whole store once more.
            Graph::Store(store) => Ok(store.len()? as u64),
            Graph::File(path) => batches::check_file(path, batch),
        }
    }
}

/// Sends `graph` to `target` in batches; returns what was done.
pub fn push(graph: Graph<'_>, target: &Target) -> Result<Sent> {
    check(target)?;
    let total = graph.len(target.batch)?;
    let mut client = Client::new(target.credentials.clone());
    let mut sent = match &target.update_endpoint {
        Some(update) => replace::atomically(graph, target, update, total, &mut client)?,
        None => {
            let url = target.url();
            client
                .sign_in(&url)
                .map_err(|e| Error::user(format!("cannot reach {url}: {e}")))?;
            let midway = |sent: &Sent| {
                format!(
                    "after {} of {total} triples in {} requests: the remote graph holds part of this graph; run the same push with --replace to replace it whole",
                    sent.triples, sent.requests
                )
            };
            send_batches(graph, &mut client, &url, target, total, &midway)?
        }
    };
    if target.verify {
        sent.verified = Some(verify(&mut client, &target.url(), sent.triples)?);
    }
    Ok(sent)
}

/// Sends `graph` (`total` triples) to `url` in batches of `target.batch` (a `PUT` first
/// when `target.replace`); `midway` says what a failure after the first batch leaves behind.
///
/// Reading and sending overlap: a second thread reads the graph and cuts the batches
/// ([`batches`]), at most `target.connections` ahead. The first batch goes alone (a `PUT`
/// must have replaced the graph before anything is added to it); the others on up to
/// `target.connections` connections at once, each with its own client signed in on its
/// own. A failure stops the taking of new batches, and the error is given once the requests
/// in flight have been answered, with what they stored counted.
fn send_batches(
    graph: Graph<'_>,
    client: &mut Client,
    url: &str,
    target: &Target,
    total: u64,
    midway: &dyn Fn(&Sent) -> String,
) -> Result<Sent> {
    std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel(target.connections);
        let batch = target.batch;
        scope.spawn(move || match graph {
            Graph::Store(store) => batches::from_store(store, batch, &batches),
            Graph::File(path) => batches::from_file(path, batch, total, &batches),
        });
        // The receiver is gone when `send_each` returns: a reader waiting to hand on a batch
        // then stops, so the scope ends.
        send_each(received, client, url, target, total).map_err(|(error, sent)| match error {
            Failure::Refused(what) if sent.requests == 0 => Error::user(what),
            Failure::Refused(what) => Error::user(format!("{what}, {}", midway(&sent))),
            Failure::Read(error) => error,
        })
    })
}

/// Why a push stopped: the store refused or could not be reached (said with what was sent
/// until then), or reading the local store failed.
enum Failure {
    Refused(String),
    Read(Error),
}

/// What the senders share: what has been stored so far, the progress shown, and whether
/// one of them failed (then the others take no new batch).
struct Progress {
    sent: std::sync::Mutex<Sent>,
    bar: indicatif::ProgressBar,
    failure: std::sync::Mutex<Option<Failure>>,
}

impl Progress {
    /// Changes what has been stored so far (still counted after a sender panicked).
    fn record(&self, change: impl FnOnce(&mut Sent)) {
        change(
            &mut self
                .sent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }

    fn stored(&self, n: u64) {
        self.record(|sent| {
            sent.triples += n;
            sent.requests += 1;
        });
        self.bar.inc(n);
    }

    fn retried(&self) {
        self.record(|sent| sent.retried += 1);
    }

    fn unanswered(&self) {
        self.record(|sent| sent.unanswered = true);
    }

    fn fail(&self, failure: Failure) {
        let mut first = (self.failure.lock()).unwrap_or_else(std::sync::PoisonError::into_inner);
        first.get_or_insert(failure);
    }

    fn failed(&self) -> bool {
        (self.failure.lock())
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }
}

/// Sends each batch received: the first alone (a `PUT` when `target.replace`, made even
/// for an empty graph, which it then empties), the others on `target.connections`
/// connections at once. On failure, the failure and what was stored before it.
fn send_each(
    received: std::sync::mpsc::Receiver<Batch>,
    client: &mut Client,
    url: &str,
    target: &Target,
    total: u64,
) -> std::result::Result<Sent, (Failure, Sent)> {
    let progress = Progress {
        sent: std::sync::Mutex::new(Sent::default()),
        bar: indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} triples sent ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        failure: std::sync::Mutex::new(None),
    };
    let method = if target.replace {
        Method::PUT
    } else {
        Method::POST
    };
    // No batch at all is an empty graph, which the first request empties (or adds nothing
    // to); but never when the graph is not empty and the reading stopped before its first
    // batch: a `PUT` of nothing would empty the target.
    match received.recv() {
        Ok(Ok((body, n))) => send_one(client, method, url, target, &body, n, &progress, false),
        Ok(Err(e)) => progress.fail(Failure::Read(e)),
        Err(_) if total == 0 => send_one(client, method, url, target, &[], 0, &progress, false),
        Err(_) => progress.fail(Failure::Read(Error::internal(
            "the reading of the graph stopped before its first batch",
        ))),
    }
    let received = std::sync::Mutex::new(received);
    let next = || -> Option<Batch> {
        if progress.failed() {
            return None;
        }
        let received = received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        received.recv().ok()
    };
    let again = target.connections > 1;
    let post = |client: &mut Client, batch: Batch| match batch {
        Ok((body, n)) => {
            send_one(
                client,
                Method::POST,
                url,
                target,
                &body,
                n,
                &progress,
                again,
            );
        }
        Err(e) => progress.fail(Failure::Read(e)),
    };
    let sender = |client: &mut Client| {
        while let Some(batch) = next() {
            post(client, batch);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..target.connections {
            scope.spawn(|| {
                // Signed in only once it has a batch to send: a short graph opens no more
                // connections than it has batches.
                let Some(first) = next() else { return };
                let mut other = Client::new(target.credentials.clone());
                if let Err(e) = other.sign_in(url) {
                    return progress.fail(Failure::Refused(format!("cannot reach {url}: {e}")));
                }
                post(&mut other, first);
                sender(&mut other);
            });
        }
        sender(client);
    });
    progress.bar.finish_and_clear();
    let sent = (progress.sent.into_inner()).unwrap_or_else(std::sync::PoisonError::into_inner);
    match (progress.failure.into_inner()).unwrap_or_else(std::sync::PoisonError::into_inner) {
        Some(failure) => Err((failure, sent)),
        None if sent.triples == total => Ok(sent),
        // The reading thread stopped without saying why (it panicked): say what was sent.
        None => Err((
            Failure::Refused("the reading of the graph stopped before its end".to_owned()),
            sent,
        )),
    }
}

/// How many times a batch answered with a server error is sent again when several
/// connections are used ([`send_one`]).
const RESENDS: u32 = 4;

/// The pause before the first resend of a batch; each further one waits twice as long
/// (0.25 + 0.5 + 1 + 2 s in all).
const FIRST_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Sends one batch of `n` triples and counts it as stored, or records why not. With
/// `again`, a batch the store answers with a server error is sent again, up to
/// [`RESENDS`] times, after a pause that doubles from [`FIRST_PAUSE`]: Virtuoso 7 fails one
/// of two requests that bring the same new language tag at once (`SR197: Non unique primary
/// key on DB.DBA.RDF_LANGUAGE`), and one of several requests adding to one graph at once
/// when they deadlock (`SR172: Transaction deadlocked`, the same batch sometimes twice in a
/// row; both measured in BENCHMARKS.md), and rolls it back. Adding a batch twice is
/// harmless (a graph is a set; the batches hold no blank nodes), so a resend cannot leave
/// anything the first attempt would not have.
#[allow(clippy::too_many_arguments)]
fn send_one(
    client: &mut Client,
    method: Method,
    url: &str,
    target: &Target,
    body: &[u8],
    n: u64,
    progress: &Progress,
    again: bool,
) {
    let headers = [("Content-Type", target.content_type.as_str())];
    let mut resends = 0;
    loop {
        let sent = client.send(method.clone(), url, &headers, Some(body), target.timeout);
        let response = match sent {
            Ok(response) => response,
            Err(ureq::Error::Timeout(_)) => {
                progress.unanswered();
                let waited = target.timeout.map_or(0, |t| t.as_secs());
                return progress.fail(Failure::Refused(format!(
                    "the store at {url} did not answer a batch of {n} triples within {waited} s (Virtuoso 7.2 can stall on one large request: give a smaller --batch, or a longer --timeout)"
                )));
            }
            Err(e) => {
                return progress.fail(Failure::Refused(format!(
                    "cannot send the graph to {url}: {e}"
                )));
            }
        };
        let server_error = response.status().is_server_error();
        match refused(response, client.user(), target.graph.is_none()) {
            None => return progress.stored(n),
            Some(_) if server_error && again && resends < RESENDS => {
                progress.retried();
                std::thread::sleep(FIRST_PAUSE * 2u32.pow(resends));
                resends += 1;
            }
            Some(refusal) => {
                let hint = match (refusal.contains("SR172"), again) {
                    (true, false) => format!(
                        " (Virtuoso deadlocks with itself on one large request: give a smaller --batch than {n})"
                    ),
                    (true, true) => format!(
                        " (sent {} times; Virtuoso rolls back one of several requests adding to a graph at once when they deadlock: give fewer --connections, or a smaller --batch than {n})",
                        resends + 1
                    ),
                    (false, _) => String::new(),
                };
                return progress.fail(Failure::Refused(format!(
                    "the store at {url} answered {refusal}{hint}"
                )));
            }
        }
    }
}

/// `None` for a success; else the status, the store's message on one line, and a hint.
fn refused(
    response: ureq::http::Response<ureq::Body>,
    user: Option<&str>,
    default_graph: bool,
) -> Option<String> {
    let status = response.status();
    if status.is_success() {
        return None;
    }
    let mut answer = response.into_body();
    let message = one_line(&answer.read_to_string().unwrap_or_default());
    let mut hint = client::refusal_hint(status, user);
    if default_graph && status.is_server_error() {
        hint.push_str("; if this store has no default graph to write to (Virtuoso's has none), give --graph IRI");
    }
    Some(format!(
        "{status}{}{message}{hint}",
        if message.is_empty() { "" } else { ": " }
    ))
}

/// A store's error page on one line: the tags of an HTML page dropped, white space
/// collapsed, at most 300 characters.
fn one_line(message: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in message.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut line = words.join(" ");
    if let Some((cut, _)) = line.char_indices().nth(300) {
        line.truncate(cut);
        line.push_str("...");
    }
    line
}

/// Reads the graph at `url` back with the Graph Store Protocol and counts its triples.
fn count(client: &mut Client, url: &str) -> Result<u64> {
    let accept = [("Accept", "application/n-triples, text/turtle;q=0.9")];
    let response = client
        .send(Method::GET, url, &accept, None, None)
        .map_err(|e| Error::user(format!("cannot read the graph back from {url}: {e}")))?;
    let media = (response.headers().get("content-type"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("application/n-triples")
        .trim()
        .to_owned();
    if !response.status().is_success() {
        let refusal = refused(response, client.user(), false).unwrap_or_default();
        return Err(Error::user(format!(
            "reading the graph back from {url} answered {refusal}"
        )));
    }
    let format = oxigraph::io::RdfFormat::from_media_type(&media).ok_or_else(|| {
        Error::user(format!(
            "{url} answered the graph as `{media}`, which histkg cannot read"
        ))
    })?;
    let mut held = 0u64;
    for triple in
        oxigraph::io::RdfParser::from_format(format).for_reader(response.into_body().into_reader())
    {
        triple.map_err(|e| {
            Error::user(format!("cannot parse the graph read back from {url}: {e}"))
        })?;
        held += 1;
    }
    Ok(held)
}

/// Reads the graph at `url` back and fails unless it holds exactly `expected` triples.
fn verify(client: &mut Client, url: &str, expected: u64) -> Result<u64> {
    let held = count(client, url)?;
    if held < expected {
        return Err(Error::user(format!(
            "the store answered every batch with success but holds {held} of the {expected} triples sent to {url}: it did not keep them all (Virtuoso answers 201 to a chunked body and stores nothing)"
        )));
    }
    if held > expected {
        return Err(Error::user(format!(
            "the store holds {held} triples at {url}, but {expected} were pushed: it held others before (push with --replace), or another writer changed it"
        )));
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn an_error_page_is_shown_on_one_line() {
        let page = "<html>\n  <head><title>Failed</title></head>\n<body><h3>Error 22023</h3>\n<xmp>no default graph</xmp></body></html>";
        assert_eq!(one_line(page), "Failed Error 22023 no default graph");
        assert_eq!(one_line(&"x ".repeat(400)).chars().count(), 303);
    }
}
