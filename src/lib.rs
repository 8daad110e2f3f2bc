//! histkg: historians' spreadsheets to a source-grounded RDF knowledge graph.
//!
//! Data flows one way:
//!
//! ```text
//! data/*.csv + ontology.ttl + dataset.ttl
//!   -> ingest   (check every row, two streaming passes; all errors as file:line:column)
//!   -> ingest   (a third pass streams the records)
//!   -> mapping  (records -> triples; pure and deterministic)
//!   -> store    (bulk load into a new store generation, then publish it atomically)
//!   -> query / export / show (read the published generation)
//! ```
//!
//! See `ARCHITECTURE.md` for the map of modules and their invariants.

pub mod build;
pub mod cli;
pub mod dates;
pub mod diagnostics;
pub mod export;
pub mod ingest;
pub mod mapping;
pub mod model;
pub mod publish;
pub mod push;
pub mod query;
pub mod serve;
pub mod show;
pub mod store;
pub mod summary;
pub mod vocab;

/// An error caused by the user's input (bad data, bad query, missing store): the command
/// line exits with status 1 for these and 2 for everything else.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// The command was stopped by SIGINT or SIGTERM before it changed anything; the command line
/// exits with status 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: nothing was published, the previous graph is unchanged")]
pub struct Interrupted;

impl UserError {
    /// Wraps a message in a [`UserError`] inside an [`anyhow::Error`].
    pub fn msg(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Self(message.into()))
    }
}
