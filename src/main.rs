//! The `histkg` binary: parse arguments, run, print `error: …`, choose the exit code.
#![allow(clippy::print_stderr)]

use clap::Parser;
use histkg::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`histkg query … | head`) is not an error.
            if err
                .chain()
                .any(|e| histkg::error::io_kind(e) == Some(std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            // The first histkg error down the chain decides; anything else is internal.
            let code = err
                .chain()
                .find_map(|e| e.downcast_ref::<histkg::Error>())
                .map_or(2, histkg::Error::exit_code);
            ExitCode::from(code)
        }
    }
}
