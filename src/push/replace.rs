//! An atomic `--replace`: the batches go into a temporary named graph, which is counted
//! and then moved over the target by one SPARQL 1.1 Update request (`MOVE GRAPH <tmp> TO
//! GRAPH <target>`), which the store applies in one transaction (Oxigraph, Virtuoso, Fuseki
//! and GraphDB all do). Until that request the target graph is the old one: a failure while
//! the batches go, or a temporary graph that does not hold what was sent, leaves the target
//! untouched and the temporary graph dropped (or named in the error, when the store is gone).

use super::client::Client;
use super::{Graph, Sent, Target, count, graph_url, refused, send_batches};
use crate::error::{Error, Result};
use ureq::http::Method;

/// A fresh temporary graph IRI: this process and the time, so two pushes never share one.
fn temporary_graph() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("urn:histkg:push:{}-{nanos}", std::process::id())
}

/// The target of an update: `GRAPH <iri>`, or `DEFAULT`.
fn graph_ref(graph: Option<&str>) -> String {
    graph.map_or_else(|| "DEFAULT".to_owned(), |iri| format!("GRAPH <{iri}>"))
}

/// Sends one SPARQL 1.1 Update to `endpoint` (a direct POST, `application/sparql-update`).
fn update(client: &mut Client, endpoint: &str, statement: &str) -> Result<()> {
    let headers = [("Content-Type", "application/sparql-update")];
    let response = client
        .send(
            Method::POST,
            endpoint,
            &headers,
            Some(statement.as_bytes()),
            None,
        )
        .map_err(|e| Error::user(format!("cannot send `{statement}` to {endpoint}: {e}")))?;
    match refused(response, client.user(), false) {
        None => Ok(()),
        Some(refusal) => Err(Error::user(format!(
            "the update endpoint {endpoint} answered {refusal} to `{statement}`"
        ))),
    }
}

/// Replaces the target graph with `graph` through a temporary graph.
pub(super) fn atomically(
    graph: Graph<'_>,
    target: &Target,
    endpoint: &str,
    total: u64,
    client: &mut Client,
) -> Result<Sent> {
    let destination = graph_ref(target.graph.as_deref());
    if total == 0 {
        // Nothing to move: emptying the target is one update already.
        update(client, endpoint, &format!("CLEAR SILENT {destination}"))?;
        return Ok(Sent {
            requests: 1,
            ..Sent::default()
        });
    }
    let temporary = temporary_graph();
    let url = graph_url(&target.endpoint, Some(&temporary));
    client
        .sign_in(&url)
        .map_err(|e| Error::user(format!("cannot reach {url}: {e}")))?;
    let drop = format!("DROP SILENT GRAPH <{temporary}>");
    let midway = |sent: &Sent| {
        let late = if sent.unanswered {
            // The store may still be working on the batch given up on, and add it after
            // the temporary graph is dropped below.
            format!(
                "; the store may still add the unanswered batch to the temporary graph after it is dropped: if <{temporary}> then exists, remove it with `{drop}`"
            )
        } else {
            String::new()
        };
        format!(
            "after {} of {total} triples in {} requests to the temporary graph <{temporary}>: the target graph is untouched{late}",
            sent.triples, sent.requests
        )
    };
    let staged = send_batches(graph, client, &url, target, total, &midway)
        .and_then(|sent| match count(client, &url)? {
            held if held == total => Ok(sent),
            held => Err(Error::user(format!(
                "the temporary graph <{temporary}> holds {held} of the {total} triples sent: the store did not keep them all, and the target graph is untouched"
            ))),
        })
        .and_then(|sent| {
            let statement = format!("MOVE GRAPH <{temporary}> TO {destination}");
            update(client, endpoint, &statement)?;
            Ok(sent)
        });
    match staged {
        Ok(mut sent) => {
            sent.through = Some(temporary);
            Ok(sent)
        }
        Err(error) => Err(match update(client, endpoint, &drop) {
            Ok(()) => Error::user(format!("{error} (the temporary graph was dropped)")),
            Err(_) => Error::user(format!(
                "{error}; the temporary graph could not be dropped: remove it with `{drop}`"
            )),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::{graph_ref, temporary_graph};

    #[test]
    fn temporary_graphs_are_fresh_iris_and_targets_are_named_for_updates() {
        let (a, b) = (temporary_graph(), temporary_graph());
        assert_ne!(a, b);
        assert!(oxigraph::model::NamedNode::new(&a).is_ok(), "{a}");
        assert_eq!(graph_ref(None), "DEFAULT");
        assert_eq!(
            graph_ref(Some("https://e.org/g")),
            "GRAPH <https://e.org/g>"
        );
    }
}
