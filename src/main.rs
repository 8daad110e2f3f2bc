//! The `histkg` binary: parse arguments, run, print `error: …`, choose the exit code.

use clap::Parser;
use histkg::cli::{Cli, run};
use histkg::{Interrupted, UserError};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`histkg query … | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if err.chain().any(|e| e.is::<Interrupted>()) {
                ExitCode::from(130)
            } else if err.chain().any(|e| e.is::<UserError>()) {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
