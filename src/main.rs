//! `crmdb`: the command-line entry point.

mod demo;
mod serve;

use clap::{Parser, Subcommand};

/// crmdb: a database server for customer data that speaks PostgreSQL's wire protocol.
#[derive(Parser, Debug)]
#[command(name = "crmdb", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve a data directory over the PostgreSQL wire protocol.
    Serve(serve::ServeArgs),
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
    };
    if let Err(message) = result {
        eprintln!("crmdb: {message}");
        std::process::exit(1);
    }
}
