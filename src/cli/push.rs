//! `histkg push` on the command line: its options, and what it prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::store;
use anyhow::Result;
use std::path::PathBuf;

/// The options of `histkg push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// Store directory.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
    /// Send this N-Triples file (.nt, or .nt.gz) instead of the store's graph, e.g. the
    /// dump `histkg publish` wrote or `histkg export --format ntriples -o FILE`; it is
    /// parsed whole before anything is sent.
    #[arg(long, value_name = "FILE", conflicts_with = "store")]
    pub from: Option<PathBuf>,
    /// Graph Store Protocol endpoint, e.g. http://localhost:7878/store (Oxigraph),
    /// http://localhost:3030/ds/data (Fuseki) or
    /// http://localhost:8890/sparql-graph-crud-auth (Virtuoso, with --user).
    #[arg(long)]
    pub endpoint: String,
    /// Named graph to write (the default graph when absent).
    #[arg(long)]
    pub graph: Option<String>,
    /// Replace the graph instead of adding to it (the first batch is a PUT).
    #[arg(long)]
    pub replace: bool,
    /// The most triples one request holds; each is sent with its length.
    #[arg(long, default_value_t = crate::push::DEFAULT_BATCH)]
    pub batch: usize,
    /// Requests in flight at once after the first, each on its own connection: a store
    /// parses one batch while the next arrives (1 sends one batch at a time).
    #[arg(long, default_value_t = crate::push::DEFAULT_CONNECTIONS)]
    pub connections: usize,
    /// Read the graph back afterwards and check that it holds exactly the triples sent.
    #[arg(long)]
    pub verify: bool,
    /// Seconds to wait for the store's answer to one batch once it is sent (0: no limit);
    /// a store that gives none in time stops the push with what was sent.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::push::DEFAULT_TIMEOUT_SECONDS)]
    pub timeout: u64,
    /// The media type the batches are sent as: text/turtle (read by every store),
    /// application/n-triples or text/plain.
    #[arg(long, default_value = crate::push::DEFAULT_CONTENT_TYPE)]
    pub content_type: String,
    /// The store's SPARQL 1.1 Update endpoint (Virtuoso's /sparql or /sparql-auth,
    /// Oxigraph's /update): with --replace, the graph goes into a temporary graph that
    /// is counted and then moved over the target in one update, so the replace is atomic.
    #[arg(long)]
    pub update_endpoint: Option<String>,
    /// Sign in as this user when the store asks (HTTP Basic or Digest); the password is
    /// read from HISTKG_PUSH_PASSWORD, or asked for at the terminal.
    #[arg(long)]
    pub user: Option<String>,
}

pub(super) fn push(args: PushArgs) -> Result<()> {
    let credentials = (args.user)
        .map(|user| crate::push::Credentials::for_user(user, &args.endpoint))
        .transpose()?;
    let target = &crate::push::Target {
        endpoint: args.endpoint,
        graph: args.graph,
        replace: args.replace,
        batch: args.batch,
        connections: args.connections,
        content_type: args.content_type,
        update_endpoint: args.update_endpoint,
        credentials,
        verify: args.verify,
        timeout: (args.timeout > 0).then(|| std::time::Duration::from_secs(args.timeout)),
    };
    let sent = match &args.from {
        Some(file) => crate::push::push(crate::push::Graph::File(file), target)?,
        None => {
            let store = store::open(&args.store)?;
            crate::push::push(crate::push::Graph::Store(&store), target)?
        }
    };
    let requests = |n: u64| format!("{n} request{}", if n == 1 { "" } else { "s" });
    match (&sent.through, &target.update_endpoint) {
        (Some(temporary), Some(update)) => println!(
            "replaced {} atomically: {} triples sent in {} to the temporary graph <{temporary}>, counted there, then moved over it by one update at {update}",
            target.url(),
            sent.triples,
            requests(sent.requests)
        ),
        _ => println!(
            "sent {} triples to {} in {}",
            sent.triples,
            target.url(),
            requests(sent.requests)
        ),
    }
    if target.replace && target.update_endpoint.is_none() && sent.requests > 1 {
        eprintln!(
            "note: the replace took {}, so it was not atomic: a reader could see the graph part-replaced meanwhile (give --update-endpoint for an atomic replace)",
            requests(sent.requests)
        );
    }
    if sent.retried > 0 {
        eprintln!(
            "note: the store answered {} with a server error while other batches were being sent, and took {} when sent again",
            requests(sent.retried),
            if sent.retried == 1 { "it" } else { "them" }
        );
    }
    if let Some(held) = sent.verified {
        println!("verified: the graph holds exactly the {held} triples sent");
    }
    Ok(())
}
