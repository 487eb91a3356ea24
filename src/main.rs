use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            stdquiz::config::log_filter(),
        ))
        .with_writer(std::io::stderr)
        .init();
    stdquiz::cli::run(stdquiz::cli::Cli::parse())
}
