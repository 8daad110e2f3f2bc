//! The integration tests, in one test binary so that RocksDB and the crate are linked once:
//! `cargo test --release --test it`, or one module (`--test it properties::`) or one test
//! (`--test it bad_input::unclosed_quote`). tests/README.md describes each module.

mod bad_input;
mod cache;
mod citations;
mod cli;
mod common;
mod crash;
mod failed_reads;
mod findings;
mod gexf;
mod layout;
mod lpf;
mod properties;
mod push;
mod reconcile;
mod serve;
mod shipped_data;
mod spreadsheets;
