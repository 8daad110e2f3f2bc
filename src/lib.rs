//! histkg: historians' spreadsheets to a source-grounded RDF knowledge graph.
//!
//! Data flows one way:
//!
//! ```text
//! data/*.csv + ontology.ttl + dataset.ttl
//!   -> ingest   (check every row, two streaming passes; all errors as file:line:column;
//!                a build maps and loads the second pass's records as they are checked)
//!   -> mapping  (records -> triples; pure and deterministic)
//!   -> store    (bulk load into a new store generation, then publish it atomically)
//!   -> query / export / show (read the published generation)
//! ```
//!
//! See `ARCHITECTURE.md` for the map of modules and their invariants.

pub(crate) mod build;
pub mod cite;
pub mod cli;
pub mod dates;
pub mod diagnostics;
pub mod error;
pub mod export;
pub mod findings;
pub mod ingest;
pub mod mapping;
pub mod model;
pub(crate) mod publish;
pub(crate) mod push;
pub mod query;
pub mod serve;
pub(crate) mod show;
pub(crate) mod site;
pub mod sources;
pub mod store;
pub mod summary;
pub mod vocab;

pub use error::{Error, Result};
pub use site::FAIL_READ_VARIABLE;
