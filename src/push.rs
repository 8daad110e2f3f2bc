//! `histkg push`: sends the graph to another SPARQL store with the SPARQL 1.1 Graph Store
//! HTTP Protocol, so a user who outgrows one machine can publish into Oxigraph server,
//! Fuseki, GraphDB, Virtuoso or QLever.
//!
//! The body is N-Triples produced while it is sent (chunked transfer): the graph is never
//! held in memory as a whole. `--replace` uses `PUT` (the target graph becomes exactly this
//! graph); otherwise `POST` merges into it. Plain `http://` only for now (no TLS stack is
//! compiled in).

use crate::error::{Error, Result};
use oxigraph::model::{GraphNameRef, Quad};
use oxigraph::store::Store;
use std::io::{self, Read};

/// Where and how to push.
#[derive(Debug, Clone)]
pub struct Target {
    /// The Graph Store Protocol endpoint, e.g. `http://localhost:7878/store` (Oxigraph) or
    /// `http://localhost:3030/ds/data` (Fuseki).
    pub endpoint: String,
    /// The named graph to write; the default graph when `None`.
    pub graph: Option<String>,
    /// Replace the graph (`PUT`) instead of adding to it (`POST`).
    pub replace: bool,
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

/// A reader that writes the store's default graph as N-Triples, one triple at a time.
struct NTriplesReader {
    quads: Box<dyn Iterator<Item = std::result::Result<Quad, oxigraph::store::StorageError>>>,
    buffer: Vec<u8>,
    position: usize,
    sent: u64,
}

impl Read for NTriplesReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.position == self.buffer.len() {
            self.buffer.clear();
            self.position = 0;
            match self.quads.next() {
                None => return Ok(0),
                Some(Err(e)) => return Err(io::Error::other(e)),
                Some(Ok(quad)) => {
                    use std::io::Write;
                    writeln!(
                        self.buffer,
                        "{} {} {} .",
                        quad.subject, quad.predicate, quad.object
                    )?;
                    self.sent += 1;
                }
            }
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// Sends the default graph of `store` to `target`; returns the number of triples sent.
pub fn push(store: &Store, target: &Target) -> Result<u64> {
    if !target.endpoint.starts_with("http://") {
        return Err(Error::user(format!(
            "--endpoint `{}` must be an http:// URL (https is not supported yet; put a TLS proxy in front)",
            target.endpoint
        )));
    }
    let count = store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
        .count() as u64;
    let mut reader = NTriplesReader {
        quads: Box::new(store.quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::DefaultGraph),
        )),
        buffer: Vec::new(),
        position: 0,
        sent: 0,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = target.url();
    let request = if target.replace {
        agent.put(&url)
    } else {
        agent.post(&url)
    };
    let response = request
        .header("Content-Type", crate::export::Format::Ntriples.media_type())
        .send(ureq::SendBody::from_reader(&mut reader))
        .map_err(|e| Error::user(format!("cannot send the graph to {url}: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        let mut body = response.into_body();
        let message = body.read_to_string().unwrap_or_default();
        let message = message.trim();
        return Err(Error::user(format!(
            "the store at {url} answered {status}{}{message}",
            if message.is_empty() { "" } else { ": " }
        )));
    }
    debug_assert_eq!(reader.sent, count);
    Ok(count)
}
