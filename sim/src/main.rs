//! The `imsim` command-line tool. Everything lives in the library (`imsim_sim::cli`).

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    imsim_sim::cli::main_with(imsim_sim::cli::Cli::parse())
}
