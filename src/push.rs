//! `histkg push`: sends the graph to another SPARQL store with the SPARQL 1.1 Graph Store
//! HTTP Protocol, so a user who outgrows one machine can publish into Oxigraph server,
//! Fuseki, GraphDB, Virtuoso or QLever.
//!
//! The graph goes in batches of at most [`Target::batch`] triples, each written as N-Triples
//! into memory and sent with its `Content-Length`, so that the graph is never held whole
//! and no store sees a chunked body (Virtuoso 7 resets the connection on one, or answers 201
//! and stores nothing). With `--replace` the first batch is a `PUT` (the target graph becomes
//! exactly that batch) and the others `POST`s that add to it; without, every batch is a
//! `POST`. A graph of more than one batch is therefore replaced in several requests: a reader
//! of the target can see it part-replaced meanwhile, and a failure midway leaves it so; the
//! error says how much was sent and that the same push with `--replace` starts again. The
//! body is sent as `text/turtle` (N-Triples is Turtle), which every store accepts; plain
//! `http://` only for now (no TLS stack is compiled in).

use crate::error::{Error, Result};
use oxigraph::model::GraphNameRef;
use oxigraph::store::Store;
use std::io::Write;

/// Triples per request unless `--batch` says otherwise: about 15 MB of N-Triples.
pub const DEFAULT_BATCH: usize = 100_000;

/// Where and how to push.
#[derive(Debug, Clone)]
pub struct Target {
    /// The Graph Store Protocol endpoint, e.g. `http://localhost:7878/store` (Oxigraph) or
    /// `http://localhost:3030/ds/data` (Fuseki).
    pub endpoint: String,
    /// The named graph to write; the default graph when `None`.
    pub graph: Option<String>,
    /// Replace the graph (`PUT` first) instead of adding to it (`POST`).
    pub replace: bool,
    /// The most triples one request holds.
    pub batch: usize,
    /// The media type the batches are sent as ([`DEFAULT_CONTENT_TYPE`] unless a store
    /// needs another name for N-Triples).
    pub content_type: String,
}

/// What the batches are sent as: N-Triples is Turtle, and every store reads Turtle.
pub const DEFAULT_CONTENT_TYPE: &str = "text/turtle";

/// The media types a batch of N-Triples may be sent as.
pub const CONTENT_TYPES: [&str; 3] = ["text/turtle", "application/n-triples", "text/plain"];

/// What a push sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Triples sent.
    pub triples: u64,
    /// Requests made.
    pub requests: u64,
}

impl Target {
    /// The request URL: the endpoint with `?graph=IRI` or `?default`.
    pub fn url(&self) -> String {
        let separator = if self.endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        match &self.graph {
            Some(iri) => format!(
                "{}{separator}graph={}",
                self.endpoint,
                form_urlencoded::byte_serialize(iri.as_bytes()).collect::<String>()
            ),
            None => format!("{}{separator}default", self.endpoint),
        }
    }
}

/// The HTTP client: a status that is no success is an answer to report, not an error.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Sends the default graph of `store` to `target` in batches; returns what was sent.
pub fn push(store: &Store, target: &Target) -> Result<Sent> {
    if !target.endpoint.starts_with("http://") {
        return Err(Error::user(format!(
            "--endpoint `{}` must be an http:// URL (https is not supported yet; put a TLS proxy in front)",
            target.endpoint
        )));
    }
    if target.batch == 0 {
        return Err(Error::user("--batch must be at least 1 triple"));
    }
    if !CONTENT_TYPES.contains(&target.content_type.as_str()) {
        return Err(Error::user(format!(
            "--content-type `{}`: the batches are N-Triples, sent as one of {}",
            target.content_type,
            CONTENT_TYPES.join(", ")
        )));
    }
    let total = store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
        .count() as u64;
    let agent = agent();
    let url = target.url();
    let bar = indicatif::ProgressBar::new(total).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} triples sent ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut quads = store.quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph));
    let mut sent = Sent {
        triples: 0,
        requests: 0,
    };
    let mut body = Vec::new();
    loop {
        body.clear();
        let mut n = 0u64;
        for quad in quads.by_ref().take(target.batch) {
            let quad = quad?;
            writeln!(
                body,
                "{} {} {} .",
                quad.subject, quad.predicate, quad.object
            )
            .map_err(|e| Error::user(format!("cannot write a batch: {e}")))?;
            n += 1;
        }
        // The first request is made even for an empty graph: `--replace` then empties it.
        if n == 0 && sent.requests > 0 {
            break;
        }
        let request = if target.replace && sent.requests == 0 {
            agent.put(&url)
        } else {
            agent.post(&url)
        };
        let midway = |what: String| -> Error {
            if sent.requests == 0 {
                return Error::user(what);
            }
            Error::user(format!(
                "{what}, after {} of {total} triples in {} requests: the remote graph holds part of this graph; run the same push with --replace to replace it whole",
                sent.triples, sent.requests
            ))
        };
        let response = request
            .header("Content-Type", &target.content_type)
            .send(&body[..])
            .map_err(|e| midway(format!("cannot send the graph to {url}: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            let mut answer = response.into_body();
            let message = one_line(&answer.read_to_string().unwrap_or_default());
            let hint = if target.graph.is_none() && status.is_server_error() {
                "; if this store has no default graph to write to (Virtuoso's has none), give --graph IRI"
            } else {
                ""
            };
            return Err(midway(format!(
                "the store at {url} answered {status}{}{message}{hint}",
                if message.is_empty() { "" } else { ": " }
            )));
        }
        sent.triples += n;
        sent.requests += 1;
        bar.inc(n);
        if n < target.batch as u64 {
            break;
        }
    }
    bar.finish_and_clear();
    debug_assert_eq!(sent.triples, total);
    Ok(sent)
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

/// Reads the target graph back with the Graph Store Protocol and counts its triples; fails
/// unless there are `expected`.
pub fn verify(target: &Target, expected: u64) -> Result<u64> {
    let url = target.url();
    let agent = agent();
    let response = agent
        .get(&url)
        .header("Accept", "application/n-triples, text/turtle;q=0.9")
        .call()
        .map_err(|e| Error::user(format!("cannot read the graph back from {url}: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::user(format!(
            "reading the graph back from {url} answered {status}"
        )));
    }
    let media = (response.headers().get("content-type"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("application/n-triples")
        .trim()
        .to_owned();
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
    if held != expected {
        return Err(Error::user(format!(
            "the store holds {held} triples in that graph, but {expected} were pushed: it held others before (push with --replace), or another writer changed it"
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
